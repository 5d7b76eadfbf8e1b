"""`runcue sim twin`: the simulated watch on a pseudo-terminal, like a board on USB.

The watch (MicroPython running the firmware from the flash image) sits on pty A;
the host's tools open pty B through a symlink (``--link``).  This supervisor
copies bytes between the two masters and plays the board's part in a soft
reset: the unix port exits on Ctrl-D, so the twin starts MicroPython again,
printing what a board prints, into the REPL when the host was in raw mode
(a board skips main.py there) or into main.py (the app) in friendly mode.

Terminal settings that matter (TOOLCHAIN.md): both slaves raw; slave A keeps
ISIG and is the child's controlling tty, so Ctrl-C raises KeyboardInterrupt.

``TwinProcess`` is the other side: ``runcue sim twin`` started as a command (the
demo, the tests, the fault campaigns and the benchmarks all start it this way),
waited for until its watch shows a screen, stopped, or killed like a watch
losing power.
"""

import fcntl
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import termios
import time
import tty
from pathlib import Path

from runcue_host.sim.image import SimError, check_new_file, open_image
from runcue_host.sim.run import SIMULATOR, boot_config, micropython_cmd, micropython_env, write_config

RAW, FRIENDLY = "raw", "friendly"
SOFT_REBOOT = b"MPY: soft reboot\r\n"


class Twin:
    """The supervisor of ``runcue sim twin``: the pty pair, the watch process, its restarts."""

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
        cfg = boot_config(self.image, clock="real", buttons=self.buttons, exit_when_idle=False, main=main)
        return write_config(cfg)

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
            micropython_cmd("-i", SIMULATOR / "sim_boot.py", config),
            stdin=slave, stdout=slave, stderr=err, env=micropython_env(), preexec_fn=as_tty,
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
        """The link may replace a stale link, never a file or a directory."""
        if self.link.is_symlink():
            return
        if self.link.exists() and not self.link.is_dir():
            raise SimError("%s: exists and is not a link: give a new path for the watch's link" % self.link)
        check_new_file(self.link, "a new link to the watch")

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
        micropython_cmd()  # the unix port is there: said before anything is made
        fd = open_image(self.image, int(time.time()))
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


START_S = 30  # real time for a twin to make its link and its watch to show a screen (a mpy-cross build included)
STOP_S = 15  # real time for a twin to stop its watch and remove its link after SIGTERM


class TwinProcess:
    """``runcue sim twin --flash IMAGE --link LINK`` as a user starts it, for the length of a with-block.

    Started, it is serving: the link is there and the watch has shown its first
    screen (read from the twin's event log), so the host's Ctrl-C finds the app
    running.  Every wait has a deadline; a twin that cannot start raises SimError
    with the end of what it said.
    """

    def __init__(self, image, link, buttons=None, runcue=None, cwd=None, env=None):
        self.image, self.link = Path(image), Path(link)
        self.runcue = str(runcue or Path(sys.executable).parent / "runcue")
        self.cwd, self.env = cwd, env
        self.buttons = buttons
        self.proc = None
        self._dir = None

    def start(self, deadline_s=START_S):
        if self.link.is_symlink():
            os.unlink(self.link)  # left by a twin that was killed: the new one would replace it, too late to wait on
        self._dir = tempfile.TemporaryDirectory(prefix="runcue-twin-")
        work = Path(self._dir.name)
        self.log = work / "events.log"
        cmd = [self.runcue, "sim", "twin", "--flash", str(self.image), "--link", str(self.link),
               "--log", str(self.log)]
        if self.buttons is not None:
            (work / "buttons.json").write_text(json.dumps(self.buttons))
            cmd += ["--buttons", str(work / "buttons.json")]
        with open(work / "stderr", "wb") as err:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                         cwd=self.cwd, env=self.env)
        deadline = time.monotonic() + deadline_s
        while not (self.link.is_symlink() and self._watch_showed()):
            if self.proc.poll() is not None:
                raise SimError("runcue sim twin ended (exit %d): %s" % (self.proc.returncode, self.stderr()))
            if time.monotonic() > deadline:
                self.kill()
                raise SimError("runcue sim twin: no watch on %s within %d s: %s" % (self.link, deadline_s,
                                                                                    self.stderr()))
            time.sleep(0.05)
        return self

    def _watch_showed(self):
        try:
            with open(self.log, "rb") as f:
                return b"\n@show " in b"\n" + f.read()
        except OSError:
            return False

    def stderr(self):
        """The end of what the twin wrote on stderr (for a message)."""
        if self._dir is None:
            return ""
        try:
            return (Path(self._dir.name) / "stderr").read_text(errors="replace")[-800:].strip()
        except OSError:
            return ""

    def watch_pids(self):
        """The MicroPython processes under the twin (the watch)."""
        out = []
        if self.proc is None:
            return out
        pid = self.proc.pid
        try:
            for task in os.listdir("/proc/%d/task" % pid):
                with open("/proc/%d/task/%s/children" % (pid, task)) as f:
                    out += [int(p) for p in f.read().split()]
        except OSError:
            pass
        return out

    def stop(self, deadline_s=STOP_S):
        """SIGTERM, as a user's Ctrl-C: the twin stops its watch and removes its link (killed after the deadline)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(deadline_s)
            except subprocess.TimeoutExpired:
                self.kill()
        self._cleanup()

    def kill(self):
        """SIGKILL the twin and the watch under it: the watch loses power mid-whatever."""
        if self.proc is None:
            return
        watch = self.watch_pids()
        for pid in [self.proc.pid] + watch:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(STOP_S)
        for pid in watch:  # not our children: wait until they are gone (or zombies of the dead twin)
            deadline = time.monotonic() + STOP_S
            while time.monotonic() < deadline and _alive(pid):
                time.sleep(0.02)
        self._cleanup()

    def _cleanup(self):
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def __enter__(self):
        return self.start() if self.proc is None else self

    def __exit__(self, *exc):
        self.stop()


def _alive(pid):
    """True while process ``pid`` runs (a zombie has ended)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def main(argv=None):
    argv = argv or sys.argv[1:]
    Twin(argv[0], argv[1]).serve()
