"""The Archive: an open archive of every synced session, on SQLite (a file) or PostgreSQL.

``Archive(target)`` opens the engine the target names (``sqlite_file`` for a
path, ``postgres`` for a libpq URL; default: ``RUNCUE_ARCHIVE``, else the
per-user SQLite file; the engines own connecting, their transactions and what
their errors mean) and then checks the schema: opening for writing (sync, push) applies the
migrations the archive lacks (``schema.MIGRATIONS``, an ordered list, each in
its own write transaction that checks the version again, so two runcues
creating or upgrading one archive at once both succeed: the second waits, then
finds the work done).  Opening read-only (sessions, report, export) migrates
nothing, so an archive on read-only media can still be read; one that needs a
migration is refused, saying so.

Besides devices, clients, programs and the reading queries, the Archive offers
its connection to the modules built on it: ``execute`` / ``one`` (``?``
placeholders, SQL both engines run: see ``dialect``) and ``transaction``.
Storing a sync is ``store`` (the rules are in ``runcue_host.archive.store``).

On PostgreSQL every access to a client's data appends to the audit log
(``audit``): a sync or assignment in its own transaction, a read once per
client per open archive, from ``session_rows`` (every reading command starts
there).  Connected as a therapist, the database shows only their clients
(``security``); a sync for a watch whose client is not theirs is refused here
first, saying so, before the database would refuse it.
"""

import getpass
import json
import os
import sys
import time

from runcue import plan as plan_mod
from runcue import program as program_mod
from runcue_host.archive import schema
from runcue_host.archive import store as store_mod
from runcue_host.archive.dialect import is_url
from runcue_host.archive.errors import ArchiveError
from runcue_host.archive.ids import check_ids
from runcue_host.archive.security import ADMIN_ROLE, THERAPIST_ROLE
from runcue_host.archive.sqlite_file import SqliteFile, default_path
from runcue_host.timetext import iso_utc

ENV_VAR = "RUNCUE_ARCHIVE"


def default_target():
    """The archive when none is given: ``RUNCUE_ARCHIVE`` (a path or a URL), else the per-user file."""
    return os.environ.get(ENV_VAR) or default_path()


def _command_line():
    """How the audit log names the command: the program and its subcommands, no options or values."""
    words = [os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "python"]
    for arg in sys.argv[1:3]:
        if arg.startswith("-"):
            break
        words.append(arg)
    return " ".join(words)[:80]


class Archive:
    """An open archive; ``create=False`` refuses a missing file; ``read_only`` opens it
    for reading only (no migration, nothing written; implies ``create=False``)."""

    def __init__(self, path=None, create=True, read_only=False, command=None):
        self.read_only = read_only
        self.command = command or _command_line()
        self._programs = {}
        self._read = set()  # clients whose reading is in the audit log already
        self._audits = False
        target = path if path is not None else default_target()
        if is_url(str(target)):
            from runcue_host.archive.postgres import PostgresDb  # psycopg only for a practice's archive

            self.conn = PostgresDb(str(target), create, read_only, self._prepare)
        else:
            self.conn = SqliteFile(target, create, read_only, self._prepare)
        self.path = self.conn.where  # how messages name the archive
        self.engine = self.conn.dialect.name

    @property
    def db(self):
        """The engine's own connection (sqlite3 or psycopg), for tests and benches."""
        return self.conn.db

    def close(self):
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()
        if isinstance(exc, self.conn.Error):
            raise self.conn.explain(exc) from None
        return False

    # -- the connection, for the modules built on the archive -------------------

    def execute(self, sql, args=()):
        """A cursor over ``sql`` (``?`` placeholders) run with ``args``."""
        return self.conn.execute(sql, args)

    def executemany(self, sql, rows):
        """``sql`` once per row of ``rows`` (in one round of the engine where it can)."""
        self.conn.executemany(sql, rows)

    def one(self, sql, args=()):
        """The first row of ``sql``, or None."""
        return self.conn.execute(sql, args).fetchone()

    def transaction(self):
        """A write transaction (commit at the end, roll back on any exception; nests as one)."""
        return self.conn.transaction()

    # -- who is connected, and the audit log --------------------------------------

    def is_member(self, role):
        """Whether the connected user is ``role`` or its member (an SQLite file has no roles: False)."""
        return self.conn.is_member(role)

    def audit(self, event, client, detail=""):
        """Append to the audit log (PostgreSQL; an SQLite file is one person's, its writes are the syncs)."""
        if not self._audits:
            return
        on_behalf = os.environ.get("RUNCUE_ON_BEHALF") or getpass.getuser()
        row = (int(time.time()), event, client, self.conn.user(), on_behalf[:63], self.command, detail[:200])
        self.execute("INSERT INTO audit_log (%s) VALUES (%s)" % (", ".join(schema.AUDIT_COLUMNS),
                                                                  ", ".join("?" * len(schema.AUDIT_COLUMNS))), row)

    def _check_may_store(self, client):
        """ArchiveError unless the connected user may store sessions of ``client`` (a therapist:
        only their own clients; the database refuses the rest too, this says why)."""
        if not self.is_member(THERAPIST_ROLE) or self.is_member(ADMIN_ROLE):
            return
        row = self.one("SELECT therapist FROM clients WHERE code = ?", (client,)) if client else None
        if row is None:
            if not self.conn.in_transaction():  # a refusal inside a sync's transaction leaves with it
                self.audit("sync-refused", client, "not this therapist's client")
            raise ArchiveError("%s: %s is not one of your clients (you are %s): nothing stored; the practice's"
                               " admin assigns clients (runcue clinic assign)"
                               % (self.path, "client %s" % client if client else "a watch with no client",
                                  self.conn.user()))

    # -- schema ----------------------------------------------------------------

    def _prepare(self, conn):
        """Once connected: check the version; for writing, bring the schema up to date."""
        self.conn = conn
        if self.read_only:
            self._check_version(self._stored_version())
        else:
            self._migrate()
        self._audits = conn.dialect.audited and "audit_log" in conn.tables()

    def _stored_version(self):
        """The archive's schema version; None for an empty database; ArchiveError for another program's."""
        tables = self.conn.tables()
        if not tables:
            return None
        if "schema_version" not in tables:
            raise ArchiveError("%s: not a runcue archive (no such table: schema_version)" % self.conn.where)
        return self.schema_version()

    def _check_version(self, have):
        """ArchiveError unless this runcue can use an archive of version ``have`` (None: empty) as opened."""
        where = self.conn.where
        if have is None:
            if self.read_only:
                raise ArchiveError("%s: an empty archive: no sync has stored anything in it yet" % where)
            return
        if have > schema.SCHEMA_VERSION:
            raise ArchiveError("%s: schema version %d is newer than this runcue knows (%d): update runcue"
                               % (where, have, schema.SCHEMA_VERSION))
        if self.read_only and have < schema.SCHEMA_VERSION:
            raise ArchiveError("%s: needs an upgrade to schema version %d (it has %d), which only a command that"
                               " writes does (e.g. `runcue sync`); this command only reads"
                               % (where, schema.SCHEMA_VERSION, have))

    def _migrate(self):
        """Apply the migrations this archive lacks; an empty database becomes a new archive."""
        have = self._stored_version()
        self._check_version(have)
        if have == schema.SCHEMA_VERSION:
            return  # the usual case: no write lock taken
        if have is None:
            with self.transaction():  # another runcue creating it at the same time: one waits, then finds it made
                if not self.conn.tables():
                    self.execute("CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY,"
                                 " applied_at BIGINT NOT NULL)")
            self._check_version(self._stored_version())
        for version, statements in schema.MIGRATIONS:
            with self.transaction():
                if version > self.schema_version():  # checked again inside: the other may have done it
                    for sql in statements:
                        self.execute(sql)
                    self.execute("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                                 (version, int(time.time())))

    def schema_version(self):
        return self.one("SELECT MAX(version) FROM schema_version")[0] or 0

    # -- devices and clients ---------------------------------------------------

    def check_device(self, device_id, client, accept_reassign=False):
        """Notes to print before a sync stores anything; ArchiveError for a re-assigned watch."""
        check_ids(device_id, client)
        self._check_may_store(client)
        notes = []
        row = self.one("SELECT client FROM devices WHERE device_id = ?", (device_id,))
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
            others = [r[0] for r in self.execute(
                "SELECT device_id FROM devices WHERE client = ? AND device_id <> ? ORDER BY device_id",
                (client, device_id))]
            if others:
                notes.append("client %s now also syncs from watch %s (before: %s)"
                             % (client, device_id, ", ".join(others)))
        return notes

    def cursor(self, device_id):
        """The next session seq to read from the watch: 1 + the highest stored, or 1."""
        row = self.one("SELECT MAX(seq) FROM sessions WHERE device_id = ?", (device_id,))
        return (row[0] or 0) + 1

    def clients(self):
        return [r[0] for r in self.execute("SELECT code FROM clients ORDER BY code")]

    # -- programs and plans ----------------------------------------------------

    def add_program(self, json_text):
        """Keep a program (device JSON) so sessions can show its segments; its id."""
        with self.transaction():
            return self._add_program(_parse(program_mod.loads, json_text))

    def add_plan(self, json_text):
        """Keep a plan (device JSON) and its programs; its id."""
        with self.transaction():
            return self._add_plan(_parse(plan_mod.loads, json_text))

    def add_any(self, json_text):
        """Keep a program or a plan (a plan has "sessions"); its id."""
        try:
            obj = json.loads(json_text)
        except ValueError:
            raise ArchiveError("program: not valid JSON") from None
        with self.transaction():
            if isinstance(obj, dict) and "sessions" in obj:
                return self._add_plan(_parse(plan_mod.loads, json_text))
            return self._add_program(_parse(program_mod.loads, json_text))

    def _add_program(self, prog):
        pid = prog.id()
        cur = self.execute(
            "INSERT INTO programs (id, name, total_ms, run_ms, json) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO NOTHING", (pid, prog.name, prog.total_ms, prog.run_ms, prog.to_json()))
        if cur.rowcount:
            self._programs.pop(pid, None)
            self._fill_planned(pid, prog)
        return pid

    def _add_plan(self, plan):
        pid = plan.id()
        cur = self.execute("INSERT INTO plans (id, name, per_week, json) VALUES (?, ?, ?, ?)"
                           " ON CONFLICT (id) DO NOTHING", (pid, plan.name, plan.per_week, plan.to_json()))
        if cur.rowcount:
            for pos, (week, prog) in enumerate(plan.sessions):
                self.execute("INSERT INTO plan_programs (plan_id, pos, week, program_id) VALUES (?, ?, ?, ?)",
                             (pid, pos, week, self._add_program(prog)))
        return pid

    def _fill_planned(self, pid, prog):
        """A program learnt after its sessions: their planned totals and segment kinds."""
        exp = prog.expand()
        self.execute("UPDATE sessions SET planned_s = ? WHERE program_id = ? AND planned_s IS NULL",
                     (prog.total_ms // 1000, pid))
        for i in range(exp.n):
            self.execute(
                "UPDATE segments SET kind = ?, planned_ms = ? WHERE idx = ? AND kind IS NULL AND"
                " EXISTS (SELECT 1 FROM sessions s WHERE s.device_id = segments.device_id"
                " AND s.seq = segments.seq AND s.program_id = ?)",
                (program_mod.KINDS[exp.kind[i]], exp.duration_ms(i), i, pid))

    def program(self, pid):
        """The stored Program of id ``pid``, or None."""
        if pid not in self._programs:
            row = self.one("SELECT json FROM programs WHERE id = ?", (pid,))
            self._programs[pid] = program_mod.loads(row[0]) if row else None
        return self._programs[pid]

    def plans(self):
        """[{"id", "name", "per_week", "program_ids"}] of every stored plan."""
        out = []
        for pid, name, per_week in self.execute("SELECT id, name, per_week FROM plans ORDER BY id").fetchall():
            ids = {r[0] for r in self.execute("SELECT program_id FROM plan_programs WHERE plan_id = ?", (pid,))}
            out.append({"id": pid, "name": name, "per_week": per_week, "program_ids": ids})
        return out

    # -- storing a sync ---------------------------------------------------------

    def store(self, device_id, client, session_bytes, programs=(), sync_ctx=None, accept_reassign=False,
              client_since=1):
        """Store whole sessions from the watch in one transaction (see ``runcue_host.archive.store``)."""
        return store_mod.store(self, device_id, client, session_bytes, programs, sync_ctx, accept_reassign,
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
        return b"".join(bytes(r[0]) for r in self.execute(
            "SELECT bytes FROM raw_records WHERE device_id = ? AND seq = ? ORDER BY idx", (device_id, seq)))

    def session_rows(self, client=None):
        """Every column of each session (client ``None``: all clients), oldest first."""
        return self._rows("sessions", schema.SESSION_COLUMNS, client, "s.started_at, s.device_id, s.seq")

    def segment_rows(self, client=None):
        return self._rows("segments", schema.SEGMENT_COLUMNS, client, "s.started_at, t.device_id, t.seq, t.idx")

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
        for row in self.execute(sql + " ORDER BY " + order, args):
            d = dict(zip(columns, row, strict=True))
            for key in schema.BOOL_COLUMNS:
                if key in d:
                    d[key] = bool(d[key])
            out.append(d)
        if table == "sessions":
            for code in sorted({d["client"] for d in out} - self._read, key=str):
                self.audit("read", code, "%d sessions" % sum(d["client"] == code for d in out))
                self._read.add(code)
        return out


def _parse(loads, json_text):
    try:
        return loads(json_text)
    except program_mod.ProgramError as e:
        raise ArchiveError(str(e)) from None
