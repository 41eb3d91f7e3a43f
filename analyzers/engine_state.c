// SPDX-License-Identifier: MIT
/*
 * The engine's state: partial-match instances, their hash table and pid
 * lists, and the event snapshots they share.
 */
#include "engine_impl.h"

/* The string the instance is hashed by at its step: the value of its
 * key_var (or, SECOND, key_var2), if bound to a string. */
static const char *inst_key(const struct inst *in, bool second)
{
	int v;

	if (in->pos >= in->rule->nsteps)
		return NULL;
	v = second ? in->rule->steps[in->pos].key_var2
		   : in->rule->steps[in->pos].key_var;
	if (v < 0 || in->vars[v].kind != 1)
		return NULL;
	return in->vars[v].s;
}

void engine_unhash(struct engine *e, struct inst *in)
{
	struct inst **pp;

	if (in->hashed) {
		pp = in->hpprev;
		*pp = in->hnext;
		if (in->hnext)
			in->hnext->hpprev = pp;
		if (!e->buckets[in->bucket])
			e->occupied[in->bucket / 64] &=
				~(1ULL << (in->bucket % 64));
		in->hashed = false;
	}
	if (in->hashed2) {
		pp = in->h2pprev;
		*pp = in->h2next;
		if (in->h2next)
			in->h2next->h2pprev = pp;
		if (!e->buckets2[in->bucket2])
			e->occupied2[in->bucket2 / 64] &=
				~(1ULL << (in->bucket2 % 64));
		in->hashed2 = false;
	}
}

static void rule_unlink(struct engine *e, struct inst *in)
{
	if (in->rprev)
		in->rprev->rnext = in->rnext;
	else
		*rule_head(e, in->rule, in->lpos) = in->rnext;
	if (in->rnext)
		in->rnext->rprev = in->rprev;
}

/* Newest first: the order a scan of the step sees them in is the order
 * they were made, as when one list held all the rule's instances. An
 * instance that moves is most often among the newest, near the head. */
static void rule_link(struct engine *e, struct inst *in)
{
	struct inst **pp = rule_head(e, in->rule, in->lpos), *prev = NULL;

	while (*pp && (*pp)->serial > in->serial) {
		prev = *pp;
		pp = &prev->rnext;
	}
	in->rprev = prev;
	in->rnext = *pp;
	if (in->rnext)
		in->rnext->rprev = in;
	*pp = in;
}

void engine_place(struct engine *e, struct inst *in)
{
	if (in->lpos == in->pos)
		return;
	rule_unlink(e, in);
	in->lpos = in->pos;
	rule_link(e, in);
}

void engine_rehash(struct engine *e, struct inst *in)
{
	const char *key;

	engine_place(e, in);
	engine_unhash(e, in);
	key = inst_key(in, false);
	if (key) {
		in->bucket = bucket_of(e, in->rule, in->pos, key);
		in->hnext = e->buckets[in->bucket];
		if (in->hnext)
			in->hnext->hpprev = &in->hnext;
		in->hpprev = &e->buckets[in->bucket];
		e->buckets[in->bucket] = in;
		e->occupied[in->bucket / 64] |= 1ULL << (in->bucket % 64);
		in->hashed = true;
	}
	key = inst_key(in, true);
	if (key) {
		in->bucket2 = bucket_of(e, in->rule, in->pos, key);
		in->h2next = e->buckets2[in->bucket2];
		if (in->h2next)
			in->h2next->h2pprev = &in->h2next;
		in->h2pprev = &e->buckets2[in->bucket2];
		e->buckets2[in->bucket2] = in;
		e->occupied2[in->bucket2 / 64] |= 1ULL << (in->bucket2 % 64);
		in->hashed2 = true;
	}
}

struct pident **engine_pid_slot(struct engine *e, int pid)
{
	struct pident **pp = &e->pids[(unsigned)pid % PID_BUCKETS];

	for (; *pp; pp = &(*pp)->next)
		if ((*pp)->pid == pid)
			return pp;
	return pp;
}

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

struct snap *engine_snap_new(struct engine *e, const struct evidence *src)
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

void engine_snap_unref(struct engine *e, struct snap *sn)
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
struct snap *engine_cur_snap(struct engine *e, const struct event *ev)
{
	if (!e->cur) {
		char source[PATH_MAX + 32];
		struct evidence tmp;

		/* borrow the event's strings; snap_new copies them */
		evidence_view(&tmp, ev, source, sizeof(source));
		e->cur = engine_snap_new(e, &tmp);
	}
	e->cur->refs++;
	return e->cur;
}

/* A string the instance can keep: the snapshot's copy of an event field,
 * or a copy of its own (owned) for anything else. */
const char *engine_keep(const struct event *ev, const struct snap *sn,
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

void engine_inst_free(struct engine *e, struct inst *in)
{
	struct pident **ps = engine_pid_slot(e, in->pid);

	engine_unhash(e, in);
	rule_unlink(e, in);
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
		engine_snap_unref(e, in->ev[i]);
	e->pending--;
	in->hnext = e->free_insts;
	e->free_insts = in;
}

struct inst *engine_inst_new(struct engine *e, const struct rule *r, int pid)
{
	struct inst *in;
	struct pident **ps;
	size_t max =
		e->opt.max_pending ? e->opt.max_pending : ENGINE_MAX_PENDING;

	while (e->pending >= max && e->oldest) {
		engine_inst_free(e, e->oldest);
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
	in->serial = ++e->serial;
	/* the newest of all goes first on step 0's list (lpos 0): not
	 * compared with the head, whose instance is most often out of the
	 * cache (rule_link's one miss per instance made) */
	in->rnext = *rule_head(e, r, 0);
	if (in->rnext)
		in->rnext->rprev = in;
	*rule_head(e, r, 0) = in;
	ps = engine_pid_slot(e, pid);
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
