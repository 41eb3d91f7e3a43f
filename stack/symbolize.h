/* SPDX-License-Identifier: MIT */
/*
 * Instruction pointers to function+offset and file:line (issue 9), with
 * elfutils libdw, at report time and only for the stacks findings use.
 * Module-relative: each file is opened once, at its own link addresses,
 * and asked for a VADDR (an IP less its mapping's bias), so one module
 * serves every address space, whatever its load address. A symbol is
 * named only if the address lies within its size: never the preceding
 * symbol's name (libunwind's lookup named a static function of
 * python3.11 `_PyCodec_Lookup+0x8bc`).
 */
#ifndef FSRACE_STACK_SYMBOLIZE_H
#define FSRACE_STACK_SYMBOLIZE_H

#include <stdbool.h>
#include <stdint.h>

/* The most functions inlined into one another at one address that are
 * told (DWARF can nest deeper; the outermost ones are then left out). */
#define STACK_INLINE_MAX 8

/* A function that code at an address was inlined into, and the line of
 * it where the inlined call is. */
struct stack_caller {
	const char *function; /* NULL: none known */
	const char *file;
	int line;
};

struct stack_frame {
	/* NULL: none known ("??"); when the code was inlined, the inlined
	 * function's name, where DWARF says (`eu-addr2line -i`) */
	const char *function;
	uint64_t offset;  /* from the start of the symbol that holds it */
	const char *file; /* NULL: no line information */
	int line;
	/* inlined: the functions FUNCTION was inlined into, innermost
	 * first, each with the line of its inlined call; the last is the
	 * symbol that OFFSET is from */
	int ncallers;
	struct stack_caller callers[STACK_INLINE_MAX];
};

struct stack_symbolizer;

struct stack_symbolizer *stack_symbolizer_new(void);
void stack_symbolizer_free(struct stack_symbolizer *s);

/*
 * The frame at VADDR of the file PATH, whose GNU build-id was BUILD_ID
 * (LEN bytes; 0: not checked) when it was recorded. CALL_SITE: VADDR is
 * a return address, so the call before it is what is looked up. The
 * strings live as long as S. 0, -ENOENT (no such file, or not ELF), or
 * -ESTALE (the file's build-id is not the recorded one: the binary
 * changed since recording).
 */
int stack_symbolize(struct stack_symbolizer *s, const char *path,
		    const unsigned char *build_id, int len, uint64_t vaddr,
		    bool call_site, struct stack_frame *f);

/*
 * Whether the file PATH has a symbol NAME of code whose value (a link
 * address, as stack_symbolize()'s VADDR) is VALUE: several may have one
 * name (static functions of two source files).
 */
bool stack_symbol_at(struct stack_symbolizer *s, const char *path,
		     const char *name, uint64_t value);

#endif
