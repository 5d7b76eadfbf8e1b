"""``runcue program ...``: check (preview and push come later)."""

from typing import Annotated

import typer

from runcue_host import authoring
from runcue_host.cli import console, new_group, print_json

SPEC_HELP = ('A shorthand line such as "5m walk, 8x(60s run, 90s walk), 5m walk" '
             "or a .toml program file.")

group = new_group("Write, check, preview and push interval programs.")


def register(app):
    app.add_typer(group, name="program")


def _clock(seconds):
    seconds = int(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return "%d:%02d:%02d" % (h, m, s) if h else "%d:%02d" % (m, s)


@group.command("check")
def check(
    spec: Annotated[str, typer.Argument(metavar="SPEC", help=SPEC_HELP, show_default=False)],
    as_json: Annotated[bool, typer.Option(
        "--json", help='Print one JSON document: {"id", "name", "segments", "total_s", "run_s", "walk_s"}.',
    )] = False,
):
    """Check a program against the watch's limits and print its totals.

    walk counts every segment that is not run: warm-up, walk, rest and cool-down.
    """
    prog, notes = authoring.load_spec(spec)
    info = authoring.summary(prog)
    if as_json:
        print_json(info)
        return
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    grid.add_row("name", Text(prog.name or "(no name)"))
    grid.add_row("id", "%s  (%s)" % (info["id"], prog.lang))
    grid.add_row("segments", str(info["segments"]))
    grid.add_row("total", _clock(info["total_s"]))
    grid.add_row("run", _clock(info["run_s"]))
    grid.add_row("walk", "%s  (warm-up, walk, rest, cool-down)" % _clock(info["walk_s"]))
    try:
        grid.add_row("program", Text(authoring.format_shorthand(prog.items)))
    except ValueError:  # not whole seconds: cannot be written as shorthand
        pass
    if notes:
        grid.add_row("notes", Text(notes))
    out = console()
    out.print(Text("ok: the program fits the watch", style="green"))
    out.print(grid)
