"""Every screen of the watch, in English and Dutch, against reviewable golden PNGs.

The screens are drawn by the real firmware on the MicroPython unix port and
captured from its framebuffer.  After a deliberate change of a screen, run
``RUNCUE_UPDATE_GOLDEN=1 make test`` and review the PNGs in tests/golden/.
"""

import os
from pathlib import Path

import pytest

from runcue import plan, program
from runcue_host import sim

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("RUNCUE_UPDATE_GOLDEN") == "1"
SCREENS = ["home", "checkin_before", "running", "paused", "stop_confirm", "checkin_after", "checkin_talk",
           "checkin_reason", "summary"]

# a client who starts, pauses, stops early, and answers every question
TOUR = [
    {"on": "home", "presses": ["A"], "delay_ms": 1000},
    {"on": "checkin_before", "presses": ["B", "B", "A"], "delay_ms": 300},
    {"on": "running", "presses": ["A"], "delay_ms": 95000},
    {"on": "paused", "presses": ["A+"], "delay_ms": 20000},
    {"on": "stop_confirm", "presses": ["A"], "delay_ms": 1000},
    {"on": "checkin_after", "presses": ["B", "B", "A"], "delay_ms": 300},
    {"on": "checkin_talk", "presses": ["B", "A"], "delay_ms": 300},
    {"on": "checkin_reason", "presses": ["B", "A"], "delay_ms": 300},
    {"on": "summary", "presses": ["A"], "delay_ms": 300},
]


def _plan(lang):
    w1 = [["warmup", 300000], ["x", 8, [["run", 60000], ["walk", 90000]]], ["cooldown", 300000]]
    sessions = [(1, program.make("W1S%d" % i, lang, w1)) for i in (1, 2, 3)]
    return plan.make("C25K", lang, 3, "repeat", sessions)


@pytest.fixture(scope="module", params=["en", "nl"])
def tour(request, tmp_path_factory):
    image = tmp_path_factory.mktemp("screens") / "watch.img"
    result = sim.run(image, buttons=TOUR, plan_json=_plan(request.param).to_json(), screenshots="changes")
    assert result.returncode == 0, result.stderr_tail
    shots = {}
    for shot in result.of("screen"):
        shots.setdefault(shot["name"], shot)  # the first time each screen is shown
    return request.param, shots


@pytest.mark.parametrize("screen", SCREENS)
def test_each_screen_matches_its_golden_picture(tour, screen):
    lang, shots = tour
    assert screen in shots, "the tour never showed %s" % screen
    _matches_golden(shots[screen], "%s-%s.png" % (lang, screen))


def _matches_golden(shot, name):
    png = sim.png_bytes(shot["w"], shot["h"], shot["fb"])
    golden = GOLDEN / name
    if UPDATE or not golden.exists():
        GOLDEN.mkdir(exist_ok=True)
        golden.write_bytes(png)
        if not UPDATE:
            pytest.fail("no golden picture yet: wrote %s, review it and commit it" % golden)
    assert sim.png_mono(png) == sim.png_mono(golden.read_bytes()), (
        "%s differs from %s: if the change is meant, RUNCUE_UPDATE_GOLDEN=1 and review" % (shot["name"], golden))
    return png



def test_a_battery_that_may_not_last_the_session_is_warned_before_the_start(tmp_path):
    image = tmp_path / "watch.img"
    result = sim.run(image, buttons=TOUR[:2], plan_json=_plan("en").to_json(), screenshots="changes", battery=20)
    assert result.returncode == 0, result.stderr_tail
    shot = next(s for s in result.of("screen") if s["name"] == "checkin_before")
    png = _matches_golden(shot, "en-checkin_before-battery_low.png")
    normal = sim.png_mono((GOLDEN / "en-checkin_before.png").read_bytes())
    assert sim.png_mono(png) != normal  # the warning is on the screen


def test_the_crash_screen_says_the_watch_restarts(tmp_path):
    result = sim.run(tmp_path / "watch.img", buttons=[], plan_json=_plan("en").to_json(), screenshots="changes",
                     faults={"raise": "MemoryError", "raise_at_ms": 500})
    assert result.returncode == 0, result.stderr_tail
    shot = next(s for s in result.of("screen") if s["name"] == "crash")
    _matches_golden(shot, "en-crash.png")
