/* SPDX-License-Identifier: MIT */
/*
 * Native stacks of a stopped tracee (issue 9): instruction pointers only,
 * at the syscall stop the tracer already has, from one PTRACE_GETREGS
 * and one process_vm_readv snapshot of the stack. One backend, chosen at
 * build time, behind this interface (as strace's src/unwind.h does):
 * libunwind with our own accessors (unwind-libunwind.c). Symbolization is
 * not done here: it is deferred to report time (design.md).
 */
#ifndef FSRACE_STACK_UNWIND_H
#define FSRACE_STACK_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "modules.h"

/*
 * What a stop gives the unwinder: its registers and the top of its
 * stack, copied. A walk that reads past LEN reads on, once, in one
 * process_vm_readv, up to the page after the word it wants and at most
 * CAP bytes from SP (the buffer's size; 0: not past LEN); past that, or
 * when the stack's mapping ended within LEN, a word at a time.
 */
struct stack_snapshot {
	pid_t tid;
	struct user_regs_struct regs;
	uint64_t sp;
	size_t len, cap;
	unsigned char *stack;	  /* LEN bytes from SP, room for CAP */
	unsigned long slow_reads; /* words read from the tracee one by one */
	bool read_on;		  /* it read past LEN (once at most) */
	size_t used;		  /* bytes from SP the walk read in it */
};

/* The default snapshot, from the stack pointer up (issue 9: 8 KiB); the
 * tracer lets a walk read on to this many times it. */
#define STACK_SNAPSHOT_DEFAULT 8192
#define STACK_SNAPSHOT_READ_ON 4

struct stack_space; /* the unwinder's state for one address space */

/*
 * A backend. space_new: for the address space of PID (its modules are
 * S, which the caller owns and invalidates on exec and changes of code
 * mappings). walk: up to MAX instruction pointers of the snapshot's
 * thread, innermost first; the number, or -errno if not even the first.
 */
struct stack_unwinder {
	const char *name;
	struct stack_space *(*space_new)(struct module_space *s);
	void (*space_free)(struct stack_space *sp);
	/* its modules changed: forget what was cached for their code */
	void (*space_flush)(struct stack_space *sp);
	int (*walk)(struct stack_space *sp, struct stack_snapshot *snap,
		    uint64_t *ips, int max);
};

extern const struct stack_unwinder stack_unwinder;

/* Set while this thread walks (sigmask.c). */
extern __thread bool stack_unwinding;

/*
 * Take SNAP of the stopped thread TID: its registers (PTRACE_GETREGS) and
 * up to SNAP->len bytes of stack from its stack pointer (fewer where the
 * stack's mapping ends: then CAP becomes LEN). SNAP->stack must hold
 * SNAP->len bytes, and SNAP->cap if that is more. 0, or -errno.
 */
int stack_snapshot_take(struct stack_snapshot *snap, pid_t tid);

#endif
