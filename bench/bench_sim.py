"""Figures for the simulated watch: run time, boot time, heap, flash per session.

    .venv/bin/python bench/bench_sim.py

Prints figures; asserts nothing (timing on shared machines is noisy).
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

from runcue import program, records
from runcue_host import sim

WEEK1 = program.make("C25K week 1", "en",
                     [["walk", 300000], ["x", 8, [["run", 60000], ["walk", 90000]]], ["walk", 300000]])
LONG = program.make("250 segments", "en", [["x", 125, [["run", 30000], ["walk", 30000]]]])


def one_run(tmp, prog, **kw):
    image = Path(tmp) / ("w%d.img" % time.monotonic_ns())
    sim.run(image, program_json=prog.to_json())  # format, install the firmware, push: not measured
    t0 = time.perf_counter()
    result = sim.run(image, **kw)
    wall = time.perf_counter() - t0
    assert result.returncode == 0, result.stderr_tail
    return image, result, wall


def timing(tmp, repeat):
    """(walls, boots, last image, last result) of ``repeat`` week-1 sessions, each on a fresh image."""
    walls, boots = [], []
    for _ in range(repeat):
        image, result, wall = one_run(tmp, WEEK1)
        walls.append(wall)
        boots.append(result.of("booted")[0]["real_ms"])
    return walls, boots, image, result


def run(repeat=3):
    """The figures only this bench gives (for bench/run_all.py): session run time and boot time."""
    with tempfile.TemporaryDirectory() as tmp:
        walls, boots, _, _ = timing(tmp, repeat)
    return {"walls": walls, "boots": boots, "repeat": repeat}


def report(f):
    print("simulated 30-minute session (virtual clock), whole `sim run` process: median %.3f s (min %.3f, %d runs)"
          % (statistics.median(f["walls"]), min(f["walls"]), f["repeat"]))
    print("boot to home screen (process start to first screen, real time): median %d ms"
          % statistics.median(f["boots"]))


def main(repeat=5):
    with tempfile.TemporaryDirectory() as tmp:
        walls, boots, image, result = timing(tmp, repeat)
        report({"walls": walls, "boots": boots, "repeat": repeat})
        ex = result.of("exit")[0]
        frames = records.decode_all(sim.read_flash(image)["log"])
        sessions = sum(1 for t, _ in frames if t == records.START)
        by_type = {}
        for t, _ in frames:
            name = records.TYPE_NAMES[t]
            by_type[name] = by_type.get(name, 0) + records.payload_size(t) + records.OVERHEAD
        by_type = {k: v // sessions for k, v in by_type.items()}
        print("flash per week-1 session: %d bytes %s; the measured run: %d block writes, %d erases"
              % (sum(by_type.values()), by_type, ex["writes"], ex["erases"]))
        for prog, heap in ((WEEK1, None), (LONG, None), (LONG, "64wK")):
            _, result, _ = one_run(tmp, prog, heap_probe=True, heapsize=heap)
            ex = result.of("exit")[0]
            print("peak live heap, %s%s: %d bytes of %d (64-bit unix port; a 32-bit watch needs about half)"
                  % (prog.name, " in -X heapsize=" + heap if heap else "", ex["heap_peak"], ex["heap_total"]))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
