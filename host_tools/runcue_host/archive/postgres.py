"""A PostgreSQL archive: a practice's database, reached by a libpq URL, its errors said as they are.

``postgresql://USER@HOST/DB`` (or ``postgresql:///DB?host=/run/postgresql&port=N``
for a unix socket; ``postgres://`` too).  Credentials come the way libpq takes
them (``~/.pgpass``, ``PGPASSWORD``, peer or trust on a local socket): runcue
never asks for a password nor writes one anywhere, and never shows one (``where``
is the URL without it).  runcue creates no database: the practice makes it, and
``runcue clinic init`` (or the first sync into an empty one) makes the schema.

The connection is in autocommit; a write is one explicit transaction
(``transaction``: BEGIN, the dialect's write lock, COMMIT, or ROLLBACK on any
exception, nesting as one).  A connection that drops inside it stores nothing:
the server rolls back what it never saw committed.  Every wait has a deadline:
``connect_timeout``, TCP keepalives and ``tcp_user_timeout`` (unless the URL
sets them), ``lock_timeout`` and ``statement_timeout``.
"""

import re
import urllib.parse
from typing import Any

import psycopg
from psycopg import conninfo, pq

from runcue_host.archive.dialect import POSTGRES
from runcue_host.archive.errors import ArchiveError
from runcue_host.archive.transaction import Transaction

CONNECT_TIMEOUT_S = 10
_TCP_DEADLINES = (("keepalives_idle", "10"), ("keepalives_interval", "5"), ("keepalives_count", "3"),
                  ("tcp_user_timeout", "30000"))

# what a server's SQLSTATE means for the archive
_MEANING = {
    "28P01": "wrong password for the database user, or none given: give it as libpq takes it (~/.pgpass or"
             " PGPASSWORD), never on the command line",
    "28000": "the server does not let this user in (pg_hba.conf): ask the practice's database admin",
    "3D000": "no such database: ask the practice's database admin to create it",
    "42501": "permission denied (%(error)s): ask the practice's admin (runcue clinic ...)",
    "55P03": "the archive is in use by another runcue (a sync?): try again when it has finished",
    "57014": "the database stopped the query (%(error)s): nothing of this change was stored; try again",
    "40P01": "the archive is in use by another runcue: nothing of this change was stored; try again",
    "40001": "the archive is in use by another runcue: nothing of this change was stored; try again",
    "53100": "the database server's disk is full: nothing of this change was stored; tell its admin",
    "25006": "the database is read-only (a standby?): it can be read but not written",
}
# how libpq words the server's refusals at connection time
_REFUSALS = (("password authentication failed", "28P01"), ("no password supplied", "28P01"),
             ("no pg_hba.conf entry", "28000"), ("does not exist", "3D000"),
             ("permission denied for database", "42501"))
_LOST = ("the connection to the database was lost (%(error)s): nothing of this change was stored;"
         " try again (a sync lets the watch free nothing it has not stored)")
_UNREACHABLE = ("cannot reach the database server (%(error)s): check that it is running and that the"
                " URL's host and port are right")


def shown_url(url):
    """The URL as messages show it: everything but a password."""
    try:
        info = conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://(a malformed URL)"
    host, port = str(info.get("host") or ""), info.get("port")
    user, db = info.get("user") or "", info.get("dbname") or ""
    auth = "%s@" % user if user else ""
    if host.startswith("/"):
        query = "?host=%s%s" % (host, "&port=%s" % port if port else "")
        return "postgresql://%s/%s%s" % (auth, db, query)
    return "postgresql://%s%s%s/%s" % (auth, host, ":%s" % port if port else "", db)


def _one_line(err):
    text = str(err).strip()
    text = re.sub(r"\s*\n\s*", "; ", text)
    return re.sub(r"^connection failed: ", "", text)


def explain(where, err):
    """The ArchiveError saying what a psycopg error means for the archive ``where``;
    ``err`` itself when it is a bug (a query this runcue got wrong keeps its traceback)."""
    state = getattr(err, "sqlstate", None)
    text = _one_line(err)
    if state is None:  # refused while connecting: libpq gives the server's words, not its SQLSTATE
        state = next((code for words, code in _REFUSALS if words in text), None)
        text = text.split("FATAL:", 1)[-1].strip()
    meaning = _MEANING.get(state or "")
    if meaning is None and isinstance(err, psycopg.OperationalError):
        meaning = _UNREACHABLE if state is None and "connection to server" in text else _LOST
    if meaning is None:
        return err
    return ArchiveError("%s: %s" % (where, meaning % {"error": text}))


def _with_defaults(url):
    try:
        info = conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError as e:
        raise ArchiveError("%s: not a database URL (%s)" % (urllib.parse.quote(url[:60], safe=":/@?=&"),
                                                            _one_line(e))) from None
    info.setdefault("connect_timeout", str(CONNECT_TIMEOUT_S))
    for key, value in _TCP_DEADLINES:  # a server that vanishes mid-query is noticed (libpq: TCP only)
        info.setdefault(key, value)
    info.setdefault("application_name", "runcue")
    return conninfo.make_conninfo("", **info)


class PostgresDb:
    """An open connection.  ``prepare(self)`` runs once connected (the archive's version check or
    migration); its psycopg errors are explained too.  ``create`` is accepted for a like call:
    a database is never created here."""

    dialect = POSTGRES
    Error = psycopg.Error

    def __init__(self, url, create, read_only, prepare):
        del create
        self.where = shown_url(url)
        self.read_only = read_only
        try:
            self.db = psycopg.connect(_with_defaults(url), autocommit=True)
        except psycopg.Error as e:
            raise explain(self.where, e) from None
        try:
            for sql in POSTGRES.session_setup:
                self.execute(sql)
            prepare(self)
        except BaseException as e:
            self.db.close()
            if isinstance(e, psycopg.Error):
                raise explain(self.where, e) from None
            raise

    def close(self):
        self.db.close()

    def explain(self, err):
        return explain(self.where, err)

    def execute(self, sql, args=()) -> Any:
        query: Any = POSTGRES.sql(sql)  # psycopg asks for literal strings; these are the archive's own
        return self.db.execute(query, tuple(args))

    def executemany(self, sql, rows):
        query: Any = POSTGRES.sql(sql)
        with self.db.cursor() as cur:
            cur.executemany(query, rows)

    def tables(self):
        return {r[0] for r in self.execute(POSTGRES.list_tables)}

    def check_whole(self):
        """Nothing to do: the server keeps its own pages whole."""

    def transaction(self):
        return Transaction(self)

    def in_transaction(self):
        return self.db.info.transaction_status != pq.TransactionStatus.IDLE

    def user(self):
        """The database user this archive is open as."""
        return self.execute("SELECT current_user").fetchone()[0]

    def is_member(self, role):
        """Whether the user is ``role`` or one of its members (False when no such role)."""
        row = self.execute("SELECT pg_has_role(current_user, oid, 'member') FROM pg_roles WHERE rolname = ?",
                           (role,)).fetchone()
        return bool(row and row[0])

