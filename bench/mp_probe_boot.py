"""MicroPython: boot the simulated watch exactly as simulator/sim_boot.py does, with counters.

    micropython mp_probe_boot.py CONFIG.json SIM_BOOT.py

Nothing in the firmware or the simulator changes: this wraps two functions of
``simhw`` before the boot script runs.  ``simhw.probe_heap`` is called once at the
top of every ``Board.wait()`` of the sim board, so wrapping it counts the app
loop's wake-ups (and, with ``"bench_alloc"`` in the config, the bytes the app
allocated since the previous wake-up).  ``simhw.emit`` (the sim's event output
on stderr, which a real watch does not have) is wrapped to keep its own
allocations out of that figure.  The clock's ``advance_to`` (the sleep) is
wrapped to time how long the app is awake between two sleeps (``busy_us``, the
sim's own event output left out) and how late each sleep ended (``sleep_late_ms``:
with the real clock, what the host's scheduler added).  At the exit the counters go out as
``@wakeups_part`` events (per wake-up, the first 16384) and one ``@wakeups``
(totals); benchlib.run_probed joins them.
"""

import array
import gc
import json
import sys
import time

import simhw

with open(sys.argv[2]) as _f:
    _BOOT = _f.read()
with open(sys.argv[1]) as _f:
    _ALLOC = json.load(_f).get("bench_alloc", False)

_MAX = 16384
_t = array.array("i", bytes(4 * _MAX))  # sim clock ms of each wake-up
_a = array.array("i", bytes(4 * _MAX))  # bytes allocated by the app since the previous wake-up
_b = array.array("i", bytes(4 * _MAX))  # us the app was awake before this wait (-1: first)
_late = array.array("i", bytes(4 * _MAX))  # ms the sleep ended after its target (real clock: the host's doing)
_nsleep = 0
_n = 0
_last = 0
_emit_bytes = 0
_emit_last = 0
_emit_us = 0
_woke = 0  # ticks_us when the last sleep ended; 0: not asleep yet
_busy_total = 0
_probe = simhw.probe_heap
_emit = simhw.emit
_finish = simhw.finish
_setup = simhw.setup


def probe():
    global _n, _last, _emit_last, _woke, _busy_total
    busy = -1
    if _woke:
        busy = time.ticks_diff(time.ticks_us(), _woke) - _emit_us
        _busy_total += busy
        _woke = 0
    if _n < _MAX:
        _t[_n] = simhw.clock.ms()
        _b[_n] = busy
        if _ALLOC:
            now = gc.mem_alloc()
            _a[_n] = now - _last - (_emit_bytes - _emit_last)
            _last = gc.mem_alloc()  # after the store above: nothing of ours is counted
            _emit_last = _emit_bytes
    _n += 1
    _probe()


def emit(kind, obj):
    global _emit_bytes, _emit_us
    t = time.ticks_us()
    a = gc.mem_alloc()
    _emit(kind, obj)
    _emit_bytes += gc.mem_alloc() - a
    _emit_us += time.ticks_diff(time.ticks_us(), t)


def setup(config):
    bd = _setup(config)
    sleep = simhw.clock.advance_to

    def advance_to(ms):
        global _woke, _emit_us, _nsleep
        sleep(ms)
        _woke = time.ticks_us()
        _emit_us = 0
        if _nsleep < _MAX:
            _late[_nsleep] = simhw.clock.ms() - ms
        _nsleep += 1

    simhw.clock.advance_to = advance_to
    return bd


def finish(screen=""):
    m = min(_n, _MAX)
    simhw.emit = _emit
    for i in range(0, m, 512):  # in parts: one big line would need a big block of heap
        j = min(m, i + 512)
        _emit("wakeups_part", {"t_ms": list(_t[i:j]), "busy_us": list(_b[i:j]),
                               "alloc": list(_a[i:j]) if _ALLOC else []})
    late = list(_late[:min(_nsleep, _MAX)])
    _emit("wakeups", {"n": _n, "busy_total_us": _busy_total, "sleep_late_ms": late})
    _finish(screen)


simhw.probe_heap = probe
simhw.emit = emit
simhw.finish = finish
simhw.setup = setup
if _ALLOC:
    gc.collect()
    gc.disable()  # no collection between two readings (run with a big -X heapsize)
    _last = gc.mem_alloc()
exec(_BOOT, {"__name__": "__main__"})
