"""`runcue sim run/twin --board rp2`: the emulated Pico from the command line, and over its USB."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from runcue import records
from runcue_host.archive import Archive
from runcue_host.sim import rp2 as pico

BIN = Path(sys.executable).parent
RUNCUE = str(BIN / "runcue")
TINY = "10s walk, 2x(10s run, 10s walk)"  # 50 s: a quick whole session


def runcue(*args, timeout=300, env=None):
    return subprocess.run([RUNCUE, *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, env=env)


def test_a_wrong_or_missing_firmware_is_one_line_saying_what_is_needed(rp2_files, tmp_path):
    image = tmp_path / "w.img"
    bad = runcue("sim", "run", "--board", "rp2", "--flash", str(image), "--program", TINY,
                 "--firmware", str(rp2_files[1]))  # the bootrom given as the firmware
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and bad.stderr.startswith("runcue: ")
    assert "RPI_PICO .uf2 of MicroPython 1.28" in bad.stderr and "micropython.org/download" in bad.stderr
    assert not image.exists()  # nothing made for a run that could not start
    env = {k: v for k, v in os.environ.items() if k not in (pico.FIRMWARE_ENV, pico.BOOTROM_ENV)}
    missing = runcue("sim", "run", "--board", "rp2", "--flash", str(image), "--program", TINY, env=env)
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
    assert "--firmware UF2 or RUNCUE_RP2_FIRMWARE" in missing.stderr
    unix = runcue("sim", "run", "--flash", str(image), "--firmware", str(rp2_files[0]))
    assert unix.returncode == 2 and "for --board rp2" in unix.stderr


def test_sim_run_on_rp2_gives_the_unix_sims_buzzer_timeline(pico_image, tmp_path):
    rp2_timeline = tmp_path / "rp2.json"
    out = runcue("sim", "run", "--board", "rp2", "--flash", str(pico_image), "--program", TINY,
                 "--timeline", str(rp2_timeline), "--screenshots", str(tmp_path / "shots"))
    assert out.returncode == 0, out.stderr
    assert "sessions: 1" in out.stdout
    unix_timeline = tmp_path / "unix.json"
    out = runcue("sim", "run", "--flash", str(tmp_path / "unix.img"), "--program", TINY,
                 "--timeline", str(unix_timeline))
    assert out.returncode == 0, out.stderr
    rp2_events = json.loads(rp2_timeline.read_text())["events"]
    unix_events = [e for e in json.loads(unix_timeline.read_text())["events"] if not e.get("vib")]  # no motor
    assert len(rp2_events) == len(unix_events)
    t_rp2, t_unix = rp2_events[0]["t_ms"], unix_events[0]["t_ms"]
    for a, b in zip(rp2_events, unix_events, strict=True):
        assert a["freq_hz"] == b["freq_hz"]
        assert abs((a["t_ms"] - t_rp2) - (b["t_ms"] - t_unix)) <= 5, (a, b)  # from the session's start
        assert abs(a["dur_ms"] - b["dur_ms"]) <= 25  # a note ends at the next wake-up of the firmware
    shots = sorted(p.name for p in (tmp_path / "shots").iterdir())
    assert shots[0].endswith("-home.png") and any(s.endswith("-running.png") for s in shots)


class Twin:
    """`runcue sim twin --board rp2` as a user starts it."""

    def __init__(self, image, link):
        self.link = Path(link)
        self.log = Path(str(link) + ".log")
        self.proc = subprocess.Popen([RUNCUE, "sim", "twin", "--board", "rp2", "--flash", str(image),
                                      "--link", str(link), "--log", str(self.log)],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.wait_home(0)

    def wait_home(self, shown_before):
        """Until the watch shows home more often than ``shown_before`` times (the twin's event log)."""
        deadline = time.monotonic() + 120
        while self.homes() <= shown_before:
            assert self.proc.poll() is None, self.proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the emulated Pico never showed its home screen"
            time.sleep(0.2)

    def homes(self):
        if not self.log.exists():
            return 0
        return sum(1 for ln in self.log.read_text().splitlines() if ln.startswith("@show") and '"home"' in ln)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(30)
        assert not self.link.exists() and not self.link.is_symlink(), "the twin left its link behind"


def test_sync_over_the_emulated_usb_stores_once_and_pushes_reach_the_watch(pico_image, tmp_path):
    played = runcue("sim", "run", "--board", "rp2", "--flash", str(pico_image), "--program", TINY)
    assert played.returncode == 0, played.stderr
    logged = pico.read_flash(pico_image)["log"]
    arc_path = tmp_path / "archive.sqlite"
    twin = Twin(pico_image, tmp_path / "ttyPICO")
    try:
        port = str(twin.link)
        info = runcue("device", "info", "--port", port, "--json")
        assert info.returncode == 0, info.stderr
        info = json.loads(info.stdout)
        assert info["clock"] == 0  # the Pico has no RTC: unset until a sync sets it
        assert info["unsynced"] == 1
        first = runcue("sync", "--port", port, "--archive", str(arc_path), "--json")
        assert first.returncode == 0, first.stderr
        assert json.loads(first.stdout)["stored"]["new"] == 1
        again = runcue("sync", "--port", port, "--archive", str(arc_path), "--json")
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout)["stored"]["new"] == 0
        pushed = runcue("program", "push", "5m walk, 3x(2m run, 1m walk)", "--port", port,
                        "--archive", str(arc_path))
        assert pushed.returncode == 0, pushed.stderr
        info = json.loads(runcue("device", "info", "--port", port, "--json").stdout)
        assert info["program"]["kind"] == "program" and info["unsynced"] == 0 and info["clock"] > 0
        plan = runcue("plan", "push", "c25k", "--port", port, "--archive", str(arc_path))
        assert plan.returncode == 0, plan.stderr
    finally:
        twin.stop()
    with Archive(arc_path) as arc:
        rows = arc.sessions()
        raw = b"".join(r[0] for r in arc.db.execute("SELECT bytes FROM raw_records ORDER BY seq, idx").fetchall())
    assert [(r["seq"], r["status"]) for r in rows] == [(1, "completed")]
    assert raw == logged  # the archive holds exactly what the Pico logged
    flash = pico.read_flash(pico_image)
    assert flash["program"]["kind"] == "plan"
    assert [t for t, _ in records.decode_all(flash["log"])].count(records.START) == 0  # freed once stored


def test_a_sync_that_holds_the_watch_past_its_watchdog_time_is_not_reset(pico_image, tmp_path):
    # mpremote's soft reset in the raw REPL does not run main.py again, and no soft reset stops the
    # RP2040's watchdog that the app started: the host's session must keep it fed (8 s on a Pico).
    from runcue_host.watch.link import Watch

    twin = Twin(pico_image, tmp_path / "ttyPICO")
    try:
        with Watch(str(twin.link)) as w:
            before = w.info()
            time.sleep(11)  # the twin paces emulated time to wall time: longer than the watchdog's 8 s
            after = w.info()
        assert after["boots"] == before["boots"] and after["uptime_s"] >= before["uptime_s"] + 8
        assert twin.homes() == 1  # the watch never went back through its boot to home
    finally:
        twin.stop()
