/* statloop — benchmark workload: a tight loop of stat + open + close.
 *
 * usage: statloop [N [PATH]]
 *
 * Does N (default 100000) iterations of stat(PATH), open(PATH, O_RDONLY)
 * and close() on one existing file. Without PATH it creates a temporary
 * file in $TMPDIR (or /tmp) and removes it at the end. Every iteration
 * makes three traced file syscalls (newfstatat, openat, close), so the
 * run time under a tracer is dominated by the cost of each stop.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = 100000;
	char tmp[PATH_MAX];
	const char *path;
	int own = 0;

	if (argc > 1) {
		char *end;

		errno = 0;
		n = strtol(argv[1], &end, 10);
		if (errno || *end || n < 0) {
			fprintf(stderr, "statloop: bad count '%s'\n", argv[1]);
			return 2;
		}
	}
	if (argc > 2) {
		path = argv[2];
	} else {
		const char *dir = getenv("TMPDIR");
		int fd;

		snprintf(tmp, sizeof(tmp), "%s/statloop.XXXXXX",
			 dir && *dir ? dir : "/tmp");
		fd = mkstemp(tmp);
		if (fd < 0) {
			fprintf(stderr, "statloop: cannot create '%s': %s\n",
				tmp, strerror(errno));
			return 1;
		}
		close(fd);
		path = tmp;
		own = 1;
	}

	for (long i = 0; i < n; i++) {
		struct stat st;
		int fd;

		if (stat(path, &st) < 0) {
			fprintf(stderr, "statloop: cannot stat '%s': %s\n",
				path, strerror(errno));
			return 1;
		}
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "statloop: cannot open '%s': %s\n",
				path, strerror(errno));
			return 1;
		}
		close(fd);
	}

	if (own)
		unlink(tmp);
	return 0;
}
