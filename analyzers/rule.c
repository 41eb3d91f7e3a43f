// SPDX-License-Identifier: MIT
/* Rules and rule sets: their names, lifecycle and lookup. */
#include "rule.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"
#include "rule_load.h"
#include "strbuf.h"
#include "suppress.h"
#include "util.h"

const char *severity_name(enum severity s)
{
	static const char *const names[] = {"note", "warning", "error", "none"};

	return names[s];
}

int severity_parse(const char *name)
{
	for (int s = SEV_NOTE; s <= SEV_NONE; s++)
		if (!strcmp(name, severity_name(s)))
			return s;
	return -EINVAL;
}

void strv_free(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void rule_free(struct rule *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->nparams; i++) {
		free(r->params[i].name);
		free(r->params[i].description);
		strv_free(r->params[i].defaults, r->params[i].ndefaults);
		strv_free(r->params[i].values, r->params[i].nvalues);
	}
	for (int s = 0; s < RULE_MAX_STEPS; s++) {
		struct matcher *m = &r->steps[s].m;

		free(r->steps[s].name);
		for (int c = 0; c < m->nconds; c++) {
			free(m->conds[c].str);
			if (m->conds[c].strs)
				strv_free(m->conds[c].strs, m->conds[c].nin);
			free(m->conds[c].nums);
		}
	}
	for (int g = 0; g < RULE_MAX_GUARDS; g++) {
		struct matcher *m = &r->guards[g].m;

		for (int c = 0; c < m->nconds; c++) {
			free(m->conds[c].str);
			if (m->conds[c].strs)
				strv_free(m->conds[c].strs, m->conds[c].nin);
			free(m->conds[c].nums);
		}
	}
	for (int v = 0; v < r->nvars; v++)
		free(r->vars[v]);
	free(r->id);
	free(r->title);
	free(r->explanation);
	free(r->fix);
	free(r->message);
	free(r->source);
	strv_free(r->references, r->nreferences);
	strv_free(r->tags, r->ntags);
	strv_free(r->supersedes, r->nsupersedes);
	free(r);
}

static bool rule_has_id(const struct hashmap_entry *e, const void *id)
{
	return !strcmp(container_of(e, struct rule, by_id)->id, id);
}

static bool group_has_name(const struct hashmap_entry *e, const void *name)
{
	return !strcmp(container_of(e, struct group, by_name)->name, name);
}

void rule_set_init(struct rule_set *rs)
{
	memset(rs, 0, sizeof(*rs));
	hashmap_init(&rs->by_id, rule_has_id, 64);
	hashmap_init(&rs->group_names, group_has_name, 16);
}

void rule_set_release(struct rule_set *rs)
{
	for (int i = 0; i < rs->nrules; i++)
		rule_free(rs->rules[i]);
	for (int i = 0; i < rs->ngroups; i++) {
		free(rs->groups[i]->name);
		free(rs->groups[i]);
	}
	for (int k = 0; k < POLICY_LISTS_; k++)
		strv_free(rs->policy.globs[k], rs->policy.n[k]);
	suppress_truncate(rs, 0);
	free(rs->suppressions);
	free(rs->rules);
	free(rs->groups);
	hashmap_release(&rs->by_id);
	hashmap_release(&rs->group_names);
	memset(rs, 0, sizeof(*rs));
}

struct rule *rule_set_find(const struct rule_set *rs, const char *id)
{
	struct hashmap_entry *e = hashmap_get(&rs->by_id, hash_str(id), id);

	return e ? container_of(e, struct rule, by_id) : NULL;
}

void rule_set_add(struct rule_set *rs, struct rule *r)
{
	r->index = rs->nrules;
	rs->rules = xrealloc(rs->rules,
			     (size_t)(rs->nrules + 1) * sizeof(*rs->rules));
	rs->rules[rs->nrules++] = r;
	if (r->id && !rule_set_find(rs, r->id))
		hashmap_put(&rs->by_id, &r->by_id, hash_str(r->id));
}

void rule_set_drop_last(struct rule_set *rs)
{
	struct rule *r = rs->rules[--rs->nrules];

	if (r->id && rule_set_find(rs, r->id) == r)
		hashmap_remove_entry(&rs->by_id, &r->by_id);
	rule_free(r);
}

const struct group *rule_set_group(const struct rule_set *rs, const char *name)
{
	struct hashmap_entry *e =
		hashmap_get(&rs->group_names, hash_str(name), name);

	return e ? container_of(e, struct group, by_name) : NULL;
}

void rule_set_add_group(struct rule_set *rs, struct group *g)
{
	rs->groups = xrealloc(rs->groups,
			      (size_t)(rs->ngroups + 1) * sizeof(*rs->groups));
	rs->groups[rs->ngroups++] = g;
	hashmap_put(&rs->group_names, &g->by_name, hash_str(g->name));
}

void rule_set_drop_last_group(struct rule_set *rs)
{
	struct group *g = rs->groups[--rs->ngroups];

	hashmap_remove_entry(&rs->group_names, &g->by_name);
	free(g->name);
	free(g);
}

int rule_set_param(struct rule_set *rs, const char *id, const char *name,
		   char *const *values, int n, char *err, size_t errlen)
{
	const struct rule *first = rule_set_find(rs, id);
	struct strbuf b;
	int found = 0;

	if (!first) {
		snprintf(err, errlen, "no rule '%s' (see fsrace rules)", id);
		return -1;
	}
	/* every variant of ID has the rule's parameters */
	for (int i = 0; i < rs->nrules; i++) {
		struct rule *r = rs->rules[i];

		for (int k = 0; !strcmp(r->id, id) && k < r->nparams; k++) {
			struct rule_param *p = &r->params[k];

			if (strcmp(p->name, name))
				continue;
			strv_free(p->values, p->nvalues);
			p->values = xcalloc((size_t)n + 1, sizeof(char *));
			for (int v = 0; v < n; v++)
				p->values[v] = xstrdup(values[v]);
			p->nvalues = n;
			p->set = true;
			found++;
		}
	}
	if (found)
		return 0;
	strbuf_init(&b, 64);
	for (int k = 0; k < first->nparams; k++)
		strbuf_addf(&b, "%s%s", k ? ", " : "", first->params[k].name);
	snprintf(err, errlen, "rule '%s' has no parameter '%s' (%s%s)", id,
		 name, first->nparams ? "it has: " : "it has none",
		 b.len ? b.buf : "");
	strbuf_release(&b);
	return -1;
}

/* VALUE with a leading $ROOT, $TMPDIR or $HOME replaced, or NULL. */
static char *param_expand(const char *value, const struct param_env *env)
{
	static const char *const names[] = {"$ROOT", "$TMPDIR", "$HOME"};
	const char *by[] = {env->root, env->tmpdir, env->home};

	for (int i = 0; i < 3; i++) {
		size_t n = strlen(names[i]);
		char *out;

		if (strncmp(value, names[i], n) ||
		    (value[n] && value[n] != '/'))
			continue;
		if (!by[i] || !by[i][0])
			return NULL;
		out = xmalloc(strlen(by[i]) + strlen(value + n) + 1);
		strcpy(out, by[i]);
		strcat(out, value + n);
		return out;
	}
	return xstrdup(value);
}

/* param_expand()'s value, a path made normal ("$ROOT/../x"). */
static char *param_value(const char *value, const struct param_env *env)
{
	char *e = param_expand(value, env), buf[PATH_MAX];

	if (e && e[0] == '/' && path_resolve("/", e, buf, sizeof(buf)) >= 0) {
		free(e);
		return xstrdup(buf);
	}
	return e;
}

static void resolve_matcher(struct rule *r, struct matcher *m,
			    const struct param_env *env)
{
	for (int c = 0; c < m->nconds; c++) {
		struct cond *cd = &m->conds[c];
		const struct rule_param *p;
		char *const *v;
		int n;

		if (!cd->param)
			continue;
		p = &r->params[cd->param - 1];
		v = p->set ? p->values : p->defaults;
		n = p->set ? p->nvalues : p->ndefaults;
		strv_free(cd->strs, cd->nin);
		cd->strs = xcalloc((size_t)n + 1, sizeof(char *));
		cd->nin = 0;
		for (int i = 0; i < n; i++) {
			char *e = param_value(v[i], env);

			if (e)
				cd->strs[cd->nin++] = e;
		}
	}
}

void rule_set_resolve_params(struct rule_set *rs, const struct param_env *env)
{
	for (int i = 0; i < rs->nrules; i++) {
		struct rule *r = rs->rules[i];

		if (!r->nparams)
			continue;
		for (int s = 0; s < r->nsteps; s++)
			resolve_matcher(r, &r->steps[s].m, env);
		for (int g = 0; g < r->nguards; g++)
			resolve_matcher(r, &r->guards[g].m, env);
	}
}
