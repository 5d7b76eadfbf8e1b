"""Read a sim flash image without booting the watch: ``micropython read_flash.py IMAGE``.

Prints one JSON line: the files on the image and the whole log (hex), for the
host's tests and tools.  Opens the log with boot=False so nothing is counted.
"""

import json
import os
import sys
from binascii import hexlify

import vfs

import simhw


def walk(path, out):
    """Every file below ``path`` (full paths) into ``out``."""
    for name, kind, *_ in os.ilistdir(path):
        p = path.rstrip("/") + "/" + name
        if kind == 0x4000:
            walk(p, out)
        else:
            out.append(p)


def main(image):
    simhw.setup({"image": image})
    vfs.mount(vfs.VfsLfs2(simhw.flash), "/flash")
    sys.path.insert(0, "/flash/lib")
    from runcue.logstore import LogStore, read_small

    log = LogStore("/flash/log")
    log.open(boot=False)
    data, nxt = log.read_from(1, 1 << 20)
    files = []
    walk("/flash", files)
    print(json.dumps({"device_id": log.device_id, "boots": log.boots, "next_seq": log.next_seq,
                      "acked": log.acked, "log": hexlify(data).decode(), "next": nxt,
                      "crash": read_small("/flash/crash"),
                      "files": sorted(f[len("/flash"):] for f in files)}))


if __name__ == "__main__":
    main(sys.argv[1])
