"""Bad input (issue 12), as one matrix: every parser of outside input
(native traces, strace logs, rule files and their suppressions,
configuration files, baselines, the findings documents of merge) given
every kind of bad input that makes sense for it: an empty file, a
truncated one, 1 MB of random bytes, JSON of the wrong shape, one 100 MB
line, deeply nested JSON, NUL bytes, a directory, /dev/zero, a FIFO whose
writer writes garbage and one whose writer comes late and writes nothing;
strace logs also get garbage lines, a resumed line without its start,
huge and negative pids and numbers, absurd timestamps. Each is exit 2,
one line on standard error naming the file (and its line where there is
one), nothing on standard output and nothing left where -o pointed. Each
kind of input is one test, over all its parsers (the 100 MB and random
inputs are made once, in ctx.tmp); a mismatch names every parser that
failed.

The inputs fuzz/regressions/merge-* once crashed fuzz/fuzz_merge.c; they
are replayed here as that target checks them."""
import os
import random
import subprocess
import threading
import time

import harness

HEADER = '{"type":"header","format":"fsrace-trace","version":1}'
OPEN = ('{"type":"syscall","seq":1,"pid":7,"tid":7,"syscall":"openat",'
        '"dirfd":-100,"path":"/d/x","abspath":"/d/x","flags":["O_RDONLY"],'
        '"ret":3}')
GOOD_TRACE = HEADER + "\n" + OPEN + "\n"

# A strace log of strace -f -tt -T -y (what --strict takes): LOG_HEAD,
# then the line under test (line 3), then LOG_TAIL.
LOG_HEAD = (
    '100 15:48:26.970923 execve("/usr/bin/sed", ["sed"], []) = 0 '
    '<0.000329>\n'
    '100 15:48:26.971709 openat(AT_FDCWD</tmp>, "/etc/x", O_RDONLY) = '
    '3</etc/x> <0.000044>\n')
LOG_TAIL = ('100 15:48:26.990000 close(3</etc/x>) = 0 <0.000019>\n'
            '100 15:48:26.990100 +++ exited with 0 +++\n')
OPENAT = 'openat(AT_FDCWD</tmp>, "/a", O_RDONLY) = 3</a> <0.000047>'

# The parsers, as a user reaches them: (name, the arguments before the
# file, those after it). "OUT" is -o's file (nothing may be left there),
# "T" a good native trace.
NATIVE = [("analyze", ["analyze", "-o", "OUT"], []),
          ("analyze-native", ["analyze", "--input-format", "native"], []),
          ("dump", ["dump"], [])]
STRACE = [("analyze-strace", ["analyze", "--input-format", "strace",
                              "--strict", "-o", "OUT"], []),
          ("import", ["import", "--strict", "-o", "OUT"], [])]
JSON = [("rules-check", ["rules", "check"], []),
        ("rules", ["analyze", "-o", "OUT", "-r"], ["T"]),
        ("config", ["analyze", "-o", "OUT", "--config"], ["T"]),
        ("baseline", ["analyze", "-o", "OUT", "--baseline"], ["T"]),
        ("merge", ["merge", "-o", "OUT"], [])]
ALL = NATIVE + STRACE + JSON
# import and analyze without --strict, for inputs of neither format: what
# telling the format says
DETECTED = [("import", ["import", "-o", "OUT"], []),
            ("analyze-auto", ["analyze", "-o", "OUT"], [])]

NOT_A_TRACE = "{f}:1: not an fsrace trace (no fsrace-trace header)"
UNKNOWN = "{f}: unknown format, not an fsrace trace nor a strace log"
EMPTY_JSON = "{f}:1:1: unexpected end of file"
NOT_JSON_START = ("{f}:1:1: expected '{{' or '[' (a JSON text here is an "
                  "object or an array)")


def check(ctx, case, path, parsers, want, fifo=None):
    """Run each of PARSERS on PATH; WANT maps a parser's name to the
    message after "fsrace: " ({f} the path), or to a (status, message,
    stdout) triple. Returns the mismatches, as lines."""
    bad = []
    trace = harness.write_file(os.path.join(ctx.tmp, "good.jsonl"),
                               GOOD_TRACE)
    for name, before, after in parsers:
        w = want.get(name, "(no expectation)")
        status, msg, stdout = (2, w, "") if isinstance(w, str) else w
        msg = msg.format(f=path)
        cwd = os.path.join(ctx.tmp, f"run-{case}-{name}")
        os.mkdir(cwd)
        out = os.path.join(cwd, "out.json")
        args = [out if a == "OUT" else a for a in before] + [path] + [
            trace if a == "T" else a for a in after]
        writer = None
        if fifo:
            writer = threading.Thread(target=fifo, daemon=True)
            writer.start()
        try:
            p = ctx.run(args, cwd=cwd, timeout=60, errors="backslashreplace",
                        env=dict(os.environ, TZ="UTC"))
        except subprocess.TimeoutExpired:
            bad.append(f"{case}/{name}: no exit in 60 s (a hang)")
            continue
        finally:
            if writer:
                writer.join(10)
        got = (p.returncode, p.stderr, p.stdout, sorted(os.listdir(cwd)))
        exp = (status, f"fsrace: {msg}\n", stdout, [])
        if msg.endswith("*"):   # a message that quotes random bytes
            if (p.stderr.startswith(f"fsrace: {msg[:-1]}") and
                    p.stderr.count("\n") == 1 and p.stderr[-1] == "\n"):
                exp = (status, p.stderr, stdout, [])
        if os.environ.get("FSRACE_BAD_INPUT_SHOW"):
            print(f"{case}/{name}: {got[:2]!r} {len(p.stdout)}")
        if got != exp:
            bad.append(f"{case}/{name}: got {_short(got)}, want "
                       f"{_short(exp)}")
    return bad


def _short(t):
    return tuple(x[:300] + "..." if isinstance(x, str) and len(x) > 300
                 else x for x in t)


def run_case(ctx, case, data, parsers, want, name=None):
    path = os.path.join(ctx.tmp, name or case)
    harness.write_file(path, data)
    bad = check(ctx, case, path, parsers, want)
    assert not bad, "\n".join(bad)


def test_empty_file(ctx):
    # strace writes at least the exec and the exit: an empty log is no
    # log of a run (the importer itself reads it as no calls)
    run_case(ctx, "empty", "", ALL, {
        "analyze": "{f}: empty file, not an fsrace trace nor a strace log",
        "analyze-auto": "{f}: empty file, not an fsrace trace nor a strace "
                        "log",
        "analyze-native": "{f}: empty file, not a trace",
        "dump": "{f}: empty file, not a trace",
        "analyze-strace": "{f}: empty file, not a strace log",
        "import": "{f}: empty file, not an fsrace trace nor a strace log",
        "rules-check": EMPTY_JSON,
        "rules": EMPTY_JSON,
        "config": EMPTY_JSON,
        "baseline": "{f}:1: '[' or '{{' expected near end of file",
        "merge": "{f}:1: '[' or '{{' expected near end of file"})


def test_truncated_native_trace(ctx):
    """A trace cut in its header, and one with a record cut in the
    middle (the records before it are dumped). A trace whose last record
    alone is cut (the writer was killed) is read with a warning:
    test_reader_errors.test_truncated_last_record."""
    run_case(ctx, "header", HEADER[:30], NATIVE, {
        "analyze": NOT_A_TRACE, "analyze-native": NOT_A_TRACE,
        "dump": NOT_A_TRACE})
    second = OPEN.replace('"seq":1', '"seq":2')
    dumped = ctx.run(["dump", harness.write_file(
        os.path.join(ctx.tmp, "prefix.jsonl"), GOOD_TRACE)],
        env=dict(os.environ, TZ="UTC")).stdout
    assert dumped.count("\n") == 1, dumped
    run_case(ctx, "middle", GOOD_TRACE + second[:50] + "\n" + second + "\n",
             NATIVE, {
        "analyze": "{f}:3: malformed record: unterminated string at "
                   "column 51",
        "analyze-native": "{f}:3: malformed record: unterminated string "
                          "at column 51",
        "dump": (2, "{f}:3: malformed record: unterminated string at "
                    "column 51", dumped)})


def test_random_bytes(ctx):
    data = random.Random(12).randbytes(1 << 20)
    run_case(ctx, "random", data, ALL, {
        "analyze": UNKNOWN, "analyze-auto": UNKNOWN, "import": UNKNOWN,
        "analyze-native": NOT_A_TRACE, "dump": NOT_A_TRACE,
        "analyze-strace": "{f}:1: cannot parse: *",
        "rules-check": "{f}:1:1: invalid UTF-8 (byte 0xde)",
        "rules": "{f}:1:1: invalid UTF-8 (byte 0xde)",
        "config": "{f}:1:1: invalid UTF-8 (byte 0xde)",
        # its first NUL is on line 1
        "baseline": "{f}:1: a NUL byte, not JSON",
        "merge": "{f}:1: a NUL byte, not JSON"})


NOT_BASELINE = ('{f}: not an fsrace baseline (version 1): '
                '{{"fsrace_baseline": 1, "findings": [...]}}')
NOT_FINDINGS = '{f}: not an fsrace findings document (no "findings" array)'
# JSON of the wrong shape: each JSON parser on each (name, text, what
# rules, -r, --config say; baseline and merge refuse them all)
SHAPES = [
    ("array", "[1, 2, 3]\n", '{f}:1:1: a rule file is an object with '
     '"rules", "groups", "policy" or "suppressions"',
     "{f}:1:1: a configuration is an object of options"),
    ("findings_object", '{"findings": {}}\n',
     '{f}:1:2: unknown key "findings" in a rule file',
     '{f}:1:2: unknown key "findings" (docs/ci.md, "The configuration '
     'file")'),
    ("rules_number", '{"rules": 3}\n', '{f}:1:11: "rules" must be an array',
     '{f}:1:11: "rules" takes an array of strings, not an integer'),
    ("suppressions", '{"suppressions": [1]}\n',
     "{f}:1:19: a suppression must be an object",
     '{f}:1:2: unknown key "suppressions" (docs/ci.md, "The '
     'configuration file")'),
]


def test_json_of_the_wrong_shape(ctx):
    bad = []
    for name, text, rules, config in SHAPES:
        path = harness.write_file(os.path.join(ctx.tmp, name), text)
        bad += check(ctx, name, path, JSON, {
            "rules-check": rules, "rules": rules, "config": config,
            "baseline": NOT_BASELINE, "merge": NOT_FINDINGS})
    path = harness.write_file(os.path.join(ctx.tmp, "record"),
                              HEADER + "\n[1, 2]\n")
    msg = "{f}:2: malformed record: not a JSON object at column 1"
    bad += check(ctx, "record", path, NATIVE, {
        "analyze": msg, "analyze-native": msg, "dump": msg})
    assert not bad, "\n".join(bad)


def test_one_100_mb_line(ctx):
    """The line is read whole (the reader's limit is 256 MiB) or refused
    at a smaller limit of its parser; never cut into two lines."""
    ctx.timed()
    big = "a" * 100_000_000
    bad = []
    rules = "{f}: rule file larger than 4194304 bytes"
    record = "{f}:2: record lacks type, seq, pid or tid"
    line = "{f}:3: cannot parse: " + "a" * 100 + "..."
    for name, data, parsers, want in (
            ("json", '{"findings": "' + big + '"}\n', JSON, {
                "rules-check": rules, "rules": rules,
                "config": "{f}: configuration larger than 1048576 bytes",
                "baseline": NOT_BASELINE, "merge": NOT_FINDINGS}),
            ("trace", HEADER + '\n{"type":"' + big + '"}\n', NATIVE, {
                "analyze": record, "analyze-native": record,
                "dump": record}),
            ("log", LOG_HEAD + big + "\n" + LOG_TAIL, STRACE, {
                "analyze-strace": line, "import": line})):
        path = harness.write_file(os.path.join(ctx.tmp, name), data)
        bad += check(ctx, name, path, parsers, want)
        os.unlink(path)
    assert not bad, "\n".join(bad)


def test_deeply_nested_json(ctx):
    deep = "[" * 100_000 + "]" * 100_000
    rules = "{f}:1:65: nested too deeply"
    jansson = "{f}:1: maximum parsing depth reached near '['"
    record = "{f}:2: malformed record: nested too deeply at column 2070"
    bad = []
    for name, data, parsers, want in (
            ("json", deep + "\n", JSON + DETECTED, {
                "rules-check": rules, "rules": rules, "config": rules,
                "baseline": jansson, "merge": jansson, "import": UNKNOWN,
                "analyze-auto": UNKNOWN}),
            ("trace", HEADER + '\n{"type":"syscall","x":' + deep + "}\n",
             NATIVE, {"analyze": record, "analyze-native": record,
                      "dump": record})):
        path = harness.write_file(os.path.join(ctx.tmp, name), data)
        bad += check(ctx, name, path, parsers, want)
    assert not bad, "\n".join(bad)


def test_nul_bytes(ctx):
    """(a strace line is quoted up to its NUL: see the report of issue
    12)"""
    jdoc = "{f}:1:9: control character 0x00 in a string"
    record = ("{f}:3: malformed record: control character in string at "
              "column 85")
    trace = harness.write_file(os.path.join(ctx.tmp, "prefix.jsonl"),
                               GOOD_TRACE)
    dumped = ctx.run(["dump", trace], env=dict(os.environ, TZ="UTC")).stdout
    bad = []
    for name, data, parsers, want in (
            ("json", '{"a": "x\0y"}\n', JSON + DETECTED[1:], {
                "rules-check": jdoc, "rules": jdoc, "config": jdoc,
                "baseline": "{f}:1: a NUL byte, not JSON",
                "merge": "{f}:1: a NUL byte, not JSON",
                "analyze-auto": NOT_A_TRACE}),
            ("trace", GOOD_TRACE + OPEN.replace("/d/x", "/d\0x") + "\n",
             NATIVE, {"analyze": record, "analyze-native": record,
                      "dump": (2, record, dumped)}),
            ("log", LOG_HEAD + "100 15:48:26.972000 " +
             OPENAT.replace("/a", "/a\0b") + "\n" + LOG_TAIL, STRACE, {
                 "analyze-strace": '{f}:3: cannot parse: 100 '
                                   '15:48:26.972000 openat(AT_FDCWD</tmp>, '
                                   '"/a',
                 "import": UNKNOWN})):
        path = harness.write_file(os.path.join(ctx.tmp, name), data)
        bad += check(ctx, name, path, parsers, want)
    assert not bad, "\n".join(bad)


# a strace log's bad line 3, under --strict: (name, line)
STRACE_LINES = [
    ("garbage", "this is garbage"),
    ("resumed_alone", "100 15:48:26.972000 <... openat resumed>) = 3</a> "
                      "<0.000047>"),
    ("huge_pid", "99999999999 15:48:26.972000 " + OPENAT),
    ("pid_past_the_limit", "4194305 15:48:26.972000 " + OPENAT),
    ("negative_pid", "-5 15:48:26.972000 " + OPENAT),
    ("negative_huge_argument", "100 15:48:26.972000 close("
                               "-99999999999999999999) = 0 <0.000047>"),
    ("negative_huge_result", "100 15:48:26.972000 " + OPENAT.replace(
        "3</a>", "-99999999999999999999")),
    ("hour_99", "100 99:99:99.999999 " + OPENAT),
    ("seconds_past_2_64", "100 18446744073709551615.999999 " + OPENAT),
]
STRICT = STRACE + [("analyze-auto", ["analyze", "--strict", "-o", "OUT"],
                    [])]


def test_strace_bad_lines(ctx):
    bad = []
    for name, line in STRACE_LINES:
        path = harness.write_file(os.path.join(ctx.tmp, name),
                                  LOG_HEAD + line + "\n" + LOG_TAIL)
        msg = "{f}:3: cannot parse: " + line
        bad += check(ctx, name, path, STRICT, {
            "analyze-strace": msg, "import": msg, "analyze-auto": msg})
    assert not bad, "\n".join(bad)


def test_a_directory(ctx):
    """(rules check and -r take a directory: of rule files)"""
    d = os.path.join(ctx.tmp, "dir")
    os.mkdir(d)
    read = "cannot read '{f}': Is a directory"
    bad = check(ctx, "dir", d, NATIVE + STRACE + JSON[2:], {
        "analyze": read, "analyze-native": read, "dump": read,
        "analyze-strace": read, "import": read, "analyze-auto": read,
        "merge": read,
        "config": "cannot read configuration '{f}': Is a directory",
        "baseline": "cannot read baseline '{f}': Is a directory"})
    assert not bad, "\n".join(bad)


def test_dev_zero(ctx):
    """Bounded: a parser stops at its limit or its first NUL."""
    line = "{f}:1: line longer than 256 MiB"
    rules = "{f}: rule file larger than 4194304 bytes"
    bad = check(ctx, "zero", "/dev/zero", ALL, {
        "analyze": UNKNOWN, "analyze-auto": UNKNOWN, "import": UNKNOWN,
        "analyze-native": line, "dump": line, "analyze-strace": line,
        "rules-check": rules, "rules": rules,
        "config": "{f}: configuration larger than 1048576 bytes",
        "baseline": "{f}:1: a NUL byte, not JSON",
        "merge": "{f}:1: a NUL byte, not JSON"})
    assert not bad, "\n".join(bad)


def fifo_writer(path, data, delay=0.0):
    """A writer of PATH that comes after DELAY s, once a reader is there,
    writes DATA and closes."""
    def write():
        time.sleep(delay)
        deadline = time.monotonic() + 30
        while True:
            try:
                fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
                break
            except OSError:     # ENXIO: no reader yet
                if time.monotonic() > deadline:
                    return
                time.sleep(0.02)
        os.set_blocking(fd, True)
        try:
            os.write(fd, data)
        except OSError:         # the reader went first
            pass
        os.close(fd)
    return write


def test_fifo_with_a_garbage_writer(ctx):
    path = os.path.join(ctx.tmp, "fifo")
    os.mkfifo(path)
    jansson = "{f}:1: '[' or '{{' expected near 'garbage'"
    bad = check(ctx, "garbage", path, ALL, {
        "analyze": UNKNOWN, "analyze-auto": UNKNOWN, "import": UNKNOWN,
        "analyze-native": NOT_A_TRACE, "dump": NOT_A_TRACE,
        "analyze-strace": "{f}:1: cannot parse: garbage\\x01",
        "rules-check": NOT_JSON_START, "rules": NOT_JSON_START,
        "config": NOT_JSON_START, "baseline": jansson, "merge": jansson},
                fifo=fifo_writer(path, b"garbage\x01\n{x\n"))
    assert not bad, "\n".join(bad)


def test_fifo_whose_writer_comes_late_and_writes_nothing(ctx):
    """A FIFO with no writer yet: fsrace waits for one, as cat does, and
    ends as soon as it has come and gone (the empty file's message)."""
    path = os.path.join(ctx.tmp, "fifo")
    os.mkfifo(path)
    either = "{f}: empty file, not an fsrace trace nor a strace log"
    jansson = "{f}:1: '[' or '{{' expected near end of file"
    bad = check(ctx, "late", path, NATIVE + STRACE[1:] + JSON, {
        "analyze": either, "analyze-auto": either, "import": either,
        "analyze-native": "{f}: empty file, not a trace",
        "dump": "{f}: empty file, not a trace",
        "rules-check": EMPTY_JSON, "rules": EMPTY_JSON, "config": EMPTY_JSON,
        "baseline": jansson, "merge": jansson},
                fifo=fifo_writer(path, b"", 0.5))
    assert not bad, "\n".join(bad)


REGRESSIONS = os.path.join(harness.SOURCE_ROOT, "fuzz", "regressions")
SEPARATOR = b"\n--doc--\n"


def merge_documents(ctx, name, data):
    """fsrace merge of DATA's documents as fuzz/fuzz_merge.c merges them
    (joined by a line --doc--, at most four), held to what it checks:
    exit 2, one line naming a document, no output; or exit 0, nothing
    said, and an output that merges again. The run and the output."""
    parts = data.split(SEPARATOR, 3)
    d = os.path.join(ctx.tmp, name)
    os.mkdir(d)
    docs = [harness.write_file(os.path.join(d, f"doc{i}.json"), part)
            for i, part in enumerate(parts)]
    out = os.path.join(d, "out.json")
    p = ctx.run(["merge", "--fail-on", "none", "-o", out, *docs],
                errors="backslashreplace")
    if p.returncode == 2:
        assert (p.stdout, p.stderr.count("\n"), p.stderr[-1:]) == (
            "", 1, "\n"), (name, p)
        assert p.stderr.startswith("fsrace: ") and any(
            doc in p.stderr for doc in docs), (name, p.stderr)
        assert not os.path.exists(out), name
        return p, None
    assert (p.returncode, p.stdout, p.stderr) == (0, "", ""), (name, p)
    again = ctx.run(["merge", "--fail-on", "none", "-o", out, out])
    assert (again.returncode, again.stderr) == (0, ""), (name, again)
    return p, harness.read_findings(out)


def test_merge_fuzz_regressions(ctx):
    """Every fuzz/regressions/merge-* input as the fuzz target replays it,
    and what each once showed: a token of jansson's message with a
    newline in it (the message was two lines), and counts whose sum
    overflowed (undefined behaviour, UBSan's report)."""
    names = sorted(n for n in os.listdir(REGRESSIONS)
                   if n.startswith("merge-"))
    assert names, REGRESSIONS
    for name in names:
        with open(os.path.join(REGRESSIONS, name), "rb") as f:
            merge_documents(ctx, name, f.read())
    with open(os.path.join(REGRESSIONS, "merge-newline-in-token"),
              "rb") as f:
        p, _ = merge_documents(ctx, "token", f.read())
    doc = os.path.join(ctx.tmp, "token", "doc0.json")
    assert p.stderr == f"fsrace: {doc}:2: invalid escape near " \
        "'\"\\\\x0a'\n", p.stderr
    with open(os.path.join(REGRESSIONS, "merge-count-overflow"), "rb") as f:
        _, merged = merge_documents(ctx, "overflow", f.read())
    big = 2 ** 63 - 1
    f, = merged["findings"]
    g, = merged["groups"]
    assert (f["count"], merged["events"], g["count"], g["findings"],
            merged["not_reported"]) == (
        big, big, big, [0], {"suppressed": -big - 1}), merged


def test_merge_of_many_rules_and_members_is_linear(ctx):
    """A document of 200,000 rules and a group naming one finding 200,000
    times: merged in seconds (it took minutes, each rule looked up among
    all before it)."""
    ctx.timed()
    n = 200_000
    doc = ('{"findings": [{"fingerprint": "f", "count": 1}], '
           '"groups": [{"fingerprint": "g", "count": 1, "findings": ['
           + ", ".join(["0"] * n) + ']}], "rules": ['
           + ", ".join(f'{{"id": "r{i}"}}' for i in range(n)) + "]}\n")
    path = harness.write_file(os.path.join(ctx.tmp, "many.json"), doc)
    out = os.path.join(ctx.tmp, "out.json")
    start = time.monotonic()
    p = ctx.run(["merge", "--fail-on", "none", "-o", out, path, path],
                timeout=60)
    took = time.monotonic() - start
    assert (p.returncode, p.stdout, p.stderr) == (0, "", ""), p
    merged = harness.read_findings(out)
    assert (len(merged["rules"]), merged["groups"][0]["findings"],
            merged["findings"][0]["count"]) == (n, [0], 2), merged["groups"]
    assert took < 20, took
