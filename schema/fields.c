// SPDX-License-Identifier: MIT
#include "fields.h"

#include <string.h>

#include "util.h"

#define T_SYSCALL (1u << EV_SYSCALL)
#define T_FORK (1u << EV_FORK)
#define T_EXIT (1u << EV_EXIT)
#define T_WARNING (1u << EV_WARNING)
#define T_ALL (T_SYSCALL | T_FORK | T_EXIT | T_WARNING)
#define ARG(a) (UINT64_C(1) << (a))

#define ROW(key_, member, kind_, role_, has_, types_, ...)                     \
	{                                                                      \
		.key = key_, .offset = offsetof(struct event, member),         \
		.kind = kind_, .role = role_, .has = has_, .types = types_,    \
		__VA_ARGS__                                                    \
	}
/* a syscall record's field: the flag HAS tells it is there */
#define LEADER(key, m, kind, has, ...)                                         \
	ROW(key, m, kind, FR_LEADER, has, T_SYSCALL, __VA_ARGS__)
/* a field that comes with the LEADER before it */
#define MEMBER(key, m, kind, has, ...)                                         \
	ROW(key, m, kind, FR_MEMBER, has, T_SYSCALL, __VA_ARGS__)
/* a field of the records TYPES that is there when it has a value */
#define PLAIN(key, m, kind, types, ...)                                        \
	ROW(key, m, kind, FR_PLAIN, 0, types, __VA_ARGS__)

#define FLAG_ARGS                                                              \
	(ARG(A_OFLAGS) | ARG(A_OPENHOW) | ARG(A_ATFLAGS) | ARG(A_FACCFLAGS) |  \
	 ARG(A_RENFLAGS) | ARG(A_CRFLAGS) | ARG(A_DUPFLAGS) | ARG(A_SFRFLAGS))

/*
 * In the order the writer writes them (docs/trace-format.md); a member
 * follows its leader, which the reader relies on.
 */
const struct event_field event_fields[] = {
	LEADER("dirfd", dirfd, FK_INT, HAS_DIRFD, .args = ARG(A_DIRFD)),
	MEMBER("dirfd_path", dirfd_path, FK_STRING, HAS_DIRFD),
	LEADER("path", path, FK_STRING, HAS_PATH, .args = ARG(A_PATH),
	       .null = "NULL", .evidence = true),
	MEMBER("abspath", abspath, FK_STRING, HAS_PATH, .evidence = true),
	LEADER("dirfd2", dirfd2, FK_INT, HAS_DIRFD2, .args = ARG(A_DIRFD2)),
	MEMBER("dirfd2_path", dirfd2_path, FK_STRING, HAS_DIRFD2),
	LEADER("path2", path2, FK_STRING, HAS_PATH2, .args = ARG(A_PATH2),
	       .null = "NULL", .evidence = true),
	MEMBER("abspath2", abspath2, FK_STRING, HAS_PATH2, .evidence = true),
	LEADER("fd", fd, FK_INT, HAS_FD, .args = ARG(A_FD), .evidence = true),
	MEMBER("fd_path", fd_path, FK_STRING, HAS_FD, .evidence = true),
	LEADER("fd2", fd2, FK_INT, HAS_FD2, .args = ARG(A_FD2)),
	MEMBER("fd2_path", fd2_path, FK_STRING, HAS_FD2),
	LEADER("flags", flags, FK_FLAGS, HAS_FLAGS, .args = FLAG_ARGS,
	       .optional = true),
	LEADER("mode", mode, FK_UINT32, HAS_MODE, .args = ARG(A_MODE),
	       .optional = true),
	LEADER("access", access, FK_ACCESS, HAS_ACCESS, .args = ARG(A_ACCESS)),
	LEADER("resolve", resolve, FK_RESOLVE, HAS_RESOLVE),
	LEADER("uid", uid, FK_INT64, HAS_OWNER, .args = ARG(A_UID)),
	MEMBER("gid", gid, FK_INT64, HAS_OWNER, .args = ARG(A_GID)),
	LEADER("length", length, FK_INT64, HAS_LENGTH,
	       .args = ARG(A_LENGTH) | ARG(A_FDLAST)),
	LEADER("cmd", cmd, FK_FCNTL_CMD, HAS_CMD, .args = ARG(A_FCNTL_CMD)),
	MEMBER("arg", arg, FK_INT64, HAS_CMD, .args = ARG(A_FCNTL_ARG)),
	LEADER("xattr", xattr, FK_STRING, HAS_XATTR, .args = ARG(A_XATTR),
	       .null = ""),
	LEADER("target", target, FK_STRING, HAS_TARGET,
	       .args = ARG(A_TARGET) | ARG(A_LINKBUF), .null = "..."),
	LEADER("argv", argv, FK_ARGV, HAS_ARGV, .args = ARG(A_ARGV)),
	LEADER("old_tid", old_tid, FK_INT, HAS_OLD_TID),
	LEADER("ret", ret, FK_INT64, HAS_RET, .evidence = true),
	MEMBER("errno", err, FK_ERRNO, HAS_RET, .evidence = true),
	PLAIN("ret_path", ret_path, FK_STRING, T_SYSCALL),
	PLAIN("stat", stat, FK_IDENT, T_SYSCALL, .evidence = true),
	PLAIN("parent", parent, FK_PARENT, T_SYSCALL, .evidence = true),
	PLAIN("parent2", parent2, FK_PARENT, T_SYSCALL),
	LEADER("creds", creds, FK_CREDS, HAS_CREDS),
	LEADER("existed", existed, FK_BOOL, HAS_EXISTED),
	LEADER("dfd_nofollow", dirfd_nofollow, FK_BOOL, HAS_DIRFD_NOFOLLOW),
	LEADER("injected", injected, FK_BOOL, HAS_INJECTED, .evidence = true),
	LEADER("widened_ns", widened_ns, FK_INT64, HAS_WIDENED,
	       .evidence = true),
	LEADER("stack", stack, FK_STACK, HAS_STACK),
	LEADER("stack_dropped", stack_dropped, FK_BOOL, HAS_STACK_DROPPED,
	       .evidence = true),

	PLAIN("syscall", fork_syscall, FK_STRING, T_FORK),
	PLAIN("child_pid", child_pid, FK_INT, T_FORK),
	PLAIN("child_tid", child_tid, FK_INT, T_FORK),
	PLAIN("kind", fork_kind, FK_FORK_KIND, T_FORK),
	PLAIN("shares", share_files, FK_SHARES, T_FORK),

	PLAIN("signal", exit_signal, FK_SIGNAL, T_EXIT),
	PLAIN("core_dumped", core_dumped, FK_CORE, T_EXIT),
	PLAIN("status", exit_status, FK_STATUS, T_EXIT),

	PLAIN("message", message, FK_STRING, T_WARNING),

	PLAIN("source", source_file, FK_SOURCE, T_ALL, .evidence = true),
};

const unsigned event_fields_count = ARRAY_SIZE(event_fields);

/* the reader keeps a bit per key in a word: the frame's 8 and these */
_Static_assert(ARRAY_SIZE(event_fields) + 8 <= 64, "too many fields");
_Static_assert(ARRAY_SIZE(event_fields) <= EVENT_FIELDS_MAX, "too many fields");

const char *field_string(const struct event_field *f, const struct event *ev)
{
	switch (f->kind) {
	case FK_STRING:
	case FK_SOURCE:
		return *(const char *const *)field_cptr(f, ev);
	case FK_PARENT:
		return ((const struct parent_info *)field_cptr(f, ev))->path;
	default:
		return NULL;
	}
}

const struct event_field *field_of_arg(enum arg_kind arg)
{
	for (unsigned i = 0; i < ARRAY_SIZE(event_fields); i++)
		if (event_fields[i].args & ARG(arg))
			return &event_fields[i];
	return NULL;
}

/*
 * Where the strings of each type of event are, found once from the table
 * so that copying an event (once per event, in analyze's reader thread)
 * visits only its present strings: per presence bit the offsets of the
 * const char * members it guards, and the members no bit guards.
 */
struct string_span {
	uint8_t first, n;
};

static struct string_plan {
	uint16_t off[ARRAY_SIZE(event_fields)]; /* by bit, then plain */
	struct string_span by_bit[32];
	uint32_t bits;	    /* the bits that guard strings */
	uint8_t plain, end; /* off[plain..end): unguarded */
} strings[4];

static uint16_t string_offset(const struct event_field *f)
{
	if (f->kind == FK_PARENT)
		return (uint16_t)(f->offset +
				  offsetof(struct parent_info, path));
	return f->kind == FK_STRING || f->kind == FK_SOURCE ? f->offset : 0;
}

/* before main(): nothing on the per-event path checks that it ran */
__attribute__((constructor)) static void find_strings(void)
{
	for (unsigned t = 0; t < 4; t++) {
		struct string_plan *sp = &strings[t];
		unsigned n = 0;

		for (unsigned b = 0; b < 32; b++) {
			sp->by_bit[b].first = (uint8_t)n;
			for (unsigned i = 0; i < ARRAY_SIZE(event_fields);
			     i++) {
				const struct event_field *f = &event_fields[i];

				if (!(f->types & 1u << t) ||
				    f->role == FR_PLAIN || f->has != 1u << b ||
				    !string_offset(f))
					continue;
				sp->off[n++] = string_offset(f);
				sp->bits |= f->has;
			}
			sp->by_bit[b].n = (uint8_t)(n - sp->by_bit[b].first);
		}
		sp->plain = (uint8_t)n;
		for (unsigned i = 0; i < ARRAY_SIZE(event_fields); i++) {
			const struct event_field *f = &event_fields[i];

			if (f->types & 1u << t && f->role == FR_PLAIN &&
			    string_offset(f))
				sp->off[n++] = string_offset(f);
		}
		sp->end = (uint8_t)n;
	}
}

size_t event_copy_strings(struct event *ev, char *buf, size_t room)
{
	const struct string_plan *sp = &strings[ev->type];
	const char **member[ARRAY_SIZE(event_fields)];
	size_t len[ARRAY_SIZE(event_fields)];
	size_t used = 0, argv_bytes = 0;
	unsigned n = 0;

#define VISIT(i)                                                               \
	do {                                                                   \
		const char **s_ = (const char **)((char *)ev + sp->off[i]);    \
		if (*s_) {                                                     \
			member[n] = s_;                                        \
			len[n] = strlen(*s_) + 1;                              \
			used += len[n++];                                      \
		}                                                              \
	} while (0)

	/* each length once: this runs once per event in analyze's reader */
	if (ev->argv) {
		argv_bytes = (size_t)(ev->argc + 1) * sizeof(char *);
		for (int a = 0; a < ev->argc; a++)
			argv_bytes += strlen(ev->argv[a]) + 1;
	}
	used = argv_bytes;
	for (uint32_t m = ev->has & sp->bits; m; m &= m - 1) {
		const struct string_span *g = &sp->by_bit[__builtin_ctz(m)];

		for (unsigned i = g->first; i < g->first + g->n; i++)
			VISIT(i);
	}
	for (unsigned i = sp->plain; i < sp->end; i++)
		VISIT(i);
#undef VISIT
	if (used > room)
		return used;
	used = 0;
	/* argv first, where BUF is aligned for its pointers */
	if (ev->argv) {
		const char **v = (const char **)buf;

		used = (size_t)(ev->argc + 1) * sizeof(char *);
		for (int a = 0; a < ev->argc; a++) {
			size_t l = strlen(ev->argv[a]) + 1;

			v[a] = memcpy(buf + used, ev->argv[a], l);
			used += l;
		}
		v[ev->argc] = NULL;
		ev->argv = v;
	}
	for (unsigned i = 0; i < n; i++) {
		*member[i] = memcpy(buf + used, *member[i], len[i]);
		used += len[i];
	}
	return used;
}
