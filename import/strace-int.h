/* SPDX-License-Identifier: MIT */
/*
 * What the files of the strace importer share. strace-parse.c holds the
 * tokenizer and the value parsers (numbers, strings, flags, fds and
 * their -y decorations, structs) and the arena the event's strings live
 * in; strace-lines.c assembles lines (chunked reads, a line cut by
 * strace's attach message, -ff files merged by time, lines held for a
 * child whose fork is still to finish and replayed after it);
 * strace.c decodes calls into events through the process model.
 */
#ifndef FSRACE_STRACE_INT_H
#define FSRACE_STRACE_INT_H

#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "event.h"
#include "names.h"
#include "proc.h"
#include "strace.h"

#define READ_CHUNK (1u << 20)
#define SC_BUCKETS 256
#define MAX_TOKS 8
#define MAX_FIELDS 48
/* lines held for pids whose fork is still to come, at most */
#define HOLD_MAX (64u << 20)
/* how far to look for the pid of unprefixed lines */
#define PRESCAN_MAX (1u << 20)
#define PID_MAX_LIMIT 4194304
#define ARGV_MAX 4096
#define WARN_TEXT 100
#define NSEC 1000000000ull
#define ERRNO_NAMES 160

/* the exit signal in clone's flags */
#define CSIGNAL_ 0xff

struct ablock {
	struct ablock *next;
	size_t len, cap;
	char data[];
};

struct arena {
	struct ablock *head;
};

struct tok {
	const char *s;
	size_t n;
};

enum str_kind { STR_NONE, STR_NULL, STR_OK, STR_TRUNC };

/* Which names an expression may use. */
enum vocab {
	V_NUM,
	V_FLAGS, /* a flagset of names.h */
	V_MODE,
	V_CLONE,
};

struct src;

/* One line, its prefix and timestamp parsed. */
struct sline {
	struct src *src;
	unsigned long lineno;
	int pid; /* from the prefix or the file name; 0 when none */
	bool has_ts;
	uint64_t ts; /* ns since the epoch */
	char *raw;   /* the whole line, NUL-terminated */
	char *body;  /* what follows the prefix */
	bool too_long;
	bool unterminated; /* the last line of a file, without '\n' */
};

enum ts_kind { TS_NONE, TS_TOD, TS_ABS, TS_REL };

struct ts_raw {
	enum ts_kind kind;
	uint64_t secs;
	uint64_t ns;
};

struct src {
	char *path;
	int fd;
	int index;
	char *buf;
	size_t cap, start, len, scanned;
	size_t chunk; /* what to read next: a small file at once */
	off_t size;   /* at open */
	bool eof, done;
	bool skipping; /* inside a too long line */
	char toolong_head[WARN_TEXT + 2];
	unsigned long lineno;
	int file_pid;	/* from a name ending in .PID, or 0 */
	int suffix_pid; /* the same for a single file: a guess */
	int guess_pid;	/* for unprefixed lines: see prescan() */
	bool guessed;

	/* -t and -tt: the date is the mtime's day */
	int64_t midnight; /* s since the epoch */
	int64_t mtime_tod;
	bool day_set;
	int64_t day;
	uint64_t last_tod;
	/* -r */
	uint64_t rel;

	/* a line cut by strace's "strace: Process N attached" on stderr */
	char *carry;
	unsigned long carry_line;
	char *join;
	size_t join_cap;
	bool stashed; /* the raw line was read, the carry goes first */
	char *stash;
	size_t stash_len;
	bool stash_unterminated;

	/* merging */
	bool has_head;
	struct sline head;
	uint64_t key;
};

/* A line held back, or queued for replay. */
struct held {
	struct held *next;
	struct sline l;
	size_t size;
	char text[];
};

/* The call an "<unfinished ...>" line started. */
struct pending {
	bool active;
	bool done_at_entry; /* close: its event was made at the first line */
	bool clone;
	const struct syscall_desc *sc; /* NULL: a syscall not in the table */
	char *name;
	char *text; /* "name(args so far", for a known syscall */
	size_t len, cap;
	bool has_ts;
	uint64_t ts;
};

struct stask {
	struct proc p; /* first: a task is found from its proc */
	struct pending pend;
	int old_tid; /* a thread whose execve this task finishes */
};

struct sc_slot {
	struct sc_slot *next;
	const struct syscall_desc *sc;
	size_t len;
};

struct strace_reader {
	struct src *srcs;
	int nsrc;
	bool strict;
	unsigned long skipped;
	unsigned long unknown;
	uint64_t seq;

	struct proc_model model;
	struct proc_strings strs;
	/* the -y decorations of the call being decoded: the backend */
	struct {
		int fd;
		const char *path;
	} decos[8];
	int ndecos;
	const char *cwd_deco;
	int nlive;
	struct stask *solo; /* the only task, when nlive == 1 */
	bool solo_valid;
	int unpref_pid; /* the pid given to the last unprefixed line */
	int npending_clones;

	struct held *held, *held_tail;
	size_t held_bytes;
	struct held *replay;
	bool flushing; /* end of input: hold nothing more */

	struct arena arena;
	char *joinbuf; /* a pending call's text and its resumed part */
	size_t joincap;

	struct sc_slot *scs[SC_BUCKETS];
	struct sc_slot *sc_slots;
	const char *errnames[ERRNO_NAMES];
};

static inline bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static inline bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && !memcmp(s + n - k, suffix, k);
}

static inline bool is_ident_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static inline bool is_ident(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* strace-parse.c */
void *arena_alloc(struct arena *a, size_t n);
void arena_reset(struct arena *a);
void arena_free(struct arena *a);
bool read_dec(const char **pp, uint64_t *ret);
bool parse_number(const char **pp, const char *end, uint64_t *ret);
int split_list(const char *s, size_t n, char close, struct tok *toks, int max,
	       int *ntok, size_t *end);
enum str_kind parse_str(struct arena *a, struct tok t, char **ret);
int strace_signal_lookup(const char *name);
bool parse_expr(struct tok t, enum vocab v, enum flagset set, uint64_t *ret);
char *deco_string(struct arena *a, const char *s, size_t n, size_t i,
		  size_t *end);
bool parse_fd(struct arena *a, struct tok t, int *ret, char **deco);
bool struct_field(struct tok t, const char *field, struct tok *ret);
bool field_num(struct tok t, const char *field, enum vocab v, uint64_t *ret);
void parse_ident(struct tok t, bool statx, struct ident *id);
void parse_argv(struct arena *a, struct tok t, struct event *ev);
int strace_errno_lookup(const char *const *names, const char *name);

/* strace-lines.c */
void parse_prefix(char *line, int *ret_pid, struct ts_raw *ts, char **ret_body);
bool line_duration(const char *b, size_t n, uint64_t *ret);
int lines_pid(struct strace_reader *r, struct sline *l);
void held_add(struct strace_reader *r, const struct sline *l, int pid);
void held_release(struct strace_reader *r, int pid);
void held_release_if_idle(struct strace_reader *r);
void held_release_by_force(struct strace_reader *r);
int lines_next(struct strace_reader *r, struct sline *ret, char *err,
	       size_t errlen);

/* strace.c */
struct stask *task_find(struct strace_reader *r, int tid);
struct stask *task_root(struct strace_reader *r, int tid);
struct stask *solo_task(struct strace_reader *r);

#endif
