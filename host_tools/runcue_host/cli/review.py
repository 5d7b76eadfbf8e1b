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
from runcue_host.cli import console, print_json, say, shown
from runcue_host.wording import count

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
    from runcue.syncsvc import CLIENT_RULE, valid_client
    from runcue_host.archive import Archive

    if client is not None and not valid_client(client):
        raise UserError("--client %r: %s" % (client, CLIENT_RULE))
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
                       '"planned_s", "done_s", "started_approx", "stop_reason", "mood_before", "mood_after", '
                       '"talk"}.')] = False,
):
    """List the archived sessions, oldest first (times in UTC; ≈: approximate)."""
    with _open(archive, client) as arc:
        if as_json:
            print_json(arc.sessions(client))
            return
        console().print(_sessions_table(arc, arc.session_rows(client)))


def _sessions_table(arc, rows):
    """The sessions as a table that stays whole down to 60 columns: the start time and a stop
    reason wrap onto a second line, a long program name ends in "…", the watch is its short label."""
    from rich import box
    from rich.table import Table

    from runcue_host.archive import iso_utc, watch_label

    table = Table(title=shown("%s in %s" % (count(len(rows), "session", "sessions"), arc.path)),
                  title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                  padding=(0, 1 if console().width >= 80 else 0, 0, 0))  # the box puts one space between columns
    table.add_column("client", no_wrap=True)
    table.add_column("seq", justify="right", no_wrap=True)
    table.add_column("started UTC", min_width=10)
    table.add_column("status", min_width=11)
    table.add_column("plan", justify="right", no_wrap=True)  # minutes planned
    table.add_column("done", justify="right", no_wrap=True)
    table.add_column("program", max_width=24)  # the column may narrow; its cells keep to one line
    table.add_column("watch", no_wrap=True, min_width=5)
    for r in rows:
        prog = arc.program(r["program_id"])
        status = r["status"] + (" (%s)" % r["stop_reason"] if r["stop_reason"] else "")
        started = iso_utc(r["started_at"])[:16].replace("T", " ") + (" ≈" if r["started_approx"] else "")
        table.add_row(shown(r["client"] or "-"), str(r["seq"]), started, shown(status), _clock(r["planned_s"]),
                      _clock(r["done_s"]), _one_line(shown(prog.name if prog else r["program_id"])),
                      shown(watch_label(r["device_id"])))
    if any(r["started_approx"] for r in rows):
        table.caption = "≈ approximate: the watch clock was unset or wrong"
    return table


def _one_line(text):
    """A cell cut to its column's width with "…" rather than wrapped."""
    text.no_wrap, text.overflow = True, "ellipsis"
    return text


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
    from runcue_host.review import report as report_mod

    if lang not in report_mod.LANGS:
        raise UserError("report: --lang %s: not one of %s" % (lang, ", ".join(report_mod.LANGS)))
    with _open(archive, client) as arc:
        size = report_mod.write(arc, out, client, lang)
    say("wrote %s (%d KB)" % (out, (size + 1023) // 1024))


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
    from runcue_host.review import export as export_mod

    if fmt not in export_mod.FORMATS:
        raise UserError("export %s: unknown format (csv or fit)" % fmt)
    notes = []
    with _open(archive, client) as arc:
        paths = export_mod.export(arc, fmt, client, out, notes)
    for note in notes:
        say("note: " + note)
    say("wrote %s to %s" % (count(len(paths), "file", "files"), out))
