// SPDX-License-Identifier: MIT
/*
 * Baselines (--write-baseline, --baseline): the fingerprints of the
 * findings a project has accepted, in a small sorted JSON file meant to
 * be committed; a run with it reports and gates only the others
 * (docs/findings.md, "Baselines").
 *
 *   {"fsrace_baseline": 1,
 *    "findings": [
 *     {"fingerprint": "0123456789abcdef", "rule": "check-then-use",
 *      "path": "$ROOT/src/cfg"},
 *     ...]}
 *
 * One finding a line, sorted by rule, path and fingerprint, so that a
 * diff shows what changed; "rule" and "path" (as the fingerprint holds
 * it) are for people, only the fingerprint counts.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"
#include "cli.h"
#include "engine.h"
#include "findings.h"
#include "jsonw.h"
#include "rule.h"
#include "strbuf.h"
#include "util.h"

#define BASELINE_VERSION 1
/* a baseline larger than this is refused (read whole first) */
#define BASELINE_MAX (256L << 20)

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool parse_fp(const char *s, uint64_t *v)
{
	char *end;

	if (!s || strlen(s) != 16 || strspn(s, "0123456789abcdef") != 16)
		return false;
	*v = strtoull(s, &end, 16);
	return !*end;
}

/* The text of jansson's error JERR for one line: a control character of
 * the token it quotes shown as \xNN. */
static const char *error_text(const json_error_t *jerr, char *buf, size_t size)
{
	size_t o = 0;

	for (const char *p = jerr->text; *p && o + 5 < size; p++)
		if ((unsigned char)*p < 0x20)
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x",
					      (unsigned char)*p);
		else
			buf[o++] = *p;
	buf[o] = '\0';
	return buf;
}

/* The JSON text of PATH, or NULL after telling the user. The file is read
 * here, so that a directory, a read error, a NUL byte (which jansson takes
 * for the end of the text) and a stream without end are refused with
 * what they are. */
static json_t *load_json(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct strbuf b = STRBUF_INIT;
	json_error_t jerr;
	json_t *doc = NULL;
	char text[sizeof(jerr.text) * 4 + 1];

	if (fd < 0) {
		/* jansson's words, as before */
		errorx("cannot read baseline '%s': unable to open %s: %s", path,
		       path, strerror(errno));
		return NULL;
	}
	for (;;) {
		ssize_t n;
		const char *nul;

		strbuf_grow(&b, 65536);
		n = read(fd, b.buf + b.len, b.alloc - b.len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			errorx("cannot read baseline '%s': %s", path,
			       strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		nul = memchr(b.buf + b.len, '\0', (size_t)n);
		b.len += (size_t)n;
		if (nul) {
			size_t line = 1;

			for (const char *p = b.buf; p < nul; p++)
				line += *p == '\n';
			errorx("%s:%zu: a NUL byte, not JSON", path, line);
			goto out;
		}
		if (b.len > BASELINE_MAX) {
			errorx("%s: larger than %ld MiB, not an fsrace "
			       "baseline",
			       path, BASELINE_MAX >> 20);
			goto out;
		}
	}
	doc = json_loadb(b.buf ? b.buf : "", b.len, JSON_REJECT_DUPLICATES,
			 &jerr);
	if (!doc)
		errorx("%s:%d: %s", path, jerr.line,
		       error_text(&jerr, text, sizeof(text)));
out:
	close(fd);
	strbuf_release(&b);
	return doc;
}

int baseline_load(const char *path, uint64_t **ret, size_t *n)
{
	json_t *doc = load_json(path);
	json_t *v, *list, *f;
	uint64_t *fps = NULL;
	size_t i;

	*ret = NULL;
	*n = 0;
	if (!doc)
		return -1;
	v = json_object_get(doc, "fsrace_baseline");
	list = json_object_get(doc, "findings");
	if (!json_is_object(doc) || !json_is_integer(v) ||
	    json_integer_value(v) != BASELINE_VERSION || !json_is_array(list)) {
		errorx("%s: not an fsrace baseline (version %d): "
		       "{\"fsrace_baseline\": %d, \"findings\": [...]}",
		       path, BASELINE_VERSION, BASELINE_VERSION);
		json_decref(doc);
		return -1;
	}
	fps = xcalloc(json_array_size(list) + 1, sizeof(*fps));
	json_array_foreach(list, i, f)
	{
		if (!parse_fp(json_string_value(
				      json_object_get(f, "fingerprint")),
			      &fps[i])) {
			/* jansson keeps no positions of values: the entry */
			errorx("%s: finding %zu has no \"fingerprint\" of 16 "
			       "hex digits",
			       path, i + 1);
			free(fps);
			json_decref(doc);
			return -1;
		}
	}
	*n = json_array_size(list);
	qsort(fps, *n, sizeof(*fps), cmp_u64);
	*ret = fps;
	json_decref(doc);
	return 0;
}

static void raw(struct jsonw *o, const char *s)
{
	jsonw_raw(o, s, strlen(s));
}

struct entry {
	const char *rule;
	char path[PATH_MAX];
	uint64_t fp;
};

static int cmp_entry(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	int c = strcmp(a->rule, b->rule);

	if (!c)
		c = strcmp(a->path, b->path);
	return c ? c : cmp_u64(&a->fp, &b->fp);
}

int baseline_write(const char *path, const struct findings *fs)
{
	struct entry *v = xcalloc(fs->n + 1, sizeof(*v));
	struct atomic_file af;
	struct jsonw o;
	size_t n = 0;
	FILE *f;
	int r;

	for (size_t i = 0; i < fs->n; i++) {
		const struct finding *fd = fs->v[i];

		/* what the report shows, and what a baseline took out */
		if (fd->status != FST_REPORTED && fd->status != FST_BASELINED)
			continue;
		v[n].rule = fd->rule->id;
		v[n].fp = fd->fingerprint;
		snprintf(v[n].path, sizeof(v[n].path), "%s",
			 fd->fp_name ? fd->fp_name : "");
		n++;
	}
	qsort(v, n, sizeof(*v), cmp_entry);
	jsonw_init(&o);
	raw(&o, "{\"fsrace_baseline\": 1,\n \"findings\": [");
	for (size_t i = 0; i < n; i++) {
		char fp[20];

		if (i && v[i].fp == v[i - 1].fp)
			continue;
		snprintf(fp, sizeof(fp), "%016" PRIx64, v[i].fp);
		raw(&o, i ? ",\n  " : "\n  ");
		/* one object a line: a fresh writer state each time */
		{
			struct jsonw one;

			jsonw_init(&one);
			jsonw_begin_object(&one);
			jsonw_key(&one, "fingerprint");
			jsonw_string(&one, fp);
			jsonw_key(&one, "rule");
			jsonw_string(&one, v[i].rule);
			jsonw_key(&one, "path");
			jsonw_string(&one, v[i].path);
			jsonw_end_object(&one);
			jsonw_raw(&o, one.buf, one.len);
			jsonw_release(&one);
		}
	}
	raw(&o, n ? "\n ]}\n" : "]}\n");
	free(v);
	r = atomic_file_open(&af, path, 0);
	if (r == 0 && !(f = atomic_file_fp(&af))) {
		r = -errno;
		atomic_file_discard(&af);
	} else if (r == 0) {
		fwrite(o.buf, 1, o.len, f);
		r = atomic_file_commit(&af);
	}
	jsonw_release(&o);
	if (r < 0) {
		cli_write_error(path, r);
		return -1;
	}
	return 0;
}
