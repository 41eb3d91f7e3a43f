// SPDX-License-Identifier: MIT
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli.h"
#include "opt.h"
#include "rule.h"
#include "stacks.h"
#include "config.h"
#include "findings.h"
#include "tracer.h"
#include "util.h"
#include "writer.h"

struct record {
	struct trace_writer w;
	bool write_failed;
};

static void on_event(const struct event *ev, void *ud)
{
	struct record *rec = ud;

	trace_writer_event(&rec->w, ev);
}

static void on_tick(void *ud)
{
	struct record *rec = ud;

	if (trace_writer_flush(&rec->w) < 0 && !rec->write_failed) {
		rec->write_failed = true;
		cli_write_error(rec->w.path, rec->w.err);
	}
}

/*
 * Find PROG as execvp(3) would, so that a missing or non-executable
 * program is reported before anything is created. Returns 0 and the path
 * in RET, or -errno.
 */
static int find_program(const char *prog, char *ret, size_t size)
{
	const char *path = getenv("PATH");
	struct stat st;
	int first_err = -ENOENT;

	if (strchr(prog, '/')) {
		if (stat(prog, &st) < 0)
			return -errno;
		if (S_ISDIR(st.st_mode))
			return -EISDIR;
		if (!S_ISREG(st.st_mode) || access(prog, X_OK) < 0)
			return -EACCES;
		snprintf(ret, size, "%s", prog);
		return 0;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	/* an empty element, trailing ones too, is the current directory */
	for (;;) {
		const char *end = strchrnul(path, ':');
		int n = (int)(end - path);

		if (n)
			snprintf(ret, size, "%.*s/%s", n, path, prog);
		else
			snprintf(ret, size, "./%s", prog);
		if (stat(ret, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(ret, X_OK) == 0)
				return 0;
			first_err = -EACCES;
		}
		if (!*end)
			break;
		path = end + 1;
	}
	return first_err;
}

int record_find_program(const char *prog, char *ret, size_t size)
{
	int r = find_program(prog, ret, size);

	if (r == 0)
		return 0;
	if (r == -ENOENT && !strchr(prog, '/'))
		errorx("cannot execute '%s': not found in PATH", prog);
	else
		errorx("cannot execute '%s': %s", prog, strerror(-r));
	return -1;
}

void record_write_header(struct trace_writer *w, const struct tracer *t,
			 const struct tracer_options *topt,
			 const char *const *inject, const char *widen)
{
	static const char *const none[] = {NULL};
	struct trace_header h = {0};
	char cwd[PATH_MAX], kernel[256];
	struct utsname u;

	h.start_ns = now_ns();
	uname(&u);
	snprintf(kernel, sizeof(kernel), "%s %s %s", u.sysname, u.release,
		 u.machine);
	h.version = TRACE_FORMAT_VERSION;
	h.fsrace_version = FSRACE_VERSION;
	h.argv = topt->attach_pid ? none : topt->argv;
	h.cwd = getcwd(cwd, sizeof(cwd)) ? cwd : "";
	h.host = u.nodename;
	h.kernel = kernel;
	h.attach = topt->attach_pid > 0;
	h.attach_pid = topt->attach_pid;
	h.seccomp = tracer_seccomp(t, &h.seccomp_reason);
	h.inject = inject;
	h.widen = widen;
	trace_writer_header(w, &h);
}

static void usage_record(void)
{
	fputs("usage: fsrace record [--no-seccomp] [--stacks] "
	      "[--inject SPEC]... -o FILE -- PROG [ARGS...]\n"
	      "       fsrace record [--stacks] [--inject SPEC]... -o FILE -p "
	      "PID\n"
	      "  --stack-snapshot SIZE\n"
	      "                 the stack copied at each call (8K; 4K to "
	      "64K)\n"
	      "  --inject SYSCALL=ERRNO[:path=GLOB][:when=N|N+|N..M]\n"
	      "                 fail the matching calls with ERRNO, without "
	      "making them\n"
	      "  --widen DURATION[:rule=ID[,ID...]]\n"
	      "                 hold a use that follows its check for "
	      "DURATION (5ms)\n",
	      stdout);
}

int record_parse_stack_snapshot(const char *v, size_t *ret)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = *v >= '0' && *v <= '9' ? strtoull(v, &end, 10) : 0;
	if (n && !errno &&
	    (!strcmp(end, "K") || !strcmp(end, "k") || !strcmp(end, "KiB"))) {
		n = n <= ULLONG_MAX / 1024 ? n * 1024 : 0;
		end += strlen(end);
	}
	if (!n || errno || *end || n < TRACER_STACK_SNAPSHOT_MIN ||
	    n > TRACER_STACK_SNAPSHOT_MAX || n % 4096) {
		errorx("--stack-snapshot takes a whole number of 4 KiB pages "
		       "from %dK to %dK (a size in bytes, or in KiB with a K "
		       "suffix), not '%s'",
		       TRACER_STACK_SNAPSHOT_MIN / 1024,
		       TRACER_STACK_SNAPSHOT_MAX / 1024, v);
		return -1;
	}
	*ret = (size_t)n;
	return 0;
}

static int parse_pid(const char *s, int *ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v <= 0 || v > INT_MAX)
		return -EINVAL;
	*ret = (int)v;
	return 0;
}

/* fsrace record; its --inject specs into SPECS, parsed into INJ (both
 * the caller's to free) */
static int record(int argc, char **argv, const char ***specs, int *nspecs,
		  struct cli_injects *inj)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"pid", required_argument, NULL, 'p'},
		{"no-seccomp", no_argument, NULL, 'S'},
		{"stacks", no_argument, NULL, 'K'},
		{"stack-snapshot", required_argument, NULL, 'Z'},
		{"inject", required_argument, NULL, 'I'},
		{"widen", required_argument, NULL, 'W'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct tracer_options topt = {0};
	struct record rec = {0};
	struct tracer *t = NULL;
	struct opt_parser p;
	char program[PATH_MAX];
	const char *out = NULL, *msg, *widen = NULL;
	int c, r, status, first;

	opt_parser_init(&p, "record", argc, argv, "o:p:h", opts, false);
	while ((c = opt_parser_next(&p)) != OPT_END) {
		switch (c) {
		case 'o':
			out = p.value;
			break;
		case 'p':
			if (parse_pid(p.value, &topt.attach_pid) < 0) {
				errorx("invalid pid '%s'", p.value);
				return EXIT_USAGE;
			}
			break;
		case 'S':
			topt.no_seccomp = true;
			break;
		case 'K':
			topt.stacks = true;
			break;
		case 'Z':
			if (record_parse_stack_snapshot(
				    p.value, &topt.stack_snapshot) < 0)
				return EXIT_USAGE;
			break;
		case 'W':
			widen = p.value;
			break;
		case 'I':
			*specs = xrealloc(*specs, (size_t)(*nspecs + 2) *
							  sizeof(**specs));
			(*specs)[(*nspecs)++] = p.value;
			(*specs)[*nspecs] = NULL;
			break;
		case 'h':
			usage_record();
			return EXIT_CLEAN;
		default:
			return EXIT_USAGE;
		}
	}
	first = p.index;
	if (!out) {
		errorx("record needs an output file: -o FILE");
		return EXIT_USAGE;
	}
	if (topt.attach_pid && first < argc) {
		errorx("give either -p PID or a program, not both");
		return EXIT_USAGE;
	}
	if (!topt.attach_pid && first >= argc) {
		errorx("record needs a program to run (or -p PID); see "
		       "fsrace record --help");
		return EXIT_USAGE;
	}
	if (topt.stack_snapshot && !topt.stacks) {
		errorx("--stack-snapshot needs --stacks");
		return EXIT_USAGE;
	}
	if (topt.stacks && !tracer_can_stack()) {
		errorx("--stacks: this fsrace was built without libunwind and "
		       "libdw");
		return EXIT_USAGE;
	}
	if (*nspecs || widen) {
		struct rule_set rs;
		char err[1024];

		/* the shipped groups name the calls (@rename), the shipped
		 * rules the steps --widen holds */
		rule_set_init(&rs);
		r = widen ? cli_load_default_rules(&rs, err, sizeof(err))
			  : cli_load_default_groups(&rs, err, sizeof(err));
		if (r < 0)
			errorx("%s", err);
		if (r >= 0)
			r = cli_injects_parse(*specs, *nspecs, &rs, inj);
		if (r >= 0 && widen)
			r = cli_widen_parse(widen, &rs, &topt.widen);
		rule_set_release(&rs);
		if (r < 0)
			return EXIT_USAGE;
		topt.inject = inj->v;
		topt.ninject = inj->n;
	}
	if (cli_check_output(out, ATOMIC_FILE_STREAM) < 0)
		return EXIT_USAGE;
	if (!topt.attach_pid) {
		if (record_find_program(argv[first], program, sizeof(program)) <
		    0)
			return EXIT_USAGE;
		topt.program = program;
		topt.argv = (const char *const *)argv + first;
	}
	/* in place, as it grows: it is read while it is written, and what
	 * was written survives a killed fsrace */
	r = trace_writer_open(&rec.w, out, ATOMIC_FILE_STREAM);
	if (r < 0) {
		cli_write_error(out, r);
		return EXIT_USAGE;
	}
	topt.on_event = on_event;
	topt.on_tick = on_tick;
	topt.ud = &rec;
	if (topt.stacks)
		topt.stack_table = stack_table_new();
	r = tracer_start(&t, &topt, &msg);
	if (r < 0) {
		errorx("%s", msg ? msg : strerror(-r));
		trace_writer_discard(&rec.w);
		stack_table_free(topt.stack_table);
		return EXIT_USAGE;
	}
	record_write_header(&rec.w, t, &topt, inj->n ? inj->specs : NULL,
			    widen);
	status = tracer_run(t);
	cli_paths_too_long(tracer_paths_too_long(t));
	cli_widen_forgotten(tracer_widen_forgotten(t));
	{
		struct table_drops d = {0};

		/* the trace has each event's stack_dropped, which analyze
		 * counts; the frames without a module or a name only here */
		cli_stack_drops(topt.stack_table, &d, true);
		cli_drops(&d);
	}
	tracer_free(t);
	r = trace_writer_close(&rec.w);
	stack_table_free(topt.stack_table);
	if (r < 0 && !rec.write_failed)
		cli_write_error(out, r);
	/* a trace that could not be written is an error, always */
	if (r < 0 || rec.write_failed)
		return EXIT_USAGE;
	return status;
}

int cmd_record(int argc, char **argv)
{
	const char **specs = NULL;
	struct cli_injects inj = {0};
	int nspecs = 0, status = record(argc, argv, &specs, &nspecs, &inj);

	cli_injects_free(&inj);
	free(specs);
	return status;
}

void cli_widen_forgotten(uint64_t n)
{
	if (n)
		warnx_("--widen: more than %d first steps at once, so all "
		       "were forgotten (%llu time%s): a use of one of them "
		       "was not held",
		       TRACER_WIDEN_CHECKS_MAX, (unsigned long long)n,
		       n == 1 ? "" : "s");
}

void cli_paths_too_long(uint64_t n)
{
	if (n)
		warnx_("%llu path%s longer than PATH_MAX (4096 bytes) could "
		       "not be made absolute: %s calls are kept without an "
		       "absolute path, and no rule matches them",
		       (unsigned long long)n, n == 1 ? "" : "s",
		       n == 1 ? "its" : "their");
}
