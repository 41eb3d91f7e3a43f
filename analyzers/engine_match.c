// SPDX-License-Identifier: MIT
/* Conditions of steps and guards, evaluated on an event. */
#include "engine_impl.h"

#include <fnmatch.h>

#include "path.h"

/* S matches one of C's globs (a list, a rule parameter's). */
static bool glob_any(const struct cond *c, const char *s)
{
	for (int i = 0; s && i < c->nin; i++)
		if (fnmatch(c->strs[i], s, 0) == 0)
			return true;
	return false;
}

static bool cond_str(const struct cond *c, const char *s, struct val *vars)
{
	struct val *v;

	switch (c->op) {
	case OP_VAR:
		if (!s)
			return false;
		v = &vars[c->var];
		if (v->kind)
			return val_eq_str(v, s);
		v->kind = 1;
		v->s = s;
		v->owned = false;
		return true;
	case OP_NOT_VAR:
		return s && !val_eq_str(&vars[c->var], s);
	/* the first bytes first: "result": "success" against "failure" or
	 * "error" on most events (strcmp here was 2% of fsrace analyze) */
	case OP_EQ:
		return s && s[0] == c->str[0] && !strcmp(s, c->str);
	case OP_NE:
		return !s || s[0] != c->str[0] || strcmp(s, c->str);
	case OP_IN:
		for (int i = 0; s && i < c->nin; i++)
			if (!strcmp(s, c->strs[i]))
				return true;
		return false;
	case OP_GLOB:
		if (c->str)
			return s && fnmatch(c->str, s, 0) == 0;
		return glob_any(c, s);
	case OP_NOT_GLOB:
		if (c->str)
			return !s || fnmatch(c->str, s, 0) != 0;
		return !glob_any(c, s);
	case OP_UNDER:
	case OP_NOT_UNDER:
		/* a call without the path (made on an fd) is not outside */
		if (!s)
			return false;
		for (int i = 0; i < c->nin; i++)
			if (path_is_under(s, c->strs[i]))
				return c->op == OP_UNDER;
		return c->op == OP_NOT_UNDER;
	default:
		return false;
	}
}

static bool cond_int(const struct cond *c, bool have, int64_t x,
		     struct val *vars)
{
	struct val *v;

	switch (c->op) {
	case OP_VAR:
		if (!have)
			return false;
		v = &vars[c->var];
		if (v->kind)
			return v->kind == 2 && v->i == x;
		v->kind = 2;
		v->i = x;
		v->owned = false;
		return true;
	case OP_NOT_VAR:
		v = &vars[c->var];
		return have && !(v->kind == 2 && v->i == x);
	case OP_EQ:
		return have && x == c->num;
	case OP_NE:
		return !have || x != c->num;
	case OP_IN:
		for (int i = 0; have && i < c->nin; i++)
			if (x == c->nums[i])
				return true;
		return false;
	case OP_CONTAINS:
		return have && ((uint64_t)x & c->bits) == c->bits;
	case OP_LACKS:
		return !have || ((uint64_t)x & c->bits) == 0;
	default:
		return false;
	}
}

/*
 * Does EV, the event being fed, satisfy M, given VARS? Unbound variables
 * that M binds are bound in VARS to strings borrowed from EV (or E's bufs
 * for derived ones).
 */
bool engine_matches(struct engine *e, const struct matcher *m,
		    const struct event *ev, struct val *vars)
{
	char(*bufs)[PATH_MAX] = e->bufs;

	for (int i = 0; i < m->nconds; i++) {
		const struct cond *c = &m->conds[i];

		if (c->field < F_FIRST_INT) {
			const char *s = ev_str(e, ev, c->field);

			if (s && c->dirname) {
				if (path_dirname(s, bufs[i], PATH_MAX) < 0)
					return false;
				s = bufs[i];
			}
			if (!cond_str(c, s, vars))
				return false;
		} else {
			int64_t x = 0;
			bool have = ev_int(e, ev, c->field, &x);

			if (!cond_int(c, have, x, vars))
				return false;
		}
	}
	return true;
}

/* Make the strings VARS borrowed from EV the instance's own. */
void engine_own_vars(struct inst *in, const struct val *vars,
		     const struct event *ev, const struct snap *sn)
{
	for (int i = 0; i < RULE_MAX_VARS; i++) {
		if (in->vars[i].kind || !vars[i].kind)
			continue;
		in->vars[i] = vars[i];
		in->vars[i].owned = false;
		if (vars[i].kind == 1)
			in->vars[i].s = engine_keep(ev, sn, vars[i].s,
						    &in->vars[i].owned);
	}
}
