"""`meson install` (issue 10): into a scratch DESTDIR, the binary, the
shipped rules, the man page, the docs and the findings schema; the
installed binary runs, and takes the installed rules, never the source
tree's that are there beside it (only the build tree's binary does)."""
import os
import shutil
import subprocess

import harness

ROOT = harness.SOURCE_ROOT


def install(ctx):
    if not shutil.which("meson"):
        raise harness.Skip("meson is not installed")
    dest = os.path.join(ctx.tmp, "dest")
    p = subprocess.run(["meson", "install", "-C", ctx.build, "--quiet",
                        "--no-rebuild", "--destdir", dest],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, (p.stdout, p.stderr)
    found = {}
    for d, _, names in os.walk(dest):
        for n in names:
            found.setdefault(n, []).append(os.path.join(d, n))
    exe, = [p for p in found["fsrace"]
            if os.path.basename(os.path.dirname(p)) == "bin"]
    prefix = os.path.dirname(os.path.dirname(exe))
    return dest, prefix, exe


def test_install_lays_out_what_is_shipped(ctx):
    dest, prefix, exe = install(ctx)
    rules = os.path.join(prefix, "share", "fsrace", "rules")
    shipped = sorted(n for n in os.listdir(os.path.join(ROOT, "rules"))
                     if n.endswith(".json"))
    assert sorted(os.listdir(rules)) == shipped
    docs = os.path.join(prefix, "share", "doc", "fsrace")
    for n in ("ci.md", "findings.md", "rules.md", "findings.schema.json",
              "trace-format.md"):
        with open(os.path.join(docs, n)) as a, \
                open(os.path.join(ROOT, "docs", n)) as b:
            assert a.read() == b.read(), n
    assert os.path.isfile(os.path.join(prefix, "share", "man", "man1",
                                       "fsrace.1"))
    with open(os.path.join(prefix, "share", "bash-completion",
                           "completions", "fsrace")) as a, \
            open(os.path.join(ROOT, "completions", "fsrace.bash")) as b:
        assert a.read() == b.read()


def test_installed_binary_takes_the_installed_rules(ctx):
    dest, prefix, exe = install(ctx)
    p = subprocess.run([exe, "--version"], capture_output=True, text=True)
    assert p.returncode == 0 and p.stdout.startswith("fsrace "), p
    # a DESTDIR install: its rules are not where it was built to find
    # them, and the source tree's are not taken instead
    installed = prefix[len(dest):] + "/share/fsrace/rules"
    env = {k: v for k, v in os.environ.items() if k != "FSRACE_RULES"}
    if os.path.isdir(installed):
        raise harness.Skip(f"{installed} exists on this machine: the "
                           "installed rules are found there")
    p = subprocess.run([exe, "rules", "list"], capture_output=True,
                       text=True, env=env)
    assert (p.returncode, p.stderr) == (
        2, f"fsrace: cannot read rules '{installed}': No such file or "
        "directory\n"), p
    # given the installed ones, it lists and runs
    env["FSRACE_RULES"] = os.path.join(prefix, "share", "fsrace", "rules")
    p = subprocess.run([exe, "rules", "list"], capture_output=True,
                       text=True, env=env)
    assert p.returncode == 0 and p.stdout.startswith("check-then-use "), p
    p = subprocess.run([exe, "run", "--", "true"], capture_output=True,
                       text=True, env=env, cwd=ctx.tmp)
    assert p.returncode == 0, p.stderr
    # the build tree's binary still takes the source tree's rules
    p = ctx.run(["rules", "list"], env={k: v for k, v in os.environ.items()
                                        if k != "FSRACE_RULES"})
    assert p.returncode == 0, p.stderr
