/* SPDX-License-Identifier: MIT */
/*
 * A chained hash table of entries embedded in the caller's structs, after
 * git's hashmap.h: the map owns only its bucket array, never the entries.
 * For the cold tables (tasks, rules, names, directories); the engine's two
 * hot tables stay hand-tuned.
 *
 *	struct task { struct hashmap_entry ent; int tid; ... };
 *
 *	static bool task_eq(const struct hashmap_entry *e, const void *key)
 *	{
 *		return container_of(e, struct task, ent)->tid == *(int *)key;
 *	}
 *
 *	hashmap_init(&m, task_eq, 0);
 *	hashmap_put(&m, &t->ent, hash_int(t->tid));
 *	e = hashmap_get(&m, hash_int(tid), &tid);
 */
#ifndef FSRACE_HASHMAP_H
#define FSRACE_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define container_of(ptr, type, member)                                        \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

struct hashmap_entry {
	struct hashmap_entry *next;
	uint32_t hash;
};

/* Does entry E have KEY? KEY is what hashmap_get() was given. */
typedef bool (*hashmap_eq_fn)(const struct hashmap_entry *e, const void *key);

struct hashmap {
	struct hashmap_entry **table;
	size_t size; /* buckets, a power of two */
	size_t count;
	hashmap_eq_fn eq;
};

/* An empty map with room for about INITIAL entries before it grows. */
void hashmap_init(struct hashmap *m, hashmap_eq_fn eq, size_t initial);

/* Free the bucket array; the entries are the caller's. */
void hashmap_release(struct hashmap *m);

/* The entry with KEY (whose hash is HASH), or NULL. */
struct hashmap_entry *hashmap_get(const struct hashmap *m, uint32_t hash,
				  const void *key);

/*
 * Add E under HASH. The map does not look for an equal entry first: a
 * caller that may add a duplicate calls hashmap_get() before.
 */
void hashmap_put(struct hashmap *m, struct hashmap_entry *e, uint32_t hash);

/* Unlink and return the entry with KEY, or NULL; the caller frees it. */
struct hashmap_entry *hashmap_remove(struct hashmap *m, uint32_t hash,
				     const void *key);

/* Unlink E itself, which must be in the map. */
void hashmap_remove_entry(struct hashmap *m, struct hashmap_entry *e);

struct hashmap_iter {
	const struct hashmap *m;
	size_t bucket;
	struct hashmap_entry *next;
};

/*
 * Visit every entry, in no particular order. The entry just returned may
 * be removed (and freed) before the next call; no other change may happen
 * during the walk.
 */
void hashmap_iter_init(const struct hashmap *m, struct hashmap_iter *it);
struct hashmap_entry *hashmap_iter_next(struct hashmap_iter *it);

/* FNV-1a of the N bytes at P, and of the string S. */
uint32_t hash_bytes(const void *p, size_t n);
uint32_t hash_str(const char *s);

/*
 * A 64-bit hash of the N bytes at P, eight at a time: four times fewer
 * rounds than FNV-1a's byte loop, for tables keyed by paths that are
 * looked up once per event (the engine's buckets, durability's names).
 * Not FNV: a table that uses it must not depend on its order.
 */
static inline uint64_t hash_words(const void *p, size_t n)
{
	const char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;

	for (; n >= 8; s += 8, n -= 8) {
		__builtin_memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	w = 0;
	__builtin_memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ h >> 29;
}

/* hash_words of the string S, for a hashmap. */
static inline uint32_t hash_path(const char *s)
{
	uint64_t h = hash_words(s, __builtin_strlen(s));

	return (uint32_t)(h ^ h >> 32);
}

/* A mixed hash of an integer key (a tid, a pid, an inode). */
static inline uint32_t hash_int(uint64_t v)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdULL;
	v ^= v >> 33;
	return (uint32_t)v;
}

#endif
