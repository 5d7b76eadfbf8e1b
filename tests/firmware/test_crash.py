"""The watch survives an unexpected exception or a reset, and a run goes on through it.

Faults are injected by the sim board (simulator/simhw.py ``Faults``): the unmodified
firmware on the real MicroPython unix port meets a real MemoryError or OSError out of
its loop, or the process is killed as a reset that keeps the RTC.
"""

from runcue import cues, program, records
from runcue_host import sim
from runcue_host.archive import logdecode as sessions

PROG = program.make("short", "en", [["walk", 120000], ["x", 4, [["run", 60000], ["walk", 60000]]]])
T0 = 2200  # the default client's start: home 1000 ms, check-in answered 3 presses later
CRASH_AT = 100000
SHOW_MS = 3000  # crash.CRASH_SHOW_MS


def _planned_cues(exp, t0):
    """(t_ms, first note) of every cue of the plan, started at ``t0`` without pauses."""
    out = []
    for i in range(1, exp.n + 1):
        start = t0 + exp.start_ms[i]
        out += [(start - k * 1000, tuple(cues.TONE_COUNTDOWN[:2])) for k in (3, 2, 1)]
        tone = cues.TONE_FINISHED if i == exp.n else cues.TONES[cues.KIND_CUES[exp.kind[i]]]
        out.append((start, tuple(tone[:2])))
    return out


def _tones(result):
    return {(e["t_ms"], (e["freq_hz"], e["dur_ms"])) for e in sim.timeline(result)["events"] if "freq_hz" in e}


def _one_session(image):
    log = sim.read_flash(image)["log"]
    split = sessions.split(sessions.frames(log))
    assert len(split) == 1, [[records.TYPE_NAMES[f[0]] for f in s] for s in split]
    return sessions.decode(split[0], PROG)


def test_a_memory_error_mid_run_shows_the_crash_screen_and_the_run_goes_on_with_its_cues(tmp_path):
    image = tmp_path / "w.img"
    result = sim.run(image, program_json=PROG.to_json(), faults={"raise": "MemoryError", "raise_at_ms": CRASH_AT})
    assert result.returncode == 0, result.stderr_tail
    shows = [(s["t_ms"], s["name"]) for s in result.of("show")]
    assert shows[2:5] == [(T0, "running"), (CRASH_AT, "crash"), (CRASH_AT + SHOW_MS, "running")]
    assert [n for _, n in shows[-4:]] == ["checkin_after", "checkin_talk", "summary", "home"]
    assert shows[-4][0] == T0 + PROG.total_ms  # the run ends when the plan says, not later
    tones = _tones(result)
    after = [c for c in _planned_cues(PROG.expand(), T0) if c[0] > CRASH_AT + SHOW_MS]
    assert len(after) > 10
    missing = [c for c in after if c not in tones]
    assert not missing, missing[:5]
    session, segments = _one_session(image)
    assert session["status"] == "completed" and session["done_s"] == PROG.total_ms // 1000
    assert session["restarts"] == [((CRASH_AT + SHOW_MS - T0) // 1000, "crash")]
    assert [s["kind"] for s in segments] == ["walk"] + ["run", "walk"] * 4  # every segment, none lost
    note = sim.read_flash(image)["crash"]
    assert note["n"] == 1 and note["what"] == "MemoryError", note
    assert note["where"].startswith("simhw.py:"), note  # the innermost frame: the sim's hardware raised it


def test_an_os_error_when_no_run_is_on_goes_back_to_home(tmp_path):
    image = tmp_path / "w.img"
    result = sim.run(image, buttons=[], program_json=PROG.to_json(), faults={"raise": "OSError", "raise_at_ms": 500})
    assert result.returncode == 0, result.stderr_tail
    assert [(s["t_ms"], s["name"]) for s in result.of("show")] == [(0, "home"), (500, "crash"), (3500, "home")]
    assert sim.read_flash(image)["crash"]["what"] == "OSError"


def test_a_crash_loop_does_not_spin_it_stays_on_the_crash_screen(tmp_path):
    image = tmp_path / "w.img"
    result = sim.run(image, buttons=[], program_json=PROG.to_json(),
                     faults={"raise": "MemoryError", "raise_at_ms": 500, "raise_times": 0})
    assert result.returncode == 0, result.stderr_tail
    shows = [(s["t_ms"], s["name"]) for s in result.of("show")]
    crashes = [t for t, n in shows if n == "crash"]
    assert len(crashes) == 3 and shows[-1][1] == "crash"  # the third one stays: A tries again
    assert crashes[1] - crashes[0] >= SHOW_MS and crashes[2] - crashes[1] >= SHOW_MS
    assert sim.read_flash(image)["crash"]["n"] == 3


def test_a_run_paused_at_the_crash_stays_paused_and_resumes_on_a_press(tmp_path):
    image = tmp_path / "w.img"
    script = [{"on": "home", "presses": ["A"], "delay_ms": 1000},
              {"on": "checkin_before", "presses": ["A"], "delay_ms": 500},
              {"on": "running", "presses": ["A"], "delay_ms": 60000},  # paused at 61.5 s for 60 s
              {"on": "paused", "presses": ["A"], "delay_ms": 60000},
              {"on": "checkin_after", "presses": ["A"], "delay_ms": 300},
              {"on": "checkin_talk", "presses": ["A"], "delay_ms": 300},
              {"on": "summary", "presses": ["A"], "delay_ms": 300}]
    result = sim.run(image, buttons=script, program_json=PROG.to_json(),
                     faults={"raise": "MemoryError", "raise_at_ms": 90000})
    assert result.returncode == 0, result.stderr_tail
    names = [s["name"] for s in result.of("show")]
    assert names[2:7] == ["running", "paused", "crash", "paused", "running"]
    session, _ = _one_session(image)
    assert session["status"] == "completed"
    assert session["done_s"] == PROG.total_ms // 1000
    assert session["pauses"] == [(60, 60)]
    assert session["restarts"] == [(60, "crash")]  # it came back while paused


def test_a_reset_mid_run_with_the_clock_set_goes_on_with_the_same_session(tmp_path):
    image = tmp_path / "w.img"
    first = sim.run(image, program_json=PROG.to_json(), faults={"reset_at_ms": CRASH_AT})
    assert first.of("reset") and first.returncode != 0
    after = sim.run(image, buttons=sim.client_session(0)[2:])  # the client answers the check-in
    assert after.returncode == 0, after.stderr_tail
    names = [s["name"] for s in after.of("show")]
    assert names[0] == "running" and names[-4:] == ["checkin_after", "checkin_talk", "summary", "home"]
    # the session's start in the new boot's time, from the finish cue; the RTC has whole seconds
    tones = _tones(after)
    fin = [t for t, f in tones if f == tuple(cues.TONE_FINISHED[:2])]
    assert len(fin) == 1
    start = fin[0] - PROG.total_ms
    assert abs(start + (CRASH_AT - T0)) <= 1000, start
    planned = [(start + t, f) for t, f in _planned_cues(PROG.expand(), 0) if start + t > 1000]
    assert len(planned) > 10
    missing = [c for c in planned if c not in tones]
    assert not missing, missing[:5]
    session, segments = _one_session(image)
    assert session["status"] == "completed" and session["seq"] == 1
    assert [r[1] for r in session["restarts"]] == ["reset"]
    assert len(segments) == PROG.segments


def test_a_reset_with_the_clock_unset_still_closes_the_run_as_interrupted(tmp_path):
    image = tmp_path / "w.img"
    first = sim.run(image, program_json=PROG.to_json(), rtc_unset=True, faults={"reset_at_ms": CRASH_AT})
    assert first.of("reset")
    after = sim.run(image, buttons=[])
    assert after.returncode == 0, after.stderr_tail
    assert after.of("show")[0]["name"] == "home"
    session, _ = _one_session(image)
    assert session["status"] == "interrupted" and session["restarts"] == []
