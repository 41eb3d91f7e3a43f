// SPDX-License-Identifier: MIT
/*
 * The rule language, construct by construct: each test loads a small rule
 * file, feeds the engine events built here, and checks the findings; the
 * error tests check the exact message for each kind of mistake.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "engine.h"
#include "names.h"
#include "rule.h"
#include "syscalls.h"

struct fixture {
	struct rule_set rs;
	struct engine *e;
	uint64_t seq;
	uint64_t ts;
};

static struct fixture fx;

static const char groups[] =
	"{\"groups\": {\"open\": [\"open\", \"openat\", \"creat\"],"
	" \"stat\": [\"stat\", \"newfstatat\"]}}";

static void load(const char *text, size_t max_pending)
{
	struct engine_options o = {.max_pending = max_pending};
	char err[512];

	rule_set_init(&fx.rs);
	assert_int_equal(rule_set_load_text(&fx.rs, "groups.json", groups,
					    strlen(groups), err, sizeof(err)),
			 0);
	if (rule_set_load_text(&fx.rs, "t.json", text, strlen(text), err,
			       sizeof(err)) < 0)
		fail_msg("load failed: %s", err);
	fx.e = engine_new(&fx.rs, &o);
	fx.seq = 0;
	fx.ts = 1000000;
}

static int teardown(void **state)
{
	engine_free(fx.e);
	rule_set_release(&fx.rs);
	memset(&fx, 0, sizeof(fx));
	return 0;
}

/* A syscall event; RET < 0 is a failure with errno -RET. */
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

static void feed_exit(int pid)
{
	struct event ev;

	event_init(&ev, EV_EXIT);
	ev.seq = ++fx.seq;
	ev.pid = ev.tid = pid;
	ev.ts_enter = ev.ts_exit = fx.ts;
	engine_feed(fx.e, &ev);
}

static const struct findings *found(void)
{
	return engine_findings(fx.e);
}

#define RULE(steps_and_more)                                                   \
	"{\"rules\": [{\"id\": \"r\", \"title\": \"t\", \"severity\": "        \
	"\"warning\", \"message\": \"m {$p}\", " steps_and_more "}]}"

static const char two_step[] =
	RULE("\"steps\": ["
	     "{\"name\": \"check\", \"syscalls\": [\"@stat\"], "
	     " \"where\": {\"abspath\": \"$p\", \"result\": \"success\"}},"
	     "{\"name\": \"use\", \"syscalls\": [\"@open\"], "
	     " \"where\": {\"abspath\": \"$p\"}}]");

static void test_binding_matches_same_path(void **state)
{
	load(two_step, 0);
	feed(sys(1, "newfstatat", "/w/a", 0));
	feed(sys(1, "openat", "/w/b", 3));
	assert_int_equal(found()->n, 0);
	feed(sys(1, "openat", "/w/a", 3));
	assert_int_equal(found()->n, 1);
	assert_string_equal(found()->v[0]->message, "m /w/a");
	assert_int_equal(found()->v[0]->nev, 2);
	assert_string_equal(found()->v[0]->ev[0].step, "check");
	assert_int_equal(found()->v[0]->ev[0].seq, 1);
	assert_int_equal(found()->v[0]->ev[1].seq, 3);
	/* window: from the check's exit to the use's entry */
	assert_int_equal(found()->v[0]->window_us, 30);
}

static void test_conditions_on_result(void **state)
{
	load(two_step, 0);
	feed(sys(1, "newfstatat", "/w/a", -ENOENT));
	feed(sys(1, "openat", "/w/a", 3));
	assert_int_equal(found()->n, 0);
}

static void test_scope_process_by_default(void **state)
{
	load(two_step, 0);
	feed(sys(1, "newfstatat", "/w/a", 0));
	feed(sys(2, "openat", "/w/a", 3));
	assert_int_equal(found()->n, 0);
}

static void test_scope_any(void **state)
{
	load(RULE("\"scope\": \"any\", \"steps\": ["
		  "{\"name\": \"c\", \"syscalls\": [\"@stat\"], "
		  " \"where\": {\"abspath\": \"$p\"}},"
		  "{\"name\": \"u\", \"syscalls\": [\"@open\"], "
		  " \"where\": {\"abspath\": \"$p\"}}]"),
	     0);
	feed(sys(1, "newfstatat", "/w/a", 0));
	feed(sys(2, "openat", "/w/a", 3));
	assert_int_equal(found()->n, 1);
}

static void test_not_variable(void **state)
{
	load(RULE("\"scope\": \"any\", \"steps\": ["
		  "{\"name\": \"a\", \"syscalls\": [\"@stat\"], "
		  " \"where\": {\"abspath\": \"$p\", \"pid\": \"$x\"}},"
		  "{\"name\": \"b\", \"syscalls\": [\"unlink\"], "
		  " \"where\": {\"abspath\": \"$p\", "
		  "   \"pid\": {\"not\": \"$x\"}}}]"),
	     0);
	feed(sys(1, "newfstatat", "/w/a", 0));
	feed(sys(1, "unlink", "/w/a", 0));
	assert_int_equal(found()->n, 0);
	feed(sys(2, "unlink", "/w/a", 0));
	assert_int_equal(found()->n, 1);
}

static void test_guard_between_steps(void **state)
{
	load(RULE("\"steps\": ["
		  "{\"name\": \"w\", \"syscalls\": [\"@open\"], "
		  " \"where\": {\"abspath\": \"$p\", \"ret\": \"$f\"}},"
		  "{\"name\": \"r\", \"syscalls\": [\"rename\"], "
		  " \"where\": {\"abspath\": \"$p\"}}],"
		  "\"unless\": [{\"after\": \"w\", \"syscalls\": [\"fsync\"],"
		  " \"where\": {\"fd\": \"$f\"}}]"),
	     0);
	struct event fs;

	feed(sys(1, "openat", "/w/t", 3));
	fs = sys(1, "fsync", NULL, 0);
	fs.has |= HAS_FD;
	fs.fd = 4; /* another fd: no effect */
	feed(fs);
	fs = sys(1, "fsync", NULL, 0);
	fs.has |= HAS_FD;
	fs.fd = 3;
	feed(fs);
	feed(sys(1, "rename", "/w/t", 0));
	assert_int_equal(found()->n, 0);
	/* without the fsync it fires */
	feed(sys(1, "openat", "/w/t", 5));
	feed(sys(1, "rename", "/w/t", 0));
	assert_int_equal(found()->n, 1);
}

/* A guard applies from just after its "after" step up to its "before"
 * step, whether it is looked up by the key or scanned. */
static void test_guard_window(void **state)
{
	struct event fs;

	load(RULE("\"steps\": ["
		  "{\"name\": \"a\", \"syscalls\": [\"openat\"], "
		  " \"where\": {\"abspath\": \"$p\", \"ret\": \"$f\"}},"
		  "{\"name\": \"b\", \"syscalls\": [\"newfstatat\"], "
		  " \"where\": {\"abspath\": \"$p\"}},"
		  "{\"name\": \"c\", \"syscalls\": [\"rename\"], "
		  " \"where\": {\"abspath\": \"$p\"}}],"
		  "\"unless\": [{\"after\": \"a\", \"before\": \"b\", "
		  " \"syscalls\": [\"fsync\"], \"where\": {\"fd\": \"$f\"}},"
		  " {\"after\": \"b\", \"syscalls\": [\"unlink\"],"
		  " \"where\": {\"abspath\": \"$p\"}}]"),
	     0);
	/* an fsync before b: no match */
	feed(sys(1, "openat", "/w/x", 3));
	fs = sys(1, "fsync", NULL, 0);
	fs.has |= HAS_FD;
	fs.fd = 3;
	feed(fs);
	feed(sys(1, "newfstatat", "/w/x", 0));
	feed(sys(1, "rename", "/w/x", 0));
	assert_int_equal(found()->n, 0);
	/* after b: too late */
	feed(sys(1, "openat", "/w/y", 4));
	feed(sys(1, "newfstatat", "/w/y", 0));
	fs.seq = ++fx.seq;
	fs.fd = 4;
	feed(fs);
	feed(sys(1, "rename", "/w/y", 0));
	assert_int_equal(found()->n, 1);
	assert_string_equal(found()->v[0]->message, "m /w/y");
	/* the second guard only after b */
	feed(sys(1, "openat", "/w/z", 5));
	feed(sys(1, "newfstatat", "/w/z", 0));
	feed(sys(1, "unlink", "/w/z", 0));
	feed(sys(1, "rename", "/w/z", 0));
	assert_int_equal(found()->n, 1);
	feed(sys(1, "openat", "/w/q", 6));
	feed(sys(1, "unlink", "/w/q", 0));
	feed(sys(1, "newfstatat", "/w/q", 0));
	feed(sys(1, "rename", "/w/q", 0));
	assert_int_equal(found()->n, 2);
	assert_string_equal(found()->v[1]->message, "m /w/q");
	/* an unlink of another name cancels nothing */
	feed(sys(1, "openat", "/w/r", 7));
	feed(sys(1, "newfstatat", "/w/r", 0));
	feed(sys(1, "unlink", "/w/s", 0));
	feed(sys(1, "rename", "/w/r", 0));
	assert_int_equal(found()->n, 3);
}

static const char at_exit_rule[] =
	RULE("\"steps\": ["
	     "{\"name\": \"ren\", \"syscalls\": [\"rename\"], "
	     " \"where\": {\"abspath\": \"$p\", \"dirname(abspath)\": \"$d\"}},"
	     "{\"name\": \"end\", \"at_exit\": true}],"
	     "\"unless\": [{\"after\": \"ren\", \"syscalls\": [\"fsync\"],"
	     " \"where\": {\"fd_path\": \"$d\"}}]");

static void test_at_exit_fires_at_exit(void **state)
{
	load(at_exit_rule, 0);
	feed(sys(1, "rename", "/w/d/x", 0));
	assert_int_equal(found()->n, 0);
	feed_exit(1);
	assert_int_equal(found()->n, 1);
	assert_string_equal(found()->v[0]->ev[1].syscall, "exit");
}

static void test_at_exit_guard_and_dirname(void **state)
{
	struct event fs;

	load(at_exit_rule, 0);
	feed(sys(1, "rename", "/w/d/x", 0));
	fs = sys(1, "fsync", NULL, 0);
	fs.has |= HAS_FD;
	fs.fd = 3;
	fs.fd_path = "/w/d";
	feed(fs);
	feed_exit(1);
	assert_int_equal(found()->n, 0);
}

static void test_at_exit_fires_at_trace_end(void **state)
{
	load(at_exit_rule, 0);
	feed(sys(1, "rename", "/w/d/x", 0));
	engine_finish(fx.e);
	assert_int_equal(found()->n, 1);
	assert_string_equal(found()->v[0]->ev[1].syscall, "end");
}

static void test_or_exit(void **state)
{
	load(RULE("\"steps\": ["
		  "{\"name\": \"o\", \"syscalls\": [\"@open\"], "
		  " \"where\": {\"abspath\": \"$p\", \"ret\": \"$f\"}},"
		  "{\"name\": \"c\", \"syscalls\": [\"close\"], "
		  " \"where\": {\"fd\": \"$f\"}, \"or_exit\": true}]"),
	     0);
	feed(sys(1, "openat", "/w/a", 3));
	feed_exit(1);
	assert_int_equal(found()->n, 1);
}

/* Six steps (the most), the last or_exit, with a guard: the event
 * satisfies it once, and the exit after it adds nothing; without the
 * event the exit does. */
static void test_six_steps_or_exit(void **state)
{
	load(RULE("\"steps\": ["
		  "{\"name\": \"a\", \"syscalls\": [\"openat\"], "
		  " \"where\": {\"abspath\": \"$p\"}},"
		  "{\"name\": \"b\", \"syscalls\": [\"newfstatat\"], "
		  " \"where\": {\"abspath\": \"$p\"}},"
		  "{\"name\": \"c\", \"syscalls\": [\"access\"], "
		  " \"where\": {\"abspath\": \"$p\"}},"
		  "{\"name\": \"d\", \"syscalls\": [\"readlink\"], "
		  " \"where\": {\"abspath\": \"$p\"}},"
		  "{\"name\": \"e\", \"syscalls\": [\"unlink\"], "
		  " \"where\": {\"abspath\": \"$p\"}},"
		  "{\"name\": \"f\", \"syscalls\": [\"mkdir\"], "
		  " \"where\": {\"abspath\": \"$p\"}, \"or_exit\": true}],"
		  "\"unless\": [{\"after\": \"c\", \"syscalls\": [\"fsync\"]},"
		  " {\"after\": \"d\", \"syscalls\": [\"fdatasync\"]}]"),
	     0);
	static const char *const calls[] = {"openat",	"newfstatat", "access",
					    "readlink", "unlink",     "mkdir"};

	for (int i = 0; i < 6; i++)
		feed(sys(1, calls[i], "/w/six", 0));
	assert_int_equal(found()->n, 1);
	assert_string_equal(found()->v[0]->ev[5].syscall, "mkdir");
	assert_int_equal(found()->v[0]->nev, 6);
	feed_exit(1);
	assert_int_equal(found()->n, 1);
	assert_int_equal(found()->v[0]->count, 1);
	for (int i = 0; i < 5; i++)
		feed(sys(2, calls[i], "/w/five", 0));
	assert_int_equal(found()->n, 1);
	feed_exit(2);
	assert_int_equal(found()->n, 2);
	assert_string_equal(found()->v[1]->ev[5].syscall, "exit");
	assert_string_equal(found()->v[1]->ev[4].syscall, "unlink");
	engine_finish(fx.e);
	assert_int_equal(found()->n, 2);
}

/* A syscall event the schema does not know (no descriptor) and the other
 * kinds of event match nothing, and break no match around them. */
static void test_event_without_syscall(void **state)
{
	struct event ev;

	load(two_step, 0);
	feed(sys(1, "newfstatat", "/w/a", 0));
	event_init(&ev, EV_SYSCALL);
	ev.seq = ++fx.seq;
	ev.pid = ev.tid = 1;
	ev.has = HAS_PATH | HAS_RET;
	ev.path = ev.abspath = "/w/a";
	feed(ev);
	event_init(&ev, EV_WARNING);
	ev.seq = ++fx.seq;
	ev.pid = ev.tid = 1;
	ev.has = HAS_PATH;
	ev.path = ev.abspath = "/w/a";
	feed(ev);
	event_init(&ev, EV_FORK);
	ev.seq = ++fx.seq;
	ev.pid = ev.tid = 1;
	ev.child_pid = 2;
	feed(ev);
	assert_int_equal(found()->n, 0);
	feed(sys(1, "openat", "/w/a", 3));
	assert_int_equal(found()->n, 1);
	assert_int_equal(found()->v[0]->ev[0].seq, 1);
	assert_int_equal(found()->v[0]->ev[1].seq, 5);
}

static void test_overlaps(void **state)
{
	struct event u, o;

	load(RULE("\"scope\": \"any\", \"steps\": ["
		  "{\"name\": \"u\", \"syscalls\": [\"unlink\"], "
		  " \"where\": {\"abspath\": \"$p\"}},"
		  "{\"name\": \"o\", \"syscalls\": [\"@open\"], "
		  " \"overlaps\": \"u\", \"where\": {\"abspath\": \"$p\"}}]"),
	     0);
	u = sys(2, "unlink", "/w/a", 0);
	o = sys(1, "openat", "/w/a", -ENOENT);
	o.ts_enter = u.ts_enter - 5000; /* started before the unlink ended */
	feed(u);
	feed(o);
	assert_int_equal(found()->n, 1);
	feed(sys(2, "unlink", "/w/b", 0));
	feed(sys(1, "openat", "/w/b", -ENOENT)); /* after: no overlap */
	assert_int_equal(found()->n, 1);
}

static void test_flags_contains_lacks_and_glob(void **state)
{
	struct event ev;

	load(RULE("\"steps\": [{\"name\": \"c\", \"syscalls\": [\"@open\"], "
		  " \"where\": {\"abspath\": {\"glob\": \"/tmp/*\"}, "
		  "   \"flags\": {\"contains\": \"O_CREAT\"}, "
		  "   \"excl\": false}}]"),
	     0);
	ev = sys(1, "openat", "/tmp/x", 3);
	ev.has |= HAS_FLAGS;
	ev.flags = 0100 | 01; /* O_CREAT|O_WRONLY */
	feed(ev);
	assert_int_equal(found()->n, 1);
	ev = sys(1, "openat", "/tmp/y", 3);
	ev.has |= HAS_FLAGS;
	ev.flags = 0100 | 0200 | 01; /* with O_EXCL */
	feed(ev);
	ev = sys(1, "openat", "/home/z", 3);
	ev.has |= HAS_FLAGS;
	ev.flags = 0100;
	feed(ev);
	ev = sys(1, "openat", "/tmp/w", 3);
	ev.has |= HAS_FLAGS;
	ev.flags = 0; /* O_RDONLY */
	feed(ev);
	assert_int_equal(found()->n, 1);
}

static void test_in_ne_and_errno(void **state)
{
	load(RULE("\"steps\": [{\"name\": \"c\", \"syscalls\": [\"rename\"],"
		  " \"where\": {\"abspath\": {\"in\": [\"/a\", \"/b\"]}, "
		  "   \"errno\": \"EXDEV\", \"path\": {\"ne\": \"skip\"}}}]"),
	     0);
	feed(sys(1, "rename", "/a", -EXDEV));
	feed(sys(1, "rename", "/c", -EXDEV));
	feed(sys(1, "rename", "/b", -EACCES));
	assert_int_equal(found()->n, 1);
}

static void test_variants(void **state)
{
	load("{\"rules\": [{\"id\": \"v\", \"title\": \"t\", \"severity\": "
	     "\"note\", \"message\": \"m\", \"variants\": ["
	     "{\"steps\": [{\"name\": \"a\", \"syscalls\": [\"unlink\"]}]},"
	     "{\"steps\": [{\"name\": \"a\", \"syscalls\": [\"rmdir\"]}]}"
	     "]}]}",
	     0);
	feed(sys(1, "unlink", "/a", 0));
	feed(sys(1, "rmdir", "/b", 0));
	assert_int_equal(found()->n, 2);
	assert_string_equal(found()->v[0]->rule->id, "v");
	assert_string_equal(found()->v[1]->rule->id, "v");
}

static void test_supersedes(void **state)
{
	load("{\"rules\": ["
	     "{\"id\": \"general\", \"title\": \"t\", \"severity\": \"note\","
	     " \"message\": \"g\", \"steps\": ["
	     "  {\"name\": \"c\", \"syscalls\": [\"@stat\", \"access\"],"
	     "   \"where\": {\"abspath\": \"$p\"}},"
	     "  {\"name\": \"u\", \"syscalls\": [\"@open\"],"
	     "   \"where\": {\"abspath\": \"$p\"}}]},"
	     "{\"id\": \"specific\", \"title\": \"t\", \"severity\": \"note\","
	     " \"message\": \"s\", \"supersedes\": [\"general\"], \"steps\": ["
	     "  {\"name\": \"c\", \"syscalls\": [\"access\"],"
	     "   \"where\": {\"abspath\": \"$p\"}},"
	     "  {\"name\": \"u\", \"syscalls\": [\"@open\"],"
	     "   \"where\": {\"abspath\": \"$p\"}}]}]}",
	     0);
	feed(sys(1, "access", "/a", 0));
	feed(sys(1, "openat", "/a", 3));
	assert_int_equal(found()->n, 1);
	assert_string_equal(found()->v[0]->rule->id, "specific");
	feed(sys(1, "newfstatat", "/b", 0));
	feed(sys(1, "openat", "/b", 3));
	assert_int_equal(found()->n, 2);
	assert_string_equal(found()->v[1]->rule->id, "general");
}

static void test_confirm_identity(void **state)
{
	struct event c, u;

	load(RULE("\"steps\": ["
		  "{\"name\": \"c\", \"syscalls\": [\"@stat\"], "
		  " \"where\": {\"abspath\": \"$p\"}},"
		  "{\"name\": \"u\", \"syscalls\": [\"@open\"], "
		  " \"where\": {\"abspath\": \"$p\"}}],"
		  "\"confirm\": [\"c\", \"u\"]"),
	     0);
	c = sys(1, "newfstatat", "/a", 0);
	c.stat = (struct ident){.valid = true, .dev = 1, .ino = 10};
	u = sys(1, "openat", "/a", 3);
	u.stat = (struct ident){.valid = true, .dev = 1, .ino = 10};
	feed(c);
	feed(u);
	assert_false(found()->v[0]->confirmed);
	c = sys(1, "newfstatat", "/b", 0);
	c.stat = (struct ident){.valid = true, .dev = 1, .ino = 10};
	u = sys(1, "openat", "/b", 3);
	u.stat = (struct ident){.valid = true, .dev = 1, .ino = 11};
	feed(c);
	feed(u);
	assert_true(found()->v[1]->confirmed);
}

static void test_merge_by_fingerprint(void **state)
{
	load(two_step, 0);
	feed(sys(1, "newfstatat", "/w/f1", 0));
	feed(sys(1, "openat", "/w/f1", 3));
	/* the same path under another pid: same fingerprint */
	feed(sys(7, "newfstatat", "/w/f1", 0));
	feed(sys(7, "openat", "/w/f1", 3));
	/* digits are normalized: /w/f2 is the same place */
	feed(sys(1, "newfstatat", "/w/f2", 0));
	feed(sys(1, "openat", "/w/f2", 3));
	assert_int_equal(found()->n, 1);
	assert_int_equal(found()->v[0]->count, 3);
}

static void test_refresh_keeps_latest_check(void **state)
{
	load(two_step, 0);
	feed(sys(1, "newfstatat", "/w/a", 0));
	feed(sys(1, "newfstatat", "/w/a", 0));
	feed(sys(1, "openat", "/w/a", 3));
	assert_int_equal(found()->n, 1);
	assert_int_equal(found()->v[0]->ev[0].seq, 2);
	assert_int_equal(engine_dropped_pending(fx.e), 0);
}

static void test_pending_limit_drops_oldest(void **state)
{
	load(two_step, 2);
	feed(sys(1, "newfstatat", "/w/a", 0));
	feed(sys(1, "newfstatat", "/w/b", 0));
	feed(sys(1, "newfstatat", "/w/c", 0)); /* drops /w/a */
	feed(sys(1, "openat", "/w/a", 3));
	feed(sys(1, "openat", "/w/c", 3));
	assert_int_equal(engine_dropped_pending(fx.e), 1);
	assert_int_equal(found()->n, 1);
	assert_string_equal(found()->v[0]->ev[0].abspath, "/w/c");
}

/*
 * One event completes a partial match of each of 100 processes: every
 * one is a match (one finding, counted 100 times), none is lost.
 */
static void test_many_matches_of_one_event(void **state)
{
	load(RULE("\"scope\": \"any\", \"steps\": ["
		  "{\"name\": \"c\", \"syscalls\": [\"@stat\"], "
		  " \"where\": {\"abspath\": \"$p\", \"pid\": \"$a\"}},"
		  "{\"name\": \"u\", \"syscalls\": [\"unlink\"], "
		  " \"where\": {\"abspath\": \"$p\", "
		  "\"pid\": {\"not\": \"$a\"}}}]"),
	     0);
	for (int pid = 100; pid < 200; pid++)
		feed(sys(pid, "newfstatat", "/w/a", 0));
	feed(sys(1, "unlink", "/w/a", 0));
	assert_int_equal(found()->n, 1);
	assert_int_equal(found()->v[0]->count, 100);
	assert_int_equal(found()->dropped, 0);
	assert_int_equal(engine_dropped_pending(fx.e), 0);
	assert_string_equal(found()->v[0]->message, "m /w/a");
	/* the first match committed is the one shown: instances are walked
	 * newest first, so pid 199's */
	assert_int_equal(found()->v[0]->ev[0].pid, 199);
	assert_int_equal(found()->v[0]->ev[0].seq, 100);
	assert_int_equal(found()->v[0]->ev[1].seq, 101);
}

/* The path policy of a rule file: ignored paths, exceptions, root_only. */
static void test_path_policy(void **state)
{
	static const char policy[] = "{\"policy\": {\"ignore\": [\"/w/i*\"],"
				     " \"ignore_except\": [\"/w/ik\"], "
				     "\"root_only\": [\"/w/r/*\"]}}";
	struct engine_options o = {.default_filters = true, .modifiers = true};
	char err[512];

	load(two_step, 0);
	assert_int_equal(rule_set_load_text(&fx.rs, "p.json", policy,
					    strlen(policy), err, sizeof(err)),
			 0);
	engine_free(fx.e);
	fx.e = engine_new(&fx.rs, &o);
	feed(sys(1, "newfstatat", "/w/ig", 0));
	feed(sys(1, "openat", "/w/ig", 3));
	assert_int_equal(found()->n, 0);
	feed(sys(1, "newfstatat", "/w/ik", 0));
	feed(sys(1, "openat", "/w/ik", 3));
	feed(sys(1, "newfstatat", "/w/r/x", 0));
	feed(sys(1, "openat", "/w/r/x", 3));
	assert_int_equal(found()->n, 2);
	assert_string_equal(found()->v[0]->message, "m /w/ik");
	assert_int_equal(found()->v[0]->severity, SEV_WARNING);
	assert_string_equal(found()->v[1]->message, "m /w/r/x");
	assert_int_equal(found()->v[1]->severity, SEV_NOTE);
	/* without the policy (--no-default-filters) all three count */
	engine_free(fx.e);
	o.default_filters = o.modifiers = false;
	fx.e = engine_new(&fx.rs, &o);
	feed(sys(1, "newfstatat", "/w/ig", 0));
	feed(sys(1, "openat", "/w/ig", 3));
	feed(sys(1, "newfstatat", "/w/r/x", 0));
	feed(sys(1, "openat", "/w/r/x", 3));
	assert_int_equal(found()->n, 2);
	assert_string_equal(found()->v[0]->message, "m /w/ig");
	assert_int_equal(found()->v[1]->severity, SEV_WARNING);
}

/* Each kind of policy glob (a literal, a prefix, a suffix, *infix*, an
 * fnmatch pattern) at its edges; a rename is ignored when both its
 * names are. */
static void test_policy_glob_kinds(void **state)
{
	static const char policy[] =
		"{\"policy\": {\"ignore\": [\"/ex/act\", \"/e\", \"*mid*\","
		" \"/pre/*\", \"q*\", \"*.suf\", \"/fn/[ab]?x\", "
		"\"/esc\\\\*\"],"
		" \"ignore_except\": [\"/pre/keep*\", \"*.suf.suf\"],"
		" \"root_only\": [\"/r*\", \"*.ro\", \"*rmid*\", "
		"\"/x/[0-9]\"]}}";
	static const struct {
		const char *path;
		bool ignored;
	} cases[] = {
		{"/ex/act", true},	 {"/ex/actx", false},
		{"/ex/ac", false},	 {"/ey/act", false},
		{"/fx/act", false},	 {"/e", true},
		{"/f", false},		 {"/ez", false},
		{"/a/mid/b", true},	 {"mid", true},
		{"/a/mi/d", false},	 {"/pre/x", true},
		{"/pre/", true},	 {"/pre", false},
		{"/prex/y", false},	 {"/qre/x", false},
		{"/p", false},		 {"q", true},
		{"qq/x", true},		 {"/q", false},
		{"/a/b.suf", true},	 {".suf", true},
		{"suf", false},		 {"/a/b.su", false},
		{"/a/bsuf", false},	 {"/fn/a1x", true},
		{"/fn/b2x", true},	 {"/fn/c1x", false},
		{"/fn/a1y", false},	 {"/esc*", true},
		{"/esc", false},	 {"/escx", false},
		{"/pre/keep", false},	 {"/pre/keep/x", false},
		{"/a/b.suf.suf", false},
	};
	struct engine_options o = {.default_filters = true, .modifiers = true};
	char err[512];
	struct event ev;

	load(two_step, 0);
	assert_int_equal(rule_set_load_text(&fx.rs, "p.json", policy,
					    strlen(policy), err, sizeof(err)),
			 0);
	engine_free(fx.e);
	fx.e = engine_new(&fx.rs, &o);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = found()->n;

		feed(sys(1, "newfstatat", cases[i].path, 0));
		feed(sys(1, "openat", cases[i].path, 3));
		if ((found()->n == n) != cases[i].ignored)
			fail_msg("%s: %s", cases[i].path,
				 cases[i].ignored ? "not ignored" : "ignored");
	}
	/* root_only makes a note of each kind */
	{
		static const char *const notes[] = {"/r", "/rx/y", "/a/b.ro",
						    "/a/rmid/b", "/x/5"};
		static const char *const not_notes[] = {"/s/r", "/a/b.rox",
							"/a/rmi/d", "/x/a"};

		for (size_t i = 0; i < 5; i++) {
			feed(sys(1, "newfstatat", notes[i], 0));
			feed(sys(1, "openat", notes[i], 3));
			assert_int_equal(found()->v[found()->n - 1]->severity,
					 SEV_NOTE);
		}
		for (size_t i = 0; i < 4; i++) {
			feed(sys(1, "newfstatat", not_notes[i], 0));
			feed(sys(1, "openat", not_notes[i], 3));
			assert_int_equal(found()->v[found()->n - 1]->severity,
					 SEV_WARNING);
		}
	}
	/* a rename from an ignored name to another is ignored; to a name
	 * that is not, it counts */
	teardown(NULL);
	load(RULE("\"steps\": [{\"name\": \"r\", \"syscalls\": [\"rename\"],"
		  " \"where\": {\"abspath\": \"$p\"}}]"),
	     0);
	assert_int_equal(rule_set_load_text(&fx.rs, "p.json", policy,
					    strlen(policy), err, sizeof(err)),
			 0);
	engine_free(fx.e);
	fx.e = engine_new(&fx.rs, &o);
	ev = sys(1, "rename", "/pre/a", 0);
	ev.has |= HAS_PATH2;
	ev.path2 = ev.abspath2 = "/pre/b";
	feed(ev);
	assert_int_equal(found()->n, 0);
	ev = sys(1, "rename", "/pre/a", 0);
	ev.has |= HAS_PATH2;
	ev.path2 = ev.abspath2 = "/home/b";
	feed(ev);
	assert_int_equal(found()->n, 1);
}

static void test_process_exit_drops_partial_matches(void **state)
{
	load(two_step, 0);
	feed(sys(5, "newfstatat", "/w/a", 0));
	feed_exit(5);
	/* pid 5 reused by a new process */
	feed(sys(5, "openat", "/w/a", 3));
	assert_int_equal(found()->n, 0);
}

/* ---- errors ---- */

static void load_error(const char *text, const char *want)
{
	struct rule_set rs;
	char err[512];

	rule_set_init(&rs);
	assert_int_equal(rule_set_load_text(&rs, "groups.json", groups,
					    strlen(groups), err, sizeof(err)),
			 0);
	assert_int_equal(rule_set_load_text(&rs, "bad.json", text, strlen(text),
					    err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, want);
	/* nothing of the bad file is kept */
	assert_null(rule_set_find(&rs, "r"));
	rule_set_release(&rs);
}

/* A rule file of TOTAL bytes: one rule, then spaces. */
static char *padded_rules(size_t total)
{
	static const char head[] = RULE("\"steps\": [{\"name\": \"a\", "
					"\"syscalls\": [\"unlink\"]}]");
	char *text = malloc(total);

	memset(text, ' ', total);
	memcpy(text, head, strlen(head));
	return text;
}

/* PATH holds (or, a FIFO, is fed) TOTAL bytes of padded_rules(). */
static int load_sized(const char *path, size_t total, bool fifo, char *err,
		      size_t errlen)
{
	char *text = padded_rules(total);
	struct rule_set rs;
	pid_t pid = -1;
	int r, fd;

	if (fifo) {
		assert_int_equal(mkfifo(path, 0600), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			size_t off = 0;

			fd = open(path, O_WRONLY);
			while (fd >= 0 && off < total) {
				ssize_t n = write(fd, text + off, total - off);

				if (n <= 0)
					break;
				off += (size_t)n;
			}
			_exit(0);
		}
	} else {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, text, total), (ssize_t)total);
		close(fd);
	}
	rule_set_init(&rs);
	r = rule_set_load(&rs, path, err, errlen);
	assert_int_equal(rs.nrules, r == 0 ? 1 : 0);
	rule_set_release(&rs);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	unlink(path);
	free(text);
	return r;
}

/* A rule file may be 4 MiB, not a byte more: by its size, or as a FIFO
 * is read. */
static void test_rule_file_size_limit(void **state)
{
	char dir[] = "/tmp/fsrace-rules-XXXXXX", path[64], err[256], want[128];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/r.json", dir);
	snprintf(want, sizeof(want), "%s: rule file larger than 4194304 bytes",
		 path);
	assert_int_equal(load_sized(path, 4 << 20, false, err, sizeof(err)), 0);
	assert_int_equal(
		load_sized(path, (4 << 20) + 1, false, err, sizeof(err)),
		-EFBIG);
	assert_string_equal(err, want);
	assert_int_equal(load_sized(path, 4 << 20, true, err, sizeof(err)), 0);
	assert_int_equal(
		load_sized(path, (4 << 20) + 1, true, err, sizeof(err)),
		-EFBIG);
	assert_string_equal(err, want);
	assert_int_equal(rmdir(dir), 0);
}

static void test_error_syntax(void **state)
{
	load_error("{\"rules\": [\n  {\"id\": \"r\" \"title\": 1}]}",
		   "bad.json:2:14: expected ',' or '}'");
	load_error("{\"rules\": [", "bad.json:1:12: unexpected end of file");
	load_error("{\"rules\": [\"\\q\"]}",
		   "bad.json:1:13: invalid escape in a string");
}

/* What strict JSON refuses, each with its exact message and position. */
static void test_error_strict_json(void **state)
{
	load_error("{\"rules\": [01]}", "bad.json:1:13: invalid number");
	load_error("{\"rules\": [1.]}", "bad.json:1:14: invalid number");
	load_error("{\"rules\": [-]}", "bad.json:1:13: invalid number");
	load_error("{\"rules\": [1e999]}",
		   "bad.json:1:12: number out of range");
	load_error("{\"rules\": [12345678901234567890]}",
		   "bad.json:1:12: integer out of range (64 bits)");
	load_error("{\"rules\": [\"a\tb\"]}",
		   "bad.json:1:14: control character 0x09 in a string");
	load_error("{\"rules\": [\"a\\u0000\"]}",
		   "bad.json:1:14: \\u0000 in a string (strings end at NUL)");
	load_error("{\"rules\": [\"\\ud800x\"]}",
		   "bad.json:1:13: \\u escape of a high surrogate without its "
		   "low half");
	load_error("{\"rules\": [\"\\udc00\"]}",
		   "bad.json:1:13: \\u escape of a low surrogate without its "
		   "high half");
	load_error("{\"rules\":\n [\"\xc3\x28\"]}",
		   "bad.json:2:4: invalid UTF-8 (byte 0xc3)");
	load_error("[]", "bad.json:1:1: a rule file is an object with "
			 "\"rules\", \"groups\", \"policy\" or "
			 "\"suppressions\"");
	load_error("\"rules\"", "bad.json:1:1: expected '{' or '[' (a JSON "
				"text here is an object or an array)");
}

/* Field F of EV is WANT (NULL: absent), or fail naming the syscall. */
static void want_field(const struct event *ev, enum field f, const char *want)
{
	const char *got = field_str(ev, f, NULL, 0);

	if (!got != !want || (got && strcmp(got, want)))
		fail_msg("%s: field %d is %s, not %s", ev->sc->name, f,
			 got ? got : "absent", want ? want : "absent");
}

/*
 * The rule fields that say what a call does come from the syscall
 * table's class flags; the names they stood for before, row by row.
 */
static void test_fields_from_class_flags(void **state)
{
	static const char *const creates[] = {
		"mkdir", "mkdirat", "mknod", "mknodat", "symlink", "symlinkat"};
	static const char *const dest2[] = {"link", "linkat", "rename",
					    "renameat", "renameat2"};
	static const char *const removes[] = {"unlink",	  "unlinkat",
					      "rmdir",	  "rename",
					      "renameat", "renameat2"};
	static const char *const nofollow[] = {"lstat", "lchown", "lsetxattr",
					       "lremovexattr"};

	for (unsigned i = 0; i < syscall_table_size; i++) {
		const struct syscall_desc *sc = &syscall_table[i];
		struct event ev;
		bool c = false, d = false, r = false, nf = false;
		int64_t v = -1;

		for (size_t k = 0; k < sizeof(creates) / sizeof(*creates); k++)
			c |= !strcmp(sc->name, creates[k]);
		for (size_t k = 0; k < sizeof(dest2) / sizeof(*dest2); k++)
			d |= !strcmp(sc->name, dest2[k]);
		for (size_t k = 0; k < sizeof(removes) / sizeof(*removes); k++)
			r |= !strcmp(sc->name, removes[k]);
		for (size_t k = 0; k < sizeof(nofollow) / sizeof(*nofollow);
		     k++)
			nf |= !strcmp(sc->name, nofollow[k]);
		event_init(&ev, EV_SYSCALL);
		ev.sc = sc;
		ev.has = HAS_PATH | HAS_RET;
		ev.path = ev.abspath = "/w/a";
		ev.path2 = ev.abspath2 = "/w/b";
		if (sc->effect == E_OPEN)
			continue; /* created by O_CREAT: test_flags_* */
		want_field(&ev, F_CREATED, d ? "/w/b" : c ? "/w/a" : NULL);
		want_field(&ev, F_REMOVED, r ? "/w/a" : NULL);
		assert_true(field_int(&ev, F_NOFOLLOW, &v));
		if (v != nf)
			fail_msg("%s: nofollow %lld", sc->name, (long long)v);
		/* mkdir, mknod, symlink and link fail when the name exists;
		 * a rename (without RENAME_NOREPLACE) replaces it */
		assert_true(field_int(&ev, F_EXCL, &v));
		if (v != (c || (d && !r)))
			fail_msg("%s: excl %lld", sc->name, (long long)v);
	}
}

/*
 * What a create is, and what acts on a descriptor: an O_TMPFILE open names
 * nothing; an O_CREAT open of a name that was there (HAS_EXISTED) creates
 * nothing; a *at call on a dirfd with "" or "." acts on that descriptor,
 * which is then its fd.
 */
static void test_fields_of_creates_and_descriptors(void **state)
{
	const struct syscall_desc *openat = syscall_by_name("openat");
	const struct syscall_desc *fstatat = syscall_by_name("newfstatat");
	struct event ev;
	int64_t v = -1;

	(void)state;
	event_init(&ev, EV_SYSCALL);
	ev.sc = openat;
	ev.has = HAS_DIRFD | HAS_PATH | HAS_FLAGS | HAS_RET;
	ev.dirfd = -100;
	ev.path = ev.abspath = "/w/a";
	ev.flags = O_WRONLY_ | O_CREAT_;
	want_field(&ev, F_CREATED, "/w/a");
	assert_true(field_int(&ev, F_EXCL, &v));
	assert_int_equal(v, 0);
	ev.has |= HAS_EXISTED;
	ev.existed = false;
	want_field(&ev, F_CREATED, "/w/a");
	ev.existed = true;
	want_field(&ev, F_CREATED, NULL);
	ev.has &= ~(uint32_t)HAS_EXISTED;
	ev.path = ev.abspath = "/w";
	ev.flags = 02 | O_TMPFILE_ | O_DIRECTORY_; /* O_RDWR */
	want_field(&ev, F_CREATED, NULL);
	assert_true(field_int(&ev, F_EXCL, &v));
	assert_int_equal(v, 1);

	event_init(&ev, EV_SYSCALL);
	ev.sc = fstatat;
	ev.has = HAS_DIRFD | HAS_PATH | HAS_RET;
	ev.dirfd = 5;
	ev.dirfd_path = "/w/d";
	ev.path = ".";
	ev.abspath = "/w/d";
	want_field(&ev, F_ABSPATH, NULL);
	want_field(&ev, F_FD_PATH, "/w/d");
	assert_true(field_int(&ev, F_FD, &v));
	assert_int_equal(v, 5);
	assert_true(field_int(&ev, F_BY_FD, &v));
	assert_int_equal(v, 1);
	ev.path = "";
	assert_true(field_int(&ev, F_BY_FD, &v));
	assert_int_equal(v, 1);
	/* by name relative to the dirfd */
	ev.path = "x";
	ev.abspath = "/w/d/x";
	want_field(&ev, F_ABSPATH, "/w/d/x");
	want_field(&ev, F_FD_PATH, NULL);
	assert_false(field_int(&ev, F_FD, &v));
	assert_true(field_int(&ev, F_BY_FD, &v));
	assert_int_equal(v, 0);
	/* AT_FDCWD with "." is the cwd by name */
	ev.dirfd = -100;
	ev.path = ".";
	ev.abspath = "/w";
	want_field(&ev, F_ABSPATH, "/w");
}

static void test_error_unknown_key(void **state)
{
	load_error(RULE("\"stepz\": []"),
		   "bad.json:1:82: unknown key \"stepz\" in a rule");
}

static void test_error_unknown_syscall(void **state)
{
	load_error(RULE("\"steps\": [{\"name\": \"a\", \"syscalls\": "
			"[\"read\"]}]"),
		   "bad.json:1:119: unknown syscall \"read\" (not one fsrace "
		   "traces)");
	load_error(RULE("\"steps\": [{\"name\": \"a\", \"syscalls\": "
			"[\"@nope\"]}]"),
		   "bad.json:1:119: unknown syscall group or class \"@nope\"");
}

static void test_error_unknown_field(void **state)
{
	load_error(RULE("\"steps\": [{\"name\": \"a\", \"syscalls\": "
			"[\"unlink\"], \"where\": {\"pth\": \"$p\"}}]"),
		   "bad.json:1:140: unknown field \"pth\"");
}

static void test_error_unbound_not(void **state)
{
	load_error(RULE("\"steps\": [{\"name\": \"a\", \"syscalls\": "
			"[\"unlink\"], \"where\": {\"pid\": {\"not\": "
			"\"$x\"}}}]"),
		   "bad.json:1:155: variable $x is not bound by an earlier "
		   "condition");
}

static void test_error_bad_values(void **state)
{
	load_error("{\"rules\": [{\"id\": \"r\", \"title\": \"t\", "
		   "\"severity\": \"fatal\", \"message\": \"m\", \"steps\": "
		   "[{\"name\": \"a\", \"syscalls\": [\"unlink\"]}]}]}",
		   "bad.json:1:50: severity is error, warning or note, not "
		   "\"fatal\"");
	load_error(RULE("\"steps\": [{\"name\": \"a\", \"syscalls\": "
			"[\"@open\"], \"where\": {\"flags\": {\"contains\": "
			"\"O_BOGUS\"}}}]"),
		   "bad.json:1:161: unknown flag \"O_BOGUS\"");
	load_error(RULE("\"steps\": [{\"name\": \"a\", \"syscalls\": "
			"[\"@open\"], \"where\": {\"ret\": \"three\"}}]"),
		   "bad.json:1:146: ret compares with an integer");
	load_error(RULE("\"scope\": \"galaxy\", \"steps\": []"),
		   "bad.json:1:91: scope is thread, process or any, not "
		   "\"galaxy\"");
}

static void test_error_structure(void **state)
{
	load_error(RULE("\"steps\": []"),
		   "bad.json:1:91: \"steps\" must be a non-empty array");
	load_error(RULE("\"steps\": [{\"name\": \"a\", \"at_exit\": true}]"),
		   "bad.json:1:92: the first step cannot be at_exit");
	load_error(RULE("\"steps\": [{\"name\": \"a\", \"syscalls\": "
			"[\"unlink\"]}], \"unless\": [{\"after\": \"a\", "
			"\"syscalls\": [\"fsync\"]}]"),
		   "bad.json:1:143: a guard after the last step can never "
		   "apply");
	load_error(RULE("\"steps\": [{\"name\": \"a\", \"syscalls\": "
			"[\"unlink\"]}], \"unless\": [{\"after\": \"zz\", "
			"\"syscalls\": [\"fsync\"]}]"),
		   "bad.json:1:153: no step \"zz\"");
	load_error("{\"rules\": [{\"id\": \"r\", \"title\": \"t\", "
		   "\"severity\": \"note\", \"steps\": [{\"name\": \"a\", "
		   "\"syscalls\": [\"unlink\"]}]}]}",
		   "bad.json:1:12: missing \"message\"");
	load_error("{\"rules\": [{\"id\": \"r\", \"title\": \"t\", "
		   "\"severity\": \"note\", \"message\": \"m\", \"steps\": "
		   "[{\"name\": \"a\", \"syscalls\": [\"unlink\"]}]}, "
		   "{\"id\": \"r\", \"title\": \"t\", \"severity\": \"note\", "
		   "\"message\": \"m\", \"steps\": [{\"name\": \"a\", "
		   "\"syscalls\": [\"unlink\"]}]}]}",
		   "bad.json:1:132: rule \"r\" is defined twice");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_binding_matches_same_path,
					  teardown),
		cmocka_unit_test_teardown(test_conditions_on_result, teardown),
		cmocka_unit_test_teardown(test_scope_process_by_default,
					  teardown),
		cmocka_unit_test_teardown(test_scope_any, teardown),
		cmocka_unit_test_teardown(test_not_variable, teardown),
		cmocka_unit_test_teardown(test_guard_between_steps, teardown),
		cmocka_unit_test_teardown(test_at_exit_fires_at_exit, teardown),
		cmocka_unit_test_teardown(test_at_exit_guard_and_dirname,
					  teardown),
		cmocka_unit_test_teardown(test_at_exit_fires_at_trace_end,
					  teardown),
		cmocka_unit_test_teardown(test_or_exit, teardown),
		cmocka_unit_test_teardown(test_six_steps_or_exit, teardown),
		cmocka_unit_test_teardown(test_guard_window, teardown),
		cmocka_unit_test_teardown(test_event_without_syscall, teardown),
		cmocka_unit_test_teardown(test_overlaps, teardown),
		cmocka_unit_test_teardown(test_flags_contains_lacks_and_glob,
					  teardown),
		cmocka_unit_test_teardown(test_in_ne_and_errno, teardown),
		cmocka_unit_test_teardown(test_variants, teardown),
		cmocka_unit_test_teardown(test_supersedes, teardown),
		cmocka_unit_test_teardown(test_confirm_identity, teardown),
		cmocka_unit_test_teardown(test_merge_by_fingerprint, teardown),
		cmocka_unit_test_teardown(test_refresh_keeps_latest_check,
					  teardown),
		cmocka_unit_test_teardown(test_many_matches_of_one_event,
					  teardown),
		cmocka_unit_test_teardown(test_path_policy, teardown),
		cmocka_unit_test_teardown(test_policy_glob_kinds, teardown),
		cmocka_unit_test(test_rule_file_size_limit),
		cmocka_unit_test_teardown(test_pending_limit_drops_oldest,
					  teardown),
		cmocka_unit_test_teardown(
			test_process_exit_drops_partial_matches, teardown),
		cmocka_unit_test(test_error_syntax),
		cmocka_unit_test(test_error_strict_json),
		cmocka_unit_test(test_fields_from_class_flags),
		cmocka_unit_test(test_fields_of_creates_and_descriptors),
		cmocka_unit_test(test_error_unknown_key),
		cmocka_unit_test(test_error_unknown_syscall),
		cmocka_unit_test(test_error_unknown_field),
		cmocka_unit_test(test_error_unbound_not),
		cmocka_unit_test(test_error_bad_values),
		cmocka_unit_test(test_error_structure),
	};

	return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}
