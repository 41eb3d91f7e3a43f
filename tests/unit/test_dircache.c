// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "dircache.h"

static void test_lookup_and_invalidate(void **state)
{
	char dir[] = "/tmp/fsrace-dircache-XXXXXX";
	char sub[64];
	struct dircache *c = dircache_new();
	uint32_t uid, mode;

	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(dircache_lookup(c, sub, sub, &uid, &mode), 0);
	assert_int_equal(mode & 07777, 0700);
	assert_int_equal(uid, getuid());

	/* cached: a change is not seen until invalidated */
	chmod(sub, 01777);
	assert_int_equal(dircache_lookup(c, sub, sub, &uid, &mode), 0);
	assert_int_equal(mode & 07777, 0700);
	/* invalidating the parent drops what is below it */
	dircache_invalidate(c, dir);
	assert_int_equal(dircache_lookup(c, sub, sub, &uid, &mode), 0);
	assert_int_equal(mode & 07777, 01777);
	assert_true(S_ISDIR(mode));

	rmdir(sub);
	dircache_invalidate(c, sub);
	assert_int_equal(dircache_lookup(c, sub, sub, &uid, &mode), -ENOENT);
	rmdir(dir);
	dircache_free(c);
}

static void test_sibling_not_invalidated(void **state)
{
	struct dircache *c = dircache_new();
	uint32_t uid, mode;

	assert_int_equal(dircache_lookup(c, "/tmp", "/tmp", &uid, &mode), 0);
	assert_int_equal(dircache_lookup(c, "/", "/", &uid, &mode), 0);
	/* "/tm" is not a parent of "/tmp" */
	dircache_invalidate(c, "/tm");
	/* stat path that fails proves the entry came from the cache */
	assert_int_equal(
		dircache_lookup(c, "/tmp", "/nonexistent", &uid, &mode), 0);
	dircache_invalidate(c, "/");
	assert_int_equal(
		dircache_lookup(c, "/tmp", "/nonexistent", &uid, &mode),
		-ENOENT);
	dircache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_and_invalidate),
		cmocka_unit_test(test_sibling_not_invalidated),
	};

	return cmocka_run_group_tests_name("dircache", tests, NULL, NULL);
}
