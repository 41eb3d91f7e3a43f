// SPDX-License-Identifier: MIT
#include "reader.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "names.h"
#include "util.h"
#include "writer.h"

#define BAD(...)                                                     \
	do {                                                         \
		snprintf(err, errlen, __VA_ARGS__);                  \
		return -EINVAL;                                      \
	} while (0)

/* Read one line; returns its length, 0 at EOF, sets *complete. */
static ssize_t read_line(struct trace_reader *r, bool *complete)
{
	ssize_t n = getline(&r->buf, &r->cap, r->f);

	if (n <= 0)
		return 0;
	r->line++;
	*complete = r->buf[n - 1] == '\n';
	if (*complete)
		r->buf[--n] = '\0';
	return n ? n : -1; /* -1: an empty line */
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static bool get_int(json_t *o, const char *key, int64_t *v)
{
	json_t *j = json_object_get(o, key);

	if (!json_is_integer(j))
		return false;
	*v = json_integer_value(j);
	return true;
}

static const char **string_array(struct trace_reader *r, json_t *a,
				 const char ***store, size_t *cap, int *ret_n)
{
	size_t n = json_array_size(a);

	if (n + 1 > *cap) {
		*cap = n + 1;
		*store = xrealloc(*store, *cap * sizeof(char *));
	}
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(a, i));

		(*store)[i] = s ? s : "";
	}
	(*store)[n] = NULL;
	if (ret_n)
		*ret_n = (int)n;
	(void)r;
	return *store;
}

int trace_reader_open(struct trace_reader *r, const char *path, char *err,
		      size_t errlen)
{
	json_error_t je;
	json_t *h;
	bool complete;
	ssize_t n;
	int64_t v;
	size_t hcap = 0;

	memset(r, 0, sizeof(*r));
	r->f = fopen(path, "re");
	if (!r->f) {
		int e = errno;

		snprintf(err, errlen, "cannot open '%s': %s", path,
			 strerror(e));
		return -e;
	}
	r->path = xstrdup(path);
	n = read_line(r, &complete);
	if (n == 0)
		BAD("%s: empty file, not a trace", path);
	h = json_loadb(r->buf, n < 0 ? 0 : (size_t)n, 0, &je);
	if (!h || !json_is_object(h) || !str(h, "format") ||
	    strcmp(str(h, "format"), "fsrace-trace")) {
		json_decref(h);
		BAD("%s:1: not an fsrace trace (no fsrace-trace header)", path);
	}
	r->header_json = h;
	if (!get_int(h, "version", &v) || v != TRACE_FORMAT_VERSION)
		BAD("%s:1: unsupported trace format version", path);
	r->header.version = (int)v;
	r->header.fsrace_version = str(h, "fsrace_version");
	r->header.argv = string_array(r, json_object_get(h, "argv"),
				      &r->hargv, &hcap, NULL);
	r->header.cwd = str(h, "cwd");
	if (get_int(h, "start_ns", &v))
		r->header.start_ns = (uint64_t)v;
	r->header.host = str(h, "host");
	r->header.kernel = str(h, "kernel");
	{
		json_t *o = json_object_get(h, "options");
		const char *mode = str(o, "mode");

		r->header.attach = mode && !strcmp(mode, "attach");
		r->header.seccomp = json_is_true(json_object_get(o, "seccomp"));
		r->header.seccomp_reason = str(o, "seccomp_reason");
		if (get_int(o, "pid", &v))
			r->header.attach_pid = (int)v;
	}
	return 0;
}

static uint64_t parse_flags(json_t *a, enum flagset set, bool *ok)
{
	uint64_t bits = 0, b;
	size_t i;
	json_t *x;

	if (!json_is_array(a)) {
		*ok = false;
		return 0;
	}
	json_array_foreach(a, i, x) {
		const char *s = json_string_value(x);

		if (!s || flags_parse(set, s, &b) < 0)
			*ok = false;
		else
			bits |= b;
	}
	return bits;
}

static void parse_ident(json_t *o, struct ident *id)
{
	int64_t v;

	if (!json_is_object(o))
		return;
	id->valid = true;
	if (get_int(o, "dev", &v))
		id->dev = (uint64_t)v;
	if (get_int(o, "ino", &v))
		id->ino = (uint64_t)v;
	if (get_int(o, "mode", &v))
		id->mode = (uint32_t)v;
	if (get_int(o, "nlink", &v))
		id->nlink = (uint64_t)v;
	if (get_int(o, "uid", &v))
		id->uid = (uint32_t)v;
	if (get_int(o, "gid", &v))
		id->gid = (uint32_t)v;
	if (get_int(o, "size", &v))
		id->size = v;
}

static void parse_parent(json_t *o, struct parent_info *p)
{
	int64_t v;

	if (!json_is_object(o))
		return;
	p->valid = true;
	p->path = str(o, "path");
	if (get_int(o, "uid", &v))
		p->uid = (uint32_t)v;
	if (get_int(o, "mode", &v))
		p->mode = (uint32_t)v;
}

static int parse_syscall(struct trace_reader *r, json_t *o, struct event *ev,
			 char *err, size_t errlen)
{
	const char *name = str(o, "syscall");
	int64_t v;
	bool ok = true;
	json_t *j;

	if (!name)
		BAD("%s:%lu: syscall record without \"syscall\"", r->path,
		    r->line);
	ev->sc = syscall_by_name(name);
	if (!ev->sc)
		return 0; /* a syscall this version does not know */
	if (get_int(o, "ts_enter", &v))
		ev->ts_enter = (uint64_t)v;
	if (get_int(o, "ts_exit", &v))
		ev->ts_exit = (uint64_t)v;
	if (get_int(o, "dirfd", &v)) {
		ev->has |= HAS_DIRFD;
		ev->dirfd = (int)v;
		ev->dirfd_path = str(o, "dirfd_path");
	}
	if ((ev->path = str(o, "path"))) {
		ev->has |= HAS_PATH;
		ev->abspath = str(o, "abspath");
	}
	if (get_int(o, "dirfd2", &v)) {
		ev->has |= HAS_DIRFD2;
		ev->dirfd2 = (int)v;
		ev->dirfd2_path = str(o, "dirfd2_path");
	}
	if ((ev->path2 = str(o, "path2"))) {
		ev->has |= HAS_PATH2;
		ev->abspath2 = str(o, "abspath2");
	}
	if (get_int(o, "fd", &v)) {
		ev->has |= HAS_FD;
		ev->fd = (int)v;
		ev->fd_path = str(o, "fd_path");
	}
	if (get_int(o, "fd2", &v)) {
		ev->has |= HAS_FD2;
		ev->fd2 = (int)v;
		ev->fd2_path = str(o, "fd2_path");
	}
	if ((j = json_object_get(o, "flags"))) {
		ev->has |= HAS_FLAGS;
		ev->flags = parse_flags(j, syscall_flagset(ev->sc), &ok);
	}
	if (get_int(o, "mode", &v)) {
		ev->has |= HAS_MODE;
		ev->mode = (uint32_t)v;
	}
	if ((j = json_object_get(o, "access"))) {
		ev->has |= HAS_ACCESS;
		ev->access = (uint32_t)parse_flags(j, FLAGS_ACCESS, &ok);
	}
	if ((j = json_object_get(o, "resolve"))) {
		ev->has |= HAS_RESOLVE;
		ev->resolve = parse_flags(j, FLAGS_RESOLVE, &ok);
	}
	if (get_int(o, "uid", &v)) {
		ev->has |= HAS_OWNER;
		ev->uid = v;
		if (get_int(o, "gid", &v))
			ev->gid = v;
	}
	if (get_int(o, "length", &v)) {
		ev->has |= HAS_LENGTH;
		ev->length = v;
	}
	if ((j = json_object_get(o, "cmd"))) {
		ev->has |= HAS_CMD;
		if (json_is_string(j))
			ev->cmd = fcntl_cmd_parse(json_string_value(j));
		else
			ev->cmd = (int)json_integer_value(j);
		if (get_int(o, "arg", &v))
			ev->arg = v;
	}
	if ((ev->xattr = str(o, "xattr")))
		ev->has |= HAS_XATTR;
	if ((ev->target = str(o, "target")))
		ev->has |= HAS_TARGET;
	if ((j = json_object_get(o, "argv"))) {
		ev->has |= HAS_ARGV;
		ev->argv = string_array(r, j, &r->argv, &r->argv_cap,
					&ev->argc);
	}
	if (get_int(o, "old_tid", &v)) {
		ev->has |= HAS_OLD_TID;
		ev->old_tid = (int)v;
	}
	if (get_int(o, "ret", &v)) {
		ev->has |= HAS_RET;
		ev->ret = v;
		if ((j = json_object_get(o, "errno"))) {
			if (json_is_string(j))
				ev->err = errno_parse(json_string_value(j));
			else
				ev->err = (int)json_integer_value(j);
			if (ev->err < 0)
				ok = false;
		}
	}
	ev->ret_path = str(o, "ret_path");
	parse_ident(json_object_get(o, "stat"), &ev->stat);
	parse_parent(json_object_get(o, "parent"), &ev->parent);
	parse_parent(json_object_get(o, "parent2"), &ev->parent2);
	if (!ok)
		BAD("%s:%lu: unknown flag or errno name", r->path, r->line);
	return 1;
}

static int parse_record(struct trace_reader *r, json_t *o, struct event *ev,
			char *err, size_t errlen)
{
	const char *type = str(o, "type");
	int64_t pid, tid, v;
	json_t *j;

	if (!type || !get_int(o, "seq", &v) || !get_int(o, "pid", &pid) ||
	    !get_int(o, "tid", &tid))
		BAD("%s:%lu: record lacks type, seq, pid or tid", r->path,
		    r->line);
	if (!strcmp(type, "syscall"))
		event_init(ev, EV_SYSCALL);
	else if (!strcmp(type, "fork"))
		event_init(ev, EV_FORK);
	else if (!strcmp(type, "exit"))
		event_init(ev, EV_EXIT);
	else if (!strcmp(type, "warning"))
		event_init(ev, EV_WARNING);
	else
		return 0; /* a record type this version does not know */
	ev->seq = (uint64_t)v;
	ev->pid = (int)pid;
	ev->tid = (int)tid;
	if (get_int(o, "ts", &v))
		ev->ts_enter = ev->ts_exit = (uint64_t)v;
	switch (ev->type) {
	case EV_SYSCALL:
		return parse_syscall(r, o, ev, err, errlen);
	case EV_FORK: {
		const char *kind = str(o, "kind");
		size_t i;

		if (get_int(o, "child_pid", &v))
			ev->child_pid = (int)v;
		if (get_int(o, "child_tid", &v))
			ev->child_tid = (int)v;
		ev->fork_syscall = str(o, "syscall");
		ev->fork_kind = !kind			  ? FORK_PROCESS
				: !strcmp(kind, "thread") ? FORK_THREAD
				: !strcmp(kind, "vfork")  ? FORK_VFORK
							  : FORK_PROCESS;
		json_array_foreach(json_object_get(o, "shares"), i, j) {
			const char *s = json_string_value(j);

			if (s && !strcmp(s, "files"))
				ev->share_files = true;
			if (s && !strcmp(s, "fs"))
				ev->share_fs = true;
		}
		return 1;
	}
	case EV_EXIT:
		if (get_int(o, "status", &v))
			ev->exit_status = (int)v;
		if ((j = json_object_get(o, "signal"))) {
			ev->exit_signal = json_is_string(j)
				? signal_parse(json_string_value(j))
				: (int)json_integer_value(j);
			if (ev->exit_signal <= 0)
				BAD("%s:%lu: unknown signal", r->path, r->line);
		}
		ev->core_dumped = json_is_true(json_object_get(o,
							       "core_dumped"));
		return 1;
	case EV_WARNING:
		ev->message = str(o, "message");
		return 1;
	}
	return 0;
}

int trace_reader_next(struct trace_reader *r, struct event *ev, char *err,
		      size_t errlen)
{
	for (;;) {
		json_error_t je;
		bool complete;
		ssize_t n;
		json_t *o;
		int ret;

		json_decref(r->cur);
		r->cur = NULL;
		n = read_line(r, &complete);
		if (n == 0)
			return 0;
		if (n < 0)
			BAD("%s:%lu: empty line", r->path, r->line);
		o = json_loadb(r->buf, (size_t)n, 0, &je);
		if (!o || !json_is_object(o)) {
			json_decref(o);
			if (!complete && fgetc(r->f) == EOF) {
				warnx_("%s:%lu: truncated record skipped",
				       r->path, r->line);
				return 0;
			}
			BAD("%s:%lu: malformed record: %s", r->path, r->line,
			    o ? "not an object" : je.text);
		}
		r->cur = o;
		ret = parse_record(r, o, ev, err, errlen);
		if (ret != 0)
			return ret;
		r->skipped++;
	}
}

void trace_reader_close(struct trace_reader *r)
{
	json_decref(r->cur);
	json_decref(r->header_json);
	if (r->f)
		fclose(r->f);
	free(r->buf);
	free(r->path);
	free(r->argv);
	free(r->hargv);
	memset(r, 0, sizeof(*r));
}
