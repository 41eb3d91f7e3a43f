"""A suppression's path tokens on a real interpreter: "{exe}" is the
image the kernel exec'd, never the script the interpreter reads;
"{script}" is that script. python3 stats its script, then opens it."""
import json
import os

import harness

PYTHON = "/usr/bin/python3"


def test_exe_is_not_the_script(ctx):
    script = harness.write_file(os.path.join(ctx.tmp, "s.py"), "pass\n")
    out = os.path.join(ctx.tmp, "r.json")
    for token, suppressed in (("{exe}", False), ("{script}", True)):
        supp = os.path.join(ctx.tmp, "supp.json")
        with open(supp, "w", encoding="utf-8") as f:
            json.dump({"suppressions": [{"rule": "check-then-use",
                                         "path": token, "reason": "t"}]},
                      f)
        p = ctx.run(["run", "--no-default-suppressions", "-r", supp,
                     "--show-suppressed", "-o", out, "--", PYTHON, "-S",
                     script])
        assert p.returncode in (0, 1), p.stderr
        doc = harness.read_findings(out)
        mine = [(f["rule"], f["evidence"][0].get("abspath"))
                for f in doc["findings"]
                if f["evidence"][0].get("abspath") == script]
        gone = [(f["rule"], f["evidence"][0].get("abspath"), f["reason"])
                for f in doc["suppressed"]]
        if suppressed:
            assert (mine, gone) == (
                [], [("check-then-use", script, f"t ({supp}:1)")]), \
                (token, mine, gone)
        else:
            assert (mine, gone) == ([("check-then-use", script)], []), \
                (token, mine, gone)
