"""The simulated watch's hardware, on the MicroPython unix port.

Imported by the boot script before the flash image is mounted at '/', so it
stays usable afterwards (from sys.modules) while the watch's own filesystem
holds nothing of the host.  ``boards/sim.py`` in the firmware talks to it the
way the other board modules talk to ``machine``.

It gives:
- Flash: a block device on an image file; the image is LittleFS blocks followed
  by one RTC block (the sim's battery-backed clock, outside the filesystem).
  Every block write and erase is counted; a power cut can be injected at the
  K-th write (half the block is written, then the process is killed).
- Faults met while the watch sleeps (``Faults``): an exception raised out of
  the board's wait, or a reset that keeps the RTC.
- Clock: virtual (time jumps to the next deadline) or real.
- Buttons: a script of timed or screen-triggered presses, or the keyboard.
- An event channel: one line per event on stderr (``@cue``, ``@screen``...),
  read by ``runcue sim`` on the host to write the timeline and screenshots.
"""

import gc
import json
import os
import select
import struct
import sys
import time

BOOT_TICKS = time.ticks_ms()  # real time at process start, for the boot-time figure

RTC_MAGIC = b"RCRTC1"
RTC_BYTES = 512


def emit(kind, obj):
    sys.stderr.write("@%s %s\n" % (kind, json.dumps(obj)))


class Flash:
    """Block device: LittleFS blocks of ``block_size``, then the RTC block."""

    def __init__(self, path, block_size, cut_at_write=0):
        self.f = open(path, "r+b")
        self.f.seek(0, 2)
        size = self.f.tell()
        self.block_size = block_size
        self.blocks = (size - RTC_BYTES) // block_size
        self.writes = 0
        self.erases = 0
        self.cut_at_write = cut_at_write
        self.erased = b"\xff" * block_size  # made once: the sim must not spend the watch's heap

    def readblocks(self, block, buf, offset=0):
        self.f.seek(block * self.block_size + offset)
        self.f.readinto(buf)

    def writeblocks(self, block, buf, offset=None):
        if offset is None:  # whole-block write: an erase first
            self.ioctl(6, block)
            offset = 0
        self.writes += 1
        self.f.seek(block * self.block_size + offset)
        if self.writes == self.cut_at_write:
            self.f.write(memoryview(buf)[:len(buf) // 2])
            self.f.flush()
            emit("powercut", {"write": self.writes, "writes": self.writes, "erases": self.erases})
            os.system("kill -9 $PPID")  # the shell's parent is this interpreter
            time.sleep(10)
        self.f.write(buf)
        self.f.flush()

    def ioctl(self, op, arg):
        if op == 4:
            return self.blocks
        if op == 5:
            return self.block_size
        if op == 6:
            self.erases += 1
            self.f.seek(arg * self.block_size)
            self.f.write(self.erased)
            return 0
        return 0

    def read_rtc(self):
        """(rtc_unix, host_unix) saved in the RTC block, or (0, 0) when unset."""
        self.f.seek(self.blocks * self.block_size)
        raw = self.f.read(len(RTC_MAGIC) + 16)
        if raw[:len(RTC_MAGIC)] != RTC_MAGIC:
            return 0, 0
        return struct.unpack("<qq", raw[len(RTC_MAGIC):])

    def write_rtc(self, rtc_unix, host_unix):
        self.f.seek(self.blocks * self.block_size)
        self.f.write(RTC_MAGIC + struct.pack("<qq", rtc_unix, host_unix))
        self.f.flush()


class Clock:
    """Milliseconds since boot, virtual or real; the RTC follows it."""

    def __init__(self, virtual, flash):
        self.virtual = virtual
        self.flash = flash
        self.v_ms = 0
        self.t0 = time.ticks_ms()
        rtc, host = flash.read_rtc()
        if rtc and not virtual:
            rtc += int(time.time()) - host  # real time went on while the sim was off
        self.rtc_base = rtc  # RTC seconds at boot; 0: unset
        self._sleeper = select.poll()

    def ms(self):
        if self.virtual:
            return self.v_ms
        return time.ticks_diff(time.ticks_ms(), self.t0)

    def advance_to(self, ms):
        """Sleep until ``ms`` (virtual: jump there)."""
        if self.virtual:
            if ms > self.v_ms:
                self.v_ms = ms
            return
        wait = ms - self.ms()
        if wait > 0:
            # one poll() syscall: the unix port's sleep_ms wakes every millisecond, a watch's
            # light sleep does not, and the CPU figure should be the watch's, not the port's
            self._sleeper.poll(wait)

    def rtc(self):
        if not self.rtc_base:
            return 0
        return self.rtc_base + self.ms() // 1000

    def set_rtc(self, unix):
        self.rtc_base = unix - self.ms() // 1000
        self.save()

    def save(self):
        if self.rtc_base:
            self.flash.write_rtc(self.rtc(), int(time.time()))


class Buttons:
    """Presses from a script: ``{"t_ms", "button", "long"}`` at a time, or
    ``{"on": screen, "presses": ["B", "A", "A+"], "delay_ms"}`` when that
    screen is next shown ("A+" is a long press), each ``delay_ms`` apart."""

    def __init__(self, script):
        self.timed = [p for p in script if "t_ms" in p]
        self.timed.sort(key=lambda p: p["t_ms"])
        self.triggered = [p for p in script if "on" in p]
        self.pending = []  # (t_ms, button, long) armed by screens
        self.exhausted_at = None

    def screen_shown(self, name, now_ms):
        for p in self.triggered:
            if p["on"] == name:
                t = now_ms
                for b in p["presses"]:
                    t += p.get("delay_ms", 500)
                    self.pending.append((t, b[0], b.endswith("+")))
                self.triggered.remove(p)
                break
        self.pending.sort()

    def next_time(self):
        t = None
        if self.timed:
            t = self.timed[0]["t_ms"]
        if self.pending and (t is None or self.pending[0][0] < t):
            t = self.pending[0][0]
        return t

    def take(self, now_ms):
        """The press due at ``now_ms``: (button, long) or None."""
        if self.pending and self.pending[0][0] <= now_ms:
            _, b, lng = self.pending.pop(0)
            return b, lng
        if self.timed and self.timed[0]["t_ms"] <= now_ms:
            p = self.timed.pop(0)
            return p["button"], p.get("long", False)
        return None

    def idle(self):
        return not self.timed and not self.pending and not self.triggered

    def stuck(self):
        """Only screen-triggered presses are left: on an idle watch, their screens cannot come."""
        return not self.timed and not self.pending and bool(self.triggered)


class Faults:
    """Faults the sim board meets in ``wait``, set by ``"faults"`` in the config:

    - ``"raise": "MemoryError"|"OSError"`` at ``"raise_at_ms"`` (virtual time),
      ``"raise_times"`` times (0: at every wait from then on, the crash screen's
      own excepted): the unmodified firmware meets a real exception, as from a
      full heap or a flash that fails;
    - ``"reset_at_ms"``: the watch resets there (a watchdog or the reset button):
      the process is killed, the battery-backed RTC keeps the time.
    """

    def __init__(self, cfg):
        self.exc = cfg.get("raise")
        self.raise_at = cfg.get("raise_at_ms", 0)
        self.times = cfg.get("raise_times", 1)
        self.raised = 0
        self.reset_at = cfg.get("reset_at_ms")

    def meet(self, wake_ms, screen):
        """Before a wait that would end at ``wake_ms`` (None: no end): the fault due by then."""
        if self.reset_at is not None and (wake_ms is None or wake_ms >= self.reset_at):
            clock.advance_to(self.reset_at)
            clock.save()  # the RTC runs on through a reset
            emit("reset", {"t_ms": clock.ms()})
            os.system("kill -9 $PPID")  # as a power cut: the shell's parent is this interpreter
            time.sleep(10)
        if not self.exc or screen == "crash" or (self.times and self.raised >= self.times):
            return
        if wake_ms is None or wake_ms >= self.raise_at:
            clock.advance_to(self.raise_at)
            self.raised += 1
            emit("fault", {"t_ms": clock.ms(), "raise": self.exc})
            if self.exc == "MemoryError":
                raise MemoryError("injected by the sim")
            raise OSError(5)  # EIO


def probe_heap():
    """With "heap_probe" set: the live heap at each wake-up (after a collection), kept as a peak."""
    global heap_peak
    if CONFIG.get("heap_probe"):
        gc.collect()
        heap_peak = max(heap_peak, gc.mem_alloc())


def stuck(screen):
    """The script can no longer progress: say what it waits for, then end as ``finish``."""
    emit("stuck", {"t_ms": clock.ms(), "screen": screen, "waiting": [p["on"] for p in buttons.triggered]})
    finish(screen)


def finish(screen=""):
    """The client put the watch away (on ``screen``): keep the clock, end the process."""
    clock.save()
    emit("exit", {"t_ms": clock.ms(), "screen": screen, "writes": flash.writes, "erases": flash.erases,
                  "heap_peak": heap_peak,
                  "heap_total": gc.mem_alloc() + gc.mem_free(),
                  "real_ms": time.ticks_diff(time.ticks_ms(), BOOT_TICKS)})
    sys.exit(0)


heap_peak = 0


CONFIG = {}
flash = None
clock = None
buttons = None
faults = None


def setup(config):
    """Called by the boot script with the run's settings, before mounting."""
    global flash, clock, buttons, faults
    CONFIG.update(config)
    flash = Flash(config["image"], config.get("block_size", 4096), config.get("cut_at_write", 0))
    clock = Clock(config.get("clock", "virtual") == "virtual", flash)
    if config.get("set_rtc"):
        clock.set_rtc(config["set_rtc"])
    buttons = Buttons(config.get("buttons", []))
    faults = Faults(config.get("faults") or {})
    return flash
