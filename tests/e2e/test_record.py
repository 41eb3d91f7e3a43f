"""End-to-end tests of `fsrace record` and `fsrace dump` on the fixtures
of fixtures/record/: every test traces a real program in its own temp dir
and asserts the recorded events exactly (docs/trace-format.md).

The expected events come from what each fixture does (its header comment
lists its calls) and from the file system itself (stat(1), os.stat), never
from fsrace's own output."""
import json
import os
import signal
import socket
import subprocess
import time

import harness
from harness import (ABSENT, Skip, Tree, assert_events, copy_fixture,
                     of_type, read_trace, stat_identity, syscalls,
                     write_file)

AT_FDCWD = -100
S_IFREG = 0o100000
S_IFDIR = 0o040000
S_IFLNK = 0o120000
S_IFIFO = 0o010000


def sc(name, **kw):
    """An expected syscall record."""
    d = {"syscall": name}
    d.update(kw)
    return d


class Pred:
    """A predicate with a description, for assert_events messages."""

    def __init__(self, fn, doc):
        self.fn = fn
        self.__doc__ = doc

    def __call__(self, v):
        try:
            return bool(self.fn(v))
        except (KeyError, TypeError):
            return False


def ident(path, follow=True, mode=None):
    """The record's stat identity equals what stat(1) says of PATH now
    (with MODE in place of its mode, when the program changed the mode
    after the event)."""
    want = stat_identity(path, follow=follow)
    if mode is not None:
        want = want[:2] + (mode,) + want[3:]
    return Pred(lambda s: (s["dev"], s["ino"], s["mode"], s["nlink"],
                           s["uid"]) == want,
                f"identity (dev, ino, mode, nlink, uid) == {want} "
                f"of {path}")


def stat_like(**want):
    """The record's stat has these values."""
    return Pred(lambda s: all(s[k] == v for k, v in want.items()),
                f"stat with {want}")


def parent_of(d):
    """The parent entry describes directory D as it is now."""
    st = os.stat(d)
    want = {"path": d, "uid": st.st_uid, "mode": st.st_mode}
    return Pred(lambda p: all(p[k] == v for k, v in want.items()),
                f"parent {want}")


def is_fd(v):
    return isinstance(v, int) and v >= 3


def is_fd_above_3(v):
    return isinstance(v, int) and v > 3


class Run:
    """One `fsrace record` of a fixture, with the standard checks done:
    the exit status, the header, seq numbering, the process tree."""

    def __init__(self, ctx, name, *args, rc=0, extra=(), **kw):
        self.ctx = ctx
        self.prog = ctx.fixture(name)
        self.argv = [self.prog, *args]
        self.out = os.path.join(ctx.tmp, "trace.jsonl")
        self.proc, self.header, self.records = ctx.record(
            self.argv, out=self.out, extra=extra, **kw)
        err = self.proc.stderr
        if isinstance(err, bytes):
            err = err.decode(errors="replace")
        assert self.proc.returncode == rc, (
            f"fsrace record exited {self.proc.returncode}, expected {rc}\n"
            f"stderr: {err}")
        assert self.header is not None, "no trace file written"
        check_header(self.header, ctx, self.argv)
        harness.check_sequence_numbers(self.records)
        check_syscall_records(self.records)
        self.tree = Tree(self.records)

    def under_tmp(self):
        return syscalls(self.records, under=self.ctx.tmp)

    def p(self, *parts):
        return os.path.join(self.ctx.tmp, *parts)

    def stdout_pids(self):
        """The "WORD NUMBER…" lines a fixture prints, as a dict."""
        out = self.proc.stdout
        if isinstance(out, bytes):
            out = out.decode()
        pids = {}
        for line in out.splitlines():
            word, *nums = line.split()
            pids[word] = [int(n) for n in nums]
        return pids

    def assert_events(self, got, want, what="events under the temp dir"):
        assert_events(got, want, root=self.ctx.tmp, what=what)


def trace_str(s):
    """What a reader of the trace gets for the OS string S
    (docs/trace-format.md): valid UTF-8 sequences as they are, each other
    byte as the character U+00XX."""
    d = os.fsencode(s).decode("utf-8", errors="surrogateescape")
    return "".join(chr(ord(c) - 0xdc00) if 0xdc80 <= ord(c) <= 0xdcff
                   else c for c in d)


def check_header(h, ctx, argv, mode="spawn"):
    assert h.get("type") == "header", h
    assert h.get("format") == "fsrace-trace", h
    assert h.get("version") == 3, h
    assert isinstance(h.get("fsrace_version"), str) and h["fsrace_version"]
    argv = [trace_str(a) for a in argv]
    assert h.get("argv") == argv, f"header argv {h.get('argv')} != {argv}"
    opts = h.get("options") or {}
    assert opts.get("mode") == mode, opts
    if mode == "spawn":
        assert "pid" in opts and opts["pid"] is None, opts
        assert h.get("cwd") == ctx.tmp, (h.get("cwd"), ctx.tmp)


def check_syscall_records(records):
    for r in of_type(records, "syscall"):
        assert isinstance(r.get("ts_enter"), int) and \
            isinstance(r.get("ts_exit"), int), harness.short(r)
        assert r["ts_enter"] <= r["ts_exit"], harness.short(r)
        if r["syscall"] in ("close", "close_range", "sync"):
            assert "ret" not in r and "errno" not in r, harness.short(r)
            assert r["ts_exit"] == r["ts_enter"], harness.short(r)
        else:
            assert isinstance(r.get("ret"), int), harness.short(r)
            assert ("errno" in r) == (r["ret"] == -1), harness.short(r)


def root_exit(run):
    ex = run.tree.exit_of(run.tree.root)
    assert ex is not None, "no exit record for the root process"
    last = of_type(run.records, "exit")[-1]
    assert last is ex, (f"the root's exit is not the last exit record: "
                        f"{harness.short(last)}")
    return ex


def all_from(recs, pid, tid=None):
    tid = pid if tid is None else tid
    bad = [harness.short(r) for r in recs
           if r.get("pid") != pid or r.get("tid") != tid]
    assert not bad, f"events not from pid {pid} tid {tid}:\n" + \
        "\n".join(bad)


# --- the fixtures ---------------------------------------------------------

def test_header(ctx):
    write_file(os.path.join(ctx.tmp, "data"), "x\n")
    before = time.time_ns()
    run = Run(ctx, "stat_open", "data", "missing")
    h = run.header
    u = os.uname()
    assert h["host"] == u.nodename == socket.gethostname(), h["host"]
    assert u.release in h["kernel"] and u.machine in h["kernel"], \
        h["kernel"]
    assert before - 10**9 <= h["start_ns"] <= time.time_ns(), h["start_ns"]
    iso = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                        time.gmtime(h["start_ns"] // 10**9))
    assert h["start_time"] == iso, (h["start_time"], iso)
    assert h["options"]["seccomp"] is harness.seccomp(), h["options"]
    first = min(r["ts_enter"] for r in of_type(run.records, "syscall"))
    assert first >= h["start_ns"], "an event before the trace started"


def test_stat_then_open(ctx):
    write_file(os.path.join(ctx.tmp, "data.txt"), "some data\n")
    run = Run(ctx, "stat_open", "data.txt", "./sub/../missing")
    data, tmp = run.p("data.txt"), ctx.tmp
    got = run.under_tmp()
    run.assert_events(got, [
        sc("newfstatat", dirfd=AT_FDCWD, dirfd_path=tmp, path="data.txt",
           abspath=data, ret=0, errno=ABSENT, stat=ident(data),
           parent=parent_of(tmp)),
        sc("openat", dirfd=AT_FDCWD, dirfd_path=tmp, path="data.txt",
           abspath=data, flags=["O_RDONLY", "O_CLOEXEC"], mode=ABSENT,
           ret=3, errno=ABSENT, ret_path=data, stat=ident(data),
           parent=parent_of(tmp)),
        sc("close", fd=3, fd_path=data, ret=ABSENT),
        sc("newfstatat", dirfd=AT_FDCWD, path="./sub/../missing",
           abspath=run.p("missing"), ret=-1, errno="ENOENT",
           stat=ABSENT),
    ])
    all_from(got, run.tree.root)
    assert root_exit(run).get("status") == 0
    assert list(run.tree.tasks) == [run.tree.root], run.tree.tasks


def test_non_utf8_path(ctx):
    # a name that is not UTF-8 (Latin-1 "café"), and one that is
    raw = os.fsencode(ctx.tmp) + b"/caf\xe9"
    with open(raw, "w") as f:
        f.write("x\n")
    run = Run(ctx, "stat_open", "caf\udce9", "\u00e9t\u00e9")
    with open(run.out, "rb") as f:
        text = f.read()
    text.decode("utf-8")        # the trace is UTF-8 whatever the paths
    assert b"caf\\u00e9" in text, "byte 0xe9 not written as \\u00e9"
    name = run.p("caf\u00e9")   # \u00e9 read back is the byte 0xe9
    run.assert_events(run.under_tmp(), [
        sc("newfstatat", path="caf\u00e9", abspath=name, ret=0,
           stat=ident(raw)),
        sc("openat", path="caf\u00e9", abspath=name, ret=3, ret_path=name,
           stat=ident(raw)),
        sc("close", fd=3, fd_path=name),
        sc("newfstatat", path="\u00e9t\u00e9",
           abspath=run.p("\u00e9t\u00e9"), ret=-1, errno="ENOENT"),
    ])


def test_chdir_relative_paths(ctx):
    a = os.path.join(ctx.tmp, "a")
    os.makedirs(os.path.join(a, "sub"))
    write_file(os.path.join(a, "sub", "f1"), "1\n")
    write_file(os.path.join(a, "f2"), "2\n")
    run = Run(ctx, "chdir_rel", "a")
    sub = os.path.join(a, "sub")
    f1, f2 = os.path.join(sub, "f1"), os.path.join(a, "f2")
    run.assert_events(run.under_tmp(), [
        sc("chdir", path="a", abspath=a, ret=0),
        sc("openat", dirfd=AT_FDCWD, dirfd_path=a, path="sub/f1",
           abspath=f1, ret=3, ret_path=f1, stat=ident(f1)),
        sc("close", fd=3, fd_path=f1),
        sc("chdir", path="sub", abspath=sub, ret=0),
        sc("newfstatat", dirfd=AT_FDCWD, dirfd_path=sub, path="../f2",
           abspath=f2, ret=0, stat=ident(f2)),
        sc("openat", dirfd=AT_FDCWD, dirfd_path=sub, path=".",
           abspath=sub, flags=["O_RDONLY", "O_DIRECTORY", "O_CLOEXEC"],
           ret=3, ret_path=sub, stat=ident(sub)),
        sc("fchdir", fd=3, fd_path=sub, ret=0),
        sc("open", path="f1", abspath=f1, flags=["O_RDONLY", "O_CLOEXEC"],
           ret=4, ret_path=f1),
        sc("close", fd=4, fd_path=f1),
        sc("access", path="../f2", abspath=f2, access=["R_OK"], ret=0),
        sc("close", fd=3, fd_path=sub),
    ])
    chdirs = [(r["path"], r.get("abspath")) for r in syscalls(run.records)
              if r["syscall"] == "chdir"]
    assert chdirs == [("a", a), ("sub", sub), ("/", "/")], chdirs


def test_openat_dirfd(ctx):
    od = os.path.join(ctx.tmp, "od")
    os.mkdir(od)
    run = Run(ctx, "openat_dirfd", "od")
    x, d, lnk = (os.path.join(od, n) for n in ("x", "d", "lnk"))
    wr = ["O_WRONLY", "O_CREAT", "O_TRUNC", "O_CLOEXEC"]
    dirflags = ["O_RDONLY", "O_DIRECTORY", "O_CLOEXEC"]
    run.assert_events(run.under_tmp(), [
        sc("openat", dirfd=AT_FDCWD, path="od", abspath=od,
           flags=dirflags, ret=3, ret_path=od),
        sc("openat", dirfd=3, dirfd_path=od, path="x", abspath=x,
           flags=wr, mode=0o640, ret=4, ret_path=x, stat=ident(x),
           parent=parent_of(od)),
        sc("close", fd=4, fd_path=x),
        sc("newfstatat", dirfd=3, dirfd_path=od, path="x", abspath=x,
           ret=0, stat=ident(x)),
        sc("mkdirat", dirfd=3, dirfd_path=od, path="d", abspath=d,
           mode=0o750, ret=0, parent=parent_of(od)),
        sc("openat", dirfd=3, dirfd_path=od, path="d", abspath=d,
           flags=dirflags, ret=4, ret_path=d, stat=ident(d)),
        sc("openat", dirfd=4, dirfd_path=d, path="../x", abspath=x,
           flags=["O_RDONLY", "O_CLOEXEC"], ret=5, ret_path=x,
           stat=ident(x)),
        sc("close", fd=5, fd_path=x),
        sc("openat2", dirfd=4, dirfd_path=d, path="../x", abspath=x,
           flags=["O_RDONLY", "O_CLOEXEC"], resolve=["RESOLVE_BENEATH"],
           ret=-1, errno="EXDEV", stat=ABSENT, ret_path=ABSENT),
        sc("symlinkat", dirfd=3, dirfd_path=od, path="lnk", abspath=lnk,
           target="x", ret=0),
        sc("newfstatat", dirfd=3, path="lnk", abspath=lnk,
           flags=["AT_SYMLINK_NOFOLLOW"], ret=0,
           stat=ident(lnk, follow=False)),
        sc("readlinkat", dirfd=3, path="lnk", abspath=lnk, ret=1,
           target="x"),
        sc("faccessat", dirfd=3, path="x", abspath=x, access=["R_OK"],
           ret=0),
        sc("faccessat2", dirfd=3, path="x", abspath=x, access=["W_OK"],
           flags=["AT_EACCESS"], ret=0),
        sc("statx", dirfd=3, dirfd_path=od, path="x", abspath=x, ret=0,
           stat=ident(x)),
        sc("close", fd=4, fd_path=d),
        sc("close", fd=3, fd_path=od),
    ])
    assert stat_identity(lnk, follow=False)[2] & 0o170000 == S_IFLNK


def test_dup_and_fcntl(ctx):
    f = write_file(os.path.join(ctx.tmp, "f"), "dup me\n")
    run = Run(ctx, "dup_use", "f")
    idf = ident(f)
    run.assert_events(run.under_tmp(), [
        sc("openat", path="f", abspath=f, ret=3, ret_path=f, stat=idf),
        sc("dup", fd=3, fd_path=f, ret=4, ret_path=f),
        sc("fcntl", fd=3, fd_path=f, cmd="F_DUPFD", arg=10, ret=10,
           ret_path=f),
        sc("fcntl", fd=3, fd_path=f, cmd="F_DUPFD_CLOEXEC", arg=20,
           ret=20, ret_path=f),
        sc("dup2", fd=3, fd_path=f, fd2=30, ret=30, ret_path=f),
        sc("dup3", fd=3, fd_path=f, fd2=31, flags=["O_CLOEXEC"], ret=31,
           ret_path=f),
        sc("close", fd=3, fd_path=f),
        sc("fstat", fd=4, fd_path=f, ret=0, stat=idf),
        sc("newfstatat", dirfd=10, dirfd_path=f, path="", abspath=f,
           flags=["AT_EMPTY_PATH"], ret=0, stat=idf),
        sc("fcntl", fd=20, fd_path=f, cmd="F_SETFD", arg=0, ret=0),
        sc("fstat", fd=30, fd_path=f, ret=0, stat=idf),
        sc("fstat", fd=31, fd_path=f, ret=0, stat=idf),
        sc("close", fd=4, fd_path=f),
        sc("close", fd=10, fd_path=f),
        sc("close", fd=20, fd_path=f),
        sc("close", fd=30, fd_path=f),
        sc("close", fd=31, fd_path=f),
    ])
    # after the closes fd 4 names nothing
    last = syscalls(run.records)[-1]
    run.assert_events([last], [
        sc("fstat", fd=4, fd_path=ABSENT, ret=-1, errno="EBADF",
           stat=ABSENT)], what="the last syscall")
    cmds = [r.get("cmd") for r in syscalls(run.records)
            if r["syscall"] == "fcntl"]
    assert cmds == ["F_DUPFD", "F_DUPFD_CLOEXEC", "F_SETFD"], \
        f"fcntl commands recorded: {cmds} (F_GETFL must not be)"


def test_fork_exec(ctx):
    exe = copy_fixture(ctx, "fork_exec", os.path.join(ctx.tmp, "prog"))
    src = write_file(os.path.join(ctx.tmp, "in.txt"), "in\n")
    run = Run(ctx, "fork_exec", exe, "in.txt", "out.txt")
    pids = run.stdout_pids()
    P, C = pids["parent"][0], pids["child"][0]
    out = run.p("out.txt")
    assert run.tree.root == P, (run.tree.root, P)
    forks = [r for r in run.tree.forks if r["pid"] == P]
    run.assert_events(run.tree.forks, [
        {"type": "fork", "pid": P, "tid": P, "syscall": "clone",
         "child_pid": C, "child_tid": C, "kind": "process"}],
        what="fork records")
    assert not forks[0].get("shares"), "a forked process shares nothing"
    rd = ["O_RDONLY"]
    run.assert_events(run.under_tmp(), [
        sc("openat", pid=P, tid=P, path="in.txt", abspath=src, flags=rd,
           ret=3),
        sc("openat", pid=P, tid=P, path="in.txt", abspath=src,
           flags=rd + ["O_CLOEXEC"], ret=4),
        sc("execve", pid=C, tid=C, path=exe + ".missing",
           abspath=exe + ".missing", ret=-1, errno="ENOENT"),
        sc("execve", pid=C, tid=C, path=exe, abspath=exe, ret=0,
           errno=ABSENT, argv=[exe, "--child", "out.txt", "3", "4"],
           old_tid=ABSENT),
        sc("fstat", pid=C, tid=C, fd=3, fd_path=src, ret=0,
           stat=ident(src)),
        sc("openat", pid=C, tid=C, path="out.txt", abspath=out,
           flags=["O_WRONLY", "O_CREAT", "O_TRUNC", "O_CLOEXEC"],
           mode=0o644, ret=4, ret_path=out, stat=ident(out)),
        sc("close", pid=C, tid=C, fd=4, fd_path=out),
        sc("newfstatat", pid=P, tid=P, path="out.txt", abspath=out, ret=0,
           stat=ident(out)),
        sc("close", pid=P, tid=P, fd=3, fd_path=src),
        sc("close", pid=P, tid=P, fd=4, fd_path=src),
    ])
    # fd 4 was O_CLOEXEC: after the exec the child's fd 4 names nothing
    gone = [r for r in syscalls(run.records)
            if r["pid"] == C and r["syscall"] == "fstat" and r["fd"] == 4]
    run.assert_events(gone, [sc("fstat", fd=4, fd_path=ABSENT, ret=-1,
                                errno="EBADF")],
                      what="fstat of the O_CLOEXEC fd after exec")
    cx, px = run.tree.exit_of(C), root_exit(run)
    assert cx.get("status") == 0 and px.get("status") == 0, (cx, px)
    assert cx["seq"] < px["seq"]
    fork_seq = forks[0]["seq"]
    first_child = min(r["seq"] for r in run.records
                      if r.get("pid") == C and r["type"] != "fork")
    assert fork_seq < first_child, "child events before its fork record"


def test_vfork_exec(ctx):
    exe = copy_fixture(ctx, "vfork_exec", os.path.join(ctx.tmp, "prog"))
    data = write_file(os.path.join(ctx.tmp, "data"), "vfork\n")
    run = Run(ctx, "vfork_exec", exe, "data")
    pids = run.stdout_pids()
    P, C = pids["parent"][0], pids["child"][0]
    assert run.tree.root == P
    run.assert_events(run.tree.forks, [
        {"type": "fork", "pid": P, "tid": P, "syscall": "vfork",
         "child_pid": C, "child_tid": C, "kind": "vfork"}],
        what="fork records")
    run.assert_events(run.under_tmp(), [
        sc("execve", pid=C, tid=C, path=exe, abspath=exe, ret=0,
           argv=[exe, "--child", "data"]),
        sc("openat", pid=C, tid=C, path="data", abspath=data, ret=3,
           ret_path=data, stat=ident(data)),
        sc("newfstatat", pid=C, tid=C, dirfd=3, dirfd_path=data, path="",
           abspath=data, flags=["AT_EMPTY_PATH"], ret=0, stat=ident(data)),
        sc("close", pid=C, tid=C, fd=3, fd_path=data),
        sc("openat", pid=P, tid=P, path="data", abspath=data, ret=3,
           ret_path=data),
        sc("close", pid=P, tid=P, fd=3, fd_path=data),
    ])
    assert run.tree.exit_of(C).get("status") == 0
    assert root_exit(run).get("status") == 0


def test_threads(ctx):
    d = os.path.join(ctx.tmp, "th")
    os.mkdir(d)
    run = Run(ctx, "threads", "th")
    P = run.stdout_pids()["pid"][0]
    assert run.tree.root == P
    files = [os.path.join(d, f"t{i}") for i in range(4)]
    tids = []
    for f in files:
        with open(f) as fh:
            tids.append(int(fh.read()))
    forks = run.tree.forks
    assert len(forks) == 4, forks
    for r in forks:
        assert r["pid"] == P and r["tid"] == P and r["kind"] == "thread" \
            and r["child_pid"] == P, harness.short(r)
        assert {"files", "fs"} <= set(r.get("shares", [])), r
    assert sorted(r["child_tid"] for r in forks) == sorted(tids), \
        (forks, tids)
    assert len(set(tids)) == 4 and P not in tids
    evs = run.under_tmp()
    for f, tid in zip(files, tids):
        mine = [r for r in evs if r["tid"] == tid]
        fd = mine[0].get("ret") if mine else None
        run.assert_events(mine, [
            sc("openat", pid=P, dirfd=3, dirfd_path=d,
               path=os.path.basename(f), abspath=f,
               flags=["O_WRONLY", "O_CREAT", "O_TRUNC", "O_CLOEXEC"],
               mode=0o644, ret=Pred(is_fd_above_3, "an fd > 3"),
               ret_path=f,
               stat=ident(f)),
            sc("fstat", pid=P, fd=fd, fd_path=f, ret=0, stat=ident(f)),
            sc("close", pid=P, fd=fd, fd_path=f),
        ], what=f"events of thread {tid} (the writer of {f})")
    main = [r for r in evs if r["tid"] == P]
    run.assert_events(main, [
        sc("openat", pid=P, path="th", abspath=d, ret=3, ret_path=d)] + [
        sc("newfstatat", pid=P, path=f"th/t{i}", abspath=f, ret=0,
           stat=ident(f)) for i, f in enumerate(files)] + [
        sc("close", pid=P, fd=3, fd_path=d)],
        what="events of the main thread")
    threads = [r["seq"] for r in evs if r["tid"] != P]
    assert main[0]["seq"] < min(threads) and \
        main[1]["seq"] > max(threads), "main thread events out of order"
    for tid in tids:
        ex = run.tree.exit_of(tid)
        assert ex and ex["pid"] == P and ex.get("status") == 0, ex
    assert root_exit(run).get("status") == 0


def test_exec_from_thread(ctx):
    exe = copy_fixture(ctx, "thread_exec", os.path.join(ctx.tmp, "prog"))
    data = write_file(os.path.join(ctx.tmp, "data"), "x\n")
    run = Run(ctx, "thread_exec", exe, "data")
    pids = run.stdout_pids()
    P, T = pids["pid"][0], pids["thread"][0]
    assert pids["child"] == [P, P], pids
    run.assert_events(run.tree.forks, [
        {"type": "fork", "pid": P, "tid": P, "child_pid": P,
         "child_tid": T, "kind": "thread"}], what="fork records")
    run.assert_events(run.under_tmp(), [
        sc("execve", pid=P, tid=P, old_tid=T, path=exe, abspath=exe,
           ret=0, argv=[exe, "--child", "data"]),
        sc("openat", pid=P, tid=P, path="data", abspath=data, ret=3,
           ret_path=data),
        sc("close", pid=P, tid=P, fd=3, fd_path=data),
    ])
    assert root_exit(run).get("status") == 0


def killed(ctx, mode, rc):
    data = write_file(os.path.join(ctx.tmp, "data"), "x\n")
    run = Run(ctx, "killed", mode, "data", rc=rc)
    P = run.stdout_pids()["pid"][0]
    assert run.tree.root == P
    want = [sc("openat", pid=P, tid=P, path="data", abspath=data, ret=3)]
    if mode == "exit3":
        want.append(sc("close", pid=P, tid=P, fd=3, fd_path=data))
    run.assert_events(run.under_tmp(), want)
    return root_exit(run)


def test_killed_by_sigkill(ctx):
    ex = killed(ctx, "kill", 128 + signal.SIGKILL)
    assert ex.get("signal") == "SIGKILL" and "status" not in ex, ex
    assert not ex.get("core_dumped"), ex


def test_killed_by_sigsegv(ctx):
    ex = killed(ctx, "segv", 128 + signal.SIGSEGV)
    assert ex.get("signal") == "SIGSEGV" and "status" not in ex, ex
    assert not ex.get("core_dumped"), ex   # the fixture set RLIMIT_CORE 0


def test_exit_status_3(ctx):
    ex = killed(ctx, "exit3", 3)
    assert ex.get("status") == 3 and "signal" not in ex, ex


def test_stdin_stdout_passthrough(ctx):
    content = b"file \x00\xff\xfe bytes\n"
    data = write_file(os.path.join(ctx.tmp, "data"), content)
    stdin = bytes(range(256)) * 1200 + b"\r\nend without newline"
    run = Run(ctx, "catlike", "data", input=stdin, text=False)
    assert run.proc.stdout == content + stdin, "stdout changed"
    assert run.proc.stderr == b"catlike: done\n", run.proc.stderr
    run.assert_events(run.under_tmp(), [
        sc("openat", path="data", abspath=data, ret=3, ret_path=data),
        sc("close", fd=3, fd_path=data),
    ])


def test_mutations(ctx):
    run = Run(ctx, "mutations", "m")
    m = run.p("m")
    a, b, c, dd, s, fifo, gone = (os.path.join(m, n) for n in
                                  ("a", "b", "c", "d", "s", "fifo", "gone"))
    uid = os.getuid()
    pm = parent_of(ctx.tmp)
    inm = Pred(lambda p: p["path"] == m and p["mode"] == S_IFDIR | 0o750
               and p["uid"] == uid, f"parent {m} drwxr-x---")
    inm700 = Pred(lambda p: p["path"] == m and
                  p["mode"] == S_IFDIR | 0o700 and p["uid"] == uid,
                  f"parent {m} drwx------")
    got = run.under_tmp()
    run.assert_events(got, [
        sc("mkdir", path="m", abspath=m, mode=0o750, ret=0, parent=pm),
        sc("mkdir", path="m", abspath=m, mode=0o750, ret=-1,
           errno="EEXIST"),
        sc("creat", path="m/a", abspath=a, mode=0o600,
           flags=["O_WRONLY", "O_CREAT", "O_TRUNC"], ret=3, ret_path=a,
           stat=stat_like(mode=S_IFREG | 0o600, nlink=1, uid=uid),
           parent=inm),
        sc("fsync", fd=3, fd_path=a, ret=0),
        sc("fdatasync", fd=3, fd_path=a, ret=0),
        sc("close", fd=3, fd_path=a),
        sc("rename", path="m/a", abspath=a, path2="m/b", abspath2=b,
           ret=0, parent=inm, parent2=inm),
        sc("link", path="m/b", abspath=b, path2="m/c", abspath2=c, ret=0),
        sc("renameat2", dirfd=AT_FDCWD, path="m/c", abspath=c,
           dirfd2=AT_FDCWD, path2="m/b", abspath2=b,
           flags=["RENAME_NOREPLACE"], ret=-1, errno="EEXIST"),
        sc("renameat", dirfd=AT_FDCWD, dirfd_path=ctx.tmp, path="m/c",
           abspath=c, dirfd2=AT_FDCWD, dirfd2_path=ctx.tmp, path2="m/d",
           abspath2=dd, ret=0),
        sc("symlink", path="m/s", abspath=s, target="b", ret=0),
        sc("readlink", path="m/s", abspath=s, target="b", ret=1),
        sc("lstat", path="m/s", abspath=s, ret=0,
           stat=stat_like(mode=S_IFLNK | 0o777, nlink=1, size=1)),
        sc("stat", path="m/s", abspath=s, ret=0,
           stat=stat_like(mode=S_IFREG | 0o600, nlink=2, size=10)),
        sc("chmod", path="m/b", abspath=b, mode=0o640, ret=0),
        sc("chown", path="m/b", abspath=b, uid=-1, gid=-1, ret=0),
        sc("truncate", path="m/b", abspath=b, length=3, ret=0),
        sc("utimensat", dirfd=AT_FDCWD, path="m/b", abspath=b, ret=0),
        sc("utimes", path="m/b", abspath=b, ret=0),
        sc("access", path="m/b", abspath=b, access=["R_OK", "W_OK"],
           ret=0),
        sc("mknodat", dirfd=AT_FDCWD, path="m/fifo", abspath=fifo,
           mode=S_IFIFO | 0o600, ret=0, parent=inm),
        sc("chmod", path="m", abspath=m, mode=0o700, ret=0),
        # the parent's new mode, not the one cached before the chmod
        sc("unlink", path="m/fifo", abspath=fifo, ret=0, parent=inm700),
        sc("unlink", path="m/s", abspath=s, ret=0),
        sc("unlink", path="m/d", abspath=dd, ret=0),
        sc("unlink", path="m/b", abspath=b, ret=0),
        sc("unlinkat", dirfd=AT_FDCWD, path="m/gone", abspath=gone,
           ret=-1, errno="ENOENT"),
        sc("rmdir", path="m", abspath=m, ret=0, parent=pm),
    ])
    # one inode from creat to the end: a, b, d and the target of s
    ino = got[2]["stat"]["ino"]
    st, lst = got[13]["stat"], got[12]["stat"]
    assert st["ino"] == ino and lst["ino"] != ino, (ino, st, lst)
    after = syscalls(run.records)[-1]
    run.assert_events([after], [sc("sync", ret=ABSENT, path=ABSENT)],
                      what="the last syscall")


def xattr_result(ctx):
    """What fsetxattr of a user.* attribute does in the temp dir."""
    probe = write_file(os.path.join(ctx.tmp, "probe"), "")
    try:
        os.setxattr(probe, "user.fsrace", b"v")
    except OSError as e:
        import errno
        return -1, errno.errorcode[e.errno]
    finally:
        os.unlink(probe)
    return 0, ABSENT


def test_fd_operations(ctx):
    xret, xerr = xattr_result(ctx)
    run = Run(ctx, "fdops", "A", "B")
    a, b = run.p("A"), run.p("B")
    got = [r for r in run.under_tmp() if r["syscall"] != "close_range"]
    rw = ["O_RDWR", "O_CREAT", "O_TRUNC", "O_CLOEXEC"]
    run.assert_events(got, [
        sc("openat", path="A", abspath=a, flags=rw, mode=0o644, ret=3,
           ret_path=a, stat=ident(a, mode=S_IFREG | 0o644)),
        sc("openat", path="B", abspath=b, flags=rw, mode=0o600, ret=4,
           ret_path=b, stat=ident(b)),
        sc("ftruncate", fd=3, fd_path=a, length=8, ret=0),
        sc("fchmod", fd=3, fd_path=a, mode=0o600, ret=0),
        sc("fchown", fd=3, fd_path=a, uid=-1, gid=-1, ret=0),
        sc("fsync", fd=3, fd_path=a, ret=0),
        sc("fdatasync", fd=3, fd_path=a, ret=0),
        sc("syncfs", fd=3, fd_path=a, ret=0),
        sc("sync_file_range", fd=3, fd_path=a, ret=0),
        sc("copy_file_range", fd=3, fd_path=a, fd2=4, fd2_path=b, ret=4),
        sc("sendfile", fd=4, fd_path=b, fd2=3, fd2_path=a, ret=4),
        sc("fsetxattr", fd=3, fd_path=a, xattr="user.fsrace", ret=xret,
           errno=xerr),
        sc("fremovexattr", fd=3, fd_path=a, xattr="user.fsrace",
           ret=xret, errno=xerr),
        sc("close", fd=3, fd_path=a),
    ])
    cr = [r for r in syscalls(run.records) if r["syscall"] == "close_range"]
    assert len(cr) == 1 and "ret" not in cr[0], cr
    assert got[-2]["seq"] < cr[0]["seq"] < got[-1]["seq"], \
        "close_range not between fremovexattr and close"
    with open(a, "rb") as f1, open(b, "rb") as f2:
        assert (f1.read(), f2.read()) == (b"abcdefgh", b"abcdabcd")


def test_job_control_stop(ctx):
    data = write_file(os.path.join(ctx.tmp, "data"), "x\n")
    run = Run(ctx, "jobctl", "data", timeout=20)
    pids = run.stdout_pids()
    P, C = pids["parent"][0], pids["child"][0]
    assert run.tree.root == P
    oc = [sc("openat", pid=C, tid=C, path="data", abspath=data, ret=3),
          sc("close", pid=C, tid=C, fd=3, fd_path=data)]
    run.assert_events(run.under_tmp(), oc + oc)
    assert run.tree.exit_of(C).get("status") == 0


def test_no_seccomp_same_events(ctx):
    write_file(os.path.join(ctx.tmp, "f"), "dup me\n")
    keys = ("syscall", "pid", "tid", "dirfd", "path", "abspath", "fd",
            "fd_path", "fd2", "cmd", "arg", "flags", "ret", "errno",
            "ret_path", "stat")

    def events(extra):
        run = Run(ctx, "dup_use", "f", extra=extra)
        P = run.tree.root
        evs = [{k: (r[k] - P if k in ("pid", "tid") else
                    sorted(r[k]) if k == "flags" else r[k])
                for k in keys if k in r} for r in run.under_tmp()]
        return run.header, evs

    h1, fast = events(())
    h2, slow = events(("--no-seccomp",))
    assert h1["options"]["seccomp"] is harness.seccomp(), h1["options"]
    assert h2["options"]["seccomp"] is False, h2["options"]
    assert h2["options"].get("seccomp_reason"), h2["options"]
    assert len(fast) == 17, f"{len(fast)} events with seccomp"
    assert fast == slow, ("--no-seccomp recorded other events:\n" +
                          "\n".join(f"{x}\n{y}\n" for x, y in
                                    zip(fast, slow) if x != y))


# --- attach ----------------------------------------------------------------

def start_loop(ctx, prefix=()):
    data = write_file(os.path.join(ctx.tmp, "data"), "x\n")
    stop = os.path.join(ctx.tmp, "stop")
    proc = subprocess.Popen([*prefix, ctx.fixture("loop"), "data", "stop",
                             "0"], cwd=ctx.tmp, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline().split()
    assert line and line[0] == "ready", f"loop did not start: {line}"
    return proc, int(line[1]), int(line[2]), data, stop


def complete_records(path):
    """The records of the complete lines of a trace being written."""
    try:
        with open(path, "rb") as f:
            lines = f.read().split(b"\n")[1:-1]
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in lines if line]


def wait_for(path, pred, timeout=10):
    """Wait until PRED(records so far) holds for the trace at PATH."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred(complete_records(path)):
            return
        time.sleep(0.05)
    raise AssertionError(f"{path}: the expected records did not show up "
                         f"within {timeout} s")


def opens_per_tid(records, path):
    n = {}
    for r in records:
        if r.get("syscall") == "openat" and r.get("abspath") == path:
            n[r["tid"]] = n.get(r["tid"], 0) + 1
    return n


def proc_state(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return None


def tracer_pid(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("TracerPid:"):
                return int(line.split()[1])
    return None


def attach_and_detach(ctx, sig):
    proc, pid, helper, data, stop = start_loop(ctx)
    fs = None
    try:
        out = os.path.join(ctx.tmp, "trace.jsonl")
        fs = subprocess.Popen([ctx.fsrace, "record", "-o", out, "-p",
                               str(pid)], cwd=ctx.tmp, text=True,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
        wait_for(out, lambda recs: all(
            opens_per_tid(recs, data).get(t, 0) >= 5 for t in (pid, helper)))
        fs.send_signal(sig)
        _, err = fs.communicate(timeout=10)
        assert fs.returncode == 0, f"fsrace exited {fs.returncode}: {err}"
        time.sleep(0.05)
        assert proc.poll() is None, "the attached process died"
        assert proc_state(pid) in ("R", "S", "D"), \
            f"process left in state {proc_state(pid)}"
        assert tracer_pid(pid) == 0, "process still traced"
        # it still works: it sees the stop file and ends normally
        write_file(stop)
        assert proc.wait(timeout=5) == 0
        header, records = read_trace(out)
        opts = header["options"]
        assert header["argv"] == [] and opts["mode"] == "attach" and \
            opts["pid"] == pid and opts["seccomp"] is False, header
        assert opts.get("seccomp_reason"), opts
        harness.check_sequence_numbers(records)
        check_syscall_records(records)
        Tree(records, complete=False, attached=pid)
        evs = syscalls(records, under=ctx.tmp)
        for tid in (pid, helper):
            opens = [r for r in evs if r["tid"] == tid and
                     r["syscall"] == "openat"]
            assert len(opens) >= 5, f"{len(opens)} openat of tid {tid}"
            for r in opens:
                assert r["pid"] == pid and r["abspath"] == data and \
                    r["path"] == "data" and is_fd(r["ret"]), \
                    harness.short(r)
        assert not of_type(records, "exit"), "exit records after detach"
    finally:
        if fs and fs.poll() is None:
            fs.kill()
            fs.wait()
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def test_attach_and_detach_on_sigint(ctx):
    attach_and_detach(ctx, signal.SIGINT)


def test_attach_and_detach_on_sigterm(ctx):
    attach_and_detach(ctx, signal.SIGTERM)


def test_tracee_dies_with_tracer(ctx):
    out = os.path.join(ctx.tmp, "trace.jsonl")
    data = write_file(os.path.join(ctx.tmp, "data"), "x\n")
    fs = subprocess.Popen([ctx.fsrace, "record", "-o", out, "--",
                           ctx.fixture("loop"), "data", "stop", "0"],
                          cwd=ctx.tmp, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    pid = None
    try:
        line = fs.stdout.readline().split()
        assert line and line[0] == "ready", line
        pid = int(line[1])
        wait_for(out, lambda recs: opens_per_tid(recs, data))
        fs.kill()
        fs.wait()
        deadline = time.time() + 3
        while proc_state(pid) not in (None, "Z") and time.time() < deadline:
            time.sleep(0.02)
        assert proc_state(pid) in (None, "Z"), \
            "the tracee outlived the killed tracer"
        # every record written before the kill is readable
        d = ctx.run(["dump", out])
        assert d.returncode == 0, d.stderr
        assert "openat(" in d.stdout, d.stdout[:500]
    finally:
        if fs.poll() is None:
            fs.kill()
            fs.wait()
        if pid and proc_state(pid) not in (None, "Z"):
            os.kill(pid, signal.SIGKILL)


# --- dump -------------------------------------------------------------------

def recorded_trace(ctx):
    data = write_file(os.path.join(ctx.tmp, "data.txt"), "x\n")
    run = Run(ctx, "stat_open", "data.txt", "missing")
    return run, data


def test_dump(ctx):
    run, data = recorded_trace(ctx)
    d = ctx.run(["dump", run.out])
    assert d.returncode == 0, d.stderr
    assert d.stderr == "", d.stderr
    lines = d.stdout.splitlines()
    n = len(run.records)
    assert len(lines) in (n, n + 1), \
        f"{len(lines)} lines for {n} records (one per event)"
    opens = [ln for ln in lines if "openat(" in ln and data in ln]
    assert len(opens) == 1 and "= 3" in opens[0], opens
    miss = [ln for ln in lines if "newfstatat(" in ln and
            run.p("missing") in ln]
    assert len(miss) == 1 and "= -1" in miss[0] and "ENOENT" in miss[0], \
        miss


def test_dump_truncated_last_line(ctx):
    run, _ = recorded_trace(ctx)
    with open(run.out, "rb") as f:
        raw = f.read()
    lines = raw.split(b"\n")[:-1]
    nlines = len(lines)
    cut = raw[:-(len(lines[-1]) // 2 + 1)]   # half the last line, no \n
    path = os.path.join(ctx.tmp, "cut.jsonl")
    write_file(path, cut)
    full = ctx.run(["dump", run.out])
    d = ctx.run(["dump", path])
    assert d.returncode == 0, d.stderr
    assert f"{path}:{nlines}" in d.stderr and "truncated" in d.stderr, \
        d.stderr
    assert d.stderr.startswith("fsrace: "), d.stderr
    assert d.stdout.splitlines() == full.stdout.splitlines()[:-1], \
        "output should be the full dump without its last event"


def test_dump_garbage_line(ctx):
    run, _ = recorded_trace(ctx)
    with open(run.out) as f:
        lines = f.read().splitlines(keepends=True)
    assert len(lines) > 4
    lines.insert(2, "this is not json\n")
    path = os.path.join(ctx.tmp, "bad.jsonl")
    write_file(path, "".join(lines))
    d = ctx.run(["dump", path])
    assert d.returncode == 2, (d.returncode, d.stderr)
    err = d.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("fsrace: ") and \
        f"{path}:3" in err[0], d.stderr


def test_dump_missing_file(ctx):
    path = os.path.join(ctx.tmp, "no-such-trace.jsonl")
    d = ctx.run(["dump", path])
    assert d.returncode == 2, d.returncode
    err = d.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("fsrace: ") and \
        path in err[0], d.stderr


# --- bad input --------------------------------------------------------------

def bad(ctx, args, *names, reasons=(), max_lines=1):
    """fsrace ARGS must fail with status 2 and one message on stderr that
    starts with "fsrace: ", names each of NAMES and says one of REASONS;
    the output file must not exist."""
    out = os.path.join(ctx.tmp, "trace.jsonl")
    args = [a.replace("@OUT@", out) for a in args]
    p = ctx.run(args, timeout=20)
    err = p.stderr.strip().splitlines()
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert err and len(err) <= max_lines, f"stderr: {p.stderr!r}"
    assert err[0].startswith("fsrace: "), err
    for n in names:
        assert n in err[0], f"{n!r} not named in {err[0]!r}"
    if reasons:
        low = err[0].lower()
        assert any(r.lower() in low for r in reasons), \
            f"no reason ({' / '.join(reasons)}) in {err[0]!r}"
    assert not os.path.exists(out), "output file left behind"
    assert p.stdout == "", p.stdout


NOENT = ("no such file", "not found", "does not exist")


def test_bad_nonexistent_program(ctx):
    prog = os.path.join(ctx.tmp, "no-such-prog")
    bad(ctx, ["record", "-o", "@OUT@", "--", prog, "arg"], prog,
        reasons=NOENT)
    bad(ctx, ["record", "-o", "@OUT@", "--", "no-such-command-xyz"],
        "no-such-command-xyz", reasons=NOENT)


def test_bad_not_executable(ctx):
    prog = write_file(os.path.join(ctx.tmp, "notexec"), "#!/bin/sh\n",
                      mode=0o644)
    bad(ctx, ["record", "-o", "@OUT@", "--", prog], prog,
        reasons=("permission denied", "not executable"))


def test_bad_nonexistent_pid(ctx):
    with open("/proc/sys/kernel/pid_max") as f:
        pid = int(f.read())     # pids are < pid_max: this one never exists
    bad(ctx, ["record", "-o", "@OUT@", "-p", str(pid)], str(pid),
        reasons=("no such process", "does not exist", "not found"))


def test_bad_untraceable_pid(ctx):
    if not harness.which("strace"):
        raise Skip("strace is not installed (needed to hold the ptrace)")
    # a process already traced by strace cannot be traced again: EPERM
    proc, pid, _, _, stop = start_loop(ctx, ("strace", "-qq", "-f", "-o",
                                             "/dev/null"))
    try:
        bad(ctx, ["record", "-o", "@OUT@", "-p", str(pid)], str(pid),
            reasons=("not permitted", "permission"))
        assert proc_state(pid) not in (None, "Z"), "attach killed it"
    finally:
        write_file(stop)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_bad_unwritable_output(ctx):
    ran = os.path.join(ctx.tmp, "ran")
    for out in (os.path.join(ctx.tmp, "no-dir", "t.jsonl"),
                "/proc/no-such-dir/t.jsonl"):
        bad(ctx, ["record", "-o", out, "--", "/usr/bin/touch", ran], out)
        assert not os.path.exists(ran), \
            "the program ran although the trace could not be written"


def test_bad_unknown_option(ctx):
    bad(ctx, ["record", "--no-such-option", "-o", "@OUT@", "--",
              "/bin/true"], "no-such-option", max_lines=2)
    bad(ctx, ["frobnicate", "-o", "@OUT@"], "frobnicate", max_lines=2)
