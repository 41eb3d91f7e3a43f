/* SPDX-License-Identifier: MIT */
/*
 * The replay engine: consumes events one at a time, live from the tracer
 * or from a trace, and matches every enabled rule in one pass. Partial
 * matches are kept in bounded tables (docs/rules.md, "Limits").
 */
#ifndef FSRACE_ENGINE_H
#define FSRACE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "event.h"
#include "findings.h"
#include "judge.h"
#include "rule.h"

/* Partial matches kept at most; the oldest is dropped beyond. */
#define ENGINE_MAX_PENDING 200000

struct engine_options {
	bool default_filters;	   /* apply the rule set's ignore policy */
	bool modifiers;		   /* path severity modifiers: root_only, o+w */
	const char *const *ignore; /* more globs to ignore, NULL-terminated */
	size_t max_pending;	   /* 0: ENGINE_MAX_PENDING */
	struct judge_options judge;
	/* what a fingerprint holds for these directories, so that it is the
	 * same from another checkout, machine or user: the workspace root
	 * ($ROOT), $TMPDIR or /tmp ($TMP), $HOME ($HOME); each may be NULL */
	const char *fp_root, *fp_tmp, *fp_home;
	/* keep the events around each new finding (struct finding's
	 * around): the last AROUND_RING events on a path are copied */
	bool around;
};

#define AROUND_RING 8192

struct engine;

/*
 * SRC as the fingerprint of a finding holds it (findings.md,
 * "Fingerprints"), into DST (SIZE bytes): the same across runs,
 * machines, users, checkouts and temporary names.
 */
void engine_fingerprint_path(const struct engine_options *opt, char *dst,
			     size_t size, const char *src);

/* The same with what E saw: a temporary name the tree made (as mkstemp
 * and mkdtemp make theirs) is T, whatever its letters. */
void engine_fingerprint_name(const struct engine *e, char *dst, size_t size,
			     const char *src);

/* RS (borrowed) must outlive the engine. */
struct engine *engine_new(const struct rule_set *rs,
			  const struct engine_options *opt);
void engine_free(struct engine *e);

/* Feed one event (borrowed for the call). */
void engine_feed(struct engine *e, const struct event *ev);

/* The stream ended: steps waiting for an exit are satisfied now. */
void engine_finish(struct engine *e);

/* Findings so far (owned by the engine). */
const struct findings *engine_findings(const struct engine *e);
/* After engine_finish(): its findings moved into INTO, found in TRACE
 * (findings_absorb). */
void engine_move_findings(struct engine *e, struct findings *into,
			  const char *trace);
uint64_t engine_events(const struct engine *e);
uint64_t engine_dropped_pending(const struct engine *e);
/* At most this many temporary names are remembered (engine_note_temp). */
#define TEMP_NAMES_MAX 65536u
/* Add to OUT the names E could not remember. */
void engine_drops(const struct engine *e, struct table_drops *out);
/* What the engine knows of the traced processes (names, credentials). */
const struct judge *engine_judge(const struct engine *e);

#endif
