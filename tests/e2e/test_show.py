"""fsrace show FINDING TRACE (issue 13): one finding's timeline as text,
the HTML report's layout in columns: a row per process with its events
as letters in time order, the window under them, then the events with
their times; by number or fingerprint; errors for what is not there."""
import os
import re
import shutil
import subprocess

import gen
import harness

LANE = re.compile(r"^  (pid \d+ \S+)\s+([-.A-Zx]{64})$")
EVENT = re.compile(r"^  ([A-Zx]) +([\d.]+ (?:\u00b5s|ms|s))  (\S+) +(#.*)$")


def interleaved(ctx):
    """A recorded run of the two-process fixture, and its findings."""
    w = os.path.join(ctx.tmp, "w")
    os.mkdir(w)
    harness.write_file(os.path.join(w, "data"), "x\n")
    trace = os.path.join(ctx.tmp, "t.jsonl")
    p = ctx.run(["record", "-o", trace, "--",
                 ctx.fixture("rule-interleaved-mutation-bad")], cwd=w)
    assert p.returncode == 0, p.stderr
    js = os.path.join(ctx.tmp, "f.json")
    # the HTML output asks for the events around it, as show does
    p = ctx.run(["analyze", "--fail-on", "none", "-o", js, "-o",
                 os.path.join(ctx.tmp, "f.html"), trace])
    assert p.returncode == 0, p.stderr
    return w, trace, harness.read_findings(js)


def line_of(e):
    path = e.get("abspath") or e.get("fd_path")
    ret = ""
    if "ret" in e:
        ret = f" = -1 {e['errno']}" if e["ret"] < 0 else f" = {e['ret']}"
    return f"#{e['seq']} pid {e['pid']} {e['syscall']}({path}){ret}"


def test_show_two_processes(ctx):
    w, trace, doc = interleaved(ctx)
    f, = doc["findings"]
    first, mutate, use = f["evidence"]
    # between its two opens the opener closed its first descriptor: an
    # event on the path that is not evidence
    assert [(e["syscall"], e["pid"], e["fd_path"]) for e in f["around"]] \
        == [("close", first["pid"], first["abspath"])], f["around"]
    p = ctx.run(["show", "1", trace])
    assert (p.returncode, p.stderr) == (0, ""), p
    out = p.stdout.splitlines()
    assert out[0] == (f"finding 1 of 1: error[interleaved-mutation] "
                      f"{f['message']}")
    assert out[1] == f"  fingerprint {f['fingerprint']}"
    lanes = [LANE.match(x) for x in out if LANE.match(x)]
    assert [m.group(1).split()[:2] for m in lanes] == [
        ["pid", str(first["pid"])], ["pid", str(mutate["pid"])]], out
    assert all(m.group(1).split()[2].startswith("rule-interleaved")
               for m in lanes), out
    a, b = lanes[0].group(2), lanes[1].group(2)
    # the opener: its first open, then its use; the other: the unlink
    assert a.index("F") < b.index("M") < a.rindex("U"), (a, b)
    assert "M" not in a and "F" not in b and "U" not in b
    # the window: the columns between the first's exit and the use's
    win, = [x for x in out if "window" in x and "|" in x]
    w0, w1 = win.index("|"), win.rindex("|")
    assert win.endswith(f"| window {f['window_us']} \u00b5s"), win
    col = len(lanes[1].group(0)) - 64
    assert w0 <= col + b.index("M") <= w1, (win, b)
    inside = b[w0 - col + 1:w1 - col].replace("M", "")
    assert inside == "." * len(inside), b
    # the events, in the order they started, with their letters
    events = [EVENT.match(x) for x in out if EVENT.match(x)]
    want = [("F", "first", line_of(first)), ("M", "mutate", line_of(mutate)),
            ("U", "use", line_of(use))]
    around = [("x", "around", line_of(e)) for e in f.get("around", [])]
    assert [(m.group(1), m.group(3), m.group(4)) for m in events
            if m.group(1) != "x"] == want, out
    assert [(m.group(1), m.group(3), m.group(4)) for m in events
            if m.group(1) == "x"] == around, out
    # times from the first entry: 0 first
    assert events[0].group(2) == "0.0 \u00b5s"


def test_show_by_fingerprint(ctx):
    _, trace, doc = interleaved(ctx)
    fp = doc["findings"][0]["fingerprint"]
    by_num = ctx.run(["show", "1", trace])
    for sel in (fp, fp[:6], fp[:4].upper()):
        p = ctx.run(["show", sel, trace])
        assert (p.returncode, p.stdout) == (0, by_num.stdout), sel


def test_show_errors(ctx):
    _, trace, doc = interleaved(ctx)
    fp = doc["findings"][0]["fingerprint"]
    other = "ffff" if not fp.startswith("ffff") else "eeee"
    cases = [
        (["2", trace], "fsrace: no finding 2: the report has 1\n"),
        (["0", trace], "fsrace: no finding 0: the report has 1\n"),
        ([other, trace],
         f"fsrace: no finding '{other}': give its number in the report "
         "(1 to 1) or at least 4 digits of its fingerprint\n"),
        ([fp[:3], trace],
         f"fsrace: no finding '{fp[:3]}': give its number in the report "
         "(1 to 1) or at least 4 digits of its fingerprint\n"),
        (["1"], "fsrace: show needs a finding and a trace: fsrace show "
         "FINDING TRACE...\n"),
        (["1", os.path.join(ctx.tmp, "nope.jsonl")], None),
    ]
    for args, err in cases:
        p = ctx.run(["show", *args])
        assert (p.returncode, p.stdout) == (2, ""), (args, p)
        if err:
            assert p.stderr == err, (args, p.stderr)
        else:
            assert "nope.jsonl" in p.stderr, p.stderr
    p = ctx.run(["show", "--help"])
    assert p.returncode == 0 and p.stdout.startswith(
        "usage: fsrace show [OPTIONS] FINDING TRACE...\n"), p.stdout
    p = ctx.run(["help", "show"])
    assert p.returncode == 0 and "FINDING" in p.stdout, p


def test_show_every_number_and_a_shared_prefix(ctx):
    """Each number shows its own finding; a prefix two fingerprints share
    is refused, naming how many it matched (1,000 findings of a strace
    log that is the same each time: their fingerprints are, and some
    share their first 4 digits)."""
    log = os.path.join(ctx.tmp, "app.log")
    gen.many_findings_log(log, 1000)
    js = os.path.join(ctx.tmp, "f.json")
    p = ctx.run(["analyze", "--fail-on", "none", "-o", js, log])
    doc = harness.read_findings(js)
    fps = [g["fingerprint"] for g in doc["groups"]]
    assert len(fps) == 1000
    for i in (0, 499, 999):
        g = doc["groups"][i]
        p = ctx.run(["show", str(i + 1), log])
        assert p.returncode == 0, p.stderr
        assert p.stdout.startswith(f"finding {i + 1} of 1000: "
                                   f"{g['severity']}[{g['rule']}] "), p.stdout
    pre = {}
    for fp in fps:
        pre.setdefault(fp[:4], []).append(fp)
    shared = sorted(x for x, v in pre.items() if len(v) > 1)
    assert shared, "no two of 1,000 fingerprints share 4 digits"
    x = shared[0]
    p = ctx.run(["show", x, log])
    assert (p.returncode, p.stdout, p.stderr) == (
        2, "", f"fsrace: '{x}' is the start of {len(pre[x])} findings' "
        "fingerprints: give more of it\n"), p
    # more digits tell them apart
    p = ctx.run(["show", pre[x][0][:12], log])
    assert p.returncode == 0 and f"fingerprint " in p.stdout, p
    # a prefix of digits only that is no finding's number is a prefix
    digits = [fp for fp in fps if fp[:4].isdigit() and int(fp[:4]) > 1000
              and len(pre[fp[:4]]) == 1]
    if digits:
        p = ctx.run(["show", digits[0][:4], log])
        assert p.returncode == 0, p.stderr


def test_show_without_timestamps(ctx):
    """A strace log without -tt: the events in the order recorded, the
    window unknown, each event naming its line of the log."""
    if not shutil.which("strace"):
        raise harness.Skip("no strace (tools/deps.sh installs it)")
    w = os.path.join(ctx.tmp, "w")
    os.mkdir(w)
    harness.write_file(os.path.join(w, "data"), "x\n")
    log = os.path.join(ctx.tmp, "app.log")
    subprocess.run(["strace", "-f", "-y", "-o", log,
                    ctx.fixture("rule-check-then-use-bad")], cwd=w,
                   check=True, capture_output=True)
    p = ctx.run(["show", "1", log])
    assert p.returncode == 0, p.stderr
    out = p.stdout.splitlines()
    assert out[3].strip() == "(no timestamps: in the order recorded)", out
    lane = LANE.match(out[4]).group(2)
    assert lane.index("C") < lane.index("U"), lane
    assert out[5].strip() == "^ window unknown (no timestamps)", out
    path = os.path.join(w, "data")
    ev = [x for x in out if re.match(r"^  [CU] ", x)]
    assert [re.sub(r":\d+$", ":N", x) for x in ev] == [
        f"  C check    #9 pid {ev[0].split()[4]} newfstatat({path}) = 0 "
        f"at {log}:N",
        f"  U use      #10 pid {ev[0].split()[4]} openat({path}) = 3 "
        f"at {log}:N"], out
