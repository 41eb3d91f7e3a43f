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
#include "util.h"

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

/* PID execs EXE with ARGV, then stats and opens PATH: the finding is
 * suppressed by {script} or not. */
static void script_case(int pid, const char *exe, const char *const *argv,
			const char *path, bool suppressed)
{
	const struct finding *f;
	size_t n = found()->n;

	exec(pid, exe, argv);
	check_use(pid, path);
	assert_int_equal(found()->n, n + 1);
	f = found()->v[n];
	if ((f->status == FST_SUPPRESSED) != suppressed)
		fail_msg("%s %s ...: %s is %s", exe, argv[1], path,
			 suppressed ? "reported" : "suppressed");
	if (suppressed)
		assert_string_equal(f->status_reason, "s (shipped.json:1)");
}

#define ARGV(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Each interpreter's options: those after which no script is named, those
 * whose value is the next argument, and the others, which are skipped. */
static void test_script_options(void **state)
{
	static const char *const shells[] = {"sh",  "bash",  "dash", "zsh",
					     "ksh", "ksh93", "mksh", "busybox"};
	int pid = 1;

	(void)state;
	load(SUPP("{\"rule\": \"r\", \"path\": \"{script}\", "
		  " \"reason\": \"s\"}"),
	     NULL, true);
	/* python: -W and -X take a value, -c and -m name no script */
	script_case(pid++, "/usr/bin/python3",
		    ARGV("python3", "-W", "ignore", "x.py"), "/w/x.py", true);
	script_case(pid++, "/usr/bin/python3",
		    ARGV("python3", "-W", "ignore", "x.py"), "/w/ignore",
		    false);
	script_case(pid++, "/usr/bin/python3",
		    ARGV("python3", "-X", "dev", "y.py"), "/w/y.py", true);
	script_case(pid++, "/usr/bin/python3", ARGV("python3", "-X", "dev"),
		    "/w/dev", false);
	script_case(pid++, "/usr/bin/python3", ARGV("python3", "-c", "z.py"),
		    "/w/z.py", false);
	script_case(pid++, "/usr/bin/python3", ARGV("python3", "-m", "zm.py"),
		    "/w/zm.py", false);
	script_case(pid++, "/usr/bin/python3", ARGV("python3", "-mz", "zmz.py"),
		    "/w/zmz.py", false);
	script_case(pid++, "/usr/bin/python3", ARGV("python3", "-u", "u.py"),
		    "/w/u.py", true);
	script_case(pid++, "/usr/bin/python3", ARGV("python3", "-W"), "/w/-W",
		    false);
	script_case(pid++, "/usr/bin/pypy3", ARGV("pypy3", "-c", "p.py"),
		    "/w/p.py", false);
	script_case(pid++, "/usr/bin/pypy3", ARGV("pypy3", "-X", "v", "q.py"),
		    "/w/q.py", true);
	/* a shell: -o, -O, --rcfile, --init-file take a value; an option
	 * holding a c is -c */
	script_case(pid++, "/bin/bash", ARGV("bash", "-o", "errexit", "a.sh"),
		    "/w/a.sh", true);
	script_case(pid++, "/bin/bash", ARGV("bash", "-o", "errexit", "a.sh"),
		    "/w/errexit", false);
	script_case(pid++, "/bin/bash", ARGV("bash", "-O", "extglob", "b.sh"),
		    "/w/b.sh", true);
	script_case(pid++, "/bin/bash", ARGV("bash", "--rcfile", "rc", "c.sh"),
		    "/w/c.sh", true);
	script_case(pid++, "/bin/bash", ARGV("bash", "--rcfile", "rc", "c.sh"),
		    "/w/rc", false);
	script_case(pid++, "/bin/bash",
		    ARGV("bash", "--init-file", "if", "d.sh"), "/w/d.sh", true);
	script_case(pid++, "/bin/bash", ARGV("bash", "-ec", "e.sh"), "/w/e.sh",
		    false);
	script_case(pid++, "/bin/bash", ARGV("bash", "-x", "f.sh"), "/w/f.sh",
		    true);
	script_case(pid++, "/bin/bash", ARGV("bash", "-o"), "/w/-o", false);
	script_case(pid++, "/bin/bash", ARGV("bash", "--", "-g.sh"), "/w/-g.sh",
		    true);
	script_case(pid++, "/bin/bash", ARGV("bash", "-x", "--", "-c"), "/w/-c",
		    true);
	for (size_t i = 0; i < ARRAY_SIZE(shells); i++) {
		char exe[64];
		char sh[64], abs[64];

		snprintf(exe, sizeof(exe), "/bin/%s", shells[i]);
		snprintf(sh, sizeof(sh), "%s.sh", shells[i]);
		snprintf(abs, sizeof(abs), "/w/%s.sh", shells[i]);
		script_case(pid++, exe, ARGV(shells[i], "-c", sh), abs, false);
		snprintf(sh, sizeof(sh), "o-%s.sh", shells[i]);
		snprintf(abs, sizeof(abs), "/w/o-%s.sh", shells[i]);
		script_case(pid++, exe, ARGV(shells[i], "-o", "x", sh), abs,
			    true);
	}
	/* no shell: its -c and -o are options like any */
	script_case(pid++, "/usr/bin/fish", ARGV("fish", "-c", "i.sh"),
		    "/w/i.sh", true);
	script_case(pid++, "/usr/bin/awk", ARGV("awk", "-W", "v", "q.awk"),
		    "/w/v", true);
	script_case(pid++, "/usr/bin/awk", ARGV("awk", "-W", "v", "q.awk"),
		    "/w/q.awk", false);
	/* perl, ruby, node: -e, -E, -p name no script; no option takes a
	 * value */
	script_case(pid++, "/usr/bin/perl", ARGV("perl", "-E", "j.pl"),
		    "/w/j.pl", false);
	script_case(pid++, "/usr/bin/perl", ARGV("perl", "-p", "k.pl"),
		    "/w/k.pl", false);
	script_case(pid++, "/usr/bin/perl5.36", ARGV("perl", "-pi", "kpi.pl"),
		    "/w/kpi.pl", false);
	script_case(pid++, "/usr/bin/node", ARGV("node", "-e", "l.js"),
		    "/w/l.js", false);
	script_case(pid++, "/usr/bin/node", ARGV("node", "m.js"), "/w/m.js",
		    true);
	/* each by the start of its name: nodejs, ruby3.1, python3.11 */
	script_case(pid++, "/usr/bin/nodejs", ARGV("nodejs", "-e", "nj.js"),
		    "/w/nj.js", false);
	script_case(pid++, "/usr/bin/ruby3.1", ARGV("ruby", "-e", "rb.rb"),
		    "/w/rb.rb", false);
	script_case(pid++, "/usr/bin/python3.11",
		    ARGV("python3", "-c", "py.py"), "/w/py.py", false);
	script_case(pid++, "/usr/bin/pypy", ARGV("pypy", "-m", "pp.py"),
		    "/w/pp.py", false);
	script_case(pid++, "/usr/bin/perl", ARGV("perl", "-e", "pe.pl"),
		    "/w/pe.pl", false);
	script_case(pid++, "/usr/bin/ruby", ARGV("ruby", "-o", "n.rb"),
		    "/w/n.rb", true);
	script_case(pid++, "/usr/bin/ruby", ARGV("ruby", "-c", "o.rb"),
		    "/w/o.rb", true);
	/* the script names the path: whole when absolute, by its last
	 * components when relative */
	script_case(pid++, "/bin/sh", ARGV("sh", "/w/abs.sh"), "/w/abs.sh",
		    true);
	script_case(pid++, "/bin/sh", ARGV("sh", "/w/abs.sh"), "/v/w/abs.sh",
		    false);
	script_case(pid++, "/bin/sh", ARGV("sh", "././hdot.sh"), "/w/hdot.sh",
		    true);
	script_case(pid++, "/bin/sh", ARGV("sh", "xg.sh"), "/w/axg.sh", false);
	script_case(pid++, "/bin/sh", ARGV("sh", "xg.sh"), "xg.sh", false);
	script_case(pid++, "/bin/sh", ARGV("sh", "./"), "/w/", false);
}

/* PID stats PATH then execs it with ARGV: the finding holds the exec. */
static void stat_exec(int pid, const char *path, const char *const *argv)
{
	feed(sys(pid, "newfstatat", path, 0));
	exec(pid, path, argv);
}

/* {lookup}: an exec whose argv[0] has no slash; {exe} and {script} never
 * match a finding that holds the exec. */
static void test_lookup_token(void **state)
{
	(void)state;
	load(SUPP("{\"rule\": \"r\", \"path\": \"{lookup}\", "
		  " \"reason\": \"l\"},"
		  "{\"rule\": \"r\", \"path\": [\"{exe}\", \"{script}\"], "
		  " \"reason\": \"e\"}"),
	     NULL, true);
	stat_exec(1, "/w/bin/tool", ARGV("tool", "x"));
	stat_exec(2, "/w/bin/toolb", ARGV("/w/bin/toolb"));
	stat_exec(3, "/w/bin/toolc", ARGV("./toolc"));
	/* without the exec {exe} matches, {lookup} does not */
	exec(4, "/w/bin/toold", ARGV("toold"));
	check_use(4, "/w/bin/toold");
	/* {lookup} is the image exec'd, not the program before it */
	exec(5, "/w/bin/toole", ARGV("toole"));
	stat_exec(5, "/w/bin/other", ARGV("other"));
	assert_int_equal(found()->n, 5);
	assert_string_equal(found()->v[0]->status_reason, "l (shipped.json:1)");
	/* (out of scope: /w/bin/tool made /w/ a prefix; not suppressed) */
	assert_int_not_equal(found()->v[1]->status, FST_SUPPRESSED);
	assert_int_not_equal(found()->v[2]->status, FST_SUPPRESSED);
	assert_string_equal(found()->v[3]->status_reason, "e (shipped.json:1)");
	assert_string_equal(found()->v[4]->status_reason, "l (shipped.json:1)");
}

/* "program" is the exe or argv[0], whole or by its last component; a
 * process the trace never showed exec is no program. */
static void test_program_key(void **state)
{
	(void)state;
	load(SUPP("{\"rule\": \"r\", \"program\": [\"mytool\", \"/usr/lib/*\"],"
		  " \"reason\": \"p\"},"
		  "{\"rule\": \"r\", \"path\": [\"{script}\", \"{lookup}\"], "
		  " \"reason\": \"s\"}"),
	     NULL, true);
	exec(1, "/opt/x/mytool", ARGV("other"));
	check_use(1, "/w/a");
	exec(2, NULL, ARGV("./bin/mytool", "x"));
	check_use(2, "/w/b");
	exec(3, "/opt/x/mytoolz", ARGV("mytoolz"));
	check_use(3, "/w/c");
	exec(4, "/usr/lib/x/helper", ARGV("helper"));
	check_use(4, "/w/d");
	check_use(5, "/w/e");
	/* {script} of a process without its exe: read from argv[0] */
	exec(6, NULL, ARGV("bash", "-c", "q.sh"));
	check_use(6, "/w/q.sh");
	exec(7, NULL, ARGV("bash", "qq.sh"));
	check_use(7, "/w/qq.sh");
	/* {lookup} of an exec without its argv: no */
	feed(sys(8, "newfstatat", "/w/bin/t", 0));
	feed(sys(8, "execve", "/w/bin/t", 0));
	assert_int_equal(found()->n, 8);
	assert_string_equal(found()->v[0]->status_reason, "p (shipped.json:1)");
	assert_string_equal(found()->v[1]->status_reason, "p (shipped.json:1)");
	assert_int_not_equal(found()->v[2]->status, FST_SUPPRESSED);
	assert_string_equal(found()->v[3]->status_reason, "p (shipped.json:1)");
	assert_int_not_equal(found()->v[4]->status, FST_SUPPRESSED);
	assert_int_not_equal(found()->v[5]->status, FST_SUPPRESSED);
	assert_string_equal(found()->v[6]->status_reason, "s (shipped.json:1)");
	assert_int_not_equal(found()->v[7]->status, FST_SUPPRESSED);
}

/* "syscall" globs match any evidence's syscall; a glob in "rule" too. */
static void test_syscall_and_rule_globs(void **state)
{
	(void)state;
	load(SUPP("{\"rule\": \"[rx]\", \"syscall\": \"open*\", "
		  " \"path\": \"/w/s*\", \"reason\": \"o\"},"
		  "{\"rule\": \"?\", \"syscall\": [\"access\", \"mkdir\"], "
		  " \"reason\": \"a\"}"),
	     NULL, true);
	check_use(1, "/w/sa");
	check_use(1, "/w/ta");
	feed(sys(1, "access", "/w/u", 0));
	feed(sys(1, "openat", "/w/u", 3));
	feed(sys(1, "mkdir", "/w/m", 0));
	feed(sys(1, "unlinkat", "/w/v", 0));
	assert_int_equal(found()->n, 5);
	assert_string_equal(found()->v[0]->status_reason, "o (shipped.json:1)");
	assert_int_equal(found()->v[1]->status, FST_REPORTED);
	assert_string_equal(found()->v[2]->status_reason, "a (shipped.json:1)");
	assert_string_equal(found()->v[3]->status_reason, "a (shipped.json:1)");
	assert_int_equal(found()->v[4]->status, FST_REPORTED);
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
	findings_group(found(), FST_REPORTED, NULL, &gs);
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
	findings_group(found(), FST_SUPPRESSED, NULL, &gs);
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

static const char rep_rules[] =
	"{\"rules\": ["
	"{\"id\": \"a\", \"title\": \"A title\", \"severity\": \"error\","
	" \"message\": \"a m\", \"fix\": \"do x\","
	" \"references\": [\"https://r/1\", \"https://r/2\"],"
	" \"steps\": [{\"name\": \"s\", \"syscalls\": [\"unlink\"]}]},"
	"{\"id\": \"v\", \"title\": \"V\", \"severity\": \"warning\","
	" \"message\": \"v m\", \"variants\": ["
	"  {\"steps\": [{\"name\": \"s\", \"syscalls\": [\"unlink\"]}]},"
	"  {\"steps\": [{\"name\": \"s\", \"syscalls\": [\"rmdir\"]}]}]},"
	"{\"id\": \"off\", \"title\": \"O\", \"severity\": \"note\","
	" \"message\": \"o\", \"enabled\": false,"
	" \"steps\": [{\"name\": \"s\", \"syscalls\": [\"unlink\"]}]},"
	"{\"id\": \"n\", \"title\": \"N\", \"severity\": \"note\","
	" \"message\": \"n m\","
	" \"steps\": [{\"name\": \"s\", \"syscalls\": [\"unlink\"]}]}]}";

static struct finding *rep_finding(struct rule_set *rs, const char *id,
				   enum finding_status st, uint64_t fp)
{
	struct finding *f = calloc(1, sizeof(*f));

	f->rule = rule_set_find(rs, id);
	assert_non_null(f->rule);
	f->status = st;
	f->severity = f->rule->severity;
	f->count = 1;
	f->fingerprint = fp;
	f->message = strdup(f->rule->message);
	return f;
}

static struct evidence *rep_ev(struct finding *f, const char *step,
			       uint64_t seq, int pid, const char *syscall,
			       const char *abspath)
{
	struct evidence *e = &f->ev[f->nev++];

	e->step = step;
	e->seq = seq;
	e->pid = e->tid = pid;
	e->syscall = syscall;
	e->ts_enter = seq * 1000;
	e->ts_exit = seq * 1000 + 10;
	if (abspath) {
		e->abspath = strdup(abspath);
		e->path = strdup(strrchr(abspath, '/') + 1);
	}
	return e;
}

static void rep_add(struct findings *fs, struct finding *f)
{
	findings_add(fs, f);
	free(f);
}

/* A namer that knows one function, at 0x1100..0x1200 of any module. */
static void name_one(void *ud, const struct stack_pc *pc, bool call_site,
		     struct frame_name *out)
{
	uint64_t addr = pc->addr;

	(void)ud;
	if (addr - call_site >= 0x1100 && addr - call_site < 0x1200) {
		out->function = "own_fn";
		out->offset = addr - 0x1100;
		out->file = "/src/own.c";
		out->line = 7;
	}
}

static char *report_with(const struct findings *fs, const struct report_meta *m,
			 bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (json)
		report_json(f, fs, m);
	else
		report_text(f, fs, m, false);
	fclose(f);
	return buf;
}

/*
 * Stacks in a report: frames of system code left out of the text, the
 * location the innermost own frame; with a namer that names nothing (a
 * build without libdw) every frame by module and address, never a crash.
 */
static void test_report_stacks(void **state)
{
	static const char pol[] =
		"{\"policy\": {\"system_code\": [\"/usr/lib/*\"]}}";
	struct stack_table *t = stack_table_new();
	const struct stack_module *libc =
		stack_table_module(t, "/usr/lib/libc.so.6", 1, 2, NULL, 0);
	const struct stack_module *own =
		stack_table_module(t, "/w/prog", 1, 3, NULL, 0);
	const struct stack_pc pc[] = {
		{libc, 0xf786a}, {own, 0x1184}, {NULL, 0x7f0}};
	const struct frame_namer none = {0}, one = {name_one, NULL};
	struct report_meta m = {.events = 3};
	struct rule_set rs;
	struct findings fs;
	struct finding *f;
	char err[256], *out;

	(void)state;
	rule_set_init(&rs);
	assert_int_equal(rule_set_load_text(&rs, "r.json", rep_rules,
					    strlen(rep_rules), err,
					    sizeof(err)),
			 0);
	assert_int_equal(rule_set_load_text(&rs, "p.json", pol, strlen(pol),
					    err, sizeof(err)),
			 0);
	m.rules = &rs;
	findings_init(&fs);
	f = rep_finding(&rs, "a", FST_REPORTED, 1);
	rep_ev(f, "s", 2, 10, "unlink", "/w/x")->stack =
		stack_table_intern(t, pc, 3, NULL, 0);
	rep_add(&fs, f);

	m.namer = &none;
	out = report_with(&fs, &m, false);
	assert_string_equal(out, "error[a] a m\n"
				 "    s        #2 pid 10 unlink(/w/x)\n"
				 "             at /w/prog+0x1184\n"
				 "    fix: do x\n"
				 "\n"
				 "1 finding (1 error, 0 warning, 0 note) in 3 "
				 "events\n");
	free(out);
	out = report_with(&fs, &m, true);
	assert_non_null(strstr(out, "\"location\":{\"module\":\"/w/prog\","
				    "\"address\":\"0x1184\"}"));
	free(out);

	m.namer = &one;
	out = report_with(&fs, &m, false);
	assert_non_null(strstr(out, "    s        #2 pid 10 unlink(/w/x)\n"
				    "             at own_fn+0x84 "
				    "(/src/own.c:7)\n"
				    "    fix:"));
	free(out);
	out = report_with(&fs, &m, true);
	assert_non_null(strstr(out, "\"location\":{\"function\":\"own_fn\","
				    "\"offset\":132,\"file\":\"/src/own.c\","
				    "\"line\":7,\"module\":\"/w/prog\","
				    "\"address\":\"0x1184\"}"));
	free(out);
	findings_release(&fs);
	rule_set_release(&rs);
	stack_table_free(t);
}

/* Every line the text report writes and every key of the JSON one. */
static void test_report_every_line(void **state)
{
	static const char *const argv[] = {"make", "-j2", NULL};
	static const char *const files[] = {"a.trace", "b.log"};
	struct rule_set rs;
	struct findings fs;
	struct finding *f;
	struct evidence *e;
	struct report_meta m = {0};
	char err[256], *buf = NULL;
	size_t len = 0;
	FILE *out;

	(void)state;
	rule_set_init(&rs);
	if (rule_set_load_text(&rs, "rep.json", rep_rules, strlen(rep_rules),
			       err, sizeof(err)) < 0)
		fail_msg("load failed: %s", err);
	m.rules = &rs;
	m.events = 42;
	findings_init(&fs);

	/* an error, confirmed, seen twice, of three events in two pids */
	f = rep_finding(&rs, "a", FST_REPORTED, 1);
	f->confirmed = true;
	f->count = 2;
	f->window_us = 7;
	e = rep_ev(f, "check", 10, 5, "newfstatat", "/w/x");
	e->tid = 6;
	e->has_ret = true;
	e->source = strdup("t.log:3");
	e->stat.valid = true;
	e->stat.dev = 8;
	e->stat.ino = 9;
	e->stat.mode = 0100644;
	e->stat.nlink = 1;
	e->stat.uid = 1000;
	f->program[0] = strdup("/bin/cp x y");
	e = rep_ev(f, "use", 11, 5, "renameat2", "/w/x");
	e->abspath2 = strdup("/w/y");
	e->path2 = strdup("y");
	e->has_ret = true;
	e->ret = -1;
	e->err = 2;
	f->program[1] = strdup("/bin/cp x y");
	e = rep_ev(f, "end", 12, 7, "write", NULL);
	e->has_fd = true;
	e->fd = 3;
	e->fd_path = strdup("/w/z");
	e->has_ret = true;
	e->ret = -1;
	e->err = 9999;
	f->program[2] = strdup("other");
	rep_add(&fs, f);

	/* a warning seen on nine paths: the first, three more, "2 more" */
	{
		static const char *const paths[] = {
			"/w/p", "/w/p", "/w/q", "/w/q", "/w/r",
			"/w/s", "/w/t", NULL,	"/w/u",
		};

		for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
			f = rep_finding(&rs, "v", FST_REPORTED, 100 + i);
			rep_ev(f, NULL, 20 + i, 8, "unlink", paths[i]);
			rep_add(&fs, f);
		}
	}
	/* a note: a pid's program once, the first known; an exit's never */
	f = rep_finding(&rs, "n", FST_REPORTED, 200);
	rep_ev(f, "s", 30, 9, "unlink", "/w/n");
	f->program[1] = strdup("gone");
	rep_ev(f, "t", 31, 9, "unlink", "/w/n");
	f->program[2] = strdup("late");
	rep_ev(f, "u", 32, 10, "unlink", "/w/o");
	f->program[3] = strdup("late");
	rep_ev(f, "w", 33, 10, "unlink", "/w/o");
	f->program[4] = strdup("dead");
	rep_ev(f, "x", 34, 11, "exit", NULL);
	rep_add(&fs, f);
	/* not reported */
	f = rep_finding(&rs, "a", FST_SUPPRESSED, 300);
	f->status_reason = strdup("because (s.json:2)");
	rep_ev(f, "s", 40, 5, "unlink", "/w/sup");
	rep_add(&fs, f);
	f = rep_finding(&rs, "a", FST_OUT_OF_SCOPE, 301);
	f->status_reason = strdup("installed");
	rep_ev(f, "s", 41, 5, "unlink", "/usr/x");
	rep_add(&fs, f);
	fs.dropped = 1;

	out = open_memstream(&buf, &len);
	report_text(out, &fs, &m, false);
	fclose(out);
	assert_string_equal(
		buf,
		"error[a] a m (confirmed: the object changed in between) "
		"[2 times]\n"
		"    program  pid 5: /bin/cp x y\n"
		"    program  pid 7: other\n"
		"    check    #10 pid 5 newfstatat(/w/x) = 0 at t.log:3\n"
		"    use      #11 pid 5 renameat2(/w/x -> /w/y) = -1 ENOENT\n"
		"    end      #12 pid 7 write(/w/z) = -1 ?\n"
		"    fix: do x\n"
		"warning[v] v m [9 times]\n"
		"             #20 pid 8 unlink(/w/p)\n"
		"    also     /w/q, /w/r, /w/s and 2 more\n"
		"note[n] n m\n"
		"    program  pid 9: gone\n"
		"    program  pid 10: late\n"
		"    s        #30 pid 9 unlink(/w/n)\n"
		"    t        #31 pid 9 unlink(/w/n)\n"
		"    u        #32 pid 10 unlink(/w/o)\n"
		"    w        #33 pid 10 unlink(/w/o)\n"
		"    x        #34 pid 11 exit()\n"
		"\n"
		"  a                            1 error (2 times)\n"
		"  v                            1 warning (9 times)\n"
		"  n                            1 note\n"
		"3 findings (1 error, 1 warning, 1 note) in 42 events (some "
		"partial matches, findings, names or stacks were dropped: see "
		"--format json)\n"
		"not reported: 1 suppressed (--show-suppressed lists them), 1 "
		"out of scope (--scope all reports them)\n");
	free(buf);

	/* the suppressed ones listed, dim, with their reason; in color */
	m.show_suppressed = true;
	fs.dropped = 0;
	m.dropped_pending = 3;
	buf = NULL;
	out = open_memstream(&buf, &len);
	report_text(out, &fs, &m, true);
	fclose(out);
	assert_non_null(strstr(buf, "\033[1;31merror\033[1m[a]\033[0m a m "
				    "(confirmed"));
	assert_non_null(strstr(buf, "\n\033[33mwarning\033[1m[v]\033[0m v m "
				    "[9 times]\n"
				    "    \033[2m         #20 pid 8 "
				    "unlink(/w/p)\033[0m\n"));
	assert_non_null(strstr(buf, "\n\033[36mnote\033[1m[n]\033[0m n m\n"));
	assert_non_null(strstr(buf, "\n\033[2msuppressed\033[1m[a]\033[0m a m\n"
				    "    reason   because (s.json:2)\n"
				    "    \033[2ms        #40 pid 5 "
				    "unlink(/w/sup)\033[0m\n"
				    "\n"));
	assert_null(strstr(buf, "installed"));
	assert_non_null(strstr(buf, "in 42 events (some partial matches"));
	assert_non_null(strstr(buf, "not reported: 1 suppressed, 1 out of "
				    "scope (--scope all reports them)\n"));
	free(buf);

	/* JSON: a run */
	m.is_run = true;
	m.argv = argv;
	m.status = 3;
	m.unknown_records = 4;
	m.unparsed_lines = 5;
	m.drops = (struct table_drops){6, 7, 8, 9, 10, 11};
	buf = NULL;
	out = open_memstream(&buf, &len);
	report_json(out, &fs, &m);
	fclose(out);
	assert_non_null(strstr(
		buf, "\"input\":{\"kind\":\"run\",\"argv\":[\"make\",\"-j2\"],"
		     "\"status\":3},\"rules\":[{\"id\":\"a\",\"severity\":"
		     "\"error\",\"source\":\"rep.json\"},{\"id\":\"v\","
		     "\"severity\":\"warning\",\"source\":\"rep.json\"},"
		     "{\"id\":\"n\",\"severity\":\"note\",\"source\":"
		     "\"rep.json\"}],\"events\":42,\"findings\":["
		     "{\"rule\":\"a\",\"title\":\"A title\",\"severity\":"
		     "\"error\",\"message\":\"a m\",\"confirmed\":true,"
		     "\"window_us\":7,\"count\":2,\"fingerprint\":"
		     "\"0000000000000001\",\"fix\":\"do x\",\"references\":["
		     "\"https://r/1\",\"https://r/2\"],\"evidence\":["
		     "{\"step\":\"check\",\"seq\":10,\"pid\":5,\"tid\":6,"
		     "\"program\":\"/bin/cp x y\",\"syscall\":\"newfstatat\","
		     "\"path\":\"x\",\"abspath\":\"/w/x\",\"ts_enter\":10000,"
		     "\"ts_exit\":10010,\"ret\":0,\"source\":\"t.log:3\","
		     "\"stat\":{\"dev\":8,\"ino\":9,\"mode\":33188,\"nlink\":1,"
		     "\"uid\":1000}},"
		     "{\"step\":\"use\",\"seq\":11,\"pid\":5,\"tid\":5,"
		     "\"program\":\"/bin/cp x y\",\"syscall\":\"renameat2\","
		     "\"path\":\"x\",\"abspath\":\"/w/x\",\"path2\":\"y\","
		     "\"abspath2\":\"/w/y\",\"ts_enter\":11000,\"ts_exit\":"
		     "11010,\"ret\":-1,\"errno\":\"ENOENT\"},"
		     "{\"step\":\"end\",\"seq\":12,\"pid\":7,\"tid\":7,"
		     "\"program\":\"other\",\"syscall\":\"write\",\"fd\":3,"
		     "\"fd_path\":\"/w/z\",\"ts_enter\":12000,\"ts_exit\":"
		     "12010,\"ret\":-1,\"errno\":9999}]},"
		     "{\"rule\":\"v\",\"title\":\"V\",\"severity\":\"warning\","
		     "\"message\":\"v m\",\"confirmed\":false,\"window_us\":0,"
		     "\"count\":1,\"fingerprint\":\"0000000000000064\","
		     "\"references\":[],\"evidence\":[{\"seq\":20,\"pid\":8,"
		     "\"tid\":8,\"syscall\":\"unlink\",\"path\":\"p\","
		     "\"abspath\":\"/w/p\",\"ts_enter\":20000,\"ts_exit\":"
		     "20010}]},"));
	assert_non_null(strstr(buf, "\"counts\":{\"error\":1,\"warning\":9,"
				    "\"note\":1},\"not_reported\":{"
				    "\"suppressed\":1,\"out_of_scope\":1,"
				    "\"private\":0,\"no_intent\":0},"
				    "\"suppressed\":[{\"rule\":\"a\","));
	assert_non_null(strstr(buf, "\"reason\":\"because (s.json:2)\""));
	assert_null(strstr(buf, "\"reason\":\"installed\""));
	assert_non_null(strstr(buf, "\"dropped\":{\"pending\":3,\"findings\":0,"
				    "\"unknown_records\":4,"
				    "\"unparsed_lines\":5,\"names\":6,"
				    "\"written_files\":7,\"temp_names\":8,"
				    "\"stacks\":9,\"stack_modules\":10,"
				    "\"frame_names\":11}}\n"));
	/* the groups name their findings by index */
	assert_non_null(strstr(buf, "\"groups\":[{\"rule\":\"a\",\"severity\":"
				    "\"error\",\"message\":\"a m\","
				    "\"confirmed\":true,\"count\":2,"));
	assert_non_null(strstr(buf, "\"findings\":[1,2,3,4,5,6,7,8,9]}"));
	assert_non_null(strstr(buf, "\"findings\":[10]}]"));
	free(buf);

	/* JSON: traces, nothing suppressed listed */
	m.is_run = false;
	m.files = files;
	m.nfiles = 2;
	m.show_suppressed = false;
	buf = NULL;
	out = open_memstream(&buf, &len);
	report_json(out, &fs, &m);
	fclose(out);
	assert_non_null(strstr(buf, "\"input\":{\"kind\":\"trace\",\"files\":["
				    "\"a.trace\",\"b.log\"]},\"rules\":["));
	assert_null(strstr(buf, "\"suppressed\":["));
	assert_null(strstr(buf, "because"));
	free(buf);
	findings_release(&fs);
	rule_set_release(&rs);
}

/*
 * A repeat's own path is kept as an example, up to FINDING_ALSO distinct
 * ones besides the evidence's, then "and more"; in the text's "also" line
 * and the JSON's "examples".
 */
static void test_findings_examples(void **state)
{
	struct report_meta m = {.events = 9};
	struct rule_set rs;
	struct findings fs;
	struct finding *f;
	char err[256], *out;

	(void)state;
	rule_set_init(&rs);
	assert_int_equal(rule_set_load_text(&rs, "r.json", rep_rules,
					    strlen(rep_rules), err,
					    sizeof(err)),
			 0);
	m.rules = &rs;
	findings_init(&fs);
	f = rep_finding(&rs, "a", FST_REPORTED, 0x42);
	rep_ev(f, "s", 1, 10, "unlink", "/w/f1");
	rep_add(&fs, f);
	/* its own path, then two others, one twice */
	assert_int_equal(findings_wants_example(&fs, 0x42, "/w/f1"), 0);
	assert_int_equal(findings_wants_example(&fs, 0x42, "/w/f2"), 1);
	assert_int_equal(findings_wants_example(&fs, 0x43, "/w/f2"), 0);
	findings_repeat(&fs, 0x42, false, strdup("/w/f1"));
	findings_repeat(&fs, 0x42, false, strdup("/w/f2"));
	findings_repeat(&fs, 0x42, false, strdup("/w/f2"));
	findings_repeat(&fs, 0x42, false, NULL);
	assert_int_equal(fs.v[0]->nalso, 1);
	assert_int_equal(findings_wants_example(&fs, 0x42, "/w/f2"), 0);
	m.events = 9;
	out = report_with(&fs, &m, false);
	assert_string_equal(out, "error[a] a m [5 times]\n"
				 "    s        #1 pid 10 unlink(/w/f1)\n"
				 "    also     /w/f2\n"
				 "    fix: do x\n"
				 "\n"
				 "1 finding (1 error, 0 warning, 0 note) in 9 "
				 "events\n");
	free(out);
	/* a merged finding brings its path; past three, "and more" */
	f = rep_finding(&rs, "a", FST_REPORTED, 0x42);
	rep_ev(f, "s", 5, 10, "unlink", "/w/f3");
	rep_add(&fs, f);
	findings_repeat(&fs, 0x42, false, strdup("/w/f4"));
	assert_int_equal(findings_wants_example(&fs, 0x42, "/w/f4"), 0);
	assert_int_equal(findings_wants_example(&fs, 0x42, "/w/f5"), 2);
	assert_false(fs.v[0]->also_more);
	findings_more_examples(&fs, 0x42);
	assert_true(fs.v[0]->also_more);
	findings_repeat(&fs, 0x42, false, strdup("/w/f6"));
	assert_int_equal(fs.v[0]->count, 8);
	assert_int_equal(fs.v[0]->nalso, 3);
	out = report_with(&fs, &m, false);
	assert_non_null(
		strstr(out, "    also     /w/f2, /w/f3, /w/f4 and more\n"));
	free(out);
	out = report_with(&fs, &m, true);
	assert_non_null(strstr(out,
			       "\"count\":8,\"examples\":[\"/w/f2\",\"/w/f3\","
			       "\"/w/f4\"],"));
	free(out);
	findings_release(&fs);
	rule_set_release(&rs);
}

/* The findings table: merged by fingerprint (also when fingerprints
 * share a slot), grown, full at FINDINGS_MAX of each kind. */
static void test_findings_table(void **state)
{
	struct rule_set rs;
	struct findings fs;
	struct finding f;
	char err[256];
	uint64_t counts[3];

	(void)state;
	rule_set_init(&rs);
	if (rule_set_load_text(&rs, "rep.json", rep_rules, strlen(rep_rules),
			       err, sizeof(err)) < 0)
		fail_msg("load failed: %s", err);
	findings_init(&fs);
	assert_false(findings_known(&fs, 5));
	findings_repeat(&fs, 5, true, strdup("/lost"));
	assert_int_equal(fs.dropped, 1);
	/* 0x100 and 0x200 share slot 0 of 256 with 0 */
	for (uint64_t i = 0; i < 3; i++) {
		memset(&f, 0, sizeof(f));
		f.rule = rule_set_find(&rs, "a");
		f.fingerprint = i << 8;
		f.count = 1;
		f.status = i == 2 ? FST_SUPPRESSED : FST_REPORTED;
		f.severity = SEV_ERROR;
		f.message = strdup("m");
		findings_add(&fs, &f);
		assert_null(f.message);
	}
	assert_int_equal(fs.n, 3);
	assert_true(findings_known(&fs, 0x100));
	assert_true(findings_known(&fs, 0x200));
	assert_false(findings_known(&fs, 0x300));
	/* a repeat merges into its own, not its slot's first */
	memset(&f, 0, sizeof(f));
	f.rule = rule_set_find(&rs, "a");
	f.fingerprint = 0x200;
	f.count = 1;
	f.confirmed = true;
	f.message = strdup("other");
	findings_add(&fs, &f);
	assert_int_equal(fs.n, 3);
	assert_int_equal(fs.v[2]->count, 2);
	assert_true(fs.v[2]->confirmed);
	assert_string_equal(fs.v[2]->message, "m");
	assert_int_equal(fs.v[0]->count, 1);
	assert_false(fs.v[0]->confirmed);
	findings_repeat(&fs, 0x100, false, NULL);
	findings_repeat(&fs, 0x100, true, NULL);
	assert_int_equal(fs.v[1]->count, 3);
	assert_true(fs.v[1]->confirmed);
	assert_int_equal(fs.v[0]->count, 1);
	findings_repeat(&fs, 0x300, false, NULL);
	assert_int_equal(fs.dropped, 2);
	findings_count(&fs, counts);
	assert_int_equal(counts[SEV_ERROR], 2);
	assert_int_equal(counts[SEV_WARNING], 0);
	/* up to FINDINGS_MAX, through the table's growth */
	for (uint64_t i = 3; i < FINDINGS_MAX + 2; i++) {
		memset(&f, 0, sizeof(f));
		f.rule = rule_set_find(&rs, "v");
		f.fingerprint = i << 8;
		f.count = 1;
		f.severity = SEV_WARNING;
		findings_add(&fs, &f);
	}
	/* FINDINGS_MAX reported ones, and the suppressed one of another
	 * kind: the last reported one is dropped */
	assert_int_equal(fs.n, FINDINGS_MAX + 1);
	assert_int_equal(fs.dropped, 3);
	for (uint64_t i = 0; i <= FINDINGS_MAX; i++)
		if (!findings_known(&fs, i << 8))
			fail_msg("fingerprint %llx lost",
				 (unsigned long long)(i << 8));
	assert_false(findings_known(&fs, (uint64_t)(FINDINGS_MAX + 1) << 8));
	assert_true(fs.v[FINDINGS_MAX]->fingerprint == (uint64_t)FINDINGS_MAX
							       << 8);
	assert_true(findings_full(&fs, FST_REPORTED));
	assert_true(findings_full(&fs, FST_BASELINED));
	assert_false(findings_full(&fs, FST_PENDING));
	assert_false(findings_full(&fs, FST_PRIVATE));
	/* full: a known one still merges */
	memset(&f, 0, sizeof(f));
	f.rule = rule_set_find(&rs, "v");
	f.fingerprint = 7 << 8;
	findings_add(&fs, &f);
	assert_int_equal(fs.v[7]->count, 2);
	assert_int_equal(fs.dropped, 3);
	/* the other kinds have room of their own */
	for (int k = 0; k < 2; k++) {
		memset(&f, 0, sizeof(f));
		f.rule = rule_set_find(&rs, "v");
		f.fingerprint = ((uint64_t)FINDINGS_MAX + 10 + k) << 8;
		f.status = k ? FST_PENDING : FST_NO_INTENT;
		f.count = 1;
		findings_add(&fs, &f);
		assert_true(findings_known(&fs, f.fingerprint));
	}
	assert_int_equal(fs.n, FINDINGS_MAX + 3);
	assert_int_equal(fs.dropped, 3);
	findings_count(&fs, counts);
	assert_int_equal(counts[SEV_ERROR], 2);
	assert_int_equal(counts[SEV_WARNING], FINDINGS_MAX - 2);
	assert_int_equal(counts[SEV_NOTE], 0);
	findings_release(&fs);
	rule_set_release(&rs);

	assert_string_equal(finding_status_name(FST_REPORTED), "reported");
	assert_string_equal(finding_status_name(FST_SUPPRESSED), "suppressed");
	assert_string_equal(finding_status_name(FST_OUT_OF_SCOPE),
			    "out-of-scope");
	assert_string_equal(finding_status_name(FST_PRIVATE), "private");
	assert_string_equal(finding_status_name(FST_NO_INTENT), "no-intent");
	assert_string_equal(finding_status_name(FST_PENDING), "pending");
	assert_string_equal(finding_status_name(FST_STATUS_), "?");
	assert_string_equal(finding_status_name((enum finding_status) - 1),
			    "?");
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
		cmocka_unit_test_teardown(test_script_options, teardown),
		cmocka_unit_test_teardown(test_lookup_token, teardown),
		cmocka_unit_test_teardown(test_program_key, teardown),
		cmocka_unit_test_teardown(test_syscall_and_rule_globs,
					  teardown),
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
		cmocka_unit_test(test_report_every_line),
		cmocka_unit_test(test_report_stacks),
		cmocka_unit_test(test_findings_table),
		cmocka_unit_test(test_findings_examples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
