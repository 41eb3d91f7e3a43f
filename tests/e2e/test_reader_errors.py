"""The native trace reader as `fsrace dump` and `fsrace analyze` show it:
every error with its FILE:LINE (and the column of a malformed record),
exit 2; the JSON scanner's rarer paths (escapes, numbers, bad strings in
each kind of value) in small hand-written traces; dump's line for each
kind of record; and analyze of traces longer than one batch of its
reading thread.

In a table row, "@@" in a record marks the column the message must name;
it is removed before the trace is written. Each row is a test."""
import json
import os

import harness

HEADER = '{"type":"header","format":"fsrace-trace","version":1}'
FRAME = ('{"type":"syscall","seq":1,"pid":7,"tid":7,"syscall":"openat",'
         '"dirfd":-100,')
OPEN = FRAME + '"path":"/d/x","abspath":"/d/x","flags":["O_RDONLY"],"ret":3}'


def marked(line):
    """LINE without its marker and the marker's column (or None)."""
    if "@@" not in line:
        return line, None
    return line.replace("@@", "", 1), line.index("@@") + 1


def write_trace(ctx, lines, name="t.jsonl", end="\n"):
    path = os.path.join(ctx.tmp, name)
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write("\n".join(lines) + end)
    return path


# (name, the record on line 2, the message after "FILE:2: ")
RECORD_ERRORS = [
    ("empty_line", "", "empty line"),
    ("not_an_object", "@@[1]", "malformed record: not a JSON object"),
    ("garbage_after", OPEN + " @@x", "malformed record: garbage after the "
     "record"),
    ("unclosed", OPEN[:-1] + "@@", "malformed record: expected ',' or '}'"),
    ("lacks_seq", '{"type":"syscall","pid":7,"tid":7,"syscall":"unlink"}',
     "record lacks type, seq, pid or tid"),
    ("seq_not_integer", '{"type":"fork","seq":"1","pid":7,"tid":7}',
     "record lacks type, seq, pid or tid"),
    ("type_not_string", '{"type":1,"seq":1,"pid":7,"tid":7}',
     "record lacks type, seq, pid or tid"),
    ("no_syscall", '{"type":"syscall","seq":1,"pid":7,"tid":7,"ret":0}',
     'syscall record without "syscall"'),
    ("syscall_not_string", '{"type":"syscall","seq":1,"pid":7,"tid":7,'
     '"syscall":5}', 'syscall record without "syscall"'),
    ("unknown_flag", FRAME + '"path":"x","flags":["O_RDONLY","O_FROB"]}',
     "unknown flag or errno name"),
    ("flag_not_string", FRAME + '"path":"x","flags":["O_RDONLY",2]}',
     "unknown flag or errno name"),
    ("flags_not_array", FRAME + '"path":"x","flags":"O_RDONLY"}',
     "unknown flag or errno name"),
    ("long_unknown_flag", FRAME + '"path":"x","flags":["O_' + "X" * 50 +
     '"]}', "unknown flag or errno name"),
    ("unknown_access", '{"type":"syscall","seq":1,"pid":7,"tid":7,'
     '"syscall":"access","path":"x","access":["R_OK","Q_OK"]}',
     "unknown flag or errno name"),
    # an errno name this kernel lacks ("EFROB") is kept as a name (what
    # import writes of another kernel's log): only what is not one fails
    ("unknown_errno", FRAME + '"path":"x","flags":[],"ret":-1,'
     '"errno":"frob"}', "unknown flag or errno name"),
    ("unknown_signal", '{"type":"exit","seq":1,"pid":7,"tid":7,'
     '"signal":"SIGFROB"}', "unknown signal"),
    ("signal_zero", '{"type":"exit","seq":1,"pid":7,"tid":7,"signal":0}',
     "unknown signal"),
    # the scanner, in the values the reader reads itself
    ("flags_trailing_comma", FRAME + '"flags":["O_RDONLY",@@]}',
     "malformed record: unexpected character"),
    ("flags_bad_string", FRAME + '"flags":["O_RD@@\x01"]}',
     "malformed record: control character in string"),
    ("flags_unclosed", FRAME + '"flags":["O_RDONLY"@@}',
     "malformed record: expected ',' or ']'"),
    ("argv_bad_element", '{"type":"syscall","seq":1,"pid":7,"tid":7,'
     '"syscall":"execve","path":"/bin/x","argv":["x",@@tru]}',
     "malformed record: invalid literal"),
    ("stat_trailing_comma", FRAME + '"stat":{"dev":1,@@}}',
     "malformed record: expected a string key"),
    ("stat_bad_number", FRAME + '"stat":{"dev":@@-}}',
     "malformed record: invalid number"),
    ("stat_bad_string", FRAME + '"stat":{"dev":"@@\\q"}}',
     "malformed record: invalid escape in string"),
    ("stat_bad_literal", FRAME + '"stat":{"dev":@@nul}}',
     "malformed record: invalid literal"),
    ("stat_no_colon", FRAME + '"stat":{"dev"@@1}}',
     "malformed record: expected ':'"),
    ("stat_unclosed", FRAME + '"stat":{"dev":1@@]}',
     "malformed record: expected ',' or '}'"),
    ("parent_bad_key", FRAME + '"parent":{"pa@@\x02th":"/"}}',
     "malformed record: control character in string"),
    ("key_bad_escape", FRAME + '"pa@@\\xth":"/"}',
     "malformed record: invalid escape in string"),
    ("key_not_string", FRAME + '@@path:"/"}',
     "malformed record: expected a string key"),
    ("unknown_key_deep_error", FRAME + '"zz":{"a":[1,{"b":@@x}]}}',
     "malformed record: unexpected character"),
    ("unknown_key_nested_too_deep", FRAME + '"zz":' + "[" * 2047 + "@@[" +
     "]" * 2048 + "}", "malformed record: nested too deeply"),
    ("value_missing", FRAME + '"ret":@@}',
     "malformed record: unexpected character"),
    ("line_ends_in_value", FRAME + '"ret":@@',
     "malformed record: unexpected end of line"),
]

# the string errors, each in every kind of value that scans strings
STRING_ERRORS = [
    ("invalid_utf8", "a@@\udcff", "invalid UTF-8 in string"),
    ("control_char", "a@@\x1f", "control character in string"),
    ("bad_escape", "a@@\\a", "invalid escape in string"),
    ("bad_hex", "a@@\\u12g4", "invalid \\u escape"),
    ("nul_escape", "a@@\\u0000", "\\u0000 in string"),
    ("lone_low_surrogate", "a@@\\udc00", "unpaired surrogate in \\u escape"),
    ("high_surrogate_alone", "a@@\\ud800x", "unpaired surrogate in \\u "
     "escape"),
    ("high_then_high", "a@@\\ud800\\ud800", "unpaired surrogate in \\u "
     "escape"),
    ("high_then_no_u", "a@@\\ud800\\n", "unpaired surrogate in \\u escape"),
]
STRING_CONTEXTS = [
    ("scalar", FRAME + '"path":"%s"}'),
    ("flags", FRAME + '"flags":["%s"]}'),
    ("stat", FRAME + '"stat":{"dev":"%s"}}'),
    ("unknown", FRAME + '"zz":["%s"]}'),
    ("key", FRAME + '"%s":1}'),
]
for _e, _s, _why in STRING_ERRORS:
    for _c, _fmt in STRING_CONTEXTS:
        RECORD_ERRORS.append((f"string_{_e}_in_{_c}", _fmt % _s,
                              "malformed record: " + _why))

# the number errors, in the record, a stat object and an unknown value
NUMBER_ERRORS = [
    ("minus_alone", "@@-", "invalid number"),
    ("dot_without_digits", "1.@@e5", "invalid number"),
    ("exponent_without_digits", "1e+@@", "invalid number"),
    ("leading_zero", "0@@1", None),
    ("too_big", "@@18446744073709551616", "integer out of range"),
    ("far_too_big", "@@123456789012345678901234567890", "integer out of "
     "range"),
    ("too_negative", "@@-9223372036854775809", "integer out of range"),
    ("real_overflow", "@@1e999", "real number overflow"),
    ("negative_real_overflow", "@@-1.5E+400", "real number overflow"),
]
NUMBER_CONTEXTS = [
    ("scalar", FRAME + '"ret":%s}', "expected ',' or '}'"),
    ("stat", FRAME + '"stat":{"ino":%s}}', "expected ',' or '}'"),
    ("unknown", FRAME + '"zz":[%s]}', "expected ',' or ']'"),
]
for _e, _n, _why in NUMBER_ERRORS:
    for _c, _fmt, _after in NUMBER_CONTEXTS:
        RECORD_ERRORS.append((f"number_{_e}_in_{_c}", _fmt % _n,
                              "malformed record: " + (_why or _after)))


def check_record_error(ctx, record, message):
    record, col = marked(record)
    if col is not None:
        message += f" at column {col}"
    first = FRAME + '"path":"/d/first","abspath":"/d/first","flags":[],' \
        '"ret":3}'
    path = write_trace(ctx, [HEADER, first.replace('"seq":1', '"seq":1'),
                             record, OPEN])
    want = f"fsrace: {path}:3: {message}\n"
    d = ctx.run(["dump", path], env=dict(os.environ, TZ="UTC"))
    assert (d.returncode, d.stderr) == (2, want), (d.returncode, d.stderr)
    # the records before it are dumped
    assert d.stdout == ('7      00:00:00.000000 openat(AT_FDCWD, '
                        '"/d/first", O_RDONLY) = 3\n'), d.stdout
    a = ctx.run(["analyze", "--no-default-rules", path])
    assert (a.returncode, a.stdout, a.stderr) == (2, "", want), \
        (a.returncode, a.stdout, a.stderr)


def _make(record, message):
    def test(ctx):
        check_record_error(ctx, record, message)
    test.__doc__ = message
    return test


for _name, _record, _message in RECORD_ERRORS:
    assert "test_" + _name not in globals(), f"two rows named {_name}"
    globals()["test_" + _name] = _make(_record, _message)


# ---------------------------------------------------------------------------
# The file and its header.

def test_header_errors(ctx):
    rows = [
        ("not_json.jsonl", ["not json", OPEN],
         "{}:1: not an fsrace trace (no fsrace-trace header)"),
        ("other_format.jsonl", ['{"type":"header","format":"other",'
                                '"version":1}'],
         "{}:1: not an fsrace trace (no fsrace-trace header)"),
        ("not_object.jsonl", ['["fsrace-trace"]'],
         "{}:1: not an fsrace trace (no fsrace-trace header)"),
        ("version_4.jsonl", ['{"type":"header","format":"fsrace-trace",'
                             '"version":4}', OPEN],
         "{}:1: unsupported trace format version"),
        ("no_version.jsonl", ['{"type":"header","format":"fsrace-trace"}'],
         "{}:1: unsupported trace format version"),
        ("version_string.jsonl", ['{"type":"header","format":'
                                  '"fsrace-trace","version":"1"}'],
         "{}:1: unsupported trace format version"),
    ]
    for name, lines, message in rows:
        path = write_trace(ctx, lines, name)
        want = "fsrace: " + message.format(path) + "\n"
        for args in (["dump", path],
                     ["analyze", "--input-format", "native", path]):
            p = ctx.run(args)
            assert (p.returncode, p.stdout, p.stderr) == (2, "", want), \
                (args, p.stderr)


def test_empty_file_and_directory(ctx):
    empty = write_trace(ctx, [], "empty.jsonl", end="")
    p = ctx.run(["dump", empty])
    assert (p.returncode, p.stdout, p.stderr) == (
        2, "", f"fsrace: {empty}: empty file, not a trace\n")
    d = os.path.join(ctx.tmp, "dir")
    os.mkdir(d)
    for args in (["dump", d], ["analyze", "--input-format", "native", d]):
        p = ctx.run(args)
        assert (p.returncode, p.stdout, p.stderr) == (
            2, "", f"fsrace: cannot read '{d}': Is a directory\n"), \
            (args, p.stderr)


def test_truncated_last_record(ctx):
    """A last line without its newline that is not a whole record (the
    writer was killed): a warning naming it, the events before it, exit
    0; a whole record without the newline is read."""
    second = OPEN.replace('"seq":1', '"seq":2').replace("/d/x", "/d/y")
    path = write_trace(ctx, [HEADER, OPEN, second[:40]], end="")
    p = ctx.run(["dump", path], env=dict(os.environ, TZ="UTC"))
    assert (p.returncode, p.stderr) == (
        0, f"fsrace: warning: {path}:3: truncated record skipped\n"), \
        p.stderr
    assert p.stdout == ('7      00:00:00.000000 openat(AT_FDCWD, "/d/x", '
                        "O_RDONLY) = 3\n"), p.stdout
    p = ctx.run(["analyze", "--no-default-rules", "-f", "json", path])
    assert (p.returncode, p.stderr) == (
        0, f"fsrace: warning: {path}:3: truncated record skipped\n")
    assert json.loads(p.stdout)["events"] == 1, p.stdout
    whole = write_trace(ctx, [HEADER, OPEN, second], "whole.jsonl", end="")
    p = ctx.run(["dump", whole], env=dict(os.environ, TZ="UTC"))
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    assert p.stdout.splitlines()[1] == (
        '7      00:00:00.000000 openat(AT_FDCWD, "/d/y", O_RDONLY) = 3'), \
        p.stdout


def test_unknown_records_are_skipped_and_counted(ctx):
    """Records of a type or syscall this version does not know, and keys
    it does not know (long ones too), are skipped: analyze counts the
    records in dropped.unknown_records."""
    lines = [HEADER,
             '{"type":"checkpoint","seq":1,"pid":7,"tid":7}',
             '{"type":"syscall","seq":2,"pid":7,"tid":7,"syscall":'
             '"frobnicate_with_a_name_longer_than_forty_bytes_x"}',
             '{"type":"syscall","seq":3,"pid":7,"tid":7,"syscall":"frob"}',
             OPEN.replace('"seq":1', '"seq":4').replace(
                 '"ret"', '"a_key_longer_than_sixteen_bytes":{"x":[1]},'
                 '"\\u0072et"')]
    path = write_trace(ctx, lines)
    p = ctx.run(["dump", path], env=dict(os.environ, TZ="UTC"))
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    assert p.stdout == ('7      00:00:00.000000 openat(AT_FDCWD, "/d/x", '
                        "O_RDONLY) = 3\n"), p.stdout
    p = ctx.run(["analyze", "--no-default-rules", "-f", "json", path])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    doc = json.loads(p.stdout)
    assert (doc["events"], doc["dropped"]["unknown_records"]) == (1, 3), doc


# ---------------------------------------------------------------------------
# What the scanner decodes, as dump shows it.

def dump_lines(ctx, records):
    path = write_trace(ctx, [HEADER] + records)
    p = ctx.run(["dump", path], env=dict(os.environ, TZ="UTC"))
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    return p.stdout.splitlines()


def test_escapes_decoded(ctx):
    """Every JSON escape, \\u escapes of 1, 2, 3 and 4 UTF-8 bytes (a
    surrogate pair; upper and lower case hex) and raw UTF-8, in a path,
    as dump prints it: C escapes, bytes outside ASCII in hex."""
    rec = (FRAME + '"path":"a\\"\\\\\\/\\b\\f\\n\\r\\t'
           '\\u0041\\u00e9\\u20AC\\uD83D\\uDE00\u00fcz","flags":["O_RDONLY"],'
           '"ret":3}')
    assert dump_lines(ctx, [rec]) == [
        '7      00:00:00.000000 openat(AT_FDCWD, "a\\"\\\\/\\x08\\x0c\\n'
        '\\x0d\\tA\\xc3\\xa9\\xe2\\x82\\xac\\xf0\\x9f\\x98\\x80\\xc3\\xbcz", '
        "O_RDONLY) = 3"]


def test_numbers_and_whitespace(ctx):
    """Integers of every length (8-digit steps), negative, 2^64-1 kept as
    its bits; a real or any other kind reads as absent (0, "?"), and in
    a stat object as 0; whitespace anywhere."""
    recs = [
        '{"type":"syscall","seq":1,"pid":7,"tid":7,"syscall":"truncate",'
        '"path":"f","length":123456789012345678,"ret":0}',
        '{"type":"syscall","seq":2,"pid":7,"tid":7,"syscall":"truncate",'
        '"path":"f","length":-12345678,"ret":0}',
        '{"type":"syscall","seq":3,"pid":7,"tid":7,"syscall":"truncate",'
        '"path":"f","length":18446744073709551615,"ret":0}',
        '{"type":"syscall","seq":4,"pid":7,"tid":7,"syscall":"truncate",'
        '"path":"f","length":1.5e3,"ret":-0}',
        ' {\t"type" : "syscall" ,\r"seq":5, "pid":7,"tid":7,"syscall":'
        '"truncate", "path":"f","length":\t42 , "ret":0 } \t',
        '{"type":"syscall","seq":6,"pid":7,"tid":7,"syscall":"truncate",'
        '"path":"f","length":null,"ret":true,"stat":{"dev":1.0,"ino":'
        '"2","mode":33188,"nlink":[1],"uid":{"a":0}}}',
    ]
    assert dump_lines(ctx, recs) == [
        '7      00:00:00.000000 truncate("f", 123456789012345678) = 0',
        '7      00:00:00.000000 truncate("f", -12345678) = 0',
        '7      00:00:00.000000 truncate("f", -1) = 0',
        '7      00:00:00.000000 truncate("f", 0) = 0',
        '7      00:00:00.000000 truncate("f", 42) = 0',
        '7      00:00:00.000000 truncate("f", 0) = ? {dev=0, ino=0, '
        'mode=0100644, nlink=0, uid=0}',
    ]


def test_dump_record_kinds(ctx):
    """dump's line for the kinds of record and argument no other test
    dumps: owner ids, a 64-bit length, fcntl commands (named, and
    unknown as a number), an exec from a thread, a thread's tid, a signal
    death with a core, a warning."""
    recs = [
        '{"type":"syscall","seq":1,"pid":7,"tid":8,"ts_enter":1000,'
        '"ts_exit":2000,"syscall":"fchownat","dirfd":-100,"path":"f",'
        '"uid":0,"gid":-1,"flags":["AT_SYMLINK_NOFOLLOW"],"ret":0}',
        '{"type":"syscall","seq":2,"pid":7,"tid":7,"syscall":"truncate",'
        '"path":"f","length":5000000000,"ret":-1,"errno":"EFBIG"}',
        '{"type":"syscall","seq":3,"pid":7,"tid":7,"syscall":"fcntl",'
        '"fd":3,"fd_path":"/d/f","cmd":"F_SETFD","arg":1,"ret":0}',
        '{"type":"syscall","seq":4,"pid":7,"tid":7,"syscall":"fcntl",'
        '"fd":3,"cmd":1234,"arg":0,"ret":-1,"errno":"EINVAL"}',
        '{"type":"syscall","seq":5,"pid":7,"tid":7,"syscall":"execve",'
        '"path":"/bin/x","abspath":"/bin/x","argv":["x","a b"],"ret":0,'
        '"old_tid":9}',
        '{"type":"exit","seq":6,"pid":7,"tid":7,"signal":"SIGSEGV",'
        '"core_dumped":true}',
        '{"type":"exit","seq":7,"pid":9,"tid":9,"signal":"SIGKILL"}',
        '{"type":"warning","seq":8,"pid":7,"tid":7,"message":"lost events"}',
    ]
    assert dump_lines(ctx, recs) == [
        '7/8 00:00:00.000001 fchownat(AT_FDCWD, "f", 0, -1, '
        "AT_SYMLINK_NOFOLLOW) = 0 <0.000001>",
        '7      00:00:00.000000 truncate("f", 5000000000) = -1 EFBIG (File '
        "too large)",
        "7      00:00:00.000000 fcntl(3</d/f>, F_SETFD, 1) = 0",
        "7      00:00:00.000000 fcntl(3, 1234, 0) = -1 EINVAL (Invalid "
        "argument)",
        '7      00:00:00.000000 execve("/bin/x", ["x", "a b"]) = 0 (was '
        "tid 9)",
        "7      00:00:00.000000 +++ killed by SIGSEGV (core dumped) +++",
        "9      00:00:00.000000 +++ killed by SIGKILL +++",
        "7      00:00:00.000000 !!! lost events !!!",
    ]


# ---------------------------------------------------------------------------
# analyze reads in a second thread and hands the events over in batches
# (512 events, 256 KiB of strings): findings whose steps lie in
# different batches, and an event bigger than a batch's strings.

RULE = ('{"rules": [{"id": "stat-unlink", "title": "t", "severity": '
        '"error", "message": "{$p} by {check.syscall}", "steps": '
        '[{"name": "check", "syscalls": ["newfstatat"], "where": '
        '{"abspath": "$p"}}, {"name": "gone", "syscalls": ["unlinkat"], '
        '"where": {"abspath": "$p"}}]}]}')


def stat_rec(seq, path):
    return json.dumps({"type": "syscall", "seq": seq, "pid": 7, "tid": 7,
                       "syscall": "newfstatat", "dirfd": -100, "path": path,
                       "abspath": path, "flags": [], "ret": 0},
                      separators=(",", ":"))


def unlink_rec(seq, path):
    return json.dumps({"type": "syscall", "seq": seq, "pid": 7, "tid": 7,
                       "syscall": "unlinkat", "dirfd": -100, "path": path,
                       "abspath": path, "flags": [], "ret": 0},
                      separators=(",", ":"))


def findings(ctx, path):
    rules = harness.write_file(os.path.join(ctx.tmp, "r.json"), RULE)
    p = ctx.run(["analyze", "--no-default-rules", "-r", rules, "-f", "json",
                 path])
    assert (p.returncode, p.stderr) == (1, ""), (p.returncode, p.stderr)
    doc = json.loads(p.stdout)
    return doc["events"], [(f["message"], [e["seq"] for e in f["evidence"]])
                           for f in doc["findings"]]


def name(i):
    """/d/file-XXX: I in letters, as the fingerprint of a finding ignores
    digits."""
    return "/d/file-" + "".join(chr(97 + i // 26 ** k % 26)
                                for k in range(3))


def test_findings_across_batches(ctx):
    """3000 events: each pair's check in one batch and its use several
    batches later; the bound paths come through whole."""
    recs, want = [HEADER], []
    n = 1500
    for i in range(n):
        recs.append(stat_rec(i + 1, name(i)))
    for i in range(n):
        recs.append(unlink_rec(n + i + 1, name(i)))
        want.append((f"{name(i)} by newfstatat", [i + 1, n + i + 1]))
    path = write_trace(ctx, recs)
    events, got = findings(ctx, path)
    assert events == 2 * n
    assert got == want, [(g, w) for g, w in zip(got, want) if g != w][:3]


def test_event_larger_than_a_batch(ctx):
    """A path of 300 KiB, more than a batch holds: the batch grows."""
    long = "/d/" + "p" * (300 << 10)
    path = write_trace(ctx, [HEADER, stat_rec(1, "/d/short"),
                             stat_rec(2, long), unlink_rec(3, long),
                             unlink_rec(4, "/d/short")])
    events, got = findings(ctx, path)
    assert events == 4
    assert got == [(f"{long} by newfstatat", [2, 3]),
                   ("/d/short by newfstatat", [1, 4])], \
        [(m[:40], s) for m, s in got]
