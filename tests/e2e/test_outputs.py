"""Several reports from one run (`-o FORMAT:FILE`, repeatable), colours
(`--color`, NO_COLOR) and GitHub's workflow commands (`--format
github`, with the step summary), issue 10. The findings come from
test_text_report's hand-written trace (one error found twice, one note)
and from the stacks fixture run live, whose lines are its marked ones."""
import json
import os
import re
import shutil

import harness
import test_text_report as tt
from test_stacks import SRC, files, marked, need_stacks

ROOT = harness.SOURCE_ROOT


def analyze(ctx, *args, env=None):
    rules, trace = tt.setup(ctx)
    return ctx.run(["analyze", "--no-default-rules", "-r", rules, *args,
                    trace], env=env), trace


def test_several_outputs_from_one_run(ctx):
    j = os.path.join(ctx.tmp, "f.json")
    s = os.path.join(ctx.tmp, "f.sarif")
    colon = os.path.join(ctx.tmp, "a:b.json")
    p, _ = analyze(ctx, "-o", "text:-", "-o", f"json:{j}", "-o",
                   f"sarif:{s}", "-o", colon)
    assert (p.returncode, p.stderr) == (1, ""), p.stderr
    assert p.stdout == tt.TEXT, p.stdout
    with open(j) as f:
        doc = json.load(f)
    assert [(x["rule"], x["count"]) for x in doc["findings"]] == [
        ("gone-then-made", 2), ("renamed", 1)], doc
    with open(s) as f:
        sarif = json.load(f)
    assert [(r["ruleId"], r["level"]) for r in sarif["runs"][0]["results"]] \
        == [("gone-then-made", "error"), ("renamed", "note")]
    # "a" is no format: a file name with a colon, JSON by its suffix
    with open(colon) as f:
        assert json.load(f)["findings"] == doc["findings"]


def test_format_applies_to_outputs_without_one(ctx):
    # -f is the format of every -o that names none
    a = os.path.join(ctx.tmp, "a.out")
    b = os.path.join(ctx.tmp, "b.out")
    p, _ = analyze(ctx, "-f", "json", "-o", a, "-o", f"text:{b}")
    assert (p.returncode, p.stdout, p.stderr) == (1, "", ""), p
    with open(a) as f:
        assert len(json.load(f)["findings"]) == 2
    with open(b) as f:
        assert f.read() == tt.TEXT


def test_bad_outputs_stop_before_the_program(ctx):
    marker = os.path.join(ctx.tmp, "ran")
    ok = os.path.join(ctx.tmp, "ok.json")
    for o, msg in (("json:", "-o json: names no file (- for standard "
                    "output)"),
                   (f"sarif:{ctx.tmp}/no/dir/f.sarif",
                    f"cannot create '{ctx.tmp}/no/dir/f.sarif': No such "
                    "file or directory")):
        p = ctx.run(["run", "-o", ok, "-o", o, "--", "/bin/sh", "-c",
                     f": > {marker}"])
        assert (p.returncode, p.stderr) == (2, f"fsrace: {msg}\n"), p
        assert not os.path.exists(marker) and not os.path.exists(ok)
    p = ctx.run(["run", "-f", "yaml", "--", "/bin/true"])
    assert (p.returncode, p.stderr) == (
        2, "fsrace: unknown format 'yaml' (text, json, sarif, github, codequality or html)\n")
    many = [a for i in range(17) for a in ("-o", f"{ctx.tmp}/{i}.json")]
    p = ctx.run(["run", *many, "--", "/bin/true"])
    assert (p.returncode, p.stderr) == (2, "fsrace: at most 16 -o "
                                        "outputs\n"), p.stderr


def test_colour_when_asked(ctx):
    out = os.path.join(ctx.tmp, "c.txt")
    p, _ = analyze(ctx, "--color=always", "-o", out)
    assert p.returncode == 1, p.stderr
    with open(out) as f:
        assert f.read() == tt.COLOR
    p, _ = analyze(ctx, "--color", "always")
    assert p.stdout == tt.COLOR
    # never: not even on a terminal; always: even with NO_COLOR
    rules, trace = tt.setup(ctx)
    base = [ctx.fsrace, "analyze", "--no-default-rules", "-r", rules]
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    assert tt.on_a_terminal(base + ["--color=never", trace], env) == \
        (1, tt.TEXT)
    assert tt.on_a_terminal(base + ["--color=auto", trace], env) == \
        (1, tt.COLOR)
    assert tt.on_a_terminal(base + ["--color=always", trace],
                            dict(env, NO_COLOR="1")) == (1, tt.COLOR)
    p = ctx.run(["analyze", "--color=sometimes", trace])
    assert (p.returncode, p.stderr) == (
        2, "fsrace: --color takes auto, always or never, not "
        "'sometimes'\n")


def annotations(text):
    return [line for line in text.splitlines() if line.startswith("::")]


def test_github_annotations_of_a_trace(ctx):
    # no stacks, no log: annotations on the run, not on a file; % and
    # newlines escaped; a note is a notice
    summary = os.path.join(ctx.tmp, "summary.md")
    harness.write_file(summary, "before\n")
    env = dict(os.environ, GITHUB_STEP_SUMMARY=summary)
    p, _ = analyze(ctx, "-f", "github", env=env)
    assert (p.returncode, p.stderr) == (1, ""), p.stderr
    assert p.stdout.splitlines() == [
        "::error title=gone-then-made::/d/new1 checked then made [2 times]"
        "%0Acheck: newfstatat(/d/new1) = -1 ENOENT in pid 7, event #1"
        "%0Amake: openat(/d/new1) = 3 in pid 7, event #2"
        "%0Afix: use O_EXCL",
        "::notice title=renamed::/d/a renamed"
        "%0Amove: renameat2(/d/a -> /d/b) = 0 in pid 7, event #5"], \
        p.stdout
    with open(summary) as f:
        assert f.read() == (
            "before\n"
            "### fsrace: 2 findings (1 error, 0 warning, 1 note) in 5 "
            "events\n\n"
            "| severity | rule | where | finding | times |\n"
            "|---|---|---|---|---:|\n"
            "| error | `gone-then-made` | | /d/new1 checked then made | 2 |\n"
            "| note | `renamed` | | /d/a renamed | 1 |\n\n")


def test_github_annotations_at_the_code(ctx):
    # with stacks, at the fixture's line, relative to the workspace
    need_stacks(ctx)
    prog = ctx.fixture("stack_twofn_O0")
    cfg, = files(ctx, "cfg")
    env = {k: v for k, v in os.environ.items()
           if k != "GITHUB_STEP_SUMMARY"}
    env["GITHUB_WORKSPACE"] = ROOT
    p = ctx.run(["run", "--stacks", "-o", "github:-", "--", prog, cfg],
                env=env)
    assert p.returncode == 1, p.stderr
    line, = annotations(p.stdout)
    rel = os.path.relpath(SRC, ROOT)
    m = re.fullmatch(r"::warning file=([^,]+),line=(\d+),"
                     r"title=check-then-use::(.*)", line)
    assert m and (m[1], int(m[2])) == (rel, marked("USE")), line
    assert m[3].startswith(f"newfstatat('{cfg}') then openat('{cfg}')"), \
        line
    assert "%0Acheck: newfstatat(" in m[3] and "%0Ause: openat(" in m[3]
    # outside the workspace: the file as it is, its colon escaped
    env["GITHUB_WORKSPACE"] = "/nonexistent"
    p = ctx.run(["run", "--stacks", "-o", "github:-", "--", prog, cfg],
                env=env)
    line, = annotations(p.stdout)
    assert line.startswith(f"::warning file={SRC},line={marked('USE')},")


def test_github_annotations_of_a_strace_log(ctx):
    log = os.path.join(ROOT, "fixtures", "strace", "sed-i", "trace.log")
    env = {k: v for k, v in os.environ.items()
           if k not in ("GITHUB_STEP_SUMMARY", "GITHUB_WORKSPACE")}
    p = ctx.run(["analyze", "-f", "github", log], env=env, cwd=ROOT)
    assert p.returncode == 1, p.stderr
    line, = annotations(p.stdout)
    assert line.startswith("::warning file=fixtures/strace/sed-i/"
                           "trace.log,line=91,title=rename-without-fsync::"
                           "openat('/tmp/fsrace-corpus/sed-i/sedjLYRo6') "
                           "for writing, then rename("), line


def test_github_escapes_a_file_name_and_a_relative_log(ctx):
    # a log named with a comma and a colon, given relative to the working
    # directory, with --root elsewhere: the file property escaped, the
    # path from the working directory
    log = os.path.join(ROOT, "fixtures", "strace", "sed-i", "trace.log")
    sub = os.path.join(ctx.tmp, "sub")
    os.mkdir(sub)
    shutil.copy(log, os.path.join(ctx.tmp, "a,b:c.log"))
    env = {k: v for k, v in os.environ.items()
           if k not in ("GITHUB_STEP_SUMMARY", "GITHUB_WORKSPACE")}
    p = ctx.run(["analyze", "--root", "sub", "-f", "github", "a,b:c.log"],
                env=env)
    assert p.returncode == 1, p.stderr
    line, = annotations(p.stdout)
    want = os.path.join(ctx.tmp, "a%2Cb%3Ac.log")
    assert line.startswith(f"::warning file={want},line=91,"), line
    # under the root: relative to it
    p = ctx.run(["analyze", "-f", "github", "a,b:c.log"], env=env)
    line, = annotations(p.stdout)
    assert line.startswith("::warning file=a%2Cb%3Ac.log,line=91,"), line


def test_analyze_from_a_pipe(ctx):
    # a log on a pipe is read once: nothing peeks at it first
    log = os.path.join(ROOT, "fixtures", "strace", "sed-i", "trace.log")
    with open(log) as f:
        p = ctx.run(["analyze", "-f", "json", "/dev/stdin"], stdin=f)
    assert p.returncode == 1, p.stderr
    assert [x["rule"] for x in json.loads(p.stdout)["findings"]] == [
        "rename-without-fsync"]


def test_gitlab_code_quality(ctx):
    # CodeClimate's issues, one a group: at the log's line, the rule, a
    # severity GitLab knows, the finding's fingerprint
    log = os.path.join(ROOT, "fixtures", "strace", "sed-i", "trace.log")
    out = os.path.join(ctx.tmp, "cq.json")
    p = ctx.run(["analyze", "-o", f"codequality:{out}", "-o",
                 f"json:{ctx.tmp}/f.json", log], cwd=ROOT)
    assert p.returncode == 1, p.stderr
    with open(out) as f:
        issues = json.load(f)
    with open(f"{ctx.tmp}/f.json") as f:
        finding, = json.load(f)["findings"]
    issue, = issues
    assert issue == {
        "description": finding["message"],
        "check_name": "rename-without-fsync",
        "fingerprint": finding["fingerprint"],
        "severity": "major",
        "location": {"path": "fixtures/strace/sed-i/trace.log",
                     "lines": {"begin": 91}}}, issue
    # notes are info, errors critical; without a place, the file it is
    # about, at line 1
    p, _ = analyze(ctx, "-o", f"codequality:{out}")
    with open(out) as f:
        got = [(i["check_name"], i["severity"], i["location"])
               for i in json.load(f)]
    assert got == [
        ("gone-then-made", "critical", {"path": "/d/new1",
                                        "lines": {"begin": 1}}),
        ("renamed", "info", {"path": "/d/b", "lines": {"begin": 1}})], got


def test_text_report_links_the_rule(ctx):
    # a shipped rule's row of docs/rules.md, after its fix; a user's own
    # rule has none (test_text_report's whole reports)
    log = os.path.join(ROOT, "fixtures", "strace", "sed-i", "trace.log")
    p = ctx.run(["analyze", log])
    assert p.returncode == 1, p.stderr
    lines = p.stdout.splitlines()
    at = next(i for i, line in enumerate(lines)
              if line.startswith("    fix: "))
    assert re.fullmatch(r"    docs: file://\S+/rules\.md#"
                        r"rename-without-fsync", lines[at + 1]), lines
    with open(os.path.join(ROOT, "docs", "rules.md")) as f:
        assert '<a id="rename-without-fsync"></a>' in f.read()
