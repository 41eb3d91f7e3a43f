// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the native trace reader (format/reader.c): the
 * input is one trace file, header line and records, read as fsrace
 * analyze reads it. A record the reader takes must come out whole (its
 * strings readable, its syscall known); one it refuses must say why, and
 * a refusal ends the reading.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[300];

static void make_file(const uint8_t *p, size_t n)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : NULL;
	FILE *f;

	if (!path[0]) {
		if (!base)
			base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
		snprintf(path, sizeof(path), "%s/fsrace-fuzz-reader-%d.jsonl",
			 base, (int)getpid());
	}
	f = fopen(path, "w");
	if (!f)
		abort();
	if (n && fwrite(p, 1, n, f) != n)
		abort();
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace_reader r;
	struct event ev;
	char err[1024];
	int ret;

	make_file(data, size);
	err[0] = '\0';
	if (trace_reader_open(&r, path, err, sizeof(err)) < 0) {
		if (!err[0])
			abort(); /* a refusal says why */
		trace_reader_close(&r);
		return 0;
	}
	while ((ret = trace_reader_next(&r, &ev, err, sizeof(err))) > 0) {
		/* touch every string, as a consumer would */
		const char *s[] = {
			ev.path,       ev.abspath,     ev.path2,
			ev.abspath2,   ev.fd_path,     ev.fd2_path,
			ev.dirfd_path, ev.dirfd2_path, ev.ret_path,
			ev.target,     ev.xattr,       ev.source_file};
		volatile size_t sum = 0;

		for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
			if (s[i])
				sum += strlen(s[i]);
		for (int i = 0; i < ev.argc; i++)
			sum += strlen(ev.argv[i]);
		if (ev.type == EV_SYSCALL && !ev.sc)
			abort();
		(void)sum;
	}
	if (ret < 0 && !err[0])
		abort();
	trace_reader_close(&r);
	return 0;
}
