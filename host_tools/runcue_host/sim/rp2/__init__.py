"""The emulated Pico's host half: MicroPython's official rp2 port in rp2040js, as ``sim --board rp2``.

``simulator/rp2/harness.js`` is the Pico (its flash in a 2 MB image, the OLED, buttons and piezo
as device models).  The host side is three modules:

- ``emulator.py``: the firmware and bootrom files, one run of the harness, the Pico on a pty;
- ``screens.py``: the marks by which the host tells its screens apart;
- here: the firmware bundle put on the image the way ``make deploy`` puts it on a real Pico
  (mpremote through the USB serial: into the ROMFS partition of a build that has one, else
  ``fs cp`` to LittleFS), only when the bundle on the image is not this
  one; a program or plan pushed as ``runcue program push`` does; ``run`` (sessions on the image
  in virtual time, as ``runcue sim run``), ``twin`` and ``read_flash``.
"""

import os
import signal
import tempfile
import threading
from pathlib import Path

from runcue_host import sim
from runcue_host.sim.rp2.emulator import (
    BOARD,
    BOOT_DEADLINE_S,
    BOOTROM_ENV,
    EXIT_BAD_FILE,
    EXIT_RESET,
    FIRMWARE_ENV,
    HERE,
    MPREMOTE,
    RESETS_MAX,
    RUN_DEADLINE_S,
    Harness,
    PtyWatch,
    files,
    mpremote,
    open_image,
    wait_repl,
)
from runcue_host.sim.run import NO_PROGRAM
from runcue_host.watch import deploy

__all__ = ["BOOTROM_ENV", "BOOT_DEADLINE_S", "FIRMWARE_ENV", "HERE", "MPREMOTE", "Harness", "PtyWatch",
           "deploy_bundle", "files", "filesystem", "installed_id", "mpremote", "prepare", "push", "read_flash", "run",
           "twin", "wait_repl"]


READ_ID = "try:\n print('fw=' + open('/fw.id').read())\nexcept OSError:\n print('fw=')\n"


def installed_id(port):
    out = mpremote(port, "exec", READ_ID)
    lines = [ln for ln in out.splitlines() if ln.startswith("fw=")]
    return lines[-1][3:].strip() if lines else ""


def deploy_bundle(port):
    """``make deploy`` on the emulated Pico: the bundle copied with mpremote when it is not there yet."""
    bundle, bid = deploy.build(BOARD)
    if installed_id(port) == bid:
        return False
    deploy.install(bundle, lambda *args: mpremote(port, *args))
    return True


def push(port, kind, text):
    """``runcue program push`` / ``plan push``: the watch checks and stores it (a plan session by
    session, its index last); its reply."""
    from runcue import plan
    from runcue_host.watch.link import Watch
    from runcue_host.watch.push import send_plan

    with Watch(port, deadline_s=60) as w:
        if kind == "plan":
            return send_plan(w, plan.loads(text))
        return w.put("put_program", text.encode())


def prepare(image, firmware, bootrom, program_json=None, plan_json=None):
    """Deploy the firmware on the image (when not there yet) and push a program or plan: what was done."""
    done = {}
    if not (program_json or plan_json):
        try:
            installed = read_flash(image)["fw_id"]
        except sim.SimError:  # never booted: no filesystem yet
            installed = ""
        if installed == deploy.build(BOARD)[1]:
            return {"installed": False}  # nothing to do: the watch need not even boot
    with PtyWatch(image, firmware, bootrom) as w:
        h = w.harness
        assert h is not None
        if h.wait_event("usb", BOOT_DEADLINE_S) is None:
            raise sim.SimError(h.bad_file())
        if not wait_repl(w.port, BOOT_DEADLINE_S):
            raise sim.SimError("%s: the emulated Pico gives no REPL on its USB serial" % image)
        done["installed"] = deploy_bundle(w.port)
        if program_json or plan_json:
            kind = "program" if program_json else "plan"
            n = len(h.events)
            done[kind] = push(w.port, kind, program_json or plan_json)
        n = len(h.events)
        if not (program_json or plan_json):  # mpremote left the REPL: the app runs again, as after a deploy
            from runcue_host.watch.link import restart_app

            restart_app(w.port)
        if h.wait_event("show", BOOT_DEADLINE_S, after=n, name=sim.HOME) is None:  # the app is up: nothing in flight
            raise sim.SimError("the emulated Pico did not show its home screen after the deploy")
    return done


def _has_program(image):
    """True when the image holds a program or plan (read without booting)."""
    try:
        return read_flash(image).get("program") is not None
    except sim.SimError:  # never booted: no filesystem yet
        return False


def run(image, firmware=None, bootrom=None, buttons=None, sessions=1, clock="virtual", cut_at_write=0,
        screenshots=None, program_json=None, plan_json=None, deadline_s=RUN_DEADLINE_S):
    """``runcue sim run --board rp2``: sessions on the emulated Pico; a sim.RunResult of its events.

    As the unix sim: formats (here: makes and deploys) a missing image, refuses presses for a
    watch that cannot have a program, and a button script that can no longer progress.
    """
    firmware, bootrom = files(firmware, bootrom)
    image = Path(image)
    if buttons is None:
        # a minute between sessions, not the unix sim's two days: the Pico has no clock to see the days
        # (it starts unset at every power-up), and two days of its 20 ms button polls take long to emulate
        buttons = sim.default_client(sessions, 60000 if clock == "virtual" else 2000)
    pushed = program_json or plan_json
    sim.check_new_file(image, "the watch's flash image")
    if buttons and not pushed and (not image.exists() or not _has_program(image)):
        raise sim.SimError("%s: %s" % (image, NO_PROGRAM))
    fd = open_image(image)
    try:
        prepare(image, firmware, bootrom, program_json, plan_json)
        events, code, other = [], 0, []
        script = buttons
        for _ in range(RESETS_MAX + 1):
            h = Harness(image, firmware, bootrom, clock=clock, usb=False, buttons=script,
                        cut_at_op=cut_at_write, screenshots=screenshots, exit_when_idle=True)
            try:
                code = h.wait(deadline_s)
            finally:
                h.close()
            events += h.events
            other += h.other
            if code == EXIT_BAD_FILE:
                raise sim.SimError(h.bad_file())
            resets = [obj for kind, obj in h.events if kind == "reset"]
            if code != EXIT_RESET or not resets:
                break
            script = resets[-1].get("left", [])  # the presses not made yet, for the watch after its reset
            cut_at_write = 0
    finally:
        os.close(fd)
    result = sim.RunResult(code, events, "\n".join(other[-30:]))
    stuck = result.of("stuck")
    if stuck and code == 0:
        raise sim.SimError("%s: the button script waits for the \"%s\" screen, but the watch stays on \"%s\" "
                           "with nothing left to do" % (image, stuck[0]["waiting"][0], stuck[0]["screen"]))
    return result


def twin(image, link, firmware=None, bootrom=None, log=None, buttons=()):
    """``runcue sim twin --board rp2``: the emulated Pico on LINK (a pty) until SIGTERM/SIGINT."""
    from runcue_host.sim import twin as unix_twin

    firmware, bootrom = files(firmware, bootrom)
    link = Path(link)
    unix_twin.check_link(link)
    fd = open_image(image)
    stop = threading.Event()
    try:
        prepare(image, firmware, bootrom)
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        with PtyWatch(image, firmware, bootrom, clock="real", link=link, log=log, buttons=list(buttons)) as w:
            while not stop.is_set() and w.alive():
                stop.wait(0.2)
            if not stop.is_set():
                raise sim.SimError("%s: the emulated Pico stopped: %s" % (image, w.harness and w.harness.bad_file()))
    finally:
        os.close(fd)


LFS_MAGIC = b"littlefs"  # in a superblock, 8 bytes into the block, then a tag and the sizes
ROMFS_HEADER = b"\xd2\xcd\x31"  # a ROMFS image begins so, then its size (7 bits a byte, high bit: more)
ROMFS_MAX = 1024 * 1024  # a ROMFS partition lies just below the filesystem, within this


def filesystem(data, image):
    """Where the LittleFS partition of the flash ``data`` begins: the rp2 port keeps it at the end."""
    for at in range(0, len(data), 4096):
        if data[at + 8:at + 16] == LFS_MAGIC:
            block_size, blocks = int.from_bytes(data[at + 24:at + 28], "little"), \
                int.from_bytes(data[at + 28:at + 32], "little")
            if block_size == 4096 and 2 <= blocks <= len(data) // block_size:
                return len(data) - blocks * block_size
    raise sim.SimError("%s: no LittleFS on this Pico image (was the firmware ever booted on it?)" % image)


def romfs(data, fs_start):
    """The ROMFS image below the filesystem (bytes), b"" when there is none."""
    for at in range(fs_start - 4096, max(0, fs_start - ROMFS_MAX), -4096):
        if data[at:at + 3] == ROMFS_HEADER:
            size, pos = 0, at + 3
            while pos < at + 8:
                size = (size << 7) | (data[pos] & 0x7F)
                pos += 1
                if not data[pos - 1] & 0x80:
                    break
            if pos + size <= fs_start:
                return data[at:pos + size]
    return b""


def read_flash(image):
    """The image's files, whole log and program in force (sim.read_flash on its filesystem, with the
    modules of its ROMFS when it has one), without booting.

    Taken as it is at this moment (no lock: a run may hold it, and a copy is read)."""
    data = Path(image).read_bytes()
    start = filesystem(data, image)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "fs.img"
        copy.write_bytes(data[start:] + b"\xff" * sim.RTC_BYTES)  # as the unix sim's image: the blocks, an unset clock
        rom = romfs(data, start)
        if rom:
            (Path(tmp) / "rom.romfs").write_bytes(rom)
        return sim.read_flash(copy, str(Path(tmp) / "rom.romfs") if rom else None)
