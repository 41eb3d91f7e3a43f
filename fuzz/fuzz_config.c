// SPDX-License-Identifier: MIT
/*
 * libFuzzer targets for the configuration file (cli/config.c: a
 * fsrace.json given with --config) and, with FSRACE_FUZZ_BASELINE, the
 * baseline file (cli/baseline.c: --baseline). The input is one file; it
 * is read as analyze would read it. A refusal is a message on standard
 * error (closed by fuzz/run.sh) and -1; a file taken is released whole.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cli/cli.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* what cli/analyze.c and cli/output.c give the real binary */
bool cli_format_known(const char *s, size_t n)
{
	static const char *const names[] = {"text", "json", "sarif", "github",
					    "codequality"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && !strncmp(s, names[i], n))
			return true;
	return false;
}

void cli_write_error(const char *path, int err)
{
	fprintf(stderr, "%s: %s\n", path, strerror(-err));
}

static char path[300];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!path[0])
		fuzz_path(path, sizeof(path), "config.json");
	fuzz_write(path, data, size);
#ifdef FSRACE_FUZZ_BASELINE
	{
		uint64_t *fps = NULL;
		size_t n = 0;

		if (baseline_load(path, &fps, &n) == 0)
			for (size_t i = 1; i < n; i++)
				if (fps[i - 1] > fps[i])
					abort(); /* the loader sorts them */
		free(fps);
	}
#else
	{
		char *argv[] = {"analyze", "--config", path, "t.jsonl", NULL};
		char **cargv = NULL, *cpath = NULL;
		int cargc = 0;

		if (config_argv(4, argv, false, &cargc, &cargv, &cpath) >= 0) {
			if (!cargv || cargc < 4 ||
			    strcmp(cargv[cargc - 1], "t.jsonl"))
				abort(); /* the command line's come last */
			config_argv_free(cargc, cargv);
		}
		free(cpath);
	}
#endif
	unlink(path);
	return 0;
}
