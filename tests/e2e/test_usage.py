"""How each subcommand refuses what it cannot do: the exact line on
stderr, exit 2, nothing on stdout and no file written; and the usage and
version paths. Each row of USAGE_ERRORS is a test of its own."""
import json
import os
import re
import stat

import harness

SRC = harness.SOURCE_ROOT
NO_RULES = "/nonexistent-fsrace-rules"
LONG_ID = "x" * 300

# (name, args, extra environment, stderr without the "fsrace: ")
USAGE_ERRORS = [
    ("unknown_command", ["frobnicate"], {},
     "unknown command 'frobnicate' (see fsrace --help)"),
    ("help_two_commands", ["help", "run", "dump"], {},
     "help takes one command: fsrace help COMMAND"),
    # run and analyze
    ("analyze_without_trace", ["analyze", "--no-default-rules"], {},
     "analyze needs a trace file: fsrace analyze TRACE..."),
    ("run_without_program", ["run", "-o", "r.json"], {},
     "run needs a program: fsrace run [OPTIONS] -- PROG [ARGS...]"),
    ("format_unknown", ["analyze", "-f", "xml", "t.jsonl"], {},
     "unknown format 'xml' (text, json, sarif, github, codequality or html)"),
    ("color_unknown", ["analyze", "--color", "yes", "t.jsonl"], {},
     "--color takes auto, always or never, not 'yes'"),
    ("output_without_file", ["analyze", "-o", "sarif:", "t.jsonl"], {},
     "-o sarif: names no file (- for standard output)"),
    ("input_format_unknown", ["analyze", "--input-format", "xml",
                              "t.jsonl"], {},
     "--input-format takes auto, native or strace, not 'xml'"),
    ("input_format_in_run", ["run", "--input-format", "native", "--",
                             "/bin/true"], {},
     "unknown option '--input-format' (see fsrace run --help)"),
    ("no_seccomp_in_analyze", ["analyze", "--no-seccomp", "t.jsonl"], {},
     "unknown option '--no-seccomp' (see fsrace analyze --help)"),
    ("severity_without_level", ["analyze", "--severity", "check-then-use",
                                "t.jsonl"], {},
     "--severity takes ID=LEVEL, not 'check-then-use'"),
    ("severity_id_too_long", ["analyze", "--severity", LONG_ID + "=note",
                              "t.jsonl"], {},
     f"--severity takes ID=LEVEL, not '{LONG_ID}=note'"),
    ("severity_unknown_rule", ["analyze", "--severity", "nope=note",
                               "t.jsonl"], {},
     "no rule 'nope' for --severity"),
    ("severity_unknown_level", ["analyze", "--severity",
                                "check-then-use=fatal", "t.jsonl"], {},
     "severity is error, warning or note, not 'fatal'"),
    ("severity_none", ["analyze", "--severity", "check-then-use=none",
                       "t.jsonl"], {},
     "severity is error, warning or note, not 'none'"),
    ("disable_unknown_rule", ["analyze", "--disable", "nope", "t.jsonl"],
     {}, "no rule 'nope' to disable (see fsrace rules)"),
    ("shipped_rules_missing", ["analyze", "t.jsonl"],
     {"FSRACE_RULES": NO_RULES},
     f"cannot read rules '{NO_RULES}': No such file or directory"),
    ("shipped_groups_missing", ["analyze", "--no-default-rules", "t.jsonl"],
     {"FSRACE_RULES": NO_RULES},
     f"cannot read rules '{NO_RULES}/00-groups.json': No such file or "
     "directory"),
    ("user_rules_missing", ["run", "-r", "nope.json", "--", "/bin/true"],
     {}, "cannot read rules 'nope.json': No such file or directory"),
    ("run_a_directory", ["run", "--", "/"], {},
     "cannot execute '/': Is a directory"),
    ("run_a_missing_path", ["run", "--", "./nope"], {},
     "cannot execute './nope': No such file or directory"),
    # record
    ("record_without_output", ["record", "--", "/bin/true"], {},
     "record needs an output file: -o FILE"),
    ("record_without_program", ["record", "-o", "t.jsonl"], {},
     "record needs a program to run (or -p PID); see fsrace record --help"),
    ("record_pid_and_program", ["record", "-o", "t.jsonl", "-p", "1", "--",
                                "/bin/true"], {},
     "give either -p PID or a program, not both"),
    ("record_pid_not_number", ["record", "-o", "t.jsonl", "-p", "12x"], {},
     "invalid pid '12x'"),
    ("record_pid_zero", ["record", "-o", "t.jsonl", "-p", "0"], {},
     "invalid pid '0'"),
    ("record_pid_negative", ["record", "-o", "t.jsonl", "--pid=-4"], {},
     "invalid pid '-4'"),
    ("record_pid_empty", ["record", "-o", "t.jsonl", "--pid="], {},
     "invalid pid ''"),
    ("record_pid_too_big", ["record", "-o", "t.jsonl", "-p",
                            "99999999999"], {},
     "invalid pid '99999999999'"),
    # import
    ("import_without_output", ["import", "x.log"], {},
     "import needs -o TRACE and a strace log: fsrace import -o TRACE "
     "LOG..."),
    ("import_without_log", ["import", "-o", "t.jsonl"], {},
     "import needs -o TRACE and a strace log: fsrace import -o TRACE "
     "LOG..."),
    ("import_missing_log", ["import", "-o", "t.jsonl", "nope.log"], {},
     "cannot open 'nope.log': No such file or directory"),
    # dump
    ("dump_without_file", ["dump"], {},
     "dump needs one trace file: fsrace dump FILE"),
    ("dump_two_files", ["dump", "a.jsonl", "b.jsonl"], {},
     "dump needs one trace file: fsrace dump FILE"),
    # rules
    ("rules_unknown_command", ["rules", "frob"], {},
     "unknown rules command 'frob' (list, show, check)"),
    ("rules_list_extra", ["rules", "list", "extra"], {},
     "unknown argument 'extra' (see fsrace rules --help)"),
    ("rules_show_extra", ["rules", "show", "check-then-use", "more"], {},
     "unknown argument 'more' (see fsrace rules --help)"),
    ("rules_show_without_id", ["rules", "show"], {},
     "rules show needs a rule id"),
    ("rules_check_without_file", ["rules", "check"], {},
     "rules check needs a rule file"),
    ("rules_check_with_rules", ["rules", "check", "-r", "a.json",
                                "b.json"], {},
     "rules check takes rule files, not -r or --no-default-rules"),
    ("rules_check_without_defaults", ["rules", "check",
                                      "--no-default-rules", "b.json"], {},
     "rules check takes rule files, not -r or --no-default-rules"),
    ("rules_user_file_missing", ["rules", "-r", "nope.json"], {},
     "cannot read rules 'nope.json': No such file or directory"),
    ("rules_shipped_missing", ["rules"], {"FSRACE_RULES": NO_RULES},
     f"cannot read rules '{NO_RULES}': No such file or directory"),
    ("rules_shipped_groups_missing", ["rules", "--no-default-rules"],
     {"FSRACE_RULES": NO_RULES},
     f"cannot read rules '{NO_RULES}/00-groups.json': No such file or "
     "directory"),
    ("rules_check_shipped_missing", ["rules", "check", "b.json"],
     {"FSRACE_RULES": NO_RULES},
     f"cannot read rules '{NO_RULES}': No such file or directory"),
]


def _make(args, env, message):
    def test(ctx):
        e = dict(os.environ, **env)
        p = ctx.run(args, env=e)
        assert (p.returncode, p.stdout, p.stderr) == (
            2, "", f"fsrace: {message}\n"), (args, p.returncode, p.stdout,
                                            p.stderr)
        # nothing written: not t.jsonl, not r.json
        assert os.listdir(ctx.tmp) == [], os.listdir(ctx.tmp)
    test.__doc__ = message
    return test


for _name, _args, _env, _message in USAGE_ERRORS:
    assert "test_" + _name not in globals(), f"two rows named {_name}"
    globals()["test_" + _name] = _make(_args, _env, _message)


def test_no_command_prints_usage_to_stderr(ctx):
    top = ctx.run(["--help"])
    assert (top.returncode, top.stderr) == (0, ""), top.stderr
    assert top.stdout.startswith(
        "usage: fsrace run [OPTIONS] -- PROG [ARGS...]\n"), top.stdout
    assert top.stdout.endswith("\nSee fsrace(1).\n"), top.stdout
    assert ctx.run(["-h"]).stdout == top.stdout
    assert ctx.run(["help", "help"]).stdout == top.stdout
    p = ctx.run([])
    assert (p.returncode, p.stdout, p.stderr) == (2, "", top.stdout)


def test_version(ctx):
    with open(os.path.join(SRC, "meson.build")) as f:
        version = re.search(r"version : '([^']+)'", f.read()).group(1)
    for opt in ("--version", "-V"):
        p = ctx.run([opt])
        assert (p.returncode, p.stdout, p.stderr) == (
            0, f"fsrace {version}\n", ""), (opt, p.stdout, p.stderr)


def test_rules_help_subcommand(ctx):
    p = ctx.run(["rules", "help"])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    assert p.stdout == ctx.run(["rules", "--help"]).stdout
    assert p.stdout == (
        "usage: fsrace rules [list] [-r PATH]... [--no-default-rules]\n"
        "       fsrace rules show ID [-r PATH]... [--no-default-rules]\n"
        "       fsrace rules check FILE...\n"), p.stdout


def test_rules_show_every_line(ctx):
    """rules show of a user rule with every part: variants, a rule off by
    default, why, fix, references."""
    mine = harness.write_file(os.path.join(ctx.tmp, "mine.json"), (
        '{"rules": [{"id": "two-ways", "title": "a rule of two variants",\n'
        ' "severity": "error", "enabled": false, "message": "m",\n'
        ' "explanation": "because", "fix": "do not",\n'
        ' "references": ["https://a.example", "man 2 open"],\n'
        ' "variants": [{"steps": [{"name": "check", "syscalls": ["stat"]},'
        ' {"name": "use", "syscalls": ["@open"]}]},\n'
        '  {"steps": [{"name": "gone", "syscalls": ["unlink"]}]}]}]}\n'))
    p = ctx.run(["rules", "show", "two-ways", "--no-default-rules", "-r",
                 mine])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    assert p.stdout == (
        "two-ways: a rule of two variants\n"
        "  severity: error (disabled by default: --enable it)\n"
        f"  source: {mine}:1\n"
        "  variants: 2\n"
        "  steps: check → use\n"
        "  why: because\n"
        "  fix: do not\n"
        "  see: https://a.example\n"
        "  see: man 2 open\n"), p.stdout
    # listed once, off
    p = ctx.run(["rules", "--no-default-rules", "-r", mine])
    assert p.stdout == (f"{'two-ways':<30} error    off  a rule of two "
                        "variants\n"), p.stdout


def test_program_found_in_path(ctx):
    """PROG without a slash is looked up in PATH as execvp does: a file
    that is not executable is passed over for a later one, and named when
    it is the only one; an empty PATH element is the current directory;
    without PATH, the default path."""
    a, b = os.path.join(ctx.tmp, "a"), os.path.join(ctx.tmp, "b")
    os.mkdir(a)
    os.mkdir(b)
    harness.write_file(os.path.join(a, "prog"), "#!/bin/sh\nexit 5\n", 0o644)
    harness.write_file(os.path.join(b, "prog"), "#!/bin/sh\nexit 4\n", 0o755)
    trace = os.path.join(ctx.tmp, "t.jsonl")
    env = dict(os.environ, PATH=f"{a}:{b}")
    p = ctx.run(["record", "-o", trace, "--", "prog"], env=env)
    assert (p.returncode, p.stderr) == (4, ""), p.stderr
    header, records = harness.read_trace(trace)
    assert header["argv"] == ["prog"], header
    execs = [r for r in harness.syscalls(records) if r["syscall"] == "execve"]
    assert execs[0]["path"] == os.path.join(b, "prog"), execs[0]
    os.unlink(trace)
    env = dict(os.environ, PATH=a)
    p = ctx.run(["record", "-o", trace, "--", "prog"], env=env)
    assert (p.returncode, p.stdout, p.stderr) == (
        2, "", "fsrace: cannot execute 'prog': Permission denied\n")
    assert not os.path.exists(trace)
    # an empty element of PATH, first, between or last: the current
    # directory, never the root
    for path in (":/nonexistent-dir", "/nonexistent-dir::/bin",
                 "/nonexistent-dir:"):
        env = dict(os.environ, PATH=path)
        p = ctx.run(["record", "-o", trace, "--", "prog"], env=env, cwd=b)
        assert (p.returncode, p.stderr) == (4, ""), (path, p.stderr)
        _, records = harness.read_trace(trace)
        execs = [r for r in harness.syscalls(records)
                 if r["syscall"] == "execve"]
        assert execs[0]["path"] == "./prog", (path, execs[0])
        os.unlink(trace)
    env = {k: v for k, v in os.environ.items() if k != "PATH"}
    p = ctx.run(["record", "-o", trace, "--", "true"], env=env)
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    _, records = harness.read_trace(trace)
    execs = [r for r in harness.syscalls(records) if r["syscall"] == "execve"]
    assert execs[0]["path"] in ("/usr/local/bin/true", "/usr/bin/true",
                                "/bin/true"), execs[0]


def test_run_no_seccomp(ctx):
    """run --no-seccomp traces without the filter, says so in the trace it
    records, and finds the same."""
    trace = os.path.join(ctx.tmp, "t.jsonl")
    out = os.path.join(ctx.tmp, "r.json")
    data = harness.write_file(os.path.join(ctx.tmp, "data.txt"), "x\n")
    prog = [ctx.fixture("stat_open"), "data.txt", "missing.txt"]
    p = ctx.run(["run", "--no-seccomp", "--record", trace, "-o", out,
                 "--", *prog])
    assert (p.returncode, p.stderr) == (1, ""), p.stderr
    header, _ = harness.read_trace(trace)
    assert (header["options"]["seccomp"],
            header["options"]["seccomp_reason"]) == (False, "--no-seccomp")
    with open(out) as f:
        found = [(f["rule"], [e["syscall"] for e in f["evidence"]],
                  f["evidence"][0]["abspath"])
                 for f in json.load(f)["findings"]]
    assert found == [("check-then-use", ["newfstatat", "openat"], data)], \
        found


def test_import_strict(ctx):
    """--strict: a line that is not strace's is an error, exit 2, and no
    trace is left; without it, a warning and the rest is imported."""
    log = harness.write_file(os.path.join(ctx.tmp, "s.log"), (
        '1 12:00:00.000001 unlink("/tmp/x") = 0 <0.000010>\n'
        "this is not strace\n"))
    trace = os.path.join(ctx.tmp, "t.jsonl")
    p = ctx.run(["import", "--strict", "-o", trace, log])
    assert (p.returncode, p.stdout, p.stderr) == (
        2, "", f"fsrace: {log}:2: cannot parse: this is not strace\n")
    assert sorted(os.listdir(ctx.tmp)) == ["s.log"], os.listdir(ctx.tmp)
    p = ctx.run(["import", "-o", trace, log])
    assert (p.returncode, p.stdout, p.stderr) == (
        0, "", f"fsrace: warning: {log}:2: cannot parse: this is not "
               "strace\n")
    _, records = harness.read_trace(trace)
    assert [(r["syscall"], r["path"]) for r in records] == \
        [("unlink", "/tmp/x")], records
    # a native trace is not imported again
    again = os.path.join(ctx.tmp, "again.jsonl")
    p = ctx.run(["import", "-o", again, trace])
    assert (p.returncode, p.stdout, p.stderr) == (
        2, "", f"fsrace: {trace}: already an fsrace trace\n")
    assert not os.path.exists(again)


def test_input_format_forced(ctx):
    """--input-format native or strace reads every file as that, without
    looking: a strace log given as native is not a trace, a missing file
    is named, and the second of two native traces is opened when the
    first is done."""
    log = harness.write_file(os.path.join(ctx.tmp, "s.log"),
                             '1 12:00:00.000001 unlink("/tmp/x") = 0 '
                             "<0.000010>\n")
    p = ctx.run(["analyze", "--input-format", "native", log])
    assert (p.returncode, p.stdout, p.stderr) == (
        2, "", f"fsrace: {log}:1: not an fsrace trace (no fsrace-trace "
               "header)\n")
    p = ctx.run(["analyze", "--input-format", "strace", "nope.log"])
    assert (p.returncode, p.stdout, p.stderr) == (
        2, "", "fsrace: cannot open 'nope.log': No such file or "
               "directory\n")
    trace = os.path.join(ctx.tmp, "t.jsonl")
    assert ctx.run(["import", "-o", trace, log]).returncode == 0
    p = ctx.run(["analyze", "--input-format", "native", trace, "nope.jsonl"])
    assert (p.returncode, p.stdout, p.stderr) == (
        2, "", "fsrace: cannot open 'nope.jsonl': No such file or "
               "directory\n")
    p = ctx.run(["analyze", "--input-format", "strace", "-f", "json", log])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    doc = json.loads(p.stdout)
    assert doc["input"] == {"kind": "trace", "files": [log]}, doc
    assert doc["events"] == 1, doc
    p = ctx.run(["analyze", "--input-format", "auto", "-f", "json", trace,
                 trace])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    doc = json.loads(p.stdout)
    assert doc["input"] == {"kind": "trace", "files": [trace, trace]}, doc
    assert doc["events"] == 2, doc
