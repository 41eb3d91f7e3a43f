/* SPDX-License-Identifier: MIT */
/* The subcommands of the fsrace binary. */
#ifndef FSRACE_CLI_H
#define FSRACE_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit statuses, documented in docs/fsrace.1. */
enum {
	EXIT_CLEAN = 0,
	EXIT_FINDINGS = 1,	 /* a finding at or above the gate */
	EXIT_USAGE = 2,		 /* usage or input error */
	EXIT_PROGRAM_FAILED = 3, /* run: no gated finding, the program failed */
};

struct trace_writer;
struct tracer;
struct tracer_options;
struct stack_table;

int cmd_record(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_confirm(int argc, char **argv);

/* Tell that N paths were too long to make absolute (nothing for 0). */
void cli_paths_too_long(uint64_t n);
void cli_widen_forgotten(uint64_t n);
/* Say on stderr what an analysis could not remember (report_meta). */
struct table_drops;
void cli_drops(const struct table_drops *d);
int cmd_rules(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_merge(int argc, char **argv);

struct rule_set;
struct event;
struct frame_namer;
struct tracer_inject;

/*
 * --inject SPEC (cli/inject.c, docs/inject.md) into OUT, its syscalls
 * named by RS's groups; *RET_GLOB the path glob OUT borrows (made
 * absolute, to free), or NULL. 0, or -1 after telling the user.
 */
int cli_inject_parse(const char *spec, const struct rule_set *rs,
		     struct tracer_inject *out, char **ret_glob);
/* All of a command's --inject specs: tracer_options' array, and the
 * specs as given for the trace header (NULL-terminated). */
struct cli_injects {
	struct tracer_inject *v;
	char **globs;
	const char **specs;
	int n;
};
int cli_injects_parse(const char *const *specs, int n,
		      const struct rule_set *rs, struct cli_injects *ret);
void cli_injects_free(struct cli_injects *in);
struct tracer_widen;
/* --widen SPEC (docs/inject.md) into OUT, its rules RS's: 0, or -1 after
 * telling the user. */
int cli_widen_parse(const char *spec, const struct rule_set *rs,
		    struct tracer_widen *out);

/* Who names the frames of a report or a dump (cli/frames.c): libdw in a
 * build with stacks, nobody otherwise (module and address only, or what
 * an imported log named them: frame_name_of()). */
struct frame_namer *cli_frame_namer_new(void);
void cli_frame_namer_free(struct frame_namer *n);

/* The events of analyze's or import's files (cli/input.c). */
enum { IN_AUTO, IN_NATIVE, IN_STRACE };
struct input;
struct findings;
int input_format_parse(const char *s);
/*
 * The files as given, to be read once each: "-" (standard input), a pipe
 * or a FIFO (`<(cat trace)`) is read to its end into a temporary file
 * (PATHS[i] then /proc/self/fd/N of it, FDS[i] its fd), so that its
 * format is told and it is read from the one stream; the others are
 * read where they are. NAMES are FILES, for messages and reports.
 */
struct input_files {
	char **paths;
	const char *const *names;
	int *fds;
	int n;
};
/* how much of a pipe is read before giving up */
#define INPUT_SPOOL_MAX (64ULL << 30)
int input_spool(const char *const *files, int nfiles, struct input_files *ret);
void input_spool_free(struct input_files *f);
/* The format of FILES (named NAMES): FORMAT, or with IN_AUTO each file's,
 * detected (all the same); -1 after telling the user why not. */
int input_kind(const char *const *files, const char *const *names, int nfiles,
	       int format);
/* Detect each file's format (FORMAT IN_AUTO) and open them; -1 after
 * telling the user why not. */
int input_open(struct input **ret, const char *const *files,
	       const char *const *names, int nfiles, int format, bool strict);
/* 1: an event in *EV; 0: the end; -1: an error, told to the user. */
int input_next(struct input *in, struct event *ev);
void input_counts(const struct input *in, uint64_t *ret_unknown,
		  uint64_t *ret_unparsed);
bool input_is_strace(const struct input *in);
/* A strace log's paths too long to make absolute (0 for a trace). */
uint64_t input_paths_too_long(const struct input *in);
/* The frames a strace log's table of stacks kept without their module or
 * name, added to OUT; with STACKS also the stacks it could not keep
 * (which an analysis counts from the events: stack_dropped). */
void input_stack_drops(const struct input *in, struct table_drops *out,
		       bool stacks);
/* The same of a table that the tracer filled. */
void cli_stack_drops(const struct stack_table *t, struct table_drops *out,
		     bool stacks);
/* What the strace logs read so far cannot show (docs/strace-import.md,
 * "What a log can support"): LIMIT_* bits, 0 for native traces. */
enum {
	LIMIT_NO_TIMESTAMPS = 1 << 0,
	LIMIT_NO_DECORATION = 1 << 1,
	LIMIT_ONLY_FAILED = 1 << 2,
	LIMIT_ONLY_SUCCEEDED = 1 << 3,
	LIMIT_NO_CLOSE = 1 << 4,
	LIMIT_CHILDREN_LOST = 1 << 5,
};
unsigned input_limits(const struct input *in);
void input_close(struct input *in);

struct engine;
/* Feed every event of IN to E, reading in a second thread; 0, or -1 after
 * an input error was told. */
int feed_pipelined(struct input *in, struct engine *e);

/*
 * Check an output file named on the command line (atomic_file_check())
 * before any work is done: 0, or -1 after telling the user why not.
 */
int cli_check_output(const char *path, unsigned flags);

/* Tell the user that writing PATH ("-": standard output) failed with R
 * (-errno). */
void cli_write_error(const char *path, int r);

/* Baselines (cli/baseline.c): the sorted fingerprints of PATH, or -1
 * after telling the user (file:line); E's reported and baselined
 * findings into PATH, whole or not at all, their paths as the
 * fingerprints hold them. */
struct engine;

/* Whether S (N bytes) names a report format (-f, -o FORMAT:FILE). */
bool cli_format_known(const char *s, size_t n);

/*
 * The project configuration (cli/config.c): ARGV (ARGC) with the
 * configuration's options (of run when RUN, else analyze) placed after
 * ARGV[0], into *RET_ARGC, *RET_ARGV (config_argv_free() them), and the
 * file's path into *RET_PATH (NULL when none was read; free it).
 * Returns how many arguments the file gave, or -1 after telling the
 * user (file:line:column).
 */
int config_argv(int argc, char **argv, bool run, int *ret_argc,
		char ***ret_argv, char **ret_path);
void config_argv_free(int argc, char **argv);

int baseline_load(const char *path, uint64_t **ret, size_t *n);
int baseline_write(const char *path, const struct findings *fs);

/* The shipped rules' directory: $FSRACE_RULES, the source tree's, or
 * the installed one. */
const char *cli_default_rules_dir(void);

/* Load the shipped rules, from cli_default_rules_dir(). */
int cli_load_default_rules(struct rule_set *rs, char *err, size_t errlen);

/*
 * Only the shipped groups (@open, @stat …) and path policy: what
 * --no-default-rules keeps, since user rules are written with them.
 */
int cli_load_default_groups(struct rule_set *rs, char *err, size_t errlen);

/*
 * Find PROG as execvp(3) would, into RET. Returns 0, or -1 after telling
 * the user why it cannot be run.
 */
int record_find_program(const char *prog, char *ret, size_t size);

/*
 * --stack-snapshot SIZE: bytes, or KiB with a K suffix, a whole number of
 * pages from STACK_SNAPSHOT_MIN to STACK_SNAPSHOT_MAX. 0 and *RET set, or
 * -1 after telling the user.
 */
int record_parse_stack_snapshot(const char *v, size_t *ret);

/* Write the trace header for a tracer that has started. */
/* INJECT: the --inject specs (NULL-terminated), or NULL; WIDEN: the
 * --widen spec, or NULL */
void record_write_header(struct trace_writer *w, const struct tracer *t,
			 const struct tracer_options *topt,
			 const char *const *inject, const char *widen);

#endif
