// SPDX-License-Identifier: MIT
/*
 * fsrace merge [-o FILE] [--fail-on LEVEL] DOC...: the JSON findings
 * documents of several runs (the jobs of a CI matrix) as one, with each
 * finding once by its fingerprint (its count the sum, confirmed if any
 * was), the documents it was found in named (found_in) and its evidence
 * naming the one it comes from (trace); groups merged by their
 * fingerprint, rules by id, counts recomputed, the rest summed
 * (docs/findings.md, "Merging").
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"
#include "cli.h"
#include "config.h"
#include "opt.h"
#include "rule.h"
#include "strbuf.h"
#include "util.h"

/* a findings document larger than this is refused (read whole first) */
#define DOC_MAX (1L << 30)

static void usage(FILE *f)
{
	fputs("usage: fsrace merge [-o FILE] [--fail-on LEVEL] DOC...\n"
	      "  -o, --output FILE    write the merged document to FILE "
	      "(default: standard output)\n"
	      "      --fail-on LEVEL  exit 1 on a finding at or above LEVEL "
	      "(default warning)\n"
	      "  -h, --help           this text\n",
	      f);
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

/* The JSON document PATH, or NULL after telling the user. The file is
 * read here, so that a directory, a read error, a NUL byte (which jansson
 * takes for the end of the text) and a stream without end are refused
 * with what they are. */
static json_t *load_doc(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct strbuf b = STRBUF_INIT;
	json_error_t jerr;
	json_t *doc = NULL;
	char text[sizeof(jerr.text) * 4 + 1];

	if (fd < 0) {
		/* jansson's words, as before */
		errorx("cannot read '%s': unable to open %s: %s", path, path,
		       strerror(errno));
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
			errorx("cannot read '%s': %s", path, strerror(errno));
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
		if (b.len > DOC_MAX) {
			errorx("%s: larger than %ld MiB, not a findings "
			       "document",
			       path, DOC_MAX >> 20);
			goto out;
		}
	}
	doc = json_loadb(b.buf ? b.buf : "", b.len, 0, &jerr);
	if (!doc)
		errorx("%s:%d: %s", path, jerr.line,
		       error_text(&jerr, text, sizeof(text)));
out:
	close(fd);
	strbuf_release(&b);
	return doc;
}

/* A + B, held to json_int_t's range: counts of documents are summed. */
static json_int_t sum(json_int_t a, json_int_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

/* DOC's array KEY, or an error naming PATH. */
static json_t *array_of(json_t *doc, const char *key, const char *path)
{
	json_t *a = json_object_get(doc, key);

	if (!json_is_array(a))
		errorx("%s: not an fsrace findings document (no \"%s\" array)",
		       path, key);
	return json_is_array(a) ? a : NULL;
}

static void add_ints(json_t *into, json_t *from)
{
	const char *k;
	json_t *v;

	json_object_foreach(from, k, v)
	{
		json_t *old = json_object_get(into, k);

		if (json_is_integer(v))
			json_object_set_new(
				into, k,
				json_integer(
					sum(old ? json_integer_value(old) : 0,
					    json_integer_value(v))));
	}
}

static int severity_rank(const char *s)
{
	int r = s ? severity_parse(s) : -1;

	return r < 0 ? -1 : r;
}

int cmd_merge(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"fail-on", required_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	json_t *out_findings = json_array(), *out_groups = json_array();
	json_t *out_rules = json_array(), *files = json_array();
	json_t *not_reported = json_object(), *dropped = json_object();
	json_t *byfp = json_object(), *groups = json_object();
	/* the rule ids and the (finding, group) pairs taken: a set each,
	 * for a document of many is merged in linear time */
	json_t *rule_ids = json_object(), *members_seen = json_object();
	json_t *doc = NULL, *merged = NULL;
	const char *out = NULL;
	int fail_on = SEV_WARNING, status = EXIT_USAGE, c;
	long long events = 0, counts[3] = {0, 0, 0};
	struct opt_parser p;

	opt_parser_init(&p, "merge", argc, argv, "o:h", lopts, false);
	while ((c = opt_parser_next(&p)) != OPT_END) {
		switch (c) {
		case 'o':
			out = p.value;
			break;
		case 'F':
			fail_on = severity_parse(p.value);
			if (fail_on < 0) {
				errorx("--fail-on takes error, warning, note "
				       "or none, not '%s'",
				       p.value);
				goto done;
			}
			break;
		case 'h':
			usage(stdout);
			status = EXIT_CLEAN;
			goto done;
		default:
			goto done;
		}
	}
	if (p.index >= argc) {
		errorx("merge needs findings documents: fsrace merge DOC...");
		goto done;
	}
	if (out && strcmp(out, "-") && cli_check_output(out, 0) < 0)
		goto done;
	for (int d = p.index; d < argc; d++) {
		const char *path = argv[d];
		json_t *fs, *gs, *rs, *v;
		size_t i;
		/* this document's finding index -> the merged one's */
		size_t *at;

		if (!(doc = load_doc(path)))
			goto done;
		if (!(fs = array_of(doc, "findings", path)) ||
		    !(gs = array_of(doc, "groups", path)) ||
		    !(rs = array_of(doc, "rules", path)))
			goto done;
		json_array_append_new(files, json_string(path));
		v = json_object_get(doc, "events");
		events = sum(events,
			     json_is_integer(v) ? json_integer_value(v) : 0);
		if (json_is_object(v = json_object_get(doc, "not_reported")))
			add_ints(not_reported, v);
		if (json_is_object(v = json_object_get(doc, "dropped")))
			add_ints(dropped, v);
		json_array_foreach(rs, i, v)
		{
			const char *id =
				json_string_value(json_object_get(v, "id"));

			if (id && !json_object_get(rule_ids, id)) {
				json_object_set(rule_ids, id, json_true());
				json_array_append(out_rules, v);
			}
		}
		at = xcalloc(json_array_size(fs) + 1, sizeof(*at));
		json_array_foreach(fs, i, v)
		{
			const char *fp = json_string_value(
				json_object_get(v, "fingerprint"));
			json_t *old, *e, *count;
			size_t k;

			if (!json_is_object(v) || !fp) {
				errorx("%s: finding %zu has no fingerprint",
				       path, i + 1);
				free(at);
				goto done;
			}
			old = json_object_get(byfp, fp);
			if (old) {
				json_t *f = json_array_get(
					out_findings,
					(size_t)json_integer_value(old));

				count = json_object_get(f, "count");
				json_object_set_new(
					f, "count",
					json_integer(sum(
						json_integer_value(count),
						json_integer_value(
							json_object_get(
								v, "count")))));
				if (json_is_true(
					    json_object_get(v, "confirmed")))
					json_object_set(f, "confirmed",
							json_true());
				json_array_append_new(
					json_object_get(f, "found_in"),
					json_string(path));
				at[i] = (size_t)json_integer_value(old);
				continue;
			}
			v = json_deep_copy(v);
			json_array_foreach(json_object_get(v, "evidence"), k, e)
				json_object_set_new(e, "trace",
						    json_string(path));
			json_object_set_new(v, "found_in", json_array());
			json_array_append_new(json_object_get(v, "found_in"),
					      json_string(path));
			at[i] = json_array_size(out_findings);
			json_object_set_new(byfp, fp,
					    json_integer((json_int_t)at[i]));
			json_array_append_new(out_findings, v);
		}
		json_array_foreach(gs, i, v)
		{
			const char *fp = json_string_value(
				json_object_get(v, "fingerprint"));
			json_t *g = fp ? json_object_get(groups, fp) : NULL;
			json_t *members, *m;
			size_t k;

			if (!fp)
				continue;
			if (!g) {
				g = json_deep_copy(v);
				json_object_set_new(g, "findings",
						    json_array());
				json_object_set_new(g, "count",
						    json_integer(0));
				json_object_set_new(groups, fp, g);
				json_array_append(out_groups, g);
			}
			json_object_set_new(
				g, "count",
				json_integer(sum(
					json_integer_value(
						json_object_get(g, "count")),
					json_integer_value(
						json_object_get(v, "count")))));
			if (json_is_true(json_object_get(v, "confirmed")))
				json_object_set(g, "confirmed", json_true());
			members = json_object_get(g, "findings");
			json_array_foreach(json_object_get(v, "findings"), k, m)
			{
				json_int_t ix = json_integer_value(m);
				size_t len = strlen(fp) + 32;
				char *key;

				if (ix < 0 || (size_t)ix >= json_array_size(fs))
					continue;
				key = xmalloc(len);
				snprintf(key, len, "%zu %s", at[ix], fp);
				if (!json_object_get(members_seen, key)) {
					json_object_set(members_seen, key,
							json_true());
					json_array_append_new(
						members,
						json_integer(
							(json_int_t)at[ix]));
				}
				free(key);
			}
		}
		free(at);
		json_decref(doc);
		doc = NULL;
	}
	{
		json_t *f;
		size_t i;

		status = EXIT_CLEAN;
		json_array_foreach(out_findings, i, f)
		{
			int s = severity_rank(json_string_value(
				json_object_get(f, "severity")));

			if (s >= SEV_NOTE && s <= SEV_ERROR)
				counts[s]++;
			if (fail_on != SEV_NONE && s >= fail_on)
				status = 1;
		}
	}
	merged = json_pack("{s:{s:s,s:s}, s:{s:s,s:O}, s:O, s:I, s:O, s:O, "
			   "s:{s:I,s:I,s:I}, s:O, s:O}",
			   "tool", "name", "fsrace", "version", FSRACE_VERSION,
			   "input", "kind", "merge", "files", files, "rules",
			   out_rules, "events", (json_int_t)events, "findings",
			   out_findings, "groups", out_groups, "counts",
			   "error", (json_int_t)counts[SEV_ERROR], "warning",
			   (json_int_t)counts[SEV_WARNING], "note",
			   (json_int_t)counts[SEV_NOTE], "not_reported",
			   not_reported, "dropped", dropped);
	if (!merged) {
		errorx("cannot build the merged document");
		status = EXIT_USAGE;
		goto done;
	}
	{
		char *text = json_dumps(merged, JSON_COMPACT);
		struct atomic_file af;
		FILE *f;
		int r = 0;

		if (!out || !strcmp(out, "-")) {
			puts(text);
			if (fflush(stdout) != 0)
				r = -errno;
		} else if ((r = atomic_file_open(&af, out, 0)) == 0) {
			f = atomic_file_fp(&af);
			if (!f) {
				r = -errno;
				atomic_file_discard(&af);
			} else {
				fprintf(f, "%s\n", text);
				r = atomic_file_commit(&af);
			}
		}
		free(text);
		if (r < 0) {
			cli_write_error(out ? out : "-", r);
			status = EXIT_USAGE;
		}
	}
done:
	json_decref(doc);
	json_decref(merged);
	json_decref(out_findings);
	json_decref(out_groups);
	json_decref(out_rules);
	json_decref(files);
	json_decref(not_reported);
	json_decref(dropped);
	json_decref(byfp);
	json_decref(groups);
	json_decref(rule_ids);
	json_decref(members_seen);
	return status;
}
