"""Where -o and --record write: regular files replaced whole through a
temporary, devices and FIFOs written in place, symlinks followed, '-' for
standard output; bad targets refused before anything runs; write errors
are exit 2. No test here writes to a real device: device nodes are made
with mknod in ctx.tmp."""
import json
import os
import signal
import stat
import subprocess
import threading
import time

from harness import Skip


def write(path, text, mode=None):
    with open(path, "w") as f:
        f.write(text)
    if mode is not None:
        os.chmod(path, mode)
    return path


def make_node(ctx, name, major, minor):
    """A character device node in ctx.tmp, like /dev/null (1, 3) or
    /dev/full (1, 7)."""
    path = os.path.join(ctx.tmp, name)
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(major, minor))
    except PermissionError:
        raise Skip("mknod needs root (CAP_MKNOD)")
    os.chmod(path, 0o666)
    return path


def assert_char_device(path, major, minor):
    st = os.lstat(path)
    assert stat.S_ISCHR(st.st_mode), f"{path} is no longer a device: {st}"
    assert (os.major(st.st_rdev), os.minor(st.st_rdev)) == (major, minor)
    assert stat.S_IMODE(st.st_mode) == 0o666, oct(st.st_mode)


def report_of(text):
    doc = json.loads(text)
    assert doc["tool"]["name"] == "fsrace", doc
    return doc


def others(ctx, *keep):
    """The entries of ctx.tmp other than KEEP: a temporary left behind."""
    return sorted(set(os.listdir(ctx.tmp)) - set(keep))


def small_trace(ctx):
    trace = os.path.join(ctx.tmp, "t.jsonl")
    p = ctx.run(["record", "-o", trace, "--", "/bin/true"])
    assert p.returncode == 0, p.stderr
    return trace


def test_device_node_is_written_in_place(ctx):
    nul = make_node(ctx, "nul", 1, 3)
    p = ctx.run(["run", "-f", "json", "-o", nul, "--", "/bin/true"])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    assert_char_device(nul, 1, 3)
    trace = small_trace(ctx)
    p = ctx.run(["analyze", "-o", nul, trace])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    p = ctx.run(["record", "-o", nul, "--", "/bin/true"])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    p = ctx.run(["run", "--record", nul, "-o", nul, "--", "/bin/true"])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    log = write(os.path.join(ctx.tmp, "x.log"),
                '1 12:00:00.000001 unlink("/tmp/x") = 0 <0.000010>\n')
    p = ctx.run(["import", "-o", nul, log])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    assert_char_device(nul, 1, 3)
    assert others(ctx, "nul", "t.jsonl", "x.log") == []


def test_fifo_is_written_in_place(ctx):
    fifo = os.path.join(ctx.tmp, "fifo")
    os.mkfifo(fifo)
    got = []

    def reader():
        with open(fifo) as f:
            got.append(f.read())

    th = threading.Thread(target=reader, daemon=True)
    th.start()
    p = ctx.run(["run", "-f", "json", "-o", fifo, "--", "/bin/true"],
                timeout=30)
    th.join(10)
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    assert not th.is_alive(), "the reader saw no end of file"
    doc = report_of(got[0])
    assert doc["input"] == {"kind": "run", "argv": ["/bin/true"],
                            "status": 0}, doc
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert others(ctx, "fifo") == []


def test_symlink_is_followed(ctx):
    real = write(os.path.join(ctx.tmp, "real.json"), "old\n", mode=0o640)
    os.mkdir(os.path.join(ctx.tmp, "sub"))
    link = os.path.join(ctx.tmp, "sub", "link")
    os.symlink("../real.json", link)
    chain = os.path.join(ctx.tmp, "chain")
    os.symlink("sub/link", chain)
    for out in (link, chain):
        write(real, "old\n")
        p = ctx.run(["run", "-f", "json", "-o", out, "--", "/bin/true"])
        assert (p.returncode, p.stderr) == (0, ""), p.stderr
        assert os.readlink(link) == "../real.json"
        assert os.readlink(chain) == "sub/link"
        assert os.path.islink(link) and os.path.islink(chain)
        with open(real) as f:
            assert report_of(f.read())["input"]["kind"] == "run"
        assert stat.S_IMODE(os.lstat(real).st_mode) == 0o640
    # a record trace goes through the link too
    p = ctx.run(["record", "-o", link, "--", "/bin/true"])
    assert p.returncode == 0, p.stderr
    assert os.path.islink(link)
    with open(real) as f:
        assert json.loads(f.readline())["type"] == "header"
    # a dangling link: its target is created
    os.unlink(real)
    p = ctx.run(["run", "-f", "json", "-o", link, "--", "/bin/true"])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    assert os.path.islink(link) and os.path.isfile(real)
    assert others(ctx, "real.json", "sub", "chain") == []
    assert os.listdir(os.path.join(ctx.tmp, "sub")) == ["link"]


def test_missing_dir_is_refused_before_the_program_runs(ctx):
    marker = os.path.join(ctx.tmp, "marker")
    for args, out in (
            (["run", "-o", "nodir/x.json", "--", "touch", marker],
             "nodir/x.json"),
            (["run", "--record", "nodir/t.jsonl", "--", "touch", marker],
             "nodir/t.jsonl"),
            (["record", "-o", "nodir/t.jsonl", "--", "touch", marker],
             "nodir/t.jsonl")):
        p = ctx.run(args)
        assert (p.returncode, p.stdout, p.stderr) == (
            2, "", f"fsrace: cannot create '{out}': No such file or "
                   "directory\n"), (args, p.stderr)
        assert not os.path.exists(marker), f"{args}: the program ran"
    # analyze and import check it before reading their input: the input
    # does not exist either, but the output is what is reported
    for cmd in ("analyze", "import"):
        p = ctx.run([cmd, "-o", "nodir/x.json", "missing.log"])
        assert (p.returncode, p.stderr) == (
            2, "fsrace: cannot create 'nodir/x.json': No such file or "
               "directory\n"), (cmd, p.stderr)
    assert os.listdir(ctx.tmp) == []


def test_bad_targets(ctx):
    d = os.path.join(ctx.tmp, "dir")
    os.mkdir(d)
    p = ctx.run(["run", "-o", d, "--", "/bin/true"])
    assert (p.returncode, p.stderr) == (
        2, f"fsrace: cannot write '{d}': Is a directory\n"), p.stderr
    notdir = write(os.path.join(ctx.tmp, "file"), "x")
    p = ctx.run(["record", "-o", "file/t.jsonl", "--", "/bin/true"])
    assert (p.returncode, p.stderr) == (
        2, "fsrace: cannot create 'file/t.jsonl': Not a directory\n"), \
        p.stderr
    if os.geteuid() != 0:
        ro = os.path.join(ctx.tmp, "ro")
        os.mkdir(ro, 0o555)
        p = ctx.run(["run", "-o", "ro/x.json", "--", "/bin/true"])
        assert (p.returncode, p.stderr) == (
            2, "fsrace: cannot create 'ro/x.json': Permission denied\n")
    assert others(ctx, "dir", "file", "ro") == []
    assert os.listdir(d) == [] and notdir


def test_dash_is_standard_output(ctx):
    trace = small_trace(ctx)
    p = ctx.run(["analyze", "-f", "json", "-o", "-", trace])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    assert report_of(p.stdout)["input"] == {"kind": "trace",
                                           "files": [trace]}
    p = ctx.run(["run", "-f", "json", "-o", "-", "--", "/bin/true"])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    assert report_of(p.stdout)["input"]["kind"] == "run"
    p = ctx.run(["record", "-o", "-", "--", "/bin/true"])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    assert json.loads(p.stdout.splitlines()[0])["type"] == "header"
    # /dev/stdout is standard output too, whatever it is (here a pipe)
    p = ctx.run(["analyze", "-f", "json", "-o", "/dev/stdout", trace])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    assert report_of(p.stdout)["input"]["kind"] == "trace"
    assert not os.path.exists(os.path.join(ctx.tmp, "-"))
    assert others(ctx, "t.jsonl") == []


def test_dev_stdout_onto_a_file_appends_where_the_shell_is(ctx):
    """/dev/stdout redirected to a file with >> is the shell's open file:
    written at its offset, never replaced or truncated."""
    trace = small_trace(ctx)
    log = write(os.path.join(ctx.tmp, "log"), "before\n")
    ino = os.stat(log).st_ino
    p = subprocess.run(["/bin/sh", "-c", '"$0" analyze -f json -o '
                        '/dev/stdout "$1" >> "$2"', ctx.fsrace, trace, log],
                       capture_output=True, text=True, timeout=60)
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    with open(log) as f:
        text = f.read()
    assert text.startswith("before\n{"), text[:80]
    report_of(text[len("before\n"):])
    assert os.stat(log).st_ino == ino


def test_new_file_mode_follows_umask(ctx):
    for mask, want in ((0o022, 0o644), (0o077, 0o600), (0o002, 0o664)):
        for args, out in (
                (["run", "-o", "r.json", "--", "/bin/true"], "r.json"),
                (["record", "-o", "t.jsonl", "--", "/bin/true"], "t.jsonl")):
            path = os.path.join(ctx.tmp, out)
            if os.path.exists(path):
                os.unlink(path)
            p = ctx.run(args, preexec_fn=lambda m=mask: os.umask(m))
            assert p.returncode == 0, p.stderr
            got = stat.S_IMODE(os.stat(path).st_mode)
            assert got == want, (args, oct(mask), oct(got))
    log = write(os.path.join(ctx.tmp, "x.log"),
                '1 12:00:00.000001 unlink("/tmp/x") = 0 <0.000010>\n')
    p = ctx.run(["import", "-o", "i.jsonl", log],
                preexec_fn=lambda: os.umask(0o027))
    assert p.returncode == 0, p.stderr
    assert stat.S_IMODE(os.stat(os.path.join(ctx.tmp, "i.jsonl")).st_mode) \
        == 0o640


def test_existing_file_keeps_its_mode(ctx):
    out = write(os.path.join(ctx.tmp, "f.json"), "previous\n", mode=0o604)
    ino = os.stat(out).st_ino
    p = ctx.run(["run", "-f", "json", "-o", out, "--", "/bin/true"],
                preexec_fn=lambda: os.umask(0o077))
    assert p.returncode == 0, p.stderr
    st = os.stat(out)
    assert stat.S_IMODE(st.st_mode) == 0o604, oct(st.st_mode)
    assert st.st_ino != ino, "written in place, not renamed over"
    with open(out) as f:
        assert report_of(f.read())["input"]["kind"] == "run"
    # a record trace is written in place, so it keeps its inode too
    trace = write(os.path.join(ctx.tmp, "t.jsonl"), "x" * 100000, 0o640)
    ino = os.stat(trace).st_ino
    p = ctx.run(["record", "-o", trace, "--", "/bin/true"])
    assert p.returncode == 0, p.stderr
    st = os.stat(trace)
    assert (stat.S_IMODE(st.st_mode), st.st_ino) == (0o640, ino)
    with open(trace) as f:
        lines = f.read().splitlines()
    assert all(json.loads(line) for line in lines)  # no stale tail
    assert others(ctx, "f.json", "t.jsonl") == []


def full_device(ctx):
    """A node like /dev/full in ctx.tmp, or the real one when mknod is
    not allowed (then nothing here could replace /dev/full either)."""
    try:
        return make_node(ctx, "full", 1, 7)
    except Skip:
        return "/dev/full"


def test_write_errors_are_exit_2(ctx):
    full = full_device(ctx)
    msg = f"fsrace: cannot write '{full}': No space left on device\n"
    p = ctx.run(["record", "-o", full, "--", "/bin/true"])
    assert (p.returncode, p.stderr) == (2, msg), (p.returncode, p.stderr)
    p = ctx.run(["run", "--record", full, "-o", "r.json", "--",
                 "/bin/true"])
    assert (p.returncode, p.stderr) == (2, msg), (p.returncode, p.stderr)
    p = ctx.run(["run", "-o", full, "--", "/bin/true"])
    assert (p.returncode, p.stderr) == (2, msg), (p.returncode, p.stderr)
    trace = small_trace(ctx)
    p = ctx.run(["analyze", "-o", full, trace])
    assert (p.returncode, p.stderr) == (2, msg), (p.returncode, p.stderr)
    # the report to a full standard output
    with open(full, "w") as stdout:
        p = subprocess.run([ctx.fsrace, "analyze", trace], stdout=stdout,
                           stderr=subprocess.PIPE, text=True, timeout=60)
    assert (p.returncode, p.stderr) == (
        2, "fsrace: cannot write to standard output: No space left on "
           "device\n"), p.stderr
    if full != "/dev/full":
        assert_char_device(full, 1, 7)
    assert others(ctx, "full", "r.json", "t.jsonl") == []


def test_import_into_missing_dir(ctx):
    log = write(os.path.join(ctx.tmp, "x.log"),
                '1 12:00:00.000001 unlink("/tmp/x") = 0 <0.000010>\n')
    p = ctx.run(["import", "-o", "nodir/t.jsonl", log])
    assert (p.returncode, p.stderr) == (
        2, "fsrace: cannot create 'nodir/t.jsonl': No such file or "
           "directory\n"), p.stderr
    assert os.listdir(ctx.tmp) == ["x.log"]


def big_strace_log(path, n):
    """N openat/close pairs of one process, a second apart every 10^6."""
    with open(path, "w") as f:
        for k in range(0, n, 10000):
            lines = []
            for i in range(k, min(n, k + 10000)):
                t = "12:%02d:%02d.%06d" % (i // 60000000 % 60,
                                           i // 1000000 % 60, i % 1000000)
                lines.append(
                    f'100 {t} openat(AT_FDCWD</w>, "f{i % 50}", O_RDONLY) '
                    f'= 3</w/f{i % 50}> <0.000010>\n'
                    f'100 {t} close(3</w/f{i % 50}>) = 0 <0.000001>\n')
            f.writelines(lines)
    return path


def kill_when(ctx, args, ready, sig):
    """Start fsrace ARGS, send SIG once READY() holds; its exit status."""
    def default_signals():
        # a job started in the background of a shell without job control
        # (a CI runner, nohup) inherits SIGINT ignored, and fsrace keeps
        # an ignored signal ignored: the test wants them as a terminal
        # gives them
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_DFL)

    p = subprocess.Popen([ctx.fsrace, *args], cwd=ctx.tmp,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         preexec_fn=default_signals)
    try:
        deadline = time.time() + 60
        while not ready():
            assert p.poll() is None, \
                f"fsrace ended ({p.returncode}) before the signal"
            assert time.time() < deadline, "never ready"
            time.sleep(0.002)
        p.send_signal(sig)
        p.wait(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    return p.returncode


def test_temporary_removed_on_signal(ctx):
    log = big_strace_log(os.path.join(ctx.tmp, "big.log"), 600000)
    out = os.path.join(ctx.tmp, "t.jsonl")

    def temp_growing():
        tmps = [n for n in os.listdir(ctx.tmp) if n.startswith(".t.jsonl.")]
        try:
            return tmps and os.path.getsize(os.path.join(ctx.tmp, tmps[0]))
        except FileNotFoundError:
            return False

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        rc = kill_when(ctx, ["import", "-o", out, log], temp_growing, sig)
        assert rc == -sig, (sig, rc)
        assert others(ctx, "big.log") == [], (sig, os.listdir(ctx.tmp))
    # the target that was there stays as it was
    write(out, "previous\n")
    rc = kill_when(ctx, ["import", "-o", out, log], temp_growing,
                   signal.SIGTERM)
    assert rc == -signal.SIGTERM, rc
    with open(out) as f:
        assert f.read() == "previous\n"
    assert others(ctx, "big.log", "t.jsonl") == []


def test_analyze_killed_leaves_report_untouched(ctx):
    gen = os.path.join(ctx.build, "bench", "gen_trace")
    if not os.access(gen, os.X_OK):
        raise Skip(f"{gen} is not built")
    trace = os.path.join(ctx.tmp, "big.jsonl")
    subprocess.run([gen, "-n", "500000", "-o", trace], check=True,
                   timeout=300, stdout=subprocess.DEVNULL)
    out = write(os.path.join(ctx.tmp, "r.json"), "previous\n")
    started = time.time()
    rc = kill_when(ctx, ["analyze", "-o", out, trace],
                   lambda: time.time() - started > 0.1, signal.SIGTERM)
    assert rc == -signal.SIGTERM, rc
    with open(out) as f:
        assert f.read() == "previous\n"
    assert others(ctx, "big.jsonl", "r.json") == []
