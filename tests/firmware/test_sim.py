"""The unmodified firmware on the real MicroPython unix port, run by `runcue sim`."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from runcue import cues, program, records
from runcue_host import sim
from runcue_host.watch import manifest

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


def test_the_image_holds_the_manifests_sim_bundle(paused_run):
    # the same list `make deploy` copies: main.py as source, the rest precompiled
    image, _ = paused_run
    files = set(sim.read_flash(image)["files"])
    wanted = {"/" + (d if d == manifest.MAIN else d[:-3] + ".mpy") for d, _ in manifest.files(manifest.SIM)}
    assert sorted(wanted - files) == []
    assert sorted(f for f in files if f.startswith("/lib/boards/")) == ["/lib/boards/__init__.mpy",
                                                                        "/lib/boards/sim.mpy"]


def test_a_250_segment_program_runs_in_a_64k_heap(tmp_path):
    # 64wK: 64 KB on a 32-bit watch.  The unix port is 64-bit, where every object is made
    # of 8-byte words; MicroPython's `w` scales the size to that (32-bit as the baseline).
    prog = program.make("long", "en", [["x", 125, [["run", 30000], ["walk", 30000]]]])
    assert prog.segments == 250
    # 64wK again: the session's 1 KB of offsets is made early in the boot (program.WATCH_START_MS), the
    # big digits are drawn, not cached, and a program's id is hashed piece by piece
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


RUNCUE = Path(sys.executable).parent / "runcue"
SHORT = program.make("short", "en", [["walk", 60000], ["x", 2, [["run", 30000], ["walk", 30000]]]])


def runcue(*args, timeout=60):
    """The real console script; the timeout only guards the test suite against a hang."""
    return subprocess.run([str(RUNCUE), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, env=dict(os.environ, COLUMNS="200", NO_COLOR="1"))


def one_clear_line(proc, piece):
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.startswith("runcue: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert piece in proc.stderr, proc.stderr


def script(tmp_path, presses):
    path = tmp_path / "buttons.json"
    path.write_text(json.dumps(presses))
    return path


def test_a_watch_without_a_program_is_told_at_once_and_no_image_is_made(tmp_path):
    image = tmp_path / "new.img"
    out = runcue("sim", "run", "--flash", image)
    one_clear_line(out, "the watch has no program: give --program or push one")
    assert not image.exists()


def test_an_image_without_a_program_is_told_so_after_the_watch_refused_to_start(tmp_path):
    image = tmp_path / "w.img"
    assert sim.run(image, buttons=[]).returncode == 0  # formatted, firmware installed, nothing pushed
    out = runcue("sim", "run", "--flash", image)
    one_clear_line(out, "the watch has no program: give --program or push one")


def test_a_button_script_naming_a_screen_the_watch_does_not_have_is_refused_before_the_run(tmp_path):
    image = tmp_path / "w.img"
    buttons = script(tmp_path, [{"on": "hme", "presses": ["A"]}])
    out = runcue("sim", "run", "--flash", image, "--program", "5m walk", "--buttons", buttons)
    one_clear_line(out, 'press 1: the watch has no screen "hme" (its screens: home, ')
    assert not image.exists()


def test_a_button_script_that_can_no_longer_progress_ends_the_run_with_a_clear_message(tmp_path):
    image = tmp_path / "w.img"
    assert sim.run(image, buttons=[], program_json=SHORT.to_json()).returncode == 0
    # the run starts and plays to its end; the script then waits for a stop that never comes
    buttons = script(tmp_path, [{"on": "home", "presses": ["A"]}, {"on": "checkin_before", "presses": ["A"]},
                                {"on": "stop_confirm", "presses": ["A"]}])
    out = runcue("sim", "run", "--flash", image, "--buttons", buttons)
    one_clear_line(out, 'the button script waits for the "stop_confirm" screen, but the watch stays on '
                        '"checkin_after" with nothing left to do')


def test_a_program_name_beyond_the_basic_plane_reaches_the_watch_intact(tmp_path):
    toml = tmp_path / "p.toml"
    toml.write_text('name = "Rennen \U0001F3C3"\nshorthand = "1m walk, 1m run"\n', encoding="utf-8")
    image = tmp_path / "w.img"
    out = runcue("sim", "run", "--flash", image, "--program", toml)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("sessions: 1 "), out.stdout
    from runcue_host.authoring import program_file

    prog, _ = program_file.load_spec(str(toml))
    start = records.decode_all(sim.read_flash(image)["log"])[0][1]
    assert records.id_hex(start[1]) == prog.id()  # the watch runs exactly the program that was given


def test_a_power_cut_run_reports_the_block_writes_that_reached_flash(tmp_path):
    image = tmp_path / "w.img"
    assert sim.run(image, buttons=[], program_json=SHORT.to_json()).returncode == 0
    out = runcue("sim", "run", "--flash", image, "--power-cut-at-write", 12)
    assert out.returncode == 0, out.stderr
    assert "power cut at block write 12" in out.stdout
    assert "block writes: 12  erases: " in out.stdout and "?" not in out.stdout, out.stdout


def test_a_button_script_that_ends_mid_session_says_so(tmp_path):
    image = tmp_path / "w.img"
    assert sim.run(image, buttons=[], program_json=SHORT.to_json()).returncode == 0
    buttons = script(tmp_path, [{"on": "home", "presses": ["A"]}, {"on": "checkin_before", "presses": ["A"]}])
    out = runcue("sim", "run", "--flash", image, "--buttons", buttons)
    assert out.returncode == 0, out.stderr
    assert "sessions: 0 " in out.stdout
    assert 'the button script ended mid-session, on the "checkin_after" screen' in out.stdout, out.stdout
