import os

os.mkdir("obj-a")
os.close(os.open("obj-a", os.O_RDONLY))
os.stat("obj-a")
