"""Drawing for the watch's screens: texts in NL and EN, big glanceable digits.

Screens are laid out for the smallest board profile, a 128x64 mono display
(16 columns x 8 rows of the built-in 8x8 font); larger displays centre that
layout.  Text is scaled from the built-in font, so no font files are needed.
"""

import framebuf

from runcue import program, records

TEXTS = {
    "en": {
        "start": "A: start",
        "week": "%d of %d this week",
        "no_program": "no program",
        "logging_off": "logging off:",
        "sync_me": "sync me",
        "synced": "synced, %d new",
        "updated": "program updated",
        "battery_low": "battery low!",
        "mood_before": "How do you feel?",
        "mood_after": "After the run?",
        "skip": "skip",
        "talk": "Could you talk?",
        "yes": "yes",
        "no": "no",
        "why": "Stopped: why?",
        "reasons": ("", "tired", "pain", "unwell", "other"),
        "round": "round %d/%d",
        "paused": "PAUSED",
        "resume": "A: resume",
        "stop_q": "Stop the run?",
        "stop_yes": "A: stop",
        "stop_no": "B: go on",
        "interrupted": "Interrupted",
        "crash": "RESTART",
        "crash_wait": "one moment...",
        "crash_stuck": "A: try again",
        "out": "You went out,",
        "out_min": ("%d minute out,", "%d minutes out,"),
        "well_done": "well done!",
        "whole": "whole session!",
        "minutes": "%d min",
        "rest_today": "rest day today",
        "next_run": "next run: %s",
        "week_done": "Well done, %d/%d!",
        "next_week": "next week: %s",
        "days": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
        "next": "B: next  A: ok",
        "plan_done": "plan finished",
        "session": "session %d",
    },
    "nl": {
        "start": "A: start",
        "week": "deze week: %d/%d",
        "no_program": "geen programma",
        "logging_off": "log staat uit:",
        "sync_me": "synchroniseer",
        "synced": "gesynct, %d nieuw",
        "updated": "programma nieuw",
        "battery_low": "batterij laag!",
        "mood_before": "Hoe voel je je?",
        "mood_after": "En na het lopen?",
        "skip": "overslaan",
        "talk": "Kon je praten?",
        "yes": "ja",
        "no": "nee",
        "why": "Gestopt: waarom?",
        "reasons": ("", "moe", "pijn", "onwel", "anders"),
        "round": "ronde %d/%d",
        "paused": "PAUZE",
        "resume": "A: verder",
        "stop_q": "Stoppen?",
        "stop_yes": "A: stop",
        "stop_no": "B: verder",
        "interrupted": "Onderbroken",
        "crash": "HERSTART",
        "crash_wait": "even geduld...",
        "crash_stuck": "A: opnieuw",
        "out": "Je ging eropuit,",
        "out_min": ("%d minuut buiten,", "%d min buiten,"),
        "well_done": "goed gedaan!",
        "whole": "hele sessie!",
        "minutes": "%d min",
        "rest_today": "rustdag vandaag",
        "next_run": "volgende: %s",
        "week_done": "Goed gedaan, %d/%d",
        "next_week": "nieuwe week: %s",
        "days": ("ma", "di", "wo", "do", "vr", "za", "zo"),
        "next": "B: volg.  A: ok",
        "plan_done": "schema klaar",
        "session": "sessie %d",
    },
}

for _lang, _t in TEXTS.items():
    _t["kinds"] = tuple(w.upper() for w in program.KIND_WORDS[_lang])  # the running screen's big word
    _t["words"] = program.KIND_WORDS[_lang]
    _t["mood_ends"] = records.MOOD_ENDS[_lang]

W = 128  # the layout's width; boards with a wider screen centre it
H = 64
COLUMNS = program.SHOWN_NAME  # 8 px characters across W


def mmss(ms):
    s = (ms + 999) // 1000  # a countdown shows 0:01 until the last millisecond
    return "%d:%02d" % (s // 60, s % 60)


class Painter:
    """Draws the layout into a board's framebuffer (any size >= 128x64)."""

    def __init__(self, fb, width, height):
        self.fb = fb
        self.x0 = (width - W) // 2
        self.y0 = (height - H) // 2
        self.width = width
        self.height = height
        self._glyph = framebuf.FrameBuffer(bytearray(8), 8, 8, framebuf.MONO_HLSB)

    def clear(self):
        self.fb.fill(0)

    def text(self, s, x, y, scale=1):
        if scale == 1:
            self.fb.text(s, self.x0 + x, self.y0 + y, 1)
            return
        for ch in s:
            self._scaled(ch, self.x0 + x, self.y0 + y, scale)
            x += 8 * scale

    def _scaled(self, ch, x, y, scale):
        """``ch`` drawn ``scale`` times larger at (x, y), from the 8x8 font, one square per pixel.
        Drawn each time, never kept: a cache of scaled glyphs cost the heap more than the 64 KB
        goal had left, and a second's redraw of a few digits is cheap."""
        g = self._glyph
        g.fill(0)
        g.text(ch, 0, 0, 1)
        fb = self.fb
        for gy in range(8):
            for gx in range(8):
                if g.pixel(gx, gy):
                    fb.fill_rect(x + gx * scale, y + gy * scale, scale, scale, 1)

    def centred(self, s, y, scale=1):
        scale = min(scale, max(1, W // (8 * max(1, len(s)))))
        self.text(s, (W - len(s) * 8 * scale) // 2, y, scale)

    def fitted(self, s, y):
        """``s`` centred on one line; a longer one ends in an ellipsis, never in half a letter."""
        if len(s) <= COLUMNS:
            self.centred(s, y)
            return
        self.text(s[:COLUMNS - 1], 0, y)
        for dx in (1, 4, 7):  # the font has no ellipsis: three dots in the last column
            self.fb.fill_rect(self.x0 + W - 8 + dx - 1, self.y0 + y + 6, 1, 1, 1)

    def bar(self, y, done, total):
        self.fb.rect(self.x0, self.y0 + y, W, 6, 1)
        if total > 0:
            self.fb.fill_rect(self.x0 + 1, self.y0 + y + 1, (W - 2) * min(done, total) // total, 4, 1)

    def scale(self, title, ends, skip, selected):
        """A 1-5 answer on one line, what its ends mean under it, and "skip" below.

        ``selected``: 0 is skip, 1-5 the answers (the order the records keep).
        """
        self.clear()
        self.centred(title, 0)
        for n in range(1, 6):
            x = 4 + (n - 1) * 26  # five boxes spread over the width: 1 under "bad", 5 under "good"
            label = "%d" % n
            if n == selected:
                self.fb.fill_rect(self.x0 + x, self.y0 + 12, 16, 12, 1)
                self.fb.text(label, self.x0 + x + 4, self.y0 + 14, 0)
            else:
                self.fb.rect(self.x0 + x, self.y0 + 12, 16, 12, 1)
                self.text(label, x + 4, 14)
        self.text(ends[0], 0, 27)
        self.text(ends[1], W - 8 * len(ends[1]), 27)
        w = len(skip) * 8 + 4
        x = (W - w) // 2
        if selected == 0:
            self.fb.fill_rect(self.x0 + x, self.y0 + 37, w, 11, 1)
            self.fb.text(skip, self.x0 + x + 2, self.y0 + 39, 0)
        else:
            self.text(skip, x + 2, 39)

    def choice(self, title, options, selected):
        """A question with options; the selected one is shown inverted."""
        self.clear()
        self.centred(title, 0)
        y = 14
        x = 0
        for i, opt in enumerate(options):
            w = len(opt) * 8 + 4
            if x + w > W:
                x = 0
                y += 12
            if i == selected:
                self.fb.fill_rect(self.x0 + x, self.y0 + y - 2, w, 11, 1)
                self.fb.text(opt, self.x0 + x + 2, self.y0 + y, 0)
            else:
                self.text(opt, x + 2, y)
            x += w + 2
