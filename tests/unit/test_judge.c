// SPDX-License-Identifier: MIT
/*
 * The judge on event streams (docs/trust.md): which matches are private
 * to the traced tree, which lie out of scope in installed code, how the
 * path modifiers and the privilege of a process change a severity.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "engine.h"
#include "names.h"
#include "rule.h"
#include "syscalls.h"

static struct {
	struct rule_set rs;
	struct engine *e;
	uint64_t seq;
} fx;

static const char rules[] =
	"{\"groups\": {\"open\": [\"openat\"], \"stat\": [\"newfstatat\"],"
	"  \"access\": [\"access\"]},"
	" \"policy\": {\"root_only\": [\"/usr/*\"]},"
	" \"rules\": ["
	"{\"id\": \"race\", \"title\": \"t\", \"severity\": \"warning\","
	" \"message\": \"race {$p}\", \"tags\": [\"toctou\"], \"steps\": ["
	" {\"name\": \"check\", \"syscalls\": [\"@stat\"],"
	"  \"where\": {\"abspath\": \"$p\"}},"
	" {\"name\": \"use\", \"syscalls\": [\"@open\"],"
	"  \"where\": {\"abspath\": \"$p\"}}]},"
	"{\"id\": \"gone\", \"title\": \"t\", \"severity\": \"warning\","
	" \"message\": \"gone {$p}\", \"tags\": [\"toctou\"], \"steps\": ["
	" {\"name\": \"check\", \"syscalls\": [\"@stat\"],"
	"  \"where\": {\"abspath\": \"$p\"}},"
	" {\"name\": \"use\", \"syscalls\": [\"unlink\"],"
	"  \"where\": {\"abspath\": \"$p\"}}]},"
	"{\"id\": \"mp\", \"title\": \"t\", \"severity\": \"warning\","
	" \"message\": \"mp {$p}\", \"tags\": [\"race\", \"multi-process\"],"
	" \"scope\": \"any\", \"steps\": ["
	" {\"name\": \"check\", \"syscalls\": [\"access\"],"
	"  \"where\": {\"abspath\": \"$p\", \"pid\": 1}},"
	" {\"name\": \"use\", \"syscalls\": [\"unlinkat\"],"
	"  \"where\": {\"abspath\": \"$p\", \"pid\": 2}}]},"
	"{\"id\": \"crash\", \"title\": \"t\", \"severity\": \"warning\","
	" \"message\": \"crash {$p}\", \"tags\": [\"durability\"],"
	" \"steps\": [{\"name\": \"c\", \"syscalls\": [\"rmdir\"],"
	"  \"where\": {\"abspath\": \"$p\"}}]},"
	"{\"id\": \"policy\", \"title\": \"t\", \"severity\": \"warning\","
	" \"message\": \"policy {$p}\", \"tags\": [\"policy\"],"
	" \"steps\": [{\"name\": \"c\", \"syscalls\": [\"fchmodat\"],"
	"  \"where\": {\"abspath\": \"$p\"}}]},"
	"{\"id\": \"acc\", \"title\": \"t\", \"severity\": \"warning\","
	" \"unprivileged_severity\": \"note\", \"message\": \"acc {$p}\","
	" \"tags\": [\"toctou\"], \"steps\": ["
	" {\"name\": \"check\", \"syscalls\": [\"@access\"],"
	"  \"where\": {\"abspath\": \"$p\"}},"
	" {\"name\": \"use\", \"syscalls\": [\"@open\"],"
	"  \"where\": {\"abspath\": \"$p\"}}]}"
	"]}";

static void load(bool scope_all)
{
	struct engine_options o = {.default_filters = true,
				   .modifiers = true,
				   .judge = {.scope_all = scope_all}};
	char err[512];

	rule_set_init(&fx.rs);
	if (rule_set_load_text(&fx.rs, "t.json", rules, strlen(rules), err,
			       sizeof(err)) < 0)
		fail_msg("load failed: %s", err);
	fx.e = engine_new(&fx.rs, &o);
	fx.seq = 0;
}

static int setup(void **state)
{
	(void)state;
	load(false);
	return 0;
}

static int setup_all(void **state)
{
	(void)state;
	load(true);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	engine_free(fx.e);
	rule_set_release(&fx.rs);
	memset(&fx, 0, sizeof(fx));
	return 0;
}

/* A successful call on ABSPATH, whose directory has mode PMODE (0: none). */
static struct event sys(const char *name, const char *abspath, uint32_t pmode)
{
	struct event ev;

	event_init(&ev, EV_SYSCALL);
	ev.sc = syscall_by_name(name);
	assert_non_null(ev.sc);
	ev.seq = ++fx.seq;
	ev.pid = ev.tid = 1;
	ev.has = HAS_RET;
	if (abspath) {
		ev.has |= HAS_PATH;
		ev.path = ev.abspath = abspath;
	}
	if (pmode) {
		static char dir[256];
		const char *slash = strrchr(abspath, '/');

		snprintf(dir, sizeof(dir), "%.*s",
			 slash == abspath ? 1 : (int)(slash - abspath),
			 abspath);
		ev.parent.valid = true;
		ev.parent.path = dir;
		ev.parent.mode = pmode;
	}
	return ev;
}

static void feed(struct event ev)
{
	engine_feed(fx.e, &ev);
}

static void mkdir_(const char *p, uint32_t mode, uint32_t pmode)
{
	struct event ev = sys("mkdir", p, pmode);

	ev.has |= HAS_MODE;
	ev.mode = mode;
	feed(ev);
}

static void open_(const char *p, uint64_t flags, uint32_t pmode)
{
	struct event ev = sys("openat", p, pmode);

	ev.has |= HAS_FLAGS | HAS_DIRFD;
	ev.dirfd = AT_FDCWD_;
	ev.dirfd_path = "/home/u";
	ev.flags = flags;
	ev.ret = 3;
	feed(ev);
}

static void stat_open(const char *p)
{
	struct event ev = sys("newfstatat", p, 0);

	ev.has |= HAS_DIRFD;
	ev.dirfd = AT_FDCWD_;
	ev.dirfd_path = "/home/u";
	feed(ev);
	open_(p, O_RDONLY_, 0);
}

static const struct finding *last(void)
{
	const struct findings *fs = engine_findings(fx.e);

	assert_true(fs->n > 0);
	return fs->v[fs->n - 1];
}

static void assert_status(enum finding_status st, const char *reason)
{
	const struct finding *f = last();

	if (f->status != st && f->status_reason)
		print_message("reason: %s\n", f->status_reason);
	assert_string_equal(finding_status_name(f->status),
			    finding_status_name(st));
	if (reason)
		assert_string_equal(f->status_reason, reason);
	else
		assert_null(f->status_reason);
}

static void test_own_dir_is_private(void **state)
{
	(void)state;
	mkdir_("/home/u/d", 0777, 040755);
	stat_open("/home/u/d/f");
	assert_status(FST_PRIVATE, "in '/home/u/d', which pid 1 created 0755 "
				   "and nobody else can write");
	/* a check before a subdirectory existed: still inside d */
	feed(sys("newfstatat", "/home/u/d/s/f", 0));
	mkdir_("/home/u/d/s", 0700, 0);
	open_("/home/u/d/s/f", O_RDONLY_, 0);
	assert_status(FST_PRIVATE, "in '/home/u/d/s', which pid 1 created "
				   "0700 and nobody else can write");
	/* the directory's own name: whoever writes /home/u can swap it */
	stat_open("/home/u/d");
	assert_status(FST_REPORTED, NULL);
}

static void test_checked_before_created(void **state)
{
	(void)state;
	feed(sys("newfstatat", "/home/u/d/f", 0));
	mkdir_("/home/u/d", 0700, 040755);
	open_("/home/u/d/f", O_RDONLY_, 0);
	assert_status(FST_REPORTED, NULL);
}

static void test_world_writable_dir(void **state)
{
	(void)state;
	/* the umask was 0: a stat of the directory tells */
	mkdir_("/home/u/d", 0777, 040755);
	stat_open("/home/u/d/f");
	assert_int_equal(last()->status, FST_PRIVATE);
	feed(sys("newfstatat", "/home/u/d/g", 040777));
	open_("/home/u/d/g", O_RDONLY_, 040777);
	assert_status(FST_REPORTED, NULL);
}

static void test_chmod_o_w(void **state)
{
	struct event ev;

	(void)state;
	mkdir_("/home/u/d", 0700, 040755);
	ev = sys("fchmodat", "/home/u/d", 0);
	ev.has |= HAS_MODE;
	ev.mode = 0757;
	feed(ev);
	stat_open("/home/u/d/f");
	assert_status(FST_REPORTED, NULL);
}

static void test_shared_parent(void **state)
{
	(void)state;
	/* others can rename d away in a world-writable parent */
	mkdir_("/srv/pub/d", 0700, 040777);
	stat_open("/srv/pub/d/f");
	assert_status(FST_REPORTED, NULL);
	/* but not in a sticky one: mkdtemp */
	mkdir_("/tmp/tmpab12", 0700, 041777);
	stat_open("/tmp/tmpab12/f");
	assert_status(FST_PRIVATE, "in '/tmp/tmpab12', which pid 1 created "
				   "0700 and nobody else can write");
}

static void test_excl_in_sticky_until_unlinked(void **state)
{
	(void)state;
	open_("/tmp/ccX1.s", O_WRONLY_ | O_CREAT_ | O_EXCL_, 041777);
	stat_open("/tmp/ccX1.s");
	assert_status(FST_PRIVATE, "'/tmp/ccX1.s', which pid 1 created "
				   "exclusively in a sticky directory, and "
				   "nobody else can replace");
	feed(sys("unlink", "/tmp/ccX1.s", 041777));
	open_("/tmp/ccX1.s", O_WRONLY_ | O_CREAT_, 041777);
	stat_open("/tmp/ccX1.s");
	assert_status(FST_REPORTED, NULL);
	/* without O_EXCL in a sticky directory: not the tree's own */
	open_("/tmp/ccX2.s", O_WRONLY_ | O_CREAT_, 041777);
	stat_open("/tmp/ccX2.s");
	assert_status(FST_REPORTED, NULL);
}

static void test_rename_moves_privacy(void **state)
{
	struct event ev;

	(void)state;
	mkdir_("/home/u/a", 0700, 040755);
	mkdir_("/home/u/a/s", 0700, 0);
	ev = sys("rename", "/home/u/a", 040755);
	ev.has |= HAS_PATH2;
	ev.path2 = ev.abspath2 = "/home/u/b";
	ev.parent2 = ev.parent;
	feed(ev);
	stat_open("/home/u/b/s/f");
	assert_status(FST_PRIVATE, "in '/home/u/b/s', which pid 1 created "
				   "0700 and nobody else can write");
	stat_open("/home/u/a/s/f");
	assert_status(FST_REPORTED, NULL);
}

static void test_own_removal_is_after_the_window(void **state)
{
	(void)state;
	/* gcc's driver: mkstemp in /tmp, stat, unlink: the unlink that
	 * ends the match drops the name only after it is judged */
	open_("/tmp/ccA.s", O_WRONLY_ | O_CREAT_ | O_EXCL_, 041777);
	feed(sys("newfstatat", "/tmp/ccA.s", 041777));
	feed(sys("unlink", "/tmp/ccA.s", 041777));
	assert_string_equal(last()->rule->id, "gone");
	assert_status(FST_PRIVATE, "'/tmp/ccA.s', which pid 1 created "
				   "exclusively in a sticky directory, and "
				   "nobody else can replace");
	/* made again without O_EXCL: another user's name for all we know */
	open_("/tmp/ccA.s", O_WRONLY_ | O_CREAT_, 041777);
	feed(sys("newfstatat", "/tmp/ccA.s", 041777));
	feed(sys("unlink", "/tmp/ccA.s", 041777));
	assert_string_equal(last()->rule->id, "gone");
	assert_status(FST_REPORTED, NULL);
}

static void test_multi_process_not_private(void **state)
{
	struct event ev;

	(void)state;
	mkdir_("/home/u/d", 0700, 040755);
	feed(sys("access", "/home/u/d/s", 0));
	ev = sys("unlinkat", "/home/u/d/s", 0);
	ev.pid = ev.tid = 2;
	feed(ev);
	assert_string_equal(last()->rule->id, "mp");
	assert_status(FST_REPORTED, NULL);
}

static void test_durability_not_private(void **state)
{
	(void)state;
	mkdir_("/home/u/d", 0700, 040755);
	feed(sys("rmdir", "/home/u/d/f", 0));
	assert_string_equal(last()->rule->id, "crash");
	assert_status(FST_REPORTED, NULL);
}

static void test_installed_out_of_scope(void **state)
{
	(void)state;
	stat_open("/usr/lib/os-release");
	assert_status(FST_OUT_OF_SCOPE, "'/usr/lib/os-release' is only read, "
					"in installed code ('/usr/')");
	assert_string_equal(severity_name(last()->severity), "note");
	stat_open("/home/u/.local/lib/python3.12/site-packages/m/x.py");
	assert_status(FST_OUT_OF_SCOPE,
		      "'/home/u/.local/lib/python3.12/site-packages/m/x.py' "
		      "is only read, in installed code ('/site-packages/')");
	/* what the tree writes is its own */
	open_("/opt/app/state", O_WRONLY_ | O_CREAT_, 0);
	stat_open("/opt/app/state");
	assert_status(FST_REPORTED, NULL);
	stat_open("/home/u/data");
	assert_status(FST_REPORTED, NULL);
}

static void test_scope_all(void **state)
{
	(void)state;
	stat_open("/usr/lib/os-release");
	assert_status(FST_REPORTED, NULL);
}

static void exec_(const char *exe)
{
	struct event ev = sys("execve", exe, 0);

	feed(ev);
}

static void test_exe_prefix(void **state)
{
	(void)state;
	exec_("/home/u/.tools/node/bin/node");
	stat_open("/home/u/.tools/node/lib/x.js");
	assert_status(FST_OUT_OF_SCOPE, "'/home/u/.tools/node/lib/x.js' is "
					"only read, in installed code "
					"('/home/u/.tools/node/')");
	/* a program the tree built does not make its prefix installed */
	open_("/srv/b/bin/prog", O_WRONLY_ | O_CREAT_ | O_TRUNC_, 0);
	exec_("/srv/b/bin/prog");
	stat_open("/srv/b/data");
	assert_status(FST_REPORTED, NULL);
	/* nor one beside the tree's working directory (/home/u) */
	exec_("/home/bin/tool");
	stat_open("/home/other");
	assert_status(FST_REPORTED, NULL);
	exec_("/home/u/bin/tool");
	stat_open("/home/u/cfg");
	assert_status(FST_REPORTED, NULL);
}

/* /P/bin/x and /P/sbin/x make P/ installed; /bin/x makes no "/" one,
 * nor does /P/xbin/x, and a prefix is kept once, up to 256 of them. */
static void test_prefix_edges(void **state)
{
	char exe[64], path[64];

	(void)state;
	exec_("/home/u/pkg/sbin/daemon");
	stat_open("/home/u/pkg/share/x");
	assert_status(FST_OUT_OF_SCOPE, "'/home/u/pkg/share/x' is only read, "
					"in installed code ('/home/u/pkg/')");
	exec_("/bin/tool");
	stat_open("/srv/data");
	assert_status(FST_REPORTED, NULL);
	exec_("/srv/p/xbin/tool");
	stat_open("/srv/p/data");
	assert_status(FST_REPORTED, NULL);
	exec_("/srv/q/bin/sub/tool");
	stat_open("/srv/q/bin/data");
	assert_status(FST_REPORTED, NULL);
	exec_("/srv/pkg/bin/tool");
	exec_("/srv/pkg/bin/other");
	stat_open("/srv/pkg/lib/a");
	assert_status(FST_OUT_OF_SCOPE, "'/srv/pkg/lib/a' is only read, in "
					"installed code ('/srv/pkg/')");
	/* 256 prefixes in all: two so far, these 255 more, the last one too
	 * many */
	for (int i = 0; i < 255; i++) {
		snprintf(exe, sizeof(exe), "/srv/m%c%c/bin/t", 'a' + i / 26,
			 'a' + i % 26);
		exec_(exe);
	}
	snprintf(path, sizeof(path), "/srv/m%c%c/x", 'a' + 253 / 26,
		 'a' + 253 % 26);
	stat_open(path);
	assert_int_equal(last()->status, FST_OUT_OF_SCOPE);
	snprintf(path, sizeof(path), "/srv/m%c%c/x", 'a' + 254 / 26,
		 'a' + 254 % 26);
	stat_open(path);
	assert_status(FST_REPORTED, NULL);
}

/* A reason naming a long path and a long prefix is cut at PATH_MAX + 159
 * bytes. */
static void test_long_reason_cut(void **state)
{
	static char exe[400], prefix[400], path[4096], want[8192];

	(void)state;
	strcpy(prefix, "/home/u/");
	memset(prefix + 8, 'd', 300);
	strcpy(prefix + 308, "/");
	strcpy(exe, prefix);
	strcat(exe, "bin/node");
	strcpy(path, prefix);
	memset(path + 309, 'f', 3780);
	path[309 + 3780] = '\0';
	exec_(exe);
	stat_open(path);
	snprintf(want, sizeof(want),
		 "'%s' is only read, in installed code ('%s')", path, prefix);
	assert_true(strlen(want) > 4096 + 159);
	want[4096 + 159] = '\0';
	assert_int_equal(last()->status, FST_OUT_OF_SCOPE);
	assert_string_equal(last()->status_reason, want);
}

static void test_private_name_keeps_severity(void **state)
{
	struct event ev;

	(void)state;
	open_("/tmp/own", O_WRONLY_ | O_CREAT_ | O_EXCL_, 041777);
	ev = sys("fchmodat", "/tmp/own", 041777);
	feed(ev);
	assert_string_equal(last()->rule->id, "policy");
	assert_string_equal(severity_name(last()->severity), "warning");
	open_("/tmp/theirs", O_WRONLY_ | O_CREAT_, 041777);
	feed(sys("fchmodat", "/tmp/theirs", 041777));
	assert_string_equal(severity_name(last()->severity), "error");
}

static void exec_creds(uint32_t uid, uint32_t euid, bool secure)
{
	struct event ev = sys("execve", "/usr/bin/prog", 0);

	ev.has |= HAS_CREDS;
	ev.creds.uid = uid;
	ev.creds.euid = euid;
	ev.creds.secure = secure;
	feed(ev);
}

static void access_open(const char *p)
{
	feed(sys("access", p, 0));
	open_(p, O_RDONLY_, 0);
	assert_string_equal(last()->rule->id, "acc");
}

static void test_access_unprivileged(void **state)
{
	(void)state;
	/* creds unknown: as the rule says */
	access_open("/home/u/a");
	assert_string_equal(severity_name(last()->severity), "warning");
	exec_creds(1000, 1000, false);
	access_open("/home/u/b");
	assert_string_equal(severity_name(last()->severity), "note");
	exec_creds(1000, 0, false);
	access_open("/home/u/c");
	assert_string_equal(severity_name(last()->severity), "warning");
	exec_creds(1000, 1000, true);
	access_open("/home/u/d");
	assert_string_equal(severity_name(last()->severity), "warning");
}

static void test_unprivileged_severity_bad(void **state)
{
	static const char bad[] =
		"{\"rules\": [{\"id\": \"r\", \"title\": \"t\", "
		"\"severity\": \"warning\", \"unprivileged_severity\": "
		"\"low\", \"message\": \"m\", \"steps\": [{\"syscalls\": "
		"[\"unlink\"]}]}]}";
	struct rule_set rs;
	char err[512];

	(void)state;
	rule_set_init(&rs);
	assert_int_equal(rule_set_load_text(&rs, "b.json", bad, strlen(bad),
					    err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "b.json:1:86: severity is error, warning or "
				 "note, not \"low\"");
	rule_set_release(&rs);
}

static void owner_(const char *name, const char *p, int64_t uid)
{
	struct event ev = sys(name, p, 0);

	ev.has |= HAS_OWNER;
	ev.uid = uid;
	ev.gid = -1;
	feed(ev);
}

static void test_chown_and_fchmod(void **state)
{
	struct event ev = sys("execve", "/usr/bin/prog", 0);

	(void)state;
	ev.has |= HAS_CREDS;
	ev.creds.uid = ev.creds.euid = 1000;
	feed(ev);
	mkdir_("/home/u/own", 0700, 040755);
	owner_("chown", "/home/u/own", 1000);
	stat_open("/home/u/own/f");
	assert_int_equal(last()->status, FST_PRIVATE);
	mkdir_("/home/u/gift", 0700, 040755);
	owner_("chown", "/home/u/gift", 0);
	stat_open("/home/u/gift/f");
	assert_status(FST_REPORTED, NULL);
	/* fchmod o+w by the descriptor */
	mkdir_("/home/u/fd", 0700, 040755);
	ev = sys("fchmod", NULL, 0);
	ev.has |= HAS_FD | HAS_MODE;
	ev.fd = 4;
	ev.fd_path = "/home/u/fd";
	ev.mode = 0777;
	feed(ev);
	stat_open("/home/u/fd/f");
	assert_status(FST_REPORTED, NULL);
}

static void test_no_parent_records(void **state)
{
	(void)state;
	/* a strace log: a directory counts as made where others cannot
	 * write; a file, as made in no sticky directory */
	mkdir_("/tmp/d", 0700, 0);
	stat_open("/tmp/d/f");
	assert_int_equal(last()->status, FST_PRIVATE);
	open_("/tmp/x", O_WRONLY_ | O_CREAT_ | O_EXCL_, 0);
	stat_open("/tmp/x");
	assert_status(FST_REPORTED, NULL);
}

/* A symlink the tree made in its own directory leads where others may
 * write: a check and a use of it are not private. */
static void test_symlink_made_is_not_private(void **state)
{
	(void)state;
	mkdir_("/home/u/d", 0700, 040755);
	feed(sys("symlinkat", "/home/u/d/l", 040700));
	stat_open("/home/u/d/l");
	assert_status(FST_REPORTED, NULL);
	/* a file beside it is */
	stat_open("/home/u/d/f");
	assert_string_equal(finding_status_name(last()->status), "private");
}

/* A directory made in one that another user owns: that owner can rename
 * it away, so what is in it is not private; in root's or the process's
 * own, it is. */
static void test_parent_of_another_owner(void **state)
{
	struct event ev;

	(void)state;
	exec_creds(0, 0, false);
	ev = sys("mkdir", "/home/alice/d", 040755);
	ev.has |= HAS_MODE;
	ev.mode = 0700;
	ev.parent.uid = 1000;
	feed(ev);
	stat_open("/home/alice/d/f");
	assert_status(FST_REPORTED, NULL);
	ev = sys("mkdir", "/home/root/d", 040755);
	ev.has |= HAS_MODE;
	ev.mode = 0700;
	feed(ev);
	stat_open("/home/root/d/f");
	assert_string_equal(finding_status_name(last()->status), "private");
}

/* The unprivileged severity is the base the path modifiers move: in a
 * world-writable directory access then open is a warning, not a note. */
static void test_unprivileged_raised_by_shared_dir(void **state)
{
	(void)state;
	exec_creds(1000, 1000, false);
	feed(sys("access", "/tmp/theirs", 041777));
	open_("/tmp/theirs", O_RDONLY_, 041777);
	assert_string_equal(last()->rule->id, "acc");
	assert_string_equal(severity_name(last()->severity), "warning");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

/* creat(2) writes what it names: a program the tree built with it does not
 * make its prefix installed. */
static void test_creat_built_program(void **state)
{
	(void)state;
	feed(sys("creat", "/srv/c/bin/prog", 0));
	exec_("/srv/c/bin/prog");
	stat_open("/srv/c/data");
	assert_status(FST_REPORTED, NULL);
}

/* An exec that told no argv: the program is its image's path. */
static void test_program_without_argv(void **state)
{
	(void)state;
	exec_("/home/u/tool");
	stat_open("/home/u/cfg");
	assert_string_equal(last()->rule->id, "race");
	assert_non_null(last()->program[0]);
	assert_string_equal(last()->program[0], "/home/u/tool");
	assert_string_equal(last()->program[1], "/home/u/tool");
}

/* A process the judge never saw exec (forked from one it did not know,
 * or never forked at all) has no program: not "(null)". */
static void test_program_unknown(void **state)
{
	struct event f, ev;

	(void)state;
	event_init(&f, EV_FORK);
	f.seq = ++fx.seq;
	f.pid = f.tid = 5;
	f.child_pid = 6;
	feed(f);
	ev = sys("newfstatat", "/home/u/six", 0);
	ev.pid = ev.tid = 6;
	feed(ev);
	ev = sys("openat", "/home/u/six", 0);
	ev.pid = ev.tid = 6;
	ev.ret = 3;
	feed(ev);
	assert_string_equal(last()->rule->id, "race");
	assert_null(last()->program[0]);
	assert_null(last()->program[1]);
	ev = sys("newfstatat", "/home/u/seven", 0);
	ev.pid = ev.tid = 7;
	feed(ev);
	ev = sys("openat", "/home/u/seven", 0);
	ev.pid = ev.tid = 7;
	ev.ret = 3;
	feed(ev);
	assert_null(last()->program[0]);
	assert_null(last()->program[1]);
}

/* The program is its command line, cut at 511 bytes. */
static void test_program_long_command_line(void **state)
{
	const char *argv[101];
	char want[1024];
	size_t o = 0;
	struct event ev = sys("execve", "/home/u/tool", 0);

	(void)state;
	argv[0] = "tool";
	o += (size_t)sprintf(want, "tool");
	for (int i = 1; i < 100; i++) {
		argv[i] = "abcdefgh";
		o += (size_t)sprintf(want + o, " abcdefgh");
	}
	argv[100] = NULL;
	want[511] = '\0';
	ev.has |= HAS_ARGV;
	ev.argv = argv;
	ev.argc = 100;
	feed(ev);
	stat_open("/home/u/cfg");
	assert_non_null(last()->program[0]);
	assert_int_equal(strlen(last()->program[0]), 511);
	assert_string_equal(last()->program[0], want);
	/* a command line that just fits */
	ev = sys("execve", "/home/u/tool", 0);
	ev.has |= HAS_ARGV;
	ev.argv = (const char *const[]){"tool", "-x", "", "y", NULL};
	ev.argc = 4;
	feed(ev);
	stat_open("/home/u/cfgb");
	assert_string_equal(last()->program[0], "tool -x  y");
}

static void exit_(int pid, int tid)
{
	struct event ev;

	event_init(&ev, EV_EXIT);
	ev.seq = ++fx.seq;
	ev.pid = pid;
	ev.tid = tid;
	feed(ev);
}

static void two_(const char *name, const char *a, const char *b, uint64_t flags)
{
	struct event ev = sys(name, a, 040755);

	ev.has |= HAS_PATH2 | HAS_FLAGS;
	ev.path2 = ev.abspath2 = b;
	ev.parent2 = ev.parent;
	ev.flags = flags;
	feed(ev);
}

/* An exchange forgets what the tree made under either name; names that
 * only begin the same stay. */
static void test_exchange_forgets_both(void **state)
{
	(void)state;
	mkdir_("/home/u/d", 0700, 040755);
	mkdir_("/home/u/d/s", 0700, 0);
	mkdir_("/home/u/e", 0700, 040755);
	mkdir_("/home/u/dx", 0700, 040755);
	mkdir_("/home/u/ex", 0700, 040755);
	two_("renameat2", "/home/u/d", "/home/u/e", RENAME_EXCHANGE_);
	stat_open("/home/u/d/f");
	assert_status(FST_REPORTED, NULL);
	stat_open("/home/u/e/f");
	assert_status(FST_REPORTED, NULL);
	stat_open("/home/u/d/s/f");
	assert_status(FST_REPORTED, NULL);
	stat_open("/home/u/dx/f");
	assert_status(FST_PRIVATE, "in '/home/u/dx', which pid 1 created "
				   "0700 and nobody else can write");
	stat_open("/home/u/ex/f");
	assert_int_equal(last()->status, FST_PRIVATE);
}

/* A rename moves the tree under its name only: a sibling whose name
 * begins the same stays where it was; a rmdir forgets the name. */
static void test_rename_and_remove_boundaries(void **state)
{
	(void)state;
	mkdir_("/home/u/a", 0700, 040755);
	mkdir_("/home/u/ab", 0700, 040755);
	two_("rename", "/home/u/a", "/home/u/c", 0);
	stat_open("/home/u/ab/f");
	assert_status(FST_PRIVATE, "in '/home/u/ab', which pid 1 created "
				   "0700 and nobody else can write");
	stat_open("/home/u/c/f");
	assert_status(FST_PRIVATE, "in '/home/u/c', which pid 1 created "
				   "0700 and nobody else can write");
	/* onto itself: nothing moves */
	two_("rename", "/home/u/c", "/home/u/c", 0);
	stat_open("/home/u/c/g");
	assert_int_equal(last()->status, FST_PRIVATE);
	feed(sys("rmdir", "/home/u/c", 0));
	stat_open("/home/u/c/h");
	assert_status(FST_REPORTED, NULL);
	stat_open("/home/u/ab/g");
	assert_int_equal(last()->status, FST_PRIVATE);
	/* a name made exclusively, renamed: the rename made the new name */
	open_("/tmp/ccQ.s", O_WRONLY_ | O_CREAT_ | O_EXCL_, 041777);
	two_("rename", "/tmp/ccQ.s", "/tmp/ccR.s", 0);
	stat_open("/tmp/ccR.s");
	assert_status(FST_REPORTED, NULL);
}

/* A link made in a sticky directory is the tree's own name there; an
 * O_TMPFILE open makes no name. */
static void test_link_and_tmpfile(void **state)
{
	struct event ev;

	(void)state;
	two_("linkat", "/home/u/x", "/tmp/ccL.s", 0);
	/* two_ gave /tmp/ccL.s the parent of /home/u/x: say sticky */
	ev = sys("linkat", "/home/u/y", 041777);
	ev.has |= HAS_PATH2;
	ev.path2 = ev.abspath2 = "/tmp/ccM.s";
	ev.parent2 = ev.parent;
	feed(ev);
	stat_open("/tmp/ccM.s");
	assert_status(FST_PRIVATE, "'/tmp/ccM.s', which pid 1 created "
				   "exclusively in a sticky directory, and "
				   "nobody else can replace");
	stat_open("/tmp/ccL.s");
	assert_status(FST_REPORTED, NULL);
	open_("/tmp/ccT.s", O_WRONLY_ | O_CREAT_ | O_EXCL_ | O_TMPFILE_,
	      041777);
	stat_open("/tmp/ccT.s");
	assert_status(FST_REPORTED, NULL);
	/* symlink, mknod: made exclusively too */
	feed(sys("mknodat", "/tmp/ccN.s", 041777));
	stat_open("/tmp/ccN.s");
	assert_int_equal(last()->status, FST_PRIVATE);
}

/* A stat of a directory tells its real mode: by name, by fd, by the
 * name a call returned. */
static void test_stat_learns_mode(void **state)
{
	struct event ev;

	(void)state;
	mkdir_("/home/u/a", 0700, 040755);
	mkdir_("/home/u/b", 0700, 040755);
	mkdir_("/home/u/c", 0700, 040755);
	ev = sys("newfstatat", "/home/u/a", 0);
	ev.stat.valid = true;
	ev.stat.mode = 040777;
	feed(ev);
	ev = sys("fstat", NULL, 0);
	ev.has |= HAS_FD;
	ev.fd = 3;
	ev.fd_path = "/home/u/b";
	ev.stat.valid = true;
	ev.stat.mode = 040777;
	feed(ev);
	/* a file's mode says nothing of a directory */
	ev = sys("newfstatat", "/home/u/c", 0);
	ev.stat.valid = true;
	ev.stat.mode = 0100777;
	feed(ev);
	stat_open("/home/u/a/f");
	assert_status(FST_REPORTED, NULL);
	stat_open("/home/u/b/f");
	assert_status(FST_REPORTED, NULL);
	stat_open("/home/u/c/f");
	assert_status(FST_PRIVATE, "in '/home/u/c', which pid 1 created "
				   "0700 and nobody else can write");
	/* a failed call tells nothing */
	mkdir_("/home/u/e", 0700, 040755);
	ev = sys("newfstatat", "/home/u/e", 0);
	ev.ret = -1;
	ev.err = 2;
	ev.stat.valid = true;
	ev.stat.mode = 040777;
	feed(ev);
	ev = sys("fchmodat", "/home/u/e", 0);
	ev.has |= HAS_MODE;
	ev.mode = 0777;
	ev.ret = -1;
	ev.err = 1;
	feed(ev);
	stat_open("/home/u/e/f");
	assert_int_equal(last()->status, FST_PRIVATE);
}

/* A file the tree wrote by descriptor is no installed code. */
static void test_written_by_fd(void **state)
{
	struct event ev;

	(void)state;
	ev = sys("fchmod", NULL, 0);
	ev.has |= HAS_FD | HAS_MODE;
	ev.fd = 3;
	ev.fd_path = "/usr/lib/x";
	ev.mode = 0644;
	feed(ev);
	stat_open("/usr/lib/x");
	assert_status(FST_REPORTED, NULL);
	stat_open("/usr/lib/y");
	assert_status(FST_OUT_OF_SCOPE, "'/usr/lib/y' is only read, in "
					"installed code ('/usr/')");
	/* each of the installed places */
	stat_open("/nix/store/abc-x/lib");
	assert_status(FST_OUT_OF_SCOPE, "'/nix/store/abc-x/lib' is only "
					"read, in installed code "
					"('/nix/store/')");
	stat_open("/home/u/.venv/lib/dist-packages/m.py");
	assert_status(FST_OUT_OF_SCOPE,
		      "'/home/u/.venv/lib/dist-packages/m.py' is only read, "
		      "in installed code ('/dist-packages/')");
	stat_open("/home/u/.cargo/registry/src/c.rs");
	assert_status(FST_OUT_OF_SCOPE, "'/home/u/.cargo/registry/src/c.rs' "
					"is only read, in installed code "
					"('/.cargo/registry/')");
	/* a write of one path of the finding brings it in scope */
	stat_open("/usr/lib/z");
	assert_int_equal(last()->status, FST_OUT_OF_SCOPE);
	open_("/usr/lib/z", O_WRONLY_, 0);
	stat_open("/usr/lib/z");
	assert_status(FST_REPORTED, NULL);
}

/* A thread is no new process; a process forked is its parent's copy. */
static void test_fork_kinds(void **state)
{
	struct event f, ev;

	(void)state;
	exec_("/home/u/tool");
	event_init(&f, EV_FORK);
	f.seq = ++fx.seq;
	f.pid = f.tid = 1;
	f.child_pid = 2;
	f.fork_kind = FORK_THREAD;
	feed(f);
	f.seq = ++fx.seq;
	f.child_pid = 3;
	f.fork_kind = FORK_VFORK;
	feed(f);
	ev = sys("newfstatat", "/home/u/two", 0);
	ev.pid = ev.tid = 2;
	feed(ev);
	ev = sys("openat", "/home/u/two", 0);
	ev.pid = ev.tid = 2;
	ev.ret = 3;
	feed(ev);
	assert_null(last()->program[0]);
	ev = sys("newfstatat", "/home/u/three", 0);
	ev.pid = ev.tid = 3;
	feed(ev);
	ev = sys("openat", "/home/u/three", 0);
	ev.pid = ev.tid = 3;
	ev.ret = 3;
	feed(ev);
	assert_string_equal(last()->program[0], "/home/u/tool");
}

/* Arguments the trace could not read are empty; an exec without its
 * arguments is named by its file. */
static void test_argv_holes(void **state)
{
	struct event ev = sys("execve", "/home/u/tool", 0);

	(void)state;
	ev.has |= HAS_ARGV;
	ev.argv = (const char *const[]){"tool", NULL, "x", NULL};
	ev.argc = 3;
	feed(ev);
	stat_open("/home/u/cfg");
	assert_string_equal(last()->program[0], "tool  x");
	ev = sys("execve", "/home/u/tool", 0);
	ev.has |= HAS_ARGV;
	ev.argv = (const char *const[]){NULL};
	ev.argc = 0;
	feed(ev);
	stat_open("/home/u/cfgb");
	assert_string_equal(last()->program[0], "/home/u/tool");
	/* a failed exec changes nothing */
	ev = sys("execve", "/home/u/other", 0);
	ev.ret = -1;
	ev.err = 2;
	feed(ev);
	stat_open("/home/u/cfgc");
	assert_string_equal(last()->program[0], "/home/u/tool");
}

/* The last 4096 processes that exited are remembered; older ones are
 * forgotten, unless their pid was born again. */
static void test_dead_processes_forgotten(void **state)
{
	struct event ev, f;

	(void)state;
	for (int pid = 100; pid < 100 + 4097; pid++) {
		ev = sys("execve", "/home/u/tool", 0);
		ev.pid = ev.tid = pid;
		feed(ev);
		if (pid == 101) {
			/* 101 is born again before it is forgotten */
			exit_(101, 101);
			event_init(&f, EV_FORK);
			f.seq = ++fx.seq;
			f.pid = f.tid = 100;
			f.child_pid = 101;
			feed(f);
		}
		exit_(pid, pid);
	}
	/* 100 was the oldest of 4097 dead: gone; 102 is still known */
	ev = sys("newfstatat", "/home/u/a", 0);
	ev.pid = ev.tid = 100;
	feed(ev);
	ev = sys("openat", "/home/u/a", 0);
	ev.pid = ev.tid = 100;
	ev.ret = 3;
	feed(ev);
	assert_null(last()->program[0]);
	ev = sys("newfstatat", "/home/u/b", 0);
	ev.pid = ev.tid = 102;
	feed(ev);
	ev = sys("openat", "/home/u/b", 0);
	ev.pid = ev.tid = 102;
	ev.ret = 3;
	feed(ev);
	assert_string_equal(last()->program[0], "/home/u/tool");
}

/* Only a process's own exit ends it, not its threads': the program of a
 * process whose threads exited stays known, however many exit. */
static void test_thread_exit_keeps_process(void **state)
{
	struct event f;

	(void)state;
	exec_("/home/u/tool");
	event_init(&f, EV_FORK);
	f.seq = ++fx.seq;
	f.pid = f.tid = 1;
	f.child_pid = 2;
	feed(f);
	exit_(1, 7);
	for (int i = 0; i < 5000; i++)
		exit_(2, 100 + i);
	stat_open("/home/u/cfg");
	assert_non_null(last()->program[0]);
	assert_string_equal(last()->program[0], "/home/u/tool");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_own_dir_is_private),
		T(test_checked_before_created),
		T(test_world_writable_dir),
		T(test_chmod_o_w),
		T(test_shared_parent),
		T(test_excl_in_sticky_until_unlinked),
		T(test_rename_moves_privacy),
		T(test_own_removal_is_after_the_window),
		T(test_durability_not_private),
		T(test_multi_process_not_private),
		T(test_chown_and_fchmod),
		T(test_no_parent_records),
		T(test_installed_out_of_scope),
		cmocka_unit_test_setup_teardown(test_scope_all, setup_all,
						teardown),
		T(test_exe_prefix),
		T(test_private_name_keeps_severity),
		T(test_access_unprivileged),
		T(test_symlink_made_is_not_private),
		T(test_parent_of_another_owner),
		T(test_unprivileged_raised_by_shared_dir),
		T(test_creat_built_program),
		T(test_program_without_argv),
		T(test_prefix_edges),
		T(test_long_reason_cut),
		T(test_program_unknown),
		T(test_program_long_command_line),
		T(test_thread_exit_keeps_process),
		T(test_exchange_forgets_both),
		T(test_rename_and_remove_boundaries),
		T(test_link_and_tmpfile),
		T(test_stat_learns_mode),
		T(test_written_by_fd),
		T(test_fork_kinds),
		T(test_argv_holes),
		T(test_dead_processes_forgotten),
		cmocka_unit_test(test_unprivileged_severity_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
