// SPDX-License-Identifier: MIT
/*
 * The strace importer, table-driven: each case is a small log (the line
 * forms of strace 6.1 as Debian 12 prints them, checked against real
 * runs, and the 4.x/5.x forms where they differ), and the events it must
 * give, every field of each rendered on one line by render() below, so
 * that a field set where it should not be shows up as a difference.
 * Then the warnings and errors a user sees, strace_detect(), and the
 * inputs the fuzzer once crashed on (fuzz/regressions/).
 *
 * Set STRACE_TEST_PRINT=1 to print what each case gives.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "event.h"
#include "names.h"
#include "stacks.h"
#include "strace.h"
#include "strace-int.h"

/* 2024-03-01T10:00:00Z: the mtime of every log, and TZ is UTC */
#define MTIME 1709287200
#define DAY0 1709251200ull /* its midnight */
#define NS 1000000000ull

static char tmpdir[256];

/* ---- rendering an event on one line ---- */

struct out {
	char *buf;
	size_t len, size;
};

static void put(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	/* full (a fuzz regression's many events): keep what fits */
	if (n < 0 || (size_t)n >= o->size - o->len)
		n = (int)(o->size - o->len - 1);
	o->len += (size_t)n;
}

static void put_str(struct out *o, const char *s)
{
	if (!s) {
		put(o, "?");
		return;
	}
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			put(o, "\\n");
		else if (c == '\t')
			put(o, "\\t");
		else if (c == '\\')
			put(o, "\\\\");
		else if (c < 0x20 || c >= 0x7f)
			put(o, "\\x%02x", c);
		else
			put(o, "%c", c);
	}
}

static void put_name(const char *name, void *ud)
{
	struct out *o = ud;

	put(o, "%s%s", o->buf[o->len - 1] == '=' ? "" : "|", name);
}

static void put_flags(struct out *o, const char *key, enum flagset set,
		      uint64_t v)
{
	put(o, " %s=", key);
	flags_each(set, v, put_name, o);
	if (o->buf[o->len - 1] == '=')
		put(o, "0");
}

/* " stack=MODULE:0xADDR(FUNCTION+0xOFF FILE:LINE);…", as imported */
static void put_stack(struct out *o, const struct stack_trace *s)
{
	put(o, " stack=");
	for (uint32_t i = 0; i < s->n; i++) {
		const struct stack_pc *pc = &s->pc[i];
		const struct stack_named *nm = pc->named;

		put(o, "%s%s:0x%llx", i ? ";" : "",
		    pc->mod ? pc->mod->path : "-",
		    (unsigned long long)pc->addr);
		if (!nm)
			continue;
		put(o, "(");
		if (nm->function)
			put(o, "%s+0x%llx", nm->function,
			    (unsigned long long)nm->offset);
		if (nm->file)
			put(o, "%s%s:%d", nm->function ? " " : "", nm->file,
			    nm->line);
		put(o, ")");
	}
}

static void render(const struct event *ev, struct out *o)
{
	switch (ev->type) {
	case EV_FORK:
		put(o, "fork %d/%d child=%d/%d %s via=%s", ev->pid, ev->tid,
		    ev->child_pid, ev->child_tid,
		    ev->fork_kind == FORK_THREAD  ? "thread"
		    : ev->fork_kind == FORK_VFORK ? "vfork"
						  : "process",
		    ev->fork_syscall);
		if (ev->share_files)
			put(o, " files");
		if (ev->share_fs)
			put(o, " fs");
		break;
	case EV_EXIT:
		put(o, "exit %d/%d", ev->pid, ev->tid);
		if (ev->exit_signal)
			put(o, " signal=%s%s", signal_name(ev->exit_signal),
			    ev->core_dumped ? " core" : "");
		else
			put(o, " status=%d", ev->exit_status);
		break;
	case EV_WARNING:
		put(o, "warning %s", ev->message);
		break;
	case EV_SYSCALL:
		put(o, "%s %d/%d", ev->sc->name, ev->pid, ev->tid);
		if (ev->has & HAS_DIRFD) {
			put(o, " dirfd=%d:", ev->dirfd);
			put_str(o, ev->dirfd_path);
		}
		if (ev->has & HAS_PATH) {
			put(o, " path=");
			put_str(o, ev->path);
			put(o, " abs=");
			put_str(o, ev->abspath);
		}
		if (ev->has & HAS_DIRFD2) {
			put(o, " dirfd2=%d:", ev->dirfd2);
			put_str(o, ev->dirfd2_path);
		}
		if (ev->has & HAS_PATH2) {
			put(o, " path2=");
			put_str(o, ev->path2);
			put(o, " abs2=");
			put_str(o, ev->abspath2);
		}
		if (ev->has & HAS_FD) {
			put(o, " fd=%d:", ev->fd);
			put_str(o, ev->fd_path);
		}
		if (ev->has & HAS_FD2) {
			put(o, " fd2=%d:", ev->fd2);
			put_str(o, ev->fd2_path);
		}
		if (ev->has & HAS_FLAGS)
			put_flags(o, "flags", syscall_flagset(ev->sc),
				  ev->flags);
		if (ev->has & HAS_MODE)
			put(o, " mode=%o", ev->mode);
		if (ev->has & HAS_ACCESS)
			put_flags(o, "access", FLAGS_ACCESS, ev->access);
		if (ev->has & HAS_RESOLVE)
			put_flags(o, "resolve", FLAGS_RESOLVE, ev->resolve);
		if (ev->has & HAS_OWNER)
			put(o, " owner=%lld:%lld", (long long)ev->uid,
			    (long long)ev->gid);
		if (ev->has & HAS_LENGTH)
			put(o, " length=%lld", (long long)ev->length);
		if (ev->has & HAS_CMD)
			put(o, " cmd=%s arg=%lld", fcntl_cmd_name(ev->cmd),
			    (long long)ev->arg);
		if (ev->has & HAS_XATTR) {
			put(o, " xattr=");
			put_str(o, ev->xattr);
		}
		if (ev->has & HAS_TARGET) {
			put(o, " target=");
			put_str(o, ev->target);
		}
		if (ev->has & HAS_ARGV) {
			put(o, " argv=[");
			for (int i = 0; i < ev->argc; i++) {
				put(o, i ? "," : "");
				put_str(o, ev->argv[i]);
			}
			put(o, "]");
		}
		if (ev->has & HAS_OLD_TID)
			put(o, " old_tid=%d", ev->old_tid);
		if (ev->has & HAS_RET) {
			put(o, " ret=%lld", (long long)ev->ret);
			if (ev->ret < 0 && errno_name(ev->err))
				put(o, " %s", errno_name(ev->err));
			else if (ev->ret < 0)
				put(o, " errno=%d", ev->err);
		}
		if (ev->ret_path) {
			put(o, " ret_path=");
			put_str(o, ev->ret_path);
		}
		if (ev->stat.valid)
			put(o, " stat=%llu:%llu:%o:%llu:%u:%u:%lld",
			    (unsigned long long)ev->stat.dev,
			    (unsigned long long)ev->stat.ino, ev->stat.mode,
			    (unsigned long long)ev->stat.nlink, ev->stat.uid,
			    ev->stat.gid, (long long)ev->stat.size);
		if (ev->parent.valid || ev->parent2.valid)
			put(o, " PARENT");
		if (ev->ts_exit || ev->ts_enter)
			put(o, " ts=%llu-%llu",
			    (unsigned long long)ev->ts_enter,
			    (unsigned long long)ev->ts_exit);
		if (ev->has & HAS_STACK)
			put_stack(o, ev->stack);
		break;
	}
	if (ev->type != EV_SYSCALL && ev->ts_enter)
		put(o, " ts=%llu", (unsigned long long)ev->ts_enter);
	put(o, " @%lu\n", ev->source_line);
}

/* ---- running a log ---- */

static void write_file(const char *path, const char *text)
{
	struct timespec ts[2] = {{MTIME, 0}, {MTIME, 0}};
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	size_t n = strlen(text);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	assert_int_equal(futimens(fd, ts), 0);
	close(fd);
}

/*
 * Write the files of a case: LOG holds one file, or several separated
 * by "\f" named by the space-separated NAMES. Paths go to PATHS.
 */
static int write_logs(const char *log, const char *names,
		      char paths[][PATH_MAX])
{
	char *copy = strdup(log), *text = copy, *ff;
	char *ncopy = strdup(names ? names : "log"), *save = NULL;
	char *name = strtok_r(ncopy, " ", &save);
	int n = 0;

	for (;;) {
		assert_non_null(name);
		assert_true(n < 4);
		ff = strchr(text, '\f');
		if (ff)
			*ff = '\0';
		snprintf(paths[n], PATH_MAX, "%s/%s", tmpdir, name);
		write_file(paths[n], text);
		n++;
		if (!ff)
			break;
		text = ff + 1;
		name = strtok_r(NULL, " ", &save);
	}
	free(copy);
	free(ncopy);
	return n;
}

/* stderr to a file while reading, so that warnings can be checked */
struct capture {
	int saved;
	char path[PATH_MAX];
};

static void capture_start(struct capture *c)
{
	int fd;

	snprintf(c->path, sizeof(c->path), "%s/stderr", tmpdir);
	fd = open(c->path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	fflush(stderr);
	c->saved = dup(2);
	dup2(fd, 2);
	close(fd);
}

static char *capture_end(struct capture *c)
{
	static char buf[8192];
	int fd;
	ssize_t n;

	fflush(stderr);
	dup2(c->saved, 2);
	close(c->saved);
	fd = open(c->path, O_RDONLY);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

struct result {
	char events[65536];
	char warnings[8192];
	int ret; /* of the last strace_reader_next */
	char err[512];
	unsigned long unknown, skipped;
};

static void run(const char *log, const char *names, bool strict,
		struct result *res)
{
	char paths[4][PATH_MAX];
	const char *p[4];
	struct strace_reader *r;
	struct capture cap;
	struct event ev;
	struct out o = {res->events, 0, sizeof(res->events)};
	uint64_t seq = 0;
	int n = write_logs(log, names, paths);

	for (int i = 0; i < n; i++)
		p[i] = paths[i];
	res->events[0] = '\0';
	res->err[0] = '\0';
	assert_int_equal(strace_reader_open(&r, p, n, strict, res->err,
					    sizeof(res->err)),
			 0);
	capture_start(&cap);
	while ((res->ret = strace_reader_next(r, &ev, res->err,
					      sizeof(res->err))) > 0) {
		assert_int_equal(res->ret, 1);
		assert_int_equal(ev.seq, ++seq);
		assert_non_null(ev.source_file);
		assert_non_null(strstr(ev.source_file, tmpdir));
		render(&ev, &o);
	}
	snprintf(res->warnings, sizeof(res->warnings), "%s", capture_end(&cap));
	res->unknown = strace_reader_unknown(r);
	res->skipped = strace_reader_skipped(r);
	strace_reader_close(r);
}

/* The warnings with the temporary directory written as "T". */
static const char *strip_dir(const char *s)
{
	static char buf[8192];
	size_t k = strlen(tmpdir), o = 0;

	while (*s && o + 1 < sizeof(buf)) {
		if (!strncmp(s, tmpdir, k)) {
			buf[o++] = 'T';
			s += k;
		} else {
			buf[o++] = *s++;
		}
	}
	buf[o] = '\0';
	return buf;
}

struct scase {
	const char *name;
	const char *log;
	const char *want;
	unsigned long unknown;
	const char *names; /* file names, for several files */
	const char *warnings;
};

static void check_case(const struct scase *c)
{
	static struct result res;

	run(c->log, c->names, false, &res);
	if (getenv("STRACE_TEST_PRINT")) {
		printf("== %s\n%s-- unknown %lu skipped %lu\n%s", c->name,
		       res.events, res.unknown, res.skipped,
		       strip_dir(res.warnings));
		return;
	}
	if (strcmp(res.events, c->want))
		print_error("case '%s':\n--- want\n%s--- got\n%s", c->name,
			    c->want, res.events);
	assert_int_equal(res.ret, 0);
	assert_string_equal(res.events, c->want);
	assert_int_equal(res.unknown, c->unknown);
	assert_string_equal(strip_dir(res.warnings),
			    c->warnings ? c->warnings : "");
}

/* ---- the cases ---- */

static const struct scase cases[] = {
	{
		"-f -o: pid prefix, -y decorations, cwd learnt from AT_FDCWD",
		"100   openat(AT_FDCWD</home/u>, \"notes\", "
		"O_RDONLY|O_CLOEXEC) = 3</home/u/notes>\n"
		"100   read(3</home/u/notes>, \"abc\", 4096) = 3\n"
		"100   newfstatat(3</home/u/notes>, \"\", "
		"{st_mode=S_IFREG|0644, st_size=3, ...}, AT_EMPTY_PATH) = 0\n"
		"100   close(3</home/u/notes>)  = 0\n"
		"100   openat(AT_FDCWD</home/u>, \"/etc/missing\", O_RDONLY) = "
		"-1 ENOENT (No such file or directory)\n"
		"100   exit_group(0)            = ?\n"
		"100   +++ exited with 0 +++\n",
		"openat 100/100 dirfd=-100:/home/u path=notes "
		"abs=/home/u/notes flags=O_RDONLY|O_CLOEXEC ret=3 "
		"ret_path=/home/u/notes @1\n"
		"newfstatat 100/100 dirfd=3:/home/u/notes path= "
		"abs=/home/u/notes fd=3:/home/u/notes flags=AT_EMPTY_PATH "
		"ret=0 @3\n"
		"close 100/100 fd=3:/home/u/notes @4\n"
		"openat 100/100 dirfd=-100:/home/u path=/etc/missing "
		"abs=/etc/missing flags=O_RDONLY ret=-1 ENOENT @5\n"
		"exit 100/100 status=0 @7\n",
		2,
	},
	{
		"stderr -f: [pid N] prefixes, unprefixed lines of the only "
		"process",
		"execve(\"/bin/sh\", [\"sh\", \"-c\", \"x\"], 0x7ffd /* 3 vars "
		"*/) = 0\n"
		"set_tid_address(0x7f00)                 = 500\n"
		"chdir(\"/srv\")                           = 0\n"
		"clone(child_stack=NULL, "
		"flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
		"child_tidptr=0x7f00) = 501\n"
		"[pid   501] openat(AT_FDCWD, \"a\", O_RDONLY) = 3\n"
		"[pid   500] wait4(-1,  <unfinished ...>\n"
		"[pid   501] +++ exited with 0 +++\n"
		"<... wait4 resumed>NULL, 0, NULL)       = 501\n"
		"unlink(\"a\")                             = 0\n"
		"+++ exited with 0 +++\n",
		"execve 500/500 path=/bin/sh abs=/bin/sh argv=[sh,-c,x] ret=0 "
		"@1\n"
		"chdir 500/500 path=/srv abs=/srv ret=0 @3\n"
		"fork 500/500 child=501/501 process via=clone @4\n"
		"openat 501/501 dirfd=-100:/srv path=a abs=/srv/a "
		"flags=O_RDONLY ret=3 ret_path=/srv/a @5\n"
		"exit 501/501 status=0 @7\n"
		"unlink 500/500 path=a abs=/srv/a ret=0 @9\n"
		"exit 500/500 status=0 @10\n",
		2,
	},
	{
		"no -f: no prefix, the pid from set_tid_address()",
		"execve(\"/bin/true\", [\"true\"], 0x7ffd /* 3 vars */) = 0\n"
		"access(\"/etc/ld.so.preload\", R_OK)      = -1 ENOENT (No "
		"such file or directory)\n"
		"set_tid_address(0x7f00)                 = 4242\n"
		"+++ exited with 0 +++\n",
		"execve 4242/4242 path=/bin/true abs=/bin/true argv=[true] "
		"ret=0 @1\n"
		"access 4242/4242 path=/etc/ld.so.preload "
		"abs=/etc/ld.so.preload access=R_OK ret=-1 ENOENT @2\n"
		"exit 4242/4242 status=0 @4\n",
		1,
	},
	{
		"no pid anywhere: pid 0",
		"stat(\"/etc\", {st_mode=S_IFDIR|0755, st_size=4096, ...}) = "
		"0\n",
		"stat 0/0 path=/etc abs=/etc ret=0 @1\n",
		0,
	},
	{
		"a single file's .N suffix is only the last guess of its pid",
		"chdir(\"/\") = 0\n",
		"chdir 777/777 path=/ abs=/ ret=0 @1\n",
		0,
		"solo.777",
	},
	{
		"a single file's .N suffix loses to set_tid_address()",
		"chdir(\"/\") = 0\n"
		"set_tid_address(0x7f00) = 42\n",
		"chdir 42/42 path=/ abs=/ ret=0 @1\n",
		1,
		"strace.log.1",
	},
	{
		"-ff -o: one file per pid, merged by time, fork before the "
		"child",
		"10:00:00.000100 chdir(\"/w\") = 0\n"
		"10:00:00.000200 clone(child_stack=NULL, "
		"flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
		"child_tidptr=0x7f00) = 301\n"
		"10:00:00.000400 openat(AT_FDCWD, \"p\", "
		"O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3\n"
		"10:00:00.000600 +++ exited with 0 +++\n"
		"\f"
		"10:00:00.000300 openat(AT_FDCWD, \"c\", O_RDONLY) = 3\n"
		"10:00:00.000500 +++ exited with 1 +++\n",
		"chdir 300/300 path=/w abs=/w ret=0 "
		"ts=1709287200000100000-1709287200000100000 @1\n"
		"fork 300/300 child=301/301 process via=clone "
		"ts=1709287200000200000 @2\n"
		"openat 301/301 dirfd=-100:/w path=c abs=/w/c flags=O_RDONLY "
		"ret=3 ret_path=/w/c "
		"ts=1709287200000300000-1709287200000300000 @1\n"
		"openat 300/300 dirfd=-100:/w path=p abs=/w/p "
		"flags=O_WRONLY|O_CREAT|O_TRUNC mode=666 ret=3 ret_path=/w/p "
		"ts=1709287200000400000-1709287200000400000 @3\n"
		"exit 301/301 status=1 ts=1709287200000500000 @2\n"
		"exit 300/300 status=0 ts=1709287200000600000 @4\n",
		0,
		"trace.300 trace.301",
	},
	{
		"-ff without timestamps: a process before its children",
		"openat(AT_FDCWD, \"c\", O_RDONLY) = 3\n"
		"+++ exited with 0 +++\n"
		"\f"
		"chdir(\"/w\") = 0\n"
		"vfork() = 1001\n"
		"+++ exited with 0 +++\n",
		"chdir 999/999 path=/w abs=/w ret=0 @1\n"
		"fork 999/999 child=1001/1001 vfork via=vfork @2\n"
		"exit 999/999 status=0 @3\n"
		"openat 1001/1001 dirfd=-100:/w path=c abs=/w/c flags=O_RDONLY "
		"ret=3 ret_path=/w/c @1\n"
		"exit 1001/1001 status=0 @2\n",
		0,
		"t.1001 t.999",
	},
	{
		"-tt: the date is the mtime's day",
		"7 09:59:59.123456 chdir(\"/\") = 0\n"
		"7 10:00:00.5 chdir(\"/\") = 0\n",
		"chdir 7/7 path=/ abs=/ ret=0 "
		"ts=1709287199123456000-1709287199123456000 @1\n"
		"chdir 7/7 path=/ abs=/ ret=0 "
		"ts=1709287200500000000-1709287200500000000 @2\n",
		0,
	},
	{
		"-t: seconds, the day before when later than the mtime, then "
		"midnight",
		"7 23:59:59 chdir(\"/\") = 0\n"
		"7 00:00:01 chdir(\"/\") = 0\n",
		"chdir 7/7 path=/ abs=/ ret=0 "
		"ts=1709251199000000000-1709251199000000000 @1\n"
		"chdir 7/7 path=/ abs=/ ret=0 "
		"ts=1709251201000000000-1709251201000000000 @2\n",
		0,
	},
	{
		"-ttt: exact, with -T durations and ns precision",
		"7 1700000000.000100 chdir(\"/\") = 0 <0.000050>\n"
		"7 1700000000.000200123 chdir(\"/\") = 0 <0.001000123>\n",
		"chdir 7/7 path=/ abs=/ ret=0 "
		"ts=1700000000000100000-1700000000000150000 @1\n"
		"chdir 7/7 path=/ abs=/ ret=0 "
		"ts=1700000000000200123-1700000000001200246 @2\n",
		0,
	},
	{
		"-r: relative times add up from the epoch",
		"7      0.000000 chdir(\"/\") = 0\n"
		"7      0.000150 getpid() = 7\n"
		"7      1.500000 chdir(\"/\") = 0 <0.000010>\n",
		"chdir 7/7 path=/ abs=/ ret=0 @1\n"
		"chdir 7/7 path=/ abs=/ ret=0 ts=1500150000-1500160000 @3\n",
		1,
	},
	{
		"-y: fds the model does not know come from decorations",
		"9 write(1</dev/pts/0>, \"x\", 1) = 1\n"
		"9 fsync(1</dev/pts/0>) = 0\n"
		"9 dup(1</dev/pts/0>) = 4</dev/pts/0>\n"
		"9 fstat(5<socket:[123]>, {st_mode=S_IFSOCK|0777, st_size=0, "
		"...}) = 0\n"
		"9 fsync(6<TCP:[1.2.3.4:5->6.7.8.9:10]>) = -1 EINVAL (Invalid "
		"argument)\n"
		"9 fsync(7</dev/null<char 1:3>>) = -1 EINVAL (Invalid "
		"argument)\n"
		"9 fdatasync(8</tmp/gone (deleted)>) = 0\n"
		"9 fsync(9</tmp/a\\74b\\76>) = 0\n"
		"9 fchdir(10</var/tmp>) = 0\n"
		"9 unlink(\"x\") = 0\n",
		"fsync 9/9 fd=1:/dev/pts/0 ret=0 @2\n"
		"dup 9/9 fd=1:/dev/pts/0 ret=4 ret_path=/dev/pts/0 @3\n"
		"fstat 9/9 fd=5:socket:[123] ret=0 @4\n"
		"fsync 9/9 fd=6:TCP:[1.2.3.4:5->6.7.8.9:10] ret=-1 EINVAL @5\n"
		"fsync 9/9 fd=7:/dev/null ret=-1 EINVAL @6\n"
		"fdatasync 9/9 fd=8:/tmp/gone (deleted) ret=0 @7\n"
		"fsync 9/9 fd=9:/tmp/a<b> ret=0 @8\n"
		"fchdir 9/9 fd=10:/var/tmp ret=0 @9\n"
		"unlink 9/9 path=x abs=/var/tmp/x ret=0 @10\n",
		1,
	},
	{
		"-y: strace 6 writes (deleted) after the brackets; it is the "
		"path's, as /proc says it",
		"9 openat(AT_FDCWD</d>, \"sub\", O_WRONLY|O_TMPFILE, 0600) = "
		"3</d/sub/#12>(deleted)\n"
		"9 fstat(3</d/sub/#12>(deleted), {st_mode=S_IFREG|0600, "
		"st_size=0, ...}) = 0\n"
		"9 fsync(4</d/x>(deleted)) = 0\n",
		"openat 9/9 dirfd=-100:/d path=sub abs=/d/sub "
		"flags=O_WRONLY|O_TMPFILE mode=600 ret=3 "
		"ret_path=/d/sub/#12 (deleted) @1\n"
		"fstat 9/9 fd=3:/d/sub/#12 (deleted) ret=0 @2\n"
		"fsync 9/9 fd=4:/d/x (deleted) ret=0 @3\n",
		0,
	},
	{
		"the model wins over decorations: a renamed file keeps its "
		"open name",
		"9 openat(AT_FDCWD</d>, \"f.tmp\", "
		"O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC, 0600) = 3</d/f.tmp>\n"
		"9 rename(\"f.tmp\", \"f\") = 0\n"
		"9 fsync(3</d/f>) = 0\n",
		"openat 9/9 dirfd=-100:/d path=f.tmp abs=/d/f.tmp "
		"flags=O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC mode=600 ret=3 "
		"ret_path=/d/f.tmp @1\n"
		"rename 9/9 path=f.tmp abs=/d/f.tmp path2=f abs2=/d/f ret=0 "
		"@2\n"
		"fsync 9/9 fd=3:/d/f.tmp ret=0 @3\n",
		0,
	},
	{
		"without -y: a relative path with an unknown cwd stays "
		"unresolved",
		"9 openat(AT_FDCWD, \"rel\", O_RDONLY) = 3\n"
		"9 fstat(3, {st_mode=S_IFREG|0644, st_size=1, ...}) = 0\n"
		"9 stat(\"/abs\", 0x7ffd0) = -1 ENOENT (No such file or "
		"directory)\n"
		"9 getcwd(\"/home/u\", 4096) = 8\n"
		"9 openat(AT_FDCWD, \"rel2\", O_RDONLY) = 4\n"
		"9 chdir(\"..\") = 0\n"
		"9 access(\"x\", F_OK) = 0\n",
		"openat 9/9 dirfd=-100:? path=rel abs=? flags=O_RDONLY ret=3 "
		"@1\n"
		"fstat 9/9 fd=3:? ret=0 @2\n"
		"stat 9/9 path=/abs abs=/abs ret=-1 ENOENT @3\n"
		"openat 9/9 dirfd=-100:/home/u path=rel2 abs=/home/u/rel2 "
		"flags=O_RDONLY ret=4 ret_path=/home/u/rel2 @5\n"
		"chdir 9/9 path=.. abs=/home ret=0 @6\n"
		"access 9/9 path=x abs=/home/x access=F_OK ret=0 @7\n",
		1,
	},
	{
		"-v: stat identity, statx identity; abbreviated stat gives "
		"none",
		"9 newfstatat(AT_FDCWD</h>, \"f\", {st_dev=makedev(0xfe, 0x1), "
		"st_ino=12, st_mode=S_IFREG|0640, st_nlink=2, st_uid=1000, "
		"st_gid=100, st_blksize=4096, st_blocks=8, st_size=3, "
		"st_atime=1700000000 /* 2023-11-14T22:13:20+0000 */, "
		"st_atime_nsec=0, st_mtime=1700000000 /* "
		"2023-11-14T22:13:20+0000 */, st_mtime_nsec=0, "
		"st_ctime=1700000000 /* 2023-11-14T22:13:20+0000 */, "
		"st_ctime_nsec=0}, AT_SYMLINK_NOFOLLOW) = 0\n"
		"9 statx(AT_FDCWD</h>, \"g\", AT_STATX_SYNC_AS_STAT, "
		"STATX_ALL, {stx_mask=STATX_ALL|STATX_MNT_ID, "
		"stx_blksize=4096, stx_attributes=0, stx_nlink=1, stx_uid=0, "
		"stx_gid=0, stx_mode=S_IFDIR|0755, stx_ino=861, stx_size=4096, "
		"stx_blocks=8, stx_attributes_mask=STATX_ATTR_COMPRESSED, "
		"stx_atime={tv_sec=1795618590, tv_nsec=852379205} /* "
		"2026-11-25T14:56:30.852379205+0000 */, stx_btime={tv_sec=0, "
		"tv_nsec=0}, stx_ctime={tv_sec=1779294449, tv_nsec=0} /* "
		"2026-05-20T16:27:29+0000 */, stx_mtime={tv_sec=1779294449, "
		"tv_nsec=0} /* 2026-05-20T16:27:29+0000 */, stx_rdev_major=0, "
		"stx_rdev_minor=0, stx_dev_major=254, stx_dev_minor=0, "
		"stx_mnt_id=0x1b}) = 0\n"
		"9 stat(\"/h/f\", {st_mode=S_IFREG|0644, st_size=3, ...}) = 0\n"
		"9 lstat(\"/h/f\", {st_dev=makedev(8, 1), st_ino=5, "
		"st_mode=S_IFLNK|0777, st_nlink=1, st_uid=0, st_gid=0, "
		"st_blksize=4096, st_blocks=0, st_size=4, "
		"st_atime=2019/01/01-00:00:00.000000000, "
		"st_mtime=2019/01/01-00:00:00.000000000, "
		"st_ctime=2019/01/01-00:00:00.000000000}) = 0\n"
		"9 fstat(3, {st_dev=0xfe00, st_ino=7, st_mode=0100600, "
		"st_nlink=1, st_uid=0, st_gid=0, st_blksize=4096, st_blocks=0, "
		"st_size=0, st_atime=1, st_atime_nsec=0, st_mtime=1, "
		"st_mtime_nsec=0, st_ctime=1, st_ctime_nsec=0}) = 0\n",
		"newfstatat 9/9 dirfd=-100:/h path=f abs=/h/f "
		"flags=AT_SYMLINK_NOFOLLOW ret=0 "
		"stat=65025:12:100640:2:1000:100:3 @1\n"
		"statx 9/9 dirfd=-100:/h path=g abs=/h/g flags=0 ret=0 "
		"stat=65024:861:40755:1:0:0:4096 @2\n"
		"stat 9/9 path=/h/f abs=/h/f ret=0 @3\n"
		"lstat 9/9 path=/h/f abs=/h/f ret=0 stat=2049:5:120777:1:0:0:4 "
		"@4\n"
		"fstat 9/9 fd=3:? ret=0 stat=65024:7:100600:1:0:0:0 @5\n",
		0,
	},
	{
		"-s: a cut string is kept with its ..., never resolved",
		"9 openat(AT_FDCWD</h>, \"averylongname\"..., O_RDONLY) = "
		"3</h/averylongnameindeed>\n"
		"9 fsync(3) = 0\n"
		"9 readlink(\"/h/l\", \"targe\"..., 4096) = 14\n"
		"9 setxattr(\"/h/f\", \"user.\"..., \"v\", 1, 0) = 0\n"
		"9 execve(\"/bin/echo\", [\"echo\", \"abcde\"..., ...], 0x7ffd "
		"/* 3 vars */) = 0\n",
		"openat 9/9 dirfd=-100:/h path=averylongname... abs=? "
		"flags=O_RDONLY ret=3 ret_path=/h/averylongnameindeed @1\n"
		"fsync 9/9 fd=3:/h/averylongnameindeed ret=0 @2\n"
		"readlink 9/9 path=/h/l abs=/h/l ret=14 @3\n"
		"setxattr 9/9 path=/h/f abs=/h/f xattr=user.... ret=0 @4\n"
		"execve 9/9 path=/bin/echo abs=/bin/echo argv=[echo,abcde...] "
		"ret=0 @5\n",
		0,
	},
	{
		"-X raw, -X verbose and abbreviated flags give the same "
		"numbers",
		"9 openat(-100, \"/a\", 0x241, 0644) = 3\n"
		"9 openat(-100 /* AT_FDCWD */, \"/b\", 0x80041 /* "
		"O_WRONLY|O_CREAT|O_CLOEXEC */, 0600) = 4\n"
		"9 openat(AT_FDCWD, \"/c\", O_RDWR|O_CREAT|O_EXCL|O_NOFOLLOW, "
		"0600) = 5\n"
		"9 openat(0xffffff9c, \"/d\", O_RDONLY|O_DIRECTORY|O_PATH) = "
		"6\n"
		"9 statx(-100, \"/e\", , 0xfff, 0x7ffd) = -1 ENOENT (No such "
		"file or directory)\n"
		"9 statx(3, \"\", 0 /* AT_STATX_SYNC_AS_STAT */|0x1000 /* "
		"AT_EMPTY_PATH */, 0x7ff /* STATX_BASIC_STATS */, 0x7ffd) = -1 "
		"EFAULT (Bad address)\n"
		"9 faccessat2(-100, \"/f\", 0x6 /* R_OK|W_OK */, 0x200 /* "
		"AT_EACCESS */) = 0\n"
		"9 renameat2(AT_FDCWD, \"/g\", AT_FDCWD, \"/h\", "
		"RENAME_NOREPLACE|RENAME_WHITEOUT) = 0\n"
		"9 fcntl(3, 0x406 /* F_DUPFD_CLOEXEC */, 0) = 7\n"
		"9 fcntl(3, 0x2, 0x1) = 0\n"
		"9 fcntl(3, F_GETFL) = 0x8001 (flags O_WRONLY|O_LARGEFILE)\n"
		"9 mknodat(AT_FDCWD, \"/p\", S_IFIFO|0644) = 0\n"
		"9 chmod(\"/q\", S_ISUID|S_ISGID|S_ISVTX|0755) = 0\n"
		"9 chown(\"/q\", -1, 1000) = 0\n"
		"9 close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) = 0\n"
		"9 close_range(4, 4294967295, 0) = 0\n"
		"9 openat(-100 /* AT_FDCWD */</t,mp>, \"x\", 0 /* O_RDONLY */) "
		"= 8</t,mp/x>\n"
		"9 fsync(8 /* what */</t,mp/x>) = 0\n",
		"openat 9/9 dirfd=-100:? path=/a abs=/a "
		"flags=O_WRONLY|O_CREAT|O_TRUNC mode=644 ret=3 ret_path=/a @1\n"
		"openat 9/9 dirfd=-100:? path=/b abs=/b "
		"flags=O_WRONLY|O_CREAT|O_CLOEXEC mode=600 ret=4 ret_path=/b "
		"@2\n"
		"openat 9/9 dirfd=-100:? path=/c abs=/c "
		"flags=O_RDWR|O_CREAT|O_EXCL|O_NOFOLLOW mode=600 ret=5 "
		"ret_path=/c @3\n"
		"openat 9/9 dirfd=-100:? path=/d abs=/d "
		"flags=O_RDONLY|O_DIRECTORY|O_PATH ret=6 ret_path=/d @4\n"
		"statx 9/9 dirfd=-100:? path=/e abs=/e flags=0 ret=-1 ENOENT "
		"@5\n"
		"statx 9/9 dirfd=3:/a path= abs=/a fd=3:/a flags=AT_EMPTY_PATH "
		"ret=-1 EFAULT @6\n"
		"faccessat2 9/9 dirfd=-100:? path=/f abs=/f flags=AT_EACCESS "
		"access=R_OK|W_OK ret=0 @7\n"
		"renameat2 9/9 dirfd=-100:? path=/g abs=/g dirfd2=-100:? "
		"path2=/h abs2=/h flags=RENAME_NOREPLACE|RENAME_WHITEOUT ret=0 "
		"@8\n"
		"fcntl 9/9 fd=3:/a cmd=F_DUPFD_CLOEXEC arg=0 ret=7 ret_path=/a "
		"@9\n"
		"fcntl 9/9 fd=3:/a cmd=F_SETFD arg=1 ret=0 @10\n"
		"mknodat 9/9 dirfd=-100:? path=/p abs=/p mode=10644 ret=0 @12\n"
		"chmod 9/9 path=/q abs=/q mode=7755 ret=0 @13\n"
		"chown 9/9 path=/q abs=/q owner=-1:1000 ret=0 @14\n"
		"close_range 9/9 fd=3:/a flags=CLOSE_RANGE_CLOEXEC @15\n"
		"close_range 9/9 fd=4:/b flags=0 @16\n"
		"openat 9/9 dirfd=-100:/t,mp path=x abs=/t,mp/x flags=O_RDONLY "
		"ret=8 ret_path=/t,mp/x @17\n"
		"fsync 9/9 fd=8:/t,mp/x ret=0 @18\n",
		0,
	},
	{
		"unfinished and resumed calls, per pid",
		"1 12:00:00.000001 chdir(\"/x\" <unfinished ...>\n"
		"2 12:00:00.000002 openat(AT_FDCWD</y>, \"f\", O_RDONLY "
		"<unfinished ...>\n"
		"1 12:00:00.000003 <... chdir resumed>) = 0 <0.000002>\n"
		"2 12:00:00.000004 <... openat resumed>) = 3</y/f> <0.000002>\n"
		"1 12:00:00.000005 newfstatat(AT_FDCWD, \"g\",  <unfinished "
		"...>\n"
		"1 12:00:00.000006 <... newfstatat "
		"resumed>{st_mode=S_IFREG|0644, st_size=0, ...}, 0) = 0\n"
		"1 12:00:00.000007 read(0,  <unfinished ...>\n"
		"1 12:00:00.000008 <... read resumed>\"\", 1) = 0\n"
		"1 12:00:00.000009 close(3 <unfinished ...>\n"
		"1 12:00:00.000010 <... close resumed>) = 0\n"
		"4 12:00:00.000011 open(\"/z\", O_RDONLY <unfinished ...>\n"
		"4 12:00:00.000012 <... open resumed> )   = 5\n",
		"chdir 1/1 path=/x abs=/x ret=0 "
		"ts=1709208000000001000-1709208000000003000 @3\n"
		"openat 2/2 dirfd=-100:/y path=f abs=/y/f flags=O_RDONLY ret=3 "
		"ret_path=/y/f ts=1709208000000002000-1709208000000004000 @4\n"
		"newfstatat 1/1 dirfd=-100:/x path=g abs=/x/g flags=0 ret=0 "
		"ts=1709208000000005000-1709208000000006000 @6\n"
		"close 1/1 fd=3:? ts=1709208000000009000-1709208000000009000 "
		"@9\n"
		"open 4/4 path=/z abs=/z flags=O_RDONLY ret=5 ret_path=/z "
		"ts=1709208000000011000-1709208000000012000 @12\n",
		1,
	},
	{
		"a call that never returns gives no event; close gives one at "
		"entry",
		"1 openat(AT_FDCWD, \"/a\", O_RDONLY <unfinished ...>\n"
		"1 close(7 <unfinished ...>\n"
		"1 +++ killed by SIGKILL +++\n"
		"2 openat(AT_FDCWD, \"/b\", O_RDONLY) = ?\n"
		"2 read(0, <detached ...>\n"
		"2 wait4(-1,  <unfinished ...>\n"
		"2 <... wait4 resumed>0x7ffd, 0, NULL) = ? ERESTARTSYS (To be "
		"restarted if SA_RESTART is set)\n"
		"2 restart_syscall(<... resuming interrupted wait4 ...>) = 0\n"
		"2 fsync(3 <unfinished ...>\n"
		"2 <... fsync resumed>) = ? ERESTARTSYS (To be restarted if "
		"SA_RESTART is set)\n"
		"2 rename(\"/c\", \"/d\") = -1 EXDEV (Invalid cross-device "
		"link) (INJECTED)\n",
		"close 1/1 fd=7:? @2\n"
		"exit 1/1 signal=SIGKILL @3\n"
		"fsync 2/2 fd=3:? ret=-1 errno=512 @10\n"
		"rename 2/2 path=/c abs=/c path2=/d abs2=/d ret=-1 EXDEV @11\n",
		2,
	},
	{
		"signals, strace's messages and exits",
		"strace: Process 30 attached\n"
		"30 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, "
		"si_pid=31, si_uid=0, si_status=0, si_utime=0, si_stime=0} "
		"---\n"
		"30 --- stopped by SIGTSTP ---\n"
		"30 --- SIGINT (Interrupt) @ 0 (0) ---\n"
		"30 [ Process PID=30 runs in 32 bit mode. ]\n"
		"30 +++ killed by SIGSEGV (core dumped) +++\n"
		"31 +++ killed by SIGTERM +++\n"
		"32 +++ exited with 255 +++\n"
		"34 +++ killed by SIGRT_2 +++\n"
		"strace: Process 33 detached\n"
		"\n",
		"exit 30/30 signal=SIGSEGV core @6\n"
		"exit 31/31 signal=SIGTERM @7\n"
		"exit 32/32 status=255 @8\n"
		"exit 34/34 signal=SIGRT_2 @9\n",
		0,
	},
	{
		"-p without -f: the attach names the unprefixed lines' pid",
		"strace: Process 4321 attached\n"
		"close(3) = 0\n"
		"strace: Process 4321 detached\n",
		"close 4321/4321 fd=3:? @2\n",
		0,
	},
	{
		"string escapes in arguments and decorations",
		"9 openat(AT_FDCWD</d\\74i\\76r>, "
		"\"a\\n\\t\\\"\\\\b\\1\\351\\x41\\177\\0017>x\", O_RDONLY) = "
		"3</d<i>r/a\\n\\t\\\"\\\\b\\1\\351A\\177\\0017\\76x>\n"
		"9 symlink(\"t,a(r)g\\\"et\", \"/l,n(k)\") = 0\n",
		"openat 9/9 dirfd=-100:/d<i>r "
		"path=a\\n\\t\"\\\\b\\x01\\xe9A\\x7f\\x017>x "
		"abs=/d<i>r/a\\n\\t\"\\\\b\\x01\\xe9A\\x7f\\x017>x "
		"flags=O_RDONLY ret=3 "
		"ret_path=/d<i>r/a\\n\\t\"\\\\b\\x01\\xe9A\\x7f\\x017>x @1\n"
		"symlink 9/9 path=/l,n(k) abs=/l,n(k) target=t,a(r)g\"et ret=0 "
		"@2\n",
		0,
	},
	{
		"fork, vfork, clone and clone3: kinds, shares, tables",
		"1 openat(AT_FDCWD</w>, \"a\", O_RDONLY) = 3</w/a>\n"
		"1 openat(AT_FDCWD</w>, \"b\", O_RDONLY|O_CLOEXEC) = 4</w/b>\n"
		"1 fork() = 2\n"
		"2 chdir(\"/elsewhere\") = 0\n"
		"2 close(3) = 0\n"
		"1 fsync(3) = 0\n"
		"1 openat(AT_FDCWD, \"c\", O_RDONLY) = 5\n"
		"1 clone(child_stack=0x7f00, "
		"flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_"
		"THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_"
		"CHILD_CLEARTID, parent_tid=[3], tls=0x7f00, "
		"child_tidptr=0x7f00) = 3\n"
		"3 close(5) = 0\n"
		"3 chdir(\"/t\") = 0\n"
		"1 fsync(5) = 0\n"
		"1 openat(AT_FDCWD, \"d\", O_RDONLY) = 5\n"
		"1 clone3({flags=CLONE_VM|CLONE_VFORK|CLONE_CLEAR_SIGHAND, "
		"exit_signal=SIGCHLD, stack=0x7f00, stack_size=0x9000}, 88) = "
		"4\n"
		"4 execve(\"/bin/true\", [\"true\"], 0x7ffd /* 3 vars */) = 0\n"
		"4 fsync(4) = -1 EBADF (Bad file descriptor)\n"
		"4 fsync(3) = 0\n"
		"1 clone(child_stack=NULL, flags=CLONE_FILES|SIGCHLD) = 5\n"
		"5 dup2(3, 9) = 9\n"
		"1 fsync(9) = 0\n"
		"1 vfork() = -1 EAGAIN (Resource temporarily unavailable)\n"
		"1 clone(child_stack=NULL, flags=0x1200000 /* "
		"CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID */|17 /* SIGCHLD */, "
		"child_tidptr=0x7f00) = 6\n",
		"openat 1/1 dirfd=-100:/w path=a abs=/w/a flags=O_RDONLY ret=3 "
		"ret_path=/w/a @1\n"
		"openat 1/1 dirfd=-100:/w path=b abs=/w/b "
		"flags=O_RDONLY|O_CLOEXEC ret=4 ret_path=/w/b @2\n"
		"fork 1/1 child=2/2 process via=fork @3\n"
		"chdir 2/2 path=/elsewhere abs=/elsewhere ret=0 @4\n"
		"close 2/2 fd=3:/w/a @5\n"
		"fsync 1/1 fd=3:/w/a ret=0 @6\n"
		"openat 1/1 dirfd=-100:/w path=c abs=/w/c flags=O_RDONLY ret=5 "
		"ret_path=/w/c @7\n"
		"fork 1/1 child=1/3 thread via=clone files fs @8\n"
		"close 1/3 fd=5:/w/c @9\n"
		"chdir 1/3 path=/t abs=/t ret=0 @10\n"
		"fsync 1/1 fd=5:? ret=0 @11\n"
		"openat 1/1 dirfd=-100:/t path=d abs=/t/d flags=O_RDONLY ret=5 "
		"ret_path=/t/d @12\n"
		"fork 1/1 child=4/4 vfork via=clone3 @13\n"
		"execve 4/4 path=/bin/true abs=/bin/true argv=[true] ret=0 "
		"@14\n"
		"fsync 4/4 fd=4:? ret=-1 EBADF @15\n"
		"fsync 4/4 fd=3:/w/a ret=0 @16\n"
		"fork 1/1 child=5/5 process via=clone files @17\n"
		"dup2 5/5 fd=3:/w/a fd2=9:? ret=9 ret_path=/w/a @18\n"
		"fsync 1/1 fd=9:/w/a ret=0 @19\n"
		"fork 1/1 child=6/6 process via=clone @21\n",
		0,
	},
	{
		"a child's lines before its fork returns wait for it",
		"1 12:00:00.000001 chdir(\"/w\") = 0\n"
		"1 12:00:00.000002 vfork( <unfinished ...>\n"
		"2 12:00:00.000003 openat(AT_FDCWD, \"x\", O_RDONLY) = 3\n"
		"2 12:00:00.000004 execve(\"/bin/cat\", [\"cat\"], 0x7ffd /* 3 "
		"vars */ <unfinished ...>\n"
		"1 12:00:00.000005 <... vfork resumed>) = 2\n"
		"1 12:00:00.000006 wait4(-1,  <unfinished ...>\n"
		"2 12:00:00.000007 <... execve resumed>) = 0\n"
		"2 12:00:00.000008 fsync(3) = 0\n"
		"2 12:00:00.000009 +++ exited with 0 +++\n"
		"1 12:00:00.000010 <... wait4 resumed>NULL, 0, NULL) = 2\n"
		"1 12:00:00.000011 clone( <unfinished ...>\n"
		"7 12:00:00.000012 openat(AT_FDCWD, \"y\", O_RDONLY) = 3\n"
		"1 12:00:00.000013 <... clone resumed>child_stack=NULL, "
		"flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
		"child_tidptr=0x7f00) = 8\n"
		"1 12:00:00.000014 clone(child_stack=NULL, flags=SIGCHLD "
		"<unfinished ...>\n"
		"9 12:00:00.000015 chdir(\"/nine\") = 0\n"
		"1 12:00:00.000016 +++ killed by SIGKILL +++\n"
		"9 12:00:00.000017 openat(AT_FDCWD, \"z\", O_RDONLY) = 3\n",
		"chdir 1/1 path=/w abs=/w ret=0 "
		"ts=1709208000000001000-1709208000000001000 @1\n"
		"fork 1/1 child=2/2 vfork via=vfork ts=1709208000000002000 @5\n"
		"openat 2/2 dirfd=-100:/w path=x abs=/w/x flags=O_RDONLY ret=3 "
		"ret_path=/w/x ts=1709208000000003000-1709208000000003000 @3\n"
		"execve 2/2 path=/bin/cat abs=/bin/cat argv=[cat] ret=0 "
		"ts=1709208000000004000-1709208000000007000 @7\n"
		"fsync 2/2 fd=3:/w/x ret=0 "
		"ts=1709208000000008000-1709208000000008000 @8\n"
		"exit 2/2 status=0 ts=1709208000000009000 @9\n"
		"fork 1/1 child=8/8 process via=clone ts=1709208000000011000 "
		"@13\n"
		"openat 7/7 dirfd=-100:? path=y abs=? flags=O_RDONLY ret=3 "
		"ts=1709208000000012000-1709208000000012000 @12\n"
		"exit 1/1 signal=SIGKILL ts=1709208000000016000 @16\n"
		"chdir 9/9 path=/nine abs=/nine ret=0 "
		"ts=1709208000000015000-1709208000000015000 @15\n"
		"openat 9/9 dirfd=-100:/nine path=z abs=/nine/z flags=O_RDONLY "
		"ret=3 ret_path=/nine/z "
		"ts=1709208000000017000-1709208000000017000 @17\n",
		1,
	},
	{
		"execve: argv, close-on-exec, a thread's execve",
		"1 openat(AT_FDCWD</w>, \"keep\", O_RDONLY) = 3</w/keep>\n"
		"1 openat(AT_FDCWD</w>, \"drop\", O_RDONLY|O_CLOEXEC) = "
		"4</w/drop>\n"
		"1 dup3(3, 5, O_CLOEXEC) = 5</w/keep>\n"
		"1 fcntl(3, F_DUPFD_CLOEXEC, 10) = 10</w/keep>\n"
		"1 fcntl(3, F_SETFD, FD_CLOEXEC) = 0\n"
		"1 dup2(4, 6) = 6</w/drop>\n"
		"1 "
		"clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|"
		"CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|"
		"CLONE_CHILD_CLEARTID, child_tid=0x7f00, parent_tid=0x7f00, "
		"exit_signal=0, stack=0x7f00, stack_size=0x7fff80, tls=0x7f00} "
		"=> {parent_tid=[2]}, 88) = 2\n"
		"2 execve(\"/bin/ls\", [\"ls\", \"-l\", \"a b\"], 0x7ffd /* 3 "
		"vars */ <unfinished ...>\n"
		"1 pause( <unfinished ...>\n"
		"1 <... pause resumed>) = ?\n"
		"1 +++ superseded by execve in pid 2 +++\n"
		"1 <... execve resumed>) = 0\n"
		"1 fsync(3) = 0\n"
		"1 fsync(4) = 0\n"
		"1 fsync(5) = 0\n"
		"1 fsync(6) = 0\n"
		"1 fsync(10) = 0\n"
		"1 execve(\"rel\", [\"rel\"], 0x7ffd /* 3 vars */) = -1 ENOENT "
		"(No such file or directory)\n",
		"openat 1/1 dirfd=-100:/w path=keep abs=/w/keep flags=O_RDONLY "
		"ret=3 ret_path=/w/keep @1\n"
		"openat 1/1 dirfd=-100:/w path=drop abs=/w/drop "
		"flags=O_RDONLY|O_CLOEXEC ret=4 ret_path=/w/drop @2\n"
		"dup3 1/1 fd=3:/w/keep fd2=5:? flags=O_CLOEXEC ret=5 "
		"ret_path=/w/keep @3\n"
		"fcntl 1/1 fd=3:/w/keep cmd=F_DUPFD_CLOEXEC arg=10 ret=10 "
		"ret_path=/w/keep @4\n"
		"fcntl 1/1 fd=3:/w/keep cmd=F_SETFD arg=1 ret=0 @5\n"
		"dup2 1/1 fd=4:/w/drop fd2=6:? ret=6 ret_path=/w/drop @6\n"
		"fork 1/1 child=1/2 thread via=clone3 files fs @7\n"
		"execve 1/1 path=/bin/ls abs=/bin/ls argv=[ls,-l,a b] "
		"old_tid=2 ret=0 @12\n"
		"fsync 1/1 fd=3:? ret=0 @13\n"
		"fsync 1/1 fd=4:? ret=0 @14\n"
		"fsync 1/1 fd=5:? ret=0 @15\n"
		"fsync 1/1 fd=6:/w/drop ret=0 @16\n"
		"fsync 1/1 fd=10:? ret=0 @17\n"
		"execve 1/1 path=rel abs=/w/rel argv=[rel] ret=-1 ENOENT @18\n",
		1,
	},
	{
		"more path calls: *at dirfds, links, xattrs, utimensat on an "
		"fd",
		"9 openat(AT_FDCWD</w>, \"dir\", O_RDONLY|O_DIRECTORY) = "
		"3</w/dir>\n"
		"9 unlinkat(3, \"../x\", 0) = 0\n"
		"9 unlinkat(3, \"sub\", AT_REMOVEDIR) = 0\n"
		"9 linkat(3, \"a\", AT_FDCWD, \"/b\", AT_SYMLINK_FOLLOW) = 0\n"
		"9 symlinkat(\"target\", 3, \"ln\") = 0\n"
		"9 readlinkat(3, \"ln\", \"target\", 4095) = 6\n"
		"9 fchownat(3, \"a\", 0, 0, AT_SYMLINK_NOFOLLOW) = 0\n"
		"9 fchmodat(3, \"a\", 0600) = 0\n"
		"9 mkdirat(3, \"n\", 0700) = 0\n"
		"9 utimensat(3, NULL, [UTIME_NOW, UTIME_NOW], 0) = 0\n"
		"9 lsetxattr(\"/w/a\", \"user.k\", \"v\", 1, 0) = 0\n"
		"9 fremovexattr(3, \"user.k\") = 0\n"
		"9 truncate(\"/w/a\", 10) = 0\n"
		"9 ftruncate(3, 0) = -1 EISDIR (Is a directory)\n"
		"9 openat2(3, \"o\", {flags=O_RDWR|O_CREAT, mode=0640, "
		"resolve=RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS}, 24) = 4\n"
		"9 creat(\"/w/c\", 0644) = 5</w/c>\n"
		"9 copy_file_range(4, NULL, 5, NULL, 100, 0) = 100\n"
		"9 sendfile(5, 4, NULL, 100) = 0\n"
		"9 sync_file_range(5, 0, 0, "
		"SYNC_FILE_RANGE_WAIT_BEFORE|SYNC_FILE_RANGE_WRITE) = 0\n"
		"9 syncfs(5) = 0\n"
		"9 sync() = 0\n"
		"9 chroot(\"/w\") = 0\n"
		"9 execveat(3, \"\", [\"x\"], 0x7ffd /* 0 vars */, "
		"AT_EMPTY_PATH) = -1 EACCES (Permission denied)\n",
		"openat 9/9 dirfd=-100:/w path=dir abs=/w/dir "
		"flags=O_RDONLY|O_DIRECTORY ret=3 ret_path=/w/dir @1\n"
		"unlinkat 9/9 dirfd=3:/w/dir path=../x abs=/w/x flags=0 ret=0 "
		"@2\n"
		"unlinkat 9/9 dirfd=3:/w/dir path=sub abs=/w/dir/sub "
		"flags=AT_REMOVEDIR ret=0 @3\n"
		"linkat 9/9 dirfd=3:/w/dir path=a abs=/w/dir/a dirfd2=-100:/w "
		"path2=/b abs2=/b flags=AT_SYMLINK_FOLLOW ret=0 @4\n"
		"symlinkat 9/9 dirfd=3:/w/dir path=ln abs=/w/dir/ln "
		"target=target ret=0 @5\n"
		"readlinkat 9/9 dirfd=3:/w/dir path=ln abs=/w/dir/ln "
		"target=target ret=6 @6\n"
		"fchownat 9/9 dirfd=3:/w/dir path=a abs=/w/dir/a "
		"flags=AT_SYMLINK_NOFOLLOW owner=0:0 ret=0 @7\n"
		"fchmodat 9/9 dirfd=3:/w/dir path=a abs=/w/dir/a mode=600 "
		"ret=0 @8\n"
		"mkdirat 9/9 dirfd=3:/w/dir path=n abs=/w/dir/n mode=700 ret=0 "
		"@9\n"
		"utimensat 9/9 dirfd=3:/w/dir fd=3:/w/dir flags=0 ret=0 @10\n"
		"lsetxattr 9/9 path=/w/a abs=/w/a xattr=user.k ret=0 @11\n"
		"fremovexattr 9/9 fd=3:/w/dir xattr=user.k ret=0 @12\n"
		"truncate 9/9 path=/w/a abs=/w/a length=10 ret=0 @13\n"
		"ftruncate 9/9 fd=3:/w/dir length=0 ret=-1 EISDIR @14\n"
		"openat2 9/9 dirfd=3:/w/dir path=o abs=/w/dir/o "
		"flags=O_RDWR|O_CREAT mode=640 "
		"resolve=RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH ret=4 "
		"ret_path=/w/dir/o @15\n"
		"creat 9/9 path=/w/c abs=/w/c flags=O_WRONLY|O_CREAT|O_TRUNC "
		"mode=644 ret=5 ret_path=/w/c @16\n"
		"copy_file_range 9/9 fd=4:/w/dir/o fd2=5:/w/c ret=100 @17\n"
		"sendfile 9/9 fd=5:/w/c fd2=4:/w/dir/o ret=0 @18\n"
		"sync_file_range 9/9 fd=5:/w/c "
		"flags=SYNC_FILE_RANGE_WAIT_BEFORE|SYNC_FILE_RANGE_WRITE ret=0 "
		"@19\n"
		"syncfs 9/9 fd=5:/w/c ret=0 @20\n"
		"sync 9/9 @21\n"
		"chroot 9/9 path=/w abs=/w ret=0 @22\n"
		"execveat 9/9 dirfd=3:/w/dir path= abs=/w/dir fd=3:/w/dir "
		"flags=AT_EMPTY_PATH argv=[x] ret=-1 EACCES @23\n",
		0,
	},
	{
		"stderr -f: strace's attach message cuts a line, the rest "
		"follows",
		"set_tid_address(0x7f00) = 50\n"
		"clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|"
		"CLONE_THREAD, exit_signal=0, stack=0x7f00, "
		"stack_size=0x7fff80}strace: Process 51 attached\n"
		" => {parent_tid=[51]}, 88) = 51\n"
		"[pid    51] openat(AT_FDCWD</t>, \"f\", O_RDONLY) = 3</t/f>\n"
		"[pid    50] wait4(51, strace: Process 52 attached\n"
		" <unfinished ...>\n"
		"[pid    51] +++ exited with 0 +++\n"
		"[pid    50] <... wait4 resumed>NULL, 0, NULL) = 51\n"
		"fsync(3) = 0\n"
		"clone(child_stack=NULL, flags=0x1200000 /* "
		"CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID */|17 /* SIGCHLD "
		"*/strace: Process 54 attached\n"
		", child_tidptr=0x7f00) = 54\n"
		"[pid    50] wait4(54, strace: Process 55 attached\n"
		"strace: Process 56 attached\n"
		"NULL, 0, NULL) = 54\n"
		"[pid    54] chdir(\"/a\"strace: Process 53 attached\n"
		"[pid    54] chdir(\"/b\") = 0\n",
		"fork 50/50 child=50/51 thread via=clone3 files fs @3\n"
		"openat 50/51 dirfd=-100:/t path=f abs=/t/f flags=O_RDONLY "
		"ret=3 ret_path=/t/f @4\n"
		"exit 50/51 status=0 @7\n"
		"fsync 50/50 fd=3:/t/f ret=0 @9\n"
		"fork 50/50 child=54/54 process via=clone @11\n"
		"chdir 54/54 path=/b abs=/b ret=0 @16\n",
		3,
		NULL,
		"fsrace: warning: T/log:15: cannot parse: [pid    54] "
		"chdir(\"/a\"\n",
	},
	{
		"stderr -f: strace killed after an attach message cut a line: "
		"its head is the last line",
		"set_tid_address(0x7f00) = 50\n"
		"chdir(\"/a\") = 0\n"
		"wait4(51, strace: Process 52 attached\n",
		"chdir 50/50 path=/a abs=/a ret=0 @2\n",
		1,
		NULL,
		"fsrace: warning: T/log:3: cannot parse: wait4(51, \n",
	},
	{
		"stderr -f: the parent exits first, the only process left "
		"writes unprefixed lines",
		"set_tid_address(0x7f46502b0a10)         = 30157\n"
		"chdir(\"/tmp\")                           = 0\n"
		"clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|"
		"CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f46502b0a10) = "
		"30159\n"
		"exit_group(0)                           = ?\n"
		"+++ exited with 0 +++\n"
		"strace: Process 30159 attached\n"
		"openat(AT_FDCWD, \"/dev/null\", O_RDONLY) = 0\n"
		"vfork(strace: Process 30160 attached\n"
		")                                 = 30160\n"
		"[pid 30160] openat(AT_FDCWD, \"x\", O_RDONLY) = 3\n"
		"[pid 30160] exit_group(0)               = ?\n"
		"[pid 30160] +++ exited with 0 +++\n"
		"chdir(\"/tmp/st\")                        = 0\n"
		"openat(AT_FDCWD, \"rel\", O_RDONLY)       = 3\n"
		"exit_group(0)                           = ?\n"
		"+++ exited with 0 +++\n",
		"chdir 30157/30157 path=/tmp abs=/tmp ret=0 @2\n"
		"fork 30157/30157 child=30159/30159 process via=clone @3\n"
		"exit 30157/30157 status=0 @5\n"
		"openat 30159/30159 dirfd=-100:/tmp path=/dev/null "
		"abs=/dev/null flags=O_RDONLY ret=0 ret_path=/dev/null @7\n"
		"fork 30159/30159 child=30160/30160 vfork via=vfork @9\n"
		"openat 30160/30160 dirfd=-100:/tmp path=x abs=/tmp/x "
		"flags=O_RDONLY ret=3 ret_path=/tmp/x @10\n"
		"exit 30160/30160 status=0 @12\n"
		"chdir 30159/30159 path=/tmp/st abs=/tmp/st ret=0 @13\n"
		"openat 30159/30159 dirfd=-100:/tmp/st path=rel "
		"abs=/tmp/st/rel flags=O_RDONLY ret=3 ret_path=/tmp/st/rel "
		"@14\n"
		"exit 30159/30159 status=0 @16\n",
		4,
	},
	{
		"a sign, a ~ or a 0x without digits is no number",
		"9 fsync(-) = 0\n"
		"9 fsync(0x) = 0\n"
		"9 chdir(\"/\") = ~\n"
		"9 chdir(\"/\") = -\n"
		"9 fsync(3) = 0\n",
		"fsync 9/9 fd=3:? ret=0 @5\n",
		0,
		NULL,
		"fsrace: warning: T/log:1: cannot parse: 9 fsync(-) = 0\n"
		"fsrace: warning: T/log:2: cannot parse: 9 fsync(0x) = 0\n"
		"fsrace: warning: T/log:3: cannot parse: 9 chdir(\"/\") = ~\n"
		"fsrace: warning: T/log:4: cannot parse: 9 chdir(\"/\") = -\n",
	},
	{
		"prefixes that are none: [pid 0], a pid past PID_MAX_LIMIT, -i "
		"brackets without their space",
		"[pid 0] chdir(\"/a\") = 0\n"
		"[pid 4194305] chdir(\"/b\") = 0\n"
		"12 [00007f0000000000]chdir(\"/c\") = 0\n"
		"12 [] chdir(\"/d\") = 0\n"
		"12 [00007f0000000000] chdir(\"/e\") = 0\n",
		"chdir 12/12 path=/e abs=/e ret=0 @5\n",
		0,
		NULL,
		"fsrace: warning: T/log:1: cannot parse: [pid 0] "
		"chdir(\"/a\") = 0\n"
		"fsrace: warning: T/log:2: cannot parse: [pid 4194305] "
		"chdir(\"/b\") = 0\n"
		"fsrace: warning: T/log:3: cannot parse: 12 "
		"[00007f0000000000]chdir(\"/c\") = 0\n"
		"fsrace: warning: T/log:4: cannot parse: 12 [] "
		"chdir(\"/d\") = 0\n",
	},
	{
		"the largest device numbers: makedev() and statx's 32-bit "
		"major and minor",
		"9 newfstatat(AT_FDCWD, \"/f\", {st_dev=makedev(0xffffffff, "
		"0xffffffff), st_ino=12, st_mode=S_IFREG|0640, st_nlink=1, "
		"st_uid=0, st_gid=0, st_size=3}, 0) = 0\n"
		"9 statx(AT_FDCWD, \"/g\", 0, STATX_ALL, {stx_mask=STATX_ALL, "
		"stx_nlink=1, stx_uid=0, stx_gid=0, stx_mode=S_IFDIR|0755, "
		"stx_ino=861, stx_size=4096, stx_dev_major=4294967295, "
		"stx_dev_minor=4294967295}) = 0\n"
		"9 newfstatat(AT_FDCWD, \"/h\", {st_dev=makedev(0x100000000, "
		"0), st_ino=12, st_mode=S_IFREG|0640, st_nlink=1, st_uid=0, "
		"st_gid=0, st_size=3}, 0) = 0\n",
		"newfstatat 9/9 dirfd=-100:? path=/f abs=/f flags=0 ret=0 "
		"stat=18446744073709551615:12:100640:1:0:0:3 @1\n"
		"statx 9/9 dirfd=-100:? path=/g abs=/g flags=0 ret=0 "
		"stat=18446744073709551615:861:40755:1:0:0:4096 @2\n"
		"newfstatat 9/9 dirfd=-100:? path=/h abs=/h flags=0 ret=0 @3\n",
		0,
	},
	{
		"-t: minute 60 and hour 24 are no time of day",
		"7 10:60:00 chdir(\"/a\") = 0\n"
		"7 24:00:00 chdir(\"/b\") = 0\n"
		"7 10:00:61 chdir(\"/c\") = 0\n"
		"7 10:59:59 chdir(\"/d\") = 0\n",
		"chdir 7/7 path=/d abs=/d ret=0 "
		"ts=1709204399000000000-1709204399000000000 @4\n",
		0,
		NULL,
		"fsrace: warning: T/log:1: cannot parse: 7 10:60:00 "
		"chdir(\"/a\") = 0\n"
		"fsrace: warning: T/log:2: cannot parse: 7 24:00:00 "
		"chdir(\"/b\") = 0\n"
		"fsrace: warning: T/log:3: cannot parse: 7 10:00:61 "
		"chdir(\"/c\") = 0\n",
	},
	{
		"4.x and odd prefixes: -Y comm, -i, -n",
		"[pid  12] open(\"/etc/a\", O_RDONLY) = 3\n"
		"12<cat> 12:00:00 close(3)                 = 0\n"
		"12 12:00:01 [00007f0000000000] open(\"/etc/b\", O_RDONLY) = "
		"3\n"
		"12 [ 257] openat(AT_FDCWD, \"/etc/c\", O_RDONLY) = 4\n",
		"open 12/12 path=/etc/a abs=/etc/a flags=O_RDONLY ret=3 "
		"ret_path=/etc/a @1\n"
		"close 12/12 fd=3:/etc/a "
		"ts=1709208000000000000-1709208000000000000 @2\n"
		"open 12/12 path=/etc/b abs=/etc/b flags=O_RDONLY ret=3 "
		"ret_path=/etc/b ts=1709208001000000000-1709208001000000000 "
		"@3\n"
		"openat 12/12 dirfd=-100:? path=/etc/c abs=/etc/c "
		"flags=O_RDONLY ret=4 ret_path=/etc/c @4\n",
		0,
	},
	{
		"open(2) without O_CREAT: a mode strace prints is not the "
		"call's",
		"9 open(\"/a\", O_RDONLY, 0777) = 3\n"
		"9 open(\"/b\", O_WRONLY|O_CREAT, 0640) = 4\n"
		"9 openat(AT_FDCWD, \"/c\", O_RDONLY|O_DIRECTORY, 0) = 5\n"
		"9 openat(AT_FDCWD, \"/d\", O_RDWR|O_TMPFILE, 0600) = 6\n",
		"open 9/9 path=/a abs=/a flags=O_RDONLY ret=3 ret_path=/a @1\n"
		"open 9/9 path=/b abs=/b flags=O_WRONLY|O_CREAT mode=640 ret=4 "
		"ret_path=/b @2\n"
		"openat 9/9 dirfd=-100:? path=/c abs=/c "
		"flags=O_RDONLY|O_DIRECTORY ret=5 ret_path=/c @3\n"
		/* an O_TMPFILE fd names no path, and the log's = 6 no other */
		"openat 9/9 dirfd=-100:? path=/d abs=/d flags=O_RDWR|O_TMPFILE "
		"mode=600 ret=6 @4\n",
		0,
	},
	{
		"chdir and fchdir to what the model cannot resolve: the cwd "
		"is unknown until told",
		"9 chdir(\"/w\") = 0\n"
		"9 chdir(\"abc\"...) = 0\n"
		"9 openat(AT_FDCWD, \"x\", O_RDONLY) = 3\n"
		"9 chdir(\"/v\") = 0\n"
		"9 openat(AT_FDCWD, \"y\", O_RDONLY) = 4\n"
		"9 fchdir(7) = 0\n"
		"9 openat(AT_FDCWD, \"z\", O_RDONLY) = 5\n"
		"9 openat(AT_FDCWD</u>, \"z\", O_RDONLY) = 6\n",
		"chdir 9/9 path=/w abs=/w ret=0 @1\n"
		"chdir 9/9 path=abc... abs=? ret=0 @2\n"
		"openat 9/9 dirfd=-100:? path=x abs=? flags=O_RDONLY ret=3 @3\n"
		"chdir 9/9 path=/v abs=/v ret=0 @4\n"
		"openat 9/9 dirfd=-100:/v path=y abs=/v/y flags=O_RDONLY ret=4 "
		"ret_path=/v/y @5\n"
		"fchdir 9/9 fd=7:? ret=0 @6\n"
		"openat 9/9 dirfd=-100:? path=z abs=? flags=O_RDONLY ret=5 @7\n"
		"openat 9/9 dirfd=-100:/u path=z abs=/u/z flags=O_RDONLY ret=6 "
		"ret_path=/u/z @8\n",
		0,
	},
	{
		"chroot: paths resolve under the root, a child inherits it",
		"9 chdir(\"/w\") = 0\n"
		"9 chroot(\"jail\") = 0\n"
		"9 open(\"/etc/x\", O_RDONLY) = 3\n"
		"9 open(\"rel\", O_RDONLY) = 4\n"
		"9 chdir(\"/\") = 0\n"
		"9 openat(AT_FDCWD, \"../a\", O_RDONLY) = 5\n"
		"9 clone(child_stack=NULL, flags=SIGCHLD) = 10\n"
		"10 open(\"/b/../../c\", O_RDONLY) = 3\n"
		"9 chroot(\"/\") = 0\n"
		"9 open(\"/d\", O_RDONLY) = 6\n",
		"chdir 9/9 path=/w abs=/w ret=0 @1\n"
		"chroot 9/9 path=jail abs=/w/jail ret=0 @2\n"
		"open 9/9 path=/etc/x abs=/w/jail/etc/x flags=O_RDONLY ret=3 "
		"ret_path=/w/jail/etc/x @3\n"
		"open 9/9 path=rel abs=/w/rel flags=O_RDONLY ret=4 "
		"ret_path=/w/rel @4\n"
		"chdir 9/9 path=/ abs=/w/jail ret=0 @5\n"
		"openat 9/9 dirfd=-100:/w/jail path=../a abs=/w/jail/a "
		"flags=O_RDONLY ret=5 ret_path=/w/jail/a @6\n"
		"fork 9/9 child=10/10 process via=clone @7\n"
		"open 10/10 path=/b/../../c abs=/w/jail/c flags=O_RDONLY ret=3 "
		"ret_path=/w/jail/c @8\n"
		"chroot 9/9 path=/ abs=/w/jail ret=0 @9\n"
		"open 9/9 path=/d abs=/w/jail/d flags=O_RDONLY ret=6 "
		"ret_path=/w/jail/d @10\n",
		0,
	},
	{
		"close-on-exec: F_SETFD tests FD_CLOEXEC, dup3 and "
		"F_DUPFD_CLOEXEC set it, execve closes",
		"9 open(\"/a\", O_RDONLY) = 3\n"
		"9 fcntl(3, F_SETFD, FD_CLOEXEC) = 0\n"
		"9 open(\"/b\", O_RDONLY|O_CLOEXEC) = 4\n"
		"9 fcntl(4, F_SETFD, 0) = 0\n"
		"9 dup3(4, 10, O_CLOEXEC) = 10\n"
		"9 fcntl(4, F_DUPFD_CLOEXEC, 20) = 20\n"
		"9 execve(\"/x\", [\"x\"], 0x7f /* 0 vars */) = 0\n"
		"9 fstat(3, 0x7f00) = -1 EBADF (Bad file descriptor)\n"
		"9 fstat(4, 0x7f00) = 0\n"
		"9 fstat(10, 0x7f00) = -1 EBADF (Bad file descriptor)\n"
		"9 fstat(20, 0x7f00) = -1 EBADF (Bad file descriptor)\n",
		"open 9/9 path=/a abs=/a flags=O_RDONLY ret=3 ret_path=/a @1\n"
		"fcntl 9/9 fd=3:/a cmd=F_SETFD arg=1 ret=0 @2\n"
		"open 9/9 path=/b abs=/b flags=O_RDONLY|O_CLOEXEC ret=4 "
		"ret_path=/b @3\n"
		"fcntl 9/9 fd=4:/b cmd=F_SETFD arg=0 ret=0 @4\n"
		"dup3 9/9 fd=4:/b fd2=10:? flags=O_CLOEXEC ret=10 ret_path=/b "
		"@5\n"
		"fcntl 9/9 fd=4:/b cmd=F_DUPFD_CLOEXEC arg=20 ret=20 "
		"ret_path=/b @6\n"
		"execve 9/9 path=/x abs=/x argv=[x] ret=0 @7\n"
		"fstat 9/9 fd=3:? ret=-1 EBADF @8\n"
		"fstat 9/9 fd=4:/b ret=0 @9\n"
		"fstat 9/9 fd=10:? ret=-1 EBADF @10\n"
		"fstat 9/9 fd=20:? ret=-1 EBADF @11\n",
		0,
	},
	{
		"fds up to the kernel's NR_OPEN are tracked, as live",
		"9 open(\"/a\", O_RDONLY) = 3\n"
		"9 dup2(3, 1000000) = 1000000\n"
		"9 fsync(1000000) = 0\n"
		"9 dup2(3, 1048576) = -1 EBADF (Bad file descriptor)\n"
		"9 fsync(1048576) = -1 EBADF (Bad file descriptor)\n",
		"open 9/9 path=/a abs=/a flags=O_RDONLY ret=3 ret_path=/a @1\n"
		"dup2 9/9 fd=3:/a fd2=1000000:? ret=1000000 ret_path=/a @2\n"
		"fsync 9/9 fd=1000000:/a ret=0 @3\n"
		"dup2 9/9 fd=3:/a fd2=1048576:? ret=-1 EBADF @4\n"
		"fsync 9/9 fd=1048576:? ret=-1 EBADF @5\n",
		0,
	},
	{
		"-ff -T: a clone3 sorts at its start, its child inside the "
		"call",
		"10:00:00.000100 chdir(\"/w\") = 0 <0.000010>\n"
		"10:00:00.000200 clone3({flags=CLONE_VM|CLONE_VFORK, "
		"exit_signal=SIGCHLD, stack=0x7f00, stack_size=0x9000}, 88) = "
		"301 <0.000300>\n"
		"10:00:00.000600 exit_group(0) = ?\n"
		"10:00:00.000700 +++ exited with 0 +++\n"
		"\f"
		"10:00:00.000300 openat(AT_FDCWD, \"c\", O_RDONLY) = 3 "
		"<0.000010>\n"
		"10:00:00.000400 +++ exited with 0 +++\n",
		"chdir 300/300 path=/w abs=/w ret=0 "
		"ts=1709287200000100000-1709287200000110000 @1\n"
		"fork 300/300 child=301/301 vfork via=clone3 "
		"ts=1709287200000200000 @2\n"
		"openat 301/301 dirfd=-100:/w path=c abs=/w/c flags=O_RDONLY "
		"ret=3 ret_path=/w/c "
		"ts=1709287200000300000-1709287200000310000 @1\n"
		"exit 301/301 status=0 ts=1709287200000400000 @2\n"
		"exit 300/300 status=0 ts=1709287200000700000 @4\n",
		1,
		"trace.300 trace.301",
	},
	{
		"-ff -T: a fork() sorts at its start too",
		"10:00:00.000100 chdir(\"/w\") = 0 <0.000010>\n"
		"10:00:00.000200 fork() = 301 <0.000300>\n"
		"10:00:00.000700 +++ exited with 0 +++\n"
		"\f"
		"10:00:00.000300 openat(AT_FDCWD, \"c\", O_RDONLY) = 3 "
		"<0.000010>\n"
		"10:00:00.000400 +++ exited with 0 +++\n",
		"chdir 300/300 path=/w abs=/w ret=0 "
		"ts=1709287200000100000-1709287200000110000 @1\n"
		"fork 300/300 child=301/301 process via=fork "
		"ts=1709287200000200000 @2\n"
		"openat 301/301 dirfd=-100:/w path=c abs=/w/c flags=O_RDONLY "
		"ret=3 ret_path=/w/c "
		"ts=1709287200000300000-1709287200000310000 @1\n"
		"exit 301/301 status=0 ts=1709287200000400000 @2\n"
		"exit 300/300 status=0 ts=1709287200000700000 @3\n",
		0,
		"trace.300 trace.301",
	},
	{
		"-tt: second 60, a leap second as localtime() gives it in a "
		"right/ zone",
		"7 09:59:60.250000 chdir(\"/\") = 0\n",
		"chdir 7/7 path=/ abs=/ ret=0 "
		"ts=1709287200250000000-1709287200250000000 @1\n",
		0,
	},
	{
		"getcwd() = 0 (INJECTED) did not fill its buffer: no cwd "
		"learnt",
		"getcwd(\"/stale\", 4096)                  = 0 (INJECTED)\n"
		"openat(AT_FDCWD, \"rel\", O_RDONLY)       = 3\n"
		"getcwd(\"/tmp/st\", 4096)                 = 8\n"
		"openat(AT_FDCWD, \"rel\", O_RDONLY)       = 4\n"
		"+++ exited with 0 +++\n",
		"openat 0/0 dirfd=-100:? path=rel abs=? flags=O_RDONLY ret=3 "
		"@2\n"
		"openat 0/0 dirfd=-100:/tmp/st path=rel abs=/tmp/st/rel "
		"flags=O_RDONLY ret=4 ret_path=/tmp/st/rel @4\n"
		"exit 0/0 status=0 @5\n",
		2,
	},
};

/* each case is a cmocka test of its own, named after it (see main) */
static void test_case(void **state)
{
	check_case(*state);
}

/* ---- bad input ---- */

#define BAD_LOG                                                                \
	"9 chdir(\"/\") = 0\n"                                                 \
	"garbage line here\n"                                                  \
	"9 openat(AT_FDCWD, \"x\" = 3\n"                                       \
	"9 <... chdir resumed>) = 0\n"                                         \
	"9 foo(1, 2\n"                                                         \
	"9 openat(zzz, \"x\", O_RDONLY) = 3\n"                                 \
	"\x01\x02 binary\x7f\n"                                                \
	"9 +++ exited with 300 +++\n"                                          \
	"9 openat(AT_FDCWD, \"/a-path-long-enough-to-be-cut-in-the-"           \
	"warning/because/it/goes/on/and/on/and/on/past/a/hundred/bytes\""      \
	", O_RDWR\n"                                                           \
	"9 chdir(\"/tmp\""

static void test_bad_lines_warn(void **state)
{
	static struct result res;

	run(BAD_LOG, NULL, false, &res);
	assert_int_equal(res.ret, 0);
	assert_string_equal(res.events, "chdir 9/9 path=/ abs=/ ret=0 @1\n");
	assert_int_equal(res.skipped, 9);
	assert_string_equal(
		strip_dir(res.warnings),
		"fsrace: warning: T/log:2: cannot parse: garbage line here\n"
		"fsrace: warning: T/log:3: cannot parse: "
		"9 openat(AT_FDCWD, \"x\" = 3\n"
		"fsrace: warning: T/log:4: cannot parse: "
		"9 <... chdir resumed>) = 0\n"
		"fsrace: warning: T/log:5: cannot parse: 9 foo(1, 2\n"
		"fsrace: warning: T/log:6: cannot parse: "
		"9 openat(zzz, \"x\", O_RDONLY) = 3\n"
		"fsrace: warning: T/log:7: cannot parse: "
		"\\x01\\x02 binary\\x7f\n"
		"fsrace: warning: T/log:8: cannot parse: "
		"9 +++ exited with 300 +++\n"
		"fsrace: warning: T/log:9: cannot parse: "
		"9 openat(AT_FDCWD, \"/a-path-long-enough-to-be-cut-in-the-"
		"warning/because/it/goes/on/and/on/and/on/pa...\n"
		"fsrace: warning: T/log:10: cannot parse: 9 chdir(\"/tmp\"\n");
}

static void test_bad_lines_strict(void **state)
{
	static struct result res;

	run(BAD_LOG, NULL, true, &res);
	assert_int_equal(res.ret, -EINVAL);
	assert_string_equal(res.events, "chdir 9/9 path=/ abs=/ ret=0 @1\n");
	assert_string_equal(strip_dir(res.err),
			    "T/log:2: cannot parse: garbage line here");
	assert_string_equal(res.warnings, "");
}

/* strace killed mid-line: a warning even in strict mode */
static void test_cut_last_line_strict(void **state)
{
	static struct result res;

	run("9 chdir(\"/\") = 0\n9 openat(AT_FDCWD, \"/x\", O_RD", NULL, true,
	    &res);
	assert_int_equal(res.ret, 0);
	assert_string_equal(res.events, "chdir 9/9 path=/ abs=/ ret=0 @1\n");
	assert_int_equal(res.skipped, 1);
	assert_string_equal(strip_dir(res.warnings),
			    "fsrace: warning: T/log:2: cannot parse: "
			    "9 openat(AT_FDCWD, \"/x\", O_RD\n");
}

static void test_too_long_line(void **state)
{
	size_t n = STRACE_MAX_LINE + 100;
	char *log = malloc(n + 64);
	static struct result res;

	assert_non_null(log);
	strcpy(log, "9 write(1, \"");
	memset(log + 12, 'a', n - 12);
	strcpy(log + n, "\", 1) = 1\n9 chdir(\"/\") = 0\n");
	run(log, NULL, false, &res);
	free(log);
	assert_int_equal(res.ret, 0);
	assert_string_equal(res.events, "chdir 9/9 path=/ abs=/ ret=0 @2\n");
	assert_int_equal(res.skipped, 1);
	assert_string_equal(
		strip_dir(res.warnings),
		"fsrace: warning: T/log:1: cannot parse: "
		"9 write(1, \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\n");
}

/*
 * -ff files of a strace still running: each is read to the end it has
 * when the reader reaches that end; what strace appends to it later is
 * not read (it would come after events of the other files that were
 * already given, out of order).
 */
static void test_ff_file_growing_after_its_end(void **state)
{
	char a[PATH_MAX], b[PATH_MAX], err[256];
	const char *paths[] = {a, b};
	struct strace_reader *r;
	struct event ev;
	char got[512] = "";
	FILE *f;

	snprintf(a, sizeof(a), "%s/grow.300", tmpdir);
	snprintf(b, sizeof(b), "%s/grow.301", tmpdir);
	write_file(a, "10:00:00.000100 chdir(\"/a\") = 0\n");
	write_file(b, "10:00:00.000200 chdir(\"/b\") = 0\n"
		      "10:00:00.000300 chdir(\"/c\") = 0\n");
	assert_int_equal(
		strace_reader_open(&r, paths, 2, true, err, sizeof(err)), 0);
	for (int i = 0; strace_reader_next(r, &ev, err, sizeof(err)) > 0; i++) {
		snprintf(got + strlen(got), sizeof(got) - strlen(got),
			 "%d %s\n", ev.pid, ev.path);
		if (i == 1) {
			/* grow.300 has been read to its end by now */
			f = fopen(a, "a");
			assert_non_null(f);
			fputs("10:00:00.000400 chdir(\"/d\") = 0\n", f);
			fclose(f);
		}
	}
	strace_reader_close(r);
	assert_string_equal(got, "300 /a\n301 /b\n301 /c\n");
}

static void test_open_errors(void **state)
{
	const char *paths[] = {"/nonexistent/strace.log"};
	struct strace_reader *r = NULL;
	char err[256];

	assert_int_equal(
		strace_reader_open(&r, paths, 1, false, err, sizeof(err)),
		-ENOENT);
	assert_string_equal(err, "cannot open '/nonexistent/strace.log': "
				 "No such file or directory");
	assert_int_equal(
		strace_reader_open(&r, paths, 0, false, err, sizeof(err)),
		-EINVAL);
	assert_string_equal(err, "no strace log to read");
}

static void test_empty_file(void **state)
{
	static struct result res;

	run("", NULL, true, &res);
	assert_int_equal(res.ret, 0);
	assert_string_equal(res.events, "");
	assert_int_equal(res.skipped, 0);
}

/*
 * ---- the tokenizer's contract (strace-int.h) ----
 *
 * Each value parser reads a span S..END of a line and nothing past END:
 * the bytes after END here are ones that would change the value if they
 * were read ('x' after "0", digits, 'U', '-'). What moved *PP is checked
 * with the value.
 */

/* parse_number on the first N bytes of TEXT: the value and bytes read */
static bool num(const char *text, size_t n, uint64_t *v, size_t *used)
{
	const char *p = text;
	bool ok;

	*v = 12345;
	ok = parse_number(&p, text + n, v);
	*used = (size_t)(p - text);
	return ok;
}

static void test_parse_number_span(void **state)
{
	uint64_t v;
	size_t used;

	assert_true(num("0x1", 1, &v, &used)); /* the 'x' is past END */
	assert_int_equal(v, 0);
	assert_int_equal(used, 1);
	assert_true(num("0X1", 1, &v, &used));
	assert_int_equal(v, 0);
	assert_true(num("0x1f", 4, &v, &used));
	assert_int_equal(v, 31);
	assert_int_equal(used, 4);
	assert_true(num("0Xa", 3, &v, &used));
	assert_int_equal(v, 10);
	assert_true(num("123", 2, &v, &used));
	assert_int_equal(v, 12);
	assert_int_equal(used, 2);
	assert_true(num("017", 3, &v, &used));
	assert_int_equal(v, 15);
	assert_true(num("0", 1, &v, &used));
	assert_int_equal(v, 0);
	assert_int_equal(used, 1);
	assert_false(num("08", 2, &v, &used));
	assert_false(num("0x", 2, &v, &used));
	assert_false(num("0xg", 3, &v, &used));
	assert_int_equal(v, 12345);
	/* U/L suffixes are read, up to END */
	assert_true(num("3ULx", 4, &v, &used));
	assert_int_equal(v, 3);
	assert_int_equal(used, 3);
	assert_true(num("3uU", 2, &v, &used));
	assert_int_equal(used, 2);
	assert_true(num("3lL", 3, &v, &used));
	assert_int_equal(used, 3);
	assert_true(num("3L", 2, &v, &used));
	assert_int_equal(used, 2);
	assert_true(num("3U)", 3, &v, &used));
	assert_int_equal(used, 2);
	/* signs */
	assert_true(num("-5", 2, &v, &used));
	assert_int_equal(v, (uint64_t)-5);
	assert_false(num("-5", 1, &v, &used));
	assert_false(num("~5", 1, &v, &used));
	assert_false(num("-5", 0, &v, &used));
	assert_false(num("~5", 0, &v, &used));
	assert_true(num("~0", 2, &v, &used));
	assert_int_equal(v, UINT64_MAX);
	assert_true(num("~0x10", 5, &v, &used));
	assert_int_equal(v, ~(uint64_t)16);
	assert_true(num("-0x10", 5, &v, &used));
	assert_int_equal(v, (uint64_t)-16);
	assert_false(num("--1", 3, &v, &used));
	assert_false(num("~-1", 3, &v, &used));
	assert_false(num("-~1", 3, &v, &used));
	assert_false(num("", 0, &v, &used));
	assert_int_equal(used, 0);
	/* the bounds of 64 bits, decimal, hex, octal */
	assert_true(num("18446744073709551615", 20, &v, &used));
	assert_int_equal(v, UINT64_MAX);
	assert_false(num("18446744073709551616", 20, &v, &used));
	assert_false(num("18446744073709551620", 20, &v, &used));
	assert_true(num("1844674407370955161", 19, &v, &used));
	assert_true(num("0xffffffffffffffff", 18, &v, &used));
	assert_int_equal(v, UINT64_MAX);
	assert_false(num("0x10000000000000000", 19, &v, &used));
	assert_true(num("01777777777777777777777", 23, &v, &used));
	assert_int_equal(v, UINT64_MAX);
	assert_false(num("02000000000000000000000", 23, &v, &used));
}

static bool dec(const char *text, uint64_t *v, size_t *used)
{
	const char *p = text;
	bool ok;

	*v = 12345;
	ok = read_dec(&p, v);
	*used = (size_t)(p - text);
	return ok;
}

static void test_read_dec(void **state)
{
	uint64_t v;
	size_t used;

	assert_true(dec("0", &v, &used));
	assert_int_equal(v, 0);
	assert_int_equal(used, 1);
	assert_true(dec("42x", &v, &used));
	assert_int_equal(v, 42);
	assert_int_equal(used, 2);
	assert_true(dec("999999999999999999", &v, &used)); /* 18 digits */
	assert_int_equal(v, 999999999999999999ull);
	assert_int_equal(used, 18);
	assert_false(dec("1000000000000000000", &v, &used)); /* 19 */
	assert_int_equal(used, 0);
	assert_int_equal(v, 12345);
	assert_false(dec("x1", &v, &used));
	assert_int_equal(used, 0);
	assert_int_equal(v, 12345);
	assert_false(dec("", &v, &used));
	assert_false(dec("-1", &v, &used));
}

/* parse_expr on the first N bytes of TEXT (-1: all of it) */
static bool expr(const char *text, int n, enum vocab v, enum flagset set,
		 uint64_t *ret)
{
	struct tok t = {text, n < 0 ? strlen(text) : (size_t)n};

	*ret = 12345;
	return parse_expr(t, v, set, ret);
}

static void test_parse_expr(void **state)
{
	uint64_t v;

	assert_true(expr("O_WRONLY|O_CREAT", -1, V_FLAGS, FLAGS_OPEN, &v));
	assert_int_equal(v, 0101);
	/* the name ends at END: "O_WRONLYX" is not read */
	assert_true(expr("O_WRONLYX", 8, V_FLAGS, FLAGS_OPEN, &v));
	assert_int_equal(v, 01);
	/* unknown names add nothing, wherever they stand */
	assert_true(expr("O_BOGUS|O_WRONLY", -1, V_FLAGS, FLAGS_OPEN, &v));
	assert_int_equal(v, 01);
	assert_true(expr("O_BOGUS", -1, V_FLAGS, FLAGS_OPEN, &v));
	assert_int_equal(v, 0);
	/* a name of another namespace is none of V's */
	assert_true(expr("S_IFREG", -1, V_FLAGS, FLAGS_OPEN, &v));
	assert_int_equal(v, 0);
	assert_true(expr("S_IFREG|0644", -1, V_MODE, FLAGS_NONE, &v));
	assert_int_equal(v, 0100644);
	assert_true(expr("S_IFREG", -1, V_NUM, FLAGS_NONE, &v));
	assert_int_equal(v, 0);
	assert_true(expr("CLONE_VM", -1, V_NUM, FLAGS_NONE, &v));
	assert_int_equal(v, 0);
	assert_true(expr("SIGCHLD", -1, V_MODE, FLAGS_NONE, &v));
	assert_int_equal(v, 0);
	assert_true(expr("CLONE_VM|SIGCHLD", -1, V_CLONE, FLAGS_NONE, &v));
	assert_int_equal(v, 0x100 | 17);
	assert_true(expr("CLONE_VM|SIGFOO", -1, V_CLONE, FLAGS_NONE, &v));
	assert_int_equal(v, 0x100);
	assert_true(expr("ENOENT", -1, V_NUM, FLAGS_NONE, &v));
	assert_int_equal(v, 0);
	assert_true(expr("O_CLOEXEC", -1, V_NUM, FLAGS_NONE, &v));
	assert_int_equal(v, 0);
	assert_true(expr("AT_FDCWD", -1, V_NUM, FLAGS_NONE, &v));
	assert_int_equal(v, (uint64_t)-100);
	assert_true(expr("FD_CLOEXEC", -1, V_NUM, FLAGS_NONE, &v));
	assert_int_equal(v, 1);
	/* comments, spaces, empty terms */
	assert_true(
		expr("0x41 /* O_WRONLY|O_CREAT */", -1, V_NUM, FLAGS_NONE, &v));
	assert_int_equal(v, 0x41);
	assert_true(expr("", 0, V_NUM, FLAGS_NONE, &v));
	assert_int_equal(v, 0);
	assert_true(expr(" | 2 |", -1, V_NUM, FLAGS_NONE, &v));
	assert_int_equal(v, 2);
	assert_false(expr("1 /* x", -1, V_NUM, FLAGS_NONE, &v));
	assert_false(expr("1 /* x */", 8, V_NUM, FLAGS_NONE, &v));
	assert_false(expr("3* */", -1, V_NUM, FLAGS_NONE, &v));
	assert_false(expr("/x*/", -1, V_NUM, FLAGS_NONE, &v));
	assert_false(expr("/", -1, V_NUM, FLAGS_NONE, &v));
	assert_false(expr("0x", -1, V_NUM, FLAGS_NONE, &v));
	assert_false(expr("1+2", -1, V_NUM, FLAGS_NONE, &v));
	assert_int_equal(v, 12345);
	/* shifts, FUTEX_OP_SET<<28 */
	assert_true(expr("1<<6", -1, V_NUM, FLAGS_NONE, &v));
	assert_int_equal(v, 64);
	assert_true(expr("1<<63|2", -1, V_NUM, FLAGS_NONE, &v));
	assert_int_equal(v, (1ull << 63) | 2);
	assert_true(expr("1<<0", -1, V_NUM, FLAGS_NONE, &v));
	assert_int_equal(v, 1);
	assert_true(expr("FD_CLOEXEC<<4", -1, V_NUM, FLAGS_NONE, &v));
	assert_int_equal(v, 16);
	assert_false(expr("1<<64", -1, V_NUM, FLAGS_NONE, &v));
	assert_false(expr("1<<", -1, V_NUM, FLAGS_NONE, &v));
	assert_false(expr("1<<x", -1, V_NUM, FLAGS_NONE, &v));
	assert_false(expr("1<2", -1, V_NUM, FLAGS_NONE, &v));
	assert_false(expr("1<", -1, V_NUM, FLAGS_NONE, &v));
	assert_true(expr("1<<6", 1, V_NUM, FLAGS_NONE, &v));
	assert_int_equal(v, 1);
	assert_false(expr("1<<6", 2, V_NUM, FLAGS_NONE, &v));
	assert_int_equal(v, 12345);
}

/* split_list of TEXT (after its opening bracket), the items joined by | */
static int split(const char *text, size_t n, char close, int max, char *out,
		 size_t *end)
{
	struct tok toks[8], canary = {"canary", 6};
	int ntok = -7, r;

	for (int i = 0; i < 8; i++)
		toks[i] = canary;
	r = split_list(text, n, close, toks, max, &ntok, end);
	out[0] = '\0';
	if (r == 0)
		for (int i = 0; i < ntok; i++)
			sprintf(out + strlen(out), "%s%.*s", i ? "|" : "",
				(int)toks[i].n, toks[i].s);
	/* nothing is stored past MAX */
	for (int i = max; i < 8; i++)
		assert_ptr_equal(toks[i].s, canary.s);
	return r < 0 ? r : ntok;
}

static void test_split_list(void **state)
{
	char out[256];
	size_t end = 99;

	assert_int_equal(split("a, b)", 5, ')', 8, out, &end), 2);
	assert_string_equal(out, "a|b");
	assert_int_equal(end, 5);
	assert_int_equal(split("a,b) = 0", 8, ')', 8, out, &end), 2);
	assert_int_equal(end, 4);
	assert_int_equal(split(")", 1, ')', 8, out, &end), 0);
	assert_int_equal(end, 1);
	assert_int_equal(split(" )", 2, ')', 8, out, &end), 0);
	assert_int_equal(split("a, )", 4, ')', 8, out, &end), 2);
	assert_string_equal(out, "a|");
	assert_int_equal(split(", a)", 4, ')', 8, out, &end), 2);
	assert_string_equal(out, "|a");
	/* brackets nest, another bracket's close is not the list's */
	assert_int_equal(split("{a, (b, c)}, [d]}x)", 19, ')', 8, out, &end),
			 2);
	assert_string_equal(out, "{a, (b, c)}|[d]}x");
	assert_int_equal(split("{a, (b, c)}, [d])", 17, ')', 8, out, &end), 2);
	assert_string_equal(out, "{a, (b, c)}|[d]");
	assert_int_equal(split("a], b}", 6, '}', 8, out, &end), 2);
	assert_string_equal(out, "a]|b");
	/* at most MAX stored, all counted to find the close */
	assert_int_equal(split("1, 2, 3, 4)", 11, ')', 2, out, &end), 2);
	assert_string_equal(out, "1|2");
	assert_int_equal(end, 11);
	assert_int_equal(split("1, 2)", 5, ')', 2, out, &end), 2);
	/* the close must be inside N */
	assert_int_equal(split("a, b)", 4, ')', 8, out, &end), -1);
	assert_int_equal(split("\"a)\")", 4, ')', 8, out, &end), -1);
	assert_int_equal(split("\"a)\")", 5, ')', 8, out, &end), 1);
	assert_string_equal(out, "\"a)\"");
	assert_int_equal(split("3</a)>)", 6, ')', 8, out, &end), -1);
	assert_int_equal(split("3</a)>)", 7, ')', 8, out, &end), 1);
	assert_int_equal(split("3 /* ) */)", 9, ')', 8, out, &end), -1);
	assert_int_equal(split("3 /* ) */)", 10, ')', 8, out, &end), 1);
	assert_int_equal(split("3 /* ) *)", 9, ')', 8, out, &end), -1);
	assert_int_equal(split("\"a", 2, ')', 8, out, &end), -1);
	assert_int_equal(split("3<a", 3, ')', 8, out, &end), -1);
}

static void test_parse_str(void **state)
{
	struct arena a = {NULL};
	char *s;

#define STR(text, n) parse_str(&a, (struct tok){text, n}, &s)
	assert_int_equal(STR("\"ab\"", 4), STR_OK);
	assert_string_equal(s, "ab");
	assert_int_equal(STR("\"ab\"...", 7), STR_TRUNC);
	assert_string_equal(s, "ab...");
	/* the "..." must be inside the token */
	assert_int_equal(STR("\"ab\"...", 6), STR_OK);
	assert_string_equal(s, "ab");
	assert_int_equal(STR("\"ab\"x..", 7), STR_OK);
	assert_int_equal(STR("\"a\\\"", 4), STR_NONE);
	assert_null(s);
	assert_int_equal(STR("\"ab\"", 3), STR_NONE);
	assert_int_equal(STR("NULL", 4), STR_NULL);
	assert_null(s);
	assert_int_equal(STR("NULLx", 4), STR_NULL);
	assert_int_equal(STR("NULL", 3), STR_NONE);
	assert_int_equal(STR("x\"a\"", 4), STR_NONE);
	assert_int_equal(STR("\"a\"", 0), STR_NONE);
	/* an escape at the end of the literal: its last byte is the quote */
	assert_int_equal(STR("\"a\\n\"", 5), STR_OK);
	assert_string_equal(s, "a\n");
	assert_int_equal(STR("\"\\x41\"", 6), STR_OK);
	assert_string_equal(s, "A");
	assert_int_equal(STR("\"\\101\"", 6), STR_OK);
	assert_string_equal(s, "A");
#undef STR
	arena_free(&a);
}

static void test_deco_string(void **state)
{
	struct arena a = {NULL};
	size_t end = 99;
	char *d;

	d = deco_string(&a, "3</a>", 5, 1, &end);
	assert_string_equal(d, "/a");
	assert_int_equal(end, 5);
	/* the '>' must be inside N */
	assert_null(deco_string(&a, "3</a>", 4, 1, &end));
	d = deco_string(&a, "3</a>(deleted)", 14, 1, &end);
	assert_string_equal(d, "/a (deleted)");
	assert_int_equal(end, 14);
	d = deco_string(&a, "3</a>(deleted)", 13, 1, &end);
	assert_string_equal(d, "/a");
	assert_int_equal(end, 5);
	d = deco_string(&a, "3</dev/null<char 1:3>>", 22, 1, NULL);
	assert_string_equal(d, "/dev/null");
	d = deco_string(&a, "3<TCP:[1->2]>", 13, 1, NULL);
	assert_string_equal(d, "TCP:[1->2]");
	assert_null(deco_string(&a, "3<TCP:[1->2]>", 12, 1, NULL));
	d = deco_string(&a, "3<>", 3, 1, &end);
	assert_string_equal(d, "");
	assert_int_equal(end, 3);
	d = deco_string(&a, "3</a\\76b>", 9, 1, NULL);
	assert_string_equal(d, "/a>b");
	arena_free(&a);
}

/* ---- the corpus: the .txt files of tests/import-corpus ---- */

/*
 * Each file of tests/import-corpus holds cases, one a "@@ case NAME"
 * line, each with the files of its log and what must come of them
 * (tests/import-corpus/README gives the directives). All the cases of
 * all the files run; every difference is printed, then the test fails.
 */
#define CORPUS FSRACE_TEST_DATA "/../import-corpus"

struct ccase {
	char name[256];
	char where[PATH_MAX + 32]; /* FILE:LINE of its @@ case */
	int nfiles;
	char fname[4][64];
	bool noeol[4];
	struct out text[4];
	struct out events, warnings;
	bool has_unknown, has_skipped, has_strict;
	unsigned long unknown, skipped;
	char strict[512];
	long mtime;
};

static void out_init(struct out *o)
{
	o->size = 65536;
	o->len = 0;
	o->buf = malloc(o->size);
	assert_non_null(o->buf);
	o->buf[0] = '\0';
}

static void ccase_init(struct ccase *c)
{
	memset(c, 0, sizeof(*c));
	c->mtime = MTIME;
	out_init(&c->events);
	out_init(&c->warnings);
	for (int i = 0; i < 4; i++)
		out_init(&c->text[i]);
}

static void ccase_free(struct ccase *c)
{
	free(c->events.buf);
	free(c->warnings.buf);
	for (int i = 0; i < 4; i++)
		free(c->text[i].buf);
}

/* A block's trailing empty lines are the space between cases. */
static void trim_block(struct out *o)
{
	while (o->len >= 2 && o->buf[o->len - 1] == '\n' &&
	       o->buf[o->len - 2] == '\n')
		o->buf[--o->len] = '\0';
	if (o->len == 1 && o->buf[0] == '\n')
		o->buf[--o->len] = '\0';
}

static void write_raw(const char *path, const char *text, size_t n, long mt)
{
	struct timespec ts[2] = {{mt, 0}, {mt, 0}};
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	assert_int_equal(futimens(fd, ts), 0);
	close(fd);
}

static void run_ccase(struct ccase *c, bool strict, struct result *res)
{
	char paths[4][PATH_MAX];
	const char *p[4];
	struct strace_reader *r;
	struct capture cap;
	struct event ev;
	struct out o = {res->events, 0, sizeof(res->events)};
	uint64_t seq = 0;

	for (int i = 0; i < c->nfiles; i++) {
		struct out *t = &c->text[i];

		trim_block(t);
		if (c->noeol[i] && t->len && t->buf[t->len - 1] == '\n')
			t->buf[--t->len] = '\0';
		snprintf(paths[i], PATH_MAX, "%s/%s", tmpdir, c->fname[i]);
		write_raw(paths[i], t->buf, t->len, c->mtime);
		p[i] = paths[i];
	}
	res->events[0] = res->err[0] = '\0';
	assert_int_equal(strace_reader_open(&r, p, c->nfiles, strict, res->err,
					    sizeof(res->err)),
			 0);
	capture_start(&cap);
	while ((res->ret = strace_reader_next(r, &ev, res->err,
					      sizeof(res->err))) > 0) {
		/* 1 for an event, seq counts them, the file is the case's */
		if (res->ret != 1 || ev.seq != ++seq ||
		    strncmp(ev.source_file, tmpdir, strlen(tmpdir)))
			put(&o, "BAD ret %d seq %llu file %s\n", res->ret,
			    (unsigned long long)ev.seq, ev.source_file);
		render(&ev, &o);
	}
	snprintf(res->warnings, sizeof(res->warnings), "%s", capture_end(&cap));
	res->unknown = strace_reader_unknown(r);
	res->skipped = strace_reader_skipped(r);
	strace_reader_close(r);
	for (int i = 0; i < c->nfiles; i++)
		unlink(paths[i]);
}

static unsigned long count_lines(const char *s)
{
	unsigned long n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Run case C; the number of its differences, each printed. */
static int check_ccase(struct ccase *c)
{
	static struct result res;
	char *warn;
	int bad = 0;

	if (!c->nfiles)
		return 0;
	trim_block(&c->events);
	trim_block(&c->warnings);
	run_ccase(c, false, &res);
	warn = (char *)strip_dir(res.warnings);
	if (getenv("STRACE_TEST_PRINT")) {
		printf("@@ case %s\n@@ events\n%s", c->name, res.events);
		if (*warn)
			printf("@@ warnings\n%s", warn);
		if (res.unknown)
			printf("@@ unknown %lu\n", res.unknown);
		if (res.skipped != count_lines(warn))
			printf("@@ skipped %lu\n", res.skipped);
	}
	if (res.ret != 0) {
		print_error("%s: case '%s': read gives %d: %s\n", c->where,
			    c->name, res.ret, strip_dir(res.err));
		bad++;
	}
	if (strcmp(res.events, c->events.buf)) {
		print_error("%s: case '%s':\n--- want\n%s--- got\n%s", c->where,
			    c->name, c->events.buf, res.events);
		bad++;
	}
	if (strcmp(warn, c->warnings.buf)) {
		print_error("%s: case '%s': warnings\n--- want\n%s--- got\n%s",
			    c->where, c->name, c->warnings.buf, warn);
		bad++;
	}
	if (res.unknown != (c->has_unknown ? c->unknown : 0)) {
		print_error("%s: case '%s': unknown %lu, want %lu\n", c->where,
			    c->name, res.unknown, c->unknown);
		bad++;
	}
	if (res.skipped !=
	    (c->has_skipped ? c->skipped : count_lines(c->warnings.buf))) {
		print_error("%s: case '%s': skipped %lu\n", c->where, c->name,
			    res.skipped);
		bad++;
	}
	if (c->has_strict) {
		const char *want_err = strcmp(c->strict, "ok") ? c->strict : "";

		run_ccase(c, true, &res);
		if (getenv("STRACE_TEST_PRINT"))
			printf("@@ strict %s\n",
			       res.ret ? strip_dir(res.err) : "ok");
		if (strcmp(strip_dir(res.err), want_err) ||
		    res.ret != (*want_err ? -EINVAL : 0)) {
			print_error("%s: case '%s': strict gives %d '%s', "
				    "want '%s'\n",
				    c->where, c->name, res.ret,
				    strip_dir(res.err), c->strict);
			bad++;
		}
	}
	return bad;
}

static int run_corpus_file(const char *path, int *ncases)
{
	FILE *f = fopen(path, "r");
	struct ccase *c = malloc(sizeof(*c));
	struct out *block = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long lineno = 0;
	int bad = 0;

	assert_non_null(f);
	assert_non_null(c);
	ccase_init(c);
	while ((n = getline(&line, &cap, f)) >= 0) {
		char *arg, word[32], name[64], opt[16];

		lineno++;
		if (strncmp(line, "@@", 2)) {
			if (!block) {
				assert_true(line[strspn(line, " \t\n")] ==
					    '\0');
				continue;
			}
			put(block, "%s", line);
			continue;
		}
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (line[2] == '#') /* a comment */
			continue;
		arg = line + 3;
		word[0] = '\0';
		sscanf(arg, "%31s", word);
		arg += strlen(word);
		arg += *arg == ' ';
		block = NULL;
		if (!strcmp(word, "case")) {
			bad += check_ccase(c);
			*ncases += c->nfiles > 0;
			ccase_free(c);
			ccase_init(c);
			snprintf(c->name, sizeof(c->name), "%s", arg);
			snprintf(c->where, sizeof(c->where), "%s:%lu",
				 strrchr(path, '/') + 1, lineno);
		} else if (!strcmp(word, "file") || !strcmp(word, "log")) {
			int k = c->nfiles++;

			assert_true(k < 4);
			name[0] = opt[0] = '\0';
			if (!strcmp(word, "log"))
				snprintf(name, sizeof(name), "log");
			else
				sscanf(arg, "%63s", name), arg += strlen(name);
			sscanf(arg, "%15s", opt);
			assert_true(name[0]);
			snprintf(c->fname[k], sizeof(c->fname[k]), "%s", name);
			c->noeol[k] = !strcmp(opt, "noeol");
			block = &c->text[k];
		} else if (!strcmp(word, "events")) {
			block = &c->events;
		} else if (!strcmp(word, "warnings")) {
			block = &c->warnings;
		} else if (!strcmp(word, "unknown")) {
			c->has_unknown = true;
			c->unknown = strtoul(arg, NULL, 10);
		} else if (!strcmp(word, "skipped")) {
			c->has_skipped = true;
			c->skipped = strtoul(arg, NULL, 10);
		} else if (!strcmp(word, "strict")) {
			c->has_strict = true;
			snprintf(c->strict, sizeof(c->strict), "%s", arg);
		} else if (!strcmp(word, "mtime")) {
			c->mtime = strtol(arg, NULL, 10);
		} else {
			print_error("%s:%lu: unknown directive '%s'\n", path,
				    lineno, word);
			fail();
		}
	}
	bad += check_ccase(c);
	*ncases += c->nfiles > 0;
	ccase_free(c);
	free(c);
	free(line);
	fclose(f);
	return bad;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void test_corpus(void **state)
{
	struct dirent **ents;
	int n = scandir(CORPUS, &ents, NULL, by_name), bad = 0, ncases = 0;
	char p[PATH_MAX + 256];

	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		size_t k = strlen(ents[i]->d_name);

		if (k > 4 && !strcmp(ents[i]->d_name + k - 4, ".txt")) {
			snprintf(p, sizeof(p), "%s/%s", CORPUS,
				 ents[i]->d_name);
			bad += run_corpus_file(p, &ncases);
		}
		free(ents[i]);
	}
	free(ents);
	assert_true(ncases > 0);
	assert_int_equal(bad, 0);
}

/*
 * A decoration is the model's backend up to the model's buffer
 * (PATH_MAX + 1 bytes with its NUL): a longer path is none, as one the
 * live tracer cannot read from /proc.
 */
static void test_long_decoration(void **state)
{
	size_t n = PATH_MAX + 1;
	char *path = malloc(n + 2), *log = malloc(3 * n + 256);
	char *want = malloc(2 * n + 256);
	static struct result res;

	if (!path || !log || !want)
		abort();
	memset(path, 'a', n + 1);
	path[0] = '/';
	path[n - 1] = '\0'; /* PATH_MAX bytes: fits with its NUL */
	sprintf(log, "9 fsync(3<%s>) = 0\n", path);
	sprintf(want, "fsync 9/9 fd=3:%s ret=0 @1\n", path);
	path[n - 1] = 'a';
	path[n] = '\0'; /* PATH_MAX + 1 bytes: its NUL does not fit */
	sprintf(log + strlen(log), "9 fsync(4<%s>) = 0\n", path);
	strcat(want, "fsync 9/9 fd=4:? ret=0 @2\n");
	run(log, NULL, true, &res);
	assert_int_equal(res.ret, 0);
	assert_string_equal(res.events, want);
	free(path);
	free(log);
	free(want);
}

/*
 * A log read from a pipe (fsrace import /dev/stdin): the pid guess of
 * unprefixed lines cannot look ahead in it (pread() fails with ESPIPE),
 * so they have none, and the reading goes on.
 */
static void test_pipe(void **state)
{
	static const char log[] = "chdir(\"/a\") = 0\n"
				  "set_tid_address(0x7f00) = 42\n"
				  "chdir(\"/b\") = 0\n";
	char path[PATH_MAX], err[256], got[512] = "";
	const char *paths[] = {path};
	struct strace_reader *r;
	struct event ev;
	pid_t child;
	int status;

	snprintf(path, sizeof(path), "%s/fifo", tmpdir);
	assert_int_equal(mkfifo(path, 0600), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		int fd = open(path, O_WRONLY);

		_exit(fd < 0 || write(fd, log, sizeof(log) - 1) !=
					(ssize_t)sizeof(log) - 1);
	}
	assert_int_equal(
		strace_reader_open(&r, paths, 1, true, err, sizeof(err)), 0);
	while (strace_reader_next(r, &ev, err, sizeof(err)) > 0)
		snprintf(got + strlen(got), sizeof(got) - strlen(got),
			 "%d %s\n", ev.pid, ev.path);
	strace_reader_close(r);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_int_equal(status, 0);
	unlink(path);
	assert_string_equal(got, "0 /a\n0 /b\n");
}

/* ---- strace_detect ---- */

static int detect(const char *text, size_t n)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/sniff", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	close(fd);
	return strace_detect(path);
}

#define DETECT(s) detect(s, sizeof(s) - 1)

static void test_detect(void **state)
{
	char big[20000];

	assert_int_equal(DETECT("execve(\"/bin/true\", [\"true\"], 0x7ffd /* 3 "
				"vars */) = 0\n"),
			 1);
	assert_int_equal(DETECT("1234  15:38:45.874553 execve(\"/usr/bin/sh\", "
				"[\"sh\"], 0x7f) = 0 <0.007343>\n"),
			 1);
	assert_int_equal(DETECT("[pid  12] openat(AT_FDCWD, \"x\", O_RDONLY "
				"<unfinished ...>\n"),
			 1);
	assert_int_equal(DETECT("strace: Process 1234 attached\n1234 "
				"restart_syscall(<... resuming interrupted "
				"read ...>) = 0\n"),
			 1);
	assert_int_equal(DETECT("     0.000000 brk(NULL) = 0x55\n"), 1);
	/* program output first, strace's lines after */
	assert_int_equal(
		DETECT("hello\nopen(\"/a\", O_RDONLY) = 3\nclose(3) = 0\n"), 1);
	assert_int_equal(DETECT(""), 0);
	assert_int_equal(DETECT("\x7f"
				"ELF\2\1\1\0\0\0\0\0"),
			 0);
	assert_int_equal(DETECT("{\"type\":\"header\",\"format\":\"fsrace-"
				"trace\",\"version\":1}\n"),
			 0);
	assert_int_equal(DETECT("just some text\nand more text\n"), 0);
	assert_int_equal(DETECT("int main(void) { return f(x) = 1; }\n"), 0);
	assert_int_equal(DETECT("\n\n\n"), 0);
	/* a first line longer than what is sniffed */
	memset(big, 'a', sizeof(big));
	memcpy(big, "9 execve(\"", 10);
	assert_int_equal(detect(big, sizeof(big)), 1);
	assert_int_equal(strace_detect("/nonexistent/log"), -ENOENT);
}

/* each form strace_detect() knows, on the first line or on two of five */
static void test_detect_forms(void **state)
{
	static const char *const one[] = {
		"+++ exited with 0 +++\n",
		"--- SIGCHLD {si_signo=SIGCHLD} ---\n",
		"strace: Process 12 attached\n",
		"<... read resumed>\"\", 1) = 0\n",
		"12 close(3 <unfinished ...>\n",
		"[pid 12] read(0, <detached ...>\n",
		"12 10:00:00.000001 close(3) = 0\n",
		"close(3) = 0",
		"\n\n \t\r\nclose(3) = 0\n",
		"_llseek(3, 0, [0], SEEK_SET) = 0\n",
	};
	static const char *const none[] = {
		"(close(3) = 0\n",
		"close (3) = 0\n",
		"close\n",
		"close(3\n",
		"close(3) 0\n",
		"+++exited+++\n",
		"strace: hello\n",
		"hello\nclose(3) = 0\n",
		"1\n2\n3\n4\n5\nclose(3) = 0\nclose(4) = 0\n",
	};
	char dir[PATH_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(one); i++)
		if (detect(one[i], strlen(one[i])) != 1)
			fail_msg("not detected: '%s'", one[i]);
	for (size_t i = 0; i < ARRAY_SIZE(none); i++)
		if (detect(none[i], strlen(none[i])) != 0)
			fail_msg("detected: '%s'", none[i]);
	/* two of the first five, the first not one */
	assert_int_equal(DETECT("x\n1\n2\nclose(3) = 0\nclose(4) = 0\n"), 1);
	assert_int_equal(DETECT("x\n1\n2\n3\nclose(3) = 0\nclose(4) = 0\n"), 0);
	assert_int_equal(DETECT("x\n\n\n\nclose(3) = 0\n\nclose(4) = 0\n"), 1);
	/* a NUL anywhere: binary */
	assert_int_equal(detect("close(3) = 0\n\0", 14), 0);
	/* a directory opens but cannot be read */
	snprintf(dir, sizeof(dir), "%s/adir", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(strace_detect(dir), -EISDIR);
	rmdir(dir);
}

/* ---- what the fuzzer found ---- */

/* Replay every file of fuzz/regressions as fuzz_strace.c feeds it. */
static void test_fuzz_regressions(void **state)
{
	const char *env = getenv("FSRACE_FUZZ_REGRESSIONS");
	char dir[PATH_MAX], p[PATH_MAX * 2];
	struct dirent *e;
	int count = 0;
	DIR *d;

	if (env)
		snprintf(dir, sizeof(dir), "%s", env);
	else
		snprintf(dir, sizeof(dir), "%s/../fuzz/regressions",
			 FSRACE_SOURCE_RULES);
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d))) {
		static struct result res;
		char *buf, *text, *sep, *names;
		size_t n = 0, k;
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		f = fopen(p, "rb");
		assert_non_null(f);
		buf = calloc(1, 1 << 20);
		assert_non_null(buf);
		n = fread(buf, 1, (1 << 20) - 1, f);
		fclose(f);
		/* the fuzzer's form: a mode byte, files joined by "--ff--" */
		text = n ? buf + 1 : buf;
		text[strnlen(text, n ? n - 1 : 0)] = '\0';
		names = strdup("log.100 log.101 log.102");
		for (k = 0; k < 2 && (sep = strstr(text, "\n--ff--\n")); k++) {
			sep[1] = '\f';
			memmove(sep + 2, sep + 8, strlen(sep + 8) + 1);
		}
		run(text, k ? names : NULL, n && (buf[0] & 1), &res);
		free(names);
		free(buf);
		count++;
	}
	closedir(d);
	assert_true(count > 0);
}

static int setup(void **state)
{
	const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

	setenv("TZ", "UTC0", 1);
	tzset();
	snprintf(tmpdir, sizeof(tmpdir), "%s/test-strace.XXXXXX", base);
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int teardown(void **state)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	char p[PATH_MAX * 2];

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(p, sizeof(p), "%s/%s", tmpdir, e->d_name);
			unlink(p);
		}
	if (d)
		closedir(d);
	rmdir(tmpdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_lines_warn),
		cmocka_unit_test(test_bad_lines_strict),
		cmocka_unit_test(test_cut_last_line_strict),
		cmocka_unit_test(test_too_long_line),
		cmocka_unit_test(test_ff_file_growing_after_its_end),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_pipe),
		cmocka_unit_test(test_long_decoration),
		cmocka_unit_test(test_detect_forms),
		cmocka_unit_test(test_fuzz_regressions),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_parse_number_span),
		cmocka_unit_test(test_read_dec),
		cmocka_unit_test(test_parse_expr),
		cmocka_unit_test(test_split_list),
		cmocka_unit_test(test_parse_str),
		cmocka_unit_test(test_deco_string),
	};
	enum { NCASES = sizeof(cases) / sizeof(cases[0]) };
	struct CMUnitTest all[NCASES + sizeof(tests) / sizeof(tests[0])];

	for (size_t i = 0; i < NCASES; i++)
		all[i] =
			(struct CMUnitTest){.name = cases[i].name,
					    .test_func = test_case,
					    .initial_state = (void *)&cases[i]};
	memcpy(all + NCASES, tests, sizeof(tests));
	return _cmocka_run_group_tests("test-strace", all,
				       sizeof(all) / sizeof(all[0]), setup,
				       teardown);
}
