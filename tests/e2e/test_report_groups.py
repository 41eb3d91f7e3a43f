"""The report a person reads (docs/findings.md, "Groups"), on real
programs run live: one finding per distinct problem, repeats counted
with a few example paths; sorted error, warning, note, then by rule; a
line per rule; which program each pid was. JSON keeps every finding and
names the groups. Text is the default, on a terminal or not.

The rules are the test's own (rules.json below), so that what is
asserted is the report, not what the shipped rules think of cp."""
import json
import os
import re
import string

import harness

RULES = {"rules": [
    {"id": "t-read", "title": "t", "severity": "warning",
     "message": "{check.syscall} then {use.syscall} of {$p}",
     "steps": [{"name": "check", "syscalls": ["newfstatat"],
                "where": {"abspath": "$p", "result": "success"}},
               {"name": "use", "syscalls": ["openat"],
                "where": {"abspath": "$p",
                          "flags": {"lacks": "O_DIRECTORY"}}}]},
    {"id": "t-create", "title": "t", "severity": "error",
     "message": "created {$p}",
     "steps": [{"name": "make", "syscalls": ["openat"],
                "where": {"abspath": "$p", "result": "success",
                          "flags": {"contains": "O_CREAT"}}}]},
    {"id": "t-a-fstat", "title": "t", "severity": "warning",
     "message": "fstat of {look.fd_path}",
     "steps": [{"name": "look", "syscalls": ["newfstatat"],
                "where": {"by_fd": True,
                          "fd_path": {"glob": "*/src/*"}}}]},
    {"id": "t-mkdir", "title": "t", "severity": "note",
     "message": "made {$p}",
     "steps": [{"name": "make", "syscalls": ["mkdirat", "mkdir"],
                "where": {"abspath": "$p", "result": "success"}}]},
]}

NAMES = [f"{c}.txt" for c in string.ascii_lowercase[:16]]


FIX = "do it by fd"


def rules(ctx):
    for r in RULES["rules"]:
        r["fix"] = FIX
    return harness.write_file(os.path.join(ctx.tmp, "rules.json"),
                              json.dumps(RULES))


def copy_tree(ctx):
    """src/ with 16 files whose names differ in letters (a fingerprint
    counts digits as one); cp -r src dst, recorded; the findings of the
    trace as JSON (the order cp met the files in)."""
    os.mkdir(os.path.join(ctx.tmp, "src"))
    for n in NAMES:
        harness.write_file(os.path.join(ctx.tmp, "src", n), n)
    trace = os.path.join(ctx.tmp, "t.jsonl")
    r = rules(ctx)
    # cp's frames, stripped, are addresses that change with its build:
    # the report without them
    p = ctx.run(["run", "--no-stacks", "--no-default-rules", "-r", r,
                 "--record", trace, "--", "cp", "-r", "src", "dst"])
    assert sorted(os.listdir(os.path.join(ctx.tmp, "dst"))) == NAMES
    q = ctx.run(["analyze", "--no-default-rules", "-r", r, "-f", "json",
                 trace])
    assert q.returncode == 1, q.stderr
    doc = json.loads(q.stdout)
    harness.check_findings_schema(doc)
    return p, doc


def evidence_line(e):
    path = e.get("abspath") or e.get("fd_path")
    ret = f" = {e['ret']}" if "ret" in e else ""
    return (f"    {e['step']:<8} #{e['seq']} pid {e['pid']} "
            f"{e['syscall']}({path}){ret}\n")


def block(label, group, findings):
    """The text of one group, from its findings in the JSON document."""
    first = findings[group["findings"][0]]
    ev = first["evidence"]
    head = f"{label}[{group['rule']}] {first['message']}"
    if group["count"] > 1:
        head += f" [{group['count']} times]"
    text = head + "\n" + f"    program  pid {ev[0]['pid']}: " \
        f"{ev[0]['program']}\n" + "".join(evidence_line(e) for e in ev)
    others = []
    for i in group["findings"][1:]:
        e = findings[i]["evidence"][0]
        p = e.get("abspath") or e.get("fd_path")
        if p not in others:
            others.append(p)
    if others:
        text += "    also     " + ", ".join(others[:3])
        if len(others) > 3:
            text += f" and {len(others) - 3} more"
        text += "\n"
    return text + f"    fix: {FIX}\n"


def test_copy_of_sixteen_files_is_one_finding_each(ctx):
    p, doc = copy_tree(ctx)
    assert p.returncode == 1, p.stderr
    groups, findings = doc["groups"], doc["findings"]
    # one group per rule, sorted error, warning (t-a-fstat before
    # t-read, although cp reads a file before it closes one), note
    assert [(g["rule"], g["severity"], g["count"], len(g["findings"]))
            for g in groups] == [
        ("t-create", "error", 16, 16), ("t-a-fstat", "warning", 16, 16),
        ("t-read", "warning", 16, 16), ("t-mkdir", "note", 1, 1)], groups
    src = os.path.join(ctx.tmp, "src")
    dst = os.path.join(ctx.tmp, "dst")
    for g, where in zip(groups, (dst, src, src, None)):
        paths = [findings[i]["evidence"][0].get("abspath") or
                 findings[i]["evidence"][0].get("fd_path")
                 for i in g["findings"]]
        if where:
            assert sorted(paths) == [os.path.join(where, n)
                                     for n in NAMES], paths
        assert all(e["program"] == "cp -r src dst"
                   for i in g["findings"]
                   for e in findings[i]["evidence"]), g
    # every finding in exactly one group, each with its own fingerprint
    members = sorted(i for g in groups for i in g["findings"])
    assert members == list(range(len(findings))), members
    fps = [f["fingerprint"] for f in findings]
    assert len(set(fps)) == len(fps) == 49, fps
    assert len({g["fingerprint"] for g in groups}) == 4
    assert doc["counts"] == {"error": 16, "warning": 32, "note": 1}
    labels = ["error", "warning", "warning", "note"]
    want = "".join(block(lb, g, findings) for lb, g in zip(labels, groups))
    want += ("\n"
             "  t-create                     1 error (16 times)\n"
             "  t-a-fstat                    1 warning (16 times)\n"
             "  t-read                       1 warning (16 times)\n"
             "  t-mkdir                      1 note\n"
             f"4 findings (1 error, 2 warning, 1 note) in {doc['events']} "
             "events\n")
    assert p.stderr == want, p.stderr
    # the groups of the run are those of the trace
    out = os.path.join(ctx.tmp, "run.json")
    q = ctx.run(["run", "--no-default-rules", "-r",
                 os.path.join(ctx.tmp, "rules.json"), "-o", out, "--", "cp",
                 "-r", "src", "dst2"])
    assert q.returncode == 1, q.stderr
    again = harness.read_findings(out)
    assert [(g["rule"], g["count"], len(g["findings"]))
            for g in again["groups"]] == \
        [(g["rule"], g["count"], len(g["findings"])) for g in groups]


def test_programs_and_order_across_processes(ctx):
    """Two cp processes of one problem are one finding; install doing
    the same is another; the text names each pid's program."""
    for n in ("a.txt", "b.txt", "c.txt"):
        harness.write_file(os.path.join(ctx.tmp, n), n)
    script = "cp a.txt one; cp b.txt two; install c.txt three"
    out = os.path.join(ctx.tmp, "r.json")
    trace = os.path.join(ctx.tmp, "t.jsonl")
    r = rules(ctx)
    p = ctx.run(["run", "--no-default-rules", "-r", r, "--disable",
                 "t-a-fstat", "--disable", "t-mkdir", "--record", trace,
                 "--", "/bin/sh", "-c", script])
    assert p.returncode == 1, p.stderr
    q = ctx.run(["analyze", "--no-default-rules", "-r", r, "--disable",
                 "t-a-fstat", "--disable", "t-mkdir", "-o", out, trace])
    assert q.returncode == 1, q.stderr
    doc = harness.read_findings(out)
    harness.check_findings_schema(doc)
    f = doc["findings"]
    t = ctx.tmp

    def named(g):
        return [(f[i]["evidence"][-1]["abspath"],
                 f[i]["evidence"][-1]["program"]) for i in g["findings"]]
    assert [(g["rule"], g["count"], named(g)) for g in doc["groups"]] == [
        ("t-create", 2, [(f"{t}/one", "cp a.txt one"),
                         (f"{t}/two", "cp b.txt two")]),
        ("t-create", 1, [(f"{t}/three", "install c.txt three")]),
        ("t-read", 2, [(f"{t}/a.txt", "cp a.txt one"),
                       (f"{t}/b.txt", "cp b.txt two")]),
        ("t-read", 1, [(f"{t}/c.txt", "install c.txt three")]),
    ], doc["groups"]
    heads = [ln for ln in p.stderr.splitlines()
             if not ln.startswith("    ")]
    assert heads == [
        f"error[t-create] created {t}/one [2 times]",
        f"error[t-create] created {t}/three",
        f"warning[t-read] newfstatat then openat of {t}/a.txt [2 times]",
        f"warning[t-read] newfstatat then openat of {t}/c.txt",
        "",
        "  t-create                     2 error (3 times)",
        "  t-read                       2 warning (3 times)",
        f"4 findings (2 error, 2 warning, 0 note) in {doc['events']} "
        "events",
    ], p.stderr
    programs = re.findall(r"^    program  pid \d+: (.*)$", p.stderr, re.M)
    assert programs == ["cp a.txt one", "install c.txt three",
                        "cp a.txt one", "install c.txt three"], p.stderr
    also = re.findall(r"^    also     (.*)$", p.stderr, re.M)
    assert also == [f"{t}/two", f"{t}/b.txt"], p.stderr


def test_text_is_the_default_everywhere(ctx):
    """stderr is a pipe here, as in a CI log: the report is text; -o
    FILE.json and -f json ask for JSON."""
    harness.write_file(os.path.join(ctx.tmp, "a.txt"), "a")
    r = rules(ctx)
    args = ["--no-default-rules", "-r", r, "--disable", "t-a-fstat",
            "--disable", "t-create", "--disable", "t-mkdir"]
    p = ctx.run(["run", *args, "--", "cp", "a.txt", "b.txt"])
    assert p.returncode == 1, p.stderr
    assert p.stderr.startswith(
        f"warning[t-read] newfstatat then openat of {ctx.tmp}/a.txt\n"), \
        p.stderr
    assert p.stderr.endswith(" events\n"), p.stderr
    for out, is_json in (("r.json", True), ("r.txt", False),
                         ("r", False)):
        p = ctx.run(["run", *args, "-o", out, "--", "cp", "a.txt", "c.txt"])
        assert (p.returncode, p.stderr) == (1, ""), p.stderr
        with open(os.path.join(ctx.tmp, out)) as f:
            text = f.read()
        assert text.startswith("{" if is_json else "warning[t-read]"), \
            (out, text[:80])
    p = ctx.run(["run", *args, "-f", "text", "-o", "r.json", "--", "cp",
                 "a.txt", "d.txt"])
    with open(os.path.join(ctx.tmp, "r.json")) as f:
        assert f.read().startswith("warning[t-read]")
    p = ctx.run(["run", *args, "-f", "json", "--", "cp", "a.txt", "e.txt"])
    assert json.loads(p.stderr)["groups"][0]["rule"] == "t-read"


COUNT_RULES = {"rules": [
    {"id": "t-judged", "title": "t", "severity": "warning",
     "message": "{check.syscall} then {use.syscall} of {$p}, then fstat",
     "fix": FIX,
     "steps": [{"name": "check", "syscalls": ["newfstatat"],
                "where": {"abspath": "$p", "result": "success"}},
               {"name": "use", "syscalls": ["openat"],
                "where": {"abspath": "$p", "result": "success",
                          "ret": "$f"}},
               {"name": "look", "syscalls": ["newfstatat"],
                "where": {"by_fd": True, "fd": "$f"}}],
     "use": "use"},
    {"id": "t-uses", "title": "t", "severity": "warning",
     "message": "{make.syscall} of {$p}", "fix": FIX,
     "steps": [{"name": "make", "syscalls": ["openat"],
                "where": {"abspath": "$p", "result": "success"}}]},
]}

FSTATS = """import os
os.stat("f")
fd = os.open("f", os.O_RDONLY)
os.fstat(fd); os.fstat(fd); os.fstat(fd)
os.close(fd)
os.close(os.open("f", os.O_RDONLY))
"""


def test_a_step_past_the_use_counts_one_match_once(ctx):
    # the fstats after the use only judge the match: three of them are
    # one check and one use, not three; the two opens of a one-step
    # rule are two
    r = harness.write_file(os.path.join(ctx.tmp, "rules.json"),
                           json.dumps(COUNT_RULES))
    harness.write_file(os.path.join(ctx.tmp, "f"), "x")
    script = harness.write_file(os.path.join(ctx.tmp, "t.py"), FSTATS)
    out = os.path.join(ctx.tmp, "o.json")
    p = ctx.run(["run", "--no-default-rules", "-r", r, "-f", "json", "-o",
                 out, "--", "/usr/bin/python3", script])
    assert p.returncode == 1, p.stderr
    with open(out) as fp:
        doc = json.load(fp)
    f = os.path.join(ctx.tmp, "f")
    got = sorted((x["rule"], x["count"],
                  [(e["syscall"], e.get("abspath")) for e in x["evidence"]])
                 for x in doc["findings"]
                 if any(e.get("abspath") == f for e in x["evidence"]))
    assert got == [
        ("t-judged", 1, [("newfstatat", f), ("openat", f)]),
        ("t-uses", 2, [("openat", f)])], got


def test_names_that_differ_in_digits_keep_examples(ctx):
    # f1 … f6 have one fingerprint: one finding counted six times, with
    # three of the other names as examples and "and more"
    os.mkdir(os.path.join(ctx.tmp, "src"))
    names = [f"f{i}" for i in range(1, 7)]
    for n in names:
        harness.write_file(os.path.join(ctx.tmp, "src", n), n)
    r = rules(ctx)
    out = os.path.join(ctx.tmp, "o.json")
    p = ctx.run(["run", "--no-default-rules", "-r", r, "--disable",
                 "t-create", "--disable", "t-a-fstat", "--disable",
                 "t-mkdir", "--record", os.path.join(ctx.tmp, "t.jsonl"),
                 "-o", out, "--", "cp", "-r", "src", "dst"])
    assert p.returncode == 1, p.stderr
    with open(out) as f:
        doc = json.load(f)
    harness.check_findings_schema(doc)
    f0, = doc["findings"]
    src = os.path.join(ctx.tmp, "src")
    first = f0["evidence"][0]["abspath"]
    assert f0["count"] == 6, f0
    assert len(f0["examples"]) == 3, f0
    seen = [first] + f0["examples"]
    assert len(set(seen)) == 4 and all(
        os.path.dirname(x) == src and os.path.basename(x) in names
        for x in seen), seen
    q = ctx.run(["analyze", "--no-default-rules", "-r", r, "--disable",
                 "t-create", "--disable", "t-a-fstat", "--disable",
                 "t-mkdir", os.path.join(ctx.tmp, "t.jsonl")])
    assert f"    also     {', '.join(f0['examples'])} and more\n" in \
        q.stdout, q.stdout
