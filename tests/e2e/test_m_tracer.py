"""The tracer at its edges, live: what it reads of a tracee's memory
when the memory ends early, how it refuses a process it may not trace,
and the exact events of small fixture programs. Expected values come
from the fixtures' own output and the kernel, never from fsrace."""
import json
import os
import re
import shutil
import signal
import subprocess
import time

import harness
from harness import ABSENT, ANY, Skip, assert_events, read_trace, syscalls

MISSING = "/nonexistent-fsr-exec"
NOBODY = 65534


def test_exec_argv_read_as_far_as_memory_goes(ctx):
    """execve's argv is read up to its NULL, or up to the first pointer
    or string that cannot be read: an array cut by an unmapped page ends
    there (one argument, not the last one read again), a NULL argv is
    [], a bad pointer ends the list before it; of 4100 arguments the
    first 4096 are kept."""
    p, _, records = ctx.record([ctx.fixture("exec_edges")])
    assert p.returncode == 0, p.stderr
    errnos = dict(line.split() for line in p.stdout.splitlines())
    assert errnos == {"cut": "2", "null": "2", "bad0": "2", "two": "2",
                      "many": "2"}, p.stdout
    got = [r for r in syscalls(records)
           if r["syscall"] == "execve" and r.get("path") == MISSING]
    want = [{"syscall": "execve", "path": MISSING, "abspath": MISSING,
             "argv": argv, "ret": -1, "errno": "ENOENT"}
            for argv in (["fsr-a0"], [], ["fsr-b0"], ["fsr-c0", "fsr-c1"],
                         [str(i) for i in range(4096)])]
    assert_events(got, want, what="execve records")
    # dump's line of the 4096 arguments stops at its 16383 bytes
    out = os.path.join(ctx.tmp, "trace.jsonl")
    d = ctx.run(["dump", out])
    assert (d.returncode, d.stderr) == (0, ""), d.stderr
    [line] = [x for x in d.stdout.splitlines() if '"4094"' in x or
              len(x) > 10000]
    full = (f'execve("{MISSING}", [' +
            ", ".join(f'"{i}"' for i in range(4096)) + "]) = -1 ENOENT")
    rest = re.match(r"\d+ +\S+ (.*)", line).group(1)
    assert len(line) == 16383 and full.startswith(rest), (len(line),
                                                          rest[-40:])


def test_attach_not_permitted_is_not_no_such_process(ctx):
    """An unprivileged fsrace attaching to root's process: the process
    is there (kill(pid, 0) says EPERM, not ESRCH), the attach fails with
    EPERM, and that is what it says; no trace is left."""
    if os.geteuid() != 0:
        raise Skip("needs root, to run fsrace as nobody against root")
    os.chmod(ctx.tmp, 0o777)
    out = os.path.join(ctx.tmp, "t.jsonl")
    victim = subprocess.Popen(["sleep", "30"])
    try:
        p = subprocess.run(
            ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}",
             "--clear-groups", ctx.fsrace, "record", "-o", out, "-p",
             str(victim.pid)], capture_output=True, text=True, timeout=20)
        assert victim.poll() is None, "the attach killed the process"
    finally:
        victim.kill()
        victim.wait()
    assert (p.returncode, p.stdout, p.stderr) == (
        2, "", f"fsrace: cannot attach to pid {victim.pid}: Operation not "
        "permitted\n"), (p.returncode, p.stdout, p.stderr)
    assert os.listdir(ctx.tmp) == [], os.listdir(ctx.tmp)


def test_more_processes_than_cached_fd_dirs(ctx):
    """Ten processes alive at once, each with its own file at fd 3 (the
    tracer keeps eight /proc/PID/fd directories open): every open's
    identity and every dup's path are its own process's, in the order
    the processes ran."""
    d = os.path.join(ctx.tmp, "d")
    os.mkdir(d)
    p, _, records = ctx.record([ctx.fixture("procs"), d, "10"])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    pids = {}
    for line in p.stdout.splitlines():
        _, k, pid = line.split()
        pids[int(pid)] = int(k)
    assert sorted(pids.values()) == list(range(10)), p.stdout
    ino = {k: os.stat(os.path.join(d, f"f{k}")).st_ino for k in range(10)}
    got = syscalls(records, under=d)
    seen = [(pids[r["pid"]], r["syscall"], r.get("ret"),
             r.get("stat", {}).get("ino"), r.get("ret_path"))
            for r in got]
    f = {k: os.path.join(d, f"f{k}") for k in range(10)}
    first = sorted(e for e in seen if e[2] in (3, 4))
    assert first == sorted(
        [(k, "openat", 3, ino[k], f[k]) for k in range(10)] +
        [(k, "dup", 4, None, f[k]) for k in range(10)]), first
    last = [e for e in seen if e[2] == 5]
    assert last == [(k, "openat", 5, ino[k], f[k])
                    for k in range(9, -1, -1)], last


def test_another_architecture_warned_once(ctx):
    """A 64-bit task making i386 system calls (int $0x80): one warning
    the first time, with and without the seccomp filter, nothing of the
    calls themselves, and the task's next 64-bit call traced as ever."""
    data = os.path.join(ctx.tmp, "data")
    with open(data, "w") as f:
        f.write("x\n")
    for extra in ((), ("--no-seccomp",)):
        out = os.path.join(ctx.tmp, f"t{len(extra)}.jsonl")
        p, _, records = ctx.record([ctx.fixture("int80"), data], out=out,
                                   extra=extra)
        assert (p.returncode, p.stderr) == (0, ""), (extra, p.stderr)
        pid = int(p.stdout.split()[1])
        # the i386 getpid ran, and returned the pid, untouched
        assert p.stdout == f"pid {pid} {pid} {pid}\n", p.stdout
        warnings = [r for r in records if r["type"] == "warning"]
        assert [(r["pid"], r["tid"], r["message"]) for r in warnings] == [
            (pid, pid, "task of another architecture (32-bit?): its "
             "syscalls are not traced")], (extra, warnings)
        mine = [r for r in records if r.get("pid") == pid]
        i = mine.index(warnings[0])
        assert_events(mine[i + 1:], [
            {"type": "syscall", "syscall": "openat", "path": data,
             "ret": 3},
            {"type": "syscall", "syscall": "close", "fd": 3,
             "fd_path": data},
            {"type": "exit", "status": 0}], what=f"after the warning "
            f"{extra}")


def _default_signals():
    # a background job may inherit SIGINT ignored; the test wants the
    # dispositions a terminal gives
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, signal.SIG_DFL)


def _opens(path, data):
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")[1:-1]
    return sum(1 for line in lines if data.encode() in line and
               b'"syscall":"openat"' in line)


def _wait_opens(fs, out, data, more_than):
    deadline = time.time() + 20
    while True:
        assert fs.poll() is None, f"fsrace ended ({fs.returncode})"
        if os.path.exists(out) and _opens(out, data) > more_than:
            return _opens(out, data)
        assert time.time() < deadline, "no more opens"
        time.sleep(0.01)


def test_spawned_program_gets_the_stop_signal(ctx):
    """record -- PROG: SIGINT and SIGQUIT sent to fsrace alone are
    ignored (a terminal sends them to the program too); SIGTERM and
    SIGHUP are passed on to the program, which dies of it; fsrace then
    exits 128+N with the whole trace, the program's exit record last."""
    data = os.path.join(ctx.tmp, "data")
    with open(data, "w") as f:
        f.write("x\n")
    for sig in (signal.SIGTERM, signal.SIGHUP):
        out = os.path.join(ctx.tmp, f"t{int(sig)}.jsonl")
        fs = subprocess.Popen([ctx.fsrace, "record", "-o", out, "--",
                               ctx.fixture("loop"), "data", "stop", "0"],
                              cwd=ctx.tmp, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True,
                              preexec_fn=_default_signals)
        try:
            line = fs.stdout.readline().split()
            assert line and line[0] == "ready", line
            pid = int(line[1])
            n = _wait_opens(fs, out, data, 0)
            fs.send_signal(signal.SIGINT)
            fs.send_signal(signal.SIGQUIT)
            # still tracing: more opens come
            _wait_opens(fs, out, data, n)
            fs.send_signal(sig)
            _, err = fs.communicate(timeout=20)
        finally:
            if fs.poll() is None:
                fs.kill()
                fs.wait()
        assert (fs.returncode, err) == (128 + sig, ""), (sig, fs.returncode,
                                                         err)
        with open(out) as f:
            records = [json.loads(x) for x in f.read().splitlines()[1:]]
        last = records[-1]
        assert (last["type"], last["pid"], last["tid"], last["signal"]) == (
            "exit", pid, pid, signal.Signals(sig).name), last


def test_children_of_calls_the_tracer_could_not_decode(ctx):
    """fork, vfork and a thread made by i386 calls (int $0x80): the
    tracer never decoded their flags, so it goes by the kernel's event:
    a fork is a process of its own tables, a vfork a vfork, a clone
    event a thread sharing files and fs, and the model then follows
    that: the thread's fd (opened through a symlink, so /proc would name
    the target) and its chdir are the main thread's."""
    data = os.path.join(ctx.tmp, "data")
    link = os.path.join(ctx.tmp, "link")
    d = os.path.join(ctx.tmp, "d")
    with open(data, "w") as f:
        f.write("x\n")
    os.symlink("data", link)
    os.mkdir(d)
    for extra in ((), ("--no-seccomp",)):
        out = os.path.join(ctx.tmp, f"t{len(extra)}.jsonl")
        p, _, records = ctx.record([ctx.fixture("int80_fork"), data, link,
                                    d], out=out, extra=extra)
        assert (p.returncode, p.stderr) == (0, ""), (extra, p.stderr)
        ids = dict(line.split() for line in p.stdout.splitlines())
        main = records[0]["pid"]
        fork, vfork, thread = (int(ids[k]) for k in ("fork", "vfork",
                                                      "thread"))
        forks = [r for r in records if r["type"] == "fork"]
        assert_events(forks, [
            {"pid": main, "tid": main, "child_pid": fork,
             "child_tid": fork, "kind": "process", "shares": [],
             "syscall": ABSENT},
            {"pid": main, "tid": main, "child_pid": vfork,
             "child_tid": vfork, "kind": "vfork", "shares": [],
             "syscall": ABSENT},
            {"pid": main, "tid": main, "child_pid": main,
             "child_tid": thread, "kind": "thread",
             "shares": ["files", "fs"], "syscall": ABSENT},
        ], what=f"fork records {extra}")
        for child in (fork, vfork):
            assert_events(
                [r for r in records if r.get("pid") == child], [
                    {"type": "syscall", "tid": child, "syscall": "openat",
                     "abspath": data, "ret": 3},
                    {"type": "exit", "tid": child, "status": 0}],
                what=f"child {child} {extra}")
        t = [r for r in syscalls(records) if r["tid"] == thread]
        assert_events(t, [
            {"pid": main, "syscall": "openat", "abspath": link, "ret": 5,
             "ret_path": link},
            {"pid": main, "syscall": "chdir", "abspath": d, "ret": 0},
        ], what=f"the thread {extra}")
        last = [r for r in syscalls(records) if r["tid"] == main][-2:]
        assert_events(last, [
            {"syscall": "newfstatat", "fd": 5, "fd_path": link, "ret": 0},
            {"syscall": "openat", "path": "fsr-rel", "dirfd_path": d,
             "abspath": os.path.join(d, "fsr-rel"), "errno": "ENOENT"},
        ], what=f"the main thread after the thread {extra}")


def test_existed_seen_from_inside_a_chroot(ctx):
    """O_CREAT without O_EXCL after chroot: whether the name was there is
    asked of the tracee's own root and cwd (/proc/PID/root, /cwd), not
    of fsrace's: names made beforehand inside the jail existed, one that
    is only outside it did not."""
    d = ctx.tmp
    os.makedirs(os.path.join(d, "jail", "sub"))
    for name in ("jail/fsr-in", "jail/sub/fsr-sub", "fsr-up"):
        with open(os.path.join(d, name), "w") as f:
            f.write("x\n")
    p, _, records = ctx.record([ctx.fixture("chroot_jail"), d])
    if p.returncode == 77:
        raise Skip("chroot: not permitted here")
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    j = os.path.join(d, "jail")
    opens = [r for r in syscalls(records, under=d)
             if r["syscall"] == "openat"]
    assert_events(opens, [
        {"path": "/fsr-in", "abspath": f"{j}/fsr-in", "existed": True},
        {"path": "fsr-out", "errno": "ENOENT", "existed": ABSENT},
        {"path": "../../fsr-up", "abspath": f"{j}/fsr-up", "existed": False},
        {"path": "fsr-sub", "abspath": f"{j}/sub/fsr-sub", "existed": True},
    ], root=d, what="the jail's opens")


def test_only_the_fcntl_commands_that_matter(ctx):
    """fcntl is recorded for F_DUPFD, F_DUPFD_CLOEXEC and F_SETFD only
    (the filter asks for those; without it the tracer drops the rest at
    their entry), and the other commands in between change nothing."""
    data = os.path.join(ctx.tmp, "data")
    with open(data, "w") as f:
        f.write("x\n")
    for extra in ((), ("--no-seccomp",)):
        out = os.path.join(ctx.tmp, f"t{len(extra)}.jsonl")
        p, _, records = ctx.record([ctx.fixture("fcntl_kinds"), data],
                                   out=out, extra=extra)
        assert (p.returncode, p.stderr) == (0, ""), (extra, p.stderr)
        got = [r for r in syscalls(records) if r["syscall"] == "fcntl"]
        assert_events(got, [
            {"fd": 3, "fd_path": data, "cmd": "F_DUPFD", "arg": 10,
             "ret": 10, "ret_path": data},
            {"fd": 10, "fd_path": data, "cmd": "F_SETFD", "arg": 1,
             "ret": 0, "ret_path": ABSENT},
            {"fd": 3, "fd_path": data, "cmd": "F_DUPFD_CLOEXEC", "arg": 20,
             "ret": 20, "ret_path": data},
        ], what=f"fcntl records {extra}")
        # a NULL path: the call is on its dirfd
        assert_events(syscalls(records)[-1:], [
            {"syscall": "utimensat", "dirfd": 20, "dirfd_path": data,
             "fd": 20, "fd_path": data, "path": ABSENT, "abspath": ABSENT,
             "ret": 0}], what=f"utimensat(fd, NULL) {extra}")


def test_record_unprivileged_with_the_filter(ctx):
    """fsrace run by a user: the filter is installed with no_new_privs
    (root's keeps set-id programs working without it), and the trace is
    what root's is."""
    if os.geteuid() != 0:
        raise Skip("needs root, to run fsrace as nobody")
    os.chmod(ctx.tmp, 0o777)
    d = os.path.join(ctx.tmp, "d")
    os.mkdir(d)
    os.chmod(d, 0o777)
    out = os.path.join(d, "t.jsonl")
    p = subprocess.run(
        ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}",
         "--clear-groups", ctx.fsrace, "record", "-o", out, "--",
         "/bin/sh", "-c", f"echo x > {d}/made"], capture_output=True,
        text=True, timeout=20, cwd=d)
    assert (p.returncode, p.stdout, p.stderr) == (0, "", ""), p
    header, records = read_trace(out)
    assert header["options"]["seccomp"] is harness.seccomp(), header
    opens = [r for r in syscalls(records, under=d)
             if r["syscall"] == "openat"]
    assert_events(opens, [
        {"path": f"{d}/made", "flags": ["O_WRONLY", "O_CREAT", "O_TRUNC"],
         "ret": ANY}], root=d)
    assert os.stat(os.path.join(d, "made")).st_uid == NOBODY


def test_syscall_numbers_no_kernel_has(ctx):
    """syscall(1024), syscall(5000), syscall(-1): ENOSYS to the program,
    nothing to the trace (the tracer's table ends at 1024, the filter
    lets them by), and the next call is recorded as ever."""
    data = os.path.join(ctx.tmp, "data")
    with open(data, "w") as f:
        f.write("x\n")
    for extra in ((), ("--no-seccomp",)):
        out = os.path.join(ctx.tmp, f"t{len(extra)}.jsonl")
        p, _, records = ctx.record([ctx.fixture("nosys"), data], out=out,
                                   extra=extra)
        assert (p.returncode, p.stdout, p.stderr) == (0, "38 38 38\n", ""), \
            (extra, p)
        assert [r for r in records if r["type"] == "warning"] == []
        assert_events(records[-2:], [
            {"type": "syscall", "syscall": "openat", "path": data,
             "ret": 3},
            {"type": "exit", "status": 0}], what=f"the end {extra}")


def test_other_stop_signals_stop(ctx):
    """SIGTSTP, SIGTTIN and SIGTTOU stop a traced child as they stop an
    untraced one (the parent sees each stop, then the exit after
    SIGCONT), with and without the filter; the child's calls after the
    stop are traced."""
    data = os.path.join(ctx.tmp, "data")
    with open(data, "w") as f:
        f.write("x\n")
    for extra in ((), ("--no-seccomp",)):
        out = os.path.join(ctx.tmp, f"t{len(extra)}.jsonl")
        p, _, records = ctx.record([ctx.fixture("stopsigs"), data],
                                   out=out, extra=extra, timeout=30)
        assert (p.returncode, p.stderr) == (0, ""), (extra, p.returncode,
                                                     p.stderr)
        kids = [int(line.split()[2]) for line in p.stdout.splitlines()]
        assert [line.split()[1] for line in p.stdout.splitlines()] == [
            str(int(s)) for s in (signal.SIGTSTP, signal.SIGTTIN,
                                  signal.SIGTTOU)], p.stdout
        for kid in kids:
            assert_events([r for r in records if r.get("pid") == kid], [
                {"type": "syscall", "syscall": "openat", "abspath": data,
                 "ret": 3},
                {"type": "exit", "status": 0}], what=f"child {kid}")


def test_fd_kept_across_exec_named_by_the_model(ctx):
    """An fd opened through a symlink and kept across execve: the new
    program's use of it names the link as opened (the model's tables go
    on through the exec; /proc would name the target), and the
    close-on-exec copy is gone."""
    data = os.path.join(ctx.tmp, "data")
    link = os.path.join(ctx.tmp, "link")
    with open(data, "w") as f:
        f.write("x\n")
    os.symlink("data", link)
    for extra in ((), ("--no-seccomp",)):
        out = os.path.join(ctx.tmp, f"t{len(extra)}.jsonl")
        p, _, records = ctx.record([ctx.fixture("exec_keep"), "link"],
                                   out=out, extra=extra)
        assert (p.returncode, p.stderr) == (0, ""), (extra, p.stderr)
        assert_events(syscalls(records)[-2:], [
            {"syscall": "newfstatat", "fd": 3, "fd_path": link, "ret": 0},
            {"syscall": "newfstatat", "fd": 4, "fd_path": ABSENT,
             "errno": "EBADF"}], what=f"after the exec {extra}")


def _tracer_of(tid):
    with open(f"/proc/{tid}/status") as f:
        for line in f:
            if line.startswith("TracerPid:"):
                return int(line.split()[1])
    return 0


def test_attach_skips_a_thread_traced_by_another(ctx):
    """-p PID of a process one of whose threads (not the leader) another
    tracer holds: the others are attached and traced, that thread is
    left alone, and the detach on SIGINT leaves the process running."""
    if not shutil.which("strace"):
        raise Skip("strace is not installed (needed to hold one thread)")
    data = os.path.join(ctx.tmp, "data")
    with open(data, "w") as f:
        f.write("x\n")
    loop = subprocess.Popen([ctx.fixture("loop"), "data", "stop", "0"],
                            cwd=ctx.tmp, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    st = fs = None
    try:
        line = loop.stdout.readline().split()
        assert line and line[0] == "ready", line
        pid, helper = int(line[1]), int(line[2])
        st = subprocess.Popen(["strace", "-qq", "-o",
                               os.path.join(ctx.tmp, "strace.log"), "-p",
                               str(helper)], stderr=subprocess.PIPE)
        deadline = time.time() + 10
        while _tracer_of(helper) == 0:
            assert time.time() < deadline, "strace did not attach"
            time.sleep(0.01)
        assert _tracer_of(pid) == 0
        out = os.path.join(ctx.tmp, "t.jsonl")
        fs = subprocess.Popen([ctx.fsrace, "record", "-o", out, "-p",
                               str(pid)], cwd=ctx.tmp,
                              stderr=subprocess.PIPE, text=True)
        _wait_opens(fs, out, data, 2)
        fs.send_signal(signal.SIGINT)
        _, err = fs.communicate(timeout=20)
        assert (fs.returncode, err) == (0, ""), (fs.returncode, err)
        assert loop.poll() is None, "the attached process died"
        _, records = read_trace(out)
        tids = {r["tid"] for r in records if "tid" in r}
        assert tids == {pid}, tids
    finally:
        with open(os.path.join(ctx.tmp, "stop"), "w"):
            pass
        for p in (fs, st, loop):
            if p and p.poll() is None and p is not loop:
                p.kill()
                p.wait()
        try:
            loop.wait(timeout=10)
        except subprocess.TimeoutExpired:
            loop.kill()
            loop.wait()


def test_parent_mode_after_fchmod_and_rename_onto_it(ctx):
    """The parent directory a creation records is the directory as it is
    then: after fchmod of an fd on it, and after a rename that put
    another directory in its place (the rename's second path), not the
    one the tracer looked at before."""
    d = os.path.join(ctx.tmp, "d")
    os.mkdir(d)
    os.chmod(d, 0o755)
    for extra in ((), ("--no-seccomp",)):
        for n in os.listdir(d):
            subprocess.run(["rm", "-rf", os.path.join(d, n)], check=True)
        os.chmod(d, 0o755)
        out = os.path.join(ctx.tmp, f"t{len(extra)}.jsonl")
        p, _, records = ctx.record([ctx.fixture("dir_meta"), d], out=out,
                                   extra=extra)
        assert (p.returncode, p.stderr) == (0, ""), (extra, p.stderr)
        got = [(r["path"], r["parent"]["path"], oct(r["parent"]["mode"]))
               for r in syscalls(records) if r["syscall"] == "creat"]
        s = os.path.join(d, "s")
        assert got == [(f"{d}/f1", d, "0o40755"), (f"{d}/f2", d, "0o40711"),
                       (f"{s}/x", s, "0o40700"), (f"{s}/y", s, "0o40750")], \
            (extra, got)


def test_arguments_and_results_across_pages(ctx):
    """A path that crosses a page boundary is read whole; one whose NUL
    would be in an unmapped page is no path; a struct stat, a struct
    statx and a readlink buffer that cross a boundary are read whole
    (every field of the identity is the file's)."""
    d = os.path.join(ctx.tmp, "d")
    os.mkdir(d)
    os.symlink("fsr-straddle", os.path.join(d, "lnk"))
    f = os.path.join(d, "fsr-straddle")
    for extra in ((), ("--no-seccomp",)):
        if os.path.exists(f):
            os.unlink(f)
        out = os.path.join(ctx.tmp, f"t{len(extra)}.jsonl")
        p, _, records = ctx.record([ctx.fixture("peek_edges"), d], out=out,
                                   extra=extra)
        assert (p.returncode, p.stderr) == (0, ""), (extra, p.stderr)
        s = os.stat(f)
        assert p.stdout == f"ino {s.st_ino} {s.st_ino}\n", p.stdout
        ident = {"dev": s.st_dev, "ino": s.st_ino, "mode": s.st_mode,
                 "nlink": s.st_nlink, "uid": s.st_uid, "gid": s.st_gid,
                 "size": s.st_size}
        got = syscalls(records)[-9:]
        assert_events(got, [
            {"syscall": "creat", "path": f, "ret": 3, "stat": ident},
            {"syscall": "close", "fd": 3, "fd_path": f},
            {"syscall": "creat", "path": ABSENT, "abspath": ABSENT,
             "errno": "EFAULT"},
            {"syscall": "stat", "path": f, "ret": 0, "stat": ident},
            {"syscall": "statx", "path": f, "ret": 0, "stat": ident},
            {"syscall": "readlink", "path": os.path.join(d, "lnk"),
             "target": "fsr-straddle", "ret": 12},
            # stats by name are decoded at their exit (tracer.c's
            # defers()): what they read is as if read at the entry
            {"syscall": "stat", "path": ABSENT, "abspath": ABSENT,
             "errno": "EFAULT", "stat": ABSENT},
            {"syscall": "lstat", "path": f, "errno": "EFAULT",
             "stat": ABSENT},
            {"syscall": "newfstatat", "path": os.path.join(d, "fsr-none"),
             "abspath": os.path.join(d, "fsr-none"), "errno": "ENOENT",
             "stat": ABSENT},
        ], what=f"the calls {extra}")


def test_stat_by_name_is_one_read(ctx):
    """A stat by name is decoded at its exit, its path and its result
    read in one process_vm_readv (two iovecs): `ls -l` of 100 files,
    fsrace's own calls under strace."""
    if not shutil.which("strace"):
        raise Skip("strace is not installed (apt-get install strace)")
    d = os.path.join(ctx.tmp, "d")
    os.mkdir(d)
    for i in range(100):
        open(os.path.join(d, f"f{i}"), "w").close()
    out = os.path.join(ctx.tmp, "t.jsonl")
    log = os.path.join(ctx.tmp, "strace.log")
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "")
               + ":detect_leaks=0")
    p = subprocess.run(["strace", "-o", log, "-e", "trace=process_vm_readv",
                        ctx.fsrace, "record", "-o", out, "--", "ls", "-l",
                        d], capture_output=True, text=True, cwd=ctx.tmp,
                       timeout=120, env=env)
    assert p.returncode == 0, p.stderr
    stats = [r for r in syscalls(read_trace(out)[1])
             if r["syscall"] in ("stat", "lstat", "newfstatat", "statx")
             and r.get("ret") == 0 and "path" in r]
    assert len([r for r in stats if r["path"].startswith(d + "/")]) \
        == 100, stats
    with open(log) as f:
        reads = [line for line in f if line.startswith("process_vm_readv(")]
    both = [line for line in reads if re.match(
        r"process_vm_readv\(\d+, \[\{.*\}, \{.*\}\], 2, ", line)]
    # each stat one read of two iovecs (a path that crosses a page is
    # read on after it), and no struct stat (144 bytes) or statx (256)
    # read alone
    assert len(both) == len(stats), (len(both), len(stats))
    alone = [line for line in reads if line not in both and re.search(
        r"iov_len=(144|256)\}\], 1, ", line)]
    assert alone == [], alone


def test_renames_and_links_between_dirfds(ctx):
    """renameat, linkat and renameat2 between two directory fds and the
    cwd: each side resolves against its own dirfd, live and imported
    alike."""
    if not shutil.which("strace"):
        raise Skip("strace is not installed (apt-get install strace)")
    for mode in ("live", "log"):
        d = os.path.join(ctx.tmp, mode)
        os.makedirs(os.path.join(d, "a"))
        os.mkdir(os.path.join(d, "b"))
        with open(os.path.join(d, "a", "x"), "w"):
            pass
        trace = os.path.join(ctx.tmp, f"{mode}.jsonl")
        prog = [ctx.fixture("dirfds"), d]
        if mode == "live":
            p = ctx.run(["record", "-o", trace, "--", *prog])
        else:
            log = os.path.join(ctx.tmp, "s.log")
            p = subprocess.run(["strace", "-f", "-tt", "-T", "-y", "-o",
                                log, *prog], capture_output=True, text=True)
            assert p.returncode == 0, p.stderr
            p = ctx.run(["import", "-o", trace, log])
        assert (p.returncode, p.stderr) == (0, ""), (mode, p.stderr)
        _, records = read_trace(trace)
        a, b = os.path.join(d, "a"), os.path.join(d, "b")
        got = [r for r in syscalls(records, under=d)
               if r["syscall"] in ("renameat", "linkat", "renameat2")]
        assert_events(got, [
            {"syscall": "renameat", "dirfd": 3, "dirfd_path": a,
             "abspath": f"{a}/x", "dirfd2": 4, "dirfd2_path": b,
             "abspath2": f"{b}/y", "ret": 0},
            {"syscall": "linkat", "dirfd": 4, "dirfd_path": b,
             "abspath": f"{b}/y", "dirfd2": 3, "dirfd2_path": a,
             "abspath2": f"{a}/z", "ret": 0},
            {"syscall": "renameat2", "dirfd": 3, "dirfd_path": a,
             "abspath": f"{a}/z", "dirfd2": -100, "dirfd2_path": d,
             "abspath2": f"{d}/w", "ret": 0},
            {"syscall": "renameat", "dirfd": -100, "dirfd_path": d,
             "abspath": f"{d}/w", "dirfd2": 3, "dirfd2_path": a,
             "abspath2": f"{a}/v", "ret": 0},
        ], root=d, what=f"{mode} renames")
