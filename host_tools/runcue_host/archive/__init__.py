"""The therapist's local archive: every synced session, stored exactly once.

One SQLite file (default: the per-user data dir), readable by its owner only
(the file and its -wal/-shm are made 0600 at every open), WAL mode, foreign
keys on.  An archive that is a symlink is refused: give its real path.

Opening for writing (sync, push) runs ``PRAGMA quick_check`` first, then
applies the migrations the archive lacks: ``MIGRATIONS`` is an ordered list,
each applied in its own ``BEGIN IMMEDIATE`` transaction that checks the version
again, so two runcues creating or upgrading one archive at once both succeed
(the second waits, then finds the work done).  Opening read-only (sessions,
report, export) migrates nothing and switches nothing, so an archive on
read-only media can still be read; one that needs a migration is refused,
saying so.  Queries are plain SQL that PostgreSQL runs too (``ON CONFLICT``, no
rowid, explicit types).

Every write is a ``BEGIN IMMEDIATE`` transaction; a writer waits up to
``BUSY_TIMEOUT_S`` for another.  SQLite's errors leave as an ArchiveError that
says what happened (in use, disk full, read-only, I/O error, damaged, not an
archive), from a transaction, from opening, and from inside ``with Archive()``.

The watch's records are kept raw, keyed by (device id, session seq, record
index): a record that arrives again with the same bytes is skipped, with other
bytes it stops the whole store.  Sessions and segments are derived from them
(``runcue_host.archive.logdecode``) in the same transaction.
"""

import contextlib
import json
import os
import sqlite3
import stat
import time
import urllib.parse
from pathlib import Path

from runcue import plan as plan_mod
from runcue import program as program_mod
from runcue.syncsvc import CLIENT_RULE, valid_client
from runcue_host import UserError, private_files
from runcue_host.archive.schema import MIGRATIONS, SCHEMA_VERSION, SEGMENT_COLUMNS, SESSION_COLUMNS
from runcue_host.timetext import iso_utc

FILE_NAME = "archive.sqlite"
BUSY_TIMEOUT_S = 5.0  # a sync's transaction takes well under a second
_BOOLS = ("started_approx", "logged_whole", "skipped")
_SIDE_FILES = ("-wal", "-shm")

# what an SQLite result code (its low byte) means for the archive
_SQLITE_MEANING = {
    sqlite3.SQLITE_BUSY: "the archive is in use by another runcue (a sync?): try again when it has finished",
    sqlite3.SQLITE_LOCKED: "the archive is in use by another runcue (a sync?): try again when it has finished",
    sqlite3.SQLITE_FULL: "disk full: nothing of this change was stored (the archive is as it was);"
                         " free some space and try again",
    sqlite3.SQLITE_READONLY: "the archive cannot be written (a read-only file or disk): it can still be read"
                             " (sessions, report, export)",
    sqlite3.SQLITE_IOERR: "I/O error (a failing disk or a removed drive?): nothing of this change was stored;"
                          " check the disk, and restore the archive from a backup if this happens again",
    sqlite3.SQLITE_CORRUPT: "the archive is damaged (%(error)s): restore it from a backup;"
                            " `sqlite3 %(path)s .recover > saved.sql` may save what is left",
    sqlite3.SQLITE_NOTADB: "not a runcue archive (%(error)s)",
    sqlite3.SQLITE_CANTOPEN: "cannot open the archive file (%(error)s): check that its directory exists"
                             " and that you may read and write there",
    sqlite3.SQLITE_PERM: "permission denied",
}


class ArchiveError(UserError):
    """The archive refused (a changed record, a re-assigned watch, not an archive...)."""


def default_path():
    import platformdirs

    return Path(platformdirs.user_data_dir("runcue")) / FILE_NAME


def watch_label(device_id):
    """A watch as people name it: the last 4 of its 16 hex digits ("…3f2a"); the full id is in --json."""
    return "…" + device_id[-4:]


def explain(path, err):
    """The ArchiveError saying what an sqlite3 error means for the archive at ``path``;
    ``err`` itself when it is no fault of the file (a bug keeps its traceback)."""
    code = getattr(err, "sqlite_errorcode", None)
    meaning = _SQLITE_MEANING.get(code & 0xFF) if code is not None else None
    if meaning is None:
        return err
    return ArchiveError("%s: %s" % (path, meaning % {"error": err, "path": path}))


def _create_private(path):
    """Create ``path`` (and its directory) readable by the owner only, before SQLite writes."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=private_files.DIR_MODE)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC, private_files.FILE_MODE)
    os.close(fd)


class Archive:
    """An open archive; ``create=False`` refuses a missing file; ``read_only`` opens it
    for reading only (no migration, nothing written; implies ``create=False``)."""

    def __init__(self, path=None, create=True, read_only=False):
        self.path = Path(path) if path is not None else default_path()
        self.read_only = read_only
        self._programs = {}
        self._check_file(create and not read_only)
        try:
            if not read_only and private_files.read_only_fs(self.path):
                raise ArchiveError("%s: read-only file system: the archive can be read (sessions, report, export)"
                                   " but not written; copy it to a writable disk to sync into it" % self.path)
            self._make_private()
            self.db = self._open_read() if read_only else self._open_write()
        except OSError as e:
            raise ArchiveError("%s: %s" % (self.path, private_files.reason(e))) from None

    def _check_file(self, create):
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            if not create:
                raise ArchiveError("%s: no archive there (run `runcue sync` first, or give --archive)"
                                   % self.path) from None
            try:
                _create_private(self.path)
            except OSError as e:
                raise ArchiveError("%s: cannot create the archive: %s" % (self.path, private_files.reason(e))) from None
            return
        except OSError as e:
            raise ArchiveError("%s: %s" % (self.path, private_files.reason(e))) from None
        if stat.S_ISLNK(st.st_mode):
            raise ArchiveError("%s: is a symlink: give the archive's real path (runcue never writes through"
                               " a symlink)" % self.path)
        if stat.S_ISDIR(st.st_mode):
            raise ArchiveError("%s: is a directory, not an archive file" % self.path)
        if not stat.S_ISREG(st.st_mode):
            raise ArchiveError("%s: not a regular file, so not an archive" % self.path)

    def _make_private(self):
        """0600 for the archive and its -wal/-shm, whatever made them (SQLite copies the mode)."""
        for name in ("",) + _SIDE_FILES:
            try:
                private_files.make_private(str(self.path) + name)
            except OSError:
                if not self.read_only:  # reading: a read-only disk or another's copy is still read
                    raise

    def _open_write(self):
        db = None
        old = os.umask(0o077)  # SQLite makes the -wal and -shm: owner-only, whatever the umask
        try:
            db = self.db = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
            db.execute("PRAGMA foreign_keys = ON")
            self._check_whole()
            self._migrate()
            db.execute("PRAGMA journal_mode = WAL")  # only once it is known to be ours
            return db
        except BaseException as e:
            if db is not None:
                db.close()
            if isinstance(e, sqlite3.Error):
                raise explain(self.path, e) from None
            raise
        finally:
            os.umask(old)

    def _open_read(self):
        """A read-only connection; on read-only media a WAL archive opens as immutable."""
        uri = "file:%s?mode=ro" % urllib.parse.quote(os.path.abspath(self.path))
        for attempt in (uri, uri + "&immutable=1"):
            db = None
            try:
                db = self.db = sqlite3.connect(attempt, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
                self._check_version(self._stored_version())
                return db
            except BaseException as e:
                if db is not None:
                    db.close()
                if not isinstance(e, sqlite3.Error):
                    raise
                # a WAL archive wants its -shm, which a read-only disk cannot hold: nothing can change there
                if (attempt == uri and e.sqlite_errorcode & 0xFF == sqlite3.SQLITE_CANTOPEN
                        and private_files.read_only_fs(self.path)):
                    continue
                raise explain(self.path, e) from None
        raise AssertionError("unreachable: the immutable attempt returns or raises")

    def close(self):
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()
        if isinstance(exc, sqlite3.Error):
            raise explain(self.path, exc) from None
        return False

    # -- schema ----------------------------------------------------------------

    def _check_whole(self):
        """ArchiveError for a damaged archive, before anything is written into it."""
        rows = [r[0] for r in self.db.execute("PRAGMA quick_check")]
        if rows != ["ok"]:
            meaning = _SQLITE_MEANING[sqlite3.SQLITE_CORRUPT] % {"error": "; ".join(rows[:3]), "path": self.path}
            raise ArchiveError("%s: %s" % (self.path, meaning))

    def _tables(self):
        return {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def _stored_version(self):
        """The archive's schema version; None for an empty database; ArchiveError for another program's."""
        tables = self._tables()
        if not tables:
            return None
        if "schema_version" not in tables:
            raise ArchiveError("%s: not a runcue archive (no such table: schema_version)" % self.path)
        return self.schema_version()

    def _check_version(self, have):
        """ArchiveError unless this runcue can use an archive of version ``have`` (None: empty) as opened."""
        if have is None:
            if self.read_only:
                raise ArchiveError("%s: an empty archive: no sync has stored anything in it yet" % self.path)
            return
        if have > SCHEMA_VERSION:
            raise ArchiveError("%s: schema version %d is newer than this runcue knows (%d): update runcue"
                               % (self.path, have, SCHEMA_VERSION))
        if self.read_only and have < SCHEMA_VERSION:
            raise ArchiveError("%s: needs an upgrade to schema version %d (it has %d), which only a command that"
                               " writes does (e.g. `runcue sync`); this command only reads"
                               % (self.path, SCHEMA_VERSION, have))

    def _migrate(self):
        """Apply the migrations this archive lacks; an empty file becomes a new archive."""
        have = self._stored_version()
        self._check_version(have)
        if have == SCHEMA_VERSION:
            return  # the usual case: no write lock taken
        if have is None:
            with self._tx():  # another runcue creating it at the same time: one waits, then finds it made
                if not self._tables():
                    self.db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY,"
                                    " applied_at BIGINT NOT NULL)")
            self._check_version(self._stored_version())
        for version, statements in MIGRATIONS:
            with self._tx():
                if version > self.schema_version():  # checked again inside: the other may have done it
                    for sql in statements:
                        self.db.execute(sql)
                    self.db.execute("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                                    (version, int(time.time())))

    def schema_version(self):
        return self.db.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] or 0

    def _tx(self):
        return _Transaction(self.db, self.path)

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
        from runcue_host.archive import store as archive_store

        return archive_store.store(self, device_id, client, session_bytes, programs, sync_ctx, accept_reassign,
                                   client_since)

    # -- reading ---------------------------------------------------------------

    def sessions(self, client=None):
        """The `runcue sessions --json` list, oldest first (the design's keys, then the check-in's)."""
        return [{"device": s["device_id"], "client": s["client"], "seq": s["seq"],
                 "program_id": s["program_id"], "started_at": iso_utc(s["started_at"]),
                 "status": s["status"], "planned_s": s["planned_s"], "done_s": s["done_s"],
                 "started_approx": s["started_approx"], "stop_reason": s["stop_reason"],
                 "mood_before": s["mood_before"], "mood_after": s["mood_after"], "talk": s["talk"]}
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
        raise ArchiveError("client %r: %s" % (client, CLIENT_RULE))


class _Transaction:
    """BEGIN IMMEDIATE .. COMMIT, or ROLLBACK on any exception; nests as one transaction.

    IMMEDIATE takes the write lock at the start, so a second writer waits (the busy
    timeout) instead of failing when it first writes; an SQLite error, even at COMMIT
    (a full disk), rolls back and leaves as the ArchiveError saying what happened.
    """

    def __init__(self, db, path):
        self.db = db
        self.path = path
        self.outer = False

    def __enter__(self):
        self.outer = not self.db.in_transaction
        if self.outer:
            try:
                self.db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as e:
                raise explain(self.path, e) from None
        return self.db

    def __exit__(self, exc_type, exc, tb):
        if not self.outer:
            return False
        if exc_type is None:
            try:
                self.db.execute("COMMIT")
                return False
            except sqlite3.Error as e:
                exc = e
        if self.db.in_transaction:  # SQLite may have rolled back already
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise explain(self.path, exc) from None
        return False
