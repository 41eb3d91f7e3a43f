// SPDX-License-Identifier: MIT
#include "dircache.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

#define BUCKETS 1024

struct entry {
	struct entry *next;
	uint32_t uid;
	uint32_t mode;
	uint64_t hash;
	char path[];
};

struct dircache {
	struct entry *buckets[BUCKETS];
	unsigned count;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

struct dircache *dircache_new(void)
{
	return xcalloc(1, sizeof(struct dircache));
}

static void clear(struct dircache *c)
{
	for (unsigned i = 0; i < BUCKETS; i++) {
		struct entry *e = c->buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			free(e);
		}
		c->buckets[i] = NULL;
	}
	c->count = 0;
}

void dircache_free(struct dircache *c)
{
	if (!c)
		return;
	clear(c);
	free(c);
}

int dircache_lookup(struct dircache *c, const char *dir, const char *stat_path,
		    uint32_t *ret_uid, uint32_t *ret_mode)
{
	uint64_t h = hash_str(dir);
	struct entry **head = &c->buckets[h % BUCKETS], *e;
	struct stat st;
	size_t n;

	for (e = *head; e; e = e->next)
		if (e->hash == h && !strcmp(e->path, dir))
			goto out_found;
	if (stat(stat_path, &st) < 0)
		return -errno;
	if (c->count >= DIRCACHE_MAX)
		clear(c);
	n = strlen(dir) + 1;
	e = xmalloc(sizeof(*e) + n);
	memcpy(e->path, dir, n);
	e->hash = h;
	e->uid = st.st_uid;
	e->mode = st.st_mode;
	e->next = *head;
	*head = e;
	c->count++;
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

	if (!c->count)
		return;
	for (unsigned i = 0; i < BUCKETS; i++) {
		struct entry **pp = &c->buckets[i];

		while (*pp) {
			struct entry *e = *pp;

			if (at_or_below(e->path, path, n)) {
				*pp = e->next;
				free(e);
				c->count--;
			} else {
				pp = &e->next;
			}
		}
	}
}
