"""The bash completion (completions/fsrace.bash, installed as
share/bash-completion/completions/fsrace): subcommands, options from
each subcommand's own --help, option values, rule ids, nothing after
"--"."""
import os
import shutil
import subprocess

import harness

SCRIPT = os.path.join(harness.SOURCE_ROOT, "completions", "fsrace.bash")


def complete(ctx, *words):
    """What bash completes the last of WORDS (after `fsrace`) to."""
    if not shutil.which("bash"):
        raise harness.Skip("bash is not installed")
    quoted = " ".join("'" + w.replace("'", "'\\''") + "'"
                      for w in (ctx.fsrace, *words))
    p = subprocess.run(
        ["bash", "-c", f"source {SCRIPT}; COMP_WORDS=({quoted}); "
         f"COMP_CWORD={len(words)}; _fsrace; "
         "printf '%s\\n' \"${COMPREPLY[@]}\""],
        capture_output=True, text=True, cwd=ctx.tmp, timeout=60)
    assert p.returncode == 0, p.stderr
    return [w for w in p.stdout.splitlines() if w]


def test_subcommands(ctx):
    assert complete(ctx, "r") == ["run", "record", "rules"]
    assert complete(ctx, "") == ["run", "analyze", "show", "record",
                                 "import", "merge", "dump", "rules", "help",
                                 "--version", "--help"]
    assert complete(ctx, "rules", "") == ["list", "show", "check"]
    assert complete(ctx, "help", "a") == ["analyze"]
    assert complete(ctx, "show", "--fa") == ["--fail-on"]


def test_options_from_help(ctx):
    # what the subcommand's --help lists, and only for that one
    assert complete(ctx, "run", "--fo") == ["--format"]
    assert complete(ctx, "run", "--st") == ["--stack-depth",
                                            "--stack-snapshot", "--stacks"]
    assert complete(ctx, "run", "--no-st") == ["--no-stacks"]
    # also those of its usage lines, in brackets
    assert complete(ctx, "record", "--st") == ["--stack-snapshot",
                                               "--stacks"]
    assert complete(ctx, "analyze", "--str") == ["--strict"]
    assert complete(ctx, "run", "--str") == []
    assert "--write-baseline" in complete(ctx, "analyze", "--")


def test_option_values_and_rules(ctx):
    assert complete(ctx, "run", "-f", "") == [
        "text", "json", "sarif", "github", "codequality", "html"]
    assert complete(ctx, "analyze", "--fail-on", "n") == ["note", "none"]
    assert complete(ctx, "run", "--color", "a") == ["auto", "always"]
    assert complete(ctx, "run", "--enable", "rename-e") == ["rename-exdev"]
    assert complete(ctx, "rules", "show", "check-t") == ["check-then-use"]


def test_files_and_the_program(ctx):
    harness.write_file(os.path.join(ctx.tmp, "trace.jsonl"), "")
    assert complete(ctx, "analyze", "tr") == ["trace.jsonl"]
    # after "--" the program's own arguments: nothing of fsrace's
    assert complete(ctx, "run", "--", "ls", "--c") == []
