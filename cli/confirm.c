// SPDX-License-Identifier: MIT
/*
 * fsrace run --confirm (docs/confirm.md): the safety checks of the
 * confirm directory, the findings a confirm run swaps at, the verdicts
 * it gives them, and fsrace confirm --recover JOURNAL for a run that
 * died in the middle of a swap.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/openat2.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli.h"
#include "confirm.h"
#include "opt.h"
#include "path.h"
#include "util.h"

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

/* What a confirm run may never swap in: the system's own directories. */
static const char *const system_dirs[] = {
	"/usr",	    "/etc",	  "/bin",      "/sbin",	   "/lib",
	"/lib32",   "/lib64",	  "/libx32",   "/boot",	   "/proc",
	"/sys",	    "/dev",	  "/run",      "/var/lib", "/var/cache",
	"/var/log", "/var/spool", "/var/mail", "/opt",	   "/snap",
};

/* Where everybody's files are: never the confirm directory itself. */
static const char *const shared_dirs[] = {
	"/tmp", "/var/tmp", "/home", "/root", "/srv", "/mnt", "/media",
};

/* The rules whose use a decoy can be swapped in at. */
static const char *const confirmable[] = {
	"check-then-use",
	"access-then-open",
	"lstat-then-follow",
	"check-absent-then-create",
};

int confirm_setup(const struct confirm_opts *co, struct confirm_state *cs,
		  struct tracer_confirm *tc)
{
	char cwd[PATH_MAX], abs[PATH_MAX];
	struct stat st;

	memset(cs, 0, sizeof(*cs));
	cs->journal_fd = -1;
	cs->under_fd = -1;
	if (!co->under) {
		errorx("--confirm needs --confirm-under DIR: the directory "
		       "it may swap files in");
		return -1;
	}
	if (!getcwd(cwd, sizeof(cwd)) ||
	    path_resolve(cwd, co->under, abs, sizeof(abs)) < 0 ||
	    !realpath(abs, cs->under)) {
		errorx("--confirm-under %s: %s", co->under, strerror(errno));
		return -1;
	}
	if (strcmp(abs, cs->under)) {
		errorx("--confirm-under %s: the path crosses a symlink (it is "
		       "%s): give that",
		       co->under, cs->under);
		return -1;
	}
	if (!strcmp(cs->under, "/")) {
		errorx("--confirm-under /: not the whole file system");
		return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(system_dirs); i++) {
		if (path_is_under(cs->under, system_dirs[i])) {
			errorx("--confirm-under %s: a system directory (%s)",
			       cs->under, system_dirs[i]);
			return -1;
		}
		/* nor one that holds one: /var holds /var/lib */
		if (path_is_under(system_dirs[i], cs->under)) {
			errorx("--confirm-under %s: it holds a system "
			       "directory "
			       "(%s)",
			       cs->under, system_dirs[i]);
			return -1;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(shared_dirs); i++)
		if (!strcmp(cs->under, shared_dirs[i])) {
			errorx("--confirm-under %s: every user's files are "
			       "there: give a directory of your own in it",
			       cs->under);
			return -1;
		}
	{
		const char *home = getenv("HOME");
		char rhome[PATH_MAX];

		if (home && realpath(home, rhome) &&
		    path_is_under(rhome, cs->under)) {
			errorx("--confirm-under %s: it holds your home "
			       "directory: give a scratch directory",
			       cs->under);
			return -1;
		}
	}
	cs->under_fd = openat2_fd(AT_FDCWD, cs->under,
				  O_PATH | O_DIRECTORY | O_CLOEXEC,
				  RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
	if (cs->under_fd < 0 && errno == ENOSYS) {
		/* Linux before 5.6, or valgrind, which does not know it */
		errorx("--confirm: openat2(2) is not available here, and "
		       "--confirm needs it to stay within %s",
		       cs->under);
		return -1;
	}
	if (cs->under_fd < 0 || fstat(cs->under_fd, &st) < 0) {
		errorx("--confirm-under %s: %s", cs->under, strerror(errno));
		return -1;
	}
	if (!co->any_owner && st.st_uid != geteuid()) {
		errorx("--confirm-under %s: not the invoking user's "
		       "(--confirm-any-owner)",
		       cs->under);
		goto fail;
	}
	if (co->journal)
		snprintf(cs->journal, sizeof(cs->journal), "%s", co->journal);
	else
		snprintf(cs->journal, sizeof(cs->journal),
			 "%s/fsrace-confirm-%d.journal",
			 getenv("TMPDIR") && getenv("TMPDIR")[0] == '/'
				 ? getenv("TMPDIR")
				 : "/tmp",
			 (int)getpid());
	{
		/* where the journal really is: its directory resolved */
		char d[PATH_MAX], rd[PATH_MAX];
		char *slash;

		if (path_resolve(cwd, cs->journal, d, sizeof(d)) < 0) {
			errorx("--confirm-journal %s: %s", cs->journal,
			       strerror(ENAMETOOLONG));
			goto fail;
		}
		slash = strrchr(d, '/');
		*slash = '\0';
		if (!realpath(d[0] ? d : "/", rd)) {
			errorx("--confirm-journal %s: %s", cs->journal,
			       strerror(errno));
			goto fail;
		}
		if (path_is_under(rd, cs->under)) {
			errorx("--confirm-journal %s: inside the confirm "
			       "directory, where the program could change it",
			       cs->journal);
			goto fail;
		}
		snprintf(cs->journal_dir, sizeof(cs->journal_dir), "%s", rd);
	}
	cs->journal_fd =
		open(cs->journal,
		     O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
	if (cs->journal_fd < 0) {
		errorx("cannot create '%s': %s", cs->journal, strerror(errno));
		goto fail;
	}
	{
		/* the journal's name too must survive a crash */
		int dfd = open(cs->journal_dir,
			       O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	memset(tc, 0, sizeof(*tc));
	tc->under = cs->under;
	tc->under_fd = cs->under_fd;
	tc->under_dev = st.st_dev;
	tc->journal_fd = cs->journal_fd;
	tc->any_owner = co->any_owner;
	return 0;

fail:
	close(cs->under_fd);
	cs->under_fd = -1;
	return -1;
}

void confirm_release(struct confirm_state *cs, bool keep_journal)
{
	if (cs->under_fd >= 0)
		close(cs->under_fd);
	if (cs->journal_fd >= 0) {
		close(cs->journal_fd);
		if (!keep_journal)
			unlink(cs->journal);
	}
	for (int i = 0; i < cs->npaths; i++)
		free(cs->paths[i]);
	free(cs->paths);
	for (int i = 0; i < cs->nunattached; i++)
		exploit_free(cs->unattached[i]);
	free(cs->unattached);
	memset(cs, 0, sizeof(*cs));
	cs->journal_fd = -1;
	cs->under_fd = -1;
}

void exploit_free(struct finding_exploit *x)
{
	if (!x)
		return;
	free(x->swap);
	free(x->result);
	free(x->evidence);
	free(x->path);
	free(x->note);
	free(x);
}

static bool is_confirmable(const struct finding *f)
{
	for (size_t i = 0; i < ARRAY_SIZE(confirmable); i++)
		if (!strcmp(f->rule->id, confirmable[i]))
			return true;
	return false;
}

/* Whether F is one of ONLY (",": fingerprints, or prefixes of 4 or
 * more hex digits); all when ONLY is NULL. */
static bool chosen(const struct finding *f, const char *only)
{
	char fp[20];
	const char *p = only;

	if (!only || !*only)
		return true;
	snprintf(fp, sizeof(fp), "%016llx", (unsigned long long)f->fingerprint);
	while (*p) {
		size_t n = strcspn(p, ",");

		if (n >= 4 && n <= 16 && !strncasecmp(fp, p, n))
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

int confirm_choose(struct confirm_state *cs, const struct findings *fs,
		   const char *only)
{
	/* every check and use under the directory */
	if (!only)
		return -1;
	for (size_t i = 0; i < fs->n; i++) {
		const struct finding *f = fs->v[i];
		const char *p = f->nev ? f->ev[f->nev - 1].abspath : NULL;
		bool dup = false;

		if (f->status != FST_REPORTED || !is_confirmable(f) || !p ||
		    !path_is_under(p, cs->under) || !chosen(f, only))
			continue;
		for (int k = 0; k < cs->npaths && !dup; k++)
			dup = !strcmp(cs->paths[k], p);
		if (dup)
			continue;
		cs->paths = xrealloc(cs->paths,
				     (size_t)(cs->npaths + 1) * sizeof(char *));
		cs->paths[cs->npaths++] = xstrdup(p);
	}
	return cs->npaths;
}

static const char *verdict_name(int v)
{
	switch (v) {
	case CONFIRM_ACCEPTED:
		return "accepted";
	case CONFIRM_NOTICED:
		return "noticed";
	case CONFIRM_REFUSED:
		return "refused";
	case CONFIRM_NOT_CONFIRMABLE:
		return "not-confirmable";
	default:
		return "inconclusive";
	}
}

/* The finding of FS whose evidence holds event SEQ, or NULL. */
static const struct finding *by_use(const struct findings *fs, uint64_t seq)
{
	for (size_t i = 0; i < fs->n; i++)
		for (int k = 0; k < fs->v[i]->nev; k++)
			if (fs->v[i]->ev[k].seq == seq &&
			    is_confirmable(fs->v[i]))
				return fs->v[i];
	return NULL;
}

/* The rules a swap of kind SWAP answers for. */
static bool answers(const char *swap, const struct rule *r)
{
	if (!strcmp(swap, "squat"))
		return !strcmp(r->id, "check-absent-then-create");
	if (!strcmp(swap, "symlink"))
		return !strcmp(r->id, "lstat-then-follow");
	return !strcmp(r->id, "check-then-use") ||
	       !strcmp(r->id, "access-then-open");
}

/* Give the verdict to ALL's finding with fingerprint FP, or, when the
 * confirm run's finding is not among them (the first run changed what
 * the second found), to those of RULE at the swapped path. */
static struct finding_exploit *
exploit_new(const struct tracer_confirm_result *r, int verdict,
	    const char *evidence)
{
	struct finding_exploit *x = xcalloc(1, sizeof(*x));

	x->swap = xstrdup(r->swap);
	x->result = xstrdup(verdict_name(verdict));
	x->evidence = xstrdup(evidence);
	x->path = xstrdup(r->path);
	x->restored = r->restored;
	x->note = r->restore_note[0] ? xstrdup(r->restore_note) : NULL;
	return x;
}

static bool give(struct findings *all, uint64_t fp, const struct rule *rule,
		 const struct tracer_confirm_result *r, int verdict,
		 const char *evidence)
{
	bool any = false, given = false;

	for (size_t i = 0; i < all->n && fp; i++)
		any |= all->v[i]->fingerprint == fp;
	for (size_t i = 0; i < all->n; i++) {
		struct finding *f = all->v[i];
		const char *p = f->nev ? f->ev[f->nev - 1].abspath : NULL;
		struct finding_exploit *x;

		if (f->exploit)
			continue;
		if (any ? f->fingerprint != fp
			: !p || strcmp(p, r->path) ||
				    (rule ? strcmp(f->rule->id, rule->id)
					  : !answers(r->swap, f->rule)))
			continue;
		x = exploit_new(r, verdict, evidence);
		f->exploit = x;
		given = true;
	}
	return given;
}

int confirm_apply(struct findings *all, const struct findings *run2,
		  const struct tracer_confirm_result *res, int n,
		  const struct confirm_runs *runs, struct confirm_state *cs)
{
	int unrestored = 0, unused = 0;

	for (int i = 0; i < n; i++)
		unused += res[i].result == CONFIRM_UNUSED;
	for (int i = 0; i < n; i++) {
		const struct tracer_confirm_result *r = &res[i];
		const struct finding *f2 =
			r->use_seq ? by_use(run2, r->use_seq) : NULL;
		char ev[512];
		int v = r->result;

		unrestored += !r->restored;
		snprintf(ev, sizeof(ev), "%s", r->evidence);
		if (v == CONFIRM_UNUSED && runs->interrupted) {
			snprintf(ev, sizeof(ev),
				 "%s, and the confirm run was then interrupted",
				 r->evidence);
			v = CONFIRM_INCONCLUSIVE;
		} else if (v == CONFIRM_UNUSED) {
			/* against the run without a swap */
			if (runs->status2 != runs->status1)
				snprintf(ev, sizeof(ev),
					 "%s, and the program then exited %d "
					 "(%d without the swap)",
					 r->evidence, runs->status2,
					 runs->status1);
			else if (runs->stderr2 > runs->stderr1)
				snprintf(ev, sizeof(ev),
					 "%s, and the program wrote to "
					 "stderr (it did not without the "
					 "swap)",
					 r->evidence);
			else if (r->retried)
				snprintf(ev, sizeof(ev),
					 "%s, and the program opened the path "
					 "again",
					 r->evidence);
			v = strcmp(ev, r->evidence) ? CONFIRM_NOTICED
						    : CONFIRM_INCONCLUSIVE;
			/* what the whole run did is one swap's only when it
			 * was the only one left unused */
			if (v == CONFIRM_NOTICED && unused > 1 && !r->retried) {
				snprintf(ev, sizeof(ev),
					 "%s; the run then differed, but %d "
					 "swaps were left unused: which one it "
					 "noticed is not known",
					 r->evidence, unused);
				v = CONFIRM_INCONCLUSIVE;
			}
		}
		if (f2 && give(all, f2->fingerprint, f2->rule, r, v, ev))
			continue;
		/* not swapped: the findings of the kind it was for say
		 * why */
		if (!r->use_seq && give(all, 0, NULL, r, v, ev))
			continue;
		/* a swap no finding of the first run is about: a program
		 * that did it right (an O_EXCL create, a compared fstat),
		 * told apart */
		cs->unattached = xrealloc(cs->unattached,
					  (size_t)(cs->nunattached + 1) *
						  sizeof(*cs->unattached));
		cs->unattached[cs->nunattached++] = exploit_new(r, v, ev);
	}
	return unrestored;
}

/* ---- fsrace confirm --recover JOURNAL ---- */

/* Whether NAME is one name (no '/', not "." or ".."). */
static bool one_name(const char *name)
{
	return name && name[0] && !strchr(name, '/') && strcmp(name, ".") &&
	       strcmp(name, "..");
}

/* Whether NAME is one fsrace makes: .fsrace-decoy-PID-N, .fsrace-link-… */
static bool fsrace_name(const char *name, const char *kind)
{
	char pre[32];
	size_t n = (size_t)snprintf(pre, sizeof(pre), ".fsrace-%s-", kind);
	const char *p = name + n;
	int dashes = 0;

	if (!name || strncmp(name, pre, n) || !*p)
		return false;
	for (; *p; p++) {
		if (*p == '-' && p[1] && p[-1] != '-')
			dashes++;
		else if (*p < '0' || *p > '9')
			return false;
	}
	return dashes == 1;
}

static bool holds(int dfd, const char *name, uint64_t dev, uint64_t ino)
{
	struct stat st;

	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       (uint64_t)st.st_dev == dev && (uint64_t)st.st_ino == ino;
}

/*
 * Whether NAME in DFD is the decoy of swap SERIAL of fsrace PID: the
 * inode recorded, a regular file that ends with its marker. An inode
 * number alone is not enough: a file made after a crash can get the
 * decoy's freed one.
 */
static bool is_decoy(int dfd, const char *name, uint64_t dev, uint64_t ino,
		     long serial, long pid)
{
	char want[96], buf[96];
	struct stat st;
	size_t n =
		(size_t)snprintf(want, sizeof(want),
				 "fsrace-confirm-decoy %ld %ld\n", serial, pid);
	int fd;
	bool ok;

	if (!holds(dfd, name, dev, ino))
		return false;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return false;
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	     (uint64_t)st.st_ino == ino && st.st_size >= (off_t)n &&
	     pread(fd, buf, n, st.st_size - (off_t)n) == (ssize_t)n &&
	     !memcmp(buf, want, n);
	close(fd);
	return ok;
}

/* Put back the swap J of the journal: 0 done, 1 left as it is (said
 * why). */
static int recover_one(json_t *j)
{
	const char *kind = json_string_value(json_object_get(j, "kind"));
	const char *dir = json_string_value(json_object_get(j, "dir"));
	const char *name = json_string_value(json_object_get(j, "name"));
	const char *decoy = json_string_value(json_object_get(j, "decoy"));
	const char *link = json_string_value(json_object_get(j, "link"));
	uint64_t dev = (uint64_t)json_integer_value(json_object_get(j, "dev"));
	uint64_t tino =
		(uint64_t)json_integer_value(json_object_get(j, "target_ino"));
	uint64_t dino =
		(uint64_t)json_integer_value(json_object_get(j, "decoy_ino"));
	uint64_t lino =
		(uint64_t)json_integer_value(json_object_get(j, "link_ino"));
	long serial = (long)json_integer_value(json_object_get(j, "swap"));
	long pid = (long)json_integer_value(json_object_get(j, "pid"));
	bool sym = link && link[0];
	const char *in = sym ? link : decoy;
	char real[PATH_MAX];
	int dfd, r = 1;

	/* only what fsrace itself wrote: one name in a canonical directory,
	 * a decoy and a link of fsrace's names */
	if (!kind || !dir || dir[0] != '/' || !one_name(name) ||
	    !fsrace_name(decoy, "decoy") ||
	    (sym && !fsrace_name(link, "link")) || !realpath(dir, real) ||
	    strcmp(real, dir)) {
		printf("a swap record that is not one fsrace writes: left as "
		       "it is\n");
		return 1;
	}
	dfd = openat2_fd(AT_FDCWD, dir, O_PATH | O_DIRECTORY | O_CLOEXEC,
			 RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
	if (dfd < 0) {
		printf("%s/%s: its directory cannot be opened (%s): left as "
		       "it is\n",
		       dir, name, strerror(errno));
		return 1;
	}
	if (!strcmp(kind, "squat")) {
		if (is_decoy(dfd, name, dev, dino, serial, pid) &&
		    unlinkat(dfd, name, 0) == 0) {
			printf("%s/%s: the decoy fsrace put there is removed\n",
			       dir, name);
			r = 0;
		} else if (is_decoy(dfd, decoy, dev, dino, serial, pid)) {
			unlinkat(dfd, decoy, 0);
			printf("%s/%s: nothing to put back (the decoy is "
			       "removed)\n",
			       dir, name);
			r = 0;
		} else if (!holds(dfd, name, dev, dino)) {
			printf("%s/%s: nothing to put back\n", dir, name);
			r = 0;
		} else {
			printf("%s/%s: not the decoy fsrace put there: left as "
			       "it is\n",
			       dir, name);
		}
	} else if ((sym ? holds(dfd, name, dev, lino)
			: is_decoy(dfd, name, dev, dino, serial, pid)) &&
		   holds(dfd, in, dev, tino) &&
		   syscall(SYS_renameat2, dfd, name, dfd, in,
			   RENAME_EXCHANGE) == 0) {
		if (is_decoy(dfd, decoy, dev, dino, serial, pid))
			unlinkat(dfd, decoy, 0);
		if (sym && holds(dfd, link, dev, lino))
			unlinkat(dfd, link, 0);
		printf("%s/%s: put back (the decoy is removed)\n", dir, name);
		r = 0;
	} else if (holds(dfd, name, dev, tino)) {
		/* restored already; only the decoy may be left */
		if (is_decoy(dfd, decoy, dev, dino, serial, pid))
			unlinkat(dfd, decoy, 0);
		if (sym && holds(dfd, link, dev, lino))
			unlinkat(dfd, link, 0);
		printf("%s/%s: in its place already\n", dir, name);
		r = 0;
	} else {
		printf("%s/%s: the names changed since the swap: left as they "
		       "are (the file is the one with inode %llu, the decoy "
		       "%s)\n",
		       dir, name, (unsigned long long)tino, decoy);
	}
	close(dfd);
	return r;
}

static void recover_usage(FILE *f)
{
	fputs("usage: fsrace confirm --recover JOURNAL\n"
	      "  put back what a confirm run that died in the middle of a "
	      "swap left\n"
	      "  swapped (the journal's path is the one fsrace run "
	      "--confirm printed)\n",
	      f);
}

int cmd_confirm(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"recover", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *journal = NULL;
	struct opt_parser p;
	json_t **swaps = NULL;
	bool *restored = NULL;
	int n = 0, c, left = 0, bad = 0, status = EXIT_USAGE;
	struct stat jst;
	unsigned long lineno = 0, first_bad = 0;
	char *line = NULL;
	size_t cap = 0;
	FILE *f;

	opt_parser_init(&p, "confirm", argc, argv, "h", lopts, false);
	while ((c = opt_parser_next(&p)) != OPT_END) {
		if (c == 'h') {
			recover_usage(stdout);
			return EXIT_CLEAN;
		}
		if (c != 'r')
			return EXIT_USAGE;
		journal = p.value;
	}
	if (!journal || p.index < argc) {
		recover_usage(stderr);
		return EXIT_USAGE;
	}
	f = fopen(journal, "r");
	if (!f) {
		errorx("cannot open '%s': %s", journal, strerror(errno));
		return EXIT_USAGE;
	}
	/* a journal anyone else could have written is not followed */
	if (fstat(fileno(f), &jst) < 0 || !S_ISREG(jst.st_mode) ||
	    jst.st_uid != geteuid() || (jst.st_mode & 022)) {
		errorx("%s: not a journal of this user's (a regular file, "
		       "owned by them, writable by no one else)",
		       journal);
		fclose(f);
		return EXIT_USAGE;
	}
	while (getline(&line, &cap, f) > 0) {
		json_error_t err;
		json_t *j;

		lineno++;
		j = json_loads(line, 0, &err);
		if (!json_is_object(j)) {
			/* a line torn by a crash: the others still count */
			if (!bad++)
				first_bad = lineno;
			json_decref(j);
			continue;
		}
		if (json_object_get(j, "swap")) {
			swaps = xrealloc(swaps,
					 (size_t)(n + 1) * sizeof(*swaps));
			restored = xrealloc(
				restored, (size_t)(n + 1) * sizeof(*restored));
			swaps[n] = j;
			restored[n++] = false;
			continue;
		}
		if (json_object_get(j, "restored")) {
			json_int_t id = json_integer_value(
				json_object_get(j, "restored"));

			for (int i = 0; i < n; i++)
				if (json_integer_value(json_object_get(
					    swaps[i], "swap")) == id)
					restored[i] = true;
		}
		json_decref(j);
	}
	for (int i = 0; i < n; i++)
		if (!restored[i])
			left += recover_one(swaps[i]);
	if (!n && bad) {
		errorx("%s:%lu: not a journal record", journal, first_bad);
		goto out;
	}
	if (bad)
		warnx_("%s:%lu: %d line%s that %s not a journal record, "
		       "skipped",
		       journal, first_bad, bad, bad == 1 ? "" : "s",
		       bad == 1 ? "is" : "are");
	if (!n || !memchr(restored, false, (size_t)n))
		printf("%s: every swap was put back\n", journal);
	status = left || bad ? EXIT_FINDINGS : EXIT_CLEAN;
out:
	for (int i = 0; i < n; i++)
		json_decref(swaps[i]);
	free(swaps);
	free(restored);
	free(line);
	fclose(f);
	return status;
}
