"""``runcue plan ...``: check a plan file, list the built-in plans, show one week by week."""

from typing import Annotated

import typer

from runcue_host.cli.options import PLAN_HELP, Lang, json_flag
from runcue_host.cli.output import console, key_value_grid, print_json, shown, warn
from runcue_host.timetext import clock, hours_minutes, minutes

# what `plan check` and `plan show` print: in English, or in the language --lang gives
TEXTS = {
    "en": {"name": "name", "no_name": "(no name)", "sessions": "sessions", "in_weeks": "%d in %s, %d a week",
           "stopped_early": "stopped early", "repeat": "offered again", "next": "move on to the next",
           "total": "total", "of_which": "%s, of which %s running",
           "source": "source", "notes": "notes", "ok": "ok: the plan fits the watch",
           "columns": ("week", "session", "program", "total", "run min")},
    "nl": {"name": "naam", "no_name": "(geen naam)", "sessions": "sessies", "in_weeks": "%d in %s, %d per week",
           "stopped_early": "vroeg gestopt", "repeat": "opnieuw aangeboden", "next": "door naar de volgende",
           "total": "totaal", "of_which": "%s, waarvan %s hardlopen",
           "source": "bron", "notes": "notities", "ok": "ok: het plan past op het horloge",
           "columns": ("week", "sessie", "programma", "totaal", "min hardlopen")},
}


def check(
    spec: Annotated[str, typer.Argument(metavar="PLAN", help=PLAN_HELP, show_default=False)],
    as_json: Annotated[bool, json_flag(
        'Print one JSON document: {"id", "name", "sessions", "weeks", "per_week", "rule", "total_s", "run_s", '
        '"lang", "warnings"} (totals over all sessions; weeks: the last week number; warnings: weeks with '
        'fewer or more sessions than per_week).')] = False,
    lang: Lang = None,
):
    """Check a plan against the watch's limits and print its totals.

    Weeks that hold fewer or more sessions than per_week (or none) are warned about on stderr; the plan
    is still good (exit 0).
    """
    from runcue_host.authoring import plan_file as plans
    pf = plans.resolve(spec, lang)
    info = plans.summary(pf)
    if as_json:
        print_json(info)
        return
    from rich.text import Text

    for line in info["warnings"]:
        warn(line)
    out = console()
    out.print(Text(TEXTS[pf.plan.lang if lang else "en"]["ok"], style="green"))
    out.print(_about(pf, info, pf.plan.lang if lang else "en"))


def _about(pf, info, lang):
    from rich.text import Text

    from runcue_host.authoring import plan_file as plans

    t = TEXTS[lang]
    grid = key_value_grid()
    grid.add_row(t["name"], Text(pf.plan.name or t["no_name"]))
    grid.add_row("id", info["id"])
    grid.add_row("lang", "%s  (%s)" % (pf.plan.lang, pf.lang_from))
    grid.add_row(t["sessions"], t["in_weeks"] % (
        info["sessions"], plans.weeks_text(info["weeks"], lang), info["per_week"]))
    grid.add_row(t["stopped_early"], t[pf.plan.rule])
    grid.add_row(t["total"], t["of_which"] % (hours_minutes(info["total_s"], lang), hours_minutes(info["run_s"], lang)))
    if pf.source:
        grid.add_row(t["source"], Text(pf.source))
    if pf.notes:
        grid.add_row(t["notes"], Text(pf.notes))
    return grid


def list_builtin():
    """List the plans that come with runcue, with their sources."""
    from rich.table import Table

    from runcue_host.authoring import plan_file as plans

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


def show(
    spec: Annotated[str, typer.Argument(metavar="NAME", help=PLAN_HELP, show_default=False)],
    lang: Lang = None,
):
    """Show a plan week by week: each session's program, its length and its running minutes."""
    from rich.table import Table
    from rich.text import Text

    from runcue_host.authoring import plan_file as plans
    from runcue_host.authoring import shorthand

    pf = plans.resolve(spec, lang)
    lang = pf.plan.lang if lang else "en"
    t = Table(box=None, padding=(0, 2), header_style="bold")
    for title, justify in zip(TEXTS[lang]["columns"], ("right", "left", "left", "right", "right"), strict=True):
        t.add_column(title, justify=justify, overflow="fold" if title == TEXTS[lang]["columns"][2] else "ellipsis")
    last = None
    for (week, prog), notes in zip(pf.plan.sessions, pf.session_notes, strict=True):
        text = Text(shorthand.format_shorthand(prog.items, lang))
        if notes:
            text.append("\n" + notes, style="italic")
        t.add_row(str(week) if week != last else "", Text(prog.name), text, clock(prog.total_ms),
                  minutes(prog.run_ms, lang), end_section=False)
        last = week
    out = console()
    out.print(_about(pf, plans.summary(pf), lang))
    out.print(t)
