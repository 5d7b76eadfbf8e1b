"""`runcue archive copy`: one archive's sessions into another, either engine to either, exactly once.

A therapist's SQLite file moves into the practice's PostgreSQL archive (or a
practice's archive out to a file) table by table (``schema.COPIED``: clients,
watches, syncs, programs, plans, sessions, segments and the watch's raw
records; not the practice's therapists, assignments or audit log), in one
transaction of the destination: all of it or nothing.  A row whose key the
destination holds already is left as it is, so a second copy adds nothing;
a raw record there with other bytes, or a watch there that belongs to another
client, stops the copy with nothing copied.  Every device id and client code
is checked on the way in.  On PostgreSQL the copy is in the audit log at both
ends (one row per client).
"""

from runcue_host.archive.db import Archive
from runcue_host.archive.errors import ArchiveError
from runcue_host.archive.ids import check_ids, valid_client
from runcue_host.archive.schema import BOOL_COLUMNS, COPIED


def _rows(src, table, columns, key):
    rows = src.execute("SELECT %s FROM %s ORDER BY %s" % (", ".join(columns), table, ", ".join(key))).fetchall()
    flags = [i for i, c in enumerate(columns) if c in BOOL_COLUMNS]
    out = []
    for row in rows:
        row = list(row)
        for i in flags:
            row[i] = bool(row[i])
        if table == "raw_records":
            row[-1] = bytes(row[-1])
        out.append(tuple(row))
    return out


def _check(source, table, columns, rows):
    """ArchiveError for a device id or client code in ``rows`` that is no such thing."""
    for name in ("device_id", "client", "code"):
        if name not in columns:
            continue
        i = columns.index(name)
        for row in rows:
            if name == "device_id":
                check_ids(row[i], None)
            elif row[i] is not None and not valid_client(row[i]):
                raise ArchiveError("%s: %s holds client code %r, which is no client code: nothing copied"
                                   % (source.path, table, row[i]))


def _conflicts(source, dest, tables):
    """ArchiveError for a watch of another client, or a raw record with other bytes, in ``dest``."""
    held = {r[0]: r[1] for r in dest.execute("SELECT device_id, client FROM devices")}
    for device, client in ((r[0], r[1]) for r in tables["devices"]):
        if device in held and held[device] != client:
            raise ArchiveError("watch %s belongs to client %s in %s and to %s in %s: nothing copied"
                               % (device, held[device] or "(none)", dest.path, client or "(none)", source.path))
    stored = {}
    for device in {r[0] for r in tables["raw_records"]} & set(held):
        for seq, idx, raw in dest.execute("SELECT seq, idx, bytes FROM raw_records WHERE device_id = ?", (device,)):
            stored[(device, seq, idx)] = bytes(raw)
    for device, seq, idx, _rtype, raw in tables["raw_records"]:
        if stored.get((device, seq, idx), raw) != raw:
            raise ArchiveError("device %s session %d record %d: other bytes in %s than in %s: nothing copied"
                               % (device, seq, idx, dest.path, source.path))


def copy(source_target, dest_target):
    """{table: rows added, "where": the destination as messages name it} copying ``source_target``
    into ``dest_target`` (paths or URLs)."""
    with Archive(source_target, create=False, read_only=True) as src, Archive(dest_target) as dst:
        if (src.engine, str(src.path)) == (dst.engine, str(dst.path)):
            raise ArchiveError("%s: the source and the destination are one archive" % src.path)
        tables = {}
        for table, columns, key in COPIED:
            tables[table] = _rows(src, table, columns, key)
            _check(src, table, columns, tables[table])
        added = {}
        with dst.transaction():
            _conflicts(src, dst, tables)
            for table, columns, key in COPIED:
                before = dst.one("SELECT COUNT(*) FROM %s" % table)[0]
                dst.executemany("INSERT INTO %s (%s) VALUES (%s) ON CONFLICT (%s) DO NOTHING"
                                % (table, ", ".join(columns), ", ".join("?" * len(columns)), ", ".join(key)),
                                tables[table])
                added[table] = dst.one("SELECT COUNT(*) FROM %s" % table)[0] - before
            clients = sorted({r[0] for r in tables["clients"]})
            for code in clients:
                dst.audit("copy-in", code, "from %s" % src.path)
        for code in clients:
            src.audit("copy-out", code, "to %s" % dst.path)
    return dict(added, where=str(dst.path))
