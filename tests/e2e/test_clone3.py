"""clone3(2) live: the tracer reads the flags from the struct clone_args
in the tracee's memory, so a process made by clone3 with CLONE_FILES is
recorded as a process sharing its parent's fd table (what the model's
fd tables then follow), as strace shows it:
clone3({flags=CLONE_FILES, exit_signal=SIGCHLD, ...}, 88) = PID."""
import json
import os
import sys

PROGRAM = """
import ctypes, os, signal
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
args = (ctypes.c_uint64 * 11)()     # struct clone_args, 88 bytes
args[0] = %d                        # flags
args[4] = signal.SIGCHLD            # exit_signal
pid = libc.syscall(435, ctypes.byref(args), ctypes.c_size_t(88))
if pid < 0:
    raise SystemExit("clone3: errno %%d" %% ctypes.get_errno())
if pid == 0:
    os._exit(0)
os.waitpid(pid, 0)
"""


def forks_of(ctx, flags):
    prog = os.path.join(ctx.tmp, "c3.py")
    with open(prog, "w") as f:
        f.write(PROGRAM % flags)
    p, _, records = ctx.record([sys.executable, prog])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    return [{k: r.get(k) for k in ("syscall", "kind", "shares")}
            for r in records if r["type"] == "fork"
            and r["pid"] != r["child_pid"]]


def test_clone3_files_is_a_process_sharing_fds(ctx):
    assert forks_of(ctx, 0x400) == [
        {"syscall": "clone3", "kind": "process", "shares": ["files"]}]


def test_clone3_plain_is_a_process(ctx):
    assert forks_of(ctx, 0) == [
        {"syscall": "clone3", "kind": "process", "shares": []}]
