// SPDX-License-Identifier: MIT
/*
 * The judge (judge.h): the process table, fed by fork, exec and exit, and
 * the decisions on each match.
 */
#include "judge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "durability.h"
#include "hashmap.h"
#include "suppress.h"
#include "util.h"

struct proc_ent {
	struct hashmap_entry ent;
	struct judge_proc p;
};

struct judge {
	const struct rule_set *rs;
	struct judge_options opt;
	struct hashmap procs; /* struct proc_ent, by pid */
	struct durability *dur;
};

static bool proc_eq(const struct hashmap_entry *e, const void *key)
{
	return container_of(e, struct proc_ent, ent)->p.pid ==
	       *(const int *)key;
}

static void proc_clear(struct judge_proc *p)
{
	free(p->exe);
	p->exe = NULL;
	for (char **a = p->argv; a && *a; a++)
		free(*a);
	free(p->argv);
	p->argv = NULL;
}

static struct judge_proc *proc_get(struct judge *j, int pid, bool create)
{
	struct hashmap_entry *e = hashmap_get(&j->procs, hash_int(pid), &pid);
	struct proc_ent *pe;

	if (e || !create)
		return e ? &container_of(e, struct proc_ent, ent)->p : NULL;
	pe = xcalloc(1, sizeof(*pe));
	pe->p.pid = pid;
	hashmap_put(&j->procs, &pe->ent, hash_int(pid));
	return &pe->p;
}

static char **argv_dup(const char *const *argv, int argc)
{
	char **v = xcalloc((size_t)argc + 1, sizeof(*v));

	for (int i = 0; i < argc; i++)
		v[i] = xstrdup(argv[i] ? argv[i] : "");
	return v;
}

/* A child starts as a copy of its parent, up to its own exec. */
static void proc_fork(struct judge *j, const struct event *ev)
{
	const struct judge_proc *parent;
	struct judge_proc *child;
	int argc = 0;

	if (ev->fork_kind == FORK_THREAD)
		return;
	parent = proc_get(j, ev->pid, false);
	child = proc_get(j, ev->child_pid, true);
	proc_clear(child);
	if (!parent)
		return;
	child->exe = parent->exe ? xstrdup(parent->exe) : NULL;
	while (parent->argv && parent->argv[argc])
		argc++;
	if (parent->argv)
		child->argv = argv_dup((const char *const *)parent->argv, argc);
	child->creds_known = parent->creds_known;
	child->creds = parent->creds;
	child->privileged = parent->privileged;
}

static void proc_exec(struct judge *j, const struct event *ev)
{
	struct judge_proc *p = proc_get(j, ev->pid, true);

	proc_clear(p);
	if (ev->abspath)
		p->exe = xstrdup(ev->abspath);
	if (ev->has & HAS_ARGV)
		p->argv = argv_dup(ev->argv, ev->argc);
	if (ev->has & HAS_CREDS) {
		p->creds_known = true;
		p->creds = ev->creds;
		p->privileged =
			ev->creds.secure || ev->creds.uid != ev->creds.euid;
	}
}

void judge_observe(struct judge *j, const struct event *ev)
{
	durability_observe(j->dur, ev);
	switch (ev->type) {
	case EV_FORK:
		proc_fork(j, ev);
		break;
	case EV_SYSCALL:
		if (ev->sc && ev->sc->effect == E_EXEC && (ev->has & HAS_RET) &&
		    ev->ret == 0)
			proc_exec(j, ev);
		break;
	default:
		break;
	}
}

enum finding_status judge_match(struct judge *j, const struct rule *r,
				const struct evidence *const *ev, int nev,
				enum severity *sev, const char **reason)
{
	(void)sev;
	*reason = suppress_match(j->rs, r, ev, nev, j,
				 j->opt.default_suppressions);
	if (*reason)
		return FST_SUPPRESSED;
	return durability_match(j->dur, r, ev, nev, reason);
}

void judge_finish(struct judge *j, struct findings *fs)
{
	durability_finish(j->dur, fs);
}

const struct judge_proc *judge_proc(const struct judge *j, int pid)
{
	return proc_get((struct judge *)j, pid, false);
}

const char *judge_program(const struct judge *j, int pid, char *buf,
			  size_t size)
{
	const struct judge_proc *p = judge_proc(j, pid);
	size_t o = 0;

	if (!p || (!p->exe && !p->argv) || !size)
		return NULL;
	buf[0] = '\0';
	if (p->argv && p->argv[0]) {
		for (char **a = p->argv; *a && o + 1 < size; a++) {
			int n = snprintf(buf + o, size - o, "%s%s",
					 a == p->argv ? "" : " ", *a);

			if (n < 0)
				break;
			o += (size_t)n;
		}
	} else {
		snprintf(buf, size, "%s", p->exe);
	}
	return buf;
}

struct judge *judge_new(const struct rule_set *rs,
			const struct judge_options *opt)
{
	struct judge *j = xcalloc(1, sizeof(*j));

	j->rs = rs;
	j->opt = *opt;
	hashmap_init(&j->procs, proc_eq, 64);
	j->dur = durability_new();
	return j;
}

void judge_free(struct judge *j)
{
	struct hashmap_iter it;
	struct hashmap_entry *e;

	if (!j)
		return;
	hashmap_iter_init(&j->procs, &it);
	while ((e = hashmap_iter_next(&it))) {
		struct proc_ent *pe = container_of(e, struct proc_ent, ent);

		hashmap_remove_entry(&j->procs, e);
		proc_clear(&pe->p);
		free(pe);
	}
	hashmap_release(&j->procs);
	durability_free(j->dur);
	free(j);
}
