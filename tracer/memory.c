// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>

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
