// SPDX-License-Identifier: MIT
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "names.h"
#include "util.h"

#define FLUSH_AT (64 * 1024)

int trace_writer_open(struct trace_writer *w, const char *path, unsigned flags)
{
	int r;

	memset(w, 0, sizeof(*w));
	w->fd = -1;
	r = atomic_file_open(&w->file, path, flags);
	if (r < 0)
		return r;
	w->fd = w->file.fd;
	w->path = w->file.path;
	jsonw_init(&w->out);
	return 0;
}

static void write_all(struct trace_writer *w)
{
	const char *p = w->out.buf;
	size_t n = w->out.len;

	while (n && !w->err) {
		ssize_t r = write(w->fd, p, n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			w->err = -errno;
			break;
		}
		p += r;
		n -= (size_t)r;
	}
	jsonw_reset(&w->out);
}

int trace_writer_flush(struct trace_writer *w)
{
	if (w->out.len)
		write_all(w);
	return w->err;
}

static void end_line(struct trace_writer *w)
{
	jsonw_raw(&w->out, "\n", 1);
	w->out.nfields = 0;
	if (w->out.len >= FLUSH_AT)
		write_all(w);
}

static void string_array(struct jsonw *o, const char *const *v, int n)
{
	jsonw_begin_array(o);
	for (int i = 0; n < 0 ? v[i] != NULL : i < n; i++)
		jsonw_string(o, v[i]);
	jsonw_end_array(o);
}

void header_to_json(struct jsonw *o, const struct trace_header *h)
{
	char iso[32];
	time_t t = (time_t)(h->start_ns / 1000000000ULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	jsonw_begin_object(o);
	jsonw_key(o, "type");
	jsonw_string(o, "header");
	jsonw_key(o, "format");
	jsonw_string(o, "fsrace-trace");
	jsonw_key(o, "version");
	jsonw_int(o, h->version);
	jsonw_key(o, "fsrace_version");
	jsonw_string(o, h->fsrace_version);
	jsonw_key(o, "argv");
	string_array(o, h->argv, -1);
	jsonw_key(o, "cwd");
	jsonw_string(o, h->cwd);
	jsonw_key(o, "start_ns");
	jsonw_uint(o, h->start_ns);
	jsonw_key(o, "start_time");
	jsonw_string(o, iso);
	jsonw_key(o, "host");
	jsonw_string(o, h->host);
	jsonw_key(o, "kernel");
	jsonw_string(o, h->kernel);
	jsonw_key(o, "options");
	jsonw_begin_object(o);
	jsonw_key(o, "mode");
	jsonw_string(o, h->sources ? "import" : h->attach ? "attach" : "spawn");
	if (h->sources) {
		jsonw_key(o, "sources");
		string_array(o, h->sources, -1);
	}
	jsonw_key(o, "seccomp");
	jsonw_bool(o, h->seccomp);
	if (h->seccomp_reason) {
		jsonw_key(o, "seccomp_reason");
		jsonw_string(o, h->seccomp_reason);
	}
	jsonw_key(o, "pid");
	if (h->attach)
		jsonw_int(o, h->attach_pid);
	else
		jsonw_null(o);
	jsonw_end_object(o);
	jsonw_end_object(o);
}

void trace_writer_header(struct trace_writer *w, const struct trace_header *h)
{
	header_to_json(&w->out, h);
	end_line(w);
}

static void flag_name(const char *name, void *ud)
{
	jsonw_string(ud, name);
}

static void flags_field(struct jsonw *o, const char *key, enum flagset set,
			uint64_t v)
{
	jsonw_key(o, key);
	jsonw_begin_array(o);
	flags_each(set, v, flag_name, o);
	jsonw_end_array(o);
}

static void opt_string(struct jsonw *o, const char *key, const char *v)
{
	if (v) {
		jsonw_key(o, key);
		jsonw_string(o, v);
	}
}

static void int_field(struct jsonw *o, const char *key, int64_t v)
{
	jsonw_key(o, key);
	jsonw_int(o, v);
}

static void ident_field(struct jsonw *o, const struct ident *id)
{
	jsonw_key(o, "stat");
	jsonw_begin_object(o);
	jsonw_key(o, "dev");
	jsonw_uint(o, id->dev);
	jsonw_key(o, "ino");
	jsonw_uint(o, id->ino);
	int_field(o, "mode", id->mode);
	jsonw_key(o, "nlink");
	jsonw_uint(o, id->nlink);
	int_field(o, "uid", id->uid);
	int_field(o, "gid", id->gid);
	int_field(o, "size", id->size);
	jsonw_end_object(o);
}

static void parent_field(struct jsonw *o, const char *key,
			 const struct parent_info *p)
{
	jsonw_key(o, key);
	jsonw_begin_object(o);
	jsonw_key(o, "path");
	jsonw_string(o, p->path);
	int_field(o, "uid", p->uid);
	int_field(o, "mode", p->mode);
	jsonw_end_object(o);
}

static void syscall_fields(struct jsonw *o, const struct event *ev)
{
	uint32_t has = ev->has;

	jsonw_key(o, "syscall");
	jsonw_string(o, ev->sc->name);
	if (has & HAS_DIRFD) {
		int_field(o, "dirfd", ev->dirfd);
		opt_string(o, "dirfd_path", ev->dirfd_path);
	}
	if (has & HAS_PATH) {
		opt_string(o, "path", ev->path);
		opt_string(o, "abspath", ev->abspath);
	}
	if (has & HAS_DIRFD2) {
		int_field(o, "dirfd2", ev->dirfd2);
		opt_string(o, "dirfd2_path", ev->dirfd2_path);
	}
	if (has & HAS_PATH2) {
		opt_string(o, "path2", ev->path2);
		opt_string(o, "abspath2", ev->abspath2);
	}
	if (has & HAS_FD) {
		int_field(o, "fd", ev->fd);
		opt_string(o, "fd_path", ev->fd_path);
	}
	if (has & HAS_FD2) {
		int_field(o, "fd2", ev->fd2);
		opt_string(o, "fd2_path", ev->fd2_path);
	}
	if (has & HAS_FLAGS)
		flags_field(o, "flags", syscall_flagset(ev->sc), ev->flags);
	if (has & HAS_MODE)
		int_field(o, "mode", ev->mode);
	if (has & HAS_ACCESS)
		flags_field(o, "access", FLAGS_ACCESS, ev->access);
	if (has & HAS_RESOLVE)
		flags_field(o, "resolve", FLAGS_RESOLVE, ev->resolve);
	if (has & HAS_OWNER) {
		int_field(o, "uid", ev->uid);
		int_field(o, "gid", ev->gid);
	}
	if (has & HAS_LENGTH)
		int_field(o, "length", ev->length);
	if (has & HAS_CMD) {
		const char *name = fcntl_cmd_name(ev->cmd);

		if (name) {
			jsonw_key(o, "cmd");
			jsonw_string(o, name);
		} else {
			int_field(o, "cmd", ev->cmd);
		}
		int_field(o, "arg", ev->arg);
	}
	if (has & HAS_XATTR)
		opt_string(o, "xattr", ev->xattr);
	if (has & HAS_TARGET)
		opt_string(o, "target", ev->target);
	if (has & HAS_ARGV) {
		jsonw_key(o, "argv");
		string_array(o, ev->argv, ev->argc);
	}
	if (has & HAS_OLD_TID)
		int_field(o, "old_tid", ev->old_tid);
	if (has & HAS_RET) {
		int_field(o, "ret", ev->ret);
		if (ev->ret < 0) {
			const char *e = errno_name(ev->err);

			jsonw_key(o, "errno");
			if (e)
				jsonw_string(o, e);
			else
				jsonw_int(o, ev->err);
		}
	}
	opt_string(o, "ret_path", ev->ret_path);
	if (ev->stat.valid)
		ident_field(o, &ev->stat);
	if (ev->parent.valid)
		parent_field(o, "parent", &ev->parent);
	if (ev->parent2.valid)
		parent_field(o, "parent2", &ev->parent2);
}

void event_to_json(struct jsonw *o, const struct event *ev)
{
	static const char *const types[] = {
		[EV_SYSCALL] = "syscall",
		[EV_FORK] = "fork",
		[EV_EXIT] = "exit",
		[EV_WARNING] = "warning",
	};
	static const char *const kinds[] = {
		[FORK_PROCESS] = "process",
		[FORK_VFORK] = "vfork",
		[FORK_THREAD] = "thread",
	};

	jsonw_begin_object(o);
	jsonw_key(o, "type");
	jsonw_string(o, types[ev->type]);
	jsonw_key(o, "seq");
	jsonw_uint(o, ev->seq);
	int_field(o, "pid", ev->pid);
	int_field(o, "tid", ev->tid);
	if (ev->type == EV_SYSCALL) {
		jsonw_key(o, "ts_enter");
		jsonw_uint(o, ev->ts_enter);
		jsonw_key(o, "ts_exit");
		jsonw_uint(o, ev->ts_exit);
	} else {
		jsonw_key(o, "ts");
		jsonw_uint(o, ev->ts_enter);
	}
	switch (ev->type) {
	case EV_SYSCALL:
		syscall_fields(o, ev);
		break;
	case EV_FORK:
		opt_string(o, "syscall", ev->fork_syscall);
		int_field(o, "child_pid", ev->child_pid);
		int_field(o, "child_tid", ev->child_tid);
		jsonw_key(o, "kind");
		jsonw_string(o, kinds[ev->fork_kind]);
		jsonw_key(o, "shares");
		jsonw_begin_array(o);
		if (ev->share_files)
			jsonw_string(o, "files");
		if (ev->share_fs)
			jsonw_string(o, "fs");
		jsonw_end_array(o);
		break;
	case EV_EXIT:
		if (ev->exit_signal) {
			const char *s = signal_name(ev->exit_signal);

			jsonw_key(o, "signal");
			if (s)
				jsonw_string(o, s);
			else
				jsonw_int(o, ev->exit_signal);
			if (ev->core_dumped) {
				jsonw_key(o, "core_dumped");
				jsonw_bool(o, 1);
			}
		} else {
			int_field(o, "status", ev->exit_status);
		}
		break;
	case EV_WARNING:
		opt_string(o, "message", ev->message);
		break;
	}
	if (ev->source_file) {
		char src[PATH_MAX + 32];

		snprintf(src, sizeof(src), "%s:%lu", ev->source_file,
			 ev->source_line);
		jsonw_key(o, "source");
		jsonw_string(o, src);
	}
	jsonw_end_object(o);
}

void trace_writer_event(struct trace_writer *w, const struct event *ev)
{
	event_to_json(&w->out, ev);
	end_line(w);
}

int trace_writer_close(struct trace_writer *w)
{
	int r = trace_writer_flush(w);

	if (w->fd < 0)
		return r;
	if (r < 0)
		atomic_file_discard(&w->file);
	else
		r = atomic_file_commit(&w->file);
	w->fd = -1;
	w->path = NULL;
	jsonw_release(&w->out);
	return r;
}

void trace_writer_discard(struct trace_writer *w)
{
	if (w->fd >= 0)
		atomic_file_discard(&w->file);
	w->fd = -1;
	w->path = NULL;
	jsonw_release(&w->out);
}
