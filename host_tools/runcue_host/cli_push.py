"""``runcue program push`` and ``runcue plan push``: the watch checks again, then swaps atomically."""

from pathlib import Path
from typing import Annotated

import typer

from runcue_host.cli import say
from runcue_host.cli_device import Port
from runcue_host.cli_program import SPEC_HELP

ArchiveOpt = Annotated[Path | None, typer.Option("--archive", help="Also keep it in this archive (default: yours).")]


def register(app):
    from runcue_host import cli_plan, cli_program

    cli_program.group.command("push")(push_program)
    cli_plan.group.command("push")(push_plan)


def _push(kind, obj, port, archive):
    """Send a program or plan; the watch checks it, stores it atomically and says what it holds."""
    from runcue_host.archive import Archive
    from runcue_host.link import LinkError, Watch

    text = obj.to_json()
    with Watch(port) as w:
        reply = w.put("put_" + kind, text.encode())
    if reply.get("id") != obj.id():
        raise LinkError("%s push: the watch stored %s %r, not %s" % (kind, kind, reply.get("id"), obj.id()))
    with Archive(archive) as arc:  # kept, so synced sessions can show what was planned
        (arc.add_plan if kind == "plan" else arc.add_program)(text)
    return reply


def push_program(spec: Annotated[str, typer.Argument(metavar="SPEC", help=SPEC_HELP)],
                 port: Port = None, archive: ArchiveOpt = None):
    """Send a program to the watch; it replaces the program or plan in force there."""
    from runcue_host import authoring
    prog, _notes = authoring.load_spec(spec)
    _push("program", prog, port, archive)
    say("program %s (%s) is in force on the watch" % (prog.name, prog.id()))


def push_plan(plan_file: Annotated[str, typer.Argument(metavar="PLAN", help="A plan .toml file or a built-in plan.")],
              port: Port = None, archive: ArchiveOpt = None):
    """Send a plan to the watch; pushing the same plan again keeps the client's place in it."""
    from runcue_host import plans

    plan = plans.resolve(plan_file)
    reply = _push("plan", plan, port, archive)
    pos = reply.get("pos")
    say("plan %s (%s) is in force on the watch: next is session %s of %d" % (
        plan.name, plan.id(), pos + 1 if type(pos) is int else "?", len(plan.sessions)))
