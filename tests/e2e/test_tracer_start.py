"""fsrace run or record when the child cannot be traced: fsrace itself is
run under `strace -f`, which attaches to every child it forks first, so
fsrace's PTRACE_SEIZE fails. The error is named, the exit status is 2,
the program never runs and no trace is written."""
import os
import subprocess

import harness


def under_strace(ctx, args):
    strace = harness.which("strace")
    if not strace:
        raise harness.Skip("strace is not installed")
    log = os.path.join(ctx.tmp, "strace.log")
    # LeakSanitizer cannot run under ptrace (an ASan build of fsrace)
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = ":".join(
        filter(None, [env.get("ASAN_OPTIONS"), "detect_leaks=0"]))
    return subprocess.run([strace, "-f", "-qq", "-o", log, ctx.fsrace]
                          + args, capture_output=True, text=True,
                          cwd=ctx.tmp, timeout=120, env=env)


def test_record_under_another_tracer(ctx):
    out = os.path.join(ctx.tmp, "t.jsonl")
    marker = os.path.join(ctx.tmp, "ran")
    p = under_strace(ctx, ["record", "-o", out, "--", "/bin/sh", "-c",
                           f"echo > {marker}"])
    assert (p.returncode, p.stdout, p.stderr) == (
        2, "", "fsrace: cannot trace the child: Operation not permitted\n"), \
        (p.returncode, p.stdout, p.stderr)
    assert not os.path.exists(marker)
    assert sorted(os.listdir(ctx.tmp)) == ["strace.log"], os.listdir(ctx.tmp)


def test_run_under_another_tracer(ctx):
    out = os.path.join(ctx.tmp, "r.json")
    marker = os.path.join(ctx.tmp, "ran")
    p = under_strace(ctx, ["run", "-o", out, "--", "/bin/sh", "-c",
                           f"echo > {marker}"])
    assert (p.returncode, p.stdout, p.stderr) == (
        2, "", "fsrace: cannot trace the child: Operation not permitted\n"), \
        (p.returncode, p.stdout, p.stderr)
    assert not os.path.exists(marker)
    assert sorted(os.listdir(ctx.tmp)) == ["strace.log"], os.listdir(ctx.tmp)
