"""The core's portable vectors (tests/vectors/) on the rp2 port: the answers CPython gives.

The same drivers the unix port runs (tests/portable/) are copied to the emulated
Pico with mpremote and run there against the core as deployed (.mpy in /lib).
The app is taken off first (main.py removed, then a machine.reset()), so its
watchdog does not run while the drivers do.
"""

import importlib
import json
import shutil
import subprocess

import pytest

from runcue_host.sim import rp2 as pico

import mpy
from conftest import VECTORS, load_vectors

DRIVERS = [("program_driver", "programs.json"), ("engine_driver", "engine_traces.json"),
           ("records_driver", "records.json"), ("progress_driver", "progress.json")]
RUN = ("import sys, json\nsys.path.append('/vec')\nimport {driver}\n"
       "with open('/vec/{vectors}') as f:\n    v = json.load(f)\nprint('OUT=' + json.dumps({driver}.run(v)))\n")


@pytest.fixture(scope="module")
def pico_answers(pico_template, rp2_files, tmp_path_factory):
    image = tmp_path_factory.mktemp("rp2vec") / "watch.img"
    shutil.copyfile(pico_template, image)
    answers = {}
    with pico.PtyWatch(image, *rp2_files) as w:
        assert w.harness.wait_event("show", pico.BOOT_DEADLINE_S, name="home") is not None
        pico.mpremote(w.port, "fs", "rm", ":main.py")
        subprocess.run([str(pico.MPREMOTE), "connect", w.port, "reset"], capture_output=True, timeout=60)
        assert w.wait_restart(1), "the Pico did not come back after its reset"
        files = [str(mpy.PORTABLE / (d + ".py")) for d, _ in DRIVERS] + [str(VECTORS / v) for _, v in DRIVERS]
        pico.mpremote(w.port, "fs", "mkdir", ":/vec", "+", "fs", "cp", *files, ":/vec/")
        for driver, vectors in DRIVERS:
            out = pico.mpremote(w.port, "exec", RUN.format(driver=driver, vectors=vectors), deadline_s=300)
            line = [ln for ln in out.splitlines() if ln.startswith("OUT=")]
            assert line, out[-500:]
            answers[driver] = json.loads(line[-1][4:])
    return answers


@pytest.mark.parametrize("driver,vectors", DRIVERS)
def test_the_rp2_port_answers_every_vector_as_cpython_does(pico_answers, driver, vectors):
    cpython = json.loads(json.dumps(importlib.import_module(driver).run(load_vectors(vectors))))
    assert pico_answers[driver] == cpython
