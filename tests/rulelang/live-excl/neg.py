import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
os.close(os.open("obj-a", os.O_WRONLY | os.O_CREAT, 0o644))
if libc.renameat2(-100, b"obj-a", -100, b"obj-b", 0) != 0:
    print("renameat2: " + os.strerror(ctypes.get_errno()), file=sys.stderr)
    sys.exit(77)
os.rename("obj-b", "obj-c")
