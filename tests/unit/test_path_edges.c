// SPDX-License-Identifier: MIT
/*
 * path_dirname() at the edges of the buffer it is given: the exact size
 * that holds the result (and its NUL) works, one byte less is
 * -ENAMETOOLONG with nothing written past the buffer.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "path.h"

static void test_dirname_root_size(void **state)
{
	char buf[4];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(path_dirname("/a", buf, 2), 1);
	assert_memory_equal(buf, "/\0xx", 4);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(path_dirname("a", buf, 2), 1);
	assert_memory_equal(buf, "/\0xx", 4);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(path_dirname("/a", buf, 1), -ENAMETOOLONG);
	assert_memory_equal(buf + 1, "xxx", 3);
	assert_int_equal(path_dirname("/a", buf, 0), -ENAMETOOLONG);
}

static void test_dirname_size(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(path_dirname("/ab/c", buf, 4), 3);
	assert_memory_equal(buf, "/ab\0xxxx", 8);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(path_dirname("/ab/c", buf, 3), -ENAMETOOLONG);
	assert_memory_equal(buf + 3, "xxxxx", 5);
}

/*
 * path_resolve() at the edges of its buffer: the exact size that holds
 * the result and its NUL works, whether the last component goes after
 * the root (no slash added) or after a component (a slash added); one
 * byte less is -ENAMETOOLONG, with "" in the buffer. The base is
 * resolved first: it must fit too, even when a ".." of RAW then drops
 * its last component.
 */
static void test_resolve_size(void **state)
{
	static const struct {
		const char *base, *raw, *want;
	} cases[] = {
		{NULL, "a", "/a"},	    {NULL, "/ab", "/ab"},
		{"/", "ab", "/ab"},	    {"/a", "b", "/a/b"},
		{"/a", "bc", "/a/bc"},	    {"/", "a/../b", "/b"},
		{NULL, "/a/..//./b", "/b"}, {NULL, "", "/"},
	};
	char buf[16];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = strlen(cases[i].want);

		memset(buf, 'x', sizeof(buf));
		assert_int_equal(
			path_resolve(cases[i].base, cases[i].raw, buf, n + 1),
			(int)n);
		assert_string_equal(buf, cases[i].want);
		assert_memory_equal(buf + n + 1, "xxxx", 4);
		if (n < 2)
			continue;
		memset(buf, 'x', sizeof(buf));
		assert_int_equal(
			path_resolve(cases[i].base, cases[i].raw, buf, n),
			-ENAMETOOLONG);
		assert_string_equal(buf, "");
		assert_memory_equal(buf + n, "xxxx", 4);
	}
	/* "/" itself needs 2 bytes; fewer are too few */
	assert_int_equal(path_resolve(NULL, "/", buf, 2), 1);
	assert_string_equal(buf, "/");
	assert_int_equal(path_resolve(NULL, "/", buf, 1), -ENAMETOOLONG);
	assert_int_equal(path_resolve(NULL, "/", buf, 0), -ENAMETOOLONG);
	/* the base alone too long: so is the whole */
	assert_int_equal(path_resolve("/ab/c", "..", buf, 6), 3);
	assert_string_equal(buf, "/ab");
	assert_int_equal(path_resolve("/ab/c", "..", buf, 5), -ENAMETOOLONG);
	assert_int_equal(path_resolve("/abcdefgh", "x", buf, 8), -ENAMETOOLONG);
	assert_string_equal(buf, "");
	/* an absolute path ignores the base, however long */
	assert_int_equal(
		path_resolve("/abcdefghijklmnopqrstuvwxyz", "/x", buf, 3), 2);
	assert_string_equal(buf, "/x");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dirname_root_size),
		cmocka_unit_test(test_dirname_size),
		cmocka_unit_test(test_resolve_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
