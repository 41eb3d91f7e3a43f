// SPDX-License-Identifier: MIT
/* Durability intent (durability.h). */
#include "durability.h"

#include <stdlib.h>

#include "util.h"

struct durability {
	int unused;
};

struct durability *durability_new(void)
{
	return xcalloc(1, sizeof(struct durability));
}

void durability_free(struct durability *d)
{
	free(d);
}

void durability_observe(struct durability *d, const struct event *ev)
{
	(void)d;
	(void)ev;
}

enum finding_status durability_match(struct durability *d, const struct rule *r,
				     const struct evidence *const *ev, int nev,
				     const char **reason)
{
	(void)d;
	(void)r;
	(void)ev;
	(void)nev;
	(void)reason;
	return FST_REPORTED;
}

void durability_finish(struct durability *d, struct findings *fs)
{
	(void)d;
	(void)fs;
}
