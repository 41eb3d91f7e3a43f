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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dirname_root_size),
		cmocka_unit_test(test_dirname_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
