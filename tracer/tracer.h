/* SPDX-License-Identifier: MIT */
/*
 * The ptrace engine: spawns or attaches, follows every task, decodes the
 * traced syscalls (schema/syscalls.c) into events and hands each completed
 * event to a sink. It knows nothing of rules or output formats.
 */
#ifndef FSRACE_TRACER_H
#define FSRACE_TRACER_H

#include <stdbool.h>

#include "event.h"

struct tracer;
struct stack_table;

/* Whether this build can take stacks (libunwind and libdw were found). */
bool tracer_can_stack(void);

/* --stack-snapshot's bounds: one page, and 64 KiB (a walk reads on to
 * STACK_SNAPSHOT_READ_ON times it) */
#define TRACER_STACK_SNAPSHOT_MIN 4096
#define TRACER_STACK_SNAPSHOT_MAX 65536

/*
 * --inject: each call of one of SYSCALLS (bit I: syscall_table[I]) whose
 * path, or a rename's other path, matches GLOB (fnmatch(3) without flags;
 * NULL: any), the FROM-th to the TO-th such call (counted from 1), fails
 * with ERR without being made: at its entry stop the tracer makes the
 * syscall number invalid, at its exit stop it sets the result to -ERR
 * (as strace -e inject does). Its event is marked injected.
 */
struct tracer_inject {
	uint64_t syscalls[2];
	int err;
	const char *glob;
	uint64_t from, to;
	uint64_t seen; /* the matching calls so far (the tracer's count) */
};

/*
 * --widen: a call of SECOND by a process that made a call of FIRST on the
 * same path (its absolute path) since, is held at its entry stop for NS
 * before it is resumed, while the other tasks run on; its event gets
 * widened_ns. FIRST and SECOND are the first and second steps of the
 * rules widened (bit I: syscall_table[I]).
 */
struct tracer_widen {
	uint64_t ns; /* 0: off */
	uint64_t first[2], second[2];
};

/*
 * --confirm (tracer/confirm.c, docs/confirm.md): a decoy swapped in at
 * the entry of an open by name that follows a check of the same path by
 * the same process, under UNDER (canonical; UNDER_FD its O_PATH
 * descriptor, opened without following a symlink, on device UNDER_DEV),
 * put back at the open's exit. Each swap and each restoration is written
 * to JOURNAL_FD (-1: none) and fsync'ed. COUNT_STDERR alone (UNDER NULL):
 * only count the writes to descriptor 2, for the unperturbed run.
 */
struct tracer_confirm {
	const char *under;
	int under_fd;
	uint64_t under_dev;
	int journal_fd;
	bool any_owner; /* files not the invoking user's too */
	bool count_stderr;
	/* the paths whose use may be swapped (the findings confirmed) */
	const char *const *paths;
	int npaths;
};

enum confirm_verdict {
	CONFIRM_PENDING,
	CONFIRM_ACCEPTED, /* read or written through the descriptor */
	CONFIRM_NOTICED,  /* (the caller's: UNUSED, and the run differed) */
	CONFIRM_REFUSED,  /* the open failed: ELOOP, EEXIST, EACCES, EPERM */
	CONFIRM_INCONCLUSIVE,
	CONFIRM_UNUSED, /* closed or ended unused: the caller decides */
	CONFIRM_NOT_CONFIRMABLE, /* no swap was made (EVIDENCE says why) */
};

/* One swap, or one that could not be made. */
struct tracer_confirm_result {
	uint64_t use_seq; /* the swapped open's event; 0: no swap made */
	int pid;
	const char *path; /* the tracer's, until tracer_free */
	const char *swap; /* "exchange", "symlink", "squat" */
	int result;	  /* enum confirm_verdict */
	char evidence[160];
	bool restored;
	bool retried; /* the process opened the path again */
	char restore_note[512];
};

struct tracer_options {
	/* spawn mode: the program (a path that exists) and its argv */
	const char *program;
	const char *const *argv;
	/* attach mode when > 0 */
	int attach_pid;
	/* stop at every syscall instead of installing the seccomp filter */
	bool no_seccomp;
	/*
	 * --stacks: each event that can be evidence (all but descriptor
	 * management) gets the stack of its call, interned in STACK_TABLE
	 * (the caller's: it outlives the tracer and the events). The bytes
	 * of stack copied at a stop: STACK_SNAPSHOT, 0 for 8 KiB, else a
	 * whole number of pages from TRACER_STACK_SNAPSHOT_MIN to _MAX.
	 */
	bool stacks;
	struct stack_table *stack_table;
	size_t stack_snapshot;
	/* --inject: in order; the first whose call it is fails it */
	struct tracer_inject *inject;
	int ninject;
	struct tracer_widen widen;
	struct tracer_confirm confirm;
	/*
	 * Called with every completed event, in order; EV is borrowed for
	 * the call. The tracer numbers events (seq) itself.
	 */
	void (*on_event)(const struct event *ev, void *ud);
	/* Called at least every 250 ms while tracing, for flushing. */
	void (*on_tick)(void *ud);
	void *ud;
};

/*
 * Spawn the program or attach to the process. Returns 0, or -errno with
 * a message for the user in *ret_msg (static, valid until the next
 * tracer_start) when nothing could be traced: -ESRCH no such process, -EPERM
 * not allowed, -ENOEXEC/-EACCES/-ENOENT the program cannot be run.
 */
int tracer_start(struct tracer **ret, const struct tracer_options *opt,
		 const char **ret_msg);

/* Whether the seccomp filter is in use, and if not, why (NULL if it is). */
bool tracer_seccomp(const struct tracer *t, const char **ret_reason);

/*
 * Trace until every task has exited, or in attach mode until SIGINT,
 * SIGTERM or SIGHUP, which detach and leave the process running. Returns
 * the exit status for fsrace: the spawned program's own (128+N when signal
 * N killed it), 0 after a detach.
 */
int tracer_run(struct tracer *t);

/* --confirm: the swaps made (or not), N of them, valid until
 * tracer_free; and the writes to descriptor 2 the traced tree made. */
const struct tracer_confirm_result *
tracer_confirm_results(const struct tracer *t, int *n, uint64_t *stderr_writes);

/* Whether fsrace got a stop signal (SIGINT, SIGTERM, SIGHUP) while
 * tracing. */
bool tracer_interrupted(const struct tracer *t);

/* How many paths could not be made absolute within PATH_MAX (the
 * trace's warning says what that means; the caller tells the count). */
uint64_t tracer_paths_too_long(const struct tracer *t);

/* --widen: how many times the first steps it remembers (4,096 at once)
 * were all forgotten, the table full (a use of one was then not held). */
uint64_t tracer_widen_forgotten(const struct tracer *t);
#define TRACER_WIDEN_CHECKS_MAX 4096

void tracer_free(struct tracer *t);

#endif
