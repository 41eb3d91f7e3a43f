"""fsrace analyze over the traces of a CI matrix (issue 10): each trace a
run of its own, one report; a finding once by its fingerprint, counted
over all, naming the traces it was found in and, in its evidence, the one
it comes from; the gate and the baseline over the whole; strace logs of
several jobs with --each-trace; a bad trace refused before anything is
written."""
import json
import os
import re
import subprocess

import harness
import test_sarif

PY = "/usr/bin/python3"
PROGRAM = """import os, sys
for name in sys.argv[1:]:
    os.stat(name); open(name).read()
"""


def script(ctx, name="p.py", text=PROGRAM):
    return harness.write_file(os.path.join(ctx.tmp, name), text)


def workspace(ctx, name, *files):
    d = os.path.join(ctx.tmp, name)
    os.makedirs(d, exist_ok=True)
    for f in files:
        harness.write_file(os.path.join(d, f), f)
    return d


def job(ctx, name, *files, ws=None, argv=None):
    """A job recorded in its own workspace (WS, else NAME) over FILES:
    its trace."""
    d = workspace(ctx, ws or name, *files)
    trace = os.path.join(ctx.tmp, f"{name}.jsonl")
    p = ctx.run(["record", "-o", trace, "--",
                 *(argv or [PY, script(ctx), *files])], cwd=d)
    assert p.returncode == 0, p.stderr
    return trace


def analyze(ctx, *args, status=1):
    out = os.path.join(ctx.tmp, "f.json")
    p = ctx.run(["analyze", "-o", out, *args], cwd=ctx.tmp)
    assert (p.returncode, p.stdout, p.stderr) == (status, "", ""), p
    doc = harness.read_findings(out)
    harness.check_findings_schema(doc)
    return doc


def summary(doc):
    return sorted((os.path.basename(f["evidence"][0]["abspath"]),
                   f["count"], f.get("found_in"),
                   [e.get("trace") for e in f["evidence"]])
                  for f in doc["findings"])


def fingerprints(doc):
    return {os.path.basename(f["evidence"][0]["abspath"]): f["fingerprint"]
            for f in doc["findings"]}


def test_analyze_matrix_one_report(ctx):
    a = job(ctx, "a", "cfg", "data")
    b = job(ctx, "b", "cfg")
    doc = analyze(ctx, a, b)
    assert doc["input"] == {"kind": "trace", "files": [a, b]}
    # cfg in both jobs (each in its own workspace): one finding, from
    # a's evidence
    assert summary(doc) == [("cfg", 2, [a, b], [a, a]),
                            ("data", 1, [a], [a, a])], summary(doc)
    cfg, = [f for f in doc["findings"] if f["count"] == 2]
    assert cfg["examples"] == [os.path.join(ctx.tmp, "b", "cfg")], cfg
    assert doc["counts"] == {"error": 0, "warning": 2, "note": 0}
    # the fingerprints each job's own analysis gives, and the events of
    # both
    da, db = analyze(ctx, a), analyze(ctx, b)
    assert fingerprints(doc) == fingerprints(da), (doc, da)
    assert fingerprints(db)["cfg"] == fingerprints(doc)["cfg"]
    assert doc["events"] == da["events"] + db["events"]
    # the same as merging the jobs' reports
    ja, jb = (os.path.join(ctx.tmp, n) for n in ("ja.json", "jb.json"))
    for trace, out in ((a, ja), (b, jb)):
        assert ctx.run(["analyze", "-o", out, trace]).returncode == 1
    m = os.path.join(ctx.tmp, "m.json")
    assert ctx.run(["merge", "-o", m, ja, jb]).returncode == 1
    merged = harness.read_findings(m)
    names = {ja: a, jb: b}
    assert sorted((f["fingerprint"], f["count"],
                   [names[t] for t in f["found_in"]])
                  for f in merged["findings"]) == sorted(
        (f["fingerprint"], f["count"], f["found_in"])
        for f in doc["findings"])
    assert [g["count"] for g in merged["groups"]] == [
        g["count"] for g in doc["groups"]] == [3]


ACCESS = [PY, "-c", "import os; os.access('data', os.R_OK) and "
          "open('data').read()"]


def test_analyze_matrix_text_names_the_traces(ctx):
    a = job(ctx, "a", "cfg", "data")
    b = job(ctx, "b", "cfg")
    c = job(ctx, "c", "data", argv=ACCESS)
    p = ctx.run(["analyze", "-o", "text:-", a, b, c], cwd=ctx.tmp)
    assert (p.returncode, p.stderr) == (1, ""), p
    paras = re.split(r"\n(?=\S)", p.stdout)
    # one group each: its findings' traces, each evidence its own
    ctu, = [x for x in paras if x.startswith("warning[check-then-use]")]
    ato, = [x for x in paras if x.startswith("note[access-then-open]")]
    assert ctu.split("\n")[1] == f"    found in {a}, {b}", ctu
    assert "found in" not in ato, ato
    for para, trace in ((ctu, a), (ato, c)):
        ev = [x for x in para.split("\n")
              if re.match(r"    (check|use) +#", x)]
        assert len(ev) == 2 and all(
            x.endswith(f" in {trace}") for x in ev), ev
    # one trace alone: no trace named
    p = ctx.run(["analyze", "-o", "text:-", a], cwd=ctx.tmp)
    assert p.returncode == 1 and " in /" not in p.stdout and \
        "found in" not in p.stdout, p.stdout


def collide(trace, into):
    """TRACE's processes given the pids of INTO's, in the order they
    appear (as in containers, where every job's pids start alike)."""
    def pids(path):
        seen = []
        for r in harness.read_trace(path)[1]:
            if "pid" in r and r["pid"] not in seen:
                seen.append(r["pid"])
        return seen
    table = dict(zip(pids(trace), pids(into)))
    lines = []
    with open(trace) as f:
        for line in f:
            r = json.loads(line)
            for k in ("pid", "tid", "ret"):
                if k in r and (k != "ret" or r.get("type") == "fork"):
                    r[k] = table.get(r[k], r[k])
            lines.append(json.dumps(r))
    with open(trace, "w") as f:
        f.write("\n".join(lines) + "\n")


def test_analyze_matrix_pids_collide(ctx):
    # one job stats cfg, the other opens it, in the same workspace with
    # the same pids: one stream would take them for one check-then-use
    a = job(ctx, "a", "cfg", ws="w",
            argv=[PY, "-c", "import os; os.stat('cfg')"])
    b = job(ctx, "b", "cfg", ws="w",
            argv=[PY, "-c", "open('cfg').read()"])
    collide(b, a)
    ra = [r for r in harness.read_trace(a)[1] if r.get("path") == "cfg"]
    rb = [r for r in harness.read_trace(b)[1] if r.get("path") == "cfg"]
    assert ra and rb and ra[0]["pid"] == rb[0]["pid"], (ra, rb)
    doc = analyze(ctx, a, b, status=0)
    assert doc["findings"] == [], doc["findings"]
    # what one job doing both gives
    c = job(ctx, "c", "cfg", ws="w",
            argv=[PY, "-c", "import os; os.stat('cfg'); open('cfg').read()"])
    assert [f["rule"] for f in analyze(ctx, c)["findings"]] == [
        "check-then-use"]


def test_analyze_matrix_baseline(ctx):
    a = job(ctx, "a", "cfg", "data")
    b = job(ctx, "b", "cfg", "more")
    base = os.path.join(ctx.tmp, "base.json")
    doc = analyze(ctx, "--write-baseline", base, a, b)
    assert summary(doc) == [("cfg", 2, [a, b], [a, a]),
                            ("data", 1, [a], [a, a]),
                            ("more", 1, [b], [b, b])], summary(doc)
    with open(base) as f:
        bl = json.load(f)
    # each trace's paths without its own workspace
    assert sorted((e["rule"], e["path"]) for e in bl["findings"]) == [
        ("check-then-use", "$ROOT/cfg"), ("check-then-use", "$ROOT/data"),
        ("check-then-use", "$ROOT/more")], bl
    doc = analyze(ctx, "--baseline", base, a, b, status=0)
    assert doc["counts"] == {"error": 0, "warning": 0, "note": 0}
    # not listed, counted (a group)
    assert (doc["findings"], doc["not_reported"]["baselined"]) == ([], 1)
    # a job's new finding still gates
    c = job(ctx, "c", "cfg", "new")
    doc = analyze(ctx, "--baseline", base, a, b, c)
    assert [(os.path.basename(f["evidence"][0]["abspath"]), f["found_in"])
            for f in doc["findings"]] == [("new", [c])], doc["findings"]


def test_analyze_matrix_sarif(ctx):
    a = job(ctx, "a", "cfg")
    b = job(ctx, "b", "cfg")
    c = job(ctx, "c", "data", argv=ACCESS)
    out = os.path.join(ctx.tmp, "f.sarif")
    p = ctx.run(["analyze", "-o", out, a, b, c], cwd=ctx.tmp)
    assert p.returncode == 1, p.stderr
    with open(out) as f:
        res = json.load(f)["runs"][0]["results"]
    got = sorted((r["ruleId"], r["properties"]["found_in"],
                  r["locations"][0]["physicalLocation"]["artifactLocation"]
                  ["uri"]) for r in res)
    # a finding of c's only is located in c's trace
    assert got == [("access-then-open", [c], "file://" + c),
                   ("check-then-use", [a, b], "file://" + a)], got
    assert test_sarif.validate(ctx, out) == []


def strace_job(ctx, name, *files):
    strace = harness.which("strace")
    if not strace:
        raise harness.Skip("no strace")
    d = workspace(ctx, "w", *files)
    log = os.path.join(ctx.tmp, f"{name}.log")
    p = subprocess.run([strace, "-f", "-tt", "-T", "-y", "-yy", "-v", "-o",
                        log, PY, script(ctx), *files], cwd=d,
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return log


def test_analyze_each_trace_strace_logs(ctx):
    a = strace_job(ctx, "a", "cfg")
    b = strace_job(ctx, "b", "cfg")
    # given together, strace logs are one run (strace -ff), merged by time
    doc = analyze(ctx, a, b)
    assert summary(doc) == [("cfg", 2, None, [None, None])], summary(doc)
    doc = analyze(ctx, "--each-trace", a, b)
    assert summary(doc) == [("cfg", 2, [a, b], [a, a])], summary(doc)
    f, = doc["findings"]
    assert all(e["source"].startswith(a + ":") for e in f["evidence"]), f
    # run has no such option
    p = ctx.run(["run", "--each-trace", "--", "/bin/true"])
    assert (p.returncode, p.stderr) == (
        2, "fsrace: unknown option '--each-trace' (see fsrace run --help)\n"
    ), p


def test_analyze_matrix_bad_trace(ctx):
    a = job(ctx, "a", "cfg")
    b = job(ctx, "b", "cfg")
    with open(b) as f:
        lines = f.read().split("\n")
    lines[4] = "garbage"
    with open(b, "w") as f:
        f.write("\n".join(lines))
    out = os.path.join(ctx.tmp, "f.json")
    p = ctx.run(["analyze", "-o", out, a, b], cwd=ctx.tmp)
    # the first trace's findings are not written alone
    assert (p.returncode, p.stdout, p.stderr) == (
        2, "", f"fsrace: {b}:5: malformed record: not a JSON object at "
        "column 1\n"), p
    assert not os.path.exists(out)
