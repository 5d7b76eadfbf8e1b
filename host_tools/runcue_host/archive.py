"""The therapist's local archive: every synced session, stored exactly once.

One SQLite file (default: the per-user data dir), readable by its owner only,
WAL mode, foreign keys on.  The schema is versioned: ``MIGRATIONS`` is an ordered
list, and opening an archive applies the ones it lacks, each in its own
transaction (to add version 2, append ``(2, [...statements])``).  Queries are
plain SQL that PostgreSQL runs too (``ON CONFLICT``, no rowid, explicit types).

The watch's records are kept raw, keyed by (device id, session seq, record
index): a record that arrives again with the same bytes is skipped, with other
bytes it stops the whole store.  Sessions and segments are derived from them
(``runcue_host.sessions``) in the same transaction.
"""

import json
import os
import sqlite3
import time
from pathlib import Path

from runcue import plan as plan_mod
from runcue import program as program_mod
from runcue_host import UserError
from runcue_host.archive_schema import MIGRATIONS, SCHEMA_VERSION, SEGMENT_COLUMNS, SESSION_COLUMNS

FILE_NAME = "archive.sqlite"
MAX_CLIENT = 16
_BOOLS = ("started_approx", "logged_whole", "skipped")


class ArchiveError(UserError):
    """The archive refused (a changed record, a re-assigned watch, not an archive...)."""


def default_path():
    import platformdirs

    return Path(platformdirs.user_data_dir("runcue")) / FILE_NAME


def valid_client(code):
    """A client code as the watch takes it: 1-16 ASCII letters, digits, '-' or '_'."""
    return (isinstance(code, str) and 0 < len(code) <= MAX_CLIENT
            and all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in code))


def iso_utc(unix):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(unix))


def _create_private(path):
    """Create ``path`` (and its directory) readable by the owner only, before SQLite writes."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)  # SQLite gives its -wal and -shm files the database file's mode


class Archive:
    """An open archive; ``create=False`` refuses a missing file (read-only commands)."""

    def __init__(self, path=None, create=True):
        self.path = Path(path) if path is not None else default_path()
        if not self.path.exists():
            if not create:
                raise ArchiveError("%s: no archive there (run `runcue sync` first, or give --archive)"
                                   % self.path)
            _create_private(self.path)
        elif self.path.is_dir():
            raise ArchiveError("%s: is a directory, not an archive file" % self.path)
        fresh = self.path.stat().st_size == 0
        old = os.umask(0o077)
        self.db = sqlite3.connect(str(self.path), isolation_level=None)
        try:
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate(fresh)
            self.db.execute("PRAGMA journal_mode = WAL")  # only once it is known to be ours
        except sqlite3.DatabaseError as e:
            self.db.close()
            raise ArchiveError("%s: not a runcue archive (%s)" % (self.path, e)) from None
        except BaseException:
            self.db.close()
            raise
        finally:
            os.umask(old)
        self._programs = {}

    def close(self):
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- schema ----------------------------------------------------------------

    def _migrate(self, fresh):
        """Apply the migrations this archive lacks; ``fresh``: an empty file, made a new archive."""
        if fresh:
            self.db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY,"
                            " applied_at BIGINT NOT NULL)")
        have = self.schema_version()  # no such table: some other SQLite file, left alone
        if have > SCHEMA_VERSION:
            raise ArchiveError("%s: schema version %d is newer than this runcue knows (%d): update runcue"
                               % (self.path, have, SCHEMA_VERSION))
        for version, statements in MIGRATIONS:
            if version > have:
                with self._tx():
                    for sql in statements:
                        self.db.execute(sql)
                    self.db.execute("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                                    (version, int(time.time())))

    def schema_version(self):
        return self.db.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] or 0

    def _tx(self):
        return _Transaction(self.db)

    def _one(self, sql, args=()):
        return self.db.execute(sql, args).fetchone()

    # -- devices and clients ---------------------------------------------------

    def check_device(self, device_id, client, accept_reassign=False):
        """Notes to print before a sync stores anything; ArchiveError for a re-assigned watch."""
        _check_ids(device_id, client)
        notes = []
        row = self._one("SELECT client FROM devices WHERE device_id = ?", (device_id,))
        if row is not None and row[0] is None and client is not None:
            notes.append("watch %s is now assigned to client %s (its earlier sessions stay without a client)"
                         % (device_id, client))
        elif row is not None and row[0] != client:
            if not accept_reassign:
                raise ArchiveError(
                    "watch %s: it synced for client %s before and now says %s; if the watch was given to "
                    "another client, sync again with --accept-reassign (its earlier sessions stay with %s)"
                    % (device_id, row[0] or "(none)", client or "(none)", row[0] or "(none)"))
            notes.append("watch %s moves from client %s to %s" % (device_id, row[0] or "(none)",
                                                                   client or "(none)"))
        if client is not None and (row is None or row[0] != client):
            others = [r[0] for r in self.db.execute(
                "SELECT device_id FROM devices WHERE client = ? AND device_id <> ? ORDER BY device_id",
                (client, device_id))]
            if others:
                notes.append("client %s now also syncs from watch %s (before: %s)"
                             % (client, device_id, ", ".join(others)))
        return notes

    def cursor(self, device_id):
        """The next session seq to read from the watch: 1 + the highest stored, or 1."""
        row = self._one("SELECT MAX(seq) FROM sessions WHERE device_id = ?", (device_id,))
        return (row[0] or 0) + 1

    def clients(self):
        return [r[0] for r in self.db.execute("SELECT code FROM clients ORDER BY code")]

    # -- programs and plans ----------------------------------------------------

    def add_program(self, json_text):
        """Keep a program (device JSON) so sessions can show its segments; its id."""
        with self._tx():
            return self._add_program(_parse(program_mod.loads, json_text))

    def add_plan(self, json_text):
        """Keep a plan (device JSON) and its programs; its id."""
        with self._tx():
            return self._add_plan(_parse(plan_mod.loads, json_text))

    def _add_any(self, json_text):
        """Keep a program or a plan (a plan has "sessions"); its id."""
        try:
            obj = json.loads(json_text)
        except ValueError:
            raise ArchiveError("program: not valid JSON") from None
        if isinstance(obj, dict) and "sessions" in obj:
            return self._add_plan(_parse(plan_mod.loads, json_text))
        return self._add_program(_parse(program_mod.loads, json_text))

    def _add_program(self, prog):
        pid = prog.id()
        cur = self.db.execute(
            "INSERT INTO programs (id, name, total_ms, run_ms, json) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO NOTHING", (pid, prog.name, prog.total_ms, prog.run_ms, prog.to_json()))
        if cur.rowcount:
            self._programs.pop(pid, None)
            self._fill_planned(pid, prog)
        return pid

    def _add_plan(self, plan):
        pid = plan.id()
        cur = self.db.execute("INSERT INTO plans (id, name, per_week, json) VALUES (?, ?, ?, ?)"
                              " ON CONFLICT (id) DO NOTHING", (pid, plan.name, plan.per_week, plan.to_json()))
        if cur.rowcount:
            for pos, (week, prog) in enumerate(plan.sessions):
                self.db.execute("INSERT INTO plan_programs (plan_id, pos, week, program_id) VALUES (?, ?, ?, ?)",
                                (pid, pos, week, self._add_program(prog)))
        return pid

    def _fill_planned(self, pid, prog):
        """A program learnt after its sessions: their planned totals and segment kinds."""
        exp = prog.expand()
        self.db.execute("UPDATE sessions SET planned_s = ? WHERE program_id = ? AND planned_s IS NULL",
                        (prog.total_ms // 1000, pid))
        for i in range(exp.n):
            self.db.execute(
                "UPDATE segments SET kind = ?, planned_ms = ? WHERE idx = ? AND kind IS NULL AND"
                " EXISTS (SELECT 1 FROM sessions s WHERE s.device_id = segments.device_id"
                " AND s.seq = segments.seq AND s.program_id = ?)",
                (program_mod.KINDS[exp.kind[i]], exp.duration_ms(i), i, pid))

    def program(self, pid):
        """The stored Program of id ``pid``, or None."""
        if pid not in self._programs:
            row = self._one("SELECT json FROM programs WHERE id = ?", (pid,))
            self._programs[pid] = program_mod.loads(row[0]) if row else None
        return self._programs[pid]

    def plans(self):
        """[{"id", "name", "per_week", "program_ids"}] of every stored plan."""
        out = []
        for pid, name, per_week in self.db.execute("SELECT id, name, per_week FROM plans ORDER BY id").fetchall():
            ids = {r[0] for r in self.db.execute("SELECT program_id FROM plan_programs WHERE plan_id = ?", (pid,))}
            out.append({"id": pid, "name": name, "per_week": per_week, "program_ids": ids})
        return out

    # -- storing a sync ---------------------------------------------------------

    def store(self, device_id, client, session_bytes, programs=(), sync_ctx=None, accept_reassign=False,
              client_since=1):
        """Store whole sessions from the watch in one transaction (see ``archive_store``)."""
        from runcue_host import archive_store

        return archive_store.store(self, device_id, client, session_bytes, programs, sync_ctx, accept_reassign,
                                   client_since)

    # -- reading ---------------------------------------------------------------

    def sessions(self, client=None):
        """The `runcue sessions --json` list, oldest first."""
        return [{"device": s["device_id"], "client": s["client"], "seq": s["seq"],
                 "program_id": s["program_id"], "started_at": iso_utc(s["started_at"]),
                 "status": s["status"], "planned_s": s["planned_s"], "done_s": s["done_s"]}
                for s in self.session_rows(client)]

    def raw_session(self, device_id, seq):
        """The stored frames of one session, as the watch sent them."""
        return b"".join(bytes(r[0]) for r in self.db.execute(
            "SELECT bytes FROM raw_records WHERE device_id = ? AND seq = ? ORDER BY idx", (device_id, seq)))

    def session_rows(self, client=None):
        """Every column of each session (client ``None``: all clients), oldest first."""
        return self._rows("sessions", SESSION_COLUMNS, client, "s.started_at, s.device_id, s.seq")

    def segment_rows(self, client=None):
        return self._rows("segments", SEGMENT_COLUMNS, client, "s.started_at, t.device_id, t.seq, t.idx")

    def _rows(self, table, columns, client, order):
        alias = "s" if table == "sessions" else "t"
        sql = "SELECT %s FROM %s %s" % (", ".join(alias + "." + c for c in columns), table, alias)
        if table != "sessions":
            sql += " JOIN sessions s ON s.device_id = t.device_id AND s.seq = t.seq"
        args = ()
        if client is not None:
            sql += " WHERE s.client = ?"
            args = (client,)
        out = []
        for row in self.db.execute(sql + " ORDER BY " + order, args):
            d = dict(zip(columns, row, strict=True))
            for key in _BOOLS:
                if key in d:
                    d[key] = bool(d[key])
            out.append(d)
        return out


def _parse(loads, json_text):
    try:
        return loads(json_text)
    except program_mod.ProgramError as e:
        raise ArchiveError(str(e)) from None


def _check_ids(device_id, client):
    if not (isinstance(device_id, str) and len(device_id) == 16 and all(c in "0123456789abcdef" for c in device_id)):
        raise ArchiveError("device id %r: not 16 hex digits" % (device_id,))
    if client is not None and not valid_client(client):
        raise ArchiveError("client %r: a client code is 1-%d letters, digits, '-' or '_'" % (client, MAX_CLIENT))


class _Transaction:
    """BEGIN .. COMMIT, or ROLLBACK on any exception; nests as one transaction."""

    def __init__(self, db):
        self.db = db
        self.outer = False

    def __enter__(self):
        self.outer = not self.db.in_transaction
        if self.outer:
            self.db.execute("BEGIN")
        return self.db

    def __exit__(self, exc_type, *_):
        if self.outer:
            self.db.execute("ROLLBACK" if exc_type else "COMMIT")
        return False
