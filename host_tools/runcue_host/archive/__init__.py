"""The archive: every synced session, stored exactly once, on SQLite or PostgreSQL.

The package's public surface, re-exported from the modules that own it:

* ``db``: the Archive (open, schema check and migrations, queries);
* ``store``: one sync's sessions into the archive, in one transaction or not at all;
* ``sqlite_file``: the embedded engine (one private file), ``dialect``: the SQL
  that differs between engines;
* ``schema``: the tables and their migrations; ``logdecode``: the watch's log as sessions;
* ``errors`` / ``ids``: ArchiveError; device ids and client codes, checked and shown.
"""

from runcue_host.archive.db import Archive
from runcue_host.archive.errors import ArchiveError
from runcue_host.archive.ids import CLIENT_RULE, valid_client, watch_label
from runcue_host.archive.sqlite_file import default_path

__all__ = ["CLIENT_RULE", "Archive", "ArchiveError", "default_path", "valid_client", "watch_label"]
