// SPDX-License-Identifier: MIT
/* The events of the files given to analyze or import, whatever their
 * format: native traces one after another, strace logs merged by time. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "findings.h"
#include "hashmap.h"
#include "syscalls.h"
#include "reader.h"
#include "stacks.h"
#include "strace.h"
#include "util.h"

struct input {
	const char *const *files; /* what is opened */
	const char *const *names; /* what messages call them */
	int nfiles;
	bool strace;
	int next; /* native: the file to open next */
	bool open;
	struct trace_reader rd;	  /* native: the current file */
	struct strace_reader *sr; /* strace: all the files */
	uint64_t unknown;
	/* the stacks of the native files read, which the findings point
	 * into until input_close */
	struct stack_table **stacks;
	int nstacks;
	/* strace: what its events show (input_limits) */
	uint64_t calls, timed, failed, closes, unresolved;
	struct hashmap pids;	 /* the live pids an event had */
	int last_pid;		 /* the last one added: most events' */
	struct hashmap children; /* children no event has shown yet */
	bool pids_full;		 /* a live pid was not remembered */
};

struct pid_ent {
	struct hashmap_entry ent;
	int pid;
	bool forked; /* pids: its fork was seen */
	bool exited; /* pids: its exit was seen, its fork not yet */
};

static bool pid_eq(const struct hashmap_entry *e, const void *key)
{
	return container_of(e, struct pid_ent, ent)->pid == *(const int *)key;
}

/* at most this many pids of each kind are remembered */
#define LIMIT_PIDS 65536

static struct pid_ent *pid_get(const struct hashmap *m, int pid)
{
	struct hashmap_entry *e;

	if (!m->table || !(e = hashmap_get(m, hash_int((uint64_t)pid), &pid)))
		return NULL;
	return container_of(e, struct pid_ent, ent);
}

/* Adds PID to M (or finds it there); NULL when M is at its ceiling. */
static struct pid_ent *pid_add(struct hashmap *m, int pid)
{
	struct pid_ent *e = pid_get(m, pid);

	if (e)
		return e;
	if (m->count >= LIMIT_PIDS)
		return NULL;
	e = xcalloc(1, sizeof(*e));
	e->pid = pid;
	hashmap_put(m, &e->ent, hash_int((uint64_t)pid));
	return e;
}

/* Removes PID from M; false when it was not there. */
static bool pid_del(struct hashmap *m, int pid)
{
	struct pid_ent *e = pid_get(m, pid);

	if (!e)
		return false;
	hashmap_remove_entry(m, &e->ent);
	free(e);
	return true;
}

static void pids_free(struct hashmap *m)
{
	struct hashmap_iter it;
	struct hashmap_entry *e;

	if (!m->table)
		return;
	hashmap_iter_init(m, &it);
	while ((e = hashmap_iter_next(&it))) {
		hashmap_remove_entry(m, e);
		free(container_of(e, struct pid_ent, ent));
	}
	hashmap_release(m);
}

/* What a strace log's event shows of the log (input_limits). */
static void observe(struct input *in, const struct event *ev)
{
	/* A child is followed when an event of its own shows it, before
	 * its fork's result or after (strace -f shows either order, and a
	 * child may even exit before the clone returns). Only the pids
	 * whose story is not complete are kept (a pid whose fork and exit
	 * were both seen is dropped, and may be used again), and only the
	 * children not shown yet: as many as run at once, not as many as
	 * the log holds. */
	if (ev->type == EV_FORK) {
		struct pid_ent *e = pid_get(&in->pids, ev->child_pid);

		if (!e)
			pid_add(&in->children, ev->child_pid);
		else if (e->exited)
			pid_del(&in->pids, ev->child_pid);
		else
			e->forked = true;
		return;
	}
	if (ev->type == EV_EXIT) {
		struct pid_ent *e;

		in->last_pid = 0;
		if (pid_del(&in->children, ev->pid))
			return;
		e = pid_get(&in->pids, ev->pid);
		if (e && e->forked)
			pid_del(&in->pids, ev->pid);
		else if ((e = pid_add(&in->pids, ev->pid)))
			e->exited = true;
		else
			in->pids_full = true;
		return;
	}
	if (ev->type != EV_SYSCALL)
		return;
	if (ev->pid != in->last_pid) {
		bool forked = pid_del(&in->children, ev->pid);
		struct pid_ent *e = pid_add(&in->pids, ev->pid);

		if (e)
			e->forked |= forked;
		in->pids_full |= !e;
		in->last_pid = ev->pid;
	}
	/* close has no result in an event (SCF_NO_EXIT) */
	in->closes += ev->sc && (ev->sc->effect == E_CLOSE ||
				 ev->sc->effect == E_CLOSE_RANGE);
	/* what -y would have named: an fd, a dirfd, the working directory */
	in->unresolved += ((ev->has & HAS_FD) && ev->fd >= 0 && !ev->fd_path) ||
			  ((ev->has & HAS_DIRFD) && !ev->dirfd_path) ||
			  ((ev->has & HAS_PATH) && ev->path &&
			   ev->path[0] != '/' && !ev->abspath);
	if (!(ev->has & HAS_RET))
		return;
	in->calls++;
	in->timed += ev->ts_enter || ev->ts_exit;
	in->failed += ev->ret < 0;
}

unsigned input_limits(const struct input *in)
{
	unsigned lim = 0;

	if (!in->strace || !in->calls)
		return 0;
	if (!in->timed)
		lim |= LIMIT_NO_TIMESTAMPS;
	/* a log of failures alone shows no descriptor nor close either */
	if (in->failed == in->calls)
		return lim | LIMIT_ONLY_FAILED;
	if (!strace_reader_decorated(in->sr) && in->unresolved)
		lim |= LIMIT_NO_DECORATION;
	/* a program makes some call that fails (its loader, its start-up):
	 * none in many looks like strace -z */
	if (!in->failed && in->calls >= 50)
		lim |= LIMIT_ONLY_SUCCEEDED;
	if (!in->closes && in->calls >= 20)
		lim |= LIMIT_NO_CLOSE;
	/* past the ceiling a child shown before its fork may be taken for
	 * one never shown: then say nothing */
	if (in->children.count && !in->pids_full)
		lim |= LIMIT_CHILDREN_LOST;
	return lim;
}

static void close_native(struct input *in)
{
	in->stacks = xrealloc(in->stacks,
			      (size_t)(in->nstacks + 1) * sizeof(*in->stacks));
	in->stacks[in->nstacks++] = trace_reader_take_stacks(&in->rd);
	trace_reader_close(&in->rd);
	in->open = false;
}

int input_format_parse(const char *s)
{
	if (!strcmp(s, "auto"))
		return IN_AUTO;
	if (!strcmp(s, "native"))
		return IN_NATIVE;
	if (!strcmp(s, "strace"))
		return IN_STRACE;
	return -EINVAL;
}

/* A native trace starts with its JSON header; a strace log looks like
 * strace's lines. */
static int detect(const char *path, const char *name)
{
	char buf[64];
	ssize_t n;
	int r, fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		errorx("cannot open '%s': %s", name, strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n > 0 && buf[0] == '{')
		return IN_NATIVE;
	r = strace_detect(path);
	if (r == 1)
		return IN_STRACE;
	if (r < 0) {
		errorx("cannot read '%s': %s", name, strerror(-r));
		return -1;
	}
	errorx("%s: %s, not an fsrace trace nor a strace log", name,
	       n == 0 ? "empty file" : "unknown format");
	return -1;
}

int input_kind(const char *const *files, const char *const *names, int nfiles,
	       int format)
{
	int kind = format;

	/* a log of nothing cannot say that nothing happened: strace writes
	 * at least the program's exec and its exit */
	for (int i = 0; format == IN_STRACE && i < nfiles; i++) {
		struct stat st;

		if (!stat(files[i], &st) && S_ISREG(st.st_mode) &&
		    !st.st_size) {
			errorx("%s: empty file, not a strace log", names[i]);
			return -1;
		}
	}
	for (int i = 0; format == IN_AUTO && i < nfiles; i++) {
		int k = detect(files[i], names[i]);

		if (k < 0)
			return -1;
		if (i > 0 && k != kind) {
			errorx("%s and %s: give fsrace traces and strace logs "
			       "to separate runs",
			       names[0], names[i]);
			return -1;
		}
		kind = k;
	}
	return kind;
}

static int write_all_fd(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A stream read to its end into a temporary file: its fd, or -1 after
 * telling the user. */
static int spool_one(int in, const char *name)
{
	const char *tmp = getenv("TMPDIR");
	char dir[PATH_MAX], tmpl[PATH_MAX + 32];
	char buf[65536];
	uint64_t total = 0, run = 0; /* RUN: bytes since the last newline */
	unsigned long line = 1;
	int fd;

	snprintf(dir, sizeof(dir), "%s", tmp && tmp[0] == '/' ? tmp : "/tmp");
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		/* a file system without O_TMPFILE */
		snprintf(tmpl, sizeof(tmpl), "%s/fsrace-input-XXXXXX", dir);
		fd = mkostemp(tmpl, O_CLOEXEC);
		if (fd >= 0)
			unlink(tmpl);
	}
	if (fd < 0) {
		errorx("%s: cannot make a temporary file in %s to read it "
		       "into: %s",
		       name, dir, strerror(errno));
		return -1;
	}
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			errorx("cannot read '%s': %s", name, strerror(errno));
			break;
		}
		if (n == 0)
			return fd;
		/* the readers' bound on a line, as the copy is made: a pipe
		 * of zeros is not copied to its 64 GiB */
		for (const char *p = buf, *end = buf + n, *nl;; p = nl + 1) {
			nl = memchr(p, '\n', (size_t)(end - p));
			if (!nl) {
				run += (uint64_t)(end - p);
				break;
			}
			run = 0;
			line++;
		}
		if (run > TRACE_READER_MAX_LINE) {
			errorx("%s:%lu: line longer than %u MiB", name, line,
			       TRACE_READER_MAX_LINE >> 20);
			break;
		}
		total += (uint64_t)n;
		if (total > INPUT_SPOOL_MAX) {
			errorx("%s: more than %d GiB from a pipe", name,
			       (int)(INPUT_SPOOL_MAX >> 30));
			break;
		}
		if (write_all_fd(fd, buf, (size_t)n) < 0) {
			errorx("%s: cannot copy it to %s: %s", name, dir,
			       strerror(errno));
			break;
		}
	}
	close(fd);
	return -1;
}

int input_spool(const char *const *files, int nfiles, struct input_files *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->paths = xcalloc((size_t)nfiles + 1, sizeof(*ret->paths));
	ret->fds = xcalloc((size_t)nfiles + 1, sizeof(*ret->fds));
	ret->names = files;
	ret->n = nfiles;
	for (int i = 0; i < nfiles; i++)
		ret->fds[i] = -1;
	for (int i = 0; i < nfiles; i++) {
		bool dash = !strcmp(files[i], "-");
		struct stat st;
		int in, fd;

		for (int k = 0; dash && k < i; k++)
			if (!strcmp(files[k], "-")) {
				errorx("- is given twice: standard input is "
				       "read once");
				input_spool_free(ret);
				return -1;
			}
		in = dash ? STDIN_FILENO : open(files[i], O_RDONLY | O_CLOEXEC);
		if (in < 0 || fstat(in, &st) < 0) {
			errorx("cannot open '%s': %s", files[i],
			       strerror(errno));
			if (in > STDIN_FILENO)
				close(in);
			input_spool_free(ret);
			return -1;
		}
		/* a pipe or FIFO can be read once: through a copy */
		if (!dash && !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode)) {
			close(in);
			ret->paths[i] = xstrdup(files[i]);
			continue;
		}
		fd = spool_one(in, files[i]);
		if (!dash)
			close(in);
		if (fd < 0) {
			input_spool_free(ret);
			return -1;
		}
		ret->fds[i] = fd;
		ret->paths[i] = xmalloc(32);
		snprintf(ret->paths[i], 32, "/proc/self/fd/%d", fd);
	}
	return 0;
}

void input_spool_free(struct input_files *f)
{
	for (int i = 0; i < f->n && f->paths; i++) {
		free(f->paths[i]);
		if (f->fds[i] >= 0)
			close(f->fds[i]);
	}
	free(f->paths);
	free(f->fds);
	memset(f, 0, sizeof(*f));
}

int input_open(struct input **ret, const char *const *files,
	       const char *const *names, int nfiles, int format, bool strict)
{
	struct input *in;
	char err[1024];
	int kind = input_kind(files, names, nfiles, format);

	if (kind < 0)
		return -1;
	in = xcalloc(1, sizeof(*in));
	in->files = files;
	in->names = names;
	in->nfiles = nfiles;
	in->strace = kind == IN_STRACE;
	if (in->strace && strace_reader_open_as(&in->sr, files, names, nfiles,
						strict, err, sizeof(err)) < 0) {
		errorx("%s", err);
		free(in);
		return -1;
	}
	hashmap_init(&in->pids, pid_eq, 0);
	hashmap_init(&in->children, pid_eq, 0);
	*ret = in;
	return 0;
}

int input_next(struct input *in, struct event *ev)
{
	char err[1024];
	int r;

	if (in->strace) {
		r = strace_reader_next(in->sr, ev, err, sizeof(err));
		if (r < 0)
			errorx("%s", err);
		if (r > 0)
			observe(in, ev);
		return r;
	}
	for (;;) {
		if (!in->open) {
			if (in->next == in->nfiles)
				return 0;
			if (trace_reader_open_as(&in->rd, in->files[in->next],
						 in->names[in->next], err,
						 sizeof(err)) < 0) {
				errorx("%s", err);
				trace_reader_close(&in->rd);
				return -1;
			}
			in->next++;
			in->open = true;
		}
		r = trace_reader_next(&in->rd, ev, err, sizeof(err));
		if (r != 0) {
			if (r < 0)
				errorx("%s", err);
			return r;
		}
		in->unknown += in->rd.skipped;
		close_native(in);
	}
}

void input_counts(const struct input *in, uint64_t *ret_unknown,
		  uint64_t *ret_unparsed)
{
	*ret_unknown = in->unknown + (in->open ? in->rd.skipped : 0);
	*ret_unparsed = in->strace ? strace_reader_skipped(in->sr) : 0;
}

uint64_t input_paths_too_long(const struct input *in)
{
	return in->strace ? strace_reader_too_long(in->sr) : 0;
}

static void add_stack_drops(const struct stack_drops *d,
			    struct table_drops *out, bool stacks)
{
	if (stacks)
		out->stacks += d->stacks;
	out->stack_modules += d->modules;
	out->frame_names += d->names;
}

void input_stack_drops(const struct input *in, struct table_drops *out,
		       bool stacks)
{
	struct stack_drops d = {0};

	if (in->strace)
		strace_reader_stack_drops(in->sr, &d);
	add_stack_drops(&d, out, stacks);
}

void cli_stack_drops(const struct stack_table *t, struct table_drops *out,
		     bool stacks)
{
	struct stack_drops d = {0};

	if (t)
		stack_table_drops(t, &d);
	add_stack_drops(&d, out, stacks);
}

bool input_is_strace(const struct input *in)
{
	return in->strace;
}

void input_close(struct input *in)
{
	if (!in)
		return;
	if (in->open)
		trace_reader_close(&in->rd);
	if (in->sr)
		strace_reader_close(in->sr);
	for (int i = 0; i < in->nstacks; i++)
		stack_table_free(in->stacks[i]);
	free(in->stacks);
	pids_free(&in->pids);
	pids_free(&in->children);
	free(in);
}
