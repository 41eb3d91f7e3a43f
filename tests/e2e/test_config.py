"""The project configuration file (issue 10): fsrace.json or .fsrace.json
found from the working directory upwards, or --config FILE, or none
with --no-config; every key an option, the command line winning; paths
from the file's own directory; errors naming file, line and column
before the program runs."""
import json
import os

import harness

PY = "/usr/bin/python3"
CHECK_USE = "import os\nos.stat('f'); open('f').read()\n"


def project(ctx, config, name="fsrace.json"):
    """TMP/p with CONFIG as NAME, and TMP/p/sub with a file f and a
    script that checks then opens it; returns (project, sub, script)."""
    top = os.path.join(ctx.tmp, "p")
    sub = os.path.join(top, "sub")
    os.makedirs(sub)
    harness.write_file(os.path.join(top, name),
                       config if isinstance(config, str)
                       else json.dumps(config, indent=1))
    harness.write_file(os.path.join(sub, "f"), "x")
    script = harness.write_file(os.path.join(sub, "t.py"), CHECK_USE)
    return top, sub, script


def findings(path):
    with open(path) as f:
        return [(x["rule"], x["severity"]) for x in json.load(f)["findings"]]


def test_config_found_above_and_applied(ctx):
    top, sub, script = project(ctx, {
        "severity": {"check-then-use": "note"},
        "fail_on": "note",
        "outputs": ["json:out/findings.json"]})
    os.mkdir(os.path.join(top, "out"))
    p = ctx.run(["run", "--", PY, script], cwd=sub)
    # the output is the file's, from its directory; the gate is note
    assert (p.returncode, p.stderr) == (1, ""), p.stderr
    assert findings(os.path.join(top, "out", "findings.json")) == [
        ("check-then-use", "note")]


def test_command_line_wins(ctx):
    top, sub, script = project(ctx, {
        "severity": {"check-then-use": "note"},
        "fail_on": "note",
        "outputs": ["json:findings.json"]}, name=".fsrace.json")
    mine = os.path.join(ctx.tmp, "mine.json")
    p = ctx.run(["run", "--fail-on", "warning", "-o", mine, "--severity",
                 "check-then-use=warning", "--", PY, script], cwd=sub)
    assert p.returncode == 1, p.stderr
    # its -o replaced the file's outputs; its severity came later
    assert not os.path.exists(os.path.join(top, "findings.json"))
    assert findings(mine) == [("check-then-use", "warning")]
    p = ctx.run(["run", "--fail-on", "error", "-o", mine, "--", PY,
                 script], cwd=sub)
    assert p.returncode == 0, p.stderr
    assert findings(mine) == [("check-then-use", "note")]


def test_explicit_config_and_none(ctx):
    top, sub, script = project(ctx, {"fail_on": "none"})
    other = harness.write_file(os.path.join(ctx.tmp, "other.json"),
                               json.dumps({"fail_on": "warning",
                                           "disable": ["check-then-use"]}))
    p = ctx.run(["run", "--", PY, script], cwd=sub)
    assert p.returncode == 0, p.stderr          # fail_on none
    p = ctx.run(["run", "--no-config", "--", PY, script], cwd=sub)
    assert p.returncode == 1, p.stderr          # no file: the defaults
    p = ctx.run(["run", "--config", other, "--", PY, script], cwd=sub)
    assert p.returncode == 0 and "check-then-use" not in p.stderr, \
        p.stderr
    # the rules named in a file are taken from its directory
    harness.write_file(os.path.join(top, "extra.json"), json.dumps(
        {"suppressions": [{"rule": "check-then-use", "path": "*/f",
                           "reason": "ours"}]}))
    harness.write_file(os.path.join(top, "fsrace.json"),
                       json.dumps({"rules": ["extra.json"]}))
    p = ctx.run(["run", "--", PY, script], cwd=sub)
    assert p.returncode == 0, p.stderr
    assert "suppressed" in p.stderr.splitlines()[-1], p.stderr


def test_keys_of_the_other_command(ctx):
    # one file for both: stacks is run's, strict analyze's
    top, sub, script = project(ctx, {"strict": True, "stacks": False,
                                     "input_format": "strace"})
    p = ctx.run(["run", "--", "/bin/true"], cwd=sub)
    assert p.returncode == 0, p.stderr
    log = os.path.join(harness.SOURCE_ROOT, "fixtures", "strace", "rsync",
                       "trace.log")
    p = ctx.run(["analyze", log], cwd=sub)
    assert p.returncode == 0, p.stderr


def test_bad_configurations(ctx):
    cases = [
        ('{\n "fail_on": "warning",\n "colour": "auto"\n}\n',
         '3:2: unknown key "colour" (docs/ci.md, "The configuration '
         'file")'),
        ('{"fail_on": 3}', '1:13: "fail_on" takes a string, not an integer'),
        ('{"scope": "most"}', "1:11: \"scope\" is not 'most'"),
        ('{"format": "yaml"}', "1:12: \"format\" is not 'yaml'"),
        ('{"enable": "x"}', '1:12: "enable" takes an array of strings, '
         'not a string'),
        ('{"enable": [1]}', '1:13: "enable" takes strings, not an integer'),
        ('{"severity": {"check-then-use": "fatal"}}',
         "1:33: \"severity\" is not 'fatal'"),
        ('{"stacks": "yes"}', '1:12: "stacks" takes true or false, not '
         'a string'),
        ('[1]', "1:1: a configuration is an object of options"),
        ('{"fail_on": }', None),
    ]
    for text, want in cases:
        d = os.path.join(ctx.tmp, f"c{cases.index((text, want))}")
        os.mkdir(d)
        path = harness.write_file(os.path.join(d, "fsrace.json"), text)
        marker = os.path.join(d, "ran")
        p = ctx.run(["run", "--", "/bin/sh", "-c", f": > {marker}"], cwd=d)
        assert p.returncode == 2 and not os.path.exists(marker), (text, p)
        if want is None:   # the JSON parser's own message, with a place
            assert p.stderr.startswith(f"fsrace: {path}:1:"), p.stderr
        else:
            assert p.stderr == f"fsrace: {path}:{want}\n", (text, p.stderr)
    p = ctx.run(["run", "--config", "/nonexistent.json", "--", "/bin/true"])
    assert (p.returncode, p.stderr) == (
        2, "fsrace: cannot read configuration '/nonexistent.json': No such "
        "file or directory\n")
