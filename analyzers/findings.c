// SPDX-License-Identifier: MIT
#include "findings.h"

#include <fnmatch.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>

#include "config.h"
#include "fields.h"
#include "jsonw.h"
#include "names.h"
#include "stacks.h"
#include "strbuf.h"
#include "util.h"

/* Where the strings of the fields that fields.c marks .evidence go. */
static const struct {
	const char *key;
	size_t offset; /* of a char * in struct evidence */
} evidence_strings[] = {
	{"path", offsetof(struct evidence, path)},
	{"abspath", offsetof(struct evidence, abspath)},
	{"path2", offsetof(struct evidence, path2)},
	{"abspath2", offsetof(struct evidence, abspath2)},
	{"fd_path", offsetof(struct evidence, fd_path)},
};

/*
 * The string fields marked .evidence, each with its slot in struct
 * evidence: matched by key once, before main(), since evidence_view()
 * runs for every match the engine completes.
 */
static struct {
	uint16_t from; /* offset of a const char * in struct event */
	uint16_t to;   /* offset of a char * in struct evidence */
} evidence_copies[ARRAY_SIZE(evidence_strings)];
static unsigned nevidence_copies;

__attribute__((constructor)) static void find_evidence_strings(void)
{
	for (unsigned i = 0; i < event_fields_count; i++) {
		const struct event_field *f = &event_fields[i];

		if (!f->evidence || f->kind != FK_STRING)
			continue;
		for (unsigned k = 0; k < ARRAY_SIZE(evidence_strings); k++)
			if (!strcmp(evidence_strings[k].key, f->key) &&
			    nevidence_copies < ARRAY_SIZE(evidence_copies)) {
				evidence_copies[nevidence_copies].from =
					(uint16_t)f->offset;
				evidence_copies[nevidence_copies++].to =
					(uint16_t)evidence_strings[k].offset;
			}
	}
}

void evidence_view(struct evidence *d, const struct event *ev, char *srcbuf,
		   size_t size)
{
	memset(d, 0, sizeof(*d));
	d->seq = ev->seq;
	d->pid = ev->pid;
	d->tid = ev->tid;
	d->syscall = ev->sc ? ev->sc->name : "?";
	d->ts_enter = ev->ts_enter;
	d->ts_exit = ev->ts_exit;
	for (unsigned i = 0; i < nevidence_copies; i++)
		*(const char **)((char *)d + evidence_copies[i].to) =
			*(const char *const *)((const char *)ev +
					       evidence_copies[i].from);
	if (ev->source_file) {
		snprintf(srcbuf, size, "%s:%lu", ev->source_file,
			 ev->source_line);
		d->source = srcbuf;
	}
	d->has_fd = ev->has & HAS_FD;
	d->fd = ev->fd;
	d->has_ret = ev->has & HAS_RET;
	d->ret = ev->ret;
	d->err = ev->err;
	d->injected = (ev->has & HAS_INJECTED) && ev->injected;
	d->widened_ns = ev->has & HAS_WIDENED ? ev->widened_ns : 0;
	d->stat = ev->stat;
	d->parent_valid = ev->parent.valid;
	d->parent_mode = ev->parent.mode;
	d->stack = ev->has & HAS_STACK ? ev->stack : NULL;
	d->stack_dropped = (ev->has & HAS_STACK_DROPPED) && ev->stack_dropped;
}

void evidence_release(struct evidence *e)
{
	for (unsigned i = 0; i < ARRAY_SIZE(evidence_strings); i++)
		free(*(char **)((char *)e + evidence_strings[i].offset));
	free(e->source);
	memset(e, 0, sizeof(*e));
}

void findings_init(struct findings *fs)
{
	memset(fs, 0, sizeof(*fs));
}

const char *finding_status_name(enum finding_status s)
{
	static const char *const names[FST_STATUS_] = {
		[FST_REPORTED] = "reported",
		[FST_SUPPRESSED] = "suppressed",
		[FST_OUT_OF_SCOPE] = "out-of-scope",
		[FST_PRIVATE] = "private",
		[FST_NO_INTENT] = "no-intent",
		[FST_PENDING] = "pending",
		[FST_BASELINED] = "baselined",
	};

	return (unsigned)s < FST_STATUS_ ? names[s] : "?";
}

void finding_release(struct finding *f)
{
	for (int i = 0; i < f->nev; i++)
		evidence_release(&f->ev[i]);
	for (int i = 0; i < RULE_MAX_STEPS; i++)
		free(f->program[i]);
	free(f->message);
	free(f->status_reason);
	for (int i = 0; i < f->nalso; i++)
		free(f->also[i]);
	free(f->found_in);
	free(f->fp_name);
	for (int i = 0; i < f->naround; i++) {
		evidence_release(&f->around[i].ev);
		free(f->around[i].program);
	}
	free(f->around);
	if (f->exploit) {
		free(f->exploit->swap);
		free(f->exploit->result);
		free(f->exploit->evidence);
		free(f->exploit->path);
		free(f->exploit->note);
		free(f->exploit);
	}
	memset(f, 0, sizeof(*f));
}

const char *evidence_path(const struct evidence *e)
{
	if (e->abspath2)
		return e->abspath2;
	return e->abspath ? e->abspath : e->fd_path ? e->fd_path : e->path;
}

const char *finding_path(const struct finding *f)
{
	return f->nev ? evidence_path(&f->ev[0]) : NULL;
}

/* 0: PATH is F's or one of its examples; 1: a new one with room; 2: a
 * new one, no room. */
static int example_kind(const struct finding *f, const char *path)
{
	const char *own = finding_path(f);

	if (!path || (own && !strcmp(own, path)))
		return 0;
	for (int i = 0; i < f->nalso; i++)
		if (!strcmp(f->also[i], path))
			return 0;
	return f->nalso < FINDING_ALSO ? 1 : 2;
}

/* PATH (owned) among F's examples, if it is another. */
static void add_example(struct finding *f, char *path)
{
	switch (example_kind(f, path)) {
	case 1:
		f->also[f->nalso++] = path;
		return;
	case 2:
		f->also_more = true;
		break;
	}
	free(path);
}

static void finding_free(struct finding *f)
{
	finding_release(f);
	free(f);
}

void findings_release(struct findings *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		finding_free(fs->v[i]);
	free(fs->v);
	free(fs->keys);
	free(fs->slots);
	memset(fs, 0, sizeof(*fs));
}

static size_t *slot(struct findings *fs, uint64_t fp)
{
	size_t i = (size_t)(fp ^ (fp >> 29)) & (fs->nslots - 1);

	while (fs->slots[i] && fs->keys[i] != fp)
		i = (i + 1) & (fs->nslots - 1);
	return &fs->slots[i];
}

static void grow(struct findings *fs)
{
	uint64_t *keys = fs->keys;
	size_t *slots = fs->slots, n = fs->nslots;

	fs->nslots = n ? n * 2 : 256;
	fs->keys = xcalloc(fs->nslots, sizeof(*fs->keys));
	fs->slots = xcalloc(fs->nslots, sizeof(*fs->slots));
	for (size_t i = 0; i < n; i++) {
		size_t *s;

		if (!slots[i])
			continue;
		s = slot(fs, keys[i]);
		*s = slots[i];
		fs->keys[s - fs->slots] = keys[i];
	}
	free(keys);
	free(slots);
}

/* The kind of a finding of status ST (findings.nkind). */
static int kind_of(enum finding_status st)
{
	if (st == FST_REPORTED || st == FST_BASELINED)
		return 0;
	return st == FST_PENDING ? 1 : 2;
}

void findings_add(struct findings *fs, struct finding *f)
{
	struct finding *copy;
	size_t *s;

	if (fs->n * 2 >= fs->nslots)
		grow(fs);
	s = slot(fs, f->fingerprint);
	if (*s) {
		struct finding *old = fs->v[*s - 1];

		old->count++;
		old->confirmed |= f->confirmed;
		if (finding_path(f))
			add_example(old, xstrdup(finding_path(f)));
		for (int i = 0; i < f->nalso; i++) {
			add_example(old, f->also[i]);
			f->also[i] = NULL;
		}
		f->nalso = 0;
		old->also_more |= f->also_more;
		finding_release(f);
		return;
	}
	if (findings_full(fs, f->status)) {
		fs->dropped++;
		finding_release(f);
		return;
	}
	fs->nkind[kind_of(f->status)]++;
	copy = xmalloc(sizeof(*copy));
	*copy = *f;
	memset(f, 0, sizeof(*f));
	if (fs->n == fs->cap) {
		fs->cap = fs->cap ? fs->cap * 2 : 64;
		fs->v = xrealloc(fs->v, fs->cap * sizeof(*fs->v));
	}
	fs->v[fs->n++] = copy;
	*s = fs->n;
	fs->keys[s - fs->slots] = copy->fingerprint;
}

static void found_in(struct finding *f, const char *trace)
{
	if (!trace)
		return;
	for (size_t i = 0; i < f->nfound_in; i++)
		if (f->found_in[i] == trace)
			return;
	f->found_in = xrealloc(f->found_in,
			       (f->nfound_in + 1) * sizeof(*f->found_in));
	f->found_in[f->nfound_in++] = trace;
}

/* F (emptied) into OLD, a finding of the same fingerprint. */
static void merge_into(struct finding *old, struct finding *f,
		       const char *trace)
{
	old->count += f->count;
	old->confirmed |= f->confirmed;
	if (finding_path(f))
		add_example(old, xstrdup(finding_path(f)));
	for (int i = 0; i < f->nalso; i++) {
		add_example(old, f->also[i]);
		f->also[i] = NULL;
	}
	f->nalso = 0;
	old->also_more |= f->also_more;
	found_in(old, trace);
	finding_release(f);
}

const char **finding_group_found_in(const struct finding_group *g, size_t *n)
{
	const char **v = NULL;

	*n = 0;
	for (size_t k = 0; k < g->n; k++)
		for (size_t t = 0; t < g->v[k]->nfound_in; t++) {
			const char *name = g->v[k]->found_in[t];
			size_t i = 0;

			while (i < *n && v[i] != name)
				i++;
			if (i < *n)
				continue;
			v = xrealloc(v, (*n + 1) * sizeof(*v));
			v[(*n)++] = name;
		}
	return v;
}

void findings_absorb(struct findings *into, struct findings *from,
		     const char *trace)
{
	for (size_t i = 0; i < from->n; i++) {
		struct finding *f = from->v[i];
		size_t *s;

		if (into->n * 2 >= into->nslots)
			grow(into);
		s = slot(into, f->fingerprint);
		if (*s) {
			merge_into(into->v[*s - 1], f, trace);
			finding_free(f);
			continue;
		}
		if (findings_full(into, f->status)) {
			into->dropped += f->count;
			finding_free(f);
			continue;
		}
		into->nkind[kind_of(f->status)]++;
		for (int e = 0; e < f->nev; e++)
			f->ev[e].trace = trace;
		for (int e = 0; e < f->naround; e++)
			f->around[e].ev.trace = trace;
		found_in(f, trace);
		if (into->n == into->cap) {
			into->cap = into->cap ? into->cap * 2 : 64;
			into->v =
				xrealloc(into->v, into->cap * sizeof(*into->v));
		}
		into->v[into->n++] = f;
		*s = into->n;
		into->keys[s - into->slots] = f->fingerprint;
	}
	into->dropped += from->dropped;
	free(from->v);
	free(from->keys);
	free(from->slots);
	memset(from, 0, sizeof(*from));
}

size_t findings_drop_if(struct findings *fs,
			bool (*drop)(const struct finding *f, void *ud),
			void *ud)
{
	size_t k = 0, n = fs->n;

	memset(fs->nkind, 0, sizeof(fs->nkind));
	for (size_t i = 0; i < n; i++) {
		if (drop(fs->v[i], ud)) {
			finding_free(fs->v[i]);
		} else {
			fs->nkind[kind_of(fs->v[i]->status)]++;
			fs->v[k++] = fs->v[i];
		}
	}
	fs->n = k;
	if (!fs->nslots)
		return n - k;
	/* the fingerprints' table again, of those left */
	memset(fs->slots, 0, fs->nslots * sizeof(*fs->slots));
	for (size_t i = 0; i < k; i++) {
		size_t *s = slot(fs, fs->v[i]->fingerprint);

		*s = i + 1;
		fs->keys[s - fs->slots] = fs->v[i]->fingerprint;
	}
	return n - k;
}

bool findings_full(const struct findings *fs, enum finding_status st)
{
	return fs->nkind[kind_of(st)] >= FINDINGS_MAX;
}

bool findings_known(struct findings *fs, uint64_t fp)
{
	return fs->nslots && *slot(fs, fp);
}

void findings_repeat(struct findings *fs, uint64_t fp, bool confirmed,
		     char *path)
{
	size_t *s = fs->nslots ? slot(fs, fp) : NULL;

	if (!s || !*s) {
		fs->dropped++;
		free(path);
		return;
	}
	fs->v[*s - 1]->count++;
	fs->v[*s - 1]->confirmed |= confirmed;
	add_example(fs->v[*s - 1], path);
}

int findings_wants_example(struct findings *fs, uint64_t fp, const char *path)
{
	size_t *s = fs->nslots ? slot(fs, fp) : NULL;
	const struct finding *f = s && *s ? fs->v[*s - 1] : NULL;

	return f ? example_kind(f, path) : 0;
}

void findings_more_examples(struct findings *fs, uint64_t fp)
{
	size_t *s = fs->nslots ? slot(fs, fp) : NULL;

	if (s && *s)
		fs->v[*s - 1]->also_more = true;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

size_t findings_apply_baseline(struct findings *fs, const uint64_t *fps,
			       size_t n)
{
	size_t k = 0;

	for (size_t i = 0; n && i < fs->n; i++) {
		struct finding *f = fs->v[i];

		if (f->status == FST_REPORTED &&
		    bsearch(&f->fingerprint, fps, n, sizeof(*fps), cmp_u64)) {
			f->status = FST_BASELINED;
			k++;
		}
	}
	return k;
}

void findings_count(const struct findings *fs, uint64_t counts[3])
{
	counts[0] = counts[1] = counts[2] = 0;
	for (size_t i = 0; i < fs->n; i++)
		if (fs->v[i]->status == FST_REPORTED)
			counts[fs->v[i]->severity]++;
}

/* --- stacks ------------------------------------------------------------ */

/*
 * The frames of a stack, numbered K from the innermost: its Python
 * frames first (0 to npy - 1), then its native ones.
 */
static uint32_t frames_of(const struct stack_trace *s)
{
	return s->npy + s->n;
}

static bool system_path(const struct report_meta *m, const char *path)
{
	const struct policy *pol = m && m->rules ? &m->rules->policy : NULL;

	for (int k = 0; pol && k < pol->n[POLICY_SYSTEM_CODE]; k++)
		if (!fnmatch(pol->globs[POLICY_SYSTEM_CODE][k], path, 0))
			return true;
	return false;
}

/*
 * Whether frame K of S is not the program's own code: a Python frame in
 * a file of the policy's system_code (the standard library, installed
 * packages); a native frame of a stack with Python frames (the
 * interpreter's); a native frame in a module of system_code, or in none
 * (JIT code, the vDSO).
 */
static bool system_frame(const struct report_meta *m,
			 const struct stack_trace *s, uint32_t k)
{
	const struct stack_module *mod;

	if (k < s->npy)
		return system_path(m, s->py[k].file);
	mod = s->pc[k - s->npy].mod;
	return s->npy || !mod || system_path(m, mod->path);
}

/* The innermost frame of S in the program's own code, or -1. */
int stack_own_frame(const struct report_meta *m, const struct stack_trace *s)
{
	for (uint32_t k = 0; k < frames_of(s); k++)
		if (!system_frame(m, s, k))
			return (int)k;
	return -1;
}

void stack_frame_name(const struct report_meta *m, const struct stack_trace *s,
		      uint32_t k, struct frame_name *out)
{
	uint32_t i = k - s->npy;

	memset(out, 0, sizeof(*out));
	if (k < s->npy) {
		out->python = true;
		out->function = s->py[k].function;
		out->file = s->py[k].file;
		out->line = s->py[k].line;
		return;
	}
	/* past the innermost native frame, a return address */
	frame_name_of(m ? m->namer : NULL, &s->pc[i], i > 0, out);
}

void frame_name_part(const struct frame_name *fn, int c, struct frame_name *out)
{
	const struct frame_caller *cl;

	*out = *fn;
	out->ncallers = 0;
	if (c <= 0 || c > fn->ncallers) {
		out->inlined = fn->ncallers > 0;
		return;
	}
	cl = &fn->callers[c - 1];
	out->function = cl->function;
	out->file = cl->file;
	out->line = cl->line;
	out->problem = NULL;
	out->inlined = c < fn->ncallers;
}

void stack_frame_where(const struct report_meta *m, const struct stack_trace *s,
		       uint32_t k, struct frame_name *out)
{
	struct frame_name fn;
	int c;

	stack_frame_name(m, s, k, &fn);
	/* the first part that is not system code, or the outermost */
	for (c = 0; c < fn.ncallers; c++) {
		const char *file = c ? fn.callers[c - 1].file : fn.file;

		if (!file || !system_path(m, file))
			break;
	}
	frame_name_part(&fn, c, out);
}

void frame_name_of(const struct frame_namer *n, const struct stack_pc *pc,
		   bool call_site, struct frame_name *out)
{
	const struct stack_named *nm = pc->named;

	memset(out, 0, sizeof(*out));
	/* a build without libdw gives a namer that names nothing */
	if (n && n->name && pc->mod)
		n->name(n->ud, pc, call_site, out);
	if (out->function || !nm || (!nm->function && !nm->file))
		return;
	out->function = nm->function;
	out->offset = nm->offset;
	out->file = nm->file;
	out->line = nm->line;
	out->problem = !pc->mod ? "as the log named it"
		       : out->problem
			       ? (!strcmp(out->problem, "no such file")
					  ? "as the log named it: no such file"
					  : "as the log named it: not the file "
					    "the log was made with")
			       : "as the log named it";
}

struct keyed {
	struct finding *f;
	size_t index;
	char *key;
};

/* The last component of the first word of "argv0 argv1 …". */
static void program_name(struct strbuf *b, const char *prog)
{
	const char *end, *start;

	if (!prog)
		return;
	end = strchr(prog, ' ');
	if (!end)
		end = prog + strlen(prog);
	start = end;
	while (start > prog && start[-1] != '/')
		start--;
	strbuf_add(b, start, (size_t)(end - start));
}

/* The length of gcc's name of a clone of a function without the
 * clone's suffix: "use_config" of "use_config.isra.0". */
static size_t unclone(const char *fn)
{
	static const char *const suffix[] = {".isra.", ".constprop.", ".part.",
					     ".cold", ".lto_priv."};
	size_t n = strlen(fn);

	for (size_t k = 0; k < ARRAY_SIZE(suffix); k++) {
		const char *p = strstr(fn, suffix[k]);

		if (p && (size_t)(p - fn) < n)
			n = (size_t)(p - fn);
	}
	return n;
}

/*
 * The call site of stack S, by the names of its innermost frame of own
 * code: FUNCTION@FILE (its source file, else its module), so that it
 * holds across runs, rebuilds and edits elsewhere in the file; a frame
 * without a name by its module and address. Nothing without own code.
 */
static void call_site(struct strbuf *b, const struct report_meta *m,
		      const struct stack_trace *s)
{
	int at = stack_own_frame(m, s);
	const struct stack_pc *pc;
	struct frame_name fn;

	if (at < 0)
		return;
	stack_frame_where(m, s, (uint32_t)at, &fn);
	pc = (uint32_t)at < s->npy ? NULL : &s->pc[at - s->npy];
	if (fn.function)
		strbuf_addf(b, "\x1e%.*s@%s", (int)unclone(fn.function),
			    fn.function,
			    fn.file ? fn.file
			    : pc    ? pc->mod->path
				    : "");
	else
		strbuf_addf(b, "\x1e%s+%" PRIx64, pc->mod->path, pc->addr);
}

/*
 * What makes two findings one problem, as one string: the severity
 * (errors sort first), the rule, each evidence's syscall and program,
 * its call site when it has a stack (call_site()), and for a finding not
 * reported the reason.
 */
static char *group_key(const struct finding *f, const struct report_meta *m)
{
	struct strbuf b = STRBUF_INIT;

	strbuf_addch(&b, (char)('0' + SEV_ERROR - f->severity));
	strbuf_addch(&b, '\x1f');
	strbuf_addstr(&b, f->rule->id);
	for (int i = 0; i < f->nev; i++) {
		strbuf_addch(&b, '\x1f');
		strbuf_addstr(&b, f->ev[i].syscall);
		strbuf_addch(&b, '\x1e');
		program_name(&b, f->program[i]);
		if (f->ev[i].stack)
			call_site(&b, m, f->ev[i].stack);
	}
	if (f->status != FST_REPORTED && f->status_reason) {
		strbuf_addch(&b, '\x1f');
		strbuf_addstr(&b, f->status_reason);
	}
	return strbuf_detach(&b, NULL);
}

static int cmp_keyed(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;
	int c = strcmp(a->key, b->key);

	if (c)
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

static int cmp_group(const void *pa, const void *pb)
{
	const struct finding_group *a = pa, *b = pb;
	const struct finding *fa = a->v[0], *fb = b->v[0];
	int c;

	if (fa->severity != fb->severity)
		return fa->severity > fb->severity ? -1 : 1;
	c = strcmp(fa->rule->id, fb->rule->id);
	if (c)
		return c;
	return a->first < b->first ? -1 : a->first > b->first;
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

void findings_group(const struct findings *fs, enum finding_status status,
		    const struct report_meta *m, struct finding_groups *ret)
{
	struct keyed *k = xcalloc(fs->n ? fs->n : 1, sizeof(*k));
	size_t n = 0;

	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; i < fs->n; i++) {
		if (fs->v[i]->status != status)
			continue;
		k[n].f = fs->v[i];
		k[n].index = i;
		k[n].key = group_key(fs->v[i], m);
		n++;
	}
	if (n)
		qsort(k, n, sizeof(*k), cmp_keyed);
	ret->v = xcalloc(n ? n : 1, sizeof(*ret->v));
	for (size_t i = 0; i < n; i++) {
		struct finding_group *g;

		if (i == 0 || strcmp(k[i].key, k[i - 1].key)) {
			g = &ret->v[ret->n++];
			g->v = xcalloc(1, sizeof(*g->v));
			g->fingerprint = fnv1a(k[i].key);
			g->first = k[i].index;
		} else {
			g = &ret->v[ret->n - 1];
			g->v = xrealloc(g->v, (g->n + 1) * sizeof(*g->v));
		}
		g->v[g->n++] = k[i].f;
		g->count += k[i].f->count;
		/* of the evidence shown: the first member's */
		g->confirmed = g->v[0]->confirmed;
	}
	for (size_t i = 0; i < n; i++)
		free(k[i].key);
	free(k);
	if (ret->n)
		qsort(ret->v, ret->n, sizeof(*ret->v), cmp_group);
}

void finding_groups_release(struct finding_groups *gs)
{
	for (size_t i = 0; i < gs->n; i++)
		free(gs->v[i].v);
	free(gs->v);
	memset(gs, 0, sizeof(*gs));
}

/*
 * The path a finding is about, as its example: its first event's, the
 * new name when that event is a rename or a link.
 */
/* ---- JSON ---- */

static void kv_str(struct jsonw *o, const char *k, const char *v)
{
	if (!v)
		return;
	jsonw_key(o, k);
	jsonw_string(o, v);
}

static void kv_bool(struct jsonw *o, const char *k, bool v)
{
	jsonw_key(o, k);
	jsonw_bool(o, v);
}

static void kv_int(struct jsonw *o, const char *k, int64_t v)
{
	jsonw_key(o, k);
	jsonw_int(o, v);
}

static void strings(struct jsonw *o, const char *k, char *const *v, int n)
{
	jsonw_key(o, k);
	jsonw_begin_array(o);
	for (int i = 0; i < n; i++)
		jsonw_string(o, v[i]);
	jsonw_end_array(o);
}

/* One frame object: FN, a part of a frame of S at PC (NULL: Python). */
static void frame_part_json(struct jsonw *o, const struct frame_name *fn,
			    const struct stack_pc *pc)
{
	char addr[24];

	jsonw_begin_object(o);
	kv_str(o, "function", fn->function);
	if (fn->function && pc && !fn->inlined)
		kv_int(o, "offset", (int64_t)fn->offset);
	kv_str(o, "file", fn->file);
	if (fn->file && fn->line >= 0)
		kv_int(o, "line", fn->line);
	if (pc) {
		snprintf(addr, sizeof(addr), "0x%" PRIx64, pc->addr);
		kv_str(o, "module", pc->mod ? pc->mod->path : NULL);
		kv_str(o, "address", addr);
	} else {
		kv_str(o, "kind", "python");
	}
	if (fn->inlined)
		kv_bool(o, "inlined", true);
	kv_str(o, "problem", fn->problem);
	jsonw_end_object(o);
}

/* Frame K of S: one object for each function of it, the inlined ones
 * first (as `eu-addr2line -i` lists them). */
static void frame_json(struct jsonw *o, const struct report_meta *m,
		       const struct stack_trace *s, uint32_t k)
{
	const struct stack_pc *pc = k < s->npy ? NULL : &s->pc[k - s->npy];
	struct frame_name fn, part;

	stack_frame_name(m, s, k, &fn);
	for (int c = 0; c <= fn.ncallers; c++) {
		frame_name_part(&fn, c, &part);
		frame_part_json(o, &part, pc);
	}
}

/* "location": the innermost frame of the program's own code, if any. */
static void location_json(struct jsonw *o, const struct report_meta *m,
			  const struct stack_trace *s)
{
	int at = s ? stack_own_frame(m, s) : -1;
	struct frame_name fn;

	if (at < 0)
		return;
	jsonw_key(o, "location");
	stack_frame_where(m, s, (uint32_t)at, &fn);
	frame_part_json(o, &fn,
			(uint32_t)at < s->npy ? NULL : &s->pc[at - s->npy]);
}

bool report_location(FILE *out, const struct report_meta *m,
		     const struct finding *f)
{
	const struct stack_trace *s = finding_stack(f, m);
	int at = s ? stack_own_frame(m, s) : -1;
	struct frame_name fn;

	if (at < 0)
		return false;
	stack_frame_where(m, s, (uint32_t)at, &fn);
	fputs(fn.function ? fn.function : "??", out);
	if (fn.file && fn.line >= 0)
		fprintf(out, " (%s:%d)", fn.file, fn.line);
	else if (fn.file)
		fprintf(out, " (%s)", fn.file);
	return true;
}

/* One line of stack_text(): FN, a part of the frame at PC (NULL: a
 * Python frame's). */
static void frame_text(FILE *out, const struct frame_name *fn,
		       const struct stack_pc *pc, const char *dim,
		       const char *reset)
{
	fprintf(out, "             %sat ", dim);
	if (fn->function && (!pc || fn->inlined))
		fputs(fn->function, out);
	else if (fn->function)
		fprintf(out, "%s+0x%" PRIx64, fn->function, fn->offset);
	else if (pc->mod)
		fprintf(out, "%s+0x%" PRIx64, pc->mod->path, pc->addr);
	else
		fprintf(out, "0x%" PRIx64, pc->addr);
	if (fn->file && fn->line >= 0)
		fprintf(out, " (%s:%d)", fn->file, fn->line);
	else if (fn->file)
		fprintf(out, " (%s)", fn->file);
	else if (fn->function && pc && pc->mod)
		fprintf(out, " (%s)", pc->mod->path);
	if (fn->inlined)
		fputs(" (inlined)", out);
	if (fn->problem)
		fprintf(out, " (%s)", fn->problem);
	fprintf(out, "%s\n", reset);
}

/*
 * The frames stack_text() prints, a line each but for a run of frames of
 * one module that nothing names (a stripped binary's): "at MODULE+0xA,
 * +0xB, +0xC", one line, each still a frame of the depth. MOD: the
 * module of the run whose line is still open, or NULL.
 */
struct frame_lines {
	FILE *out;
	const char *dim, *reset;
	const struct stack_module *mod;
};

static void frame_lines_end(struct frame_lines *l)
{
	if (l->mod)
		fprintf(l->out, "%s\n", l->reset);
	l->mod = NULL;
}

static void frame_put(struct frame_lines *l, const struct frame_name *fn,
		      const struct stack_pc *pc)
{
	bool bare = pc && pc->mod && !fn->function && !fn->file &&
		    !fn->inlined && !fn->problem;

	if (bare && l->mod == pc->mod) {
		fprintf(l->out, ", +0x%" PRIx64, pc->addr);
		return;
	}
	frame_lines_end(l);
	if (!bare) {
		frame_text(l->out, fn, pc, l->dim, l->reset);
		return;
	}
	fprintf(l->out, "             %sat %s+0x%" PRIx64, l->dim,
		pc->mod->path, pc->addr);
	l->mod = pc->mod;
}

/*
 * "    at FUNCTION+0xOFF (FILE:LINE)", "    at FUNCTION (FILE:LINE)" for
 * a Python frame or a function inlined into the next line's ("(inlined)"): up
 * to the depth asked for, the frames of own code from the innermost; all frames
 * if none is (a Python stack's: its Python frames only, and with
 * --native-stacks its native frames after them, from the innermost, to the
 * same depth).
 */
static void stack_text(FILE *out, const struct report_meta *m,
		       const struct stack_trace *s, const char *dim,
		       const char *reset)
{
	int depth = m && m->stack_depth ? m->stack_depth : STACK_DEPTH_DEFAULT;
	int at = stack_own_frame(m, s);
	uint32_t end = s->npy ? s->npy : s->n;
	struct frame_lines l = {out, dim, reset, NULL};

	for (uint32_t k = at < 0 ? 0 : (uint32_t)at; k < end && depth > 0;
	     k++) {
		const struct stack_pc *pc =
			k < s->npy ? NULL : &s->pc[k - s->npy];
		struct frame_name fn;

		if (at >= 0 && system_frame(m, s, k))
			continue; /* the C library's start, a callback's
				   * dispatcher, the standard library */
		stack_frame_name(m, s, k, &fn);
		for (int c = 0; c <= fn.ncallers && depth > 0; c++) {
			struct frame_name part;

			frame_name_part(&fn, c, &part);
			/* a system header's inline function (the C
			 * library's open() wrapper) in the program's own */
			if (at >= 0 && part.inlined && part.file &&
			    system_path(m, part.file))
				continue;
			depth--;
			frame_put(&l, &part, pc);
		}
	}
	if (!s->npy || !m || !m->native_stacks) {
		frame_lines_end(&l);
		return;
	}
	depth = m->stack_depth ? m->stack_depth : STACK_DEPTH_DEFAULT;
	for (uint32_t k = s->npy; k < s->npy + s->n && depth > 0; k++) {
		struct frame_name fn;

		stack_frame_name(m, s, k, &fn);
		for (int c = 0; c <= fn.ncallers && depth > 0; c++) {
			struct frame_name part;

			frame_name_part(&fn, c, &part);
			depth--;
			frame_put(&l, &part, &s->pc[k - s->npy]);
		}
	}
	frame_lines_end(&l);
}

static void evidence_json(struct jsonw *o, const struct evidence *e,
			  const char *program, const struct report_meta *m)
{
	jsonw_begin_object(o);
	kv_str(o, "trace", e->trace);
	kv_str(o, "step", e->step);
	jsonw_key(o, "seq");
	jsonw_uint(o, e->seq);
	kv_int(o, "pid", e->pid);
	kv_int(o, "tid", e->tid);
	kv_str(o, "program", program);
	kv_str(o, "syscall", e->syscall);
	kv_str(o, "path", e->path);
	kv_str(o, "abspath", e->abspath);
	kv_str(o, "path2", e->path2);
	kv_str(o, "abspath2", e->abspath2);
	if (e->has_fd) {
		kv_int(o, "fd", e->fd);
		kv_str(o, "fd_path", e->fd_path);
	}
	jsonw_key(o, "ts_enter");
	jsonw_uint(o, e->ts_enter);
	jsonw_key(o, "ts_exit");
	jsonw_uint(o, e->ts_exit);
	if (e->has_ret) {
		kv_int(o, "ret", e->ret);
		if (e->ret < 0) {
			const char *n = errno_name(e->err);

			if (n)
				kv_str(o, "errno", n);
			else
				kv_int(o, "errno", e->err);
		}
	}
	kv_str(o, "source", e->source);
	if (e->injected) {
		jsonw_key(o, "injected");
		jsonw_bool(o, true);
	}
	if (e->widened_ns) {
		jsonw_key(o, "widened_ns");
		jsonw_int(o, e->widened_ns);
	}
	if (e->stat.valid) {
		jsonw_key(o, "stat");
		jsonw_begin_object(o);
		jsonw_key(o, "dev");
		jsonw_uint(o, e->stat.dev);
		jsonw_key(o, "ino");
		jsonw_uint(o, e->stat.ino);
		kv_int(o, "mode", e->stat.mode);
		jsonw_key(o, "nlink");
		jsonw_uint(o, e->stat.nlink);
		kv_int(o, "uid", e->stat.uid);
		jsonw_end_object(o);
	}
	if (e->stack) {
		location_json(o, m, e->stack);
		jsonw_key(o, "stack");
		jsonw_begin_array(o);
		for (uint32_t k = 0; k < frames_of(e->stack); k++)
			frame_json(o, m, e->stack, k);
		jsonw_end_array(o);
	}
	if (e->stack_dropped) {
		jsonw_key(o, "stack_dropped");
		jsonw_bool(o, true);
	}
	jsonw_end_object(o);
}

/* The finding's location: that of its last evidence event with one (the
 * use, the replace: where the race bites). */
const struct stack_trace *finding_stack(const struct finding *f,
					const struct report_meta *m)
{
	for (int i = f->nev - 1; i >= 0; i--)
		if (f->ev[i].stack && stack_own_frame(m, f->ev[i].stack) >= 0)
			return f->ev[i].stack;
	return NULL;
}

static void fingerprint_json(struct jsonw *o, const char *k, uint64_t v)
{
	char fp[20];

	snprintf(fp, sizeof(fp), "%016llx", (unsigned long long)v);
	kv_str(o, k, fp);
}

static void exploit_json(struct jsonw *o, const struct finding_exploit *x)
{
	jsonw_begin_object(o);
	kv_str(o, "swap", x->swap);
	kv_str(o, "path", x->path);
	kv_str(o, "result", x->result);
	kv_str(o, "evidence", x->evidence);
	kv_bool(o, "restored", x->restored);
	kv_str(o, "note", x->note);
	jsonw_end_object(o);
}

static void finding_json(struct jsonw *o, const struct finding *f,
			 const struct report_meta *m)
{
	const struct rule *r = f->rule;

	jsonw_begin_object(o);
	kv_str(o, "rule", r->id);
	kv_str(o, "title", r->title);
	kv_str(o, "severity", severity_name(f->severity));
	kv_str(o, "message", f->message);
	jsonw_key(o, "confirmed");
	jsonw_bool(o, f->confirmed);
	jsonw_key(o, "window_us");
	if (f->window_unknown)
		jsonw_null(o);
	else
		jsonw_uint(o, f->window_us);
	jsonw_key(o, "count");
	jsonw_uint(o, f->count);
	if (f->nfound_in) {
		jsonw_key(o, "found_in");
		jsonw_begin_array(o);
		for (size_t i = 0; i < f->nfound_in; i++)
			jsonw_string(o, f->found_in[i]);
		jsonw_end_array(o);
	}
	if (f->nalso) {
		/* the paths of repeats that are not the evidence's */
		jsonw_key(o, "examples");
		jsonw_begin_array(o);
		for (int i = 0; i < f->nalso; i++)
			jsonw_string(o, f->also[i]);
		jsonw_end_array(o);
	}
	fingerprint_json(o, "fingerprint", f->fingerprint);
	kv_str(o, "fix", r->fix);
	strings(o, "references", r->references, r->nreferences);
	if (f->status != FST_REPORTED)
		kv_str(o, "reason", f->status_reason);
	location_json(o, m, finding_stack(f, m));
	jsonw_key(o, "evidence");
	jsonw_begin_array(o);
	for (int i = 0; i < f->nev; i++)
		evidence_json(o, &f->ev[i], f->program[i], m);
	jsonw_end_array(o);
	if (f->naround) {
		jsonw_key(o, "around");
		jsonw_begin_array(o);
		for (int i = 0; i < f->naround; i++)
			evidence_json(o, &f->around[i].ev, f->around[i].program,
				      m);
		jsonw_end_array(o);
	}
	if (f->around_more) {
		jsonw_key(o, "around_more");
		jsonw_uint(o, f->around_more);
	}
	if (f->around_lost)
		kv_bool(o, "around_lost", true);
	if (f->exploit) {
		jsonw_key(o, "exploit");
		exploit_json(o, f->exploit);
	}
	jsonw_end_object(o);
}

/*
 * The findings of FS with STATUS, in the order found, as "KEY"; and when
 * GS is not NULL, its groups as "groups", each naming its findings by
 * their index in that array.
 */
static void findings_json(struct jsonw *o, const struct findings *fs,
			  enum finding_status status, const char *key,
			  const struct finding_groups *gs,
			  const struct report_meta *m)
{
	size_t *index = xcalloc(fs->n ? fs->n : 1, sizeof(*index)), n = 0;

	jsonw_key(o, key);
	jsonw_begin_array(o);
	for (size_t i = 0; i < fs->n; i++) {
		if (fs->v[i]->status != status)
			continue;
		index[i] = n++;
		finding_json(o, fs->v[i], m);
	}
	jsonw_end_array(o);
	if (gs) {
		jsonw_key(o, "groups");
		jsonw_begin_array(o);
		for (size_t i = 0; i < gs->n; i++) {
			const struct finding_group *g = &gs->v[i];
			const struct finding *f = g->v[0];
			size_t at = g->first;

			jsonw_begin_object(o);
			kv_str(o, "rule", f->rule->id);
			kv_str(o, "severity", severity_name(f->severity));
			kv_str(o, "message", f->message);
			jsonw_key(o, "confirmed");
			jsonw_bool(o, g->confirmed);
			jsonw_key(o, "count");
			jsonw_uint(o, g->count);
			fingerprint_json(o, "fingerprint", g->fingerprint);
			jsonw_key(o, "findings");
			jsonw_begin_array(o);
			for (size_t k = 0; k < g->n; k++) {
				/* the members, found in FS by pointer */
				while (fs->v[at] != g->v[k])
					at++;
				jsonw_uint(o, index[at]);
			}
			jsonw_end_array(o);
			jsonw_end_object(o);
		}
		jsonw_end_array(o);
	}
	free(index);
}

/* The statuses counted at the end of a report, with their JSON keys. */
static const struct {
	enum finding_status status;
	const char *key;  /* JSON */
	const char *text; /* "3 suppressed" */
	const char *hint; /* the option that shows them */
} not_reported[] = {
	{FST_SUPPRESSED, "suppressed", "suppressed",
	 " (--show-suppressed lists them)"},
	{FST_OUT_OF_SCOPE, "out_of_scope", "out of scope",
	 " (--scope all reports them)"},
	{FST_PRIVATE, "private", "private to the traced tree", ""},
	{FST_NO_INTENT, "no_intent", "without durability intent", ""},
	/* last: its JSON key only with a baseline */
	{FST_BASELINED, "baselined", "in the baseline", ""},
};

/* The number of groups of each status of not_reported[]. */
static void count_not_reported(const struct findings *fs,
			       const struct report_meta *m,
			       size_t n[ARRAY_SIZE(not_reported)])
{
	for (size_t k = 0; k < ARRAY_SIZE(not_reported); k++) {
		struct finding_groups gs;

		findings_group(fs, not_reported[k].status, m, &gs);
		n[k] = gs.n;
		finding_groups_release(&gs);
	}
}

static void group_counts(const struct finding_groups *gs, uint64_t counts[3])
{
	counts[0] = counts[1] = counts[2] = 0;
	for (size_t i = 0; i < gs->n; i++)
		counts[gs->v[i].v[0]->severity]++;
}

static void unused_json(struct jsonw *o, const struct report_meta *m);

int report_not_reported(const struct findings *fs, const struct report_meta *m,
			const char *text[], size_t n[])
{
	size_t nr[ARRAY_SIZE(not_reported)];
	int k = 0;

	_Static_assert(ARRAY_SIZE(not_reported) == REPORT_NOT_REPORTED,
		       "REPORT_NOT_REPORTED kinds");
	count_not_reported(fs, m, nr);
	for (size_t i = 0; i < ARRAY_SIZE(not_reported); i++) {
		if (not_reported[i].status == FST_BASELINED && !m->baseline)
			continue;
		text[k] = not_reported[i].text;
		n[k++] = nr[i];
	}
	return k;
}

void report_json(FILE *out, const struct findings *fs,
		 const struct report_meta *m)
{
	struct finding_groups gs;
	size_t nr[ARRAY_SIZE(not_reported)];
	struct jsonw o;
	uint64_t counts[3];

	findings_group(fs, FST_REPORTED, m, &gs);
	count_not_reported(fs, m, nr);
	jsonw_init(&o);
	jsonw_begin_object(&o);
	jsonw_key(&o, "tool");
	jsonw_begin_object(&o);
	kv_str(&o, "name", "fsrace");
	kv_str(&o, "version", FSRACE_VERSION);
	jsonw_end_object(&o);
	jsonw_key(&o, "input");
	jsonw_begin_object(&o);
	if (m->is_run) {
		kv_str(&o, "kind", "run");
		jsonw_key(&o, "argv");
		jsonw_begin_array(&o);
		for (int i = 0; m->argv && m->argv[i]; i++)
			jsonw_string(&o, m->argv[i]);
		jsonw_end_array(&o);
		kv_int(&o, "status", m->status);
	} else {
		kv_str(&o, "kind", "trace");
		jsonw_key(&o, "files");
		jsonw_begin_array(&o);
		for (int i = 0; i < m->nfiles; i++)
			jsonw_string(&o, m->files[i]);
		jsonw_end_array(&o);
	}
	jsonw_end_object(&o);
	jsonw_key(&o, "rules");
	jsonw_begin_array(&o);
	for (int i = 0; i < m->rules->nrules; i++) {
		const struct rule *r = m->rules->rules[i];

		if (!r->enabled ||
		    (i > 0 && !strcmp(r->id, m->rules->rules[i - 1]->id)))
			continue;
		jsonw_begin_object(&o);
		kv_str(&o, "id", r->id);
		kv_str(&o, "severity", severity_name(r->severity));
		kv_str(&o, "source", r->source);
		jsonw_end_object(&o);
	}
	jsonw_end_array(&o);
	jsonw_key(&o, "events");
	jsonw_uint(&o, m->events);
	findings_json(&o, fs, FST_REPORTED, "findings", &gs, m);
	findings_count(fs, counts);
	jsonw_key(&o, "counts");
	jsonw_begin_object(&o);
	jsonw_key(&o, "error");
	jsonw_uint(&o, counts[SEV_ERROR]);
	jsonw_key(&o, "warning");
	jsonw_uint(&o, counts[SEV_WARNING]);
	jsonw_key(&o, "note");
	jsonw_uint(&o, counts[SEV_NOTE]);
	jsonw_end_object(&o);
	jsonw_key(&o, "not_reported");
	jsonw_begin_object(&o);
	for (size_t k = 0; k < ARRAY_SIZE(not_reported); k++) {
		if (not_reported[k].status == FST_BASELINED && !m->baseline)
			continue;
		jsonw_key(&o, not_reported[k].key);
		jsonw_uint(&o, nr[k]);
	}
	jsonw_end_object(&o);
	if (m->show_suppressed)
		findings_json(&o, fs, FST_SUPPRESSED, "suppressed", NULL, m);
	unused_json(&o, m);
	if (m->nconfirms) {
		jsonw_key(&o, "confirmed_without_finding");
		jsonw_begin_array(&o);
		for (int i = 0; i < m->nconfirms; i++)
			exploit_json(&o, m->confirms[i]);
		jsonw_end_array(&o);
	}
	if (m->nlimits) {
		/* what the strace logs cannot show (input_limits) */
		jsonw_key(&o, "log_limits");
		jsonw_begin_array(&o);
		for (int i = 0; i < m->nlimits; i++) {
			jsonw_begin_object(&o);
			kv_str(&o, "code", m->limits[i].code);
			kv_str(&o, "text", m->limits[i].text);
			kv_str(&o, "file", m->limits[i].file);
			jsonw_end_object(&o);
		}
		jsonw_end_array(&o);
		jsonw_key(&o, "not_evaluated");
		jsonw_begin_array(&o);
		for (int i = 0; i < m->nnot_evaluated; i++) {
			jsonw_begin_object(&o);
			kv_str(&o, "rule", m->not_evaluated[i].rule);
			kv_str(&o, "reason", m->not_evaluated[i].reason);
			kv_str(&o, "file", m->not_evaluated[i].file);
			jsonw_end_object(&o);
		}
		jsonw_end_array(&o);
	}
	jsonw_key(&o, "dropped");
	jsonw_begin_object(&o);
	jsonw_key(&o, "pending");
	jsonw_uint(&o, m->dropped_pending);
	jsonw_key(&o, "findings");
	jsonw_uint(&o, fs->dropped);
	jsonw_key(&o, "unknown_records");
	jsonw_uint(&o, m->unknown_records);
	jsonw_key(&o, "unparsed_lines");
	jsonw_uint(&o, m->unparsed_lines);
	jsonw_key(&o, "names");
	jsonw_uint(&o, m->drops.names);
	jsonw_key(&o, "written_files");
	jsonw_uint(&o, m->drops.written);
	jsonw_key(&o, "temp_names");
	jsonw_uint(&o, m->drops.temps);
	jsonw_key(&o, "stacks");
	jsonw_uint(&o, m->drops.stacks);
	jsonw_key(&o, "stack_modules");
	jsonw_uint(&o, m->drops.stack_modules);
	jsonw_key(&o, "frame_names");
	jsonw_uint(&o, m->drops.frame_names);
	jsonw_end_object(&o);
	jsonw_end_object(&o);
	jsonw_raw(&o, "\n", 1);
	fwrite(o.buf, 1, o.len, out);
	jsonw_release(&o);
	finding_groups_release(&gs);
}

/* ---- text ---- */

#define EXAMPLES 3 /* other paths a group shows besides its first */

static const char *sev_color(enum severity s)
{
	static const char *const c[] = {"\033[36m", "\033[33m", "\033[1;31m"};

	return c[s];
}

/* "    program  pid N: exe argv…", once per pid of F's evidence. */
static void programs_text(FILE *out, const struct finding *f)
{
	for (int i = 0; i < f->nev; i++) {
		bool seen = false;

		if (!f->program[i] || !strcmp(f->ev[i].syscall, "exit"))
			continue;
		for (int k = 0; k < i && !seen; k++)
			seen = f->ev[k].pid == f->ev[i].pid && f->program[k];
		if (!seen)
			fprintf(out, "    program  pid %d: %s\n", f->ev[i].pid,
				f->program[i]);
	}
}

/* Whether P is FIRST or among SHOWN (N of them). */
static bool shown_already(const char *first, const char *const *shown, size_t n,
			  const char *p)
{
	if (first && !strcmp(p, first))
		return true;
	for (size_t k = 0; k < n; k++)
		if (!strcmp(shown[k], p))
			return true;
	return false;
}

/*
 * "    also     /a, /b, /c and 4 more": the group's other paths, those of
 * its other findings and of their repeats ("and more" when a finding
 * saw more than it kept).
 */
static void examples_text(FILE *out, const struct finding_group *g)
{
	const char *first = finding_path(g->v[0]);
	const char *shown[EXAMPLES];
	size_t n = 0, more = 0;
	bool others = false;

	for (size_t i = 0; i < g->n; i++) {
		const struct finding *f = g->v[i];

		others |= f->also_more;
		for (int k = -1; k < f->nalso; k++) {
			const char *p = k < 0 ? (i ? finding_path(f) : NULL)
					      : f->also[k];

			if (!p || shown_already(first, shown, n, p))
				continue;
			if (n < EXAMPLES)
				shown[n++] = p;
			else
				more++;
		}
	}
	if (!n)
		return;
	fputs("    also     ", out);
	for (size_t k = 0; k < n; k++)
		fprintf(out, "%s%s", k ? ", " : "", shown[k]);
	if (more)
		fprintf(out, " and %zu more", more);
	else if (others)
		fputs(" and more", out);
	fputc('\n', out);
}

/*
 * "#92 pid 12898 newfstatat(/w/src/b) = 0", and what fsrace did to it,
 * and where it was read from: an evidence event's line.
 */
void report_event_line(FILE *out, const struct evidence *ev)
{
	const char *p = ev->abspath ? ev->abspath : ev->fd_path;

	fprintf(out, "#%llu pid %d %s(%s%s%s)", (unsigned long long)ev->seq,
		ev->pid, ev->syscall, p ? p : "", ev->abspath2 ? " -> " : "",
		ev->abspath2 ? ev->abspath2 : "");
	if (ev->has_ret && ev->ret < 0)
		fprintf(out, " = -1 %s", errno_name(ev->err) ?: "?");
	else if (ev->has_ret)
		fprintf(out, " = %lld", (long long)ev->ret);
	if (ev->injected)
		fputs(" (injected)", out);
	if (ev->widened_ns)
		fprintf(out, " (held %lld \u00b5s by --widen)",
			(long long)(ev->widened_ns / 1000));
	/* an imported event: the strace log's line it came from */
	if (ev->source)
		fprintf(out, " at %s", ev->source);
	else if (ev->trace)
		fprintf(out, " in %s", ev->trace);
}

void report_stack_lines(FILE *out, const struct report_meta *m,
			const struct stack_trace *s)
{
	stack_text(out, m, s, "", "");
}

void report_exploit_line(FILE *out, const struct finding_exploit *x,
			 const char *check, const char *use)
{
	static const char *const what[] = {
		[0] = "a different file",
		[1] = "a symlink to a different file",
		[2] = "a file of its own at the free name",
	};
	int k = !strcmp(x->swap, "symlink") ? 1
		: !strcmp(x->swap, "squat") ? 2
					    : 0;

	if (!strcmp(x->result, "not-confirmable")) {
		fprintf(out, "not confirmable: %s", x->evidence);
		return;
	}
	if (k == 2)
		fprintf(out,
			"fsrace took the free name %s with a file of its own "
			"between the %s and the %s; %s: %s",
			x->path, check, use, x->evidence, x->result);
	else
		fprintf(out,
			"fsrace put %s at %s between the %s and the %s; %s: "
			"%s",
			what[k], x->path, check, use, x->evidence, x->result);
	if (!x->restored)
		fprintf(out, " (NOT put back: %s)", x->note ? x->note : "?");
}

void report_exploit_sentence(FILE *out, const struct finding *f)
{
	report_exploit_line(out, f->exploit, f->nev ? f->ev[0].step : "check",
			    f->nev ? f->ev[f->nev - 1].step : "use");
}

static void exploit_text(FILE *out, const struct finding *f)
{
	fputs("    confirm  ", out);
	report_exploit_sentence(out, f);
	fputc('\n', out);
}

static void group_text(FILE *out, const struct finding_group *g,
		       const struct report_meta *m, bool color)
{
	const struct finding *f = g->v[0];
	const char *reset = color ? "\033[0m" : "";
	const char *dim = color ? "\033[2m" : "";
	bool reported = f->status == FST_REPORTED;
	const char **traces;
	size_t ntraces;

	if (reported)
		fprintf(out, "%s%s", color ? sev_color(f->severity) : "",
			severity_name(f->severity));
	else
		fprintf(out, "%s%s", dim, finding_status_name(f->status));
	fprintf(out, "%s[%s]%s %s", color ? "\033[1m" : "", f->rule->id, reset,
		f->message);
	if (g->confirmed)
		fputs(" (confirmed: the object changed in between)", out);
	if (g->count > 1)
		fprintf(out, " [%llu times]", (unsigned long long)g->count);
	fputc('\n', out);
	if (!reported && f->status_reason)
		fprintf(out, "    reason   %s\n", f->status_reason);
	traces = finding_group_found_in(g, &ntraces);
	if (ntraces > 1) {
		fputs("    found in", out);
		for (size_t i = 0; i < ntraces; i++)
			fprintf(out, "%s %s", i ? "," : "", traces[i]);
		fputc('\n', out);
	}
	free(traces);
	programs_text(out, f);
	for (int e = 0; e < f->nev; e++) {
		const struct evidence *ev = &f->ev[e];

		fprintf(out, "    %s%-8s ", dim, ev->step ? ev->step : "");
		report_event_line(out, ev);
		fprintf(out, "%s\n", reset);
		if (ev->stack)
			stack_text(out, m, ev->stack, dim, reset);
		else if (ev->stack_dropped)
			fprintf(out,
				"             %s(stack not kept: more than "
				"%u distinct stacks)%s\n",
				dim, STACK_TABLE_STACKS_MAX, reset);
	}
	examples_text(out, g);
	if (f->exploit)
		exploit_text(out, f);
	if (reported && f->rule->fix)
		fprintf(out, "    fix: %s\n", f->rule->fix);
	/* a shipped rule's row in docs/rules.md */
	if (reported && f->rule->shipped)
		fprintf(out, "    docs: %srules.md#%s\n", FSRACE_DOCS_URL,
			f->rule->id);
}

/* A rule's line of the summary. */
struct rule_sum {
	const char *id;
	size_t first; /* the position of its first group */
	uint64_t sev[3];
	uint64_t times;
	uint64_t groups;
};

static int cmp_by_rule(const void *pa, const void *pb, void *groups)
{
	const struct finding_groups *gs = groups;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	int c = strcmp(gs->v[a].v[0]->rule->id, gs->v[b].v[0]->rule->id);

	return c ? c : a < b ? -1 : a > b;
}

static int cmp_sum(const void *pa, const void *pb)
{
	const struct rule_sum *a = pa, *b = pb;

	return a->first < b->first ? -1 : a->first > b->first;
}

/*
 * "  check-then-use   2 warning, 1 note (7 times)", per rule, in the
 * order the rules first appear in GS (a rule has a run of groups in each
 * severity, so they are gathered by sorting).
 */
static void summary_text(FILE *out, const struct finding_groups *gs)
{
	size_t *idx = xcalloc(gs->n ? gs->n : 1, sizeof(*idx)), n = 0;
	struct rule_sum *sums = xcalloc(gs->n ? gs->n : 1, sizeof(*sums));

	for (size_t i = 0; i < gs->n; i++)
		idx[i] = i;
	if (gs->n)
		qsort_r(idx, gs->n, sizeof(*idx), cmp_by_rule, (void *)gs);
	for (size_t i = 0; i < gs->n; i++) {
		const struct finding_group *g = &gs->v[idx[i]];
		struct rule_sum *r = &sums[n ? n - 1 : 0];

		if (!n || strcmp(r->id, g->v[0]->rule->id)) {
			r = &sums[n++];
			r->id = g->v[0]->rule->id;
			r->first = idx[i];
		}
		r->sev[g->v[0]->severity]++;
		r->times += g->count;
		r->groups++;
	}
	if (n)
		qsort(sums, n, sizeof(*sums), cmp_sum);
	for (size_t i = 0; i < n; i++) {
		bool comma = false;

		fprintf(out, "  %-28s", sums[i].id);
		for (int s = SEV_ERROR; s >= SEV_NOTE; s--) {
			if (!sums[i].sev[s])
				continue;
			fprintf(out, "%s %llu %s", comma ? "," : "",
				(unsigned long long)sums[i].sev[s],
				severity_name(s));
			comma = true;
		}
		if (sums[i].times > sums[i].groups)
			fprintf(out, " (%llu times)",
				(unsigned long long)sums[i].times);
		fputc('\n', out);
	}
	free(sums);
	free(idx);
}

/* The user's suppressions that took out nothing in this run. */
static bool unused_suppression(const struct report_meta *m, int i)
{
	const struct suppression *s = &m->rules->suppressions[i];

	return m->suppression_uses && !s->shipped && !m->suppression_uses[i];
}

static void unused_text(FILE *out, const struct report_meta *m)
{
	for (int i = 0; m->rules && i < m->rules->nsuppressions; i++)
		if (unused_suppression(m, i))
			/* its reason ends in "(FILE:LINE)" */
			fprintf(out, "unused suppression: %s\n",
				m->rules->suppressions[i].reason);
}

static void unused_json(struct jsonw *o, const struct report_meta *m)
{
	bool any = false;

	for (int i = 0; m->rules && i < m->rules->nsuppressions; i++) {
		const struct suppression *s = &m->rules->suppressions[i];

		if (!unused_suppression(m, i))
			continue;
		if (!any) {
			jsonw_key(o, "unused_suppressions");
			jsonw_begin_array(o);
			any = true;
		}
		jsonw_begin_object(o);
		kv_str(o, "file", s->file);
		kv_int(o, "line", s->line);
		kv_str(o, "reason", s->reason);
		jsonw_end_object(o);
	}
	if (any)
		jsonw_end_array(o);
}

static void not_reported_text(FILE *out, const struct findings *fs,
			      const struct report_meta *m)
{
	size_t nr[ARRAY_SIZE(not_reported)];
	bool any = false;

	count_not_reported(fs, m, nr);
	for (size_t k = 0; k < ARRAY_SIZE(not_reported); k++) {
		if (!nr[k])
			continue;
		fprintf(out, "%s%zu %s%s", any ? ", " : "not reported: ", nr[k],
			not_reported[k].text,
			not_reported[k].status == FST_SUPPRESSED &&
					m->show_suppressed
				? ""
				: not_reported[k].hint);
		any = true;
	}
	if (any)
		fputc('\n', out);
}

void report_text(FILE *out, const struct findings *fs,
		 const struct report_meta *m, bool color)
{
	struct finding_groups gs, sup = {0};
	uint64_t counts[3], total;

	/* what the log cannot show comes first: the findings are read in
	 * its light */
	for (int i = 0; i < m->nlimits; i++)
		fprintf(out, "log%s%s: %s\n", m->limits[i].file ? " " : "",
			m->limits[i].file ? m->limits[i].file : "",
			m->limits[i].text);
	if (m->nnot_evaluated) {
		fputs("not evaluated:", out);
		for (int i = 0; i < m->nnot_evaluated; i++) {
			const struct not_evaluated *n = &m->not_evaluated[i];

			fprintf(out, "%s %s (%s%s%s)", i ? "," : "", n->rule,
				n->file ? n->file : "", n->file ? ": " : "",
				n->reason);
		}
		fputc('\n', out);
	}
	if (m->nlimits)
		fputc('\n', out);
	findings_group(fs, FST_REPORTED, m, &gs);
	for (size_t i = 0; i < gs.n; i++)
		group_text(out, &gs.v[i], m, color);
	if (m->show_suppressed) {
		findings_group(fs, FST_SUPPRESSED, m, &sup);
		for (size_t i = 0; i < sup.n; i++)
			group_text(out, &sup.v[i], m, color);
	}
	/* --confirm: what no finding is about */
	for (int i = 0; i < m->nconfirms; i++) {
		fputs("confirm, no finding: ", out);
		report_exploit_line(out, m->confirms[i], "check", "use");
		fputc('\n', out);
	}
	group_counts(&gs, counts);
	total = counts[0] + counts[1] + counts[2];
	if (total || sup.n)
		fputc('\n', out);
	/* one line per rule, when there is more than one finding to sum up */
	if (gs.n > 1)
		summary_text(out, &gs);
	fprintf(out,
		"%llu finding%s (%llu error, %llu warning, %llu note) "
		"in %llu events%s\n",
		(unsigned long long)total, total == 1 ? "" : "s",
		(unsigned long long)counts[SEV_ERROR],
		(unsigned long long)counts[SEV_WARNING],
		(unsigned long long)counts[SEV_NOTE],
		(unsigned long long)m->events,
		m->dropped_pending || fs->dropped || table_drops_any(&m->drops)
			? " (some partial matches, findings, names or stacks "
			  "were dropped: see --format json)"
			: "");
	not_reported_text(out, fs, m);
	unused_text(out, m);
	finding_groups_release(&sup);
	finding_groups_release(&gs);
}
