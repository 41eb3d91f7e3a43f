// SPDX-License-Identifier: MIT
/*
 * --confirm (docs/confirm.md): win the race a check-then-use finding warns
 * about, on purpose, and watch what the program does. At the exit of a
 * check under the confirm directory the check is remembered; at the entry
 * of the same process's open of that path by name, before the kernel
 * resolves it, a decoy is swapped in:
 *
 *   exchange  a regular file beside the target (its content, a marker,
 *             its mode and owner) exchanged with it (RENAME_EXCHANGE)
 *   symlink   after an lstat: a symlink to such a decoy, exchanged in
 *   squat     after a check that found nothing: the decoy put at the
 *             free name (RENAME_NOREPLACE)
 *
 * At the exit of that open the names are put back, if both still hold
 * the identities recorded (a squat's decoy is unlinked), and what the
 * program does with the descriptor decides: read or written through it
 * (accepted), refused by the open (refused), closed unused (the caller
 * compares the run with an unperturbed one: noticed or inconclusive).
 *
 * Every operation of fsrace's goes through an O_PATH descriptor of the
 * target's directory, opened beneath the confirm directory with
 * RESOLVE_NO_SYMLINKS; every swap is written to the journal and fsync'ed
 * first, its restoration after (fsrace confirm --recover).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "names.h"
#include "path.h"
#include "tracer-int.h"
#include "util.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

#define CHECKS_MAX 4096
#define WATCH_MAX 256

struct confirm_check {
	int tgid;
	char *path;
	bool absent; /* the check found nothing: a squat */
	bool nofollow;
	dev_t dev;
	ino_t ino;
};

/* A descriptor the program got from a swapped open. */
struct confirm_watch {
	int tgid;
	int fd;
	int result; /* index in results */
};

struct tracer_confirm_state {
	struct confirm_check checks[CHECKS_MAX];
	int nchecks, next_check;
	struct confirm_watch watch[WATCH_MAX];
	int nwatch;
	struct tracer_confirm_result *results;
	int nresults, capresults;
	/* the paths swapped already: each once in a run */
	char **done;
	int ndone;
	unsigned serial;
	uint64_t stderr_writes;
};

static int renameat2_(int dir, const char *a, int dir2, const char *b,
		      unsigned flags)
{
	return (int)syscall(SYS_renameat2, dir, a, dir2, b, flags);
}

int tracer_confirm_new(struct tracer *t)
{
	t->confirm = xcalloc(1, sizeof(*t->confirm));
	return 0;
}

static void journal(struct tracer *t, const char *fmt, ...) PRINTF(2, 3);

static void journal(struct tracer *t, const char *fmt, ...)
{
	static char buf[20 * PATH_MAX];
	va_list ap;
	off_t at;
	int n;

	if (t->opt.confirm.journal_fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	at = lseek(t->opt.confirm.journal_fd, 0, SEEK_END);

	if (n > 0 && (size_t)n < sizeof(buf) &&
	    write(t->opt.confirm.journal_fd, buf, (size_t)n) == n &&
	    fsync(t->opt.confirm.journal_fd) == 0)
		return;
	/* no torn record left for --recover to trip on */
	if (at >= 0 && ftruncate(t->opt.confirm.journal_fd, at) == 0)
		fsync(t->opt.confirm.journal_fd);
	/* a swap that cannot be journalled is not made: see swap() */
	t->confirm_journal_failed = true;
}

/* S as a JSON string's contents (paths: no control characters expected,
 * but escaped all the same). */
static void json_str(char *out, size_t size, const char *s)
{
	size_t k = 0;

	for (; *s && k + 7 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			out[k++] = '\\';
			out[k++] = (char)c;
		} else if (c < 0x20) {
			k += (size_t)snprintf(out + k, size - k, "\\u%04x", c);
		} else {
			out[k++] = (char)c;
		}
	}
	out[k] = '\0';
}

static bool under(const struct tracer *t, const char *path)
{
	return path && path_is_under(path, t->opt.confirm.under) &&
	       strcmp(path, t->opt.confirm.under);
}

static bool asked(const struct tracer *t, const char *path)
{
	if (!t->opt.confirm.paths)
		return true;
	for (int i = 0; i < t->opt.confirm.npaths; i++)
		if (!strcmp(t->opt.confirm.paths[i], path))
			return true;
	return false;
}

static bool done_already(struct tracer_confirm_state *c, const char *path)
{
	for (int i = 0; i < c->ndone; i++)
		if (!strcmp(c->done[i], path))
			return true;
	return false;
}

static struct confirm_check *find_check(struct tracer_confirm_state *c,
					int tgid, const char *path)
{
	for (int i = 0; i < c->nchecks; i++)
		if (c->checks[i].tgid == tgid &&
		    !strcmp(c->checks[i].path, path))
			return &c->checks[i];
	return NULL;
}

static bool is_check(const struct syscall_desc *sc)
{
	return (sc->classes & SC_CHECK) && sc->effect != E_OPEN;
}

static bool is_open(const struct syscall_desc *sc)
{
	return sc->effect == E_OPEN && strcmp(sc->name, "open_by_handle_at");
}

/* At the exit of a check: remember it. */
static void on_check(struct tracer *t, struct task *k)
{
	struct tracer_confirm_state *c = t->confirm;
	const struct event *ev = &k->ev;
	struct confirm_check *ck;
	bool absent = ev->ret < 0 && ev->err == ENOENT;

	if (!(ev->has & HAS_PATH) || !ev->path[0] || !under(t, ev->abspath) ||
	    (ev->ret < 0 && !absent) || done_already(c, ev->abspath) ||
	    !asked(t, ev->abspath))
		return;
	ck = find_check(c, k->p.tgid, ev->abspath);
	if (!ck) {
		ck = &c->checks[c->next_check];
		if (c->nchecks < CHECKS_MAX)
			c->nchecks++;
		else
			free(ck->path);
		c->next_check = (c->next_check + 1) % CHECKS_MAX;
		ck->tgid = k->p.tgid;
		ck->path = xstrdup(ev->abspath);
	}
	ck->absent = absent;
	ck->nofollow = (ev->has & HAS_FLAGS) &&
		       (ev->flags & AT_SYMLINK_NOFOLLOW_) &&
		       !(ev->flags & AT_EMPTY_PATH_);
	/* lstat(2) itself: "lstat" in the name */
	if (strstr(ev->sc->name, "lstat"))
		ck->nofollow = true;
	ck->dev = ev->stat.valid ? (dev_t)ev->stat.dev : 0;
	ck->ino = ev->stat.valid ? (ino_t)ev->stat.ino : 0;
}

static struct tracer_confirm_result *new_result(struct tracer *t)
{
	struct tracer_confirm_state *c = t->confirm;
	struct tracer_confirm_result *r;

	if (c->nresults == c->capresults) {
		c->capresults = c->capresults ? 2 * c->capresults : 8;
		c->results = xrealloc(c->results, (size_t)c->capresults *
							  sizeof(*c->results));
	}
	r = &c->results[c->nresults++];
	memset(r, 0, sizeof(*r));
	return r;
}

/* Whether the tracee sees the file system fsrace does: one mount
 * namespace, one root. */
static bool same_view(int tgid)
{
	char p[64], root[8];
	struct stat a, b;
	ssize_t n;

	snprintf(p, sizeof(p), "/proc/%d/ns/mnt", tgid);
	if (stat(p, &a) < 0 || stat("/proc/self/ns/mnt", &b) < 0 ||
	    a.st_ino != b.st_ino || a.st_dev != b.st_dev)
		return false;
	snprintf(p, sizeof(p), "/proc/%d/root", tgid);
	n = readlink(p, root, sizeof(root));
	return n == 1 && root[0] == '/';
}

/* Make the decoy NAME in PFD: the content of TARGET (when >= 0), a
 * marker, mode and owner of ST. The descriptor's stat in *DST. */
static int make_decoy(int pfd, const char *name, int target,
		      const struct stat *st, unsigned serial, struct stat *dst)
{
	char buf[65536], mark[96];
	/* 0600 until its owner is set: never a set-id file of the wrong
	 * owner, not even for a moment */
	int fd = openat(pfd, name,
			O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			0600);
	ssize_t n;
	int r = 0;

	if (fd < 0)
		return -errno;
	while (target >= 0 && (n = read(target, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n) {
			r = -EIO;
			break;
		}
	n = snprintf(mark, sizeof(mark), "fsrace-confirm-decoy %u %d\n", serial,
		     (int)getpid());
	if (!r && write(fd, mark, (size_t)n) != n)
		r = -EIO;
	if (!r && st && geteuid() == 0 &&
	    fchown(fd, st->st_uid, st->st_gid) < 0)
		r = -errno;
	if (!r && fchmod(fd, st ? st->st_mode & 07777 : 0644) < 0)
		r = -errno;
	if (!r && fstat(fd, dst) < 0)
		r = -errno;
	close(fd);
	if (r)
		unlinkat(pfd, name, 0);
	return r;
}

static bool holds(int pfd, const char *name, dev_t dev, ino_t ino)
{
	struct stat st;

	return fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       st.st_dev == dev && st.st_ino == ino;
}

/* Give up on a swap before it was made: the decoy and link removed. */
static void abandon(struct tracer_confirm_result *r, int pfd, const char *decoy,
		    const char *link, const char *why)
{
	if (decoy[0])
		unlinkat(pfd, decoy, 0);
	if (link && link[0])
		unlinkat(pfd, link, 0);
	r->result = CONFIRM_NOT_CONFIRMABLE;
	snprintf(r->evidence, sizeof(r->evidence), "%s", why);
	r->restored = true;
}

/* At the entry of an open: swap, if it follows a check of its path. */
static void on_open_entry(struct tracer *t, struct task *k)
{
	struct tracer_confirm_state *c = t->confirm;
	const struct event *ev = &k->ev;
	struct tracer_confirm_swap *sw = &k->swap;
	struct confirm_check *ck;
	struct tracer_confirm_result *r;
	char rel[PATH_BUF], dir[PATH_BUF], js[3][6 * PATH_MAX + 1];
	const char *name, *slash;
	struct stat st, dst, lst, ust, tst;
	bool creat = (ev->has & HAS_FLAGS) && (ev->flags & O_CREAT_);
	int target = -1;

	sw->active = false;
	if (!(ev->has & HAS_PATH) || !under(t, ev->abspath))
		return;
	if (done_already(c, ev->abspath)) {
		/* a second open of a swapped path: the program tries again */
		for (int i = 0; i < c->nresults; i++)
			if (c->results[i].pid == k->p.tgid &&
			    !strcmp(c->results[i].path, ev->abspath) &&
			    c->results[i].use_seq)
				c->results[i].retried = true;
		return;
	}
	ck = find_check(c, k->p.tgid, ev->abspath);
	if (!ck || (ck->absent && !creat) || !asked(t, ev->abspath))
		return;
	c->done = xrealloc(c->done, (size_t)(c->ndone + 1) * sizeof(char *));
	c->done[c->ndone++] = xstrdup(ev->abspath);
	r = new_result(t);
	r->pid = k->p.tgid;
	r->path = c->done[c->ndone - 1];
	r->swap = ck->absent ? "squat" : ck->nofollow ? "symlink" : "exchange";
	sw->result = c->nresults - 1;
	slash = strrchr(ev->abspath, '/');
	name = slash + 1;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - ev->abspath),
		 ev->abspath);
	if (!strcmp(dir, t->opt.confirm.under))
		snprintf(rel, sizeof(rel), ".");
	else
		snprintf(rel, sizeof(rel), "%s",
			 dir + strlen(t->opt.confirm.under) + 1);
	sw->serial = ++c->serial;
	snprintf(sw->name, sizeof(sw->name), "%s", name);
	snprintf(sw->decoy, sizeof(sw->decoy), ".fsrace-decoy-%d-%u",
		 (int)getpid(), sw->serial);
	sw->link[0] = '\0';
	if (!same_view(k->p.tgid)) {
		sw->dirfd = -1;
		abandon(r, -1, "", NULL,
			"the process does not share fsrace's root and mount "
			"namespace");
		return;
	}
	sw->dirfd = openat2_fd(
		t->opt.confirm.under_fd, rel, O_PATH | O_DIRECTORY | O_CLOEXEC,
		RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
	if (sw->dirfd < 0) {
		abandon(r, -1, "", NULL,
			"its directory is not reached beneath the confirm "
			"directory without a symlink");
		return;
	}
	if (fstat(sw->dirfd, &ust) < 0 ||
	    ust.st_dev != t->opt.confirm.under_dev) {
		abandon(r, sw->dirfd, "", NULL,
			"its directory is on another mount");
		goto out_close;
	}
	if (!ck->absent) {
		if (fstatat(sw->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode)) {
			abandon(r, sw->dirfd, "", NULL,
				"not a regular file at the open");
			goto out_close;
		}
		if (!t->opt.confirm.any_owner && st.st_uid != geteuid()) {
			abandon(r, sw->dirfd, "", NULL,
				"the file is not the invoking user's "
				"(--confirm-any-owner)");
			goto out_close;
		}
		target = openat(sw->dirfd, name,
				O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK |
					O_NOCTTY);
		if (target < 0 || fstat(target, &tst) < 0 ||
		    !S_ISREG(tst.st_mode) || tst.st_dev != st.st_dev ||
		    tst.st_ino != st.st_ino) {
			if (target >= 0)
				close(target);
			abandon(r, sw->dirfd, "", NULL,
				"fsrace cannot read the file (or it changed "
				"while it looked)");
			goto out_close;
		}
	}
	if (make_decoy(sw->dirfd, sw->decoy, target, ck->absent ? NULL : &st,
		       sw->serial, &dst) < 0) {
		if (target >= 0)
			close(target);
		abandon(r, sw->dirfd, "", NULL, "the decoy cannot be made");
		goto out_close;
	}
	if (target >= 0)
		close(target);
	sw->decoy_dev = dst.st_dev;
	sw->decoy_ino = dst.st_ino;
	sw->target_dev = ck->absent ? 0 : st.st_dev;
	sw->target_ino = ck->absent ? 0 : st.st_ino;
	sw->in = sw->decoy; /* what goes in at the name */
	if (!ck->absent && ck->nofollow) {
		snprintf(sw->link, sizeof(sw->link), ".fsrace-link-%d-%u",
			 (int)getpid(), sw->serial);
		if (symlinkat(sw->decoy, sw->dirfd, sw->link) < 0 ||
		    fstatat(sw->dirfd, sw->link, &lst, AT_SYMLINK_NOFOLLOW) <
			    0) {
			abandon(r, sw->dirfd, sw->decoy, NULL,
				"the symlink cannot be made");
			goto out_close;
		}
		sw->link_ino = lst.st_ino;
		sw->in = sw->link;
	}
	json_str(js[0], sizeof(js[0]), dir);
	json_str(js[1], sizeof(js[1]), name);
	json_str(js[2], sizeof(js[2]), sw->decoy);
	journal(t,
		"{\"swap\":%u,\"pid\":%d,\"kind\":\"%s\",\"dir\":\"%s\","
		"\"name\":\"%s\",\"decoy\":\"%s\",\"link\":\"%s\","
		"\"dev\":%llu,\"target_ino\":%llu,\"decoy_ino\":%llu,"
		"\"link_ino\":%llu}\n",
		sw->serial, (int)getpid(), r->swap, js[0], js[1], js[2],
		sw->link, (unsigned long long)dst.st_dev,
		(unsigned long long)sw->target_ino,
		(unsigned long long)sw->decoy_ino,
		(unsigned long long)sw->link_ino);
	if (t->confirm_journal_failed) {
		abandon(r, sw->dirfd, sw->decoy, sw->link,
			"the journal cannot be written");
		goto out_close;
	}
	if (ck->absent)
		sw->made = renameat2_(sw->dirfd, sw->decoy, sw->dirfd, name,
				      RENAME_NOREPLACE) == 0;
	else
		sw->made = renameat2_(sw->dirfd, name, sw->dirfd, sw->in,
				      RENAME_EXCHANGE) == 0;
	if (sw->made && !ck->absent &&
	    !holds(sw->dirfd, sw->in, sw->target_dev, sw->target_ino)) {
		/* something else was at the name by the time of the swap:
		 * put it back at once */
		renameat2_(sw->dirfd, name, sw->dirfd, sw->in, RENAME_EXCHANGE);
		journal(t, "{\"restored\":%u}\n", sw->serial);
		abandon(r, sw->dirfd, sw->decoy, sw->link,
			"the file changed while fsrace swapped it: put back");
		goto out_close;
	}
	if (!sw->made) {
		int e = errno;

		abandon(r, sw->dirfd, sw->decoy, sw->link,
			e == EINVAL || e == ENOSYS
				? "not confirmable here: the file system has "
				  "no RENAME_EXCHANGE"
				: "the swap failed");
		journal(t, "{\"restored\":%u}\n", sw->serial);
		goto out_close;
	}
	sw->active = true;
	sw->absent = ck->absent;
	return;

out_close:
	close(sw->dirfd);
	sw->dirfd = -1;
}

/* Put back what SW swapped: true when the names hold what they held. */
static bool restore(struct tracer *t, struct tracer_confirm_swap *sw, char *why,
		    size_t size)
{
	bool ok;

	if (sw->absent) {
		ok = holds(sw->dirfd, sw->name, sw->decoy_dev, sw->decoy_ino) &&
		     unlinkat(sw->dirfd, sw->name, 0) == 0;
		if (!ok)
			snprintf(why, size,
				 "the name no longer holds the decoy: left as "
				 "it is");
	} else {
		ino_t in = sw->link[0] ? sw->link_ino : sw->decoy_ino;

		ok = holds(sw->dirfd, sw->name, sw->decoy_dev, in) &&
		     holds(sw->dirfd, sw->in, sw->target_dev, sw->target_ino) &&
		     renameat2_(sw->dirfd, sw->name, sw->dirfd, sw->in,
				RENAME_EXCHANGE) == 0;
		if (ok) {
			/* each by its identity: nothing else is removed */
			if (holds(sw->dirfd, sw->decoy, sw->decoy_dev,
				  sw->decoy_ino))
				unlinkat(sw->dirfd, sw->decoy, 0);
			if (sw->link[0] && holds(sw->dirfd, sw->link,
						 sw->decoy_dev, sw->link_ino))
				unlinkat(sw->dirfd, sw->link, 0);
		} else {
			snprintf(why, size,
				 "the names changed since the swap: nothing "
				 "moved; the file is %s, the decoy %s",
				 sw->in, sw->name);
		}
	}
	if (ok)
		journal(t, "{\"restored\":%u}\n", sw->serial);
	close(sw->dirfd);
	sw->dirfd = -1;
	sw->active = false;
	return ok;
}

static void watch(struct tracer *t, int tgid, int fd, int result)
{
	struct tracer_confirm_state *c = t->confirm;

	if (c->nwatch == WATCH_MAX)
		return;
	c->watch[c->nwatch].tgid = tgid;
	c->watch[c->nwatch].fd = fd;
	c->watch[c->nwatch].result = result;
	c->nwatch++;
}

static struct confirm_watch *watched(struct tracer *t, int tgid, int fd)
{
	struct tracer_confirm_state *c = t->confirm;

	for (int i = 0; i < c->nwatch; i++)
		if (c->watch[i].tgid == tgid && c->watch[i].fd == fd)
			return &c->watch[i];
	return NULL;
}

static void unwatch(struct tracer *t, struct confirm_watch *w)
{
	struct tracer_confirm_state *c = t->confirm;

	*w = c->watch[--c->nwatch];
}

/* W's descriptor is gone without a use. */
static void closed_unused(struct tracer *t, struct confirm_watch *w)
{
	struct tracer_confirm_result *r = &t->confirm->results[w->result];

	if (r->result == CONFIRM_PENDING) {
		r->result = CONFIRM_UNUSED;
		snprintf(r->evidence, sizeof(r->evidence),
			 "the descriptor was closed unused");
	}
	unwatch(t, w);
}

void tracer_confirm_exec(struct tracer *t, struct task *k)
{
	if (!t->confirm)
		return;
	/* a new program: what the old one left open is not its use (the
	 * loader reuses the numbers of the close-on-exec ones) */
	for (int i = 0; i < t->confirm->nwatch;) {
		struct confirm_watch *w = &t->confirm->watch[i];

		if (w->tgid == k->p.tgid) {
			struct tracer_confirm_result *r =
				&t->confirm->results[w->result];

			if (r->result == CONFIRM_PENDING) {
				r->result = CONFIRM_UNUSED;
				snprintf(r->evidence, sizeof(r->evidence),
					 "the program ran another program "
					 "without using the descriptor");
			}
			unwatch(t, w);
			continue;
		}
		i++;
	}
}

/* The descriptor of a swapped open was used: the verdict. */
static void used(struct tracer *t, struct confirm_watch *w, const char *how)
{
	struct tracer_confirm_result *r = &t->confirm->results[w->result];

	if (r->result != CONFIRM_PENDING)
		return;
	r->result = CONFIRM_ACCEPTED;
	snprintf(r->evidence, sizeof(r->evidence), "%s", how);
}

/* At the exit of the swapped open (emitted: its seq is known). */
static void on_open_exit(struct tracer *t, struct task *k)
{
	struct tracer_confirm_swap *sw = &k->swap;
	struct tracer_confirm_result *r = &t->confirm->results[sw->result];
	const struct event *ev = &k->ev;
	char why[PATH_MAX + 128] = "";

	r->use_seq = ev->seq;
	r->restored = restore(t, sw, why, sizeof(why));
	if (why[0])
		snprintf(r->restore_note, sizeof(r->restore_note), "%s", why);
	if (ev->ret < 0) {
		bool refused = ev->err == ELOOP || ev->err == EEXIST ||
			       ev->err == EACCES || ev->err == EPERM;

		r->result = refused ? CONFIRM_REFUSED : CONFIRM_INCONCLUSIVE;
		snprintf(r->evidence, sizeof(r->evidence),
			 "the open failed with %s",
			 errno_name(ev->err) ? errno_name(ev->err) : "?");
		return;
	}
	r->result = CONFIRM_PENDING;
	watch(t, k->p.tgid, (int)ev->ret, sw->result);
}

void tracer_confirm_entry(struct tracer *t, struct task *k)
{
	const struct syscall_desc *sc = k->sc;
	struct confirm_watch *w;

	k->swap.active = false;
	if (is_open(sc)) {
		on_open_entry(t, k);
		return;
	}
	if (!(k->ev.has & (HAS_FD | HAS_FD2)))
		return;
	if (sc->effect == E_CLOSE_RANGE) {
		/* close_range(fd, fd2): each one watched in it is closed */
		for (int i = 0; i < t->confirm->nwatch;) {
			struct confirm_watch *x = &t->confirm->watch[i];

			if (x->tgid == k->p.tgid && x->fd >= k->ev.fd &&
			    (!(k->ev.has & HAS_FD2) ||
			     (unsigned)x->fd <= (unsigned)k->ev.fd2)) {
				closed_unused(t, x);
				continue;
			}
			i++;
		}
		return;
	}
	if ((sc->effect == E_DUP2) && (k->ev.has & HAS_FD2) &&
	    (w = watched(t, k->p.tgid, k->ev.fd2))) {
		/* dup2 onto it closes it first */
		closed_unused(t, w);
		return;
	}
	for (int n = 0; n < 2; n++) {
		int fd = n ? k->ev.fd2 : k->ev.fd;

		if (!(k->ev.has & (n ? HAS_FD2 : HAS_FD)))
			continue;
		w = watched(t, k->p.tgid, fd);
		if (!w)
			continue;
		if (sc->effect == E_CLOSE) {
			struct tracer_confirm_result *r =
				&t->confirm->results[w->result];

			if (r->result == CONFIRM_PENDING) {
				r->result = CONFIRM_UNUSED;
				snprintf(r->evidence, sizeof(r->evidence),
					 "the descriptor was closed unused");
			}
			unwatch(t, w);
		} else if (sc->classes & (SC_DATA | SC_META)) {
			used(t, w,
			     sc->classes & SC_DATA
				     ? "the program moved the decoy's data "
				       "through the descriptor"
				     : "the program changed the decoy's "
				       "metadata through the descriptor");
		}
	}
}

void tracer_confirm_exit(struct tracer *t, struct task *k)
{
	if (k->swap.active)
		on_open_exit(t, k);
	else if (k->sc && is_check(k->sc))
		on_check(t, k);
}

void tracer_confirm_io(struct tracer *t, struct task *k, long nr,
		       const uint64_t *args)
{
	struct confirm_watch *w;
	int fd = nr == SYS_mmap ? (int)args[4] : (int)args[0];

	if ((nr == SYS_write || nr == SYS_writev || nr == SYS_pwrite64 ||
	     nr == SYS_pwritev || nr == SYS_pwritev2) &&
	    fd == 2)
		t->confirm->stderr_writes++;
	if (nr == SYS_mmap && (args[3] & MAP_ANONYMOUS))
		return;
	if (nr == SYS_splice && (w = watched(t, k->p.tgid, (int)args[2])))
		used(t, w, "the program moved data through the descriptor");
	w = watched(t, k->p.tgid, fd);
	if (!w || (nr == SYS_mmap && (int64_t)args[4] < 0))
		return;
	used(t, w,
	     nr == SYS_write || nr == SYS_writev || nr == SYS_pwrite64 ||
			     nr == SYS_pwritev
		     ? "the program wrote through the descriptor"
		     : "the program read the decoy through the descriptor");
}

void tracer_confirm_task_gone(struct tracer *t, struct task *k)
{
	char why[PATH_MAX + 128] = "";

	if (!t->confirm)
		return;
	if (k->swap.active) {
		struct tracer_confirm_result *r =
			&t->confirm->results[k->swap.result];

		r->restored = restore(t, &k->swap, why, sizeof(why));
		r->result = CONFIRM_INCONCLUSIVE;
		snprintf(r->evidence, sizeof(r->evidence),
			 "the process ended inside the open");
		if (why[0])
			snprintf(r->restore_note, sizeof(r->restore_note), "%s",
				 why);
	}
	if (k->p.tid != k->p.tgid)
		return;
	for (int i = 0; i < t->confirm->nwatch;) {
		struct confirm_watch *w = &t->confirm->watch[i];
		struct tracer_confirm_result *r =
			&t->confirm->results[w->result];

		if (w->tgid != k->p.tgid) {
			i++;
			continue;
		}
		if (r->result == CONFIRM_PENDING) {
			r->result = CONFIRM_UNUSED;
			snprintf(r->evidence, sizeof(r->evidence),
				 "the program ended without using the "
				 "descriptor");
		}
		unwatch(t, w);
	}
}

void tracer_confirm_finish(struct tracer *t)
{
	struct tracer_confirm_state *c = t->confirm;

	if (!c)
		return;
	/* anything still watched: the trace ended with it open */
	for (int i = 0; i < c->nresults; i++)
		if (c->results[i].result == CONFIRM_PENDING) {
			c->results[i].result = CONFIRM_UNUSED;
			snprintf(c->results[i].evidence,
				 sizeof(c->results[i].evidence),
				 "the descriptor was not used");
		}
	c->nwatch = 0;
}

const struct tracer_confirm_result *
tracer_confirm_results(const struct tracer *t, int *n, uint64_t *stderr_writes)
{
	*n = t->confirm ? t->confirm->nresults : 0;
	*stderr_writes = t->confirm ? t->confirm->stderr_writes : 0;
	return t->confirm ? t->confirm->results : NULL;
}

void tracer_confirm_free(struct tracer *t)
{
	struct tracer_confirm_state *c = t->confirm;

	if (!c)
		return;
	for (int i = 0; i < c->nchecks; i++)
		free(c->checks[i].path);
	for (int i = 0; i < c->ndone; i++)
		free(c->done[i]);
	free(c->done);
	free(c->results);
	free(c);
	t->confirm = NULL;
}
