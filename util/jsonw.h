/* SPDX-License-Identifier: MIT */
/*
 * A growable output buffer with JSON emitters, for writing records without
 * allocating per record. Valid UTF-8 is written as it is; a byte that is
 * not part of valid UTF-8, and a control character, becomes \u00XX.
 * Its buffer is its own, not a strbuf: it serializes every event, and its
 * emitters reserve room once per value with no NUL to keep.
 */
#ifndef FSRACE_JSONW_H
#define FSRACE_JSONW_H

#include <stddef.h>
#include <stdint.h>

struct jsonw {
	char *buf;
	size_t len;
	size_t cap;
	int nfields; /* fields written in the innermost open object/array */
	int depth;
	int after_key; /* a key was written; its value comes next */
	int counts[16];
};

void jsonw_init(struct jsonw *w);
void jsonw_release(struct jsonw *w);
void jsonw_reset(struct jsonw *w);

void jsonw_raw(struct jsonw *w, const char *s, size_t n);
void jsonw_begin_object(struct jsonw *w);
void jsonw_end_object(struct jsonw *w);
void jsonw_begin_array(struct jsonw *w);
void jsonw_end_array(struct jsonw *w);
/* A key inside an object; the next value call writes its value. */
void jsonw_key(struct jsonw *w, const char *key);
void jsonw_string(struct jsonw *w, const char *s);
/*
 * For a writer's own constants, which need no escaping (printable ASCII
 * but '"' and '\\'): a key as its JSON text with quotes and colon
 * ("key":, N bytes), and a string of N bytes.
 */
void jsonw_key_text(struct jsonw *w, const char *text, size_t n);
void jsonw_plain_string(struct jsonw *w, const char *s, size_t n);
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_uint(struct jsonw *w, uint64_t v);
void jsonw_bool(struct jsonw *w, int v);
void jsonw_null(struct jsonw *w);

#endif
