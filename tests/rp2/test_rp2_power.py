"""Power cuts on the emulated Pico: at a sample of the flash programs/erases of a session.

The harness stops the K-th program or erase halfway (the first half of its bytes
reach the flash), keeps the image as it was then and kills the emulator; the
next boot must recover as on the unix sim: what was logged before is kept byte
for byte, the cut session is closed (interrupted, or completed when its end
had reached flash), and the next session runs.  ``make faults`` cuts at every one
(RUNCUE_RP2_EVERY_WRITE=1).
"""

import os
import shutil

import pytest

from runcue import records
from runcue_host import sim
from runcue_host.authoring import program_file
from runcue_host.sim import rp2 as pico

TINY = "10s walk, 2x(10s run, 10s walk)"


def _sessions(log):
    status = {}
    seq = None
    for t, f in records.decode_all(log):
        if t == records.START:
            seq = f[0]
            status[seq] = None
        elif t == records.END:
            status[seq] = f[0]
    return status


@pytest.fixture(scope="module")
def one_session(pico_template, tmp_path_factory):
    """An image holding one completed session of TINY, and the flash operations the next one takes."""
    image = tmp_path_factory.mktemp("rp2cut") / "base.img"
    shutil.copyfile(pico_template, image)
    first = pico.run(image, program_json=program_file.load_spec(TINY)[0].to_json())
    assert first.returncode == 0, first.stderr_tail
    probe = tmp_path_factory.mktemp("rp2probe") / "probe.img"
    shutil.copyfile(image, probe)
    second = pico.run(probe)
    assert second.returncode == 0, second.stderr_tail
    return image, second.counts()["writes"] + second.counts()["erases"]


def test_a_power_cut_at_a_sample_of_flash_writes_recovers_on_the_next_boot(one_session, tmp_path):
    base, ops = one_session
    assert ops >= 4
    before = pico.read_flash(base)["log"]
    every = os.environ.get("RUNCUE_RP2_EVERY_WRITE") == "1"
    for k in range(1, ops + 1) if every else sorted({1, ops // 2, ops}):  # else: the first, one mid-session, the last
        image = tmp_path / ("cut%d.img" % k)
        shutil.copyfile(base, image)
        os.chmod(image, 0o600)
        cut = pico.run(image, cut_at_write=k)
        assert cut.power_cut and cut.returncode != 0, "no power cut at write %d of %d" % (k, ops)
        assert cut.counts()["write"] == k
        again = pico.run(image)  # the next boot recovers, then a whole session runs
        assert again.returncode == 0, again.stderr_tail
        assert again.of("show")[0]["name"] == sim.HOME
        log = pico.read_flash(image)["log"]
        assert log.startswith(before), "cut at %d: the earlier session changed" % k
        status = _sessions(log)
        assert status[1] == records.COMPLETED
        assert status[max(status)] == records.COMPLETED, (k, status)
        assert all(v in (records.COMPLETED, records.INTERRUPTED) for v in status.values()), (k, status)
