// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>
#include <sys/uio.h>

#include "tracer-int.h"
#include "util.h"

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
		r = vm_read_pages(tid, addr + got, buf + got, want);
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

		if (vm_read_pages(k->p.tid, addr + (uint64_t)i * 8, &p, 8) !=
			    8 ||
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

void tracee_prefetch(struct task *k, uint64_t path, uint64_t statbuf,
		     size_t size)
{
	size_t chunk = 4096 - (path & 4095);
	struct iovec local[2] = {{k->path, chunk}, {k->pre_buf, size}};
	struct iovec remote[2] = {{(void *)(uintptr_t)path, chunk},
				  {(void *)(uintptr_t)statbuf, size}};
	ssize_t r;

	k->pre_addr = path;
	k->pre_path = k->pre_stat = 0;
	if (!path || size > sizeof(k->pre_buf))
		return;
	r = process_vm_readv(k->p.tid, local, statbuf ? 2 : 1, remote,
			     statbuf ? 2 : 1, 0);
	/* a partial read ends at an iovec's end, or within a page */
	if (r <= 0)
		return;
	k->pre_path = (size_t)r < chunk ? (size_t)r : chunk;
	if ((size_t)r > chunk)
		k->pre_stat = (size_t)r - chunk;
}

int tracee_peek_path(struct task *k, uint64_t addr)
{
	size_t n = k->pre_path;

	k->pre_path = 0;
	if (!n || addr != k->pre_addr)
		return tracee_peek_string(k->p.tid, addr, k->path,
					  sizeof(k->path));
	if (memchr(k->path, '\0', n))
		return 0;
	/* longer than its first page: the rest as any path */
	return tracee_peek_string(k->p.tid, addr + n, k->path + n,
				  sizeof(k->path) - n);
}
