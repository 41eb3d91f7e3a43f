// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fdtable.h"

static void test_set_get_close(void **state)
{
	struct fdtable *t = fdtable_new();

	assert_null(fdtable_path(t, 3));
	assert_false(fdtable_is_open(t, 3));
	assert_int_equal(fdtable_set(t, 3, "/tmp/a", false), 0);
	assert_string_equal(fdtable_path(t, 3), "/tmp/a");
	assert_true(fdtable_is_open(t, 3));
	fdtable_close(t, 3);
	assert_null(fdtable_path(t, 3));
	assert_false(fdtable_is_open(t, 3));
	/* reuse of the slot with a longer path */
	fdtable_set(t, 3, "/a/much/longer/path/than/before/to/grow/the/buffer",
		    false);
	assert_string_equal(
		fdtable_path(t, 3),
		"/a/much/longer/path/than/before/to/grow/the/buffer");
	fdtable_unref(t);
}

static void test_unknown_path_is_open(void **state)
{
	struct fdtable *t = fdtable_new();

	fdtable_set(t, 5, NULL, false);
	assert_true(fdtable_is_open(t, 5));
	assert_null(fdtable_path(t, 5));
	fdtable_unref(t);
}

static void test_bounds(void **state)
{
	struct fdtable *t = fdtable_new();

	assert_int_equal(fdtable_set(t, -1, "/x", false), -EBADF);
	assert_int_equal(fdtable_set(t, FDTABLE_NR_OPEN, "/x", false), -EBADF);
	assert_int_equal(fdtable_set(t, FDTABLE_NR_OPEN - 1, "/x", false), 0);
	assert_string_equal(fdtable_path(t, FDTABLE_NR_OPEN - 1), "/x");
	assert_int_equal(fdtable_set(t, 1000, "/x", false), 0);
	assert_string_equal(fdtable_path(t, 1000), "/x");
	assert_null(fdtable_path(t, 999999));
	fdtable_unref(t);
}

static void test_dup(void **state)
{
	struct fdtable *t = fdtable_new();

	fdtable_set(t, 3, "/tmp/a", true);
	assert_int_equal(fdtable_dup(t, 3, 10, false), 0);
	assert_string_equal(fdtable_path(t, 10), "/tmp/a");
	/* the copy does not inherit close-on-exec */
	fdtable_exec(t);
	assert_false(fdtable_is_open(t, 3));
	assert_string_equal(fdtable_path(t, 10), "/tmp/a");
	assert_int_equal(fdtable_dup(t, 4, 11, false), -EBADF);
	assert_int_equal(fdtable_dup(t, 10, 10, false), 0);
	fdtable_unref(t);
}

static void test_copy_is_independent(void **state)
{
	struct fdtable *t = fdtable_new();
	struct fdtable *c;

	fdtable_set(t, 0, "/dev/null", false);
	fdtable_set(t, 4, "/tmp/b", false);
	c = fdtable_copy(t);
	fdtable_close(t, 4);
	assert_string_equal(fdtable_path(c, 4), "/tmp/b");
	fdtable_set(c, 5, "/tmp/c", false);
	assert_null(fdtable_path(t, 5));
	fdtable_unref(t);
	fdtable_unref(c);
}

static void test_shared_by_ref(void **state)
{
	struct fdtable *t = fdtable_new();
	struct fdtable *s = fdtable_ref(t);

	fdtable_set(s, 7, "/tmp/shared", false);
	assert_string_equal(fdtable_path(t, 7), "/tmp/shared");
	fdtable_unref(s);
	assert_string_equal(fdtable_path(t, 7), "/tmp/shared");
	fdtable_unref(t);
}

static void test_close_range(void **state)
{
	struct fdtable *t = fdtable_new();

	for (int fd = 0; fd < 10; fd++)
		fdtable_set(t, fd, "/x", false);
	fdtable_close_range(t, 3, 5, true);
	fdtable_close_range(t, 7, ~0u, false);
	assert_true(fdtable_is_open(t, 3));
	assert_false(fdtable_is_open(t, 7));
	assert_false(fdtable_is_open(t, 9));
	fdtable_exec(t);
	assert_false(fdtable_is_open(t, 3));
	assert_false(fdtable_is_open(t, 5));
	assert_true(fdtable_is_open(t, 6));
	assert_true(fdtable_is_open(t, 2));
	fdtable_unref(t);
}

static void test_set_cloexec(void **state)
{
	struct fdtable *t = fdtable_new();

	fdtable_set(t, 3, "/a", false);
	fdtable_set(t, 4, "/b", true);
	fdtable_set_cloexec(t, 3, true);
	fdtable_set_cloexec(t, 4, false);
	fdtable_exec(t);
	assert_false(fdtable_is_open(t, 3));
	assert_true(fdtable_is_open(t, 4));
	fdtable_unref(t);
}

static void test_more_edges(void **state)
{
	struct fdtable *t = fdtable_new();
	struct fdtable *c;

	/* the slot keeps its buffer: a shorter path after a long one */
	fdtable_set(t, 3,
		    "/a/rather/long/path/of/more/than/sixty-four/bytes/"
		    "in/all/of/it",
		    false);
	fdtable_set(t, 3, "/s", false);
	assert_string_equal(fdtable_path(t, 3), "/s");
	/* set with no path after a known one: open, path unknown */
	fdtable_set(t, 3, NULL, false);
	assert_true(fdtable_is_open(t, 3));
	assert_null(fdtable_path(t, 3));
	/* the first table has 64 slots: 63 and 64 on either side */
	assert_int_equal(fdtable_set(t, 63, "/63", true), 0);
	assert_int_equal(fdtable_set(t, 64, "/64", false), 0);
	assert_int_equal(fdtable_set(t, 128, "/128", false), 0);
	assert_string_equal(fdtable_path(t, 63), "/63");
	assert_string_equal(fdtable_path(t, 64), "/64");
	assert_string_equal(fdtable_path(t, 128), "/128");
	assert_false(fdtable_is_open(t, 127));
	assert_false(fdtable_is_open(t, -1));
	assert_false(fdtable_cloexec(t, -1));
	assert_false(fdtable_cloexec(t, 5000));
	/* a copy keeps what is open, unknown paths and close-on-exec */
	c = fdtable_copy(t);
	assert_false(fdtable_shared(c));
	assert_true(fdtable_is_open(c, 3));
	assert_null(fdtable_path(c, 3));
	assert_true(fdtable_cloexec(c, 63));
	assert_false(fdtable_cloexec(c, 64));
	assert_string_equal(fdtable_path(c, 128), "/128");
	assert_false(fdtable_is_open(c, 4));
	fdtable_unref(c);
	/* a closed slot is not copied, nor set close-on-exec */
	fdtable_close(t, 64);
	fdtable_set_cloexec(t, 64, true);
	assert_false(fdtable_cloexec(t, 64));
	c = fdtable_copy(t);
	assert_false(fdtable_is_open(c, 64));
	fdtable_unref(c);
	/* closing out of range is no-op */
	fdtable_close(t, -1);
	fdtable_close(t, 100000);
	fdtable_unref(t);
}

static void test_learn_and_dup_flags(void **state)
{
	struct fdtable *t = fdtable_new();

	/* learning a path keeps the fd's close-on-exec */
	fdtable_set(t, 3, NULL, true);
	assert_int_equal(fdtable_learn(t, 3, "/l"), 0);
	assert_string_equal(fdtable_path(t, 3), "/l");
	assert_true(fdtable_cloexec(t, 3));
	fdtable_set(t, 4, NULL, false);
	fdtable_learn(t, 4, "/m");
	assert_false(fdtable_cloexec(t, 4));
	/* a dup onto itself changes nothing, close-on-exec included */
	assert_int_equal(fdtable_dup(t, 3, 3, false), 0);
	assert_true(fdtable_cloexec(t, 3));
	/* a dup takes the flag it is given */
	assert_int_equal(fdtable_dup(t, 4, 5, true), 0);
	assert_true(fdtable_cloexec(t, 5));
	assert_string_equal(fdtable_path(t, 5), "/m");
	/* of an fd of unknown path: open, unknown */
	fdtable_set(t, 6, NULL, false);
	assert_int_equal(fdtable_dup(t, 6, 4, false), 0);
	assert_true(fdtable_is_open(t, 4));
	assert_null(fdtable_path(t, 4));
	/* onto a slot the table has to grow for: the source moves */
	assert_int_equal(fdtable_dup(t, 5, 5000, false), 0);
	assert_string_equal(fdtable_path(t, 5000), "/m");
	assert_int_equal(fdtable_dup(t, 5, FDTABLE_NR_OPEN, false), -EBADF);
	assert_int_equal(fdtable_dup(t, -1, 7, false), -EBADF);
	fdtable_unref(t);
}

static void test_close_range_edges(void **state)
{
	struct fdtable *t = fdtable_new();

	for (int fd = 0; fd < 10; fd++)
		fdtable_set(t, fd, "/x", false);
	/* one fd: first == last */
	fdtable_close_range(t, 4, 4, false);
	assert_true(fdtable_is_open(t, 3));
	assert_false(fdtable_is_open(t, 4));
	assert_true(fdtable_is_open(t, 5));
	/* beyond the table: nothing, and no growing */
	fdtable_close_range(t, 100, 200, false);
	fdtable_close_range(t, 100, 200, true);
	assert_false(fdtable_is_open(t, 100));
	/* the last slot of the table */
	fdtable_set(t, 63, "/63", false);
	fdtable_close_range(t, 63, 63, true);
	assert_true(fdtable_cloexec(t, 63));
	fdtable_close_range(t, 60, ~0u, false);
	assert_false(fdtable_is_open(t, 63));
	assert_true(fdtable_is_open(t, 9));
	fdtable_unref(t);
}

/* O_NOFOLLOW: kept by dup, fork's copy and a learnt path; a new fd of
 * the same number, a close or an unknown fd has none */
static void test_nofollow(void **state)
{
	struct fdtable *t = fdtable_new(), *c;

	(void)state;
	assert_int_equal(fdtable_set(t, 3, "/d", false), 0);
	assert_false(fdtable_nofollow(t, 3));
	fdtable_set_nofollow(t, 3);
	assert_true(fdtable_nofollow(t, 3));
	assert_int_equal(fdtable_dup(t, 3, 9, false), 0);
	assert_true(fdtable_nofollow(t, 9));
	assert_int_equal(fdtable_learn(t, 3, "/d2"), 0);
	assert_true(fdtable_nofollow(t, 3));
	c = fdtable_copy(t);
	assert_true(fdtable_nofollow(c, 3));
	assert_true(fdtable_nofollow(c, 9));
	assert_int_equal(fdtable_set(t, 9, "/e", false), 0);
	assert_false(fdtable_nofollow(t, 9));
	assert_true(fdtable_nofollow(c, 9));
	fdtable_close(t, 3);
	assert_false(fdtable_nofollow(t, 3));
	fdtable_set_nofollow(t, 3); /* closed: stays unknown */
	assert_false(fdtable_nofollow(t, 3));
	assert_false(fdtable_nofollow(t, 100));
	assert_false(fdtable_nofollow(t, -1));
	fdtable_unref(c);
	fdtable_unref(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_get_close),
		cmocka_unit_test(test_unknown_path_is_open),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_dup),
		cmocka_unit_test(test_copy_is_independent),
		cmocka_unit_test(test_shared_by_ref),
		cmocka_unit_test(test_close_range),
		cmocka_unit_test(test_set_cloexec),
		cmocka_unit_test(test_more_edges),
		cmocka_unit_test(test_learn_and_dup_flags),
		cmocka_unit_test(test_close_range_edges),
		cmocka_unit_test(test_nofollow),
	};

	return cmocka_run_group_tests_name("fdtable", tests, NULL, NULL);
}
