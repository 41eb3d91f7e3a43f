// SPDX-License-Identifier: MIT
#include "tracer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <fnmatch.h>
#include <stddef.h>
#include <sys/ptrace.h>
#include <sys/time.h>
#include <sys/user.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dircache.h"
#include "memcheck.h"
#include "names.h"
#include "tracer-int.h"
#include "util.h"

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

/* Every task, as K; the body may not add or remove any. */
#define for_each_task(t, k, it)                                                \
	for (struct task *k = task_of(proc_iter_first(&(t)->model, (it))); k;  \
	     k = task_of(proc_iter_next(it)))

static void task_free(struct tracer *t, struct task *k)
{
	/* --confirm: a swap it was inside is put back */
	tracer_confirm_task_gone(t, k);
	/* --widen: a held task that ends is not resumed (its tid may be
	 * another's by then) */
	for (int i = 0; i < t->nheld; i++)
		if (t->held[i].tid == k->p.tid)
			t->held[i--] = t->held[--t->nheld];
	proc_exit(&t->model, &k->p);
	tracee_free_argv(k);
	free(k);
}

static void emit_message(struct tracer *t, int pid, int tid, const char *msg)
{
	struct event ev;

	event_init(&ev, EV_WARNING);
	ev.pid = pid;
	ev.tid = tid;
	ev.ts_enter = now_ns();
	ev.message = msg;
	ev.seq = ++t->seq;
	t->opt.on_event(&ev, t->opt.ud);
}

static void emit(struct tracer *t, struct event *ev)
{
	/* the first path too long to resolve: said where it happened */
	if (t->model.too_long && !t->told_too_long) {
		t->told_too_long = true;
		emit_message(t, ev->pid, ev->tid, PROC_TOO_LONG_WARNING);
	}
	ev->seq = ++t->seq;
	t->opt.on_event(ev, t->opt.ud);
}

static void emit_warning(struct tracer *t, struct task *k, const char *msg)
{
	emit_message(t, k->p.tgid, k->p.tid, msg);
}

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

static bool inject_path_matches(const struct tracer_inject *in,
				const struct event *ev)
{
	if (!in->glob)
		return true;
	return (ev->abspath && !fnmatch(in->glob, ev->abspath, 0)) ||
	       (ev->abspath2 && !fnmatch(in->glob, ev->abspath2, 0));
}

/*
 * --inject, at the entry stop of K's call (decoded): the first spec whose
 * call this is, in its window of counts, has the kernel skip it (an
 * invalid syscall number); its exit stop sets the result.
 */
static void inject_entry(struct tracer *t, struct task *k)
{
	unsigned i = syscall_index(k->sc);

	for (int n = 0; n < t->opt.ninject; n++) {
		struct tracer_inject *in = &t->opt.inject[n];

		if (!(in->syscalls[i / 64] & (1ULL << (i % 64))) ||
		    !inject_path_matches(in, &k->ev))
			continue;
		in->seen++;
		if (k->inject_err || in->seen < in->from || in->seen > in->to)
			continue;
		if (ptrace(PTRACE_POKEUSER, k->p.tid,
			   offsetof(struct user_regs_struct, orig_rax),
			   -1L) < 0) {
			emit_warning(t, k,
				     "--inject: cannot change the syscall "
				     "number: the call is made");
			continue;
		}
		k->inject_err = in->err;
	}
}

/* At the exit stop of a call inject_entry() skipped: its result. */
static int64_t inject_exit(struct tracer *t, struct task *k)
{
	int64_t r = -(int64_t)k->inject_err;

	if (ptrace(PTRACE_POKEUSER, k->p.tid,
		   offsetof(struct user_regs_struct, rax), (long)r) < 0)
		emit_warning(t, k, "--inject: cannot set the result");
	k->inject_err = 0;
	k->ev.has |= HAS_INJECTED;
	k->ev.injected = true;
	return r;
}

/* --widen: a first step seen, by (tgid, path) */
struct check_ent {
	struct hashmap_entry ent;
	int tgid;
	char path[];
};

struct check_key {
	int tgid;
	const char *path;
};

static bool check_eq(const struct hashmap_entry *e, const void *key)
{
	const struct check_ent *c = container_of(e, struct check_ent, ent);
	const struct check_key *k = key;

	return c->tgid == k->tgid && !strcmp(c->path, k->path);
}

static uint32_t check_hash(int tgid, const char *path)
{
	return hash_path(path) ^ hash_int((uint64_t)tgid);
}

static bool in_set(const uint64_t *set, const struct syscall_desc *sc)
{
	unsigned i = syscall_index(sc);

	return set[i / 64] & (1ULL << (i % 64));
}

static void checks_clear(struct tracer *t)
{
	struct hashmap_iter it;
	struct hashmap_entry *e;

	hashmap_iter_init(&t->checks, &it);
	while ((e = hashmap_iter_next(&it))) {
		hashmap_remove_entry(&t->checks, e);
		free(container_of(e, struct check_ent, ent));
	}
}

/* --widen, at the exit of K's call: a first step on its path. */
static void widen_exit(struct tracer *t, struct task *k)
{
	const char *p = k->ev.abspath;
	struct check_key key = {k->p.tgid, p};
	struct check_ent *c;
	uint32_t h;
	size_t n;

	if (!t->opt.widen.ns || !p || !in_set(t->opt.widen.first, k->sc))
		return;
	h = check_hash(key.tgid, p);
	if (hashmap_get(&t->checks, h, &key))
		return;
	/* a bound: the oldest checks are the least likely to be used */
	if (t->checks.count >= TRACER_WIDEN_CHECKS_MAX) {
		checks_clear(t);
		t->checks_forgotten++;
	}
	n = strlen(p);
	c = xmalloc(sizeof(*c) + n + 1);
	c->tgid = key.tgid;
	memcpy(c->path, p, n + 1);
	hashmap_put(&t->checks, &c->ent, h);
}

/* --widen, at the entry stop of K's call (decoded): a second step on
 * the path of a first is held. */
static void widen_entry(struct tracer *t, struct task *k)
{
	const char *p = k->ev.abspath;
	struct check_key key = {k->p.tgid, p};
	struct hashmap_entry *e;

	if (!t->opt.widen.ns || !p || !in_set(t->opt.widen.second, k->sc))
		return;
	e = hashmap_remove(&t->checks, check_hash(key.tgid, p), &key);
	if (!e)
		return;
	free(container_of(e, struct check_ent, ent));
	k->hold = true;
	k->ev.has |= HAS_WIDENED;
	k->ev.widened_ns = (int64_t)t->opt.widen.ns;
}

/* Interrupt the tracer's wait (SIGALRM, as the ticks) at UNTIL, a
 * now_ns() time; UINT64_MAX: never. */
static void held_timer_arm(struct tracer *t, uint64_t until)
{
	struct itimerspec its = {{0, 0}, {0, 0}};
	uint64_t now = now_ns(), d;

	if (!t->held_timer_ok)
		return;
	if (until != UINT64_MAX) {
		d = until > now ? until - now : 1;
		its.it_value.tv_sec = (time_t)(d / 1000000000);
		its.it_value.tv_nsec = (long)(d % 1000000000);
	}
	timer_settime(t->held_timer, 0, &its, NULL);
}

static void held_add(struct tracer *t, int tid, uint64_t until)
{
	if (t->nheld == t->capheld) {
		t->capheld = t->capheld ? t->capheld * 2 : 8;
		t->held = xrealloc(t->held,
				   (size_t)t->capheld * sizeof(*t->held));
	}
	t->held[t->nheld++] = (struct held){tid, until};
}

/* Resume the held tasks whose time has come (ALL: every one); returns
 * the earliest time still to wait for, UINT64_MAX for none. */
static uint64_t held_release(struct tracer *t, bool all)
{
	uint64_t now = now_ns(), next = UINT64_MAX;
	int i = 0;

	while (i < t->nheld) {
		struct held h = t->held[i];
		struct task *k;

		if (!all && h.until_ns > now) {
			next = h.until_ns < next ? h.until_ns : next;
			i++;
			continue;
		}
		t->held[i] = t->held[--t->nheld];
		/* gone meanwhile (killed): nothing to resume */
		k = task_find(t, h.tid);
		if (!k)
			continue;
		/* less than asked when a detach ends it early */
		if (now < h.until_ns)
			k->ev.widened_ns =
				(int64_t)(now + t->opt.widen.ns - h.until_ns);
		resume(t, k, 0);
	}
	return next;
}

/*
 * A stat by name (stat, lstat, newfstatat, statx) changes nothing the
 * model knows, and without --inject, --widen, --confirm or stacks
 * nothing happens at its entry: it is decoded at its exit, where its
 * path and its result are one read instead of two (tar's calls are 88%
 * newfstatat).
 */
static bool defers(const struct tracer *t, const struct syscall_desc *sc)
{
	return (sc->flags & SCF_STAT_RESULT) && !(sc->flags & SCF_NO_EXIT) &&
	       !t->opt.ninject && !t->opt.widen.ns && !t->opt.confirm.under &&
	       !t->stacks && proc_arg_index(sc, A_PATH) >= 0;
}

static void deferred_entry(struct task *k, int64_t rval, bool is_error)
{
	const struct syscall_desc *sc = k->sc;
	int p = proc_arg_index(sc, A_PATH);
	int b = proc_arg_index(sc, A_STATXBUF);
	size_t size = sizeof(struct statx);

	if (b < 0) {
		b = proc_arg_index(sc, A_STATBUF);
		size = sizeof(struct stat);
	}
	/* a failed call wrote no result */
	tracee_prefetch(k, k->args[p],
			b < 0 || is_error || rval < 0 ? 0 : k->args[b], size);
}

static void on_syscall_entry(struct tracer *t, struct task *k,
			     const struct __ptrace_syscall_info *si,
			     const struct syscall_desc *sc)
{
	k->sc = sc;
	memcpy(k->args, si->entry.args, sizeof(k->args));
	if (sc->effect == E_FCNTL &&
	    !proc_fcntl_traced((int)k->args[t->fcntl_cmd_arg])) {
		k->sc = NULL;
		return;
	}
	k->pre_path = k->pre_stat = 0;
	k->inject_err = 0;
	k->hold = false;
	k->swap.active = false;
	k->deferred = defers(t, sc);
	if (k->deferred) {
		k->deferred_ts = now_ns();
		k->in_syscall = true;
		return;
	}
	decode_entry(t, k);
	if (t->opt.ninject)
		inject_entry(t, k);
	if (t->opt.widen.ns)
		widen_entry(t, k);
	if (t->opt.confirm.under && !k->inject_err)
		tracer_confirm_entry(t, k);
	/* descriptor management (close, dup, fcntl) is never where a
	 * finding is: its stack is not worth a walk */
	if (t->stacks && (sc->classes & ~SC_FD)) {
		const char *warning = NULL;
		bool dropped = false;

		k->ev.stack = tracer_stacks_take(t, k->p.tgid, k->p.tid,
						 &warning, &dropped);
		if (k->ev.stack)
			k->ev.has |= HAS_STACK;
		if (dropped) {
			k->ev.has |= HAS_STACK_DROPPED;
			k->ev.stack_dropped = true;
		}
		if (warning)
			emit_warning(t, k, warning);
	}
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
	long got = ptrace(PTRACE_GET_SYSCALL_INFO, k->p.tid, sizeof(si), &si);

	if (got <= 0)
		goto out_resume;
	/* valgrind does not know the call */
	mem_defined(&si, (size_t)got < sizeof(si) ? (size_t)got : sizeof(si));
	if (si.op == PTRACE_SYSCALL_INFO_EXIT) {
		if (k->maps_pending) {
			k->maps_pending = false;
			tracer_stacks_maps_changed(t, k->p.tgid);
		}
		if (k->in_syscall && k->sc && k->inject_err) {
			decode_exit(t, k, inject_exit(t, k), true);
			widen_exit(t, k);
			emit(t, &k->ev);
			k->sc = NULL;
		} else if (k->in_syscall && k->sc) {
			if (k->deferred) {
				k->deferred = false;
				deferred_entry(k, si.exit.rval,
					       si.exit.is_error);
				decode_entry(t, k);
				k->ev.ts_enter = k->deferred_ts;
			}
			decode_exit(t, k, si.exit.rval, si.exit.is_error);
			widen_exit(t, k);
			emit(t, &k->ev);
			if (t->opt.confirm.under)
				tracer_confirm_exit(t, k);
			k->sc = NULL;
		}
		k->in_syscall = false;
		goto out_resume;
	}
	if (si.op != PTRACE_SYSCALL_INFO_ENTRY &&
	    si.op != PTRACE_SYSCALL_INFO_SECCOMP)
		goto out_resume;
	k->in_syscall = false;
	/* an exit stop that was lost (GET_SYSCALL_INFO failed) must not
	 * make this call a maps change, nor fail it (--inject) */
	k->maps_pending = false;
	k->inject_err = 0;
	if (!arch_ok(t, k, si.arch))
		goto out_resume;
	if (seccomp && si.op == PTRACE_SYSCALL_INFO_SECCOMP) {
		uint32_t data = si.seccomp.ret_data;

		if (data < syscall_table_size) {
			sc = &syscall_table[data];
		} else if (data == MAPS_DATA) {
			k->maps_pending = true;
		} else if (data == CONFIRM_DATA) {
			tracer_confirm_io(t, k, (long)si.seccomp.nr,
					  (const uint64_t *)si.seccomp.args);
			goto out_resume;
		}
	} else if (si.entry.nr < NR_MAX &&
		   filter_confirm_call(t, (long)si.entry.nr)) {
		tracer_confirm_io(t, k, (long)si.entry.nr,
				  (const uint64_t *)si.entry.args);
		k->in_syscall = false;
		goto out_resume;
	} else if (si.entry.nr < NR_MAX) {
		sc = t->by_nr[si.entry.nr];
		if (!sc && t->stacks &&
		    filter_maps_call((long)si.entry.nr,
				     (const uint64_t *)si.entry.args))
			k->maps_pending = true;
	}
	if (k->maps_pending) {
		/* its maps are reread at its exit: see its exit stop */
		k->in_syscall = true;
		goto out_resume;
	}
	if (sc && k->prelude && sc->effect != E_EXEC)
		sc = NULL;
	if (sc)
		on_syscall_entry(t, k, &si, sc);
	else if (!t->seccomp)
		/* not traced; its exit stop is ignored */
		k->in_syscall = false;
	if (sc && k->hold && k->in_syscall) {
		/* --widen: resumed by held_release() once its time is up */
		k->hold = false;
		held_add(t, k->p.tid, now_ns() + t->opt.widen.ns);
		return;
	}
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
				? CLONE_THREAD_ | CLONE_FILES_ | CLONE_FS_
				: 0;
	if (event == PTRACE_EVENT_VFORK)
		flags |= CLONE_VFORK_;
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
	/*
	 * Never linked to a parent: its tables start from /proc. The
	 * close-on-exec fds close at the execve's exit stop, in the model.
	 */
	if (!k->p.fds)
		procfs_load_task(k);
	/* a new address space: its modules are read at its first walk */
	tracer_stacks_forget(t, k->p.tgid);
	tracer_confirm_exec(t, k);
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
	if (k->p.tid == k->p.tgid) {
		procfs_forget(t, k->p.tgid);
		tracer_stacks_forget(t, k->p.tgid);
	}
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
		k->prelude = false;
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

static const long ptrace_options = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK |
				   PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
				   PTRACE_O_TRACEEXEC | PTRACE_O_TRACESECCOMP |
				   PTRACE_O_EXITKILL;

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
	k->prelude = true;
	t->main_pid = pid;
	if (!t->seccomp) {
		int status;

		/* stop it once so that it can be resumed with PTRACE_SYSCALL */
		ptrace(PTRACE_INTERRUPT, pid, 0L, 0L);
		waitpid(pid, &status, __WALL);
		resume(t, k, 0);
	}
	procfs_load_task(k);
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

				if (tid == pid || t->model.ntasks == 0) {
					closedir(dp);
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
			k->creds_pending = true;
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
	struct hashmap_iter it;
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
	for_each_task(t, k, &it) if (!first) first = k;
	procfs_load_task(first);
	for_each_task(t, k, &it) if (k != first) proc_share(&k->p, &first->p);
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
	hashmap_init(&t->checks, check_eq, 0);
	proc_model_init(&t->model, &procfs_backend, t);
	for (unsigned i = 0; i < ARRAY_SIZE(t->procfd); i++)
		t->procfd[i].fd = -1;
	if ((opt->confirm.under || opt->confirm.count_stderr) &&
	    tracer_confirm_new(t) < 0) {
		tracer_free(t);
		return -ENOMEM;
	}
	if (opt->stacks && (r = tracer_stacks_new(t)) < 0) {
		*ret_msg =
			r == -ENOTSUP
				? "this fsrace was built without stacks "
				  "(libunwind and libdw)"
				: "the stack snapshot must be a whole number "
				  "of pages from 4 KiB to 64 KiB";
		tracer_free(t);
		return r;
	}
	filter_map(t);
	t->seccomp = false;
	if (opt->attach_pid > 0)
		t->seccomp_reason = "attach mode: a filter can only be "
				    "installed by the process itself";
	else if (opt->no_seccomp)
		t->seccomp_reason = "--no-seccomp";
	else if ((t->seccomp_reason = filter_probe()) == NULL)
		t->seccomp = true;
	if (t->seccomp) {
		r = filter_build(t);
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
	/* spawn mode: while the program runs, the terminal sends these to
	 * it too, and tracer_run drops them */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
}

/* SIG to every process still traced. */
static void signal_the_rest(struct tracer *t, int sig)
{
	struct hashmap_iter it;

	for_each_task(t, k, &it) kill(k->p.tgid, sig);
}

static void start_detach(struct tracer *t)
{
	struct hashmap_iter it;

	t->detaching = true;
	held_release(t, true);
	for_each_task(t, k, &it) ptrace(PTRACE_INTERRUPT, k->p.tid, 0L, 0L);
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
	if (t->opt.widen.ns) {
		struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL,
				       .sigev_signo = SIGALRM};

		t->held_timer_ok = timer_create(CLOCK_MONOTONIC, &sev,
						&t->held_timer) == 0;
	}
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
			t->interrupted = true;
			/* --widen: a held task is let go, so that the signal
			 * reaches it now, not when its time is up */
			if (t->nheld)
				held_release(t, true);
			if (t->opt.attach_pid > 0)
				start_detach(t);
			else if (t->main_pid && !t->main_done) {
				/* the terminal sends SIGINT and SIGQUIT to
				 * the program too */
				if (got_stop_signal != SIGINT &&
				    got_stop_signal != SIGQUIT)
					kill(t->main_pid, got_stop_signal);
			} else
				/* only what outlived the program is left:
				 * the signal to it, then SIGKILL (detached,
				 * the seccomp filter would fail its calls) */
				signal_the_rest(t, t->rest_signalled++
							   ? SIGKILL
							   : got_stop_signal);
			got_stop_signal = 0;
		}
		if (t->nheld)
			/* --widen: the timer interrupts the wait when the next
			 * held task is due (at worst the next tick does) */
			held_timer_arm(t, held_release(t, false));
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
	tracer_confirm_finish(t);
	return t->detaching ? 0 : t->main_status;
}

bool tracer_interrupted(const struct tracer *t)
{
	return t->interrupted;
}

uint64_t tracer_paths_too_long(const struct tracer *t)
{
	return t->model.too_long;
}

uint64_t tracer_widen_forgotten(const struct tracer *t)
{
	return t->checks_forgotten;
}

void tracer_free(struct tracer *t)
{
	struct itimerval off = {{0, 0}, {0, 0}};
	struct hashmap_iter it;

	if (!t)
		return;
	setitimer(ITIMER_REAL, &off, NULL);
	for_each_task(t, k, &it) task_free(t, k);
	tracer_stacks_free(t);
	tracer_confirm_free(t);
	proc_model_release(&t->model);
	for (unsigned i = 0; i < ARRAY_SIZE(t->procfd); i++)
		if (t->procfd[i].fd >= 0)
			close(t->procfd[i].fd);
	if (t->filter)
		seccomp_release(t->filter);
	dircache_free(t->dirs);
	checks_clear(t);
	hashmap_release(&t->checks);
	if (t->held_timer_ok)
		timer_delete(t->held_timer);
	free(t->held);
	free(t);
}
