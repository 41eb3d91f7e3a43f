// SPDX-License-Identifier: MIT
/*
 * schema/fields.c, the table of event fields: every row, present and
 * absent, goes through the trace writer, the reader and the analyzer
 * thread's copy (event_copy_strings) and comes out the same; a member of
 * struct event that no row describes fails test_every_member_has_a_row.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fields.h"
#include "findings.h"
#include "names.h"
#include "reader.h"
#include "stacks.h"
#include "writer.h"

static char tmpdir[] = "/tmp/test-fields-XXXXXX";
static char path[64];

static size_t kind_size(const struct event_field *f)
{
	switch ((enum field_kind)f->kind) {
	case FK_INT:
	case FK_UINT32:
	case FK_ACCESS:
	case FK_FCNTL_CMD:
	case FK_ERRNO:
	case FK_SIGNAL:
	case FK_STATUS:
		return 4;
	case FK_INT64:
	case FK_STRING:
	case FK_FLAGS:
	case FK_RESOLVE:
	case FK_ARGV:
	case FK_SOURCE:
	case FK_STACK:
		return 8;
	case FK_IDENT:
		return sizeof(struct ident);
	case FK_PARENT:
		return sizeof(struct parent_info);
	case FK_FORK_KIND:
		return sizeof(enum fork_kind);
	case FK_SHARES:
	case FK_CORE:
	case FK_BOOL:
		return 1;
	case FK_CREDS:
		return sizeof(struct creds);
	case FK_COUNT:
		break;
	}
	fail_msg("%s: no size for kind %d", f->key, f->kind);
	return 0;
}

struct range {
	size_t off, len;
	const char *what;
};

static int by_off(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

#define MEMBER(m)                                                              \
	{                                                                      \
		offsetof(struct event, m), sizeof(((struct event *)0)->m), #m  \
	}

/*
 * The rows and the frame cover struct event but for padding: a pointer
 * member without a row leaves a gap of 8 bytes, which padding never is.
 */
static void test_every_member_has_a_row(void **state)
{
	struct range r[128] = {
		MEMBER(type),	  MEMBER(seq),	       MEMBER(pid),
		MEMBER(tid),	  MEMBER(ts_enter),    MEMBER(ts_exit),
		MEMBER(has),	  MEMBER(sc),	       MEMBER(argc),
		MEMBER(share_fs), MEMBER(source_line),
	};
	size_t n = 11, end = 0;

	for (unsigned i = 0; i < event_fields_count; i++) {
		const struct event_field *f = &event_fields[i];

		r[n++] = (struct range){f->offset, kind_size(f), f->key};
		/* the reader's key patterns hold '"key":' in 16 bytes */
		if (strlen(f->key) > 13)
			fail_msg("key %s is longer than 13 bytes", f->key);
	}
	qsort(r, n, sizeof(r[0]), by_off);
	for (size_t i = 0; i < n; i++) {
		if (r[i].off < end)
			fail_msg("%s overlaps the member before it", r[i].what);
		if (r[i].off - end >= 8)
			fail_msg("%zu bytes before %s that no row describes",
				 r[i].off - end, r[i].what);
		end = r[i].off + r[i].len;
	}
	if (sizeof(struct event) - end >= 8)
		fail_msg("%zu bytes at the end of struct event that no row "
			 "describes",
			 sizeof(struct event) - end);
}

/* A syscall whose arguments F shows, or one that has the field at all. */
static const struct syscall_desc *syscall_for(const struct event_field *f)
{
	if (!strcmp(f->key, "resolve"))
		return syscall_by_name("openat2");
	if (!strcmp(f->key, "old_tid"))
		return syscall_by_name("execve");
	for (unsigned i = 0; i < syscall_table_size; i++)
		for (int a = 0; a < 6; a++)
			if (f->args & UINT64_C(1) << syscall_table[i].args[a])
				return &syscall_table[i];
	return syscall_by_name("openat");
}

static const char *const argv2[] = {"prog", "an \"arg\"\n", NULL};

/* A stack of three frames in two modules, one with a build-id, and one
 * frame no module holds: its records are written before the event. */
static struct stack_table *stacks;

static const struct stack_trace *test_stack(void)
{
	static const unsigned char bid[] = {0xde, 0xad, 0x01, 0xff};
	static const struct stack_py py[] = {
		{"/usr/lib/python3.11/shutil.py", "copyfile", 256},
		{"<frozen \"x\">", "<module>", -1},
	};
	struct stack_pc pc[3];

	if (!stacks)
		stacks = stack_table_new();
	pc[0] = (struct stack_pc){stack_table_module(stacks,
						     "/usr/lib/libc.so.6", 2049,
						     77, bid, 4),
				  0x10b2eb};
	pc[1] = (struct stack_pc){
		stack_table_module(stacks, "/w/a \"b\"", 1 << 20, 1, NULL, 0),
		UINT64_MAX};
	pc[2] = (struct stack_pc){NULL, 0x7ffc00001000};
	return stack_table_intern(stacks, pc, 3, py, 2);
}

static void assert_same_stack(const struct stack_trace *a,
			      const struct stack_trace *b)
{
	assert_int_equal(a->n, b->n);
	for (uint32_t i = 0; i < a->n; i++) {
		const struct stack_module *x = a->pc[i].mod, *y = b->pc[i].mod;

		assert_true(a->pc[i].addr == b->pc[i].addr);
		assert_true(!x == !y);
		if (!x)
			continue;
		assert_string_equal(x->path, y->path);
		assert_true(x->dev == y->dev && x->ino == y->ino);
		assert_int_equal(x->build_id_len, y->build_id_len);
		assert_memory_equal(x->build_id, y->build_id,
				    (size_t)x->build_id_len);
	}
	assert_int_equal(a->npy, b->npy);
	for (uint32_t i = 0; i < a->npy; i++) {
		assert_string_equal(a->py[i].file, b->py[i].file);
		assert_string_equal(a->py[i].function, b->py[i].function);
		assert_int_equal(a->py[i].line, b->py[i].line);
	}
}

/* Give field F of EV a value (its leader one too): F is then present. */
static void set_field(const struct event_field *f, struct event *ev)
{
	void *p = field_ptr(f, ev);

	if (f->role == FR_MEMBER)
		for (const struct event_field *l = f; l >= event_fields; l--)
			if (l->role == FR_LEADER && l->has == f->has) {
				set_field(l, ev);
				break;
			}
	if (f->role != FR_PLAIN)
		ev->has |= f->has;
	switch ((enum field_kind)f->kind) {
	case FK_INT:
		*(int *)p = 7;
		break;
	case FK_INT64:
		*(int64_t *)p = -4000000000; /* ret < 0: errno is written */
		break;
	case FK_UINT32:
		*(uint32_t *)p = 0644;
		break;
	case FK_STRING:
		*(const char **)p = f->key; /* a distinct string per field */
		break;
	case FK_FLAGS:
		*(uint64_t *)p =
			syscall_flagset(ev->sc) == FLAGS_NONE ? 0x40 : 1;
		break;
	case FK_ACCESS:
		*(uint32_t *)p = 6;
		break;
	case FK_RESOLVE:
		*(uint64_t *)p = 8;
		break;
	case FK_FCNTL_CMD:
		*(int *)p = F_DUPFD_CLOEXEC_;
		break;
	case FK_ERRNO:
		*(int *)p = ENOENT;
		break;
	case FK_ARGV:
		ev->argv = argv2;
		ev->argc = 2;
		break;
	case FK_IDENT:
		*(struct ident *)p =
			(struct ident){true, UINT64_MAX, 1u << 31, 0100644,
				       2,    1000,	 1001,	   1 << 20};
		break;
	case FK_PARENT:
		*(struct parent_info *)p =
			(struct parent_info){true, f->key, 1000, 041777};
		break;
	case FK_FORK_KIND:
		ev->fork_kind = FORK_VFORK;
		break;
	case FK_SHARES:
		ev->share_files = ev->share_fs = true;
		break;
	case FK_SIGNAL:
		ev->exit_signal = 32 + 3;
		break;
	case FK_CORE:
		ev->exit_signal = 11;
		ev->core_dumped = true;
		break;
	case FK_STATUS:
		ev->exit_status = 42;
		break;
	case FK_SOURCE:
		ev->source_file = "/var/log/a:b.log";
		ev->source_line = 12345;
		break;
	case FK_BOOL:
		*(bool *)p = true; /* false is the absent value */
		break;
	case FK_CREDS:
		*(struct creds *)p = (struct creds){0, 65534, true};
		break;
	case FK_STACK:
		*(const struct stack_trace **)p = test_stack();
		break;
	case FK_COUNT:
		break;
	}
}

static void assert_same(const struct event_field *f, const struct event *a,
			const struct event *b)
{
	const void *x = field_cptr(f, a), *y = field_cptr(f, b);
	bool pa = field_present(f, a), pb = field_present(f, b);

	if (pa != pb)
		fail_msg("%s: present %d, read back %d", f->key, pa, pb);
	if (!pa)
		return;
	switch ((enum field_kind)f->kind) {
	case FK_STRING:
	case FK_PARENT:
	case FK_SOURCE:
		if (strcmp(field_string(f, a), field_string(f, b)))
			fail_msg("%s: \"%s\", read back \"%s\"", f->key,
				 field_string(f, a), field_string(f, b));
		if (f->kind == FK_SOURCE)
			assert_true(a->source_line == b->source_line);
		if (f->kind == FK_PARENT)
			assert_memory_equal(
				&((const struct parent_info *)x)->uid,
				&((const struct parent_info *)y)->uid,
				2 * sizeof(uint32_t));
		break;
	case FK_ARGV:
		assert_int_equal(a->argc, b->argc);
		for (int i = 0; i < a->argc; i++)
			assert_string_equal(a->argv[i], b->argv[i]);
		assert_null(b->argv[b->argc]);
		break;
	case FK_IDENT: {
		struct ident i = *(const struct ident *)x,
			     j = *(const struct ident *)y;

		assert_true(i.dev == j.dev && i.ino == j.ino &&
			    i.mode == j.mode && i.nlink == j.nlink &&
			    i.uid == j.uid && i.gid == j.gid &&
			    i.size == j.size);
		break;
	}
	case FK_SHARES:
		assert_true(a->share_files == b->share_files &&
			    a->share_fs == b->share_fs);
		break;
	case FK_CREDS: {
		struct creds i = *(const struct creds *)x,
			     j = *(const struct creds *)y;

		assert_true(i.uid == j.uid && i.euid == j.euid &&
			    i.secure == j.secure);
		break;
	}
	case FK_STACK:
		assert_same_stack(a->stack, b->stack);
		break;
	default:
		if (memcmp(x, y, kind_size(f)))
			fail_msg("%s: read back another value", f->key);
		break;
	}
}

/* Whether S lies in [BUF, BUF + N). */
static bool inside(const char *s, const char *buf, size_t n)
{
	return s >= buf && s < buf + n;
}

/*
 * EV written, read back and copied as cli/pipeline.c copies it: every
 * field the same each time, and the copy's strings in the copy's buffer.
 */
static void round_trip(const struct event *ev, const char *what)
{
	struct trace_header h = {.version = TRACE_FORMAT_VERSION,
				 .fsrace_version = "test",
				 .argv = (const char *const[]){"x", NULL},
				 .cwd = "/",
				 .host = "h",
				 .kernel = "k"};
	struct trace_writer w;
	struct trace_reader r;
	struct event back, copy;
	char err[512], *buf;
	size_t n;

	assert_int_equal(trace_writer_open(&w, path, 0), 0);
	trace_writer_header(&w, &h);
	trace_writer_event(&w, ev);
	assert_int_equal(trace_writer_close(&w), 0);
	if (trace_reader_open(&r, path, err, sizeof(err)) < 0)
		fail_msg("%s: %s", what, err);
	if (trace_reader_next(&r, &back, err, sizeof(err)) != 1)
		fail_msg("%s: %s", what, err);
	assert_int_equal(back.type, ev->type);
	for (unsigned i = 0; i < event_fields_count; i++)
		assert_same(&event_fields[i], ev, &back);
	copy = back;
	/* no room: nothing copied, the size needed told */
	n = event_copy_strings(&copy, NULL, 0);
	assert_memory_equal(&copy, &back, sizeof(copy));
	buf = malloc(n + 1);
	if (n) {
		/* one byte short is no room either */
		assert_int_equal(event_copy_strings(&copy, buf, n - 1), n);
		assert_memory_equal(&copy, &back, sizeof(copy));
	}
	assert_int_equal(event_copy_strings(&copy, buf, n), n);
	trace_reader_close(&r); /* the reader's strings are gone */
	for (unsigned i = 0; i < event_fields_count; i++) {
		const struct event_field *f = &event_fields[i];
		const char *s = field_string(f, &copy);

		/* the copy shares the reader's stacks, which closing freed */
		if (f->kind == FK_STACK)
			continue;
		assert_same(f, ev, &copy);
		if (s && !inside(s, buf, n))
			fail_msg("%s: %s not copied", what, f->key);
	}
	for (int i = 0; copy.argv && i < copy.argc; i++)
		assert_true(inside(copy.argv[i], buf, n));
	free(buf);
}

static enum event_type first_type(const struct event_field *f)
{
	return (enum event_type)__builtin_ctz(f->types);
}

static void test_each_field_round_trips(void **state)
{
	for (unsigned i = 0; i < event_fields_count; i++) {
		const struct event_field *f = &event_fields[i];
		char what[64];
		struct event ev;

		/* absent: the event without it */
		event_init(&ev, first_type(f));
		ev.seq = 1;
		ev.pid = ev.tid = 100;
		ev.sc = ev.type == EV_SYSCALL ? syscall_for(f) : NULL;
		snprintf(what, sizeof(what), "without %s", f->key);
		round_trip(&ev, what);
		/* present */
		set_field(f, &ev);
		snprintf(what, sizeof(what), "with %s", f->key);
		if (f->kind != FK_FORK_KIND && f->kind != FK_SHARES &&
		    !field_present(f, &ev))
			fail_msg("%s: not present when set", f->key);
		round_trip(&ev, what);
	}
}

/* Every field at once, each type. */
static void test_all_fields_round_trip(void **state)
{
	for (int t = EV_SYSCALL; t <= EV_WARNING; t++) {
		struct event ev;

		event_init(&ev, (enum event_type)t);
		ev.seq = 2;
		ev.pid = 100;
		ev.tid = 101;
		ev.sc = t == EV_SYSCALL ? syscall_by_name("openat") : NULL;
		for (unsigned i = 0; i < event_fields_count; i++)
			if (event_fields[i].types & 1u << t &&
			    event_fields[i].kind != FK_STATUS)
				set_field(&event_fields[i], &ev);
		round_trip(&ev, "all");
	}
}

/* The evidence of a finding borrows every string field marked for it. */
static void test_evidence_view(void **state)
{
	for (unsigned i = 0; i < event_fields_count; i++) {
		const struct event_field *f = &event_fields[i];
		struct evidence e;
		struct event ev;
		char src[64];
		const char *s;

		if (!f->evidence || f->kind != FK_STRING)
			continue;
		event_init(&ev, EV_SYSCALL);
		ev.sc = syscall_for(f);
		set_field(f, &ev);
		evidence_view(&e, &ev, src, sizeof(src));
		s = field_string(f, &ev);
		if (!memmem(&e, sizeof(e), &s, sizeof(s)))
			fail_msg("the evidence lacks %s", f->key);
	}
}

static int setup(void **state)
{
	assert_non_null(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/t.jsonl", tmpdir);
	return 0;
}

static int teardown(void **state)
{
	unlink(path);
	rmdir(tmpdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_member_has_a_row),
		cmocka_unit_test(test_each_field_round_trips),
		cmocka_unit_test(test_all_fields_round_trip),
		cmocka_unit_test(test_evidence_view),
	};

	return cmocka_run_group_tests_name("fields", tests, setup, teardown);
}
