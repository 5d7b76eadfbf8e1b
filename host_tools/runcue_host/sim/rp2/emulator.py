"""The emulated Pico as a process: the firmware and bootrom files, one run of the harness, the pty.

- ``files``: the firmware .uf2 and the bootrom, from the options or from
  RUNCUE_RP2_FIRMWARE / RUNCUE_RP2_BOOTROM (a wrong one: SimError, one line);
- ``Harness``: one run of the emulator; its event lines (the unix sim's
  ``@cue``, ``@screen``...) collected as they come; every wait has a deadline;
- ``mpremote``, ``wait_repl``: mpremote on its port, each with a deadline;
- ``PtyWatch``: the Pico on a pseudo-terminal, as on USB.  It holds the pty
  open between clients (mpremote closes it after each command) and starts the
  emulator again when the watch resets (the emulator cannot reset itself).
"""

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import termios
import threading
import time
import tty
from pathlib import Path

from runcue_host import shipped, sim
from runcue_host.sim.rp2.screens import marks

HERE = shipped.simulator_dir() / "rp2"
HARNESS = HERE / "harness.js"
FLASH_BYTES = 2 * 1024 * 1024
BOARD = "pico_oled"
EXIT_BAD_FILE, EXIT_RESET, EXIT_POWER_CUT = 2, 10, 11
FIRMWARE_ENV, BOOTROM_ENV = "RUNCUE_RP2_FIRMWARE", "RUNCUE_RP2_BOOTROM"
FIRMWARE_NEEDED = "an official RPI_PICO .uf2 of MicroPython 1.28 (micropython.org/download/RPI_PICO)"
BOOTROM_NEEDED = "the RP2040 B1 bootrom (raspberrypi/pico-bootrom, 16 KB)"
BOOT_DEADLINE_S = 60  # wall seconds for the emulated Pico to boot and show something
MPREMOTE_DEADLINE_S = 120  # wall seconds for one mpremote command (a whole deploy is one)
RUN_DEADLINE_S = 1800  # wall seconds for a virtual-time run: a last resort
RESETS_MAX = 5  # a watch that resets more often than this in one run is stuck in a loop
MPREMOTE = Path(sys.executable).parent / "mpremote"


def node():
    """The node binary, or SimError saying how to get it."""
    found = shutil.which("node")
    if not found:
        raise sim.SimError("node is not installed: the emulated Pico needs Node.js (make setup installs it)")
    if not (HERE / "node_modules" / "rp2040js").is_dir():
        raise sim.SimError("%s: rp2040js is not installed: run make setup" % HERE)
    return found


def files(firmware=None, bootrom=None):
    """(firmware, bootrom) paths from the options or the environment; SimError when one is missing."""
    firmware = firmware or os.environ.get(FIRMWARE_ENV)
    bootrom = bootrom or os.environ.get(BOOTROM_ENV)
    if not firmware:
        raise sim.SimError("--board rp2 needs the firmware: --firmware UF2 or %s, %s" % (
            FIRMWARE_ENV, FIRMWARE_NEEDED))
    if not bootrom:
        raise sim.SimError("--board rp2 needs the bootrom: --bootrom BIN or %s, %s" % (BOOTROM_ENV, BOOTROM_NEEDED))
    firmware, bootrom = str(Path(firmware).resolve()), str(Path(bootrom).resolve())
    proc = subprocess.run([node(), str(HARNESS), "--check", "--firmware", firmware, "--bootrom", bootrom],
                          capture_output=True, text=True, timeout=60, cwd=HERE)
    if proc.returncode != 0:  # the harness's one line says what is wrong and what is needed
        lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("runcue: ")]
        raise sim.SimError(lines[0][len("runcue: "):] if lines else proc.stderr.strip()[-300:])
    return firmware, bootrom


def open_image(path):
    """A flock-ed handle on the Pico's 2 MB flash image ``path``, made (erased) when missing."""
    path = Path(path)
    sim.check_new_file(path, "the watch's flash image")
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, b"\xff" * FLASH_BYTES)
        finally:
            os.close(fd)
    fd = sim.lock_image(path)
    size = os.fstat(fd).st_size
    if size != FLASH_BYTES:
        os.close(fd)
        raise sim.SimError("%s: not a Pico flash image (%d bytes, a Pico's flash is %d): give a new file name "
                           "to make one" % (path, size, FLASH_BYTES))
    return fd



def _write_config(config):
    fd, path = tempfile.mkstemp(suffix=".json", prefix="runcue-rp2-")
    with os.fdopen(fd, "w") as f:
        json.dump(config, f)
    return path


class Harness:
    """One run of the emulated Pico; its events as they come, the USB serial on ``proc.stdin/stdout``."""

    def __init__(self, image, firmware, bootrom, clock="virtual", usb=True, log=None, **settings):
        config = {"image": str(Path(image).resolve()), "firmware": firmware, "bootrom": bootrom, "clock": clock,
                  "usb": "stdio" if usb else "none", "marks": marks()}
        config.update(settings)
        self.config_file = _write_config(config)
        self.events = []
        self.other = []
        self.log = log  # a file the event lines are appended to as they come (the twin's --log)
        self.cond = threading.Condition()
        self.proc = subprocess.Popen([node(), str(HARNESS), "--config", self.config_file],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE if usb else subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, cwd=HERE)
        self.reader = threading.Thread(target=self._read_events, daemon=True)
        self.reader.start()

    def _read_events(self):
        assert self.proc.stderr is not None
        log = None
        if self.log:
            log = os.fdopen(os.open(self.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), "a")
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if log and line.startswith("@"):
                log.write(line + "\n")
                log.flush()
            with self.cond:
                if line.startswith("@") and " " in line:
                    kind, _, body = line[1:].partition(" ")
                    self.events.append((kind, json.loads(body)))
                else:
                    self.other.append(line)
                self.cond.notify_all()
        if log:
            log.close()
        with self.cond:
            self.cond.notify_all()

    def wait_event(self, kind, deadline_s, after=0, name=None):
        """The first ``kind`` event (of screen ``name``) past the ``after``-th event, waiting at most
        ``deadline_s``; None when it did not come."""
        until = time.monotonic() + deadline_s
        with self.cond:
            while True:
                for k, obj in self.events[after:]:
                    if k == kind and (name is None or obj.get("name") == name):
                        return obj
                left = until - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self.reader.is_alive()):
                    return None
                self.cond.wait(min(left, 0.2))

    def wait(self, deadline_s):
        """The exit code, once the run has ended; SimError past the deadline (the emulator is stopped)."""
        try:
            code = self.proc.wait(deadline_s)
        except subprocess.TimeoutExpired:
            self.stop()
            raise sim.SimError("the emulated Pico did not finish within %d s of real time: stopped it (the image "
                               "holds what reached flash)" % deadline_s) from None
        self.reader.join(10)
        return code

    def bad_file(self):
        """The harness's one line about a file it cannot use, without its 'runcue: '."""
        for line in self.other:
            if line.startswith("runcue: "):
                return line[len("runcue: "):]
        return "the emulated Pico could not start: %s" % " / ".join(self.other[-3:])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(10)
        self.close()

    def close(self):
        try:
            os.unlink(self.config_file)
        except OSError:
            pass


class PtyWatch:
    """The emulated Pico on a pseudo-terminal (``port``), held open between clients; restarted on a reset."""

    def __init__(self, image, firmware, bootrom, clock="real", link=None, log=None, **settings):
        self.args = (image, firmware, bootrom)
        self.clock = clock
        self.settings = settings
        self.link = Path(link) if link else None
        self.log = log
        self.harness = None
        self.pending = b""  # bytes from the host not yet given to a running emulator
        self.resets = 0
        self.stopping = threading.Event()
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)  # bytes as they are; the slave stays open here so clients may come and go
        attrs = termios.tcgetattr(self.slave)
        attrs[3] &= ~termios.ECHO
        termios.tcsetattr(self.slave, termios.TCSANOW, attrs)
        self.port = os.ttyname(self.slave)
        if self.link:
            if self.link.is_symlink():
                self.link.unlink()  # a stale link from a twin that was killed
            os.symlink(self.port, self.link)
        self._start()
        self.pump = threading.Thread(target=self._pump, daemon=True)
        self.pump.start()

    def _start(self):
        self.harness = Harness(*self.args, clock=self.clock, log=self.log, **self.settings)

    def _pump(self):
        """Copy bytes both ways; start the emulator again when the watch resets."""
        while not self.stopping.is_set():
            h = self.harness
            assert h is not None and h.proc.stdout is not None and h.proc.stdin is not None
            out = h.proc.stdout.fileno()
            try:
                ready, _, _ = select.select([self.master, out], [], [], 0.2)
            except (OSError, ValueError):
                ready = []
            if self.master in ready:
                try:
                    self.pending += os.read(self.master, 4096)
                except OSError:
                    pass
            if self.pending and h.proc.poll() is None:
                try:  # while the watch restarts the bytes wait: a host may talk to it as soon as it is back
                    h.proc.stdin.write(self.pending)
                    h.proc.stdin.flush()
                    self.pending = b""
                except OSError:
                    pass
            if out in ready:
                data = os.read(out, 4096)
                if data:
                    os.write(self.master, data)
            if h.proc.poll() is not None and not self.stopping.is_set():
                while select.select([out], [], [], 0)[0]:
                    data = os.read(out, 4096)
                    if not data:
                        break
                    os.write(self.master, data)
                code = h.proc.wait()
                h.reader.join(5)
                h.close()
                if code != EXIT_RESET or self.resets >= RESETS_MAX:
                    self.stopping.set()
                    return
                self.resets += 1
                self._start()

    def wait_restart(self, resets, deadline_s=BOOT_DEADLINE_S):
        """Until the watch has reset ``resets`` times and its USB is up again; False past the deadline."""
        until = time.monotonic() + deadline_s
        while self.resets < resets:
            if time.monotonic() > until or not self.alive():
                return False
            time.sleep(0.05)
        h = self.harness
        if h is None or h.wait_event("usb", max(0, until - time.monotonic())) is None:
            return False
        return wait_repl(self.port, until - time.monotonic())

    def alive(self):
        return not self.stopping.is_set()

    def close(self):
        self.stopping.set()
        self.pump.join(5)
        if self.harness is not None:
            self.harness.stop()
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass
        if self.link and self.link.is_symlink():
            self.link.unlink()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def mpremote(port, *args, deadline_s=MPREMOTE_DEADLINE_S):
    """Run mpremote on ``port``; its output (SimError when it fails or overruns)."""
    try:
        proc = subprocess.run([str(MPREMOTE), "connect", port, *args], capture_output=True, text=True,
                              timeout=deadline_s, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise sim.SimError("mpremote %s: no answer from the emulated Pico within %d s" % (
            args[0], deadline_s)) from None
    if proc.returncode != 0:
        raise sim.SimError("mpremote %s on the emulated Pico failed: %s" % (
            args[0], (proc.stdout + proc.stderr).strip().splitlines()[-1:]))
    return proc.stdout


def wait_repl(port, deadline_s):
    """Until mpremote reaches the REPL (False past the deadline).

    A host that talks the moment the USB serial is up can lose its first bytes to the
    booting firmware (its Ctrl-C, then mpremote waits for ever); a short try, repeated, does not."""
    until = time.monotonic() + deadline_s
    while time.monotonic() < until:
        try:
            if "up" in mpremote(port, "exec", "print('up')", deadline_s=max(1, min(10, until - time.monotonic()))):
                return True
        except sim.SimError:
            pass
    return False
