// SPDX-License-Identifier: MIT
/*
 * The timeline's layout (analyzers/timeline.c), on findings built here:
 * lanes by thread, marks in time order, the window, and the broken axis
 * that keeps a 20 µs window readable next to a pause of seconds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "timeline.h"

#define US 1000ULL
#define S 1000000000ULL

static struct finding f;
static struct around ar[4];

static void ev(struct evidence *e, const char *step, uint64_t seq, int pid,
	       int tid, uint64_t in, uint64_t out)
{
	memset(e, 0, sizeof(*e));
	e->step = step;
	e->seq = seq;
	e->pid = pid;
	e->tid = tid;
	e->ts_enter = in;
	e->ts_exit = out;
	e->syscall = "openat";
}

static void setup(void)
{
	memset(&f, 0, sizeof(f));
	memset(ar, 0, sizeof(ar));
}

/* A 20 µs window, another process in it: one linear axis, marks where
 * their times put them. */
static void test_linear(void **state)
{
	struct timeline t;

	(void)state;
	setup();
	ev(&f.ev[0], "check", 5, 100, 100, 1000 * US, 1002 * US);
	ev(&f.ev[1], "use", 9, 100, 100, 1022 * US, 1024 * US);
	f.nev = 2;
	ev(&ar[0].ev, "around", 7, 200, 200, 1012 * US, 1013 * US);
	f.around = ar;
	f.naround = 1;
	timeline_build(&t, &f);
	assert_true(t.timed);
	assert_int_equal(t.nbreaks, 0);
	assert_int_equal(t.nlanes, 2);
	assert_int_equal(t.lanes[0].pid, 100);
	assert_int_equal(t.lanes[1].pid, 200);
	assert_int_equal(t.nmarks, 3);
	/* in stream order: check, the other process, use */
	assert_int_equal(t.marks[0].ev->seq, 5);
	assert_null(t.marks[1].step);
	assert_int_equal(t.marks[1].lane, 1);
	assert_int_equal(t.marks[2].ev->seq, 9);
	assert_int_equal(t.span, 24 * US);
	/* 12 of 24 µs: the middle */
	assert_true(t.marks[1].x0 > 0.49 && t.marks[1].x0 < 0.51);
	assert_true(t.marks[2].x1 > 0.999);
	assert_true(t.window);
	assert_true(t.wx0 > 0.08 && t.wx0 < 0.09); /* 2 of 24 */
	assert_true(t.wx1 > 0.91 && t.wx1 < 0.92); /* 22 of 24 */
}

/* A check, another process 10 µs later, the use 2 s later: the 2 s are
 * cut out, so the first two stay apart. */
static void test_broken(void **state)
{
	struct timeline t;

	(void)state;
	setup();
	ev(&f.ev[0], "check", 1, 100, 100, 0 * US + 1, 2 * US + 1);
	ev(&f.ev[1], "use", 3, 100, 100, 2 * S, 2 * S + 2 * US);
	f.nev = 2;
	ev(&ar[0].ev, "around", 2, 200, 200, 10 * US + 1, 11 * US + 1);
	f.around = ar;
	f.naround = 1;
	timeline_build(&t, &f);
	assert_int_equal(t.nbreaks, 1);
	assert_true(t.breaks[0].ns > 2 * S - 20 * US && t.breaks[0].ns < 2 * S);
	/* linear, 10 µs would be 5e-6 of the width: now well apart */
	assert_true(t.marks[1].x0 - t.marks[0].x1 > 0.3);
	assert_true(t.breaks[0].x0 >= t.marks[1].x1);
	assert_true(t.breaks[0].x1 <= t.marks[2].x0);
	assert_true(t.marks[0].x0 < t.marks[1].x0 &&
		    t.marks[1].x0 < t.marks[2].x0);
}

/* A check, a 20 µs window with nothing in it, a use: the window is what
 * the picture is about, never cut, however short the calls. */
static void test_empty_window_not_cut(void **state)
{
	struct timeline t;

	(void)state;
	setup();
	ev(&f.ev[0], "check", 1, 100, 100, 1000 * US, 1002 * US);
	ev(&f.ev[1], "use", 2, 100, 100, 1022 * US, 1024 * US);
	f.nev = 2;
	timeline_build(&t, &f);
	assert_int_equal(t.nbreaks, 0);
	assert_true(t.wx1 - t.wx0 > 0.8); /* 20 of 24 µs */
}

/* A use --widen held: the window ends when the hold did. */
static void test_widened_window(void **state)
{
	struct timeline t;

	(void)state;
	setup();
	ev(&f.ev[0], "check", 1, 100, 100, 0 * US + 1, 2 * US + 1);
	ev(&f.ev[1], "use", 3, 100, 100, 10 * US, 20010 * US);
	f.ev[1].widened_ns = 20000 * US;
	f.nev = 2;
	timeline_build(&t, &f);
	assert_true(t.wx1 > 0.99);
}

/* Evenly spread events: no gap dominates, nothing is cut. */
static void test_no_break_for_even_gaps(void **state)
{
	struct timeline t;

	(void)state;
	setup();
	ev(&f.ev[0], "check", 1, 100, 100, 1 * S, 1 * S + 1);
	ev(&f.ev[1], "use", 3, 100, 100, 3 * S, 3 * S + 1);
	f.nev = 2;
	ev(&ar[0].ev, "around", 2, 100, 101, 2 * S, 2 * S + 1);
	f.around = ar;
	f.naround = 1;
	timeline_build(&t, &f);
	assert_int_equal(t.nbreaks, 0);
	/* a thread of its own: a lane of its own */
	assert_int_equal(t.nlanes, 2);
	assert_int_equal(t.lanes[1].tid, 101);
}

/* A log without timestamps: stream order, evenly spaced. */
static void test_untimed(void **state)
{
	struct timeline t;

	(void)state;
	setup();
	ev(&f.ev[0], "check", 4, 100, 100, 0, 0);
	ev(&f.ev[1], "use", 8, 100, 100, 0, 0);
	f.nev = 2;
	f.window_unknown = true;
	timeline_build(&t, &f);
	assert_false(t.timed);
	assert_true(t.marks[0].x1 < t.marks[1].x0);
	assert_true(t.window);
}

static void test_duration(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(timeline_duration(1500, b, sizeof(b)),
			    "1.5 \u00b5s");
	assert_string_equal(timeline_duration(21 * US, b, sizeof(b)),
			    "21 \u00b5s");
	assert_string_equal(timeline_duration(3200 * US, b, sizeof(b)),
			    "3.2 ms");
	assert_string_equal(timeline_duration(2 * S, b, sizeof(b)), "2.00 s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linear),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_no_break_for_even_gaps),
		cmocka_unit_test(test_empty_window_not_cut),
		cmocka_unit_test(test_widened_window),
		cmocka_unit_test(test_untimed),
		cmocka_unit_test(test_duration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
