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
	};

	return cmocka_run_group_tests_name("fdtable", tests, NULL, NULL);
}
