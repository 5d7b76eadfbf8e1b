"""One sync's bytes into the archive: every session of it in one transaction, or nothing.

Called through ``Archive.store``, and uses only the Archive's public side (its
connection's ``execute`` / ``one`` / ``transaction``, ``check_device``,
``add_any``, ``program``): it never imports the Archive back.  Every frame is decoded before anything is
written; a session already stored is compared record by record (the same
bytes: a duplicate, skipped; other bytes: ArchiveError, and the transaction
rolls back).  New sessions get their UTC start from ``sessions.place``.
A session the watch recorded before it was given to its current client
(seq below the watch's ``client_since``) is not stored under that client.
"""

import time

from runcue import records
from runcue_host.archive import logdecode as log
from runcue_host.archive.errors import ArchiveError
from runcue_host.archive.ids import check_ids


def _context(ctx):
    ctx = dict(ctx or {})
    ctx.setdefault("host_time", int(time.time()))
    ctx.setdefault("device_clock", 0)
    ctx.setdefault("uptime_s", 0)
    ctx.setdefault("boots", -1)  # unknown: no session is placed by the sync's boot
    return ctx


def store(arc, device_id, client, data, programs=(), sync_ctx=None, accept_reassign=False, client_since=1):
    """{"new", "duplicate", "skipped", "bytes", "notes", "clock_offset_s"}; ArchiveError stores nothing.

    ``data``: the watch's frames of whole sessions; ``programs``: device JSON texts
    (programs or plans) the watch holds, kept so sessions show planned segments;
    ``sync_ctx``: {"host_time", "device_clock", "uptime_s", "boots"} at the sync;
    ``client_since``: the first seq recorded for ``client``: a session below it that
    this archive lacks is skipped (its seq in "skipped"): the watch had it synced
    before it changed hands, so another client's archive holds it.
    """
    check_ids(device_id, client)
    ctx = _context(sync_ctx)
    try:
        groups = log.split(log.frames(data))
    except log.LogError as e:
        raise ArchiveError("watch %s: the synced bytes are not whole sessions (%s): nothing stored"
                           % (device_id, e)) from None
    now = ctx["host_time"]
    with arc.transaction():
        notes = arc.check_device(device_id, client, accept_reassign)
        for text in programs:
            try:
                arc.add_any(text)
            except ArchiveError as e:  # the sessions matter more than a program the watch holds
                notes.append("a program from the watch was not kept: %s" % e)
        known = arc.one("SELECT first_seen FROM devices WHERE device_id = ?", (device_id,))
        # only a client not there yet is inserted: a therapist may read their clients, never add one
        if client is not None and arc.one("SELECT 1 FROM clients WHERE code = ?", (client,)) is None:
            arc.execute("INSERT INTO clients (code, first_seen) VALUES (?, ?) ON CONFLICT (code) DO NOTHING",
                        (client, now))
        arc.execute("INSERT INTO devices (device_id, client, first_seen, last_sync) VALUES (?, ?, ?, ?)"
                   " ON CONFLICT (device_id) DO UPDATE SET client = excluded.client, last_sync = excluded.last_sync",
                   (device_id, client, now, now))
        new, duplicate, skipped = [], 0, []
        for group in sorted(groups, key=lambda g: g[0][1].seq):
            seq = group[0][1].seq
            stored = arc.execute("SELECT idx, bytes FROM raw_records WHERE device_id = ? AND seq = ? ORDER BY idx",
                                (device_id, seq)).fetchall()
            if stored:
                _same_or_fail(device_id, group, stored)
                duplicate += 1
            elif seq < client_since:
                skipped.append(seq)
            elif new and new[-1][0][1].seq == group[0][1].seq:
                _same_or_fail(device_id, group, [(i, it[2]) for i, it in enumerate(new[-1])])
                duplicate += 1
            else:
                new.append(group)
        if skipped:
            notes.append("%s on the watch %s recorded before it was given to client %s: not stored (the watch "
                         "had %s synced before)" % (_sessions_text(skipped), "was" if len(skipped) == 1 else "were",
                                                    client, "it" if len(skipped) == 1 else "them"))
        decoded = [log.decode(g, arc.program(records.id_hex(g[0][1].program_id))) for g in new]
        if decoded:
            first = decoded[0][0]["seq"]
            row = arc.one("SELECT started_at + wall_s FROM sessions WHERE device_id = ? AND seq < ?"
                           " ORDER BY seq DESC LIMIT 1", (device_id, first))
            last_end = row[0] if row else (known[0] if known else None)
            log.place([s for s, _ in decoded], ctx, last_end, notes)
        nbytes = 0
        for group, (s, segments) in zip(new, decoded, strict=True):
            _insert(arc, device_id, client, now, s, segments, group)
            nbytes += sum(len(it[2]) for it in group)
        arc.execute(
            "INSERT INTO syncs (device_id, host_time, device_clock, uptime_s, boots, new_sessions, new_bytes)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (device_id, host_time) DO UPDATE SET"
            " new_sessions = syncs.new_sessions + excluded.new_sessions,"
            " new_bytes = syncs.new_bytes + excluded.new_bytes",
            (device_id, now, ctx["device_clock"], ctx["uptime_s"], ctx["boots"], len(new), nbytes))
        arc.audit("sync", client, "%d new sessions from watch %s" % (len(new), device_id))
    offset = ctx["device_clock"] - now if ctx["device_clock"] else None
    return {"new": len(new), "duplicate": duplicate, "skipped": skipped, "bytes": nbytes, "notes": notes,
            "clock_offset_s": offset}


def _sessions_text(seqs):
    if len(seqs) == 1:
        return "session %d" % seqs[0]
    return "%d sessions (%d..%d)" % (len(seqs), seqs[0], seqs[-1])


def _same_or_fail(device_id, group, stored):
    seq = group[0][1].seq
    old = dict(stored)
    for i in range(max(len(group), len(old))):
        if i >= len(group) or bytes(old.get(i, b"")) != group[i][2]:
            raise ArchiveError("device %s session %d record %d arrived again with different bytes (%d records "
                               "stored, %d arrived): nothing from this sync was stored"
                               % (device_id, seq, i, len(old), len(group)))


def _insert(arc, device_id, client, now, s, segments, group):
    arc.execute(
        "INSERT INTO sessions (device_id, seq, client, program_id, plan_week, plan_session, started_at,"
        " started_approx, status, planned_s, done_s, wall_s, mood_before, mood_after, talk, stop_reason,"
        " logged_whole, synced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (device_id, s["seq"], client, s["program_id"], s["plan_week"], s["plan_session"], s["started_at"],
         bool(s["started_approx"]), s["status"], s["planned_s"], s["done_s"], s["wall_s"], s["mood_before"],
         s["mood_after"], s["talk"], s["stop_reason"], bool(s["logged_whole"]), now))
    for g in segments:
        arc.execute("INSERT INTO segments (device_id, seq, idx, kind, planned_ms, start_ms, done_ms, skipped)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   (device_id, s["seq"], g["idx"], g["kind"], g["planned_ms"], g["start_ms"], g["done_ms"],
                    bool(g["skipped"])))
    for idx, (rtype, _fields, raw) in enumerate(group):
        cur = arc.execute("INSERT INTO raw_records (device_id, seq, idx, rtype, bytes) VALUES (?, ?, ?, ?, ?)"
                         " ON CONFLICT (device_id, seq, idx) DO NOTHING", (device_id, s["seq"], idx, rtype, raw))
        if not cur.rowcount:  # cannot happen after the check above; never overwrite a record
            raise ArchiveError("device %s session %d record %d is stored already" % (device_id, s["seq"], idx))
