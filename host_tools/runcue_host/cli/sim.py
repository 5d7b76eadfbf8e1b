"""``runcue sim run`` and ``runcue sim twin``: a thin layer over ``sim.runfiles`` and ``sim.twin``."""

import json
from pathlib import Path
from typing import Annotated

import typer

from runcue_host import UserError
from runcue_host.cli.output import console


def run(
    flash: Annotated[Path, typer.Option("--flash", help="The watch's flash image (made when missing).")],
    program: Annotated[str, typer.Option(
        "--program", metavar="SPEC", help="Push this program (shorthand or .toml) first.")] = "",
    sessions: Annotated[int, typer.Option(
        "--sessions", min=1, max=100, help="Sessions the default client runs.")] = 1,
    buttons: Annotated[Path | None, typer.Option("--buttons", help="A JSON button script instead.")] = None,
    clock: Annotated[str, typer.Option("--clock", help="virtual (fast) or real.")] = "virtual",
    cut: Annotated[int, typer.Option(
        "--power-cut-at-write", metavar="K", min=0, help="Cut the power at the K-th block write.")] = 0,
    timeline_out: Annotated[Path | None, typer.Option(
        "--timeline", help="Write the buzzer timeline (JSON).")] = None,
    shots: Annotated[Path | None, typer.Option("--screenshots",
                                               help="Write each new screen as a PNG here.")] = None,
):
    """Run sessions on the simulated watch; its flash image keeps everything."""
    from runcue_host.sim import runfiles

    done = runfiles.run(flash, program, sessions, buttons, clock, cut, timeline_out, shots)
    out = console()
    if done["power_cut"]:
        out.print("power cut at block write %d: the image holds what reached flash" % cut)
    out.print("sessions: %(sessions)d  cues: %(cues)d  block writes: %(writes)d  erases: %(erases)d" % done)
    if done["mid_session"]:
        out.print("the button script ended mid-session, on the %s screen: the run stopped there, as a watch "
                  "put away mid-session" % json.dumps(done["mid_session"]))


def twin(
    flash: Annotated[Path, typer.Option("--flash", help="The watch's flash image (made when missing).")],
    link: Annotated[Path, typer.Option("--link", help="Symlink to the watch's pseudo-terminal.")],
    log: Annotated[Path | None, typer.Option("--log", help="Append the watch's event lines here.")] = None,
    buttons: Annotated[Path | None, typer.Option("--buttons", help="A JSON button script for the watch.")] = None,
):
    """Serve the image as a watch on USB until SIGTERM/SIGINT (mpremote and runcue talk to LINK)."""
    from runcue_host import sim
    from runcue_host.sim import buttons as button_script
    from runcue_host.sim import twin as twin_mod

    try:
        twin_mod.Twin(flash, link, log=log, buttons=button_script.load(buttons) if buttons else ()).serve()
    except sim.SimError as e:
        raise UserError(str(e)) from None
