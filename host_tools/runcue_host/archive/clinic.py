"""The practice's side of a PostgreSQL archive: set it up, add therapists, assign clients, read the audit log.

Each function takes an open Archive (on PostgreSQL: an SQLite file has no
roles, and is refused, saying so) and is what one `runcue clinic` command does:

* ``init``: the schema (the Archive's migrations) and the access control
  (``security``), idempotent;
* ``add_therapist``: a login role in the therapists' group, without a password
  (runcue never handles one: the admin sets it with psql's ``\\password`` or the
  server lets the therapist in by peer authentication; libpq then reads it from
  ``~/.pgpass`` or ``PGPASSWORD``);
* ``assign`` / ``unassign``: who treats a client (only that therapist sees the
  client's data); each change is in the audit log;
* ``audit_rows``: the audit log of one client, oldest first, in a form a client
  can be given (reading it is itself logged).

Names of therapists are PostgreSQL roles, so they are checked to be plain
lower-case identifiers and quoted as identifiers all the same.
"""

import re

from psycopg import sql

from runcue_host.archive import security
from runcue_host.archive.db import Archive, default_target
from runcue_host.archive.dialect import is_url
from runcue_host.archive.errors import ArchiveError
from runcue_host.archive.ids import CLIENT_RULE, valid_client
from runcue_host.archive.schema import AUDIT_COLUMNS
from runcue_host.timetext import iso_utc

_NOT_A_PRACTICE = ("runcue clinic works on a practice's PostgreSQL archive (--archive postgresql://... or"
                   " RUNCUE_ARCHIVE); a file archive has one user and no roles")
MAX_THERAPIST = 40
_THERAPIST = re.compile(r"[a-z_][a-z0-9_]{0,%d}\Z" % (MAX_THERAPIST - 1))
_RESERVED = ("postgres", "public", security.ADMIN_ROLE, security.THERAPIST_ROLE)


def open_practice(target=None, read_only=False):
    """The practice's archive at ``target`` (default: ``RUNCUE_ARCHIVE``); ArchiveError for a file."""
    target = target if target is not None else default_target()
    if not is_url(str(target)):
        raise ArchiveError("%s: %s" % (target, _NOT_A_PRACTICE))
    return Archive(str(target), create=False, read_only=read_only)


def _need_postgres(arc):
    if arc.engine != "postgresql":
        raise ArchiveError("%s: %s" % (arc.path, _NOT_A_PRACTICE))


def _raw(arc, statement):
    """A statement of the access control as it is (PostgreSQL's own syntax; no placeholders)."""
    arc.db.execute(statement)


def init(arc):
    """The schema and access control in place; the notes to print."""
    _need_postgres(arc)
    schema = arc.one("SELECT current_schema()")[0]
    with arc.transaction():
        for statement in security.statements(sql.Identifier(schema).as_string(arc.db)):
            _raw(arc, statement)
    return ["%s: schema version %d, roles %s and %s, row-level security and the append-only audit log in place"
            % (arc.path, arc.schema_version(), security.ADMIN_ROLE, security.THERAPIST_ROLE)]


def check_therapist_name(name):
    if not isinstance(name, str) or not _THERAPIST.match(name) or name in _RESERVED or name.startswith("pg_"):
        raise ArchiveError("therapist %r: a therapist's name is their database login: 1-%d lower-case letters,"
                           " digits or '_', not starting with a digit (e.g. anna_de_vries)"
                           % (name, MAX_THERAPIST))


def add_therapist(arc, name):
    """A login role ``name`` in the therapists' group (made if missing); the notes to print."""
    _need_postgres(arc)
    check_therapist_name(name)
    role = sql.Identifier(name).as_string(arc.db)
    with arc.transaction():
        exists = arc.one("SELECT 1 FROM pg_roles WHERE rolname = ?", (name,)) is not None
        if not exists:
            _raw(arc, "CREATE ROLE %s LOGIN" % role)
        _raw(arc, "GRANT %s TO %s" % (security.THERAPIST_ROLE, role))
        arc.execute("INSERT INTO therapists (name, added_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                    (name, _now(arc)))
        arc.audit("add-therapist", None, name)
    return ["therapist %s %s; they sign in as the database user %s (set a password with psql's \\password %s,"
            " or let the server trust their login on its socket); runcue never asks for it"
            % (name, "was there already" if exists else "added", name, name)]


def _now(arc):
    return int(arc.one("SELECT floor(extract(epoch FROM clock_timestamp()))")[0])


def _check_client(client):
    if not valid_client(client):
        raise ArchiveError("--client %r: %s" % (client, CLIENT_RULE))


def assign(arc, client, therapist):
    """``therapist`` treats ``client`` from now on (the client is added if new); the notes to print."""
    _need_postgres(arc)
    _check_client(client)
    check_therapist_name(therapist)
    with arc.transaction():
        if arc.one("SELECT 1 FROM therapists WHERE name = ?", (therapist,)) is None:
            raise ArchiveError("therapist %s: not in %s (add them first: runcue clinic add-therapist %s)"
                               % (therapist, arc.path, therapist))
        row = arc.one("SELECT therapist FROM clients WHERE code = ?", (client,))
        if row is None:
            arc.execute("INSERT INTO clients (code, first_seen, therapist) VALUES (?, ?, ?)",
                        (client, _now(arc), therapist))
        elif row[0] != therapist:
            arc.execute("UPDATE clients SET therapist = ? WHERE code = ?", (therapist, client))
        before = row[0] if row else None
        if before == therapist:
            return ["client %s: treated by %s already" % (client, therapist)]
        event = "reassign" if before else "assign"
        arc.audit(event, client, "%s -> %s" % (before, therapist) if before else "to %s" % therapist)
    if before:
        return ["client %s moves from %s to %s" % (client, before, therapist)]
    return ["client %s: treated by %s" % (client, therapist)]


def unassign(arc, client):
    """Nobody but the admin sees ``client`` from now on; the notes to print."""
    _need_postgres(arc)
    _check_client(client)
    with arc.transaction():
        row = arc.one("SELECT therapist FROM clients WHERE code = ?", (client,))
        if row is None:
            raise ArchiveError("--client %s: no such client in %s" % (client, arc.path))
        if row[0] is None:
            return ["client %s: assigned to nobody already" % client]
        arc.execute("UPDATE clients SET therapist = NULL WHERE code = ?", (client,))
        arc.audit("unassign", client, "from %s" % row[0])
    return ["client %s: no longer treated by %s" % (client, row[0])]


def audit_rows(arc, client):
    """[{"at" (ISO UTC), "event", "client", "db_user", "on_behalf", "command", "detail"}] of ``client``."""
    _need_postgres(arc)
    _check_client(client)
    rows = [dict(zip(AUDIT_COLUMNS, r, strict=True)) for r in arc.execute(
        "SELECT %s FROM audit_log WHERE client = ? ORDER BY at" % ", ".join(AUDIT_COLUMNS), (client,))]
    for r in rows:
        r["at"] = iso_utc(r["at"])
    arc.audit("audit-read", client, "%d rows" % len(rows))
    return rows
