"""What opening the archive costs: the write open runs ``PRAGMA quick_check`` first.

    .venv/bin/python bench/bench_archive_open.py [SESSIONS]

A synthetic archive the size of a busy practice after years (default 10 000
sessions, 17 segments and 20 raw records each, rows inserted straight into the
real schema), then the median of 5 opens for writing (sync, push) and for
reading (sessions, report, export), and of ``quick_check`` alone.  Figures only.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from runcue_host.archive import Archive


def build(path, n):
    with Archive(path) as arc, arc.transaction() as db:
        db.execute("INSERT INTO devices (device_id, client, first_seen, last_sync) VALUES (?, NULL, 0, 0)",
                   ("0123456789abcdef",))
        for seq in range(1, n + 1):
            db.execute("INSERT INTO sessions (device_id, seq, client, program_id, started_at, started_approx,"
                       " status, done_s, wall_s, logged_whole, synced_at) VALUES (?, ?, NULL, ?, ?, 0,"
                       " 'completed', 1800, 1900, 1, 0)", ("0123456789abcdef", seq, "0" * 16, seq * 86400))
            db.executemany("INSERT INTO segments (device_id, seq, idx, kind, start_ms, done_ms, skipped)"
                           " VALUES (?, ?, ?, 'run', 0, 60000, 0)", [("0123456789abcdef", seq, i) for i in range(17)])
            db.executemany("INSERT INTO raw_records (device_id, seq, idx, rtype, bytes) VALUES (?, ?, ?, 1, ?)",
                           [("0123456789abcdef", seq, i, os.urandom(10)) for i in range(20)])


def median_s(fn, runs=5):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    with tempfile.TemporaryDirectory(prefix="runcue-bench-") as tmp:
        path = Path(tmp) / "archive.sqlite"
        build(path, n)
        size = path.stat().st_size
        write = median_s(lambda: Archive(path).close())
        read = median_s(lambda: Archive(path, read_only=True).close())
        with Archive(path) as arc:
            check = median_s(lambda: arc.db.execute("PRAGMA quick_check").fetchall())
    print("archive of %d sessions, %.1f MB: open for writing %.0f ms (quick_check %.0f ms of it),"
          " open read-only %.1f ms" % (n, size / 1e6, write * 1000, check * 1000, read * 1000))


if __name__ == "__main__":
    main()
