"""Durations and clock times as people read them: the one place for every such format.

The commands, the report, the preview and the archive's notes all print times through
these, so a session's length reads the same in ``runcue sessions`` and in the report, and
a program's in ``program check``, ``program preview`` and ``plan show``.  Clock times are
UTC, the archive's time (a watch has no time zone).
"""

import time

from runcue_host.wording import DECIMAL_MARK, count, number

OFFSET_UNITS = ((86400, "day", "days"), (3600, "h", "h"), (60, "min", "min"), (1, "s", "s"))
HOURS_MINUTES = {"en": "%d h %02d min", "nl": "%d u %02d min"}

ISO = "%Y-%m-%dT%H:%M:%SZ"  # the archive's JSON and the CSV export
SECOND = "%Y-%m-%d %H:%M:%S"
MINUTE = "%Y-%m-%d %H:%M"  # a session's start in a table, the report and a note
DATE = "%Y-%m-%d"
DAY_MONTH = "%d-%m"  # under a chart's bar


def clock(ms, lang="en"):
    """A program's time as a stopwatch shows it: m:ss, h:mm:ss from an hour on, and the tenth
    of a second when ``ms`` is not whole seconds (``1:30``, ``1:02:05``, ``0:05.5``; Dutch ``0:05,5``)."""
    s, rest = divmod(int(ms), 1000)
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    text = "%d:%02d:%02d" % (h, m, s) if h else "%d:%02d" % (m, s)
    return text + ("%s%d" % (DECIMAL_MARK[lang], rest // 100) if rest else "")


def minutes_clock(seconds):
    """A session's time in whole seconds as m:ss, the minutes running on past the hour (``75:00``),
    so a column of sessions lines up; ``?`` when it is not known."""
    if seconds is None:
        return "?"
    return "%d:%02d" % divmod(seconds, 60)


def hours_minutes(seconds, lang):
    """A long total in hours and minutes: ``12 h 05 min`` (Dutch: ``12 u 05 min``)."""
    return HOURS_MINUTES[lang] % (seconds // 3600, seconds % 3600 // 60)


def minutes(ms, lang):
    """Minutes as a number: ``12``, or ``12.5`` (Dutch ``12,5``) when not whole."""
    return "%d" % (ms // 60000) if ms % 60000 == 0 else number(ms / 60000, lang)


def clock_offset(seconds):
    """How far a clock is from this laptop's: "6 days fast", "3 min slow", "2 s slow", "right".

    ``seconds``: clock minus laptop, so positive is fast.  In the largest unit that
    fits, rounded: how far off matters, not the exact second.
    """
    n = abs(int(seconds))
    way = "fast" if seconds > 0 else "slow"
    for unit_s, one, many in OFFSET_UNITS:
        if n >= unit_s:
            return "%s %s" % (count(int(n / unit_s + 0.5), one, many), way)
    return "right"


def clock_state(offset_s):
    """A watch clock against this laptop's: "unset" (``None``), or as :func:`clock_offset` says."""
    return "unset" if offset_s is None else clock_offset(offset_s)


def utc(unix, form=MINUTE):
    """A Unix time as UTC in one of the forms above (default: ``2024-05-01 18:30``)."""
    return time.strftime(form, time.gmtime(unix))


def iso_utc(unix):
    """``2024-05-01T18:30:00Z``: the archive's JSON and CSV time."""
    return utc(unix, ISO)
