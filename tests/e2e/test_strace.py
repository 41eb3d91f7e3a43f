"""Dead traces: strace logs as input to fsrace analyze and fsrace import.

- Equivalence: every rule fixture (bad and good twins, the lost race) and
  the record fixtures that need no input are run twice in fresh directories, once under `fsrace run` and once under
  `strace -f -tt -T -y -yy -v -o LOG`; `fsrace analyze LOG` must give the
  same findings as the live run: rule ids, syscalls, resolved paths (the
  directories told apart), confirmed or potential. What a strace log
  cannot carry (docs/strace-import.md) is listed in CANNOT and taken out
  of the live side before comparing, so every other difference fails.
- The corpus: logs of real programs in fixtures/strace/*/ (made by
  fixtures/strace/make-corpus.sh) give the findings stored beside them.
- fsrace import, bad input, --strict, -ff merging.
"""
import json
import os
import re
import shutil
import subprocess

import harness
from harness import Skip
import test_rules as tr

CORPUS = os.path.join(harness.SOURCE_ROOT, "fixtures", "strace")
STRACE_OPTS = ["-f", "-tt", "-T", "-y", "-yy", "-v", "-s", "4096"]

# Findings that need what a strace log does not show, with the reason.
CANNOT = {
    "create-in-shared-dir":
        "the owner and mode of the directory (strace prints no parent)",
}
# "confirmed" compares identities, and strace shows none for the file an
# open returned: from a log every finding is potential. (opened-deleted-
# file's nlink variant needs that identity too; its overlap variant,
# which the fixtures give, needs only the -tt/-T times.)


def need_strace():
    if not shutil.which("strace"):
        raise Skip("strace is not installed (apt-get install strace)")


def key(f, dirs):
    """What must agree between a live run and a strace log: the rule,
    the evidence syscalls and paths (each run's directory as $TMP)."""
    def norm(p):
        if not p:
            return p
        for d, name in dirs:
            p = p.replace(d, name)
        return p
    return (f["rule"],
            tuple((e["syscall"], norm(e.get("abspath")),
                   norm(e.get("abspath2"))) for e in f["evidence"]))


def live_and_log(ctx, setup, prog_of):
    """Run the program live under fsrace run and under strace in two
    fresh directories; returns (live doc, log doc, dir pairs)."""
    docs, dirs = [], []
    for mode in ("live", "log"):
        with tr.Work(ctx, mode) as w:
            args = setup(w)
            argv = [prog_of(), *args]
            out = os.path.join(ctx.tmp, f"{mode}.json")
            if mode == "live":
                ctx.run(["run", "-f", "json", "-o", out, "--", *argv],
                        cwd=w.dir)
            else:
                log = os.path.join(ctx.tmp, "strace.log")
                subprocess.run(["strace", *STRACE_OPTS, "-o", log, *argv],
                               cwd=w.dir, capture_output=True, timeout=60)
                p = ctx.run(["analyze", "-f", "json", "-o", out, log])
                assert p.returncode in (0, 1), p.stderr
                assert "warning" not in p.stderr, p.stderr
            with open(out) as f:
                docs.append(json.load(f))
            dirs.append((w.dir, "$TMP"))
            if w.shm:
                dirs.append((w.shm, "$SHM"))
    return docs[0], docs[1], dirs


def compare(live, log, dirs, where):
    def mine(f):
        return any(d in (e.get(k) or "") for e in f["evidence"]
                   for k in ("abspath", "abspath2", "fd_path")
                   for d, _ in dirs)
    want = sorted(key(f, dirs) for f in live["findings"]
                  if mine(f) and f["rule"] not in CANNOT)
    got = sorted(key(f, dirs) for f in log["findings"] if mine(f))
    assert not any(f["confirmed"] for f in log["findings"]), \
        "a finding from a strace log cannot be confirmed"
    assert got == want, (f"{where}: strace log and live run differ\n"
                         f"live: {want}\nlog:  {got}")
    for f in log["findings"]:
        for e in f["evidence"]:
            if e["syscall"] not in ("exit", "end"):
                assert re.fullmatch(r".*strace\.log:\d+", e["source"]), e


def _equivalence_test(rule, twin):
    def test(ctx):
        need_strace()
        live, log, dirs = live_and_log(
            ctx, tr.SETUP[rule], lambda: ctx.fixture(f"rule-{rule}-{twin}"))
        compare(live, log, dirs, f"{rule}/{twin}")
    test.__name__ = f"test_equivalent_{rule.replace('-', '_')}_{twin}"
    return test


for _rule in tr.CORE_RULES:
    for _twin in ("bad", "good"):
        _t = _equivalence_test(_rule, _twin)
        globals()[_t.__name__] = _t
del _rule, _twin, _t


def test_equivalent_race_lost(ctx):
    need_strace()
    live, log, dirs = live_and_log(ctx, tr.old_and_new,
                                   lambda: ctx.fixture("rule-race-lost"))
    compare(live, log, dirs, "race-lost")
    # the swap by the traced helper is in the log: the interleaving is
    # found, potential there (no identity of the open), confirmed live
    assert [f["confirmed"] for f in live["findings"]
            if f["rule"] == "interleaved-mutation"] == [True]


# --- the corpus of real programs ------------------------------------------

def compact(doc):
    """A finding as the corpus stores it: rule, severity, confirmed, and
    each evidence event's syscall, paths and strace line."""
    return [{"rule": f["rule"], "severity": f["severity"],
             "confirmed": f["confirmed"],
             "evidence": [[e["syscall"], e.get("abspath"),
                           e.get("abspath2"),
                           e.get("source", "").rsplit(":", 1)[-1]]
                          for e in f["evidence"]]}
            for f in doc["findings"]]


def _corpus_test(case):
    def test(ctx):
        log = os.path.join(CORPUS, case, "trace.log")
        out = os.path.join(ctx.tmp, "f.json")
        p = ctx.run(["analyze", "-f", "json", "-o", out, log])
        with open(os.path.join(CORPUS, case, "expected.json")) as f:
            want = json.load(f)
        with open(out) as f:
            doc = json.load(f)
        harness.check_findings_schema(doc)
        assert p.returncode == (1 if any(
            tr.RANK[f["severity"]] >= tr.RANK["warning"]
            for f in want) else 0), (p.returncode, p.stderr)
        assert doc["dropped"]["unparsed_lines"] == 0, p.stderr
        got = compact(doc)
        assert got == want, json.dumps(got, indent=1)
    test.__name__ = f"test_corpus_{case.replace('-', '_')}"
    return test


for _case in sorted(os.listdir(CORPUS)):
    if os.path.isfile(os.path.join(CORPUS, _case, "trace.log")):
        _t = _corpus_test(_case)
        globals()[_t.__name__] = _t
del _case, _t


def test_corpus_shows_the_seeds_bugs(ctx):
    """What the corpus is for: mv and shutil.move across file systems
    hide a copy fallback; sed -i renames without fsync."""
    def rules(case):
        with open(os.path.join(CORPUS, case, "expected.json")) as f:
            return {f["rule"] for f in json.load(f)}
    assert "exdev-copy-fallback" in rules("mv-exdev")
    assert "exdev-copy-fallback" in rules("shutil-move-exdev")
    assert "rename-without-fsync" in rules("sed-i")


def test_corpus_findings_are_labelled(ctx):
    """Every expected finding of the strace corpus has one label, true
    or false with why (fixtures/strace/labels.json), and every label a
    finding: a finding that appears or vanishes must be labelled anew."""
    with open(os.path.join(CORPUS, "labels.json")) as f:
        labels = json.load(f)["labels"]
    cases = sorted(c for c in os.listdir(CORPUS)
                   if os.path.isfile(os.path.join(CORPUS, c, "trace.log")))
    expected = {}
    for case in cases:
        with open(os.path.join(CORPUS, case, "expected.json")) as f:
            expected[case] = want = json.load(f)
        # one label per distinct (rule, first line); two findings of one
        # call pair (copystat's utime and chmod) share theirs
        found = sorted({(w["rule"], w["evidence"][0][3]) for w in want})
        mine = labels.get(case, [])
        assert sorted((x["rule"], x["line"]) for x in mine) == found, \
            (case, found, mine)
        for x in mine:
            assert x["label"] in ("true", "false") and x["why"], x
    assert sorted(labels) == sorted(c for c in cases if labels.get(c)), \
        sorted(labels)
    # and what they add up to: at warning and above, every one true
    high = [(c, x) for c in cases for x in labels.get(c, [])
            for w in expected[c]
            if (w["rule"], w["evidence"][0][3]) == (x["rule"], x["line"])
            and w["severity"] in ("error", "warning")]
    assert high and all(x["label"] == "true" for _, x in high), high


# --- import ----------------------------------------------------------------

def test_import_then_analyze_same_findings(ctx):
    log = os.path.join(CORPUS, "mv-exdev", "trace.log")
    trace = os.path.join(ctx.tmp, "t.jsonl")
    p = ctx.run(["import", "-o", trace, log])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    header, records = harness.read_trace(trace)
    assert header["options"]["mode"] == "import"
    assert header["options"]["sources"] == [log]
    # each imported event keeps the log line it came from
    assert all(re.fullmatch(re.escape(log) + r":\d+", r["source"])
               for r in records if r["type"] == "syscall"), records[:3]
    a = os.path.join(ctx.tmp, "a.json")
    b = os.path.join(ctx.tmp, "b.json")
    ctx.run(["analyze", "-f", "json", "-o", a, log])
    ctx.run(["analyze", "-f", "json", "-o", b, trace])
    with open(a) as fa, open(b) as fb:
        da, db = json.load(fa), json.load(fb)
    strip = lambda d: [(f["rule"], f["fingerprint"], f["confirmed"])  # noqa
                       for f in d["findings"]]
    assert strip(da) == strip(db) and strip(da)
    p = ctx.run(["dump", trace])
    assert p.returncode == 0 and "renameat2(" in p.stdout


def test_import_bad_input(ctx):
    trace = os.path.join(ctx.tmp, "t.jsonl")
    garbage = os.path.join(ctx.tmp, "garbage.log")
    with open(garbage, "wb") as f:
        f.write(os.urandom(4096))
    p = ctx.run(["import", "-o", trace, garbage])
    assert p.returncode == 2
    assert p.stderr.startswith(f"fsrace: {garbage}: "), p.stderr
    assert not os.path.exists(trace)
    assert os.listdir(ctx.tmp) == ["garbage.log"]
    p = ctx.run(["import", garbage])
    assert p.returncode == 2 and "-o TRACE" in p.stderr


def test_unparsable_line_warns_or_fails_strict(ctx):
    log = os.path.join(ctx.tmp, "x.log")
    with open(os.path.join(CORPUS, "sed-i", "trace.log")) as f:
        lines = f.read().splitlines(keepends=True)
    lines.insert(3, "this is not strace output at all\n")
    with open(log, "w") as f:
        f.writelines(lines)
    out = os.path.join(ctx.tmp, "f.json")
    p = ctx.run(["analyze", "-f", "json", "-o", out, log])
    assert p.returncode == 1, p.stderr
    assert p.stderr == (f"fsrace: warning: {log}:4: cannot parse: this is "
                        "not strace output at all\n"), p.stderr
    with open(out) as f:
        assert json.load(f)["dropped"]["unparsed_lines"] == 1
    p = ctx.run(["analyze", "--strict", "-f", "json", "-o", out, log])
    assert p.returncode == 2
    assert p.stderr == (f"fsrace: {log}:4: cannot parse: this is not "
                        "strace output at all\n"), p.stderr


def test_mixed_inputs_refused(ctx):
    log = os.path.join(CORPUS, "sed-i", "trace.log")
    trace = os.path.join(ctx.tmp, "t.jsonl")
    ctx.run(["import", "-o", trace, log])
    p = ctx.run(["analyze", trace, log])
    assert p.returncode == 2 and "separate runs" in p.stderr, p.stderr
    p = ctx.run(["analyze", "--input-format", "strace", "-o",
                 os.path.join(ctx.tmp, "f.json"), log])
    assert p.returncode == 1, p.stderr
    p = ctx.run(["analyze", "--input-format", "xml", log])
    assert (p.returncode, p.stderr) == (
        2, "fsrace: --input-format takes auto, native or strace, not "
           "'xml'\n")


def test_ff_logs_merged(ctx):
    """strace -ff -o PREFIX writes one file per process; given together
    they are merged by time and give the findings of one log."""
    need_strace()
    with tr.Work(ctx) as w:
        w.write("data", "x\n")
        prefix = os.path.join(ctx.tmp, "ff")
        subprocess.run(["strace", "-ff", "-tt", "-T", "-y", "-v", "-o",
                        prefix, ctx.fixture("rule-interleaved-mutation-bad")],
                       cwd=w.dir, capture_output=True, timeout=60)
        files = sorted(os.path.join(ctx.tmp, n) for n in os.listdir(ctx.tmp)
                       if n.startswith("ff."))
        assert len(files) >= 2, files
        out = os.path.join(ctx.tmp, "f.json")
        p = ctx.run(["analyze", "-f", "json", "-o", out, *files])
        assert p.returncode == 1, p.stderr
        with open(out) as f:
            rules = [f["rule"] for f in json.load(f)["findings"]
                     if any(w.dir in (e.get("abspath") or "")
                            for e in f["evidence"])]
        assert "interleaved-mutation" in rules, rules


# --- the record fixtures too ---------------------------------------------

def _files(**files):
    def setup(w):
        for name, data in files.items():
            os.makedirs(os.path.dirname(w.path(name)), exist_ok=True)
            w.write(name, data)
        return []
    return setup


RECORD_FIXTURES = {
    # name: (setup, args)
    "stat_open": (_files(**{"data.txt": "x\n"}), ["data.txt", "missing"]),
    "chdir_rel": (_files(**{"a/sub/f1": "1\n", "a/f2": "2\n"}), ["a"]),
    "openat_dirfd": (lambda w: os.mkdir(w.path("od")) or [], ["od"]),
    "dup_use": (_files(f="f\n"), ["f"]),
    "mutations": (lambda w: [], ["m"]),
    "fdops": (lambda w: [], ["A", "B"]),
    "killed": (_files(data="x\n"), ["exit3", "data"]),
}


def _record_equivalence(name):
    def test(ctx):
        need_strace()
        setup, args = RECORD_FIXTURES[name]
        live, log, dirs = live_and_log(
            ctx, lambda w: setup(w) + args, lambda: ctx.fixture(name))
        compare(live, log, dirs, name)
    test.__name__ = f"test_equivalent_record_{name}"
    return test


for _name in RECORD_FIXTURES:
    _t = _record_equivalence(_name)
    globals()[_t.__name__] = _t
del _name, _t
