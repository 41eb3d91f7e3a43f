// SPDX-License-Identifier: MIT
/*
 * Findings emission: fingerprints, message templates, and the batch of
 * matches one event completed.
 */
#include "engine_impl.h"

#include <stdio.h>
#include <sys/stat.h>

#include "names.h"
#include "strbuf.h"

static bool alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

static bool hexdigit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* The length of a UUID (8-4-4-4-12 hex digits) at S, or 0. */
static size_t uuid_at(const char *s)
{
	static const int groups[] = {8, 4, 4, 4, 12};
	size_t n = 0;

	for (unsigned g = 0; g < ARRAY_SIZE(groups); g++) {
		for (int k = 0; k < groups[g]; k++, n++)
			if (!hexdigit(s[n]))
				return 0;
		if (g < 4 && s[n++] != '-')
			return 0;
	}
	return alnum(s[n]) ? 0 : n;
}

static bool lower_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/*
 * How many characters at the end of the run RUN (N name characters, in
 * the path component that starts at COMP) the template of a well-known
 * temporary name made up, or 0: Python's tempfile (tmp + 8 of
 * [a-z0-9_]), mktemp(1) (tmp. + 10), gcc (cc + 6, then .s), sed -i
 * (sed + 6), rsync (.NAME. + 6). Only these: an ordinary name with
 * digits or capitals (model_v2, XMLParser) keeps its letters, so two
 * of them stay two findings.
 */
static size_t template_tail(const char *comp, const char *run, size_t n)
{
	size_t at = (size_t)(run - comp);

	if (at == 0 && n == 11 && !strncmp(run, "tmp", 3) &&
	    lower_digits(run + 3, 8))
		return 8;
	if (at == 0 && n == 8 && !strncmp(run, "cc", 2))
		return 6;
	if (at == 0 && n == 9 && !strncmp(run, "sed", 3))
		return 6;
	if (at == 4 && n == 10 && !strncmp(comp, "tmp.", 4))
		return 10;
	if (comp[0] == '.' && at > 1 && run[-1] == '.' && n == 6 && !run[6])
		return 6;
	return 0;
}

/* Whether the last component of PATH is a template's name (as
 * template_tail() knows them). */
static bool template_name(const char *path)
{
	const char *comp = strrchr(path, '/');

	comp = comp ? comp + 1 : path;
	for (const char *p = comp; *p;) {
		size_t n = 0;

		while (alnum(p[n]))
			n++;
		if (n && template_tail(comp, p, n))
			return true;
		p += n ? n : 1;
	}
	return false;
}

/* A temporary name the tree made (engine->temps). */
struct temp_ent {
	struct hashmap_entry ent;
	char path[];
};

static bool temp_eq(const struct hashmap_entry *e, const void *key)
{
	return !strcmp(container_of(e, struct temp_ent, ent)->path, key);
}

/*
 * mkstemp(3) and its kin create their file O_RDWR|O_CREAT|O_EXCL with
 * mode 0600, mkdtemp(3) its directory with mode 0700 (glibc, Python's
 * tempfile): a name so made is random by construction, whatever its
 * letters. Remember it, so that fingerprints leave it out
 * (engine_fingerprint_name()).
 */
void engine_note_temp(struct engine *e, const struct event *ev)
{
	const struct syscall_desc *sc = ev->sc;
	struct temp_ent *t;
	uint32_t h;
	size_t n;

	if (ev->type != EV_SYSCALL || !sc || !ev->abspath ||
	    !(ev->has & HAS_RET) || ev->ret < 0 || !(ev->has & HAS_MODE))
		return;
	/* mkstemp opens O_RDWR (2), cp a copy O_WRONLY (its mode may be 0600
	 * too); mkdtemp's 0700 is cp -a's first mode of every directory it
	 * makes, so a directory counts only under a template's name */
	if (sc->effect == E_OPEN
		    ? (ev->flags & (O_CREAT_ | O_EXCL_ | O_ACCMODE_)) !=
				      (O_CREAT_ | O_EXCL_ | 02) ||
			      (ev->mode & 0777) != 0600
		    : strncmp(sc->name, "mkdir", 5) ||
			      (ev->mode & 0777) != 0700 ||
			      !template_name(ev->abspath))
		return;
	if (!e->temps.eq)
		hashmap_init(&e->temps, temp_eq, 64);
	h = hash_path(ev->abspath);
	if (hashmap_get(&e->temps, h, ev->abspath))
		return;
	if (e->temps.count >= TEMP_NAMES_MAX) {
		e->temps_dropped++;
		return;
	}
	n = strlen(ev->abspath) + 1;
	t = xmalloc(sizeof(*t) + n);
	memcpy(t->path, ev->abspath, n);
	hashmap_put(&e->temps, &t->ent, h);
}

void engine_temps_release(struct engine *e)
{
	struct hashmap_iter it;
	struct hashmap_entry *x;

	if (!e->temps.eq)
		return;
	hashmap_iter_init(&e->temps, &it);
	while ((x = hashmap_iter_next(&it))) {
		hashmap_remove_entry(&e->temps, x);
		free(container_of(x, struct temp_ent, ent));
	}
	hashmap_release(&e->temps);
}

/* The length of the longest prefix of PATH (a whole component) that is a
 * temporary name of E, or 0. */
static size_t temp_prefix(const struct engine *e, const char *path)
{
	char buf[PATH_MAX];
	size_t best = 0, n = strlen(path);

	if (!e || !e->temps.count || n >= sizeof(buf))
		return 0;
	memcpy(buf, path, n + 1);
	for (size_t i = n; i > 1; i--) {
		if (i < n && path[i] != '/')
			continue;
		buf[i] = '\0';
		if (hashmap_get((struct hashmap *)&e->temps, hash_path(buf),
				buf)) {
			best = i;
			break;
		}
	}
	return best;
}

/* The length of the directory prefix DIR of SRC (a whole component), or
 * 0. */
static size_t dir_prefix(const char *src, const char *dir)
{
	size_t n = dir ? strlen(dir) : 0;

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n < 2 || dir[0] != '/' || strncmp(src, dir, n) ||
	    (src[n] && src[n] != '/'))
		return 0;
	return n;
}

/*
 * SRC as a fingerprint holds it, the same across runs, machines, users,
 * checkouts and temporary names: the root, the temporary directory or
 * the home directory as $ROOT, $TMP, $HOME (the longest that applies);
 * UUIDs as U, the random part of a well-known temporary name
 * (template_tail()) as X, other runs of digits as N.
 */
void engine_fingerprint_path(const struct engine_options *opt, char *dst,
			     size_t size, const char *src)
{
	const char *dirs[3] = {opt->fp_root, opt->fp_tmp, opt->fp_home};
	static const char *const names[3] = {"$ROOT", "$TMP", "$HOME"};
	const char *comp;
	size_t o = 0, best = 0;
	int which = -1;

	for (int i = 0; i < 3; i++) {
		size_t n = dir_prefix(src, dirs[i]);

		if (n > best) {
			best = n;
			which = i;
		}
	}
	if (which >= 0) {
		o = (size_t)snprintf(dst, size, "%s", names[which]);
		if (o >= size) /* a DST too small for the name alone */
			o = size ? size - 1 : 0;
		src += best;
	}
	comp = src;
	while (*src && o + 2 < size) {
		size_t n = 0, u = uuid_at(src), tail;

		if (*src == '/')
			comp = src + 1;
		if (u) {
			dst[o++] = 'U';
			src += u;
			continue;
		}
		while (alnum(src[n]))
			n++;
		if (!n) {
			dst[o++] = *src++;
			continue;
		}
		tail = template_tail(comp, src, n);
		for (n -= tail; n && o + 2 < size; n--, src++) {
			if (*src >= '0' && *src <= '9') {
				if (o == 0 || dst[o - 1] != 'N')
					dst[o++] = 'N';
				continue;
			}
			dst[o++] = *src;
		}
		if (tail && o + 2 < size) {
			dst[o++] = 'X';
			src += tail;
		}
		if (n) /* out of room */
			break;
	}
	dst[o < size ? o : size - 1] = '\0';
}

void engine_fingerprint_name(const struct engine *e, char *dst, size_t size,
			     const char *src)
{
	size_t t = temp_prefix(e, src), start = t;
	char buf[PATH_MAX];

	while (start > 0 && src[start - 1] != '/')
		start--;
	if (t && start + 1 + strlen(src + t) < sizeof(buf)) {
		memcpy(buf, src, start);
		buf[start] = 'T';
		strcpy(buf + start + 1, src + t);
		src = buf;
	}
	engine_fingerprint_path(&e->opt, dst, size, src);
}

static uint64_t fingerprint(const struct engine *eng, const struct rule *r,
			    struct snap *const *ev, int n)
{
	uint64_t h = 1469598103934665603ULL;
	char norm[PATH_MAX];

	h = fnv(h, r->id, strlen(r->id) + 1);
	for (int i = 0; i < n; i++) {
		const struct evidence *e = &ev[i]->ev;
		const char *paths[] = {e->abspath, e->abspath2,
				       e->abspath ? NULL : e->fd_path};

		h = fnv(h, e->syscall, strlen(e->syscall) + 1);
		for (unsigned p = 0; p < ARRAY_SIZE(paths); p++) {
			if (!paths[p])
				continue;
			engine_fingerprint_name(eng, norm, sizeof(norm),
						paths[p]);
			h = fnv(h, norm, strlen(norm) + 1);
		}
	}
	return h;
}

/* The evidence's paths as they are, digits and all. */
static uint64_t raw_paths_hash(struct snap *const *ev, int n)
{
	uint64_t h = 14695981039346656037ULL;

	for (int i = 0; i < n; i++) {
		const struct evidence *e = &ev[i]->ev;
		const char *paths[] = {e->abspath, e->abspath2, e->fd_path};

		for (unsigned p = 0; p < ARRAY_SIZE(paths); p++)
			if (paths[p])
				h = fnv(h, paths[p], strlen(paths[p]) + 1);
	}
	return h | 1;
}

static const char *evidence_field(const struct evidence *ev, const char *f,
				  char *buf, size_t size)
{
	if (!strcmp(f, "syscall"))
		return ev->syscall;
	if (!strcmp(f, "path"))
		return ev->path;
	if (!strcmp(f, "abspath"))
		return ev->abspath ? ev->abspath : ev->fd_path;
	if (!strcmp(f, "path2"))
		return ev->path2;
	if (!strcmp(f, "abspath2"))
		return ev->abspath2;
	if (!strcmp(f, "fd_path"))
		return ev->fd_path;
	if (!strcmp(f, "errno"))
		return ev->has_ret && ev->ret < 0 ? errno_name(ev->err) : NULL;
	if (!strcmp(f, "pid")) {
		snprintf(buf, size, "%d", ev->pid);
		return buf;
	}
	if (!strcmp(f, "tid")) {
		snprintf(buf, size, "%d", ev->tid);
		return buf;
	}
	if (!strcmp(f, "fd") && ev->has_fd) {
		snprintf(buf, size, "%d", ev->fd);
		return buf;
	}
	if (!strcmp(f, "ret") && ev->has_ret) {
		snprintf(buf, size, "%lld", (long long)ev->ret);
		return buf;
	}
	return NULL;
}

/*
 * Expand the rule's message template: {step.field}, {$var}, {window_us},
 * {pid}; see docs/rules.md.
 */
static char *expand(const struct inst *in, int ncompleted,
		    const struct finding *f)
{
	const struct rule *r = in->rule;
	struct strbuf b = STRBUF_INIT;
	const char *p = r->message;

	while (*p) {
		const char *open = strchr(p, '{'), *close;
		char name[128], buf[64];
		const char *v = NULL;

		if (!open || !(close = strchr(open, '}'))) {
			strbuf_addstr(&b, p);
			break;
		}
		strbuf_add(&b, p, (size_t)(open - p));
		snprintf(name, sizeof(name), "%.*s", (int)(close - open - 1),
			 open + 1);
		if (name[0] == '$') {
			for (int i = 0; i < r->nvars; i++) {
				if (strcmp(r->vars[i], name))
					continue;
				if (in->vars[i].kind == 1)
					v = in->vars[i].s;
				else if (in->vars[i].kind == 2) {
					snprintf(buf, sizeof(buf), "%lld",
						 (long long)in->vars[i].i);
					v = buf;
				}
			}
		} else if (!strcmp(name, "window_us") && f->window_unknown) {
			v = "unknown";
			/* "window {window_us} µs": no unit for no number */
			if (!strncmp(close + 1, " \u00b5s", strlen(" \u00b5s")))
				close += strlen(" \u00b5s");
		} else if (!strcmp(name, "window_us")) {
			snprintf(buf, sizeof(buf), "%llu",
				 (unsigned long long)f->window_us);
			v = buf;
		} else if (!strcmp(name, "pid")) {
			snprintf(buf, sizeof(buf), "%d", f->ev[0].pid);
			v = buf;
		} else if (!strcmp(name, "fix")) {
			v = r->fix;
		} else {
			char *dot = strchr(name, '.');

			if (dot) {
				*dot = '\0';
				/* the steps after the use too, which are
				 * not evidence */
				for (int s = 0; s < ncompleted; s++)
					if (!strcmp(r->steps[s].name, name))
						v = evidence_field(
							&in->ev[s]->ev, dot + 1,
							buf, sizeof(buf));
				*dot = '.';
			}
		}
		if (v)
			strbuf_addstr(&b, v);
		else
			strbuf_add(&b, open, (size_t)(close - open + 1));
		p = close + 1;
	}
	return strbuf_detach(&b, NULL);
}

void evidence_dup(struct evidence *d, const struct evidence *s)
{
	*d = *s;
	d->path = s->path ? xstrdup(s->path) : NULL;
	d->abspath = s->abspath ? xstrdup(s->abspath) : NULL;
	d->path2 = s->path2 ? xstrdup(s->path2) : NULL;
	d->abspath2 = s->abspath2 ? xstrdup(s->abspath2) : NULL;
	d->fd_path = s->fd_path ? xstrdup(s->fd_path) : NULL;
	d->source = s->source ? xstrdup(s->source) : NULL;
}

/*
 * Whether the identities the confirm steps recorded show the object
 * replaced between them: both known and different, of like objects (an
 * lstat of a symlink and the open that followed it see two objects by
 * design), and the program did not itself rename or unlink the name in
 * between (unzip -o unlinks the file it stat'ed, git renames config.lock
 * over config).
 */
static bool confirmed(const struct inst *in)
{
	const struct rule *r = in->rule;
	const struct evidence *x, *y;

	if (r->confirm[0] < 0)
		return false;
	x = &in->ev[r->confirm[0]]->ev;
	y = &in->ev[r->confirm[1]]->ev;
	if (!x->stat.valid || !y->stat.valid)
		return false;
	if (S_ISLNK(x->stat.mode) != S_ISLNK(y->stat.mode))
		return false;
	if (in->self_mut_seq > x->seq && in->self_mut_seq < y->seq)
		return false;
	return x->stat.dev != y->stat.dev || x->stat.ino != y->stat.ino;
}

/* The hash of the first string the match bound: what it is about. */
static uint64_t match_key(const struct inst *in)
{
	for (int i = 0; i < in->rule->nvars; i++)
		if (in->vars[i].kind == 1 && in->vars[i].s)
			return fnv(1469598103934665603ULL, in->vars[i].s,
				   strlen(in->vars[i].s)) |
			       1;
	return 0;
}

/* The variable R's confirm step binds to its abspath, or -1. */
static int confirm_path_var(const struct rule *r)
{
	const struct matcher *m = &r->steps[r->confirm[0]].m;

	for (int i = 0; i < m->nconds; i++)
		if (m->conds[i].field == F_ABSPATH && !m->conds[i].dirname &&
		    m->conds[i].op == OP_VAR)
			return m->conds[i].var;
	return -1;
}

/*
 * EV, of R's instances' own process, renamed or unlinked PATH: mark the
 * instances waiting at POS whose confirm step saw PATH (confirm() does
 * not take a change the program made itself for a race). Through the
 * hash when the step is keyed by that step's path, else by a scan.
 */
static void note_at(struct engine *e, const struct rule *r, int pos,
		    const char *path, const struct event *ev)
{
	int kv = r->steps[pos].key_var;
	bool hashed = kv >= 0 && kv == confirm_path_var(r);
	struct inst *in =
		hashed ? bucket_head(e, r, pos, path) : *rule_head(e, r, pos);

	for (; in; in = hashed ? in->hnext : in->rnext) {
		const struct snap *c = in->ev[r->confirm[0]];

		if (in->rule != r || in->pos != pos || in->pid != ev->pid ||
		    !c || !c->ev.abspath || strcmp(c->ev.abspath, path))
			continue;
		in->self_mut_seq = ev->seq;
	}
}

void engine_note_mutation(struct engine *e, const struct event *ev)
{
	const char *paths[2] = {NULL, NULL};

	if (!(ev->sc->flags & (SCF_REMOVES | SCF_DEST2)) ||
	    !(ev->has & HAS_RET) || ev->ret < 0)
		return;
	if (ev->sc->flags & SCF_REMOVES)
		paths[0] = ev->abspath;
	if (ev->sc->flags & SCF_DEST2)
		paths[1] = ev->abspath2;
	for (int ri = 0; ri < e->rs->nrules; ri++) {
		const struct rule *r = e->rs->rules[ri];

		if (!r->enabled || r->confirm[0] < 0)
			continue;
		for (int p = r->confirm[0] + 1; p <= r->confirm[1]; p++)
			for (int k = 0; k < 2; k++)
				if (paths[k])
					note_at(e, r, p, paths[k], ev);
	}
}

/* The instance completed its last step: queue its finding. */
void engine_fire(struct engine *e, struct inst *in, int ncompleted)
{
	const struct rule *r = in->rule;
	/* steps after the use only judge the match (a close, the exit, an
	 * fstat of the descriptor): they are not its evidence */
	int nev = r->use + 1 < ncompleted ? r->use + 1 : ncompleted;
	const struct evidence *first = &in->ev[0]->ev;
	const struct evidence *last = &in->ev[nev - 1]->ev;
	const struct evidence *evs[RULE_MAX_STEPS];
	enum finding_status status;
	const char *reason;
	enum severity sev;
	struct match *m;
	struct finding *f;
	char prog[512];

	if (e->nbatch == e->batch_cap) {
		e->batch_cap = e->batch_cap ? 2 * e->batch_cap : 64;
		e->batch = xrealloc(e->batch, e->batch_cap * sizeof(*e->batch));
	}
	m = &e->batch[e->nbatch++];
	memset(m, 0, sizeof(*m));
	f = &m->f;
	f->rule = r;
	f->nev = nev;
	m->first_seq = first->seq;
	m->use_seq = in->ev[r->use < nev ? r->use : nev - 1]->ev.seq;
	for (int i = 0; i < nev; i++)
		evs[i] = &in->ev[i]->ev;
	sev = engine_severity_of(e, r, first);
	status = judge_match(e->judge, r, evs, nev, &sev, &reason);
	f->fingerprint = fingerprint(e, r, in->ev, nev);
	/* what is not reported stays apart from what is */
	if (status != FST_REPORTED && status != FST_PENDING)
		f->fingerprint ^= (uint64_t)status * 0x9e3779b97f4a7c15ULL;
	/*
	 * A match judged at the end is decided by its own names: repeats of
	 * its fingerprint with other names (f1, f2) stay apart until then
	 * (judge_finish takes the salt off again).
	 */
	if (status == FST_PENDING) {
		f->pending_salt = raw_paths_hash(in->ev, nev);
		f->fingerprint ^= f->pending_salt;
	}
	f->status = status;
	f->confirmed = confirmed(in);
	m->key = match_key(in);
	f->count = 1;
	/* a repeat of a known finding only counts: no copy, no message,
	 * but its path when the finding keeps it as an example */
	if (findings_known(&e->findings, f->fingerprint) ||
	    findings_full(&e->findings, status)) {
		const char *path = evidence_path(&in->ev[0]->ev);

		m->known = true;
		switch (findings_wants_example(&e->findings, f->fingerprint,
					       path)) {
		case 1:
			m->example = xstrdup(path);
			break;
		case 2:
			m->more_examples = true;
			break;
		}
		return;
	}
	for (int i = 0; i < nev; i++) {
		const char *pr;

		evidence_dup(&f->ev[i], &in->ev[i]->ev);
		f->ev[i].step = r->steps[i].name;
		pr = judge_program(e->judge, f->ev[i].pid, prog, sizeof(prog));
		f->program[i] = pr ? xstrdup(pr) : NULL;
	}
	f->status_reason = reason ? xstrdup(reason) : NULL;
	f->window_us = last->ts_enter > first->ts_exit
			       ? (last->ts_enter - first->ts_exit) / 1000
			       : 0;
	/* a strace log without -t: no time at all, not an empty window */
	f->window_unknown = !first->ts_exit && !first->ts_enter &&
			    !last->ts_enter && !last->ts_exit;
	f->severity = sev;
	f->message = expand(in, ncompleted, f);
}

static bool supersedes(const struct rule *a, const struct rule *b)
{
	for (int i = 0; i < a->nsupersedes; i++)
		if (!strcmp(a->supersedes[i], b->id))
			return true;
	return false;
}

/* Whether a finding of rule B can drop one of rule A in a batch. */
static bool can_drop(const struct rule *a, const struct rule *b)
{
	return supersedes(b, a) || (a != b && !strcmp(a->id, b->id));
}

/*
 * Whether one match of the batch can drop another: most often all are
 * of rules that do not know each other, and the pairs need no look. One
 * event can complete every pending instance, so the pairs can be many.
 */
static bool batch_may_drop(const struct engine *e)
{
	const struct rule *seen[64];
	size_t n = 0;

	for (size_t i = 0; i < e->nbatch; i++) {
		const struct rule *r = e->batch[i].f.rule;
		size_t k;

		for (k = 0; k < n && seen[k] != r; k++)
			if (can_drop(r, seen[k]) || can_drop(seen[k], r))
				return true;
		if (k < n)
			continue;
		if (n == ARRAY_SIZE(seen) || can_drop(r, r))
			return true;
		seen[n++] = r;
	}
	return false;
}

/* Whether two matches are about one thing: the same first event, or the
 * same use of the same path. */
static bool same_subject(const struct match *a, const struct match *b)
{
	return a->first_seq == b->first_seq ||
	       (a->use_seq == b->use_seq && a->key && a->key == b->key);
}

/*
 * Whether a finding reported earlier claimed M's use: a match that
 * completes after its use (an O_NOFOLLOW open judged at its close) is
 * dropped when a rule that supersedes it reported that use already.
 */
static bool claimed(const struct engine *e, const struct match *m)
{
	unsigned n = e->nclaims < CLAIMS ? e->nclaims : CLAIMS;

	if (m->f.rule->use == m->f.rule->nsteps - 1)
		return false;
	for (unsigned i = 0; i < n; i++) {
		const struct claim *c = &e->claims[i];

		if (c->use_seq == m->use_seq && m->key && c->key == m->key &&
		    supersedes(c->rule, m->f.rule))
			return true;
	}
	return false;
}

static void claim(struct engine *e, const struct match *m)
{
	struct claim *c = &e->claims[e->nclaims++ % CLAIMS];

	c->use_seq = m->use_seq;
	c->key = m->key;
	c->rule = m->f.rule;
}

/*
 * Commit the batch of one event: at most one finding per use. A finding
 * of a rule that another finding of this event supersedes, about the
 * same path, is dropped; so is a repeat's claim to be confirmed, which
 * belongs to the evidence the finding shows (its first match).
 */
void engine_flush_batch(struct engine *e)
{
	bool may_drop = e->nbatch > 1 && batch_may_drop(e);

	for (size_t i = 0; may_drop && i < e->nbatch; i++)
		for (size_t j = 0; j < e->nbatch; j++) {
			const struct finding *a = &e->batch[i].f;
			const struct finding *b = &e->batch[j].f;

			if (i == j || !can_drop(a->rule, b->rule))
				continue;
			if (same_subject(&e->batch[i], &e->batch[j]) &&
			    supersedes(b->rule, a->rule))
				e->batch[i].dropped = true;
			/* two variants of one rule completed by this event:
			 * the one with more evidence tells more */
			if (a->rule != b->rule &&
			    !strcmp(a->rule->id, b->rule->id) &&
			    same_subject(&e->batch[i], &e->batch[j]) &&
			    (a->nev < b->nev || (a->nev == b->nev && i > j)))
				e->batch[i].dropped = true;
		}
	for (size_t i = 0; i < e->nbatch; i++) {
		struct finding *f = &e->batch[i].f;

		if (!e->batch[i].dropped && claimed(e, &e->batch[i]))
			e->batch[i].dropped = true;
		else if (!e->batch[i].dropped)
			claim(e, &e->batch[i]);
		if (e->batch[i].dropped) {
			if (!e->batch[i].known)
				finding_release(f);
			free(e->batch[i].example);
			continue;
		}
		if (e->batch[i].known) {
			findings_repeat(&e->findings, f->fingerprint, false,
					e->batch[i].example);
			if (e->batch[i].more_examples)
				findings_more_examples(&e->findings,
						       f->fingerprint);
		} else if (findings_known(&e->findings, f->fingerprint)) {
			/* an earlier match of this batch added it */
			const char *p = finding_path(f);

			findings_repeat(&e->findings, f->fingerprint, false,
					p ? xstrdup(p) : NULL);
			finding_release(f);
		} else {
			findings_add(&e->findings, f);
		}
	}
	e->nbatch = 0;
}
