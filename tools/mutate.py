#!/usr/bin/env python3
"""Mutation testing: does the suite fail when the product code is wrong?

Each mutant is a one-line change to a product source (util/ schema/
model/ stack/ tracer/ import/ format/ analyzers/ cli/, never tests/): an
operator flipped, a negation dropped, a constant off by one, a flag test
deleted, a `return true` made false. The mutants run are the named ones
of tools/mutants.txt plus a seeded sample of all the generated ones, so a
run is repeatable: the same sources and seed give the same mutants.

Every mutant is applied alone, in a scratch copy of the tree (the real
tree is never written), rebuilt with ninja (no -Werror: a warning is not
a kill), and the whole suite is run with --exitfirst and a timeout, with
FSRACE_MUTANT=ID in its environment (a test of the tools themselves
skips on it). The suite is what tests/run.sh runs: a plain build, then
the same tests against an AddressSanitizer + UBSan build. A mutant the
plain pass does not kill is built and run in the sanitizer pass too
(--no-sanitizers skips it). A mutant is KILLED when a build fails, a
test fails or the suite times out; SURVIVED otherwise. A mutant listed
as equivalent in tools/mutants.txt is shown as EQUIV and not counted.
The last line is "killed K of N (P%)".

    tools/mutate.py                  # the named mutants + 40 sampled
    tools/mutate.py -n 100 --seed 7  # another sample
    tools/mutate.py --named          # only tools/mutants.txt
    tools/mutate.py -n 20 --files analyzers/engine.c analyzers/rule.c
    tools/mutate.py --list           # what would run, without running
    tools/mutate.py --id analyzers/engine.c:563:12:!strcmp(:strcmp(
"""
import argparse
import configparser
import fnmatch
import glob
import hashlib
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PRODUCT = ("util", "schema", "model", "stack", "tracer", "import",
           "format", "analyzers", "cli")

# (operator name, regex on the masked line, replacement of the match)
FLIPS = [
    ("==", r"==", lambda m: "!="),
    ("!=", r"!=", lambda m: "=="),
    ("<", r"(?<![<>=!-])<(?![<=])", lambda m: "<="),
    ("<=", r"(?<![<])<=", lambda m: "<"),
    (">", r"(?<![<>=!-])>(?![>=])", lambda m: ">="),
    (">=", r"(?<![>])>=", lambda m: ">"),
    ("&&", r"&&", lambda m: "||"),
    ("||", r"\|\|", lambda m: "&&"),
    ("!x", r"!(?!=)", lambda m: ""),
    ("true", r"\breturn true\b", lambda m: "return false"),
    ("false", r"\breturn false\b", lambda m: "return true"),
    ("flag", r"[\w.\[\]>-]*[\w\]] & [A-Z][A-Z0-9_]*\b|"
     r"[\w.\[\]>-]*[\w\]] & 0[0-7]+\b", lambda m: "0"),
    ("n+1", r"(?<![\w.])(0[xX][0-9a-fA-F]+|\d+)(?=[uUlL]*(?![\w.]))",
     lambda m: plus_one(m.group(0))),
]


# A constant off by one is a mutant of its own kind, and the most common
# one by far (40% of all), often in data (a name table) or where any
# value does (a buffer size): its share of a sample is weighted down.
WEIGHT = {"n+1": 0.3}


def weighted_sample(rng, pool, k):
    """K of POOL without replacement, each with the chance of its
    operator's weight (Efraimidis-Spirakis keys; deterministic by RNG)."""
    keys = [(rng.random() ** (1.0 / WEIGHT.get(m.op, 1.0)), i)
            for i, m in enumerate(pool)]
    keys.sort(reverse=True)
    return [pool[i] for _, i in keys[:k]]


def plus_one(text):
    if text[:2].lower() == "0x":
        return hex(int(text, 16) + 1)
    if len(text) > 1 and text[0] == "0":
        return "0" + oct(int(text, 8) + 1)[2:]
    return str(int(text) + 1)


class Mutant:
    def __init__(self, path, lineno, col, old, new, op, name=None):
        self.path, self.lineno, self.col = path, lineno, col
        self.old, self.new, self.op, self.name = old, new, op, name
        self.equivalent = None

    @property
    def id(self):
        return f"{self.path}:{self.lineno}:{self.col}:{self.old}:{self.new}"

    @property
    def where(self):
        return (self.path, self.lineno, self.col, self.new)

    def describe(self):
        label = f" [{self.name}]" if self.name else ""
        return (f"{self.path}:{self.lineno}:{self.col + 1}{label} "
                f"'{self.old}' -> '{self.new}'")


def mask(line, in_comment):
    """LINE with string and char literals and comments blanked (same
    length, so columns stay), and whether a /* comment is still open."""
    out = []
    i, n = 0, len(line)
    while i < n:
        if in_comment:
            end = line.find("*/", i)
            if end < 0:
                out.append(" " * (n - i))
                return "".join(out), True
            out.append(" " * (end + 2 - i))
            i = end + 2
            in_comment = False
            continue
        c = line[i]
        if line.startswith("/*", i):
            out.append("  ")
            i += 2
            in_comment = True
            continue
        if line.startswith("//", i):
            out.append(" " * (n - i))
            break
        if c in "\"'":
            j = i + 1
            while j < n and line[j] != c:
                j += 2 if line[j] == "\\" else 1
            out.append(c + " " * (min(j, n) - i - 1) + (c if j < n else ""))
            i = j + 1
            continue
        out.append(c)
        i += 1
    return "".join(out), in_comment


def generate(path):
    """Every mutant the operators give in the C file PATH (relative)."""
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        lines = f.read().split("\n")
    mutants = []
    in_comment = False
    continued = False
    for lineno, line in enumerate(lines, 1):
        masked, in_comment = mask(line, in_comment)
        directive = continued or masked.lstrip().startswith("#")
        continued = directive and line.endswith("\\")
        if directive or not masked.strip():
            continue
        for op, rx, repl in FLIPS:
            for m in re.finditer(rx, masked):
                if (op == "n+1" and masked[m.start() - 1:m.start()] == "["
                        and masked[m.end():m.end() + 1] == "]"):
                    continue  # an array's size: bigger changes nothing
                old = line[m.start():m.end()]
                new = repl(m)
                mutants.append(Mutant(path, lineno, m.start(), old, new, op))
    return mutants


def product_files(patterns):
    files = []
    for d in PRODUCT:
        files += glob.glob(os.path.join(ROOT, d, "**", "*.c"), recursive=True)
    files = sorted(os.path.relpath(f, ROOT) for f in files)
    if patterns:
        files = [f for f in files
                 if any(fnmatch.fnmatch(f, p) for p in patterns)]
    return files


def load_curated(path):
    """The sections of tools/mutants.txt and of the files of
    tools/mutants.d/ (one per folder of the product, so that work on two
    folders never edits one file): (named mutants, equivalents, stale
    section names with why)."""
    cp = configparser.RawConfigParser(interpolation=None)
    cp.optionxform = str
    more = sorted(glob.glob(os.path.splitext(path)[0] + ".d/*.txt"))
    for p in [path] + more:
        one = configparser.RawConfigParser(interpolation=None)
        one.optionxform = str
        with open(p, encoding="utf-8") as f:
            one.read_file(f)
        for name in one.sections():
            if cp.has_section(name):
                sys.exit(f"{p}: section [{name}] is defined twice")
            cp.add_section(name)
            for k, v in one.items(name):
                cp.set(name, k, v)
    named, equivalent, stale = [], [], []
    for name in cp.sections():
        s = cp[name]
        files = sorted({os.path.relpath(f, ROOT)
                        for g in s["file"].split()
                        for f in glob.glob(os.path.join(ROOT, g))})
        # AFTER: anchors, one a line, each looked for past the one
        # before; the first must be on exactly one line of the files
        after = [a.strip() for a in s.get("after", "").split("\n")
                 if a.strip()]
        key = after[0] if after else s["match"]
        hits = []
        for f in files:
            with open(os.path.join(ROOT, f), encoding="utf-8") as fp:
                text = fp.read().split("\n")
            for lineno, line in enumerate(text, 1):
                if key in line:
                    hits.append((f, lineno, line, text))
        if len(hits) != 1:
            stale.append((name, f"'{key}' is on {len(hits)} lines "
                          f"of {s['file']}, not one"))
            continue
        if after:
            f, at, _, text = hits[0]
            for want in after[1:] + [s["match"]]:
                at = next((n for n in range(at + 1, len(text) + 1)
                           if want in text[n - 1]), None)
                if at is None:
                    break
            if at is None:
                stale.append((name, f"'{want}' is not after "
                              f"'{key}' in {f}"))
                continue
            hits = [(f, at, text[at - 1], text)]
        f, lineno, line, _ = hits[0]
        nth = int(s.get("nth", "1"))
        col = -1
        for _ in range(nth):
            col = line.find(s["from"], col + 1)
            if col < 0:
                break
        if col < 0:
            stale.append((name, f"'{s['from']}' not on {f}:{lineno}"))
            continue
        m = Mutant(f, lineno, col, s["from"], s["to"], "named", name)
        if "equivalent" in s:
            m.equivalent = s["equivalent"]
            equivalent.append(m)
        else:
            named.append(m)
    return named, equivalent, stale


def apply(src_root, m):
    p = os.path.join(src_root, m.path)
    with open(p, encoding="utf-8") as f:
        lines = f.read().split("\n")
    line = lines[m.lineno - 1]
    if line[m.col:m.col + len(m.old)] != m.old:
        raise SystemExit(f"mutate: {m.describe()}: not what the line says")
    lines[m.lineno - 1] = line[:m.col] + m.new + line[m.col + len(m.old):]
    with open(p, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def sync_tree(src):
    """Make SRC a copy of the files git tracks (as they are in the work
    tree, edits included), copying only what differs so that ninja
    rebuilds little."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                           capture_output=True).stdout.decode().split("\0")
    files = [f for f in files if f and os.path.isfile(os.path.join(ROOT, f))]
    for f in files:
        a, b = os.path.join(ROOT, f), os.path.join(src, f)
        if os.path.exists(b) and same_file_content(a, b):
            continue
        os.makedirs(os.path.dirname(b), exist_ok=True)
        shutil.copy2(a, b)
        os.utime(b)  # newer than any object built from the old copy
    keep = set(files)
    for dirpath, _, names in os.walk(src):
        for n in names:
            rel = os.path.relpath(os.path.join(dirpath, n), src)
            if rel not in keep:
                os.unlink(os.path.join(dirpath, n))


def same_file_content(a, b):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()


def restore(src, m):
    shutil.copy2(os.path.join(ROOT, m.path), os.path.join(src, m.path))
    os.utime(os.path.join(src, m.path))


def check_dev_null():
    st = os.lstat("/dev/null")
    return stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(1, 3)


def run(cmd, cwd, timeout, log, env=None):
    """Run CMD in its own process group; (exit status or None on timeout,
    seconds). On timeout the whole group is killed."""
    t0 = time.monotonic()
    with open(log, "w") as out:
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out,
                             stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL,
                             start_new_session=True)
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            rc = None
    return rc, time.monotonic() - t0


def first_failure(log):
    with open(log, errors="replace") as f:
        for line in f:
            if line.startswith("FAIL"):
                return line.split(None, 1)[1].strip()
    return None


def suite_cmd(src, build, asan=None):
    """The runner's command line as tests/run.sh gives it: the plain
    BUILD's fixtures and units, or with ASAN the sanitizer build's fsrace
    and units against the plain build's fixtures."""
    units = sorted(glob.glob(os.path.join(asan or build, "tests", "test-*")))
    units = [u for u in units if os.path.isfile(u) and os.access(u, os.X_OK)]
    return ([sys.executable, os.path.join(src, "tests", "runner.py"),
             "--build", build, "--exitfirst"]
            + (["--fsrace", os.path.join(asan, "fsrace")] if asan else [])
            + [f"--unit={u}" for u in units])


# the sanitizer build and settings of tests/run.sh
SANITIZER_OPTIONS = ["-Db_sanitize=address,undefined", "-Db_lundef=false"]
SANITIZER_ENV = {"UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1",
                 "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0"}


class Suite:
    """One pass of the suite: a build directory, its ninja and runner
    command lines, its environment, its timeout."""

    def __init__(self, name, src, scratch, build, options, asan=None):
        self.name, self.src, self.scratch = name, src, scratch
        self.build_dir, self.asan = build, asan
        self.dir = asan or build
        self.options = options
        self.ninja = ["ninja", "-C", self.dir]
        self.env = dict(os.environ, **(SANITIZER_ENV if asan else {}))
        self.log = os.path.join(scratch, f"suite-{name}.log")
        self.build_log = os.path.join(scratch, f"build-{name}.log")
        self.timeout = None

    def setup(self):
        if not os.path.exists(os.path.join(self.dir, "build.ninja")):
            subprocess.run(["meson", "setup", self.dir, self.src]
                           + self.options, check=True,
                           stdout=subprocess.DEVNULL)

    def build(self, timeout=600):
        return run(self.ninja, self.src, timeout, self.build_log)

    def command(self):
        """The runner's command line, with the unit binaries the build
        has now (a fresh scratch build has none before its first
        ninja)."""
        return suite_cmd(self.src, self.build_dir, self.asan)

    def test(self, mutant_id=None, timeout=None):
        env = dict(self.env, **({"FSRACE_MUTANT": mutant_id}
                                if mutant_id else {}))
        return run(self.command(), self.src, timeout or self.timeout,
                   self.log, env)

    def verdict(self, m):
        """(KILLED or SURVIVED, why, seconds) of mutant M, applied."""
        rc, t = self.build()
        if rc != 0:
            return "KILLED", "build fails", t
        rc, t2 = self.test(m.id)
        t += t2
        if rc is None:
            return "KILLED", "suite timed out", t
        if rc != 0:
            return "KILLED", first_failure(self.log) or f"exit {rc}", t
        return "SURVIVED", "", t


def main():
    ap = argparse.ArgumentParser(
        description="Apply mutants one at a time and run the suite; "
        "print each result and the kill ratio.")
    ap.add_argument("-n", type=int, default=40,
                    help="how many generated mutants to sample (default 40)")
    ap.add_argument("--seed", type=int, default=4,
                    help="the sample's seed (default 4)")
    ap.add_argument("--files", nargs="+", metavar="GLOB",
                    help="generate mutants only in these files")
    ap.add_argument("--named", action="store_true",
                    help="only the named mutants of the curated list")
    ap.add_argument("--no-named", action="store_true",
                    help="only the sample")
    ap.add_argument("--id", nargs="+", metavar="ID",
                    help="only these mutants (ids as printed by --list)")
    ap.add_argument("--mutants", default=os.path.join(ROOT, "tools",
                                                      "mutants.txt"),
                    help="the curated list (default tools/mutants.txt)")
    ap.add_argument("--list", action="store_true",
                    help="print the mutants that would run, then stop")
    ap.add_argument("--scratch", help="the scratch directory (default "
                    "/tmp/fsrace-mutate-HASH of this tree); kept between "
                    "runs so that a rerun rebuilds little")
    ap.add_argument("--no-sanitizers", action="store_true",
                    help="only the plain pass: a mutant it does not kill "
                    "is not run again under ASan + UBSan")
    ap.add_argument("--timeout", type=float,
                    help="seconds per suite run (default: 3 times the "
                    "unmutated run, at least 60)")
    args = ap.parse_args()

    named, equivalent, stale = load_curated(args.mutants)
    files = product_files(args.files)
    everything = [m for f in files for m in generate(f)]
    eq_at = {m.where: m for m in equivalent}
    named_at = {m.where for m in named}
    pool = [m for m in everything if m.where not in named_at]

    if args.id:
        by_id = {m.id: m for m in everything + named + equivalent}
        missing = [i for i in args.id if i not in by_id]
        if missing:
            sys.exit(f"mutate: no such mutant: {', '.join(missing)}")
        chosen = [by_id[i] for i in args.id]
    else:
        chosen = [] if args.no_named else list(named)
        if args.files:
            chosen = [m for m in chosen
                      if any(fnmatch.fnmatch(m.path, p) for p in args.files)]
        if not args.named:
            rng = random.Random(args.seed)
            chosen += weighted_sample(rng, pool, args.n)
    for m in chosen:
        if m.where in eq_at:
            m.equivalent = eq_at[m.where].equivalent

    ops = {}
    for m in everything:
        ops[m.op] = ops.get(m.op, 0) + 1
    print(f"mutate: {len(everything)} mutants in {len(files)} files ("
          + ", ".join(f"{k} {v}" for k, v in ops.items()) + f"); "
          f"{len(named)} named, {len(equivalent)} listed as equivalent")
    for name, why in stale:
        print(f"STALE    [{name}] {why}")
    if args.list:
        for m in chosen:
            tag = "EQUIV   " if m.equivalent else "        "
            print(f"{tag} {m.describe()}\n           id {m.id}")
        return 0

    scratch = args.scratch or ("/tmp/fsrace-mutate-" + hashlib.sha1(
        ROOT.encode()).hexdigest()[:8])
    src, build = os.path.join(scratch, "src"), os.path.join(scratch, "build")
    os.makedirs(src, exist_ok=True)
    sync_tree(src)
    passes = [Suite("plain", src, scratch, build, [])]
    if not args.no_sanitizers:
        passes.append(Suite("asan", src, scratch, build, SANITIZER_OPTIONS,
                            asan=os.path.join(scratch, "build-asan")))
    print(f"mutate: scratch copy {src}, builds "
          + ", ".join(p.dir for p in passes), flush=True)
    for p in passes:
        p.setup()
        rc, _ = p.build(None)
        if rc != 0:
            sys.exit(f"mutate: the unmutated tree does not build ({p.name})"
                     f": see {p.build_log}")
        rc, base = p.test(timeout=1800)
        if rc != 0:
            sys.exit(f"mutate: the unmutated suite fails in the {p.name} "
                     f"pass ({first_failure(p.log)}): see {p.log}")
        p.timeout = args.timeout or max(60.0, 3 * base)
        print(f"mutate: the unmutated suite passes in {base:.0f} s "
              f"({p.name}); timeout {p.timeout:.0f} s", flush=True)
    print(f"mutate: {len(chosen)} mutants", flush=True)

    killed = survived = equiv = 0
    survivors = []
    for i, m in enumerate(chosen, 1):
        head = f"[{i:3}/{len(chosen)}]"
        if m.equivalent:
            equiv += 1
            print(f"{head} EQUIV    {m.describe()}: {m.equivalent}",
                  flush=True)
            continue
        apply(src, m)
        t = 0.0
        try:
            for p in passes:
                result, why, dt = p.verdict(m)
                t += dt
                if result == "KILLED":
                    if p is not passes[0]:
                        why = f"{p.name} pass: {why}"
                    break
        finally:
            restore(src, m)
        if not check_dev_null():
            os.unlink("/dev/null")
            os.mknod("/dev/null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
            os.chmod("/dev/null", 0o666)
            sys.exit(f"mutate: /dev/null was replaced while running "
                     f"{m.describe()}; restored it. A test or fsrace wrote "
                     f"over it: find out why before running again.")
        if result == "KILLED":
            killed += 1
        else:
            survived += 1
            survivors.append(m)
        print(f"{head} {result:8} {m.describe()}"
              + (f" ({why})" if why else "") + f" {t:.0f} s", flush=True)

    # leave the scratch builds as the unmutated tree
    for p in passes:
        p.build()
    if survivors:
        print("\nsurvivors (a test that would fail on each is missing, or "
              "list it as equivalent in tools/mutants.txt):")
        for m in survivors:
            print(f"  {m.describe()}\n    id {m.id}")
    total = killed + survived
    if equiv or stale:
        print(f"({equiv} equivalent and {len(stale)} stale not counted)")
    pct = 100.0 * killed / total if total else 0.0
    print(f"killed {killed} of {total} ({pct:.1f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
