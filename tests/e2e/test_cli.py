"""fsrace run, analyze and rules as a user drives them: exit statuses,
options, output files and every kind of bad input."""
import json
import os
import stat

from harness import Skip  # noqa: F401  (the runner's contract)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def stat_open(ctx):
    """The stat-then-open fixture and its data file, in ctx.tmp."""
    write(os.path.join(ctx.tmp, "data.txt"), "x\n")
    return [ctx.fixture("stat_open"), "data.txt", "missing.txt"]


def findings_of(path):
    with open(path) as f:
        doc = json.load(f)
    return doc, [(f["rule"], f["evidence"][0].get("abspath"))
                 for f in doc["findings"]]


def test_run_reports_and_gates(ctx):
    out = os.path.join(ctx.tmp, "f.json")
    p = ctx.run(["run", "-f", "json", "-o", out, "--", *stat_open(ctx)])
    assert p.returncode == 1, (p.returncode, p.stderr)
    doc, found = findings_of(out)
    data = os.path.join(ctx.tmp, "data.txt")
    assert found == [("check-then-use", data)], found
    assert doc["input"] == {"kind": "run", "argv": stat_open(ctx),
                            "status": 0}
    assert doc["counts"] == {"error": 0, "warning": 1, "note": 0}
    f = doc["findings"][0]
    assert [e["syscall"] for e in f["evidence"]] == ["newfstatat", "openat"]
    assert f["message"].startswith(
        f"newfstatat('{data}') then openat('{data}') by name in pid "), f
    assert f["window_us"] >= 0 and f["count"] == 1 and not f["confirmed"]


def test_fail_on_levels(ctx):
    prog = stat_open(ctx)
    assert ctx.run(["run", "--fail-on", "error", "-o", os.path.join(ctx.tmp, "findings.json"), "--",
                    *prog]).returncode == 0
    assert ctx.run(["run", "--fail-on", "none", "-o", os.path.join(ctx.tmp, "findings.json"), "--",
                    *prog]).returncode == 0
    assert ctx.run(["run", "--fail-on", "note", "-o", os.path.join(ctx.tmp, "findings.json"), "--",
                    *prog]).returncode == 1
    p = ctx.run(["run", "--fail-on", "fatal", "--", *prog])
    assert p.returncode == 2
    assert p.stderr == ("fsrace: --fail-on takes error, warning, note or "
                        "none, not 'fatal'\n"), p.stderr


def test_program_failure_is_3_without_findings(ctx):
    p = ctx.run(["run", "-o", os.path.join(ctx.tmp, "findings.json"), "--", ctx.fixture("killed"),
                 "exit3"])
    assert p.returncode == 3, (p.returncode, p.stderr)
    # a finding outranks the program's failure
    p = ctx.run(["run", "-o", os.path.join(ctx.tmp, "findings.json"), "--", "/bin/sh", "-c",
                 "cd %s && %s data.txt missing.txt; exit 4"
                 % (ctx.tmp, " ".join(stat_open(ctx)[:1]))])
    assert p.returncode == 1, (p.returncode, p.stderr)


def test_severity_disable_enable(ctx):
    prog = stat_open(ctx)
    out = os.path.join(ctx.tmp, "f.json")
    assert ctx.run(["run", "--severity", "check-then-use=note", "-o", out,
                    "--", *prog]).returncode == 0
    doc, _ = findings_of(out)
    assert [f["severity"] for f in doc["findings"]] == ["note"]
    assert ctx.run(["run", "--disable", "check-then-use", "-o", out, "--",
                    *prog]).returncode == 0
    doc, found = findings_of(out)
    assert found == []
    assert "check-then-use" not in [r["id"] for r in doc["rules"]]
    # an opt-in policy
    p = ctx.run(["run", "--enable", "tmp-create-no-excl", "-o", out, "--",
                 "/bin/sh", "-c", "echo x > /tmp/fsrace-cli-policy-%d; "
                 "rm -f /tmp/fsrace-cli-policy-%d" % (os.getpid(),
                                                      os.getpid())])
    doc, found = findings_of(out)
    assert ("tmp-create-no-excl", "/tmp/fsrace-cli-policy-%d"
            % os.getpid()) in found, found
    p = ctx.run(["run", "--enable", "no-such-rule", "--", *prog])
    assert p.returncode == 2
    assert p.stderr == ("fsrace: no rule 'no-such-rule' to enable (see "
                        "fsrace rules)\n"), p.stderr


def test_text_format(ctx):
    out = os.path.join(ctx.tmp, "f.txt")
    p = ctx.run(["run", "-f", "text", "-o", out, "--", *stat_open(ctx)])
    assert p.returncode == 1
    with open(out) as f:
        text = f.read()
    assert text.startswith("warning[check-then-use] newfstatat('"), text
    assert "    check    #" in text and "    fix: " in text
    assert text.endswith("1 finding (0 error, 1 warning, 0 note) in %s "
                         "events\n" % text.rsplit(" in ", 1)[1].split()[0])


def test_report_goes_to_stderr_for_run(ctx):
    p = ctx.run(["run", "-f", "json", "--", "/bin/cat"], input="hello\n")
    assert p.stdout == "hello\n", p.stdout      # the program's own
    doc = json.loads(p.stderr)
    assert doc["input"]["kind"] == "run"


def test_record_then_analyze_same_findings(ctx):
    prog = stat_open(ctx)
    trace = os.path.join(ctx.tmp, "t.jsonl")
    a = os.path.join(ctx.tmp, "a.json")
    b = os.path.join(ctx.tmp, "b.json")
    assert ctx.run(["run", "--record", trace, "-o", a, "--",
                    *prog]).returncode == 1
    p = ctx.run(["analyze", "-o", b, trace])
    assert p.returncode == 1, p.stderr
    da, fa = findings_of(a)
    db, fb = findings_of(b)
    assert fa == fb and fa
    assert db["input"] == {"kind": "trace", "files": [trace]}
    assert [f["fingerprint"] for f in da["findings"]] == \
        [f["fingerprint"] for f in db["findings"]]


def test_bad_rule_file(ctx):
    bad = os.path.join(ctx.tmp, "bad.json")
    write(bad, '{"rules": [{"id": "x", "title": "t", "severity": "note",\n'
          ' "message": "m", "steps": [{"name": "a",\n'
          '  "syscalls": ["@open"], "where": {"flagz": 1}}]}]}\n')
    out = os.path.join(ctx.tmp, "f.json")
    for cmd in (["run", "-r", bad, "-o", out, "--", "/bin/true"],
                ["analyze", "-r", bad, "-o", out, "/dev/null"],
                ["rules", "check", bad]):
        p = ctx.run(cmd)
        assert p.returncode == 2, (cmd, p.returncode)
        assert p.stderr == f'fsrace: {bad}:3:36: unknown field "flagz"\n', \
            p.stderr
        assert not os.path.exists(out)
    write(bad, "{\"rules\": [}\n")
    p = ctx.run(["rules", "check", bad])
    assert p.stderr == f"fsrace: {bad}:1:12: expected a value\n", p.stderr
    good = os.path.join(ctx.tmp, "good.json")
    write(good, '{"rules": [{"id": "mine", "title": "t", "severity": '
          '"note", "message": "m", "steps": [{"name": "a", "syscalls": '
          '["@unlink"]}]}]}')
    p = ctx.run(["rules", "check", good])
    assert (p.returncode, p.stdout) == (0, f"{good}: 1 rule, ok\n")


def test_user_rule_fires(ctx):
    rules = os.path.join(ctx.tmp, "mine.json")
    write(rules, '{"rules": [{"id": "no-unlink", "title": "no unlink", '
          '"severity": "error", "message": "unlink of {$p}", "steps": '
          '[{"name": "u", "syscalls": ["@unlink"], "where": '
          '{"abspath": "$p", "result": "success"}}]}]}')
    victim = os.path.join(ctx.tmp, "victim")
    write(victim, "")
    out = os.path.join(ctx.tmp, "f.json")
    p = ctx.run(["run", "--no-default-rules", "-r", rules, "-o", out, "--",
                 "/bin/rm", victim])
    assert p.returncode == 1, p.stderr
    doc, found = findings_of(out)
    assert found == [("no-unlink", victim)], found
    assert doc["findings"][0]["message"] == f"unlink of {victim}"
    assert doc["rules"] == [{"id": "no-unlink", "severity": "error",
                             "source": rules}]


def test_analyze_bad_inputs(ctx):
    missing = os.path.join(ctx.tmp, "nope.jsonl")
    p = ctx.run(["analyze", missing])
    assert (p.returncode, p.stderr) == (
        2, f"fsrace: cannot open '{missing}': No such file or directory\n")
    empty = os.path.join(ctx.tmp, "empty")
    write(empty, "")
    p = ctx.run(["analyze", empty])
    assert p.returncode == 2 and empty in p.stderr, p.stderr
    garbage = os.path.join(ctx.tmp, "garbage")
    with open(garbage, "wb") as f:
        f.write(bytes(range(256)) * 4)
    p = ctx.run(["analyze", garbage])
    assert p.returncode == 2 and garbage in p.stderr, p.stderr
    assert p.stderr.count("\n") == 1, p.stderr
    p = ctx.run(["analyze"])
    assert p.returncode == 2
    p = ctx.run(["analyze", "--format", "yaml", empty])
    assert (p.returncode, p.stderr) == (
        2, "fsrace: unknown format 'yaml' (text, json, sarif, github, codequality or html)\n")


def test_output_file_whole_or_untouched(ctx):
    out = os.path.join(ctx.tmp, "f.json")
    write(out, "previous\n")
    p = ctx.run(["analyze", "-o", out, os.path.join(ctx.tmp, "nope")])
    assert p.returncode == 2
    with open(out) as f:
        assert f.read() == "previous\n"
    assert os.listdir(ctx.tmp) == ["f.json"], os.listdir(ctx.tmp)
    p = ctx.run(["run", "-o", "/nonexistent-dir/f.json", "--",
                 "/bin/true"])
    assert p.returncode == 2
    assert p.stderr.startswith("fsrace: cannot create "
                               "'/nonexistent-dir/f.json': "), p.stderr


def test_run_missing_program(ctx):
    p = ctx.run(["run", "--", "no-such-program-xyz"])
    assert (p.returncode, p.stderr) == (
        2, "fsrace: cannot execute 'no-such-program-xyz': not found in "
           "PATH\n")
    p = ctx.run(["run"])
    assert p.returncode == 2


def test_rules_list_and_show(ctx):
    p = ctx.run(["rules"])
    assert p.returncode == 0
    ids = [line.split()[0] for line in p.stdout.splitlines()]
    for core in ("check-then-use", "access-then-open", "lstat-then-follow",
                 "check-absent-then-create", "path-after-open",
                 "create-then-metadata-by-name", "unlink-then-rename",
                 "exdev-copy-fallback", "path-reuse-after-rename",
                 "rename-without-fsync", "missing-dir-fsync",
                 "create-in-shared-dir", "interleaved-mutation",
                 "opened-deleted-file"):
        assert core in ids, core
    assert len(ids) == len(set(ids))
    p = ctx.run(["rules", "show", "unlink-then-rename"])
    assert p.returncode == 0
    assert p.stdout.startswith("unlink-then-rename: ")
    assert "  steps: remove → rename\n" in p.stdout
    p = ctx.run(["rules", "show", "nope"])
    assert (p.returncode, p.stderr) == (
        2, "fsrace: no rule 'nope' (see fsrace rules)\n")


def test_shared_dir_raises_severity(ctx):
    shared = os.path.join(ctx.tmp, "shared")
    os.mkdir(shared)
    os.chmod(shared, 0o1777)
    write(os.path.join(shared, "data.txt"), "x\n")
    out = os.path.join(ctx.tmp, "f.json")
    ctx.run(["run", "-o", out, "--", ctx.fixture("stat_open"), "data.txt",
             "missing.txt"], cwd=shared)
    doc, found = findings_of(out)
    assert [f["severity"] for f in doc["findings"]] == ["error"], doc
    # without the modifiers the rule's own severity stays
    ctx.run(["run", "--no-default-filters", "-o", out, "--",
             ctx.fixture("stat_open"), "data.txt", "missing.txt"],
            cwd=shared)
    doc, found = findings_of(out)
    sev = [f["severity"] for f in doc["findings"]
           if f["evidence"][0].get("abspath", "").startswith(shared)]
    assert sev == ["warning"], doc
    assert stat.S_IMODE(os.stat(shared).st_mode) == 0o1777


def test_missing_option_value(ctx):
    """A missing value is named as such, never as an unknown option."""
    for args, opt in ((["analyze", "-r"], "-r"),
                      (["analyze", "--rules"], "--rules"),
                      (["run", "-o"], "-o"),
                      (["run", "--record"], "--record"),
                      (["record", "-o"], "-o"),
                      (["record", "--pid"], "--pid"),
                      (["import", "-o"], "-o"),
                      (["rules", "list", "-r"], "-r"),
                      (["analyze", "--fail-on"], "--fail-on")):
        p = ctx.run(args)
        assert (p.returncode, p.stdout, p.stderr) == (
            2, "", f"fsrace: option '{opt}' requires a value\n"), \
            (args, p.stderr)


def test_unknown_option_names_the_subcommand(ctx):
    for args, opt, cmd in ((["analyze", "-x", "t"], "-x", "analyze"),
                           (["run", "--strict", "--", "/bin/true"],
                            "--strict", "run"),
                           (["analyze", "--record", "x", "t"], "--record",
                            "analyze"),
                           (["record", "-q", "-o", "x"], "-q", "record"),
                           (["import", "--frob"], "--frob", "import"),
                           (["dump", "-z"], "-z", "dump"),
                           (["rules", "--frob"], "--frob", "rules"),
                           (["rules", "show", "-q"], "-q", "rules")):
        p = ctx.run(args)
        assert (p.returncode, p.stderr) == (
            2, f"fsrace: unknown option '{opt}' (see fsrace {cmd} "
               "--help)\n"), (args, p.stderr)
    p = ctx.run(["run", "--help=yes"])
    assert (p.returncode, p.stderr) == (
        2, "fsrace: option '--help' takes no value\n"), p.stderr
    assert not os.listdir(ctx.tmp)


def test_rules_takes_help_and_long_options(ctx):
    p = ctx.run(["rules", "--help"])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    assert p.stdout.startswith("usage: fsrace rules [list] [-r PATH]..."), \
        p.stdout
    assert ctx.run(["rules", "-h"]).stdout == p.stdout
    mine = os.path.join(ctx.tmp, "mine.json")
    write(mine, '{"rules": [{"id": "mine-only", "title": "my rule", '
          '"severity": "note", "message": "m", "steps": [{"name": "a", '
          '"syscalls": ["unlink"]}]}]}')
    for args in (["rules", f"--rules={mine}"],
                 ["rules", "--rules", mine, "--no-default-rules"],
                 ["rules", "list", "-r", mine]):
        p = ctx.run(args)
        assert (p.returncode, p.stderr) == (0, ""), (args, p.stderr)
        assert f"{'mine-only':<30} note     on   my rule\n" in p.stdout, \
            (args, p.stdout)
    p = ctx.run(["rules", "--no-default-rules", f"--rules={mine}"])
    assert p.stdout == f"{'mine-only':<30} note     on   my rule\n", p.stdout
    p = ctx.run(["rules", "show", "mine-only", f"--rules={mine}"])
    assert p.returncode == 0 and p.stdout.startswith("mine-only: my rule\n")


def test_help_command(ctx):
    for cmd in ("run", "analyze", "record", "import", "dump", "rules"):
        own = ctx.run([cmd, "--help"])
        p = ctx.run(["help", cmd])
        assert (p.returncode, p.stderr) == (0, ""), (cmd, p.stderr)
        assert p.stdout == own.stdout, cmd
        assert p.stdout.startswith(f"usage: fsrace {cmd} "), p.stdout
    top = ctx.run(["--help"])
    assert top.stdout.startswith("usage: fsrace run [OPTIONS] -- PROG")
    assert ctx.run(["help"]).stdout == top.stdout
    p = ctx.run(["help", "frobnicate"])
    assert (p.returncode, p.stderr) == (
        2, "fsrace: unknown command 'frobnicate' (see fsrace --help)\n")


def test_rules_without_defaults_keeps_the_groups(ctx):
    """--no-default-rules drops the shipped rules, not their vocabulary:
    a user rule naming @unlink lists, as it runs under analyze."""
    mine = os.path.join(ctx.tmp, "mine.json")
    write(mine, '{"rules": [{"id": "by-group", "title": "grouped", '
          '"severity": "note", "message": "m", "steps": [{"name": "a", '
          '"syscalls": ["@unlink"]}]}]}')
    p = ctx.run(["rules", "--no-default-rules", "-r", mine])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    assert p.stdout == f"{'by-group':<30} note     on   grouped\n", p.stdout
    p = ctx.run(["rules", "show", "by-group", "--no-default-rules", "-r",
                 mine])
    assert p.returncode == 0 and p.stdout.startswith("by-group: grouped\n"), \
        (p.stdout, p.stderr)
