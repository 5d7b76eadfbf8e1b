"""``runcue clinic ...`` (a practice's PostgreSQL archive) and ``runcue archive copy``.

Thin commands over ``runcue_host.archive.clinic`` and ``runcue_host.archive.copy``:
each opens the archive, calls one library function and prints its notes (or
one JSON document).  The clinic commands are the practice admin's (or the
database owner's): run as a therapist, the database refuses what is not theirs.
"""

from typing import Annotated

import typer

from runcue_host.cli.options import Json
from runcue_host.cli.output import console, print_json, say, shown

URL_HELP = ("The practice's archive: a PostgreSQL URL, postgresql://USER@HOST/DB or"
            " postgresql:///DB?host=/run/postgresql (default: $RUNCUE_ARCHIVE).")

Url = Annotated[str | None, typer.Option("--archive", metavar="URL", help=URL_HELP, show_default=False)]
Client = Annotated[str, typer.Option("--client", metavar="CODE", help="The client's code (e.g. C01).")]
Therapist = Annotated[str, typer.Option("--therapist", metavar="NAME", help="The therapist who treats them.")]
Name = Annotated[str, typer.Argument(metavar="NAME", help="Their database login, e.g. anna_vos.")]
From = Annotated[str, typer.Option("--from", metavar="PATH|URL", help="The archive to copy from.")]
To = Annotated[str, typer.Option("--to", metavar="PATH|URL", help="The archive to copy into.")]


def _practice(url, read_only=False):
    from runcue_host.archive import clinic

    return clinic.open_practice(url, read_only)


def _say_all(notes):
    for note in notes:
        say(note)


def init(archive: Url = None):
    """Create or upgrade the schema, the roles and the row-level security (a second run changes nothing)."""
    from runcue_host.archive import clinic

    with _practice(archive) as arc:
        _say_all(clinic.init(arc))


def add_therapist(name: Name, archive: Url = None):
    """Add a therapist: a database login in the therapists' group (no password: libpq's .pgpass or the server)."""
    from runcue_host.archive import clinic

    with _practice(archive) as arc:
        _say_all(clinic.add_therapist(arc, name))


def assign(client: Client, therapist: Therapist, archive: Url = None):
    """Let a therapist see (and sync) a client's sessions; only they and the admin do."""
    from runcue_host.archive import clinic

    with _practice(archive) as arc:
        _say_all(clinic.assign(arc, client, therapist))


def unassign(client: Client, archive: Url = None):
    """Take a client away from their therapist (then only the admin sees them)."""
    from runcue_host.archive import clinic

    with _practice(archive) as arc:
        _say_all(clinic.unassign(arc, client))


def audit(client: Client, archive: Url = None, as_json: Json = False):
    """Who read or changed a client's data, when, from which command (NEN 7513; to give to the client)."""
    from rich.table import Table

    from runcue_host.archive import clinic

    with _practice(archive, read_only=True) as arc:
        rows = clinic.audit_rows(arc, client)
    if as_json:
        print_json(rows)
        return
    table = Table(title=shown("access to the data of client %s (times in UTC)" % client))
    for col in ("when", "what", "database user", "on behalf of", "command", "detail"):
        table.add_column(col)
    for r in rows:
        table.add_row(*(shown(r[k]) for k in ("at", "event", "db_user", "on_behalf", "command", "detail")))
    console().print(table)


def copy(source: From, dest: To, as_json: Json = False):
    """Copy every session of one archive into another (file or PostgreSQL); run twice, nothing doubles."""
    from runcue_host.archive import copy as copy_mod

    added = copy_mod.copy(source, dest)
    if as_json:
        print_json(added)
        return
    say("copied into %s: %d new sessions (%d raw records), %d new clients, %d new watches"
        % (added["where"], added["sessions"], added["raw_records"], added["clients"], added["devices"]))
