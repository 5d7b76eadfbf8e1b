"""The clinic archive under load: concurrent syncs into one PostgreSQL archive, exactly once.

    .venv/bin/python bench/bench_clinic.py [WATCHES SESSIONS PROCESSES ROUNDS]

(default 20 watches x 50 sessions, 4 sync processes, 2 rounds).  Each watch's
log is written by the watch's own log store (``runcue.logstore`` on CPython),
50 week-1 sessions of 10 segments each.  Every sync process goes through all
watches (each its own order, so that several sync one watch at the same time):
a sync reads the archive's cursor, takes the watch's next sessions from there
(at most 10: a short visit), stores them in one transaction and only then
"acks" (notes the seq it may free).  In round 1 one process is killed (SIGKILL)
mid-way, some of its transactions open; the other rounds find everything
stored.  Then: every session stored once (0 lost, 0 doubled, every acked seq in
the archive), syncs per second, and the time of a report of all sessions on
PostgreSQL and on SQLite (the same sessions, copied with ``runcue archive copy``).
Figures only; the test suite runs it small (tests/integration/test_archive_postgres.py).
"""

import json
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the private cluster the tests use

from runcue import program, records  # noqa: E402
from runcue.logsync import SyncLog  # noqa: E402
from runcue_host.archive import Archive, logdecode  # noqa: E402
from runcue_host.archive import copy as archive_copy  # noqa: E402

WEEK1 = program.make("Week 1", "en", [["walk", 300000], ["x", 4, [["run", 60000], ["walk", 90000]]],
                                      ["walk", 300000]])
PER_SYNC = 10  # sessions a sync takes from a watch at most
T0 = 1_800_000_000


def write_watch(root, n, index):
    """A watch's log of ``n`` sessions; {"device_id", "log", "sessions", "records"}."""
    store = SyncLog(str(root), check_every=0)
    store.open()
    for i in range(n):
        start = T0 + (index * n + i) * 3600
        store.begin(WEEK1.id(), 255, 255, start, 10 + i, 3)
        for k in range(1, 10):
            store.append(records.SEG, k * 150)
        store.end(records.COMPLETED, 1800, 1800)
        store.checkin(4, 1, 0)
    data, _ = store.read_from(1, 1 << 22)
    frames = logdecode.frames(data)
    return {"device_id": store.device_id, "log": data.hex(), "sessions": n, "records": len(frames)}


def worker(url, jobs_path, order_seed, acks_path):
    """One sync process: every watch, in its own order, until none has anything new."""
    watches = json.loads(Path(jobs_path).read_text())
    rng = random.Random(order_seed)
    split = {w["device_id"]: logdecode.split(logdecode.frames(bytes.fromhex(w["log"]))) for w in watches}
    syncs = 0
    with Archive(url) as arc, open(acks_path, "a") as acks:
        busy = True
        while busy:
            busy = False
            rng.shuffle(watches)
            for w in watches:
                dev = w["device_id"]
                cursor = arc.cursor(dev)
                todo = [g for g in split[dev] if g[0][1][0] >= cursor][:PER_SYNC]
                if not todo:
                    continue
                busy = True
                data = b"".join(it[2] for g in todo for it in g)
                ctx = {"host_time": T0 + 10 ** 6 + syncs, "device_clock": T0 + 10 ** 6, "uptime_s": 5, "boots": 1}
                arc.store(dev, "C%02d" % w["index"], data, [WEEK1.to_json()], ctx)
                syncs += 1
                acks.write("%s %d\n" % (dev, todo[-1][0][1][0]))  # only after the commit
                acks.flush()
    print(json.dumps({"syncs": syncs}))


def _spawn(url, jobs, seed, acks):
    return subprocess.Popen([sys.executable, __file__, "--worker", url, str(jobs), str(seed), str(acks)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run(watches=20, sessions=50, procs=4, rounds=2, cluster=None, reports=True):
    """The figures (and the checks' results) of one run (``reports``: time the reports too)."""
    import pg_cluster

    own = cluster is None
    cluster = cluster or pg_cluster.Cluster()
    tmp = Path(tempfile.mkdtemp(prefix="bench-clinic-"))
    try:
        t = time.perf_counter()
        logs = []
        for i in range(watches):
            w = write_watch(tmp / ("w%d" % i), sessions, i)
            w["index"] = i + 1
            logs.append(w)
        made_s = time.perf_counter() - t
        jobs = tmp / "jobs.json"
        jobs.write_text(json.dumps(logs))
        url = cluster.url(cluster.new_db("bench"))
        Archive(url).close()  # the schema made once, before the syncs race
        acks = tmp / "acks.txt"
        out = {"watches": watches, "sessions": watches * sessions, "procs": procs, "rounds": rounds,
               "logs_s": made_s, "rounds_s": [], "syncs": [], "killed": 0}
        for rnd in range(rounds):
            t = time.perf_counter()
            ps = [_spawn(url, jobs, rnd * 100 + k, acks) for k in range(procs)]
            if rnd == 0:
                time.sleep(0.5 + random.random())  # mid-way: some syncs stored, some open
                ps[0].send_signal(signal.SIGKILL)
                out["killed"] = 1
            n = 0
            for p in ps:
                stdout, stderr = p.communicate(timeout=600)
                if p.returncode == 0:
                    n += json.loads(stdout.strip().splitlines()[-1])["syncs"]
                elif p.returncode != -signal.SIGKILL:
                    raise RuntimeError("a sync process failed: %s" % stderr[-2000:])
            out["rounds_s"].append(time.perf_counter() - t)
            out["syncs"].append(n)
        with Archive(url, read_only=True) as arc:
            seqs = {}
            for s in arc.session_rows():
                seqs.setdefault(s["device_id"], []).append(s["seq"])
            raw = arc.one("SELECT COUNT(*) FROM raw_records")[0]
            stored = {(d, q) for d, qs in seqs.items() for q in qs}
        want = {w["device_id"]: list(range(1, sessions + 1)) for w in logs}
        acked = [line.split() for line in acks.read_text().splitlines()]
        out["lost"] = sum(len(set(want[d]) - set(seqs.get(d, []))) for d in want)
        out["doubled"] = sum(len(qs) - len(set(qs)) for qs in seqs.values())
        out["stored"] = sum(len(qs) for qs in seqs.values())
        out["raw_ok"] = raw == sum(w["records"] for w in logs)
        out["acked_not_stored"] = sum((d, s) not in stored for d, q in acked for s in range(1, int(q) + 1))
        out["syncs_per_s"] = out["syncs"][0] / out["rounds_s"][0]
        if reports:
            out["report_pg_s"], out["report_sqlite_s"] = _reports(url, tmp)
        return out
    finally:
        if own:
            cluster.stop()
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


def _reports(url, tmp):
    """Seconds to write the report of every session, and to read its rows (sessions and segments),
    from PostgreSQL, then from SQLite: [(report_s, rows_s)] (the report's time is mostly its charts)."""
    from runcue_host.review import report

    sqlite_path = tmp / "copy.sqlite"
    archive_copy.copy(url, sqlite_path)
    out = []
    for target in (url, sqlite_path):
        with Archive(target, read_only=True) as arc:
            t = time.perf_counter()
            arc.session_rows()
            arc.segment_rows()
            rows_s = time.perf_counter() - t
            t = time.perf_counter()
            report.write(arc, tmp / "report.html", lang="en", now=T0 + 10 ** 7)
            out.append((time.perf_counter() - t, rows_s))
    return out


def main(argv):
    if argv and argv[0] == "--worker":
        worker(argv[1], argv[2], int(argv[3]), argv[4])
        return
    args = [int(a) for a in argv] if argv else []
    r = run(*args)
    print("clinic archive: %d watches x %d sessions, %d sync processes at once, %d rounds (one process killed"
          " mid-way in round 1)" % (r["watches"], r["sessions"] // r["watches"], r["procs"], r["rounds"]))
    print("  stored %d sessions: %d lost, %d doubled, raw records %s, %d acked but not stored"
          % (r["stored"], r["lost"], r["doubled"], "all there" if r["raw_ok"] else "WRONG", r["acked_not_stored"]))
    print("  round 1: %d syncs in %.1f s: %.1f syncs/s (%.1f sessions/s); later rounds: %s"
          % (r["syncs"][0], r["rounds_s"][0], r["syncs_per_s"], r["sessions"] / r["rounds_s"][0],
             ", ".join("%d syncs in %.1f s" % x for x in zip(r["syncs"][1:], r["rounds_s"][1:], strict=True))))
    (pg, pg_rows), (lite, lite_rows) = r["report_pg_s"], r["report_sqlite_s"]
    print("  report of %d sessions: PostgreSQL %.2f s, SQLite %.2f s (reading its rows: %.3f s and %.3f s;"
          " the rest is the charts)" % (r["sessions"], pg, lite, pg_rows, lite_rows))
    print("  (the watches' logs took %.1f s to write)" % r["logs_s"])


if __name__ == "__main__":
    main(sys.argv[1:])
