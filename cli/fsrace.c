// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "util.h"

static void usage(FILE *f)
{
	fputs("usage: fsrace run [OPTIONS] -- PROG [ARGS...]\n"
	      "       fsrace analyze [OPTIONS] TRACE...\n"
	      "       fsrace record [--no-seccomp] -o FILE -- PROG [ARGS...]\n"
	      "       fsrace record -o FILE -p PID\n"
	      "       fsrace import -o TRACE STRACE-LOG...\n"
	      "       fsrace dump FILE\n"
	      "       fsrace rules [list | show ID | check FILE...]\n"
	      "       fsrace --version | --help\n"
	      "\n"
	      "run     trace PROG and report the file system races it "
	      "shows\n"
	      "analyze report the races in traces recorded earlier, or "
	      "strace logs\n"
	      "record  trace PROG (or attach to PID) and write every file "
	      "system call\n"
	      "        it makes, with absolute paths and identities, to FILE\n"
	      "import  convert strace logs into a native trace\n"
	      "dump    print a trace for people, one line per event\n"
	      "rules   list the rules, show one, or check rule files\n"
	      "\n"
	      "See fsrace(1).\n",
	      f);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "record"))
		return cmd_record(argc - 1, argv + 1);
	if (!strcmp(cmd, "dump"))
		return cmd_dump(argc - 1, argv + 1);
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "analyze"))
		return cmd_analyze(argc - 1, argv + 1);
	if (!strcmp(cmd, "rules"))
		return cmd_rules(argc - 1, argv + 1);
	if (!strcmp(cmd, "import"))
		return cmd_import(argc - 1, argv + 1);
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
		printf("fsrace %s\n", FSRACE_VERSION);
		return EXIT_CLEAN;
	}
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") ||
	    !strcmp(cmd, "help")) {
		usage(stdout);
		return EXIT_CLEAN;
	}
	errorx("unknown command '%s' (see fsrace --help)", cmd);
	return EXIT_USAGE;
}
