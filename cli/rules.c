// SPDX-License-Identifier: MIT
/* fsrace rules: list, show and check rule files. */
#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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
	for (int i = 0; i < r->nparams; i++) {
		const struct rule_param *p = &r->params[i];

		printf("  parameter %s (--param %s.%s=V:V...): [", p->name,
		       r->id, p->name);
		for (int k = 0; k < p->ndefaults; k++)
			printf("%s\"%s\"", k ? ", " : "", p->defaults[k]);
		printf("]%s%s\n", p->description ? ", " : "",
		       p->description ? p->description : "");
	}
	for (int i = 0; i < r->nreferences; i++)
		printf("  see: %s\n", r->references[i]);
}

static void print_ok(const char *file, int nrules, int nsupps)
{
	printf("%s: %d rule%s", file, nrules, nrules == 1 ? "" : "s");
	if (nsupps)
		printf(", %d suppression%s", nsupps, nsupps == 1 ? "" : "s");
	puts(", ok");
}

static bool same_file(const char *path, const struct stat *st)
{
	struct stat sh;

	return path && stat(path, &sh) == 0 && sh.st_dev == st->st_dev &&
	       sh.st_ino == st->st_ino;
}

/*
 * FILE is one of the shipped files (or their directory), which the
 * defaults loaded: count what came from it rather than load it a second
 * time (its rules and groups would be "defined twice"). False if it is
 * none of them.
 */
static bool shipped_ok(const struct rule_set *rs, int nrules, int nsupps,
		       const char *file)
{
	const char *dir = cli_default_rules_dir();
	DIR *dp;
	char path[PATH_MAX];
	bool shipped = false;
	struct dirent *d;
	struct stat st;
	int r = 0, n = 0;

	if (stat(file, &st) < 0)
		return false;
	/* the shipped directory itself: all of it */
	if (S_ISDIR(st.st_mode) && same_file(dir, &st)) {
		print_ok(file, nrules, nsupps);
		return true;
	}
	if (!S_ISREG(st.st_mode) || !(dp = opendir(dir)))
		return false;
	/* only what the defaults loaded: a draft (.x.json, x.json.orig)
	 * there is checked as any other file */
	while (!shipped && (d = readdir(dp)))
		shipped = rule_file_name(d->d_name) &&
			  snprintf(path, sizeof(path), "%s/%s", dir,
				   d->d_name) < (int)sizeof(path) &&
			  same_file(path, &st);
	closedir(dp);
	if (!shipped)
		return false;
	for (int i = 0; i < nrules; i++)
		r += same_file(rs->rules[i]->source, &st);
	for (int i = 0; i < nsupps; i++)
		n += same_file(rs->suppressions[i].file, &st);
	print_ok(file, r, n);
	return true;
}

static int check(struct rule_set *rs, char **files, int nfiles)
{
	char err[1024];
	int status = EXIT_CLEAN, shipped_rules, shipped_supps;

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
	shipped_rules = rs->nrules;
	shipped_supps = rs->nsuppressions;
	for (int i = 0; i < nfiles; i++) {
		int before = rs->nrules, supps = rs->nsuppressions;

		if (shipped_ok(rs, shipped_rules, shipped_supps, files[i]))
			continue;
		if (rule_set_load(rs, files[i], err, sizeof(err)) < 0 ||
		    suppress_check_rules(rs, supps, err, sizeof(err)) < 0) {
			errorx("%s", err);
			status = EXIT_USAGE;
			continue;
		}
		print_ok(files[i], rs->nrules - before,
			 rs->nsuppressions - supps);
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
