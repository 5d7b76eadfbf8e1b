"""The session log keeps every run through power cuts and full flash, and syncs each once.

Every scenario runs twice from one driver (tests/portable/logstore_scenarios.py):
on CPython in a temp dir, and on the real MicroPython unix port with a real
LittleFS (VfsLfs2) on a RAM block device.
"""

import pytest

from runcue import records as R

from conftest import run_driver

_results = {}


def facts(interpreter, scenario):
    if interpreter not in _results:
        _results[interpreter] = run_driver(interpreter, "logstore_scenarios", "logstore_scenarios.json")
    return _results[interpreter][scenario]


def session(seq, frames=20, first=R.START, last=R.END):
    return [seq, frames, first, last]


def test_week1_session_takes_189_bytes(interpreter):
    f = facts(interpreter, "write_reopen_read")["bytes_per_session"]
    print("\n%s: Couch-to-5K week-1 session = %d bytes in %d frames: %s"
          % (interpreter, f["total"], f["frames"], f["by_type"]))
    assert f == {"total": 189, "frames": 20, "by_type": {"start": 31, "seg": 17 * 8, "checkin": 9, "end": 13}}
    assert f["total"] <= 200  # the design's target


def test_sessions_survive_a_reopen(interpreter):
    f = facts(interpreter, "write_reopen_read")["reopen"]
    assert f["sessions"] == [[1, R.COMPLETED], [2, R.COMPLETED], [3, R.STOPPED], [4, R.COMPLETED],
                             [5, R.COMPLETED]]
    assert f["recovered"] == {"cut_bytes": 0, "closed": []}
    assert (f["boots"], f["same_id"], f["id_len"], f["next_seq"]) == (2, True, 16, 6)
    assert (f["first"], f["last_closed"], f["unsynced"], f["bytes_used"]) == (1, 5, 5, 5 * 189)
    assert f["files"] == ["00000001.log"]


def test_sync_service_open_is_not_a_boot(interpreter):
    assert facts(interpreter, "write_reopen_read")["sync_open_boots"] == [2, 3]


def test_read_from_returns_whole_sessions_by_cursor(interpreter):
    f = facts(interpreter, "write_reopen_read")
    assert f["chunks"] == [[1, 378, 3, [session(1), session(2)]],
                           [3, 378, 5, [session(3), session(4)]],
                           [5, 189, 6, [session(5)]]]
    assert f["whole_equals_chunks"]
    assert f["at_end"] == [0, 6]  # nothing new: the cursor stays
    assert f["tiny"] == [189, 3, [session(2)]]  # max_bytes too small: still one whole session
    assert f["beyond"] == [0, 99]


@pytest.mark.parametrize("how,cut,status,tail", [
    ("truncate", 8, R.INTERRUPTED, [R.END, [R.INTERRUPTED, 1500, 1500]]),
    ("garbage", 11, R.COMPLETED, [R.END, [R.COMPLETED, 1800, 1800]]),
    ("flip", 13, R.INTERRUPTED, [R.END, [R.INTERRUPTED, 1500, 1500]]),
])
def test_torn_tail_is_cut_and_everything_before_kept(interpreter, how, cut, status, tail):
    f = facts(interpreter, "torn_" + how)
    closed = [3] if status == R.INTERRUPTED else []
    assert f["recovered"] == {"cut_bytes": cut, "closed": closed}
    assert f["prefix_kept"]
    assert f["sessions"] == [[1, R.COMPLETED], [2, R.COMPLETED], [3, status]]
    assert f["intact_file"] == [session(1), session(2), session(3)]
    assert f["tail"] == tail  # a lost END is replaced at the last SEG (1500 s), not at 1800
    assert f["size_change"] == 0 and f["next_seq"] == 4


def test_unfinished_session_is_closed_interrupted_at_its_last_record(interpreter):
    f = facts(interpreter, "interrupted")
    assert f["recovered"] == {"cut_bytes": 0, "closed": [2]}
    assert f["sessions"] == [[1, R.COMPLETED], [2, R.INTERRUPTED]]
    assert f["tail"] == [R.END, [R.INTERRUPTED, 450, 480]]  # last SKIP at 450 s, 30 s paused
    assert f["read"] == [[session(2, 8)], 3]
    assert (f["next_seq"], f["unsynced"]) == (3, 2)


def test_session_in_progress_is_never_read_or_acked(interpreter):
    f = facts(interpreter, "interrupted")["during"]
    assert f["oks"] == [True] * 6
    assert f["read"] == [[session(1)], 2]
    assert f["sessions"] == [[1, R.COMPLETED], [2, 0]]
    assert (f["unsynced"], f["last_closed"], f["ack_open"]) == (1, 1, "ValueError")


def test_checkin_after_end_belongs_to_its_session(interpreter):
    f = facts(interpreter, "late_checkin")
    assert (f["nothing_ended"], f["logged"], f["twice"]) == (False, [True, True], False)
    # session 2's check-in never came (power cut on that screen): still completed, not interrupted
    assert f["recovered"] == {"cut_bytes": 0, "closed": []}
    assert f["off"] == [True, [False] * 17 + [True, True]]  # logging off: SUMMARY, then the check-in
    assert f["sessions"] == [[1, R.COMPLETED], [2, R.COMPLETED], [3, R.COMPLETED]]
    assert f["shapes"] == [session(1, 20, R.START, R.CHECKIN), session(2, 19),
                           session(3, 2, R.SUMMARY, R.CHECKIN)]
    # a torn check-in is cut; its session stays whole
    assert f["torn"] == [{"cut_bytes": 6, "closed": []}, f["sessions"], [session(3, 1, R.SUMMARY, R.SUMMARY)]]


@pytest.mark.parametrize("case", ["state_deleted", "state_corrupt", "all_trimmed",
                                  "all_trimmed_state_deleted"])
def test_seq_is_never_reused(interpreter, case):
    f = facts(interpreter, "reuse_" + case)
    assert f["seq"] == 3
    if "trimmed" in case:
        assert f["files"] == ["00000003.log"] and f["sessions"] == [[3, R.COMPLETED]]
    else:
        assert f["sessions"] == [[1, R.COMPLETED], [2, R.COMPLETED], [3, R.COMPLETED]]
    # the device id has a file of its own, written once: a lost state file keeps the identity
    assert f["same_id"]
    # the boot count lives in the state file: it starts over without it
    assert f["boots"] == (2 if "state" not in case else 1)


def test_ack_removes_only_files_whose_sessions_are_all_acked(interpreter):
    f = facts(interpreter, "ack_trim")
    files = ["00000001.log", "00000004.log", "00000007.log"]
    assert f["files"] == files  # 512-byte segments: three 189-byte sessions a file
    assert f["steps"] == [
        [2, 2, 2, files, 1, 6],  # file 1 still holds session 3
        [5, 5, 5, files[1:], 4, 3],
        [3, 5, 5, files[1:], 4, 3],  # a lower ack never lowers the mark
        [6, 6, 6, files[2:], 7, 2],
        "ack 9 refused",  # above the last closed session
    ]
    # everything acked: every file goes, the seqs go on
    assert f["all_acked"] == [[], 0, 0, 8, 0, 8, []]
    assert f["after"] == [9, ["00000009.log"], 1]


@pytest.mark.parametrize("how", ["missing", "corrupt"])
def test_missing_or_corrupt_ack_mark_means_nothing_acked(interpreter, how):
    # acked 0; what is stored (7, 8) counts as unsynced and is read again
    assert facts(interpreter, "ack_trim")[how] == [0, 7, 2, [7, 8], 9]


def test_full_flash_turns_logging_off_softly_and_keeps_summaries(interpreter):
    f = facts(interpreter, "flash_full_reserve")
    assert f["error"] is None
    begun = sum(r[0] for r in f["runs"])
    assert f["runs"][0][1:] == [False, 0, True] and f["runs"][0][0] > 50
    assert f["runs"][-1] == [2, True, 18, True]  # off from the start: 18 writes refused, SUMMARY kept
    stored = f["stored"]
    assert stored["seqs"] == [1, begun, begun] and stored["next"] == begun + 1  # nothing lost
    assert stored["shapes"][-1] == [2, 1, R.SUMMARY, R.SUMMARY]
    assert all(s[3] in (R.END, R.SUMMARY) for s in stored["shapes"])
    seq = begun
    assert stored["last"] == [R.SUMMARY, [seq, 0x0123456789ABCDEF, 1, 1, 1767225600 + 86400 * seq, 1, 12, 3,
                                          R.COMPLETED, 1800, 1800, 4, 1, 0]]
    assert f["before"]["unsynced"] == begun and f["before"]["last_closed"] == begun
    # after ack + trim: logging is back on and a whole session is logged again
    assert f["resumed"] == [False, [], False, 0, [session(begun + 1)]]


def test_full_flash_without_reserve_never_raises(interpreter):
    # reserve 0: on LittleFS the writes themselves fail with ENOSPC
    f = facts(interpreter, "flash_full_enospc")
    assert f["error"] is None
    full = f["runs"][0]
    assert full[1:] == [False, 0, True] and full[0] > 50
    assert f["stored"]["seqs"][:2] == [1, f["stored"]["seqs"][2]]
    assert f["stored"]["shapes"][0] == [full[0], 20, R.START, R.END]  # what was logged is intact
    assert f["resumed"][0] is False and f["resumed"][2:4] == [False, 0]
    assert f["resumed"][4][0][1:] == [20, R.START, R.END]


def test_power_cut_at_any_write_keeps_completed_sessions(interpreter):
    f = facts(interpreter, "power_cut")
    if interpreter == "cpython":
        pytest.skip("needs LittleFS on a block device that can lose power")
    print("\npower cuts: %d in a session (third session then: %s), %d during the recovery after"
          % (f["cut_points"], f["outcomes"], f["recovery_cut_points"]))
    assert f["failures"] == []
    assert f["cut_points"] > 50 and f["recovery_cut_points"] > 20
    assert set(f["outcomes"]) <= {"absent", str(R.INTERRUPTED)}
