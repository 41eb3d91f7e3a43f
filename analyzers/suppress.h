/* SPDX-License-Identifier: MIT */
/*
 * Suppressions: data in rule files ("suppressions", docs/rules.md) that
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
 * ones count only when DEFAULTS.
 */
const char *suppress_match(const struct rule_set *rs, const struct rule *r,
			   const struct evidence *const *ev, int nev,
			   const struct judge *j, bool defaults);

#endif
