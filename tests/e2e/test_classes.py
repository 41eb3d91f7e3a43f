"""The syscall classes as rule groups (@check, @use, …, docs/rules.md):
each class names exactly the syscalls the table gives it, seen through
the findings a one-step rule makes on a trace with one call of each."""
import json
import os

HEADER = '{"type":"header","format":"fsrace-trace","version":1}'

# one call of each (open is the table's first row), and the classes
# docs/rules.md gives it
CALLS = [
    ("newfstatat", {"dirfd": -100, "path": "/w/a", "abspath": "/w/a",
                    "flags": [], "ret": 0}),
    ("open", {"path": "/w/o", "abspath": "/w/o", "flags": ["O_RDONLY"],
              "ret": 4, "ret_path": "/w/o"}),
    ("openat", {"dirfd": -100, "path": "/w/b", "abspath": "/w/b",
                "flags": ["O_RDONLY"], "ret": 3, "ret_path": "/w/b"}),
    ("unlinkat", {"dirfd": -100, "path": "/w/c", "abspath": "/w/c",
                  "flags": [], "ret": 0}),
    ("fchmodat", {"dirfd": -100, "path": "/w/d", "abspath": "/w/d",
                  "mode": 0o600, "ret": 0}),
    ("fsync", {"fd": 3, "fd_path": "/w/b", "ret": 0}),
    ("close", {"fd": 3, "fd_path": "/w/b", "ret": 0}),
    ("chdir", {"path": "/w", "abspath": "/w", "ret": 0}),
    ("ftruncate", {"fd": 3, "fd_path": "/w/b", "ret": 0}),
]

WANT = {
    "check": ["newfstatat"],
    "use": ["open", "openat"],
    "create": ["open", "openat"],
    "remove": ["unlinkat"],
    "meta": ["fchmodat"],
    "sync": ["fsync"],
    "fd": ["close"],
    "process": ["chdir"],
    "data": ["ftruncate"],
}


def _class_test(cls):
    def test(ctx):
        trace = os.path.join(ctx.tmp, "t.jsonl")
        with open(trace, "w") as f:
            f.write(HEADER + "\n")
            for seq, (sc, args) in enumerate(CALLS, 1):
                f.write(json.dumps(dict(
                    type="syscall", seq=seq, pid=10, tid=10,
                    ts_enter=seq * 1000, ts_exit=seq * 1000 + 100,
                    syscall=sc, **args)) + "\n")
        rules = os.path.join(ctx.tmp, "rules.json")
        with open(rules, "w") as f:
            json.dump({"rules": [{
                "id": "by-class", "title": "t", "severity": "note",
                "message": "{hit.syscall}",
                "steps": [{"name": "hit", "syscalls": [f"@{cls}"]}]}]}, f)
        out = os.path.join(ctx.tmp, "f.json")
        p = ctx.run(["analyze", "--no-default-rules", "--no-default-filters",
                     "-r", rules, "-f", "json", "-o", out, trace])
        assert (p.returncode, p.stderr) == (0, ""), p.stderr
        with open(out) as f:
            doc = json.load(f)
        got = sorted(x["message"] for x in doc["findings"])
        assert got == WANT[cls], (cls, got)
    test.__name__ = f"test_class_{cls}"
    return test


for _c in WANT:
    globals()[f"test_class_{_c}"] = _class_test(_c)
