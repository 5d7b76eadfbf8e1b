"""Cue patterns: short, told apart by rhythm alone, played on time on both interpreters."""

import itertools
import json

import pytest

from runcue import cues, engine, program

import mpy

NAMED = [(cues.CUE_NAMES[i], cues.TONES[i], cues.VIBS[i]) for i in range(1, len(cues.CUE_NAMES))]


def rhythm(tone):
    """Pitch-blind (sounding, ms) spans: what a one-frequency piezo makes of a pattern."""
    spans = []
    for i in range(0, len(tone), 2):
        on = tone[i] > 0
        if spans and spans[-1][0] == on:
            spans[-1] = (on, spans[-1][1] + tone[i + 1])
        elif tone[i + 1]:
            spans.append((on, tone[i + 1]))
    return spans


@pytest.mark.parametrize("name,tone,vib", NAMED)
def test_patterns_are_short_plain_data(name, tone, vib):
    assert len(tone) % 2 == 0 and len(vib) % 2 == 0 and tone and vib
    assert all(type(x) is int and x >= 0 for x in tone + vib)
    assert all(f == 0 or 1000 <= f <= 5000 for f in tone[::2])
    assert tone[0] > 0 and vib[0] > 0, "a cue starts at once"
    assert cues.pattern_duration_ms(tone) <= cues.MAX_CUE_MS
    assert cues.vib_duration_ms(vib) <= cues.MAX_CUE_MS


def test_run_and_walk_differ_by_rhythm_alone():
    assert rhythm(cues.TONE_RUN) != rhythm(cues.TONE_WALK)
    assert cues.VIB_RUN != cues.VIB_WALK


def test_every_cue_has_its_own_rhythm():
    for (a, ta, va), (b, tb, vb) in itertools.combinations(NAMED, 2):
        assert rhythm(ta) != rhythm(tb), (a, b)
        assert va != vb, (a, b)


def test_event_lookup_returns_the_module_tuples():
    kinds = {program.WARMUP: cues.TONE_WARMUP, program.WALK: cues.TONE_WALK, program.RUN: cues.TONE_RUN,
             program.REST: cues.TONE_REST, program.COOLDOWN: cues.TONE_COOLDOWN}
    for kind, tone in kinds.items():
        assert cues.tone_for_event(engine.EV_SEGMENT, kind) is tone
    assert cues.tone_for_event(engine.EV_COUNTDOWN, 0) is cues.TONE_COUNTDOWN
    assert cues.tone_for_event(engine.EV_HALFWAY, 0) is cues.TONE_HALFWAY
    assert cues.tone_for_event(engine.EV_FINISHED, 0) is cues.TONE_FINISHED
    assert cues.tone_for_event(engine.EV_PAUSED, 0) is cues.TONE_PAUSED
    assert cues.vib_for_event(engine.EV_RESUMED, 0) is cues.VIB_RESUMED
    for ev in (engine.EV_NONE, engine.EV_SECOND):
        assert cues.tone_for_event(ev, 0) is cues.SILENT and cues.vib_for_event(ev, 0) is cues.SILENT


# Runs as is on CPython (exec) and on MicroPython (a script); prints one JSON line.
PLAYER_SCRIPT = """
import json
from runcue import cues, engine, ticks

class Dev:
    def __init__(self, log, name):
        self.log, self.name, self.now = log, name, 0
    def tone(self, f):
        self.log.append([self.now, self.name, f])
    def on(self):
        self.log.append([self.now, self.name, 1])
    def off(self):
        self.log.append([self.now, self.name, 0])

def play(tone, vib, start, late, fixed_hz=0):
    log = []
    buz, mot = Dev(log, "buz"), Dev(log, "vib")
    p = cues.CuePlayer(buz, mot, fixed_hz)
    buz.now = mot.now = start
    p.play(tone, start, vib)
    for _ in range(100):
        d = p.next_deadline()
        if d < 0:
            break
        buz.now = mot.now = ticks.add(d, late)
        p.step(buz.now)
    return [[ticks.diff(t, start), who, v] for t, who, v in log]

class Quiet:
    n = 0
    def tone(self, f):
        self.n += 1
    def on(self):
        self.n += 1
    def off(self):
        self.n += 1

def locked(tone, vib):
    import micropython
    q = Quiet()
    p = cues.CuePlayer(q, q)
    p.play(tone, 5, vib)
    micropython.heap_lock()
    try:
        d = p.next_deadline()
        while d >= 0:
            p.step(d)
            d = p.next_deadline()
    finally:
        micropython.heap_unlock()
    return q.n

def meet(lock):
    # a halfway cue that meets a playing run cue waits for it; a countdown pip replaces it
    p = cues.CuePlayer(Quiet())
    p.play(cues.TONE_RUN, 0)
    if lock:
        import micropython
        micropython.heap_lock()
    try:
        held = p.holds(engine.EV_HALFWAY)
        early = p.released()
        d = p.next_deadline()
        while d >= 0:
            p.step(d)
            end = d
            d = p.next_deadline()
        back, after = p.released(), p.released()
        pip = p.holds(engine.EV_COUNTDOWN)
    finally:
        if lock:
            micropython.heap_unlock()
    return [held, early, end, back, after, pip, p.holds(engine.EV_HALFWAY)]

out = {
    "meet": meet(False),
    "run": play(cues.TONE_RUN, cues.VIB_RUN, ticks.PERIOD - 300, 0),
    "walk_late": play(cues.TONE_WALK, cues.VIB_WALK, 7, 250),
    "fixed": play(cues.TONE_FINISHED, cues.SILENT, 0, 0, 3000),
}
try:
    out["locked"] = locked(cues.TONE_HALFWAY, cues.VIB_HALFWAY)
    out["meet_locked"] = meet(True)
except ImportError:
    pass
print(json.dumps(out))
"""


def _run_player(interpreter, tmp_path, capsys):
    if interpreter == "micropython":
        return json.loads(mpy.run_code(PLAYER_SCRIPT, tmp_path).stdout.strip().splitlines()[-1])
    exec(compile(PLAYER_SCRIPT, "player_script", "exec"), {})
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_player_timings(interpreter, tmp_path, capsys):
    got = _run_player(interpreter, tmp_path, capsys)
    # TONE_RUN = F100 gap80 F100 gap80 F100 gap80 F400; VIB_RUN the same rhythm, started across the wrap
    assert got["run"] == [
        [0, "buz", 2700], [0, "vib", 1], [100, "buz", 0], [100, "vib", 0], [180, "buz", 2700],
        [180, "vib", 1], [280, "buz", 0], [280, "vib", 0], [360, "buz", 2700], [360, "vib", 1],
        [460, "buz", 0], [460, "vib", 0], [540, "buz", 2700], [540, "vib", 1], [940, "buz", 0],
        [940, "vib", 0]]
    # stepped 250 ms late each time: the 200 ms gap is missed, never blipped; the end still comes
    assert got["walk_late"] == [[0, "buz", 2700], [0, "vib", 1], [1250, "buz", 0], [1250, "vib", 0]]
    # fixed_hz plays every note at the one frequency; rhythm unchanged, no vibration pattern
    tones = [e for e in got["fixed"] if e[2]]
    assert {e[2] for e in tones} == {3000}
    assert [e[0] for e in tones] == [0, 200, 400, 800]
    assert got["fixed"][-1] == [cues.pattern_duration_ms(cues.TONE_FINISHED), "buz", 0]
    if interpreter == "micropython":
        assert got["locked"] == 16  # 4 notes on/off + 4 motor pulses on/off, under heap_lock


def test_a_halfway_cue_waits_for_the_cue_playing_on_both_interpreters(interpreter, tmp_path, capsys):
    got = _run_player(interpreter, tmp_path, capsys)
    run_ms = cues.pattern_duration_ms(cues.TONE_RUN)
    # held while the run cue plays, given back once it has ended (once); a pip is never held,
    # and nothing is held when nothing plays
    expected = [True, engine.EV_NONE, run_ms, engine.EV_HALFWAY, engine.EV_NONE, False, False]
    assert got["meet"] == expected
    if interpreter == "micropython":
        assert got["meet_locked"] == expected  # the watch's per-tick path allocates nothing


def test_player_replaces_and_stops():
    log = []

    class Buz:
        def tone(self, f):
            log.append(("tone", f))

        def off(self):
            log.append(("off",))

    p = cues.CuePlayer(Buz())
    assert p.next_deadline() == -1 and p.step(0) == -1
    p.play(cues.TONE_WALK, 0, cues.VIB_WALK)  # no vibrator: the vibration pattern is ignored
    assert p.next_deadline() == 400 and p.freq == 2700
    p.play(cues.TONE_COUNTDOWN, 100)
    assert p.next_deadline() == 180
    p.stop()
    assert log == [("tone", 2700), ("off",)] and p.freq == -1 and p.next_deadline() == -1
