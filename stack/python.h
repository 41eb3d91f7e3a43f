/* SPDX-License-Identifier: MIT */
/*
 * Python frames of a stopped CPython thread (issue 9): for a task whose
 * image is CPython 3.11, 3.12 or 3.13 (the executable or a libpython),
 * the frames of the thread's interpreter stack, innermost first, with
 * file, qualified name and line, read from the tracee's memory at the
 * syscall stop. The GIL is not needed: the thread is found by its
 * native_thread_id, not by gilstate (a thread at a file syscall has
 * released it). The layouts of 3.11 and 3.12 are checked-in tables
 * (stack/python-offsets.h, printed by tools/pyoffsets.c from each
 * version's headers); 3.13's are read from the _Py_DebugOffsets at the
 * start of the tracee's _PyRuntime. Release builds of x86_64 only: any
 * other version or build gives no Python frames, never garbage.
 */
#ifndef FSRACE_STACK_PYTHON_H
#define FSRACE_STACK_PYTHON_H

#include <stddef.h>
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

/*
 * Where the fields python.c reads are in one CPython version's
 * structures, in bytes from the start of each.
 */
struct py_offsets {
	uint32_t version; /* major.minor, PY_VERSION_HEX >> 16 */
	uint16_t rt_interp_head;
	uint16_t is_next, is_threads_head;
	/* a state is its thread's while it is in the interpreter's list:
	 * one freed keeps its native_thread_id */
	uint16_t ts_prev, ts_next, ts_native_tid;
	/* the innermost frame: tstate->cframe->current_frame (3.11,
	 * 3.12), or tstate->current_frame (3.13: ts_cframe 0) */
	uint16_t ts_cframe, cf_current, ts_current_frame;
	/* the chunk of the thread's data stack that holds its frames */
	uint16_t ts_datastack_chunk, ts_datastack_top;
	/* _PyInterpreterFrame; if_code is f_code, or 3.13's f_executable,
	 * if_prev_instr 3.13's instr_ptr */
	uint16_t if_code, if_previous, if_prev_instr, if_owner;
	int8_t owner_cstack; /* FRAME_OWNED_BY_CSTACK; -1: none (3.11) */
	uint16_t ob_type;
	uint16_t co_firstlineno, co_filename, co_qualname, co_linetable,
		co_code;
	/* _co_firsttraceable: a frame is not begun (_PyFrame_IsIncomplete)
	 * before that instruction; not in 3.13's _Py_DebugOffsets */
	uint16_t co_firsttraceable;
	uint16_t bytes_size, bytes_sval;
	uint16_t str_length, str_state, str_ascii_data;
};

/* The bytes of 3.13's _Py_DebugOffsets. */
#define PY_DEBUG_OFFSETS_SIZE 584

/*
 * RET from the _Py_DebugOffsets of a CPython 3.13 (BUF, N bytes, as
 * found at the start of its _PyRuntime) of version HEX (its
 * Py_Version). 0, or -ENOTSUP when the cookie, the version, the build
 * (free-threaded) or an offset is not what this file can read.
 */
int py_debug_offsets(const void *buf, size_t n, uint32_t hex,
		     struct py_offsets *ret);

struct py_cache;

/* Where one address space's interpreter is. */
struct py_runtime {
	uint64_t runtime; /* _PyRuntime, in the tracee; 0: not CPython */
	uint32_t version; /* PY_VERSION_HEX */
	const struct py_offsets *off;
	struct py_offsets debug; /* off, for 3.13 */
	uint64_t code_type;	 /* &PyCode_Type, in the tracee; 0: unknown */
	struct py_cache *cache;	 /* owned; made by py_frames() */
	/* frames whose header came from the one read of the data stack,
	 * frames read one by one, code objects read again, threads looked
	 * for in the interpreters' lists (not as the last walk found them) */
	unsigned long frames_batched, frames_alone, code_misses, ts_lookups;
};

/*
 * Find the interpreter of the address space S (PID's): _PyRuntime and
 * Py_Version in the dynamic symbols of its executable or of a mapped
 * libpython. 0 with RT filled, -ENOENT if it is not CPython, -ENOTSUP
 * for a version or build without offsets here (RT->version tells which;
 * 0 before 3.11, which has no Py_Version).
 * RT is overwritten, not released: release it first if it was found.
 */
int py_runtime_find(struct module_space *s, struct py_runtime *rt);

/* Free what py_frames() cached in RT. */
void py_runtime_release(struct py_runtime *rt);

/*
 * The Python frames of thread TID, innermost first, at most MAX: the
 * number (0: the thread runs no Python code), or -errno. One read of
 * the thread's data stack gives the frames it holds; the code objects
 * are cached in RT, each checked against the tracee's at every walk by
 * one batched read (a code object freed and another made at its
 * address is read again). The thread's state is taken as the last walk
 * found it while it is still in its interpreter's list (a state freed
 * keeps its thread id), and looked for again when it gives no frames.
 */
int py_frames(struct py_runtime *rt, pid_t tid, struct py_frame *f, int max);

/*
 * The line of the instruction at byte offset ADDRQ of a code object
 * whose co_linetable is LT (N bytes) and first line FIRSTLINENO, as
 * CPython 3.11's _PyCode_CheckLineNumber computes it (Objects/
 * locations.md; 3.12 and 3.13 keep the format); -1 where the table
 * says "no location".
 */
int py_addr2line(const unsigned char *lt, size_t n, int firstlineno, int addrq);

/*
 * The line of the instruction at INSTR of a code object whose first
 * instruction is at START, both addresses in the tracee (3.11 and
 * 3.12's prev_instr, 3.13's instr_ptr), by py_addr2line(); -1 where
 * INSTR is no instruction of it: more than one before START, or more
 * than INT_MAX / 2 bytes after.
 */
int py_instr_line(const unsigned char *lt, size_t n, int firstlineno,
		  uint64_t start, uint64_t instr);

#endif
