"""Read a sim flash image without booting the watch: ``micropython read_flash.py IMAGE [ROMFS]``.

The image is mounted at '/' as on the watch, and the watch's ROMFS image (a Pico
whose modules were deployed there) at '/rom', before '/lib' as on the rp2 port.
Prints the whole log as ``log HEX`` lines (one read of at most a block each: a full log does not fit the heap at
once), the watch's own ``syncsvc.info()`` reply (``RC:...``: the program in
force, as `runcue device info` sees it), then one JSON line: the files on the
image and the log's state.  Opens the log with boot=False so nothing is counted.
"""

import json
import os
import sys
from binascii import hexlify

import vfs

import simhw

CHUNK = 4096  # bytes of log per read (whole sessions; at least one)


def walk(path, out):
    """Every file below ``path`` (full paths) into ``out``."""
    for name, kind, *_ in os.ilistdir(path):
        p = path.rstrip("/") + "/" + name
        if kind == 0x4000:
            walk(p, out)
        else:
            out.append(p)


def main(image, romfs=None):
    rom = None
    if romfs:
        with open(romfs, "rb") as f:
            rom = vfs.VfsRom(f.read())  # read while the host's files are still mounted
    fs = vfs.VfsLfs2(simhw.setup({"image": image}))
    vfs.umount("/")
    vfs.mount(fs, "/")
    if rom is not None:
        vfs.mount(rom, "/rom")
    os.chdir("/")
    sys.path[:] = ["/rom", "/lib", ".frozen"]
    from runcue import syncsvc
    from runcue.logstore import read_small
    from runcue.logsync import SyncLog

    log = SyncLog(syncsvc.LOG_DIR)
    log.open(boot=False)
    cursor = 1
    while True:
        data, nxt = log.read_from(cursor, CHUNK)
        if not data:
            break
        print("log " + hexlify(data).decode())
        cursor = nxt
    del data
    syncsvc.info()
    files = []
    walk("/", files)
    try:
        with open("/fw.id") as f:
            fw_id = f.read().strip()  # the firmware bundle on the image (sim_boot.py / deploy)
    except OSError:
        fw_id = ""
    print(json.dumps({"device_id": log.device_id, "boots": log.boots, "next_seq": log.next_seq,
                      "acked": log.acked, "next": cursor, "crash": read_small("/crash"),
                      "files": sorted(files), "fw_id": fw_id}))


if __name__ == "__main__":
    main(*sys.argv[1:3])
