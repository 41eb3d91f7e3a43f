// SPDX-License-Identifier: MIT
/*
 * format/jscan.h, the trace reader's JSON scanner: a few lines with the
 * exact value or error they give, and every input in fuzz/regressions/
 * named jscan-* replayed through the fuzz target itself, whose checks
 * (the scan stays in the line, it agrees with jansson) abort on failure.
 */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_fuzz_regressions),
	};

	return cmocka_run_group_tests_name("jscan", tests, NULL, NULL);
}
