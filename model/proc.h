/* SPDX-License-Identifier: MIT */
/*
 * The process model that the live tracer and the strace importer share:
 * tasks, their fd tables and fs info (cwd, root), what fork, clone and
 * exec do to them, and what each traced call means for them: which fd it
 * creates or closes, close-on-exec, chdir, fchdir, chroot, and how a
 * dirfd and a raw path resolve to an absolute path.
 *
 * A producer decodes a call into an event (registers or text: its own
 * business), calls proc_apply_entry() and, once the result is known,
 * proc_apply_exit(). The two producers differ in one thing only: where
 * the path of an fd (or the cwd) comes from when the model does not know
 * it. That is the backend (struct proc_backend), as strace picks its
 * unwinder behind a vtable. proc_fork(), proc_exec() and proc_exit()
 * follow the tasks.
 */
#ifndef FSRACE_PROC_H
#define FSRACE_PROC_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "hashmap.h"

#define PROC_PATH_BUF (PATH_MAX + 1)

struct fdtable;
struct fsinfo;

/*
 * One task. Producers embed it as the first member of their own task
 * struct and find theirs from it.
 */
struct proc {
	struct hashmap_entry ent; /* in the proc_model's tasks, by tid */
	int tid;
	int tgid;
	struct fdtable *fds; /* owned reference; NULL until set up */
	struct fsinfo *fs;   /* owned reference; NULL until set up */
};

/* Where what the model does not know comes from: /proc, or -y. */
struct proc_backend {
	const char *name;
	/*
	 * The path FD names in P's process, for an fd the model does not
	 * know, into BUF (SIZE bytes, NUL-terminated). 0 or -errno.
	 */
	int (*fd_path)(void *ctx, const struct proc *p, int fd, char *buf,
		       size_t size);
	/* P's cwd, when the model does not know it; 0 or -errno. */
	int (*cwd)(void *ctx, const struct proc *p, char *buf, size_t size);
};

/* The tasks of one producer, and its backend. */
struct proc_model {
	const struct proc_backend *backend;
	void *ctx;	      /* passed to the backend */
	struct hashmap tasks; /* struct proc, by tid */
	struct proc *last;    /* the last one found */
	int ntasks;
	/* paths proc_resolve() could not make absolute within PATH_MAX: their
	 * calls have no abspath, and no rule sees them (the producers warn) */
	uint64_t too_long;
};

/* What a producer tells, once, the first time a path was too long. */
#define PROC_TOO_LONG_WARNING                                                  \
	"a path longer than PATH_MAX (4096 bytes) cannot be made absolute: "   \
	"its calls are kept without an absolute path, and no rule matches "    \
	"them"

/*
 * The buffers an event's model-made strings live in (dirfd_path, fd_path,
 * abspath, ret_path, …): the event borrows them until the next
 * proc_apply_entry() with the same buffers.
 */
struct proc_strings {
	char dirfd_path[PROC_PATH_BUF], dirfd2_path[PROC_PATH_BUF];
	char fd_path[PROC_PATH_BUF], fd2_path[PROC_PATH_BUF];
	char abspath[PROC_PATH_BUF], abspath2[PROC_PATH_BUF];
	char ret_path[PROC_PATH_BUF];
};

void proc_model_init(struct proc_model *m, const struct proc_backend *be,
		     void *ctx);
/* Free the task table; every task must have gone through proc_exit(). */
void proc_model_release(struct proc_model *m);

/*
 * Every task, in no particular order: P may be proc_exit()ed (and freed)
 * before the next call, no other task may come or go during the walk.
 *
 *	for (p = proc_iter_first(m, &it); p; p = proc_iter_next(&it))
 */
struct proc *proc_iter_first(const struct proc_model *m,
			     struct hashmap_iter *it);
struct proc *proc_iter_next(struct hashmap_iter *it);

/* The task TID, or NULL. */
struct proc *proc_find(struct proc_model *m, int tid);
/* Add P (its tid set, its tables not yet) to the model. */
void proc_add(struct proc_model *m, struct proc *p);
/*
 * P is gone (exited, detached, replaced by an exec'ing thread): out of
 * the model, its tables dropped; P itself is the caller's.
 */
void proc_exit(struct proc_model *m, struct proc *p);
/* A task changes its tid (a thread that exec'd becomes the leader). */
void proc_retid(struct proc_model *m, struct proc *p, int tid);

/*
 * Give P tables of its own: FDS (a reference is taken; NULL for a new,
 * empty table), a cwd (NULL when unknown) and a root (NULL for "/").
 */
void proc_setup(struct proc *p, struct fdtable *fds, const char *cwd,
		const char *root);
/* CHILD shares or copies PARENT's tables, as another task of the same. */
void proc_share(struct proc *child, const struct proc *parent);
/* P's cwd (borrowed), or NULL when unknown. */
const char *proc_cwd(const struct proc *p);
/* P's root, or NULL when it is "/". */
const char *proc_root(const struct proc *p);
/* The cwd is PATH, learnt from elsewhere, if the model did not know it. */
void proc_learn_cwd(struct proc *p, const char *path);

/* The clone flags fork and vfork imply (clone and clone3 pass theirs). */
uint64_t proc_clone_flags(const struct syscall_desc *sc);
/*
 * CHILD was created by PARENT with clone FLAGS: its tgid and its tables
 * (shared with CLONE_FILES and CLONE_FS, copied without), and the
 * EV_FORK event EV for it (fork_syscall and ts left to the caller).
 */
void proc_fork(struct proc *parent, struct proc *child, uint64_t flags,
	       struct event *ev);
/* A successful execve: the table is P's own, close-on-exec fds close. */
void proc_exec(struct proc *p);

/* The argument of SC of kind KIND: its index, or -1 if it has none. */
int proc_arg_index(const struct syscall_desc *sc, enum arg_kind kind);

/* Whether the fcntl command CMD is traced (changes the fd table). */
bool proc_fcntl_traced(int cmd);
/* The traced fcntl commands, for the seccomp filter. */
extern const int proc_fcntl_cmds[3];

/* What a producer tells apply_entry about the paths it read. */
enum proc_hint {
	PROC_NULL_PATH = 1 << 0, /* the path argument was NULL */
	PROC_CUT_PATH = 1 << 1,	 /* the path was cut short: do not resolve */
	PROC_CUT_PATH2 = 1 << 2,
};

/*
 * At the entry of the call EV (decoded: sc, pid, tid, dirfd, fd, path,
 * flags, … and their has bits) of task P: the paths of its fds and
 * dirfds, its absolute paths, the flags it implies, the mode only where
 * the flags make one (O_CREAT, O_TMPFILE), and the effects that happen
 * whatever the result (close, close_range). HINTS: enum proc_hint.
 */
void proc_apply_entry(struct proc_model *m, struct proc *p, struct event *ev,
		      struct proc_strings *s, unsigned hints);
/*
 * After the call EV succeeded (ret set): the fd it created, dup'ed or
 * changed, the cwd or root it changed, exec. Sets ret_path.
 */
void proc_apply_exit(struct proc_model *m, struct proc *p, struct event *ev,
		     struct proc_strings *s);

/*
 * The path FD names in P, from the model or the backend (which the model
 * then remembers), copied into BUF (PROC_PATH_BUF bytes); NULL if unknown.
 */
const char *proc_fd_path(struct proc_model *m, struct proc *p, int fd,
			 char *buf);
/*
 * RAW resolved as the kernel would for P: against BASE (the path of
 * DIRFD, when HAS_DIRFD and DIRFD is not AT_FDCWD) or the cwd, under P's
 * root, into OUT (PROC_PATH_BUF bytes). NULL when it cannot be.
 */
const char *proc_resolve(struct proc_model *m, struct proc *p, int dirfd,
			 bool has_dirfd, const char *base, const char *raw,
			 char *out);

#endif
