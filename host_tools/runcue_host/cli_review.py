"""``runcue sessions``, ``runcue report`` and ``runcue export``: reading the archive.

None of them changes the archive, and none creates one: a missing archive is
the user's mistake (exit 2).  They open it read-only, so an archive on
read-only media can be read.  Without ``--client`` they cover every client.
"""

import contextlib
from pathlib import Path
from typing import Annotated

import typer

from runcue_host import UserError
from runcue_host.cli import console, print_json

ARCHIVE_HELP = "The archive file (default: archive.sqlite in runcue's per-user data directory)."
CLIENT_HELP = "Only this client's sessions (a client code such as C01); default: every client."

ArchiveOpt = Annotated[Path | None, typer.Option("--archive", metavar="PATH", help=ARCHIVE_HELP,
                                                  show_default=False)]
ClientOpt = Annotated[str | None, typer.Option("--client", metavar="CODE", help=CLIENT_HELP, show_default=False)]


def register(app):
    app.command("sessions")(sessions)
    app.command("report")(report)
    app.command("export")(export)


@contextlib.contextmanager
def _open(path, client):
    """The archive opened read-only (``with``: SQLite's errors leave saying what happened)."""
    from runcue_host.archive import Archive, valid_client

    if client is not None and not valid_client(client):
        raise UserError("--client %r: a client code is 1-16 letters, digits, '-' or '_'" % client)
    with Archive(path, read_only=True) as arc:
        if client is not None and client not in arc.clients():
            known = ", ".join(arc.clients()) or "none"
            raise UserError("--client %s: no such client in %s (known: %s)" % (client, arc.path, known))
        yield arc


def sessions(
    archive: ArchiveOpt = None,
    client: ClientOpt = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help='One JSON list of {"device", "client", "seq", "program_id", "started_at", "status", '
                       '"planned_s", "done_s"}.')] = False,
):
    """List the archived sessions, oldest first (times in UTC; ≈: approximate)."""
    from runcue_host.archive import iso_utc

    with _open(archive, client) as arc:
        rows = arc.sessions(client)
        if as_json:
            print_json(rows)
            return
        from rich import box
        from rich.table import Table

        table = Table(title="%d sessions in %s" % (len(rows), arc.path), title_justify="left",
                      box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), pad_edge=False)
        for name, width in (("client", 6), ("seq", 3), ("started UTC", 18), ("status", 18), ("planned", 7),
                            ("done", 5)):
            table.add_column(name, justify="right" if width in (3, 5, 7) else "left", no_wrap=True,
                             min_width=width)
        table.add_column("program", overflow="ellipsis", no_wrap=True, max_width=24)
        table.add_column("watch", overflow="ellipsis", no_wrap=True)
        for r in arc.session_rows(client):
            prog = arc.program(r["program_id"])
            status = r["status"] + (" (%s)" % r["stop_reason"] if r["stop_reason"] else "")
            started = iso_utc(r["started_at"])[:16].replace("T", " ") + (" ≈" if r["started_approx"] else "")
            table.add_row(r["client"] or "-", str(r["seq"]), started, status, _clock(r["planned_s"]),
                          _clock(r["done_s"]), prog.name if prog else r["program_id"], r["device_id"])
        if any(r["started_approx"] for r in arc.session_rows(client)):
            table.caption = "≈ approximate: recorded with the watch clock unset"
        console().print(table)


def _clock(seconds):
    if seconds is None:
        return "?"
    return "%d:%02d" % divmod(seconds, 60)


def report(
    out: Annotated[Path, typer.Option("--out", metavar="FILE.html", help="The HTML file to write (mode 0600).",
                                      show_default=False)],
    archive: ArchiveOpt = None,
    client: ClientOpt = None,
    lang: Annotated[str, typer.Option("--lang", metavar="en|nl", help="Language of the report.")] = "en",
):
    """Write one self-contained HTML report: flags, adherence, planned vs. done, mood."""
    from runcue_host import report as report_mod

    if lang not in report_mod.LANGS:
        raise UserError("report: --lang %s: not one of %s" % (lang, ", ".join(report_mod.LANGS)))
    with _open(archive, client) as arc:
        size = report_mod.write(arc, out, client, lang)
    console().print("wrote %s (%d KB)" % (out, (size + 1023) // 1024))


def export(
    fmt: Annotated[str, typer.Argument(metavar="csv|fit", help="csv: sessions.csv and segments.csv; "
                                       "fit: one .fit activity per session, a lap per segment.",
                                       show_default=False)],
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="The directory to write into.",
                                      show_default=False)],
    archive: ArchiveOpt = None,
    client: ClientOpt = None,
):
    """Export the archived sessions as CSV or FIT files (readable by their owner only)."""
    from runcue_host import export as export_mod

    if fmt not in export_mod.FORMATS:
        raise UserError("export %s: unknown format (csv or fit)" % fmt)
    with _open(archive, client) as arc:
        paths = export_mod.export(arc, fmt, client, out)
    console().print("wrote %d files to %s" % (len(paths), out))
