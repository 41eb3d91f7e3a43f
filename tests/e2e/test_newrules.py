"""The rules of issue 8 and the precision of the shipped ones, on the
fixtures of fixtures/rules/ and on real programs run live.

- exdev-tree-fallback and unlink-then-recreate: each has a bad fixture and
  its good twin (fixtures/rules/RULE/), checked like the core rules' in
  test_rules.py, and a real program that does the pattern: `mv tree
  /dev/shm/x` across file systems, `tar xf` over a tree it extracted
  before;
- real programs whose careful patterns are no longer findings (cp -a, tar
  cf, mv, shutil.rmtree, sqlite3, git): an open with O_NOFOLLOW that is
  fstat'ed, an open of a directory, an unlink or rename after a stat,
  mkdir and symlink and link after a check, identities that changed
  because the program itself renamed or unlinked the name;
- the true findings that must stay: shutil.copy2's stat-then-open and
  its metadata by name, unzip -o writing through a name it unlinked, tar
  xf chowning by name over existing directories;
- hand-written traces for what a live run does not show at will: an
  O_NOFOLLOW open never verified, O_TMPFILE, an O_CREAT open of a file
  that existed, a stat of a descriptor by ".".

The real programs' findings are compared for the rules this issue changed
only (the durability and trust rules have their own tests), in the
directory the test made; paths are written relative to it."""
import json
import os
import re
import shutil
import subprocess

import harness
from harness import Skip
import test_rules as tr

NEW_RULES = ["exdev-tree-fallback", "unlink-then-recreate"]
PYTHON = "/usr/bin/python3"
# the rules whose precision this file checks on real programs
RULES = {"check-then-use", "access-then-open", "lstat-then-follow",
         "check-absent-then-create", "path-after-open",
         "create-then-metadata-by-name", "path-reuse-after-rename",
         "exdev-copy-fallback", "exdev-tree-fallback",
         "unlink-then-recreate", "unlink-then-rename"}


# --- the fixtures of the new rules ----------------------------------------

def make_tree(root):
    """A tree with a file, a second hard link to it, a symlink and a
    subdirectory holding a file."""
    os.makedirs(os.path.join(root, "d"))
    harness.write_file(os.path.join(root, "f"), "f\n", 0o644)
    os.link(os.path.join(root, "f"), os.path.join(root, "h"))
    os.symlink("f", os.path.join(root, "l"))
    harness.write_file(os.path.join(root, "d", "g"), "g\n", 0o644)


def tree_to_shm(w):
    shm = w.need_shm()
    make_tree(w.path("tree"))
    return ["tree", os.path.join(shm, "dst")]


def old_data(w):
    w.write("data", "old\n")
    return []


SETUP = {
    "exdev-tree-fallback": tree_to_shm,
    "unlink-then-recreate": old_data,
}


def after_tree(w):
    assert not os.path.exists(w.path("tree")), "the source is still there"
    dst = os.path.join(w.shm, "dst")
    assert sorted(os.listdir(dst)) == ["d", "f", "h", "l"], os.listdir(dst)
    assert os.readlink(os.path.join(dst, "l")) == "f"
    assert os.stat(os.path.join(dst, "f")).st_ino == \
        os.stat(os.path.join(dst, "h")).st_ino, "the hard link is lost"


def after_data(w):
    with open(w.path("data")) as f:
        assert f.read() == "new\n", "the file was not replaced"


AFTER = {"exdev-tree-fallback": after_tree,
         "unlink-then-recreate": after_data}


def run_fixture(ctx, rule, twin):
    with tr.Work(ctx) as w:
        args = SETUP[rule](w)
        argv = [ctx.fixture(f"rule-{rule}-{twin}"), *args]
        proc, doc = tr.fsrace_run(ctx, w, argv)
        tr.check_document(doc, proc, w, {"kind": "run", "argv": argv,
                                         "status": 0})
        ids = [r["id"] for r in doc["rules"]]
        assert rule in ids, f"{rule} is not enabled by default: {ids}"
        tr.check_findings(doc, w, os.path.join(
            tr.RULES_DIR, rule, f"{twin}.expected.json"),
            rule=rule if twin == "good" else None)
        AFTER[rule](w)


def _fixture_test(rule, twin):
    def test(ctx):
        run_fixture(ctx, rule, twin)
    test.__name__ = f"test_{rule.replace('-', '_')}_{twin}"
    test.__doc__ = f"fixtures/rules/{rule}/{twin}.c"
    return test


for _rule in NEW_RULES:
    for _twin in ("bad", "good"):
        _t = _fixture_test(_rule, _twin)
        globals()[_t.__name__] = _t
del _rule, _twin, _t


def test_new_fixture_folders_complete(ctx):
    for rule in NEW_RULES:
        for f in ("bad.c", "good.c", "bad.expected.json",
                  "good.expected.json"):
            assert os.path.isfile(os.path.join(tr.RULES_DIR, rule, f)), \
                f"missing {rule}/{f}"
        with open(os.path.join(tr.RULES_DIR, rule,
                               "bad.expected.json")) as f:
            assert any(e["rule"] == rule for e in json.load(f)), rule
        for twin in ("bad", "good"):
            ctx.fixture(f"rule-{rule}-{twin}")


# --- real programs --------------------------------------------------------

def need(prog):
    path = shutil.which(prog)
    if not path:
        raise Skip(f"{prog} is not installed")
    return path


def run_real(ctx, w, argv, cwd=None):
    """fsrace run of ARGV in CWD (default the work dir): the findings of
    RULES whose evidence touches the work dir (or $SHM), each as (rule,
    severity, confirmed, "syscall(path[ -> path2])" per evidence event),
    paths relative to the work dir, and the findings themselves."""
    out = os.path.join(ctx.tmp, "findings.json")
    if os.path.exists(out):
        os.unlink(out)
    proc = ctx.run(["run", "--format", "json", "-o", out, "--", *argv],
                   cwd=cwd or w.dir)
    assert os.path.exists(out), proc.stderr
    doc = harness.read_findings(out)
    harness.check_findings_schema(doc)
    assert doc["input"]["status"] == 0, \
        f"{argv} exited {doc['input']['status']}: {proc.stderr}"
    roots = [w.dir] + ([w.shm] if w.shm else [])
    got = [f for f in doc["findings"]
           if f["rule"] in RULES and w.touches(f, roots)]
    return sorted(summary(f, w) for f in got), got


def rel(w, p):
    p = w.unsubst(p)
    return p[len("$TMP/"):] if p.startswith("$TMP/") else p


def summary(f, w):
    evs = []
    for e in f["evidence"]:
        s = f"{e['syscall']}({rel(w, e.get('abspath') or e.get('fd_path') or '')}"
        if e.get("abspath2"):
            s += f" -> {rel(w, e['abspath2'])}"
        evs.append(s + ")")
    return (f["rule"], f["severity"], f["confirmed"], tuple(evs))


def message(f, w):
    return re.sub(r"(pid|window) [0-9]+", r"\1 N", w.unsubst(f["message"]))


def test_real_mv_tree_across_file_systems(ctx):
    """mv of a tree (a file, a hard link, a symlink, a subdirectory) onto
    another file system: the rename fails with EXDEV and mv re-creates the
    tree, then removes the source (exdev-tree-fallback). mv checks every
    file it copies (lstat, open O_NOFOLLOW, fstat) and its unlinks after
    a stat act on the entry: no check-then-use, no
    check-absent-then-create."""
    mv = need("mv")
    with tr.Work(ctx) as w:
        shm = w.need_shm()
        make_tree(w.path("tree"))
        got, findings = run_real(ctx, w, [mv, "tree",
                                          os.path.join(shm, "x")])
        # mv sets the metadata of what it made by name: another rule's
        got = [g for g in got if g[0] != "create-then-metadata-by-name"]
        findings = [f for f in findings
                    if f["rule"] != "create-then-metadata-by-name"]
        assert got == [(
            "exdev-tree-fallback", "error", False,
            ("renameat2(tree -> $SHM/x)", "mkdirat($SHM/x)",
             "unlinkat(tree)"))] or got == [(
            "exdev-tree-fallback", "error", False,
            ("rename(tree -> $SHM/x)", "mkdir($SHM/x)", "rmdir(tree)"))], \
            got
        (f,) = findings
        sc = [e["syscall"] for e in f["evidence"]]
        assert message(f, w) == (
            f"{sc[0]}('$TMP/tree' → '$SHM/x') = EXDEV, then {sc[1]}"
            f"('$SHM/x') and {sc[2]}('$TMP/tree') in pid N: the move "
            "re-creates the entry on the other file system and is not "
            "atomic, an interruption leaves it in both places (window N "
            "µs); build it under a temporary name there and rename it "
            "into place"), message(f, w)
        assert f["evidence"][0]["errno"] == "EXDEV"
        assert sorted(os.listdir(os.path.join(shm, "x"))) == \
            ["d", "f", "h", "l"]


def test_real_mv_file_and_symlink_across_file_systems(ctx):
    """mv of one file across file systems is the copy fallback
    (exdev-copy-fallback, which supersedes exdev-tree-fallback on the same
    unlink); mv of a symlink re-creates it (exdev-tree-fallback)."""
    mv = need("mv")
    with tr.Work(ctx) as w:
        shm = w.need_shm()
        w.write("one", "q\n")
        os.symlink("one", w.path("sl"))
        exdev = ("exdev-copy-fallback", "exdev-tree-fallback")
        got, _ = run_real(ctx, w, [mv, "one", os.path.join(shm, "one")])
        assert [g for g in got if g[0] in exdev] == [
            ("exdev-copy-fallback", "error", False,
             ("renameat2(one -> $SHM/one)", "openat(one)",
              "openat($SHM/one)", "unlinkat(one)"))], got
        got, _ = run_real(ctx, w, [mv, "sl", os.path.join(shm, "sl")])
        assert [g for g in got if g[0] in exdev] == [
            ("exdev-tree-fallback", "error", False,
             ("renameat2(sl -> $SHM/sl)", "symlinkat($SHM/sl)",
              "unlinkat(sl)"))], got
        assert os.readlink(os.path.join(shm, "sl")) == "one"


def tar_tree(w):
    os.makedirs(w.path("src", "sub"))
    w.write("src/a", "a\n")
    w.write("src/sub/b", "b\n")
    os.symlink("a", w.path("src", "link"))
    tar = need("tar")
    subprocess.run([tar, "cf", "t.tar", "src"], cwd=w.dir, check=True)
    return tar


def test_real_tar_xf_over_existing_tree(ctx):
    """tar xf over a tree it extracted before: each file and symlink is
    unlinked and created again with O_EXCL (unlink-then-recreate, a note:
    tar's documented design), and the directories that exist are set by
    name after an lstat: their times, and as root their owner, through a
    symlink that could be planted in between (check-then-use, the true
    finding). No check-absent-then-create: the creates are exclusive."""
    with tr.Work(ctx) as w:
        tar = tar_tree(w)
        os.mkdir(w.path("x"))
        subprocess.run([tar, "xf", "../t.tar"], cwd=w.path("x"),
                       check=True)
        got, findings = run_real(ctx, w, [tar, "xf", "../t.tar"],
                                 cwd=w.path("x"))
        want = [
            ("unlink-then-recreate", "note", False,
             ("unlinkat(x/src/a)", "openat(x/src/a)")),
            ("unlink-then-recreate", "note", False,
             ("unlinkat(x/src/link)", "symlinkat(x/src/link)")),
            ("unlink-then-recreate", "note", False,
             ("unlinkat(x/src/sub/b)", "openat(x/src/sub/b)")),
            # the symlink's times and owner, set without following it, are
            # no finding: x/src is no directory other users can write
        ]
        for d in ("x/src", "x/src/sub"):
            want.append(("check-then-use", "warning", False,
                         (f"newfstatat({d})", f"utimensat({d})")))
            if os.geteuid() == 0:
                want.append(("check-then-use", "warning", False,
                             (f"newfstatat({d})", f"fchownat({d})")))
        assert got == sorted(want), got
        f = next(f for f in findings if f["rule"] == "unlink-then-recreate"
                 and f["evidence"][0]["abspath"].endswith("/src/a"))
        assert message(f, w) == (
            "unlinkat('$TMP/x/src/a') then openat('$TMP/x/src/a') in pid "
            "N: readers find no file in between and a crash loses the old "
            "version (window N µs); rename a new file over it instead"), \
            message(f, w)


def test_real_tar_cf_gives_nothing(ctx):
    """tar cf stats each name, then opens directories (a directory opened
    is not a use) and files with O_NOFOLLOW and fstats them."""
    with tr.Work(ctx) as w:
        tar = tar_tree(w)
        got, _ = run_real(ctx, w, [tar, "cf", "t2.tar", "src"])
        assert got == [], got


def test_real_cp_a_gives_no_check_findings(ctx):
    """cp -a: lstat, open O_NOFOLLOW, fstat for each file; mkdir and
    symlink for the rest, exclusive by definition: no check-then-use and
    no check-absent-then-create (the metadata cp sets by name after its
    mkdirs is another rule's)."""
    cp = need("cp")
    with tr.Work(ctx) as w:
        make_tree(w.path("tree"))
        # into a directory cp did not make: names in its own are private
        os.mkdir(w.path("copy"))
        got, _ = run_real(ctx, w, [cp, "-a", "tree/.", "copy"])
        checks = [g for g in got if g[0] in (
            "check-then-use", "check-absent-then-create",
            "lstat-then-follow", "access-then-open")]
        assert checks == [], checks
        # the symlink's owner and times are set without following it: no
        # finding, since no other user can write copy/ to rename a file
        # over the link (test_trace_nofollow_metadata_is_a_note has the
        # shared directory)
        meta = [g for g in got if g[0] == "create-then-metadata-by-name"
                and g[3][0] == "symlinkat(copy/l)"]
        assert meta == [], meta


def test_real_mv_one_file_system_gives_nothing(ctx):
    mv = need("mv")
    with tr.Work(ctx) as w:
        make_tree(w.path("tree"))
        got, _ = run_real(ctx, w, [mv, "tree", "moved"])
        assert got == [], got


def need_python():
    if not os.access(PYTHON, os.X_OK):
        raise Skip(f"no {PYTHON}")


def test_real_shutil_rmtree_gives_nothing(ctx):
    """shutil.rmtree: lstat, open O_NOFOLLOW|O_DIRECTORY, fstat, compare;
    then unlink and rmdir relative to the descriptor."""
    need_python()
    with tr.Work(ctx) as w:
        make_tree(w.path("tree"))
        got, _ = run_real(ctx, w, [PYTHON, "-I", "-c",
                                   "import shutil; shutil.rmtree('tree')"])
        assert got == [], got
        assert not os.path.exists(w.path("tree"))


def test_real_shutil_copy2_stays(ctx):
    """shutil.copy2 (bpo-30400's copyfile and copystat): the source is
    stat'ed, then opened by name; the destination, found absent, is
    created without O_EXCL; its times and mode are set by name. All true,
    all kept."""
    need_python()
    with tr.Work(ctx) as w:
        w.write("src", "data\n")
        got, findings = run_real(ctx, w, [
            PYTHON, "-I", "-c",
            "import shutil; shutil.copy2('src', 'dst')"])
        assert got == sorted([
            ("check-then-use", "warning", False,
             ("newfstatat(src)", "openat(src)")),
            ("check-absent-then-create", "warning", False,
             ("newfstatat(dst)", "openat(dst)")),
            ("create-then-metadata-by-name", "warning", False,
             ("openat(dst)", "utimensat(dst)")),
            ("create-then-metadata-by-name", "warning", False,
             ("openat(dst)", "chmod(dst)")),
        ]), got
        f = next(f for f in findings if f["rule"] == "check-then-use")
        assert message(f, w) == tr.CTU_FSTAT_MESSAGE.replace(
            "data", "src"), message(f, w)


def test_real_sqlite3_verified_opens(ctx):
    """sqlite3 opens its files with O_NOFOLLOW and fstats them, and its
    stats by name while the file is open are not uses."""
    sqlite = need("sqlite3")
    with tr.Work(ctx) as w:
        got, _ = run_real(ctx, w, [sqlite, "db.sqlite",
                                   "create table t(x); "
                                   "insert into t values(1);"])
        uses = [g for g in got if g[0] in ("check-then-use",
                                           "path-after-open",
                                           "lstat-then-follow")]
        assert uses == [], uses


def test_real_git_no_entry_uses(ctx):
    """git init, add and commit: its renames of lock files, links of
    objects, mkdirs and unlinks are no check-then-use and no
    check-absent-then-create; the identities that change when git renames
    config.lock over config confirm nothing."""
    git = need("git")
    with tr.Work(ctx) as w:
        env = ["env", "HOME=" + w.dir, "GIT_CONFIG_NOSYSTEM=1", git]
        all_got = []
        for args in (["init", "-q", "repo"], ["-C", "repo", "add", "f"],
                     ["-C", "repo", "-c", "user.name=a", "-c",
                      "user.email=a@b", "commit", "-qm", "m"]):
            if args[0] == "-C" and not os.path.exists(w.path("repo", "f")):
                w.write("repo/f", "x\n")
            got, _ = run_real(ctx, w, env + args)
            all_got += got
        entry = re.compile(r"(rename|renameat2?|link|linkat|unlink|"
                           r"unlinkat|rmdir|mkdir|mkdirat|symlink|"
                           r"symlinkat)\(")
        bad = [g for g in all_got
               if g[0] in ("check-then-use", "check-absent-then-create")
               and entry.match(g[3][-1])]
        assert bad == [], bad
        assert [g for g in all_got if g[2]] == [], "confirmed findings"


def test_real_unzip_o_through_planted_name(ctx):
    """unzip -o over existing files unlinks each, then creates it with
    O_CREAT and no O_EXCL: a symlink planted in between is written
    through (the true finding, check-absent-then-create's unlink variant,
    which says the program removed the name, not that it found it free)."""
    unzip, zip_ = need("unzip"), need("zip")
    with tr.Work(ctx) as w:
        os.mkdir(w.path("in"))
        w.write("in/a", "a\n")
        subprocess.run([zip_, "-q", "../z.zip", "a"], cwd=w.path("in"),
                       check=True)
        os.mkdir(w.path("out"))
        w.write("out/a", "old\n")
        got, findings = run_real(ctx, w, [unzip, "-q", "-o", "z.zip", "-d",
                                          "out"])
        cat = [g for g in got if g[0] == "check-absent-then-create"]
        assert cat == [("check-absent-then-create", "warning", False,
                        ("unlink(out/a)", "openat(out/a)"))], got
        f = next(f for f in findings
                 if f["rule"] == "check-absent-then-create")
        assert message(f, w) == (
            "unlink('$TMP/out/a') removed the name, then openat("
            "'$TMP/out/a') without O_EXCL in pid N: another process can "
            "plant a file or a symlink there in between, and the open "
            "writes through it (window N µs); create it with "
            "O_EXCL|O_NOFOLLOW, or rename a temporary file over it"), \
            message(f, w)
        assert f["fix"].startswith("write the new file under a temporary "
                                   "name"), f["fix"]


# --- hand-written traces --------------------------------------------------

def analyze(ctx, records, extra=()):
    """fsrace analyze, with the shipped rules, of a trace of RECORDS (pid
    7, paths under /srv): [(rule, severity, message, [syscall ...])]."""
    trace = os.path.join(ctx.tmp, "t.jsonl")
    with open(trace, "w") as f:
        f.write(json.dumps({"type": "header", "format": "fsrace-trace",
                            "version": 1}) + "\n")
        for i, r in enumerate(records):
            rec = {"type": "syscall", "seq": i + 1, "pid": 7, "tid": 7,
                   "ts_enter": 1000000 * (i + 1),
                   "ts_exit": 1000000 * (i + 1) + 1000}
            rec.update(r)
            if "path" in rec and "abspath" not in rec and \
                    rec["path"].startswith("/"):
                rec["abspath"] = rec["path"]
            f.write(json.dumps(rec) + "\n")
    out = os.path.join(ctx.tmp, "f.json")
    proc = ctx.run(["analyze", "--fail-on", "none", "-f", "json", "-o", out,
                    *extra, trace])
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
    doc = harness.read_findings(out)
    return [(f["rule"], f["severity"],
             re.sub(r"window [0-9]+", "window N", f["message"]),
             [f"{e['syscall']}#{e['seq']}" for e in f["evidence"]])
            for f in doc["findings"]]


REG = {"dev": 1, "ino": 10, "mode": 0o100644, "nlink": 1, "uid": 0}
DIR = {"dev": 1, "ino": 11, "mode": 0o40755, "nlink": 2, "uid": 0}


def stat(path, st=REG, flags=()):
    return {"syscall": "newfstatat", "dirfd": -100, "path": path,
            "flags": list(flags), "ret": 0, "stat": st}


def openat(path, flags, ret=3, st=REG):
    return {"syscall": "openat", "dirfd": -100, "path": path,
            "flags": flags, "ret": ret, "stat": st}


def fstat(fd, path, st=REG):
    return {"syscall": "newfstatat", "dirfd": fd, "dirfd_path": path,
            "path": "", "fd": fd, "fd_path": path,
            "flags": ["AT_EMPTY_PATH"], "ret": 0, "stat": st}


def close(fd, path):
    return {"syscall": "close", "fd": fd, "fd_path": path, "ret": 0}


def test_trace_nofollow_open_verified_or_not(ctx):
    """An lstat, then an open with O_NOFOLLOW: fstat'ed before it is
    closed, it is the verified pattern (nothing); closed unchecked, it is
    check-then-use at the close."""
    nf = ["AT_SYMLINK_NOFOLLOW"]
    of = ["O_RDONLY", "O_NOFOLLOW"]
    assert analyze(ctx, [stat("/srv/a", flags=nf), openat("/srv/a", of),
                         fstat(3, "/srv/a"), close(3, "/srv/a")]) == []
    assert analyze(ctx, [stat("/srv/a", flags=nf), openat("/srv/a", of),
                         close(3, "/srv/a")]) == [(
        "check-then-use", "warning",
        "newfstatat('/srv/a') then openat('/srv/a') with O_NOFOLLOW in "
        "pid 7, and the descriptor was never fstat'ed: a file renamed "
        "over the name in between is opened without notice; fstat the "
        "descriptor and compare it with the check",
        # the close only judged the match: the evidence ends at the use
        ["newfstatat#1", "openat#2"])]


def test_trace_directory_open_is_no_use(ctx):
    """A stat, then an open that returned a directory (no O_DIRECTORY
    given), is no use; nor is a stat of the descriptor by "."."""
    dot = {"syscall": "newfstatat", "dirfd": 3, "dirfd_path": "/srv/d",
           "path": ".", "abspath": "/srv/d", "flags": [], "ret": 0,
           "stat": DIR}
    assert analyze(ctx, [stat("/srv/d", st=DIR),
                         openat("/srv/d", ["O_RDONLY"], st=DIR), dot,
                         close(3, "/srv/d"),
                         {"syscall": "chmod", "path": "/srv/d",
                          "mode": 0o700, "ret": 0}]) == [(
        "check-then-use", "warning",
        "newfstatat('/srv/d') then chmod('/srv/d') by name in pid 7: the "
        "name can be replaced in between, and the call follows a symlink "
        "planted there (window N µs); open it and make the change on the "
        "descriptor", ["newfstatat#1", "chmod#5"])]


def test_trace_directory_checked_then_opened_from_a_log(ctx):
    """From a strace log the open's result has no identity; a check that
    saw a directory (sqlite3 lstats its database's directory, then opens
    it to fsync it) is then no check of a file to use: no check-then-use
    and no lstat-then-follow."""
    dir_open = openat("/srv/d", ["O_RDONLY", "O_CLOEXEC"])
    del dir_open["stat"]
    for flags in ([], ["AT_SYMLINK_NOFOLLOW"]):
        assert analyze(ctx, [stat("/srv/d", st=DIR, flags=flags), dir_open,
                             close(3, "/srv/d")]) == [], flags
    # a file checked, then opened without an identity, still is
    file_open = openat("/srv/f", ["O_RDONLY"])
    del file_open["stat"]
    assert [f[0] for f in analyze(ctx, [stat("/srv/f"), file_open,
                                        close(3, "/srv/f")])] == \
        ["check-then-use"]


def test_trace_nofollow_metadata_is_a_note(ctx):
    """lchown and fchownat(AT_SYMLINK_NOFOLLOW) after a stat: only a file
    renamed over the name can take the change, which needs write access to
    the directory: a note where other users have it (raised to a warning
    by the path modifiers), nothing in a directory only its owner can
    write."""
    chown = {"syscall": "fchownat", "dirfd": -100, "path": "/srv/a",
             "uid": 0, "gid": 0, "flags": ["AT_SYMLINK_NOFOLLOW"], "ret": 0}
    mine = {"path": "/srv", "uid": 0, "mode": 0o40755}
    shared = {"path": "/srv", "uid": 0, "mode": 0o41777}
    assert analyze(ctx, [dict(stat("/srv/a"), parent=mine), chown]) == []
    assert analyze(ctx, [dict(stat("/srv/a"), parent=shared), chown],
                   extra=["--no-default-filters"]) == [(
        "check-then-use", "note",
        "newfstatat('/srv/a') then fchownat('/srv/a') by name without "
        "following symlinks in pid 7: a file renamed over the name in "
        "between takes the change (window N µs); make it on a descriptor "
        "if the file is open", ["newfstatat#1", "fchownat#2"])]


def test_trace_creates_that_are_not(ctx):
    """An O_TMPFILE open creates no name (it opens a directory to make a
    file without one), and no O_EXCL-less create: not
    check-absent-then-create; it uses no path either. The same check, then an O_CREAT open of a
    name, is. (An O_CREAT open of a name that existed is tested in
    tests/unit/test-rule-fields: trace files do not carry it yet.)"""
    enoent = {"syscall": "newfstatat", "dirfd": -100, "path": "/srv/n",
              "flags": [], "ret": -1, "errno": "ENOENT"}
    tmpfile = openat("/srv", ["O_RDWR", "O_TMPFILE"], st=dict(REG, nlink=0))
    create = openat("/srv/n", ["O_WRONLY", "O_CREAT"])
    assert analyze(ctx, [dict(enoent, path="/srv"), tmpfile]) == []
    # nor is it an open of the directory for access-then-open or
    # path-after-open, nor a deleted file
    access = {"syscall": "access", "path": "/srv", "access": ["W_OK"],
              "ret": 0}
    chmod = {"syscall": "chmod", "path": "/srv", "mode": 0o755, "ret": 0}
    assert analyze(ctx, [access, tmpfile]) == []
    assert analyze(ctx, [tmpfile, chmod]) == []
    assert [f[0] for f in analyze(ctx, [enoent, create])
            if f[0] != "missing-dir-fsync"] == ["check-absent-then-create"]


# --- the same from a strace log ---------------------------------------------

def _equivalence_test(rule, twin):
    def test(ctx):
        import test_strace as ts
        ts.need_strace()
        live, log, dirs = ts.live_and_log(
            ctx, SETUP[rule], lambda: ctx.fixture(f"rule-{rule}-{twin}"))
        ts.compare(live, log, dirs, f"{rule}/{twin}")
    test.__name__ = f"test_equivalent_{rule.replace('-', '_')}_{twin}"
    test.__doc__ = (f"fixtures/rules/{rule}/{twin}.c: fsrace analyze of "
                    "its strace log gives what fsrace run gives")
    return test


for _rule in NEW_RULES:
    for _twin in ("bad", "good"):
        _t = _equivalence_test(_rule, _twin)
        globals()[_t.__name__] = _t
del _rule, _twin, _t


def test_trace_interleaved_unlink_fix_fits(ctx):
    """interleaved-mutation whose use is an unlink: the message and the
    fix say to serialize with a lock, not to use a descriptor an unlink
    does not have."""
    recs = [stat("/srv/a"),
            {"pid": 8, "tid": 8, "syscall": "rename", "path": "/srv/b",
             "path2": "/srv/a", "abspath2": "/srv/a", "ret": 0},
            {"syscall": "unlink", "path": "/srv/a", "ret": 0}]
    got = [f for f in analyze(ctx, recs) if f[0] != "missing-dir-fsync"]
    assert got == [(
        "interleaved-mutation", "error",
        "pid 7 newfstatat('/srv/a'), pid 8 rename('/srv/a'), then pid 7 "
        "unlink('/srv/a'): the other process changed the name in between "
        "and the unlink acted on what it left there (window N µs); "
        "serialize the processes with a lock",
        ["newfstatat#1", "rename#2", "unlink#3"])], got


def test_trace_reuse_after_rename_unlink_fix_fits(ctx):
    """path-reuse-after-rename whose use is an unlink: no descriptor to
    keep; the fix is to drop the unlink."""
    recs = [{"syscall": "rename", "path": "/srv/a", "path2": "/srv/b",
             "abspath2": "/srv/b", "ret": 0},
            {"syscall": "unlink", "path": "/srv/a", "ret": -1,
             "errno": "ENOENT"}]
    got = [f for f in analyze(ctx, recs) if f[0] != "missing-dir-fsync"]
    assert got == [(
        "path-reuse-after-rename", "warning",
        "rename('/srv/a' → '/srv/b') then unlink('/srv/a') in pid 7: the "
        "old name no longer names that file, and the unlink removes "
        "whatever another process put there (window N µs); drop it, the "
        "rename moved the file already",
        ["rename#1", "unlink#2"])], got
