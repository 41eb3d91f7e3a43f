// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>
#include <sys/uio.h>

#include "tracer-int.h"
#include "util.h"

/*
 * Read up to SIZE bytes at ADDR into BUF, one remote iovec per page so
 * that an unmapped page ends the read there instead of failing it all.
 * Returns the bytes read, or -errno.
 */
ssize_t tracee_peek(int tid, uint64_t addr, void *buf, size_t size)
{
	struct iovec local = {buf, size};
	struct iovec remote[4];
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
	if (r < 0)
		return -errno;
	return r;
}

/* Read a NUL-terminated string; at most SIZE-1 bytes. 0 or -errno. */
int tracee_peek_string(int tid, uint64_t addr, char *buf, size_t size)
{
	size_t got = 0;

	if (!addr)
		return -EFAULT;
	while (got + 1 < size) {
		size_t want = 4096 - ((addr + got) & 4095);
		ssize_t r;

		if (want > size - 1 - got)
			want = size - 1 - got;
		r = tracee_peek(tid, addr + got, buf + got, want);
		if (r <= 0) {
			buf[got] = '\0';
			return r < 0 ? (int)r : -EFAULT;
		}
		if (memchr(buf + got, '\0', (size_t)r))
			return 0;
		got += (size_t)r;
	}
	buf[got] = '\0';
	return 0;
}

void tracee_read_argv(struct task *k, uint64_t addr)
{
	char buf[PATH_BUF];
	int cap = 0;

	tracee_free_argv(k);
	for (int i = 0; i < ARGV_MAX && addr; i++) {
		uint64_t p;

		if (tracee_peek(k->p.tid, addr + (uint64_t)i * 8, &p, 8) != 8 ||
		    !p)
			break;
		if (tracee_peek_string(k->p.tid, p, buf, sizeof(buf)) < 0)
			break;
		if (k->argc == cap) {
			cap = cap ? cap * 2 : 8;
			k->argv =
				xrealloc(k->argv, (size_t)cap * sizeof(char *));
		}
		k->argv[k->argc++] = xstrdup(buf);
	}
}

void tracee_free_argv(struct task *k)
{
	for (int i = 0; i < k->argc; i++)
		free(k->argv[i]);
	free(k->argv);
	k->argv = NULL;
	k->argc = 0;
}
