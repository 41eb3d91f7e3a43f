"""Inputs the tests write at run time."""


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
