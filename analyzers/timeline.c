// SPDX-License-Identifier: MIT
/* A finding's timeline: lanes, marks, window and a broken axis. */
#include "timeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int lane_of(struct timeline *t, const struct evidence *e,
		   const char *program)
{
	int i;

	for (i = 0; i < t->nlanes; i++)
		if (t->lanes[i].tid == e->tid && t->lanes[i].pid == e->pid)
			break;
	if (i < t->nlanes) {
		if (!t->lanes[i].program)
			t->lanes[i].program = program;
		return i;
	}
	if (t->nlanes == TIMELINE_LANES)
		return -1;
	t->lanes[i].pid = e->pid;
	t->lanes[i].tid = e->tid;
	t->lanes[i].program = program;
	return t->nlanes++;
}

static void add_mark(struct timeline *t, const struct evidence *e,
		     const char *step, const char *program)
{
	int lane = lane_of(t, e, program);
	struct tl_mark *m;

	if (lane < 0) {
		t->more_lanes++;
		return;
	}
	m = &t->marks[t->nmarks++];
	m->ev = e;
	m->step = step;
	m->lane = lane;
}

/* An exit or end step (seq 0, made by the engine) sorts last. */
static uint64_t seq_key(const struct evidence *e)
{
	return e->seq ? e->seq : UINT64_MAX;
}

static int by_seq(const void *a, const void *b)
{
	uint64_t x = seq_key(((const struct tl_mark *)a)->ev);
	uint64_t y = seq_key(((const struct tl_mark *)b)->ev);

	return x < y ? -1 : x > y;
}

/* Where the window ends: the last evidence event's entry, or, when
 * --widen held it there, the end of the hold (the kernel looked the
 * path up then). */
static uint64_t window_end(const struct evidence *e)
{
	return e->ts_enter + (e->widened_ns > 0 ? (uint64_t)e->widened_ns : 0);
}

/*
 * Lay out the axis: each gap between two points as wide as it is long,
 * except the gaps that dominate (over a quarter of the span and five
 * times the next largest), which are broken: drawn a tenth of the rest.
 */
static void layout(struct timeline *t, uint64_t we0, uint64_t we1)
{
	double w[3 * TIMELINE_MARKS];
	bool broken[3 * TIMELINE_MARKS] = {0};
	double rest = 0, total = 0, x = 0;
	int ng = t->npt - 1;

	for (int i = 0; i < ng; i++)
		w[i] = (double)(t->pt[i + 1] - t->pt[i]);
	for (int b = 0; b < TIMELINE_BREAKS; b++) {
		int big = -1, second = -1;
		double sum = 0;

		for (int i = 0; i < ng; i++) {
			/* the window with nothing in it is what the picture
			 * is about: never cut */
			bool whole = we1 > we0 && t->pt[i] <= we0 &&
				     t->pt[i + 1] >= we1;

			if (broken[i])
				continue;
			sum += w[i];
			if (whole)
				continue;
			if (big < 0 || w[i] > w[big]) {
				second = big;
				big = i;
			} else if (second < 0 || w[i] > w[second]) {
				second = i;
			}
		}
		if (big < 0 || w[big] <= sum / 4 ||
		    (second >= 0 && w[big] <= 5 * w[second]))
			break;
		broken[big] = true;
	}
	for (int i = 0; i < ng; i++)
		if (!broken[i])
			rest += w[i];
	if (rest <= 0)
		rest = 1;
	for (int i = 0; i < ng; i++)
		total += broken[i] ? rest / 10 : w[i];
	t->at[0] = 0;
	for (int i = 0; i < ng; i++) {
		double d = broken[i] ? rest / 10 : w[i];

		if (broken[i] && t->nbreaks < TIMELINE_BREAKS) {
			struct tl_break *br = &t->breaks[t->nbreaks++];

			br->x0 = x / total;
			br->x1 = (x + d) / total;
			br->ns = t->pt[i + 1] - t->pt[i];
		}
		x += d;
		t->at[i + 1] = total > 0 ? x / total : 0;
	}
}

static uint64_t start_of(const struct evidence *e)
{
	return e->ts_enter ? e->ts_enter : e->ts_exit;
}

static int by_width(const void *a, const void *b, void *tl)
{
	const struct timeline *t = tl;
	const struct tl_mark *x = &t->marks[*(const int *)a];
	const struct tl_mark *y = &t->marks[*(const int *)b];
	double wx = x->x1 - x->x0, wy = y->x1 - y->x0;

	if (wx != wy)
		return wx > wy ? -1 : 1;
	return *(const int *)a - *(const int *)b;
}

static int by_start(const void *a, const void *b, void *tl)
{
	const struct timeline *t = tl;
	const struct tl_mark *x = &t->marks[*(const int *)a];
	const struct tl_mark *y = &t->marks[*(const int *)b];
	uint64_t sx = start_of(x->ev), sy = start_of(y->ev);

	if (sx != sy)
		return sx < sy ? -1 : 1;
	return *(const int *)a - *(const int *)b;
}

/* The two orders of the marks (the layout is done). */
static void orders(struct timeline *t)
{
	for (int i = 0; i < t->nmarks; i++)
		t->draw[i] = t->by_time[i] = i;
	qsort_r(t->draw, (size_t)t->nmarks, sizeof(int), by_width, t);
	if (t->timed)
		qsort_r(t->by_time, (size_t)t->nmarks, sizeof(int), by_start,
			t);
}

double timeline_x(const struct timeline *t, uint64_t ns)
{
	int lo = 0, hi = t->npt - 1;

	if (t->npt < 2 || ns <= t->pt[0])
		return 0;
	if (ns >= t->pt[hi])
		return 1;
	while (hi - lo > 1) {
		int mid = (lo + hi) / 2;

		if (t->pt[mid] <= ns)
			lo = mid;
		else
			hi = mid;
	}
	return t->at[lo] + (t->at[hi] - t->at[lo]) * (double)(ns - t->pt[lo]) /
				   (double)(t->pt[hi] - t->pt[lo]);
}

void timeline_build(struct timeline *t, const struct finding *f)
{
	int n = 0;

	memset(t, 0, sizeof(*t));
	for (int i = 0; i < f->nev; i++)
		add_mark(t, &f->ev[i], f->ev[i].step ? f->ev[i].step : "?",
			 f->program[i]);
	for (int i = 0; i < f->naround; i++)
		add_mark(t, &f->around[i].ev, NULL, f->around[i].program);
	qsort(t->marks, (size_t)t->nmarks, sizeof(*t->marks), by_seq);
	for (int i = 0; i < t->nmarks; i++) {
		const struct evidence *e = t->marks[i].ev;

		if (e->ts_enter || e->ts_exit)
			t->timed = true;
	}
	if (!t->timed) {
		/* stream order: each mark a slot of its own */
		for (int i = 0; i < t->nmarks; i++) {
			t->marks[i].x0 = (i + 0.1) / t->nmarks;
			t->marks[i].x1 = (i + 0.9) / t->nmarks;
		}
		goto window;
	}
	for (int i = 0; i < t->nmarks; i++) {
		const struct evidence *e = t->marks[i].ev;
		uint64_t in = e->ts_enter ? e->ts_enter : e->ts_exit;

		t->pt[n++] = in;
		t->pt[n++] = e->ts_exit > in ? e->ts_exit : in;
		if (e->widened_ns > 0)
			t->pt[n++] = window_end(e);
	}
	qsort(t->pt, (size_t)n, sizeof(t->pt[0]), cmp_u64);
	t->npt = 0;
	for (int i = 0; i < n; i++)
		if (!t->npt || t->pt[t->npt - 1] != t->pt[i])
			t->pt[t->npt++] = t->pt[i];
	t->t0 = t->pt[0];
	t->span = t->pt[t->npt - 1] - t->pt[0];
	if (f->nev >= 2)
		layout(t, f->ev[0].ts_exit, window_end(&f->ev[f->nev - 1]));
	else
		layout(t, 0, 0);
	for (int i = 0; i < t->nmarks; i++) {
		const struct evidence *e = t->marks[i].ev;
		uint64_t in = e->ts_enter ? e->ts_enter : e->ts_exit;

		t->marks[i].x0 = timeline_x(t, in);
		t->marks[i].x1 =
			timeline_x(t, e->ts_exit > in ? e->ts_exit : in);
	}
window:
	orders(t);
	if (f->nev >= 2) {
		const struct evidence *a = &f->ev[0], *b = &f->ev[f->nev - 1];
		double x0 = -1, x1 = -1;

		for (int i = 0; i < t->nmarks; i++) {
			if (t->marks[i].ev == a)
				x0 = t->marks[i].x1;
			if (t->marks[i].ev == b)
				x1 = t->timed && b->widened_ns > 0
					     ? timeline_x(t, window_end(b))
					     : t->marks[i].x0;
		}
		if (x0 >= 0 && x1 >= x0) {
			t->window = true;
			t->wx0 = x0;
			t->wx1 = x1;
		}
	}
}

const char *timeline_duration(uint64_t ns, char *buf, unsigned size)
{
	if (ns < 10000)
		snprintf(buf, size, "%.1f µs", (double)ns / 1e3);
	else if (ns < 1000000)
		snprintf(buf, size, "%llu µs", (unsigned long long)(ns / 1000));
	else if (ns < 1000000000)
		snprintf(buf, size, "%.1f ms", (double)ns / 1e6);
	else
		snprintf(buf, size, "%.2f s", (double)ns / 1e9);
	return buf;
}
