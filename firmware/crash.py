"""What the watch does when the app dies of an exception: note it, say it, start again.

A MemoryError, or an OSError from a flash going bad, must not leave a dead watch
in the middle of a run.  ``Keeper.crashed`` writes a small crash note (the
exception's type and its innermost frame, and how many crashes so far) to
CRASH_FILE, shows the crash screen for CRASH_SHOW_MS and lets main.py start a
new App, which goes on with the session that was running.  A crash loop does
not spin: after CRASH_LIMIT crashes within CRASH_WINDOW_MS the crash screen
stays until the client presses A.  Nothing here may raise in turn: the flash
or the heap may be what failed.
"""

import gc
import io
import sys

from micropython import const

import screens
import ui
from boards import BTN_A
from runcue import ticks
from runcue.logstore import read_small, write_small
from runcue.paths import CRASH_FILE  # its note: {"n": crashes so far, "what": type, "where": frame}

CRASH_SHOW_MS = const(3000)
CRASH_LIMIT = const(3)
CRASH_WINDOW_MS = const(60000)
NOTE_CHARS = const(40)  # bounds every text in the note


def innermost(exc):
    """``file:line function`` of the frame the exception came from, or ""."""
    buf = io.StringIO()
    sys.print_exception(exc, buf)  # pyright: ignore[reportAttributeAccessIssue]  (MicroPython's sys)
    where = ""
    for line in buf.getvalue().split("\n"):
        line = line.strip()
        if line.startswith("File "):  # File "app.py", line 140, in update
            parts = line.split(", ")
            if len(parts) == 3:
                where = "%s:%s %s" % (parts[0][6:-1].split("/")[-1], parts[1][5:], parts[2][3:])
    return where[:NOTE_CHARS]


def record(exc):
    """Write the crash note; the note written, or None when the flash would not take it."""
    try:
        where = innermost(exc)
    except Exception:  # noqa: BLE001  (no heap for the traceback: the type alone will do)
        where = ""
    try:
        note = {"n": read_small(CRASH_FILE).get("n", 0) + 1, "what": type(exc).__name__[:NOTE_CHARS],
                "where": where}
        write_small(CRASH_FILE, note)
        return note
    except Exception:  # noqa: BLE001  (the flash is what failed: the screen still says it)
        return None


class Keeper:
    """The crash policy across restarts of the app, for one boot."""

    def __init__(self, board):
        self.board = board
        self.times = []  # ticks of the recent crashes
        self.after_crash = (0, 0)  # what the next App needs to go on with the session

    def crashed(self, exc, watch):
        """Handle ``exc`` that ended ``watch`` (an App or None); return once a new App may start."""
        board = self.board
        if watch is not None:
            try:
                hint = watch.resume_hint()
                if hint[0]:
                    self.after_crash = hint
            except Exception:  # noqa: BLE001
                pass
        lang = getattr(watch, "lang", "en")
        painter = getattr(watch, "painter", None)
        watch = None
        gc.collect()  # first: a MemoryError leaves nothing to work with
        self.note = record(exc)
        self.what = type(exc).__name__
        self.t = ui.TEXTS.get(lang, ui.TEXTS["en"])
        self.painter = painter or ui.Painter(board.fb, board.WIDTH, board.HEIGHT)
        now = board.ticks()
        self.times = [t for t in self.times if ticks.diff(now, t) < CRASH_WINDOW_MS] + [now]
        self.stuck = len(self.times) >= CRASH_LIMIT
        screen = screens.Crash(self)
        self.painter.clear()
        screen.draw()
        board.show(screen.NAME)
        self.wait(now)
        del screen
        self.painter = None
        gc.collect()

    def wait(self, since):
        """CRASH_SHOW_MS, or until A when the app keeps crashing; the watchdog stays fed."""
        board = self.board
        while True:
            board.feed()
            now = board.ticks()
            deadline = -1
            if not self.stuck:
                if ticks.diff(now, since) >= CRASH_SHOW_MS:
                    return
                deadline = ticks.add(since, CRASH_SHOW_MS)
            if board.WAKE_MS:
                cap = ticks.add(now, board.WAKE_MS)
                if deadline < 0 or ticks.diff(cap, deadline) < 0:
                    deadline = cap
            if board.wait(deadline) == BTN_A and self.stuck:
                self.times = []
                return
