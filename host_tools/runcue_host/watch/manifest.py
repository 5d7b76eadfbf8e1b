"""What goes on a watch: the boards and every file of the firmware, listed once.

As a micropython-lib ``manifest.py`` says what a package installs, this list says
what a watch holds; ``make deploy`` (watch/deploy.py), the simulator's flash image
(the ``sim`` board), the rp2 emulator's board and the tests all read it.  A file
missing here never reaches a watch, so a test checks that every module of the
firmware and of the core is listed (or is one of the markers left out on purpose).

Each entry is (destination on the watch, tree, path in the tree); the trees are
the shipped directories of ``runcue_host.shipped``.  ``main.py`` stays source (a
board runs it by name); everything else is precompiled to .mpy by deploy.
"""

from runcue_host import shipped

# board name -> what it is (the module is firmware/boards/<name>.py)
BOARDS = {
    "sim": "the simulated watch: the MicroPython unix port with a LittleFS image (simulator/)",
    "m5stickc_plus2": "M5StickC Plus2: ESP32, built-in buzzer, two buttons, colour LCD, RTC",
    "pico_oled": "Raspberry Pi Pico: RP2040, piezo on PWM, two buttons, SSD1306 OLED",
}
SIM = "sim"  # the board the simulated watch on the unix port boots
MAIN = "main.py"  # the boot file, at the root of the watch's flash

CORE = ("__init__.py", "cues.py", "engine.py", "logstore.py", "logsync.py", "paths.py", "plan.py", "planstore.py",
        "program.py", "records.py", "resume.py", "syncsvc.py", "ticks.py")  # lib/runcue -> /lib/runcue
APP = ("app.py", "crash.py", "screens.py", "ui.py")  # firmware/ -> /lib
DRIVERS = ("__init__.py", "battery.py", "bm8563.py", "buttons.py", "clock.py", "flash.py", "piezo.py",
           "st7789.py")  # firmware/drivers -> /lib/drivers: every board gets all of them
BOARD_DRIVERS = {"pico_oled": ("ssd1306.py",)}  # firmware/drivers -> /lib/drivers: only that board's bundle
NOT_ON_THE_WATCH = ("__init__.py",)  # firmware/__init__.py: the package marker of the wheel


class UnknownBoard(ValueError):
    """A board name that is not in BOARDS."""


def check_board(board):
    """``board`` when the manifest knows it (None: every board), else UnknownBoard."""
    if board is not None and board not in BOARDS:
        raise UnknownBoard("no board %r (boards: %s)" % (board, ", ".join(BOARDS)))
    return board


def files(board=None):
    """(destination on the watch, source file) for every file of one board's bundle (None: all boards)."""
    check_board(board)
    firmware, core = shipped.firmware_dir(), shipped.core_dir()
    out = [(MAIN, firmware / MAIN)]
    out += [("lib/runcue/" + name, core / name) for name in CORE]
    out += [("lib/" + name, firmware / name) for name in APP]
    boards = ["__init__"] + [b for b in BOARDS if board in (None, b)]
    out += [("lib/boards/%s.py" % b, firmware / "boards" / (b + ".py")) for b in sorted(boards)]
    drivers = list(DRIVERS) + [d for b, names in BOARD_DRIVERS.items() if board in (None, b) for d in names]
    out += [("lib/drivers/" + name, firmware / "drivers" / name) for name in sorted(drivers)]
    return out
