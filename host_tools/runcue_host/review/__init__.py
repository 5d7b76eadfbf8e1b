"""Reading the archive for people: the sessions, the report (``report``, ``html``, ``charts``), the
export (``export``).

Nothing here changes the archive, and nothing creates one: a missing archive is the user's
mistake.  It is opened read-only, so an archive on read-only media can be read.  Without a
client, everything covers every client.  The ``sessions``, ``report`` and ``export`` commands
and the desk call these functions; they print nothing.
"""

import contextlib

from runcue_host import UserError


@contextlib.contextmanager
def open_archive(path=None, client=None):
    """The archive at ``path`` (default: the user's) opened read-only, ``client`` checked to be a
    client code that it holds (``with``: SQLite's errors leave saying what happened)."""
    from runcue_host.archive import CLIENT_RULE, Archive, valid_client

    if client is not None and not valid_client(client):
        raise UserError("--client %r: %s" % (client, CLIENT_RULE))
    with Archive(path, read_only=True) as arc:
        if client is not None and client not in arc.clients():
            known = ", ".join(arc.clients()) or "none"
            raise UserError("--client %s: no such client in %s (known: %s)" % (client, arc.path, known))
        yield arc


def write_report(out, path=None, client=None, lang="en"):
    """Write the HTML report of ``client`` (default: every client) to ``out``; its size in bytes."""
    from runcue_host.review import report

    report.check_lang(lang)  # before the archive is opened
    with open_archive(path, client) as arc:
        return report.write(arc, out, client, lang)


def export_sessions(fmt, out, path=None, client=None):
    """Export the sessions of ``client`` (default: every client) as ``fmt`` (csv, fit) into the
    directory ``out``; (the paths written, notes on sessions left out)."""
    from runcue_host.review import export

    export.check_format(fmt)  # before the archive is opened
    notes = []
    with open_archive(path, client) as arc:
        paths = export.export(arc, fmt, client, out, notes)
    return paths, notes
