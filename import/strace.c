// SPDX-License-Identifier: MIT
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

#include "strace-int.h"
#include "util.h"

struct stask *task_find(struct strace_reader *r, int tid)
{
	return (struct stask *)proc_find(&r->model, tid);
}

static struct stask *task_new(struct strace_reader *r, int tid)
{
	struct stask *k = xcalloc(1, sizeof(*k));

	k->p.tid = k->p.tgid = tid;
	strbuf_init(&k->pend.text, 0);
	proc_add(&r->model, &k->p);
	r->nlive++;
	r->solo_valid = false;
	return k;
}

/* A task whose fork the log does not show: nothing known about it. */
struct stask *task_root(struct strace_reader *r, int tid)
{
	struct stask *k = task_new(r, tid);

	proc_setup(&k->p, NULL, NULL, NULL);
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
	strbuf_reset(&k->pend.text);
}

static void pending_free(struct pending *p)
{
	strbuf_release(&p->text);
	free(p->name);
	memset(p, 0, sizeof(*p));
}

static void task_free(struct strace_reader *r, struct stask *k)
{
	proc_exit(&r->model, &k->p);
	pending_clear(r, k);
	pending_free(&k->pend);
	free(k);
	r->nlive--;
	r->solo_valid = false;
}

struct stask *solo_task(struct strace_reader *r)
{
	if (r->nlive != 1)
		return NULL;
	if (!r->solo_valid) {
		struct hashmap_iter it;

		r->solo = (struct stask *)proc_iter_first(&r->model, &it);
		r->solo_valid = true;
	}
	return r->solo;
}

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

static void add_deco(struct strace_reader *r, int fd, const char *path)
{
	if (!path)
		return;
	r->decorated = true;
	if (fd == AT_FDCWD_) {
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

struct result {
	bool known; /* false for "= ?" */
	int64_t val;
	int err; /* > 0 on failure */
	bool failed;
	char *deco; /* "= 3</tmp/x>" */
	bool has_dur;
	uint64_t dur;
	bool injected; /* strace -e inject: "(INJECTED)" */
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
	/* E2BIG: a digit may follow the E */
	if (p + 1 < end && p[0] == 'E' &&
	    (isupper((unsigned char)p[1]) || isdigit((unsigned char)p[1]))) {
		char name[40];
		size_t k = 0;

		while (p < end && (isupper((unsigned char)*p) ||
				   isdigit((unsigned char)*p) || *p == '_')) {
			if (k + 1 < sizeof(name))
				name[k++] = *p;
			p++;
		}
		name[k] = '\0';
		/* a name this kernel's tables lack stays a name */
		res->err = errno_intern(name);
		if (res->err < 0)
			res->err = 0;
		res->known = true;
		res->failed = true;
		res->val = -1;
	} else if (res->known && res->val == -1) {
		res->failed = true;
	}
	res->has_dur = line_duration(s, n, &res->dur);
	res->injected = memmem(p, (size_t)(end - p), " (INJECTED)", 11) != NULL;
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
	enum name_ns ns;
	uint64_t v;

	if (t.n && is_ident_start(t.s[0])) {
		size_t k = 0;

		/* the name alone: what follows it is not read */
		while (k < t.n && is_ident(t.s[k]))
			k++;
		if (name_find(t.s, k, &ns, &v) < 0 || ns != NS_FCNTL)
			return false;
		*cmd = (int)v;
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
		int a = proc_arg_index(c->sc, A_CLONEARGS);

		if (a < 0 || a >= ntok ||
		    !field_num(toks[a], "flags", V_CLONE, &flags))
			flags = 0;
	}
	child = task_find(r, tid);
	if (!child)
		child = task_new(r, tid);
	proc_fork(&k->p, &child->p, flags, ev);
	ev->ts_enter = c->has_ts ? c->ts_enter : 0;
	ev->fork_syscall = name;
	set_source(ev, c->l);
	/* with no fork left pending, held_release_if_idle() replays all in
	 * order */
	if (r->npending_clones > 0)
		held_release(r, tid);
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
	if (sc->effect == E_FCNTL) {
		int a = proc_arg_index(sc, A_FCNTL_CMD);

		if (a < 0 || a >= ntok || !fcntl_traced(toks[a], &cmd))
			return 0;
	}

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
	if (res.injected) {
		ev->has |= HAS_INJECTED;
		ev->injected = true;
	}
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
	strbuf_reset(&r->join);
	strbuf_add(&r->join, a, an);
	strbuf_add(&r->join, b, bn);
	return r->join.buf;
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
	sc = syscall_by_name_len(b, nlen);
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
		strbuf_reset(&p->text);
		strbuf_add(&p->text, b, m);
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
		held_release_if_idle(r);
		return 0;
	}
	if (ends_with(rest, strlen(rest), "<detached ...>")) {
		pending_clear(r, k);
		held_release_if_idle(r);
		return 0;
	}
	c = (struct call){
		p->sc,
		join_text(r, p->text.buf, p->text.len, rest, strlen(rest)),
		p->text.len + strlen(rest),
		nlen,
		p->has_ts,
		p->ts,
		l,
		false};
	pending_clear(r, k);
	ret = do_call(r, k, &c, ev);
	held_release_if_idle(r);
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
		sig = signal_parse(name);
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
		held_release_if_idle(r);
		return 0;
	} else {
		return -1;
	}
	ev->pid = k->p.tgid;
	ev->tid = k->p.tid;
	ev->ts_enter = l->has_ts ? l->ts : 0;
	set_source(ev, l);
	task_free(r, k);
	held_release_if_idle(r);
	return 1;
}

enum line_kind { L_IGNORE, L_BAD, L_CALL, L_RESUMED, L_PLUS };

static enum line_kind classify(const char *b)
{
	if (!b[strspn(b, " \t")])
		return L_IGNORE;
	if (starts(b, "strace: ") || starts(b, "--- ") ||
	    starts(b, "[ Process PID=") || starts(b, " > "))
		return L_IGNORE; /* " > ": a frame no call line took */
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
	pid = lines_pid(r, l);
	k = task_find(r, pid);
	if (!k) {
		/* a child whose fork is still to finish: after it */
		if (r->npending_clones > 0 && !r->flushing) {
			held_add(r, l, pid);
			if (r->held_bytes > HOLD_MAX)
				held_release_by_force(r);
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
	if (ret > 0 && l->frames && ev->type == EV_SYSCALL) {
		bool dropped = false;

		ev->stack = strace_frames_stack(r, l->frames, l->frames_len,
						&dropped);
		if (ev->stack)
			ev->has |= HAS_STACK;
		if (dropped) {
			ev->has |= HAS_STACK_DROPPED;
			ev->stack_dropped = true;
		}
	}
	return ret;
}

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
			ret = lines_next(r, &l, err, errlen);
			if (ret < 0)
				return ret;
			if (ret == 0) {
				if (!r->held)
					return 0;
				/* their forks never came: roots */
				r->flushing = true;
				held_release(r, -1);
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

bool strace_reader_decorated(const struct strace_reader *r)
{
	return r->decorated;
}

unsigned long strace_reader_skipped(const struct strace_reader *r)
{
	return r->skipped;
}

uint64_t strace_reader_too_long(const struct strace_reader *r)
{
	return r->model.too_long;
}

void strace_reader_stack_drops(const struct strace_reader *r,
			       struct stack_drops *out)
{
	if (r->stacks)
		stack_table_drops(r->stacks, out);
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
	return strace_reader_open_as(ret, paths, paths, npaths, strict, err,
				     errlen);
}

int strace_reader_open_as(struct strace_reader **ret, const char *const *paths,
			  const char *const *names, int npaths, bool strict,
			  char *err, size_t errlen)
{
	struct strace_reader *r;

	if (npaths <= 0) {
		snprintf(err, errlen, "no strace log to read");
		return -EINVAL;
	}
	r = xcalloc(1, sizeof(*r));
	strbuf_init(&r->join, 0);
	proc_model_init(&r->model, &log_backend, r);
	r->strict = strict;
	r->srcs = xcalloc((size_t)npaths, sizeof(*r->srcs));
	for (int i = 0; i < npaths; i++) {
		struct src *s = &r->srcs[i];

		s->index = i;
		strbuf_init(&s->framed, 0);
		s->path = xstrdup(names[i]);
		s->fd = open(paths[i], O_RDONLY | O_CLOEXEC);
		r->nsrc = i + 1;
		if (s->fd < 0) {
			int e = errno;

			snprintf(err, errlen, "cannot open '%s': %s", names[i],
				 strerror(e));
			strace_reader_close(r);
			return -e;
		}
		/*
		 * One of several files: an -ff file of that pid. A single
		 * file's suffix may be logrotate's: only a last guess.
		 */
		if (npaths > 1)
			s->file_pid = suffix_pid(names[i]);
		else
			s->suffix_pid = suffix_pid(names[i]);
		src_stat(s);
	}
	/* -ff files in pid order: without timestamps the first goes first */
	if (r->nsrc > 1) {
		qsort(r->srcs, (size_t)r->nsrc, sizeof(*r->srcs), cmp_src);
		for (int i = 0; i < r->nsrc; i++)
			r->srcs[i].index = i;
	}
	*ret = r;
	return 0;
}

void strace_reader_close(struct strace_reader *r)
{
	struct hashmap_iter it;
	struct proc *p;

	if (!r)
		return;
	for (p = proc_iter_first(&r->model, &it); p; p = proc_iter_next(&it))
		task_free(r, (struct stask *)p);
	proc_model_release(&r->model);
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
		strbuf_release(&s->framed);
	}
	free(r->srcs);
	strace_frames_release(r);
	arena_free(&r->arena);
	strbuf_release(&r->join);
	free(r);
}

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
