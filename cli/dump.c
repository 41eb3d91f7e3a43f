// SPDX-License-Identifier: MIT
/* fsrace dump: a trace for people, one strace-like line per event. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "fields.h"
#include "findings.h"
#include "names.h"
#include "opt.h"
#include "reader.h"
#include "stacks.h"
#include "util.h"

struct line {
	char buf[16384];
	size_t len;
	int nargs;
};

static void put(struct line *l, const char *fmt, ...) PRINTF(2, 3);
static void put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len >= sizeof(l->buf))
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len += (size_t)n;
	if (l->len >= sizeof(l->buf))
		l->len = sizeof(l->buf) - 1;
}

static void arg(struct line *l)
{
	if (l->nargs++)
		put(l, ", ");
}

/* S escaped as in a C string literal, as strace does. */
static void escaped(struct line *l, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			put(l, "\\%c", *p);
		else if (*p == '\n')
			put(l, "\\n");
		else if (*p == '\t')
			put(l, "\\t");
		else if (*p < 0x20 || *p >= 0x7f)
			put(l, "\\x%02x", *p);
		else
			put(l, "%c", *p);
	}
}

static void quoted(struct line *l, const char *s)
{
	put(l, "\"");
	escaped(l, s);
	put(l, "\"");
}

/*
 * The path an fd or a name stands for, as strace -y shows it: <PATH>,
 * escaped so that a newline in a name cannot split the event's line.
 */
static void decoration(struct line *l, const char *path)
{
	put(l, "<");
	escaped(l, path);
	put(l, ">");
}

static void decorated_fd(struct line *l, int fd, const char *path)
{
	if (fd == AT_FDCWD_)
		put(l, "AT_FDCWD");
	else
		put(l, "%d", fd);
	if (path)
		decoration(l, path);
}

static void flag_name(const char *name, void *ud)
{
	struct line *l = ud;

	put(l, "%s%s",
	    l->buf[l->len - 1] == '(' || l->buf[l->len - 1] == ' ' ? "" : "|",
	    name);
}

static void flags_arg(struct line *l, enum flagset set, uint64_t v)
{
	size_t before;

	arg(l);
	before = l->len;
	flags_each(set, v, flag_name, l);
	if (l->len == before)
		put(l, "0");
}

/* The argument F shows, and after it the field decorating it, DECOR. */
static void field_arg(struct line *l, const struct event_field *f,
		      const struct event_field *decor, const struct event *ev)
{
	const void *p = field_cptr(f, ev);
	const char *s = field_string(f, ev);
	const char *d = decor ? field_string(decor, ev) : NULL;

	if (f->optional && !(ev->has & f->has))
		return;
	switch ((enum field_kind)f->kind) {
	case FK_INT:
		arg(l);
		decorated_fd(l, *(const int *)p, d);
		return;
	case FK_STRING:
		arg(l);
		if (s)
			quoted(l, s);
		else
			put(l, "%s", f->null ? f->null : "");
		if (s && d && strcmp(d, s))
			decoration(l, d);
		return;
	case FK_INT64:
		arg(l);
		put(l, "%lld", (long long)*(const int64_t *)p);
		return;
	case FK_UINT32:
		arg(l);
		put(l, "0%o", *(const uint32_t *)p);
		return;
	case FK_FLAGS:
		flags_arg(l, syscall_flagset(ev->sc), *(const uint64_t *)p);
		return;
	case FK_ACCESS:
		flags_arg(l, FLAGS_ACCESS, *(const uint32_t *)p);
		return;
	case FK_RESOLVE:
		flags_arg(l, FLAGS_RESOLVE, *(const uint64_t *)p);
		return;
	case FK_FCNTL_CMD: {
		const char *n = fcntl_cmd_name(*(const int *)p);

		arg(l);
		if (n)
			put(l, "%s", n);
		else
			put(l, "%d", *(const int *)p);
		return;
	}
	case FK_ARGV:
		arg(l);
		put(l, "[");
		for (int a = 0; a < ev->argc; a++) {
			if (a)
				put(l, ", ");
			quoted(l, ev->argv[a]);
		}
		put(l, "]");
		return;
	default:
		return;
	}
}

static void syscall_line(struct line *l, const struct event *ev)
{
	const struct syscall_desc *sc = ev->sc;

	put(l, "%s(", sc->name);
	for (int i = 0; i < 6; i++) {
		const struct event_field *f = field_of_arg(sc->args[i]);
		const struct event_field *decor = NULL;

		if (!f)
			continue;
		/* dirfd<path>, "path"<abspath>: the member after a leader */
		if (f->role == FR_LEADER &&
		    f + 1 < event_fields + event_fields_count &&
		    f[1].role == FR_MEMBER && f[1].has == f->has &&
		    f[1].kind == FK_STRING)
			decor = f + 1;
		field_arg(l, f, decor, ev);
	}
	put(l, ")");
	if (!(ev->has & HAS_RET)) {
		put(l, " = ?");
	} else if (ev->ret < 0 && ev->err <= 0) {
		put(l, " = %lld", (long long)ev->ret);
	} else if (ev->ret < 0) {
		const char *e = errno_name(ev->err);

		/* strerror knows no name another kernel's log had */
		if (ev->err >= ERRNO_INTERNED)
			put(l, " = -1 %s", e ? e : "?");
		else
			put(l, " = -1 %s (%s)", e ? e : "?", strerror(ev->err));
	} else {
		put(l, " = %lld", (long long)ev->ret);
		if (ev->ret_path)
			decoration(l, ev->ret_path);
	}
	if (ev->stat.valid)
		put(l, " {dev=%llu, ino=%llu, mode=0%o, nlink=%llu, uid=%u}",
		    (unsigned long long)ev->stat.dev,
		    (unsigned long long)ev->stat.ino, ev->stat.mode,
		    (unsigned long long)ev->stat.nlink, ev->stat.uid);
	if (ev->has & HAS_EXISTED)
		put(l, ev->existed ? " (existed)" : " (new)");
	if ((ev->has & HAS_INJECTED) && ev->injected)
		put(l, " (INJECTED)");
	if (ev->has & HAS_WIDENED)
		put(l, " (WIDENED %lld us)",
		    (long long)(ev->widened_ns / 1000));
	if ((ev->has & HAS_STACK_DROPPED) && ev->stack_dropped)
		put(l, " (STACK NOT KEPT)");
	if (ev->has & HAS_CREDS)
		put(l, " {uid=%u, euid=%u%s}", ev->creds.uid, ev->creds.euid,
		    ev->creds.secure ? ", secure" : "");
	if (ev->has & HAS_OLD_TID)
		put(l, " (was tid %d)", ev->old_tid);
	if (ev->ts_exit > ev->ts_enter)
		put(l, " <%.6f>", (double)(ev->ts_exit - ev->ts_enter) / 1e9);
}

/*
 * The frames of S, innermost first, as strace -k prints them:
 * " > MODULE(FUNCTION+0xOFF) [0xADDR]", then " FILE:LINE" where the
 * module's DWARF has it. ADDR is the address in the module (its link
 * address); a frame no module held shows the instruction pointer alone.
 */
static void print_stack(const struct frame_namer *namer,
			const struct stack_trace *s)
{
	/* an interpreter's frames first: " > python FUNCTION (FILE:LINE)" */
	for (uint32_t i = 0; i < s->npy; i++) {
		printf(" > python %s (%s", s->py[i].function, s->py[i].file);
		if (s->py[i].line >= 0)
			printf(":%d", s->py[i].line);
		puts(")");
	}
	for (uint32_t i = 0; i < s->n; i++) {
		const struct stack_module *m = s->pc[i].mod;
		struct frame_name f;

		if (!m) {
			printf(" > [0x%" PRIx64 "]\n", s->pc[i].addr);
			continue;
		}
		/* past the innermost frame, a return address: the call is
		 * the instruction before it */
		frame_name_of(namer, &s->pc[i], i > 0, &f);
		/* inlined functions first, as `eu-addr2line -i` tells them:
		 * " > MODULE(FUNCTION) [inlined] FILE:LINE" */
		for (int c = 0; c < f.ncallers; c++) {
			struct frame_name p;

			frame_name_part(&f, c, &p);
			printf(" > %s(%s) [inlined]", m->path,
			       p.function ? p.function : "??");
			if (p.file)
				printf(" %s:%d", p.file, p.line);
			putchar('\n');
		}
		if (f.ncallers) {
			struct frame_name whole = f;

			frame_name_part(&whole, whole.ncallers, &f);
		}
		if (f.function)
			printf(" > %s(%s+0x%" PRIx64 ") [0x%" PRIx64 "]",
			       m->path, f.function, f.offset, s->pc[i].addr);
		else
			printf(" > %s(?\?) [0x%" PRIx64 "]", m->path,
			       s->pc[i].addr);
		if (f.file)
			printf(" %s:%d", f.file, f.line);
		if (f.problem)
			printf(" (%s)", f.problem);
		putchar('\n');
	}
}

static void print_event(const struct event *ev)
{
	static const char *const kinds[] = {"process", "vfork", "thread"};
	struct line l = {.len = 0};
	time_t secs = (time_t)(ev->ts_enter / 1000000000ULL);
	struct tm tm;
	char ts[16];

	localtime_r(&secs, &tm);
	strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	if (ev->pid == ev->tid)
		put(&l, "%-6d ", ev->pid);
	else
		put(&l, "%d/%d ", ev->pid, ev->tid);
	put(&l, "%s.%06llu ", ts,
	    (unsigned long long)(ev->ts_enter % 1000000000ULL) / 1000);
	switch (ev->type) {
	case EV_SYSCALL:
		syscall_line(&l, ev);
		break;
	case EV_FORK:
		put(&l, "+++ %s %d/%d (%s%s%s) +++",
		    ev->fork_kind == FORK_THREAD ? "thread" : "child",
		    ev->child_pid, ev->child_tid, kinds[ev->fork_kind],
		    ev->share_files ? ", shares files" : "",
		    ev->share_fs ? ", shares fs" : "");
		break;
	case EV_EXIT:
		if (ev->exit_signal)
			put(&l, "+++ killed by %s%s +++",
			    signal_name(ev->exit_signal) ?: "?",
			    ev->core_dumped ? " (core dumped)" : "");
		else
			put(&l, "+++ exited with %d +++", ev->exit_status);
		break;
	case EV_WARNING:
		put(&l, "!!! %s !!!", ev->message ? ev->message : "");
		break;
	}
	puts(l.buf);
}

int cmd_dump(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct trace_reader r;
	struct opt_parser p;
	struct event ev;
	struct frame_namer *namer;
	const char *file;
	char err[1024];
	int c, ret;

	opt_parser_init(&p, "dump", argc, argv, "h", lopts, false);
	while ((c = opt_parser_next(&p)) != OPT_END) {
		if (c != 'h')
			return EXIT_USAGE;
		puts("usage: fsrace dump FILE (- for standard input)");
		return EXIT_CLEAN;
	}
	file = opt_parser_operand(&p);
	if (!file || opt_parser_operand(&p)) {
		errorx("dump needs one trace file: fsrace dump FILE");
		return EXIT_USAGE;
	}
	/* "-": standard input, read as it comes (a pipe too: nothing is
	 * read from it twice) */
	if (trace_reader_open_as(&r,
				 strcmp(file, "-") ? file : "/proc/self/fd/0",
				 file, err, sizeof(err)) < 0) {
		errorx("%s", err);
		trace_reader_close(&r);
		return EXIT_USAGE;
	}
	namer = cli_frame_namer_new();
	while ((ret = trace_reader_next(&r, &ev, err, sizeof(err))) > 0) {
		print_event(&ev);
		if (ev.has & HAS_STACK)
			print_stack(namer, ev.stack);
	}
	cli_frame_namer_free(namer);
	trace_reader_close(&r);
	if (ret < 0) {
		fflush(stdout);
		errorx("%s", err);
		return EXIT_USAGE;
	}
	return EXIT_CLEAN;
}
