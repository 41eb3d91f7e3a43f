#!/usr/bin/python3
"""The corpus of real programs: run them live under fsrace, compare the
findings with the labelled ones checked in beside each case, measure
precision.

Each case is a folder fixtures/real/NAME/ with a case.json (what to set
up, the command, the expected findings, each labelled true or false with
the reason) and, optionally, a files/ tree copied into the scratch
directory before the setup commands run.

Usage:
  tools/corpus.py [--fsrace BIN] run [--update] [--keep] [CASE...]
      Run the cases (all by default) and print, per case, the observed
      findings against the expected ones. With --update, write the
      observed findings into the case files, keeping the label of every
      expected finding that still matches one (new ones are
      "unlabelled": the test fails until a person labels them). Exit 1
      when a case differs, has unlabelled findings or failed to run.
  tools/corpus.py [--fsrace BIN] table [--run] [CASE...]
      The precision table in Markdown, from the labelled findings of the
      case files, or with --run from a fresh run (findings that match no
      labelled one count as unlabelled).
  tools/corpus.py list
      The cases, one per line: name, program, what it shows.

A run of a case, deterministic by construction:
  - a scratch directory S = /tmp/fsrace-real-NAME-XXXXXX (mode 0755) with
    S/work (the current directory, mode 0755), S/home (HOME) and S/tmp
    (TMPDIR, mode 1777 like /tmp); cases that need a second file system
    get $SHM, a directory under /dev/shm (tmpfs), and are skipped when it
    is on the same file system as /tmp;
  - a fixed environment (nothing inherited): PATH=/usr/sbin:/usr/bin:
    /sbin:/bin, LC_ALL=C, TZ=UTC, umask 022, SOURCE_DATE_EPOCH and the
    GIT_* author, committer and date variables fixed, the case's "env";
  - files/ is copied into S/work, then the "setup" shell commands run in
    S/work (not traced; $SOURCE is the source tree there), then
    `fsrace run -f json -o S/findings.json -- COMMAND` runs in S/work
    with the case's stdin (or /dev/null).

A finding is compared as: rule, severity, path (the first evidence event's
path), the evidence (syscall and path of each event, errno when it
failed), confirmed, and count; an expected finding may name in "varies"
the fields that a race inside the program makes differ between runs
(with the reason in "varies_why"), and those are not compared. Paths are
relative to S ("work/a"), those under $SHM start with "$SHM", others are
absolute; the case's "normalize" rules (regex, replacement) then apply,
for names a program picks at random.
"""
import argparse
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = os.path.join(ROOT, "fixtures", "real")
DEFAULT_FSRACE = os.path.join(ROOT, "build", "fsrace")

LABELS = ("true", "false", "unlabelled")
SEVERITIES = ("error", "warning", "note")
# The causes of false positives, numbered as in issue 8.
CAUSES = {
    1: "durability with no durability intent",
    2: "races inside directories the tree created and keeps private",
    3: "exclusive creates taken for unsafe ones",
    4: "one use reported by several rules; uses that cannot follow "
       "a symlink",
    5: "verified and directory patterns not recognised",
    6: "empty path, O_TMPFILE, existing O_CREAT, confirmed, "
       "access-then-open unprivileged",
    7: "the runtime's own machinery",
    8: "scope: installed code the tree only reads",
}

BASE_ENV = {
    "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
    "LC_ALL": "C",
    "LANG": "C",
    "TZ": "UTC",
    "SOURCE_DATE_EPOCH": "1700000000",
    "GIT_AUTHOR_NAME": "A U Thor",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_AUTHOR_DATE": "1700000000 +0000",
    "GIT_COMMITTER_NAME": "C O Mitter",
    "GIT_COMMITTER_EMAIL": "committer@example.com",
    "GIT_COMMITTER_DATE": "1700000000 +0000",
    "GIT_CONFIG_NOSYSTEM": "1",
    "EDITOR": "true",
    "PAGER": "cat",
}
TIMEOUT = 60


class Skipped(Exception):
    """The case cannot run here (a program or a kernel feature missing)."""


class CaseError(Exception):
    """The case did not run as it says (setup failed, fsrace failed, the
    program's exit status differs): its findings would mean nothing."""


# --- cases ----------------------------------------------------------------

def case_names():
    if not os.path.isdir(CASES):
        return []
    return sorted(n for n in os.listdir(CASES)
                  if os.path.isfile(os.path.join(CASES, n, "case.json")))


def load_case(name):
    path = os.path.join(CASES, name, "case.json")
    try:
        with open(path, encoding="utf-8") as f:
            case = json.load(f)
    except OSError as e:
        raise CaseError(f"cannot open '{path}': {e.strerror}")
    except ValueError as e:
        raise CaseError(f"cannot parse '{path}': {e}")
    case["name"] = name
    case["file"] = path
    for k in ("program", "command"):
        if k not in case:
            raise CaseError(f"{path}: no \"{k}\"")
    case.setdefault("expected", [])
    for i, e in enumerate(case["expected"]):
        if e.get("label") not in LABELS:
            raise CaseError(f"{path}: expected[{i}]: label must be one of "
                            f"{', '.join(LABELS)}")
        if e.get("severity") not in SEVERITIES:
            raise CaseError(f"{path}: expected[{i}]: bad severity")
        if e["label"] == "false" and e.get("cause") not in CAUSES:
            raise CaseError(f"{path}: expected[{i}]: a false positive "
                            f"needs a cause 1-8")
        varies = e.get("varies", [])
        if any(k not in COMPARED for k in varies) or \
                (varies and not e.get("varies_why")):
            raise CaseError(f"{path}: expected[{i}]: \"varies\" names "
                            f"compared fields and needs \"varies_why\"")
    for i, m in enumerate(case.setdefault("missing", [])):
        if not m.get("rule") or not m.get("path") or not m.get("why"):
            raise CaseError(f"{path}: missing[{i}]: needs rule, path, why")
    if not case["missing"]:
        del case["missing"]
    for i, m in enumerate(case.get("anticipated", [])):
        if not m.get("rule") or not m.get("path") or not m.get("why") or \
                m.get("label") not in ("true", "false") or \
                (m["label"] == "false" and m.get("cause") not in CAUSES):
            raise CaseError(f"{path}: anticipated[{i}]: needs rule, path, "
                            f"label, why, and a cause when false")
    return case


def save_case(case):
    out = {k: v for k, v in case.items() if k not in ("name", "file")}
    text = json.dumps(out, indent=2, ensure_ascii=False) + "\n"
    tmp = case["file"] + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.rename(tmp, case["file"])


# --- running --------------------------------------------------------------

def leases_enabled():
    try:
        with open("/proc/sys/fs/leases-enable") as f:
            return f.read().strip() == "1"
    except OSError:
        return False


def check_needs(case):
    """Raise Skipped with the reason when the case cannot run here."""
    for prog in case.get("needs", []):
        if not shutil.which(prog, path=BASE_ENV["PATH"]):
            raise Skipped(f"{prog} is not installed (tools/deps.sh "
                          f"installs the corpus's programs)")
    if case.get("leases") and not leases_enabled():
        raise Skipped("file leases are off (/proc/sys/fs/leases-enable)")


class Scratch:
    """The scratch directories of one run; removed on exit unless kept."""

    def __init__(self, case, keep=False):
        self.case = case
        self.keep = keep
        self.root = self.shm = None

    def __enter__(self):
        try:
            return self._make()
        except BaseException:
            self.keep = False
            self.__exit__()
            raise

    def _make(self):
        self.root = os.path.realpath(tempfile.mkdtemp(
            prefix=f"fsrace-real-{self.case['name']}-", dir="/tmp"))
        os.chmod(self.root, 0o755)
        self.work = os.path.join(self.root, "work")
        self.home = os.path.join(self.root, "home")
        self.tmp = os.path.join(self.root, "tmp")
        for d in (self.work, self.home, self.tmp):
            os.mkdir(d, 0o755)
        os.chmod(self.tmp, 0o1777)
        if self.case.get("shm"):
            if not os.path.isdir("/dev/shm"):
                raise Skipped("no /dev/shm")
            self.shm = os.path.realpath(tempfile.mkdtemp(
                prefix=f"fsrace-real-{self.case['name']}-", dir="/dev/shm"))
            os.chmod(self.shm, 0o755)
            if os.stat(self.shm).st_dev == os.stat(self.root).st_dev:
                raise Skipped("/dev/shm and /tmp are one file system here: "
                              "the case needs two")
        return self

    def __exit__(self, *exc):
        if self.keep:
            print(f"kept {self.root}" + (f" and {self.shm}" if self.shm
                                         else ""), file=sys.stderr)
            return
        for d in (self.root, self.shm):
            if d:
                shutil.rmtree(d, ignore_errors=True)

    def env(self):
        env = dict(BASE_ENV)
        env["HOME"] = self.home
        env["TMPDIR"] = self.tmp
        env["WORK"] = self.work
        if self.shm:
            env["SHM"] = self.shm
        for k, v in self.case.get("env", {}).items():
            env[k] = self.subst(v)
        return env

    def subst(self, s):
        s = s.replace("$WORK", self.work)
        if self.shm:
            s = s.replace("$SHM", self.shm)
        return s.replace("$SCRATCH", self.root)

    def norm(self, path):
        """A path as the case files write it."""
        if not path:
            return path
        if path == self.root:
            p = "."
        elif path.startswith(self.root + "/"):
            p = path[len(self.root) + 1:]
        elif self.shm and (path == self.shm or
                           path.startswith(self.shm + "/")):
            p = "$SHM" + path[len(self.shm):]
        else:
            p = path
        for pat, rep in self.case.get("normalize", []):
            p = re.sub(pat, rep, p)
        return p


def _umask022():
    os.umask(0o022)


def setup_case(case, s):
    files = os.path.join(CASES, case["name"], "files")
    if os.path.isdir(files):
        shutil.copytree(files, s.work, symlinks=True, dirs_exist_ok=True)
    env = dict(s.env(), SOURCE=ROOT)
    for cmd in case.get("setup", []):
        p = subprocess.run(["/bin/sh", "-ec", cmd], cwd=s.work, env=env,
                           stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=TIMEOUT, preexec_fn=_umask022)
        if p.returncode != 0:
            raise CaseError(f"setup command failed (exit {p.returncode}): "
                            f"{cmd}\n{p.stdout}{p.stderr}")


def describe_event(e, s):
    sc = e.get("syscall", "?")
    if sc in ("exit", "end"):
        return sc
    if e.get("abspath") is not None:
        where = s.norm(e["abspath"])
    elif e.get("path") is not None:
        where = s.norm(e["path"])
    elif e.get("fd_path") is not None:
        where = "fd:" + s.norm(e["fd_path"])
    else:
        where = "fd"
    if e.get("abspath2") is not None:
        where += " -> " + s.norm(e["abspath2"])
    out = f"{sc} {where}"
    if e.get("errno"):
        out += f" = {e['errno']}"
    return out


def main_path(f, s):
    for e in f.get("evidence", []):
        for k in ("abspath", "path", "fd_path"):
            if e.get(k) is not None:
                return s.norm(e[k])
    return None


def entry_of(f, s):
    return {
        "rule": f["rule"],
        "severity": f["severity"],
        "path": main_path(f, s),
        "evidence": [describe_event(e, s) for e in f.get("evidence", [])],
        "confirmed": bool(f.get("confirmed")),
        "count": f.get("count", 1),
    }


def sort_key(e):
    return (SEVERITIES.index(e["severity"]) if e["severity"] in SEVERITIES
            else 9, e["rule"], e["path"] or "", e["evidence"], e["count"])


class Result:
    def __init__(self, case, observed, doc, proc, argv):
        self.case = case
        self.observed = observed
        self.doc = doc
        self.proc = proc
        self.argv = argv


def run_case(case, fsrace=DEFAULT_FSRACE, keep=False):
    """Run CASE live under FSRACE; returns a Result. Raises Skipped or
    CaseError."""
    check_needs(case)
    if not os.access(fsrace, os.X_OK):
        raise CaseError(f"no fsrace binary at '{fsrace}' "
                        f"(tools/build.sh build)")
    with Scratch(case, keep) as s:
        setup_case(case, s)
        argv = [s.subst(a) for a in case["command"]]
        out = os.path.join(s.root, "findings.json")
        extra = ["--record", os.path.join(s.root, "trace.jsonl")] \
            if keep else []
        stdin = subprocess.DEVNULL
        if case.get("stdin"):
            stdin = open(os.path.join(s.work, case["stdin"]), "rb")
        try:
            proc = subprocess.run(
                [fsrace, "run", "-f", "json", "-o", out, *extra, "--",
                 *argv],
                cwd=s.work, env=s.env(), stdin=stdin, capture_output=True,
                text=True, errors="replace", timeout=TIMEOUT,
                preexec_fn=_umask022)
        except subprocess.TimeoutExpired:
            raise CaseError(f"fsrace run took more than {TIMEOUT} s")
        finally:
            if stdin is not subprocess.DEVNULL:
                stdin.close()
        if proc.returncode not in (0, 1, 3) or not os.path.exists(out):
            raise CaseError(f"fsrace run exited {proc.returncode}:\n"
                            f"{proc.stderr}")
        with open(out, encoding="utf-8") as f:
            doc = json.load(f)
        want = case.get("status", 0)
        got = doc.get("input", {}).get("status")
        if got != want:
            raise CaseError(f"the program exited {got}, the case says "
                            f"{want}:\n{proc.stdout}{proc.stderr}")
        observed = sorted((entry_of(f, s) for f in doc["findings"]),
                          key=sort_key)
    return Result(case, observed, doc, proc, argv)


# --- comparing and labelling ----------------------------------------------

COMPARED = ("rule", "severity", "path", "evidence", "confirmed", "count")


def exact(e, skip=()):
    return tuple(json.dumps(e.get(k), sort_keys=True) for k in COMPARED
                 if k not in skip)


def show(e):
    conf = " confirmed" if e.get("confirmed") else ""
    return (f"{e['severity']}[{e['rule']}] {e['path']} x{e['count']}{conf}"
            f" :: {' ; '.join(e['evidence'])}")


def compare(expected, observed):
    """The differences, as lines: '- ' expected and not seen, '+ ' seen
    and not expected. Empty when the multisets are equal. An expected
    finding with "varies" (fields a race in the program itself makes
    differ from run to run, said why in "varies_why") is compared
    without those fields, after the exact ones are paired."""
    left = {}
    loose = []
    for e in expected:
        if e.get("varies"):
            loose.append(e)
        else:
            left.setdefault(exact(e), []).append(e)
    unpaired = []
    for o in observed:
        k = exact(o)
        if left.get(k):
            left[k].pop()
        else:
            unpaired.append(o)
    extra = []
    for o in unpaired:
        i = next((i for i, e in enumerate(loose)
                  if exact(e, e["varies"]) == exact(o, e["varies"])), None)
        if i is None:
            extra.append(o)
        else:
            del loose[i]
    missing = [e for es in left.values() for e in es] + loose
    return ([f"- {show(e)}" for e in sorted(missing, key=sort_key)] +
            [f"+ {show(o)}" for o in sorted(extra, key=sort_key)])


# An observed finding takes the label of an expected one that matches it
# at the first level that pairs them, each level over all findings before
# the next: the same finding (but its count); the same rule, path and
# evidence (the severity moved); the same rule and path when that pairs
# one expected with one observed finding (the evidence changed).
LEVELS = (
    lambda e: (e["rule"], e["severity"], e["path"], tuple(e["evidence"]),
               e.get("confirmed", False)),
    lambda e: (e["rule"], e["path"], tuple(e["evidence"])),
    lambda e: (e["rule"], e["path"]),
)


def carry_labels(expected, observed):
    """Observed entries with the labels of the expected ones they match;
    the others 'unlabelled'."""
    out = [dict(o) for o in observed]
    done = [False] * len(out)
    used = [False] * len(expected)
    for level, key in enumerate(LEVELS):
        pool = {}
        for i, e in enumerate(expected):
            if not used[i]:
                pool.setdefault(key(e), []).append(i)
        wanted = {}
        for j, o in enumerate(out):
            if not done[j]:
                wanted.setdefault(key(o), []).append(j)
        for k, js in wanted.items():
            cands = pool.get(k, [])
            if level == len(LEVELS) - 1 and (len(cands) != 1 or
                                              len(js) != 1):
                continue
            for j, i in zip(js, cands):
                e = expected[i]
                out[j]["label"] = e["label"]
                for f in ("why", "cause", "varies", "varies_why"):
                    if f in e:
                        out[j][f] = e[f]
                used[i] = done[j] = True
    for j, o in enumerate(out):
        if not done[j]:
            o["label"] = "unlabelled"
            o["why"] = ""
    return out


def take_missing(case, observed):
    """Label the unlabelled observed entries that the case knows of in
    advance, matching rule and path: one it lists under "missing" (a true
    finding no rule gave yet) is labelled true, one under "anticipated"
    (a finding another change of the analysis is known to bring, labelled
    beforehand) gets that label; either leaves its list."""
    for key in ("missing", "anticipated"):
        left = []
        for m in case.get(key, []):
            hit = next((o for o in observed
                        if o.get("label") == "unlabelled" and
                        o["rule"] == m["rule"] and o["path"] == m["path"]),
                       None)
            if hit is None:
                left.append(m)
                continue
            hit["label"] = m.get("label", "true")
            hit["why"] = m["why"]
            if "cause" in m:
                hit["cause"] = m["cause"]
        if left:
            case[key] = left
        else:
            case.pop(key, None)


def unlabelled(entries):
    return [e for e in entries if e.get("label") == "unlabelled"]


# --- precision ------------------------------------------------------------

def tally(entries):
    """(findings, true, unlabelled) at warning and above, and overall."""
    def count(es):
        return (len(es), sum(e.get("label") == "true" for e in es),
                sum(e.get("label") == "unlabelled" for e in es))
    high = [e for e in entries if e["severity"] in ("error", "warning")]
    return count(high), count(entries)


def pct(t, n):
    return "—" if n == 0 else f"{100.0 * t / n:.1f}%"


def table(rows):
    """Markdown: ROWS are (case, entries)."""
    lines = [
        "| case | program | findings ≥ warning | true | precision ≥ "
        "warning | findings (all) | true | precision (all) | default "
        "gate | true ones missing |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    tot_h = [0, 0, 0]
    tot_a = [0, 0, 0]
    tot_m = 0
    for case, entries in rows:
        (hn, ht, hu), (an, at, au) = tally(entries)
        for tot, v in ((tot_h, (hn, ht, hu)), (tot_a, (an, at, au))):
            for i in range(3):
                tot[i] += v[i]
        gate = "fails" if hn else "passes"
        un = f" ({au} unlabelled)" if au else ""
        miss = len(case.get("missing", []))
        tot_m += miss
        lines.append(f"| {case['name']} | {case['program']} | {hn} | {ht} | "
                     f"{pct(ht, hn)} | {an} | {at}{un} | {pct(at, an)} | "
                     f"{gate} | {miss} |")
    un = f" ({tot_a[2]} unlabelled)" if tot_a[2] else ""
    lines.append(f"| **total** | {len(rows)} cases | {tot_h[0]} | "
                 f"{tot_h[1]} | {pct(tot_h[1], tot_h[0])} | {tot_a[0]} | "
                 f"{tot_a[1]}{un} | {pct(tot_a[1], tot_a[0])} | "
                 f"{sum(1 for _, es in rows if tally(es)[0][0] == 0)} pass | "
                 f"{tot_m} |")
    return "\n".join(lines)


def causes_table(rows):
    """Markdown: the false positives by cause, at warning+ and overall."""
    by = {}
    for _, entries in rows:
        for e in entries:
            if e.get("label") != "false":
                continue
            c = by.setdefault(e["cause"], [0, 0])
            c[1] += 1
            if e["severity"] in ("error", "warning"):
                c[0] += 1
    total = sum(v[1] for v in by.values())
    lines = ["| cause | false ≥ warning | false (all) | share |",
             "|---|---:|---:|---:|"]
    for c in sorted(by):
        lines.append(f"| {c}. {CAUSES[c]} | {by[c][0]} | {by[c][1]} | "
                     f"{pct(by[c][1], total)} |")
    return "\n".join(lines)


# --- commands -------------------------------------------------------------

def select(names):
    all_names = case_names()
    if not names:
        return all_names
    bad = [n for n in names if n not in all_names]
    if bad:
        raise SystemExit(f"corpus.py: no case {', '.join(bad)} "
                         f"(tools/corpus.py list)")
    return names


def cmd_run(args):
    status = 0
    for name in select(args.cases):
        try:
            case = load_case(name)
            r = run_case(case, args.fsrace, args.keep)
        except Skipped as e:
            print(f"SKIP {name}: {e}")
            continue
        except CaseError as e:
            print(f"ERROR {name}: {e}")
            status = 1
            continue
        diff = compare(case["expected"], r.observed)
        labelled = carry_labels(case["expected"], r.observed)
        known = copy.deepcopy(case)
        take_missing(known, labelled)
        (hn, ht, _), (an, at, au) = tally(labelled)
        head = (f"{name}: {an} findings ({hn} at warning+), "
                f"{at} true")
        if known.get("missing"):
            head += (f", {len(known['missing'])} true finding(s) "
                     f"not found")
        if args.update:
            case["expected"] = labelled
            case.pop("missing", None)
            case.pop("anticipated", None)
            case.update({k: known[k] for k in ("missing", "anticipated")
                         if k in known})
            save_case(case)
            n = len(unlabelled(labelled))
            print(f"{'UPDATED' if diff else 'same'} {head}" +
                  (f", {n} unlabelled: label them in {case['file']}"
                   if n else ""))
            for line in diff:
                print("  " + line)
            if n:
                status = 1
            continue
        bad = unlabelled(case["expected"])
        if diff or bad:
            status = 1
            print(f"DIFF {head}")
            for line in diff:
                print("  " + line)
            for e in bad:
                print(f"  unlabelled: {show(e)}")
        else:
            print(f"ok   {head}")
        if args.verbose:
            for o in labelled:
                print(f"    {o['label']:10} {show(o)}")
    return status


def cmd_table(args):
    rows = []
    for name in select(args.cases):
        case = load_case(name)
        if args.run:
            try:
                r = run_case(case, args.fsrace)
            except Skipped as e:
                print(f"skipped {name}: {e}", file=sys.stderr)
                continue
            labelled = carry_labels(case["expected"], r.observed)
            take_missing(case, labelled)
            rows.append((case, labelled))
        else:
            rows.append((case, case["expected"]))
    print(table(rows))
    print()
    print(causes_table(rows))
    return 0


def cmd_list(args):
    for name in case_names():
        case = load_case(name)
        print(f"{name}\t{case['program']}\t{case.get('about', '')}")
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="tools/corpus.py",
        description="Run the real-program corpus (fixtures/real/) under "
                    "fsrace and measure its precision.")
    ap.add_argument("--fsrace", default=os.environ.get("FSRACE",
                                                       DEFAULT_FSRACE),
                    help="the fsrace binary (default build/fsrace)")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run cases, compare with the expected")
    r.add_argument("--update", action="store_true",
                   help="write the observed findings into the case files")
    r.add_argument("--keep", action="store_true",
                   help="keep the scratch directories, with the trace "
                        "in S/trace.jsonl")
    r.add_argument("-v", "--verbose", action="store_true",
                   help="list every finding with its label")
    r.add_argument("cases", nargs="*", metavar="CASE")
    t = sub.add_parser("table", help="the precision table (Markdown)")
    t.add_argument("--run", action="store_true",
                   help="from a fresh run instead of the case files")
    t.add_argument("cases", nargs="*", metavar="CASE")
    sub.add_parser("list", help="the cases")
    args = ap.parse_args(argv)
    args.fsrace = os.path.abspath(args.fsrace)
    try:
        return {"run": cmd_run, "table": cmd_table,
                "list": cmd_list}[args.cmd](args)
    except CaseError as e:
        print(f"corpus.py: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
