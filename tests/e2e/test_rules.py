"""End-to-end tests of the rules through `fsrace run` and `fsrace analyze`
on the fixtures of fixtures/rules/ (its README says how they are laid out
and what an expected-findings file holds).

For every core rule of rules-catalog.md a bad program does the pattern and
its good twin does the job safely; race-lost loses a check-then-use race
for real; the seeds are the Python scenarios. Each test prepares a fresh
directory, runs `fsrace run --format json -o FILE -- PROG ARGS` in it and
asserts what a user gating CI would see (docs/findings.md):

- the document validates against docs/findings.schema.json, names the
  program and its exit status 0, enables every core rule, and its counts,
  windows and confirmed flags agree with its own findings;
- fsrace exits 1 when a finding is at or above the gate (warning by
  default) and 0 otherwise (note-only findings exit 0);
- the findings whose evidence touches the directory are exactly those of
  the expected file; a good twin gives none of its rule (and none at all);
  a C fixture gives no finding anywhere else, and a Python one only notes
  about the interpreter's own files.

The expected findings come from the catalog and the fixtures' own calls
(checked with strace), never from fsrace's output."""
import json
import os
import re
import select
import shutil
import subprocess
import tempfile

import harness
from harness import Skip

RULES_DIR = os.path.join(harness.SOURCE_ROOT, "fixtures", "rules")
SEEDS_DIR = os.path.join(RULES_DIR, "seeds")
PYTHON = "/usr/bin/python3"

CORE_RULES = [
    "check-then-use", "access-then-open", "lstat-then-follow",
    "check-absent-then-create", "path-after-open",
    "create-then-metadata-by-name", "unlink-then-rename",
    "exdev-copy-fallback", "path-reuse-after-rename",
    "rename-without-fsync", "missing-dir-fsync", "create-in-shared-dir",
    "interleaved-mutation", "opened-deleted-file",
]
RANK = {"note": 0, "warning": 1, "error": 2}
GATE = "warning"        # the default of --fail-on
PATH_KEYS = ("abspath", "abspath2", "fd_path")


# --- the directory a fixture runs in --------------------------------------

class Work:
    """The fixture's directory ($TMP in the expected files) inside the
    test's temp dir, and a directory under /dev/shm ($SHM) for the
    fixtures that need a second file system. Use as a context manager:
    the /dev/shm directory is removed on the way out."""

    def __init__(self, ctx, name="w"):
        self.ctx = ctx
        self.dir = os.path.join(ctx.tmp, name)
        os.mkdir(self.dir)
        os.chmod(self.dir, 0o755)
        self.shm = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.shm:
            shutil.rmtree(self.shm, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def write(self, name, data, mode=0o644):
        return harness.write_file(self.path(name), data, mode)

    def need_shm(self):
        """A fresh directory on /dev/shm, which must be a file system of
        its own (tmpfs), or the test is skipped."""
        if not os.path.isdir("/dev/shm"):
            raise Skip("no /dev/shm: this fixture needs a second file "
                       "system (a tmpfs at /dev/shm) for rename to fail "
                       "with EXDEV")
        if os.stat("/dev/shm").st_dev == os.stat(self.dir).st_dev:
            raise Skip(f"/dev/shm and {self.dir} are one file system: "
                       "rename between them cannot fail with EXDEV")
        self.shm = os.path.realpath(
            tempfile.mkdtemp(prefix="fsrace-test-", dir="/dev/shm"))
        return self.shm

    def subst(self, v):
        """$TMP and $SHM in the strings of an expected value, replaced."""
        if isinstance(v, str):
            v = v.replace("$TMP", self.dir)
            return v.replace("$SHM", self.shm) if self.shm else v
        if isinstance(v, list):
            return [self.subst(x) for x in v]
        if isinstance(v, dict):
            return {k: self.subst(x) for k, x in v.items()}
        return v

    def unsubst(self, s):
        """The other way, for messages."""
        if not isinstance(s, str):
            return s
        if self.shm:
            s = s.replace(self.shm, "$SHM")
        return s.replace(self.dir, "$TMP")

    def touches(self, finding, roots=None):
        roots = roots or [self.dir]
        return any(harness.under(ev.get(k), r)
                   for ev in finding.get("evidence", ())
                   for k in PATH_KEYS for r in roots)


def need_leases():
    try:
        with open("/proc/sys/fs/leases-enable") as f:
            on = f.read().strip() == "1"
    except OSError:
        on = False
    if not on:
        raise Skip("file leases are off (/proc/sys/fs/leases-enable): "
                   "the opened-deleted-file fixtures need F_SETLEASE to "
                   "order the open and the unlink")


def need_python():
    if not os.access(PYTHON, os.X_OK):
        raise Skip(f"no {PYTHON}: the seed fixtures are Python programs")


# --- running fsrace -------------------------------------------------------

def fsrace_run(ctx, work, argv, stdin=None):
    """fsrace run --format json -o FILE -- ARGV in WORK; returns
    (CompletedProcess, document)."""
    out = os.path.join(ctx.tmp, "findings.json")
    if os.path.exists(out):
        os.unlink(out)
    proc = ctx.run(["run", "--format", "json", "-o", out, "--", *argv],
                   cwd=work.dir, stdin=stdin)
    assert os.path.exists(out), (
        f"fsrace run wrote no findings document (exit "
        f"{proc.returncode})\nstderr: {proc.stderr}")
    return proc, harness.read_findings(out)


def gate_status(findings):
    """The exit status docs/findings.md gives for these findings of a
    program that exited 0."""
    return 1 if any(RANK.get(f.get("severity"), 0) >= RANK[GATE]
                    for f in findings) else 0


def check_document(doc, proc, work, input_, what="fsrace run"):
    """What every findings document must satisfy, whatever the fixture."""
    harness.check_findings_schema(doc, f"the document of {what}")
    assert doc["input"] == input_, \
        f"input: expected {input_}, got {doc['input']}"
    ids = [r["id"] for r in doc["rules"]]
    missing = [r for r in CORE_RULES if r not in ids]
    assert not missing, f"core rules not enabled by default: {missing}"
    assert len(ids) == len(set(ids)), f"a rule listed twice: {ids}"
    counts = {s: 0 for s in RANK}
    for f in doc["findings"]:
        counts[f["severity"]] += 1
        assert f["rule"] in ids, f"finding of a rule not listed: {f['rule']}"
        check_window(f, work)
        check_confirmed(f, work)
    assert doc["counts"] == counts, \
        f"counts {doc['counts']} do not count the findings: {counts}"
    want = gate_status(doc["findings"])
    assert proc.returncode == want, (
        f"{what} exited {proc.returncode}, expected {want} for these "
        f"findings (gate {GATE}):\n{listing(doc['findings'], work)}\n"
        f"stderr: {proc.stderr}")


def check_window(f, work):
    """window_us is the µs from the exit of the first evidence event to
    the entry of the last (docs/findings.md)."""
    ev = f["evidence"]
    if len(ev) < 2 or ev[-1]["ts_enter"] < ev[0]["ts_exit"]:
        return
    want = (ev[-1]["ts_enter"] - ev[0]["ts_exit"]) / 1000
    assert abs(f["window_us"] - want) <= 1, (
        f"{f['rule']}: window_us {f['window_us']}, but the evidence "
        f"says {want:.1f} µs: {show(f, work)}")


def check_confirmed(f, work):
    """When the first and the last evidence event name one path and both
    carry the identity of the object, confirmed says whether the
    identities differ (docs/findings.md)."""
    a, b = f["evidence"][0], f["evidence"][-1]
    if a is b or a.get("abspath") != b.get("abspath"):
        return
    if "stat" not in a or "stat" not in b:
        return
    differ = (a["stat"]["dev"], a["stat"]["ino"]) != \
        (b["stat"]["dev"], b["stat"]["ino"])
    assert f["confirmed"] == differ, (
        f"{f['rule']}: confirmed is {f['confirmed']} but the identities "
        f"of the pair {'differ' if differ else 'are equal'}: "
        f"{show(f, work)}")


# --- comparing findings ---------------------------------------------------

def show(f, work):
    """A finding in one line, paths relative to $TMP and $SHM."""
    evs = []
    for e in f.get("evidence", ()):
        path = e.get("abspath", e.get("fd_path", ""))
        s = f"{e.get('syscall')}({work.unsubst(path)}"
        if "abspath2" in e:
            s += f" -> {work.unsubst(e['abspath2'])}"
        s += ")"
        if "errno" in e:
            s += f" {e['errno']}"
        if "pid" in e:
            s += f" pid {e['pid']}"
        elif "proc" in e:
            s += f" [{e['proc']}]"
        evs.append(s)
    return (f"{f.get('rule')} {f.get('severity')} "
            f"{'confirmed' if f.get('confirmed') else 'potential'}: "
            + ", ".join(evs))


def listing(findings, work):
    return "\n".join("  " + show(f, work) for f in findings) or "  (none)"


def mismatch(exp, got):
    """None when the finding GOT is what EXP describes, else why not.
    Only the keys EXP names are compared."""
    for k, v in exp.items():
        if k != "evidence" and got.get(k) != v:
            return f"{k}: expected {v!r}, got {got.get(k)!r}"
    ee, ge = exp.get("evidence", []), got.get("evidence", [])
    if len(ee) != len(ge):
        return f"{len(ge)} evidence events, expected {len(ee)}"
    pids = {}
    for i, (e, g) in enumerate(zip(ee, ge)):
        for k, v in e.items():
            if k == "proc":
                if pids.setdefault(v, g.get("pid")) != g.get("pid"):
                    return (f"evidence #{i}: process '{v}' is pid "
                            f"{pids[v]} and {g.get('pid')}")
            elif g.get(k) != v:
                return (f"evidence #{i} {k}: expected {v!r}, "
                        f"got {g.get(k)!r}")
    if len(set(pids.values())) != len(pids):
        return f"evidence: different processes share a pid: {pids}"
    return None


def match_all(expected, got):
    """A one-to-one matching of EXPECTED onto GOT (any order). Returns
    (unmatched expected, unmatched got)."""
    owner = {}                      # index in got -> index in expected

    def place(i, seen):
        for j, g in enumerate(got):
            if j in seen or mismatch(expected[i], g):
                continue
            seen.add(j)
            if j not in owner or place(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(expected)):
        place(i, set())
    placed = set(owner.values())
    return ([e for i, e in enumerate(expected) if i not in placed],
            [g for j, g in enumerate(got) if j not in owner])


def assert_findings(got, expected, work, what):
    lost, extra = match_all(expected, got)
    if not lost and not extra:
        return
    lines = [f"{what}: the findings in $TMP differ from the expected file"]
    for e in lost:
        near = [mismatch(e, g) for g in got if g.get("rule") == e["rule"]]
        why = f" (closest: {near[0]})" if near else ""
        lines.append(f"  missing: {show(e, work)}{why}")
    for g in extra:
        lines.append(f"  unexpected: {show(g, work)}")
    lines.append(f"all findings of the run:\n{listing(got, work)}")
    raise AssertionError("\n".join(lines))


def load_expected(path, work):
    with open(path, encoding="utf-8") as f:
        return work.subst(json.load(f))


def check_findings(doc, work, expected_file, rule=None, outside="none"):
    """The findings touching WORK are those of EXPECTED_FILE. RULE: the
    rule of a good twin, which must give nothing in WORK. OUTSIDE:
    "none" when the program touches nothing else (C fixtures), "notes"
    when findings elsewhere must be notes (the Python interpreter's own
    files under /usr)."""
    expected = load_expected(expected_file, work)
    name = os.path.relpath(expected_file, RULES_DIR)
    here = [f for f in doc["findings"] if work.touches(f)]
    if rule is not None:
        own = [f for f in here if f["rule"] == rule]
        assert not own, (f"the good twin gives {rule}:\n"
                         f"{listing(own, work)}")
    assert_findings(here, expected, work, name)
    roots = [work.dir] + ([work.shm] if work.shm else [])
    elsewhere = [f for f in doc["findings"] if not work.touches(f, roots)]
    if outside == "notes":
        elsewhere = [f for f in elsewhere if f["severity"] != "note"]
    assert not elsewhere, (
        f"{name}: findings outside the fixture's files:\n"
        f"{listing(elsewhere, work)}")
    return here


# --- the C fixtures -------------------------------------------------------

def data_file(w):
    w.write("data", "some data\n")
    return []


def nothing(w):
    return []


def status_pair(w):
    w.write("status", "state 1\n")
    w.write("status.tmp", "state 2\n")
    return []


def status_tmp(w):
    w.write("status.tmp", "state 1\n")
    return []


def shm_source(w):
    w.need_shm()
    harness.write_file(os.path.join(w.shm, "src"), "payload\n", 0o644)
    return [os.path.join(w.shm, "src"), "dst"]


def old_file(w):
    w.write("a", "rotated\n")
    return []


def shared_dir(w):
    os.mkdir(w.path("shared"))
    os.chmod(w.path("shared"), 0o1777)
    return ["shared"]


def lease_data(w):
    need_leases()
    w.write("data", "some data\n")
    w.write("data.lock", "")
    return []


# What each fixture needs in its directory; returns the program's args.
SETUP = {
    "check-then-use": data_file,
    "access-then-open": data_file,
    "lstat-then-follow": data_file,
    "check-absent-then-create": nothing,
    "path-after-open": data_file,
    "create-then-metadata-by-name": nothing,
    "unlink-then-rename": status_pair,
    "exdev-copy-fallback": shm_source,
    "path-reuse-after-rename": old_file,
    "rename-without-fsync": nothing,
    "missing-dir-fsync": status_tmp,
    "create-in-shared-dir": shared_dir,
    "interleaved-mutation": data_file,
    "opened-deleted-file": lease_data,
}


def after_exdev(w, here):
    assert not os.path.exists(os.path.join(w.shm, "src")), \
        "the fixture left its source behind"
    with open(w.path("dst")) as f:
        assert f.read() == "payload\n", "the fixture did not copy"


def after_opened_deleted(w, here):
    # the tracer saw what the fixture checked itself: nlink 0 at the open
    for f in here:
        if f["rule"] == "opened-deleted-file":
            opens = [e for e in f["evidence"]
                     if e["syscall"] == "openat" and "stat" in e]
            assert opens and all(e["stat"]["nlink"] == 0 for e in opens), \
                f"opened-deleted-file without an open of nlink 0: " \
                f"{f['evidence']}"


AFTER = {
    ("exdev-copy-fallback", "bad"): after_exdev,
    ("exdev-copy-fallback", "good"): after_exdev,
    ("opened-deleted-file", "bad"): after_opened_deleted,
}


def run_rule_fixture(ctx, rule, twin):
    with Work(ctx) as w:
        args = SETUP[rule](w)
        prog = ctx.fixture(f"rule-{rule}-{twin}")
        argv = [prog, *args]
        proc, doc = fsrace_run(ctx, w, argv)
        check_document(doc, proc, w, {"kind": "run", "argv": argv,
                                      "status": 0})
        here = check_findings(
            doc, w, os.path.join(RULES_DIR, rule, f"{twin}.expected.json"),
            rule=rule if twin == "good" else None)
        if (rule, twin) in AFTER:
            AFTER[(rule, twin)](w, here)


def _rule_test(rule, twin):
    def test(ctx):
        run_rule_fixture(ctx, rule, twin)
    test.__name__ = f"test_{rule.replace('-', '_')}_{twin}"
    test.__doc__ = f"fixtures/rules/{rule}/{twin}.c"
    return test


for _rule in CORE_RULES:
    for _twin in ("bad", "good"):
        _t = _rule_test(_rule, _twin)
        globals()[_t.__name__] = _t
del _rule, _twin, _t


def test_fixture_folders_complete(ctx):
    """Every core rule has its bad program, its good twin, and the
    findings expected of both, and every expected file parses."""
    problems = []
    for rule in CORE_RULES:
        for f in ("bad.c", "good.c", "bad.expected.json",
                  "good.expected.json"):
            p = os.path.join(RULES_DIR, rule, f)
            if not os.path.isfile(p):
                problems.append(f"missing {os.path.relpath(p, RULES_DIR)}")
            elif f.endswith(".json"):
                with open(p) as fp:
                    exp = json.load(fp)
                if f.startswith("bad") and not any(
                        e.get("rule") == rule for e in exp):
                    problems.append(f"{rule}/bad.expected.json does not "
                                    f"expect {rule}")
        for twin in ("bad", "good"):
            ctx.fixture(f"rule-{rule}-{twin}")
    assert not problems, "\n".join(problems)


# --- a race really lost ---------------------------------------------------

def old_and_new(w):
    w.write("data", "old\n")
    w.write("data.new", "new\n")
    return []


def check_swapped(here, rule, old, new):
    """The confirmed finding of RULE carries, at its first and last
    evidence events, the identities of the files the test made."""
    found = [f for f in here if f["rule"] == rule and f["confirmed"]]
    assert found, f"no confirmed {rule} finding"
    for f in found:
        first, last = f["evidence"][0], f["evidence"][-1]
        for ev, st, which in ((first, old, "old"), (last, new, "new")):
            ids = ev.get("stat", {})
            got = (ids.get("dev"), ids.get("ino"))
            assert got == (st.st_dev, st.st_ino), (
                f"{rule}: the {ev.get('step')} event's identity {got} is "
                f"not the {which} file's {(st.st_dev, st.st_ino)}")


def test_race_lost(ctx):
    """The helper (a traced child) swaps "data" between the stat and the
    open: the interleaving is in the trace, and the finding is confirmed
    (interleaved-mutation, which supersedes check-then-use)."""
    with Work(ctx) as w:
        old_and_new(w)
        old, new = os.stat(w.path("data")), os.stat(w.path("data.new"))
        argv = [ctx.fixture("rule-race-lost")]
        proc, doc = fsrace_run(ctx, w, argv)
        check_document(doc, proc, w, {"kind": "run", "argv": argv,
                                      "status": 0})
        here = check_findings(doc, w, os.path.join(
            RULES_DIR, "race-lost", "race_lost.expected.json"))
        check_swapped(here, "interleaved-mutation", old, new)


def test_race_lost_external(ctx):
    """The test itself, untraced like an attacker, swaps "data" between
    the program's stat and its open: only the identities fsrace recorded
    show it, and the check-then-use finding is confirmed."""
    with Work(ctx) as w:
        old_and_new(w)
        old, new = os.stat(w.path("data")), os.stat(w.path("data.new"))
        out = os.path.join(ctx.tmp, "findings.json")
        argv = [ctx.fixture("rule-race-lost"), "--external"]
        p = subprocess.Popen([ctx.fsrace, "run", "--format", "json", "-o",
                              out, "--", *argv], cwd=w.dir,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        try:
            ready, _, _ = select.select([p.stdout], [], [], 60)
            line = p.stdout.readline() if ready else b""
            assert line == b"checked\n", \
                f"the program did not say it checked: {line!r}"
            os.rename(w.path("data.new"), w.path("data"))
            stdout, stderr = p.communicate(b"x", timeout=60)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        proc = subprocess.CompletedProcess(p.args, p.returncode, stdout,
                                           stderr.decode(errors="replace"))
        assert os.path.exists(out), (
            f"fsrace run wrote no findings document (exit "
            f"{proc.returncode})\nstderr: {proc.stderr}")
        doc = harness.read_findings(out)
        check_document(doc, proc, w, {"kind": "run", "argv": argv,
                                      "status": 0})
        here = check_findings(doc, w, os.path.join(
            RULES_DIR, "race-lost", "race_lost_external.expected.json"))
        check_swapped(here, "check-then-use", old, new)


# --- the seeds, in Python -------------------------------------------------

def seed_status(w):
    w.write("status", "state 1\n")
    return []


def seed_data(w):
    w.write("data", "some data\n")
    return []


def seed_src(w):
    w.write("src", "some data\n")
    return []


def seed_concurrent(w):
    need_leases()
    w.write("data", "some data\n")
    w.write("log", "a line\n")
    return []


def seed_shm(w):
    w.need_shm()
    harness.write_file(os.path.join(w.shm, "src"), "payload\n", 0o644)
    return [os.path.join(w.shm, "src")]


SEEDS = {
    "status_naive": seed_status,
    "status_safe": seed_status,
    "exists_open": seed_data,
    "copyfile_naive": seed_src,
    "copy_safe": seed_src,
    "concurrent_delete": seed_concurrent,
    "shutil_move_exdev": seed_shm,
}


def run_seed(ctx, name):
    need_python()
    with Work(ctx) as w:
        args = SEEDS[name](w)
        script = os.path.join(SEEDS_DIR, name + ".py")
        # on stdin: a script named on the command line is stat'ed, then
        # opened by the interpreter itself
        argv = [PYTHON, "-I", "-", *args]
        with open(script, "rb") as stdin:
            proc, doc = fsrace_run(ctx, w, argv, stdin=stdin)
        check_document(doc, proc, w, {"kind": "run", "argv": argv,
                                      "status": 0})
        check_findings(doc, w, os.path.join(SEEDS_DIR,
                                            name + ".expected.json"),
                       outside="notes")


def _seed_test(name):
    def test(ctx):
        run_seed(ctx, name)
    test.__name__ = f"test_seed_{name}"
    test.__doc__ = f"fixtures/rules/seeds/{name}.py"
    return test


for _name in SEEDS:
    _t = _seed_test(_name)
    globals()[_t.__name__] = _t
del _name, _t


# --- fsrace analyze -------------------------------------------------------

def stable(f):
    """What of a finding must not change between two runs of one
    deterministic program in one directory: all but pids, seq numbers,
    times and the numbers in the message."""
    keep = {k: v for k, v in f.items() if k not in ("window_us", "evidence")}
    keep["message"] = re.sub(r"[0-9]+", "N", f.get("message", ""))
    keep["evidence"] = [
        {k: v for k, v in e.items()
         if k not in ("seq", "pid", "tid", "ts_enter", "ts_exit", "stat",
                      "ret", "fd")}
        for e in f.get("evidence", ())]
    return keep


def analyze_matches_run(ctx, name, setup, expected):
    """`fsrace analyze` of a trace that `fsrace record` made of the
    fixture NAME gives the findings `fsrace run` gives on the same program
    in the same directory: same rules, severities, fingerprints, counts,
    evidence; and those are the expected ones."""
    trace = os.path.join(ctx.tmp, "trace.jsonl")
    out = os.path.join(ctx.tmp, "analyze.json")
    with Work(ctx) as w:
        args = setup(w)
        argv = [ctx.fixture(name), *args]
        run_proc, run_doc = fsrace_run(ctx, w, argv)
        check_document(run_doc, run_proc, w,
                       {"kind": "run", "argv": argv, "status": 0})
    shutil.rmtree(w.dir)
    with Work(ctx) as w:            # the same path again, set up afresh
        setup(w)
        # with the stacks run takes by default, so that the locations
        # compare too
        stacks = ["--stacks"] if ctx.has_stacks() else []
        rec = ctx.run(["record", *stacks, "-o", trace, "--", *argv],
                      cwd=w.dir)
        assert rec.returncode == 0, \
            f"fsrace record exited {rec.returncode}: {rec.stderr}"
        proc = ctx.run(["analyze", "--format", "json", "-o", out, trace])
        assert os.path.exists(out), (
            f"fsrace analyze wrote no findings document (exit "
            f"{proc.returncode})\nstderr: {proc.stderr}")
        doc = harness.read_findings(out)
        check_document(doc, proc, w, {"kind": "trace", "files": [trace]},
                       what="fsrace analyze")
        check_findings(doc, w, os.path.join(RULES_DIR, expected))
        assert proc.returncode == run_proc.returncode, \
            f"run exited {run_proc.returncode}, analyze {proc.returncode}"
        got = [stable(f) for f in doc["findings"]]
        want = [stable(f) for f in run_doc["findings"]]
        assert got == want, (
            f"fsrace analyze and fsrace run differ:\n"
            f"run:\n{json.dumps(want, indent=1)}\n"
            f"analyze:\n{json.dumps(got, indent=1)}")
        for k in ("rules", "counts", "events", "dropped"):
            assert doc[k] == run_doc[k], \
                f"{k}: run {run_doc[k]}, analyze {doc[k]}"


def test_analyze_check_then_use(ctx):
    analyze_matches_run(ctx, "rule-check-then-use-bad", data_file,
                        os.path.join("check-then-use", "bad.expected.json"))


def test_analyze_missing_dir_fsync(ctx):
    """A rule whose last step is the process's exit: in a trace, the exit
    record."""
    analyze_matches_run(ctx, "rule-missing-dir-fsync-bad", status_tmp,
                        os.path.join("missing-dir-fsync",
                                     "bad.expected.json"))


def test_analyze_race_lost(ctx):
    """Two processes, and a confirmed finding."""
    analyze_matches_run(ctx, "rule-race-lost", old_and_new,
                        os.path.join("race-lost", "race_lost.expected.json"))


# --- one event completing many matches ------------------------------------

MANY_DIR = os.path.join(RULES_DIR, "many-matches")


def test_many_matches_of_one_event(ctx):
    """100 processes stat "data", then the parent unlinks it: the unlink
    completes a match of each of them (fixtures/rules/many-matches/
    rule.json). One finding, counted 100 times, nothing dropped; the
    first match committed is the last child's (the newest partial match
    is matched first)."""
    with Work(ctx) as w:
        data_file(w)
        argv = [ctx.fixture("rule-many-matches")]
        out = os.path.join(ctx.tmp, "findings.json")
        proc = ctx.run(["run", "-r", os.path.join(MANY_DIR, "rule.json"),
                        "--format", "json", "-o", out, "--", *argv],
                       cwd=w.dir)
        m = re.fullmatch(r"unlink ([0-9]+) last ([0-9]+)\n", proc.stdout)
        assert m, f"the fixture printed {proc.stdout!r}: {proc.stderr}"
        parent, last = int(m.group(1)), int(m.group(2))
        assert proc.returncode == 1, \
            f"fsrace run exited {proc.returncode}: {proc.stderr}"
        doc = harness.read_findings(out)
        harness.check_findings_schema(doc)
        assert doc["dropped"] == {"pending": 0, "findings": 0,
                                  "unknown_records": 0,
                                  "unparsed_lines": 0, "names": 0,
                                  "written_files": 0, "temp_names": 0,
                                  "stacks": 0, "stack_modules": 0,
                                  "frame_names": 0}, \
            doc["dropped"]
        got = [(f["rule"], f["severity"], f["count"], f["message"],
                [(e["syscall"], e["abspath"], e["pid"])
                 for e in f["evidence"]])
               for f in doc["findings"]]
        data = w.path("data")
        assert got == [(
            "stat-then-unlinked", "warning", 100,
            f"newfstatat('{data}') in pid {last}, then unlink('{data}') "
            f"in pid {parent}",
            [("newfstatat", data, last), ("unlink", data, parent)])], got
        assert doc["counts"] == {"note": 0, "warning": 1, "error": 0}


def test_rules_empty_directory(ctx):
    """An empty rules directory is a rule set of no rules: `fsrace rules`
    lists nothing and succeeds, with nothing on stderr (under UBSan, the
    sort of its empty list of names was a null-pointer report)."""
    empty = os.path.join(ctx.tmp, "empty")
    os.mkdir(empty)
    proc = ctx.run(["rules", "-r", empty, "--no-default-rules"])
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", ""), \
        (proc.returncode, proc.stdout, proc.stderr)
    # analyze with it: the shipped groups only, no rule, no finding
    trace = os.path.join(ctx.tmp, "t.jsonl")
    rec = ctx.run(["record", "-o", trace, "--", "/bin/true"])
    assert rec.returncode == 0, rec.stderr
    out = os.path.join(ctx.tmp, "f.json")
    proc = ctx.run(["analyze", "--no-default-rules", "-r", empty,
                    "--format", "json", "-o", out, trace])
    assert (proc.returncode, proc.stderr) == (0, ""), \
        (proc.returncode, proc.stderr)
    doc = harness.read_findings(out)
    assert (doc["rules"], doc["findings"]) == ([], []), doc


# --- the path policy (rules/policy.json) -----------------------------------

def run_with_policy(ctx, w, policy, extra=()):
    """fsrace run with a user policy file on the check-then-use fixture:
    (exit status, [(rule, severity, message)] of the findings in $TMP)."""
    pfile = os.path.join(ctx.tmp, "policy.json")
    with open(pfile, "w") as f:
        json.dump({"policy": policy}, f)
    out = os.path.join(ctx.tmp, "findings.json")
    proc = ctx.run(["run", "-r", pfile, *extra, "--format", "json", "-o",
                    out, "--", ctx.fixture("rule-check-then-use-bad")],
                   cwd=w.dir)
    assert proc.stderr == "", proc.stderr
    doc = harness.read_findings(out)
    return proc.returncode, [(f["rule"], f["severity"], w.unsubst(
        f["message"])) for f in doc["findings"] if w.touches(f)]


CTU_MESSAGE = ("newfstatat('$TMP/data') then openat('$TMP/data') by name "
               "in pid N, and the descriptor was never fstat'ed: the file "
               "can be replaced in between (window N µs) and nothing "
               "notices; open it first and fstat the descriptor")
# the same calls, then an fstat of the descriptor (Python's open() does)
CTU_FSTAT_MESSAGE = (
    "newfstatat('$TMP/data') then openat('$TMP/data') by name in pid N, "
    "and then fstat'ed the descriptor: the file can be replaced in between "
    "(window N µs), which only comparing the fstat with the check notices, "
    "and the trace cannot tell whether the program compares (fsrace run "
    "--confirm can)")


def ctu(findings):
    return [(r, s, re.sub(r"(pid|window) [0-9]+", r"\1 N", m))
            for r, s, m in findings]


def test_policy_user_file_changes_it(ctx):
    """A user's policy file adds to the shipped one (docs/rules.md, "Path
    policy"): an ignore glob hides the fixture's pair; a root_only glob
    makes it a note (exit 0); a glob in ignore_except brings an ignored
    path back; --no-default-filters turns the whole policy off."""
    with Work(ctx) as w:
        data_file(w)
        want = [("check-then-use", "warning", CTU_MESSAGE)]
        rc, got = run_with_policy(ctx, w, {})
        assert (rc, ctu(got)) == (1, want), (rc, got)
        rc, got = run_with_policy(ctx, w, {"ignore": [w.path("d*")]})
        assert (rc, got) == (0, []), (rc, got)
        rc, got = run_with_policy(ctx, w, {"ignore": [w.path("*")],
                                           "ignore_except": [w.path("data")]})
        assert (rc, ctu(got)) == (1, want), (rc, got)
        rc, got = run_with_policy(ctx, w, {"root_only": [w.dir + "/*"]})
        assert (rc, ctu(got)) == (
            0, [("check-then-use", "note", CTU_MESSAGE)]), (rc, got)
        rc, got = run_with_policy(ctx, w, {"root_only": [w.dir + "/*"],
                                           "ignore": [w.path("data")]},
                                  extra=["--no-default-filters"])
        assert (rc, ctu(got)) == (1, want), (rc, got)


def test_policy_shipped_ignores(ctx):
    """The shipped policy ignores /dev/* but not /dev/shm/*; with
    --no-default-filters a stat then open of /dev/null is a finding."""
    trace = os.path.join(ctx.tmp, "t.jsonl")
    ev = {"type": "syscall", "pid": 7, "tid": 7, "ret": 0,
          "ts_enter": 1000, "ts_exit": 2000}
    shm = "/dev/shm/fsrace-policy-test"
    recs = []
    for i, (sc, path) in enumerate([("newfstatat", "/dev/null"),
                                    ("openat", "/dev/null"),
                                    ("newfstatat", shm),
                                    ("openat", shm)]):
        recs.append(dict(ev, seq=i + 1, syscall=sc, path=path,
                         abspath=path, ret=3 if sc == "openat" else 0))
    header = {"type": "header", "format": "fsrace-trace", "version": 1}
    with open(trace, "w") as f:
        for r in [header] + recs:
            f.write(json.dumps(r) + "\n")
    out = os.path.join(ctx.tmp, "f.json")
    for extra, paths in (([], [shm]),
                         (["--no-default-filters"], ["/dev/null", shm])):
        proc = ctx.run(["analyze", *extra, "--format", "json", "-o", out,
                        "--fail-on", "none", trace])
        assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
        doc = harness.read_findings(out)
        got = sorted((f["rule"], f["evidence"][0]["abspath"])
                     for f in doc["findings"])
        assert got == sorted(("check-then-use", p) for p in paths), \
            (extra, got)


def test_policy_broken_file(ctx):
    """A broken policy is refused like a broken rule: FILE:LINE:COL, exit
    2, nothing runs; the shipped one too (FSRACE_RULES)."""
    marker = os.path.join(ctx.tmp, "ran")
    bad = os.path.join(ctx.tmp, "bad.json")
    cases = [
        ('{"policy": {"ignore": "/tmp/*"}}',
         '1:23: "ignore" must be an array of globs'),
        ('{"policy": {\n  "ignore": ["/a", 3]}}',
         '2:20: a glob must be a string, not an integer'),
        ('{"policy": {"root": []}}',
         '1:13: unknown key "root" in "policy"'),
        ('{"policy": ["/tmp/*"]}',
         '1:12: "policy" must be an object of arrays of globs: ignore, '
         'ignore_except, root_only, system_code'),
        ('{"policy": {"ignore": ["/a"' , '1:28: expected \',\' or \']\''),
    ]
    for text, where in cases:
        with open(bad, "w") as f:
            f.write(text)
        proc = ctx.run(["run", "-r", bad, "--", "/bin/touch", marker])
        assert (proc.returncode, proc.stdout, proc.stderr) == (
            2, "", f"fsrace: {bad}:{where}\n"), (text, proc.stderr)
        assert not os.path.exists(marker), "the program ran"
    shipped = os.path.join(ctx.tmp, "rules")
    shutil.copytree(RULES_DIR.replace(os.path.join("fixtures", "rules"),
                                      "rules"), shipped)
    with open(os.path.join(shipped, "policy.json"), "w") as f:
        f.write('{"policy": {"ignore": ["/proc/*",]}}')
    for extra in ([], ["--no-default-rules"]):
        proc = ctx.run(["run", *extra, "--", "/bin/touch", marker],
                       env=dict(os.environ, FSRACE_RULES=shipped))
        assert (proc.returncode, proc.stderr) == (
            2, f"fsrace: {shipped}/policy.json:1:34: expected a value\n"), \
            (extra, proc.stderr)
        assert not os.path.exists(marker), "the program ran"


# --- the verified pattern through a directory descriptor -------------------

DIRFD_MODES = {
    # mode: the lstat-then-follow variant reported, or None
    "pinned": None,
    "plain": "and then fstat'ed the descriptor",
    "nofstat": "and the descriptor was never fstat'ed",
    "sub": "and then fstat'ed the descriptor",
}


def dirfd_work(ctx, mode):
    work = Work(ctx, "w-" + mode)
    os.makedirs(work.path("d", "sub"))
    work.write("d/data", "x\n")
    work.write("d/sub/data", "y\n")
    return work


def dirfd_findings(doc, work, mode):
    """(rule, evidence, the variant's phrase) of each finding, and the
    path the fixture opens in MODE."""
    path = work.path("d", "sub/data" if mode == "sub" else "data")
    phrases = [v for v in DIRFD_MODES.values() if v]
    return [(f["rule"], [(e["syscall"], e["abspath"]) for e in f["evidence"]],
             next((v for v in phrases if v in f["message"]), f["message"]))
            for f in doc["findings"]], path


def test_lstat_then_open_relative_to_a_nofollow_dirfd(ctx):
    """An lstat then an open of an entry of a directory opened with
    O_NOFOLLOW, the descriptor then fstat'ed (an fts-style walk), is the
    verified pattern: no finding. The same through a directory opened
    following symlinks, without the fstat, or of a name with a '/' (whose
    directory part can be swapped) is reported."""
    fixture = ctx.fixture("rule-lstat-then-follow-dirfd")
    for mode, variant in DIRFD_MODES.items():
        work = dirfd_work(ctx, mode)
        proc, doc = fsrace_run(ctx, work, [fixture, mode])
        got, path = dirfd_findings(doc, work, mode)
        want = [] if variant is None else [
            ("lstat-then-follow", [("newfstatat", path), ("openat", path)],
             variant)]
        assert got == want, (mode, got, proc.stderr)
        assert proc.returncode == (0 if variant is None else 1), (
            mode, proc.stderr)
        # the trace says which dirfd was opened without following
        trace = os.path.join(ctx.tmp, f"{mode}.jsonl")
        p = ctx.run(["record", "-o", trace, "--", fixture, mode],
                    cwd=work.dir)
        assert p.returncode == 0, p.stderr
        _, recs = harness.read_trace(trace)
        opens = [(r["path"], r.get("dfd_nofollow"))
                 for r in recs if r.get("syscall") == "openat" and
                 r.get("path") in ("data", "sub/data")]
        assert opens == [("sub/data" if mode == "sub" else "data",
                          None if mode == "plain" else True)], opens


def test_nofollow_dirfd_from_a_strace_log(ctx):
    """The importer models the dirfd's O_NOFOLLOW as the tracer does."""
    strace = harness.which("strace")
    if not strace:
        raise Skip("no strace")
    fixture = ctx.fixture("rule-lstat-then-follow-dirfd")
    for mode in ("pinned", "plain"):
        work = dirfd_work(ctx, mode)
        log = os.path.join(ctx.tmp, f"{mode}.log")
        p = subprocess.run([strace, "-f", "-tt", "-T", "-y", "-yy", "-v",
                            "-o", log, fixture, mode], cwd=work.dir,
                           capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        out = os.path.join(ctx.tmp, f"{mode}.json")
        p = ctx.run(["analyze", "--fail-on", "none", "-o", out, log])
        assert p.returncode == 0, p.stderr
        got, path = dirfd_findings(harness.read_findings(out), work, mode)
        want = [] if mode == "pinned" else [
            ("lstat-then-follow", [("newfstatat", path), ("openat", path)],
             DIRFD_MODES[mode])]
        assert got == want, (mode, got)
