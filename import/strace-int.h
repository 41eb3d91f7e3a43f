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
#include "strbuf.h"
#include "stacks.h"
#include "strace.h"

#define READ_CHUNK (1u << 20)
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
	/* strace -k: the " > " lines that followed it, each ended by '\n'
	 * (after the NUL of RAW, in the same buffer); NULL when none */
	const char *frames;
	size_t frames_len;
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
	bool skipping;	/* inside a too long line */
	size_t skipped; /* … of which this much was thrown away */
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
	/* a line with its strace -k frames: the line, NUL, the frames */
	struct strbuf framed;

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
	struct strbuf text; /* "name(args so far", for a known syscall */
	bool has_ts;
	uint64_t ts;
};

struct stask {
	struct proc p; /* first: a task is found from its proc */
	struct pending pend;
	int old_tid; /* a thread whose execve this task finishes */
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
	bool decorated; /* a -y decoration was seen */

	struct held *held, *held_tail;
	size_t held_bytes;
	struct held *replay;
	bool flushing; /* end of input: hold nothing more */

	struct arena arena;
	struct strbuf join; /* a pending call's text and its resumed part */

	/* strace -k: the stacks of the events, and the file segments of
	 * their modules by module id (strace-frames.c) */
	struct stack_table *stacks;
	struct module_segs *segs;
	uint32_t nsegs;
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

/*
 * strace-parse.c. Values are read from a token (struct tok, not
 * NUL-terminated); strings they return live in the arena, which is
 * reset for every event.
 */
void *arena_alloc(struct arena *a, size_t n);
/* Keep the newest block for reuse, free the rest. */
void arena_reset(struct arena *a);
void arena_free(struct arena *a);
/* A decimal number of at most 18 digits at *PP, which moves past it. */
bool read_dec(const char **pp, uint64_t *ret);
/* A number as strace prints it (0x, octal, -, ~, U/L) up to END. */
bool parse_number(const char **pp, const char *end, uint64_t *ret);
/*
 * The top-level items of the list after an opening bracket at S, up to
 * the matching CLOSE: at most MAX in TOKS, their count in *NTOK, the
 * position after CLOSE in *END. 0, or -1 when CLOSE is missing.
 */
int split_list(const char *s, size_t n, char close, struct tok *toks, int max,
	       int *ntok, size_t *end);
/* A quoted string argument, unescaped, "..." kept when strace cut it. */
enum str_kind parse_str(struct arena *a, struct tok t, char **ret);
/* Flags, modes and constants: numbers and names of V joined by '|'. */
bool parse_expr(struct tok t, enum vocab v, enum flagset set, uint64_t *ret);
/* The unescaped text of the -y decoration at S[I] ('<'), or NULL. */
char *deco_string(struct arena *a, const char *s, size_t n, size_t i,
		  size_t *end);
/* An fd argument and its decoration (*DECO, or NULL). */
bool parse_fd(struct arena *a, struct tok t, int *ret, char **deco);
/* The value of FIELD= in a "{...}" struct; a number of it. */
bool struct_field(struct tok t, const char *field, struct tok *ret);
bool field_num(struct tok t, const char *field, enum vocab v, uint64_t *ret);
/* The identity in a stat or statx buffer (-v only; invalid without). */
void parse_ident(struct tok t, bool statx, struct ident *id);
/* execve's argv into EV. */
void parse_argv(struct arena *a, struct tok t, struct event *ev);

/* strace-lines.c */
/* Cut LINE into its pid prefix, timestamp and body. */
void parse_prefix(char *line, int *ret_pid, struct ts_raw *ts, char **ret_body);
/* The -T duration at the end of a line. */
bool line_duration(const char *b, size_t n, uint64_t *ret);
/* Whose line L is: its prefix, its file, the only process, or a guess. */
int lines_pid(struct strace_reader *r, struct sline *l);
/* Hold L back for PID, whose fork is still to finish. */
void held_add(struct strace_reader *r, const struct sline *l, int pid);
/* Replay the held lines of PID (-1: all), in the order they came. */
void held_release(struct strace_reader *r, int pid);
/* No fork pending any more: replay all. */
void held_release_if_idle(struct strace_reader *r);
/* Too much held: every held pid a task of its own, then replay. */
void held_release_by_force(struct strace_reader *r);
/* The next line of the merged sources: 1, 0 at the end, -errno. */
int lines_next(struct strace_reader *r, struct sline *ret, char *err,
	       size_t errlen);

/* strace.c */
struct stask *task_find(struct strace_reader *r, int tid);
/* A task whose fork the log does not show: nothing known about it. */
struct stask *task_root(struct strace_reader *r, int tid);
/* The only task alive, or NULL. */
struct stask *solo_task(struct strace_reader *r);

/* strace-frames.c: the " > " lines after a call (sline.frames, LEN
 * bytes) as a stack of R's table, or NULL if none could be read or
 * (*DROPPED set) the table is full. */
const struct stack_trace *strace_frames_stack(struct strace_reader *r,
					      const char *frames, size_t len,
					      bool *dropped);
void strace_frames_release(struct strace_reader *r);

#endif
