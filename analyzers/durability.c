// SPDX-License-Identifier: MIT
/*
 * Durability intent (durability.h, docs/durability.md).
 *
 * A rule says what a durable update looks like; whether the program meant
 * one is a property of the whole traced tree, over the whole trace, which
 * a rule's few steps in one process cannot see: a child creates a file
 * and its parent fsyncs the directory (dpkg), a temporary is fsync'ed and
 * then renamed to its final name (git's tmp_pack_* to pack-*.pack). So
 * this file follows three things through the stream, for every process of
 * the tree:
 *
 * - each name the tree touched: whether it held a file the tree did not
 *   write (a "foreign" file: the user's data), and the object now under it
 *   (its identity, and whether that object was fsync'ed), carried along by
 *   rename and link;
 * - each directory: the last fsync of the directory itself, and whether
 *   the tree fsync'ed it or anything in it (intent for that directory);
 * - the objects fsync'ed, by (dev, ino), so that an fsync through an fd
 *   whose path is stale (the file was renamed while open) still counts.
 *
 * missing-dir-fsync is then decided when the stream ends
 * (durability_finish), from what the tree did by then; rename-without-
 * fsync at once when the rename destroys the user's file, else at the end
 * too. Both rules are named here by id: what decides them is the tree's
 * behaviour, which the rule language (steps of one match) cannot say.
 */
#include "durability.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "names.h"
#include "path.h"
#include "util.h"

/* The rules judged here, by id: their intent is not in their steps. */
#define RULE_DIR_FSYNC "missing-dir-fsync"
#define RULE_RENAME_FSYNC "rename-without-fsync"
#define RULE_UNLINK_RENAME "unlink-then-rename"

enum name_state {
	NS_ABSENT,  /* not there (renamed away, removed from the tree's own) */
	NS_FOREIGN, /* holds a file the tree did not write */
	NS_OWN,	    /* holds what the tree put there */
	NS_REMOVED, /* held a foreign file, which the tree unlinked */
};

struct name {
	struct hashmap_entry ent;
	enum name_state state;
	bool synced; /* the object under the name was fsync'ed */
	bool ident;  /* dev, ino are known */
	uint64_t dev, ino;
	/* renamed away: where the object went (an fd opened by the old name
	 * still names it by the old name) */
	char *moved_to;
	/* the last create, rename or link onto the name, or 0 */
	uint64_t made_seq;
	char path[];
};

struct dir {
	struct hashmap_entry ent;
	uint64_t synced_seq; /* the last fsync of the directory, or 0 */
	bool intent;	     /* it or something in it was fsync'ed */
	char path[];
};

struct inode {
	struct hashmap_entry ent;
	uint64_t dev, ino;
};

/*
 * The names the tree only looked at are forgotten when the table holds
 * this many: memory follows what the tree changed and fsync'ed, not the
 * length of the trace (a build stats every header it includes).
 */
#define NAMES_SWEEP 262144

struct durability {
	struct hashmap names; /* struct name, by path */
	size_t sweep_at;      /* sweep the names at this count */
	struct hashmap dirs;  /* struct dir, by path */
	struct hashmap synced_inodes;
	uint64_t syncall_seq; /* the last sync(2) or syncfs(2), or 0 */
	/* the rename being fed: did it replace a foreign file? */
	uint64_t cur_seq;
	bool cur_replaced;
	/* … or onto a name whose last file was the tree's own, removed */
	bool cur_onto_own;
};

static bool name_eq(const struct hashmap_entry *e, const void *key)
{
	return !strcmp(container_of(e, struct name, ent)->path, key);
}

static bool dir_eq(const struct hashmap_entry *e, const void *key)
{
	return !strcmp(container_of(e, struct dir, ent)->path, key);
}

static bool inode_eq(const struct hashmap_entry *e, const void *key)
{
	const struct inode *a = container_of(e, struct inode, ent);
	const uint64_t *k = key;

	return a->dev == k[0] && a->ino == k[1];
}

static uint32_t inode_hash(uint64_t dev, uint64_t ino)
{
	return hash_int(ino * 31 + dev);
}

/*
 * The name PATH, whose hash_path() is H (computed once per event: the
 * tables here see every name a build looks at), made if CREATE.
 */
static struct name *name_at(struct durability *d, const char *path, uint32_t h,
			    bool create)
{
	struct hashmap_entry *e = hashmap_get(&d->names, h, path);
	struct name *nm;
	size_t n;

	if (e || !create)
		return e ? container_of(e, struct name, ent) : NULL;
	n = strlen(path) + 1;
	nm = xcalloc(1, sizeof(*nm) + n);
	memcpy(nm->path, path, n);
	nm->state = NS_ABSENT;
	hashmap_put(&d->names, &nm->ent, h);
	return nm;
}

static struct name *name_get(struct durability *d, const char *path,
			     bool create)
{
	return name_at(d, path, hash_path(path), create);
}

/* A name the tree only saw (held a foreign file, or nothing): what
 * durability_finish needs is the names the tree made or fsync'ed. */
static bool name_only_seen(const struct name *nm)
{
	return !nm->made_seq && !nm->synced && !nm->moved_to;
}

static void names_sweep(struct durability *d)
{
	struct hashmap_iter it;
	struct hashmap_entry *e;

	hashmap_iter_init(&d->names, &it);
	while ((e = hashmap_iter_next(&it))) {
		struct name *nm = container_of(e, struct name, ent);

		if (!name_only_seen(nm))
			continue;
		hashmap_remove_entry(&d->names, e);
		free(nm);
	}
	d->sweep_at = d->names.count * 2 > NAMES_SWEEP ? d->names.count * 2
						       : NAMES_SWEEP;
}

static struct dir *dir_get(struct durability *d, const char *path, bool create)
{
	uint32_t h = hash_path(path);
	struct hashmap_entry *e = hashmap_get(&d->dirs, h, path);
	struct dir *dr;
	size_t n;

	if (e || !create)
		return e ? container_of(e, struct dir, ent) : NULL;
	n = strlen(path) + 1;
	dr = xcalloc(1, sizeof(*dr) + n);
	memcpy(dr->path, path, n);
	hashmap_put(&d->dirs, &dr->ent, h);
	return dr;
}

static bool inode_synced(const struct durability *d, uint64_t dev, uint64_t ino)
{
	uint64_t k[2] = {dev, ino};

	return hashmap_get(&d->synced_inodes, inode_hash(dev, ino), k);
}

static void inode_sync(struct durability *d, uint64_t dev, uint64_t ino)
{
	struct inode *in;

	if (inode_synced(d, dev, ino))
		return;
	in = xcalloc(1, sizeof(*in));
	in->dev = dev;
	in->ino = ino;
	hashmap_put(&d->synced_inodes, &in->ent, inode_hash(dev, ino));
}

/* The object under NM is gone; what it held is forgotten. */
static void name_empty(struct name *nm, enum name_state state)
{
	nm->state = state;
	nm->synced = false;
	nm->ident = false;
	free(nm->moved_to);
	nm->moved_to = NULL;
}

/* A successful look at or open of the name NM that did not create it. */
static void name_seen(struct name *nm)
{
	if (nm->state != NS_OWN)
		nm->state = NS_FOREIGN;
}

/* The tree put a new object at the name NM: a new directory entry when
 * SEQ is not 0 (not when it truncated the file under the name). */
static struct name *name_made(struct name *nm, uint64_t seq)
{
	name_empty(nm, NS_OWN);
	if (seq)
		nm->made_seq = seq;
	return nm;
}

/* An open of ev->abspath, whose hash is H. */
static void on_open(struct durability *d, const struct event *ev, uint32_t h)
{
	bool creat =
		(ev->flags & O_CREAT_) || (ev->sc->flags & SCF_IMPLIED_OFLAGS);
	bool trunc =
		(ev->flags & O_TRUNC_) || (ev->sc->flags & SCF_IMPLIED_OFLAGS);
	bool made;
	struct name *nm;

	if (!ev->abspath || (ev->flags & O_DIRECTORY_))
		return;
	nm = name_at(d, ev->abspath, h, false);
	if (ev->has & HAS_EXISTED)
		made = creat && !ev->existed;
	else /* the tree saw the name hold a file: it opened that one */
		made = creat &&
		       ((ev->flags & O_EXCL_) || !nm ||
			nm->state == NS_ABSENT || nm->state == NS_REMOVED);
	if (!nm)
		nm = name_at(d, ev->abspath, h, true);
	if (made || trunc)
		name_made(nm, made ? ev->seq : 0);
	else
		name_seen(nm);
	if (ev->stat.valid) {
		nm->ident = true;
		nm->dev = ev->stat.dev;
		nm->ino = ev->stat.ino;
	}
}

/* renameat2(A, B, RENAME_EXCHANGE): each name holds the other's object. */
static void on_exchange(struct durability *d, const struct event *ev)
{
	struct name *a = name_get(d, ev->abspath, true);
	struct name *b = name_get(d, ev->abspath2, true);
	struct name t = *a;

	free(a->moved_to);
	free(b->moved_to);
	a->state = b->state;
	a->synced = b->synced;
	a->ident = b->ident;
	a->dev = b->dev;
	a->ino = b->ino;
	b->state = t.state;
	b->synced = t.synced;
	b->ident = t.ident;
	b->dev = t.dev;
	b->ino = t.ino;
	a->moved_to = b->moved_to = NULL;
	a->made_seq = b->made_seq = ev->seq;
}

/* rename(FROM, TO) or link(FROM, TO): TO names what FROM named; H is
 * the hash of FROM. */
static void on_move(struct durability *d, const struct event *ev, bool link,
		    uint32_t h)
{
	/* a strace log can cut the first path short: no name to follow */
	struct name *from =
		ev->abspath ? name_at(d, ev->abspath, h, false) : NULL;
	struct name *to;

	if (!ev->abspath2 ||
	    (ev->abspath && !strcmp(ev->abspath, ev->abspath2)))
		return;
	to = name_made(name_get(d, ev->abspath2, true), ev->seq);
	if (from && from != to) {
		to->synced = from->synced;
		to->ident = from->ident;
		to->dev = from->dev;
		to->ino = from->ino;
		if (!link) {
			name_empty(from, NS_ABSENT);
			from->moved_to = xstrdup(to->path);
			from->ident = to->ident;
		}
	} else if (!from && !link && ev->abspath) {
		name_empty(name_at(d, ev->abspath, h, true), NS_ABSENT);
	}
}

static void on_remove(struct name *nm)
{
	bool ident = nm->ident;

	name_empty(nm, nm->state == NS_OWN ? NS_ABSENT : NS_REMOVED);
	/* kept for an fd still open by this name (a link made it elsewhere) */
	nm->ident = ident;
}

/* fsync(2), fdatasync(2) (FULL) or sync_file_range(2) of PATH. */
static void on_sync(struct durability *d, const struct event *ev, bool full)
{
	const char *path = ev->fd_path;
	char parent[PATH_MAX];
	struct name *nm;
	struct dir *dr;

	if (!path || path[0] != '/')
		return;
	nm = name_get(d, path, false);
	/* an fd opened before a rename: the object is under the new name */
	for (int hops = 0; nm && nm->moved_to && hops < 8; hops++)
		nm = name_get(d, nm->moved_to, false);
	if (nm) {
		nm->synced = true;
		if (nm->ident)
			inode_sync(d, nm->dev, nm->ino);
	}
	dr = dir_get(d, path, true);
	dr->intent = true;
	if (full)
		dr->synced_seq = ev->seq;
	if (path_dirname(path, parent, sizeof(parent)) >= 0)
		dir_get(d, parent, true)->intent = true;
}

/* Is the name one the tree would lose user data under: did it hold a file
 * the tree did not write, outside a hidden directory? */
static bool replaces_foreign(struct durability *d, const char *path,
			     const struct event *ev)
{
	const struct name *nm = name_get(d, path, false);
	const char *s;

	/* a name the tree never saw: what the tracer saw there at the
	 * rename's entry (a strace log does not say: taken as new) */
	if (!nm && !((ev->has & HAS_EXISTED) && ev->existed))
		return false;
	if (nm && nm->state != NS_FOREIGN && nm->state != NS_REMOVED)
		return false;
	/* a dot-directory (".git", ".cache") holds a program's own state */
	for (s = path; (s = strstr(s, "/.")); s++) {
		const char *end = strchr(s + 1, '/');

		if (!end)
			break;
		if (end - s > 2 && !(end - s == 3 && s[2] == '.'))
			return false;
	}
	return true;
}

/* fsync(2) and its kin: what each says of the tree's intent. */
static void on_sync_class(struct durability *d, const struct event *ev)
{
	const char *name = ev->sc->name;

	if (!strcmp(name, "sync") || !strcmp(name, "syncfs"))
		d->syncall_seq = ev->seq;
	else if (!strcmp(name, "fsync") || !strcmp(name, "fdatasync"))
		on_sync(d, ev, true);
	else if (!strcmp(name, "sync_file_range"))
		on_sync(d, ev, false);
}

void durability_observe(struct durability *d, const struct event *ev,
			uint32_t h)
{
	const struct syscall_desc *sc = ev->sc;
	struct name *nm;

	if (ev->type != EV_SYSCALL || !sc)
		return;
	/* before any name is held: the sweep frees some */
	if (d->names.count >= d->sweep_at)
		names_sweep(d);
	/* sync(2) has no result to wait for (SCF_NO_EXIT) */
	if ((sc->classes & SC_SYNC) && (!(ev->has & HAS_RET) || ev->ret >= 0)) {
		on_sync_class(d, ev);
		return;
	}
	if (!(ev->has & HAS_RET))
		return;
	if (ev->ret < 0) {
		/* gone, by a hand outside the trace */
		if (ev->err == ENOENT && ev->abspath &&
		    (nm = name_at(d, ev->abspath, h, false)) &&
		    (nm->state == NS_FOREIGN || nm->state == NS_OWN))
			name_empty(nm, NS_ABSENT);
		return;
	}
	if (sc->effect == E_OPEN) {
		on_open(d, ev, h);
		return;
	}
	if ((sc->flags & SCF_DEST2) && ev->abspath2) {
		bool link = !(sc->flags & SCF_REMOVES);

		bool exchange =
			(ev->has & HAS_FLAGS) && (ev->flags & RENAME_EXCHANGE_);

		if (!link) {
			/* an exchange keeps the old file, under the other name
			 */
			struct name *to = name_get(d, ev->abspath2, false);

			d->cur_seq = ev->seq;
			d->cur_replaced = !exchange &&
					  replaces_foreign(d, ev->abspath2, ev);
			d->cur_onto_own =
				to && to->state == NS_ABSENT && to->made_seq;
		}
		if (exchange && ev->abspath &&
		    strcmp(ev->abspath, ev->abspath2))
			on_exchange(d, ev);
		else if (!exchange)
			on_move(d, ev, link, h);
		return;
	}
	/* by fd (fstat, newfstatat(fd, "")): no name to learn about */
	if (!ev->abspath || ((ev->has & HAS_FD) && (!ev->path || !ev->path[0])))
		return;
	if (!(sc->flags & (SCF_CREATES | SCF_REMOVES)) &&
	    !(sc->classes & SC_CHECK))
		return;
	nm = name_at(d, ev->abspath, h, true);
	if (sc->flags & SCF_CREATES)
		name_made(nm, ev->seq);
	else if (sc->flags & SCF_REMOVES)
		on_remove(nm);
	else
		name_seen(nm);
}

enum finding_status durability_match(struct durability *d, const struct rule *r,
				     const struct evidence *const *ev, int nev,
				     const char **reason)
{
	*reason = NULL;
	if (!strcmp(r->id, RULE_DIR_FSYNC))
		return FST_PENDING;
	/* zip's placeholder: made, removed, then renamed over by this run,
	 * so no older version is lost and no reader waited for it */
	if (!strcmp(r->id, RULE_UNLINK_RENAME) && nev >= 2 &&
	    ev[nev - 1]->seq == d->cur_seq && d->cur_onto_own) {
		*reason = "it held only what this run had put there: no older "
			  "version is lost";
		return FST_PRIVATE;
	}
	if (strcmp(r->id, RULE_RENAME_FSYNC) || nev < 2)
		return FST_REPORTED;
	/* the rename over the user's file loses the old content: report it
	 * now; any other waits for what the tree fsyncs by the end */
	if (ev[nev - 1]->seq == d->cur_seq && d->cur_replaced)
		return FST_REPORTED;
	return FST_PENDING;
}

static void set_status(struct finding *f, enum finding_status s,
		       const char *reason)
{
	/* decided: the fingerprint of its kind again (engine_fire) */
	f->fingerprint ^= f->pending_salt;
	f->pending_salt = 0;
	f->status = s;
	free(f->status_reason);
	f->status_reason = reason ? xstrdup(reason) : NULL;
	/* as the engine does: what is not reported stays apart */
	if (s != FST_REPORTED)
		f->fingerprint ^= (uint64_t)s * 0x9e3779b97f4a7c15ULL;
}

/* The name a change (a create, a rename or link onto it) made. */
static const char *changed_name(const struct evidence *e)
{
	return e->abspath2 ? e->abspath2 : e->abspath;
}

/* Whether the tree fsync'ed the object now under PATH. */
static bool object_synced(const struct durability *d, const char *path)
{
	const struct name *nm = name_get((struct durability *)d, path, false);

	return nm &&
	       (nm->synced || (nm->ident && inode_synced(d, nm->dev, nm->ino)));
}

/* Whether a change is the create of a file by open(2). */
static bool file_create(const struct evidence *change)
{
	const struct syscall_desc *sc = syscall_by_name(change->syscall);

	return sc && sc->effect == E_OPEN;
}

static void decide_dir_fsync(struct durability *d, struct finding *f)
{
	const struct evidence *change = &f->ev[0];
	const char *p = changed_name(change);
	char dirname[PATH_MAX], why[PATH_MAX + 128];
	const struct name *nm;
	const struct dir *dr;

	if (!p || path_dirname(p, dirname, sizeof(dirname)) < 0)
		return;
	dr = dir_get(d, dirname, false);
	if ((dr && dr->synced_seq > change->seq) ||
	    d->syncall_seq > change->seq) {
		snprintf(why, sizeof(why),
			 "durable: the tree fsync'ed '%s' after the change",
			 dirname);
		set_status(f, FST_NO_INTENT, why);
		return;
	}
	nm = name_get(d, p, false);
	if (nm && (nm->state == NS_ABSENT || nm->state == NS_REMOVED)) {
		set_status(f, FST_NO_INTENT,
			   "the name was removed or renamed away later");
		return;
	}
	/* made again later (logrotate creates its state file, then renames
	 * a new one over it): the last change is the one judged */
	if (nm && nm->made_seq > change->seq) {
		set_status(f, FST_NO_INTENT,
			   "the name was replaced later: its last change is "
			   "judged");
		return;
	}
	/* an open with O_CREAT of a file that was there (vim writing in
	 * place): the directory did not change */
	if (nm && !change->abspath2 && nm->made_seq < change->seq) {
		set_status(f, FST_NO_INTENT,
			   "the name existed before: the directory did not "
			   "change");
		return;
	}
	/*
	 * A file created by open and never fsync'ed is not made durable by
	 * a directory fsync (its data is not on disk either): only its own
	 * fsync shows intent for it. A rename, link, mkdir, symlink or
	 * mknod has nothing to flush but the directory: intent for the
	 * directory is intent for it.
	 */
	if (object_synced(d, p) || (!file_create(change) && dr && dr->intent)) {
		set_status(f, FST_REPORTED, NULL);
		return;
	}
	snprintf(why, sizeof(why),
		 file_create(change)
			 ? "no durability intent: the tree never fsync'ed "
			   "'%s' (in '%s')"
			 : "no durability intent: the tree fsync'ed neither "
			   "'%s' nor anything in '%s'",
		 p, dirname);
	set_status(f, FST_NO_INTENT, why);
}

static void decide_rename_fsync(struct durability *d, struct finding *f)
{
	const struct evidence *rename = &f->ev[f->nev - 1];
	char dirname[PATH_MAX], why[PATH_MAX + 128];
	const struct dir *dr;

	if (!rename->abspath2 ||
	    path_dirname(rename->abspath2, dirname, sizeof(dirname)) < 0)
		return;
	dr = dir_get(d, dirname, false);
	if (dr && dr->intent) {
		set_status(f, FST_REPORTED, NULL);
		return;
	}
	snprintf(why, sizeof(why),
		 "no durability intent: '%s' replaced no file of the user's, "
		 "and the tree fsync'ed nothing in '%s'",
		 rename->abspath2, dirname);
	set_status(f, FST_NO_INTENT, why);
}

void durability_finish(struct durability *d, struct findings *fs)
{
	for (size_t i = 0; i < fs->n; i++) {
		struct finding *f = fs->v[i];

		if (f->status != FST_PENDING || f->nev < 1)
			continue;
		if (!strcmp(f->rule->id, RULE_DIR_FSYNC))
			decide_dir_fsync(d, f);
		else if (!strcmp(f->rule->id, RULE_RENAME_FSYNC))
			decide_rename_fsync(d, f);
		/* a rule this file does not know: nothing to wait for */
		if (f->status == FST_PENDING)
			set_status(f, FST_REPORTED, NULL);
	}
}

struct durability *durability_new(void)
{
	struct durability *d = xcalloc(1, sizeof(*d));

	hashmap_init(&d->names, name_eq, 256);
	d->sweep_at = NAMES_SWEEP;
	hashmap_init(&d->dirs, dir_eq, 64);
	hashmap_init(&d->synced_inodes, inode_eq, 64);
	return d;
}

static void map_free(struct hashmap *m, size_t offset, bool names)
{
	struct hashmap_iter it;
	struct hashmap_entry *e;

	hashmap_iter_init(m, &it);
	while ((e = hashmap_iter_next(&it))) {
		hashmap_remove_entry(m, e);
		if (names)
			free(container_of(e, struct name, ent)->moved_to);
		free((char *)e - offset);
	}
	hashmap_release(m);
}

void durability_free(struct durability *d)
{
	if (!d)
		return;
	map_free(&d->names, offsetof(struct name, ent), true);
	map_free(&d->dirs, offsetof(struct dir, ent), false);
	map_free(&d->synced_inodes, offsetof(struct inode, ent), false);
	free(d);
}
