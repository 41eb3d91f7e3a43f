// SPDX-License-Identifier: MIT
/*
 * The strace importer, in three layers:
 *  - lines (src_*, next_line): each file is read in large chunks and cut
 *    into lines; a line's pid prefix and timestamp are parsed as it is
 *    read, so that -r times add up and -t days roll over in file order;
 *    several files are merged by time; the lines of a pid whose fork is
 *    still to finish are held back and replayed after it (hold, release);
 *  - values (split_list, parse_*): a known syscall's arguments are cut at
 *    top-level commas and each is decoded by the arg kind syscall_table[]
 *    gives its position (fd and its -y decoration, quoted string, flags
 *    as names or numbers, stat structure, argv);
 *  - the model (model/proc.h), the one the live tracer uses, with the -y
 *    decorations of the call at hand as its backend: where the model
 *    does not know an fd's path (or the cwd), the log may tell it.
 * The strings of the event returned live in an arena reset at every
 * strace_reader_next().
 */
#include "strace.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "names.h"
#include "proc.h"
#include "util.h"

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

/* ---- arena: the strings of the event being returned ---- */

struct ablock {
	struct ablock *next;
	size_t len, cap;
	char data[];
};

struct arena {
	struct ablock *head;
};

static void *arena_alloc(struct arena *a, size_t n)
{
	struct ablock *b = a->head;
	void *p;

	n = (n + 7) & ~(size_t)7;
	if (!b || b->cap - b->len < n) {
		size_t cap = n > 16384 ? n : 16384;

		b = xmalloc(sizeof(*b) + cap);
		b->cap = cap;
		b->len = 0;
		b->next = a->head;
		a->head = b;
	}
	p = b->data + b->len;
	b->len += n;
	return p;
}

/* Keep the newest block for reuse, free the rest. */
static void arena_reset(struct arena *a)
{
	struct ablock *b = a->head;

	if (!b)
		return;
	while (b->next) {
		struct ablock *n = b->next->next;

		free(b->next);
		b->next = n;
	}
	b->len = 0;
}

static void arena_free(struct arena *a)
{
	while (a->head) {
		struct ablock *n = a->head->next;

		free(a->head);
		a->head = n;
	}
}

/* ---- lines ---- */

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

/* ---- the model ---- */

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

/* ---- small parsers ---- */

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && !memcmp(s + n - k, suffix, k);
}

static bool is_ident_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static bool is_ident(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* A decimal number of at most 18 digits at *P. */
static bool read_dec(const char **pp, uint64_t *ret)
{
	const char *p = *pp;
	uint64_t v = 0;
	int n = 0;

	while (isdigit((unsigned char)*p)) {
		if (++n > 18)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
		p++;
	}
	if (!n)
		return false;
	*pp = p;
	*ret = v;
	return true;
}

/*
 * A number as strace prints it: decimal, 0x hex, 0 octal, negative,
 * "~0U"-style complement, U/L suffixes. S..END; *PP moves past it.
 */
static bool parse_number(const char **pp, const char *end, uint64_t *ret)
{
	const char *p = *pp;
	bool neg = false, invert = false;
	unsigned base = 10;
	uint64_t v = 0;
	int n = 0;

	if (p < end && *p == '-') {
		neg = true;
		p++;
	} else if (p < end && *p == '~') {
		invert = true;
		p++;
	}
	if (p + 1 < end && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (p < end && p[0] == '0') {
		base = 8;
	}
	for (; p < end; p++, n++) {
		unsigned d;

		if (isdigit((unsigned char)*p))
			d = (unsigned)(*p - '0');
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = (unsigned)(tolower((unsigned char)*p) - 'a' + 10);
		else
			break;
		if (d >= base)
			return false;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	if (!n)
		return false;
	while (p < end && (*p == 'U' || *p == 'L' || *p == 'u' || *p == 'l'))
		p++;
	if (invert)
		v = ~v;
	if (neg)
		v = (uint64_t)0 - v;
	*pp = p;
	*ret = v;
	return true;
}

/* Positions of a string literal, comment and decoration, or 0 if bad. */
static size_t skip_string(const char *s, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		const char *q = memchr(s + i, '"', n - i);

		if (!q)
			return 0;
		/* an escaped quote follows an odd number of backslashes */
		i = (size_t)(q - s);
		if (i > 0 && s[i - 1] == '\\') {
			size_t k = i;

			while (k > 0 && s[k - 1] == '\\')
				k--;
			if ((i - k) % 2)
				continue;
		}
		return i + 1;
	}
	return 0;
}

static size_t skip_comment(const char *s, size_t n, size_t i)
{
	for (i += 2; i + 1 < n; i++)
		if (s[i] == '*' && s[i + 1] == '/')
			return i + 2;
	return 0;
}

/*
 * A -y decoration "<...>" at I: nested "<...>" (-yy devices) and a '>'
 * inside "[...]" (-yy "<TCP:[a->b]>") do not close it; strace escapes
 * '<' and '>' in paths.
 */
static size_t skip_deco(const char *s, size_t n, size_t i)
{
	int depth = 0, sq = 0;

	for (; i < n; i++) {
		switch (s[i]) {
		case '\\':
			i++;
			break;
		case '[':
			sq++;
			break;
		case ']':
			if (sq)
				sq--;
			break;
		case '<':
			depth++;
			break;
		case '>':
			if (!sq && --depth == 0)
				return i + 1;
			break;
		}
	}
	return 0;
}

/*
 * A '<' at I opens a decoration when it follows an fd or AT_FDCWD, or
 * the comment -X verbose writes between them: "-100", "AT_FDCWD" in a
 * comment, then "</tmp>".
 */
static bool deco_at(const char *s, size_t i)
{
	return s[i] == '<' && i > 0 &&
	       (is_ident(s[i - 1]) ||
		(i > 1 && s[i - 1] == '/' && s[i - 2] == '*'));
}

struct tok {
	const char *s;
	size_t n;
};

static struct tok trim(const char *s, size_t n)
{
	struct tok t;

	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	t.s = s;
	t.n = n;
	return t;
}

/*
 * Cut the list that starts after an opening bracket at S into top-level
 * items up to the matching CLOSE. Stores up to MAX items in TOKS, their
 * count in *NTOK (an empty list has none), and the position after CLOSE
 * in *END. Returns 0, or -1 when CLOSE is missing or a literal is open.
 */
static int split_list(const char *s, size_t n, char close, struct tok *toks,
		      int max, int *ntok, size_t *end)
{
	/* the bytes that can matter; runs of others are skipped at once */
	static const bool special[256] = {
		['"'] = true, ['/'] = true, ['<'] = true, ['('] = true,
		['['] = true, ['{'] = true, [')'] = true, [']'] = true,
		['}'] = true, [','] = true,
	};
	size_t i = 0, start = 0;
	int depth = 0, count = 0;

	while (i < n) {
		char c;
		size_t j;

		while (i < n && !special[(unsigned char)s[i]])
			i++;
		if (i >= n)
			break;
		c = s[i];

		if (c == '"') {
			j = skip_string(s, n, i);
			if (!j)
				return -1;
			i = j;
			continue;
		}
		if (c == '/' && i + 1 < n && s[i + 1] == '*') {
			j = skip_comment(s, n, i);
			if (!j)
				return -1;
			i = j;
			continue;
		}
		if (deco_at(s, i)) {
			j = skip_deco(s, n, i);
			if (!j)
				return -1;
			i = j;
			continue;
		}
		if (c == '(' || c == '[' || c == '{') {
			depth++;
		} else if (depth && (c == ')' || c == ']' || c == '}')) {
			depth--;
		} else if (!depth && (c == close || c == ',')) {
			struct tok t = trim(s + start, i - start);

			if (c == ',' || count || t.n) {
				if (count < max)
					toks[count] = t;
				count++;
			}
			if (c == close) {
				*ntok = count < max ? count : max;
				*end = i + 1;
				return 0;
			}
			start = i + 1;
		}
		i++;
	}
	return -1;
}

/* ---- values ---- */

/* Undo strace's quoting: \" \\ \n \t \r \v \f, octal \NNN, hex \xNN. */
static size_t unescape(const char *s, size_t n, char *out)
{
	/* letter, byte */
	static const char named[] = "n\nt\tr\rv\vf\fa\ab\be\033";
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		const char *e;
		char c = s[i];

		if (c != '\\' || i + 1 >= n) {
			out[o++] = c;
			continue;
		}
		c = s[++i];
		if (c && (e = strchr(named, c)) && (e - named) % 2 == 0) {
			out[o++] = e[1];
		} else if (c == 'x') {
			unsigned v = 0;
			int k = 0;

			while (k < 2 && i + 1 < n &&
			       isxdigit((unsigned char)s[i + 1])) {
				char h = (char)tolower((unsigned char)s[++i]);

				v = v * 16 +
				    (unsigned)(isdigit((unsigned char)h)
						       ? h - '0'
						       : h - 'a' + 10);
				k++;
			}
			out[o++] = k ? (char)v : 'x';
		} else if (c >= '0' && c <= '7') {
			unsigned v = (unsigned)(c - '0');
			int k = 1;

			while (k < 3 && i + 1 < n && s[i + 1] >= '0' &&
			       s[i + 1] <= '7') {
				v = v * 8 + (unsigned)(s[++i] - '0');
				k++;
			}
			out[o++] = (char)v;
		} else {
			out[o++] = c;
		}
	}
	out[o] = '\0';
	return o;
}

enum str_kind { STR_NONE, STR_NULL, STR_OK, STR_TRUNC };

/*
 * A quoted string argument: STR_OK with its bytes in *RET (arena),
 * STR_TRUNC when strace cut it ('"abc"...'; *RET is "abc..."), STR_NULL
 * for NULL, STR_NONE for anything else (an address strace could not read).
 */
static enum str_kind parse_str(struct arena *a, struct tok t, char **ret)
{
	size_t j;
	char *out;
	bool trunc;

	*ret = NULL;
	if (t.n == 4 && !memcmp(t.s, "NULL", 4))
		return STR_NULL;
	if (!t.n || t.s[0] != '"')
		return STR_NONE;
	j = skip_string(t.s, t.n, 0);
	if (!j)
		return STR_NONE;
	trunc = t.n - j >= 3 && !memcmp(t.s + j, "...", 3);
	out = arena_alloc(a, j + 3);
	j = unescape(t.s + 1, j - 2, out);
	if (trunc)
		memcpy(out + j, "...", 4);
	*ret = out;
	return trunc ? STR_TRUNC : STR_OK;
}

/* Names strace prints that names.h does not know, by what they mean. */
struct name_val {
	const char *name;
	uint64_t val;
};

static const struct name_val mode_names[] = {
	{"S_IFREG", S_IFREG},
	{"S_IFDIR", S_IFDIR},
	{"S_IFLNK", S_IFLNK},
	{"S_IFIFO", S_IFIFO},
	{"S_IFSOCK", S_IFSOCK},
	{"S_IFCHR", S_IFCHR},
	{"S_IFBLK", S_IFBLK},
	{"S_ISUID", S_ISUID},
	{"S_ISGID", S_ISGID},
	{"S_ISVTX", S_ISVTX},
	{NULL, 0},
};

static const struct name_val clone_names[] = {
	{"CLONE_VM", 0x100},
	{"CLONE_FS", 0x200},
	{"CLONE_FILES", 0x400},
	{"CLONE_SIGHAND", 0x800},
	{"CLONE_PIDFD", 0x1000},
	{"CLONE_PTRACE", 0x2000},
	{"CLONE_VFORK", 0x4000},
	{"CLONE_PARENT", 0x8000},
	{"CLONE_THREAD", 0x10000},
	{"CLONE_NEWNS", 0x20000},
	{"CLONE_SYSVSEM", 0x40000},
	{"CLONE_SETTLS", 0x80000},
	{"CLONE_PARENT_SETTID", 0x100000},
	{"CLONE_CHILD_CLEARTID", 0x200000},
	{"CLONE_DETACHED", 0x400000},
	{"CLONE_UNTRACED", 0x800000},
	{"CLONE_CHILD_SETTID", 0x1000000},
	{"CLONE_NEWCGROUP", 0x2000000},
	{"CLONE_NEWUTS", 0x4000000},
	{"CLONE_NEWIPC", 0x8000000},
	{"CLONE_NEWUSER", 0x10000000},
	{"CLONE_NEWPID", 0x20000000},
	{"CLONE_NEWNET", 0x40000000},
	{"CLONE_IO", 0x80000000},
	{"CLONE_NEWTIME", 0x80},
	{"CLONE_CLEAR_SIGHAND", 0x100000000ull},
	{"CLONE_INTO_CGROUP", 0x200000000ull},
	{NULL, 0},
};

static const struct name_val misc_names[] = {
	{"AT_FDCWD", (uint64_t)(int64_t)AT_FDCWD},
	{"FD_CLOEXEC", 1},
	{"AT_STATX_SYNC_AS_STAT", 0},
	{"AT_STATX_SYNC_TYPE", 0x6000},
	{"AT_EACCESS", 0x200},
	{"O_NDELAY", 04000},
	{"O_FSYNC", 04010000},
	{"O_RSYNC", 04010000},
	{"__O_SYNC", 04000000},
	{"__O_TMPFILE", 020000000},
	{NULL, 0},
};

/* Which names an expression may use. */
enum vocab {
	V_NUM,
	V_FLAGS, /* a flagset of names.h */
	V_MODE,
	V_CLONE,
};

static bool lookup_name(const struct name_val *t, const char *name,
			uint64_t *ret)
{
	for (; t->name; t++)
		if (!strcmp(t->name, name)) {
			*ret = t->val;
			return true;
		}
	return false;
}

/*
 * "SIGKILL" → 9; strace's "SIGRTMIN" is 32, the kernel's, and "SIGRT_N"
 * counts from it. (names.h's signal_parse() fills a static cache, which the
 * reader, possibly in a thread of its own, leaves alone.)
 */
static int signal_lookup(const char *name)
{
	const char *q;
	uint64_t v;

	if (strncmp(name, "SIG", 3))
		return -EINVAL;
	name += 3;
	for (int sig = 1; sig < 32; sig++) {
		const char *a = sigabbrev_np(sig);

		if (a && !strcmp(a, name))
			return sig;
	}
	if (!strcmp(name, "RTMIN"))
		return 32;
	q = name + 3;
	if (!strncmp(name, "RT_", 3) && read_dec(&q, &v) && !*q && v <= 32)
		return 32 + (int)v;
	return -EINVAL;
}

static bool resolve_name(enum vocab v, enum flagset set, const char *name,
			 uint64_t *ret)
{
	switch (v) {
	case V_FLAGS:
		if (flags_parse(set, name, ret) == 0)
			return true;
		break;
	case V_MODE:
		if (lookup_name(mode_names, name, ret))
			return true;
		break;
	case V_CLONE:
		if (lookup_name(clone_names, name, ret))
			return true;
		if (starts(name, "SIG")) {
			int sig = signal_lookup(name);

			*ret = sig > 0 ? (uint64_t)sig : 0;
			return true;
		}
		break;
	case V_NUM:
		break;
	}
	return lookup_name(misc_names, name, ret);
}

/*
 * An integer expression as strace prints flags, modes and constants:
 * terms joined by '|', each a number or a name, comments (-X verbose)
 * ignored, an empty term (-X raw prints a zero flag set as nothing) 0.
 * Unknown names add nothing. Returns false on anything else.
 */
static bool parse_expr(struct tok t, enum vocab v, enum flagset set,
		       uint64_t *ret)
{
	const char *p = t.s, *end = t.s + t.n;
	uint64_t val = 0;

	while (p < end) {
		char name[64];
		size_t k = 0;
		uint64_t x;

		if (isspace((unsigned char)*p) || *p == '|') {
			p++;
			continue;
		}
		if (*p == '/' && p + 1 < end && p[1] == '*') {
			size_t j = skip_comment(t.s, t.n, (size_t)(p - t.s));

			if (!j)
				return false;
			p = t.s + j;
			continue;
		}
		if (isdigit((unsigned char)*p) || *p == '-' || *p == '~') {
			if (!parse_number(&p, end, &x))
				return false;
		} else if (is_ident_start(*p)) {
			while (p < end && is_ident(*p)) {
				if (k + 1 < sizeof(name))
					name[k++] = *p;
				p++;
			}
			name[k] = '\0';
			if (!resolve_name(v, set, name, &x))
				x = 0;
		} else {
			return false;
		}
		/* FUTEX_OP_SET<<28 and the like */
		if (p + 1 < end && p[0] == '<' && p[1] == '<') {
			uint64_t sh;

			p += 2;
			if (!parse_number(&p, end, &sh) || sh > 63)
				return false;
			x <<= sh;
		}
		val |= x;
	}
	*ret = val;
	return true;
}

/*
 * The unescaped text of the decoration at S[I] ('<'), or NULL; *END (if
 * not NULL) gets the position after it. A -yy device suffix
 * ("/dev/null<char 1:3>") is dropped from a path.
 */
static char *deco_string(struct arena *a, const char *s, size_t n, size_t i,
			 size_t *end)
{
	size_t j = skip_deco(s, n, i), len;
	const char *lt;
	char *out;

	if (!j)
		return NULL;
	if (end)
		*end = j;
	len = j - i - 2;
	/* a '<' in a path is escaped: a bare one starts the device suffix */
	if (len && s[i + 1] == '/' && (lt = memchr(s + i + 1, '<', len)))
		len = (size_t)(lt - (s + i + 1));
	out = arena_alloc(a, len + 1);
	unescape(s + i + 1, len, out);
	return out;
}

/*
 * An fd argument: "3", "3</tmp/x>", "AT_FDCWD</home/u>", -X verbose's
 * "-100" with its comment, -X raw's "0xffffff9c", with -yy
 * "3</dev/null<char 1:3>>" or "3<TCP:[...]>". The decoration, unescaped,
 * goes to *DECO (arena) or NULL.
 */
static bool parse_fd(struct arena *a, struct tok t, int *ret, char **deco)
{
	const char *p = t.s, *end = t.s + t.n;
	uint64_t v;
	int64_t sv;

	*deco = NULL;
	if (t.n >= 8 && !memcmp(p, "AT_FDCWD", 8)) {
		v = (uint64_t)(int64_t)AT_FDCWD;
		p += 8;
	} else if (!parse_number(&p, end, &v)) {
		return false;
	}
	sv = (int64_t)v;
	if (v <= UINT32_MAX)
		sv = (int32_t)(uint32_t)v; /* 0xffffff9c is AT_FDCWD */
	if (sv < INT32_MIN || sv > INT32_MAX)
		return false;
	*ret = (int)sv;
	/* -X verbose puts its comment between the fd and the decoration */
	while (p < end && *p == ' ')
		p++;
	if (p + 1 < end && p[0] == '/' && p[1] == '*') {
		size_t j = skip_comment(t.s, t.n, (size_t)(p - t.s));

		p = j ? t.s + j : end;
	}
	if (p < end && *p == '<')
		*deco = deco_string(a, t.s, t.n, (size_t)(p - t.s), NULL);
	return true;
}

/* The value of FIELD= in the top-level list of a "{...}" struct. */
static bool struct_field(struct tok t, const char *field, struct tok *ret)
{
	struct tok f[MAX_FIELDS];
	size_t klen = strlen(field), end;
	int n;

	if (!t.n || t.s[0] != '{')
		return false;
	if (split_list(t.s + 1, t.n - 1, '}', f, MAX_FIELDS, &n, &end) < 0)
		return false;
	for (int i = 0; i < n; i++)
		if (f[i].n > klen && !memcmp(f[i].s, field, klen) &&
		    f[i].s[klen] == '=') {
			*ret = trim(f[i].s + klen + 1, f[i].n - klen - 1);
			return true;
		}
	return false;
}

static bool field_num(struct tok t, const char *field, enum vocab v,
		      uint64_t *ret)
{
	struct tok f;

	return struct_field(t, field, &f) && parse_expr(f, v, FLAGS_NONE, ret);
}

/* "makedev(0xfe, 0x1)" (or a raw dev_t with -X raw). */
static bool parse_dev(struct tok t, uint64_t *ret)
{
	struct tok parts[2];
	size_t end;
	uint64_t maj, min;
	int n;

	if (t.n > 8 && !memcmp(t.s, "makedev(", 8)) {
		if (split_list(t.s + 8, t.n - 8, ')', parts, 2, &n, &end) < 0 ||
		    n != 2 || !parse_expr(parts[0], V_NUM, FLAGS_NONE, &maj) ||
		    !parse_expr(parts[1], V_NUM, FLAGS_NONE, &min) ||
		    maj > UINT32_MAX || min > UINT32_MAX)
			return false;
		*ret = makedev((unsigned)maj, (unsigned)min);
		return true;
	}
	return parse_expr(t, V_NUM, FLAGS_NONE, ret);
}

/*
 * The identity in a stat or statx buffer. Only -v prints st_dev and
 * st_ino; the abbreviated "{st_mode=..., st_size=..., ...}" gives none.
 */
static void parse_ident(struct tok t, bool statx, struct ident *id)
{
	static const char *const keys[2][7] = {
		{"st_dev", "st_ino", "st_mode", "st_nlink", "st_uid", "st_gid",
		 "st_size"},
		{"stx_dev_major", "stx_ino", "stx_mode", "stx_nlink", "stx_uid",
		 "stx_gid", "stx_size"},
	};
	enum { DEV, INO, MODE, NLINK, UID, GID, SIZE, DEV_MINOR, NVAL };
	uint64_t v[NVAL] = {0};
	bool have[NVAL] = {false};
	struct tok f[MAX_FIELDS];
	size_t end;
	int n;

	memset(id, 0, sizeof(*id));
	if (!t.n || t.s[0] != '{' ||
	    split_list(t.s + 1, t.n - 1, '}', f, MAX_FIELDS, &n, &end) < 0)
		return;
	for (int i = 0; i < n; i++) {
		const char *eq = memchr(f[i].s, '=', f[i].n);
		struct tok val;
		size_t klen;
		int k;

		if (!eq)
			continue;
		klen = (size_t)(eq - f[i].s);
		val = trim(eq + 1, f[i].n - klen - 1);
		for (k = 0; k < NVAL; k++) {
			const char *key = k == DEV_MINOR ? "stx_dev_minor"
					  : k < 7	 ? keys[statx][k]
							 : NULL;

			if (key && strlen(key) == klen &&
			    !memcmp(key, f[i].s, klen))
				break;
		}
		if (k == NVAL)
			continue;
		if (k == DEV && !statx)
			have[k] = parse_dev(val, &v[k]);
		else
			have[k] = parse_expr(val, k == MODE ? V_MODE : V_NUM,
					     FLAGS_NONE, &v[k]);
	}
	if (statx) {
		if (!have[DEV] || !have[DEV_MINOR] || v[DEV] > UINT32_MAX ||
		    v[DEV_MINOR] > UINT32_MAX)
			return;
		v[DEV] = makedev((unsigned)v[DEV], (unsigned)v[DEV_MINOR]);
	}
	if (!have[DEV] || !have[INO])
		return;
	id->valid = true;
	id->dev = v[DEV];
	id->ino = v[INO];
	id->mode = (uint32_t)v[MODE];
	id->nlink = v[NLINK];
	id->uid = (uint32_t)v[UID];
	id->gid = (uint32_t)v[GID];
	id->size = (int64_t)v[SIZE];
}

/* execve's argv: ["a", "b"...] — an element cut short keeps its "...". */
static void parse_argv(struct arena *a, struct tok t, struct event *ev)
{
	struct tok *el;
	const char **argv;
	size_t end;
	int n, argc = 0;

	ev->has |= HAS_ARGV;
	ev->argv = NULL;
	ev->argc = 0;
	if (!t.n || t.s[0] != '[')
		return;
	el = arena_alloc(a, ARGV_MAX * sizeof(*el));
	if (split_list(t.s + 1, t.n - 1, ']', el, ARGV_MAX, &n, &end) < 0)
		return;
	argv = arena_alloc(a, ((size_t)n + 1) * sizeof(*argv));
	for (int i = 0; i < n; i++) {
		char *s;

		if (parse_str(a, el[i], &s) < STR_OK)
			break;
		argv[argc++] = s;
	}
	argv[argc] = NULL;
	ev->argv = argv;
	ev->argc = argc;
}

/* ---- errno names ---- */

static const struct name_val kernel_errnos[] = {
	{"ERESTARTSYS", 512},
	{"ERESTARTNOINTR", 513},
	{"ERESTARTNOHAND", 514},
	{"ENOIOCTLCMD", 515},
	{"ERESTART_RESTARTBLOCK", 516},
	{"EPROBE_DEFER", 517},
	{"EOPENSTALE", 518},
	{"ENOPARAM", 519},
	{"EBADHANDLE", 521},
	{"ENOTSYNC", 522},
	{"EBADCOOKIE", 523},
	{"ENOTSUPP", 524},
	{"ETOOSMALL", 525},
	{"ESERVERFAULT", 526},
	{"EBADTYPE", 527},
	{"EJUKEBOX", 528},
	{"EIOCBQUEUED", 529},
	{"ERECALLCONFLICT", 530},
	{"EWOULDBLOCK", EAGAIN},
	{"EDEADLOCK", EDEADLK},
	{"ENOTSUP", EOPNOTSUPP},
	{NULL, 0},
};

/*
 * errno_parse() walks 4096 numbers, and strace logs are full of ENOENT:
 * NAMES holds strerrorname_np() of the first ERRNO_NAMES (per reader, so
 * that readers in different threads share nothing).
 */
static int errno_lookup(const char *const *names, const char *name)
{
	uint64_t v;

	for (int e = 1; e < ERRNO_NAMES; e++)
		if (names[e] && names[e][1] == name[1] &&
		    !strcmp(names[e], name))
			return e;
	if (lookup_name(kernel_errnos, name, &v))
		return (int)v;
	return errno_parse(name);
}

/* ---- reading lines ---- */

static bool parse_ts(const char **pp, struct ts_raw *ts)
{
	const char *p = *pp;
	uint64_t v, frac = 0;
	int digits = 0;

	if (!read_dec(&p, &v))
		return false;
	if (*p == ':') {
		uint64_t m, s;

		p++;
		if (!read_dec(&p, &m) || *p != ':')
			return false;
		p++;
		if (!read_dec(&p, &s) || v > 23 || m > 59 || s > 60)
			return false;
		ts->kind = TS_TOD;
		ts->secs = v * 3600 + m * 60 + s;
	} else if (*p == '.') {
		ts->kind = v >= 100000000 ? TS_ABS : TS_REL;
		ts->secs = v;
	} else if (*p == ' ' && v > PID_MAX_LIMIT) {
		ts->kind = TS_ABS;
		ts->secs = v;
	} else {
		return false;
	}
	if (ts->secs > 10000000000ull)
		return false;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return false;
		for (; isdigit((unsigned char)*p); p++)
			if (digits < 9) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				digits++;
			}
		for (; digits < 9; digits++)
			frac *= 10;
	}
	ts->ns = frac;
	*pp = p;
	return true;
}

/*
 * Cut LINE into pid prefix ("1234 " or "[pid 1234] ", a "<comm>" after
 * the pid with -Y), timestamp and body; -i's "[ip] " and -n's "[ nr] "
 * are skipped.
 */
static void parse_prefix(char *line, int *ret_pid, struct ts_raw *ts,
			 char **ret_body)
{
	const char *p = line, *q;
	uint64_t v;
	int pid = 0;

	ts->kind = TS_NONE;
	if (starts(p, "[pid ")) {
		q = p + 5;
		while (*q == ' ')
			q++;
		if (read_dec(&q, &v) && v > 0 && v <= PID_MAX_LIMIT) {
			if (*q == '<')
				q = strchr(q, '>') ? strchr(q, '>') + 1 : q;
			if (*q == ']') {
				pid = (int)v;
				p = q + 1;
			}
		}
	} else if (isdigit((unsigned char)*p)) {
		q = p;
		if (read_dec(&q, &v) && v > 0 && v <= PID_MAX_LIMIT &&
		    (*q == ' ' || *q == '<')) {
			if (*q == '<')
				q = strchr(q, '>') ? strchr(q, '>') + 1 : q;
			if (*q == ' ') {
				pid = (int)v;
				p = q;
			}
		}
	}
	q = p;
	while (*q == ' ')
		q++;
	if (isdigit((unsigned char)*q) && parse_ts(&q, ts) && *q == ' ')
		p = q;
	else
		ts->kind = TS_NONE;
	if (pid || ts->kind != TS_NONE)
		while (*p == ' ')
			p++;
	while (*p == '[' && (ts->kind != TS_NONE || pid)) {
		q = p + 1;
		while (*q == ' ' || isxdigit((unsigned char)*q))
			q++;
		if (*q != ']' || q == p + 1 || q[1] != ' ')
			break;
		p = q + 2;
	}
	*ret_pid = pid;
	*ret_body = (char *)p;
}

/* The time of a line in ns since the epoch; see strace.h for the date. */
static uint64_t apply_ts(struct src *s, const struct ts_raw *ts)
{
	uint64_t tod;
	int64_t t;

	switch (ts->kind) {
	case TS_ABS:
		return ts->secs * NSEC + ts->ns;
	case TS_REL:
		s->rel += ts->secs * NSEC + ts->ns;
		return s->rel;
	case TS_TOD:
		tod = ts->secs * NSEC + ts->ns;
		if (!s->day_set) {
			s->day = s->midnight;
			if ((int64_t)ts->secs > s->mtime_tod + 60)
				s->day -= 86400;
			s->day_set = true;
		} else if (tod + 12 * 3600 * NSEC < s->last_tod) {
			s->day += 86400;
		}
		s->last_tod = tod;
		t = s->day * (int64_t)NSEC + (int64_t)tod;
		return t < 0 ? 0 : (uint64_t)t;
	case TS_NONE:
		break;
	}
	return 0;
}

/* Read into the buffer: 1, 0 at the end of the file, -errno. */
static int src_fill(struct src *s)
{
	size_t avail = s->len - s->start;
	ssize_t n;

	if (s->start) {
		memmove(s->buf, s->buf + s->start, avail);
		s->len = avail;
		s->start = 0;
	}
	if (s->cap - s->len < s->chunk + 1) {
		s->cap = s->len + s->chunk + 1;
		s->buf = xrealloc(s->buf, s->cap);
	}
	do
		n = read(s->fd, s->buf + s->len, s->cap - s->len - 1);
	while (n < 0 && errno == EINTR);
	if (n > 0 && (size_t)n == s->cap - s->len - 1)
		s->chunk = READ_CHUNK; /* more than fstat said: read big */
	if (n < 0)
		return -errno;
	if (n == 0) {
		s->eof = true;
		return 0;
	}
	s->len += (size_t)n;
	return 1;
}

/*
 * The next raw line of S into *LINE (NUL-terminated, in the buffer):
 * 1, 0 at the end, -errno. A line longer than STRACE_MAX_LINE comes back
 * empty with *TOO_LONG (its start in toolong_head).
 */
static int src_raw_line(struct src *s, char **line, size_t *len, bool *too_long,
			bool *unterminated)
{
	*too_long = *unterminated = false;
	if (!s->buf) {
		int r = src_fill(s);

		if (r < 0)
			return r;
	}
	for (;;) {
		char *p = s->buf + s->start;
		size_t avail = s->len - s->start;
		char *nl = memchr(p + s->scanned, '\n', avail - s->scanned);
		int r;

		if (nl) {
			size_t n = (size_t)(nl - p);

			*nl = '\0';
			s->start += n + 1;
			s->scanned = 0;
			s->lineno++;
			if (s->skipping) {
				s->skipping = false;
				*too_long = true;
				p[0] = '\0';
				n = 0;
			}
			if (n && p[n - 1] == '\r')
				p[--n] = '\0';
			*line = p;
			*len = n;
			return 1;
		}
		s->scanned = avail;
		if (s->eof) {
			if (!avail && !s->skipping)
				return 0;
			p[avail] = '\0';
			s->start = s->len;
			s->scanned = 0;
			s->lineno++;
			*unterminated = true;
			if (s->skipping) {
				s->skipping = false;
				*too_long = true;
				p[0] = '\0';
				avail = 0;
			}
			*line = p;
			*len = avail;
			return 1;
		}
		if (avail >= STRACE_MAX_LINE) {
			if (!s->skipping) {
				size_t k = avail <= WARN_TEXT ? avail
							      : WARN_TEXT + 1;

				memcpy(s->toolong_head, p, k);
				s->toolong_head[k] = '\0';
			}
			s->skipping = true;
			s->start = s->len = s->scanned = 0;
		}
		r = src_fill(s);
		if (r < 0)
			return r;
	}
}

/*
 * On stderr, strace writes "strace: Process N attached" into the middle
 * of a line whose end is the next line (" <unfinished ...>", ", child_
 * tidptr=0x7f00) = N", "NULL, 0, NULL) = N", never with a prefix). The
 * head is kept as the carry and joined to that next line.
 */
static int src_line(struct src *s, char **line, size_t *len, bool *too_long,
		    bool *unterminated, unsigned long *lineno)
{
	for (;;) {
		char *raw;
		size_t n;
		int r;

		if (s->stashed) {
			s->stashed = false;
			raw = s->stash;
			n = s->stash_len;
			*too_long = false;
			*unterminated = s->stash_unterminated;
		} else {
			r = src_raw_line(s, &raw, &n, too_long, unterminated);
			if (r <= 0) {
				if (r == 0 && s->carry) {
					/* the carry alone, as the last line */
					*line = s->carry;
					*len = strlen(s->carry);
					*lineno = s->carry_line;
					*unterminated = true;
					s->carry = NULL;
					free(s->join);
					s->join = *line;
					s->join_cap = *len + 1;
					return 1;
				}
				return r;
			}
		}
		*lineno = s->lineno;
		/* a NUL byte ends the line: it is text from here on */
		n = strnlen(raw, n);
		if (!*too_long && !starts(raw, "strace: ") &&
		    (ends_with(raw, n, " attached") ||
		     ends_with(raw, n, " detached") ||
		     ends_with(raw, n, " threads"))) {
			char *m = memmem(raw, n, "strace: Process ", 16);

			if (m && m > raw) {
				free(s->carry);
				s->carry = xstrndup(raw, (size_t)(m - raw));
				s->carry_line = s->lineno;
				continue;
			}
		}
		if (s->carry) {
			size_t c = strlen(s->carry);

			/* another process attached: the end is still to come */
			if (starts(raw, "strace: Process "))
				continue;
			if (starts(raw, "[pid ") || starts(raw, "+++ ") ||
			    starts(raw, "--- ") || starts(raw, "strace: ")) {
				/* no continuation: the carry is a line */
				free(s->stash);
				s->stash = xstrndup(raw, n);
				s->stash_len = n;
				s->stash_unterminated = *unterminated;
				s->stashed = true;
				*line = s->carry;
				*len = c;
				*lineno = s->carry_line;
				*unterminated = false;
				free(s->join);
				s->join = s->carry;
				s->join_cap = c + 1;
				s->carry = NULL;
				return 1;
			}
			if (s->join_cap < c + n + 1) {
				s->join_cap = c + n + 1;
				s->join = xrealloc(s->join, s->join_cap);
			}
			memcpy(s->join, s->carry, c);
			memcpy(s->join + c, raw, n + 1);
			free(s->carry);
			s->carry = NULL;
			*line = s->join;
			*len = c + n;
			return 1;
		}
		*line = raw;
		*len = n;
		return 1;
	}
}

/* The next line of S with its prefix parsed: 1, 0 at the end, -errno. */
static int src_next(struct src *s, struct sline *l)
{
	struct ts_raw ts;
	char *raw;
	size_t n;
	bool too_long, unterminated;
	int pid, r;

	if (s->done)
		return 0;
	r = src_line(s, &raw, &n, &too_long, &unterminated, &l->lineno);
	if (r <= 0) {
		if (r == 0)
			s->done = true;
		return r;
	}
	l->src = s;
	l->raw = raw;
	l->too_long = too_long;
	l->unterminated = unterminated;
	parse_prefix(raw, &pid, &ts, &l->body);
	l->pid = pid ? pid : s->file_pid;
	l->has_ts = ts.kind != TS_NONE;
	l->ts = apply_ts(s, &ts);
	return 1;
}

static bool is_clone_call(const char *b)
{
	return starts(b, "clone(") || starts(b, "clone3(") ||
	       starts(b, "fork(") || starts(b, "vfork(");
}

/* The -T duration " <0.000123>" at the end of a line. */
static bool line_duration(const char *b, size_t n, uint64_t *ret)
{
	size_t i;
	const char *p;
	struct ts_raw ts;

	if (n < 5 || b[n - 1] != '>')
		return false;
	for (i = n - 1; i > 0 && n - i < 40; i--)
		if (b[i - 1] == '<')
			break;
	if (i < 2 || b[i - 1] != '<' || b[i - 2] != ' ')
		return false;
	p = b + i;
	if (!parse_ts(&p, &ts) || ts.kind == TS_TOD || *p != '>')
		return false;
	*ret = ts.secs * NSEC + ts.ns;
	return true;
}

/* ---- tasks ---- */

static struct stask *task_find(struct strace_reader *r, int tid)
{
	return (struct stask *)proc_find(&r->model, tid);
}

static struct stask *task_new(struct strace_reader *r, int tid)
{
	struct stask *k = xcalloc(1, sizeof(*k));

	k->p.tid = k->p.tgid = tid;
	proc_add(&r->model, &k->p);
	r->nlive++;
	r->solo_valid = false;
	return k;
}

/* A task whose fork the log does not show: nothing known about it. */
static struct stask *task_root(struct strace_reader *r, int tid)
{
	struct stask *k = task_new(r, tid);

	proc_setup(&k->p, NULL, NULL);
	return k;
}

static void pending_clear(struct strace_reader *r, struct stask *k)
{
	if (k->pend.active && k->pend.clone)
		r->npending_clones--;
	k->pend.active = false;
	k->pend.clone = false;
	k->pend.done_at_entry = false;
	k->pend.sc = NULL;
	k->pend.len = 0;
}

static void pending_free(struct pending *p)
{
	free(p->text);
	free(p->name);
	memset(p, 0, sizeof(*p));
}

static void task_free(struct strace_reader *r, struct stask *k)
{
	proc_remove(&r->model, &k->p);
	pending_clear(r, k);
	pending_free(&k->pend);
	free(k);
	r->nlive--;
	r->solo_valid = false;
}

static struct stask *solo_task(struct strace_reader *r)
{
	if (r->nlive != 1)
		return NULL;
	if (!r->solo_valid) {
		r->solo = NULL;
		for (unsigned b = 0; b < PROC_BUCKETS && !r->solo; b++)
			r->solo = (struct stask *)r->model.buckets[b];
		r->solo_valid = true;
	}
	return r->solo;
}

/*
 * The pid of an unprefixed line of a log that has none on every line
 * (no -f, or -f on stderr, where strace prefixes lines only while it
 * traces more than one process): the first set_tid_address(), getpid()
 * or gettid() result of an unprefixed line, or the first "[pid N]" that
 * no fork returned (the first process, once it has company). 0 if none
 * is found in the first PRESCAN_MAX bytes.
 */
static int prescan(struct src *s)
{
	size_t max = s->size > 0 && (uint64_t)s->size < PRESCAN_MAX
			     ? (size_t)s->size
			     : PRESCAN_MAX;
	char *buf = xmalloc(max + 1);
	size_t len = 0;
	int forked[64], nforked = 0, found = 0, calls = 0;
	char *p, *nl;

	while (len < max) {
		ssize_t n = pread(s->fd, buf + len, max - len, (off_t)len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	for (p = buf; !found && (nl = memchr(p, '\n', len - (size_t)(p - buf)));
	     p = nl + 1) {
		struct ts_raw ts;
		char *body, *eq, *att;
		int pid;
		uint64_t v;
		const char *q;

		*nl = '\0';
		parse_prefix(p, &pid, &ts, &body);
		eq = strrchr(body, '=');
		q = eq ? eq + 1 : NULL;
		while (q && *q == ' ')
			q++;
		att = strstr(body, "strace: Process ");
		if (att) {
			/* the first attach is -p's; later ones are children */
			q = att + 16;
			if (!read_dec(&q, &v) || v > PID_MAX_LIMIT)
				continue;
			if (att == body && !calls)
				found = (int)v;
			else if (nforked < (int)ARRAY_SIZE(forked))
				forked[nforked++] = (int)v;
			continue;
		}
		if (pid) {
			bool child = false;

			for (int i = 0; i < nforked; i++)
				child |= forked[i] == pid;
			if (!child)
				found = pid;
			continue;
		}
		calls++;
		if (starts(body, "set_tid_address(") ||
		    starts(body, "getpid()") || starts(body, "gettid()")) {
			if (q && read_dec(&q, &v) && v && v <= PID_MAX_LIMIT)
				found = (int)v;
		} else if (is_clone_call(body) || starts(body, "<... clone") ||
			   starts(body, "<... fork") ||
			   starts(body, "<... vfork")) {
			if (q && read_dec(&q, &v) && v <= PID_MAX_LIMIT &&
			    nforked < (int)ARRAY_SIZE(forked))
				forked[nforked++] = (int)v;
		}
	}
	free(buf);
	return found;
}

/* Whose line is L: its prefix, its file, the only process, or a guess. */
static int line_pid(struct strace_reader *r, struct sline *l)
{
	struct stask *k;

	if (l->pid)
		return l->pid;
	k = solo_task(r);
	if (k)
		return r->unpref_pid = k->p.tid;
	if (r->unpref_pid && task_find(r, r->unpref_pid))
		return r->unpref_pid;
	if (!l->src->guessed) {
		l->src->guess_pid = prescan(l->src);
		if (!l->src->guess_pid)
			l->src->guess_pid = l->src->suffix_pid;
		l->src->guessed = true;
	}
	return r->unpref_pid = l->src->guess_pid;
}

/* ---- held lines ---- */

static void hold(struct strace_reader *r, const struct sline *l, int pid)
{
	size_t n = strlen(l->raw);
	struct held *h = xmalloc(sizeof(*h) + n + 1);

	h->next = NULL;
	h->l = *l;
	h->l.pid = pid;
	memcpy(h->text, l->raw, n + 1);
	h->l.raw = h->text;
	h->l.body = h->text + (l->body - l->raw);
	h->size = sizeof(*h) + n + 1;
	if (r->held_tail)
		r->held_tail->next = h;
	else
		r->held = h;
	r->held_tail = h;
	r->held_bytes += h->size;
}

/*
 * Move the held lines of PID (all of them when PID is -1) to the front
 * of the replay queue, in the order they were read.
 */
static void release(struct strace_reader *r, int pid)
{
	struct held *first = NULL, **tail = &first, **pp = &r->held;

	r->held_tail = NULL;
	while (*pp) {
		struct held *h = *pp;

		if (pid == -1 || h->l.pid == pid) {
			*pp = h->next;
			r->held_bytes -= h->size;
			h->next = NULL;
			*tail = h;
			tail = &h->next;
		} else {
			r->held_tail = h;
			pp = &h->next;
		}
	}
	*tail = r->replay;
	r->replay = first;
}

/* No fork is pending any more: whose lines are held has no parent here. */
static void release_if_idle(struct strace_reader *r)
{
	if (r->npending_clones <= 0 && r->held)
		release(r, -1);
}

/* Too much held: give every held pid a task of its own and replay. */
static void release_by_force(struct strace_reader *r)
{
	for (struct held *h = r->held; h; h = h->next)
		if (!task_find(r, h->l.pid))
			task_root(r, h->l.pid);
	release(r, -1);
}

/* ---- warnings ---- */

static void quote_text(const char *s, char *out, size_t size)
{
	size_t o = 0, i;

	for (i = 0; s[i] && o + 5 < size && i < WARN_TEXT; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	if (s[i] && o + 4 < size)
		memcpy(out + o, "...", 4);
}

/* A line that cannot be parsed: 0 (skipped, warned) or -EINVAL. */
static int bad_line(struct strace_reader *r, const struct sline *l, char *err,
		    size_t errlen)
{
	char text[WARN_TEXT * 4 + 8];

	r->skipped++;
	quote_text(l->too_long ? l->src->toolong_head : l->raw, text,
		   sizeof(text));
	if (r->strict && !l->unterminated) {
		snprintf(err, errlen, "%s:%lu: cannot parse: %s", l->src->path,
			 l->lineno, text);
		return -EINVAL;
	}
	warnx_("%s:%lu: cannot parse: %s", l->src->path, l->lineno, text);
	return 0;
}

/* ---- the backend: what the log tells the model ---- */

static void add_deco(struct strace_reader *r, int fd, const char *path)
{
	if (!path)
		return;
	if (fd == AT_FDCWD) {
		if (!r->cwd_deco)
			r->cwd_deco = path;
	} else if (r->ndecos < (int)ARRAY_SIZE(r->decos)) {
		r->decos[r->ndecos].fd = fd;
		r->decos[r->ndecos].path = path;
		r->ndecos++;
	}
}

static int copy_deco(const char *path, char *buf, size_t size)
{
	size_t n = strlen(path);

	if (n >= size)
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	return 0;
}

static int log_fd_path(void *ctx, const struct proc *p, int fd, char *buf,
		       size_t size)
{
	struct strace_reader *r = ctx;

	for (int i = 0; i < r->ndecos; i++)
		if (r->decos[i].fd == fd)
			return copy_deco(r->decos[i].path, buf, size);
	return -ENOENT;
}

static int log_cwd(void *ctx, const struct proc *p, char *buf, size_t size)
{
	struct strace_reader *r = ctx;

	return r->cwd_deco ? copy_deco(r->cwd_deco, buf, size) : -ENOENT;
}

static const struct proc_backend log_backend = {
	.name = "strace -y",
	.fd_path = log_fd_path,
	.cwd = log_cwd,
};

/* ---- calls ---- */

struct result {
	bool known; /* false for "= ?" */
	int64_t val;
	int err; /* > 0 on failure */
	bool failed;
	char *deco; /* "= 3</tmp/x>" */
	bool has_dur;
	uint64_t dur;
};

/* " = 3</x> <0.1>", " = -1 ENOENT (...)", " = ? ERESTARTSYS (...)" */
static bool parse_result(struct strace_reader *r, const char *s, size_t n,
			 struct result *res)
{
	const char *p = s, *end = s + n;
	uint64_t v;

	memset(res, 0, sizeof(*res));
	while (p < end && *p == ' ')
		p++;
	if (p >= end || *p != '=')
		return false;
	p++;
	while (p < end && *p == ' ')
		p++;
	if (p < end && *p == '?') {
		p++;
	} else if (parse_number(&p, end, &v)) {
		res->known = true;
		res->val = (int64_t)v;
		if (p < end && *p == '<') {
			size_t j;

			res->deco = deco_string(&r->arena, s, n,
						(size_t)(p - s), &j);
			if (res->deco)
				p = s + j;
		}
	} else {
		return false;
	}
	while (p < end && *p == ' ')
		p++;
	if (p + 1 < end && p[0] == 'E' && (isupper((unsigned char)p[1]))) {
		char name[40];
		size_t k = 0;

		while (p < end && (isupper((unsigned char)*p) ||
				   isdigit((unsigned char)*p) || *p == '_')) {
			if (k + 1 < sizeof(name))
				name[k++] = *p;
			p++;
		}
		name[k] = '\0';
		res->err = errno_lookup(r->errnames, name);
		if (res->err < 0)
			res->err = 0;
		res->known = true;
		res->failed = true;
		res->val = -1;
	} else if (res->known && res->val == -1) {
		res->failed = true;
	}
	res->has_dur = line_duration(s, n, &res->dur);
	return true;
}

/* A call ready to decode: "name(args) = result", or "name(args)". */
struct call {
	const struct syscall_desc *sc;
	const char *text;
	size_t len;
	size_t name_len;
	bool has_ts;
	uint64_t ts_enter;
	const struct sline *l; /* the line it finished on */
	bool no_result;	       /* close, close_range, sync */
};

/* Calls the tracer records at entry, without waiting for a result. */
static bool made_at_entry(const struct syscall_desc *sc)
{
	return (sc->flags & SCF_NO_EXIT) && sc->effect != E_CLONE;
}

static unsigned sc_hash(const char *name, size_t len)
{
	unsigned h = 5381;

	for (size_t i = 0; i < len; i++)
		h = h * 33 + (unsigned char)name[i];
	return h % SC_BUCKETS;
}

static const struct syscall_desc *sc_lookup(struct strace_reader *r,
					    const char *name, size_t len)
{
	for (struct sc_slot *s = r->scs[sc_hash(name, len)]; s; s = s->next)
		if (s->len == len && !memcmp(s->sc->name, name, len))
			return s->sc;
	return NULL;
}

static void sc_index(struct strace_reader *r)
{
	r->sc_slots = xcalloc(syscall_table_size, sizeof(*r->sc_slots));
	for (unsigned i = 0; i < syscall_table_size; i++) {
		struct sc_slot *s = &r->sc_slots[i];
		unsigned h;

		s->sc = &syscall_table[i];
		s->len = strlen(s->sc->name);
		h = sc_hash(s->sc->name, s->len);
		s->next = r->scs[h];
		r->scs[h] = s;
	}
}

/* "...) = ..." somewhere: the form of a finished call we do not decode. */
static bool has_result(const char *b, size_t n)
{
	for (size_t i = n; i-- > 1;) {
		size_t j = i;

		if (b[i] != '=' || (i + 1 < n && b[i + 1] != ' '))
			continue;
		while (j > 0 && b[j - 1] == ' ')
			j--;
		if (j > 0 && b[j - 1] == ')')
			return true;
	}
	return false;
}

static void set_source(struct event *ev, const struct sline *l)
{
	ev->source_file = l->src->path;
	ev->source_line = l->lineno;
}

static enum vocab kind_vocab(enum arg_kind kind, enum flagset *set)
{
	switch (kind) {
	case A_OFLAGS:
		*set = FLAGS_OPEN;
		return V_FLAGS;
	case A_ATFLAGS:
		*set = FLAGS_AT;
		return V_FLAGS;
	case A_FACCFLAGS:
		*set = FLAGS_FACCESSAT;
		return V_FLAGS;
	case A_RENFLAGS:
		*set = FLAGS_RENAME;
		return V_FLAGS;
	case A_CRFLAGS:
		*set = FLAGS_CLOSE_RANGE;
		return V_FLAGS;
	case A_DUPFLAGS:
		*set = FLAGS_DUP3;
		return V_FLAGS;
	case A_SFRFLAGS:
		*set = FLAGS_SYNC_FILE_RANGE;
		return V_FLAGS;
	case A_ACCESS:
		*set = FLAGS_ACCESS;
		return V_FLAGS;
	default:
		*set = FLAGS_NONE;
		return V_NUM;
	}
}

/* fcntl is traced for F_DUPFD, F_DUPFD_CLOEXEC and F_SETFD only. */
static bool fcntl_traced(struct tok t, int *cmd)
{
	char name[32];
	uint64_t v;

	if (t.n && t.n < sizeof(name) && is_ident_start(t.s[0])) {
		size_t k = 0;

		while (k < t.n && is_ident(t.s[k]))
			k++;
		memcpy(name, t.s, k);
		name[k] = '\0';
		*cmd = fcntl_cmd_parse(name);
	} else if (parse_expr(t, V_NUM, FLAGS_NONE, &v) && v <= INT32_MAX) {
		*cmd = (int)v;
	} else {
		return false;
	}
	return proc_fcntl_traced(*cmd);
}

/* A successful fork, vfork, clone or clone3: the child's task and event. */
static int do_fork(struct strace_reader *r, struct stask *k,
		   const struct call *c, const struct tok *toks, int ntok,
		   const struct result *res, struct event *ev)
{
	const char *name = c->sc->name;
	uint64_t flags = proc_clone_flags(c->sc);
	struct stask *child;
	int tid;

	if (!res->known || res->failed || res->val <= 0 ||
	    res->val > PID_MAX_LIMIT)
		return 0;
	tid = (int)res->val;
	if (!strcmp(name, "clone")) {
		for (int i = 0; i < ntok; i++)
			if (toks[i].n > 6 && !memcmp(toks[i].s, "flags=", 6)) {
				struct tok f = {toks[i].s + 6, toks[i].n - 6};

				if (!parse_expr(f, V_CLONE, FLAGS_NONE, &flags))
					flags = 0;
			}
		flags &= ~(uint64_t)CSIGNAL_;
	} else if (!strcmp(name, "clone3")) {
		if (ntok < 1 || !field_num(toks[0], "flags", V_CLONE, &flags))
			flags = 0;
	}
	child = task_find(r, tid);
	if (!child)
		child = task_new(r, tid);
	proc_fork(&k->p, &child->p, flags, ev);
	ev->ts_enter = c->has_ts ? c->ts_enter : 0;
	ev->fork_syscall = name;
	set_source(ev, c->l);
	/* with no fork left pending, release_if_idle() replays all in order */
	if (r->npending_clones > 0)
		release(r, tid);
	return 1;
}

/*
 * The arguments, by the kind syscall_table[] gives each; the model then
 * makes of them what the live tracer makes of the registers.
 */
static int decode_args(struct strace_reader *r, struct stask *k,
		       const struct syscall_desc *sc, const struct tok *toks,
		       int ntok, struct event *ev, const struct tok **statbuf,
		       bool *statx, const struct tok **linkbuf)
{
	enum flagset set = FLAGS_NONE;
	enum str_kind sk;
	unsigned hints = 0;
	enum vocab vocab;
	uint64_t v;
	char *deco, *s;
	int fd;

	*statbuf = *linkbuf = NULL;
	*statx = false;
	for (int i = 0; i < 6 && i < ntok; i++) {
		struct tok t = toks[i];
		enum arg_kind kind = (enum arg_kind)sc->args[i];

		switch (kind) {
		case A_NONE:
		case A_CLONEFLAGS:
		case A_CLONEARGS:
			break;
		case A_DIRFD:
		case A_DIRFD2:
			if (!parse_fd(&r->arena, t, &fd, &deco))
				return -1;
			add_deco(r, fd, deco);
			if (kind == A_DIRFD) {
				ev->has |= HAS_DIRFD;
				ev->dirfd = fd;
			} else {
				ev->has |= HAS_DIRFD2;
				ev->dirfd2 = fd;
			}
			break;
		case A_PATH:
		case A_PATH2:
			sk = parse_str(&r->arena, t, &s);
			if (sk == STR_NULL && kind == A_PATH) {
				hints |= PROC_NULL_PATH;
			} else if (sk >= STR_OK && kind == A_PATH) {
				ev->has |= HAS_PATH;
				ev->path = s;
				if (sk == STR_TRUNC)
					hints |= PROC_CUT_PATH;
			} else if (sk >= STR_OK) {
				ev->has |= HAS_PATH2;
				ev->path2 = s;
				if (sk == STR_TRUNC)
					hints |= PROC_CUT_PATH2;
			}
			break;
		case A_FD:
		case A_FD2:
			if (!parse_fd(&r->arena, t, &fd, &deco))
				return -1;
			add_deco(r, fd, deco);
			if (kind == A_FD2) {
				ev->has |= HAS_FD2;
				ev->fd2 = fd;
			} else {
				ev->has |= HAS_FD;
				ev->fd = fd;
			}
			break;
		case A_OFLAGS:
		case A_ATFLAGS:
		case A_FACCFLAGS:
		case A_RENFLAGS:
		case A_CRFLAGS:
		case A_DUPFLAGS:
		case A_SFRFLAGS:
			vocab = kind_vocab(kind, &set);
			if (!parse_expr(t, vocab, set, &v))
				break;
			ev->has |= HAS_FLAGS;
			ev->flags = kind == A_OFLAGS ? (uint32_t)v : v;
			break;
		case A_MODE:
			if (!parse_expr(t, V_MODE, FLAGS_NONE, &v))
				break;
			ev->has |= HAS_MODE;
			ev->mode = (uint32_t)v;
			break;
		case A_ACCESS:
			if (!parse_expr(t, V_FLAGS, FLAGS_ACCESS, &v))
				break;
			ev->has |= HAS_ACCESS;
			ev->access = (uint32_t)v;
			break;
		case A_OPENHOW: {
			uint64_t flags = 0, mode = 0, res = 0;
			struct tok f;

			if (struct_field(t, "flags", &f))
				parse_expr(f, V_FLAGS, FLAGS_OPEN, &flags);
			if (struct_field(t, "mode", &f))
				parse_expr(f, V_MODE, FLAGS_NONE, &mode);
			if (struct_field(t, "resolve", &f))
				parse_expr(f, V_FLAGS, FLAGS_RESOLVE, &res);
			ev->has |= HAS_FLAGS | HAS_RESOLVE | HAS_MODE;
			ev->flags = flags;
			ev->mode = (uint32_t)mode;
			ev->resolve = res;
			break;
		}
		case A_UID:
			if (!parse_expr(t, V_NUM, FLAGS_NONE, &v))
				break;
			ev->has |= HAS_OWNER;
			ev->uid = (int32_t)v;
			break;
		case A_GID:
			if (parse_expr(t, V_NUM, FLAGS_NONE, &v))
				ev->gid = (int32_t)v;
			break;
		case A_LENGTH:
			if (!parse_expr(t, V_NUM, FLAGS_NONE, &v))
				break;
			ev->has |= HAS_LENGTH;
			ev->length = (int64_t)v;
			break;
		case A_FCNTL_CMD:
			ev->has |= HAS_CMD;
			fcntl_traced(t, &ev->cmd);
			break;
		case A_FCNTL_ARG:
			if (parse_expr(t, V_NUM, FLAGS_NONE, &v))
				ev->arg = (int64_t)v;
			break;
		case A_TARGET:
			if (parse_str(&r->arena, t, &s) >= STR_OK) {
				ev->has |= HAS_TARGET;
				ev->target = s;
			}
			break;
		case A_XATTR:
			if (parse_str(&r->arena, t, &s) >= STR_OK) {
				ev->has |= HAS_XATTR;
				ev->xattr = s;
			}
			break;
		case A_LINKBUF:
			*linkbuf = &toks[i];
			break;
		case A_STATBUF:
		case A_STATXBUF:
			*statbuf = &toks[i];
			*statx = kind == A_STATXBUF;
			break;
		case A_ARGV:
			parse_argv(&r->arena, t, ev);
			break;
		case A_FDLAST:
			if (parse_expr(t, V_NUM, FLAGS_NONE, &v))
				ev->length = (int64_t)(uint32_t)v;
			break;
		}
	}
	proc_apply_entry(&r->model, &k->p, ev, &r->strs, hints);
	return 0;
}

/*
 * Decode a call into EV: 1 for an event, 0 for none (a call that never
 * returned, an fcntl the tracer does not stop on, a failed fork), -1
 * when it cannot be parsed.
 */
static int do_call(struct strace_reader *r, struct stask *k,
		   const struct call *c, struct event *ev)
{
	const struct syscall_desc *sc = c->sc;
	const char *args = c->text + c->name_len + 1;
	size_t alen = c->len - c->name_len - 1, end;
	const struct tok *statbuf, *linkbuf;
	struct tok toks[MAX_TOKS];
	struct result res;
	int ntok, cmd;
	bool statx;

	if (split_list(args, alen, ')', toks, MAX_TOKS, &ntok, &end) < 0)
		return -1;
	memset(&res, 0, sizeof(res));
	if (!c->no_result && !parse_result(r, args + end, alen - end, &res))
		return -1;
	if (sc->effect == E_CLONE)
		return do_fork(r, k, c, toks, ntok, &res, ev);
	if (!c->no_result && !res.known)
		return 0;
	if (sc->effect == E_FCNTL && (ntok < 2 || !fcntl_traced(toks[1], &cmd)))
		return 0;

	event_init(ev, EV_SYSCALL);
	ev->sc = sc;
	ev->pid = k->p.tgid;
	ev->tid = k->p.tid;
	set_source(ev, c->l);
	r->ndecos = 0;
	r->cwd_deco = NULL;
	if (c->has_ts) {
		ev->ts_enter = c->ts_enter;
		if (c->no_result)
			ev->ts_exit = ev->ts_enter;
		else if (res.has_dur)
			ev->ts_exit = ev->ts_enter + res.dur;
		else
			ev->ts_exit = c->l->has_ts ? c->l->ts : ev->ts_enter;
	}
	if (decode_args(r, k, sc, toks, ntok, ev, &statbuf, &statx, &linkbuf) <
	    0)
		return -1;
	if (sc->effect == E_EXEC && k->old_tid) {
		ev->has |= HAS_OLD_TID;
		ev->old_tid = k->old_tid;
		k->old_tid = 0;
	}
	if (c->no_result)
		return 1;
	ev->has |= HAS_RET;
	if (res.failed) {
		ev->ret = -1;
		ev->err = res.err;
		return 1;
	}
	ev->ret = res.val;
	add_deco(r, (int)res.val, res.deco);
	proc_apply_exit(&r->model, &k->p, ev, &r->strs);
	if ((sc->flags & SCF_STAT_RESULT) && statbuf)
		parse_ident(*statbuf, statx, &ev->stat);
	if (linkbuf && res.val > 0) {
		char *s;

		if (parse_str(&r->arena, *linkbuf, &s) == STR_OK) {
			ev->has |= HAS_TARGET;
			ev->target = s;
		}
	}
	return 1;
}

/* A call of a syscall fsrace does not know: only getcwd() tells it a cwd. */
static int unknown_call(struct strace_reader *r, struct stask *k, const char *b,
			size_t n, size_t nlen)
{
	struct tok toks[2];
	struct result res;
	size_t end;
	int ntok;
	char *s;

	if (!has_result(b, n))
		return -1;
	r->unknown++;
	if (nlen != 6 || memcmp(b, "getcwd", 6) || proc_cwd(&k->p))
		return 0;
	if (split_list(b + 7, n - 7, ')', toks, 2, &ntok, &end) < 0 ||
	    ntok < 1 || !parse_result(r, b + 7 + end, n - 7 - end, &res) ||
	    !res.known || res.failed || res.val <= 0)
		return 0;
	if (parse_str(&r->arena, toks[0], &s) == STR_OK)
		proc_learn_cwd(&k->p, s);
	return 0;
}

static char *join_text(struct strace_reader *r, const char *a, size_t an,
		       const char *b, size_t bn)
{
	if (r->joincap < an + bn + 1) {
		r->joincap = an + bn + 1;
		r->joinbuf = xrealloc(r->joinbuf, r->joincap);
	}
	memcpy(r->joinbuf, a, an);
	memcpy(r->joinbuf + an, b, bn);
	r->joinbuf[an + bn] = '\0';
	return r->joinbuf;
}

/* "name(args) = result", or the start of one: "name(args <unfinished ...>" */
static int on_call(struct strace_reader *r, struct stask *k,
		   const struct sline *l, struct event *ev)
{
	const char *b = l->body;
	size_t n = strlen(b), nlen = 0;
	const struct syscall_desc *sc;
	struct pending *p = &k->pend;
	struct call c;

	while (is_ident(b[nlen]))
		nlen++;
	if (b[nlen] != '(')
		return -1;
	sc = sc_lookup(r, b, nlen);
	if (ends_with(b, n, "<unfinished ...>")) {
		size_t m = n - 16;

		while (m > nlen + 1 && b[m - 1] == ' ')
			m--;
		pending_clear(r, k);
		free(p->name);
		p->name = xstrndup(b, nlen);
		p->active = true;
		p->sc = sc;
		p->has_ts = l->has_ts;
		p->ts = l->ts;
		p->clone = sc && sc->effect == E_CLONE;
		if (p->clone)
			r->npending_clones++;
		if (!sc)
			return 0;
		if (p->cap < m + 2) {
			p->cap = m + 2;
			p->text = xrealloc(p->text, p->cap);
		}
		memcpy(p->text, b, m);
		p->len = m;
		if (!made_at_entry(sc))
			return 0;
		/* close: the tracer records it at entry */
		p->done_at_entry = true;
		c = (struct call){sc,	     join_text(r, b, m, ")", 1),
				  m + 1,     nlen,
				  l->has_ts, l->ts,
				  l,	     true};
		return do_call(r, k, &c, ev);
	}
	if (ends_with(b, n, "<detached ...>"))
		return 0;
	if (!sc)
		return unknown_call(r, k, b, n, nlen);
	c = (struct call){sc,	     b,	    n, nlen,
			  l->has_ts, l->ts, l, made_at_entry(sc)};
	return do_call(r, k, &c, ev);
}

/* "<... name resumed>rest of args) = result" */
static int on_resumed(struct strace_reader *r, struct stask *k,
		      const struct sline *l, struct event *ev)
{
	const char *b = l->body + 5, *rest;
	struct pending *p = &k->pend;
	size_t nlen = 0;
	struct call c;
	int ret;

	while (is_ident(b[nlen]))
		nlen++;
	if (!nlen || !starts(b + nlen, " resumed>"))
		return -1;
	rest = b + nlen + 9;
	if (!p->active || strlen(p->name) != nlen || memcmp(p->name, b, nlen))
		return -1;
	if (p->done_at_entry || !p->sc) {
		if (!p->sc && !ends_with(rest, strlen(rest), "<detached ...>"))
			r->unknown++;
		pending_clear(r, k);
		release_if_idle(r);
		return 0;
	}
	if (ends_with(rest, strlen(rest), "<detached ...>")) {
		pending_clear(r, k);
		release_if_idle(r);
		return 0;
	}
	c = (struct call){p->sc,
			  join_text(r, p->text, p->len, rest, strlen(rest)),
			  p->len + strlen(rest),
			  nlen,
			  p->has_ts,
			  p->ts,
			  l,
			  false};
	pending_clear(r, k);
	ret = do_call(r, k, &c, ev);
	release_if_idle(r);
	return ret;
}

/* "+++ exited with N +++", "+++ killed by SIG... +++", "+++ superseded" */
static int on_plus_line(struct strace_reader *r, struct stask *k,
			const struct sline *l, struct event *ev)
{
	const char *b = l->body, *q;
	size_t n = strlen(b);
	uint64_t v;

	if (!ends_with(b, n, " +++"))
		return -1;
	event_init(ev, EV_EXIT);
	if (starts(b, "+++ exited with ")) {
		q = b + 16;
		if (!read_dec(&q, &v) || v > 255 || strcmp(q, " +++"))
			return -1;
		ev->exit_status = (int)v;
	} else if (starts(b, "+++ killed by ")) {
		char name[32];
		size_t i = 0;
		int sig;

		q = b + 14;
		while (i + 1 < sizeof(name) && is_ident(q[i])) {
			name[i] = q[i];
			i++;
		}
		name[i] = '\0';
		sig = signal_lookup(name);
		if (sig <= 0 && read_dec(&q, &v) && v < 128)
			sig = (int)v;
		if (sig <= 0)
			return -1;
		ev->exit_signal = sig;
		ev->core_dumped = strstr(b, "(core dumped)") != NULL;
	} else if (starts(b, "+++ superseded by execve in pid ")) {
		struct stask *t;

		q = b + 32;
		if (!read_dec(&q, &v) || v > PID_MAX_LIMIT)
			return -1;
		/*
		 * Thread V called execve and goes on as this task (the
		 * leader): its pending execve finishes on the next line.
		 */
		t = task_find(r, (int)v);
		if (!t || t == k)
			return 0;
		if (t->pend.active) {
			struct pending tmp = k->pend;

			pending_clear(r, k);
			k->pend = t->pend;
			t->pend = tmp;
			t->pend.active = false;
			k->old_tid = t->p.tid;
		}
		task_free(r,
			  t); /* gone without an exit, as the tracer sees it */
		release_if_idle(r);
		return 0;
	} else {
		return -1;
	}
	ev->pid = k->p.tgid;
	ev->tid = k->p.tid;
	ev->ts_enter = l->has_ts ? l->ts : 0;
	set_source(ev, l);
	task_free(r, k);
	release_if_idle(r);
	return 1;
}

enum line_kind { L_IGNORE, L_BAD, L_CALL, L_RESUMED, L_PLUS };

static enum line_kind classify(const char *b)
{
	if (!b[strspn(b, " \t")])
		return L_IGNORE;
	if (starts(b, "strace: ") || starts(b, "--- ") ||
	    starts(b, "[ Process PID=") || starts(b, " > "))
		return L_IGNORE;
	if (starts(b, "+++ "))
		return L_PLUS;
	if (starts(b, "<... "))
		return L_RESUMED;
	if (is_ident_start(b[0]))
		return L_CALL;
	return L_BAD;
}

static int handle_line(struct strace_reader *r, struct sline *l,
		       struct event *ev, char *err, size_t errlen)
{
	enum line_kind kind;
	struct stask *k;
	int pid, ret;

	if (l->too_long)
		return bad_line(r, l, err, errlen);
	kind = classify(l->body);
	if (kind == L_IGNORE)
		return 0;
	if (kind == L_BAD)
		return bad_line(r, l, err, errlen);
	pid = line_pid(r, l);
	k = task_find(r, pid);
	if (!k) {
		/* a child whose fork is still to finish: after it */
		if (r->npending_clones > 0 && !r->flushing) {
			hold(r, l, pid);
			if (r->held_bytes > HOLD_MAX)
				release_by_force(r);
			return 0;
		}
		k = task_root(r, pid);
	}
	if (kind == L_PLUS)
		ret = on_plus_line(r, k, l, ev);
	else if (kind == L_RESUMED)
		ret = on_resumed(r, k, l, ev);
	else
		ret = on_call(r, k, l, ev);
	if (ret < 0)
		return bad_line(r, l, err, errlen);
	return ret;
}

/* ---- merging the sources ---- */

static void head_key(struct src *s)
{
	struct sline *l = &s->head;
	uint64_t key = l->has_ts ? l->ts : 0, dur;
	size_t n = strlen(l->body);

	/* a call finished on its line sorts at its end, a fork at its start */
	if (l->has_ts && !is_clone_call(l->body) &&
	    !ends_with(l->body, n, "<unfinished ...>") &&
	    line_duration(l->body, n, &dur))
		key += dur;
	if (key < s->key)
		key = s->key;
	s->key = key;
}

static int next_line(struct strace_reader *r, struct sline *ret, char *err,
		     size_t errlen)
{
	struct src *best = NULL;
	bool best_known = false;

	for (int i = 0; i < r->nsrc; i++) {
		struct src *s = &r->srcs[i];
		bool known;

		if (!s->has_head) {
			int n = src_next(s, &s->head);

			if (n < 0) {
				snprintf(err, errlen, "cannot read '%s': %s",
					 s->path, strerror(-n));
				return n;
			}
			if (n == 0)
				continue;
			s->has_head = true;
			if (r->nsrc > 1)
				head_key(s);
		}
		if (r->nsrc == 1) {
			best = s;
			break;
		}
		known = !s->head.pid || task_find(r, s->head.pid);
		if (!best || s->key < best->key ||
		    (s->key == best->key && known && !best_known)) {
			best = s;
			best_known = known;
		}
	}
	if (!best)
		return 0;
	*ret = best->head;
	best->has_head = false;
	return 1;
}

/* ---- the API ---- */

int strace_reader_next(struct strace_reader *r, struct event *ev, char *err,
		       size_t errlen)
{
	arena_reset(&r->arena);
	for (;;) {
		struct held *h = NULL;
		struct sline l;
		int ret;

		if (r->replay) {
			h = r->replay;
			r->replay = h->next;
			l = h->l;
		} else {
			ret = next_line(r, &l, err, errlen);
			if (ret < 0)
				return ret;
			if (ret == 0) {
				if (!r->held)
					return 0;
				/* their forks never came: roots */
				r->flushing = true;
				release(r, -1);
				continue;
			}
		}
		ret = handle_line(r, &l, ev, err, errlen);
		free(h);
		if (ret > 0)
			ev->seq = ++r->seq;
		if (ret != 0)
			return ret;
	}
}

unsigned long strace_reader_skipped(const struct strace_reader *r)
{
	return r->skipped;
}

unsigned long strace_reader_unknown(const struct strace_reader *r)
{
	return r->unknown;
}

/* "PREFIX.1234": the pid of an strace -ff file. */
static int suffix_pid(const char *path)
{
	const char *dot = strrchr(path, '.'), *q;
	uint64_t v;

	if (!dot || strchr(dot, '/'))
		return 0;
	q = dot + 1;
	if (!read_dec(&q, &v) || *q || v == 0 || v > PID_MAX_LIMIT)
		return 0;
	return (int)v;
}

static void src_stat(struct src *s)
{
	struct stat st;
	struct tm tm;
	time_t mt, mid;

	s->midnight = 0;
	s->mtime_tod = 86400;
	s->chunk = READ_CHUNK;
	if (fstat(s->fd, &st) < 0)
		return;
	s->size = st.st_size;
	if (S_ISREG(st.st_mode) && st.st_size >= 0 &&
	    (uint64_t)st.st_size < READ_CHUNK)
		s->chunk = (size_t)st.st_size + 4096;
	if (st.st_mtime <= 0)
		return;
	mt = st.st_mtime;
	if (!localtime_r(&mt, &tm))
		return;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	mid = mktime(&tm);
	if (mid == (time_t)-1)
		return;
	s->midnight = mid;
	s->mtime_tod = mt - mid;
}

static int cmp_src(const void *a, const void *b)
{
	const struct src *x = a, *y = b;

	if (x->file_pid != y->file_pid)
		return x->file_pid < y->file_pid ? -1 : 1;
	return x->index - y->index;
}

int strace_reader_open(struct strace_reader **ret, const char *const *paths,
		       int npaths, bool strict, char *err, size_t errlen)
{
	struct strace_reader *r;

	if (npaths <= 0) {
		snprintf(err, errlen, "no strace log to read");
		return -EINVAL;
	}
	r = xcalloc(1, sizeof(*r));
	proc_model_init(&r->model, &log_backend, r);
	r->strict = strict;
	r->srcs = xcalloc((size_t)npaths, sizeof(*r->srcs));
	for (int i = 0; i < npaths; i++) {
		struct src *s = &r->srcs[i];

		s->index = i;
		s->path = xstrdup(paths[i]);
		s->fd = open(paths[i], O_RDONLY | O_CLOEXEC);
		r->nsrc = i + 1;
		if (s->fd < 0) {
			int e = errno;

			snprintf(err, errlen, "cannot open '%s': %s", paths[i],
				 strerror(e));
			strace_reader_close(r);
			return -e;
		}
		/*
		 * One of several files: an -ff file of that pid. A single
		 * file's suffix may be logrotate's: only a last guess.
		 */
		if (npaths > 1)
			s->file_pid = suffix_pid(paths[i]);
		else
			s->suffix_pid = suffix_pid(paths[i]);
		src_stat(s);
	}
	/* -ff files in pid order: without timestamps the first goes first */
	if (r->nsrc > 1) {
		qsort(r->srcs, (size_t)r->nsrc, sizeof(*r->srcs), cmp_src);
		for (int i = 0; i < r->nsrc; i++)
			r->srcs[i].index = i;
	}
	sc_index(r);
	for (int e = 1; e < ERRNO_NAMES; e++)
		r->errnames[e] = strerrorname_np(e);
	*ret = r;
	return 0;
}

void strace_reader_close(struct strace_reader *r)
{
	if (!r)
		return;
	for (unsigned b = 0; b < PROC_BUCKETS; b++)
		while (r->model.buckets[b])
			task_free(r, (struct stask *)r->model.buckets[b]);
	while (r->held) {
		struct held *h = r->held;

		r->held = h->next;
		free(h);
	}
	while (r->replay) {
		struct held *h = r->replay;

		r->replay = h->next;
		free(h);
	}
	for (int i = 0; i < r->nsrc; i++) {
		struct src *s = &r->srcs[i];

		if (s->fd >= 0)
			close(s->fd);
		free(s->path);
		free(s->buf);
		free(s->carry);
		free(s->join);
		free(s->stash);
	}
	free(r->srcs);
	arena_free(&r->arena);
	free(r->joinbuf);
	free(r->sc_slots);
	free(r);
}

/* ---- detection ---- */

/* Does LINE have the form of a strace line? PARTIAL: it was cut short. */
static bool strace_line(char *line, bool partial)
{
	struct ts_raw ts;
	char *b;
	size_t n, k = 0;
	int pid;

	parse_prefix(line, &pid, &ts, &b);
	n = strlen(b);
	if (starts(b, "+++ ") || starts(b, "--- ") ||
	    starts(b, "strace: Process ") || starts(b, "<... "))
		return true;
	if (!is_ident_start(b[0]))
		return false;
	while (is_ident(b[k]))
		k++;
	if (b[k] != '(')
		return false;
	return partial || has_result(b, n) ||
	       ends_with(b, n, "<unfinished ...>") ||
	       ends_with(b, n, "<detached ...>");
}

int strace_detect(const char *path)
{
	char buf[16384];
	size_t len = 0;
	int fd, matched = 0, lines = 0, first = -1;
	char *p;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (!len || memchr(buf, '\0', len))
		return 0;
	buf[len] = '\0';
	for (p = buf; *p && lines < 5;) {
		char *nl = strchr(p, '\n');
		bool partial = !nl;
		bool ok;

		if (nl)
			*nl = '\0';
		if (p[strspn(p, " \t\r")]) {
			ok = strace_line(p, partial && len == sizeof(buf) - 1);
			if (first < 0)
				first = ok;
			matched += ok;
			lines++;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return first == 1 || matched >= 2;
}
