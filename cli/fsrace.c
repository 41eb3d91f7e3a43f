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
	      "       fsrace merge [-o FILE] DOC...\n"
	      "       fsrace show [OPTIONS] FINDING TRACE...\n"
	      "       fsrace confirm --recover JOURNAL\n"
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
	      "merge   the JSON findings of several runs as one document\n"
	      "show    the timeline of one finding of a trace, as text\n"
	      "confirm put back what a --confirm run that died left "
	      "swapped\n"
	      "dump    print a trace for people, one line per event\n"
	      "rules   list the rules, show one, or check rule files\n"
	      "\n"
	      "See fsrace(1).\n",
	      f);
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{"run", cmd_run},	  {"analyze", cmd_analyze},
	{"record", cmd_record},	  {"import", cmd_import},
	{"dump", cmd_dump},	  {"rules", cmd_rules},
	{"merge", cmd_merge},	  {"show", cmd_show},
	{"confirm", cmd_confirm},
};

static int find_command(const char *name)
{
	for (unsigned i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return (int)i;
	return -1;
}

/* fsrace help [COMMAND]: COMMAND's usage, as COMMAND --help prints it */
static int help(int argc, char **argv)
{
	char help_opt[] = "--help";
	char *args[3] = {NULL, help_opt, NULL};
	int i;

	if (argc < 2 || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_CLEAN;
	}
	if (argc > 2) {
		errorx("help takes one command: fsrace help COMMAND");
		return EXIT_USAGE;
	}
	i = find_command(argv[1]);
	if (i < 0) {
		errorx("unknown command '%s' (see fsrace --help)", argv[1]);
		return EXIT_USAGE;
	}
	args[0] = argv[1];
	return commands[i].run(2, args);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;
	int i;

	if (!cmd) {
		usage(stderr);
		return EXIT_USAGE;
	}
	i = find_command(cmd);
	if (i >= 0)
		return commands[i].run(argc - 1, argv + 1);
	if (!strcmp(cmd, "help"))
		return help(argc - 1, argv + 1);
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
		printf("fsrace %s\n", FSRACE_VERSION);
		return EXIT_CLEAN;
	}
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(stdout);
		return EXIT_CLEAN;
	}
	errorx("unknown command '%s' (see fsrace --help)", cmd);
	return EXIT_USAGE;
}
