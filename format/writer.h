/* SPDX-License-Identifier: MIT */
/* The native trace writer: JSON Lines, see docs/trace-format.md. */
#ifndef FSRACE_WRITER_H
#define FSRACE_WRITER_H

#include <stdbool.h>

#include "atomic_file.h"
#include "event.h"
#include "jsonw.h"

/* 2: module and stack records, an event's "stack" (issue 9); the
 * reader reads 1 too */
#define TRACE_FORMAT_VERSION 3

struct trace_writer {
	int fd;		  /* file.fd */
	const char *path; /* as given, for messages; borrowed from file */
	struct atomic_file file;
	struct jsonw out;
	int err; /* first write error, as -errno */
	/* the modules and stacks written so far, a bit per id */
	uint64_t *modules_out, *stacks_out;
	size_t modules_cap, stacks_cap; /* in words */
};

/*
 * Open PATH as atomic_file_open(PATH, FLAGS) does: through a temporary
 * renamed into place on close, or with ATOMIC_FILE_STREAM in place, for
 * a trace that is read while it grows. Returns 0 or -errno; on error
 * nothing is created.
 */
int trace_writer_open(struct trace_writer *w, const char *path, unsigned flags);

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

/*
 * Flush, close and commit (atomic_file_commit()). Returns 0 or the first
 * write error (-errno), in which case what was written is removed as by
 * trace_writer_discard().
 */
int trace_writer_close(struct trace_writer *w);

/* Close and remove what was written (atomic_file_discard(): a device or
 * a FIFO is never removed): for runs that failed. */
void trace_writer_discard(struct trace_writer *w);

/* A module or stack record (stacks.h) as one JSON object: what
 * trace_writer_event() writes once before the first event using it. */
struct stack_module;
struct stack_trace;
void module_to_json(struct jsonw *out, const struct stack_module *m);
void stack_to_json(struct jsonw *out, const struct stack_trace *s);

/* Append EV as one JSON object (no newline) to OUT. */
void event_to_json(struct jsonw *out, const struct event *ev);
void header_to_json(struct jsonw *out, const struct trace_header *h);

#endif
