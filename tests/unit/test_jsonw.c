// SPDX-License-Identifier: MIT
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_object),
		cmocka_unit_test(test_escapes_bytes),
		cmocka_unit_test(test_utf8_raw_invalid_escaped),
		cmocka_unit_test(test_grows),
	};

	return cmocka_run_group_tests_name("jsonw", tests, NULL, NULL);
}
