"""Kernel names in rule files: a flag name must belong to the namespace of
the field it is compared with (schema/names.c)."""
import json
import os

from harness import read_findings, write_file


def flag_rule(path, syscalls, name):
    """A rule file whose one step matches SYSCALLS with flags containing
    NAME; returns the (line, column) of NAME's string in it."""
    head = ('{"rules": [{"id": "nofollow-open", "title": "t", '
            '"severity": "error", "message": "{o.syscall} {$p}",\n'
            ' "steps": [{"name": "o", "syscalls": %s,\n'
            '  "where": {"abspath": "$p", "flags": {"contains": '
            % json.dumps(syscalls))
    write_file(path, head + '"%s"}}}]}]}\n' % name)
    return 3, len(head.split("\n")[-1]) + 1


def test_flag_of_another_namespace(ctx):
    rules = os.path.join(ctx.tmp, "r.json")
    line, col = flag_rule(rules, ["openat"], "AT_SYMLINK_NOFOLLOW")
    out = os.path.join(ctx.tmp, "f.json")
    marker = os.path.join(ctx.tmp, "ran")
    for cmd in (["rules", "check", rules],
                ["run", "-r", rules, "-o", out, "--", "/bin/touch", marker],
                ["analyze", "-r", rules, "-o", out, "nothing.jsonl"]):
        p = ctx.run(cmd)
        assert p.returncode == 2, (cmd, p.returncode, p.stderr)
        assert p.stderr == (f"fsrace: {rules}:{line}:{col}: "
                            "AT_SYMLINK_NOFOLLOW is not an open flag\n"), \
            (cmd, p.stderr)
        assert not os.path.exists(out) and not os.path.exists(marker), cmd
    # two syscalls, two namespaces: either is named
    flag_rule(rules, ["openat", "unlinkat"], "RENAME_NOREPLACE")
    p = ctx.run(["rules", "check", rules])
    assert (p.returncode, p.stderr) == (
        2, f"fsrace: {rules}:{line}:{col}: RENAME_NOREPLACE is not an "
        "open flag or an AT flag\n"), p.stderr
    # an errno is no flag at all; a name of no namespace is unknown
    flag_rule(rules, ["openat"], "ENOENT")
    p = ctx.run(["rules", "check", rules])
    assert p.stderr == (f"fsrace: {rules}:{line}:{col}: ENOENT is not an "
                        "open flag\n"), p.stderr
    flag_rule(rules, ["openat"], "O_BOGUS")
    p = ctx.run(["rules", "check", rules])
    assert p.stderr == (f"fsrace: {rules}:{line}:{col}: unknown flag "
                        '"O_BOGUS"\n'), p.stderr
    # the right namespace for the call: AT flags on unlinkat
    flag_rule(rules, ["unlinkat"], "AT_REMOVEDIR")
    p = ctx.run(["rules", "check", rules])
    assert (p.returncode, p.stdout) == (0, f"{rules}: 1 rule, ok\n"), \
        p.stderr


def test_open_flag_still_matches(ctx):
    """O_NOFOLLOW on openat: the fixture opens data with it, and the
    rule fires with the bound path; O_NOCTTY (AT_SYMLINK_NOFOLLOW's
    bits) does not."""
    rules = os.path.join(ctx.tmp, "r.json")
    data = os.path.join(ctx.tmp, "data")
    write_file(data, "x")
    out = os.path.join(ctx.tmp, "f.json")
    prog = ctx.fixture("rule-lstat-then-follow-good")
    for name, want in (("O_NOFOLLOW", [("nofollow-open", "openat " + data)]),
                       ("O_NOCTTY", [])):
        flag_rule(rules, ["openat"], name)
        p = ctx.run(["run", "--no-default-rules", "-r", rules, "-o", out,
                     "--fail-on", "none", "--", prog])
        assert p.returncode == 0, (name, p.returncode, p.stderr)
        doc = read_findings(out)
        got = [(f["rule"], f["message"]) for f in doc["findings"]]
        assert got == want, (name, got)
        if want:
            ev = doc["findings"][0]["evidence"][0]
            assert (ev["syscall"], ev["abspath"]) == ("openat", data), ev
