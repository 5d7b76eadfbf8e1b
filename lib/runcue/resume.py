"""Where a session the watch lost stands: its logged frames and the clock.

A crash (the app starts again in the same boot) or a reset leaves a session with
a START and no END.  The log says what the client did, in whole seconds of
active time: pauses, skips, segment changes.  The clock says how long ago the
session began.  ``session_state`` reads the first; ``go_on`` puts both into
``engine.Session.restore``, or says the session cannot go on (the clock is
behind its last record, a pause outlived the limit, the plan would be over):
then it is closed as INTERRUPTED, as a power cut always was.

The time the watch was down counts as active time: the program went on for the
client meanwhile, and its cues come at the times they always had.
"""

from runcue import engine, records, ticks


def session_state(exp, frames):
    """(paused_ms, skipped_ms, pause_wall_ms, last_active_s, changes) of a session's frames.

    ``frames``: (type, fields) after its START.  ``pause_wall_ms``: when it is
    paused now, the wall time since the start at which that pause began (-1:
    running); ``changes``: the segment changes logged (SEG and SKIP).
    """
    paused = skipped = active = changes = 0
    pause_wall = -1
    for rtype, fields in frames:
        if rtype == records.SEG or rtype == records.SKIP:
            if rtype == records.SKIP and changes + 1 <= exp.n:
                # the plan jumped from where the client was to the end of the segment
                jump = exp.start_ms[changes + 1] - (fields[records.SKIP_AT_S] * 1000 + skipped)
                skipped += jump if jump > 0 else 0
            changes += 1
            active = fields[records.SEG_AT_S]  # SKIP_AT_S: the same field
        elif rtype == records.PAUSE:
            active = fields[records.PAUSE_AT_S]
            pause_wall = active * 1000 + paused
        elif rtype == records.RESUME:
            paused += fields[records.RESUME_PAUSED_S] * 1000
            pause_wall = -1
        elif rtype == records.RESTART:
            active = fields[records.RESTART_AT_S]
    return paused, skipped, pause_wall, active, changes


def go_on(session, now, start_tick, frames):
    """Put ``session`` (a new engine.Session) where the clock says the logged session is.

    ``start_tick``: the session's start in this boot's ticks.  True when it goes
    on; False when it cannot (``session`` is left unchanged).
    """
    paused, skipped, pause_wall, last_active_s, _ = session_state(session.exp, frames)
    elapsed = ticks.diff(now, start_tick)
    pause_tick = -1
    if pause_wall >= 0:
        if elapsed - pause_wall >= engine.PAUSE_LIMIT_MS or elapsed < pause_wall:
            return False
        pause_tick = ticks.add(start_tick, pause_wall)
    elif elapsed - paused < last_active_s * 1000:
        return False  # the clock is behind the log: it cannot say where the session is
    return session.restore(now, start_tick, paused, skipped, pause_tick) == engine.EV_SEGMENT
