/* SPDX-License-Identifier: MIT */
/*
 * A process's file descriptor table as the tracer models it: which fds are
 * open, the absolute path each one names (when known) and its close-on-exec
 * flag. Threads and CLONE_FILES children share one table (reference
 * counted); fork copies it.
 */
#ifndef FSRACE_FDTABLE_H
#define FSRACE_FDTABLE_H

#include <stdbool.h>

/* The highest fd the table tracks; fds above it are treated as unknown. */
#define FDTABLE_MAX_FD (1 << 20)

struct fdent {
	char *path; /* owned; capacity pathcap, kept across reuse */
	unsigned pathcap;
	bool open;
	bool known; /* path holds the fd's path */
	bool cloexec;
};

struct fdtable {
	int refs;
	int size; /* entries allocated */
	struct fdent *ents;
};

struct fdtable *fdtable_new(void);
/* A new table with the same open fds (fork without CLONE_FILES). */
struct fdtable *fdtable_copy(const struct fdtable *t);
struct fdtable *fdtable_ref(struct fdtable *t);
/* Drop a reference; frees the table with the last one. */
void fdtable_unref(struct fdtable *t);

/*
 * Mark FD open, naming PATH (copied; NULL when unknown). Returns 0, or
 * -EBADF when FD is negative or above FDTABLE_MAX_FD.
 */
int fdtable_set(struct fdtable *t, int fd, const char *path, bool cloexec);
/* The path FD names (borrowed, valid until FD changes), or NULL. */
const char *fdtable_path(const struct fdtable *t, int fd);
bool fdtable_is_open(const struct fdtable *t, int fd);
void fdtable_close(struct fdtable *t, int fd);
/* close_range(2): close, or with CLOEXEC only mark, fds FIRST..LAST. */
void fdtable_close_range(struct fdtable *t, unsigned first, unsigned last,
			 bool cloexec_only);
void fdtable_set_cloexec(struct fdtable *t, int fd, bool cloexec);
/* NEWFD becomes a copy of OLDFD (dup2/dup3/F_DUPFD); 0 or -EBADF. */
int fdtable_dup(struct fdtable *t, int oldfd, int newfd, bool cloexec);
/* execve(2): close every close-on-exec fd. */
void fdtable_exec(struct fdtable *t);

#endif
