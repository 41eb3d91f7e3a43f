/* SPDX-License-Identifier: MIT */
/*
 * Owner and mode of directories, looked up with stat(2) by the tracer and
 * cached per path: the rules ask "is the parent sticky and world-writable"
 * for every check, open and create, and the answer rarely changes.
 */
#ifndef FSRACE_DIRCACHE_H
#define FSRACE_DIRCACHE_H

#include <stdbool.h>
#include <stdint.h>

/* Entries kept at most; the cache is emptied when it fills. */
#define DIRCACHE_MAX 4096

struct dircache;

struct dircache *dircache_new(void);
void dircache_free(struct dircache *c);

/*
 * Owner and mode of the directory DIR. STAT_PATH is the path the tracer
 * can stat it by (DIR itself unless the process chrooted). Returns 0, or
 * -errno when it cannot be looked up (the failure is not cached).
 */
int dircache_lookup(struct dircache *c, const char *dir, const char *stat_path,
		    uint32_t *ret_uid, uint32_t *ret_mode);

/* PATH changed (chmod, chown, rename, rmdir…): forget it and below it. */
void dircache_invalidate(struct dircache *c, const char *path);

#endif
