/* SPDX-License-Identifier: MIT */
/*
 * What the files of the tracer share: the tracer and its tasks.
 * tracer.c runs the stop loop, seccomp.c builds the filter, memory.c
 * reads the tracee, procfs.c is the model's backend (/proc/PID/fd),
 * decode.c turns a stopped call into its event.
 */
#ifndef FSRACE_TRACER_INT_H
#define FSRACE_TRACER_INT_H

#include <limits.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "proc.h"
#include "tracer.h"

#define NR_MAX 1024
#define PATH_BUF PROC_PATH_BUF
#define ARGV_MAX 4096

/* --confirm: the swap a task's open is inside (confirm.c) */
struct tracer_confirm_swap {
	bool active; /* swapped at the entry: restore at the exit */
	bool made;
	bool absent; /* a squat */
	int dirfd;   /* O_PATH, of the target's directory */
	int result;  /* index in the results */
	unsigned serial;
	char name[NAME_MAX + 1];
	char decoy[64], link[64];
	const char *in; /* decoy or link: what went in at NAME */
	uint64_t target_dev, target_ino, decoy_dev, decoy_ino, link_ino;
};

struct task {
	struct proc p;	 /* first: a task is found from its proc */
	bool startup;	 /* the next EVENT_STOP is its first stop */
	bool waiting;	 /* stopped, waiting for its parent's fork event */
	bool in_syscall; /* resumed to see the exit of a traced syscall */
	/* the spawned program before its exec: what it calls is fsrace's
	 * own (or a runtime's that runs fsrace, as valgrind's stat of the
	 * program is), not the program's, and only the exec is recorded */
	bool prelude;
	bool warned_arch;
	bool creds_pending; /* attach mode: its first record has creds */
	bool maps_pending;  /* at the exit of a call that changes code maps */
	uint64_t clone_flags;
	bool clone_known;
	const char *clone_syscall;

	/* the syscall in progress, filled at entry, completed at exit */
	const struct syscall_desc *sc;
	uint64_t args[6];
	uint64_t statbuf;
	uint64_t linkbuf;
	bool statx;
	unsigned hints; /* enum proc_hint */
	int inject_err; /* --inject: the call was skipped, fails with this */
	bool hold;	/* --widen: held at this entry stop, not resumed */
	/*
	 * A stat by name with nothing to do at its entry (tracer_defers())
	 * is decoded at its exit: its path and its result are then read in
	 * one process_vm_readv, PRE_PATH bytes of the path at PRE_ADDR into
	 * PATH, PRE_STAT bytes of the result into PRE_BUF.
	 */
	bool deferred;
	uint64_t deferred_ts;
	uint64_t pre_addr;
	size_t pre_path, pre_stat;
	unsigned char pre_buf[sizeof(struct statx)];
	struct tracer_confirm_swap swap;
	struct event ev;
	struct proc_strings s;
	char path[PATH_BUF], path2[PATH_BUF];
	char target[PATH_BUF], xattr[256];
	char parent[PATH_BUF], parent2[PATH_BUF];
	char **argv;
	int argc;
};

struct tracer {
	struct tracer_options opt;
	bool seccomp;
	const char *seccomp_reason;
	scmp_filter_ctx filter;
	const struct syscall_desc *by_nr[NR_MAX];
	int fcntl_cmd_arg; /* fcntl's argument of kind A_FCNTL_CMD */
	struct proc_model model;
	int main_pid;
	int main_status; /* fsrace's exit status once main_pid ended */
	bool main_done;
	uint64_t seq;
	struct dircache *dirs;
	bool detaching;
	bool told_too_long; /* the trace has PROC_TOO_LONG_WARNING */
	bool interrupted;   /* a stop signal came (SIGINT, SIGTERM…) */
	struct tracer_confirm_state *confirm; /* --confirm (confirm.c) */
	bool confirm_journal_failed;
	/* stop signals sent to what outlived the program (spawn mode) */
	int rest_signalled;
	/* open /proc/TGID/fd directories, so that a lookup walks one name */
	struct {
		int tgid;
		int fd;
	} procfd[8];
	unsigned procfd_next;
	struct tracer_stacks *stacks; /* --stacks (stacks.c) */
	/* --widen: the (tgid, path) of first steps not yet followed by a
	 * second, and the tasks held at an entry stop until a time */
	struct hashmap checks;
	uint64_t checks_forgotten; /* times TRACER_WIDEN_CHECKS_MAX was reached
				    */
	struct held {
		int tid;
		uint64_t until_ns;
	} * held;
	int nheld, capheld;
	timer_t held_timer; /* wakes the wait when one is due */
	bool held_timer_ok;
};

/* --stacks (stacks.c; stacks-off.c in a build without them) */
int tracer_stacks_new(struct tracer *t);
void tracer_stacks_free(struct tracer *t);
/* The stack of task TID of TGID, stopped at a syscall entry: interned,
 * or NULL when it could not be walked (counted) or the table is full
 * (*DROPPED set). *WARNING: a message to emit, once per address space (a
 * CPython without offsets here), or once when the table fills. */
const struct stack_trace *tracer_stacks_take(struct tracer *t, int tgid,
					     int tid, const char **warning,
					     bool *dropped);
/* TGID's code mappings changed (munmap, mremap, mmap MAP_FIXED of code):
 * reread them before the next walk. */
void tracer_stacks_maps_changed(struct tracer *t, int tgid);
/* TGID exec'd or ended: its address space is gone. */
void tracer_stacks_forget(struct tracer *t, int tgid);
/* --confirm (confirm.c): at the entry of K's call (decoded), at its
 * exit (emitted), at a read or write of CONFIRM_DATA, at K's end. */
int tracer_confirm_new(struct tracer *t);
void tracer_confirm_entry(struct tracer *t, struct task *k);
void tracer_confirm_exit(struct tracer *t, struct task *k);
void tracer_confirm_io(struct tracer *t, struct task *k, long nr,
		       const uint64_t *args);
void tracer_confirm_task_gone(struct tracer *t, struct task *k);
void tracer_confirm_exec(struct tracer *t, struct task *k);
/* The end of the run: what is still watched was not used. */
void tracer_confirm_finish(struct tracer *t);
void tracer_confirm_free(struct tracer *t);
/* SECCOMP_RET_DATA of the reads and writes --confirm follows, and
 * whether call NR is one of them (without seccomp) */
#define CONFIRM_DATA 0xfffd
bool filter_confirm_call(const struct tracer *t, long nr);

/* SECCOMP_RET_DATA of a call that changes code mappings (--stacks). */
#define MAPS_DATA 0xfffe
/* Whether call NR with ARGS changes code mappings (without seccomp). */
bool filter_maps_call(long nr, const uint64_t *args);

/* (a tracee's memory by pages: vm_read_pages(), util.h) */
/* Read a NUL-terminated string, at most SIZE-1 bytes. 0 or -errno. */
int tracee_peek_string(int tid, uint64_t addr, char *buf, size_t size);
/*
 * At the exit of K's deferred call: the start of its path at PATH (to
 * the end of its page) and, if STATBUF, its result there (SIZE bytes),
 * in one read, into k->path and k->pre_buf.
 */
void tracee_prefetch(struct task *k, uint64_t path, uint64_t statbuf,
		     size_t size);
/* K's path at ADDR into k->path, from what tracee_prefetch() read of
 * it first; 0 or -errno. */
int tracee_peek_path(struct task *k, uint64_t addr);
/* K's argv, execve's array at ADDR, into k->argv (owned by K). */
void tracee_read_argv(struct task *k, uint64_t addr);
void tracee_free_argv(struct task *k);

/* Where the model asks for the path of an fd it does not know. */
extern const struct proc_backend procfs_backend;
/* fstatat (ST) or readlinkat (LINK) on /proc/TGID/fd/FD; 0 or -errno. */
int procfs_fd_op(struct tracer *t, int tgid, int fd, struct stat *st,
		 char *link, size_t size);
/* TGID is gone: close its cached /proc/TGID/fd. */
void procfs_forget(struct tracer *t, int tgid);
/* A task seen without a parent (spawn, attach): its tables from /proc. */
void procfs_load_task(struct task *k);
/*
 * Who task TID runs as: the real and effective uid of /proc/TID/status
 * and AT_SECURE of /proc/TID/auxv, into *RET. 0 or -errno.
 */
int procfs_creds(int tid, struct creds *ret);
/*
 * Whether the path of EV (SECOND: its second path, a rename's
 * destination), at its entry in task K, names an object now, as the
 * call resolves it (an open follows a last symlink, a rename does not):
 * 1 or 0, or -errno when that cannot be told.
 */
int procfs_path_exists(const struct task *k, const struct event *ev,
		       bool second);

/* The call K stopped at the entry of (k->sc, k->args) into k->ev. */
void decode_entry(struct tracer *t, struct task *k);
/* Complete k->ev with the result RVAL of the call. */
void decode_exit(struct tracer *t, struct task *k, int64_t rval, bool is_error);

/* Build the seccomp filter into t->filter; 0 or a libseccomp error. */
int filter_build(struct tracer *t);
/* t->by_nr: the table row of each syscall number. */
void filter_map(struct tracer *t);
/* Why the kernel cannot filter, or NULL when it can. */
const char *filter_probe(void);

#endif
