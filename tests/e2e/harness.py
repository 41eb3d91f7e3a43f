"""Helpers shared by the end-to-end tests: run fsrace, read its traces."""
import json
import os
import shutil
import subprocess
import tempfile


def seccomp():
    """Whether fsrace can filter with seccomp here: not under valgrind
    (tests/runner.py --valgrind), which has no seccomp(2), so that fsrace
    falls back to stopping at every call, and says so in the header."""
    return not os.environ.get("FSRACE_VALGRIND")


class Skip(Exception):
    """Raised by a test that cannot run here; the runner counts a skip."""


class Context:
    def __init__(self, fsrace, fixtures, build, name):
        self.fsrace = fsrace
        self.fixtures = fixtures
        self.build = build
        self.name = name
        self.tmp = os.path.realpath(tempfile.mkdtemp(prefix="fsrace-test-"))

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def has_stacks(self):
        """Whether this build takes stacks (libunwind and libdw): then
        `fsrace run` takes them by default."""
        with open(os.path.join(self.build, "config.h")) as f:
            return "#define HAVE_STACKS 1" in f.read()

    def timed(self):
        """A test whose assertion is a time bound: skipped (loudly) when
        fsrace runs under valgrind (tests/runner.py --valgrind), tens of
        times slower."""
        if os.environ.get("FSRACE_VALGRIND"):
            raise Skip("a time bound: not under valgrind")

    def openat2(self):
        """A test of --confirm, which needs openat2(2): skipped (loudly)
        under valgrind, whose 3.19 does not know the call."""
        if os.environ.get("FSRACE_VALGRIND"):
            raise Skip("--confirm needs openat2(2), which valgrind 3.19 "
                       "does not know")

    def fixture(self, name):
        """Absolute path of a built fixture program."""
        path = os.path.join(self.fixtures, name)
        if not os.access(path, os.X_OK):
            raise AssertionError(f"fixture {name} not built: {path}")
        return path

    def run(self, args, **kw):
        """Run fsrace with ARGS; returns CompletedProcess (text mode)."""
        kw.setdefault("capture_output", True)
        kw.setdefault("text", True)
        kw.setdefault("cwd", self.tmp)
        # under valgrind tens of times slower: the big inputs of
        # test_ceilings take minutes
        kw.setdefault("timeout",
                      1200 if os.environ.get("FSRACE_VALGRIND") else 120)
        return subprocess.run([self.fsrace] + list(args), **kw)

    def record(self, prog_args, out=None, extra=(), **kw):
        """fsrace record -o OUT [extra] -- PROG_ARGS; returns
        (CompletedProcess, header, records)."""
        out = out or os.path.join(self.tmp, "trace.jsonl")
        proc = self.run(["record", "-o", out, *extra, "--", *prog_args], **kw)
        header, records = read_trace(out) if os.path.exists(out) else (None, [])
        return proc, header, records


def read_trace(path):
    """Parse a native trace: (header dict, list of record dicts)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    header = json.loads(lines[0])
    return header, [json.loads(line) for line in lines[1:] if line]


def syscalls(records, under=None):
    """The syscall records, optionally only those whose abspath (or
    abspath2 or fd_path) lies under the directory UNDER."""
    out = []
    for r in records:
        if r.get("type") != "syscall":
            continue
        if under is not None:
            paths = [r.get(k) for k in ("abspath", "abspath2", "fd_path")]
            if not any(p and (p == under or p.startswith(under + "/"))
                       for p in paths):
                continue
        out.append(r)
    return out


def stat_identity(path, follow=True):
    """(dev, ino, mode, nlink, uid) as stat(1) reports them."""
    fmt = "%d %i %f %h %u"
    args = ["stat", "-c", fmt] + ([] if follow else []) + [path]
    if follow:
        args.insert(1, "-L")
    out = subprocess.run(args, capture_output=True, text=True,
                         check=True).stdout.split()
    return (int(out[0]), int(out[1]), int(out[2], 16), int(out[3]),
            int(out[4]))


# ---------------------------------------------------------------------------
# Helpers added for the record tests (test_record.py, test_strace_diff.py).

ABSENT = object()
"""In an expected event: the key must not be in the record."""

ANY = object()
"""In an expected event: the key must be in the record, any value."""


def under(path, root):
    """True when PATH is ROOT or lies below it."""
    return bool(path) and (path == root or path.startswith(root + "/"))


def of_type(records, kind):
    return [r for r in records if r.get("type") == kind]


def _same(want, got):
    if want is ANY:
        return got is not ABSENT
    if want is ABSENT:
        return got is ABSENT
    if got is ABSENT:
        return False
    if callable(want):
        return bool(want(got))
    return want == got


def _show(v):
    if v is ABSENT:
        return "<absent>"
    if v is ANY:
        return "<any>"
    if callable(v):
        return getattr(v, "__doc__", None) or "<predicate>"
    return json.dumps(v) if not isinstance(v, str) else repr(v)


def short(r, root=None):
    """A one-line summary of a record, for failure messages."""
    keys = ("seq", "pid", "tid", "type", "syscall", "dirfd", "path",
            "abspath", "path2", "abspath2", "fd", "fd_path", "fd2", "cmd",
            "flags", "ret", "errno", "kind", "child_pid", "child_tid",
            "status", "signal", "old_tid")
    parts = []
    for k in keys:
        if k in r:
            v = r[k]
            if root and isinstance(v, str) and under(v, root):
                v = "$TMP" + v[len(root):]
            parts.append(f"{k}={json.dumps(v)}")
    return " ".join(parts)


def assert_events(got, want, root=None, what="events"):
    """Assert that the records GOT match the expected dicts WANT one to one
    and in order. Only the keys named in each expected dict are compared;
    a value may be ABSENT, ANY or a predicate. "flags" is compared as a
    set (the format does not fix the order of flag names)."""
    problems = []
    for i in range(max(len(got), len(want))):
        if i >= len(got):
            problems.append(f"#{i}: missing, expected {want[i]}")
            continue
        if i >= len(want):
            problems.append(f"#{i}: unexpected {short(got[i], root)}")
            continue
        g, w = got[i], want[i]
        for k, v in w.items():
            gv = g.get(k, ABSENT)
            if k == "flags" and isinstance(v, list) and isinstance(gv, list):
                ok = sorted(v) == sorted(gv)
            else:
                ok = _same(v, gv)
            if not ok:
                problems.append(f"#{i} {w.get('syscall', '')}: {k}: "
                                f"expected {_show(v)}, got {_show(gv)}")
    if problems:
        listing = "\n".join("  " + short(r, root) for r in got)
        raise AssertionError(
            f"{what} differ:\n" + "\n".join(problems[:40]) +
            f"\nrecorded ({len(got)}):\n{listing}")


def check_sequence_numbers(records):
    """seq runs 1, 2, 3 … in file order."""
    seqs = [r.get("seq") for r in records]
    assert seqs == list(range(1, len(records) + 1)), \
        f"seq is not 1..{len(records)}: {seqs[:20]}…"


class Tree:
    """The process tree a trace describes, checked while it is built:
    every event comes from a task that exists (the root process, a task
    announced by an earlier fork record, or in attach mode a thread of the
    attached process) and has not exited; a thread has its parent's pid, a
    process its own; a leader's exit record comes after its threads'.

    .root is the root pid; .tasks maps tid -> dict(pid, parent (tid),
    kind ("root", "attached", "process", "vfork", "thread"), exit (the
    last exit record of the task, or None)); .forks lists fork records."""

    def __init__(self, records, complete=True, attached=None):
        self.tasks = {}
        self.forks = []
        self.problems = []
        evs = [r for r in records
               if r.get("type") in ("syscall", "fork", "exit")]
        if not evs:
            raise AssertionError("no events in the trace")
        self.root = attached if attached is not None else evs[0]["pid"]
        live = {}           # tid -> pid of the tasks alive now
        execd = set()       # pids where a non-leader thread called exec
        if attached is None:
            self._add(live, self.root, self.root, None, "root")
        for r in evs:
            self._event(r, live, execd, attached)
        if complete and live:
            self.problems.append(f"tasks without an exit record: "
                                 f"{sorted(live)}")
        if self.problems:
            raise AssertionError("inconsistent process tree:\n  " +
                                 "\n  ".join(self.problems[:20]))

    def _add(self, live, tid, pid, parent, kind):
        live[tid] = pid
        self.tasks[tid] = dict(pid=pid, parent=parent, kind=kind,
                               exit=None)

    def _event(self, r, live, execd, attached):
        t, pid, tid = r["type"], r.get("pid"), r.get("tid")
        bad = self.problems.append
        if t == "syscall" and "old_tid" in r:
            # exec from a non-leader thread: the caller goes on as the
            # leader (tid == pid), every other thread is gone
            if tid != pid:
                bad(f"exec with old_tid but tid != pid: {short(r)}")
            if live.get(r["old_tid"]) != pid:
                bad(f"old_tid was not a live thread of {pid}: {short(r)}")
            for k in [k for k, v in live.items() if v == pid]:
                del live[k]
            live[pid] = pid
            execd.add(pid)
            return
        if tid not in live:
            if t == "exit" and pid in execd:
                return      # a thread that the exec removed
            if attached is not None and pid == attached and \
                    tid not in self.tasks:
                self._add(live, tid, pid, None, "attached")
            else:
                bad(f"event of an unknown or exited task: {short(r)}")
                return
        elif live[tid] != pid:
            bad(f"tid {tid} belongs to pid {live[tid]}: {short(r)}")
        if t == "fork":
            self.forks.append(r)
            cp, ct, kind = r.get("child_pid"), r.get("child_tid"), \
                r.get("kind")
            if kind == "thread":
                if cp != pid or ct == pid:
                    bad(f"thread with a pid of its own: {short(r)}")
            elif kind in ("process", "vfork"):
                if cp != ct or cp == pid:
                    bad(f"process child pid/tid wrong: {short(r)}")
            else:
                bad(f"unknown fork kind: {short(r)}")
            if ct in live:
                bad(f"child tid {ct} is already alive: {short(r)}")
            self._add(live, ct, cp, tid, kind)
        elif t == "exit":
            others = sorted(k for k, v in live.items()
                            if v == pid and k != tid)
            if tid == pid and others:
                bad(f"leader exits before its threads {others}: "
                    f"{short(r)}")
            if ("status" in r) == ("signal" in r):
                bad(f"exit needs one of status and signal: {short(r)}")
            del live[tid]
            self.tasks[tid]["exit"] = r

    def exit_of(self, tid):
        t = self.tasks.get(tid)
        return t["exit"] if t else None

    def children(self, tid, kind=None):
        return [k for k, v in self.tasks.items() if v["parent"] == tid
                and (kind is None or v["kind"] == kind)]


def copy_fixture(ctx, name, dest=None):
    """Copy the built fixture NAME into the test's temp dir (so that an exec
    of it is an event under the temp dir); returns the copy's path."""
    dest = dest or os.path.join(ctx.tmp, name)
    shutil.copy2(ctx.fixture(name), dest)
    return dest


def write_file(path, data="", mode=None):
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    if mode is not None:
        os.chmod(path, mode)
    return path


def which(name):
    return shutil.which(name)


# ---------------------------------------------------------------------------
# Helpers added for the findings tests (test_rules.py).

SOURCE_ROOT = os.path.normpath(os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", ".."))
FINDINGS_SCHEMA = os.path.join(SOURCE_ROOT, "docs", "findings.schema.json")


def read_findings(path):
    """Parse a findings document (docs/findings.md) written with -o."""
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def check_findings_schema(doc, what="findings document"):
    """Assert that DOC validates against docs/findings.schema.json. Needs
    the jsonschema module (Debian: python3-jsonschema)."""
    try:
        import jsonschema
    except ImportError:
        raise AssertionError("the jsonschema module is missing: install "
                             "python3-jsonschema (tools/deps.sh)")
    with open(FINDINGS_SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    errors = sorted(cls(schema).iter_errors(doc),
                    key=lambda e: list(e.absolute_path))
    if errors:
        lines = []
        for e in errors[:20]:
            where = "/".join(str(p) for p in e.absolute_path) or "(top)"
            lines.append(f"  {where}: {e.message[:300]}")
        raise AssertionError(f"{what} does not match "
                             f"docs/findings.schema.json:\n" +
                             "\n".join(lines))
