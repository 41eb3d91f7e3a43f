// SPDX-License-Identifier: MIT
/* Feeding events to the engine, and its setup. */
#include "engine_impl.h"

#include <stdlib.h>

/* Which list guard_scan() walks: a step's, or a bucket's chain. */
enum chain { BY_STEP, BY_KEY, BY_KEY2 };

static void guard_scan(struct engine *e, const struct rule *r,
		       const struct guard *gd, struct inst *in,
		       enum chain chain, int pos, const struct event *ev)
{
	struct inst *next;

	for (; in; in = next) {
		struct val vars[RULE_MAX_VARS];

		next = chain == BY_KEY	  ? in->hnext
		       : chain == BY_KEY2 ? in->h2next
					  : in->rnext;
		if (in->rule != r || in->pos <= gd->after ||
		    in->pos > gd->before || (pos >= 0 && in->pos != pos))
			continue;
		memcpy(vars, in->vars, sizeof(vars));
		if (engine_matches(e, &gd->m, ev, vars))
			engine_inst_free(e, in);
	}
}

static void try_guard(struct engine *e, const struct rule *r, int g,
		      const struct event *ev)
{
	const struct guard *gd = &r->guards[g];
	const struct matcher *m = &gd->m;
	const char *key = NULL;
	int v = -1;

	if (m->index_cond >= 0) {
		key = ev_str(e, ev, m->conds[m->index_cond].field);
		v = m->conds[m->index_cond].var;
	}
	for (int p = gd->after + 1; p <= gd->before; p++) {
		if (v >= 0 && r->steps[p].key_var == v) {
			if (key)
				guard_scan(e, r, gd, bucket_head(e, r, p, key),
					   BY_KEY, p, ev);
		} else if (v >= 0 && r->steps[p].key_var2 == v) {
			if (key)
				guard_scan(e, r, gd, bucket2_head(e, r, p, key),
					   BY_KEY2, p, ev);
		} else {
			/* not hashed by what the guard compares: scan the
			 * step */
			guard_scan(e, r, gd, *rule_head(e, r, p), BY_STEP, -1,
				   ev);
		}
	}
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
	struct snap *sn = engine_cur_snap(e, ev);

	if (k == r->nsteps - 1) {
		/*
		 * The last step fires and the instance stays as it was, so
		 * that a later event matching it fires again with bindings
		 * of its own: another use of one check. A last step past the
		 * use is not evidence: a second fstat of the descriptor
		 * would count the same check and use again.
		 */
		struct val saved[RULE_MAX_VARS];
		struct snap *old = in->ev[k];

		if (in->told) {
			engine_snap_unref(e, sn);
			return;
		}
		in->told = k > r->use;

		memcpy(saved, in->vars, sizeof(saved));
		memcpy(in->vars, vars, sizeof(saved));
		in->ev[k] = sn;
		engine_fire(e, in, r->nsteps);
		in->ev[k] = old;
		memcpy(in->vars, saved, sizeof(saved));
		engine_snap_unref(e, sn);
		/* or_exit: the event or the exit, whichever comes first */
		in->pos += r->steps[k].or_exit;
		engine_place(e, in);
		return;
	}
	remap(in, in->ev[k], sn);
	engine_snap_unref(e, in->ev[k]);
	in->ev[k] = sn;
	engine_own_vars(in, vars, ev, sn);
	in->pos = k + 1;
	engine_rehash(e, in);
}

/* Where instances of R waiting at step 1 with step-0 bindings VARS are. */
static struct inst *first_candidate(struct engine *e, const struct rule *r,
				    const struct val *vars, bool *hashed)
{
	int v = r->steps[1].key_var;

	*hashed = v >= 0 && vars[v].kind == 1;
	if (!*hashed)
		return *rule_head(e, r, 1);
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
		if (!engine_matches(e, m, ev, vars))
			return;
		if (r->nsteps == 1) {
			struct inst tmp = {.rule = r};

			/* the template may name variables bound by the event */
			tmp.ev[0] = engine_cur_snap(e, ev);
			memcpy(tmp.vars, vars, sizeof(vars));
			engine_fire(e, &tmp, 1);
			engine_snap_unref(e, tmp.ev[0]);
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
			in = engine_inst_new(e, r, ev->pid);
		in->pos = 0;
		advance(e, in, ev, vars);
		return;
	}
	if (m->index_cond >= 0) {
		const struct cond *c = &m->conds[m->index_cond];
		const char *key = ev_str(e, ev, c->field);

		if (!key)
			return;
		in = bucket_head(e, r, k, key);
	} else {
		in = *rule_head(e, r, k);
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
		if (!engine_matches(e, m, ev, vars))
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
	engine_snap_unref(e, in->ev[k]);
	in->ev[k] = engine_snap_new(e, &x);
	engine_fire(e, in, k + 1);
}

static void process_exit(struct engine *e, const struct event *ev)
{
	struct pident **ps = engine_pid_slot(e, ev->pid);
	size_t nf = e->findings.n;

	while (*ps && (*ps)->head) {
		struct inst *in = (*ps)->head;

		fire_exit(e, in, ev);
		engine_flush_batch(e);
		engine_inst_free(e, in);
		ps = engine_pid_slot(e, ev->pid);
	}
	engine_around_attach(e, nf);
}

static void end_event(struct engine *e)
{
	engine_snap_unref(e, e->cur);
	e->cur = NULL;
	e->nhcache = 0;
	e->fknown = 0;
}

void engine_feed(struct engine *e, const struct event *ev)
{
	uint64_t h = 0;
	size_t nf;

	e->events++;
	if (ev->has & HAS_STACK_DROPPED)
		e->stacks_dropped++;
	e->nhcache = 0;
	e->fknown = 0;
	/* the path is hashed once, for the judge's tables and the buckets */
	if (ev->abspath) {
		h = bucket_hash(ev->abspath, strlen(ev->abspath));
		e->hcache[0].s = ev->abspath;
		e->hcache[0].h = h;
		e->nhcache = 1;
	}
	judge_observe(e->judge, ev, (uint32_t)(h ^ h >> 32));
	engine_note_temp(e, ev);
	if (ev->type == EV_EXIT) {
		if (ev->tid == ev->pid)
			process_exit(e, ev);
		return;
	}
	if (ev->type != EV_SYSCALL || !ev->sc || engine_ignored(e, ev))
		return;
	if (e->opt.around)
		engine_around_feed(e, ev);
	{
		unsigned i = syscall_index(ev->sc);
		const struct reflist *g = &e->guards[i], *s = &e->steps[i];

		engine_note_mutation(e, ev);
		for (int j = 0; j < g->n; j++)
			try_guard(e, g->v[j].rule, g->v[j].index, ev);
		/* later steps first: an event advances an instance once */
		for (int j = s->n - 1; j >= 0; j--)
			try_step(e, s->v[j].rule, s->v[j].index, ev);
	}
	nf = e->findings.n;
	engine_flush_batch(e);
	if (e->ring && e->findings.n > nf)
		engine_around_attach(e, nf);
	end_event(e);
}

void engine_finish(struct engine *e)
{
	size_t nf = e->findings.n;

	while (e->oldest) {
		struct inst *in = e->oldest;

		fire_exit(e, in, NULL);
		engine_flush_batch(e);
		engine_inst_free(e, in);
	}
	engine_around_attach(e, nf);
	engine_around_free(e);
	judge_finish(e->judge, &e->findings);
}

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
	e->judge = judge_new(rs, &opt->judge);
	findings_init(&e->findings);
	if (opt->default_filters) {
		const struct policy *pol = &rs->policy;

		engine_globs_add(&e->ignore,
				 (const char *const *)pol->globs[POLICY_IGNORE],
				 pol->n[POLICY_IGNORE]);
		engine_globs_add(
			&e->except,
			(const char *const *)pol->globs[POLICY_IGNORE_EXCEPT],
			pol->n[POLICY_IGNORE_EXCEPT]);
	}
	if (opt->modifiers)
		engine_globs_add(
			&e->root_only,
			(const char *const *)rs->policy.globs[POLICY_ROOT_ONLY],
			rs->policy.n[POLICY_ROOT_ONLY]);
	engine_globs_add(&e->ignore, opt->ignore, INT_MAX);
	e->rule_heads = xcalloc(((size_t)rs->nrules + 1) * (RULE_MAX_STEPS + 1),
				sizeof(struct inst *));
	for (int ri = 0; ri < rs->nrules; ri++) {
		const struct rule *r = rs->rules[ri];

		if (!r->enabled)
			continue;
		for (unsigned i = 0; i < syscall_table_size; i++) {
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
	for (unsigned i = 0; i < SYSCALL_MAX; i++)
		if (e->steps[i].n)
			qsort(e->steps[i].v, (size_t)e->steps[i].n,
			      sizeof(struct ref), cmp_ref);
	return e;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	engine_around_free(e);
	while (e->oldest)
		engine_inst_free(e, e->oldest);
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
	engine_temps_release(e);
	engine_globs_release(&e->ignore);
	engine_globs_release(&e->except);
	engine_globs_release(&e->root_only);
	for (unsigned i = 0; i < SYSCALL_MAX; i++) {
		free(e->steps[i].v);
		free(e->guards[i].v);
	}
	free(e->rule_heads);
	free(e->batch);
	findings_release(&e->findings);
	judge_free(e->judge);
	free(e);
}

const struct findings *engine_findings(const struct engine *e)
{
	return &e->findings;
}

void engine_move_findings(struct engine *e, struct findings *into,
			  const char *trace)
{
	/* what only this engine knows: its root, its temporary names */
	for (size_t i = 0; i < e->findings.n; i++) {
		struct finding *f = e->findings.v[i];
		const char *p = finding_path(f);
		char name[PATH_MAX];

		engine_fingerprint_name(e, name, sizeof(name), p ? p : "");
		free(f->fp_name);
		f->fp_name = xstrdup(name);
	}
	findings_absorb(into, &e->findings, trace);
}

uint64_t engine_events(const struct engine *e)
{
	return e->events;
}

uint64_t engine_dropped_pending(const struct engine *e)
{
	return e->dropped_pending;
}

void engine_drops(const struct engine *e, struct table_drops *out)
{
	judge_drops(e->judge, out);
	out->temps += e->temps_dropped;
	out->stacks += e->stacks_dropped;
}

const struct judge *engine_judge(const struct engine *e)
{
	return e->judge;
}
