"""Processes that outlive the traced program (issue 12): fsrace waits for
them, as strace -f does; once the program has exited, a stop signal to
fsrace goes to them, and a second one kills them; either way the report
(or the trace) of what was seen is written, with the program's exit
status, and nothing is left behind."""
import json
import os
import signal
import subprocess
import time

import harness

PY = "/usr/bin/python3"
DAEMON = """import os, signal, sys, time
mode, pidfile = sys.argv[1], sys.argv[2]
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        # whatever the test runner's were (a background job ignores
        # SIGINT)
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN if mode == "ignore"
                          else signal.SIG_DFL)
        with open(pidfile + ".tmp", "w") as f:
            f.write(str(os.getpid()))
        os.rename(pidfile + ".tmp", pidfile)
        end = time.time() + 60
        while time.time() < end:
            os.stat("cfg"); open("cfg").read()
            time.sleep(0.05)
        sys.exit(0)
    os._exit(0)
os.wait()
sys.exit(0)
"""


def alive(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            state = [x for x in f if x.startswith("State:")][0]
    except FileNotFoundError:
        return False
    return " Z " not in state and "zombie" not in state


def start(ctx, cmd, mode):
    w = os.path.join(ctx.tmp, f"w-{cmd[0]}-{mode}-{time.monotonic_ns()}")
    os.mkdir(w)
    harness.write_file(os.path.join(w, "cfg"), "x\n")
    script = harness.write_file(os.path.join(ctx.tmp, "daemon.py"), DAEMON)
    pidfile = os.path.join(w, "pid")
    p = subprocess.Popen([ctx.fsrace, *cmd, "--", PY, script, mode, pidfile],
                         cwd=w, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    for _ in range(200):
        if os.path.exists(pidfile):
            break
        time.sleep(0.05)
    else:
        p.kill()
        raise AssertionError("the daemon never started: " +
                             p.communicate()[1])
    with open(pidfile) as f:
        pid = int(f.read())
    # the program itself exits at once; let it
    time.sleep(0.5)
    assert p.poll() is None, "fsrace did not wait for the daemon"
    return p, pid, w


def stop(p, pid):
    try:
        return p.communicate(timeout=20)
    finally:
        if p.poll() is None:
            p.kill()
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_stop_signal_goes_to_what_outlived_the_program(ctx):
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        out = os.path.join(ctx.tmp, f"f-{sig}.json")
        p, pid, _ = start(ctx, ["run", "--fail-on", "none", "-o", out],
                          "plain")
        os.kill(p.pid, sig)
        _, err = stop(p, pid)
        # the program's own status: it exited 0
        assert p.returncode == 0, (sig, p.returncode, err)
        assert not alive(pid), (sig, "the daemon is left")
        doc = harness.read_findings(out)
        pids = {e["pid"] for f in doc["findings"] for e in f["evidence"]
                if f["rule"] == "check-then-use"}
        assert pids == {pid}, (sig, doc["findings"])


def test_a_daemon_that_ignores_the_signal_is_killed_by_the_second(ctx):
    out = os.path.join(ctx.tmp, "f.json")
    p, pid, _ = start(ctx, ["run", "--fail-on", "none", "-o", out], "ignore")
    os.kill(p.pid, signal.SIGTERM)
    time.sleep(1)
    assert p.poll() is None and alive(pid), "the first signal killed it"
    os.kill(p.pid, signal.SIGTERM)
    _, err = stop(p, pid)
    assert p.returncode == 0, (p.returncode, err)
    assert not alive(pid)
    doc = harness.read_findings(out)
    assert any(f["rule"] == "check-then-use" for f in doc["findings"]), doc


def test_record_writes_the_trace_of_what_outlived_the_program(ctx):
    trace = os.path.join(ctx.tmp, "t.jsonl")
    p, pid, _ = start(ctx, ["record", "-o", trace], "plain")
    os.kill(p.pid, signal.SIGINT)
    _, err = stop(p, pid)
    assert p.returncode == 0, (p.returncode, err)
    assert not alive(pid)
    _, recs = harness.read_trace(trace)
    # the daemon's calls, and its death by the signal
    assert any(r.get("pid") == pid and r.get("path") == "cfg"
               for r in recs), recs[-5:]
    ends = [r for r in recs if r["type"] == "exit" and r["pid"] == pid]
    assert [e.get("signal") for e in ends] == ["SIGINT"], ends
