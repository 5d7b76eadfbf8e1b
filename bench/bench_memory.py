"""Memory: the smallest heap for a session and for a sync; bytes allocated per tick.

    .venv/bin/python bench/bench_memory.py

Heap sizes are searched by bisection in ``wK``: MicroPython's word-scaled KB,
1 wK = 1 KB on a 32-bit watch (2 KB of this 64-bit unix port, whose objects
are made of 8-byte words).  One log of 50 week-1 sessions, then for each thing
in force on the watch (a 250-segment program, the built-in plans, the largest
plan the limits allow) the smallest heap in which:
- a session runs under `sim run` (virtual clock, the default client; with a
  plan in force that is the plan's next session), and
- the watch's side of `runcue sync` runs (bench/mp_sync.py: the twin's child in
  raw mode, then the host's calls: info, read all 50 sessions, active, ack).
Both heaps also hold the sim's own code and settings: upper bounds of the
firmware's need.  Near the edge fragmentation decides, so success is not
strictly monotone: treat +-2 wK as noise.
Allocation per tick: the engine with the cue player, with the collector off
(bench/mp_engine_alloc.py), and the whole app loop in the sim, per wake-up.
"""

import os
import statistics
import time
from pathlib import Path

import benchlib

from runcue import plan, program
from runcue_host import sim
from runcue_host.authoring import plan_file as plans

LONG = program.make("250 segments", "en", [["x", 125, [["run", 5000], ["walk", 5000]]]])  # 5 s: the shortest
LOG_SESSIONS = 50
HEAP = "4M"  # for the allocation count: the collector is off, and gc.mem_alloc() takes longer on a bigger heap


def largest_plan():
    """100 sessions (the most allowed), each of 12+ segments, grown to just under plan.MAX_JSON_BYTES."""
    def make(extra):
        sessions = []
        for i in range(plan.MAX_SESSIONS):
            items = [["warmup", 300000 + i * 1000], ["x", 4, [["run", 60000 + i * 1000], ["walk", 90000]]],
                     ["x", 2, [["run", 30000], ["walk", 30000 + i * 1000]]]]
            items += [["walk", 60000 + j * 1000] for j in range(extra)] + [["cooldown", 300000]]
            sessions.append((1 + i // 2, program.make("Week %d, session %d of the largest plan" % (1 + i // 2, i + 1),
                                                      "en", items)))
        return plan.make("largest plan", "en", 3, "repeat", sessions)

    extra = 0
    while len(make(extra + 1).to_json()) <= plan.MAX_JSON_BYTES:
        extra += 1
    return make(extra)


def session_ok(image, heap):
    try:
        r = sim.run(image, heapsize=heap)
    except sim.SimError:  # the watch could not load its program in that heap
        return False
    names = [s["name"] for s in r.of("show")]
    return r.returncode == 0 and "checkin_after" in names and names[-2:] == ["summary", "home"]


def sync_ok(image, heap, expect_bytes):
    cfg = sim.boot_config(image, clock="real", main=False, buttons=[])
    cfg_path = sim.write_config(cfg)
    try:
        p = benchlib.micropython("mp_sync.py", cfg_path, sim.SIMULATOR / "sim_boot.py", int(time.time()),
                                 heapsize=heap)
    finally:
        os.unlink(cfg_path)
    try:
        out = benchlib.last_json(p)
    except RuntimeError:
        return False, None
    return out["error"] is None and out["read_bytes"] == expect_bytes, out


def smallest(ok, lo=8, hi=128, top=2048):
    """The smallest n wK with ok(n); hi doubles up to ``top`` first; None if even that fails."""
    while not ok(hi):
        if hi >= top:
            return None
        lo, hi = hi + 1, hi * 2
    return benchlib.bisect(lo, hi, ok)[0]


def heap_rows(tmp, log_sessions=LOG_SESSIONS, rows_n=4, search=(8, 128)):
    base = benchlib.week1_image(tmp / "log.img", log_sessions)
    log_bytes = len(sim.read_flash(base)["log"])
    big = largest_plan()
    rows = []
    for name, kind, doc in (("250-segment program", "program_json", LONG.to_json()),
                            ("c25k plan (27 sessions)", "plan_json", plans.resolve("c25k").to_json()),
                            ("runningtherapie plan", "plan_json", plans.resolve("runningtherapie").to_json()),
                            ("largest plan allowed (%d sessions, %d B)" % (len(big.sessions), len(big.to_json())),
                             "plan_json", big.to_json()))[:rows_n]:
        image = benchlib.copy(base, tmp / "cfg.img")
        r = sim.run(image, buttons=[], **{kind: doc})  # pushed as the host pushes
        assert r.returncode == 0, r.stderr_tail
        s_wk = smallest(lambda n, image=image: session_ok(benchlib.copy(image, tmp / "t.img"), "%dwK" % n), *search)
        y_wk = smallest(lambda n, image=image: sync_ok(benchlib.copy(image, tmp / "t.img"), "%dwK" % n,
                                                       log_bytes)[0], *search)
        peak = sim.run(benchlib.copy(image, tmp / "t.img"), heap_probe=True).of("exit")[0]["heap_peak"]
        rows.append({"what": name, "json_bytes": len(doc), "session_wk": s_wk, "sync_wk": y_wk, "peak_live": peak})
    return rows, log_bytes


def app_alloc(tmp):
    w1 = benchlib.prepared(tmp / "w1.img", program_json=benchlib.WEEK1.to_json())
    r = benchlib.run_probed(w1, benchlib.quick_client(), alloc=True, heapsize=HEAP)
    assert r.returncode == 0, r.tail
    shows = {s["name"]: s["t_ms"] for s in r.of("show")}
    start, end = shows["running"], shows["checkin_after"]
    wake = r.wakeups()
    # alloc[k] is what the app did after waking at t_ms[k-1] (until its next wait)
    per = [(wake["t_ms"][k - 1], wake["alloc"][k]) for k in range(1, len(wake["alloc"]))
           if start <= wake["t_ms"][k - 1] < end]
    on_second = [a for t, a in per if (t - start) % 1000 == 0]
    between = [a for t, a in per if (t - start) % 1000 != 0]
    return {
        "app_wakeups": len(per), "app_bytes_per_s": sum(a for _, a in per) / ((end - start) / 1000),
        "app_second_median": statistics.median(on_second), "app_second_max": max(on_second),
        "app_between_median": statistics.median(between), "app_between_max": max(between),
        "app_zero": sum(1 for _, a in per if a == 0),
    }


def run(log_sessions=LOG_SESSIONS, rows_n=4, search=(8, 128)):
    """Heaps for a log of ``log_sessions`` sessions and the first ``rows_n`` programs/plans (bisected
    in ``search`` wK, widened when needed); allocation per tick."""
    with benchlib.workdir() as tmp:
        tmp = Path(tmp)
        rows, log_bytes = heap_rows(tmp, log_sessions, rows_n, search)
        engine = benchlib.last_json(benchlib.micropython("mp_engine_alloc.py", benchlib.ROOT / "lib"))
        out = app_alloc(tmp)
    out.update({"rows": rows, "log_sessions": log_sessions, "log_bytes": log_bytes, "engine": engine,
                "session_wk": rows[0]["session_wk"], "sync_wk": rows[0]["sync_wk"],
                "worst_session_wk": max(r["session_wk"] or 9999 for r in rows),
                "worst_sync_wk": max(r["sync_wk"] or 9999 for r in rows)})
    return out


def wk(n):
    return "%d wK" % n if n else "> 2048 wK"


def report(f):
    print("smallest heap (bisection; wK = KB on a 32-bit watch), log of %d week-1 sessions (%d bytes):"
          % (f["log_sessions"], f["log_bytes"]))
    for r in f["rows"]:
        print("  %-46s session %-10s sync %-10s live heap peak in a session %6d bytes = %.1f wK"
              % (r["what"] + ":", wk(r["session_wk"]), wk(r["sync_wk"]), r["peak_live"], r["peak_live"] / 2048))
    e = f["engine"]
    print("allocation, engine + cue player: %d bytes over %d wake-ups (%d events) of a 250-segment session"
          % (e["bytes"], e["wakeups"], e["events"]))
    print("allocation, the app loop in the sim (week-1 session, per wake-up, sim event output left out):"
          " on whole seconds (screen redraw) median %d, max %d bytes; between them (cue notes) median %d, max %d;"
          " %d of %d wake-ups allocate nothing; %.0f bytes per second of run"
          % (f["app_second_median"], f["app_second_max"], f["app_between_median"], f["app_between_max"],
             f["app_zero"], f["app_wakeups"], f["app_bytes_per_s"]))


if __name__ == "__main__":
    report(run())
