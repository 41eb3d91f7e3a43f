"""Edges of the strace importer that only a whole run shows: how a log is
told from other files (a directory, a sixth line), a log's ".N" suffix
that is not a pid, and a log whose size stat() does not know
(a /proc file), read to its end all the same."""
import os
import subprocess
import sys

from harness import write_file

# a hang is a failure, not a two-minute wait
TIMEOUT = 20


def import_and_dump(ctx, log):
    """fsrace import -o out.jsonl LOG, then fsrace dump of it."""
    p = ctx.run(["import", "-o", "out.jsonl", log], timeout=TIMEOUT)
    assert (p.returncode, p.stdout, p.stderr) == (0, "", ""), p
    d = ctx.run(["dump", "out.jsonl"], timeout=TIMEOUT)
    assert (d.returncode, d.stderr) == (0, ""), d
    return d.stdout


def test_import_directory_is_a_read_error(ctx):
    """A directory opens but cannot be read: the error, at once."""
    os.mkdir(os.path.join(ctx.tmp, "logs"))
    for args in (["analyze", "logs"], ["import", "-o", "out.jsonl", "logs"]):
        p = ctx.run(args, timeout=TIMEOUT)
        assert (p.returncode, p.stdout) == (2, ""), (args, p)
        assert p.stderr == "fsrace: cannot read 'logs': Is a directory\n", \
            (args, p)
    assert not os.path.exists(os.path.join(ctx.tmp, "out.jsonl"))


def test_import_detect_looks_at_five_lines(ctx):
    """Five lines that are not strace's make a file not a log, whatever
    the lines after them look like."""
    write_file(os.path.join(ctx.tmp, "notes"),
               "hello\nthere\none\ntwo\nthree\n"
               "close(3) = 0\nclose(4) = 0\n")
    p = ctx.run(["analyze", "notes"], timeout=TIMEOUT)
    assert (p.returncode, p.stdout) == (2, ""), p
    assert p.stderr == ("fsrace: notes: unknown format, not an fsrace "
                        "trace nor a strace log\n"), p


def test_import_pid_suffix_is_all_digits(ctx):
    """A single log's ".N" suffix is the last guess at its lines' pid,
    only when all of the suffix is digits: "log.42" is pid 42's,
    "log.42x" and "log.x42" no one's."""
    for name, pid in (("log.42", "42"), ("log.42x", "0"), ("log.x42", "0")):
        write_file(os.path.join(ctx.tmp, name),
                   "close(3) = 0\nclose(4) = 0\n")
        assert import_and_dump(ctx, name) == (
            "%-6s 00:00:00.000000 close(3) = ?\n"
            "%-6s 00:00:00.000000 close(4) = ?\n" % (pid, pid)), name


def test_import_log_of_unknown_size(ctx):
    """/proc/PID/comm has st_size 0: the pid guess reads it to its end
    and stops there (a process named like a strace line makes it one)."""
    child = subprocess.Popen(
        [sys.executable, "-c",
         "open('/proc/self/comm', 'w').write('close(3) = 0')\n"
         "import sys, time\nprint('ok', flush=True)\ntime.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "ok\n"
        comm = "/proc/%d/comm" % child.pid
        assert os.stat(comm).st_size == 0
        assert import_and_dump(ctx, comm) == (
            "0      00:00:00.000000 close(3) = ?\n")
    finally:
        child.kill()
        child.wait()


def test_import_keeps_an_unknown_errno_name(ctx):
    """An errno name this kernel's tables lack (a log from another one),
    and a failure with no errno at all: whatever import writes, dump and
    analyze read, and the name reaches the rules (issue 12)."""
    import json
    write_file(os.path.join(ctx.tmp, "t.log"),
               '7 openat(AT_FDCWD, "/w/a", O_RDONLY) = -1 EWEIRD (Weird)\n'
               '7 openat(AT_FDCWD, "/w/b", O_RDONLY) = -1\n')
    out = import_and_dump(ctx, "t.log")
    lines = [line[line.index("openat("):] for line in out.splitlines()
             if "openat(" in line]
    assert lines == [
        'openat(AT_FDCWD, "/w/a", O_RDONLY) = -1 EWEIRD',
        'openat(AT_FDCWD, "/w/b", O_RDONLY) = -1'], out
    with open(os.path.join(ctx.tmp, "out.jsonl")) as f:
        recs = [json.loads(line) for line in f if '"openat"' in line]
    assert [(r["ret"], r.get("errno")) for r in recs] == [
        (-1, "EWEIRD"), (-1, None)], recs
    write_file(os.path.join(ctx.tmp, "r.json"), json.dumps({"rules": [{
        "id": "weird", "title": "t", "severity": "warning",
        "message": "{o.syscall}('{o.abspath}') failed with {o.errno}",
        "steps": [{"name": "o", "syscalls": ["@open"],
                   "where": {"errno": "EWEIRD"}}]}]}))
    for trace in ("out.jsonl", "t.log"):
        p = ctx.run(["analyze", "--no-default-rules", "-r", "r.json", "-f",
                     "json", trace], timeout=TIMEOUT)
        assert p.returncode == 1, p.stderr
        assert [f["message"] for f in json.loads(p.stdout)["findings"]] == \
            ["openat('/w/a') failed with EWEIRD"], p.stdout


def test_strace_reader_bounds_a_line(ctx):
    """/dev/zero as a strace log: the native reader's bound on a line,
    an error naming the file and line, exit 2, no output (issue 12)."""
    p = ctx.run(["analyze", "--input-format", "strace", "/dev/zero"],
                timeout=TIMEOUT)
    assert (p.returncode, p.stdout, p.stderr) == (
        2, "", "fsrace: /dev/zero:1: line longer than 256 MiB\n"), p
    # import looks at the first lines first: no log
    p = ctx.run(["import", "-o", "out.jsonl", "/dev/zero"], timeout=TIMEOUT)
    assert (p.returncode, p.stdout, p.stderr) == (
        2, "", "fsrace: /dev/zero: unknown format, not an fsrace trace nor "
        "a strace log\n"), p
    assert not os.path.exists(os.path.join(ctx.tmp, "out.jsonl"))
