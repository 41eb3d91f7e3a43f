// SPDX-License-Identifier: MIT
#include "engine.h"

#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "names.h"
#include "path.h"
#include "util.h"

#define BUCKETS (1u << 16)
#define PID_BUCKETS 4096
#define MAX_BATCH 64

struct val {
	uint8_t kind; /* 0 unbound, 1 string, 2 integer */
	bool owned;
	const char *s;
	int64_t i;
};

/* A partial match: a rule whose steps before POS have matched. */
struct inst {
	struct inst *hnext;          /* hash bucket, when hashed */
	struct inst *rprev, *rnext;  /* all instances of its rule */
	struct inst *pprev, *pnext;  /* all instances of its pid */
	struct inst *aprev, *anext;  /* all instances, oldest first */
	const struct rule *rule;
	int pos;
	int pid;
	bool hashed;
	uint32_t bucket;
	struct val vars[RULE_MAX_VARS];
	struct evidence ev[RULE_MAX_STEPS];
};

struct ref {
	const struct rule *rule;
	int index; /* step or guard */
};

struct reflist {
	struct ref *v;
	int n;
};

struct pident {
	int pid;
	struct inst *head;
	struct pident *next;
};

struct match {
	struct inst *in;   /* the instance that completed */
	struct finding f;
	uint64_t first_seq;
	bool dropped;
};

struct engine {
	const struct rule_set *rs;
	struct engine_options opt;
	struct reflist steps[128];  /* per syscall_table index */
	struct reflist guards[128];
	struct inst *buckets[BUCKETS];
	struct inst **rule_heads;   /* per rule */
	struct pident *pids[PID_BUCKETS];
	struct inst *oldest, *newest;
	size_t pending;
	uint64_t dropped_pending;
	uint64_t events;
	struct findings findings;
	struct match batch[MAX_BATCH];
	int nbatch;
};

/* ---- filters and severity ---- */

static const char *const default_ignore[] = {
	"/proc/*", "/proc", "/sys/*", "/dev/*", "/etc/ld.so.cache",
	"/etc/ld.so.preload", "*.so", "*.so.*", "/usr/lib/locale/*",
	"/usr/share/locale/*", "/usr/lib/x86_64-linux-gnu/gconv/*",
	"/usr/share/zoneinfo/*", "/etc/localtime", NULL,
};

/* Directories only root can write: findings there are notes. */
static const char *const immune[] = {
	"/usr/", "/etc/", "/lib/", "/lib64/", "/bin/", "/sbin/", "/boot/",
	"/opt/", NULL,
};

static bool glob_any(const char *const *globs, const char *p)
{
	for (; globs && *globs; globs++)
		if (fnmatch(*globs, p, 0) == 0)
			return true;
	return false;
}

static bool ignored_path(const struct engine *e, const char *p)
{
	if (!p)
		return false;
	if (e->opt.default_filters && glob_any(default_ignore, p))
		return true;
	return glob_any(e->opt.ignore, p);
}

static bool ignored(const struct engine *e, const struct event *ev)
{
	const char *p = ev->abspath ? ev->abspath : ev->fd_path;

	if (!p || !ignored_path(e, p))
		return false;
	return !ev->abspath2 || ignored_path(e, ev->abspath2);
}

static enum severity severity_of(const struct engine *e, const struct rule *r,
				 const struct evidence *first)
{
	const char *p = first->abspath ? first->abspath : first->fd_path;
	enum severity s = r->severity;

	if (!e->opt.modifiers || !r->modifiers || !p)
		return s;
	for (const char *const *d = immune; *d; d++)
		if (!strncmp(p, *d, strlen(*d)))
			return SEV_NOTE;
	if (first->parent_valid && (first->parent_mode & S_IWOTH) &&
	    s < SEV_ERROR)
		s++;
	return s;
}

/* ---- values ---- */

static void val_release(struct val *v)
{
	if (v->owned)
		free((char *)v->s);
	memset(v, 0, sizeof(*v));
}

static bool val_eq_str(const struct val *v, const char *s)
{
	return v->kind == 1 && s && !strcmp(v->s, s);
}

/* ---- hashing ---- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 1099511628211ULL;
	return h;
}

static uint32_t bucket_of(const struct rule *r, int pos, const char *key)
{
	uint64_t h = 1469598103934665603ULL;

	h = fnv(h, &r->index, sizeof(r->index));
	h = fnv(h, &pos, sizeof(pos));
	h = fnv(h, key, strlen(key));
	return (uint32_t)(h ^ (h >> 32)) & (BUCKETS - 1);
}

/* The key of an instance waiting at step POS: the value of the variable
 * that step's index condition compares with, if any. */
static const char *inst_key(const struct inst *in)
{
	const struct matcher *m;

	if (in->pos >= in->rule->nsteps || in->rule->steps[in->pos].at_exit)
		return NULL;
	m = &in->rule->steps[in->pos].m;
	if (m->index_cond < 0)
		return NULL;
	return in->vars[m->conds[m->index_cond].var].s;
}

static void unhash(struct engine *e, struct inst *in)
{
	struct inst **pp;

	if (!in->hashed)
		return;
	for (pp = &e->buckets[in->bucket]; *pp; pp = &(*pp)->hnext)
		if (*pp == in) {
			*pp = in->hnext;
			break;
		}
	in->hashed = false;
}

static void rehash(struct engine *e, struct inst *in)
{
	const char *key;

	unhash(e, in);
	key = inst_key(in);
	if (!key)
		return;
	in->bucket = bucket_of(in->rule, in->pos, key);
	in->hnext = e->buckets[in->bucket];
	e->buckets[in->bucket] = in;
	in->hashed = true;
}

static struct pident **pid_slot(struct engine *e, int pid)
{
	struct pident **pp = &e->pids[(unsigned)pid % PID_BUCKETS];

	for (; *pp; pp = &(*pp)->next)
		if ((*pp)->pid == pid)
			return pp;
	return pp;
}

/* ---- instance lifecycle ---- */

static void inst_free(struct engine *e, struct inst *in)
{
	struct pident **ps = pid_slot(e, in->pid);

	unhash(e, in);
	if (in->rprev)
		in->rprev->rnext = in->rnext;
	else
		e->rule_heads[in->rule->index] = in->rnext;
	if (in->rnext)
		in->rnext->rprev = in->rprev;
	if (in->pprev)
		in->pprev->pnext = in->pnext;
	else if (*ps)
		(*ps)->head = in->pnext;
	if (in->pnext)
		in->pnext->pprev = in->pprev;
	if (*ps && !(*ps)->head) {
		struct pident *dead = *ps;

		*ps = dead->next;
		free(dead);
	}
	if (in->aprev)
		in->aprev->anext = in->anext;
	else
		e->oldest = in->anext;
	if (in->anext)
		in->anext->aprev = in->aprev;
	else
		e->newest = in->aprev;
	for (int i = 0; i < RULE_MAX_VARS; i++)
		val_release(&in->vars[i]);
	for (int i = 0; i < RULE_MAX_STEPS; i++)
		evidence_release(&in->ev[i]);
	e->pending--;
	free(in);
}

static struct inst *inst_new(struct engine *e, const struct rule *r, int pid)
{
	struct inst *in;
	struct pident **ps;
	size_t max = e->opt.max_pending ? e->opt.max_pending
					: ENGINE_MAX_PENDING;

	while (e->pending >= max && e->oldest) {
		inst_free(e, e->oldest);
		e->dropped_pending++;
	}
	in = xcalloc(1, sizeof(*in));
	in->rule = r;
	in->pid = pid;
	in->rnext = e->rule_heads[r->index];
	if (in->rnext)
		in->rnext->rprev = in;
	e->rule_heads[r->index] = in;
	ps = pid_slot(e, pid);
	if (!*ps) {
		*ps = xcalloc(1, sizeof(**ps));
		(*ps)->pid = pid;
	}
	in->pnext = (*ps)->head;
	if (in->pnext)
		in->pnext->pprev = in;
	(*ps)->head = in;
	in->aprev = e->newest;
	if (e->newest)
		e->newest->anext = in;
	else
		e->oldest = in;
	e->newest = in;
	e->pending++;
	return in;
}

/* ---- matching ---- */

static bool cond_str(const struct cond *c, const char *s, struct val *vars)
{
	struct val *v;

	switch (c->op) {
	case OP_VAR:
		if (!s)
			return false;
		v = &vars[c->var];
		if (v->kind)
			return val_eq_str(v, s);
		v->kind = 1;
		v->s = s;
		v->owned = false;
		return true;
	case OP_NOT_VAR:
		return s && !val_eq_str(&vars[c->var], s);
	case OP_EQ:
		return s && !strcmp(s, c->str);
	case OP_NE:
		return !s || strcmp(s, c->str);
	case OP_IN:
		for (int i = 0; s && i < c->nin; i++)
			if (!strcmp(s, c->strs[i]))
				return true;
		return false;
	case OP_GLOB:
		return s && fnmatch(c->str, s, 0) == 0;
	case OP_NOT_GLOB:
		return !s || fnmatch(c->str, s, 0) != 0;
	default:
		return false;
	}
}

static bool cond_int(const struct cond *c, bool have, int64_t x,
		     struct val *vars)
{
	struct val *v;

	switch (c->op) {
	case OP_VAR:
		if (!have)
			return false;
		v = &vars[c->var];
		if (v->kind)
			return v->kind == 2 && v->i == x;
		v->kind = 2;
		v->i = x;
		return true;
	case OP_NOT_VAR:
		v = &vars[c->var];
		return have && !(v->kind == 2 && v->i == x);
	case OP_EQ:
		return have && x == c->num;
	case OP_NE:
		return !have || x != c->num;
	case OP_IN:
		for (int i = 0; have && i < c->nin; i++)
			if (x == c->nums[i])
				return true;
		return false;
	case OP_CONTAINS:
		return have && ((uint64_t)x & c->bits) == c->bits;
	case OP_LACKS:
		return !have || ((uint64_t)x & c->bits) == 0;
	default:
		return false;
	}
}

/*
 * Does EV satisfy M, given VARS? Unbound variables that M binds are
 * bound in VARS to strings borrowed from EV (or BUFS for derived ones).
 */
static bool matches(const struct matcher *m, const struct event *ev,
		    struct val *vars, char bufs[][PATH_MAX])
{
	for (int i = 0; i < m->nconds; i++) {
		const struct cond *c = &m->conds[i];

		if (c->field < F_FIRST_INT) {
			const char *s = field_str(ev, c->field, NULL, 0);

			if (s && c->dirname) {
				if (path_dirname(s, bufs[i], PATH_MAX) < 0)
					return false;
				s = bufs[i];
			}
			if (!cond_str(c, s, vars))
				return false;
		} else {
			int64_t x = 0;
			bool have = field_int(ev, c->field, &x);

			if (!cond_int(c, have, x, vars))
				return false;
		}
	}
	return true;
}

/* Make the strings VARS borrowed from the event the instance's own. */
static void own_vars(struct inst *in, const struct val *vars)
{
	for (int i = 0; i < RULE_MAX_VARS; i++) {
		if (in->vars[i].kind || !vars[i].kind)
			continue;
		in->vars[i] = vars[i];
		if (vars[i].kind == 1) {
			in->vars[i].s = xstrdup(vars[i].s);
			in->vars[i].owned = true;
		}
	}
}

static bool overlaps(const struct evidence *a, const struct event *ev)
{
	return ev->ts_enter <= a->ts_exit && a->ts_enter <= ev->ts_exit;
}

/* ---- findings ---- */

static void normalize(char *dst, size_t size, const char *src)
{
	size_t o = 0;

	for (; *src && o + 1 < size; src++) {
		if (*src >= '0' && *src <= '9') {
			if (o == 0 || dst[o - 1] != 'N')
				dst[o++] = 'N';
			continue;
		}
		dst[o++] = *src;
	}
	dst[o] = '\0';
}

static uint64_t fingerprint(const struct rule *r, const struct evidence *ev,
			    int n)
{
	uint64_t h = 1469598103934665603ULL;
	char norm[PATH_MAX];

	h = fnv(h, r->id, strlen(r->id) + 1);
	for (int i = 0; i < n; i++) {
		const char *paths[] = { ev[i].abspath, ev[i].abspath2,
					ev[i].abspath ? NULL : ev[i].fd_path };

		h = fnv(h, ev[i].syscall, strlen(ev[i].syscall) + 1);
		for (unsigned p = 0; p < ARRAY_SIZE(paths); p++) {
			if (!paths[p])
				continue;
			normalize(norm, sizeof(norm), paths[p]);
			h = fnv(h, norm, strlen(norm) + 1);
		}
	}
	return h;
}

struct strbuf {
	char *s;
	size_t len, cap;
};

static void sb_add(struct strbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static const char *evidence_field(const struct evidence *ev, const char *f,
				  char *buf, size_t size)
{
	if (!strcmp(f, "syscall"))
		return ev->syscall;
	if (!strcmp(f, "path"))
		return ev->path;
	if (!strcmp(f, "abspath"))
		return ev->abspath ? ev->abspath : ev->fd_path;
	if (!strcmp(f, "path2"))
		return ev->path2;
	if (!strcmp(f, "abspath2"))
		return ev->abspath2;
	if (!strcmp(f, "fd_path"))
		return ev->fd_path;
	if (!strcmp(f, "errno"))
		return ev->has_ret && ev->ret < 0 ? errno_name(ev->err) : NULL;
	if (!strcmp(f, "pid")) {
		snprintf(buf, size, "%d", ev->pid);
		return buf;
	}
	if (!strcmp(f, "tid")) {
		snprintf(buf, size, "%d", ev->tid);
		return buf;
	}
	if (!strcmp(f, "fd") && ev->has_fd) {
		snprintf(buf, size, "%d", ev->fd);
		return buf;
	}
	if (!strcmp(f, "ret") && ev->has_ret) {
		snprintf(buf, size, "%lld", (long long)ev->ret);
		return buf;
	}
	return NULL;
}

/*
 * Expand the rule's message template: {step.field}, {$var}, {window_us},
 * {pid}; see docs/rules.md.
 */
static char *expand(const struct inst *in, const struct finding *f)
{
	const struct rule *r = in->rule;
	struct strbuf b = { 0 };
	const char *p = r->message;

	while (*p) {
		const char *open = strchr(p, '{'), *close;
		char name[128], buf[64];
		const char *v = NULL;

		if (!open || !(close = strchr(open, '}'))) {
			sb_add(&b, p, strlen(p));
			break;
		}
		sb_add(&b, p, (size_t)(open - p));
		snprintf(name, sizeof(name), "%.*s", (int)(close - open - 1),
			 open + 1);
		if (name[0] == '$') {
			for (int i = 0; i < r->nvars; i++) {
				if (strcmp(r->vars[i], name))
					continue;
				if (in->vars[i].kind == 1)
					v = in->vars[i].s;
				else if (in->vars[i].kind == 2) {
					snprintf(buf, sizeof(buf), "%lld",
						 (long long)in->vars[i].i);
					v = buf;
				}
			}
		} else if (!strcmp(name, "window_us")) {
			snprintf(buf, sizeof(buf), "%llu",
				 (unsigned long long)f->window_us);
			v = buf;
		} else if (!strcmp(name, "pid")) {
			snprintf(buf, sizeof(buf), "%d", f->ev[0].pid);
			v = buf;
		} else if (!strcmp(name, "fix")) {
			v = r->fix;
		} else {
			char *dot = strchr(name, '.');

			if (dot) {
				*dot = '\0';
				for (int s = 0; s < f->nev; s++)
					if (f->ev[s].step &&
					    !strcmp(f->ev[s].step, name))
						v = evidence_field(&f->ev[s],
							dot + 1, buf,
							sizeof(buf));
				*dot = '.';
			}
		}
		if (v)
			sb_add(&b, v, strlen(v));
		else
			sb_add(&b, open, (size_t)(close - open + 1));
		p = close + 1;
	}
	if (!b.s)
		sb_add(&b, "", 0);
	return b.s;
}

static void evidence_dup(struct evidence *d, const struct evidence *s)
{
	*d = *s;
	d->path = s->path ? xstrdup(s->path) : NULL;
	d->abspath = s->abspath ? xstrdup(s->abspath) : NULL;
	d->path2 = s->path2 ? xstrdup(s->path2) : NULL;
	d->abspath2 = s->abspath2 ? xstrdup(s->abspath2) : NULL;
	d->fd_path = s->fd_path ? xstrdup(s->fd_path) : NULL;
	d->source = s->source ? xstrdup(s->source) : NULL;
}

/* The instance completed its last step: queue its finding. */
static void fire(struct engine *e, struct inst *in, int nev)
{
	const struct rule *r = in->rule;
	struct match *m;
	struct finding *f;
	const struct evidence *first, *last;

	if (e->nbatch == MAX_BATCH)
		return;
	m = &e->batch[e->nbatch++];
	memset(m, 0, sizeof(*m));
	m->in = in;
	f = &m->f;
	f->rule = r;
	f->nev = nev;
	for (int i = 0; i < nev; i++)
		evidence_dup(&f->ev[i], &in->ev[i]);
	first = &f->ev[0];
	last = &f->ev[nev - 1];
	m->first_seq = first->seq;
	f->window_us = last->ts_enter > first->ts_exit
			       ? (last->ts_enter - first->ts_exit) / 1000
			       : 0;
	if (r->confirm[0] >= 0) {
		const struct ident *a = &f->ev[r->confirm[0]].stat;
		const struct ident *b = &f->ev[r->confirm[1]].stat;

		f->confirmed = a->valid && b->valid &&
			       (a->dev != b->dev || a->ino != b->ino);
	}
	f->severity = severity_of(e, r, first);
	f->count = 1;
	f->fingerprint = fingerprint(r, f->ev, nev);
	f->message = expand(in, f);
}

static bool supersedes(const struct rule *a, const struct rule *b)
{
	for (int i = 0; i < a->nsupersedes; i++)
		if (!strcmp(a->supersedes[i], b->id))
			return true;
	return false;
}

/* Commit the batch of one event: a finding of a rule that another
 * finding of this event supersedes (same first event) is dropped. */
static void flush_batch(struct engine *e)
{
	for (int i = 0; i < e->nbatch; i++)
		for (int j = 0; j < e->nbatch; j++)
			if (i != j &&
			    e->batch[i].first_seq == e->batch[j].first_seq &&
			    supersedes(e->batch[j].f.rule, e->batch[i].f.rule))
				e->batch[i].dropped = true;
	for (int i = 0; i < e->nbatch; i++) {
		struct finding *f = &e->batch[i].f;

		if (e->batch[i].dropped) {
			for (int k = 0; k < f->nev; k++)
				evidence_release(&f->ev[k]);
			free(f->message);
			continue;
		}
		findings_add(&e->findings, f);
	}
	e->nbatch = 0;
}

/* ---- feeding ---- */

static void try_guard(struct engine *e, const struct rule *r, int g,
		      const struct event *ev)
{
	const struct guard *gd = &r->guards[g];
	struct inst *in, *next;
	char bufs[RULE_MAX_CONDS][PATH_MAX];

	for (in = e->rule_heads[r->index]; in; in = next) {
		struct val vars[RULE_MAX_VARS];

		next = in->rnext;
		if (in->pos <= gd->after || in->pos > gd->before)
			continue;
		memcpy(vars, in->vars, sizeof(vars));
		if (matches(&gd->m, ev, vars, bufs))
			inst_free(e, in);
	}
}

static void advance(struct engine *e, struct inst *in, const struct event *ev)
{
	const struct rule *r = in->rule;
	int k = in->pos;

	evidence_release(&in->ev[k]);
	evidence_copy(&in->ev[k], ev, r->steps[k].name);
	if (k == r->nsteps - 1) {
		/* stays here: a later matching event fires again */
		fire(e, in, r->nsteps);
		return;
	}
	in->pos = k + 1;
	rehash(e, in);
}

/* Where instances of R waiting at step 1 with step-0 bindings VARS are. */
static struct inst *first_candidate(struct engine *e, const struct rule *r,
				    const struct val *vars)
{
	const struct matcher *m = &r->steps[1].m;
	const struct val *v;

	if (r->steps[1].at_exit || m->index_cond < 0)
		return e->rule_heads[r->index];
	v = &vars[m->conds[m->index_cond].var];
	if (v->kind != 1)
		return NULL;
	return e->buckets[bucket_of(r, 1, v->s)];
}

static void try_step(struct engine *e, const struct rule *r, int k,
		     const struct event *ev)
{
	const struct step *st = &r->steps[k];
	const struct matcher *m = &st->m;
	char bufs[RULE_MAX_CONDS][PATH_MAX];
	struct inst *in, *next;

	if (k == 0) {
		struct val vars[RULE_MAX_VARS] = { 0 };

		if (!matches(m, ev, vars, bufs))
			return;
		if (r->nsteps == 1) {
			struct inst tmp = { .rule = r };

			evidence_copy(&tmp.ev[0], ev, st->name);
			memcpy(tmp.vars, vars, sizeof(vars));
			fire(e, &tmp, 1);
			evidence_release(&tmp.ev[0]);
			return;
		}
		/* the same check again refreshes the partial match */
		in = first_candidate(e, r, vars);
		for (; in; in = r->steps[1].m.index_cond >= 0 ? in->hnext
							       : in->rnext) {
			bool same = in->rule == r && in->pos == 1 &&
				    in->pid == ev->pid;

			for (int v = 0; same && v < r->nvars; v++)
				same = in->vars[v].kind == vars[v].kind &&
				       (vars[v].kind != 1 ||
					!strcmp(in->vars[v].s, vars[v].s)) &&
				       (vars[v].kind != 2 ||
					in->vars[v].i == vars[v].i);
			if (same)
				break;
		}
		if (!in) {
			in = inst_new(e, r, ev->pid);
			own_vars(in, vars);
		}
		in->pos = 0;
		advance(e, in, ev);
		return;
	}
	if (m->index_cond >= 0) {
		const struct cond *c = &m->conds[m->index_cond];
		const char *key = field_str(ev, c->field, NULL, 0);

		if (!key)
			return;
		in = e->buckets[bucket_of(r, k, key)];
	} else {
		in = e->rule_heads[r->index];
	}
	for (; in; in = next) {
		struct val vars[RULE_MAX_VARS];

		next = m->index_cond >= 0 ? in->hnext : in->rnext;
		if (in->rule != r || in->pos != k)
			continue;
		if (st->overlaps >= 0 && !overlaps(&in->ev[st->overlaps], ev))
			continue;
		memcpy(vars, in->vars, sizeof(vars));
		if (!matches(m, ev, vars, bufs))
			continue;
		own_vars(in, vars);
		advance(e, in, ev);
	}
}

/* Evidence for a step satisfied by an exit or by the end of the trace. */
static void exit_evidence(struct evidence *d, const struct event *ev,
			  const char *step, int pid)
{
	memset(d, 0, sizeof(*d));
	d->step = step;
	d->pid = pid;
	d->tid = pid;
	d->syscall = ev ? "exit" : "end";
	if (ev) {
		d->seq = ev->seq;
		d->ts_enter = d->ts_exit = ev->ts_enter;
	}
}

static void fire_exit(struct engine *e, struct inst *in,
		      const struct event *ev)
{
	const struct rule *r = in->rule;
	int k = in->pos;

	if (k >= r->nsteps || !(r->steps[k].at_exit || r->steps[k].or_exit))
		return;
	evidence_release(&in->ev[k]);
	exit_evidence(&in->ev[k], ev, r->steps[k].name, in->pid);
	if (!ev && in->ev[k - 1].ts_exit) {
		in->ev[k].ts_enter = in->ev[k].ts_exit = in->ev[k - 1].ts_exit;
	}
	fire(e, in, k + 1);
}

static void process_exit(struct engine *e, const struct event *ev)
{
	struct pident **ps = pid_slot(e, ev->pid);

	while (*ps && (*ps)->head) {
		struct inst *in = (*ps)->head;

		fire_exit(e, in, ev);
		flush_batch(e);
		inst_free(e, in);
		ps = pid_slot(e, ev->pid);
	}
}

void engine_feed(struct engine *e, const struct event *ev)
{
	e->events++;
	if (ev->type == EV_EXIT) {
		if (ev->tid == ev->pid)
			process_exit(e, ev);
		return;
	}
	if (ev->type != EV_SYSCALL || !ev->sc || ignored(e, ev))
		return;
	{
		unsigned i = syscall_index(ev->sc);
		const struct reflist *g = &e->guards[i], *s = &e->steps[i];

		for (int j = 0; j < g->n; j++)
			try_guard(e, g->v[j].rule, g->v[j].index, ev);
		/* later steps first: an event advances an instance once */
		for (int j = s->n - 1; j >= 0; j--)
			try_step(e, s->v[j].rule, s->v[j].index, ev);
	}
	flush_batch(e);
}

void engine_finish(struct engine *e)
{
	while (e->oldest) {
		struct inst *in = e->oldest;

		fire_exit(e, in, NULL);
		flush_batch(e);
		inst_free(e, in);
	}
}

/* ---- setup ---- */

static void add_ref(struct reflist *l, const struct rule *r, int index)
{
	l->v = xrealloc(l->v, (size_t)(l->n + 1) * sizeof(*l->v));
	l->v[l->n].rule = r;
	l->v[l->n].index = index;
	l->n++;
}

static int cmp_ref(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;

	return x->index - y->index;
}

struct engine *engine_new(const struct rule_set *rs,
			  const struct engine_options *opt)
{
	struct engine *e = xcalloc(1, sizeof(*e));

	e->rs = rs;
	e->opt = *opt;
	findings_init(&e->findings);
	e->rule_heads = xcalloc((size_t)rs->nrules + 1, sizeof(struct inst *));
	for (int ri = 0; ri < rs->nrules; ri++) {
		const struct rule *r = rs->rules[ri];

		if (!r->enabled)
			continue;
		for (unsigned i = 0; i < syscall_table_size && i < 128; i++) {
			for (int k = 0; k < r->nsteps; k++)
				if (!r->steps[k].at_exit &&
				    scset_has(&r->steps[k].m.syscalls, i))
					add_ref(&e->steps[i], r, k);
			for (int g = 0; g < r->nguards; g++)
				if (scset_has(&r->guards[g].m.syscalls, i))
					add_ref(&e->guards[i], r, g);
		}
	}
	/* steps in ascending order, so feeding walks them descending */
	for (unsigned i = 0; i < 128; i++)
		if (e->steps[i].n)
			qsort(e->steps[i].v, (size_t)e->steps[i].n,
			      sizeof(struct ref), cmp_ref);
	return e;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	while (e->oldest)
		inst_free(e, e->oldest);
	for (unsigned i = 0; i < 128; i++) {
		free(e->steps[i].v);
		free(e->guards[i].v);
	}
	free(e->rule_heads);
	findings_release(&e->findings);
	free(e);
}

const struct findings *engine_findings(const struct engine *e)
{
	return &e->findings;
}

uint64_t engine_events(const struct engine *e)
{
	return e->events;
}

uint64_t engine_dropped_pending(const struct engine *e)
{
	return e->dropped_pending;
}
