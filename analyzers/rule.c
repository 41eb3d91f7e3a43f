// SPDX-License-Identifier: MIT
/* Rules and rule sets: their names, lifecycle and lookup. */
#include "rule.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rule_load.h"
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

void rule_set_init(struct rule_set *rs)
{
	memset(rs, 0, sizeof(*rs));
}

void rule_set_release(struct rule_set *rs)
{
	for (int i = 0; i < rs->nrules; i++)
		rule_free(rs->rules[i]);
	for (int i = 0; i < rs->ngroups; i++)
		free(rs->groups[i].name);
	for (int k = 0; k < POLICY_LISTS_; k++)
		strv_free(rs->policy.globs[k], rs->policy.n[k]);
	free(rs->rules);
	free(rs->groups);
	memset(rs, 0, sizeof(*rs));
}

struct rule *rule_set_find(const struct rule_set *rs, const char *id)
{
	for (int i = 0; i < rs->nrules; i++)
		if (rs->rules[i]->id && !strcmp(rs->rules[i]->id, id))
			return rs->rules[i];
	return NULL;
}
