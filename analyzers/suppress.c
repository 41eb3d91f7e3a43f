// SPDX-License-Identifier: MIT
/* Suppressions (suppress.h). */
#include "suppress.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rule_load.h"

/*
 * fnmatch(G, S, 0) == 0 ('*' matches '/' too), without fnmatch for the
 * shapes suppressions are written in: a word, an end ("*.py"), a middle
 * ("*" "/.git/" "*"), a start ("python*"). fnmatch costs a hundred times
 * a strcmp, and every path of every match meets these. Another pattern
 * goes to fnmatch only when S holds its longest run of plain characters
 * before any '[' or backslash ("/__pycache__/", ".so." of "*.so.[0-9]*"), as
 * every match does.
 */
static bool glob_matches(const char *g, const char *s)
{
	size_t n = strcspn(g, "*?[\\"), k, run = 0, best = 0;
	const char *p, *at = g;

	if (!g[n])
		return !strcmp(g, s);
	if (g[0] == '*') {
		k = strcspn(g + 1, "*?[\\");
		if (!g[1 + k]) {
			n = strlen(s);
			return n >= k && !memcmp(s + n - k, g + 1, k);
		}
		if (g[1 + k] == '*' && !g[2 + k])
			return memmem(s, strlen(s), g + 1, k) != NULL;
	} else if (g[n] == '*' && !g[n + 1]) {
		return !strncmp(g, s, n);
	}
	for (p = g; *p && *p != '[' && *p != '\\'; p++) {
		run = *p == '*' || *p == '?' ? 0 : run + 1;
		if (run > best) {
			best = run;
			at = p + 1 - run;
		}
	}
	if (best && !memmem(s, strlen(s), at, best))
		return false;
	return fnmatch(g, s, 0) == 0;
}

static bool any_glob(char *const *globs, int n, const char *s)
{
	if (!s)
		return false;
	for (int i = 0; i < n; i++)
		if (glob_matches(globs[i], s))
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

/* The interpreters whose options the command line is read with. */
enum interp { I_OTHER, I_PYTHON, I_SHELL, I_PERLISH };

static enum interp interp_of(const struct judge_proc *p)
{
	const char *n = last_component(p->exe ? p->exe : p->argv[0]);
	static const char *const shells[] = {"sh",  "bash",  "dash", "zsh",
					     "ksh", "ksh93", "mksh", "busybox"};

	if (!strncmp(n, "python", 6) || !strncmp(n, "pypy", 4))
		return I_PYTHON;
	for (size_t i = 0; i < ARRAY_SIZE(shells); i++)
		if (!strcmp(n, shells[i]))
			return I_SHELL;
	if (!strncmp(n, "perl", 4) || !strncmp(n, "ruby", 4) ||
	    !strncmp(n, "node", 4))
		return I_PERLISH;
	return I_OTHER;
}

/* An option after which there is no script: the code is on the command
 * line (-c, -e) or a module is run (python's -m). */
static bool no_script_option(enum interp in, const char *a)
{
	switch (in) {
	case I_PYTHON:
		return !strncmp(a, "-c", 2) || !strncmp(a, "-m", 2);
	case I_SHELL:
		return a[1] != '-' && strchr(a, 'c');
	case I_PERLISH:
		return !strncmp(a, "-e", 2) || !strncmp(a, "-E", 2) ||
		       !strncmp(a, "-p", 2);
	default:
		return false;
	}
}

/* An option whose value is the next argument. */
static bool valued_option(enum interp in, const char *a)
{
	switch (in) {
	case I_PYTHON:
		return !strcmp(a, "-W") || !strcmp(a, "-X");
	case I_SHELL:
		return !strcmp(a, "-o") || !strcmp(a, "-O") ||
		       !strcmp(a, "--rcfile") || !strcmp(a, "--init-file");
	default:
		return false;
	}
}

/* The script the command line of P names, or NULL. */
static const char *script_arg(const struct judge_proc *p)
{
	enum interp in = interp_of(p);

	for (char **a = p->argv + 1; *a; a++) {
		if (!strcmp(*a, "--"))
			return a[1];
		if ((*a)[0] != '-' || !(*a)[1])
			return *a;
		if (no_script_option(in, *a))
			return NULL;
		if (valued_option(in, *a) && !*++a)
			return NULL;
	}
	return NULL;
}

static bool is_exec(const struct evidence *e)
{
	return e->syscall && (!strcmp(e->syscall, "execve") ||
			      !strcmp(e->syscall, "execveat"));
}

/*
 * The path tokens: "{exe}" is the file the process of E exec'd (what a
 * #! interpreter reads), "{script}" that or the script its command line
 * names (python3 x.py, bash x.sh; not python3 -m mod, bash -c cmd), both
 * only for matches that do not hold the exec itself. "{lookup}" is the
 * image of an exec whose argv[0] names it without a slash: a PATH lookup.
 */
static bool token_matches(const char *token, const char *path,
			  const struct evidence *e, bool has_exec,
			  const struct judge *j)
{
	const struct judge_proc *p = j ? judge_proc(j, e->pid) : NULL;
	const char *arg;

	if (!path || !p)
		return false;
	if (!strcmp(token, "{lookup}"))
		return has_exec && p->exe && !strcmp(path, p->exe) && p->argv &&
		       p->argv[0] && !strchr(p->argv[0], '/');
	if (has_exec || (strcmp(token, "{script}") && strcmp(token, "{exe}")))
		return false;
	if (p->exe && !strcmp(path, p->exe))
		return true;
	if (strcmp(token, "{script}") || !p->argv || !p->argv[0])
		return false;
	arg = script_arg(p);
	return arg && names_path(arg, path);
}

static bool path_matches(const struct suppression *s,
			 const struct evidence *const *ev, int nev,
			 const struct judge *j)
{
	bool has_exec = false;

	for (int i = 0; i < nev; i++)
		has_exec |= is_exec(ev[i]);
	for (int i = 0; i < nev; i++) {
		const char *paths[] = {ev[i]->abspath, ev[i]->abspath2,
				       ev[i]->fd_path};

		for (size_t k = 0; k < ARRAY_SIZE(paths); k++) {
			if (any_glob(s->paths, s->npaths, paths[k]))
				return true;
			for (int g = 0; g < s->npaths; g++)
				if (s->paths[g][0] == '{' &&
				    token_matches(s->paths[g], paths[k], ev[i],
						  has_exec, j))
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

/*
 * The module of a Python frame's FILE, for "MODULE.FUNCTION": X of
 * "<frozen X>", else the file's name without its directory and ".py".
 */
static void py_module(const char *file, char *buf, size_t size)
{
	const char *b = last_component(file);
	size_t n = strlen(b);

	if (!strncmp(file, "<frozen ", 8) && file[strlen(file) - 1] == '>') {
		b = file + 8;
		n = strlen(b) - 1;
	} else if (n > 3 && !strcmp(b + n - 3, ".py")) {
		n -= 3;
	}
	snprintf(buf, size, "%.*s", (int)n, b);
}

static bool frame_glob(const struct suppression *s, const char *name)
{
	return name && any_glob(s->frames, s->nframes, name);
}

/* A frame of a stack of the evidence: a native frame by its function
 * (named by NAMER), a Python frame by FUNCTION or MODULE.FUNCTION. */
static bool frame_matches(const struct suppression *s,
			  const struct evidence *const *ev, int nev,
			  const struct frame_namer *namer)
{
	for (int i = 0; i < nev; i++) {
		const struct stack_trace *st = ev[i]->stack;

		for (uint32_t k = 0; st && k < st->npy; k++) {
			char full[512], mod[256];

			py_module(st->py[k].file, mod, sizeof(mod));
			snprintf(full, sizeof(full), "%s.%s", mod,
				 st->py[k].function);
			if (frame_glob(s, st->py[k].function) ||
			    frame_glob(s, full))
				return true;
		}
		for (uint32_t k = 0; st && k < st->n; k++) {
			struct frame_name fn;

			frame_name_of(namer, &st->pc[k], k > 0, &fn);
			if (frame_glob(s, fn.function))
				return true;
			/* the functions an inlined one sits in */
			for (int c = 0; c < fn.ncallers; c++)
				if (frame_glob(s, fn.callers[c].function))
					return true;
		}
	}
	return false;
}

const char *suppress_match(const struct rule_set *rs, const struct rule *r,
			   const struct evidence *const *ev, int nev,
			   const struct judge *j, bool defaults,
			   const struct frame_namer *namer, int *which)
{
	*which = -1;
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
		if (s->nframes && !frame_matches(s, ev, nev, namer))
			continue;
		*which = i;
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
		strv_free(s->frames, s->nframes);
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
