"""Board modules: one per watch, each with a ``Board`` class of the same shape.

A board gives: ``NAME``, ``WIDTH``/``HEIGHT`` and ``fb`` (a framebuf.FrameBuffer),
``buzzer`` (``tone(freq_hz)``, ``off()``), ``vibrator`` (``on()``, ``off()``) or
None, ``mount()`` (LittleFS at '/'), ``ticks()`` (ms in the 2**30 period of
runcue.ticks), ``uptime_s()``, ``rtc()`` (UTC unix seconds, 0 when unset),
``set_rtc(unix)``, ``battery_pct()`` (-1 when unknown), ``show(screen)`` (send
``fb`` to the display; ``screen`` names it for the simulator), and
``wait(deadline)`` which sleeps until the tick ``deadline`` (-1: no deadline)
or a button press and returns the press (BTN_A, BTN_B, plus LONG) or 0.
Each module also has a ``Clock`` class (``now()``, ``set(unix)``, ``uptime_s()``).
"""

import time

from runcue import ticks

BTN_A = 1  # the front button: start, ok, pause/resume
BTN_B = 2  # the side button: next option, skip segment
LONG = 4  # added for a long press (stop)


class ClockedBoard:
    """What real boards share: ticks, uptime and the RTC, from their ``Clock`` in ``self.clock``."""

    def __init__(self, clock):
        self.clock = clock

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
