"""The session state machine: what happens when, for one run of a program.

Pure logic, no I/O and no clock: the caller passes ``now`` (a tick already
wrapped into the 2**30 period of ``runcue.ticks``) and gets back event codes,
one per call, plus ``next_deadline()`` so the app can sleep until the next one.

Timing never drifts: every deadline is ``base + planned offset`` where
``base = start + paused time - skipped time`` is kept exactly (mod 2**30), never
a sum of sleeps.  The per-tick path (``tick``, ``next_deadline``, ``remaining_ms``
and friends) returns plain ints and allocates nothing, so it runs under
``micropython.heap_lock()``.

Rules (the firmware relies on them):
- Drain ``tick(now)`` until EV_NONE before calling an action at ``now``; events
  due at ``now`` come before the action.  (Actions catch up silently otherwise.)
- Events due at the same tick come in this order: EV_SEGMENT/EV_FINISHED,
  EV_HALFWAY, EV_COUNTDOWN, EV_SECOND.
- A late ``tick`` still returns every missed event in order, once each;
  ``event_tick`` is the tick at which the returned event was due.
- EV_HALFWAY fires when the plan position (active time plus skipped time)
  reaches half the planned total; a skip that jumps past it drops it.
- ``skip`` works while running or paused (a paused session stays paused);
  skipping the last segment completes the session.
- A pause of PAUSE_LIMIT_MS ends the session as STOPPED at pause start + limit.
"""

from runcue import ticks

try:
    from micropython import const
except ImportError:  # CPython
    def const(__x):
        return __x

IDLE = const(0)
RUNNING = const(1)
PAUSED = const(2)
FINISHED = const(3)
STATE_NAMES = ("idle", "running", "paused", "finished")

EV_NONE = const(0)
EV_SEGMENT = const(1)  # a new segment began: seg, kind, skipped
EV_COUNTDOWN = const(2)  # countdown (3, 2, 1) seconds before a change or the finish
EV_HALFWAY = const(3)
EV_SECOND = const(4)  # the shown remaining seconds of the segment changed: shown_s
EV_FINISHED = const(5)  # status
EV_PAUSED = const(6)  # returned by pause() only
EV_RESUMED = const(7)  # returned by resume() only
EVENT_NAMES = ("none", "segment", "countdown", "halfway", "second", "finished", "paused", "resumed")

# same codes as runcue.records END status
STATUS_NONE = const(0)
COMPLETED = const(1)
STOPPED = const(2)
STATUS_NAMES = ("", "completed", "stopped")

PAUSE_LIMIT_MS = const(1800000)  # 30 min
COUNTDOWN_FROM = const(3)


class Session:
    """One session of an expanded program (``runcue.program.Expanded``)."""

    def __init__(self, expanded):
        self.exp = expanded
        self.n = expanded.n
        self.total_ms = expanded.start_ms[expanded.n]
        self.half_ms = self.total_ms // 2
        self.state = IDLE
        self.status = STATUS_NONE
        self.seg = 0
        self.kind = expanded.kind[0]
        self.skipped = False  # the current segment began by a skip
        self.countdown = 0
        self.shown_s = (expanded.duration_ms(0) + 999) // 1000
        self.event_tick = 0
        self.start_tick = 0
        self.end_tick = 0
        self.paused_ms = 0  # total of finished pauses
        self.skipped_ms = 0  # planned time jumped over by skips
        self.pause_tick = 0
        self._base = 0  # start + paused_ms - skipped_ms, in ticks
        self._pos = 0  # plan position while paused or finished
        self._end = expanded.start_ms[1]  # plan position of the current segment's end
        self._sec_k = 0  # next EV_SECOND at _end - _sec_k s (0: none left)
        self._cd_k = 0  # next countdown value (0: none left)
        self._half = False  # halfway still to come
        self._npos = 0  # plan position of the next event (set by _next)

    # -- actions -------------------------------------------------------------

    def start(self, now):
        if self.state != IDLE:
            return EV_NONE
        self.state = RUNNING
        self.start_tick = now
        self._base = now
        self._half = True
        self._enter(0, False)
        self.event_tick = now
        return EV_SEGMENT

    def restore(self, now, start_tick, paused_ms, skipped_ms, pause_tick):
        """Go on with a session the watch lost (a crash or a reset) where the clock says it is.

        It began at ``start_tick``, its finished pauses took ``paused_ms``, its skips
        jumped ``skipped_ms`` of the plan, and it has been paused since ``pause_tick``
        (-1: it runs).  The segment in progress is the one the plan position falls in;
        events that fell due while the watch was down are dropped, the rest come at
        the times they always had.  EV_SEGMENT when it goes on, EV_NONE when the plan
        would be over by now (nothing is changed then).
        """
        if self.state != IDLE:
            return EV_NONE
        base = ticks.add(start_tick, paused_ms - skipped_ms)
        pos = ticks.diff(now if pause_tick < 0 else pause_tick, base)
        if pos < 0 or pos >= self.total_ms:
            return EV_NONE
        starts = self.exp.start_ms
        i = 0
        while starts[i + 1] <= pos:
            i += 1
        self.start_tick = start_tick
        self.paused_ms = paused_ms
        self.skipped_ms = skipped_ms
        self._base = base
        self._enter(i, False)
        left = self._end - pos  # > 0
        k = (left - 1) // 1000  # the countdowns and seconds still ahead
        if k < self._sec_k:
            self._sec_k = k
        if k < self._cd_k:
            self._cd_k = k
        self.shown_s = (left + 999) // 1000
        self._half = self.half_ms > pos
        self.event_tick = now
        if pause_tick < 0:
            self.state = RUNNING
        else:
            self.state = PAUSED
            self.pause_tick = pause_tick
            self._pos = pos
        return EV_SEGMENT

    def pause(self, now):
        self._catch_up(now)
        if self.state != RUNNING:
            return EV_NONE
        self._pos = ticks.diff(now, self._base)
        self.pause_tick = now
        self.state = PAUSED
        self.event_tick = now
        return EV_PAUSED

    def resume(self, now):
        self._catch_up(now)
        if self.state != PAUSED:
            return EV_NONE
        d = ticks.diff(now, self.pause_tick)
        self._base = ticks.add(self._base, d)
        self.paused_ms += d
        self.state = RUNNING
        self.event_tick = now
        return EV_RESUMED

    def skip(self, now):
        """End the current segment now; the rest of the plan moves earlier."""
        self._catch_up(now)
        if self.state != RUNNING and self.state != PAUSED:
            return EV_NONE
        jump = self._end - self._plan_pos(now)
        self.skipped_ms += jump
        self._base = ticks.add(self._base, -jump)
        if self.state == PAUSED:
            self._pos = self._end
        if self._half and self.half_ms < self._end:
            self._half = False  # jumped past halfway: no cue
        self.event_tick = now
        if self.seg + 1 >= self.n:
            if self.state == PAUSED:
                self.paused_ms += ticks.diff(now, self.pause_tick)
            self._finish(COMPLETED, now, self._end)
            return EV_FINISHED
        self._enter(self.seg + 1, True)
        return EV_SEGMENT

    def stop(self, now):
        self._catch_up(now)
        if self.state == PAUSED:
            self.paused_ms += ticks.diff(now, self.pause_tick)
        elif self.state != RUNNING:
            return EV_NONE
        self.event_tick = now
        self._finish(STOPPED, now, self._plan_pos(now))
        return EV_FINISHED

    # -- the per-tick path: ints only, no allocation ------------------------

    def tick(self, now):
        """The next event due at ``now`` (consumed), or EV_NONE."""
        if self.state == RUNNING:
            ev = self._next()
            if ticks.diff(now, self._base) < self._npos:
                return EV_NONE
            self.event_tick = ticks.add(self._base, self._npos)
            if ev == EV_SECOND:
                self.shown_s = self._sec_k
                self._sec_k -= 1
            elif ev == EV_COUNTDOWN:
                self.countdown = self._cd_k
                self._cd_k -= 1
            elif ev == EV_HALFWAY:
                self._half = False
            elif ev == EV_SEGMENT:
                self._enter(self.seg + 1, False)
            else:
                self._finish(COMPLETED, self.event_tick, self._end)
            return ev
        if self.state == PAUSED:
            if ticks.diff(now, self.pause_tick) < PAUSE_LIMIT_MS:
                return EV_NONE
            self.paused_ms += PAUSE_LIMIT_MS
            self.event_tick = ticks.add(self.pause_tick, PAUSE_LIMIT_MS)
            self._finish(STOPPED, self.event_tick, self._pos)
            return EV_FINISHED
        return EV_NONE

    def next_deadline(self):
        """The tick of the next event, or -1 when none will come."""
        if self.state == RUNNING:
            self._next()
            return ticks.add(self._base, self._npos)
        if self.state == PAUSED:
            return ticks.add(self.pause_tick, PAUSE_LIMIT_MS)
        return -1

    def active_ms(self, now):
        """Time not paused since the start."""
        return self._plan_pos(now) - self.skipped_ms

    def remaining_ms(self, now):
        """Time left in the current segment."""
        if self.state == FINISHED:
            return 0
        r = self._end - self._plan_pos(now)
        return r if r > 0 else 0

    def session_remaining_ms(self, now):
        if self.state == FINISHED:
            return 0
        r = self.total_ms - self._plan_pos(now)
        return r if r > 0 else 0

    # -- internals -----------------------------------------------------------

    def _plan_pos(self, now):
        if self.state == RUNNING:
            return ticks.diff(now, self._base)
        return self._pos

    def _enter(self, i, skipped):
        exp = self.exp
        self.seg = i
        self.kind = exp.kind[i]
        self.skipped = skipped
        self._end = exp.start_ms[i + 1]
        dur = self._end - exp.start_ms[i]
        self.shown_s = (dur + 999) // 1000
        self._sec_k = (dur - 1) // 1000
        self._cd_k = COUNTDOWN_FROM if self._sec_k >= COUNTDOWN_FROM else self._sec_k

    def _next(self):
        """Find the next event of the running session: its code; _npos its position.

        Candidates are checked in tie-break order with a strict '<', so at equal
        positions the earlier kind wins.
        """
        pos = self._end
        ev = EV_SEGMENT if self.seg + 1 < self.n else EV_FINISHED
        if self._half and self.half_ms < pos:
            pos = self.half_ms
            ev = EV_HALFWAY
        if self._cd_k > 0:
            q = self._end - self._cd_k * 1000
            if q < pos:
                pos = q
                ev = EV_COUNTDOWN
        if self._sec_k > 0:
            q = self._end - self._sec_k * 1000
            if q < pos:
                pos = q
                ev = EV_SECOND
        self._npos = pos
        return ev

    def _finish(self, status, now, pos):
        self._pos = pos
        self.state = FINISHED
        self.status = status
        self.end_tick = now

    def _catch_up(self, now):
        while self.tick(now) != EV_NONE:
            pass
