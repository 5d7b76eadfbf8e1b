"""A whole session on the emulated Pico: the firmware's own screens, cues, buttons and log."""

import pytest
import screen_text

from runcue import cues, records
from runcue_host import sim
from runcue_host.sim import rp2 as pico

T_HOME_PRESS = 1000
PAUSE_AT, PAUSE_FOR = 40000, 20000
PAUSED_RUN = [
    {"on": "home", "presses": ["A"], "delay_ms": T_HOME_PRESS},
    {"on": "checkin_before", "presses": ["B", "B", "A"], "delay_ms": 300},  # mood 2
    {"on": "running", "presses": ["A"], "delay_ms": PAUSE_AT},
    {"on": "paused", "presses": ["A"], "delay_ms": PAUSE_FOR},
    {"on": "checkin_after", "presses": ["B", "B", "B", "B", "A"], "delay_ms": 300},  # mood 4
    {"on": "checkin_talk", "presses": ["A"], "delay_ms": 300},  # could talk
    {"on": "summary", "presses": ["A"], "delay_ms": 300},
]
CUE_TOLERANCE_MS = 5


@pytest.fixture(scope="module")
def paused_run(pico_template, tmp_path_factory):
    import shutil

    image = tmp_path_factory.mktemp("rp2run") / "watch.img"
    shutil.copyfile(pico_template, image)
    result = pico.run(image, buttons=PAUSED_RUN, screenshots="changes")
    assert result.returncode == 0, result.stderr_tail
    return image, result


def _start_cue(result):
    """The session's start: its first cue (the first segment's), sounded as the check-in closes."""
    return min(e["t_ms"] for e in result.of("cue"))


def test_the_pico_boots_to_the_home_screen_drawn_by_the_real_driver(paused_run, short):
    _, result = paused_run
    shots = result.of("screen")
    assert shots[0]["name"] == "home"
    assert screen_text.shows(shots[0], "A: start")
    assert screen_text.shows(shots[0], short.name)
    assert result.of("booted")[0]["t_ms"] < 2000  # emulated ms from power-up to the home screen


def test_every_cue_sounds_within_5_ms_of_its_planned_time_across_a_pause(paused_run, short):
    _, result = paused_run
    t0 = _start_cue(result)
    exp = short.expand()
    planned = []  # (plan ms, Hz of the first note)
    for i in range(1, exp.n + 1):
        start = exp.start_ms[i]
        planned += [(start - k * 1000, cues.TONE_COUNTDOWN[0]) for k in (3, 2, 1)]
        tone = cues.TONE_FINISHED if i == exp.n else cues.TONES[cues.KIND_CUES[exp.kind[i]]]
        planned.append((start, tone[0]))
    heard = [(e["t_ms"], e["freq_hz"]) for e in result.of("cue")]
    # the watch counts the pause from the press it saw to the press that resumed it: a press is
    # seen when let go (the firmware debounces), so the pause is the script's plus the redraw
    # before the resume press was armed; every cue after it moves by that one amount, no drift
    first_after, freq_after = min(c for c in planned if c[0] > PAUSE_AT)
    expected = t0 + first_after + PAUSE_FOR
    shift = min((h[0] for h in heard if h[1] == freq_after and abs(h[0] - expected) < 1000),
                key=lambda t: abs(t - expected), default=expected + 10**6) - (t0 + first_after)
    assert PAUSE_FOR <= shift <= PAUSE_FOR + 500
    for plan_ms, freq in planned:
        t = t0 + plan_ms + (shift if plan_ms > PAUSE_AT else 0)
        near = [h for h in heard if abs(h[0] - t) <= CUE_TOLERANCE_MS and h[1] == freq]
        assert near, "no %d Hz cue within %d ms of %d ms (heard: %s)" % (
            freq, CUE_TOLERANCE_MS, t, [h for h in heard if abs(h[0] - t) < 2000])
    paused = next(s["t_ms"] for s in result.of("show") if s["name"] == "paused")
    assert not [h for h in heard if paused + 1000 < h[0] < paused + PAUSE_FOR]  # a pause is silent


def test_the_log_on_the_emulated_flash_decodes_to_the_session_played(paused_run, short):
    image, _ = paused_run
    flash = pico.read_flash(image)
    frames = records.decode_all(flash["log"])
    kinds = [records.TYPE_NAMES[t] for t, _ in frames]
    exp = short.expand()
    assert kinds == ["start", "pause", "resume"] + ["seg"] * (exp.n - 1) + ["end", "checkin"]
    start = frames[0][1]
    assert start[0] == 1 and records.id_hex(start[1]) == short.id()
    assert start[7] == 2  # mood before
    assert frames[1][1] == (PAUSE_AT // 1000,)
    assert frames[2][1] == (PAUSE_FOR // 1000,)
    total_s = short.total_ms // 1000
    assert frames[-2][1] == (records.COMPLETED, total_s, total_s + PAUSE_FOR // 1000)
    assert frames[-1][1] == (4, 1, 0)  # mood 4 after, could talk, no stop reason


def test_skip_and_a_long_press_stop_with_a_reason_reach_the_log(pico_image):
    script = sim.client_session(1000, before=None, after=3, talk="no",
                                runs=((("B", "A+"), 5000),), reason="pain")
    result = pico.run(pico_image, buttons=script)
    assert result.returncode == 0, result.stderr_tail
    names = [s["name"] for s in result.of("show")]
    assert names == ["home", "checkin_before", "running", "stop_confirm", "checkin_after", "checkin_talk",
                     "checkin_reason", "summary", "home"], names
    frames = records.decode_all(pico.read_flash(pico_image)["log"])
    kinds = [records.TYPE_NAMES[t] for t, _ in frames]
    assert kinds == ["start", "skip", "end", "checkin"]
    assert frames[1][1] == (5,)  # skipped 5 s into the run
    assert frames[-2][1][0] == records.STOPPED
    assert frames[-1][1] == (3, 2, records.REASONS.index("pain"))
