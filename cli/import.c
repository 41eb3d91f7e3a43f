// SPDX-License-Identifier: MIT
/* fsrace import: convert strace logs into a native trace. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli.h"
#include "opt.h"
#include "config.h"
#include "findings.h"
#include "util.h"
#include "writer.h"

static void usage(FILE *f)
{
	fputs("usage: fsrace import [--strict] -o TRACE LOG...\n"
	      "Convert strace logs (strace -f -tt -T -y -yy -v -o LOG, or the\n"
	      "files of one -ff run) into one native trace.\n",
	      f);
}

int cmd_import(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"strict", no_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct trace_header h = {0};
	struct trace_writer w;
	struct input *in = NULL;
	struct input_files files;
	struct opt_parser p;
	struct event ev;
	char cwd[PATH_MAX], kernel[256];
	const char *out = NULL;
	const char *none[] = {NULL};
	const char *const *logs;
	bool strict = false;
	struct utsname u;
	int c, r, nlogs;

	opt_parser_init(&p, "import", argc, argv, "o:h", lopts, false);
	while ((c = opt_parser_next(&p)) != OPT_END) {
		switch (c) {
		case 'o':
			out = p.value;
			break;
		case 's':
			strict = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_CLEAN;
		default:
			return EXIT_USAGE;
		}
	}
	if (!out || p.index >= argc) {
		errorx("import needs -o TRACE and a strace log: fsrace import "
		       "-o TRACE LOG...");
		return EXIT_USAGE;
	}
	if (cli_check_output(out, 0) < 0)
		return EXIT_USAGE;
	logs = (const char *const *)argv + p.index;
	nlogs = argc - p.index;
	if (input_spool(logs, nlogs, &files) < 0)
		return EXIT_USAGE;
	if (input_open(&in, (const char *const *)files.paths, logs, nlogs,
		       IN_AUTO, strict) < 0) {
		input_spool_free(&files);
		return EXIT_USAGE;
	}
	if (!input_is_strace(in)) {
		errorx("%s: already an fsrace trace", logs[0]);
		input_close(in);
		input_spool_free(&files);
		return EXIT_USAGE;
	}
	/* through a temporary renamed into place: whole or nothing */
	r = trace_writer_open(&w, out, 0);
	if (r < 0) {
		cli_write_error(out, r);
		input_close(in);
		input_spool_free(&files);
		return EXIT_USAGE;
	}
	uname(&u);
	snprintf(kernel, sizeof(kernel), "%s %s %s", u.sysname, u.release,
		 u.machine);
	h.version = TRACE_FORMAT_VERSION;
	h.fsrace_version = FSRACE_VERSION;
	h.argv = none;
	h.cwd = getcwd(cwd, sizeof(cwd)) ? cwd : "";
	h.start_ns = now_ns();
	h.host = u.nodename;
	h.kernel = kernel;
	h.seccomp_reason = "imported from strace logs";
	h.sources = logs;
	trace_writer_header(&w, &h);
	while ((r = input_next(in, &ev)) > 0)
		trace_writer_event(&w, &ev);
	if (r == 0) {
		struct table_drops d = {0};

		cli_paths_too_long(input_paths_too_long(in));
		input_stack_drops(in, &d, true);
		cli_drops(&d);
	}
	input_close(in);
	input_spool_free(&files);
	if (r < 0) {
		trace_writer_discard(&w);
		return EXIT_USAGE;
	}
	r = trace_writer_close(&w);
	if (r < 0) {
		cli_write_error(out, r);
		return EXIT_USAGE;
	}
	return EXIT_CLEAN;
}
