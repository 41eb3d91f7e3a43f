// SPDX-License-Identifier: MIT
/* fsrace run and fsrace analyze: trace or read, match rules, report. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "atomic_file.h"
#include "cli.h"
#include "config.h"
#include "engine.h"
#include "opt.h"
#include "path.h"
#include "judge.h"
#include "reader.h"
#include "rule.h"
#include "stacks.h"
#include "suppress.h"
#include "tracer.h"
#include "confirm.h"
#include "util.h"
#include "writer.h"

enum format {
	FMT_AUTO,
	FMT_JSON,
	FMT_TEXT,
	FMT_SARIF,
	FMT_GITHUB,
	FMT_CODEQUALITY,
	FMT_HTML,
};

static const char *const format_names[] = {
	[FMT_TEXT] = "text",
	[FMT_JSON] = "json",
	[FMT_SARIF] = "sarif",
	[FMT_GITHUB] = "github",
	[FMT_CODEQUALITY] = "codequality",
	[FMT_HTML] = "html",
};

enum color { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

/* One report to write: -o [FORMAT:]FILE, FILE "-" standard output; NULL
 * the default stream (analyze's standard output, run's error). */
struct output {
	enum format format;
	const char *path;
	bool from_config; /* the command line's -o replace these */
};

#define OUTPUTS_MAX 16

struct opts {
	bool run;
	bool show; /* fsrace show FINDING: analyze's options */
	const char **rules;
	int nrules;
	bool no_default_rules;
	const char **enable, **disable, **severity, **params, **injects;
	int nenable, ndisable, nseverity, nparams, ninjects;
	enum format format;
	struct output outputs[OUTPUTS_MAX];
	int noutputs;
	enum color color;
	const char *root; /* --root, else the working directory */
	const char *baseline, *write_baseline;
	uint64_t *baseline_fps; /* sorted */
	size_t nbaseline;
	int fail_on;
	const char **ignore;
	int nignore;
	bool no_default_filters;
	bool no_default_suppressions;
	bool show_suppressed;
	bool scope_all;
	const char *record;
	bool no_seccomp;
	/* --stacks 1, --no-stacks 0, neither -1: whether this build can */
	int stacks;
	size_t stack_snapshot;
	int stack_depth;
	bool native_stacks;
	int input_format;
	bool strict;
	bool each_trace;
	const char *widen;
	/* --confirm[=FINDING,...], --confirm-under, --confirm-any-owner,
	 * --confirm-journal (cli/confirm.c) */
	bool confirm;
	const char *confirm_only;
	const char *confirm_under;
	bool confirm_any_owner;
	const char *confirm_journal;
	int first_operand;
	int config_args; /* how many of argv the configuration file gave */
};

struct analysis {
	struct engine *engine;
	struct trace_writer w;
	bool recording;
	bool write_failed;
};

static void push(const char ***v, int *n, const char *s)
{
	*v = xrealloc(*v, (size_t)(*n + 2) * sizeof(char *));
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

static void usage(bool run, bool show, FILE *f)
{
	if (run)
		fputs("usage: fsrace run [OPTIONS] -- PROG [ARGS...]\n", f);
	else if (show)
		fputs("usage: fsrace show [OPTIONS] FINDING TRACE...\n"
		      "  FINDING is its number in the report (1 the first) "
		      "or a prefix of its\n"
		      "  fingerprint; the options are analyze's\n",
		      f);
	else
		fputs("usage: fsrace analyze [OPTIONS] TRACE...\n", f);
	fputs("  -r, --rules PATH        rule file or directory "
	      "(repeatable)\n"
	      "      --no-default-rules  do not load the shipped rules\n"
	      "      --enable ID         enable a rule that is off by "
	      "default\n"
	      "      --disable ID        disable a rule\n"
	      "      --severity ID=LEVEL set a rule's severity "
	      "(error, warning, note)\n"
	      "      --param ID.NAME=V[:V...]\n"
	      "                          set a rule's parameter (a list, "
	      "':' between values)\n"
	      "  -f, --format FMT        text, json, sarif, github, "
	      "codequality or html\n"
	      "                          (default: text; json for -o "
	      "FILE.json, sarif for\n"
	      "                          -o FILE.sarif, html for -o "
	      "FILE.html)\n"
	      "  -o, --output [FMT:]FILE write the findings to FILE (- for "
	      "standard output),\n"
	      "                          in FMT; repeatable: one report "
	      "each\n"
	      "      --color WHEN        colours in the text: auto (a "
	      "terminal, no NO_COLOR),\n"
	      "                          always or never\n"
	      "      --baseline FILE     report and gate only findings not "
	      "in FILE\n"
	      "      --write-baseline FILE  write the findings' fingerprints "
	      "to FILE\n"
	      "      --config FILE       options from FILE (default: "
	      "fsrace.json or .fsrace.json\n"
	      "                          here or above); --no-config reads "
	      "none\n"
	      "      --root DIR          the workspace: paths of SARIF and "
	      "annotations are\n"
	      "                          relative to it, fingerprints leave "
	      "it out\n"
	      "                          (default: the working directory)\n"
	      "      --show-suppressed   list the suppressed findings with "
	      "their reasons\n"
	      "      --no-default-suppressions  do not apply the shipped "
	      "suppressions\n"
	      "      --fail-on LEVEL     exit 1 on a finding at or above "
	      "LEVEL\n"
	      "                          (error, warning, note, none; "
	      "default warning)\n"
	      "      --ignore GLOB       ignore events on paths matching "
	      "GLOB (repeatable)\n"
	      "      --no-default-filters  analyze /proc, /sys, /dev and "
	      "locale data too,\n"
	      "                          and keep severities as the rules "
	      "give them\n"
	      "      --scope SCOPE       default, or all: also report what "
	      "the tree only reads\n"
	      "                          in installed code\n",
	      f);
	fputs("      --stack-depth N     frames shown under each event "
	      "(default 3)\n"
	      "      --native-stacks     a Python call's native frames too, "
	      "after its Python\n"
	      "                          ones\n",
	      f);
	if (run)
		fputs("      --record FILE       also write the trace to "
		      "FILE\n"
		      "      --no-seccomp        stop at every syscall\n"
		      "      --stacks            where in the code each call "
		      "was made (the default)\n"
		      "      --no-stacks         take no stacks\n"
		      "      --stack-snapshot SIZE\n"
		      "                          the stack copied at each call "
		      "(8K; 4K to 64K)\n"
		      "      --inject "
		      "SYSCALL=ERRNO[:path=GLOB][:when=N|N+|N..M]"
		      "\n"
		      "                          fail the matching calls with "
		      "ERRNO, without making\n"
		      "                          them (repeatable)\n"
		      "      --widen DURATION[:rule=ID[,ID...]]\n"
		      "                          hold a use that follows its "
		      "check for DURATION\n"
		      "                          (5ms), so that other "
		      "processes "
		      "run in between\n"
		      "      --confirm[=FINDING,...] --confirm-under DIR\n"
		      "                          run it again, swapping a "
		      "decoy "
		      "in between each\n"
		      "                          check and use under DIR, and "
		      "tell what the program\n"
		      "                          did (docs/confirm.md; scratch "
		      "data only)\n"
		      "      --confirm-any-owner also files not the invoking "
		      "user's\n"
		      "      --confirm-journal FILE\n"
		      "                          the swaps' journal (default: "
		      "$TMPDIR/fsrace-confirm-PID.journal)\n",
		      f);
	else
		fputs("      --input-format FMT  auto (default), native or "
		      "strace\n"
		      "      --strict            a strace line that cannot be "
		      "parsed is an error\n"
		      "      --each-trace        strace logs: each is a run of "
		      "its own, as fsrace\n"
		      "                          traces always are (default: "
		      "one run, merged by time)\n",
		      f);
}

/* Whether this binary is the build tree's (not an installed copy). */
static bool in_build_tree(void)
{
	char exe[PATH_MAX], dir[PATH_MAX];
	size_t n;

	if (!realpath("/proc/self/exe", exe) ||
	    !realpath(FSRACE_BUILD_DIR, dir))
		return false;
	n = strlen(dir);
	return !strncmp(exe, dir, n) && exe[n] == '/';
}

/*
 * The shipped rules: $FSRACE_RULES; else, for the binary of the build
 * tree, the source tree's; else the installed ones (an installed binary
 * never takes a source tree's that happens to be there).
 */
const char *cli_default_rules_dir(void)
{
	const char *env = getenv("FSRACE_RULES");
	struct stat st;

	if (env && *env)
		return env;
	if (in_build_tree() && stat(FSRACE_SOURCE_RULES, &st) == 0)
		return FSRACE_SOURCE_RULES;
	return FSRACE_INSTALLED_RULES;
}

int cli_load_default_rules(struct rule_set *rs, char *err, size_t errlen)
{
	return rule_set_load(rs, cli_default_rules_dir(), err, errlen);
}

/*
 * Only the shipped groups (@open, @stat …), the vocabulary of rules, and
 * the shipped path policy.
 */
int cli_load_default_groups(struct rule_set *rs, char *err, size_t errlen)
{
	static const char *const files[] = {"00-groups.json", "policy.json",
					    "suppressions.json"};
	char path[PATH_MAX];
	struct stat st;
	int r = 0;

	for (size_t i = 0; i < ARRAY_SIZE(files) && r >= 0; i++) {
		snprintf(path, sizeof(path), "%s/%s", cli_default_rules_dir(),
			 files[i]);
		/* a rule directory of one's own may have no suppressions */
		if (i == 2 && stat(path, &st) < 0 && errno == ENOENT)
			break;
		r = rule_set_load(rs, path, err, errlen);
	}
	return r;
}

static int set_param(struct rule_set *rs, const char *spec);

static int load_rules(struct rule_set *rs, const struct opts *o)
{
	char err[1024];

	if (o->no_default_rules &&
	    cli_load_default_groups(rs, err, sizeof(err)) < 0) {
		errorx("%s", err);
		return -1;
	}
	if (!o->no_default_rules &&
	    cli_load_default_rules(rs, err, sizeof(err)) < 0) {
		errorx("%s", err);
		return -1;
	}
	suppress_mark_shipped(rs);
	/* the rules so far are fsrace's own: docs/rules.md has them */
	for (int i = 0; i < rs->nrules; i++)
		rs->rules[i]->shipped = !o->no_default_rules;
	for (int i = 0; i < o->nrules; i++)
		if (rule_set_load(rs, o->rules[i], err, sizeof(err)) < 0) {
			errorx("%s", err);
			return -1;
		}
	if (suppress_check_rules(rs, 0, err, sizeof(err)) < 0) {
		errorx("%s", err);
		return -1;
	}
	for (int i = 0; i < o->nenable + o->ndisable; i++) {
		bool en = i < o->nenable;
		const char *id = en ? o->enable[i] : o->disable[i - o->nenable];
		int found = 0;

		for (int k = 0; k < rs->nrules; k++)
			if (!strcmp(rs->rules[k]->id, id)) {
				rs->rules[k]->enabled = en;
				found++;
			}
		if (!found) {
			errorx("no rule '%s' to %s (see fsrace rules)", id,
			       en ? "enable" : "disable");
			return -1;
		}
	}
	for (int i = 0; i < o->nseverity; i++) {
		char id[256];
		const char *eq = strchr(o->severity[i], '=');
		struct rule *r;
		int sev;

		if (!eq || eq - o->severity[i] >= (int)sizeof(id)) {
			errorx("--severity takes ID=LEVEL, not '%s'",
			       o->severity[i]);
			return -1;
		}
		snprintf(id, sizeof(id), "%.*s", (int)(eq - o->severity[i]),
			 o->severity[i]);
		r = rule_set_find(rs, id);
		sev = severity_parse(eq + 1);
		if (!r) {
			errorx("no rule '%s' for --severity", id);
			return -1;
		}
		if (sev < 0 || sev == SEV_NONE) {
			errorx("severity is error, warning or note, not '%s'",
			       eq + 1);
			return -1;
		}
		for (int k = 0; k < rs->nrules; k++)
			if (!strcmp(rs->rules[k]->id, id))
				rs->rules[k]->severity = sev;
	}
	for (int i = 0; i < o->nparams; i++)
		if (set_param(rs, o->params[i]) < 0)
			return -1;
	{
		const char *tmp = getenv("TMPDIR");
		struct param_env env = {
			.root = o->root,
			.tmpdir = tmp && tmp[0] == '/' ? tmp : "/tmp",
			.home = getenv("HOME"),
		};

		rule_set_resolve_params(rs, &env);
	}
	return 0;
}

/*
 * --param ID.NAME=V[:V...]: a value not absolute and not "$ROOT",
 * "$TMPDIR" or "$HOME" is taken from the working directory. A later
 * --param of the same ID.NAME wins (the configuration's come first).
 */
static int set_param(struct rule_set *rs, const char *spec)
{
	const char *eq = strchr(spec, '='), *dot = strchr(spec, '.');
	char id[256], name[64], err[512], cwd[PATH_MAX];
	char **values = NULL;
	int n = 0, r;

	if (!eq || !dot || dot > eq || dot == spec || eq == dot + 1 ||
	    dot - spec >= (int)sizeof(id) ||
	    eq - dot - 1 >= (int)sizeof(name)) {
		errorx("--param takes ID.NAME=VALUE[:VALUE...], not '%s'",
		       spec);
		return -1;
	}
	snprintf(id, sizeof(id), "%.*s", (int)(dot - spec), spec);
	snprintf(name, sizeof(name), "%.*s", (int)(eq - dot - 1), dot + 1);
	if (!getcwd(cwd, sizeof(cwd)))
		cwd[0] = '\0';
	for (const char *v = eq + 1; *v;) {
		const char *end = strchrnul(v, ':');
		char raw[PATH_MAX], abs[PATH_MAX];

		snprintf(raw, sizeof(raw), "%.*s", (int)(end - v), v);
		values = xrealloc(values, (size_t)(n + 1) * sizeof(*values));
		if (raw[0] && raw[0] != '/' && raw[0] != '$' && cwd[0] &&
		    path_resolve(cwd, raw, abs, sizeof(abs)) >= 0)
			values[n++] = xstrdup(abs);
		else
			values[n++] = xstrdup(raw);
		v = *end ? end + 1 : end;
	}
	r = rule_set_param(rs, id, name, values, n, err, sizeof(err));
	for (int i = 0; i < n; i++)
		free(values[i]);
	free(values);
	if (r < 0)
		errorx("--param %s: %s", spec, err);
	return r;
}

static void on_event(const struct event *ev, void *ud)
{
	struct analysis *a = ud;

	if (a->recording)
		trace_writer_event(&a->w, ev);
	engine_feed(a->engine, ev);
}

static void on_tick(void *ud)
{
	struct analysis *a = ud;

	if (a->recording && trace_writer_flush(&a->w) < 0 && !a->write_failed) {
		a->write_failed = true;
		cli_write_error(a->w.path, a->w.err);
	}
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && !strcmp(s + n - k, suffix);
}

static enum format format_of(const struct opts *o, const struct output *out)
{
	if (out->format != FMT_AUTO)
		return out->format;
	if (o->format != FMT_AUTO)
		return o->format;
	/* text everywhere, terminal or CI log; -o x.json asks for JSON */
	if (out->path && ends_with(out->path, ".json"))
		return FMT_JSON;
	if (out->path && ends_with(out->path, ".sarif"))
		return FMT_SARIF;
	if (out->path &&
	    (ends_with(out->path, ".html") || ends_with(out->path, ".htm")))
		return FMT_HTML;
	return FMT_TEXT;
}

static void report_to(FILE *f, enum format fmt, const struct opts *o,
		      const struct findings *fs, const struct report_meta *m)
{
	bool color = o->color == COLOR_ALWAYS ||
		     (o->color == COLOR_AUTO && isatty(fileno(f)) &&
		      !getenv("NO_COLOR"));

	switch (fmt) {
	case FMT_JSON:
		report_json(f, fs, m);
		break;
	case FMT_SARIF:
		report_sarif(f, fs, m);
		break;
	case FMT_GITHUB:
		report_github(f, fs, m);
		break;
	case FMT_CODEQUALITY:
		report_codequality(f, fs, m);
		break;
	case FMT_HTML:
		report_html(f, fs, m);
		break;
	default:
		report_text(f, fs, m, color);
		break;
	}
}

/*
 * Write one report: to its FILE (whole or untouched; see atomic_file.h),
 * "-" standard output, else the default stream: standard output
 * (analyze) or standard error (run). 0, or -1 after telling the user.
 */
static int write_one(const struct opts *o, const struct output *out,
		     const struct findings *fs, const struct report_meta *m)
{
	const char *path = out->path ? out->path : o->run ? NULL : "-";
	struct atomic_file af;
	FILE *f = stderr;
	int r;

	if (path) {
		r = atomic_file_open(&af, path, 0);
		if (r < 0)
			goto fail;
		f = atomic_file_fp(&af);
		if (!f) {
			r = -errno;
			atomic_file_discard(&af);
			goto fail;
		}
	}
	report_to(f, format_of(o, out), o, fs, m);
	if (!path) {
		fflush(f);
		return 0;
	}
	r = atomic_file_commit(&af);
	if (r < 0)
		goto fail;
	return 0;
fail:
	cli_write_error(path, r);
	return -1;
}

/* Every report asked for (one to the default stream without -o): 0, or
 * -1 when one could not be written (the others are). */
static int write_report(const struct opts *o, const struct findings *fs,
			const struct report_meta *m)
{
	static const struct output dflt = {FMT_AUTO, NULL};
	int r = 0;

	if (!o->noutputs)
		return write_one(o, &dflt, fs, m);
	for (int i = 0; i < o->noutputs; i++)
		if (write_one(o, &o->outputs[i], fs, m) < 0)
			r = -1;
	return r;
}

/* Whether the value V lies in one of the arguments the configuration
 * file gave (ARGV[1] to ARGV[o->config_args]). */
static bool from_config(const struct opts *o, char **argv, const char *v)
{
	for (int i = 1; i <= o->config_args; i++)
		if (v >= argv[i] && v <= argv[i] + strlen(argv[i]))
			return true;
	return false;
}

/* The command line's -o replace the configuration file's. */
static void drop_config_outputs(struct opts *o)
{
	int k = 0;
	bool cli = false;

	for (int i = 0; i < o->noutputs; i++)
		cli |= !o->outputs[i].from_config;
	for (int i = 0; i < o->noutputs; i++)
		if (!cli || !o->outputs[i].from_config)
			o->outputs[k++] = o->outputs[i];
	o->noutputs = k;
}

/* "json" (and the like) as a format, or -1. */
static int format_parse(const char *s, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(format_names); i++)
		if (format_names[i] && strlen(format_names[i]) == n &&
		    !strncmp(s, format_names[i], n))
			return (int)i;
	return -1;
}

bool cli_format_known(const char *s, size_t n)
{
	return format_parse(s, n) >= 0;
}

/* -o [FORMAT:]FILE: FORMAT only when it is one of ours (a file name may
 * hold a colon). */
static int add_output(struct opts *o, const char *v)
{
	const char *colon = strchr(v, ':');
	int fmt = colon ? format_parse(v, (size_t)(colon - v)) : -1;
	struct output *out;

	if (o->noutputs == OUTPUTS_MAX) {
		errorx("at most %d -o outputs", OUTPUTS_MAX);
		return -1;
	}
	out = &o->outputs[o->noutputs++];
	out->format = fmt < 0 ? FMT_AUTO : (enum format)fmt;
	out->path = fmt < 0 ? v : colon + 1;
	if (!out->path[0]) {
		errorx("-o %s names no file (- for standard output)", v);
		return -1;
	}
	return 0;
}

static int gate(const struct opts *o, const struct findings *fs)
{
	if (o->fail_on == SEV_NONE)
		return 0;
	for (size_t i = 0; i < fs->n; i++)
		if (fs->v[i]->status == FST_REPORTED &&
		    (int)fs->v[i]->severity >= o->fail_on)
			return 1;
	return 0;
}

static int parse_opts(struct opts *o, int argc, char **argv)
{
	static const struct option lopts[] = {
		{"rules", required_argument, NULL, 'r'},
		{"no-default-rules", no_argument, NULL, 'R'},
		{"enable", required_argument, NULL, 'E'},
		{"disable", required_argument, NULL, 'D'},
		{"severity", required_argument, NULL, 'S'},
		{"param", required_argument, NULL, 'A'},
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"color", required_argument, NULL, 'C'},
		{"root", required_argument, NULL, 'W'},
		{"baseline", required_argument, NULL, 'B'},
		{"write-baseline", required_argument, NULL, 'b'},
		{"fail-on", required_argument, NULL, 'F'},
		{"ignore", required_argument, NULL, 'I'},
		{"no-default-filters", no_argument, NULL, 'N'},
		{"no-default-suppressions", no_argument, NULL, 'P'},
		{"show-suppressed", no_argument, NULL, 'H'},
		{"scope", required_argument, NULL, 'O'},
		{"record", required_argument, NULL, 'w'},
		{"no-seccomp", no_argument, NULL, 'X'},
		{"stacks", no_argument, NULL, 'K'},
		{"no-stacks", no_argument, NULL, 'n'},
		{"stack-snapshot", required_argument, NULL, 'Z'},
		{"inject", required_argument, NULL, 'J'},
		{"widen", required_argument, NULL, 'Y'},
		{"confirm", optional_argument, NULL, 'Q'},
		{"confirm-under", required_argument, NULL, 'U'},
		{"confirm-any-owner", no_argument, NULL, 'u'},
		{"confirm-journal", required_argument, NULL, 'j'},
		{"stack-depth", required_argument, NULL, 'k'},
		{"native-stacks", no_argument, NULL, 'y'},
		{"input-format", required_argument, NULL, 'i'},
		{"strict", no_argument, NULL, 's'},
		{"each-trace", no_argument, NULL, 'e'},
		{"config", required_argument, NULL, 'G'},
		{"no-config", no_argument, NULL, 'g'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *cmd = o->run ? "run" : "analyze";
	struct opt_parser p;
	int c;

	o->fail_on = SEV_WARNING;
	opt_parser_init(&p, cmd, argc, argv, "r:f:o:h", lopts, false);
	while ((c = opt_parser_next(&p)) != OPT_END) {
		const char *v = p.value;

		switch (c) {
		case 'r':
			push(&o->rules, &o->nrules, v);
			break;
		case 'R':
			o->no_default_rules = true;
			break;
		case 'E':
			push(&o->enable, &o->nenable, v);
			break;
		case 'D':
			push(&o->disable, &o->ndisable, v);
			break;
		case 'S':
			push(&o->severity, &o->nseverity, v);
			break;
		case 'A':
			push(&o->params, &o->nparams, v);
			break;
		case 'f': {
			int fmt = format_parse(v, strlen(v));

			if (fmt < 0) {
				errorx("unknown format '%s' (text, json, "
				       "sarif, github, codequality or html)",
				       v);
				return -1;
			}
			o->format = (enum format)fmt;
			break;
		}
		case 'o':
			if (add_output(o, v) < 0)
				return -1;
			/* an option the configuration file gave */
			o->outputs[o->noutputs - 1].from_config =
				from_config(o, argv, v);
			break;
		case 'G':
		case 'g':
			break; /* config_argv() read them */
		case 'W':
			o->root = v;
			break;
		case 'B':
			o->baseline = v;
			break;
		case 'b':
			o->write_baseline = v;
			break;
		case 'C':
			if (!strcmp(v, "auto"))
				o->color = COLOR_AUTO;
			else if (!strcmp(v, "always"))
				o->color = COLOR_ALWAYS;
			else if (!strcmp(v, "never"))
				o->color = COLOR_NEVER;
			else {
				errorx("--color takes auto, always or never, "
				       "not '%s'",
				       v);
				return -1;
			}
			break;
		case 'F':
			o->fail_on = severity_parse(v);
			if (o->fail_on < 0) {
				errorx("--fail-on takes error, warning, note "
				       "or none, not '%s'",
				       v);
				return -1;
			}
			break;
		case 'I':
			push(&o->ignore, &o->nignore, v);
			break;
		case 'N':
			o->no_default_filters = true;
			break;
		case 'P':
			o->no_default_suppressions = true;
			break;
		case 'H':
			o->show_suppressed = true;
			break;
		case 'O':
			if (strcmp(v, "all") && strcmp(v, "default")) {
				errorx("--scope takes all or default, not '%s'",
				       v);
				return -1;
			}
			o->scope_all = !strcmp(v, "all");
			break;
		case 'i':
		case 's':
		case 'e':
			if (o->run)
				goto unknown;
			if (c == 's' || c == 'e') {
				o->strict |= c == 's';
				o->each_trace |= c == 'e';
				break;
			}
			o->input_format = input_format_parse(v);
			if (o->input_format < 0) {
				errorx("--input-format takes auto, native or "
				       "strace, not '%s'",
				       v);
				return -1;
			}
			break;
		case 'Q':
		case 'U':
		case 'u':
		case 'j':
			/* never from the configuration file: a confirm run
			 * changes files, and is asked for each time */
			if (!o->run)
				goto unknown;
			if (p.cur && from_config(o, argv, p.cur)) {
				errorx("--confirm is not taken from a "
				       "configuration file");
				return -1;
			}
			if (c == 'Q') {
				o->confirm = true;
				o->confirm_only = v;
			} else if (c == 'U') {
				o->confirm_under = v;
			} else if (c == 'u') {
				o->confirm_any_owner = true;
			} else {
				o->confirm_journal = v;
			}
			break;
		case 'w':
		case 'X':
		case 'K':
		case 'n':
		case 'Z':
		case 'J':
		case 'Y':
			if (!o->run)
				goto unknown;
			if (c == 'Z' && record_parse_stack_snapshot(
						v, &o->stack_snapshot) < 0)
				return -1;
			if (c == 'Y')
				o->widen = v;
			else if (c == 'J')
				push(&o->injects, &o->ninjects, v);
			else if (c == 'w')
				o->record = v;
			else if (c == 'X')
				o->no_seccomp = true;
			else if (c == 'K' || c == 'n')
				o->stacks = c == 'K';
			break;
		case 'k': {
			char *end;
			long n;

			errno = 0;
			n = strtol(v, &end, 10);
			if (errno || end == v || *end || n < 1 ||
			    n > STACK_DEPTH_MAX) {
				errorx("--stack-depth takes a number of frames "
				       "from 1 to %d, not '%s'",
				       STACK_DEPTH_MAX, v);
				return -1;
			}
			o->stack_depth = (int)n;
			break;
		}
		case 'y':
			o->native_stacks = true;
			break;
		case 'h':
			usage(o->run, o->show, stdout);
			return 1;
		default:
			return -1;
		}
	}
	o->first_operand = p.index;
	drop_config_outputs(o);
	return 0;
unknown:
	/* an option of the other subcommand */
	opt_parser_unknown(&p, c);
	return -1;
}

/* Every file the run writes, checked before anything is read or run. */
static int check_outputs(const struct opts *o)
{
	for (int i = 0; i < o->noutputs; i++)
		if (cli_check_output(o->outputs[i].path, 0) < 0)
			return -1;
	if (o->record && cli_check_output(o->record, ATOMIC_FILE_STREAM) < 0)
		return -1;
	return 0;
}

/* --root DIR made absolute (it must exist), or the working directory,
 * into ROOT (PATH_MAX): what paths are relative to in SARIF and
 * annotations, and $ROOT in fingerprints. */
static int resolve_root(struct opts *o, char *root)
{
	if (o->root && !realpath(o->root, root)) {
		errorx("--root %s: %s", o->root, strerror(errno));
		return -1;
	}
	if (!o->root && !getcwd(root, PATH_MAX))
		root[0] = '\0';
	o->root = root[0] ? root : NULL;
	return 0;
}

static void engine_opts(const struct opts *o, const struct frame_namer *namer,
			struct engine_options *ret)
{
	const char *tmp = getenv("TMPDIR");
	struct engine_options eo = {
		.default_filters = !o->no_default_filters,
		.modifiers = !o->no_default_filters,
		.ignore = o->ignore,
		.judge = {.default_suppressions = !o->no_default_suppressions,
			  .scope_all = o->scope_all,
			  .namer = namer},
		/* what fingerprints leave out (findings.md, "Fingerprints") */
		.fp_root = o->root,
		.fp_tmp = tmp && tmp[0] == '/' ? tmp : "/tmp",
		.fp_home = getenv("HOME"),
	};

	/* the HTML report and show draw the events around each finding */
	eo.around = o->show || o->format == FMT_HTML;
	for (int i = 0; i < o->noutputs; i++)
		if (format_of(o, &o->outputs[i]) == FMT_HTML)
			eo.around = true;
	*ret = eo;
}

/* The working directory a native trace was recorded in, into ROOT
 * (PATH_MAX): false for a strace log, an import, or no such file. */
static bool recorded_cwd(const char *path, char *root)
{
	struct trace_reader rd;
	struct stat st;
	char err[256];
	bool ok = false;

	/* a pipe read here would be lost to the analysis */
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	if (trace_reader_open(&rd, path, err, sizeof(err)) == 0) {
		const char *cwd = rd.header.cwd;

		ok = cwd && cwd[0] == '/' && strlen(cwd) < PATH_MAX;
		if (ok)
			strcpy(root, cwd);
	}
	trace_reader_close(&rd);
	return ok;
}

static struct engine *make_engine(const struct rule_set *rs,
				  const struct opts *o,
				  const struct frame_namer *namer)
{
	struct engine_options eo;

	engine_opts(o, namer, &eo);
	return engine_new(rs, &eo);
}

/*
 * Before the program: --baseline read (a bad one is a usage error),
 * --write-baseline's file checked.
 */
static int baseline_setup(struct opts *o)
{
	if (o->write_baseline && cli_check_output(o->write_baseline, 0) < 0)
		return -1;
	if (o->baseline &&
	    baseline_load(o->baseline, &o->baseline_fps, &o->nbaseline) < 0)
		return -1;
	return 0;
}

/* How many matches each suppression of RS took in E, added to USES. */
static void count_uses(const struct rule_set *rs, const struct engine *e,
		       uint64_t *uses)
{
	const struct judge *j = engine_judge(e);

	for (int i = 0; i < rs->nsuppressions; i++)
		uses[i] += judge_suppression_uses(j, i);
}

/* After the engine: the baseline applied, before the report. */
static void baseline_apply(const struct opts *o, struct findings *fs,
			   struct report_meta *m)
{
	m->baseline = o->baseline != NULL;
	findings_apply_baseline(fs, o->baseline_fps, o->nbaseline);
}

static void free_opts(struct opts *o)
{
	free(o->rules);
	free(o->enable);
	free(o->disable);
	free(o->severity);
	free(o->params);
	free(o->injects);
	free(o->ignore);
	free(o->baseline_fps);
}

/* What a strace log cannot show (input_limits), as reports say it. */
static const struct {
	unsigned bit;
	struct log_limit l;
} limit_texts[] = {
	{LIMIT_NO_TIMESTAMPS,
	 {"no-timestamps", "no timestamps (strace -t, -tt, -ttt or -r): "
			   "windows are unknown, and whether calls overlap "
			   "in time"}},
	{LIMIT_NO_DECORATION,
	 {"no-fd-paths", "no fd decoding (strace -y): the paths of fds the "
			 "log did not see opened are unknown"}},
	{LIMIT_ONLY_FAILED,
	 {"only-failed", "only failed calls (strace -Z): no successful "
			 "check, use or change can be seen"}},
	{LIMIT_ONLY_SUCCEEDED,
	 {"only-succeeded", "only successful calls (strace -z): a failed "
			    "check or fallback (ENOENT, EXDEV) cannot be "
			    "seen"}},
	{LIMIT_NO_CLOSE,
	 {"no-close", "close is not traced (strace -e trace=...): when an "
		      "fd stops being used is unknown"}},
	{LIMIT_CHILDREN_LOST,
	 {"children-lost", "children not followed (strace without -f): "
			   "their calls are missing"}},
};

/* Whether a step of R asks for an errno. */
static bool wants_failure(const struct rule *r)
{
	for (int s = 0; s < r->nsteps; s++)
		for (int c = 0; c < r->steps[s].m.nconds; c++)
			if (r->steps[s].m.conds[c].field == F_ERRNO)
				return true;
	return false;
}

/* Whether a step of R asks for a successful call. */
static bool wants_success(const struct rule *r)
{
	for (int s = 0; s < r->nsteps; s++)
		for (int c = 0; c < r->steps[s].m.nconds; c++) {
			const struct cond *k = &r->steps[s].m.conds[c];

			if (k->field == F_RESULT && k->op == OP_EQ && k->str &&
			    !strcmp(k->str, "success"))
				return true;
		}
	return false;
}

/* Why rule R cannot be evaluated on logs of limits LIM, or NULL. */
static const char *not_evaluable(const struct rule *r, unsigned lim)
{
	if ((lim & LIMIT_ONLY_FAILED) && wants_success(r))
		return "only-failed";
	for (int s = 0; s < r->nsteps; s++)
		if ((lim & LIMIT_NO_TIMESTAMPS) && r->steps[s].overlaps >= 0)
			return "no-timestamps";
	/* an fd never closed is used forever: every later call by name
	 * would be one */
	if ((lim & LIMIT_NO_CLOSE) && !strcmp(r->id, "path-after-open"))
		return "no-close";
	if ((lim & LIMIT_ONLY_SUCCEEDED) && wants_failure(r))
		return "only-succeeded";
	return NULL;
}

struct log_honesty {
	/* each limit of each log, and each rule not evaluated on it */
	struct log_limit *limits;
	int nlimits;
	struct not_evaluated *ne;
	int nne;
	int unit_ne; /* where this log's rules start in NE */
};

static bool drop_not_evaluated(const struct finding *f, void *ud)
{
	const struct log_honesty *h = ud;

	for (int i = h->unit_ne; i < h->nne; i++)
		if (!strcmp(h->ne[i].rule, f->rule->id))
			return true;
	return false;
}

/*
 * The limits LIM of one run's logs (the first named NAME; FILE the name
 * the report gives them, NULL when there is one run) into H: what the
 * report says of them, the rules not evaluated, and their findings
 * (false ones: a rule needs what the log lacks) taken out of MINE. With
 * --strict a log that cannot support every rule is an error: -1, told.
 */
static int log_limits(const struct opts *o, const struct rule_set *rs,
		      unsigned lim, const char *name, const char *file,
		      struct findings *mine, struct log_honesty *h)
{
	if (!lim)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(limit_texts); i++) {
		if (!(lim & limit_texts[i].bit))
			continue;
		if (o->strict) {
			errorx("%s: %s; with --strict a log must show it all "
			       "(strace -f -tt -T -y -yy -v)",
			       name, limit_texts[i].l.text);
			return -1;
		}
		h->limits = xrealloc(h->limits, (size_t)(h->nlimits + 1) *
							sizeof(*h->limits));
		h->limits[h->nlimits] = limit_texts[i].l;
		h->limits[h->nlimits++].file = file;
	}
	h->unit_ne = h->nne;
	for (int i = 0; i < rs->nrules; i++) {
		const struct rule *r = rs->rules[i];
		const char *why = r->enabled ? not_evaluable(r, lim) : NULL;
		bool seen = false;

		for (int k = h->unit_ne; k < h->nne && !seen; k++)
			seen = !strcmp(h->ne[k].rule, r->id);
		if (!why || seen)
			continue;
		h->ne = xrealloc(h->ne, (size_t)(h->nne + 1) * sizeof(*h->ne));
		h->ne[h->nne++] = (struct not_evaluated){r->id, why, file};
	}
	findings_drop_if(mine, drop_not_evaluated, h);
	return 0;
}

/*
 * Analyze the files FILES[0..N) as one run into the engine options EO
 * (its fp_root taken from the trace when TRACE_ROOT): its findings into
 * ALL (naming TRACE, or NULL), its counts into M and USES, what its logs
 * cannot show into H. IN is left
 * open: the findings borrow its stacks. 0, or -1 after telling the user.
 */
static int analyze_one(const struct opts *o, const struct rule_set *rs,
		       const struct frame_namer *namer,
		       const char *const *files, const char *const *names,
		       int n, int kind, bool trace_root, const char *trace,
		       struct input **in, struct findings *all,
		       struct report_meta *m, uint64_t *uses,
		       struct log_honesty *h)
{
	struct engine_options eo;
	struct findings mine;
	struct engine *e;
	char root[PATH_MAX];
	uint64_t unknown, unparsed;
	int r;

	if (input_open(in, files, names, n, kind, o->strict) < 0)
		return -1;
	engine_opts(o, namer, &eo);
	/* each job of a matrix in its own workspace: the same fingerprints */
	if (trace_root && recorded_cwd(files[0], root))
		eo.fp_root = root;
	e = engine_new(rs, &eo);
	r = feed_pipelined(*in, e);
	if (r == 0) {
		engine_finish(e);
		input_counts(*in, &unknown, &unparsed);
		cli_paths_too_long(input_paths_too_long(*in));
		m->unknown_records += unknown;
		m->unparsed_lines += unparsed;
		m->events += engine_events(e);
		m->dropped_pending += engine_dropped_pending(e);
		engine_drops(e, &m->drops);
		input_stack_drops(*in, &m->drops, false);
		count_uses(rs, e, uses);
		/* what its logs cannot show is this run's */
		findings_init(&mine);
		engine_move_findings(e, &mine, NULL);
		r = log_limits(o, rs, input_limits(*in), names[0], trace, &mine,
			       h);
		findings_absorb(all, &mine, trace);
		findings_release(&mine);
	}
	engine_free(e);
	return r < 0 ? -1 : 0;
}

void cli_drops(const struct table_drops *d)
{
	if (d->names)
		warnx_("more than %u names made by the traced programs: %llu "
		       "were not remembered, and a directory among them is "
		       "not known private",
		       JUDGE_MAX_NAMES, (unsigned long long)d->names);
	if (d->written)
		warnx_("more than %u files written by the traced programs: "
		       "every file is now taken as one they wrote",
		       JUDGE_MAX_NAMES);
	if (d->temps)
		warnx_("more than %u temporary names: %llu keep their letters "
		       "in fingerprints",
		       TEMP_NAMES_MAX, (unsigned long long)d->temps);
	if (d->stacks)
		warnx_("more than %u distinct stacks: the stacks of %llu "
		       "call%s were not kept, so %s evidence names no code",
		       STACK_TABLE_STACKS_MAX, (unsigned long long)d->stacks,
		       d->stacks == 1 ? "" : "s",
		       d->stacks == 1 ? "its" : "their");
	if (d->stack_modules)
		warnx_("more than %u modules of stacks: %llu frame%s %s only "
		       "an address",
		       STACK_TABLE_MODULES_MAX,
		       (unsigned long long)d->stack_modules,
		       d->stack_modules == 1 ? "" : "s",
		       d->stack_modules == 1 ? "is" : "are");
	if (d->frame_names)
		warnx_("more than %u names of frames: %llu were not kept (a "
		       "native frame is then unnamed, a Python stack not kept)",
		       STACK_TABLE_NAMES_MAX,
		       (unsigned long long)d->frame_names);
}

/*
 * fsrace analyze TRACE...: fsrace traces each a run of their own (the
 * jobs of a CI matrix: one report, each finding once by its fingerprint,
 * its evidence naming its trace); strace logs one run merged by time, as
 * strace -ff writes them, unless --each-trace.
 */
static int analyze_common(int argc, char **argv, char **user_argv, int config,
			  bool show)
{
	struct opts o = {.show = show};
	const char *which = NULL;
	struct rule_set rs;
	struct report_meta m = {0};
	struct findings all;
	struct input **in = NULL;
	struct input_files inf = {0};
	struct frame_namer *namer = NULL;
	const char *const *files, *const *paths;
	int r, nfiles, kind, status = EXIT_USAGE;
	bool root_given, each;
	struct log_honesty honesty = {0};
	/* what a SARIF report's paths are relative to */
	char root[PATH_MAX], cwd[PATH_MAX];
	uint64_t *uses = NULL;

	findings_init(&all);
	o.config_args = config;
	r = parse_opts(&o, argc, argv);
	if (r)
		goto out_opts;
	if (show) {
		if (o.first_operand + 1 >= argc) {
			errorx("show needs a finding and a trace: fsrace show "
			       "FINDING TRACE...");
			goto out_opts;
		}
		/* the timeline goes to standard output: the configuration
		 * file's outputs are not for it */
		which = argv[o.first_operand++];
		o.noutputs = 0;
	}
	if (o.first_operand >= argc) {
		errorx("analyze needs a trace file: fsrace analyze TRACE...");
		goto out_opts;
	}
	root_given = o.root != NULL;
	files = (const char *const *)argv + o.first_operand;
	nfiles = argc - o.first_operand;
	/* a recorded run's workspace is where it ran: the same paths and
	 * fingerprints as fsrace run gave it */
	if (!o.root && recorded_cwd(files[0], root))
		o.root = root;
	else if (resolve_root(&o, root) < 0)
		goto out_opts;
	if (check_outputs(&o) < 0 || baseline_setup(&o) < 0)
		goto out_opts;
	rule_set_init(&rs);
	if (load_rules(&rs, &o) < 0)
		goto out_rules;
	/* a pipe is read once, here (after the usage errors) */
	if (input_spool(files, nfiles, &inf) < 0)
		goto out_rules;
	paths = (const char *const *)inf.paths;
	if (!root_given && inf.fds[0] >= 0 && recorded_cwd(paths[0], root))
		o.root = root;
	kind = input_kind(paths, files, nfiles, o.input_format);
	if (kind < 0)
		goto out_rules;
	each = nfiles > 1 && (kind == IN_NATIVE || o.each_trace);
	/* before the engines: their judges name frames for suppressions */
	namer = cli_frame_namer_new();
	uses = xcalloc((size_t)rs.nsuppressions + 1, sizeof(*uses));
	in = xcalloc((size_t)nfiles, sizeof(*in));
	for (int i = 0; i < (each ? nfiles : 1); i++)
		if (analyze_one(&o, &rs, namer, paths + i, files + i,
				each ? 1 : nfiles, kind, each && !root_given,
				each ? files[i] : NULL, &in[i], &all, &m, uses,
				&honesty) < 0)
			goto out_engine;
	cli_drops(&m.drops);
	m.limits = honesty.limits;
	m.nlimits = honesty.nlimits;
	m.not_evaluated = honesty.ne;
	m.nnot_evaluated = honesty.nne;
	m.files = files;
	m.nfiles = nfiles;
	m.tool_argv = (const char *const *)user_argv;
	m.root = o.root;
	m.cwd = getcwd(cwd, sizeof(cwd)) ? cwd : NULL;
	m.rules = &rs;
	m.show_suppressed = o.show_suppressed;
	m.namer = namer;
	m.stack_depth = o.stack_depth;
	m.native_stacks = o.native_stacks;
	m.suppression_uses = uses;
	baseline_apply(&o, &all, &m);
	if (show) {
		fflush(stdout);
		status = report_show(stdout, &all, &m, which) < 0 ||
					 fflush(stdout) || ferror(stdout)
				 ? EXIT_USAGE
				 : EXIT_CLEAN;
		goto out_engine;
	}
	m.tool_status = gate(&o, &all);
	/* the report first: a baseline that cannot be written loses no
	 * finding */
	if (write_report(&o, &all, &m) < 0 ||
	    (o.write_baseline && baseline_write(o.write_baseline, &all) < 0))
		goto out_engine;
	status = m.tool_status;
out_engine:
	free(honesty.limits);
	free(honesty.ne);
	/* the findings borrow the inputs' stacks */
	findings_release(&all);
	free(uses);
	cli_frame_namer_free(namer);
	for (int i = 0; in && i < nfiles; i++)
		input_close(in[i]);
	free(in);
out_rules:
	rule_set_release(&rs);
out_opts:
	input_spool_free(&inf);
	free_opts(&o);
	return r > 0 ? EXIT_CLEAN : status;
}

/* The events of the confirm run: to its own engine only. */
static void on_confirm_event(const struct event *ev, void *ud)
{
	engine_feed(ud, ev);
}

/*
 * --confirm: run the program again with a decoy swapped in at each use
 * ALL's findings name (under the confirm directory), and give them the
 * verdicts. STATUS1 and STDERR1: the first, unperturbed run's. 0, or -1
 * after telling the user (nothing swapped).
 */
static int confirm_run(const struct opts *o, const struct rule_set *rs,
		       const struct frame_namer *namer,
		       const struct tracer_options *base, struct findings *all,
		       int status1, uint64_t stderr1, struct confirm_state *csp)
{
	struct confirm_opts co = {.under = o->confirm_under,
				  .journal = o->confirm_journal,
				  .any_owner = o->confirm_any_owner};
	struct confirm_state cs;
	struct tracer_options topt = *base;
	struct findings run2;
	struct confirm_runs runs = {.status1 = status1, .stderr1 = stderr1};
	const struct tracer_confirm_result *res;
	struct tracer_inject *inject = NULL;
	struct engine *e;
	struct tracer *t = NULL;
	const char *msg;
	int n, left = 0;

	if (confirm_setup(&co, &cs, &topt.confirm) < 0)
		return -1;
	if (!confirm_choose(&cs, all, o->confirm_only)) {
		warnx_("--confirm=%s: no such finding under %s to confirm",
		       o->confirm_only, cs.under);
		confirm_release(&cs, false);
		return 0;
	}
	topt.confirm.paths = (const char *const *)cs.paths;
	topt.confirm.npaths = cs.npaths;
	topt.confirm.count_stderr = true;
	/* --inject counts its calls from the start again */
	inject = topt.ninject ? xcalloc((size_t)topt.ninject, sizeof(*inject))
			      : NULL;
	for (int i = 0; i < topt.ninject; i++) {
		inject[i] = topt.inject[i];
		inject[i].seen = 0;
	}
	topt.inject = inject;
	/* the first run's trace and stacks are not this one's */
	topt.stacks = false;
	topt.stack_table = NULL;
	e = make_engine(rs, o, namer);
	topt.on_event = on_confirm_event;
	topt.on_tick = NULL;
	topt.ud = e;
	if (cs.paths)
		fprintf(stderr,
			"fsrace: confirm run: the program again, with a decoy "
			"at %d use%s under %s; the journal is %s\n",
			cs.npaths, cs.npaths == 1 ? "" : "s", cs.under,
			cs.journal);
	else
		fprintf(stderr,
			"fsrace: confirm run: the program again, with a decoy "
			"at each check and use under %s; the journal is %s\n",
			cs.under, cs.journal);
	if (tracer_start(&t, &topt, &msg) < 0) {
		errorx("%s", msg ? msg : "the confirm run cannot start");
		free(inject);
		engine_free(e);
		confirm_release(&cs, false);
		return -1;
	}
	runs.status2 = tracer_run(t);
	engine_finish(e);
	findings_init(&run2);
	engine_move_findings(e, &run2, NULL);
	res = tracer_confirm_results(t, &n, &runs.stderr2);
	runs.interrupted = tracer_interrupted(t);
	left = confirm_apply(all, &run2, res, n, &runs, &cs);
	tracer_free(t);
	free(inject);
	findings_release(&run2);
	engine_free(e);
	if (left)
		warnx_("--confirm: %d swap%s could not be put back: see the "
		       "findings, and %s (fsrace confirm --recover)",
		       left, left == 1 ? "" : "s", cs.journal);
	/* the verdicts no finding is about go to the report */
	close(cs.under_fd);
	cs.under_fd = -1;
	if (cs.journal_fd >= 0)
		close(cs.journal_fd);
	cs.journal_fd = -1;
	if (!left)
		unlink(cs.journal);
	*csp = cs;
	return 0;
}

static int run_main(int argc, char **argv, char **user_argv, int config)
{
	struct opts o = {.run = true, .stacks = -1};
	struct rule_set rs;
	struct analysis a = {0};
	struct report_meta m = {0};
	struct tracer_options topt = {0};
	struct cli_injects inj = {0};
	struct findings all;
	struct tracer *t = NULL;
	struct frame_namer *namer = NULL;
	char program[PATH_MAX];
	const char *msg;
	int r, status = EXIT_USAGE, prog_status;
	char root[PATH_MAX], cwd[PATH_MAX];
	uint64_t *uses = NULL, stderr1 = 0;
	struct confirm_state confirmed = {.journal_fd = -1, .under_fd = -1};
	bool interrupted = false;

	findings_init(&all);
	o.config_args = config;
	r = parse_opts(&o, argc, argv);
	if (!r)
		r = resolve_root(&o, root);
	if (!r && !o.confirm &&
	    (o.confirm_under || o.confirm_any_owner || o.confirm_journal)) {
		errorx("--confirm-under, --confirm-any-owner and "
		       "--confirm-journal go with --confirm");
		r = -1;
	}
	if (!r && o.confirm) {
		/* the directory is checked before anything runs */
		struct confirm_opts co = {.under = o.confirm_under,
					  .journal = o.confirm_journal,
					  .any_owner = o.confirm_any_owner};
		struct confirm_state cs;
		struct tracer_confirm tc;

		if (confirm_setup(&co, &cs, &tc) < 0)
			r = -1;
		else
			confirm_release(&cs, false);
	}
	if (r)
		goto out_opts;
	if (o.first_operand >= argc) {
		errorx("run needs a program: fsrace run [OPTIONS] -- PROG "
		       "[ARGS...]");
		goto out_opts;
	}
	if (o.stack_snapshot && !o.stacks) {
		errorx("--stack-snapshot and --no-stacks: choose one");
		goto out_opts;
	}
	/* run takes stacks unless told not to, where this build can
	 * (docs/stacks.md) */
	if (o.stacks < 0 && !o.stack_snapshot)
		o.stacks = tracer_can_stack();
	if (o.stacks && !tracer_can_stack()) {
		errorx("%s: this fsrace was built without libunwind and libdw",
		       o.stacks > 0 ? "--stacks" : "--stack-snapshot");
		goto out_opts;
	}
	o.stacks = o.stacks != 0;
	if (check_outputs(&o) < 0 || baseline_setup(&o) < 0)
		goto out_opts;
	rule_set_init(&rs);
	if (load_rules(&rs, &o) < 0 ||
	    cli_injects_parse(o.injects, o.ninjects, &rs, &inj) < 0 ||
	    (o.widen && cli_widen_parse(o.widen, &rs, &topt.widen) < 0))
		goto out_rules;
	if (record_find_program(argv[o.first_operand], program,
				sizeof(program)) < 0)
		goto out_rules;
	if (o.record) {
		r = trace_writer_open(&a.w, o.record, ATOMIC_FILE_STREAM);
		if (r < 0) {
			cli_write_error(o.record, r);
			r = 0;
			goto out_rules;
		}
		a.recording = true;
	}
	namer = cli_frame_namer_new();
	a.engine = make_engine(&rs, &o, namer);
	topt.program = program;
	topt.argv = (const char *const *)argv + o.first_operand;
	topt.no_seccomp = o.no_seccomp;
	topt.stacks = o.stacks;
	topt.stack_table = o.stacks ? stack_table_new() : NULL;
	topt.stack_snapshot = o.stack_snapshot;
	topt.inject = inj.v;
	topt.ninject = inj.n;
	/* --confirm compares with this run's writes to stderr */
	topt.confirm.count_stderr = o.confirm;
	topt.on_event = on_event;
	topt.on_tick = on_tick;
	topt.ud = &a;
	r = tracer_start(&t, &topt, &msg);
	if (r < 0) {
		errorx("%s", msg ? msg : strerror(-r));
		if (a.recording)
			trace_writer_discard(&a.w);
		r = 0;
		goto out_engine;
	}
	if (a.recording)
		record_write_header(&a.w, t, &topt, inj.n ? inj.specs : NULL,
				    o.widen);
	prog_status = tracer_run(t);
	cli_paths_too_long(tracer_paths_too_long(t));
	cli_widen_forgotten(tracer_widen_forgotten(t));
	{
		int nres;

		tracer_confirm_results(t, &nres, &stderr1);
		/* Ctrl-C means stop: no second run that moves files */
		interrupted = tracer_interrupted(t) ||
			      prog_status == 128 + SIGINT ||
			      prog_status == 128 + SIGTERM ||
			      prog_status == 128 + SIGHUP;
	}
	tracer_free(t);
	engine_finish(a.engine);
	if (a.recording) {
		r = trace_writer_close(&a.w);
		if (r < 0 && !a.write_failed)
			cli_write_error(o.record, r);
		a.write_failed |= r < 0;
	}
	m.is_run = true;
	m.argv = topt.argv;
	m.tool_argv = (const char *const *)user_argv;
	m.root = o.root;
	m.cwd = getcwd(cwd, sizeof(cwd)) ? cwd : NULL;
	m.status = prog_status;
	m.rules = &rs;
	m.show_suppressed = o.show_suppressed;
	m.events = engine_events(a.engine);
	m.dropped_pending = engine_dropped_pending(a.engine);
	engine_drops(a.engine, &m.drops);
	cli_stack_drops(topt.stack_table, &m.drops, false);
	cli_drops(&m.drops);
	m.namer = namer;
	m.stack_depth = o.stack_depth;
	m.native_stacks = o.native_stacks;
	uses = xcalloc((size_t)rs.nsuppressions + 1, sizeof(*uses));
	count_uses(&rs, a.engine, uses);
	m.suppression_uses = uses;
	engine_move_findings(a.engine, &all, NULL);
	if (o.confirm && interrupted)
		warnx_("--confirm: the run was interrupted: no confirm run");
	else if (o.confirm && confirm_run(&o, &rs, namer, &topt, &all,
					  prog_status, stderr1, &confirmed) < 0)
		goto out_engine;
	m.confirms =
		(const struct finding_exploit *const *)confirmed.unattached;
	m.nconfirms = confirmed.nunattached;
	baseline_apply(&o, &all, &m);
	/* decided before the report, which says it (SARIF) */
	m.tool_status = gate(&o, &all);
	if (!m.tool_status && prog_status)
		m.tool_status = EXIT_PROGRAM_FAILED;
	if (write_report(&o, &all, &m) < 0 ||
	    (o.write_baseline && baseline_write(o.write_baseline, &all) < 0))
		goto out_engine;
	status = m.tool_status;
	/* a trace that could not be written is an error, always */
	if (a.write_failed)
		status = EXIT_USAGE;
	r = 0;
out_engine:
	findings_release(&all);
	confirm_release(&confirmed, true);
	free(uses);
	engine_free(a.engine);
	cli_frame_namer_free(namer);
	/* after the findings, which point into it */
	stack_table_free(topt.stack_table);
out_rules:
	cli_injects_free(&inj);
	rule_set_release(&rs);
out_opts:
	free_opts(&o);
	return r > 0 ? EXIT_CLEAN : status;
}

/* The commands: the configuration file's options, then the command
 * line's (cli/config.c). */
static int with_config(int argc, char **argv, bool run,
		       int (*fn)(int, char **, char **, int))
{
	char **cargv, *path;
	int cargc, r, n = config_argv(argc, argv, run, &cargc, &cargv, &path);

	if (n < 0)
		return EXIT_USAGE;
	r = fn(cargc, cargv, argv, n);
	config_argv_free(cargc, cargv);
	free(path);
	return r;
}

static int analyze_main(int argc, char **argv, char **user_argv, int config)
{
	return analyze_common(argc, argv, user_argv, config, false);
}

static int show_main(int argc, char **argv, char **user_argv, int config)
{
	return analyze_common(argc, argv, user_argv, config, true);
}

int cmd_analyze(int argc, char **argv)
{
	return with_config(argc, argv, false, analyze_main);
}

int cmd_show(int argc, char **argv)
{
	return with_config(argc, argv, false, show_main);
}

int cmd_run(int argc, char **argv)
{
	return with_config(argc, argv, true, run_main);
}
