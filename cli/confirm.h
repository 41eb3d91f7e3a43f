/* SPDX-License-Identifier: MIT */
/* fsrace run --confirm and fsrace confirm --recover (cli/confirm.c). */
#ifndef FSRACE_CLI_CONFIRM_H
#define FSRACE_CLI_CONFIRM_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "findings.h"
#include "tracer.h"

struct confirm_opts {
	const char *under;   /* --confirm-under, as given */
	const char *journal; /* --confirm-journal, or NULL */
	bool any_owner;
};

struct confirm_state {
	char under[PATH_MAX]; /* canonical */
	int under_fd;	      /* O_PATH, opened without following symlinks */
	char journal[PATH_MAX];
	char journal_dir[PATH_MAX]; /* where it is, resolved */
	int journal_fd;
	char **paths; /* the uses to swap at; NULL: every one under it */
	int npaths;
	/* the verdicts no finding of the first run is about */
	struct finding_exploit **unattached;
	int nunattached;
};

/* The two runs, for the verdict of a descriptor closed unused. */
struct confirm_runs {
	int status1, status2;
	uint64_t stderr1, stderr2; /* writes to descriptor 2 */
	bool interrupted;	   /* a stop signal ended the second */
};

/*
 * Check the confirm directory (canonical, no symlink on the way, not /
 * or a system directory, the user's), open it and the journal, and fill
 * TC. 0, or -1 after telling the user.
 */
int confirm_setup(const struct confirm_opts *co, struct confirm_state *cs,
		  struct tracer_confirm *tc);
/* Close what setup opened; the journal is removed unless KEEP. */
void confirm_release(struct confirm_state *cs, bool keep_journal);

/* The paths of FS's reported findings a decoy can be swapped at (under
 * the directory, of a confirmable rule, among ONLY's fingerprints): how
 * many, into CS->paths; -1 without ONLY (every check and use under the
 * directory). */
int confirm_choose(struct confirm_state *cs, const struct findings *fs,
		   const char *only);

/* Give ALL's findings the verdicts of the confirm run (its findings
 * RUN2, its swaps RES): how many swaps were not put back. */
int confirm_apply(struct findings *all, const struct findings *run2,
		  const struct tracer_confirm_result *res, int n,
		  const struct confirm_runs *runs, struct confirm_state *cs);
void exploit_free(struct finding_exploit *x);

#endif
