"""The fuzz targets (issue 12): every parser of outside input that has
one (strace logs, the native trace reader and its JSON scanner, rule
files, the configuration file, baselines, the findings documents of
merge) runs a short fixed budget in CI with ASan and UBSan, on its seeds
and its regressions; a longer run is fuzz/run.sh's. Skips without clang,
which libFuzzer needs (tools/deps.sh installs it)."""
import hashlib
import os
import re
import shutil
import subprocess

import harness

TARGETS = ("strace", "jscan", "reader", "rules", "config", "baseline",
           "merge")
SECONDS = 5


def build_dir():
    """One build for both passes of the suite (and every test here)."""
    tag = hashlib.sha256(harness.SOURCE_ROOT.encode()).hexdigest()[:12]
    tmp = os.environ.get("TMPDIR", "/tmp")
    return os.path.join(tmp if tmp.startswith("/") else "/tmp",
                        f"fsrace-fuzz-ci-{tag}")


def test_fuzz_targets_short_budget(ctx):
    if not shutil.which("clang"):
        raise harness.Skip("no clang: the fuzz targets need libFuzzer "
                           "(tools/deps.sh installs clang)")
    env = dict(os.environ, FUZZ_BUILD=build_dir())
    for t in TARGETS:
        env["FUZZ_TARGET"] = t
        p = subprocess.run([os.path.join(harness.SOURCE_ROOT, "fuzz",
                                         "run.sh"), str(SECONDS)],
                           env=env, capture_output=True, text=True,
                           timeout=900)
        assert p.returncode == 0, (t, p.stdout[-2000:], p.stderr[-4000:])
        runs = re.search(r"Done (\d+) runs", p.stderr)
        assert runs and int(runs.group(1)) > 100, (t, p.stderr[-2000:])
