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

#include "rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[300];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char groups[] =
		"{\"groups\": {\"open\": [\"open\", \"openat\"], "
		"\"stat\": [\"stat\", \"newfstatat\"]}}";
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	char gpath[320], err[1024];
	struct rule_set rs;
	FILE *f;

	snprintf(path, sizeof(path), "%s/fsrace-fuzz-rules-%d.json", base,
		 (int)getpid());
	snprintf(gpath, sizeof(gpath), "%s/fsrace-fuzz-groups-%d.json", base,
		 (int)getpid());
	f = fopen(gpath, "w");
	if (!f || fputs(groups, f) < 0)
		abort();
	fclose(f);
	f = fopen(path, "w");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	rule_set_init(&rs);
	if (rule_set_load(&rs, gpath, err, sizeof(err)) < 0)
		abort();
	err[0] = '\0';
	if (rule_set_load(&rs, path, err, sizeof(err)) < 0 &&
	    !strstr(err, path))
		abort(); /* an error names the file */
	rule_set_release(&rs);
	return 0;
}
