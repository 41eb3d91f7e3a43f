"""`fsrace rules check` of the shipped files themselves: the defaults are
loaded for their groups, so a shipped file is counted where it already
is, not loaded a second time ("rule ... is defined twice" before)."""
import json
import os
import shutil

import harness

RULES = os.path.join(harness.SOURCE_ROOT, "rules")


def counts(path):
    """(rules, suppressions) the file defines: a rule counts once per
    variant, as `rules check` counts a user's file."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    rules = sum(max(1, len(r.get("variants", []))) for r in doc.get("rules",
                                                                    []))
    return rules, len(doc.get("suppressions", []))


def ok_line(shown, path):
    rules, supps = counts(path)
    line = f"{shown}: {rules} rule{'' if rules == 1 else 's'}"
    if supps:
        line += f", {supps} suppression{'' if supps == 1 else 's'}"
    return line + ", ok\n"


def shipped():
    return sorted(f for f in os.listdir(RULES) if f.endswith(".json"))


def test_every_shipped_file_checks(ctx):
    files = [os.path.join(RULES, f) for f in shipped()]
    p = ctx.run(["rules", "check", *files])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    assert p.stdout == "".join(ok_line(f, f) for f in files)
    assert "check.json" in shipped() and "suppressions.json" in shipped()


def test_shipped_file_by_relative_path_and_link(ctx):
    link = os.path.join(ctx.tmp, "mine.json")
    os.symlink(os.path.join(RULES, "check.json"), link)
    p = ctx.run(["rules", "check", "check.json", "00-groups.json", link],
                cwd=RULES)
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    assert p.stdout == (ok_line("check.json", os.path.join(RULES,
                                                           "check.json")) +
                        "00-groups.json: 0 rules, ok\n" +
                        ok_line(link, os.path.join(RULES, "check.json")))


def test_copy_of_a_shipped_file_is_defined_twice(ctx):
    """A copy is another file that defines the shipped ids again: that
    stays an error, naming the copy."""
    copy = os.path.join(ctx.tmp, "check.json")
    shutil.copy(os.path.join(RULES, "check.json"), copy)
    with open(copy, encoding="utf-8") as f:
        first = json.load(f)["rules"][0]["id"]
    p = ctx.run(["rules", "check", copy])
    assert p.returncode == 2
    assert p.stdout == ""
    assert p.stderr == (f"fsrace: {copy}:4:13: rule \"{first}\" is "
                        "defined twice\n"), p.stderr


def test_shipped_dir_from_the_environment(ctx):
    """FSRACE_RULES names the shipped directory: its files are the
    shipped ones; the source tree's are then a user's."""
    mine = os.path.join(ctx.tmp, "rules")
    shutil.copytree(RULES, mine)
    env = dict(os.environ, FSRACE_RULES=mine)
    f = os.path.join(mine, "durability.json")
    p = ctx.run(["rules", "check", f], env=env)
    assert (p.returncode, p.stdout, p.stderr) == (0, ok_line(f, f), ""), \
        p.stderr
    p = ctx.run(["rules", "check", os.path.join(RULES, "00-groups.json")],
                env=env)
    assert p.returncode == 2
    assert p.stderr.startswith(f"fsrace: {RULES}/00-groups.json:"), p.stderr
    assert p.stderr.endswith("is defined twice\n"), p.stderr


def test_shipped_directory_checks_whole(ctx):
    total = [counts(os.path.join(RULES, f)) for f in shipped()]
    rules, supps = (sum(t[0] for t in total), sum(t[1] for t in total))
    p = ctx.run(["rules", "check", RULES])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    assert p.stdout == (f"{RULES}: {rules} rules, {supps} suppressions, "
                        "ok\n"), p.stdout


def test_draft_in_the_shipped_directory_is_checked(ctx):
    """A file of the shipped directory that the defaults do not load (a
    hidden one, or not *.json) is a user's file: checked, not counted."""
    mine = os.path.join(ctx.tmp, "rules")
    shutil.copytree(RULES, mine)
    env = dict(os.environ, FSRACE_RULES=mine)
    for name in (".draft.json", "check.json.orig"):
        f = os.path.join(mine, name)
        with open(f, "w", encoding="utf-8") as fp:
            fp.write('{"rules": [')
        p = ctx.run(["rules", "check", f], env=env)
        assert (p.returncode, p.stdout) == (2, ""), p.stdout
        assert p.stderr == f"fsrace: {f}:1:12: unexpected end of file\n", \
            p.stderr
