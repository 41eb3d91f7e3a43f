"""Headless Chromium for the HTML report's tests: the DOM a real browser
builds from a page (after its script ran), a screenshot, and a small DOM
tree to query."""
import html.parser
import os
import shutil
import struct
import subprocess
import tempfile

import harness

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "source", "track", "wbr"}


def chromium():
    """The browser, or a loud skip (tools/deps.sh --browser installs
    it)."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise harness.Skip("no chromium: tools/deps.sh --browser installs it "
                       "(Debian package chromium)")


def _run(args, timeout=120):
    profile = tempfile.mkdtemp(prefix="fsrace-chromium-")
    try:
        return subprocess.run(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--disable-extensions",
             f"--user-data-dir={profile}", *args],
            capture_output=True, timeout=timeout)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def dump_dom(path, fragment=""):
    """The DOM Chromium serializes after loading PATH (with #FRAGMENT),
    as a Node tree."""
    url = "file://" + os.path.abspath(path) + (
        "#" + fragment if fragment else "")
    p = _run(["--dump-dom", url])
    assert p.returncode == 0, p.stderr.decode(errors="replace")[-2000:]
    return parse(p.stdout.decode("utf-8"))


def screenshot(path, out, width=1000, height=1400):
    """A PNG of PATH as Chromium renders it; returns its (width,
    height)."""
    p = _run([f"--screenshot={out}", f"--window-size={width},{height}",
              "--hide-scrollbars", "file://" + os.path.abspath(path)])
    assert p.returncode == 0 and os.path.exists(out), \
        p.stderr.decode(errors="replace")[-2000:]
    with open(out, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", head
    return struct.unpack(">II", head[16:24])


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag = tag
        self.attrs = dict(attrs)
        self.parent = parent
        self.children = []

    def text(self):
        """The text of the node and all below it."""
        return "".join(c if isinstance(c, str) else c.text()
                       for c in self.children)

    def classes(self):
        return (self.attrs.get("class") or "").split()

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def find_all(self, tag=None, cls=None, **attrs):
        """The nodes below (and with) this one of TAG, with class CLS and
        the attributes ATTRS (data_pid= for data-pid)."""
        want = {k.replace("_", "-"): v for k, v in attrs.items()}
        return [n for n in self.iter()
                if (tag is None or n.tag == tag)
                and (cls is None or cls in n.classes())
                and all(n.attrs.get(k) == v for k, v in want.items())]

    def find(self, tag=None, cls=None, **attrs):
        got = self.find_all(tag, cls, **attrs)
        assert len(got) == 1, (tag, cls, attrs, len(got))
        return got[0]

    def child_text(self, tag):
        """The text of the first direct child TAG (an SVG <title>)."""
        for c in self.children:
            if isinstance(c, Node) and c.tag == tag:
                return c.text()
        return None


class _Builder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", [], None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        n = Node(tag, [(k, v if v is not None else "") for k, v in attrs],
                 self.cur)
        self.cur.children.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        n = Node(tag, [(k, v if v is not None else "") for k, v in attrs],
                 self.cur)
        self.cur.children.append(n)

    def handle_endtag(self, tag):
        n = self.cur
        while n is not self.root and n.tag != tag:
            n = n.parent
        if n is not self.root:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(text):
    b = _Builder()
    b.feed(text)
    b.close()
    return b.root
