// SPDX-License-Identifier: MIT
/*
 * read_trace — time the native trace reader alone.
 *
 * usage: read_trace TRACE…
 *
 * Reads every record of each TRACE with trace_reader_next() and does
 * nothing with it, then prints one line per trace: records, seconds (wall
 * clock), records per second, MB per second, the CPU time the calling
 * thread spent (with the reader reading ahead in a thread of its own,
 * what reading costs the analyzer's thread) and the peak resident set of
 * the process so far. This is the ceiling on `fsrace analyze`'s speed:
 * the analyzer can be no faster than the reader that feeds it.
 *
 * With -s the reader reads in the calling thread (no reading ahead).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "reader.h"

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int status = 0, first = 1;
	bool sync = false;

	if (argc > 1 && !strcmp(argv[1], "-s")) {
		sync = true;
		first = 2;
	}
	if (argc <= first) {
		fputs("usage: read_trace [-s] TRACE...\n", stderr);
		return 2;
	}
	for (int i = first; i < argc; i++) {
		struct trace_reader r;
		struct rusage ru;
		struct event ev;
		struct stat st;
		char err[1024];
		unsigned long n = 0;
		double t0, c0, dt, dc;
		int ret;

		t0 = clock_s(CLOCK_MONOTONIC);
		c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
		if (trace_reader_open(&r, argv[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "read_trace: %s\n", err);
			trace_reader_close(&r);
			status = 2;
			continue;
		}
		if (sync)
			trace_reader_set_readahead(&r, false);
		while ((ret = trace_reader_next(&r, &ev, err, sizeof(err))) > 0)
			n++;
		dt = clock_s(CLOCK_MONOTONIC) - t0;
		dc = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
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
		       "%.0f MB/s, caller CPU %.3f s (%.0f ns/record), "
		       "peak RSS %ld KiB\n",
		       argv[i], n, dt, (double)n / dt,
		       (double)st.st_size / dt / 1e6, dc,
		       n ? dc * 1e9 / (double)n : 0.0, ru.ru_maxrss);
	}
	return status;
}
