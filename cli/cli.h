/* SPDX-License-Identifier: MIT */
/* The subcommands of the fsrace binary. */
#ifndef FSRACE_CLI_H
#define FSRACE_CLI_H

/* Exit statuses, documented in docs/fsrace.1. */
enum {
	EXIT_CLEAN = 0,
	EXIT_USAGE = 2, /* usage or input error */
};

int cmd_record(int argc, char **argv);
int cmd_dump(int argc, char **argv);

#endif
