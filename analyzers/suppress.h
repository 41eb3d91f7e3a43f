/* SPDX-License-Identifier: MIT */
/*
 * Suppressions: data in rule files ("suppressions", docs/findings.md) that
 * take a match out of the report with a reason, counted as suppressed.
 * The shipped ones (rules/suppressions.json) cover the runtime's own
 * machinery, as valgrind's default.supp does.
 */
#ifndef FSRACE_SUPPRESS_H
#define FSRACE_SUPPRESS_H

#include <stdbool.h>

#include "findings.h"
#include "judge.h"
#include "rule.h"

/*
 * The reason of the first suppression of RS that matches the match of R
 * with evidence EV[0..NEV-1] (J names the programs), or NULL. The shipped
 * ones count only when DEFAULTS. The reason is RS's ("why (FILE:LINE)").
 *
 * A suppression matches when one of its rule globs matches R's id, one of
 * its path globs (if any) an abspath, abspath2 or fd_path of the
 * evidence ("{exe}": the exe of that event's process; "{script}": that
 * or the first argument of its command line not an option), one of its
 * program globs (if any) the program of an evidence pid (its exe or
 * argv[0], whole or the last component), and one of its syscall globs
 * (if any) the syscall of an evidence event, and one of its frame globs
 * (if any) a frame of an evidence event's stack: a native frame's
 * function as NAMER names it (none without a NAMER), a Python frame's
 * function or MODULE.FUNCTION ("shutil.copyfile",
 * "importlib._bootstrap_external.SourceFileLoader.get_data").
 * *WHICH: the index of the suppression that matched (in RS), or -1.
 */
const char *suppress_match(const struct rule_set *rs, const struct rule *r,
			   const struct evidence *const *ev, int nev,
			   const struct judge *j, bool defaults,
			   const struct frame_namer *namer, int *which);

/* Free the suppressions of RS from the N-th on (the array stays). */
void suppress_truncate(struct rule_set *rs, int n);

/*
 * Mark every suppression of RS loaded so far as shipped: the CLI calls it
 * once the default rule files are loaded.
 */
void suppress_mark_shipped(struct rule_set *rs);

/*
 * Whether the suppressions of RS from the FROM-th on that are not shipped
 * name rules of RS: 0, or -ENOENT with "FILE:LINE:COL: what" in ERR for
 * the first rule id (no glob characters) that names none.
 */
int suppress_check_rules(const struct rule_set *rs, int from, char *err,
			 size_t errlen);

#endif
