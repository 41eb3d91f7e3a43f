"""Suppressions (docs/rules.md, "Suppressions") on real programs run
live: the shipped ones (rules/suppressions.json) take the runtime's own
machinery out of the report and count it; --show-suppressed lists them
with their reason, --no-default-suppressions brings them back; a user's
suppression file works, and one with an error is refused with
FILE:LINE:COL and exit 2 before anything runs."""
import json
import os
import re
import shutil
import subprocess

import harness

PYTHON = "/usr/bin/python3"
SHIPPED = os.path.join(harness.SOURCE_ROOT, "rules", "suppressions.json")


def shipped_line(reason_start):
    """The line of rules/suppressions.json that holds the entry whose
    reason starts with REASON_START: the "(FILE:LINE)" a reason ends
    with names the line of the entry's opening brace."""
    with open(SHIPPED) as f:
        lines = f.read().splitlines()
    at = next(i for i, ln in enumerate(lines)
              if f'"reason": "{reason_start}' in ln)
    while lines[at].strip() != "{":
        at -= 1
    return at + 1


def shipped_reason(reason_start):
    with open(SHIPPED) as f:
        doc = json.load(f)
    reason = next(s["reason"] for s in doc["suppressions"]
                  if s["reason"].startswith(reason_start))
    return f"{reason} ({SHIPPED}:{shipped_line(reason_start)})"


IMPORTER = "CPython's import system"
STARTUP = "an interpreter's start-up"
PYC = "CPython's bytecode cache"
PATH_LOOKUP = "a PATH lookup"


def need(path):
    if not os.access(path, os.X_OK):
        raise harness.Skip(f"{path} is not installed")


def tally(events_and_rest):
    """The last lines of a text report, the event count replaced by N."""
    return re.sub(r" in \d+ events", " in N events", events_and_rest)


def python_env(bytecode):
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if not bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def test_python_empty_passes_the_gate(ctx):
    """python3 empty.py: its start-up stats, then opens the script; the
    shipped suppression takes it out, and the report counts it."""
    need(PYTHON)
    harness.write_file(os.path.join(ctx.tmp, "empty.py"), "")
    p = ctx.run(["run", "--", PYTHON, "empty.py"], env=python_env(False))
    assert p.returncode == 0, p.stderr
    assert tally(p.stderr) == (
        "0 findings (0 error, 0 warning, 0 note) in N events\n"
        "not reported: 1 suppressed (--show-suppressed lists them)\n"), \
        p.stderr


def test_python_empty_without_default_suppressions(ctx):
    need(PYTHON)
    script = harness.write_file(os.path.join(ctx.tmp, "empty.py"), "")
    out = os.path.join(ctx.tmp, "r.json")
    p = ctx.run(["run", "--no-default-suppressions", "-o", out, "--",
                 PYTHON, "empty.py"], env=python_env(False))
    assert p.returncode == 1, p.stderr
    doc = harness.read_findings(out)
    harness.check_findings_schema(doc)
    got = [(f["rule"], f["severity"], f["count"],
            [(e["syscall"], e.get("abspath"), e.get("program"))
             for e in f["evidence"]]) for f in doc["findings"]]
    prog = f"{PYTHON} empty.py"
    # two stats and two opens of the script: two check-use pairs, each
    # then fstat'ed (FileIO checks for a directory; the second open is
    # fstat'ed twice, which is still one pair)
    assert got == [("check-then-use", "warning", 2,
                    [("newfstatat", script, prog),
                     ("openat", script, prog)])], got
    assert doc["not_reported"] == {"suppressed": 0, "out_of_scope": 0,
                                   "private": 0, "no_intent": 0}, doc


def test_show_suppressed_lists_them_with_the_reason(ctx):
    need(PYTHON)
    script = harness.write_file(os.path.join(ctx.tmp, "empty.py"), "")
    p = ctx.run(["run", "--show-suppressed", "--", PYTHON, "empty.py"],
                env=python_env(False))
    assert p.returncode == 0, p.stderr
    m = re.fullmatch(
        r"suppressed\[check-then-use\] (.*) \[2 times\]\n"
        r"    reason   (.*)\n"
        r"    program  pid (\d+): (.*)\n"
        r"    check    #\d+ pid (\d+) newfstatat\((.*)\) = 0\n"
        r"(?:             at .*\n)*"
        r"    use      #\d+ pid (\d+) openat\((.*)\) = 3\n"
        r"(?:             at .*\n)*"
        r"\n"
        r"0 findings \(0 error, 0 warning, 0 note\) in \d+ events\n"
        r"not reported: 1 suppressed\n", p.stderr)
    assert m, p.stderr
    pid = m.group(3)
    assert m.group(1).startswith(
        f"newfstatat('{script}') then openat('{script}') by name in pid "
        f"{pid}, and then fstat'ed the descriptor: "), m.group(1)
    assert m.group(2) == shipped_reason(STARTUP), m.group(2)
    assert (m.group(4), m.group(5), m.group(6), m.group(7), m.group(8)) \
        == (f"{PYTHON} empty.py", pid, script, pid, script), m.groups()
    out = os.path.join(ctx.tmp, "r.json")
    p = ctx.run(["run", "--show-suppressed", "-o", out, "--", PYTHON,
                 "empty.py"], env=python_env(False))
    doc = harness.read_findings(out)
    harness.check_findings_schema(doc)
    assert (doc["findings"], doc["groups"]) == ([], []), doc
    assert doc["not_reported"]["suppressed"] == 1, doc["not_reported"]
    assert [(f["rule"], f["count"], f["reason"])
            for f in doc["suppressed"]] == \
        [("check-then-use", 2, shipped_reason(STARTUP))], doc["suppressed"]


def package(ctx):
    """main.py importing pkg (pkg/__init__.py imports pkg.mod)."""
    pkg = os.path.join(ctx.tmp, "pkg")
    os.mkdir(pkg)
    harness.write_file(os.path.join(ctx.tmp, "main.py"), "import pkg\n")
    harness.write_file(os.path.join(pkg, "__init__.py"), "from . import mod\n")
    harness.write_file(os.path.join(pkg, "mod.py"), "X = 1\n")
    return pkg


def named(f):
    """The name a finding is about: a rename's new name, else the first
    event's path."""
    news = [e["abspath2"] for e in f["evidence"] if "abspath2" in e]
    return news[0] if news else f["evidence"][0]["abspath"]


def test_python_package_with_bytecode(ctx):
    """An import with bytecode writing on: the importer stats then opens
    each module, writes each .pyc to a temporary and renames it, makes
    __pycache__ on demand. All suppressed by default; all back without
    the defaults, and the .pyc are written either way."""
    need(PYTHON)
    pkg = package(ctx)
    cache = os.path.join(pkg, "__pycache__")
    p = ctx.run(["run", "--show-suppressed", "-f", "json", "--", PYTHON,
                 "main.py"], env=python_env(True))
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stderr)
    harness.check_findings_schema(doc)
    assert doc["findings"] == [], doc["findings"]
    reasons = sorted({(f["rule"], f["reason"]) for f in doc["suppressed"]
                      if any(harness.under(e.get("abspath"), ctx.tmp)
                             for e in f["evidence"])})
    assert reasons == sorted([
        ("check-then-use", shipped_reason(STARTUP)),
        ("check-then-use", shipped_reason(IMPORTER)),
        ("rename-without-fsync", shipped_reason(PYC)),
        ("missing-dir-fsync", shipped_reason(PYC)),
    ]), reasons
    tag = subprocess.run([PYTHON, "-c", "import sys; print(sys."
                          "implementation.cache_tag)"], capture_output=True,
                         text=True, check=True).stdout.strip()
    assert sorted(os.listdir(cache)) == [f"__init__.{tag}.pyc",
                                         f"mod.{tag}.pyc"]
    shutil.rmtree(cache)
    out = os.path.join(ctx.tmp, "r.json")
    p = ctx.run(["run", "--no-default-suppressions", "-o", out, "--",
                 PYTHON, "main.py"], env=python_env(True))
    assert p.returncode == 1, p.stderr
    doc = harness.read_findings(out)
    harness.check_findings_schema(doc)
    here = sorted((f["rule"], os.path.relpath(named(f), ctx.tmp))
                  for f in doc["findings"]
                  if harness.under(f["evidence"][0].get("abspath"), ctx.tmp))
    assert here == sorted([
        ("check-then-use", "main.py"),
        ("check-then-use", "pkg/__init__.py"),
        ("check-then-use", "pkg/mod.py"),
    ]), here
    # the .pyc writes show no durability intent: without the defaults
    # too, they are not reported (docs/durability.md)


def test_shell_path_lookup_and_script(ctx):
    """bash -c 'cat …' checks /usr/bin/cat, then execs it: suppressed by
    default, reported without the defaults. The #! script found in PATH
    is opened then stat'ed by its bash, which is no longer a finding at
    all (a stat is not a use of an open file)."""
    need("/bin/bash")
    bindir = os.path.join(ctx.tmp, "bin")
    os.mkdir(bindir)
    script = harness.write_file(os.path.join(bindir, "hello"),
                                "#!/bin/bash\necho hi\n", 0o755)
    hostname = harness.write_file(os.path.join(ctx.tmp, "name"), "x\n")
    # bash looks its user up (and glibc stats nsswitch.conf) when SHELL
    # is unset, as under `env -i`: set it, so only the lookup is left
    env = dict(os.environ, PATH=f"{bindir}:/usr/bin:/bin",
               SHELL="/bin/bash")
    argv = ["/bin/bash", "-c", f"hello; cat {hostname}"]
    p = ctx.run(["run", "--", *argv], env=env)
    assert (p.returncode, p.stdout) == (0, "hi\nx\n"), p.stderr
    assert tally(p.stderr) == (
        "0 findings (0 error, 0 warning, 0 note) in N events\n"
        "not reported: 1 suppressed (--show-suppressed lists them)\n"), \
        p.stderr
    out = os.path.join(ctx.tmp, "r.json")
    p = ctx.run(["run", "--show-suppressed", "-o", out, "--", *argv],
                env=env)
    doc = harness.read_findings(out)
    got = sorted((f["rule"], [e["syscall"] for e in f["evidence"]],
                  f["evidence"][0]["abspath"], f["reason"])
                 for f in doc["suppressed"])
    assert got == sorted([
        ("check-then-use", ["access", "execve"], "/usr/bin/cat",
         shipped_reason(PATH_LOOKUP)),
    ]), got
    # /usr/bin/cat is installed code the tree only reads: --scope all
    p = ctx.run(["run", "--no-default-suppressions", "--scope", "all",
                 "-o", out, "--", *argv], env=env)
    assert p.returncode == 0, p.stderr
    doc = harness.read_findings(out)
    got = sorted((f["rule"], f["severity"], f["evidence"][0]["abspath"],
                  f["evidence"][-1].get("program"))
                 for f in doc["findings"])
    assert got == [
        ("check-then-use", "note", "/usr/bin/cat", f"cat {hostname}"),
    ], got


# --- a user's suppressions ------------------------------------------------

def stat_open(ctx):
    harness.write_file(os.path.join(ctx.tmp, "data.txt"), "x\n")
    return [ctx.fixture("stat_open"), "data.txt", "missing.txt"]


def user_file(ctx, entries):
    return harness.write_file(os.path.join(ctx.tmp, "supp.json"),
                              json.dumps({"suppressions": entries}))


def test_user_suppression(ctx):
    """-r FILE adds suppressions: by path, by program, by syscall; one
    that does not match leaves the finding; --no-default-suppressions
    keeps the user's."""
    prog = stat_open(ctx)
    data = os.path.join(ctx.tmp, "data.txt")
    out = os.path.join(ctx.tmp, "r.json")
    matching = [
        {"rule": "check-then-use", "path": "*/data.txt", "reason": "ours"},
        {"rule": "check-*", "program": "stat_open", "reason": "ours"},
        {"rule": ["t-*", "check-then-use"],
         "program": ctx.fixture("stat_open"), "reason": "ours"},
        {"rule": "*", "syscall": "newfstat*", "path": ["/nope", data],
         "reason": "ours"},
    ]
    for entry in matching:
        supp = user_file(ctx, [entry])
        for extra in ([], ["--no-default-suppressions"]):
            p = ctx.run(["run", "-r", supp, *extra, "--show-suppressed",
                         "-o", out, "--", *prog])
            assert p.returncode == 0, (entry, p.stderr)
            doc = harness.read_findings(out)
            harness.check_findings_schema(doc)
            assert doc["findings"] == [], (entry, doc["findings"])
            assert [(f["rule"], f["reason"]) for f in doc["suppressed"]] \
                == [("check-then-use", f"ours ({supp}:1)")], \
                (entry, doc["suppressed"])
    missing = [
        {"rule": "check-then-use", "path": "*/other.txt", "reason": "x"},
        {"rule": "lstat-then-follow", "reason": "x"},
        {"rule": "check-then-use", "program": "cat", "reason": "x"},
        {"rule": "check-then-use", "syscall": "execve", "reason": "x"},
        {"rule": "check-then-use", "path": "*/data.txt", "program": "cat",
         "reason": "x"},
    ]
    for entry in missing:
        supp = user_file(ctx, [entry])
        p = ctx.run(["run", "-r", supp, "-f", "text", "--", *prog])
        assert p.returncode == 1, (entry, p.stderr)
        assert p.stderr.startswith(
            f"warning[check-then-use] newfstatat('{data}') then "
            f"openat('{data}')"), (entry, p.stderr)
        assert "not reported" not in p.stderr, (entry, p.stderr)


def test_unused_suppressions_reported(ctx):
    """A suppression of the user's that took out nothing in the run is
    named, in the text and the JSON; one that did is not; the shipped
    ones never are."""
    prog = stat_open(ctx)
    supp = user_file(ctx, [
        {"rule": "check-then-use", "path": "*/data.txt", "reason": "ours"},
        {"rule": "check-then-use", "path": "*/gone.txt",
         "reason": "was ours"}])
    p = ctx.run(["run", "-r", supp, "--", *prog])
    assert p.returncode == 0, p.stderr
    assert p.stderr.splitlines()[-2:] == [
        "not reported: 1 suppressed (--show-suppressed lists them)",
        f"unused suppression: was ours ({supp}:1)"], p.stderr
    out = os.path.join(ctx.tmp, "r.json")
    p = ctx.run(["run", "-r", supp, "-o", out, "--", *prog])
    doc = harness.read_findings(out)
    harness.check_findings_schema(doc)
    assert doc["unused_suppressions"] == [
        {"file": supp, "line": 1, "reason": f"was ours ({supp}:1)"}], doc
    # every one used, or none of the user's: no key
    p = ctx.run(["run", "-o", out, "--", *prog])
    assert "unused_suppressions" not in harness.read_findings(out)


def test_user_suppression_text(ctx):
    prog = stat_open(ctx)
    supp = user_file(ctx, [{"rule": "check-then-use", "path": "*/data.txt",
                            "reason": "data.txt is ours alone"}])
    p = ctx.run(["run", "-r", supp, "--", *prog])
    assert p.returncode == 0, p.stderr
    assert tally(p.stderr) == (
        "0 findings (0 error, 0 warning, 0 note) in N events\n"
        "not reported: 1 suppressed (--show-suppressed lists them)\n"), \
        p.stderr
    p = ctx.run(["rules", "check", supp])
    assert (p.returncode, p.stdout, p.stderr) == (
        0, f"{supp}: 0 rules, 1 suppression, ok\n", ""), p


ERRORS = [
    ('{"suppressions": @@{}}',
     '"suppressions" must be an array of suppressions'),
    ('{"suppressions": [@@"x"]}', "a suppression must be an object"),
    ('{"suppressions": [{"rule": "check-then-use", "reason": "r", '
     '@@"frames": "x"}]}', 'unknown key "frames" in a suppression'),
    ('{"suppressions": [@@{"path": "/a", "reason": "r"}]}',
     'missing "rule" (a rule id or glob)'),
    ('{"suppressions": [@@{"rule": "check-then-use", "path": "/a"}]}',
     'missing "reason"'),
    ('{"suppressions": [{"rule": "check-then-use", "reason": @@5}]}',
     "a suppression's \"reason\" must be a string, not an integer"),
    ('{"suppressions": [{"rule": "check-then-use", "reason": @@""}]}',
     "a suppression's \"reason\" is not empty"),
    ('{"suppressions": [{"rule": "check-then-use", "reason": "r",\n'
     ' "path": @@7}]}',
     '"path" is a glob or an array of globs, not an integer'),
    ('{"suppressions": [{"rule": "check-then-use", "reason": "r",\n'
     ' "program": @@[]}]}',
     '"program" is a glob or a non-empty array of globs'),
    ('{"suppressions": [{"rule": "check-then-use", "reason": "r",\n'
     ' "path": ["/a", @@""]}]}', "a glob is not empty"),
    ('{"suppressions": [{"rule": ["check-then-use", @@null], '
     '"reason": "r"}]}', "a glob must be a string, not null"),
    ('{"suppressions": [{"rule": "check-then-use", "reason": "r"},\n'
     '  {"rule": ["check-*", @@"check-then-us"], "reason": "typo"}]}',
     'a suppression names no rule "check-then-us" (see fsrace rules)'),
]


def test_user_suppression_errors(ctx):
    """Each error: FILE:LINE:COL: what, exit 2, the program never runs;
    `fsrace rules check` says the same."""
    marker = os.path.join(ctx.tmp, "ran")
    bad = os.path.join(ctx.tmp, "bad.json")
    for text, what in ERRORS:
        before = text.split("@@")[0].split("\n")
        line, col = len(before), len(before[-1]) + 1
        harness.write_file(bad, text.replace("@@", ""))
        want = f"fsrace: {bad}:{line}:{col}: {what}\n"
        p = ctx.run(["run", "-r", bad, "--", "/bin/touch", marker])
        assert (p.returncode, p.stdout, p.stderr) == (2, "", want), \
            (text, p.stderr)
        assert not os.path.exists(marker), "the program ran"
        p = ctx.run(["analyze", "-r", bad, "nothing.jsonl"])
        assert (p.returncode, p.stdout, p.stderr) == (2, "", want), \
            (text, p.stderr)
        p = ctx.run(["rules", "check", bad])
        assert (p.returncode, p.stdout, p.stderr) == (2, "", want), \
            (text, p.stderr)


def test_shipped_suppressions_are_a_rule_file(ctx):
    """The shipped file passes `fsrace rules check`, and a broken one
    under FSRACE_RULES is refused like any rule file."""
    p = ctx.run(["rules", "check", SHIPPED])
    with open(SHIPPED) as f:
        n = len(json.load(f)["suppressions"])
    assert (p.returncode, p.stdout, p.stderr) == (
        0, f"{SHIPPED}: 0 rules, {n} suppressions, ok\n", ""), p
    shipped = os.path.join(ctx.tmp, "rules")
    shutil.copytree(os.path.dirname(SHIPPED), shipped)
    with open(os.path.join(shipped, "suppressions.json"), "w") as f:
        f.write('{"suppressions": [{"rule": "x"}]}')
    for extra in ([], ["--no-default-rules"]):
        p = ctx.run(["run", *extra, "--", "/bin/true"],
                    env=dict(os.environ, FSRACE_RULES=shipped))
        assert (p.returncode, p.stderr) == (
            2, f"fsrace: {shipped}/suppressions.json:1:19: missing "
               '"reason"\n'), (extra, p.stderr)


# --- what the shipped suppressions do not hide ----------------------------

def reported(ctx, argv, **kw):
    out = os.path.join(ctx.tmp, "r.json")
    ctx.run(["run", "--fail-on", "none", "-o", out, "--", *argv], **kw)
    doc = harness.read_findings(out)
    return sorted((f["rule"], [e["syscall"] for e in f["evidence"]],
                   os.path.relpath(f["evidence"][0]["abspath"], ctx.tmp))
                  for f in doc["findings"])


def test_module_run_is_no_script(ctx):
    """python3 -m m names no script: a stat then open of a file that
    happens to be called m (x/m) is the program's, not start-up."""
    need(PYTHON)
    os.mkdir(os.path.join(ctx.tmp, "x"))
    harness.write_file(os.path.join(ctx.tmp, "x", "m"), "data\n")
    harness.write_file(os.path.join(ctx.tmp, "m.py"),
                       "import os\np = os.path.join('x', 'm')\n"
                       "if os.path.exists(p):\n    open(p).read()\n")
    got = reported(ctx, [PYTHON, "-m", "m"], env=python_env(False))
    assert ("check-then-use", ["newfstatat", "openat"], "x/m") in got, got


def test_exec_by_path_is_no_lookup(ctx):
    """A program that stats a tool by its path, then execs it by that
    path, looked nothing up in PATH: reported; bash running the same
    tool by name (a PATH lookup) is suppressed."""
    need(PYTHON)
    need("/bin/bash")
    bindir = os.path.join(ctx.tmp, "bin")
    os.mkdir(bindir)
    tool = harness.write_file(os.path.join(bindir, "tool"),
                              "#!/bin/sh\nexit 0\n", 0o755)
    script = harness.write_file(
        os.path.join(ctx.tmp, "run.py"),
        f"import os\nos.stat({tool!r})\nos.execv({tool!r}, [{tool!r}])\n")
    got = reported(ctx, [PYTHON, script], env=python_env(False))
    assert ("check-then-use", ["newfstatat", "execve"], "bin/tool") in got, \
        got
    env = dict(os.environ, PATH=f"{bindir}:/usr/bin:/bin")
    got = reported(ctx, ["/bin/bash", "-c", "tool; true"], env=env)
    assert [g for g in got if g[2] == "bin/tool"] == [], got


def test_library_globs_leave_other_names(ctx):
    """The loader's suppression takes libraries (*.so, *.so.N), not
    every name with .so in it: a stat then open of a.so.json is
    reported, of libx.so.1 not."""
    for name, want in (("a.so.json", 1), ("libx.so.1", 0)):
        harness.write_file(os.path.join(ctx.tmp, name), "x\n")
        got = reported(ctx, [ctx.fixture("stat_open"), name, "missing"])
        assert [g[2] for g in got].count(name) == want, (name, got)


def test_dynamic_loader_suppressed_and_counted(ctx):
    """CPython imports an extension module of the script's directory: its
    finder stats the .so, then dlopen opens it. That is the loader's
    machinery: suppressed with its reason and counted (not ignored), and
    reported without the shipped suppressions."""
    need(PYTHON)
    ext = "_bz2.cpython-311-x86_64-linux-gnu.so"
    src = os.path.join("/usr/lib/python3.11/lib-dynload", ext)
    if not os.path.exists(src):
        raise harness.Skip(f"no {src}")
    lib = os.path.join(ctx.tmp, ext)
    shutil.copy(src, lib)
    argv = [PYTHON, "-c", "import sys; sys.path.insert(0, '.'); "
            "import _bz2; assert _bz2.__file__ == " + repr(lib)]
    p = ctx.run(["run", "--show-suppressed", "--", *argv], cwd=ctx.tmp,
                env=python_env(False))
    assert p.returncode == 0, p.stderr
    reason = ("the dynamic loader and dlopen(3) find a shared library by "
              "checking candidates (access of /etc/ld.so.preload, a stat "
              "of each, as CPython's finder does for an extension "
              "module), then open it and map the descriptor "
              f"({SHIPPED}:{shipped_line('the dynamic loader')})")
    lines = p.stderr.split("\n")
    assert lines[0].startswith(
        f"suppressed[check-then-use] newfstatat('{lib}') then "
        f"openat('{lib}') by name"), p.stderr
    assert lines[1] == f"    reason   {reason}", p.stderr
    assert tally("\n".join(lines[-3:])) == (
        "0 findings (0 error, 0 warning, 0 note) in N events\n"
        "not reported: 1 suppressed\n"), p.stderr
    out = os.path.join(ctx.tmp, "r.json")
    ctx.run(["run", "--no-default-suppressions", "--fail-on", "none", "-o",
             out, "--", *argv], cwd=ctx.tmp, env=python_env(False))
    doc = harness.read_findings(out)
    assert [(f["rule"], [(e["syscall"], e["abspath"]) for e in f["evidence"]])
            for f in doc["findings"] if f["evidence"][0]["abspath"] == lib
            ] == [("check-then-use", [("newfstatat", lib), ("openat", lib)])
                  ], doc["findings"]
