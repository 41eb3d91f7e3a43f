// SPDX-License-Identifier: MIT
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "path.h"

static void check(const char *base, const char *raw, const char *want)
{
	char out[PATH_MAX];
	int n = path_resolve(base, raw, out, sizeof(out));

	assert_int_equal(n, (int)strlen(want));
	assert_string_equal(out, want);
}

static void test_absolute_ignores_base(void **state)
{
	check("/home/u", "/etc/passwd", "/etc/passwd");
	check(NULL, "/etc/passwd", "/etc/passwd");
}

static void test_relative_joins_base(void **state)
{
	check("/home/u", "notes.txt", "/home/u/notes.txt");
	check("/", "tmp/x", "/tmp/x");
}

static void test_dot_and_slashes(void **state)
{
	check("/home/u", "./a//b/./c/", "/home/u/a/b/c");
	check("/home/u/", ".", "/home/u");
	check("//home///u", "", "/home/u");
}

static void test_dotdot(void **state)
{
	check("/home/u", "../v/x", "/home/v/x");
	check("/home/u", "a/../../..", "/");
	check("/", "../../etc", "/etc");
	check("/a/b", "..", "/a");
}

static void test_root(void **state)
{
	check("/", "", "/");
	check("/", "/", "/");
	check("/x", "/..", "/");
}

static void test_too_long(void **state)
{
	char big[300];
	char out[64];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(path_resolve("/", big, out, sizeof(out)),
			 -ENAMETOOLONG);
	assert_string_equal(out, "");
}

static void test_dirname(void **state)
{
	char out[PATH_MAX];

	assert_int_equal(path_dirname("/a/b", out, sizeof(out)), 2);
	assert_string_equal(out, "/a");
	assert_int_equal(path_dirname("/a", out, sizeof(out)), 1);
	assert_string_equal(out, "/");
	assert_int_equal(path_dirname("/", out, sizeof(out)), 1);
	assert_string_equal(out, "/");
	assert_int_equal(path_dirname("/tmp/dir/file", out, 4), -ENAMETOOLONG);
}

/* write-outside-roots' roots: a sibling with a longer name is not under */
static void test_is_under(void **state)
{
	(void)state;
	assert_true(path_is_under("/w/root", "/w/root"));
	assert_true(path_is_under("/w/root/a/b", "/w/root"));
	assert_true(path_is_under("/w/root/a", "/w/root/"));
	assert_true(path_is_under("/etc/passwd", "/"));
	assert_false(path_is_under("/w/root2", "/w/root"));
	assert_false(path_is_under("/w/roo", "/w/root"));
	assert_false(path_is_under("/w", "/w/root"));
	assert_false(path_is_under("/w/root", ""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absolute_ignores_base),
		cmocka_unit_test(test_relative_joins_base),
		cmocka_unit_test(test_dot_and_slashes),
		cmocka_unit_test(test_dotdot),
		cmocka_unit_test(test_root),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_dirname),
		cmocka_unit_test(test_is_under),
	};

	return cmocka_run_group_tests_name("path", tests, NULL, NULL);
}
