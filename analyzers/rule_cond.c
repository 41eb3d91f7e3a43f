// SPDX-License-Identifier: MIT
/*
 * Loading the pattern of a step or guard: syscall sets, groups and
 * classes, and conditions on fields.
 */
#include "rule_load.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "names.h"
#include "util.h"

static const char *const field_names[F_COUNT_] = {
	[F_PATH] = "path",
	[F_ABSPATH] = "abspath",
	[F_PATH2] = "path2",
	[F_ABSPATH2] = "abspath2",
	[F_FD_PATH] = "fd_path",
	[F_FD2_PATH] = "fd2_path",
	[F_RET_PATH] = "ret_path",
	[F_DIRFD_PATH] = "dirfd_path",
	[F_TARGET] = "target",
	[F_SYSCALL] = "syscall",
	[F_ERRNO] = "errno",
	[F_PARENT_PATH] = "parent.path",
	[F_CREATED] = "created",
	[F_REMOVED] = "removed",
	[F_STAT_TYPE] = "stat.type",
	[F_RESULT] = "result",
	[F_PID] = "pid",
	[F_TID] = "tid",
	[F_FD] = "fd",
	[F_FD2] = "fd2",
	[F_RET] = "ret",
	[F_MODE] = "mode",
	[F_UID] = "uid",
	[F_GID] = "gid",
	[F_STAT_DEV] = "stat.dev",
	[F_STAT_INO] = "stat.ino",
	[F_STAT_NLINK] = "stat.nlink",
	[F_STAT_MODE] = "stat.mode",
	[F_STAT_UID] = "stat.uid",
	[F_PARENT_UID] = "parent.uid",
	[F_PARENT_MODE] = "parent.mode",
	[F_BY_FD] = "by_fd",
	[F_PARENT_SHARED] = "parent.shared",
	[F_PARENT_STICKY] = "parent.sticky",
	[F_NOFOLLOW] = "nofollow",
	[F_EXCL] = "excl",
	[F_WRITABLE] = "writable",
	[F_DIRFD_NOFOLLOW] = "dirfd_nofollow",
	[F_FLAGS] = "flags",
	[F_ACCESS] = "access",
};

static const struct {
	const char *name;
	uint32_t class;
} classes[] = {
	{"check", SC_CHECK},   {"use", SC_USE},		{"create", SC_CREATE},
	{"remove", SC_REMOVE}, {"meta", SC_META},	{"sync", SC_SYNC},
	{"fd", SC_FD},	       {"process", SC_PROCESS}, {"data", SC_DATA},
};

int rule_set_syscalls(const struct rule_set *rs, const char *name,
		      struct scset *set)
{
	const struct syscall_desc *sc;

	if (name[0] == '@') {
		const struct group *g = rule_set_group(rs, name + 1);

		if (g) {
			for (int w = 0; w < SYSCALL_WORDS; w++)
				set->w[w] |= g->set.w[w];
			return 0;
		}
		for (unsigned c = 0; c < ARRAY_SIZE(classes); c++) {
			if (strcmp(classes[c].name, name + 1))
				continue;
			for (unsigned i = 0; i < syscall_table_size; i++)
				if (syscall_table[i].classes & classes[c].class)
					scset_add(set, i);
			return 0;
		}
		return -1;
	}
	sc = syscall_by_name(name);
	if (!sc)
		return -1;
	scset_add(set, syscall_index(sc));
	return 0;
}

/* Add the syscall, @class or @group NAME (at N) to SET. */
static void add_syscalls(struct loader *l, struct scset *set, const char *name,
			 const struct jnode *n)
{
	if (rule_set_syscalls(l->rs, name, set) == 0)
		return;
	if (name[0] == '@')
		load_fail_at(l, n, "unknown syscall group or class \"%s\"",
			     name);
	else
		load_fail_at(l, n,
			     "unknown syscall \"%s\" (not one fsrace traces)",
			     name);
}

void rule_load_groups(struct loader *l, const struct jnode *g)
{
	if (g->type != J_OBJECT) {
		load_fail_at(l, g, "\"groups\" must be an object of arrays");
		return;
	}
	for (size_t i = 0; i < g->n && !l->failed; i++) {
		const struct jnode *list = g->items[i];
		struct group grp = {0}, *ng;

		if (rule_set_group(l->rs, g->keys[i])) {
			load_fail_at(l, g->keynodes[i],
				     "group \"%s\" is defined "
				     "twice",
				     g->keys[i]);
			return;
		}
		if (list->type != J_ARRAY) {
			load_fail_at(l, list,
				     "group \"%s\" must be an array of "
				     "syscall names",
				     g->keys[i]);
			return;
		}
		for (size_t j = 0; j < list->n && !l->failed; j++) {
			const char *s = load_want_string(l, list->items[j],
							 "a syscall name");
			if (s)
				add_syscalls(l, &grp.set, s, list->items[j]);
		}
		grp.name = xstrdup(g->keys[i]);
		ng = xmalloc(sizeof(*ng));
		*ng = grp;
		rule_set_add_group(l->rs, ng);
	}
}

int rule_find_var(struct rule *r, const char *name, bool create)
{
	for (int i = 0; i < r->nvars; i++)
		if (!strcmp(r->vars[i], name))
			return i;
	if (!create || r->nvars == RULE_MAX_VARS)
		return -1;
	r->vars[r->nvars] = xstrdup(name);
	return r->nvars++;
}

static int parse_field(const char *key, bool *dirname)
{
	char buf[64];
	size_t n = strlen(key);

	*dirname = false;
	if (n > 9 && !strncmp(key, "dirname(", 8) && key[n - 1] == ')') {
		if (n - 9 >= sizeof(buf))
			return -1;
		memcpy(buf, key + 8, n - 9);
		buf[n - 9] = '\0';
		key = buf;
		*dirname = true;
	}
	for (int f = 0; f < F_COUNT_; f++)
		if (!strcmp(field_names[f], key))
			return (*dirname && f >= F_FIRST_INT) ? -1 : f;
	return -1;
}

/* Parse a literal for field F into C's str/num. */
static bool literal(struct loader *l, struct cond *c, const struct jnode *v,
		    char **ret_str, int64_t *ret_num)
{
	if (is_string_field(c->field)) {
		if (v->type != J_STRING) {
			load_fail_at(l, v, "%s compares with a string",
				     field_names[c->field]);
			return false;
		}
		*ret_str = xstrdup(v->s);
		return true;
	}
	if (c->field >= F_FIRST_BOOL && c->field < F_FIRST_SET) {
		if (v->type != J_BOOL) {
			load_fail_at(l, v, "%s is true or false",
				     field_names[c->field]);
			return false;
		}
		*ret_num = v->b;
		return true;
	}
	if (v->type == J_STRING && c->field == F_RET && errno_parse(v->s) > 0) {
		load_fail_at(l, v,
			     "compare \"errno\" with an error name, not "
			     "\"ret\"");
		return false;
	}
	if (v->type != J_INT) {
		load_fail_at(l, v, "%s compares with an integer",
			     field_names[c->field]);
		return false;
	}
	*ret_num = v->i;
	return true;
}

/*
 * The namespaces (1 << enum name_ns) the names of field F may come from:
 * those of the flags of M's syscalls; open, AT and rename flags for a
 * matcher without a syscall that has flags.
 */
static unsigned flag_namespaces(const struct matcher *m, enum field f)
{
	unsigned nss = 0;

	if (f == F_ACCESS)
		return 1u << NS_ACCESS;
	for (unsigned i = 0; i < syscall_table_size; i++) {
		enum flagset set = syscall_flagset(&syscall_table[i]);

		if (scset_has(&m->syscalls, i) && set != FLAGS_NONE)
			nss |= 1u << flagset_ns(set);
	}
	return nss ? nss : 1u << NS_OPEN | 1u << NS_AT | 1u << NS_RENAME;
}

static uint64_t flag_bits(struct loader *l, const struct matcher *m,
			  struct cond *c, const struct jnode *v)
{
	uint64_t bits = 0, b = 0;

	if (v->type == J_STRING) {
		unsigned nss = flag_namespaces(m, c->field);
		enum name_ns ns;

		if (name_find(v->s, strlen(v->s), &ns, &b) < 0) {
			if (flags_parse(FLAGS_OPEN, v->s, &b) < 0) /* 0x… */
				load_fail_at(l, v, "unknown flag \"%s\"", v->s);
		} else if (!(nss & 1u << ns)) {
			char what[256] = "";

			for (unsigned i = 0; i < NS_COUNT; i++)
				if (nss & 1u << i)
					snprintf(what + strlen(what),
						 sizeof(what) - strlen(what),
						 "%s%s", *what ? " or " : "",
						 name_ns_what(i));
			load_fail_at(l, v, "%s is not %s", v->s, what);
		}
		return b;
	}
	if (v->type != J_ARRAY) {
		load_fail_at(l, v, "flags are a name or an array of names");
		return 0;
	}
	for (size_t i = 0; i < v->n; i++)
		bits |= flag_bits(l, m, c, v->items[i]);
	return bits;
}

static const char *const ops[] = {"not",       "in",	"glob", "not_glob",
				  "contains",  "lacks", "ne",	"under",
				  "not_under", NULL};

/*
 * The list of a glob or under test from A: a string, an array of strings
 * (any of them), or {"param": NAME}, a parameter the rule declares.
 */
static void list_arg(struct loader *l, struct rule *r, struct cond *c,
		     const struct jnode *a, const char *op)
{
	if (a->type == J_STRING) {
		c->strs = xcalloc(2, sizeof(char *));
		c->strs[0] = xstrdup(a->s);
		c->nin = 1;
		return;
	}
	if (a->type == J_ARRAY) {
		c->strs = xcalloc(a->n + 1, sizeof(char *));
		for (size_t i = 0; i < a->n && !l->failed; i++) {
			if (a->items[i]->type != J_STRING) {
				load_fail_at(l, a->items[i],
					     "\"%s\" takes strings", op);
				return;
			}
			c->strs[c->nin++] = xstrdup(a->items[i]->s);
		}
		return;
	}
	if (a->type == J_OBJECT && a->n == 1 && !strcmp(a->keys[0], "param") &&
	    a->items[0]->type == J_STRING) {
		for (int k = 0; k < r->nparams; k++)
			if (!strcmp(r->params[k].name, a->items[0]->s)) {
				c->param = k + 1;
				return;
			}
		load_fail_at(l, a->items[0],
			     "no parameter \"%s\" (a rule declares its "
			     "parameters under \"parameters\")",
			     a->items[0]->s);
		return;
	}
	load_fail_at(l, a,
		     "\"%s\" takes a string, an array of strings or "
		     "{\"param\": NAME}",
		     op);
}

static void parse_cond(struct loader *l, struct rule *r, struct matcher *m,
		       const char *key, const struct jnode *keyn,
		       const struct jnode *v)
{
	struct cond *c;
	int f;

	if (m->nconds == RULE_MAX_CONDS) {
		load_fail_at(l, keyn, "too many conditions (at most %d)",
			     RULE_MAX_CONDS);
		return;
	}
	c = &m->conds[m->nconds];
	memset(c, 0, sizeof(*c));
	f = parse_field(key, &c->dirname);
	if (f < 0) {
		load_fail_at(l, keyn, "unknown field \"%s\"", key);
		return;
	}
	c->field = f;
	c->line = keyn->line;
	c->col = keyn->col;
	m->nconds++;
	if (v->type == J_STRING && v->s[0] == '$') {
		if (f >= F_FIRST_SET) {
			load_fail_at(l, v, "%s cannot be bound to a variable",
				     key);
			return;
		}
		c->op = OP_VAR;
		c->var = rule_find_var(r, v->s, true);
		if (c->var < 0)
			load_fail_at(l, v, "too many variables (at most %d)",
				     RULE_MAX_VARS);
		return;
	}
	if (v->type != J_OBJECT) {
		if (f >= F_FIRST_SET) {
			load_fail_at(l, v,
				     "%s takes {\"contains\": …} or "
				     "{\"lacks\": …}",
				     key);
			return;
		}
		c->op = OP_EQ;
		literal(l, c, v, &c->str, &c->num);
		return;
	}
	if (v->n != 1) {
		load_fail_at(l, v,
			     "a condition object has exactly one operator: "
			     "not, ne, in, glob, not_glob, under, not_under, "
			     "contains, lacks");
		return;
	}
	load_check_keys(l, v, "a condition", ops);
	if (l->failed)
		return;
	const char *op = v->keys[0];
	const struct jnode *a = v->items[0];

	if (!strcmp(op, "not")) {
		if (a->type != J_STRING || a->s[0] != '$') {
			load_fail_at(l, a,
				     "\"not\" takes a $variable; for a "
				     "literal use \"ne\"");
			return;
		}
		c->op = OP_NOT_VAR;
		c->var = rule_find_var(r, a->s, false);
		if (c->var < 0)
			load_fail_at(l, a,
				     "variable %s is not bound by an earlier "
				     "condition",
				     a->s);
	} else if (!strcmp(op, "ne")) {
		c->op = OP_NE;
		literal(l, c, a, &c->str, &c->num);
	} else if (!strcmp(op, "in")) {
		c->op = OP_IN;
		if (a->type != J_ARRAY || a->n == 0) {
			load_fail_at(l, a, "\"in\" takes a non-empty array");
			return;
		}
		c->nin = (int)a->n;
		if (is_string_field(c->field))
			c->strs = xcalloc(a->n, sizeof(char *));
		else
			c->nums = xcalloc(a->n, sizeof(int64_t));
		for (size_t i = 0; i < a->n && !l->failed; i++)
			literal(l, c, a->items[i], c->strs ? &c->strs[i] : NULL,
				c->nums ? &c->nums[i] : NULL);
	} else if (!strcmp(op, "glob") || !strcmp(op, "not_glob")) {
		c->op = op[0] == 'g' ? OP_GLOB : OP_NOT_GLOB;
		if (!is_string_field(c->field))
			load_fail_at(l, a, "glob applies to paths and names");
		else if (a->type == J_STRING)
			c->str = xstrdup(a->s);
		else
			list_arg(l, r, c, a, op);
	} else if (!strcmp(op, "under") || !strcmp(op, "not_under")) {
		c->op = op[0] == 'u' ? OP_UNDER : OP_NOT_UNDER;
		if (!is_string_field(c->field))
			load_fail_at(l, a, "\"%s\" applies to paths", op);
		else
			list_arg(l, r, c, a, op);
	} else {
		c->op = op[0] == 'c' ? OP_CONTAINS : OP_LACKS;
		if (f >= F_FIRST_INT && f < F_FIRST_BOOL && a->type == J_INT) {
			/* bits of a number: {"mode": {"contains": 2}} */
			c->bits = (uint64_t)a->i;
			return;
		}
		if (f < F_FIRST_SET) {
			load_fail_at(l, keyn,
				     "\"%s\" applies to flags, access, or "
				     "an integer field with an integer",
				     op);
			return;
		}
		c->bits = flag_bits(l, m, c, a);
	}
}

void rule_load_matcher(struct loader *l, struct rule *r, struct matcher *m,
		       const struct jnode *obj, bool need_syscalls)
{
	const struct jnode *sys = jnode_get(obj, "syscalls");
	const struct jnode *where = jnode_get(obj, "where");

	m->index_cond = -1;
	if (!sys && need_syscalls) {
		load_fail_at(l, obj, "missing \"syscalls\"");
		return;
	}
	if (sys) {
		if (sys->type != J_ARRAY || sys->n == 0) {
			load_fail_at(l, sys,
				     "\"syscalls\" must be a non-empty "
				     "array of names, @classes or @groups");
			return;
		}
		for (size_t i = 0; i < sys->n && !l->failed; i++) {
			const char *s = load_want_string(l, sys->items[i],
							 "a syscall name");
			if (s)
				add_syscalls(l, &m->syscalls, s, sys->items[i]);
		}
	}
	if (!where)
		return;
	if (where->type != J_OBJECT) {
		load_fail_at(l, where,
			     "\"where\" must be an object of conditions");
		return;
	}
	for (size_t i = 0; i < where->n && !l->failed; i++)
		parse_cond(l, r, m, where->keys[i], where->keynodes[i],
			   where->items[i]);
}
