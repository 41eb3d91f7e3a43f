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
static void name(void *ud, const struct stack_pc *pc, bool call_site,
		 struct frame_name *out)
{
	const struct stack_module *m = pc->mod;
	const struct stack_named *nm = pc->named;
	struct stack_frame f;
	int r = stack_symbolize(ud, m->path, m->build_id, m->build_id_len,
				pc->addr, call_site, &f);

	if (r == -ESTALE) {
		out->problem = "binary changed since recording";
		return;
	}
	if (r < 0) {
		out->problem = "no such file";
		return;
	}
	/*
	 * A log holds no build-id: the file here is the one it was made
	 * with if it has the log's function where the log saw it (the log
	 * may name the symbol before the one that holds the address, as
	 * strace -k with libunwind does, but that symbol does start there)
	 */
	if (nm && nm->function && !m->build_id_len &&
	    !stack_symbol_at(ud, m->path, nm->function,
			     pc->addr - nm->offset)) {
		out->problem = "not the file the log was made with";
		return;
	}
	out->function = f.function;
	out->offset = f.offset;
	out->file = f.file;
	out->line = f.line;
	out->inlined = f.ncallers > 0;
	out->ncallers = f.ncallers;
	for (int i = 0; i < f.ncallers && i < FRAME_INLINE_MAX; i++) {
		out->callers[i].function = f.callers[i].function;
		out->callers[i].file = f.callers[i].file;
		out->callers[i].line = f.callers[i].line;
	}
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
