// SPDX-License-Identifier: MIT
/*
 * --inject SYSCALL=ERRNO[:path=GLOB][:when=N|N+|N..M] of run and record:
 * the spec parsed into what the tracer fails (tracer.h, struct
 * tracer_inject; docs/inject.md).
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "names.h"
#include "tracer.h"
#include "path.h"
#include "rule.h"
#include "rule_load.h"
#include "syscalls.h"
#include "util.h"

_Static_assert(sizeof(((struct tracer_inject *)0)->syscalls) >=
		       sizeof(struct scset),
	       "an injection's syscall set holds a rule's");

static const char usage_text[] =
	"--inject takes SYSCALL=ERRNO[:path=GLOB][:when=N|N+|N..M]";

/* A count from 1 at S (up to END), into *RET: the end of it, or NULL. */
static const char *count_at(const char *s, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return NULL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || v == 0)
		return NULL;
	*ret = v;
	return end;
}

/* "N", "N+" or "N..M" into FROM and TO: 0, or -1. */
static int parse_when(const char *s, uint64_t *from, uint64_t *to)
{
	const char *p = count_at(s, from);

	if (!p)
		return -1;
	if (!*p) {
		*to = *from;
		return 0;
	}
	if (!strcmp(p, "+")) {
		*to = UINT64_MAX;
		return 0;
	}
	if (strncmp(p, "..", 2) || !(p = count_at(p + 2, to)) || *p ||
	    *to < *from)
		return -1;
	return 0;
}

/* ERRNO: a name (EXDEV) or a number from 1 to 511; -1 if neither. */
static int parse_errno(const char *s)
{
	char *end;
	long v;

	if (*s >= '0' && *s <= '9') {
		errno = 0;
		v = strtol(s, &end, 10);
		return errno || *end || v < 1 || v > 511 ? -1 : (int)v;
	}
	v = errno_parse(s);
	/* the kernel's internal ERESTART* never reach a program */
	return v < 1 || v > 511 ? -1 : (int)v;
}

int cli_inject_parse(const char *spec, const struct rule_set *rs,
		     struct tracer_inject *out, char **ret_glob)
{
	char *copy = xstrdup(spec), *eq = strchr(copy, '='), *rest, *err;
	struct scset set = {0};
	bool have_path = false, have_when = false;
	int r = -1;

	memset(out, 0, sizeof(*out));
	*ret_glob = NULL;
	out->from = 1;
	out->to = UINT64_MAX;
	if (!eq || eq == copy) {
		errorx("%s, not '%s'", usage_text, spec);
		goto out;
	}
	*eq = '\0';
	err = eq + 1;
	rest = strchr(err, ':');
	if (rest)
		*rest++ = '\0';
	if (rule_set_syscalls(rs, copy, &set) < 0) {
		errorx("--inject %s: unknown syscall %s'%s'%s", spec,
		       copy[0] == '@' ? "group or class " : "", copy,
		       copy[0] == '@' ? "" : " (not one fsrace traces)");
		goto out;
	}
	for (unsigned i = 0; i < syscall_table_size; i++) {
		if (!scset_has(&set, i) ||
		    !(syscall_table[i].flags & SCF_NO_EXIT))
			continue;
		/* a group or class: its calls that can be failed */
		if (copy[0] == '@') {
			set.w[i / 64] &= ~(1ULL << (i % 64));
			continue;
		}
		errorx("--inject %s: %s cannot be failed (fsrace does not "
		       "stop at its exit)",
		       spec, syscall_table[i].name);
		goto out;
	}
	if (copy[0] == '@' && !memcmp(&set, &(struct scset){0}, sizeof(set))) {
		errorx("--inject %s: no call of %s can be failed (fsrace does "
		       "not stop at their exit)",
		       spec, copy);
		goto out;
	}
	memcpy(out->syscalls, set.w, sizeof(set.w));
	out->err = parse_errno(err);
	if (out->err < 0) {
		errorx("--inject %s: '%s' is not an errno (a name such as "
		       "EXDEV, or a number from 1 to 511)",
		       spec, err);
		goto out;
	}
	while (rest) {
		char *next = strchr(rest, ':'), *v = strchr(rest, '=');

		if (next)
			*next++ = '\0';
		if (!v) {
			errorx("--inject %s: '%s' is not KEY=VALUE (path or "
			       "when)",
			       spec, rest);
			goto out;
		}
		*v++ = '\0';
		if (!strcmp(rest, "path") && !have_path) {
			char cwd[PATH_MAX], abs[PATH_MAX];

			have_path = true;
			if (!*v) {
				errorx("--inject %s: path needs a glob", spec);
				goto out;
			}
			/* a relative glob is taken from the working directory,
			 * as the program's own relative paths are */
			if (v[0] != '/' && v[0] != '*' &&
			    getcwd(cwd, sizeof(cwd)) &&
			    path_resolve(cwd, v, abs, sizeof(abs)) >= 0)
				*ret_glob = xstrdup(abs);
			else
				*ret_glob = xstrdup(v);
			out->glob = *ret_glob;
		} else if (!strcmp(rest, "when") && !have_when) {
			have_when = true;
			if (parse_when(v, &out->from, &out->to) < 0) {
				errorx("--inject %s: when takes N, N+ or N..M "
				       "(calls counted from 1), not '%s'",
				       spec, v);
				goto out;
			}
		} else if (!strcmp(rest, "path") || !strcmp(rest, "when")) {
			errorx("--inject %s: %s is given twice", spec, rest);
			goto out;
		} else {
			errorx("--inject %s: unknown key '%s' (path or when)",
			       spec, rest);
			goto out;
		}
		rest = next;
	}
	r = 0;
out:
	if (r < 0) {
		free(*ret_glob);
		*ret_glob = NULL;
	}
	free(copy);
	return r;
}

int cli_injects_parse(const char *const *specs, int n,
		      const struct rule_set *rs, struct cli_injects *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (!n)
		return 0;
	ret->v = xcalloc((size_t)n, sizeof(*ret->v));
	ret->globs = xcalloc((size_t)n, sizeof(*ret->globs));
	ret->specs = xcalloc((size_t)n + 1, sizeof(*ret->specs));
	for (int i = 0; i < n; i++) {
		if (cli_inject_parse(specs[i], rs, &ret->v[i], &ret->globs[i]) <
		    0) {
			cli_injects_free(ret);
			return -1;
		}
		ret->specs[i] = specs[i];
		ret->n++;
	}
	return 0;
}

void cli_injects_free(struct cli_injects *in)
{
	for (int i = 0; i < in->n; i++)
		free(in->globs[i]);
	free(in->globs);
	free(in->v);
	free(in->specs);
	memset(in, 0, sizeof(*in));
}

/* The rules --widen holds the use of by default: a check, then a use
 * by name */
static const char *const widen_default[] = {
	"check-then-use",
	"access-then-open",
	"lstat-then-follow",
	"check-absent-then-create",
};

static const char widen_usage[] = "--widen takes DURATION[:rule=ID[,ID...]] "
				  "(DURATION with us, ms or s: 5ms)";

/* "5ms", "200us", "1s", "1.5ms" into *NS: 0, or -1. */
static int parse_duration(const char *s, uint64_t *ns)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = {{"us", 1e3}, {"\u00b5s", 1e3}, {"ms", 1e6}, {"s", 1e9}};
	char *end;
	double v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (!strcmp(end, units[i].unit)) {
			v *= units[i].ns;
			/* at most a minute; at least a microsecond */
			if (v < 1e3 || v > 60e9)
				return -1;
			*ns = (uint64_t)v;
			return 0;
		}
	return -1;
}

/* Add the first and second steps of every rule of RS with id ID to
 * OUT: the number of rules found, or -1 (told) for one of one step. */
static int widen_rule(const struct rule_set *rs, const char *id,
		      struct tracer_widen *out)
{
	int found = 0;

	for (int i = 0; i < rs->nrules; i++) {
		const struct rule *r = rs->rules[i];

		if (strcmp(r->id, id))
			continue;
		if (r->nsteps < 2) {
			errorx("--widen: rule '%s' has one step, no use to "
			       "hold",
			       id);
			return -1;
		}
		for (int w = 0; w < SYSCALL_WORDS; w++) {
			out->first[w] |= r->steps[0].m.syscalls.w[w];
			out->second[w] |= r->steps[1].m.syscalls.w[w];
		}
		found++;
	}
	return found;
}

int cli_widen_parse(const char *spec, const struct rule_set *rs,
		    struct tracer_widen *out)
{
	char *copy = xstrdup(spec), *rest = strchr(copy, ':');
	int r = -1;

	memset(out, 0, sizeof(*out));
	if (rest)
		*rest++ = '\0';
	if (parse_duration(copy, &out->ns) < 0) {
		errorx("%s, from 1us to 60s, not '%s'", widen_usage, spec);
		goto out;
	}
	if (rest && strncmp(rest, "rule=", 5)) {
		errorx("%s, not '%s'", widen_usage, spec);
		goto out;
	}
	if (rest) {
		char *id = rest + 5, *save = NULL;

		if (!*id) {
			errorx("--widen %s: rule= names no rule", spec);
			goto out;
		}
		for (id = strtok_r(id, ",", &save); id;
		     id = strtok_r(NULL, ",", &save)) {
			int n = widen_rule(rs, id, out);

			if (n < 0)
				goto out;
			if (n == 0) {
				errorx("--widen: no rule '%s' (see fsrace "
				       "rules)",
				       id);
				goto out;
			}
		}
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(widen_default); i++)
			if (widen_rule(rs, widen_default[i], out) < 0)
				goto out;
	}
	r = 0;
out:
	if (r < 0)
		memset(out, 0, sizeof(*out));
	free(copy);
	return r;
}
