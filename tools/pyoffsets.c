// SPDX-License-Identifier: MIT
/*
 * The layout stack/python.c reads of a CPython version, printed as the
 * entry of stack/python-offsets.h for that version: build against the
 * version's own headers, public and internal, as CPython's core is
 *
 *   cc -DPy_BUILD_CORE -I$P/include/python3.12 \
 *      -I$P/include/python3.12/internal tools/pyoffsets.c -o pyoffsets
 *
 * and paste what it prints (tests/e2e/test_stacks_python.py checks the
 * checked-in entries against every set of headers it finds). 3.13 and
 * later carry their offsets in _Py_DebugOffsets, read from the tracee:
 * for those this only checks, at build time, what stack/python.c takes
 * beyond them, and says so.
 */
#include <Python.h>
#include <stddef.h>
#include <stdio.h>

#include "pycore_frame.h"
#include "pycore_interp.h"
#include "pycore_runtime.h"

/* python.c's PY_OWNED_BY_GENERATOR: a generator's frame is never one
 * not yet begun */
_Static_assert(FRAME_OWNED_BY_GENERATOR == 1,
	       "FRAME_OWNED_BY_GENERATOR is not 1");

#if PY_VERSION_HEX >= 0x030d0000
/* python.c takes datastack_top as the word after datastack_chunk, which
 * _Py_DebugOffsets gives */
_Static_assert(offsetof(PyThreadState, datastack_top) ==
		       offsetof(PyThreadState, datastack_chunk) + 8,
	       "datastack_top does not follow datastack_chunk");
_Static_assert(offsetof(PyObject, ob_type) == 8, "ob_type is not at 8");
/* python.c's PY_313_FIRSTTRACEABLE, which _Py_DebugOffsets lacks */
_Static_assert(offsetof(PyCodeObject, _co_firsttraceable) == 184,
	       "_co_firsttraceable is not at 184");
#if PY_VERSION_HEX < 0x030e0000
/* python.c's copy of 3.13's struct (PY_DEBUG_OFFSETS_SIZE) */
_Static_assert(sizeof(_Py_DebugOffsets) == 584,
	       "_Py_DebugOffsets is not 584 bytes");
#endif

int main(void)
{
	fprintf(stderr,
		"pyoffsets: CPython %d.%d is read from "
		"_Py_DebugOffsets, not from a table\n",
		PY_MAJOR_VERSION, PY_MINOR_VERSION);
	return 3;
}
#else
#if PY_VERSION_HEX >= 0x030c0000
#define OWNED_BY_CSTACK FRAME_OWNED_BY_CSTACK
#else
#define OWNED_BY_CSTACK (-1) /* 3.11 has no frames of the C stack */
#endif

#define P(name, value) printf("\t.%s = %d,\n", name, (int)(value))

int main(void)
{
#ifdef Py_DEBUG
	fputs("pyoffsets: a debug build's headers (Py_DEBUG): python.c "
	      "takes no frames of debug builds\n",
	      stderr);
	return 1;
#endif
	printf("/* CPython %d.%d, x86_64 release builds (tools/pyoffsets.c) "
	       "*/\n",
	       PY_MAJOR_VERSION, PY_MINOR_VERSION);
	printf("static const struct py_offsets offsets_%d%d = {\n",
	       PY_MAJOR_VERSION, PY_MINOR_VERSION);
	printf("\t.version = 0x%04x,\n", PY_VERSION_HEX >> 16);
	P("rt_interp_head", offsetof(_PyRuntimeState, interpreters.head));
	P("is_next", offsetof(PyInterpreterState, next));
	P("is_threads_head", offsetof(PyInterpreterState, threads.head));
	P("ts_prev", offsetof(PyThreadState, prev));
	P("ts_next", offsetof(PyThreadState, next));
	P("ts_native_tid", offsetof(PyThreadState, native_thread_id));
	P("ts_cframe", offsetof(PyThreadState, cframe));
	P("ts_datastack_chunk", offsetof(PyThreadState, datastack_chunk));
	P("ts_datastack_top", offsetof(PyThreadState, datastack_top));
	P("cf_current", offsetof(_PyCFrame, current_frame));
	P("if_code", offsetof(_PyInterpreterFrame, f_code));
	P("if_previous", offsetof(_PyInterpreterFrame, previous));
	P("if_prev_instr", offsetof(_PyInterpreterFrame, prev_instr));
	P("if_owner", offsetof(_PyInterpreterFrame, owner));
	P("owner_cstack", OWNED_BY_CSTACK);
	P("ob_type", offsetof(PyObject, ob_type));
	P("co_firstlineno", offsetof(PyCodeObject, co_firstlineno));
	P("co_filename", offsetof(PyCodeObject, co_filename));
	P("co_qualname", offsetof(PyCodeObject, co_qualname));
	P("co_linetable", offsetof(PyCodeObject, co_linetable));
	P("co_code", offsetof(PyCodeObject, co_code_adaptive));
	P("co_firsttraceable", offsetof(PyCodeObject, _co_firsttraceable));
	P("bytes_size", offsetof(PyBytesObject, ob_base.ob_size));
	P("bytes_sval", offsetof(PyBytesObject, ob_sval));
	P("str_length", offsetof(PyASCIIObject, length));
	P("str_state", offsetof(PyASCIIObject, state));
	P("str_ascii_data", sizeof(PyASCIIObject));
	puts("};");
	return 0;
}
#endif
