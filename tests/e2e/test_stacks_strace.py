"""strace -k logs imported with their frames (issue 9): the fixture of
fixtures/stacks/twofn.c run under the real strace -k, then `fsrace
analyze` and `fsrace import` + `fsrace dump` of the log. A frame is
named from its binary when the binary here is the one the log was made
with (the log's own name of the frame must be a symbol of it, where the
log saw it), from the log otherwise.

What a frame must say comes from the fixture's source (its marked
lines) and from the log strace wrote, never from fsrace's own output."""
import json
import os
import re
import shutil
import struct
import subprocess

import harness
from test_stacks import (CLONE, SRC, dump_frames, evidence_frames, files,
                         frames_after, marked, need_stacks, own)


def need_strace_k(ctx):
    need_stacks(ctx)
    if not shutil.which("strace"):
        raise harness.Skip("strace is not installed")
    p = subprocess.run(["strace", "-k", "-o", "/dev/null", "true"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise harness.Skip("this strace has no -k: " + p.stderr.strip())


def strace_k(ctx, prog, *args):
    """PROG ARGS under strace -k -f -y: the log's path and its lines."""
    log = os.path.join(ctx.tmp, "k.log")
    subprocess.run(["strace", "-k", "-f", "-y", "-o", log, prog, *args],
                   check=True, capture_output=True, cwd=ctx.tmp)
    with open(log) as f:
        return log, f.read().splitlines()


# " > BINARY(SYMBOL+0xOFF) [0xADDR]", as strace -k writes a frame
LOG_FRAME = re.compile(r" > (?P<mod>[^(]+)\((?P<fn>[^+)]*)\+0x(?P<off>"
                       r"[0-9a-f]+)\) \[0x(?P<addr>[0-9a-f]+)\]$")


def log_frames(lines, call):
    """The frames strace printed under the first line holding CALL."""
    return frames_after(lines, call, LOG_FRAME)


def analyze_text(ctx, log):
    """The text report of LOG, after the lines that say what the log
    cannot show (strace -k without -t: no timestamps)."""
    p = ctx.run(["analyze", "--stack-depth", "2", log])
    assert p.returncode == 1, (p.returncode, p.stderr)
    head, sep, rest = p.stdout.partition("\n\n")
    if sep and all(x.startswith(("log: ", "not evaluated: "))
                   for x in head.splitlines()):
        return rest
    return p.stdout


def test_strace_k_log_names_check_and_use(ctx):
    need_strace_k(ctx)
    prog = ctx.fixture("stack_twofn_O0")
    cfg, = files(ctx, "cfg")
    log, _ = strace_k(ctx, prog, cfg)
    out = analyze_text(ctx, log)
    assert out.startswith(f"warning[check-then-use] newfstatat('{cfg}') "
                          f"then openat('{cfg}')"), out
    # named from the binary, at the lines of the source
    assert evidence_frames(out, "check") == [
        ("check_config", f"{SRC}:{marked('CHECK')}"),
        ("main", f"{SRC}:{marked('CALL-CHECK')}")], out
    assert evidence_frames(out, "use") == [
        ("use_config", f"{SRC}:{marked('USE')}"),
        ("main", f"{SRC}:{marked('CALL-USE')}")], out
    assert "as the log named it" not in out, out


def test_strace_k_log_location_in_json(ctx):
    need_strace_k(ctx)
    prog = ctx.fixture("stack_twofn_O2")
    cfg, = files(ctx, "cfg")
    log, lines = strace_k(ctx, prog, cfg)
    out = os.path.join(ctx.tmp, "f.json")
    p = ctx.run(["analyze", "-o", out, log])
    assert p.returncode == 1, p.stderr
    with open(out) as f:
        f0, = json.load(f)["findings"]
    loc = f0["location"]
    assert re.fullmatch("use_config" + CLONE, loc["function"]), loc
    assert (loc["file"], loc["line"], loc["module"]) == (
        SRC, marked("USE"), prog), loc
    # the address is the log's: a file offset of the program, which is
    # its link-time address for its code
    use = log_frames(lines, f'openat(AT_FDCWD<{ctx.tmp}>, "{cfg}"')
    mine = next(f for f in use if f["mod"] == prog)
    assert loc["address"] == "0x" + mine["addr"], (loc, mine)


def test_strace_k_log_through_import_and_dump(ctx):
    need_strace_k(ctx)
    prog = ctx.fixture("stack_twofn_O0")
    cfg, = files(ctx, "cfg")
    log, lines = strace_k(ctx, prog, cfg)
    trace = os.path.join(ctx.tmp, "t.jsonl")
    p = ctx.run(["import", "-o", trace, log])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    check = dump_frames(ctx, trace, f'newfstatat(AT_FDCWD<{ctx.tmp}>, '
                        f'"{cfg}", 0) = 0')
    assert check[0]["mod"].endswith("/libc.so.6"), check
    assert own(check, prog)[:2] == [
        ("check_config", SRC, marked("CHECK")),
        ("main", SRC, marked("CALL-CHECK"))], check
    # the trace keeps what the log named each frame
    header, records = harness.read_trace(trace)
    assert header["version"] == 3
    stacks = [r for r in records if r["type"] == "stack"]
    named = [f[2] for s in stacks for f in s["frames"] if len(f) == 3]
    want = log_frames(lines, f'newfstatat(AT_FDCWD<{ctx.tmp}>, "{cfg}"')
    assert {"function": want[1]["fn"], "offset": "0x" + want[1]["off"]} \
        in named, (want, named)


def test_strace_k_log_without_the_binary(ctx):
    # the log was made elsewhere: its names, and why they are its
    need_strace_k(ctx)
    prog = os.path.join(ctx.tmp, "prog")
    shutil.copy(ctx.fixture("stack_twofn_O0"), prog)
    cfg, = files(ctx, "cfg")
    log, lines = strace_k(ctx, prog, cfg)
    os.unlink(prog)
    out = analyze_text(ctx, log)
    want = [(f["fn"], f["off"]) for f in
            log_frames(lines, f'newfstatat(AT_FDCWD<{ctx.tmp}>, '
                       f'"{cfg}"')[1:3]]
    assert [w[0] for w in want] == ["check_config", "main"], want
    at = [line.strip() for line in out.splitlines()
          if line.strip().startswith("at ")]
    assert at[:2] == [
        f"at {fn}+0x{off} ({prog}) (as the log named it: no such file)"
        for fn, off in want], out


def test_strace_k_log_of_another_binary(ctx):
    # a file at the log's path, but not the one it was made with: the
    # log's names, not what this file has at those addresses
    need_strace_k(ctx)
    prog = os.path.join(ctx.tmp, "prog")
    shutil.copy(ctx.fixture("stack_twofn_O0"), prog)
    cfg, = files(ctx, "cfg")
    log, lines = strace_k(ctx, prog, cfg)
    shutil.copy(ctx.fixture("stack_twofn_O2"), prog)
    out = analyze_text(ctx, log)
    want = [(f["fn"], f["off"]) for f in
            log_frames(lines, f'newfstatat(AT_FDCWD<{ctx.tmp}>, '
                       f'"{cfg}"')[1:3]]
    at = [line.strip() for line in out.splitlines()
          if line.strip().startswith("at ")]
    assert at[:2] == [
        f"at {fn}+0x{off} ({prog}) (as the log named it: not the file "
        "the log was made with)" for fn, off in want], out


def load_segments(path):
    """(p_offset, p_filesz, p_vaddr) of the PT_LOAD segments of PATH."""
    with open(path, "rb") as f:
        data = f.read()
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    out = []
    for i in range(phnum):
        p_type, _, p_offset, p_vaddr, _, p_filesz = struct.unpack_from(
            "<IIQQQQ", data, phoff + i * phentsize)
        if p_type == 1:
            out.append((p_offset, p_filesz, p_vaddr))
    return out


def test_strace_k_file_offsets_become_link_addresses(ctx):
    # strace gives a file offset; a frame is at a link-time address:
    # through the segment that holds the offset, where the two differ
    need_stacks(ctx)
    prog = ctx.fixture("stack_twofn_O0")
    seg = next(s for s in load_segments(prog) if s[0] != s[2])
    off = seg[0] + 8
    log = os.path.join(ctx.tmp, "k.log")
    with open(log, "w") as f:
        f.write('100 unlink("/w/a") = 0\n'
                f" > {prog}(x+0x8) [0x{off:x}]\n"
                f" > /no/such/file(y+0x1) [0x{off:x}]\n")
    trace = os.path.join(ctx.tmp, "t.jsonl")
    p = ctx.run(["import", "-o", trace, log])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    _, records = harness.read_trace(trace)
    st, = [r for r in records if r["type"] == "stack"]
    assert [f[1] for f in st["frames"]] == [
        hex(off - seg[0] + seg[2]), hex(off)], st


# --- the frames' names in a trace (format 3) ------------------------------

def write3(ctx, records, version=3):
    path = os.path.join(ctx.tmp, "t.jsonl")
    with open(path, "w") as f:
        f.write('{"type":"header","format":"fsrace-trace","version":%d}\n'
                % version)
        for r in records:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")
    return path


def named_trace(ctx, *frames, version=3):
    return write3(ctx, [
        {"type": "module", "id": 1, "path": "/no/such/prog", "dev": "0",
         "ino": "0"},
        {"type": "stack", "id": 1, "frames": [list(f) for f in frames]},
        {"type": "syscall", "seq": 1, "pid": 10, "tid": 10,
         "ts_enter": 1000000, "ts_exit": 1001000, "syscall": "access",
         "path": "/x", "abspath": "/x", "access": ["R_OK"], "ret": 0,
         "stack": 1}], version)


def test_named_frames_read_back(ctx):
    path = named_trace(
        ctx, (1, "0x11b4", {"function": "check_config", "offset": "0x2b",
                            "file": "/w/twofn.c", "line": 24}),
        (1, "0x1422", {"function": "main", "offset": "0x19f"}),
        (1, "0x10c1", {"file": "/w/start.S", "line": 3}),
        (1, "0x10c9"))
    p = ctx.run(["dump", path], env=dict(os.environ, TZ="UTC"))
    assert (p.returncode, p.stderr) == (0, ""), (p.returncode, p.stderr)
    why = "as the log named it: no such file"
    assert p.stdout.splitlines()[1:] == [
        f" > /no/such/prog(check_config+0x2b) [0x11b4] /w/twofn.c:24 ({why})",
        f" > /no/such/prog(main+0x19f) [0x1422] ({why})",
        f" > /no/such/prog(??) [0x10c1] /w/start.S:3 ({why})",
        " > /no/such/prog(??) [0x10c9] (no such file)"], p.stdout


def test_named_frames_malformed(ctx):
    for named in ({"function": "f"}, {"offset": "0x1"},
                  {"function": "f", "offset": "1"},
                  {"function": 1, "offset": "0x1"},
                  {"file": "a.c"}, {"file": "a.c", "line": -1},
                  {"file": "a.c", "line": "3"}, {"line": 3},
                  {"function": "f", "offset": "0x1", "x": 1}, ["f"], "f"):
        path = named_trace(ctx, (1, "0x10", named))
        p = ctx.run(["dump", path])
        assert (p.returncode, p.stderr) == (
            2, f'fsrace: {path}:3: stack 1: frame 1: its name is not '
            '{"function", "offset", "file", "line"}\n'), (named, p.stderr)


def test_named_frames_need_version_3(ctx):
    path = named_trace(ctx, (1, "0x10", {"function": "f", "offset": "0x1"}),
                       version=2)
    p = ctx.run(["dump", path])
    assert (p.returncode, p.stderr) == (
        2, f'fsrace: {path}:3: stack 1: frame 1 is not [module, '
        '"0xADDRESS"]\n'), p.stderr
    path = named_trace(ctx, (1, "0x10", {}, {}))
    p = ctx.run(["dump", path])
    assert (p.returncode, p.stderr) == (
        2, f'fsrace: {path}:3: stack 1: frame 1 is not [module, '
        '"0xADDRESS", {NAMED}]\n'), p.stderr
