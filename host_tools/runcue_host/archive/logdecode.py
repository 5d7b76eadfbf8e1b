"""A watch's log bytes as sessions: split, decode, and placed in time.

The watch sends whole sessions as concatenated ``runcue.records`` frames.  This
module turns them into what the archive stores and the report reads, with no
database in sight, so every rule here is testable on its own:

* ``frames(data)``: every frame with its own bytes (the archive keeps them raw).
* ``split(frames)``: one list of frames per session, by the same rules as the
  watch's log (``runcue.logstore``): START..END, START..SUMMARY of its seq
  (logging went off during it), or a lone SUMMARY; a CHECKIN right after an end
  belongs to that session; a START that another START follows without an end
  was cut by a power loss whose close never reached flash: interrupted.
* ``decode(frames, prog)``: the structured session and its segment rows.
* ``place(sessions, ctx, last_end, notes)``: UTC start times, exact or approximate
  (a clock reading that is no time counts as unset: ``clock_trusted``).
"""

import time

from runcue import program, records

NO_PLAN = records.NO_PLAN
CLOCK_OFF_S = 3600  # a watch clock this far from the laptop's (or a START this far after the sync) is wrong
_TIMED = (records.SEG, records.SKIP, records.PAUSE, records.RESTART)  # field 0: an active second


def _utc(unix):
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(unix))


class LogError(ValueError):
    """Frames that are not whole sessions; the message says where."""


def frames(data):
    """[(rtype, fields, raw bytes)] of ``data``; LogError at the first bad frame."""
    out = []
    pos = 0
    while pos < len(data):
        try:
            rtype, fields, n = records.decode_frame(data, pos)
        except records.RecordError as e:
            raise LogError(str(e)) from None
        out.append((rtype, fields, bytes(data[pos:pos + n])))
        pos += n
    return out


def split(items):
    """One list of frames per session, in order; LogError for a frame outside any session."""
    sessions = []
    cur = None  # the session whose end has not come yet
    ended = False  # the last session has just ended: a CHECKIN may follow
    for i, item in enumerate(items):
        rtype, fields = item[0], item[1]
        if rtype == records.CHECKIN and ended:
            sessions[-1].append(item)
            ended = False
            continue
        ended = False
        if rtype == records.SUMMARY and cur is not None and fields[0] == cur[0][1][0]:
            cur.append(item)  # logging went off during it: the summary closes it
            cur, ended = None, True
        elif rtype == records.START or rtype == records.SUMMARY:
            cur = [item]  # an open session before it had no end: a power cut (interrupted)
            sessions.append(cur)
            if rtype == records.SUMMARY:
                cur, ended = None, True
        elif cur is None:
            raise LogError("frame %d (%s) is outside any session" % (i, records.TYPE_NAMES[rtype]))
        else:
            cur.append(item)
            if rtype == records.END:
                cur, ended = None, True
    return sessions


def _answer(value, names):
    return names[value] if 0 < value < len(names) else None


def decode(items, prog=None):
    """(session dict, [segment dicts]) of one session's frames; ``prog``: its Program or None.

    Times are whole seconds as the watch logged them.  A segment starts at the
    SEG/SKIP that began it (0 for the first) and lasts until the next change or
    the end (active time: pauses excluded); ``skipped``: the client skipped out
    of it; ``pauses``: (active second, seconds paused) of each pause (one never
    resumed lasts until the end).  Only segments that were reached are rows.
    A SUMMARY-only session has no segments; one that logging left midway keeps
    the segments that ended before logging went off.  ``logged_whole`` is False
    for both.  ``restarts``: (active second, "crash" or "reset") of each time the
    watch came back and went on with the session (its down time is active time).
    """
    head = items[0]
    f = head[1]
    summary = next((it[1] for it in items if it[0] == records.SUMMARY), None)
    end = next((it[1] for it in items if it[0] == records.END), None)
    checkin = None
    for it in items:
        if it[0] == records.CHECKIN:
            checkin = it[1]
    active = paused = 0
    changes = []  # (active second, skipped)
    pauses = []  # [active second, paused seconds]; None: not resumed
    restarts = []
    for rtype, fields, _raw in items:
        if rtype in _TIMED:
            active = fields[0]
        if rtype == records.SEG or rtype == records.SKIP:
            changes.append((fields[0], rtype == records.SKIP))
        elif rtype == records.PAUSE:
            pauses.append([fields[0], None])
        elif rtype == records.RESTART:
            restarts.append((fields[0], "crash" if fields[1] == records.CRASHED else "reset"))
        elif rtype == records.RESUME:
            paused += fields[0]
            if pauses:
                pauses[-1][1] = fields[0]
    if end is not None:
        status, done_s, wall_s = end
    elif summary is not None:
        status, done_s, wall_s = summary[8], summary[9], summary[10]
        if checkin is None:
            checkin = summary[11:14]
    else:  # cut without a close: as the watch's recovery would close it
        status, done_s, wall_s = records.INTERRUPTED, active, active + paused
    checkin = checkin or (0, 0, 0)
    if pauses and pauses[-1][1] is None:  # ended while paused: the rest of the wall time
        pauses[-1][1] = max(0, wall_s - done_s - paused)
    exp = prog.expand() if prog is not None else None
    session = {
        "seq": f[0],
        "program_id": records.id_hex(f[1]),
        "plan_week": None if f[2] == NO_PLAN else f[2],
        "plan_session": None if f[3] == NO_PLAN else f[3],
        "rtc": f[4], "boot": f[5], "uptime_s": f[6],
        "mood_before": f[7] or None,
        "status": records.STATUS_NAMES[status] if 0 < status < len(records.STATUS_NAMES) else "interrupted",
        "planned_s": prog.total_ms // 1000 if prog is not None else None,
        "done_s": done_s, "wall_s": wall_s, "paused_s": max(0, wall_s - done_s),
        "mood_after": checkin[0] or None,
        "talk": _answer(checkin[1], records.TALK_ANSWERS),
        "stop_reason": _answer(checkin[2], records.REASONS),
        "logged_whole": head[0] == records.START and summary is None,
        "pauses": [tuple(p) for p in pauses],
        "restarts": restarts,
    }
    segments = []
    if head[0] == records.START:
        starts = [0] + [t for t, _ in changes]
        ends = [t for t, _ in changes] + ([done_s] if summary is None else [])
        for i, (a, b) in enumerate(zip(starts, ends, strict=False)):
            kind = planned = None
            if exp is not None and i < exp.n:
                kind, planned = program.KINDS[exp.kind[i]], exp.duration_ms(i)
            segments.append({
                "idx": i, "kind": kind, "planned_ms": planned, "start_ms": a * 1000,
                "done_ms": max(0, b - a) * 1000, "skipped": i < len(changes) and changes[i][1],
            })
    return session, segments


def clock_trusted(rtc, host_time):
    """A START's RTC reading is a time: set, from this firmware's era, and not after the sync."""
    return records.rtc_or_unset(rtc) != 0 and rtc <= host_time + CLOCK_OFF_S


def place(sessions, ctx, last_end=None, notes=None):
    """Set ``started_at`` (unix UTC) and ``started_approx`` on each session, in seq order.

    ``ctx``: {"host_time", "device_clock", "uptime_s", "boots"} at the sync;
    ``last_end``: the end of this device's previous stored session (or the time it
    was first seen), None when nothing is known; ``notes``: a list told about
    clock readings that were no time.

    * RTC set at the start, and plausible (``clock_trusted``): exact.  A reading
      before 2025 or after the sync is treated as unset (below).
    * The watch clock off by more than CLOCK_OFF_S at the sync: the times it gave
      are approximate; in the sync's boot, its origin (from this laptop's clock)
      + uptime.
    * Clock unset, in a boot whose time is known (the sync's boot, or a boot with
      a session that had the clock set): that boot's origin + uptime, approximate.
    * Otherwise: approximate, right after the last known end, or packed back
      from the next known start (or the sync) when there is no room or no known
      end.  Sessions of one boot keep their uptime gaps; boots follow each other.
    """
    host = ctx["host_time"]
    clock = records.rtc_or_unset(ctx.get("device_clock") or 0)  # 1970: it lost power, it was not set wrong
    clock_off = clock != 0 and abs(clock - host) > CLOCK_OFF_S
    origins = {ctx["boots"]: host - ctx["uptime_s"]}
    timed = [clock_trusted(s["rtc"], host) for s in sessions]
    for s, ok in zip(sessions, timed, strict=True):
        if ok:
            origins.setdefault(s["boot"], s["rtc"] - s["uptime_s"])
        elif s["rtc"] and notes is not None:
            notes.append("session %d: the watch clock read %s, which is no time (before %s or after this sync): "
                         "placed by the sync and marked approximate (≈)"
                         % (s["seq"], _utc(s["rtc"]), _utc(records.EPOCH_MIN)[:4]))
    for s, ok in zip(sessions, timed, strict=True):
        s["started_approx"] = not ok or clock_off
        if ok and not (clock_off and s["boot"] == ctx["boots"]):
            s["started_at"] = s["rtc"]
        elif s["boot"] in origins:
            s["started_at"] = origins[s["boot"]] + s["uptime_s"]
        else:
            s["started_at"] = None
    i = 0
    while i < len(sessions):
        if sessions[i]["started_at"] is not None:
            i += 1
            continue
        j = i
        while j < len(sessions) and sessions[j]["started_at"] is None:
            j += 1
        blocks = []  # [sessions of one boot, span from the first's start to the last's end]
        for s in sessions[i:j]:
            if blocks and blocks[-1][0][0]["boot"] == s["boot"] and s["uptime_s"] >= blocks[-1][0][-1]["uptime_s"]:
                blocks[-1][0].append(s)
                blocks[-1][1] = s["uptime_s"] - blocks[-1][0][0]["uptime_s"] + s["wall_s"]
            else:
                blocks.append([[s], s["wall_s"]])
        left = last_end if i == 0 else sessions[i - 1]["started_at"] + sessions[i - 1]["wall_s"]
        right = sessions[j]["started_at"] if j < len(sessions) else ctx["host_time"]
        need = sum(span for _, span in blocks)
        t = left if left is not None and left + need <= right else right - need
        for members, span in blocks:
            for s in members:
                s["started_at"] = t + s["uptime_s"] - members[0]["uptime_s"]
            t += span
        i = j
    return sessions
