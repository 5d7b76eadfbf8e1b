"""MicroPython: fill a flash image's log with copies of one session until logging turns off.

    micropython mp_fill.py IMAGE SESSION.json [format] [per-frame] [count=N]

``SESSION.json``: the frames of one session as the watch logged it (START
fields, the in-session frames, END, CHECKIN), replayed through the watch's own
``runcue.logstore.LogStore`` (the image's /lib copy) on LittleFS, exactly the
calls firmware/app.py makes: begin, append..., end, checkin.  With ``format``
the image is formatted first and holds nothing but the log.  Stops at the first
session that starts with logging off (that one goes into the reserve as a
SUMMARY, as on the watch), or after N sessions.  Prints one JSON line.

Speed (a full log is thousands of records): the watch flushes each record,
and littlefs then copies the file's last block; here each session's frames go
through the same write() calls but are flushed once, when the store closes
the file (``per-frame`` as the 4th argument flushes each, as the watch does;
the files and so the blocks they take come out the same).  The store also
checks the free space (os.statvfs, which on littlefs walks the filesystem)
before every record; here it is read once before each session, and again
before each record only when it was within a few blocks of the reserve, so
every decision near the reserve is the real one.  The blocks are kept in RAM
(the same bytes as the image file, written back at the end).
"""

import json
import os
import sys

import vfs

RTC_BYTES = 512  # simhw.RTC_BYTES: the sim's clock block after the filesystem
BLOCK = 4096


class RamFlash:
    """The image's filesystem blocks in RAM: simhw.Flash's interface, block writes counted."""

    def __init__(self, path):
        with open(path, "rb") as f:
            self.data = bytearray(f.read())
        self.mv = memoryview(self.data)
        self.blocks = (len(self.data) - RTC_BYTES) // BLOCK
        self.writes = self.erases = 0
        self.ff = b"\xff" * BLOCK

    def readblocks(self, block, buf, offset=0):
        a = block * BLOCK + offset
        buf[:] = self.mv[a:a + len(buf)]

    def writeblocks(self, block, buf, offset=None):
        if offset is None:
            self.ioctl(6, block)
            offset = 0
        self.writes += 1
        a = block * BLOCK + offset
        self.mv[a:a + len(buf)] = buf

    def ioctl(self, op, arg):
        if op == 4:
            return self.blocks
        if op == 5:
            return BLOCK
        if op == 6:
            self.erases += 1
            self.mv[arg * BLOCK:(arg + 1) * BLOCK] = self.ff
        return 0

    def save(self, path):
        with open(path, "r+b") as f:
            f.write(self.mv[:self.blocks * BLOCK])


image, session = sys.argv[1], sys.argv[2]
fresh = "format" in sys.argv[3:]
per_frame = "per-frame" in sys.argv[3:]
count = 0
for a in sys.argv[3:]:
    if a.startswith("count="):
        count = int(a[6:])
with open(session) as f:
    s = json.load(f)
bd = RamFlash(image)
if fresh:
    vfs.VfsLfs2.mkfs(bd)
    sys.path.insert(0, s["lib"])  # the host's core: a fresh image holds no firmware
vfs.mount(vfs.VfsLfs2(bd), "/flash")
if not fresh:
    sys.path.insert(0, "/flash/lib")
from runcue import records as R  # noqa: E402
from runcue.logstore import LogStore  # noqa: E402


def free():
    st = os.statvfs("/flash")
    return st[3] * st[0]


store = LogStore("/flash/log")
store.open()
block = os.statvfs("/flash")[0]
known = [0]


def free_bytes():
    if known[0] - 3 * block >= store.reserve_bytes:
        return known[0]  # a session takes far less than 3 blocks: the same answer
    return free()


store.free_bytes = free_bytes


class OneFlush:
    """The session's file, flushed when closed (see Speed above)."""

    def __init__(self, f):
        self.f = f

    def write(self, data):
        return self.f.write(data)

    def flush(self):
        pass

    def close(self):
        self.f.close()

free0 = free()
writes0, erases0 = bd.writes, bd.erases
logged = 0
start = s["start"]
while True:
    known[0] = free()
    store.begin(start[R.START_PROGRAM_ID], start[R.START_PLAN_WEEK], start[R.START_PLAN_SESSION], start[R.START_RTC],
                start[R.START_UPTIME_S], start[R.START_MOOD_BEFORE])
    off = store.logging_off
    if store._f is not None and not per_frame:
        store._f = OneFlush(store._f)
    for rtype, fields in s["frames"]:
        store.append(rtype, *fields)
    store.end(*s["end"])
    store.checkin(*s["checkin"])
    if off:
        break
    logged += 1
    if logged == count:
        break
vfs.umount("/flash")
vfs.mount(vfs.VfsLfs2(bd), "/flash")  # what a reboot would find
files = sorted(os.listdir("/flash/log"))
sizes = [os.stat("/flash/log/" + n)[6] for n in files if n.endswith(".log")]
st = os.statvfs("/flash")
print(json.dumps({"sessions": logged, "free_before": free0, "free_after": free(), "block": st[0],
                  "blocks": st[2], "log_files": len(sizes), "log_bytes": sum(sizes),
                  "file_min": min(sizes) if sizes else 0, "file_max": max(sizes) if sizes else 0,
                  "logging_off": store.logging_off, "writes": bd.writes - writes0,
                  "erases": bd.erases - erases0, "files": files}))
vfs.umount("/flash")
bd.save(image)
