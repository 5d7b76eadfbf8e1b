"""Counts and clock offsets in words: the one place for plural forms and for "6 days fast".

The texts that hold them (the command's lines, the report's English and Dutch) pass
both forms, so a count reads "1 new session" and "2 new sessions", "1 sessie" and
"2 sessies".
"""

OFFSET_UNITS = ((86400, "day", "days"), (3600, "h", "h"), (60, "min", "min"), (1, "s", "s"))


def plural(n, one, many):
    """``one`` when ``n`` is 1, else ``many``."""
    return one if n == 1 else many


def count(n, one, many):
    """``n`` and its noun: ``count(1, "new session", "new sessions")`` is "1 new session"."""
    return "%d %s" % (n, plural(n, one, many))


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
