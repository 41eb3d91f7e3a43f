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
#include "names.h"
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

/* A root as long as a resolved path can be: "/" under it is the root,
 * anything more does not fit. */
static void test_chroot_longest_root(void **state)
{
	struct proc *p = task(14, "/");
	char root[PROC_PATH_BUF - 1];

	/* "/" and 4093 more bytes: a root of PROC_PATH_BUF - 2 */
	root[0] = '/';
	memset(root + 1, 'r', sizeof(root) - 2);
	for (size_t i = 200; i < sizeof(root) - 1; i += 200)
		root[i] = '/'; /* components under NAME_MAX */
	root[sizeof(root) - 1] = '\0';
	assert_int_equal(strlen(root), PROC_PATH_BUF - 2);
	path_call(p, "chroot", root);
	assert_string_equal(proc_root(p), root);
	assert_string_equal(open_at(p, AT_FDCWD, "/", O_RDONLY, 3), root);
	assert_null(open_at(p, AT_FDCWD, "/x", O_RDONLY, 4));
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

/* A backend that knows nothing: the model alone, no calls to make. */
static const struct proc_backend null_backend = {.name = "none"};

static void test_backend_without_callbacks(void **state)
{
	struct proc *p;
	char buf[PROC_PATH_BUF];

	proc_model_release(&model);
	proc_model_init(&model, &null_backend, NULL);
	p = task(50, "relative/cwd");
	assert_null(proc_cwd(p));
	assert_null(open_at(p, AT_FDCWD, "x", O_RDONLY, 3));
	assert_null(proc_fd_path(&model, p, 7, buf));
	assert_null(proc_fd_path(&model, p, -1, buf));
	assert_null(open_at(p, 7, "y", O_RDONLY, 4));
	assert_string_equal(open_at(p, AT_FDCWD, "/a/../b", O_RDONLY, 5), "/b");
	/* the fd the open made names its path, its dirfd lends it */
	assert_string_equal(proc_fd_path(&model, p, 5, buf), "/b");
	assert_string_equal(open_at(p, 5, "c", O_RDONLY, 6), "/b/c");
	/* only an absolute cwd is learnt, and only while it is unknown */
	proc_learn_cwd(p, "rel");
	assert_null(proc_cwd(p));
	proc_learn_cwd(p, "/k");
	assert_string_equal(proc_cwd(p), "/k");
	proc_learn_cwd(p, "/other");
	assert_string_equal(proc_cwd(p), "/k");
	assert_string_equal(open_at(p, AT_FDCWD, "x", O_RDONLY, 3), "/k/x");
	drop(p);
}

static void test_fork_flags(void **state)
{
	struct proc *parent = task(60, "/w");
	struct proc *files = task(61, NULL), *vf = task(62, NULL);
	struct proc *fs = task(63, NULL);
	struct event ev;
	char buf[PROC_PATH_BUF];

	open_at(parent, AT_FDCWD, "f", O_RDONLY | O_CLOEXEC, 3);
	open_at(parent, AT_FDCWD, "g", O_RDONLY, 4);
	/* CLONE_FILES alone: a process sharing the fd table, not the cwd */
	proc_fork(parent, files, CLONE_FILES, &ev);
	assert_int_equal(ev.type, EV_FORK);
	assert_int_equal(ev.pid, 60);
	assert_int_equal(ev.tid, 60);
	assert_int_equal(ev.child_pid, 61);
	assert_int_equal(ev.child_tid, 61);
	assert_int_equal(files->tgid, 61);
	assert_int_equal(ev.fork_kind, FORK_PROCESS);
	assert_true(ev.share_files);
	assert_false(ev.share_fs);
	open_at(files, AT_FDCWD, "h", O_RDONLY, 5);
	assert_string_equal(proc_fd_path(&model, parent, 5, buf), "/w/h");
	path_call(files, "chdir", "/files");
	assert_string_equal(proc_cwd(parent), "/w");
	/* an exec unshares the table: close-on-exec fds close in it only */
	proc_exec(files);
	assert_null(proc_fd_path(&model, files, 3, buf));
	assert_string_equal(proc_fd_path(&model, files, 4, buf), "/w/g");
	assert_string_equal(proc_fd_path(&model, parent, 3, buf), "/w/f");
	open_at(files, AT_FDCWD, "i", O_RDONLY, 6);
	assert_null(fdtable_path(parent->fds, 6));
	/* vfork: a process of its own tables */
	proc_fork(parent, vf, proc_clone_flags(syscall_by_name("vfork")), &ev);
	assert_int_equal(ev.fork_kind, FORK_VFORK);
	assert_false(ev.share_files);
	assert_false(ev.share_fs);
	assert_int_equal(vf->tgid, 62);
	fd_call(vf, "close", 4, -1, 0, 0);
	assert_string_equal(proc_fd_path(&model, parent, 4, buf), "/w/g");
	assert_null(fdtable_path(vf->fds, 4));
	assert_string_equal(fdtable_path(vf->fds, 3), "/w/f");
	/* CLONE_FS alone: the cwd is shared, the fds are not */
	proc_fork(parent, fs, CLONE_FS, &ev);
	assert_int_equal(ev.fork_kind, FORK_PROCESS);
	assert_false(ev.share_files);
	assert_true(ev.share_fs);
	path_call(fs, "chdir", "/fs");
	assert_string_equal(proc_cwd(parent), "/fs");
	open_at(fs, AT_FDCWD, "j", O_RDONLY, 7);
	assert_null(fdtable_path(parent->fds, 7));
	drop(fs);
	drop(vf);
	drop(files);
	drop(parent);
}

static void test_fork_keeps_a_lost_root(void **state)
{
	struct proc *p = task(64, "/w"), *c = task(65, NULL);
	struct proc *t = task(66, NULL);
	struct event ev;
	char name[PATH_MAX + 10];

	/* a chroot to a path the model cannot resolve: nothing resolves */
	memset(name, 'r', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	path_call(p, "chroot", name);
	assert_null(open_at(p, AT_FDCWD, "/x", O_RDONLY, 3));
	proc_fork(p, c, 0, &ev);
	assert_null(open_at(c, AT_FDCWD, "/x", O_RDONLY, 3));
	assert_null(open_at(c, AT_FDCWD, "y", O_RDONLY, 4));
	/* "/jail" is below the root that is lost: lost as well */
	path_call(c, "chroot", "/jail");
	assert_null(open_at(c, AT_FDCWD, "/x", O_RDONLY, 3));
	/* a thread of the lost one is lost too */
	proc_fork(p, t, CLONE_THREAD | CLONE_FS | CLONE_FILES, &ev);
	assert_null(open_at(t, AT_FDCWD, "/x", O_RDONLY, 5));
	assert_int_equal(t->tgid, 64);
	drop(t);
	drop(c);
	drop(p);
}

static void close_range_call(struct proc *p, int first, unsigned last,
			     uint64_t flags)
{
	struct event ev = call(p, "close_range", 0);

	ev.has |= HAS_FD | HAS_FLAGS;
	ev.fd = first;
	ev.length = last;
	ev.flags = flags;
	proc_apply_entry(&model, p, &ev, &strs, 0);
}

static void test_close_range(void **state)
{
	struct proc *p = task(70, "/w");
	char buf[PROC_PATH_BUF];

	for (int fd = 3; fd <= 7; fd++)
		open_at(p, AT_FDCWD, "f", O_RDONLY, fd);
	close_range_call(p, 4, 5, 0);
	assert_true(fdtable_is_open(p->fds, 3));
	assert_false(fdtable_is_open(p->fds, 4));
	assert_false(fdtable_is_open(p->fds, 5));
	assert_true(fdtable_is_open(p->fds, 6));
	/* a first fd that is negative is no range */
	close_range_call(p, -1, 100, 0);
	assert_true(fdtable_is_open(p->fds, 3));
	/* CLOSE_RANGE_CLOEXEC marks, the exec closes */
	close_range_call(p, 6, ~0U, CLOSE_RANGE_CLOEXEC_);
	assert_true(fdtable_is_open(p->fds, 6));
	assert_true(fdtable_cloexec(p->fds, 7));
	assert_false(fdtable_cloexec(p->fds, 3));
	proc_exec(p);
	assert_string_equal(proc_fd_path(&model, p, 3, buf), "/w/f");
	assert_false(fdtable_is_open(p->fds, 6));
	assert_false(fdtable_is_open(p->fds, 7));
	/* close(2) of one fd */
	fd_call(p, "close", 3, -1, 0, 0);
	assert_false(fdtable_is_open(p->fds, 3));
	drop(p);
}

static struct event fcntl_call(struct proc *p, int fd, int cmd, int64_t arg,
			       int64_t ret)
{
	struct event ev = call(p, "fcntl", ret);

	ev.has |= HAS_FD | HAS_CMD;
	ev.fd = fd;
	ev.cmd = cmd;
	ev.arg = arg;
	proc_apply_entry(&model, p, &ev, &strs, 0);
	ev.has |= HAS_RET;
	ev.ret = ret;
	proc_apply_exit(&model, p, &ev, &strs);
	return ev;
}

static void test_dup_kinds(void **state)
{
	struct proc *p = task(71, "/w");
	struct event ev;

	open_at(p, AT_FDCWD, "a", O_RDONLY, 3);
	/* dup: the new fd names the old one's path, without close-on-exec */
	ev = call(p, "dup", 4);
	ev.has |= HAS_FD;
	ev.fd = 3;
	proc_apply_entry(&model, p, &ev, &strs, 0);
	assert_string_equal(ev.fd_path, "/w/a");
	ev.has |= HAS_RET;
	ev.ret = 4;
	proc_apply_exit(&model, p, &ev, &strs);
	assert_string_equal(ev.ret_path, "/w/a");
	assert_string_equal(fdtable_path(p->fds, 4), "/w/a");
	assert_false(fdtable_cloexec(p->fds, 4));
	/* a failed dup makes nothing */
	ev = call(p, "dup", -1);
	ev.has |= HAS_FD;
	ev.fd = 3;
	proc_apply_entry(&model, p, &ev, &strs, 0);
	ev.ret = -1;
	proc_apply_exit(&model, p, &ev, &strs);
	assert_null(ev.ret_path);
	/* F_DUPFD_CLOEXEC and F_DUPFD */
	ev = fcntl_call(p, 3, F_DUPFD_CLOEXEC, 10, 10);
	assert_string_equal(ev.ret_path, "/w/a");
	assert_true(fdtable_cloexec(p->fds, 10));
	ev = fcntl_call(p, 3, F_DUPFD, 10, 11);
	assert_string_equal(ev.ret_path, "/w/a");
	assert_false(fdtable_cloexec(p->fds, 11));
	/* F_SETFD sets and clears */
	fcntl_call(p, 11, F_SETFD, FD_CLOEXEC, 0);
	assert_true(fdtable_cloexec(p->fds, 11));
	fcntl_call(p, 10, F_SETFD, 0, 0);
	assert_false(fdtable_cloexec(p->fds, 10));
	/* a dup of an fd the model never saw: open, path unknown */
	fd_call(p, "dup2", 20, 21, 0, 21);
	assert_true(fdtable_is_open(p->fds, 21));
	assert_null(fdtable_path(p->fds, 21));
	/* dup3's O_CLOEXEC */
	fd_call(p, "dup3", 3, 22, O_CLOEXEC, 22);
	assert_true(fdtable_cloexec(p->fds, 22));
	fd_call(p, "dup3", 3, 23, 0, 23);
	assert_false(fdtable_cloexec(p->fds, 23));
	drop(p);
}

static void test_small_helpers(void **state)
{
	const struct syscall_desc *open = syscall_by_name("open");
	struct proc *p = task(80, "/w");

	assert_int_equal(proc_clone_flags(syscall_by_name("vfork")),
			 CLONE_VM | CLONE_VFORK);
	assert_int_equal(proc_clone_flags(syscall_by_name("fork")), 0);
	assert_int_equal(proc_arg_index(open, A_PATH), 0);
	assert_int_equal(proc_arg_index(open, A_MODE), 2);
	assert_int_equal(proc_arg_index(open, A_FD), -1);
	assert_true(proc_fcntl_traced(F_DUPFD));
	assert_true(proc_fcntl_traced(F_DUPFD_CLOEXEC));
	assert_true(proc_fcntl_traced(F_SETFD));
	assert_false(proc_fcntl_traced(F_GETFD));
	assert_false(proc_fcntl_traced(F_SETFL));
	/* a new tid: found by it, no longer by the old one */
	assert_ptr_equal(proc_find(&model, 80), p);
	proc_retid(&model, p, 81);
	assert_null(proc_find(&model, 80));
	assert_ptr_equal(proc_find(&model, 81), p);
	assert_int_equal(model.ntasks, 1);
	drop(p);
	assert_int_equal(model.ntasks, 0);
	assert_null(proc_find(&model, 81));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_resolve_and_chdir, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fchdir_unknown, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_chroot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chroot_longest_root, setup,
						teardown),
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
		cmocka_unit_test_setup_teardown(test_backend_without_callbacks,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork_flags, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fork_keeps_a_lost_root,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_range, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dup_kinds, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_small_helpers, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("proc", tests, NULL, NULL);
}
