// SPDX-License-Identifier: MIT
/*
 * bench/stackwalk: what one native stack costs at a syscall stop (issue
 * 9's budget: at most 15 µs per evidence event). A child calls access(2)
 * DEPTH functions deep, N times; at each entry stop the parent takes a
 * snapshot (PTRACE_GETREGS and 8 KiB of stack) and walks it. Prints the
 * median and 90th percentile of snapshot + walk, and of the walk alone.
 * With --python, the child is that CPython running a script whose
 * access(2) is DEPTH Python functions deep, each its own code object
 * (DEPTH + 1 frames with the module's), and what is timed is the Python
 * walk (stack/python.c).
 *
 * usage: stackwalk [--python PYTHON] [N [DEPTH]]   (default 5000 14),
 *        pinned: taskset -c 1
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "modules.h"
#include "python.h"
#include "unwind.h"

#define PY_PROBE "/nonexistent/fsrace-stackwalk-py"

__attribute__((noinline)) static int deep(int depth)
{
	int r;

	if (depth <= 0)
		return access("/nonexistent/fsrace-stackwalk", F_OK);
	r = deep(depth - 1);
	__asm__ volatile("" ::: "memory");
	return r + 1;
}

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Whether the access() TID stopped at is the Python probe's. */
static bool is_probe(pid_t tid, uint64_t path)
{
	char buf[sizeof(PY_PROBE)] = "";
	struct iovec local = {buf, sizeof(buf) - 1};
	struct iovec remote = {(void *)path, sizeof(buf) - 1};

	return process_vm_readv(tid, &local, 1, &remote, 1, 0) > 0 &&
	       !strcmp(buf, PY_PROBE);
}

/* The median and 90th percentile of N Python walks of PYTHON. */
static int python_walks(const char *python, int n, int depth)
{
	char script[512];
	double *t = calloc((size_t)n, sizeof(double));
	struct py_frame f[64];
	struct module_space mods;
	struct py_runtime rt;
	int status, got = 0, frames = 0, r = -1;
	pid_t pid;

	/* DEPTH functions of their own, each a code object: f1 calls f2
	 * ... calls fDEPTH, which calls access() N times */
	snprintf(script, sizeof(script),
		 "import os\n"
		 "for d in range(1, %d):\n"
		 "    exec(f'def f{d}(n):\\n    return f{d + 1}(n)\\n')\n"
		 "def f%d(n):\n"
		 "    for _ in range(n):\n"
		 "        os.access('" PY_PROBE "', os.F_OK)\n"
		 "f1(%d)\n",
		 depth, depth, n);
	if (!t || depth < 1) {
		free(t);
		return 2;
	}
	pid = fork();
	if (!pid) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		execl(python, python, "-S", "-c", script, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	ptrace(PTRACE_SETOPTIONS, pid, NULL,
	       PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL);
	module_space_init(&mods, pid);
	while (got < n) {
		struct user_regs_struct regs;
		double t0;
		int k;

		if (ptrace(PTRACE_SYSCALL, pid, NULL, NULL) < 0 ||
		    waitpid(pid, &status, 0) < 0 || !WIFSTOPPED(status))
			break;
		if (WSTOPSIG(status) != (SIGTRAP | 0x80) ||
		    ptrace(PTRACE_GETREGS, pid, NULL, &regs) < 0 ||
		    regs.orig_rax != SYS_access || (long)regs.rax != -ENOSYS ||
		    !is_probe(pid, regs.rdi))
			continue;
		if (!got && (r = py_runtime_find(&mods, &rt)) < 0) {
			fprintf(stderr, "stackwalk: %s: no runtime (%s)\n",
				python, strerror(-r));
			break;
		}
		t0 = now_us();
		k = py_frames(&rt, pid, f, 64);
		t[got++] = now_us() - t0;
		frames = k;
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	if (got) {
		qsort(t, (size_t)got, sizeof(double), cmp);
		printf("python %x: %d walks of %d frames: median %.2f µs, p90 "
		       "%.2f µs; frame headers %lu from the data stack, %lu "
		       "alone; %lu code objects read\n",
		       rt.version, got, frames, t[got / 2], t[got * 9 / 10],
		       rt.frames_batched, rt.frames_alone, rt.code_misses);
		py_runtime_release(&rt);
	}
	module_space_release(&mods);
	module_images_trim();
	free(t);
	return got && r == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	int n, depth;
	static unsigned char stack[STACK_SNAPSHOT_DEFAULT];
	struct stack_snapshot snap = {.stack = stack};
	struct module_space mods;
	struct stack_space *sp;
	double *all, *walk;
	int status, got = 0, frames = 0;
	unsigned long slow = 0;
	pid_t pid;

	if (argc > 2 && !strcmp(argv[1], "--python")) {
		n = argc > 3 ? atoi(argv[3]) : 5000;
		depth = argc > 4 ? atoi(argv[4]) : 14;
		if (n > 0 && depth > 0)
			return python_walks(argv[2], n, depth);
	} else {
		n = argc > 1 ? atoi(argv[1]) : 5000;
		depth = argc > 2 ? atoi(argv[2]) : 14;
	}
	all = calloc((size_t)n > 0 ? (size_t)n : 1, sizeof(double));
	walk = calloc((size_t)n > 0 ? (size_t)n : 1, sizeof(double));
	if (n <= 0 || depth < 0 || !all || !walk) {
		fputs("usage: stackwalk [--python PYTHON] [N [DEPTH]]\n",
		      stderr);
		return 2;
	}
	pid = fork();
	if (!pid) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		for (int i = 0; i < n; i++)
			deep(depth);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	ptrace(PTRACE_SETOPTIONS, pid, NULL,
	       PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL);
	module_space_init(&mods, pid);
	sp = stack_unwinder.space_new(&mods);
	while (got < n) {
		struct user_regs_struct regs;
		uint64_t ips[128];
		double t0, t1, t2;
		int k;

		if (ptrace(PTRACE_SYSCALL, pid, NULL, NULL) < 0 ||
		    waitpid(pid, &status, 0) < 0 || !WIFSTOPPED(status))
			break;
		if (WSTOPSIG(status) != (SIGTRAP | 0x80) ||
		    ptrace(PTRACE_GETREGS, pid, NULL, &regs) < 0 ||
		    regs.orig_rax != SYS_access || (long)regs.rax != -ENOSYS)
			continue;
		t0 = now_us();
		snap.len = sizeof(stack);
		if (stack_snapshot_take(&snap, pid) < 0)
			break;
		t1 = now_us();
		k = stack_unwinder.walk(sp, &snap, ips, 128);
		t2 = now_us();
		all[got] = t2 - t0;
		walk[got] = t2 - t1;
		frames = k;
		slow += snap.slow_reads;
		got++;
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	if (!got) {
		fputs("stackwalk: no stop was seen\n", stderr);
		return 1;
	}
	qsort(all, (size_t)got, sizeof(double), cmp);
	qsort(walk, (size_t)got, sizeof(double), cmp);
	printf("%s: %d stacks of %d frames: snapshot+walk median %.2f µs, "
	       "p90 %.2f µs; walk alone median %.2f µs; %lu slow reads; %u "
	       "maps reads\n",
	       stack_unwinder.name, got, frames, all[got / 2],
	       all[got * 9 / 10], walk[got / 2], slow, mods.refreshes);
	stack_unwinder.space_free(sp);
	module_space_release(&mods);
	module_images_trim();
	free(all);
	free(walk);
	return 0;
}
