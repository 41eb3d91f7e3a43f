/* SPDX-License-Identifier: MIT */
/*
 * The native trace reader: the inverse of writer.c.
 *
 * The header line is parsed with jansson; every record after it with the
 * reader's own JSON scanner (jscan.h), which decodes strings in place in
 * the read buffer and allocates nothing per record, so reading costs the
 * same per record at the millionth as at the first and memory does not
 * grow with the trace: it is the read buffer (which grows only to the
 * longest line, at most TRACE_READER_MAX_LINE) and small tables. The keys
 * and how each is read come from the table of event fields (fields.h).
 *
 * The record parser accepts what jansson accepts (RFC 8259, UTF-8, no
 * \u0000, nesting at most 2048 deep, the last of duplicate keys wins) and
 * gives the same event for it, with one extension: an integer may be up
 * to 2^64-1, as the writer writes unsigned fields (jansson stops at
 * 2^63-1); and one restriction: a NUL byte is an error wherever it is
 * (jansson skips one after a number or a literal).
 */
#ifndef FSRACE_READER_H
#define FSRACE_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "event.h"
#include "stacks.h"

/* The longest line the reader accepts: 256 MiB. */
#define TRACE_READER_MAX_LINE (256u << 20)

struct reader_parser;

struct trace_reader {
	char *path;		    /* owned */
	unsigned long line;	    /* line number of the record last read */
	struct trace_header header; /* strings valid until close */
	unsigned long skipped; /* records skipped: unknown syscalls, types */
	/* the modules and stacks read so far (format 2): an event's stack
	 * points into it, until close */
	struct stack_table *stacks;

	/* private to reader.c */
	int fd;
	bool eof;
	char *buf;	    /* read buffer; lines are decoded in place */
	size_t cap;	    /* usable size; the allocation has padding */
	size_t start;	    /* first byte not yet consumed */
	size_t len;	    /* bytes read into buf */
	size_t scanned;	    /* bytes from start known to hold no '\n' */
	void *header_json;  /* json_t of the header */
	const char **hargv; /* storage for header argv */
	int failed;	    /* the error returned, returned again */
	char *errmsg;
	struct reader_parser *ps;
};

/*
 * Open PATH and read its header. Returns 0, or -errno / -EINVAL with a
 * message "PATH:LINE: reason" in ERR. Call trace_reader_close() either way.
 */
int trace_reader_open(struct trace_reader *r, const char *path, char *err,
		      size_t errlen);
/* The same, naming the file NAME in messages and in what it reads (PATH
 * may be a copy of it: a pipe read to its end, /proc/self/fd/N). */
int trace_reader_open_as(struct trace_reader *r, const char *path,
			 const char *name, char *err, size_t errlen);

/*
 * Read the next record into EV (strings borrowed until the next call).
 * Returns 1 for a record, 0 at the end, -EINVAL for a malformed record
 * (message "PATH:LINE: reason" in ERR) or -errno when reading fails; an
 * error is final: the calls after it return it again. A
 * truncated last line is not an error: it is skipped with the warning
 * "fsrace: warning: PATH:LINE: truncated record skipped" on stderr, and 0
 * is returned. Records of a type or syscall this version does not know
 * are skipped and counted in SKIPPED.
 */
int trace_reader_next(struct trace_reader *r, struct event *ev, char *err,
		      size_t errlen);

void trace_reader_close(struct trace_reader *r);

/* The stack table, which the caller then owns and frees: the stacks of
 * events read stay valid after trace_reader_close(). Call only once the
 * reader is done (at its end or before close). */
struct stack_table *trace_reader_take_stacks(struct trace_reader *r);

#endif
