import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD, RENAME_NOREPLACE = -100, 1
os.close(os.open("obj-a", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
os.close(os.open("obj-b", os.O_WRONLY | os.O_CREAT, 0o644))
if libc.renameat2(AT_FDCWD, b"obj-a", AT_FDCWD, b"obj-c",
                  RENAME_NOREPLACE) != 0:
    print("renameat2: " + os.strerror(ctypes.get_errno()), file=sys.stderr)
    sys.exit(77)
os.rename("obj-b", "obj-d")
