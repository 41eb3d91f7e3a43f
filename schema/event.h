/* SPDX-License-Identifier: MIT */
/*
 * The event: one record per completed system call or process change, the
 * one type that the tracer, the strace importer and the trace reader
 * produce and everything downstream consumes. schema/fields.c lists its
 * fields for the code that serializes or copies them; docs/trace-format.md
 * documents each as it appears in a trace file.
 *
 * Every string an event points to is borrowed from its producer and is
 * valid until the producer makes its next event.
 */
#ifndef FSRACE_EVENT_H
#define FSRACE_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "syscalls.h"

enum event_type {
	EV_SYSCALL,
	EV_FORK,
	EV_EXIT,
	EV_WARNING,
};

enum fork_kind {
	FORK_PROCESS,
	FORK_VFORK,
	FORK_THREAD,
};

/* The identity of a file system object, from a stat result. */
struct ident {
	bool valid;
	uint64_t dev;
	uint64_t ino;
	uint32_t mode;
	uint64_t nlink;
	uint32_t uid;
	uint32_t gid;
	int64_t size;
};

/* Owner and mode of the directory holding a path. */
struct parent_info {
	bool valid;
	const char *path;
	uint32_t uid;
	uint32_t mode;
};

/* Which optional fields of a syscall event are set. */
enum event_has {
	HAS_DIRFD = 1 << 0,
	HAS_PATH = 1 << 1,
	HAS_DIRFD2 = 1 << 2,
	HAS_PATH2 = 1 << 3,
	HAS_FD = 1 << 4,
	HAS_FD2 = 1 << 5,
	HAS_FLAGS = 1 << 6,
	HAS_MODE = 1 << 7,
	HAS_ACCESS = 1 << 8,
	HAS_RESOLVE = 1 << 9,
	HAS_OWNER = 1 << 10,
	HAS_LENGTH = 1 << 11,
	HAS_CMD = 1 << 12,
	HAS_XATTR = 1 << 13,
	HAS_TARGET = 1 << 14,
	HAS_ARGV = 1 << 15,
	HAS_RET = 1 << 16,
	HAS_OLD_TID = 1 << 17,
	HAS_CREDS = 1 << 18, /* creds: an exec (or the first sight of a task) */
	HAS_EXISTED = 1 << 19, /* existed: an open with O_CREAT */
	HAS_STACK = 1 << 20,   /* stack: taken at its entry (--stacks) */
	/* dfd_nofollow: the dirfd was opened with O_NOFOLLOW */
	HAS_DIRFD_NOFOLLOW = 1 << 21,
	/* injected: fsrace failed the call (--inject): it never ran */
	HAS_INJECTED = 1 << 22,
	/* widened_ns: --widen held the call at its entry that long */
	HAS_WIDENED = 1 << 23,
	/* stack_dropped: its stack was walked but not kept, the trace's
	 * table of stacks full (STACK_TABLE_STACKS_MAX) */
	HAS_STACK_DROPPED = 1 << 24,
};

/* Who a process runs as, read when it exec'd (docs/trace-format.md). */
struct stack_trace;

struct creds {
	uint32_t uid;  /* real */
	uint32_t euid; /* effective */
	bool secure;   /* AT_SECURE: a set-id or capability exec */
};

struct event {
	enum event_type type;
	uint64_t seq;
	int pid;
	int tid;
	uint64_t ts_enter;
	uint64_t ts_exit;
	uint32_t has; /* enum event_has */

	/* EV_SYSCALL */
	const struct syscall_desc *sc;
	int dirfd;
	const char *dirfd_path;
	const char *path;
	const char *abspath;
	int dirfd2;
	const char *dirfd2_path;
	const char *path2;
	const char *abspath2;
	int fd;
	const char *fd_path;
	int fd2;
	const char *fd2_path;
	uint64_t flags;
	uint32_t mode;
	uint32_t access;
	uint64_t resolve;
	int64_t uid;
	int64_t gid;
	int64_t length;
	int cmd;
	int64_t arg;
	const char *xattr;
	const char *target;
	const char *const *argv;
	int argc;
	int old_tid;
	int64_t ret;
	int err; /* positive errno when ret < 0 */
	const char *ret_path;
	struct ident stat;
	struct parent_info parent;
	struct parent_info parent2;
	struct creds creds;
	/* O_CREAT: the name was there before the call (it was opened, not
	 * created) */
	bool existed;
	/* the dirfd (not AT_FDCWD) was opened with O_NOFOLLOW: the directory
	 * it names was not reached through a symlink in its last component */
	bool dirfd_nofollow;
	/* --inject: the call was not made; fsrace returned its errno */
	bool injected;
	/* --widen: how long the tracer held the call at its entry, ns */
	int64_t widened_ns;
	/* where in the code it was called: interned in the trace's
	 * stack table (stacks.h), which outlives the event */
	const struct stack_trace *stack;
	bool stack_dropped; /* HAS_STACK_DROPPED */

	/* EV_FORK */
	int child_pid;
	int child_tid;
	enum fork_kind fork_kind;
	bool share_files;
	bool share_fs;
	const char *fork_syscall;

	/* EV_EXIT */
	int exit_status;
	int exit_signal; /* 0 when it exited normally */
	bool core_dumped;

	/* EV_WARNING */
	const char *message;

	/* where an imported event came from: a strace log and its line */
	const char *source_file;
	unsigned long source_line;
};

/* The first record of a trace: what was traced, how, and where. */
struct trace_header {
	int version;
	const char *fsrace_version;
	const char *const *argv; /* NULL-terminated; empty in attach mode */
	const char *cwd;
	uint64_t start_ns;
	const char *host;
	const char *kernel;
	bool attach;
	int attach_pid;
	bool seccomp;
	const char *seccomp_reason; /* why seccomp is off, or NULL */
	/* import mode (fsrace import): the strace logs, NULL-terminated */
	const char *const *sources;
	/* --inject: the specs as given, NULL-terminated, or NULL */
	const char *const *inject;
	/* --widen: the spec as given, or NULL */
	const char *widen;
};

/* Reset EV to an empty event of TYPE. */
void event_init(struct event *ev, enum event_type type);

#endif
