// SPDX-License-Identifier: MIT
#include "dircache.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "hashmap.h"
#include "util.h"

struct entry {
	struct hashmap_entry ent;
	uint32_t uid;
	uint32_t mode;
	char path[];
};

struct dircache {
	struct hashmap map; /* struct entry, by path */
};

static bool entry_is(const struct hashmap_entry *e, const void *path)
{
	return !strcmp(container_of(e, struct entry, ent)->path, path);
}

struct dircache *dircache_new(void)
{
	struct dircache *c = xmalloc(sizeof(*c));

	hashmap_init(&c->map, entry_is, 256);
	return c;
}

static void clear(struct dircache *c)
{
	struct hashmap_iter it;
	struct hashmap_entry *e;

	hashmap_iter_init(&c->map, &it);
	while ((e = hashmap_iter_next(&it))) {
		hashmap_remove_entry(&c->map, e);
		free(container_of(e, struct entry, ent));
	}
}

void dircache_free(struct dircache *c)
{
	if (!c)
		return;
	clear(c);
	hashmap_release(&c->map);
	free(c);
}

int dircache_lookup(struct dircache *c, const char *dir, const char *stat_path,
		    uint32_t *ret_uid, uint32_t *ret_mode)
{
	uint32_t h = hash_str(dir);
	struct hashmap_entry *he = hashmap_get(&c->map, h, dir);
	struct entry *e;
	struct stat st;
	size_t n;

	if (he) {
		e = container_of(he, struct entry, ent);
		goto out_found;
	}
	if (stat(stat_path, &st) < 0)
		return -errno;
	if (c->map.count >= DIRCACHE_MAX)
		clear(c);
	n = strlen(dir) + 1;
	e = xmalloc(sizeof(*e) + n);
	memcpy(e->path, dir, n);
	e->uid = st.st_uid;
	e->mode = st.st_mode;
	hashmap_put(&c->map, &e->ent, h);
out_found:
	*ret_uid = e->uid;
	*ret_mode = e->mode;
	return 0;
}

static bool at_or_below(const char *p, const char *top, size_t n)
{
	return !strncmp(p, top, n) &&
	       (p[n] == '\0' || p[n] == '/' || (n == 1 && top[0] == '/'));
}

void dircache_invalidate(struct dircache *c, const char *path)
{
	size_t n = strlen(path);
	struct hashmap_iter it;
	struct hashmap_entry *he;

	if (!c->map.count)
		return;
	hashmap_iter_init(&c->map, &it);
	while ((he = hashmap_iter_next(&it))) {
		struct entry *e = container_of(he, struct entry, ent);

		if (at_or_below(e->path, path, n)) {
			hashmap_remove_entry(&c->map, he);
			free(e);
		}
	}
}
