// SPDX-License-Identifier: MIT
/*
 * The engine's compiled path globs (ignore, ignore_except, root_only)
 * against fnmatch(3) itself: each kind (exact, prefix, suffix, contains,
 * and fnmatch behind its needed literal run) answers as fnmatch(pat, p,
 * 0) does, on every pattern and path of the tables below.
 */
#include <fnmatch.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine_impl.h"

static const char *const patterns[] = {
	"/proc/*",
	"/proc",
	"*.so",
	"*.so.[0-9]*",
	"/usr/lib/locale/*",
	"*cache*",
	"",
	"*",
	"/a?c",
	"/x/*/y",
	"*[[:digit:]]",
	"*[[:digit:]]x",
	"*[[=a=]]b*",
	"*[[.-.]]z",
	"*[]]q*",
	"*[!]]q*",
	"*[^a]q*",
	"*[ab*",
	"*\\*star",
	"*lit\\",
	"*a\\?b*",
	"/tmp/[a-c]*/log.txt",
	"*/.git/*.lock",
	"*.py[co]",
	"*[[:alpha:]0-9]end",
	"*[[:bogus",
	"pre*mid*post",
	/* glibc: a backslash escapes inside brackets; a bad class name is a
	 * plain '[' (the review's two counterexamples) */
	"*/[\\]x]foo*",
	"*[[:x][:][]abc]",
	"*[a\\]]tail",
	"[ab]lit*",
	"*\\[lit]*",
};

static const char *const paths[] = {
	"/proc/self/fd",
	"/proc",
	"/procx",
	"/usr/lib/libc.so",
	"/usr/lib/libc.so.6",
	"/usr/lib/libc.so.x",
	"/usr/lib/libz.so.1.2.13",
	"/home/u/.so.9",
	"/usr/lib/locale/C.utf8/LC_CTYPE",
	"/var/cache/x",
	"",
	"/abc",
	"/a/c",
	"/x/q/y",
	"/x/q/r/y",
	"/f5",
	"/f5x",
	"/fax",
	"/ab",
	"/zab",
	"/-z",
	"]q",
	"/x]q",
	"/xqq",
	"/aq",
	"/[ab",
	"/[abc",
	"/*star",
	"/xstar",
	"/lit\\",
	"/lit",
	"/a?b",
	"/axb",
	"/tmp/b1/log.txt",
	"/tmp/d1/log.txt",
	"/w/.git/index.lock",
	"/w/.git/refs/heads/main.lock",
	"/m/x.pyc",
	"/m/x.pyo",
	"/m/x.py",
	"/eend",
	"/9end",
	"/-end",
	"/[[:bogus",
	"premidpost",
	"pre/mid/post",
	"prepost",
	"/a/]foo",
	"/a/xfoo",
	"/a/\\foo",
	"/p/x:a",
	"/p/]",
	"/a]tail",
	"/\\]tail",
	"alit",
	"blitz",
	"/[lit]x",
	"/lit",
};

static void test_globs_answer_as_fnmatch(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(patterns) / sizeof(*patterns); i++) {
		struct glob g = {0};

		engine_glob_compile(&g, patterns[i]);
		for (size_t k = 0; k < sizeof(paths) / sizeof(*paths); k++) {
			size_t n = (size_t)-1;
			bool want = fnmatch(patterns[i], paths[k], 0) == 0;
			bool got = engine_glob_match(&g, paths[k], &n);

			if (got != want)
				fail_msg("'%s' against '%s': %d, fnmatch says "
					 "%d",
					 patterns[i], paths[k], got, want);
		}
		free(g.lit);
	}
}

/* A list, indexed by a path's second byte, matches a path when any of
 * its globs does: every prefix of the pattern table, each added in two
 * calls (the policy's, then --ignore's), against every path. */
static void test_lists_answer_as_any_fnmatch(void **state)
{
	size_t np = sizeof(patterns) / sizeof(*patterns);

	(void)state;
	for (size_t upto = 0; upto <= np; upto++) {
		struct globs gs = {0};
		size_t half = upto / 2;

		engine_globs_add(&gs, patterns, (int)half);
		engine_globs_add(&gs, patterns + half, (int)(upto - half));
		assert_int_equal(gs.n, upto);
		for (size_t k = 0; k < sizeof(paths) / sizeof(*paths); k++) {
			bool want = false;

			for (size_t i = 0; i < upto; i++)
				want |= fnmatch(patterns[i], paths[k], 0) == 0;
			if (engine_globs_match(&gs, paths[k]) != want)
				fail_msg("the first %zu patterns against '%s': "
					 "fnmatch says %d",
					 upto, paths[k], want);
		}
		engine_globs_release(&gs);
	}
}

/* The run fnmatch patterns are tested behind: the longest, and none
 * where a '[' is not closed (fnmatch then takes it as a character). */
static void test_needed_runs(void **state)
{
	static const struct {
		const char *pat, *run;
	} cases[] = {
		{"*.so.[0-9]*", ".so."},
		{"/x/*/yy", "/x/"},
		{"*\\*star", "star"},
		{"*a\\?bc*", "bc"},
		{"*.py[co]", ".py"},
		{"ab[cdefgh]ijklmnop", "ab"},
		{"*/[\\]x]foo*", "/"},
		{"*[ab*", NULL},
		{"[xyz]", NULL},
		{"*?*", NULL},
		{"\\", NULL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const char *at = NULL;
		size_t n = engine_glob_needed_run(cases[i].pat, &at);

		if (!cases[i].run) {
			assert_int_equal(n, 0);
			continue;
		}
		assert_int_equal(n, strlen(cases[i].run));
		assert_memory_equal(at, cases[i].run, n);
	}
}

/*
 * A path as a fingerprint holds it: the root, the temporary directory,
 * the home directory (the longest that applies), UUIDs, the names
 * mkstemp and Python's tempfile make up, digits.
 */
static void test_fingerprint_paths(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"/tmp/w/src/a.c", "$ROOT/src/a.c"},
		{"/tmp/w", "$ROOT"},
		{"/tmp/wx/a", "$TMP/wx/a"},
		{"/tmp/x", "$TMP/x"},
		{"/home/u/.cache/a", "$HOME/.cache/a"},
		{"/home/user/a", "/home/user/a"},
		{"/etc/passwd", "/etc/passwd"},
		/* the templates of well-known temporary names */
		{"/tmp/w/sedjLYRo6", "$ROOT/sedX"},
		{"/tmp/ccZxU3dn.s", "$TMP/ccX.s"},
		{"/tmp/tmpa1b2c3d4", "$TMP/tmpX"},
		{"/tmp/tmpzq9_x8y7", "$TMP/tmpX"},
		{"/tmp/tmpabcdefgh/f", "$TMP/tmpX/f"},
		{"/tmp/tmp.mhAb3dEf9q/cfg", "$TMP/tmp.X/cfg"},
		{"/w/.data.Ab12Cd", "/w/.data.X"},
		/* ordinary names keep their letters: two files, two findings */
		{"/w/model_v2.json", "/w/model_vN.json"},
		{"/w/cache_v2.json", "/w/cache_vN.json"},
		{"/w/config01.yaml", "/w/configN.yaml"},
		{"/w/XMLParser.java", "/w/XMLParser.java"},
		{"/w/x86_64/include", "/w/xN_N/include"},
		{"/w/sedation", "/w/sedation"},
		{"/w/pytest-17/test_a0/f", "/w/pytest-N/test_aN/f"},
		{"/w/log2024.txt", "/w/logN.txt"},
		{"/w/MyConfig.json", "/w/MyConfig.json"},
		{"/w/config", "/w/config"},
		{"/w/garbage-1b4e28ba-2fa1-11d2-883f-0016d3cca427.txt",
		 "/w/garbage-U.txt"},
		{"/w/f1", "/w/fN"},
		{"", ""},
	};
	struct engine_options o = {
		.fp_root = "/tmp/w/", .fp_tmp = "/tmp", .fp_home = "/home/u"};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		engine_fingerprint_path(&o, buf, sizeof(buf), cases[i].in);
		if (strcmp(buf, cases[i].out))
			fail_msg("%s: '%s', not '%s'", cases[i].in, buf,
				 cases[i].out);
	}
	/* none of the directories known: as it is but names */
	memset(&o, 0, sizeof(o));
	engine_fingerprint_path(&o, buf, sizeof(buf), "/tmp/sedjLYRo6");
	assert_string_equal(buf, "/tmp/sedX");
	/* a small buffer: cut, terminated */
	engine_fingerprint_path(&o, buf, 8, "/abcdefghijklmnop");
	assert_string_equal(buf, "/abcde");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_globs_answer_as_fnmatch),
		cmocka_unit_test(test_lists_answer_as_any_fnmatch),
		cmocka_unit_test(test_needed_runs),
		cmocka_unit_test(test_fingerprint_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
