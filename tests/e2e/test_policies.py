"""The CI policies (issue 10): each opt-in rule of rules/policies.json on
its bad and good twin (fixtures/policies/), with the exact findings of
that rule; rule parameters (declared in a rule, set by --param or the
configuration's "parameters", $ROOT and $TMPDIR) and their errors."""
import json
import os
import tempfile

import harness


def findings(ctx, rule, prog, *args, extra=(), cwd=None):
    """fsrace run --enable RULE on PROG: [(message, [evidence paths])]
    of RULE's findings, and the exit status."""
    out = os.path.join(ctx.tmp, "f.json")
    p = ctx.run(["run", "--enable", rule, *extra, "-f", "json", "-o", out,
                 "--", ctx.fixture(prog), *args], cwd=cwd or ctx.tmp)
    assert p.returncode in (0, 1), p.stderr
    with open(out) as f:
        doc = json.load(f)
    return sorted((f["message"], [e.get("abspath") for e in f["evidence"]])
                  for f in doc["findings"] if f["rule"] == rule), p


def scratch(ctx, name):
    d = os.path.join(ctx.tmp, name)
    os.mkdir(d)
    return d


def test_rename_exdev(ctx):
    if not os.path.isdir("/dev/shm"):
        raise harness.Skip("no /dev/shm: no second file system")
    d = scratch(ctx, "w")
    other = tempfile.mkdtemp(dir="/dev/shm", prefix="fsrace-test-")
    try:
        if os.stat(other).st_dev == os.stat(d).st_dev:
            raise harness.Skip("/dev/shm is on the scratch file system")
        got, p = findings(ctx, "rename-exdev", "policy-rename-exdev-bad", d,
                          other)
        pid = got[0][0].split(" in pid ")[1].split(":")[0]
        assert got == [(
            f"rename('{other}/tmp' → '{d}/data') failed with EXDEV in "
            f"pid {pid}: a copy fallback may follow; create the temporary "
            "file beside the destination", [f"{other}/tmp"])], got
        assert p.returncode == 1
        got, p = findings(ctx, "rename-exdev", "policy-rename-exdev-good", d,
                          other)
        assert got == [], got
    finally:
        for n in os.listdir(other):
            os.unlink(os.path.join(other, n))
        os.rmdir(other)


def test_world_writable_create(ctx):
    d = scratch(ctx, "w")
    got, p = findings(ctx, "world-writable-create",
                      "policy-world-writable-create-bad", d)
    assert [(m.split(" in pid ")[0], paths) for m, paths in got] == [
        (f"chmod('{d}/d') with a world-writable mode", [f"{d}/d"]),
        (f"openat('{d}/shared') with a world-writable mode",
         [f"{d}/shared"])], got
    got, p = findings(ctx, "world-writable-create",
                      "policy-world-writable-create-good", scratch(ctx, "g"))
    assert got == [], got


def test_tmp_create_no_excl(ctx):
    d = scratch(ctx, "w")
    assert d.startswith("/tmp/"), d
    got, p = findings(ctx, "tmp-create-no-excl",
                      "policy-tmp-create-no-excl-bad", d)
    assert [(m.split(" in pid ")[0], paths) for m, paths in got] == [
        (f"openat('{d}/scratch') with O_CREAT and no O_EXCL under /tmp",
         [f"{d}/scratch"])], got
    got, p = findings(ctx, "tmp-create-no-excl",
                      "policy-tmp-create-no-excl-good", scratch(ctx, "g"))
    assert got == [], got


def outside_roots(ctx, twin, extra, config=None):
    # a fresh workspace each time, OUTSIDE beside it; CONFIG, a
    # configuration written beside them and given with --config
    base = tempfile.mkdtemp(dir=ctx.tmp)
    root = os.path.join(base, "root")
    outside = os.path.join(base, "outside")
    os.mkdir(root)
    os.mkdir(outside)
    if config is not None:
        with open(os.path.join(base, "fsrace.json"), "w") as f:
            json.dump(config, f)
        extra = ("--config", os.path.join(base, "fsrace.json"), *extra)
    # the workspace is the working directory ($ROOT); $TMPDIR is set to
    # the workspace too, so that the scratch tree is not inside it
    env_tmp = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = root
    try:
        return findings(ctx, "write-outside-roots",
                        f"policy-write-outside-roots-{twin}", root, outside,
                        extra=extra, cwd=root), root, outside
    finally:
        if env_tmp is None:
            del os.environ["TMPDIR"]
        else:
            os.environ["TMPDIR"] = env_tmp


def test_write_outside_roots(ctx):
    (got, p), root, outside = outside_roots(ctx, "bad", ())
    assert [(m.split(" in pid ")[0], paths) for m, paths in got] == [
        (f"openat('{outside}/a')", [f"{outside}/a"]),
        # one finding for the rename, which both removes and makes a
        # name outside
        (f"rename('{outside}/a' → '{outside}/b')", [f"{outside}/a"]),
        (f"unlink('{outside}/b')", [f"{outside}/b"])], got
    assert p.returncode == 1
    (got, p), root, outside = outside_roots(ctx, "good", ())
    assert got == [], got


def test_write_outside_roots_param(ctx):
    # the outside directory made a root: nothing is outside
    (got, p), root, _ = outside_roots(
        ctx, "bad", ("--param", "write-outside-roots.roots=$ROOT:$ROOT/../"
                     "outside"))
    assert got == [], got
    assert p.returncode == 0, p.stderr
    # a relative root is from the working directory (the workspace):
    # only outside now, the workspace is not
    (got, p), root, outside = outside_roots(
        ctx, "bad", ("--param", "write-outside-roots.roots=../outside"))
    assert [paths for _, paths in got] == [[f"{root}/ok"]], got


def test_write_outside_roots_param_from_config(ctx):
    # a relative value is from the file's directory
    cfg = {"parameters": {"write-outside-roots": {
        "roots": ["$ROOT", "outside"]}}}
    (got, p), root, outside = outside_roots(ctx, "bad", (), cfg)
    assert got == [], got
    # the command line wins over the file
    (got, p), root, outside = outside_roots(
        ctx, "bad", ("--param", "write-outside-roots.roots=$ROOT"), cfg)
    assert [paths for _, paths in got] == [
        [f"{outside}/a"], [f"{outside}/a"], [f"{outside}/b"]], got
    # a value with ':' cannot be said on the command line: refused
    bad = os.path.join(ctx.tmp, "colon.json")
    with open(bad, "w") as f:
        f.write('{"parameters": {"write-outside-roots": {"roots": '
                '["/a:b"]}}}\n')
    p = ctx.run(["run", "--config", bad, "--", "/bin/true"])
    assert (p.returncode, p.stderr) == (
        2, f"fsrace: {bad}:1:51: parameter 'roots' takes strings without "
        "':'\n"), p


def test_exec_self_written(ctx):
    d = scratch(ctx, "w")
    got, p = findings(ctx, "exec-self-written",
                      "policy-exec-self-written-bad", d)
    script = f"{d}/fetched.sh"
    assert len(got) == 1, got
    msg, paths = got[0]
    assert msg.startswith(f"execve('{script}') in pid "), msg
    assert msg.endswith(" wrote with openat"), msg
    assert paths == [script, script], got
    got, p = findings(ctx, "exec-self-written",
                      "policy-exec-self-written-good", scratch(ctx, "g"))
    assert got == [], got
    # allowed by a glob
    got, p = findings(ctx, "exec-self-written",
                      "policy-exec-self-written-bad", scratch(ctx, "a"),
                      extra=("--param",
                             f"exec-self-written.allow={ctx.tmp}/a/*"))
    assert got == [], got


def test_param_errors(ctx):
    for spec, msg in (
            ("nosuch.roots=/x", "--param nosuch.roots=/x: no rule 'nosuch' "
             "(see fsrace rules)"),
            ("write-outside-roots.nosuch=/x",
             "--param write-outside-roots.nosuch=/x: rule "
             "'write-outside-roots' has no parameter 'nosuch' (it has: "
             "roots)"),
            ("check-then-use.x=1", "--param check-then-use.x=1: rule "
             "'check-then-use' has no parameter 'x' (it has none)"),
            ("roots=/x", "--param takes ID.NAME=VALUE[:VALUE...], not "
             "'roots=/x'")):
        p = ctx.run(["run", "--param", spec, "--", "/bin/true"])
        assert (p.returncode, p.stderr) == (2, f"fsrace: {msg}\n"), p


def test_param_in_a_rule_file_errors(ctx):
    rules = os.path.join(ctx.tmp, "r.json")
    with open(rules, "w") as f:
        f.write('{"rules": [{"id": "p", "title": "t", "severity": "note",'
                ' "message": "m", "steps": [{"name": "s", "syscalls": '
                '["@open"], "where": {"abspath": {"under": {"param": '
                '"dirs"}}}}]}]}\n')
    p = ctx.run(["analyze", "--no-default-rules", "-r", rules,
                 os.path.join(ctx.tmp, "none.jsonl")])
    assert (p.returncode, p.stderr) == (
        2, f"fsrace: {rules}:1:162: no parameter \"dirs\" (a rule declares "
        "its parameters under \"parameters\")\n"), p


def test_rules_show_parameters(ctx):
    p = ctx.run(["rules", "show", "write-outside-roots"])
    assert p.returncode == 0, p.stderr
    assert "  parameter roots (--param write-outside-roots.roots=V:V...): " \
        '["$ROOT", "$TMPDIR"], the directories inside which writes are ' \
        "allowed\n" in p.stdout, p.stdout
