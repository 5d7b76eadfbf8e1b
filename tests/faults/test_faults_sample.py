"""A sample of every fault campaign (tests/faults/), in the normal suite: about a minute.

`make faults` runs the same campaigns at every block write and every protocol step; here a
few indexes of each, spread over the range (the first and the last always included):
power cuts during a session with a pause, a skip and the check-in, during a program and a
plan push, during an ack and trim, and during the recovery of a torn log; a sync broken
by the host, the twin or the link, then synced again; and a flash that fills up.
"""

import pytest

from faults import full, power, syncs


@pytest.fixture(scope="module")
def faults_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("faults")


@pytest.mark.parametrize("campaign,sample", [("session", 5), ("push", 3), ("ack", 2), ("recovery", 2)])
def test_power_cuts_sample(faults_dir, campaign, sample):
    stats = power.CAMPAIGNS[campaign](faults_dir, sample)
    stats.check()
    assert stats.tried >= sample


def test_broken_syncs_sample(faults_dir):
    stats = syncs.broken_syncs(faults_dir, sample=4, kills=1)
    stats.check()
    assert stats.tried == 5


@pytest.fixture(scope="module")
def filled(faults_dir):
    return full.flash_full(faults_dir)


def test_a_full_flash_keeps_every_session_and_a_sync_frees_it(filled):
    filled.check()


def test_a_full_flash_is_still_reported_after_a_reboot(filled):
    """Known bug, reported: at exactly the reserve free (whole blocks) the idle watch counts as not
    low (LogStore._low: free < reserve) and says logging is on, on the home screen after a reboot
    and in syncsvc.info(), while the next session can already only be a SUMMARY.  Whether the fill
    lands there depends on the block layout (the firmware's size): then this is an xfail."""
    if filled.reboot:
        pytest.xfail("known bug: " + "; ".join(filled.reboot))
