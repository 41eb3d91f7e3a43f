// SPDX-License-Identifier: MIT
#include "reader.h"

#include <emmintrin.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "names.h"
#include "utf8.h"
#include "util.h"
#include "writer.h"

#define BAD(...)                                                               \
	do {                                                                   \
		snprintf(err, errlen, __VA_ARGS__);                            \
		return -EINVAL;                                                \
	} while (0)

/* First read buffer; it doubles (up to the longest line) when a line
 * does not fit. */
#define BUF_INITIAL (256u << 10)
/* Bytes after the buffer: the line's NUL and room for 16-byte loads. */
#define BUF_PAD 64
#define ALWAYS_INLINE inline __attribute__((always_inline))

/* As jansson's JSON_PARSER_MAX_DEPTH: the top-level object is depth 1. */
#define MAX_DEPTH 2048

/* --- reading lines ---------------------------------------------------- */

/*
 * The next line, '\n' replaced by NUL, in *RET_LINE and *RET_LEN. Returns
 * 1 (*COMPLETE false when the file ended without a newline after it), 0
 * at the end of the file, or -errno (message in ERR). The line stays in
 * the buffer until the next call.
 */
static int next_line(struct trace_reader *r, char **ret_line, size_t *ret_len,
		     bool *complete, char *err, size_t errlen)
{
	for (;;) {
		char *s = r->buf + r->start;
		char *nl = memchr(s + r->scanned, '\n',
				  r->len - r->start - r->scanned);
		ssize_t n;

		if (nl) {
			*nl = '\0';
			*ret_line = s;
			*ret_len = (size_t)(nl - s);
			*complete = true;
			r->start += *ret_len + 1;
			r->scanned = 0;
			r->line++;
			return 1;
		}
		r->scanned = r->len - r->start;
		if (r->eof) {
			if (r->start == r->len)
				return 0;
			r->buf[r->len] = '\0';
			*ret_line = s;
			*ret_len = r->len - r->start;
			*complete = false;
			r->start = r->len;
			r->scanned = 0;
			r->line++;
			return 1;
		}
		if (r->start) {
			/* strings of the last record die here, as documented */
			memmove(r->buf, s, r->len - r->start);
			r->len -= r->start;
			r->start = 0;
		}
		if (r->len == r->cap) {
			if (r->cap >= TRACE_READER_MAX_LINE) {
				snprintf(err, errlen,
					 "%s:%lu: line longer than %u MiB",
					 r->path, r->line + 1,
					 TRACE_READER_MAX_LINE >> 20);
				return -EINVAL;
			}
			r->cap *= 2;
			r->buf = xrealloc(r->buf, r->cap + BUF_PAD);
		}
		do
			n = read(r->fd, r->buf + r->len, r->cap - r->len);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			int e = errno;

			snprintf(err, errlen, "cannot read '%s': %s", r->path,
				 strerror(e));
			return -e;
		}
		if (n == 0)
			r->eof = true;
		r->len += (size_t)n;
	}
}

/* --- a JSON scanner over one NUL-terminated line ---------------------- */

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

static bool fail(struct jp *j, const char *why)
{
	if (!j->why) {
		j->why = why;
		j->at = j->p;
	}
	return false;
}

static ALWAYS_INLINE void ws(struct jp *j)
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
 * NUL, which the buffer's padding holds.
 */
static inline char *skip_plain(char *s)
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

static int hex4(const char *p)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static char *put_utf8(char *d, uint32_t cp)
{
	if (cp < 0x80) {
		*d++ = (char)cp;
	} else if (cp < 0x800) {
		*d++ = (char)(0xc0 | cp >> 6);
		*d++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*d++ = (char)(0xe0 | cp >> 12);
		*d++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*d++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*d++ = (char)(0xf0 | cp >> 18);
		*d++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*d++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*d++ = (char)(0x80 | (cp & 0x3f));
	}
	return d;
}

/*
 * The string at j->p (its opening quote), decoded in place: every escape
 * is at least as long as what it stands for, so the decoded string fits
 * where the encoded one was, and ends with a NUL where at the latest its
 * closing quote was. Its length goes to *RET_LEN when that is not NULL.
 */
static ALWAYS_INLINE bool scan_string(struct jp *j, const char **ret,
				      size_t *ret_len)
{
	char *s = j->p + 1, *d = s, *start = s;

	for (;;) {
		char *run = s;

		s = skip_plain(s);
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
				return fail(j, "invalid UTF-8 in string");
			}
			memmove(d, s, (size_t)n);
			d += n;
			s += n;
			continue;
		}
		if (*s != '\\') {
			j->p = s;
			return fail(j, s == j->end
					       ? "unterminated string"
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
			int cp = hex4(s + 2), lo;

			if (cp < 0) {
				j->p = s;
				return fail(j, "invalid \\u escape");
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				/* a high surrogate: its low one must follow */
				if (s[6] != '\\' || s[7] != 'u' ||
				    (lo = hex4(s + 8)) < 0xdc00 ||
				    lo > 0xdfff) {
					j->p = s;
					return fail(j, "unpaired surrogate "
						       "in \\u escape");
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
				s += 6;
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				j->p = s;
				return fail(j, "unpaired surrogate in \\u "
					       "escape");
			} else if (cp == 0) {
				j->p = s;
				return fail(j, "\\u0000 in string");
			}
			d = put_utf8(d, (uint32_t)cp);
			s += 4;
			break;
		}
		default:
			j->p = s;
			return fail(j, "invalid escape in string");
		}
		s += 2;
	}
}

/* How many of the bytes of W (little-endian) are ASCII digits before the
 * first that is not: 0 to 8. A carry or borrow from a byte that is not a
 * digit can only disturb the bytes after it. */
static inline unsigned leading_digits(uint64_t w)
{
	uint64_t not_digit = ((w + UINT64_C(0x4646464646464646)) |
			      (w - UINT64_C(0x3030303030303030))) &
			     UINT64_C(0x8080808080808080);

	return not_digit ? (unsigned)__builtin_ctzll(not_digit) / 8 : 8;
}

/* The number the 8 ASCII digits of W spell, first digit first. */
static inline uint32_t eight_digits(uint64_t w)
{
	const uint64_t mask = 0x000000ff000000ffu;
	const uint64_t mul1 = 100 + (1000000ull << 32);
	const uint64_t mul2 = 1 + (10000ull << 32);

	w -= 0x3030303030303030u;
	w = w * 10 + (w >> 8);
	return (uint32_t)(((w & mask) * mul1 + ((w >> 16) & mask) * mul2) >>
			  32);
}

static ALWAYS_INLINE bool scan_number(struct jp *j, struct jv *v)
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
		 * the buffer's padding */
		do {
			uint64_t w, part;

			memcpy(&w, p, 8);
			n = leading_digits(w);
			if (!n)
				break; /* after a multiple of 8 digits */
			/* fewer than 8: shift them to the end, '0's before */
			if (n < 8)
				w = w << (8 * (8 - n)) |
				    UINT64_C(0x3030303030303030) >> (8 * n);
			part = eight_digits(w);
			if (__builtin_mul_overflow(u, pow10[n], &u) ||
			    __builtin_add_overflow(u, part, &u))
				big = true;
			p += n;
		} while (n == 8);
	} else {
		return fail(j, "invalid number");
	}
	if (*p == '.' || *p == 'e' || *p == 'E') {
		double x;

		if (*p == '.') {
			p++;
			if (!(*p >= '0' && *p <= '9')) {
				j->p = p;
				return fail(j, "invalid number");
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
				return fail(j, "invalid number");
			}
			while (*p >= '0' && *p <= '9')
				p++;
		}
		/* as jansson: overflow is an error, underflow is not */
		errno = 0;
		x = strtod(start, NULL);
		if (errno == ERANGE && (x == HUGE_VAL || x == -HUGE_VAL))
			return fail(j, "real number overflow");
		v->kind = JV_REAL;
		j->p = p;
		return true;
	}
	if (big || (neg && u > (uint64_t)INT64_MAX + 1))
		return fail(j, "integer out of range");
	v->kind = JV_INT;
	v->i = neg ? (int64_t)(0 - u) : (int64_t)u;
	j->p = p;
	return true;
}

static bool literal(struct jp *j, const char *word, enum jv_kind kind,
		    struct jv *v)
{
	const char *p = j->p;

	for (; *word; word++, p++)
		if (*p != *word)
			return fail(j, "invalid literal");
	j->p = (char *)p;
	v->kind = kind;
	return true;
}

static bool scan_value(struct jp *j, struct jv *v);

static ALWAYS_INLINE bool enter(struct jp *j)
{
	if (++j->depth > MAX_DEPTH)
		return fail(j, "nested too deeply");
	j->p++;
	ws(j);
	return true;
}

/* After a member or element: true for another one, false at the end
 * (CLOSE) or on an error (j->why set). */
static ALWAYS_INLINE bool more(struct jp *j, char close)
{
	ws(j);
	if (*j->p == ',') {
		j->p++;
		ws(j);
		return true;
	}
	if (*j->p == close) {
		j->p++;
		j->depth--;
		return false;
	}
	fail(j, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
	return false;
}

/*
 * A key and its colon; the value follows at j->p. A key without escapes
 * (every key the writer writes) is left as it is, not NUL-terminated:
 * writing the NUL and then loading the key's bytes for key_id() would
 * stall the load on the store.
 */
static ALWAYS_INLINE bool scan_key(struct jp *j, const char **ret,
				   size_t *ret_len)
{
	char *s;

	if (*j->p != '"')
		return fail(j, "expected a string key");
	s = skip_plain(j->p + 1);
	if (likely(*s == '"')) {
		*ret = j->p + 1;
		*ret_len = (size_t)(s - (j->p + 1));
		j->p = s + 1;
	} else if (!scan_string(j, ret, ret_len)) {
		return false;
	}
	ws(j);
	if (*j->p != ':')
		return fail(j, "expected ':'");
	j->p++;
	ws(j);
	return true;
}

/* Any value; arrays and objects are checked and skipped. */
static bool scan_value(struct jp *j, struct jv *v)
{
	switch (*j->p) {
	case '"':
		v->kind = JV_STRING;
		return scan_string(j, &v->s, &v->len);
	case '-':
	case '0' ... '9':
		return scan_number(j, v);
	case 't':
		return literal(j, "true", JV_TRUE, v);
	case 'f':
		return literal(j, "false", JV_FALSE, v);
	case 'n':
		return literal(j, "null", JV_NULL, v);
	case '[': {
		struct jv x;

		v->kind = JV_ARRAY;
		if (!enter(j))
			return false;
		if (*j->p == ']') {
			j->p++;
			j->depth--;
			return true;
		}
		do
			if (!scan_value(j, &x))
				return false;
		while (more(j, ']'));
		return !j->why;
	}
	case '{': {
		const char *k;
		size_t n;
		struct jv x;

		v->kind = JV_OBJECT;
		if (!enter(j))
			return false;
		if (*j->p == '}') {
			j->p++;
			j->depth--;
			return true;
		}
		do
			if (!scan_key(j, &k, &n) || !scan_value(j, &x))
				return false;
		while (more(j, '}'));
		return !j->why;
	}
	default:
		return fail(j, *j->p ? "unexpected character"
				     : "unexpected end of line");
	}
}

/* --- short strings as two words ---------------------------------------- */

/*
 * The first 16 bytes of a string as two little-endian words, bytes past
 * its length zeroed: keys and names compare and hash as two integers. The
 * loads may reach 15 bytes past the string's end, into the line or the
 * buffer's padding.
 */
struct words {
	uint64_t lo, hi;
};

static ALWAYS_INLINE struct words words_of(const char *s, size_t n)
{
	struct words w;

	memcpy(&w.lo, s, 8);
	memcpy(&w.hi, s + 8, 8);
	if (n < 8) {
		w.lo &= (UINT64_C(1) << (8 * n)) - 1;
		w.hi = 0;
	} else if (n < 16) {
		w.hi &= (UINT64_C(1) << (8 * (n - 8))) - 1;
	}
	return w;
}

static ALWAYS_INLINE unsigned words_hash(struct words w, size_t n,
					 unsigned bits)
{
	/* a multiplier under which the record keys do not collide */
	uint64_t x = (w.lo ^ (w.hi << 5) ^ n) * UINT64_C(0xf3cb0f0cd271d329);

	return (unsigned)(x >> (64 - bits));
}

/* --- the keys of a record --------------------------------------------- */

enum key {
	K_TYPE,
	K_SEQ,
	K_PID,
	K_TID,
	K_TS,
	K_TS_ENTER,
	K_TS_EXIT,
	K_SYSCALL,
	K_DIRFD,
	K_DIRFD_PATH,
	K_PATH,
	K_ABSPATH,
	K_DIRFD2,
	K_DIRFD2_PATH,
	K_PATH2,
	K_ABSPATH2,
	K_FD,
	K_FD_PATH,
	K_FD2,
	K_FD2_PATH,
	K_FLAGS,
	K_MODE,
	K_ACCESS,
	K_RESOLVE,
	K_UID,
	K_GID,
	K_LENGTH,
	K_CMD,
	K_ARG,
	K_XATTR,
	K_TARGET,
	K_ARGV,
	K_OLD_TID,
	K_RET,
	K_ERRNO,
	K_RET_PATH,
	K_STAT,
	K_PARENT,
	K_PARENT2,
	K_CHILD_PID,
	K_CHILD_TID,
	K_KIND,
	K_SHARES,
	K_STATUS,
	K_SIGNAL,
	K_CORE_DUMPED,
	K_MESSAGE,
	K_SOURCE,
	K_COUNT, /* the keys of the record itself end here */
	/* keys only of "stat" ("mode", "uid", "gid", "path" are above) */
	K_DEV = K_COUNT,
	K_INO,
	K_NLINK,
	K_SIZE,
	K_UNKNOWN,
};

static const char *const key_names[] = {
	[K_TYPE] = "type",
	[K_SEQ] = "seq",
	[K_PID] = "pid",
	[K_TID] = "tid",
	[K_TS] = "ts",
	[K_TS_ENTER] = "ts_enter",
	[K_TS_EXIT] = "ts_exit",
	[K_SYSCALL] = "syscall",
	[K_DIRFD] = "dirfd",
	[K_DIRFD_PATH] = "dirfd_path",
	[K_PATH] = "path",
	[K_ABSPATH] = "abspath",
	[K_DIRFD2] = "dirfd2",
	[K_DIRFD2_PATH] = "dirfd2_path",
	[K_PATH2] = "path2",
	[K_ABSPATH2] = "abspath2",
	[K_FD] = "fd",
	[K_FD_PATH] = "fd_path",
	[K_FD2] = "fd2",
	[K_FD2_PATH] = "fd2_path",
	[K_FLAGS] = "flags",
	[K_MODE] = "mode",
	[K_ACCESS] = "access",
	[K_RESOLVE] = "resolve",
	[K_UID] = "uid",
	[K_GID] = "gid",
	[K_LENGTH] = "length",
	[K_CMD] = "cmd",
	[K_ARG] = "arg",
	[K_XATTR] = "xattr",
	[K_TARGET] = "target",
	[K_ARGV] = "argv",
	[K_OLD_TID] = "old_tid",
	[K_RET] = "ret",
	[K_ERRNO] = "errno",
	[K_RET_PATH] = "ret_path",
	[K_STAT] = "stat",
	[K_PARENT] = "parent",
	[K_PARENT2] = "parent2",
	[K_CHILD_PID] = "child_pid",
	[K_CHILD_TID] = "child_tid",
	[K_KIND] = "kind",
	[K_SHARES] = "shares",
	[K_STATUS] = "status",
	[K_SIGNAL] = "signal",
	[K_CORE_DUMPED] = "core_dumped",
	[K_MESSAGE] = "message",
	[K_SOURCE] = "source",
	[K_DEV] = "dev",
	[K_INO] = "ino",
	[K_NLINK] = "nlink",
	[K_SIZE] = "size",
};

#define KEY_BITS 8

struct key_slot {
	struct words w;
	uint8_t len;
	uint8_t id; /* K_UNKNOWN: free */
};

/* A key as it appears in a line, quotes and colon included: "seq": */
struct key_pattern {
	struct words w, mask;
	uint8_t len;
};

/* Where a key is found: in the record, or in one of its objects. */
enum key_context {
	IN_RECORD,
	IN_STAT,
	IN_PARENT,
	IN_CONTEXTS,
};

/* The previous key of the first key of an object; after an unknown key,
 * K_UNKNOWN. */
#define K_FIRST (K_UNKNOWN + 1)

/*
 * Every key name, hashed: one probe finds a known key. And faster still:
 * the writer writes the keys of a kind of record in the same order every
 * time, so the key that followed each key last time is tried first, by
 * comparing the line's next 16 bytes with it, quotes and colon included.
 */
struct key_table {
	struct key_slot slot[1 << KEY_BITS];
	struct key_pattern pattern[K_UNKNOWN];
	uint8_t follows[IN_CONTEXTS][K_FIRST + 1];
};

static void key_table_init(struct key_table *t)
{
	char name[32];

	for (unsigned i = 0; i < ARRAY_SIZE(t->slot); i++)
		t->slot[i].id = K_UNKNOWN;
	memset(t->follows, K_UNKNOWN, sizeof(t->follows));
	for (unsigned k = 0; k < ARRAY_SIZE(key_names); k++) {
		size_t n = strlen(key_names[k]);
		struct key_pattern *kp = &t->pattern[k];
		struct words w;
		unsigned h;

		memset(name, 0, sizeof(name));
		name[0] = '"';
		memcpy(name + 1, key_names[k], n);
		name[n + 1] = '"';
		name[n + 2] = ':';
		kp->len = (uint8_t)(n + 3);
		kp->w = words_of(name, kp->len);
		memset(name, 0xff, kp->len);
		kp->mask = words_of(name, kp->len);
		memset(name, 0, sizeof(name));
		memcpy(name, key_names[k], n);
		w = words_of(name, n);
		h = words_hash(w, n, KEY_BITS);
		while (t->slot[h].id != K_UNKNOWN)
			h = (h + 1) % ARRAY_SIZE(t->slot);
		t->slot[h] = (struct key_slot){
			.w = w, .len = (uint8_t)n, .id = (uint8_t)k};
	}
}

static ALWAYS_INLINE enum key key_id(const struct key_table *t, const char *k,
				     size_t n)
{
	struct words w;
	unsigned h;

	if (n >= 16)
		return K_UNKNOWN; /* longer than any key */
	w = words_of(k, n);
	for (h = words_hash(w, n, KEY_BITS);;
	     h = (h + 1) % ARRAY_SIZE(t->slot)) {
		const struct key_slot *s = &t->slot[h];

		if (s->w.lo == w.lo && s->w.hi == w.hi && s->len == n)
			return (enum key)s->id;
		if (s->id == K_UNKNOWN)
			return K_UNKNOWN;
	}
}

/*
 * The key at j->p, its colon and the whitespace after it. PREV is the key
 * before it in the same object (K_FIRST for the first one). Unknown keys
 * are K_UNKNOWN; a syntax error is K_UNKNOWN with j->why set.
 */
static ALWAYS_INLINE enum key next_key(struct jp *j, struct key_table *t,
				       enum key_context in, unsigned prev)
{
	unsigned guess = t->follows[in][prev];
	const char *k;
	size_t n;
	enum key key;

	if (likely(guess < K_UNKNOWN)) {
		const struct key_pattern *kp = &t->pattern[guess];
		struct words w;

		memcpy(&w.lo, j->p, 8);
		memcpy(&w.hi, j->p + 8, 8);
		if (likely((w.lo & kp->mask.lo) == kp->w.lo &&
			   (w.hi & kp->mask.hi) == kp->w.hi)) {
			j->p += kp->len;
			ws(j);
			return (enum key)guess;
		}
	}
	if (!scan_key(j, &k, &n))
		return K_UNKNOWN;
	key = key_id(t, k, n);
	t->follows[in][prev] = (uint8_t)key;
	return key;
}

/* --- names: looked up once, remembered ------------------------------- */

/*
 * syscall_by_name() compares against its table one by one, and names.c
 * hashes every byte of a name; the reader asks them once per distinct
 * name and remembers the answer in a small open-addressing table keyed by
 * the name's first 16 bytes as two words, which it loads anyway. It holds
 * at most MEMO_MAX names; after that, lookups go to names.c each time.
 */
enum memo_kind {
	MEMO_SYSCALL = 1,
	MEMO_ERRNO,
	MEMO_SIGNAL,
	MEMO_FCNTL,
	MEMO_FLAGS, /* + enum flagset */
};

#define MEMO_BITS 10
#define MEMO_SLOTS (1u << MEMO_BITS)
#define MEMO_MAX (MEMO_SLOTS * 3 / 4)
#define MEMO_NAME 40

struct memo_entry {
	struct words w;
	uint8_t kind; /* 0: free */
	uint8_t len;
	bool ok;
	int64_t value;
	char name[MEMO_NAME];
};

struct reader_memo {
	unsigned n;
	struct memo_entry e[MEMO_SLOTS];
};

static int64_t lookup_slow(unsigned kind, const char *name, bool *ok)
{
	int64_t v;
	uint64_t bits;

	switch (kind) {
	case MEMO_SYSCALL: {
		const struct syscall_desc *sc = syscall_by_name(name);

		*ok = sc != NULL;
		return sc ? (int64_t)syscall_index(sc) : -1;
	}
	case MEMO_ERRNO:
		v = errno_parse(name);
		break;
	case MEMO_SIGNAL:
		v = signal_parse(name);
		break;
	case MEMO_FCNTL:
		v = fcntl_cmd_parse(name);
		break;
	default:
		*ok = flags_parse((enum flagset)(kind - MEMO_FLAGS), name,
				  &bits) == 0;
		return *ok ? (int64_t)bits : 0;
	}
	*ok = true;
	return v;
}

/* The names.c answer for NAME (LEN bytes, NUL-terminated, in the line)
 * of KIND; *OK false when NAME is not one. */
static int64_t lookup(struct reader_memo *m, unsigned kind, const char *name,
		      size_t len, bool *ok)
{
	struct memo_entry *e;
	struct words w;
	int64_t v;
	unsigned h;

	if (len >= MEMO_NAME)
		return lookup_slow(kind, name, ok);
	w = words_of(name, len);
	for (h = words_hash(w, len ^ (kind << 6), MEMO_BITS);;
	     h = (h + 1) % MEMO_SLOTS) {
		e = &m->e[h];
		if (!e->kind)
			break;
		if (e->w.lo == w.lo && e->w.hi == w.hi && e->len == len &&
		    e->kind == kind &&
		    (len <= 16 || !memcmp(e->name, name, len))) {
			*ok = e->ok;
			return e->value;
		}
	}
	v = lookup_slow(kind, name, ok);
	/* "0x…" flag strings are not names: there is no end to them */
	if (m->n < MEMO_MAX && !(name[0] == '0' && name[1] == 'x')) {
		m->n++;
		e->w = w;
		e->kind = (uint8_t)kind;
		e->len = (uint8_t)len;
		memcpy(e->name, name, len + 1);
		e->value = v;
		e->ok = *ok;
	}
	return v;
}

/* --- records ---------------------------------------------------------- */

/* How scan_record() reads the value of each key. */
enum key_class {
	C_SCALAR,  /* kept as it is; arrays and objects only marked */
	C_STRINGS, /* flags, access, resolve, argv, shares */
	C_OBJECT,  /* stat, parent, parent2 */
};

static const uint8_t key_class[K_UNKNOWN + 1] = {
	[K_FLAGS] = C_STRINGS, [K_ACCESS] = C_STRINGS, [K_RESOLVE] = C_STRINGS,
	[K_ARGV] = C_STRINGS,  [K_SHARES] = C_STRINGS, [K_STAT] = C_OBJECT,
	[K_PARENT] = C_OBJECT, [K_PARENT2] = C_OBJECT,
};

/* A string of a flags, access or resolve array. */
struct reader_name {
	const char *s;
	size_t len;
};

/* The names of a flags, access or resolve array: r->names[first…+n]. */
struct name_list {
	uint32_t first;
	uint32_t n;
	bool bad; /* an element that is not a string */
};

/* One record as read: the last value of every known key. */
struct reader_record {
	uint64_t seen; /* bit K set: v[K] holds the value of key K */
	struct jv v[K_COUNT];
	struct name_list flags, access, resolve;
	uint32_t nnames;
	int argc;
	bool share_files, share_fs;
	struct ident stat;
	struct parent_info parent, parent2;
	struct key_table keys;
};

#define SEEN(rec, k) ((rec)->seen & (UINT64_C(1) << (k)))

/* What reading records needs besides the line. */
struct reader_parser {
	const char *path;
	unsigned long line; /* of the line being parsed */
	struct reader_record *rec;
	struct reader_memo *memo;
	struct reader_name *names; /* of the flag arrays of the record */
	size_t names_cap;
	const char **argv; /* of the event last parsed */
	size_t argv_cap;
};

static void names_push(struct reader_parser *r, const char *s, size_t len)
{
	struct reader_record *rec = r->rec;

	if (rec->nnames == r->names_cap) {
		r->names_cap = r->names_cap ? r->names_cap * 2 : 64;
		r->names = xrealloc(r->names,
				    r->names_cap * sizeof(struct reader_name));
	}
	r->names[rec->nnames++] = (struct reader_name){s, len};
}

/* Room in r->argv for N pointers and the NULL after them. */
static void argv_reserve(struct reader_parser *r, size_t n)
{
	if (n + 1 > r->argv_cap) {
		r->argv_cap = r->argv_cap ? r->argv_cap * 2 : 64;
		if (r->argv_cap < n + 1)
			r->argv_cap = n + 1;
		r->argv = xrealloc(r->argv, r->argv_cap * sizeof(char *));
	}
}

/* An array whose strings matter: flags, access, resolve, argv, shares. */
static bool scan_strings(struct jp *j, struct reader_parser *r, enum key key,
			 struct jv *v)
{
	struct reader_record *rec = r->rec;
	struct name_list *list = key == K_FLAGS	    ? &rec->flags
				 : key == K_ACCESS  ? &rec->access
				 : key == K_RESOLVE ? &rec->resolve
						    : NULL;
	struct jv x;

	v->kind = JV_ARRAY;
	if (list) {
		list->first = rec->nnames;
		list->n = 0;
		list->bad = false;
	} else if (key == K_ARGV) {
		rec->argc = 0;
	} else {
		rec->share_files = rec->share_fs = false;
	}
	if (!enter(j))
		return false;
	if (*j->p == ']') {
		j->p++;
		j->depth--;
		goto out;
	}
	do {
		if (*j->p == '"') {
			x.kind = JV_STRING;
			if (!scan_string(j, &x.s, &x.len))
				return false;
		} else if (!scan_value(j, &x)) {
			return false;
		}
		if (list) {
			if (x.kind == JV_STRING) {
				names_push(r, x.s, x.len);
				list->n++;
			} else {
				list->bad = true;
			}
		} else if (key == K_ARGV) {
			argv_reserve(r, (size_t)rec->argc + 1);
			r->argv[rec->argc++] = x.kind == JV_STRING ? x.s : "";
		} else if (x.kind == JV_STRING) {
			if (x.len == 5 && !memcmp(x.s, "files", 5))
				rec->share_files = true;
			else if (x.len == 2 && !memcmp(x.s, "fs", 2))
				rec->share_fs = true;
		}
	} while (more(j, ']'));
	if (j->why)
		return false;
out:
	if (key == K_ARGV) {
		argv_reserve(r, (size_t)rec->argc);
		r->argv[rec->argc] = NULL;
	}
	return true;
}

/* The "stat", "parent" or "parent2" object. */
static bool scan_ident(struct jp *j, struct reader_record *rec, enum key key,
		       struct jv *v)
{
	struct ident *id = &rec->stat;
	struct parent_info *p = key == K_PARENT ? &rec->parent : &rec->parent2;
	enum key_context in = key == K_STAT ? IN_STAT : IN_PARENT;
	unsigned prev = K_FIRST;
	struct jv x;

	v->kind = JV_OBJECT;
	if (key == K_STAT)
		memset(id, 0, sizeof(*id));
	else
		memset(p, 0, sizeof(*p));
	if (!enter(j))
		return false;
	if (*j->p == '}') {
		j->p++;
		j->depth--;
		return true;
	}
	do {
		enum key k = next_key(j, &rec->keys, in, prev);
		int64_t i;

		if (unlikely(j->why))
			return false;
		prev = k;
		if (*j->p == '"') {
			x.kind = JV_STRING;
			if (!scan_string(j, &x.s, NULL))
				return false;
		} else if ((*j->p >= '0' && *j->p <= '9') || *j->p == '-') {
			if (!scan_number(j, &x))
				return false;
		} else if (!scan_value(j, &x)) {
			return false;
		}
		/* a value that is not an integer reads as absent, 0 */
		i = x.kind == JV_INT ? x.i : 0;
		if (key != K_STAT) {
			switch (k) {
			case K_PATH:
				p->path = x.kind == JV_STRING ? x.s : NULL;
				break;
			case K_UID:
				p->uid = (uint32_t)i;
				break;
			case K_MODE:
				p->mode = (uint32_t)i;
				break;
			default:
				break;
			}
			continue;
		}
		switch (k) {
		case K_DEV:
			id->dev = (uint64_t)i;
			break;
		case K_INO:
			id->ino = (uint64_t)i;
			break;
		case K_MODE:
			id->mode = (uint32_t)i;
			break;
		case K_NLINK:
			id->nlink = (uint64_t)i;
			break;
		case K_UID:
			id->uid = (uint32_t)i;
			break;
		case K_GID:
			id->gid = (uint32_t)i;
			break;
		case K_SIZE:
			id->size = i;
			break;
		default:
			break;
		}
	} while (more(j, '}'));
	return !j->why;
}

/* The record at j->p into r->rec: every known key's last value. */
static bool scan_record(struct jp *j, struct reader_parser *r)
{
	struct reader_record *rec = r->rec;
	unsigned prev = K_FIRST;

	rec->seen = 0;
	rec->nnames = 0;
	ws(j);
	if (*j->p != '{')
		return fail(j, "not a JSON object");
	if (!enter(j))
		return false;
	if (*j->p == '}') {
		j->p++;
		j->depth--;
		goto out;
	}
	do {
		enum key key;
		struct jv scratch, *v;

		key = next_key(j, &rec->keys, IN_RECORD, prev);
		if (unlikely(j->why))
			return false;
		prev = key < K_COUNT ? key : K_UNKNOWN;
		if (key >= K_COUNT) {
			if (!scan_value(j, &scratch))
				return false;
			continue;
		}
		v = &rec->v[key];
		rec->seen |= UINT64_C(1) << key;
		if (likely(key_class[key] == C_SCALAR)) {
			/* the common scalars without a call */
			if (*j->p == '"') {
				v->kind = JV_STRING;
				if (!scan_string(j, &v->s, &v->len))
					return false;
			} else if ((*j->p >= '0' && *j->p <= '9') ||
				   *j->p == '-') {
				if (!scan_number(j, v))
					return false;
			} else if (!scan_value(j, v)) {
				return false;
			}
		} else if (key_class[key] == C_STRINGS && *j->p == '[') {
			if (!scan_strings(j, r, key, v))
				return false;
		} else if (key_class[key] == C_OBJECT && *j->p == '{') {
			if (!scan_ident(j, rec, key, v))
				return false;
		} else if (!scan_value(j, v)) {
			return false;
		}
	} while (more(j, '}'));
	if (j->why)
		return false;
out:
	ws(j);
	if (j->p != j->end)
		return fail(j, "garbage after the record");
	return true;
}

/* What the jansson reader's json_object_get() & co. answered. */
static inline const struct jv *get(const struct reader_record *rec, enum key k)
{
	return SEEN(rec, k) ? &rec->v[k] : NULL;
}

static inline const char *str(const struct reader_record *rec, enum key k)
{
	return SEEN(rec, k) && rec->v[k].kind == JV_STRING ? rec->v[k].s : NULL;
}

static inline bool get_int(const struct reader_record *rec, enum key k,
			   int64_t *v)
{
	if (!SEEN(rec, k) || rec->v[k].kind != JV_INT)
		return false;
	*v = rec->v[k].i;
	return true;
}

/* json_integer_value(): the integer, or 0 for any other kind. */
static inline int64_t int_value(const struct jv *v)
{
	return v->kind == JV_INT ? v->i : 0;
}

static uint64_t flag_bits(struct reader_parser *r, const struct jv *v,
			  const struct name_list *list, enum flagset set,
			  bool *ok)
{
	uint64_t bits = 0;

	if (v->kind != JV_ARRAY) {
		*ok = false;
		return 0;
	}
	if (list->bad)
		*ok = false;
	for (uint32_t i = 0; i < list->n; i++) {
		const struct reader_name *name = &r->names[list->first + i];
		bool found;
		int64_t b = lookup(r->memo, MEMO_FLAGS + set, name->s,
				   name->len, &found);

		if (found)
			bits |= (uint64_t)b;
		else
			*ok = false;
	}
	return bits;
}

static int lookup_int(struct reader_parser *r, unsigned kind,
		      const struct jv *v)
{
	bool ok;

	return (int)lookup(r->memo, kind, v->s, v->len, &ok);
}

static int parse_syscall(struct reader_parser *r, struct event *ev, char *err,
			 size_t errlen)
{
	const struct reader_record *rec = r->rec;
	const struct jv *j = get(rec, K_SYSCALL);
	int64_t v;
	bool ok = true, found;

	if (!j || j->kind != JV_STRING)
		BAD("%s:%lu: syscall record without \"syscall\"", r->path,
		    r->line);
	v = lookup(r->memo, MEMO_SYSCALL, j->s, j->len, &found);
	if (!found)
		return 0; /* a syscall this version does not know */
	ev->sc = &syscall_table[v];
	if (get_int(rec, K_TS_ENTER, &v))
		ev->ts_enter = (uint64_t)v;
	if (get_int(rec, K_TS_EXIT, &v))
		ev->ts_exit = (uint64_t)v;
	if (get_int(rec, K_DIRFD, &v)) {
		ev->has |= HAS_DIRFD;
		ev->dirfd = (int)v;
		ev->dirfd_path = str(rec, K_DIRFD_PATH);
	}
	if ((ev->path = str(rec, K_PATH))) {
		ev->has |= HAS_PATH;
		ev->abspath = str(rec, K_ABSPATH);
	}
	if (get_int(rec, K_DIRFD2, &v)) {
		ev->has |= HAS_DIRFD2;
		ev->dirfd2 = (int)v;
		ev->dirfd2_path = str(rec, K_DIRFD2_PATH);
	}
	if ((ev->path2 = str(rec, K_PATH2))) {
		ev->has |= HAS_PATH2;
		ev->abspath2 = str(rec, K_ABSPATH2);
	}
	if (get_int(rec, K_FD, &v)) {
		ev->has |= HAS_FD;
		ev->fd = (int)v;
		ev->fd_path = str(rec, K_FD_PATH);
	}
	if (get_int(rec, K_FD2, &v)) {
		ev->has |= HAS_FD2;
		ev->fd2 = (int)v;
		ev->fd2_path = str(rec, K_FD2_PATH);
	}
	if ((j = get(rec, K_FLAGS))) {
		ev->has |= HAS_FLAGS;
		ev->flags = flag_bits(r, j, &rec->flags,
				      syscall_flagset(ev->sc), &ok);
	}
	if (get_int(rec, K_MODE, &v)) {
		ev->has |= HAS_MODE;
		ev->mode = (uint32_t)v;
	}
	if ((j = get(rec, K_ACCESS))) {
		ev->has |= HAS_ACCESS;
		ev->access = (uint32_t)flag_bits(r, j, &rec->access,
						 FLAGS_ACCESS, &ok);
	}
	if ((j = get(rec, K_RESOLVE))) {
		ev->has |= HAS_RESOLVE;
		ev->resolve =
			flag_bits(r, j, &rec->resolve, FLAGS_RESOLVE, &ok);
	}
	if (get_int(rec, K_UID, &v)) {
		ev->has |= HAS_OWNER;
		ev->uid = v;
		if (get_int(rec, K_GID, &v))
			ev->gid = v;
	}
	if (get_int(rec, K_LENGTH, &v)) {
		ev->has |= HAS_LENGTH;
		ev->length = v;
	}
	if ((j = get(rec, K_CMD))) {
		ev->has |= HAS_CMD;
		if (j->kind == JV_STRING)
			ev->cmd = lookup_int(r, MEMO_FCNTL, j);
		else
			ev->cmd = (int)int_value(j);
		if (get_int(rec, K_ARG, &v))
			ev->arg = v;
	}
	if ((ev->xattr = str(rec, K_XATTR)))
		ev->has |= HAS_XATTR;
	if ((ev->target = str(rec, K_TARGET)))
		ev->has |= HAS_TARGET;
	if ((j = get(rec, K_ARGV))) {
		ev->has |= HAS_ARGV;
		if (j->kind != JV_ARRAY) {
			/* jansson: the size of a non-array is 0 */
			r->rec->argc = 0;
			argv_reserve(r, 0);
			r->argv[0] = NULL;
		}
		ev->argv = r->argv;
		ev->argc = rec->argc;
	}
	if (get_int(rec, K_OLD_TID, &v)) {
		ev->has |= HAS_OLD_TID;
		ev->old_tid = (int)v;
	}
	if (get_int(rec, K_RET, &v)) {
		ev->has |= HAS_RET;
		ev->ret = v;
		if ((j = get(rec, K_ERRNO))) {
			if (j->kind == JV_STRING)
				ev->err = lookup_int(r, MEMO_ERRNO, j);
			else
				ev->err = (int)int_value(j);
			if (ev->err < 0)
				ok = false;
		}
	}
	ev->ret_path = str(rec, K_RET_PATH);
	if ((j = get(rec, K_STAT)) && j->kind == JV_OBJECT) {
		ev->stat = rec->stat;
		ev->stat.valid = true;
	}
	if ((j = get(rec, K_PARENT)) && j->kind == JV_OBJECT) {
		ev->parent = rec->parent;
		ev->parent.valid = true;
	}
	if ((j = get(rec, K_PARENT2)) && j->kind == JV_OBJECT) {
		ev->parent2 = rec->parent2;
		ev->parent2.valid = true;
	}
	if (!ok)
		BAD("%s:%lu: unknown flag or errno name", r->path, r->line);
	return 1;
}

/*
 * "source": "LOG:LINE", the strace log line an imported event came from:
 * the line is cut off at the last colon, in place.
 */
static void source(struct event *ev, const struct jv *j)
{
	char *s = (char *)j->s, *colon = strrchr(s, ':');
	uint64_t line = 0;
	const char *p;

	ev->source_file = s;
	if (!colon || !colon[1])
		return;
	for (p = colon + 1; *p >= '0' && *p <= '9'; p++)
		if (__builtin_mul_overflow(line, 10, &line) ||
		    __builtin_add_overflow(line, (uint64_t)(*p - '0'), &line))
			return;
	if (*p || line > ULONG_MAX)
		return;
	*colon = '\0';
	ev->source_line = (unsigned long)line;
}

static int parse_record(struct reader_parser *r, struct event *ev, char *err,
			size_t errlen)
{
	const struct reader_record *rec = r->rec;
	const char *type = str(rec, K_TYPE);
	int64_t pid, tid, v;
	const struct jv *j;

	if (!type || !get_int(rec, K_SEQ, &v) || !get_int(rec, K_PID, &pid) ||
	    !get_int(rec, K_TID, &tid))
		BAD("%s:%lu: record lacks type, seq, pid or tid", r->path,
		    r->line);
	if (!strcmp(type, "syscall"))
		event_init(ev, EV_SYSCALL);
	else if (!strcmp(type, "fork"))
		event_init(ev, EV_FORK);
	else if (!strcmp(type, "exit"))
		event_init(ev, EV_EXIT);
	else if (!strcmp(type, "warning"))
		event_init(ev, EV_WARNING);
	else
		return 0; /* a record type this version does not know */
	ev->seq = (uint64_t)v;
	ev->pid = (int)pid;
	ev->tid = (int)tid;
	if (get_int(rec, K_TS, &v))
		ev->ts_enter = ev->ts_exit = (uint64_t)v;
	if ((j = get(rec, K_SOURCE)) && j->kind == JV_STRING)
		source(ev, j);
	switch (ev->type) {
	case EV_SYSCALL:
		return parse_syscall(r, ev, err, errlen);
	case EV_FORK: {
		const char *kind = str(rec, K_KIND);

		if (get_int(rec, K_CHILD_PID, &v))
			ev->child_pid = (int)v;
		if (get_int(rec, K_CHILD_TID, &v))
			ev->child_tid = (int)v;
		ev->fork_syscall = str(rec, K_SYSCALL);
		ev->fork_kind = !kind			  ? FORK_PROCESS
				: !strcmp(kind, "thread") ? FORK_THREAD
				: !strcmp(kind, "vfork")  ? FORK_VFORK
							  : FORK_PROCESS;
		if ((j = get(rec, K_SHARES)) && j->kind == JV_ARRAY) {
			ev->share_files = rec->share_files;
			ev->share_fs = rec->share_fs;
		}
		return 1;
	}
	case EV_EXIT:
		if (get_int(rec, K_STATUS, &v))
			ev->exit_status = (int)v;
		if ((j = get(rec, K_SIGNAL))) {
			ev->exit_signal =
				j->kind == JV_STRING
					? lookup_int(r, MEMO_SIGNAL, j)
					: (int)int_value(j);
			if (ev->exit_signal <= 0)
				BAD("%s:%lu: unknown signal", r->path, r->line);
		}
		j = get(rec, K_CORE_DUMPED);
		ev->core_dumped = j && j->kind == JV_TRUE;
		return 1;
	case EV_WARNING:
		ev->message = str(rec, K_MESSAGE);
		return 1;
	}
	return 0;
}

/*
 * What LINE (N bytes, NUL-terminated, the line number in r->line) holds,
 * into EV: 1 for an event, 0 for a record this version does not know,
 * -EINVAL for a malformed record (message in ERR), LINE_TRUNCATED for the
 * last line of the file without its newline (COMPLETE false) that is not
 * a whole record: the writer was killed while writing it.
 */
#define LINE_TRUNCATED 2

static int parse_line(struct reader_parser *r, char *line, size_t n,
		      bool complete, struct event *ev, char *err, size_t errlen)
{
	struct jp j = {.p = line, .end = line + n};

	if (n == 0)
		BAD("%s:%lu: empty line", r->path, r->line);
	if (!scan_record(&j, r)) {
		if (!complete)
			return LINE_TRUNCATED;
		BAD("%s:%lu: malformed record: %s at column %zu", r->path,
		    r->line, j.why, (size_t)(j.at - line) + 1);
	}
	return parse_record(r, ev, err, errlen);
}

static void parser_init(struct reader_parser *r, const char *path)
{
	memset(r, 0, sizeof(*r));
	r->path = path;
	r->rec = xcalloc(1, sizeof(*r->rec));
	key_table_init(&r->rec->keys);
	r->memo = xcalloc(1, sizeof(*r->memo));
}

static void parser_release(struct reader_parser *r)
{
	free(r->rec);
	free(r->memo);
	free(r->names);
	free(r->argv);
}

/* --- the header, with jansson ---------------------------------------- */

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static bool jget_int(json_t *o, const char *key, int64_t *v)
{
	json_t *j = json_object_get(o, key);

	if (!json_is_integer(j))
		return false;
	*v = json_integer_value(j);
	return true;
}

static const char **string_array(json_t *a, const char ***store, size_t *cap)
{
	size_t n = json_array_size(a);

	if (n + 1 > *cap) {
		*cap = n + 1;
		*store = xrealloc(*store, *cap * sizeof(char *));
	}
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(a, i));

		(*store)[i] = s ? s : "";
	}
	(*store)[n] = NULL;
	return *store;
}

/* --- the reader ------------------------------------------------------- */

int trace_reader_open(struct trace_reader *r, const char *path, char *err,
		      size_t errlen)
{
	json_error_t je;
	json_t *h;
	bool complete;
	char *line;
	size_t n, hcap = 0;
	int64_t v;
	int ret;

	memset(r, 0, sizeof(*r));
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		int e = errno;

		snprintf(err, errlen, "cannot open '%s': %s", path,
			 strerror(e));
		return -e;
	}
	(void)posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	r->path = xstrdup(path);
	r->cap = BUF_INITIAL;
	r->buf = xmalloc(r->cap + BUF_PAD);
	r->ps = xmalloc(sizeof(*r->ps));
	parser_init(r->ps, r->path);
	ret = next_line(r, &line, &n, &complete, err, errlen);
	if (ret < 0)
		return ret;
	if (ret == 0)
		BAD("%s: empty file, not a trace", path);
	h = json_loadb(line, n, 0, &je);
	if (!h || !json_is_object(h) || !jstr(h, "format") ||
	    strcmp(jstr(h, "format"), "fsrace-trace")) {
		json_decref(h);
		BAD("%s:1: not an fsrace trace (no fsrace-trace header)", path);
	}
	r->header_json = h;
	if (!jget_int(h, "version", &v) || v != TRACE_FORMAT_VERSION)
		BAD("%s:1: unsupported trace format version", path);
	r->header.version = (int)v;
	r->header.fsrace_version = jstr(h, "fsrace_version");
	r->header.argv =
		string_array(json_object_get(h, "argv"), &r->hargv, &hcap);
	r->header.cwd = jstr(h, "cwd");
	if (jget_int(h, "start_ns", &v))
		r->header.start_ns = (uint64_t)v;
	r->header.host = jstr(h, "host");
	r->header.kernel = jstr(h, "kernel");
	{
		json_t *o = json_object_get(h, "options");
		const char *mode = jstr(o, "mode");

		r->header.attach = mode && !strcmp(mode, "attach");
		r->header.seccomp = json_is_true(json_object_get(o, "seccomp"));
		r->header.seccomp_reason = jstr(o, "seccomp_reason");
		if (jget_int(o, "pid", &v))
			r->header.attach_pid = (int)v;
	}
	return 0;
}

int trace_reader_next(struct trace_reader *r, struct event *ev, char *err,
		      size_t errlen)
{
	if (r->failed) {
		snprintf(err, errlen, "%s", r->errmsg);
		return r->failed;
	}
	for (;;) {
		bool complete;
		char *line;
		size_t n;
		int ret;

		ret = next_line(r, &line, &n, &complete, err, errlen);
		if (ret == 0)
			return 0;
		if (ret > 0) {
			r->ps->line = r->line;
			ret = parse_line(r->ps, line, n, complete, ev, err,
					 errlen);
		}
		if (ret == LINE_TRUNCATED) {
			warnx_("%s:%lu: truncated record skipped", r->path,
			       r->line);
			return 0;
		}
		if (ret < 0) {
			/* an error is final */
			r->failed = ret;
			r->errmsg = xstrdup(err);
		}
		if (ret != 0)
			return ret;
		r->skipped++;
	}
}

void trace_reader_close(struct trace_reader *r)
{
	if (r->ps) {
		parser_release(r->ps);
		free(r->ps);
	}
	json_decref(r->header_json);
	if (r->path && r->fd >= 0)
		close(r->fd);
	free(r->buf);
	free(r->path);
	free(r->hargv);
	free(r->errmsg);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}
