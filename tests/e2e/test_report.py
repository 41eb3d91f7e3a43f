"""`fsrace analyze`'s report on hand-written traces: a finding repeated
is one finding with its count, however many findings came between; the
report is the same when no second thread can be started."""
import itertools
import json
import os
import resource
import string
import subprocess

from harness import Skip

HEADER = '{"type":"header","format":"fsrace-trace","version":1}'

RULES = {"rules": [{
    "id": "t-unlink", "title": "test rule t-unlink", "severity": "warning",
    "message": "unlinked {$p}",
    "steps": [{"name": "hit", "syscalls": ["unlinkat"],
               "where": {"abspath": "$p"}}]}]}


def names(n):
    """N names that differ in letters (a fingerprint counts digits as
    one): aaa, aab, …"""
    return ["".join(t) for t in itertools.islice(
        itertools.product(string.ascii_lowercase, repeat=3), n)]


def unlinks(ctx, paths):
    trace = os.path.join(ctx.tmp, "t.jsonl")
    with open(trace, "w") as f:
        f.write(HEADER + "\n")
        for seq, p in enumerate(paths, 1):
            f.write(json.dumps({
                "type": "syscall", "seq": seq, "pid": 10, "tid": 10,
                "ts_enter": seq * 1000, "ts_exit": seq * 1000 + 500,
                "syscall": "unlinkat", "dirfd": -100, "path": p,
                "abspath": p, "flags": [], "ret": 0}) + "\n")
    with open(os.path.join(ctx.tmp, "rules.json"), "w") as f:
        json.dump(RULES, f)
    return ["analyze", "--no-default-rules", "-r", "rules.json", "-f",
            "json", trace]


def findings(p):
    assert (p.returncode, p.stderr) == (1, ""), (p.returncode, p.stderr)
    doc = json.loads(p.stdout)
    return doc, [(f["message"], f["count"],
                  [e["seq"] for e in f["evidence"]]) for f in doc["findings"]]


def test_repeat_after_many_findings_is_counted(ctx):
    # 300 distinct findings (the table that finds a repeat grows past its
    # first sizes), then the first three paths again
    ps = ["/home/u/" + n for n in names(300)]
    doc, got = findings(ctx.run(unlinks(ctx, ps + ps[:3])))
    want = [(f"unlinked {p}", 2 if i < 3 else 1, [i + 1])
            for i, p in enumerate(ps)]
    assert got == want, [g for g, w in zip(got, want) if g != w][:5] or \
        (len(got), len(want))
    assert doc["counts"] == {"error": 0, "warning": 300, "note": 0}, \
        doc["counts"]
    assert doc["dropped"]["findings"] == 0, doc["dropped"]


def test_report_without_a_second_thread(ctx):
    # A thread's stack is as big as RLIMIT_STACK: at 256 TiB it fits in no
    # address space, pthread_create() fails and analyze reads and matches
    # in one thread. The report is the same.
    ps = ["/home/u/" + n for n in names(5)]
    args = unlinks(ctx, ps + ps[:1])
    huge = 1 << 48
    hard = resource.getrlimit(resource.RLIMIT_STACK)[1]
    if hard != resource.RLIM_INFINITY and hard < huge:
        raise Skip(f"RLIMIT_STACK's hard limit is {hard}")

    def small():
        resource.setrlimit(resource.RLIMIT_STACK, (huge, hard))

    p = subprocess.run([ctx.fsrace] + args, cwd=ctx.tmp, capture_output=True,
                       text=True, timeout=60, preexec_fn=small)
    _, got = findings(p)
    assert got == [(f"unlinked {p}", 2 if i == 0 else 1, [i + 1])
                   for i, p in enumerate(ps)], got
    assert p.stdout == ctx.run(args).stdout
