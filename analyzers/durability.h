/* SPDX-License-Identifier: MIT */
/*
 * Durability intent (issue 8): what the traced tree fsyncs, by directory
 * and by object across renames, so that the durability rules report only
 * where the tree shows that it means to be durable, judged when the
 * trace ends rather than when each process exits.
 */
#ifndef FSRACE_DURABILITY_H
#define FSRACE_DURABILITY_H

#include <stdbool.h>

#include "event.h"
#include "findings.h"
#include "rule.h"

struct durability;

struct durability *durability_new(void);
void durability_free(struct durability *d);

/*
 * Every event of the stream. PATH_HASH is hash_path(ev->abspath) (any
 * value when the event has none): the engine hashes each event's path
 * once for all its tables.
 */
void durability_observe(struct durability *d, const struct event *ev,
			uint32_t path_hash);

/*
 * The status of a match of R: FST_PENDING for the rules judged when the
 * trace ends, else FST_REPORTED. *REASON as judge_match's.
 */
enum finding_status durability_match(struct durability *d, const struct rule *r,
				     const struct evidence *const *ev, int nev,
				     const char **reason);

/* The stream ended: decide every FST_PENDING finding of FS. */
void durability_finish(struct durability *d, struct findings *fs);

#endif
