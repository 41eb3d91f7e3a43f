"""A record's "source" (the strace log line it came from) reaches the
evidence as FILE:LINE; one that is not a string is left out."""
import json
import os

RULES = {"rules": [{
    "id": "t-unlink", "title": "t", "severity": "note",
    "message": "unlinked {$p}",
    "steps": [{"name": "hit", "syscalls": ["unlinkat"],
               "where": {"abspath": "$p"}}]}]}


def test_source_string_or_nothing(ctx):
    trace = os.path.join(ctx.tmp, "t.jsonl")
    recs = [{"type": "header", "format": "fsrace-trace", "version": 1}]
    for seq, (p, src) in enumerate([("/w/x", 5), ("/w/y", "app.log:7"),
                                    ("/w/z", None)], 1):
        r = {"type": "syscall", "seq": seq, "pid": 9, "tid": 9,
             "ts_enter": seq, "ts_exit": seq, "syscall": "unlinkat",
             "dirfd": -100, "path": p, "abspath": p, "flags": [], "ret": 0}
        if src is not None:
            r["source"] = src
        recs.append(r)
    with open(trace, "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in recs)
    rules = os.path.join(ctx.tmp, "rules.json")
    with open(rules, "w") as f:
        json.dump(RULES, f)
    out = os.path.join(ctx.tmp, "f.json")
    p = ctx.run(["analyze", "--no-default-rules", "--no-default-filters",
                 "-r", rules, "-f", "json", "-o", out, trace])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    with open(out) as f:
        doc = json.load(f)
    got = [(x["message"], x["evidence"][0].get("source"))
           for x in doc["findings"]]
    assert got == [("unlinked /w/x", None), ("unlinked /w/y", "app.log:7"),
                   ("unlinked /w/z", None)], got
