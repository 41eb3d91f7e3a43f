"""The text report, as `fsrace analyze -f text` prints it, whole: a
repeated finding's count, a failed call's errno, a rename's two paths,
the fix, a line per rule; on a terminal, the default, in colour unless
NO_COLOR."""
import json
import os
import pty

import harness

RULES = {"rules": [
    {"id": "gone-then-made", "title": "t", "severity": "error",
     "message": "{$p} checked then made", "fix": "use O_EXCL",
     "steps": [{"name": "check", "syscalls": ["newfstatat"],
                "where": {"abspath": "$p", "errno": "ENOENT"}},
               {"name": "make", "syscalls": ["openat"],
                "where": {"abspath": "$p"}}]},
    {"id": "renamed", "title": "t", "severity": "note",
     "message": "{$p} renamed",
     "steps": [{"name": "move", "syscalls": ["renameat2"],
                "where": {"abspath": "$p"}}]},
]}


def rec(**kw):
    r = {"type": "syscall", "pid": 7, "tid": 7, "dirfd": -100, "flags": []}
    r.update(kw)
    return json.dumps(r, separators=(",", ":"))


def setup(ctx):
    rules = harness.write_file(os.path.join(ctx.tmp, "r.json"),
                               json.dumps(RULES))
    lines = ['{"type":"header","format":"fsrace-trace","version":1}']
    seq = 1
    # the same finding twice: the paths differ only in digits
    for i in (1, 2):
        p = f"/d/new{i}"
        lines.append(rec(seq=seq, syscall="newfstatat", path=p, abspath=p,
                         ret=-1, errno="ENOENT"))
        lines.append(rec(seq=seq + 1, syscall="openat", path=p, abspath=p,
                         flags=["O_WRONLY", "O_CREAT"], mode=0o644, ret=3))
        seq += 2
    lines.append(rec(seq=seq, syscall="renameat2", path="a", abspath="/d/a",
                     newdirfd=-100, path2="b", abspath2="/d/b", ret=0))
    trace = harness.write_file(os.path.join(ctx.tmp, "t.jsonl"),
                               "\n".join(lines) + "\n")
    return rules, trace


TEXT = (
    "error[gone-then-made] /d/new1 checked then made [2 times]\n"
    "    check    #1 pid 7 newfstatat(/d/new1) = -1 ENOENT\n"
    "    make     #2 pid 7 openat(/d/new1) = 3\n"
    "    also     /d/new2\n"
    "    fix: use O_EXCL\n"
    "note[renamed] /d/a renamed\n"
    "    move     #5 pid 7 renameat2(/d/a -> /d/b) = 0\n"
    "\n"
    "  gone-then-made               1 error (2 times)\n"
    "  renamed                      1 note\n"
    "2 findings (1 error, 0 warning, 1 note) in 5 events\n")

COLOR = (
    "\033[1;31merror\033[1m[gone-then-made]\033[0m /d/new1 checked then "
    "made [2 times]\n"
    "    \033[2mcheck    #1 pid 7 newfstatat(/d/new1) = -1 ENOENT\033[0m\n"
    "    \033[2mmake     #2 pid 7 openat(/d/new1) = 3\033[0m\n"
    "    also     /d/new2\n"
    "    fix: use O_EXCL\n"
    "\033[36mnote\033[1m[renamed]\033[0m /d/a renamed\n"
    "    \033[2mmove     #5 pid 7 renameat2(/d/a -> /d/b) = 0\033[0m\n"
    "\n"
    "  gone-then-made               1 error (2 times)\n"
    "  renamed                      1 note\n"
    "2 findings (1 error, 0 warning, 1 note) in 5 events\n")


def on_a_terminal(args, env):
    """Run ARGS with a pty as stdin, stdout and stderr: (status, output
    with the terminal's \\r\\n turned back into \\n)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(args[0], args, env)
    out = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), \
        out.decode().replace("\r\n", "\n")


def test_text_report_whole(ctx):
    rules, trace = setup(ctx)
    p = ctx.run(["analyze", "--no-default-rules", "-r", rules, "-f", "text",
                 trace])
    assert (p.returncode, p.stderr) == (1, ""), p.stderr
    assert p.stdout == TEXT, p.stdout


def test_text_report_without_findings(ctx):
    rules, trace = setup(ctx)
    p = ctx.run(["analyze", "--no-default-rules", "-r", rules, "--disable",
                 "gone-then-made", "--disable", "renamed", "-f", "text",
                 trace])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    assert p.stdout == "0 findings (0 error, 0 warning, 0 note) in 5 " \
        "events\n", p.stdout


def test_terminal_gets_colour_text(ctx):
    """On a terminal the default format is text, in colour; NO_COLOR
    keeps the text and drops the colour; -f json stays JSON."""
    rules, trace = setup(ctx)
    args = [ctx.fsrace, "analyze", "--no-default-rules", "-r", rules, trace]
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    status, out = on_a_terminal(args, env)
    assert (status, out) == (1, COLOR), out
    status, out = on_a_terminal(args, dict(env, NO_COLOR="1"))
    assert (status, out) == (1, TEXT), out
    status, out = on_a_terminal(args[:2] + ["-f", "json"] + args[2:], env)
    assert status == 1
    doc = json.loads(out)
    assert [(f["rule"], f["count"]) for f in doc["findings"]] == \
        [("gone-then-made", 2), ("renamed", 1)], doc
