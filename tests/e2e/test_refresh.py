"""A pending match whose first step matches again is refreshed: the
finding's evidence is the latest event, and the variable the step bound
still holds its value, whichever field of the event it came from (the
engine points it at the new event's copy of that field). Run under ASan,
a variable left pointing at the old event is a use after free. One test
per field."""
import json
import os

import harness

HEADER = '{"type":"header","format":"fsrace-trace","version":1}'
RENAME = dict(syscall="renameat2", olddirfd=-100, path="/d/src",
              abspath="/d/src", newdirfd=-100, path2="/d/dst",
              abspath2="/d/dst", flags=[], ret=0)
STAT = dict(syscall="newfstatat", dirfd=-100, path="/d/dst",
            abspath="/d/dst", flags=[], ret=0)
FSTAT = dict(syscall="fstat", fd=3, fd_path="/d/dst", ret=0)

# (the field the first step binds $p to, the event it matches twice)
FIELDS = [("abspath", STAT), ("abspath2", RENAME), ("path", STAT),
          ("path2", RENAME), ("fd_path", FSTAT)]


def rec(seq, **kw):
    r = {"type": "syscall", "seq": seq, "pid": 7, "tid": 7}
    r.update(kw)
    return json.dumps(r, separators=(",", ":"))


def check(ctx, field, event):
    rule = {"rules": [{
        "id": "refresh", "title": "t", "severity": "error",
        "message": "{$p} then gone",
        "steps": [{"name": "first", "syscalls": [event["syscall"]],
                   "where": {field: "$p"}},
                  {"name": "gone", "syscalls": ["unlinkat"],
                   "where": {"abspath": "$p"}}]}]}
    rules = harness.write_file(os.path.join(ctx.tmp, "r.json"),
                               json.dumps(rule))
    trace = harness.write_file(os.path.join(ctx.tmp, "t.jsonl"), "\n".join([
        HEADER, rec(1, **event), rec(2, **event),
        rec(3, syscall="unlinkat", dirfd=-100, path="/d/dst",
            abspath="/d/dst", flags=[], ret=0)]) + "\n")
    p = ctx.run(["analyze", "--no-default-rules", "-r", rules, "-f", "json",
                 trace])
    assert (p.returncode, p.stderr) == (1, ""), (p.returncode, p.stderr)
    found = [(f["message"], f["count"],
              [(e["step"], e["seq"]) for e in f["evidence"]])
             for f in json.loads(p.stdout)["findings"]]
    assert found == [("/d/dst then gone", 1,
                      [("first", 2), ("gone", 3)])], found


def _make(field, event):
    def test(ctx):
        check(ctx, field, event)
    test.__doc__ = f"$p bound to {field}"
    return test


for _field, _event in FIELDS:
    globals()["test_refreshed_" + _field] = _make(_field, _event)
