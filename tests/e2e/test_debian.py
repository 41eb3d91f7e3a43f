"""debian/ (issue 10): `dpkg-buildpackage -us -uc -b` builds the package
from a copy of the tracked files, and the .deb installs and runs: its
binary takes the installed rules, runs a program, and the docs its report
links to are there. The package is removed afterwards; the test skips
(loudly) where it would have to replace an fsrace already installed."""
import os
import re
import shutil
import subprocess

import harness

ROOT = harness.SOURCE_ROOT


def need_packaging(ctx):
    if os.geteuid() != 0:
        raise harness.Skip("installing a .deb needs root")
    for tool in ("dpkg-buildpackage", "dpkg-checkbuilddeps", "git"):
        if not shutil.which(tool):
            raise harness.Skip(f"{tool} is not installed")
    p = subprocess.run(["dpkg-checkbuilddeps"], cwd=ROOT,
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise harness.Skip("build dependencies missing: "
                           f"{p.stderr.strip()} (tools/deps.sh)")
    if os.path.lexists("/usr/bin/fsrace") or subprocess.run(
            ["dpkg-query", "-W", "fsrace"], capture_output=True).returncode \
            == 0:
        raise harness.Skip("an fsrace is installed here already")


def version():
    with open(os.path.join(ROOT, "meson.build")) as f:
        return re.search(r"version : '([^']+)'", f.read()).group(1)


def build(ctx):
    """The tracked files in a scratch tree, built: the .deb's path."""
    src = os.path.join(ctx.tmp, "fsrace")
    files = subprocess.run(["git", "-C", ROOT, "ls-files", "-z"],
                           capture_output=True, check=True).stdout
    for name in files.decode().split("\0"):
        if not name or not os.path.isfile(os.path.join(ROOT, name)):
            continue
        os.makedirs(os.path.join(src, os.path.dirname(name)), exist_ok=True)
        shutil.copy2(os.path.join(ROOT, name), os.path.join(src, name))
    p = subprocess.run(["dpkg-buildpackage", "-us", "-uc", "-b"], cwd=src,
                       capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    # the unit tests ran, as part of the build
    assert re.search(r"^Fail: +0 *$", p.stdout, re.M), p.stdout[-3000:]
    deb = os.path.join(ctx.tmp, f"fsrace_{version()}_amd64.deb")
    assert os.path.isfile(deb), os.listdir(ctx.tmp)
    return deb


def test_deb_builds_installs_and_runs(ctx):
    need_packaging(ctx)
    deb = build(ctx)
    listing = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True,
                             text=True, check=True).stdout
    shipped = {line.split()[-1].lstrip(".") for line in listing.splitlines()}
    for n in sorted(os.listdir(os.path.join(ROOT, "rules"))):
        if n.endswith(".json"):
            assert f"/usr/share/fsrace/rules/{n}" in shipped, n
    for path in ("/usr/bin/fsrace", "/usr/share/man/man1/fsrace.1.gz",
                 "/usr/share/bash-completion/completions/fsrace",
                 # linked from reports: not compressed
                 "/usr/share/doc/fsrace/rules.md",
                 "/usr/share/doc/fsrace/findings.schema.json"):
        assert path in shipped, (path, sorted(shipped))
    p = subprocess.run(["dpkg", "-i", deb], capture_output=True, text=True)
    try:
        assert p.returncode == 0, p.stdout + p.stderr
        env = {k: v for k, v in os.environ.items() if k != "FSRACE_RULES"}
        p = subprocess.run(["/usr/bin/fsrace", "--version"], env=env,
                           capture_output=True, text=True)
        assert (p.returncode, p.stdout.split("\n")[0]) == (
            0, f"fsrace {version()}"), p
        p = subprocess.run(["/usr/bin/fsrace", "run", "--", "true"],
                           env=env, cwd=ctx.tmp, capture_output=True,
                           text=True)
        assert p.returncode == 0 and re.fullmatch(
            r"0 findings \(0 error, 0 warning, 0 note\) in \d+ events\n",
            p.stderr), p
        # a finding, with the installed rules, linking the installed docs
        cfg = os.path.join(ctx.tmp, "cfg")
        with open(cfg, "w") as f:
            f.write("x\n")
        p = subprocess.run(["/usr/bin/fsrace", "run", "--",
                            ctx.fixture("stack_twofn_O0"), cfg], env=env,
                           cwd=ctx.tmp, capture_output=True, text=True)
        assert p.returncode == 1, p
        assert p.stderr.startswith("warning[check-then-use] "), p.stderr
        docs = re.search(r"docs: file://(\S+)#check-then-use$", p.stderr,
                         re.M)
        assert docs and docs.group(1) == "/usr/share/doc/fsrace/rules.md", \
            p.stderr
        assert os.path.isfile(docs.group(1))
    finally:
        r = subprocess.run(["dpkg", "--purge", "fsrace"],
                           capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert not os.path.lexists("/usr/bin/fsrace")
    assert not os.path.lexists("/usr/share/fsrace")
