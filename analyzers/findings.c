// SPDX-License-Identifier: MIT
#include "findings.h"

#include <limits.h>
#include <stddef.h>
#include <string.h>

#include "config.h"
#include "fields.h"
#include "jsonw.h"
#include "names.h"
#include "util.h"

/* Where the strings of the fields that fields.c marks .evidence go. */
static const struct {
	const char *key;
	size_t offset; /* of a char * in struct evidence */
} evidence_strings[] = {
	{"path", offsetof(struct evidence, path)},
	{"abspath", offsetof(struct evidence, abspath)},
	{"path2", offsetof(struct evidence, path2)},
	{"abspath2", offsetof(struct evidence, abspath2)},
	{"fd_path", offsetof(struct evidence, fd_path)},
};

/*
 * The string fields marked .evidence, each with its slot in struct
 * evidence: matched by key once, before main(), since evidence_view()
 * runs for every match the engine completes.
 */
static struct {
	uint16_t from; /* offset of a const char * in struct event */
	uint16_t to;   /* offset of a char * in struct evidence */
} evidence_copies[ARRAY_SIZE(evidence_strings)];
static unsigned nevidence_copies;

__attribute__((constructor)) static void find_evidence_strings(void)
{
	for (unsigned i = 0; i < event_fields_count; i++) {
		const struct event_field *f = &event_fields[i];

		if (!f->evidence || f->kind != FK_STRING)
			continue;
		for (unsigned k = 0; k < ARRAY_SIZE(evidence_strings); k++)
			if (!strcmp(evidence_strings[k].key, f->key) &&
			    nevidence_copies < ARRAY_SIZE(evidence_copies)) {
				evidence_copies[nevidence_copies].from =
					(uint16_t)f->offset;
				evidence_copies[nevidence_copies++].to =
					(uint16_t)evidence_strings[k].offset;
			}
	}
}

void evidence_view(struct evidence *d, const struct event *ev, char *srcbuf,
		   size_t size)
{
	memset(d, 0, sizeof(*d));
	d->seq = ev->seq;
	d->pid = ev->pid;
	d->tid = ev->tid;
	d->syscall = ev->sc ? ev->sc->name : "?";
	d->ts_enter = ev->ts_enter;
	d->ts_exit = ev->ts_exit;
	for (unsigned i = 0; i < nevidence_copies; i++)
		*(const char **)((char *)d + evidence_copies[i].to) =
			*(const char *const *)((const char *)ev +
					       evidence_copies[i].from);
	if (ev->source_file) {
		snprintf(srcbuf, size, "%s:%lu", ev->source_file,
			 ev->source_line);
		d->source = srcbuf;
	}
	d->has_fd = ev->has & HAS_FD;
	d->fd = ev->fd;
	d->has_ret = ev->has & HAS_RET;
	d->ret = ev->ret;
	d->err = ev->err;
	d->stat = ev->stat;
	d->parent_valid = ev->parent.valid;
	d->parent_mode = ev->parent.mode;
}

void evidence_release(struct evidence *e)
{
	for (unsigned i = 0; i < ARRAY_SIZE(evidence_strings); i++)
		free(*(char **)((char *)e + evidence_strings[i].offset));
	free(e->source);
	memset(e, 0, sizeof(*e));
}

void findings_init(struct findings *fs)
{
	memset(fs, 0, sizeof(*fs));
}

const char *finding_status_name(enum finding_status s)
{
	static const char *const names[FST_STATUS_] = {
		[FST_REPORTED] = "reported",
		[FST_SUPPRESSED] = "suppressed",
		[FST_OUT_OF_SCOPE] = "out-of-scope",
		[FST_PRIVATE] = "private",
		[FST_NO_INTENT] = "no-intent",
		[FST_PENDING] = "pending",
	};

	return (unsigned)s < FST_STATUS_ ? names[s] : "?";
}

void finding_release(struct finding *f)
{
	for (int i = 0; i < f->nev; i++)
		evidence_release(&f->ev[i]);
	for (int i = 0; i < RULE_MAX_STEPS; i++)
		free(f->program[i]);
	free(f->message);
	free(f->status_reason);
	memset(f, 0, sizeof(*f));
}

static void finding_free(struct finding *f)
{
	finding_release(f);
	free(f);
}

void findings_release(struct findings *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		finding_free(fs->v[i]);
	free(fs->v);
	free(fs->keys);
	free(fs->slots);
	memset(fs, 0, sizeof(*fs));
}

static size_t *slot(struct findings *fs, uint64_t fp)
{
	size_t i = (size_t)(fp ^ (fp >> 29)) & (fs->nslots - 1);

	while (fs->slots[i] && fs->keys[i] != fp)
		i = (i + 1) & (fs->nslots - 1);
	return &fs->slots[i];
}

static void grow(struct findings *fs)
{
	uint64_t *keys = fs->keys;
	size_t *slots = fs->slots, n = fs->nslots;

	fs->nslots = n ? n * 2 : 256;
	fs->keys = xcalloc(fs->nslots, sizeof(*fs->keys));
	fs->slots = xcalloc(fs->nslots, sizeof(*fs->slots));
	for (size_t i = 0; i < n; i++) {
		size_t *s;

		if (!slots[i])
			continue;
		s = slot(fs, keys[i]);
		*s = slots[i];
		fs->keys[s - fs->slots] = keys[i];
	}
	free(keys);
	free(slots);
}

void findings_add(struct findings *fs, struct finding *f)
{
	struct finding *copy;
	size_t *s;

	if (fs->n * 2 >= fs->nslots)
		grow(fs);
	s = slot(fs, f->fingerprint);
	if (*s) {
		struct finding *old = fs->v[*s - 1];

		old->count++;
		old->confirmed |= f->confirmed;
		finding_release(f);
		return;
	}
	if (fs->n >= FINDINGS_MAX) {
		fs->dropped++;
		finding_release(f);
		return;
	}
	copy = xmalloc(sizeof(*copy));
	*copy = *f;
	memset(f, 0, sizeof(*f));
	if (fs->n == fs->cap) {
		fs->cap = fs->cap ? fs->cap * 2 : 64;
		fs->v = xrealloc(fs->v, fs->cap * sizeof(*fs->v));
	}
	fs->v[fs->n++] = copy;
	*s = fs->n;
	fs->keys[s - fs->slots] = copy->fingerprint;
}

bool findings_known(struct findings *fs, uint64_t fp)
{
	return fs->nslots && *slot(fs, fp);
}

void findings_repeat(struct findings *fs, uint64_t fp, bool confirmed)
{
	size_t *s = fs->nslots ? slot(fs, fp) : NULL;

	if (!s || !*s) {
		fs->dropped++;
		return;
	}
	fs->v[*s - 1]->count++;
	fs->v[*s - 1]->confirmed |= confirmed;
}

void findings_count(const struct findings *fs, uint64_t counts[3])
{
	counts[0] = counts[1] = counts[2] = 0;
	for (size_t i = 0; i < fs->n; i++)
		if (fs->v[i]->status == FST_REPORTED)
			counts[fs->v[i]->severity]++;
}

/* ---- JSON ---- */

static void kv_str(struct jsonw *o, const char *k, const char *v)
{
	if (!v)
		return;
	jsonw_key(o, k);
	jsonw_string(o, v);
}

static void kv_int(struct jsonw *o, const char *k, int64_t v)
{
	jsonw_key(o, k);
	jsonw_int(o, v);
}

static void strings(struct jsonw *o, const char *k, char *const *v, int n)
{
	jsonw_key(o, k);
	jsonw_begin_array(o);
	for (int i = 0; i < n; i++)
		jsonw_string(o, v[i]);
	jsonw_end_array(o);
}

static void evidence_json(struct jsonw *o, const struct evidence *e)
{
	jsonw_begin_object(o);
	kv_str(o, "step", e->step);
	jsonw_key(o, "seq");
	jsonw_uint(o, e->seq);
	kv_int(o, "pid", e->pid);
	kv_int(o, "tid", e->tid);
	kv_str(o, "syscall", e->syscall);
	kv_str(o, "path", e->path);
	kv_str(o, "abspath", e->abspath);
	kv_str(o, "path2", e->path2);
	kv_str(o, "abspath2", e->abspath2);
	if (e->has_fd) {
		kv_int(o, "fd", e->fd);
		kv_str(o, "fd_path", e->fd_path);
	}
	jsonw_key(o, "ts_enter");
	jsonw_uint(o, e->ts_enter);
	jsonw_key(o, "ts_exit");
	jsonw_uint(o, e->ts_exit);
	if (e->has_ret) {
		kv_int(o, "ret", e->ret);
		if (e->ret < 0) {
			const char *n = errno_name(e->err);

			if (n)
				kv_str(o, "errno", n);
			else
				kv_int(o, "errno", e->err);
		}
	}
	kv_str(o, "source", e->source);
	if (e->stat.valid) {
		jsonw_key(o, "stat");
		jsonw_begin_object(o);
		jsonw_key(o, "dev");
		jsonw_uint(o, e->stat.dev);
		jsonw_key(o, "ino");
		jsonw_uint(o, e->stat.ino);
		kv_int(o, "mode", e->stat.mode);
		jsonw_key(o, "nlink");
		jsonw_uint(o, e->stat.nlink);
		kv_int(o, "uid", e->stat.uid);
		jsonw_end_object(o);
	}
	jsonw_end_object(o);
}

static void finding_json(struct jsonw *o, const struct finding *f)
{
	const struct rule *r = f->rule;
	char fp[20];

	snprintf(fp, sizeof(fp), "%016llx", (unsigned long long)f->fingerprint);
	jsonw_begin_object(o);
	kv_str(o, "rule", r->id);
	kv_str(o, "title", r->title);
	kv_str(o, "severity", severity_name(f->severity));
	kv_str(o, "message", f->message);
	jsonw_key(o, "confirmed");
	jsonw_bool(o, f->confirmed);
	jsonw_key(o, "window_us");
	jsonw_uint(o, f->window_us);
	jsonw_key(o, "count");
	jsonw_uint(o, f->count);
	kv_str(o, "fingerprint", fp);
	kv_str(o, "fix", r->fix);
	strings(o, "references", r->references, r->nreferences);
	jsonw_key(o, "evidence");
	jsonw_begin_array(o);
	for (int i = 0; i < f->nev; i++)
		evidence_json(o, &f->ev[i]);
	jsonw_end_array(o);
	jsonw_end_object(o);
}

void report_json(FILE *out, const struct findings *fs,
		 const struct report_meta *m)
{
	struct jsonw o;
	uint64_t counts[3];

	jsonw_init(&o);
	jsonw_begin_object(&o);
	jsonw_key(&o, "tool");
	jsonw_begin_object(&o);
	kv_str(&o, "name", "fsrace");
	kv_str(&o, "version", FSRACE_VERSION);
	jsonw_end_object(&o);
	jsonw_key(&o, "input");
	jsonw_begin_object(&o);
	if (m->is_run) {
		kv_str(&o, "kind", "run");
		jsonw_key(&o, "argv");
		jsonw_begin_array(&o);
		for (int i = 0; m->argv && m->argv[i]; i++)
			jsonw_string(&o, m->argv[i]);
		jsonw_end_array(&o);
		kv_int(&o, "status", m->status);
	} else {
		kv_str(&o, "kind", "trace");
		jsonw_key(&o, "files");
		jsonw_begin_array(&o);
		for (int i = 0; i < m->nfiles; i++)
			jsonw_string(&o, m->files[i]);
		jsonw_end_array(&o);
	}
	jsonw_end_object(&o);
	jsonw_key(&o, "rules");
	jsonw_begin_array(&o);
	for (int i = 0; i < m->rules->nrules; i++) {
		const struct rule *r = m->rules->rules[i];

		if (!r->enabled ||
		    (i > 0 && !strcmp(r->id, m->rules->rules[i - 1]->id)))
			continue;
		jsonw_begin_object(&o);
		kv_str(&o, "id", r->id);
		kv_str(&o, "severity", severity_name(r->severity));
		kv_str(&o, "source", r->source);
		jsonw_end_object(&o);
	}
	jsonw_end_array(&o);
	jsonw_key(&o, "events");
	jsonw_uint(&o, m->events);
	jsonw_key(&o, "findings");
	jsonw_begin_array(&o);
	for (size_t i = 0; i < fs->n; i++)
		if (fs->v[i]->status == FST_REPORTED)
			finding_json(&o, fs->v[i]);
	jsonw_end_array(&o);
	findings_count(fs, counts);
	jsonw_key(&o, "counts");
	jsonw_begin_object(&o);
	jsonw_key(&o, "error");
	jsonw_uint(&o, counts[SEV_ERROR]);
	jsonw_key(&o, "warning");
	jsonw_uint(&o, counts[SEV_WARNING]);
	jsonw_key(&o, "note");
	jsonw_uint(&o, counts[SEV_NOTE]);
	jsonw_end_object(&o);
	jsonw_key(&o, "dropped");
	jsonw_begin_object(&o);
	jsonw_key(&o, "pending");
	jsonw_uint(&o, m->dropped_pending);
	jsonw_key(&o, "findings");
	jsonw_uint(&o, fs->dropped);
	jsonw_key(&o, "unknown_records");
	jsonw_uint(&o, m->unknown_records);
	jsonw_key(&o, "unparsed_lines");
	jsonw_uint(&o, m->unparsed_lines);
	jsonw_end_object(&o);
	jsonw_end_object(&o);
	jsonw_raw(&o, "\n", 1);
	fwrite(o.buf, 1, o.len, out);
	jsonw_release(&o);
}

/* ---- text ---- */

static const char *sev_color(enum severity s)
{
	static const char *const c[] = {"\033[36m", "\033[33m", "\033[1;31m"};

	return c[s];
}

void report_text(FILE *out, const struct findings *fs,
		 const struct report_meta *m, bool color)
{
	uint64_t counts[3], total;
	const char *reset = color ? "\033[0m" : "";
	const char *dim = color ? "\033[2m" : "";

	for (size_t i = 0; i < fs->n; i++) {
		const struct finding *f = fs->v[i];

		if (f->status != FST_REPORTED)
			continue;
		fprintf(out, "%s%s%s[%s]%s %s",
			color ? sev_color(f->severity) : "",
			severity_name(f->severity), color ? "\033[1m" : "",
			f->rule->id, reset, f->message);
		if (f->confirmed)
			fputs(" (confirmed: the object changed in between)",
			      out);
		if (f->count > 1)
			fprintf(out, " [%llu times]",
				(unsigned long long)f->count);
		fputc('\n', out);
		for (int e = 0; e < f->nev; e++) {
			const struct evidence *ev = &f->ev[e];
			const char *p = ev->abspath ? ev->abspath : ev->fd_path;

			fprintf(out, "    %s%-8s #%llu pid %d %s(%s%s%s)", dim,
				ev->step ? ev->step : "",
				(unsigned long long)ev->seq, ev->pid,
				ev->syscall, p ? p : "",
				ev->abspath2 ? " -> " : "",
				ev->abspath2 ? ev->abspath2 : "");
			if (ev->has_ret && ev->ret < 0)
				fprintf(out, " = -1 %s",
					errno_name(ev->err) ?: "?");
			else if (ev->has_ret)
				fprintf(out, " = %lld", (long long)ev->ret);
			fprintf(out, "%s\n", reset);
		}
		if (f->rule->fix)
			fprintf(out, "    fix: %s\n", f->rule->fix);
	}
	findings_count(fs, counts);
	total = counts[0] + counts[1] + counts[2];
	fprintf(out,
		"%s%llu finding%s (%llu error, %llu warning, %llu note) "
		"in %llu events%s\n",
		total ? "\n" : "", (unsigned long long)total,
		total == 1 ? "" : "s", (unsigned long long)counts[SEV_ERROR],
		(unsigned long long)counts[SEV_WARNING],
		(unsigned long long)counts[SEV_NOTE],
		(unsigned long long)m->events,
		m->dropped_pending || fs->dropped
			? " (some partial matches or findings were dropped: "
			  "see --format json)"
			: "");
}
