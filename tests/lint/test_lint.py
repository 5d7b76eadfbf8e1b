"""The conventions hold: ruff on everything, pyright on the host and on core + firmware
against the MicroPython stubs of each port (what `make lint` runs)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def test_ruff_finds_nothing():
    proc = subprocess.run([str(BIN / "ruff"), "check", "lib", "firmware", "host_tools", "simulator", "tests", "bench"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:]


@pytest.mark.parametrize("config", ["pyrightconfig.json", "pyrightconfig.mp.json", "pyrightconfig.rp2.json"])
def test_pyright_finds_no_type_errors(config):
    if "mp" in config or "rp2" in config:
        stubs = ROOT / "typings" / ("rp2" if "rp2" in config else "esp32")
        assert stubs.is_dir(), "the MicroPython stubs are missing: run `make setup`"
    proc = subprocess.run([str(BIN / "pyright"), "-p", config], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
