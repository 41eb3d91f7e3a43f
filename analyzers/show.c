// SPDX-License-Identifier: MIT
/*
 * fsrace show FINDING: one finding's timeline as text (docs/findings.md,
 * "Timeline"), the same layout as the HTML report's SVG in columns: a
 * row per thread, each event a run of its step's letter from entry to
 * exit, the window underlined, then the events with their times.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "findings.h"
#include "timeline.h"
#include "util.h"

#define COLS 64	  /* the plot's width */
#define NAME_W 28 /* the lanes' names */

static int col(double x)
{
	int c = (int)(x * (COLS - 1) + 0.5);

	return c < 0 ? 0 : c >= COLS ? COLS - 1 : c;
}

/* The letters of a finding's steps: each the first of its name's
 * letters that no earlier step took (upper case), else a digit. */
struct letters {
	const char *step[RULE_MAX_STEPS];
	char c[RULE_MAX_STEPS];
	int n;
};

static char step_letter(struct letters *ls, const char *step)
{
	char c = 0;

	for (int i = 0; i < ls->n; i++)
		if (!strcmp(ls->step[i], step))
			return ls->c[i];
	for (const char *p = step; *p && !c; p++) {
		char u = (char)toupper((unsigned char)*p);
		bool taken = u == 'X' || !isalpha((unsigned char)u);

		for (int i = 0; i < ls->n && !taken; i++)
			taken = ls->c[i] == u;
		if (!taken)
			c = u;
	}
	if (!c)
		c = (char)('1' + ls->n);
	if (ls->n < RULE_MAX_STEPS) {
		ls->step[ls->n] = step;
		ls->c[ls->n++] = c;
	}
	return c;
}

/* The letter of a mark: its step's; 'x' for an event around them. */
static char letter(struct letters *ls, const struct tl_mark *mk)
{
	return mk->step ? step_letter(ls, mk->step) : 'x';
}

/* "pid 7288 cp" in NAME_W columns. */
static void lane_name(FILE *out, const struct tl_lane *ln)
{
	char buf[NAME_W + 64];
	int n;

	n = snprintf(buf, sizeof(buf), "pid %d", ln->pid);
	if (ln->tid != ln->pid)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "/%d", ln->tid);
	if (ln->program) {
		const char *p = ln->program, *sp = strchr(p, ' ');
		const char *end = sp ? sp : p + strlen(p), *base = p;

		for (const char *q = p; q < end; q++)
			if (*q == '/')
				base = q + 1;
		snprintf(buf + n, sizeof(buf) - (size_t)n, " %.*s",
			 (int)(end - base), base);
	}
	fprintf(out, "  %-*.*s ", NAME_W, NAME_W, buf);
}

static void show_timeline(FILE *out, const struct finding *f,
			  const struct report_meta *m)
{
	struct timeline t;
	struct letters ls = {0};
	char d[32], row[COLS + 1];
	int w0 = 0, w1 = 0;

	timeline_build(&t, f);
	/* in the order of the steps */
	for (int i = 0; i < f->nev; i++)
		step_letter(&ls, f->ev[i].step ? f->ev[i].step : "?");
	/* the axis: 0 on the left, the span on the right, breaks */
	fprintf(out, "  %-*s ", NAME_W, "");
	memset(row, ' ', COLS);
	row[COLS] = 0;
	for (int i = 0; i < t.nbreaks; i++) {
		int c = col((t.breaks[i].x0 + t.breaks[i].x1) / 2);

		row[c] = '/';
		if (c + 1 < COLS)
			row[c + 1] = '/';
	}
	if (t.timed) {
		char right[40];
		size_t n;

		snprintf(right, sizeof(right), "+%s",
			 timeline_duration(t.span, d, sizeof(d)));
		n = strlen(right);
		row[0] = '0';
		/* µ is two bytes and one column */
		memcpy(row + COLS - (n - 1), right, n - 1);
		fprintf(out, "%.*s%s\n", COLS - (int)(n - 1), row, right);
	} else {
		fprintf(out, "(no timestamps: in the order recorded)\n");
	}
	for (int l = 0; l < t.nlanes; l++) {
		lane_name(out, &t.lanes[l]);
		memset(row, '-', COLS);
		if (t.window)
			for (int c = col(t.wx0); c <= col(t.wx1); c++)
				row[c] = '.';
		for (int i = 0; i < t.nmarks; i++) {
			const struct tl_mark *mk = &t.marks[t.draw[i]];

			if (mk->lane != l)
				continue;
			for (int c = col(mk->x0); c <= col(mk->x1); c++)
				row[c] = letter(&ls, mk);
		}
		fprintf(out, "%s\n", row);
	}
	if (t.window) {
		w0 = col(t.wx0);
		w1 = col(t.wx1);
		fprintf(out, "  %-*s %*s", NAME_W, "", w0, "");
		if (f->window_unknown)
			fputs("^ window unknown (no timestamps)", out);
		else if (w1 - w0 >= 2)
			fprintf(out, "|%.*s| window %llu \u00b5s", w1 - w0 - 1,
				"--------------------------------------------"
				"--------------------",
				(unsigned long long)f->window_us);
		else
			fprintf(out, "^ window %llu \u00b5s",
				(unsigned long long)f->window_us);
		fputc('\n', out);
	}
	for (int i = 0; i < t.nbreaks; i++)
		fprintf(out, "  %-*s // %s cut out of the axis\n", NAME_W, "",
			timeline_duration(t.breaks[i].ns, d, sizeof(d)));
	if (t.more_lanes)
		fprintf(out, "  (%llu events of more threads left out)\n",
			(unsigned long long)t.more_lanes);
	fputc('\n', out);
	/* the events, in the order they started */
	for (int i = 0; i < t.nmarks; i++) {
		const struct tl_mark *mk = &t.marks[t.by_time[i]];
		const struct evidence *ev = mk->ev;

		fprintf(out, "  %c ", letter(&ls, mk));
		if (t.timed) {
			const char *s = timeline_duration(
				(ev->ts_enter ? ev->ts_enter : ev->ts_exit) -
					t.t0,
				d, sizeof(d));

			/* µ: two bytes, one column */
			fprintf(out, "%*s  ", strstr(s, "\u00b5") ? 11 : 10, s);
		}
		fprintf(out, "%-8s ", mk->step ? mk->step : "around");
		report_event_line(out, ev);
		fputc('\n', out);
		if (mk->step && ev->stack)
			report_stack_lines(out, m, ev->stack);
	}
	if (f->around_more)
		fprintf(out, "  (%llu more events on its paths, not shown)\n",
			(unsigned long long)f->around_more);
	if (f->around_lost)
		fputs("  (decided long after its first step: the events "
		      "around it were no longer all kept)\n",
		      out);
}

/* "  at FUNCTION (FILE:LINE)", when the finding has a stack. */
static void location_line(FILE *out, const struct report_meta *m,
			  const struct finding *f)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *mem = open_memstream(&buf, &n);

	if (!mem)
		return;
	if (report_location(mem, m, f)) {
		fclose(mem);
		fprintf(out, "  at %s\n", buf);
	} else {
		fclose(mem);
	}
	free(buf);
}

/* Whether S is all digits. */
static bool number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static bool fp_prefix(uint64_t fp, const char *s)
{
	char hex[20];
	size_t n = strlen(s);

	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)fp);
	return n >= 4 && n <= 16 && !strncasecmp(hex, s, n);
}

int report_show(FILE *out, const struct findings *fs,
		const struct report_meta *m, const char *which)
{
	struct finding_groups gs, sup = {0};
	const struct finding_group *g = NULL;
	size_t n, num = 0, hits = 0;
	int r = -1;

	findings_group(fs, FST_REPORTED, m, &gs);
	if (m->show_suppressed)
		findings_group(fs, FST_SUPPRESSED, m, &sup);
	n = gs.n + sup.n;
	for (size_t i = 0; i < n; i++) {
		const struct finding_group *c =
			i < gs.n ? &gs.v[i] : &sup.v[i - gs.n];
		/* digits: its number, or, 4 or more that are no finding's
		 * number, a fingerprint's start */
		bool as_fp = !number(which) || (strlen(which) >= 4 &&
						strtoull(which, NULL, 10) > n);
		bool hit = as_fp ? fp_prefix(c->fingerprint, which)
				 : strtoull(which, NULL, 10) == i + 1;

		for (size_t k = 0; !hit && as_fp && k < c->n; k++)
			hit = fp_prefix(c->v[k]->fingerprint, which);
		if (hit && !hits++) {
			g = c;
			num = i + 1;
		}
	}
	if (!hits) {
		if (number(which) && strlen(which) < 4)
			errorx("no finding %s: the report has %zu", which, n);
		else
			errorx("no finding '%s': give its number in the report "
			       "(1 to %zu) or at least 4 digits of its "
			       "fingerprint",
			       which, n);
	} else if (hits > 1) {
		errorx("'%s' is the start of %zu findings' fingerprints: give "
		       "more of it",
		       which, hits);
	} else {
		const struct finding *f = g->v[0];

		fprintf(out, "finding %zu of %zu: ", num, n);
		if (f->status == FST_REPORTED)
			fputs(severity_name(f->severity), out);
		else
			fputs(finding_status_name(f->status), out);
		fprintf(out, "[%s] %s\n", f->rule->id, f->message);
		if (g->count > 1)
			fprintf(out, "  %llu times; the first is drawn\n",
				(unsigned long long)g->count);
		fprintf(out, "  fingerprint %016llx\n",
			(unsigned long long)f->fingerprint);
		location_line(out, m, f);
		fputc('\n', out);
		show_timeline(out, f, m);
		r = 0;
	}
	finding_groups_release(&gs);
	finding_groups_release(&sup);
	return r;
}
