"""Wrap-safe millisecond tick arithmetic with an explicit period.

ESP32 and RP2040 tick counters wrap at 2**30; the unix port's only at 2**62,
so the core keeps its own period and tests can cross a wrap on any interpreter.
Every intermediate value stays below 2**30 in magnitude, so on a 32-bit board
none of these ever becomes a heap-allocated big integer.
"""

try:
    from micropython import const
except ImportError:  # CPython
    def const(__x):
        return __x

PERIOD = 0x40000000  # 2**30: documentation only, a big int on a 32-bit board
MASK = const(0x3FFFFFFF)
HALF = const(0x20000000)


def wrap(t):
    """A raw tick count (any size) folded into the period."""
    return t & MASK


def add(t, delta):
    """t + delta in the period; |delta| < HALF."""
    if delta >= 0:
        if t > MASK - delta:
            return t - (MASK - delta) - 1
        return t + delta
    if t < -delta:
        return t + delta + MASK + 1
    return t + delta


def diff(a, b):
    """a - b as a signed distance in (-HALF, HALF]."""
    d = (a - b) & MASK
    if d > HALF:
        return d - HALF - HALF  # not d - PERIOD: 2**30 is a big int on a 32-bit board
    return d
