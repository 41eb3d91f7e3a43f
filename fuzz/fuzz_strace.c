// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the strace importer. The input is one strace log,
 * or several (-ff files) separated by a line "--ff--"; the first byte
 * chooses strict mode (bit 0). The files are written to a directory in
 * /dev/shm (or $TMPDIR) and read by strace_reader as fsrace would, and
 * strace_detect looks at the first.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "strace.h"

#define MAX_FILES 3

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256];

static void make_dir(void)
{
	fuzz_path(dir, sizeof(dir), "strace");
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sep[] = "\n--ff--\n";
	char names[MAX_FILES][320];
	const char *paths[MAX_FILES];
	struct strace_reader *r;
	struct event ev;
	char err[512];
	bool strict;
	int n = 0;

	if (!dir[0])
		make_dir();
	if (size < 1)
		return 0;
	strict = data[0] & 1;
	data++;
	size--;
	while (n < MAX_FILES) {
		const uint8_t *end = n + 1 < MAX_FILES ? memmem(data, size, sep,
								sizeof(sep) - 1)
						       : NULL;
		size_t len = end ? (size_t)(end - data) + 1 : size;

		snprintf(names[n], sizeof(names[n]), "%s/log.%d", dir, 100 + n);
		fuzz_write(names[n], data, len);
		paths[n] = names[n];
		n++;
		if (!end)
			break;
		size -= (size_t)(end - data) + sizeof(sep) - 1;
		data = end + sizeof(sep) - 1;
	}
	strace_detect(paths[0]);
	if (strace_reader_open(&r, paths, n, strict, err, sizeof(err)) < 0)
		abort(); /* the files exist: opening cannot fail */
	while (strace_reader_next(r, &ev, err, sizeof(err)) > 0) {
		fuzz_touch(&ev);
	}
	strace_reader_close(r);
	for (int i = 0; i < n; i++)
		unlink(names[i]);
	rmdir(dir);
	dir[0] = '\0';
	return 0;
}
