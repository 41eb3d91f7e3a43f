// SPDX-License-Identifier: MIT
/*
 * The HTML report (docs/findings.md, "HTML"): one self-contained file,
 * inline CSS and SVG and a few lines of JavaScript for the filter, no
 * fetches, readable without JavaScript. Every string from the trace goes
 * through esc(): a path is data, never markup.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "findings.h"
#include "stacks.h"
#include "timeline.h"
#include "util.h"

/* The SVG's geometry, in CSS pixels. */
#define SVG_W 880
#define LABEL_W 250	      /* the lanes' names */
#define PLOT_X (LABEL_W + 10) /* where time starts */
#define PLOT_W (SVG_W - PLOT_X - 20)
#define AXIS_H 34 /* the axis and the window's label, on top */
#define LANE_H 40
#define TIP_H 22 /* the line a focused mark shows, at the bottom */

/* findings drawn in the page at once (the others: see report_html) */
#define HTML_PAGE 200

/*
 * S as HTML text or attribute value: markup characters as entities, and
 * what is not UTF-8 (a file name may be any bytes) or a control
 * character as \xNN, so that the page shows the name as it is.
 */
/* The length of the UTF-8 character at P (END its end), 0 if it is not
 * one: overlong forms, surrogates and values past U+10FFFF are not. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0];
	size_t len = c < 0x80		  ? 1
		     : (c & 0xe0) == 0xc0 ? 2
		     : (c & 0xf0) == 0xe0 ? 3
		     : (c & 0xf8) == 0xf0 ? 4
					  : 0;

	if (!len || (size_t)(end - p) < len || (len == 2 && c < 0xc2) ||
	    (len == 4 && c > 0xf4))
		return 0;
	for (size_t k = 1; k < len; k++)
		if ((p[k] & 0xc0) != 0x80)
			return 0;
	if (len == 3 && ((c == 0xe0 && p[1] < 0xa0) || /* overlong */
			 (c == 0xed && p[1] >= 0xa0))) /* surrogate */
		return 0;
	if (len == 4 && ((c == 0xf0 && p[1] < 0x90) || /* overlong */
			 (c == 0xf4 && p[1] >= 0x90))) /* > U+10FFFF */
		return 0;
	return len;
}

/*
 * S as HTML text or attribute value: markup characters as entities, and
 * what is not UTF-8 (a file name may be any bytes) or a control
 * character as \xNN, so that the page shows the name as it is; LINES
 * keeps newlines (a <pre> of lines fsrace wrote).
 */
static void esc_lines(FILE *out, const char *s, size_t n, bool lines)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		unsigned char c = *p;
		size_t len = utf8_len(p, end);

		if (!len || (len == 1 && (c < 0x20 || c == 0x7f) &&
			     !(lines && c == '\n'))) {
			fprintf(out, "\\x%02x", c);
			p++;
			continue;
		}
		switch (c) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			fwrite(p, 1, len, out);
		}
		p += len;
	}
}

static void esc_n(FILE *out, const char *s, size_t n)
{
	esc_lines(out, s, n, false);
}

/* At most MAX bytes of S, cut where a character starts. */
static size_t cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

static void esc(FILE *out, const char *s)
{
	if (s)
		esc_n(out, s, strlen(s));
}

/* What FN writes to a stream, escaped: the shared text helpers. */
static void esc_of_lines(FILE *out,
			 void (*fn)(FILE *, const void *, const void *),
			 const void *a, const void *b, bool lines)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *mem = open_memstream(&buf, &n);

	if (!mem)
		return;
	fn(mem, a, b);
	fclose(mem);
	esc_lines(out, buf, n, lines);
	free(buf);
}

static void esc_of(FILE *out, void (*fn)(FILE *, const void *, const void *),
		   const void *a, const void *b)
{
	esc_of_lines(out, fn, a, b, false);
}

static void event_line_fn(FILE *out, const void *ev, const void *unused)
{
	(void)unused;
	report_event_line(out, ev);
}

static void confirm_line_fn(FILE *out, const void *x, const void *unused)
{
	(void)unused;
	report_exploit_line(out, x, "check", "use");
}

static void exploit_fn(FILE *out, const void *f, const void *unused)
{
	(void)unused;
	report_exploit_sentence(out, f);
}

static void stack_fn(FILE *out, const void *m, const void *s)
{
	report_stack_lines(out, m, s);
}

static const char css[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;"
	"max-width:1100px}\n"
	"code,pre,.mono{font-family:ui-monospace,monospace;font-size:13px}\n"
	"h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.2em;"
	"margin-top:1.5em}h3{font-size:1.05em;margin:0 0 .4em}\n"
	"dl.meta{display:grid;grid-template-columns:max-content auto;"
	"gap:.1em 1em;margin:.5em 0}dl.meta dt{color:#666}dl.meta dd{margin:0}"
	"\n"
	"table{border-collapse:collapse;margin:.5em 0}th,td{border-bottom:"
	"1px solid #ddd;padding:.25em .6em;text-align:left;"
	"vertical-align:top}\n"
	"td.path{word-break:break-all}td.n{text-align:right}\n"
	".sev{font-weight:600;text-transform:lowercase}.sev-error{color:#b00}"
	".sev-warning{color:#a60}.sev-note{color:#067}\n"
	".status{color:#777}\n"
	"section.finding{border:1px solid #ccc;border-radius:6px;"
	"padding:.8em 1em;margin:1em 0;content-visibility:auto;"
	"contain-intrinsic-size:auto 420px}\n"
	"section.finding dl{display:grid;grid-template-columns:max-content "
	"auto;gap:.1em 1em;margin:.4em 0}section.finding dt{color:#666}"
	"section.finding dd{margin:0}\n"
	"ol.evidence{padding-left:1.2em}ol.evidence li{margin:.2em 0}\n"
	"pre.stack{margin:.1em 0 .3em;color:#555}\n"
	"svg.timeline{display:block;max-width:100%;height:auto;"
	"background:#fafafa;border:1px solid #eee}\n"
	"svg .lane-name{font:12px ui-monospace,monospace;fill:#333}\n"
	"svg .lane-line{stroke:#ddd}\n"
	"svg .axis{stroke:#999}svg .axis-label{font:11px system-ui,"
	"sans-serif;fill:#666}\n"
	"svg .window{fill:#f4c430;fill-opacity:.25;stroke:#d4a000;"
	"stroke-dasharray:3 2}\n"
	"svg .window-label{font:12px system-ui,sans-serif;fill:#8a6a00}\n"
	"svg .mark rect{fill:#999}svg .mark.step rect{fill:#2a6fdb}"
	"svg .mark.use rect{fill:#c62828}\n"
	"svg .mark text.step-name{font:11px system-ui,sans-serif;"
	"fill:#333}\n"
	"svg .mark:focus{outline:none}svg .mark:focus rect,svg .mark:hover "
	"rect{stroke:#000;stroke-width:1.5}\n"
	"svg .tip{visibility:hidden;font:12px ui-monospace,monospace;"
	"fill:#000}\n"
	"svg .mark:hover .tip,svg .mark:focus .tip{visibility:visible}\n"
	"svg .break{stroke:#999;fill:none}\n"
	"form.filter{display:flex;gap:1em;flex-wrap:wrap;align-items:center;"
	"margin:.5em 0}\n"
	".hidden{display:none}\n";

/*
 * The filter and the pages: the table's rows and the findings' sections
 * by severity, rule and a substring of a path, looking through every
 * page's rows; without a filter, one page of HTML_PAGE findings at a
 * time, each inserted from its inert <script> the first time it is
 * shown. The state is also the URL's fragment
 * (#severity=warning&rule=check-then-use&path=src&page=2&f=250; #f250
 * alone goes to finding 250), so a view can be linked to, and tested in a
 * browser.
 */
static const char script[] =
	"(function(){\n"
	"var f=document.getElementById('filter');if(!f)return;\n"
	"var "
	"rows=document.getElementById('rows'),det=document.getElementById('"
	"details'),\n"
	"pager=document.getElementById('pager'),out=document.getElementById('"
	"shown'),\n"
	"sev=f.elements.severity,rule=f.elements.rule,path=f.elements.path,\n"
	"total=+rows.dataset.count,PAGE=+rows.dataset.page,\n"
	"npages=Math.ceil(total/PAGE),cur=0,done={};\n"
	"f.hidden=false;\n"
	"function load(p,kind){var k=kind+p;if(!p||done[k])return;done[k]=1;\n"
	"var "
	"e=document.querySelector('script[type=\"text/"
	"x-fsrace-'+kind+'\"][data-page=\"'+p+'\"]');\n"
	"if(!e)return;var box=kind==='rows'?rows:det,at=null;\n"
	"for(var c=box.firstElementChild;c;c=c.nextElementSibling)\n"
	"if(+c.dataset.page>p){at=c;break;}\n"
	"if(at)at.insertAdjacentHTML('beforebegin',e.textContent);\n"
	"else box.insertAdjacentHTML('beforeend',e.textContent);}\n"
	"function "
	"ok(e,s,r,p){return(!s||e.dataset.severity===s)&&(!r||e.dataset.rule==="
	"r)&&\n"
	"(!p||e.dataset.paths.indexOf(p)>=0);}\n"
	"function "
	"show(e,v){if(e.classList.contains('hidden')===v)e.classList.toggle('"
	"hidden',!v);}\n"
	"function button(text,p){var "
	"b=document.createElement('button');b.type='button';\n"
	"b.textContent=text;b.disabled=p<0||p>=npages;\n"
	"b.addEventListener('click',function(){cur=p;state();});pager."
	"appendChild(b);}\n"
	"function apply(){var "
	"s=sev.value,r=rule.value,p=path.value,any=s||r||p,n=0;\n"
	"if(any)for(var i=1;i<npages;i++)load(i,'rows');\n"
	"load(cur,'rows');load(cur,'sections');\n"
	"rows.querySelectorAll('tr').forEach(function(e){\n"
	"var v=any?ok(e,s,r,p):+e.dataset.page===cur;if(v)n++;show(e,v);});\n"
	"det.querySelectorAll('section').forEach(function(e){\n"
	"show(e,+e.dataset.page===cur&&ok(e,s,r,p));});\n"
	"out.textContent=n+' shown';\n"
	"if(pager&&npages>1){pager.hidden=false;pager.textContent='';\n"
	"button('\\u00ab previous',cur-1);\n"
	"pager.appendChild(document.createTextNode(' findings "
	"'+(cur*PAGE+1)+'\\u2013'+\n"
	"Math.min(total,(cur+1)*PAGE)+' of '+total+' '));button('next "
	"\\u00bb',cur+1);}}\n"
	"function state(n){var q=new URLSearchParams();\n"
	"if(sev.value)q.set('severity',sev.value);if(rule.value)q.set('rule',"
	"rule.value);\n"
	"if(path.value)q.set('path',path.value);if(cur)q.set('page',cur+1);if("
	"n)q.set('f',n);\n"
	"history.replaceState(null,'',q.toString()?'#'+q:location.pathname+"
	"location.search);\n"
	"apply();}\n"
	"function go(n){var "
	"e;cur=Math.min(npages-1,Math.max(0,Math.floor((n-1)/PAGE)));\n"
	"state(n);e=document.getElementById('f'+n);if(e)e.scrollIntoView();}\n"
	"function fromHash(){var h=location.hash.slice(1),q=new "
	"URLSearchParams(h),\n"
	"m=/^f(\\d+)$/.exec(h),n=m?+m[1]:+(q.get('f')||0);\n"
	"sev.value=q.get('severity')||'';rule.value=q.get('rule')||'';path."
	"value=q.get('path')||'';\n"
	"cur=Math.min(npages-1,Math.max(0,(+q.get('page')||1)-1));\n"
	"if(n)go(n);else apply();}\n"
	"f.addEventListener('input',function(){cur=0;state();});\n"
	"f.addEventListener('submit',function(e){e.preventDefault();});\n"
	"rows.addEventListener('click',function(e){var "
	"a=e.target.closest('a');\n"
	"if(!a)return;e.preventDefault();go(+a.getAttribute('href').slice(2));}"
	");\n"
	"window.addEventListener('hashchange',fromHash);fromHash();\n"
	"})();\n";

/* P, once: the last few written (LAST, N of them) are not written
 * again. */
static void path_once(FILE *out, const char *p, const char **last, int *n)
{
	if (!p)
		return;
	for (int i = 0; i < *n; i++)
		if (!strcmp(last[i], p))
			return;
	if (*n < 8)
		last[(*n)++] = p;
	esc(out, p);
	fputc('\n', out);
}

/* The paths of a group as one attribute value for the filter, each
 * followed by a newline. */
static void paths_attr(FILE *out, const struct finding_group *g)
{
	const char *last[8];
	int n = 0;

	fputs(" data-paths=\"", out);
	for (size_t i = 0; i < g->n; i++) {
		const struct finding *f = g->v[i];

		for (int e = 0; e < f->nev; e++) {
			const struct evidence *ev = &f->ev[e];

			path_once(out, ev->abspath ? ev->abspath : ev->fd_path,
				  last, &n);
			path_once(out, ev->abspath2, last, &n);
		}
		for (int k = 0; k < f->nalso; k++)
			path_once(out, f->also[k], last, &n);
	}
	fputc('"', out);
}

static void finding_attrs(FILE *out, const struct finding_group *g)
{
	const struct finding *f = g->v[0];

	fputs(" data-finding", out);
	fputs(" data-severity=\"", out);
	fputs(f->status == FST_REPORTED ? severity_name(f->severity)
					: finding_status_name(f->status),
	      out);
	fputs("\" data-rule=\"", out);
	esc(out, f->rule->id);
	fputc('"', out);
	paths_attr(out, g);
}

static void severity_span(FILE *out, const struct finding *f)
{
	if (f->status == FST_REPORTED)
		fprintf(out, "<span class=\"sev sev-%s\">%s</span>",
			severity_name(f->severity), severity_name(f->severity));
	else
		fprintf(out, "<span class=\"status\">%s</span>",
			finding_status_name(f->status));
}

static double px(double x)
{
	return PLOT_X + x * PLOT_W;
}

static void svg_timeline(FILE *out, const struct finding *f, size_t num)
{
	struct timeline t;
	char d[32];
	int h;

	timeline_build(&t, f);
	h = AXIS_H + t.nlanes * LANE_H + TIP_H;
	fprintf(out,
		"<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" "
		"viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
		"role=\"img\" aria-label=\"timeline of finding %zu\">\n",
		SVG_W, h, SVG_W, h, num);
	/* the axis: real time, broken where a gap dominates */
	fprintf(out,
		"<g class=\"axis-g\"><line class=\"axis\" x1=\"%d\" y1=\"%d\" "
		"x2=\"%d\" y2=\"%d\"/>",
		PLOT_X, AXIS_H - 6, PLOT_X + PLOT_W, AXIS_H - 6);
	if (t.timed) {
		fprintf(out,
			"<text class=\"axis-label\" x=\"%d\" y=\"%d\">0</text>"
			"<text class=\"axis-label\" x=\"%d\" y=\"%d\" "
			"text-anchor=\"end\">+%s</text>",
			PLOT_X, AXIS_H - 10, PLOT_X + PLOT_W, AXIS_H - 10,
			timeline_duration(t.span, d, sizeof(d)));
	} else {
		fprintf(out,
			"<text class=\"axis-label\" x=\"%d\" y=\"%d\">"
			"no timestamps: in the order recorded</text>",
			PLOT_X, AXIS_H - 10);
	}
	for (int i = 0; i < t.nbreaks; i++) {
		double a = px(t.breaks[i].x0), b = px(t.breaks[i].x1);
		double mid = (a + b) / 2;

		fprintf(out,
			"<g class=\"axis-break\"><path class=\"break\" "
			"d=\"M%.1f %d l4 -8 M%.1f %d l4 -8\"/>"
			"<text class=\"axis-label\" x=\"%.1f\" y=\"%d\" "
			"text-anchor=\"middle\">\u2248%s</text></g>",
			mid - 5, AXIS_H - 2, mid + 1, AXIS_H - 2, mid,
			AXIS_H + t.nlanes * LANE_H + 12,
			timeline_duration(t.breaks[i].ns, d, sizeof(d)));
	}
	fputs("</g>\n", out);
	if (t.window) {
		double a = px(t.wx0), b = px(t.wx1);

		fprintf(out,
			"<g class=\"window-g\"><rect class=\"window\" "
			"x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\">"
			"<title>window ",
			a, AXIS_H - 4, b - a < 1 ? 1 : b - a,
			t.nlanes * LANE_H + 4);
		if (f->window_unknown)
			fputs("unknown (no timestamps)", out);
		else
			fprintf(out, "%llu \u00b5s",
				(unsigned long long)f->window_us);
		fprintf(out,
			"</title></rect><text class=\"window-label\" "
			"x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">window ",
			(a + b) / 2 < PLOT_X + 40 ? PLOT_X + 40 : (a + b) / 2,
			12);
		if (f->window_unknown)
			fputs("unknown", out);
		else
			fprintf(out, "%llu \u00b5s",
				(unsigned long long)f->window_us);
		fputs("</text></g>\n", out);
	}
	for (int l = 0; l < t.nlanes; l++) {
		const struct tl_lane *ln = &t.lanes[l];
		int y = AXIS_H + l * LANE_H;

		fprintf(out,
			"<g class=\"lane\" data-pid=\"%d\" data-tid=\"%d\">",
			ln->pid, ln->tid);
		fprintf(out,
			"<line class=\"lane-line\" x1=\"%d\" y1=\"%d\" "
			"x2=\"%d\" y2=\"%d\"/>",
			PLOT_X, y + LANE_H / 2, PLOT_X + PLOT_W,
			y + LANE_H / 2);
		fprintf(out,
			"<text class=\"lane-name\" x=\"4\" y=\"%d\">"
			"<title>pid %d",
			y + LANE_H / 2 + 4, ln->pid);
		if (ln->tid != ln->pid)
			fprintf(out, " tid %d", ln->tid);
		if (ln->program) {
			fputs(": ", out);
			esc(out, ln->program);
		}
		fprintf(out, "</title>pid %d", ln->pid);
		if (ln->tid != ln->pid)
			fprintf(out, "/%d", ln->tid);
		if (ln->program) {
			/* the program's name, its path left out: the
			 * title has it all */
			const char *p = ln->program, *sp = strchr(p, ' ');
			const char *base = p;
			size_t n;

			for (const char *q = p; q < (sp ? sp : p + strlen(p));
			     q++)
				if (*q == '/')
					base = q + 1;
			n = strlen(base);
			fputc(' ', out);
			esc_n(out, base, cut(base, n, 24));
			if (n > 24)
				fputs("\u2026", out);
		}
		fputs("</text>\n", out);
		for (int i = 0; i < t.nmarks; i++) {
			const struct tl_mark *mk = &t.marks[t.draw[i]];
			const struct evidence *ev = mk->ev;
			double a = px(mk->x0), b = px(mk->x1);
			bool use = mk->step && ev == &f->ev[f->nev - 1] &&
				   f->nev > 1;

			if (mk->lane != l)
				continue;
			if (b - a < 3)
				b = a + 3;
			fprintf(out,
				"<g class=\"mark%s%s\" tabindex=\"0\" "
				"data-seq=\"%llu\" data-role=\"%s\">",
				mk->step ? " step" : " around",
				use ? " use" : "", (unsigned long long)ev->seq,
				mk->step ? "evidence" : "around");
			fprintf(out,
				"<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
				"height=\"%d\" rx=\"2\"/>",
				a, y + 12, b - a, LANE_H - 24);
			fputs("<title>", out);
			if (mk->step) {
				esc(out, mk->step);
				fputc(' ', out);
			}
			esc_of(out, event_line_fn, ev, NULL);
			fputs("</title>", out);
			if (mk->step) {
				/* the lane's steps by where they start: every
				 * other one's name below its bar, so that two
				 * close together stay apart */
				int k = 0;

				for (int j = 0; j < t.nmarks; j++)
					k += t.marks[j].lane == l &&
					     t.marks[j].step &&
					     (t.marks[j].x0 < mk->x0 ||
					      (t.marks[j].x0 == mk->x0 &&
					       t.marks[j].ev->seq < ev->seq));
				fprintf(out,
					"<text class=\"step-name\" x=\"%.1f\" "
					"y=\"%d\">",
					a, k % 2 ? y + LANE_H - 1 : y + 10);
				esc(out, mk->step);
				fputs("</text>", out);
			}
			fprintf(out, "<text class=\"tip\" x=\"4\" y=\"%d\">",
				AXIS_H + t.nlanes * LANE_H + 15);
			if (mk->step) {
				esc(out, mk->step);
				fputc(' ', out);
			}
			if (t.timed)
				fprintf(out, "+%s ",
					timeline_duration(
						(ev->ts_enter ? ev->ts_enter
							      : ev->ts_exit) -
							t.t0,
						d, sizeof(d)));
			esc_of(out, event_line_fn, ev, NULL);
			fputs("</text></g>\n", out);
		}
		fputs("</g>\n", out);
	}
	fputs("</svg>\n", out);
	if (t.more_lanes)
		fprintf(out,
			"<p class=\"note\">%llu events of more threads than "
			"the %d lanes are left out.</p>\n",
			(unsigned long long)t.more_lanes, TIMELINE_LANES);
}

static void evidence_list(FILE *out, const struct finding *f,
			  const struct report_meta *m)
{
	fputs("<ol class=\"evidence\">\n", out);
	for (int i = 0; i < f->nev; i++) {
		const struct evidence *ev = &f->ev[i];

		fputs("<li><span class=\"step\">", out);
		esc(out, ev->step);
		fputs("</span> <code>", out);
		esc_of(out, event_line_fn, ev, NULL);
		fputs("</code>", out);
		if (f->program[i]) {
			fputs(" <span class=\"program\">by <code>", out);
			esc(out, f->program[i]);
			fputs("</code></span>", out);
		}
		if (ev->stack) {
			fputs("<pre class=\"stack\">", out);
			esc_of_lines(out, stack_fn, m, ev->stack, true);
			fputs("</pre>", out);
		} else if (ev->stack_dropped) {
			fprintf(out,
				"<pre class=\"stack\">(stack not kept: more "
				"than %u distinct stacks)</pre>",
				STACK_TABLE_STACKS_MAX);
		}
		fputs("</li>\n", out);
	}
	fputs("</ol>\n", out);
	if (f->around_lost)
		fputs("<p class=\"note\">It was decided long after its first "
		      "step (at a later close or exit): the events around it "
		      "were no longer all kept.</p>\n",
		      out);
	if (f->naround || f->around_more) {
		fprintf(out, "<p>Other events on its paths meanwhile: %d",
			f->naround);
		if (f->around_more)
			fprintf(out, " (and %llu more, not drawn)",
				(unsigned long long)f->around_more);
		fputs("</p>\n<ul class=\"around\">\n", out);
		for (int i = 0; i < f->naround; i++) {
			fputs("<li><code>", out);
			esc_of(out, event_line_fn, &f->around[i].ev, NULL);
			fputs("</code>", out);
			if (f->around[i].program) {
				fputs(" by <code>", out);
				esc(out, f->around[i].program);
				fputs("</code>", out);
			}
			fputs("</li>\n", out);
		}
		fputs("</ul>\n", out);
	}
}

static void group_html(FILE *out, const struct finding_group *g, size_t num,
		       size_t page, const struct report_meta *m)
{
	const struct finding *f = g->v[0];
	bool reported = f->status == FST_REPORTED;
	const char **traces;
	size_t ntraces;
	char *loc = NULL;
	size_t nloc = 0;
	FILE *mem;

	fprintf(out,
		"<section class=\"finding\" id=\"f%zu\" data-num=\"%zu\" "
		"data-page=\"%zu\"",
		num, num, page);
	finding_attrs(out, g);
	fprintf(out, ">\n<h3>%zu. ", num);
	severity_span(out, f);
	fputs("[<code>", out);
	esc(out, f->rule->id);
	fputs("</code>] ", out);
	esc(out, f->message);
	fputs("</h3>\n<dl>\n", out);
	if (g->count > 1)
		fprintf(out, "<dt>times</dt><dd>%llu</dd>\n",
			(unsigned long long)g->count);
	if (!reported && f->status_reason) {
		fputs("<dt>reason</dt><dd>", out);
		esc(out, f->status_reason);
		fputs("</dd>\n", out);
	}
	mem = open_memstream(&loc, &nloc);
	if (mem) {
		bool any = report_location(mem, m, f);

		fclose(mem);
		if (any) {
			fputs("<dt>location</dt><dd><code>", out);
			esc_n(out, loc, nloc);
			fputs("</code></dd>\n", out);
		}
		free(loc);
	}
	fputs("<dt>confirm</dt><dd>", out);
	if (f->exploit) {
		fprintf(out, "<strong class=\"verdict\">%s</strong>: ",
			f->exploit->result);
		esc_of(out, exploit_fn, f, NULL);
	} else if (g->confirmed)
		fputs("confirmed: the object's identity changed between the "
		      "steps",
		      out);
	else
		fputs("not confirmed: the identities did not show a change "
		      "(fsrace run --confirm swaps a decoy in to find out)",
		      out);
	fputs("</dd>\n", out);
	traces = finding_group_found_in(g, &ntraces);
	if (ntraces) {
		fputs("<dt>found in</dt><dd>", out);
		for (size_t i = 0; i < ntraces; i++) {
			fputs(i ? ", <code>" : "<code>", out);
			esc(out, traces[i]);
			fputs("</code>", out);
		}
		fputs("</dd>\n", out);
	}
	free(traces);
	if (g->n > 1 || f->nalso) {
		size_t shown = 0;

		fputs("<dt>also</dt><dd>", out);
		for (size_t i = 0; i < g->n && shown < 20; i++) {
			const struct finding *o = g->v[i];

			for (int k = -1; k < o->nalso && shown < 20; k++) {
				const char *p =
					k < 0 ? (i ? finding_path(o) : NULL)
					      : o->also[k];

				if (!p)
					continue;
				fputs(shown++ ? ", <code>" : "<code>", out);
				esc(out, p);
				fputs("</code>", out);
			}
		}
		fputs("</dd>\n", out);
	}
	if (reported && f->rule->fix) {
		fputs("<dt>fix</dt><dd>", out);
		esc(out, f->rule->fix);
		fputs("</dd>\n", out);
	}
	if (f->rule->shipped) {
		fprintf(out, "<dt>docs</dt><dd><a href=\"%srules.md#",
			FSRACE_DOCS_URL);
		esc(out, f->rule->id);
		fprintf(out, "\">%srules.md#", FSRACE_DOCS_URL);
		esc(out, f->rule->id);
		fputs("</a></dd>\n", out);
	}
	fprintf(out, "<dt>fingerprint</dt><dd><code>%016llx</code></dd>\n",
		(unsigned long long)f->fingerprint);
	fputs("</dl>\n", out);
	svg_timeline(out, f, num);
	evidence_list(out, f, m);
	fputs("</section>\n", out);
}

static void table_row(FILE *out, const struct finding_group *g, size_t num,
		      size_t page)
{
	const struct finding *f = g->v[0];

	fprintf(out, "<tr data-num=\"%zu\" data-page=\"%zu\"", num, page);
	finding_attrs(out, g);
	fprintf(out, "><td class=\"n\"><a href=\"#f%zu\">%zu</a></td><td>", num,
		num);
	severity_span(out, f);
	fputs("</td><td><code>", out);
	esc(out, f->rule->id);
	fputs("</code></td><td class=\"path mono\">", out);
	esc(out, finding_path(f));
	if (g->n > 1)
		fprintf(out, " <span class=\"status\">(+%zu)</span>", g->n - 1);
	fputs("</td><td>", out);
	if (f->window_unknown)
		fputs("?", out);
	else if (f->nev > 1)
		fprintf(out, "%llu \u00b5s", (unsigned long long)f->window_us);
	fprintf(out, "</td><td class=\"n\">%llu</td></tr>\n",
		(unsigned long long)g->count);
}

/* The rules' line in the header: per rule, its groups by severity. */
static void rule_counts(FILE *out, const struct finding_groups *gs)
{
	const char **ids = xcalloc(gs->n + 1, sizeof(*ids));
	uint64_t(*n)[4] = xcalloc(gs->n + 1, sizeof(*n));
	size_t k = 0;

	for (size_t i = 0; i < gs->n; i++) {
		const struct finding *f = gs->v[i].v[0];
		size_t j;

		for (j = 0; j < k && strcmp(ids[j], f->rule->id); j++)
			;
		if (j == k)
			ids[k++] = f->rule->id;
		n[j][f->severity]++;
		n[j][3] += gs->v[i].count;
	}
	if (k) {
		fputs("<table class=\"by-rule\"><thead><tr><th>rule</th>"
		      "<th>error</th><th>warning</th><th>note</th>"
		      "<th>times</th></tr></thead><tbody>\n",
		      out);
		for (size_t j = 0; j < k; j++) {
			fputs("<tr><td><code>", out);
			esc(out, ids[j]);
			fprintf(out,
				"</code></td><td class=\"n\">%llu</td>"
				"<td class=\"n\">%llu</td><td class=\"n\">"
				"%llu</td><td class=\"n\">%llu</td></tr>\n",
				(unsigned long long)n[j][SEV_ERROR],
				(unsigned long long)n[j][SEV_WARNING],
				(unsigned long long)n[j][SEV_NOTE],
				(unsigned long long)n[j][3]);
		}
		fputs("</tbody></table>\n", out);
	}
	free(ids);
	free(n);
}

static void filter_form(FILE *out, const struct finding_groups *gs,
			const struct finding_groups *sup)
{
	const char **ids = xcalloc(gs->n + sup->n + 1, sizeof(*ids));
	size_t k = 0;

	for (size_t i = 0; i < gs->n + sup->n; i++) {
		const struct finding_group *g =
			i < gs->n ? &gs->v[i] : &sup->v[i - gs->n];
		size_t j;

		for (j = 0; j < k && strcmp(ids[j], g->v[0]->rule->id); j++)
			;
		if (j == k)
			ids[k++] = g->v[0]->rule->id;
	}
	/* hidden until the script shows it: without JavaScript there is
	 * nothing to filter with, and every finding is listed */
	fputs("<form class=\"filter\" id=\"filter\" hidden>"
	      "<label>severity <select name=\"severity\">"
	      "<option value=\"\">any</option>"
	      "<option>error</option><option>warning</option>"
	      "<option>note</option>",
	      out);
	if (sup->n)
		fputs("<option>suppressed</option>", out);
	fputs("</select></label> <label>rule <select name=\"rule\">"
	      "<option value=\"\">any</option>",
	      out);
	for (size_t j = 0; j < k; j++) {
		fputs("<option>", out);
		esc(out, ids[j]);
		fputs("</option>", out);
	}
	fputs("</select></label> <label>path contains <input name=\"path\" "
	      "type=\"search\" size=\"30\"></label> <output id=\"shown\">"
	      "</output></form>\n",
	      out);
	free(ids);
}

/* Page P of the findings (the reported, then the suppressed): their
 * sections, or their rows of the table. */
static void page(FILE *out, const struct finding_groups *gs,
		 const struct finding_groups *sup, size_t p, bool sections,
		 const struct report_meta *m)
{
	size_t n = gs->n + sup->n;

	for (size_t i = p * HTML_PAGE; i < n && i < (p + 1) * HTML_PAGE; i++) {
		const struct finding_group *g =
			i < gs->n ? &gs->v[i] : &sup->v[i - gs->n];

		if (sections)
			group_html(out, g, i + 1, p, m);
		else
			table_row(out, g, i + 1, p);
	}
}

void report_html(FILE *out, const struct findings *fs,
		 const struct report_meta *m)
{
	struct finding_groups gs, sup = {0};
	uint64_t counts[3] = {0};
	const char *nrtext[REPORT_NOT_REPORTED];
	size_t nr[REPORT_NOT_REPORTED];
	int nkinds;
	char date[64];
	time_t now = time(NULL);
	struct tm tm;

	findings_group(fs, FST_REPORTED, m, &gs);
	if (m->show_suppressed)
		findings_group(fs, FST_SUPPRESSED, m, &sup);
	for (size_t i = 0; i < gs.n; i++)
		counts[gs.v[i].v[0]->severity]++;
	nkinds = report_not_reported(fs, m, nrtext, nr);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", &tm);

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width\">\n"
	      /* nothing is fetched: a CI artifact, a file:// page */
	      "<meta http-equiv=\"Content-Security-Policy\" "
	      "content=\"default-src 'none'; style-src 'unsafe-inline'; "
	      "script-src 'unsafe-inline'; img-src data:\">\n",
	      out);
	fprintf(out, "<title>fsrace: %zu finding%s", gs.n,
		gs.n == 1 ? "" : "s");
	if (m->is_run && m->argv && m->argv[0]) {
		fputs(" in ", out);
		esc(out, m->argv[0]);
	}
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", css);
	fputs("<header>\n<h1>fsrace report</h1>\n<dl class=\"meta\">\n", out);
	if (m->is_run) {
		fputs("<dt>command</dt><dd><code>", out);
		for (int i = 0; m->argv && m->argv[i]; i++) {
			if (i)
				fputc(' ', out);
			esc(out, m->argv[i]);
		}
		fprintf(out, "</code></dd>\n<dt>exit status</dt><dd>%d</dd>\n",
			m->status);
	} else {
		fputs("<dt>trace</dt><dd>", out);
		for (int i = 0; i < m->nfiles; i++) {
			fputs(i ? ", <code>" : "<code>", out);
			esc(out, m->files[i]);
			fputs("</code>", out);
		}
		fputs("</dd>\n", out);
	}
	fprintf(out,
		"<dt>date</dt><dd>%s</dd>\n<dt>fsrace</dt><dd>%s</dd>\n"
		"<dt>events</dt><dd>%llu</dd>\n</dl>\n",
		date, FSRACE_VERSION, (unsigned long long)m->events);
	for (int i = 0; i < m->nlimits; i++) {
		fputs("<p class=\"limit\">log", out);
		if (m->limits[i].file) {
			fputs(" <code>", out);
			esc(out, m->limits[i].file);
			fputs("</code>", out);
		}
		fputs(": ", out);
		esc(out, m->limits[i].text);
		fputs("</p>\n", out);
	}
	if (m->nnot_evaluated) {
		fputs("<p class=\"limit\">not evaluated:", out);
		for (int i = 0; i < m->nnot_evaluated; i++) {
			fputs(i ? ", <code>" : " <code>", out);
			esc(out, m->not_evaluated[i].rule);
			fputs("</code> (", out);
			esc(out, m->not_evaluated[i].reason);
			fputs(")", out);
		}
		fputs("</p>\n", out);
	}
	fprintf(out,
		"<p class=\"counts\"><strong>%zu finding%s</strong>: "
		"<span class=\"sev-error\">%llu error</span>, "
		"<span class=\"sev-warning\">%llu warning</span>, "
		"<span class=\"sev-note\">%llu note</span></p>\n",
		gs.n, gs.n == 1 ? "" : "s",
		(unsigned long long)counts[SEV_ERROR],
		(unsigned long long)counts[SEV_WARNING],
		(unsigned long long)counts[SEV_NOTE]);
	rule_counts(out, &gs);
	fputs("<p class=\"not-reported\">not reported:", out);
	for (int k = 0; k < nkinds; k++)
		fprintf(out, "%s <span data-kind=\"%s\">%zu %s</span>",
			k ? "," : "", nrtext[k], nr[k], nrtext[k]);
	fputs("</p>\n", out);
	if (fs->dropped || m->dropped_pending || table_drops_any(&m->drops))
		fprintf(out,
			"<p class=\"limit\">dropped: %llu findings past the "
			"limit of %d, %llu partial matches, %llu names, %llu "
			"written files, %llu temporary names, %llu stacks, "
			"%llu modules of frames, %llu names of frames</p>\n",
			(unsigned long long)fs->dropped, FINDINGS_MAX,
			(unsigned long long)m->dropped_pending,
			(unsigned long long)m->drops.names,
			(unsigned long long)m->drops.written,
			(unsigned long long)m->drops.temps,
			(unsigned long long)m->drops.stacks,
			(unsigned long long)m->drops.stack_modules,
			(unsigned long long)m->drops.frame_names);
	for (int i = 0; i < m->nconfirms; i++) {
		fputs("<p class=\"confirm\">confirm, no finding: <strong>",
		      out);
		esc(out, m->confirms[i]->result);
		fputs("</strong>: ", out);
		esc_of(out, confirm_line_fn, m->confirms[i], NULL);
		fputs("</p>\n", out);
	}
	fputs("</header>\n<main>\n", out);
	if (gs.n || sup.n) {
		size_t n = gs.n + sup.n,
		       pages = (n + HTML_PAGE - 1) / HTML_PAGE;

		fputs("<h2>Findings</h2>\n", out);
		filter_form(out, &gs, &sup);
		if (pages > 1)
			fprintf(out,
				"<p class=\"note\" id=\"paged\">%zu findings, "
				"in pages of %d: the first is below. The "
				"others "
				"are in this file too, and show a page at a "
				"time with JavaScript (the filter looks "
				"through "
				"all of them); without it, <code>fsrace show "
				"N</code> prints any one.</p>\n"
				"<nav id=\"pager\" hidden></nav>\n",
				n, HTML_PAGE);
		fputs("<table id=\"findings\"><thead><tr><th>#</th>"
		      "<th>severity</th><th>rule</th><th>path</th>"
		      "<th>window</th><th>times</th></tr></thead>"
		      "<tbody id=\"rows\"",
		      out);
		fprintf(out, " data-count=\"%zu\" data-page=\"%d\">\n", n,
			HTML_PAGE);
		page(out, &gs, &sup, 0, false, m);
		fputs("</tbody></table>\n<div id=\"details\">\n", out);
		page(out, &gs, &sup, 0, true, m);
		fputs("</div>\n", out);
		/* the other pages as inert text: the parser only scans it
		 * (10,000 findings drawn in the page took Chromium 7 s to
		 * load; docs/performance.md), and the script inserts a page
		 * when it is asked for. Nothing in them can end the element:
		 * every '<' from the trace is &lt;. */
		for (size_t p = 1; p < pages; p++) {
			fprintf(out,
				"<script type=\"text/x-fsrace-rows\" "
				"data-page=\"%zu\">\n",
				p);
			page(out, &gs, &sup, p, false, m);
			fprintf(out,
				"</script>\n<script "
				"type=\"text/x-fsrace-sections\" "
				"data-page=\"%zu\">\n",
				p);
			page(out, &gs, &sup, p, true, m);
			fputs("</script>\n", out);
		}
	} else {
		fputs("<p>No findings.</p>\n", out);
	}
	fprintf(out, "</main>\n<script>\n%s</script>\n</body>\n</html>\n",
		script);
	finding_groups_release(&gs);
	finding_groups_release(&sup);
}
