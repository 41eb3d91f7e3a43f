/* SPDX-License-Identifier: MIT */
/*
 * The stacks of a trace (issue 9), interned: each module (a file that
 * held code, by device, inode and build-id) and each distinct stack is
 * stored once and has a small id; an event points at its stack. A frame
 * is a module and an address in that module's own link-time addresses
 * (the instruction pointer less its mapping's bias), so one stack serves
 * every process that ran the same code, wherever it was loaded.
 *
 * The tracer interns what it walks, the trace writer writes each module
 * and stack once before the first event that refers to it, the reader
 * adds them back by id. Entries never move and are never freed before
 * the table: events and findings keep pointers to them, from any thread
 * once they are made.
 */
#ifndef FSRACE_STACKS_H
#define FSRACE_STACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STACK_BUILD_ID_MAX 20
/* the most frames a stack holds */
#define STACK_DEPTH_MAX 64

struct stack_module {
	uint32_t id; /* 1, 2, ... */
	char *path;
	uint64_t dev, ino;
	unsigned char build_id[STACK_BUILD_ID_MAX];
	int build_id_len;
};

/*
 * A frame as the log it was imported from named it (strace -k: "save+0x1d",
 * with its source line when strace had it), interned in the table. The
 * report names a frame from its module's file when it can; this is what
 * it shows when it cannot (no such file here, or not the one the log was
 * made with).
 */
struct stack_named {
	const char *function; /* NULL: the log named no function */
	uint64_t offset;      /* from the function's start */
	const char *file;     /* NULL: no source line */
	int line;
};

/* One frame: an address in MOD, or with MOD NULL an instruction pointer
 * no file-backed mapping held (JIT code, a vDSO). NAMED: what a log
 * named it, or NULL (always, for a stack fsrace took itself). */
struct stack_pc {
	const struct stack_module *mod;
	uint64_t addr;
	const struct stack_named *named;
};

/* A frame of an interpreter's own stack (CPython): its strings are
 * interned in the table, so two frames are one by pointers. */
struct stack_py {
	const char *file;
	const char *function;
	int line; /* -1: none */
};

struct stack_trace {
	uint32_t id;  /* 1, 2, ... */
	uint32_t n;   /* native frames, innermost first */
	uint32_t npy; /* Python frames, innermost first (the native ones are
		       * then the interpreter's) */
	const struct stack_py *py;
	struct stack_pc pc[];
};

/*
 * The ceilings of a table (docs/performance.md), which a traced program
 * controls: its distinct stacks, the files its code came from, and the
 * names of frames (CPython's file and function names, a log's names of
 * native frames). Past one, what is new is not kept: a stack is not
 * made (its event has none), a frame has no module (it is a bare
 * address) or no name, and the table counts each. Together they bound
 * the table's memory to some hundreds of MiB.
 */
#define STACK_TABLE_STACKS_MAX (1u << 18)
#define STACK_TABLE_MODULES_MAX (1u << 16)
#define STACK_TABLE_NAMES_MAX (1u << 20)

/* What a table could not keep, once each time it was to be made. */
struct stack_drops {
	uint64_t stacks;  /* stacks (their events have none) */
	uint64_t modules; /* frames without their module */
	uint64_t names;	  /* names of frames */
};

struct stack_table;

struct stack_table *stack_table_new(void);
void stack_table_free(struct stack_table *t);

/* The module of these facts, made if new: NULL if the table holds
 * STACK_TABLE_MODULES_MAX already. */
const struct stack_module *stack_table_module(struct stack_table *t,
					      const char *path, uint64_t dev,
					      uint64_t ino,
					      const unsigned char *build_id,
					      int build_id_len);

/* The log's name of a frame, made if new (FUNCTION and FILE copied,
 * either may be NULL): NULL if STACK_TABLE_NAMES_MAX are held. */
const struct stack_named *stack_table_named(struct stack_table *t,
					    const char *function,
					    uint64_t offset, const char *file,
					    int line);

/* The stack of these N native and NPY Python frames (at most
 * STACK_DEPTH_MAX each; PY's strings are copied), made if new: NULL if
 * STACK_TABLE_STACKS_MAX are held, or PY has a name past
 * STACK_TABLE_NAMES_MAX. */
const struct stack_trace *
stack_table_intern(struct stack_table *t, const struct stack_pc *pc, uint32_t n,
		   const struct stack_py *py, uint32_t npy);

/* The highest id a trace may give. */
#define STACK_ID_MAX UINT32_MAX

/*
 * As read from a trace: the module or stack of id ID (1 to STACK_ID_MAX,
 * in any order and with gaps: see stacks.c). 0, or -EINVAL (an id out of range
 * or already defined), -E2BIG (too many frames), -ENOSPC (the table's
 * ceiling: a trace fsrace wrote never holds more).
 */
int stack_table_add_module(struct stack_table *t, uint32_t id, const char *path,
			   uint64_t dev, uint64_t ino,
			   const unsigned char *build_id, int build_id_len);
int stack_table_add_stack(struct stack_table *t, uint32_t id,
			  const struct stack_pc *pc, uint32_t n,
			  const struct stack_py *py, uint32_t npy);

/* By id: NULL if none has it. */
const struct stack_module *stack_table_module_get(const struct stack_table *t,
						  uint32_t id);
const struct stack_trace *stack_table_get(const struct stack_table *t,
					  uint32_t id);

/* The highest id of a module, of a stack (ids below it may be holes in a
 * table read from a trace). */
uint32_t stack_table_modules(const struct stack_table *t);
uint32_t stack_table_stacks(const struct stack_table *t);

/* What the table could not keep, added to OUT. */
void stack_table_drops(const struct stack_table *t, struct stack_drops *out);

/* The build-id as lower-case hex into BUF (2 * STACK_BUILD_ID_MAX + 1). */
void stack_build_id_hex(const struct stack_module *m, char *buf);
/* Hex back into M's build-id: false if HEX is not an even run of at most
 * 2 * STACK_BUILD_ID_MAX hex digits. */
bool stack_build_id_parse(const char *hex, unsigned char *out, int *len);

#endif
