"""Cue timing and CPU with the REAL clock: one session of 10 s segments on the unix port.

    .venv/bin/python bench/bench_realtime.py [SEGMENTS]

Every tone the sim's buzzer played (its start as the sim's clock saw it) is
compared with the schedule: the session start (the press that started it)
plus the planned offsets of program.expand() under the engine's rules.  The
same run gives the process's CPU time over wall time during the session, the
app loop's wake-ups per second (counted at each Board.wait() by
bench/mp_probe_boot.py), the time the app is awake between two sleeps and how
late each sleep ended.  A bare ``time.sleep_ms`` process runs beside it for
the same time (the unix port's sleep_ms polls every millisecond: the idle cost
the sim would have with it), and the machine's load and steal over the
session are read from /proc/stat.  Prints figures; asserts nothing.
"""

import os
import statistics
import sys
import tempfile

import benchlib

from runcue import program


def session_program(segments):
    """``segments`` segments of 10 s: warm-up, (run, walk) rounds, cool-down."""
    rounds = (segments - 2) // 2
    return program.make("bench 10 s", "en",
                        [["warmup", 10000], ["x", rounds, [["run", 10000], ["walk", 10000]]], ["cooldown", 10000]])


def match(planned, played, tolerance_ms=250):
    """Pair each planned note with the played note of the same pitch nearest in time."""
    free = list(played)
    pairs, missing = [], []
    for p in planned:
        best = None
        for e in free:
            if e["freq_hz"] == p[1] and abs(e["t_ms"] - p[0]) <= tolerance_ms:
                if best is None or abs(e["t_ms"] - p[0]) < abs(best["t_ms"] - p[0]):
                    best = e
        if best is None:
            missing.append(p)
        else:
            free.remove(best)
            pairs.append((p, best))
    return pairs, missing


def slope_ms_per_min(xs, ys):
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx * 60000 if sxx else 0.0


def run(segments=12):
    prog = session_program(segments)
    with tempfile.TemporaryDirectory(prefix="runcue-bench-") as tmp:
        image = benchlib.prepared(tmp + "/w.img", program_json=prog.to_json())
        idle_ms = prog.total_ms + 3000
        idle = benchlib.sleeper(idle_ms)  # side by side: same machine, same minutes
        m0 = benchlib.cpu_ticks()
        r = benchlib.run_probed(image, benchlib.quick_client(), clock="real", mark=(
            ("first_cue", lambda k, o: k == "cue"),
            ("finished", lambda k, o: k == "show" and o["name"] == "checkin_after")))
        m1 = benchlib.cpu_ticks()
        _, idle_cpu, idle_csw = benchlib.wait_rusage(idle)
    assert r.returncode == 0, r.tail
    shows = {s["name"]: s["t_ms"] for s in r.of("show")}
    # the press that answers the check-in (the one that showed it may fall in the same ms)
    start = [p["t_ms"] for p in r.of("press") if p["t_ms"] > shows["checkin_before"]][0]
    end = shows["checkin_after"]
    played = [e for e in r.of("cue") if "freq_hz" in e]
    planned = benchlib.planned_notes(prog.expand(), start)
    pairs, missing = match(planned, played)
    first = [(p, e) for p, e in pairs if p[3]]  # the first note of each cue
    start_cue = first[0]
    timed = first[1:]  # every cue after the start one is driven by a deadline
    errs = [e["t_ms"] - p[0] for p, e in timed]
    later = [(p, e) for p, e in pairs if p[0] >= timed[0][0][0]]  # the notes of the deadline cues
    note_errs = [e["t_ms"] - p[0] for p, e in later if not p[3]]
    dur_errs = [e["dur_ms"] - p[2] for p, e in later]
    start_len = [e["dur_ms"] - p[2] for p, e in pairs if p[0] < timed[0][0][0]]
    (t1, c1), (t2, c2) = r.marks["first_cue"], r.marks["finished"]
    wake = r.wakeups()
    in_run = [i for i, t in enumerate(wake["t_ms"]) if start <= t <= end]
    busy = [wake["busy_us"][i] for i in in_run if wake["busy_us"][i] >= 0]
    late = wake["sleep_late_ms"]
    others = (m1[0] - m0[0]) / benchlib.CLK_TCK - r.cpu_s - idle_cpu  # CPU s of everything else
    ncpu = os.cpu_count() or 1
    fig = {
        "segments": prog.segments, "session_s": (end - start) / 1000, "cues": len(timed) + 1,
        "notes_planned": len(planned), "notes_missing": len(missing),
        "start_cue_latency_ms": start_cue[1]["t_ms"] - start, "start_cue_len_err_ms": min(start_len),
        "cue_err_max_ms": max(errs, key=abs), "cue_err_mean_ms": statistics.fmean(errs),
        "cue_err_abs_mean_ms": statistics.fmean(abs(x) for x in errs),
        "cue_drift_ms": errs[-1] - errs[0],
        "cue_slope_ms_per_min": slope_ms_per_min([p[0] for p, _ in timed], errs),
        "note_err_max_ms": max(note_errs, key=abs) if note_errs else 0,
        "note_len_err_max_ms": max(dur_errs, key=abs),
        "cpu_session_pct": 100 * (c2 - c1) / (t2 - t1), "cpu_window_s": t2 - t1,
        "cpu_process_pct": 100 * r.cpu_s / r.wall_s, "cpu_process_s": r.cpu_s, "wall_process_s": r.wall_s,
        "cpu_idle_pct": 100 * idle_cpu / (idle_ms / 1000), "idle_csw_per_s": idle_csw / (idle_ms / 1000),
        "csw_per_s": r.nvcsw / r.wall_s,
        "busy_pct": 100 * sum(busy) / 1e6 / ((end - start) / 1000), "busy_mean_us": statistics.fmean(busy),
        "busy_max_us": max(busy),
        "wakeups": len(in_run), "wakeups_per_s": len(in_run) / ((end - start) / 1000),
        "sleeps": len(late), "sleeps_late_5": sum(1 for x in late if x > 5), "sleep_late_max_ms": max(late),
        "machine_others_pct": 100 * others / (r.wall_s * ncpu),
        "machine_steal_pct": 100 * (m1[1] - m0[1]) / max(1, m1[2] - m0[2]),
        "planned_s": prog.total_ms / 1000,
        "errors": errs,
    }
    return fig


def report(f):
    print("cue timing, real clock: %d segments of 10 s (%.1f s), %d cues (%d notes planned, %d not found)"
          % (f["segments"], f["session_s"], f["cues"], f["notes_planned"], f["notes_missing"]))
    print("  start cue: %d ms after the start press; its first note %+d ms long vs plan"
          % (f["start_cue_latency_ms"], f["start_cue_len_err_ms"]))
    print("  every later cue vs. schedule: max %+d ms, mean %+.2f ms (mean |err| %.2f ms); drift last-first %+d ms,"
          " fitted %+.3f ms/min" % (f["cue_err_max_ms"], f["cue_err_mean_ms"], f["cue_err_abs_mean_ms"],
                                    f["cue_drift_ms"], f["cue_slope_ms_per_min"]))
    print("  later cues: notes inside a pattern max %+d ms off schedule; note lengths max %+d ms off"
          % (f["note_err_max_ms"], f["note_len_err_max_ms"]))
    print("  errors (ms), in order: %s" % " ".join("%+d" % e for e in f["errors"]))
    print("CPU, real clock: %.2f %% of one core during the session (%.2f s CPU in %.1f s); whole process %.2f %%"
          " (%.2f s CPU in %.1f s, incl. start-up and boot)"
          % (f["cpu_session_pct"], f["cpu_session_pct"] * f["cpu_window_s"] / 100, f["cpu_window_s"],
             f["cpu_process_pct"], f["cpu_process_s"], f["wall_process_s"]))
    print("  beside it, a bare time.sleep_ms() of the same length: %.2f %% (the unix port's sleep_ms polls each ms);"
          " context switches: %d/s there, %d/s in the sim" % (f["cpu_idle_pct"], f["idle_csw_per_s"], f["csw_per_s"]))
    print("  the app awake between sleeps: %.3f %% of the session (mean %d us, max %d us per wake-up,"
          " sim event output left out)" % (f["busy_pct"], f["busy_mean_us"], f["busy_max_us"]))
    print("  wake-ups: %d Board.wait() calls in the session, %.2f per second (counted)"
          % (f["wakeups"], f["wakeups_per_s"]))
    print("  the host meanwhile: other processes used %.0f %% of the %d cores, steal %.1f %%; of %d sleeps, %d ended"
          " more than 5 ms late (latest %+d ms): cue errors beyond that are the host's, not the firmware's"
          % (f["machine_others_pct"], os.cpu_count() or 1, f["machine_steal_pct"], f["sleeps"],
             f["sleeps_late_5"], f["sleep_late_max_ms"]))


if __name__ == "__main__":
    report(run(int(sys.argv[1]) if len(sys.argv) > 1 else 12))
