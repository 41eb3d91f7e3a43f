/* SPDX-License-Identifier: MIT */
/* The native trace writer: JSON Lines, see docs/trace-format.md. */
#ifndef FSRACE_WRITER_H
#define FSRACE_WRITER_H

#include <stdbool.h>

#include "event.h"
#include "jsonw.h"

#define TRACE_FORMAT_VERSION 1

struct trace_writer {
	int fd;
	char *path; /* owned */
	struct jsonw out;
	int err; /* first write error, as -errno */
};

/*
 * Create (or truncate) PATH for writing. Returns 0 or -errno; on error
 * nothing is created.
 */
int trace_writer_open(struct trace_writer *w, const char *path);

/* Append one line; written out when the buffer is full or on flush. */
void trace_writer_header(struct trace_writer *w, const struct trace_header *h);
void trace_writer_event(struct trace_writer *w, const struct event *ev);

/* True when the buffer holds records not yet written. */
static inline bool trace_writer_pending(const struct trace_writer *w)
{
	return w->out.len > 0;
}

/* Write out the buffer. Returns 0 or the first write error (-errno). */
int trace_writer_flush(struct trace_writer *w);

/* Flush and close. Returns 0 or the first write error (-errno). */
int trace_writer_close(struct trace_writer *w);

/* Close and remove the file: for runs that failed before tracing. */
void trace_writer_discard(struct trace_writer *w);

/* Append EV as one JSON object (no newline) to OUT. */
void event_to_json(struct jsonw *out, const struct event *ev);
void header_to_json(struct jsonw *out, const struct trace_header *h);

#endif
