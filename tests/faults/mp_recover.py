"""Log recovery of damaged logs on MicroPython: ``micropython mp_recover.py CASES.jsonl``.

Each line of CASES.jsonl is a case, {"files": {name: hex}} for the log directory.  For each, a fresh
LittleFS on a RAM block device (tests/portable/logstore_ramdisk.py) gets those
files, ``LogStore.open()`` recovers, and the files are read back.  Prints one
JSON line per case: {"files": {name: hex}, "recovered": {...}, "next_seq": n} or
{"error": "TypeName: message"}, for the host to compare with CPython's.
"""

import json
import os
import sys
from binascii import hexlify, unhexlify

from logstore_ramdisk import RAMBlockDev, mount, umount

from runcue.logstore import LogStore


def one(case, bd):
    point = mount(bd)
    try:
        root = point + "/log"
        os.mkdir(root)
        for name, data in case["files"].items():
            with open(root + "/" + name, "wb") as f:
                f.write(unhexlify(data))
        store = LogStore(root)
        try:
            rec = store.open()
        except Exception as e:  # noqa: BLE001 - reported to the host, which fails the test
            return {"error": "%s: %s" % (type(e).__name__, e)}
        files = {}
        for name in os.listdir(root):
            if name.endswith(".log"):
                with open(root + "/" + name, "rb") as f:
                    files[name] = hexlify(f.read()).decode()
        return {"files": files, "recovered": rec, "next_seq": store.next_seq}
    finally:
        umount(point)


def main(path):
    bd = RAMBlockDev(128, 512)
    with open(path) as f:
        for line in f:  # one at a time: thousands of cases do not fit the heap at once
            if line.strip():
                print(json.dumps(one(json.loads(line), bd)))


main(sys.argv[1])
