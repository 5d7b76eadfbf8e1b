"""A watch's log bytes as sessions: split, decode, and placed in time.

The watch sends whole sessions as concatenated ``runcue.records`` frames.  This
module turns them into what the archive stores and the report reads, with no
database in sight, so every rule here is testable on its own:

* ``frames(data)``: every frame with its own bytes (the archive keeps them raw),
  its fields named (``fields.program_id``) by the names ``runcue.records``
  gives them (``START_PROGRAM_ID``...): ``FIELDS``.
* ``split(frames)``: one list of frames per session, by the watch's own
  splitting (``runcue.records.sessions_in``); a frame outside any session is
  refused.  A session that another follows without an end was cut by a power
  loss whose close never reached flash: interrupted.
* ``decode(frames, prog)``: the structured session and its segment rows.
* ``place(sessions, ctx, last_end, notes)``: UTC start times, exact or approximate
  (a clock reading that is no time counts as unset: ``clock_trusted``).
"""

import struct
from collections import namedtuple
from typing import Any

from runcue import program, records
from runcue_host.timetext import utc

NO_PLAN = records.NO_PLAN
CLOCK_OFF_S = 3600  # a watch clock this far from the laptop's (or a START this far after the sync) is wrong


def _field_names(rtype):
    """The names of ``rtype``'s fields in payload order: records' <TYPE>_<FIELD> indexes, lower case.

    A SUMMARY is a START's fields, then an END's, then a CHECKIN's.
    """
    if rtype == records.SUMMARY:
        return _field_names(records.START) + _field_names(records.END) + _field_names(records.CHECKIN)
    prefix = records.TYPE_NAMES[rtype].upper() + "_"
    index = {v: k[len(prefix):].lower() for k, v in vars(records).items() if k.startswith(prefix) and type(v) is int}
    names = [index[i] for i in range(len(index))]
    if len(names) != len(struct.unpack(records.FORMATS[rtype], bytes(records.payload_size(rtype)))):
        raise AssertionError("records names %d fields of %s: its format has others" % (len(names), prefix))
    return names


# One named tuple per record type (the type's name, e.g. FIELDS[records.START].__name__ == "start").
FIELDS: dict[int, Any] = {t: namedtuple(records.TYPE_NAMES[t], _field_names(t))
                          for t in range(records.START, records.LAST_TYPE + 1)}


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
        out.append((rtype, FIELDS[rtype](*fields), bytes(data[pos:pos + n])))
        pos += n
    return out


def split(items):
    """One list of frames per session, in order; LogError for a frame outside any session."""
    data = b"".join(it[2] for it in items)
    index = {}  # byte offset of each frame -> its place in items
    pos = 0
    for i, item in enumerate(items):
        index[pos] = i
        pos += len(item[2])
    index[pos] = len(items)
    sessions = []
    at = 0
    for _seq, _status, a, b in records.sessions_in(data):
        if a != at:
            break
        sessions.append(items[index[a]:index[b]])
        at = b
    if at < len(data):
        i = index[at]
        raise LogError("frame %d (%s) is outside any session" % (i, records.TYPE_NAMES[items[i][0]]))
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
    f = head[1]  # a START or a SUMMARY: both begin with the START fields
    summary = next((it[1] for it in items if it[0] == records.SUMMARY), None)
    end = next((it[1] for it in items if it[0] == records.END), None)
    checkin = None
    for it in items:
        if it[0] == records.CHECKIN:
            checkin = it[1]
    changes = []  # (active second, skipped)
    pauses = []  # [active second, paused seconds]; None: not resumed
    restarts = []
    for rtype, fields, _raw in items:
        if rtype == records.SEG or rtype == records.SKIP:
            changes.append((fields.at_s, rtype == records.SKIP))
        elif rtype == records.PAUSE:
            pauses.append([fields.at_s, None])
        elif rtype == records.RESTART:
            restarts.append((fields.at_s, "crash" if fields.cause == records.CRASHED else "reset"))
        elif rtype == records.RESUME and pauses:
            pauses[-1][1] = fields.paused_s
    raw = b"".join(it[2] for it in items)
    active, paused = records.reached(raw, 0, len(raw))
    if end is not None:
        status, done_s, wall_s = end.status, end.active_s, end.wall_s
    elif summary is not None:
        status, done_s, wall_s = summary.status, summary.active_s, summary.wall_s
    else:  # cut without a close: as the watch's recovery would close it
        status, done_s, wall_s = records.INTERRUPTED, active, active + paused
    if checkin is None:  # answered in a SUMMARY, or not at all
        checkin = summary if summary is not None else FIELDS[records.CHECKIN](0, 0, 0)
    if pauses and pauses[-1][1] is None:  # ended while paused: the rest of the wall time
        pauses[-1][1] = max(0, wall_s - done_s - paused)
    exp = prog.expand() if prog is not None else None
    session = {
        "seq": f.seq,
        "program_id": records.id_hex(f.program_id),
        "plan_week": None if f.plan_week == NO_PLAN else f.plan_week,
        "plan_session": None if f.plan_session == NO_PLAN else f.plan_session,
        "rtc": f.rtc, "boot": f.boot, "uptime_s": f.uptime_s,
        "mood_before": f.mood_before or None,
        "status": records.STATUS_NAMES[status] if 0 < status < len(records.STATUS_NAMES) else "interrupted",
        "planned_s": prog.total_ms // 1000 if prog is not None else None,
        "done_s": done_s, "wall_s": wall_s, "paused_s": max(0, wall_s - done_s),
        "mood_after": checkin.mood_after or None,
        "talk": _answer(checkin.talk, records.TALK_ANSWERS),
        "stop_reason": _answer(checkin.reason, records.REASONS),
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
                         % (s["seq"], utc(s["rtc"]) + " UTC", utc(records.EPOCH_MIN, "%Y")))
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
