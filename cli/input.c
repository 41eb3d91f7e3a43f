// SPDX-License-Identifier: MIT
/* The events of the files given to analyze or import, whatever their
 * format: native traces one after another, strace logs merged by time. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "reader.h"
#include "stacks.h"
#include "strace.h"
#include "util.h"

struct input {
	const char *const *files;
	int nfiles;
	bool strace;
	int next; /* native: the file to open next */
	bool open;
	struct trace_reader rd;	  /* native: the current file */
	struct strace_reader *sr; /* strace: all the files */
	uint64_t unknown;
	/* the stacks of the native files read, which the findings point
	 * into until input_close */
	struct stack_table **stacks;
	int nstacks;
};

static void close_native(struct input *in)
{
	in->stacks = xrealloc(in->stacks,
			      (size_t)(in->nstacks + 1) * sizeof(*in->stacks));
	in->stacks[in->nstacks++] = trace_reader_take_stacks(&in->rd);
	trace_reader_close(&in->rd);
	in->open = false;
}

int input_format_parse(const char *s)
{
	if (!strcmp(s, "auto"))
		return IN_AUTO;
	if (!strcmp(s, "native"))
		return IN_NATIVE;
	if (!strcmp(s, "strace"))
		return IN_STRACE;
	return -EINVAL;
}

/* A native trace starts with its JSON header; a strace log looks like
 * strace's lines. */
static int detect(const char *path)
{
	char buf[64];
	ssize_t n;
	int r, fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		errorx("cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n > 0 && buf[0] == '{')
		return IN_NATIVE;
	r = strace_detect(path);
	if (r == 1)
		return IN_STRACE;
	if (r < 0) {
		errorx("cannot read '%s': %s", path, strerror(-r));
		return -1;
	}
	errorx("%s: %s, not an fsrace trace nor a strace log", path,
	       n == 0 ? "empty file" : "unknown format");
	return -1;
}

int input_kind(const char *const *files, int nfiles, int format)
{
	int kind = format;

	for (int i = 0; format == IN_AUTO && i < nfiles; i++) {
		int k = detect(files[i]);

		if (k < 0)
			return -1;
		if (i > 0 && k != kind) {
			errorx("%s and %s: give fsrace traces and strace logs "
			       "to separate runs",
			       files[0], files[i]);
			return -1;
		}
		kind = k;
	}
	return kind;
}

int input_open(struct input **ret, const char *const *files, int nfiles,
	       int format, bool strict)
{
	struct input *in;
	char err[1024];
	int kind = input_kind(files, nfiles, format);

	if (kind < 0)
		return -1;
	in = xcalloc(1, sizeof(*in));
	in->files = files;
	in->nfiles = nfiles;
	in->strace = kind == IN_STRACE;
	if (in->strace && strace_reader_open(&in->sr, files, nfiles, strict,
					     err, sizeof(err)) < 0) {
		errorx("%s", err);
		free(in);
		return -1;
	}
	*ret = in;
	return 0;
}

int input_next(struct input *in, struct event *ev)
{
	char err[1024];
	int r;

	if (in->strace) {
		r = strace_reader_next(in->sr, ev, err, sizeof(err));
		if (r < 0)
			errorx("%s", err);
		return r;
	}
	for (;;) {
		if (!in->open) {
			if (in->next == in->nfiles)
				return 0;
			if (trace_reader_open(&in->rd, in->files[in->next++],
					      err, sizeof(err)) < 0) {
				errorx("%s", err);
				trace_reader_close(&in->rd);
				return -1;
			}
			in->open = true;
		}
		r = trace_reader_next(&in->rd, ev, err, sizeof(err));
		if (r != 0) {
			if (r < 0)
				errorx("%s", err);
			return r;
		}
		in->unknown += in->rd.skipped;
		close_native(in);
	}
}

void input_counts(const struct input *in, uint64_t *ret_unknown,
		  uint64_t *ret_unparsed)
{
	*ret_unknown = in->unknown + (in->open ? in->rd.skipped : 0);
	*ret_unparsed = in->strace ? strace_reader_skipped(in->sr) : 0;
}

bool input_is_strace(const struct input *in)
{
	return in->strace;
}

void input_close(struct input *in)
{
	if (!in)
		return;
	if (in->open)
		trace_reader_close(&in->rd);
	if (in->sr)
		strace_reader_close(in->sr);
	for (int i = 0; i < in->nstacks; i++)
		stack_table_free(in->stacks[i]);
	free(in->stacks);
	free(in);
}
