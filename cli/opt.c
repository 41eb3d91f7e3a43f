// SPDX-License-Identifier: MIT
#include "opt.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

void opt_parser_init(struct opt_parser *p, const char *cmd, int argc,
		     char **argv, const char *shortopts,
		     const struct option *longopts, bool permute)
{
	memset(p, 0, sizeof(*p));
	p->cmd = cmd;
	p->argc = argc;
	p->argv = argv;
	p->longopts = longopts;
	/* ':' makes a missing value ':' rather than '?' */
	snprintf(p->optstring, sizeof(p->optstring), "%s:%s",
		 permute ? "" : "+", shortopts);
	opterr = 0;
	optind = 0; /* a full reset of glibc's getopt, between subcommands */
}

/*
 * The element the option was in: CUR, the one getopt was at (within a
 * bundle of short options optind stays on it), or the one it just passed
 * when it permuted (`rules list --help=x`: CUR is "list").
 */
static const char *option_element(const struct opt_parser *p, const char *cur)
{
	if (!cur || cur[0] != '-')
		cur = optind > 0 && optind <= p->argc ? p->argv[optind - 1]
						      : "";
	return cur;
}

/* The option as the user wrote it, "--rules" (without "=...") or "-r". */
static void option_name(const struct opt_parser *p, const char *cur, char *buf,
			size_t size)
{
	cur = option_element(p, cur);
	if (!strncmp(cur, "--", 2) && cur[2])
		snprintf(buf, size, "%.*s", (int)strcspn(cur, "="), cur);
	else if (optopt)
		snprintf(buf, size, "-%c", optopt);
	else
		snprintf(buf, size, "%s", cur);
}

int opt_parser_next(struct opt_parser *p)
{
	int at = optind > 0 ? optind : 1;
	const char *cur = at < p->argc ? p->argv[at] : NULL;
	char name[256];
	int c;

	p->cur = cur;
	optopt = 0;
	c = getopt_long(p->argc, p->argv, p->optstring, p->longopts, NULL);
	p->value = optarg;
	switch (c) {
	case -1:
		p->index = optind;
		return OPT_END;
	case ':':
		option_name(p, cur, name, sizeof(name));
		errorx("option '%s' requires a value", name);
		return OPT_ERROR;
	case '?':
		option_name(p, cur, name, sizeof(name));
		/* a known long option given a value it does not take */
		if (optopt && !strncmp(name, "--", 2) &&
		    strchr(option_element(p, cur), '='))
			errorx("option '%s' takes no value", name);
		else
			errorx("unknown option '%s' (see fsrace %s --help)",
			       name, p->cmd);
		return OPT_ERROR;
	default:
		return c;
	}
}

int opt_parser_unknown(struct opt_parser *p, int c)
{
	char name[256];

	optopt = c;
	option_name(p, p->cur, name, sizeof(name));
	errorx("unknown option '%s' (see fsrace %s --help)", name, p->cmd);
	return OPT_ERROR;
}

const char *opt_parser_operand(struct opt_parser *p)
{
	return p->index < p->argc ? p->argv[p->index++] : NULL;
}
