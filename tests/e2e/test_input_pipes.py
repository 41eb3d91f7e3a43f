"""Input from a pipe, a FIFO or standard input (issue 12): analyze,
import and dump read such a stream once, so that nothing is lost to the
format's detection: `-` is standard input, `<(cat trace)` and a FIFO
with a slow writer give what the file gives, messages and sources name
the stream as given."""
import json
import os
import subprocess
import threading
import time

import harness

PY = "/usr/bin/python3"
PROGRAM = """import os
os.stat("cfg"); open("cfg").read()
"""


def recorded(ctx):
    d = os.path.join(ctx.tmp, "w")
    os.mkdir(d)
    harness.write_file(os.path.join(d, "cfg"), "x\n")
    script = harness.write_file(os.path.join(ctx.tmp, "p.py"), PROGRAM)
    trace = os.path.join(ctx.tmp, "t.jsonl")
    p = ctx.run(["record", "-o", trace, "--", PY, script], cwd=d)
    assert p.returncode == 0, p.stderr
    return trace, d


def stracelog(ctx, d):
    strace = harness.which("strace")
    if not strace:
        raise harness.Skip("no strace")
    log = os.path.join(ctx.tmp, "s.log")
    p = subprocess.run([strace, "-f", "-tt", "-T", "-y", "-yy", "-v", "-o",
                        log, PY, os.path.join(ctx.tmp, "p.py")], cwd=d,
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return log


def fsrace(ctx, args, stdin=None, shell=False):
    if shell:
        return subprocess.run(["/bin/bash", "-c", args], capture_output=True,
                              text=True, cwd=ctx.tmp)
    return subprocess.run([ctx.fsrace, *args], input=stdin,
                          capture_output=True, text=True, cwd=ctx.tmp)


def findings(text):
    """The finding lines of a text report, and its totals."""
    return [x for x in text.splitlines() if x and not x.startswith(" ")]


def test_analyze_standard_input_and_process_substitution(ctx):
    trace, _ = recorded(ctx)
    with open(trace) as f:
        data = f.read()
    want = fsrace(ctx, ["analyze", trace])
    assert want.returncode == 1 and findings(want.stdout), want
    for how, p in (("-", fsrace(ctx, ["analyze", "-"], stdin=data)),
                   ("<()", fsrace(ctx, f"{ctx.fsrace} analyze <(cat {trace})",
                                  shell=True))):
        assert (p.returncode, p.stderr) == (1, ""), (how, p)
        assert findings(p.stdout) == findings(want.stdout), (how, p.stdout)
    # the JSON names the stream as given
    p = fsrace(ctx, ["analyze", "-f", "json", "-o", "-", "-"], stdin=data)
    doc = json.loads(p.stdout)
    harness.check_findings_schema(doc)
    assert doc["input"] == {"kind": "trace", "files": ["-"]}, doc["input"]
    # the workspace it was recorded in, as from the file: the same
    # fingerprints (run from elsewhere: not the working directory's)
    ref = json.loads(fsrace(ctx, ["analyze", "-f", "json", "-o", "-",
                                  trace]).stdout)
    assert [f["fingerprint"] for f in doc["findings"]] == [
        f["fingerprint"] for f in ref["findings"]], (doc, ref)


def test_analyze_a_fifo_with_a_slow_writer(ctx):
    """The writer opens the FIFO after fsrace does and writes in pieces:
    no hang, nothing lost."""
    trace, _ = recorded(ctx)
    with open(trace, "rb") as f:
        data = f.read()
    fifo = os.path.join(ctx.tmp, "fifo")
    os.mkfifo(fifo)

    def writer():
        with open(fifo, "wb") as f:
            for i in range(0, len(data), 4096):
                f.write(data[i:i + 4096])
                f.flush()
                time.sleep(0.01)
    t = threading.Thread(target=writer)
    t.start()
    p = subprocess.run([ctx.fsrace, "analyze", fifo], capture_output=True,
                       text=True, timeout=60)
    t.join()
    want = fsrace(ctx, ["analyze", trace])
    assert (p.returncode, p.stderr) == (1, ""), p
    assert findings(p.stdout) == findings(want.stdout), p.stdout


def test_strace_log_through_a_pipe(ctx):
    """A strace log on standard input: the same findings as the file,
    its evidence citing '-:LINE'; fsrace import reads it the same."""
    trace, d = recorded(ctx)
    log = stracelog(ctx, d)
    with open(log) as f:
        data = f.read()
    want = fsrace(ctx, ["analyze", "-f", "json", "-o", "-", log])
    p = fsrace(ctx, ["analyze", "-f", "json", "-o", "-", "-"], stdin=data)
    assert (p.returncode, p.stderr) == (want.returncode, ""), p
    a, b = json.loads(want.stdout), json.loads(p.stdout)
    srcs = [[e.get("source") for e in f["evidence"]] for f in a["findings"]]
    assert srcs and [[s.replace(log + ":", "-:") for s in x] for x in srcs] \
        == [[e.get("source") for e in f["evidence"]]
            for f in b["findings"]], (srcs, b["findings"])
    out = os.path.join(ctx.tmp, "imported.jsonl")
    p = fsrace(ctx, ["import", "-o", out, "-"], stdin=data)
    assert (p.returncode, p.stderr) == (0, ""), p
    header, recs = harness.read_trace(out)
    assert header["options"]["sources"] == ["-"], header
    p = fsrace(ctx, ["analyze", "-f", "json", "-o", "-", out])
    c = json.loads(p.stdout)
    assert [f["rule"] for f in c["findings"]] == [
        f["rule"] for f in a["findings"]], (c, a)


def test_dump_standard_input(ctx):
    trace, _ = recorded(ctx)
    with open(trace) as f:
        data = f.read()
    want = fsrace(ctx, ["dump", trace])
    p = fsrace(ctx, ["dump", "-"], stdin=data)
    assert (p.returncode, p.stdout, p.stderr) == (0, want.stdout, ""), p


def test_bad_streams(ctx):
    for data, msg in (("", "-: empty file, not an fsrace trace nor a "
                       "strace log"),
                      ("garbage\n", "-: unknown format, not an fsrace "
                       "trace nor a strace log")):
        for cmd in (["analyze", "-"], ["import", "-o",
                                       os.path.join(ctx.tmp, "x.jsonl"),
                                       "-"]):
            p = fsrace(ctx, cmd, stdin=data)
            assert (p.returncode, p.stdout, p.stderr) == (
                2, "", f"fsrace: {msg}\n"), (cmd, data, p)
    assert not os.path.exists(os.path.join(ctx.tmp, "x.jsonl"))
    # a truncated record in the middle of a piped trace: its line
    trace, _ = recorded(ctx)
    with open(trace) as f:
        lines = f.read().split("\n")
    lines[3] = lines[3][:30]
    p = fsrace(ctx, ["analyze", "-"], stdin="\n".join(lines))
    assert p.returncode == 2 and p.stderr.startswith("fsrace: -:4: "), p


def test_endless_pipe_is_bounded(ctx):
    """A pipe of zeros (no newline, no end): the stream is copied only as
    far as the readers' bound on a line, 256 MiB, not to the 64 GiB a
    pipe may bring; one error naming the stream and its line, exit 2,
    nothing written."""
    out = os.path.join(ctx.tmp, "out.jsonl")
    for args, name in [(["analyze", "-"], "-"),
                       (["analyze", "--input-format", "strace", "-"], "-"),
                       (["import", "-o", out, "-"], "-"),
                       ("analyze <(cat /dev/zero)", "/dev/fd/63")]:
        start = time.monotonic()
        if isinstance(args, str):
            p = subprocess.run(["/bin/bash", "-c", f"{ctx.fsrace} {args}"],
                               capture_output=True, text=True, cwd=ctx.tmp,
                               timeout=120)
        else:
            zeros = subprocess.Popen(["cat", "/dev/zero"],
                                     stdout=subprocess.PIPE)
            p = subprocess.run([ctx.fsrace, *args], stdin=zeros.stdout,
                               capture_output=True, text=True, cwd=ctx.tmp,
                               timeout=120)
            zeros.stdout.close()
            zeros.kill()
            zeros.wait()
        assert (p.returncode, p.stdout, p.stderr) == (
            2, "", f"fsrace: {name}:1: line longer than 256 MiB\n"), (args, p)
        assert not os.path.exists(out)
        # 256 MiB through a pipe: a second or so, not the minutes of 64 GiB
        if not os.environ.get("FSRACE_VALGRIND"):
            assert time.monotonic() - start < 30, args
