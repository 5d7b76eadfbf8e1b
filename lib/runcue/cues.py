"""Cue patterns as data, and a non-blocking player for them.

A client on a run follows the cues without looking, so every cue must be told
apart by rhythm alone: many piezos are loud at one frequency only, and pitch
is easy to miss outdoors.  The tests check that no two tone patterns share a
rhythm.  The data is plain so the host can render it to WAV for a preview.

A tone pattern is a flat tuple ``(freq_hz, dur_ms, freq_hz, dur_ms, ...)``,
freq 0 = silence.  A vibration pattern is a flat tuple ``(on_ms, off_ms, ...)``.
Each lasts at most MAX_CUE_MS.  All are module constants: nothing is built
at play time, and ``CuePlayer.step`` allocates nothing.
"""

from runcue import engine, ticks

try:
    from micropython import const
except ImportError:  # CPython
    def const(__x):
        return __x

MAX_CUE_MS = const(1500)
F = const(2700)  # main tone: near a common piezo resonance
L = const(2000)  # second pitch, only ever an accent on top of the rhythm

SILENT = ()

CUE_NONE = const(0)
CUE_WARMUP = const(1)
CUE_WALK = const(2)
CUE_RUN = const(3)
CUE_REST = const(4)
CUE_COOLDOWN = const(5)
CUE_COUNTDOWN = const(6)
CUE_HALFWAY = const(7)
CUE_FINISHED = const(8)
CUE_PAUSED = const(9)
CUE_RESUMED = const(10)
CUE_CLICK = const(11)
CUE_STOP_CONFIRM = const(12)
CUE_NAMES = ("none", "warmup", "walk", "run", "rest", "cooldown", "countdown", "halfway",
             "finished", "paused", "resumed", "click", "stop_confirm")

# rhythm in the comments: '-' a long note, '.' a short one
TONE_WARMUP = (F, 700)  # one long -
TONE_WALK = (F, 400, 0, 200, F, 400)  # calm - -
TONE_RUN = (F, 100, 0, 80, F, 100, 0, 80, F, 100, 0, 80, F, 400)  # urgent . . . -
TONE_REST = (F, 200, 0, 600, F, 200)  # sparse .   .
TONE_COOLDOWN = (F, 300, 0, 150, 2400, 300, 0, 150, L, 600)  # falling - - --
TONE_COUNTDOWN = (F, 80)  # a pip
TONE_HALFWAY = (F, 120, 0, 80, F, 120, 0, 300, F, 120, 0, 80, F, 120)  # .. ..
TONE_FINISHED = (L, 150, 0, 50, 2400, 150, 0, 50, F, 150, 0, 250, F, 600)  # rising ... -
TONE_PAUSED = (F, 600, 0, 100, L, 200)  # - .
TONE_RESUMED = (L, 200, 0, 100, F, 600)  # . -
TONE_CLICK = (F, 25)
TONE_STOP_CONFIRM = (L, 150, 0, 150, L, 150, 0, 150, L, 150)  # . . . even, low

# vibration follows the same rhythms; motors need ~80 ms to be felt
VIB_WARMUP = (700, 0)
VIB_WALK = (400, 200, 400, 0)
VIB_RUN = (100, 80, 100, 80, 100, 80, 400, 0)
VIB_REST = (200, 600, 200, 0)
VIB_COOLDOWN = (300, 150, 300, 150, 600, 0)
VIB_COUNTDOWN = (80, 0)
VIB_HALFWAY = (120, 80, 120, 300, 120, 80, 120, 0)
VIB_FINISHED = (150, 50, 150, 50, 150, 250, 600, 0)
VIB_PAUSED = (600, 100, 200, 0)
VIB_RESUMED = (200, 100, 600, 0)
VIB_CLICK = (40, 0)
VIB_STOP_CONFIRM = (150, 150, 150, 150, 150, 0)

TONES = (SILENT, TONE_WARMUP, TONE_WALK, TONE_RUN, TONE_REST, TONE_COOLDOWN, TONE_COUNTDOWN,
         TONE_HALFWAY, TONE_FINISHED, TONE_PAUSED, TONE_RESUMED, TONE_CLICK, TONE_STOP_CONFIRM)
VIBS = (SILENT, VIB_WARMUP, VIB_WALK, VIB_RUN, VIB_REST, VIB_COOLDOWN, VIB_COUNTDOWN,
        VIB_HALFWAY, VIB_FINISHED, VIB_PAUSED, VIB_RESUMED, VIB_CLICK, VIB_STOP_CONFIRM)

# program kind code (program.WARMUP..COOLDOWN) -> cue
KIND_CUES = (CUE_WARMUP, CUE_WALK, CUE_RUN, CUE_REST, CUE_COOLDOWN)


def cue_for_event(event, kind):
    """The cue id for an engine event; ``kind`` is the (new) segment's kind."""
    if event == engine.EV_SEGMENT:
        return KIND_CUES[kind]
    if event == engine.EV_COUNTDOWN:
        return CUE_COUNTDOWN
    if event == engine.EV_HALFWAY:
        return CUE_HALFWAY
    if event == engine.EV_FINISHED:
        return CUE_FINISHED
    if event == engine.EV_PAUSED:
        return CUE_PAUSED
    if event == engine.EV_RESUMED:
        return CUE_RESUMED
    return CUE_NONE  # EV_NONE, EV_SECOND: no sound


def tone_for_event(event, kind):
    return TONES[cue_for_event(event, kind)]


def vib_for_event(event, kind):
    return VIBS[cue_for_event(event, kind)]


def pattern_duration_ms(tone):
    """Length of a tone pattern (sum of its durations)."""
    t = 0
    for i in range(1, len(tone), 2):
        t += tone[i]
    return t


def vib_duration_ms(vib):
    t = 0
    for d in vib:
        t += d
    return t


class CuePlayer:
    """Steps a tone pattern on a buzzer and a vibration pattern on a motor.

    ``buzzer`` has ``tone(freq_hz)`` and ``off()``; ``vibrator`` (optional) has
    ``on()`` and ``off()``.  Change times are the play tick plus cumulative
    offsets, so a late ``step`` catches up without drift (a missed note is
    skipped, not blipped).  ``fixed_hz`` (if not 0) plays every note at that
    frequency, for a piezo that is loud at one frequency only.
    """

    def __init__(self, buzzer, vibrator=None, fixed_hz=0):
        self.buzzer = buzzer
        self.vibrator = vibrator
        self.fixed_hz = fixed_hz
        self.freq = -1  # buzzer now: Hz, 0 in a gap, -1 off (no pattern)
        self.vib = 0  # 1 while the motor runs
        self.playing = False
        self.waiting = 0  # an engine event whose cue waits for the one playing (``holds``)
        self._t0 = 0
        self._tone = SILENT
        self._ti = 0  # index of the current (freq, dur) pair
        self._tend = 0  # offset where it ends
        self._vpat = SILENT
        self._vi = 0  # index of the current on/off phase (even: on)
        self._vend = 0

    def holds(self, event):
        """True when the cue for engine ``event`` must wait for the cue playing: the rule for
        cues that meet, on the watch and in the laptop's preview alike.  A halfway cue never cuts
        a cue short (the news can wait); any other cue replaces the one playing.  The event waits
        in ``waiting`` until :meth:`released` gives it back."""
        if event == engine.EV_HALFWAY and self.playing:
            self.waiting = event
            return True
        return False

    def released(self):
        """The waiting event once the cue playing has ended (it waits no more), else EV_NONE (0)."""
        if self.playing:
            return 0
        event = self.waiting
        self.waiting = 0
        return event

    def play(self, tone, now, vib=SILENT):
        """Start ``tone`` (and ``vib``) at ``now``, replacing any cue playing."""
        self._t0 = now
        self._tone = tone
        self._ti = -2
        self._tend = 0
        self._vpat = vib if self.vibrator is not None else SILENT
        self._vi = -1
        self._vend = 0
        self.playing = True
        self.step(now)

    def stop(self):
        self._ti = len(self._tone)
        self._vi = len(self._vpat)
        self._apply(True, True)

    def step(self, now):
        """Make the changes due at ``now``; returns ``freq``."""
        if not self.playing:
            return self.freq
        el = ticks.diff(now, self._t0)
        tone = self._tone
        n = len(tone)
        tchanged = False
        while self._ti < n and self._tend <= el:
            self._ti += 2
            if self._ti < n:
                self._tend += tone[self._ti + 1]
            tchanged = True
        vpat = self._vpat
        n = len(vpat)
        vchanged = False
        while self._vi < n and self._vend <= el:
            self._vi += 1
            if self._vi < n:
                self._vend += vpat[self._vi]
            vchanged = True
        self._apply(tchanged, vchanged)
        return self.freq

    def next_deadline(self):
        """Tick of the next change, or -1 when the cue is over."""
        if not self.playing:
            return -1
        t = -1
        if self._ti < len(self._tone):
            t = ticks.add(self._t0, self._tend)
        if self._vi < len(self._vpat):
            v = ticks.add(self._t0, self._vend)
            if t < 0 or ticks.diff(v, t) < 0:
                t = v
        return t

    def _apply(self, tchanged, vchanged):
        if tchanged:
            if self._ti < len(self._tone):
                f = self._tone[self._ti]
                if f > 0:
                    if f != self.freq:
                        self.buzzer.tone(self.fixed_hz if self.fixed_hz else f)
                elif self.freq > 0:
                    self.buzzer.off()
                self.freq = f
            else:
                if self.freq > 0:
                    self.buzzer.off()
                self.freq = -1
        if vchanged:
            on = 1 if self._vi < len(self._vpat) and not self._vi & 1 else 0
            if on != self.vib:
                if on:
                    self.vibrator.on()
                else:
                    self.vibrator.off()
                self.vib = on
        if self._ti >= len(self._tone) and self._vi >= len(self._vpat):
            self.playing = False
