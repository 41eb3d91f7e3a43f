/* SPDX-License-Identifier: MIT */
/*
 * What valgrind's memcheck cannot know: memory a system call it does not
 * model fills (PTRACE_GET_SYSCALL_INFO), told with a client request, as
 * systemd does. Without valgrind's headers, and outside valgrind, it
 * costs nothing.
 */
#ifndef FSRACE_MEMCHECK_H
#define FSRACE_MEMCHECK_H

#if defined(__has_include) && __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define mem_defined(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#else
#define mem_defined(p, n) ((void)(p), (void)(n))
#endif

#endif
