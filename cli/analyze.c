// SPDX-License-Identifier: MIT
/* fsrace run and fsrace analyze: trace or read, match rules, report. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
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
#include "reader.h"
#include "rule.h"
#include "stacks.h"
#include "suppress.h"
#include "tracer.h"
#include "util.h"
#include "writer.h"

enum format { FMT_AUTO, FMT_JSON, FMT_TEXT, FMT_SARIF };

struct opts {
	bool run;
	const char **rules;
	int nrules;
	bool no_default_rules;
	const char **enable, **disable, **severity;
	int nenable, ndisable, nseverity;
	enum format format;
	const char *output;
	int fail_on;
	const char **ignore;
	int nignore;
	bool no_default_filters;
	bool no_default_suppressions;
	bool show_suppressed;
	bool scope_all;
	const char *record;
	bool no_seccomp;
	bool stacks;
	int stack_depth;
	int input_format;
	bool strict;
	int first_operand;
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

static void usage(bool run, FILE *f)
{
	if (run)
		fputs("usage: fsrace run [OPTIONS] -- PROG [ARGS...]\n", f);
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
	      "  -f, --format FMT        text, json or sarif (default: text; "
	      "json for -o FILE.json, sarif for -o FILE.sarif)\n"
	      "  -o, --output FILE       write the findings to FILE\n"
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
	      "loader lookups too,\n"
	      "                          and keep severities as the rules "
	      "give them\n"
	      "      --scope SCOPE       default, or all: also report what "
	      "the tree only reads\n"
	      "                          in installed code\n",
	      f);
	fputs("      --stack-depth N     frames shown under each event "
	      "(default 3)\n",
	      f);
	if (run)
		fputs("      --record FILE       also write the trace to "
		      "FILE\n"
		      "      --no-seccomp        stop at every syscall\n"
		      "      --stacks            where in the code each call "
		      "was made\n",
		      f);
	else
		fputs("      --input-format FMT  auto (default), native or "
		      "strace\n"
		      "      --strict            a strace line that cannot be "
		      "parsed is an error\n",
		      f);
}

/* The shipped rules: $FSRACE_RULES, the source tree's, or installed. */
const char *cli_default_rules_dir(void)
{
	const char *env = getenv("FSRACE_RULES");
	struct stat st;

	if (env && *env)
		return env;
	if (stat(FSRACE_SOURCE_RULES, &st) == 0)
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
	return 0;
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

/*
 * Write the report: to -o FILE (whole or untouched; see atomic_file.h),
 * else to standard output (analyze) or standard error (run). Returns 0,
 * or -1 after telling the user.
 */
static int write_report(const struct opts *o, const struct findings *fs,
			const struct report_meta *m)
{
	const char *path = o->output ? o->output : o->run ? NULL : "-";
	struct atomic_file af;
	enum format fmt = o->format;
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
	/* text everywhere, terminal or CI log; -o x.json asks for JSON */
	if (fmt == FMT_AUTO)
		fmt = o->output && ends_with(o->output, ".json")    ? FMT_JSON
		      : o->output && ends_with(o->output, ".sarif") ? FMT_SARIF
								    : FMT_TEXT;
	if (fmt == FMT_JSON)
		report_json(f, fs, m);
	else if (fmt == FMT_SARIF)
		report_sarif(f, fs, m);
	else
		report_text(f, fs, m, isatty(fileno(f)) && !getenv("NO_COLOR"));
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
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"fail-on", required_argument, NULL, 'F'},
		{"ignore", required_argument, NULL, 'I'},
		{"no-default-filters", no_argument, NULL, 'N'},
		{"no-default-suppressions", no_argument, NULL, 'P'},
		{"show-suppressed", no_argument, NULL, 'H'},
		{"scope", required_argument, NULL, 'O'},
		{"record", required_argument, NULL, 'w'},
		{"no-seccomp", no_argument, NULL, 'X'},
		{"stacks", no_argument, NULL, 'K'},
		{"stack-depth", required_argument, NULL, 'k'},
		{"input-format", required_argument, NULL, 'i'},
		{"strict", no_argument, NULL, 's'},
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
		case 'f':
			if (!strcmp(v, "json"))
				o->format = FMT_JSON;
			else if (!strcmp(v, "text"))
				o->format = FMT_TEXT;
			else if (!strcmp(v, "sarif"))
				o->format = FMT_SARIF;
			else {
				errorx("unknown format '%s' (text, json or "
				       "sarif)",
				       v);
				return -1;
			}
			break;
		case 'o':
			o->output = v;
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
			if (o->run)
				goto unknown;
			if (c == 's') {
				o->strict = true;
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
		case 'w':
		case 'X':
		case 'K':
			if (!o->run)
				goto unknown;
			if (c == 'w')
				o->record = v;
			else if (c == 'X')
				o->no_seccomp = true;
			else
				o->stacks = true;
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
		case 'h':
			usage(o->run, stdout);
			return 1;
		default:
			return -1;
		}
	}
	o->first_operand = p.index;
	return 0;
unknown:
	/* an option of the other subcommand */
	opt_parser_unknown(&p, c);
	return -1;
}

/* Every file the run writes, checked before anything is read or run. */
static int check_outputs(const struct opts *o)
{
	if (o->output && cli_check_output(o->output, 0) < 0)
		return -1;
	if (o->record && cli_check_output(o->record, ATOMIC_FILE_STREAM) < 0)
		return -1;
	return 0;
}

static struct engine *make_engine(const struct rule_set *rs,
				  const struct opts *o,
				  const struct frame_namer *namer)
{
	struct engine_options eo = {
		.default_filters = !o->no_default_filters,
		.modifiers = !o->no_default_filters,
		.ignore = o->ignore,
		.judge = {.default_suppressions = !o->no_default_suppressions,
			  .scope_all = o->scope_all,
			  .namer = namer},
	};

	return engine_new(rs, &eo);
}

static void free_opts(struct opts *o)
{
	free(o->rules);
	free(o->enable);
	free(o->disable);
	free(o->severity);
	free(o->ignore);
}

int cmd_analyze(int argc, char **argv)
{
	struct opts o = {0};
	struct rule_set rs;
	struct analysis a = {0};
	struct report_meta m = {0};
	struct input *in = NULL;
	struct frame_namer *namer = NULL;
	const char *const *files;
	uint64_t unknown = 0, unparsed = 0;
	int r, nfiles, status = EXIT_USAGE;
	/* what a SARIF report's paths are relative to */
	char root[PATH_MAX];

	if (!getcwd(root, sizeof(root)))
		root[0] = '\0';
	r = parse_opts(&o, argc, argv);
	if (r)
		goto out_opts;
	if (o.first_operand >= argc) {
		errorx("analyze needs a trace file: fsrace analyze TRACE...");
		goto out_opts;
	}
	if (check_outputs(&o) < 0)
		goto out_opts;
	files = (const char *const *)argv + o.first_operand;
	nfiles = argc - o.first_operand;
	rule_set_init(&rs);
	if (load_rules(&rs, &o) < 0)
		goto out_rules;
	if (input_open(&in, files, nfiles, o.input_format, o.strict) < 0)
		goto out_rules;
	/* before the engine: its judge names frames for suppressions */
	namer = cli_frame_namer_new();
	a.engine = make_engine(&rs, &o, namer);
	r = feed_pipelined(in, a.engine);
	if (r < 0)
		goto out_engine;
	engine_finish(a.engine);
	input_counts(in, &unknown, &unparsed);
	m.files = files;
	m.nfiles = nfiles;
	m.tool_argv = (const char *const *)argv;
	m.root = root;
	m.rules = &rs;
	m.show_suppressed = o.show_suppressed;
	m.events = engine_events(a.engine);
	m.dropped_pending = engine_dropped_pending(a.engine);
	m.unknown_records = unknown;
	m.unparsed_lines = unparsed;
	m.namer = namer;
	m.stack_depth = o.stack_depth;
	m.tool_status = gate(&o, engine_findings(a.engine));
	if (write_report(&o, engine_findings(a.engine), &m) < 0)
		goto out_engine;
	status = m.tool_status;
out_engine:
	engine_free(a.engine);
	cli_frame_namer_free(namer);
	input_close(in);
out_rules:
	rule_set_release(&rs);
out_opts:
	free_opts(&o);
	return r > 0 ? EXIT_CLEAN : status;
}

int cmd_run(int argc, char **argv)
{
	struct opts o = {.run = true};
	struct rule_set rs;
	struct analysis a = {0};
	struct report_meta m = {0};
	struct tracer_options topt = {0};
	struct tracer *t = NULL;
	struct frame_namer *namer = NULL;
	char program[PATH_MAX];
	const char *msg;
	int r, status = EXIT_USAGE, prog_status;
	char root[PATH_MAX];

	if (!getcwd(root, sizeof(root)))
		root[0] = '\0';
	r = parse_opts(&o, argc, argv);
	if (r)
		goto out_opts;
	if (o.first_operand >= argc) {
		errorx("run needs a program: fsrace run [OPTIONS] -- PROG "
		       "[ARGS...]");
		goto out_opts;
	}
	if (o.stacks && !tracer_can_stack()) {
		errorx("--stacks: this fsrace was built without libunwind and "
		       "libdw");
		goto out_opts;
	}
	if (check_outputs(&o) < 0)
		goto out_opts;
	rule_set_init(&rs);
	if (load_rules(&rs, &o) < 0)
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
		record_write_header(&a.w, t, &topt);
	prog_status = tracer_run(t);
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
	m.tool_argv = (const char *const *)argv;
	m.root = root;
	m.status = prog_status;
	m.rules = &rs;
	m.show_suppressed = o.show_suppressed;
	m.events = engine_events(a.engine);
	m.dropped_pending = engine_dropped_pending(a.engine);
	m.namer = namer;
	m.stack_depth = o.stack_depth;
	/* decided before the report, which says it (SARIF) */
	m.tool_status = gate(&o, engine_findings(a.engine));
	if (!m.tool_status && prog_status)
		m.tool_status = EXIT_PROGRAM_FAILED;
	if (write_report(&o, engine_findings(a.engine), &m) < 0)
		goto out_engine;
	status = m.tool_status;
	/* a trace that could not be written is an error, always */
	if (a.write_failed)
		status = EXIT_USAGE;
	r = 0;
out_engine:
	engine_free(a.engine);
	cli_frame_namer_free(namer);
	/* after the findings, which point into it */
	stack_table_free(topt.stack_table);
out_rules:
	rule_set_release(&rs);
out_opts:
	free_opts(&o);
	return r > 0 ? EXIT_CLEAN : status;
}
