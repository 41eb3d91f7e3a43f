/* SPDX-License-Identifier: MIT */
/*
 * Shared by the rule loader's files (rule_load.c: files, rules, steps;
 * rule_cond.c: syscall sets and conditions) and rule.c; not an API.
 */
#ifndef FSRACE_RULE_LOAD_H
#define FSRACE_RULE_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "jdoc.h"
#include "rule.h"
#include "util.h"

/* One rule file being loaded into RS; the first error is kept in ERR. */
struct loader {
	struct rule_set *rs;
	const char *file;
	char *err;
	size_t errlen;
	bool failed;
};

/* Record "FILE:LINE:COL: what" at N (line 1 col 1 when NULL), once. */
void load_fail_at(struct loader *l, const struct jnode *n, const char *fmt, ...)
	PRINTF(3, 4);

/* N's string, or NULL after an error saying WHAT must be a string. */
const char *load_want_string(struct loader *l, const struct jnode *n,
			     const char *what);

/* Fail at the first key of object O that is not in ALLOWED (NULL-ended). */
void load_check_keys(struct loader *l, const struct jnode *o, const char *what,
		     const char *const *allowed);

/* Free the N strings of V, and V. */
void strv_free(char **v, int n);

/* Free a rule and everything it owns (NULL is fine). */
void rule_free(struct rule *r);

/*
 * Append R (its id set) to RS; the first rule of an id is the one
 * rule_set_find() finds. rule_set_drop_last() takes the last one out and
 * frees it.
 */
void rule_set_add(struct rule_set *rs, struct rule *r);
void rule_set_drop_last(struct rule_set *rs);
/* The same for groups (their names unique), and their lookup. */
void rule_set_add_group(struct rule_set *rs, struct group *g);
void rule_set_drop_last_group(struct rule_set *rs);
const struct group *rule_set_group(const struct rule_set *rs, const char *name);
/* The syscall, @group or @class NAME added to SET: 0, or -1 when RS knows
 * no such name. */
int rule_set_syscalls(const struct rule_set *rs, const char *name,
		      struct scset *set);
/* The "groups" object G of a rule file, added to the rule set. */
void rule_load_groups(struct loader *l, const struct jnode *g);

/*
 * The "syscalls" and "where" of OBJ into M, variables into R's; a
 * missing "syscalls" is an error when NEED_SYSCALLS.
 */
void rule_load_matcher(struct loader *l, struct rule *r, struct matcher *m,
		       const struct jnode *obj, bool need_syscalls);

/* The index of variable NAME of R, made when CREATE; -1 when none. */
int rule_find_var(struct rule *r, const char *name, bool create);

static inline bool is_string_field(enum field f)
{
	return f < F_FIRST_INT;
}

#endif
