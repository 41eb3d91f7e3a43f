#!/usr/bin/env python3
"""Run fsrace's test suite: cmocka unit binaries and end-to-end modules.

Every unit test case (cmocka, TAP output) and every end-to-end test
function counts as one test. The last line printed is
"N passed, N failed, N skipped".

End-to-end modules are tests/e2e/test_*.py. Each defines functions
test_NAME(ctx); ctx is a Context (see tests/e2e/harness.py). A test
fails by raising (assert), skips by raising harness.Skip("reason").
"""
import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "e2e"))

import harness  # noqa: E402


class Stop(Exception):
    """Raised after the first failure under --exitfirst."""


class Totals:
    def __init__(self, exitfirst=False):
        self.exitfirst = exitfirst
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.failures = []

    def ok(self, name):
        self.passed += 1
        print(f"ok      {name}", flush=True)

    def fail(self, name, why):
        self.failed += 1
        self.failures.append(name)
        print(f"FAIL    {name}", flush=True)
        for line in why.rstrip().splitlines():
            print(f"        {line}")
        if self.exitfirst:
            raise Stop()

    def skip(self, name, why):
        self.skipped += 1
        print(f"SKIP    {name}: {why}", flush=True)


TAP_LINE = re.compile(r"^(not ok|ok) \d+ - (.*?)(\s+# (SKIP|skip).*)?$")
TAP_PLAN = re.compile(r"^1\.\.(\d+)")


def run_unit(binary, totals):
    """Run one cmocka binary; each TAP result line is one test.

    The binary itself also fails, as one more test named after it, when
    it does not finish cleanly: it exits non-zero (or dies by a signal)
    with no failing result to account for it (a leak report at exit), or
    it prints fewer results than its plan "1..N" announced (a sanitizer
    or a crash stopped it in the middle), or it prints no plan at all.
    """
    env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="TAP")
    base = os.path.basename(binary)
    try:
        proc = subprocess.run([binary], env=env, capture_output=True,
                              text=True)
    except OSError as e:
        totals.fail(base, f"cannot run '{binary}': {e.strerror}")
        return
    plan = None
    seen = 0
    failed = 0
    for line in proc.stdout.splitlines():
        m = TAP_PLAN.match(line)
        if m and plan is None:
            plan = int(m.group(1))
            continue
        m = TAP_LINE.match(line)
        if not m:
            continue
        seen += 1
        name = f"{base}: {m.group(2)}"
        if m.group(4):
            totals.skip(name, "skipped by the test")
        elif m.group(1) == "ok":
            totals.ok(name)
        else:
            failed += 1
            totals.fail(name, proc.stdout + proc.stderr)
    rc = proc.returncode
    status = (f"killed by signal {-rc}" if rc < 0 else f"exit {rc}")
    why = None
    if plan is None:
        why = f"{status}, no TAP plan (1..N)"
    elif seen < plan:
        why = f"{status} after {seen} of the {plan} tests its plan announced"
    elif rc != 0 and not failed:
        why = f"{status} although every test passed"
    if why:
        totals.fail(base, why + "\n" + proc.stdout + proc.stderr)


def load_module(path):
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# --valgrind: fsrace under memcheck, each process's report in a file of
# its own (its stderr stays the program's, which tests compare); a test
# fails when one of its processes had an error or a definite leak
VALGRIND = ["--quiet", "--leak-check=full",
            "--errors-for-leak-kinds=definite", "--error-exitcode=99",
            "--track-fds=no", "--child-silent-after-fork=yes"]
# what valgrind says of a call it does not model, which is no error of
# ours: seccomp(2), whose absence fsrace handles (libseccomp falls back
# to prctl)
VALGRIND_NOISE = re.compile(
    r"^==\d+== (WARNING: unhandled amd64-linux syscall: 317|You may be able "
    r"to write your own handler\.|Read the file README_MISSING_SYSCALL_OR_"
    r"IOCTL\.|Nevertheless we consider this a bug\.  Please report|it at "
    r"http://valgrind\.org/support/bug_reports\.html\.)?$|^--\d+-- ")


def valgrind_wrapper(args):
    """A directory holding an executable that runs ARGS.fsrace under
    memcheck, logging to its logs/ directory."""
    valgrind = shutil.which("valgrind")
    if not valgrind:
        raise SystemExit("runner: --valgrind: no valgrind (tools/deps.sh "
                         "--valgrind)")
    # Debian's valgrind is a script that exports LD_LIBRARY_PATH (its
    # debug libraries) and runs valgrind.bin: the programs fsrace runs
    # would inherit it, and their loader's calls change
    if os.access(valgrind + ".bin", os.X_OK):
        valgrind += ".bin"
    d = tempfile.mkdtemp(prefix="fsrace-valgrind-")
    # tests run fsrace as another user too (setpriv)
    os.chmod(d, 0o755)
    os.mkdir(os.path.join(d, "logs"))
    os.chmod(os.path.join(d, "logs"), 0o1777)
    wrapper = os.path.join(d, "fsrace")
    # by its path: a test may run fsrace with a PATH of its own
    cmd = " ".join([valgrind] + VALGRIND +
                   [f"--suppressions={HERE}/valgrind.supp"])
    # valgrind's log descriptor is inherited by the programs fsrace
    # runs: high up, so that their own descriptors keep their numbers
    # (a descriptor limit too low for it: a log file, at fd 3)
    with open(wrapper, "w") as f:
        f.write(f"""#!/bin/bash
n=$(ulimit -n)
if [ "$n" = unlimited ] || [ "$n" -gt 200 ]; then
	fd=$(( ${{n/unlimited/1024}} - 40 ))
	eval "exec $fd>>{d}/logs/$$.log"
	exec {cmd} --log-fd=$fd {args.fsrace} "$@"
fi
exec {cmd} --log-file={d}/logs/%p.log {args.fsrace} "$@"
""")
    os.chmod(wrapper, 0o755)
    return d


def valgrind_errors(d):
    """What the processes that logged in D since the last call reported
    (their logs are removed), or ""."""
    out = []
    logs = os.path.join(d, "logs")
    for fn in sorted(os.listdir(logs)):
        path = os.path.join(logs, fn)
        with open(path, errors="replace") as f:
            text = f.read()
        os.unlink(path)
        bad = [x for x in text.splitlines() if not VALGRIND_NOISE.match(x)]
        if bad:
            out.append(f"valgrind, pid {fn[:-4]}:\n" + "\n".join(bad))
    return "\n".join(out)


def run_e2e(args, totals):
    e2e = os.path.join(HERE, "e2e")
    vg = valgrind_wrapper(args) if args.valgrind else None
    if vg:
        os.environ["FSRACE_VALGRIND"] = "1"  # ctx.timed()
    fsrace = os.path.join(vg, "fsrace") if vg else args.fsrace
    for fn in sorted(os.listdir(e2e)):
        if not (fn.startswith("test_") and fn.endswith(".py")):
            continue
        mod = load_module(os.path.join(e2e, fn))
        for attr in sorted(dir(mod)):
            test = getattr(mod, attr)
            if not attr.startswith("test_") or not callable(test):
                continue
            name = f"{fn[:-3]}.{attr}"
            if args.filter and not re.search(args.filter, name):
                continue
            ctx = harness.Context(fsrace, args.fixtures, args.build, name)
            try:
                test(ctx)
            except harness.Skip as e:
                totals.skip(name, str(e))
            except Exception:
                totals.fail(name, traceback.format_exc() +
                            (valgrind_errors(vg) if vg else ""))
            else:
                errors = valgrind_errors(vg) if vg else ""
                if errors:
                    totals.fail(name, errors)
                else:
                    totals.ok(name)
            finally:
                ctx.cleanup()
    if vg:
        shutil.rmtree(vg, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True,
                    help="the build directory (fixtures are taken from it)")
    ap.add_argument("--fsrace", help="the fsrace binary to test "
                    "(default: BUILD/fsrace)")
    ap.add_argument("--fixtures", help="built fixtures (default: "
                    "BUILD/fixtures)")
    ap.add_argument("--unit", action="append", default=[],
                    help="a cmocka test binary (repeatable)")
    ap.add_argument("-k", "--filter", help="run only the end-to-end tests "
                    "whose name (MODULE.test_NAME) matches this regex; "
                    "unit binaries are then not run")
    ap.add_argument("--valgrind", action="store_true",
                    default=bool(os.environ.get("FSRACE_VALGRIND")),
                    help="run fsrace under valgrind's memcheck in the "
                    "end-to-end tests (or FSRACE_VALGRIND=1): an error or "
                    "a definite leak of any of its processes fails the test")
    ap.add_argument("--no-e2e", action="store_true",
                    help="run only the --unit binaries")
    ap.add_argument("-x", "--exitfirst", action="store_true",
                    help="stop at the first failing test")
    ap.add_argument("--counts", help="also write the counts as JSON here; "
                    "the summary line is then left to the caller")
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    args.fsrace = os.path.abspath(args.fsrace or
                                  os.path.join(args.build, "fsrace"))
    args.fixtures = os.path.abspath(args.fixtures or
                                    os.path.join(args.build, "fixtures"))
    # the corpus runs system tools (logrotate) that live in sbin, which
    # a CI job's PATH may lack
    path = os.environ.get("PATH", "/usr/bin:/bin").split(":")
    os.environ["PATH"] = ":".join(
        path + [d for d in ("/usr/local/sbin", "/usr/sbin", "/sbin")
                if d not in path])
    totals = Totals(args.exitfirst)
    try:
        if not args.filter:
            for u in args.unit:
                run_unit(u, totals)
        if not args.no_e2e:
            run_e2e(args, totals)
    except Stop:
        print("(stopped at the first failure: --exitfirst)")
    if totals.failures:
        print("\nfailed: " + ", ".join(totals.failures))
    if args.counts:
        import json
        with open(args.counts, "w") as f:
            json.dump({"passed": totals.passed, "failed": totals.failed,
                       "skipped": totals.skipped}, f)
        print(f"(this run: {totals.passed} ok, {totals.failed} failing, "
              f"{totals.skipped} skipped)")
    else:
        print(f"{totals.passed} passed, {totals.failed} failed, "
              f"{totals.skipped} skipped")
    return 1 if totals.failed else 0


if __name__ == "__main__":
    sys.exit(main())
