// SPDX-License-Identifier: MIT
/*
 * The native trace reader. Its record parser is its own (no jansson), so
 * it is checked three ways: events made in C, written by the writer's
 * event_to_json() and read back, must come back field for field; every
 * line of a corpus (writer output, the same re-encoded by jansson with
 * sorted keys, spaces and \u escapes, hand-written odd records, and
 * random corruptions of all of them) must give what the jansson reader
 * it replaced gives, kept below as the reference; and the errors a user
 * sees (malformed line, truncated last line, empty line) are exact.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "event.h"
#include "jsonw.h"
#include "names.h"
#include "reader.h"
#include "syscalls.h"
#include "util.h"
#include "writer.h"

#define HEADER                                                                 \
	"{\"type\":\"header\",\"format\":\"fsrace-trace\",\"version\":1,"      \
	"\"fsrace_version\":\"0.1.0\",\"argv\":[\"./prog\",\"arg\"],"          \
	"\"cwd\":\"/home/u\",\"start_ns\":1764082800123456789,"                \
	"\"start_time\":\"2025-11-25T15:00:00Z\",\"host\":\"box\","            \
	"\"kernel\":\"Linux 6.1.0 x86_64\",\"options\":{\"mode\":\"spawn\","   \
	"\"seccomp\":true,\"pid\":null}}\n"

/* --- the jansson reader this one replaced, as the reference ---------- */

struct ref {
	const char *path;
	unsigned long line;
	const char **argv;
	size_t argv_cap;
};

#define REF_BAD()                                                              \
	do {                                                                   \
		return -EINVAL;                                                \
	} while (0)

static const char *ref_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static bool ref_int(json_t *o, const char *key, int64_t *v)
{
	json_t *j = json_object_get(o, key);

	if (!json_is_integer(j))
		return false;
	*v = json_integer_value(j);
	return true;
}

static uint64_t ref_flags(json_t *a, enum flagset set, bool *ok)
{
	uint64_t bits = 0, b;
	size_t i;
	json_t *x;

	if (!json_is_array(a)) {
		*ok = false;
		return 0;
	}
	json_array_foreach(a, i, x)
	{
		const char *s = json_string_value(x);

		if (!s || flags_parse(set, s, &b) < 0)
			*ok = false;
		else
			bits |= b;
	}
	return bits;
}

static void ref_ident(json_t *o, struct ident *id)
{
	int64_t v;

	if (!json_is_object(o))
		return;
	id->valid = true;
	if (ref_int(o, "dev", &v))
		id->dev = (uint64_t)v;
	if (ref_int(o, "ino", &v))
		id->ino = (uint64_t)v;
	if (ref_int(o, "mode", &v))
		id->mode = (uint32_t)v;
	if (ref_int(o, "nlink", &v))
		id->nlink = (uint64_t)v;
	if (ref_int(o, "uid", &v))
		id->uid = (uint32_t)v;
	if (ref_int(o, "gid", &v))
		id->gid = (uint32_t)v;
	if (ref_int(o, "size", &v))
		id->size = v;
}

static void ref_parent(json_t *o, struct parent_info *p)
{
	int64_t v;

	if (!json_is_object(o))
		return;
	p->valid = true;
	p->path = ref_str(o, "path");
	if (ref_int(o, "uid", &v))
		p->uid = (uint32_t)v;
	if (ref_int(o, "mode", &v))
		p->mode = (uint32_t)v;
}

static int ref_syscall(struct ref *r, json_t *o, struct event *ev)
{
	const char *name = ref_str(o, "syscall");
	int64_t v;
	bool ok = true;
	json_t *j;

	if (!name)
		REF_BAD();
	ev->sc = syscall_by_name(name);
	if (!ev->sc)
		return 0;
	if (ref_int(o, "ts_enter", &v))
		ev->ts_enter = (uint64_t)v;
	if (ref_int(o, "ts_exit", &v))
		ev->ts_exit = (uint64_t)v;
	if (ref_int(o, "dirfd", &v)) {
		ev->has |= HAS_DIRFD;
		ev->dirfd = (int)v;
		ev->dirfd_path = ref_str(o, "dirfd_path");
	}
	if ((ev->path = ref_str(o, "path"))) {
		ev->has |= HAS_PATH;
		ev->abspath = ref_str(o, "abspath");
	}
	if (ref_int(o, "dirfd2", &v)) {
		ev->has |= HAS_DIRFD2;
		ev->dirfd2 = (int)v;
		ev->dirfd2_path = ref_str(o, "dirfd2_path");
	}
	if ((ev->path2 = ref_str(o, "path2"))) {
		ev->has |= HAS_PATH2;
		ev->abspath2 = ref_str(o, "abspath2");
	}
	if (ref_int(o, "fd", &v)) {
		ev->has |= HAS_FD;
		ev->fd = (int)v;
		ev->fd_path = ref_str(o, "fd_path");
	}
	if (ref_int(o, "fd2", &v)) {
		ev->has |= HAS_FD2;
		ev->fd2 = (int)v;
		ev->fd2_path = ref_str(o, "fd2_path");
	}
	if ((j = json_object_get(o, "flags"))) {
		ev->has |= HAS_FLAGS;
		ev->flags = ref_flags(j, syscall_flagset(ev->sc), &ok);
	}
	if (ref_int(o, "mode", &v)) {
		ev->has |= HAS_MODE;
		ev->mode = (uint32_t)v;
	}
	if ((j = json_object_get(o, "access"))) {
		ev->has |= HAS_ACCESS;
		ev->access = (uint32_t)ref_flags(j, FLAGS_ACCESS, &ok);
	}
	if ((j = json_object_get(o, "resolve"))) {
		ev->has |= HAS_RESOLVE;
		ev->resolve = ref_flags(j, FLAGS_RESOLVE, &ok);
	}
	if (ref_int(o, "uid", &v)) {
		ev->has |= HAS_OWNER;
		ev->uid = v;
		if (ref_int(o, "gid", &v))
			ev->gid = v;
	}
	if (ref_int(o, "length", &v)) {
		ev->has |= HAS_LENGTH;
		ev->length = v;
	}
	if ((j = json_object_get(o, "cmd"))) {
		ev->has |= HAS_CMD;
		if (json_is_string(j))
			ev->cmd = fcntl_cmd_parse(json_string_value(j));
		else
			ev->cmd = (int)json_integer_value(j);
		if (ref_int(o, "arg", &v))
			ev->arg = v;
	}
	if ((ev->xattr = ref_str(o, "xattr")))
		ev->has |= HAS_XATTR;
	if ((ev->target = ref_str(o, "target")))
		ev->has |= HAS_TARGET;
	if ((j = json_object_get(o, "argv"))) {
		size_t n = json_array_size(j);

		ev->has |= HAS_ARGV;
		if (n + 1 > r->argv_cap) {
			r->argv_cap = n + 1;
			r->argv =
				xrealloc(r->argv, r->argv_cap * sizeof(char *));
		}
		for (size_t i = 0; i < n; i++) {
			const char *s = json_string_value(json_array_get(j, i));

			r->argv[i] = s ? s : "";
		}
		r->argv[n] = NULL;
		ev->argv = r->argv;
		ev->argc = (int)n;
	}
	if (ref_int(o, "old_tid", &v)) {
		ev->has |= HAS_OLD_TID;
		ev->old_tid = (int)v;
	}
	if (ref_int(o, "ret", &v)) {
		ev->has |= HAS_RET;
		ev->ret = v;
		if ((j = json_object_get(o, "errno"))) {
			if (json_is_string(j))
				ev->err = errno_parse(json_string_value(j));
			else
				ev->err = (int)json_integer_value(j);
			if (ev->err < 0)
				ok = false;
		}
	}
	ev->ret_path = ref_str(o, "ret_path");
	ref_ident(json_object_get(o, "stat"), &ev->stat);
	ref_parent(json_object_get(o, "parent"), &ev->parent);
	ref_parent(json_object_get(o, "parent2"), &ev->parent2);
	if (!ok)
		REF_BAD();
	return 1;
}

/* "source" is newer than the jansson reader: read it as the reader
 * does, "LOG:LINE" cut at the last colon, with strtoull. */
static char ref_src[4096];

static void ref_source(struct event *ev, const char *s)
{
	unsigned long long line;
	char *colon, *end;

	if (!s)
		return;
	snprintf(ref_src, sizeof(ref_src), "%s", s);
	ev->source_file = ref_src;
	colon = strrchr(ref_src, ':');
	if (!colon || colon[1] < '0' || colon[1] > '9')
		return;
	errno = 0;
	line = strtoull(colon + 1, &end, 10);
	if (*end || errno)
		return;
	*colon = '\0';
	ev->source_line = line;
}

static int ref_record(struct ref *r, json_t *o, struct event *ev)
{
	const char *type = ref_str(o, "type");
	int64_t pid, tid, v;
	json_t *j;

	if (!type || !ref_int(o, "seq", &v) || !ref_int(o, "pid", &pid) ||
	    !ref_int(o, "tid", &tid))
		REF_BAD();
	if (!strcmp(type, "syscall"))
		event_init(ev, EV_SYSCALL);
	else if (!strcmp(type, "fork"))
		event_init(ev, EV_FORK);
	else if (!strcmp(type, "exit"))
		event_init(ev, EV_EXIT);
	else if (!strcmp(type, "warning"))
		event_init(ev, EV_WARNING);
	else
		return 0;
	ev->seq = (uint64_t)v;
	ev->pid = (int)pid;
	ev->tid = (int)tid;
	if (ref_int(o, "ts", &v))
		ev->ts_enter = ev->ts_exit = (uint64_t)v;
	ref_source(ev, ref_str(o, "source"));
	switch (ev->type) {
	case EV_SYSCALL:
		return ref_syscall(r, o, ev);
	case EV_FORK: {
		const char *kind = ref_str(o, "kind");
		size_t i;

		if (ref_int(o, "child_pid", &v))
			ev->child_pid = (int)v;
		if (ref_int(o, "child_tid", &v))
			ev->child_tid = (int)v;
		ev->fork_syscall = ref_str(o, "syscall");
		ev->fork_kind = !kind			  ? FORK_PROCESS
				: !strcmp(kind, "thread") ? FORK_THREAD
				: !strcmp(kind, "vfork")  ? FORK_VFORK
							  : FORK_PROCESS;
		json_array_foreach(json_object_get(o, "shares"), i, j)
		{
			const char *s = json_string_value(j);

			if (s && !strcmp(s, "files"))
				ev->share_files = true;
			if (s && !strcmp(s, "fs"))
				ev->share_fs = true;
		}
		return 1;
	}
	case EV_EXIT:
		if (ref_int(o, "status", &v))
			ev->exit_status = (int)v;
		if ((j = json_object_get(o, "signal"))) {
			ev->exit_signal =
				json_is_string(j)
					? signal_parse(json_string_value(j))
					: (int)json_integer_value(j);
			if (ev->exit_signal <= 0)
				REF_BAD();
		}
		ev->core_dumped =
			json_is_true(json_object_get(o, "core_dumped"));
		return 1;
	case EV_WARNING:
		ev->message = ref_str(o, "message");
		return 1;
	}
	return 0;
}

/* What the reference says of LINE; *KEEP holds the strings of EV. */
enum outcome { O_EVENT, O_SKIP, O_ERROR, O_TOO_BIG };

static enum outcome ref_line(struct ref *r, const char *line, json_t **keep,
			     struct event *ev)
{
	json_error_t je;
	json_t *o = json_loadb(line, strlen(line), 0, &je);
	int ret;

	*keep = o;
	if (!o || !json_is_object(o))
		/* jansson stops at 2^63-1; the reader goes to 2^64-1 */
		return !o && strstr(je.text, "too big") ? O_TOO_BIG : O_ERROR;
	ret = ref_record(r, o, ev);
	return ret > 0 ? O_EVENT : ret == 0 ? O_SKIP : O_ERROR;
}

/* --- helpers ---------------------------------------------------------- */

static char tmpdir[] = "/tmp/test-reader-XXXXXX";
static char path[64];

static int setup(void **state)
{
	assert_non_null(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/t.jsonl", tmpdir);
	return 0;
}

static int teardown(void **state)
{
	unlink(path);
	rmdir(tmpdir);
	return 0;
}

static int open_trace(struct trace_reader *r, char *err, size_t errlen)
{
	return trace_reader_open(r, path, err, errlen);
}

static void write_file(const char *data, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	close(fd);
}

static void assert_str_eq(const char *a, const char *b, const char *what)
{
	if (!a || !b) {
		if (a != b)
			fail_msg("%s: %s vs %s", what, a ? a : "NULL",
				 b ? b : "NULL");
		return;
	}
	if (strcmp(a, b))
		fail_msg("%s: '%s' vs '%s'", what, a, b);
}

#define EQ(f)                                                                  \
	do {                                                                   \
		if (a->f != b->f)                                              \
			fail_msg("seq %llu: " #f ": %lld vs %lld",             \
				 (unsigned long long)a->seq, (long long)a->f,  \
				 (long long)b->f);                             \
	} while (0)
#define SEQ(f) assert_str_eq(a->f, b->f, #f)

static void assert_events_equal(const struct event *a, const struct event *b)
{
	EQ(type);
	EQ(seq);
	EQ(pid);
	EQ(tid);
	EQ(ts_enter);
	EQ(ts_exit);
	EQ(has);
	assert_ptr_equal(a->sc, b->sc);
	EQ(dirfd);
	SEQ(dirfd_path);
	SEQ(path);
	SEQ(abspath);
	EQ(dirfd2);
	SEQ(dirfd2_path);
	SEQ(path2);
	SEQ(abspath2);
	EQ(fd);
	SEQ(fd_path);
	EQ(fd2);
	SEQ(fd2_path);
	EQ(flags);
	EQ(mode);
	EQ(access);
	EQ(resolve);
	EQ(uid);
	EQ(gid);
	EQ(length);
	EQ(cmd);
	EQ(arg);
	SEQ(xattr);
	SEQ(target);
	EQ(argc);
	if (a->argv || b->argv) {
		assert_non_null(a->argv);
		assert_non_null(b->argv);
		for (int i = 0; i < a->argc; i++)
			assert_str_eq(a->argv[i], b->argv[i], "argv[i]");
		assert_null(a->argv[a->argc]);
		assert_null(b->argv[b->argc]);
	}
	EQ(old_tid);
	EQ(ret);
	EQ(err);
	SEQ(ret_path);
	EQ(stat.valid);
	EQ(stat.dev);
	EQ(stat.ino);
	EQ(stat.mode);
	EQ(stat.nlink);
	EQ(stat.uid);
	EQ(stat.gid);
	EQ(stat.size);
	EQ(parent.valid);
	SEQ(parent.path);
	EQ(parent.uid);
	EQ(parent.mode);
	EQ(parent2.valid);
	SEQ(parent2.path);
	EQ(parent2.uid);
	EQ(parent2.mode);
	EQ(child_pid);
	EQ(child_tid);
	EQ(fork_kind);
	EQ(share_files);
	EQ(share_fs);
	SEQ(fork_syscall);
	EQ(exit_status);
	EQ(exit_signal);
	EQ(core_dumped);
	SEQ(message);
	SEQ(source_file);
	EQ(source_line);
}

/* Capture what FN writes on stderr. */
static char captured[4096];

static int with_stderr_captured(int (*fn)(void *), void *arg)
{
	char cap[80];
	int saved = dup(2), fd, ret;
	ssize_t n;

	snprintf(cap, sizeof(cap), "%s/stderr", tmpdir);
	fd = open(cap, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, 2);
	ret = fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, captured, sizeof(captured) - 1, 0);
	captured[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(cap);
	return ret;
}

/* --- random events ---------------------------------------------------- */

static uint64_t rng = 0x853c49e6748fea9bULL;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static bool coin(void)
{
	return rnd() & 1;
}

/* Strings that exercise the writer's escapes and the reader's decoding:
 * quotes, backslashes, control characters, 2- to 4-byte UTF-8. */
static const char *const strings[] = {
	"/tmp/x",
	"",
	"/home/u/src/a file with spaces.c",
	"quote\"back\\slash/solidus",
	"tab\there\nnewline\rcr\bbs\ffeed",
	"\x01\x02\x1f\x7f ctl",
	"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	"/very/long/path/that/goes/on/and/on/for/quite/a/while/past/the/"
	"sixteen/byte/loads/of/the/scanner/and/then/some/more.txt",
	"\xef\xbf\xbf\xf4\x8f\xbf\xbf",
	"0123456789abcdef0123456789abcdef",
};

static const char *rstr(void)
{
	return strings[rnd() % (sizeof(strings) / sizeof(strings[0]))];
}

static const char *rstr_or_null(void)
{
	return coin() ? rstr() : NULL;
}

/* Big values only where the writer writes unsigned numbers and the
 * reader is asked for them (the reference stops at 2^63-1). */
static uint64_t ru64(bool big)
{
	uint64_t v = rnd();

	switch (rnd() % 4) {
	case 0:
		return v % 100;
	case 1:
		return v % 100000;
	default:
		return big ? v : v >> 1;
	}
}

static int64_t ri64(void)
{
	switch (rnd() % 4) {
	case 0:
		return (int64_t)(rnd() % 10) - 5;
	case 1:
		return (int64_t)(rnd() >> 1);
	case 2:
		return INT64_MIN + (int64_t)(rnd() % 3);
	default:
		return (int64_t)(rnd() % 100000);
	}
}

static const int errnos[] = {ENOENT,  EACCES, EEXIST, EXDEV,
			     ENOTDIR, EPERM,  ELOOP,  0};

/* A random event that the writer writes in full, so that reading it back
 * must give it again. ARGV is storage for its argv. */
static void random_event(struct event *ev, const char **argv, bool big)
{
	unsigned t = (unsigned)(rnd() % 8);

	event_init(ev, t < 5	? EV_SYSCALL
		       : t == 5 ? EV_FORK
		       : t == 6 ? EV_EXIT
				: EV_WARNING);
	ev->seq = ru64(big);
	ev->pid = (int)(rnd() % 100000);
	ev->tid = coin() ? ev->pid : (int)(rnd() % 100000);
	ev->ts_enter = ru64(big);
	ev->ts_exit = ev->type == EV_SYSCALL ? ru64(big) : ev->ts_enter;
	if (rnd() % 4 == 0) {
		ev->source_file = coin() ? "/tmp/strace.log" : rstr();
		ev->source_line = (unsigned long)ru64(big);
	}
	switch (ev->type) {
	case EV_SYSCALL:
		ev->sc = &syscall_table[rnd() % syscall_table_size];
		if (coin()) {
			ev->has |= HAS_DIRFD;
			ev->dirfd = coin() ? -100 : (int)(rnd() % 1000);
			ev->dirfd_path = rstr_or_null();
		}
		if (coin()) {
			ev->has |= HAS_PATH;
			ev->path = rstr();
			ev->abspath = rstr_or_null();
		}
		if (coin()) {
			ev->has |= HAS_DIRFD2;
			ev->dirfd2 = (int)(rnd() % 1000) - 100;
			ev->dirfd2_path = rstr_or_null();
		}
		if (coin()) {
			ev->has |= HAS_PATH2;
			ev->path2 = rstr();
			ev->abspath2 = rstr_or_null();
		}
		if (coin()) {
			ev->has |= HAS_FD;
			ev->fd = (int)(rnd() % 1024);
			ev->fd_path = rstr_or_null();
		}
		if (coin()) {
			ev->has |= HAS_FD2;
			ev->fd2 = (int)(rnd() % 1024);
			ev->fd2_path = rstr_or_null();
		}
		if (coin()) {
			ev->has |= HAS_FLAGS;
			/* names where there are, hex for the rest */
			ev->flags = coin() ? rnd() : rnd() & 0x3fffff;
		}
		if (coin()) {
			ev->has |= HAS_MODE;
			ev->mode = (uint32_t)rnd();
		}
		if (coin()) {
			ev->has |= HAS_ACCESS;
			ev->access = (uint32_t)(rnd() % 8);
		}
		if (coin()) {
			ev->has |= HAS_RESOLVE;
			ev->resolve = rnd() % 128;
		}
		if (coin()) {
			ev->has |= HAS_OWNER;
			ev->uid = ri64();
			ev->gid = ri64();
		}
		if (coin()) {
			ev->has |= HAS_LENGTH;
			ev->length = ri64();
		}
		if (coin()) {
			ev->has |= HAS_CMD;
			ev->cmd = coin() ? 1030 : (int)(rnd() % 2048);
			ev->arg = ri64();
		}
		if (coin()) {
			ev->has |= HAS_XATTR;
			ev->xattr = rstr();
		}
		if (coin()) {
			ev->has |= HAS_TARGET;
			ev->target = rstr();
		}
		if (coin()) {
			ev->has |= HAS_ARGV;
			ev->argc = (int)(rnd() % 6);
			for (int i = 0; i < ev->argc; i++)
				argv[i] = rstr();
			argv[ev->argc] = NULL;
			ev->argv = argv;
		}
		if (coin()) {
			ev->has |= HAS_OLD_TID;
			ev->old_tid = (int)(rnd() % 100000);
		}
		if (coin()) {
			ev->has |= HAS_RET;
			ev->ret = coin() ? -1 : ri64() & INT64_MAX;
			if (ev->ret < 0)
				ev->err = errnos[rnd() % 7];
		}
		ev->ret_path = rstr_or_null();
		if (coin()) {
			ev->stat.valid = true;
			ev->stat.dev = ru64(big);
			ev->stat.ino = ru64(big);
			ev->stat.mode = (uint32_t)rnd();
			ev->stat.nlink = ru64(big);
			ev->stat.uid = (uint32_t)rnd();
			ev->stat.gid = (uint32_t)rnd();
			ev->stat.size = ri64();
		}
		if (coin()) {
			ev->parent.valid = true;
			ev->parent.path = rstr();
			ev->parent.uid = (uint32_t)rnd();
			ev->parent.mode = (uint32_t)rnd();
		}
		if (coin()) {
			ev->parent2.valid = true;
			ev->parent2.path = rstr();
			ev->parent2.uid = (uint32_t)rnd();
			ev->parent2.mode = (uint32_t)rnd();
		}
		break;
	case EV_FORK:
		ev->fork_syscall = coin() ? "clone" : rstr_or_null();
		ev->child_pid = (int)(rnd() % 100000);
		ev->child_tid = (int)(rnd() % 100000);
		ev->fork_kind = (enum fork_kind)(rnd() % 3);
		ev->share_files = coin();
		ev->share_fs = coin();
		break;
	case EV_EXIT:
		if (coin()) {
			/* 1..64: named signals and SIGRT_n */
			ev->exit_signal = 1 + (int)(rnd() % 64);
			ev->core_dumped = coin();
		} else {
			ev->exit_status = (int)(rnd() % 256);
		}
		break;
	case EV_WARNING:
		ev->message = rstr_or_null();
		break;
	}
}

/* The line the writer writes for EV, NUL-terminated, in W. */
static const char *to_line(struct jsonw *w, const struct event *ev)
{
	jsonw_reset(w);
	event_to_json(w, ev);
	jsonw_raw(w, "\n", 1);
	jsonw_raw(w, "", 1);
	return w->buf;
}

/* --- tests ------------------------------------------------------------ */

static void test_header(void **state)
{
	struct trace_reader r;
	struct event ev;
	char err[256];

	write_file(HEADER, strlen(HEADER));
	assert_int_equal(open_trace(&r, err, sizeof(err)), 0);
	assert_int_equal(r.header.version, 1);
	assert_string_equal(r.header.fsrace_version, "0.1.0");
	assert_string_equal(r.header.argv[0], "./prog");
	assert_string_equal(r.header.argv[1], "arg");
	assert_null(r.header.argv[2]);
	assert_string_equal(r.header.cwd, "/home/u");
	assert_int_equal(r.header.start_ns, 1764082800123456789ULL);
	assert_string_equal(r.header.host, "box");
	assert_false(r.header.attach);
	assert_true(r.header.seccomp);
	assert_int_equal(trace_reader_next(&r, &ev, err, sizeof(err)), 0);
	trace_reader_close(&r);
}

static void test_not_a_trace(void **state)
{
	struct trace_reader r;
	char err[256], want[256];

	write_file("", 0);
	assert_int_equal(open_trace(&r, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s: empty file, not a trace", path);
	assert_string_equal(err, want);
	trace_reader_close(&r);
	write_file("{\"type\":\"syscall\"}\n", 19);
	assert_int_equal(open_trace(&r, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want),
		 "%s:1: not an fsrace trace (no fsrace-trace header)", path);
	assert_string_equal(err, want);
	trace_reader_close(&r);
	assert_int_equal(
		trace_reader_open(&r, "/nonexistent/t.jsonl", err, sizeof(err)),
		-ENOENT);
	assert_string_equal(err, "cannot open '/nonexistent/t.jsonl': "
				 "No such file or directory");
	trace_reader_close(&r);
}

/* Events made in C, written, read back: the same events. */
static void round_trip(bool big, int n)
{
	struct jsonw w, all;
	struct event *evs = xcalloc((size_t)n, sizeof(*evs));
	const char **argvs = xcalloc((size_t)n * 8, sizeof(char *));
	struct trace_reader r;
	struct event got;
	char err[256];

	jsonw_init(&w);
	jsonw_init(&all);
	jsonw_raw(&all, HEADER, strlen(HEADER));
	for (int i = 0; i < n; i++) {
		random_event(&evs[i], argvs + 8 * i, big);
		to_line(&w, &evs[i]);
		jsonw_raw(&all, w.buf, w.len - 1);
	}
	write_file(all.buf, all.len);
	assert_int_equal(open_trace(&r, err, sizeof(err)), 0);
	for (int i = 0; i < n; i++) {
		int ret = trace_reader_next(&r, &got, err, sizeof(err));

		if (ret != 1)
			fail_msg("record %d: %d %s", i, ret, err);
		assert_events_equal(&got, &evs[i]);
		assert_int_equal(r.line, (unsigned long)i + 2);
	}
	assert_int_equal(trace_reader_next(&r, &got, err, sizeof(err)), 0);
	assert_int_equal(r.skipped, 0);
	trace_reader_close(&r);
	jsonw_release(&w);
	jsonw_release(&all);
	free(evs);
	free(argvs);
}

static void test_round_trip(void **state)
{
	/* 20000 records: several MB, so lines straddle the 1 MiB reads */
	round_trip(false, 20000);
}

static void test_round_trip_uint64(void **state)
{
	/* seq, timestamps, dev, ino, nlink up to 2^64-1: the writer writes
	 * them unsigned, and the reader reads them back (jansson could not) */
	round_trip(true, 3000);
}

/*
 * One LINE after the header: what the reader makes of it must be what the
 * reference makes of it. Returns the outcome.
 */
static enum outcome compare_line(const char *line)
{
	struct ref ref = {.path = path, .line = 2};
	struct trace_reader r;
	struct event want, got;
	json_t *keep;
	enum outcome o;
	size_t hn = strlen(HEADER), n = strlen(line);
	char *file = xmalloc(hn + n + 2), err[512];
	int ret;

	memcpy(file, HEADER, hn);
	memcpy(file + hn, line, n);
	file[hn + n] = '\n';
	write_file(file, hn + n + 1);
	free(file);
	memset(&want, 0, sizeof(want));
	o = ref_line(&ref, line, &keep, &want);
	assert_int_equal(open_trace(&r, err, sizeof(err)), 0);
	ret = trace_reader_next(&r, &got, err, sizeof(err));
	switch (o) {
	case O_EVENT:
		if (ret != 1)
			fail_msg("reader: %d (%s) for %s", ret, err, line);
		assert_events_equal(&got, &want);
		break;
	case O_SKIP:
		if (ret != 0 || r.skipped != 1)
			fail_msg("reader: %d, skipped %lu for %s", ret,
				 r.skipped, line);
		break;
	case O_ERROR:
		if (ret != -EINVAL)
			fail_msg("reader: %d, not an error, for %s", ret, line);
		{
			char where[80];

			snprintf(where, sizeof(where), "%s:2: ", path);
			if (strncmp(err, where, strlen(where)))
				fail_msg("error without file:line: %s", err);
		}
		break;
	case O_TOO_BIG:
		break;
	}
	trace_reader_close(&r);
	json_decref(keep);
	free(ref.argv);
	return o;
}

static const char *const odd_lines[] = {
	/* keys in any order, spaces, unknown keys of every kind */
	" { \"ret\" : 3 , \"syscall\" : \"openat\", \"type\":\"syscall\","
	"\"tid\":2,\"pid\":1,\"seq\":9,\"flags\":[\"O_CREAT\",\"O_WRONLY\"],"
	"\"future\":{\"a\":[1,2,{\"b\":null}],\"c\":\"}\"},\"mode\":420,"
	"\"x\":[[[]]],\"y\":true,\"z\":-1.5e-3 } \r",
	/* flags before the syscall that gives them their meaning */
	"{\"flags\":[\"AT_SYMLINK_NOFOLLOW\"],\"type\":\"syscall\",\"seq\":1,"
	"\"pid\":1,\"tid\":1,\"syscall\":\"newfstatat\",\"ret\":0}",
	/* escapes of every kind, surrogate pairs */
	"{\"type\":\"syscall\",\"seq\":1,\"pid\":1,\"tid\":1,\"syscall\":"
	"\"unlink\",\"path\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u20AC"
	"\\ud83d\\ude00\\u0001\",\"abspath\":\"caf\\u00e9\",\"ret\":0}",
	/* duplicate keys: the last wins, in nested objects too */
	"{\"type\":\"syscall\",\"seq\":1,\"seq\":2,\"pid\":1,\"tid\":1,"
	"\"syscall\":\"stat\",\"path\":\"/a\",\"path\":\"/b\",\"stat\":"
	"{\"dev\":1,\"ino\":5,\"size\":3},\"stat\":{\"ino\":7,\"ino\":8,"
	"\"dev\":2,\"dev\":\"x\"},\"parent\":{\"path\":\"/p\",\"uid\":3},"
	"\"parent\":{\"mode\":1},"
	"\"flags\":[1],\"flags\":[]}",
	/* values of the wrong type read as absent */
	"{\"type\":\"syscall\",\"seq\":1,\"pid\":1,\"tid\":1,\"syscall\":"
	"\"openat\",\"dirfd\":\"x\",\"dirfd_path\":\"/d\",\"path\":3,"
	"\"fd\":1.0,\"ret\":1e2,\"stat\":[1],\"parent\":\"p\",\"parent2\":"
	"{\"path\":5,\"uid\":\"0\",\"mode\":-1},\"mode\":null}",
	"{\"type\":\"syscall\",\"seq\":1,\"pid\":1,\"tid\":1,\"syscall\":"
	"\"fcntl\",\"fd\":3,\"cmd\":\"F_GETFL\",\"arg\":\"1\"}",
	"{\"type\":\"syscall\",\"seq\":1,\"pid\":1,\"tid\":1,\"syscall\":"
	"\"fcntl\",\"fd\":3,\"cmd\":[1],\"arg\":5}",
	"{\"type\":\"syscall\",\"seq\":1,\"pid\":1,\"tid\":1,\"syscall\":"
	"\"fcntl\",\"cmd\":1030}",
	"{\"type\":\"syscall\",\"seq\":1,\"pid\":1,\"tid\":1,\"syscall\":"
	"\"open\",\"ret\":-1,\"errno\":13}",
	"{\"type\":\"syscall\",\"seq\":1,\"pid\":1,\"tid\":1,\"syscall\":"
	"\"open\",\"ret\":-1,\"errno\":\"efoo\"}",
	"{\"type\":\"syscall\",\"seq\":1,\"pid\":1,\"tid\":1,\"syscall\":"
	"\"open\",\"ret\":-1,\"errno\":null}",
	"{\"type\":\"syscall\",\"seq\":1,\"pid\":1,\"tid\":1,\"syscall\":"
	"\"open\",\"errno\":\"efoo\"}",
	"{\"type\":\"syscall\",\"seq\":1,\"pid\":1,\"tid\":1,\"syscall\":"
	"\"open\",\"flags\":[\"O_NOPE\"]}",
	"{\"type\":\"syscall\",\"seq\":1,\"pid\":1,\"tid\":1,\"syscall\":"
	"\"open\",\"flags\":\"O_RDONLY\"}",
	"{\"type\":\"syscall\",\"seq\":1,\"pid\":1,\"tid\":1,\"syscall\":"
	"\"open\",\"flags\":[\"O_RDONLY\",\"0x40000000\",\"0x\"]}",
	"{\"type\":\"syscall\",\"seq\":1,\"pid\":1,\"tid\":1,\"syscall\":"
	"\"access\",\"access\":[\"F_OK\"],\"resolve\":[\"RESOLVE_BENEATH\"]}",
	"{\"type\":\"syscall\",\"seq\":1,\"pid\":1,\"tid\":1,\"syscall\":"
	"\"access\",\"access\":[\"R_OK\",\"O_RDONLY\"]}",
	"{\"type\":\"syscall\",\"seq\":1,\"pid\":1,\"tid\":1,\"syscall\":"
	"\"execve\",\"argv\":[\"a\",1,null,[\"b\"],\"c\"],\"uid\":5}",
	"{\"type\":\"syscall\",\"seq\":1,\"pid\":1,\"tid\":1,\"syscall\":"
	"\"execve\",\"argv\":\"a\",\"gid\":5}",
	"{\"type\":\"syscall\",\"seq\":1,\"pid\":1,\"tid\":1,\"syscall\":"
	"\"execve\",\"argv\":[]}",
	"{\"type\":\"syscall\",\"seq\":1,\"pid\":1,\"tid\":1,\"syscall\":"
	"\"no_such_call\",\"flags\":[\"bad\"]}",
	"{\"type\":\"syscall\",\"seq\":1,\"pid\":1,\"tid\":1}",
	"{\"type\":\"syscall\",\"seq\":1,\"pid\":1,\"tid\":1,\"syscall\":7}",
	"{\"type\":\"future\",\"seq\":1,\"pid\":1,\"tid\":1}",
	"{\"type\":\"fork\",\"seq\":-0,\"pid\":-1,\"tid\":1,\"ts\":5,"
	"\"syscall\":\"clone3\",\"child_pid\":2,\"kind\":\"thread\","
	"\"shares\":[\"fs\",\"files\",3,\"other\"]}",
	"{\"type\":\"fork\",\"seq\":1,\"pid\":1,\"tid\":1,\"kind\":\"vfork\","
	"\"shares\":{\"files\":1}}",
	"{\"type\":\"fork\",\"seq\":1,\"pid\":1,\"tid\":1,\"kind\":7}",
	"{\"type\":\"exit\",\"seq\":1,\"pid\":1,\"tid\":1,\"status\":3,"
	"\"signal\":\"SIGKILL\",\"core_dumped\":true}",
	"{\"type\":\"exit\",\"seq\":1,\"pid\":1,\"tid\":1,\"signal\":9,"
	"\"core_dumped\":1}",
	"{\"type\":\"exit\",\"seq\":1,\"pid\":1,\"tid\":1,\"signal\":"
	"\"SIGRT_3\"}",
	"{\"type\":\"exit\",\"seq\":1,\"pid\":1,\"tid\":1,\"signal\":\"SIGX\"}",
	"{\"type\":\"exit\",\"seq\":1,\"pid\":1,\"tid\":1,\"signal\":0}",
	"{\"type\":\"exit\",\"seq\":1,\"pid\":1,\"tid\":1,\"signal\":null}",
	"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1,\"message\":"
	"\"x\\u0000y\"}",
	"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1,\"message\":"
	"\"a 32-bit task\",\"ts\":9223372036854775807}",
	"{\"type\":\"warning\",\"seq\":9223372036854775807,\"pid\":2147483648,"
	"\"tid\":-9223372036854775808}",
	"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1,\"ts\":1e400}",
	"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1,\"ts\":1e-400}",
	"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1,\"ts\":1E+2}",
	"{\"\\u0074ype\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1,"
	"\"mess\\u0061ge\":\"escaped keys\"}",
	"{\"type\":\"exit\",\"seq\":1,\"pid\":1,\"tid\":1,\"source\":"
	"\"/tmp/a:b.log:42\"}",
	"{\"type\":\"exit\",\"seq\":1,\"pid\":1,\"tid\":1,\"source\":"
	"\"no line\"}",
	"{\"type\":\"exit\",\"seq\":1,\"pid\":1,\"tid\":1,\"source\":"
	"\"log:\"}",
	"{\"type\":\"exit\",\"seq\":1,\"pid\":1,\"tid\":1,\"source\":"
	"\"log:12x\"}",
	"{\"type\":\"exit\",\"seq\":1,\"pid\":1,\"tid\":1,\"source\":"
	"\"log:99999999999999999999\"}",
	"{\"type\":\"exit\",\"seq\":1,\"pid\":1,\"tid\":1,\"source\":"
	"\"log:18446744073709551615\"}",
	"{\"type\":\"exit\",\"seq\":1,\"pid\":1,\"tid\":1,\"source\":"
	"7}",
	"{}",
	"[]",
	"[{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1}]",
	"\"a string\"",
	"42",
	"null",
	/* malformed */
	"this is not json",
	"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1",
	"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1,}",
	"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1}}",
	"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1} x",
	"{\"type\":\"warning\",\"seq\":01,\"pid\":1,\"tid\":1}",
	"{\"type\":\"warning\",\"seq\":1.,\"pid\":1,\"tid\":1}",
	"{\"type\":\"warning\",\"seq\":.5,\"pid\":1,\"tid\":1}",
	"{\"type\":\"warning\",\"seq\":+1,\"pid\":1,\"tid\":1}",
	"{\"type\":\"warning\",\"seq\":-,\"pid\":1,\"tid\":1}",
	"{\"type\":\"warning\",\"seq\":1e,\"pid\":1,\"tid\":1}",
	"{\"type\":\"warning\",\"seq\":tru,\"pid\":1,\"tid\":1}",
	"{\"type\":\"warning\",\"seq\":truex,\"pid\":1,\"tid\":1}",
	"{\"type\":\"warning\",\"seq\":nul,\"pid\":1,\"tid\":1}",
	"{\"type\":\"warning\" \"seq\":1,\"pid\":1,\"tid\":1}",
	"{\"type\" \"warning\",\"seq\":1,\"pid\":1,\"tid\":1}",
	"{type:\"warning\",\"seq\":1,\"pid\":1,\"tid\":1}",
	"{'type':'warning'}",
	"{\"type\":\"warn\\xing\",\"seq\":1,\"pid\":1,\"tid\":1}",
	"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1,\"message\":"
	"\"\\u12\"}",
	"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1,\"message\":"
	"\"\\ud800\"}",
	"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1,\"message\":"
	"\"\\ud800\\u0041\"}",
	"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1,\"message\":"
	"\"\\udc00\"}",
	"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1,\"message\":"
	"\"raw\ttab\"}",
	"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1,\"message\":"
	"\"bad \xe9 byte\"}",
	"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1,\"message\":"
	"\"overlong \xc0\xaf\"}",
	"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1,\"message\":"
	"\"surrogate \xed\xa0\x80\"}",
	"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1,\"message\":"
	"\"too high \xf4\x90\x80\x80\"}",
	"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1,\"message\":"
	"\"cut \xe2\x82\"}",
	"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1,\"message\":"
	"\"unterminated}",
	"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1,\"x\":[1,]}",
	"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1,\"x\":[1 2]}",
	"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1,\"x\":{\"a\"}}",
	"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1,\"x\":{1:2}}",
	"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1,\"x\":}",
	"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1,\"stat\":{\"dev\""
	":1,}}",
	"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1,\"argv\":[\"a\""
	",]}",
	"{,}",
	"{",
	"}",
	" ",
};

static void test_odd_lines_agree(void **state)
{
	for (size_t i = 0; i < sizeof(odd_lines) / sizeof(odd_lines[0]); i++)
		compare_line(odd_lines[i]);
}

static void test_big_integers(void **state)
{
	static const char line[] =
		"{\"type\":\"warning\",\"seq\":18446744073709551615,\"pid\":1,"
		"\"tid\":1,\"ts\":9223372036854775808}";
	struct trace_reader r;
	struct event ev;
	char err[256], file[512];

	snprintf(file, sizeof(file), "%s%s\n", HEADER, line);
	write_file(file, strlen(file));
	assert_int_equal(open_trace(&r, err, sizeof(err)), 0);
	assert_int_equal(trace_reader_next(&r, &ev, err, sizeof(err)), 1);
	assert_true(ev.seq == UINT64_MAX);
	assert_true(ev.ts_enter == 9223372036854775808ULL);
	trace_reader_close(&r);
	/* one more is out of range */
	snprintf(file, sizeof(file), "%s%s\n", HEADER,
		 "{\"type\":\"warning\",\"seq\":18446744073709551616,"
		 "\"pid\":1,\"tid\":1}");
	write_file(file, strlen(file));
	assert_int_equal(open_trace(&r, err, sizeof(err)), 0);
	assert_int_equal(trace_reader_next(&r, &ev, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "integer out of range"));
	trace_reader_close(&r);
	snprintf(file, sizeof(file), "%s%s\n", HEADER,
		 "{\"type\":\"warning\",\"seq\":1,\"pid\":-9223372036854775809,"
		 "\"tid\":1}");
	write_file(file, strlen(file));
	assert_int_equal(open_trace(&r, err, sizeof(err)), 0);
	assert_int_equal(trace_reader_next(&r, &ev, err, sizeof(err)), -EINVAL);
	trace_reader_close(&r);
}

/* Integers of every length, at the boundaries of the 8-digit steps. */
static void test_numbers(void **state)
{
	struct jsonw w;
	struct trace_reader r;
	struct event ev;
	char err[256], line[160];
	uint64_t want[64];
	int n = 0;

	jsonw_init(&w);
	jsonw_raw(&w, HEADER, strlen(HEADER));
	for (uint64_t p = 1, k = 0; k < 20; k++, p *= 10) {
		uint64_t vals[3] = {p - 1, p, p + p / 2 + 7};

		for (int i = 0; i < 3; i++) {
			int len = snprintf(
				line, sizeof(line),
				"{\"type\":\"warning\",\"seq\":%llu,"
				"\"pid\":-%llu,\"tid\":1}\n",
				(unsigned long long)vals[i],
				(unsigned long long)(vals[i] % 1000000000));

			jsonw_raw(&w, line, (size_t)len);
			want[n++] = vals[i];
		}
	}
	write_file(w.buf, w.len);
	jsonw_release(&w);
	assert_int_equal(open_trace(&r, err, sizeof(err)), 0);
	for (int i = 0; i < n; i++) {
		assert_int_equal(trace_reader_next(&r, &ev, err, sizeof(err)),
				 1);
		if (ev.seq != want[i])
			fail_msg("%llu read as %llu",
				 (unsigned long long)want[i],
				 (unsigned long long)ev.seq);
		assert_int_equal(ev.pid, -(int)(want[i] % 1000000000));
	}
	trace_reader_close(&r);
}

static void test_nesting_limit(void **state)
{
	static const char head[] =
		"{\"type\":\"warning\",\"seq\":1,\"pid\":1,\"tid\":1,\"x\":";
	struct jsonw w;

	/* jansson allows 2048 levels, counting the record itself */
	jsonw_init(&w);
	for (int depth = 2046; depth <= 2049; depth++) {
		jsonw_reset(&w);
		jsonw_raw(&w, head, strlen(head));
		for (int i = 1; i < depth; i++)
			jsonw_raw(&w, "[", 1);
		for (int i = 1; i < depth; i++)
			jsonw_raw(&w, "]", 1);
		jsonw_raw(&w, "}", 2); /* and the NUL */
		assert_int_equal(compare_line(w.buf),
				 depth <= 2048 ? O_EVENT : O_ERROR);
	}
	jsonw_release(&w);
}

/* Writer lines, and the same re-encoded by jansson (sorted keys, spaces,
 * every non-ASCII character as \u escapes), give the same events. */
static void test_writer_lines_agree(void **state)
{
	struct jsonw w;
	struct event ev;
	const char *argv[8];

	jsonw_init(&w);
	for (int i = 0; i < 1500; i++) {
		const char *line;
		json_t *o;
		char *re;

		random_event(&ev, argv, false);
		line = to_line(&w, &ev);
		((char *)line)[w.len - 2] = '\0'; /* no newline */
		assert_int_equal(compare_line(line), O_EVENT);
		o = json_loads(line, 0, NULL);
		assert_non_null(o);
		re = json_dumps(o, JSON_SORT_KEYS | JSON_ENSURE_ASCII);
		assert_non_null(re);
		assert_int_equal(compare_line(re), O_EVENT);
		free(re);
		json_decref(o);
	}
	jsonw_release(&w);
}

/* Writer lines with random damage: both readers agree on every one. */
static void test_corrupted_lines_agree(void **state)
{
	static const char junk[] = "{}[]\",:\\-0123456789.eE+tfnu \t\x01\x80"
				   "\xc3\xa9\xff";
	struct jsonw w;
	struct event ev;
	const char *argv[8];
	int counts[4] = {0};

	jsonw_init(&w);
	for (int i = 0; i < 6000; i++) {
		char line[4096];
		size_t n;
		int k;

		random_event(&ev, argv, false);
		to_line(&w, &ev);
		n = w.len - 2;
		if (n >= sizeof(line) - 8)
			continue;
		memcpy(line, w.buf, n);
		line[n] = '\0';
		/* one to three edits: replace, insert, delete or cut */
		k = 1 + (int)(rnd() % 3);
		while (k--) {
			size_t at = n ? rnd() % n : 0;
			char c = junk[rnd() % (sizeof(junk) - 1)];

			/* an empty line can only grow */
			switch (n ? rnd() % 4 : 1) {
			case 0:
				line[at] = c;
				break;
			case 1:
				memmove(line + at + 1, line + at, n - at + 1);
				line[at] = c;
				n++;
				break;
			case 2:
				memmove(line + at, line + at + 1, n - at);
				n--;
				break;
			default:
				n = at;
				line[n] = '\0';
			}
		}
		if (memchr(line, '\0', n) || memchr(line, '\n', n))
			continue; /* the reference reads a C string */
		counts[compare_line(line)]++;
	}
	/* the corruptions hit all outcomes */
	assert_true(counts[O_EVENT] > 100);
	assert_true(counts[O_ERROR] > 100);
	jsonw_release(&w);
}

static int read_all(void *arg)
{
	struct trace_reader *r = arg;
	struct event ev;
	char err[256];
	int ret, n = 0;

	while ((ret = trace_reader_next(r, &ev, err, sizeof(err))) > 0)
		n++;
	return ret < 0 ? ret : n;
}

static void test_truncated_last_line(void **state)
{
	static const char body[] =
		"{\"type\":\"exit\",\"seq\":1,\"pid\":1,\"tid\":1,"
		"\"status\":0}\n"
		"{\"type\":\"exit\",\"seq\":2,\"pid\":1,\"tid\":1,\"sta";
	struct trace_reader r;
	char err[256], want[256], file[1024];

	snprintf(file, sizeof(file), "%s%s", HEADER, body);
	write_file(file, strlen(file));
	assert_int_equal(open_trace(&r, err, sizeof(err)), 0);
	assert_int_equal(with_stderr_captured(read_all, &r), 1);
	snprintf(want, sizeof(want),
		 "fsrace: warning: %s:3: truncated record skipped\n", path);
	assert_string_equal(captured, want);
	trace_reader_close(&r);

	/* a complete record without its newline is still a record */
	snprintf(file, sizeof(file), "%s%.*s", HEADER,
		 (int)(strchr(body, '\n') - body), body);
	write_file(file, strlen(file));
	assert_int_equal(open_trace(&r, err, sizeof(err)), 0);
	assert_int_equal(with_stderr_captured(read_all, &r), 1);
	assert_string_equal(captured, "");
	trace_reader_close(&r);
}

static void test_malformed_and_empty_lines(void **state)
{
	struct trace_reader r;
	struct event ev;
	char err[256], want[256], file[1024];

	snprintf(file, sizeof(file), "%s%s", HEADER,
		 "{\"type\":\"exit\",\"seq\":1,\"pid\":1,\"tid\":1}\n"
		 "this is not json\n"
		 "{\"type\":\"exit\",\"seq\":2,\"pid\":1,\"tid\":1}\n");
	write_file(file, strlen(file));
	assert_int_equal(open_trace(&r, err, sizeof(err)), 0);
	assert_int_equal(trace_reader_next(&r, &ev, err, sizeof(err)), 1);
	assert_int_equal(trace_reader_next(&r, &ev, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want),
		 "%s:3: malformed record: not a JSON object at column 1", path);
	assert_string_equal(err, want);
	trace_reader_close(&r);

	snprintf(file, sizeof(file), "%s%s", HEADER,
		 "{\"type\":\"exit\",\"seq\":1,\"pid\":1,\"tid\":1,"
		 "\"status\":0,}\n");
	write_file(file, strlen(file));
	assert_int_equal(open_trace(&r, err, sizeof(err)), 0);
	assert_int_equal(trace_reader_next(&r, &ev, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want),
		 "%s:2: malformed record: expected a string key at column 51",
		 path);
	assert_string_equal(err, want);
	trace_reader_close(&r);

	snprintf(file, sizeof(file), "%s\n", HEADER);
	write_file(file, strlen(file));
	assert_int_equal(open_trace(&r, err, sizeof(err)), 0);
	assert_int_equal(trace_reader_next(&r, &ev, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: empty line", path);
	assert_string_equal(err, want);
	trace_reader_close(&r);

	snprintf(file, sizeof(file), "%s%s", HEADER,
		 "{\"type\":\"exit\",\"seq\":1,\"pid\":1}\n");
	write_file(file, strlen(file));
	assert_int_equal(open_trace(&r, err, sizeof(err)), 0);
	assert_int_equal(trace_reader_next(&r, &ev, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: record lacks type, seq, pid or tid",
		 path);
	assert_string_equal(err, want);
	trace_reader_close(&r);
}

/* A line far longer than one read: argv of 3 MB. */
static void test_long_line(void **state)
{
	static const char head[] =
		"{\"type\":\"syscall\",\"seq\":1,\"pid\":1,\"tid\":1,"
		"\"syscall\":\"execve\",\"argv\":[\"";
	static const char tail[] =
		"\",\"\\u00e9\"]}\n{\"type\":\"exit\",\"seq\":2,\"pid\":1,"
		"\"tid\":1}\n";
	size_t big = 3 << 20;
	char *a = xmalloc(big);
	struct trace_reader r;
	struct jsonw w;
	struct event ev;
	char err[256];

	memset(a, 'a', big);
	jsonw_init(&w);
	jsonw_raw(&w, HEADER, strlen(HEADER));
	jsonw_raw(&w, head, strlen(head));
	jsonw_raw(&w, a, big);
	jsonw_raw(&w, tail, strlen(tail));
	write_file(w.buf, w.len);
	jsonw_release(&w);
	free(a);
	assert_int_equal(open_trace(&r, err, sizeof(err)), 0);
	assert_int_equal(trace_reader_next(&r, &ev, err, sizeof(err)), 1);
	assert_int_equal(ev.argc, 2);
	assert_int_equal(strlen(ev.argv[0]), big);
	assert_string_equal(ev.argv[1], "\xc3\xa9");
	assert_int_equal(trace_reader_next(&r, &ev, err, sizeof(err)), 1);
	assert_int_equal(ev.type, EV_EXIT);
	assert_int_equal(r.line, 3);
	assert_int_equal(trace_reader_next(&r, &ev, err, sizeof(err)), 0);
	trace_reader_close(&r);
}

/* Strings of an event stay valid until the next call, however the
 * buffer is refilled in between. */
static void test_strings_valid_until_next(void **state)
{
	struct jsonw all;
	struct trace_reader r;
	struct event ev;
	char err[256], name[64];

	jsonw_init(&all);
	jsonw_raw(&all, HEADER, strlen(HEADER));
	for (int i = 0; i < 40000; i++) {
		char line[160];
		int n = snprintf(line, sizeof(line),
				 "{\"type\":\"warning\",\"seq\":%d,\"pid\":1,"
				 "\"tid\":1,\"message\":\"message \\u0023%d\"}"
				 "\n",
				 i, i);

		jsonw_raw(&all, line, (size_t)n);
	}
	write_file(all.buf, all.len);
	jsonw_release(&all);
	assert_int_equal(open_trace(&r, err, sizeof(err)), 0);
	for (int i = 0; i < 40000; i++) {
		assert_int_equal(trace_reader_next(&r, &ev, err, sizeof(err)),
				 1);
		snprintf(name, sizeof(name), "message #%d", i);
		assert_string_equal(ev.message, name);
		assert_int_equal(ev.seq, i);
	}
	assert_int_equal(trace_reader_next(&r, &ev, err, sizeof(err)), 0);
	trace_reader_close(&r);
}

/*
 * Many records over many reads: skipped ones in runs longer than a read,
 * an error after thousands of events, everything before it delivered
 * first, with the right line numbers and skip counts.
 */
static void test_skipped_and_errors(void **state)
{
	static const char unknown[] =
		"{\"type\":\"future\",\"seq\":1,\"pid\":1,\"tid\":1}\n";
	struct jsonw w;
	struct trace_reader r;
	struct event ev;
	char err[256], want[256], line[128];
	const int n = 5000;

	jsonw_init(&w);
	jsonw_raw(&w, HEADER, strlen(HEADER));
	for (int i = 0; i < 3 * n; i++)
		jsonw_raw(&w, unknown, strlen(unknown));
	for (int i = 0; i < n; i++) {
		int len = snprintf(line, sizeof(line),
				   "{\"type\":\"exit\",\"seq\":%d,\"pid\":1,"
				   "\"tid\":1,\"status\":%d}\n",
				   i, i % 256);

		jsonw_raw(&w, line, (size_t)len);
		if (i % 2)
			jsonw_raw(&w, unknown, strlen(unknown));
	}
	jsonw_raw(&w, "{\"type\":\"exit\"!}\n", 16);
	jsonw_raw(&w, unknown, strlen(unknown));
	write_file(w.buf, w.len);
	jsonw_release(&w);
	assert_int_equal(open_trace(&r, err, sizeof(err)), 0);
	for (int i = 0; i < n; i++) {
		assert_int_equal(trace_reader_next(&r, &ev, err, sizeof(err)),
				 1);
		assert_int_equal(ev.seq, i);
		assert_int_equal(ev.exit_status, i % 256);
		assert_int_equal(r.line, 2 + 3 * n + i + i / 2);
		assert_int_equal(r.skipped, 3 * n + i / 2);
	}
	assert_int_equal(trace_reader_next(&r, &ev, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want),
		 "%s:%d: malformed record: expected ',' or '}' at column 15",
		 path, 2 + 3 * n + n + n / 2);
	assert_string_equal(err, want);
	/* and again: an error does not go away */
	assert_int_equal(trace_reader_next(&r, &ev, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, want);
	trace_reader_close(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_not_a_trace),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_round_trip_uint64),
		cmocka_unit_test(test_odd_lines_agree),
		cmocka_unit_test(test_big_integers),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_writer_lines_agree),
		cmocka_unit_test(test_corrupted_lines_agree),
		cmocka_unit_test(test_truncated_last_line),
		cmocka_unit_test(test_malformed_and_empty_lines),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_strings_valid_until_next),
		cmocka_unit_test(test_skipped_and_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
