"""Battery charge from the cell voltage: a rough single-cell LiPo curve.

The points are a typical resting discharge curve of a 1S LiPo, not measured
on any one watch; under load the voltage sags, so the figure reads low, which
is the safe side for "the battery may not last this session".  The curve is
steep below 3.7 V, where a straight line (M5Unified maps 3.3-4.15 V linearly)
would promise charge that is not there.
"""

# (millivolts, percent), rising
CURVE = (
    (3400, 0),
    (3500, 5),
    (3600, 12),
    (3650, 20),
    (3700, 30),
    (3750, 40),
    (3800, 50),
    (3850, 60),
    (3950, 75),
    (4050, 90),
    (4150, 100),
)


def pct_from_mv(mv):
    """0..100 for a cell voltage in mV (interpolated between the curve's points)."""
    lo_mv, lo_pct = CURVE[0]
    if mv <= lo_mv:
        return 0
    for hi_mv, hi_pct in CURVE:
        if mv <= hi_mv:
            return lo_pct + (hi_pct - lo_pct) * (mv - lo_mv) // (hi_mv - lo_mv)
        lo_mv, lo_pct = hi_mv, hi_pct
    return 100
