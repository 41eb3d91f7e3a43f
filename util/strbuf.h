/* SPDX-License-Identifier: MIT */
/*
 * A growable string, after git's strbuf: BUF is always NUL-terminated
 * (an initialised strbuf is "", never NULL), LEN excludes the NUL.
 */
#ifndef FSRACE_STRBUF_H
#define FSRACE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "util.h"

struct strbuf {
	char *buf;
	size_t len;
	size_t alloc; /* 0 while BUF points at the shared empty string */
};

#define STRBUF_INIT                                                            \
	{                                                                      \
		.buf = strbuf_empty_, .len = 0, .alloc = 0                     \
	}

extern char strbuf_empty_[1];

void strbuf_init(struct strbuf *sb, size_t hint);

/* Free the buffer; SB is then as after strbuf_init(SB, 0). */
void strbuf_release(struct strbuf *sb);

/* Hand the buffer to the caller (free() it); SB is left empty. */
char *strbuf_detach(struct strbuf *sb, size_t *ret_len);

/* Make room for N more bytes and the NUL. */
void strbuf_grow(struct strbuf *sb, size_t n);

static inline void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	sb->buf[0] = '\0';
}

void strbuf_add(struct strbuf *sb, const void *p, size_t n);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) PRINTF(2, 3);
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);

#endif
