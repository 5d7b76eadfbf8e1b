"""Replays engine trace vectors on CPython or MicroPython; the same file runs on both.

For each case: start a Session at ``start``, then move "now" to the next
deadline (plus ``late_ms``: a late wake) or the next action tick, whichever is
first; drain ``tick(now)`` and apply the actions at that tick.  Every event is
recorded as ``[due tick, name, detail]``; EV_SECOND entries only when the case
keeps ``seconds`` (they are always counted).
"""

import json
import sys

from runcue import engine, program, ticks

MAX_STEPS = 100000


def _detail(s, ev):
    if ev == engine.EV_SEGMENT:
        d = "%d %s" % (s.seg, program.KINDS[s.kind])
        return d + " skipped" if s.skipped else d
    if ev == engine.EV_COUNTDOWN:
        return s.countdown
    if ev == engine.EV_SECOND:
        return s.shown_s
    if ev == engine.EV_FINISHED:
        return engine.STATUS_NAMES[s.status]
    return None


class _Replay:
    def __init__(self, case):
        self.case = case
        self.s = engine.Session(program.make("t", "en", case["items"]).expand())
        self.trace = []
        self.seconds = 0
        self.max_late = 0
        self.keep_seconds = case.get("seconds", True)

    def record(self, ev, now):
        s = self.s
        late = ticks.diff(now, s.event_tick)
        if late > self.max_late:
            self.max_late = late
        if ev == engine.EV_SECOND:
            self.seconds += 1
            if not self.keep_seconds:
                return
        self.trace.append([s.event_tick, engine.EVENT_NAMES[ev], _detail(s, ev)])

    def drain(self, now):
        ev = self.s.tick(now)
        while ev != engine.EV_NONE:
            self.record(ev, now)
            ev = self.s.tick(now)

    def act(self, name, now):
        s = self.s
        if name == "probe":
            self.trace.append([now, "probe", [s.remaining_ms(now), s.session_remaining_ms(now),
                                              s.active_ms(now), s.paused_ms]])
            return
        ev = getattr(s, name)(now)
        if ev == engine.EV_NONE:
            self.trace.append([now, "none", name])
        else:
            self.record(ev, now)
        self.drain(now)

    def run(self):
        case = self.case
        s = self.s
        actions = case.get("actions", [])
        late = case.get("late_ms", 0)
        now = case["start"]
        self.record(s.start(now), now)
        ai = 0
        for _ in range(MAX_STEPS):
            self.drain(now)
            while ai < len(actions) and actions[ai][0] == now:
                self.act(actions[ai][1], now)
                ai += 1
            d = s.next_deadline()
            if d >= 0:
                d = ticks.add(d, late)
            if ai < len(actions):
                a = actions[ai][0]
                if d < 0 or ticks.diff(a, now) <= ticks.diff(d, now):
                    d = a
            if d < 0:
                break
            now = d
        else:
            raise RuntimeError("no end after %d steps" % MAX_STEPS)
        return {
            "trace": self.trace,
            "final": {
                "state": engine.STATE_NAMES[s.state],
                "status": engine.STATUS_NAMES[s.status],
                "start_tick": s.start_tick,
                "end_tick": s.end_tick,
                "active_ms": s.active_ms(now),
                "paused_ms": s.paused_ms,
                "skipped_ms": s.skipped_ms,
                "seconds": self.seconds,
            },
            "max_late": self.max_late,
        }


def run(vectors):
    return [_Replay(case).run() for case in vectors["cases"]]


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        vectors = json.load(f)
    print(json.dumps(run(vectors)))
