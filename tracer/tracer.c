// SPDX-License-Identifier: MIT
#include "tracer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sched.h>

#include "dircache.h"
#include "fdtable.h"
#include "path.h"
#include "proc.h"
#include "util.h"

/* SECCOMP_RET_DATA for a task of another architecture. */
#define BADARCH_DATA 0xffff
#define NR_MAX 1024
#define PATH_BUF PROC_PATH_BUF
#define ARGV_MAX 4096

struct task {
	struct proc p;	 /* first: a task is found from its proc */
	bool startup;	 /* the next EVENT_STOP is its first stop */
	bool waiting;	 /* stopped, waiting for its parent's fork event */
	bool in_syscall; /* resumed to see the exit of a traced syscall */
	bool warned_arch;
	uint64_t clone_flags;
	bool clone_known;
	const char *clone_syscall;

	/* the syscall in progress, filled at entry, completed at exit */
	const struct syscall_desc *sc;
	uint64_t args[6];
	uint64_t statbuf;
	uint64_t linkbuf;
	bool statx;
	unsigned hints; /* enum proc_hint */
	struct event ev;
	struct proc_strings s;
	char path[PATH_BUF], path2[PATH_BUF];
	char target[PATH_BUF], xattr[256];
	char parent[PATH_BUF], parent2[PATH_BUF];
	char **argv;
	int argc;
};

struct tracer {
	struct tracer_options opt;
	bool seccomp;
	const char *seccomp_reason;
	scmp_filter_ctx filter;
	const struct syscall_desc *by_nr[NR_MAX];
	struct proc_model model;
	int main_pid;
	int main_status; /* fsrace's exit status once main_pid ended */
	bool main_done;
	uint64_t seq;
	struct dircache *dirs;
	bool detaching;
	/* open /proc/TGID/fd directories, so that a lookup walks one name */
	struct {
		int tgid;
		int fd;
	} procfd[8];
	unsigned procfd_next;
};

static volatile sig_atomic_t got_tick, got_stop_signal;

/* Why tracer_start failed; it outlives the tracer it was about. */
static char start_error[512];

static void on_alarm(int sig UNUSED)
{
	got_tick = 1;
}

static void on_stop_signal(int sig)
{
	got_stop_signal = sig;
}

/* ---- tasks ---- */

static struct task *task_of(struct proc *p)
{
	return (struct task *)p;
}

static struct task *task_find(struct tracer *t, int tid)
{
	return task_of(proc_find(&t->model, tid));
}

static struct task *task_new(struct tracer *t, int tid)
{
	struct task *k = xcalloc(1, sizeof(*k));

	k->p.tid = tid;
	k->p.tgid = tid;
	proc_add(&t->model, &k->p);
	return k;
}

/* Every task, for FN; FN may not remove any. */
#define for_each_task(t, k)                                                    \
	for (unsigned b_ = 0; b_ < PROC_BUCKETS; b_++)                         \
		for (struct task *k = task_of((t)->model.buckets[b_]); k;      \
		     k = task_of(k->p.next))

static void free_argv(struct task *k)
{
	for (int i = 0; i < k->argc; i++)
		free(k->argv[i]);
	free(k->argv);
	k->argv = NULL;
	k->argc = 0;
}

static void task_free(struct tracer *t, struct task *k)
{
	proc_remove(&t->model, &k->p);
	free_argv(k);
	free(k);
}

/* ---- reading the tracee ---- */

/*
 * Read up to SIZE bytes at ADDR into BUF, one remote iovec per page so
 * that an unmapped page ends the read there instead of failing it all.
 * Returns the bytes read, or -errno.
 */
static ssize_t peek(int tid, uint64_t addr, void *buf, size_t size)
{
	struct iovec local = {buf, size};
	struct iovec remote[4];
	size_t done = 0;
	int n = 0;
	ssize_t r;

	while (done < size && n < (int)ARRAY_SIZE(remote)) {
		uint64_t a = addr + done;
		size_t chunk = 4096 - (a & 4095);

		if (chunk > size - done)
			chunk = size - done;
		remote[n].iov_base = (void *)(uintptr_t)a;
		remote[n].iov_len = chunk;
		done += chunk;
		n++;
	}
	local.iov_len = done;
	r = process_vm_readv(tid, &local, 1, remote, (unsigned long)n, 0);
	if (r < 0)
		return -errno;
	return r;
}

/* Read a NUL-terminated string; at most SIZE-1 bytes. 0 or -errno. */
static int peek_string(int tid, uint64_t addr, char *buf, size_t size)
{
	size_t got = 0;

	if (!addr)
		return -EFAULT;
	while (got + 1 < size) {
		size_t want = 4096 - ((addr + got) & 4095);
		ssize_t r;

		if (want > size - 1 - got)
			want = size - 1 - got;
		r = peek(tid, addr + got, buf + got, want);
		if (r <= 0) {
			buf[got] = '\0';
			return r < 0 ? (int)r : -EFAULT;
		}
		if (memchr(buf + got, '\0', (size_t)r))
			return 0;
		got += (size_t)r;
	}
	buf[got] = '\0';
	return 0;
}

static void read_argv(struct task *k, uint64_t addr)
{
	char buf[PATH_BUF];
	int cap = 0;

	free_argv(k);
	for (int i = 0; i < ARGV_MAX && addr; i++) {
		uint64_t p;

		if (peek(k->p.tid, addr + (uint64_t)i * 8, &p, 8) != 8 || !p)
			break;
		if (peek_string(k->p.tid, p, buf, sizeof(buf)) < 0)
			break;
		if (k->argc == cap) {
			cap = cap ? cap * 2 : 8;
			k->argv =
				xrealloc(k->argv, (size_t)cap * sizeof(char *));
		}
		k->argv[k->argc++] = xstrdup(buf);
	}
}

/* ---- what /proc tells the model ---- */

static int procfd_open(struct tracer *t, int tgid, bool fresh)
{
	unsigned i, n = ARRAY_SIZE(t->procfd);
	char dir[64];
	int fd;

	for (i = 0; i < n; i++)
		if (t->procfd[i].tgid == tgid && t->procfd[i].fd >= 0) {
			if (!fresh)
				return t->procfd[i].fd;
			close(t->procfd[i].fd);
			t->procfd[i].tgid = 0;
			t->procfd[i].fd = -1;
			break;
		}
	snprintf(dir, sizeof(dir), "/proc/%d/fd", tgid);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (i == n) {
		i = t->procfd_next++ % n;
		if (t->procfd[i].fd >= 0)
			close(t->procfd[i].fd);
	}
	t->procfd[i].tgid = tgid;
	t->procfd[i].fd = fd;
	return fd;
}

/* fstatat or readlinkat on /proc/TGID/fd/FD; 0 or -errno. */
static int proc_fd_op(struct tracer *t, int tgid, int fd, struct stat *st,
		      char *link, size_t size)
{
	char name[16];
	int r = -ENOENT;

	snprintf(name, sizeof(name), "%d", fd);
	for (int attempt = 0; attempt < 2; attempt++) {
		int dfd = procfd_open(t, tgid, attempt > 0);
		ssize_t n;

		if (dfd < 0)
			return dfd;
		if (st) {
			if (fstatat(dfd, name, st, 0) == 0)
				return 0;
		} else {
			n = readlinkat(dfd, name, link, size - 1);
			if (n >= 0) {
				link[n] = '\0';
				return 0;
			}
		}
		r = -errno;
		/* a stale directory of an exited process gives ESRCH/ENOENT */
	}
	return r;
}

static void procfd_forget(struct tracer *t, int tgid)
{
	for (unsigned i = 0; i < ARRAY_SIZE(t->procfd); i++)
		if (t->procfd[i].tgid == tgid && t->procfd[i].fd >= 0) {
			close(t->procfd[i].fd);
			t->procfd[i].tgid = 0;
			t->procfd[i].fd = -1;
		}
}

/* The backend: an fd made by a call we do not stop on (pipe, socket). */
static int live_fd_path(void *ctx, const struct proc *p, int fd, char *buf,
			size_t size)
{
	return proc_fd_op(ctx, p->tgid, fd, NULL, buf, size);
}

/* A cwd the model lost (a chdir it could not resolve) or never had. */
static int live_cwd(void *ctx, const struct proc *p, char *buf, size_t size)
{
	char proc[64];
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/%d/cwd", p->tid);
	n = readlink(proc, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static const struct proc_backend live_backend = {
	.name = "/proc",
	.fd_path = live_fd_path,
	.cwd = live_cwd,
};

static int load_fds(struct fdtable *fds, int pid)
{
	char dir[64], link[80], buf[PATH_BUF];
	struct dirent *d;
	DIR *dp;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	dp = opendir(dir);
	if (!dp)
		return -errno;
	while ((d = readdir(dp))) {
		char *end;
		long fd = strtol(d->d_name, &end, 10);
		ssize_t n;

		if (*end || d->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%ld", dir, fd);
		n = readlink(link, buf, sizeof(buf) - 1);
		if (n < 0)
			continue;
		buf[n] = '\0';
		fdtable_set(fds, (int)fd, buf, false);
	}
	closedir(dp);
	return 0;
}

/* A task seen for the first time without a parent: spawn or attach. */
static void task_load(struct task *k)
{
	struct fdtable *fds = fdtable_new();
	char cwd[PATH_BUF];

	load_fds(fds, k->p.tgid);
	if (live_cwd(NULL, &k->p, cwd, sizeof(cwd)) < 0)
		cwd[0] = '\0';
	proc_setup(&k->p, fds, cwd);
	fdtable_unref(fds);
}

/* ---- emitting ---- */

static void emit(struct tracer *t, struct event *ev)
{
	ev->seq = ++t->seq;
	t->opt.on_event(ev, t->opt.ud);
}

static void emit_warning(struct tracer *t, struct task *k, const char *msg)
{
	struct event ev;

	event_init(&ev, EV_WARNING);
	ev.pid = k->p.tgid;
	ev.tid = k->p.tid;
	ev.ts_enter = now_ns();
	ev.message = msg;
	emit(t, &ev);
}

/* ---- syscall entry ---- */

/* The registers of the call K stopped in, as the event they mean. */
static void decode_entry(struct tracer *t, struct task *k)
{
	const struct syscall_desc *sc = k->sc;
	struct event *ev = &k->ev;
	const uint64_t *a = k->args;
	int tid = k->p.tid;

	event_init(ev, EV_SYSCALL);
	ev->sc = sc;
	ev->pid = k->p.tgid;
	ev->tid = tid;
	k->statbuf = k->linkbuf = 0;
	k->hints = 0;
	for (int i = 0; i < 6; i++) {
		uint64_t v = a[i];

		switch ((enum arg_kind)sc->args[i]) {
		case A_NONE:
			break;
		case A_DIRFD:
			ev->has |= HAS_DIRFD;
			ev->dirfd = (int)v;
			break;
		case A_DIRFD2:
			ev->has |= HAS_DIRFD2;
			ev->dirfd2 = (int)v;
			break;
		case A_PATH:
			if (!v) {
				k->hints |= PROC_NULL_PATH;
			} else if (peek_string(tid, v, k->path,
					       sizeof(k->path)) == 0) {
				ev->has |= HAS_PATH;
				ev->path = k->path;
			}
			break;
		case A_PATH2:
			if (peek_string(tid, v, k->path2, sizeof(k->path2)) ==
			    0) {
				ev->has |= HAS_PATH2;
				ev->path2 = k->path2;
			}
			break;
		case A_FD:
			ev->has |= HAS_FD;
			ev->fd = (int)v;
			break;
		case A_FD2:
			ev->has |= HAS_FD2;
			ev->fd2 = (int)v;
			break;
		case A_OFLAGS:
		case A_ATFLAGS:
		case A_FACCFLAGS:
		case A_RENFLAGS:
		case A_CRFLAGS:
		case A_DUPFLAGS:
		case A_SFRFLAGS:
			ev->has |= HAS_FLAGS;
			ev->flags = sc->args[i] == A_OFLAGS ? (uint32_t)v : v;
			break;
		case A_MODE:
			ev->has |= HAS_MODE;
			ev->mode = (uint32_t)v;
			break;
		case A_ACCESS:
			ev->has |= HAS_ACCESS;
			ev->access = (uint32_t)v;
			break;
		case A_OPENHOW: {
			uint64_t how[3] = {0, 0, 0};

			peek(tid, v, how, sizeof(how));
			ev->has |= HAS_FLAGS | HAS_RESOLVE | HAS_MODE;
			ev->flags = how[0];
			ev->mode = (uint32_t)how[1];
			ev->resolve = how[2];
			break;
		}
		case A_UID:
			ev->has |= HAS_OWNER;
			ev->uid = (int32_t)v;
			break;
		case A_GID:
			ev->gid = (int32_t)v;
			break;
		case A_LENGTH:
			ev->has |= HAS_LENGTH;
			ev->length = (int64_t)v;
			break;
		case A_FCNTL_CMD:
			ev->has |= HAS_CMD;
			ev->cmd = (int)v;
			break;
		case A_FCNTL_ARG:
			ev->arg = (int64_t)v;
			break;
		case A_TARGET:
			if (peek_string(tid, v, k->target, sizeof(k->target)) ==
			    0) {
				ev->has |= HAS_TARGET;
				ev->target = k->target;
			}
			break;
		case A_LINKBUF:
			k->linkbuf = v;
			break;
		case A_STATBUF:
		case A_STATXBUF:
			k->statbuf = v;
			k->statx = sc->args[i] == A_STATXBUF;
			break;
		case A_XATTR:
			if (peek_string(tid, v, k->xattr, sizeof(k->xattr)) ==
			    0) {
				ev->has |= HAS_XATTR;
				ev->xattr = k->xattr;
			}
			break;
		case A_ARGV:
			read_argv(k, v);
			ev->has |= HAS_ARGV;
			ev->argv = (const char *const *)k->argv;
			ev->argc = k->argc;
			break;
		case A_CLONEFLAGS:
			k->clone_flags = v;
			k->clone_known = true;
			break;
		case A_CLONEARGS:
			k->clone_known = peek(tid, v, &k->clone_flags, 8) == 8;
			break;
		case A_FDLAST:
			ev->length = (int64_t)(uint32_t)v;
			break;
		}
	}
	if (sc->effect == E_CLONE) {
		k->clone_syscall = sc->name;
		return;
	}
	proc_apply_entry(&t->model, &k->p, ev, &k->s, k->hints);
}

/* ---- syscall exit ---- */

static void fill_parent(struct tracer *t, const char *abspath, char *buf,
			struct parent_info *p)
{
	if (!abspath || abspath[0] != '/')
		return;
	if (path_dirname(abspath, buf, PATH_BUF) < 0)
		return;
	if (dircache_lookup(t->dirs, buf, buf, &p->uid, &p->mode) == 0) {
		p->valid = true;
		p->path = buf;
	}
}

static void ident_from_stat(struct ident *id, const struct stat *st)
{
	id->valid = true;
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->mode = st->st_mode;
	id->nlink = st->st_nlink;
	id->uid = st->st_uid;
	id->gid = st->st_gid;
	id->size = st->st_size;
}

static void read_stat_result(struct task *k)
{
	struct event *ev = &k->ev;

	if (!k->statbuf)
		return;
	if (k->statx) {
		struct statx sx;

		if (peek(k->p.tid, k->statbuf, &sx, sizeof(sx)) != sizeof(sx))
			return;
		ev->stat.valid = true;
		ev->stat.dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
		ev->stat.ino = sx.stx_ino;
		ev->stat.mode = sx.stx_mode;
		ev->stat.nlink = sx.stx_nlink;
		ev->stat.uid = sx.stx_uid;
		ev->stat.gid = sx.stx_gid;
		ev->stat.size = (int64_t)sx.stx_size;
	} else {
		struct stat st;

		if (peek(k->p.tid, k->statbuf, &st, sizeof(st)) != sizeof(st))
			return;
		ident_from_stat(&ev->stat, &st);
	}
}

/* What the tracer adds to the model's view of a successful call. */
static void effect_at_exit(struct tracer *t, struct task *k)
{
	struct event *ev = &k->ev;
	struct stat st;

	proc_apply_exit(&t->model, &k->p, ev, &k->s);
	switch ((enum sc_effect)k->sc->effect) {
	case E_OPEN:
		if (proc_fd_op(t, k->p.tgid, (int)ev->ret, &st, NULL, 0) == 0)
			ident_from_stat(&ev->stat, &st);
		break;
	case E_CHANGE_DIR:
		if (ev->abspath)
			dircache_invalidate(t->dirs, ev->abspath);
		if (ev->abspath2)
			dircache_invalidate(t->dirs, ev->abspath2);
		if (!(ev->has & HAS_PATH) && ev->fd_path)
			dircache_invalidate(t->dirs, ev->fd_path);
		break;
	default:
		break;
	}
}

static void finish_syscall(struct tracer *t, struct task *k, int64_t rval,
			   bool is_error)
{
	struct event *ev = &k->ev;
	const struct syscall_desc *sc = k->sc;

	ev->ts_exit = now_ns();
	ev->has |= HAS_RET;
	if (is_error) {
		ev->ret = -1;
		ev->err = (int)-rval;
	} else {
		ev->ret = rval;
		effect_at_exit(t, k);
		if (sc->flags & SCF_STAT_RESULT)
			read_stat_result(k);
		if (k->linkbuf && rval > 0) {
			size_t n = (size_t)rval < PATH_MAX ? (size_t)rval
							   : PATH_MAX;

			if (peek(k->p.tid, k->linkbuf, k->target, n) ==
			    (ssize_t)n) {
				k->target[n] = '\0';
				ev->has |= HAS_TARGET;
				ev->target = k->target;
			}
		}
	}
	if ((sc->classes & (SC_CHECK | SC_USE | SC_CREATE | SC_REMOVE)) &&
	    (ev->has & HAS_PATH) && !(ev->has & HAS_FD)) {
		fill_parent(t, ev->abspath, k->parent, &ev->parent);
		if (ev->has & HAS_PATH2)
			fill_parent(t, ev->abspath2, k->parent2, &ev->parent2);
	}
	emit(t, ev);
	k->in_syscall = false;
	k->sc = NULL;
}

/* ---- ptrace plumbing ---- */

static bool ptrace_ok(long r, int tid)
{
	if (r >= 0)
		return true;
	/* the task died under us: its exit is reported by wait */
	if (errno != ESRCH)
		warnx_("ptrace on %d: %s", tid, strerror(errno));
	return false;
}

static void resume(struct tracer *t, struct task *k, int sig)
{
	enum __ptrace_request op = PTRACE_CONT;

	if (!t->seccomp || k->in_syscall)
		op = PTRACE_SYSCALL;
	ptrace_ok(ptrace(op, k->p.tid, 0L, (long)sig), k->p.tid);
}

static void on_syscall_entry(struct tracer *t, struct task *k,
			     const struct __ptrace_syscall_info *si,
			     const struct syscall_desc *sc)
{
	k->sc = sc;
	memcpy(k->args, si->entry.args, sizeof(k->args));
	if (sc->effect == E_FCNTL && !proc_fcntl_traced((int)k->args[1])) {
		k->sc = NULL;
		return;
	}
	decode_entry(t, k);
	k->ev.ts_enter = now_ns();
	if (sc->flags & SCF_NO_EXIT) {
		k->sc = NULL;
		if (sc->effect != E_CLONE) {
			k->ev.ts_exit = k->ev.ts_enter;
			emit(t, &k->ev);
		}
		return;
	}
	k->in_syscall = true;
}

static bool arch_ok(struct tracer *t, struct task *k, uint32_t arch)
{
	if (arch == AUDIT_ARCH_X86_64)
		return true;
	if (!k->warned_arch) {
		k->warned_arch = true;
		emit_warning(t, k,
			     "task of another architecture (32-bit?): "
			     "its syscalls are not traced");
	}
	return false;
}

static void handle_syscall_stop(struct tracer *t, struct task *k, bool seccomp)
{
	struct __ptrace_syscall_info si;
	const struct syscall_desc *sc = NULL;

	if (ptrace(PTRACE_GET_SYSCALL_INFO, k->p.tid, sizeof(si), &si) <= 0)
		goto out_resume;
	if (si.op == PTRACE_SYSCALL_INFO_EXIT) {
		if (k->in_syscall && k->sc)
			finish_syscall(t, k, si.exit.rval, si.exit.is_error);
		k->in_syscall = false;
		goto out_resume;
	}
	if (si.op != PTRACE_SYSCALL_INFO_ENTRY &&
	    si.op != PTRACE_SYSCALL_INFO_SECCOMP)
		goto out_resume;
	k->in_syscall = false;
	if (!arch_ok(t, k, si.arch))
		goto out_resume;
	if (seccomp && si.op == PTRACE_SYSCALL_INFO_SECCOMP) {
		uint32_t data = si.seccomp.ret_data;

		if (data < syscall_table_size)
			sc = &syscall_table[data];
	} else if (si.entry.nr < NR_MAX) {
		sc = t->by_nr[si.entry.nr];
	}
	if (sc)
		on_syscall_entry(t, k, &si, sc);
	else if (!t->seccomp)
		/* not traced; its exit stop is ignored */
		k->in_syscall = false;
out_resume:
	resume(t, k, 0);
}

static void link_child(struct tracer *t, struct task *parent,
		       struct task *child, int event)
{
	uint64_t flags = parent->clone_flags;
	struct event ev;

	if (!parent->clone_known)
		flags = event == PTRACE_EVENT_CLONE
				? CLONE_THREAD | CLONE_FILES | CLONE_FS
				: 0;
	if (event == PTRACE_EVENT_VFORK)
		flags |= CLONE_VFORK;
	proc_fork(&parent->p, &child->p, flags, &ev);
	ev.ts_enter = now_ns();
	ev.fork_syscall = parent->clone_syscall;
	emit(t, &ev);
	parent->clone_known = false;
	parent->clone_syscall = NULL;
}

static void handle_fork_event(struct tracer *t, struct task *k, int event)
{
	unsigned long msg = 0;
	struct task *child;

	if (ptrace(PTRACE_GETEVENTMSG, k->p.tid, 0L, &msg) < 0)
		goto out_resume;
	child = task_find(t, (int)msg);
	if (!child) {
		child = task_new(t, (int)msg);
		child->startup = true;
	}
	link_child(t, k, child, event);
	if (child->waiting) {
		child->waiting = false;
		resume(t, child, 0);
	}
out_resume:
	resume(t, k, 0);
}

static void handle_exec_event(struct tracer *t, struct task *k)
{
	unsigned long old = 0;
	struct task *o;

	ptrace(PTRACE_GETEVENTMSG, k->p.tid, 0L, &old);
	if ((int)old != k->p.tid && (o = task_find(t, (int)old))) {
		/*
		 * A non-leader thread exec'd: it goes on with the leader's
		 * tid, and the old leader is gone without an exit report.
		 */
		int tid = k->p.tid;

		task_free(t, k);
		proc_retid(&t->model, &o->p, tid);
		o->ev.has |= HAS_OLD_TID;
		o->ev.old_tid = (int)old;
		o->ev.tid = tid;
		k = o;
	}
	if (!k->p.fds)
		/* never linked to a parent: its tables start from /proc */
		task_load(k);
	else
		proc_exec(&k->p);
	resume(t, k, 0);
}

static void handle_exit(struct tracer *t, struct task *k, int status)
{
	struct event ev;

	event_init(&ev, EV_EXIT);
	ev.ts_enter = now_ns();
	ev.pid = k->p.tgid;
	ev.tid = k->p.tid;
	if (WIFSIGNALED(status)) {
		ev.exit_signal = WTERMSIG(status);
		ev.core_dumped = WCOREDUMP(status);
	} else {
		ev.exit_status = WEXITSTATUS(status);
	}
	if (k->p.fds)
		emit(t, &ev);
	if (k->p.tid == k->p.tgid)
		procfd_forget(t, k->p.tgid);
	if (k->p.tid == t->main_pid) {
		t->main_done = true;
		t->main_status = WIFSIGNALED(status) ? 128 + WTERMSIG(status)
						     : WEXITSTATUS(status);
	}
	task_free(t, k);
}

static void handle_stop(struct tracer *t, struct task *k, int status)
{
	int sig = WSTOPSIG(status);
	int event = (unsigned)status >> 16;

	if (sig == (SIGTRAP | 0x80)) {
		handle_syscall_stop(t, k, false);
		return;
	}
	switch (event) {
	case PTRACE_EVENT_SECCOMP:
		handle_syscall_stop(t, k, true);
		return;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		handle_fork_event(t, k, event);
		return;
	case PTRACE_EVENT_EXEC:
		handle_exec_event(t, k);
		return;
	case PTRACE_EVENT_STOP:
		if (k->startup) {
			k->startup = false;
			if (!k->p.fds) {
				/* its parent's fork event has not come yet */
				k->waiting = true;
				return;
			}
			resume(t, k, 0);
			return;
		}
		if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
		    sig == SIGTTOU) {
			/* group-stop: stay stopped, as without a tracer */
			ptrace_ok(ptrace(PTRACE_LISTEN, k->p.tid, 0L, 0L),
				  k->p.tid);
			return;
		}
		resume(t, k, 0);
		return;
	case 0:
		/* signal-delivery-stop: deliver it */
		resume(t, k, sig);
		return;
	default:
		resume(t, k, 0);
		return;
	}
}

/* ---- setup ---- */

static const long ptrace_options = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK |
				   PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
				   PTRACE_O_TRACEEXEC | PTRACE_O_TRACESECCOMP |
				   PTRACE_O_EXITKILL;

static int build_filter(struct tracer *t)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int r;

	if (!ctx)
		return -ENOMEM;
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
			     SCMP_ACT_TRACE(BADARCH_DATA));
	/* root may filter without no_new_privs, so setuid keeps working */
	if (!r && geteuid() == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	for (unsigned i = 0; !r && i < syscall_table_size; i++) {
		const struct syscall_desc *sc = &syscall_table[i];
		int nr = seccomp_syscall_resolve_name(sc->name);

		if (nr == __NR_SCMP_ERROR || nr < 0)
			continue;
		if (sc->effect == E_FCNTL) {
			const int *cmds = proc_fcntl_cmds;

			for (unsigned c = 0;
			     !r && c < ARRAY_SIZE(proc_fcntl_cmds); c++)
				r = seccomp_rule_add(
					ctx, SCMP_ACT_TRACE(i), nr, 1,
					SCMP_A1(SCMP_CMP_EQ,
						(scmp_datum_t)cmds[c]));
		} else {
			r = seccomp_rule_add(ctx, SCMP_ACT_TRACE(i), nr, 0);
		}
	}
	if (r) {
		seccomp_release(ctx);
		return r;
	}
	t->filter = ctx;
	return 0;
}

static void map_numbers(struct tracer *t)
{
	for (unsigned i = 0; i < syscall_table_size; i++) {
		int nr = seccomp_syscall_resolve_name(syscall_table[i].name);

		if (nr >= 0 && nr < NR_MAX)
			t->by_nr[nr] = &syscall_table[i];
	}
}

static const char *probe_seccomp(void)
{
	uint32_t action = SECCOMP_RET_TRACE;

	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0)
		return "the kernel has no seccomp";
	if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) < 0)
		return "the kernel has no SECCOMP_RET_TRACE";
	return NULL;
}

static void child_exec(struct tracer *t, int sync_fd)
{
	char c;
	int r;

	/* wait until the tracer has seized us */
	while (read(sync_fd, &c, 1) < 0 && errno == EINTR)
		;
	close(sync_fd);
	if (t->seccomp) {
		r = seccomp_load(t->filter);
		if (r < 0) {
			fprintf(stderr,
				"fsrace: cannot install the seccomp "
				"filter: %s (try --no-seccomp)\n",
				strerror(-r));
			_exit(2);
		}
	}
	execv(t->opt.program, (char *const *)t->opt.argv);
	fprintf(stderr, "fsrace: cannot execute '%s': %s\n", t->opt.program,
		strerror(errno));
	_exit(127);
}

static int spawn(struct tracer *t, const char **ret_msg)
{
	int sync[2];
	pid_t pid;
	struct task *k;

	if (pipe2(sync, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(sync[0]);
		close(sync[1]);
		return -errno;
	}
	if (pid == 0) {
		close(sync[1]);
		child_exec(t, sync[0]);
	}
	close(sync[0]);
	if (ptrace(PTRACE_SEIZE, pid, 0L, ptrace_options) < 0) {
		int e = errno;

		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(sync[1]);
		snprintf(start_error, sizeof(start_error),
			 "cannot trace the child: %s", strerror(e));
		*ret_msg = start_error;
		return -e;
	}
	k = task_new(t, pid);
	t->main_pid = pid;
	if (!t->seccomp) {
		int status;

		/* stop it once so that it can be resumed with PTRACE_SYSCALL */
		ptrace(PTRACE_INTERRUPT, pid, 0L, 0L);
		waitpid(pid, &status, __WALL);
		resume(t, k, 0);
	}
	task_load(k);
	if (write(sync[1], "g", 1) < 0) {
		/* the child died; wait() tells the rest */
	}
	close(sync[1]);
	return 0;
}

/* Tids of PID's threads, in /proc/PID/task. */
static int attach_threads(struct tracer *t, int pid, const char **ret_msg)
{
	bool again = true;
	char dir[64];

	snprintf(dir, sizeof(dir), "/proc/%d/task", pid);
	while (again) {
		DIR *dp = opendir(dir);
		struct dirent *d;

		again = false;
		if (!dp)
			return -ESRCH;
		while ((d = readdir(dp))) {
			int tid = atoi(d->d_name);
			struct task *k;

			if (tid <= 0 || task_find(t, tid))
				continue;
			if (ptrace(PTRACE_SEIZE, tid, 0L, ptrace_options) < 0) {
				int e = errno;

				closedir(dp);
				if (tid == pid || t->model.ntasks == 0) {
					snprintf(start_error,
						 sizeof(start_error),
						 "cannot attach to pid %d: %s",
						 pid, strerror(e));
					*ret_msg = start_error;
					return -e;
				}
				continue;
			}
			k = task_new(t, tid);
			k->p.tgid = pid;
			k->startup = true;
			again = true;
			ptrace(PTRACE_INTERRUPT, tid, 0L, 0L);
		}
		closedir(dp);
	}
	return 0;
}

static int attach(struct tracer *t, const char **ret_msg)
{
	int pid = t->opt.attach_pid;
	struct task *first;
	int r;

	if (kill(pid, 0) < 0 && errno == ESRCH) {
		snprintf(start_error, sizeof(start_error),
			 "no such process: %d", pid);
		*ret_msg = start_error;
		return -ESRCH;
	}
	r = attach_threads(t, pid, ret_msg);
	if (r < 0)
		return r;
	/* the threads of one process share its tables */
	first = task_find(t, pid);
	for_each_task(t, k) if (!first) first = k;
	task_load(first);
	for_each_task(t, k) if (k != first) proc_share(&k->p, &first->p);
	return 0;
}

int tracer_start(struct tracer **ret, const struct tracer_options *opt,
		 const char **ret_msg)
{
	struct tracer *t = xcalloc(1, sizeof(*t));
	int r;

	*ret_msg = NULL;
	t->opt = *opt;
	t->dirs = dircache_new();
	proc_model_init(&t->model, &live_backend, t);
	for (unsigned i = 0; i < ARRAY_SIZE(t->procfd); i++)
		t->procfd[i].fd = -1;
	map_numbers(t);
	t->seccomp = false;
	if (opt->attach_pid > 0)
		t->seccomp_reason = "attach mode: a filter can only be "
				    "installed by the process itself";
	else if (opt->no_seccomp)
		t->seccomp_reason = "--no-seccomp";
	else if ((t->seccomp_reason = probe_seccomp()) == NULL)
		t->seccomp = true;
	if (t->seccomp) {
		r = build_filter(t);
		if (r < 0) {
			t->seccomp = false;
			t->seccomp_reason = "libseccomp could not build the "
					    "filter";
		}
	}
	r = opt->attach_pid > 0 ? attach(t, ret_msg) : spawn(t, ret_msg);
	if (r < 0) {
		tracer_free(t);
		return r;
	}
	*ret = t;
	return 0;
}

bool tracer_seccomp(const struct tracer *t, const char **ret_reason)
{
	*ret_reason = t->seccomp_reason;
	return t->seccomp;
}

static void install_signals(struct tracer *t)
{
	struct sigaction sa = {0};
	struct itimerval it = {{0, 250000}, {0, 250000}};

	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_alarm; /* no SA_RESTART: wait4 returns EINTR */
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	sa.sa_handler = on_stop_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (t->opt.attach_pid > 0) {
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGQUIT, &sa, NULL);
	} else {
		/* the terminal sends them to the program too */
		sa.sa_handler = SIG_IGN;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGQUIT, &sa, NULL);
	}
}

static void start_detach(struct tracer *t)
{
	t->detaching = true;
	for_each_task(t, k) ptrace(PTRACE_INTERRUPT, k->p.tid, 0L, 0L);
}

/* In detach mode every stop is a chance to let the task go. */
static void detach_stopped(struct tracer *t, struct task *k, int status)
{
	int sig = WSTOPSIG(status);
	int event = (unsigned)status >> 16;

	if (event == 0 && sig != (SIGTRAP | 0x80))
		ptrace(PTRACE_DETACH, k->p.tid, 0L, (long)sig);
	else
		ptrace(PTRACE_DETACH, k->p.tid, 0L, 0L);
	task_free(t, k);
}

int tracer_run(struct tracer *t)
{
	install_signals(t);
	while (t->model.ntasks > 0) {
		int status;
		pid_t tid;
		struct task *k;

		if (got_tick) {
			got_tick = 0;
			if (t->opt.on_tick)
				t->opt.on_tick(t->opt.ud);
		}
		if (got_stop_signal && !t->detaching) {
			if (t->opt.attach_pid > 0)
				start_detach(t);
			else if (t->main_pid && !t->main_done)
				kill(t->main_pid, got_stop_signal);
			got_stop_signal = 0;
		}
		tid = wait4(-1, &status, __WALL, NULL);
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD)
				break;
			warnx_("wait: %s", strerror(errno));
			break;
		}
		k = task_find(t, tid);
		if (!k) {
			/* a new child whose parent's event is still to come */
			k = task_new(t, tid);
			k->startup = true;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			handle_exit(t, k, status);
			continue;
		}
		if (!WIFSTOPPED(status))
			continue;
		if (t->detaching) {
			detach_stopped(t, k, status);
			continue;
		}
		handle_stop(t, k, status);
	}
	if (t->opt.on_tick)
		t->opt.on_tick(t->opt.ud);
	return t->detaching ? 0 : t->main_status;
}

void tracer_free(struct tracer *t)
{
	struct itimerval off = {{0, 0}, {0, 0}};

	if (!t)
		return;
	setitimer(ITIMER_REAL, &off, NULL);
	for (unsigned b = 0; b < PROC_BUCKETS; b++)
		while (t->model.buckets[b])
			task_free(t, task_of(t->model.buckets[b]));
	for (unsigned i = 0; i < ARRAY_SIZE(t->procfd); i++)
		if (t->procfd[i].fd >= 0)
			close(t->procfd[i].fd);
	if (t->filter)
		seccomp_release(t->filter);
	dircache_free(t->dirs);
	free(t);
}
