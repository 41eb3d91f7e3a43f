// SPDX-License-Identifier: MIT
/* The shared utilities: hashmap and strbuf. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "hashmap.h"
#include "strbuf.h"
#include "util.h"

struct item {
	struct hashmap_entry ent;
	int key;
	bool seen;
};

static bool item_eq(const struct hashmap_entry *e, const void *key)
{
	return container_of(e, struct item, ent)->key == *(const int *)key;
}

static struct item *get(struct hashmap *m, int key)
{
	struct hashmap_entry *e = hashmap_get(m, hash_int(key), &key);

	return e ? container_of(e, struct item, ent) : NULL;
}

static void test_hashmap_put_get_grow(void **state)
{
	enum { N = 5000 };
	struct item *v = xcalloc(N, sizeof(*v));
	struct hashmap m;

	hashmap_init(&m, item_eq, 0);
	assert_int_equal(m.size, 16);
	for (int i = 0; i < N; i++) {
		v[i].key = i * 7919;
		hashmap_put(&m, &v[i].ent, hash_int(v[i].key));
	}
	assert_int_equal(m.count, N);
	/* grown past 3/4 load, a power of two */
	assert_true(m.size >= N * 4 / 3);
	assert_int_equal(m.size & (m.size - 1), 0);
	for (int i = 0; i < N; i++)
		assert_ptr_equal(get(&m, i * 7919), &v[i]);
	assert_null(get(&m, 1));
	assert_null(get(&m, -7919));
	hashmap_release(&m);
	free(v);
}

static void test_hashmap_initial_size(void **state)
{
	struct hashmap m;

	hashmap_init(&m, item_eq, 100);
	/* room for 100 without growing: 256 * 3/4 = 192, 128 * 3/4 = 96 */
	assert_int_equal(m.size, 256);
	hashmap_release(&m);
	assert_null(m.table);
}

static void test_hashmap_remove(void **state)
{
	struct item v[40];
	struct hashmap m;
	int k;

	hashmap_init(&m, item_eq, 0);
	for (int i = 0; i < 40; i++) {
		v[i].key = i;
		hashmap_put(&m, &v[i].ent, hash_int(i));
	}
	k = 7;
	assert_ptr_equal(hashmap_remove(&m, hash_int(k), &k), &v[7].ent);
	assert_null(hashmap_remove(&m, hash_int(k), &k));
	assert_null(get(&m, 7));
	hashmap_remove_entry(&m, &v[8].ent);
	assert_null(get(&m, 8));
	assert_ptr_equal(get(&m, 9), &v[9]);
	assert_int_equal(m.count, 38);
	hashmap_release(&m);
}

/* Entries with equal hashes are told apart by the eq function. */
static uint32_t hash_collide(int key)
{
	return (uint32_t)(key & 1);
}

static void test_hashmap_collisions(void **state)
{
	struct item v[10];
	struct hashmap m;

	hashmap_init(&m, item_eq, 0);
	for (int i = 0; i < 10; i++) {
		v[i].key = i;
		hashmap_put(&m, &v[i].ent, hash_collide(i));
	}
	for (int i = 0; i < 10; i++) {
		struct hashmap_entry *e = hashmap_get(&m, hash_collide(i), &i);

		assert_ptr_equal(e, &v[i].ent);
	}
	hashmap_release(&m);
}

static void test_hashmap_iter_removes(void **state)
{
	enum { N = 300 };
	struct item *v = xcalloc(N, sizeof(*v));
	struct hashmap_iter it;
	struct hashmap_entry *e;
	struct hashmap m;
	int n = 0;

	hashmap_init(&m, item_eq, 0);
	for (int i = 0; i < N; i++) {
		v[i].key = i;
		hashmap_put(&m, &v[i].ent, hash_int(i));
	}
	hashmap_iter_init(&m, &it);
	while ((e = hashmap_iter_next(&it))) {
		struct item *t = container_of(e, struct item, ent);

		assert_false(t->seen);
		t->seen = true;
		n++;
		/* removing what was just returned is allowed */
		if (t->key % 2)
			hashmap_remove_entry(&m, e);
	}
	assert_int_equal(n, N);
	assert_int_equal(m.count, N / 2);
	for (int i = 0; i < N; i++)
		assert_true(v[i].seen && (get(&m, i) != NULL) == !(i % 2));
	hashmap_release(&m);
	free(v);
}

/* Iteration reads the table's SIZE buckets, the last one included, and
 * not the one after it: a table with a stray entry past its end shows. */
static void test_hashmap_iter_bounds(void **state)
{
	struct hashmap_entry **t = xcalloc(17, sizeof(*t));
	struct item last = {.key = 1}, stray = {.key = 2};
	struct hashmap_iter it;
	struct hashmap m;

	hashmap_init(&m, item_eq, 0);
	assert_int_equal(m.size, 16);
	free(m.table);
	m.table = t;
	/* bucket 15, the last */
	hashmap_put(&m, &last.ent, 15);
	assert_ptr_equal(t[15], &last.ent);
	t[16] = &stray.ent;
	hashmap_iter_init(&m, &it);
	assert_ptr_equal(hashmap_iter_next(&it), &last.ent);
	assert_null(hashmap_iter_next(&it));
	assert_null(hashmap_iter_next(&it));
	t[16] = NULL;
	hashmap_release(&m);
	/* an empty map iterates nothing */
	hashmap_init(&m, item_eq, 0);
	hashmap_iter_init(&m, &it);
	assert_null(hashmap_iter_next(&it));
	hashmap_release(&m);
}

static void test_hash_str(void **state)
{
	/* FNV-1a's published test vectors */
	assert_int_equal(hash_str(""), 0x811c9dc5u);
	assert_int_equal(hash_str("a"), 0xe40c292cu);
	assert_int_equal(hash_str("foobar"), 0xbf9cf968u);
	assert_int_equal(hash_bytes("foobar", 6), 0xbf9cf968u);
	assert_int_not_equal(hash_int(1), hash_int(2));
}

static void test_strbuf_empty(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = 99;
	char *s;

	assert_string_equal(sb.buf, "");
	strbuf_reset(&sb);
	s = strbuf_detach(&sb, &len);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
	strbuf_release(&sb);
	assert_string_equal(sb.buf, "");
}

static void test_strbuf_add(void **state)
{
	struct strbuf sb;
	char big[1000];

	strbuf_init(&sb, 0);
	strbuf_addstr(&sb, "abc");
	strbuf_addch(&sb, '/');
	strbuf_add(&sb, "xyz", 2);
	assert_string_equal(sb.buf, "abc/xy");
	assert_int_equal(sb.len, 6);
	memset(big, 'q', sizeof(big));
	strbuf_add(&sb, big, sizeof(big));
	assert_int_equal(sb.len, 1006);
	assert_int_equal(sb.buf[1006], '\0');
	assert_true(sb.alloc > 1006);
	strbuf_reset(&sb);
	assert_string_equal(sb.buf, "");
	strbuf_release(&sb);
}

static void test_strbuf_addf(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;

	strbuf_addf(&sb, "%d-%s", 42, "x");
	assert_string_equal(sb.buf, "42-x");
	/* longer than what is allocated: formatted again after growing */
	strbuf_addf(&sb, "%0200d", 7);
	assert_int_equal(sb.len, 204);
	assert_int_equal(sb.buf[203], '7');
	assert_int_equal(sb.buf[4], '0');
	s = strbuf_detach(&sb, NULL);
	assert_int_equal(strlen(s), 204);
	free(s);
	assert_string_equal(sb.buf, "");
}

/* The allocation: 64 bytes at first, doubled until what is asked fits
 * with its NUL, and not before: a string that exactly fills it stays. */
static void test_strbuf_alloc(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char s63[64], s64[65];

	memset(s63, 'a', 63);
	s63[63] = '\0';
	memset(s64, 'b', 64);
	s64[64] = '\0';
	strbuf_addch(&sb, 'x');
	assert_int_equal(sb.alloc, 64);
	strbuf_reset(&sb);
	strbuf_addstr(&sb, s63);
	assert_int_equal(sb.alloc, 64);
	assert_string_equal(sb.buf, s63);
	strbuf_addch(&sb, 'c');
	assert_int_equal(sb.alloc, 128);
	assert_int_equal(sb.len, 64);
	assert_int_equal(sb.buf[62], 'a');
	assert_int_equal(sb.buf[63], 'c');
	assert_int_equal(sb.buf[64], '\0');
	strbuf_release(&sb);
	assert_int_equal(sb.alloc, 0);
	strbuf_init(&sb, 200);
	assert_int_equal(sb.alloc, 256);
	assert_string_equal(sb.buf, "");
	strbuf_release(&sb);
	strbuf_init(&sb, 63);
	assert_int_equal(sb.alloc, 64);
	strbuf_release(&sb);

	/* formatted: exactly the room left fits with its NUL, one more is
	 * formatted again after growing */
	strbuf_addch(&sb, 'x');
	strbuf_addf(&sb, "%s", s63 + 1);
	assert_int_equal(sb.len, 63);
	assert_int_equal(sb.alloc, 64);
	assert_int_equal(sb.buf[62], 'a');
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s", s64);
	assert_int_equal(sb.len, 64);
	assert_int_equal(sb.alloc, 128);
	assert_string_equal(sb.buf, s64);
	strbuf_addf(&sb, "%s", "");
	assert_int_equal(sb.len, 64);
	strbuf_release(&sb);
	strbuf_addf(&sb, "%s", "");
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
	strbuf_release(&sb);
}

/* Nanoseconds of the realtime clock: the same second as time(). */
static void test_now_ns(void **state)
{
	long long before = (long long)time(NULL);
	long long ns = (long long)now_ns();
	long long after = (long long)time(NULL);

	assert_true(ns >= before * 1000000000LL);
	assert_true(ns < (after + 1) * 1000000000LL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hashmap_put_get_grow),
		cmocka_unit_test(test_hashmap_initial_size),
		cmocka_unit_test(test_hashmap_remove),
		cmocka_unit_test(test_hashmap_collisions),
		cmocka_unit_test(test_hashmap_iter_removes),
		cmocka_unit_test(test_hashmap_iter_bounds),
		cmocka_unit_test(test_hash_str),
		cmocka_unit_test(test_strbuf_empty),
		cmocka_unit_test(test_strbuf_add),
		cmocka_unit_test(test_strbuf_addf),
		cmocka_unit_test(test_strbuf_alloc),
		cmocka_unit_test(test_now_ns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
