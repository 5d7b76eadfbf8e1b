"""MicroPython: what one os.statvfs costs on a sim image (the log store calls it before every record).

    micropython mp_statvfs.py IMAGE

LittleFS answers statvfs by walking the filesystem; this counts the block
device reads (and bytes) of one call and times it (median of 5).  Prints one JSON line.
"""

import json
import os
import sys
import time

import vfs

import simhw

simhw.setup({"image": sys.argv[1]})
bd = simhw.flash
reads = [0, 0]  # calls, bytes
_read = bd.readblocks


def readblocks(block, buf, offset=0):
    reads[0] += 1
    reads[1] += len(buf)
    _read(block, buf, offset)


bd.readblocks = readblocks
vfs.mount(vfs.VfsLfs2(bd), "/flash")
us = []
for _ in range(5):
    reads[0] = reads[1] = 0
    t = time.ticks_us()
    os.statvfs("/flash")
    us.append(time.ticks_diff(time.ticks_us(), t))
us.sort()
logs = [n for n in os.listdir("/flash/log") if n.endswith(".log")]
print(json.dumps({"reads": reads[0], "bytes": reads[1], "us": us[2], "log_files": len(logs)}))
