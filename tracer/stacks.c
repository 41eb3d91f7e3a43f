// SPDX-License-Identifier: MIT
/*
 * The tracer's stacks (--stacks, issue 9): at the entry stop of a call
 * that can be evidence, the task's registers and 8 KiB of its stack are
 * copied (stack/unwind.h), walked to instruction pointers, each made an
 * address in its module (the file that maps it, less the mapping's
 * bias) and the whole interned in the caller's stack table. One module
 * space and one unwinder space per address space (thread group), made
 * at its first walk, dropped at its exec and its end; its maps are
 * reread after a call that changes code mappings (see seccomp.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "python.h"
#include "stacks.h"
#include "tracer-int.h"
#include "unwind.h"
#include "util.h"

/* a snapshot and its reading on, each in one vm_read_pages() */
_Static_assert(TRACER_STACK_SNAPSHOT_MAX *STACK_SNAPSHOT_READ_ON <=
		       VM_READ_PAGES_MAX * 4096,
	       "--stack-snapshot's largest reads more than one call");

struct space {
	struct hashmap_entry ent;
	int tgid;
	struct module_space mods;
	struct stack_space *unw;
	/* CPython: looked for again whenever the maps were reread (a
	 * libpython mapped since), until found */
	struct py_runtime py;
	unsigned py_looked; /* mods.refreshes when last looked for */
	bool py_found, py_warned;
	/* the snapshot to take: as much as the last walk here used and a
	 * page more, at least snap_len, at most snap_cap (a deep stack is
	 * then read in one call, not one and a read on) */
	size_t snap_want;
};

struct tracer_stacks {
	struct hashmap spaces;
	struct stack_table *table;
	unsigned char *buf; /* snap_cap bytes */
	size_t snap_len, snap_cap;
	unsigned long taken, failed;
	struct py_frame py[STACK_DEPTH_MAX];
	bool told_full;
	char full_warning[96]; /* the trace's warning when the table fills */
};

static bool space_eq(const struct hashmap_entry *e, const void *key)
{
	return container_of(e, struct space, ent)->tgid == *(const int *)key;
}

int tracer_stacks_new(struct tracer *t)
{
	struct tracer_stacks *s;

	if (!t->opt.stack_table)
		return -EINVAL;
	if (t->opt.stack_snapshot &&
	    (t->opt.stack_snapshot < TRACER_STACK_SNAPSHOT_MIN ||
	     t->opt.stack_snapshot > TRACER_STACK_SNAPSHOT_MAX ||
	     t->opt.stack_snapshot % 4096))
		return -EINVAL;
	s = xcalloc(1, sizeof(*s));
	hashmap_init(&s->spaces, space_eq, 16);
	s->table = t->opt.stack_table;
	s->snap_len = t->opt.stack_snapshot ? t->opt.stack_snapshot
					    : STACK_SNAPSHOT_DEFAULT;
	s->snap_cap = s->snap_len * STACK_SNAPSHOT_READ_ON;
	s->buf = xmalloc(s->snap_cap);
	t->stacks = s;
	return 0;
}

static void space_free(struct space *sp)
{
	stack_unwinder.space_free(sp->unw);
	py_runtime_release(&sp->py);
	module_space_release(&sp->mods);
	free(sp);
}

static struct space *space_of(struct tracer_stacks *s, int tgid, int tid)
{
	struct hashmap_entry *e =
		hashmap_get(&s->spaces, hash_int(tgid), &tgid);
	struct space *sp;

	if (e)
		return container_of(e, struct space, ent);
	sp = xcalloc(1, sizeof(*sp));
	sp->tgid = tgid;
	module_space_init(&sp->mods, tid);
	sp->unw = stack_unwinder.space_new(&sp->mods);
	if (!sp->unw) {
		module_space_release(&sp->mods);
		free(sp);
		return NULL;
	}
	hashmap_put(&s->spaces, &sp->ent, hash_int(tgid));
	return sp;
}

void tracer_stacks_forget(struct tracer *t, int tgid)
{
	struct hashmap_entry *e;

	if (!t->stacks)
		return;
	e = hashmap_remove(&t->stacks->spaces, hash_int(tgid), &tgid);
	if (e)
		space_free(container_of(e, struct space, ent));
}

void tracer_stacks_maps_changed(struct tracer *t, int tgid)
{
	struct hashmap_entry *e;
	struct space *sp;

	if (!t->stacks)
		return;
	e = hashmap_get(&t->stacks->spaces, hash_int(tgid), &tgid);
	if (!e)
		return;
	sp = container_of(e, struct space, ent);
	module_space_invalidate(&sp->mods);
	stack_unwinder.space_flush(sp->unw);
}

/*
 * The Python frames of TID into PY (its strings in S->py): 0 when the
 * space is no CPython or runs no Python code; a version without offsets
 * here sets *WARNING once.
 */
static uint32_t python_frames(struct tracer_stacks *s, struct space *sp,
			      int tid, struct stack_py *py,
			      const char **warning)
{
	int n, r;

	if (!sp->py_found && sp->py_looked != sp->mods.refreshes) {
		sp->py_looked = sp->mods.refreshes;
		r = py_runtime_find(&sp->mods, &sp->py);
		sp->py_found = r == 0;
		if (r == -ENOTSUP && !sp->py_warned) {
			sp->py_warned = true;
			*warning =
				"a CPython of a version or build this fsrace "
				"has no offsets for: no Python frames";
		}
	}
	if (!sp->py_found)
		return 0;
	n = py_frames(&sp->py, tid, s->py, STACK_DEPTH_MAX);
	for (int i = 0; i < n; i++)
		py[i] = (struct stack_py){s->py[i].file, s->py[i].function,
					  s->py[i].line};
	return n > 0 ? (uint32_t)n : 0;
}

const struct stack_trace *tracer_stacks_take(struct tracer *t, int tgid,
					     int tid, const char **warning,
					     bool *dropped)
{
	struct tracer_stacks *s = t->stacks;
	struct stack_snapshot snap = {.stack = s->buf, .cap = s->snap_cap};
	uint64_t ips[STACK_DEPTH_MAX];
	struct stack_pc pc[STACK_DEPTH_MAX];
	struct stack_py py[STACK_DEPTH_MAX];
	struct space *sp = space_of(s, tgid, tid);
	const struct stack_trace *st;
	uint32_t npy;
	int n;

	if (!sp)
		goto fail;
	snap.len = sp->snap_want ? sp->snap_want : s->snap_len;
	if (stack_snapshot_take(&snap, tid) < 0)
		goto fail;
	/* the maps of the thread that stopped: its leader may be gone */
	sp->mods.pid = tid;
	module_space_begin_walk(&sp->mods);
	n = stack_unwinder.walk(sp->unw, &snap, ips, STACK_DEPTH_MAX);
	sp->snap_want = (snap.used + 2 * 4096 - 1) & ~(size_t)4095;
	if (sp->snap_want < s->snap_len)
		sp->snap_want = s->snap_len;
	else if (sp->snap_want > s->snap_cap)
		sp->snap_want = s->snap_cap;
	if (n <= 0)
		goto fail;
	for (int i = 0; i < n; i++) {
		struct module_map *m =
			module_space_find(&sp->mods, ips[i], true);
		const struct module_image *im = m ? m->image : NULL;

		/* the table's module, asked for once a mapping */
		if (im && !m->cookie)
			m->cookie = stack_table_module(
				s->table, im->path, (uint64_t)im->dev,
				(uint64_t)im->ino, im->build_id,
				im->build_id_len);
		pc[i].mod = im ? m->cookie : NULL;
		/* no module (the table of them full): a bare address */
		pc[i].addr = pc[i].mod ? ips[i] - m->bias : ips[i];
		pc[i].named = NULL;
	}
	npy = python_frames(s, sp, tid, py, warning);
	s->taken++;
	st = stack_table_intern(s->table, pc, (uint32_t)n, py, npy);
	if (!st) {
		*dropped = true;
		if (!s->told_full && !*warning) {
			s->told_full = true;
			snprintf(s->full_warning, sizeof(s->full_warning),
				 "more than %u distinct stacks: the stacks of "
				 "later calls are not kept",
				 STACK_TABLE_STACKS_MAX);
			*warning = s->full_warning;
		}
	}
	return st;
fail:
	s->failed++;
	return NULL;
}

void tracer_stacks_free(struct tracer *t)
{
	struct tracer_stacks *s = t->stacks;
	struct hashmap_iter it;
	struct hashmap_entry *e;

	if (!s)
		return;
	hashmap_iter_init(&s->spaces, &it);
	while ((e = hashmap_iter_next(&it))) {
		hashmap_remove_entry(&s->spaces, e);
		space_free(container_of(e, struct space, ent));
	}
	hashmap_release(&s->spaces);
	module_images_trim();
	free(s->buf);
	free(s);
	t->stacks = NULL;
}

bool tracer_can_stack(void)
{
	return true;
}
