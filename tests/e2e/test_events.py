"""What the tracer records of an open and of an exec beyond its arguments
(docs/trace-format.md): whether an O_CREAT open found its name taken
(`existed`), who a program runs as (`creds`), an empty path, O_TMPFILE,
and the identity of what an open opened. Real programs traced for real;
the expected values come from the file system and the kernel (os.stat,
os.getuid), never from fsrace's own output."""
import json
import os
import re
import shutil
import stat
import subprocess

import harness
import test_record as tr
import test_strace_diff as sd
from harness import ABSENT, Skip, assert_events, syscalls, write_file

AT_FDCWD = -100
WC = ["O_WRONLY", "O_CREAT"]


def kinds_setup(d):
    write_file(os.path.join(d, "fsr-old"), "old\n")
    os.mkdir(os.path.join(d, "sub"))
    write_file(os.path.join(d, "sub", "fsr-old2"), "old\n")
    os.symlink("fsr-old", os.path.join(d, "link-old"))
    os.symlink("fsr-made", os.path.join(d, "dangling"))
    os.symlink("sub", os.path.join(d, "dirlink"))
    return [d]


def at(path, flags, ret, mode=None, dirfd=AT_FDCWD, base="$D", **kw):
    e = sd.ev("openat", dirfd=dirfd, dirfd_path=base, path=path)
    if path:
        e["abspath"] = f"{base}/{path}"
    e["flags"] = flags
    if mode is not None:
        e["mode"] = mode
    e["ret"] = ret
    if ret >= 0:
        e["ret_path"] = kw.pop("ret_path", e["abspath"])
    e.update(kw)
    return e


def in_dir(records, d):
    """The syscall records of the fixture from its chdir(D) on."""
    recs = syscalls(records)
    first = next(i for i, r in enumerate(recs)
                 if r["syscall"] == "chdir" and r.get("path") == d)
    return recs[first:]


def test_open_kinds_live_and_import(ctx):
    """O_CREAT on a name that is there, relative to the cwd, to a dirfd,
    through a symlink, and on a new name or a dangling symlink; an empty
    path; directories opened. Live and imported give the same events,
    "" has no abspath in either."""
    [task] = sd.live_and_import(ctx, "open_kinds", kinds_setup)
    sd.exact(task, [
        sd.ev("chdir", path="$D", abspath="$D", ret=0),
        at("fsr-old", WC, 3, 0o600),
        at("fsr-new", WC, 4, 0o600),
        at("fsr-new", WC + ["O_EXCL"], -1, 0o600, errno="EEXIST"),
        at("sub", ["O_RDONLY", "O_DIRECTORY"], 5),
        at("fsr-old2", WC, 6, 0o600, dirfd=5, base="$D/sub"),
        at("fsr-new2", ["O_RDWR", "O_CREAT"], 7, 0o600, dirfd=5,
           base="$D/sub"),
        at("link-old", WC, 8, 0o600),
        at("dangling", WC, 9, 0o600),
        sd.ev("creat", path="fsr-old", abspath="$D/fsr-old",
              flags=WC + ["O_TRUNC"], mode=0o600, ret=10,
              ret_path="$D/fsr-old"),
        at("", ["O_RDONLY"], -1, errno="ENOENT"),
        at("sub", ["O_RDONLY"], 11),
        at("dirlink", ["O_RDONLY"], 12),
        at("dirlink", ["O_RDONLY", "O_NOFOLLOW", "O_PATH"], 13),
    ])


def test_existed_live(ctx):
    """existed is decided before the call, as the open resolves the name:
    true for a file (by cwd, by dirfd, through a symlink), false for a
    new name and for a dangling symlink (the open creates its target);
    absent without O_CREAT and with O_EXCL."""
    d = os.path.join(ctx.tmp, "d")
    os.mkdir(d)
    args = kinds_setup(d)
    p, _, records = ctx.record([ctx.fixture("open_kinds"), *args], cwd=d)
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    opens = [r for r in in_dir(records, d) if r["syscall"] != "chdir"]
    assert_events(opens, [
        {"path": "fsr-old", "existed": True},
        {"path": "fsr-new", "existed": False},
        {"path": "fsr-new", "errno": "EEXIST", "existed": ABSENT},
        {"path": "sub", "existed": ABSENT},
        {"path": "fsr-old2", "existed": True},
        {"path": "fsr-new2", "existed": False},
        {"path": "link-old", "existed": True},
        {"path": "dangling", "existed": False},
        {"syscall": "creat", "existed": True},
        {"path": "", "abspath": ABSENT, "existed": ABSENT},
        {"path": "sub", "existed": ABSENT},
        {"path": "dirlink", "existed": ABSENT},
        {"path": "dirlink", "existed": ABSENT},
    ], root=ctx.tmp)
    assert os.path.isfile(os.path.join(d, "fsr-made"))


RENAMES = """import os
os.rename("a", "old")              # onto a file: it held one
os.rename("b", "new")              # onto a free name
d = os.open(".", os.O_RDONLY | os.O_DIRECTORY)
os.rename("c", "old", src_dir_fd=d, dst_dir_fd=d)  # renameat, by dirfd
os.rename("e", "dangling")         # onto a dangling symlink: replaced
os.link("old", "hard")             # a link never replaces
"""


def test_existed_live_for_a_rename(ctx):
    """A rename's existed: whether its destination held anything, as
    the rename sees it (a symlink is replaced, not followed); absent for
    link."""
    d = os.path.join(ctx.tmp, "d")
    os.mkdir(d)
    for n in ("a", "b", "c", "e", "old"):
        write_file(os.path.join(d, n), n)
    os.symlink("nowhere", os.path.join(d, "dangling"))
    script = write_file(os.path.join(ctx.tmp, "r.py"), RENAMES)
    p, _, records = ctx.record(["/usr/bin/python3", script], cwd=d)
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    got = [(r["syscall"], r.get("path2"), r.get("existed", ABSENT))
           for r in syscalls(records, under=d)
           if r["syscall"] in ("rename", "renameat", "renameat2", "link",
                               "linkat")]
    assert got == [("rename", "old", True), ("rename", "new", False),
                   ("renameat", "old", True),
                   ("rename", "dangling", True),
                   ("link", "hard", ABSENT)], got


def test_existed_not_imported(ctx):
    """A strace log cannot tell whether the name was there: no existed
    (and no creds) in an imported trace."""
    if not harness.which("strace"):
        raise Skip("strace is not installed (apt-get install strace)")
    d = os.path.join(ctx.tmp, "d")
    os.mkdir(d)
    args = kinds_setup(d)
    log = os.path.join(ctx.tmp, "s.log")
    subprocess.run(["strace", "-f", "-qq", "-y", "-o", log,
                    ctx.fixture("open_kinds"), *args], cwd=d, check=True,
                   capture_output=True, timeout=60)
    out = os.path.join(ctx.tmp, "t.jsonl")
    i = ctx.run(["import", "-o", out, log])
    assert (i.returncode, i.stderr) == (0, ""), i.stderr
    recs = in_dir(harness.read_trace(out)[1], d)
    creates = [r for r in recs if "O_CREAT" in r.get("flags", [])]
    assert len(creates) == 8, [harness.short(r) for r in creates]
    assert not [r for r in recs if "existed" in r or "creds" in r], recs


def is_dir(s):
    return stat.S_ISDIR(s["mode"])


def test_open_result_identity(ctx):
    """An open's stat is the object it opened: the directory for sub and
    for a symlink to it, the symlink itself for O_PATH|O_NOFOLLOW, the
    file a symlink led to."""
    d = os.path.join(ctx.tmp, "d")
    os.mkdir(d)
    args = kinds_setup(d)
    p, _, records = ctx.record([ctx.fixture("open_kinds"), *args], cwd=d)
    assert p.returncode == 0, p.stderr
    by_ret = {r["ret"]: r for r in in_dir(records, d)
              if r["syscall"] in ("openat", "creat") and r["ret"] >= 0}
    sub = os.stat(os.path.join(d, "sub"))
    old = os.stat(os.path.join(d, "fsr-old"))
    link = os.lstat(os.path.join(d, "dirlink"))
    for fd, st in ((5, sub), (11, sub), (12, sub), (13, link), (8, old),
                   (3, old), (10, old)):
        got = by_ret[fd]["stat"]
        assert (got["ino"], got["mode"]) == (st.st_ino, st.st_mode), \
            (fd, got, st)
    assert is_dir(by_ret[12]["stat"]) and \
        stat.S_ISLNK(by_ret[13]["stat"]["mode"])


def test_tmpfile(ctx):
    """O_TMPFILE: abspath is the directory, the fd names no file there:
    its path is what the kernel calls the unnamed file, live and
    imported alike, and the open records no existed."""
    runs = {}
    for mode in ("live", "log"):
        if mode == "log" and not harness.which("strace"):
            raise Skip("strace is not installed (apt-get install strace)")
        d = os.path.join(ctx.tmp, mode)
        os.makedirs(os.path.join(d, "sub"))
        prog = [ctx.fixture("open_kinds"), d, "tmpfile"]
        out = os.path.join(ctx.tmp, mode + ".jsonl")
        if mode == "live":
            p = ctx.run(["record", "-o", out, "--", *prog], cwd=d)
            assert p.returncode == 0, p.stderr
        else:
            log = os.path.join(ctx.tmp, "s.log")
            subprocess.run(["strace", "-f", "-qq", "-y", "-o", log, *prog],
                           cwd=d, check=True, capture_output=True)
            i = ctx.run(["import", "-o", out, log])
            assert (i.returncode, i.stderr) == (0, ""), i.stderr
        recs = in_dir(harness.read_trace(out)[1], d)
        op, fst = recs[1], recs[2]
        m = re.fullmatch(re.escape(d) + r"/sub/#(\d+) \(deleted\)",
                         op.get("ret_path", ""))
        assert m, harness.short(op)
        assert (op["abspath"], op["ret"], fst["fd"], fst["fd_path"]) == \
            (d + "/sub", 3, 3, op["ret_path"]), (op, fst)
        assert "existed" not in op and "O_TMPFILE" in op["flags"], op
        runs[mode] = (op, fst, int(m.group(1)))
    op, fst, ino = runs["live"]
    # the unnamed file itself, no link to it: the kernel's name is its ino
    assert (fst["stat"]["ino"], fst["stat"]["nlink"]) == (ino, 0), fst
    assert stat.S_ISREG(op["stat"]["mode"]) and op["stat"]["ino"] == ino


def exec_records(records):
    return [r for r in syscalls(records)
            if r["syscall"] == "execve" and r.get("ret") == 0]


def test_creds_of_exec(ctx):
    """A successful execve carries who the program runs as."""
    p, _, records = ctx.record(["/bin/true"])
    assert p.returncode == 0, p.stderr
    [ex] = exec_records(records)
    assert ex["creds"] == {"uid": os.getuid(), "euid": os.geteuid(),
                           "secure": False}, ex
    failed = [r for r in syscalls(records) if "creds" in r and r is not ex]
    assert not failed, failed


def test_creds_of_setuid_exec(ctx):
    """A set-user-id program run by root: euid is its owner's, AT_SECURE
    is set, and the program agrees (id -u prints its euid)."""
    if os.geteuid() != 0:
        raise Skip("needs root to make a set-user-id binary of nobody's")
    nobody = 65534
    d = os.path.join(ctx.tmp, "bin")
    os.mkdir(d)
    os.chmod(ctx.tmp, 0o755)
    exe = os.path.join(d, "id")
    shutil.copy(shutil.which("id"), exe)
    os.chown(exe, nobody, nobody)
    os.chmod(exe, 0o4755)
    p, _, records = ctx.record([exe, "-u"])
    assert (p.returncode, p.stdout) == (0, f"{nobody}\n"), (p.stdout,
                                                             p.stderr)
    [ex] = exec_records(records)
    assert ex["creds"] == {"uid": 0, "euid": nobody, "secure": True}, ex
    dump = ctx.run(["dump", os.path.join(ctx.tmp, "trace.jsonl")])
    line = next(x for x in dump.stdout.splitlines() if " execve(" in x)
    assert f" = 0 {{uid=0, euid={nobody}, secure}}" in line, line


def test_creds_in_attach_mode(ctx):
    """record -p: each task's first record says who it runs as (no exec
    is seen for it), later ones do not."""
    proc, pid, helper, data, stop = tr.start_loop(ctx)
    fs = None
    try:
        out = os.path.join(ctx.tmp, "trace.jsonl")
        fs = subprocess.Popen([ctx.fsrace, "record", "-o", out, "-p",
                               str(pid)], cwd=ctx.tmp, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        tr.wait_for(out, lambda recs: all(
            tr.opens_per_tid(recs, data).get(t, 0) >= 2
            for t in (pid, helper)))
        fs.terminate()
        _, err = fs.communicate(timeout=10)
        assert fs.returncode == 0, err
        write_file(stop)
        assert proc.wait(timeout=5) == 0
        recs = syscalls(harness.read_trace(out)[1])
        want = {"uid": os.getuid(), "euid": os.geteuid(), "secure": False}
        for tid in (pid, helper):
            mine = [r for r in recs if r["tid"] == tid]
            assert mine[0].get("creds") == want, mine[0]
            assert not [r for r in mine[1:] if "creds" in r], tid
    finally:
        if fs and fs.poll() is None:
            fs.kill()
            fs.wait()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


HEADER = '{"type":"header","format":"fsrace-trace","version":1}'


def write_trace(ctx, records):
    path = os.path.join(ctx.tmp, "t.jsonl")
    with open(path, "w") as f:
        f.write(HEADER + "\n")
        for seq, r in enumerate(records, 1):
            f.write(json.dumps(dict(type="syscall", seq=seq, pid=10,
                                    tid=10, ts_enter=1_000_000,
                                    ts_exit=1_001_000, **r)) + "\n")
    return path


def test_dump_creds_and_existed(ctx):
    """dump shows both; a creds or existed of the wrong type reads as
    absent, and a trace written before they existed reads as before."""
    path = write_trace(ctx, [
        dict(syscall="execve", path="/bin/x", argv=["x"], ret=0,
             creds={"uid": 1000, "euid": 0, "secure": True}),
        dict(syscall="openat", dirfd=-100, path="a", flags=WC, mode=0o600,
             ret=3, existed=True),
        dict(syscall="openat", dirfd=-100, path="b", flags=WC, mode=0o600,
             ret=4, existed=False),
        dict(syscall="openat", dirfd=-100, path="c", flags=WC, mode=0o600,
             ret=5, existed=1, creds=[0]),
        dict(syscall="execve", path="/bin/y", argv=["y"], ret=0),
    ])
    p = ctx.run(["dump", path], env=dict(os.environ, TZ="UTC"))
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    t = "10     00:00:00.001000 "
    assert p.stdout == (
        t + 'execve("/bin/x", ["x"]) = 0 {uid=1000, euid=0, secure}'
        ' <0.000001>\n' +
        t + 'openat(AT_FDCWD, "a", O_WRONLY|O_CREAT, 0600) = 3 (existed)'
        ' <0.000001>\n' +
        t + 'openat(AT_FDCWD, "b", O_WRONLY|O_CREAT, 0600) = 4 (new)'
        ' <0.000001>\n' +
        t + 'openat(AT_FDCWD, "c", O_WRONLY|O_CREAT, 0600) = 5'
        ' <0.000001>\n' +
        t + 'execve("/bin/y", ["y"]) = 0 <0.000001>\n'), p.stdout


PROBE = {"rules": [{
    "id": "created-probe", "title": "t", "severity": "note",
    "explanation": "e", "fix": "f", "message": "created {$p}",
    "steps": [{"name": "c", "syscalls": ["@open"],
               "where": {"created": "$p", "result": "success"}},
              {"name": "exit", "at_exit": True}]}]}


def test_existing_name_is_not_created(ctx):
    """The rules' `created` of an O_CREAT open is the name only when it
    was free: not a file that was there, nor one a symlink led to; a
    dangling symlink's open creates."""
    d = os.path.join(ctx.tmp, "d")
    os.mkdir(d)
    args = kinds_setup(d)
    p, _, _ = ctx.record([ctx.fixture("open_kinds"), *args], cwd=d)
    assert p.returncode == 0, p.stderr
    rules = os.path.join(ctx.tmp, "probe.json")
    with open(rules, "w") as f:
        json.dump(PROBE, f)
    a = ctx.run(["analyze", "--no-default-rules", "--no-default-filters",
                 "-r", rules, "-f", "json", "--fail-on", "none",
                 os.path.join(ctx.tmp, "trace.jsonl")])
    assert a.returncode == 0, a.stderr
    got = sorted(f["message"] for f in json.loads(a.stdout)["findings"])
    assert got == [f"created {d}/dangling", f"created {d}/fsr-new",
                   f"created {d}/sub/fsr-new2"], got
