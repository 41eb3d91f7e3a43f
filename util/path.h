/* SPDX-License-Identifier: MIT */
/* Lexical path resolution, as the tracer does it for every *at call. */
#ifndef FSRACE_PATH_H
#define FSRACE_PATH_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Resolve RAW against the absolute directory BASE (ignored when RAW is
 * absolute) into the absolute, normalized path written to RET (SIZE bytes):
 * "." components and repeated or trailing slashes dropped, ".." removes the
 * component before it and stays at "/" at the root. Symlinks are not
 * followed: "a/link/.." becomes "a". An empty RAW resolves to BASE.
 * Returns the length written, or -ENAMETOOLONG (RET then holds "").
 */
int path_resolve(const char *base, const char *raw, char *ret, size_t size);

/*
 * The directory part of the absolute, normalized PATH, written to RET:
 * "/a/b" gives "/a", "/a" gives "/", "/" gives "/". Returns its length or
 * -ENAMETOOLONG.
 */
int path_dirname(const char *path, char *ret, size_t size);

/* Whether the absolute PATH is the directory DIR or below it. */
static inline bool path_is_under(const char *path, const char *dir)
{
	size_t n = __builtin_strlen(dir);

	if (!n || __builtin_strncmp(path, dir, n))
		return false;
	return dir[n - 1] == '/' || path[n] == '/' || !path[n];
}

#endif
