// SPDX-License-Identifier: MIT
/*
 * Loading rule files: rules, their steps and guards, variants, the path
 * policy, and the files and directories they come from.
 */
#include "rule_load.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strbuf.h"
#include "suppress.h"
#include "util.h"

#define RULE_FILE_MAX (4 << 20)

void load_fail_at(struct loader *l, const struct jnode *n, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	if (l->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(l->err, l->errlen, "%s:%d:%d: %s", l->file, n ? n->line : 1,
		 n ? n->col : 1, what);
	l->failed = true;
}

const char *load_want_string(struct loader *l, const struct jnode *n,
			     const char *what)
{
	if (!n || n->type != J_STRING) {
		load_fail_at(l, n, "%s must be a string, not %s", what,
			     n ? jtype_name(n->type) : "missing");
		return NULL;
	}
	return n->s;
}

/* The string KEY of object O: a missing key is named at O. */
static const char *need_string(struct loader *l, const struct jnode *o,
			       const char *key, const char *what)
{
	const struct jnode *v = jnode_get(o, key);

	if (!v) {
		load_fail_at(l, o, "missing \"%s\"", key);
		return NULL;
	}
	return load_want_string(l, v, what);
}

static char **string_list(struct loader *l, const struct jnode *n,
			  const char *what, int *ret_n)
{
	char **v;

	*ret_n = 0;
	if (!n)
		return NULL;
	if (n->type != J_ARRAY) {
		load_fail_at(l, n, "%s must be an array of strings", what);
		return NULL;
	}
	v = xcalloc(n->n + 1, sizeof(char *));
	for (size_t i = 0; i < n->n; i++) {
		const char *s = load_want_string(l, n->items[i], what);

		v[i] = xstrdup(s ? s : "");
	}
	*ret_n = (int)n->n;
	return v;
}

/* Keys an object may have; an unknown key is a mistake worth naming. */
void load_check_keys(struct loader *l, const struct jnode *o, const char *what,
		     const char *const *allowed)
{
	for (size_t i = 0; i < o->n && !l->failed; i++) {
		const char *const *a;

		for (a = allowed; *a; a++)
			if (!strcmp(*a, o->keys[i]))
				break;
		if (!*a)
			load_fail_at(l, o->keynodes[i],
				     "unknown key \"%s\" in %s", o->keys[i],
				     what);
	}
}

static int step_by_name(const struct rule *r, const char *name)
{
	for (int i = 0; i < r->nsteps; i++)
		if (!strcmp(r->steps[i].name, name))
			return i;
	return -1;
}

/*
 * Implicit pid/tid binding for "scope": process or thread, in the matcher
 * of the step or guard AT. It takes a condition and a variable: a matcher
 * with no room left for them is an error, not a rule without its scope.
 */
static void add_scope(struct loader *l, const struct jnode *at, struct rule *r,
		      struct matcher *m, enum field f)
{
	const char *scope = f == F_PID ? "process" : "thread";
	struct cond *c;
	int var;

	if (l->failed)
		return;
	if (m->nconds == RULE_MAX_CONDS) {
		load_fail_at(l, at,
			     "too many conditions with scope %s (at most %d)",
			     scope, RULE_MAX_CONDS - 1);
		return;
	}
	var = rule_find_var(r, f == F_PID ? "$(pid)" : "$(tid)", true);
	if (var < 0) {
		load_fail_at(l, at,
			     "too many variables with scope %s (at most %d)",
			     scope, RULE_MAX_VARS - 1);
		return;
	}
	c = &m->conds[m->nconds++];
	memset(c, 0, sizeof(*c));
	c->field = f;
	c->op = OP_VAR;
	c->var = var;
}

/*
 * Variables bound before step K (by steps < K): an OP_VAR condition on
 * one of them compares; any other OP_VAR binds.
 */
static uint32_t bound_before(const struct rule *r, int k)
{
	uint32_t bound = 0;

	for (int s = 0; s < k; s++)
		for (int c = 0; c < r->steps[s].m.nconds; c++)
			if (r->steps[s].m.conds[c].op == OP_VAR)
				bound |= 1u << r->steps[s].m.conds[c].var;
	return bound;
}

static void choose_index(struct rule *r, struct matcher *m, uint32_t bound)
{
	for (int c = 0; c < m->nconds; c++) {
		const struct cond *cd = &m->conds[c];

		if (cd->op == OP_VAR && (bound >> cd->var & 1) &&
		    is_string_field(cd->field) && !cd->dirname) {
			m->index_cond = c;
			return;
		}
	}
}

/* Variables used by "not" or by guards must be bound before use. */
static void check_bound(struct loader *l, const struct rule *r,
			const struct matcher *m, uint32_t bound, bool binds)
{
	for (int c = 0; c < m->nconds && !l->failed; c++) {
		const struct cond *cd = &m->conds[c];

		if (cd->op == OP_NOT_VAR && !(bound >> cd->var & 1)) {
			struct jnode at = {.line = cd->line, .col = cd->col};

			load_fail_at(l, &at,
				     "variable %s is used by \"not\" before "
				     "a step binds it",
				     r->vars[cd->var]);
		}
		if (!binds && cd->op == OP_VAR && !(bound >> cd->var & 1)) {
			struct jnode at = {.line = cd->line, .col = cd->col};

			load_fail_at(l, &at,
				     "variable %s in a guard is not bound "
				     "by the steps before it",
				     r->vars[cd->var]);
		}
	}
}

static int index_var(const struct matcher *m)
{
	return m->index_cond >= 0 ? m->conds[m->index_cond].var : -1;
}

/*
 * The variable, other than SKIP, that most of the guards applying at step
 * K compare (the first of them on a tie), or -1: what instances waiting
 * there are hashed by when the step compares none, and their second key.
 * missing-dir-fsync waits for the exit under guards on $d (an fsync of
 * the directory) and on $p (a rename or unlink of the name): keyed on $d
 * alone, every unlink scanned all the names made in that directory; on
 * $p alone, every fsync scanned them all.
 */
static int guards_key(const struct rule *r, int k, int skip)
{
	int best = -1, best_n = 0;

	for (int g = 0; g < r->nguards; g++) {
		int v = index_var(&r->guards[g].m), n = 0;

		if (v < 0 || v == skip || r->guards[g].after >= k ||
		    k > r->guards[g].before)
			continue;
		for (int h = 0; h < r->nguards; h++)
			n += r->guards[h].after < k &&
			     k <= r->guards[h].before &&
			     index_var(&r->guards[h].m) == v;
		if (n > best_n) {
			best = v;
			best_n = n;
		}
	}
	return best;
}

static void choose_keys(struct rule *r)
{
	int first = -1;

	for (int c = 0; c < r->steps[0].m.nconds && first < 0; c++) {
		const struct cond *cd = &r->steps[0].m.conds[c];

		if (cd->op == OP_VAR && is_string_field(cd->field))
			first = cd->var;
	}
	r->steps[0].key_var = -1;
	r->steps[0].key_var2 = -1;
	for (int k = 1; k < r->nsteps; k++) {
		struct step *st = &r->steps[k];

		st->key_var = index_var(&st->m);
		if (st->key_var < 0)
			st->key_var = guards_key(r, k, -1);
		if (st->key_var < 0)
			st->key_var = first;
		st->key_var2 = guards_key(r, k, st->key_var);
	}
}

static const char *const rule_keys[] = {
	"id",	       "title",	  "severity",
	"explanation", "fix",	  "message",
	"references",  "tags",	  "enabled",
	"modifiers",   "scope",	  "steps",
	"unless",      "confirm", "supersedes",
	"variants",    "use",	  "unprivileged_severity",
	"parameters",  NULL,
};
static const char *const param_keys[] = {"description", "default", NULL};
static const char *const variant_keys[] = {
	"scope",   "steps",    "unless", "confirm", "fix",
	"message", "severity", "use",	 NULL,
};
static const char *const step_keys[] = {
	"name", "syscalls", "where", "at_exit", "or_exit", "overlaps", NULL,
};
static const char *const guard_keys[] = {
	"after", "before", "syscalls", "where", NULL,
};

static bool get_bool(struct loader *l, const struct jnode *o, const char *key,
		     bool dflt)
{
	const struct jnode *v = jnode_get(o, key);

	if (!v)
		return dflt;
	if (v->type != J_BOOL) {
		load_fail_at(l, v, "\"%s\" must be true or false", key);
		return dflt;
	}
	return v->b;
}

static char *opt_string(struct loader *l, const struct jnode *o,
			const char *key);

/*
 * "parameters": {"NAME": {"description": "…", "default": ["…", …]}}:
 * lists of strings the rule's conditions name as {"param": NAME}.
 */
static void load_params(struct loader *l, struct rule *r, const struct jnode *v)
{
	if (!v)
		return;
	if (v->type != J_OBJECT) {
		load_fail_at(l, v,
			     "\"parameters\" must be an object of "
			     "parameters by name");
		return;
	}
	if (v->n > RULE_MAX_PARAMS) {
		load_fail_at(l, v, "too many parameters (at most %d)",
			     RULE_MAX_PARAMS);
		return;
	}
	for (size_t i = 0; i < v->n && !l->failed; i++) {
		const struct jnode *p = v->items[i];
		struct rule_param *rp = &r->params[r->nparams];
		const char *name = v->keys[i];

		for (const char *c = name; *c; c++)
			if (!(*c >= 'a' && *c <= 'z') && *c != '_' &&
			    !(*c >= '0' && *c <= '9')) {
				load_fail_at(l, v->keynodes[i],
					     "a parameter name is lowercase "
					     "letters, digits and '_'");
				return;
			}
		if (p->type != J_OBJECT) {
			load_fail_at(l, p, "a parameter is an object");
			return;
		}
		load_check_keys(l, p, "a parameter", param_keys);
		if (!jnode_get(p, "default") && !l->failed) {
			load_fail_at(l, p, "missing \"default\"");
			return;
		}
		if (l->failed)
			return;
		rp->name = xstrdup(name);
		rp->description = opt_string(l, p, "description");
		rp->defaults = string_list(l, jnode_get(p, "default"),
					   "\"default\"", &rp->ndefaults);
		r->nparams++;
	}
}

static char *opt_string(struct loader *l, const struct jnode *o,
			const char *key)
{
	const struct jnode *v = jnode_get(o, key);
	char what[64];
	const char *s;

	if (!v)
		return NULL;
	snprintf(what, sizeof(what), "\"%s\"", key);
	s = load_want_string(l, v, what);
	return s ? xstrdup(s) : NULL;
}

static void load_steps(struct loader *l, struct rule *r,
		       const struct jnode *steps, enum field scope)
{
	if (!steps || steps->type != J_ARRAY || steps->n == 0) {
		load_fail_at(l, steps, "\"steps\" must be a non-empty array");
		return;
	}
	if (steps->n > RULE_MAX_STEPS) {
		load_fail_at(l, steps, "too many steps (at most %d)",
			     RULE_MAX_STEPS);
		return;
	}
	for (size_t i = 0; i < steps->n && !l->failed; i++) {
		const struct jnode *s = steps->items[i];
		struct step *st = &r->steps[r->nsteps];
		const char *name;

		if (s->type != J_OBJECT) {
			load_fail_at(l, s, "a step must be an object");
			return;
		}
		load_check_keys(l, s, "a step", step_keys);
		name = need_string(l, s, "name", "a step's \"name\"");
		if (!name)
			return;
		if (step_by_name(r, name) >= 0) {
			load_fail_at(l, jnode_get(s, "name"),
				     "step \"%s\" is "
				     "defined twice",
				     name);
			return;
		}
		st->name = xstrdup(name);
		st->overlaps = -1;
		st->m.index_cond = -1;
		r->nsteps++;
		st->at_exit = get_bool(l, s, "at_exit", false);
		st->or_exit = get_bool(l, s, "or_exit", false);
		if (st->at_exit && i == 0) {
			load_fail_at(l, s, "the first step cannot be at_exit");
			return;
		}
		if (st->at_exit &&
		    (jnode_get(s, "syscalls") || jnode_get(s, "where"))) {
			load_fail_at(
				l, s,
				"an at_exit step has no syscalls or "
				"conditions (use or_exit for a step that an "
				"event or the exit satisfies)");
			return;
		}
		if ((st->at_exit || st->or_exit) && i != steps->n - 1) {
			load_fail_at(l, s,
				     "only the last step may wait for the "
				     "exit");
			return;
		}
		if (!st->at_exit) {
			rule_load_matcher(l, r, &st->m, s, true);
			if (scope != F_COUNT_)
				add_scope(l, s, r, &st->m, scope);
		}
		if (jnode_get(s, "overlaps")) {
			const char *o = load_want_string(
				l, jnode_get(s, "overlaps"), "\"overlaps\"");

			st->overlaps = o ? step_by_name(r, o) : -1;
			if (o && st->overlaps < 0)
				load_fail_at(
					l, jnode_get(s, "overlaps"),
					"\"overlaps\" names no earlier step");
		}
	}
	for (int k = 0; k < r->nsteps && !l->failed; k++) {
		uint32_t bound = bound_before(r, k);

		check_bound(l, r, &r->steps[k].m, bound, true);
		if (k > 0)
			choose_index(r, &r->steps[k].m, bound);
	}
}

static void load_guards(struct loader *l, struct rule *r,
			const struct jnode *unless, enum field scope)
{
	if (!unless)
		return;
	if (unless->type != J_ARRAY) {
		load_fail_at(l, unless,
			     "\"unless\" must be an array of guards");
		return;
	}
	if (unless->n > RULE_MAX_GUARDS) {
		load_fail_at(l, unless, "too many guards (at most %d)",
			     RULE_MAX_GUARDS);
		return;
	}
	for (size_t i = 0; i < unless->n && !l->failed; i++) {
		const struct jnode *g = unless->items[i];
		struct guard *gd = &r->guards[r->nguards];
		const char *after, *before;

		if (g->type != J_OBJECT) {
			load_fail_at(l, g, "a guard must be an object");
			return;
		}
		load_check_keys(l, g, "a guard", guard_keys);
		after = need_string(l, g, "after", "a guard's \"after\"");
		if (!after)
			return;
		gd->after = step_by_name(r, after);
		if (gd->after < 0) {
			load_fail_at(l, jnode_get(g, "after"), "no step \"%s\"",
				     after);
			return;
		}
		gd->before = r->nsteps - 1;
		if (jnode_get(g, "before")) {
			before = load_want_string(l, jnode_get(g, "before"),
						  "a guard's \"before\"");
			if (!before)
				return;
			gd->before = step_by_name(r, before);
			if (gd->before <= gd->after) {
				load_fail_at(l, jnode_get(g, "before"),
					     "\"before\" "
					     "must name a step after \"%s\"",
					     after);
				return;
			}
		}
		if (gd->after == r->nsteps - 1 &&
		    !r->steps[gd->after].or_exit) {
			load_fail_at(l, g,
				     "a guard after the last step can never "
				     "apply");
			return;
		}
		r->nguards++;
		rule_load_matcher(l, r, &gd->m, g, true);
		if (scope != F_COUNT_)
			add_scope(l, g, r, &gd->m, scope);
		{
			uint32_t bound = bound_before(r, gd->after + 1);

			check_bound(l, r, &gd->m, bound, false);
			choose_index(r, &gd->m, bound);
		}
	}
}

/*
 * One rule from the object O; its pattern (scope, steps, unless, confirm)
 * from PAT, which is O itself or one of O's "variants".
 */
static struct rule *load_rule(struct loader *l, const struct jnode *o,
			      const struct jnode *pat, bool first)
{
	struct rule *r = xcalloc(1, sizeof(*r));
	const struct jnode *v;
	enum field scope = F_PID;
	int sev;

	r->line = o->line;
	r->source = xstrdup(l->file);
	r->key_var = -1;
	r->confirm[0] = r->confirm[1] = -1;
	if (o->type != J_OBJECT) {
		load_fail_at(l, o, "a rule must be an object");
		return r;
	}
	load_check_keys(l, o, "a rule", rule_keys);
	v = jnode_get(o, "id");
	if (need_string(l, o, "id", "\"id\"")) {
		r->id = xstrdup(v->s);
		for (const char *p = v->s; *p; p++)
			if (!(*p >= 'a' && *p <= 'z') && *p != '-' &&
			    !(*p >= '0' && *p <= '9')) {
				load_fail_at(l, v,
					     "a rule id is lowercase letters, "
					     "digits and '-'");
				break;
			}
		if (first && rule_set_find(l->rs, v->s))
			load_fail_at(l, v, "rule \"%s\" is defined twice",
				     v->s);
	}
	r->title = opt_string(l, o, "title");
	if (!r->title && !l->failed)
		load_fail_at(l, o, "missing \"title\"");
	/* a variant's own severity, fix and message, else the rule's */
	v = jnode_get(pat, "severity") ? jnode_get(pat, "severity")
				       : jnode_get(o, "severity");
	if (!v)
		load_fail_at(l, o, "missing \"severity\"");
	else if (load_want_string(l, v, "\"severity\"")) {
		sev = severity_parse(v->s);
		if (sev < 0 || sev == SEV_NONE)
			load_fail_at(l, v,
				     "severity is error, warning or note, "
				     "not \"%s\"",
				     v->s);
		else
			r->severity = sev;
	}
	v = jnode_get(o, "unprivileged_severity");
	if (v && load_want_string(l, v, "\"unprivileged_severity\"")) {
		sev = severity_parse(v->s);
		if (sev >= 0 && sev != SEV_NONE) {
			r->has_unprivileged_severity = true;
			r->unprivileged_severity = sev;
		} else {
			load_fail_at(l, v,
				     "severity is error, warning or note, "
				     "not \"%s\"",
				     v->s);
		}
	}
	r->explanation = opt_string(l, o, "explanation");
	r->fix = opt_string(l, jnode_get(pat, "fix") ? pat : o, "fix");
	r->message =
		opt_string(l, jnode_get(pat, "message") ? pat : o, "message");
	r->references = string_list(l, jnode_get(o, "references"),
				    "\"references\"", &r->nreferences);
	r->tags = string_list(l, jnode_get(o, "tags"), "\"tags\"", &r->ntags);
	r->supersedes = string_list(l, jnode_get(o, "supersedes"),
				    "\"supersedes\"", &r->nsupersedes);
	r->enabled = get_bool(l, o, "enabled", true);
	r->modifiers = get_bool(l, o, "modifiers", true);
	if (pat != o) {
		if (pat->type != J_OBJECT) {
			load_fail_at(l, pat, "a variant must be an object");
			return r;
		}
		load_check_keys(l, pat, "a variant", variant_keys);
	}
	/* a variant's own scope, unless and confirm, else the rule's */
	v = jnode_get(pat, "scope") ? jnode_get(pat, "scope")
				    : jnode_get(o, "scope");
	if (v && load_want_string(l, v, "\"scope\"")) {
		if (!strcmp(v->s, "thread"))
			scope = F_TID;
		else if (!strcmp(v->s, "any"))
			scope = F_COUNT_;
		else if (strcmp(v->s, "process"))
			load_fail_at(l, v,
				     "scope is thread, process or any, not "
				     "\"%s\"",
				     v->s);
	}
	/* before the steps: their conditions name them */
	load_params(l, r, jnode_get(o, "parameters"));
	if (l->failed)
		return r;
	if (!jnode_get(pat, "steps"))
		load_fail_at(l, pat, "missing \"steps\"");
	load_steps(l, r, jnode_get(pat, "steps"), scope);
	load_guards(l, r,
		    jnode_get(pat, "unless") ? jnode_get(pat, "unless")
					     : jnode_get(o, "unless"),
		    scope);
	choose_keys(r);
	v = jnode_get(pat, "confirm") ? jnode_get(pat, "confirm")
				      : jnode_get(o, "confirm");
	if (v && !l->failed) {
		if (v->type != J_ARRAY || v->n != 2 ||
		    v->items[0]->type != J_STRING ||
		    v->items[1]->type != J_STRING) {
			load_fail_at(l, v, "\"confirm\" names two steps");
		} else {
			for (int i = 0; i < 2; i++) {
				r->confirm[i] = step_by_name(r, v->items[i]->s);
				if (r->confirm[i] < 0)
					load_fail_at(l, v->items[i],
						     "no step "
						     "\"%s\"",
						     v->items[i]->s);
			}
		}
	}
	r->use = r->nsteps - 1;
	v = jnode_get(pat, "use") ? jnode_get(pat, "use") : jnode_get(o, "use");
	if (v && !l->failed && load_want_string(l, v, "\"use\"")) {
		r->use = step_by_name(r, v->s);
		if (r->use < 0 || r->steps[r->use].at_exit)
			load_fail_at(l, v,
				     "\"use\" names no step with syscalls");
	}
	if (!r->message && !l->failed)
		load_fail_at(l, o, "missing \"message\"");
	return r;
}

static const char *const file_keys[] = {"groups", "rules", "policy",
					"suppressions", NULL};

static const char *const suppression_keys[] = {
	"rule", "path", "program", "syscall", "frame", "reason", NULL};

/*
 * KEY of suppression O: one glob or an array of them, none empty; the
 * line and column of each into RET_LINE, RET_COL when not NULL.
 */
static char **glob_list(struct loader *l, const struct jnode *o,
			const char *key, int *ret_n, int **ret_line,
			int **ret_col)
{
	const struct jnode *v = jnode_get(o, key);
	const struct jnode *const *items = &v;
	char **globs;
	size_t n = 1;

	*ret_n = 0;
	if (!v)
		return NULL;
	if (v->type == J_ARRAY) {
		items = (const struct jnode *const *)v->items;
		n = v->n;
		if (!n) {
			load_fail_at(l, v,
				     "\"%s\" is a glob or a non-empty "
				     "array of globs",
				     key);
			return NULL;
		}
	} else if (v->type != J_STRING) {
		load_fail_at(l, v,
			     "\"%s\" is a glob or an array of globs, "
			     "not %s",
			     key, jtype_name(v->type));
		return NULL;
	}
	globs = xcalloc(n + 1, sizeof(*globs));
	if (ret_line) {
		*ret_line = xcalloc(n, sizeof(int));
		*ret_col = xcalloc(n, sizeof(int));
	}
	for (size_t i = 0; i < n; i++) {
		const char *g = load_want_string(l, items[i], "a glob");

		if (g && !g[0])
			load_fail_at(l, items[i], "a glob is not empty");
		globs[i] = xstrdup(g ? g : "");
		if (ret_line) {
			(*ret_line)[i] = items[i]->line;
			(*ret_col)[i] = items[i]->col;
		}
	}
	*ret_n = (int)n;
	return globs;
}

static void load_suppressions(struct loader *l, const struct jnode *list)
{
	struct rule_set *rs = l->rs;

	if (list->type != J_ARRAY) {
		load_fail_at(l, list,
			     "\"suppressions\" must be an array of "
			     "suppressions");
		return;
	}
	for (size_t i = 0; i < list->n && !l->failed; i++) {
		const struct jnode *o = list->items[i];
		struct suppression *s;
		const char *reason;
		char where[PATH_MAX + 64];

		if (o->type != J_OBJECT) {
			load_fail_at(l, o, "a suppression must be an object");
			return;
		}
		load_check_keys(l, o, "a suppression", suppression_keys);
		if (!l->failed && !jnode_get(o, "rule"))
			load_fail_at(l, o,
				     "missing \"rule\" (a rule id or "
				     "glob)");
		reason = l->failed ? NULL
				   : need_string(l, o, "reason",
						 "a suppression's \"reason\"");
		if (reason && !reason[0])
			load_fail_at(l, jnode_get(o, "reason"),
				     "a suppression's \"reason\" is not "
				     "empty");
		if (l->failed)
			return;
		rs->suppressions = xrealloc(rs->suppressions,
					    (size_t)(rs->nsuppressions + 1) *
						    sizeof(*rs->suppressions));
		s = &rs->suppressions[rs->nsuppressions++];
		memset(s, 0, sizeof(*s));
		s->file = xstrdup(l->file);
		s->line = o->line;
		s->col = o->col;
		snprintf(where, sizeof(where), "%s:%d", l->file, o->line);
		s->reason = xmalloc(strlen(reason) + strlen(where) + 4);
		sprintf(s->reason, "%s (%s)", reason, where);
		s->rules = glob_list(l, o, "rule", &s->nrules, &s->rule_line,
				     &s->rule_col);
		s->paths = glob_list(l, o, "path", &s->npaths, NULL, NULL);
		s->programs =
			glob_list(l, o, "program", &s->nprograms, NULL, NULL);
		s->syscalls =
			glob_list(l, o, "syscall", &s->nsyscalls, NULL, NULL);
		s->frames = glob_list(l, o, "frame", &s->nframes, NULL, NULL);
	}
}

static const char *const policy_keys[POLICY_LISTS_ + 1] = {
	[POLICY_IGNORE] = "ignore",
	[POLICY_IGNORE_EXCEPT] = "ignore_except",
	[POLICY_ROOT_ONLY] = "root_only",
	[POLICY_SYSTEM_CODE] = "system_code",
};

static void load_policy(struct loader *l, const struct jnode *o)
{
	struct policy *pol = &l->rs->policy;

	if (o->type != J_OBJECT) {
		load_fail_at(l, o,
			     "\"policy\" must be an object of arrays of globs: "
			     "ignore, ignore_except, root_only, system_code");
		return;
	}
	load_check_keys(l, o, "\"policy\"", policy_keys);
	for (int k = 0; k < POLICY_LISTS_ && !l->failed; k++) {
		const struct jnode *list = jnode_get(o, policy_keys[k]);

		if (!list)
			continue;
		if (list->type != J_ARRAY) {
			load_fail_at(l, list,
				     "\"%s\" must be an array of globs",
				     policy_keys[k]);
			return;
		}
		for (size_t i = 0; i < list->n && !l->failed; i++) {
			const char *g =
				load_want_string(l, list->items[i], "a glob");

			if (!g)
				return;
			if (!g[0]) {
				load_fail_at(l, list->items[i],
					     "a glob is not empty");
				return;
			}
			pol->globs[k] = xrealloc(pol->globs[k],
						 (size_t)(pol->n[k] + 1) *
							 sizeof(char *));
			pol->globs[k][pol->n[k]++] = xstrdup(g);
		}
	}
}

int rule_set_load_text(struct rule_set *rs, const char *name, const char *text,
		       size_t len, char *err, size_t errlen)
{
	struct loader l = {
		.rs = rs, .file = name, .err = err, .errlen = errlen};
	char perr[256];
	struct jnode *root = jdoc_parse(text, len, perr, sizeof(perr));
	const struct jnode *rules, *groups;
	int first = rs->nrules, first_group = rs->ngroups;
	int first_suppression = rs->nsuppressions;
	int first_glob[POLICY_LISTS_];

	if (!root) {
		snprintf(err, errlen, "%s:%s", name, perr);
		return -EINVAL;
	}
	memcpy(first_glob, rs->policy.n, sizeof(first_glob));
	if (root->type != J_OBJECT) {
		load_fail_at(&l, root,
			     "a rule file is an object with \"rules\", "
			     "\"groups\", \"policy\" or \"suppressions\"");
		goto out;
	}
	load_check_keys(&l, root, "a rule file", file_keys);
	groups = jnode_get(root, "groups");
	if (groups && !l.failed)
		rule_load_groups(&l, groups);
	if (jnode_get(root, "policy") && !l.failed)
		load_policy(&l, jnode_get(root, "policy"));
	if (jnode_get(root, "suppressions") && !l.failed)
		load_suppressions(&l, jnode_get(root, "suppressions"));
	rules = jnode_get(root, "rules");
	if (rules && rules->type != J_ARRAY)
		load_fail_at(&l, rules, "\"rules\" must be an array");
	for (size_t i = 0; rules && !l.failed && i < rules->n; i++) {
		const struct jnode *item = rules->items[i];
		const struct jnode *variants = jnode_get(item, "variants");
		size_t nv = 1;

		if (variants) {
			if (variants->type != J_ARRAY || variants->n == 0) {
				load_fail_at(&l, variants,
					     "\"variants\" must be a "
					     "non-empty array of patterns");
				break;
			}
			if (jnode_get(item, "steps")) {
				load_fail_at(
					&l, jnode_get(item, "steps"),
					"a rule "
					"has \"steps\" or \"variants\", not "
					"both");
				break;
			}
			nv = variants->n;
		}
		for (size_t j = 0; j < nv && !l.failed; j++) {
			struct rule *r = load_rule(
				&l, item, variants ? variants->items[j] : item,
				j == 0);

			if (l.failed) {
				rule_free(r);
				break;
			}
			rule_set_add(rs, r);
		}
	}
out:
	jnode_free(root);
	if (!l.failed)
		return 0;
	/* leave the set as it was before this file */
	while (rs->nrules > first)
		rule_set_drop_last(rs);
	while (rs->ngroups > first_group)
		rule_set_drop_last_group(rs);
	for (int k = 0; k < POLICY_LISTS_; k++)
		while (rs->policy.n[k] > first_glob[k])
			free(rs->policy.globs[k][--rs->policy.n[k]]);
	suppress_truncate(rs, first_suppression);
	return -EINVAL;
}

static int load_file(struct rule_set *rs, const char *path, char *err,
		     size_t errlen)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct strbuf text = STRBUF_INIT;
	struct stat st;
	int r;

	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;

		snprintf(err, errlen, "cannot read rules '%s': %s", path,
			 strerror(e));
		return -e;
	}
	if (st.st_size > RULE_FILE_MAX) {
		snprintf(err, errlen, "%s: rule file larger than %d bytes",
			 path, RULE_FILE_MAX);
		return -EFBIG;
	}
	for (;;) {
		ssize_t n;

		strbuf_grow(&text, 8192);
		n = read(fd, text.buf + text.len, text.alloc - text.len - 1);
		if (n < 0) {
			r = -errno;
			snprintf(err, errlen, "cannot read rules '%s': %s",
				 path, strerror(-r));
			goto out;
		}
		if (n == 0)
			break;
		text.len += (size_t)n;
		if (text.len > RULE_FILE_MAX) {
			snprintf(err, errlen,
				 "%s: rule file larger than %d "
				 "bytes",
				 path, RULE_FILE_MAX);
			r = -EFBIG;
			goto out;
		}
	}
	text.buf[text.len] = '\0';
	r = rule_set_load_text(rs, path, text.buf, text.len, err, errlen);
out:
	strbuf_release(&text);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

bool rule_file_name(const char *name)
{
	size_t len = strlen(name);

	return len > 5 && !strcmp(name + len - 5, ".json") && name[0] != '.';
}

int rule_set_load(struct rule_set *rs, const char *path, char *err,
		  size_t errlen)
{
	struct stat st;
	struct dirent *d;
	char **names = NULL;
	size_t n = 0;
	DIR *dp;
	int r = 0;

	if (stat(path, &st) < 0) {
		int e = errno;

		snprintf(err, errlen, "cannot read rules '%s': %s", path,
			 strerror(e));
		return -e;
	}
	if (!S_ISDIR(st.st_mode))
		return load_file(rs, path, err, errlen);
	dp = opendir(path);
	if (!dp) {
		int e = errno;

		snprintf(err, errlen, "cannot read rules '%s': %s", path,
			 strerror(e));
		return -e;
	}
	while ((d = readdir(dp))) {
		if (rule_file_name(d->d_name)) {
			names = xrealloc(names, (n + 1) * sizeof(char *));
			names[n++] = xstrdup(d->d_name);
		}
	}
	closedir(dp);
	if (n) /* names is NULL in an empty directory */
		qsort(names, n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < n; i++) {
		char file[PATH_MAX];

		if (!r) {
			snprintf(file, sizeof(file), "%s/%s", path, names[i]);
			r = load_file(rs, file, err, errlen);
		}
		free(names[i]);
	}
	free(names);
	return r;
}
