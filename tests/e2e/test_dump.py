"""`fsrace dump` on hand-written traces: the exact line of each kind of
event, as strace would print it (docs/trace-format.md gives the records;
the lines are strace's: quoted and escaped strings, fd<path>
decorations, flag names joined by |, errno name and text, +++ lines)."""
import json
import os

HEADER = '{"type":"header","format":"fsrace-trace","version":1}'
# a name with every character the quoting treats apart: " \ newline tab,
# a control character, a UTF-8 letter (two bytes above 0x7e)
ODD = 'a"b\\c\nd\te\x01f\u00e9g'
ODD_SHOWN = 'a\\"b\\\\c\\nd\\te\\x01f\\xc3\\xa9g'


def dump(ctx, records):
    path = os.path.join(ctx.tmp, "t.jsonl")
    with open(path, "w") as f:
        f.write(HEADER + "\n")
        for seq, r in enumerate(records, 1):
            f.write(json.dumps(dict(seq=seq, **r)) + "\n")
    p = ctx.run(["dump", path], env=dict(os.environ, TZ="UTC"))
    assert (p.returncode, p.stderr) == (0, ""), (p.returncode, p.stderr)
    return p.stdout


def sc(name, ts=1_000_000, took=1000, pid=10, tid=10, **kw):
    return dict(type="syscall", pid=pid, tid=tid, ts_enter=ts,
                ts_exit=ts + took, syscall=name, **kw)


def test_dump_quotes_and_escapes_paths(ctx):
    out = dump(ctx, [
        sc("openat", dirfd=-100, path=ODD, abspath="/home/u/" + ODD,
           flags=["O_WRONLY", "O_CREAT", "O_EXCL", "O_CLOEXEC"], mode=0o644,
           ret=3, ret_path="/home/u/" + ODD),
    ])
    assert out == (
        f'10     00:00:00.001000 openat(AT_FDCWD, "{ODD_SHOWN}"'
        f'</home/u/{ODD_SHOWN}>, O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC, 0644)'
        f' = 3</home/u/{ODD_SHOWN}> <0.000001>\n'), out


def test_dump_plain_path_is_not_escaped(ctx):
    out = dump(ctx, [
        sc("newfstatat", dirfd=-100, path="r.txt", abspath="/home/u/r.txt",
           flags=["AT_SYMLINK_NOFOLLOW"], ret=0),
    ])
    assert out == ('10     00:00:00.001000 newfstatat(AT_FDCWD, "r.txt"'
                   '</home/u/r.txt>, AT_SYMLINK_NOFOLLOW) = 0 <0.000001>\n'), \
        out


def test_dump_dirfd_number_and_errno(ctx):
    out = dump(ctx, [
        sc("unlinkat", ts=2_000_000, took=2000, dirfd=3, dirfd_path="/home/u",
           path="x", abspath="/home/u/x", flags=[], ret=-1, errno="ENOENT"),
        sc("openat", ts=3_000_000, dirfd=4, dirfd_path="/srv", path="y",
           abspath="/srv/y", flags=["O_RDWR", "O_TMPFILE"], mode=0o600,
           ret=5),
        sc("openat", ts=4_000_000, dirfd=-100, path="z", abspath="/srv/z",
           flags=["O_WRONLY", "O_TMPFILE"], mode=0o600, ret=6),
    ])
    assert out == (
        '10     00:00:00.002000 unlinkat(3</home/u>, "x"</home/u/x>, 0)'
        ' = -1 ENOENT (No such file or directory) <0.000002>\n'
        '10     00:00:00.003000 openat(4</srv>, "y"</srv/y>,'
        ' O_RDWR|O_TMPFILE, 0600) = 5 <0.000001>\n'
        '10     00:00:00.004000 openat(AT_FDCWD, "z"</srv/z>,'
        ' O_WRONLY|O_TMPFILE, 0600) = 6 <0.000001>\n'), out


def test_dump_forks_and_exits(ctx):
    out = dump(ctx, [
        dict(type="fork", ts=1_000_000, pid=10, tid=10, syscall="clone",
             child_pid=11, child_tid=11, kind="process"),
        dict(type="fork", ts=2_000_000, pid=10, tid=10, syscall="clone",
             child_pid=10, child_tid=12, kind="thread",
             shares=["files", "fs"]),
        dict(type="exit", ts=3_000_000, pid=10, tid=12, status=0),
        dict(type="exit", ts=4_000_000, pid=11, tid=11, signal="SIGSEGV",
             core_dumped=True),
        dict(type="exit", ts=5_000_000, pid=10, tid=10, signal="SIGKILL"),
    ])
    assert out == (
        "10     00:00:00.001000 +++ child 11/11 (process) +++\n"
        "10     00:00:00.002000 +++ thread 10/12"
        " (thread, shares files, shares fs) +++\n"
        "10/12 00:00:00.003000 +++ exited with 0 +++\n"
        "11     00:00:00.004000 +++ killed by SIGSEGV (core dumped) +++\n"
        "10     00:00:00.005000 +++ killed by SIGKILL +++\n"), out
