/* SPDX-License-Identifier: MIT */
/* The subcommands of the fsrace binary. */
#ifndef FSRACE_CLI_H
#define FSRACE_CLI_H

#include <stddef.h>

/* Exit statuses, documented in docs/fsrace.1. */
enum {
	EXIT_CLEAN = 0,
	EXIT_FINDINGS = 1,       /* a finding at or above the gate */
	EXIT_USAGE = 2,          /* usage or input error */
	EXIT_PROGRAM_FAILED = 3, /* run: no gated finding, the program failed */
};

struct trace_writer;
struct tracer;
struct tracer_options;

int cmd_record(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_rules(int argc, char **argv);

struct rule_set;

/* Load the shipped rules ($FSRACE_RULES, the source tree's, installed). */
int cli_load_default_rules(struct rule_set *rs, char *err, size_t errlen);

/*
 * Find PROG as execvp(3) would, into RET. Returns 0, or -1 after telling
 * the user why it cannot be run.
 */
int record_find_program(const char *prog, char *ret, size_t size);

/* Write the trace header for a tracer that has started. */
void record_write_header(struct trace_writer *w, const struct tracer *t,
			 const struct tracer_options *topt);

#endif
