/* SPDX-License-Identifier: MIT */
#ifndef FSRACE_UTIL_H
#define FSRACE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define UNUSED __attribute__((unused))
#define PRINTF(f, a) __attribute__((format(printf, f, a)))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* Allocation that cannot fail: on out-of-memory they print and abort. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

#define _cleanup_free_ __attribute__((cleanup(freep)))
#define _cleanup_close_ __attribute__((cleanup(closep)))

/* Diagnostics on stderr, prefixed "fsrace: ". */
void warnx_(const char *fmt, ...) PRINTF(1, 2);
void errorx(const char *fmt, ...) PRINTF(1, 2);

/* Wall clock in ns since the epoch. */
unsigned long long now_ns(void);

/*
 * Read up to SIZE bytes at ADDR of the process TID into BUF, one remote
 * iovec per page (at most VM_READ_PAGES_MAX pages), so that an unmapped page
 * ends the read there instead of failing all of it: process_vm_readv(2)
 * promises partial transfers only at the granularity of its iovecs. The bytes
 * read, or -errno.
 */
#define VM_READ_PAGES_MAX 64
ssize_t vm_read_pages(pid_t tid, uint64_t addr, void *buf, size_t size);

/* openat2(2) with these flags and resolve flags (RESOLVE_*): an fd, or -1
 * with errno (ENOSYS: a kernel before 5.6, or valgrind). */
int openat2_fd(int dirfd, const char *path, unsigned long long flags,
	       unsigned long long resolve);

#endif
