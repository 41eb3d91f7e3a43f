"""Honest dead-trace analysis (issue 12): a strace log says from its own
content what it cannot show (no timestamps, no -y, -Z, -z, close not
traced, children not followed); the report says it first, in the text
and in JSON; the rules that need what is missing are not evaluated and
say why; an unknown window is unknown, never 0 us; --strict refuses such
a log. One real two-process race, traced with each set of strace
flags."""
import json
import os
import subprocess

import gen
import harness

PY = "/usr/bin/python3"
# the child removes data between the parent's stat and its open
RACE = """import os, time
open("data", "w").write("x\\n")
pid = os.fork()
if pid == 0:
    time.sleep(0.05)
    os.unlink("data")
    os._exit(0)
os.stat("data")
time.sleep(0.15)
try:
    open("data").read()
except OSError:
    pass
os.waitpid(pid, 0)
"""

TEXT = {
    "no-timestamps": "no timestamps (strace -t, -tt, -ttt or -r): windows "
                     "are unknown, and whether calls overlap in time",
    "no-fd-paths": "no fd decoding (strace -y): the paths of fds the log "
                   "did not see opened are unknown",
    "only-failed": "only failed calls (strace -Z): no successful check, use "
                   "or change can be seen",
    "only-succeeded": "only successful calls (strace -z): a failed check or "
                      "fallback (ENOENT, EXDEV) cannot be seen",
    "no-close": "close is not traced (strace -e trace=...): when an fd stops "
                "being used is unknown",
    "children-lost": "children not followed (strace without -f): their "
                     "calls are missing",
}


def traced(ctx, name, flags, ws=None):
    strace = harness.which("strace")
    if not strace:
        raise harness.Skip("no strace")
    d = os.path.join(ctx.tmp, ws or name)
    os.makedirs(d, exist_ok=True)
    script = harness.write_file(os.path.join(ctx.tmp, "race.py"), RACE)
    log = os.path.join(ctx.tmp, name + ".log")
    p = subprocess.run([strace, *flags, "-o", log, PY, script], cwd=d,
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return log


def analyze(ctx, log, *opts):
    p = ctx.run(["analyze", "--fail-on", "none", "-f", "json", "-o", "-",
                 *opts, log])
    assert (p.returncode, p.stderr) == (0, ""), p
    doc = json.loads(p.stdout)
    harness.check_findings_schema(doc)
    return doc


def limits(doc):
    return [x["code"] for x in doc.get("log_limits", [])]


def not_evaluated(doc):
    return {x["rule"]: x["reason"] for x in doc.get("not_evaluated", [])}


def rules(doc):
    return sorted(f["rule"] for f in doc["findings"])


def test_a_full_log_has_no_limits(ctx):
    log = traced(ctx, "full", ["-f", "-tt", "-T", "-y", "-yy", "-v"])
    doc = analyze(ctx, log)
    assert ("log_limits" not in doc, "not_evaluated" not in doc) == (
        True, True), doc
    assert "interleaved-mutation" in rules(doc), doc["findings"]
    p = ctx.run(["analyze", "--fail-on", "none", "--strict", log])
    assert p.returncode == 0 and not p.stdout.startswith("log: "), p


def test_no_timestamps(ctx):
    log = traced(ctx, "nots", ["-f", "-y"])
    doc = analyze(ctx, log)
    assert limits(doc) == ["no-timestamps"], doc.get("log_limits")
    assert not_evaluated(doc) == {"opened-deleted-file": "no-timestamps"}
    # the race is still seen, its window unknown (not 0)
    f, = [f for f in doc["findings"] if f["rule"] == "interleaved-mutation"]
    assert f["window_us"] is None, f
    assert "(window unknown)" in f["message"], f["message"]
    p = ctx.run(["analyze", "--fail-on", "none", log])
    head = p.stdout.split("\n\n")[0].splitlines()
    assert head == [f"log: {TEXT['no-timestamps']}",
                    "not evaluated: opened-deleted-file (no-timestamps)"], \
        p.stdout
    assert " 0 \u00b5s" not in p.stdout, p.stdout


def test_children_not_followed(ctx):
    log = traced(ctx, "nof", ["-tt", "-T", "-y"])
    doc = analyze(ctx, log)
    assert limits(doc) == ["children-lost"], doc.get("log_limits")
    assert not_evaluated(doc) == {}
    # the child's unlink is missing: no interleaving seen
    assert "interleaved-mutation" not in rules(doc), doc["findings"]


def test_only_failed_calls(ctx):
    log = traced(ctx, "Z", ["-f", "-tt", "-Z"])
    doc = analyze(ctx, log)
    assert limits(doc) == ["only-failed"], doc.get("log_limits")
    ne = not_evaluated(doc)
    assert {"check-then-use", "interleaved-mutation",
            "exdev-copy-fallback"} <= set(ne) and \
        set(ne.values()) == {"only-failed"}, ne
    assert doc["findings"] == [], doc["findings"]
    p = ctx.run(["analyze", "--strict", log])
    assert (p.returncode, p.stdout, p.stderr) == (
        2, "", f"fsrace: {log}: {TEXT['only-failed']}; with --strict a log "
        "must show it all (strace -f -tt -T -y -yy -v)\n"), p


def test_only_successful_calls(ctx):
    log = traced(ctx, "z", ["-f", "-tt", "-y", "-z"])
    doc = analyze(ctx, log)
    assert limits(doc) == ["only-succeeded"], doc.get("log_limits")
    assert not_evaluated(doc) == {
        "check-absent-then-create": "only-succeeded",
        "exdev-copy-fallback": "only-succeeded",
        "exdev-tree-fallback": "only-succeeded"}, not_evaluated(doc)


def test_no_fd_paths_and_no_close(ctx):
    log = traced(ctx, "noy", ["-f", "-tt"])
    assert limits(analyze(ctx, log)) == ["no-fd-paths"]
    log = traced(ctx, "file", ["-f", "-tt", "-y", "-e", "trace=%file"])
    doc = analyze(ctx, log)
    assert limits(doc) == ["no-close"], doc.get("log_limits")
    assert not_evaluated(doc) == {"path-after-open": "no-close"}
    assert "path-after-open" not in rules(doc)


def test_native_traces_have_no_limits(ctx):
    d = os.path.join(ctx.tmp, "w")
    os.mkdir(d)
    script = harness.write_file(os.path.join(ctx.tmp, "race.py"), RACE)
    trace = os.path.join(ctx.tmp, "t.jsonl")
    p = ctx.run(["record", "-o", trace, "--", PY, script], cwd=d)
    assert p.returncode == 0, p.stderr
    doc = analyze(ctx, trace)
    assert "log_limits" not in doc and "not_evaluated" not in doc, doc


def test_each_log_its_own_limits(ctx):
    """--each-trace: a log without timestamps takes nothing from one with
    them; each limit names its log."""
    # one workspace: a strace log names no directory of its own
    full = traced(ctx, "full", ["-f", "-tt", "-T", "-y", "-yy", "-v"], "w")
    nots = traced(ctx, "nots", ["-f", "-y"], "w")
    p = ctx.run(["analyze", "--fail-on", "none", "-f", "json", "-o", "-",
                 "--each-trace", full, nots])
    assert (p.returncode, p.stderr) == (0, ""), p
    doc = json.loads(p.stdout)
    harness.check_findings_schema(doc)
    assert [(x["code"], x.get("file")) for x in doc["log_limits"]] == [
        ("no-timestamps", nots)], doc["log_limits"]
    assert doc["not_evaluated"] == [{"rule": "opened-deleted-file",
                                     "reason": "no-timestamps",
                                     "file": nots}], doc["not_evaluated"]
    f, = [f for f in doc["findings"] if f["rule"] == "interleaved-mutation"]
    assert f["found_in"] == [full, nots], f
    p = ctx.run(["analyze", "--fail-on", "none", "--each-trace", full, nots])
    assert p.stdout.splitlines()[:2] == [
        f"log {nots}: {TEXT['no-timestamps']}",
        f"not evaluated: opened-deleted-file ({nots}: no-timestamps)"], \
        p.stdout
    p = ctx.run(["analyze", "--strict", "--each-trace", full, nots])
    assert (p.returncode, p.stderr) == (
        2, f"fsrace: {nots}: {TEXT['no-timestamps']}; with --strict a log "
        "must show it all (strace -f -tt -T -y -yy -v)\n"), p


def test_children_past_the_pid_ceiling(ctx):
    """70,000 children, more than the 65,536 pids input.c remembers at
    once: a log that follows them all has no limit, whether each child's
    calls come after its clone's result or all before it; one child
    missing, the last, is still seen."""
    for early in (False, True):
        for lost in ((), (69999,)):
            log = os.path.join(ctx.tmp, f"kids-{early}-{len(lost)}.log")
            gen.many_children_log(log, 70000, lost=lost, early=early)
            doc = analyze(ctx, log)
            want = ["children-lost"] if lost else []
            assert limits(doc) == want, (early, lost, doc.get("log_limits"))
            assert doc["findings"] == [], doc["findings"]
