"""Every error of the rule loader, as `fsrace rules check` tells it: one
line on stderr, "fsrace: FILE:LINE:COL: what", exit 2, nothing on stdout.

Each row of ERRORS is a rule file and the message it must give; "@@" in
the file marks where the position must point (it is removed before the
file is written), so that a row shows which value the message names.
Each row is a test of its own: test_NAME.
"""
import os
import threading

import harness

# the head of a rule that is whole but for its "steps"
H = '"id": "r", "title": "t", "severity": "note", "message": "m", '
S = '"steps": [{"name": "a", "syscalls": ["unlink"]}]'
# two steps binding $p, for guards and variables
S2 = ('"steps": [{"name": "a", "syscalls": ["stat"], "where": '
      '{"abspath": "$p"}}, {"name": "b", "syscalls": ["unlink"], '
      '"where": {"abspath": "$p"}}]')


def rule(body):
    return '{"rules": [{' + body + '}]}'


def std(extra="", steps=S):
    """A rule with H, EXTRA (members ending in ", ") and STEPS."""
    return rule(H + extra + steps)


def step(body):
    """A rule whose one step is {"name": "a", BODY}."""
    return std(steps='"steps": [{"name": "a", ' + body + '}]')


def where(conds, syscalls='["openat"]'):
    """A rule whose one step has the conditions CONDS."""
    return step(f'"syscalls": {syscalls}, "where": {{{conds}}}')


def guard(body, steps=S2):
    return std('"unless": [' + body + '], ', steps)


def many_conds(n):
    """N string conditions with literals; the marker before the last."""
    fields = ["path", "abspath", "path2", "abspath2", "fd_path",
              "fd2_path", "ret_path", "dirfd_path", "target", "syscall",
              "parent.path", "created", "removed"]
    return ", ".join(("@@" if i == n - 1 else "") + f'"{f}": "x"'
                     for i, f in enumerate(fields[:n]))


def many_vars(n):
    """N string conditions, each binding a variable of its own; the
    marker before the last variable."""
    fields = ["path", "abspath", "path2", "abspath2", "fd_path",
              "fd2_path", "ret_path", "dirfd_path", "target"]
    return ", ".join(f'"{f}": ' + ("@@" if i == n - 1 else "") + f'"$v{i}"'
                     for i, f in enumerate(fields[:n]))


SEVEN_STEPS = '"steps": @@[' + ", ".join(
    f'{{"name": "s{i}", "syscalls": ["unlink"]}}' for i in range(7)) + "]"
FIVE_GUARDS = '"unless": @@[' + ", ".join(
    '{"after": "a", "syscalls": ["unlink"]}' for _ in range(5)) + "], "

ERRORS = [
    # the file
    ("file_not_object", '@@["rules"]',
     'a rule file is an object with "rules", "groups", "policy" or '
     '"suppressions"'),
    ("file_unknown_key", '{@@"rulez": []}',
     'unknown key "rulez" in a rule file'),
    ("rules_not_array", '{"rules": @@{}}', '"rules" must be an array'),
    ("rule_not_object", '{"rules": [@@5]}', "a rule must be an object"),
    ("unterminated_string", '{"rules": ["abc@@', "unterminated string"),
    ("unterminated_after_backslash", '{"rules": ["abc\\@@',
     "unterminated string"),
    # groups
    ("groups_not_object", '{"groups": @@["unlink"]}',
     '"groups" must be an object of arrays'),
    ("group_shipped_twice", '{"groups": {@@"open": ["openat"]}}',
     'group "open" is defined twice'),
    ("group_not_array", '{"groups": {"g": @@"unlink"}}',
     'group "g" must be an array of syscall names'),
    ("group_name_not_string", '{"groups": {"g": [@@1]}}',
     "a syscall name must be a string, not an integer"),
    ("group_unknown_syscall", '{"groups": {"g": ["unlink", @@"frob"]}}',
     'unknown syscall "frob" (not one fsrace traces)'),
    ("group_unknown_group", '{"groups": {"g": [@@"@frob"]}}',
     'unknown syscall group or class "@frob"'),
    # policy
    ("policy_not_object", '{"policy": @@["/x"]}',
     '"policy" must be an object of arrays of globs: ignore, '
     "ignore_except, root_only, system_code"),
    ("policy_unknown_key", '{"policy": {@@"ignor": []}}',
     'unknown key "ignor" in "policy"'),
    ("policy_list_not_array", '{"policy": {"ignore": @@"/x"}}',
     '"ignore" must be an array of globs'),
    ("policy_glob_not_string", '{"policy": {"root_only": ["/a", @@1]}}',
     "a glob must be a string, not an integer"),
    ("policy_glob_empty", '{"policy": {"ignore_except": [@@""]}}',
     "a glob is not empty"),
    # a rule's own members
    ("rule_unknown_key", std('@@"stepz": [], '),
     'unknown key "stepz" in a rule'),
    ("id_missing", '{"rules": [@@{"title": "t", "severity": "note", '
     '"message": "m", ' + S + "}]}", 'missing "id"'),
    ("id_not_string", rule('"id": @@5, ' + H[10:] + S),
     '"id" must be a string, not an integer'),
    ("id_characters", rule('"id": @@"Bad_Id", ' + H[10:] + S),
     "a rule id is lowercase letters, digits and '-'"),
    ("id_twice", '{"rules": [{' + H + S + '}, {"id": @@"r", ' + H[10:] +
     S + "}]}", 'rule "r" is defined twice'),
    ("id_of_a_shipped_rule", rule('"id": @@"check-then-use", ' + H[10:] +
                                  S),
     'rule "check-then-use" is defined twice'),
    ("title_missing", '{"rules": [@@{"id": "r", "severity": "note", '
     '"message": "m", ' + S + "}]}", 'missing "title"'),
    ("title_not_string", rule('"id": "r", "title": @@1, "severity": '
                              '"note", "message": "m", ' + S),
     '"title" must be a string, not an integer'),
    ("severity_missing", '{"rules": [@@{"id": "r", "title": "t", '
     '"message": "m", ' + S + "}]}", 'missing "severity"'),
    ("severity_not_string", rule('"id": "r", "title": "t", "severity": '
                                 '@@2, "message": "m", ' + S),
     '"severity" must be a string, not an integer'),
    ("severity_unknown", rule('"id": "r", "title": "t", "severity": '
                              '@@"fatal", "message": "m", ' + S),
     'severity is error, warning or note, not "fatal"'),
    ("severity_none", rule('"id": "r", "title": "t", "severity": '
                           '@@"none", "message": "m", ' + S),
     'severity is error, warning or note, not "none"'),
    ("message_missing", '{"rules": [@@{"id": "r", "title": "t", '
     '"severity": "note", ' + S + "}]}", 'missing "message"'),
    ("fix_not_string", std('"fix": @@["x"], '),
     '"fix" must be a string, not an array'),
    ("explanation_not_string", std('"explanation": @@{}, '),
     '"explanation" must be a string, not an object'),
    ("references_not_array", std('"references": @@"https://x", '),
     '"references" must be an array of strings'),
    ("tags_element", std('"tags": ["a", @@1, 2], '),
     '"tags" must be a string, not an integer'),
    ("supersedes_element", std('"supersedes": [@@null], '),
     '"supersedes" must be a string, not null'),
    ("enabled_not_bool", std('"enabled": @@"yes", '),
     '"enabled" must be true or false'),
    ("modifiers_not_bool", std('"modifiers": @@1, '),
     '"modifiers" must be true or false'),
    ("scope_unknown", std('"scope": @@"global", '),
     'scope is thread, process or any, not "global"'),
    ("scope_not_string", std('"scope": @@true, '),
     '"scope" must be a string, not a boolean'),
    ("confirm_one_step", std('"confirm": @@["a"], '),
     '"confirm" names two steps'),
    ("confirm_not_strings", std('"confirm": @@["a", 1], '),
     '"confirm" names two steps'),
    ("confirm_unknown_step", std('"confirm": ["a", @@"zz"], '),
     'no step "zz"'),
    # variants
    ("variants_empty", std('"variants": @@[]', ""),
     '"variants" must be a non-empty array of patterns'),
    ("variants_and_steps", std('"variants": [{' + S + '}], ',
                               '"steps": @@[]'),
     'a rule has "steps" or "variants", not both'),
    ("variant_not_object", std('"variants": [{' + S + '}, @@"x"]', ""),
     "a variant must be an object"),
    ("variant_unknown_key", std('"variants": [{@@"title": "x", ' + S +
                                "}]", ""),
     'unknown key "title" in a variant'),
    ("variant_without_steps", std('"variants": [@@{"scope": "any"}]', ""),
     'missing "steps"'),
    # steps
    ("steps_missing", '{"rules": [@@{' + H[:-2] + "}]}", 'missing "steps"'),
    ("steps_empty", std(steps='"steps": @@[]'),
     '"steps" must be a non-empty array'),
    ("steps_not_array", std(steps='"steps": @@{}'),
     '"steps" must be a non-empty array'),
    ("too_many_steps", std(steps=SEVEN_STEPS), "too many steps (at most 6)"),
    ("step_not_object", std(steps='"steps": [@@"a"]'),
     "a step must be an object"),
    ("step_unknown_key", std(steps='"steps": [{"name": "a", @@"syscall": '
                             '["unlink"]}]'),
     'unknown key "syscall" in a step'),
    ("step_name_missing", std(steps='"steps": [@@{"syscalls": '
                              '["unlink"]}]'),
     'missing "name"'),
    ("step_name_not_string", std(steps='"steps": [{"name": @@1, '
                                 '"syscalls": ["unlink"]}]'),
     'a step\'s "name" must be a string, not an integer'),
    ("step_twice", std(steps='"steps": [{"name": "a", "syscalls": '
                       '["unlink"]}, {"name": @@"a", "syscalls": '
                       '["unlink"]}]'),
     'step "a" is defined twice'),
    ("at_exit_not_bool", step('"syscalls": ["unlink"], "at_exit": @@1'),
     '"at_exit" must be true or false'),
    ("or_exit_not_bool", step('"syscalls": ["unlink"], "or_exit": @@"no"'),
     '"or_exit" must be true or false'),
    ("at_exit_first", std(steps='"steps": [@@{"name": "a", "at_exit": '
                          'true}]'),
     "the first step cannot be at_exit"),
    ("at_exit_with_syscalls", std(steps='"steps": [{"name": "a", '
                                  '"syscalls": ["unlink"]}, @@{"name": '
                                  '"b", "at_exit": true, "syscalls": '
                                  '["close"]}]'),
     "an at_exit step has no syscalls or conditions (use or_exit for a "
     "step that an event or the exit satisfies)"),
    ("or_exit_not_last", std(steps='"steps": [@@{"name": "a", '
                             '"syscalls": ["unlink"], "or_exit": true}, '
                             '{"name": "b", "syscalls": ["close"]}]'),
     "only the last step may wait for the exit"),
    ("overlaps_not_string", std(steps='"steps": [{"name": "a", '
                                '"syscalls": ["unlink"]}, {"name": "b", '
                                '"syscalls": ["close"], "overlaps": @@1}]'),
     '"overlaps" must be a string, not an integer'),
    ("overlaps_unknown", std(steps='"steps": [{"name": "a", "syscalls": '
                             '["unlink"]}, {"name": "b", "syscalls": '
                             '["close"], "overlaps": @@"zz"}]'),
     '"overlaps" names no earlier step'),
    # syscalls
    ("syscalls_missing", std(steps='"steps": [@@{"name": "a"}]'),
     'missing "syscalls"'),
    ("syscalls_empty", step('"syscalls": @@[]'),
     '"syscalls" must be a non-empty array of names, @classes or @groups'),
    ("syscalls_not_array", step('"syscalls": @@"unlink"'),
     '"syscalls" must be a non-empty array of names, @classes or @groups'),
    ("syscall_not_string", step('"syscalls": ["unlink", @@2]'),
     "a syscall name must be a string, not an integer"),
    ("syscall_unknown", step('"syscalls": [@@"frobnicate"]'),
     'unknown syscall "frobnicate" (not one fsrace traces)'),
    ("syscall_class_unknown", step('"syscalls": [@@"@frob"]'),
     'unknown syscall group or class "@frob"'),
    # where
    ("where_not_object", step('"syscalls": ["unlink"], "where": @@[]'),
     '"where" must be an object of conditions'),
    ("too_many_conditions", where(many_conds(13)),
     "too many conditions (at most 12)"),
    ("too_many_conditions_with_scope",
     std(steps='"steps": [@@{"name": "a", "syscalls": ["openat"], '
         '"where": {' + many_conds(12).replace("@@", "") + "}}]"),
     "too many conditions with scope process (at most 11)"),
    ("too_many_conditions_with_thread_scope",
     std('"scope": "thread", ', '"steps": [@@{"name": "a", "syscalls": '
         '["openat"], "where": {' + many_conds(12).replace("@@", "") +
         "}}]"),
     "too many conditions with scope thread (at most 11)"),
    ("twelve_conditions_without_scope_load",
     std('"scope": "any", ', '"steps": [{"name": "a", "syscalls": '
         '["openat"], "where": {' + many_conds(12).replace("@@", "") +
         "}}]"), None),
    ("too_many_variables", where(many_vars(9)),
     "too many variables (at most 8)"),
    ("too_many_variables_with_scope",
     std(steps='"steps": [@@{"name": "a", "syscalls": ["openat"], '
         '"where": {' + many_vars(8).replace("@@", "") + "}}]"),
     "too many variables with scope process (at most 7)"),
    ("unknown_field", where('@@"flagz": 1'), 'unknown field "flagz"'),
    ("dirname_of_an_integer", where('@@"dirname(pid)": 1'),
     'unknown field "dirname(pid)"'),
    ("dirname_too_long", where('@@"dirname(' + "p" * 64 + ')": "x"'),
     'unknown field "dirname(' + "p" * 64 + ')"'),
    ("variable_on_flags", where('"flags": @@"$f"'),
     "flags cannot be bound to a variable"),
    ("flags_literal", where('"flags": @@"O_CREAT"'),
     'flags takes {"contains": …} or {"lacks": …}'),
    ("string_field_integer", where('"path": @@1'),
     "path compares with a string"),
    ("bool_field_integer", where('"by_fd": @@1'), "by_fd is true or false"),
    ("ret_with_errno_name", where('"ret": @@"ENOENT"'),
     'compare "errno" with an error name, not "ret"'),
    ("integer_field_string", where('"pid": @@"1"'),
     "pid compares with an integer"),
    ("integer_field_real", where('"fd": @@1.5'),
     "fd compares with an integer"),
    ("two_operators", where('"path": @@{"glob": "a", "ne": "b"}'),
     "a condition object has exactly one operator: not, ne, in, glob, "
     "not_glob, under, not_under, contains, lacks"),
    ("no_operator", where('"path": @@{}'),
     "a condition object has exactly one operator: not, ne, in, glob, "
     "not_glob, under, not_under, contains, lacks"),
    ("unknown_operator", where('"path": {@@"eq": "a"}'),
     'unknown key "eq" in a condition'),
    ("not_literal", where('"path": {"not": @@"x"}'),
     '"not" takes a $variable; for a literal use "ne"'),
    ("not_unbound", where('"path": {"not": @@"$p"}'),
     "variable $p is not bound by an earlier condition"),
    ("not_before_binding", where('"abspath": "$p", @@"path": {"not": '
                                 '"$p"}'),
     'variable $p is used by "not" before a step binds it'),
    ("guard_variable_unbound", guard('{"after": "a", "syscalls": ["close"], '
                                     '"where": {@@"fd": "$fd"}}'),
     "variable $fd in a guard is not bound by the steps before it"),
    ("ne_wrong_type", where('"pid": {"ne": @@"x"}'),
     "pid compares with an integer"),
    ("in_empty", where('"path": {"in": @@[]}'),
     '"in" takes a non-empty array'),
    ("in_not_array", where('"path": {"in": @@"a"}'),
     '"in" takes a non-empty array'),
    ("in_wrong_element", where('"pid": {"in": [1, @@"x"]}'),
     "pid compares with an integer"),
    ("in_string_wrong_element", where('"syscall": {"in": ["openat", @@2]}'),
     "syscall compares with a string"),
    ("glob_on_integer", where('"pid": {"glob": @@"1*"}'),
     "glob applies to paths and names"),
    ("glob_not_string", where('"path": {"not_glob": @@1}'),
     '"not_glob" takes a string, an array of strings or {"param": NAME}'),
    ("contains_on_string", where('@@"path": {"contains": "x"}'),
     '"contains" applies to flags, access, or an integer field with an '
     "integer"),
    ("lacks_on_bool", where('@@"excl": {"lacks": 1}'),
     '"lacks" applies to flags, access, or an integer field with an '
     "integer"),
    ("flags_not_names", where('"flags": {"contains": @@1}'),
     "flags are a name or an array of names"),
    ("flag_unknown", where('"flags": {"contains": ["O_CREAT", @@"O_FROB"]}'),
     'unknown flag "O_FROB"'),
    # guards
    ("unless_not_array", std('"unless": @@{}, ', S2),
     '"unless" must be an array of guards'),
    ("too_many_guards", std(FIVE_GUARDS, S2), "too many guards (at most 4)"),
    ("guard_not_object", guard('@@"a"'), "a guard must be an object"),
    ("guard_unknown_key", guard('{"after": "a", "syscalls": ["close"], '
                                '@@"wehre": {}}'),
     'unknown key "wehre" in a guard'),
    ("guard_after_missing", guard('@@{"syscalls": ["close"]}'),
     'missing "after"'),
    ("guard_after_not_string", guard('{"after": @@1, "syscalls": '
                                     '["close"]}'),
     'a guard\'s "after" must be a string, not an integer'),
    ("guard_after_unknown", guard('{"after": @@"zz", "syscalls": '
                                  '["close"]}'),
     'no step "zz"'),
    ("guard_before_not_string", guard('{"after": "a", "before": @@[], '
                                      '"syscalls": ["close"]}'),
     'a guard\'s "before" must be a string, not an array'),
    ("guard_before_same_step", guard('{"after": "a", "before": @@"a", '
                                     '"syscalls": ["close"]}'),
     '"before" must name a step after "a"'),
    ("guard_before_unknown", guard('{"after": "a", "before": @@"zz", '
                                   '"syscalls": ["close"]}'),
     '"before" must name a step after "a"'),
    ("guard_after_last_step", guard('@@{"after": "b", "syscalls": '
                                    '["close"]}'),
     "a guard after the last step can never apply"),
    ("guard_without_syscalls", guard('@@{"after": "a"}'),
     'missing "syscalls"'),
]


def position(text):
    """TEXT without its marker, and the marker's LINE:COL."""
    at = text.index("@@")
    before = text[:at]
    line = before.count("\n") + 1
    col = at - (before.rfind("\n") + 1) + 1
    return text.replace("@@", "", 1), f"{line}:{col}"


def check(ctx, text, message):
    path = os.path.join(ctx.tmp, "rules.json")
    if message is None:
        harness.write_file(path, text)
        p = ctx.run(["rules", "check", "rules.json"])
        assert (p.returncode, p.stdout, p.stderr) == (
            0, "rules.json: 1 rule, ok\n", ""), (p.stdout, p.stderr)
        return
    assert text.count("@@") == 1, f"one marker, not {text.count('@@')}"
    text, at = position(text)
    harness.write_file(path, text)
    p = ctx.run(["rules", "check", "rules.json"])
    assert (p.returncode, p.stdout, p.stderr) == (
        2, "", f"fsrace: rules.json:{at}: {message}\n"), \
        (p.returncode, p.stdout, p.stderr, text)


def _make(text, message):
    def test(ctx):
        check(ctx, text, message)
    test.__doc__ = message
    return test


for _name, _text, _message in ERRORS:
    assert "test_" + _name not in globals(), f"two rows named {_name}"
    globals()["test_" + _name] = _make(_text, _message)


# ---------------------------------------------------------------------------
# Errors that name a file, not a position.

RULE = '{"rules": [{' + H.replace('"r"', '"%s"') + S + "}]}"


def test_rule_file_missing(ctx):
    p = ctx.run(["rules", "check", "nope.json"])
    assert (p.returncode, p.stdout, p.stderr) == (
        2, "", "fsrace: cannot read rules 'nope.json': No such file or "
               "directory\n"), p.stderr
    p = ctx.run(["analyze", "--no-default-rules", "-r", "nope.json",
                 "t.jsonl"])
    assert (p.returncode, p.stdout, p.stderr) == (
        2, "", "fsrace: cannot read rules 'nope.json': No such file or "
               "directory\n"), p.stderr


def test_rule_file_too_large(ctx):
    big = os.path.join(ctx.tmp, "big.json")
    with open(big, "w") as f:
        f.write(RULE % "big" + " " * (4 << 20))
    p = ctx.run(["rules", "check", big])
    assert (p.returncode, p.stdout, p.stderr) == (
        2, "", f"fsrace: {big}: rule file larger than 4194304 bytes\n")


def test_rule_fifo_too_large(ctx):
    """A FIFO has no size to check first: the limit holds as it is read."""
    fifo = os.path.join(ctx.tmp, "rules.json")
    os.mkfifo(fifo)

    def feed():
        try:
            with open(fifo, "w") as f:
                f.write(RULE % "big" + " " * (4 << 20) + " " * 4096)
        except BrokenPipeError:
            pass    # fsrace stopped reading at the limit, as it should

    t = threading.Thread(target=feed)
    t.start()
    try:
        p = ctx.run(["rules", "check", fifo], timeout=60)
    finally:
        t.join(timeout=60)
    assert (p.returncode, p.stdout, p.stderr) == (
        2, "", f"fsrace: {fifo}: rule file larger than 4194304 bytes\n")


def test_rule_fifo_read_whole(ctx):
    """A rule file read from a FIFO in many reads loads as a file does."""
    fifo = os.path.join(ctx.tmp, "rules.json")
    os.mkfifo(fifo)
    text = RULE % "piped" + " " * 100000

    def feed():
        with open(fifo, "w") as f:
            f.write(text)

    t = threading.Thread(target=feed)
    t.start()
    try:
        p = ctx.run(["rules", "check", fifo], timeout=60)
    finally:
        t.join(timeout=60)
    assert (p.returncode, p.stdout, p.stderr) == (
        0, f"{fifo}: 1 rule, ok\n", ""), p.stderr


def test_rule_directory(ctx):
    """A directory: its *.json files in name order, others and dot files
    ignored; the first error stops it and names its file."""
    d = os.path.join(ctx.tmp, "rules.d")
    os.mkdir(d)
    harness.write_file(os.path.join(d, "b.json"), RULE % "second")
    harness.write_file(os.path.join(d, "a.json"), RULE % "first")
    harness.write_file(os.path.join(d, "notes.txt"), "not json")
    harness.write_file(os.path.join(d, ".hidden.json"), "not json")
    harness.write_file(os.path.join(d, ".json"), "not json")
    p = ctx.run(["rules", "check", d])
    assert (p.returncode, p.stdout, p.stderr) == (
        0, f"{d}: 2 rules, ok\n", ""), p.stderr
    p = ctx.run(["rules", "--no-default-rules", "-r", d])
    assert p.stdout == (f"{'first':<30} note     on   t\n"
                        f"{'second':<30} note     on   t\n"), p.stdout
    harness.write_file(os.path.join(d, "c.json"), RULE % "first")
    harness.write_file(os.path.join(d, "d.json"), "{")
    p = ctx.run(["rules", "check", d])
    assert (p.returncode, p.stdout, p.stderr) == (
        2, "", f'fsrace: {d}/c.json:1:19: rule "first" is defined twice\n'), \
        p.stderr
    empty = os.path.join(ctx.tmp, "empty.d")
    os.mkdir(empty)
    p = ctx.run(["rules", "check", empty])
    assert (p.returncode, p.stdout, p.stderr) == (
        0, f"{empty}: 0 rules, ok\n", ""), p.stderr


def test_check_goes_on_after_a_bad_file(ctx):
    """rules check reports every bad file, says ok for the good ones, and
    a bad file's rules do not stay: the next file may reuse its ids."""
    bad, at = position('{"rules": [' + (RULE % "x")[11:-2] + ", @@5]}")
    harness.write_file(os.path.join(ctx.tmp, "bad.json"), bad)
    harness.write_file(os.path.join(ctx.tmp, "good.json"), RULE % "x")
    p = ctx.run(["rules", "check", "bad.json", "good.json", "nope.json"])
    assert (p.returncode, p.stdout, p.stderr) == (
        2, "good.json: 1 rule, ok\n",
        f"fsrace: bad.json:{at}: a rule must be an object\n"
        "fsrace: cannot read rules 'nope.json': No such file or "
        "directory\n"), (p.stdout, p.stderr)
