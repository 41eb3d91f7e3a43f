// SPDX-License-Identifier: MIT
/*
 * The path policy applied: ignored paths, and the severity modifiers,
 * keyed on who besides the program can change a name (docs/trust.md).
 */
#include "engine_impl.h"

#include <fnmatch.h>
#include <sys/stat.h>

static bool has_wild(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] == '*' || p[i] == '?' || p[i] == '[' || p[i] == '\\')
			return true;
	return false;
}

/*
 * The longest run of ordinary characters in fnmatch(3) pattern PAT
 * (flags 0: '*' matches '/' too) before its first '[', which every match
 * must hold, at *AT with its length returned; 0 when there is none.
 * Nothing past a '[' is taken: how glibc reads a bracket expression (a
 * backslash escapes in it, a bad class name is a plain '[', one with no
 * ']' is a plain '[' too) is not worth copying for a prefilter, and
 * "*.so.[0-9]*" keeps ".so.".
 */
size_t engine_glob_needed_run(const char *pat, const char **at)
{
	size_t best = 0, run = 0;
	const char *start = pat;

	for (const char *p = pat; *p && *p != '['; p++) {
		if (*p != '*' && *p != '?' && *p != '\\') {
			if (!run++)
				start = p;
			if (run > best) {
				best = run;
				*at = start;
			}
			continue;
		}
		run = 0;
		/* an escaped character is literal, but ends the run here */
		if (*p == '\\' && !*++p)
			break;
	}
	return best;
}

void engine_glob_compile(struct glob *g, const char *pat)
{
	size_t n = strlen(pat);

	g->pat = pat;
	g->kind = G_FNMATCH;
	if (!has_wild(pat, n)) {
		g->kind = G_EXACT;
		g->lit = xstrdup(pat);
	} else if (n >= 2 && pat[0] == '*' && pat[n - 1] == '*' &&
		   !has_wild(pat + 1, n - 2)) {
		g->kind = G_CONTAINS;
		g->lit = xstrndup(pat + 1, n - 2);
	} else if (n >= 1 && pat[n - 1] == '*' && !has_wild(pat, n - 1)) {
		g->kind = G_PREFIX;
		g->lit = xstrndup(pat, n - 1);
	} else if (n >= 1 && pat[0] == '*' && !has_wild(pat + 1, n - 1)) {
		g->kind = G_SUFFIX;
		g->lit = xstrdup(pat + 1);
	} else {
		const char *at = NULL;
		size_t run = engine_glob_needed_run(pat, &at);

		/* fnmatch only for a path that holds the pattern's longest
		 * literal run ("*.so.[0-9]*": ".so."), which most do not */
		if (run)
			g->lit = xstrndup(at, run);
	}
	g->len = g->lit ? strlen(g->lit) : 0;
}

/*
 * P, of length N (computed when first needed, (size_t)-1 before), against
 * G. Every event's path meets every ignore glob: a literal's first two
 * bytes are compared before calling strcmp/strncmp, which most paths fail
 * (strncmp calls were 2% of `fsrace analyze`).
 */
static inline bool glob_match(const struct glob *g, const char *p, size_t *n)
{
	switch (g->kind) {
	case G_EXACT:
		if (p[0] != g->lit[0])
			return false;
		return !p[0] || (p[1] == g->lit[1] && !strcmp(p, g->lit));
	case G_PREFIX:
		if (!g->len)
			return true;
		if (p[0] != g->lit[0])
			return false;
		return g->len == 1 ||
		       (p[1] == g->lit[1] && !strncmp(p, g->lit, g->len));
	case G_SUFFIX:
		if (*n == (size_t)-1)
			*n = strlen(p);
		return *n >= g->len && !memcmp(p + *n - g->len, g->lit, g->len);
	case G_CONTAINS:
		return strstr(p, g->lit) != NULL;
	default:
		if (g->len && !strstr(p, g->lit))
			return false;
		return fnmatch(g->pat, p, 0) == 0;
	}
}

bool engine_glob_match(const struct glob *g, const char *p, size_t *n)
{
	return glob_match(g, p, n);
}

/* The byte a path's second must be for G to match it, or 256: any. */
static int glob_key(const struct glob *g)
{
	if ((g->kind != G_EXACT && g->kind != G_PREFIX) || g->len < 2 ||
	    g->lit[0] != '/')
		return 256;
	return (unsigned char)g->lit[1];
}

static void globs_index(struct globs *gs)
{
	int next[257];

	gs->order = xrealloc(gs->order, (size_t)gs->n * sizeof(*gs->order));
	memset(gs->at, 0, sizeof(gs->at));
	for (int i = 0; i < gs->n; i++)
		gs->at[glob_key(&gs->v[i]) + 1]++;
	for (int k = 0; k < 257; k++)
		gs->at[k + 1] += gs->at[k];
	memcpy(next, gs->at, sizeof(next));
	for (int i = 0; i < gs->n; i++)
		gs->order[next[glob_key(&gs->v[i])]++] = i;
}

void engine_globs_add(struct globs *gs, const char *const *pats, int n)
{
	for (int i = 0; pats && i < n && pats[i]; i++) {
		gs->v = xrealloc(gs->v, (size_t)(gs->n + 1) * sizeof(*gs->v));
		memset(&gs->v[gs->n], 0, sizeof(*gs->v));
		engine_glob_compile(&gs->v[gs->n++], pats[i]);
	}
	globs_index(gs);
}

void engine_globs_release(struct globs *gs)
{
	for (int i = 0; i < gs->n; i++)
		free(gs->v[i].lit);
	free(gs->v);
	free(gs->order);
}

static bool globs_match(const struct globs *gs, const char *p)
{
	size_t n = (size_t)-1;
	int k = p[0] == '/' ? (unsigned char)p[1] : 256;

	for (int i = gs->at[k]; k < 256 && i < gs->at[k + 1]; i++)
		if (glob_match(&gs->v[gs->order[i]], p, &n))
			return true;
	for (int i = gs->at[256]; i < gs->at[257]; i++)
		if (glob_match(&gs->v[gs->order[i]], p, &n))
			return true;
	return false;
}

bool engine_globs_match(const struct globs *gs, const char *p)
{
	return globs_match(gs, p);
}

static bool ignored_path(const struct engine *e, const char *p)
{
	/* the exceptions only for what is ignored: most paths are not */
	return p && globs_match(&e->ignore, p) && !globs_match(&e->except, p);
}

bool engine_ignored(const struct engine *e, const struct event *ev)
{
	const char *p = ev->abspath ? ev->abspath : ev->fd_path;

	if (!p || !ignored_path(e, p))
		return false;
	return !ev->abspath2 || ignored_path(e, ev->abspath2);
}

enum severity engine_severity_of(const struct engine *e, const struct rule *r,
				 const struct evidence *first)
{
	const char *p = first->abspath ? first->abspath : first->fd_path;
	enum severity s = r->severity;

	if (!e->opt.modifiers || !r->modifiers || !p)
		return s;
	/* only root can change it */
	if (globs_match(&e->root_only, p))
		return SEV_NOTE;
	/* other users can, unless the tree made the name its own before */
	if (first->parent_valid && (first->parent_mode & S_IWOTH) &&
	    s < SEV_ERROR && !judge_private_name(e->judge, p, first->seq - 1))
		s++;
	return s;
}
