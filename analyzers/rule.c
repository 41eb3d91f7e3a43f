// SPDX-License-Identifier: MIT
#include "rule.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jdoc.h"
#include "names.h"
#include "path.h"
#include "util.h"

#define RULE_FILE_MAX (4 << 20)

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
	[F_FLAGS] = "flags",
	[F_ACCESS] = "access",
};

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

/* ---- event fields ---- */

static bool by_fd(const struct event *ev)
{
	return (ev->has & HAS_FD) && (!ev->path || !ev->path[0]);
}

static bool creates(const struct event *ev)
{
	const char *n = ev->sc->name;

	if (ev->sc->effect == E_OPEN)
		return (ev->flags & 0100) ||
		       (ev->sc->flags & SCF_IMPLIED_OFLAGS);
	return !strncmp(n, "mkdir", 5) || !strncmp(n, "mknod", 5) ||
	       !strncmp(n, "symlink", 7);
}

static const char *stat_type(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "reg";
	case S_IFDIR:
		return "dir";
	case S_IFLNK:
		return "lnk";
	case S_IFIFO:
		return "fifo";
	case S_IFSOCK:
		return "sock";
	case S_IFCHR:
		return "chr";
	case S_IFBLK:
		return "blk";
	}
	return NULL;
}

const char *field_str(const struct event *ev, enum field f, char *buf,
		      size_t size)
{
	const char *n;

	if (ev->type != EV_SYSCALL)
		return NULL;
	switch (f) {
	case F_PATH:
		return ev->path;
	case F_ABSPATH:
		return by_fd(ev) ? NULL : ev->abspath;
	case F_PATH2:
		return ev->path2;
	case F_ABSPATH2:
		return ev->abspath2;
	case F_FD_PATH:
		return ev->fd_path;
	case F_FD2_PATH:
		return ev->fd2_path;
	case F_RET_PATH:
		return ev->ret_path;
	case F_DIRFD_PATH:
		return ev->dirfd_path;
	case F_TARGET:
		return ev->target;
	case F_SYSCALL:
		return ev->sc->name;
	case F_ERRNO:
		return (ev->has & HAS_RET) && ev->ret < 0 ? errno_name(ev->err)
							  : NULL;
	case F_PARENT_PATH:
		return ev->parent.valid ? ev->parent.path : NULL;
	case F_CREATED:
		n = ev->sc->name;
		if (!strncmp(n, "link", 4) || !strncmp(n, "rename", 6))
			return ev->abspath2;
		return creates(ev) && !by_fd(ev) ? ev->abspath : NULL;
	case F_REMOVED:
		n = ev->sc->name;
		if (!strncmp(n, "unlink", 6) || !strcmp(n, "rmdir") ||
		    !strncmp(n, "rename", 6))
			return ev->abspath;
		return NULL;
	case F_STAT_TYPE:
		return ev->stat.valid ? stat_type(ev->stat.mode) : NULL;
	case F_RESULT:
		if (!(ev->has & HAS_RET))
			return NULL;
		return ev->ret < 0 ? "failure" : "success";
	default:
		break;
	}
	(void)buf;
	(void)size;
	return NULL;
}

bool field_int(const struct event *ev, enum field f, int64_t *v)
{
	switch (f) {
	case F_PID:
		*v = ev->pid;
		return true;
	case F_TID:
		*v = ev->tid;
		return true;
	default:
		break;
	}
	if (ev->type != EV_SYSCALL)
		return false;
	switch (f) {
	case F_FD:
		*v = ev->fd;
		return ev->has & HAS_FD;
	case F_FD2:
		*v = ev->fd2;
		return ev->has & HAS_FD2;
	case F_RET:
		*v = ev->ret;
		return ev->has & HAS_RET;
	case F_MODE:
		*v = ev->mode;
		return ev->has & HAS_MODE;
	case F_UID:
		*v = ev->uid;
		return ev->has & HAS_OWNER;
	case F_GID:
		*v = ev->gid;
		return ev->has & HAS_OWNER;
	case F_STAT_DEV:
		*v = (int64_t)ev->stat.dev;
		return ev->stat.valid;
	case F_STAT_INO:
		*v = (int64_t)ev->stat.ino;
		return ev->stat.valid;
	case F_STAT_NLINK:
		*v = (int64_t)ev->stat.nlink;
		return ev->stat.valid;
	case F_STAT_MODE:
		*v = ev->stat.mode;
		return ev->stat.valid;
	case F_STAT_UID:
		*v = ev->stat.uid;
		return ev->stat.valid;
	case F_PARENT_UID:
		*v = ev->parent.uid;
		return ev->parent.valid;
	case F_PARENT_MODE:
		*v = ev->parent.mode;
		return ev->parent.valid;
	case F_BY_FD:
		*v = by_fd(ev);
		return true;
	case F_PARENT_SHARED:
		*v = (ev->parent.mode & S_IWOTH) != 0;
		return ev->parent.valid;
	case F_PARENT_STICKY:
		*v = (ev->parent.mode & S_ISVTX) != 0;
		return ev->parent.valid;
	case F_NOFOLLOW:
		/* lstat, or an *at call or open that does not follow */
		if (!strcmp(ev->sc->name, "lstat") ||
		    !strcmp(ev->sc->name, "lchown") ||
		    !strncmp(ev->sc->name, "lsetxattr", 9))
			*v = 1;
		else if (ev->sc->effect == E_OPEN)
			*v = (ev->flags & 0400000) != 0; /* O_NOFOLLOW */
		else
			*v = (ev->has & HAS_FLAGS) &&
			     syscall_flagset(ev->sc) == FLAGS_AT &&
			     (ev->flags & 0x100);
		return true;
	case F_EXCL:
		/* creates only if the name is free */
		if (ev->sc->effect == E_OPEN)
			*v = (ev->flags & 0200) != 0; /* O_EXCL */
		else if (!strcmp(ev->sc->name, "renameat2"))
			*v = (ev->flags & 1) != 0; /* RENAME_NOREPLACE */
		else
			*v = 0;
		return true;
	case F_WRITABLE:
		*v = ev->sc->effect == E_OPEN &&
		     ((ev->flags & 3) != 0 || (ev->flags & (0100 | 01000)));
		return true;
	case F_FLAGS:
		*v = (int64_t)ev->flags;
		return ev->has & HAS_FLAGS;
	case F_ACCESS:
		*v = ev->access;
		return ev->has & HAS_ACCESS;
	default:
		return false;
	}
}

/* ---- loading ---- */

struct loader {
	struct rule_set *rs;
	const char *file;
	char *err;
	size_t errlen;
	bool failed;
};

static void PRINTF(3, 4)
	fail_at(struct loader *l, const struct jnode *n, const char *fmt, ...)
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

static const char *want_string(struct loader *l, const struct jnode *n,
			       const char *what)
{
	if (!n || n->type != J_STRING) {
		fail_at(l, n, "%s must be a string, not %s", what,
			n ? jtype_name(n->type) : "missing");
		return NULL;
	}
	return n->s;
}

static char **string_list(struct loader *l, const struct jnode *n,
			  const char *what, int *ret_n)
{
	char **v;

	*ret_n = 0;
	if (!n)
		return NULL;
	if (n->type != J_ARRAY) {
		fail_at(l, n, "%s must be an array of strings", what);
		return NULL;
	}
	v = xcalloc(n->n + 1, sizeof(char *));
	for (size_t i = 0; i < n->n; i++) {
		const char *s = want_string(l, n->items[i], what);

		v[i] = xstrdup(s ? s : "");
	}
	*ret_n = (int)n->n;
	return v;
}

static void free_list(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Keys an object may have; an unknown key is a mistake worth naming. */
static void check_keys(struct loader *l, const struct jnode *o,
		       const char *what, const char *const *allowed)
{
	for (size_t i = 0; i < o->n && !l->failed; i++) {
		const char *const *a;

		for (a = allowed; *a; a++)
			if (!strcmp(*a, o->keys[i]))
				break;
		if (!*a)
			fail_at(l, o->keynodes[i], "unknown key \"%s\" in %s",
				o->keys[i], what);
	}
}

static const struct group *find_group(const struct rule_set *rs,
				      const char *name)
{
	for (int i = 0; i < rs->ngroups; i++)
		if (!strcmp(rs->groups[i].name, name))
			return &rs->groups[i];
	return NULL;
}

static const struct {
	const char *name;
	uint32_t class;
} classes[] = {
	{"check", SC_CHECK},   {"use", SC_USE},		{"create", SC_CREATE},
	{"remove", SC_REMOVE}, {"meta", SC_META},	{"sync", SC_SYNC},
	{"fd", SC_FD},	       {"process", SC_PROCESS}, {"data", SC_DATA},
};

/* Add the syscall, @class or @group NAME (at N) to SET. */
static void add_syscalls(struct loader *l, struct scset *set, const char *name,
			 const struct jnode *n)
{
	const struct syscall_desc *sc;

	if (name[0] == '@') {
		const struct group *g = find_group(l->rs, name + 1);

		if (g) {
			for (int w = 0; w < SYSCALL_WORDS; w++)
				set->w[w] |= g->set.w[w];
			return;
		}
		for (unsigned c = 0; c < ARRAY_SIZE(classes); c++) {
			if (strcmp(classes[c].name, name + 1))
				continue;
			for (unsigned i = 0; i < syscall_table_size; i++)
				if (syscall_table[i].classes & classes[c].class)
					scset_add(set, i);
			return;
		}
		fail_at(l, n, "unknown syscall group or class \"%s\"", name);
		return;
	}
	sc = syscall_by_name(name);
	if (!sc) {
		fail_at(l, n, "unknown syscall \"%s\" (not one fsrace traces)",
			name);
		return;
	}
	scset_add(set, syscall_index(sc));
}

static void load_groups(struct loader *l, const struct jnode *g)
{
	if (g->type != J_OBJECT) {
		fail_at(l, g, "\"groups\" must be an object of arrays");
		return;
	}
	for (size_t i = 0; i < g->n && !l->failed; i++) {
		const struct jnode *list = g->items[i];
		struct group grp = {0};

		if (find_group(l->rs, g->keys[i])) {
			fail_at(l, g->keynodes[i],
				"group \"%s\" is defined "
				"twice",
				g->keys[i]);
			return;
		}
		if (list->type != J_ARRAY) {
			fail_at(l, list,
				"group \"%s\" must be an array of "
				"syscall names",
				g->keys[i]);
			return;
		}
		for (size_t j = 0; j < list->n && !l->failed; j++) {
			const char *s = want_string(l, list->items[j],
						    "a syscall name");
			if (s)
				add_syscalls(l, &grp.set, s, list->items[j]);
		}
		grp.name = xstrdup(g->keys[i]);
		l->rs->groups =
			xrealloc(l->rs->groups, (size_t)(l->rs->ngroups + 1) *
							sizeof(*l->rs->groups));
		l->rs->groups[l->rs->ngroups++] = grp;
	}
}

static int find_var(struct rule *r, const char *name, bool create)
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

static bool is_string_field(enum field f)
{
	return f < F_FIRST_INT;
}

/* Parse a literal for field F into C's str/num. */
static bool literal(struct loader *l, struct cond *c, const struct jnode *v,
		    char **ret_str, int64_t *ret_num)
{
	if (is_string_field(c->field)) {
		if (v->type != J_STRING) {
			fail_at(l, v, "%s compares with a string",
				field_names[c->field]);
			return false;
		}
		*ret_str = xstrdup(v->s);
		return true;
	}
	if (c->field >= F_FIRST_BOOL && c->field < F_FIRST_SET) {
		if (v->type != J_BOOL) {
			fail_at(l, v, "%s is true or false",
				field_names[c->field]);
			return false;
		}
		*ret_num = v->b;
		return true;
	}
	if (v->type == J_STRING && c->field == F_RET && errno_parse(v->s) > 0) {
		fail_at(l, v,
			"compare \"errno\" with an error name, not "
			"\"ret\"");
		return false;
	}
	if (v->type != J_INT) {
		fail_at(l, v, "%s compares with an integer",
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
				fail_at(l, v, "unknown flag \"%s\"", v->s);
		} else if (!(nss & 1u << ns)) {
			char what[256] = "";

			for (unsigned i = 0; i < NS_COUNT; i++)
				if (nss & 1u << i)
					snprintf(what + strlen(what),
						 sizeof(what) - strlen(what),
						 "%s%s", *what ? " or " : "",
						 name_ns_what(i));
			fail_at(l, v, "%s is not %s", v->s, what);
		}
		return b;
	}
	if (v->type != J_ARRAY) {
		fail_at(l, v, "flags are a name or an array of names");
		return 0;
	}
	for (size_t i = 0; i < v->n; i++)
		bits |= flag_bits(l, m, c, v->items[i]);
	return bits;
}

static const char *const ops[] = {"not",      "in",    "glob", "not_glob",
				  "contains", "lacks", "ne",   NULL};

static void parse_cond(struct loader *l, struct rule *r, struct matcher *m,
		       const char *key, const struct jnode *keyn,
		       const struct jnode *v)
{
	struct cond *c;
	int f;

	if (m->nconds == RULE_MAX_CONDS) {
		fail_at(l, keyn, "too many conditions (at most %d)",
			RULE_MAX_CONDS);
		return;
	}
	c = &m->conds[m->nconds];
	memset(c, 0, sizeof(*c));
	f = parse_field(key, &c->dirname);
	if (f < 0) {
		fail_at(l, keyn, "unknown field \"%s\"", key);
		return;
	}
	c->field = f;
	c->line = keyn->line;
	c->col = keyn->col;
	m->nconds++;
	if (v->type == J_STRING && v->s[0] == '$') {
		if (f >= F_FIRST_SET) {
			fail_at(l, v, "%s cannot be bound to a variable", key);
			return;
		}
		c->op = OP_VAR;
		c->var = find_var(r, v->s, true);
		if (c->var < 0)
			fail_at(l, v, "too many variables (at most %d)",
				RULE_MAX_VARS);
		return;
	}
	if (v->type != J_OBJECT) {
		if (f >= F_FIRST_SET) {
			fail_at(l, v,
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
		fail_at(l, v,
			"a condition object has exactly one operator: "
			"not, ne, in, glob, not_glob, contains, lacks");
		return;
	}
	check_keys(l, v, "a condition", ops);
	if (l->failed)
		return;
	const char *op = v->keys[0];
	const struct jnode *a = v->items[0];

	if (!strcmp(op, "not")) {
		if (a->type != J_STRING || a->s[0] != '$') {
			fail_at(l, a,
				"\"not\" takes a $variable; for a "
				"literal use \"ne\"");
			return;
		}
		c->op = OP_NOT_VAR;
		c->var = find_var(r, a->s, false);
		if (c->var < 0)
			fail_at(l, a,
				"variable %s is not bound by an earlier "
				"condition",
				a->s);
	} else if (!strcmp(op, "ne")) {
		c->op = OP_NE;
		literal(l, c, a, &c->str, &c->num);
	} else if (!strcmp(op, "in")) {
		c->op = OP_IN;
		if (a->type != J_ARRAY || a->n == 0) {
			fail_at(l, a, "\"in\" takes a non-empty array");
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
			fail_at(l, a, "glob applies to paths and names");
		else if (a->type != J_STRING)
			fail_at(l, a, "a glob is a string");
		else
			c->str = xstrdup(a->s);
	} else {
		c->op = op[0] == 'c' ? OP_CONTAINS : OP_LACKS;
		if (f >= F_FIRST_INT && f < F_FIRST_BOOL && a->type == J_INT) {
			/* bits of a number: {"mode": {"contains": 2}} */
			c->bits = (uint64_t)a->i;
			return;
		}
		if (f < F_FIRST_SET) {
			fail_at(l, keyn,
				"\"%s\" applies to flags, access, or "
				"an integer field with an integer",
				op);
			return;
		}
		c->bits = flag_bits(l, m, c, a);
	}
}

static void parse_matcher(struct loader *l, struct rule *r, struct matcher *m,
			  const struct jnode *obj, bool need_syscalls)
{
	const struct jnode *sys = jnode_get(obj, "syscalls");
	const struct jnode *where = jnode_get(obj, "where");

	m->index_cond = -1;
	if (!sys && need_syscalls) {
		fail_at(l, obj, "missing \"syscalls\"");
		return;
	}
	if (sys) {
		if (sys->type != J_ARRAY || sys->n == 0) {
			fail_at(l, sys,
				"\"syscalls\" must be a non-empty "
				"array of names, @classes or @groups");
			return;
		}
		for (size_t i = 0; i < sys->n && !l->failed; i++) {
			const char *s =
				want_string(l, sys->items[i], "a syscall name");
			if (s)
				add_syscalls(l, &m->syscalls, s, sys->items[i]);
		}
	}
	if (!where)
		return;
	if (where->type != J_OBJECT) {
		fail_at(l, where, "\"where\" must be an object of conditions");
		return;
	}
	for (size_t i = 0; i < where->n && !l->failed; i++)
		parse_cond(l, r, m, where->keys[i], where->keynodes[i],
			   where->items[i]);
}

static int step_by_name(const struct rule *r, const char *name)
{
	for (int i = 0; i < r->nsteps; i++)
		if (!strcmp(r->steps[i].name, name))
			return i;
	return -1;
}

/* Implicit pid/tid binding for "scope": process or thread. */
static void add_scope(struct rule *r, struct matcher *m, enum field f)
{
	struct cond *c;

	if (m->nconds == RULE_MAX_CONDS)
		return;
	c = &m->conds[m->nconds++];
	memset(c, 0, sizeof(*c));
	c->field = f;
	c->op = OP_VAR;
	c->var = find_var(r, f == F_PID ? "$(pid)" : "$(tid)", true);
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

			fail_at(l, &at,
				"variable %s is used by \"not\" before "
				"a step binds it",
				r->vars[cd->var]);
		}
		if (!binds && cd->op == OP_VAR && !(bound >> cd->var & 1)) {
			struct jnode at = {.line = cd->line, .col = cd->col};

			fail_at(l, &at,
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

static void choose_keys(struct rule *r)
{
	int first = -1;

	for (int c = 0; c < r->steps[0].m.nconds && first < 0; c++) {
		const struct cond *cd = &r->steps[0].m.conds[c];

		if (cd->op == OP_VAR && is_string_field(cd->field))
			first = cd->var;
	}
	r->steps[0].key_var = -1;
	for (int k = 1; k < r->nsteps; k++) {
		struct step *st = &r->steps[k];

		st->key_var = index_var(&st->m);
		for (int g = 0; st->key_var < 0 && g < r->nguards; g++)
			if (r->guards[g].after < k && k <= r->guards[g].before)
				st->key_var = index_var(&r->guards[g].m);
		if (st->key_var < 0)
			st->key_var = first;
	}
}

static const char *const rule_keys[] = {
	"id",	    "title",	  "severity", "explanation", "fix",
	"message",  "references", "tags",     "enabled",     "modifiers",
	"scope",    "steps",	  "unless",   "confirm",     "supersedes",
	"variants", NULL,
};
static const char *const variant_keys[] = {
	"scope", "steps", "unless", "confirm", NULL,
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
		fail_at(l, v, "\"%s\" must be true or false", key);
		return dflt;
	}
	return v->b;
}

static char *opt_string(struct loader *l, const struct jnode *o,
			const char *key)
{
	const struct jnode *v = jnode_get(o, key);
	const char *s;

	if (!v)
		return NULL;
	s = want_string(l, v, key);
	return s ? xstrdup(s) : NULL;
}

static void rule_free(struct rule *r);

static void load_steps(struct loader *l, struct rule *r,
		       const struct jnode *steps, enum field scope)
{
	if (!steps || steps->type != J_ARRAY || steps->n == 0) {
		fail_at(l, steps, "\"steps\" must be a non-empty array");
		return;
	}
	if (steps->n > RULE_MAX_STEPS) {
		fail_at(l, steps, "too many steps (at most %d)",
			RULE_MAX_STEPS);
		return;
	}
	for (size_t i = 0; i < steps->n && !l->failed; i++) {
		const struct jnode *s = steps->items[i];
		struct step *st = &r->steps[r->nsteps];
		const char *name;

		if (s->type != J_OBJECT) {
			fail_at(l, s, "a step must be an object");
			return;
		}
		check_keys(l, s, "a step", step_keys);
		name = want_string(l, jnode_get(s, "name"),
				   "a step's \"name\"");
		if (!name)
			return;
		if (step_by_name(r, name) >= 0) {
			fail_at(l, jnode_get(s, "name"),
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
			fail_at(l, s, "the first step cannot be at_exit");
			return;
		}
		if (st->at_exit &&
		    (jnode_get(s, "syscalls") || jnode_get(s, "where"))) {
			fail_at(l, s,
				"an at_exit step has no syscalls or "
				"conditions (use or_exit for a step that an "
				"event or the exit satisfies)");
			return;
		}
		if ((st->at_exit || st->or_exit) && i != steps->n - 1) {
			fail_at(l, s,
				"only the last step may wait for the "
				"exit");
			return;
		}
		if (!st->at_exit) {
			parse_matcher(l, r, &st->m, s, true);
			if (scope != F_COUNT_)
				add_scope(r, &st->m, scope);
		}
		if (jnode_get(s, "overlaps")) {
			const char *o = want_string(l, jnode_get(s, "overlaps"),
						    "\"overlaps\"");

			st->overlaps = o ? step_by_name(r, o) : -1;
			if (o && st->overlaps < 0)
				fail_at(l, jnode_get(s, "overlaps"),
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
		fail_at(l, unless, "\"unless\" must be an array of guards");
		return;
	}
	if (unless->n > RULE_MAX_GUARDS) {
		fail_at(l, unless, "too many guards (at most %d)",
			RULE_MAX_GUARDS);
		return;
	}
	for (size_t i = 0; i < unless->n && !l->failed; i++) {
		const struct jnode *g = unless->items[i];
		struct guard *gd = &r->guards[r->nguards];
		const char *after, *before;

		if (g->type != J_OBJECT) {
			fail_at(l, g, "a guard must be an object");
			return;
		}
		check_keys(l, g, "a guard", guard_keys);
		after = want_string(l, jnode_get(g, "after"),
				    "a guard's \"after\"");
		if (!after)
			return;
		gd->after = step_by_name(r, after);
		if (gd->after < 0) {
			fail_at(l, jnode_get(g, "after"), "no step \"%s\"",
				after);
			return;
		}
		gd->before = r->nsteps - 1;
		if (jnode_get(g, "before")) {
			before = want_string(l, jnode_get(g, "before"),
					     "a guard's \"before\"");
			if (!before)
				return;
			gd->before = step_by_name(r, before);
			if (gd->before <= gd->after) {
				fail_at(l, jnode_get(g, "before"),
					"\"before\" "
					"must name a step after \"%s\"",
					after);
				return;
			}
		}
		if (gd->after == r->nsteps - 1 &&
		    !r->steps[gd->after].or_exit) {
			fail_at(l, g,
				"a guard after the last step can never "
				"apply");
			return;
		}
		r->nguards++;
		parse_matcher(l, r, &gd->m, g, true);
		if (scope != F_COUNT_)
			add_scope(r, &gd->m, scope);
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
		fail_at(l, o, "a rule must be an object");
		return r;
	}
	check_keys(l, o, "a rule", rule_keys);
	v = jnode_get(o, "id");
	if (want_string(l, v, "\"id\"")) {
		r->id = xstrdup(v->s);
		for (const char *p = v->s; *p; p++)
			if (!(*p >= 'a' && *p <= 'z') && *p != '-' &&
			    !(*p >= '0' && *p <= '9')) {
				fail_at(l, v,
					"a rule id is lowercase letters, "
					"digits and '-'");
				break;
			}
		if (first && rule_set_find(l->rs, v->s))
			fail_at(l, v, "rule \"%s\" is defined twice", v->s);
	}
	r->title = opt_string(l, o, "title");
	if (!r->title && !l->failed)
		fail_at(l, o, "missing \"title\"");
	v = jnode_get(o, "severity");
	if (!v)
		fail_at(l, o, "missing \"severity\"");
	else if (want_string(l, v, "\"severity\"")) {
		sev = severity_parse(v->s);
		if (sev < 0 || sev == SEV_NONE)
			fail_at(l, v,
				"severity is error, warning or note, "
				"not \"%s\"",
				v->s);
		else
			r->severity = sev;
	}
	r->explanation = opt_string(l, o, "explanation");
	r->fix = opt_string(l, o, "fix");
	r->message = opt_string(l, o, "message");
	r->references = string_list(l, jnode_get(o, "references"),
				    "\"references\"", &r->nreferences);
	r->tags = string_list(l, jnode_get(o, "tags"), "\"tags\"", &r->ntags);
	r->supersedes = string_list(l, jnode_get(o, "supersedes"),
				    "\"supersedes\"", &r->nsupersedes);
	r->enabled = get_bool(l, o, "enabled", true);
	r->modifiers = get_bool(l, o, "modifiers", true);
	if (pat != o) {
		if (pat->type != J_OBJECT) {
			fail_at(l, pat, "a variant must be an object");
			return r;
		}
		check_keys(l, pat, "a variant", variant_keys);
	}
	/* a variant's own scope, unless and confirm, else the rule's */
	v = jnode_get(pat, "scope") ? jnode_get(pat, "scope")
				    : jnode_get(o, "scope");
	if (v && want_string(l, v, "\"scope\"")) {
		if (!strcmp(v->s, "thread"))
			scope = F_TID;
		else if (!strcmp(v->s, "any"))
			scope = F_COUNT_;
		else if (strcmp(v->s, "process"))
			fail_at(l, v,
				"scope is thread, process or any, not "
				"\"%s\"",
				v->s);
	}
	if (l->failed)
		return r;
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
			fail_at(l, v, "\"confirm\" names two steps");
		} else {
			for (int i = 0; i < 2; i++) {
				r->confirm[i] = step_by_name(r, v->items[i]->s);
				if (r->confirm[i] < 0)
					fail_at(l, v->items[i],
						"no step "
						"\"%s\"",
						v->items[i]->s);
			}
		}
	}
	if (!r->message && !l->failed)
		fail_at(l, o, "missing \"message\"");
	return r;
}

static void rule_free(struct rule *r)
{
	if (!r)
		return;
	for (int s = 0; s < RULE_MAX_STEPS; s++) {
		struct matcher *m = &r->steps[s].m;

		free(r->steps[s].name);
		for (int c = 0; c < m->nconds; c++) {
			free(m->conds[c].str);
			if (m->conds[c].strs)
				free_list(m->conds[c].strs, m->conds[c].nin);
			free(m->conds[c].nums);
		}
	}
	for (int g = 0; g < RULE_MAX_GUARDS; g++) {
		struct matcher *m = &r->guards[g].m;

		for (int c = 0; c < m->nconds; c++) {
			free(m->conds[c].str);
			if (m->conds[c].strs)
				free_list(m->conds[c].strs, m->conds[c].nin);
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
	free_list(r->references, r->nreferences);
	free_list(r->tags, r->ntags);
	free_list(r->supersedes, r->nsupersedes);
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

static const char *const file_keys[] = {"groups", "rules", NULL};

int rule_set_load_text(struct rule_set *rs, const char *name, const char *text,
		       size_t len, char *err, size_t errlen)
{
	struct loader l = {
		.rs = rs, .file = name, .err = err, .errlen = errlen};
	char perr[256];
	struct jnode *root = jdoc_parse(text, len, perr, sizeof(perr));
	const struct jnode *rules, *groups;
	int first = rs->nrules, first_group = rs->ngroups;

	if (!root) {
		snprintf(err, errlen, "%s:%s", name, perr);
		return -EINVAL;
	}
	if (root->type != J_OBJECT) {
		fail_at(&l, root,
			"a rule file is an object with \"rules\" "
			"(and \"groups\")");
		goto out;
	}
	check_keys(&l, root, "a rule file", file_keys);
	groups = jnode_get(root, "groups");
	if (groups && !l.failed)
		load_groups(&l, groups);
	rules = jnode_get(root, "rules");
	if (rules && rules->type != J_ARRAY)
		fail_at(&l, rules, "\"rules\" must be an array");
	for (size_t i = 0; rules && !l.failed && i < rules->n; i++) {
		const struct jnode *item = rules->items[i];
		const struct jnode *variants = jnode_get(item, "variants");
		size_t nv = 1;

		if (variants) {
			if (variants->type != J_ARRAY || variants->n == 0) {
				fail_at(&l, variants,
					"\"variants\" must be a "
					"non-empty array of patterns");
				break;
			}
			if (jnode_get(item, "steps")) {
				fail_at(&l, jnode_get(item, "steps"),
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
			r->index = rs->nrules;
			rs->rules =
				xrealloc(rs->rules, (size_t)(rs->nrules + 1) *
							    sizeof(*rs->rules));
			rs->rules[rs->nrules++] = r;
		}
	}
out:
	jnode_free(root);
	if (!l.failed)
		return 0;
	/* leave the set as it was before this file */
	while (rs->nrules > first)
		rule_free(rs->rules[--rs->nrules]);
	while (rs->ngroups > first_group)
		free(rs->groups[--rs->ngroups].name);
	return -EINVAL;
}

static int load_file(struct rule_set *rs, const char *path, char *err,
		     size_t errlen)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *text = NULL;
	size_t len = 0, cap = 0;
	struct stat st;

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

		if (len == cap) {
			cap = cap ? cap * 2 : 8192;
			if (cap > RULE_FILE_MAX + 1)
				cap = RULE_FILE_MAX + 1;
			text = xrealloc(text, cap);
		}
		n = read(fd, text + len, cap - len);
		if (n < 0) {
			int e = errno;

			snprintf(err, errlen, "cannot read rules '%s': %s",
				 path, strerror(e));
			return -e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > RULE_FILE_MAX) {
			snprintf(err, errlen,
				 "%s: rule file larger than %d "
				 "bytes",
				 path, RULE_FILE_MAX);
			return -EFBIG;
		}
	}
	return rule_set_load_text(rs, path, text ? text : "", len, err, errlen);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
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
		size_t len = strlen(d->d_name);

		if (len > 5 && !strcmp(d->d_name + len - 5, ".json") &&
		    d->d_name[0] != '.') {
			names = xrealloc(names, (n + 1) * sizeof(char *));
			names[n++] = xstrdup(d->d_name);
		}
	}
	closedir(dp);
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
