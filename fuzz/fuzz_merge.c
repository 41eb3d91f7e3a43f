// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for fsrace merge (cli/merge.c): the findings
 * documents of several runs read with jansson and merged into one. The
 * input is up to four documents joined by a line "--doc--"; they are
 * written to files and merged as `fsrace merge --fail-on none -o OUT
 * DOC...` merges them. A refusal is exit 2, one line on standard error
 * naming one of the documents, and no OUT; a merge taken is exit 0 and
 * an OUT that is itself a findings document merge takes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cli/cli.h"
#include "fuzz.h"
#include "suppress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* analyzers/rule.c gives merge severity_parse(); its rule_set_release,
 * which merge never calls, wants the suppressions' */
void suppress_truncate(struct rule_set *rs, int n)
{
	(void)rs;
	(void)n;
	abort();
}

#define MAX_DOCS 4
static const char sep[] = "\n--doc--\n";

static char docs[MAX_DOCS][300], out[300];

/* cmd_merge on ARGV (ARGC), what it writes on stderr in *MSG (to free):
 * its status. The stream is swapped, not fd 2, so that a sanitizer's
 * report still reaches libFuzzer's. */
static int merge(int argc, char **argv, char **msg)
{
	FILE *saved = stderr, *f;
	size_t n;
	int status;

	if (!(f = open_memstream(msg, &n)))
		abort();
	stderr = f;
	status = cmd_merge(argc, argv);
	stderr = saved;
	fclose(f);
	return status;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[5 + MAX_DOCS + 1] = {"merge", "--fail-on", "none", "-o",
					out};
	char *msg = NULL;
	const uint8_t *p = data, *end = data + size;
	int ndocs = 0, status;

	if (!out[0]) {
		fuzz_path(out, sizeof(out), "merged.json");
		for (int i = 0; i < MAX_DOCS; i++) {
			char name[32];

			snprintf(name, sizeof(name), "doc%d.json", i);
			fuzz_path(docs[i], sizeof(docs[i]), name);
		}
	}
	while (ndocs < MAX_DOCS) {
		const uint8_t *q = ndocs + 1 < MAX_DOCS
					   ? memmem(p, (size_t)(end - p), sep,
						    sizeof(sep) - 1)
					   : NULL;

		fuzz_write(docs[ndocs], p, (size_t)((q ? q : end) - p));
		argv[5 + ndocs] = docs[ndocs];
		ndocs++;
		if (!q)
			break;
		p = q + sizeof(sep) - 1;
	}
	argv[5 + ndocs] = NULL;
	unlink(out);
	status = merge(5 + ndocs, argv, &msg);
	if (status == EXIT_USAGE) {
		/* one line, "fsrace: ", naming a document */
		bool named = false;
		char *nl = strchr(msg, '\n');

		if (strncmp(msg, "fsrace: ", 8) || !nl || nl[1])
			abort();
		for (int i = 0; i < ndocs; i++)
			named |= strstr(msg, docs[i]) != NULL;
		if (!named || access(out, F_OK) == 0)
			abort(); /* the file named, nothing written */
	} else if (status == EXIT_CLEAN) {
		/* nothing said; what was written merges again */
		char *again[] = {"merge", "--fail-on", "none", "-o",
				 out,	  out,	       NULL};

		if (msg[0] || access(out, F_OK) < 0)
			abort();
		free(msg);
		msg = NULL;
		if (merge(6, again, &msg) != EXIT_CLEAN || msg[0])
			abort();
	} else {
		abort(); /* --fail-on none: never 1 */
	}
	for (int i = 0; i < ndocs; i++)
		unlink(docs[i]);
	unlink(out);
	free(msg);
	return 0;
}
