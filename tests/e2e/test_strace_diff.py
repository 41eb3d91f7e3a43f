"""Differential tests against strace: every fixture of fixtures/record/ runs
once under `strace -f -qq -y` and once under `fsrace record`, each in a
fresh directory with the same arguments, and the two must agree on the
sequence of (syscall, resolved path(s), return value, errno) of every
task, for the events that touch that directory.

strace prints paths as the program passed them; they are resolved here the
way the kernel does it (lexically, as fsrace does): against the directory
fd that strace -y decorates (`3</dir>`, `AT_FDCWD</dir>`), or against the
task's working directory, followed through chdir/fchdir. Task ids differ
between the runs, so the per-task sequences are compared as a multiset."""
import os
import re
import shutil
import subprocess

import harness
from harness import Skip, copy_fixture, read_trace, under, write_file

TRACED = ("open,openat,openat2,creat,close,close_range,dup,dup2,dup3,fcntl,"
          "stat,lstat,fstat,newfstatat,statx,access,faccessat,faccessat2,"
          "readlink,readlinkat,rename,renameat,renameat2,link,linkat,"
          "symlink,symlinkat,unlink,unlinkat,mkdir,mkdirat,rmdir,mknod,"
          "mknodat,chmod,fchmod,fchmodat,chown,fchown,lchown,fchownat,"
          "truncate,ftruncate,utime,utimes,utimensat,futimesat,setxattr,"
          "lsetxattr,fsetxattr,removexattr,lremovexattr,fremovexattr,chdir,"
          "fchdir,chroot,execve,execveat,fsync,fdatasync,syncfs,sync,"
          "sync_file_range,copy_file_range,sendfile")
# not compared (fsrace writes fork records for them), but strace must show
# them so that a new task inherits its parent's working directory
PROCESS = "clone,clone3,fork,vfork"

# How to find the path operands of each syscall in strace's argument list:
#   ("p", i)      path string at i, relative to the task's cwd
#   ("at", d, i)  path string at i, relative to directory fd at d
#   ("fd", i)     the file that descriptor i names
# The first operand is compared with fsrace's abspath (or fd_path), the
# second with abspath2 (or fd2_path).
P1 = {
    "open": ("p", 0), "creat": ("p", 0), "stat": ("p", 0),
    "lstat": ("p", 0), "access": ("p", 0), "readlink": ("p", 0),
    "rename": ("p", 0), "link": ("p", 0), "symlink": ("p", 1),
    "unlink": ("p", 0), "mkdir": ("p", 0), "rmdir": ("p", 0),
    "mknod": ("p", 0), "chmod": ("p", 0), "chown": ("p", 0),
    "lchown": ("p", 0), "truncate": ("p", 0), "utime": ("p", 0),
    "utimes": ("p", 0), "setxattr": ("p", 0), "lsetxattr": ("p", 0),
    "removexattr": ("p", 0), "lremovexattr": ("p", 0), "chdir": ("p", 0),
    "chroot": ("p", 0), "execve": ("p", 0),
    "openat": ("at", 0, 1), "openat2": ("at", 0, 1),
    "newfstatat": ("at", 0, 1), "statx": ("at", 0, 1),
    "faccessat": ("at", 0, 1), "faccessat2": ("at", 0, 1),
    "readlinkat": ("at", 0, 1), "renameat": ("at", 0, 1),
    "renameat2": ("at", 0, 1), "linkat": ("at", 0, 1),
    "symlinkat": ("at", 1, 2), "unlinkat": ("at", 0, 1),
    "mkdirat": ("at", 0, 1), "mknodat": ("at", 0, 1),
    "fchmodat": ("at", 0, 1), "fchownat": ("at", 0, 1),
    "utimensat": ("at", 0, 1), "futimesat": ("at", 0, 1),
    "execveat": ("at", 0, 1),
    "close": ("fd", 0), "dup": ("fd", 0), "dup2": ("fd", 0),
    "dup3": ("fd", 0), "fcntl": ("fd", 0), "fstat": ("fd", 0),
    "fchmod": ("fd", 0), "fchown": ("fd", 0), "ftruncate": ("fd", 0),
    "fsetxattr": ("fd", 0), "fremovexattr": ("fd", 0), "fchdir": ("fd", 0),
    "fsync": ("fd", 0), "fdatasync": ("fd", 0), "syncfs": ("fd", 0),
    "sync_file_range": ("fd", 0), "copy_file_range": ("fd", 0),
    "sendfile": ("fd", 0),
}
P2 = {
    "rename": ("p", 1), "link": ("p", 1),
    "renameat": ("at", 2, 3), "renameat2": ("at", 2, 3),
    "linkat": ("at", 2, 3),
    "copy_file_range": ("fd", 2), "sendfile": ("fd", 1),
}
NO_RESULT = {"close", "close_range", "sync"}     # fsrace does not wait
FD_RESULT = {"open", "openat", "openat2", "creat", "dup", "dup2", "dup3",
             "fcntl"}
FCNTL_CMDS = {"F_DUPFD", "F_DUPFD_CLOEXEC", "F_SETFD"}
AT_FDCWD = -100


def norm(path):
    """Lexical normalization: no ".", "..", or repeated "/"."""
    parts = []
    for c in path.split("/"):
        if c in ("", "."):
            continue
        if c == "..":
            if parts:
                parts.pop()
            continue
        parts.append(c)
    return "/" + "/".join(parts)


def resolve(base, path):
    return norm(path if path.startswith("/") else base + "/" + path)


# --- strace's output -------------------------------------------------------

ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "v": "\v", "f": "\f",
           "\\": "\\", '"': '"'}


def unquote(s):
    """strace's quoted string (without its quotes) as bytes -> str."""
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            if n == "x":
                out.append(int(s[i + 2:i + 4], 16))
                i += 4
                continue
            if n.isdigit():
                j = i + 1
                while j < len(s) and j < i + 4 and s[j].isdigit():
                    j += 1
                out.append(int(s[i + 1:j], 8))
                i = j
                continue
            out += ESCAPES.get(n, n).encode()
            i += 2
            continue
        out += c.encode()
        i += 1
    return out.decode("utf-8", "surrogateescape")


def split_call(text):
    """'name(a, b, c) = ret…' -> (name, [args], 'ret…'), or None."""
    m = re.match(r"([a-z_0-9]+)\(", text)
    if not m:
        return None
    name, i = m.group(1), m.end()
    args, cur, depth, instr = [], [], 0, False
    while i < len(text):
        c = text[i]
        if instr:
            cur.append(c)
            if c == "\\":
                cur.append(text[i + 1])
                i += 1
            elif c == '"':
                instr = False
        elif c == '"':
            instr = True
            cur.append(c)
        elif c == "<" and cur and (cur[-1].isalnum()):
            j = text.index(">", i)          # a -y decoration
            cur.append(text[i:j + 1])
            i = j
        elif c in "([{":
            depth += 1
            cur.append(c)
        elif c in ")]}":
            if depth == 0 and c == ")":
                args.append("".join(cur).strip())
                rest = text[i + 1:].strip()
                if not rest.startswith("="):
                    return None
                if args == [""]:
                    args = []
                return name, args, rest[1:].strip()
            depth -= 1
            cur.append(c)
        elif c == "," and depth == 0:
            args.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    return None


def string_arg(a):
    """A quoted path argument -> str; NULL -> None."""
    if a == "NULL":
        return None
    m = re.match(r'^"(.*)"(\.\.\.)?$', a, re.S)
    assert m, f"not a string argument: {a!r}"
    return unquote(m.group(1))


def fd_arg(a):
    """'3</path>' -> (3, '/path'); 'AT_FDCWD</d>' -> (-100, '/d');
    '4' -> (4, None)."""
    m = re.match(r"^(AT_FDCWD|-?\d+)(?:<(.*)>)?$", a, re.S)
    assert m, f"not an fd argument: {a!r}"
    n = AT_FDCWD if m.group(1) == "AT_FDCWD" else int(m.group(1))
    return n, (unquote(m.group(2)) if m.group(2) is not None else None)


def parse_result(rest):
    """'3</p>' / '-1 ENOENT (…)' / '0x8000 (flags …)' -> (ret, errno)."""
    m = re.match(r"^(-?\d+|0x[0-9a-f]+|\?)(?:<[^>]*>)?(?:\s+(E[A-Z0-9]+))?",
                 rest)
    assert m, f"unparsed result {rest!r}"
    if m.group(1) == "?":
        return None, None
    return int(m.group(1), 0), m.group(2)


def strace_lines(log):
    """(tid, 'name(args) = ret') for every completed call, with
    <unfinished …>/<… resumed> pairs joined."""
    pending = {}
    with open(log, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            m = re.match(r"^(\d+)\s+(.*)$", line.rstrip("\n"))
            if not m:
                continue
            tid, text = int(m.group(1)), m.group(2)
            if text.startswith(("+++", "---")):
                continue
            r = re.match(r"^<\.\.\. [a-z_0-9]+ resumed>(.*)$", text)
            if r:
                text = pending.pop(tid, "") + r.group(1)
            u = re.match(r"^(.*?) ?<unfinished \.\.\.>$", text)
            if u:
                pending[tid] = u.group(1)
                continue
            c = re.match(r"^(.*?) ?<pid changed to (\d+) \.\.\.>$", text)
            if c:
                pending[int(c.group(2))] = c.group(1)
                continue
            yield tid, text


def strace_events(log, start_dir):
    """The strace log as a list of events dict(tid, syscall, p1, p2, ret,
    errno) with every path resolved to an absolute one."""
    cwd = {}
    events = []
    for tid, text in strace_lines(log):
        call = split_call(text)
        assert call, f"unparsed strace line: {tid} {text}"
        name, args, rest = call
        ret, err = parse_result(rest)
        base = cwd.setdefault(tid, start_dir)
        if name in ("clone", "clone3", "fork", "vfork"):
            if ret is not None and ret > 0:
                cwd[ret] = base
            continue

        def operand(spec):
            if spec is None:
                return None
            if spec[0] == "p":
                p = string_arg(args[spec[1]])
                return None if p is None else resolve(cwd[tid], p)
            if spec[0] == "fd":
                return fd_arg(args[spec[1]])[1]
            n, dpath = fd_arg(args[spec[1]])
            p = string_arg(args[spec[2]])
            if n == AT_FDCWD and dpath:
                cwd[tid] = dpath
            if p is None or p == "":
                return dpath
            if p.startswith("/"):
                return norm(p)
            return resolve(dpath if dpath else cwd[tid], p)

        if name == "fcntl" and args[1] not in FCNTL_CMDS:
            continue
        p1, p2 = operand(P1.get(name)), operand(P2.get(name))
        if name in ("chdir", "fchdir") and ret == 0 and p1:
            cwd[tid] = p1
        if name in NO_RESULT:
            ret = err = None
        events.append(dict(tid=tid, syscall=name, p1=p1, p2=p2, ret=ret,
                           errno=err))
    return events


# --- fsrace's trace --------------------------------------------------------

def fsrace_events(records):
    events = []
    for r in records:
        if r.get("type") != "syscall":
            continue
        name = r["syscall"]
        p1 = p2 = None
        if name in P1:
            p1 = r.get("fd_path" if P1[name][0] == "fd" else "abspath")
        if name in P2:
            p2 = r.get("fd2_path" if P2[name][0] == "fd" else "abspath2")
        events.append(dict(tid=r["tid"], syscall=name, p1=p1, p2=p2,
                           ret=r.get("ret"), errno=r.get("errno")))
    return events


# --- the comparison --------------------------------------------------------

def per_task(events, root, fd_numbers):
    """Events under ROOT grouped per task: a sorted list of tuples of
    (syscall, p1, p2, ret, errno), paths relative to ROOT as "$D/…"."""
    def rel(p):
        if p is None:
            return None
        return "$D" + p[len(root):] if under(p, root) else p
    tasks = {}
    for e in events:
        if not (under(e["p1"], root) or under(e["p2"], root)):
            continue
        ret = e["ret"]
        if not fd_numbers and e["syscall"] in FD_RESULT and \
                isinstance(ret, int) and ret >= 0:
            ret = "fd"
        tasks.setdefault(e["tid"], []).append(
            (e["syscall"], rel(e["p1"]), rel(e["p2"]), ret, e["errno"]))
    return sorted(tuple(seq) for seq in tasks.values())


def show(seqs):
    out = []
    for i, seq in enumerate(seqs):
        out.append(f"  task {i}:")
        out += [f"    {e}" for e in seq]
    return "\n".join(out)


def differential(ctx, name, setup, input=None, fd_numbers=True):
    """Run fixture NAME under strace and under fsrace, each in a fresh
    directory that SETUP(dir) prepares and returns the arguments for."""
    if not harness.which("strace"):
        raise Skip("strace is not installed: the differential test "
                   "needs it (apt-get install strace)")
    prog = ctx.fixture(name)
    dirs, results = {}, {}
    for tool in ("strace", "fsrace"):
        d = os.path.join(ctx.tmp, f"run-{tool}")
        os.mkdir(d)
        dirs[tool] = d
        args = setup(d)
        out = os.path.join(ctx.tmp, f"{tool}.out")
        if tool == "strace":
            cmd = ["strace", "-f", "-qq", "-y", "-e", "signal=none",
                   "-e", f"trace={TRACED},{PROCESS}", "-o", out,
                   prog, *args]
        else:
            cmd = [ctx.fsrace, "record", "-o", out, "--", prog, *args]
        p = subprocess.run(cmd, cwd=d, input=input, capture_output=True,
                           timeout=60)
        results[tool] = (p, out)
    sp, slog = results["strace"]
    fp, ftrace = results["fsrace"]
    want_rc = 128 - sp.returncode if sp.returncode < 0 else sp.returncode
    assert fp.returncode == want_rc, (
        f"fsrace exited {fp.returncode}, the program under strace "
        f"{want_rc}; stderr: {fp.stderr.decode(errors='replace')}")
    _, records = read_trace(ftrace)
    s = per_task(strace_events(slog, dirs["strace"]), dirs["strace"],
                 fd_numbers)
    f = per_task(fsrace_events(records), dirs["fsrace"], fd_numbers)
    assert s, "strace saw no events under the directory (bad fixture?)"
    if s != f:
        only_s = [x for x in s if x not in f]
        only_f = [x for x in f if x not in s]
        raise AssertionError(
            f"per-task sequences differ ({len(s)} tasks under strace, "
            f"{len(f)} under fsrace)\nonly strace:\n{show(only_s)}\n"
            f"only fsrace:\n{show(only_f)}")


def copied(ctx, name, d):
    return copy_fixture(ctx, name, os.path.join(d, "prog"))


def test_strace_stat_open(ctx):
    def setup(d):
        write_file(os.path.join(d, "data.txt"), "x\n")
        return ["data.txt", "./sub/../missing"]
    differential(ctx, "stat_open", setup)


def test_strace_chdir_rel(ctx):
    def setup(d):
        os.makedirs(os.path.join(d, "a", "sub"))
        write_file(os.path.join(d, "a", "sub", "f1"), "1\n")
        write_file(os.path.join(d, "a", "f2"), "2\n")
        return ["a"]
    differential(ctx, "chdir_rel", setup)


def test_strace_openat_dirfd(ctx):
    def setup(d):
        os.mkdir(os.path.join(d, "od"))
        return ["od"]
    differential(ctx, "openat_dirfd", setup)


def test_strace_dup_use(ctx):
    def setup(d):
        write_file(os.path.join(d, "f"), "f\n")
        return ["f"]
    differential(ctx, "dup_use", setup)


def test_strace_fork_exec(ctx):
    def setup(d):
        write_file(os.path.join(d, "in.txt"), "in\n")
        return [copied(ctx, "fork_exec", d), "in.txt", "out.txt"]
    differential(ctx, "fork_exec", setup)


def test_strace_vfork_exec(ctx):
    def setup(d):
        write_file(os.path.join(d, "data"), "x\n")
        return [copied(ctx, "vfork_exec", d), "data"]
    differential(ctx, "vfork_exec", setup)


def test_strace_threads(ctx):
    def setup(d):
        os.mkdir(os.path.join(d, "th"))
        return ["th"]
    # the threads race for the lowest free descriptor
    differential(ctx, "threads", setup, fd_numbers=False)


def test_strace_thread_exec(ctx):
    def setup(d):
        write_file(os.path.join(d, "data"), "x\n")
        return [copied(ctx, "thread_exec", d), "data"]
    differential(ctx, "thread_exec", setup)


def test_strace_killed(ctx):
    for mode in ("kill", "segv", "exit3"):
        def setup(d, mode=mode):
            write_file(os.path.join(d, "data"), "x\n")
            return [mode, "data"]
        differential(ctx, "killed", setup)
        for tool in ("strace", "fsrace"):
            shutil.rmtree(os.path.join(ctx.tmp, f"run-{tool}"))


def test_strace_catlike(ctx):
    def setup(d):
        write_file(os.path.join(d, "data"), "x\n")
        return ["data"]
    differential(ctx, "catlike", setup, input=b"stdin\n" * 1000)


def test_strace_mutations(ctx):
    differential(ctx, "mutations", lambda d: ["m"])


def test_strace_fdops(ctx):
    differential(ctx, "fdops", lambda d: ["A", "B"])


def test_strace_jobctl(ctx):
    def setup(d):
        write_file(os.path.join(d, "data"), "x\n")
        return ["data"]
    differential(ctx, "jobctl", setup)


def test_strace_loop(ctx):
    def setup(d):
        write_file(os.path.join(d, "data"), "x\n")
        return ["data", "stop", "3"]
    # two threads open the same file at once
    differential(ctx, "loop", setup, fd_numbers=False)
