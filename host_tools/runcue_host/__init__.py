"""runcue on the laptop: authoring, the watch link, the archive and the `runcue` command.

``UserError`` is the one exception type for a user's mistake (a bad spec, a missing
file, a watch that is busy...): its message is one line, ``<where>: <what>: <why>``,
and ``runcue_host.cli.main`` turns it into ``runcue: <message>`` on stderr and exit
status 2, without a traceback.  Raise it (or a subclass) from any command module.
"""

__all__ = ["UserError"]


class UserError(Exception):
    """A mistake the user can fix; ``str(err)`` is the whole one-line message."""

    exit_code = 2
