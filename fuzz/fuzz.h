/* SPDX-License-Identifier: MIT */
/*
 * What the fuzz targets share: the file an input is written to (a
 * parser is fed as fsrace feeds it, by path), and the check of an event
 * a reader gave (its strings readable, its syscall known).
 */
#ifndef FSRACE_FUZZ_H
#define FSRACE_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "event.h"

/* BUF (SIZE): a path of this process for its input NAME ("reader.jsonl"),
 * in /dev/shm when it can be written, else $TMPDIR or /tmp. */
static inline void fuzz_path(char *buf, size_t size, const char *name)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : NULL;

	if (!base)
		base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(buf, size, "%s/fsrace-fuzz-%d-%s", base, (int)getpid(), name);
}

/* PATH holds the N bytes at P, and nothing else. */
static inline void fuzz_write(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "w");

	if (!f)
		abort();
	if (n && fwrite(p, 1, n, f) != n)
		abort();
	fclose(f);
}

/* Touch every string of EV, as a consumer would; a syscall event has
 * its syscall. */
static inline void fuzz_touch(const struct event *ev)
{
	const char *s[] = {ev->path,	   ev->abspath,	    ev->path2,
			   ev->abspath2,   ev->fd_path,	    ev->fd2_path,
			   ev->dirfd_path, ev->dirfd2_path, ev->ret_path,
			   ev->target,	   ev->xattr,	    ev->source_file};
	volatile size_t sum = 0;

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (s[i])
			sum += strlen(s[i]);
	for (int i = 0; i < ev->argc; i++)
		sum += strlen(ev->argv[i]);
	if (ev->type == EV_SYSCALL && !ev->sc)
		abort();
	(void)sum;
}

#endif
