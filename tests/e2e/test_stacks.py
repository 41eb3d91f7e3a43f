"""Native stacks (issue 9): `fsrace record --stacks` on the fixture of
fixtures/stacks/twofn.c, built at -O0 and at -O2 -fomit-frame-pointer,
and `fsrace dump` of what it wrote, frame by frame; the trace's module
and stack records and the reader's errors on hand-written ones.

What a frame must say comes from the fixture's source (its marked
lines), from the file system (os.stat) and from readelf (the build-id),
never from fsrace's own output."""
import json
import os
import re
import shutil
import subprocess

import harness

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
SRC = os.path.join(ROOT, "fixtures", "stacks", "twofn.c")
HEADER = '{"type":"header","format":"fsrace-trace","version":2}'

# " > MODULE(FUNCTION+0xOFF) [0xADDR] FILE:LINE", FILE:LINE optional
FRAME = re.compile(r" > (?P<mod>[^(]+)\((?P<fn>[^+)]+)\+0x[0-9a-f]+\) "
                   r"\[0x(?P<addr>[0-9a-f]+)\](?: (?P<file>\S+):"
                   r"(?P<line>\d+))?$")
# gcc's clones of a function keep its name before a suffix
CLONE = r"(\.(isra|constprop|part|cold)\.\d+)*"


def need_stacks(ctx):
    if not ctx.has_stacks():
        raise harness.Skip("built without stacks (libunwind, libdw)")


def marked(tag):
    """The line number of SRC whose comment is /* TAG */."""
    with open(SRC) as f:
        for n, line in enumerate(f, 1):
            if f"/* {tag} */" in line or f"/* {tag}: " in line:
                return n
    raise AssertionError(f"no /* {tag} */ in {SRC}")


def build_id(path):
    out = subprocess.run(["readelf", "-n", path], capture_output=True,
                         text=True, check=True).stdout
    return re.search(r"Build ID: ([0-9a-f]+)", out).group(1)


def dump_frames(ctx, trace, call):
    """fsrace dump TRACE: the frame lines after the first line holding
    CALL, parsed."""
    p = ctx.run(["dump", trace])
    assert (p.returncode, p.stderr) == (0, ""), (p.returncode, p.stderr)
    return frames_after(p.stdout.splitlines(), call, FRAME)


def frames_after(lines, call, pattern):
    """The " > " lines after the first of LINES holding CALL, each
    matched by PATTERN (a regex), as its groups."""
    at = next(i for i, line in enumerate(lines) if call in line)
    frames = []
    for line in lines[at + 1:]:
        if not line.startswith(" > "):
            break
        m = pattern.match(line)
        assert m, line
        frames.append(m.groupdict())
    return frames


def own(frames, prog):
    """(function, file, line) of the frames in PROG."""
    return [(f["fn"], f["file"], int(f["line"]) if f["line"] else None)
            for f in frames if f["mod"] == prog]


def record(ctx, prog, *args):
    cfg = os.path.join(ctx.tmp, "cfg")
    with open(cfg, "w") as f:
        f.write("x\n")
    trace = os.path.join(ctx.tmp, "t.jsonl")
    p = ctx.run(["record", "--stacks", "-o", trace, "--", prog, *args,
                 cfg])
    assert (p.returncode, p.stderr) == (0, ""), (p.returncode, p.stderr)
    return trace, cfg


def check_two_functions(ctx, name):
    need_stacks(ctx)
    prog = ctx.fixture(name)
    trace, cfg = record(ctx, prog)
    check = dump_frames(ctx, trace, f'newfstatat(AT_FDCWD<{ctx.tmp}>, '
                        f'"{cfg}", 0) = 0')
    use = dump_frames(ctx, trace, f'openat(AT_FDCWD<{ctx.tmp}>, "{cfg}", '
                      'O_RDONLY) = 3')
    # innermost: the C library's wrapper, named, within its symbol
    for frames in (check, use):
        assert frames[0]["mod"].endswith("/libc.so.6"), frames[0]
    assert own(check, prog)[:2] == [
        ("check_config", SRC, marked("CHECK")),
        ("main", SRC, marked("CALL-CHECK"))], check
    fn, file, line = own(use, prog)[0]
    assert re.fullmatch("use_config" + CLONE, fn), fn
    assert (file, line) == (SRC, marked("USE")), use
    assert own(use, prog)[1] == ("main", SRC, marked("CALL-USE")), use
    # what the trace says of the program's module: its file as it is
    _, records = harness.read_trace(trace)
    mods = [r for r in records if r["type"] == "module"
            and r["path"] == prog]
    st = os.stat(prog)
    assert [(m["dev"], m["ino"], m["build_id"]) for m in mods] == [
        (str(st.st_dev), str(st.st_ino), build_id(prog))], mods


def test_stacks_two_functions_O0(ctx):
    check_two_functions(ctx, "stack_twofn_O0")


def test_stacks_two_functions_O2_no_frame_pointer(ctx):
    check_two_functions(ctx, "stack_twofn_O2")


def test_stacks_in_a_thread(ctx):
    need_stacks(ctx)
    prog = ctx.fixture("stack_twofn_O2")
    trace, cfg = record(ctx, prog, "--thread")
    check = dump_frames(ctx, trace, f'"{cfg}", 0) = 0')
    assert own(check, prog) == [
        ("check_config", SRC, marked("CHECK")),
        ("worker", SRC, marked("THREAD-CALL-CHECK"))], check
    # below the thread's function, the C library's thread start
    rest = [f["fn"] for f in check[3:]]
    assert rest[:1] == ["start_thread"], check


def test_stacks_records_once_each(ctx):
    need_stacks(ctx)
    trace, _ = record(ctx, ctx.fixture("stack_twofn_O0"))
    header, records = harness.read_trace(trace)
    assert header["version"] == 3
    defined = {"module": set(), "stack": set()}
    for r in records:
        if r["type"] in defined:
            assert r["id"] not in defined[r["type"]], r
            for mod, addr in r.get("frames", []):
                assert mod == 0 or mod in defined["module"], r
                assert re.fullmatch("0x[0-9a-f]+", addr), r
            defined[r["type"]].add(r["id"])
        elif "stack" in r:
            assert r["stack"] in defined["stack"], r
    # every call but descriptor management has one
    calls = [r for r in records if r["type"] == "syscall"]
    assert calls and all(("stack" in r) == (r["syscall"] not in
                                            ("close", "dup", "dup2",
                                             "dup3", "fcntl"))
                         for r in calls), [
        (r["syscall"], r.get("stack")) for r in calls]


def test_no_stacks_without_the_option(ctx):
    cfg = os.path.join(ctx.tmp, "cfg")
    open(cfg, "w").close()
    p, header, records = ctx.record([ctx.fixture("stack_twofn_O0"), cfg])
    assert p.returncode == 0, p.stderr
    assert header["version"] == 3
    assert [r for r in records if r["type"] in ("module", "stack")
            or "stack" in r] == []


def write(ctx, lines):
    path = os.path.join(ctx.tmp, "t.jsonl")
    with open(path, "w") as f:
        f.write(HEADER + "\n")
        for line in lines:
            f.write((line if isinstance(line, str) else json.dumps(
                line, separators=(",", ":"))) + "\n")
    return path


def event(seq, stack=None):
    r = {"type": "syscall", "seq": seq, "pid": 10, "tid": 10,
         "ts_enter": 1000000, "ts_exit": 1001000, "syscall": "access",
         "path": "/x", "abspath": "/x", "access": ["R_OK"], "ret": 0}
    if stack is not None:
        r["stack"] = stack
    return r


def module(mid, path, bid=None, dev="1", ino="2"):
    r = {"type": "module", "id": mid, "path": path, "dev": dev, "ino": ino}
    if bid:
        r["build_id"] = bid
    return r


def stack(sid, *frames):
    return {"type": "stack", "id": sid, "frames": [list(f) for f in frames]}


def test_stacks_read_out_of_order_and_symbolized(ctx):
    # stack 2 before stack 1: one thread's call ended first
    need_stacks(ctx)
    prog = ctx.fixture("stack_twofn_O0")
    main = subprocess.run(["nm", prog], capture_output=True, text=True,
                          check=True).stdout
    addr = int(re.search(r"^([0-9a-f]+) T main$", main, re.M).group(1), 16)
    path = write(ctx, [
        module(2, prog, build_id(prog)),
        stack(2, (2, hex(addr + 1)), (0, "0x7fff0000")),
        event(1, 2),
        module(1, "/nonexistent/lib.so"),
        stack(1, (1, "0x10")),
        event(2, 1),
    ])
    p = ctx.run(["dump", path], env=dict(os.environ, TZ="UTC"))
    assert (p.returncode, p.stderr) == (0, ""), (p.returncode, p.stderr)
    lines = p.stdout.splitlines()
    assert lines[1] == f" > {prog}(main+0x1) [0x{addr + 1:x}] {SRC}:" \
        f"{marked('MAIN')}", lines
    assert lines[2] == " > [0x7fff0000]", lines
    assert lines[3].startswith("10     00:00:00.001000 access("), lines
    assert lines[4:] == [
        " > /nonexistent/lib.so(??) [0x10] (no such file)"], lines


def test_stacks_binary_changed_since_recording(ctx):
    need_stacks(ctx)
    copy = os.path.join(ctx.tmp, "prog")
    shutil.copy(ctx.fixture("stack_twofn_O0"), copy)
    path = write(ctx, [module(1, copy, "00" * 20), stack(1, (1, "0x1139")),
                       event(1, 1)])
    p = ctx.run(["dump", path], env=dict(os.environ, TZ="UTC"))
    assert (p.returncode, p.stderr) == (0, ""), (p.returncode, p.stderr)
    assert p.stdout.splitlines()[1:] == [
        f" > {copy}(??) [0x1139] (binary changed since recording)"]


def bad(ctx, lines, message):
    path = write(ctx, lines)
    p = ctx.run(["dump", path])
    assert (p.returncode, p.stderr) == (
        2, f"fsrace: {path}:{message}\n"), (p.returncode, p.stderr)


def test_stack_without_its_record(ctx):
    bad(ctx, [event(1, 5)], "2: stack 5 has no record before it")


def test_stack_of_an_unknown_module(ctx):
    bad(ctx, [stack(1, (9, "0x10"))],
        "2: stack 1: module 9 has no record before it")


def test_stack_frame_not_a_pair(ctx):
    for frame in ([1, 16], [0], [0, "16"], [0, "0x"], [0, "0x-1"],
                  [0, "0x1g"], ["1", "0x1"], [0, "0x0x10"], [0, "0x 1"],
                  [0, "0x" + "f" * 17]):
        bad(ctx, [{"type": "stack", "id": 1, "frames": [frame]}],
            '2: stack 1: frame 1 is not [module, "0xADDRESS"]')


def test_stack_defined_twice(ctx):
    bad(ctx, [stack(1), stack(1)], "3: stack id 1 defined twice or out "
        "of range (1-4294967295)")
    bad(ctx, [stack(0)], "2: stack id 0 defined twice or out of range "
        "(1-4294967295)")
    # past 32 bits, not wrapped round to a small id
    for big in (2 ** 32, 2 ** 32 + 1):
        bad(ctx, [stack(big)], f"2: stack id {big} defined twice or out of "
            "range (1-4294967295)")
        bad(ctx, [module(big, "/a")], f"2: module id {big} defined twice "
            "or out of range (1-4294967295)")
        bad(ctx, [module(1, "/a"), stack(1, (big, "0x1"))],
            f"3: stack 1: module {big} has no record before it")
        ev = event(1)
        ev["stack"] = big
        bad(ctx, [stack(1), ev], f"3: stack {big} has no record before it")
    bad(ctx, [module(1, "/a"), module(1, "/b")], "3: module id 1 defined "
        "twice or out of range (1-4294967295)")


def test_stack_ids_far_apart(ctx):
    # ids are what the trace says: the table holds them sparsely, so a
    # high one costs no more than a low one
    path = write(ctx, [module(4294967295, "/nonexistent/a.so"),
                       stack(4294967295, (4294967295, "0x10")),
                       event(1, 4294967295)])
    p = ctx.run(["dump", path], env=dict(os.environ, TZ="UTC"),
                timeout=10)
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    assert p.stdout.splitlines()[1:] == [
        " > /nonexistent/a.so(??) [0x10] (no such file)"]


def test_event_stack_is_an_id(ctx):
    for value in (0, -1, "1", 1.5, None, [1]):
        ev = event(1)
        ev["stack"] = value
        bad(ctx, [stack(1), ev],
            '3: "stack" is not a stack id (an integer from 1)')


def test_stack_records_need_format_2(ctx):
    path = os.path.join(ctx.tmp, "v1.jsonl")
    with open(path, "w") as f:
        f.write('{"type":"header","format":"fsrace-trace","version":1}\n')
        f.write(json.dumps(stack(1)) + "\n")
    p = ctx.run(["dump", path])
    assert (p.returncode, p.stderr) == (
        2, f"fsrace: {path}:2: a stack record in a trace of format 1 "
        "(they came with format 2)\n"), p.stderr


def test_stack_records_with_blanks(ctx):
    # JSON allows blanks between the tokens: '{ "type" : "stack", ...'
    path = write(ctx, ['{ "type" : "module", "id": 1, "path": "/x.so", '
                       '"dev": "1", "ino": "18446744073709551615"}',
                       '{"type": "stack", "id": 1, "frames": [[1, "0x1"]]}',
                       event(1, 1)])
    p = ctx.run(["dump", path], env=dict(os.environ, TZ="UTC"))
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    assert p.stdout.splitlines()[1:] == [" > /x.so(??) [0x1] (no such "
                                         "file)"]


def test_stack_records_lacking_fields(ctx):
    lacks = ("2: module record lacks id, path, dev or ino (dev and ino "
             "are strings of digits)")
    bad(ctx, [{"type": "module", "id": 1, "path": "/a"}], lacks)
    for dev in (1, "-1", "0x1", "", "18446744073709551616", "1 "):
        bad(ctx, [module(1, "/a", dev=dev)], lacks)
    bad(ctx, [{"type": "stack", "id": 1}],
        "2: stack record lacks id or frames")
    bad(ctx, [module(1, "/a", "abc")],
        '2: module 1: bad build_id "abc"')
    bad(ctx, [stack(1, *[(0, "0x1")] * 65)],
        "2: stack 1: more than 64 frames")


def test_version_1_trace_still_reads(ctx):
    path = os.path.join(ctx.tmp, "v1.jsonl")
    with open(path, "w") as f:
        f.write('{"type":"header","format":"fsrace-trace","version":1}\n')
        f.write(json.dumps(event(1)) + "\n")
    p = ctx.run(["dump", path], env=dict(os.environ, TZ="UTC"))
    assert (p.returncode, p.stderr) == (0, ""), (p.returncode, p.stderr)
    assert p.stdout == ('10     00:00:00.001000 access("/x", R_OK) = 0 '
                        '<0.000001>\n'), p.stdout
    with open(path, "w") as f:
        f.write('{"type":"header","format":"fsrace-trace","version":4}\n')
    p = ctx.run(["dump", path])
    assert (p.returncode, p.stderr) == (
        2, f"fsrace: {path}:1: unsupported trace format version\n")


# --- findings -----------------------------------------------------------

AT = re.compile(r" +at (?P<fn>[^+ ]+)\+0x[0-9a-f]+ \((?P<where>[^)]+)\)$")


def run(ctx, *args, fmt="text"):
    p = ctx.run(["run", "--stacks", "-f", fmt, "--", *args])
    assert p.returncode == 1, (p.returncode, p.stderr)
    return p


def evidence_frames(text, step):
    """The "at" lines under the evidence line of STEP, parsed."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines)
              if line.lstrip().startswith(step + " "))
    out = []
    for line in lines[at + 1:]:
        m = AT.match(line)
        if not m:
            break
        out.append((m["fn"], m["where"]))
    return out


def files(ctx, *names):
    out = []
    for n in names:
        out.append(os.path.join(ctx.tmp, n))
        with open(out[-1], "w") as f:
            f.write("x\n")
    return out


def test_finding_names_check_and_use(ctx):
    need_stacks(ctx)
    prog = ctx.fixture("stack_twofn_O0")
    cfg, = files(ctx, "cfg")
    p = run(ctx, prog, cfg)
    out = p.stderr  # run's report, beside the program's own output
    assert out.startswith("warning[check-then-use] newfstatat("), out
    # the program's own frames from the innermost; the C library's are
    # not shown, _start (in the program) is
    assert evidence_frames(out, "check") == [
        ("check_config", f"{SRC}:{marked('CHECK')}"),
        ("main", f"{SRC}:{marked('CALL-CHECK')}"),
        ("_start", prog)], out
    assert evidence_frames(out, "use") == [
        ("use_config", f"{SRC}:{marked('USE')}"),
        ("main", f"{SRC}:{marked('CALL-USE')}"),
        ("_start", prog)], out


def test_finding_location_in_json(ctx):
    need_stacks(ctx)
    prog = ctx.fixture("stack_twofn_O2")
    cfg, = files(ctx, "cfg")
    out = os.path.join(ctx.tmp, "f.json")
    p = ctx.run(["run", "--stacks", "-o", out, "--", prog, cfg])
    assert p.returncode == 1, p.stderr
    with open(out) as f:
        f0, = json.load(f)["findings"]
    loc = f0["location"]
    assert re.fullmatch("use_config" + CLONE, loc["function"]), loc
    assert (loc["file"], loc["line"], loc["module"]) == (
        SRC, marked("USE"), prog), loc
    check, use = f0["evidence"]
    assert (check["location"]["function"], check["location"]["line"]) == (
        "check_config", marked("CHECK")), check["location"]
    assert use["location"] == loc
    # every frame, the C library's too, innermost first
    assert check["stack"][0]["module"].endswith("/libc.so.6")
    assert check["stack"][1] == check["location"]
    assert [k for k in check["stack"][1]] == [
        "function", "offset", "file", "line", "module", "address"]
    assert re.fullmatch("0x[0-9a-f]+", loc["address"]), loc


INLINED_SRC = os.path.join(ROOT, "fixtures", "stacks", "inlined.c")
FCNTL2 = "/usr/include/x86_64-linux-gnu/bits/fcntl2.h"
# " > MODULE(FUNCTION) [inlined] FILE:LINE" or a frame line as FRAME's
DUMP_PART = re.compile(r" > (?P<mod>[^(]+)\((?P<fn>[^+)]+)(?:\+0x[0-9a-f]+)?"
                       r"\) \[(?P<addr>inlined|0x[0-9a-f]+)\]"
                       r"(?: (?P<file>\S+):(?P<line>\d+))?$")
# "  at FUNCTION[+0xOFF] (FILE:LINE)[ (inlined)]"
AT_PART = re.compile(r" +at (?P<fn>[^+ ]+)(?:\+0x[0-9a-f]+)? "
                     r"\((?P<where>[^)]+)\)(?P<inl> \(inlined\))?$")


def inlined_mark(tag):
    with open(INLINED_SRC) as f:
        for n, line in enumerate(f, 1):
            if f"/* {tag} */" in line:
                return n
    raise AssertionError(f"no /* {tag} */ in {INLINED_SRC}")


def need_fortified_open(ctx, prog):
    with open(prog, "rb") as f:  # the DWARF's file names
        fortified = b"fcntl2.h" in f.read()
    if not fortified:
        raise harness.Skip("the C library's open() is not inline here "
                           f"(no {FCNTL2} in the fixture's DWARF)")


def test_inline_frames_in_dump(ctx):
    # each inlined function is a frame of its own, at its own line, then
    # the function it sits in at the line of the inlined call, as
    # eu-addr2line -i tells them; the address and offset are the symbol's
    need_stacks(ctx)
    prog = ctx.fixture("stack_inlined")
    need_fortified_open(ctx, prog)
    trace, cfg = record(ctx, prog)
    lines = ctx.run(["dump", trace]).stdout.splitlines()
    check = frames_after(lines, f'newfstatat(AT_FDCWD<{ctx.tmp}>, '
                         f'"{cfg}", 0) = 0', DUMP_PART)
    use = frames_after(lines, f'openat(AT_FDCWD<{ctx.tmp}>, "{cfg}", '
                       'O_RDONLY) = 3', DUMP_PART)

    def mine(frames):
        return [(f["fn"], f["addr"] == "inlined", f["file"],
                 int(f["line"])) for f in frames if f["mod"] == prog
                and f["fn"] != "_start"]
    outer = "check_then_use" + CLONE
    got = mine(check)
    assert [g[:2] for g in got[:2]] == [("check_inline", True),
                                        ("wrap_check", True)], check
    assert re.fullmatch(outer, got[2][0]) and not got[2][1], check
    assert [g[2:] for g in got] == [
        (INLINED_SRC, inlined_mark("INLINE-CHECK")),
        (INLINED_SRC, inlined_mark("CALL-NESTED")),
        (INLINED_SRC, inlined_mark("CALL-INLINE-CHECK")),
        (INLINED_SRC, inlined_mark("CALL-OUTER"))], check
    assert got[3][:2] == ("main", False), check
    got = mine(use)
    # the C library's inline wrapper, named as its source names it
    assert got[0] == ("open", True, FCNTL2, got[0][3]), use
    assert got[1] == ("use_inline", True, INLINED_SRC,
                      inlined_mark("INLINE-USE")), use
    assert re.fullmatch(outer, got[2][0]), use
    assert got[2][2:] == (INLINED_SRC, inlined_mark("CALL-INLINE-USE")), use
    # one address: the inlined parts and their symbol's frame share it
    at = [f["addr"] for f in use if f["mod"] == prog]
    assert at[:2] == ["inlined", "inlined"] and at[2].startswith("0x"), use


def test_inline_frames_in_findings(ctx):
    # text: every part, marked "(inlined)", but the C library's header;
    # JSON: one frame object for each part, and the location is the
    # innermost part of own code: use_inline, not bits/fcntl2.h
    need_stacks(ctx)
    prog = ctx.fixture("stack_inlined")
    need_fortified_open(ctx, prog)
    cfg, = files(ctx, "cfg")
    text = run(ctx, prog, cfg).stderr
    parts = []
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines)
              if line.lstrip().startswith("use "))
    for line in lines[at + 1:]:
        m = AT_PART.match(line)
        if not m:
            break
        parts.append((m["fn"], m["where"], bool(m["inl"])))
    assert parts[0] == ("use_inline",
                        f"{INLINED_SRC}:{inlined_mark('INLINE-USE')}",
                        True), text
    assert re.fullmatch("check_then_use" + CLONE, parts[1][0]), text
    assert parts[1][1:] == (
        f"{INLINED_SRC}:{inlined_mark('CALL-INLINE-USE')}", False), text
    assert "fcntl2.h" not in text, text
    out = os.path.join(ctx.tmp, "f.json")
    p = ctx.run(["run", "--stacks", "-o", out, "--", prog, cfg])
    assert p.returncode == 1, p.stderr
    with open(out) as f:
        f0, = json.load(f)["findings"]
    loc = f0["location"]
    assert (loc["function"], loc["file"], loc["line"], loc["inlined"],
            loc["module"]) == ("use_inline", INLINED_SRC,
                               inlined_mark("INLINE-USE"), True, prog), loc
    assert "offset" not in loc, loc
    check, use = f0["evidence"]
    assert [(fr["function"], fr.get("inlined", False))
            for fr in check["stack"][1:3]] == [
        ("check_inline", True), ("wrap_check", True)], check["stack"]
    sym = check["stack"][3]
    assert re.fullmatch("check_then_use" + CLONE, sym["function"]), sym
    assert "inlined" not in sym and sym["offset"] > 0, sym
    # the parts of one frame share its address
    assert len({fr["address"] for fr in check["stack"][1:4]}) == 1
    assert [fr["function"] for fr in use["stack"][1:3]] == [
        "open", "use_inline"], use["stack"]
    assert use["location"] == loc


def test_inline_frame_suppressed_by_its_caller(ctx):
    # frame: matches a function an inlined one sits in, too
    need_stacks(ctx)
    prog = ctx.fixture("stack_inlined")
    cfg, = files(ctx, "cfg")
    rules = os.path.join(ctx.tmp, "supp.json")
    with open(rules, "w") as f:
        json.dump({"suppressions": [{
            "rule": "check-then-use", "frame": "wrap_check",
            "reason": "checked on purpose"}]}, f)
    out = os.path.join(ctx.tmp, "f.json")
    p = ctx.run(["run", "--stacks", "-r", rules, "-o", out, "--", prog,
                 cfg])
    assert p.returncode == 0, p.stderr
    with open(out) as f:
        doc = json.load(f)
    assert doc["findings"] == [], doc["findings"]
    assert doc["not_reported"]["suppressed"] == 1, doc["not_reported"]


def test_analyze_a_recorded_trace_gives_the_same_locations(ctx):
    need_stacks(ctx)
    prog = ctx.fixture("stack_twofn_O0")
    cfg, = files(ctx, "cfg")
    live, trace, later = (os.path.join(ctx.tmp, n)
                          for n in ("live.json", "t.jsonl", "later.json"))
    p = ctx.run(["run", "--stacks", "--record", trace, "-o", live, "--",
                 prog, cfg])
    assert p.returncode == 1, p.stderr
    p = ctx.run(["analyze", "-o", later, trace])
    assert p.returncode == 1, p.stderr

    def where(path):
        with open(path) as f:
            d = json.load(f)
        return [(f["location"], [e["stack"] for e in f["evidence"]])
                for f in d["findings"]]
    assert where(live) == where(later)
    assert where(live)[0][0]["function"] == "use_config"


def test_one_group_per_call_site(ctx):
    need_stacks(ctx)
    prog = ctx.fixture("stack_twofn_O2")
    f, g = files(ctx, "f", "g")
    # one call site, two files: one group of 2
    out = run(ctx, prog, "--loop", f, g).stderr
    heads = [line for line in out.splitlines() if line.startswith("warn")]
    assert len(heads) == 1 and heads[0].endswith(" [2 times]"), out
    # two call sites: two groups, each at its own lines
    out = run(ctx, prog, "--two-sites", f, g).stderr
    heads = [line for line in out.splitlines() if line.startswith("warn")]
    assert [h.split(" by name")[0] for h in heads] == [
        f"warning[check-then-use] newfstatat('{f}') then openat('{f}')",
        f"warning[check-then-use] newfstatat('{g}') then openat('{g}')"
    ], out
    second = out[out.index(heads[1]):]
    assert evidence_frames(second, "check")[0] == (
        "other_site", f"{SRC}:{marked('OTHER-CHECK')}"), second
    assert evidence_frames(second, "use")[0] == (
        "other_site", f"{SRC}:{marked('OTHER-USE')}"), second
    # without stacks, the same two are one group, as before
    p = ctx.run(["run", "--no-stacks", "--", prog, "--two-sites", f, g])
    heads = [line for line in p.stderr.splitlines()
             if line.startswith("warn")]
    assert len(heads) == 1 and heads[0].endswith(" [2 times]"), p.stderr


def test_stack_depth(ctx):
    need_stacks(ctx)
    prog = ctx.fixture("stack_twofn_O0")
    cfg, = files(ctx, "cfg")
    p = ctx.run(["run", "--stacks", "--stack-depth", "1", "--", prog, cfg])
    assert evidence_frames(p.stderr, "check") == [
        ("check_config", f"{SRC}:{marked('CHECK')}")], p.stderr
    for bad in ("0", "65", "x", ""):
        p = ctx.run(["run", "--stacks", "--stack-depth", bad, "--", prog,
                     cfg])
        assert (p.returncode, p.stderr) == (
            2, "fsrace: --stack-depth takes a number of frames from 1 to "
            f"64, not '{bad}'\n"), (bad, p.returncode, p.stderr)


def test_stacks_is_an_option_of_run_not_analyze(ctx):
    # a trace has its stacks or not: analyze reads them, it takes none
    p = ctx.run(["analyze", "--stacks", "x"])
    assert (p.returncode, p.stdout, p.stderr) == (
        2, "", "fsrace: unknown option '--stacks' (see fsrace analyze "
        "--help)\n"), p.stderr


def test_system_code_is_policy(ctx):
    # a policy that calls the program itself system code: the location
    # is then none of its frames, and the text shows every frame
    need_stacks(ctx)
    prog = ctx.fixture("stack_twofn_O0")
    cfg, = files(ctx, "cfg")
    rules = os.path.join(ctx.tmp, "p.json")
    with open(rules, "w") as f:
        json.dump({"policy": {"system_code": [prog]}}, f)
    out = os.path.join(ctx.tmp, "f.json")
    p = ctx.run(["run", "--stacks", "-r", rules, "-o", out, "--", prog,
                 cfg])
    assert p.returncode == 1, p.stderr
    with open(out) as f:
        f0, = json.load(f)["findings"]
    assert "location" not in f0, f0.get("location")
    assert ["location" in e for e in f0["evidence"]] == [False, False]
    p = ctx.run(["run", "--stacks", "-r", rules, "--", prog, cfg])
    frames = evidence_frames(p.stderr, "check")
    assert frames[0][0] == "fstatat64", frames


# --- Python frames ------------------------------------------------------

PYTHON = "/usr/bin/python3.11"  # Debian's: static libpython, no PIE
APP = '''import os, shutil, threading


def save(src, dst):
    if os.path.exists(src):  # SAVE-CHECK
        shutil.copyfile(src, dst)  # SAVE-COPY


def worker(p):
    if os.path.exists(p):  # WORKER-CHECK
        open(p).close()  # WORKER-USE


def gen(p):
    yield os.path.exists(p)  # GEN-CHECK
    yield open(p).close()  # GEN-USE


mode, src, dst = os.sys.argv[1:]
if mode == "nameless":
    # code compiled from a file of no name: its frame's file is ""
    exec(compile("os.stat(src)", "", "exec"))  # NAMELESS
elif mode == "save":
    save(src, dst)  # MAIN-SAVE
elif mode == "thread":
    t = threading.Thread(target=worker, args=(src,))
    t.start()
    t.join()
else:
    for _ in gen(src):  # MAIN-GEN
        pass
'''


def need_python(ctx):
    need_stacks(ctx)
    if not os.access(PYTHON, os.X_OK):
        raise harness.Skip(f"{PYTHON} is not installed")


def shared_libpython():
    """A CPython 3.11 built with a shared libpython (pyenv's, /usr/local's),
    whose frames need the library's load bias; None if there is none."""
    for d in os.environ.get("PATH", "").split(os.pathsep) + [
            "/usr/local/bin", os.path.expanduser("~/.pyenv/shims")]:
        exe = os.path.join(d, "python3.11")
        if not os.access(exe, os.X_OK):
            continue
        real = subprocess.run([exe, "-c", "import sys, sysconfig; print("
                               "sys.executable, sysconfig.get_config_var("
                               "'Py_ENABLE_SHARED'))"],
                              capture_output=True, text=True)
        words = real.stdout.split()
        if real.returncode == 0 and len(words) == 2 and words[1] == "1":
            return words[0]
    return None


def app(ctx):
    path = os.path.join(ctx.tmp, "app.py")
    with open(path, "w") as f:
        f.write(APP)
    src, = files(ctx, "in.txt")
    return path, src, os.path.join(ctx.tmp, "out.txt")


def source_line(path, text):
    """The line of PATH holding TEXT, which must be on one line only."""
    with open(path) as f:
        hits = [n for n, line in enumerate(f, 1) if text in line]
    assert len(hits) == 1, (path, text, hits)
    return hits[0]


def app_line(tag):
    for n, line in enumerate(APP.splitlines(), 1):
        if line.endswith(f"# {tag}"):
            return n
    raise AssertionError(tag)


PY_AT = re.compile(r" +at (?P<fn>\S+) \((?P<file>[^:)]+):(?P<line>\d+)\)$")


def py_frames(text, step, n=0):
    """The Python "at" lines under the Nth evidence line of STEP."""
    lines = text.splitlines()
    at = [i for i, line in enumerate(lines)
          if line.lstrip().startswith(step + " ")][n]
    out = []
    for line in lines[at + 1:]:
        m = PY_AT.match(line)
        if not m:
            break
        out.append((m["fn"], m["file"], int(m["line"])))
    return out


def test_python_frames_in_dump(ctx):
    need_python(ctx)
    path, src, dst = app(ctx)
    trace = os.path.join(ctx.tmp, "t.jsonl")
    p = ctx.run(["record", "--stacks", "-o", trace, "--", PYTHON, path,
                 "save", src, dst])
    assert (p.returncode, p.stderr) == (0, ""), (p.returncode, p.stderr)
    p = ctx.run(["dump", trace])
    lines = p.stdout.splitlines()
    at = next(i for i, line in enumerate(lines)
              if f'newfstatat(AT_FDCWD<{ctx.tmp}>, "{src}"' in line)
    # os.path.exists is genericpath's, frozen into the interpreter;
    # below the Python frames, the interpreter's native ones
    assert lines[at + 1].startswith(" > python exists (<frozen "
                                    "genericpath>:"), lines[at + 1]
    assert lines[at + 2:at + 4] == [
        f" > python save ({path}:{app_line('SAVE-CHECK')})",
        f" > python <module> ({path}:{app_line('MAIN-SAVE')})"], lines
    assert "libc.so.6(" in lines[at + 4], lines[at + 4]


def test_python_finding_located_in_the_script(ctx):
    need_python(ctx)
    path, src, dst = app(ctx)
    out = os.path.join(ctx.tmp, "f.json")
    p = ctx.run(["run", "--stacks", "-o", out, "--", PYTHON, path, "save",
                 src, dst])
    assert p.returncode == 1, p.stderr
    with open(out) as f:
        d = json.load(f)
    locs = {(f["rule"], json.dumps(f["location"], sort_keys=True))
            for f in d["findings"]}
    # shutil.copyfile's own stat and open are the standard library's:
    # the location is the script's call of it
    copy = {"function": "save", "file": path,
            "line": app_line("SAVE-COPY"), "kind": "python"}
    assert (("check-absent-then-create", json.dumps(copy, sort_keys=True))
            in locs), locs
    f0 = next(f for f in d["findings"] if f["rule"] == "check-then-use")
    check, use = (e["stack"] for e in f0["evidence"])
    # the Python frames, innermost first, at their lines in Debian's
    # shutil.py, then the interpreter's native frames
    shutil_py = "/usr/lib/python3.11/shutil.py"

    def py(stack):
        return [(s["function"], s["file"], s["line"]) for s in stack
                if s.get("kind") == "python"]
    assert py(check) == [
        ("_stat", shutil_py, source_line(shutil_py, "return fn.stat() if "
                                         "isinstance(fn, os.DirEntry)")),
        ("copyfile", shutil_py, source_line(shutil_py, "st = _stat(fn)")),
        ("save", path, app_line("SAVE-COPY")),
        ("<module>", path, app_line("MAIN-SAVE"))], check
    assert py(use) == [
        ("copyfile", shutil_py, source_line(shutil_py,
                                            "with open(src, 'rb') as fsrc:")),
        ("save", path, app_line("SAVE-COPY")),
        ("<module>", path, app_line("MAIN-SAVE"))], use
    assert [s.get("kind") for s in check[:4]] == ["python"] * 4, check
    native = [s for s in check if "kind" not in s]
    assert native and native[0]["module"].endswith("/libc.so.6"), native


def test_python_frame_of_no_file_name(ctx):
    need_python(ctx)
    path, src, dst = app(ctx)
    trace = os.path.join(ctx.tmp, "t.jsonl")
    p = ctx.run(["record", "--stacks", "-o", trace, "--", PYTHON, path,
                 "nameless", src, dst])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    p = ctx.run(["dump", trace])
    lines = p.stdout.splitlines()
    at = next(i for i, line in enumerate(lines)
              if f'newfstatat(AT_FDCWD<{ctx.tmp}>, "{src}"' in line)
    # an empty name is empty, not "?" (what a string that cannot be read
    # gives)
    assert lines[at + 1:at + 3] == [
        " > python <module> (:1)",
        f" > python <module> ({path}:{app_line('NAMELESS')})"], lines


def check_save_in_the_text(ctx, python):
    """PYTHON runs app.py's save(): the text's check-absent-then-create
    names the script's frames, not shutil's."""
    path, src, dst = app(ctx)
    p = ctx.run(["run", "--stacks", "--", python, path, "save", src, dst])
    assert p.returncode == 1, p.stderr
    text = p.stderr
    head = next(line for line in text.splitlines()
                if line.startswith("warning[check-absent-then-create]"))
    part = text[text.index(head):]
    assert py_frames(part, "check") == [
        ("save", path, app_line("SAVE-COPY")),
        ("<module>", path, app_line("MAIN-SAVE"))], part


def test_python_frames_in_the_text(ctx):
    need_python(ctx)
    check_save_in_the_text(ctx, PYTHON)


def test_native_stacks_after_the_python_frames(ctx):
    # the text shows a Python call's Python frames; --native-stacks adds
    # its native ones after them, from the innermost (the C library's
    # wrapper), to the same depth
    need_python(ctx)
    path, src, dst = app(ctx)
    argv = ["--", PYTHON, path, "save", src, dst]
    base = ctx.run(["run", *argv])
    os.unlink(dst)  # the run again, where it was absent
    native = ctx.run(["run", "--native-stacks", "--stack-depth", "2",
                      *argv])
    assert base.returncode == native.returncode == 1, native.stderr

    def check_lines(text):
        head = next(line for line in text.splitlines()
                    if line.startswith("warning[check-absent-then-create]"))
        lines = text[text.index(head):].splitlines()
        at = next(i for i, line in enumerate(lines)
                  if line.lstrip().startswith("check "))
        out = []
        for line in lines[at + 1:]:
            if not line.startswith("             at "):
                break
            out.append(line.strip())
        return out

    want = [f"at save ({path}:{app_line('SAVE-COPY')})",
            f"at <module> ({path}:{app_line('MAIN-SAVE')})"]
    assert check_lines(base.stderr) == want, base.stderr
    got = check_lines(native.stderr)
    assert got[:2] == want and len(got) == 4, native.stderr
    # the C library's stat wrapper, then the interpreter's code
    assert re.fullmatch(r"at (fstatat64|__GI___fstatat64|statx)\+0x[0-9a-f]+ "
                        r"\(.*\)", got[2]), got
    assert "python3" in got[3], got


def test_python_shared_libpython(ctx):
    # the interpreter's state is in libpython, loaded at a bias: the same
    # frames as with Debian's static one, the standard library wherever
    # this build keeps it
    need_stacks(ctx)
    exe = shared_libpython()
    if not exe:
        raise harness.Skip("no CPython 3.11 with a shared libpython here")
    check_save_in_the_text(ctx, exe)


def test_python_thread(ctx):
    need_python(ctx)
    path, src, dst = app(ctx)
    p = ctx.run(["run", "--stacks", "--", PYTHON, path, "thread", src,
                 dst])
    assert p.returncode == 1, p.stderr
    # the thread's own frames: threading's run() is the standard library
    assert py_frames(p.stderr, "check") == [
        ("worker", path, app_line("WORKER-CHECK"))], p.stderr
    assert py_frames(p.stderr, "use") == [
        ("worker", path, app_line("WORKER-USE"))], p.stderr


def test_python_generator(ctx):
    need_python(ctx)
    path, src, dst = app(ctx)
    p = ctx.run(["run", "--stacks", "--", PYTHON, path, "gen", src, dst])
    assert p.returncode == 1, p.stderr
    # a generator's frame is on the stack only while it runs, called
    # from the loop
    assert py_frames(p.stderr, "check") == [
        ("gen", path, app_line("GEN-CHECK")),
        ("<module>", path, app_line("MAIN-GEN"))], p.stderr
    assert py_frames(p.stderr, "use") == [
        ("gen", path, app_line("GEN-USE")),
        ("<module>", path, app_line("MAIN-GEN"))], p.stderr


def test_python_stack_records_read_back(ctx):
    bad(ctx, [{"type": "stack", "id": 1, "frames": [],
               "py": [["a.py", "f"]]}],
        "2: stack 1: Python frame 1 is not [file, function, line]")
    bad(ctx, [{"type": "stack", "id": 1, "frames": [], "py": {}}],
        '2: stack 1: "py" is not an array of at most 64 frames')
    path = write(ctx, [{"type": "stack", "id": 1, "frames": [],
                        "py": [["a.py", "f", 3], ["<string>", "<module>",
                                                  -1]]},
                       event(1, 1)])
    p = ctx.run(["dump", path], env=dict(os.environ, TZ="UTC"))
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    assert p.stdout.splitlines()[1:] == [" > python f (a.py:3)",
                                         " > python <module> (<string>)"]


# --- suppressions of a frame --------------------------------------------

def suppressions(ctx, *supps):
    path = os.path.join(ctx.tmp, "supp.json")
    with open(path, "w") as f:
        json.dump({"suppressions": [dict(rule="check-then-use",
                                         reason="ours", **s)
                                    for s in supps]}, f)
    return path


def test_suppress_a_native_frame(ctx):
    need_stacks(ctx)
    prog = ctx.fixture("stack_twofn_O2")
    f, g = files(ctx, "f", "g")
    # the race at other_site() is suppressed, the one through
    # use_config() is not
    supp = suppressions(ctx, {"frame": "other_site"})
    out = os.path.join(ctx.tmp, "r.json")
    p = ctx.run(["run", "--stacks", "-r", supp, "-o", out, "--", prog,
                 "--two-sites", f, g])
    assert p.returncode == 1, p.stderr
    with open(out) as fp:
        d = json.load(fp)
    assert [x["evidence"][0]["path"] for x in d["findings"]] == [f], d
    assert d["not_reported"]["suppressed"] == 1, d["not_reported"]
    # a glob, and a name no frame has
    for glob, left in (("use_conf*", [g]), ("no_such_function", [f, g])):
        supp = suppressions(ctx, {"frame": [glob]})
        p = ctx.run(["run", "--stacks", "-r", supp, "-o", out, "--", prog,
                     "--two-sites", f, g])
        with open(out) as fp:
            d = json.load(fp)
        assert [x["evidence"][0]["path"] for x in d["findings"]] == left, \
            (glob, d["findings"])


def test_suppress_a_frame_needs_stacks(ctx):
    # without stacks no frame matches: the finding stays
    prog = ctx.fixture("stack_twofn_O0")
    cfg, = files(ctx, "cfg")
    supp = suppressions(ctx, {"frame": "*"})
    p = ctx.run(["run", "--no-stacks", "-r", supp, "--", prog, cfg])
    assert p.returncode == 1, p.stderr
    assert p.stderr.startswith("warning[check-then-use]"), p.stderr


def test_suppress_a_python_frame(ctx):
    need_python(ctx)
    path, src, dst = app(ctx)
    out = os.path.join(ctx.tmp, "r.json")

    def reported(frame):
        supp = suppressions(ctx, {"frame": frame})
        p = ctx.run(["run", "--stacks", "-r", supp, "-o", out, "--",
                     PYTHON, path, "thread", src, dst])
        with open(out) as f:
            d = json.load(f)
        return (p.returncode, [x["rule"] for x in d["findings"]],
                d["not_reported"]["suppressed"])
    # the shipped suppressions take some of python's own
    _, _, shipped = reported("no_such_frame")
    assert reported("no_such_frame")[:2] == (1, ["check-then-use"])
    for frame in ("worker", "app.worker", "app.*",
                  # a frozen module by its name, as Python spells it
                  "genericpath.exists"):
        assert reported(frame) == (0, [], shipped + 1), frame


def test_group_fingerprint_survives_a_rebuild(ctx):
    # one source built twice (-O0, -O2 -fomit-frame-pointer), installed
    # under one name: other addresses, the same call sites by name
    need_stacks(ctx)
    cfg, = files(ctx, "cfg")
    prints, addrs = [], []
    for build in ("stack_twofn_O0", "stack_twofn_O2"):
        d = os.path.join(ctx.tmp, build)
        os.mkdir(d)
        prog = os.path.join(d, "prog")
        shutil.copy(ctx.fixture(build), prog)
        out = os.path.join(ctx.tmp, build + ".json")
        p = ctx.run(["run", "--stacks", "-o", out, "--", prog, cfg])
        assert p.returncode == 1, p.stderr
        with open(out) as f:
            d = json.load(f)
        prints.append([g["fingerprint"] for g in d["groups"]])
        addrs.append(d["findings"][0]["location"]["address"])
    assert addrs[0] != addrs[1], addrs
    assert prints[0] == prints[1] and len(prints[0]) == 1, prints


# --- code that comes and goes -------------------------------------------

DLSWAP = os.path.join(ROOT, "fixtures", "stacks")


def dlswap_line(name, tag):
    with open(os.path.join(DLSWAP, name)) as f:
        for n, line in enumerate(f, 1):
            if f"/* {tag} */" in line:
                return n
    raise AssertionError(tag)


def dlswap(ctx, *extra, n=3):
    need_stacks(ctx)
    cfg, = files(ctx, "cfg")
    libs = [os.path.join(ctx.fixtures, f"dlswap_{x}.so") for x in "ab"]
    trace = os.path.join(ctx.tmp, "t.jsonl")
    argv = ["record", "--stacks", *extra, "-o", trace, "--",
            ctx.fixture("stack_dlswap"), *libs, cfg, str(n)]
    return argv, trace, cfg, libs


def stat_frames(ctx, trace, cfg):
    """The frames under each stat of CFG, parsed (" > [0x…]" as None)."""
    p = ctx.run(["dump", trace])
    assert p.returncode == 0, p.stderr
    out, cur = [], None
    for line in p.stdout.splitlines():
        if not line.startswith(" > "):
            cur = [] if f'newfstatat(AT_FDCWD<{ctx.tmp}>, "{cfg}"' in line \
                else None
            if cur is not None:
                out.append(cur)
        elif cur is not None:
            m = FRAME.match(line)
            cur.append(m.groupdict() if m else None)
    return out


def check_dlswap(ctx, *extra):
    argv, trace, cfg, (liba, libb) = dlswap(ctx, *extra)
    p = ctx.run(argv)
    assert (p.returncode, p.stderr) == (0, ""), (p.returncode, p.stderr)
    stats = stat_frames(ctx, trace, cfg)
    assert len(stats) == 5, stats
    # B is loaded after A was unloaded, most often at A's address: each
    # function in its own library, at its own line
    a, b = stats[0][1], stats[1][1]
    assert (a["mod"], a["fn"], a["file"], int(a["line"])) == (
        liba, "a_check", os.path.join(DLSWAP, "dlswap_a.c"),
        dlswap_line("dlswap_a.c", "A-CHECK")), stats[0]
    assert (b["mod"], b["fn"], b["file"], int(b["line"])) == (
        libb, "b_check", os.path.join(DLSWAP, "dlswap_b.c"),
        dlswap_line("dlswap_b.c", "B-CHECK")), stats[1]
    # JIT code: a frame in no module, under the function it called
    for s in stats[2:]:
        assert s[1]["fn"] == "do_stat" and s[2] is None, s
    # each library by its build-id, the one note of its PT_NOTE (a
    # shared object has no ABI tag after it)
    _, records = harness.read_trace(trace)
    for lib in (liba, libb):
        mods = [r for r in records if r["type"] == "module"
                and r["path"] == lib]
        assert [m.get("build_id") for m in mods] == [build_id(lib)], mods


def test_stacks_across_dlclose_and_dlopen(ctx):
    check_dlswap(ctx)


def test_stacks_without_seccomp(ctx):
    check_dlswap(ctx, "--no-seccomp")


def maps_reads_of(ctx, argv):
    """fsrace ARGV run under strace: how often it read /proc/PID/maps."""
    if not shutil.which("strace"):
        raise harness.Skip("strace is not installed")
    log = os.path.join(ctx.tmp, "strace.log")
    # LeakSanitizer cannot work under a tracer: the sanitizer pass's
    # fsrace would fail at its exit
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "")
               + ":detect_leaks=0")
    p = subprocess.run(["strace", "-o", log, "-e", "trace=openat",
                        ctx.fsrace, *argv], capture_output=True, text=True,
                       cwd=ctx.tmp, timeout=120, env=env)
    assert p.returncode == 0, p.stderr
    with open(log) as f:
        return sum(1 for line in f if re.search(r'"/proc/\d+/maps"', line))


def test_stacks_jit_code_rereads_no_maps(ctx):
    # a frame that no file holds is remembered as such: 300 stats from
    # JIT code do not reread /proc/PID/maps 300 times
    argv, trace, cfg, _ = dlswap(ctx, n=300)
    assert 0 < maps_reads_of(ctx, argv) <= 20
    assert len(stat_frames(ctx, trace, cfg)) == 302


def test_stacks_after_exec_in_a_child(ctx):
    # sh forks and the child execs the program: its stacks are the new
    # image's, not the shell's
    need_stacks(ctx)
    prog = ctx.fixture("stack_twofn_O0")
    cfg, = files(ctx, "cfg")
    trace = os.path.join(ctx.tmp, "t.jsonl")
    p = ctx.run(["record", "--stacks", "-o", trace, "--", "/bin/sh", "-c",
                 f"{prog} {cfg}; true"])
    assert p.returncode == 0, p.stderr
    check = dump_frames(ctx, trace, f'"{cfg}", 0) = 0')
    assert own(check, prog)[:2] == [
        ("check_config", SRC, marked("CHECK")),
        ("main", SRC, marked("CALL-CHECK"))], check


def test_analyze_several_traces_with_stacks(ctx):
    need_stacks(ctx)
    cfg, = files(ctx, "cfg")
    traces = []
    for name in ("stack_twofn_O0", "stack_twofn_O2"):
        traces.append(os.path.join(ctx.tmp, name + ".jsonl"))
        p = ctx.run(["record", "--stacks", "-o", traces[-1], "--",
                     ctx.fixture(name), cfg])
        assert p.returncode == 0, p.stderr
    out = os.path.join(ctx.tmp, "f.json")
    p = ctx.run(["analyze", "-o", out, *traces])
    assert p.returncode == 1, p.stderr
    with open(out) as f:
        d = json.load(f)
    # one finding (one rule, one path) matched in both; its evidence,
    # and so its location, is the first trace's, read from that file's
    # own stack table after the second was read
    f0, = d["findings"]
    assert f0["count"] == 2, f0
    assert (f0["location"]["module"], f0["location"]["line"]) == (
        ctx.fixture("stack_twofn_O0"), marked("USE")), f0["location"]


def maps_reads(ctx, call, *extra, n=50):
    """How often fsrace --stacks reads /proc/PID/maps while the dlswap
    fixture makes N code-mapping changes by CALL, a stat after each."""
    need_stacks(ctx)
    cfg, = files(ctx, "cfg")
    return maps_reads_of(ctx, [
        "record", "--stacks", *extra, "-o", os.path.join(ctx.tmp, "t.jsonl"),
        "--", ctx.fixture("stack_dlswap"), "--maps", call, cfg, str(n)])


def test_stacks_reread_maps_after_each_change_of_code(ctx):
    # munmap, mremap and mmap MAP_FIXED of code are trapped, and the
    # maps are read again before the next walk; a plain mmap is not
    for extra in ((), ("--no-seccomp",)):
        for call in ("munmap", "mremap", "mmap"):
            assert maps_reads(ctx, call, *extra) >= 50, (call, extra)
        assert maps_reads(ctx, "none", *extra) <= 5, extra


# --- run takes stacks by default; the snapshot's size -------------------

def test_run_takes_stacks_by_default(ctx):
    need_stacks(ctx)
    prog = ctx.fixture("stack_twofn_O0")
    cfg, = files(ctx, "cfg")
    want = [("check_config", f"{SRC}:{marked('CHECK')}"),
            ("main", f"{SRC}:{marked('CALL-CHECK')}"),
            ("_start", prog)]
    p = ctx.run(["run", "--", prog, cfg])
    assert p.returncode == 1, p.stderr
    assert evidence_frames(p.stderr, "check") == want, p.stderr
    # --no-stacks: the same finding, no frames; the last of the two wins
    for opts, frames in ((["--no-stacks"], []),
                         (["--stacks", "--no-stacks"], []),
                         (["--no-stacks", "--stacks"], want)):
        p = ctx.run(["run", *opts, "--", prog, cfg])
        assert p.returncode == 1, (opts, p.stderr)
        assert p.stderr.startswith(
            f"warning[check-then-use] newfstatat('{cfg}') then "
            f"openat('{cfg}')"), (opts, p.stderr)
        assert evidence_frames(p.stderr, "check") == frames, (opts,
                                                               p.stderr)
    # and a configuration file's "stacks": false, which --stacks undoes
    with open(os.path.join(ctx.tmp, ".fsrace.json"), "w") as f:
        f.write('{"stacks": false}\n')
    p = ctx.run(["run", "--", prog, cfg])
    assert evidence_frames(p.stderr, "check") == [], p.stderr
    p = ctx.run(["run", "--stacks", "--", prog, cfg])
    assert evidence_frames(p.stderr, "check") == want, p.stderr


def test_stack_snapshot_bad_sizes(ctx):
    prog = ctx.fixture("stack_twofn_O0")
    marker = os.path.join(ctx.tmp, "ran")
    sh = ["--", "/bin/sh", "-c", f"touch {marker}"]
    for bad in ("0", "0K", "2K", "4095", "5000", "6K", "68K", "65537",
                "128K", "8M", "8 K", "K", "x", "-8K", "", "99999999999999K"):
        for cmd in (["record", "--stacks", "-o",
                     os.path.join(ctx.tmp, "t.jsonl")], ["run"]):
            p = ctx.run([*cmd, "--stack-snapshot", bad, *sh])
            assert (p.returncode, p.stderr) == (
                2, "fsrace: --stack-snapshot takes a whole number of 4 KiB "
                "pages from 4K to 64K (a size in bytes, or in KiB with a K "
                f"suffix), not '{bad}'\n"), (cmd, bad, p.stderr)
            assert not os.path.exists(marker), (cmd, bad)
    p = ctx.run(["record", "-o", os.path.join(ctx.tmp, "t.jsonl"),
                 "--stack-snapshot", "16K", *sh])
    assert (p.returncode, p.stderr) == (
        2, "fsrace: --stack-snapshot needs --stacks\n"), p.stderr
    p = ctx.run(["run", "--no-stacks", "--stack-snapshot", "16K", *sh])
    assert (p.returncode, p.stderr) == (
        2, "fsrace: --stack-snapshot and --no-stacks: choose one\n"), \
        p.stderr
    assert not os.path.exists(marker)
    p = ctx.run(["analyze", "--stack-snapshot", "16K", "x"])
    assert (p.returncode, p.stderr) == (
        2, "fsrace: unknown option '--stack-snapshot' (see fsrace analyze "
        "--help)\n"), p.stderr
    del prog


SNAP_READ = re.compile(r"process_vm_readv\(\d+, \[\{iov_base=.*?, "
                       r"iov_len=(?P<len>\d+)\}\], 1, \[\{iov_base=0x"
                       r"(?P<at>[0-9a-f]+), .*\) = (?P<ret>-?\d+)$")


def snapshot_reads(ctx, argv):
    """fsrace ARGV under strace: for each stack taken (a PTRACE_GETREGS
    of the traced program), the bytes asked of each process_vm_readv of
    its stack, as [snapshot] or [snapshot, read on]: those that start at
    the stack pointer or where the last of them ended, not the tracer's
    reads of paths and stat buffers."""
    if not shutil.which("strace"):
        raise harness.Skip("strace is not installed")
    log = os.path.join(ctx.tmp, "strace.log")
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "")
               + ":detect_leaks=0")
    p = subprocess.run(["strace", "-o", log, "-s", "1", "-e",
                        "trace=ptrace,process_vm_readv", ctx.fsrace, *argv],
                       capture_output=True, text=True, cwd=ctx.tmp,
                       timeout=120, env=env)
    assert p.returncode in (0, 1), p.stderr
    stacks, end = [], None
    with open(log) as f:
        for line in f:
            m = re.match(r"ptrace\(PTRACE_GETREGS, .* rsp=0x([0-9a-f]+),",
                         line)
            if m:
                stacks.append([])
                end = int(m[1], 16)
                continue
            m = SNAP_READ.match(line)
            if m and stacks and int(m["at"], 16) == end:
                stacks[-1].append(int(m["len"]))
                end += max(int(m["ret"]), 0)
    return [s for s in stacks if s]


def test_stack_snapshot_follows_the_last_walk(ctx):
    # twofn --deep 12: main's frame lies past 12 KiB of deep()'s locals.
    # The first such walk reads past the 8 KiB snapshot once; the next
    # stack of that process is snapshotted as deep as that walk went
    need_stacks(ctx)
    prog = ctx.fixture("stack_twofn_O2")
    cfg, = files(ctx, "cfg")
    trace = os.path.join(ctx.tmp, "t.jsonl")
    reads = snapshot_reads(ctx, ["record", "--stacks", "-o", trace, "--",
                                 prog, "--deep", "12", cfg])
    first = next(i for i, r in enumerate(reads) if len(r) == 2)
    assert all(r == [8192] for r in reads[:first]), reads
    assert reads[first][0] == 8192 and reads[first][1] > 4096, reads
    after = reads[first + 1]
    assert len(after) == 1 and 12 * 1024 < after[0] <= 32768 and \
        after[0] % 4096 == 0, reads
    # the frames are those of one whole snapshot
    use = dump_frames(ctx, trace, f'openat(AT_FDCWD<{ctx.tmp}>, "{cfg}", '
                      'O_RDONLY) = 3')
    assert [f for f, _, _ in own(use, prog)][1:3] == ["deep", "main"], use


def test_stack_snapshot_size(ctx):
    need_stacks(ctx)
    prog = ctx.fixture("stack_twofn_O2")
    cfg, = files(ctx, "cfg")
    trace = os.path.join(ctx.tmp, "t.jsonl")
    for size, want in (("16K", 16384), ("16384", 16384), ("4k", 4096),
                       ("64KiB", 65536)):
        reads = snapshot_reads(ctx, ["record", "--stacks",
                                     "--stack-snapshot", size, "-o", trace,
                                     "--", prog, cfg])
        # the first stack's snapshot is of that size; from 16K on, no
        # walk of this shallow program reads past it
        assert reads and reads[0][0] == want, (size, reads)
        if want >= 16384:
            assert all(r == [want] for r in reads), (size, reads)
        check = dump_frames(ctx, trace, f'"{cfg}", 0) = 0')
        assert own(check, prog)[:2] == [
            ("check_config", SRC, marked("CHECK")),
            ("main", SRC, marked("CALL-CHECK"))], (size, check)
    # run takes it too
    reads = snapshot_reads(ctx, ["run", "--stack-snapshot", "12K", "--",
                                 prog, cfg])
    assert reads and reads[0][0] == 12288, reads


ANY_FRAME = re.compile(r" > (?P<mod>[^(]+)\((?P<fn>[^)]*)\) "
                       r"\[0x(?P<addr>[0-9a-f]+)\]")


def test_stacks_of_a_stripped_binary(ctx):
    # a binary without .symtab: its own functions are not in .dynsym, so
    # its frames are ?? at the addresses the unstripped binary's frames
    # have, never another symbol's name; the C library's stay named
    need_stacks(ctx)
    if not shutil.which("strip"):
        raise harness.Skip("strip is not installed (binutils)")
    prog = ctx.fixture("stack_twofn_O2")
    copy = os.path.join(ctx.tmp, "twofn-stripped")
    shutil.copy(prog, copy)
    subprocess.run(["strip", copy], check=True)
    cfg, = files(ctx, "cfg")
    want = []
    for exe in (prog, copy):
        trace = os.path.join(ctx.tmp, "t.jsonl")
        p = ctx.run(["record", "--stacks", "-o", trace, "--", exe, cfg])
        assert (p.returncode, p.stderr) == (0, ""), p.stderr
        p = ctx.run(["dump", trace])
        frames = frames_after(p.stdout.splitlines(), f'"{cfg}", 0) = 0',
                              ANY_FRAME)
        assert frames[0]["mod"].endswith("/libc.so.6") and \
            frames[0]["fn"].startswith("fstatat64+0x"), frames
        mine = [(f["fn"], f["addr"]) for f in frames if f["mod"] == exe]
        if exe == prog:
            assert [fn.split("+")[0] for fn, _ in mine] == [
                "check_config", "main", "_start"], mine
            want = [("??", addr) for _, addr in mine]
        else:
            assert mine == want, (mine, want)
    # the text: its three own frames, which nothing names, on one line
    p = ctx.run(["run", "--", copy, cfg])
    assert p.returncode == 1, p.stderr
    lines = p.stderr.splitlines()
    at = next(i for i, line in enumerate(lines)
              if line.lstrip().startswith("check "))
    assert lines[at + 1] == (
        f"             at {copy}+0x{want[0][1]}, +0x{want[1][1]}, "
        f"+0x{want[2][1]}"), p.stderr
    assert lines[at + 2].lstrip().startswith("use "), p.stderr
