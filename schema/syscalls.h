/* SPDX-License-Identifier: MIT */
/*
 * The table of traced system calls. Every consumer derives what it needs
 * from it: the tracer its seccomp filter (numbers come from libseccomp) and
 * its argument decoding, the trace reader the syscall of a record, the rule
 * engine its syscall classes.
 */
#ifndef FSRACE_SYSCALLS_H
#define FSRACE_SYSCALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Rows the table may hold: syscall sets (struct scset) and the engine's
 * per-syscall tables have this many bits or slots.
 */
#define SYSCALL_MAX 128

/* Class flags: what a syscall does to the file system, for the rules. */
enum sc_class {
	SC_CHECK = 1 << 0,   /* inspects a path or fd: stat, access, readlink */
	SC_USE = 1 << 1,     /* opens or executes by path or fd */
	SC_CREATE = 1 << 2,  /* may create a name */
	SC_REMOVE = 1 << 3,  /* removes or replaces a name */
	SC_META = 1 << 4,    /* changes metadata: mode, owner, times, xattrs */
	SC_SYNC = 1 << 5,    /* flushes to stable storage */
	SC_FD = 1 << 6,	     /* manages descriptors: close, dup, fcntl */
	SC_PROCESS = 1 << 7, /* changes the process: cwd, root, image, tasks */
	SC_DATA = 1 << 8,    /* moves or truncates file data */
};

/* How each argument register is decoded. */
enum arg_kind {
	A_NONE = 0,
	A_DIRFD,     /* directory fd of the first path */
	A_PATH,	     /* first path */
	A_DIRFD2,    /* directory fd of the second path */
	A_PATH2,     /* second path */
	A_FD,	     /* fd operand */
	A_FD2,	     /* second fd operand */
	A_OFLAGS,    /* open(2) flags */
	A_MODE,	     /* file mode (used only with O_CREAT/O_TMPFILE for open) */
	A_ATFLAGS,   /* AT_* flags */
	A_FACCFLAGS, /* faccessat2 flags (AT_EACCESS) */
	A_RENFLAGS,  /* RENAME_* flags */
	A_ACCESS,    /* access(2) mode */
	A_OPENHOW,   /* struct open_how * */
	A_UID,
	A_GID,
	A_LENGTH,
	A_FCNTL_CMD,
	A_FCNTL_ARG,
	A_TARGET,     /* symlink contents (input string) */
	A_LINKBUF,    /* readlink output buffer */
	A_STATBUF,    /* struct stat * output */
	A_STATXBUF,   /* struct statx * output */
	A_XATTR,      /* xattr name */
	A_ARGV,	      /* execve argv */
	A_CRFLAGS,    /* close_range flags */
	A_DUPFLAGS,   /* dup3 flags (O_CLOEXEC) */
	A_SFRFLAGS,   /* sync_file_range flags */
	A_CLONEFLAGS, /* clone flags */
	A_CLONEARGS,  /* struct clone_args * */
	A_FDLAST,     /* close_range last fd */
};

/* What a successful call does to the tracer's model of the process. */
enum sc_effect {
	E_NONE = 0,
	E_OPEN, /* returns a new fd naming the path */
	E_CLOSE,
	E_CLOSE_RANGE,
	E_DUP,	/* returns a new fd naming fd's path */
	E_DUP2, /* fd2 now names fd's path */
	E_FCNTL,
	E_CHDIR,
	E_FCHDIR,
	E_CHROOT,
	E_EXEC,
	E_CLONE,      /* a new task: recorded as a fork event */
	E_CHANGE_DIR, /* may change a directory's owner, mode or name */
};

/* Flags for the tracer and, from SCF_CREATES on, for the rule fields. */
enum sc_flag {
	SCF_NO_EXIT = 1 << 0, /* the result is not needed: skip the exit stop */
	SCF_IMPLIED_OFLAGS = 1 << 1, /* creat: O_CREAT|O_WRONLY|O_TRUNC */
	SCF_STAT_RESULT = 1 << 2,    /* a successful call describes an object */
	SCF_CREATES = 1 << 3,	     /* creates the name of the first path */
	SCF_DEST2 = 1 << 4,    /* the second path is the name it creates */
	SCF_REMOVES = 1 << 5,  /* removes (or moves away) the first path */
	SCF_NOFOLLOW = 1 << 6, /* never follows a symlink at the first path */
};

struct syscall_desc {
	const char *name;
	uint32_t classes; /* enum sc_class */
	uint8_t args[6];  /* enum arg_kind per argument register */
	uint8_t effect;	  /* enum sc_effect */
	uint8_t flags;	  /* enum sc_flag */
};

extern const struct syscall_desc syscall_table[];
extern const unsigned syscall_table_size;

/* The table row for NAME, or NULL. */
const struct syscall_desc *syscall_by_name(const char *name);
/* The same for the LEN bytes at NAME (not necessarily NUL-terminated). */
const struct syscall_desc *syscall_by_name_len(const char *name, size_t len);

/* The index of DESC in syscall_table. */
static inline unsigned syscall_index(const struct syscall_desc *desc)
{
	return (unsigned)(desc - syscall_table);
}

#endif
