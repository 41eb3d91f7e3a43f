// SPDX-License-Identifier: MIT
/*
 * The events around a finding (engine_options.around): a ring of the
 * last AROUND_RING events that name a path, and for each new finding the
 * ones on its paths from its first evidence to its last, from any
 * process (docs/findings.md, "Timeline"). Only --format html and fsrace
 * show ask for it; the engine does nothing of this otherwise.
 */
#include "engine_impl.h"

#include <stdlib.h>

struct around_slot {
	bool used;
	struct evidence ev; /* its own strings */
	uint64_t h[3];	    /* of abspath, abspath2, fd_path (0: none) */
};

struct around_ring {
	struct around_slot v[AROUND_RING];
	size_t next; /* the slot the next event takes */
};

static uint64_t phash(const char *s)
{
	return s ? bucket_hash(s, strlen(s)) | 1 : 0;
}

void engine_around_feed(struct engine *e, const struct event *ev)
{
	struct around_slot *s;
	struct evidence tmp;
	char src[PATH_MAX + 32];

	if (!ev->abspath && !ev->abspath2 && !ev->fd_path)
		return;
	if (!e->ring)
		e->ring = xcalloc(1, sizeof(*e->ring));
	s = &e->ring->v[e->ring->next];
	e->ring->next = (e->ring->next + 1) % AROUND_RING;
	if (s->used)
		evidence_release(&s->ev);
	evidence_view(&tmp, ev, src, sizeof(src));
	evidence_dup(&s->ev, &tmp);
	/* the ring outlives no report: the stack table does */
	s->h[0] = phash(s->ev.abspath);
	s->h[1] = phash(s->ev.abspath2);
	s->h[2] = phash(s->ev.fd_path);
	s->used = true;
}

/* Whether the event in S is on one of the N paths (hashes H, names P). */
static bool on_paths(const struct around_slot *s, const uint64_t *h,
		     const char *const *p, int n)
{
	static const size_t at[3] = {
		offsetof(struct evidence, abspath),
		offsetof(struct evidence, abspath2),
		offsetof(struct evidence, fd_path),
	};

	for (int k = 0; k < 3; k++) {
		const char *mine;

		if (!s->h[k])
			continue;
		mine = *(const char *const *)((const char *)&s->ev + at[k]);
		for (int i = 0; i < n; i++)
			if (s->h[k] == h[i] && !strcmp(mine, p[i]))
				return true;
	}
	return false;
}

/* Whether S's event ran while F's evidence did: between the first and
 * the last in the stream, or overlapping their times. */
static bool in_span(const struct around_slot *s, const struct finding *f)
{
	uint64_t lo = UINT64_MAX, hi = 0, first = UINT64_MAX, last = 0;

	for (int i = 0; i < f->nev; i++) {
		const struct evidence *x = &f->ev[i];

		if (x->seq == s->ev.seq)
			return false; /* evidence itself */
		first = x->seq < first ? x->seq : first;
		last = x->seq > last ? x->seq : last;
		if (x->ts_enter && x->ts_enter < lo)
			lo = x->ts_enter;
		if (x->ts_exit > hi)
			hi = x->ts_exit;
	}
	if (s->ev.seq > first && s->ev.seq < last)
		return true;
	return hi && s->ev.ts_exit && s->ev.ts_enter <= hi &&
	       s->ev.ts_exit >= lo;
}

static int by_seq(const void *a, const void *b)
{
	const struct around *x = a, *y = b;

	return x->ev.seq < y->ev.seq ? -1 : x->ev.seq > y->ev.seq;
}

/* Give the new finding F the events of the ring around it. */
static void attach(struct engine *e, struct finding *f)
{
	const char *p[3 * RULE_MAX_STEPS];
	uint64_t h[3 * RULE_MAX_STEPS];
	char prog[512];
	int n = 0;

	for (int i = 0; i < f->nev; i++) {
		const char *c[3] = {f->ev[i].abspath, f->ev[i].abspath2,
				    f->ev[i].fd_path};

		for (int k = 0; k < 3; k++) {
			int j;

			if (!c[k])
				continue;
			for (j = 0; j < n && strcmp(p[j], c[k]); j++)
				;
			if (j == n) {
				p[n] = c[k];
				h[n++] = phash(c[k]);
			}
		}
	}
	if (!n)
		return;
	for (size_t i = 0; i < AROUND_RING; i++) {
		const struct around_slot *s = &e->ring->v[i];
		struct around *a;
		const char *pr;

		if (!s->used || !in_span(s, f) || !on_paths(s, h, p, n))
			continue;
		if (f->naround == AROUND_MAX) {
			f->around_more++;
			continue;
		}
		if (!f->around)
			f->around = xcalloc(AROUND_MAX, sizeof(*f->around));
		a = &f->around[f->naround++];
		evidence_dup(&a->ev, &s->ev);
		a->ev.step = "around";
		pr = judge_program(e->judge, a->ev.pid, prog, sizeof(prog));
		a->program = pr ? xstrdup(pr) : NULL;
	}
	if (f->naround)
		qsort(f->around, (size_t)f->naround, sizeof(*f->around),
		      by_seq);
}

void engine_around_attach(struct engine *e, size_t from)
{
	for (size_t i = from; e->ring && i < e->findings.n; i++)
		attach(e, e->findings.v[i]);
}

void engine_around_free(struct engine *e)
{
	if (!e->ring)
		return;
	for (size_t i = 0; i < AROUND_RING; i++)
		if (e->ring->v[i].used)
			evidence_release(&e->ring->v[i].ev);
	free(e->ring);
	e->ring = NULL;
}
