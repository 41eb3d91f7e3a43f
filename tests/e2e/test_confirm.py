"""fsrace run --confirm (issue 11): the program is run again with a decoy
swapped in at each check-then-use under the confirm directory, and what
it then does is the verdict: shutil.copyfile reads the decoy (accepted);
coreutils cp and a C program that compares its fstat with the check
notice (noticed); an exclusive create fails on the squatted name
(refused); an lstat, then an open that follows, gets a symlink. After
each, the user's file is back, same inode and content, and no decoy is
left. fsrace killed in the middle of a swap: fsrace confirm --recover
puts it back. The safety rules refuse what they must, before anything
runs."""
import json
import os
import re
import shutil
import signal
import subprocess
import time

import harness

PY = "/usr/bin/python3"


def workspace(ctx, name="w"):
    d = os.path.join(ctx.tmp, name)
    os.makedirs(d)
    return d


def ident(path):
    st = os.stat(path, follow_symlinks=False)
    return (st.st_dev, st.st_ino, st.st_mode, st.st_size)


def confirm(ctx, w, argv, *opts):
    """fsrace run --confirm under W: (process, findings document)."""
    js = os.path.join(ctx.tmp, "f.json")
    if os.path.exists(js):
        os.unlink(js)
    p = ctx.run(["run", "--confirm", "--confirm-under", w, "--fail-on",
                 "none", "-o", js, "-o", "text:-", *opts, "--", *argv],
                cwd=w)
    doc = harness.read_findings(js)
    harness.check_findings_schema(doc)
    return p, doc


def wait_swapped(journal, path, before, timeout=60):
    """Until the journal has a swap and PATH no longer holds BEFORE."""
    end = time.time() + timeout
    while time.time() < end:
        if os.path.exists(journal) and '"swap"' in open(journal).read() \
                and ident(path) != before:
            return
        time.sleep(0.05)
    raise AssertionError("no swap made")


def leftovers(w):
    return [n for n in os.listdir(w) if n.startswith(".fsrace-")]


def journal_of(stderr):
    m = re.search(r"the journal is (\S+)\n", stderr)
    assert m, stderr
    return m.group(1)


def test_confirm_shutil_copyfile_accepted(ctx):
    ctx.openat2()
    w = workspace(ctx)
    src = os.path.join(w, "src")
    harness.write_file(src, "original\n")
    before = ident(src)
    p, doc = confirm(ctx, w, [PY, "-c",
                              "import shutil; shutil.copyfile('src', 'dst')"])
    assert p.returncode == 0, p.stderr
    f, = [f for f in doc["findings"] if f["rule"] == "check-then-use"]
    assert f["exploit"] == {
        "swap": "exchange", "path": src, "result": "accepted",
        "evidence": "the program moved the decoy's data through the "
        "descriptor", "restored": True}, f
    assert ("    confirm  fsrace put a different file at "
            f"{src} between the check and the use; the program moved the "
            "decoy's data through the descriptor: accepted\n") in p.stdout
    # the user's file is back, and nothing of fsrace's is left
    assert ident(src) == before
    with open(src) as fh:
        assert fh.read() == "original\n"
    assert leftovers(w) == []
    assert not os.path.exists(journal_of(p.stderr))


def test_confirm_cp_noticed(ctx):
    """cp compares the fstat of what it opened with what it stat'ed, and
    refuses: the verdict says the program noticed, by its exit status
    against the run without the swap."""
    ctx.openat2()
    w = workspace(ctx)
    src = os.path.join(w, "src")
    harness.write_file(src, "original\n")
    before = ident(src)
    p, doc = confirm(ctx, w, ["cp", "src", "dst"],
                     "--no-default-suppressions")
    assert p.returncode == 0, p.stderr
    assert ("cp: skipping file 'src', as it was replaced while being "
            "copied\n") in p.stderr
    f, = [f for f in doc["findings"] if f["rule"] == "check-then-use"]
    assert f["exploit"]["result"] == "noticed", f["exploit"]
    assert f["exploit"]["evidence"] == (
        "the descriptor was closed unused, and the program then exited 1 "
        "(0 without the swap)")
    assert ident(src) == before and leftovers(w) == []


def test_confirm_compared_fstat_noticed(ctx):
    """A C program that opens with O_NOFOLLOW and compares its fstat: no
    finding (the pattern is the verified one), and the confirm run shows
    that it does verify."""
    ctx.openat2()
    w = workspace(ctx)
    data = os.path.join(w, "data")
    harness.write_file(data, "hello\n")
    before = ident(data)
    p, doc = confirm(ctx, w, [ctx.fixture("rule-confirm-verify")])
    assert p.returncode == 0, p.stderr
    assert "data was replaced\n" in p.stderr
    assert doc["confirmed_without_finding"] == [{
        "swap": "exchange", "path": data, "result": "noticed",
        "evidence": "the descriptor was closed unused, and the program "
        "then exited 1 (0 without the swap)", "restored": True}], doc
    assert ("confirm, no finding: fsrace put a different file at "
            f"{data} between the check and the use; the descriptor was "
            "closed unused, and the program then exited 1 (0 without the "
            "swap): noticed\n") in p.stdout
    assert ident(data) == before and leftovers(w) == []


def test_confirm_exclusive_create_refused(ctx):
    ctx.openat2()
    w = workspace(ctx)
    p, doc = confirm(ctx, w, [ctx.fixture("rule-confirm-excl")])
    assert p.returncode == 0, p.stderr
    assert "new exists\n" in p.stderr
    new = os.path.join(w, "new")
    assert doc["confirmed_without_finding"] == [{
        "swap": "squat", "path": new, "result": "refused",
        "evidence": "the open failed with EEXIST", "restored": True}], doc
    # the squatter is gone: the name is free, as before
    assert not os.path.exists(new) and leftovers(w) == []


def test_confirm_lstat_then_follow_symlink(ctx):
    """An lstat, then an open that follows symlinks: a symlink to the
    decoy is exchanged in, and the program reads through it."""
    ctx.openat2()
    w = workspace(ctx)
    data = os.path.join(w, "data")
    harness.write_file(data, "hello\n")
    before = ident(data)
    p, doc = confirm(ctx, w, [PY, "-c",
                              "import os\nos.lstat('data')\n"
                              "print(open('data').read(), end='')"])
    assert p.returncode == 0, p.stderr
    f, = [f for f in doc["findings"] if f["rule"] == "lstat-then-follow"]
    assert (f["exploit"]["swap"], f["exploit"]["result"],
            f["exploit"]["restored"]) == ("symlink", "accepted", True), f
    # the confirm run's program read the decoy: its content and marker
    assert re.search(r"hello\nhello\nfsrace-confirm-decoy 1 \d+\n",
                     p.stdout), p.stdout
    assert ident(data) == before and leftovers(w) == []


def test_confirm_only_the_findings_named(ctx):
    ctx.openat2()
    w = workspace(ctx)
    src = os.path.join(w, "src")
    harness.write_file(src, "original\n")
    argv = [PY, "-c", "import shutil; shutil.copyfile('src', 'dst')"]
    p, doc = confirm(ctx, w, argv, "--confirm=0000,ffff")
    assert all("exploit" not in f for f in doc["findings"]), doc
    assert "no such finding under" in p.stderr
    fp = next(f["fingerprint"] for f in doc["findings"]
              if f["rule"] == "check-then-use")
    p = ctx.run(["run", f"--confirm={fp[:6]}", "--confirm-under", w,
                 "--fail-on", "none", "-o", os.path.join(ctx.tmp, "g.json"),
                 "--", *argv], cwd=w)
    doc = harness.read_findings(os.path.join(ctx.tmp, "g.json"))
    got = [(f["rule"], f.get("exploit", {}).get("result"))
           for f in doc["findings"]]
    assert ("check-then-use", "accepted") in got, got
    assert all(r is None for rule, r in got if rule != "check-then-use")


def test_confirm_killed_then_recovered(ctx):
    """fsrace killed while a decoy is in place (the use held there by
    --widen): the journal says what was swapped, and fsrace confirm
    --recover puts it back."""
    ctx.openat2()
    w = workspace(ctx)
    data = os.path.join(w, "data")
    harness.write_file(data, "hello\n")
    before = ident(data)
    journal = os.path.join(ctx.tmp, "j.journal")
    proc = subprocess.Popen(
        [ctx.fsrace, "run", "--confirm", "--confirm-under", w,
         "--confirm-journal", journal, "--widen", "10s", "--",
         ctx.fixture("rule-confirm-verify")], cwd=w,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_swapped(journal, data, before)
        # the decoy is at the name now
        assert leftovers(w)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    with open(journal) as fh:
        rec = json.loads(fh.readline())
    assert (rec["kind"], rec["name"], rec["target_ino"]) == (
        "exchange", "data", before[1]), rec
    p = ctx.run(["confirm", "--recover", journal])
    assert (p.returncode, p.stdout, p.stderr) == (
        0, f"{data}: put back (the decoy is removed)\n", ""), p
    assert ident(data) == before and leftovers(w) == []
    with open(data) as fh:
        assert fh.read() == "hello\n"
    # again: nothing left to do
    p = ctx.run(["confirm", "--recover", journal])
    assert (p.returncode, p.stdout) == (0, f"{data}: in its place "
                                        "already\n"), p


def test_confirm_recover_errors(ctx):
    bad = os.path.join(ctx.tmp, "bad.journal")
    harness.write_file(bad, "not json\n{}\n")
    p = ctx.run(["confirm", "--recover", bad])
    assert (p.returncode, p.stderr) == (
        2, f"fsrace: {bad}:1: not a journal record\n"), p
    p = ctx.run(["confirm", "--recover", os.path.join(ctx.tmp, "nope")])
    assert p.returncode == 2 and "nope" in p.stderr, p
    p = ctx.run(["confirm"])
    assert p.returncode == 2 and p.stderr.startswith(
        "usage: fsrace confirm --recover JOURNAL\n"), p
    # a journal others can write is not followed
    open_j = os.path.join(ctx.tmp, "open.journal")
    harness.write_file(open_j, "")
    os.chmod(open_j, 0o666)
    p = ctx.run(["confirm", "--recover", open_j])
    assert (p.returncode, p.stderr) == (
        2, f"fsrace: {open_j}: not a journal of this user's (a regular "
        "file, owned by them, writable by no one else)\n"), p


def test_confirm_recover_trusts_only_its_own(ctx):
    """A journal is data: a record that names another file than fsrace's
    own (a path in the name, a decoy not of fsrace's names, a file at the
    recorded inode without the decoy's marker) removes nothing."""
    ctx.openat2()
    w = workspace(ctx)
    victim = os.path.join(w, "victim")
    harness.write_file(victim, "precious\n")
    st = os.stat(victim)
    sub = workspace(ctx, "w/sub")
    base = {"swap": 1, "pid": 4242, "dir": sub, "link": "",
            "dev": st.st_dev, "target_ino": 1, "link_ino": 0}
    records = [
        # a path, not a name
        dict(base, kind="squat", name="../victim",
             decoy=".fsrace-decoy-4242-1", decoy_ino=st.st_ino),
        # not a decoy's name
        dict(base, kind="exchange", name="x", decoy="../victim",
             decoy_ino=st.st_ino),
        # the right name and inode, but not a decoy: no marker in it
        dict(base, kind="squat", dir=w, name="victim",
             decoy=".fsrace-decoy-4242-1", decoy_ino=st.st_ino),
    ]
    j = os.path.join(ctx.tmp, "evil.journal")
    harness.write_file(j, "".join(json.dumps(r) + "\n" for r in records))
    os.chmod(j, 0o600)
    p = ctx.run(["confirm", "--recover", j])
    assert p.returncode == 1, p
    assert p.stdout.splitlines() == [
        "a swap record that is not one fsrace writes: left as it is",
        "a swap record that is not one fsrace writes: left as it is",
        f"{victim}: not the decoy fsrace put there: left as it is"], p
    with open(victim) as fh:
        assert fh.read() == "precious\n"
    # a torn line does not stop the rest: the good record still counts
    harness.write_file(j, json.dumps(records[2]) + "\n{\"swap\": 2, \"ki\n")
    os.chmod(j, 0o600)
    p = ctx.run(["confirm", "--recover", j])
    assert p.returncode == 1, p
    assert p.stderr == (f"fsrace: warning: {j}:2: 1 line that is not a "
                        "journal record, skipped\n"), p
    assert os.path.exists(victim)


def test_confirm_safety_rules(ctx):
    """What a confirm run may not touch is refused before the program
    runs (a marker it would make is not there)."""
    ctx.openat2()
    w = workspace(ctx)
    marker = os.path.join(ctx.tmp, "ran")
    prog = ["/bin/sh", "-c", f": > {marker}"]
    link = os.path.join(ctx.tmp, "link")
    os.symlink(w, link)
    other = workspace(ctx, "other")
    os.chown(other, 65534, 65534)
    cases = [
        (["--confirm"], "--confirm needs --confirm-under DIR: the directory "
         "it may swap files in"),
        (["--confirm-under", w], "--confirm-under, --confirm-any-owner and "
         "--confirm-journal go with --confirm"),
        (["--confirm", "--confirm-under", "/"],
         "--confirm-under /: not the whole file system"),
        (["--confirm", "--confirm-under", "/usr/share"],
         "--confirm-under /usr/share: a system directory (/usr)"),
        (["--confirm", "--confirm-under", "/etc"],
         "--confirm-under /etc: a system directory (/etc)"),
        (["--confirm", "--confirm-under", link],
         f"--confirm-under {link}: the path crosses a symlink (it is {w}): "
         "give that"),
        (["--confirm", "--confirm-under", other],
         f"--confirm-under {other}: not the invoking user's "
         "(--confirm-any-owner)"),
        (["--confirm", "--confirm-under", w, "--confirm-journal",
          os.path.join(w, "j")],
         f"--confirm-journal {w}/j: inside the confirm directory, where "
         "the program could change it"),
        (["--confirm", "--confirm-under", os.path.join(ctx.tmp, "nodir")],
         f"--confirm-under {ctx.tmp}/nodir: No such file or directory"),
        (["--confirm", "--confirm-under", "/var"],
         "--confirm-under /var: it holds a system directory (/var/lib)"),
        (["--confirm", "--confirm-under", "/tmp"],
         "--confirm-under /tmp: every user's files are there: give a "
         "directory of your own in it"),
        (["--confirm", "--confirm-under", w, "--confirm-journal", "j"],
         "--confirm-journal j: inside the confirm directory, where the "
         "program could change it"),
    ]
    for opts, msg in cases:
        p = ctx.run(["run", *opts, "--", *prog], cwd=w)
        assert (p.returncode, p.stderr) == (2, f"fsrace: {msg}\n"), (opts, p)
        assert not os.path.exists(marker), opts
    # --confirm-any-owner lets the other user's directory be used
    p = ctx.run(["run", "--confirm", "--confirm-under", other,
                 "--confirm-any-owner", "--", *prog], cwd=w)
    assert p.returncode == 0, p.stderr
    # analyze has no confirm run
    p = ctx.run(["analyze", "--confirm", "x.jsonl"])
    assert p.returncode == 2, p
    # and the configuration file has no key for it
    harness.write_file(os.path.join(w, "fsrace.json"),
                       json.dumps({"confirm": True}))
    p = ctx.run(["run", "--", "/bin/true"], cwd=w)
    assert p.returncode == 2 and "fsrace.json" in p.stderr, p


def test_confirm_sigterm_puts_back(ctx):
    """SIGTERM to fsrace while a decoy is in place (the use held there by
    --widen 30s): the held use is let go, the program ends on the
    signal, the swap is put back, at once; nothing is left for
    --recover."""
    ctx.openat2()
    w = workspace(ctx)
    data = os.path.join(w, "data")
    harness.write_file(data, "hello\n")
    before = ident(data)
    journal = os.path.join(ctx.tmp, "j.journal")
    proc = subprocess.Popen(
        [ctx.fsrace, "run", "--confirm", "--confirm-under", w,
         "--confirm-journal", journal, "--widen", "30s", "--",
         ctx.fixture("rule-confirm-verify")], cwd=w,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_swapped(journal, data, before)
        start = time.time()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        took = time.time() - start
    finally:
        if proc.poll() is None:
            proc.kill()
    # not the 30 s of the hold: the signal ended it
    assert took < 10, (took, err)
    # the report is the first run's (status 0); the verdict says the
    # confirm run was cut short, not that the program noticed
    assert proc.returncode == 0, (proc.returncode, err)
    assert ("the program ended without using the descriptor, and the "
            "confirm run was then interrupted: inconclusive") in err, err
    assert ident(data) == before and leftovers(w) == [], err
    # every swap was put back: the journal is gone
    assert not os.path.exists(journal), err


def test_confirm_not_after_ctrl_c(ctx):
    """Ctrl-C (SIGINT to the process group) during the first run: no
    confirm run, nothing swapped."""
    ctx.openat2()
    w = workspace(ctx)
    data = os.path.join(w, "data")
    harness.write_file(data, "hello\n")
    before = ident(data)
    journal = os.path.join(ctx.tmp, "j.journal")
    proc = subprocess.Popen(
        [ctx.fsrace, "run", "--confirm", "--confirm-under", w,
         "--confirm-journal", journal, "--widen", "30s", "--",
         ctx.fixture("rule-confirm-verify")], cwd=w,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    try:
        # the first run's use is held: the check has been made
        time.sleep(1.5)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "fsrace: warning: --confirm: the run was interrupted: no " \
        "confirm run\n" in err, err
    assert "confirm run: the program again" not in err
    assert not os.path.exists(journal)
    assert ident(data) == before and leftovers(w) == []


def test_confirm_without_openat2(ctx):
    """A kernel without openat2(2) (before 5.6), made here by strace
    failing fsrace's own openat2 with ENOSYS: --confirm refuses before
    the program runs, and says why."""
    if not shutil.which("strace"):
        raise harness.Skip("strace is not installed")
    w = workspace(ctx)
    harness.write_file(os.path.join(w, "src"), "original\n")
    js = os.path.join(ctx.tmp, "f.json")
    p = subprocess.run(
        ["strace", "-o", os.path.join(ctx.tmp, "strace.out"),
         "-e", "trace=openat2", "-e", "inject=openat2:error=ENOSYS",
         ctx.fsrace, "run", "--confirm", "--confirm-under", w,
         "--fail-on", "none", "-o", js, "--", "cp", "src", "dst"],
        cwd=w, capture_output=True, text=True, timeout=120,
        # LeakSanitizer cannot work under strace's ptrace
        env=dict(os.environ, ASAN_OPTIONS=os.environ.get(
            "ASAN_OPTIONS", "") + ":detect_leaks=0"))
    assert (p.returncode, p.stdout, p.stderr) == (
        2, "", "fsrace: --confirm: openat2(2) is not available here, and "
        f"--confirm needs it to stay within {w}\n"), p
    assert sorted(os.listdir(w)) == ["src"]
    assert not os.path.exists(js)
