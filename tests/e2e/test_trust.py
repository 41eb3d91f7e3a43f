"""Who besides the program can change a name (docs/trust.md), on real
programs run live: races inside directories the traced tree made and
keeps private are not reported, and neither is what it only reads in
installed code (unless --scope all); the same calls on names others can
change still are."""
import json
import os
import re
import shutil
import tempfile

import harness

PY = "/usr/bin/python3"
RACES = {"check-then-use", "access-then-open", "lstat-then-follow",
         "check-absent-then-create", "path-after-open",
         "create-then-metadata-by-name", "path-reuse-after-rename",
         "unlink-then-rename", "create-in-shared-dir"}


def run(ctx, argv, extra=(), cwd=None):
    out = os.path.join(ctx.tmp, "f.json")
    p = ctx.run(["run", "-f", "json", "-o", out, *extra, "--", *argv],
                cwd=cwd or ctx.tmp)
    assert p.returncode in (0, 1), p.stderr
    with open(out) as f:
        doc = json.load(f)
    harness.check_findings_schema(doc)
    return doc


def races(doc, root):
    """(rule, first path) of each race finding with a path under ROOT."""
    got = set()
    for f in doc["findings"]:
        paths = [e.get(k) for e in f["evidence"]
                 for k in ("abspath", "abspath2")]
        if f["rule"] in RACES and any(p and p.startswith(root + "/")
                                      for p in paths):
            got.add((f["rule"], f["evidence"][0]["abspath"]))
    return got


def script(ctx, text):
    return harness.write_file(os.path.join(ctx.tmp, "t.py"), text)


CHECK_USE = """
import os, sys
d = sys.argv[1]
{make}
p = os.path.join(d, "x")
if not os.path.exists(p):
    open(p, "w").write("x")
os.stat(p)
open(p).read()
"""


def test_own_directory_is_private(ctx):
    """mkdir d, then check-then-create and stat-then-open d/x: no one else
    can write in d. The twin: the same calls in a d the tree did not make."""
    s = script(ctx, CHECK_USE.format(make="os.mkdir(d)"))
    d = os.path.join(ctx.tmp, "d")
    assert races(run(ctx, [PY, s, d]), d) == set()
    s = script(ctx, CHECK_USE.format(make=""))
    d = os.path.join(ctx.tmp, "e")
    os.mkdir(d)
    x = os.path.join(d, "x")
    assert races(run(ctx, [PY, s, d]), d) == {
        ("check-absent-then-create", x), ("check-then-use", x)}


def test_mkdtemp_is_private(ctx):
    s = script(ctx, CHECK_USE.format(
        make="import tempfile; d = tempfile.mkdtemp(dir=d); "
             "print(d, flush=True)"))
    p = ctx.run(["run", "-f", "json", "-o", os.path.join(ctx.tmp, "f.json"),
                 "--", PY, s, "/tmp"])
    made = p.stdout.strip()
    try:
        assert made.startswith("/tmp/tmp"), p.stdout
        with open(os.path.join(ctx.tmp, "f.json")) as f:
            assert races(json.load(f), made) == set()
    finally:
        if made.startswith("/tmp/tmp"):
            os.unlink(os.path.join(made, "x"))
            os.rmdir(made)


def test_world_writable_dir_is_not_private(ctx):
    """umask 0 and mode 0777, or a chmod o+w: others can write there."""
    for name, make in (("u", "os.umask(0); os.mkdir(d, 0o777)"),
                       ("c", "os.mkdir(d, 0o700); os.chmod(d, 0o757)")):
        s = script(ctx, CHECK_USE.format(make=make))
        d = os.path.join(ctx.tmp, name)
        x = os.path.join(d, "x")
        assert races(run(ctx, [PY, s, d]), d) == {
            ("check-absent-then-create", x), ("check-then-use", x)}, name


EXCL = """
import os, sys
p = sys.argv[1]
fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
os.close(fd)
os.stat(p); open(p).read()
os.unlink(p)
open(p, "w").close()
os.stat(p + ""); open(p).read()
os.unlink(p)
"""


def test_excl_name_in_sticky_dir_until_unlinked(ctx):
    """The tree's own O_EXCL name in /tmp is not shared; once unlinked and
    made again without O_EXCL, it is."""
    s = script(ctx, EXCL)
    fd, p = tempfile.mkstemp(prefix="fsrace-trust-", dir="/tmp")
    os.close(fd)
    os.unlink(p)
    doc = run(ctx, [PY, s, p])
    unlink = min(e["seq"] for f in doc["findings"] for e in f["evidence"]
                 if e.get("abspath") == p and e["syscall"] == "unlink")
    got = [(f["severity"], [e["seq"] < unlink for e in f["evidence"]])
           for f in doc["findings"] if f["rule"] == "check-then-use"
           and f["evidence"][0]["abspath"] == p]
    # the stat-then-open of the O_EXCL file is not reported; what uses
    # the name made again without O_EXCL is, raised to an error in /tmp
    assert got and all(sev == "error" and not before[-1]
                       for sev, before in got), got


SCOPE = """
import os, sys
for p in sys.argv[1:]:
    os.stat(p); open(p).read()
"""


def test_installed_code_out_of_scope(ctx):
    s = script(ctx, SCOPE)
    mine = harness.write_file(os.path.join(ctx.tmp, "data"), "x")
    os_release = "/usr/lib/os-release"
    doc = run(ctx, [PY, s, os_release, mine])
    got = {(f["rule"], f["evidence"][0]["abspath"]) for f in doc["findings"]
           if f["rule"] == "check-then-use"
           and f["evidence"][0]["abspath"] in (os_release, mine)}
    assert got == {("check-then-use", mine)}
    doc = run(ctx, [PY, s, os_release, mine], extra=["--scope", "all"])
    got = {(f["rule"], f["severity"], f["evidence"][0]["abspath"])
           for f in doc["findings"] if f["rule"] == "check-then-use"
           and f["evidence"][0]["abspath"] in (os_release, mine)}
    assert got == {("check-then-use", "warning", mine),
                   ("check-then-use", "note", os_release)}


def test_out_of_scope_counted_in_the_text(ctx):
    # what the scope left out is counted on the report's last line, with
    # the option that reports it; --scope all reports it (a note: /usr)
    s = script(ctx, SCOPE)
    p = ctx.run(["run", "--", PY, s, "/usr/lib/os-release"])
    assert p.returncode == 0, p.stderr
    tail = p.stderr.splitlines()[-2:]
    assert re.fullmatch(r"0 findings \(0 error, 0 warning, 0 note\) in "
                        r"\d+ events", tail[0]), tail
    assert tail[1] == ("not reported: 1 suppressed (--show-suppressed "
                       "lists them), 1 out of scope (--scope all reports "
                       "them)"), tail
    p = ctx.run(["run", "--scope", "all", "--", PY, s, "/usr/lib/os-release"])
    tail = p.stderr.splitlines()[-2:]
    assert re.fullmatch(r"1 finding \(0 error, 0 warning, 1 note\) in "
                        r"\d+ events", tail[0]), tail
    assert tail[1] == ("not reported: 1 suppressed (--show-suppressed "
                       "lists them)"), tail


def test_scope_value(ctx):
    p = ctx.run(["analyze", "--scope", "some", "t.jsonl"])
    assert (p.returncode, p.stdout) == (2, ""), p
    assert p.stderr == "fsrace: --scope takes all or default, not 'some'\n"


def test_git_init_add_commit_private(ctx):
    """git's fresh .git: no race findings inside it."""
    r = os.path.join(ctx.tmp, "r")
    doc = run(ctx, ["sh", "-c",
                    "git init -q r && cd r && echo a > a && git add a && "
                    "git -c user.email=a@b -c user.name=n commit -qm m"])
    assert races(doc, r) == set()


def test_venv_private(ctx):
    """python3 -m venv: nothing inside the venv it makes (the check of the
    venv's own name, before it exists, is another matter)."""
    v = os.path.join(ctx.tmp, "v")
    doc = run(ctx, [PY, "-m", "venv", "--without-pip", v])
    assert races(doc, v) == set()


def test_access_then_open_privilege(ctx):
    """access then open is the set-id hole: a warning in a set-uid run, a
    note when the trace shows an unprivileged process (creds recorded at
    exec), the rule's warning when it does not say."""
    if os.geteuid() != 0:
        raise harness.Skip("making a set-uid program needs root")
    os.chmod(ctx.tmp, 0o755)
    harness.write_file(os.path.join(ctx.tmp, "data"), "some data\n", 0o644)
    prog = ctx.fixture("rule-access-then-open-bad")
    got = {}
    for name in ("plain", "setuid"):
        exe = os.path.join(ctx.tmp, name)
        shutil.copy(prog, exe)
        if name == "setuid":
            os.chown(exe, 65534, -1)
            os.chmod(exe, 0o4755)
        trace = os.path.join(ctx.tmp, name + ".jsonl")
        doc = run(ctx, [exe], extra=["--record", trace])
        got[name] = [f["severity"] for f in doc["findings"]
                     if f["rule"] == "access-then-open"]
        _, records = harness.read_trace(trace)
        execs = [r for r in records if r.get("syscall") == "execve"
                 and r.get("abspath") == exe]
        assert len(execs) == 1, execs
        got[name + " creds"] = "creds" in execs[0]
    plain = "note" if got["plain creds"] else "warning"
    assert (got["plain"], got["setuid"]) == ([plain], ["warning"]), got


def test_own_program_keeps_its_dir_in_scope(ctx):
    """A program in a bin/ of the scratch directory, whether the tree made
    it (cp) or it was there (the tree's working directory holds its
    prefix), does not put its files out of scope as installed code."""
    prog = ctx.fixture("stat_open")
    os.makedirs(os.path.join(ctx.tmp, "bin"))
    shutil.copy(prog, os.path.join(ctx.tmp, "bin", "prog"))
    harness.write_file(os.path.join(ctx.tmp, "data"), "x\n")
    os.makedirs(os.path.join(ctx.tmp, "sub"))
    harness.write_file(os.path.join(ctx.tmp, "sub", "data"), "x\n")
    doc = run(ctx, ["sh", "-c",
                    f"mkdir sub/bin && cp {prog} sub/bin/prog && "
                    "./bin/prog data nothing && "
                    "cd sub && ./bin/prog data nothing"])
    assert races(doc, ctx.tmp) == {
        ("check-then-use", os.path.join(ctx.tmp, "data")),
        ("check-then-use", os.path.join(ctx.tmp, "sub", "data"))}


def test_gcc_own_temp_files(ctx):
    """gcc's mkstemp files in /tmp are its own: the driver's stat then
    unlink of each is not a race with other users (nor raised to an
    error for /tmp)."""
    if not harness.which("gcc"):
        raise harness.Skip("no gcc")
    src = harness.write_file(os.path.join(ctx.tmp, "x.c"),
                             "int main(void) { return 0; }\n")
    trace = os.path.join(ctx.tmp, "t.jsonl")
    doc = run(ctx, ["gcc", "-o", os.path.join(ctx.tmp, "x"), src],
              extra=["--record", trace])
    temps = [(f["rule"], f["severity"], e["abspath"])
             for f in doc["findings"] for e in f["evidence"][:1]
             if f["rule"] in RACES
             and (e.get("abspath") or "").startswith("/tmp/cc")]
    assert temps == [], temps
    # the temporary files were there, made O_EXCL, then stat'ed and
    # unlinked by name
    _, records = harness.read_trace(trace)
    made = {r["abspath"] for r in records if r.get("syscall") == "openat"
            and r.get("abspath", "").startswith("/tmp/cc")
            and "O_EXCL" in r["flags"] and r["ret"] >= 0}
    checked = {r["abspath"] for r in records
               if r.get("syscall") == "newfstatat"
               and r.get("abspath") in made}
    unlinked = {r["abspath"] for r in records
                if r.get("syscall") == "unlink" and r.get("abspath") in made}
    assert made and checked & unlinked, (made, checked, unlinked)


def test_cp_a_new_dir_name_stays_shared(ctx):
    """cp -a makes copy/ and sets its metadata by name at the end: whoever
    can write the scratch directory can swap copy for a symlink in between
    (a true finding, kept), while nothing cp makes inside copy/ is
    anyone else's to change."""
    tree = os.path.join(ctx.tmp, "tree")
    os.makedirs(os.path.join(tree, "sub"))
    harness.write_file(os.path.join(tree, "alpha"), "alpha\n")
    harness.write_file(os.path.join(tree, "sub", "beta"), "beta\n")
    os.symlink("alpha", os.path.join(tree, "link"))
    copy = os.path.join(ctx.tmp, "copy")
    doc = run(ctx, ["cp", "-a", tree, copy])
    got = races(doc, ctx.tmp)
    assert ("create-then-metadata-by-name", copy) in got, got
    assert not [g for g in got if g[1].startswith(copy + "/")], got
