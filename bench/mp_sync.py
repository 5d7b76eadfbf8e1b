"""MicroPython: the watch's side of one whole `runcue sync`, without the pty.

    micropython [-X heapsize=N] mp_sync.py CONFIG.json SIM_BOOT.py UNIX_TIME

What the twin's child does when the host syncs: simulator/sim_boot.py with
``"main": false`` (a soft reset in raw mode: the image at '/', no app), then the
host's code strings, compiled and run one by one as the raw REPL runs them:
runcue_host.watch.link.PREAMBLE, info(), read(cursor, 4096) until no data, active(),
ack(last), set_time().  The watch prints its ``RC:`` replies; the last line is
a JSON summary with the peak live heap (after a collection, between calls).
"""

import gc
import json
import sys

with open(sys.argv[2]) as _f:
    _BOOT = _f.read()
NOW = int(sys.argv[3])
exec(_BOOT, {"__name__": "__main__"})  # mounts the image at '/', no main.py

peak = [0]
last = {}
env = {}


def call(code):
    exec(code, env)
    gc.collect()
    peak[0] = max(peak[0], gc.mem_alloc())


call("import boards, runcue.syncsvc as s; s.attach(boards.rtc())")  # runcue_host.watch.link.PREAMBLE
_reply = env["s"]._reply


def keep(obj):
    last.clear()
    for k in ("next", "bytes", "error", "acked", "last_closed"):
        if k in obj:
            last[k] = obj[k]
    _reply(obj)


env["s"]._reply = keep
call("s.info()")
last_closed = last["last_closed"]
cursor, got = 1, 0
while True:
    call("s.read(%d, 4096)" % cursor)
    if "error" in last or not last["bytes"]:
        break
    got += last["bytes"]
    cursor = last["next"]
call("s.active()")
if cursor > 1:
    call("s.ack(%d)" % min(cursor - 1, last_closed))
call("s.set_time(%d)" % NOW)
print(json.dumps({"read_bytes": got, "cursor": cursor, "error": last.get("error"), "heap_peak": peak[0],
                  "heap_total": gc.mem_alloc() + gc.mem_free()}))
