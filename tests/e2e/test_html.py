"""The HTML report (issue 13), rendered by a real browser: headless
Chromium loads each report and the tests read the DOM it built. A
check-then-use's lane, marks and window; two processes' interleaving,
with the other events on the path; the filter (run by the page's own
script, driven through the URL's fragment); escaping of hostile names;
nothing fetched; readable without JavaScript; a screenshot."""
import json
import os
import re
import subprocess

import browser
import gen
import harness

PY = "/usr/bin/python3"


def workspace(ctx, name="w"):
    d = os.path.join(ctx.tmp, name)
    os.makedirs(d)
    return d


def run_both(ctx, cwd, argv, *opts):
    """fsrace run with JSON and HTML outputs: (process, doc, html path)."""
    js = os.path.join(ctx.tmp, "f.json")
    page = os.path.join(ctx.tmp, "r.html")
    p = ctx.run(["run", "--fail-on", "none", "-o", js, "-o", page, *opts,
                 "--", *argv], cwd=cwd)
    assert p.returncode == 0, p.stderr
    doc = harness.read_findings(js)
    harness.check_findings_schema(doc)
    return p, doc, page


def analyze_both(ctx, trace, *opts):
    js = os.path.join(ctx.tmp, "a.json")
    page = os.path.join(ctx.tmp, "a.html")
    p = ctx.run(["analyze", "--fail-on", "none", "-o", js, "-o", page,
                 *opts, trace])
    assert p.returncode == 0, p.stderr
    doc = harness.read_findings(js)
    harness.check_findings_schema(doc)
    return doc, page


def section_of(dom, num):
    return dom.find("section", id=f"f{num}")


def marks(svg):
    """(role, seq, lane pid, title) of every mark, by lane."""
    out = []
    for lane in svg.find_all("g", cls="lane"):
        for m in lane.find_all("g", cls="mark"):
            out.append((m.attrs["data-role"], int(m.attrs["data-seq"]),
                        int(lane.attrs["data-pid"]), m.child_text("title")))
    return sorted(out, key=lambda x: x[1])


def version(ctx):
    return ctx.run(["--version"]).stdout.split()[-1]


def test_html_check_then_use(ctx):
    w = workspace(ctx)
    harness.write_file(os.path.join(w, "data"), "x\n")
    prog = ctx.fixture("rule-check-then-use-bad")
    p, doc, page = run_both(ctx, w, [prog])
    f, = doc["findings"]
    check, use = f["evidence"]
    pid = check["pid"]
    dom = browser.dump_dom(page)
    # the header: the command, the version, the counts
    head = dom.find("header")
    assert prog in head.text() and version(ctx) in head.text(), head.text()
    assert "1 finding: 0 error, 1 warning, 0 note" in head.text()
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", head.text())
    sec = section_of(dom, 1)
    assert (sec.attrs["data-rule"], sec.attrs["data-severity"]) == \
        ("check-then-use", "warning")
    assert f["message"] in sec.find("h3").text()
    svg = sec.find("svg", cls="timeline")
    lane, = svg.find_all("g", cls="lane")
    assert lane.attrs["data-pid"] == str(pid)
    assert "rule-check-then-use-bad" in lane.find("text",
                                                  cls="lane-name").text()
    path = os.path.join(w, "data")
    assert marks(svg) == [
        ("evidence", check["seq"], pid,
         f"check #{check['seq']} pid {pid} newfstatat({path}) = 0"),
        ("evidence", use["seq"], pid,
         f"use #{use['seq']} pid {pid} openat({path}) = {use['ret']}"),
    ]
    win = svg.find("rect", cls="window")
    assert win.child_text("title") == f"window {f['window_us']} \u00b5s"
    assert svg.find("text", cls="window-label").text() == \
        f"window {f['window_us']} \u00b5s"
    # the window lies between the check's mark and the use's
    rects = {int(m.attrs["data-seq"]): m.find("rect")
             for m in svg.find_all("g", cls="mark")}
    x = float(win.attrs["x"])
    c, u = rects[check["seq"]], rects[use["seq"]]
    assert float(c.attrs["x"]) <= x <= float(u.attrs["x"]), (c.attrs, x)
    assert x + float(win.attrs["width"]) <= float(u.attrs["x"]) + 0.5
    # hovering or focusing a mark shows its line: a focusable mark
    # holds it
    m = svg.find("g", cls="mark", data_seq=str(use["seq"]))
    assert m.attrs["tabindex"] == "0"
    assert m.find("text", cls="tip").text().endswith(
        f"#{use['seq']} pid {pid} openat({path}) = {use['ret']}")
    # the rest of the finding
    text = sec.text()
    assert f["fix"] in text and f["fingerprint"] in text
    assert "rules.md#check-then-use" in sec.find("a").attrs["href"]
    # the table: one row, linking to it
    row, = dom.find("table", id="findings").find_all("tr", cls=None,
                                                      data_finding="")
    assert row.find("a").attrs["href"] == "#f1"
    assert path in row.find("td", cls="path").text()


def test_html_two_processes(ctx):
    """The --widen race: the other process's unlink lands in the window
    of the opener's check and use; each process is a lane, and the
    events on the path in the window that are not evidence are drawn
    too, in their own process's lane."""
    w = workspace(ctx)
    trace = os.path.join(ctx.tmp, "t.jsonl")
    p = ctx.run(["record", "--widen", "20ms", "-o", trace, "--",
                 ctx.fixture("rule-widen-race")], cwd=w)
    assert (p.returncode, p.stdout) == (0, "enoent\n"), p
    doc, page = analyze_both(ctx, trace)
    dom = browser.dump_dom(page)
    # the report's numbering is the groups': find it by fingerprint
    groups = doc["groups"]
    num = next(i + 1 for i, g in enumerate(groups)
               if g["rule"] == "interleaved-mutation"
               and doc["findings"][g["findings"][0]]["evidence"][-1]
               ["syscall"] == "openat")
    f = doc["findings"][groups[num - 1]["findings"][0]]
    opener, mutator = f["evidence"][0]["pid"], f["evidence"][1]["pid"]
    assert opener != mutator
    sec = section_of(dom, num)
    svg = sec.find("svg", cls="timeline")
    assert [g.attrs["data-pid"] for g in svg.find_all("g", cls="lane")] \
        == [str(opener), str(mutator)]
    got = marks(svg)
    want = [("evidence", e["seq"], e["pid"]) for e in f["evidence"]] + \
        [("around", e["seq"], e["pid"]) for e in f.get("around", [])]
    assert [g[:3] for g in got] == sorted(want, key=lambda x: x[1]), got
    # the unlink, in the other process's lane, inside the drawn window
    # (which ends when the --widen hold did: the kernel looked the path up
    # then)
    unlink = next(g for g in got if g[0] == "evidence" and g[2] == mutator)
    assert unlink[3] == (f"mutate #{unlink[1]} pid {mutator} unlink("
                         f"{os.path.join(w, 'f')}) = 0")
    win = svg.find("rect", cls="window")
    mark = svg.find("g", cls="mark", data_seq=str(unlink[1])).find("rect")
    x0, x1 = float(win.attrs["x"]), float(win.attrs["x"]) + \
        float(win.attrs["width"])
    assert x0 <= float(mark.attrs["x"]) <= x1, (win.attrs, mark.attrs)
    # events around a finding: the JSON names them, the page draws and
    # lists them (the other process's close of the file it made, the
    # opener's failed open: whichever fall in the span)
    with_around = [(i, doc["findings"][g["findings"][0]])
                   for i, g in enumerate(groups)
                   if doc["findings"][g["findings"][0]].get("around")]
    assert with_around, doc["findings"]
    for i, fa in with_around:
        sec = section_of(dom, i + 1)
        drawn = [m for m in marks(sec.find("svg", cls="timeline"))
                 if m[0] == "around"]
        assert [(m[1], m[2]) for m in drawn] == \
            [(e["seq"], e["pid"]) for e in fa["around"]], drawn
        for e in fa["around"]:
            assert f"#{e['seq']} pid {e['pid']} {e['syscall']}(" in \
                sec.text()


def test_html_filter(ctx):
    """The page's script filters the table and the findings by severity,
    rule and path; the state is the URL's fragment."""
    w = workspace(ctx)
    harness.write_file(os.path.join(w, "A"), "hello\n")
    _, doc, page = run_both(ctx, w, [PY, "-c",
                                     "import shutil; shutil.move('A', 'B')"],
                            "--inject", "rename=EXDEV")
    rules = sorted({g["rule"] for g in doc["groups"]})
    assert len(rules) >= 3, rules

    def visible(fragment):
        dom = browser.dump_dom(page, fragment)
        rows = dom.find("table", id="findings").find_all("tr",
                                                         data_finding="")
        secs = dom.find_all("section", cls="finding")
        shown = dom.find("output", id="shown").text()
        assert "hidden" not in dom.find("form", id="filter").attrs
        return ([r.attrs["data-rule"] for r in rows
                 if "hidden" not in r.classes()],
                [s.attrs["data-rule"] for s in secs
                 if "hidden" not in s.classes()], shown)

    every = [g["rule"] for g in doc["groups"]]
    assert visible("") == (every, every, f"{len(every)} shown")
    one = "exdev-copy-fallback"
    assert visible(f"rule={one}") == ([one], [one], "1 shown")
    meta = [r for r in every if r == "create-then-metadata-by-name"]
    assert visible("rule=create-then-metadata-by-name") == \
        (meta, meta, f"{len(meta)} shown")
    # by a path's substring: only the findings about A (the source)
    src = os.path.join(w, "A")
    about_a = [g["rule"] for g in doc["groups"]
               if any(e.get("abspath") == src or e.get("abspath2") == src
                      for i in g["findings"]
                      for e in doc["findings"][i]["evidence"])]
    assert 0 < len(about_a) < len(every), about_a
    assert visible("path=" + src)[0] == about_a
    for sev in ("error", "warning", "note"):
        want = [g["rule"] for g in doc["groups"] if g["severity"] == sev]
        assert visible(f"severity={sev}") == (want, want,
                                               f"{len(want)} shown"), sev
    sev = doc["groups"][every.index(one)]["severity"]
    other = next(s for s in ("error", "warning", "note") if s != sev)
    assert visible(f"severity={sev}&rule={one}")[0] == [one]
    assert visible(f"severity={other}&rule={one}")[0] == []


def test_html_without_javascript(ctx):
    """The file as served: every finding listed, the filter form hidden
    (it needs the script), nothing fetched from anywhere."""
    w = workspace(ctx)
    harness.write_file(os.path.join(w, "data"), "x\n")
    _, doc, page = run_both(ctx, w, [ctx.fixture("rule-check-then-use-bad")])
    with open(page, encoding="utf-8") as fh:
        raw = fh.read()
    dom = browser.parse(raw)
    assert "hidden" in dom.find("form", id="filter").attrs
    assert not [n for n in dom.iter() if "hidden" in n.classes()]
    assert len(dom.find_all("section", cls="finding")) == \
        len(doc["groups"]) == 1
    # self-contained: no resource from outside (a link is not a fetch)
    assert not dom.find_all("link") and not dom.find_all("img") and \
        not dom.find_all("iframe")
    assert not [n for n in dom.iter() if "src" in n.attrs]
    assert "url(" not in raw and "@import" not in raw
    csp = dom.find("meta", http_equiv="Content-Security-Policy")
    assert csp.attrs["content"].startswith("default-src 'none'")


def test_html_escapes_names(ctx):
    """A path made of markup is shown as the text it is: no element, no
    attribute comes from it, in the table, the attributes or the SVG."""
    evil = "<script>alert(\"x\")&'</script>"
    w = os.path.join(ctx.tmp, "w", evil[:evil.index("/")], "script>")
    os.makedirs(w)
    harness.write_file(os.path.join(w, "data"), "x\n")
    _, doc, page = run_both(ctx, w, [ctx.fixture("rule-check-then-use-bad")])
    path = os.path.join(w, "data")
    assert evil in path
    dom = browser.dump_dom(page)
    scripts = dom.find_all("script")
    assert len(scripts) == 1 and "alert" not in scripts[0].text()
    assert not [n for n in dom.iter()
                if any(k.startswith("on") for k in n.attrs)]
    row = dom.find("table", id="findings").find("tr", data_finding="")
    assert row.find("td", cls="path").text().startswith(path)
    assert row.attrs["data-paths"].split("\n")[0] == path
    sec = section_of(dom, 1)
    assert path in sec.find("svg").find_all("g", cls="mark")[0].child_text(
        "title")
    assert path in sec.find("h3").text()


def test_html_escapes_bytes(ctx):
    """A name that is not UTF-8 is shown with \\xNN for its bytes."""
    w = os.fsencode(os.path.join(ctx.tmp, "w")) + b"\xff\x01"
    os.makedirs(w)
    with open(w + b"/data", "w") as fh:
        fh.write("x\n")
    js = os.path.join(ctx.tmp, "f.json")
    page = os.path.join(ctx.tmp, "r.html")
    p = subprocess.run([ctx.fsrace, "run", "--fail-on", "none", "-o", js,
                        "-o", page, "--",
                        ctx.fixture("rule-check-then-use-bad")], cwd=w,
                       capture_output=True)
    assert p.returncode == 0, p.stderr
    dom = browser.dump_dom(page)
    cell = dom.find("td", cls="path").text()
    assert cell.startswith(os.path.join(ctx.tmp, "w") + "\\xff\\x01/data"), \
        cell


def test_html_screenshot(ctx):
    w = workspace(ctx)
    harness.write_file(os.path.join(w, "data"), "x\n")
    _, _, page = run_both(ctx, w, [ctx.fixture("rule-check-then-use-bad")])
    png = os.path.join(ctx.tmp, "shot.png")
    assert browser.screenshot(page, png, 900, 700) == (900, 700)
    assert os.path.getsize(png) > 10000


def test_html_from_the_format_option(ctx):
    """-f html, and -o FILE.html: the same page; without findings it
    says so."""
    w = workspace(ctx)
    harness.write_file(os.path.join(w, "data"), "x\n")
    p = ctx.run(["run", "-f", "html", "-o", "-", "--",
                 ctx.fixture("rule-check-then-use-good")], cwd=w)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("<!DOCTYPE html>\n")
    dom = browser.parse(p.stdout)
    assert dom.find("main").text().strip() == "No findings."
    p = ctx.run(["run", "-f", "xml", "--", "true"])
    assert (p.returncode, p.stderr) == (
        2, "fsrace: unknown format 'xml' (text, json, sarif, github, "
        "codequality or html)\n")


def test_html_pages(ctx):
    """A report of 450 findings: 200 drawn at once, the rest inert until
    asked for (a page, a finding's number, the filter), so that 10,000
    findings load in well under 2 s (bench/html.sh)."""
    log = os.path.join(ctx.tmp, "app.log")
    gen.many_findings_log(log, 450, evil_at=332)
    js = os.path.join(ctx.tmp, "a.json")
    page = os.path.join(ctx.tmp, "a.html")
    p = ctx.run(["analyze", "--fail-on", "none", "-o", js, "-o", page, log])
    assert p.returncode == 0, p.stderr
    doc = harness.read_findings(js)
    assert len(doc["groups"]) == 450

    def view(fragment=""):
        dom = browser.dump_dom(page, fragment)
        rows = [int(r.attrs["data-num"]) for r in
                dom.find("tbody", id="rows").find_all("tr")
                if "hidden" not in r.classes()]
        secs = [int(s.attrs["data-num"]) for s in
                dom.find_all("section", cls="finding")
                if "hidden" not in s.classes()]
        return dom, rows, secs

    dom, rows, secs = view()
    assert rows == secs == list(range(1, 201))
    assert dom.find("nav", id="pager").text().strip() == \
        "\u00ab previous findings 1\u2013200 of 450 next \u00bb"
    dom, rows, secs = view("page=3")
    assert rows == secs == list(range(401, 451))
    dom, rows, secs = view("f250")
    assert rows == secs == list(range(201, 401))
    assert "findings 201\u2013400 of 450" in dom.find("nav", id="pager").text()
    # the filter looks through every page's rows
    g = doc["groups"][332]
    path = doc["findings"][g["findings"][0]]["evidence"][0]["abspath"]
    assert "</script>" in path
    dom, rows, secs = view("path=alert")
    assert rows == [333], rows
    # the markup in the name stayed text, on a page inserted later
    dom, rows, secs = view("f333")
    scripts = dom.find_all("script")
    live = [s for s in scripts if s.attrs.get("type") is None]
    assert len(live) == 1 and "alert" not in live[0].text()
    # the inert page holds the name escaped, so nothing in it ends it
    inert = [s for s in scripts if "alert" in s.text()]
    assert inert and all("&lt;/script&gt;&lt;script&gt;alert(1)" in s.text()
                         for s in inert), [s.attrs for s in inert]
    sec = dom.find("section", id="f333")
    assert path in sec.find("h3").text()
    assert "hidden" not in sec.classes()
    # without JavaScript: the first page, and a note on the others
    with open(page, encoding="utf-8") as fh:
        raw = browser.parse(fh.read())
    assert len(raw.find("tbody", id="rows").find_all("tr")) == 200
    assert len(raw.find_all("section", cls="finding")) == 200
    assert "fsrace show" in raw.find("p", id="paged").text()
