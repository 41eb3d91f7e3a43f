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
    # 700 distinct findings (the table that finds a repeat grows past its
    # first sizes; the events fill more than one of the reader thread's
    # batches of 512), then the first three paths again
    ps = ["/home/u/" + n for n in names(700)]
    doc, got = findings(ctx.run(unlinks(ctx, ps + ps[:3])))
    want = [(f"unlinked {p}", 2 if i < 3 else 1, [i + 1])
            for i, p in enumerate(ps)]
    assert got == want, [g for g, w in zip(got, want) if g != w][:5] or \
        (len(got), len(want))
    assert doc["counts"] == {"error": 0, "warning": 700, "note": 0}, \
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


def test_parent_of_the_wrong_type_is_absent(ctx):
    # a field of the wrong type is read as absent (as jansson's getters
    # do): "parent": 5 is no parent, and parent.uid 0 does not match it
    trace = os.path.join(ctx.tmp, "t.jsonl")
    with open(trace, "w") as f:
        f.write(HEADER + "\n")
        for seq, (name, parent) in enumerate(
                [("d", 5), ("e", {"path": "/home/u", "uid": 0,
                                  "mode": 0o40755}),
                 ("f", None), ("g", "/home/u"), ("h", [0])], 1):
            r = {"type": "syscall", "seq": seq, "pid": 10, "tid": 10,
                 "ts_enter": seq * 1000, "ts_exit": seq * 1000 + 500,
                 "syscall": "mkdir", "path": f"/home/u/{name}",
                 "abspath": f"/home/u/{name}", "mode": 0o755, "ret": 0}
            if parent is not None:
                r["parent"] = parent
            f.write(json.dumps(r) + "\n")
    with open(os.path.join(ctx.tmp, "rules.json"), "w") as f:
        json.dump({"rules": [{
            "id": "t-root-dir", "title": "t", "severity": "warning",
            "message": "mkdir {hit.abspath} in a root directory",
            "steps": [{"name": "hit", "syscalls": ["mkdir"],
                       "where": {"parent.uid": 0}}]}]}, f)
    p = ctx.run(["analyze", "--no-default-rules", "-r", "rules.json",
                 "-f", "json", trace])
    _, got = findings(p)
    assert got == [("mkdir /home/u/e in a root directory", 1, [2])], got


def test_duplicate_keys_the_last_counts(ctx):
    # in the header (read by jansson) as in the records: the last of two
    # equal keys is the value
    trace = os.path.join(ctx.tmp, "t.jsonl")
    with open(trace, "w") as f:
        f.write('{"type":"header","format":"fsrace-trace","version":1,'
                '"format":"fsrace-trace"}\n'
                '{"type":"syscall","seq":1,"pid":10,"tid":10,'
                '"ts_enter":1000,"ts_exit":2000,"syscall":"unlinkat",'
                '"dirfd":-100,"path":"/home/u/x","abspath":"/home/u/x",'
                '"abspath":"/home/u/y","flags":[],"ret":0}\n')
    with open(os.path.join(ctx.tmp, "rules.json"), "w") as f:
        json.dump(RULES, f)
    p = ctx.run(["analyze", "--no-default-rules", "-r", "rules.json",
                 "-f", "json", trace])
    _, got = findings(p)
    assert got == [("unlinked /home/u/y", 1, [1])], got


def test_refresh_keeps_bindings_of_every_field(ctx):
    # docs/rules.md: step 0 again with the same bindings refreshes the
    # partial match; the variables it bound keep their values whatever
    # field they come from (here path and fd_path, not abspath)
    trace = os.path.join(ctx.tmp, "t.jsonl")
    recs = [
        dict(syscall="newfstatat", dirfd=-100, path="rel", abspath="/srv/a",
             flags=[], ret=0),
        dict(syscall="newfstatat", dirfd=-100, path="rel", abspath="/srv/b",
             flags=[], ret=0),
        dict(syscall="fchmod", fd=3, fd_path="/srv/c", mode=0o600, ret=0),
        dict(syscall="fchmod", fd=3, fd_path="/srv/c", mode=0o600, ret=0),
        dict(syscall="openat", dirfd=-100, path="rel", abspath="/srv/d",
             flags=["O_RDONLY"], ret=4),
        dict(syscall="fsync", fd=4, fd_path="/srv/c", ret=0),
    ]
    with open(trace, "w") as f:
        f.write(HEADER + "\n")
        for seq, r in enumerate(recs, 1):
            f.write(json.dumps(dict(type="syscall", seq=seq, pid=10, tid=10,
                                    ts_enter=seq * 1000,
                                    ts_exit=seq * 1000 + 500, **r)) + "\n")
    with open(os.path.join(ctx.tmp, "rules.json"), "w") as f:
        json.dump({"rules": [
            {"id": "t-path", "title": "t", "severity": "warning",
             "message": "{check.syscall} then {use.syscall} of {$n}",
             "steps": [{"name": "check", "syscalls": ["newfstatat"],
                        "where": {"path": "$n"}},
                       {"name": "use", "syscalls": ["openat"],
                        "where": {"path": "$n"}}]},
            {"id": "t-fd-path", "title": "t", "severity": "warning",
             "message": "{change.syscall} then {sync.syscall} of {$f}",
             "steps": [{"name": "change", "syscalls": ["fchmod"],
                        "where": {"fd_path": "$f"}},
                       {"name": "sync", "syscalls": ["fsync"],
                        "where": {"fd_path": "$f"}}]}]}, f)
    p = ctx.run(["analyze", "--no-default-rules", "-r", "rules.json",
                 "-f", "json", trace])
    _, got = findings(p)
    assert got == [("newfstatat then openat of rel", 1, [2, 5]),
                   ("fchmod then fsync of /srv/c", 1, [4, 6])], got
