"""The test runner itself: how it counts a unit binary's TAP output.

Each test writes a fake unit "binary" (a shell script printing what a
cmocka binary could print), runs tests/runner.py on it in a subprocess
and compares the exact result lines, the summary line and the exit
status. The first is the bug this guards against: a heap overflow that
ASan reports in a unit test's third case stops the binary after two "ok"
lines, and the runner counted that as "2 passed, 0 failed".
"""
import os
import subprocess
import sys

RUNNER = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "runner.py")


def run_fake(ctx, script, *extra):
    """Run the runner on one fake unit binary running SCRIPT (sh); returns
    (exit status, the runner's result lines, its summary line)."""
    fake = os.path.join(ctx.tmp, "test-fake")
    with open(fake, "w") as f:
        f.write("#!/bin/sh\n" + script)
    os.chmod(fake, 0o755)
    p = subprocess.run([sys.executable, RUNNER, "--build", ctx.build,
                        "--no-e2e", f"--unit={fake}", *extra],
                       capture_output=True, text=True, timeout=60)
    lines = p.stdout.splitlines()
    results = [ln for ln in lines
               if ln.split(" ", 1)[0] in ("ok", "FAIL", "SKIP")]
    return p.returncode, results, lines[-1], p.stdout


def test_runner_fails_binary_that_stops_before_its_plan(ctx):
    rc, results, summary, out = run_fake(ctx, """
echo 1..3
echo 'ok 1 - test_a'
echo 'ok 2 - test_b'
echo '==1==ERROR: AddressSanitizer: heap-buffer-overflow' >&2
exit 1
""")
    assert results == [
        "ok      test-fake: test_a",
        "ok      test-fake: test_b",
        "FAIL    test-fake",
    ], out
    assert "exit 1 after 2 of the 3 tests its plan announced" in out, out
    assert "AddressSanitizer: heap-buffer-overflow" in out, out
    assert summary == "2 passed, 1 failed, 0 skipped", out
    assert rc == 1, out


def test_runner_fails_binary_killed_by_a_signal(ctx):
    rc, results, summary, out = run_fake(ctx, """
echo 1..2
echo 'ok 1 - test_a'
kill -SEGV $$
""")
    assert results == ["ok      test-fake: test_a", "FAIL    test-fake"], out
    assert "killed by signal 11 after 1 of the 2 tests" in out, out
    assert summary == "1 passed, 1 failed, 0 skipped", out
    assert rc == 1, out


def test_runner_fails_nonzero_exit_after_all_passed(ctx):
    # LeakSanitizer reports at exit, after the last result line
    rc, results, summary, out = run_fake(ctx, """
echo 1..2
echo 'ok 1 - test_a'
echo 'ok 2 - test_b'
echo '==1==ERROR: LeakSanitizer: detected memory leaks' >&2
exit 23
""")
    assert results == [
        "ok      test-fake: test_a",
        "ok      test-fake: test_b",
        "FAIL    test-fake",
    ], out
    assert "exit 23 although every test passed" in out, out
    assert "LeakSanitizer" in out, out
    assert summary == "2 passed, 1 failed, 0 skipped", out
    assert rc == 1, out


def test_runner_fails_binary_without_plan(ctx):
    rc, results, summary, out = run_fake(ctx, "exit 0\n")
    assert results == ["FAIL    test-fake"], out
    assert "exit 0, no TAP plan (1..N)" in out, out
    assert summary == "0 passed, 1 failed, 0 skipped", out
    assert rc == 1, out


def test_runner_counts_failing_case_once(ctx):
    # cmocka exits with the number of failed tests: that exit status is
    # accounted for by the "not ok" line, not a second failure
    rc, results, summary, out = run_fake(ctx, """
echo 1..3
echo 'ok 1 - test_a'
echo 'not ok 2 - test_b'
echo 'ok 3 - test_c # SKIP'
exit 1
""")
    assert results == [
        "ok      test-fake: test_a",
        "FAIL    test-fake: test_b",
        "SKIP    test-fake: test_c: skipped by the test",
    ], out
    assert summary == "1 passed, 1 failed, 1 skipped", out
    assert rc == 1, out


def test_runner_passes_clean_binary(ctx):
    rc, results, summary, out = run_fake(ctx, """
echo 1..2
echo 'ok 1 - test_a'
echo 'ok 2 - test_b'
echo '# ok - fake'
""")
    assert results == ["ok      test-fake: test_a",
                       "ok      test-fake: test_b"], out
    assert summary == "2 passed, 0 failed, 0 skipped", out
    assert rc == 0, out


def test_runner_exitfirst_stops_at_first_failure(ctx):
    rc, results, summary, out = run_fake(ctx, """
echo 1..3
echo 'ok 1 - test_a'
echo 'not ok 2 - test_b'
echo 'ok 3 - test_c'
exit 1
""", "--exitfirst")
    assert results == ["ok      test-fake: test_a",
                       "FAIL    test-fake: test_b"], out
    assert summary == "1 passed, 1 failed, 0 skipped", out
    assert rc == 1, out


def test_runner_fails_binary_that_cannot_run(ctx):
    missing = os.path.join(ctx.tmp, "test-missing")
    p = subprocess.run([sys.executable, RUNNER, "--build", ctx.build,
                        "--no-e2e", f"--unit={missing}"],
                       capture_output=True, text=True, timeout=60)
    lines = p.stdout.splitlines()
    assert lines[0] == "FAIL    test-missing", p.stdout
    assert lines[1] == (f"        cannot run '{missing}': "
                        "No such file or directory"), p.stdout
    assert lines[-1] == "0 passed, 1 failed, 0 skipped", p.stdout
    assert p.returncode == 1, p.stdout
