"""MicroPython helper for the fault campaigns: ``micropython mp_flash.py CMD IMAGE ...``.

Runs on the real unix port with ``simulator/`` on MICROPYPATH (for ``simhw``),
like ``simulator/read_flash.py``, but:

- ``inspect IMAGE``: prints one JSON line with the raw bytes (hex) of every
  file on the image.  Nothing is opened through LogStore, so nothing is
  recovered or written: this is what the flash holds, as it is.
- ``ack IMAGE SEQ CUT``: the watch's side of an ack, as the host's sync makes
  it (``runcue.syncsvc.ack``, from the firmware installed on the image), with
  a power cut at block write CUT (0: none).  The image is mounted at '/' as
  on the watch.  Prints the syncsvc reply, then ``@writes N``.
- ``append IMAGE PATH HEX``: append bytes to a file on the image (a torn
  frame, as a flash without copy-on-write could leave one).
- ``pad IMAGE PATH N``: append N zero bytes to a file (a long argv crashes this
  interpreter build: "FATAL: uncaught NLR", so bulk data never goes through argv).
"""

import json
import os
import sys
from binascii import hexlify, unhexlify

import vfs

import simhw
from read_flash import walk  # simulator/, on MICROPYPATH as simhw


def inspect(image):
    simhw.setup({"image": image})
    vfs.mount(vfs.VfsLfs2(simhw.flash), "/flash")
    files = []
    walk("/flash", files)
    out = {}
    for p in files:
        name = p[len("/flash"):]
        if name.startswith("/lib/") or name == "/main.py":
            out[name] = os.stat(p)[6]  # firmware: its size only
            continue
        with open(p, "rb") as f:
            out[name] = hexlify(f.read()).decode()
    st = os.statvfs("/flash")
    print(json.dumps({"files": out, "free_bytes": st[4] * st[1], "blocks": simhw.flash.blocks}))


def ack(image, seq, cut):
    bd = simhw.setup({"image": image, "cut_at_write": cut})
    fs = vfs.VfsLfs2(bd)
    vfs.umount("/")
    vfs.mount(fs, "/")
    os.chdir("/")
    sys.path[:] = ["", "/lib", ".frozen"]
    from runcue import syncsvc

    syncsvc.ack(seq)
    print("@writes %d" % bd.writes)


def append(image, path, data):
    simhw.setup({"image": image})
    vfs.mount(vfs.VfsLfs2(simhw.flash), "/flash")
    with open("/flash" + path, "ab") as f:
        f.write(data)


def main(argv):
    cmd, image = argv[1], argv[2]
    if cmd == "inspect":
        inspect(image)
    elif cmd == "ack":
        ack(image, int(argv[3]), int(argv[4]))
    elif cmd == "append":
        append(image, argv[3], unhexlify(argv[4]))
    elif cmd == "pad":
        append(image, argv[3], bytes(int(argv[4])))
    else:
        raise SystemExit("unknown command " + cmd)


main(sys.argv)
