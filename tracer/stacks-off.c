// SPDX-License-Identifier: MIT
/* The tracer's stacks in a build without libunwind and libdw: none. */
#include <errno.h>

#include "tracer-int.h"

int tracer_stacks_new(struct tracer *t)
{
	return -ENOTSUP;
}

void tracer_stacks_forget(struct tracer *t, int tgid)
{
}

void tracer_stacks_maps_changed(struct tracer *t, int tgid)
{
}

const struct stack_trace *tracer_stacks_take(struct tracer *t, int tgid,
					     int tid, const char **warning,
					     bool *dropped)
{
	return NULL;
}

void tracer_stacks_free(struct tracer *t)
{
}

bool tracer_can_stack(void)
{
	return false;
}
