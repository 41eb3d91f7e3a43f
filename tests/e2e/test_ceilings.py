"""The analysis's tables at their ceilings (issue 12; docs/performance.md,
"Ceilings"): the names a traced tree made and the files it wrote
(1,048,576 each), the temporary names of fingerprints (65,536). Past each
the analysis goes on, says on stderr what it could not remember, counts
it in the report's "dropped", and errs towards reporting: a directory
made past the ceiling is not known private, so a check-then-use in it is
reported where the same one in a directory made before is not."""
import os

import gen
import harness

NAMES = 1 << 20
TEMPS = 1 << 16


def analyze(ctx, log):
    out = os.path.join(ctx.tmp, "f.json")
    p = ctx.run(["analyze", "--fail-on", "none", "-o", out, log])
    assert (p.returncode, p.stdout) == (0, ""), p
    doc = harness.read_findings(out)
    harness.check_findings_schema(doc)
    drops = {k: doc["dropped"][k]
             for k in ("names", "written_files", "temp_names")}
    found = [(f["rule"], [(e["syscall"], e["abspath"]) for e in f["evidence"]])
             for f in doc["findings"]]
    return p.stderr, drops, found, doc


def test_names_below_the_ceiling(ctx):
    log = os.path.join(ctx.tmp, "s.log")
    gen.many_names_log(log, 10)
    err, drops, found, doc = analyze(ctx, log)
    assert (err, drops, found) == (
        "", {"names": 0, "written_files": 0, "temp_names": 0}, []), doc
    # both checks-then-uses are in directories the tree keeps private
    assert doc["not_reported"]["private"] == 2, doc["not_reported"]


def test_names_past_the_ceiling(ctx):
    # /srv/w/m, first, first/f, the 2^20 + 5 and last, last/f: ten
    # names and ten written files past the ceiling
    log = os.path.join(ctx.tmp, "s.log")
    gen.many_names_log(log, NAMES + 5)
    err, drops, found, doc = analyze(ctx, log)
    assert err == (
        "fsrace: warning: more than 1048576 names made by the traced "
        "programs: 10 were not remembered, and a directory among them is "
        "not known private\n"
        "fsrace: warning: more than 1048576 files written by the traced "
        "programs: every file is now taken as one they wrote\n"), err
    assert drops == {"names": 10, "written_files": 10, "temp_names": 0}
    assert found == [("check-then-use",
                      [("newfstatat", "/srv/w/last/f"),
                       ("openat", "/srv/w/last/f")])], found
    p = ctx.run(["analyze", "--fail-on", "none", "-o", "text:-", log])
    assert ("1 finding (0 error, 1 warning, 0 note) in 1048597 events "
            "(some partial matches, findings or names were dropped: see "
            "--format json)\n") in p.stdout, p.stdout


def test_temp_names_past_the_ceiling(ctx):
    log = os.path.join(ctx.tmp, "s.log")
    for n, err, temps in [
            (TEMPS - 1, "", 0),
            (TEMPS + 5, "fsrace: warning: more than 65536 temporary names: "
             "5 keep their letters in fingerprints\n", 5)]:
        gen.many_names_log(log, n, temps=True)
        got, drops, found, doc = analyze(ctx, log)
        assert (got, drops, found) == (
            err, {"names": 0, "written_files": 0, "temp_names": temps},
            []), (n, got, drops, found)
