// SPDX-License-Identifier: MIT
#include "reader.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fields.h"
#include "jscan.h"
#include "names.h"
#include "stacks.h"
#include "util.h"
#include "writer.h"

#define BAD(...)                                                               \
	do {                                                                   \
		snprintf(err, errlen, __VA_ARGS__);                            \
		return -EINVAL;                                                \
	} while (0)

/* First read buffer; it doubles (up to the longest line) when a line
 * does not fit. */
#define BUF_INITIAL (256u << 10)
/* Bytes after the buffer: the line's NUL and room for 16-byte loads. */
#define BUF_PAD 64
_Static_assert(BUF_PAD >= 1 + JSCAN_PAD, "the scanner reads past the NUL");

/* --- reading lines ---------------------------------------------------- */

/*
 * The next line, '\n' replaced by NUL, in *RET_LINE and *RET_LEN. Returns
 * 1 (*COMPLETE false when the file ended without a newline after it), 0
 * at the end of the file, or -errno (message in ERR). The line stays in
 * the buffer until the next call.
 */
static int next_line(struct trace_reader *r, char **ret_line, size_t *ret_len,
		     bool *complete, char *err, size_t errlen)
{
	for (;;) {
		char *s = r->buf + r->start;
		char *nl = memchr(s + r->scanned, '\n',
				  r->len - r->start - r->scanned);
		ssize_t n;

		if (nl) {
			*nl = '\0';
			*ret_line = s;
			*ret_len = (size_t)(nl - s);
			*complete = true;
			r->start += *ret_len + 1;
			r->scanned = 0;
			r->line++;
			return 1;
		}
		r->scanned = r->len - r->start;
		if (r->eof) {
			if (r->start == r->len)
				return 0;
			r->buf[r->len] = '\0';
			*ret_line = s;
			*ret_len = r->len - r->start;
			*complete = false;
			r->start = r->len;
			r->scanned = 0;
			r->line++;
			return 1;
		}
		if (r->start) {
			/* strings of the last record die here, as documented */
			memmove(r->buf, s, r->len - r->start);
			r->len -= r->start;
			r->start = 0;
		}
		if (r->len == r->cap) {
			if (r->cap >= TRACE_READER_MAX_LINE) {
				snprintf(err, errlen,
					 "%s:%lu: line longer than %u MiB",
					 r->path, r->line + 1,
					 TRACE_READER_MAX_LINE >> 20);
				return -EINVAL;
			}
			r->cap *= 2;
			r->buf = xrealloc(r->buf, r->cap + BUF_PAD);
		}
		do
			n = read(r->fd, r->buf + r->len, r->cap - r->len);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			int e = errno;

			snprintf(err, errlen, "cannot read '%s': %s", r->path,
				 strerror(e));
			return -e;
		}
		if (n == 0)
			r->eof = true;
		r->len += (size_t)n;
	}
}

/* --- short strings as two words ---------------------------------------- */

/*
 * The first 16 bytes of a string as two little-endian words, bytes past
 * its length zeroed: keys and names compare and hash as two integers. The
 * loads may reach 15 bytes past the string's end, into the line or the
 * buffer's padding.
 */
struct words {
	uint64_t lo, hi;
};

static ALWAYS_INLINE struct words words_of(const char *s, size_t n)
{
	struct words w;

	memcpy(&w.lo, s, 8);
	memcpy(&w.hi, s + 8, 8);
	if (n < 8) {
		w.lo &= (UINT64_C(1) << (8 * n)) - 1;
		w.hi = 0;
	} else if (n < 16) {
		w.hi &= (UINT64_C(1) << (8 * (n - 8))) - 1;
	}
	return w;
}

static ALWAYS_INLINE unsigned words_hash(struct words w, size_t n,
					 unsigned bits)
{
	/* a multiplier under which the record keys do not collide */
	uint64_t x = (w.lo ^ (w.hi << 5) ^ n) * UINT64_C(0xf3cb0f0cd271d329);

	return (unsigned)(x >> (64 - bits));
}

/* --- the keys of a record --------------------------------------------- */

/*
 * A key's id: the frame's keys, then those of event_fields[] in its order
 * (K_FRAME + i but for a key that an earlier one has: "syscall" of a
 * fork); from K_RECORD_MAX, those only of "stat" and "parent" objects.
 * Record keys are below 64, a bit each in a word.
 */
enum key {
	K_TYPE,
	K_SEQ,
	K_PID,
	K_TID,
	K_TS,
	K_TS_ENTER,
	K_TS_EXIT,
	K_SYSCALL,
	K_FRAME,
	K_RECORD_MAX = 64,
	K_UNKNOWN = K_RECORD_MAX + 8,
};

static const char *const frame_keys[K_FRAME] = {
	[K_TYPE] = "type",	 [K_SEQ] = "seq",
	[K_PID] = "pid",	 [K_TID] = "tid",
	[K_TS] = "ts",		 [K_TS_ENTER] = "ts_enter",
	[K_TS_EXIT] = "ts_exit", [K_SYSCALL] = "syscall",
};

/* The keys of "stat", "parent" and "creds" objects. */
enum sub_key {
	S_NONE,
	S_DEV,
	S_INO,
	S_MODE,
	S_NLINK,
	S_UID,
	S_GID,
	S_SIZE,
	S_PATH,
	S_EUID,
	S_SECURE,
	S_COUNT,
};

static const char *const sub_keys[S_COUNT] = {
	[S_DEV] = "dev",       [S_INO] = "ino",	  [S_MODE] = "mode",
	[S_NLINK] = "nlink",   [S_UID] = "uid",	  [S_GID] = "gid",
	[S_SIZE] = "size",     [S_PATH] = "path", [S_EUID] = "euid",
	[S_SECURE] = "secure",
};

/* How scan_record() reads the value of each key. */
enum key_class {
	C_SCALAR,  /* kept as it is; arrays and objects only marked */
	C_STRINGS, /* flags, access, resolve, argv, shares */
	C_OBJECT,  /* stat, parent, parent2, creds */
};

/* The row of a key in a type of record, as parse_record() needs it. */
struct key_field {
	uint16_t offset;
	uint8_t op;  /* enum key_op */
	uint8_t row; /* in event_fields[] */
	uint32_t has;
};

/* How parse_record() reads a field: the common kinds without a call. */
enum key_op {
	OP_OTHER, /* read_field() */
	OP_STRING,
	OP_INT,
	OP_INT64,
	OP_MEMBER, /* + one of the above: only when the leader was there */
};

/* What event_fields[] says about the keys, by key id. */
struct key_schema {
	unsigned nrecord; /* record keys: [0, nrecord) */
	unsigned nkeys;	  /* keys only of objects: [K_RECORD_MAX, nkeys) */
	const char *name[K_UNKNOWN];		 /* borrowed from the tables */
	struct key_field field[4][K_RECORD_MAX]; /* by event type */
	uint64_t mask[4]; /* by event type: keys with a row */
	/* by event type: keys of leaders and plain rows read as they are */
	uint64_t strings[4], ints[4], int64s[4];
	uint8_t kind[K_UNKNOWN + 1]; /* enum field_kind; FK_COUNT */
	uint8_t cls[K_UNKNOWN + 1];  /* enum key_class */
	uint8_t sub[K_UNKNOWN + 1];  /* enum sub_key */
};

static unsigned schema_key(struct key_schema *ks, const char *name)
{
	for (unsigned k = 0; k < ks->nkeys; k++)
		if (ks->name[k] && !strcmp(ks->name[k], name))
			return k;
	ks->name[ks->nkeys] = name;
	return ks->nkeys++;
}

static uint8_t key_op(const struct event_field *f)
{
	unsigned op = f->kind == FK_STRING  ? OP_STRING
		      : f->kind == FK_INT   ? OP_INT
		      : f->kind == FK_INT64 ? OP_INT64
					    : OP_OTHER;

	return (uint8_t)(op + (f->role == FR_MEMBER ? OP_MEMBER : 0));
}

static void key_schema_init(struct key_schema *ks)
{
	memset(ks, 0, sizeof(*ks));
	memset(ks->kind, FK_COUNT, sizeof(ks->kind));
	for (unsigned k = 0; k < K_FRAME; k++)
		schema_key(ks, frame_keys[k]);
	for (unsigned i = 0; i < event_fields_count; i++) {
		const struct event_field *f = &event_fields[i];
		unsigned k = schema_key(ks, f->key);

		for (unsigned t = 0; t < 4; t++)
			if (f->types & 1u << t) {
				ks->field[t][k] = (struct key_field){
					.offset = f->offset,
					.op = key_op(f),
					.row = (uint8_t)i,
					.has = f->has,
				};
				ks->mask[t] |= UINT64_C(1) << k;
				if (f->role == FR_MEMBER)
					continue;
				if (f->kind == FK_STRING)
					ks->strings[t] |= UINT64_C(1) << k;
				else if (f->kind == FK_INT)
					ks->ints[t] |= UINT64_C(1) << k;
				else if (f->kind == FK_INT64)
					ks->int64s[t] |= UINT64_C(1) << k;
			}
		if (ks->kind[k] == FK_COUNT)
			ks->kind[k] = f->kind;
		switch (f->kind) {
		case FK_FLAGS:
		case FK_ACCESS:
		case FK_RESOLVE:
		case FK_ARGV:
		case FK_SHARES:
			ks->cls[k] = C_STRINGS;
			break;
		case FK_IDENT:
		case FK_PARENT:
		case FK_CREDS:
			ks->cls[k] = C_OBJECT;
			break;
		default:
			break;
		}
	}
	ks->nrecord = ks->nkeys;
	ks->nkeys = K_RECORD_MAX; /* the keys only of objects from here */
	for (unsigned s = S_NONE + 1; s < S_COUNT; s++)
		ks->sub[schema_key(ks, sub_keys[s])] = (uint8_t)s;
}

#define KEY_BITS 8

struct key_slot {
	struct words w;
	uint8_t len;
	uint8_t id; /* K_UNKNOWN: free */
};

/* A key as it appears in a line, quotes and colon included: "seq": */
struct key_pattern {
	struct words w, mask;
	uint8_t len;
};

/* Where a key is found: in the record, or in one of its objects. */
enum key_context {
	IN_RECORD,
	IN_STAT,
	IN_PARENT,
	IN_CREDS,
	IN_CONTEXTS,
};

/* The previous key of the first key of an object; after an unknown key,
 * K_UNKNOWN. */
#define K_FIRST (K_UNKNOWN + 1)

/*
 * Every key name, hashed (hand-rolled, not util/hashmap: per key of every
 * record, measured hot): one probe finds a known key. And faster still:
 * the writer writes the keys of a kind of record in the same order every
 * time, so the key that followed each key last time is tried first, by
 * comparing the line's next 16 bytes with it, quotes and colon included.
 */
struct key_table {
	struct key_schema schema;
	struct key_slot slot[1 << KEY_BITS];
	struct key_pattern pattern[K_UNKNOWN];
	uint8_t follows[IN_CONTEXTS][K_FIRST + 1];
};

static void key_table_init(struct key_table *t)
{
	const struct key_schema *ks = &t->schema;
	char name[32];

	key_schema_init(&t->schema);
	for (unsigned i = 0; i < ARRAY_SIZE(t->slot); i++)
		t->slot[i].id = K_UNKNOWN;
	memset(t->follows, K_UNKNOWN, sizeof(t->follows));
	for (unsigned k = 0; k < ks->nkeys; k++) {
		size_t n = ks->name[k] ? strlen(ks->name[k]) : 0;
		struct key_pattern *kp = &t->pattern[k];
		struct words w;
		unsigned h;

		if (n == 0 || n > 13)
			continue; /* key_id() and the patterns take 16 bytes */
		memset(name, 0, sizeof(name));
		name[0] = '"';
		memcpy(name + 1, ks->name[k], n);
		name[n + 1] = '"';
		name[n + 2] = ':';
		kp->len = (uint8_t)(n + 3);
		kp->w = words_of(name, kp->len);
		memset(name, 0xff, kp->len);
		kp->mask = words_of(name, kp->len);
		memset(name, 0, sizeof(name));
		memcpy(name, ks->name[k], n);
		w = words_of(name, n);
		h = words_hash(w, n, KEY_BITS);
		while (t->slot[h].id != K_UNKNOWN)
			h = (h + 1) % ARRAY_SIZE(t->slot);
		t->slot[h] = (struct key_slot){
			.w = w, .len = (uint8_t)n, .id = (uint8_t)k};
	}
}

static ALWAYS_INLINE enum key key_id(const struct key_table *t, const char *k,
				     size_t n)
{
	struct words w;
	unsigned h;

	if (n >= 16)
		return K_UNKNOWN; /* longer than any key */
	w = words_of(k, n);
	for (h = words_hash(w, n, KEY_BITS);;
	     h = (h + 1) % ARRAY_SIZE(t->slot)) {
		const struct key_slot *s = &t->slot[h];

		if (s->w.lo == w.lo && s->w.hi == w.hi && s->len == n)
			return (enum key)s->id;
		if (s->id == K_UNKNOWN)
			return K_UNKNOWN;
	}
}

/*
 * The key at j->p, its colon and the whitespace after it. PREV is the key
 * before it in the same object (K_FIRST for the first one). Unknown keys
 * are K_UNKNOWN; a syntax error is K_UNKNOWN with j->why set.
 */
static ALWAYS_INLINE enum key next_key(struct jp *j, struct key_table *t,
				       enum key_context in, unsigned prev)
{
	unsigned guess = t->follows[in][prev];
	const char *k;
	size_t n;
	enum key key;

	if (likely(guess < K_UNKNOWN)) {
		/* a key too long for a pattern is never a guess: see above */
		const struct key_pattern *kp = &t->pattern[guess];
		struct words w;

		memcpy(&w.lo, j->p, 8);
		memcpy(&w.hi, j->p + 8, 8);
		if (likely((w.lo & kp->mask.lo) == kp->w.lo &&
			   (w.hi & kp->mask.hi) == kp->w.hi)) {
			j->p += kp->len;
			jp_ws(j);
			return (enum key)guess;
		}
	}
	if (!jp_key(j, &k, &n))
		return K_UNKNOWN;
	key = key_id(t, k, n);
	t->follows[in][prev] = (uint8_t)key;
	return key;
}

/* --- names: looked up once, remembered ------------------------------- */

/*
 * syscall_by_name() and names.c hash every byte of a name; the reader
 * asks them once per distinct name and remembers the answer in a small
 * open-addressing table keyed by the name's first 16 bytes as two words,
 * which it loads anyway (hand-rolled, not util/hashmap, for that: it is
 * on the per-record path, measured hot). It holds
 * at most MEMO_MAX names; after that, lookups go to names.c each time.
 */
enum memo_kind {
	MEMO_SYSCALL = 1,
	MEMO_ERRNO,
	MEMO_SIGNAL,
	MEMO_FCNTL,
	MEMO_FLAGS, /* + enum flagset */
};

#define MEMO_BITS 10
#define MEMO_SLOTS (1u << MEMO_BITS)
#define MEMO_MAX (MEMO_SLOTS * 3 / 4)
#define MEMO_NAME 40

struct memo_entry {
	struct words w;
	uint8_t kind; /* 0: free */
	uint8_t len;
	bool ok;
	int64_t value;
	char name[MEMO_NAME];
};

struct reader_memo {
	unsigned n;
	struct memo_entry e[MEMO_SLOTS];
};

static int64_t lookup_slow(unsigned kind, const char *name, bool *ok)
{
	int64_t v;
	uint64_t bits;

	switch (kind) {
	case MEMO_SYSCALL: {
		const struct syscall_desc *sc = syscall_by_name(name);

		*ok = sc != NULL;
		return sc ? (int64_t)syscall_index(sc) : -1;
	}
	case MEMO_ERRNO:
		/* what import wrote, the reader reads: an unknown name too */
		v = errno_intern(name);
		break;
	case MEMO_SIGNAL:
		v = signal_parse(name);
		break;
	case MEMO_FCNTL:
		v = fcntl_cmd_parse(name);
		break;
	default:
		*ok = flags_parse((enum flagset)(kind - MEMO_FLAGS), name,
				  &bits) == 0;
		return *ok ? (int64_t)bits : 0;
	}
	*ok = true;
	return v;
}

/* The names.c answer for NAME (LEN bytes, NUL-terminated, in the line)
 * of KIND; *OK false when NAME is not one. */
static int64_t lookup(struct reader_memo *m, unsigned kind, const char *name,
		      size_t len, bool *ok)
{
	struct memo_entry *e;
	struct words w;
	int64_t v;
	unsigned h;

	if (len >= MEMO_NAME)
		return lookup_slow(kind, name, ok);
	w = words_of(name, len);
	for (h = words_hash(w, len ^ (kind << 6), MEMO_BITS);;
	     h = (h + 1) % MEMO_SLOTS) {
		e = &m->e[h];
		if (!e->kind)
			break;
		if (e->w.lo == w.lo && e->w.hi == w.hi && e->len == len &&
		    e->kind == kind &&
		    (len <= 16 || !memcmp(e->name, name, len))) {
			*ok = e->ok;
			return e->value;
		}
	}
	v = lookup_slow(kind, name, ok);
	/* "0x…" flag strings are not names: there is no end to them */
	if (m->n < MEMO_MAX && !(name[0] == '0' && name[1] == 'x')) {
		m->n++;
		e->w = w;
		e->kind = (uint8_t)kind;
		e->len = (uint8_t)len;
		memcpy(e->name, name, len + 1);
		e->value = v;
		e->ok = *ok;
	}
	return v;
}

/* --- records ---------------------------------------------------------- */

/* A string of a flags, access or resolve array. */
struct reader_name {
	const char *s;
	size_t len;
};

/* The names of a flags, access or resolve array: r->names[first…+n]. */
struct name_list {
	uint32_t first;
	uint32_t n;
	bool bad; /* an element that is not a string */
};

/* The "stat", "parent" or "creds" object of a key. */
union reader_object {
	struct ident id;
	struct parent_info p;
	struct creds c;
};

/* One record as read: the last value of every known key. */
struct reader_record {
	uint64_t seen; /* bit K set: v[K] holds the value of key K */
	struct jv v[K_RECORD_MAX];
	struct name_list lists[K_RECORD_MAX];  /* of C_STRINGS name arrays */
	union reader_object obj[K_RECORD_MAX]; /* of C_OBJECT keys */
	uint32_t nnames;
	int argc;
	bool share_files, share_fs;
	struct key_table keys;
};

#define SEEN(rec, k) ((rec)->seen & (UINT64_C(1) << (k)))

/* What reading records needs besides the line. */
struct reader_parser {
	const char *path;
	unsigned long line; /* of the line being parsed */
	struct reader_record *rec;
	struct reader_memo *memo;
	struct reader_name *names; /* of the flag arrays of the record */
	size_t names_cap;
	const char **argv; /* of the event last parsed */
	size_t argv_cap;
	struct stack_table *stacks; /* the reader's */
	bool bad_stack;		    /* the record's "stack" named none */
	int64_t bad_stack_id;	    /* which, when it is an id */
	int version;		    /* the trace format's, from the header */
};

static void names_push(struct reader_parser *r, const char *s, size_t len)
{
	struct reader_record *rec = r->rec;

	if (rec->nnames == r->names_cap) {
		r->names_cap = r->names_cap ? r->names_cap * 2 : 64;
		r->names = xrealloc(r->names,
				    r->names_cap * sizeof(struct reader_name));
	}
	r->names[rec->nnames++] = (struct reader_name){s, len};
}

/* Room in r->argv for N pointers and the NULL after them. */
static void argv_reserve(struct reader_parser *r, size_t n)
{
	if (n + 1 > r->argv_cap) {
		r->argv_cap = r->argv_cap ? r->argv_cap * 2 : 64;
		if (r->argv_cap < n + 1)
			r->argv_cap = n + 1;
		r->argv = xrealloc(r->argv, r->argv_cap * sizeof(char *));
	}
}

/* An array whose strings matter: flags, access, resolve, argv, shares. */
static bool scan_strings(struct jp *j, struct reader_parser *r, enum key key,
			 struct jv *v)
{
	struct reader_record *rec = r->rec;
	enum field_kind kind = rec->keys.schema.kind[key];
	struct name_list *list =
		kind == FK_ARGV || kind == FK_SHARES ? NULL : &rec->lists[key];
	struct jv x;

	v->kind = JV_ARRAY;
	if (list) {
		list->first = rec->nnames;
		list->n = 0;
		list->bad = false;
	} else if (kind == FK_ARGV) {
		rec->argc = 0;
	} else {
		rec->share_files = rec->share_fs = false;
	}
	if (!jp_enter(j))
		return false;
	if (*j->p == ']') {
		j->p++;
		j->depth--;
		goto out;
	}
	do {
		if (*j->p == '"') {
			x.kind = JV_STRING;
			if (!jp_string(j, &x.s, &x.len))
				return false;
		} else if (!jp_value(j, &x)) {
			return false;
		}
		if (list) {
			if (x.kind == JV_STRING) {
				names_push(r, x.s, x.len);
				list->n++;
			} else {
				list->bad = true;
			}
		} else if (kind == FK_ARGV) {
			argv_reserve(r, (size_t)rec->argc + 1);
			r->argv[rec->argc++] = x.kind == JV_STRING ? x.s : "";
		} else if (x.kind == JV_STRING) {
			if (x.len == 5 && !memcmp(x.s, "files", 5))
				rec->share_files = true;
			else if (x.len == 2 && !memcmp(x.s, "fs", 2))
				rec->share_fs = true;
		}
	} while (jp_more(j, ']'));
	if (j->why)
		return false;
out:
	if (kind == FK_ARGV) {
		argv_reserve(r, (size_t)rec->argc);
		r->argv[rec->argc] = NULL;
	}
	return true;
}

/* A "stat" (FK_IDENT), "parent" (FK_PARENT) or "creds" (FK_CREDS) object. */
static bool scan_ident(struct jp *j, struct reader_record *rec, enum key key,
		       struct jv *v)
{
	const struct key_schema *ks = &rec->keys.schema;
	bool is_ident = ks->kind[key] == FK_IDENT;
	struct ident *id = &rec->obj[key].id;
	struct parent_info *p = &rec->obj[key].p;
	struct creds *c = &rec->obj[key].c;
	enum key_context in = is_ident			  ? IN_STAT
			      : ks->kind[key] == FK_CREDS ? IN_CREDS
							  : IN_PARENT;
	unsigned prev = K_FIRST;
	struct jv x;

	v->kind = JV_OBJECT;
	memset(&rec->obj[key], 0, sizeof(rec->obj[key]));
	if (!jp_enter(j))
		return false;
	if (*j->p == '}') {
		j->p++;
		j->depth--;
		return true;
	}
	do {
		enum key k = next_key(j, &rec->keys, in, prev);
		int64_t i;

		if (unlikely(j->why))
			return false;
		prev = k;
		if (*j->p == '"') {
			x.kind = JV_STRING;
			if (!jp_string(j, &x.s, NULL))
				return false;
		} else if ((*j->p >= '0' && *j->p <= '9') || *j->p == '-') {
			if (!jp_number(j, &x))
				return false;
		} else if (!jp_value(j, &x)) {
			return false;
		}
		/* a value that is not an integer reads as absent, 0 */
		i = x.kind == JV_INT ? x.i : 0;
		if (in == IN_CREDS) {
			switch (ks->sub[k]) {
			case S_UID:
				c->uid = (uint32_t)i;
				break;
			case S_EUID:
				c->euid = (uint32_t)i;
				break;
			case S_SECURE:
				c->secure = x.kind == JV_TRUE;
				break;
			default:
				break;
			}
			continue;
		}
		if (!is_ident) {
			switch (ks->sub[k]) {
			case S_PATH:
				p->path = x.kind == JV_STRING ? x.s : NULL;
				break;
			case S_UID:
				p->uid = (uint32_t)i;
				break;
			case S_MODE:
				p->mode = (uint32_t)i;
				break;
			default:
				break;
			}
			continue;
		}
		switch (ks->sub[k]) {
		case S_DEV:
			id->dev = (uint64_t)i;
			break;
		case S_INO:
			id->ino = (uint64_t)i;
			break;
		case S_MODE:
			id->mode = (uint32_t)i;
			break;
		case S_NLINK:
			id->nlink = (uint64_t)i;
			break;
		case S_UID:
			id->uid = (uint32_t)i;
			break;
		case S_GID:
			id->gid = (uint32_t)i;
			break;
		case S_SIZE:
			id->size = i;
			break;
		default:
			break;
		}
	} while (jp_more(j, '}'));
	return !j->why;
}

/* The record at j->p into r->rec: every known key's last value. */
static bool scan_record(struct jp *j, struct reader_parser *r)
{
	struct reader_record *rec = r->rec;
	const struct key_schema *ks = &rec->keys.schema;
	unsigned prev = K_FIRST;

	rec->seen = 0;
	rec->nnames = 0;
	jp_ws(j);
	if (*j->p != '{')
		return jp_fail(j, "not a JSON object");
	if (!jp_enter(j))
		return false;
	if (*j->p == '}') {
		j->p++;
		j->depth--;
		goto out;
	}
	do {
		enum key key;
		struct jv scratch, *v;

		key = next_key(j, &rec->keys, IN_RECORD, prev);
		if (unlikely(j->why))
			return false;
		prev = key < K_RECORD_MAX ? key : K_UNKNOWN;
		if (key >= K_RECORD_MAX) {
			if (!jp_value(j, &scratch))
				return false;
			continue;
		}
		v = &rec->v[key];
		rec->seen |= UINT64_C(1) << key;
		if (likely(ks->cls[key] == C_SCALAR)) {
			/* the common scalars without a call */
			if (*j->p == '"') {
				v->kind = JV_STRING;
				if (!jp_string(j, &v->s, &v->len))
					return false;
			} else if ((*j->p >= '0' && *j->p <= '9') ||
				   *j->p == '-') {
				if (!jp_number(j, v))
					return false;
			} else if (!jp_value(j, v)) {
				return false;
			}
		} else if (ks->cls[key] == C_STRINGS && *j->p == '[') {
			if (!scan_strings(j, r, key, v))
				return false;
		} else if (ks->cls[key] == C_OBJECT && *j->p == '{') {
			if (!scan_ident(j, rec, key, v))
				return false;
		} else if (!jp_value(j, v)) {
			return false;
		}
	} while (jp_more(j, '}'));
	if (j->why)
		return false;
out:
	jp_ws(j);
	if (j->p != j->end)
		return jp_fail(j, "garbage after the record");
	return true;
}

/* What the jansson reader's json_object_get() & co. answered. */
static inline const char *str(const struct reader_record *rec, enum key k)
{
	return SEEN(rec, k) && rec->v[k].kind == JV_STRING ? rec->v[k].s : NULL;
}

static inline bool get_int(const struct reader_record *rec, enum key k,
			   int64_t *v)
{
	if (!SEEN(rec, k) || rec->v[k].kind != JV_INT)
		return false;
	*v = rec->v[k].i;
	return true;
}

/* json_integer_value(): the integer, or 0 for any other kind. */
static inline int64_t int_value(const struct jv *v)
{
	return v->kind == JV_INT ? v->i : 0;
}

static uint64_t flag_bits(struct reader_parser *r, const struct jv *v,
			  const struct name_list *list, enum flagset set,
			  bool *ok)
{
	uint64_t bits = 0;

	if (v->kind != JV_ARRAY) {
		*ok = false;
		return 0;
	}
	if (list->bad)
		*ok = false;
	for (uint32_t i = 0; i < list->n; i++) {
		const struct reader_name *name = &r->names[list->first + i];
		bool found;
		int64_t b = lookup(r->memo, MEMO_FLAGS + set, name->s,
				   name->len, &found);

		if (found)
			bits |= (uint64_t)b;
		else
			*ok = false;
	}
	return bits;
}

static int lookup_int(struct reader_parser *r, unsigned kind,
		      const struct jv *v)
{
	bool ok;

	return (int)lookup(r->memo, kind, v->s, v->len, &ok);
}

/*
 * "source": "LOG:LINE", the strace log line an imported event came from:
 * the line is cut off at the last colon, in place.
 */
static void source(struct event *ev, const struct jv *j)
{
	char *s = (char *)j->s, *colon = strrchr(s, ':');
	uint64_t line = 0;
	const char *p;

	ev->source_file = s;
	if (!colon || !colon[1])
		return;
	for (p = colon + 1; *p >= '0' && *p <= '9'; p++)
		if (__builtin_mul_overflow(line, 10, &line) ||
		    __builtin_add_overflow(line, (uint64_t)(*p - '0'), &line))
			return;
	if (*p || line > ULONG_MAX)
		return;
	*colon = '\0';
	ev->source_line = (unsigned long)line;
}

/*
 * Field F of EV from V, the value of key K; false when V is not a value
 * of F (the field stays absent). *OK goes false for a name that is not
 * one (a flag, errno or signal).
 */
static bool read_field(struct reader_parser *r, const struct event_field *f,
		       enum key k, const struct jv *v, struct event *ev,
		       bool *ok)
{
	const struct reader_record *rec = r->rec;
	void *p = field_ptr(f, ev);

	switch ((enum field_kind)f->kind) {
	case FK_INT:
	case FK_STATUS:
		if (v->kind != JV_INT)
			return false;
		*(int *)p = (int)v->i;
		return true;
	case FK_INT64:
		if (v->kind != JV_INT)
			return false;
		*(int64_t *)p = v->i;
		return true;
	case FK_UINT32:
		if (v->kind != JV_INT)
			return false;
		*(uint32_t *)p = (uint32_t)v->i;
		return true;
	case FK_STRING:
		if (v->kind != JV_STRING)
			return false;
		*(const char **)p = v->s;
		return true;
	case FK_FLAGS:
		*(uint64_t *)p = flag_bits(r, v, &rec->lists[k],
					   syscall_flagset(ev->sc), ok);
		return true;
	case FK_ACCESS:
		*(uint32_t *)p = (uint32_t)flag_bits(r, v, &rec->lists[k],
						     FLAGS_ACCESS, ok);
		return true;
	case FK_RESOLVE:
		*(uint64_t *)p =
			flag_bits(r, v, &rec->lists[k], FLAGS_RESOLVE, ok);
		return true;
	case FK_FCNTL_CMD:
	case FK_ERRNO:
	case FK_SIGNAL: {
		unsigned memo = f->kind == FK_FCNTL_CMD ? MEMO_FCNTL
				: f->kind == FK_ERRNO	? MEMO_ERRNO
							: MEMO_SIGNAL;
		int n = v->kind == JV_STRING ? lookup_int(r, memo, v)
					     : (int)int_value(v);

		*(int *)p = n;
		if (f->kind == FK_ERRNO ? n < 0
					: f->kind == FK_SIGNAL && n <= 0)
			*ok = false;
		return true;
	}
	case FK_ARGV:
		if (v->kind != JV_ARRAY) {
			/* jansson: the size of a non-array is 0 */
			r->rec->argc = 0;
			argv_reserve(r, 0);
			r->argv[0] = NULL;
		}
		ev->argv = r->argv;
		ev->argc = rec->argc;
		return true;
	case FK_IDENT:
		if (v->kind != JV_OBJECT)
			return false;
		*(struct ident *)p = rec->obj[k].id;
		((struct ident *)p)->valid = true;
		return true;
	case FK_PARENT:
		if (v->kind != JV_OBJECT)
			return false;
		*(struct parent_info *)p = rec->obj[k].p;
		((struct parent_info *)p)->valid = true;
		return true;
	case FK_CREDS:
		if (v->kind != JV_OBJECT)
			return false;
		*(struct creds *)p = rec->obj[k].c;
		return true;
	case FK_BOOL:
		if (v->kind != JV_TRUE && v->kind != JV_FALSE)
			return false;
		*(bool *)p = v->kind == JV_TRUE;
		return true;
	case FK_STACK: {
		const struct stack_trace *s = NULL;

		if (v->kind == JV_INT && v->i > 0 && v->i <= UINT32_MAX)
			s = stack_table_get(r->stacks, (uint32_t)v->i);
		if (!s) {
			/* an id of no stack, or no id at all: never ignored,
			 * as a finding would lose where it is */
			r->bad_stack = true;
			r->bad_stack_id =
				v->kind == JV_INT && v->i > 0 ? v->i : 0;
			return false;
		}
		*(const struct stack_trace **)p = s;
		return true;
	}
	case FK_FORK_KIND:
		if (v->kind != JV_STRING)
			return false;
		ev->fork_kind = !strcmp(v->s, "thread")	 ? FORK_THREAD
				: !strcmp(v->s, "vfork") ? FORK_VFORK
							 : FORK_PROCESS;
		return true;
	case FK_SHARES:
		if (v->kind != JV_ARRAY)
			return false;
		ev->share_files = rec->share_files;
		ev->share_fs = rec->share_fs;
		return true;
	case FK_CORE:
		ev->core_dumped = v->kind == JV_TRUE;
		return true;
	case FK_SOURCE:
		if (v->kind != JV_STRING)
			return false;
		source(ev, v);
		return true;
	case FK_COUNT:
		break;
	}
	return false;
}

static int parse_record(struct reader_parser *r, struct event *ev, char *err,
			size_t errlen)
{
	const struct reader_record *rec = r->rec;
	const struct key_schema *ks = &rec->keys.schema;
	const char *type = str(rec, K_TYPE);
	int64_t pid, tid, v;
	uint64_t keys, m;
	bool ok = true;

	if (!type || !get_int(rec, K_SEQ, &v) || !get_int(rec, K_PID, &pid) ||
	    !get_int(rec, K_TID, &tid))
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
	if (get_int(rec, K_TS, &v))
		ev->ts_enter = ev->ts_exit = (uint64_t)v;
	if (ev->type == EV_SYSCALL) {
		const struct jv *j = &rec->v[K_SYSCALL];
		bool found;

		if (!SEEN(rec, K_SYSCALL) || j->kind != JV_STRING)
			BAD("%s:%lu: syscall record without \"syscall\"",
			    r->path, r->line);
		v = lookup(r->memo, MEMO_SYSCALL, j->s, j->len, &found);
		if (!found)
			return 0; /* a syscall this version does not know */
		ev->sc = &syscall_table[v];
		if (get_int(rec, K_TS_ENTER, &v))
			ev->ts_enter = (uint64_t)v;
		if (get_int(rec, K_TS_EXIT, &v))
			ev->ts_exit = (uint64_t)v;
	}
	keys = rec->seen & ks->mask[ev->type];
	/*
	 * The common kinds first, each without a switch (they are leaders or
	 * plain rows), then the others in key order, which is the table's:
	 * a leader before its members.
	 */
	for (m = keys & ks->strings[ev->type]; m; m &= m - 1) {
		enum key k = (enum key)__builtin_ctzll(m);
		const struct jv *j = &rec->v[k];

		if (j->kind == JV_STRING) {
			const struct key_field *kf = &ks->field[ev->type][k];

			*(const char **)((char *)ev + kf->offset) = j->s;
			ev->has |= kf->has;
		}
	}
	for (m = keys & ks->ints[ev->type]; m; m &= m - 1) {
		enum key k = (enum key)__builtin_ctzll(m);
		const struct jv *j = &rec->v[k];

		if (j->kind == JV_INT) {
			const struct key_field *kf = &ks->field[ev->type][k];

			*(int *)((char *)ev + kf->offset) = (int)j->i;
			ev->has |= kf->has;
		}
	}
	for (m = keys & ks->int64s[ev->type]; m; m &= m - 1) {
		enum key k = (enum key)__builtin_ctzll(m);
		const struct jv *j = &rec->v[k];

		if (j->kind == JV_INT) {
			const struct key_field *kf = &ks->field[ev->type][k];

			*(int64_t *)((char *)ev + kf->offset) = j->i;
			ev->has |= kf->has;
		}
	}
	keys &= ~(ks->strings[ev->type] | ks->ints[ev->type] |
		  ks->int64s[ev->type]);
	for (; keys; keys &= keys - 1) {
		enum key k = (enum key)__builtin_ctzll(keys);
		const struct key_field *kf = &ks->field[ev->type][k];
		const struct jv *j = &rec->v[k];
		char *p = (char *)ev + kf->offset;

		if (kf->op >= OP_MEMBER && !(ev->has & kf->has))
			continue;
		switch (kf->op) {
		case OP_STRING + OP_MEMBER:
			if (j->kind != JV_STRING)
				continue;
			*(const char **)p = j->s;
			break;
		case OP_INT64 + OP_MEMBER:
			if (j->kind != JV_INT)
				continue;
			*(int64_t *)p = j->i;
			break;
		case OP_INT + OP_MEMBER:
			if (j->kind != JV_INT)
				continue;
			*(int *)p = (int)j->i;
			break;
		default:
			if (!read_field(r, &event_fields[kf->row], k, j, ev,
					&ok))
				continue;
			break;
		}
		ev->has |= kf->has; /* 0 but for a leader or a member */
	}
	if (r->bad_stack) {
		int64_t id = r->bad_stack_id;

		r->bad_stack = false;
		if (!id)
			BAD("%s:%lu: \"stack\" is not a stack id (an integer "
			    "from 1)",
			    r->path, r->line);
		BAD("%s:%lu: stack %lld has no record before it", r->path,
		    r->line, (long long)id);
	}
	if (!ok && ev->type == EV_EXIT)
		BAD("%s:%lu: unknown signal", r->path, r->line);
	if (!ok)
		BAD("%s:%lu: unknown flag or errno name", r->path, r->line);
	return 1;
}

/*
 * What LINE (N bytes, NUL-terminated, the line number in r->line) holds,
 * into EV: 1 for an event, 0 for a record this version does not know,
 * -EINVAL for a malformed record (message in ERR), LINE_TRUNCATED for the
 * last line of the file without its newline (COMPLETE false) that is not
 * a whole record: the writer was killed while writing it.
 */
#define LINE_TRUNCATED 2
/* a module or stack record, read into the table: no event */
#define LINE_STACKS 3

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static bool jget_int(json_t *o, const char *key, int64_t *v)
{
	json_t *j = json_object_get(o, key);

	if (!json_is_integer(j))
		return false;
	*v = json_integer_value(j);
	return true;
}

/* A string of 1 to 20 decimal digits into *V, up to 2^64-1. */
static bool decimal_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!s || !isdigit((unsigned char)s[0]) ||
	    strspn(s, "0123456789") != strlen(s) || strlen(s) > 20)
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return !errno && !*end;
}

/* "0x" and 1 to 16 hex digits into *V. */
static bool hex_u64(const char *s, uint64_t *v)
{
	char *end;
	size_t n;

	if (!s || strncmp(s, "0x", 2))
		return false;
	n = strspn(s + 2, "0123456789abcdefABCDEF");
	if (!n || n > 16 || s[2 + n])
		return false;
	errno = 0;
	*v = strtoull(s + 2, &end, 16);
	return !errno && !*end;
}

/* A module record (stacks.h) into the table: 0, or -EINVAL. */
static int module_record(struct reader_parser *r, json_t *o, char *err,
			 size_t errlen)
{
	unsigned char bid[STACK_BUILD_ID_MAX];
	int bid_len = 0;
	const char *path = jstr(o, "path"), *hex = jstr(o, "build_id");
	uint64_t dev, ino;
	int64_t id;
	int ret;

	if (!jget_int(o, "id", &id) || !path ||
	    !decimal_u64(jstr(o, "dev"), &dev) ||
	    !decimal_u64(jstr(o, "ino"), &ino))
		BAD("%s:%lu: module record lacks id, path, dev or ino (dev "
		    "and ino are strings of digits)",
		    r->path, r->line);
	if (hex && !stack_build_id_parse(hex, bid, &bid_len))
		BAD("%s:%lu: module %lld: bad build_id \"%s\"", r->path,
		    r->line, (long long)id, hex);
	ret = id <= 0 || id > STACK_ID_MAX
		      ? -EINVAL
		      : stack_table_add_module(r->stacks, (uint32_t)id, path,
					       (uint64_t)dev, (uint64_t)ino,
					       bid, bid_len);
	if (ret == -ENOSPC)
		BAD("%s:%lu: module %lld: more than %u modules (fsrace "
		    "keeps no more)",
		    r->path, r->line, (long long)id, STACK_TABLE_MODULES_MAX);
	if (ret < 0)
		BAD("%s:%lu: module id %lld defined twice or out of range "
		    "(1-%u)",
		    r->path, r->line, (long long)id, STACK_ID_MAX);
	return 0;
}

/*
 * A frame's name as a log gave it, O: {"function": F, "offset": "0xN"}
 * and {"file": F, "line": N}, each pair or neither. 0 with *RET, -1, or
 * -ENOSPC (the table holds STACK_TABLE_NAMES_MAX).
 */
static int named_frame(struct reader_parser *r, json_t *o,
		       const struct stack_named **ret)
{
	json_t *fn = json_object_get(o, "function");
	json_t *off = json_object_get(o, "offset");
	json_t *file = json_object_get(o, "file");
	json_t *line = json_object_get(o, "line");
	uint64_t offset = 0;

	if (!json_is_object(o) ||
	    json_object_size(o) != (fn ? 2u : 0u) + (file ? 2u : 0u) ||
	    !fn != !off || !file != !line)
		return -1;
	if (fn &&
	    (!json_is_string(fn) || !hex_u64(json_string_value(off), &offset)))
		return -1;
	if (file && (!json_is_string(file) || !json_is_integer(line) ||
		     json_integer_value(line) < 0 ||
		     json_integer_value(line) > INT_MAX))
		return -1;
	*ret = stack_table_named(r->stacks, json_string_value(fn), offset,
				 json_string_value(file),
				 file ? (int)json_integer_value(line) : 0);
	return *ret || (!fn && !file) ? 0 : -ENOSPC;
}

/* A stack record into the table: 0, or -EINVAL. */
static int stack_record(struct reader_parser *r, json_t *o, char *err,
			size_t errlen)
{
	struct stack_pc pc[STACK_DEPTH_MAX];
	struct stack_py pf[STACK_DEPTH_MAX];
	json_t *frames = json_object_get(o, "frames"), *f, *py;
	int64_t id;
	size_t i;
	int ret;
	bool full = false; /* a frame's name past the table's ceiling */

	if (!jget_int(o, "id", &id) || !json_is_array(frames))
		BAD("%s:%lu: stack record lacks id or frames", r->path,
		    r->line);
	if (json_array_size(frames) > STACK_DEPTH_MAX)
		BAD("%s:%lu: stack %lld: more than %d frames", r->path, r->line,
		    (long long)id, STACK_DEPTH_MAX);
	json_array_foreach(frames, i, f)
	{
		json_t *m = json_array_get(f, 0), *a = json_array_get(f, 1);
		size_t nf = json_array_size(f);

		if ((nf != 2 && (nf != 3 || r->version < 3)) ||
		    !json_is_integer(m) ||
		    !hex_u64(json_string_value(a), &pc[i].addr))
			BAD("%s:%lu: stack %lld: frame %zu is not [module, "
			    "\"0xADDRESS\"%s]",
			    r->path, r->line, (long long)id, i + 1,
			    r->version < 3 ? "" : ", {NAMED}");
		pc[i].mod = NULL;
		pc[i].named = NULL;
		ret = nf == 3 ? named_frame(r, json_array_get(f, 2),
					    &pc[i].named)
			      : 0;
		if (ret == -ENOSPC)
			full = true;
		else if (ret < 0)
			BAD("%s:%lu: stack %lld: frame %zu: its name is not "
			    "{\"function\", \"offset\", \"file\", "
			    "\"line\"}",
			    r->path, r->line, (long long)id, i + 1);
		if (json_integer_value(m) != 0 &&
		    (json_integer_value(m) < 0 ||
		     json_integer_value(m) > STACK_ID_MAX ||
		     !(pc[i].mod = stack_table_module_get(
			       r->stacks, (uint32_t)json_integer_value(m)))))
			BAD("%s:%lu: stack %lld: module %lld has no record "
			    "before it",
			    r->path, r->line, (long long)id,
			    (long long)json_integer_value(m));
	}
	py = json_object_get(o, "py");
	if (py && (!json_is_array(py) || json_array_size(py) > STACK_DEPTH_MAX))
		BAD("%s:%lu: stack %lld: \"py\" is not an array of at most "
		    "%d frames",
		    r->path, r->line, (long long)id, STACK_DEPTH_MAX);
	json_array_foreach(py, i, f)
	{
		json_t *line = json_array_get(f, 2);

		pf[i].file = json_string_value(json_array_get(f, 0));
		pf[i].function = json_string_value(json_array_get(f, 1));
		pf[i].line = (int)json_integer_value(line);
		if (json_array_size(f) != 3 || !pf[i].file || !pf[i].function ||
		    !json_is_integer(line) || json_integer_value(line) < -1 ||
		    json_integer_value(line) > INT_MAX)
			BAD("%s:%lu: stack %lld: Python frame %zu is not "
			    "[file, function, line]",
			    r->path, r->line, (long long)id, i + 1);
	}
	ret = id <= 0 || id > STACK_ID_MAX ? -EINVAL
	      : full			   ? -ENOSPC
		     : stack_table_add_stack(r->stacks, (uint32_t)id, pc,
					     (uint32_t)json_array_size(frames),
					     pf, (uint32_t)json_array_size(py));
	if (ret == -ENOSPC)
		BAD("%s:%lu: stack %lld: more than %u stacks or %u names of "
		    "frames (fsrace keeps no more)",
		    r->path, r->line, (long long)id, STACK_TABLE_STACKS_MAX,
		    STACK_TABLE_NAMES_MAX);
	if (ret < 0)
		BAD("%s:%lu: stack id %lld defined twice or out of range "
		    "(1-%u)",
		    r->path, r->line, (long long)id, STACK_ID_MAX);
	return 0;
}

/*
 * Whether LINE (N bytes) begins as a module or a stack record: '{', the
 * key "type" and its value, blanks allowed between them: 1 module, 2
 * stack, 0 neither.
 */
static int stack_head(const char *line, size_t n)
{
	static const char head[] = "{\"type\":\"";
	const char *p = line, *end = line + n;

	/* as the writer writes every record: one test for an event */
	if (n > sizeof(head) && !memcmp(line, head, sizeof(head) - 1)) {
		p = line + sizeof(head) - 1;
		if (*p != 'm' && (p[0] != 's' || p[1] != 't'))
			return 0;
		return n - (size_t)(p - line) >= 7 && !memcmp(p, "module\"", 7)
			       ? 1
		       : n - (size_t)(p - line) >= 6 && !memcmp(p, "stack\"", 6)
			       ? 2
			       : 0;
	}

#define BLANKS()                                                               \
	while (p < end && (*p == ' ' || *p == '\t'))                           \
	p++
#define WORD(w)                                                                \
	((size_t)(end - p) >= sizeof(w) - 1 && !memcmp(p, w, sizeof(w) - 1) && \
	 (p += sizeof(w) - 1))
	BLANKS();
	if (!WORD("{"))
		return 0;
	BLANKS();
	if (!WORD("\"type\""))
		return 0;
	BLANKS();
	if (!WORD(":"))
		return 0;
	BLANKS();
	if (WORD("\"module\""))
		return 1;
	if (WORD("\"stack\""))
		return 2;
	return 0;
#undef BLANKS
#undef WORD
}

/*
 * A module or stack record (format 2), which the writer begins with its
 * type: read with jansson, as they are few (each is written once). 1 if
 * LINE is one and was read, 0 if it is not one, or -EINVAL.
 */
static int stack_line(struct reader_parser *r, const char *line, size_t n,
		      bool complete, char *err, size_t errlen)
{
	int head = stack_head(line, n), ret;
	json_error_t je;
	json_t *o;

	if (!head)
		return 0;
	if (r->version < 2)
		BAD("%s:%lu: a %s record in a trace of format %d (they came "
		    "with format 2)",
		    r->path, r->line, head == 1 ? "module" : "stack",
		    r->version);
	o = json_loadb(line, n, JSON_REJECT_DUPLICATES, &je);
	if (!o) {
		if (!complete)
			return LINE_TRUNCATED;
		BAD("%s:%lu: malformed record: %s at column %d", r->path,
		    r->line, je.text, je.column);
	}
	ret = head == 1 ? module_record(r, o, err, errlen)
			: stack_record(r, o, err, errlen);
	json_decref(o);
	return ret < 0 ? ret : 1;
}

static int parse_line(struct reader_parser *r, char *line, size_t n,
		      bool complete, struct event *ev, char *err, size_t errlen)
{
	struct jp j = {.p = line, .end = line + n};
	int ret;

	if (n == 0)
		BAD("%s:%lu: empty line", r->path, r->line);
	ret = stack_line(r, line, n, complete, err, errlen);
	if (ret == 1)
		return LINE_STACKS;
	if (ret)
		return ret;
	if (!scan_record(&j, r)) {
		if (!complete)
			return LINE_TRUNCATED;
		BAD("%s:%lu: malformed record: %s at column %zu", r->path,
		    r->line, j.why, (size_t)(j.at - line) + 1);
	}
	return parse_record(r, ev, err, errlen);
}

static void parser_init(struct reader_parser *r, const char *path)
{
	memset(r, 0, sizeof(*r));
	r->path = path;
	r->rec = xcalloc(1, sizeof(*r->rec));
	key_table_init(&r->rec->keys);
	r->memo = xcalloc(1, sizeof(*r->memo));
}

static void parser_release(struct reader_parser *r)
{
	free(r->rec);
	free(r->memo);
	free(r->names);
	free(r->argv);
}

/* --- the header, with jansson ---------------------------------------- */

static const char **string_array(json_t *a, const char ***store, size_t *cap)
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
	return *store;
}

/* --- the reader ------------------------------------------------------- */

int trace_reader_open_as(struct trace_reader *r, const char *path,
			 const char *name, char *err, size_t errlen)
{
	json_error_t je;
	json_t *h;
	bool complete;
	char *line;
	size_t n, hcap = 0;
	int64_t v;
	int ret;

	memset(r, 0, sizeof(*r));
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		int e = errno;

		snprintf(err, errlen, "cannot open '%s': %s", name,
			 strerror(e));
		return -e;
	}
	(void)posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	r->path = xstrdup(name);
	r->cap = BUF_INITIAL;
	r->buf = xmalloc(r->cap + BUF_PAD);
	r->ps = xmalloc(sizeof(*r->ps));
	parser_init(r->ps, r->path);
	r->stacks = stack_table_new();
	r->ps->stacks = r->stacks;
	ret = next_line(r, &line, &n, &complete, err, errlen);
	if (ret < 0)
		return ret;
	if (ret == 0)
		BAD("%s: empty file, not a trace", name);
	h = json_loadb(line, n, 0, &je);
	if (!h || !json_is_object(h) || !jstr(h, "format") ||
	    strcmp(jstr(h, "format"), "fsrace-trace")) {
		json_decref(h);
		BAD("%s:1: not an fsrace trace (no fsrace-trace header)", name);
	}
	r->header_json = h;
	if (!jget_int(h, "version", &v) || v < 1 || v > TRACE_FORMAT_VERSION)
		BAD("%s:1: unsupported trace format version", name);
	r->header.version = (int)v;
	r->ps->version = (int)v;
	r->header.fsrace_version = jstr(h, "fsrace_version");
	r->header.argv =
		string_array(json_object_get(h, "argv"), &r->hargv, &hcap);
	r->header.cwd = jstr(h, "cwd");
	if (jget_int(h, "start_ns", &v))
		r->header.start_ns = (uint64_t)v;
	r->header.host = jstr(h, "host");
	r->header.kernel = jstr(h, "kernel");
	{
		json_t *o = json_object_get(h, "options");
		const char *mode = jstr(o, "mode");

		r->header.attach = mode && !strcmp(mode, "attach");
		r->header.seccomp = json_is_true(json_object_get(o, "seccomp"));
		r->header.seccomp_reason = jstr(o, "seccomp_reason");
		if (jget_int(o, "pid", &v))
			r->header.attach_pid = (int)v;
	}
	return 0;
}

int trace_reader_open(struct trace_reader *r, const char *path, char *err,
		      size_t errlen)
{
	return trace_reader_open_as(r, path, path, err, errlen);
}

int trace_reader_next(struct trace_reader *r, struct event *ev, char *err,
		      size_t errlen)
{
	if (r->failed) {
		snprintf(err, errlen, "%s", r->errmsg);
		return r->failed;
	}
	for (;;) {
		bool complete;
		char *line;
		size_t n;
		int ret;

		ret = next_line(r, &line, &n, &complete, err, errlen);
		if (ret == 0)
			return 0;
		if (ret > 0) {
			r->ps->line = r->line;
			ret = parse_line(r->ps, line, n, complete, ev, err,
					 errlen);
		}
		if (ret == LINE_TRUNCATED) {
			warnx_("%s:%lu: truncated record skipped", r->path,
			       r->line);
			return 0;
		}
		if (ret < 0) {
			/* an error is final */
			r->failed = ret;
			r->errmsg = xstrdup(err);
		}
		if (ret == LINE_STACKS)
			continue;
		if (ret != 0)
			return ret;
		r->skipped++;
	}
}

struct stack_table *trace_reader_take_stacks(struct trace_reader *r)
{
	struct stack_table *t = r->stacks;

	r->stacks = NULL;
	if (r->ps)
		r->ps->stacks = NULL;
	return t;
}

void trace_reader_close(struct trace_reader *r)
{
	if (r->ps) {
		parser_release(r->ps);
		free(r->ps);
	}
	json_decref(r->header_json);
	if (r->path && r->fd >= 0)
		close(r->fd);
	free(r->buf);
	free(r->path);
	free(r->hargv);
	free(r->errmsg);
	stack_table_free(r->stacks);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}
