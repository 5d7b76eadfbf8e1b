"""`runcue export csv|fit`: the archive's sessions for spreadsheets and training apps.

csv: ``sessions.csv`` (one row a session) and ``segments.csv`` (one row a
segment), times in UTC.  fit: one FIT activity a session, a lap a segment
(a session logged only as a summary gets one lap), with the pauses as timer
stop/start events.  FIT messages are checked against the SDK's profile before
any byte is encoded (the SDK drops unknown fields silently and stops mid-file
on a bad enum).  The files are written through ``private_files`` as one set:
owner-only, and either every file of the export lands whole or none changes.

FIT counts time in unsigned 32-bit seconds since 1989-12-31 (the SDK subtracts
that epoch and packs the rest, so 1970 would come out as 2106), and readers take
a value below 0x10000000 as seconds since the device powered on.  A session
whose times fall outside that is left out of the FIT export, with a note (it is
in the CSV export as it is): an archive filled before runcue checked watch
clocks may hold one dated 1970.
"""

import contextlib
import csv
import datetime
import io
import os

from runcue_host import UserError, private_files
from runcue_host.archive import logdecode as sessions
from runcue_host.archive import watch_label
from runcue_host.timetext import iso_utc

FORMATS = ("csv", "fit")
SESSION_FIELDS = ("device", "client", "seq", "program_id", "program_name", "started_at_utc", "started_approx",
                  "status", "planned_s", "done_s", "wall_s", "mood_before", "mood_after", "talk", "stop_reason",
                  "logged_whole")
SEGMENT_FIELDS = ("device", "client", "seq", "idx", "kind", "planned_ms", "start_ms", "done_ms", "skipped")
# FIT lap intensity of each segment kind (profile type "intensity")
INTENSITY = {"run": "active", "walk": "recovery", "warmup": "warmup", "cooldown": "cooldown", "rest": "rest"}
FIT_EPOCH_S = 631065600  # 1989-12-31 00:00 UTC (garmin_fit_sdk.util.FIT_EPOCH_S)
FIT_FIRST_S = FIT_EPOCH_S + 0x10000000  # below: "seconds since power-on" to a FIT reader (1998-07-03)
FIT_LAST_S = FIT_EPOCH_S + 0xFFFFFFFE  # 0xFFFFFFFF is FIT's "no value" (2126)


class ExportError(UserError):
    pass


WHAT = ("export --out", "the export")


def check_format(fmt):
    """ExportError unless ``fmt`` is one of :data:`FORMATS`."""
    if fmt not in FORMATS:
        raise ExportError("export %s: unknown format (one of %s)" % (fmt, ", ".join(FORMATS)))


def export(arc, fmt, client, out, notes=None):
    """Write the export; the paths written.  ``notes``: a list told about sessions left out."""
    check_format(fmt)
    made = not os.path.lexists(out)
    out = private_files.private_dir(out, WHAT)
    try:
        return export_csv(arc, client, out) if fmt == "csv" else export_fit(arc, client, out, notes)
    except BaseException:
        if made:  # a failed export leaves nothing, not even its new (empty) directory
            with contextlib.suppress(OSError):
                out.rmdir()
        raise


def _cell(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return ""
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@"):
        return "'" + v  # a spreadsheet would run it as a formula
    return v


def _csv(rows, fields):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(fields)
    for r in rows:
        w.writerow([_cell(r[f]) for f in fields])
    return buf.getvalue().encode("utf-8")


def export_csv(arc, client, out):
    rows = []
    for s in arc.session_rows(client):
        prog = arc.program(s["program_id"])
        rows.append(dict(s, device=s["device_id"], program_name=prog.name if prog else None,
                         started_at_utc=iso_utc(s["started_at"])))
    clients = {(s["device_id"], s["seq"]): s["client"] for s in rows}
    segs = [dict(g, device=g["device_id"], client=clients[(g["device_id"], g["seq"])])
            for g in arc.segment_rows(client)]
    paths = [out / "sessions.csv", out / "segments.csv"]
    with private_files.FileSet(WHAT) as files:
        files.write(paths[0], _csv(rows, SESSION_FIELDS))
        files.write(paths[1], _csv(segs, SEGMENT_FIELDS))
    return paths


# -- FIT ----------------------------------------------------------------------

def _utc(unix):
    return datetime.datetime.fromtimestamp(unix, datetime.timezone.utc)


def fit_messages(row, session, segments):
    """The FIT messages (dicts with "mesg_num" by name) of one archived session."""
    start = row["started_at"]
    pauses = session["pauses"]

    def wall(active_s, inclusive=False):
        """Wall seconds since the start at an active second (pauses before it added)."""
        return active_s + sum(p for a, p in pauses if a < active_s or (inclusive and a == active_s))

    msgs = [{"mesg_num": "FILE_ID", "type": "activity", "manufacturer": "development", "product": 0,
             "time_created": _utc(start)},
            {"mesg_num": "EVENT", "timestamp": _utc(start), "event": "timer", "event_type": "start"}]
    for a, _ in pauses:
        msgs.append({"mesg_num": "EVENT", "timestamp": _utc(start + wall(a)), "event": "timer",
                     "event_type": "stop_all"})
        if wall(a, True) < row["wall_s"]:  # resumed (not ended while paused)
            msgs.append({"mesg_num": "EVENT", "timestamp": _utc(start + wall(a, True)), "event": "timer",
                         "event_type": "start"})
    laps = segments or [{"start_ms": 0, "done_ms": row["done_s"] * 1000, "kind": None, "skipped": False}]
    for i, g in enumerate(laps):
        a = g["start_ms"] // 1000
        b = a + g["done_ms"] // 1000
        last = i == len(laps) - 1
        t0 = wall(a)
        t1 = row["wall_s"] if last else wall(b)
        lap = {"mesg_num": "LAP", "message_index": i, "timestamp": _utc(start + t1), "start_time": _utc(start + t0),
               "total_elapsed_time": float(t1 - t0), "total_timer_time": float(b - a), "sport": "running",
               "sub_sport": "generic", "event": "lap", "event_type": "stop",
               "lap_trigger": "session_end" if last else ("manual" if g["skipped"] else "time")}
        if g["kind"] in INTENSITY:
            lap["intensity"] = INTENSITY[g["kind"]]
        msgs.append(lap)
    end = _utc(start + row["wall_s"])
    msgs.append({"mesg_num": "EVENT", "timestamp": end, "event": "timer", "event_type": "stop_all"})
    msgs.append({"mesg_num": "SESSION", "message_index": 0, "timestamp": end, "start_time": _utc(start),
                 "total_elapsed_time": float(row["wall_s"]), "total_timer_time": float(row["done_s"]),
                 "sport": "running", "sub_sport": "generic", "first_lap_index": 0, "num_laps": len(laps),
                 "event": "session", "event_type": "stop", "trigger": "activity_end"})
    msgs.append({"mesg_num": "ACTIVITY", "timestamp": end, "total_timer_time": float(row["done_s"]),
                 "num_sessions": 1, "type": "manual", "event": "activity", "event_type": "stop"})
    return msgs


def check_messages(msgs):
    """Every field known to the profile and every enum value one of its type's: ExportError otherwise."""
    from garmin_fit_sdk import Profile

    for m in msgs:
        num = Profile["mesg_num"][m["mesg_num"]]
        fields = {f["name"]: f for f in Profile["messages"][num]["fields"].values()}
        for key, value in m.items():
            if key == "mesg_num":
                continue
            if key not in fields:
                raise ExportError("FIT %s: no field %r in the profile" % (m["mesg_num"], key))
            values = Profile["types"].get(fields[key]["type"])
            if isinstance(value, str) and values is not None and value not in values.values():
                raise ExportError("FIT %s.%s: %r is not a value of the profile's type %s"
                                  % (m["mesg_num"], key, value, fields[key]["type"]))


def encode_fit(msgs):
    from garmin_fit_sdk import Encoder, Profile

    check_messages(msgs)
    enc = Encoder()
    for m in msgs:
        enc.write_mesg(dict(m, mesg_num=Profile["mesg_num"][m["mesg_num"]]))
    return enc.close()


def fit_name(row):
    return "%s-%s-%05d.fit" % (row["client"] or "none", row["device_id"], row["seq"])


def fit_can_hold(row):
    """The session's start and end are times a FIT file can say."""
    return FIT_FIRST_S <= row["started_at"] and row["started_at"] + row["wall_s"] <= FIT_LAST_S


def export_fit(arc, client, out, notes=None):
    paths = []
    with private_files.FileSet(WHAT) as files:
        for row in arc.session_rows(client):
            if not fit_can_hold(row):
                if notes is not None:
                    notes.append("watch %s session %d: dated %s, a time FIT cannot hold: left out of the FIT "
                                 "export (it is in the CSV export)" % (watch_label(row["device_id"]), row["seq"],
                                                                      iso_utc(row["started_at"])[:10]))
                continue
            items = sessions.split(sessions.frames(arc.raw_session(row["device_id"], row["seq"])))[0]
            session, segments = sessions.decode(items, arc.program(row["program_id"]))
            path = out / fit_name(row)
            files.write(path, encode_fit(fit_messages(row, session, segments)))
            paths.append(path)
    return paths
