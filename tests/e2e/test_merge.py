"""fsrace merge (issue 10): the JSON documents of several runs (the jobs
of a CI matrix) as one: a finding once by its fingerprint, counted over
all, naming the documents it was found in and, in its evidence, the one
it comes from; groups merged; the gate over the merged findings; bad
documents refused."""
import json
import os

import harness

PY = "/usr/bin/python3"
PROGRAM = """import os, sys
for name in sys.argv[1:]:
    os.stat(name); open(name).read()
"""


def job(ctx, name, *files):
    """A run in its own directory (a job) over FILES: its document."""
    d = os.path.join(ctx.tmp, name)
    os.mkdir(d)
    for f in files:
        harness.write_file(os.path.join(d, f), f)
    script = harness.write_file(os.path.join(ctx.tmp, "p.py"), PROGRAM)
    out = os.path.join(ctx.tmp, f"{name}.json")
    p = ctx.run(["run", "-o", out, "--", PY, script, *files], cwd=d)
    assert p.returncode == 1, p.stderr
    return out


def test_merge_two_jobs(ctx):
    a = job(ctx, "a", "cfg", "data")
    b = job(ctx, "b", "cfg")
    out = os.path.join(ctx.tmp, "m.json")
    p = ctx.run(["merge", "-o", out, a, b])
    assert (p.returncode, p.stdout, p.stderr) == (1, "", ""), p
    doc = harness.read_findings(out)
    harness.check_findings_schema(doc)
    assert doc["input"] == {"kind": "merge", "files": [a, b]}
    got = sorted((os.path.basename(f["evidence"][0]["abspath"]),
                  f["count"], f["found_in"],
                  [e["trace"] for e in f["evidence"]])
                 for f in doc["findings"])
    # cfg in both jobs: one finding ($ROOT/cfg), from a's evidence
    assert got == [("cfg", 2, [a, b], [a, a]),
                   ("data", 1, [a], [a, a])], got
    with open(a) as f:
        da = json.load(f)
    with open(b) as f:
        db = json.load(f)
    assert doc["events"] == da["events"] + db["events"]
    assert doc["counts"] == {"error": 0, "warning": 2, "note": 0}
    # the group of both: its members, its count
    g, = doc["groups"]
    assert (sorted(g["findings"]), g["count"]) == ([0, 1], 3), g
    assert [r["id"] for r in doc["rules"]] == [r["id"] for r in da["rules"]]


def test_merge_gate_and_stdout(ctx):
    a = job(ctx, "a", "cfg")
    p = ctx.run(["merge", "--fail-on", "none", a])
    assert (p.returncode, p.stderr) == (0, ""), p
    assert json.loads(p.stdout)["counts"]["warning"] == 1
    p = ctx.run(["merge", "--fail-on", "error", a])
    assert p.returncode == 0


def test_merge_bad_documents(ctx):
    bad = harness.write_file(os.path.join(ctx.tmp, "bad.json"), "{\n,\n")
    other = harness.write_file(os.path.join(ctx.tmp, "o.json"), "{}")
    for args, msg in (
            ([], "merge needs findings documents: fsrace merge DOC..."),
            ([bad], f"{bad}:2: string or '}}' expected near ','"),
            ([other], f"{other}: not an fsrace findings document (no "
                      "\"findings\" array)"),
            (["/nonexistent.json"], "cannot read '/nonexistent.json': "
                                    "unable to open /nonexistent.json: No "
                                    "such file or directory"),
            (["--fail-on", "most", other], "--fail-on takes error, "
                                           "warning, note or none, not "
                                           "'most'")):
        out = os.path.join(ctx.tmp, "m.json")
        p = ctx.run(["merge", "-o", out, *args])
        assert (p.returncode, p.stderr) == (2, f"fsrace: {msg}\n"), (args, p)
        assert not os.path.exists(out)
