// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdtable.h"
#include "names.h"
#include "tracer-int.h"
#include "util.h"

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
int procfs_fd_op(struct tracer *t, int tgid, int fd, struct stat *st,
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

void procfs_forget(struct tracer *t, int tgid)
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
	return procfs_fd_op(ctx, p->tgid, fd, NULL, buf, size);
}

/* /proc/TID/NAME, a symlink, into BUF; 0 or -errno. */
static int proc_link(int tid, const char *name, char *buf, size_t size)
{
	char proc[64];
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/%d/%s", tid, name);
	n = readlink(proc, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* A cwd the model lost (a chdir it could not resolve) or never had. */
static int live_cwd(void *ctx, const struct proc *p, char *buf, size_t size)
{
	return proc_link(p->tid, "cwd", buf, size);
}

const struct proc_backend procfs_backend = {
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
void procfs_load_task(struct task *k)
{
	struct fdtable *fds = fdtable_new();
	char cwd[PATH_BUF], root[PATH_BUF];

	load_fds(fds, k->p.tgid);
	if (proc_link(k->p.tid, "cwd", cwd, sizeof(cwd)) < 0)
		cwd[0] = '\0';
	/* attached to a process in a chroot: its "/" is elsewhere */
	if (proc_link(k->p.tid, "root", root, sizeof(root)) < 0)
		root[0] = '\0';
	proc_setup(&k->p, fds, cwd, root);
	fdtable_unref(fds);
}

/* The first bytes of /proc/TID/NAME into BUF (NUL-terminated). */
static ssize_t proc_read(int tid, const char *name, char *buf, size_t size)
{
	char proc[64];
	ssize_t n, got = 0;
	int fd;

	snprintf(proc, sizeof(proc), "/proc/%d/%s", tid, name);
	fd = open(proc, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((size_t)got < size - 1 &&
	       (n = read(fd, buf + got, size - 1 - (size_t)got)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return n;
		}
		got += n;
	}
	close(fd);
	buf[got] = '\0';
	return got;
}

int procfs_creds(int tid, struct creds *ret)
{
	char status[4096];
	uint64_t auxv[2 * 64];
	unsigned long uid, euid;
	const char *u;
	ssize_t n;
	bool secure = false;

	n = proc_read(tid, "status", status, sizeof(status));
	if (n < 0)
		return (int)n;
	u = strstr(status, "\nUid:");
	if (!u || sscanf(u + 5, "%lu %lu", &uid, &euid) != 2)
		return -EINVAL;
	n = proc_read(tid, "auxv", (char *)auxv, sizeof(auxv));
	if (n < 0)
		return (int)n;
	for (size_t i = 0; i + 1 < (size_t)n / 8 && auxv[i] != AT_NULL; i += 2)
		if (auxv[i] == AT_SECURE)
			secure = auxv[i + 1] != 0;
	*ret = (struct creds){
		.uid = (uint32_t)uid, .euid = (uint32_t)euid, .secure = secure};
	return 0;
}

int procfs_path_exists(const struct task *k, const struct event *ev,
		       bool second)
{
	char buf[PATH_BUF + 64];
	const char *path = second ? ev->path2 : ev->path;
	bool has_dirfd = ev->has & (second ? HAS_DIRFD2 : HAS_DIRFD);
	int dirfd = second ? ev->dirfd2 : ev->dirfd;
	const char *root = proc_root(&k->p);
	struct stat st;
	int n;

	if (!path || !path[0])
		return 0;
	/* the tracee's view: its root, its cwd, its dirfd */
	if (path[0] == '/' && !root)
		n = snprintf(buf, sizeof(buf), "%s", path);
	else if (path[0] == '/')
		n = snprintf(buf, sizeof(buf), "/proc/%d/root%s", k->p.tid,
			     path);
	else if (!has_dirfd || dirfd == AT_FDCWD_)
		n = snprintf(buf, sizeof(buf), "/proc/%d/cwd/%s", k->p.tid,
			     path);
	else
		n = snprintf(buf, sizeof(buf), "/proc/%d/fd/%d/%s", k->p.tid,
			     dirfd, path);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -ENAMETOOLONG;
	/* an open follows a last symlink; a rename replaces the link */
	if ((second ? lstat(buf, &st) : stat(buf, &st)) == 0)
		return 1;
	return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
}
