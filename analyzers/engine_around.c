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

/* the strings of most events fit in their slot: no malloc per event */
#define SLOT_BYTES 480

struct around_slot {
	bool used;
	bool heap;	    /* EV's strings are its own (evidence_release) */
	struct evidence ev; /* its strings in BUF, or HEAP */
	char buf[SLOT_BYTES];
};

struct around_ring {
	struct around_slot v[AROUND_RING];
	/* the hashes of each slot's abspath, abspath2 and fd_path (0:
	 * none), apart: each new finding scans them all */
	uint64_t h[AROUND_RING][3];
	size_t next; /* the slot the next event takes */
};

/* Copy EV into S with its strings in S's buffer: false when they do
 * not fit. */
static bool pack(struct around_slot *s, const struct evidence *ev)
{
	char **f[] = {&s->ev.path,     &s->ev.abspath, &s->ev.path2,
		      &s->ev.abspath2, &s->ev.fd_path, &s->ev.source};
	size_t at = 0;

	s->ev = *ev;
	for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
		size_t n;

		if (!*f[i])
			continue;
		n = strlen(*f[i]) + 1;
		if (n > SLOT_BYTES - at)
			return false;
		memcpy(s->buf + at, *f[i], n);
		*f[i] = s->buf + at;
		at += n;
	}
	return true;
}

static uint64_t phash(const char *s)
{
	return s ? bucket_hash(s, strlen(s)) | 1 : 0;
}

void engine_around_feed(struct engine *e, const struct event *ev)
{
	struct around_slot *s;
	uint64_t *h;
	struct evidence tmp;
	char src[PATH_MAX + 32];

	if (!ev->abspath && !ev->abspath2 && !ev->fd_path)
		return;
	if (!e->ring)
		e->ring = xcalloc(1, sizeof(*e->ring));
	h = e->ring->h[e->ring->next];
	s = &e->ring->v[e->ring->next];
	e->ring->next = (e->ring->next + 1) % AROUND_RING;
	if (s->used && s->heap)
		evidence_release(&s->ev);
	evidence_view(&tmp, ev, src, sizeof(src));
	s->heap = !pack(s, &tmp);
	if (s->heap)
		evidence_dup(&s->ev, &tmp);
	h[0] = phash(s->ev.abspath);
	h[1] = phash(s->ev.abspath2);
	h[2] = phash(s->ev.fd_path);
	s->used = true;
}

/* Whether the event in S (its hashes SH) is on one of the N paths
 * (hashes H, names P). */
static bool on_paths(const struct around_slot *s, const uint64_t *sh,
		     const uint64_t *h, const char *const *p, int n)
{
	static const size_t at[3] = {
		offsetof(struct evidence, abspath),
		offsetof(struct evidence, abspath2),
		offsetof(struct evidence, fd_path),
	};

	for (int k = 0; k < 3; k++) {
		const char *mine;

		if (!sh[k])
			continue;
		mine = *(const char *const *)((const char *)&s->ev + at[k]);
		for (int i = 0; i < n; i++)
			if (sh[k] == h[i] && !strcmp(mine, p[i]))
				return true;
	}
	return false;
}

/* When F's evidence ran: between the first and the last in the stream,
 * or overlapping their times (LO to HI, 0 when none). */
struct span {
	uint64_t first, last, lo, hi;
};

static void span_of(const struct finding *f, struct span *sp)
{
	sp->first = UINT64_MAX;
	sp->last = 0;
	sp->lo = UINT64_MAX;
	sp->hi = 0;
	for (int i = 0; i < f->nev; i++) {
		const struct evidence *x = &f->ev[i];

		/* the exit or the end of the trace (made by the engine) has
		 * no place in the stream */
		if (!x->seq)
			continue;
		sp->first = x->seq < sp->first ? x->seq : sp->first;
		sp->last = x->seq > sp->last ? x->seq : sp->last;
		if (x->ts_enter && x->ts_enter < sp->lo)
			sp->lo = x->ts_enter;
		if (x->ts_exit > sp->hi)
			sp->hi = x->ts_exit;
	}
}

static bool in_span(const struct around_slot *s, const struct finding *f,
		    const struct span *sp)
{
	for (int i = 0; i < f->nev; i++)
		if (f->ev[i].seq == s->ev.seq)
			return false; /* evidence itself */
	if (s->ev.seq > sp->first && s->ev.seq < sp->last)
		return true;
	/* recorded before the last evidence event, its time overlapping
	 * theirs (what was recorded after is not looked at: a finding
	 * decided at a later close would see more than one decided at
	 * once) */
	return sp->hi && s->ev.seq < sp->last && s->ev.ts_exit &&
	       s->ev.ts_enter <= sp->hi && s->ev.ts_exit >= sp->lo;
}

/* Whether one of a slot's hashes SH is one of the N in H: most slots
 * are told apart here, before anything else is looked at. */
static bool may_be_on(const uint64_t *sh, const uint64_t *h, int n)
{
	for (int k = 0; k < 3; k++)
		for (int i = 0; sh[k] && i < n; i++)
			if (sh[k] == h[i])
				return true;
	return false;
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
	struct span sp;
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
	span_of(f, &sp);
	if (sp.first == UINT64_MAX)
		return;
	/* decided long after its first step (at a close, at the exit): the
	 * ring has moved past it */
	{
		const struct around_slot *oldest = &e->ring->v[e->ring->next];

		if (oldest->used && oldest->ev.seq > sp.first + 1)
			f->around_lost = true;
	}
	/* oldest first: the first AROUND_MAX are kept */
	for (size_t k = 0; k < AROUND_RING; k++) {
		size_t i = (e->ring->next + k) % AROUND_RING;
		const struct around_slot *s = &e->ring->v[i];
		struct around *a;
		const char *pr;

		if (!may_be_on(e->ring->h[i], h, n) || !s->used ||
		    !in_span(s, f, &sp) || !on_paths(s, e->ring->h[i], h, p, n))
			continue;
		if (f->naround == AROUND_MAX) {
			f->around_more++;
			continue;
		}
		if (f->naround == f->around_cap) {
			f->around_cap = f->around_cap ? 2 * f->around_cap : 4;
			f->around =
				xrealloc(f->around, (size_t)f->around_cap *
							    sizeof(*f->around));
		}
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
		if (e->ring->v[i].used && e->ring->v[i].heap)
			evidence_release(&e->ring->v[i].ev);
	free(e->ring);
	e->ring = NULL;
}
