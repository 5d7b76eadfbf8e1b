"""One run of the simulated watch from what a person gives (a program spec, a button-script
file) to what they asked for (the flash image, a timeline file, screenshots) and its counts.

``runcue sim run`` (and the desk) call :func:`run`; it prints nothing.  A run the watch
ends with an error, and a bad argument, is a UserError; a power cut is a result.
"""

import json

from runcue_host import UserError, private_files, sim
from runcue_host.sim import buttons as button_script

CLOCKS = ("virtual", "real")
BOARDS = ("unix", "rp2")  # the MicroPython unix port; the official rp2 port in an emulated Pico (sim/rp2/)


def check_board(board, firmware=None, bootrom=None):
    if board not in BOARDS:
        raise UserError("sim: --board must be unix or rp2, not %r" % board)
    if board == "unix" and (firmware or bootrom):
        raise UserError("sim: --firmware and --bootrom are for --board rp2")


def run(flash, program="", sessions=1, buttons=None, clock="virtual", cut_at_write=0, timeline=None,
        screenshots=None, board="unix", firmware=None, bootrom=None):
    """Run on the image ``flash`` (made when missing): ``program`` (a spec) pushed first, the
    default client's ``sessions`` or the script in the file ``buttons``.  Writes the buzzer
    timeline (JSON, owner-only) to ``timeline`` and each new screen as a PNG into
    ``screenshots`` when given.  Returns {"power_cut", "sessions", "cues", "writes", "erases",
    "mid_session"} (mid_session: the screen a button script ended on, mid-session, or None).
    ``board`` "rp2": on the emulated Pico, with its ``firmware`` (.uf2) and ``bootrom``; its writes
    and erases are flash programs and erases."""
    from runcue_host.authoring import program_file

    check_board(board, firmware, bootrom)
    if clock not in CLOCKS:
        raise UserError("sim run: --clock must be virtual or real, not %r" % clock)
    prog_json = program_file.load_spec(program)[0].to_json() if program else None
    script = button_script.load(buttons) if buttons else None
    try:
        if board == "rp2":
            from runcue_host.sim import rp2

            result = rp2.run(flash, firmware, bootrom, buttons=script, sessions=sessions, clock=clock,
                             cut_at_write=cut_at_write, screenshots="changes" if screenshots else None,
                             program_json=prog_json)
        else:
            result = sim.run(flash, buttons=script, sessions=sessions, clock=clock, cut_at_write=cut_at_write,
                             screenshots="changes" if screenshots else None, program_json=prog_json)
    except sim.SimError as e:
        raise UserError(str(e)) from None
    if timeline:
        private_files.write(timeline, json.dumps(sim.timeline(result), indent=1).encode(),
                            ("--timeline", "the timeline"))
    if screenshots:
        sim.write_screenshots(result, screenshots)
    if not result.power_cut and result.returncode != 0:
        raise UserError("sim run: the watch stopped with an error (exit %d):\n%s" % (
            result.returncode, result.stderr_tail))
    counts = result.counts()
    return {"power_cut": result.power_cut, "sessions": sum(1 for s in result.of("show") if s["name"] == "summary"),
            "cues": len(result.of("cue")), "writes": counts["writes"], "erases": counts["erases"],
            "mid_session": None if result.power_cut else result.mid_session()}
