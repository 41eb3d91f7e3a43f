/* SPDX-License-Identifier: MIT */
/*
 * The judge: what the traced tree as a whole says about a match, which a
 * rule's few steps cannot (design.md, "Trust, scope and intent"). It sees
 * every event before the rules do, and decides each match the engine
 * completes: reported, suppressed, out of scope, private to the tree, or
 * without durability intent (some only when the trace ends).
 */
#ifndef FSRACE_JUDGE_H
#define FSRACE_JUDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"
#include "findings.h"
#include "rule.h"

/* What the judge knows of one process (a thread group). */
struct judge_proc {
	int pid;
	char *exe;   /* the image it exec'd last, or NULL when not seen */
	char **argv; /* NULL-terminated, or NULL */
	bool creds_known;
	struct creds creds;
	bool privileged; /* set-id exec, or real and effective uid differ */
};

struct judge_options {
	bool default_suppressions; /* apply the rule set's suppressions */
	bool scope_all;		   /* report findings in installed code too */
	/* names native frames for suppressions of a frame, or NULL */
	const struct frame_namer *namer;
};

struct judge;

/* RS (borrowed) must outlive the judge. */
struct judge *judge_new(const struct rule_set *rs,
			const struct judge_options *opt);
void judge_free(struct judge *j);

/* Every event of the stream, before the rules see it. PATH_HASH is
 * hash_path(ev->abspath), as durability_observe's. */
void judge_observe(struct judge *j, const struct event *ev, uint32_t path_hash);

/*
 * Decide the match of rule R with evidence EV[0..NEV-1]: its status, and
 * *SEV (the severity after the path modifiers) may be changed. *REASON
 * is set to a static or judge-owned string saying why it is not reported.
 */
enum finding_status judge_match(struct judge *j, const struct rule *r,
				const struct evidence *const *ev, int nev,
				enum severity *sev, const char **reason);

/* How many matches the suppression I of the rule set took out. */
uint64_t judge_suppression_uses(const struct judge *j, int i);

/* The stream ended: decide the findings of FS still FST_PENDING. */
void judge_finish(struct judge *j, struct findings *fs);

/*
 * Whether nobody besides the traced tree can change the name PATH since
 * before event BEFORE (docs/trust.md): it lies in a directory the tree
 * made and keeps private, or the tree made it exclusively in a sticky
 * directory.
 */
bool judge_private_name(const struct judge *j, const char *path,
			uint64_t before);

/* The names the tree made, and the files it wrote, the judge keeps at
 * most; past them it errs towards reporting (no new private name, every
 * path may be one the tree wrote). */
#define JUDGE_MAX_NAMES (1u << 20)
/* Add to OUT what the judge could not remember, its tables full. */
void judge_drops(const struct judge *j, struct table_drops *out);

/* The process PID, or NULL when the judge has never seen it. */
const struct judge_proc *judge_proc(const struct judge *j, int pid);

/* "exe arg1 arg2…" of PID (at most SIZE bytes), or NULL when unknown. */
const char *judge_program(const struct judge *j, int pid, char *buf,
			  size_t size);

#endif
