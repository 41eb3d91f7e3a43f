// SPDX-License-Identifier: MIT
/* fsrace rules: list, show and check rule files. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "rule.h"
#include "util.h"

static void usage(FILE *f)
{
	fputs("usage: fsrace rules [list] [-r PATH]... [--no-default-rules]\n"
	      "       fsrace rules show ID [-r PATH]...\n"
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

int cmd_rules(int argc, char **argv)
{
	const char *sub = argc > 1 && argv[1][0] != '-' ? argv[1] : "list";
	int first = argc > 1 && argv[1][0] != '-' ? 2 : 1;
	struct rule_set rs;
	char err[1024];
	int status = EXIT_CLEAN;

	rule_set_init(&rs);
	if (!strcmp(sub, "check")) {
		if (first >= argc) {
			errorx("rules check needs a rule file");
			return EXIT_USAGE;
		}
		/* the shipped groups (@open, @stat …) are there to use */
		if (cli_load_default_rules(&rs, err, sizeof(err)) < 0) {
			errorx("%s", err);
			return EXIT_USAGE;
		}
		for (int i = first; i < argc; i++) {
			int before = rs.nrules;

			if (rule_set_load(&rs, argv[i], err, sizeof(err)) < 0) {
				errorx("%s", err);
				status = EXIT_USAGE;
				continue;
			}
			printf("%s: %d rule%s, ok\n", argv[i],
			       rs.nrules - before,
			       rs.nrules - before == 1 ? "" : "s");
		}
		rule_set_release(&rs);
		return status;
	}
	if (strcmp(sub, "list") && strcmp(sub, "show")) {
		if (!strcmp(sub, "help") || !strcmp(sub, "--help")) {
			usage(stdout);
			return EXIT_CLEAN;
		}
		errorx("unknown rules command '%s' (list, show, check)", sub);
		return EXIT_USAGE;
	}
	{
		bool defaults = true;
		const char *id = NULL;

		for (int i = first; i < argc; i++) {
			if (!strcmp(argv[i], "--no-default-rules")) {
				defaults = false;
			} else if ((!strcmp(argv[i], "-r") ||
				    !strcmp(argv[i], "--rules")) &&
				   i + 1 < argc) {
				i++;
			} else if (!strcmp(sub, "show") && !id &&
				   argv[i][0] != '-') {
				id = argv[i];
			} else {
				errorx("unknown argument '%s' (see fsrace "
				       "rules help)",
				       argv[i]);
				return EXIT_USAGE;
			}
		}
		if (defaults &&
		    cli_load_default_rules(&rs, err, sizeof(err)) < 0)
			goto out_error;
		for (int i = first; i < argc; i++)
			if ((!strcmp(argv[i], "-r") ||
			     !strcmp(argv[i], "--rules")) &&
			    rule_set_load(&rs, argv[++i], err, sizeof(err)) < 0)
				goto out_error;
		if (!strcmp(sub, "show")) {
			if (!id) {
				errorx("rules show needs a rule id");
				status = EXIT_USAGE;
			} else if (!rule_set_find(&rs, id)) {
				errorx("no rule '%s' (see fsrace rules)", id);
				status = EXIT_USAGE;
			} else {
				show(&rs, id);
			}
			rule_set_release(&rs);
			return status;
		}
		for (int i = 0; i < rs.nrules; i++) {
			const struct rule *r = rs.rules[i];

			if (i > 0 && !strcmp(r->id, rs.rules[i - 1]->id))
				continue;
			printf("%-30s %-8s %-4s %s\n", r->id,
			       severity_name(r->severity),
			       r->enabled ? "on" : "off", r->title);
		}
		rule_set_release(&rs);
		return EXIT_CLEAN;
	}
out_error:
	errorx("%s", err);
	rule_set_release(&rs);
	return EXIT_USAGE;
}
