"""What the fault campaigns share: images, the raw flash, sessions (the twin: sim/twin.py TwinProcess).

A campaign returns a :class:`Stats` (cuts or breaks tried, sessions checked, seconds,
failures as one line each) instead of stopping at the first failure, so one run of
`make faults` counts everything; the tests then assert that nothing failed.
"""

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from runcue import program, records
from runcue_host import sim
from runcue_host.archive import logdecode as host_sessions

HERE = Path(__file__).resolve().parent
MP_FLASH = HERE / "mp_flash.py"
RUNCUE = str(Path(sys.executable).parent / "runcue")
RTC0 = 1764000000  # 2025-11-24: every image starts with this clock (virtual time goes on from it)
WORKERS = max(1, os.cpu_count() or 1)

# A short program (4 minutes): six segments, so a session has SEG records to lose.
PROG_A = program.make("faults A", "en", [["walk", 60000], ["x", 2, [["run", 30000], ["walk", 30000]]],
                                         ["cooldown", 30000]])
# 40 segments of 5 s: 365-byte sessions, so 12 fill a 4 KB segment file (two files, two read chunks)
PROG_DENSE = program.make("faults dense", "en", [["x", 20, [["run", 5000], ["walk", 5000]]]])
PROG_B = program.make("faults B", "nl", [["warmup", 30000], ["x", 3, [["run", 20000], ["rest", 20000]]]])

# start (mood 3), pause after 50 s for 40 s, resume, skip a segment 20 s later, finish, check-in
SESSION_SCRIPT = [
    {"on": "home", "presses": ["A"], "delay_ms": 1000},
    {"on": "checkin_before", "presses": ["B", "B", "B", "A"], "delay_ms": 400},
    {"on": "running", "presses": ["A"], "delay_ms": 50000},
    {"on": "paused", "presses": ["A"], "delay_ms": 40000},
    {"on": "running", "presses": ["B"], "delay_ms": 20000},
    {"on": "checkin_after", "presses": ["B", "B", "B", "B", "A"], "delay_ms": 400},
    {"on": "checkin_talk", "presses": ["A"], "delay_ms": 600},
    {"on": "summary", "presses": ["A"], "delay_ms": 1500},
]


class Stats:
    """One campaign's figures."""

    def __init__(self, name):
        self.name = name
        self.tried = 0  # cuts (or breaks) tried
        self.sessions = 0  # sessions checked after them
        self.failures = []
        self.notes = []
        self.reboot = []  # flash full: what the watch forgets at a reboot (a known bug, kept apart)
        self.t0 = time.monotonic()
        self.seconds = 0.0
        self.lock = threading.Lock()

    def fail(self, what):
        with self.lock:
            self.failures.append(what)

    def count(self, tried=0, sessions=0):
        with self.lock:
            self.tried += tried
            self.sessions += sessions

    def done(self):
        self.seconds = time.monotonic() - self.t0
        return self

    def as_dict(self):
        return {"campaign": self.name, "tried": self.tried, "sessions_checked": self.sessions,
                "failures": len(self.failures), "seconds": round(self.seconds, 1),
                "first_failures": self.failures[:5], "notes": self.notes, "after_reboot": self.reboot}

    def check(self):
        assert not self.failures, "%s: %d failure(s):\n%s" % (self.name, len(self.failures),
                                                             "\n".join(self.failures[:15]))

    def save(self):
        """Append the figures to $RUNCUE_FAULTS_RESULTS (a JSON-lines file), when it is set."""
        path = os.environ.get("RUNCUE_FAULTS_RESULTS")
        if path:
            with open(path, "a") as f:
                f.write(json.dumps(self.as_dict()) + "\n")


def pick(total, sample):
    """Write indexes 1..total: all of them, or ``sample`` spread over the range (ends included)."""
    if not sample or sample >= total:
        return list(range(1, total + 1))
    picks = {1, total}
    for i in range(1, sample - 1):
        picks.add(1 + (total - 1) * i // (sample - 1))
    return sorted(picks)


def parallel(fn, items, workers=WORKERS):
    """``fn(item)`` for every item on ``workers`` threads (each one waits on its own subprocess)."""
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(fn, items))


# -- images ---------------------------------------------------------------------------------

def new_image(path, blocks=sim.BLOCKS):
    path = Path(path)
    if path.exists():
        path.unlink()
    sim.create_image(path, RTC0, blocks=blocks)
    return path


def copy_image(src, dst):
    shutil.copyfile(src, dst)
    os.chmod(dst, 0o600)
    return Path(dst)


def _retry_locked(fn, *args, **kw):
    """``fn`` again while the image's lock is held for a moment: with the campaigns' threads, a
    fork for another thread's subprocess can hold a copy of a lock fd until its exec."""
    for _ in range(50):
        try:
            return fn(*args, **kw)
        except sim.SimError as e:
            if "in use" not in str(e):
                raise
            time.sleep(0.05)
    return fn(*args, **kw)


def sim_run(image, **kw):
    """``sim.run`` (retried while the lock is held for a moment, see _retry_locked)."""
    return _retry_locked(sim.run, image, **kw)


def run_ok(image, **kw):
    """A sim run that must end normally; its result."""
    result = sim_run(image, **kw)
    if result.returncode != 0:
        raise AssertionError("sim run failed (rc %d): %s" % (result.returncode, result.stderr_tail))
    return result


def writes_of(result):
    return result.of("exit")[0]["writes"]


def mp_flash(*args, timeout=60, lock=True):
    """tests/faults/mp_flash.py on the real MicroPython, with the image locked as `sim run` does
    (``lock=False``: a look at the flash of a twin that is running but idle)."""
    image = args[1]
    fd = _retry_locked(sim.lock_image, image) if lock else None
    try:
        return subprocess.run([str(sim.MICROPYTHON), str(MP_FLASH)] + [str(a) for a in args],
                              capture_output=True, text=True, env=sim.micropython_env(), timeout=timeout,
                              stdin=subprocess.DEVNULL)
    finally:
        if fd is not None:
            os.close(fd)


class Flash:
    """The raw contents of an image's filesystem (nothing recovered, nothing written)."""

    def __init__(self, image, lock=True):
        proc = mp_flash("inspect", image, lock=lock)
        if proc.returncode != 0:
            raise AssertionError("cannot inspect %s: %s" % (image, (proc.stdout + proc.stderr)[-800:]))
        doc = json.loads(proc.stdout.splitlines()[-1])
        self.free_bytes = doc["free_bytes"]
        self.sizes = {k: v for k, v in doc["files"].items() if isinstance(v, int)}
        self.files = {k: bytes.fromhex(v) for k, v in doc["files"].items() if isinstance(v, str)}

    def log_files(self):
        return sorted(k for k in self.files if k.startswith("/log/") and k.endswith(".log"))

    @property
    def log(self):
        return b"".join(self.files[k] for k in self.log_files())

    def small(self, name):
        """A file written by logstore.write_small: its object, {} when missing or corrupt."""
        raw = self.files.get(name)
        if raw is None:
            return {}
        try:
            text, crc = raw.decode().split("\n")[:2]
            import binascii

            if int(crc, 16) == binascii.crc32(text.encode()):
                return json.loads(text)
        except ValueError:
            pass
        return {}

    def text(self, name):
        raw = self.files.get(name)
        return None if raw is None else raw.decode("utf-8", "replace")


# -- sessions in a log ------------------------------------------------------------------------

def sessions_of(log):
    """[(seq, [raw frame bytes])] of a log, split by the host's rules; AssertionError if not whole."""
    try:
        groups = host_sessions.split(host_sessions.frames(log))
    except host_sessions.LogError as e:
        raise AssertionError("the log does not decode: %s" % e) from None
    return [(g[0][1][0], [it[2] for it in g]) for g in groups]


def status_of(frames):
    """completed/stopped/interrupted of a session's raw frames; 0: no end (open)."""
    status = 0
    for raw in frames:
        rtype, fields, _ = records.decode_frame(raw)
        if rtype == records.END:
            status = fields[0]
        elif rtype == records.SUMMARY:
            status = fields[8]
    return status


def interrupted_end(frames):
    """The END(INTERRUPTED) that recovery must add after ``frames``: at the last timed record,
    with the pauses resumed so far (as the design says: "up to its last record")."""
    active = paused = 0
    for raw in frames:
        rtype, fields, _ = records.decode_frame(raw)
        if rtype in (records.SEG, records.SKIP, records.PAUSE):
            active = fields[0]
        elif rtype == records.RESUME:
            paused += fields[0]
    return records.encode(records.END, records.INTERRUPTED, active, active + paused)


def check_cut_session(got, ref, where):
    """A session a power cut hit: a prefix of the uncut run's frames, closed as the rules say.

    ``got``: its frames after recovery; ``ref``: the frames of the same session uncut.
    Returns a failure line or None, and how many of its frames survived.
    """
    ended = [i for i, raw in enumerate(ref) if raw[0] in (records.END, records.SUMMARY)]
    if got == ref:
        return None, len(ref)
    if ended and got == ref[:ended[0] + 1]:  # the check-in after the end did not reach flash
        return None, len(got)
    body = got[:-1]
    if got and got[-1] == interrupted_end(body) and ref[:len(body)] == body and len(body) < len(ref):
        if ended and len(body) > ended[0]:
            return "%s: closed as interrupted after its END" % where, len(body)
        return None, len(body)
    return "%s: session frames are not a prefix of the uncut run: got %s, uncut %s" % (
        where, [records.TYPE_NAMES[r[0]] for r in got], [records.TYPE_NAMES[r[0]] for r in ref]), -1


def first_screen(result):
    shows = result.of("show")
    return shows[0]["name"] if shows else None
