"""A write transaction on either engine: the dialect's BEGIN .. COMMIT, or ROLLBACK on any exception.

It nests as one transaction (an inner ``with`` joins the outer one), and an
engine's error, even at COMMIT (a full disk, a dropped connection), rolls back
and leaves as the ArchiveError its engine's ``explain`` gives.  The engine
(``sqlite_file.SqliteFile`` or ``postgres.PostgresDb``) offers ``execute``,
``in_transaction``, ``explain``, ``Error`` and its ``dialect``.
"""

import contextlib


class Transaction:
    def __init__(self, conn):
        self.conn = conn
        self.outer = False

    def __enter__(self):
        self.outer = not self.conn.in_transaction()
        if self.outer:
            try:
                for sql in self.conn.dialect.begin_write:
                    self.conn.execute(sql)
            except self.conn.Error as e:
                self._rollback()
                raise self.conn.explain(e) from None
        return self.conn.db

    def _rollback(self):
        if self.conn.in_transaction():  # the engine may have rolled back already
            with contextlib.suppress(self.conn.Error):
                self.conn.execute("ROLLBACK")

    def __exit__(self, exc_type, exc, tb):
        if not self.outer:
            return False
        if exc_type is None:
            try:
                self.conn.execute("COMMIT")
                return False
            except self.conn.Error as e:
                exc = e
        self._rollback()
        if isinstance(exc, self.conn.Error):
            raise self.conn.explain(exc) from None
        return False
