"""Board modules: one per watch, each with a ``Board`` class of the same shape.

A board gives: ``NAME``, ``WIDTH``/``HEIGHT`` and ``fb`` (a framebuf.FrameBuffer),
``buzzer`` (``tone(freq_hz)``, ``off()``), ``vibrator`` (``on()``, ``off()``) or
None, ``mount()`` (LittleFS at '/'), ``ticks()`` (ms in the 2**30 period of
runcue.ticks), ``uptime_s()``, ``rtc()`` (UTC unix seconds, 0 when unset),
``set_rtc(unix)``, ``battery_pct()`` (-1 when unknown), ``show(screen)`` (send
``fb`` to the display; ``screen`` names it for the simulator), and
``wait(deadline)`` which sleeps until the tick ``deadline`` (-1: no deadline)
or a button press and returns the press (BTN_A, BTN_B, plus LONG) or 0.
A board with a watchdog has ``WAKE_MS`` (the app's loop wakes at least this
often; 0: no watchdog), ``feed()`` (called from every turn of the loop; the
first call starts it) and ``release()`` (the host takes the REPL: keep an
armed watchdog fed while the interpreter runs).
Each module also has a ``Clock`` class (``now()``, ``set(unix)``, ``uptime_s()``).
"""

import time

from runcue import ticks

BTN_A = 1  # the front button: start, ok, pause/resume
BTN_B = 2  # the side button: next option, skip segment
LONG = 4  # added for a long press (stop)

WDT_MS = 8000  # the watchdog resets a board whose loop stops this long (the RP2040's longest: 8388 ms)
WAKE_MS = 2000  # so the loop wakes at least this often to feed it


class ClockedBoard:
    """What real boards share: ticks, uptime and the RTC, from their ``Clock`` in ``self.clock``;
    the watchdog (machine.WDT), fed by the app's loop."""

    WAKE_MS = WAKE_MS
    TIMER_ID = -1  # the machine.Timer that feeds the watchdog while the host holds the REPL

    def __init__(self, clock):
        self.clock = clock
        self.wdt = None
        self.keeper = None

    def feed(self):
        if self.wdt is None:
            from machine import WDT

            self.wdt = WDT(timeout=WDT_MS)  # started by the loop's first turn: it cannot be stopped
        self.wdt.feed()

    def release(self):
        """The host stops the app for the REPL: a soft timer feeds the watchdog from now on.

        Its callback runs in the interpreter, so a hang still resets the board."""
        wdt = self.wdt
        if wdt is not None and self.keeper is None:
            from machine import Timer

            self.keeper = Timer(self.TIMER_ID, period=WAKE_MS, callback=lambda _t: wdt.feed())

    def ticks(self):
        t = ticks.wrap(time.ticks_ms())
        self.clock.up.update(t)
        return t

    def uptime_s(self):
        return self.clock.uptime_s()

    def rtc(self):
        return self.clock.now()

    def set_rtc(self, unix):
        self.clock.set(unix)


def _module():
    """The board module for the platform this firmware runs on."""
    import sys

    if sys.platform == "esp32":
        from boards import m5stickc_plus2 as mod
    elif sys.platform == "rp2":
        from boards import pico_oled as mod
    else:
        from boards import sim as mod
    return mod


def load():
    """The whole board: display, buzzer, buttons, clock."""
    return _module().Board()


def rtc():
    """Only the board's clock (``now()``, ``set(unix)``, ``uptime_s()``): what the
    sync service needs in the raw REPL, without waking the display."""
    return _module().Clock()
