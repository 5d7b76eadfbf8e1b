"""The SQL that differs between the archive's engines, all of it, side by side.

Every other statement of the archive (schema, migrations, queries, the store)
is written once, with ``?`` placeholders, in SQL that SQLite and PostgreSQL
both run (``ON CONFLICT``, composite keys instead of rowid, explicit types,
BYTEA for bytes: SQLite keeps a blob unchanged under any type name).  What
cannot be written once is a field of a dialect here; an engine passes every
statement through its dialect's ``sql``.
"""

URL_SCHEMES = ("postgresql://", "postgres://")  # a libpq URL names PostgreSQL; anything else is a file


def is_url(target):
    return isinstance(target, str) and target.startswith(URL_SCHEMES)


class Sqlite:
    name = "sqlite"
    # IMMEDIATE takes the write lock at the start: a second writer waits (the busy timeout)
    # instead of failing at its first write
    begin_write = ("BEGIN IMMEDIATE",)
    list_tables = "SELECT name FROM sqlite_master WHERE type = 'table'"
    whole_check = "PRAGMA quick_check"  # rows: ["ok"] for an undamaged file
    audited = False  # one person's file: no other users to log

    @staticmethod
    def sql(text):
        return text


SQLITE = Sqlite()


class Postgres:
    name = "postgresql"
    # every write transaction takes one advisory lock first: writers queue as SQLite's IMMEDIATE
    # makes them, so two syncs of one watch never both store its new sessions (the second
    # finds them stored: duplicates), and shared rows (clients, programs) never deadlock;
    # readers never wait (MVCC).  A sync's transaction takes milliseconds.
    begin_write = ("BEGIN", "SELECT pg_advisory_xact_lock(7275632)")  # 7275632: "runcue" as a number
    list_tables = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    whole_check = None  # the server checks its own pages; there is no quick check to run
    audited = True  # a practice's: every access to a client's data is logged (NEN 7513)
    # a wait for a row or the write lock ends: a hung sync elsewhere is an error, never a hang;
    # so does a query (the largest report's take well under a second)
    session_setup = ("SET lock_timeout = '30s'", "SET statement_timeout = '300s'")

    @staticmethod
    def sql(text):
        """``?`` placeholders as psycopg's ``%s`` (a literal ``%`` doubled)."""
        return text.replace("%", "%%").replace("?", "%s")


POSTGRES = Postgres()
ENGINES = (SQLITE, POSTGRES)
