"""Push buttons to GND, polled: debounce, long press, and the board's wait loop.

Both real boards sleep in short slices and read their buttons between slices
(``wait``).  Polling instead of pin IRQs keeps one code path for every board,
needs no IRQ-safe code, and filters bounce by time: a level counts only after
it has held ``SETTLE_MS``.  ``time.sleep_ms`` idles the CPU between polls
(FreeRTOS idle task on ESP32, WFE on RP2040): no busy-wait.  lightsleep would
save more, but it stops USB (RP2040) and the UART REPL (ESP32) that sync needs.

A press is reported once: ``code`` for a short one when it is let go, or
``code | long_flag`` as soon as it has been held ``LONG_MS`` (the runner feels
the stop happen without letting go), then nothing when it is let go.  Another
button pressed during a press is ignored; a new press starts only once every
button is up.
"""

from micropython import const

from runcue import ticks

LONG_MS = const(800)
SETTLE_MS = const(30)
SLICE_MS = const(20)

_UP = const(0)  # every button up
_DOWN = const(1)  # one button held, not yet long
_DONE = const(2)  # press reported (long) or a chord: wait until every button is up


class Buttons:
    """Debounced buttons; ``pins[i]`` reads 0 while button i is pressed."""

    def __init__(self, pins, codes, long_flag, long_ms=LONG_MS, settle_ms=SETTLE_MS):
        self.pins = pins
        self.codes = codes
        self.long_flag = long_flag
        self.long_ms = long_ms
        self.settle_ms = settle_ms
        self.raw = 0  # bit i set: button i seen down at the last poll
        self.raw_at = 0  # tick of the last raw change
        self.stable = 0  # the debounced mask
        self.state = _UP
        self.which = 0  # the button of the press in progress
        self.t0 = 0  # tick its press began

    def read(self):
        down = 0
        for i in range(len(self.pins)):
            if not self.pins[i].value():
                down |= 1 << i
        return down

    def poll(self, now):
        """Read the pins at tick ``now``: an event (code, maybe | long_flag) or 0."""
        return self.update(now, self.read())

    def update(self, now, down):
        """Feed the pressed mask ``down`` seen at tick ``now``: an event or 0."""
        if down != self.raw:
            self.raw = down
            self.raw_at = now
        if self.raw != self.stable and ticks.diff(now, self.raw_at) >= self.settle_ms:
            self.stable = self.raw
            ev = self._changed()
            if ev:
                return ev
        if self.state == _DOWN and self.raw >> self.which & 1 and ticks.diff(now, self.t0) >= self.long_ms:
            self.state = _DONE
            return self.codes[self.which] | self.long_flag
        return 0

    def _changed(self):
        s = self.stable
        if self.state == _UP:
            if s and not s & (s - 1):  # exactly one button
                self.state = _DOWN
                self.which = 0
                while not s >> self.which & 1:
                    self.which += 1
                self.t0 = self.raw_at  # the press began at the edge, not when it settled
            elif s:
                self.state = _DONE  # pressed together: no event
        elif self.state == _DOWN:
            if not s >> self.which & 1:  # let go
                self.state = _UP if s == 0 else _DONE
                code = self.codes[self.which]
                if ticks.diff(self.raw_at, self.t0) >= self.long_ms:
                    return code | self.long_flag  # a long press seen only at its end
                return code
        elif s == 0:
            self.state = _UP
        return 0


def wait(buttons, deadline, now, sleep_ms, slice_ms=SLICE_MS):
    """Sleep in slices until tick ``deadline`` (-1: none) or a press; the press or 0.

    ``now()`` gives the tick, ``sleep_ms(n)`` sleeps; the last slice is cut
    to end on the deadline, so cues keep their timing.
    """
    while True:
        t = now()
        ev = buttons.poll(t)
        if ev:
            return ev
        step = slice_ms
        if deadline >= 0:
            left = ticks.diff(deadline, t)
            if left <= 0:
                return 0
            if left < step:
                step = left
        sleep_ms(step)
