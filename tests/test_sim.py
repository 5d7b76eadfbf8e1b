"""The unmodified firmware on the real MicroPython unix port, run by `runcue sim`."""

import os

import pytest

from runcue import cues, program, records
from runcue_host import sim

WEEK1 = program.make("C25K week 1", "en",
                     [["walk", 300000], ["x", 8, [["run", 60000], ["walk", 90000]]], ["walk", 300000]])
T0 = 1500  # the session starts when the check-in before it is skipped (see PAUSED_RUN)
PAUSE_AT, PAUSE_FOR = 100000, 60000

PAUSED_RUN = [
    {"on": "home", "presses": ["A"], "delay_ms": 1000},
    {"on": "checkin_before", "presses": ["A"], "delay_ms": 500},  # skip the mood question
    {"on": "running", "presses": ["A"], "delay_ms": PAUSE_AT},
    {"on": "paused", "presses": ["A"], "delay_ms": PAUSE_FOR},
    {"on": "checkin_after", "presses": ["B", "B", "B", "B", "A"], "delay_ms": 300},
    {"on": "checkin_talk", "presses": ["A"], "delay_ms": 300},
    {"on": "summary", "presses": ["A"], "delay_ms": 300},
]


def _planned_cues(exp, offset):
    """(t_ms, first note) of every cue the plan calls for, pauses included."""
    def at(plan_ms):
        return T0 + plan_ms + (PAUSE_FOR if plan_ms > PAUSE_AT else 0) + offset

    out = []
    for i in range(1, exp.n + 1):
        start = exp.start_ms[i]
        out += [(at(start - k * 1000), cues.TONE_COUNTDOWN[:2]) for k in (3, 2, 1)]
        tone = cues.TONE_FINISHED if i == exp.n else cues.TONES[cues.KIND_CUES[exp.kind[i]]]
        out.append((at(start), tone[:2]))
    return out


@pytest.fixture(scope="module")
def paused_run(tmp_path_factory):
    image = tmp_path_factory.mktemp("sim") / "watch.img"
    # ticks start 10 minutes before the 2**30 wrap-around: the run crosses it
    result = sim.run(image, buttons=PAUSED_RUN, program_json=WEEK1.to_json(), tick_offset=2**30 - 600000)
    assert result.returncode == 0, result.stderr_tail
    return image, result


def test_every_cue_sounds_at_its_planned_time_across_a_pause_and_a_tick_wrap(paused_run):
    _, result = paused_run
    events = sim.timeline(result)["events"]
    tones = {(e["t_ms"], (e["freq_hz"], e["dur_ms"])) for e in events if "freq_hz" in e}
    exp = WEEK1.expand()
    planned = _planned_cues(exp, 0)
    missing = [c for c in planned if (c[0], c[1]) not in tones]
    assert not missing, missing[:5]
    # run and walk cues differ by rhythm: their first notes differ in length
    assert cues.TONE_RUN[1] != cues.TONE_WALK[1]


def test_the_pause_is_silent_and_the_whole_run_takes_plan_plus_pause(paused_run):
    _, result = paused_run
    shows = result.of("show")
    paused = next(s["t_ms"] for s in shows if s["name"] == "paused")
    assert paused == T0 + PAUSE_AT
    tones = [e for e in sim.timeline(result)["events"] if "freq_hz" in e]
    inside = [e for e in tones if paused + 1000 < e["t_ms"] < paused + PAUSE_FOR]
    assert inside == []
    after = next(s["t_ms"] for s in shows if s["name"] == "checkin_after")
    assert after == T0 + 1800000 + PAUSE_FOR


def test_the_log_on_flash_decodes_to_the_session_that_was_played(paused_run):
    image, _ = paused_run
    flash = sim.read_flash(image)
    frames = records.decode_all(flash["log"])
    kinds = [records.TYPE_NAMES[t] for t, _ in frames]
    assert kinds == ["start", "pause", "resume"] + ["seg"] * 17 + ["end", "checkin"]
    start = frames[0][1]
    assert start[0] == 1 and records.id_hex(start[1]) == WEEK1.id()
    assert start[7] == 0  # mood before: skipped
    exp = WEEK1.expand()
    segs = [f[0] for t, f in frames if t == records.SEG]
    assert segs == [exp.start_ms[i] // 1000 for i in range(1, exp.n)]
    assert frames[1][1] == (PAUSE_AT // 1000,)
    assert frames[2][1] == (PAUSE_FOR // 1000,)
    assert frames[-2][1] == (records.COMPLETED, 1800, 1800 + PAUSE_FOR // 1000)
    assert frames[-1][1] == (4, 1, 0)  # mood 4, could talk, no stop reason
    assert len(flash["log"]) <= 200 + 16  # + the pause and resume frames


def test_the_image_holds_only_what_a_watch_holds(paused_run):
    image, _ = paused_run
    files = sim.read_flash(image)["files"]
    assert "/main.py" in files and "/program.json" in files and "/log/state" in files
    assert all(f.startswith(("/lib/", "/log/")) or f in ("/main.py", "/program.json", "/fw.id", "/note")
               for f in files), files
    assert oct(os.stat(image).st_mode & 0o777) == "0o600"


def test_a_250_segment_program_runs_in_a_64k_heap(tmp_path):
    # 64wK: 64 KB on a 32-bit watch.  The unix port is 64-bit, where every object is made
    # of 8-byte words; MicroPython's `w` scales the size to that (32-bit as the baseline).
    prog = program.make("long", "en", [["x", 125, [["run", 30000], ["walk", 30000]]]])
    assert prog.segments == 250
    result = sim.run(tmp_path / "w.img", program_json=prog.to_json(), heapsize="64wK")
    assert result.returncode == 0, result.stderr_tail
    assert [s["name"] for s in result.of("show")][-2:] == ["summary", "home"]
    frames = records.decode_all(sim.read_flash(tmp_path / "w.img")["log"])
    assert sum(1 for t, _ in frames if t == records.SEG) == 249
    assert frames[-2][1][0] == records.COMPLETED


def test_a_power_cut_mid_session_keeps_earlier_sessions_and_closes_the_cut_one(tmp_path):
    image = tmp_path / "w.img"
    prog = program.make("short", "en", [["walk", 60000], ["x", 3, [["run", 30000], ["walk", 30000]]]])
    first = sim.run(image, program_json=prog.to_json())
    assert first.returncode == 0, first.stderr_tail
    before = sim.read_flash(image)["log"]
    cut = sim.run(image, cut_at_write=12)
    assert cut.power_cut and cut.returncode != 0
    again = sim.run(image)
    assert again.returncode == 0, again.stderr_tail
    assert again.of("show")[0]["name"] == "home"
    log = sim.read_flash(image)["log"]
    assert log.startswith(before)  # the completed session is intact, byte for byte
    sessions = {}
    for t, f in records.decode_all(log):
        if t == records.START:
            seq = f[0]
        elif t == records.END:
            sessions[seq] = f[0]
    assert sessions[1] == records.COMPLETED
    assert sessions[max(sessions)] == records.COMPLETED
    assert all(v in (records.COMPLETED, records.INTERRUPTED) for v in sessions.values())


def test_two_sims_never_share_one_image(tmp_path):
    image = tmp_path / "w.img"
    sim.create_image(image)
    fd = sim.lock_image(image)
    try:
        with pytest.raises(sim.SimError, match="in use"):
            sim.run(image)
    finally:
        os.close(fd)
