"""``runcue sessions``, ``runcue report`` and ``runcue export``: a thin layer over ``review``.

None of them changes the archive, and none creates one (see ``runcue_host.review``).
"""

from pathlib import Path
from typing import Annotated

import typer

from runcue_host.cli.options import Archive, ClientFilter, ReportLang, json_flag
from runcue_host.cli.output import console, print_json, say, shown
from runcue_host.timetext import minutes_clock, utc
from runcue_host.wording import count


def sessions(
    archive: Archive = None,
    client: ClientFilter = None,
    as_json: Annotated[bool, json_flag(
        'One JSON list of {"device", "client", "seq", "program_id", "started_at", "status", "planned_s", '
        '"done_s", "started_approx", "stop_reason", "mood_before", "mood_after", "talk"}.')] = False,
):
    """List the archived sessions, oldest first (times in UTC; ≈: approximate)."""
    from runcue_host.review import open_archive

    with open_archive(archive, client) as arc:
        if as_json:
            print_json(arc.sessions(client))
            return
        console().print(_sessions_table(arc, arc.session_rows(client)))


def _sessions_table(arc, rows):
    """The sessions as a table that stays whole down to 60 columns: the start time and a stop
    reason wrap onto a second line, a long program name ends in "…", the watch is its short label."""
    from rich import box
    from rich.table import Table

    from runcue_host.archive import watch_label

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
        started = utc(r["started_at"]) + (" ≈" if r["started_approx"] else "")
        table.add_row(shown(r["client"] or "-"), str(r["seq"]), started, shown(status), minutes_clock(r["planned_s"]),
                      minutes_clock(r["done_s"]), _one_line(shown(prog.name if prog else r["program_id"])),
                      shown(watch_label(r["device_id"])))
    if any(r["started_approx"] for r in rows):
        table.caption = "≈ approximate: the watch clock was unset or wrong"
    return table


def _one_line(text):
    """A cell cut to its column's width with "…" rather than wrapped."""
    text.no_wrap, text.overflow = True, "ellipsis"
    return text


def report(
    out: Annotated[Path, typer.Option("--out", metavar="FILE.html", help="The HTML file to write (mode 0600).",
                                      show_default=False)],
    archive: Archive = None,
    client: ClientFilter = None,
    lang: ReportLang = "en",
):
    """Write one self-contained HTML report: flags, adherence, planned vs. done, mood."""
    from runcue_host.review import write_report

    size = write_report(out, archive, client, lang)
    say("wrote %s (%d KB)" % (out, (size + 1023) // 1024))


def export(
    fmt: Annotated[str, typer.Argument(metavar="csv|fit", help="csv: sessions.csv and segments.csv; "
                                       "fit: one .fit activity per session, a lap per segment.",
                                       show_default=False)],
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="The directory to write into.",
                                      show_default=False)],
    archive: Archive = None,
    client: ClientFilter = None,
):
    """Export the archived sessions as CSV or FIT files (readable by their owner only)."""
    from runcue_host.review import export_sessions

    paths, notes = export_sessions(fmt, out, archive, client)
    for note in notes:
        say("note: " + note)
    say("wrote %s to %s" % (count(len(paths), "file", "files"), out))
