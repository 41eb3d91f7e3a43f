// SPDX-License-Identifier: MIT
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fields.h"
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

static void int_field(struct jsonw *o, const char *key, int64_t v)
{
	jsonw_key(o, key);
	jsonw_int(o, v);
}

static void ident_field(struct jsonw *o, const char *key,
			const struct ident *id)
{
	jsonw_key(o, key);
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

static void name_or_int(struct jsonw *o, const char *key, const char *name,
			int64_t v)
{
	jsonw_key(o, key);
	if (name)
		jsonw_string(o, name);
	else
		jsonw_int(o, v);
}

static void field(struct jsonw *o, const struct event_field *f,
		  const struct event *ev)
{
	const void *p = field_cptr(f, ev);

	switch ((enum field_kind)f->kind) {
	case FK_INT:
	case FK_STATUS:
		int_field(o, f->key, *(const int *)p);
		break;
	case FK_INT64:
		int_field(o, f->key, *(const int64_t *)p);
		break;
	case FK_UINT32:
		int_field(o, f->key, *(const uint32_t *)p);
		break;
	case FK_STRING:
		jsonw_key(o, f->key);
		jsonw_string(o, *(const char *const *)p);
		break;
	case FK_FLAGS:
		flags_field(o, f->key, syscall_flagset(ev->sc),
			    *(const uint64_t *)p);
		break;
	case FK_ACCESS:
		flags_field(o, f->key, FLAGS_ACCESS, *(const uint32_t *)p);
		break;
	case FK_RESOLVE:
		flags_field(o, f->key, FLAGS_RESOLVE, *(const uint64_t *)p);
		break;
	case FK_FCNTL_CMD:
		name_or_int(o, f->key, fcntl_cmd_name(*(const int *)p),
			    *(const int *)p);
		break;
	case FK_ERRNO:
		name_or_int(o, f->key, errno_name(*(const int *)p),
			    *(const int *)p);
		break;
	case FK_SIGNAL:
		name_or_int(o, f->key, signal_name(*(const int *)p),
			    *(const int *)p);
		break;
	case FK_ARGV:
		jsonw_key(o, f->key);
		string_array(o, ev->argv, ev->argc);
		break;
	case FK_IDENT:
		ident_field(o, f->key, p);
		break;
	case FK_PARENT:
		parent_field(o, f->key, p);
		break;
	case FK_FORK_KIND: {
		static const char *const kinds[] = {
			[FORK_PROCESS] = "process",
			[FORK_VFORK] = "vfork",
			[FORK_THREAD] = "thread",
		};

		jsonw_key(o, f->key);
		jsonw_string(o, kinds[ev->fork_kind]);
		break;
	}
	case FK_SHARES:
		jsonw_key(o, f->key);
		jsonw_begin_array(o);
		if (ev->share_files)
			jsonw_string(o, "files");
		if (ev->share_fs)
			jsonw_string(o, "fs");
		jsonw_end_array(o);
		break;
	case FK_CORE:
		jsonw_key(o, f->key);
		jsonw_bool(o, 1);
		break;
	case FK_SOURCE: {
		char src[PATH_MAX + 32];

		snprintf(src, sizeof(src), "%s:%lu", ev->source_file,
			 ev->source_line);
		jsonw_key(o, f->key);
		jsonw_string(o, src);
		break;
	}
	case FK_COUNT:
		break;
	}
}

void event_to_json(struct jsonw *o, const struct event *ev)
{
	static const char *const types[] = {
		[EV_SYSCALL] = "syscall",
		[EV_FORK] = "fork",
		[EV_EXIT] = "exit",
		[EV_WARNING] = "warning",
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
		jsonw_key(o, "syscall");
		jsonw_string(o, ev->sc->name);
	} else {
		jsonw_key(o, "ts");
		jsonw_uint(o, ev->ts_enter);
	}
	for (unsigned i = 0; i < event_fields_count; i++)
		if (field_present(&event_fields[i], ev))
			field(o, &event_fields[i], ev);
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
