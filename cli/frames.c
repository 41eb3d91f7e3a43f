// SPDX-License-Identifier: MIT
/*
 * The frames of a report and of fsrace dump, named with libdw
 * (stack/symbolize.h) when this build has it, by module and address
 * otherwise.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "findings.h"
#include "util.h"
#if HAVE_STACKS
#include "symbolize.h"
#endif

#if HAVE_STACKS
static void name(void *ud, const struct stack_module *m, uint64_t addr,
		 bool call_site, struct frame_name *out)
{
	struct stack_frame f;
	int r = stack_symbolize(ud, m->path, m->build_id, m->build_id_len, addr,
				call_site, &f);

	if (r == -ESTALE) {
		out->problem = "binary changed since recording";
		return;
	}
	if (r < 0) {
		out->problem = "no such file";
		return;
	}
	out->function = f.function;
	out->offset = f.offset;
	out->file = f.file;
	out->line = f.line;
}
#endif

struct frame_namer *cli_frame_namer_new(void)
{
	struct frame_namer *n = xcalloc(1, sizeof(*n));

#if HAVE_STACKS
	n->name = name;
	n->ud = stack_symbolizer_new();
#endif
	return n;
}

void cli_frame_namer_free(struct frame_namer *n)
{
	if (!n)
		return;
#if HAVE_STACKS
	stack_symbolizer_free(n->ud);
#endif
	free(n);
}

void cli_frame_name(const struct frame_namer *n, const struct stack_module *m,
		    uint64_t addr, bool call_site, struct frame_name *out)
{
	memset(out, 0, sizeof(*out));
	/* a build without libdw names nothing */
	if (n->name)
		n->name(n->ud, m, addr, call_site, out);
}
