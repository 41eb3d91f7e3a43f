// SPDX-License-Identifier: MIT
/*
 * The judge (judge.h): the process table, fed by fork, exec and exit; the
 * names the tree made and the paths it wrote (docs/trust.md); and the
 * decisions on each match.
 */
#include "judge.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "durability.h"
#include "hashmap.h"
#include "names.h"
#include "path.h"
#include "suppress.h"
#include "util.h"

struct proc_ent {
	struct hashmap_entry ent;
	struct judge_proc p;
	bool exited;
};

/* Exited processes kept to name them in findings that fire later (an
 * interleaving completed by another process); older ones are forgotten,
 * so the table holds the live ones and these. */
#define JUDGE_DEAD_PROCS 4096

/*
 * A name the tree made: a directory (mkdir), or a file it made
 * exclusively (O_CREAT|O_EXCL, mknod, symlink, link). Dropped when the
 * name is removed or renamed away (docs/trust.md).
 */
struct name_ent {
	struct hashmap_entry ent;
	char *path;
	uint64_t seq; /* the event that made it */
	int pid;
	uint32_t mode; /* permission bits: told by a record, or assumed */
	bool dir;
	bool excl;	 /* made by this name: not renamed into it */
	bool given_away; /* chown'ed: its owner may be someone else */
	bool symlink;	 /* a symlink: what it points to is not the tree's */
	bool parent_known;
	uint32_t parent_mode; /* of its directory when it was made */
	/* its directory was root's or the maker's own (or not known): no
	 * other owner could rename it away */
	bool parent_owner_ok;
};

/* A path the tree wrote, made, removed or changed. */
struct str_ent {
	struct hashmap_entry ent;
	char s[];
};

/*
 * A removal or rename, applied when the next event comes: the match it
 * completes judges its names as they were in the window, before it.
 */
struct name_change {
	enum { NC_NONE, NC_REMOVE, NC_MOVE, NC_EXCHANGE } kind;
	char *from, *to;
	uint64_t seq;
	bool parent2_known;
	uint32_t parent2_mode;
};

/* The install prefix of an exec'd image: /P/ of /P/bin/x. */
struct prefix {
	char *prefix;
	char *exe;
};

/*
 * Limits on what a user's trace makes the judge hold (style.md). Past
 * them it errs towards reporting: no new private name, and every path
 * not yet known as written may be.
 */
#define JUDGE_MAX_PREFIXES 256

struct judge {
	const struct rule_set *rs;
	struct judge_options opt;
	struct hashmap procs; /* struct proc_ent, by pid */
	struct hashmap names; /* struct name_ent, by path */
	struct name_change change;
	struct hashmap written; /* struct str_ent */
	bool written_full;	/* JUDGE_MAX_NAMES reached */
	struct table_drops drops;
	struct prefix *prefixes;
	int nprefixes;
	char *start_cwd;     /* the first working directory a call showed */
	uint64_t *supp_used; /* matches of each suppression of rs */
	int nsupp_used;
	int dead[JUDGE_DEAD_PROCS]; /* pids that exited, oldest at dead_at */
	unsigned ndead, dead_at;
	struct durability *dur;
	char reason[PATH_MAX + 160];
};

static bool proc_eq(const struct hashmap_entry *e, const void *key)
{
	return container_of(e, struct proc_ent, ent)->p.pid ==
	       *(const int *)key;
}

/*
 * A command line: one block, its words packed after the vector, shared
 * by the processes forked since the exec that told it (a make forks a
 * shell per recipe line: a copy each was a malloc per word).
 */
struct argv_block {
	size_t refs;
	char *v[];
};

static struct argv_block *argv_block_of(char **v)
{
	return container_of(v, struct argv_block, v);
}

static char **argv_new(const char *const *argv, int argc)
{
	size_t len = 0, n;
	struct argv_block *b;
	char *s;

	for (int i = 0; i < argc; i++)
		len += (argv[i] ? strlen(argv[i]) : 0) + 1;
	b = xmalloc(sizeof(*b) + ((size_t)argc + 1) * sizeof(b->v[0]) + len);
	b->refs = 1;
	s = (char *)&b->v[argc + 1];
	for (int i = 0; i < argc; i++) {
		n = argv[i] ? strlen(argv[i]) : 0;
		memcpy(s, argv[i] ? argv[i] : "", n + 1);
		b->v[i] = s;
		s += n + 1;
	}
	b->v[argc] = NULL;
	return b->v;
}

static void argv_unref(char **v)
{
	if (v && !--argv_block_of(v)->refs)
		free(argv_block_of(v));
}

static void proc_clear(struct judge_proc *p)
{
	free(p->exe);
	p->exe = NULL;
	argv_unref(p->argv);
	p->argv = NULL;
}

static struct judge_proc *proc_get(struct judge *j, int pid, bool create)
{
	struct hashmap_entry *e = hashmap_get(&j->procs, hash_int(pid), &pid);
	struct proc_ent *pe;

	if (e || !create)
		return e ? &container_of(e, struct proc_ent, ent)->p : NULL;
	pe = xcalloc(1, sizeof(*pe));
	pe->p.pid = pid;
	hashmap_put(&j->procs, &pe->ent, hash_int(pid));
	return &pe->p;
}

/* A child starts as a copy of its parent, up to its own exec. */
static void proc_fork(struct judge *j, const struct event *ev)
{
	const struct judge_proc *parent;
	struct judge_proc *child;

	if (ev->fork_kind == FORK_THREAD)
		return;
	parent = proc_get(j, ev->pid, false);
	child = proc_get(j, ev->child_pid, true);
	container_of(child, struct proc_ent, p)->exited = false;
	proc_clear(child);
	if (!parent)
		return;
	child->exe = parent->exe ? xstrdup(parent->exe) : NULL;
	child->argv = parent->argv;
	if (child->argv)
		argv_block_of(child->argv)->refs++;
	child->creds_known = parent->creds_known;
	child->creds = parent->creds;
	child->privileged = parent->privileged;
}

/* Who it runs as: told at exec, or at a task's first record (attach). */
static void proc_creds(struct judge_proc *p, const struct event *ev)
{
	if (!(ev->has & HAS_CREDS))
		return;
	p->creds_known = true;
	p->creds = ev->creds;
	p->privileged = ev->creds.secure || ev->creds.uid != ev->creds.euid;
}

static void proc_exec(struct judge *j, const struct event *ev)
{
	struct judge_proc *p = proc_get(j, ev->pid, true);

	proc_clear(p);
	if (ev->abspath)
		p->exe = xstrdup(ev->abspath);
	if (ev->has & HAS_ARGV)
		p->argv = argv_new(ev->argv, ev->argc);
	proc_creds(p, ev);
}

static bool name_eq(const struct hashmap_entry *e, const void *key)
{
	return !strcmp(container_of(e, struct name_ent, ent)->path,
		       (const char *)key);
}

static bool str_eq(const struct hashmap_entry *e, const void *key)
{
	return !strcmp(container_of(e, struct str_ent, ent)->s,
		       (const char *)key);
}

/*
 * The name PATH, if the tree made it. Most traces make few names and
 * every event asks about its parent: an empty table is not hashed into.
 */
static struct name_ent *name_get(const struct judge *j, const char *path)
{
	struct hashmap_entry *e;

	if (!j->names.count)
		return NULL;
	e = hashmap_get(&j->names, hash_path(path), path);
	return e ? container_of(e, struct name_ent, ent) : NULL;
}

static void name_free(struct name_ent *n)
{
	free(n->path);
	free(n);
}

static void name_del(struct judge *j, const char *path)
{
	struct hashmap_entry *e;

	if (!j->names.count)
		return;
	e = hashmap_remove(&j->names, hash_path(path), path);
	if (e)
		name_free(container_of(e, struct name_ent, ent));
}

/* Drop PATH and every tracked name under it. */
static void name_del_tree(struct judge *j, const char *path)
{
	struct hashmap_iter it;
	struct hashmap_entry *e;

	if (!j->names.count)
		return;
	hashmap_iter_init(&j->names, &it);
	while ((e = hashmap_iter_next(&it))) {
		struct name_ent *n = container_of(e, struct name_ent, ent);

		if (path_is_under(n->path, path)) {
			hashmap_remove_entry(&j->names, e);
			name_free(n);
		}
	}
}

static void name_put(struct judge *j, struct name_ent *n)
{
	name_del(j, n->path);
	if (j->names.count >= JUDGE_MAX_NAMES) {
		j->drops.names++;
		name_free(n);
		return;
	}
	hashmap_put(&j->names, &n->ent, hash_path(n->path));
}

/*
 * Whether the directory of a name that pid PID made, owned by UID, has
 * an owner who is not root nor the process itself (who could rename the
 * name away). Not known: no.
 */
static bool other_owner(const struct judge *j, int pid, bool known,
			uint32_t uid)
{
	const struct judge_proc *p;

	if (!known || uid == 0)
		return false;
	p = proc_get((struct judge *)j, pid, false);
	return !p || !p->creds_known || uid != p->creds.euid;
}

static void name_add(struct judge *j, const struct event *ev, bool dir)
{
	struct name_ent *n = xcalloc(1, sizeof(*n));

	n->path = xstrdup(ev->abspath);
	n->seq = ev->seq;
	n->pid = ev->pid;
	n->dir = dir;
	n->excl = true;
	/* the umask is not traced: assume 022 until a stat tells */
	n->mode = ev->has & HAS_MODE ? (ev->mode & 07777) & ~022u : 0700;
	n->parent_known = ev->parent.valid;
	n->parent_mode = ev->parent.mode;
	n->parent_owner_ok =
		!other_owner(j, ev->pid, ev->parent.valid, ev->parent.uid);
	n->symlink = !strncmp(ev->sc->name, "symlink", 7);
	name_put(j, n);
}

/* rename(FROM, TO): the names under FROM now are under TO. */
static void name_move_tree(struct judge *j, const struct name_change *c)
{
	const char *from = c->from, *to = c->to;
	struct name_ent **moved = NULL;
	size_t nmoved = 0, len = strlen(from);
	struct hashmap_iter it;
	struct hashmap_entry *e;

	if (!j->names.count || !strcmp(from, to))
		return;
	/* a rename succeeds onto a file or an empty directory: nothing is
	 * tracked under TO but its own entry */
	name_del(j, to);
	/* a file the tree made has nothing under it: no walk (renames of
	 * its own files would be quadratic in the names tracked) */
	e = hashmap_get(&j->names, hash_path(from), from);
	if (e && !container_of(e, struct name_ent, ent)->dir) {
		hashmap_remove_entry(&j->names, e);
		moved = xmalloc(sizeof(*moved));
		moved[nmoved++] = container_of(e, struct name_ent, ent);
		goto rename;
	}
	hashmap_iter_init(&j->names, &it);
	while ((e = hashmap_iter_next(&it))) {
		struct name_ent *n = container_of(e, struct name_ent, ent);

		if (!path_is_under(n->path, from))
			continue;
		hashmap_remove_entry(&j->names, e);
		moved = xrealloc(moved, (nmoved + 1) * sizeof(*moved));
		moved[nmoved++] = n;
	}
rename:
	for (size_t i = 0; i < nmoved; i++) {
		struct name_ent *n = moved[i];
		char *p = xmalloc(strlen(to) + strlen(n->path + len) + 1);

		strcpy(p, to);
		strcat(p, n->path + len);
		free(n->path);
		n->path = p;
		/* the name itself was made by the rename, not exclusively */
		if (!n->path[strlen(to)]) {
			n->excl = false;
			n->seq = c->seq;
			n->parent_known = c->parent2_known;
			n->parent_mode = c->parent2_mode;
		}
		hashmap_put(&j->names, &n->ent, hash_path(n->path));
	}
	free(moved);
}

static void name_change_apply(struct judge *j)
{
	struct name_change *c = &j->change;

	/* most events changed no name */
	if (c->kind == NC_NONE)
		return;
	switch (c->kind) {
	case NC_REMOVE:
		/* a removed directory was empty: only its own entry */
		name_del(j, c->from);
		break;
	case NC_MOVE:
		name_move_tree(j, c);
		break;
	case NC_EXCHANGE:
		name_del_tree(j, c->from);
		name_del_tree(j, c->to);
		break;
	case NC_NONE:
		break;
	}
	free(c->from);
	free(c->to);
	memset(c, 0, sizeof(*c));
}

static void name_change_defer(struct judge *j, const struct event *ev, int kind)
{
	struct name_change *c = &j->change;

	/* no name to remove or move: none is made before the next event
	 * applies the change */
	if (!j->names.count)
		return;
	c->kind = kind;
	c->from = xstrdup(ev->abspath);
	c->to = ev->abspath2 ? xstrdup(ev->abspath2) : NULL;
	c->seq = ev->seq;
	c->parent2_known = ev->parent2.valid;
	c->parent2_mode = ev->parent2.mode;
}

/* A record that tells the mode directory PATH really has. */
static void name_learn(struct judge *j, const char *path, uint32_t mode)
{
	struct name_ent *n;

	if (!path || !(n = name_get(j, path)) || !n->dir)
		return;
	n->mode = mode & 07777;
}

static void written_add(struct judge *j, const char *path)
{
	struct str_ent *s;
	uint32_t h;
	size_t n;

	if (!path)
		return;
	h = hash_path(path);
	if (hashmap_get(&j->written, h, path))
		return;
	if (j->written.count >= JUDGE_MAX_NAMES) {
		j->written_full = true;
		j->drops.written++;
		return;
	}
	n = strlen(path);
	s = xmalloc(sizeof(*s) + n + 1);
	memcpy(s->s, path, n + 1);
	hashmap_put(&j->written, &s->ent, h);
}

static bool written(const struct judge *j, const char *path)
{
	return path && (j->written_full ||
			hashmap_get(&j->written, hash_path(path), path));
}

static bool writes(const struct event *ev)
{
	const struct syscall_desc *sc = ev->sc;

	if (sc->effect == E_OPEN)
		return (ev->flags & (O_ACCMODE_ | O_CREAT_ | O_TRUNC_)) ||
		       (sc->flags & SCF_IMPLIED_OFLAGS);
	return sc->classes & (SC_CREATE | SC_REMOVE | SC_META | SC_DATA);
}

/* exec of /P/bin/x or /P/sbin/x: P/ holds installed code. */
static void prefix_add(struct judge *j, const char *exe)
{
	char dir[PATH_MAX], p[PATH_MAX];
	const char *base;

	if (!exe || path_dirname(exe, dir, sizeof(dir)) < 0)
		return;
	base = strrchr(dir, '/');
	if (!base || (strcmp(base, "/bin") && strcmp(base, "/sbin")))
		return;
	if (path_dirname(dir, p, sizeof(p) - 1) <= 1)
		return; /* /bin/x: "/" is no prefix */
	strcat(p, "/");
	for (int i = 0; i < j->nprefixes; i++)
		if (!strcmp(j->prefixes[i].prefix, p))
			return;
	if (j->nprefixes == JUDGE_MAX_PREFIXES)
		return;
	j->prefixes = xrealloc(j->prefixes, (size_t)(j->nprefixes + 1) *
						    sizeof(*j->prefixes));
	j->prefixes[j->nprefixes].prefix = xstrdup(p);
	j->prefixes[j->nprefixes].exe = xstrdup(exe);
	j->nprefixes++;
}

/* A chown to someone else, who may then change the mode. */
static bool gives_away(struct judge *j, const struct event *ev)
{
	const struct judge_proc *p = proc_get(j, ev->pid, false);

	if (!(ev->has & HAS_OWNER) || ev->uid == -1)
		return false;
	return !p || !p->creds_known || ev->uid != p->creds.euid;
}

/* What a successful call does to the names the tree made. */
static void names_observe(struct judge *j, const struct event *ev)
{
	const struct syscall_desc *sc = ev->sc;
	const char *fdp = (ev->has & HAS_FD) && !(ev->has & HAS_PATH)
				  ? ev->fd_path
				  : NULL;
	struct name_ent *n;

	if (ev->parent.valid)
		name_learn(j, ev->parent.path, ev->parent.mode);
	if (ev->parent2.valid)
		name_learn(j, ev->parent2.path, ev->parent2.mode);
	if (ev->stat.valid && S_ISDIR(ev->stat.mode))
		name_learn(j,
			   fdp		  ? fdp
			   : ev->ret_path ? ev->ret_path
					  : ev->abspath,
			   ev->stat.mode);
	if (!ev->abspath) {
		n = fdp ? name_get(j, fdp) : NULL;
		if (n && !strcmp(sc->name, "fchmod") && (ev->has & HAS_MODE))
			n->mode = ev->mode & 07777;
		else if (n && !strcmp(sc->name, "fchown") && gives_away(j, ev))
			n->given_away = true;
		return;
	}
	if (sc->effect == E_OPEN) {
		if ((ev->flags & O_CREAT_) && (ev->flags & O_EXCL_) &&
		    !(ev->flags & O_TMPFILE_))
			name_add(j, ev, false);
		return;
	}
	if (!strncmp(sc->name, "mkdir", 5)) {
		name_add(j, ev, true);
	} else if (sc->flags & SCF_CREATES) {
		name_add(j, ev, false); /* mknod, symlink: EEXIST if there */
	} else if (!strncmp(sc->name, "link", 4) && ev->abspath2) {
		n = xcalloc(1, sizeof(*n));
		n->path = xstrdup(ev->abspath2);
		n->seq = ev->seq;
		n->pid = ev->pid;
		n->excl = true;
		n->parent_known = ev->parent2.valid;
		n->parent_mode = ev->parent2.mode;
		n->parent_owner_ok = !other_owner(j, ev->pid, ev->parent2.valid,
						  ev->parent2.uid);
		name_put(j, n);
	} else if (!strncmp(sc->name, "rename", 6) && ev->abspath2) {
		name_change_defer(j, ev,
				  ev->flags & RENAME_EXCHANGE_ ? NC_EXCHANGE
							       : NC_MOVE);
	} else if (sc->flags & SCF_REMOVES) {
		name_change_defer(j, ev, NC_REMOVE);
	} else if (strstr(sc->name, "chmod")) {
		n = name_get(j, ev->abspath);
		if (n && (ev->has & HAS_MODE))
			n->mode = ev->mode & 07777;
	} else if (strstr(sc->name, "chown") && gives_away(j, ev)) {
		n = name_get(j, ev->abspath);
		if (n)
			n->given_away = true;
	}
}

static void trust_observe(struct judge *j, const struct event *ev)
{
	const struct syscall_desc *sc = ev->sc;

	if (!j->start_cwd && (ev->has & HAS_DIRFD) && ev->dirfd == AT_FDCWD_ &&
	    ev->dirfd_path && ev->dirfd_path[0] == '/')
		j->start_cwd = xstrdup(ev->dirfd_path);
	if (writes(ev)) {
		if (ev->has & HAS_PATH) {
			written_add(j, ev->abspath);
			written_add(j, ev->abspath2);
		} else if (ev->has & HAS_FD) {
			written_add(j, ev->fd_path);
		}
	}
	if ((sc->effect == E_EXEC || !(ev->has & HAS_RET) || ev->ret < 0))
		return;
	names_observe(j, ev);
}

static const struct name_ent *private_dir(const struct judge *j, const char *d,
					  uint64_t before, int depth);

/*
 * Whether others cannot take directory N away (rename it, put something
 * else at its name) since event BEFORE: it lies in a private directory,
 * or the tree made it at BEFORE or earlier in a parent that is not o+w
 * without the sticky bit. A strace log tells no parent: then none is
 * assumed o+w.
 */
static bool dir_held(const struct judge *j, const struct name_ent *n,
		     uint64_t before, int depth)
{
	char parent[PATH_MAX];

	if (depth > 64 || path_dirname(n->path, parent, sizeof(parent)) < 0)
		return false;
	if (strcmp(parent, n->path) && private_dir(j, parent, before, depth))
		return true;
	if (n->seq > before || !n->parent_owner_ok)
		return false;
	return !(n->parent_known && (n->parent_mode & S_IWOTH) &&
		 !(n->parent_mode & S_ISVTX));
}

/*
 * The directory D if the tree made it and nobody outside the tree can
 * change its entries: not o+w, not given away, and held (D itself may be
 * newer than BEFORE, made inside such a place: a check of a/b/c before
 * mkdir a/b is safe in a private a).
 */
static const struct name_ent *private_dir(const struct judge *j, const char *d,
					  uint64_t before, int depth)
{
	const struct name_ent *n = name_get(j, d);

	if (!n || !n->dir || (n->mode & S_IWOTH) || n->given_away)
		return NULL;
	return dir_held(j, n, before, depth + 1) ? n : NULL;
}

/*
 * What makes the name P safe from others since event BEFORE, or NULL:
 * its directory is private, or the tree made P exclusively (at BEFORE or
 * earlier) in a sticky directory, where only its owner can remove or
 * rename it. A name the tree made elsewhere is not private: whoever can
 * write its directory can swap it (cp -a's mkdir then setxattr by name).
 */
static const struct name_ent *private_name(const struct judge *j, const char *p,
					   uint64_t before)
{
	char dir[PATH_MAX];
	const struct name_ent *n, *d;

	if (!p || p[0] != '/' || !p[1] || path_dirname(p, dir, sizeof(dir)) < 0)
		return NULL;
	n = name_get(j, p);
	/* a symlink the tree made leads where others may write */
	if (n && n->symlink && n->seq <= before)
		return NULL;
	d = private_dir(j, dir, before, 0);
	if (d)
		return d;
	if (n && n->excl && n->seq <= before && n->parent_known &&
	    (n->parent_mode & S_ISVTX) && n->parent_owner_ok)
		return n;
	return NULL;
}

bool judge_private_name(const struct judge *j, const char *path,
			uint64_t before)
{
	return private_name(j, path, before) != NULL;
}

/* The paths a finding names: each evidence's, both of a rename. */
#define EV_PATHS(e)                                                            \
	{                                                                      \
		(e)->abspath ? (e)->abspath : (e)->fd_path, (e)->abspath2,     \
	}

static bool has_tag(const struct rule *r, const char *const *tags)
{
	for (int i = 0; i < r->ntags; i++)
		for (const char *const *t = tags; *t; t++)
			if (!strcmp(r->tags[i], *t))
				return true;
	return false;
}

/*
 * The races a second party plays: the rules that privacy answers. Not
 * durability (a crash does not care who can write) nor the atomicity of
 * a copy fallback.
 */
static const char *const race_tags[] = {"toctou",     "race",	 "create",
					"shared-dir", "replace", NULL};
/* durability; races between the tree's own processes, shown by it */
static const char *const unanswered_tags[] = {"durability", "multi-process",
					      NULL};

static enum finding_status private_match(struct judge *j, const struct rule *r,
					 const struct evidence *const *ev,
					 int nev, const char **reason)
{
	const struct name_ent *first = NULL;
	const char *first_path = NULL;
	uint64_t before = UINT64_MAX;

	if (!has_tag(r, race_tags) || has_tag(r, unanswered_tags))
		return FST_REPORTED;
	for (int i = 0; i < nev; i++)
		if (ev[i]->seq < before)
			before = ev[i]->seq;
	for (int i = 0; i < nev; i++) {
		const char *paths[] = EV_PATHS(ev[i]);

		for (size_t k = 0; k < ARRAY_SIZE(paths); k++) {
			const struct name_ent *n;

			if (!paths[k])
				continue;
			n = private_name(j, paths[k], before);
			if (!n)
				return FST_REPORTED;
			if (!first) {
				first = n;
				first_path = paths[k];
			}
		}
	}
	if (!first)
		return FST_REPORTED;
	if (strcmp(first->path, first_path))
		snprintf(j->reason, sizeof(j->reason),
			 "in '%s', which pid %d created %04o and nobody else "
			 "can write",
			 first->path, first->pid, first->mode);
	else
		snprintf(j->reason, sizeof(j->reason),
			 "'%s', which pid %d created exclusively in a sticky "
			 "directory, and nobody else can replace",
			 first->path, first->pid);
	*reason = j->reason;
	return FST_PRIVATE;
}

/* Installed code, wherever an image came from (docs/trust.md). */
static const char *const installed_prefixes[] = {
	"/usr/",  "/opt/",	 "/lib/",  "/lib64/", "/bin/",
	"/sbin/", "/nix/store/", "/snap/", NULL,
};
static const char *const installed_parts[] = {
	"/site-packages/", "/dist-packages/", "/.pyenv/",	   "/.rbenv/",
	"/.nvm/",	   "/.rustup/",	      "/.cargo/registry/", NULL,
};

static bool prefix_valid(const struct judge *j, const struct prefix *p)
{
	/*
	 * Not an image the tree built, nor one whose prefix holds the tree's
	 * own work: ./bin/prog run in the scratch directory, ~/bin/tool run
	 * in ~/project.
	 */
	size_t n = strlen(p->prefix) - 1; /* without its '/' */

	if (written(j, p->exe))
		return false;
	return !j->start_cwd || strncmp(j->start_cwd, p->prefix, n) ||
	       (j->start_cwd[n] && j->start_cwd[n] != '/');
}

/* Where PATH is installed code: the prefix or part that says so. */
static const char *installed(const struct judge *j, const char *path)
{
	for (const char *const *p = installed_prefixes; *p; p++)
		if (!strncmp(path, *p, strlen(*p)))
			return *p;
	for (const char *const *p = installed_parts; *p; p++)
		if (strstr(path, *p))
			return *p;
	for (int i = 0; i < j->nprefixes; i++)
		if (!strncmp(path, j->prefixes[i].prefix,
			     strlen(j->prefixes[i].prefix)) &&
		    prefix_valid(j, &j->prefixes[i]))
			return j->prefixes[i].prefix;
	return NULL;
}

/*
 * A use that changes nothing: a check, an exec, an open (one that writes
 * has put its path among the written ones).
 */
static bool read_only(const struct evidence *e)
{
	const struct syscall_desc *sc = syscall_by_name(e->syscall);

	if (!sc || sc->effect == E_OPEN)
		return true;
	return !(sc->classes &
		 (SC_CREATE | SC_REMOVE | SC_META | SC_DATA | SC_SYNC));
}

static enum finding_status scope_match(struct judge *j,
				       const struct evidence *const *ev,
				       int nev, const char **reason)
{
	const char *where = NULL, *what = NULL;

	if (j->opt.scope_all)
		return FST_REPORTED;
	for (int i = 0; i < nev; i++) {
		const char *paths[] = EV_PATHS(ev[i]);

		if (!read_only(ev[i]))
			return FST_REPORTED;
		for (size_t k = 0; k < ARRAY_SIZE(paths); k++) {
			const char *w;

			if (!paths[k])
				continue;
			if (written(j, paths[k]) ||
			    !(w = installed(j, paths[k])))
				return FST_REPORTED;
			if (!where) {
				where = w;
				what = paths[k];
			}
		}
	}
	if (!where)
		return FST_REPORTED;
	snprintf(j->reason, sizeof(j->reason),
		 "'%s' is only read, in installed code ('%s')", what, where);
	*reason = j->reason;
	return FST_OUT_OF_SCOPE;
}

/* access-then-open and its kind: a note unless the process is privileged. */
static void privilege_severity(const struct judge *j, const struct rule *r,
			       const struct evidence *const *ev, int nev,
			       enum severity *sev)
{
	int moved = (int)*sev - (int)r->severity; /* by the path modifiers */
	int s;

	if (!r->has_unprivileged_severity || *sev <= r->unprivileged_severity)
		return;
	for (int i = 0; i < nev; i++) {
		const struct judge_proc *p = judge_proc(j, ev[i]->pid);

		if (ev[i]->syscall && !syscall_by_name(ev[i]->syscall))
			continue; /* exit, end */
		if (!p || !p->creds_known || p->privileged)
			return;
	}
	/* the base severity, which the path modifiers still move */
	s = (int)r->unprivileged_severity + moved;
	*sev = s < SEV_NOTE ? SEV_NOTE : s > SEV_ERROR ? SEV_ERROR : s;
}

/* PID exited: remember it among the last JUDGE_DEAD_PROCS, forgetting
 * the oldest of them if it was not born again since. */
static void proc_exited(struct judge *j, int pid)
{
	struct hashmap_entry *e = hashmap_get(&j->procs, hash_int(pid), &pid);
	int old;

	if (!e)
		return;
	container_of(e, struct proc_ent, ent)->exited = true;
	if (j->ndead < JUDGE_DEAD_PROCS) {
		j->dead[j->ndead++] = pid;
		return;
	}
	old = j->dead[j->dead_at];
	j->dead[j->dead_at] = pid;
	j->dead_at = (j->dead_at + 1) % JUDGE_DEAD_PROCS;
	e = hashmap_get(&j->procs, hash_int(old), &old);
	if (e && container_of(e, struct proc_ent, ent)->exited) {
		struct proc_ent *pe = container_of(e, struct proc_ent, ent);

		hashmap_remove_entry(&j->procs, e);
		proc_clear(&pe->p);
		free(pe);
	}
}

void judge_observe(struct judge *j, const struct event *ev, uint32_t path_hash)
{
	name_change_apply(j);
	durability_observe(j->dur, ev, path_hash);
	switch (ev->type) {
	case EV_FORK:
		proc_fork(j, ev);
		break;
	case EV_EXIT:
		if (ev->tid == ev->pid)
			proc_exited(j, ev->pid);
		break;
	case EV_SYSCALL:
		if (!ev->sc)
			break;
		if (ev->sc->effect == E_EXEC && (ev->has & HAS_RET) &&
		    ev->ret == 0) {
			proc_exec(j, ev);
			prefix_add(j, ev->abspath);
		} else if (ev->has & HAS_CREDS) {
			proc_creds(proc_get(j, ev->pid, true), ev);
		}
		trust_observe(j, ev);
		break;
	default:
		break;
	}
}

uint64_t judge_suppression_uses(const struct judge *j, int i)
{
	return i >= 0 && i < j->nsupp_used ? j->supp_used[i] : 0;
}

enum finding_status judge_match(struct judge *j, const struct rule *r,
				const struct evidence *const *ev, int nev,
				enum severity *sev, const char **reason)
{
	enum finding_status st;

	int which;

	*reason = suppress_match(j->rs, r, ev, nev, j,
				 j->opt.default_suppressions, j->opt.namer,
				 &which);
	if (*reason) {
		if (which >= 0 && which < j->nsupp_used)
			j->supp_used[which]++;
		return FST_SUPPRESSED;
	}
	privilege_severity(j, r, ev, nev, sev);
	st = scope_match(j, ev, nev, reason);
	if (st == FST_REPORTED)
		st = private_match(j, r, ev, nev, reason);
	if (st != FST_REPORTED)
		return st;
	return durability_match(j->dur, r, ev, nev, reason);
}

void judge_finish(struct judge *j, struct findings *fs)
{
	durability_finish(j->dur, fs);
}

const struct judge_proc *judge_proc(const struct judge *j, int pid)
{
	return proc_get((struct judge *)j, pid, false);
}

const char *judge_program(const struct judge *j, int pid, char *buf,
			  size_t size)
{
	const struct judge_proc *p = judge_proc(j, pid);
	size_t o = 0;

	if (!p || (!p->exe && !p->argv) || !size)
		return NULL;
	if (!p->argv || !p->argv[0]) {
		snprintf(buf, size, "%s", p->exe);
		return buf;
	}
	/* the words joined by spaces, cut at SIZE (one per finding's
	 * event: no snprintf per word) */
	for (char **a = p->argv; *a && o + 1 < size; a++) {
		size_t n = strlen(*a);

		if (a != p->argv)
			buf[o++] = ' ';
		if (n > size - 1 - o)
			n = size - 1 - o;
		memcpy(buf + o, *a, n);
		o += n;
	}
	buf[o] = '\0';
	return buf;
}

struct judge *judge_new(const struct rule_set *rs,
			const struct judge_options *opt)
{
	struct judge *j = xcalloc(1, sizeof(*j));

	j->rs = rs;
	j->opt = *opt;
	j->nsupp_used = rs->nsuppressions;
	j->supp_used =
		xcalloc((size_t)rs->nsuppressions + 1, sizeof(*j->supp_used));
	hashmap_init(&j->procs, proc_eq, 64);
	hashmap_init(&j->names, name_eq, 256);
	hashmap_init(&j->written, str_eq, 256);
	j->dur = durability_new();
	return j;
}

void judge_drops(const struct judge *j, struct table_drops *out)
{
	out->names += j->drops.names;
	out->written += j->drops.written;
}

void judge_free(struct judge *j)
{
	struct hashmap_iter it;
	struct hashmap_entry *e;

	if (!j)
		return;
	free(j->supp_used);
	hashmap_iter_init(&j->procs, &it);
	while ((e = hashmap_iter_next(&it))) {
		struct proc_ent *pe = container_of(e, struct proc_ent, ent);

		hashmap_remove_entry(&j->procs, e);
		proc_clear(&pe->p);
		free(pe);
	}
	hashmap_release(&j->procs);
	hashmap_iter_init(&j->names, &it);
	while ((e = hashmap_iter_next(&it))) {
		hashmap_remove_entry(&j->names, e);
		name_free(container_of(e, struct name_ent, ent));
	}
	hashmap_release(&j->names);
	free(j->change.from);
	free(j->change.to);
	hashmap_iter_init(&j->written, &it);
	while ((e = hashmap_iter_next(&it))) {
		hashmap_remove_entry(&j->written, e);
		free(container_of(e, struct str_ent, ent));
	}
	hashmap_release(&j->written);
	for (int i = 0; i < j->nprefixes; i++) {
		free(j->prefixes[i].prefix);
		free(j->prefixes[i].exe);
	}
	free(j->prefixes);
	free(j->start_cwd);
	durability_free(j->dur);
	free(j);
}
