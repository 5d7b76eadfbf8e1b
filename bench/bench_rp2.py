"""Figures for the watch on the rp2 port (the emulated Pico), beside the unix sim's.

    RUNCUE_RP2_FIRMWARE=... RUNCUE_RP2_BOOTROM=... .venv/bin/python bench/bench_rp2.py

CPU figures come from emulated cycles (the instructions the Cortex-M0+ runs, as
rp2040js counts them), so they do not depend on how loaded the machine is; the
wall times do.  The I2C bytes the OLED received are charged at a 400 kHz bus
(9 bit times a byte), which the emulator does not charge (the rp2 port's
``I2C.writeto`` waits for the bus).  Prints figures; asserts nothing.
"""

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from runcue import cues, program
from runcue_host import sim
from runcue_host.sim import rp2

PROG = program.make("bench", "en", [["walk", 60000], ["x", 2, [["run", 60000], ["walk", 60000]]], ["walk", 60000]])
CPU_HZ = 125_000_000
I2C_BYTE_S = 9 / 400_000
IDLE_HOME_MS = 20000
SCRIPT = [{"on": "home", "presses": ["A"], "delay_ms": 1000},
          {"on": "checkin_before", "presses": ["A"], "delay_ms": 300},
          {"on": "checkin_after", "presses": ["A"], "delay_ms": 300},
          {"on": "checkin_talk", "presses": ["A"], "delay_ms": 300},
          {"on": "summary", "presses": ["A"], "delay_ms": 300}]


def planned(prog, t0):
    """(t_ms, Hz of the first note) of every cue of an unpaused session started at ``t0``."""
    exp = prog.expand()
    out = []
    for i in range(1, exp.n + 1):
        start = exp.start_ms[i]
        out += [(t0 + start - k * 1000, cues.TONE_COUNTDOWN[0]) for k in (3, 2, 1)]
        tone = cues.TONE_FINISHED if i == exp.n else cues.TONES[cues.KIND_CUES[exp.kind[i]]]
        out.append((t0 + start, tone[0]))
    return out


def cue_error(result, prog):
    """The largest distance (ms) of a planned cue from the nearest note of its pitch."""
    heard = [(e["t_ms"], e["freq_hz"]) for e in result.of("cue") if "freq_hz" in e]
    t0 = min(t for t, _ in heard)
    return max(min(abs(h - t) for h, f in heard if f == freq) for t, freq in planned(prog, t0))


def share(cycles, i2c_bytes, seconds):
    busy_s = cycles / CPU_HZ + i2c_bytes * I2C_BYTE_S
    return busy_s / seconds


def heap_after_boot(image, files):
    """(free, allocated) bytes of the heap with the app at home, read through mpremote (resume)."""
    with rp2.PtyWatch(image, *files) as w:
        assert w.harness is not None and w.harness.wait_event("show", 120, name=sim.HOME)
        code = "import gc; gc.collect(); print('HEAP', gc.mem_free(), gc.mem_alloc())"
        out = subprocess.run([str(rp2.MPREMOTE), "connect", w.port, "resume", "exec", code], capture_output=True,
                             text=True, timeout=60).stdout
    line = [ln for ln in out.splitlines() if ln.startswith("HEAP")]
    return tuple(int(x) for x in line[-1].split()[1:]) if line else (-1, -1)


def main():
    files = rp2.files()
    with tempfile.TemporaryDirectory() as tmp:
        image = Path(tmp) / "pico.img"
        t = time.perf_counter()
        rp2.prepare(image, *files, program_json=PROG.to_json())
        deploy_s = time.perf_counter() - t
        session = Path(tmp) / "session.img"
        shutil.copyfile(image, session)
        t = time.perf_counter()
        result = rp2.run(session, buttons=SCRIPT)
        wall_s = time.perf_counter() - t
        shows = result.of("show")
        run0 = next(s for s in shows if s["name"] == "running")
        after = next(s for s in shows if s["name"] == "checkin_after")
        end = result.counts()
        run_s = (after["t_ms"] - run0["t_ms"]) / 1000
        run_cycles = after["cycles"] - run0["cycles"]
        run_i2c = after["i2c_bytes"] - run0["i2c_bytes"]
        redraws = round(run_s)  # the running screen redraws once a second
        idle = rp2.run(Path(shutil.copyfile(image, Path(tmp) / "idle.img")),
                       buttons=[{"t_ms": IDLE_HOME_MS, "button": "B"}])  # home only, then a press it ignores
        idle_end = idle.counts()
        idle_home = idle.of("show")[0]
        idle_s = (idle_end["t_ms"] - idle_home["t_ms"]) / 1000
        idle_cycles = idle_end["awake_cycles"] - idle_home["cycles"]
        free, alloc = heap_after_boot(Path(shutil.copyfile(image, Path(tmp) / "heap.img")), files)
        unix_image = Path(tmp) / "unix.img"
        sim.run(unix_image, program_json=PROG.to_json(), buttons=[])
        t = time.perf_counter()
        unix = sim.run(unix_image, buttons=SCRIPT)
        unix_wall = time.perf_counter() - t
    print("rp2 (emulated Pico, MicroPython 1.28 RPI_PICO) vs unix sim, program %s (%d s)" % (
        PROG.name, PROG.total_ms // 1000))
    print("  deploy + push to a blank image (wall):        %.1f s" % deploy_s)
    print("  boot to the home screen (emulated):           %d ms" % result.of("booted")[0]["t_ms"])
    print("  heap with the app at home: free %d B, used %d B" % (free, alloc))
    print("  session wall time, virtual time: rp2 %.1f s, unix %.1f s" % (wall_s, unix_wall))
    print("  awake during the run: %.0f cycles/s = %.2f %% of 125 MHz (+ I2C at 400 kHz: %.2f %%)" % (
        run_cycles / run_s, 100 * run_cycles / run_s / CPU_HZ, 100 * share(run_cycles, run_i2c, run_s)))
    print("  awake at home (button polls only): %.0f cycles/s = %.3f %%" % (
        idle_cycles / idle_s, 100 * idle_cycles / idle_s / CPU_HZ))
    per_redraw = (run_cycles / run_s - idle_cycles / idle_s) * run_s / max(1, redraws)
    print("  one running-screen redraw (above idle): ~%.0f cycles = %.1f ms, + %.1f ms on the I2C bus" % (
        per_redraw, 1000 * per_redraw / CPU_HZ, 1000 * run_i2c / max(1, redraws) * I2C_BYTE_S))
    print("  cue error (largest): rp2 %d ms, unix %d ms" % (cue_error(result, PROG), cue_error(unix, PROG)))
    print("  flash per session: rp2 %d programs + %d erases (%d bytes programmed); unix %d block writes + %d erases"
          % (end["writes"], end["erases"], end["bytes_programmed"], unix.counts()["writes"],
             unix.counts()["erases"]))
    print("  OLED bytes per session: %d in %d transfers" % (end["i2c_bytes"], end["i2c_transfers"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
