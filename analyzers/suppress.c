// SPDX-License-Identifier: MIT
/* Suppressions (suppress.h). */
#include "suppress.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rule_load.h"

static bool any_glob(char *const *globs, int n, const char *s)
{
	if (!s)
		return false;
	for (int i = 0; i < n; i++)
		if (fnmatch(globs[i], s, 0) == 0)
			return true;
	return false;
}

static const char *last_component(const char *p)
{
	const char *slash = strrchr(p, '/');

	return slash ? slash + 1 : p;
}

/* The exe or argv[0] of P, whole or its last component. */
static bool program_matches(const struct suppression *s,
			    const struct judge_proc *p)
{
	const char *names[2] = {p->exe, p->argv ? p->argv[0] : NULL};

	for (int i = 0; i < 2; i++) {
		if (!names[i])
			continue;
		if (any_glob(s->programs, s->nprograms, names[i]) ||
		    any_glob(s->programs, s->nprograms,
			     last_component(names[i])))
			return true;
	}
	return false;
}

/* PATH is ARG, or ARG is relative and names PATH from some directory. */
static bool names_path(const char *arg, const char *path)
{
	size_t n, k;

	if (arg[0] == '/')
		return !strcmp(arg, path);
	while (arg[0] == '.' && arg[1] == '/')
		arg += 2;
	n = strlen(path);
	k = strlen(arg);
	return k && n > k && path[n - k - 1] == '/' &&
	       !strcmp(path + n - k, arg);
}

/*
 * The path tokens: "{exe}" is the file the process of E exec'd (what a
 * #! interpreter reads), "{script}" that or the first argument of its
 * command line that is not an option (python3 x.py, bash x.sh).
 */
static bool token_matches(const char *token, const char *path,
			  const struct evidence *e, const struct judge *j)
{
	const struct judge_proc *p = j ? judge_proc(j, e->pid) : NULL;
	bool script = !strcmp(token, "{script}");

	if (!path || !p || (!script && strcmp(token, "{exe}")))
		return false;
	if (p->exe && !strcmp(path, p->exe))
		return true;
	if (!script || !p->argv || !p->argv[0])
		return false;
	for (char **a = p->argv + 1; *a; a++)
		if ((*a)[0] != '-')
			return names_path(*a, path);
	return false;
}

static bool path_matches(const struct suppression *s,
			 const struct evidence *const *ev, int nev,
			 const struct judge *j)
{
	for (int i = 0; i < nev; i++) {
		const char *paths[] = {ev[i]->abspath, ev[i]->abspath2,
				       ev[i]->fd_path};

		for (size_t k = 0; k < ARRAY_SIZE(paths); k++) {
			if (any_glob(s->paths, s->npaths, paths[k]))
				return true;
			for (int g = 0; g < s->npaths; g++)
				if (s->paths[g][0] == '{' &&
				    token_matches(s->paths[g], paths[k], ev[i],
						  j))
					return true;
		}
	}
	return false;
}

static bool syscall_matches(const struct suppression *s,
			    const struct evidence *const *ev, int nev)
{
	for (int i = 0; i < nev; i++)
		if (any_glob(s->syscalls, s->nsyscalls, ev[i]->syscall))
			return true;
	return false;
}

static bool pid_matches(const struct suppression *s,
			const struct evidence *const *ev, int nev,
			const struct judge *j)
{
	for (int i = 0; i < nev; i++) {
		const struct judge_proc *p =
			j ? judge_proc(j, ev[i]->pid) : NULL;

		if (p && program_matches(s, p))
			return true;
	}
	return false;
}

const char *suppress_match(const struct rule_set *rs, const struct rule *r,
			   const struct evidence *const *ev, int nev,
			   const struct judge *j, bool defaults)
{
	for (int i = 0; i < rs->nsuppressions; i++) {
		const struct suppression *s = &rs->suppressions[i];

		if (s->shipped && !defaults)
			continue;
		if (!any_glob(s->rules, s->nrules, r->id))
			continue;
		if (s->nsyscalls && !syscall_matches(s, ev, nev))
			continue;
		if (s->npaths && !path_matches(s, ev, nev, j))
			continue;
		if (s->nprograms && !pid_matches(s, ev, nev, j))
			continue;
		return s->reason;
	}
	return NULL;
}

void suppress_truncate(struct rule_set *rs, int n)
{
	while (rs->nsuppressions > n) {
		struct suppression *s = &rs->suppressions[--rs->nsuppressions];

		strv_free(s->rules, s->nrules);
		strv_free(s->paths, s->npaths);
		strv_free(s->programs, s->nprograms);
		strv_free(s->syscalls, s->nsyscalls);
		free(s->rule_line);
		free(s->rule_col);
		free(s->reason);
		free(s->file);
		memset(s, 0, sizeof(*s));
	}
}

void suppress_mark_shipped(struct rule_set *rs)
{
	for (int i = 0; i < rs->nsuppressions; i++)
		rs->suppressions[i].shipped = true;
}

int suppress_check_rules(const struct rule_set *rs, int from, char *err,
			 size_t errlen)
{
	for (int i = from; i < rs->nsuppressions; i++) {
		const struct suppression *s = &rs->suppressions[i];

		if (s->shipped)
			continue;
		for (int k = 0; k < s->nrules; k++) {
			const char *id = s->rules[k];

			if (strpbrk(id, "*?[\\") || rule_set_find(rs, id))
				continue;
			snprintf(err, errlen,
				 "%s:%d:%d: a suppression names no rule \"%s\" "
				 "(see fsrace rules)",
				 s->file, s->rule_line[k], s->rule_col[k], id);
			return -ENOENT;
		}
	}
	return 0;
}
