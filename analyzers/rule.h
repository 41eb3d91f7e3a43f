/* SPDX-License-Identifier: MIT */
/*
 * Rules: data loaded from JSON rule files (docs/rules.md), compiled into
 * the structures the engine matches events against.
 */
#ifndef FSRACE_RULE_H
#define FSRACE_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "hashmap.h"

#define RULE_MAX_STEPS 6
#define RULE_MAX_VARS 8
#define RULE_MAX_CONDS 12
#define RULE_MAX_GUARDS 4
#define SYSCALL_WORDS (SYSCALL_MAX / 64) /* bits for syscall_table rows */

enum severity { SEV_NOTE, SEV_WARNING, SEV_ERROR, SEV_NONE };

const char *severity_name(enum severity s);
int severity_parse(const char *name); /* -EINVAL when unknown */

/* What a condition looks at. */
enum field {
	/* strings */
	F_PATH,
	F_ABSPATH,
	F_PATH2,
	F_ABSPATH2,
	F_FD_PATH,
	F_FD2_PATH,
	F_RET_PATH,
	F_DIRFD_PATH,
	F_TARGET,
	F_SYSCALL,
	F_ERRNO,
	F_PARENT_PATH,
	F_CREATED,
	F_REMOVED,
	F_STAT_TYPE,
	F_RESULT,
	/* integers */
	F_PID,
	F_TID,
	F_FD,
	F_FD2,
	F_RET,
	F_MODE,
	F_UID,
	F_GID,
	F_STAT_DEV,
	F_STAT_INO,
	F_STAT_NLINK,
	F_STAT_MODE,
	F_STAT_UID,
	F_PARENT_UID,
	F_PARENT_MODE,
	/* booleans */
	F_BY_FD,
	F_PARENT_SHARED,
	F_PARENT_STICKY,
	F_NOFOLLOW,
	F_EXCL,
	F_WRITABLE,
	F_DIRFD_NOFOLLOW,
	/* flag sets */
	F_FLAGS,
	F_ACCESS,
	F_COUNT_,
};

#define F_FIRST_INT F_PID
#define F_FIRST_BOOL F_BY_FD
#define F_FIRST_SET F_FLAGS

enum cond_op {
	OP_VAR,	    /* bind the variable, or equal its value */
	OP_NOT_VAR, /* differs from the (bound) variable */
	OP_EQ,	    /* equals the literal */
	OP_NE,
	OP_IN, /* equals one of the literals */
	OP_GLOB,
	OP_NOT_GLOB,
	OP_CONTAINS, /* flag set holds all of the bits */
	OP_LACKS,    /* flag set holds none of the bits */
	OP_UNDER,    /* a path at or below one of the directories */
	OP_NOT_UNDER,
};

struct cond {
	enum field field;
	bool dirname; /* dirname(field) */
	enum cond_op op;
	int var;       /* OP_VAR, OP_NOT_VAR */
	char *str;     /* OP_EQ/NE/GLOB on strings */
	int64_t num;   /* OP_EQ/NE on integers and booleans */
	uint64_t bits; /* OP_CONTAINS/LACKS */
	/* OP_IN on strings; OP_GLOB/NOT_GLOB (any of, when STR is NULL),
	 * OP_UNDER/NOT_UNDER: the list, a rule parameter's when PARAM */
	char **strs;
	int64_t *nums; /* OP_IN on integers */
	int nin;
	int param;     /* 1 + the rule parameter giving STRS, or 0 */
	int line, col; /* where it was written, for messages */
};

#define RULE_MAX_PARAMS 4

/*
 * A rule parameter (docs/rules.md, "Parameters"): a list of strings
 * (directories, globs) that conditions name as {"param": NAME}, set by
 * --param RULE.NAME=V:V… or the configuration's "parameters", else its
 * DEFAULTS. "$ROOT", "$TMPDIR" and "$HOME" at a value's start are the
 * workspace, the temporary directory and the home directory.
 */
struct rule_param {
	char *name;
	char *description;
	char **defaults;
	int ndefaults;
	char **values; /* set: these instead of the defaults */
	int nvalues;
	bool set;
};

/* A set of syscall_table rows. */
struct scset {
	uint64_t w[SYSCALL_WORDS];
};

_Static_assert(sizeof(struct scset) * 8 >= SYSCALL_MAX,
	       "a syscall set has a bit for every syscall_table row");

static inline bool scset_has(const struct scset *s, unsigned i)
{
	return s->w[i / 64] >> (i % 64) & 1;
}

static inline void scset_add(struct scset *s, unsigned i)
{
	s->w[i / 64] |= 1ULL << (i % 64);
}

struct matcher {
	struct scset syscalls;
	struct cond conds[RULE_MAX_CONDS];
	int nconds;
	int index_cond; /* a condition equal to the rule's key variable */
};

struct step {
	char *name;
	struct matcher m;
	bool at_exit; /* satisfied by the exit of the process (or trace end) */
	bool or_exit; /* satisfied by a matching event or the exit */
	int overlaps; /* step whose [enter, exit] this one's must overlap */
	/*
	 * The variable that partial matches waiting at this step are hashed
	 * by (a string bound earlier), or -1: the one this step's index
	 * condition compares with, else the one most of the guards that
	 * apply here compare, else the first string the first step binds.
	 */
	int key_var;
	/* a second one, or -1: what the other guards that apply here
	 * compare (missing-dir-fsync waits under an unlink of $p and an
	 * fsync of $d: each finds its matches by a hash) */
	int key_var2;
};

struct guard {
	struct matcher m;
	int after;  /* the guard applies once step AFTER matched … */
	int before; /* … until step BEFORE matches */
};

struct rule {
	struct hashmap_entry by_id; /* the first rule of an id only */
	char *id;
	char *title;
	char *explanation;
	char *fix;
	char *message; /* template, see docs/rules.md */
	char **references;
	int nreferences;
	char **tags;
	int ntags;
	char **supersedes;
	int nsupersedes;
	enum severity severity;
	/* when set, the severity if no evidence process is privileged */
	bool has_unprivileged_severity;
	enum severity unprivileged_severity;
	bool enabled;
	bool shipped;	/* one of fsrace's: docs/rules.md describes it */
	bool modifiers; /* path severity modifiers apply */
	char *source;	/* file it came from */
	int line;

	struct step steps[RULE_MAX_STEPS];
	int nsteps;
	struct guard guards[RULE_MAX_GUARDS];
	int nguards;
	char *vars[RULE_MAX_VARS];
	int nvars;
	int key_var; /* variable every step after the first is keyed on, or -1
		      */
	int confirm[2]; /* steps whose identities are compared, or -1 */
	int use;	/* the step whose event is the use that supersession
			   compares: the last step unless "use" names one */
	int index;	/* position in its rule set */
	struct rule_param params[RULE_MAX_PARAMS];
	int nparams;
};

/* Named syscall groups ("@stat"), defined by rule files. */
struct group {
	struct hashmap_entry by_name;
	char *name;
	struct scset set;
};

/*
 * The path policy (docs/rules.md, "Path policy"): lists of globs that
 * rule files add to under "policy", in load order. The engine applies
 * them unless told not to (--no-default-filters).
 */
enum policy_list {
	POLICY_IGNORE,	      /* events on these paths are not matched … */
	POLICY_IGNORE_EXCEPT, /* … unless the path is also one of these */
	POLICY_ROOT_ONLY,     /* only root writes here: findings are notes */
	/* code in these files is not the program's own: a finding's
	 * location is the innermost frame outside them (--stacks) */
	POLICY_SYSTEM_CODE,
	POLICY_LISTS_,
};

struct policy {
	char **globs[POLICY_LISTS_];
	int n[POLICY_LISTS_];
};

/*
 * A suppression (docs/findings.md, "Suppressions"): a match of a rule whose
 * id matches one of RULES, with an evidence path matching one of PATHS,
 * an evidence process matching one of PROGRAMS and an evidence syscall
 * one of SYSCALLS (each when given), is counted as suppressed with its
 * reason (suppress.h).
 */
struct suppression {
	char **rules;
	int nrules;
	char **paths;
	int npaths;
	char **programs;
	int nprograms;
	char **syscalls;
	int nsyscalls;
	char **frames; /* globs on the frames of the stacks (--stacks) */
	int nframes;
	char *reason; /* "why (FILE:LINE)", what the report shows */
	char *file;
	int line, col;
	int *rule_line, *rule_col; /* where each of RULES was written */
	bool shipped; /* a default: --no-default-suppressions drops it */
};

struct rule_set {
	struct rule **rules;
	int nrules;
	struct group **groups;
	int ngroups;
	struct policy policy;
	struct suppression *suppressions;
	int nsuppressions;
	struct hashmap by_id;	    /* struct rule, by id */
	struct hashmap group_names; /* struct group, by name */
};

void rule_set_init(struct rule_set *rs);
void rule_set_release(struct rule_set *rs);

/*
 * Load one rule file, or every *.json file of a directory (in name
 * order), adding its groups, rules and path policy to RS. Returns 0, or -EINVAL
 * / an -errno with "FILE:LINE:COL: what is wrong" in ERR; then RS holds what
 * came before the file in error.
 */
int rule_set_load(struct rule_set *rs, const char *path, char *err,
		  size_t errlen);

/* Whether a directory's entry NAME is one rule_set_load() reads: *.json,
 * not hidden. */
bool rule_file_name(const char *name);

/* Parse one rule file's text; NAME is used in messages. */
int rule_set_load_text(struct rule_set *rs, const char *name, const char *text,
		       size_t len, char *err, size_t errlen);

/* The rule ID (its first variant), or NULL. */
struct rule *rule_set_find(const struct rule_set *rs, const char *id);

/*
 * Set the parameter NAME of every rule ID (its variants too) to the N
 * VALUES, replacing its defaults and an earlier setting: 0, or -1 with
 * the reason in ERR (no such rule, or no such parameter of it).
 */
int rule_set_param(struct rule_set *rs, const char *id, const char *name,
		   char *const *values, int n, char *err, size_t errlen);

/* What "$ROOT", "$TMPDIR" and "$HOME" stand for in parameter values
 * (NULL: a value that names it is dropped). */
struct param_env {
	const char *root, *tmpdir, *home;
};

/* Give each condition that names a parameter the parameter's values
 * (set, else default), expanded by ENV: before the engine starts. */
void rule_set_resolve_params(struct rule_set *rs, const struct param_env *env);

/*
 * The values of the string field F of EV (NULL when absent) and of the
 * integer field F (false when absent). BUF holds derived strings.
 */
const char *field_str(const struct event *ev, enum field f, char *buf,
		      size_t size);
bool field_int(const struct event *ev, enum field f, int64_t *ret);

#endif
