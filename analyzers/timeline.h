/* SPDX-License-Identifier: MIT */
/*
 * A finding's timeline, laid out once for the HTML report and for
 * fsrace show (docs/findings.md, "Timeline"): one lane per thread, its
 * evidence and the events around it as marks from entry to exit, and the
 * window between its first and last evidence.
 *
 * The axis is real time, broken where one gap dominates: a gap that is
 * over a quarter of the span and five times the next largest is drawn a
 * tenth as wide as the rest and labelled with its length, so that a 20
 * µs window next to a pause of seconds stays readable. Without
 * timestamps (a strace log without -t) the marks are in stream order,
 * equally spaced.
 */
#ifndef FSRACE_TIMELINE_H
#define FSRACE_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "findings.h"

#define TIMELINE_LANES 16
#define TIMELINE_BREAKS 4

struct tl_lane {
	int pid, tid;
	const char *program; /* borrowed from the finding, or NULL */
};

struct tl_mark {
	const struct evidence *ev; /* borrowed from the finding */
	const char *step;	   /* the evidence's step, NULL around it */
	int lane;
	double x0, x1; /* entry and exit, 0 to 1 */
};

struct tl_break {
	double x0, x1; /* where it is drawn */
	uint64_t ns;   /* the time it stands for */
};

#define TIMELINE_MARKS (RULE_MAX_STEPS + AROUND_MAX)

struct timeline {
	struct tl_lane lanes[TIMELINE_LANES];
	int nlanes;
	uint64_t more_lanes; /* marks of threads past the last lane: left out */
	struct tl_mark marks[TIMELINE_MARKS];
	int nmarks;
	bool timed;	   /* false: in stream order */
	uint64_t t0, span; /* ns: the first entry, to the last exit */
	bool window;	   /* a window to shade (two evidence events) */
	double wx0, wx1; /* it: the first evidence's exit to the last's entry */
	struct tl_break breaks[TIMELINE_BREAKS];
	int nbreaks;
	/* the marks (indexes) in the order to draw them, the longest
	 * first, so that a short one on a long one shows; and in the order
	 * they started */
	int draw[TIMELINE_MARKS];
	int by_time[TIMELINE_MARKS];
	/* the axis: every entry and exit, sorted, and where each is drawn */
	uint64_t pt[3 * TIMELINE_MARKS];
	double at[3 * TIMELINE_MARKS];
	int npt;
};

void timeline_build(struct timeline *t, const struct finding *f);

/* Where time T (ns) is drawn, 0 to 1 (a timed timeline). */
double timeline_x(const struct timeline *t, uint64_t ns);

/* "21 µs", "3.2 ms", "1.5 s" for NS into BUF. */
const char *timeline_duration(uint64_t ns, char *buf, unsigned size);

#endif
