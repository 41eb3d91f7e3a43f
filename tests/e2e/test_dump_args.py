"""`fsrace dump` shows a syscall's own arguments, as strace would, and
nothing else: a field the record carries but the call does not take (a
trace written by another version, or by hand) does not show up as an
argument or as a <decoration> of one."""
import json
import os

HEADER = '{"type":"header","format":"fsrace-trace","version":1}'


def dump(ctx, *records):
    path = os.path.join(ctx.tmp, "t.jsonl")
    with open(path, "w") as f:
        f.write(HEADER + "\n")
        for seq, r in enumerate(records, 1):
            f.write(json.dumps(dict(seq=seq, type="syscall", pid=9, tid=9,
                                    **r)) + "\n")
    p = ctx.run(["dump", path], env=dict(os.environ, TZ="UTC"))
    assert (p.returncode, p.stderr) == (0, ""), (p.returncode, p.stderr)
    return p.stdout


def test_stray_target_is_no_decoration_of_the_xattr_name(ctx):
    # "target" follows "xattr" in the field table; setxattr takes none
    out = dump(ctx,
               dict(syscall="setxattr", path="f", abspath="/w/f",
                    xattr="user.x", target="stray", ret=0),
               dict(syscall="symlinkat", target="t", dirfd=-100,
                    dirfd_path="/w", path="l", abspath="/w/l", ret=0))
    assert out == (
        '9      00:00:00.000000 setxattr("f"</w/f>, "user.x") = 0\n'
        '9      00:00:00.000000 symlinkat("t", AT_FDCWD</w>, "l"</w/l>)'
        ' = 0\n'), out


def test_time_of_day_and_microseconds_of_a_real_timestamp(ctx):
    # 2023-11-14T22:13:20.123456789Z: the clock time and the microseconds
    # of the nanoseconds since the epoch, as strace -tt prints them
    out = dump(ctx, dict(syscall="chdir", path="/", abspath="/", ret=0,
                         ts_enter=1_700_000_000_123_456_789,
                         ts_exit=1_700_000_000_123_456_789))
    assert out == '9      22:13:20.123456 chdir("/") = 0\n', out
