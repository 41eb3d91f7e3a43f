"""The tracer at its edges, live: what it reads of a tracee's memory
when the memory ends early, how it refuses a process it may not trace,
and the exact events of small fixture programs. Expected values come
from the fixtures' own output and the kernel, never from fsrace."""
import os
import subprocess

from harness import Skip, assert_events, syscalls

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
