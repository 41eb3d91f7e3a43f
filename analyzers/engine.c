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

#define BUCKETS (1u << 18)
#define PID_BUCKETS 4096
#define MAX_BATCH 64

struct val {
	uint8_t kind; /* 0 unbound, 1 string, 2 integer */
	bool owned;
	const char *s;
	int64_t i;
};

/*
 * A copy of one event's evidence, shared by every partial match that the
 * event advanced; its strings live in the same allocation.
 */
struct snap {
	int refs;
	int cls;	   /* size class, or -1 when malloc'ed to size */
	struct snap *next; /* on its class's free list */
	struct evidence ev;
	char data[];
};

/* Snapshots are recycled in classes of 64 bytes of strings up to 2 KiB:
 * one is made for every event that starts or advances a partial match. */
#define SNAP_CLASSES 32
#define SNAP_GRAIN 64

/* A partial match: a rule whose steps before POS have matched. */
struct inst {
	struct inst *hnext;	    /* hash bucket, when hashed */
	struct inst **hpprev;	    /* what points at this one in it */
	struct inst *rprev, *rnext; /* all instances of its rule */
	struct inst *pprev, *pnext; /* all instances of its pid */
	struct inst *aprev, *anext; /* all instances, oldest first */
	const struct rule *rule;
	int pos;
	int pid;
	bool hashed;
	uint32_t bucket;
	struct val vars[RULE_MAX_VARS];
	struct snap *ev[RULE_MAX_STEPS];
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
	bool known; /* F holds only rule, nev, fingerprint, confirmed */
	struct finding f;
	uint64_t first_seq;
	bool dropped;
};

struct engine {
	const struct rule_set *rs;
	struct engine_options opt;
	struct reflist steps[128]; /* per syscall_table index */
	struct reflist guards[128];
	struct inst *buckets[BUCKETS];
	/* which buckets are not empty: most lookups find nothing, and this
	 * bitmap stays in cache where the bucket array does not */
	uint64_t occupied[BUCKETS / 64];
	struct inst **rule_heads; /* per rule */
	struct pident *pids[PID_BUCKETS];
	struct inst *oldest, *newest;
	size_t pending;
	uint64_t dropped_pending;
	uint64_t events;
	struct findings findings;
	struct match batch[MAX_BATCH];
	int nbatch;
	struct inst *free_insts;
	struct snap *free_snaps[SNAP_CLASSES];
	struct snap *cur; /* the current event's snapshot */
	struct {
		const char *s;
		uint64_t h;
	} hcache[4]; /* string hashes of the current event */
	int nhcache;
	struct glob *globs; /* the ignore filters, classified */
	int nglobs;
	char bufs[RULE_MAX_CONDS][PATH_MAX]; /* dirname() results */
};

/* ---- filters and severity ---- */

static const char *const default_ignore[] = {
	"/proc/*",
	"/proc",
	"/sys/*",
	"/dev/*",
	"/etc/ld.so.cache",
	"/etc/ld.so.preload",
	"*.so",
	"*.so.*",
	"/usr/lib/locale/*",
	"/usr/share/locale/*",
	"/usr/lib/x86_64-linux-gnu/gconv/*",
	"/usr/share/zoneinfo/*",
	"/etc/localtime",
	NULL,
};

/* Directories only root can write: findings there are notes. */
static const char *const immune[] = {
	"/usr/",  "/etc/",  "/lib/", "/lib64/", "/bin/",
	"/sbin/", "/boot/", "/opt/", NULL,
};

enum glob_kind { G_EXACT, G_PREFIX, G_SUFFIX, G_CONTAINS, G_FNMATCH };

/* Most filters are a prefix, a suffix or a substring: test those
 * without fnmatch(3), which shows up in profiles at one call per event
 * and filter. */
struct glob {
	enum glob_kind kind;
	const char *pat; /* the fnmatch pattern */
	char *lit;	 /* the literal part */
	size_t len;
};

static bool has_wild(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] == '*' || p[i] == '?' || p[i] == '[' || p[i] == '\\')
			return true;
	return false;
}

static void glob_compile(struct glob *g, const char *pat)
{
	size_t n = strlen(pat);

	g->pat = pat;
	g->kind = G_FNMATCH;
	if (!has_wild(pat, n)) {
		g->kind = G_EXACT;
		g->lit = xstrdup(pat);
	} else if (n >= 2 && pat[0] == '*' && pat[n - 1] == '*' &&
		   !has_wild(pat + 1, n - 2)) {
		g->kind = G_CONTAINS;
		g->lit = xstrndup(pat + 1, n - 2);
	} else if (n >= 1 && pat[n - 1] == '*' && !has_wild(pat, n - 1)) {
		g->kind = G_PREFIX;
		g->lit = xstrndup(pat, n - 1);
	} else if (n >= 1 && pat[0] == '*' && !has_wild(pat + 1, n - 1)) {
		g->kind = G_SUFFIX;
		g->lit = xstrdup(pat + 1);
	}
	g->len = g->lit ? strlen(g->lit) : 0;
}

static bool glob_match(const struct glob *g, const char *p)
{
	size_t n;

	switch (g->kind) {
	case G_EXACT:
		return !strcmp(p, g->lit);
	case G_PREFIX:
		return !strncmp(p, g->lit, g->len);
	case G_SUFFIX:
		n = strlen(p);
		return n >= g->len && !memcmp(p + n - g->len, g->lit, g->len);
	case G_CONTAINS:
		return strstr(p, g->lit) != NULL;
	default:
		return fnmatch(g->pat, p, 0) == 0;
	}
}

static bool ignored_path(const struct engine *e, const char *p)
{
	/* tmpfs under /dev where programs share files: not device nodes */
	if (e->opt.default_filters && p &&
	    (!strncmp(p, "/dev/shm/", 9) || !strncmp(p, "/dev/mqueue/", 12)))
		return false;
	for (int i = 0; p && i < e->nglobs; i++)
		if (glob_match(&e->globs[i], p))
			return true;
	return false;
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

/* The hash of S; the strings of the current event are hashed once. */
static uint64_t str_hash(struct engine *e, const char *s)
{
	uint64_t h;

	for (int i = 0; i < e->nhcache; i++)
		if (e->hcache[i].s == s)
			return e->hcache[i].h;
	h = fnv(1469598103934665603ULL, s, strlen(s));
	if (e->nhcache < (int)ARRAY_SIZE(e->hcache)) {
		e->hcache[e->nhcache].s = s;
		e->hcache[e->nhcache++].h = h;
	}
	return h;
}

static uint32_t bucket_of(struct engine *e, const struct rule *r, int pos,
			  const char *key)
{
	uint64_t h = str_hash(e, key);

	h ^= (uint64_t)(r->index + 1) * 0x9e3779b97f4a7c15ULL;
	h ^= (uint64_t)(pos + 1) * 0xc2b2ae3d27d4eb4fULL;
	h ^= h >> 29;
	return (uint32_t)(h ^ (h >> 32)) & (BUCKETS - 1);
}

/* The key of an instance waiting at step POS: the value of that step's
 * key variable (see struct step), if it is bound to a string. */
static struct inst *bucket_head(struct engine *e, const struct rule *r, int pos,
				const char *key)
{
	uint32_t b = bucket_of(e, r, pos, key);

	if (!(e->occupied[b / 64] >> (b % 64) & 1))
		return NULL;
	return e->buckets[b];
}

static const char *inst_key(const struct inst *in)
{
	int v;

	if (in->pos >= in->rule->nsteps)
		return NULL;
	v = in->rule->steps[in->pos].key_var;
	if (v < 0 || in->vars[v].kind != 1)
		return NULL;
	return in->vars[v].s;
}

static void unhash(struct engine *e, struct inst *in)
{
	struct inst **pp;

	if (!in->hashed)
		return;
	pp = in->hpprev;
	*pp = in->hnext;
	if (in->hnext)
		in->hnext->hpprev = pp;
	if (!e->buckets[in->bucket])
		e->occupied[in->bucket / 64] &= ~(1ULL << (in->bucket % 64));
	in->hashed = false;
}

static void rehash(struct engine *e, struct inst *in)
{
	const char *key;

	unhash(e, in);
	key = inst_key(in);
	if (!key)
		return;
	in->bucket = bucket_of(e, in->rule, in->pos, key);
	in->hnext = e->buckets[in->bucket];
	if (in->hnext)
		in->hnext->hpprev = &in->hnext;
	in->hpprev = &e->buckets[in->bucket];
	e->buckets[in->bucket] = in;
	e->occupied[in->bucket / 64] |= 1ULL << (in->bucket % 64);
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

/* ---- snapshots ---- */

static size_t slen(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static char *scopy(char **data, const char *s)
{
	char *d = *data;
	size_t n = slen(s);

	if (!s)
		return NULL;
	memcpy(d, s, n);
	*data += n;
	return d;
}

static struct snap *snap_new(struct engine *e, const struct evidence *src)
{
	size_t n = slen(src->path) + slen(src->abspath) + slen(src->path2) +
		   slen(src->abspath2) + slen(src->fd_path) + slen(src->source);
	int cls = (int)((n + SNAP_GRAIN - 1) / SNAP_GRAIN);
	struct snap *sn;
	char *d;

	if (cls < SNAP_CLASSES && e->free_snaps[cls]) {
		sn = e->free_snaps[cls];
		e->free_snaps[cls] = sn->next;
	} else if (cls < SNAP_CLASSES) {
		sn = xmalloc(sizeof(*sn) + (size_t)cls * SNAP_GRAIN);
	} else {
		sn = xmalloc(sizeof(*sn) + n);
		cls = -1;
	}
	d = sn->data;
	sn->refs = 1;
	sn->cls = cls;
	sn->ev = *src;
	sn->ev.path = scopy(&d, src->path);
	sn->ev.abspath = scopy(&d, src->abspath);
	sn->ev.path2 = scopy(&d, src->path2);
	sn->ev.abspath2 = scopy(&d, src->abspath2);
	sn->ev.fd_path = scopy(&d, src->fd_path);
	sn->ev.source = scopy(&d, src->source);
	return sn;
}

static void snap_unref(struct engine *e, struct snap *sn)
{
	if (!sn || --sn->refs > 0)
		return;
	if (sn->cls < 0) {
		free(sn);
		return;
	}
	sn->next = e->free_snaps[sn->cls];
	e->free_snaps[sn->cls] = sn;
}

/* The snapshot of the event being fed, made on first use. */
static struct snap *cur_snap(struct engine *e, const struct event *ev)
{
	if (!e->cur) {
		char source[PATH_MAX + 32];
		struct evidence tmp;

		/* borrow the event's strings; snap_new copies them */
		evidence_view(&tmp, ev, source, sizeof(source));
		e->cur = snap_new(e, &tmp);
	}
	e->cur->refs++;
	return e->cur;
}

/* A string the instance can keep: the snapshot's copy of an event field,
 * or a copy of its own (owned) for anything else. */
static const char *keep(const struct event *ev, const struct snap *sn,
			const char *s, bool *owned)
{
	*owned = false;
	if (sn && ev) {
		if (s == ev->abspath)
			return sn->ev.abspath;
		if (s == ev->abspath2)
			return sn->ev.abspath2;
		if (s == ev->path)
			return sn->ev.path;
		if (s == ev->path2)
			return sn->ev.path2;
		if (s == ev->fd_path)
			return sn->ev.fd_path;
	}
	*owned = true;
	return xstrdup(s);
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
		snap_unref(e, in->ev[i]);
	e->pending--;
	in->hnext = e->free_insts;
	e->free_insts = in;
}

static struct inst *inst_new(struct engine *e, const struct rule *r, int pid)
{
	struct inst *in;
	struct pident **ps;
	size_t max =
		e->opt.max_pending ? e->opt.max_pending : ENGINE_MAX_PENDING;

	while (e->pending >= max && e->oldest) {
		inst_free(e, e->oldest);
		e->dropped_pending++;
	}
	if (e->free_insts) {
		in = e->free_insts;
		e->free_insts = in->hnext;
		memset(in, 0, sizeof(*in));
	} else {
		in = xcalloc(1, sizeof(*in));
	}
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
		v->owned = false;
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

/* Make the strings VARS borrowed from EV the instance's own. */
static void own_vars(struct inst *in, const struct val *vars,
		     const struct event *ev, const struct snap *sn)
{
	for (int i = 0; i < RULE_MAX_VARS; i++) {
		if (in->vars[i].kind || !vars[i].kind)
			continue;
		in->vars[i] = vars[i];
		in->vars[i].owned = false;
		if (vars[i].kind == 1)
			in->vars[i].s =
				keep(ev, sn, vars[i].s, &in->vars[i].owned);
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

static uint64_t fingerprint(const struct rule *r, struct snap *const *ev, int n)
{
	uint64_t h = 1469598103934665603ULL;
	char norm[PATH_MAX];

	h = fnv(h, r->id, strlen(r->id) + 1);
	for (int i = 0; i < n; i++) {
		const struct evidence *e = &ev[i]->ev;
		const char *paths[] = {e->abspath, e->abspath2,
				       e->abspath ? NULL : e->fd_path};

		h = fnv(h, e->syscall, strlen(e->syscall) + 1);
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
	struct strbuf b = {0};
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
	const struct evidence *first = &in->ev[0]->ev;
	const struct evidence *last = &in->ev[nev - 1]->ev;
	struct match *m;
	struct finding *f;

	if (e->nbatch == MAX_BATCH)
		return;
	m = &e->batch[e->nbatch++];
	memset(m, 0, sizeof(*m));
	f = &m->f;
	f->rule = r;
	f->nev = nev;
	m->first_seq = first->seq;
	f->fingerprint = fingerprint(r, in->ev, nev);
	if (r->confirm[0] >= 0) {
		const struct ident *a = &in->ev[r->confirm[0]]->ev.stat;
		const struct ident *b = &in->ev[r->confirm[1]]->ev.stat;

		f->confirmed = a->valid && b->valid &&
			       (a->dev != b->dev || a->ino != b->ino);
	}
	f->count = 1;
	/* a repeat of a known finding only counts: no copy, no message */
	if (findings_known(&e->findings, f->fingerprint) ||
	    e->findings.n >= FINDINGS_MAX) {
		m->known = true;
		return;
	}
	for (int i = 0; i < nev; i++) {
		evidence_dup(&f->ev[i], &in->ev[i]->ev);
		f->ev[i].step = r->steps[i].name;
	}
	f->window_us = last->ts_enter > first->ts_exit
			       ? (last->ts_enter - first->ts_exit) / 1000
			       : 0;
	f->severity = severity_of(e, r, first);
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
		for (int j = 0; j < e->nbatch; j++) {
			const struct finding *a = &e->batch[i].f;
			const struct finding *b = &e->batch[j].f;

			if (i == j)
				continue;
			if (e->batch[i].first_seq == e->batch[j].first_seq &&
			    supersedes(b->rule, a->rule))
				e->batch[i].dropped = true;
			/* two variants of one rule completed by this event:
			 * the one with more evidence tells more */
			if (a->rule != b->rule &&
			    !strcmp(a->rule->id, b->rule->id) &&
			    (a->nev < b->nev || (a->nev == b->nev && i > j)))
				e->batch[i].dropped = true;
		}
	for (int i = 0; i < e->nbatch; i++) {
		struct finding *f = &e->batch[i].f;

		if (e->batch[i].dropped) {
			if (!e->batch[i].known) {
				for (int k = 0; k < f->nev; k++)
					evidence_release(&f->ev[k]);
				free(f->message);
			}
			continue;
		}
		if (e->batch[i].known)
			findings_repeat(&e->findings, f->fingerprint,
					f->confirmed);
		else
			findings_add(&e->findings, f);
	}
	e->nbatch = 0;
}

/* ---- feeding ---- */

static void guard_scan(struct engine *e, const struct rule *r,
		       const struct guard *gd, struct inst *in, bool hashed,
		       int pos, const struct event *ev)
{
	struct inst *next;

	for (; in; in = next) {
		struct val vars[RULE_MAX_VARS];

		next = hashed ? in->hnext : in->rnext;
		if (in->rule != r || in->pos <= gd->after ||
		    in->pos > gd->before || (pos >= 0 && in->pos != pos))
			continue;
		memcpy(vars, in->vars, sizeof(vars));
		if (matches(&gd->m, ev, vars, e->bufs))
			inst_free(e, in);
	}
}

static void try_guard(struct engine *e, const struct rule *r, int g,
		      const struct event *ev)
{
	const struct guard *gd = &r->guards[g];
	const struct matcher *m = &gd->m;
	const char *key = NULL;

	if (m->index_cond >= 0)
		key = field_str(ev, m->conds[m->index_cond].field, NULL, 0);
	for (int p = gd->after + 1; p <= gd->before; p++) {
		if (m->index_cond < 0 ||
		    r->steps[p].key_var != m->conds[m->index_cond].var) {
			/* not hashed by what the guard compares: scan */
			guard_scan(e, r, gd, e->rule_heads[r->index], false, -1,
				   ev);
			return;
		}
	}
	if (!key)
		return;
	for (int p = gd->after + 1; p <= gd->before; p++)
		guard_scan(e, r, gd, bucket_head(e, r, p, key), true, p, ev);
}

/* Point the instance's strings that were in OLD at the same fields of NEW
 * (the same values: a refreshed step binds what it bound before). */
static void remap(struct inst *in, const struct snap *old,
		  const struct snap *new)
{
	for (int i = 0; old && i < RULE_MAX_VARS; i++) {
		struct val *v = &in->vars[i];

		if (v->kind != 1 || v->owned)
			continue;
		if (v->s == old->ev.abspath)
			v->s = new->ev.abspath;
		else if (v->s == old->ev.abspath2)
			v->s = new->ev.abspath2;
		else if (v->s == old->ev.path)
			v->s = new->ev.path;
		else if (v->s == old->ev.path2)
			v->s = new->ev.path2;
		else if (v->s == old->ev.fd_path)
			v->s = new->ev.fd_path;
	}
}

/*
 * EV matched the instance's step POS with the bindings VARS (borrowed
 * from EV for the new ones).
 */
static void advance(struct engine *e, struct inst *in, const struct event *ev,
		    const struct val *vars)
{
	const struct rule *r = in->rule;
	int k = in->pos;
	struct snap *sn = cur_snap(e, ev);

	if (k == r->nsteps - 1) {
		/*
		 * The last step fires and the instance stays as it was, so
		 * that a later event matching it fires again with bindings
		 * of its own.
		 */
		struct val saved[RULE_MAX_VARS];
		struct snap *old = in->ev[k];

		memcpy(saved, in->vars, sizeof(saved));
		memcpy(in->vars, vars, sizeof(saved));
		in->ev[k] = sn;
		fire(e, in, r->nsteps);
		in->ev[k] = old;
		memcpy(in->vars, saved, sizeof(saved));
		snap_unref(e, sn);
		/* or_exit: the event or the exit, whichever comes first */
		in->pos += r->steps[k].or_exit;
		return;
	}
	remap(in, in->ev[k], sn);
	snap_unref(e, in->ev[k]);
	in->ev[k] = sn;
	own_vars(in, vars, ev, sn);
	in->pos = k + 1;
	rehash(e, in);
}

/* Where instances of R waiting at step 1 with step-0 bindings VARS are. */
static struct inst *first_candidate(struct engine *e, const struct rule *r,
				    const struct val *vars, bool *hashed)
{
	int v = r->steps[1].key_var;

	*hashed = v >= 0 && vars[v].kind == 1;
	if (!*hashed)
		return e->rule_heads[r->index];
	return bucket_head(e, r, 1, vars[v].s);
}

static void try_step(struct engine *e, const struct rule *r, int k,
		     const struct event *ev)
{
	const struct step *st = &r->steps[k];
	const struct matcher *m = &st->m;
	struct inst *in, *next;

	if (k == 0) {
		struct val vars[RULE_MAX_VARS];

		for (int v = 0; v < RULE_MAX_VARS; v++)
			vars[v].kind = 0;
		if (!matches(m, ev, vars, e->bufs))
			return;
		if (r->nsteps == 1) {
			struct inst tmp = {.rule = r};

			/* the template may name variables bound by the event */
			tmp.ev[0] = cur_snap(e, ev);
			memcpy(tmp.vars, vars, sizeof(vars));
			fire(e, &tmp, 1);
			snap_unref(e, tmp.ev[0]);
			return;
		}
		/* the same check again refreshes the partial match */
		bool hashed;

		in = first_candidate(e, r, vars, &hashed);
		for (; in; in = hashed ? in->hnext : in->rnext) {
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
		if (!in)
			in = inst_new(e, r, ev->pid);
		in->pos = 0;
		advance(e, in, ev, vars);
		return;
	}
	if (m->index_cond >= 0) {
		const struct cond *c = &m->conds[m->index_cond];
		const char *key = field_str(ev, c->field, NULL, 0);

		if (!key)
			return;
		in = bucket_head(e, r, k, key);
	} else {
		in = e->rule_heads[r->index];
	}
	for (; in; in = next) {
		struct val vars[RULE_MAX_VARS];

		next = m->index_cond >= 0 ? in->hnext : in->rnext;
		if (in->rule != r || in->pos != k)
			continue;
		if (st->overlaps >= 0 &&
		    !overlaps(&in->ev[st->overlaps]->ev, ev))
			continue;
		memcpy(vars, in->vars, sizeof(vars));
		if (!matches(m, ev, vars, e->bufs))
			continue;
		advance(e, in, ev, vars);
	}
}

/* Evidence for a step satisfied by an exit or by the end of the trace. */
static void exit_evidence(struct evidence *d, const struct event *ev, int pid)
{
	memset(d, 0, sizeof(*d));
	d->pid = pid;
	d->tid = pid;
	d->syscall = ev ? "exit" : "end";
	if (ev) {
		d->seq = ev->seq;
		d->ts_enter = d->ts_exit = ev->ts_enter;
	}
}

static void fire_exit(struct engine *e, struct inst *in, const struct event *ev)
{
	const struct rule *r = in->rule;
	int k = in->pos;

	struct evidence x;

	if (k >= r->nsteps || !(r->steps[k].at_exit || r->steps[k].or_exit))
		return;
	exit_evidence(&x, ev, in->pid);
	if (!ev)
		x.ts_enter = x.ts_exit = in->ev[k - 1]->ev.ts_exit;
	snap_unref(e, in->ev[k]);
	in->ev[k] = snap_new(e, &x);
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

static void end_event(struct engine *e)
{
	snap_unref(e, e->cur);
	e->cur = NULL;
	e->nhcache = 0;
}

void engine_feed(struct engine *e, const struct event *ev)
{
	e->events++;
	e->nhcache = 0;
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
	end_event(e);
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
	for (int pass = 0; pass < 2; pass++) {
		const char *const *g = pass ? opt->ignore : default_ignore;

		if (!pass && !opt->default_filters)
			continue;
		for (; g && *g; g++) {
			e->globs =
				xrealloc(e->globs, (size_t)(e->nglobs + 1) *
							   sizeof(*e->globs));
			memset(&e->globs[e->nglobs], 0, sizeof(*e->globs));
			glob_compile(&e->globs[e->nglobs++], *g);
		}
	}
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
	while (e->free_insts) {
		struct inst *in = e->free_insts;

		e->free_insts = in->hnext;
		free(in);
	}
	for (int c = 0; c < SNAP_CLASSES; c++)
		while (e->free_snaps[c]) {
			struct snap *sn = e->free_snaps[c];

			e->free_snaps[c] = sn->next;
			free(sn);
		}
	for (int i = 0; i < e->nglobs; i++)
		free(e->globs[i].lit);
	free(e->globs);
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
