// SPDX-License-Identifier: MIT
/*
 * The process model both producers share, driven as a producer drives
 * it: decoded events in, the paths the model gives out. A fake backend
 * stands for /proc or the -y decorations and counts its calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fdtable.h"
#include "proc.h"

struct fake {
	int calls;
	int fd;		  /* the fd it knows, or -1 */
	const char *path; /* its path */
	const char *cwd;  /* the cwd it knows, or NULL */
};

static int fake_fd_path(void *ctx, const struct proc *p, int fd, char *buf,
			size_t size)
{
	struct fake *f = ctx;

	f->calls++;
	if (fd != f->fd)
		return -ENOENT;
	snprintf(buf, size, "%s", f->path);
	return 0;
}

static int fake_cwd(void *ctx, const struct proc *p, char *buf, size_t size)
{
	struct fake *f = ctx;

	f->calls++;
	if (!f->cwd)
		return -ENOENT;
	snprintf(buf, size, "%s", f->cwd);
	return 0;
}

static const struct proc_backend fake_backend = {
	.name = "fake",
	.fd_path = fake_fd_path,
	.cwd = fake_cwd,
};

static struct proc_model model;
static struct proc_strings strs;
static struct fake fake;

static struct proc *task(int tid, const char *cwd)
{
	struct proc *p = calloc(1, sizeof(*p));

	p->tid = p->tgid = tid;
	proc_add(&model, p);
	if (cwd)
		proc_setup(p, NULL, cwd, NULL);
	return p;
}

static void drop(struct proc *p)
{
	proc_exit(&model, p);
	free(p);
}

static int setup(void **state)
{
	memset(&fake, 0, sizeof(fake));
	fake.fd = -1;
	proc_model_init(&model, &fake_backend, &fake);
	return 0;
}

static int teardown(void **state)
{
	proc_model_release(&model);
	return 0;
}

/* One call: the event as a producer decodes it, through the model. */
static struct event call(struct proc *p, const char *name, int64_t ret)
{
	struct event ev;

	event_init(&ev, EV_SYSCALL);
	ev.sc = syscall_by_name(name);
	assert_non_null(ev.sc);
	ev.pid = p->tgid;
	ev.tid = p->tid;
	return ev;
}

static const char *open_at(struct proc *p, int dirfd, const char *path,
			   uint64_t flags, int64_t ret)
{
	struct event ev = call(p, "openat", ret);

	ev.has |= HAS_DIRFD | HAS_PATH | HAS_FLAGS;
	ev.dirfd = dirfd;
	ev.path = path;
	ev.flags = flags;
	proc_apply_entry(&model, p, &ev, &strs, 0);
	ev.has |= HAS_RET;
	ev.ret = ret;
	if (ret >= 0)
		proc_apply_exit(&model, p, &ev, &strs);
	return ev.abspath;
}

static void path_call(struct proc *p, const char *name, const char *path)
{
	struct event ev = call(p, name, 0);

	ev.has |= HAS_PATH;
	ev.path = path;
	proc_apply_entry(&model, p, &ev, &strs, 0);
	ev.ret = 0;
	proc_apply_exit(&model, p, &ev, &strs);
}

static void fd_call(struct proc *p, const char *name, int fd, int fd2,
		    uint64_t flags, int64_t ret)
{
	struct event ev = call(p, name, ret);

	ev.has |= HAS_FD | (fd2 >= 0 ? HAS_FD2 : 0) | HAS_FLAGS;
	ev.fd = fd;
	ev.fd2 = fd2;
	ev.flags = flags;
	proc_apply_entry(&model, p, &ev, &strs, 0);
	ev.ret = ret;
	proc_apply_exit(&model, p, &ev, &strs);
}

static void test_resolve_and_chdir(void **state)
{
	struct proc *p = task(10, "/home/u");
	char buf[PROC_PATH_BUF];

	assert_string_equal(open_at(p, AT_FDCWD, "a/../b", O_RDONLY, 3),
			    "/home/u/b");
	assert_string_equal(proc_fd_path(&model, p, 3, buf), "/home/u/b");
	assert_string_equal(open_at(p, 3, "c", O_RDONLY, 4), "/home/u/b/c");
	path_call(p, "chdir", "/tmp");
	assert_string_equal(proc_cwd(p), "/tmp");
	/* a chdir the model cannot resolve: unknown, not the old cwd */
	memset(buf, 'a', PATH_MAX - 1);
	buf[PATH_MAX - 1] = '\0';
	path_call(p, "chdir", buf);
	assert_null(proc_cwd(p));
	assert_null(open_at(p, AT_FDCWD, "x", O_RDONLY, 5));
	/* until the backend knows it, which the model then remembers */
	fake.cwd = "/srv";
	assert_string_equal(open_at(p, AT_FDCWD, "x", O_RDONLY, 5), "/srv/x");
	assert_string_equal(proc_cwd(p), "/srv");
	fake.calls = 0;
	fake.cwd = "/elsewhere";
	assert_string_equal(open_at(p, AT_FDCWD, "y", O_RDONLY, 6), "/srv/y");
	assert_int_equal(fake.calls, 0);
	drop(p);
}

static void test_fchdir_unknown(void **state)
{
	struct proc *p = task(11, "/w");

	fd_call(p, "fchdir", 7, -1, 0, 0);
	assert_null(proc_cwd(p));
	fake.fd = 8;
	fake.path = "/from/backend";
	fd_call(p, "fchdir", 8, -1, 0, 0);
	assert_string_equal(proc_cwd(p), "/from/backend");
	drop(p);
}

static void test_chroot(void **state)
{
	struct proc *p = task(12, "/w");

	path_call(p, "chroot", "jail");
	assert_string_equal(proc_root(p), "/w/jail");
	/* the cwd stays outside: relative paths are not held */
	assert_string_equal(open_at(p, AT_FDCWD, "../x", O_RDONLY, 3), "/x");
	assert_string_equal(open_at(p, AT_FDCWD, "/etc/../../y", O_RDONLY, 4),
			    "/w/jail/y");
	path_call(p, "chdir", "/");
	assert_string_equal(proc_cwd(p), "/w/jail");
	assert_string_equal(open_at(p, AT_FDCWD, "..", O_RDONLY, 5), "/w/jail");
	path_call(p, "chroot", "/");
	assert_string_equal(proc_root(p), "/w/jail");
	drop(p);
}

static void test_cloexec_and_exec(void **state)
{
	struct proc *p = task(13, "/w");
	struct event ev;
	char buf[PROC_PATH_BUF];

	open_at(p, AT_FDCWD, "a", O_RDONLY, 3);
	open_at(p, AT_FDCWD, "b", O_RDONLY | O_CLOEXEC, 4);
	fd_call(p, "dup3", 3, 10, O_CLOEXEC, 10);
	fd_call(p, "dup2", 4, 11, 0, 11);
	ev = call(p, "fcntl", 0);
	ev.has |= HAS_FD | HAS_CMD;
	ev.fd = 3;
	ev.cmd = F_SETFD;
	ev.arg = FD_CLOEXEC | 2;
	proc_apply_entry(&model, p, &ev, &strs, 0);
	proc_apply_exit(&model, p, &ev, &strs);
	proc_exec(p);
	assert_null(proc_fd_path(&model, p, 3, buf));
	assert_null(proc_fd_path(&model, p, 4, buf));
	assert_null(proc_fd_path(&model, p, 10, buf));
	assert_string_equal(proc_fd_path(&model, p, 11, buf), "/w/b");
	drop(p);
}

static void test_fork_before_its_event(void **state)
{
	struct proc *parent = task(20, "/w");
	struct proc *early = task(21, NULL); /* seen before its fork */
	struct proc *thread = task(22, NULL);
	struct event ev;
	char buf[PROC_PATH_BUF];

	open_at(parent, AT_FDCWD, "f", O_RDONLY, 3);
	proc_fork(parent, early, 0, &ev);
	assert_int_equal(ev.child_pid, 21);
	assert_int_equal(ev.fork_kind, FORK_PROCESS);
	assert_string_equal(proc_cwd(early), "/w");
	assert_string_equal(proc_fd_path(&model, early, 3, buf), "/w/f");
	proc_fork(parent, thread, CLONE_THREAD | CLONE_FILES | CLONE_FS, &ev);
	assert_int_equal(thread->tgid, 20);
	assert_int_equal(ev.child_pid, 20);
	assert_int_equal(ev.fork_kind, FORK_THREAD);
	assert_true(ev.share_files && ev.share_fs);
	/* shared: the thread's chdir is the process's */
	path_call(thread, "chdir", "/t");
	assert_string_equal(proc_cwd(parent), "/t");
	/* copied: the child's is its own */
	assert_string_equal(proc_cwd(early), "/w");
	/* a second fork event for a task with tables changes nothing */
	proc_fork(thread, early, CLONE_THREAD, &ev);
	assert_int_equal(early->tgid, 21);
	drop(thread);
	drop(early);
	drop(parent);
}

static void test_open_mode_by_kind(void **state)
{
	struct proc *p = task(30, "/w");
	struct event ev = call(p, "open", 3);

	/* open(2): flags are argument 1, the mode register garbage */
	ev.has |= HAS_PATH | HAS_FLAGS | HAS_MODE;
	ev.path = "x";
	ev.flags = O_RDONLY | O_DIRECTORY;
	ev.mode = 0777;
	proc_apply_entry(&model, p, &ev, &strs, 0);
	assert_false(ev.has & HAS_MODE);
	ev = call(p, "open", 3);
	ev.has |= HAS_PATH | HAS_FLAGS | HAS_MODE;
	ev.path = "x";
	ev.flags = O_RDWR | O_TMPFILE;
	proc_apply_entry(&model, p, &ev, &strs, 0);
	assert_true(ev.has & HAS_MODE);
	drop(p);
}

/* "" names nothing: no abspath, unless AT_EMPTY_PATH makes it the dirfd. */
static void test_empty_path(void **state)
{
	struct proc *p = task(31, "/w");
	struct event ev;

	assert_null(open_at(p, AT_FDCWD, "", O_RDONLY, -1));
	fake.fd = 7;
	fake.path = "/w/d";
	assert_null(open_at(p, 7, "", O_RDONLY, -1));
	ev = call(p, "newfstatat", 0);
	ev.has |= HAS_DIRFD | HAS_PATH | HAS_FLAGS;
	ev.dirfd = 7;
	ev.path = "";
	ev.flags = AT_EMPTY_PATH;
	proc_apply_entry(&model, p, &ev, &strs, 0);
	assert_string_equal(ev.abspath, "/w/d");
	assert_int_equal(ev.fd, 7);
	ev = call(p, "rename", 0);
	ev.has |= HAS_PATH | HAS_PATH2;
	ev.path = "a";
	ev.path2 = "";
	proc_apply_entry(&model, p, &ev, &strs, 0);
	assert_string_equal(ev.abspath, "/w/a");
	assert_null(ev.abspath2);
	drop(p);
}

/*
 * An O_TMPFILE fd names no path: not its directory (the open's abspath)
 * but what the backend says, the kernel's "/dir/#ino (deleted)".
 */
static void test_tmpfile_fd_names_no_path(void **state)
{
	struct proc *p = task(32, "/w");
	char buf[PROC_PATH_BUF];

	assert_string_equal(open_at(p, AT_FDCWD, "d", O_RDWR | O_TMPFILE, 3),
			    "/w/d");
	assert_null(fdtable_path(p->fds, 3));
	fake.fd = 3;
	fake.path = "/w/d/#12 (deleted)";
	assert_string_equal(proc_fd_path(&model, p, 3, buf), fake.path);
	/* O_DIRECTORY alone is no O_TMPFILE: the fd names the directory */
	open_at(p, AT_FDCWD, "d", O_RDONLY | O_DIRECTORY, 4);
	assert_string_equal(fdtable_path(p->fds, 4), "/w/d");
	drop(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_resolve_and_chdir, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fchdir_unknown, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_chroot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cloexec_and_exec, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fork_before_its_event,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_mode_by_kind, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_empty_path, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tmpfile_fd_names_no_path,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("proc", tests, NULL, NULL);
}
