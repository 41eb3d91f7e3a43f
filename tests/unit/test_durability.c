// SPDX-License-Identifier: MIT
/*
 * analyzers/durability.c on event streams: what the tree fsyncs, by name
 * across renames and by identity across links, decides the pending
 * matches of missing-dir-fsync and rename-without-fsync at the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "durability.h"
#include "hashmap.h"
#include "names.h"

static uint64_t seq;

static struct event sc(const char *name, int pid)
{
	struct event ev;

	event_init(&ev, EV_SYSCALL);
	ev.seq = ++seq;
	ev.pid = ev.tid = pid;
	ev.sc = syscall_by_name(name);
	assert_non_null(ev.sc);
	ev.has = HAS_RET;
	return ev;
}

static struct event on_path(const char *name, int pid, const char *p)
{
	struct event ev = sc(name, pid);

	ev.has |= HAS_PATH;
	ev.path = ev.abspath = p;
	return ev;
}

static struct event create(int pid, const char *p)
{
	struct event ev = on_path("openat", pid, p);

	ev.has |= HAS_FLAGS;
	ev.flags = O_WRONLY_ | O_CREAT_ | O_EXCL_;
	ev.ret = 3;
	return ev;
}

static struct event fsync_of(int pid, const char *p)
{
	struct event ev = sc("fsync", pid);

	ev.has |= HAS_FD;
	ev.fd = 3;
	ev.fd_path = p;
	return ev;
}

static struct event two(const char *name, int pid, const char *a, const char *b)
{
	struct event ev = on_path(name, pid, a);

	ev.has |= HAS_PATH2;
	ev.path2 = ev.abspath2 = b;
	return ev;
}

struct judged {
	struct rule rule;
	struct finding f;
	struct finding *v[1];
	struct findings fs;
	char src[64];
};

/* A finding of rule ID whose first evidence is CHANGE, as the engine
 * leaves it: pending. */
static void pending(struct judged *j, const char *id,
		    const struct event *change)
{
	memset(j, 0, sizeof(*j));
	j->rule.id = (char *)id;
	j->f.rule = &j->rule;
	j->f.status = FST_PENDING;
	j->f.nev = 2;
	evidence_view(&j->f.ev[0], change, j->src, sizeof(j->src));
	evidence_view(&j->f.ev[1], change, j->src, sizeof(j->src));
	j->v[0] = &j->f;
	j->fs.v = j->v;
	j->fs.n = 1;
}

static void feed(struct durability *d, struct event ev)
{
	durability_observe(d, &ev, ev.abspath ? hash_path(ev.abspath) : 0);
}

static void assert_status(struct judged *j, enum finding_status s,
			  const char *reason_prefix)
{
	assert_int_equal(j->f.status, s);
	if (!reason_prefix) {
		assert_null(j->f.status_reason);
		return;
	}
	assert_non_null(j->f.status_reason);
	assert_true(!strncmp(j->f.status_reason, reason_prefix,
			     strlen(reason_prefix)));
	free(j->f.status_reason);
}

static void test_parent_fsyncs_dir(void **state)
{
	struct durability *d = durability_new();
	struct event c = create(2, "/d/out");
	struct judged j;

	(void)state;
	feed(d, c);
	feed(d, fsync_of(2, "/d/out"));
	pending(&j, "missing-dir-fsync", &c);
	feed(d, fsync_of(1, "/d"));
	durability_finish(d, &j.fs);
	assert_status(&j, FST_NO_INTENT,
		      "durable: the tree fsync'ed '/d' after the change");
	durability_free(d);
}

static void test_dir_fsync_before_change_is_intent(void **state)
{
	struct durability *d = durability_new();
	struct event m, c;
	struct judged jm, jc;

	(void)state;
	feed(d, fsync_of(1, "/d"));
	/* a new subdirectory has nothing to flush but its directory */
	m = on_path("mkdir", 1, "/d/sub");
	feed(d, m);
	/* a new file never fsync'ed: a directory fsync would not save it */
	c = create(1, "/d/new");
	feed(d, c);
	pending(&jm, "missing-dir-fsync", &m);
	pending(&jc, "missing-dir-fsync", &c);
	durability_finish(d, &jm.fs);
	durability_finish(d, &jc.fs);
	assert_status(&jm, FST_REPORTED, NULL);
	assert_status(&jc, FST_NO_INTENT,
		      "no durability intent: the tree never fsync'ed "
		      "'/d/new' (in '/d')");
	durability_free(d);
}

static void test_no_intent(void **state)
{
	struct durability *d = durability_new();
	struct event c = on_path("symlink", 1, "/d/x");
	struct judged j;

	(void)state;
	feed(d, c);
	feed(d, fsync_of(1, "/elsewhere/y"));
	pending(&j, "missing-dir-fsync", &c);
	durability_finish(d, &j.fs);
	assert_status(&j, FST_NO_INTENT,
		      "no durability intent: the tree fsync'ed neither "
		      "'/d/x' nor anything in '/d'");
	durability_free(d);
}

static void test_rename_chain_across_processes(void **state)
{
	struct durability *d = durability_new();
	struct event r1, r2;
	struct judged j1, j2;

	(void)state;
	/* pack-objects: tmp_pack, fsync, rename; repack: rename again */
	feed(d, create(3, "/p/tmp_pack"));
	feed(d, fsync_of(3, "/p/tmp_pack"));
	r1 = two("rename", 3, "/p/tmp_pack", "/p/.tmp-pack");
	feed(d, r1);
	r2 = two("rename", 2, "/p/.tmp-pack", "/p/pack-1.pack");
	feed(d, r2);
	pending(&j1, "missing-dir-fsync", &r1);
	pending(&j2, "missing-dir-fsync", &r2);
	durability_finish(d, &j1.fs);
	durability_finish(d, &j2.fs);
	assert_status(&j1, FST_NO_INTENT,
		      "the name was removed or renamed away later");
	assert_status(&j2, FST_REPORTED, NULL);
	durability_free(d);
}

static void test_fsync_of_stale_name_follows_rename(void **state)
{
	struct durability *d = durability_new();
	struct event r;
	struct judged j;

	(void)state;
	feed(d, create(1, "/a/tmp"));
	r = two("rename", 1, "/a/tmp", "/b/final");
	feed(d, r);
	/* through the fd opened as /a/tmp; /b itself never fsync'ed */
	feed(d, fsync_of(1, "/a/tmp"));
	pending(&j, "missing-dir-fsync", &r);
	durability_finish(d, &j.fs);
	assert_status(&j, FST_REPORTED, NULL);
	durability_free(d);
}

static void test_identity_across_link(void **state)
{
	struct durability *d = durability_new();
	struct event c = create(1, "/e/a"), l;
	struct judged j;

	(void)state;
	c.stat.valid = true;
	c.stat.dev = 1;
	c.stat.ino = 5;
	feed(d, c);
	l = two("link", 1, "/e/a", "/d/b");
	feed(d, l);
	feed(d, on_path("unlink", 1, "/e/a"));
	/* the fd opened as /e/a: only its identity ties it to /d/b */
	feed(d, fsync_of(1, "/e/a"));
	pending(&j, "missing-dir-fsync", &l);
	durability_finish(d, &j.fs);
	assert_status(&j, FST_REPORTED, NULL);
	durability_free(d);
}

static void test_replaced_name_judged_once(void **state)
{
	struct durability *d = durability_new();
	struct event c = create(1, "/l/state"), r;
	struct judged jc, jr;

	(void)state;
	/* logrotate: creates its state file, later renames a new one over */
	feed(d, c);
	feed(d, create(1, "/l/state.tmp"));
	feed(d, fsync_of(1, "/l/state.tmp"));
	r = two("rename", 1, "/l/state.tmp", "/l/state");
	feed(d, r);
	pending(&jc, "missing-dir-fsync", &c);
	pending(&jr, "missing-dir-fsync", &r);
	durability_finish(d, &jc.fs);
	durability_finish(d, &jr.fs);
	assert_status(&jc, FST_NO_INTENT, "the name was replaced later");
	assert_status(&jr, FST_REPORTED, NULL);
	durability_free(d);
}

static void test_open_creat_of_existing_file(void **state)
{
	struct durability *d = durability_new();
	struct event c;
	struct judged j;

	(void)state;
	/* vim: stat, then O_WRONLY|O_CREAT of the file it writes in place */
	feed(d, on_path("newfstatat", 1, "/v/f"));
	c = on_path("openat", 1, "/v/f");
	c.has |= HAS_FLAGS;
	c.flags = O_WRONLY_ | O_CREAT_;
	c.ret = 3;
	feed(d, c);
	feed(d, fsync_of(1, "/v/f"));
	pending(&j, "missing-dir-fsync", &c);
	durability_finish(d, &j.fs);
	assert_status(&j, FST_NO_INTENT, "the name existed before");
	/* the same open of a name the tree saw absent creates it */
	feed(d, on_path("unlink", 1, "/v/f"));
	c = on_path("openat", 1, "/v/f");
	c.has |= HAS_FLAGS;
	c.flags = O_WRONLY_ | O_CREAT_;
	c.ret = 3;
	feed(d, c);
	feed(d, fsync_of(1, "/v/f"));
	pending(&j, "missing-dir-fsync", &c);
	durability_finish(d, &j.fs);
	assert_status(&j, FST_REPORTED, NULL);
	durability_free(d);
}

static void test_sync_without_result_clears(void **state)
{
	struct durability *d = durability_new();
	struct event c = create(1, "/d/x"), s;
	struct judged j;

	(void)state;
	feed(d, c);
	feed(d, fsync_of(1, "/d/x"));
	s = sc("sync", 1);
	s.has = 0; /* SCF_NO_EXIT: no exit stop, no result */
	feed(d, s);
	pending(&j, "missing-dir-fsync", &c);
	durability_finish(d, &j.fs);
	assert_status(&j, FST_NO_INTENT, "durable: ");
	durability_free(d);
}

/* rename-without-fsync: the match happens on the rename event itself. */
static enum finding_status rename_match(struct durability *d, const char *from,
					const char *to, struct judged *j)
{
	struct event w = create(1, from), r = two("rename", 1, from, to);
	struct evidence ev[2];
	const struct evidence *evs[2] = {&ev[0], &ev[1]};
	const char *reason = "unset";
	struct rule rule = {.id = (char *)"rename-without-fsync"};
	char src[64];
	enum finding_status s;

	feed(d, w);
	feed(d, r);
	evidence_view(&ev[0], &w, src, sizeof(src));
	evidence_view(&ev[1], &r, src, sizeof(src));
	s = durability_match(d, &rule, evs, 2, &reason);
	assert_null(reason);
	pending(j, "rename-without-fsync", &r);
	return s;
}

static void test_rename_over_users_file(void **state)
{
	struct durability *d = durability_new();
	struct judged j;

	(void)state;
	feed(d, on_path("newfstatat", 1, "/u/f"));
	assert_int_equal(rename_match(d, "/u/f.tmp", "/u/f", &j), FST_REPORTED);
	/* removed first (the naive status update): replaced all the same */
	feed(d, on_path("openat", 1, "/u/g"));
	feed(d, on_path("unlink", 1, "/u/g"));
	assert_int_equal(rename_match(d, "/u/g.tmp", "/u/g", &j), FST_REPORTED);
	durability_free(d);
}

static void test_rename_over_own_state_waits(void **state)
{
	struct durability *d = durability_new();
	struct judged j;

	(void)state;
	feed(d, on_path("openat", 1, "/r/.git/index"));
	assert_int_equal(
		rename_match(d, "/r/.git/index.lock", "/r/.git/index", &j),
		FST_PENDING);
	durability_finish(d, &j.fs);
	assert_status(&j, FST_NO_INTENT, "no durability intent: ");
	/* a file the tree wrote itself, then replaced */
	feed(d, create(1, "/u/out"));
	assert_int_equal(rename_match(d, "/u/out.tmp", "/u/out", &j),
			 FST_PENDING);
	/* the tree fsyncs something else there: it means /u to be durable */
	feed(d, fsync_of(1, "/u/journal"));
	durability_finish(d, &j.fs);
	assert_status(&j, FST_REPORTED, NULL);
	durability_free(d);
}

/* sync_file_range(2) says the tree means its directory to be durable. */
static void test_sync_file_range_is_intent(void **state)
{
	struct durability *d = durability_new();
	struct event s = sc("sync_file_range", 1);
	struct judged j;

	(void)state;
	feed(d, create(1, "/u/out"));
	assert_int_equal(rename_match(d, "/u/out.tmp", "/u/out", &j),
			 FST_PENDING);
	s.has |= HAS_FD;
	s.fd = 3;
	s.fd_path = "/u/journal";
	feed(d, s);
	durability_finish(d, &j.fs);
	assert_status(&j, FST_REPORTED, NULL);
	/* the twin without it: no intent */
	feed(d, create(1, "/v/out"));
	assert_int_equal(rename_match(d, "/v/out.tmp", "/v/out", &j),
			 FST_PENDING);
	durability_finish(d, &j.fs);
	assert_status(&j, FST_NO_INTENT,
		      "no durability intent: '/v/out' replaced no file of "
		      "the user's, and the tree fsync'ed nothing in '/v'");
	durability_free(d);
}

static void test_other_rules_untouched(void **state)
{
	struct durability *d = durability_new();
	struct rule r = {.id = (char *)"in-place-rewrite"};
	struct event ev = create(1, "/x");
	struct evidence e;
	const struct evidence *evs[1] = {&e};
	const char *reason = "unset";
	char src[64];

	(void)state;
	evidence_view(&e, &ev, src, sizeof(src));
	assert_int_equal(durability_match(d, &r, evs, 1, &reason),
			 FST_REPORTED);
	assert_null(reason);
	durability_free(d);
}

static void test_sweep_keeps_what_finish_needs(void **state)
{
	struct durability *d = durability_new();
	struct event c = create(1, "/s/keep");
	struct judged j;
	char paths[2][32];

	(void)state;
	feed(d, c);
	feed(d, fsync_of(1, "/s/keep"));
	feed(d, on_path("newfstatat", 1, "/u/f"));
	/* more names only looked at than the table keeps */
	for (int i = 0; i <= 262144; i++) {
		snprintf(paths[i & 1], sizeof(paths[0]), "/s/n%d", i);
		feed(d, on_path("newfstatat", 1, paths[i & 1]));
	}
	feed(d, on_path("newfstatat", 1, "/s/last"));
	pending(&j, "missing-dir-fsync", &c);
	durability_finish(d, &j.fs);
	assert_status(&j, FST_REPORTED, NULL);
	/* /u/f was only seen, long ago: forgotten, the rename waits */
	assert_int_equal(rename_match(d, "/u/f.tmp", "/u/f", &j), FST_PENDING);
	durability_free(d);
}

static void test_exchange(void **state)
{
	struct durability *d = durability_new();
	struct rule rule = {.id = (char *)"rename-without-fsync"};
	struct event w = create(1, "/x/a"), x;
	struct evidence ev[2];
	const struct evidence *evs[2] = {&ev[0], &ev[1]};
	const char *reason;
	struct judged j;
	char src[64];

	(void)state;
	feed(d, w);
	feed(d, fsync_of(1, "/x/a"));
	feed(d, on_path("newfstatat", 1, "/x/b"));
	x = two("renameat2", 1, "/x/a", "/x/b");
	x.has |= HAS_FLAGS;
	x.flags = 2; /* RENAME_EXCHANGE */
	feed(d, x);
	/* the user's /x/b is kept, as /x/a: not a rename over it */
	evidence_view(&ev[0], &w, src, sizeof(src));
	evidence_view(&ev[1], &x, src, sizeof(src));
	assert_int_equal(durability_match(d, &rule, evs, 2, &reason),
			 FST_PENDING);
	/* /x/b now holds the fsync'ed object */
	pending(&j, "missing-dir-fsync", &x);
	durability_finish(d, &j.fs);
	assert_status(&j, FST_REPORTED, NULL);
	durability_free(d);
}

/* A reason naming a long name and its long directory is cut at
 * PATH_MAX + 127 bytes. */
static void test_long_reason_cut(void **state)
{
	static char p[4096], dir[4096], to[4096], want[16384];
	struct durability *d = durability_new();
	struct event c;
	struct judged j;

	(void)state;
	p[0] = '/';
	memset(p + 1, 'd', 2000);
	strcpy(dir, p);
	p[2001] = '/';
	memset(p + 2002, 'x', 2000);
	p[4002] = '\0';
	c = on_path("symlink", 1, p);
	feed(d, c);
	pending(&j, "missing-dir-fsync", &c);
	durability_finish(d, &j.fs);
	snprintf(want, sizeof(want),
		 "no durability intent: the tree fsync'ed neither '%s' nor "
		 "anything in '%s'",
		 p, dir);
	want[4096 + 127] = '\0';
	assert_int_equal(j.f.status, FST_NO_INTENT);
	assert_string_equal(j.f.status_reason, want);
	free(j.f.status_reason);

	strcpy(to, p);
	to[4001] = 'y';
	assert_int_equal(rename_match(d, p, to, &j), FST_PENDING);
	durability_finish(d, &j.fs);
	snprintf(want, sizeof(want),
		 "no durability intent: '%s' replaced no file of the user's, "
		 "and the tree fsync'ed nothing in '%s'",
		 to, dir);
	want[4096 + 127] = '\0';
	assert_int_equal(j.f.status, FST_NO_INTENT);
	assert_string_equal(j.f.status_reason, want);
	free(j.f.status_reason);
	durability_free(d);
}

/* durability_match of rule ID on the evidence of events A and B. */
static enum finding_status match2(struct durability *d, const char *id,
				  const struct event *a, const struct event *b,
				  const char **reason)
{
	struct evidence ev[2];
	const struct evidence *evs[2] = {&ev[0], &ev[1]};
	struct rule rule = {.id = (char *)id};
	char src[64];

	evidence_view(&ev[0], a, src, sizeof(src));
	if (b)
		evidence_view(&ev[1], b, src, sizeof(src));
	return durability_match(d, &rule, evs, b ? 2 : 1, reason);
}

/* A rename over a file the tree only looked at replaces the user's data,
 * unless the file lies in a dot-directory (a program's own state). */
static void test_rename_over_foreign_in_dot_dirs(void **state)
{
	static const struct {
		const char *to;
		enum finding_status want;
	} cases[] = {
		{"/u/f", FST_REPORTED},	       {"/u/.f", FST_REPORTED},
		{"/u/./f", FST_REPORTED},      {"/u/../f", FST_REPORTED},
		{"/u/.cache/f", FST_PENDING},  {"/u/.a/f", FST_PENDING},
		{"/u/../.git/f", FST_PENDING}, {"/.git/x/f", FST_PENDING},
		{"/u/..a/f", FST_PENDING},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct durability *d = durability_new();
		char from[64];
		struct judged j;

		snprintf(from, sizeof(from), "%s.tmp", cases[i].to);
		feed(d, on_path("newfstatat", 1, cases[i].to));
		if (rename_match(d, from, cases[i].to, &j) != cases[i].want)
			fail_msg("rename over %s: not %d", cases[i].to,
				 cases[i].want);
		durability_free(d);
	}
}

/* A call that fails with ENOENT says the name is gone (another hand
 * removed it); another error says nothing. */
static void test_failure_says_gone(void **state)
{
	struct durability *d = durability_new();
	struct event ev;
	struct judged j;

	(void)state;
	feed(d, on_path("newfstatat", 1, "/u/a"));
	ev = on_path("newfstatat", 1, "/u/a");
	ev.ret = -1;
	ev.err = 13; /* EACCES */
	feed(d, ev);
	assert_int_equal(rename_match(d, "/u/a.tmp", "/u/a", &j), FST_REPORTED);
	feed(d, on_path("newfstatat", 1, "/u/b"));
	ev = on_path("openat", 1, "/u/b");
	ev.ret = -1;
	ev.err = 2; /* ENOENT */
	feed(d, ev);
	assert_int_equal(rename_match(d, "/u/b.tmp", "/u/b", &j), FST_PENDING);
	/* a failed fsync is no intent */
	feed(d, create(1, "/w/c"));
	ev = fsync_of(1, "/w/c");
	ev.ret = -1;
	ev.err = 5;
	feed(d, ev);
	assert_int_equal(rename_match(d, "/w/c.tmp", "/w/c", &j), FST_PENDING);
	durability_finish(d, &j.fs);
	assert_status(&j, FST_NO_INTENT, "no durability intent: '/w/c'");
	/* nor one of a relative path */
	feed(d, create(1, "/w/e"));
	feed(d, fsync_of(1, "w/e"));
	assert_int_equal(rename_match(d, "/w/e.tmp", "/w/e", &j), FST_PENDING);
	durability_finish(d, &j.fs);
	assert_status(&j, FST_NO_INTENT, "no durability intent: '/w/e'");
	durability_free(d);
}

/* zip's placeholder: unlink-then-rename onto the tree's own file, made
 * and removed by this run, loses nothing. */
static void test_unlink_rename_onto_own(void **state)
{
	struct durability *d = durability_new();
	struct event c = create(1, "/z/f"), u, r;
	const char *reason;

	(void)state;
	feed(d, c);
	u = on_path("unlink", 1, "/z/f");
	feed(d, u);
	feed(d, create(1, "/z/t"));
	r = two("rename", 1, "/z/t", "/z/f");
	feed(d, r);
	assert_int_equal(match2(d, "unlink-then-rename", &u, &r, &reason),
			 FST_PRIVATE);
	assert_string_equal(reason, "it held only what this run had put "
				    "there: no older version is lost");
	/* one event, or not the rename just fed: as it is */
	assert_int_equal(match2(d, "unlink-then-rename", &r, NULL, &reason),
			 FST_REPORTED);
	assert_null(reason);
	assert_int_equal(match2(d, "unlink-then-rename", &r, &u, &reason),
			 FST_REPORTED);
	/* the user's file, removed then replaced: lost */
	feed(d, on_path("newfstatat", 1, "/z/g"));
	u = on_path("unlink", 1, "/z/g");
	feed(d, u);
	r = two("rename", 1, "/z/t2", "/z/g");
	feed(d, r);
	assert_int_equal(match2(d, "unlink-then-rename", &u, &r, &reason),
			 FST_REPORTED);
	/* a name never made: nothing of the run's */
	u = on_path("unlink", 1, "/z/h");
	feed(d, u);
	r = two("rename", 1, "/z/t3", "/z/h");
	feed(d, r);
	assert_int_equal(match2(d, "unlink-then-rename", &u, &r, &reason),
			 FST_REPORTED);
	/* rename-without-fsync of one event is not judged here */
	assert_int_equal(match2(d, "rename-without-fsync", &r, NULL, &reason),
			 FST_REPORTED);
	assert_int_equal(match2(d, "missing-dir-fsync", &r, NULL, &reason),
			 FST_PENDING);
	durability_free(d);
}

/* An open with O_CREAT made the name when the trace says it did not
 * exist, whatever the tree saw before. */
static void test_open_existed(void **state)
{
	struct durability *d = durability_new();
	struct event c;
	struct judged j;

	(void)state;
	c = on_path("openat", 1, "/x/f");
	c.has |= HAS_FLAGS | HAS_EXISTED;
	c.flags = O_WRONLY_ | O_CREAT_;
	c.existed = true;
	c.ret = 3;
	feed(d, c);
	feed(d, fsync_of(1, "/x/f"));
	pending(&j, "missing-dir-fsync", &c);
	durability_finish(d, &j.fs);
	assert_status(&j, FST_NO_INTENT,
		      "the name existed before: the "
		      "directory did not change");
	feed(d, on_path("newfstatat", 1, "/x/g"));
	c = on_path("openat", 1, "/x/g");
	c.has |= HAS_FLAGS | HAS_EXISTED;
	c.flags = O_WRONLY_ | O_CREAT_;
	c.existed = false;
	c.ret = 3;
	feed(d, c);
	feed(d, fsync_of(1, "/x/g"));
	pending(&j, "missing-dir-fsync", &c);
	durability_finish(d, &j.fs);
	assert_status(&j, FST_REPORTED, NULL);
	/* an O_DIRECTORY open makes nothing */
	c = on_path("openat", 1, "/x/h");
	c.has |= HAS_FLAGS;
	c.flags = O_RDONLY_ | O_CREAT_ | O_DIRECTORY_;
	c.ret = 3;
	feed(d, c);
	pending(&j, "missing-dir-fsync", &c);
	durability_finish(d, &j.fs);
	assert_status(&j, FST_NO_INTENT,
		      "no durability intent: the tree "
		      "never fsync'ed '/x/h' (in '/x')");
	durability_free(d);
}

/* sync(2) after a change makes it durable; one before does not. */
static void test_sync_all(void **state)
{
	struct durability *d = durability_new();
	struct event c, s;
	struct judged j;

	(void)state;
	s = sc("syncfs", 1);
	feed(d, s);
	c = on_path("mkdir", 1, "/s/a");
	feed(d, c);
	pending(&j, "missing-dir-fsync", &c);
	durability_finish(d, &j.fs);
	assert_status(&j, FST_NO_INTENT,
		      "no durability intent: the tree "
		      "fsync'ed neither '/s/a' nor "
		      "anything in '/s'");
	feed(d, sc("sync", 1));
	pending(&j, "missing-dir-fsync", &c);
	durability_finish(d, &j.fs);
	assert_status(&j, FST_NO_INTENT,
		      "durable: the tree fsync'ed '/s' "
		      "after the change");
	/* the directory's own fsync, at the change's seq or before: not */
	c = on_path("mkdir", 1, "/t/a");
	feed(d, c);
	pending(&j, "missing-dir-fsync", &c);
	feed(d, fsync_of(1, "/t"));
	durability_finish(d, &j.fs);
	assert_status(&j, FST_NO_INTENT, "durable: the tree fsync'ed '/t'");
	durability_free(d);
}

/* What durability_finish leaves as it was, and what it decides without
 * a path. */
static void test_finish_edges(void **state)
{
	struct durability *d = durability_new();
	struct event fs = fsync_of(1, "/q/x"), r;
	struct judged j;

	(void)state;
	/* a change by fd only: no name to judge, reported */
	pending(&j, "missing-dir-fsync", &fs);
	j.f.ev[0].fd_path = NULL;
	durability_finish(d, &j.fs);
	assert_status(&j, FST_REPORTED, NULL);
	/* a rename-without-fsync without a new name: reported */
	r = on_path("rename", 1, "/q/a");
	pending(&j, "rename-without-fsync", &r);
	durability_finish(d, &j.fs);
	assert_status(&j, FST_REPORTED, NULL);
	/* another rule, pending: reported */
	pending(&j, "other-rule", &r);
	durability_finish(d, &j.fs);
	assert_status(&j, FST_REPORTED, NULL);
	/* decided already, or without evidence: untouched */
	pending(&j, "missing-dir-fsync", &r);
	j.f.status = FST_SUPPRESSED;
	durability_finish(d, &j.fs);
	assert_int_equal(j.f.status, FST_SUPPRESSED);
	/* one evidence is enough to decide */
	pending(&j, "rename-without-fsync", &r);
	j.f.nev = 1;
	durability_finish(d, &j.fs);
	assert_status(&j, FST_REPORTED, NULL);
	pending(&j, "missing-dir-fsync", &r);
	j.f.nev = 0;
	durability_finish(d, &j.fs);
	assert_int_equal(j.f.status, FST_PENDING);
	durability_free(d);
	durability_free(NULL);
}

/* An fd opened before renames still names the object, up to 8 renames
 * on. */
static void test_fsync_after_many_renames(void **state)
{
	for (int n = 7; n <= 9; n++) {
		struct durability *d = durability_new();
		struct event r = {0};
		struct judged j;
		char names[10][16];

		feed(d, create(1, "/m/n0"));
		for (int i = 1; i <= n; i++) {
			snprintf(names[i], sizeof(names[i]), "/p/n%c", 'a' + i);
			r = two("rename", 1, i == 1 ? "/m/n0" : names[i - 1],
				names[i]);
			feed(d, r);
		}
		/* intent for /m, not /p: only the object counts */
		feed(d, fsync_of(1, "/m/n0"));
		pending(&j, "missing-dir-fsync", &r);
		durability_finish(d, &j.fs);
		if (n <= 8)
			assert_status(&j, FST_REPORTED, NULL);
		else
			assert_status(&j, FST_NO_INTENT,
				      "no durability intent: the tree "
				      "fsync'ed neither '/p/nj' nor anything "
				      "in '/p'");
		durability_free(d);
	}
}

/* fstat(fd) and newfstatat(fd, "") say nothing of a name. */
static void test_by_fd_looks(void **state)
{
	struct durability *d = durability_new();
	struct event ev;
	struct judged j;

	(void)state;
	ev = on_path("newfstatat", 1, "/k/f");
	ev.has |= HAS_FD;
	ev.fd = 3;
	ev.path = "";
	feed(d, ev);
	ev = on_path("newfstatat", 1, "/k/g");
	ev.has |= HAS_FD;
	ev.fd = 3;
	ev.path = NULL;
	feed(d, ev);
	assert_int_equal(rename_match(d, "/k/f.tmp", "/k/f", &j), FST_PENDING);
	assert_int_equal(rename_match(d, "/k/g.tmp", "/k/g", &j), FST_PENDING);
	/* by name with a dirfd: a look */
	ev = on_path("newfstatat", 1, "/k/h");
	ev.has |= HAS_FD;
	ev.fd = 3;
	ev.path = "h";
	feed(d, ev);
	assert_int_equal(rename_match(d, "/k/h.tmp", "/k/h", &j), FST_REPORTED);
	durability_free(d);
}

/* A link keeps its source; a rename onto itself changes nothing; an
 * exchange of a name with itself neither. */
static void test_moves_onto_themselves(void **state)
{
	struct durability *d = durability_new();
	struct event c = create(1, "/o/a"), l, x;
	struct judged j;

	(void)state;
	feed(d, c);
	feed(d, fsync_of(1, "/o/a"));
	l = two("link", 1, "/o/a", "/o/b");
	feed(d, l);
	/* /o/a is still there and synced: its create stays judged */
	pending(&j, "missing-dir-fsync", &c);
	durability_finish(d, &j.fs);
	assert_status(&j, FST_REPORTED, NULL);
	feed(d, two("rename", 1, "/o/a", "/o/a"));
	pending(&j, "missing-dir-fsync", &c);
	durability_finish(d, &j.fs);
	assert_status(&j, FST_REPORTED, NULL);
	x = two("renameat2", 1, "/o/a", "/o/a");
	x.has |= HAS_FLAGS;
	x.flags = 2; /* RENAME_EXCHANGE */
	feed(d, x);
	pending(&j, "missing-dir-fsync", &c);
	durability_finish(d, &j.fs);
	assert_status(&j, FST_REPORTED, NULL);
	durability_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parent_fsyncs_dir),
		cmocka_unit_test(test_dir_fsync_before_change_is_intent),
		cmocka_unit_test(test_no_intent),
		cmocka_unit_test(test_rename_chain_across_processes),
		cmocka_unit_test(test_fsync_of_stale_name_follows_rename),
		cmocka_unit_test(test_identity_across_link),
		cmocka_unit_test(test_replaced_name_judged_once),
		cmocka_unit_test(test_open_creat_of_existing_file),
		cmocka_unit_test(test_sync_without_result_clears),
		cmocka_unit_test(test_rename_over_users_file),
		cmocka_unit_test(test_rename_over_own_state_waits),
		cmocka_unit_test(test_sync_file_range_is_intent),
		cmocka_unit_test(test_other_rules_untouched),
		cmocka_unit_test(test_sweep_keeps_what_finish_needs),
		cmocka_unit_test(test_exchange),
		cmocka_unit_test(test_long_reason_cut),
		cmocka_unit_test(test_rename_over_foreign_in_dot_dirs),
		cmocka_unit_test(test_failure_says_gone),
		cmocka_unit_test(test_unlink_rename_onto_own),
		cmocka_unit_test(test_open_existed),
		cmocka_unit_test(test_sync_all),
		cmocka_unit_test(test_finish_edges),
		cmocka_unit_test(test_fsync_after_many_renames),
		cmocka_unit_test(test_by_fd_looks),
		cmocka_unit_test(test_moves_onto_themselves),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
