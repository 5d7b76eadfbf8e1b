"""The SQL that differs between the archive's engines, all of it, side by side.

Every other statement of the archive (schema, migrations, queries, the store)
is written once, with ``?`` placeholders, in SQL that SQLite and PostgreSQL
both run (``ON CONFLICT``, composite keys instead of rowid, explicit types,
BYTEA for bytes: SQLite keeps a blob unchanged under any type name).  What
cannot be written once is a field of a dialect here; an engine passes every
statement through its dialect's ``sql``.
"""


class Sqlite:
    name = "sqlite"
    # IMMEDIATE takes the write lock at the start: a second writer waits (the busy timeout)
    # instead of failing at its first write
    begin_write = ("BEGIN IMMEDIATE",)
    list_tables = "SELECT name FROM sqlite_master WHERE type = 'table'"
    whole_check = "PRAGMA quick_check"  # rows: ["ok"] for an undamaged file

    @staticmethod
    def sql(text):
        return text


SQLITE = Sqlite()
