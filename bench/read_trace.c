// SPDX-License-Identifier: MIT
/*
 * read_trace — time the native trace reader alone.
 *
 * usage: read_trace TRACE…
 *
 * Reads every record of each TRACE with trace_reader_next() and does
 * nothing with it, then prints one line per trace: records, seconds (wall
 * clock), records per second, MB per second and the peak resident set of
 * the process so far. This is the ceiling on `fsrace analyze`'s speed:
 * the analyzer can be no faster than the reader that feeds it.
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "reader.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int status = 0;

	if (argc < 2) {
		fputs("usage: read_trace TRACE...\n", stderr);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct trace_reader r;
		struct rusage ru;
		struct event ev;
		struct stat st;
		char err[1024];
		unsigned long n = 0;
		double t0, dt;
		int ret;

		t0 = now();
		if (trace_reader_open(&r, argv[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "read_trace: %s\n", err);
			trace_reader_close(&r);
			status = 2;
			continue;
		}
		while ((ret = trace_reader_next(&r, &ev, err, sizeof(err))) > 0)
			n++;
		dt = now() - t0;
		trace_reader_close(&r);
		if (ret < 0) {
			fprintf(stderr, "read_trace: %s\n", err);
			status = 2;
			continue;
		}
		getrusage(RUSAGE_SELF, &ru);
		if (stat(argv[i], &st) < 0)
			st.st_size = 0;
		printf("%s: %lu records in %.3f s: %.0f records/s, "
		       "%.0f MB/s, peak RSS %ld KiB\n",
		       argv[i], n, dt, (double)n / dt,
		       (double)st.st_size / dt / 1e6, ru.ru_maxrss);
	}
	return status;
}
