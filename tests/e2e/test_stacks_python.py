"""Python frames of CPython 3.12 and 3.13 (issue 9), and the offset
tables of stack/python-offsets.h against the headers they come from.

The 3.11 tests are in test_stacks.py; these run the same checks on the
pyenv (or PATH) builds of 3.12 and 3.13, whose libpython is shared, and
skip, saying why, where an interpreter or a set of headers is missing.
What a frame must say comes from the script's marked lines, never from
fsrace's own output."""
import glob
import os
import re
import subprocess

import harness
import test_stacks as ts

ROOT = ts.ROOT
TABLES = os.path.join(ROOT, "stack", "python-offsets.h")
PYOFFSETS = os.path.join(ROOT, "tools", "pyoffsets.c")
PYENV = os.path.expanduser("~/.pyenv/versions")
WARNING = ("a CPython of a version or build this fsrace has no offsets "
           "for: no Python frames")


def interpreter(minor):
    """A release CPython 3.MINOR, pyenv's or on PATH; Skip if none."""
    cands = sorted(glob.glob(os.path.join(PYENV, f"3.{minor}.*", "bin",
                                          f"python3.{minor}")))
    cands += [os.path.join(d, f"python3.{minor}") for d in
              os.environ.get("PATH", "").split(os.pathsep)]
    for exe in cands:
        if not os.access(exe, os.X_OK):
            continue
        p = subprocess.run([exe, "-c", "import sys; print(sys.version_info"
                            "[:2] == (3, %d) and sys.version_info.releaselevel"
                            " == 'final' and not hasattr(sys, "
                            "'gettotalrefcount'))" % minor],
                           capture_output=True, text=True)
        if p.returncode == 0 and p.stdout.strip() == "True":
            return exe
    raise harness.Skip(f"no release build of CPython 3.{minor} here "
                       f"(pyenv's {PYENV}/3.{minor}.* or python3.{minor} "
                       "on PATH)")


# --- the tables against the headers ---------------------------------------

def header_sets():
    """(include dir, version) of every CPython's headers with internal/."""
    dirs = glob.glob("/usr/include/python3.*") + glob.glob(
        os.path.join(PYENV, "*", "include", "python3.*"))
    out = []
    for d in sorted(dirs):
        patch = os.path.join(d, "patchlevel.h")
        if not os.path.isdir(os.path.join(d, "internal")) or \
                not os.path.exists(patch):
            continue
        with open(patch) as f:
            m = re.search(r'#define PY_VERSION\s+"(\d+)\.(\d+)', f.read())
        if m and (int(m[1]), int(m[2])) >= (3, 11):
            out.append((d, (int(m[1]), int(m[2]))))
    return out


def entry(version):
    """The checked-in table of VERSION, from its comment to its "};"."""
    with open(TABLES) as f:
        text = f.read()
    m = re.search(r"^/\* CPython %d\.%d,.*?^};\n" % version, text,
                  re.M | re.S)
    return m[0] if m else None


def tables():
    """The versions stack/python-offsets.h has a table of."""
    with open(TABLES) as f:
        return sorted({(int(m[1]), int(m[2])) for m in re.finditer(
            r"^/\* CPython (\d+)\.(\d+),", f.read(), re.M)})


def pyoffsets(ctx, inc):
    """tools/pyoffsets.c built against the headers INC and run."""
    exe = os.path.join(ctx.tmp, "pyoffsets")
    c = subprocess.run(["cc", "-DPy_BUILD_CORE", f"-I{inc}",
                        f"-I{inc}/internal", PYOFFSETS, "-o", exe],
                       capture_output=True, text=True)
    assert c.returncode == 0, (inc, c.stderr)
    return subprocess.run([exe], capture_output=True, text=True)


def release_headers(version):
    """The include dirs of VERSION's release builds (not Debian's
    python3.Xd-dev); Skip, saying so, if there is none."""
    incs = [inc for inc, v in header_sets()
            if v == version and not inc.endswith("d")]
    if not incs:
        raise harness.Skip(
            "no headers of CPython %d.%d with internal/ here (python3-dev "
            "of that version, or a pyenv build of it): %s not checked" % (
                *version, "its table is" if version in tables() else
                "what tools/pyoffsets.c pins of it is"))
    return incs


def check_table(ctx, version):
    """VERSION's table is what tools/pyoffsets.c prints from each set of
    its headers here."""
    for inc in release_headers(version):
        p = pyoffsets(ctx, inc)
        assert (p.returncode, p.stderr) == (0, ""), (inc, p.stderr)
        assert p.stdout == entry(version), (inc, p.stdout)


def test_offset_tables_each_have_a_test(ctx):
    # a table added needs its test_offset_table_3NN_is_the_headers
    assert tables() == [(3, 11), (3, 12)], tables()


def test_offset_table_311_is_the_headers(ctx):
    check_table(ctx, (3, 11))


def test_offset_table_312_is_the_headers(ctx):
    check_table(ctx, (3, 12))


def test_pyoffsets_313_builds_against_its_headers(ctx):
    # its _Static_asserts hold, and it says 3.13 has no table
    for inc in release_headers((3, 13)):
        p = pyoffsets(ctx, inc)
        assert (p.returncode, p.stdout, p.stderr) == (
            3, "", "pyoffsets: CPython 3.13 is read from _Py_DebugOffsets, "
            "not from a table\n"), inc


def test_pyoffsets_refuses_a_debug_builds_headers(ctx):
    # Debian's python3.Xd-dev: a debug build's, never a table
    incs = [inc for inc, v in header_sets() if inc.endswith("d")
            and v < (3, 13)]
    if not incs:
        raise harness.Skip("no debug build's headers of CPython 3.11 or "
                           "3.12 here (python3-dbg's python3.Xd)")
    for inc in incs:
        p = pyoffsets(ctx, inc)
        assert (p.returncode, p.stdout) == (1, ""), (inc, p.stdout)
        assert p.stderr.startswith("pyoffsets: a debug build's "
                                   "headers"), p.stderr


# --- frames, as test_stacks.py's for 3.11 ----------------------------------

def check_text(ctx, minor):
    ts.need_stacks(ctx)
    ts.check_save_in_the_text(ctx, interpreter(minor))


def check_dump(ctx, minor):
    ts.need_stacks(ctx)
    python = interpreter(minor)
    path, src, dst = ts.app(ctx)
    trace = os.path.join(ctx.tmp, "t.jsonl")
    p = ctx.run(["record", "--stacks", "-o", trace, "--", python, path,
                 "save", src, dst])
    assert (p.returncode, p.stderr) == (0, ""), (p.returncode, p.stderr)
    _, records = harness.read_trace(trace)
    assert [r for r in records if r["type"] == "warning"] == []
    p = ctx.run(["dump", trace])
    lines = p.stdout.splitlines()
    at = next(i for i, line in enumerate(lines)
              if f'newfstatat(AT_FDCWD<{ctx.tmp}>, "{src}"' in line)
    # no shim or entry frame of the C stack between them; below the
    # Python frames, libc's
    assert lines[at + 1].startswith(" > python exists (<frozen "
                                    "genericpath>:"), lines[at + 1]
    assert lines[at + 2:at + 4] == [
        f" > python save ({path}:{ts.app_line('SAVE-CHECK')})",
        f" > python <module> ({path}:{ts.app_line('MAIN-SAVE')})"], lines
    assert "libc.so.6(" in lines[at + 4], lines[at + 4]


def check_thread(ctx, minor):
    ts.need_stacks(ctx)
    python = interpreter(minor)
    path, src, dst = ts.app(ctx)
    p = ctx.run(["run", "--stacks", "--", python, path, "thread", src,
                 dst])
    assert p.returncode == 1, p.stderr
    assert ts.py_frames(p.stderr, "check") == [
        ("worker", path, ts.app_line("WORKER-CHECK"))], p.stderr
    assert ts.py_frames(p.stderr, "use") == [
        ("worker", path, ts.app_line("WORKER-USE"))], p.stderr


def check_generator(ctx, minor):
    ts.need_stacks(ctx)
    python = interpreter(minor)
    path, src, dst = ts.app(ctx)
    p = ctx.run(["run", "--stacks", "--", python, path, "gen", src, dst])
    assert p.returncode == 1, p.stderr
    assert ts.py_frames(p.stderr, "check") == [
        ("gen", path, ts.app_line("GEN-CHECK")),
        ("<module>", path, ts.app_line("MAIN-GEN"))], p.stderr
    assert ts.py_frames(p.stderr, "use") == [
        ("gen", path, ts.app_line("GEN-USE")),
        ("<module>", path, ts.app_line("MAIN-GEN"))], p.stderr


def test_python312_frames_in_the_text(ctx):
    check_text(ctx, 12)


def test_python312_frames_in_dump(ctx):
    check_dump(ctx, 12)


def test_python312_thread(ctx):
    check_thread(ctx, 12)


def test_python312_generator(ctx):
    check_generator(ctx, 12)


def test_python313_frames_in_the_text(ctx):
    check_text(ctx, 13)


def test_python313_frames_in_dump(ctx):
    check_dump(ctx, 13)


def test_python313_thread(ctx):
    check_thread(ctx, 13)


def test_python313_generator(ctx):
    check_generator(ctx, 13)


# --- what has no frames: one warning ---------------------------------------

def check_no_frames(ctx, python):
    """PYTHON's trace: its native frames, no Python one, one warning."""
    path, src, dst = ts.app(ctx)
    trace = os.path.join(ctx.tmp, "t.jsonl")
    p = ctx.run(["record", "--stacks", "-o", trace, "--", python, path,
                 "thread", src, dst])
    assert (p.returncode, p.stderr) == (0, ""), (p.returncode, p.stderr)
    _, records = harness.read_trace(trace)
    warnings = [r["message"] for r in records if r["type"] == "warning"]
    assert warnings == [WARNING], warnings
    stacks = [r for r in records if r["type"] == "stack"]
    assert stacks and not any(r.get("py") for r in stacks), stacks[:3]


def test_python_debug_build_has_no_frames(ctx):
    # Debian's python3-dbg: the system python3's version, whose layout
    # is not a debug build's
    ts.need_stacks(ctx)
    p = subprocess.run(["/usr/bin/python3", "-c", "import sys; print("
                        "'%d.%d' % sys.version_info[:2])"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise harness.Skip("no /usr/bin/python3, whose debug build "
                           "python3-dbg is")
    python = f"/usr/bin/python{p.stdout.strip()}d"
    if not os.access(python, os.X_OK):
        raise harness.Skip(f"{python} (python3-dbg) is not installed: "
                           "tools/deps.sh --python-debug")
    check_no_frames(ctx, python)


def test_python310_has_no_frames(ctx):
    # a _PyRuntime without Py_Version: older than 3.11
    ts.need_stacks(ctx)
    python = None
    for exe in sorted(glob.glob(os.path.join(PYENV, "3.10.*", "bin",
                                             "python3.10"))):
        python = exe
    if not python:
        raise harness.Skip(f"no CPython 3.10 in {PYENV}")
    check_no_frames(ctx, python)


# --- code objects that die: another at the same address -----------------

REUSE = '''import os, sys
for i in range(40):
    ns = {}
    exec(compile(f"def f{i}(p):\\n    return os.stat(p)\\n", f"gen{i}.py",
                 "exec"), {"os": os}, ns)
    ns[f"f{i}"](sys.argv[1])
    del ns
'''


def check_code_reuse(ctx, python):
    """Forty functions made, called and freed in turn, most at the
    address of the one before: each stat is under its own."""
    ts.need_stacks(ctx)
    script = os.path.join(ctx.tmp, "reuse.py")
    with open(script, "w") as f:
        f.write(REUSE)
    src, = ts.files(ctx, "in.txt")
    trace = os.path.join(ctx.tmp, "t.jsonl")
    p = ctx.run(["record", "--stacks", "-o", trace, "--", python, script,
                 src])
    assert (p.returncode, p.stderr) == (0, ""), (p.returncode, p.stderr)
    p = ctx.run(["dump", trace])
    lines = p.stdout.splitlines()
    tops = [lines[i + 1] for i, line in enumerate(lines)
            if f'newfstatat(AT_FDCWD<{ctx.tmp}>, "{src}"' in line]
    assert tops == [f" > python f{i} (gen{i}.py:2)" for i in range(40)], \
        tops


def test_python311_code_object_reused(ctx):
    ts.need_python(ctx)
    check_code_reuse(ctx, ts.PYTHON)


def test_python312_code_object_reused(ctx):
    check_code_reuse(ctx, interpreter(12))


def test_python313_code_object_reused(ctx):
    check_code_reuse(ctx, interpreter(13))


# --- what each stat of a file has for Python frames ----------------------

# " > python FUNCTION (FILE:LINE)", or "(FILE)" of no line
PY_FRAME = re.compile(r" > python (?P<fn>\S+) \((?P<file>.*?)"
                      r"(?::(?P<line>\d+))?\)$")


def stat_py_frames(ctx, argv, path):
    """fsrace record --stacks ARGV, then dump: the Python frames under
    each stat of PATH, (function, file, line) innermost first."""
    ts.need_stacks(ctx)
    trace = os.path.join(ctx.tmp, "t.jsonl")
    p = ctx.run(["record", "--stacks", "-o", trace, "--", *argv])
    assert (p.returncode, p.stderr) == (0, ""), (p.returncode, p.stderr)
    p = ctx.run(["dump", trace])
    assert (p.returncode, p.stderr) == (0, ""), (p.returncode, p.stderr)
    out, cur = [], None
    for line in p.stdout.splitlines():
        if not line.startswith(" > "):
            cur = [] if f'newfstatat(AT_FDCWD<{ctx.tmp}>, "{path}"' in \
                line else None
            if cur is not None:
                out.append(cur)
        elif cur is not None and line.startswith(" > python "):
            m = PY_FRAME.match(line)
            assert m, line
            cur.append((m["fn"], m["file"],
                        int(m["line"]) if m["line"] else None))
    return out


def script(ctx, text):
    path = os.path.join(ctx.tmp, "s.py")
    with open(path, "w") as f:
        f.write(text)
    return path


def line_of(text, tag):
    for n, line in enumerate(text.splitlines(), 1):
        if line.endswith(f"# {tag}"):
            return n
    raise AssertionError(tag)


# --- Python called from a thread of C: a thread state at each call -------

CALLBACK = '''import ctypes, os, sys

CB = ctypes.CFUNCTYPE(None)


def cb():
    os.stat(sys.argv[2])  # CB-STAT


f = CB(cb)
ctypes.CDLL(sys.argv[1]).run_callbacks(f, 5)
'''


def check_callback(ctx, python):
    """Five calls of a ctypes callback from one thread of C (each with a
    thread state of its own, the last one freed): each stat is under
    the callback's frame, and that frame only."""
    path = script(ctx, CALLBACK)
    src, = ts.files(ctx, "in.txt")
    lib = os.path.join(ctx.fixtures, "pycallback.so")
    stats = stat_py_frames(ctx, [python, path, lib, src], src)
    assert stats == [[("cb", path, line_of(CALLBACK, "CB-STAT"))]] * 5, \
        stats


def test_python311_callback_from_a_c_thread(ctx):
    ts.need_python(ctx)
    check_callback(ctx, ts.PYTHON)


def test_python312_callback_from_a_c_thread(ctx):
    check_callback(ctx, interpreter(12))


def test_python313_callback_from_a_c_thread(ctx):
    check_callback(ctx, interpreter(13))


# --- a class made in a loop: no frame of 3.13's __init__ shim ------------

INIT = '''import os, sys


class C:
    def __init__(self, p):
        os.stat(p)  # INIT-STAT


def main(p):
    for _ in range(120):
        C(p)  # MAIN-NEW


main(sys.argv[1])  # MODULE-MAIN
'''


def check_init(ctx, python):
    """C(p) 120 times: once the call is specialized (3.13's
    CALL_ALLOC_AND_ENTER_INIT), __init__ runs over a shim frame of a
    code object of its own, not yet begun: it is no frame of the
    program's."""
    path = script(ctx, INIT)
    src, = ts.files(ctx, "in.txt")
    stats = stat_py_frames(ctx, [python, path, src], src)
    assert stats == [[("C.__init__", path, line_of(INIT, "INIT-STAT")),
                      ("main", path, line_of(INIT, "MAIN-NEW")),
                      ("<module>", path, line_of(INIT, "MODULE-MAIN"))]
                     ] * 120, [s for s in stats if len(s) != 3][:3]


def test_python311_init_in_a_loop(ctx):
    ts.need_python(ctx)
    check_init(ctx, ts.PYTHON)


def test_python312_init_in_a_loop(ctx):
    check_init(ctx, interpreter(12))


def test_python313_init_in_a_loop(ctx):
    check_init(ctx, interpreter(13))
