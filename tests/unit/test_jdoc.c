// SPDX-License-Identifier: MIT
/*
 * The rule-file JSON parser against jansson's test suites (copied in
 * tests/data/jansson, see its README): every case is a test of its own.
 * A valid text parses, to the values jansson reads from it; an invalid
 * one is rejected, and the message rule files give names the file, the
 * line and the column ("FILE:LINE:COL: what").
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "jdoc.h"
#include "rule.h"

#define SUITES FSRACE_TEST_DATA "/jansson"

static char *read_input(const char *dir, size_t *ret_len)
{
	char path[4096];
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/input", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail_msg("cannot open '%s': %s", path, strerror(errno));
	while ((n = read(fd, buf + len, cap - len)) > 0) {
		len += (size_t)n;
		if (len == cap)
			buf = realloc(buf, cap *= 2);
	}
	close(fd);
	assert_true(n == 0);
	*ret_len = len;
	return buf;
}

/* Whether our tree N holds the value jansson read as J. */
static void same_value(const struct jnode *n, const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		assert_int_equal(n->type, J_OBJECT);
		assert_int_equal(n->n, json_object_size(j));
		for (size_t i = 0; i < n->n; i++) {
			const json_t *v = json_object_get(j, n->keys[i]);

			if (!v)
				fail_msg("key \"%s\" not in jansson's object",
					 n->keys[i]);
			same_value(n->items[i], v);
		}
		break;
	case JSON_ARRAY:
		assert_int_equal(n->type, J_ARRAY);
		assert_int_equal(n->n, json_array_size(j));
		for (size_t i = 0; i < n->n; i++)
			same_value(n->items[i], json_array_get(j, i));
		break;
	case JSON_STRING:
		assert_int_equal(n->type, J_STRING);
		assert_string_equal(n->s, json_string_value(j));
		break;
	case JSON_INTEGER:
		assert_int_equal(n->type, J_INT);
		assert_true(n->i == json_integer_value(j));
		break;
	case JSON_REAL:
		assert_int_equal(n->type, J_REAL);
		assert_true(n->r == json_real_value(j));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		assert_int_equal(n->type, J_BOOL);
		assert_int_equal(n->b, json_is_true(j));
		break;
	case JSON_NULL:
		assert_int_equal(n->type, J_NULL);
		break;
	}
}

static void test_valid(void **state)
{
	const char *dir = *state;
	size_t len;
	char *text = read_input(dir, &len);
	char err[256] = "";
	struct jnode *root = jdoc_parse(text, len, err, sizeof(err));
	json_error_t jerr;
	json_t *j;

	if (!root)
		fail_msg("%s: rejected: %s", dir, err);
	j = json_loadb(text, len, 0, &jerr);
	if (!j)
		fail_msg("%s: jansson rejects it: %s", dir, jerr.text);
	same_value(root, j);
	json_decref(j);
	jnode_free(root);
	free(text);
}

static void test_invalid(void **state)
{
	const char *dir = *state;
	size_t len;
	char *text = read_input(dir, &len);
	char err[4400] = "", perr[256] = "";
	struct rule_set rs;
	regex_t re;
	char name[4100], want[4400];

	struct jnode *root = jdoc_parse(text, len, perr, sizeof(perr));

	if (root)
		fail_msg("%s: parsed", dir);
	assert_int_equal(regcomp(&re, "^[1-9][0-9]*:[1-9][0-9]*: [a-z\\\\]",
				 REG_EXTENDED | REG_NOSUB),
			 0);
	if (regexec(&re, perr, 0, NULL, 0))
		fail_msg("%s: no LINE:COL: what: \"%s\"", dir, perr);
	regfree(&re);
	/* as a rule file, named after the case: FILE:LINE:COL: what */
	rule_set_init(&rs);
	snprintf(name, sizeof(name), "%s/input", dir);
	snprintf(want, sizeof(want), "%s:%s", name, perr);
	if (rule_set_load_text(&rs, name, text, len, err, sizeof(err)) == 0)
		fail_msg("%s: accepted as a rule file", dir);
	assert_int_equal(rs.nrules, 0);
	rule_set_release(&rs);
	assert_string_equal(err, want);
	/* and jansson agrees it is invalid */
	{
		json_error_t jerr;
		json_t *j = json_loadb(text, len, 0, &jerr);

		if (j)
			fail_msg("%s: jansson accepts it", dir);
	}
	free(text);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	static const char *const suites[] = {"valid", "invalid",
					     "invalid-unicode"};
	struct CMUnitTest *tests = NULL;
	size_t n = 0;
	int r;

	for (size_t s = 0; s < sizeof(suites) / sizeof(suites[0]); s++) {
		char dir[4096];
		char **names = NULL;
		size_t nn = 0;
		struct dirent *d;
		DIR *dp;

		snprintf(dir, sizeof(dir), "%s/%s", SUITES, suites[s]);
		dp = opendir(dir);
		if (!dp) {
			fprintf(stderr, "cannot open '%s': %s\n", dir,
				strerror(errno));
			return 1;
		}
		while ((d = readdir(dp))) {
			if (d->d_name[0] == '.')
				continue;
			names = realloc(names, (nn + 1) * sizeof(*names));
			names[nn++] = strdup(d->d_name);
		}
		closedir(dp);
		if (nn)
			qsort(names, nn, sizeof(*names), cmp_str);
		for (size_t i = 0; i < nn; i++) {
			char *path = malloc(strlen(dir) + strlen(names[i]) + 2);
			char *name = malloc(strlen(suites[s]) +
					    strlen(names[i]) + 2);

			sprintf(path, "%s/%s", dir, names[i]);
			sprintf(name, "%s/%s", suites[s], names[i]);
			tests = realloc(tests, (n + 1) * sizeof(*tests));
			memset(&tests[n], 0, sizeof(tests[n]));
			tests[n].name = name;
			tests[n].test_func = s == 0 ? test_valid : test_invalid;
			tests[n].initial_state = path;
			n++;
			free(names[i]);
		}
		free(names);
	}
	r = _cmocka_run_group_tests("jansson suites", tests, n, NULL, NULL);
	for (size_t i = 0; i < n; i++) {
		free((char *)tests[i].name);
		free(tests[i].initial_state);
	}
	free(tests);
	return r;
}
