"""``runcue program push`` and ``runcue plan push``: the watch checks again, then swaps atomically."""

from pathlib import Path
from typing import Annotated

import typer

from runcue_host import authoring
from runcue_host.cli import console
from runcue_host.cli_device import Port
from runcue_host.cli_program import SPEC_HELP

ArchiveOpt = Annotated[Path | None, typer.Option("--archive", help="Also keep it in this archive (default: yours).")]


def register(app):
    from runcue_host import cli_plan, cli_program

    cli_program.group.command("push")(push_program)
    cli_plan.group.command("push")(push_plan)


def _keep(archive, json_text):
    """Keep what was pushed in the archive, so synced sessions can show their plan."""
    from runcue_host.archive import Archive

    with Archive(archive) as arc:
        if '"sessions"' in json_text:
            arc.add_plan(json_text)
        else:
            arc.add_program(json_text)


def push_program(spec: Annotated[str, typer.Argument(metavar="SPEC", help=SPEC_HELP)],
                 port: Port = None, archive: ArchiveOpt = None):
    """Send a program to the watch; it replaces the program or plan in force there."""
    prog, _notes = authoring.load_spec(spec)
    text = prog.to_json()
    from runcue_host.link import Watch

    with Watch(port) as w:
        reply = w.put("put_program", text.encode())
    if reply.get("id") != prog.id():
        from runcue_host.link import LinkError

        raise LinkError("program push: the watch stored program %r, not %s" % (reply.get("id"), prog.id()))
    _keep(archive, text)
    console().print("program %s (%s) is in force on the watch" % (prog.name, prog.id()))


def push_plan(plan_file: Annotated[str, typer.Argument(metavar="PLAN", help="A plan .toml file or a built-in plan.")],
              port: Port = None, archive: ArchiveOpt = None):
    """Send a plan to the watch; pushing the same plan again keeps the client's place in it."""
    from runcue_host import plans

    plan = plans.resolve(plan_file)
    text = plan.to_json()
    from runcue_host.link import Watch

    with Watch(port) as w:
        reply = w.put("put_plan", text.encode())
    if reply.get("id") != plan.id():
        from runcue_host.link import LinkError

        raise LinkError("plan push: the watch stored plan %r, not %s" % (reply.get("id"), plan.id()))
    _keep(archive, text)
    console().print("plan %s (%s) is in force on the watch: next is session %d of %d" % (
        plan.name, plan.id(), reply.get("pos", 0) + 1, len(plan.sessions)))
