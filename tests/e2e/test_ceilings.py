"""The analysis's tables at their ceilings (issue 12; docs/performance.md,
"Ceilings"): the names a traced tree made and the files it wrote
(1,048,576 each), the temporary names of fingerprints (65,536). Past each
the analysis goes on, says on stderr what it could not remember, counts
it in the report's "dropped", and errs towards reporting: a directory
made past the ceiling is not known private, so a check-then-use in it is
reported where the same one in a directory made before is not.

And the table of stacks (262,144 distinct stacks, 65,536 modules,
1,048,576 names of frames), here filled from strace -k logs, which the
tracer's stacks go through the same way: past a ceiling the call keeps
no stack (its evidence says so), a frame no module or no name."""
import json
import os

import gen
import harness
from test_stacks import need_stacks

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
            "(some partial matches, findings, names or stacks were dropped: "
            "see --format json)\n") in p.stdout, p.stdout


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


FINDINGS = 10000
STACKS = 1 << 18
MODULES = 1 << 16
FRAME_NAMES = 1 << 20
STACK_KEYS = ("stacks", "stack_modules", "frame_names")


def stacks_of(doc):
    """Each finding's evidence: (syscall, path, functions of its frames,
    stack_dropped)."""
    return [[(e["syscall"], e["abspath"],
              [fr.get("function") for fr in e.get("stack", [])],
              e.get("stack_dropped", False)) for e in f["evidence"]]
            for f in doc["findings"]]


def test_stacks_at_the_ceiling(ctx):
    # four stacks of the checks and uses, N of the stats between them
    log = os.path.join(ctx.tmp, "s.log")
    gen.many_stacks_log(log, STACKS - 4)
    err, _, _, doc = analyze(ctx, log)
    assert err == "", err
    assert {k: doc["dropped"][k] for k in STACK_KEYS} == {
        "stacks": 0, "stack_modules": 0, "frame_names": 0}
    assert stacks_of(doc) == [
        [("newfstatat", "/srv/w/a/f", ["f0_0"], False),
         ("openat", "/srv/w/a/f", ["f1_0"], False)],
        [("newfstatat", "/srv/w/b/f", [f"f{STACKS - 2}_0"], False),
         ("openat", "/srv/w/b/f", [f"f{STACKS - 1}_0"], False)]], \
        stacks_of(doc)


def test_stacks_past_the_ceiling(ctx):
    # the last three stats and the second check and use keep no stack
    log = os.path.join(ctx.tmp, "s.log")
    gen.many_stacks_log(log, STACKS + 1)
    warning = ("fsrace: warning: more than 262144 distinct stacks: the "
               "stacks of 5 calls were not kept, so their evidence names "
               "no code\n")
    err, _, _, doc = analyze(ctx, log)
    assert err == warning, err
    assert {k: doc["dropped"][k] for k in STACK_KEYS} == {
        "stacks": 5, "stack_modules": 0, "frame_names": 0}
    assert stacks_of(doc) == [
        [("newfstatat", "/srv/w/a/f", ["f0_0"], False),
         ("openat", "/srv/w/a/f", ["f1_0"], False)],
        [("newfstatat", "/srv/w/b/f", [], True),
         ("openat", "/srv/w/b/f", [], True)]], stacks_of(doc)
    p = ctx.run(["analyze", "--fail-on", "none", "-o", "text:-", log])
    assert p.stdout.count("             (stack not kept: more than 262144 "
                          "distinct stacks)\n") == 2, p.stdout
    assert p.stdout.endswith(
        "2 findings (0 error, 2 warning, 0 note) in 262153 events (some "
        "partial matches, findings, names or stacks were dropped: see "
        "--format json)\n"), p.stdout[-300:]
    # through a native trace: import says it, the trace keeps each
    # call's stack_dropped, and its analysis counts them
    trace = os.path.join(ctx.tmp, "t.jsonl")
    p = ctx.run(["import", "-o", trace, log])
    assert (p.returncode, p.stderr) == (0, warning), p
    _, records = harness.read_trace(trace)
    assert [r["path"] for r in records
            if r.get("stack_dropped")] == [
        f"/srv/w/n/{STACKS - 2}", f"/srv/w/n/{STACKS - 1}",
        f"/srv/w/n/{STACKS}", "/srv/w/b/f", "/srv/w/b/f"]
    err, _, _, doc2 = analyze(ctx, trace)
    assert err == warning, err
    assert {k: doc2["dropped"][k] for k in STACK_KEYS} == {
        "stacks": 5, "stack_modules": 0, "frame_names": 0}
    assert stacks_of(doc2) == stacks_of(doc)
    html = os.path.join(ctx.tmp, "r.html")
    p = ctx.run(["analyze", "--fail-on", "none", "-o", html, log])
    with open(html) as f:
        page = f.read()
    assert page.count('<pre class="stack">(stack not kept: more than '
                      '262144 distinct stacks)</pre>') == 2
    assert "temporary names, 5 stacks, 0 modules of frames, 0 names of " \
        "frames</p>" in page
    p = ctx.run(["dump", trace])
    assert [x for x in p.stdout.splitlines()
            if x.endswith("(STACK NOT KEPT) <0.000010>")] == [
        "100    10:00:05.243020 openat(AT_FDCWD</srv/w>, \"/srv/w/b/f\", "
        "O_RDONLY) = 3</srv/w/b/f> (STACK NOT KEPT) <0.000010>"], p.stdout


def test_stack_modules_past_the_ceiling(ctx):
    # each frame in a library of its own: the last stat, the second
    # check and its use have none, and are bare addresses
    log = os.path.join(ctx.tmp, "s.log")
    gen.many_stacks_log(log, MODULES - 1, modules=True)
    err, _, _, doc = analyze(ctx, log)
    assert err == ("fsrace: warning: more than 65536 modules of stacks: 3 "
                   "frames are only an address\n"), err
    assert {k: doc["dropped"][k] for k in STACK_KEYS} == {
        "stacks": 0, "stack_modules": 3, "frame_names": 0}
    first, second = doc["findings"]
    assert [fr["module"] for e in first["evidence"]
            for fr in e["stack"]] == ["/srv/lib/m0_0.so", "/srv/lib/m1_0.so"]
    assert [sorted(fr) for e in second["evidence"] for fr in e["stack"]] == [
        ["address", "function", "offset", "problem"]] * 2, second


def test_frame_names_past_the_ceiling(ctx):
    # four frames a call, each a function of its own: a function's
    # name and its frame are two names, so the second use's four frames
    # are the ones past the ceiling
    log = os.path.join(ctx.tmp, "s.log")
    n = FRAME_NAMES // 8 - 4 + 1
    gen.many_stacks_log(log, n, frames=4)
    err, _, _, doc = analyze(ctx, log)
    assert err == ("fsrace: warning: more than 1048576 names of frames: 4 "
                   "were not kept (a native frame is then unnamed, a Python "
                   "stack not kept)\n"), err
    assert {k: doc["dropped"][k] for k in STACK_KEYS} == {
        "stacks": 0, "stack_modules": 0, "frame_names": 4}
    assert stacks_of(doc)[1] == [
        ("newfstatat", "/srv/w/b/f", [f"f{n + 2}_{j}" for j in range(4)],
         False),
        ("openat", "/srv/w/b/f", [None] * 4, False)], stacks_of(doc)[1]


def test_stacks_past_the_ceiling_live(ctx):
    # the fixture's 262,149 calls from stacks of their own, after the
    # few of its start: the last ones keep no stack, in the trace too
    need_stacks(ctx)
    n = STACKS + 5
    trace = os.path.join(ctx.tmp, "t.jsonl")
    p = ctx.run(["record", "--stacks", "-o", trace, "--",
                 ctx.fixture("stack_many"), str(n)])
    assert p.returncode == 0, p
    # the stack records by their start (as the writer begins them), the
    # others read
    stacks, records = 0, []
    with open(trace) as f:
        next(f)
        for x in f:
            if x.startswith('{"type":"stack"'):
                stacks += 1
            elif not x.startswith('{"type":"module"'):
                records.append(json.loads(x))
    dropped = [i for i, r in enumerate(records) if r.get("stack_dropped")]
    calls = [i for i, r in enumerate(records)
             if r.get("path") == "/nonexistent/fsrace-many-stacks"]
    assert stacks == STACKS
    assert len(calls) == n
    # the last calls of the loop, each with no stack
    assert dropped and dropped == calls[-len(dropped):], dropped[:5]
    assert all("stack" not in records[i] for i in dropped)
    assert all("stack" in records[i] for i in calls[:-len(dropped)])
    warning = (f"fsrace: warning: more than 262144 distinct stacks: the "
               f"stacks of {len(dropped)} calls were not kept, so their "
               f"evidence names no code\n")
    assert p.stderr == warning, p.stderr
    assert [r["message"] for r in records if r["type"] == "warning"] == [
        "more than 262144 distinct stacks: the stacks of later calls are "
        "not kept"]
    err, _, _, doc = analyze(ctx, trace)
    assert err == warning, err
    assert {k: doc["dropped"][k] for k in STACK_KEYS} == {
        "stacks": len(dropped), "stack_modules": 0, "frame_names": 0}


def test_trace_past_the_stack_ceilings_refused(ctx):
    # a trace with more stack or module records than fsrace keeps (it
    # never writes one): an error naming the line, exit 2, no report
    log = os.path.join(ctx.tmp, "s.log")
    gen.many_stacks_log(log, 0)
    trace = os.path.join(ctx.tmp, "t.jsonl")
    p = ctx.run(["import", "-o", trace, log])
    assert p.returncode == 0, p
    with open(trace) as f:
        header = f.readline()
    out = os.path.join(ctx.tmp, "f.json")
    for kind, n, limit, what in [
            ("stack", STACKS, STACKS, "stacks or 1048576 names of frames"),
            ("module", MODULES, MODULES, "modules")]:
        bad = os.path.join(ctx.tmp, f"{kind}s.jsonl")
        with open(bad, "w") as f:
            f.write(header)
            for i in range(1, n + 2):
                if kind == "stack":
                    f.write(f'{{"type":"stack","id":{i},"frames":'
                            f'[[0,"0x{i:x}"]]}}\n')
                else:
                    f.write(f'{{"type":"module","id":{i},"path":"/l/{i}",'
                            f'"dev":"1","ino":"{i}"}}\n')
        p = ctx.run(["analyze", "-o", out, bad])
        assert (p.returncode, p.stdout, p.stderr) == (
            2, "", f"fsrace: {bad}:{n + 2}: {kind} {n + 1}: more than "
            f"{limit} {what} (fsrace keeps no more)\n"), p
        assert not os.path.exists(out)


def test_unreported_findings_do_not_crowd_out_reported(ctx):
    # 10,005 distinct findings private to the tree fill their table (the
    # rest counted as dropped); the one reported finding after them has
    # a table of its own
    log = os.path.join(ctx.tmp, "s.log")
    gen.private_then_shared_log(log, FINDINGS + 5)
    err, _, found, doc = analyze(ctx, log)
    assert err == "", err
    assert found == [("check-then-use",
                      [("newfstatat", "/srv/w/shared/f"),
                       ("openat", "/srv/w/shared/f")])], found
    assert doc["not_reported"]["private"] == FINDINGS, doc["not_reported"]
    assert doc["dropped"]["findings"] > 0, doc["dropped"]


def test_findings_decided_at_the_end_do_not_crowd_out_reported(ctx):
    # 10,005 renames without fsync, each judged when the trace ends (they
    # are then without durability intent): the check-then-use after them
    # is still reported
    log = os.path.join(ctx.tmp, "s.log")
    gen.private_then_shared_log(log, FINDINGS + 5, renames=True)
    err, _, found, doc = analyze(ctx, log)
    assert err == "", err
    assert found == [("check-then-use",
                      [("newfstatat", "/srv/w/shared/f"),
                       ("openat", "/srv/w/shared/f")])], found
    assert doc["not_reported"]["no_intent"] == FINDINGS, doc["not_reported"]
