import os

for name in ("obj-a", "obj-b", "obj-c", "obj-d"):
    os.mknod(name)
os.close(os.open("obj-a", os.O_RDONLY))
os.close(os.open("obj-b", os.O_RDONLY | os.O_NOFOLLOW))
os.lstat("obj-c")
os.stat("obj-d")
