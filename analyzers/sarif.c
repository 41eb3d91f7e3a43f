// SPDX-License-Identifier: MIT
/*
 * The code-scanning outputs. GitHub's workflow commands are at the end.
 * The findings as SARIF 2.1.0 (OASIS), the format code scanning reads
 * (GitHub's upload-sarif, GitLab, VS Code's SARIF viewer): one run, its
 * tool with every enabled rule, one result per group of findings (one
 * distinct problem, as the text report shows it), each located at the
 * program's own code when stacks name it, else at the strace log's line
 * of the use (an imported log), else at the traced program or the trace
 * file; every evidence event a related location and a step of a code
 * flow, one thread flow per pid. docs/findings.md, "SARIF".
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "findings.h"
#include "jsonw.h"
#include "names.h"
#include "path.h"
#include "rule.h"
#include "stacks.h"
#include "strbuf.h"
#include "util.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
#define SRCROOT "SRCROOT"

static void kv(struct jsonw *o, const char *k, const char *v)
{
	if (!v)
		return;
	jsonw_key(o, k);
	jsonw_string(o, v);
}

/* "KEY": {"text": TEXT} */
static void message(struct jsonw *o, const char *k, const char *text)
{
	jsonw_key(o, k);
	jsonw_begin_object(o);
	kv(o, "text", text);
	jsonw_end_object(o);
}

/* P as a URI path: every byte but unreserved ones and '/' %-encoded. */
static void uri_path(struct strbuf *b, const char *p)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~/", c))
			strbuf_addch(b, (char)c);
		else
			strbuf_addf(b, "%%%c%c", hex[c >> 4], hex[c & 15]);
	}
}

/* The part of PATH below ROOT, or NULL. */
static const char *below(const char *root, const char *path)
{
	size_t n = root ? strlen(root) : 0;

	while (n > 1 && root[n - 1] == '/')
		n--;
	if (!n || path[0] != '/' || strncmp(path, root, n))
		return NULL;
	if (n == 1)
		return path + 1;
	return path[n] == '/' && path[n + 1] ? path + n + 1 : NULL;
}

/* "artifactLocation": relative to %SRCROOT% under the root, a file URI
 * otherwise (a relative PATH as it is). */
static void artifact(struct jsonw *o, const struct report_meta *m,
		     const char *path)
{
	const char *rel;
	char abs[PATH_MAX];
	struct strbuf b;

	strbuf_init(&b, 0);
	/* a trace named on the command line: from the working directory,
	 * "." and ".." resolved */
	if (m->cwd && m->cwd[0] == '/' &&
	    path_resolve(m->cwd, path, abs, sizeof(abs)) > 0)
		path = abs;
	rel = below(m->root, path);
	if (!rel && path[0] == '/')
		strbuf_addstr(&b, "file://");
	uri_path(&b, rel ? rel : path);
	jsonw_key(o, "artifactLocation");
	jsonw_begin_object(o);
	kv(o, "uri", b.buf);
	if (rel)
		kv(o, "uriBaseId", SRCROOT);
	jsonw_end_object(o);
	strbuf_release(&b);
}

/* "physicalLocation" of PATH, at LINE when it is one. */
static void physical(struct jsonw *o, const struct report_meta *m,
		     const char *path, int line)
{
	jsonw_key(o, "physicalLocation");
	jsonw_begin_object(o);
	artifact(o, m, path);
	if (line > 0) {
		jsonw_key(o, "region");
		jsonw_begin_object(o);
		jsonw_key(o, "startLine");
		jsonw_int(o, line);
		jsonw_end_object(o);
	}
	jsonw_end_object(o);
}

/* Where the code of stack S is: its innermost own frame with a source
 * line (FILE, LINE, FUNCTION), or false. */
static bool code_at(const struct report_meta *m, const struct stack_trace *s,
		    struct frame_name *fn)
{
	int at = s ? stack_own_frame(m, s) : -1;

	if (at < 0)
		return false;
	stack_frame_where(m, s, (uint32_t)at, fn);
	return fn->file && fn->file[0] == '/' && fn->line > 0;
}

/* An imported event's "LOG:LINE" into LOG (a copy) and *LINE. */
static char *log_line(const struct evidence *e, int *line)
{
	const char *colon = e->source ? strrchr(e->source, ':') : NULL;
	char *end;
	long n;

	if (!colon || colon == e->source)
		return NULL;
	n = strtol(colon + 1, &end, 10);
	if (*end || n <= 0 || n > INT_MAX)
		return NULL;
	*line = (int)n;
	return xstrndup(e->source, (size_t)(colon - e->source));
}

/* The program a run traced, as a path: argv[0], found on PATH if it has
 * no slash; NULL if it cannot be. */
static char *program_path(const struct report_meta *m)
{
	const char *prog = m->argv ? m->argv[0] : NULL;
	const char *path = getenv("PATH");
	struct strbuf b;

	if (!prog || !prog[0])
		return NULL;
	if (strchr(prog, '/'))
		return xstrdup(prog);
	strbuf_init(&b, 0);
	while (path && *path) {
		size_t n = strcspn(path, ":");

		strbuf_reset(&b);
		strbuf_add(&b, n ? path : ".", n ? n : 1);
		strbuf_addch(&b, '/');
		strbuf_addstr(&b, prog);
		if (!access(b.buf, X_OK))
			return strbuf_detach(&b, NULL);
		path += n + (path[n] == ':');
	}
	strbuf_release(&b);
	return NULL;
}

/*
 * "location" object content for an evidence event E: its own code's
 * source line; else the strace log's line it came from; else the path
 * it concerns. MSG, when not NULL, is its message.
 */
static void event_location(struct jsonw *o, const struct report_meta *m,
			   const struct evidence *e, const char *msg)
{
	struct frame_name fn;
	int line = 0;
	char *log;

	if (code_at(m, e->stack, &fn)) {
		physical(o, m, fn.file, fn.line);
	} else if ((log = log_line(e, &line))) {
		physical(o, m, log, line);
		free(log);
	} else {
		const char *p = e->abspath2  ? e->abspath2
				: e->abspath ? e->abspath
					     : e->fd_path;

		if (p)
			physical(o, m, p, 0);
	}
	if (msg)
		message(o, "message", msg);
}

/* "check: newfstatat(/w/x) = 0 in pid 7 (cp -r a b), event #9" */
static void event_text(struct strbuf *b, const struct evidence *e,
		       const char *program)
{
	const char *p = e->abspath ? e->abspath : e->fd_path;

	strbuf_reset(b);
	strbuf_addf(b, "%s%s%s(%s%s%s)", e->step ? e->step : "",
		    e->step ? ": " : "", e->syscall, p ? p : "",
		    e->abspath2 ? " -> " : "", e->abspath2 ? e->abspath2 : "");
	if (e->has_ret && e->ret < 0)
		strbuf_addf(b, " = -1 %s", errno_name(e->err) ?: "?");
	else if (e->has_ret)
		strbuf_addf(b, " = %lld", (long long)e->ret);
	if (e->injected)
		strbuf_addstr(b, " (injected by fsrace)");
	strbuf_addf(b, " in pid %d", e->pid);
	if (program)
		strbuf_addf(b, " (%s)", program);
	strbuf_addf(b, ", event #%llu", (unsigned long long)e->seq);
	if (e->source)
		strbuf_addf(b, ", %s", e->source);
}

static const char *level(enum severity s)
{
	return s == SEV_ERROR ? "error" : s == SEV_WARNING ? "warning" : "note";
}

/* A rule's tags say what kind of problem it finds: races are security
 * (GitHub ranks them by security-severity), the rest reliability. */
static bool security_rule(const struct rule *r)
{
	static const char *const sec[] = {"toctou", "symlink", "race",
					  "shared-dir"};

	for (int i = 0; i < r->ntags; i++)
		for (size_t k = 0; k < ARRAY_SIZE(sec); k++)
			if (!strcmp(r->tags[i], sec[k]))
				return true;
	return false;
}

/* The enabled rules, each id once (a rule's variants share it). */
static int rule_list(const struct report_meta *m, const struct rule ***ret)
{
	const struct rule **v =
		xcalloc((size_t)m->rules->nrules + 1, sizeof(*v));
	int n = 0;

	for (int i = 0; i < m->rules->nrules; i++) {
		const struct rule *r = m->rules->rules[i];
		bool seen = false;

		for (int k = 0; k < n && !seen; k++)
			seen = !strcmp(v[k]->id, r->id);
		if (r->enabled && !seen)
			v[n++] = r;
	}
	*ret = v;
	return n;
}

/* "RuleName" of "rule-name", as SARIF's rule names are. */
static void rule_name(struct strbuf *b, const char *id)
{
	bool up = true;

	strbuf_reset(b);
	for (; *id; id++) {
		if (*id == '-') {
			up = true;
			continue;
		}
		strbuf_addch(b, up && *id >= 'a' && *id <= 'z'
					? (char)(*id - 'a' + 'A')
					: *id);
		up = false;
	}
}

static void rule_json(struct jsonw *o, const struct rule *r, struct strbuf *b)
{
	jsonw_begin_object(o);
	kv(o, "id", r->id);
	rule_name(b, r->id);
	kv(o, "name", b->buf);
	message(o, "shortDescription", r->title);
	message(o, "fullDescription",
		r->explanation ? r->explanation : r->title);
	jsonw_key(o, "help");
	jsonw_begin_object(o);
	strbuf_reset(b);
	strbuf_addf(b, "%s%s%s", r->explanation ? r->explanation : r->title,
		    r->fix ? " Fix: " : "", r->fix ? r->fix : "");
	kv(o, "text", b->buf);
	strbuf_reset(b);
	strbuf_addf(b, "**%s**\n\n%s", r->title,
		    r->explanation ? r->explanation : "");
	if (r->fix)
		strbuf_addf(b, "\n\n**Fix:** %s", r->fix);
	for (int i = 0; i < r->nreferences; i++)
		strbuf_addf(b, "%s- %s", i ? "\n" : "\n\n**References:**\n\n",
			    r->references[i]);
	kv(o, "markdown", b->buf);
	jsonw_end_object(o);
	/* a shipped rule's row in docs/rules.md; a user's has none */
	if (r->shipped) {
		strbuf_reset(b);
		strbuf_addf(b, "%srules.md#%s", FSRACE_DOCS_URL, r->id);
		kv(o, "helpUri", b->buf);
	}
	jsonw_key(o, "defaultConfiguration");
	jsonw_begin_object(o);
	kv(o, "level", level(r->severity));
	jsonw_end_object(o);
	jsonw_key(o, "properties");
	jsonw_begin_object(o);
	jsonw_key(o, "tags");
	jsonw_begin_array(o);
	jsonw_string(o, security_rule(r) ? "security" : "reliability");
	for (int i = 0; i < r->ntags; i++)
		if (strcmp(r->tags[i], "security") &&
		    strcmp(r->tags[i], "reliability"))
			jsonw_string(o, r->tags[i]);
	jsonw_end_array(o);
	/* measured on real programs: docs/precision.md */
	kv(o, "precision", r->severity == SEV_NOTE ? "medium" : "high");
	if (security_rule(r))
		kv(o, "security-severity",
		   r->severity == SEV_ERROR	? "7.0"
		   : r->severity == SEV_WARNING ? "5.0"
						: "2.0");
	jsonw_end_object(o);
	jsonw_end_object(o);
}

static int rule_index(const struct rule *const *v, int n, const char *id)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(v[i]->id, id))
			return i;
	return -1;
}

/* The result's location: its code, its log line, or what was traced. */
static void result_location(struct jsonw *o, const struct report_meta *m,
			    const struct finding *f, const char *program)
{
	const struct stack_trace *s = finding_stack(f, m);
	const struct evidence *last = f->nev ? &f->ev[f->nev - 1] : NULL;
	struct frame_name fn;
	int line = 0;
	char *log = NULL;

	jsonw_key(o, "locations");
	jsonw_begin_array(o);
	jsonw_begin_object(o);
	if (code_at(m, s, &fn)) {
		physical(o, m, fn.file, fn.line);
		if (fn.function) {
			jsonw_key(o, "logicalLocations");
			jsonw_begin_array(o);
			jsonw_begin_object(o);
			kv(o, "fullyQualifiedName", fn.function);
			kv(o, "kind", "function");
			jsonw_end_object(o);
			jsonw_end_array(o);
		}
	} else if (last && (log = log_line(last, &line))) {
		physical(o, m, log, line);
	} else if (m->is_run && program) {
		physical(o, m, program, 0);
	} else if (!m->is_run && f->nev && f->ev[0].trace) {
		/* one of several traces: its own */
		physical(o, m, f->ev[0].trace, 0);
	} else if (!m->is_run && m->nfiles > 0) {
		physical(o, m, m->files[0], 0);
	} else if (f->nev && finding_path(f)) {
		/* a program not found on PATH: the file the finding is about */
		physical(o, m, finding_path(f), 0);
	}
	free(log);
	jsonw_end_object(o);
	jsonw_end_array(o);
}

/* "codeFlows": the evidence in order, one thread flow per pid. */
static void code_flows(struct jsonw *o, const struct report_meta *m,
		       const struct finding *f, struct strbuf *b)
{
	bool done[RULE_MAX_STEPS] = {false};

	jsonw_key(o, "codeFlows");
	jsonw_begin_array(o);
	jsonw_begin_object(o);
	jsonw_key(o, "threadFlows");
	jsonw_begin_array(o);
	for (int i = 0; i < f->nev; i++) {
		char id[32];

		if (done[i])
			continue;
		jsonw_begin_object(o);
		snprintf(id, sizeof(id), "pid %d", f->ev[i].pid);
		kv(o, "id", id);
		jsonw_key(o, "locations");
		jsonw_begin_array(o);
		for (int k = i; k < f->nev; k++) {
			if (f->ev[k].pid != f->ev[i].pid)
				continue;
			done[k] = true;
			event_text(b, &f->ev[k], f->program[k]);
			jsonw_begin_object(o);
			jsonw_key(o, "location");
			jsonw_begin_object(o);
			event_location(o, m, &f->ev[k], b->buf);
			jsonw_end_object(o);
			jsonw_key(o, "executionOrder");
			jsonw_int(o, k + 1);
			jsonw_end_object(o);
		}
		jsonw_end_array(o);
		jsonw_end_object(o);
	}
	jsonw_end_array(o);
	jsonw_end_object(o);
	jsonw_end_array(o);
}

/* analyze of several traces: the ones G's findings were found in */
static void found_in(struct jsonw *o, const struct finding_group *g)
{
	size_t n;
	const char **v = finding_group_found_in(g, &n);

	if (n) {
		jsonw_key(o, "found_in");
		jsonw_begin_array(o);
		for (size_t i = 0; i < n; i++)
			jsonw_string(o, v[i]);
		jsonw_end_array(o);
	}
	free(v);
}
static void result_json(struct jsonw *o, const struct report_meta *m,
			const struct finding_group *g,
			const struct rule *const *rules, int nrules,
			const char *program, struct strbuf *b)
{
	const struct finding *f = g->v[0];
	char fp[24];

	jsonw_begin_object(o);
	kv(o, "ruleId", f->rule->id);
	jsonw_key(o, "ruleIndex");
	jsonw_int(o, rule_index(rules, nrules, f->rule->id));
	kv(o, "level", level(f->severity));
	strbuf_reset(b);
	strbuf_addstr(b, f->message);
	if (g->confirmed)
		strbuf_addstr(b, " (confirmed: the object changed in between)");
	if (g->count > 1)
		strbuf_addf(b, " [%llu times]", (unsigned long long)g->count);
	message(o, "message", b->buf);
	result_location(o, m, f, program);
	/* what code scanning tracks an alert by across runs: its first
	 * finding's fingerprint, the one baselines hold (stable across
	 * checkouts, machines and temporary names) */
	snprintf(fp, sizeof(fp), "%016" PRIx64, f->fingerprint);
	jsonw_key(o, "partialFingerprints");
	jsonw_begin_object(o);
	kv(o, "fsraceFinding/v1", fp);
	jsonw_end_object(o);
	jsonw_key(o, "relatedLocations");
	jsonw_begin_array(o);
	for (int i = 0; i < f->nev; i++) {
		event_text(b, &f->ev[i], f->program[i]);
		jsonw_begin_object(o);
		jsonw_key(o, "id");
		jsonw_int(o, i + 1);
		event_location(o, m, &f->ev[i], b->buf);
		jsonw_end_object(o);
	}
	jsonw_end_array(o);
	code_flows(o, m, f, b);
	jsonw_key(o, "properties");
	jsonw_begin_object(o);
	jsonw_key(o, "count");
	jsonw_uint(o, g->count);
	jsonw_key(o, "confirmed");
	jsonw_bool(o, g->confirmed);
	jsonw_key(o, "paths");
	jsonw_begin_array(o);
	for (size_t k = 0; k < g->n; k++) {
		const char *p = finding_path(g->v[k]);

		if (p)
			jsonw_string(o, p);
		for (int e = 0; e < g->v[k]->nalso; e++)
			jsonw_string(o, g->v[k]->also[e]);
	}
	jsonw_end_array(o);
	found_in(o, g);
	kv(o, "fix", f->rule->fix);
	jsonw_end_object(o);
	jsonw_end_object(o);
}

static void invocation(struct jsonw *o, const struct report_meta *m,
		       struct strbuf *b)
{
	jsonw_key(o, "invocations");
	jsonw_begin_array(o);
	jsonw_begin_object(o);
	strbuf_reset(b);
	strbuf_addstr(b, "fsrace");
	for (int i = 0; m->tool_argv && m->tool_argv[i]; i++) {
		const char *a = m->tool_argv[i];

		/* quoted as a shell would need it */
		if (a[0] && !a[strcspn(a, " \t\n'\"\\$`*?[]{}()<>|&;#~")])
			strbuf_addf(b, " %s", a);
		else {
			strbuf_addstr(b, " '");
			for (; *a; a++)
				if (*a == '\'')
					strbuf_addstr(b, "'\\''");
				else
					strbuf_addch(b, *a);
			strbuf_addch(b, '\'');
		}
	}
	kv(o, "commandLine", b->buf);
	jsonw_key(o, "arguments");
	jsonw_begin_array(o);
	for (int i = 0; m->tool_argv && m->tool_argv[i]; i++)
		jsonw_string(o, m->tool_argv[i]);
	jsonw_end_array(o);
	/* the analysis ran to its end, whatever it found; fsrace's exit
	 * status (1: findings at --fail-on, 3: the program failed), and the
	 * program's own */
	jsonw_key(o, "executionSuccessful");
	jsonw_bool(o, true);
	jsonw_key(o, "exitCode");
	jsonw_int(o, m->tool_status);
	if (m->is_run) {
		jsonw_key(o, "properties");
		jsonw_begin_object(o);
		jsonw_key(o, "programExitStatus");
		jsonw_int(o, m->status);
		jsonw_end_object(o);
	}
	if (m->cwd && m->cwd[0] == '/') {
		jsonw_key(o, "workingDirectory");
		jsonw_begin_object(o);
		strbuf_reset(b);
		strbuf_addstr(b, "file://");
		uri_path(b, m->cwd);
		kv(o, "uri", b->buf);
		jsonw_end_object(o);
	}
	jsonw_end_object(o);
	jsonw_end_array(o);
}

void report_sarif(FILE *out, const struct findings *fs,
		  const struct report_meta *m)
{
	struct finding_groups gs;
	const struct rule **rules;
	int nrules = rule_list(m, &rules);
	char *program = m->is_run ? program_path(m) : NULL;
	struct jsonw o;
	struct strbuf b;

	strbuf_init(&b, 0);
	findings_group(fs, FST_REPORTED, m, &gs);
	jsonw_init(&o);
	jsonw_begin_object(&o);
	kv(&o, "$schema", SARIF_SCHEMA);
	kv(&o, "version", "2.1.0");
	jsonw_key(&o, "runs");
	jsonw_begin_array(&o);
	jsonw_begin_object(&o);
	jsonw_key(&o, "tool");
	jsonw_begin_object(&o);
	jsonw_key(&o, "driver");
	jsonw_begin_object(&o);
	kv(&o, "name", "fsrace");
	kv(&o, "version", FSRACE_VERSION);
	kv(&o, "semanticVersion", FSRACE_VERSION);
	kv(&o, "informationUri", FSRACE_DOCS_URL "fsrace.1");
	jsonw_key(&o, "rules");
	jsonw_begin_array(&o);
	for (int i = 0; i < nrules; i++)
		rule_json(&o, rules[i], &b);
	jsonw_end_array(&o);
	jsonw_end_object(&o);
	jsonw_end_object(&o);
	invocation(&o, m, &b);
	if (m->root && m->root[0] == '/') {
		jsonw_key(&o, "originalUriBaseIds");
		jsonw_begin_object(&o);
		jsonw_key(&o, SRCROOT);
		jsonw_begin_object(&o);
		strbuf_reset(&b);
		strbuf_addstr(&b, "file://");
		uri_path(&b, m->root);
		if (b.buf[b.len - 1] != '/')
			strbuf_addch(&b, '/');
		kv(&o, "uri", b.buf);
		jsonw_end_object(&o);
		jsonw_end_object(&o);
	}
	jsonw_key(&o, "results");
	jsonw_begin_array(&o);
	for (size_t i = 0; i < gs.n; i++)
		result_json(&o, m, &gs.v[i], rules, nrules, program, &b);
	jsonw_end_array(&o);
	jsonw_key(&o, "columnKind");
	jsonw_string(&o, "unicodeCodePoints");
	jsonw_end_object(&o);
	jsonw_end_array(&o);
	jsonw_end_object(&o);
	jsonw_raw(&o, "\n", 1);
	fwrite(o.buf, 1, o.len, out);
	jsonw_release(&o);
	strbuf_release(&b);
	finding_groups_release(&gs);
	free(rules);
	free(program);
}

/* --- GitHub workflow commands ----------------------------------------- */

/* TEXT for a workflow command: its message (PROPERTY false) or one of
 * its properties, escaped as the runner reads them. */
static void gh_escape(struct strbuf *b, const char *text, bool property)
{
	for (; *text; text++) {
		switch (*text) {
		case '%':
			strbuf_addstr(b, "%25");
			break;
		case '\r':
			strbuf_addstr(b, "%0D");
			break;
		case '\n':
			strbuf_addstr(b, "%0A");
			break;
		case ':':
		case ',':
			if (property) {
				strbuf_addstr(b, *text == ':' ? "%3A" : "%2C");
				break;
			}
			/* fall through */
		default:
			strbuf_addch(b, *text);
		}
	}
}

/* PATH as the annotation's file: relative to $GITHUB_WORKSPACE (else the
 * root) when below it, else as it is. */
static const char *gh_file(const struct report_meta *m, const char *path,
			   char *abs)
{
	const char *ws = getenv("GITHUB_WORKSPACE");
	const char *rel;

	if (m->cwd && m->cwd[0] == '/' &&
	    path_resolve(m->cwd, path, abs, PATH_MAX) > 0)
		path = abs;
	rel = below(ws && ws[0] == '/' ? ws : m->root, path);
	return rel ? rel : path;
}

/* Where a group is, for an annotation: FILE (borrowed or *OWNED) and
 * LINE; false when no file says it (the annotation goes on the run). */
static bool gh_where(const struct report_meta *m, const struct finding *f,
		     const char **file, int *line, char **owned)
{
	const struct stack_trace *s = finding_stack(f, m);
	const struct evidence *last = f->nev ? &f->ev[f->nev - 1] : NULL;
	struct frame_name fn;

	*owned = NULL;
	if (code_at(m, s, &fn)) {
		*file = fn.file;
		*line = fn.line;
		return true;
	}
	if (last && (*owned = log_line(last, line))) {
		*file = *owned;
		return true;
	}
	return false;
}

/* TEXT as a cell's code span: a backtick, which would end it, as '. */
static void gh_code(struct strbuf *b, const char *text)
{
	for (; *text; text++)
		if (*text == '|')
			strbuf_addstr(b, "\\|");
		else if (*text == '`')
			strbuf_addch(b, '\'');
		else if (*text == '\n' || *text == '\r')
			strbuf_addch(b, ' ');
		else
			strbuf_addch(b, *text);
}

static void gh_cell(struct strbuf *b, const char *text)
{
	for (; *text; text++)
		if (*text == '|')
			strbuf_addstr(b, "\\|");
		else if (*text == '\n' || *text == '\r')
			strbuf_addch(b, ' ');
		else
			strbuf_addch(b, *text);
}

/* The Markdown table of the step summary, appended to PATH. */
static void gh_summary(const char *path, const struct finding_groups *gs,
		       const struct report_meta *m)
{
	uint64_t counts[3] = {0, 0, 0};
	struct strbuf b;
	FILE *f;

	for (size_t i = 0; i < gs->n; i++)
		counts[gs->v[i].v[0]->severity]++;
	strbuf_init(&b, 0);
	strbuf_addf(&b,
		    "### fsrace: %zu finding%s (%llu error, %llu warning, "
		    "%llu note) in %llu events\n\n",
		    gs->n, gs->n == 1 ? "" : "s",
		    (unsigned long long)counts[SEV_ERROR],
		    (unsigned long long)counts[SEV_WARNING],
		    (unsigned long long)counts[SEV_NOTE],
		    (unsigned long long)m->events);
	if (gs->n)
		strbuf_addstr(&b, "| severity | rule | where | finding | times "
				  "|\n|---|---|---|---|---:|\n");
	for (size_t i = 0; i < gs->n; i++) {
		const struct finding *fd = gs->v[i].v[0];
		const char *file = NULL;
		char *owned, abs[PATH_MAX];
		int line = 0;

		strbuf_addf(&b, "| %s | `%s` | ", level(fd->severity),
			    fd->rule->id);
		if (gh_where(m, fd, &file, &line, &owned)) {
			strbuf_addch(&b, '`');
			gh_code(&b, gh_file(m, file, abs));
			strbuf_addf(&b, ":%d` ", line);
		}
		free(owned);
		strbuf_addstr(&b, "| ");
		gh_cell(&b, fd->message);
		strbuf_addf(&b, " | %llu |\n",
			    (unsigned long long)gs->v[i].count);
	}
	strbuf_addch(&b, '\n');
	/* appended, as every step's summary is; a failure is told, not
	 * fatal: the annotations are the report */
	f = fopen(path, "ae");
	if (!f || fwrite(b.buf, 1, b.len, f) != b.len || fclose(f) != 0)
		fprintf(stderr,
			"fsrace: cannot append to $GITHUB_STEP_SUMMARY "
			"'%s'\n",
			path);
	strbuf_release(&b);
}

void report_github(FILE *out, const struct findings *fs,
		   const struct report_meta *m)
{
	static const char *const cmd[] = {[SEV_NOTE] = "notice",
					  [SEV_WARNING] = "warning",
					  [SEV_ERROR] = "error"};
	const char *summary = getenv("GITHUB_STEP_SUMMARY");
	struct finding_groups gs;
	struct strbuf b, ev;

	strbuf_init(&b, 0);
	strbuf_init(&ev, 0);
	findings_group(fs, FST_REPORTED, m, &gs);
	for (size_t i = 0; i < gs.n; i++) {
		const struct finding *f = gs.v[i].v[0];
		const char *file = NULL;
		char *owned, abs[PATH_MAX];
		int line = 0;

		strbuf_reset(&b);
		strbuf_addf(&b, "::%s ", cmd[f->severity]);
		if (gh_where(m, f, &file, &line, &owned)) {
			strbuf_addstr(&b, "file=");
			gh_escape(&b, gh_file(m, file, abs), true);
			strbuf_addf(&b, ",line=%d,", line);
		}
		free(owned);
		strbuf_addstr(&b, "title=");
		gh_escape(&b, f->rule->id, true);
		strbuf_addstr(&b, "::");
		gh_escape(&b, f->message, false);
		if (gs.v[i].count > 1) {
			strbuf_reset(&ev);
			strbuf_addf(&ev, " [%llu times]",
				    (unsigned long long)gs.v[i].count);
			gh_escape(&b, ev.buf, false);
		}
		for (int k = 0; k < f->nev; k++) {
			event_text(&ev, &f->ev[k], f->program[k]);
			gh_escape(&b, "\n", false);
			gh_escape(&b, ev.buf, false);
		}
		if (f->rule->fix) {
			gh_escape(&b, "\nfix: ", false);
			gh_escape(&b, f->rule->fix, false);
		}
		strbuf_addch(&b, '\n');
		fwrite(b.buf, 1, b.len, out);
	}
	if (summary && summary[0])
		gh_summary(summary, &gs, m);
	strbuf_release(&b);
	strbuf_release(&ev);
	finding_groups_release(&gs);
}

/* --- GitLab Code Quality ------------------------------------------------ */

void report_codequality(FILE *out, const struct findings *fs,
			const struct report_meta *m)
{
	static const char *const sev[] = {[SEV_NOTE] = "info",
					  [SEV_WARNING] = "major",
					  [SEV_ERROR] = "critical"};
	struct finding_groups gs;
	struct jsonw o;
	struct strbuf b;

	strbuf_init(&b, 0);
	findings_group(fs, FST_REPORTED, m, &gs);
	jsonw_init(&o);
	jsonw_begin_array(&o);
	for (size_t i = 0; i < gs.n; i++) {
		const struct finding *f = gs.v[i].v[0];
		const char *file = NULL;
		char *owned, abs[PATH_MAX], fp[24];
		int line = 0;

		jsonw_begin_object(&o);
		strbuf_reset(&b);
		strbuf_addstr(&b, f->message);
		if (gs.v[i].count > 1)
			strbuf_addf(&b, " [%llu times]",
				    (unsigned long long)gs.v[i].count);
		kv(&o, "description", b.buf);
		kv(&o, "check_name", f->rule->id);
		snprintf(fp, sizeof(fp), "%016" PRIx64, f->fingerprint);
		kv(&o, "fingerprint", fp);
		kv(&o, "severity", sev[f->severity]);
		jsonw_key(&o, "location");
		jsonw_begin_object(&o);
		/* Code Quality wants a file of the repository: the code, the
		 * log line, else the file the finding is about */
		if (!gh_where(m, f, &file, &line, &owned)) {
			file = finding_path(f) ? finding_path(f) : "";
			line = 1;
		}
		kv(&o, "path", gh_file(m, file, abs));
		jsonw_key(&o, "lines");
		jsonw_begin_object(&o);
		jsonw_key(&o, "begin");
		jsonw_int(&o, line > 0 ? line : 1);
		jsonw_end_object(&o);
		jsonw_end_object(&o);
		free(owned);
		jsonw_end_object(&o);
	}
	jsonw_end_array(&o);
	jsonw_raw(&o, "\n", 1);
	fwrite(o.buf, 1, o.len, out);
	jsonw_release(&o);
	strbuf_release(&b);
	finding_groups_release(&gs);
}
