// SPDX-License-Identifier: MIT
/*
 * Which variable partial matches waiting at a step are hashed by, on
 * the shipped rules: an unlink or a rename of one name must reach its
 * match through the hash, not by scanning every name the tree made
 * (tar xf, git checkout: thousands of files made and removed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rule.h"

#define SHIPPED FSRACE_TEST_DATA "/../../rules"

static const char *var_name(const struct rule *r, int v)
{
	return v >= 0 ? r->vars[v] : "(none)";
}

static const char *key_of(const struct rule *r, int k)
{
	return var_name(r, r->steps[k].key_var);
}

static const char *key2_of(const struct rule *r, int k)
{
	return var_name(r, r->steps[k].key_var2);
}

/* Every variant of RULE_ID: step K is keyed on VAR, then on VAR2. */
static void expect_key(const struct rule_set *rs, const char *rule_id, int k,
		       const char *var, const char *var2)
{
	int n = 0;

	for (int i = 0; i < rs->nrules; i++) {
		const struct rule *r = rs->rules[i];

		if (strcmp(r->id, rule_id))
			continue;
		n++;
		assert_true(k < r->nsteps);
		if (strcmp(key_of(r, k), var) || strcmp(key2_of(r, k), var2))
			fail_msg("%s (%s:%d) step %d is keyed on %s and %s, "
				 "not %s and %s",
				 r->id, r->source, r->line, k, key_of(r, k),
				 key2_of(r, k), var, var2);
	}
	assert_true(n > 0);
}

static void test_exit_steps_keyed_by_the_name(void **state)
{
	struct rule_set rs;
	char err[512] = "";

	(void)state;
	rule_set_init(&rs);
	if (rule_set_load(&rs, SHIPPED, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	/* guards: fsync of $d, sync, rename of $p, unlink of $p: an unlink
	 * and an fsync of the directory each find theirs by a hash */
	expect_key(&rs, "missing-dir-fsync", 1, "$p", "$d");
	/* its own index condition wins: the use compares $p */
	expect_key(&rs, "check-then-use", 1, "$p", "(none)");
	rule_set_release(&rs);
}

/* A step with no index condition takes what most guards compare; on a
 * tie, the first guard's variable. */
static void test_guards_vote(void **state)
{
	static const char text[] =
		"{\"groups\": {}, \"rules\": [{\"id\": \"r\", \"title\": \"t\","
		" \"severity\": \"warning\", \"explanation\": \"e\","
		" \"fix\": \"f\", \"message\": \"m\", \"references\": [],"
		" \"tags\": [], \"steps\": ["
		"  {\"name\": \"a\", \"syscalls\": [\"openat\"],"
		"   \"where\": {\"abspath\": \"$p\", \"dirname(abspath)\": "
		"\"$d\","
		"             \"fd_path\": \"$q\"}},"
		"  {\"name\": \"b\", \"at_exit\": true}],"
		" \"unless\": ["
		"  {\"after\": \"a\", \"syscalls\": [\"fsync\"],"
		"   \"where\": {\"fd_path\": \"$d\"}},"
		"  {\"after\": \"a\", \"syscalls\": [\"unlink\"],"
		"   \"where\": {\"abspath\": \"$q\"}},"
		"  {\"after\": \"a\", \"syscalls\": [\"rename\"],"
		"   \"where\": {\"abspath\": \"$q\"}},"
		"  {\"after\": \"a\", \"syscalls\": [\"chmod\"],"
		"   \"where\": {\"abspath\": \"$p\"}}]}]}";
	struct rule_set rs;
	char err[512] = "";

	(void)state;
	rule_set_init(&rs);
	if (rule_set_load_text(&rs, "vote.json", text, sizeof(text) - 1, err,
			       sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(rs.nrules, 1);
	assert_string_equal(key_of(rs.rules[0], 1), "$q");
	/* then $d and $p, one guard each: the first */
	assert_string_equal(key2_of(rs.rules[0], 1), "$d");
	rule_set_release(&rs);
}

/* A rule "r" with the steps STEPS and the guards UNLESS (JSON text),
 * loaded alone into RS. */
static void load_rule(struct rule_set *rs, const char *steps,
		      const char *unless)
{
	char text[2048], err[512] = "";
	int n = snprintf(text, sizeof(text),
			 "{\"rules\": [{\"id\": \"r\", \"title\": \"t\","
			 " \"severity\": \"warning\", \"message\": \"m\","
			 " \"steps\": [%s], \"unless\": [%s]}]}",
			 steps, unless);

	assert_true(n > 0 && (size_t)n < sizeof(text));
	rule_set_init(rs);
	if (rule_set_load_text(rs, "r.json", text, (size_t)n, err,
			       sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(rs->nrules, 1);
}

#define OPEN_PQ                                                                \
	"{\"name\": \"a\", \"syscalls\": [\"openat\"], \"where\": "            \
	"{\"abspath\": \"$p\", \"fd_path\": \"$q\"}}"
#define AT_EXIT(n) "{\"name\": \"" n "\", \"at_exit\": true}"
/* a step that compares nothing: keyed as a waiting exit is */
#define FSYNC(n) "{\"name\": \"" n "\", \"syscalls\": [\"fsync\"]}"
#define GUARD(after, before, var)                                              \
	"{\"after\": \"" after "\", " before "\"syscalls\": [\"unlink\"], "    \
	"\"where\": {\"abspath\": \"" var "\"}}"

/* The keys of a waiting step, case by case: KEY, KEY2 of step K. */
static void expect_keys(const char *steps, const char *unless, int k,
			const char *key, const char *key2)
{
	struct rule_set rs;

	load_rule(&rs, steps, unless);
	if (strcmp(key_of(rs.rules[0], k), key) ||
	    strcmp(key2_of(rs.rules[0], k), key2))
		fail_msg("[%s] unless [%s]: step %d keyed on %s and %s, not "
			 "%s and %s",
			 steps, unless, k, key_of(rs.rules[0], k),
			 key2_of(rs.rules[0], k), key, key2);
	rule_set_release(&rs);
}

static void test_keys_case_by_case(void **state)
{
	(void)state;
	/* no guard: the first string the first step binds */
	expect_keys(OPEN_PQ "," AT_EXIT("b"), "", 1, "$p", "(none)");
	expect_keys("{\"name\": \"a\", \"syscalls\": [\"openat\"], "
		    "\"where\": {\"fd\": \"$f\", \"result\": \"success\","
		    " \"fd_path\": \"$q\", \"abspath\": \"$p\"}}," AT_EXIT("b"),
		    "", 1, "$q", "(none)");
	/* one guard is a vote: its variable, the first string second */
	expect_keys(OPEN_PQ "," AT_EXIT("b"), GUARD("a", "", "$q"), 1, "$q",
		    "(none)");
	/* a guard from after step b applies at c, not at b */
	expect_keys(OPEN_PQ "," FSYNC("b") "," AT_EXIT("c"),
		    GUARD("b", "", "$q"), 1, "$p", "(none)");
	expect_keys(OPEN_PQ "," FSYNC("b") "," AT_EXIT("c"),
		    GUARD("b", "", "$q"), 2, "$q", "(none)");
	/* one that ends before step b does not apply there */
	expect_keys(OPEN_PQ "," FSYNC("b") "," AT_EXIT("c"),
		    GUARD("a", "\"before\": \"b\", ", "$q"), 2, "$p", "(none)");
	expect_keys(OPEN_PQ "," FSYNC("b") "," AT_EXIT("c"),
		    GUARD("a", "\"before\": \"b\", ", "$q"), 1, "$q", "(none)");
	/* a tie goes to the first guard that applies here: at b that is
	 * the one on $p, though one on $q (from after b) comes before it */
	expect_keys(OPEN_PQ "," FSYNC("b") "," AT_EXIT("c"),
		    GUARD("b", "", "$q") "," GUARD("a", "", "$p") "," GUARD(
			    "a", "", "$q"),
		    1, "$p", "$q");
	/* two on $p against one on $q, at b; at c only the later one */
	expect_keys(OPEN_PQ "," FSYNC("b") "," AT_EXIT("c"),
		    GUARD("a", "", "$q") "," GUARD("a", "", "$p") "," GUARD(
			    "b", "", "$p"),
		    2, "$p", "$q");
	expect_keys(OPEN_PQ "," FSYNC("b") "," AT_EXIT("c"),
		    GUARD("a", "", "$q") "," GUARD("a", "", "$p") "," GUARD(
			    "b", "", "$p"),
		    1, "$q", "$p");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_steps_keyed_by_the_name),
		cmocka_unit_test(test_guards_vote),
		cmocka_unit_test(test_keys_case_by_case),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
