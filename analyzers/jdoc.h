/* SPDX-License-Identifier: MIT */
/*
 * A JSON document that remembers where each value stood (line, column),
 * so that a rule file's semantic errors can name their position. Rule
 * files are small; this is not for traces.
 */
#ifndef FSRACE_JDOC_H
#define FSRACE_JDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum jtype { J_NULL, J_BOOL, J_INT, J_REAL, J_STRING, J_ARRAY, J_OBJECT };

struct jnode {
	enum jtype type;
	int line;
	int col;
	bool b;
	int64_t i;
	double r;
	char *s;		 /* J_STRING */
	size_t n;		 /* elements of J_ARRAY / members of J_OBJECT */
	struct jnode **items;	 /* J_ARRAY elements, J_OBJECT values */
	char **keys;		 /* J_OBJECT keys */
	struct jnode **keynodes; /* J_OBJECT key positions */
};

/*
 * Parse TEXT (LEN bytes). Returns the root, or NULL with a message in
 * ERR ("LINE:COL: what") on a syntax error.
 */
struct jnode *jdoc_parse(const char *text, size_t len, char *err,
			 size_t errlen);
void jnode_free(struct jnode *n);

/* The member KEY of object O, or NULL. */
struct jnode *jnode_get(const struct jnode *o, const char *key);

const char *jtype_name(enum jtype t);

#endif
