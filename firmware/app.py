"""The watch app: one event loop that sleeps until the next deadline.

The loop asks the engine, the cue player and the screen for their next
deadline, sleeps until the earliest (or a button press) and handles what is
due.  Nothing is timed by adding up sleeps: the engine computes every deadline
from the session start.  A record is written after its cue has played, never
between a deadline and its cue (a flush can take tens of ms on real flash).

The loop feeds the board's watchdog and, on a board that has one, wakes at
least every ``board.WAKE_MS``.  A session that a crash or a reset cut (START
without END) goes on where the clock says it is (``runcue.resume``), with a
RESTART record; when the clock cannot say, it is closed as interrupted.
"""

import gc
import os

import screens
import ui
from runcue import cues, engine, program, records, ticks
from runcue.logstore import LogStore, read_small, write_small
from runcue.paths import LOG_DIR, NOTE_FILE, PLAN_INDEX, PLAN_STATE, PROGRAM_FILE

BATTERY_RESERVE_PCT = 10  # never plan to run the battery below this


def _load(path, loads):
    """(checked object, None), (None, None) when absent, (None, why) when refused."""
    try:
        with open(path, "rb") as f:
            return loads(f.read()), None
    except OSError:
        return None, None
    except program.ProgramError as e:
        return None, str(e)


def _load_plan():
    """(plan.Progress, None) when a plan is in force; the plan modules load only then (heap)."""
    try:
        os.stat(PLAN_INDEX)
    except OSError:
        return None, None
    from runcue import plan, planstore

    index, why = planstore.load_index()
    if index is None:
        return None, why
    return plan.Progress(index, read_small(PLAN_STATE)), None


def _plan_session(progress):
    """(Program, None) of the plan's next session; (None, None) when the plan is done, (None, why)."""
    from runcue import planstore

    cur = progress.current()
    if cur is None:
        return None, None
    try:
        return planstore.session(progress.plan, cur[1]), None
    except program.ProgramError as e:
        return None, str(e)


class App:
    def __init__(self, board, after_crash=None):
        """``after_crash``: None at boot; after a crash in this boot, (seq, start tick) of
        the session that was running ((0, 0): none), so it goes on from its exact start."""
        self.board = board
        self.painter = ui.Painter(board.fb, board.WIDTH, board.HEIGHT)
        self.store = LogStore(LOG_DIR)
        self.store.open(boot=after_crash is None, resume=True)
        self.player = cues.CuePlayer(board.buzzer, board.vibrator)
        self.progress = None
        self.load_active()
        self.t = ui.TEXTS[self.lang]
        self.note = self._read_note()
        self.session = None
        self.seq = 0  # the log's seq of the session in progress, once its START is written
        self.pending = []  # records waiting for their cue to finish
        self.answers = bytearray(3)  # mood after, talk test, stop reason
        self.done_ms = 0
        self.screen = None
        if not self.go_on(after_crash):
            self.go(screens.Home)

    def load_active(self):
        """The program in force: the plan's next session, or the pushed program."""
        self.prog = None
        p, self.prog_error = _load_plan()
        if p is not None:
            self.progress = p
        elif self.prog_error is None:
            self.prog, self.prog_error = _load(PROGRAM_FILE, program.loads)
        self.lang = p.plan.lang if p is not None else self.prog.lang if self.prog else "en"
        self._expand()

    def _expand(self):
        """Load the plan's next session (only it is in the heap) and unroll the program for the engine.

        Its offsets go into the array made early in the boot (program.WATCH_START_MS, 1 KB: the
        largest allocation of a session)."""
        self.exp = None
        if self.progress is not None:
            self.prog = None  # the last session's program goes before the next one loads
            gc.collect()
            self.prog, self.prog_error = _plan_session(self.progress)
        if self.prog is not None:
            self.exp = self.prog.expand(program.WATCH_START_MS)

    def battery_short(self):
        """True when the battery may not last the next session (warned before the start)."""
        pct = self.board.battery_pct()
        if pct < 0 or self.prog is None:
            return False
        # about 1 % per 2 minutes with screen and buzzer: a rough figure until measured on the boards
        return pct < BATTERY_RESERVE_PCT + self.prog.total_ms // 120000

    def week_count(self):
        """(done this week, target), or None without a plan."""
        if self.progress is None:
            return None
        return self.progress.week_count(self.board.rtc())

    def _read_note(self):
        try:
            with open(NOTE_FILE) as f:
                note = f.read().split()
            os.remove(NOTE_FILE)
        except OSError:
            return ""
        if note and note[0] == "synced":
            return self.t["synced"] % int(note[1])
        if note and note[0] == "program":
            return self.t["updated"]
        return ""

    # -- screens ---------------------------------------------------------------

    def go(self, screen_class):
        self.screen = screen_class(self)
        self.redraw()

    def redraw(self):
        self.painter.clear()
        self.screen.draw()
        self.board.show(self.screen.NAME)

    def in_session(self):
        """True from the start of a run until its check-in is answered."""
        return self.session is not None

    def resume_hint(self):
        """(seq, start tick) of the session in progress, (0, 0) if none: what a restart needs."""
        s = self.session
        if s is None or s.state == engine.FINISHED or not self.seq:
            return 0, 0
        return self.seq, s.start_tick

    # -- going on after a crash or a reset --------------------------------------

    def go_on(self, after_crash):
        """Go on with the session the log left open, where the clock says it is; else close it."""
        found = self.store.unfinished()
        if found is None:
            return False
        from runcue import resume  # only after a crash or a reset: not in the heap otherwise
        start, frames = found
        now = self.board.ticks()
        start_tick = self._start_tick(start, after_crash, now)
        prog = self.prog
        s = None
        if start_tick >= 0 and prog is not None and records.id_hex(start[records.START_PROGRAM_ID]) == prog.id():
            s = engine.Session(self.exp)
            if not resume.go_on(s, now, start_tick, frames):
                s = None
        if s is None:
            self.store.close_unfinished()
            return False
        self.session = s
        self.answers[0] = self.answers[1] = self.answers[2] = 0
        self.seq = self.store.resume_session()
        changes = resume.session_state(s.exp, frames)[4]
        for i in range(changes + 1, s.seg + 1):  # segments that began while the watch was down
            self.store.append(records.SEG, (s.exp.start_ms[i] - s.skipped_ms) // 1000)
        cause = records.RESET if after_crash is None else records.CRASHED
        self.store.append(records.RESTART, s.active_ms(now) // 1000, cause)
        if s.state == engine.PAUSED:
            self.go(screens.Paused)
        else:
            self.cue(engine.EV_RESUMED, now)  # the client hears that the watch is back
            self.go(screens.Running)
        return True

    def _start_tick(self, start, after_crash, now):
        """The session's start in this boot's ticks, or -1 when the clock cannot say.

        Same boot: the tick kept over the crash, else the uptime; after a reset:
        the RTC, when it was set at the start and is set now.
        """
        seq, rtc = start[records.START_SEQ], start[records.START_RTC]
        boot, uptime_s = start[records.START_BOOT], start[records.START_UPTIME_S]
        if after_crash is not None and after_crash[0] == seq:
            return after_crash[1]
        if after_crash is not None and boot == min(self.store.boots, 0xFFFF):
            elapsed_s = self.board.uptime_s() - uptime_s
        elif rtc and self.board.rtc():
            elapsed_s = self.board.rtc() - rtc
        else:
            return -1
        if elapsed_s < 0 or elapsed_s * 1000 >= ticks.HALF:
            return -1
        return ticks.add(now, -elapsed_s * 1000)

    # -- the loop --------------------------------------------------------------

    def run(self):
        board = self.board
        while True:
            board.feed()
            self.update(board.ticks())
            press = board.wait(self.next_deadline())
            if press:
                self.update(board.ticks())
                self.screen.press(press)

    def next_deadline(self):
        d = -1
        if self.session is not None:
            d = self.session.next_deadline()
        p = self.player.next_deadline()
        if p >= 0 and (d < 0 or ticks.diff(p, d) < 0):
            d = p
        if self.board.WAKE_MS:  # wake in time to feed the watchdog
            p = ticks.add(self.board.ticks(), self.board.WAKE_MS)
            if d < 0 or ticks.diff(p, d) < 0:
                d = p
        return d

    def update(self, now):
        s = self.session
        if s is not None:
            ev = s.tick(now)
            while ev != engine.EV_NONE:
                self.on_event(ev, now)
                ev = s.tick(now)
        self.player.step(now)
        ev = self.player.released()
        if ev != engine.EV_NONE:
            self.cue(ev, now)
        if self.pending and not self.player.playing:
            self.write_pending()

    def write_pending(self):
        for rtype, fields in self.pending:
            if rtype == records.START:
                self.seq = self.store.begin(*fields)
            elif rtype == records.END:
                self.store.end(*fields)
                self.advance_plan(fields[records.END_STATUS] == records.COMPLETED)
            else:
                self.store.append(rtype, *fields)
        self.pending = []

    def cue(self, event, now):
        if self.player.holds(event):
            return
        kind = self.session.kind if self.session else 0
        self.player.play(cues.tone_for_event(event, kind), now, cues.vib_for_event(event, kind))

    def on_event(self, ev, now):
        s = self.session
        if ev == engine.EV_SECOND:
            if self.screen.NAME in ("running", "paused"):
                self.redraw()
            return
        self.cue(ev, now)
        if ev == engine.EV_SEGMENT:
            if s.seg:
                self.pending.append((records.SKIP if s.skipped else records.SEG, (records.seconds(s.active_ms(now)),)))
            if self.screen.NAME == "running":
                self.redraw()
        elif ev == engine.EV_FINISHED:
            self.finish(now)

    # -- session actions (called by screens) ----------------------------------

    def start_session(self, mood_before):
        self.session = engine.Session(self.exp)  # the slow parts first: the start is "now"
        pid = self.prog.id()
        self.answers[0] = self.answers[1] = self.answers[2] = 0
        week = pos = records.NO_PLAN
        cur = self.progress.current() if self.progress else None
        if cur:
            week, pos = cur[0], cur[1]
        now = self.board.ticks()
        self.session.start(now)
        self.cue(engine.EV_SEGMENT, now)
        # START reaches flash after its cue, like every record: a flush never delays a cue
        rtc = records.rtc_or_unset(self.board.rtc())  # a clock reading of 1970 or past u32 is no time
        self.pending.append((records.START, (pid, week, pos, rtc, self.board.uptime_s(), mood_before)))
        self.go(screens.Running)

    def pause(self):
        now = self.board.ticks()
        if self.session.pause(now) == engine.EV_PAUSED:
            self.cue(engine.EV_PAUSED, now)
            self.pending.append((records.PAUSE, (records.seconds(self.session.active_ms(now)),)))
            self.go(screens.Paused)

    def resume(self):
        now = self.board.ticks()
        s = self.session
        paused = ticks.diff(now, s.pause_tick)
        if s.resume(now) == engine.EV_RESUMED:
            self.cue(engine.EV_RESUMED, now)
            self.pending.append((records.RESUME, (records.seconds(paused),)))
            self.go(screens.Running)

    def skip(self):
        now = self.board.ticks()
        ev = self.session.skip(now)
        if ev != engine.EV_NONE:
            self.on_event(ev, now)

    def stop(self):
        now = self.board.ticks()
        if self.session.stop(now) == engine.EV_FINISHED:
            self.cue(engine.EV_FINISHED, now)
            self.finish(now)

    def finish(self, now):
        s = self.session
        self.done_ms = s.active_ms(now)
        wall_ms = ticks.diff(now, s.start_tick)
        self.pending.append((records.END, (s.status, records.seconds(self.done_ms), records.seconds(wall_ms))))
        self.go(screens.MoodAfter)

    def advance_plan(self, completed):
        if self.progress is None:
            return
        self.progress.session_ended(completed, self.board.rtc())
        try:
            write_small(PLAN_STATE, self.progress.state())
        except OSError:
            pass  # flash full: the session is offered again, nothing is lost

    def finish_checkin(self):
        if self.pending:  # answered before the finish cue was over
            self.player.stop()
            self.write_pending()
        a = self.answers
        self.store.checkin(a[0], a[1], a[2])
        self.go(screens.Summary)

    def close_session(self):
        self.session = None
        self.seq = 0
        if self.progress is not None:
            self._expand()
        self.go(screens.Home)
