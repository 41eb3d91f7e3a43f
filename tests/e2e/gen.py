"""Inputs the tests write at run time."""


class Clock:
    """The -tt times of a strace log: each line STEP seconds after the
    last, from 10:00:00."""

    def __init__(self, step):
        self.t, self.step = 36000.0, step

    def line(self, f, pid, x):
        self.t += self.step
        h, r = divmod(self.t, 3600)
        m, s = divmod(r, 60)
        f.write(f"{pid} {int(h):02d}:{int(m):02d}:{s:09.6f} {x}\n")


def many_findings_log(path, n, evil_at=None):
    """A strace log of N processes, each a program of its own that stats
    a file and opens it by name: N findings in N groups (names of
    letters: names that differ in digits only are one finding). The
    EVIL_AT'th's path holds markup that would end a <script>."""
    def name(i):
        s = ""
        for _ in range(3):
            s += "abcdefghijklmnopqrstuvwxyz"[i % 26]
            i //= 26
        return s
    t = 36000.0
    with open(path, "w") as f:
        for i in range(n):
            pid, nm = 10000 + i, name(i)
            p = f"/srv/data/{nm}/config"
            if i == evil_at:
                p = "/srv/data/</script><script>alert(1)</script>/config"
            lines = [
                f'execve("/usr/bin/tool-{nm}", ["tool-{nm}"], 0x7ffd0 '
                f'/* 20 vars */) = 0 <0.000300>',
                f'newfstatat(AT_FDCWD, "{p}", {{st_mode=S_IFREG|0644, '
                f'st_size=5, ...}}, 0) = 0 <0.000010>',
                f'openat(AT_FDCWD, "{p}", O_RDONLY) = 3<{p}> <0.000012>',
                "exit_group(0) = ?",
                "+++ exited with 0 +++"]
            for x in lines:
                t += 0.0001
                h, r = divmod(t, 3600)
                m, s = divmod(r, 60)
                f.write(f"{pid} {int(h):02d}:{int(m):02d}:{s:09.6f} {x}\n")


def many_children_log(path, n, lost=(), early=False):
    """A strace -f -tt -T -y log of a parent forking N children, each of
    which opens a file of its own and closes it. The children numbered in
    LOST make no call (a log without -f would show them so). EARLY: each
    child runs and exits before its clone's result is shown."""
    t = 36000.0

    def line(f, pid, x):
        nonlocal t
        t += 0.00001
        h, r = divmod(t, 3600)
        m, s = divmod(r, 60)
        f.write(f"{pid} {int(h):02d}:{int(m):02d}:{s:09.6f} {x}\n")

    with open(path, "w") as f:
        line(f, 100, 'execve("/usr/bin/spawner", ["spawner"], 0x7ffd0 '
             '/* 20 vars */) = 0 <0.000300>')
        line(f, 100, 'openat(AT_FDCWD</srv>, "/srv/absent", O_RDONLY) = -1 '
             'ENOENT (No such file or directory) <0.000010>')
        for i in range(n):
            pid = 1000 + i
            clone = ("clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID"
                     "|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f0")
            if early:
                line(f, 100, clone + " <unfinished ...>")
            else:
                line(f, 100, f"{clone}) = {pid} <0.000050>")
            if i not in lost:
                p = f"/srv/job/{i}"
                line(f, pid, f'openat(AT_FDCWD</srv>, "{p}", O_RDONLY) = '
                     f"3<{p}> <0.000012>")
                line(f, pid, f"close(3<{p}>) = 0 <0.000002>")
                line(f, pid, "exit_group(0) = ?")
                line(f, pid, "+++ exited with 0 +++")
            if early:
                line(f, 100, f"<... clone resumed>) = {pid} <0.000050>")
        line(f, 100, "exit_group(0) = ?")
        line(f, 100, "+++ exited with 0 +++")


def many_names_log(path, n, temps=False):
    """A strace -f -tt -T -y log of one process that makes the private
    directory /srv/w/first (0700), stats and opens a file in it, makes N
    more names under /srv/w/m, then does the same in /srv/w/last. The N
    names are directories, or with TEMPS files made as mkstemp makes
    them (O_RDWR|O_CREAT|O_EXCL, 0600)."""
    clock = Clock(0.00002)

    def line(f, x):
        clock.line(f, 100, x)

    def check_use(f, d):
        p = f"/srv/w/{d}/f"
        line(f, f'mkdir("/srv/w/{d}", 0700) = 0 <0.000010>')
        line(f, f'openat(AT_FDCWD</srv/w>, "{p}", O_WRONLY|O_CREAT|O_EXCL'
             f', 0600) = 3<{p}> <0.000010>')
        line(f, f"close(3<{p}>) = 0 <0.000002>")
        line(f, f'newfstatat(AT_FDCWD</srv/w>, "{p}", {{st_mode=S_IFREG|'
             f'0600, st_size=0, ...}}, 0) = 0 <0.000005>')
        line(f, f'openat(AT_FDCWD</srv/w>, "{p}", O_RDONLY) = 3<{p}> '
             f'<0.000010>')
        line(f, f"close(3<{p}>) = 0 <0.000002>")

    with open(path, "w") as f:
        line(f, 'execve("/usr/bin/maker", ["maker"], 0x7ffd0 /* 20 vars */)'
             ' = 0 <0.000300>')
        line(f, 'access("/etc/ld.so.preload", R_OK) = -1 ENOENT (No such '
             'file or directory) <0.000008>')
        line(f, 'mkdir("/srv/w/m", 0755) = 0 <0.000010>')
        check_use(f, "first")
        for i in range(n):
            p = f"/srv/w/m/{i}"
            if temps:
                line(f, f'openat(AT_FDCWD</srv/w>, "{p}", O_RDWR|O_CREAT|'
                     f'O_EXCL, 0600) = 3<{p}> <0.000010>')
                line(f, f"close(3<{p}>) = 0 <0.000002>")
            else:
                line(f, f'mkdir("{p}", 0755) = 0 <0.000010>')
        check_use(f, "last")
        line(f, "exit_group(0) = ?")
        line(f, "+++ exited with 0 +++")


def many_stacks_log(path, n, frames=1, modules=False):
    """A strace -f -tt -T -y -k log of one process: a stat then an open
    of /srv/w/a/f, N stats of names /srv/w/n/I that are not there, then
    a stat and an open of /srv/w/b/f. Every call has a stack of its own
    (FRAMES frames, each a function of its own; with MODULES each in a
    library of its own), so the log has N + 4 distinct stacks, and
    (N + 4) * FRAMES names of frames and as many functions."""
    clock = Clock(0.00002)
    k = 0

    def line(f, x, stack=True):
        nonlocal k
        clock.line(f, 100, x)
        if not stack:
            return
        for j in range(frames):
            mod = f"/srv/lib/m{k}_{j}.so" if modules else "/srv/app/prog"
            f.write(f" > {mod}(f{k}_{j}+0x1d) [0x{0x1000 + j:x}]\n")
        k += 1

    def check_use(f, d):
        p = f"/srv/w/{d}/f"
        line(f, f'newfstatat(AT_FDCWD</srv/w>, "{p}", {{st_mode=S_IFREG|'
             f'0644, st_size=5, ...}}, 0) = 0 <0.000005>')
        line(f, f'openat(AT_FDCWD</srv/w>, "{p}", O_RDONLY) = 3<{p}> '
             f'<0.000010>')
        line(f, f"close(3<{p}>) = 0 <0.000002>", stack=False)

    with open(path, "w") as f:
        line(f, 'execve("/srv/app/prog", ["prog"], 0x7ffd0 /* 20 vars */) '
             '= 0 <0.000300>', stack=False)
        check_use(f, "a")
        for i in range(n):
            line(f, f'newfstatat(AT_FDCWD</srv/w>, "/srv/w/n/{i}", '
                 f'0x7ffc0, 0) = -1 ENOENT (No such file or directory) '
                 f'<0.000005>')
        check_use(f, "b")
        line(f, "exit_group(0) = ?", stack=False)
        line(f, "+++ exited with 0 +++", stack=False)


def private_then_shared_log(path, n, renames=False):
    """A strace -f -tt -T -y log of one process that makes N private
    directories (0700) /srv/w/p-NAME, NAME of letters, and stats then
    opens a file in each: N distinct check-then-use findings, none
    reported (private to the traced tree). Or with RENAMES, writes a
    file /srv/w/r-NAME/f.tmp and renames it over f, with no fsync: N
    rename-without-fsync findings decided at the end. Then it stats and
    opens /srv/w/shared/f, which it did not make: that one is
    reported."""
    clock = Clock(0.00002)

    def line(f, x):
        clock.line(f, 100, x)

    def name(i):
        s = ""
        for _ in range(4):
            s += "abcdefghijklmnopqrstuvwxyz"[i % 26]
            i //= 26
        return s

    def check_use(f, p):
        line(f, f'newfstatat(AT_FDCWD</srv/w>, "{p}", {{st_mode=S_IFREG|'
             f'0600, st_size=0, ...}}, 0) = 0 <0.000005>')
        line(f, f'openat(AT_FDCWD</srv/w>, "{p}", O_RDONLY) = 3<{p}> '
             f'<0.000010>')
        line(f, f"close(3<{p}>) = 0 <0.000002>")

    with open(path, "w") as f:
        line(f, 'execve("/usr/bin/maker", ["maker"], 0x7ffd0 /* 20 vars */)'
             ' = 0 <0.000300>')
        for i in range(n):
            if renames:
                d = f"/srv/w/r-{name(i)}"
                line(f, f'openat(AT_FDCWD</srv/w>, "{d}/f.tmp", O_WRONLY|'
                     f'O_CREAT|O_EXCL, 0644) = 3<{d}/f.tmp> <0.000010>')
                line(f, f'write(3<{d}/f.tmp>, "x", 1) = 1 <0.000003>')
                line(f, f"close(3<{d}/f.tmp>) = 0 <0.000002>")
                line(f, f'rename("{d}/f.tmp", "{d}/f") = 0 <0.000010>')
                continue
            d = f"/srv/w/p-{name(i)}"
            line(f, f'mkdir("{d}", 0700) = 0 <0.000010>')
            line(f, f'openat(AT_FDCWD</srv/w>, "{d}/f", O_WRONLY|O_CREAT|'
                 f'O_EXCL, 0600) = 3<{d}/f> <0.000010>')
            line(f, f"close(3<{d}/f>) = 0 <0.000002>")
            check_use(f, f"{d}/f")
        check_use(f, "/srv/w/shared/f")
        line(f, "exit_group(0) = ?")
        line(f, "+++ exited with 0 +++")
