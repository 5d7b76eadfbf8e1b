"""A program before it goes to the watch: its timeline as a table, its cues as a WAV.

The cues are not worked out again here: :func:`play` runs the watch's own code,
``runcue.engine.Session`` on a virtual clock that jumps from deadline to deadline and
``runcue.cues.CuePlayer`` on a buzzer that writes down its notes, with the watch's rule
for cues that meet (``CuePlayer.holds``: a halfway cue waits until the cue playing has
finished; any other cue replaces it).  So the preview is what the watch plays, by
construction: segment cues, the 3-2-1 countdown pips before each change and the finish,
halfway, finished.

:func:`write_wav` streams the notes to a mono 16-bit WAV (silence in 1 s chunks, each
note rendered once and reused), so a 4-hour session never sits in memory.  Notes are
sines with short raised-cosine fades against clicks.  With ``compress_silence`` every
silence over COMPRESS_OVER_MS becomes COMPRESS_TO_MS: the cues keep their order and count.
"""

import array
import math
import os
import sys
import wave

from runcue import cues, engine, program
from runcue_host import UserError, private_files
from runcue_host.authoring.words import KIND_TEXTS
from runcue_host.timetext import clock
from runcue_host.wording import number

__all__ = ["COMPRESS_OVER_MS", "COMPRESS_TO_MS", "RATE", "WORDS", "Played", "WavInfo", "clock",
           "cue_counts", "cue_text", "kind_text", "number", "play", "table", "timeline", "write_wav", "wrote_text"]

RATE = 16000
AMPLITUDE = 12000  # of 32767: loud enough, no clipping
FADE_MS = 3
COMPRESS_OVER_MS = 3000
COMPRESS_TO_MS = 1000

# every line the preview prints, in both languages (the cue names: cues.CUE_NAMES)
WORDS = {
    "en": {"columns": ("#", "segment", "round", "start", "duration"), "total": "total", "run": "run",
           "walk": "walk", "no_run": "no running", "all_run": "all running", "ratio": "run/walk",
           "week": "week", "cues": "cues", "wrote": "wrote %s: %s, %s MB, %d Hz mono 16-bit",
           "compressed": "; silences over %d s shortened to %d s", "no_name": "(no name)",
           "cue_names": {}},
    "nl": {"columns": ("#", "onderdeel", "ronde", "start", "duur"), "total": "totaal", "run": "hardlopen",
           "walk": "wandelen", "no_run": "geen hardlopen", "all_run": "alleen hardlopen", "ratio": "verhouding",
           "week": "week", "cues": "signalen", "wrote": "geschreven: %s: %s, %s MB, %d Hz mono 16-bit",
           "compressed": "; stiltes langer dan %d s ingekort tot %d s", "no_name": "(geen naam)",
           "cue_names": dict(zip(program.KINDS, KIND_TEXTS["nl"], strict=True), **{
                             "countdown": "aftellen", "halfway": "halverwege", "finished": "klaar",
                             "paused": "gepauzeerd", "resumed": "verder", "click": "klik",
                             "stop_confirm": "stoppen?"})},
}


def cue_text(name, lang):
    """The name of a cue (``cues.CUE_NAMES``) in ``lang``."""
    return WORDS[lang]["cue_names"].get(name, name)


def cue_counts(played, lang):
    """"cues: 26 (warmup 1, countdown 15, ...)": how many of each cue, in order of first use."""
    kinds = {}
    for _t, name in played.cues:
        kinds[name] = kinds.get(name, 0) + 1
    return "%s: %d (%s)" % (WORDS[lang]["cues"], len(played.cues),
                            ", ".join("%s %d" % (cue_text(k, lang), n) for k, n in kinds.items()))


def wrote_text(info, lang):
    """What the preview says about the WAV it wrote."""
    w = WORDS[lang]
    text = w["wrote"] % (info.path, clock(info.duration_ms, lang), number(info.bytes / 1e6, lang), info.rate)
    if info.compressed:
        text += w["compressed"] % (COMPRESS_OVER_MS // 1000, COMPRESS_TO_MS // 1000)
    return text


def kind_text(kind, lang):
    """The name of a kind code (``program.WARMUP``...) in ``lang``."""
    return KIND_TEXTS[lang][kind]


def timeline(prog):
    """(index from 1, kind code, round, rounds, start_ms, duration_ms) per expanded segment;
    round and rounds are 0 outside a repeat (the innermost block otherwise)."""
    exp = prog.expand()
    return [(i + 1, exp.kind[i], exp.round_no[i], exp.rounds[i], exp.start_ms[i], exp.duration_ms(i))
            for i in range(exp.n)]


def table(prog, lang):
    """The timeline as a rich Table, and a line of totals, in ``lang``."""
    from rich.table import Table

    w = WORDS[lang]
    t = Table(box=None, padding=(0, 2), header_style="bold")
    for title in w["columns"]:
        t.add_column(title, justify="left" if title == w["columns"][1] else "right")
    for i, kind, r, n, start, dur in timeline(prog):
        style = "bold" if kind == program.RUN else None
        t.add_row(str(i), kind_text(kind, lang), "%d/%d" % (r, n) if n else "", clock(start), clock(dur),
                  style=style)
    run, walk = prog.run_ms, prog.total_ms - prog.run_ms
    if not run:
        ratio = w["no_run"]
    elif not walk:
        ratio = w["all_run"]
    else:
        ratio = "%s 1 : %s" % (w["ratio"], number(walk / run, lang, "%.2f").rstrip("0").rstrip(".,"))
    totals = "%s %s · %s %s (%d%%) · %s %s · %s" % (
        w["total"], clock(prog.total_ms), w["run"], clock(run), round(100 * run / prog.total_ms), w["walk"],
        clock(walk), ratio)
    return t, totals


class _Buzzer:
    """A buzzer that writes down its notes as (t_ms, freq_hz, dur_ms)."""

    def __init__(self):
        self.now = 0
        self.notes = []
        self._on = None  # (t, freq) of the note sounding

    def tone(self, freq):
        self.off()
        self._on = (self.now, freq)

    def off(self):
        if self._on is not None:
            t, f = self._on
            if self.now > t:
                self.notes.append((t, f, self.now - t))
            self._on = None


class Played:
    """A session played straight through: ``cues`` are (t_ms, cue name) as they started,
    ``notes`` the buzzer's (t_ms, freq_hz, dur_ms), ``end_ms`` when the last sound ended."""

    def __init__(self, cue_list, notes, total_ms):
        self.cues = cue_list
        self.notes = notes
        self.total_ms = total_ms
        self.end_ms = max([total_ms] + [t + d for t, _f, d in notes])


def play(prog):
    """:class:`Played` for ``prog``, by the watch's engine and cue player on a virtual clock."""
    session = engine.Session(prog.expand())
    buzzer = _Buzzer()
    player = cues.CuePlayer(buzzer)
    started = []

    def cue(event, now):
        if player.holds(event):
            return
        cue_id = cues.cue_for_event(event, session.kind)
        started.append((now, cues.CUE_NAMES[cue_id]))
        player.play(cues.TONES[cue_id], now)

    now = 0
    session.start(now)
    cue(engine.EV_SEGMENT, now)
    while True:
        buzzer.now = now
        ev = session.tick(now)
        while ev != engine.EV_NONE:
            if ev != engine.EV_SECOND:
                cue(ev, now)
            ev = session.tick(now)
        player.step(now)
        ev = player.released()
        if ev != engine.EV_NONE:
            cue(ev, now)
        deadlines = [d for d in (session.next_deadline(), player.next_deadline()) if d >= 0]
        if not deadlines:
            break
        now = min(deadlines)
    buzzer.off()
    return Played(started, buzzer.notes, prog.total_ms)


class WavInfo:
    """What :func:`write_wav` wrote: frames at ``rate``, ``duration_ms`` and ``bytes`` of the file."""

    def __init__(self, path, rate, frames, size, compressed):
        self.path = path
        self.rate = rate
        self.frames = frames
        self.duration_ms = frames * 1000 // rate
        self.bytes = size
        self.compressed = compressed


class _Writer:
    """Writes up to absolute output times, so rounding never adds up over a long session."""

    def __init__(self, w, rate):
        self.w = w
        self.rate = rate
        self.frames = 0
        self.ms = 0
        self._silence = bytes(2 * rate)
        self._notes = {}

    def _target(self, ms):
        return ms * self.rate // 1000

    def silence(self, ms):
        self.ms += ms
        n = self._target(self.ms) - self.frames
        self.frames += n
        while n > 0:
            k = min(n, self.rate)
            self.w.writeframesraw(self._silence[:2 * k])
            n -= k

    def note(self, freq, ms):
        self.ms += ms
        n = self._target(self.ms) - self.frames
        self.frames += n
        key = (freq, n)
        if key not in self._notes:
            self._notes[key] = _sine(freq, n, self.rate)
        self.w.writeframesraw(self._notes[key])


def _sine(freq, n, rate):
    fade = max(1, min(n // 2, FADE_MS * rate // 1000))
    step = 2 * math.pi * freq / rate
    samples = array.array("h", bytes(2 * n))
    for i in range(n):
        edge = min(i, n - 1 - i)
        gain = 1.0 if edge >= fade else 0.5 - 0.5 * math.cos(math.pi * edge / fade)
        samples[i] = int(AMPLITUDE * gain * math.sin(step * i))
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tobytes()


def write_wav(path, played, rate=RATE, compress_silence=False):
    """Stream ``played`` (from :func:`play`) to a mono 16-bit WAV; a :class:`WavInfo`.

    Each note starts at its real time (or, compressed, after the shortened silences);
    the file ends when the last cue has ended.  Owner-only, whole or not at all
    (``private_files``); UserError when the file cannot be written."""
    with private_files.open_private(path, ("--wav", "the WAV")) as f, wave.open(f, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        out = _Writer(w, rate)
        at = 0  # session time written so far
        for t, freq, dur in played.notes + [(played.end_ms, 0, 0)]:
            gap = t - at
            if compress_silence and gap > COMPRESS_OVER_MS:
                gap = COMPRESS_TO_MS
            if gap > 0:
                out.silence(gap)
            if dur:
                out.note(freq, dur)
            at = max(at, t + dur)
        frames = out.frames
    size = os.path.getsize(path)
    return WavInfo(path, rate, frames, size, compress_silence)


def load(spec, lang=None, session=None):
    """(title, program) to preview: the program ``spec`` (shorthand or a .toml file), or with
    ``session`` (from 1) that session of the plan ``spec`` (a built-in plan or a plan file)."""
    from runcue_host.authoring import plan_file as plans
    from runcue_host.authoring import program_file

    if session is None:
        prog, _notes = program_file.load_spec(spec, lang)
        return prog.name, prog
    pf = plans.resolve(spec, lang)
    n = len(pf.plan.sessions)
    if not 1 <= session <= n:
        raise UserError("--session: %d is not a session of %s (1 to %d)" % (session, pf.where, n))
    week, prog = pf.plan.sessions[session - 1]
    return "%s · %s %d · %s" % (pf.plan.name, WORDS[prog.lang]["week"], week, prog.name), prog
