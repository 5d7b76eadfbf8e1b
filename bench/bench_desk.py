"""How fast the desk's client list answers, the page a therapist opens most.

    .venv/bin/python bench/bench_desk.py [CLIENTS] [SESSIONS]

A synthetic archive (default 50 clients x 100 sessions, 17 segments each, on a plan of
3 a week; rows inserted straight into the real schema, with stops for pain, falling moods
and gaps so the flags have work), then the real ``runcue desk`` on it: signed in once, the
client list (``GET /``) asked for 20 times over HTTP; the median and the slowest answer.
Goal: under 200 ms.  Figures only.
"""

import http.client
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from runcue import plan, program
from runcue_host.archive import Archive

RUNS = 20
WEEK_S = 7 * 86400
GOAL_MS = 200
RUNCUE = str(Path(sys.executable).parent / "runcue")


def build(path, clients, sessions, now):
    prog = program.make("Week 1", "en", [["walk", 300000], ["x", 8, [["run", 60000], ["walk", 90000]]],
                                         ["walk", 300000]])
    p = plan.make("Start to run", "en", 3, "repeat", [(w, prog) for w in range(1, 13) for _ in range(3)])
    with Archive(path) as arc:
        arc.add_plan(p.to_json())
        pid = prog.id()
        with arc.transaction() as db:  # the bench fills the schema directly: a sync per session would take hours
            for c in range(clients):
                code, device = "C%03d" % c, "%016x" % (0xABC000 + c)
                db.execute("INSERT INTO clients (code, first_seen) VALUES (?, 0)", (code,))
                db.execute("INSERT INTO devices (device_id, client, first_seen, last_sync) VALUES (?, ?, 0, ?)",
                           (device, code, now))
                start = now - sessions * WEEK_S // 3
                for seq in range(1, sessions + 1):
                    at = start + seq * WEEK_S // 3 + (15 * 86400 if c % 7 == 0 and seq == sessions // 2 else 0)
                    stopped = seq % 17 == 0
                    db.execute(
                        "INSERT INTO sessions (device_id, seq, client, program_id, plan_week, plan_session,"
                        " started_at, started_approx, status, planned_s, done_s, wall_s, mood_before, mood_after,"
                        " talk, stop_reason, logged_whole, synced_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, 1800, ?,"
                        " ?, ?, ?, 'yes', ?, 1, ?)",
                        (device, seq, code, pid, min(12, 1 + seq // 3), seq % 36, min(at, now - 60),
                         "stopped" if stopped else "completed", 600 if stopped else 1800, 1900, 3,
                         2 + (c + seq) % 3, ("pain" if c % 5 == 0 else "tired") if stopped else None, now))
                    db.executemany("INSERT INTO segments (device_id, seq, idx, kind, planned_ms, start_ms, done_ms,"
                                   " skipped) VALUES (?, ?, ?, 'run', 60000, 0, 60000, 0)",
                                   [(device, seq, i) for i in range(17)])


def _get(port, path, cookie=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        resp = conn.getresponse()
        return resp.status, resp.getheader("set-cookie"), resp.read()
    finally:
        conn.close()


def run(clients=50, sessions=100):
    now = int(time.time())
    with tempfile.TemporaryDirectory(prefix="runcue-bench-") as tmp:
        path = Path(tmp) / "archive.sqlite"
        t = time.perf_counter()
        build(path, clients, sessions, now)
        build_s = time.perf_counter() - t
        proc = subprocess.Popen([RUNCUE, "desk", "--archive", str(path), "--no-browser"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        try:
            line = proc.stdout.readline() if proc.stdout else ""
            m = re.search(r"127\.0\.0\.1:(\d+)/\?token=(\S+)", line)
            assert m, "the desk printed no address: %r" % line
            port = int(m.group(1))
            status, cookie, _ = _get(port, "/?token=" + m.group(2))
            assert status == 303 and cookie, status
            cookie = cookie.split(";")[0]
            times, size = [], 0
            for _ in range(RUNS):
                t = time.perf_counter()
                status, _, body = _get(port, "/", cookie)
                times.append(time.perf_counter() - t)
                assert status == 200 and body.count(b"<tr>") >= clients, status
                size = len(body)
        finally:
            proc.terminate()
            proc.wait(15)
    return {"clients": clients, "sessions": sessions, "build_s": build_s, "median_ms": statistics.median(times) * 1000,
            "max_ms": max(times) * 1000, "first_ms": times[0] * 1000, "bytes": size}


def report(f):
    print("client list of %(clients)d clients x %(sessions)d sessions: median %(median_ms).0f ms, slowest "
          "%(max_ms).0f ms, first %(first_ms).0f ms over HTTP (%(bytes)d bytes; archive built in %(build_s).1f s)"
          % f)
    print("goal < %d ms: %s" % (GOAL_MS, "met" if f["median_ms"] < GOAL_MS else "NOT met"))


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    report(run(*args))
