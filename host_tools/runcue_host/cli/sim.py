"""``runcue sim ...``: the simulated watch (run sessions, or serve it as a USB twin)."""

import json
from pathlib import Path
from typing import Annotated

import typer

from runcue_host import UserError
from runcue_host.cli import console, new_group

group = new_group("The simulated watch: the unmodified firmware on the MicroPython unix port.")


def register(app):
    app.add_typer(group, name="sim")


def load_buttons(path):
    """A button script: a JSON list of presses (see simulator/simhw.py); checked here."""
    from runcue_host import sim

    try:
        script = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise UserError("%s: cannot read the button script (%s)" % (path, e.strerror)) from None
    except (UnicodeError, ValueError) as e:
        raise UserError("%s: not a JSON button script (%s)" % (path, e)) from None
    if not isinstance(script, list):
        raise UserError("%s: a button script is a JSON list of presses" % path)
    screens = sim.screen_names()
    for i, p in enumerate(script, 1):
        where = "%s: press %d" % (path, i)
        if not isinstance(p, dict):
            raise UserError("%s: must be an object" % where)
        if "t_ms" in p:
            if not isinstance(p["t_ms"], int) or isinstance(p["t_ms"], bool) or p["t_ms"] < 0:
                raise UserError("%s: t_ms must be a whole number of ms >= 0" % where)
            if p.get("button") not in ("A", "B"):
                raise UserError("%s: button must be \"A\" or \"B\"" % where)
            if not isinstance(p.get("long", False), bool):
                raise UserError("%s: long must be true or false" % where)
        elif "on" in p:
            presses = p.get("presses")
            if not isinstance(p["on"], str) or not isinstance(presses, list) or not all(
                    b in ("A", "B", "A+", "B+") for b in presses):
                raise UserError("%s: {\"on\": screen, \"presses\": [\"A\", \"B\", \"A+\"...]}" % where)
            if p["on"] not in screens:  # a typo would wait for ever for a screen that never comes
                raise UserError("%s: the watch has no screen %s (its screens: %s)" % (
                    where, json.dumps(p["on"]), ", ".join(screens)))
            delay = p.get("delay_ms", 500)
            if not isinstance(delay, int) or isinstance(delay, bool) or delay < 0:
                raise UserError("%s: delay_ms must be a whole number of ms >= 0" % where)
        else:
            raise UserError("%s: needs \"t_ms\" (a time) or \"on\" (a screen)" % where)
    return script


@group.command("run")
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
    from runcue_host.authoring import program_file
    if clock not in ("virtual", "real"):
        raise UserError("sim run: --clock must be virtual or real, not %r" % clock)
    prog_json = None
    if program:
        prog, _notes = program_file.load_spec(program)
        prog_json = prog.to_json()
    script = load_buttons(buttons) if buttons else None
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


@group.command("twin")
def twin(
    flash: Annotated[Path, typer.Option("--flash", help="The watch's flash image (made when missing).")],
    link: Annotated[Path, typer.Option("--link", help="Symlink to the watch's pseudo-terminal.")],
    log: Annotated[Path | None, typer.Option("--log", help="Append the watch's event lines here.")] = None,
    buttons: Annotated[Path | None, typer.Option("--buttons", help="A JSON button script for the watch.")] = None,
):
    """Serve the image as a watch on USB until SIGTERM/SIGINT (mpremote and runcue talk to LINK)."""
    from runcue_host import sim
    from runcue_host.sim import twin as twin_mod

    try:
        twin_mod.Twin(flash, link, log=log, buttons=load_buttons(buttons) if buttons else ()).serve()
    except sim.SimError as e:
        raise UserError(str(e)) from None
