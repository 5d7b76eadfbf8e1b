"""UTC date arithmetic and an uptime counter that does not wrap, for the boards.

The ports disagree on the epoch of ``time`` (2000 on ESP32, 1970 on RP2040 and
unix), and the BM8563 keeps a calendar date, so the boards convert with these
functions instead (days-from-civil, proleptic Gregorian, UTC).  A clock reading
before ``MIN_YEAR`` was never set by the host: it counts as unset (0).
"""

from micropython import const

from runcue import ticks

MIN_YEAR = const(2024)


def unix_from_civil(y, mo, d, h, mi, s):
    """Unix seconds for a UTC date and time."""
    if mo <= 2:
        y -= 1
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (mo - 3 if mo > 2 else mo + 9) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days = era * 146097 + doe - 719468
    return days * 86400 + h * 3600 + mi * 60 + s


def civil_from_unix(t):
    """(year, month, day, hour, minute, second, weekday 0=Sunday) for unix seconds."""
    days = t // 86400
    rem = t - days * 86400
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    mo = mp + 3 if mp < 10 else mp - 9
    y = yoe + era * 400 + (1 if mo <= 2 else 0)
    return y, mo, d, rem // 3600, rem // 60 % 60, rem % 60, (days + 4) % 7


class Uptime:
    """Seconds since boot from the ms tick, carried past the tick's 2**30 wrap.

    ``update(t)`` must see the tick at least every few days (half the period);
    the boards feed it from ``ticks()``, which their wait loop calls every
    slice.  Small ints only: no allocation.
    """

    def __init__(self, t):
        self.last = t
        self.s = t // 1000  # the tick counts from boot (it has not wrapped yet)
        self.ms = t % 1000

    def update(self, t):
        d = ticks.diff(t, self.last)
        if d > 0:
            self.last = t
            self.ms += d
            if self.ms >= 1000:
                self.s += self.ms // 1000
                self.ms %= 1000
        return self.s
