"""The developer tools of tools/: what tools/mutate.py generates, and that
its curated mutants (tools/mutants.txt) still find their lines.

When code that a named mutant points at moves or changes, the mutant goes
stale and silently stops being measured; this fails first and says which
section of tools/mutants.txt to update.
"""
import importlib.util
import os
import subprocess

import harness

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def not_under_mutation():
    # tools/mutate.py runs the suite on a tree with a mutant in it, which
    # may well be on a curated mutant's line: that is no kill
    if os.environ.get("FSRACE_MUTANT"):
        raise harness.Skip("under tools/mutate.py")


def mutate():
    spec = importlib.util.spec_from_file_location(
        "mutate", os.path.join(ROOT, "tools", "mutate.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_mutate_curated_mutants_find_their_lines(ctx):
    not_under_mutation()
    m = mutate()
    named, equivalent, stale = m.load_curated(
        os.path.join(ROOT, "tools", "mutants.txt"))
    assert stale == [], "update tools/mutants.txt: " + "; ".join(
        f"[{n}] {why}" for n, why in stale)
    assert len(named) >= 12, [x.name for x in named]
    for x in named + equivalent:
        with open(os.path.join(ROOT, x.path), encoding="utf-8") as f:
            line = f.read().split("\n")[x.lineno - 1]
        assert line[x.col:x.col + len(x.old)] == x.old, x.describe()


def test_mutate_generates_outside_comments_strings_directives(ctx):
    m = mutate()
    src = os.path.join(ctx.tmp, "t.c")
    with open(src, "w") as f:
        f.write('#define A (1 == 2)\n'
                '#define B(x) \\\n'
                '\t((x) && 3)\n'
                '/* a == b\n'
                ' * c < d */\n'
                'static char buf[64];\n'
                'int f(int a, int fl)\n'
                '{\n'
                '\tputs("a == b && c"); /* x != y */\n'
                '\tif (a == 1 && !(fl & O_EXCL))\n'
                '\t\treturn true;\n'
                '\treturn a->b >= 0x10 || a << 2 < 0400; // a > b\n'
                '}\n')
    # not: the directives, comments, strings, an array's size, ->, <<
    got = sorted((x.lineno, x.col, x.old, x.new, x.op)
                 for x in m.generate(os.path.relpath(src, m.ROOT)))
    assert got == [
        (10, 7, "==", "!=", "=="),
        (10, 10, "1", "2", "n+1"),
        (10, 12, "&&", "||", "&&"),
        (10, 15, "!", "", "!x"),
        (10, 17, "fl & O_EXCL", "0", "flag"),
        (11, 2, "return true", "return false", "true"),
        (12, 13, ">=", ">", ">="),
        (12, 16, "0x10", "0x11", "n+1"),
        (12, 21, "||", "&&", "||"),
        (12, 29, "2", "3", "n+1"),
        (12, 31, "<", "<=", "<"),
        (12, 33, "0400", "0401", "n+1"),
    ], got


def test_mutate_list_names_the_issue_mutants(ctx):
    not_under_mutation()
    p = subprocess.run(["/usr/bin/python3",
                        os.path.join(ROOT, "tools", "mutate.py"),
                        "--named", "--list"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    names = [ln.split("[", 1)[1].split("]", 1)[0]
             for ln in p.stdout.splitlines()
             if ln.startswith("         ") and "[" in ln]
    assert names == [
        "in-string-inverted", "in-int-inverted", "not-glob-inverted",
        "ne-int-inverted", "not-var-string-inverted",
        "not-var-int-inverted", "excl-ignores-rename-noreplace",
        "nofollow-ignores-o-nofollow", "fix-expands-to-nothing",
        "stat-type-fifo-is-reg", "tracer-dup3-ignores-cloexec",
        "tracer-ignores-chroot",
    ], p.stdout
    assert "STALE" not in p.stdout, p.stdout


def test_mutate_sanitizer_pass_runs_what_run_sh_runs(ctx):
    # the second pass is tests/run.sh's: the sanitizer build's fsrace and
    # unit binaries, the plain build's fixtures, run.sh's sanitizer options
    m = mutate()
    plain, asan = os.path.join(ctx.tmp, "b"), os.path.join(ctx.tmp, "a")
    for d in (plain, asan):
        os.makedirs(os.path.join(d, "tests"))
        for name in ("test-x", "test-y"):
            p = os.path.join(d, "tests", name)
            with open(p, "w") as f:
                f.write("")
            os.chmod(p, 0o755)
    os.mkdir(os.path.join(asan, "tests", "test-x.p"))  # meson's dir
    cmd = m.suite_cmd("/src", plain, asan)
    assert cmd[1:] == ["/src/tests/runner.py", "--build", plain,
                       "--exitfirst", "--fsrace", asan + "/fsrace",
                       f"--unit={asan}/tests/test-x",
                       f"--unit={asan}/tests/test-y"], cmd
    assert m.suite_cmd("/src", plain)[1:] == [
        "/src/tests/runner.py", "--build", plain, "--exitfirst",
        f"--unit={plain}/tests/test-x", f"--unit={plain}/tests/test-y"]
    # a pass names the unit binaries its build has when it runs, not when
    # it was made: a fresh scratch build has none before its first ninja
    later = os.path.join(ctx.tmp, "later")
    suite = m.Suite("asan", "/src", ctx.tmp, plain, [], asan=later)
    assert [a for a in suite.command() if a.startswith("--unit")] == []
    os.makedirs(os.path.join(later, "tests"))
    with open(os.path.join(later, "tests", "test-z"), "w") as f:
        f.write("")
    os.chmod(os.path.join(later, "tests", "test-z"), 0o755)
    assert [a for a in suite.command() if a.startswith("--unit")] == [
        f"--unit={later}/tests/test-z"]
    with open(os.path.join(ROOT, "tests", "run.sh")) as f:
        run_sh = f.read()
    for k, v in m.SANITIZER_ENV.items():
        assert f"export {k}={v}\n" in run_sh, (k, v)
    assert " ".join(m.SANITIZER_OPTIONS) + "\n" in run_sh
