/* SPDX-License-Identifier: MIT */
/*
 * The layouts of the CPython versions stack/python.c reads from a
 * table, one entry a version, each printed by tools/pyoffsets.c against
 * that version's headers (3.11: Debian's 3.11.2 and 3.11.7 built from
 * source print the same; 3.12: 3.12.1). tests/e2e/test_stacks_python.py
 * checks every entry against each set of headers it finds. 3.13 and
 * later are not here: they are read from the tracee's _Py_DebugOffsets.
 * Included by python.c only.
 */
#ifndef FSRACE_STACK_PYTHON_OFFSETS_H
#define FSRACE_STACK_PYTHON_OFFSETS_H

#include "python.h"

/* CPython 3.11, x86_64 release builds (tools/pyoffsets.c) */
static const struct py_offsets offsets_311 = {
	.version = 0x030b,
	.rt_interp_head = 40,
	.is_next = 0,
	.is_threads_head = 16,
	.ts_prev = 0,
	.ts_next = 8,
	.ts_native_tid = 160,
	.ts_cframe = 56,
	.ts_datastack_chunk = 296,
	.ts_datastack_top = 304,
	.cf_current = 8,
	.if_code = 32,
	.if_previous = 48,
	.if_prev_instr = 56,
	.if_owner = 69,
	.owner_cstack = -1,
	.ob_type = 8,
	.co_firstlineno = 72,
	.co_filename = 112,
	.co_qualname = 128,
	.co_linetable = 136,
	.co_code = 184,
	.co_firsttraceable = 168,
	.bytes_size = 16,
	.bytes_sval = 32,
	.str_length = 16,
	.str_state = 32,
	.str_ascii_data = 48,
};

/* CPython 3.12, x86_64 release builds (tools/pyoffsets.c) */
static const struct py_offsets offsets_312 = {
	.version = 0x030c,
	.rt_interp_head = 40,
	.is_next = 0,
	.is_threads_head = 72,
	.ts_prev = 0,
	.ts_next = 8,
	.ts_native_tid = 144,
	.ts_cframe = 56,
	.ts_datastack_chunk = 232,
	.ts_datastack_top = 240,
	.cf_current = 0,
	.if_code = 0,
	.if_previous = 8,
	.if_prev_instr = 56,
	.if_owner = 70,
	.owner_cstack = 3,
	.ob_type = 8,
	.co_firstlineno = 68,
	.co_filename = 112,
	.co_qualname = 128,
	.co_linetable = 136,
	.co_code = 192,
	.co_firsttraceable = 176,
	.bytes_size = 16,
	.bytes_sval = 32,
	.str_length = 16,
	.str_state = 32,
	.str_ascii_data = 40,
};

#endif
