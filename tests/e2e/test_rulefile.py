"""Rule files that `fsrace rules check` must refuse, with the exact
message (FILE:LINE:COL: what) and exit 2, and the rules of docs/rules.md
that look odd but are valid (a rule that supersedes itself)."""
import json
import os


def write(ctx, name, text):
    path = os.path.join(ctx.tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def check_refused(ctx, text, line, key, what):
    """`fsrace rules check` of TEXT fails with exit 2 and the one message
    naming the position of KEY (its first occurrence on LINE, 1-based)."""
    write(ctx, "rules.json", text)
    col = text.split("\n")[line - 1].index(key) + 1
    p = ctx.run(["rules", "check", "rules.json"])
    assert (p.returncode, p.stdout) == (2, ""), (p.returncode, p.stdout)
    assert p.stderr == f"fsrace: rules.json:{line}:{col}: {what}\n", p.stderr


STEPS = ('"steps": [{"name": "a", "syscalls": ["newfstatat"], '
         '"where": {"abspath": "$p"}},\n'
         '  {"name": "b", "syscalls": ["openat"], '
         '"where": {"abspath": "$p"}}]')


def rule(body):
    return ('{"rules": [{"id": "t-x", "title": "t", "severity": "warning", '
            '"message": "m",\n' + body + "}]}\n")


def test_guard_before_is_its_after(ctx):
    # "before" must name a later step than "after"; the same one is empty
    text = rule('"unless": [{"after": "a", "before": "a", '
                '"syscalls": ["fsync"]}],\n' + STEPS)
    check_refused(ctx, text, 2, '"a", "syscalls"',
                  '"before" must name a step after "a"')


def test_guard_before_a_later_step_is_valid(ctx):
    text = rule('"unless": [{"after": "a", "before": "b", '
                '"syscalls": ["fsync"]}],\n' + STEPS)
    write(ctx, "rules.json", text)
    p = ctx.run(["rules", "check", "rules.json"])
    assert (p.returncode, p.stdout, p.stderr) == \
        (0, "rules.json: 1 rule, ok\n", ""), p


def test_not_on_a_variable_its_own_step_binds(ctx):
    # "not" compares with a variable bound by an earlier step; one bound
    # by a condition of the same step is not bound yet
    text = rule('"steps": [{"name": "a", "syscalls": ["newfstatat"], '
                '"where": {"abspath": "$p", "tid": "$q", '
                '"pid": {"not": "$q"}}},\n'
                '  {"name": "b", "syscalls": ["openat"], '
                '"where": {"abspath": "$p"}}]')
    check_refused(ctx, text, 2, '"pid"',
                  'variable $q is used by "not" before a step binds it')


def test_not_after_a_step_that_binds_nothing(ctx):
    # the first variable ($p) is first written in step b: step a, with
    # no condition, binds nothing, so "not" in step b has nothing to
    # compare with
    text = ('{"rules": [{"id": "t-x", "title": "t", "severity": "warning", '
            '"message": "m", "scope": "any",\n'
            '"steps": [{"name": "a", "syscalls": ["newfstatat"]},\n'
            '  {"name": "b", "syscalls": ["openat"], "where": '
            '{"abspath": "$p", "path": {"not": "$p"}}}]}]}\n')
    check_refused(ctx, text, 3, '"path"',
                  'variable $p is used by "not" before a step binds it')


def test_not_on_a_variable_of_an_earlier_step_is_valid(ctx):
    text = rule('"steps": [{"name": "a", "syscalls": ["newfstatat"], '
                '"where": {"abspath": "$p", "tid": "$q"}},\n'
                '  {"name": "b", "syscalls": ["openat"], '
                '"where": {"abspath": "$p", "pid": {"not": "$q"}}}]')
    write(ctx, "rules.json", text)
    p = ctx.run(["rules", "check", "rules.json"])
    assert (p.returncode, p.stdout, p.stderr) == \
        (0, "rules.json: 1 rule, ok\n", ""), p


def test_variants_empty(ctx):
    text = rule('"variants": []')
    check_refused(ctx, text, 2, "[]",
                  '"variants" must be a non-empty array of patterns')


def test_variants_not_an_array(ctx):
    text = rule('"variants": {"steps": []}')
    check_refused(ctx, text, 2, "{",
                  '"variants" must be a non-empty array of patterns')


def test_rule_that_supersedes_itself_still_reports(ctx):
    # docs/rules.md: when this rule and the named one match on the same
    # event, "only this one is reported": naming itself drops nothing,
    # also when another rule's finding comes from the same event
    def unlink_rule(rid, message, **kw):
        return dict(id=rid, title="t", severity="warning", message=message,
                    steps=[{"name": "hit", "syscalls": ["unlinkat"],
                            "where": {"abspath": "$p"}}], **kw)

    write(ctx, "rules.json", json.dumps({"rules": [
        unlink_rule("t-self", "unlinked {$p}", supersedes=["t-self"]),
        unlink_rule("t-other", "removed {$p}")]}))
    write(ctx, "t.jsonl",
          '{"type":"header","format":"fsrace-trace","version":1}\n'
          '{"type":"syscall","seq":1,"pid":10,"tid":10,"ts_enter":1000,'
          '"ts_exit":2000,"syscall":"unlinkat","dirfd":-100,'
          '"path":"/home/u/x","abspath":"/home/u/x","flags":[],"ret":0}\n')
    p = ctx.run(["analyze", "--no-default-rules", "-r", "rules.json",
                 "-f", "json", "t.jsonl"])
    assert (p.returncode, p.stderr) == (1, ""), (p.returncode, p.stderr)
    got = sorted((f["rule"], f["message"], f["count"],
                  [(e["step"], e["seq"]) for e in f["evidence"]])
                 for f in json.loads(p.stdout)["findings"])
    assert got == [("t-other", "removed /home/u/x", 1, [("hit", 1)]),
                   ("t-self", "unlinked /home/u/x", 1, [("hit", 1)])], got
