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

#include "fuzz.h"
#include "reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[300];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace_reader r;
	struct event ev;
	char err[1024];
	int ret;

	if (!path[0])
		fuzz_path(path, sizeof(path), "reader.jsonl");
	fuzz_write(path, data, size);
	err[0] = '\0';
	if (trace_reader_open(&r, path, err, sizeof(err)) < 0) {
		if (!err[0])
			abort(); /* a refusal says why */
		trace_reader_close(&r);
		unlink(path);
		return 0;
	}
	while ((ret = trace_reader_next(&r, &ev, err, sizeof(err))) > 0) {
		fuzz_touch(&ev);
	}
	if (ret < 0 && !err[0])
		abort();
	trace_reader_close(&r);
	unlink(path);
	return 0;
}
