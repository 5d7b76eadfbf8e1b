"""`runcue program preview`: the timeline table and the cues as a WAV, read back with `wave`."""

import array
import math
import os
import subprocess
import sys
import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from rich.console import Console
from scratch_fs import tmpfs

from runcue import cues
from runcue_host import UserError
from runcue_host.authoring import plan_file as plans
from runcue_host.authoring import preview, program_file, shorthand

ROOT = Path(__file__).resolve().parents[2]
RUNCUE = Path(sys.executable).parent / "runcue"
# no two cues meet: every cue is over before the next one is due
SHORT = "30s warmup, 2x(20s run, 16s walk), 20s cooldown"
WINDOW_MS = 10


def planned_cues(prog):
    """(t_ms, tone) of every cue, worked out from the program by hand (not by the engine)."""
    exp = prog.expand()
    out = [(0, cues.TONES[cues.KIND_CUES[exp.kind[0]]])]
    for i in range(1, exp.n + 1):
        t = exp.start_ms[i]
        out += [(t - k * 1000, cues.TONE_COUNTDOWN) for k in (3, 2, 1)]
        out.append((t, cues.TONE_FINISHED if i == exp.n else cues.TONES[cues.KIND_CUES[exp.kind[i]]]))
    out.append((prog.total_ms // 2, cues.TONE_HALFWAY))
    return sorted(out)


def planned_notes(prog):
    notes = []
    for t, tone in planned_cues(prog):
        for i in range(0, len(tone), 2):
            if tone[i]:
                notes.append((t, t + tone[i + 1]))
            t += tone[i + 1]
    return notes


def read_windows(path):
    """(WAV params, RMS of each 10 ms window)."""
    with wave.open(str(path), "rb") as w:
        params = w.getparams()
        samples = array.array("h", w.readframes(params.nframes))
    if sys.byteorder == "big":
        samples.byteswap()
    n = params.framerate * WINDOW_MS // 1000
    rms = [math.sqrt(sum(x * x for x in samples[i:i + n]) / n) for i in range(0, len(samples) - n + 1, n)]
    return params, rms


def bursts(rms):
    """(first window, windows) of every run of sounding windows."""
    out, start = [], None
    for i, r in enumerate(rms + [0]):
        if r > 0 and start is None:
            start = i
        elif r == 0 and start is not None:
            out.append((start, i - start))
            start = None
    return out


def test_timeline_has_a_row_per_segment_with_its_round():
    prog = shorthand.compile_shorthand(SHORT)
    assert preview.timeline(prog) == [
        (1, 0, 0, 0, 0, 30000), (2, 2, 1, 2, 30000, 20000), (3, 1, 1, 2, 50000, 16000),
        (4, 2, 2, 2, 66000, 20000), (5, 1, 2, 2, 86000, 16000), (6, 4, 0, 0, 102000, 20000)]


@pytest.mark.parametrize("lang, words", [
    ("nl", ["opwarmen", "hardlopen", "wandelen", "uitlopen", "ronde", "1/2", "2/2", "1:42", "totaal 2:02",
            "verhouding 1 : 2,05"]),
    ("en", ["warm-up", "run", "walk", "cool-down", "round", "1:42", "total 2:02", "run 0:40 (33%)",
            "run/walk 1 : 2.05"]),
])
def test_table_speaks_the_chosen_language(lang, words):
    prog = shorthand.compile_shorthand(SHORT)
    grid, totals = preview.table(prog, lang)
    out = Console(width=100, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    out.print(grid)
    out.print(totals)
    text = out.export_text()
    for word in words:
        assert word in text


def test_preview_plays_every_cue_the_program_calls_for():
    prog = shorthand.compile_shorthand(SHORT)
    played = preview.play(prog)
    assert [(t, name) for t, name in played.cues] == [
        (t, cues.CUE_NAMES[cues.TONES.index(tone)]) for t, tone in planned_cues(prog)]
    assert played.end_ms == prog.total_ms + cues.pattern_duration_ms(cues.TONE_FINISHED)


def test_halfway_waits_for_a_segment_cue_as_on_the_watch():
    week1 = plans.load_builtin("c25k").plan.sessions[0][1]  # halfway (15:00) is a run's start
    played = preview.play(week1)
    at = {name: t for t, name in played.cues if 900000 <= t < 901000}
    assert at["run"] == 900000
    assert at["halfway"] == 900000 + cues.pattern_duration_ms(cues.TONE_RUN)
    # the rule is the core's (cues.CuePlayer.holds), and the app plays by it too
    app = (ROOT / "firmware" / "app.py").read_text(encoding="utf-8")
    assert "if self.player.holds(event):" in app


def test_wav_sounds_exactly_at_every_planned_cue_and_is_silent_elsewhere(tmp_path):
    prog = shorthand.compile_shorthand(SHORT)
    info = preview.write_wav(tmp_path / "s.wav", preview.play(prog))
    params, rms = read_windows(tmp_path / "s.wav")
    assert (params.nchannels, params.sampwidth, params.framerate) == (1, 2, preview.RATE)
    length_ms = prog.total_ms + cues.pattern_duration_ms(cues.TONE_FINISHED)
    assert params.nframes * 1000 // params.framerate == length_ms == info.duration_ms
    assert info.bytes == os.path.getsize(tmp_path / "s.wav") == 44 + 2 * params.nframes
    notes = planned_notes(prog)
    for t, _tone in planned_cues(prog):
        assert rms[t // WINDOW_MS] > 1000, "no sound in the window where the cue at %d ms starts" % t
    for i, r in enumerate(rms):
        lo, hi = i * WINDOW_MS, (i + 1) * WINDOW_MS
        inside = any(a <= lo and hi <= b for a, b in notes)
        touches = any(a < hi and lo < b for a, b in notes)
        if inside:
            assert r > 1000, "silent at %d ms, inside a note" % lo
        elif not touches:
            assert r == 0, "sound at %d ms, outside every cue" % lo
    assert len(bursts(rms)) == len(notes)


def test_compressed_silence_keeps_every_cue_in_order(tmp_path):
    prog = shorthand.compile_shorthand(SHORT)
    played = preview.play(prog)
    full = preview.write_wav(tmp_path / "full.wav", played)
    short = preview.write_wav(tmp_path / "short.wav", played, compress_silence=True)
    assert short.duration_ms < full.duration_ms / 3 and short.compressed
    _params, rms = read_windows(tmp_path / "short.wav")
    found = bursts(rms)
    notes = planned_notes(prog)
    assert len(found) == len(notes)
    assert all(abs(n * WINDOW_MS - (b - a)) <= WINDOW_MS for (_s, n), (a, b) in zip(found, notes, strict=True))
    gaps = [found[i + 1][0] - (found[i][0] + found[i][1]) for i in range(len(found) - 1)]
    assert max(gaps) * WINDOW_MS <= preview.COMPRESS_OVER_MS


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("preview")
    argvs = {
        "wav": ["program", "preview", SHORT, "--wav", str(tmp / "s.wav"), "--compress-silence"],
        "nl": ["program", "preview", SHORT, "--lang", "nl"],
        "nl wav": ["program", "preview", SHORT, "--lang", "nl", "--wav", str(tmp / "nl.wav"), "--compress-silence"],
        "nl session": ["program", "preview", "c25k", "--session", "4", "--lang", "nl"],
        "session": ["program", "preview", "runningtherapie", "--session", "4"],
        "help": ["program", "preview", "--help"],
    }
    env = dict(os.environ, COLUMNS="120", NO_COLOR="1")

    def run(argv):
        proc = subprocess.run([str(RUNCUE)] + argv, capture_output=True, env=env, timeout=60)
        return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")

    with ThreadPoolExecutor(max_workers=4) as pool:
        return tmp, dict(zip(argvs, pool.map(run, argvs.values()), strict=True))


def test_preview_command_writes_the_wav_and_says_how_long_and_big(cli_runs):
    tmp, runs = cli_runs
    code, stdout, stderr = runs["wav"]
    assert code == 0, stderr
    size = os.path.getsize(tmp / "s.wav")
    assert "wrote %s" % (tmp / "s.wav") in stdout and "%.1f MB" % (size / 1e6) in stdout
    assert "silences over 3 s shortened to 1 s" in stdout and "cues: 26 (" in stdout
    code, stdout, stderr = runs["nl"]
    assert code == 0 and "hardlopen" in stdout and "onderdeel" in stdout, stderr
    code, stdout, stderr = runs["session"]
    assert code == 0 and "week 2 · W2S1" in stdout and "hardlopen" in stdout, stderr
    code, stdout, stderr = runs["help"]
    assert code == 0 and all(o in stdout for o in ("--wav", "--lang", "--compress-silence", "--session"))


def test_the_wav_is_owner_only_whole_or_not_there_and_never_written_through_a_symlink(tmp_path):
    played = preview.play(program_file.load_spec(SHORT)[0])
    old = os.umask(0o022)
    try:
        preview.write_wav(tmp_path / "s.wav", played)
    finally:
        os.umask(old)
    assert os.stat(tmp_path / "s.wav").st_mode & 0o777 == 0o600
    victim = tmp_path / "victim"
    victim.write_bytes(b"someone else's")
    (tmp_path / "link.wav").symlink_to(victim)
    with pytest.raises(UserError, match="symlink.*nothing was written"):
        preview.write_wav(tmp_path / "link.wav", played)
    assert victim.read_bytes() == b"someone else's"
    with tmpfs(tmp_path / "small", 256) as disk:
        disk.fill(leave_bytes=16384)  # the WAV is about 5 MB
        with pytest.raises(UserError, match="disk full.*nothing was written"):
            preview.write_wav(disk.path / "s.wav", played)
        assert disk.files() == []


def test_preview_in_dutch_is_dutch_to_the_last_line(cli_runs):
    tmp, runs = cli_runs
    code, stdout, stderr = runs["nl wav"]
    assert code == 0, stderr
    lines = stdout.splitlines()
    assert lines[-2].startswith("signalen: 26 (opwarmen 1, aftellen ") and "halverwege 1" in lines[-2]
    assert "klaar 1" in lines[-2] and "hardlopen 2" in lines[-2]
    size = os.path.getsize(tmp / "nl.wav")
    assert lines[-1].startswith("geschreven: %s: " % (tmp / "nl.wav")) and ("%.1f MB" % (size / 1e6)).replace(
        ".", ",") in lines[-1] and "stiltes langer dan 3 s ingekort tot 1 s" in lines[-1]
    body = "\n".join(lines[1:])  # the first line is the program's name, as it was written
    for english in ("cues", "countdown", "halfway", "finished", "wrote", "silences", "total", "round", "walk"):
        assert english not in body, english
    code, stdout, stderr = runs["nl session"]
    assert code == 0 and "Couch to 5K · week 2 · W2S1" in stdout and "signalen: " in stdout, stderr
