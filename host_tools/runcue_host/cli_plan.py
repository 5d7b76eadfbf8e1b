"""``runcue plan ...``: check a plan file, list the built-in plans, show one week by week."""

from typing import Annotated

import typer

from runcue_host.cli import console, new_group, print_json, shown

PLAN_HELP = "A built-in plan's name (see 'runcue plan list-builtin') or a plan .toml file."

group = new_group("Check and show multi-week plans (built-in or your own TOML).")


def register(app):
    app.add_typer(group, name="plan")


def _hours(s):
    return "%d h %02d min" % (s // 3600, s % 3600 // 60)


def _minutes(ms):
    return "%d" % (ms // 60000) if ms % 60000 == 0 else "%.1f" % (ms / 60000)


@group.command("check")
def check(
    spec: Annotated[str, typer.Argument(metavar="PLAN", help=PLAN_HELP, show_default=False)],
    as_json: Annotated[bool, typer.Option(
        "--json", help='Print one JSON document: {"id", "name", "sessions", "weeks", "per_week", "rule", '
                       '"total_s", "run_s"} (totals over all sessions; weeks: the last week number).',
    )] = False,
):
    """Check a plan against the watch's limits and print its totals."""
    from runcue_host import plans
    pf = plans.resolve(spec)
    info = plans.summary(pf)
    if as_json:
        print_json(info)
        return
    from rich.text import Text

    out = console()
    out.print(Text("ok: the plan fits the watch", style="green"))
    out.print(_about(pf, info))


def _about(pf, info):
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    grid.add_row("name", Text(pf.plan.name or "(no name)"))
    grid.add_row("id", "%s  (%s)" % (info["id"], pf.plan.lang))
    grid.add_row("sessions", "%d in %d weeks, %d a week" % (info["sessions"], info["weeks"], info["per_week"]))
    grid.add_row("stopped early", "offered again" if pf.plan.rule == "repeat" else "move on to the next")
    grid.add_row("total", "%s, of which %s running" % (_hours(info["total_s"]), _hours(info["run_s"])))
    if pf.source:
        grid.add_row("source", Text(pf.source))
    if pf.notes:
        grid.add_row("notes", Text(pf.notes))
    return grid


@group.command("list-builtin")
def list_builtin():
    """List the plans that come with runcue, with their sources."""
    from rich.table import Table

    from runcue_host import plans

    t = Table(box=None, padding=(0, 1), header_style="bold")
    for col in ("name", "weeks", "sessions", "per week"):
        t.add_column(col, justify="left" if col == "name" else "right", no_wrap=True)
    t.add_column("plan")
    found = []
    for name in plans.builtin_names():
        pf = plans.load_builtin(name)
        info = plans.summary(pf)
        t.add_row(shown(name), str(info["weeks"]), str(info["sessions"]), str(info["per_week"]),
                  shown(pf.plan.name, "bold"))
        found.append((name, pf.source))
    out = console()
    out.print(t)
    out.print()
    for name, source in found:  # below the table, a line each: an address is never cut in two
        line = shown("%s: %s" % (name, source))
        line.overflow = "ignore"  # a word longer than the terminal runs on whole
        out.print(line)


@group.command("show")
def show(
    spec: Annotated[str, typer.Argument(metavar="NAME", help=PLAN_HELP, show_default=False)],
):
    """Show a plan week by week: each session's program, its length and its running minutes."""
    from rich.table import Table
    from rich.text import Text

    from runcue_host import authoring, plans, preview

    pf = plans.resolve(spec)
    t = Table(box=None, padding=(0, 2), header_style="bold")
    t.add_column("week", justify="right")
    t.add_column("session")
    t.add_column("program", overflow="fold")
    t.add_column("total", justify="right")
    t.add_column("run min", justify="right")
    last = None
    for (week, prog), notes in zip(pf.plan.sessions, pf.session_notes, strict=True):
        text = Text(authoring.format_shorthand(prog.items))
        if notes:
            text.append("\n" + notes, style="italic")
        t.add_row(str(week) if week != last else "", Text(prog.name), text, preview.clock(prog.total_ms),
                  _minutes(prog.run_ms), end_section=False)
        last = week
    out = console()
    out.print(_about(pf, plans.summary(pf)))
    out.print(t)
