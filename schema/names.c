// SPDX-License-Identifier: MIT
#include "names.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

struct flagname {
	uint64_t bits;
	uint64_t mask; /* bits that must equal BITS; 0 means BITS itself */
	const char *name;
};

#define F(b, n)                                                                \
	{                                                                      \
		(b), 0, n                                                      \
	}

/* Kernel values for x86_64 (asm-generic/fcntl.h), not libc's. */
static const struct flagname open_flags[] = {
	{04010000, 04010000, "O_SYNC"},
	{020200000, 020200000, "O_TMPFILE"},
	F(0100, "O_CREAT"),
	F(0200, "O_EXCL"),
	F(0400, "O_NOCTTY"),
	F(01000, "O_TRUNC"),
	F(02000, "O_APPEND"),
	F(04000, "O_NONBLOCK"),
	F(010000, "O_DSYNC"),
	F(020000, "O_ASYNC"),
	F(040000, "O_DIRECT"),
	F(0100000, "O_LARGEFILE"),
	F(0200000, "O_DIRECTORY"),
	F(0400000, "O_NOFOLLOW"),
	F(01000000, "O_NOATIME"),
	F(02000000, "O_CLOEXEC"),
	F(010000000, "O_PATH"),
	{0},
};

static const struct flagname at_flags[] = {
	F(0x100, "AT_SYMLINK_NOFOLLOW"),
	F(0x200, "AT_REMOVEDIR"),
	F(0x400, "AT_SYMLINK_FOLLOW"),
	F(0x800, "AT_NO_AUTOMOUNT"),
	F(0x1000, "AT_EMPTY_PATH"),
	F(0x2000, "AT_STATX_FORCE_SYNC"),
	F(0x4000, "AT_STATX_DONT_SYNC"),
	F(0x8000, "AT_RECURSIVE"),
	{0},
};

static const struct flagname faccessat_flags[] = {
	F(0x100, "AT_SYMLINK_NOFOLLOW"),
	F(0x200, "AT_EACCESS"),
	F(0x1000, "AT_EMPTY_PATH"),
	{0},
};

static const struct flagname rename_flags[] = {
	F(1, "RENAME_NOREPLACE"),
	F(2, "RENAME_EXCHANGE"),
	F(4, "RENAME_WHITEOUT"),
	{0},
};

static const struct flagname close_range_flags[] = {
	F(2, "CLOSE_RANGE_UNSHARE"),
	F(4, "CLOSE_RANGE_CLOEXEC"),
	{0},
};

static const struct flagname sfr_flags[] = {
	F(1, "SYNC_FILE_RANGE_WAIT_BEFORE"),
	F(2, "SYNC_FILE_RANGE_WRITE"),
	F(4, "SYNC_FILE_RANGE_WAIT_AFTER"),
	{0},
};

static const struct flagname dup3_flags[] = {
	F(02000000, "O_CLOEXEC"),
	{0},
};

static const struct flagname access_flags[] = {
	F(4, "R_OK"),
	F(2, "W_OK"),
	F(1, "X_OK"),
	{0},
};

static const struct flagname resolve_flags[] = {
	F(1, "RESOLVE_NO_XDEV"),
	F(2, "RESOLVE_NO_MAGICLINKS"),
	F(4, "RESOLVE_NO_SYMLINKS"),
	F(8, "RESOLVE_BENEATH"),
	F(0x10, "RESOLVE_IN_ROOT"),
	F(0x20, "RESOLVE_CACHED"),
	{0},
};

static const struct flagname *const tables[] = {
	[FLAGS_NONE] = NULL,
	[FLAGS_OPEN] = open_flags,
	[FLAGS_AT] = at_flags,
	[FLAGS_FACCESSAT] = faccessat_flags,
	[FLAGS_RENAME] = rename_flags,
	[FLAGS_CLOSE_RANGE] = close_range_flags,
	[FLAGS_SYNC_FILE_RANGE] = sfr_flags,
	[FLAGS_DUP3] = dup3_flags,
	[FLAGS_ACCESS] = access_flags,
	[FLAGS_RESOLVE] = resolve_flags,
};

enum flagset syscall_flagset(const struct syscall_desc *sc)
{
	for (int i = 0; i < 6; i++) {
		switch (sc->args[i]) {
		case A_OFLAGS:
		case A_OPENHOW:
			return FLAGS_OPEN;
		case A_ATFLAGS:
			return FLAGS_AT;
		case A_FACCFLAGS:
			return FLAGS_FACCESSAT;
		case A_RENFLAGS:
			return FLAGS_RENAME;
		case A_CRFLAGS:
			return FLAGS_CLOSE_RANGE;
		case A_SFRFLAGS:
			return FLAGS_SYNC_FILE_RANGE;
		case A_DUPFLAGS:
			return FLAGS_DUP3;
		}
	}
	if (sc->flags & SCF_IMPLIED_OFLAGS)
		return FLAGS_OPEN;
	return FLAGS_NONE;
}

void flags_each(enum flagset set, uint64_t flags,
		void (*fn)(const char *name, void *ud), void *ud)
{
	const struct flagname *t = tables[set];
	char hex[24];

	if (set == FLAGS_OPEN) {
		static const char *const acc[] = {"O_RDONLY", "O_WRONLY",
						  "O_RDWR", "O_ACCMODE"};
		fn(acc[flags & 3], ud);
		flags &= ~(uint64_t)3;
	} else if (set == FLAGS_ACCESS && flags == 0) {
		fn("F_OK", ud);
		return;
	}
	for (; t && t->name; t++) {
		uint64_t mask = t->mask ? t->mask : t->bits;

		if ((flags & mask) == t->bits) {
			fn(t->name, ud);
			flags &= ~mask;
		}
	}
	if (flags) {
		snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)flags);
		fn(hex, ud);
	}
}

int flags_parse(enum flagset set, const char *name, uint64_t *ret_bits)
{
	const struct flagname *t = tables[set];

	if (set == FLAGS_OPEN) {
		static const char *const acc[] = {"O_RDONLY", "O_WRONLY",
						  "O_RDWR", "O_ACCMODE"};
		for (unsigned i = 0; i < 4; i++)
			if (!strcmp(name, acc[i])) {
				*ret_bits = i;
				return 0;
			}
	}
	if (set == FLAGS_ACCESS && !strcmp(name, "F_OK")) {
		*ret_bits = 0;
		return 0;
	}
	for (; t && t->name; t++)
		if (!strcmp(t->name, name)) {
			*ret_bits = t->bits;
			return 0;
		}
	if (name[0] == '0' && name[1] == 'x') {
		char *end;
		unsigned long long v = strtoull(name + 2, &end, 16);

		if (*end == '\0' && end != name + 2) {
			*ret_bits = v;
			return 0;
		}
	}
	return -EINVAL;
}

const char *errno_name(int err)
{
	return strerrorname_np(err);
}

int errno_parse(const char *name)
{
	for (int e = 1; e < 4096; e++) {
		const char *n = strerrorname_np(e);

		if (n && !strcmp(n, name))
			return e;
	}
	return -EINVAL;
}

const char *signal_name(int sig)
{
	/* per thread: analyze reads traces in a thread of its own */
	static __thread char buf[NSIG][24];
	const char *abbrev;

	if (sig <= 0 || sig >= NSIG)
		return NULL;
	if (buf[sig][0])
		return buf[sig];
	abbrev = sigabbrev_np(sig);
	if (abbrev)
		snprintf(buf[sig], sizeof(buf[sig]), "SIG%s", abbrev);
	else if (sig >= 32 && sig <= SIGRTMAX)
		/* numbered from the kernel's SIGRTMIN (32), as strace does */
		snprintf(buf[sig], sizeof(buf[sig]), "SIGRT_%d", sig - 32);
	else
		return NULL;
	return buf[sig];
}

int signal_parse(const char *name)
{
	for (int s = 1; s < NSIG; s++) {
		const char *n = signal_name(s);

		if (n && !strcmp(n, name))
			return s;
	}
	return -EINVAL;
}

static const struct {
	int cmd;
	const char *name;
} fcntl_cmds[] = {
	{F_DUPFD, "F_DUPFD"},
	{F_DUPFD_CLOEXEC, "F_DUPFD_CLOEXEC"},
	{F_SETFD, "F_SETFD"},
};

const char *fcntl_cmd_name(int cmd)
{
	for (unsigned i = 0; i < ARRAY_SIZE(fcntl_cmds); i++)
		if (fcntl_cmds[i].cmd == cmd)
			return fcntl_cmds[i].name;
	return NULL;
}

int fcntl_cmd_parse(const char *name)
{
	for (unsigned i = 0; i < ARRAY_SIZE(fcntl_cmds); i++)
		if (!strcmp(fcntl_cmds[i].name, name))
			return fcntl_cmds[i].cmd;
	return -EINVAL;
}
