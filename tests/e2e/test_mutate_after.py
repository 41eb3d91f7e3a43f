"""tools/mutants.txt's `after` anchors: a curated mutant on a line whose
text is not unique (`return true;`) is found by the anchors before it,
each looked for past the one before; a missing anchor makes the section
STALE with the reason."""
import importlib.util
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

SOURCE = """static bool a(int k)
{
	switch (k) {
	case 1:
		return true;
	case 2:
		return true;
	}
	return false;
}

static bool b(int k)
{
	switch (k) {
	case 2:
		return true;
	}
	return false;
}
"""


def mutate():
    spec = importlib.util.spec_from_file_location(
        "mutate", os.path.join(ROOT, "tools", "mutate.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_after_anchors_pick_the_line(ctx):
    m = mutate()
    src = os.path.join(ctx.tmp, "t.c")
    with open(src, "w") as f:
        f.write(SOURCE)
    curated = os.path.join(ctx.tmp, "mutants.txt")
    with open(curated, "w") as f:
        f.write(f"""[plain-not-unique]
file = {src}
match = return true;
from = true
to = false

[after-one]
file = {src}
after = static bool b(
match = return true;
from = true
to = false

[after-chain]
file = {src}
after = static bool a(
  case 2:
match = return true;
from = return true
to = return false
equivalent = why

[after-missing]
file = {src}
after = static bool b(
  case 3:
match = return true;
from = true
to = false

[anchor-not-unique]
file = {src}
after = case 2:
match = return true;
from = true
to = false
""")
    named, equivalent, stale = m.load_curated(curated)
    rel = os.path.relpath(src, m.ROOT)
    assert [(x.name, x.path, x.lineno, x.col) for x in named] == [
        ("after-one", rel, 16, 9)], [x.describe() for x in named]
    assert [(x.name, x.lineno, x.col, x.new, x.equivalent)
            for x in equivalent] == [
        ("after-chain", 7, 2, "return false", "why")], equivalent
    assert stale == [
        ("plain-not-unique", f"'return true;' is on 3 lines of {src}, "
         "not one"),
        ("after-missing", f"'case 3:' is not after 'static bool b(' in "
         f"{rel}"),
        ("anchor-not-unique", f"'case 2:' is on 2 lines of {src}, not one"),
    ], stale


def test_sections_from_mutants_d(ctx):
    """A section of mutants.d/*.txt beside the curated file counts as one
    of it, after it; a name defined in two files is an error naming the
    second."""
    m = mutate()
    src = os.path.join(ctx.tmp, "t.c")
    with open(src, "w") as f:
        f.write(SOURCE)
    curated = os.path.join(ctx.tmp, "mutants.txt")
    with open(curated, "w") as f:
        f.write(f"""[in-main]
file = {src}
after = static bool b(
match = return true;
from = true
to = false
""")
    os.mkdir(os.path.join(ctx.tmp, "mutants.d"))
    more = os.path.join(ctx.tmp, "mutants.d", "b.txt")
    with open(more, "w") as f:
        f.write(f"""[in-dir]
file = {src}
match = return false;
from = false
to = true
equivalent = says why
""")
    with open(os.path.join(ctx.tmp, "mutants.d", "README"), "w") as f:
        f.write("not a section file\n")
    named, equivalent, stale = m.load_curated(curated)
    assert [x.name for x in named] == ["in-main"]
    assert stale == [("in-dir", f"'return false;' is on 2 lines of {src}, "
                      "not one")], stale
    assert equivalent == []
    with open(os.path.join(ctx.tmp, "mutants.d", "c.txt"), "w") as f:
        f.write(f"[in-main]\nfile = {src}\nmatch = x\nfrom = x\nto = y\n")
    try:
        m.load_curated(curated)
    except SystemExit as e:
        assert str(e) == (f"{ctx.tmp}/mutants.d/c.txt: section [in-main] "
                          "is defined twice"), e
    else:
        raise AssertionError("a section defined twice was accepted")
