"""`runcue sim run`: the unmodified firmware on the real MicroPython unix port.

The host side of the simulator: it makes (or reuses) the flash image, builds
the firmware bundle, writes the run's settings for ``simulator/sim_boot.py``,
starts ``micropython`` on it, and turns the watch's event lines (stderr,
``@cue``, ``@screen``...) into a buzzer timeline and PNG screenshots.
"""

import fcntl
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

from runcue_host import deploy

ROOT = deploy.ROOT
SIMULATOR = ROOT / "simulator"
MICROPYTHON = Path(sys.executable).parent / "micropython"
BLOCK_SIZE = 4096
BLOCKS = 128  # 512 KB of flash for the firmware, the program and the log
RTC_BYTES = 512  # simhw.RTC_BYTES: the sim's battery-backed clock after the blocks
RTC_MAGIC = b"RCRTC1"
DAY_MS = 86400000


class SimError(Exception):
    """A sim run that could not be done (bad image, image in use...)."""


def create_image(path, rtc_unix=None, blocks=BLOCKS):
    """A blank (erased) flash image whose RTC is set to ``rtc_unix`` (None: unset).

    ``blocks``: a smaller flash fills up in a few sessions (tests of a full flash);
    the sim reads the block count from the image's size.
    """
    with open(path, "wb") as f:
        f.write(b"\xff" * (BLOCK_SIZE * blocks))
        trailer = b"\xff" * RTC_BYTES
        if rtc_unix:
            trailer = RTC_MAGIC + struct.pack("<qq", rtc_unix, int(time.time()))
            trailer += b"\xff" * (RTC_BYTES - len(trailer))
        f.write(trailer)
    os.chmod(path, 0o600)


def set_image_clock(path, rtc_unix):
    """Set the battery-backed clock of a stopped sim's image (a later day for the next run)."""
    fd = lock_image(path)
    try:
        trailer = RTC_MAGIC + struct.pack("<qq", rtc_unix, int(time.time()))
        os.pwrite(fd, trailer, os.fstat(fd).st_size - RTC_BYTES)
    finally:
        os.close(fd)


def lock_image(path):
    """An open, flock-ed handle on the image: two sims never share one flash."""
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise SimError("%s: the image is in use by another sim run or twin" % path) from None
    return fd


MOOD = {None: [], 1: ["B"], 2: ["B", "B"], 3: ["B"] * 3, 4: ["B"] * 4, 5: ["B"] * 5}  # presses to each answer
TALK = {"yes": [], "no": ["B"], None: ["B", "B"]}
REASON = {"tired": [], "pain": ["B"], "unwell": ["B", "B"], "other": ["B"] * 3}


def client_session(gap_ms, before=3, after=4, talk="yes", runs=(((), 0),), pause_for=120000, reason=None):
    """The presses of one session, started ``gap_ms`` after the home screen shows.

    Screen-triggered presses fire on the first unused trigger for a screen, so every
    showing of the running screen gets its own: ``runs`` holds (presses, delay_ms)
    for each (presses ``delay_ms`` apart).  "A" pauses (resumed after
    ``pause_for``, and the running screen shows again), "B" skips, "A+" (a long
    press) asks to stop, confirmed with A.  Moods 1-5 or None (skipped).
    """
    script = [{"on": "home", "presses": ["A"], "delay_ms": gap_ms},
              {"on": "checkin_before", "presses": MOOD[before] + ["A"], "delay_ms": 300}]
    for presses, delay in runs:
        script.append({"on": "running", "presses": list(presses), "delay_ms": delay})
        if presses and presses[-1] == "A":
            script.append({"on": "paused", "presses": ["A"], "delay_ms": pause_for})
    stopped = any("A+" in presses for presses, _ in runs)
    if stopped:
        script.append({"on": "stop_confirm", "presses": ["A"], "delay_ms": 400})
    script += [{"on": "checkin_after", "presses": MOOD[after] + ["A"], "delay_ms": 300},
               {"on": "checkin_talk", "presses": TALK[talk] + ["A"], "delay_ms": 300}]
    if stopped:
        script.append({"on": "checkin_reason", "presses": REASON[reason or "tired"] + ["A"], "delay_ms": 300})
    script.append({"on": "summary", "presses": ["A"], "delay_ms": 300})
    return script


def default_client(sessions, gap_ms, first_gap_ms=1000):
    """The client who starts, follows the whole program and answers the check-in (mood 3, then 4)."""
    script = []
    for i in range(sessions):
        script += client_session(first_gap_ms if i == 0 else gap_ms)
    return script


def boot_config(image, **settings):
    bundle, bid = deploy.build("sim")
    config = {"image": str(Path(image).resolve()), "block_size": BLOCK_SIZE, "bundle": str(bundle),
              "bundle_id": bid}
    config.update(settings)
    return config


def micropython_env():
    env = dict(os.environ)
    env["MICROPYPATH"] = ".frozen:" + str(SIMULATOR)
    return env


class RunResult:
    def __init__(self, returncode, events, stderr_tail):
        self.returncode = returncode
        self.events = events  # [(kind, obj)] in order
        self.stderr_tail = stderr_tail

    def of(self, kind):
        return [obj for k, obj in self.events if k == kind]

    @property
    def power_cut(self):
        return bool(self.of("powercut"))


def run(image, buttons=None, sessions=1, clock="virtual", cut_at_write=0, screenshots=None,
        tick_offset=0, heapsize=None, program_json=None, plan_json=None, rtc_unset=False, heap_probe=False,
        battery=100, faults=None, timeout=600):
    """One sim run; the watch's events.  Formats a missing image.

    ``faults``: exceptions or a reset the watch meets (simulator/simhw.py ``Faults``).
    """
    image = Path(image)
    if not image.exists():
        create_image(image, None if rtc_unset else int(time.time()))
    fd = lock_image(image)
    try:
        if buttons is None:
            buttons = default_client(sessions, 2 * DAY_MS if clock == "virtual" else 2000)
        config = boot_config(image, clock=clock, buttons=buttons, cut_at_write=cut_at_write,
                             screenshots=screenshots, tick_offset=tick_offset, program=program_json,
                             plan=plan_json, heap_probe=heap_probe, battery=battery,
                             faults=faults)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as cf:
            json.dump(config, cf)
        cmd = [str(MICROPYTHON)]
        if heapsize:
            cmd += ["-X", "heapsize=%s" % heapsize]
        cmd += [str(SIMULATOR / "sim_boot.py"), cf.name]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=micropython_env(), timeout=timeout,
                              stdin=subprocess.DEVNULL)
        os.unlink(cf.name)
    finally:
        os.close(fd)
    events = []
    other = []
    for line in proc.stderr.splitlines():
        if line.startswith("@") and " " in line:
            kind, _, body = line[1:].partition(" ")
            events.append((kind, json.loads(body)))
        else:
            other.append(line)
    return RunResult(proc.returncode, events, "\n".join((proc.stdout.splitlines() + other)[-30:]))


def timeline(result):
    """The buzzer/vibration timeline document of the design."""
    return {"events": result.of("cue")}


def png_bytes(width, height, fb_hex):
    """A PNG of a MONO_HLSB framebuffer (lit pixels white on black, scaled x3)."""
    fb = bytes.fromhex(fb_hex)
    scale = 3
    stride = (width + 7) // 8
    rows = []
    for y in range(height):
        row = bytearray()
        for x in range(width):
            lit = fb[y * stride + x // 8] >> (7 - x % 8) & 1
            row += (b"\xf0\xf0\xf0" if lit else b"\x10\x18\x20") * scale
        rows += [b"\x00" + bytes(row)] * scale

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width * scale, height * scale, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
            + chunk(b"IEND", b""))


def write_screenshots(result, out_dir):
    """Each screen as a PNG in ``out_dir``: owner-only files (a client's run), all or none."""
    from runcue_host import private_files

    out_dir = private_files.private_dir(out_dir, ("--screenshots", "the screenshots"))
    paths = []
    with private_files.FileSet(("--screenshots", "the screenshots")) as files:
        for i, shot in enumerate(result.of("screen")):
            p = out_dir / ("%03d-%s.png" % (i, shot["name"]))
            files.write(p, png_bytes(shot["w"], shot["h"], shot["fb"]))
            paths.append(p)
    return paths


def read_flash(image):
    """The image's files and whole log, read without booting the watch."""
    fd = lock_image(image)
    try:
        cmd = [str(MICROPYTHON), str(SIMULATOR / "read_flash.py"), str(Path(image).resolve())]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=micropython_env(), timeout=60)
    finally:
        os.close(fd)
    if proc.returncode != 0:
        raise SimError("%s: cannot read the image: %s" % (image, (proc.stdout + proc.stderr)[-500:]))
    out = json.loads(proc.stdout.splitlines()[-1])
    out["log"] = bytes.fromhex(out["log"])
    return out


def png_mono(data, scale=3):
    """The lit pixels of a PNG written by png_bytes: (width, height, set of (x, y))."""
    pos = 8
    width = height = 0
    idat = b""
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        tag = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        if tag == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif tag == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = 1 + width * 3
    lit = set()
    for y in range(0, height, scale):
        row = raw[y * stride + 1:(y + 1) * stride]
        for x in range(0, width, scale):
            if row[x * 3] > 0x80:
                lit.add((x // scale, y // scale))
    return width // scale, height // scale, lit
