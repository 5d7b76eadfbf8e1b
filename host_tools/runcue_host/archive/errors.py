"""ArchiveError: the one exception the archive raises for what a user can fix.

Its own module so that every part of the archive (the engines, the store, the
queries) raises the same error without importing one another.
"""

from runcue_host import UserError


class ArchiveError(UserError):
    """The archive refused (a changed record, a re-assigned watch, not an archive...)."""
