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

/*
 * The kernel's NR_OPEN: no process can have an fd at or above it, so the
 * table tracks every fd a process can have and refuses the rest.
 */
#define FDTABLE_NR_OPEN (1 << 20)

struct fdtable;

struct fdtable *fdtable_new(void);
/* A new table with the same open fds (fork without CLONE_FILES). */
struct fdtable *fdtable_copy(const struct fdtable *t);
struct fdtable *fdtable_ref(struct fdtable *t);
/* Drop a reference; frees the table with the last one. */
void fdtable_unref(struct fdtable *t);

/*
 * Mark FD open, naming PATH (copied; NULL when unknown). Returns 0, or
 * -EBADF when FD is negative or not below FDTABLE_NR_OPEN.
 */
int fdtable_set(struct fdtable *t, int fd, const char *path, bool cloexec);
/* The path FD names (borrowed, valid until FD changes), or NULL. */
const char *fdtable_path(const struct fdtable *t, int fd);
bool fdtable_is_open(const struct fdtable *t, int fd);
bool fdtable_cloexec(const struct fdtable *t, int fd);
/* Whether another task shares T (threads, CLONE_FILES). */
bool fdtable_shared(const struct fdtable *t);
/*
 * FD's path is PATH (copied), learnt from elsewhere: an fd the table did
 * not know becomes open, one it knew keeps its close-on-exec flag.
 */
int fdtable_learn(struct fdtable *t, int fd, const char *path);
void fdtable_close(struct fdtable *t, int fd);
/* FD was opened without following a symlink (O_NOFOLLOW): it, and the
 * fds dup'ed from it, keep that until FD is made again. */
void fdtable_set_nofollow(struct fdtable *t, int fd);
bool fdtable_nofollow(const struct fdtable *t, int fd);
/* close_range(2): close, or with CLOEXEC only mark, fds FIRST..LAST. */
void fdtable_close_range(struct fdtable *t, unsigned first, unsigned last,
			 bool cloexec_only);
void fdtable_set_cloexec(struct fdtable *t, int fd, bool cloexec);
/* NEWFD becomes a copy of OLDFD (dup2/dup3/F_DUPFD); 0 or -EBADF. */
int fdtable_dup(struct fdtable *t, int oldfd, int newfd, bool cloexec);
/* execve(2): close every close-on-exec fd. */
void fdtable_exec(struct fdtable *t);

#endif
