"""SARIF 2.1.0 (`--format sarif`, issue 10): the document of a live run
with stacks (located at the fixture's source lines, relative to
%SRCROOT%), of an imported strace log (at the log's lines), of a run
without stacks (at the traced program), its rules and invocation; and
every one of them validated by Microsoft's SARIF multitool, its own
rules and GitHub code scanning's (tools/sarif-multitool.sh installs it;
without it those tests skip, saying so).

What a location must say comes from the fixture's marked lines and the
log strace wrote, never from fsrace's own output."""
import json
import os
import re
import shutil
import subprocess

import harness
from test_stacks import CLONE, SRC, files, marked, need_stacks

ROOT = harness.SOURCE_ROOT


def multitool():
    p = subprocess.run([os.path.join(ROOT, "tools", "sarif-multitool.sh"),
                        "--print"], capture_output=True, text=True)
    if p.returncode != 0:
        raise harness.Skip("no SARIF multitool: tools/sarif-multitool.sh "
                           "installs it (npm)")
    return p.stdout.strip()


def validate(ctx, path):
    """The multitool's verdicts on PATH (its rules and GitHub's): the
    results of level error, as "RULE: message"."""
    out = os.path.join(ctx.tmp, "verdicts.sarif")
    p = subprocess.run([multitool(), "validate", path, "--output", out,
                        "--log", "ForceOverwrite", "--rule-kind", "Gh;Sarif"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
    with open(out) as f:
        doc = json.load(f)
    return [f"{r['ruleId']}: {r['message'].get('text', '')}"
            for run in doc["runs"] for r in run.get("results", [])
            if r.get("level", "warning") == "error"]


def sarif_of(ctx, args, cwd=None, status=1):
    out = os.path.join(ctx.tmp, "f.sarif")
    p = ctx.run([args[0], "-o", out, *args[1:]], cwd=cwd or ctx.tmp)
    assert p.returncode == status, (p.returncode, p.stderr)
    with open(out) as f:
        return out, json.load(f)


def phys(loc):
    pl = loc["physicalLocation"]
    return (pl["artifactLocation"]["uri"],
            pl["artifactLocation"].get("uriBaseId"),
            pl.get("region", {}).get("startLine"))


def test_sarif_live_with_stacks(ctx):
    # run from the source tree: the fixture's source is under %SRCROOT%
    need_stacks(ctx)
    prog = ctx.fixture("stack_twofn_O0")
    cfg, = files(ctx, "cfg")
    js = os.path.join(ctx.tmp, "f.json")
    path, doc = sarif_of(ctx, ["run", "--stacks", "-o", f"json:{js}", "--",
                               prog, cfg], cwd=ROOT)
    with open(js) as f:
        finding, = json.load(f)["findings"]
    assert (doc["version"], doc["$schema"]) == (
        "2.1.0", "https://json.schemastore.org/sarif-2.1.0.json")
    run, = doc["runs"]
    assert run["originalUriBaseIds"] == {
        "SRCROOT": {"uri": "file://" + ROOT + "/"}}
    rel = os.path.relpath(SRC, ROOT)
    res, = run["results"]
    assert (res["ruleId"], res["level"]) == ("check-then-use", "warning")
    rules = run["tool"]["driver"]["rules"]
    assert rules[res["ruleIndex"]]["id"] == "check-then-use"
    loc, = res["locations"]
    assert phys(loc) == (rel, "SRCROOT", marked("USE")), loc
    fn = loc["logicalLocations"][0]
    assert re.fullmatch("use_config" + CLONE, fn["fullyQualifiedName"]) \
        and fn["kind"] == "function", fn
    assert res["message"]["text"].startswith(
        f"newfstatat('{cfg}') then openat('{cfg}') by name in pid "), res
    # every evidence event where its code is, in order, one thread flow
    check, use = res["relatedLocations"]
    assert (check["id"], phys(check)) == (1, (rel, "SRCROOT",
                                              marked("CHECK")))
    assert (use["id"], phys(use)) == (2, (rel, "SRCROOT", marked("USE")))
    assert check["message"]["text"].startswith(
        f"check: newfstatat({cfg}) = 0 in pid "), check
    assert use["message"]["text"].startswith(
        f"use: openat({cfg}) = 3 in pid "), use
    flow, = res["codeFlows"][0]["threadFlows"]
    assert [(phys(x["location"]), x["executionOrder"])
            for x in flow["locations"]] == [
        ((rel, "SRCROOT", marked("CHECK")), 1),
        ((rel, "SRCROOT", marked("USE")), 2)], flow
    pid = re.search(r"in pid (\d+)", check["message"]["text"]).group(1)
    assert flow["id"] == f"pid {pid}"
    # code scanning tracks the alert by the finding's fingerprint, the
    # one baselines hold
    assert res["partialFingerprints"] == {
        "fsraceFinding/v1": finding["fingerprint"]}, res
    assert res["properties"]["count"] == 1
    assert res["properties"]["paths"] == [cfg]
    assert validate(ctx, path) == []


def test_sarif_run_without_stacks_and_its_invocation(ctx):
    # no stacks: located at the traced program; fsrace's exit status and
    # the program's own in the invocation
    prog = ctx.fixture("stack_twofn_O0")
    cfg, = files(ctx, "cfg")
    path, doc = sarif_of(ctx, ["run", "--no-stacks", "-f", "sarif", "--",
                               prog, cfg])
    run, = doc["runs"]
    res, = run["results"]
    assert phys(res["locations"][0]) == ("file://" + prog, None, None), \
        res["locations"]
    # the evidence: the file it is about, under %SRCROOT% (the cwd)
    assert [phys(x) for x in res["relatedLocations"]] == [
        ("cfg", "SRCROOT", None), ("cfg", "SRCROOT", None)]
    inv, = run["invocations"]
    assert inv["arguments"] == ["run", "-o", path, "--no-stacks", "-f",
                                "sarif", "--", prog, cfg]
    assert inv["commandLine"] == f"fsrace run -o {path} --no-stacks -f " \
        f"sarif -- {prog} {cfg}"
    assert (inv["executionSuccessful"], inv["exitCode"],
            inv["properties"]["programExitStatus"]) == (True, 1, 0)
    assert inv["workingDirectory"] == {"uri": "file://" + ctx.tmp}
    assert validate(ctx, path) == []


def test_sarif_rules(ctx):
    # every enabled rule once, as the shipped rules describe it; races
    # are security, with a security-severity; durability is reliability
    path, doc = sarif_of(ctx, ["run", "--enable", "rename-exdev", "--",
                               "/bin/true"], status=0)
    run, = doc["runs"]
    assert run["results"] == []
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    p = ctx.run(["rules", "list"])
    listed = [line.split()[0] for line in p.stdout.splitlines()
              if line and not line.startswith(" ")]
    assert sorted(rules) == sorted(
        i for i in listed if i not in ("world-writable-create",
                                       "tmp-create-no-excl",
                                       "write-outside-roots",
                                       "exec-self-written")), \
        (sorted(rules), listed)
    c = rules["check-then-use"]
    assert (c["name"], c["shortDescription"]["text"],
            c["defaultConfiguration"]["level"]) == (
        "CheckThenUse", "A file checked by name, then used by name",
        "warning")
    assert c["properties"]["tags"] == ["security", "toctou"]
    assert c["properties"]["security-severity"] == "5.0"
    # a shipped rule's row of docs/rules.md (its anchor is there)
    assert c["helpUri"].endswith("/rules.md#check-then-use"), c
    with open(os.path.join(ROOT, "docs", "rules.md")) as f:
        table = f.read()
    assert all(f'<a id="{i}"></a>' in table for i in rules), rules
    assert "**Fix:** open first, then fstat" in c["help"]["markdown"]
    d = rules["rename-without-fsync"]
    assert d["properties"]["tags"] == ["reliability", "durability"]
    assert "security-severity" not in d["properties"]
    assert rules["rename-exdev"]["defaultConfiguration"]["level"] == \
        "warning"
    assert validate(ctx, path) == []


def test_sarif_of_an_imported_strace_log(ctx):
    # a log holds no stacks here: each location is the log's line
    log = os.path.join(ROOT, "fixtures", "strace", "sed-i", "trace.log")
    copy = os.path.join(ctx.tmp, "trace.log")
    shutil.copy(log, copy)
    path, doc = sarif_of(ctx, ["analyze", copy])  # -o x.sarif: SARIF
    run, = doc["runs"]
    res, = run["results"]
    assert res["ruleId"] == "rename-without-fsync"
    # the use (the rename) at its line, the evidence at theirs
    assert phys(res["locations"][0]) == ("trace.log", "SRCROOT", 91)
    assert [phys(x) for x in res["relatedLocations"]] == [
        ("trace.log", "SRCROOT", 82), ("trace.log", "SRCROOT", 91)]
    assert res["relatedLocations"][0]["message"]["text"].endswith(
        f", {copy}:82"), res["relatedLocations"][0]
    inv, = run["invocations"]
    assert (inv["exitCode"], "properties" in inv) == (1, False), inv
    assert validate(ctx, path) == []


def test_sarif_without_a_file(ctx):
    # run's report goes where the text one does (stderr: stdout is the
    # program's); analyze's to stdout
    p = ctx.run(["run", "-f", "sarif", "--", "/bin/true"])
    assert (p.returncode, p.stdout) == (0, ""), p.stderr
    assert json.loads(p.stderr)["runs"][0]["results"] == []
    log = os.path.join(ROOT, "fixtures", "strace", "rsync", "trace.log")
    p = ctx.run(["analyze", "-f", "sarif", log])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    assert json.loads(p.stdout)["runs"][0]["results"] == []
