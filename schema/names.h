/* SPDX-License-Identifier: MIT */
/*
 * Kernel names, both ways: one table (names.c) holds every flag, errno,
 * signal, fcntl command, clone flag and file mode name that fsrace reads
 * or writes, with its x86_64 kernel value (not libc's). Each name belongs
 * to exactly one namespace: AT_SYMLINK_NOFOLLOW is an AT flag, never an
 * open flag, although its value is O_NOCTTY's (0x100).
 *
 * Lookups are O(1): a name goes through a hash of every name, a value of
 * an errno, signal or fcntl command through a hash of (namespace, value);
 * both are built once, on first use, and are safe from any thread.
 */
#ifndef FSRACE_NAMES_H
#define FSRACE_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "syscalls.h"

/*
 * The kernel constants that the model, the producers and the rules test,
 * defined here only: libc's may differ (its O_TMPFILE includes
 * O_DIRECTORY, its O_LARGEFILE is 0) or be missing. Enumerators, not
 * macros, so that they never clash with libc's.
 */
enum {
	AT_FDCWD_ = -100,
	AT_SYMLINK_NOFOLLOW_ = 0x100,
	AT_REMOVEDIR_ = 0x200,
	AT_EMPTY_PATH_ = 0x1000,
	O_RDONLY_ = 0,
	O_WRONLY_ = 01,
	O_ACCMODE_ = 03,
	O_CREAT_ = 0100,
	O_EXCL_ = 0200,
	O_TRUNC_ = 01000,
	O_LARGEFILE_ = 0100000, /* 0 in libc on x86_64 */
	O_DIRECTORY_ = 0200000,
	O_NOFOLLOW_ = 0400000,
	O_CLOEXEC_ = 02000000,
	O_TMPFILE_ = 020000000, /* the kernel's __O_TMPFILE */
	RENAME_NOREPLACE_ = 1,
	RENAME_EXCHANGE_ = 2,
	CLOSE_RANGE_CLOEXEC_ = 4,
	CSIGNAL_ = 0xff, /* clone's exit signal, below the flags */
	CLONE_VM_ = 0x100,
	CLONE_FS_ = 0x200,
	CLONE_FILES_ = 0x400,
	CLONE_VFORK_ = 0x4000,
	CLONE_THREAD_ = 0x10000,
	F_DUPFD_ = 0,
	F_SETFD_ = 2,
	F_DUPFD_CLOEXEC_ = 1030,
	FD_CLOEXEC_ = 1,
};

/* Where a name belongs. */
enum name_ns {
	NS_OPEN,	    /* O_*: open(2) flags and access modes */
	NS_AT,		    /* AT_*: flags of the *at calls */
	NS_RENAME,	    /* RENAME_* */
	NS_CLOSE_RANGE,	    /* CLOSE_RANGE_* */
	NS_SYNC_FILE_RANGE, /* SYNC_FILE_RANGE_* */
	NS_ACCESS,	    /* F_OK, R_OK, W_OK, X_OK */
	NS_RESOLVE,	    /* RESOLVE_*: openat2 */
	NS_CLONE,	    /* CLONE_* */
	NS_MODE,	    /* S_IF* file types, S_IS* mode bits */
	NS_FD,		    /* FD_CLOEXEC */
	NS_DIRFD,	    /* AT_FDCWD */
	NS_ERRNO,	    /* ENOENT */
	NS_SIGNAL,	    /* SIGKILL, SIGRT_n */
	NS_FCNTL,	    /* fcntl commands fsrace stops on: F_DUPFD */
	NS_COUNT,
};

/* What a name of NS is, for messages: "an open flag". */
const char *name_ns_what(enum name_ns ns);

/*
 * The namespace and the value of the NAME of LEN bytes (not necessarily
 * NUL-terminated): 0, or -ENOENT when no namespace has that name.
 */
int name_find(const char *name, size_t len, enum name_ns *ret_ns,
	      uint64_t *ret_value);

/* VALUE for NAME of NS: 0, or -EINVAL when NAME is not a name of NS. */
int name_value(enum name_ns ns, const char *name, uint64_t *ret_value);

/*
 * The name of VALUE in NS, NULL when it has none. Only for namespaces of
 * single values (errno, signal, fcntl, dirfd, fd); flags go through
 * flags_each(). Borrowed from a static table.
 */
const char *name_of(enum name_ns ns, uint64_t value);

/*
 * A syscall's view of a flag namespace: the names its flags argument can
 * carry, in the order they are written. dup3 takes only O_CLOEXEC of the
 * open flags; faccessat2 takes AT_EACCESS, which unlinkat calls
 * AT_REMOVEDIR.
 */
enum flagset {
	FLAGS_NONE,
	FLAGS_OPEN,
	FLAGS_AT,
	FLAGS_FACCESSAT,
	FLAGS_RENAME,
	FLAGS_CLOSE_RANGE,
	FLAGS_SYNC_FILE_RANGE,
	FLAGS_DUP3,
	FLAGS_ACCESS,
	FLAGS_RESOLVE,
	FLAGS_CLONE,
	FLAGS_COUNT,
};

/* The flag set of the syscall's flags argument, FLAGS_NONE if it has none. */
enum flagset syscall_flagset(const struct syscall_desc *sc);

/* The namespace the names of SET belong to; NS_COUNT for FLAGS_NONE. */
enum name_ns flagset_ns(enum flagset set);

/*
 * Call FN once per name in FLAGS, in a fixed order; bits without a name
 * come last as one "0x…" string. For FLAGS_OPEN the access mode is always
 * named; for FLAGS_ACCESS, 0 is "F_OK". NAME is valid during the call.
 */
void flags_each(enum flagset set, uint64_t flags,
		void (*fn)(const char *name, void *ud), void *ud);

/*
 * The bits NAME stands for in SET (a name of SET, an alias strace prints
 * such as O_NDELAY, or "0x…"); -EINVAL if it is none of these.
 */
int flags_parse(enum flagset set, const char *name, uint64_t *ret_bits);

/* "ENOENT" for 2; NULL when unknown. */
const char *errno_name(int err);
/* 2 for "ENOENT" (and the kernel's internal ERESTARTSYS & co., which
 * strace prints); -EINVAL when unknown. */
int errno_parse(const char *name);

/* Numbers from here on are errno names no table here knows. */
#define ERRNO_INTERNED 0x10000

/*
 * The errno NAME ("E" and capitals, digits or '_', as strace prints
 * one), known or not: a name from another kernel's log ("EWEIRD") gets
 * a number of its own from ERRNO_INTERNED on, which errno_name() gives
 * back for the process's life, so that it goes from an imported log to
 * the trace and its reports. -EINVAL for what is not such a name.
 * Thread-safe.
 */
int errno_intern(const char *name);

/* "SIGKILL" for 9; NULL when unknown. Real-time signals are SIGRT_N, N
 * from the kernel's SIGRTMIN (32), as strace names them. Static. */
const char *signal_name(int sig);
/* 9 for "SIGKILL"; also SIGRTMIN and the aliases SIGIO, SIGIOT, SIGCLD;
 * -EINVAL when unknown. */
int signal_parse(const char *name);

/* fcntl command names, for the commands fsrace stops on. */
const char *fcntl_cmd_name(int cmd);
int fcntl_cmd_parse(const char *name);

/* One row of the table, for tests and tools. */
struct kernel_name {
	const char *name;
	uint64_t value;
	uint64_t mask; /* flags: the bits that must equal VALUE */
	uint16_t sets; /* 1 << enum flagset: the views showing it */
	uint8_t ns;    /* enum name_ns */
	bool alias;    /* read, never written: O_NDELAY, EWOULDBLOCK */
};

/* The table: *RET_N rows. */
const struct kernel_name *names_table(size_t *ret_n);

#endif
