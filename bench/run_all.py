"""Run every benchmark, print the figures and the goals, write bench/last_run.md.

    make bench        (or: .venv/bin/python bench/run_all.py)
    .venv/bin/python bench/run_all.py --quick

Figures only: nothing here fails on a slow machine (the machine is shared and
noisy; each comparison is made side by side within one run).  The real-clock
session takes most of the time (REALTIME_SEGMENTS x 10 s).  bench/RESULTS.md
is written by hand from a run's last_run.md, with the reasons behind each goal.

``--quick`` runs every bench small (BENCHES: a 40 s real-clock session, one heap
row bisected in a narrow range, short logs, three plan sessions), prints the same figures and writes
nothing: the test suite runs it (tests/integration/test_bench.py), so that no bench breaks
unseen.  Its figures are not the bench's (too few runs, small logs).
"""

import contextlib
import io
import sys
import time

import bench_desk
import bench_flash
import bench_memory
import bench_plan
import bench_realtime
import bench_sim
import bench_sync
import benchlib

REALTIME_SEGMENTS = 8  # 80 s of real time: the whole bench stays near 3 minutes
# (name, module, arguments of run() for the bench, and for --quick)
BENCHES = (
    ("realtime", bench_realtime, (REALTIME_SEGMENTS,), (4,)),
    ("memory", bench_memory, (), (5, 1, (48, 64))),
    ("flash", bench_flash, (), ()),
    ("sync", bench_sync, (), (1, (2, 5), 5, 1)),
    ("plan", bench_plan, (), (3,)),
    ("sim", bench_sim, (3,), (1,)),
    ("desk", bench_desk, (), (5, 20)),
)


class Tee(io.StringIO):
    def write(self, s):
        sys.__stdout__.write(s)
        sys.__stdout__.flush()
        return super().write(s)


def goals(rt, mem, fl, sy, pl, dk):
    """(goal, measured, met, note) rows."""
    worst = max(abs(rt["cue_err_max_ms"]), abs(rt["start_cue_latency_ms"]))
    wk = bench_memory.wk
    return [
        ("cue error <= 5 ms, no drift",
         "deadline cues max %+d ms, drift %+d ms over %.0f s; start cue %+d ms"
         % (rt["cue_err_max_ms"], rt["cue_drift_ms"], rt["session_s"], rt["start_cue_latency_ms"]),
         worst <= 5 and abs(rt["cue_drift_ms"]) <= 1,
         "; ".join(x for x in (
             "the start cue waits for the START record's flash write" if rt["start_cue_latency_ms"] > 5 else "",
             "%d sleeps ended > 5 ms late (host load, up to %+d ms)" % (rt["sleeps_late_5"], rt["sleep_late_max_ms"])
             if rt["sleeps_late_5"] else "") if x)),
        ("CPU < 1 %",
         "sim process %.2f %% of a core; app awake %.3f %%; %.1f wake-ups/s"
         % (rt["cpu_session_pct"], rt["busy_pct"], rt["wakeups_per_s"]),
         rt["cpu_session_pct"] < 1,
         "on this x86 core; a bare time.sleep_ms alone: %.2f %%" % rt["cpu_idle_pct"]),
        ("heap <= 64 KB", "; ".join("%s: session %s, sync %s" % (r["what"].split(" (")[0], wk(r["session_wk"]),
                                                                  wk(r["sync_wk"])) for r in mem["rows"]),
         mem["worst_session_wk"] <= 64 and mem["worst_sync_wk"] <= 64,
         "incl. the sim's own code; " + ("" if mem["worst_session_wk"] <= 64 else
                                          "met for a program alone: a plan in force is held whole in the heap")),
        ("<= 200 bytes per session", "%d bytes (c25k week 1)" % fl["bytes_per_session"],
         fl["bytes_per_session"] <= 200, "%d sessions fit in 256 KB of log" % fl["fit_256k"]),
        ("sync >= 1.0x mpremote fs cp", "%.2fx (%d sessions, %d bytes)" % (sy["ratio"], sy["big"], sy["big_bytes"]),
         sy["ratio"] >= 1.0, "fixed %.2f s vs %.2f s" % (sy["fixed_sync"], sy["fixed_cp"])),
        ("no-op sync < 1 s", "%.2f s (median of %d)" % (sy["noop_median"], len(sy["noops"])),
         sy["noop_median"] < 1.0, ""),
        ("9-week plan < 5 s", "%.2f s" % pl["wall_s"], pl["wall_s"] < 5.0,
         "" if pl["wall_s"] < 5.0 else "%.0f wake-ups per hour of run (a redraw each second), %.0f us each"
         % (pl["wakeups_per_h"], pl["busy_us"])),
        ("desk client list < 200 ms", "median %.0f ms (%d clients x %d sessions)" % (
            dk["median_ms"], dk["clients"], dk["sessions"]), dk["median_ms"] < bench_desk.GOAL_MS,
         "slowest %.0f ms (the first, cold)" % dk["max_ms"]),
    ]


def main(quick=False):
    out = Tee()
    t0 = time.monotonic()
    machine = benchlib.machine()
    figures = {}
    with contextlib.redirect_stdout(out):
        print("machine: %(nproc)s cores, %(cpu)s, load %(loadavg)s, %(os)s\n"
              "Python %(python)s; MicroPython %(micropython)s; mpremote %(mpremote)s\n"
              "commit %(commit)s; %(date)s" % dict(machine, loadavg=" ".join(machine["loadavg"])))
        if quick:
            print("quick mode: every bench small, to see that it runs; these are not the bench's figures")
        for name, mod, args, quick_args in BENCHES:
            print("\n## %s (bench/%s.py)" % (name, mod.__name__))
            t = time.monotonic()
            figures[name] = f = mod.run(*(quick_args if quick else args))
            mod.report(f)
            print("(%.0f s)" % (time.monotonic() - t))
        rows = goals(figures["realtime"], figures["memory"], figures["flash"], figures["sync"], figures["plan"],
                     figures["desk"])
        print("\n## goals\n")
        print("| goal | measured | met | note |\n| --- | --- | --- | --- |")
        for goal, measured, met, note in rows:
            print("| %s | %s | %s | %s |" % (goal, measured, "yes" if met else "**no**", note))
        print("\nwhole bench: %.0f s" % (time.monotonic() - t0))
    if quick:
        return
    text = out.getvalue()
    lines = ["# last `make bench` run", "", "```"]
    body, table = text.split("\n## goals\n")
    lines += [body.rstrip(), "```", "", "## goals", table]
    (benchlib.BENCH / "last_run.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
