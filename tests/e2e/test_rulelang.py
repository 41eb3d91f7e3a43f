"""The rule language of docs/rules.md, one operator or field at a time.

tests/rulelang/CASE/ holds one case, jansson-style:

- rules.json: a rule file that uses only the operator or field under test
  (README says which);
- VARIANT.jsonl: a hand-written native trace (docs/trace-format.md), or
  VARIANT.py: a tiny Python program recorded for real with
  `fsrace record` in a scratch directory ($TMP), for fields that only the
  tracer's decoding can give (the file type of a FIFO);
- VARIANT.expected.json: what `fsrace analyze --no-default-rules -r
  rules.json -f json` must give on it: the exit code, and the findings in
  order, each with its rule, severity, exact message, count and evidence
  written as "STEP #SEQ SYSCALL(PATH[ -> PATH2])" (the text format's
  evidence line); "confirmed", "window_us" and "fix" are compared when
  given. A load error gives "stderr" in place of "findings". In a
  recorded case "#?" stands for the seq of the one record of the trace
  with that syscall and path. "xfail": REASON marks a documented
  behaviour fsrace does not have yet: the case is reported as skipped
  while it fails, and fails once it passes;
- VARIANT.args: extra options, one per line (optional).

Every case has a positive variant ("pos", where the condition holds for
some events and not for others, so that the findings name which) and a
negative one ("neg", where it must not hold: no finding, or a different
exact finding). Each variant is a test of its own: test_CASE__VARIANT.
"""
import json
import os

import harness
from harness import Skip

CASES = os.path.join(harness.SOURCE_ROOT, "tests", "rulelang")
PYTHON = "/usr/bin/python3"
SKIP_EXIT = 77  # a recorded program that cannot set up its files


def evidence_line(ev):
    """The evidence as the expected files write it."""
    p = ev.get("abspath") or ev.get("fd_path") or ""
    if ev.get("abspath2"):
        p += " -> " + ev["abspath2"]
    return f"{ev.get('step')} #{ev['seq']} {ev['syscall']}({p})"


def order(f):
    """Findings in the order of their last evidence, then rule id: the
    order among the findings that one event completes is not documented."""
    seq = f["evidence"][-1].split(" ")[1][1:]
    return (int(seq) if seq.isdigit() else 0, f["rule"], f["message"])


def normalize(doc, keys):
    out = []
    for f in doc["findings"]:
        n = {k: f[k] for k in ("rule", "severity", "message", "count")}
        n["evidence"] = [evidence_line(e) for e in f["evidence"]]
        for k in keys:
            if k in f:
                n[k] = f[k]
        out.append(n)
    return sorted(out, key=order)


def resolve_seqs(want, trace, tmp):
    """Replace $TMP, and "#?" by the seq of the one record of TRACE with
    that syscall and path."""
    _, records = harness.read_trace(trace)

    def seq_of(line):
        step, rest = line.split(" #?", 1)
        syscall, path = rest.strip().split("(", 1)
        path = path[:-1].split(" -> ")[0]
        hits = [r["seq"] for r in harness.syscalls(records)
                if r["syscall"] == syscall and
                (r.get("abspath") or r.get("fd_path")) == path]
        assert len(hits) == 1, \
            f"{len(hits)} records of {syscall}({path}) in the trace"
        return line.replace(" #?", f" #{hits[0]}", 1)

    text = json.dumps(want).replace("$TMP", tmp)
    want = json.loads(text)
    for f in want.get("findings", ()):
        f["evidence"] = [seq_of(e) if " #?" in e else e
                         for e in f["evidence"]]
    return want


def record(ctx, script, work):
    """Run the Python program SCRIPT under fsrace record in WORK."""
    with open(script, encoding="utf-8") as f:
        code = f.read()
    trace = os.path.join(ctx.tmp, "trace.jsonl")
    proc = ctx.run(["record", "-o", trace, "--", PYTHON, "-I", "-c", code],
                   cwd=work)
    if proc.returncode == SKIP_EXIT:
        raise Skip(f"{os.path.basename(script)} cannot run here: "
                   f"{proc.stderr.strip()}")
    assert proc.returncode == 0, \
        f"fsrace record exit {proc.returncode}: {proc.stderr}"
    return trace


def check(ctx, case, variant):
    d = os.path.join(CASES, case)
    with open(os.path.join(d, variant + ".expected.json"),
              encoding="utf-8") as f:
        want = json.load(f)
    xfail = want.pop("xfail", None)
    # the rule file is copied, so that load errors name "rules.json"
    with open(os.path.join(d, "rules.json"), encoding="utf-8") as f:
        harness.write_file(os.path.join(ctx.tmp, "rules.json"), f.read())
    work = os.path.join(ctx.tmp, "w")
    os.mkdir(work)
    if os.path.exists(os.path.join(d, variant + ".py")):
        trace = record(ctx, os.path.join(d, variant + ".py"), work)
        want = resolve_seqs(want, trace, work)
    else:
        trace = os.path.join(d, variant + ".jsonl")
    args = []
    if os.path.exists(os.path.join(d, variant + ".args")):
        with open(os.path.join(d, variant + ".args")) as f:
            args = f.read().split("\n")[:-1]
    out = os.path.join(ctx.tmp, "findings.json")
    proc = ctx.run(["analyze", "--no-default-rules", "-r", "rules.json",
                    "-f", "json", "-o", out, *args, trace])
    got = {"exit": proc.returncode}
    if "stderr" in want:
        got["stderr"] = proc.stderr
        assert not os.path.exists(out), "a findings file after a load error"
    else:
        assert proc.returncode in (0, 1), \
            f"exit {proc.returncode}: {proc.stderr}"
        keys = {k for f in want["findings"] for k in f} - \
            {"rule", "severity", "message", "count", "evidence"}
        got["findings"] = normalize(harness.read_findings(out), keys)
    try:
        if "findings" in want:
            want["findings"].sort(key=order)
        assert got == want, ("findings differ\nexpected:\n" +
                             json.dumps(want, indent=1) + "\ngot:\n" +
                             json.dumps(got, indent=1))
    except AssertionError:
        if xfail:
            raise Skip(f"expected failure: {xfail}")
        raise
    if xfail:
        raise AssertionError(f"passes, but is marked xfail ({xfail}): "
                             "drop the mark")


def _variants(case):
    return sorted(fn[:-len(".expected.json")]
                  for fn in os.listdir(os.path.join(CASES, case))
                  if fn.endswith(".expected.json"))


def _make(case, variant):
    def test(ctx):
        check(ctx, case, variant)
    test.__doc__ = f"tests/rulelang/{case}/{variant}"
    return test


for _case in sorted(os.listdir(CASES)):
    if not os.path.isfile(os.path.join(CASES, _case, "rules.json")):
        continue
    for _v in _variants(_case):
        _name = "test_" + (_case + "__" + _v).replace("-", "_")
        assert _name not in globals(), f"two cases named {_name}"
        globals()[_name] = _make(_case, _v)
