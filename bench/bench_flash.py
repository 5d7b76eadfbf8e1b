"""Flash: bytes per week-1 session of the built-in c25k plan, and how many sessions fit.

    .venv/bin/python bench/bench_flash.py

The plan is pushed as the host pushes it (sim.run(plan_json=...)) and the
default client runs week 1 (3 sessions, virtual clock).  The log is decoded:
bytes per session and where they go; block writes and erases per session
(the run minus a boot-only run).  Then a 256 KB filesystem holding only the
log, and the sim's own 512 KB image (firmware, plan and log), are filled with
copies of that session through the watch's LogStore until logging turns off;
a last sim session on the full image shows the watch's side of it.  Last,
what the free-space check before each record costs, with an empty and a full
log (bench/mp_statvfs.py).
"""

from pathlib import Path

import benchlib

from runcue import records
from runcue_host import sim
from runcue_host.authoring import plan_file as plans

LOG_KB = 256


def run():
    c25k = plans.resolve("c25k")
    with benchlib.workdir() as tmp:
        tmp = Path(tmp)
        image = benchlib.prepared(tmp / "w.img", plan_json=c25k.to_json())
        boot = sim.run(benchlib.copy(image, tmp / "boot.img"), buttons=[]).of("exit")[0]
        r = sim.run(image, sessions=3)
        assert r.returncode == 0, r.stderr_tail
        ex = r.of("exit")[0]
        frames, n = benchlib.log_sessions(image)
        assert n == 3
        by_type = {k: v // n for k, v in benchlib.bytes_by_type(frames).items()}
        session = benchlib.session_json(frames, tmp / "session.json")
        # a log-only 256 KB filesystem: 64 blocks of 4 KB (+ the sim's RTC trailer)
        log_img = tmp / "log256.img"
        log_img.write_bytes(b"\xff" * (LOG_KB * 1024 + sim.RTC_BYTES))
        only_log = benchlib.fill(log_img, session, fmt=True)
        # the sim's whole flash: firmware, plan, state and the log
        st_empty = benchlib.last_json(benchlib.micropython("mp_statvfs.py", image))
        full = benchlib.fill(benchlib.copy(image, tmp / "full.img"), session)
        st_full = benchlib.last_json(benchlib.micropython("mp_statvfs.py", tmp / "full.img"))
        last = sim.run(tmp / "full.img", sessions=1)
        assert last.returncode == 0, last.stderr_tail
        normal = sim.run(image, sessions=1)  # the same next session, on the image before the fill
        tail = records.decode_all(sim.read_flash(tmp / "full.img")["log"])[-2:]
    per_session = sum(by_type.values())
    return {
        "bytes_per_session": per_session, "by_type": by_type,
        "writes_per_session": (ex["writes"] - boot["writes"]) / n,
        "erases_per_session": (ex["erases"] - boot["erases"]) / n,
        "boot_writes": boot["writes"], "boot_erases": boot["erases"],
        "fit_256k": only_log["sessions"], "fit_256k_by_bytes": LOG_KB * 1024 // per_session,
        "only_log": only_log, "full": full,
        "full_last": [records.TYPE_NAMES[t] for t, _ in tail],
        "full_last_cues": len([e for e in last.of("cue") if "freq_hz" in e]),
        "normal_cues": len([e for e in normal.of("cue") if "freq_hz" in e]),
        "statvfs_empty": st_empty, "statvfs_full": st_full,
    }


def report(f):
    print("flash per c25k week-1 session: %d bytes %s" % (f["bytes_per_session"], f["by_type"]))
    print("  per session: %.1f block writes, %.1f erases (a boot alone: %d writes, %d erases)"
          % (f["writes_per_session"], f["erases_per_session"], f["boot_writes"], f["boot_erases"]))
    o = f["only_log"]
    print("  %d KB filesystem holding only the log: %d sessions fit before logging turned off (by bytes alone: %d);"
          " %d log files of %d-%d bytes, %d bytes of records in %d KB taken"
          % (LOG_KB, f["fit_256k"], f["fit_256k_by_bytes"], o["log_files"], o["file_min"], o["file_max"],
             o["log_bytes"], (o["free_before"] - o["free_after"]) // 1024))
    g = f["full"]
    print("  the sim's %d KB flash (firmware + plan + log): %d KB free for the log, %d sessions fit;"
          " the next session is logged as %s; it played %d tones (%d on the image before the fill)"
          % (g["blocks"] * g["block"] // 1024, g["free_before"] // 1024, g["sessions"], "+".join(f["full_last"]),
             f["full_last_cues"], f["normal_cues"]))
    e, g = f["statvfs_empty"], f["statvfs_full"]
    print("  os.statvfs, called before every record: %d block-device reads, %d KB (%d us here) with %d log file(s);"
          " %d reads, %d KB (%d us) with %d" % (e["reads"], e["bytes"] // 1024, e["us"], e["log_files"], g["reads"],
                                                g["bytes"] // 1024, g["us"], g["log_files"]))


if __name__ == "__main__":
    report(run())
