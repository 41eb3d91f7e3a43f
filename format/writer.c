// SPDX-License-Identifier: MIT
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fields.h"
#include "names.h"
#include "stacks.h"
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
	if (h->inject) {
		jsonw_key(o, "inject");
		string_array(o, h->inject, -1);
	}
	if (h->widen) {
		jsonw_key(o, "widen");
		jsonw_string(o, h->widen);
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

/*
 * What the writer knows of the table before the first record, so that a
 * record costs no more than the hand-written writer it replaced: each
 * key's JSON text ("key":), and for each record type its rows grouped
 * by presence bit (a leader and its members, or one plain row), so that
 * an absent group is skipped with one test.
 */
struct row_group {
	uint32_t has; /* 0: a plain row */
	uint8_t first, n;
};

#define KEY_TEXT 20 /* the reader takes keys of up to 13 bytes */

static struct {
	char key[EVENT_FIELDS_MAX][KEY_TEXT];
	uint8_t key_len[EVENT_FIELDS_MAX];
	struct row_group group[4][EVENT_FIELDS_MAX];
	uint8_t ngroups[4];
} plan;

/* before main(), like fields.c's: nothing per record checks that it ran */
__attribute__((constructor)) static void plan_rows(void)
{
	for (unsigned i = 0; i < event_fields_count; i++) {
		const struct event_field *f = &event_fields[i];
		int n = snprintf(plan.key[i], KEY_TEXT, "\"%s\":", f->key);

		plan.key_len[i] = (uint8_t)(n < KEY_TEXT ? n : 0);
		for (unsigned t = 0; t < 4; t++) {
			struct row_group *g =
				&plan.group[t][plan.ngroups[t]
						       ? plan.ngroups[t] - 1
						       : 0];

			if (!(f->types & 1u << t))
				continue;
			if (f->role == FR_MEMBER && plan.ngroups[t] &&
			    g->has == f->has && g->first + g->n == i) {
				g->n++;
				continue;
			}
			plan.group[t][plan.ngroups[t]++] = (struct row_group){
				.has = f->role == FR_PLAIN ? 0 : f->has,
				.first = (uint8_t)i,
				.n = 1,
			};
		}
	}
}

static inline void key(struct jsonw *o, unsigned row)
{
	jsonw_key_text(o, plan.key[row], plan.key_len[row]);
}

/* Kernel names and the hex fallback need no escaping. */
static void flag_name(const char *name, void *ud)
{
	jsonw_plain_string(ud, name, strlen(name));
}

static void flags_field(struct jsonw *o, unsigned row, enum flagset set,
			uint64_t v)
{
	key(o, row);
	jsonw_begin_array(o);
	flags_each(set, v, flag_name, o);
	jsonw_end_array(o);
}

static inline void int_text(struct jsonw *o, const char *text, size_t n,
			    int64_t v)
{
	jsonw_key_text(o, text, n);
	jsonw_int(o, v);
}

#define INT_KEY(o, k, v) int_text(o, "\"" k "\":", sizeof(k) + 2, v)
#define UINT_KEY(o, k, v)                                                      \
	do {                                                                   \
		jsonw_key_text(o, "\"" k "\":", sizeof(k) + 2);                \
		jsonw_uint(o, v);                                              \
	} while (0)

static void ident_field(struct jsonw *o, unsigned row, const struct ident *id)
{
	key(o, row);
	jsonw_begin_object(o);
	UINT_KEY(o, "dev", id->dev);
	UINT_KEY(o, "ino", id->ino);
	INT_KEY(o, "mode", id->mode);
	UINT_KEY(o, "nlink", id->nlink);
	INT_KEY(o, "uid", id->uid);
	INT_KEY(o, "gid", id->gid);
	INT_KEY(o, "size", id->size);
	jsonw_end_object(o);
}

static void parent_field(struct jsonw *o, unsigned row,
			 const struct parent_info *p)
{
	key(o, row);
	jsonw_begin_object(o);
	jsonw_key_text(o, "\"path\":", 7);
	jsonw_string(o, p->path);
	INT_KEY(o, "uid", p->uid);
	INT_KEY(o, "mode", p->mode);
	jsonw_end_object(o);
}

static void creds_field(struct jsonw *o, unsigned row, const struct creds *c)
{
	key(o, row);
	jsonw_begin_object(o);
	INT_KEY(o, "uid", c->uid);
	INT_KEY(o, "euid", c->euid);
	jsonw_key_text(o, "\"secure\":", 9);
	jsonw_bool(o, c->secure);
	jsonw_end_object(o);
}

static void name_or_int(struct jsonw *o, unsigned row, const char *name,
			int64_t v)
{
	key(o, row);
	if (name)
		jsonw_plain_string(o, name, strlen(name));
	else
		jsonw_int(o, v);
}

static void field(struct jsonw *o, unsigned row, const struct event *ev)
{
	const struct event_field *f = &event_fields[row];
	const void *p = field_cptr(f, ev);

	switch ((enum field_kind)f->kind) {
	case FK_INT:
	case FK_STATUS:
		key(o, row);
		jsonw_int(o, *(const int *)p);
		break;
	case FK_INT64:
		key(o, row);
		jsonw_int(o, *(const int64_t *)p);
		break;
	case FK_UINT32:
		key(o, row);
		jsonw_int(o, *(const uint32_t *)p);
		break;
	case FK_STRING:
		key(o, row);
		jsonw_string(o, *(const char *const *)p);
		break;
	case FK_FLAGS:
		flags_field(o, row, syscall_flagset(ev->sc),
			    *(const uint64_t *)p);
		break;
	case FK_ACCESS:
		flags_field(o, row, FLAGS_ACCESS, *(const uint32_t *)p);
		break;
	case FK_RESOLVE:
		flags_field(o, row, FLAGS_RESOLVE, *(const uint64_t *)p);
		break;
	case FK_FCNTL_CMD:
		name_or_int(o, row, fcntl_cmd_name(*(const int *)p),
			    *(const int *)p);
		break;
	case FK_ERRNO:
		name_or_int(o, row, errno_name(*(const int *)p),
			    *(const int *)p);
		break;
	case FK_SIGNAL:
		name_or_int(o, row, signal_name(*(const int *)p),
			    *(const int *)p);
		break;
	case FK_ARGV:
		key(o, row);
		string_array(o, ev->argv, ev->argc);
		break;
	case FK_IDENT:
		ident_field(o, row, p);
		break;
	case FK_PARENT:
		parent_field(o, row, p);
		break;
	case FK_CREDS:
		creds_field(o, row, p);
		break;
	case FK_BOOL:
		key(o, row);
		jsonw_bool(o, *(const bool *)p);
		break;
	case FK_STACK:
		key(o, row);
		jsonw_uint(o, (*(const struct stack_trace *const *)p)->id);
		break;
	case FK_FORK_KIND: {
		static const char *const kinds[] = {
			[FORK_PROCESS] = "process",
			[FORK_VFORK] = "vfork",
			[FORK_THREAD] = "thread",
		};

		key(o, row);
		jsonw_plain_string(o, kinds[ev->fork_kind],
				   strlen(kinds[ev->fork_kind]));
		break;
	}
	case FK_SHARES:
		key(o, row);
		jsonw_begin_array(o);
		if (ev->share_files)
			jsonw_plain_string(o, "files", 5);
		if (ev->share_fs)
			jsonw_plain_string(o, "fs", 2);
		jsonw_end_array(o);
		break;
	case FK_CORE:
		key(o, row);
		jsonw_bool(o, 1);
		break;
	case FK_SOURCE: {
		char src[PATH_MAX + 32];

		snprintf(src, sizeof(src), "%s:%lu", ev->source_file,
			 ev->source_line);
		key(o, row);
		jsonw_string(o, src);
		break;
	}
	case FK_COUNT:
		break;
	}
}

void event_to_json(struct jsonw *o, const struct event *ev)
{
	static const struct {
		const char *name;
		uint8_t len;
	} types[] = {
		[EV_SYSCALL] = {"syscall", 7},
		[EV_FORK] = {"fork", 4},
		[EV_EXIT] = {"exit", 4},
		[EV_WARNING] = {"warning", 7},
	};
	const struct row_group *g = plan.group[ev->type];
	const struct row_group *end = g + plan.ngroups[ev->type];

	jsonw_begin_object(o);
	jsonw_key_text(o, "\"type\":", 7);
	jsonw_plain_string(o, types[ev->type].name, types[ev->type].len);
	UINT_KEY(o, "seq", ev->seq);
	INT_KEY(o, "pid", ev->pid);
	INT_KEY(o, "tid", ev->tid);
	if (ev->type == EV_SYSCALL) {
		UINT_KEY(o, "ts_enter", ev->ts_enter);
		UINT_KEY(o, "ts_exit", ev->ts_exit);
		jsonw_key_text(o, "\"syscall\":", 10);
		jsonw_plain_string(o, ev->sc->name, strlen(ev->sc->name));
	} else {
		UINT_KEY(o, "ts", ev->ts_enter);
	}
	for (; g < end; g++) {
		if (g->has && !(ev->has & g->has))
			continue;
		for (unsigned r = g->first; r < g->first + g->n; r++)
			if (field_has_value(&event_fields[r], ev))
				field(o, r, ev);
	}
	jsonw_end_object(o);
}

void module_to_json(struct jsonw *o, const struct stack_module *m)
{
	char hex[2 * STACK_BUILD_ID_MAX + 1], num[24];

	jsonw_begin_object(o);
	jsonw_key(o, "type");
	jsonw_plain_string(o, "module", 6);
	jsonw_key(o, "id");
	jsonw_uint(o, m->id);
	jsonw_key(o, "path");
	jsonw_string(o, m->path);
	/* as strings, as the frames' addresses: jansson, which reads these
	 * records back, stops at 2^63 (overlayfs inodes go above) */
	snprintf(num, sizeof(num), "%" PRIu64, m->dev);
	jsonw_key(o, "dev");
	jsonw_plain_string(o, num, strlen(num));
	snprintf(num, sizeof(num), "%" PRIu64, m->ino);
	jsonw_key(o, "ino");
	jsonw_plain_string(o, num, strlen(num));
	if (m->build_id_len) {
		stack_build_id_hex(m, hex);
		jsonw_key(o, "build_id");
		jsonw_plain_string(o, hex, strlen(hex));
	}
	jsonw_end_object(o);
}

void stack_to_json(struct jsonw *o, const struct stack_trace *s)
{
	jsonw_begin_object(o);
	jsonw_key(o, "type");
	jsonw_plain_string(o, "stack", 5);
	jsonw_key(o, "id");
	jsonw_uint(o, s->id);
	jsonw_key(o, "frames");
	jsonw_begin_array(o);
	for (uint32_t i = 0; i < s->n; i++) {
		char hex[24];
		int n = snprintf(hex, sizeof(hex), "0x%" PRIx64, s->pc[i].addr);

		const struct stack_named *nm = s->pc[i].named;

		jsonw_begin_array(o);
		jsonw_uint(o, s->pc[i].mod ? s->pc[i].mod->id : 0);
		jsonw_plain_string(o, hex, (size_t)n);
		if (nm) {
			/* as the log named it (format 3) */
			jsonw_begin_object(o);
			if (nm->function) {
				n = snprintf(hex, sizeof(hex), "0x%" PRIx64,
					     nm->offset);
				jsonw_key(o, "function");
				jsonw_string(o, nm->function);
				jsonw_key(o, "offset");
				jsonw_plain_string(o, hex, (size_t)n);
			}
			if (nm->file) {
				jsonw_key(o, "file");
				jsonw_string(o, nm->file);
				jsonw_key(o, "line");
				jsonw_int(o, nm->line);
			}
			jsonw_end_object(o);
		}
		jsonw_end_array(o);
	}
	jsonw_end_array(o);
	if (s->npy) {
		jsonw_key(o, "py");
		jsonw_begin_array(o);
		for (uint32_t i = 0; i < s->npy; i++) {
			jsonw_begin_array(o);
			jsonw_string(o, s->py[i].file);
			jsonw_string(o, s->py[i].function);
			jsonw_int(o, s->py[i].line);
			jsonw_end_array(o);
		}
		jsonw_end_array(o);
	}
	jsonw_end_object(o);
}

/* Set bit ID of *SET (growing it); whether it was clear. */
static bool first_time(uint64_t **set, size_t *cap, uint32_t id)
{
	size_t word = id / 64;

	if (word >= *cap) {
		size_t n = *cap ? *cap : 4;

		while (n <= word)
			n *= 2;
		*set = xrealloc(*set, n * sizeof(**set));
		memset(*set + *cap, 0, (n - *cap) * sizeof(**set));
		*cap = n;
	}
	if ((*set)[word] & UINT64_C(1) << (id % 64))
		return false;
	(*set)[word] |= UINT64_C(1) << (id % 64);
	return true;
}

/* S and its modules, each the first time it is used */
static void stack_records(struct trace_writer *w, const struct stack_trace *s)
{
	if (!first_time(&w->stacks_out, &w->stacks_cap, s->id))
		return;
	for (uint32_t i = 0; i < s->n; i++) {
		const struct stack_module *m = s->pc[i].mod;

		if (m && first_time(&w->modules_out, &w->modules_cap, m->id)) {
			module_to_json(&w->out, m);
			end_line(w);
		}
	}
	stack_to_json(&w->out, s);
	end_line(w);
}

void trace_writer_event(struct trace_writer *w, const struct event *ev)
{
	if ((ev->has & HAS_STACK) && ev->type == EV_SYSCALL)
		stack_records(w, ev->stack);
	event_to_json(&w->out, ev);
	end_line(w);
}

static void writer_release(struct trace_writer *w)
{
	jsonw_release(&w->out);
	free(w->modules_out);
	free(w->stacks_out);
	w->modules_out = w->stacks_out = NULL;
	w->modules_cap = w->stacks_cap = 0;
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
	writer_release(w);
	return r;
}

void trace_writer_discard(struct trace_writer *w)
{
	if (w->fd >= 0)
		atomic_file_discard(&w->file);
	w->fd = -1;
	w->path = NULL;
	writer_release(w);
}
