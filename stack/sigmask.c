// SPDX-License-Identifier: MIT
/*
 * libunwind blocks every signal around the lock of its register-rule
 * cache (src/dwarf/Gparser.c get_rs_cache(): SIGPROCMASK around a mutex,
 * Debian's build has --enable-block-signals): 30 rt_sigprocmask calls
 * per 15-frame stack, about 9 of the 14 µs a walk costs. fsrace never
 * unwinds from a signal handler, so while a thread walks, its
 * sigprocmask() calls are no-ops. This definition takes the place of
 * libc's for libunwind.so's calls because the executable exports it
 * (-Wl,--export-dynamic-symbol=sigprocmask, see meson.build); libc's
 * own calls use internal aliases and never come here. Any other caller,
 * and every call outside a walk, goes to pthread_sigmask(), what libc's
 * sigprocmask() does.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

#include "unwind.h"

__thread bool stack_unwinding;

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	int r;

	if (stack_unwinding)
		return 0;
	r = pthread_sigmask(how, set, old);
	if (r) {
		errno = r;
		return -1;
	}
	return 0;
}
