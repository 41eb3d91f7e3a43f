import os
import socket

os.close(os.open("obj-reg", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
os.mkdir("obj-dir")
os.symlink("obj-reg", "obj-lnk")
os.mkfifo("obj-fifo")
socket.socket(socket.AF_UNIX).bind("obj-sock")

for name in ['obj-reg', 'obj-dir', 'obj-lnk', 'obj-fifo', 'obj-sock']:
    os.lstat(name)
