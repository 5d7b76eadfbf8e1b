"""Where the installed package keeps the trees it ships beside the host code.

The watch's firmware (``firmware/``), the portable core (``lib/runcue``) and the
simulator's boot files (``simulator/``) are package data of the wheel
(``runcue_firmware``, ``runcue``, ``runcue_simulator``), found with
importlib.resources: a wheel, an editable install (``make setup``) and a
checkout all answer the same way, and nothing walks up a source tree.
"""

from importlib import resources
from pathlib import Path


def _tree(package):
    """The directory of a shipped tree (each is a plain directory of files, never a zip)."""
    return Path(str(resources.files(package)))


def firmware_dir():
    """The firmware's sources: main.py, the app, boards/ and drivers/."""
    return _tree("runcue_firmware")


def core_dir():
    """The portable core (lib/runcue), as it goes to /lib/runcue on a watch."""
    return _tree("runcue")


def simulator_dir():
    """The files the MicroPython unix port runs to be the simulated watch (sim_boot.py...)."""
    return _tree("runcue_simulator")
