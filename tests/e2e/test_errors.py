"""Usage and rule-file errors with their exact message and exit code, and
the options whose edge cases no other test reaches: an --ignore glob that
only looks like a suffix, -o through another process's /proc/PID/fd/N."""
import json
import os
import subprocess

HEADER = '{"type":"header","format":"fsrace-trace","version":1}'

RULES = {"rules": [{
    "id": "t-unlink", "title": "t", "severity": "warning",
    "message": "unlinked {$p}",
    "steps": [{"name": "hit", "syscalls": ["unlinkat"],
               "where": {"abspath": "$p"}}]}]}


def write(ctx, name, text):
    path = os.path.join(ctx.tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def unlinks(ctx, paths):
    lines = [HEADER]
    for seq, p in enumerate(paths, 1):
        lines.append(json.dumps({
            "type": "syscall", "seq": seq, "pid": 10, "tid": 10,
            "ts_enter": seq * 1000, "ts_exit": seq * 1000 + 500,
            "syscall": "unlinkat", "dirfd": -100, "path": p, "abspath": p,
            "flags": [], "ret": 0}))
    write(ctx, "rules.json", json.dumps(RULES))
    return write(ctx, "t.jsonl", "\n".join(lines) + "\n")


def test_import_without_a_log(ctx):
    p = ctx.run(["import", "-o", "t.jsonl"])
    assert (p.returncode, p.stdout) == (2, ""), p
    assert p.stderr == ("fsrace: import needs -o TRACE and a strace log: "
                        "fsrace import -o TRACE LOG...\n"), p.stderr
    assert not os.path.exists(os.path.join(ctx.tmp, "t.jsonl"))


RULE = ('{"rules": [{"id": "ID", "title": "t", "severity": "warning", '
        '"message": "m",\n"confirm": CONFIRM,\n'
        '"steps": [{"name": "a", "syscalls": ["newfstatat"], '
        '"where": {"abspath": "$p"}},\n'
        '  {"name": "b", "syscalls": ["openat"], '
        '"where": {"abspath": "$p"}}]}]}\n')


def rules_check(ctx, rid, confirm):
    write(ctx, "rules.json",
          RULE.replace("ID", rid).replace("CONFIRM", confirm))
    return ctx.run(["rules", "check", "rules.json"])


def test_confirm_names_two_steps(ctx):
    for confirm in ('[1, "b"]', '["a", 2]', '["a"]', '"a"'):
        p = rules_check(ctx, "t-x", confirm)
        assert (p.returncode, p.stdout) == (2, ""), (confirm, p)
        assert p.stderr == ('fsrace: rules.json:2:12: "confirm" names two '
                            'steps\n'), (confirm, p.stderr)
    p = rules_check(ctx, "t-x", '["a", "b"]')
    assert (p.returncode, p.stdout, p.stderr) == \
        (0, "rules.json: 1 rule, ok\n", ""), p


def test_rule_id_characters(ctx):
    # lowercase letters, digits and '-': each end of each range
    for rid in ("a-z", "t-0", "t-9", "0-9"):
        p = rules_check(ctx, rid, '["a", "b"]')
        assert (p.returncode, p.stdout, p.stderr) == \
            (0, "rules.json: 1 rule, ok\n", ""), (rid, p)
    for rid in ("t-A", "t-Z", "t_x", "t/", "t:", "t`", "t{"):
        p = rules_check(ctx, rid, '["a", "b"]')
        assert (p.returncode, p.stdout) == (2, ""), (rid, p)
        assert p.stderr == ("fsrace: rules.json:1:19: a rule id is "
                            "lowercase letters, digits and '-'\n"), \
            (rid, p.stderr)


def analyze_text(ctx, trace, *extra):
    p = ctx.run(["analyze", "--no-default-rules", "-r", "rules.json",
                 "-f", "text", *extra, trace])
    assert p.stderr == "", p.stderr
    return p


def test_ignore_glob_with_a_leading_question_mark(ctx):
    # "?home/u/x" is one character then home/u/x: it is not the suffix
    # "home/u/x" (that would be "*home/u/x")
    trace = unlinks(ctx, ["/home/u/x", "/srv/home/u/x"])
    p = analyze_text(ctx, trace, "--ignore", "?home/u/x")
    assert (p.returncode, p.stdout) == (1, (
        "warning[t-unlink] unlinked /srv/home/u/x\n"
        "    hit      #2 pid 10 unlinkat(/srv/home/u/x) = 0\n"
        "\n"
        "1 finding (0 error, 1 warning, 0 note) in 2 events\n")), p.stdout
    p = analyze_text(ctx, trace, "--ignore", "*home/u/x")
    assert (p.returncode, p.stdout) == (
        0, "0 findings (0 error, 0 warning, 0 note) in 2 events\n"), p.stdout


def test_output_through_another_process_fd(ctx):
    # /proc/PID/fd/1 of another process is that process's file, opened
    # through the link (not fsrace's own fd 1)
    out = os.path.join(ctx.tmp, "other.txt")
    trace = unlinks(ctx, ["/home/u/x"])
    with open(out, "w") as f:
        other = subprocess.Popen(["sleep", "60"], stdout=f)
    try:
        p = ctx.run(["analyze", "--no-default-rules", "-r", "rules.json",
                     "-f", "text", "-o", f"/proc/{other.pid}/fd/1", trace])
    finally:
        other.kill()
        other.wait()
    assert (p.returncode, p.stdout, p.stderr) == (1, "", ""), p
    with open(out) as f:
        assert f.read() == (
            "warning[t-unlink] unlinked /home/u/x\n"
            "    hit      #1 pid 10 unlinkat(/home/u/x) = 0\n"
            "\n"
            "1 finding (0 error, 1 warning, 0 note) in 1 events\n")
