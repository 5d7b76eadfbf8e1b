"""`runcue sync`: only new sessions, checked, stored once, then the watch may free them.

The order is what makes a broken sync harmless: read (the watch changes
nothing), store in one transaction, and only then ack, after which the watch
trims.  Killed anywhere, the next sync reads again from the archive's
cursor; a session already stored arrives with the same bytes and is skipped.
"""

import time
from binascii import a2b_base64, crc32

from runcue import records
from runcue_host.link import LinkError, Watch, expect

CHUNK_BYTES = 4096  # per read call: a few sessions; whole sessions always
CLOCK_TOLERANCE_S = 2


def _read_chunk(watch, cursor):
    reply = watch.call("read", cursor, CHUNK_BYTES)
    expect(reply, {"data": str, "crc": int, "bytes": int, "next": int}, "read")
    try:
        data = a2b_base64(reply["data"])
    except ValueError:
        raise LinkError("read: the watch sent bad base64") from None
    if len(data) != reply["bytes"] or crc32(data) != reply["crc"]:
        raise LinkError("read from session %d: CRC mismatch (the link garbled data); sync again" % cursor)
    if reply["next"] < cursor or (data and reply["next"] == cursor):
        raise LinkError("read: the watch's cursor went from %d to %d" % (cursor, reply["next"]))
    try:
        records.decode_all(data)
    except records.RecordError as e:
        raise LinkError("read from session %d: %s" % (cursor, e)) from None
    return data, reply["next"]


def _count_sessions(data):
    return sum(1 for t, _ in records.decode_all(data) if t in (records.START, records.SUMMARY)) if data else 0


def _active_program(watch):
    reply = watch.call("active")
    if reply.get("kind") is None:
        return None
    expect(reply, {"kind": str, "data": str, "crc": int}, "active")
    try:
        data = a2b_base64(reply["data"])
    except ValueError:
        raise LinkError("active: the watch sent bad base64") from None
    if crc32(data) != reply["crc"]:
        raise LinkError("active: CRC mismatch")
    return data.decode("utf-8", "replace")  # not a program then: the archive notes it and keeps the sessions


def sync(port, archive, progress=None, accept_reassign=False, now=time.time):
    """One sync; a summary dict.  ``progress(bytes, sessions)`` is told as data arrives."""
    with Watch(port) as watch:
        info = watch.info()
        host_time = int(now())
        notes = archive.check_device(info["device_id"], info["client"], accept_reassign)
        cursor = start = archive.cursor(info["device_id"])
        chunks = []
        got = sessions = 0
        while True:
            data, nxt = _read_chunk(watch, cursor)
            if not data:
                break
            chunks.append(data)
            got += len(data)
            sessions += _count_sessions(data)
            if progress:
                progress(got, sessions)
            cursor = nxt
        programs = []
        active = _active_program(watch)
        if active:
            programs.append(active)
        ctx = {"host_time": host_time, "device_clock": info["clock"], "uptime_s": info["uptime_s"],
               "boots": info["boots"]}
        stored = archive.store(info["device_id"], info["client"], b"".join(chunks), programs, ctx,
                               accept_reassign)
        acked = info["acked"]
        if cursor > start or cursor - 1 > acked:
            last = min(cursor - 1, info["last_closed"])
            if last > acked:
                reply = watch.call("ack", last)
                expect(reply, {"acked": int}, "ack")
                acked = reply["acked"]
        clock_set = False
        if not info["clock"] or abs(info["clock"] - int(now())) > CLOCK_TOLERANCE_S:
            watch.call("set_time", int(now()))
            clock_set = True
    return {"device": info["device_id"], "client": info["client"], "read_bytes": got, "read_sessions": sessions,
            "stored": stored, "acked": acked, "clock_set": clock_set, "clock_offset_s":
            (info["clock"] - host_time) if records.rtc_or_unset(info["clock"]) else None,
            "notes": notes + [n for n in stored["notes"] if n not in notes]}
