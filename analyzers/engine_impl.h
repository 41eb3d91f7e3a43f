/* SPDX-License-Identifier: MIT */
/*
 * The engine's own structures, shared by its files and by no one else:
 * engine.c (feeding and setup), engine_state.c (instances, their hash
 * table and snapshots), engine_match.c (conditions), engine_emit.c
 * (findings) and engine_filter.c (the path policy).
 */
#ifndef FSRACE_ENGINE_IMPL_H
#define FSRACE_ENGINE_IMPL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "engine.h"
#include "hashmap.h"
#include "judge.h"
#include "util.h"

/*
 * Hand-rolled, not util/hashmap: the instance table is probed per event
 * and step (with the occupancy bitmap below); the pid table per instance
 * made and freed, where util/hashmap cost 0.7% more instructions of
 * `fsrace analyze` on a 200k-event gen_trace trace (callgrind).
 */
#define BUCKETS (1u << 18)
#define PID_BUCKETS 4096

enum glob_kind { G_EXACT, G_PREFIX, G_SUFFIX, G_CONTAINS, G_FNMATCH };

/* Most filters are a prefix, a suffix or a substring: test those
 * without fnmatch(3), which shows up in profiles at one call per event
 * and filter. */
struct glob {
	enum glob_kind kind;
	const char *pat; /* the fnmatch pattern */
	char *lit;	 /* the literal part */
	size_t len;
};

/* Compiled once; N is P's length, (size_t)-1 until needed. The needed
 * run is exported for the tests that hold it to fnmatch(3). */
void engine_glob_compile(struct glob *g, const char *pat);
bool engine_glob_match(const struct glob *g, const char *p, size_t *n);
size_t engine_glob_needed_run(const char *pat, const char **at);

/*
 * A list of globs, indexed: an exact name or a prefix that starts with
 * "/X" can only match a path whose second byte is X, so a path meets
 * those of its own byte (ORDER[AT[X]] to ORDER[AT[X + 1]]) and the
 * others (from AT[256]), not all of them.
 */
struct globs {
	struct glob *v;
	int n;
	int *order;
	int at[258];
};

bool engine_globs_match(const struct globs *gs, const char *p);

struct val {
	uint8_t kind; /* 0 unbound, 1 string, 2 integer */
	bool owned;
	const char *s;
	int64_t i;
};

/*
 * A copy of one event's evidence, shared by every partial match that the
 * event advanced; its strings live in the same allocation.
 */
struct snap {
	int refs;
	int cls;	   /* size class, or -1 when malloc'ed to size */
	struct snap *next; /* on its class's free list */
	struct evidence ev;
	char data[];
};

/* Snapshots are recycled in classes of 64 bytes of strings up to 2 KiB:
 * one is made for every event that starts or advances a partial match. */
#define SNAP_CLASSES 32
#define SNAP_GRAIN 64

/* Findings whose use a match completing later can be compared with. */
#define CLAIMS 256

/* A partial match: a rule whose steps before POS have matched. */
struct inst {
	struct inst *hnext;   /* hash bucket, when hashed */
	struct inst **hpprev; /* what points at this one in it */
	struct inst *h2next;  /* the same by the step's key_var2 */
	struct inst **h2pprev;
	/* the instances of its rule waiting at the same step (LPOS), newest
	 * first, as they were made */
	struct inst *rprev, *rnext;
	struct inst *pprev, *pnext; /* all instances of its pid */
	struct inst *aprev, *anext; /* all instances, oldest first */
	const struct rule *rule;
	int pos;
	int lpos; /* the list of rule_heads it is on */
	int pid;
	bool hashed, hashed2;
	/* fired at a last step past its use, which only judges the match
	 * (an fstat of the descriptor): its evidence is told */
	bool told;
	uint64_t serial; /* the order instances were made in */
	/* the last rename or unlink of the key path by its own process while
	 * it waited (confirm ignores a change the program made itself) */
	uint64_t self_mut_seq;
	uint32_t bucket, bucket2;
	struct val vars[RULE_MAX_VARS];
	struct snap *ev[RULE_MAX_STEPS];
};

struct ref {
	const struct rule *rule;
	int index; /* step or guard */
};

struct reflist {
	struct ref *v;
	int n;
};

struct pident {
	int pid;
	struct inst *head;
	struct pident *next;
};

struct match {
	bool known;	    /* F holds only rule, nev, fingerprint, confirmed */
	char *example;	    /* known: its path, when the finding keeps it */
	bool more_examples; /* known: a path the finding has no room for */
	struct finding f;
	uint64_t first_seq;
	uint64_t use_seq; /* the event of the rule's use step */
	uint64_t key;	  /* hash of the path the match is about (its first
			     string variable), 0 when none */
	bool dropped;
};

struct engine {
	const struct rule_set *rs;
	struct engine_options opt;
	/* names the tree made as mkstemp and mkdtemp make theirs: random by
	 * construction, left out of fingerprints */
	struct hashmap temps;
	uint64_t temps_dropped;		   /* past TEMP_NAMES_MAX */
	uint64_t stacks_dropped;	   /* events with stack_dropped */
	struct reflist steps[SYSCALL_MAX]; /* per syscall_table row */
	struct reflist guards[SYSCALL_MAX];
	struct inst *buckets[BUCKETS];
	/* which buckets are not empty: most lookups find nothing, and this
	 * bitmap stays in cache where the bucket array does not */
	uint64_t occupied[BUCKETS / 64];
	/* by each step's key_var2, for the guards that compare it */
	struct inst *buckets2[BUCKETS];
	uint64_t occupied2[BUCKETS / 64];
	/*
	 * Per rule and step (see rule_head()): the unhashed steps and guards
	 * of a rule scan only the instances waiting where they apply, not
	 * every one of the rule. check-then-use's close and fstat, keyed on
	 * a descriptor, walked all the checks that were never followed by an
	 * open: 3.4 times bab1801's instructions on a gen_trace trace.
	 */
	struct inst **rule_heads;
	uint64_t serial;
	struct pident *pids[PID_BUCKETS];
	struct inst *oldest, *newest;
	size_t pending;
	uint64_t dropped_pending;
	uint64_t events;
	struct findings findings;
	/* the matches one event completed: as many as instances it advanced */
	struct match *batch;
	size_t nbatch, batch_cap;
	/* the uses the latest findings were about, for matches that complete
	 * after their use (an open judged at its close) */
	struct claim {
		uint64_t use_seq;
		uint64_t key;
		const struct rule *rule;
	} claims[CLAIMS];
	unsigned nclaims;
	struct inst *free_insts;
	struct snap *free_snaps[SNAP_CLASSES];
	struct snap *cur; /* the current event's snapshot */
	struct {
		const char *s;
		uint64_t h;
	} hcache[4]; /* string hashes of the current event */
	int nhcache;
	/*
	 * The fields of the current event that conditions looked at, as
	 * field_str()/field_int() gave them (bit F of fknown): an event meets
	 * eight first steps and guards on average, most on the same few
	 * fields.
	 */
	uint64_t fknown;
	const char *fstr[F_FIRST_INT];
	int64_t fint[F_COUNT_ - F_FIRST_INT];
	bool fint_have[F_COUNT_ - F_FIRST_INT];
	struct globs ignore; /* the policy's and the --ignore globs */
	struct globs except; /* the policy's ignore_except */
	struct globs root_only;
	struct judge *judge;
	struct around_ring *ring;	     /* opt.around (engine_around.c) */
	char bufs[RULE_MAX_CONDS][PATH_MAX]; /* dirname() results */
};

static inline void val_release(struct val *v)
{
	if (v->owned)
		free((char *)v->s);
	memset(v, 0, sizeof(*v));
}

static inline bool val_eq_str(const struct val *v, const char *s)
{
	return v->kind == 1 && s && !strcmp(v->s, s);
}

static inline uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 1099511628211ULL;
	return h;
}

/*
 * A bucket's hash of the N bytes at S (util's hash_words): FNV-1a's byte
 * loop was 8% of `fsrace analyze` (a path hashed per instance moved and
 * per step looked up). A bucket's chain is scanned for equal keys, whose
 * order in it does not depend on the hash.
 */
static inline uint64_t bucket_hash(const char *s, size_t n)
{
	return hash_words(s, n);
}

/* The hash of S; the strings of the current event are hashed once. */
static inline uint64_t str_hash(struct engine *e, const char *s)
{
	uint64_t h;

	for (int i = 0; i < e->nhcache; i++)
		if (e->hcache[i].s == s)
			return e->hcache[i].h;
	h = bucket_hash(s, strlen(s));
	if (e->nhcache < (int)ARRAY_SIZE(e->hcache)) {
		e->hcache[e->nhcache].s = s;
		e->hcache[e->nhcache++].h = h;
	}
	return h;
}

static inline uint32_t bucket_of(struct engine *e, const struct rule *r,
				 int pos, const char *key)
{
	uint64_t h = str_hash(e, key);

	h ^= (uint64_t)(r->index + 1) * 0x9e3779b97f4a7c15ULL;
	h ^= (uint64_t)(pos + 1) * 0xc2b2ae3d27d4eb4fULL;
	h ^= h >> 29;
	return (uint32_t)(h ^ (h >> 32)) & (BUCKETS - 1);
}

/* The key of an instance waiting at step POS: the value of that step's
 * key variable (see struct step), if it is bound to a string. */
static inline struct inst *bucket_head(struct engine *e, const struct rule *r,
				       int pos, const char *key)
{
	uint32_t b = bucket_of(e, r, pos, key);

	if (!(e->occupied[b / 64] >> (b % 64) & 1))
		return NULL;
	return e->buckets[b];
}

/* The same, by the step's key_var2 (the instances' h2next chains). */
static inline struct inst *bucket2_head(struct engine *e, const struct rule *r,
					int pos, const char *key)
{
	uint32_t b = bucket_of(e, r, pos, key);

	if (!(e->occupied2[b / 64] >> (b % 64) & 1))
		return NULL;
	return e->buckets2[b];
}

/* The instances of R waiting at step POS (POS == nsteps: done, waiting for
 * the exit), newest first. */
static inline struct inst **rule_head(struct engine *e, const struct rule *r,
				      int pos)
{
	return &e->rule_heads[r->index * (RULE_MAX_STEPS + 1) + pos];
}

_Static_assert(F_COUNT_ <= 64, "a bit of fknown for every field");

/* field_str(EV, F) for the current event EV, computed once. */
static inline const char *ev_str(struct engine *e, const struct event *ev,
				 enum field f)
{
	if (!(e->fknown >> f & 1)) {
		e->fstr[f] = field_str(ev, f, NULL, 0);
		e->fknown |= 1ULL << f;
	}
	return e->fstr[f];
}

/* field_int(EV, F, V) for the current event EV, computed once. */
static inline bool ev_int(struct engine *e, const struct event *ev,
			  enum field f, int64_t *v)
{
	int i = f - F_FIRST_INT;

	if (!(e->fknown >> f & 1)) {
		e->fint_have[i] = field_int(ev, f, &e->fint[i]);
		e->fknown |= 1ULL << f;
	}
	*v = e->fint[i];
	return e->fint_have[i];
}

static inline bool overlaps(const struct evidence *a, const struct event *ev)
{
	return ev->ts_enter <= a->ts_exit && a->ts_enter <= ev->ts_exit;
}

/* engine_filter.c */
/* Compile the first N globs of PATS (NULL-terminated when shorter) into GS. */
void engine_globs_add(struct globs *gs, const char *const *pats, int n);
/* Free the globs of GS. */
void engine_globs_release(struct globs *gs);
/* Whether the path policy and --ignore leave EV out of matching. */
bool engine_ignored(const struct engine *e, const struct event *ev);
/* The severity of a finding of R whose first event is FIRST, after the path
 * modifiers. */
enum severity engine_severity_of(const struct engine *e, const struct rule *r,
				 const struct evidence *first);

/* engine_state.c */
/* Take IN out of its hash bucket. */
void engine_unhash(struct engine *e, struct inst *in);
/* Put IN into the bucket of its key (none when it has no key), and on the
 * list of its step. */
void engine_rehash(struct engine *e, struct inst *in);
/* Move IN to the list of its step, if it moved. */
void engine_place(struct engine *e, struct inst *in);
/* Where the instances of PID are listed (the slot to fill when none are). */
struct pident **engine_pid_slot(struct engine *e, int pid);
/* A snapshot of SRC, with its own copies of the strings (one reference). */
struct snap *engine_snap_new(struct engine *e, const struct evidence *src);
/* Drop a reference to SN (NULL is fine); the last one recycles it. */
void engine_snap_unref(struct engine *e, struct snap *sn);
/* A new reference to the snapshot of EV, the event being fed. */
struct snap *engine_cur_snap(struct engine *e, const struct event *ev);
/* A string an instance can keep for S, a field of EV: the copy in SN, or its
 * own (*OWNED). */
const char *engine_keep(const struct event *ev, const struct snap *sn,
			const char *s, bool *owned);
/* Free IN and unlink it from every list. */
void engine_inst_free(struct engine *e, struct inst *in);
/* A new instance of R for PID, dropping the oldest at the limit. */
struct inst *engine_inst_new(struct engine *e, const struct rule *r, int pid);

/* engine_match.c */
/*
 * Does EV, the event being fed, satisfy M, given VARS? Unbound variables
 * that M binds are bound in VARS to strings borrowed from EV (or E's bufs
 * for derived ones).
 */
bool engine_matches(struct engine *e, const struct matcher *m,
		    const struct event *ev, struct val *vars);
/* Make the strings VARS borrowed from EV the instance's own. */
void engine_own_vars(struct inst *in, const struct val *vars,
		     const struct event *ev, const struct snap *sn);

/* engine_emit.c */
/* The instance completed its first NEV steps: queue its finding. */
void engine_fire(struct engine *e, struct inst *in, int nev);
/* Commit the findings the current event completed. */
void engine_flush_batch(struct engine *e);
/* Note a rename, unlink or link by EV's process, before it is matched: a
 * pair it falls between is not confirmed by the identities changing. */
void engine_note_mutation(struct engine *e, const struct event *ev);

/* Copy S into D with strings of its own (evidence_release frees them). */
void evidence_dup(struct evidence *d, const struct evidence *s);

/* engine_around.c: keep EV in the ring; give the findings from index
 * FROM on the events around them; free the ring. */
void engine_around_feed(struct engine *e, const struct event *ev);
void engine_around_attach(struct engine *e, size_t from);
void engine_around_free(struct engine *e);

/* engine_emit.c: remember EV's name if it made a temporary one. */
void engine_note_temp(struct engine *e, const struct event *ev);
void engine_temps_release(struct engine *e);

#endif
