"""Sync: `runcue sync` against `mpremote fs cp` of the same log bytes, through the same twin.

    .venv/bin/python bench/bench_sync.py [TRIALS]

Three logs (10, 50 and 150 week-1 sessions, see benchlib.week1_image).  Each
measurement gets a fresh copy of the image and a freshly started twin with the
app running, as when a watch is plugged in; the two tools take turns going
first.  mpremote copies the log files (``fs cp :log/A.log :log/B.log DIR/``),
`runcue sync` pulls, checks, stores and acks the same sessions (plus info, the
active plan and the clock).  Wall time of the whole command, as a user sees it.
A straight line through the three sizes: the fixed cost per run and the
throughput; the ratio is taken at 50 sessions.  Each figure is the best of
the trials (the least disturbed: the machine is shared); all runs are printed.  Then the no-op
sync: the same twin, synced again with nothing new (median of 5), and where
its time goes: the `runcue` command's start (``runcue --help``), and the link's
steps timed in-process with runcue_host.watch.link.Watch (enter: Ctrl-C, raw REPL,
soft reset, the preamble's imports; then each call; then the reset out).
"""

import json
import statistics
import sys
import time
from pathlib import Path

import benchlib

from runcue_host import sim
from runcue_host.sim.twin import TwinProcess
from runcue_host.watch.link import Watch

SIZES = (10, 50, 150)
HEADLINE = 50


def cp_once(image, link, out):
    files = [f for f in sim.read_flash(image)["files"] if f.startswith("/log/") and f.endswith(".log")]
    out.mkdir(exist_ok=True)
    with TwinProcess(image, link):
        dt, _ = benchlib.timed([benchlib.MPREMOTE, "connect", str(link), "fs", "cp"]
                               + [":" + f[1:] for f in files] + [str(out) + "/"])
    got = sum(p.stat().st_size for p in out.iterdir())
    for p in out.iterdir():
        p.unlink()
    return dt, got


def sync_once(image, link, archive, noop=0):
    with TwinProcess(image, link):
        cmd = [benchlib.RUNCUE, "sync", "--port", str(link), "--archive", str(archive), "--json"]
        dt, p = benchlib.timed(cmd)
        noops = []
        for _ in range(noop):
            t, q = benchlib.timed(cmd)
            assert json.loads(q.stdout)["read_bytes"] == 0
            noops.append(t)
    archive.unlink()
    return dt, json.loads(p.stdout)["read_bytes"], noops


def noop_parts(image, link):
    """Seconds of each step of a no-op sync, and of the `runcue` command's start."""
    starts = [benchlib.timed([benchlib.RUNCUE, "--help"])[0] for _ in range(3)]
    parts = {"command start": statistics.median(starts)}
    with TwinProcess(image, link):
        t = time.perf_counter()
        w = Watch(str(link)).__enter__()
        parts["enter + preamble"] = time.perf_counter() - t
        info = w.call("info")
        for name, args in (("info", ()), ("read", (info["next_seq"], 4096)), ("active", ()),
                           ("set_time", (int(time.time()),))):
            t = time.perf_counter()
            w.call(name, *args)
            parts[name] = time.perf_counter() - t
        t = time.perf_counter()
        w.__exit__(None, None, None)
        parts["reset out"] = time.perf_counter() - t
    return parts


def fit(points):
    """(fixed s, bytes/s) of the least-squares line through the (bytes, s) points."""
    slope, intercept = statistics.linear_regression([b for b, _ in points], [t for _, t in points])
    return intercept, (1 / slope if slope > 0 else float("inf"))


def run(trials=2, sizes=SIZES, headline=HEADLINE, noops_n=5):
    """Figures of ``trials`` rounds over logs of ``sizes`` sessions; ``noops_n`` no-op syncs at ``headline``."""
    with benchlib.workdir() as tmp:
        tmp = Path(tmp)
        masters = {n: benchlib.week1_image(tmp / ("m%d.img" % n), n) for n in sizes}
        log_bytes = {n: len(sim.read_flash(masters[n])["log"]) for n in sizes}
        times = {(n, tool): [] for n in sizes for tool in ("cp", "sync")}
        noops = []
        for trial in range(trials):
            for n in sizes:
                order = ("cp", "sync") if trial % 2 == 0 else ("sync", "cp")
                for tool in order:
                    image = benchlib.copy(masters[n], tmp / "w.img")
                    if tool == "cp":
                        dt, got = cp_once(image, tmp / "ttyW", tmp / "out")
                    else:
                        want = noops_n if (trial, n) == (0, headline) else 0
                        dt, got, more = sync_once(image, tmp / "ttyW", tmp / "a.sqlite", noop=want)
                        noops += more
                    assert got == log_bytes[n], (tool, n, got, log_bytes[n])
                    times[(n, tool)].append(dt)
        parts = noop_parts(benchlib.copy(masters[headline], tmp / "w.img"), tmp / "ttyW")
    med = {k: min(v) for k, v in times.items()}  # the least disturbed run: the machine is shared
    big = headline
    fixed_cp, rate_cp = fit([(log_bytes[n], med[(n, "cp")]) for n in sizes])
    fixed_sync, rate_sync = fit([(log_bytes[n], med[(n, "sync")]) for n in sizes])
    return {
        "sizes": {n: log_bytes[n] for n in sizes}, "times": {"%d %s" % k: v for k, v in times.items()},
        "cp_s": med[(big, "cp")], "sync_s": med[(big, "sync")], "big": big, "big_bytes": log_bytes[big],
        "ratio": med[(big, "cp")] / med[(big, "sync")],
        "cp_Bps": log_bytes[big] / med[(big, "cp")], "sync_Bps": log_bytes[big] / med[(big, "sync")],
        "fixed_cp": fixed_cp, "rate_cp": rate_cp, "fixed_sync": fixed_sync, "rate_sync": rate_sync,
        "noop_median": statistics.median(noops), "noops": noops, "trials": trials, "noop_parts": parts,
    }


def report(f):
    print("sync vs mpremote fs cp, %d sessions = %d bytes of log (best of %d, fresh twin each):"
          % (f["big"], f["big_bytes"], f["trials"]))
    print("  runcue sync %.2f s (%.0f B/s), mpremote fs cp %.2f s (%.0f B/s): sync is %.2fx mpremote"
          % (f["sync_s"], f["sync_Bps"], f["cp_s"], f["cp_Bps"], f["ratio"]))
    print("  line through %s sessions: sync fixed %.2f s + %.0f B/s; mpremote fixed %.2f s + %.0f B/s"
          % (", ".join("%d (%d B)" % (n, b) for n, b in f["sizes"].items()), f["fixed_sync"], f["rate_sync"],
             f["fixed_cp"], f["rate_cp"]))
    print("  all runs (s): %s" % "; ".join("%s %s" % (k, " ".join("%.2f" % t for t in v))
                                          for k, v in f["times"].items()))
    print("no-op sync (nothing new): median %.2f s of %d (%s)"
          % (f["noop_median"], len(f["noops"]), " ".join("%.2f" % t for t in f["noops"])))
    print("  its parts (s): %s; the rest: opening the archive, storing, the process's exit"
          % ", ".join("%s %.3f" % kv for kv in f["noop_parts"].items()))


if __name__ == "__main__":
    report(run(int(sys.argv[1]) if len(sys.argv) > 1 else 2))
