"""Every screen of the watch, in English and Dutch, against reviewable golden PNGs.

The screens are drawn by the real firmware on the MicroPython unix port and
captured from its framebuffer.  After a deliberate change of a screen, run
``RUNCUE_UPDATE_GOLDEN=1 make test`` and review the PNGs in tests/golden/.
"""

import os
from pathlib import Path

import pytest
from screen_text import find, shows

from runcue import plan, program, records
from runcue_host import sim
from runcue_host.archive import logdecode as sessions

GOLDEN = Path(__file__).parents[1] / "golden"
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


# -- what the screens say (read from the firmware's own pixels) ----------------------------

HOME_SHAPE = {"en": ("30 min", "8x run 1:00", "walk 1:30"), "nl": ("30 min", "8x lopen 1:00", "wandelen 1:30")}


def test_home_shows_the_next_sessions_name_length_and_shape(tour):
    lang, shots = tour
    home = shots["home"]
    for text in ("W1S1",) + HOME_SHAPE[lang]:
        assert shows(home, text), text


def test_a_long_name_ends_in_an_ellipsis_on_home_never_in_half_a_letter(tmp_path):
    name = "Rustig rondje park met Anna en Joost"
    prog = program.make(name, "en", [["walk", 300000]])
    result = sim.run(tmp_path / "w.img", buttons=[], program_json=prog.to_json(), screenshots="changes")
    assert result.returncode == 0, result.stderr_tail
    home = result.of("screen")[0]
    assert shows(home, name[:15]) and not shows(home, name[:16])
    x, y = find(home, name[:15])
    assert x == 0  # the line starts at the left edge: nothing of it is off the screen


def test_the_mood_scale_is_one_line_with_its_meaning_and_before_and_after_differ(tour):
    lang, shots = tour
    bad, good = records.MOOD_ENDS[lang]
    for name in ("checkin_before", "checkin_after"):
        shot = shots[name]
        places = [find(shot, str(n)) for n in range(1, 6)]
        assert all(places) and len({y for _x, y in places}) == 1, places  # 1 to 5 on one line
        assert places == sorted(places)  # in order, left to right
        assert shows(shot, bad) and shows(shot, good)
        assert find(shot, bad)[0] < places[0][0] + 8 and find(shot, good)[0] + 8 * len(good) > places[4][0]
    title = {"en": ("How do you feel?", "After the run?"), "nl": ("Hoe voel je je?", "En na het lopen?")}[lang]
    assert shows(shots["checkin_before"], title[0]) and not shows(shots["checkin_after"], title[0])
    assert shows(shots["checkin_after"], title[1])


SUMMARY_WORDS = {"en": ("1 minute out,", "well done!"), "nl": ("1 minuut buiten,", "goed gedaan!")}


def test_a_stopped_session_is_summed_up_in_kind_words_without_the_plan_figures(tour):
    lang, shots = tour
    summary = shots["summary"]
    for text in SUMMARY_WORDS[lang]:
        assert shows(summary, text), text
    for weight in ("30:00", "1:35", "of", "van", "Stopped", "Gestopt"):
        assert not shows(summary, weight), weight


def test_a_completed_session_is_summed_up_in_kind_words(tmp_path):
    prog = program.make("W1", "nl", [["walk", 300000], ["x", 2, [["run", 60000], ["walk", 90000]]]])
    result = sim.run(tmp_path / "w.img", program_json=prog.to_json(), screenshots="changes")
    assert result.returncode == 0, result.stderr_tail
    summary = next(s for s in result.of("screen") if s["name"] == "summary")
    for text in ("10 min buiten,", "goed gedaan!", "hele sessie!"):
        assert shows(summary, text), text


def test_the_watch_and_the_archive_count_a_stopped_sessions_time_alike(tmp_path):
    # stopped 359.6 s into the session: the archive keeps 359 s (5:59), so the watch says 5 minutes
    prog = program.make("W1", "en", [["walk", 300000], ["x", 8, [["run", 60000], ["walk", 90000]]]])
    script = [{"on": "home", "presses": ["A"], "delay_ms": 1000},
              {"on": "checkin_before", "presses": ["A"], "delay_ms": 400},
              {"on": "running", "presses": ["A+"], "delay_ms": 359600},
              {"on": "stop_confirm", "presses": ["A"], "delay_ms": 1},
              {"on": "checkin_after", "presses": ["A"], "delay_ms": 300},
              {"on": "checkin_talk", "presses": ["A"], "delay_ms": 300},
              {"on": "checkin_reason", "presses": ["A"], "delay_ms": 300},
              {"on": "summary", "presses": ["A"], "delay_ms": 300}]
    image = tmp_path / "w.img"
    result = sim.run(image, buttons=script, program_json=prog.to_json(), screenshots="changes")
    assert result.returncode == 0, result.stderr_tail
    items = sessions.frames(sim.read_flash(image)["log"])
    done_s = sessions.decode(sessions.split(items)[0], prog)[0]["done_s"]
    summary = next(s for s in result.of("screen") if s["name"] == "summary")
    assert shows(summary, "%d minutes out," % (done_s // 60)), done_s


MONDAY_10H = 1704708000  # 2024-01-08 10:00 UTC, a Monday
DAY_S = 86400


def _home_after(image, start, presses=()):
    """The first home screen of a run that starts on ``start`` (unix) and plays ``presses``."""
    sim.set_image_clock(image, start)
    result = sim.run(image, buttons=list(presses), screenshots="changes")
    assert result.returncode == 0, result.stderr_tail
    return [s for s in result.of("screen") if s["name"] == "home"], result


def test_home_says_rest_day_after_a_run_and_still_lets_the_client_start(tmp_path):
    image = tmp_path / "w.img"
    sim.create_image(image, MONDAY_10H)
    walk = [(1, program.make("S%d" % i, "en", [["walk", 600000]])) for i in range(6)]
    p = plan.make("P", "en", 3, "repeat", walk)
    first = sim.run(image, buttons=sim.client_session(1000), plan_json=p.to_json(), screenshots="changes")
    assert first.returncode == 0, first.stderr_tail
    after_run = [s for s in first.of("screen") if s["name"] == "home"][-1]
    assert shows(after_run, "1 of 3 this week") and shows(after_run, "next run: Wed")
    homes, result = _home_after(image, MONDAY_10H + DAY_S, sim.client_session(1000))  # Tuesday
    assert shows(homes[0], "rest day today")
    assert "running" in [s["name"] for s in result.of("show")]  # advice, never a lock
    homes, _ = _home_after(image, MONDAY_10H + 4 * DAY_S, sim.client_session(1000))  # Friday: 3 of 3 done
    assert not shows(homes[0], "rest day today")
    assert shows(homes[-1], "Well done, 3/3!") and shows(homes[-1], "next week: Mon")


def test_with_the_clock_unset_home_gives_no_advice(tmp_path):
    image = tmp_path / "w.img"
    p = plan.make("P", "nl", 1, "repeat", [(1, program.make("S", "nl", [["walk", 600000]]))] * 2)
    result = sim.run(image, buttons=sim.client_session(1000), plan_json=p.to_json(), screenshots="changes",
                     rtc_unset=True)
    assert result.returncode == 0, result.stderr_tail
    home = [s for s in result.of("screen") if s["name"] == "home"][-1]
    assert shows(home, "deze week: 1/1")  # plan order: the session of week 1 is done
    for advice in ("rustdag", "volgende:", "nieuwe week", "Goed gedaan"):
        assert not shows(home, advice), advice
