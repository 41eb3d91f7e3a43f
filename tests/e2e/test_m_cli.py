"""The command line at its edges: how a program to run is looked up and
refused, word for word, for record and run alike; nothing is written
when it is refused."""
import os

import harness


def _refused(ctx, prog, message, env=None):
    out = os.path.join(ctx.tmp, "t.jsonl")
    for args in (["record", "-o", out, "--", prog],
                 ["run", "--no-default-rules", "--", prog]):
        p = ctx.run(args, env=env)
        assert (p.returncode, p.stdout, p.stderr) == (
            2, "", f"fsrace: {message}\n"), (args, p.returncode, p.stderr)
        assert not os.path.exists(out), args


def test_program_not_found_in_path(ctx):
    """A name without a slash that no PATH directory has: "not found in
    PATH", not the ENOENT of some directory."""
    env = dict(os.environ, PATH=ctx.tmp)
    _refused(ctx, "fsr-no-such-program",
             "cannot execute 'fsr-no-such-program': not found in PATH",
             env=env)


def test_program_that_is_no_regular_file(ctx):
    """A path to a FIFO or a directory is refused as execve would:
    EACCES and EISDIR; a directory of the program's name in PATH is
    passed over for the program after it."""
    fifo = os.path.join(ctx.tmp, "fifo")
    os.mkfifo(fifo)
    _refused(ctx, fifo, f"cannot execute '{fifo}': Permission denied")
    d = os.path.join(ctx.tmp, "dir")
    os.mkdir(d)
    _refused(ctx, d, f"cannot execute '{d}': Is a directory")
    first, second = os.path.join(ctx.tmp, "p1"), os.path.join(ctx.tmp, "p2")
    os.makedirs(os.path.join(first, "prog"))
    os.mkdir(second)
    harness.write_file(os.path.join(second, "prog"), "#!/bin/sh\nexit 6\n",
                       0o755)
    env = dict(os.environ, PATH=f"{first}:{second}")
    out = os.path.join(ctx.tmp, "t.jsonl")
    p = ctx.run(["record", "-o", out, "--", "prog"], env=env)
    assert (p.returncode, p.stderr) == (6, ""), (p.returncode, p.stderr)
    # only a directory of that name: not found, as execvp says ENOENT
    os.unlink(out)
    env = dict(os.environ, PATH=first)
    _refused(ctx, "prog", "cannot execute 'prog': not found in PATH",
             env=env)
