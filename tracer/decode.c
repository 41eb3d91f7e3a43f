// SPDX-License-Identifier: MIT
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "dircache.h"
#include "names.h"
#include "path.h"
#include "tracer-int.h"
#include "util.h"

/* The registers of the call K stopped in, as the event they mean. */
void decode_entry(struct tracer *t, struct task *k)
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
			} else if (tracee_peek_path(k, v) == 0) {
				ev->has |= HAS_PATH;
				ev->path = k->path;
			}
			break;
		case A_PATH2:
			if (tracee_peek_string(tid, v, k->path2,
					       sizeof(k->path2)) == 0) {
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

			vm_read_pages(tid, v, how, sizeof(how));
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
			if (tracee_peek_string(tid, v, k->target,
					       sizeof(k->target)) == 0) {
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
			if (tracee_peek_string(tid, v, k->xattr,
					       sizeof(k->xattr)) == 0) {
				ev->has |= HAS_XATTR;
				ev->xattr = k->xattr;
			}
			break;
		case A_ARGV:
			tracee_read_argv(k, v);
			ev->has |= HAS_ARGV;
			ev->argv = (const char *const *)k->argv;
			ev->argc = k->argc;
			break;
		case A_CLONEFLAGS:
			k->clone_flags = v;
			k->clone_known = true;
			break;
		case A_CLONEARGS:
			k->clone_known =
				vm_read_pages(tid, v, &k->clone_flags, 8) == 8;
			break;
		case A_FDLAST:
			ev->length = (int64_t)(uint32_t)v;
			break;
		}
	}
	if (sc->effect == E_CLONE) {
		/* fork and vfork pass no flags: the model knows theirs */
		if (proc_arg_index(sc, A_CLONEFLAGS) < 0 &&
		    proc_arg_index(sc, A_CLONEARGS) < 0) {
			k->clone_flags = proc_clone_flags(sc);
			k->clone_known = true;
		}
		k->clone_syscall = sc->name;
		return;
	}
	proc_apply_entry(&t->model, &k->p, ev, &k->s, k->hints);
	/*
	 * O_CREAT without O_EXCL opens what is there: whether something
	 * was, before the call runs (another task may still create it in
	 * between; the kernel does not say which it did).
	 */
	if (sc->effect == E_OPEN && (ev->has & HAS_PATH) &&
	    (ev->flags & (O_CREAT_ | O_EXCL_)) == O_CREAT_) {
		int r = procfs_path_exists(k, ev, false);

		if (r >= 0) {
			ev->has |= HAS_EXISTED;
			ev->existed = r;
		}
	}
	/* a rename replaces what its destination held, if anything: the
	 * user's file or a new name (a link never replaces) */
	if ((sc->flags & SCF_DEST2) && (sc->flags & SCF_REMOVES) &&
	    (ev->has & HAS_PATH2)) {
		int r = procfs_path_exists(k, ev, true);

		if (r >= 0) {
			ev->has |= HAS_EXISTED;
			ev->existed = r;
		}
	}
	/* attach mode: who the task runs as, with its first record */
	if (k->creds_pending) {
		k->creds_pending = false;
		if (procfs_creds(tid, &ev->creds) == 0)
			ev->has |= HAS_CREDS;
	}
}

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

		if (k->pre_stat == sizeof(sx))
			memcpy(&sx, k->pre_buf, sizeof(sx));
		else if (vm_read_pages(k->p.tid, k->statbuf, &sx, sizeof(sx)) !=
			 sizeof(sx))
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

		if (k->pre_stat == sizeof(st))
			memcpy(&st, k->pre_buf, sizeof(st));
		else if (vm_read_pages(k->p.tid, k->statbuf, &st, sizeof(st)) !=
			 sizeof(st))
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
		/* /proc/PID/fd/N leads to the object opened, even O_PATH's */
		if (procfs_fd_op(t, k->p.tgid, (int)ev->ret, &st, NULL, 0) == 0)
			ident_from_stat(&ev->stat, &st);
		break;
	case E_EXEC:
		/* the new program's ids: a set-id exec changed them */
		if (procfs_creds(k->p.tid, &ev->creds) == 0)
			ev->has |= HAS_CREDS;
		else
			ev->has &= ~(uint32_t)HAS_CREDS;
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

void decode_exit(struct tracer *t, struct task *k, int64_t rval, bool is_error)
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

			if (vm_read_pages(k->p.tid, k->linkbuf, k->target, n) ==
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
}
