"""``runcue sim run`` and ``runcue sim twin``: the simulated watch (run sessions, or serve it as a USB twin)."""

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
    from runcue_host import private_files, sim
    from runcue_host.authoring import shorthand as authoring
    from runcue_host.sim import buttons as button_script

    if clock not in ("virtual", "real"):
        raise UserError("sim run: --clock must be virtual or real, not %r" % clock)
    prog_json = None
    if program:
        prog, _notes = authoring.load_spec(program)
        prog_json = prog.to_json()
    script = button_script.load(buttons) if buttons else None
    try:
        result = sim.run(flash, buttons=script, sessions=sessions, clock=clock, cut_at_write=cut,
                         screenshots="changes" if shots else None, program_json=prog_json)
    except sim.SimError as e:
        raise UserError(str(e)) from None
    if timeline_out:
        private_files.write(timeline_out, json.dumps(sim.timeline(result), indent=1).encode(),
                            ("--timeline", "the timeline"))
    if shots:
        sim.write_screenshots(result, shots)
    out = console()
    if result.power_cut:
        out.print("power cut at block write %d: the image holds what reached flash" % cut)
    elif result.returncode != 0:
        raise UserError("sim run: the watch stopped with an error (exit %d):\n%s" % (
            result.returncode, result.stderr_tail))
    done = [s for s in result.of("show") if s["name"] == "summary"]
    counts = result.counts()
    out.print("sessions: %d  cues: %d  block writes: %d  erases: %d" % (
        len(done), len(result.of("cue")), counts["writes"], counts["erases"]))
    screen = None if result.power_cut else result.mid_session()
    if screen:
        out.print("the button script ended mid-session, on the %s screen: the run stopped there, as a watch "
                  "put away mid-session" % json.dumps(screen))


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
