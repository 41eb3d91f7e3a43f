/* getpid — benchmark workload: many cheap syscalls, almost no file ones.
 *
 * usage: getpid [N]
 *
 * Calls getpid N times (default 2000000) through syscall(2), so glibc
 * cannot answer from a cache and every call enters the kernel. getpid is
 * not in the traced set: with a seccomp filter in place the tracee never
 * stops for it, and the run should take native time. Only the few file
 * syscalls of process start-up (the dynamic loader) reach the tracer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = 2000000;
	long sum = 0;

	if (argc > 1) {
		char *end;

		errno = 0;
		n = strtol(argv[1], &end, 10);
		if (errno || *end || n < 0) {
			fprintf(stderr, "getpid: bad count '%s'\n", argv[1]);
			return 2;
		}
	}
	for (long i = 0; i < n; i++)
		sum += syscall(SYS_getpid);
	/* use the result so the loop cannot be dropped */
	return sum == 0 && n > 0 ? 1 : 0;
}
