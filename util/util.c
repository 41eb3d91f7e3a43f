// SPDX-License-Identifier: MIT
#include "util.h"

#include <errno.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>

static void oom(void)
{
	fputs("fsrace: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		oom();
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (!p)
		oom();
	return p;
}

static void vsay(const char *kind, const char *fmt, va_list ap)
{
	char buf[4096];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(stderr, "fsrace: %s%s\n", kind, buf);
}

void warnx_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("warning: ", fmt, ap);
	va_end(ap);
}

void errorx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("", fmt, ap);
	va_end(ap);
}

unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int openat2_fd(int dirfd, const char *path, unsigned long long flags,
	       unsigned long long resolve)
{
	struct open_how how = {.flags = flags, .resolve = resolve};

	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

ssize_t vm_read_pages(pid_t tid, uint64_t addr, void *buf, size_t size)
{
	struct iovec local = {buf, size};
	struct iovec remote[VM_READ_PAGES_MAX];
	size_t done = 0;
	int n = 0;
	ssize_t r;

	while (done < size && n < (int)ARRAY_SIZE(remote)) {
		uint64_t a = addr + done;
		size_t chunk = 4096 - (a & 4095);

		if (chunk > size - done)
			chunk = size - done;
		remote[n].iov_base = (void *)(uintptr_t)a;
		remote[n].iov_len = chunk;
		done += chunk;
		n++;
	}
	local.iov_len = done;
	r = process_vm_readv(tid, &local, 1, remote, (unsigned long)n, 0);
	return r < 0 ? -errno : r;
}
