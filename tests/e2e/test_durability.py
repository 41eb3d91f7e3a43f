"""Durability intent (docs/durability.md): missing-dir-fsync and
rename-without-fsync only where the traced tree shows it means a name to
be durable, judged when the trace ends; in-place-rewrite.

Real programs run live under `fsrace run` (cp, tar, unzip, install, ln,
git, CPython's pyc writes must be quiet; sed -i, perl -i, ed and
`sort -o f f` must be reported), the fixtures of fixtures/rules/
{missing-dir-fsync,rename-without-fsync,in-place-rewrite} that the core
table of test_rules.py does not run, and the same fixtures from strace
logs.
"""
import json
import os
import re
import shutil
import subprocess

import harness
from harness import Skip
import test_rules as tr
import test_strace as ts

DURABILITY = ("missing-dir-fsync", "rename-without-fsync", "in-place-rewrite")
PYTHON = "/usr/bin/python3"


def need(*progs):
    for p in progs:
        if not shutil.which(p):
            raise Skip(f"{p} is not installed")


def durability_findings(doc, w):
    return [f for f in doc["findings"]
            if f["rule"] in DURABILITY and w.touches(f)]


def run_live(ctx, w, argv, status=0, env=None, stdin=None):
    """fsrace run ARGV in W; the program must exit STATUS. Returns the
    findings document."""
    out = os.path.join(ctx.tmp, "findings.json")
    if os.path.exists(out):
        os.unlink(out)
    proc = ctx.run(["run", "--format", "json", "-o", out, "--", *argv],
                   cwd=w.dir, env=env, input=stdin)
    assert os.path.exists(out), (
        f"fsrace run wrote no findings document (exit {proc.returncode})"
        f"\nstderr: {proc.stderr}")
    doc = harness.read_findings(out)
    harness.check_findings_schema(doc)
    assert doc["input"]["status"] == status, (doc["input"], proc.stderr)
    return doc


def assert_quiet(doc, w, what):
    here = durability_findings(doc, w)
    assert not here, (f"{what}: durability findings in $TMP:\n"
                      f"{tr.listing(here, w)}")


def evidence(f, w):
    """(syscall, abspath, abspath2) of each evidence event, $TMP for the
    work directory."""
    return [(e["syscall"], w.unsubst(e.get("abspath")),
             w.unsubst(e.get("abspath2"))) for e in f["evidence"]]


def env_bytecode():
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


# --- real programs that never ask for durability: quiet -------------------

def test_cp_quiet(ctx):
    with tr.Work(ctx) as w:
        os.mkdir(w.path("src"))
        w.write("src/a", "a\n")
        w.write("src/b", "b\n")
        w.write("one", "1\n")
        doc = run_live(ctx, w, ["cp", "-r", "src", "dst"])
        assert_quiet(doc, w, "cp -r")
        doc = run_live(ctx, w, ["cp", "one", "two"])
        assert_quiet(doc, w, "cp")
        assert os.path.isfile(w.path("dst", "b"))


def test_tar_xf_quiet(ctx):
    with tr.Work(ctx) as w:
        os.mkdir(w.path("src"))
        w.write("src/a", "a\n")
        os.symlink("a", w.path("src", "l"))
        subprocess.run(["tar", "cf", w.path("t.tar"), "src"], cwd=w.dir,
                       check=True)
        os.mkdir(w.path("out"))
        doc = run_live(ctx, w, ["tar", "xf", "t.tar", "-C", "out"])
        assert_quiet(doc, w, "tar xf")
        assert os.path.islink(w.path("out", "src", "l"))


def test_unzip_quiet(ctx):
    need("unzip", "zip")
    with tr.Work(ctx) as w:
        os.mkdir(w.path("z"))
        w.write("z/one", "1\n")
        subprocess.run(["zip", "-qr", "z.zip", "z"], cwd=w.dir, check=True)
        shutil.rmtree(w.path("z"))
        doc = run_live(ctx, w, ["unzip", "-q", "z.zip"])
        assert_quiet(doc, w, "unzip")
        assert os.path.isfile(w.path("z", "one"))


def test_install_ln_quiet(ctx):
    with tr.Work(ctx) as w:
        w.write("a", "a\n")
        doc = run_live(ctx, w, ["install", "-m", "644", "a", "b"])
        assert_quiet(doc, w, "install")
        doc = run_live(ctx, w, ["ln", "-s", "a", "sym"])
        assert_quiet(doc, w, "ln -s")
        doc = run_live(ctx, w, ["ln", "a", "hard"])
        assert_quiet(doc, w, "ln")
        # over an existing name: ln -sf makes a temporary and renames it
        doc = run_live(ctx, w, ["ln", "-sf", "b", "sym"])
        assert_quiet(doc, w, "ln -sf")
        assert os.readlink(w.path("sym")) == "b"


GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com",
       "-c", "init.defaultBranch=main", "-c", "gc.auto=0",
       "-c", "maintenance.auto=false"]


def test_git_commit_quiet(ctx):
    """git init, add and commit in one tree (the index is created and
    then replaced), then a second commit and git status on their own,
    over an index from before the trace: git fsyncs none of it (loose
    objects, index, refs: core.fsync leaves them out by default) and the
    index and refs are its own state inside .git, not the user's file."""
    need("git")
    g = " ".join(GIT)
    with tr.Work(ctx) as w:
        w.write("f", "one\n")
        doc = run_live(ctx, w, ["sh", "-c", f"{g} init -q && {g} add f && "
                                f"{g} commit -qm one"])
        assert_quiet(doc, w, "git init && git add && git commit")
        w.write("f", "two\n")
        doc = run_live(ctx, w, [*GIT, "commit", "-qam", "two"])
        assert_quiet(doc, w, "git commit")
        doc = run_live(ctx, w, [*GIT, "status", "--porcelain"])
        assert_quiet(doc, w, "git status")
        log = subprocess.run(["git", "log", "--format=%s"], cwd=w.dir,
                             capture_output=True, text=True)
        assert log.stdout == "two\none\n", log


def test_git_gc_packs(ctx):
    """git gc: pack-objects (a child) writes tmp_pack_*, fsyncs it and
    renames it to .tmp-PID-pack-H.pack; repack (the parent) renames that
    to pack-H.pack; nobody fsyncs .git/objects/pack. The object is
    followed by name across both renames and both processes: the finding
    is on the final pack, and on nothing but the names git fsyncs around
    (.git/objects/info, where it fsyncs the commit-graph)."""
    need("git")
    with tr.Work(ctx) as w:
        w.write("f", "one\n")
        for args in (["init", "-q"], ["add", "f"], ["commit", "-qm", "x"]):
            subprocess.run([*GIT, *args], cwd=w.dir, check=True,
                           capture_output=True)
        doc = run_live(ctx, w, [*GIT, "gc", "-q"])
        got = set()
        for f in durability_findings(doc, w):
            e = f["evidence"][-1] if f["rule"] == "rename-without-fsync" \
                else f["evidence"][0]
            name = w.unsubst(e.get("abspath2") or e["abspath"])
            got.add((f["rule"], re.sub(r"pack-[0-9a-f]{40}", "pack-H",
                                       name)))
        packs = {("missing-dir-fsync", "$TMP/.git/objects/pack/pack-H.pack"),
                 ("missing-dir-fsync", "$TMP/.git/objects/pack/pack-H.idx")}
        assert packs <= got, sorted(got)
        others = [g for g in got - packs
                  if not g[1].startswith("$TMP/.git/objects/info/")]
        assert not others, sorted(got)


def test_python_bytecode_quiet(ctx):
    """CPython's atomic pyc write: the importer writes
    __pycache__/m.cpython-X.pyc.ID and renames it to a new name, fsyncing
    nothing: no rename-without-fsync, no missing-dir-fsync. The same for
    compileall."""
    with tr.Work(ctx) as w:
        os.mkdir(w.path("pkg"))
        w.write("pkg/__init__.py", "")
        w.write("pkg/mod.py", "X = 1\n")
        w.write("other.py", "Y = 2\n")
        env = env_bytecode()
        doc = run_live(ctx, w, [PYTHON, "-c", "import pkg.mod"], env=env)
        assert_quiet(doc, w, "import pkg.mod")
        assert os.listdir(w.path("pkg", "__pycache__")), \
            "the import wrote no bytecode"
        doc = run_live(ctx, w, [PYTHON, "-c",
                                "import compileall; "
                                "compileall.compile_file('other.py', "
                                "quiet=1)"], env=env)
        assert_quiet(doc, w, "compileall")
        assert os.listdir(w.path("__pycache__"))


# --- real programs that rewrite the user's file: reported -----------------

def test_sed_i_reported(ctx):
    need("sed")
    with tr.Work(ctx) as w:
        w.write("f", "hello\n")
        doc = run_live(ctx, w, ["sed", "-i", "s/hello/bye/", "f"])
        here = durability_findings(doc, w)
        assert [f["rule"] for f in here] == ["rename-without-fsync"], \
            tr.listing(here, w)
        (f,) = here
        ev = evidence(f, w)
        assert ev[0][0] == "openat" and ev[1][0] == "rename", ev
        tmp = ev[0][1]
        assert re.fullmatch(r"\$TMP/sed\w{6}", tmp), ev
        assert ev[1] == ("rename", tmp, "$TMP/f"), ev
        assert f["severity"] == "warning"
        assert w.unsubst(f["message"]).startswith(
            f"openat('{tmp}') for writing, then rename('{tmp}' → "
            f"'$TMP/f') in pid "), f["message"]
        with open(w.path("f")) as fp:
            assert fp.read() == "bye\n"


def test_perl_i_reported(ctx):
    need("perl")
    with tr.Work(ctx) as w:
        w.write("f", "hello\n")
        doc = run_live(ctx, w, ["perl", "-pi", "-e", "s/hello/bye/", "f"])
        here = durability_findings(doc, w)
        assert [f["rule"] for f in here] == ["rename-without-fsync"], \
            tr.listing(here, w)
        ev = evidence(here[0], w)
        assert ev[0][0] == "openat" and ev[1][0] == "renameat", ev
        assert ev[1] == ("renameat", ev[0][1], "$TMP/f"), ev


def test_logrotate_state_file(ctx):
    """logrotate writes its state to STATE.tmp, fsyncs it and renames it
    over STATE, and never fsyncs the directory: missing-dir-fsync on
    that rename, once (its first create of STATE is superseded by the
    rename). The log it creates anew ("create") was never fsync'ed, in a
    directory where nothing is: quiet."""
    need("logrotate")
    with tr.Work(ctx) as w:
        os.mkdir(w.path("logs"))
        w.write("logs/app.log", "line\n")
        w.write("lr.conf", f"{w.path('logs', 'app.log')} {{\n"
                "    rotate 2\n    create\n}\n")
        doc = run_live(ctx, w, ["logrotate", "-f", "-s", w.path("state"),
                                "lr.conf"])
        here = durability_findings(doc, w)
        assert [(f["rule"], evidence(f, w)) for f in here] == [
            ("missing-dir-fsync", [("rename", "$TMP/state.tmp",
                                    "$TMP/state"),
                                   ("exit", None, None)])], \
            tr.listing(here, w)
        assert os.path.isfile(w.path("logs", "app.log.1"))


def test_logrotate_copytruncate(ctx):
    """copytruncate: logrotate copies the log to app.log.1, fsyncs the
    copy, then ftruncates the log it read. Not an in-place rewrite (the
    old content is in a copy it flushed first); but the copy's new name
    is never made durable: missing-dir-fsync on app.log.1, the fsync'ed
    file whose directory is never fsync'ed (issue 8's logrotate), and on
    the state file's rename."""
    need("logrotate")
    with tr.Work(ctx) as w:
        os.mkdir(w.path("logs"))
        w.write("logs/app.log", "line\n")
        w.write("lr.conf", f"{w.path('logs', 'app.log')} {{\n"
                "    rotate 2\n    copytruncate\n}\n")
        doc = run_live(ctx, w, ["logrotate", "-f", "-s", w.path("state"),
                                "lr.conf"])
        here = sorted((f["rule"], evidence(f, w))
                      for f in durability_findings(doc, w))
        assert here == [
            ("missing-dir-fsync", [("openat", "$TMP/logs/app.log.1", None),
                                   ("exit", None, None)]),
            ("missing-dir-fsync", [("rename", "$TMP/state.tmp",
                                    "$TMP/state"),
                                   ("exit", None, None)])], here
        assert os.path.getsize(w.path("logs", "app.log")) == 0


def test_vim_write_quiet(ctx):
    """vim (backupcopy auto, one link) reads f, opens it O_WRONLY|O_CREAT
    and writes it in place, fsyncing it: no name changes in the
    directory (the O_CREAT open of an existing file creates nothing) and
    the rewrite is flushed: no finding of these rules."""
    need("vim")
    with tr.Work(ctx) as w:
        w.write("f", "hello\n")
        doc = run_live(ctx, w, ["vim", "-u", "NONE", "-i", "NONE", "-N",
                                "-es", "-c", "s/hello/bye/", "-c", "wq",
                                "f"])
        assert_quiet(doc, w, "vim")
        with open(w.path("f")) as fp:
            assert fp.read() == "bye\n"


def test_ed_in_place_rewrite(ctx):
    need("ed")
    with tr.Work(ctx) as w:
        w.write("f", "x\ny\n")
        doc = run_live(ctx, w, ["ed", "-s", "f"], stdin=",s/x/z/\nw\nq\n")
        here = durability_findings(doc, w)
        assert [f["rule"] for f in here] == ["in-place-rewrite"], \
            tr.listing(here, w)
        (f,) = here
        assert evidence(f, w) == [("openat", "$TMP/f", None),
                                  ("openat", "$TMP/f", None),
                                  ("exit", None, None)], evidence(f, w)
        assert f["severity"] == "warning"
        assert w.unsubst(f["message"]).startswith(
            "openat('$TMP/f') to read it, then openat('$TMP/f') truncated "
            "it in pid "), f["message"]
        with open(w.path("f")) as fp:
            assert fp.read() == "z\ny\n"


def test_sort_o_same_file(ctx):
    """sort -o f f opens f for writing (no O_TRUNC), reads it, then
    ftruncate(1, 0) and writes: in-place-rewrite, evidence the read open
    and the ftruncate of the fd that names f."""
    with tr.Work(ctx) as w:
        w.write("f", "b\na\n")
        doc = run_live(ctx, w, ["sort", "-o", "f", "f"])
        here = durability_findings(doc, w)
        assert [f["rule"] for f in here] == ["in-place-rewrite"], \
            tr.listing(here, w)
        ev = here[0]["evidence"]
        assert [e["syscall"] for e in ev] == ["openat", "ftruncate",
                                              "exit"], ev
        assert w.unsubst(ev[0]["abspath"]) == "$TMP/f"
        assert w.unsubst(ev[1]["fd_path"]) == "$TMP/f"
        with open(w.path("f")) as fp:
            assert fp.read() == "a\nb\n"


def test_sort_to_other_file_quiet(ctx):
    with tr.Work(ctx) as w:
        w.write("f", "b\na\n")
        doc = run_live(ctx, w, ["sort", "-o", "g", "f"])
        assert_quiet(doc, w, "sort -o g f")


# --- the fixtures ---------------------------------------------------------

def run_fixture(ctx, name, expected, args=(), setup=None):
    with tr.Work(ctx) as w:
        if setup:
            setup(w)
        argv = [ctx.fixture(name), *args]
        proc, doc = tr.fsrace_run(ctx, w, argv)
        tr.check_document(doc, proc, w, {"kind": "run", "argv": argv,
                                         "status": 0})
        return tr.check_findings(doc, w,
                                 os.path.join(tr.RULES_DIR, expected))


def test_tmp_rename_followed(ctx):
    """fsync of tmp_pack, rename to pack-1.pack, no directory fsync: the
    finding is on the final name."""
    run_fixture(ctx, "rule-missing-dir-fsync-tmp-rename",
                "missing-dir-fsync/tmp_rename.expected.json")


def test_tmp_rename_fsync_through_old_fd(ctx):
    """The rename first, then the fsync through the fd opened by the old
    name (the tracer's fd path is stale): the object is the one under
    pack-1.pack. The rename came before the fsync: rename-without-fsync
    too, in a tree that fsyncs there."""
    run_fixture(ctx, "rule-missing-dir-fsync-tmp-rename",
                "missing-dir-fsync/tmp_rename_late.expected.json",
                args=["late"])


def test_parent_fsyncs_childs_dir(ctx):
    run_fixture(ctx, "rule-missing-dir-fsync-child-parent",
                "missing-dir-fsync/child_parent.expected.json")


def test_nobody_fsyncs_childs_dir(ctx):
    here = run_fixture(ctx, "rule-missing-dir-fsync-child-parent",
                       "missing-dir-fsync/child_parent_nosync.expected.json",
                       args=["nosync"])
    msg = here[0]["message"]
    assert re.fullmatch(
        r"openat\(… '/\S+/out'\) in pid \d+, in a tree that fsyncs its "
        r"files there, and no process of the tree fsync'ed '/\S+' after "
        r"it: a crash can undo the change; fsync the directory", msg), msg


def status_file(w):
    w.write("status", "state 1\n")


def test_rename_over_users_file(ctx):
    run_fixture(ctx, "rule-rename-without-fsync-replace",
                "rename-without-fsync/replace.expected.json",
                setup=status_file)


def test_rename_over_a_file_never_read(ctx):
    # the program never looked at status: the tracer's stat of the
    # destination at the rename's entry says it held a file
    run_fixture(ctx, "rule-rename-without-fsync-replace",
                "rename-without-fsync/replace.expected.json",
                args=["status", "blind"], setup=status_file)


def test_rename_onto_a_new_name_never_read_quiet(ctx):
    with tr.Work(ctx) as w:
        argv = [ctx.fixture("rule-rename-without-fsync-replace"), "status",
                "blind"]
        proc, doc = tr.fsrace_run(ctx, w, argv)
        assert proc.returncode == 0, proc.stderr
        assert_quiet(doc, w, "rename onto a new name")
        with open(w.path("status")) as f:
            assert f.read() == "state 2\n"


def test_rename_over_hidden_state_quiet(ctx):
    def hidden(w):
        os.mkdir(w.path(".app"))
        w.write(".app/status", "state 1\n")
    with tr.Work(ctx) as w:
        hidden(w)
        argv = [ctx.fixture("rule-rename-without-fsync-replace"),
                ".app/status"]
        proc, doc = tr.fsrace_run(ctx, w, argv)
        assert proc.returncode == 0, proc.stderr
        assert_quiet(doc, w, "rename over .app/status")
        with open(w.path(".app", "status")) as f:
            assert f.read() == "state 2\n"


def test_cache_write_quiet(ctx):
    run_fixture(ctx, "rule-rename-without-fsync-cache-write",
                "rename-without-fsync/cache_write.expected.json")


def data(w):
    w.write("data", "old data\n")


def test_in_place_rewrite_bad(ctx):
    here = run_fixture(ctx, "rule-in-place-rewrite-bad",
                       "in-place-rewrite/bad.expected.json", setup=data)
    assert here[0]["message"].endswith(
        "with no fsync before the process exited: a crash can leave '"
        + here[0]["evidence"][0]["abspath"] + "' empty, its old content "
        "lost; write a temporary, fsync it and rename it over '"
        + here[0]["evidence"][0]["abspath"] + "'"), here[0]["message"]


def test_mkstemp_then_write_is_no_in_place_rewrite(ctx):
    # mkstemp's O_RDWR|O_CREAT|O_EXCL open, then open(tmp, "w"): the
    # file it just made had nothing to lose
    script = harness.write_file(os.path.join(ctx.tmp, "t.py"),
                                "import os, tempfile\n"
                                "fd, t = tempfile.mkstemp(dir='.')\n"
                                "os.close(fd)\n"
                                "open(t, 'w').write('x')\n")
    out = os.path.join(ctx.tmp, "f.json")
    p = ctx.run(["run", "-o", out, "--", "/usr/bin/python3", script])
    assert p.returncode in (0, 1), p.stderr
    with open(out) as f:
        doc = json.load(f)
    assert [x["rule"] for x in doc["findings"]
            if x["rule"] == "in-place-rewrite"] == [], doc["findings"]


def test_in_place_rewrite_good(ctx):
    with tr.Work(ctx) as w:
        data(w)
        argv = [ctx.fixture("rule-in-place-rewrite-good")]
        proc, doc = tr.fsrace_run(ctx, w, argv)
        tr.check_document(doc, proc, w, {"kind": "run", "argv": argv,
                                         "status": 0})
        tr.check_findings(doc, w, os.path.join(
            tr.RULES_DIR, "in-place-rewrite", "good.expected.json"),
            rule="in-place-rewrite")


def test_in_place_rewrite_listed(ctx):
    p = ctx.run(["rules", "show", "in-place-rewrite"])
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("in-place-rewrite: The only copy of a file "
                               "truncated and rewritten in place"), p.stdout
    assert "  steps: read → trunc → exit\n" in p.stdout, p.stdout


# --- the same from strace logs --------------------------------------------

def log_findings(ctx, w, argv):
    ts.need_strace()
    log = os.path.join(ctx.tmp, "strace.log")
    subprocess.run(["strace", *ts.STRACE_OPTS, "-o", log, *argv],
                   cwd=w.dir, capture_output=True, timeout=60, check=True)
    out = os.path.join(ctx.tmp, "log.json")
    p = ctx.run(["analyze", "-f", "json", "-o", out, log])
    assert p.returncode in (0, 1), p.stderr
    return harness.read_findings(out)


def test_log_tmp_rename(ctx):
    """From a strace log (no identities): the fsync'ed object is
    followed by name, through the rename and the stale fd path."""
    for args, exp in (([], "tmp_rename"), (["late"], "tmp_rename_late")):
        with tr.Work(ctx, "log-" + exp) as w:
            doc = log_findings(ctx, w, [ctx.fixture(
                "rule-missing-dir-fsync-tmp-rename"), *args])
            tr.check_findings(doc, w, os.path.join(
                tr.RULES_DIR, "missing-dir-fsync", exp + ".expected.json"))


def test_log_child_parent(ctx):
    for args, exp in (([], "child_parent"),
                      (["nosync"], "child_parent_nosync")):
        with tr.Work(ctx, "log-" + exp) as w:
            doc = log_findings(ctx, w, [ctx.fixture(
                "rule-missing-dir-fsync-child-parent"), *args])
            tr.check_findings(doc, w, os.path.join(
                tr.RULES_DIR, "missing-dir-fsync", exp + ".expected.json"))


def test_log_replace_and_cache(ctx):
    with tr.Work(ctx, "log-replace") as w:
        status_file(w)
        doc = log_findings(ctx, w, [ctx.fixture(
            "rule-rename-without-fsync-replace")])
        tr.check_findings(doc, w, os.path.join(
            tr.RULES_DIR, "rename-without-fsync", "replace.expected.json"))
    with tr.Work(ctx, "log-cache") as w:
        doc = log_findings(ctx, w, [ctx.fixture(
            "rule-rename-without-fsync-cache-write")])
        assert_quiet(doc, w, "cache write, from a log")


def test_log_in_place_rewrite(ctx):
    with tr.Work(ctx, "log-in-place") as w:
        data(w)
        doc = log_findings(ctx, w, [ctx.fixture("rule-in-place-rewrite-bad")])
        tr.check_findings(doc, w, os.path.join(
            tr.RULES_DIR, "in-place-rewrite", "bad.expected.json"))


def test_each_name_judged_alone(ctx):
    """Two files made in one directory, only f2 fsynced, the directory
    never: f2's missing directory fsync is reported, f1's is not, in
    either order (repeats of one fingerprint, f1 and f2 differ only in a
    digit, are not decided by whichever match came first)."""
    need(PYTHON)
    for order in ("12", "21"):
        with tr.Work(ctx, f"w{order}") as w:
            os.mkdir(w.path("d"))
            prog = (
                "import os\n"
                f"for n in {list(order)!r}:\n"
                "    fd = os.open(f'd/f{n}', os.O_WRONLY | os.O_CREAT, 0o644)\n"
                "    os.write(fd, b'x')\n"
                "    if n == '2':\n"
                "        os.fsync(fd)\n"
                "    os.close(fd)\n")
            doc = run_live(ctx, w, [PYTHON, "-c", prog])
            got = [(f["rule"], f["count"], evidence(f, w))
                   for f in durability_findings(doc, w)]
            assert got == [("missing-dir-fsync", 1,
                            [("openat", "$TMP/d/f2", None),
                             ("exit", None, None)])], (order, got)


def test_zip_placeholder_replaced(ctx):
    """zip -r new.zip: it makes new.zip, removes it, then renames its
    temporary over the name. No older version is lost: not
    unlink-then-rename (counted as private to the tree). Over an archive
    that was there before the run, it is."""
    need("zip")
    with tr.Work(ctx) as w:
        os.mkdir(w.path("src"))
        harness.write_file(w.path("src", "a"), "a\n")
        doc = run_live(ctx, w, ["zip", "-qr", "new.zip", "src"])
        assert [f for f in doc["findings"]
                if f["rule"] == "unlink-then-rename"] == [], doc["findings"]
        assert doc["not_reported"]["private"] >= 1, doc["not_reported"]
        harness.write_file(w.path("src", "b"), "b\n")
        doc = run_live(ctx, w, ["zip", "-qr", "new.zip", "src"])
        got = [evidence(f, w) for f in doc["findings"]
               if f["rule"] == "unlink-then-rename"]
        assert len(got) == 1 and got[0][0] == (
            "unlink", "$TMP/new.zip", None), got


def test_log_with_a_cut_rename_source(ctx):
    """A strace log can cut a path short ("..."): the rename's source has
    no name then. Durability follows the destination only; the analysis
    neither crashes nor reports it."""
    log = harness.write_file(
        os.path.join(ctx.tmp, "cut.log"),
        '100 rename("/tmp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"..., "/tmp/b")'
        ' = 0\n')
    p = ctx.run(["analyze", log])
    assert (p.returncode, p.stdout) == (0, (
        "log: no timestamps (strace -t, -tt, -ttt or -r): windows are "
        "unknown, and whether calls overlap in time\n"
        "not evaluated: opened-deleted-file (no-timestamps)\n\n"
        "0 findings (0 error, 0 warning, 0 note) in 1 events\n"
        "not reported: 1 without durability intent\n")), (p.returncode,
                                                          p.stdout,
                                                          p.stderr)
