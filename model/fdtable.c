// SPDX-License-Identifier: MIT
#include "fdtable.h"

#include <errno.h>
#include <string.h>

#include "util.h"

struct fdent {
	char *path; /* owned; capacity pathcap, kept across reuse */
	unsigned pathcap;
	bool open;
	bool known; /* path holds the fd's path */
	bool cloexec;
	bool nofollow; /* opened without following a symlink */
};

struct fdtable {
	int refs;
	int size; /* entries allocated */
	struct fdent *ents;
};

struct fdtable *fdtable_new(void)
{
	struct fdtable *t = xcalloc(1, sizeof(*t));

	t->refs = 1;
	return t;
}

struct fdtable *fdtable_ref(struct fdtable *t)
{
	t->refs++;
	return t;
}

void fdtable_unref(struct fdtable *t)
{
	if (!t || --t->refs > 0)
		return;
	for (int i = 0; i < t->size; i++)
		free(t->ents[i].path);
	free(t->ents);
	free(t);
}

static int grow(struct fdtable *t, int fd)
{
	int n;

	if (fd < 0 || fd >= FDTABLE_NR_OPEN)
		return -EBADF;
	if (fd < t->size)
		return 0;
	n = t->size ? t->size : 64;
	while (n <= fd)
		n *= 2;
	t->ents = xrealloc(t->ents, (size_t)n * sizeof(*t->ents));
	memset(t->ents + t->size, 0, (size_t)(n - t->size) * sizeof(*t->ents));
	t->size = n;
	return 0;
}

static void set_path(struct fdent *e, const char *path)
{
	size_t n;

	e->known = path != NULL;
	if (!path)
		return;
	n = strlen(path) + 1;
	if (n > e->pathcap) {
		free(e->path);
		e->pathcap = (unsigned)(n < 64 ? 64 : n);
		e->path = xmalloc(e->pathcap);
	}
	memcpy(e->path, path, n);
}

struct fdtable *fdtable_copy(const struct fdtable *t)
{
	struct fdtable *c = fdtable_new();

	for (int fd = 0; fd < t->size; fd++) {
		const struct fdent *e = &t->ents[fd];

		if (e->open) {
			fdtable_set(c, fd, e->known ? e->path : NULL,
				    e->cloexec);
			c->ents[fd].nofollow = e->nofollow;
		}
	}
	return c;
}

int fdtable_set(struct fdtable *t, int fd, const char *path, bool cloexec)
{
	struct fdent *e;
	int r = grow(t, fd);

	if (r < 0)
		return r;
	e = &t->ents[fd];
	set_path(e, path);
	e->open = true;
	e->cloexec = cloexec;
	e->nofollow = false;
	return 0;
}

static const struct fdent *get(const struct fdtable *t, int fd)
{
	if (fd < 0 || fd >= t->size || !t->ents[fd].open)
		return NULL;
	return &t->ents[fd];
}

const char *fdtable_path(const struct fdtable *t, int fd)
{
	const struct fdent *e = get(t, fd);

	return e && e->known ? e->path : NULL;
}

bool fdtable_is_open(const struct fdtable *t, int fd)
{
	return get(t, fd) != NULL;
}

bool fdtable_cloexec(const struct fdtable *t, int fd)
{
	const struct fdent *e = get(t, fd);

	return e && e->cloexec;
}

bool fdtable_shared(const struct fdtable *t)
{
	return t->refs > 1;
}

int fdtable_learn(struct fdtable *t, int fd, const char *path)
{
	bool nofollow = fdtable_nofollow(t, fd);
	int r = fdtable_set(t, fd, path, fdtable_cloexec(t, fd));

	if (r == 0)
		t->ents[fd].nofollow = nofollow;
	return r;
}

void fdtable_set_nofollow(struct fdtable *t, int fd)
{
	if (get(t, fd))
		t->ents[fd].nofollow = true;
}

bool fdtable_nofollow(const struct fdtable *t, int fd)
{
	const struct fdent *e = get(t, fd);

	return e && e->nofollow;
}

void fdtable_close(struct fdtable *t, int fd)
{
	if (fd >= 0 && fd < t->size) {
		t->ents[fd].open = false;
		t->ents[fd].known = false;
	}
}

void fdtable_close_range(struct fdtable *t, unsigned first, unsigned last,
			 bool cloexec_only)
{
	for (unsigned fd = first; fd <= last && fd < (unsigned)t->size; fd++) {
		if (cloexec_only)
			t->ents[fd].cloexec = true;
		else
			fdtable_close(t, (int)fd);
	}
}

void fdtable_set_cloexec(struct fdtable *t, int fd, bool cloexec)
{
	if (get(t, fd))
		t->ents[fd].cloexec = cloexec;
}

int fdtable_dup(struct fdtable *t, int oldfd, int newfd, bool cloexec)
{
	const struct fdent *o = get(t, oldfd);
	char *copy = NULL;
	bool nofollow;
	int r;

	if (!o)
		return -EBADF;
	if (oldfd == newfd)
		return 0;
	/* the source may move when the table grows */
	if (o->known)
		copy = xstrdup(o->path);
	nofollow = o->nofollow;
	r = fdtable_set(t, newfd, copy, cloexec);
	if (r == 0)
		t->ents[newfd].nofollow = nofollow;
	free(copy);
	return r;
}

void fdtable_exec(struct fdtable *t)
{
	for (int fd = 0; fd < t->size; fd++)
		if (t->ents[fd].open && t->ents[fd].cloexec)
			fdtable_close(t, fd);
}
