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

/* A lookup that the cache answers: its stat path fails otherwise. */
static int cached(struct dircache *c, const char *dir)
{
	uint32_t uid, mode;

	return dircache_lookup(c, dir, "/nonexistent-fsr", &uid, &mode);
}

static void test_invalidate_exact_and_below(void **state)
{
	struct dircache *c = dircache_new();
	uint32_t uid = 7, mode = 7;

	/* an empty cache: nothing to drop */
	dircache_invalidate(c, "/");
	/* what the stat path says is what DIR gets */
	assert_int_equal(dircache_lookup(c, "/a", "/tmp", &uid, &mode), 0);
	assert_true(S_ISDIR(mode));
	assert_int_equal(dircache_lookup(c, "/ab", "/", &uid, &mode), 0);
	assert_int_equal(dircache_lookup(c, "/a/b", "/", &uid, &mode), 0);
	assert_int_equal(dircache_lookup(c, "/", "/", &uid, &mode), 0);
	assert_int_equal(cached(c, "/a"), 0);
	/* "/a/b" drops itself only: not its parent, not "/ab" */
	dircache_invalidate(c, "/a/b");
	assert_int_equal(cached(c, "/a/b"), -ENOENT);
	assert_int_equal(cached(c, "/a"), 0);
	assert_int_equal(cached(c, "/ab"), 0);
	assert_int_equal(cached(c, "/"), 0);
	/* "/a" drops itself, not "/ab" or "/" */
	dircache_invalidate(c, "/a");
	assert_int_equal(cached(c, "/a"), -ENOENT);
	assert_int_equal(cached(c, "/ab"), 0);
	assert_int_equal(cached(c, "/"), 0);
	/* a missing stat path caches nothing */
	assert_int_equal(cached(c, "/gone"), -ENOENT);
	assert_int_equal(dircache_lookup(c, "/gone", "/", &uid, &mode), 0);
	assert_int_equal(cached(c, "/gone"), 0);
	dircache_free(c);
	dircache_free(NULL);
}

static void test_full_cache_starts_over(void **state)
{
	struct dircache *c = dircache_new();
	uint32_t uid, mode;
	char dir[32];

	for (int i = 0; i < DIRCACHE_MAX; i++) {
		snprintf(dir, sizeof(dir), "/d%d", i);
		assert_int_equal(dircache_lookup(c, dir, "/", &uid, &mode), 0);
	}
	/* all DIRCACHE_MAX are kept */
	assert_int_equal(cached(c, "/d0"), 0);
	assert_int_equal(cached(c, dir), 0);
	/* one more empties it first */
	assert_int_equal(dircache_lookup(c, "/new", "/", &uid, &mode), 0);
	assert_int_equal(cached(c, "/new"), 0);
	assert_int_equal(cached(c, "/d0"), -ENOENT);
	assert_int_equal(cached(c, dir), -ENOENT);
	dircache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_and_invalidate),
		cmocka_unit_test(test_sibling_not_invalidated),
		cmocka_unit_test(test_invalidate_exact_and_below),
		cmocka_unit_test(test_full_cache_starts_over),
	};

	return cmocka_run_group_tests_name("dircache", tests, NULL, NULL);
}
