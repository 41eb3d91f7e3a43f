/* SPDX-License-Identifier: MIT */
/*
 * The option parser of every subcommand: getopt_long(3) with its
 * messages made ours, in the manner of git's parse-options.
 */
#ifndef FSRACE_OPT_H
#define FSRACE_OPT_H

#include <getopt.h>
#include <stdbool.h>

enum {
	OPT_END = -1,	/* no more options: opt_parser.index is the operand */
	OPT_ERROR = -2, /* a bad option, told to the user: exit 2 */
};

struct opt_parser {
	const char *cmd; /* "run", for "see fsrace run --help"; borrowed */
	int argc;
	char **argv;		       /* borrowed */
	const struct option *longopts; /* borrowed */
	char optstring[64];
	int index;	   /* after OPT_END: the first operand */
	const char *value; /* the current option's value, or NULL */
	const char *cur;   /* the element it was read from */
};

/*
 * Start parsing ARGV (ARGV[0] is the subcommand) with getopt_long's
 * SHORTOPTS (without a leading '+' or ':') and LONGOPTS. Options stop at
 * the first operand, unless PERMUTE lets them follow operands (then
 * only "--" ends them).
 */
void opt_parser_init(struct opt_parser *p, const char *cmd, int argc,
		     char **argv, const char *shortopts,
		     const struct option *longopts, bool permute);

/*
 * The next option's val (its value in P->value), OPT_END, or OPT_ERROR
 * after one line on stderr:
 *   option '-r' requires a value
 *   option '--help' takes no value
 *   unknown option '-x' (see fsrace CMD --help)
 */
int opt_parser_next(struct opt_parser *p);

/* Reject option C just returned (one another subcommand takes) as
 * unknown, as opt_parser_next() would; returns OPT_ERROR. */
int opt_parser_unknown(struct opt_parser *p, int c);

/* The next operand after OPT_END, or NULL; with permute, operands are
 * all those after index. */
const char *opt_parser_operand(struct opt_parser *p);

#endif
