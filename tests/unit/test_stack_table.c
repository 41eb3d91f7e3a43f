// SPDX-License-Identifier: MIT
/*
 * schema/stacks.c at its ceilings: STACK_TABLE_STACKS_MAX distinct
 * stacks, STACK_TABLE_MODULES_MAX modules, STACK_TABLE_NAMES_MAX names
 * of frames. Past each, what is new is refused (NULL, or -ENOSPC as read
 * from a trace) and counted, and what the table holds is still found.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "stacks.h"

static const struct stack_trace *
one(struct stack_table *t, const struct stack_module *m, uint64_t addr)
{
	struct stack_pc pc = {m, addr, NULL};

	return stack_table_intern(t, &pc, 1, NULL, 0);
}

static void test_stacks_past_the_ceiling(void **state)
{
	struct stack_table *t = stack_table_new();
	const struct stack_module *m =
		stack_table_module(t, "/a", 1, 2, NULL, 0);
	const struct stack_trace *first = NULL, *last = NULL;
	struct stack_drops d = {0};
	struct stack_pc pc = {m, 7, NULL};

	for (uint64_t i = 0; i < STACK_TABLE_STACKS_MAX; i++) {
		last = one(t, m, i);
		assert_non_null(last);
		if (!i)
			first = last;
	}
	assert_int_equal(stack_table_stacks(t), STACK_TABLE_STACKS_MAX);
	/* the ones held are still found; a new one is not made */
	assert_ptr_equal(one(t, m, 0), first);
	assert_ptr_equal(one(t, m, STACK_TABLE_STACKS_MAX - 1), last);
	assert_null(one(t, m, STACK_TABLE_STACKS_MAX));
	assert_null(one(t, m, STACK_TABLE_STACKS_MAX + 1));
	assert_int_equal(stack_table_add_stack(t, STACK_TABLE_STACKS_MAX + 1,
					       &pc, 1, NULL, 0),
			 -ENOSPC);
	stack_table_drops(t, &d);
	assert_int_equal(d.stacks, 2);
	assert_int_equal(d.modules, 0);
	assert_int_equal(d.names, 0);
	stack_table_free(t);
}

static void test_modules_past_the_ceiling(void **state)
{
	struct stack_table *t = stack_table_new();
	const struct stack_module *first = NULL;
	struct stack_drops d = {0};
	char path[32];

	for (unsigned i = 0; i < STACK_TABLE_MODULES_MAX; i++) {
		const struct stack_module *m;

		snprintf(path, sizeof(path), "/lib/m%u.so", i);
		m = stack_table_module(t, path, 1, i, NULL, 0);
		assert_non_null(m);
		if (!i)
			first = m;
	}
	assert_ptr_equal(stack_table_module(t, "/lib/m0.so", 1, 0, NULL, 0),
			 first);
	assert_null(stack_table_module(t, "/lib/new.so", 1, 1 << 30, NULL, 0));
	assert_int_equal(stack_table_add_module(t, STACK_TABLE_MODULES_MAX + 1,
						"/lib/read.so", 1, 1, NULL, 0),
			 -ENOSPC);
	stack_table_drops(t, &d);
	assert_int_equal(d.modules, 1);
	assert_int_equal(d.stacks, 0);
	stack_table_free(t);
}

static void test_names_past_the_ceiling(void **state)
{
	struct stack_table *t = stack_table_new();
	const struct stack_named *first = NULL, *n;
	struct stack_py py = {"/w/app.py", "main", 3};
	struct stack_pc pc = {NULL, 1, NULL};
	struct stack_drops d = {0};
	char fn[32];

	/* a function name and its frame are two names */
	for (unsigned i = 0; i < STACK_TABLE_NAMES_MAX / 2; i++) {
		snprintf(fn, sizeof(fn), "f%u", i);
		n = stack_table_named(t, fn, 0x1d, NULL, 0);
		assert_non_null(n);
		if (!i)
			first = n;
	}
	assert_ptr_equal(stack_table_named(t, "f0", 0x1d, NULL, 0), first);
	/* a new frame of a name held, a new name */
	assert_null(stack_table_named(t, "f0", 0x1e, NULL, 0));
	assert_null(stack_table_named(t, "g", 0x1d, NULL, 0));
	/* a Python stack whose names are new is not kept */
	assert_null(stack_table_intern(t, &pc, 1, &py, 1));
	stack_table_drops(t, &d);
	assert_int_equal(d.names, 3);
	assert_int_equal(d.stacks, 1);
	/* a native one without names still is */
	assert_non_null(stack_table_intern(t, &pc, 1, NULL, 0));
	stack_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stacks_past_the_ceiling),
		cmocka_unit_test(test_modules_past_the_ceiling),
		cmocka_unit_test(test_names_past_the_ceiling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
