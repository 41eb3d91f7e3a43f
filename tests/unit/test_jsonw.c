// SPDX-License-Identifier: MIT
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "jsonw.h"

static void assert_out(struct jsonw *w, const char *want)
{
	char buf[512];

	assert_true(w->len < sizeof(buf));
	memcpy(buf, w->buf, w->len);
	buf[w->len] = '\0';
	assert_string_equal(buf, want);
}

static void test_object(void **state)
{
	struct jsonw w;

	jsonw_init(&w);
	jsonw_begin_object(&w);
	jsonw_key(&w, "a");
	jsonw_int(&w, -5);
	jsonw_key(&w, "b");
	jsonw_int(&w, -7);
	jsonw_key(&w, "c");
	jsonw_begin_array(&w);
	jsonw_string(&w, "x");
	jsonw_uint(&w, 18446744073709551615ULL);
	jsonw_bool(&w, 1);
	jsonw_null(&w);
	jsonw_end_array(&w);
	jsonw_key(&w, "d");
	jsonw_begin_object(&w);
	jsonw_end_object(&w);
	jsonw_key(&w, "e");
	jsonw_int(&w, 0);
	jsonw_end_object(&w);
	assert_out(&w, "{\"a\":-5,\"b\":-7,\"c\":[\"x\",18446744073709551615,"
		       "true,null],\"d\":{},\"e\":0}");
	jsonw_release(&w);
}

static void test_escapes_bytes(void **state)
{
	struct jsonw w;

	jsonw_init(&w);
	jsonw_string(&w, "a\"b\\c\n\t\x01");
	assert_out(&w, "\"a\\\"b\\\\c\\n\\t\\u0001\"");
	jsonw_release(&w);
}

static void test_utf8_raw_invalid_escaped(void **state)
{
	struct jsonw w;

	jsonw_init(&w);
	/* é is valid UTF-8; a lone 0xe9 (Latin-1 é) and an overlong
	 * encoding of '/' (0xc0 0xaf) are not */
	jsonw_string(&w, "\xc3\xa9t\xc3\xa9|caf\xe9|\xc0\xaf|\xf0\x9f\x98\x80");
	assert_out(&w, "\"\xc3\xa9t\xc3\xa9|caf\\u00e9|\\u00c0\\u00af|"
		       "\xf0\x9f\x98\x80\"");
	jsonw_release(&w);
}

static void test_grows(void **state)
{
	struct jsonw w;
	char big[10000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	jsonw_init(&w);
	jsonw_string(&w, big);
	assert_int_equal(w.len, sizeof(big) - 1 + 2);
	jsonw_release(&w);
}

/* Every byte alone: printable ASCII as it is, '"' '\\' '\n' '\t' as
 * two-character escapes, any other control byte, DEL and any byte that is
 * not valid UTF-8 on its own (all of 0x80-0xff) as \u00xx, lowercase. */
static void test_every_byte_alone(void **state)
{
	struct jsonw w;

	jsonw_init(&w);
	for (int c = 1; c < 256; c++) {
		char in[2] = {(char)c, 0}, want[16];

		if (c == '"')
			strcpy(want, "\"\\\"\"");
		else if (c == '\\')
			strcpy(want, "\"\\\\\"");
		else if (c == '\n')
			strcpy(want, "\"\\n\"");
		else if (c == '\t')
			strcpy(want, "\"\\t\"");
		else if (c >= 0x20 && c < 0x7f)
			snprintf(want, sizeof(want), "\"%c\"", c);
		else
			snprintf(want, sizeof(want), "\"\\u%04x\"", c);
		jsonw_reset(&w);
		jsonw_string(&w, in);
		assert_out(&w, want);
	}
	/* the edges spelled out, and \r, \b, \f not given short forms */
	jsonw_reset(&w);
	jsonw_string(&w, "\x1f \x7e\x7f\r\b\f\x0a\x09");
	assert_out(&w, "\"\\u001f ~\\u007f\\u000d\\u0008\\u000c\\n\\t\"");
	jsonw_reset(&w);
	jsonw_string(&w, "");
	assert_out(&w, "\"\"");
	jsonw_release(&w);
}

/* A key is escaped as a string is; key_text and plain_string are written
 * as they are, with the commas of their container. */
static void test_keys_and_plain(void **state)
{
	struct jsonw w;

	jsonw_init(&w);
	jsonw_begin_object(&w);
	jsonw_key(&w, "a\"b\n");
	jsonw_plain_string(&w, "x y", 3);
	jsonw_key_text(&w, "\"k\":", 4);
	jsonw_plain_string(&w, "zzz", 2);
	jsonw_key_text(&w, "\"e\":", 4);
	jsonw_plain_string(&w, "", 0);
	jsonw_key(&w, "");
	jsonw_bool(&w, 0);
	jsonw_key(&w, "t");
	jsonw_bool(&w, 7);
	jsonw_end_object(&w);
	assert_out(&w, "{\"a\\\"b\\n\":\"x y\",\"k\":\"zz\",\"e\":\"\","
		       "\"\":false,\"t\":true}");
	jsonw_release(&w);
}

static void test_integers(void **state)
{
	struct jsonw w;

	jsonw_init(&w);
	jsonw_begin_array(&w);
	jsonw_int(&w, INT64_MIN);
	jsonw_int(&w, -1);
	jsonw_int(&w, 0);
	jsonw_int(&w, 9);
	jsonw_int(&w, 10);
	jsonw_int(&w, INT64_MAX);
	jsonw_uint(&w, 0);
	jsonw_uint(&w, 99);
	jsonw_uint(&w, 100);
	jsonw_uint(&w, 10000000000000000000ULL);
	jsonw_end_array(&w);
	assert_out(&w, "[-9223372036854775808,-1,0,9,10,9223372036854775807,"
		       "0,99,100,10000000000000000000]");
	jsonw_release(&w);
}

/* Commas at every level, as deep as the writer counts (16 levels): a
 * value before each container and one after it, objects and arrays
 * alternating. */
static void test_nesting(void **state)
{
	struct jsonw w;
	char want[512], *o = want;

	jsonw_init(&w);
	for (int d = 0; d < 16; d++) {
		if (d % 2) {
			jsonw_begin_object(&w);
			jsonw_key(&w, "k");
			jsonw_int(&w, d);
			jsonw_key(&w, "o");
			o += sprintf(o, "{\"k\":%d,\"o\":", d);
		} else {
			jsonw_begin_array(&w);
			jsonw_int(&w, d);
			o += sprintf(o, "[%d,", d);
		}
	}
	jsonw_null(&w);
	o += sprintf(o, "null");
	assert_int_equal(w.depth, 16);
	for (int d = 15; d >= 0; d--) {
		if (d % 2) {
			jsonw_end_object(&w);
			o += sprintf(o, "}");
		} else {
			jsonw_end_array(&w);
			o += sprintf(o, "]");
		}
		if (d == 0)
			break;
		/* a value after the container, in its parent */
		if ((d - 1) % 2) {
			jsonw_key(&w, "z");
			jsonw_uint(&w, (uint64_t)d);
			o += sprintf(o, ",\"z\":%d", d);
		} else {
			jsonw_uint(&w, (uint64_t)d);
			o += sprintf(o, ",%d", d);
		}
	}
	assert_int_equal(w.depth, 0);
	assert_out(&w, want);
	jsonw_release(&w);
}

/* One level deeper than the writer counts: a container at depth 17 that
 * holds a value, with a value before and after it, still gets its
 * commas (the parent had a value before it, so it has one after). */
static void test_nesting_17(void **state)
{
	struct jsonw w;
	char want[128];

	jsonw_init(&w);
	for (int d = 0; d < 16; d++)
		jsonw_begin_array(&w);
	jsonw_int(&w, 1);
	jsonw_begin_array(&w);
	assert_int_equal(w.depth, 17);
	jsonw_int(&w, 2);
	jsonw_end_array(&w);
	jsonw_int(&w, 3);
	for (int d = 0; d < 16; d++)
		jsonw_end_array(&w);
	snprintf(want, sizeof(want), "%s1,[2],3%s", "[[[[[[[[[[[[[[[[",
		 "]]]]]]]]]]]]]]]]");
	assert_out(&w, want);
	jsonw_release(&w);
}

/* After a reset the buffer is empty and the next value is the first:
 * no comma, no key pending, at depth 0. */
static void test_reset(void **state)
{
	struct jsonw w;

	jsonw_init(&w);
	jsonw_begin_object(&w);
	jsonw_key(&w, "a");
	jsonw_reset(&w);
	assert_int_equal(w.len, 0);
	assert_int_equal(w.depth, 0);
	jsonw_begin_array(&w);
	jsonw_int(&w, 1);
	jsonw_int(&w, 2);
	jsonw_reset(&w);
	jsonw_int(&w, 3);
	assert_out(&w, "3");
	jsonw_int(&w, 4);
	assert_out(&w, "3,4");
	jsonw_raw(&w, "\n", 1);
	assert_out(&w, "3,4\n");
	jsonw_release(&w);
	assert_null(w.buf);
	assert_int_equal(w.len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_object),
		cmocka_unit_test(test_escapes_bytes),
		cmocka_unit_test(test_utf8_raw_invalid_escaped),
		cmocka_unit_test(test_grows),
		cmocka_unit_test(test_every_byte_alone),
		cmocka_unit_test(test_keys_and_plain),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_nesting_17),
		cmocka_unit_test(test_reset),
	};

	return cmocka_run_group_tests_name("jsonw", tests, NULL, NULL);
}
