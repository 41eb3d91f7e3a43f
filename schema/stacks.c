// SPDX-License-Identifier: MIT
/* The interned modules and stacks of a trace: see stacks.h. */
#include "stacks.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "util.h"

struct module_entry {
	struct hashmap_entry ent, id_ent;
	struct stack_module m;
};

struct stack_entry {
	struct hashmap_entry ent, id_ent;
	struct stack_py *py;
	struct stack_trace s; /* last: its frames follow */
};

struct named_entry {
	struct hashmap_entry ent;
	struct stack_named n;
};

/* An interned string. */
struct string_entry {
	struct hashmap_entry ent;
	char s[];
};

/*
 * By content (to intern) and by id (to read back). Interned ids are
 * dense; read ones are what the trace says, in the order its events were
 * written (which is not the order their stacks were taken: one thread's
 * call can end before another's that began first), and may have gaps.
 */
struct stack_table {
	struct hashmap modules, stacks, strings, named;
	struct hashmap module_ids, stack_ids;
	uint32_t nmodules, nstacks; /* the highest id */
	/* how many there are, against the ceilings (strings and named
	 * frames are names) */
	uint32_t count_modules, count_stacks, count_names;
	struct stack_drops drops;
};

static bool module_id_eq(const struct hashmap_entry *e, const void *key)
{
	return container_of(e, struct module_entry, id_ent)->m.id ==
	       *(const uint32_t *)key;
}

static bool stack_id_eq(const struct hashmap_entry *e, const void *key)
{
	return container_of(e, struct stack_entry, id_ent)->s.id ==
	       *(const uint32_t *)key;
}

/* what a lookup is given */
struct module_key {
	const char *path;
	uint64_t dev, ino;
	const unsigned char *build_id;
	int build_id_len;
};

struct stack_key {
	const struct stack_pc *pc;
	uint32_t n;
	const struct stack_py *py; /* its strings interned */
	uint32_t npy;
};

static bool string_eq(const struct hashmap_entry *e, const void *key)
{
	return !strcmp(container_of(e, struct string_entry, ent)->s, key);
}

static const char *intern(struct stack_table *t, const char *s)
{
	uint32_t h = hash_path(s);
	struct hashmap_entry *e = hashmap_get(&t->strings, h, s);
	struct string_entry *se;
	size_t n;

	if (e)
		return container_of(e, struct string_entry, ent)->s;
	if (t->count_names >= STACK_TABLE_NAMES_MAX)
		return NULL;
	t->count_names++;
	n = strlen(s) + 1;
	se = xmalloc(sizeof(*se) + n);
	memcpy(se->s, s, n);
	hashmap_put(&t->strings, &se->ent, h);
	return se->s;
}

static bool named_eq(const struct hashmap_entry *e, const void *key)
{
	const struct stack_named *a =
		&container_of(e, struct named_entry, ent)->n;
	const struct stack_named *b = key;

	/* B's strings interned: they compare as pointers */
	return a->function == b->function && a->offset == b->offset &&
	       a->file == b->file && a->line == b->line;
}

static bool module_eq(const struct hashmap_entry *e, const void *key)
{
	const struct stack_module *m =
		&container_of(e, struct module_entry, ent)->m;
	const struct module_key *k = key;

	return m->dev == k->dev && m->ino == k->ino &&
	       m->build_id_len == k->build_id_len &&
	       (!k->build_id_len ||
		!memcmp(m->build_id, k->build_id, (size_t)k->build_id_len)) &&
	       !strcmp(m->path, k->path);
}

static bool stack_eq(const struct hashmap_entry *e, const void *key)
{
	const struct stack_trace *s =
		&container_of(e, struct stack_entry, ent)->s;
	const struct stack_key *k = key;

	if (s->n != k->n || s->npy != k->npy ||
	    (k->n && memcmp(s->pc, k->pc, k->n * sizeof(*k->pc))))
		return false;
	for (uint32_t i = 0; i < k->npy; i++)
		if (s->py[i].file != k->py[i].file ||
		    s->py[i].function != k->py[i].function ||
		    s->py[i].line != k->py[i].line)
			return false;
	return true;
}

static uint32_t module_hash(const struct module_key *k)
{
	return hash_int(k->dev * 31 + k->ino) ^ hash_str(k->path);
}

static uint32_t stack_hash(const struct stack_key *k)
{
	uint64_t h = hash_words(k->pc, k->n * sizeof(*k->pc));

	/* interned: the pointers stand for the strings */
	for (uint32_t i = 0; i < k->npy; i++)
		h = (h ^ (uintptr_t)k->py[i].file ^
		     (uint64_t)(uintptr_t)k->py[i].function << 1 ^
		     (uint64_t)k->py[i].line << 7) *
		    0x9e3779b97f4a7c15ULL;
	return (uint32_t)(h ^ h >> 32);
}

struct stack_table *stack_table_new(void)
{
	struct stack_table *t = xcalloc(1, sizeof(*t));

	hashmap_init(&t->modules, module_eq, 16);
	hashmap_init(&t->stacks, stack_eq, 64);
	hashmap_init(&t->strings, string_eq, 64);
	hashmap_init(&t->named, named_eq, 64);
	hashmap_init(&t->module_ids, module_id_eq, 16);
	hashmap_init(&t->stack_ids, stack_id_eq, 64);
	return t;
}

void stack_table_free(struct stack_table *t)
{
	struct hashmap_iter it;
	struct hashmap_entry *e;

	if (!t)
		return;
	hashmap_iter_init(&t->module_ids, &it);
	while ((e = hashmap_iter_next(&it))) {
		struct module_entry *me =
			container_of(e, struct module_entry, id_ent);

		hashmap_remove_entry(&t->module_ids, e);
		free(me->m.path);
		free(me);
	}
	hashmap_iter_init(&t->stack_ids, &it);
	while ((e = hashmap_iter_next(&it))) {
		struct stack_entry *se =
			container_of(e, struct stack_entry, id_ent);

		hashmap_remove_entry(&t->stack_ids, e);
		free(se->py);
		free(se);
	}
	hashmap_iter_init(&t->named, &it);
	while ((e = hashmap_iter_next(&it))) {
		hashmap_remove_entry(&t->named, e);
		free(container_of(e, struct named_entry, ent));
	}
	hashmap_release(&t->named);
	hashmap_iter_init(&t->strings, &it);
	while ((e = hashmap_iter_next(&it))) {
		hashmap_remove_entry(&t->strings, e);
		free(container_of(e, struct string_entry, ent));
	}
	hashmap_release(&t->strings);
	hashmap_release(&t->module_ids);
	hashmap_release(&t->stack_ids);
	hashmap_release(&t->modules);
	hashmap_release(&t->stacks);
	free(t);
}

static const struct stack_module *module_add(struct stack_table *t, uint32_t id,
					     const struct module_key *k,
					     uint32_t h)
{
	struct module_entry *e = xcalloc(1, sizeof(*e));

	t->count_modules++;
	e->m.id = id;
	e->m.path = xstrdup(k->path);
	e->m.dev = k->dev;
	e->m.ino = k->ino;
	if (k->build_id_len) /* BUILD_ID may be NULL then */
		memcpy(e->m.build_id, k->build_id, (size_t)k->build_id_len);
	e->m.build_id_len = k->build_id_len;
	hashmap_put(&t->module_ids, &e->id_ent, hash_int(id));
	if (id > t->nmodules)
		t->nmodules = id;
	hashmap_put(&t->modules, &e->ent, h);
	return &e->m;
}

const struct stack_module *stack_table_module(struct stack_table *t,
					      const char *path, uint64_t dev,
					      uint64_t ino,
					      const unsigned char *build_id,
					      int build_id_len)
{
	struct module_key k = {path, dev, ino, build_id, build_id_len};
	uint32_t h;
	struct hashmap_entry *e;

	if (k.build_id_len < 0 || k.build_id_len > STACK_BUILD_ID_MAX)
		k.build_id_len = 0;
	h = module_hash(&k);
	e = hashmap_get(&t->modules, h, &k);
	if (e)
		return &container_of(e, struct module_entry, ent)->m;
	if (t->count_modules >= STACK_TABLE_MODULES_MAX) {
		t->drops.modules++;
		return NULL;
	}
	return module_add(t, t->nmodules + 1, &k, h);
}

const struct stack_named *stack_table_named(struct stack_table *t,
					    const char *function,
					    uint64_t offset, const char *file,
					    int line)
{
	struct stack_named k = {function ? intern(t, function) : NULL, offset,
				file ? intern(t, file) : NULL, line};
	uint64_t h = (uint64_t)(uintptr_t)k.function ^
		     (uint64_t)(uintptr_t)k.file << 1 ^ k.offset << 7 ^
		     (uint64_t)(unsigned)line << 29;
	struct hashmap_entry *e;
	struct named_entry *ne;

	if ((function && !k.function) || (file && !k.file))
		goto full;
	h *= 0x9e3779b97f4a7c15ULL;
	e = hashmap_get(&t->named, (uint32_t)(h ^ h >> 32), &k);
	if (e)
		return &container_of(e, struct named_entry, ent)->n;
	if (t->count_names >= STACK_TABLE_NAMES_MAX)
		goto full;
	t->count_names++;
	ne = xmalloc(sizeof(*ne));
	ne->n = k;
	hashmap_put(&t->named, &ne->ent, (uint32_t)(h ^ h >> 32));
	return &ne->n;
full:
	t->drops.names++;
	return NULL;
}

static const struct stack_trace *stack_add(struct stack_table *t, uint32_t id,
					   const struct stack_key *k,
					   uint32_t h)
{
	struct stack_entry *e = xcalloc(1, sizeof(*e) + k->n * sizeof(*k->pc));

	t->count_stacks++;
	e->s.id = id;
	e->s.n = k->n;
	if (k->n)
		memcpy(e->s.pc, k->pc, k->n * sizeof(*k->pc));
	if (k->npy) {
		e->py = xcalloc(k->npy, sizeof(*e->py));
		memcpy(e->py, k->py, k->npy * sizeof(*k->py));
		e->s.py = e->py;
		e->s.npy = k->npy;
	}
	hashmap_put(&t->stack_ids, &e->id_ent, hash_int(id));
	if (id > t->nstacks)
		t->nstacks = id;
	hashmap_put(&t->stacks, &e->ent, h);
	return &e->s;
}

/* K with PY's strings interned into BUF: false if the table has no room
 * for one of them. */
static bool key_of(struct stack_table *t, struct stack_key *k,
		   const struct stack_pc *pc, uint32_t n,
		   const struct stack_py *py, uint32_t npy,
		   struct stack_py *buf)
{
	k->pc = pc;
	k->n = n > STACK_DEPTH_MAX ? STACK_DEPTH_MAX : n;
	k->npy = npy > STACK_DEPTH_MAX ? STACK_DEPTH_MAX : npy;
	k->py = buf;
	for (uint32_t i = 0; i < k->npy; i++) {
		buf[i] = (struct stack_py){
			intern(t, py[i].file ? py[i].file : ""),
			intern(t, py[i].function ? py[i].function : ""),
			py[i].line};
		if (!buf[i].file || !buf[i].function) {
			t->drops.names++;
			return false;
		}
	}
	return true;
}

const struct stack_trace *
stack_table_intern(struct stack_table *t, const struct stack_pc *pc, uint32_t n,
		   const struct stack_py *py, uint32_t npy)
{
	struct stack_py buf[STACK_DEPTH_MAX];
	struct stack_key k;
	uint32_t h;
	struct hashmap_entry *e;

	if (!key_of(t, &k, pc, n, py, npy, buf))
		goto full;
	h = stack_hash(&k);
	e = hashmap_get(&t->stacks, h, &k);
	if (e)
		return &container_of(e, struct stack_entry, ent)->s;
	if (t->count_stacks >= STACK_TABLE_STACKS_MAX)
		goto full;
	return stack_add(t, t->nstacks + 1, &k, h);
full:
	t->drops.stacks++;
	return NULL;
}

int stack_table_add_module(struct stack_table *t, uint32_t id, const char *path,
			   uint64_t dev, uint64_t ino,
			   const unsigned char *build_id, int build_id_len)
{
	struct module_key k = {path, dev, ino, build_id, build_id_len};

	if (!id || id > STACK_ID_MAX || stack_table_module_get(t, id) ||
	    build_id_len < 0 || build_id_len > STACK_BUILD_ID_MAX)
		return -EINVAL;
	if (t->count_modules >= STACK_TABLE_MODULES_MAX)
		return -ENOSPC;
	module_add(t, id, &k, module_hash(&k));
	return 0;
}

int stack_table_add_stack(struct stack_table *t, uint32_t id,
			  const struct stack_pc *pc, uint32_t n,
			  const struct stack_py *py, uint32_t npy)
{
	struct stack_py buf[STACK_DEPTH_MAX];
	struct stack_key k;

	if (!id || id > STACK_ID_MAX || stack_table_get(t, id))
		return -EINVAL;
	if (n > STACK_DEPTH_MAX || npy > STACK_DEPTH_MAX)
		return -E2BIG;
	if (t->count_stacks >= STACK_TABLE_STACKS_MAX ||
	    !key_of(t, &k, pc, n, py, npy, buf))
		return -ENOSPC;
	stack_add(t, id, &k, stack_hash(&k));
	return 0;
}

const struct stack_module *stack_table_module_get(const struct stack_table *t,
						  uint32_t id)
{
	struct hashmap_entry *e =
		hashmap_get(&t->module_ids, hash_int(id), &id);

	return e ? &container_of(e, struct module_entry, id_ent)->m : NULL;
}

const struct stack_trace *stack_table_get(const struct stack_table *t,
					  uint32_t id)
{
	struct hashmap_entry *e = hashmap_get(&t->stack_ids, hash_int(id), &id);

	return e ? &container_of(e, struct stack_entry, id_ent)->s : NULL;
}

uint32_t stack_table_modules(const struct stack_table *t)
{
	return t->nmodules;
}

uint32_t stack_table_stacks(const struct stack_table *t)
{
	return t->nstacks;
}

void stack_table_drops(const struct stack_table *t, struct stack_drops *out)
{
	out->stacks += t->drops.stacks;
	out->modules += t->drops.modules;
	out->names += t->drops.names;
}

void stack_build_id_hex(const struct stack_module *m, char *buf)
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < m->build_id_len; i++) {
		buf[2 * i] = hex[m->build_id[i] >> 4];
		buf[2 * i + 1] = hex[m->build_id[i] & 15];
	}
	buf[2 * i] = '\0';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool stack_build_id_parse(const char *hex, unsigned char *out, int *len)
{
	size_t n = strlen(hex);

	if (n % 2 || n > 2 * STACK_BUILD_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hex_digit(hex[i]), lo = hex_digit(hex[i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	*len = (int)(n / 2);
	return true;
}
