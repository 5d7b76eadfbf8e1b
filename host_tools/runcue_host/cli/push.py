"""``runcue program push`` and ``runcue plan push``: the watch checks again, then swaps atomically.

``plan push --at W3S1`` places the client in the plan (week 3, session 1); on the plan in force
it moves them, also back: "repeat week 2" is ``--at W2``.  Without ``--at`` a new plan starts at
its first session and the same plan again keeps the client's place."""

from pathlib import Path
from typing import Annotated

import typer

from runcue_host.cli import say, warn
from runcue_host.cli.device import Port
from runcue_host.cli.program import SPEC_HELP, LangOpt

ArchiveOpt = Annotated[Path | None, typer.Option("--archive", help="Also keep it in this archive (default: yours).")]
AtOpt = Annotated[str | None, typer.Option(
    "--at", metavar="W<week>S<n>", show_default=False,
    help="Place the client here: W3S1 is week 3, session 1 (W3: its first session). On the plan in force it "
         "moves them, also back: to repeat week 2, --at W2.")]
LANGUAGE = {"en": "in English", "nl": "in Dutch"}


def register(app):
    from runcue_host.cli import plan as cli_plan
    from runcue_host.cli import program as cli_program

    cli_program.group.command("push")(push_program)
    cli_plan.group.command("push")(push_plan)


def push_program(spec: Annotated[str, typer.Argument(metavar="SPEC", help=SPEC_HELP)],
                 port: Port = None, archive: ArchiveOpt = None, lang: LangOpt = None):
    """Send a program to the watch; it replaces the program or plan in force there."""
    from runcue_host.authoring import program_file
    from runcue_host.watch.push import push

    prog, _notes = program_file.load_spec(spec, lang)
    push("program", prog, port, archive)
    say("program %s (%s) is in force on the watch, %s" % (prog.name, prog.id(), LANGUAGE[prog.lang]))


def push_plan(plan_file: Annotated[str, typer.Argument(metavar="PLAN", help="A plan .toml file or a built-in plan.")],
              port: Port = None, archive: ArchiveOpt = None, lang: LangOpt = None, at: AtOpt = None):
    """Send a plan to the watch; pushing the same plan again keeps the client's place in it (or moves it: --at)."""
    from runcue_host.authoring import plan_file as plans
    from runcue_host.watch.push import push

    plan = plans.resolve(plan_file, lang)
    args = () if at is None else (plans.place(plan, at),)  # checked before the watch is touched
    for line in plans.week_warnings(plan):
        warn(line)
    reply = push("plan", plan.plan, port, archive, *args)
    pos = reply.get("pos")
    where = "%s (session %d of %d)" % (plans.place_text(plan.plan, pos), pos + 1, len(plan.sessions)) \
        if type(pos) is int and 0 <= pos < len(plan.sessions) else "the end: the plan is done" \
        if type(pos) is int and pos >= len(plan.sessions) else "session ? of %d" % len(plan.sessions)
    say("plan %s (%s) is in force on the watch, %s: next is %s" % (plan.name, plan.id(), LANGUAGE[plan.lang], where))
