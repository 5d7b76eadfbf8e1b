"""`runcue sim run`: the unmodified firmware on the real MicroPython unix port.

The host side of the simulator: it makes (or reuses) the flash image, builds
the firmware bundle, writes the run's settings for ``simulator/sim_boot.py``,
starts ``micropython`` on it, and turns the watch's event lines (stderr,
``@cue``, ``@screen``...) into a buzzer timeline and PNG screenshots.
"""

import ast
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

from runcue import engine, program
from runcue_host.watch import deploy

ROOT = deploy.ROOT
SIMULATOR = ROOT / "simulator"
MICROPYTHON = Path(sys.executable).parent / "micropython"
BLOCK_SIZE = 4096
BLOCKS = 128  # 512 KB of flash for the firmware, the program and the log
RTC_BYTES = 512  # simhw.RTC_BYTES: the sim's battery-backed clock after the blocks
RTC_MAGIC = b"RCRTC1"
DAY_MS = 86400000
FS_MAGIC = b"littlefs"
FS_MAGIC_AT = 8  # in a superblock: after its revision count and first tag
HOME = "home"  # the screen of a watch between sessions (firmware/screens.py)
NO_PROGRAM = "the watch has no program: give --program or push one"
VIRTUAL_DEADLINE_S = 600  # real time for a virtual-clock run: a last resort, the sim ends itself well before


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
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError as e:
        raise SimError("%s: cannot open the flash image (%s)" % (path, e.strerror)) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise SimError("%s: the image is in use by another sim run or twin" % path) from None
    return fd


def image_bytes(blocks=BLOCKS):
    return BLOCK_SIZE * blocks + RTC_BYTES


def check_new_file(path, what):
    """``path`` can be a file of ours: not a directory, and its directory exists."""
    if path.is_dir():
        raise SimError("%s: is a directory: give the path of %s" % (path, what))
    if not path.parent.is_dir():
        raise SimError("%s: no such directory: %s (make it first)" % (path, path.parent))


def image_problem(fd):
    """Why the open file ``fd`` is not a flash image this board can use, or None.

    An image is whole 4 KB blocks (at most BLOCKS: tests make smaller flashes) and the
    RTC block, and its blocks are either all erased (0xFF; or 0x00) or LittleFS: the
    superblock's magic at FS_MAGIC_AT in block 0 or 1 (littlefs keeps it in a pair).
    """
    size = os.fstat(fd).st_size
    blocks, rest = divmod(size - RTC_BYTES, BLOCK_SIZE)
    if rest or not 2 <= blocks <= BLOCKS:
        return "%d bytes, expected %d: %d blocks of %d bytes and a %d-byte clock" % (
            size, image_bytes(), BLOCKS, BLOCK_SIZE, RTC_BYTES)
    fs = os.pread(fd, blocks * BLOCK_SIZE, 0)
    if not fs.strip(b"\xff") or not fs.strip(b"\x00"):
        return None
    for block in (0, 1):
        at = block * BLOCK_SIZE + FS_MAGIC_AT
        if fs[at:at + len(FS_MAGIC)] == FS_MAGIC:
            return None
    return "%d bytes, neither erased nor LittleFS" % size


def is_blank(fd):
    """True for an image whose blocks were never written (no firmware, no program)."""
    fs = os.pread(fd, os.fstat(fd).st_size - RTC_BYTES, 0)
    return not fs.strip(b"\xff") or not fs.strip(b"\x00")


def open_image(path, rtc_unix=None):
    """A flock-ed handle on the watch's flash image ``path``, made (blank) when missing.

    Anything else is refused and left as it is: a directory, a path in a missing
    directory, a file that is not a flash image (an archive passed by mistake).
    """
    path = Path(path)
    check_new_file(path, "the watch's flash image")
    if not path.exists():
        create_image(path, rtc_unix)
    fd = lock_image(path)
    try:
        problem = image_problem(fd)
    except BaseException:
        os.close(fd)
        raise
    if problem:
        os.close(fd)
        raise SimError("%s: not a watch flash image (%s); give a new file name to make one" % (path, problem))
    return fd


def screen_names():
    """The watch's screen names, read from where the firmware defines them (each screen's NAME)."""
    tree = ast.parse((ROOT / "firmware" / "screens.py").read_text(encoding="utf-8"))
    names = []
    for cls in tree.body:
        if isinstance(cls, ast.ClassDef):
            for node in cls.body:
                if (isinstance(node, ast.Assign) and [getattr(t, "id", "") for t in node.targets] == ["NAME"]
                        and isinstance(node.value, ast.Constant) and node.value.value):
                    names.append(node.value.value)
    return names


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


def push_calls(program_json=None, plan_json=None):
    """The sync service calls that push a program or a plan, as the host makes them; None for neither."""
    from binascii import b2a_base64, crc32

    from runcue import plan

    if program_json:
        steps = [("put_program", program_json.encode("utf-8"), ())]
    elif plan_json:
        steps = plan.loads(plan_json).push_steps()
    else:
        return None
    return [[name, b2a_base64(data).decode().strip(), crc32(data), *args] for name, data, args in steps]


def micropython_env():
    env = dict(os.environ)
    env["MICROPYPATH"] = ".frozen:" + str(SIMULATOR)
    return env


def write_config(config):
    """The run's settings as a temporary JSON file for sim_boot.py: its path.

    UTF-8, not ASCII escapes: MicroPython's json does not join an escaped surrogate
    pair, so a name with a character beyond U+FFFF would reach the watch mangled.
    """
    fd, path = tempfile.mkstemp(suffix=".json", prefix="runcue-sim-")
    with os.fdopen(fd, "wb") as f:
        f.write(json.dumps(config, ensure_ascii=False).encode("utf-8", "surrogateescape"))
    return path


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

    def counts(self):
        """Block writes and erases of the run: at its end, or at the power cut."""
        return (self.of("exit") or self.of("powercut") or [{}])[0]

    def mid_session(self):
        """The screen the script left the watch on, when that is not between sessions."""
        screen = self.counts().get("screen", HOME)
        return None if screen == HOME else screen


def real_deadline_s(buttons):
    """Real time a real-clock run of ``buttons`` may take: the script's own times, and for every
    press a whole session at the longest a program may last, paused up to the limit."""
    session_ms = program.MAX_TOTAL_MS + engine.PAUSE_LIMIT_MS
    script_ms = presses = 0
    for p in buttons:
        if "t_ms" in p:
            script_ms = max(script_ms, p["t_ms"])
            presses += 1
        else:
            script_ms += p.get("delay_ms", 500) * len(p["presses"])
            presses += len(p["presses"])
    return VIRTUAL_DEADLINE_S + (script_ms + presses * session_ms) // 1000


def _stuck_message(image, stuck):
    """What a run whose script can no longer progress is told (the watch may lack a program)."""
    if stuck["screen"] == HOME:
        prog = read_flash(image).get("program")
        if prog is None:
            return NO_PROGRAM
        if prog.get("error"):
            return "the watch refuses its %s (%s): push another" % (prog["kind"], prog["error"])
        if prog["kind"] == "plan" and prog.get("next") is None:
            return "the watch's plan %r is done: push another program or plan" % prog["name"]
    return ("the button script waits for the \"%s\" screen, but the watch stays on \"%s\" with nothing "
            "left to do: the run ended there (%d s into it)" % (stuck["waiting"][0], stuck["screen"],
                                                                stuck["t_ms"] // 1000))


def run(image, buttons=None, sessions=1, clock="virtual", cut_at_write=0, screenshots=None,
        tick_offset=0, heapsize=None, program_json=None, plan_json=None, rtc_unset=False, heap_probe=False,
        battery=100, faults=None, timeout=None):
    """One sim run; the watch's events.  Formats a missing image.

    Refused (SimError): an image that is not one (see open_image), presses for a watch
    that cannot have a program, and a button script that can no longer progress (the
    watch is idle and the script waits for a screen that cannot come).
    ``faults``: exceptions or a reset the watch meets (simulator/simhw.py ``Faults``).
    """
    image = Path(image)
    if buttons is None:
        buttons = default_client(sessions, 2 * DAY_MS if clock == "virtual" else 2000)
    pushed = program_json or plan_json
    check_new_file(image, "the watch's flash image")
    if buttons and not pushed and not image.exists():
        raise SimError("%s: %s" % (image, NO_PROGRAM))
    fd = open_image(image, None if rtc_unset else int(time.time()))
    try:
        if buttons and not pushed and is_blank(fd):
            raise SimError("%s: %s" % (image, NO_PROGRAM))
        config = boot_config(image, clock=clock, buttons=buttons, cut_at_write=cut_at_write,
                             screenshots=screenshots, tick_offset=tick_offset,
                             push=push_calls(program_json, plan_json), heap_probe=heap_probe, battery=battery,
                             faults=faults)
        config_file = write_config(config)
        if timeout is None:
            timeout = VIRTUAL_DEADLINE_S if clock == "virtual" else real_deadline_s(buttons)
        cmd = [str(MICROPYTHON)]
        if heapsize:
            cmd += ["-X", "heapsize=%s" % heapsize]
        cmd += [str(SIMULATOR / "sim_boot.py"), config_file]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, env=micropython_env(), timeout=timeout,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise SimError("%s: the simulated watch did not finish within %d s of real time: stopped it (the "
                           "image holds what reached flash)" % (image, timeout)) from None
        finally:
            os.unlink(config_file)
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
    result = RunResult(proc.returncode, events, "\n".join((proc.stdout.splitlines() + other)[-30:]))
    stuck = result.of("stuck")
    if stuck and proc.returncode == 0:
        raise SimError("%s: %s" % (image, _stuck_message(image, stuck[0])))
    return result


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
    """The image's files, whole log and program in force, read without booting the watch."""
    fd = lock_image(image)
    try:
        cmd = [str(MICROPYTHON), str(SIMULATOR / "read_flash.py"), str(Path(image).resolve())]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=micropython_env(), timeout=60)
    finally:
        os.close(fd)
    if proc.returncode != 0:
        raise SimError("%s: cannot read the image: %s" % (image, (proc.stdout + proc.stderr)[-500:]))
    lines = proc.stdout.splitlines()
    out = json.loads(lines[-1])
    out["log"] = b"".join(bytes.fromhex(ln[4:]) for ln in lines if ln.startswith("log "))
    info = [json.loads(ln[3:]) for ln in lines if ln.startswith("RC:")]  # syncsvc.info(), as `device info`
    out["program"] = info[0].get("program") if info else None
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
