// SPDX-License-Identifier: MIT
#include "jdoc.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "util.h"

#define MAX_DEPTH 64

struct parser {
	const char *p, *end;
	int line;
	const char *line_start;
	char *err;
	size_t errlen;
	bool failed;
	int depth;
};

static int col(const struct parser *ps)
{
	return (int)(ps->p - ps->line_start) + 1;
}

static void PRINTF(2, 3) fail(struct parser *ps, const char *fmt, ...)
{
	char what[128];
	va_list ap;

	if (ps->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(ps->err, ps->errlen, "%d:%d: %s", ps->line, col(ps), what);
	ps->failed = true;
}

/* A JSON text is UTF-8 (RFC 8259, 8.1): point at the first byte that is not. */
static bool check_utf8(struct parser *ps)
{
	const unsigned char *p = (const unsigned char *)ps->p;
	const unsigned char *end = (const unsigned char *)ps->end;

	while (p < end) {
		size_t n =
			*p < 0x80
				? 1
				: (size_t)utf8_len_within(p, (size_t)(end - p));

		if (!n) {
			ps->p = (const char *)p;
			fail(ps, "invalid UTF-8 (byte 0x%02x)", *p);
			return false;
		}
		if (*p == '\n') {
			ps->line++;
			ps->line_start = (const char *)p + 1;
		}
		p += n;
	}
	ps->p = ps->end;
	return true;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end) {
		char c = *ps->p;

		if (c == '\n') {
			ps->line++;
			ps->line_start = ps->p + 1;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			return;
		}
		ps->p++;
	}
}

static struct jnode *node(struct parser *ps, enum jtype t)
{
	struct jnode *n = xcalloc(1, sizeof(*n));

	n->type = t;
	n->line = ps->line;
	n->col = col(ps);
	return n;
}

static void put_utf8(char **o, uint32_t cp)
{
	char *q = *o;

	if (cp < 0x80) {
		*q++ = (char)cp;
	} else if (cp < 0x800) {
		*q++ = (char)(0xc0 | (cp >> 6));
		*q++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*q++ = (char)(0xe0 | (cp >> 12));
		*q++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*q++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*q++ = (char)(0xf0 | (cp >> 18));
		*q++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*q++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*q++ = (char)(0x80 | (cp & 0x3f));
	}
	*o = q;
}

static int hex4(const char *p, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

static char *parse_string(struct parser *ps)
{
	const char *s = ++ps->p;
	const char *esc = s;
	const char *what = "invalid escape in a string";
	char *out, *o;

	/* the decoded string is never longer than the source */
	while (ps->p < ps->end && *ps->p != '"') {
		if (*ps->p == '\\') {
			if (ps->p + 1 >= ps->end) {
				ps->p = ps->end;
				break;
			}
			ps->p++;
		}
		if (*ps->p == '\n') {
			fail(ps, "newline in a string");
			return NULL;
		}
		if ((unsigned char)*ps->p < 0x20) {
			fail(ps, "control character 0x%02x in a string",
			     (unsigned char)*ps->p);
			return NULL;
		}
		ps->p++;
	}
	if (ps->p >= ps->end) {
		fail(ps, "unterminated string");
		return NULL;
	}
	out = o = xmalloc((size_t)(ps->p - s) + 1);
	for (const char *q = s; q < ps->p; q++) {
		uint32_t cp, lo;

		if (*q != '\\') {
			*o++ = *q;
			continue;
		}
		esc = q;
		switch (*++q) {
		case 'n':
			*o++ = '\n';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case '/':
			*o++ = '/';
			break;
		case '\\':
			*o++ = '\\';
			break;
		case '"':
			*o++ = '"';
			break;
		case 'u':
			if (ps->p - q < 5 || hex4(q + 1, &cp) < 0)
				goto out_bad_escape;
			q += 4;
			if (cp >= 0xd800 && cp < 0xdc00) {
				/* a high surrogate needs its low half */
				if (ps->p - q < 7 || q[1] != '\\' ||
				    q[2] != 'u' || hex4(q + 3, &lo) < 0 ||
				    lo < 0xdc00 || lo >= 0xe000) {
					what = "\\u escape of a high surrogate "
					       "without its low half";
					goto out_bad_escape;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
				q += 6;
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				what = "\\u escape of a low surrogate without "
				       "its high half";
				goto out_bad_escape;
			} else if (cp == 0) {
				what = "\\u0000 in a string (strings end at "
				       "NUL)";
				goto out_bad_escape;
			}
			put_utf8(&o, cp);
			break;
		default:
			goto out_bad_escape;
		}
	}
	*o = '\0';
	ps->p++;
	return out;

out_bad_escape:
	free(out);
	ps->p = esc; /* point at the backslash */
	fail(ps, "%s", what);
	return NULL;
}

/*
 * A number as RFC 8259 writes it: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
 * Returns its length, or 0 with *RET_BAD at the first character that does
 * not fit.
 */
static size_t scan_number(const char *p, const char *end, bool *ret_real,
			  const char **ret_bad)
{
	const char *q = p;

#define DIGIT(c) (q < end && (c) >= '0' && (c) <= '9')
	*ret_real = false;
	if (q < end && *q == '-')
		q++;
	if (!DIGIT(*q))
		goto out_bad;
	if (*q == '0') {
		q++;
		if (DIGIT(*q))
			goto out_bad;
	} else {
		while (DIGIT(*q))
			q++;
	}
	if (q < end && *q == '.') {
		*ret_real = true;
		q++;
		if (!DIGIT(*q))
			goto out_bad;
		while (DIGIT(*q))
			q++;
	}
	if (q < end && (*q == 'e' || *q == 'E')) {
		*ret_real = true;
		q++;
		if (q < end && (*q == '+' || *q == '-'))
			q++;
		if (!DIGIT(*q))
			goto out_bad;
		while (DIGIT(*q))
			q++;
	}
#undef DIGIT
	return (size_t)(q - p);

out_bad:
	*ret_bad = q;
	return 0;
}

static void parse_number(struct parser *ps, struct jnode *n)
{
	const char *bad = ps->p;
	bool real;
	size_t len = scan_number(ps->p, ps->end, &real, &bad);
	char *buf;

	if (!len) {
		ps->p = bad;
		fail(ps, "invalid number");
		return;
	}
	buf = xstrndup(ps->p, len);
	errno = 0;
	if (real) {
		n->type = J_REAL;
		n->r = strtod(buf, NULL);
		/* an underflow to 0 or a subnormal is fine, infinity is not */
		if (errno == ERANGE && isinf(n->r))
			fail(ps, "number out of range");
	} else {
		n->type = J_INT;
		n->i = strtoll(buf, NULL, 10);
		if (errno == ERANGE)
			fail(ps, "integer out of range (64 bits)");
	}
	free(buf);
	if (!ps->failed)
		ps->p += len;
}

static struct jnode *parse_value(struct parser *ps);

static struct jnode *parse_container(struct parser *ps, bool object)
{
	struct jnode *n = node(ps, object ? J_OBJECT : J_ARRAY);
	size_t cap = 0;

	if (++ps->depth > MAX_DEPTH) {
		fail(ps, "nested too deeply");
		return n;
	}
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == (object ? '}' : ']')) {
		ps->p++;
		ps->depth--;
		return n;
	}
	for (;;) {
		struct jnode *key = NULL, *v;

		skip_ws(ps);
		if (object) {
			if (ps->p >= ps->end || *ps->p != '"') {
				fail(ps, "expected a \"key\"");
				return n;
			}
			key = node(ps, J_STRING);
			key->s = parse_string(ps);
			if (!key->s) {
				jnode_free(key);
				return n;
			}
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				jnode_free(key);
				fail(ps, "expected ':'");
				return n;
			}
			ps->p++;
		}
		v = parse_value(ps);
		if (n->n == cap) {
			cap = cap ? cap * 2 : 8;
			n->items = xrealloc(n->items, cap * sizeof(*n->items));
			if (object) {
				n->keys = xrealloc(n->keys,
						   cap * sizeof(*n->keys));
				n->keynodes =
					xrealloc(n->keynodes,
						 cap * sizeof(*n->keynodes));
			}
		}
		if (object) {
			n->keys[n->n] = key->s;
			key->s = NULL;
			n->keynodes[n->n] = key;
		}
		n->items[n->n++] = v;
		if (ps->failed)
			return n;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == (object ? '}' : ']')) {
			ps->p++;
			ps->depth--;
			return n;
		}
		fail(ps,
		     object ? "expected ',' or '}'" : "expected ',' or ']'");
		return n;
	}
}

static bool word(struct parser *ps, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(ps->end - ps->p) >= n && !memcmp(ps->p, w, n)) {
		ps->p += n;
		return true;
	}
	return false;
}

static struct jnode *parse_value(struct parser *ps)
{
	struct jnode *n;

	skip_ws(ps);
	if (ps->p >= ps->end) {
		fail(ps, "unexpected end of file");
		return node(ps, J_NULL);
	}
	switch (*ps->p) {
	case '{':
		return parse_container(ps, true);
	case '[':
		return parse_container(ps, false);
	case '"':
		n = node(ps, J_STRING);
		n->s = parse_string(ps);
		if (!n->s)
			n->s = xstrdup("");
		return n;
	}
	n = node(ps, J_NULL);
	if (word(ps, "true")) {
		n->type = J_BOOL;
		n->b = true;
	} else if (word(ps, "false")) {
		n->type = J_BOOL;
	} else if (word(ps, "null")) {
		/* J_NULL */
	} else if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9')) {
		parse_number(ps, n);
	} else {
		fail(ps, "expected a value");
	}
	return n;
}

struct jnode *jdoc_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct parser ps = {
		.p = text,
		.end = text + len,
		.line = 1,
		.line_start = text,
		.err = err,
		.errlen = errlen,
	};
	struct parser utf8 = ps;
	struct jnode *root;

	if (!check_utf8(&utf8))
		return NULL;
	skip_ws(&ps);
	if (ps.p < ps.end && *ps.p != '{' && *ps.p != '[') {
		fail(&ps, "expected '{' or '[' (a JSON text here is an object "
			  "or an array)");
		return NULL;
	}
	root = parse_value(&ps);
	skip_ws(&ps);
	if (!ps.failed && ps.p < ps.end)
		fail(&ps, "text after the JSON value");
	if (ps.failed) {
		jnode_free(root);
		return NULL;
	}
	return root;
}

void jnode_free(struct jnode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++) {
		jnode_free(n->items[i]);
		if (n->type == J_OBJECT) {
			free(n->keys[i]);
			jnode_free(n->keynodes[i]);
		}
	}
	free(n->items);
	free(n->keys);
	free(n->keynodes);
	free(n->s);
	free(n);
}

struct jnode *jnode_get(const struct jnode *o, const char *key)
{
	if (!o || o->type != J_OBJECT)
		return NULL;
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->keys[i], key))
			return o->items[i];
	return NULL;
}

const char *jtype_name(enum jtype t)
{
	static const char *const names[] = {
		"null",	    "a boolean", "an integer", "a number",
		"a string", "an array",	 "an object",
	};

	return names[t];
}
