// SPDX-License-Identifier: MIT
/* fsrace import: convert strace logs into a native trace. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
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
	struct event ev;
	char tmp[PATH_MAX], cwd[PATH_MAX], kernel[256];
	const char *out = NULL;
	const char *none[] = {NULL};
	bool strict = false;
	struct utsname u;
	int c, r, fd;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 's':
			strict = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_CLEAN;
		case ':':
			errorx("option '%s' needs an argument",
			       argv[optind - 1]);
			return EXIT_USAGE;
		default:
			errorx("unknown option '%s' (see fsrace import --help)",
			       argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (!out || optind >= argc) {
		errorx("import needs -o TRACE and a strace log: fsrace import "
		       "-o TRACE LOG...");
		return EXIT_USAGE;
	}
	if (input_open(&in, (const char *const *)argv + optind, argc - optind,
		       IN_AUTO, strict) < 0)
		return EXIT_USAGE;
	if (!input_is_strace(in)) {
		errorx("%s: already an fsrace trace", argv[optind]);
		input_close(in);
		return EXIT_USAGE;
	}
	/* written beside OUT and renamed into place: whole or nothing */
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", out);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		errorx("cannot create '%s': %s", out, strerror(errno));
		input_close(in);
		return EXIT_USAGE;
	}
	close(fd);
	r = trace_writer_open(&w, tmp);
	if (r < 0) {
		errorx("cannot create '%s': %s", out, strerror(-r));
		unlink(tmp);
		input_close(in);
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
	h.sources = (const char *const *)argv + optind;
	trace_writer_header(&w, &h);
	while ((r = input_next(in, &ev)) > 0)
		trace_writer_event(&w, &ev);
	input_close(in);
	if (r < 0) {
		trace_writer_discard(&w);
		return EXIT_USAGE;
	}
	r = trace_writer_close(&w);
	if (r < 0 || chmod(tmp, 0644) < 0 || rename(tmp, out) < 0) {
		errorx("cannot write '%s': %s", out,
		       strerror(r < 0 ? -r : errno));
		unlink(tmp);
		return EXIT_USAGE;
	}
	return EXIT_CLEAN;
}
