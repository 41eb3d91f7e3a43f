// SPDX-License-Identifier: MIT
#include "proc.h"

#include <errno.h>
#include <string.h>

#include "fdtable.h"
#include "names.h"
#include "path.h"
#include "util.h"

/* cwd and root, shared by CLONE_FS tasks. */
struct fsinfo {
	int refs;
	char *cwd;	   /* NULL when unknown */
	char *root;	   /* NULL when "/" */
	bool root_unknown; /* a chroot to a path that did not resolve */
	/* the cwd is unknown because it grew past PATH_MAX: what is
	 * relative to it is counted too long */
	bool cwd_long;
};

const int proc_fcntl_cmds[3] = {F_DUPFD_, F_DUPFD_CLOEXEC_, F_SETFD_};

static bool proc_has_tid(const struct hashmap_entry *e, const void *key)
{
	return container_of(e, struct proc, ent)->tid == *(const int *)key;
}

void proc_model_init(struct proc_model *m, const struct proc_backend *be,
		     void *ctx)
{
	memset(m, 0, sizeof(*m));
	m->backend = be;
	m->ctx = ctx;
	hashmap_init(&m->tasks, proc_has_tid, 64);
}

void proc_model_release(struct proc_model *m)
{
	hashmap_release(&m->tasks);
	m->last = NULL;
}

static struct proc *proc_of(struct hashmap_entry *e)
{
	return e ? container_of(e, struct proc, ent) : NULL;
}

struct proc *proc_iter_first(const struct proc_model *m,
			     struct hashmap_iter *it)
{
	hashmap_iter_init(&m->tasks, it);
	return proc_iter_next(it);
}

struct proc *proc_iter_next(struct hashmap_iter *it)
{
	return proc_of(hashmap_iter_next(it));
}

/* Out of line: the tracer asks per stop, and the last task answers most. */
static __attribute__((noinline)) struct proc *
find_in_table(struct proc_model *m, int tid)
{
	struct proc *p =
		proc_of(hashmap_get(&m->tasks, hash_int((unsigned)tid), &tid));

	if (p)
		m->last = p;
	return p;
}

struct proc *proc_find(struct proc_model *m, int tid)
{
	if (likely(m->last && m->last->tid == tid))
		return m->last;
	return find_in_table(m, tid);
}

void proc_add(struct proc_model *m, struct proc *p)
{
	hashmap_put(&m->tasks, &p->ent, hash_int((unsigned)p->tid));
	m->ntasks++;
}

static void unhash(struct proc_model *m, struct proc *p)
{
	hashmap_remove_entry(&m->tasks, &p->ent);
	if (m->last == p)
		m->last = NULL;
}

static void fsinfo_unref(struct fsinfo *fs)
{
	if (!fs || --fs->refs > 0)
		return;
	free(fs->cwd);
	free(fs->root);
	free(fs);
}

void proc_exit(struct proc_model *m, struct proc *p)
{
	unhash(m, p);
	m->ntasks--;
	if (p->fds)
		fdtable_unref(p->fds);
	fsinfo_unref(p->fs);
	p->fds = NULL;
	p->fs = NULL;
}

void proc_retid(struct proc_model *m, struct proc *p, int tid)
{
	unhash(m, p);
	p->tid = tid;
	hashmap_put(&m->tasks, &p->ent, hash_int((unsigned)tid));
}

static struct fsinfo *fsinfo_new(const char *cwd, const char *root)
{
	struct fsinfo *fs = xcalloc(1, sizeof(*fs));

	fs->refs = 1;
	fs->cwd = cwd ? xstrdup(cwd) : NULL;
	fs->root = root ? xstrdup(root) : NULL;
	return fs;
}

static void set_str(char **dst, const char *s)
{
	char *c = s ? xstrdup(s) : NULL;

	free(*dst);
	*dst = c;
}

static const char *absolute(const char *path)
{
	return path && path[0] == '/' ? path : NULL;
}

void proc_setup(struct proc *p, struct fdtable *fds, const char *cwd,
		const char *root)
{
	root = absolute(root);
	if (root && !strcmp(root, "/"))
		root = NULL;
	if (p->fds)
		fdtable_unref(p->fds);
	fsinfo_unref(p->fs);
	p->fds = fds ? fdtable_ref(fds) : fdtable_new();
	p->fs = fsinfo_new(absolute(cwd), root);
}

void proc_share(struct proc *child, const struct proc *parent)
{
	if (child->fds)
		fdtable_unref(child->fds);
	fsinfo_unref(child->fs);
	child->fds = fdtable_ref(parent->fds);
	child->fs = parent->fs;
	child->fs->refs++;
}

const char *proc_cwd(const struct proc *p)
{
	return p->fs->cwd;
}

const char *proc_root(const struct proc *p)
{
	return p->fs->root;
}

void proc_learn_cwd(struct proc *p, const char *path)
{
	if (!p->fs->cwd && path && path[0] == '/')
		set_str(&p->fs->cwd, path);
}

uint64_t proc_clone_flags(const struct syscall_desc *sc)
{
	if (!strcmp(sc->name, "vfork"))
		return CLONE_VM_ | CLONE_VFORK_;
	return 0;
}

void proc_fork(struct proc *parent, struct proc *child, uint64_t flags,
	       struct event *ev)
{
	if (!child->fds) {
		child->tgid =
			(flags & CLONE_THREAD_) ? parent->tgid : child->tid;
		child->fds = (flags & CLONE_FILES_) ? fdtable_ref(parent->fds)
						    : fdtable_copy(parent->fds);
		if (flags & CLONE_FS_) {
			child->fs = parent->fs;
			child->fs->refs++;
		} else {
			child->fs =
				fsinfo_new(parent->fs->cwd, parent->fs->root);
			child->fs->root_unknown = parent->fs->root_unknown;
			child->fs->cwd_long = parent->fs->cwd_long;
		}
	}
	event_init(ev, EV_FORK);
	ev->pid = parent->tgid;
	ev->tid = parent->tid;
	ev->child_pid = child->tgid;
	ev->child_tid = child->tid;
	ev->fork_kind = (flags & CLONE_THREAD_)	 ? FORK_THREAD
			: (flags & CLONE_VFORK_) ? FORK_VFORK
						 : FORK_PROCESS;
	ev->share_files = flags & CLONE_FILES_;
	ev->share_fs = flags & CLONE_FS_;
}

void proc_exec(struct proc *p)
{
	if (fdtable_shared(p->fds)) {
		struct fdtable *c = fdtable_copy(p->fds);

		fdtable_unref(p->fds);
		p->fds = c;
	}
	fdtable_exec(p->fds);
}

int proc_arg_index(const struct syscall_desc *sc, enum arg_kind kind)
{
	for (int i = 0; i < 6; i++)
		if (sc->args[i] == kind)
			return i;
	return -1;
}

bool proc_fcntl_traced(int cmd)
{
	for (unsigned i = 0; i < ARRAY_SIZE(proc_fcntl_cmds); i++)
		if (cmd == proc_fcntl_cmds[i])
			return true;
	return false;
}

static const char *copy_path(char *buf, const char *src)
{
	size_t n = strnlen(src, PATH_MAX);

	memcpy(buf, src, n);
	buf[n] = '\0';
	return buf;
}

const char *proc_fd_path(struct proc_model *m, struct proc *p, int fd,
			 char *buf)
{
	const char *path;

	if (fd < 0)
		return NULL;
	path = fdtable_path(p->fds, fd);
	if (path)
		return copy_path(buf, path);
	if (!m->backend->fd_path ||
	    m->backend->fd_path(m->ctx, p, fd, buf, PROC_PATH_BUF) < 0)
		return NULL;
	/* as if the call that made the fd had been seen */
	fdtable_learn(p->fds, fd, buf);
	return buf;
}

static const char *cwd(struct proc_model *m, struct proc *p)
{
	char buf[PROC_PATH_BUF];

	if (!p->fs->cwd && m->backend->cwd &&
	    m->backend->cwd(m->ctx, p, buf, sizeof(buf)) == 0)
		proc_learn_cwd(p, buf);
	return p->fs->cwd;
}

/* Is PATH ROOT or below it? */
static bool below(const char *path, const char *root, size_t rlen)
{
	return !strncmp(path, root, rlen) &&
	       (path[rlen] == '\0' || path[rlen] == '/');
}

const char *proc_resolve(struct proc_model *m, struct proc *p, int dirfd,
			 bool has_dirfd, const char *base, const char *raw,
			 char *out)
{
	const char *root = p->fs->root;
	size_t rlen;

	/* "" names nothing (ENOENT); AT_EMPTY_PATH is the caller's */
	if (p->fs->root_unknown || !raw[0])
		return NULL;
	if (raw[0] != '/') {
		bool from_cwd = !has_dirfd || dirfd == AT_FDCWD_;

		if (from_cwd)
			base = cwd(m, p);
		if (from_cwd && !base && p->fs->cwd_long)
			goto too_long;
		if (!base || base[0] != '/')
			return NULL;
	}
	if (!root) {
		if (path_resolve(base, raw, out, PROC_PATH_BUF) < 0)
			goto too_long;
		return out;
	}
	/*
	 * Under a root, "/" is the root and ".." stops there; a relative
	 * path from a directory outside it (chroot without chdir) is not
	 * held.
	 */
	rlen = strlen(root);
	if (raw[0] != '/' && !below(base, root, rlen)) {
		if (path_resolve(base, raw, out, PROC_PATH_BUF) < 0)
			goto too_long;
		return out;
	}
	if (rlen >= PROC_PATH_BUF - 1 ||
	    path_resolve(raw[0] == '/' ? NULL
			 : base[rlen]  ? base + rlen
				       : "/",
			 raw, out + rlen, PROC_PATH_BUF - rlen) < 0)
		goto too_long;
	memcpy(out, root, rlen);
	if (out[rlen + 1] == '\0')
		out[rlen] = '\0'; /* the root itself */
	return out;

too_long:
	/* path_resolve()'s only failure */
	m->too_long++;
	return NULL;
}

_Static_assert(A_FDLAST < 64, "an arg kind set is 64 bits");

/* The arg kinds SC has, one bit each. */
static uint64_t kinds(const struct syscall_desc *sc)
{
	uint64_t m = 0;

	for (int i = 0; i < 6; i++)
		m |= (uint64_t)1 << sc->args[i];
	return m;
}

#define KIND(k) ((uint64_t)1 << (k))

/* O_TMPFILE includes O_DIRECTORY, which alone creates nothing. */
static bool tmpfile(uint64_t flags)
{
	return (flags & (O_TMPFILE_ | O_DIRECTORY_)) ==
	       (O_TMPFILE_ | O_DIRECTORY_);
}

/* open's mode register holds garbage unless the flags create a file. */
static bool makes_mode(uint64_t flags)
{
	return (flags & O_CREAT_) || tmpfile(flags);
}

/* The call is on its dirfd: utimensat(fd, NULL), an empty AT_EMPTY_PATH. */
static void on_dirfd(struct event *ev)
{
	ev->has |= HAS_FD;
	ev->fd = ev->dirfd;
	ev->fd_path = ev->dirfd_path;
}

static const char *dirfd_path(struct proc_model *m, struct proc *p, int dirfd,
			      char *buf)
{
	const char *c;

	if (dirfd != AT_FDCWD_)
		return proc_fd_path(m, p, dirfd, buf);
	c = cwd(m, p);
	return c ? copy_path(buf, c) : NULL;
}

void proc_apply_entry(struct proc_model *m, struct proc *p, struct event *ev,
		      struct proc_strings *s, unsigned hints)
{
	const struct syscall_desc *sc = ev->sc;
	uint64_t kset = kinds(sc);
	bool at_empty;

	if (ev->has & HAS_DIRFD) {
		ev->dirfd_path = dirfd_path(m, p, ev->dirfd, s->dirfd_path);
		if (ev->dirfd != AT_FDCWD_ &&
		    fdtable_nofollow(p->fds, ev->dirfd)) {
			ev->has |= HAS_DIRFD_NOFOLLOW;
			ev->dirfd_nofollow = true;
		}
	}
	if (ev->has & HAS_DIRFD2)
		ev->dirfd2_path = dirfd_path(m, p, ev->dirfd2, s->dirfd2_path);
	if (ev->has & HAS_FD)
		ev->fd_path = proc_fd_path(m, p, ev->fd, s->fd_path);
	if (ev->has & HAS_FD2)
		ev->fd2_path = proc_fd_path(m, p, ev->fd2, s->fd2_path);
	if (sc->flags & SCF_IMPLIED_OFLAGS) {
		ev->has |= HAS_FLAGS;
		ev->flags = O_WRONLY_ | O_CREAT_ | O_TRUNC_;
	}
	if ((kset & KIND(A_OFLAGS)) && !makes_mode(ev->flags))
		ev->has &= ~(uint32_t)HAS_MODE;
	at_empty = (ev->has & HAS_FLAGS) && (kset & KIND(A_ATFLAGS)) &&
		   (ev->flags & AT_EMPTY_PATH_);

	if (hints & PROC_NULL_PATH) {
		on_dirfd(ev);
	} else if ((ev->has & HAS_PATH) && !(hints & PROC_CUT_PATH)) {
		if (!ev->path[0] && at_empty) {
			on_dirfd(ev);
			ev->abspath = ev->dirfd_path;
		} else {
			ev->abspath = proc_resolve(
				m, p, ev->dirfd, ev->has & HAS_DIRFD,
				ev->dirfd_path, ev->path, s->abspath);
		}
	}
	if ((ev->has & HAS_PATH2) && !(hints & PROC_CUT_PATH2)) {
		bool has = ev->has & HAS_DIRFD2;

		ev->abspath2 =
			proc_resolve(m, p, has ? ev->dirfd2 : AT_FDCWD_, has,
				     ev->dirfd2_path, ev->path2, s->abspath2);
	}

	if (sc->effect == E_CLOSE)
		fdtable_close(p->fds, ev->fd);
	else if (sc->effect == E_CLOSE_RANGE && ev->fd >= 0)
		fdtable_close_range(p->fds, (unsigned)ev->fd,
				    (unsigned)ev->length,
				    ev->flags & CLOSE_RANGE_CLOEXEC_);
}

/* The path of the new fd RET, from the model or else the backend. */
static void ret_path(struct proc_model *m, struct proc *p, struct event *ev,
		     struct proc_strings *s)
{
	if (ev->ret >= 0 && ev->ret < FDTABLE_NR_OPEN)
		ev->ret_path = proc_fd_path(m, p, (int)ev->ret, s->ret_path);
}

/* NEWFD is now a copy of OLDFD; unknown when OLDFD was. */
static void dup_fd(struct proc *p, int oldfd, int64_t newfd, bool cloexec)
{
	if (newfd < 0 || newfd >= FDTABLE_NR_OPEN)
		return;
	if (fdtable_dup(p->fds, oldfd, (int)newfd, cloexec) < 0)
		fdtable_set(p->fds, (int)newfd, NULL, cloexec);
}

void proc_apply_exit(struct proc_model *m, struct proc *p, struct event *ev,
		     struct proc_strings *s)
{
	switch ((enum sc_effect)ev->sc->effect) {
	case E_OPEN:
		/*
		 * The lexical path; what the backend tells only when that
		 * is unknown (after a rename /proc and -y name the new
		 * path, the model the one that was opened). An O_TMPFILE
		 * fd names no path: abspath is its directory, and the
		 * backend says what the kernel calls the file ("/dir/#12
		 * (deleted)").
		 */
		if (ev->ret >= 0 && ev->ret < FDTABLE_NR_OPEN) {
			fdtable_set(p->fds, (int)ev->ret,
				    tmpfile(ev->flags) ? NULL : ev->abspath,
				    ev->flags & O_CLOEXEC_);
			if ((ev->has & HAS_FLAGS) && (ev->flags & O_NOFOLLOW_))
				fdtable_set_nofollow(p->fds, (int)ev->ret);
		}
		ret_path(m, p, ev, s);
		break;
	case E_DUP:
		dup_fd(p, ev->fd, ev->ret, false);
		ret_path(m, p, ev, s);
		break;
	case E_DUP2:
		dup_fd(p, ev->fd, ev->fd2, ev->flags & O_CLOEXEC_);
		ev->ret_path = ev->fd_path;
		break;
	case E_FCNTL:
		if (ev->cmd == F_SETFD_) {
			fdtable_set_cloexec(p->fds, ev->fd,
					    ev->arg & FD_CLOEXEC_);
		} else {
			dup_fd(p, ev->fd, ev->ret, ev->cmd == F_DUPFD_CLOEXEC_);
			ev->ret_path = ev->fd_path;
		}
		break;
	case E_CHDIR:
		/* a relative chdir past PATH_MAX, or below a cwd that was */
		p->fs->cwd_long = !ev->abspath && ev->path &&
				  ev->path[0] != '/' &&
				  (p->fs->cwd_long ||
				   (p->fs->cwd &&
				    strlen(p->fs->cwd) + strlen(ev->path) + 1 >=
					    PROC_PATH_BUF));
		/* unresolvable: unknown until the backend tells */
		set_str(&p->fs->cwd, ev->abspath);
		break;
	case E_FCHDIR:
		p->fs->cwd_long = false;
		set_str(&p->fs->cwd, ev->fd_path && ev->fd_path[0] == '/'
					     ? ev->fd_path
					     : NULL);
		break;
	case E_CHROOT:
		p->fs->root_unknown = !ev->abspath;
		set_str(&p->fs->root, ev->abspath && strcmp(ev->abspath, "/")
					      ? ev->abspath
					      : NULL);
		break;
	case E_EXEC:
		proc_exec(p);
		break;
	default:
		break;
	}
}
