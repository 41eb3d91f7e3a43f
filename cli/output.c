// SPDX-License-Identifier: MIT
/* The files fsrace writes, as the command line names them. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"
#include "cli.h"
#include "util.h"

int cli_check_output(const char *path, unsigned flags)
{
	int r = atomic_file_check(path, flags);

	if (r == 0)
		return 0;
	/* a name that leads nowhere yet is created, others are written */
	errorx("cannot %s '%s': %s",
	       access(path, F_OK) < 0 ? "create" : "write", path, strerror(-r));
	return -1;
}

void cli_write_error(const char *path, int r)
{
	if (!strcmp(path, "-"))
		errorx("cannot write to standard output: %s", strerror(-r));
	else
		errorx("cannot write '%s': %s", path, strerror(-r));
}
