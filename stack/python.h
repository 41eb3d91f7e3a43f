/* SPDX-License-Identifier: MIT */
/*
 * Python frames of a stopped CPython thread (issue 9): for a task whose
 * image is CPython 3.11 (the executable or a libpython3.11), the frames
 * of the thread's interpreter stack, innermost first, with file,
 * qualified name and line, read from the tracee's memory at the syscall
 * stop. The GIL is not needed: the thread is found by its
 * native_thread_id, not by gilstate (a thread at a file syscall has
 * released it). Offsets are a checked-in table for 3.11 release builds
 * of x86_64 (tools/pyoffsets.c printed them from the 3.11 headers);
 * any other version or build gives no Python frames, never garbage.
 */
#ifndef FSRACE_STACK_PYTHON_H
#define FSRACE_STACK_PYTHON_H

#include <stdint.h>
#include <sys/types.h>

#include "modules.h"

#define PY_NAME_MAX 128
#define PY_FILE_MAX 256

struct py_frame {
	char file[PY_FILE_MAX];
	char function[PY_NAME_MAX]; /* co_qualname */
	int line;		    /* -1: no line */
};

/* Where one address space's interpreter is. */
struct py_runtime {
	uint64_t runtime; /* _PyRuntime, in the tracee; 0: not CPython */
	uint32_t version; /* PY_VERSION_HEX */
	const struct py_offsets *off;
};

/*
 * Find the interpreter of the address space S (PID's): _PyRuntime and
 * Py_Version in the dynamic symbols of its executable or of a mapped
 * libpython. 0 with RT filled, -ENOENT if it is not CPython, -ENOTSUP
 * for a version or build without offsets here (RT->version tells which).
 */
int py_runtime_find(struct module_space *s, struct py_runtime *rt);

/*
 * The Python frames of thread TID, innermost first, at most MAX: the
 * number (0: the thread runs no Python code), or -errno.
 */
int py_frames(const struct py_runtime *rt, pid_t tid, struct py_frame *f,
	      int max);

/*
 * The line of the instruction at byte offset ADDRQ of a code object
 * whose co_linetable is LT (N bytes) and first line FIRSTLINENO, as
 * CPython 3.11's _PyCode_CheckLineNumber computes it (Objects/
 * locations.md); -1 where the table says "no location".
 */
int py_addr2line(const unsigned char *lt, size_t n, int firstlineno, int addrq);

#endif
