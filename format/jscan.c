// SPDX-License-Identifier: MIT
#include "jscan.h"

void jp_error(struct jp *j, const char *why)
{
	if (!j->why) {
		j->why = why;
		j->at = j->p;
	}
}

int jp_hex4(const char *p)
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

char *jp_put_utf8(char *d, uint32_t cp)
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

static bool jp_literal(struct jp *j, const char *word, enum jv_kind kind,
		       struct jv *v)
{
	const char *p = j->p;

	for (; *word; word++, p++)
		if (*p != *word)
			return jp_fail(j, "invalid literal");
	j->p = (char *)p;
	v->kind = kind;
	return true;
}

/* Any value; arrays and objects are checked and skipped. */
bool jp_value(struct jp *j, struct jv *v)
{
	switch (*j->p) {
	case '"':
		v->kind = JV_STRING;
		return jp_string(j, &v->s, &v->len);
	case '-':
	case '0' ... '9':
		return jp_number(j, v);
	case 't':
		return jp_literal(j, "true", JV_TRUE, v);
	case 'f':
		return jp_literal(j, "false", JV_FALSE, v);
	case 'n':
		return jp_literal(j, "null", JV_NULL, v);
	case '[': {
		struct jv x;

		v->kind = JV_ARRAY;
		if (!jp_enter(j))
			return false;
		if (*j->p == ']') {
			j->p++;
			j->depth--;
			return true;
		}
		do
			if (!jp_value(j, &x))
				return false;
		while (jp_more(j, ']'));
		return !j->why;
	}
	case '{': {
		const char *k;
		size_t n;
		struct jv x;

		v->kind = JV_OBJECT;
		if (!jp_enter(j))
			return false;
		if (*j->p == '}') {
			j->p++;
			j->depth--;
			return true;
		}
		do
			if (!jp_key(j, &k, &n) || !jp_value(j, &x))
				return false;
		while (jp_more(j, '}'));
		return !j->why;
	}
	default:
		return jp_fail(j, *j->p ? "unexpected character"
					: "unexpected end of line");
	}
}
