"""`runcue sim twin`: the simulated watch on a pseudo-terminal, like a board on USB.

The watch (MicroPython running the firmware from the flash image) sits on pty A;
the host's tools open pty B through a symlink (``--link``).  This supervisor
copies bytes between the two masters and plays the board's part in a soft
reset: the unix port exits on Ctrl-D, so the twin starts MicroPython again,
printing what a board prints, into the REPL when the host was in raw mode
(a board skips main.py there) or into main.py (the app) in friendly mode.

Terminal settings that matter (TOOLCHAIN.md): both slaves raw; slave A keeps
ISIG and is the child's controlling tty, so Ctrl-C raises KeyboardInterrupt.
"""

import fcntl
import os
import select
import signal
import subprocess
import sys
import termios
import time
import tty
from pathlib import Path

from runcue_host import sim

RAW, FRIENDLY = "raw", "friendly"
SOFT_REBOOT = b"MPY: soft reboot\r\n"


def check_link(link):
    """The link may replace a stale link, never a file or a directory."""
    if link.is_symlink():
        return
    if link.exists() and not link.is_dir():
        raise sim.SimError("%s: exists and is not a link: give a new path for the watch's link" % link)
    sim.check_new_file(link, "a new link to the watch")


class Twin:
    def __init__(self, image, link, log=None, buttons=()):
        self.image = Path(image)
        self.buttons = list(buttons)  # a script for the watch's buttons (tests: start a run)
        self.link = Path(link)
        self.log = log
        self.mode = FRIENDLY
        self.child = None
        self.stopping = False
        self.swallow = b""  # after a raw-mode restart: banner text to drop until the prompt

    def _config(self, main):
        cfg = sim.boot_config(self.image, clock="real", buttons=self.buttons, exit_when_idle=False, main=main)
        return sim.write_config(cfg)

    def _start_child(self):
        main = self.mode == FRIENDLY
        config = self._config(main)
        slave = self.slave_a

        def as_tty():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        err = subprocess.DEVNULL
        if self.log:
            err = os.open(self.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self.child = subprocess.Popen(
            [str(sim.MICROPYTHON), "-i", str(sim.SIMULATOR / "sim_boot.py"), config],
            stdin=slave, stdout=slave, stderr=err, env=sim.micropython_env(), preexec_fn=as_tty,
            close_fds=True)
        if err != subprocess.DEVNULL:
            os.close(err)
        self._config_file = config
        if not main:
            self.swallow = b">>> "

    def _open_ptys(self):
        self.master_a, self.slave_a = os.openpty()
        tty.setraw(self.slave_a)
        attrs = termios.tcgetattr(self.slave_a)
        attrs[3] |= termios.ISIG  # Ctrl-C reaches the watch as SIGINT
        termios.tcsetattr(self.slave_a, termios.TCSANOW, attrs)
        self.master_b, self.slave_b = os.openpty()
        tty.setraw(self.slave_b)  # no echo: the watch's output must not loop back
        if self.link.is_symlink():
            self.link.unlink()  # a stale link from a twin that was killed
        os.symlink(os.ttyname(self.slave_b), self.link)

    def _check_link(self):
        check_link(self.link)

    def _from_host(self, data):
        for b in data:
            if b == 1:
                self.mode = RAW
            elif b == 2:
                self.mode = FRIENDLY
        os.write(self.master_a, data)

    def _from_watch(self, data):
        if self.swallow:
            # drop the restart banner; then enter the raw REPL as the board would be in
            buf = self.swallow_buf = getattr(self, "swallow_buf", b"") + data
            if self.swallow in buf:
                self.swallow = b""
                self.swallow_buf = b""
                os.write(self.master_a, b"\x01")
            return
        os.write(self.master_b, data)

    def _restart(self):
        try:
            os.unlink(self._config_file)
        except OSError:
            pass
        os.write(self.master_b, SOFT_REBOOT)
        self._start_child()

    def serve(self):
        """Run until SIGTERM/SIGINT; the link is removed on the way out."""
        self._check_link()
        fd = sim.open_image(self.image, int(time.time()))
        self._open_ptys()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._stop)
        self._start_child()
        try:
            while not self.stopping:
                try:
                    ready, _, _ = select.select([self.master_a, self.master_b], [], [], 0.2)
                except InterruptedError:
                    continue
                if self.master_b in ready:
                    try:
                        self._from_host(os.read(self.master_b, 4096))
                    except OSError:
                        pass  # no client attached right now
                if self.master_a in ready:
                    try:
                        data = os.read(self.master_a, 4096)
                    except OSError:
                        data = b""
                    if data:
                        self._from_watch(data)
                if self.child is not None and self.child.poll() is not None and not self.stopping:
                    self._drain()
                    self._restart()
        finally:
            self._shutdown(fd)

    def _drain(self):
        while select.select([self.master_a], [], [], 0)[0]:
            try:
                data = os.read(self.master_a, 4096)
            except OSError:
                return
            if not data:
                return
            self._from_watch(data)

    def _stop(self, signum, frame):
        self.stopping = True

    def _shutdown(self, fd):
        if self.child and self.child.poll() is None:
            self.child.terminate()
            try:
                self.child.wait(3)
            except subprocess.TimeoutExpired:
                self.child.kill()
        try:
            os.unlink(self._config_file)
        except (OSError, AttributeError):
            pass
        if self.link.is_symlink():
            self.link.unlink()
        os.close(fd)


def main(argv=None):
    argv = argv or sys.argv[1:]
    Twin(argv[0], argv[1]).serve()
