"""The watch on MicroPython's official rp2 port, in the emulated RP2040 (simulator/rp2/).

The firmware .uf2 and the RP2040 bootrom are not in the repository (no package
registry ships them): RUNCUE_RP2_FIRMWARE / RUNCUE_RP2_BOOTROM name them, and
when they are unset, ``../shared/emu/`` beside the checkout is used when it is
there.  Without them (or without node), every test here is skipped, saying why.

One image is made per test session (the firmware deployed with mpremote, a
short program pushed: ~35 s); each test plays on its own copy of it.
"""

import os
import shutil
from pathlib import Path

import pytest

from runcue import program
from runcue_host.sim import rp2 as pico

ROOT = Path(__file__).resolve().parents[2]

EMU_DIRS = (ROOT.parent / "shared" / "emu", Path("/work/shared/emu"))
FIRMWARE_NAME = "micropython-1.28.0-RPI_PICO.uf2"
BOOTROM_NAME = "rp2040-bootrom-b1.bin"
# 3 minutes: a walk, then two rounds of run and walk (every kind of cue, rounds on the screen)
SHORT = program.make("short", "en", [["walk", 60000], ["x", 2, [["run", 30000], ["walk", 30000]]]])


def _find_files():
    for d in EMU_DIRS:
        if not os.environ.get(pico.FIRMWARE_ENV) and (d / FIRMWARE_NAME).exists():
            os.environ[pico.FIRMWARE_ENV] = str(d / FIRMWARE_NAME)
        if not os.environ.get(pico.BOOTROM_ENV) and (d / BOOTROM_NAME).exists():
            os.environ[pico.BOOTROM_ENV] = str(d / BOOTROM_NAME)
    firmware, bootrom = os.environ.get(pico.FIRMWARE_ENV), os.environ.get(pico.BOOTROM_ENV)
    if not firmware or not Path(firmware).exists() or not bootrom or not Path(bootrom).exists():
        return None, "no rp2 firmware/bootrom: set %s and %s (see simulator/rp2/README.md)" % (
            pico.FIRMWARE_ENV, pico.BOOTROM_ENV)
    if not shutil.which("node") or not (ROOT / "simulator" / "rp2" / "node_modules" / "rp2040js").is_dir():
        return None, "no node or rp2040js: run make setup"
    return (firmware, bootrom), ""


@pytest.fixture(scope="session")
def short():
    """The program in force on ``pico_template``."""
    return SHORT


@pytest.fixture(scope="session")
def rp2_files():
    found, why = _find_files()
    if not found:
        pytest.skip(why)
    return found


@pytest.fixture(scope="session")
def pico_template(rp2_files, tmp_path_factory):
    """An image with the firmware deployed and SHORT in force: copy it, never change it."""
    image = tmp_path_factory.mktemp("pico") / "template.img"
    done = pico.prepare(image, *rp2_files, program_json=SHORT.to_json())
    assert done["installed"] and done["program"]["id"] == SHORT.id()
    return image


@pytest.fixture
def pico_image(pico_template, tmp_path):
    image = tmp_path / "watch.img"
    shutil.copyfile(pico_template, image)
    os.chmod(image, 0o600)
    return image
