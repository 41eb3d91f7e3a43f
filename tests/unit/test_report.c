// SPDX-License-Identifier: MIT
/*
 * Suppressions and groups, key by key: each test loads a rule and some
 * suppressions, feeds the engine events built here (an execve names the
 * program), and checks the status of each finding, or the groups the
 * report makes of them, and where the writers put them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine.h"
#include "rule.h"
#include "suppress.h"
#include "syscalls.h"

struct fixture {
	struct rule_set rs;
	struct engine *e;
	uint64_t seq;
	uint64_t ts;
};

static struct fixture fx;

static const char rules[] =
	"{\"rules\": [{\"id\": \"r\", \"title\": \"t\", \"severity\": "
	"\"warning\", \"message\": \"m {$p}\", \"steps\": ["
	"{\"name\": \"check\", \"syscalls\": [\"newfstatat\", \"access\"], "
	" \"where\": {\"abspath\": \"$p\", \"result\": \"success\"}},"
	"{\"name\": \"use\", \"syscalls\": [\"openat\", \"execve\"], "
	" \"where\": {\"abspath\": \"$p\"}}]},"
	"{\"id\": \"e\", \"title\": \"t\", \"severity\": \"error\", "
	" \"message\": \"e {$p}\", \"steps\": ["
	"{\"name\": \"hit\", \"syscalls\": [\"unlinkat\"], "
	" \"where\": {\"abspath\": \"$p\"}}]},"
	"{\"id\": \"n\", \"title\": \"t\", \"severity\": \"note\", "
	" \"message\": \"n {$p}\", \"steps\": ["
	"{\"name\": \"hit\", \"syscalls\": [\"mkdir\"], "
	" \"where\": {\"abspath\": \"$p\"}}]}]}";

/* SHIPPED is loaded first and marked shipped; USER after it. */
static void load(const char *shipped, const char *user, bool defaults)
{
	struct engine_options o = {.judge = {.default_suppressions = defaults}};
	char err[512];

	rule_set_init(&fx.rs);
	assert_int_equal(rule_set_load_text(&fx.rs, "r.json", rules,
					    strlen(rules), err, sizeof(err)),
			 0);
	if (shipped &&
	    rule_set_load_text(&fx.rs, "shipped.json", shipped, strlen(shipped),
			       err, sizeof(err)) < 0)
		fail_msg("load failed: %s", err);
	suppress_mark_shipped(&fx.rs);
	if (user && rule_set_load_text(&fx.rs, "user.json", user, strlen(user),
				       err, sizeof(err)) < 0)
		fail_msg("load failed: %s", err);
	fx.e = engine_new(&fx.rs, &o);
	fx.seq = 0;
	fx.ts = 1000000;
}

static int teardown(void **state)
{
	(void)state;
	engine_free(fx.e);
	rule_set_release(&fx.rs);
	memset(&fx, 0, sizeof(fx));
	return 0;
}

static struct event sys(int pid, const char *name, const char *abspath,
			int64_t ret)
{
	struct event ev;

	event_init(&ev, EV_SYSCALL);
	ev.sc = syscall_by_name(name);
	assert_non_null(ev.sc);
	ev.seq = ++fx.seq;
	ev.pid = ev.tid = pid;
	ev.ts_enter = fx.ts;
	fx.ts += 10000;
	ev.ts_exit = fx.ts;
	fx.ts += 10000;
	ev.has = HAS_RET;
	if (abspath) {
		ev.has |= HAS_PATH;
		ev.path = ev.abspath = abspath;
	}
	ev.ret = ret < 0 ? -1 : ret;
	ev.err = ret < 0 ? (int)-ret : 0;
	return ev;
}

static void feed(struct event ev)
{
	engine_feed(fx.e, &ev);
}

/* PID execs EXE with the NULL-terminated ARGV. */
static void exec(int pid, const char *exe, const char *const *argv)
{
	struct event ev = sys(pid, "execve", exe, 0);

	ev.has |= HAS_ARGV;
	ev.argv = argv;
	for (ev.argc = 0; argv[ev.argc]; ev.argc++)
		;
	feed(ev);
}

static const struct findings *found(void)
{
	return engine_findings(fx.e);
}

/* Stat then open of PATH by PID. */
static void check_use(int pid, const char *path)
{
	feed(sys(pid, "newfstatat", path, 0));
	feed(sys(pid, "openat", path, 3));
}

static const char *const python[] = {"/usr/bin/python3", "x.py", NULL};

#define SUPP(...) "{\"suppressions\": [" __VA_ARGS__ "]}"

static void test_path_and_program(void **state)
{
	(void)state;
	load(SUPP("{\"rule\": \"r\", \"path\": \"*.py\", "
		  " \"program\": \"python*\", \"reason\": \"importer\"}"),
	     NULL, true);
	exec(1, "/usr/bin/python3.11", python);
	check_use(1, "/w/a.py");
	check_use(1, "/w/a.txt");
	exec(2, "/usr/bin/perl", (const char *const[]){"perl", NULL});
	check_use(2, "/w/b.py");
	assert_int_equal(found()->n, 3);
	assert_int_equal(found()->v[0]->status, FST_SUPPRESSED);
	assert_string_equal(found()->v[0]->status_reason,
			    "importer (shipped.json:1)");
	assert_int_equal(found()->v[1]->status, FST_REPORTED);
	assert_null(found()->v[1]->status_reason);
	assert_int_equal(found()->v[2]->status, FST_REPORTED);
	assert_string_equal(found()->v[0]->program[0], "/usr/bin/python3 x.py");
	assert_string_equal(found()->v[2]->program[1], "perl");
}

static void test_defaults_off_keeps_the_users(void **state)
{
	(void)state;
	load(SUPP("{\"rule\": \"r\", \"path\": \"/w/a\", \"reason\": \"s\"}"),
	     SUPP("{\"rule\": \"r\", \"path\": \"/w/b\", \"reason\": \"u\"}"),
	     false);
	check_use(1, "/w/a");
	check_use(1, "/w/b");
	assert_int_equal(found()->n, 2);
	assert_int_equal(found()->v[0]->status, FST_REPORTED);
	assert_int_equal(found()->v[1]->status, FST_SUPPRESSED);
	assert_string_equal(found()->v[1]->status_reason, "u (user.json:1)");
}

static void test_first_match_wins_and_every_key_counts(void **state)
{
	(void)state;
	load(SUPP("{\"rule\": \"x*\", \"reason\": \"no rule\"},"
		  "{\"rule\": \"r\", \"syscall\": \"execve\", "
		  " \"path\": \"/w/*\", \"reason\": \"one\"},"
		  "{\"rule\": [\"q\", \"r\"], \"syscall\": \"exec*\", "
		  " \"reason\": \"two\"}"),
	     NULL, true);
	feed(sys(1, "access", "/w/t", 0));
	feed(sys(1, "execve", "/w/t", 0));
	feed(sys(2, "access", "/v/t", 0));
	feed(sys(2, "execve", "/v/t", 0));
	check_use(3, "/w/u");
	assert_int_equal(found()->n, 3);
	assert_string_equal(found()->v[0]->status_reason,
			    "one (shipped.json:1)");
	assert_string_equal(found()->v[1]->status_reason,
			    "two (shipped.json:1)");
	assert_int_equal(found()->v[2]->status, FST_REPORTED);
}

static void test_exe_and_script_tokens(void **state)
{
	static const char *const script[] = {"./s.sh", NULL};
	static const char *const bash[] = {"bash", "-e", "tool/run.sh", "x",
					   NULL};

	(void)state;
	load(SUPP("{\"rule\": \"r\", \"path\": \"{exe}\", \"reason\": \"e\"},"
		  "{\"rule\": \"r\", \"path\": \"{script}\", "
		  " \"program\": \"bash\", \"reason\": \"s\"}"),
	     NULL, true);
	exec(1, "/w/s.sh", script);
	check_use(1, "/w/s.sh");
	check_use(1, "/w/other.sh");
	exec(2, "/usr/bin/bash", bash);
	check_use(2, "/w/tool/run.sh");
	check_use(2, "/w/x");
	check_use(2, "/w/atool/run.sh");
	assert_int_equal(found()->n, 5);
	assert_string_equal(found()->v[0]->status_reason, "e (shipped.json:1)");
	assert_int_equal(found()->v[1]->status, FST_REPORTED);
	assert_string_equal(found()->v[2]->status_reason, "s (shipped.json:1)");
	/* only the first argument that is not an option is the script */
	assert_int_equal(found()->v[3]->status, FST_REPORTED);
	assert_int_equal(found()->v[4]->status, FST_REPORTED);
}

/* {script} is no script when the code is on the command line: sh -c,
 * perl -e; a long option (bash --norc) is no -c. */
static void test_code_on_the_command_line(void **state)
{
	static const char *const sh_c[] = {"sh", "-c", "a.sh", NULL};
	static const char *const norc[] = {"bash", "--norc", "b.sh", NULL};
	static const char *const perl_e[] = {"perl", "-e", "c.pl", NULL};
	static const char *const ruby_e[] = {"ruby", "-e", "d.rb", NULL};
	static const char *const perl[] = {"perl", "-w", "e.pl", NULL};

	(void)state;
	load(SUPP("{\"rule\": \"r\", \"path\": \"{script}\", "
		  " \"reason\": \"s\"}"),
	     NULL, true);
	exec(1, "/usr/bin/sh", sh_c);
	check_use(1, "/w/a.sh");
	exec(2, "/usr/bin/bash", norc);
	check_use(2, "/w/b.sh");
	exec(3, "/usr/bin/perl", perl_e);
	check_use(3, "/w/c.pl");
	exec(4, "/usr/bin/ruby", ruby_e);
	check_use(4, "/w/d.rb");
	exec(5, "/usr/bin/perl", perl);
	check_use(5, "/w/e.pl");
	assert_int_equal(found()->n, 5);
	assert_int_equal(found()->v[0]->status, FST_REPORTED);
	assert_string_equal(found()->v[1]->status_reason, "s (shipped.json:1)");
	assert_int_equal(found()->v[2]->status, FST_REPORTED);
	assert_int_equal(found()->v[3]->status, FST_REPORTED);
	assert_string_equal(found()->v[4]->status_reason, "s (shipped.json:1)");
}

/* A script named ./x or x/y names PATH from the directory it is in. */
static void test_script_relative_names(void **state)
{
	static const char *const dot[] = {"bash", "./f.sh", NULL};
	static const char *const sub[] = {"bash", "q/g.sh", NULL};

	(void)state;
	load(SUPP("{\"rule\": \"r\", \"path\": \"{script}\", "
		  " \"reason\": \"s\"}"),
	     NULL, true);
	exec(1, "/usr/bin/bash", dot);
	check_use(1, "/w/f.sh");
	exec(2, "/usr/bin/bash", sub);
	check_use(2, "/w/g.sh");
	check_use(2, "/w/q/g.sh");
	assert_int_equal(found()->n, 3);
	assert_string_equal(found()->v[0]->status_reason, "s (shipped.json:1)");
	assert_int_equal(found()->v[1]->status, FST_REPORTED);
	assert_string_equal(found()->v[2]->status_reason, "s (shipped.json:1)");
}

static void test_failed_file_leaves_no_suppression(void **state)
{
	char err[256];
	static const char bad[] = SUPP(
		"{\"rule\": \"r\", \"reason\": \"ok\"},"
		"{\"rule\": \"r\", \"path\": [\"/a\", 5], \"reason\": \"x\"}");

	(void)state;
	load(NULL, NULL, true);
	assert_int_equal(rule_set_load_text(&fx.rs, "bad.json", bad,
					    strlen(bad), err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "bad.json:1:78: a glob must be a string, "
				 "not an integer");
	assert_int_equal(fx.rs.nsuppressions, 0);
}

static void test_unknown_rule_of_a_user(void **state)
{
	char err[256];

	(void)state;
	load(SUPP("{\"rule\": \"shipped-only\", \"reason\": \"s\"}"),
	     SUPP("{\"rule\": [\"r\", \"t-*\", \"nope\"], \"reason\": \"u\"}"),
	     true);
	assert_int_equal(suppress_check_rules(&fx.rs, 0, err, sizeof(err)),
			 -ENOENT);
	assert_string_equal(err, "user.json:1:41: a suppression names no rule "
				 "\"nope\" (see fsrace rules)");
	assert_int_equal(suppress_check_rules(&fx.rs, 2, err, sizeof(err)), 0);
}

/* ---- groups ---- */

static void test_groups_sorted_and_keyed(void **state)
{
	static const char *const cp1[] = {"cp", "a", "b", NULL};
	static const char *const cp2[] = {"/bin/cp", "c", "d", NULL};
	struct finding_groups gs;
	const struct finding_group *g;

	(void)state;
	load(NULL, NULL, true);
	exec(1, "/bin/cp", cp1);
	check_use(1, "/w/aa");
	feed(sys(1, "mkdir", "/w/dd", 0));
	check_use(1, "/w/bb");
	feed(sys(1, "unlinkat", "/w/ee", 0));
	exec(2, "/bin/cp", cp2);
	check_use(2, "/w/cc");
	exec(3, "/usr/bin/install", (const char *const[]){"install", NULL});
	check_use(3, "/w/ff");
	feed(sys(3, "access", "/w/gg", 0));
	feed(sys(3, "openat", "/w/gg", 3));
	assert_int_equal(found()->n, 7);
	findings_group(found(), FST_REPORTED, &gs);
	assert_int_equal(gs.n, 5);
	/* the error, then r by first seen (cp's, install's stat, install's
	 * access), then the note */
	g = &gs.v[0];
	assert_string_equal(g->v[0]->message, "e /w/ee");
	assert_int_equal(g->n, 1);
	g = &gs.v[1];
	assert_int_equal(g->n, 3);
	assert_string_equal(g->v[0]->message, "m /w/aa");
	assert_string_equal(g->v[1]->message, "m /w/bb");
	assert_string_equal(g->v[2]->message, "m /w/cc");
	assert_int_equal(g->count, 3);
	assert_int_equal(g->first, 0);
	assert_string_equal(gs.v[2].v[0]->message, "m /w/ff");
	assert_string_equal(gs.v[3].v[0]->message, "m /w/gg");
	assert_string_equal(gs.v[4].v[0]->message, "n /w/dd");
	assert_true(gs.v[1].fingerprint != gs.v[2].fingerprint);
	assert_true(gs.v[2].fingerprint != gs.v[3].fingerprint);
	finding_groups_release(&gs);
	findings_group(found(), FST_SUPPRESSED, &gs);
	assert_int_equal(gs.n, 0);
	finding_groups_release(&gs);
}

static void test_text_report(void **state)
{
	static const char *const cp[] = {"cp", "-r", "s", "d", NULL};
	struct report_meta m = {.rules = &fx.rs, .events = 9};
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	load(NULL, NULL, true);
	exec(1, "/bin/cp", cp);
	check_use(1, "/w/aa");
	check_use(1, "/w/bb");
	check_use(1, "/w/cc");
	check_use(1, "/w/bb");
	f = open_memstream(&buf, &len);
	report_text(f, found(), &m, false);
	fclose(f);
	assert_string_equal(buf, "warning[r] m /w/aa [4 times]\n"
				 "    program  pid 1: cp -r s d\n"
				 "    check    #2 pid 1 newfstatat(/w/aa) = 0\n"
				 "    use      #3 pid 1 openat(/w/aa) = 3\n"
				 "    also     /w/bb, /w/cc\n"
				 "\n"
				 "1 finding (0 error, 1 warning, 0 note) in 9 "
				 "events\n");
	free(buf);
}

/* One finding of rule ID on PATH with STATUS, added to FS. */
static void add(struct findings *fs, const char *id, const char *path,
		enum finding_status status, uint64_t fp)
{
	struct finding f = {0};

	f.rule = rule_set_find(&fx.rs, id);
	assert_non_null(f.rule);
	f.status = status;
	f.severity = f.rule->severity;
	f.count = 1;
	f.fingerprint = fp;
	f.nev = 1;
	f.ev[0].step = "hit";
	f.ev[0].seq = fp;
	f.ev[0].pid = 5;
	f.ev[0].syscall = "unlinkat";
	f.ev[0].abspath = strdup(path);
	f.message = strdup(path);
	if (status != FST_REPORTED)
		f.status_reason = strdup("why");
	findings_add(fs, &f);
}

/* Every status the judge can give is counted, in groups, at the end. */
static void test_not_reported_counts(void **state)
{
	struct report_meta m = {.rules = &fx.rs, .events = 3};
	struct findings fs;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	load(NULL, NULL, true);
	findings_init(&fs);
	add(&fs, "e", "/w/a", FST_OUT_OF_SCOPE, 1);
	add(&fs, "e", "/w/b", FST_OUT_OF_SCOPE, 2);
	add(&fs, "n", "/w/c", FST_OUT_OF_SCOPE, 3);
	add(&fs, "e", "/w/d", FST_PRIVATE, 4);
	add(&fs, "e", "/w/e", FST_NO_INTENT, 5);
	add(&fs, "e", "/w/f", FST_SUPPRESSED, 6);
	add(&fs, "e", "/w/g", FST_REPORTED, 7);
	f = open_memstream(&buf, &len);
	report_text(f, &fs, &m, false);
	fclose(f);
	assert_string_equal(buf,
			    "error[e] /w/g\n"
			    "    hit      #7 pid 5 unlinkat(/w/g)\n"
			    "\n"
			    "1 finding (1 error, 0 warning, 0 note) in 3 "
			    "events\n"
			    "not reported: 1 suppressed (--show-suppressed "
			    "lists them), 2 out of scope (--scope all reports "
			    "them), 1 private to the traced tree, 1 without "
			    "durability intent\n");
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	m.show_suppressed = true;
	report_json(f, &fs, &m);
	fclose(f);
	assert_non_null(strstr(buf, "\"not_reported\":{\"suppressed\":1,"
				    "\"out_of_scope\":2,\"private\":1,"
				    "\"no_intent\":1}"));
	assert_non_null(strstr(buf, "\"counts\":{\"error\":1,\"warning\":0,"
				    "\"note\":0}"));
	assert_non_null(strstr(buf, "\"reason\":\"why\""));
	free(buf);
	findings_release(&fs);
}

/* A rule's groups of several severities are one line of the summary. */
static void test_summary_per_rule(void **state)
{
	struct report_meta m = {.rules = &fx.rs, .events = 8};
	struct findings fs;
	char *buf = NULL, *sum;
	size_t len = 0;
	FILE *f;

	(void)state;
	load(NULL, NULL, true);
	findings_init(&fs);
	add(&fs, "r", "/w/a", FST_REPORTED, 1);
	add(&fs, "r", "/w/b", FST_REPORTED, 2);
	fs.v[1]->severity = SEV_NOTE;
	add(&fs, "n", "/w/c", FST_REPORTED, 3);
	add(&fs, "r", "/w/d", FST_REPORTED, 4);
	add(&fs, "e", "/w/e", FST_REPORTED, 5);
	f = open_memstream(&buf, &len);
	report_text(f, &fs, &m, false);
	fclose(f);
	sum = strstr(buf, "\n\n  ");
	assert_non_null(sum);
	assert_string_equal(sum + 1,
			    "\n"
			    "  e                            1 error\n"
			    "  r                            1 warning, 1 note "
			    "(3 times)\n"
			    "  n                            1 note\n"
			    "4 findings (1 error, 1 warning, 2 note) in 8 "
			    "events\n");
	assert_non_null(strstr(buf, "warning[r] /w/a [2 times]\n"
				    "    hit      #1 pid 5 unlinkat(/w/a)\n"
				    "    also     /w/d\n"
				    "note[n] /w/c\n"));
	free(buf);
	findings_release(&fs);
}

/* A rename's example is the name it made, as its message names it. */
static void test_example_of_a_rename(void **state)
{
	struct report_meta m = {.rules = &fx.rs, .events = 2};
	struct findings fs;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	load(NULL, NULL, true);
	findings_init(&fs);
	add(&fs, "e", "/w/a.tmp", FST_REPORTED, 1);
	add(&fs, "e", "/w/b.tmp", FST_REPORTED, 2);
	for (size_t i = 0; i < fs.n; i++) {
		fs.v[i]->ev[0].syscall = "rename";
		fs.v[i]->ev[0].abspath2 = strdup(i ? "/w/b" : "/w/a");
	}
	f = open_memstream(&buf, &len);
	report_text(f, &fs, &m, false);
	fclose(f);
	assert_string_equal(buf,
			    "error[e] /w/a.tmp [2 times]\n"
			    "    hit      #1 pid 5 rename(/w/a.tmp -> /w/a)\n"
			    "    also     /w/b\n"
			    "\n"
			    "1 finding (1 error, 0 warning, 0 note) in 2 "
			    "events\n");
	free(buf);
	findings_release(&fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_path_and_program, teardown),
		cmocka_unit_test_teardown(test_defaults_off_keeps_the_users,
					  teardown),
		cmocka_unit_test_teardown(
			test_first_match_wins_and_every_key_counts, teardown),
		cmocka_unit_test_teardown(test_exe_and_script_tokens, teardown),
		cmocka_unit_test_teardown(test_code_on_the_command_line,
					  teardown),
		cmocka_unit_test_teardown(test_script_relative_names, teardown),
		cmocka_unit_test_teardown(
			test_failed_file_leaves_no_suppression, teardown),
		cmocka_unit_test_teardown(test_unknown_rule_of_a_user,
					  teardown),
		cmocka_unit_test_teardown(test_groups_sorted_and_keyed,
					  teardown),
		cmocka_unit_test_teardown(test_text_report, teardown),
		cmocka_unit_test_teardown(test_not_reported_counts, teardown),
		cmocka_unit_test_teardown(test_summary_per_rule, teardown),
		cmocka_unit_test_teardown(test_example_of_a_rename, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
