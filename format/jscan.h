/* SPDX-License-Identifier: MIT */
/*
 * A JSON scanner over one NUL-terminated line, for the trace reader: it
 * decodes strings in place and allocates nothing. It accepts what
 * jansson accepts (RFC 8259, UTF-8, no \u0000, nesting at most
 * JSCAN_MAX_DEPTH deep), except that an integer may be up to 2^64-1.
 *
 * The line's NUL must be followed by JSCAN_PAD readable bytes: the
 * scanner loads 16 bytes at a time (SSE2, which every x86_64 has) and
 * may read up to 15 bytes past the NUL. The functions the reader calls for
 * every value are inline here; the rest are in jscan.c.
 */
#ifndef FSRACE_JSCAN_H
#define FSRACE_JSCAN_H

#include <emmintrin.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "util.h"

#define JSCAN_PAD 16
/* As jansson's JSON_PARSER_MAX_DEPTH: the top-level object is depth 1. */
#define JSCAN_MAX_DEPTH 2048

#define ALWAYS_INLINE inline __attribute__((always_inline))

enum jv_kind {
	JV_NONE, /* absent */
	JV_NULL,
	JV_FALSE,
	JV_TRUE,
	JV_INT,
	JV_REAL,
	JV_STRING,
	JV_ARRAY,
	JV_OBJECT,
};

struct jv {
	uint8_t kind;  /* enum jv_kind */
	int64_t i;     /* JV_INT; 2^63..2^64-1 are stored as their bits */
	const char *s; /* JV_STRING: decoded, NUL-terminated, in the line */
	size_t len;    /* JV_STRING: its length */
};

struct jp {
	char *p;   /* next byte */
	char *end; /* the line's terminating NUL */
	int depth;
	const char *why; /* the first syntax error */
	const char *at;	 /* where */
};

/* Record WHY at j->p unless an error is recorded already. */
void jp_error(struct jp *j, const char *why) __attribute__((cold));

/* jp_error(), and false: inline, so the compiler sees the false. */
static inline bool jp_fail(struct jp *j, const char *why)
{
	jp_error(j, why);
	return false;
}

/* The value of the 4 hex digits at P, -1 if they are not. */
int jp_hex4(const char *p);

/* CP in UTF-8 at D; the byte after it. */
char *jp_put_utf8(char *d, uint32_t cp);

/* Any value at j->p into V; arrays and objects are checked and skipped
 * (V only says which). False on a syntax error, in j->why and j->at. */
bool jp_value(struct jp *j, struct jv *v);

static ALWAYS_INLINE void jp_ws(struct jp *j)
{
	/* the writer writes no whitespace: one test in the common case */
	while (unlikely((unsigned char)*j->p <= ' ') &&
	       (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' ||
		*j->p == '\r'))
		j->p++;
}

/*
 * The first byte at or after S that is not plain: 16 bytes at a time
 * (SSE2 is part of x86_64). It may load up to 15 bytes past the line's
 * NUL, into the JSCAN_PAD bytes after it.
 */
static inline char *jp_skip_plain(char *s)
{
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i backslash = _mm_set1_epi8('\\');
	const __m128i space = _mm_set1_epi8(0x20);

	for (;;) {
		__m128i x = _mm_loadu_si128((const __m128i *)s);
		/* signed: bytes >= 0x80 are below 0x20 too */
		__m128i m =
			_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote),
						  _mm_cmpeq_epi8(x, backslash)),
				     _mm_cmplt_epi8(x, space));
		unsigned mask = (unsigned)_mm_movemask_epi8(m);

		if (mask)
			return s + __builtin_ctz(mask);
		s += 16;
	}
}

/*
 * The string at j->p (its opening quote), decoded in place: every escape
 * is at least as long as what it stands for, so the decoded string fits
 * where the encoded one was, and ends with a NUL where at the latest its
 * closing quote was. Its length goes to *RET_LEN when that is not NULL.
 */
static ALWAYS_INLINE bool jp_string(struct jp *j, const char **ret,
				    size_t *ret_len)
{
	char *s = j->p + 1, *d = s, *start = s;

	for (;;) {
		char *run = s;

		s = jp_skip_plain(s);
		if (d != run)
			memmove(d, run, (size_t)(s - run));
		d += s - run;
		if (*s == '"') {
			*d = '\0';
			j->p = s + 1;
			*ret = start;
			if (ret_len)
				*ret_len = (size_t)(d - start);
			return true;
		}
		if ((unsigned char)*s >= 0x80) {
			int n = utf8_len((unsigned char *)s);

			if (!n) {
				j->p = s;
				return jp_fail(j, "invalid UTF-8 in string");
			}
			memmove(d, s, (size_t)n);
			d += n;
			s += n;
			continue;
		}
		if (*s != '\\') {
			j->p = s;
			return jp_fail(
				j, s == j->end ? "unterminated string"
					       : "control character in string");
		}
		switch (s[1]) {
		case '"':
		case '\\':
		case '/':
			*d++ = s[1];
			break;
		case 'b':
			*d++ = '\b';
			break;
		case 'f':
			*d++ = '\f';
			break;
		case 'n':
			*d++ = '\n';
			break;
		case 'r':
			*d++ = '\r';
			break;
		case 't':
			*d++ = '\t';
			break;
		case 'u': {
			int cp = jp_hex4(s + 2), lo;

			if (cp < 0) {
				j->p = s;
				return jp_fail(j, "invalid \\u escape");
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				/* a high surrogate: its low one must follow */
				if (s[6] != '\\' || s[7] != 'u' ||
				    (lo = jp_hex4(s + 8)) < 0xdc00 ||
				    lo > 0xdfff) {
					j->p = s;
					return jp_fail(j, "unpaired surrogate "
							  "in \\u escape");
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
				s += 6;
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				j->p = s;
				return jp_fail(j, "unpaired surrogate in \\u "
						  "escape");
			} else if (cp == 0) {
				j->p = s;
				return jp_fail(j, "\\u0000 in string");
			}
			d = jp_put_utf8(d, (uint32_t)cp);
			s += 4;
			break;
		}
		default:
			j->p = s;
			return jp_fail(j, "invalid escape in string");
		}
		s += 2;
	}
}

/* How many of the bytes of W (little-endian) are ASCII digits before the
 * first that is not: 0 to 8. A carry or borrow from a byte that is not a
 * digit can only disturb the bytes after it. */
static inline unsigned jp_leading_digits(uint64_t w)
{
	uint64_t not_digit = ((w + UINT64_C(0x4646464646464646)) |
			      (w - UINT64_C(0x3030303030303030))) &
			     UINT64_C(0x8080808080808080);

	return not_digit ? (unsigned)__builtin_ctzll(not_digit) / 8 : 8;
}

/* The number the 8 ASCII digits of W spell, first digit first. */
static inline uint32_t jp_eight_digits(uint64_t w)
{
	const uint64_t mask = 0x000000ff000000ffu;
	const uint64_t mul1 = 100 + (1000000ull << 32);
	const uint64_t mul2 = 1 + (10000ull << 32);

	w -= 0x3030303030303030u;
	w = w * 10 + (w >> 8);
	return (uint32_t)(((w & mask) * mul1 + ((w >> 16) & mask) * mul2) >>
			  32);
}

static ALWAYS_INLINE bool jp_number(struct jp *j, struct jv *v)
{
	char *p = j->p, *start = p;
	bool neg = false, big = false;
	uint64_t u = 0;

	if (*p == '-') {
		neg = true;
		p++;
	}
	if (*p == '0') {
		p++;
	} else if (*p >= '1' && *p <= '9') {
		static const uint32_t pow10[9] = {
			1,	10,	 100,	   1000,      10000,
			100000, 1000000, 10000000, 100000000,
		};
		unsigned n;

		/* up to 8 digits at a time; the loads stay in the line or
		 * the JSCAN_PAD bytes after it */
		do {
			uint64_t w, part;

			memcpy(&w, p, 8);
			n = jp_leading_digits(w);
			if (!n)
				break; /* after a multiple of 8 digits */
			/* fewer than 8: shift them to the end, '0's before */
			if (n < 8)
				w = w << (8 * (8 - n)) |
				    UINT64_C(0x3030303030303030) >> (8 * n);
			part = jp_eight_digits(w);
			if (__builtin_mul_overflow(u, pow10[n], &u) ||
			    __builtin_add_overflow(u, part, &u))
				big = true;
			p += n;
		} while (n == 8);
	} else {
		return jp_fail(j, "invalid number");
	}
	if (*p == '.' || *p == 'e' || *p == 'E') {
		double x;

		if (*p == '.') {
			p++;
			if (!(*p >= '0' && *p <= '9')) {
				j->p = p;
				return jp_fail(j, "invalid number");
			}
			while (*p >= '0' && *p <= '9')
				p++;
		}
		if (*p == 'e' || *p == 'E') {
			p++;
			if (*p == '+' || *p == '-')
				p++;
			if (!(*p >= '0' && *p <= '9')) {
				j->p = p;
				return jp_fail(j, "invalid number");
			}
			while (*p >= '0' && *p <= '9')
				p++;
		}
		/* as jansson: overflow is an error, underflow is not */
		errno = 0;
		x = strtod(start, NULL);
		if (errno == ERANGE && (x == HUGE_VAL || x == -HUGE_VAL))
			return jp_fail(j, "real number overflow");
		v->kind = JV_REAL;
		j->p = p;
		return true;
	}
	if (big || (neg && u > (uint64_t)INT64_MAX + 1))
		return jp_fail(j, "integer out of range");
	v->kind = JV_INT;
	v->i = neg ? (int64_t)(0 - u) : (int64_t)u;
	j->p = p;
	return true;
}

static ALWAYS_INLINE bool jp_enter(struct jp *j)
{
	if (++j->depth > JSCAN_MAX_DEPTH)
		return jp_fail(j, "nested too deeply");
	j->p++;
	jp_ws(j);
	return true;
}

/* After a member or element: true for another one, false at the end
 * (CLOSE) or on an error (j->why set). */
static ALWAYS_INLINE bool jp_more(struct jp *j, char close)
{
	jp_ws(j);
	if (*j->p == ',') {
		j->p++;
		jp_ws(j);
		return true;
	}
	if (*j->p == close) {
		j->p++;
		j->depth--;
		return false;
	}
	jp_fail(j,
		close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
	return false;
}

/*
 * A key and its colon; the value follows at j->p. A key without escapes
 * (every key the writer writes) is left as it is, not NUL-terminated:
 * writing the NUL and then loading the key's bytes for key_id() would
 * stall the load on the store.
 */
static ALWAYS_INLINE bool jp_key(struct jp *j, const char **ret,
				 size_t *ret_len)
{
	char *s;

	if (*j->p != '"')
		return jp_fail(j, "expected a string key");
	s = jp_skip_plain(j->p + 1);
	if (likely(*s == '"')) {
		*ret = j->p + 1;
		*ret_len = (size_t)(s - (j->p + 1));
		j->p = s + 1;
	} else if (!jp_string(j, ret, ret_len)) {
		return false;
	}
	jp_ws(j);
	if (*j->p != ':')
		return jp_fail(j, "expected ':'");
	j->p++;
	jp_ws(j);
	return true;
}

#endif
