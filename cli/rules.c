// SPDX-License-Identifier: MIT
/* fsrace rules: list, show and check rule files. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "opt.h"
#include "rule.h"
#include "suppress.h"
#include "util.h"

static void usage(FILE *f)
{
	fputs("usage: fsrace rules [list] [-r PATH]... [--no-default-rules]\n"
	      "       fsrace rules show ID [-r PATH]... [--no-default-rules]\n"
	      "       fsrace rules check FILE...\n",
	      f);
}

static void show(const struct rule_set *rs, const char *id)
{
	const struct rule *r = rule_set_find(rs, id);
	int variants = 0;

	for (int i = 0; i < rs->nrules; i++)
		variants += !strcmp(rs->rules[i]->id, id);
	printf("%s: %s\n", r->id, r->title);
	printf("  severity: %s%s\n", severity_name(r->severity),
	       r->enabled ? "" : " (disabled by default: --enable it)");
	printf("  source: %s:%d\n", r->source, r->line);
	if (variants > 1)
		printf("  variants: %d\n", variants);
	printf("  steps:");
	for (int s = 0; s < r->nsteps; s++)
		printf("%s %s", s ? " →" : "", r->steps[s].name);
	putchar('\n');
	if (r->explanation)
		printf("  why: %s\n", r->explanation);
	if (r->fix)
		printf("  fix: %s\n", r->fix);
	for (int i = 0; i < r->nreferences; i++)
		printf("  see: %s\n", r->references[i]);
}

static int check(struct rule_set *rs, char **files, int nfiles)
{
	char err[1024];
	int status = EXIT_CLEAN;

	if (!nfiles) {
		errorx("rules check needs a rule file");
		return EXIT_USAGE;
	}
	/* the shipped groups (@open, @stat …) are there to use */
	if (cli_load_default_rules(rs, err, sizeof(err)) < 0) {
		errorx("%s", err);
		return EXIT_USAGE;
	}
	suppress_mark_shipped(rs);
	for (int i = 0; i < nfiles; i++) {
		int before = rs->nrules, supps = rs->nsuppressions;

		if (rule_set_load(rs, files[i], err, sizeof(err)) < 0 ||
		    suppress_check_rules(rs, supps, err, sizeof(err)) < 0) {
			errorx("%s", err);
			status = EXIT_USAGE;
			continue;
		}
		printf("%s: %d rule%s", files[i], rs->nrules - before,
		       rs->nrules - before == 1 ? "" : "s");
		if (rs->nsuppressions > supps)
			printf(", %d suppression%s", rs->nsuppressions - supps,
			       rs->nsuppressions - supps == 1 ? "" : "s");
		puts(", ok");
	}
	return status;
}

static void list(const struct rule_set *rs)
{
	for (int i = 0; i < rs->nrules; i++) {
		const struct rule *r = rs->rules[i];

		if (i > 0 && !strcmp(r->id, rs->rules[i - 1]->id))
			continue;
		printf("%-30s %-8s %-4s %s\n", r->id,
		       severity_name(r->severity), r->enabled ? "on" : "off",
		       r->title);
	}
}

int cmd_rules(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"rules", required_argument, NULL, 'r'},
		{"no-default-rules", no_argument, NULL, 'R'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	_cleanup_free_ const char **paths =
		xcalloc((size_t)argc, sizeof(char *));
	struct opt_parser p;
	struct rule_set rs;
	const char *sub, *id = NULL, *extra;
	char err[1024];
	bool defaults = true;
	int c, npaths = 0, status = EXIT_USAGE;

	/* options may follow the operands: fsrace rules show ID -r PATH */
	opt_parser_init(&p, "rules", argc, argv, "r:h", lopts, true);
	while ((c = opt_parser_next(&p)) != OPT_END) {
		switch (c) {
		case 'r':
			paths[npaths++] = p.value;
			break;
		case 'R':
			defaults = false;
			break;
		case 'h':
			usage(stdout);
			return EXIT_CLEAN;
		default:
			return EXIT_USAGE;
		}
	}
	sub = opt_parser_operand(&p);
	if (!sub)
		sub = "list";
	if (!strcmp(sub, "help")) {
		usage(stdout);
		return EXIT_CLEAN;
	}
	rule_set_init(&rs);
	if (!strcmp(sub, "check")) {
		if (npaths || !defaults) {
			errorx("rules check takes rule files, not -r or "
			       "--no-default-rules");
			goto out;
		}
		status = check(&rs, argv + p.index, argc - p.index);
		goto out;
	}
	if (strcmp(sub, "list") && strcmp(sub, "show")) {
		errorx("unknown rules command '%s' (list, show, check)", sub);
		goto out;
	}
	if (!strcmp(sub, "show"))
		id = opt_parser_operand(&p);
	extra = opt_parser_operand(&p);
	if (extra) {
		errorx("unknown argument '%s' (see fsrace rules --help)",
		       extra);
		goto out;
	}
	if (defaults ? cli_load_default_rules(&rs, err, sizeof(err)) < 0
		     : cli_load_default_groups(&rs, err, sizeof(err)) < 0)
		goto out_error;
	for (int i = 0; i < npaths; i++)
		if (rule_set_load(&rs, paths[i], err, sizeof(err)) < 0)
			goto out_error;
	if (!strcmp(sub, "list")) {
		list(&rs);
		status = EXIT_CLEAN;
	} else if (!id) {
		errorx("rules show needs a rule id");
	} else if (!rule_set_find(&rs, id)) {
		errorx("no rule '%s' (see fsrace rules)", id);
	} else {
		show(&rs, id);
		status = EXIT_CLEAN;
	}
	goto out;
out_error:
	errorx("%s", err);
out:
	rule_set_release(&rs);
	return status;
}
