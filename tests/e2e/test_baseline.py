"""Baselines and stable fingerprints (issue 10): the same program run in
two scratch directories, with a data file of a random name (a UUID) and
a temporary one from mkstemp, gets the same fingerprints; a baseline
written by the first run silences the second; a new bug added to the
program is then the only finding; bad baseline files are usage errors.
"""
import json
import os
import uuid

import harness

PY = "/usr/bin/python3"
PROGRAM = """import glob, os, sys, tempfile
data = glob.glob("data-*")[0]
os.stat(data); open(data).read()            # check then use
fd, tmp = tempfile.mkstemp(dir=".", prefix="sed")
os.close(fd)
with open(tmp, "w") as f:
    f.write("new")
os.rename(tmp, "status")                    # no fsync, over status
if sys.argv[1:] == ["bug"]:
    os.stat("cfg"); open("cfg").read()      # the new bug
"""


def scratch(ctx, name):
    """A directory like a checkout: status, cfg and data-<uuid>."""
    d = os.path.join(ctx.tmp, name)
    os.mkdir(d)
    harness.write_file(os.path.join(d, f"data-{uuid.uuid4()}"), "x")
    harness.write_file(os.path.join(d, "status"), "old")
    harness.write_file(os.path.join(d, "cfg"), "c")
    return d


def run(ctx, d, *args, program_args=(), status=None):
    script = harness.write_file(os.path.join(ctx.tmp, "p.py"), PROGRAM)
    out = os.path.join(ctx.tmp, f"{os.path.basename(d)}.json")
    p = ctx.run(["run", "-o", out, *args, "--", PY, script,
                 *program_args], cwd=d)
    if status is not None:
        assert p.returncode == status, (p.returncode, p.stderr)
    with open(out) as f:
        doc = json.load(f)
    harness.check_findings_schema(doc)
    return p, doc


def prints(doc):
    return sorted((f["rule"], f["fingerprint"]) for f in doc["findings"])


def test_fingerprints_stable_across_directories_and_temp_names(ctx):
    a, b = scratch(ctx, "a"), scratch(ctx, "b")
    _, da = run(ctx, a, status=1)
    _, db = run(ctx, b, status=1)
    # the runs saw other names: the UUIDs and mkstemp's suffixes differ
    pa = sorted(f["evidence"][0]["abspath"] for f in da["findings"])
    pb = sorted(f["evidence"][0]["abspath"] for f in db["findings"])
    assert [os.path.basename(x) for x in pa] != \
        [os.path.basename(x) for x in pb], (pa, pb)
    assert [r for r, _ in prints(da)] == ["check-then-use",
                                          "rename-without-fsync"], da
    assert prints(da) == prints(db)


def test_baseline_silences_what_it_holds(ctx):
    a, b = scratch(ctx, "a"), scratch(ctx, "b")
    base = os.path.join(ctx.tmp, "baseline.json")
    _, da = run(ctx, a, "--write-baseline", base, status=1)
    with open(base) as f:
        text = f.read()
    # small, sorted, one finding a line, paths as fingerprints hold them
    assert text == (
        '{"fsrace_baseline": 1,\n "findings": [\n'
        '  {"fingerprint":"%s","rule":"check-then-use",'
        '"path":"$ROOT/data-U"},\n'
        '  {"fingerprint":"%s","rule":"rename-without-fsync",'
        '"path":"$ROOT/T"}\n ]}\n') % tuple(fp for _, fp in prints(da)), \
        text
    p, db = run(ctx, b, "--baseline", base, status=0)
    assert (db["findings"], db["not_reported"]["baselined"]) == ([], 2), db
    q = ctx.run(["run", "--baseline", base, "--", PY,
                 os.path.join(ctx.tmp, "p.py")], cwd=b)
    assert q.returncode == 0, q.stderr
    assert q.stderr.splitlines()[-1].endswith(", 2 in the baseline"), \
        q.stderr
    # a new bug: the only finding, and the gate fails on it alone
    p, dc = run(ctx, b, "--baseline", base, program_args=["bug"],
                status=1)
    f, = dc["findings"]
    assert (f["rule"], f["evidence"][0]["abspath"]) == (
        "check-then-use", os.path.join(b, "cfg")), f
    assert dc["not_reported"]["baselined"] == 2
    # without --baseline no "baselined" key: documents stay as they were
    assert "baselined" not in da["not_reported"]


def test_write_baseline_keeps_the_baselined(ctx):
    # --baseline and --write-baseline together: the file holds what was
    # reported and what the old baseline took out
    a = scratch(ctx, "a")
    old = os.path.join(ctx.tmp, "old.json")
    new = os.path.join(ctx.tmp, "new.json")
    run(ctx, a, "--write-baseline", old, status=1)
    run(ctx, a, "--baseline", old, "--write-baseline", new,
        program_args=["bug"], status=1)
    with open(new) as f:
        rules = [x["rule"] for x in json.load(f)["findings"]]
    assert rules == ["check-then-use", "check-then-use",
                     "rename-without-fsync"], rules


def test_bad_baselines(ctx):
    marker = os.path.join(ctx.tmp, "ran")
    cases = {
        "missing.json": None,
        "garbage.json": "{\n\"fsrace_baseline\": 1,\n,\n",
        "other.json": '{"findings": []}\n',
        "v2.json": '{"fsrace_baseline": 2, "findings": []}\n',
        "fp.json": '{"fsrace_baseline": 1, "findings": [{"fingerprint": '
                   '"xyz"}]}\n',
    }
    for name, text in cases.items():
        path = os.path.join(ctx.tmp, name)
        if text is not None:
            harness.write_file(path, text)
        p = ctx.run(["run", "--baseline", path, "--", "/bin/sh", "-c",
                     f": > {marker}"])
        assert p.returncode == 2 and not os.path.exists(marker), (name, p)
        want = {
            "missing.json": f"cannot read baseline '{path}': unable to "
                            f"open {path}: No such file or directory",
            "garbage.json": f"{path}:3: string or '}}' expected near ','",
            "other.json": f"{path}: not an fsrace baseline (version 1): "
                          '{"fsrace_baseline": 1, "findings": [...]}',
            "v2.json": f"{path}: not an fsrace baseline (version 1): "
                       '{"fsrace_baseline": 1, "findings": [...]}',
            "fp.json": f"{path}: finding 1 has no \"fingerprint\" of 16 "
                       "hex digits",
        }[name]
        assert p.stderr == f"fsrace: {want}\n", (name, p.stderr)
    p = ctx.run(["run", "--write-baseline", f"{ctx.tmp}/no/b.json", "--",
                 "/bin/sh", "-c", f": > {marker}"])
    assert (p.returncode, p.stderr) == (
        2, f"fsrace: cannot create '{ctx.tmp}/no/b.json': No such file or "
        "directory\n") and not os.path.exists(marker)


def test_root_option(ctx):
    # --root: what $ROOT stands for; a missing one is a usage error
    a = scratch(ctx, "a")
    base = os.path.join(ctx.tmp, "b.json")
    run(ctx, a, "--root", ctx.tmp, "--write-baseline", base, status=1)
    with open(base) as f:
        paths = [x["path"] for x in json.load(f)["findings"]]
    assert paths == ["$ROOT/a/data-U", "$ROOT/a/T"], paths
    p = ctx.run(["run", "--root", "/nonexistent", "--", "/bin/true"])
    assert (p.returncode, p.stderr) == (
        2, "fsrace: --root /nonexistent: No such file or directory\n")


DIR_PROGRAM = """import os, sys
d = sys.argv[1]
os.mkdir(d, 0o700)                         # as cp -a makes directories
with open(os.path.join(d, "a"), "w") as f:
    f.write("a"); f.flush(); os.fsync(f.fileno())
with open(os.path.join(d, "b.tmp"), "w") as f:
    f.write("b")
os.rename(os.path.join(d, "b.tmp"), os.path.join(d, "b"))
"""


def test_ordinary_names_stay_apart(ctx):
    # a 0700 directory under an ordinary name is no temporary one: a
    # baseline of "secrets" does not hide the same bug in "include"
    script = harness.write_file(os.path.join(ctx.tmp, "d.py"),
                                DIR_PROGRAM)
    base = os.path.join(ctx.tmp, "b.json")
    p = ctx.run(["run", "--write-baseline", base, "--", PY, script,
                 "secrets"])
    assert p.returncode == 1, p.stderr
    with open(base) as f:
        assert [(x["rule"], x["path"]) for x in json.load(f)["findings"]] \
            == [("missing-dir-fsync", "$ROOT/secrets/a"),
                ("missing-dir-fsync", "$ROOT/secrets/b"),
                ("rename-without-fsync", "$ROOT/secrets/b.tmp")]
    out = os.path.join(ctx.tmp, "i.json")
    p = ctx.run(["run", "--baseline", base, "-o", out, "--", PY, script,
                 "include"])
    assert p.returncode == 1, p.stderr
    with open(out) as f:
        doc = json.load(f)
    assert sorted(x["rule"] for x in doc["findings"]) == [
        "missing-dir-fsync", "missing-dir-fsync", "rename-without-fsync"]
    assert doc["not_reported"]["baselined"] == 0
