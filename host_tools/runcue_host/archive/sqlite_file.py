"""An SQLite archive: one file, opened privately, its errors said as they are.

The file (default: the per-user data dir) is readable by its owner only (the
file and its -wal/-shm are made 0600 at every open), WAL mode, foreign keys on.
An archive that is a symlink is refused: give its real path.

Opening for writing runs ``PRAGMA quick_check`` first, then the archive's
``prepare`` (its migrations), then switches to WAL (only once the file is known
to be runcue's).  Opening read-only writes and switches nothing, so an archive
on read-only media can still be read (a WAL file there opens as immutable).

Every write is a ``BEGIN IMMEDIATE`` transaction (``transaction``, see
``runcue_host.archive.transaction``); a writer
waits up to ``BUSY_TIMEOUT_S`` for another.  SQLite's errors leave as an
ArchiveError that says what happened (in use, disk full, read-only, I/O error,
damaged, not an archive): ``explain``.
"""

import getpass
import os
import sqlite3
import stat
import urllib.parse
from pathlib import Path

from runcue_host import private_files
from runcue_host.archive.dialect import SQLITE
from runcue_host.archive.errors import ArchiveError
from runcue_host.archive.transaction import Transaction

FILE_NAME = "archive.sqlite"
BUSY_TIMEOUT_S = 5.0  # a sync's transaction takes well under a second
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


def default_path():
    import platformdirs

    return Path(platformdirs.user_data_dir("runcue")) / FILE_NAME


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


class SqliteFile:
    """An open archive file.  ``prepare(self)`` runs once connected, before the open counts
    as done (the archive's version check or migration); its sqlite errors are explained too."""

    dialect = SQLITE
    Error = sqlite3.Error

    def __init__(self, path, create, read_only, prepare):
        self.path = self.where = Path(path)
        self.read_only = read_only
        self._check_file(create and not read_only)
        try:
            if not read_only and private_files.read_only_fs(self.path):
                raise ArchiveError("%s: read-only file system: the archive can be read (sessions, report, export)"
                                   " but not written; copy it to a writable disk to sync into it" % self.path)
            self._make_private()
            self.db = self._open_read(prepare) if read_only else self._open_write(prepare)
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

    def _open_write(self, prepare):
        db = None
        old = os.umask(0o077)  # SQLite makes the -wal and -shm: owner-only, whatever the umask
        try:
            db = self.db = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
            db.execute("PRAGMA foreign_keys = ON")
            self.check_whole()
            prepare(self)
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

    def _open_read(self, prepare):
        """A read-only connection; on read-only media a WAL archive opens as immutable."""
        uri = "file:%s?mode=ro" % urllib.parse.quote(os.path.abspath(self.path))
        for attempt in (uri, uri + "&immutable=1"):
            db = None
            try:
                db = self.db = sqlite3.connect(attempt, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
                prepare(self)
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

    def explain(self, err):
        return explain(self.path, err)

    def execute(self, sql, args=()):
        return self.db.execute(sql, args)

    def executemany(self, sql, rows):
        self.db.executemany(sql, rows)

    def tables(self):
        return {r[0] for r in self.db.execute(SQLITE.list_tables)}

    def check_whole(self):
        """ArchiveError for a damaged archive, before anything is written into it."""
        rows = [r[0] for r in self.db.execute(SQLITE.whole_check)]
        if rows != ["ok"]:
            meaning = _SQLITE_MEANING[sqlite3.SQLITE_CORRUPT] % {"error": "; ".join(rows[:3]), "path": self.path}
            raise ArchiveError("%s: %s" % (self.path, meaning))

    def transaction(self):
        return Transaction(self)

    def in_transaction(self):
        return self.db.in_transaction

    def user(self):
        """Whoever opened the file (an SQLite file has no users of its own)."""
        return getpass.getuser()

    def is_member(self, role):
        """An SQLite file has no roles: whoever may open it is its owner."""
        del role
        return False

