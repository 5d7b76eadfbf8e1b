"""Simulation speed: the whole 9-week c25k plan (27 sessions) on the virtual clock.

    .venv/bin/python bench/bench_plan.py

The plan is pushed as the host pushes it, then one `sim run` plays all 27
sessions with the default client (2 days between runs).  Timed: that sim.run
call, wall and CPU (of the MicroPython process).  Then week 1 (3 sessions)
once more through bench/mp_probe_boot.py, to see where the time goes: wake-ups
of the app loop per simulated hour and the time it is awake for each.
"""

import resource
import statistics
import time
from pathlib import Path

import benchlib

from runcue import records
from runcue_host import sim
from runcue_host.authoring import plan_file as plans

SESSIONS = 27
PROBED = 3


def cpu_children():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run(sessions=SESSIONS):
    """Figures of the plan's first ``sessions`` sessions (all of them by default) and a probed week 1."""
    c25k = plans.resolve("c25k")
    with benchlib.workdir() as tmp:
        tmp = Path(tmp)
        image = benchlib.prepared(tmp / "w.img", plan_json=c25k.to_json())
        probe_img = benchlib.copy(image, tmp / "p.img")
        c0, t0 = cpu_children(), time.perf_counter()
        r = sim.run(image, sessions=sessions)
        wall, cpu = time.perf_counter() - t0, cpu_children() - c0
        assert r.returncode == 0, r.stderr_tail
        frames, n = benchlib.log_sessions(image)
        completed = sum(1 for t, f in frames if t == records.END and f[records.END_STATUS] == records.COMPLETED)
        p = benchlib.run_probed(probe_img, sim.default_client(PROBED, 2 * sim.DAY_MS))
        assert p.returncode == 0, p.tail
    wake = p.wakeups()
    shows = [s for s in p.of("show") if s["name"] in ("running", "checkin_after")]
    spans = list(zip(shows[::2], shows[1::2], strict=True))
    in_run = [b for t, b in zip(wake["t_ms"], wake["busy_us"], strict=True)
              if b >= 0 and any(a["t_ms"] <= t < z["t_ms"] for a, z in spans)]
    run_h = sum(z["t_ms"] - a["t_ms"] for a, z in spans) / 3600000
    simulated_s = sum(prog.total_ms for _, prog in c25k.sessions) / 1000
    return {"wall_s": wall, "cpu_s": cpu, "sessions": n, "completed": completed, "simulated_h": simulated_s / 3600,
            "probed_wall_s": p.wall_s, "probed_h": run_h, "wakeups_per_h": len(in_run) / run_h,
            "busy_us": statistics.fmean(in_run), "events": len(r.events), "cue_events": len(r.of("cue"))}


def report(f):
    print("9-week c25k plan, %d sessions (%d completed, %.1f h of runs) on the virtual clock: %.2f s wall, %.2f s CPU"
          % (f["sessions"], f["completed"], f["simulated_h"], f["wall_s"], f["cpu_s"]))
    print("  where it goes (week 1 probed: %.1f h of runs in %.2f s): %.0f wake-ups of the app loop per hour of run,"
          " awake %.0f us each (the sim's event output left out): %.1f s for the plan's %.1f h;"
          " %d event lines (%d cue notes) written by the sim"
          % (f["probed_h"], f["probed_wall_s"], f["wakeups_per_h"], f["busy_us"],
             f["wakeups_per_h"] * f["simulated_h"] * f["busy_us"] / 1e6, f["simulated_h"], f["events"],
             f["cue_events"]))


if __name__ == "__main__":
    report(run())
