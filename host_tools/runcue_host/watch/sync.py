"""`runcue sync`: only new sessions, checked, stored once, then the watch may free them.

The order is what makes a broken sync harmless: read (the watch changes
nothing), store in one transaction, and only then ack, after which the watch
trims.  Killed anywhere, the next sync reads again from the archive's cursor
or the watch's ack mark, whichever is lower; a session already stored
arrives with the same bytes and is skipped.

What the watch may free is what this sync read and the archive now holds:
the ack is the end of that run, never a seq taken from the archive alone.
Every session in a read reply must lie in the range asked for, so one bad
reply cannot make the host free what it never read; a watch that numbers its
sessions below what the archive holds (its flash restored from an older copy)
stops the sync before anything is stored or freed.  The read loop and the
whole sync are bounded by the size of the watch's log.
"""

import time
from binascii import a2b_base64, crc32

from runcue.syncsvc import MAX_COUNT
from runcue_host import UserError
from runcue_host.archive import Archive, logdecode
from runcue_host.watch.device import clock_offset
from runcue_host.watch.link import LinkError, Watch, expect, in_range

CHUNK_BYTES = 4096  # per read call: a few sessions; whole sessions always
CLOCK_TOLERANCE_S = 2
SYNC_BASE_S = 60  # s: the whole sync ends within this plus the time its log needs
SYNC_BYTES_PER_S = 1024  # of log: slower than the slowest link (a 115200-baud bridge moves ~8 KB/s)
SPARE_CHUNKS = 3  # read calls beyond what the log's size can need (the last, empty, one among them)


def _read_chunk(watch, cursor, below):
    """(frames, seqs, next) of one read from ``cursor``: whole sessions, their seqs increasing, each
    in cursor..next-1, and next <= ``below`` (the watch's next_seq); else LinkError."""
    reply = watch.call("read", cursor, CHUNK_BYTES)
    expect(reply, {"data": str, "crc": int, "bytes": int, "next": int}, "read")
    in_range(reply, "crc", 0, 0xFFFFFFFF, "read")
    in_range(reply, "bytes", 0, MAX_COUNT, "read")
    in_range(reply, "next", 1, MAX_COUNT, "read")
    try:
        data = a2b_base64(reply["data"])
    except ValueError:
        raise LinkError("read: the watch sent bad base64") from None
    if len(data) != reply["bytes"] or crc32(data) != reply["crc"]:
        raise LinkError("read from session %d: CRC mismatch (the link garbled data); sync again" % cursor)
    nxt = reply["next"]
    if nxt < cursor or (data and nxt == cursor) or nxt > max(below, cursor):
        raise LinkError("read: the watch's cursor went from %d to %d (it numbers sessions below %d)"
                        % (cursor, nxt, below))
    try:
        seqs = [group[0][1].seq for group in logdecode.split(logdecode.frames(data))]
    except logdecode.LogError as e:
        raise LinkError("read from session %d: the watch sent no whole sessions (%s)" % (cursor, e)) from None
    low = cursor
    for seq in seqs:
        if not low <= seq < nxt:
            raise LinkError("read from session %d: the watch sent session %d, outside %d..%d or out of order: "
                            "nothing was stored or freed" % (cursor, seq, low, nxt - 1))
        low = seq + 1
    return data, seqs, nxt


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


def _check_numbering(info, held):
    """Stop before anything is stored when the watch numbers its sessions below the archive's."""
    if info["next_seq"] - 1 < held:
        raise UserError(
            "watch %s numbers its sessions only up to %d, but this archive holds its sessions up to %d: was its "
            "flash restored from an older copy? Nothing was stored or freed and its sessions stay on the watch; "
            "to keep them, sync it into a separate archive (--archive)"
            % (info["device_id"], info["next_seq"] - 1, held))


def _ack_point(read, skipped, acked, last_closed):
    """The highest seq the watch may free: the end of the run of sessions this sync read that the
    archive now holds (a session it does not hold ends the run, unless the watch freed it already)."""
    last = acked
    for seq in read:  # increasing
        if seq not in skipped:
            last = seq
        elif seq > acked:
            break
    return min(last, last_closed)


def sync(port, archive, progress=None, accept_reassign=False, now=time.time, deadline_s=None):
    """One sync; a summary dict.  ``progress(bytes, sessions, log_bytes)`` is told before the first read
    and as data arrives: ``log_bytes`` (the watch's whole log) is the most this sync can read.

    ``deadline_s``: the whole sync's time limit (default: by the size of the watch's log).
    """
    with Watch(port, deadline_s) as watch:
        info = watch.info()
        if deadline_s is None:
            watch.limit(SYNC_BASE_S + info["log_bytes"] // SYNC_BYTES_PER_S)
        host_time = int(now())
        device = info["device_id"]
        notes = archive.check_device(device, info["client"], accept_reassign)
        held = archive.cursor(device) - 1
        _check_numbering(info, held)
        cursor = min(held, info["acked"]) + 1  # a session stored by a sync whose ack was lost is read again
        chunks, read = [], []
        got = 0
        calls = 2 * info["log_bytes"] // CHUNK_BYTES + SPARE_CHUNKS  # two reads at most hold a chunk's worth
        if progress:
            progress(0, 0, info["log_bytes"])
        while True:
            if not calls:
                raise LinkError("read: the watch sent more chunks than its log of %d bytes can hold: "
                                "nothing was stored or freed" % info["log_bytes"])
            calls -= 1
            data, seqs, cursor = _read_chunk(watch, cursor, info["next_seq"])
            if not data:
                break
            got += len(data)
            if got > info["log_bytes"]:
                raise LinkError("read: the watch sent more than its log of %d bytes: nothing was stored or freed"
                                % info["log_bytes"])
            chunks.append(data)
            read += seqs
            if progress:
                progress(got, len(read), info["log_bytes"])
        programs = []
        active = _active_program(watch)
        if active:
            programs.append(active)
        ctx = {"host_time": host_time, "device_clock": info["clock"], "uptime_s": info["uptime_s"],
               "boots": info["boots"]}
        stored = archive.store(device, info["client"], b"".join(chunks), programs, ctx, accept_reassign,
                               client_since=info["client_since"])
        notes += [n for n in stored["notes"] if n not in notes]
        acked = info["acked"]
        last = _ack_point(read, set(stored["skipped"]), acked, info["last_closed"])
        if last > acked:
            reply = watch.call("ack", last)
            expect(reply, {"acked": int}, "ack")
            in_range(reply, "acked", 0, MAX_COUNT, "ack")
            acked = reply["acked"]
        clock_set = False
        if not info["clock"] or abs(info["clock"] - int(now())) > CLOCK_TOLERANCE_S:
            watch.call("set_time", int(now()))
            clock_set = True
    return {"device": device, "client": info["client"], "read_bytes": got, "read_sessions": len(read),
            "stored": stored, "acked": acked, "clock_set": clock_set,
            "clock_offset_s": clock_offset(info["clock"], host_time),
            "notes": notes + [n for n in stored["notes"] if n not in notes]}


def sync_archive(port, archive_path=None, progress=None, accept_reassign=False):
    """:func:`sync` into the archive at ``archive_path`` (default: the user's), opened and closed here."""
    with Archive(archive_path) as archive:
        return sync(port, archive, progress=progress, accept_reassign=accept_reassign)
