import os

try:
    os.lstat("obj-missing")
except FileNotFoundError:
    pass
