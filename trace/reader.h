/* SPDX-License-Identifier: MIT */
/* The native trace reader: the inverse of writer.c. */
#ifndef FSRACE_READER_H
#define FSRACE_READER_H

#include <stdio.h>

#include "event.h"

struct trace_reader {
	FILE *f;
	char *path;           /* owned */
	unsigned long line;   /* line number of the record last read */
	char *buf;
	size_t cap;
	void *cur;            /* json_t of the record last read */
	void *header_json;    /* json_t of the header */
	struct trace_header header;
	const char **argv;    /* storage for header and event argv */
	size_t argv_cap;
	const char **hargv;
	unsigned long skipped; /* records skipped: unknown syscalls */
};

/*
 * Open PATH and read its header. Returns 0, or -errno / -EINVAL with a
 * message "PATH:LINE: reason" in ERR.
 */
int trace_reader_open(struct trace_reader *r, const char *path, char *err,
		      size_t errlen);

/*
 * Read the next record into EV (strings borrowed until the next call).
 * Returns 1 for a record, 0 at the end, -EINVAL for a malformed record
 * (message in ERR). A truncated last line is not an error: it is skipped
 * with a warning on stderr, and 0 is returned.
 */
int trace_reader_next(struct trace_reader *r, struct event *ev, char *err,
		      size_t errlen);

void trace_reader_close(struct trace_reader *r);

#endif
