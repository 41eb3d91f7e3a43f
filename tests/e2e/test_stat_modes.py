"""A strace log's st_mode names (S_IFREG|0644, S_IFSOCK|0755, …) import
as the mode the kernel gave: the file type bits of each, exactly."""
import json
import os

TYPES = [("S_IFREG", 0o100000), ("S_IFDIR", 0o040000),
         ("S_IFLNK", 0o120000), ("S_IFIFO", 0o010000),
         ("S_IFSOCK", 0o140000), ("S_IFCHR", 0o020000),
         ("S_IFBLK", 0o060000)]


def test_st_mode_names_import_as_their_values(ctx):
    log = os.path.join(ctx.tmp, "s.log")
    with open(log, "w") as f:
        for i, (name, _) in enumerate(TYPES):
            f.write(f'9 newfstatat(AT_FDCWD</w>, "f{i}", {{st_dev=makedev('
                    f'0xfe, 0), st_ino={i + 5}, st_mode={name}|0644, '
                    f'st_nlink=1, st_uid=0, st_gid=0, st_size=0}}, 0) = 0\n')
    out = os.path.join(ctx.tmp, "s.jsonl")
    p = ctx.run(["import", "-o", out, log])
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    with open(out) as f:
        recs = [json.loads(line) for line in f][1:]
    got = [(r["path"], r["stat"]["mode"]) for r in recs]
    assert got == [(f"f{i}", v | 0o644) for i, (_, v) in enumerate(TYPES)], \
        [(pth, oct(m)) for pth, m in got]
    p = ctx.run(["dump", out])
    assert p.returncode == 0, p.stderr
    modes = [line.split("mode=")[1].split(",")[0]
             for line in p.stdout.splitlines() if "mode=" in line]
    assert modes == ["0%o" % (v | 0o644) for _, v in TYPES], modes
