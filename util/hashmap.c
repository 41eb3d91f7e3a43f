// SPDX-License-Identifier: MIT
#include "hashmap.h"

#include <string.h>

#include "util.h"

#define MIN_SIZE 16

static void alloc_table(struct hashmap *m, size_t size)
{
	m->size = size;
	m->table = xcalloc(size, sizeof(*m->table));
}

void hashmap_init(struct hashmap *m, hashmap_eq_fn eq, size_t initial)
{
	size_t size = MIN_SIZE;

	/* grown at 3/4 full: start large enough for INITIAL entries */
	while (size * 3 / 4 < initial)
		size <<= 1;
	m->count = 0;
	m->eq = eq;
	alloc_table(m, size);
}

void hashmap_release(struct hashmap *m)
{
	free(m->table);
	m->table = NULL;
	m->size = m->count = 0;
}

static struct hashmap_entry **find(const struct hashmap *m, uint32_t hash,
				   const void *key)
{
	struct hashmap_entry **pp = &m->table[hash & (m->size - 1)];

	while (*pp && ((*pp)->hash != hash || !m->eq(*pp, key)))
		pp = &(*pp)->next;
	return pp;
}

struct hashmap_entry *hashmap_get(const struct hashmap *m, uint32_t hash,
				  const void *key)
{
	return *find(m, hash, key);
}

static void grow(struct hashmap *m)
{
	struct hashmap_entry **old = m->table;
	size_t oldsize = m->size;

	alloc_table(m, oldsize * 2);
	for (size_t i = 0; i < oldsize; i++) {
		struct hashmap_entry *e = old[i], *next;

		for (; e; e = next) {
			struct hashmap_entry **b =
				&m->table[e->hash & (m->size - 1)];

			next = e->next;
			e->next = *b;
			*b = e;
		}
	}
	free(old);
}

void hashmap_put(struct hashmap *m, struct hashmap_entry *e, uint32_t hash)
{
	struct hashmap_entry **b;

	if (m->count + 1 > m->size * 3 / 4)
		grow(m);
	b = &m->table[hash & (m->size - 1)];
	e->hash = hash;
	e->next = *b;
	*b = e;
	m->count++;
}

struct hashmap_entry *hashmap_remove(struct hashmap *m, uint32_t hash,
				     const void *key)
{
	struct hashmap_entry **pp = find(m, hash, key), *e = *pp;

	if (e) {
		*pp = e->next;
		e->next = NULL;
		m->count--;
	}
	return e;
}

void hashmap_remove_entry(struct hashmap *m, struct hashmap_entry *e)
{
	struct hashmap_entry **pp = &m->table[e->hash & (m->size - 1)];

	while (*pp != e)
		pp = &(*pp)->next;
	*pp = e->next;
	e->next = NULL;
	m->count--;
}

void hashmap_iter_init(const struct hashmap *m, struct hashmap_iter *it)
{
	it->m = m;
	it->bucket = 0;
	it->next = NULL;
}

struct hashmap_entry *hashmap_iter_next(struct hashmap_iter *it)
{
	struct hashmap_entry *e = it->next;

	while (!e && it->bucket < it->m->size)
		e = it->m->table[it->bucket++];
	/* read ahead, so that the caller may free E */
	it->next = e ? e->next : NULL;
	return e;
}

/*
 * FNV-1a, four bytes a round: the same hash as a byte loop, with a quarter
 * of its tests and jumps (the durability tables hash every event's path;
 * the byte loop was 3% of fsrace analyze).
 */
uint32_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint32_t h = 2166136261u;

	for (; n >= 4; s += 4, n -= 4) {
		h = (h ^ s[0]) * 16777619u;
		h = (h ^ s[1]) * 16777619u;
		h = (h ^ s[2]) * 16777619u;
		h = (h ^ s[3]) * 16777619u;
	}
	while (n--) {
		h ^= *s++;
		h *= 16777619u;
	}
	return h;
}

uint32_t hash_str(const char *s)
{
	return hash_bytes(s, strlen(s));
}
