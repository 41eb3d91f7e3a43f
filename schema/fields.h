/* SPDX-License-Identifier: MIT */
/*
 * The fields of an event (event.h) as one table. The trace writer writes
 * them in its order, the reader knows their keys from it and reads them
 * back, fsrace dump prints a syscall's arguments from it, the analyzer
 * thread's copy of an event copies its strings by it, and the findings
 * take their evidence from it. A new field is one row in fields.c and
 * its member in struct event.
 *
 * The record's frame (type, seq, pid, tid, ts, ts_enter, ts_exit and a
 * syscall record's "syscall") is not in the table: every record has it.
 */
#ifndef FSRACE_FIELDS_H
#define FSRACE_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* How a field is stored in struct event and in the trace. */
enum field_kind {
	FK_INT,	      /* int; a JSON integer */
	FK_INT64,     /* int64_t */
	FK_UINT32,    /* uint32_t */
	FK_STRING,    /* const char *; written only when not NULL */
	FK_FLAGS,     /* uint64_t; names of the syscall's flag set */
	FK_ACCESS,    /* uint32_t; names of FLAGS_ACCESS */
	FK_RESOLVE,   /* uint64_t; names of FLAGS_RESOLVE */
	FK_FCNTL_CMD, /* int; its name, or the number when it has none */
	FK_ERRNO,     /* int; its name or number, when ret < 0 */
	FK_ARGV,      /* const char *const *, with argc after it */
	FK_IDENT,     /* struct ident: an object when valid */
	FK_PARENT,    /* struct parent_info: an object when valid */
	FK_FORK_KIND, /* enum fork_kind, by name */
	FK_SHARES,    /* bool share_files, share_fs: ["files", "fs"] */
	FK_SIGNAL,    /* int exit_signal, by name; only when not 0 */
	FK_CORE,      /* bool core_dumped; only when signalled and true */
	FK_STATUS,    /* int exit_status; only when not signalled */
	FK_SOURCE,    /* const char *source_file, with source_line after
		       * it: "FILE:LINE" */
	FK_BOOL,      /* bool; true or false */
	FK_CREDS,     /* struct creds: {"uid":…,"euid":…,"secure":…} */
	FK_STACK,     /* const struct stack_trace *: its id */
	FK_COUNT,
};

/* How a field's presence is told. */
enum field_role {
	FR_PLAIN,  /* no presence bit: written when it has a value */
	FR_LEADER, /* written when HAS is set; read, it sets HAS */
	FR_MEMBER, /* written and read only when the leader set HAS */
};

struct event_field {
	const char *key;
	uint16_t offset; /* of the member in struct event */
	uint8_t kind;	 /* enum field_kind */
	uint8_t role;	 /* enum field_role */
	uint8_t types;	 /* 1 << enum event_type: the records having it */
	bool evidence;	 /* kept in a finding's evidence */
	uint32_t has;	 /* enum event_has, for FR_LEADER and FR_MEMBER */
	/* fsrace dump: the arguments (1 << enum arg_kind) it shows; what
	 * it shows for a NULL string; whether it leaves the argument out
	 * when HAS is not set */
	uint64_t args;
	const char *null;
	bool optional;
};

/* event_fields_count is at most this: for tables indexed by row */
#define EVENT_FIELDS_MAX 56

extern const struct event_field event_fields[];
extern const unsigned event_fields_count;

/* The member of EV that F describes. */
static inline void *field_ptr(const struct event_field *f, struct event *ev)
{
	return (char *)ev + f->offset;
}

static inline const void *field_cptr(const struct event_field *f,
				     const struct event *ev)
{
	return (const char *)ev + f->offset;
}

/* The string of an FK_STRING, FK_PARENT (its path) or FK_SOURCE field. */
const char *field_string(const struct event_field *f, const struct event *ev);

/*
 * Whether field F of EV, of a type that has it and with its presence bit
 * (if any) set, has a value to write: what its kind says.
 */
static inline bool field_has_value(const struct event_field *f,
				   const struct event *ev)
{
	const void *p = field_cptr(f, ev);

	switch (f->kind) {
	case FK_STRING:
	case FK_SOURCE:
		return *(const char *const *)p != NULL;
	case FK_ERRNO:
		/* a log's "= -1" with no errno has none */
		return ev->ret < 0 && ev->err > 0;
	case FK_IDENT:
		return ((const struct ident *)p)->valid;
	case FK_PARENT:
		return ((const struct parent_info *)p)->valid;
	case FK_SIGNAL:
		return ev->exit_signal != 0;
	case FK_CORE:
		return ev->exit_signal && ev->core_dumped;
	case FK_STATUS:
		return !ev->exit_signal;
	default:
		return true;
	}
}

/* Whether the writer writes field F of EV. */
static inline bool field_present(const struct event_field *f,
				 const struct event *ev)
{
	if (!(f->types & 1u << ev->type))
		return false;
	if (f->role != FR_PLAIN && !(ev->has & f->has))
		return false;
	return field_has_value(f, ev);
}

/* The row showing syscall argument ARG, or NULL. */
const struct event_field *field_of_arg(enum arg_kind arg);

/*
 * Copy the strings of EV (argv too) into BUF, which is 8-aligned and has
 * ROOM bytes, and point EV's fields at the copies. A string whose
 * presence bit is clear is not the event's (no trace carries it), and
 * producers leave it NULL: it is not copied. Returns the bytes the strings
 * take; when that is more than ROOM, nothing was copied and EV is unchanged:
 * call again with a BUF that large.
 */
size_t event_copy_strings(struct event *ev, char *buf, size_t room);

#endif
