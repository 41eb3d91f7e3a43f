// SPDX-License-Identifier: MIT
#include "jsonw.h"

#include <string.h>

#include "utf8.h"
#include "util.h"

void jsonw_init(struct jsonw *w)
{
	memset(w, 0, sizeof(*w));
	w->cap = 4096;
	w->buf = xmalloc(w->cap);
}

void jsonw_release(struct jsonw *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

void jsonw_reset(struct jsonw *w)
{
	w->len = 0;
	w->depth = 0;
	w->nfields = 0;
	w->after_key = 0;
}

static inline void reserve(struct jsonw *w, size_t n)
{
	if (likely(w->len + n <= w->cap))
		return;
	while (w->len + n > w->cap)
		w->cap *= 2;
	w->buf = xrealloc(w->buf, w->cap);
}

void jsonw_raw(struct jsonw *w, const char *s, size_t n)
{
	reserve(w, n);
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static inline void putc_(struct jsonw *w, char c)
{
	reserve(w, 1);
	w->buf[w->len++] = c;
}

/* A comma before every value but the first of its container. */
static inline void sep(struct jsonw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (w->nfields++)
		putc_(w, ',');
}

static void push(struct jsonw *w, char c)
{
	putc_(w, c);
	if (w->depth < (int)ARRAY_SIZE(w->counts))
		w->counts[w->depth] = w->nfields;
	w->depth++;
	w->nfields = 0;
}

static void pop(struct jsonw *w, char c)
{
	putc_(w, c);
	w->depth--;
	if (w->depth < (int)ARRAY_SIZE(w->counts))
		w->nfields = w->counts[w->depth];
}

void jsonw_begin_object(struct jsonw *w)
{
	sep(w);
	push(w, '{');
}

void jsonw_end_object(struct jsonw *w)
{
	pop(w, '}');
}

void jsonw_begin_array(struct jsonw *w)
{
	sep(w);
	push(w, '[');
}

void jsonw_end_array(struct jsonw *w)
{
	pop(w, ']');
}

static void escaped(struct jsonw *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	reserve(w, n * 6 + 2);
	char *o = w->buf + w->len;

	*o++ = '"';
	while (*p) {
		unsigned char c = *p;
		int u;

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			*o++ = (char)c;
			p++;
			continue;
		}
		if (c >= 0x80 && (u = utf8_len(p)) > 0) {
			memcpy(o, p, (size_t)u);
			o += u;
			p += u;
			continue;
		}
		*o++ = '\\';
		switch (c) {
		case '"':
			*o++ = '"';
			break;
		case '\\':
			*o++ = '\\';
			break;
		case '\n':
			*o++ = 'n';
			break;
		case '\t':
			*o++ = 't';
			break;
		default:
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
		p++;
	}
	*o++ = '"';
	w->len = (size_t)(o - w->buf);
}

void jsonw_key(struct jsonw *w, const char *key)
{
	sep(w);
	escaped(w, key);
	putc_(w, ':');
	/* the value that follows must not add a comma */
	w->after_key = 1;
}

void jsonw_string(struct jsonw *w, const char *s)
{
	sep(w);
	escaped(w, s);
}

void jsonw_key_text(struct jsonw *w, const char *text, size_t n)
{
	sep(w);
	jsonw_raw(w, text, n);
	w->after_key = 1;
}

void jsonw_plain_string(struct jsonw *w, const char *s, size_t n)
{
	char *o;

	sep(w);
	reserve(w, n + 2);
	o = w->buf + w->len;
	*o = '"';
	memcpy(o + 1, s, n);
	o[n + 1] = '"';
	w->len += n + 2;
}

static void put_uint(struct jsonw *w, uint64_t v)
{
	char tmp[24];
	int i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	jsonw_raw(w, tmp + i, sizeof(tmp) - (size_t)i);
}

void jsonw_uint(struct jsonw *w, uint64_t v)
{
	sep(w);
	put_uint(w, v);
}

void jsonw_int(struct jsonw *w, int64_t v)
{
	sep(w);
	if (v < 0) {
		putc_(w, '-');
		put_uint(w, (uint64_t)0 - (uint64_t)v);
	} else {
		put_uint(w, (uint64_t)v);
	}
}

void jsonw_bool(struct jsonw *w, int v)
{
	sep(w);
	if (v)
		jsonw_raw(w, "true", 4);
	else
		jsonw_raw(w, "false", 5);
}

void jsonw_null(struct jsonw *w)
{
	sep(w);
	jsonw_raw(w, "null", 4);
}
