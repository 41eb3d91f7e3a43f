// SPDX-License-Identifier: MIT
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

#include "strace-int.h"
#include "util.h"

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
 * the pid with -Y), timestamp and body; -i's "[ip] " (all '?' on an
 * exit line) and -n's "[ nr] " are skipped.
 */
void parse_prefix(char *line, int *ret_pid, struct ts_raw *ts, char **ret_body)
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
		/* "[????????????????]" on an exit line: no address */
		while (*q == ' ' || *q == '?' || isxdigit((unsigned char)*q))
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
			/* the native reader's bound: garbage without a
			 * newline (/dev/zero) ends the log, with an error */
			s->skipped = s->skipping ? s->skipped + avail : avail;
			if (s->skipped >= STRACE_MAX_GARBAGE)
				return -EFBIG;
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

/*
 * Whether the next line of S is a frame of strace -k (" > …"). Reading
 * more of the file moves the buffer: the line RAW (N bytes) is copied
 * into s->framed first (*COPIED).
 */
static bool frame_follows(struct src *s, char **raw, size_t n, bool *copied)
{
	for (;;) {
		size_t avail;

		if (s->stashed)
			return starts(s->stash, " > ");
		if (s->skipping || !s->buf)
			return false;
		avail = s->len - s->start;
		if (avail >= 3)
			return !memcmp(s->buf + s->start, " > ", 3);
		if (s->eof)
			return false;
		if (!*copied) {
			strbuf_reset(&s->framed);
			strbuf_add(&s->framed, *raw, n);
			*raw = s->framed.buf;
			*copied = true;
		}
		/* an error is the next read's to report */
		if (src_fill(s) < 0)
			return false;
	}
}

/* The " > " lines after the line RAW (N bytes) of S into L, with it. */
static void take_frames(struct src *s, char **raw, size_t n, struct sline *l)
{
	bool copied = false;
	size_t at;

	l->frames = NULL;
	l->frames_len = 0;
	if (!frame_follows(s, raw, n, &copied))
		return;
	if (!copied) {
		strbuf_reset(&s->framed);
		strbuf_add(&s->framed, *raw, n);
	}
	strbuf_addch(&s->framed, '\0');
	at = s->framed.len;
	do {
		char *f;
		size_t fn;
		bool tl, un;
		unsigned long lineno;

		if (src_line(s, &f, &fn, &tl, &un, &lineno) <= 0)
			break;
		if (!tl) {
			strbuf_add(&s->framed, f, fn);
			strbuf_addch(&s->framed, '\n');
		}
		copied = true;
	} while (frame_follows(s, raw, n, &copied));
	*raw = s->framed.buf;
	l->frames = s->framed.buf + at;
	l->frames_len = s->framed.len - at;
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
	if (!too_long)
		take_frames(s, &raw, n, l);
	else
		l->frames = NULL, l->frames_len = 0;
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
bool line_duration(const char *b, size_t n, uint64_t *ret)
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

/*
 * The pid of an unprefixed line of a log that has none on every line
 * (no -f, or -f on stderr, where strace prefixes lines only while it
 * traces more than one process): the first set_tid_address(), getpid()
 * or gettid() result of an unprefixed line, or the first "[pid N]" that
 * no fork returned (the first process, once it has company; none once
 * more forks came than are remembered, 64). 0 if none is found in the
 * first PRESCAN_MAX bytes.
 */
static int prescan(struct src *s)
{
	size_t max = s->size > 0 && (uint64_t)s->size < PRESCAN_MAX
			     ? (size_t)s->size
			     : PRESCAN_MAX;
	char *buf = xmalloc(max + 1);
	size_t len = 0;
	int forked[64], nforked = 0, found = 0, calls = 0;
	/* more forks than FORKED holds: a prefixed pid not in it may be a
	 * child, and is then no answer */
	bool overflow = false;
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
			else
				overflow = true;
			continue;
		}
		if (pid) {
			bool child = false;

			for (int i = 0; i < nforked; i++)
				child |= forked[i] == pid;
			if (!child && !overflow)
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
			if (!q || !read_dec(&q, &v) || v > PID_MAX_LIMIT)
				continue;
			if (nforked < (int)ARRAY_SIZE(forked))
				forked[nforked++] = (int)v;
			else
				overflow = true;
		}
	}
	free(buf);
	return found;
}

/* Whose line is L: its prefix, its file, the only process, or a guess. */
int lines_pid(struct strace_reader *r, struct sline *l)
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

void held_add(struct strace_reader *r, const struct sline *l, int pid)
{
	size_t n = strlen(l->raw);
	struct held *h = xmalloc(sizeof(*h) + n + 1 + l->frames_len);

	h->next = NULL;
	h->l = *l;
	h->l.pid = pid;
	memcpy(h->text, l->raw, n + 1);
	h->l.raw = h->text;
	h->l.body = h->text + (l->body - l->raw);
	if (l->frames) {
		memcpy(h->text + n + 1, l->frames, l->frames_len);
		h->l.frames = h->text + n + 1;
	}
	h->size = sizeof(*h) + n + 1 + l->frames_len;
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
void held_release(struct strace_reader *r, int pid)
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
void held_release_if_idle(struct strace_reader *r)
{
	if (r->npending_clones <= 0 && r->held)
		held_release(r, -1);
}

/* Too much held: give every held pid a task of its own and replay. */
void held_release_by_force(struct strace_reader *r)
{
	for (struct held *h = r->held; h; h = h->next)
		if (!task_find(r, h->l.pid))
			task_root(r, h->l.pid);
	held_release(r, -1);
}

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

int lines_next(struct strace_reader *r, struct sline *ret, char *err,
	       size_t errlen)
{
	struct src *best = NULL;
	bool best_known = false;

	for (int i = 0; i < r->nsrc; i++) {
		struct src *s = &r->srcs[i];
		bool known;

		if (!s->has_head) {
			int n = src_next(s, &s->head);

			if (n == -EFBIG) {
				snprintf(err, errlen,
					 "%s:%lu: line longer than %u MiB",
					 s->path, s->lineno + 1,
					 STRACE_MAX_GARBAGE >> 20);
				return n;
			}
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
