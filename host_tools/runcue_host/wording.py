"""Counts and numbers in words: the one place for plural forms and the decimal mark.

The texts that hold them (the command's lines, the report's English and Dutch) pass
both forms, so a count reads "1 new session" and "2 new sessions", "1 sessie" and
"2 sessies".  Durations and clock times ("6 days fast", "1:30") are in ``timetext``.
"""

DECIMAL_MARK = {"en": ".", "nl": ","}


def plural(n, one, many):
    """``one`` when ``n`` is 1, else ``many``."""
    return one if n == 1 else many


def count(n, one, many):
    """``n`` and its noun: ``count(1, "new session", "new sessions")`` is "1 new session"."""
    return "%d %s" % (n, plural(n, one, many))


def number(value, lang, fmt="%.1f"):
    """A decimal number as ``lang`` writes it (Dutch: a decimal comma)."""
    return (fmt % value).replace(".", DECIMAL_MARK[lang])
