// SPDX-License-Identifier: MIT
/* The fields of an event, as rule conditions name them. */
#include "rule.h"

#include <string.h>
#include <sys/stat.h>

#include "names.h"

/*
 * The call acts on a descriptor, not a name: an fd operand with no path
 * (fstat, fchmod), or a dirfd with no path (utimensat(fd, NULL)), the
 * path "" (the AT_EMPTY_PATH form of newfstatat, statx, fchownat) or "."
 * (newfstatat of the directory the fd names).
 */
static bool by_dirfd(const struct event *ev)
{
	return (ev->has & HAS_DIRFD) && ev->dirfd >= 0 &&
	       (!ev->path || !ev->path[0] || !strcmp(ev->path, "."));
}

static bool by_fd(const struct event *ev)
{
	if (ev->has & HAS_FD)
		return !ev->path || !ev->path[0] || by_dirfd(ev);
	return by_dirfd(ev);
}

/*
 * The call gives the name it acts on to a new object: not an O_TMPFILE
 * open (the file it makes has no name), nor an O_CREAT open of a name
 * that was there before the call (it opened the file, HAS_EXISTED).
 */
static bool creates(const struct event *ev)
{
	if (ev->sc->effect == E_OPEN) {
		if ((ev->flags & O_TMPFILE_) ||
		    ((ev->has & HAS_EXISTED) && ev->existed))
			return false;
		return (ev->flags & O_CREAT_) ||
		       (ev->sc->flags & SCF_IMPLIED_OFLAGS);
	}
	return ev->sc->flags & SCF_CREATES;
}

/*
 * A create that fails when the name exists: O_EXCL (O_TMPFILE has no
 * name to exist), RENAME_NOREPLACE; mkdir, mknod, symlink and link
 * always do, and none of them follows a symlink planted at the name.
 */
static bool exclusive(const struct event *ev)
{
	if (ev->sc->effect == E_OPEN)
		return (ev->flags & (O_EXCL_ | O_TMPFILE_)) != 0;
	if (ev->sc->flags & SCF_REMOVES) /* rename: it replaces */
		return syscall_flagset(ev->sc) == FLAGS_RENAME &&
		       (ev->flags & RENAME_NOREPLACE_);
	return ev->sc->flags & (SCF_CREATES | SCF_DEST2);
}

static const char *stat_type(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "reg";
	case S_IFDIR:
		return "dir";
	case S_IFLNK:
		return "lnk";
	case S_IFIFO:
		return "fifo";
	case S_IFSOCK:
		return "sock";
	case S_IFCHR:
		return "chr";
	case S_IFBLK:
		return "blk";
	}
	return NULL;
}

const char *field_str(const struct event *ev, enum field f, char *buf,
		      size_t size)
{
	if (ev->type != EV_SYSCALL)
		return NULL;
	switch (f) {
	case F_PATH:
		return ev->path;
	case F_ABSPATH:
		return by_fd(ev) ? NULL : ev->abspath;
	case F_PATH2:
		return ev->path2;
	case F_ABSPATH2:
		return ev->abspath2;
	case F_FD_PATH:
		if (!ev->fd_path && by_dirfd(ev))
			return ev->dirfd_path;
		return ev->fd_path;
	case F_FD2_PATH:
		return ev->fd2_path;
	case F_RET_PATH:
		return ev->ret_path;
	case F_DIRFD_PATH:
		return ev->dirfd_path;
	case F_TARGET:
		return ev->target;
	case F_SYSCALL:
		return ev->sc->name;
	case F_ERRNO:
		return (ev->has & HAS_RET) && ev->ret < 0 ? errno_name(ev->err)
							  : NULL;
	case F_PARENT_PATH:
		return ev->parent.valid ? ev->parent.path : NULL;
	case F_CREATED:
		if (ev->sc->flags & SCF_DEST2)
			return ev->abspath2;
		/* O_CREAT on a name that was there opened it */
		if ((ev->has & HAS_EXISTED) && ev->existed)
			return NULL;
		return creates(ev) && !by_fd(ev) ? ev->abspath : NULL;
	case F_REMOVED:
		return ev->sc->flags & SCF_REMOVES ? ev->abspath : NULL;
	case F_STAT_TYPE:
		return ev->stat.valid ? stat_type(ev->stat.mode) : NULL;
	case F_RESULT:
		if (!(ev->has & HAS_RET))
			return NULL;
		return ev->ret < 0 ? "failure" : "success";
	default:
		break;
	}
	(void)buf;
	(void)size;
	return NULL;
}

bool field_int(const struct event *ev, enum field f, int64_t *v)
{
	switch (f) {
	case F_PID:
		*v = ev->pid;
		return true;
	case F_TID:
		*v = ev->tid;
		return true;
	default:
		break;
	}
	if (ev->type != EV_SYSCALL)
		return false;
	switch (f) {
	case F_FD:
		/* the descriptor a by-fd *at call acts on is its dirfd */
		if (!(ev->has & HAS_FD) && by_dirfd(ev)) {
			*v = ev->dirfd;
			return true;
		}
		*v = ev->fd;
		return ev->has & HAS_FD;
	case F_FD2:
		*v = ev->fd2;
		return ev->has & HAS_FD2;
	case F_RET:
		*v = ev->ret;
		return ev->has & HAS_RET;
	case F_MODE:
		*v = ev->mode;
		return ev->has & HAS_MODE;
	case F_UID:
		*v = ev->uid;
		return ev->has & HAS_OWNER;
	case F_GID:
		*v = ev->gid;
		return ev->has & HAS_OWNER;
	case F_STAT_DEV:
		*v = (int64_t)ev->stat.dev;
		return ev->stat.valid;
	case F_STAT_INO:
		*v = (int64_t)ev->stat.ino;
		return ev->stat.valid;
	case F_STAT_NLINK:
		*v = (int64_t)ev->stat.nlink;
		return ev->stat.valid;
	case F_STAT_MODE:
		*v = ev->stat.mode;
		return ev->stat.valid;
	case F_STAT_UID:
		*v = ev->stat.uid;
		return ev->stat.valid;
	case F_PARENT_UID:
		*v = ev->parent.uid;
		return ev->parent.valid;
	case F_PARENT_MODE:
		*v = ev->parent.mode;
		return ev->parent.valid;
	case F_BY_FD:
		*v = by_fd(ev);
		return true;
	case F_PARENT_SHARED:
		*v = (ev->parent.mode & S_IWOTH) != 0;
		return ev->parent.valid;
	case F_PARENT_STICKY:
		*v = (ev->parent.mode & S_ISVTX) != 0;
		return ev->parent.valid;
	case F_NOFOLLOW:
		/* lstat, or an *at call or open that does not follow */
		if (ev->sc->flags & SCF_NOFOLLOW)
			*v = 1;
		else if (ev->sc->effect == E_OPEN)
			*v = (ev->flags & O_NOFOLLOW_) != 0;
		else
			*v = (ev->has & HAS_FLAGS) &&
			     syscall_flagset(ev->sc) == FLAGS_AT &&
			     (ev->flags & AT_SYMLINK_NOFOLLOW_);
		return true;
	case F_EXCL:
		*v = exclusive(ev);
		return true;
	case F_WRITABLE:
		*v = ev->sc->effect == E_OPEN &&
		     ((ev->flags & O_ACCMODE_) != 0 ||
		      (ev->flags & (O_CREAT_ | O_TRUNC_)));
		return true;
	case F_DIRFD_NOFOLLOW:
		/* an entry of a directory opened with O_NOFOLLOW: only its
		 * last component can be swapped */
		*v = (ev->has & HAS_DIRFD_NOFOLLOW) && ev->dirfd_nofollow &&
		     ev->path && ev->path[0] && !strchr(ev->path, '/') &&
		     strcmp(ev->path, "..");
		return true;
	case F_FLAGS:
		*v = (int64_t)ev->flags;
		return ev->has & HAS_FLAGS;
	case F_ACCESS:
		*v = ev->access;
		return ev->has & HAS_ACCESS;
	default:
		return false;
	}
}
