// SPDX-License-Identifier: MIT
/*
 * format/jscan.h, the trace reader's JSON scanner: a few lines with the
 * exact value or error they give, and every input in fuzz/regressions/
 * named jscan-* replayed through the fuzz target itself, whose checks
 * (the scan stays in the line, it agrees with jansson) abort on failure.
 */
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "jscan.h"

#include "../../fuzz/fuzz_jscan.c"

/* The value of LINE, or its error and the column of it. */
static const char *scan_line(const char *line, struct jv *v, char *buf,
			     size_t size)
{
	size_t n = strlen(line);
	char *copy = calloc(1, n + 1 + JSCAN_PAD);
	struct jp j = {.p = copy, .end = copy + n};
	static char out[256];

	memcpy(copy, line, n);
	jp_ws(&j);
	if (!jp_value(&j, v)) {
		snprintf(out, sizeof(out), "%s at %zu", j.why,
			 (size_t)(j.at - copy) + 1);
	} else if (v->kind == JV_STRING) {
		snprintf(buf, size, "%s", v->s);
		snprintf(out, sizeof(out), "string");
	} else {
		snprintf(out, sizeof(out), "kind %d", v->kind);
	}
	free(copy);
	return out;
}

static void test_values(void **state)
{
	char buf[64];
	struct jv v;

	assert_string_equal(scan_line("\"a\\u00e9\\ud83d\\ude00\\n\"", &v, buf,
				      sizeof(buf)),
			    "string");
	assert_string_equal(buf, "a\xc3\xa9\xf0\x9f\x98\x80\n");
	assert_string_equal(
		scan_line("18446744073709551615", &v, buf, sizeof(buf)),
		"kind 4");
	assert_true(v.i == -1); /* 2^64-1, as its bits */
	assert_string_equal(
		scan_line("-9223372036854775809", &v, buf, sizeof(buf)),
		"integer out of range at 1");
	assert_string_equal(scan_line("1e999", &v, buf, sizeof(buf)),
			    "real number overflow at 1");
	assert_string_equal(scan_line("[1,{\"a\":[]}]", &v, buf, sizeof(buf)),
			    "kind 7");
	assert_string_equal(scan_line("{\"a\" 1}", &v, buf, sizeof(buf)),
			    "expected ':' at 6");
	assert_string_equal(scan_line("\"\\ud800x\"", &v, buf, sizeof(buf)),
			    "unpaired surrogate in \\u escape at 2");
	assert_string_equal(scan_line("\"\\u0000\"", &v, buf, sizeof(buf)),
			    "\\u0000 in string at 2");
	assert_string_equal(scan_line("\"\xc0\xaf\"", &v, buf, sizeof(buf)),
			    "invalid UTF-8 in string at 2");
	assert_string_equal(scan_line("tru", &v, buf, sizeof(buf)),
			    "invalid literal at 1");
	assert_string_equal(scan_line("", &v, buf, sizeof(buf)),
			    "unexpected end of line at 1");
}

static void test_nesting_limit(void **state)
{
	char line[2 * JSCAN_MAX_DEPTH + 8];
	char buf[8];
	struct jv v;

	memset(line, '[', JSCAN_MAX_DEPTH);
	memset(line + JSCAN_MAX_DEPTH, ']', JSCAN_MAX_DEPTH);
	line[2 * JSCAN_MAX_DEPTH] = '\0';
	assert_string_equal(scan_line(line, &v, buf, sizeof(buf)), "kind 7");
	memmove(line + 1, line, 2 * JSCAN_MAX_DEPTH + 1);
	line[0] = '[';
	strcat(line, "]");
	assert_string_equal(scan_line(line, &v, buf, sizeof(buf)),
			    "nested too deeply at 2049");
}

static void test_fuzz_regressions(void **state)
{
	char dir[PATH_MAX], p[PATH_MAX * 2];
	struct dirent *e;
	int count = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/../fuzz/regressions",
		 FSRACE_SOURCE_RULES);
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d))) {
		uint8_t *buf = malloc(1 << 20);
		size_t n;
		FILE *f;

		if (strncmp(e->d_name, "jscan-", 6)) {
			free(buf);
			continue;
		}
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		f = fopen(p, "rb");
		assert_non_null(f);
		n = fread(buf, 1, 1 << 20, f);
		fclose(f);
		assert_int_equal(LLVMFuzzerTestOneInput(buf, n), 0);
		free(buf);
		count++;
	}
	closedir(d);
	assert_true(count >= 2);
}

/* Four hex digits: each byte value in each place, the digit ranges'
 * edges in both cases, and what is not a digit (-1). */
static void test_hex4(void **state)
{
	static const char digits[] = "0123456789abcdef";
	char s[5] = "0000";

	for (int place = 0; place < 4; place++) {
		for (int c = 1; c < 256; c++) {
			const char *d = strchr(digits, tolower(c));
			int want = d && c != 0 && isxdigit(c)
					   ? (int)(d - digits)
						     << (4 * (3 - place))
					   : -1;

			memcpy(s, "0000", 4);
			s[place] = (char)c;
			assert_int_equal(jp_hex4(s), want);
		}
	}
	assert_int_equal(jp_hex4("FfFf"), 0xffff);
	assert_int_equal(jp_hex4("09aF"), 0x09af);
	assert_int_equal(jp_hex4("1234"), 0x1234);
	assert_int_equal(jp_hex4("123"), -1);
}

/* Code points at each edge of the UTF-8 lengths. */
static void test_put_utf8(void **state)
{
	static const struct {
		uint32_t cp;
		const char *want;
	} cases[] = {
		{0x01, "\x01"},
		{0x7f, "\x7f"},
		{0x80, "\xc2\x80"},
		{0x7ff, "\xdf\xbf"},
		{0x800, "\xe0\xa0\x80"},
		{0xe9, "\xc3\xa9"},
		{0xfffd, "\xef\xbf\xbd"},
		{0xffff, "\xef\xbf\xbf"},
		{0x10000, "\xf0\x90\x80\x80"},
		{0x1f600, "\xf0\x9f\x98\x80"},
		{0x10ffff, "\xf4\x8f\xbf\xbf"},
	};
	char buf[8];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *end = jp_put_utf8(buf, cases[i].cp);

		*end = '\0';
		assert_string_equal(buf, cases[i].want);
	}
}

/* Literals, empty and nested containers, and each error of jp_value()
 * with the column it names. */
static void test_value_kinds(void **state)
{
	static const struct {
		const char *line, *want;
	} cases[] = {
		{"true", "kind 3"},
		{"false", "kind 2"},
		{"null", "kind 1"},
		{"truex", "kind 3"},
		{"tru", "invalid literal at 1"},
		{"trUe", "invalid literal at 1"},
		{"fals", "invalid literal at 1"},
		{"falsE", "invalid literal at 1"},
		{"nul", "invalid literal at 1"},
		{"nULL", "invalid literal at 1"},
		{"t", "invalid literal at 1"},
		{"[]", "kind 7"},
		{"[ ]", "kind 7"},
		{"{}", "kind 8"},
		{"{ }", "kind 8"},
		{"[[],{},[[]],{\"a\":{}}]", "kind 7"},
		{"{\"a\":[1,true,null,\"x\",-0.5e3,{\"b\":false}]}", "kind 8"},
		{"[1,]", "unexpected character at 4"},
		{"[1 2]", "expected ',' or ']' at 4"},
		{"[1", "expected ',' or ']' at 3"},
		{"[", "unexpected end of line at 2"},
		{"{\"a\":1,}", "expected a string key at 8"},
		{"{\"a\":1 \"b\":2}", "expected ',' or '}' at 8"},
		{"{1:2}", "expected a string key at 2"},
		{"{\"a\":}", "unexpected character at 6"},
		{"{\"a\":[x]}", "unexpected character at 7"},
		{"{\"a\"", "expected ':' at 5"},
		{"{", "expected a string key at 2"},
		{"x", "unexpected character at 1"},
		{"]", "unexpected character at 1"},
		{"}", "unexpected character at 1"},
		{"-", "invalid number at 1"},
		{"+1", "unexpected character at 1"},
		{"\"\\uD83D\\uDE00\"", "string"},
		{"\"\\udbff\\udfff\"", "string"},
		{"\"\\ud7ff\"", "string"},
		{"\"\\ue000\"", "string"},
		{"\"\\udc00\"", "unpaired surrogate in \\u escape at 2"},
		{"\"\\udfff\"", "unpaired surrogate in \\u escape at 2"},
		{"\"\\udbff\\ue000\"", "unpaired surrogate in \\u escape at 2"},
		{"\"\\ud800\\udbff\"", "unpaired surrogate in \\u escape at 2"},
		{"\"\\u00G0\"", "invalid \\u escape at 2"},
	};
	char buf[64];
	struct jv v;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got =
			scan_line(cases[i].line, &v, buf, sizeof(buf));

		if (strcmp(got, cases[i].want))
			fail_msg("%s: want '%s', got '%s'", cases[i].line,
				 cases[i].want, got);
	}
	/* the surrogate pairs decode to their code point */
	scan_line("\"\\udbff\\udfff\"", &v, buf, sizeof(buf));
	assert_string_equal(buf, "\xf4\x8f\xbf\xbf");
	scan_line("\"\\ud7ff\\ue000\"", &v, buf, sizeof(buf));
	assert_string_equal(buf, "\xed\x9f\xbf\xee\x80\x80");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_fuzz_regressions),
		cmocka_unit_test(test_hex4),
		cmocka_unit_test(test_put_utf8),
		cmocka_unit_test(test_value_kinds),
	};

	return cmocka_run_group_tests_name("jscan", tests, NULL, NULL);
}
