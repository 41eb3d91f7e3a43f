"""The strace options the importer reads, on strace's real output: one
small shell script runs under `strace -f` with each option (timestamps,
-T, -i, -n, -Y, -X raw and verbose, -ff), and `fsrace dump` of
`fsrace import` of each log must give the events of the plain log:
the same calls, paths, results and processes (pids numbered in order of
appearance, the time column dropped). The lines of each form are
checked one by one in tests/import-corpus/ (test-strace); this checks
that those forms are the ones strace 6 writes."""
import os
import re
import shutil
import subprocess

from harness import Skip

# cd, a file written, renamed, read by a child, removed; a fork each
SCRIPT = ("cd \"$1\" && echo x > a && mv a b && cat b > /dev/null && "
          "rm b && (exit 3)")
TRACE = ("-e", "trace=openat,close,dup2,fcntl,chdir,rename,renameat,"
         "renameat2,unlink,unlinkat,execve,clone,clone3,vfork,fork,"
         "newfstatat,exit_group")


def need_strace():
    if not shutil.which("strace"):
        raise Skip("strace is not installed (apt-get install strace)")


def events(ctx, opts, name):
    """The dump of the script's log under strace OPTS, normalized."""
    work = os.path.join(ctx.tmp, name + ".d")
    os.mkdir(work)
    log = os.path.join(ctx.tmp, name + ".log")
    p = subprocess.run(["strace", "-f", *TRACE, *opts, "-o", log,
                        "sh", "-c", SCRIPT, "sh", work],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 3, p.stderr
    logs = sorted(os.path.join(ctx.tmp, f) for f in os.listdir(ctx.tmp)
                  if f == name + ".log" or f.startswith(name + ".log."))
    out = os.path.join(ctx.tmp, name + ".jsonl")
    p = ctx.run(["import", "--strict", "-o", out, *logs], timeout=30)
    assert (p.returncode, p.stdout, p.stderr) == (0, "", ""), (opts, p)
    d = ctx.run(["dump", out], timeout=30)
    assert (d.returncode, d.stderr) == (0, ""), d
    pids, lines = {}, []

    def pid(m):
        return "P%d" % pids.setdefault(m.group(0), len(pids))
    for line in d.stdout.splitlines():
        num, _, text = line.split(None, 2)
        text = text.replace(work, "$W")
        # a child is named before its lines; -t/-tt/-T give durations
        text = re.sub(r"(?<=child )\d+|(?<=/)\d+(?= \()", pid, text)
        text = re.sub(r" <\d+\.\d+>$", "", text)
        lines.append("P%d %s" % (pids.setdefault(num, len(pids)), text))
    assert lines, d.stdout
    return lines


def check(ctx, variants):
    need_strace()
    base = events(ctx, [], "p0")
    assert any("rename" in l for l in base), base
    assert any(l.startswith("P1 ") for l in base), base
    for i, opts in enumerate(variants):
        got = events(ctx, opts, "v%d" % i)
        diff = ["%s | %s" % (a, b) for a, b in zip(base, got) if a != b]
        assert got == base, (opts, len(base), len(got), diff[:5])


def test_import_real_timestamps(ctx):
    """-t, -tt, -ttt, --timestamps=unix,s and ns, -r, -T."""
    check(ctx, [["-t"], ["-tt"], ["-ttt"], ["--timestamps=unix,s"], ["-r"],
                ["-tt", "-T"]])


def test_import_real_prefixes(ctx):
    """-i's instruction pointers, -n's syscall numbers, -Y's comm."""
    check(ctx, [["-i"], ["-n"], ["-Y"], ["-tt", "-i", "-n"]])


def test_import_real_numbers(ctx):
    """-X raw and -X verbose: numbers for names, with names in comments."""
    check(ctx, [["-X", "raw"], ["-X", "verbose"]])


def test_import_real_ff(ctx):
    """-ff -tt: one file per process, merged by time."""
    check(ctx, [["-ff", "-tt"], ["-ff", "-ttt", "-T"]])
