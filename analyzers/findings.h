/* SPDX-License-Identifier: MIT */
/*
 * Findings: what the engine reports, merged by fingerprint, and the
 * writers that print them (docs/findings.md).
 */
#ifndef FSRACE_FINDINGS_H
#define FSRACE_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "event.h"
#include "rule.h"
#include "stacks.h"

/* One event of a finding, copied out of the stream. */
struct evidence {
	const char *step; /* borrowed from the rule */
	uint64_t seq;
	int pid;
	int tid;
	const char *syscall; /* static: a syscall_table name, "exit", "end" */
	uint64_t ts_enter;
	uint64_t ts_exit;
	char *path;
	char *abspath;
	char *path2;
	char *abspath2;
	char *fd_path;
	int fd;
	bool has_fd;
	bool has_ret;
	int64_t ret;
	int err;
	bool injected;	    /* --inject failed it: it never ran */
	int64_t widened_ns; /* --widen held it at its entry that long, or 0 */
	struct ident stat;
	bool parent_valid;
	uint32_t parent_mode;
	char *source; /* "file:line" of an imported event, or NULL */
	/* where in the code (--stacks), or NULL: borrowed from the trace's
	 * stack table, which outlives the findings */
	const struct stack_trace *stack;
	bool stack_dropped; /* walked, not kept: the table of stacks full */
	/* analyze of several traces: the one it comes from (borrowed from
	 * the command line), or NULL */
	const char *trace;
};

/*
 * Fill DST from EV, borrowing EV's strings (valid while EV is); the
 * "file:line" source is written to SRCBUF.
 */
void evidence_view(struct evidence *dst, const struct event *ev, char *srcbuf,
		   size_t size);
/* Free the strings of an evidence that owns them (see evidence_dup). */
void evidence_release(struct evidence *e);

/*
 * What the judge (judge.h) decided about a match: only FST_REPORTED
 * findings are reported and gate; the others are counted, and listed on
 * request (docs/findings.md, "Status").
 */
enum finding_status {
	FST_REPORTED,
	FST_SUPPRESSED,	  /* a suppression matched (status_reason says which) */
	FST_OUT_OF_SCOPE, /* the tree only read it, in installed code */
	FST_PRIVATE,   /* no one besides the traced tree can change the name */
	FST_NO_INTENT, /* durability the tree never asked for */
	FST_PENDING,   /* judged when the trace ends (judge_finish) */
	FST_BASELINED, /* its fingerprint is in the --baseline file */
	FST_STATUS_,
};

const char *finding_status_name(enum finding_status s);

/* the other paths of its repeats a finding keeps */
#define FINDING_ALSO 3

struct finding {
	const struct rule *rule;
	enum finding_status status;
	char *status_reason; /* why it is not reported, or NULL */
	/* which program each evidence pid was (its exe, then argv), or NULL */
	char *program[RULE_MAX_STEPS];
	enum severity severity;
	char *message;
	bool confirmed;
	uint64_t window_us;
	bool window_unknown; /* a log without timestamps: not 0 */
	uint64_t count;
	uint64_t fingerprint;
	/* FST_PENDING: what the fingerprint is salted with until decided */
	uint64_t pending_salt;
	struct evidence ev[RULE_MAX_STEPS];
	int nev;
	/* repeats on other paths than the evidence's (names that differ in
	 * digits only have one fingerprint): a few, and whether there were
	 * more */
	char *also[FINDING_ALSO];
	int nalso;
	bool also_more;
	/* analyze of several traces: the ones it was found in (the array
	 * owned, the names borrowed), in the order given */
	const char **found_in;
	size_t nfound_in;
	/* its path as a baseline holds it ($ROOT/…, T for a temporary
	 * name: engine_fingerprint_name), or NULL */
	char *fp_name;
	/* --format html and fsrace show (engine_options.around): the other
	 * events on its paths while its evidence ran, from any process, in
	 * stream order (docs/findings.md, "Timeline"); how many more there
	 * were */
	struct around *around;
	int naround, around_cap;
	uint64_t around_more;
	/* the ring had moved past its first evidence event when it was
	 * decided (at a later close or exit): the events around it are not
	 * all known */
	bool around_lost;
	/* --confirm: what swapping a decoy in at its use showed, or NULL */
	struct finding_exploit *exploit;
};

/* --confirm (docs/confirm.md): the swap at a finding's use, and what the
 * program then did. Strings owned. */
struct finding_exploit {
	char *swap;	/* "exchange", "symlink", "squat" */
	char *result;	/* accepted, noticed, refused, inconclusive,
			 * not-confirmable */
	char *evidence; /* what showed it */
	char *path;	/* the path swapped */
	bool restored;	/* the names hold what they held before */
	char *note;	/* when not restored: why, and where each file is */
};

/* An event on a finding's path between its first and last evidence. */
struct around {
	struct evidence ev; /* owns its strings */
	char *program;	    /* its process's "exe argv…", or NULL */
};

/* at most this many events around one finding are kept */
#define AROUND_MAX 64

/* The path an evidence event is about (a rename's destination), or
 * NULL; a finding's is its first evidence's. */
const char *evidence_path(const struct evidence *e);
const char *finding_path(const struct finding *f);

/* Free what F owns and empty it (F itself is the caller's). */
void finding_release(struct finding *f);

/* the distinct findings a table keeps of each kind (findings_full) */
#define FINDINGS_MAX 10000

struct findings {
	struct finding **v;
	size_t n;
	size_t cap;
	uint64_t *keys; /* open-addressing table of fingerprints → index+1 */
	size_t *slots;
	size_t nslots;
	uint64_t dropped;
	/* of N, how many of each kind when they came: reported, to be
	 * decided at the end (FST_PENDING), not reported (suppressed, out
	 * of scope, private, no intent). Each kind has a ceiling of its
	 * own, so that neither of the others crowds out a reported one. */
	size_t nkind[3];
};

/* Whether FS has no room for a new finding of status ST: FINDINGS_MAX of
 * its kind are there. */
bool findings_full(const struct findings *fs, enum finding_status st);

void findings_init(struct findings *fs);
void findings_release(struct findings *fs);

/*
 * Add F (its contents are moved, F is left empty): merged into an earlier
 * finding with the same fingerprint (its count grows), or appended.
 */
void findings_add(struct findings *fs, struct finding *f);

/*
 * Move the findings of FROM (left empty) into INTO, found in TRACE (a
 * name that outlives INTO): each merged by fingerprint into one INTO has
 * (its count the sum, confirmed if either was, TRACE among where it was
 * found; the status is in the fingerprint, so both have the same), or
 * added with its evidence naming TRACE.
 */
void findings_absorb(struct findings *into, struct findings *from,
		     const char *trace);
/* Take out (and free) every finding DROP says yes to: how many. */
size_t findings_drop_if(struct findings *fs,
			bool (*drop)(const struct finding *f, void *ud),
			void *ud);
/* Whether a finding with fingerprint FP was added. */
bool findings_known(struct findings *fs, uint64_t fp);

/*
 * One more match of fingerprint FP: its count grows (CONFIRMED makes it
 * confirmed) and PATH (owned, may be NULL), the match's own path, is kept
 * among its examples when it is another; or, when FP is not known (the
 * table is full), it is counted as dropped.
 */
void findings_repeat(struct findings *fs, uint64_t fp, bool confirmed,
		     char *path);

/* What a repeat of FP on PATH would do to its finding's examples: 0
 * nothing (PATH is one of them, or FP is not known), 1 add PATH (the
 * caller copies it only then), 2 mark that there were more. */
int findings_wants_example(struct findings *fs, uint64_t fp, const char *path);

/* One more path for FP's finding that it has no room for. */
void findings_more_examples(struct findings *fs, uint64_t fp);

/*
 * The reported findings whose fingerprint is one of FPS (N of them,
 * sorted) become baselined: not reported, not gated, counted. Returns
 * how many did.
 */
size_t findings_apply_baseline(struct findings *fs, const uint64_t *fps,
			       size_t n);

/* Counts by severity of the reported findings (not grouped). */
void findings_count(const struct findings *fs, uint64_t counts[3]);

/*
 * One distinct problem (docs/findings.md, "Groups"): the findings of one
 * status, rule and severity whose evidence has the same syscalls and
 * programs (the last component of argv[0]), whatever the paths.
 */
struct finding_group {
	struct finding **v; /* borrowed, in the order they were first seen */
	size_t n;
	uint64_t count; /* matches of all of them */
	bool confirmed;
	uint64_t fingerprint; /* of the rule, severity, syscalls, programs */
	size_t first;	      /* the index in the findings of v[0] */
};

struct finding_groups {
	struct finding_group *v;
	size_t n;
};

struct report_meta;
/* What a strace log cannot show, told from its own content. */
struct log_limit {
	const char *code; /* "no-timestamps" */
	const char *text;
	const char *file; /* of several runs' logs: the one, else NULL */
};
/* A rule a log cannot support, and why (a log_limit's code). */
struct not_evaluated {
	const char *rule;
	const char *reason;
	const char *file;
};

/*
 * Group the findings of FS whose status is STATUS: errors first, then
 * warnings, then notes, each by rule id, then in the order first seen.
 * With stacks, findings at other call sites (by M's policy of system
 * code; M may be NULL) are other groups. The groups borrow FS's
 * findings.
 */
void findings_group(const struct findings *fs, enum finding_status status,
		    const struct report_meta *m, struct finding_groups *ret);
void finding_groups_release(struct finding_groups *gs);
/* The traces G's findings were found in (analyze of several traces),
 * each once, in the order given: an array to free (the names borrowed),
 * its length in *N; NULL when there are none. */
const char **finding_group_found_in(const struct finding_group *g, size_t *n);

/* What the report says about the run, besides the findings. */
/* What a report says of one frame of a stack (stacks.h). */
#define FRAME_INLINE_MAX 8

/* A function that a frame's code was inlined into, at its call's line. */
struct frame_caller {
	const char *function;
	const char *file;
	int line;
};

struct frame_name {
	const char *function; /* NULL: none known */
	uint64_t offset;      /* from the function's start */
	const char *file;     /* NULL: no line information */
	int line;
	const char *problem; /* why nothing is known: "no such file"… */
	bool python;	     /* a Python frame: no module, no offset */
	/* FUNCTION was inlined (DWARF says so): into each of CALLERS,
	 * innermost first; OFFSET is from the start of the last, the
	 * symbol; frame_name_part() tells each as a frame of its own */
	bool inlined;
	int ncallers;
	struct frame_caller callers[FRAME_INLINE_MAX];
};

/*
 * Part C (0 to FN->ncallers) of the frame FN as a frame of its own: 0
 * the innermost function's, then each it was inlined into; OUT's
 * INLINED tells a part with no address of its own (no offset).
 */
void frame_name_part(const struct frame_name *fn, int c,
		     struct frame_name *out);

/*
 * The caller's symbolizer: NAME fills OUT for the frame PC (its module
 * not NULL; CALL_SITE: a return address, the call is the byte before
 * it); its strings live until the report is written.
 */
struct frame_namer {
	void (*name)(void *ud, const struct stack_pc *pc, bool call_site,
		     struct frame_name *out);
	void *ud;
};

/*
 * What is known of the native frame PC: N's name for it (N may be NULL,
 * or name nothing: a build without libdw), else the name the log it was
 * imported from gave it (stacks.h), with a problem that says so.
 */
void frame_name_of(const struct frame_namer *n, const struct stack_pc *pc,
		   bool call_site, struct frame_name *out);

/*
 * For the reports (findings.c, sarif.c): the index of S's innermost frame
 * of the program's own code (its Python frames first), or -1; what frame
 * K of S is; the stack that locates F (its last evidence's with own
 * code), or NULL.
 */
int stack_own_frame(const struct report_meta *m, const struct stack_trace *s);
void stack_frame_name(const struct report_meta *m, const struct stack_trace *s,
		      uint32_t k, struct frame_name *out);
/* Frame K of S where a finding is: its innermost part that is not in a
 * file of system_code (a C library's inline wrapper, as _FORTIFY_SOURCE
 * has for open(2), inlined into the program's own function). */
void stack_frame_where(const struct report_meta *m, const struct stack_trace *s,
		       uint32_t k, struct frame_name *out);
const struct stack_trace *finding_stack(const struct finding *f,
					const struct report_meta *m);

/* How many frames of each evidence event the text shows by default. */
#define STACK_DEPTH_DEFAULT 3

/*
 * What an analysis could not remember, a table of it full (the ceilings
 * of docs/performance.md): the names a tree made and the files it wrote
 * (JUDGE_MAX_NAMES each), the temporary names of fingerprints
 * (TEMP_NAMES_MAX). Each counts the names not kept, once each time one
 * was to be learnt. And what the table of stacks could not keep
 * (stacks.h): the events whose stack was not kept (the trace says
 * stack_dropped), and, known only where the table was filled (the
 * tracer of run, a strace log read), the frames left without their
 * module or their name.
 */
struct table_drops {
	uint64_t names;
	uint64_t written;
	uint64_t temps;
	uint64_t stacks;
	uint64_t stack_modules;
	uint64_t frame_names;
};

static inline bool table_drops_any(const struct table_drops *d)
{
	return d->names || d->written || d->temps || d->stacks ||
	       d->stack_modules || d->frame_names;
}

struct report_meta {
	bool is_run;
	const char *const *argv;  /* run: the program */
	int status;		  /* run: the program's exit status */
	const char *const *files; /* analyze: the traces */
	int nfiles;
	const struct rule_set *rules;
	uint64_t events;
	uint64_t dropped_pending;
	struct table_drops drops;
	uint64_t unknown_records;
	uint64_t unparsed_lines; /* strace lines that could not be parsed */
	bool show_suppressed;	 /* list the suppressed findings too */
	/* stacks: who names a frame (NULL: module and address only), and
	 * how many of each evidence event's frames the text shows */
	const struct frame_namer *namer;
	int stack_depth;
	/* --native-stacks: a Python stack's native frames too, after its
	 * Python ones */
	bool native_stacks;
	/* SARIF: fsrace's own command line (after "fsrace"), and the
	 * directory paths are made relative to (%SRCROOT%), or NULL */
	const char *const *tool_argv;
	const char *root;
	const char *cwd; /* fsrace's working directory */
	int tool_status; /* the exit status fsrace gives for this report */
	bool baseline;	 /* --baseline: "baselined" is counted */
	/* how many matches each suppression of rules took out (NULL: not
	 * known): the user's that took none are reported as unused */
	const uint64_t *suppression_uses;
	/* analyze of strace logs: what the logs cannot show, and the
	 * rules not evaluated for it (docs/strace-import.md, "What a log
	 * can support") */
	const struct log_limit *limits;
	int nlimits;
	const struct not_evaluated *not_evaluated;
	int nnot_evaluated;
	/* run --confirm: the swaps no finding is about (a program that got
	 * it right refused the decoy) */
	const struct finding_exploit *const *confirms;
	int nconfirms;
};

void report_json(FILE *out, const struct findings *fs,
		 const struct report_meta *m);
/* SARIF 2.1.0 (sarif.c, docs/findings.md "SARIF"). */
void report_sarif(FILE *out, const struct findings *fs,
		  const struct report_meta *m);
/* GitHub Actions workflow commands, one annotation per group, and a
 * Markdown table appended to $GITHUB_STEP_SUMMARY when it is set
 * (sarif.c, docs/findings.md "GitHub annotations"). */
void report_github(FILE *out, const struct findings *fs,
		   const struct report_meta *m);
/* GitLab's Code Quality report (CodeClimate's JSON), one issue per group
 * (sarif.c, docs/findings.md "GitLab Code Quality"). */
void report_codequality(FILE *out, const struct findings *fs,
			const struct report_meta *m);
void report_text(FILE *out, const struct findings *fs,
		 const struct report_meta *m, bool color);
/* One HTML file with a timeline of every finding (html.c,
 * docs/findings.md "HTML"). */
void report_html(FILE *out, const struct findings *fs,
		 const struct report_meta *m);
/* fsrace show: the timeline of one finding as text (show.c): WHICH is
 * its number in the report (1 the first) or a prefix of its
 * fingerprint. 0, or -1 when no finding is WHICH (told on stderr). */
int report_show(FILE *out, const struct findings *fs,
		const struct report_meta *m, const char *which);

/* What the reports share (findings.c). */
/* "#92 pid 12898 newfstatat(/w/src/b) = 0 (injected) at app.log:7" */
void report_event_line(FILE *out, const struct evidence *ev);
/* --confirm: "fsrace put a different file at P between the check and
 * the use; the program read it through the descriptor: accepted". */
void report_exploit_sentence(FILE *out, const struct finding *f);
/* The same for a swap X between steps CHECK and USE. */
void report_exploit_line(FILE *out, const struct finding_exploit *x,
			 const char *check, const char *use);
/* The frames of S the text shows, a line each ("             at …"). */
void report_stack_lines(FILE *out, const struct report_meta *m,
			const struct stack_trace *s);
/* Where F is: "FUNCTION (FILE:LINE)" of its innermost own frame, or
 * false (nothing written). */
bool report_location(FILE *out, const struct report_meta *m,
		     const struct finding *f);
/* What is not reported, as the text's last line counts it: the number of
 * kinds, each kind's TEXT ("suppressed") and number of groups N. */
#define REPORT_NOT_REPORTED 5
int report_not_reported(const struct findings *fs, const struct report_meta *m,
			const char *text[], size_t n[]);

#endif
