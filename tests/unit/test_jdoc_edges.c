// SPDX-License-Identifier: MIT
/*
 * The rule-file JSON parser at the edges of what it accepts: each hex
 * digit of a \u escape, surrogate pairs and their halves, the first and
 * last code point of each UTF-8 length, and the raw UTF-8 sequences just
 * inside and just outside RFC 3629. A valid text decodes to the exact
 * bytes; an invalid one gives the exact "LINE:COL: what".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jdoc.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ["TEXT"] parses, and its string is WANT. */
static void decodes(const char *text, const char *want)
{
	char doc[256], err[256] = "";
	struct jnode *root;

	snprintf(doc, sizeof(doc), "[\"%s\"]", text);
	root = jdoc_parse(doc, strlen(doc), err, sizeof(err));
	if (!root)
		fail_msg("[\"%s\"]: rejected: %s", text, err);
	assert_int_equal(root->type, J_ARRAY);
	assert_int_equal(root->n, 1);
	assert_int_equal(root->items[0]->type, J_STRING);
	if (strcmp(root->items[0]->s, want)) {
		char got[128] = "";

		for (const unsigned char *p =
			     (const unsigned char *)root->items[0]->s;
		     *p && strlen(got) < sizeof(got) - 5; p++)
			sprintf(got + strlen(got), "\\x%02x", *p);
		fail_msg("[\"%s\"]: decoded as \"%s\"", text, got);
	}
	jnode_free(root);
}

/* ["TEXT"] is refused with the message WANT. */
static void refused(const char *text, const char *want)
{
	char doc[256], err[256] = "";
	struct jnode *root;

	snprintf(doc, sizeof(doc), "[\"%s\"]", text);
	root = jdoc_parse(doc, strlen(doc), err, sizeof(err));
	if (root)
		fail_msg("[\"%s\"]: accepted", text);
	assert_string_equal(err, want);
}

static void test_hex_digits(void **state)
{
	(void)state;
	/* every digit at both ends of its range, either case */
	decodes("\\u0030\\u0039", "09");
	decodes("\\u004a\\u004A", "JJ");
	decodes("\\u006f\\u006F", "oo");
	decodes("\\u0046\\u0066", "Ff");
	decodes("\\u00e9", "\xc3\xa9");
	decodes("\\u00E9", "\xc3\xa9");
	decodes("\\uABCD", "\xea\xaf\x8d");
	decodes("\\uabcd", "\xea\xaf\x8d");
	decodes("\\u0FAF", "\xe0\xbe\xaf");
	/* the characters beside each range are not digits */
	refused("\\u00/0", "1:3: invalid escape in a string");
	refused("\\u00:0", "1:3: invalid escape in a string");
	refused("\\u00@0", "1:3: invalid escape in a string");
	refused("\\u00G0", "1:3: invalid escape in a string");
	refused("\\u00`0", "1:3: invalid escape in a string");
	refused("\\u00g0", "1:3: invalid escape in a string");
	refused("x\\u12", "1:4: invalid escape in a string");
}

static void test_code_point_lengths(void **state)
{
	(void)state;
	decodes("\\u0001", "\x01");
	decodes("\\u007f", "\x7f");
	decodes("\\u0080", "\xc2\x80");
	decodes("\\u07ff", "\xdf\xbf");
	decodes("\\u0800", "\xe0\xa0\x80");
	decodes("\\ud7ff", "\xed\x9f\xbf");
	decodes("\\ue000", "\xee\x80\x80");
	decodes("\\uffff", "\xef\xbf\xbf");
	refused("\\u0000", "1:3: \\u0000 in a string (strings end at NUL)");
}

static void test_surrogates(void **state)
{
	(void)state;
	decodes("\\ud800\\udc00", "\xf0\x90\x80\x80");
	decodes("\\ud834\\udd1e", "\xf0\x9d\x84\x9e");
	decodes("\\ud800\\udfff", "\xf0\x90\x8f\xbf");
	decodes("\\udbff\\udc00", "\xf4\x8f\xb0\x80");
	decodes("\\uDBFF\\uDFFF", "\xf4\x8f\xbf\xbf");
	decodes("a\\ud83d\\ude00b", "a\xf0\x9f\x98\x80"
				    "b");
	/* a high half needs a low half right after it */
	refused("\\ud800", "1:3: \\u escape of a high surrogate without its "
			   "low half");
	refused("\\udbff\\u0041", "1:3: \\u escape of a high surrogate "
				  "without its low half");
	refused("\\ud800\\udbff", "1:3: \\u escape of a high surrogate "
				  "without its low half");
	refused("\\ud800\\ue000", "1:3: \\u escape of a high surrogate "
				  "without its low half");
	refused("\\ud800\\n\\udc00", "1:3: \\u escape of a high surrogate "
				     "without its low half");
	refused("\\ud800xudc00", "1:3: \\u escape of a high surrogate "
				 "without its low half");
	refused("\\ud800\\udcz0", "1:3: \\u escape of a high surrogate "
				  "without its low half");
	/* a low half alone */
	refused("\\udc00", "1:3: \\u escape of a low surrogate without its "
			   "high half");
	refused("ab\\udfff", "1:5: \\u escape of a low surrogate without its "
			     "high half");
}

static void test_other_escapes(void **state)
{
	(void)state;
	decodes("\\n\\t\\r\\b\\f\\/\\\\\\\"", "\n\t\r\b\f/\\\"");
	refused("\\a", "1:3: invalid escape in a string");
	refused("\\x41", "1:3: invalid escape in a string");
}

static void test_raw_utf8(void **state)
{
	static const char *const good[] = {
		"\x7f",		"\xc2\x80",	    "\xdf\xbf",
		"\xe0\xa0\x80", "\xed\x9f\xbf",	    "\xee\x80\x80",
		"\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",
		"\xe1\x80\x80", "\xf1\x80\x80\x80",
	};
	static const struct {
		const char *text;
		const char *err;
	} bad[] = {
		{"\x80", "1:3: invalid UTF-8 (byte 0x80)"},
		{"\xbf", "1:3: invalid UTF-8 (byte 0xbf)"},
		{"\xc0\x80", "1:3: invalid UTF-8 (byte 0xc0)"},
		{"\xc1\xbf", "1:3: invalid UTF-8 (byte 0xc1)"},
		{"a\xc2", "1:4: invalid UTF-8 (byte 0xc2)"},
		{"\xc2\x41", "1:3: invalid UTF-8 (byte 0xc2)"},
		{"\xc2\xc0", "1:3: invalid UTF-8 (byte 0xc2)"},
		{"\xe0\x9f\xbf", "1:3: invalid UTF-8 (byte 0xe0)"},
		{"\xed\xa0\x80", "1:3: invalid UTF-8 (byte 0xed)"},
		{"\xed\xbf\xbf", "1:3: invalid UTF-8 (byte 0xed)"},
		{"\xf0\x8f\xbf\xbf", "1:3: invalid UTF-8 (byte 0xf0)"},
		{"\xf4\x90\x80\x80", "1:3: invalid UTF-8 (byte 0xf4)"},
		{"\xf5\x80\x80\x80", "1:3: invalid UTF-8 (byte 0xf5)"},
		{"\xff", "1:3: invalid UTF-8 (byte 0xff)"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		decodes(good[i], good[i]);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		refused(bad[i].text, bad[i].err);
}

/* Truncated sequences at the very end of the text (no closing bytes). */
static void test_raw_utf8_at_end(void **state)
{
	static const char *const texts[] = {"[\"\xc2", "[\"\xe0\xa0",
					    "[\"\xf0\x90\x80"};
	char err[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		char want[64];

		snprintf(want, sizeof(want), "1:3: invalid UTF-8 (byte 0x%02x)",
			 (unsigned char)texts[i][2]);
		err[0] = '\0';
		assert_null(jdoc_parse(texts[i], strlen(texts[i]), err,
				       sizeof(err)));
		assert_string_equal(err, want);
	}
}

/* TEXT (a whole document) is refused with the message WANT. */
static void doc_refused(const char *text, size_t len, const char *want)
{
	char err[256] = "";
	struct jnode *root = jdoc_parse(text, len, err, sizeof(err));

	if (root)
		fail_msg("'%s': accepted", text);
	if (strcmp(err, want))
		fail_msg("'%s': \"%s\", not \"%s\"", text, err, want);
}

static void test_syntax_errors(void **state)
{
	static const struct {
		const char *text;
		const char *err;
	} bad[] = {
		{"{a:1}", "1:2: expected a \"key\""},
		{"{", "1:2: expected a \"key\""},
		{"{,}", "1:2: expected a \"key\""},
		{"{]", "1:2: expected a \"key\""},
		{"{\"a\":1,}", "1:8: expected a \"key\""},
		{"{\"a\":1, 2:3}", "1:9: expected a \"key\""},
		{"{\"a\" 1}", "1:6: expected ':'"},
		{"{\"a\"", "1:5: expected ':'"},
		{"{\"a\":1 \"b\"}", "1:8: expected ',' or '}'"},
		{"{\"a\":1", "1:7: expected ',' or '}'"},
		{"{\"a\":1]", "1:7: expected ',' or '}'"},
		{"[1 2]", "1:4: expected ',' or ']'"},
		{"[1", "1:3: expected ',' or ']'"},
		{"[1}", "1:3: expected ',' or ']'"},
		{"[falsey]", "1:7: expected ',' or ']'"},
		{"[truex]", "1:6: expected ',' or ']'"},
		{"[1.5.5]", "1:5: expected ',' or ']'"},
		{"[1,]", "1:4: expected a value"},
		{"{\"a\":}", "1:6: expected a value"},
		{"[,]", "1:2: expected a value"},
		{"[}", "1:2: expected a value"},
		{"[tru]", "1:2: expected a value"},
		{"[nul]", "1:2: expected a value"},
		{"[fals]", "1:2: expected a value"},
		{"[.5]", "1:2: expected a value"},
		{"[+1]", "1:2: expected a value"},
		{"[", "1:2: unexpected end of file"},
		{"[1,", "1:4: unexpected end of file"},
		{"{\"a\":", "1:6: unexpected end of file"},
		{"", "1:1: unexpected end of file"},
		{"   ", "1:4: unexpected end of file"},
		{"\n\n", "3:1: unexpected end of file"},
		{"x", "1:1: expected '{' or '[' (a JSON text here is an object "
		      "or an array)"},
		{" \"s\"", "1:2: expected '{' or '[' (a JSON text here is an "
			   "object or an array)"},
		{"\n 1", "2:2: expected '{' or '[' (a JSON text here is an "
			 "object or an array)"},
		{"[1] x", "1:5: text after the JSON value"},
		{"{\"a\":1}}", "1:8: text after the JSON value"},
		{"[]\n\n []", "3:2: text after the JSON value"},
		{"[-]", "1:3: invalid number"},
		{"[-a]", "1:3: invalid number"},
		{"[01]", "1:3: invalid number"},
		{"[-01]", "1:4: invalid number"},
		{"[00]", "1:3: invalid number"},
		{"[1.]", "1:4: invalid number"},
		{"[1.e5]", "1:4: invalid number"},
		{"[1e]", "1:4: invalid number"},
		{"[1E]", "1:4: invalid number"},
		{"[1e+]", "1:5: invalid number"},
		{"[1e-]", "1:5: invalid number"},
		{"[1.5e]", "1:6: invalid number"},
		{"[9223372036854775808]",
		 "1:2: integer out of range (64 bits)"},
		{"[-9223372036854775809]",
		 "1:2: integer out of range (64 bits)"},
		{"[ 1e999]", "1:3: number out of range"},
		{"[-1e999]", "1:2: number out of range"},
		{"[\n\"a\nb\"]", "2:3: newline in a string"},
		{"[\"a\tb\"]", "1:4: control character 0x09 in a string"},
		{"[\"\x1f\"]", "1:3: control character 0x1f in a string"},
		{"[\"\\\x01\"]", "1:4: control character 0x01 in a string"},
		{"[\"abc", "1:6: unterminated string"},
		{"[\"abc\\", "1:7: unterminated string"},
		{"[\"abc\\\"", "1:8: unterminated string"},
		{"{\"ab", "1:5: unterminated string"},
		{"{\"a\\qb\":1}", "1:4: invalid escape in a string"},
		{"[\"x\"\r\n,\r\n\"\\q\"]", "3:2: invalid escape in a string"},
		{"[\n\n  \xff]", "3:3: invalid UTF-8 (byte 0xff)"},
		/* the first error is the one told */
		{"[1e999, x]", "1:2: number out of range"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		doc_refused(bad[i].text, strlen(bad[i].text), bad[i].err);
	/* a NUL byte is a control character, not the end of the text */
	doc_refused("[\"a\0b\"]", 7, "1:4: control character 0x00 in a string");
	doc_refused("[1]\0", 4, "1:4: text after the JSON value");
}

static void test_error_buffer(void **state)
{
	char err[8];

	(void)state;
	memset(err, 'x', sizeof(err));
	assert_null(jdoc_parse("[1 2]", 5, err, sizeof(err)));
	assert_string_equal(err, "1:4: ex");
}

/* NEST brackets deep, each closed: DEPTH levels of "[" ... "]". */
static char *nested(int depth, const char *inner)
{
	size_t len = strlen(inner);
	char *s = malloc(2 * (size_t)depth + len + 1);

	memset(s, '[', (size_t)depth);
	memcpy(s + depth, inner, len);
	memset(s + depth + len, ']', (size_t)depth);
	s[2 * depth + len] = '\0';
	return s;
}

static void test_depth(void **state)
{
	char err[256] = "";
	struct jnode *root, *n;
	char *s;
	char buf[1024];
	size_t len = 0;

	(void)state;
	s = nested(64, "1");
	root = jdoc_parse(s, strlen(s), err, sizeof(err));
	assert_non_null(root);
	n = root;
	for (int i = 1; i < 64; i++) {
		assert_int_equal(n->type, J_ARRAY);
		assert_int_equal(n->n, 1);
		n = n->items[0];
	}
	assert_int_equal(n->items[0]->type, J_INT);
	jnode_free(root);
	free(s);
	s = nested(65, "1");
	doc_refused(s, strlen(s), "1:65: nested too deeply");
	free(s);
	s = nested(65, "");
	doc_refused(s, strlen(s), "1:65: nested too deeply");
	free(s);
	/* a closed container gives its level back: 70 siblings at level 2,
	 * empty and not, then one 63 levels deeper still fits */
	buf[len++] = '[';
	for (int i = 0; i < 35; i++)
		len += (size_t)sprintf(buf + len, "[],[1],");
	s = nested(62, "{}");
	len += (size_t)sprintf(buf + len, "%s,{\"a\":{}},{}]", s);
	free(s);
	root = jdoc_parse(buf, len, err, sizeof(err));
	if (!root)
		fail_msg("rejected: %s", err);
	assert_int_equal(root->n, 73);
	jnode_free(root);
}

static void test_values_and_positions(void **state)
{
	static const char text[] =
		"{\"t\": true, \"f\":false,\n"
		"  \"n\" : null, \"i\": -42, \"z\": -0, \"r\": 2.5e-1,\r\n"
		"\t\"s\": \"x\\ty\", \"a\": [ 1, \"b\", {} ], \"o\": {\"k\": "
		"[]},\n"
		"  \"big\": 9223372036854775807, \"min\": -9223372036854775808,"
		" \"e\": 1E2, \"tiny\": 1e-999}";
	char err[256] = "";
	struct jnode *root = jdoc_parse(text, strlen(text), err, sizeof(err));
	struct jnode *n;

	(void)state;
	if (!root)
		fail_msg("rejected: %s", err);
	assert_int_equal(root->type, J_OBJECT);
	assert_int_equal(root->line, 1);
	assert_int_equal(root->col, 1);
	assert_int_equal(root->n, 13);
	assert_string_equal(root->keys[0], "t");
	assert_string_equal(root->keys[12], "tiny");
	/* a key's node is where its quote is */
	assert_int_equal(root->keynodes[0]->line, 1);
	assert_int_equal(root->keynodes[0]->col, 2);
	assert_int_equal(root->keynodes[2]->line, 2);
	assert_int_equal(root->keynodes[2]->col, 3);
	assert_int_equal(root->keynodes[6]->line, 3);
	assert_int_equal(root->keynodes[6]->col, 2);

	n = jnode_get(root, "t");
	assert_int_equal(n->type, J_BOOL);
	assert_true(n->b);
	assert_int_equal(n->line, 1);
	assert_int_equal(n->col, 7);
	n = jnode_get(root, "f");
	assert_int_equal(n->type, J_BOOL);
	assert_false(n->b);
	assert_int_equal(n->col, 17);
	n = jnode_get(root, "n");
	assert_int_equal(n->type, J_NULL);
	assert_int_equal(n->line, 2);
	assert_int_equal(n->col, 9);
	n = jnode_get(root, "i");
	assert_int_equal(n->type, J_INT);
	assert_true(n->i == -42);
	assert_int_equal(n->col, 20);
	n = jnode_get(root, "z");
	assert_int_equal(n->type, J_INT);
	assert_true(n->i == 0);
	n = jnode_get(root, "r");
	assert_int_equal(n->type, J_REAL);
	assert_true(n->r == 0.25);
	n = jnode_get(root, "s");
	assert_int_equal(n->type, J_STRING);
	assert_string_equal(n->s, "x\ty");
	assert_int_equal(n->line, 3);
	assert_int_equal(n->col, 7);
	n = jnode_get(root, "a");
	assert_int_equal(n->type, J_ARRAY);
	assert_int_equal(n->n, 3);
	assert_int_equal(n->col, 20);
	assert_int_equal(n->items[0]->type, J_INT);
	assert_true(n->items[0]->i == 1);
	assert_int_equal(n->items[0]->col, 22);
	assert_string_equal(n->items[1]->s, "b");
	assert_int_equal(n->items[2]->type, J_OBJECT);
	assert_int_equal(n->items[2]->n, 0);
	assert_int_equal(n->items[2]->col, 30);
	n = jnode_get(root, "o");
	assert_int_equal(n->type, J_OBJECT);
	assert_int_equal(n->n, 1);
	assert_int_equal(jnode_get(n, "k")->type, J_ARRAY);
	assert_int_equal(jnode_get(n, "k")->n, 0);
	n = jnode_get(root, "big");
	assert_true(n->i == INT64_MAX);
	assert_int_equal(n->line, 4);
	n = jnode_get(root, "min");
	assert_true(n->i == INT64_MIN);
	n = jnode_get(root, "e");
	assert_int_equal(n->type, J_REAL);
	assert_true(n->r == 100.0);
	n = jnode_get(root, "tiny");
	assert_int_equal(n->type, J_REAL);
	assert_true(n->r >= 0.0 && n->r < 1e-300);

	/* what is not there, or not an object */
	assert_null(jnode_get(root, "T"));
	assert_null(jnode_get(root, ""));
	assert_null(jnode_get(NULL, "t"));
	assert_null(jnode_get(jnode_get(root, "a"), "t"));
	jnode_free(root);
	jnode_free(NULL);
}

/* Enough members and elements to grow the arrays, each in its place. */
static void test_many_members(void **state)
{
	char text[2048], err[256] = "";
	size_t len = 0;
	struct jnode *root, *a;

	(void)state;
	len += (size_t)sprintf(text + len, "{");
	for (int i = 0; i < 40; i++)
		len += (size_t)sprintf(text + len, "%s\"k%d\":%d", i ? "," : "",
				       i, i * 3);
	len += (size_t)sprintf(text + len, ",\"arr\":[");
	for (int i = 0; i < 40; i++)
		len += (size_t)sprintf(text + len, "%s\"v%d\"", i ? "," : "",
				       i);
	len += (size_t)sprintf(text + len, "]}");
	root = jdoc_parse(text, len, err, sizeof(err));
	if (!root)
		fail_msg("rejected: %s", err);
	assert_int_equal(root->n, 41);
	for (int i = 0; i < 40; i++) {
		char k[16];

		snprintf(k, sizeof(k), "k%d", i);
		assert_string_equal(root->keys[i], k);
		assert_true(jnode_get(root, k)->i == i * 3);
	}
	a = jnode_get(root, "arr");
	assert_int_equal(a->n, 40);
	for (int i = 0; i < 40; i++) {
		char v[16];

		snprintf(v, sizeof(v), "v%d", i);
		assert_string_equal(a->items[i]->s, v);
	}
	/* a repeated key: the first one is found */
	jnode_free(root);
	root = jdoc_parse("{\"a\":1,\"a\":2}", 13, err, sizeof(err));
	assert_non_null(root);
	assert_int_equal(root->n, 2);
	assert_true(jnode_get(root, "a")->i == 1);
	jnode_free(root);
}

static void test_type_names(void **state)
{
	(void)state;
	assert_string_equal(jtype_name(J_NULL), "null");
	assert_string_equal(jtype_name(J_BOOL), "a boolean");
	assert_string_equal(jtype_name(J_INT), "an integer");
	assert_string_equal(jtype_name(J_REAL), "a number");
	assert_string_equal(jtype_name(J_STRING), "a string");
	assert_string_equal(jtype_name(J_ARRAY), "an array");
	assert_string_equal(jtype_name(J_OBJECT), "an object");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_digits),
		cmocka_unit_test(test_code_point_lengths),
		cmocka_unit_test(test_surrogates),
		cmocka_unit_test(test_other_escapes),
		cmocka_unit_test(test_raw_utf8),
		cmocka_unit_test(test_raw_utf8_at_end),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_error_buffer),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_values_and_positions),
		cmocka_unit_test(test_many_members),
		cmocka_unit_test(test_type_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
