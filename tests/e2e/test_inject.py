"""--inject (issue 11): a matching call fails with the errno given,
without being made, so that the rare paths run: shutil.move's copy
fallback on one file system, mv's; only the calls a path glob or a count
selects; the injected events marked in the trace, in dump and in the
evidence; strace's own injections read back from its log; bad specs
refused before the program runs."""
import json
import os
import subprocess

import harness

PY = "/usr/bin/python3"
USAGE = "--inject takes SYSCALL=ERRNO[:path=GLOB][:when=N|N+|N..M]"


def workspace(ctx, name="w"):
    d = os.path.join(ctx.tmp, name)
    os.mkdir(d)
    return d


def run_json(ctx, cwd, argv, *opts):
    out = os.path.join(ctx.tmp, "f.json")
    if os.path.exists(out):
        os.unlink(out)
    p = ctx.run(["run", "--fail-on", "none", "-o", out, *opts, "--",
                 *argv], cwd=cwd)
    doc = harness.read_findings(out)
    harness.check_findings_schema(doc)
    return p, doc


def summary(doc, root):
    def rel(e):
        return tuple(os.path.relpath(e[k], root) for k in
                     ("abspath", "abspath2") if e.get(k))
    return sorted((f["rule"],
                   [(e["syscall"], *rel(e)) + (("injected",) if
                                               e.get("injected") else ())
                    for e in f["evidence"]])
                  for f in doc["findings"])


MOVE = [PY, "-c", "import shutil; shutil.move('A', 'B')"]


def test_inject_exdev_into_shutil_move(ctx):
    """On one file system shutil.move is one rename; with rename failing
    EXDEV it copies and unlinks, which is bpo-30400's race: the fallback,
    the source checked then opened by name, the metadata set by name on
    the destination."""
    w = workspace(ctx)
    harness.write_file(os.path.join(w, "A"), "hello\n")
    p, doc = run_json(ctx, w, MOVE)
    assert (p.returncode, summary(doc, w)) == (0, []), (p.stderr, doc)
    os.rename(os.path.join(w, "B"), os.path.join(w, "A"))
    p, doc = run_json(ctx, w, MOVE, "--inject", "rename=EXDEV")
    assert p.returncode == 0, p.stderr
    # the fallback did the move
    assert sorted(os.listdir(w)) == ["B"]
    with open(os.path.join(w, "B")) as f:
        assert f.read() == "hello\n"
    assert summary(doc, w) == [
        ("check-absent-then-create", [("newfstatat", "B"), ("openat", "B")]),
        ("create-then-metadata-by-name", [("openat", "B"), ("chmod", "B")]),
        ("create-then-metadata-by-name",
         [("openat", "B"), ("utimensat", "B")]),
        ("exdev-copy-fallback", [("rename", "A", "B", "injected"),
                                 ("openat", "A"), ("openat", "B"),
                                 ("unlink", "A")]),
        ("lstat-then-follow", [("newfstatat", "A"), ("openat", "A")]),
    ], summary(doc, w)
    fail = [f for f in doc["findings"] if f["rule"] == "exdev-copy-fallback"]
    e = fail[0]["evidence"][0]
    assert (e["ret"], e["errno"], e["injected"]) == (-1, "EXDEV", True), e


def test_inject_exdev_into_mv(ctx):
    """mv under the same injection: the non-atomic move, and no
    check-then-use (mv opens its source with O_NOFOLLOW and compares)."""
    w = workspace(ctx)
    harness.write_file(os.path.join(w, "A"), "hello\n")
    p, doc = run_json(ctx, w, ["/bin/mv", "A", "B"], "--inject",
                      "@rename=EXDEV")
    assert p.returncode == 0, p.stderr
    assert sorted(os.listdir(w)) == ["B"]
    assert summary(doc, w) == [
        ("exdev-copy-fallback", [("renameat2", "A", "B", "injected"),
                                 ("openat", "A"), ("openat", "B"),
                                 ("unlinkat", "A")])], summary(doc, w)


TWO_RENAMES = """import os
for a, b in (("A", "B"), ("C", "D")):
    try:
        os.rename(a, b)
        print(a, "ok")
    except OSError as e:
        print(a, e.strerror)
"""


def test_inject_only_its_path(ctx):
    """path= selects by the resolved absolute path (a rename's either
    path), a relative glob taken from the working directory; the trace
    marks the one injected call and names the spec in its header."""
    w = workspace(ctx)
    for n in ("A", "C"):
        harness.write_file(os.path.join(w, n), n)
    script = harness.write_file(os.path.join(ctx.tmp, "r.py"), TWO_RENAMES)
    trace = os.path.join(ctx.tmp, "t.jsonl")
    spec = "rename=EXDEV:path=D"
    p = ctx.run(["record", "--inject", spec, "-o", trace, "--", PY, script],
                cwd=w)
    assert (p.returncode, p.stdout) == (
        0, "A ok\nC Invalid cross-device link\n"), p
    assert sorted(os.listdir(w)) == ["B", "C"]
    header, recs = harness.read_trace(trace)
    assert header["options"]["inject"] == [spec], header
    got = [(r["path"], r["path2"], r["ret"], r.get("errno"),
            r.get("injected")) for r in recs if r.get("syscall") == "rename"]
    assert got == [("A", "B", 0, None, None),
                   ("C", "D", -1, "EXDEV", True)], got
    # dump shows it as strace does
    p = ctx.run(["dump", trace])
    line, = [x for x in p.stdout.splitlines() if 'rename("C"' in x]
    assert " = -1 EXDEV (Invalid cross-device link) (new) (INJECTED)" in \
        line, line
    assert "INJECTED" not in [x for x in p.stdout.splitlines()
                              if 'rename("A"' in x][0]


STATS = """import os
for i in range(4):
    try:
        os.stat("f")
        print("ok", end=" ")
    except OSError as e:
        print(e.strerror, end=" ")
"""


def test_inject_when(ctx):
    """when= counts the matching calls from 1: N, N+, N..M; a group
    names the calls."""
    w = workspace(ctx)
    harness.write_file(os.path.join(w, "f"), "x")
    harness.write_file(os.path.join(w, "g"), "x")
    script = harness.write_file(os.path.join(ctx.tmp, "s.py"), STATS)
    for when, want in (("2", "ok EACCES ok ok "),
                       ("3+", "ok ok EACCES EACCES "),
                       ("2..3", "ok EACCES EACCES ok "),
                       ("1..1", "EACCES ok ok ok ")):
        p = ctx.run(["run", "--inject", f"@stat=EACCES:path=f:when={when}",
                     "--", PY, script], cwd=w)
        got = p.stdout.replace("Permission denied", "EACCES")
        assert (p.returncode, got) == (0, want), (when, p)
    # another path's stats are not counted
    p = ctx.run(["run", "--inject", "@stat=EACCES:path=g:when=1", "--",
                 PY, script], cwd=w)
    assert p.stdout == "ok ok ok ok ", p


def test_inject_several_specs(ctx):
    """Each spec counts its own calls; the first that takes a call fails
    it."""
    w = workspace(ctx)
    harness.write_file(os.path.join(w, "f"), "x")
    script = harness.write_file(os.path.join(ctx.tmp, "s.py"), STATS)
    p = ctx.run(["run", "--inject", "newfstatat=ENOENT:path=*/f:when=1",
                 "--inject", "@stat=EACCES:path=*/f:when=1..2", "--", PY,
                 script], cwd=w)
    got = p.stdout.replace("Permission denied", "EACCES").replace(
        "No such file or directory", "ENOENT")
    assert got == "ENOENT EACCES ok ok ", p


def test_inject_read_from_a_strace_log(ctx):
    """strace -e inject marks its own: the event reads as injected."""
    strace = harness.which("strace")
    if not strace:
        raise harness.Skip("no strace")
    w = workspace(ctx)
    harness.write_file(os.path.join(w, "A"), "hello\n")
    log = os.path.join(ctx.tmp, "s.log")
    p = subprocess.run([strace, "-f", "-tt", "-T", "-y", "-yy", "-v", "-o",
                        log, "-e", "inject=rename:error=EXDEV", *MOVE],
                       cwd=w, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    out = os.path.join(ctx.tmp, "f.json")
    p = ctx.run(["analyze", "--fail-on", "none", "-o", out, log])
    assert p.returncode == 0, p.stderr
    doc = harness.read_findings(out)
    fail, = [f for f in doc["findings"] if f["rule"] == "exdev-copy-fallback"]
    assert fail["evidence"][0]["injected"] is True, fail
    p = ctx.run(["analyze", "--fail-on", "none", "-o", "text:-", log])
    assert "= -1 EXDEV (injected) at " in p.stdout, p.stdout


BAD_SPECS = [
    ("rename", f"{USAGE}, not 'rename'"),
    ("=EXDEV", f"{USAGE}, not '=EXDEV'"),
    ("frob=EXDEV", "--inject frob=EXDEV: unknown syscall 'frob' (not one "
     "fsrace traces)"),
    ("@frob=EXDEV", "--inject @frob=EXDEV: unknown syscall group or class "
     "'@frob'"),
    ("rename=EFROB", "--inject rename=EFROB: 'EFROB' is not an errno (a "
     "name such as EXDEV, or a number from 1 to 511)"),
    ("rename=0", "--inject rename=0: '0' is not an errno (a name such as "
     "EXDEV, or a number from 1 to 511)"),
    ("rename=", "--inject rename=: '' is not an errno (a name such as "
     "EXDEV, or a number from 1 to 511)"),
    ("close=EBADF", "--inject close=EBADF: close cannot be failed (fsrace "
     "does not stop at its exit)"),
    ("rename=EXDEV:when=0", "--inject rename=EXDEV:when=0: when takes N, "
     "N+ or N..M (calls counted from 1), not '0'"),
    ("rename=EXDEV:when=3..2", "--inject rename=EXDEV:when=3..2: when takes "
     "N, N+ or N..M (calls counted from 1), not '3..2'"),
    ("rename=EXDEV:when=2x", "--inject rename=EXDEV:when=2x: when takes N, "
     "N+ or N..M (calls counted from 1), not '2x'"),
    ("rename=EXDEV:color=red", "--inject rename=EXDEV:color=red: unknown "
     "key 'color' (path or when)"),
    ("rename=EXDEV:path=", "--inject rename=EXDEV:path=: path needs a glob"),
    ("rename=EXDEV:path=a:path=b", "--inject rename=EXDEV:path=a:path=b: "
     "path is given twice"),
    ("rename=EXDEV:oops", "--inject rename=EXDEV:oops: 'oops' is not "
     "KEY=VALUE (path or when)"),
]


def test_inject_bad_specs(ctx):
    marker = os.path.join(ctx.tmp, "ran")
    trace = os.path.join(ctx.tmp, "t.jsonl")
    for spec, msg in BAD_SPECS:
        for cmd in (["run"], ["record", "-o", trace]):
            p = ctx.run([*cmd, "--inject", spec, "--", "/bin/touch", marker])
            assert (p.returncode, p.stdout, p.stderr) == (
                2, "", f"fsrace: {msg}\n"), (cmd, spec, p)
            assert not os.path.exists(marker), (cmd, spec)
            assert not os.path.exists(trace), (cmd, spec)
    p = ctx.run(["analyze", "--inject", "rename=EXDEV", trace])
    assert (p.returncode, p.stderr) == (
        2, "fsrace: unknown option '--inject' (see fsrace analyze --help)\n"
    ), p


def test_inject_without_seccomp(ctx):
    """--no-seccomp stops at every call: the syscall-entry stop is where
    the call is skipped then, with the same effect."""
    w = workspace(ctx)
    harness.write_file(os.path.join(w, "A"), "hello\n")
    trace = os.path.join(ctx.tmp, "t.jsonl")
    p = ctx.run(["record", "--no-seccomp", "--inject", "rename=EXDEV", "-o",
                 trace, "--", *MOVE], cwd=w)
    assert p.returncode == 0, p.stderr
    assert sorted(os.listdir(w)) == ["B"]
    header, recs = harness.read_trace(trace)
    assert header["options"]["seccomp"] is False, header
    got = [(r["syscall"], r["ret"], r.get("errno"), r.get("injected"))
           for r in recs if r.get("syscall") == "rename"]
    assert got == [("rename", -1, "EXDEV", True)], got


def test_inject_a_class_takes_its_calls_that_can_fail(ctx):
    """@sync holds sync, which fsrace cannot fail (no exit stop): the
    class's other calls are failed; a group of such calls only is
    refused."""
    w = workspace(ctx)
    p = ctx.run(["run", "--inject", "@sync=EIO", "--", PY, "-c",
                 "import os\nfd = os.open('f', os.O_WRONLY | os.O_CREAT)\n"
                 "try:\n    os.fsync(fd)\nexcept OSError as e:\n"
                 "    print(e.strerror)\n"], cwd=w)
    assert (p.returncode, p.stdout) == (0, "Input/output error\n"), p
    rules = harness.write_file(os.path.join(ctx.tmp, "g.json"), json.dumps(
        {"groups": {"closes": ["close", "close_range"]}}))
    p = ctx.run(["run", "-r", rules, "--inject", "@closes=EBADF", "--",
                 "/bin/true"])
    assert (p.returncode, p.stdout, p.stderr) == (
        2, "", "fsrace: --inject @closes=EBADF: no call of @closes can be "
        "failed (fsrace does not stop at their exit)\n"), p
