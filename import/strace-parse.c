// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "strace-int.h"
#include "util.h"

void *arena_alloc(struct arena *a, size_t n)
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
void arena_reset(struct arena *a)
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

void arena_free(struct arena *a)
{
	while (a->head) {
		struct ablock *n = a->head->next;

		free(a->head);
		a->head = n;
	}
}

/* A decimal number of at most 18 digits at *P. */
bool read_dec(const char **pp, uint64_t *ret)
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
bool parse_number(const char **pp, const char *end, uint64_t *ret)
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
int split_list(const char *s, size_t n, char close, struct tok *toks, int max,
	       int *ntok, size_t *end)
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

/*
 * A quoted string argument: STR_OK with its bytes in *RET (arena),
 * STR_TRUNC when strace cut it ('"abc"...'; *RET is "abc..."), STR_NULL
 * for NULL, STR_NONE for anything else (an address strace could not read).
 */
enum str_kind parse_str(struct arena *a, struct tok t, char **ret)
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

/*
 * The value of NAME in vocabulary V: a flag of SET, a file mode, a clone
 * flag or clone's exit signal (an unknown "SIG…" is 0); AT_FDCWD and
 * FD_CLOEXEC stand wherever a number may. A name of another namespace is
 * not one of V: false, as for an unknown name.
 */
static bool resolve_name(enum vocab v, enum flagset set, const char *name,
			 size_t len, uint64_t *ret)
{
	enum name_ns ns;
	uint64_t val;

	if (v == V_FLAGS && flags_parse(set, name, ret) == 0)
		return true;
	if (name_find(name, len, &ns, &val) < 0) {
		if (v == V_CLONE && starts(name, "SIG")) {
			*ret = 0;
			return true;
		}
		return false;
	}
	switch (ns) {
	case NS_MODE:
		if (v != V_MODE)
			return false;
		break;
	case NS_CLONE:
	case NS_SIGNAL:
		if (v != V_CLONE)
			return false;
		break;
	case NS_DIRFD:
	case NS_FD:
		break;
	default:
		return false;
	}
	*ret = val;
	return true;
}

/*
 * An integer expression as strace prints flags, modes and constants:
 * terms joined by '|', each a number or a name, comments (-X verbose)
 * ignored, an empty term (-X raw prints a zero flag set as nothing) 0.
 * Unknown names add nothing. Returns false on anything else.
 */
bool parse_expr(struct tok t, enum vocab v, enum flagset set, uint64_t *ret)
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
			if (!resolve_name(v, set, name, k, &x))
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
#define DELETED "(deleted)"
#define DELETED_LEN (sizeof(DELETED) - 1)

char *deco_string(struct arena *a, const char *s, size_t n, size_t i,
		  size_t *end)
{
	size_t j = skip_deco(s, n, i), len;
	const char *lt;
	char *out;
	bool deleted;

	if (!j)
		return NULL;
	len = j - i - 2;
	/* a '<' in a path is escaped: a bare one starts the device suffix */
	if (len && s[i + 1] == '/' && (lt = memchr(s + i + 1, '<', len)))
		len = (size_t)(lt - (s + i + 1));
	/*
	 * strace writes an unlinked file's "(deleted)" after the brackets;
	 * /proc, and so the live tracer, as " (deleted)" in the path
	 */
	deleted = n - j >= DELETED_LEN && !memcmp(s + j, DELETED, DELETED_LEN);
	if (end)
		*end = j + (deleted ? DELETED_LEN : 0);
	out = arena_alloc(a, len + (deleted ? DELETED_LEN + 1 : 0) + 1);
	len = unescape(s + i + 1, len, out);
	if (deleted)
		memcpy(out + len, " " DELETED, DELETED_LEN + 2);
	return out;
}

/*
 * An fd argument: "3", "3</tmp/x>", "AT_FDCWD</home/u>", -X verbose's
 * "-100" with its comment, -X raw's "0xffffff9c", with -yy
 * "3</dev/null<char 1:3>>" or "3<TCP:[...]>". The decoration, unescaped,
 * goes to *DECO (arena) or NULL.
 */
bool parse_fd(struct arena *a, struct tok t, int *ret, char **deco)
{
	const char *p = t.s, *end = t.s + t.n;
	uint64_t v;
	int64_t sv;

	*deco = NULL;
	if (t.n >= 8 && !memcmp(p, "AT_FDCWD", 8)) {
		v = (uint64_t)(int64_t)AT_FDCWD_;
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
bool struct_field(struct tok t, const char *field, struct tok *ret)
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

bool field_num(struct tok t, const char *field, enum vocab v, uint64_t *ret)
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
void parse_ident(struct tok t, bool statx, struct ident *id)
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
void parse_argv(struct arena *a, struct tok t, struct event *ev)
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
