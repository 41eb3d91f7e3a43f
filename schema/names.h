/* SPDX-License-Identifier: MIT */
/* Names of flag bits, errno values and signals, both ways. */
#ifndef FSRACE_NAMES_H
#define FSRACE_NAMES_H

#include <stdbool.h>
#include <stdint.h>

#include "syscalls.h"

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
};

/* The flag set of the syscall's flags argument, FLAGS_NONE if it has none. */
enum flagset syscall_flagset(const struct syscall_desc *sc);

/*
 * Call FN once per name in FLAGS, in a fixed order; bits without a name
 * come last as one "0x…" string. For FLAGS_OPEN the access mode is always
 * named; for FLAGS_ACCESS, 0 is "F_OK". NAME is valid during the call.
 */
void flags_each(enum flagset set, uint64_t flags,
		void (*fn)(const char *name, void *ud), void *ud);

/* The bits NAME stands for in SET; -EINVAL if it is not a name of SET. */
int flags_parse(enum flagset set, const char *name, uint64_t *ret_bits);

/* "ENOENT" for 2; NULL when unknown. */
const char *errno_name(int err);
/* 2 for "ENOENT"; -EINVAL when unknown. */
int errno_parse(const char *name);

/* "SIGKILL" for 9 (borrowed, valid in the calling thread); NULL when
 * unknown. Real-time signals are SIGRT_N, N from the kernel's SIGRTMIN (32),
 * as strace names them. */
const char *signal_name(int sig);
int signal_parse(const char *name);

/* fcntl command names, for the commands fsrace stops on. */
const char *fcntl_cmd_name(int cmd);
int fcntl_cmd_parse(const char *name);

#endif
