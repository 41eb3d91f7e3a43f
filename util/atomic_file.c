// SPDX-License-Identifier: MIT
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "util.h"

#define PROC_SUPER_MAGIC_ 0x9fa0
#define MAX_SYMLINKS 40
#define MAX_TEMPS 16

/*
 * The temporaries that exist now, for the signal handler: a slot is
 * filled before it is marked used, and only ever changed with the
 * cleanup signals blocked.
 */
static struct {
	volatile sig_atomic_t used;
	char path[PATH_MAX];
} temps[MAX_TEMPS];

static const int cleanup_signals[] = {SIGINT, SIGTERM, SIGHUP};
static bool handlers_installed;

static void on_cleanup_signal(int sig)
{
	int saved = errno;

	for (unsigned i = 0; i < ARRAY_SIZE(temps); i++)
		if (temps[i].used)
			unlink(temps[i].path);
	/* SA_RESETHAND restored the default: die of the signal on return */
	raise(sig);
	errno = saved;
}

static void block_cleanup_signals(sigset_t *ret_old)
{
	sigset_t set;

	sigemptyset(&set);
	for (unsigned i = 0; i < ARRAY_SIZE(cleanup_signals); i++)
		sigaddset(&set, cleanup_signals[i]);
	sigprocmask(SIG_BLOCK, &set, ret_old);
}

/* Only where the signal would kill us: an ignored or handled signal
 * (the tracer's, a parent's SIG_IGN) is left as it is. */
static void install_handlers(void)
{
	struct sigaction sa = {0}, old;

	if (handlers_installed)
		return;
	handlers_installed = true;
	sa.sa_handler = on_cleanup_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (unsigned i = 0; i < ARRAY_SIZE(cleanup_signals); i++)
		sigaddset(&sa.sa_mask, cleanup_signals[i]);
	for (unsigned i = 0; i < ARRAY_SIZE(cleanup_signals); i++)
		if (sigaction(cleanup_signals[i], NULL, &old) == 0 &&
		    !(old.sa_flags & SA_SIGINFO) && old.sa_handler == SIG_DFL)
			sigaction(cleanup_signals[i], &sa, NULL);
}

/* Create the temporary TEMPLATE names and register it, with no moment
 * in which a signal could leave it behind. Returns the fd or -errno. */
static int create_temp(char *template, int *ret_slot)
{
	sigset_t old;
	int slot = -1, fd;

	if (strlen(template) >= PATH_MAX)
		return -ENAMETOOLONG;
	block_cleanup_signals(&old);
	install_handlers();
	for (unsigned i = 0; i < ARRAY_SIZE(temps); i++)
		if (!temps[i].used) {
			slot = (int)i;
			break;
		}
	if (slot < 0) {
		fd = -EMFILE; /* more live temporaries than slots */
	} else {
		fd = mkostemp(template, O_CLOEXEC);
		if (fd < 0) {
			fd = -errno;
			slot = -1;
		} else {
			strcpy(temps[slot].path, template);
			temps[slot].used = 1;
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	*ret_slot = slot;
	return fd;
}

static void forget_temp(int slot)
{
	sigset_t old;

	if (slot < 0)
		return;
	block_cleanup_signals(&old);
	temps[slot].used = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* A /proc magic link (/proc/self/fd/1, what /dev/stdout leads to): its
 * "target" is an open file, not a name to replace. */
static bool is_magic_link(const char *path)
{
	struct statfs sfs;
	int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	bool magic;

	if (fd < 0)
		return false;
	magic = fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC_;
	close(fd);
	return magic;
}

/*
 * Follow PATH's symbolic links to the name that is replaced or written,
 * into *RET_TARGET (allocated), and its lstat into *RET_ST (st_mode 0
 * when it does not exist). *RET_MAGIC tells that it is a /proc magic
 * link, which is not followed. Returns 0 or -errno.
 */
static int resolve(const char *path, char **ret_target, struct stat *ret_st,
		   bool *ret_magic)
{
	char *cur = xstrdup(path);
	char link[PATH_MAX];
	struct stat st;
	int r;

	*ret_magic = false;
	for (int hops = 0;; hops++) {
		ssize_t n;
		char *dir, *next;

		if (lstat(cur, &st) < 0) {
			r = -errno;
			if (r != -ENOENT)
				goto fail;
			memset(&st, 0, sizeof(st));
			break;
		}
		if (!S_ISLNK(st.st_mode))
			break;
		if (is_magic_link(cur)) {
			*ret_magic = true;
			break;
		}
		r = -ELOOP;
		if (hops >= MAX_SYMLINKS)
			goto fail;
		n = readlink(cur, link, sizeof(link));
		r = n < 0 ? -errno : -ENAMETOOLONG;
		if (n < 0 || (size_t)n >= sizeof(link))
			goto fail;
		link[n] = '\0';
		if (link[0] == '/') {
			next = xstrdup(link);
		} else {
			dir = dir_of(cur);
			next = xmalloc(strlen(dir) + strlen(link) + 2);
			sprintf(next, "%s/%s", dir, link);
			free(dir);
		}
		free(cur);
		cur = next;
	}
	*ret_target = cur;
	*ret_st = st;
	return 0;
fail:
	free(cur);
	return r;
}

/* /proc/self/fd/N of our own process: fd N itself, so that a shell's
 * `>>` or a socket on standard output keeps working. */
static int own_fd_of(const char *target)
{
	char *dir = dir_of(target), *real, *end, want[64];
	const char *base = strrchr(target, '/');
	long n;
	int fd = -1;

	real = realpath(dir, NULL);
	snprintf(want, sizeof(want), "/proc/%d/fd", (int)getpid());
	if (real && !strcmp(real, want) && base) {
		errno = 0;
		n = strtol(base + 1, &end, 10);
		if (!errno && !*end && end != base + 1 && n >= 0 &&
		    n <= INT_MAX)
			fd = (int)n;
	}
	free(real);
	free(dir);
	return fd;
}

static mode_t new_file_mode(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return 0666 & ~mask;
}

int atomic_file_check(const char *path, unsigned flags)
{
	_cleanup_free_ char *target = NULL;
	_cleanup_free_ char *dir = NULL;
	struct stat st;
	bool magic;
	int r;

	if (!strcmp(path, "-"))
		return 0;
	if (!*path)
		return -ENOENT;
	r = resolve(path, &target, &st, &magic);
	if (r < 0)
		return r;
	if (magic)
		return access(target, W_OK) < 0 ? -errno : 0;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (S_ISSOCK(st.st_mode))
		return -ENXIO; /* open(2) of a socket's name */
	if (st.st_mode && !S_ISREG(st.st_mode))
		return access(target, W_OK) < 0 ? -errno : 0;
	if (st.st_mode && (flags & ATOMIC_FILE_STREAM))
		return access(target, W_OK) < 0 ? -errno : 0;
	dir = dir_of(target);
	if (stat(dir, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	return access(dir, W_OK | X_OK) < 0 ? -errno : 0;
}

static int open_in_place(struct atomic_file *f, bool magic)
{
	struct stat st;
	int fd = magic ? own_fd_of(f->target) : -1;

	if (fd >= 0)
		fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	else
		fd = open(f->target, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 && (f->flags & ATOMIC_FILE_STREAM) && errno == ENOENT &&
	    !magic) {
		fd = open(f->target,
			  O_WRONLY | O_NOCTTY | O_CLOEXEC | O_CREAT | O_EXCL,
			  0666);
		f->created = fd >= 0;
	}
	if (fd < 0)
		return -errno;
	f->fd = fd;
	if (fstat(fd, &st) < 0)
		return -errno;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	/* a stream truncates a regular file it did not create, and only
	 * that: a device or a FIFO is never truncated */
	if (S_ISREG(st.st_mode) && !f->created && !magic &&
	    ftruncate(fd, 0) < 0)
		return -errno;
	return 0;
}

static void release(struct atomic_file *f)
{
	if (f->fp)
		fclose(f->fp);
	if (f->fd >= 0)
		close(f->fd);
	forget_temp(f->slot);
	free(f->path);
	free(f->target);
	free(f->tmp);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->slot = -1;
}

int atomic_file_open(struct atomic_file *f, const char *path, unsigned flags)
{
	struct stat st;
	bool magic;
	char *dir, *base;
	int r;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->slot = -1;
	f->flags = flags;
	f->path = xstrdup(path);
	r = -ENOENT;
	if (!*path)
		goto fail;
	if (!strcmp(path, "-")) {
		f->target = xstrdup(path);
		f->fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
		r = -errno;
		if (f->fd < 0)
			goto fail;
		return 0;
	}
	r = resolve(path, &f->target, &st, &magic);
	if (r < 0)
		goto fail;
	r = -EISDIR;
	if (S_ISDIR(st.st_mode))
		goto fail;
	if (magic || (st.st_mode && !S_ISREG(st.st_mode)) ||
	    (flags & ATOMIC_FILE_STREAM)) {
		r = open_in_place(f, magic);
		if (r < 0)
			goto fail;
		return 0;
	}
	f->mode = st.st_mode ? st.st_mode & 07777 : new_file_mode();
	dir = dir_of(f->target);
	base = strrchr(f->target, '/');
	base = base ? base + 1 : f->target;
	f->tmp = xmalloc(strlen(dir) + strlen(base) + 10);
	sprintf(f->tmp, "%s/.%s.XXXXXX", dir, base);
	free(dir);
	f->fd = create_temp(f->tmp, &f->slot);
	r = f->fd;
	if (r < 0)
		goto fail;
	return 0;
fail:
	if (f->created)
		unlink(f->target);
	release(f); /* the temporary was never created */
	return r;
}

FILE *atomic_file_fp(struct atomic_file *f)
{
	int fd;

	if (f->fp)
		return f->fp;
	fd = fcntl(f->fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return NULL;
	f->fp = fdopen(fd, "w");
	if (!f->fp)
		close(fd);
	return f->fp;
}

bool atomic_file_in_place(const struct atomic_file *f)
{
	return !f->tmp;
}

/* Flush and close the stdio stream: 0 or its first write error. */
static int close_fp(struct atomic_file *f)
{
	int r = 0;

	if (!f->fp)
		return 0;
	if (fflush(f->fp) != 0 || ferror(f->fp))
		r = -(errno ? errno : EIO);
	if (fclose(f->fp) != 0 && !r)
		r = -errno;
	f->fp = NULL;
	return r;
}

/* Remove what F wrote: the temporary, or a streamed regular file (the
 * one the open created is removed, one that existed is emptied), if the
 * name still leads to it. */
static void undo(struct atomic_file *f)
{
	struct stat st;

	if (f->tmp) {
		unlink(f->tmp);
		return;
	}
	if (!(f->flags & ATOMIC_FILE_STREAM) || !strcmp(f->path, "-") ||
	    lstat(f->target, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_dev != f->dev || st.st_ino != f->ino)
		return;
	if (f->created)
		unlink(f->target);
	else if (truncate(f->target, 0) < 0)
		return; /* nothing more can be done about it */
}

int atomic_file_commit(struct atomic_file *f)
{
	struct stat st;
	int r = close_fp(f);

	if (r < 0)
		goto fail;
	if (f->tmp && fchmod(f->fd, f->mode) < 0) {
		r = -errno;
		goto fail;
	}
	/* close reports what a device or NFS held back */
	r = close(f->fd) < 0 && errno != EINTR ? -errno : 0;
	f->fd = -1;
	if (r < 0)
		goto fail;
	if (f->tmp) {
		/* never rename over what is not a regular file */
		if (lstat(f->target, &st) == 0 && !S_ISREG(st.st_mode)) {
			r = -EEXIST;
			goto fail;
		}
		if (rename(f->tmp, f->target) < 0) {
			r = -errno;
			goto fail;
		}
		free(f->tmp);
		f->tmp = NULL;
	}
	release(f);
	return 0;
fail:
	undo(f);
	release(f);
	return r;
}

void atomic_file_discard(struct atomic_file *f)
{
	if (f->fp) {
		fclose(f->fp);
		f->fp = NULL;
	}
	undo(f);
	release(f);
}
