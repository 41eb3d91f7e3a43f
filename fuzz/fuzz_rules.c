// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the rule-file loader (analyzers/rule_load.c and
 * what it calls: the JSON parser of rule files, conditions, suppressions,
 * the path policy, parameters): the input is one rule file, loaded after
 * the shipped groups as fsrace loads a user's -r file. A file it refuses
 * must say why, with its name; one it takes must be released whole.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[300];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char groups[] =
		"{\"groups\": {\"open\": [\"open\", \"openat\"], "
		"\"stat\": [\"stat\", \"newfstatat\"]}}";
	static char gpath[300];
	struct rule_set rs;
	char err[1024];

	if (!path[0]) {
		fuzz_path(path, sizeof(path), "rules.json");
		fuzz_path(gpath, sizeof(gpath), "groups.json");
	}
	fuzz_write(gpath, groups, sizeof(groups) - 1);
	fuzz_write(path, data, size);
	rule_set_init(&rs);
	if (rule_set_load(&rs, gpath, err, sizeof(err)) < 0)
		abort();
	err[0] = '\0';
	if (rule_set_load(&rs, path, err, sizeof(err)) < 0 &&
	    !strstr(err, path))
		abort(); /* an error names the file */
	rule_set_release(&rs);
	unlink(path);
	unlink(gpath);
	return 0;
}
