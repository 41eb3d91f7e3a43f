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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_digits),
		cmocka_unit_test(test_code_point_lengths),
		cmocka_unit_test(test_surrogates),
		cmocka_unit_test(test_other_escapes),
		cmocka_unit_test(test_raw_utf8),
		cmocka_unit_test(test_raw_utf8_at_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
