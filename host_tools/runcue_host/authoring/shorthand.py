"""Programs as people write them: a shorthand line or a TOML file (CPython only).

Shorthand
---------
``5m walk, 8x(60s run, 90s walk), 5m walk``

* Items are separated by ``,`` or ``;``.  Spaces, tabs, newlines and case do not
  matter.  An empty item (``5m walk,, 3m run``, a trailing comma) is an error:
  something may be missing.
* A segment is a duration and a kind, in either order: ``90s run``, ``run 90s``,
  ``warm-up 5 min``, ``1:30 walk``.
* Durations: ``90s``, ``5m``, ``1h``, ``2m30s``, ``1h30m``, ``2m 30s`` and spelled-out
  units (``sec``, ``secs``, ``seconds``, ``min``, ``mins``, ``minutes``, ``hr``,
  ``hour(s)``; Dutch ``seconde(n)``, ``minuut``, ``minuten``, ``u``, ``uur``), in the
  order hours, minutes, seconds; or a clock ``m:ss`` (``1:30``) or ``h:mm:ss``
  (``1:30:00``).  A number without a unit (``90 walk``) and decimals (``1.5m``, and the
  Dutch ``1,5 min``) are errors that suggest the exact spelling (``write 1m30s or 90s``):
  a decimal comma would clash with the item separator, so neither decimal form is accepted.
* Kinds: warmup, walk, run, rest, cooldown, and the aliases in :data:`KIND_ALIASES`
  (``warm-up``, ``warm up``, ``cool-down``, ``jog`` = run, ``pause`` = rest, and Dutch:
  ``wandelen``, ``hardlopen``, ``rennen``, ``joggen``, ``rust``, ``pauze``,
  ``opwarmen``, ``inlopen``, ``cooling-down``, ``uitlopen``, ``uitwandelen``).  ``jog``
  is run: a running-therapy run is a calm, conversational-pace jog.  Dutch ``lopen`` is
  refused as ambiguous (walk in the Netherlands, run in Flanders).
* Language: the kind words say it (:func:`choose_lang`): only Dutch words (``wandelen``,
  ``hardlopen``...) make a Dutch program (its watch speaks Dutch), only English words an
  English one; warm-up and cool-down count for neither; a mix, or none, is English and
  ``program check`` says so.  ``--lang`` (and a file's ``lang``) override the words.
* A duration alone (``90s``) is an error ("what kind?"), never a silent walk; a kind
  alone is an error ("how long?").
* Repeats: ``8x(...)``, ``8 x (...)``, ``8X(...)``, ``8×(...)``, ``8*(...)`` and the
  same after the group: ``(60s run, 90s walk) x 8``.  Repeats nest at most
  ``program.MAX_DEPTH`` levels; the count is 1 to ``program.MAX_REPEAT``.  The
  parentheses are required, also around a single segment.

Errors name the place: the item number (``item 2``; ``item 2.1`` is the first item
inside item 2's repeat), the column (1-based), the text written there, and the reason.
Limits (segment length, total, expanded count) are checked by ``runcue.program.make``
and reported with the segment number in written order plus the item it came from.

TOML program files
------------------
::

    name = "C25K week 1"          # optional: defaults to the file name
    lang = "en"                   # "en" (default) or "nl"
    notes = "Walk briskly."       # optional, for the therapist; not sent to the watch
    shorthand = "5m walk, 8x(60s run, 90s walk), 5m walk"

or, instead of ``shorthand``, ``[[segments]]`` tables with ``kind`` plus ``duration``
(a text such as ``"90s"`` or ``"1:30"``) or ``seconds`` (a whole number), or
``repeat = N`` plus nested ``[[segments.segments]]`` tables.  Unknown fields are
errors (a typo must not go unnoticed).  Tables are counted from 1 in messages
(``segments[2].segments[1]``), with the file's line where it can be found.

Every error is a :class:`ShorthandError` or :class:`ProgramFileError`; both are
``runcue.program.ProgramError`` and ``runcue_host.UserError``, and their message is
one line: ``<where>: <what>: <why>``.  Nothing is ever evaluated.
"""

import difflib
import os
import re
import tomllib
from pathlib import Path
from typing import TypeGuard

from runcue import program
from runcue.program import ProgramError
from runcue_host import UserError

__all__ = [
    "Authored", "KIND_ALIASES", "KIND_LANG", "MAX_FILE_BYTES", "MAX_SHORTHAND_CHARS",
    "ProgramFileError", "ShorthandError", "TomlLines", "WRITTEN_KINDS", "check_lang", "choose_lang",
    "compile_shorthand", "duration_text", "explain_limit", "format_shorthand", "load_authored", "load_spec",
    "load_toml", "loads_toml", "parse_duration", "parse_segments", "parse_shorthand", "quote",
    "read_toml_file", "shorthand_program", "summary", "toml_document", "toml_program", "type_name",
]

MAX_SHORTHAND_CHARS = 10000
MAX_FILE_BYTES = 256 * 1024
_MAX_DIGITS = 9


class ShorthandError(ProgramError, UserError):
    """A shorthand line that does not make a program; the message says where and why."""


class ProgramFileError(ProgramError, UserError):
    """A program file that does not make a program; the message names the file."""


# The kind words, by the language they belong to (keys are lower case with spaces, hyphens and
# underscores removed).  A program written with Dutch words only is Dutch (its watch speaks
# Dutch); with English words only, English; warm-up and cool-down are written alike in both.
_KIND_WORDS = {
    "en": {
        "walk": "walk", "walking": "walk",
        "run": "run", "running": "run", "jog": "run", "jogging": "run",
        "rest": "rest", "pause": "rest",
    },
    "nl": {
        "opwarmen": "warmup", "opwarming": "warmup", "inlopen": "warmup",
        "wandelen": "walk", "wandel": "walk",
        "hardlopen": "run", "rennen": "run", "joggen": "run",
        "rust": "rest", "pauze": "rest",
        "uitlopen": "cooldown", "uitwandelen": "cooldown", "afkoelen": "cooldown",
    },
    None: {"warmup": "warmup", "warmingup": "warmup", "cooldown": "cooldown", "coolingdown": "cooldown"},
}
KIND_ALIASES = {key: kind for words in _KIND_WORDS.values() for key, kind in words.items()}
KIND_LANG = {key: lang for lang, words in _KIND_WORDS.items() if lang for key in words}
# how each kind is written back as shorthand, per language (these parse back to the same kind)
WRITTEN_KINDS = {"en": program.KINDS, "nl": ("opwarmen", "wandelen", "hardlopen", "rust", "uitlopen")}
_AMBIGUOUS = {
    "lopen": '"lopen" is ambiguous: write wandelen (walk) or hardlopen (run)',
    "loop": '"loop" is ambiguous: write wandelen (walk) or hardlopen (run)',
}
_KINDS_TEXT = "warmup, walk, run, rest or cooldown"

_UNITS = {}
for _names, _ms in (
    (("h", "hr", "hrs", "hour", "hours", "u", "uur", "uren"), 3600000),
    (("m", "min", "mins", "minute", "minutes", "minuut", "minuten"), 60000),
    (("s", "sec", "secs", "second", "seconds", "seconde", "seconden"), 1000),
):
    for _n in _names:
        _UNITS[_n] = _ms
_REPEAT_WORDS = ("x",)

_EXAMPLE = '"5m walk, 8x(60s run, 90s walk), 5m walk"'

# One token per match; "bad" catches any other single character.
_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<sep>[,;])
  | (?P<lp>\()
  | (?P<rp>\))
  | (?P<times>[×*])
  | (?P<dec>[0-9]+[.][0-9]*)
  | (?P<clock>[0-9]+(?::[0-9]*)+)
  | (?P<num>[0-9]+)
  | (?P<word>[^\W\d_]+(?:[-'_][^\W\d_]+)*)
  | (?P<bad>.)
""", re.VERBOSE | re.DOTALL)


class _Tok:
    __slots__ = ("kind", "text", "pos")

    def __init__(self, kind, text, pos):
        self.kind = kind
        self.text = text
        self.pos = pos

    def __repr__(self):
        return "%s(%r)@%d" % (self.kind, self.text, self.pos)


class _Problem(Exception):
    """Internal: a message and the character position it is about."""

    def __init__(self, msg, pos=None):
        Exception.__init__(self, msg)
        self.msg = msg
        self.pos = pos


def _show(text, limit=32):
    """``text`` quoted for a one-line message: control characters escaped, long text cut."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit - 3] + "..."
    out = []
    for ch in text:
        o = ord(ch)
        if o < 32 or o == 127 or 0xD800 <= o <= 0xDFFF:
            out.append("\\x%02x" % o if o < 256 else "\\u%04x" % o)
        else:
            out.append(ch)
    return '"%s"' % "".join(out)


def _at(text, pos):
    """'column N' (1-based) or, for text over several lines, 'line L, column C'."""
    if "\n" not in text:
        return "column %d" % (pos + 1)
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return "line %d, column %d" % (line, col)


def _tokenize(text):
    toks = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "ws":
            continue
        tok = m.group()
        if kind == "bad":
            hint = ""
            if tok in "[{":
                hint = ": repeats use round brackets, e.g. 8x(60s run, 90s walk)"
            elif tok in "\"'":
                hint = ": no quotes are needed"
            raise _Problem("unexpected character %s at %s%s" % (_show(tok), _at(text, m.start()), hint),
                           m.start())
        if kind == "word" and tok.lower() in _REPEAT_WORDS:
            kind = "times"
        toks.append(_Tok(kind, tok, m.start()))
    return toks


# -- durations ---------------------------------------------------------------------------

def _number(tok):
    digits = tok.text.lstrip("0") or "0"
    if len(digits) > _MAX_DIGITS:
        raise _Problem("%s is too large a number" % _show(tok.text), tok.pos)
    return int(digits)


def _decimal_problem(tok, unit_tok, shown=None):
    """"1.5m": no decimals, write 1m30s or 90s.  ``shown`` is the text as written when it is
    not the token's (a decimal comma: "1,5 min")."""
    unit = _UNITS.get(unit_tok.text.lower()) if unit_tok is not None else None
    whole, _, frac = tok.text.partition(".")
    hint = "write whole numbers, e.g. 1m30s or 1:30"
    if unit and len(whole) <= _MAX_DIGITS and len(frac) <= 6:
        ms = int(whole or "0") * unit + (int(frac or "0") * unit) // (10 ** len(frac))
        exact = (int(frac or "0") * unit) % (10 ** len(frac)) == 0
        if exact and ms % 1000 == 0 and ms > 0:
            hint = "write %s" % duration_text(ms)
            smaller = 60000 if unit == 3600000 else 1000
            if unit > 1000 and ms % unit:
                hint += " or %d%s" % (ms // smaller, "m" if smaller == 60000 else "s")
    if shown is None:
        shown = tok.text + ("" if unit_tok is None else unit_tok.text)
    return _Problem("%s: no decimals, %s" % (_show(shown), hint), tok.pos)


def _decimal_comma(text, toks, i):
    """The _Problem for a decimal comma at toks[i] ("1,5 min": the comma would split the item),
    or None.  Only digits written right against both sides of a comma are read that way."""
    if i + 2 >= len(toks):
        return None
    num, sep, frac = toks[i], toks[i + 1], toks[i + 2]
    if not (num.kind == "num" and sep.text == "," and frac.kind == "num"
            and sep.pos == num.pos + len(num.text) and frac.pos == sep.pos + 1):
        return None
    unit = toks[i + 3] if i + 3 < len(toks) and _is_unit(toks[i + 3]) else None
    end = unit.pos + len(unit.text) if unit is not None else frac.pos + len(frac.text)
    return _decimal_problem(_Tok("dec", "%s.%s" % (num.text, frac.text), num.pos), unit,
                            text[num.pos:end])


def _clock_ms(tok):
    parts = tok.text.split(":")
    if len(parts) > 3 or any(p == "" for p in parts):
        raise _Problem("%s is not a time: write m:ss (1:30) or h:mm:ss (1:05:00)" % _show(tok.text), tok.pos)
    for p in parts[1:]:
        if len(p) != 2:
            raise _Problem("%s: write two digits after each colon, e.g. 1:05" % _show(tok.text), tok.pos)
        if int(p) >= 60:
            raise _Problem("%s: %s is not below 60" % (_show(tok.text), p), tok.pos)
    first = _number(_Tok("num", parts[0], tok.pos))
    if len(parts) == 2:
        return (first * 60 + int(parts[1])) * 1000
    return (first * 3600 + int(parts[1]) * 60 + int(parts[2])) * 1000


def _is_unit(tok) -> TypeGuard["_Tok"]:
    return tok is not None and tok.kind == "word" and tok.text.lower() in _UNITS


def _take_duration(toks, i):
    """Read a duration starting at toks[i]; (ms, next index).  toks[i] is num/clock/dec."""
    tok = toks[i]
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if tok.kind == "clock":
        if _is_unit(nxt):
            raise _Problem("%s %s: write either 1:30 or 1m30s, not both" % (tok.text, nxt.text), tok.pos)
        return _clock_ms(tok), i + 1
    if tok.kind == "dec":
        raise _decimal_problem(tok, nxt if _is_unit(nxt) else None)
    ms = 0
    last_unit = None
    last = None
    while i < len(toks) and toks[i].kind in ("num", "dec"):
        tok = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if tok.kind == "dec":
            raise _decimal_problem(tok, nxt if _is_unit(nxt) else None)
        if not _is_unit(nxt):
            n = _number(tok)
            raise _Problem("%s needs a unit: %ss or %sm (or m:ss, e.g. 1:30)" % (
                _show(tok.text), n, n), tok.pos)
        unit = _UNITS[nxt.text.lower()]
        if last_unit is not None and unit >= last_unit:
            raise _Problem("%s after %s: write hours, then minutes, then seconds, each once (e.g. 1h30m)" % (
                _show(tok.text + nxt.text), _show(last)), tok.pos)
        ms += _number(tok) * unit
        last_unit = unit
        last = tok.text + nxt.text
        i += 2
    return ms, i


def _duration_ms(text):
    """Milliseconds for a duration written on its own, or _Problem (naming the text)."""
    if len(text) > 100:
        raise _Problem("%s is too long for a duration" % _show(text))
    try:
        toks = _tokenize(text)
    except _Problem:
        toks = None
    if not toks or toks[0].kind not in ("num", "clock", "dec"):
        raise _Problem("%s is not a duration: write e.g. 90s, 5m, 2m30s or 1:30" % _show(text))
    comma = _decimal_comma(text, toks, 0)
    if comma is not None:
        raise comma
    ms, i = _take_duration(toks, 0)
    if i != len(toks):
        raise _Problem("%s is not a duration: unexpected %s" % (_show(text), _show(toks[i].text)))
    return ms


def parse_duration(text):
    """Milliseconds for a duration written as in shorthand (``"90s"``, ``"1:30"``,
    ``"2m30s"``, ``"5 min"``); ShorthandError otherwise.  Only a non-negative whole number
    of seconds can be written; limits are checked later by ``program.make``."""
    if not isinstance(text, str):
        raise ShorthandError("duration: must be text such as \"90s\"")
    try:
        return _duration_ms(text)
    except _Problem as p:
        raise ShorthandError("duration: " + p.msg) from None


def duration_text(ms):
    """A whole number of seconds as shorthand writes it: ``1h30m``, ``1m30s``, ``45s``."""
    if ms % 1000:
        raise ValueError("%d ms is not a whole number of seconds" % ms)
    return program.seconds_text(ms)


# -- kinds -------------------------------------------------------------------------------

def _kind_key(words):
    """The kind words of a segment as a key of KIND_ALIASES ("Warm-Up" -> "warmup")."""
    return re.sub(r"[\s\-_'’]+", "", " ".join(w.text for w in words).lower())


def _kind(words, pos):
    """The canonical kind for the kind words of a segment."""
    written = " ".join(w.text for w in words)
    key = _kind_key(words)
    if key in KIND_ALIASES:
        return KIND_ALIASES[key]
    if key in _AMBIGUOUS:
        raise _Problem(_AMBIGUOUS[key], pos)
    for w in words:
        if w.kind == "times":
            raise _Problem("%s here: a repeat is written 8x(60s run, 90s walk)" % _show(w.text), w.pos)
    hint = ""
    single = [w.text for w in words if w.text.lower() in KIND_ALIASES]
    close = difflib.get_close_matches(key, list(KIND_ALIASES), n=1, cutoff=0.75)
    if single:
        hint = ": did you mean %s?" % _show(single[0])
    elif close:
        hint = ": did you mean %s?" % _show(close[0])
    elif any(_is_unit(w) for w in words):
        hint = ": a unit follows its number, e.g. 5m"
    raise _Problem("unknown kind %s%s (use %s)" % (_show(written), hint, _KINDS_TEXT), pos)


def _kind_of(text):
    """(canonical kind, its language or None) for a kind written on its own (TOML ``kind = ...``)."""
    toks = _tokenize(text)
    if not toks or any(t.kind not in ("word", "times") for t in toks):
        raise _Problem("%s is not a kind (use %s)" % (_show(text), _KINDS_TEXT))
    return _kind(toks, None), KIND_LANG.get(_kind_key(toks))


def choose_lang(langs):
    """(lang, where it came from) for the languages of a program's kind words (None: a word
    that is the same in both).  One language only: that one; a mix, or none: English, and
    the second part says why, for ``program check`` to show."""
    found = {lang for lang in langs if lang}
    if len(found) == 1:
        return found.pop(), "the words"
    if found:
        return "en", "the default: the words mix Dutch and English (write --lang nl for Dutch)"
    return "en", "the default"


def check_lang(value, where="--lang"):
    """``value`` as one of program.LANGS ("NL " -> "nl"); UserError otherwise."""
    lang = value.strip().lower() if isinstance(value, str) else value
    if lang not in program.LANGS:
        raise UserError("%s: %s is not one of %s" % (where, _show(str(value)), ", ".join(program.LANGS)))
    return lang


# -- shorthand parser --------------------------------------------------------------------

class _Seg:
    """Where a written segment came from: for messages about segment N."""

    __slots__ = ("path", "text", "pos", "lang")

    def __init__(self, path, text, pos, lang):
        self.path = path
        self.text = text
        self.pos = pos
        self.lang = lang  # of its kind word (None: the same in both languages)


class _Parser:
    def __init__(self, text):
        self.text = text
        self.toks = _tokenize(text)
        self.i = 0
        self.segs = []

    def peek(self, k=0):
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def end_pos(self):
        return len(self.text.rstrip())

    def frag(self, start, end):
        return _show(self.text[start:end])

    def parse(self):
        if not self.toks:
            raise _Problem("is empty: write segments such as %s" % _EXAMPLE)
        items = self.parse_list(1, "", None)
        return items

    def parse_list(self, depth, prefix, open_tok):
        """Items up to the matching ')' (open_tok given) or the end of the text."""
        items = []
        n = 0
        while True:
            n += 1
            path = "%s%d" % (prefix, n)
            tok = self.peek()
            if tok is None or tok.kind in ("sep", "rp"):
                pos = tok.pos if tok is not None else self.end_pos()
                if tok is None and open_tok is None and n > 1:
                    why = "the text ends with a separator: something may be missing"
                elif tok is not None and tok.kind == "rp" and n == 1:
                    why = "nothing inside the brackets"
                else:
                    why = "something may be missing"
                raise _Problem("item %s is empty (%s): %s" % (path, _at(self.text, pos), why), pos)
            items.append(self.parse_item(depth, path))
            tok = self.peek()
            if tok is None:
                if open_tok is not None:
                    raise _Problem('"(" at %s is never closed' % _at(self.text, open_tok.pos), open_tok.pos)
                return items
            if tok.kind == "sep":
                self.i += 1
                continue
            if tok.kind == "rp":
                if open_tok is None:
                    raise _Problem('")" at %s has no matching "("' % _at(self.text, tok.pos), tok.pos)
                self.i += 1
                return items
            # anything else right after an item: a missing comma, most likely
            raise _Problem("%s at %s: a comma may be missing before it" % (
                _show(tok.text), _at(self.text, tok.pos)), tok.pos)

    def parse_item(self, depth, path):
        tok = self.peek()
        assert tok is not None  # the caller saw a token here
        start = tok.pos
        nxt = self.peek(1)
        if tok.kind == "num" and nxt is not None and nxt.kind == "times":
            # prefix repeat: 8x( ... )
            count_tok = tok
            self.i += 2
            lp = self.peek()
            if lp is None or lp.kind != "lp":
                raise self.item_problem(path, start, self.next_item_end(),
                                        "put what repeats in brackets: %s%s(60s run, 90s walk)" % (
                                            tok.text, nxt.text))
            return self.parse_group(depth, path, start, count_tok)
        if tok.kind == "lp":
            return self.parse_group(depth, path, start, None)
        return self.parse_segment(path)

    def parse_group(self, depth, path, start, count_tok):
        lp = self.peek()
        if depth > program.MAX_DEPTH:
            raise self.item_problem(path, start, self.group_end(),
                                    "repeats are nested more than %d levels deep" % program.MAX_DEPTH)
        self.i += 1
        inner = self.parse_list(depth + 1, path + ".", lp)
        if count_tok is None:
            # postfix repeat: ( ... ) x 8
            t1, t2 = self.peek(), self.peek(1)
            if t1 is not None and t1.kind == "times" and t2 is not None and t2.kind == "num":
                count_tok = t2
                self.i += 2
            else:
                end = self.toks[self.i - 1].pos + 1
                raise self.item_problem(path, start, end,
                                        "brackets need a repeat count: 8x(...) or (...) x 8")
        end = count_tok.pos + len(count_tok.text) if count_tok.pos > start else self.toks[self.i - 1].pos + 1
        try:
            count = _number(count_tok)
        except _Problem as p:
            raise self.item_problem(path, start, end, p.msg) from None
        if count < 1 or count > program.MAX_REPEAT:
            raise self.item_problem(path, start, end, "repeat count %d is not between 1 and %d" % (
                count, program.MAX_REPEAT))
        return ["x", count, inner]

    def group_end(self):
        """The position just after the ')' that closes the '(' at self.i (or the text's end)."""
        level = 0
        for tok in self.toks[self.i:]:
            if tok.kind == "lp":
                level += 1
            elif tok.kind == "rp":
                level -= 1
                if level == 0:
                    return tok.pos + 1
        return len(self.text)

    def next_item_end(self):
        j = self.i
        while j < len(self.toks) and self.toks[j].kind not in ("sep", "rp"):
            j += 1
        if j < len(self.toks):
            return self.toks[j].pos
        return len(self.text)

    def item_problem(self, path, start, end, why):
        return _Problem("item %s %s (%s): %s" % (
            path, self.frag(start, end), _at(self.text, start), why), start)

    def parse_segment(self, path):
        j = self.i
        while j < len(self.toks) and self.toks[j].kind not in ("sep", "rp", "lp"):
            j += 1
        toks = self.toks[self.i:j]
        start = toks[0].pos
        end = toks[-1].pos + len(toks[-1].text)
        if j < len(self.toks) and self.toks[j].kind == "lp":
            lp = self.toks[j]
            end = lp.pos + 1
            why = "a repeat is written 8x(60s run, 90s walk)"
            if len(toks) == 1 and toks[0].kind == "num":
                why = "write %sx(...) to repeat" % toks[0].text
            elif len(toks) > 2 and toks[-1].kind == "times" and toks[-2].kind == "num":
                why = "a comma may be missing before %s" % _show(toks[-2].text + toks[-1].text)
            raise self.item_problem(path, start, end, why)
        comma = _decimal_comma(self.text, self.toks, self.i) if len(toks) == 1 else None
        if comma is not None:  # "1,5 min walk": the whole of it in the message, not just "1"
            k = self.i + 2
            while k < len(self.toks) and self.toks[k].kind not in ("sep", "rp", "lp"):
                k += 1
            last = self.toks[k - 1]
            raise self.item_problem(path, start, last.pos + len(last.text), comma.msg)
        self.i = j
        try:
            kind, ms, words = self.segment(toks)
        except _Problem as p:
            raise self.item_problem(path, start, end, p.msg) from None
        self.segs.append(_Seg(path, self.text[start:end], start, KIND_LANG.get(_kind_key(words))))
        return [kind, ms]

    def segment(self, toks):
        """(kind, ms, kind words) from the tokens of one segment item: duration and kind, either order."""
        if toks[0].kind in ("num", "clock", "dec"):
            ms, i = _take_duration(toks, 0)
            words = toks[i:]
            if not words:
                raise _Problem("what kind? add %s, e.g. %s walk" % (
                    _KINDS_TEXT, duration_text(ms) if ms > 0 else "90s"))
            bad = [t for t in words if t.kind not in ("word", "times")]
            if bad:
                raise _Problem("%s: one duration and one kind per item; a comma may be missing" % (
                    _show(bad[0].text),))
            return _kind(words, words[0].pos), ms, words
        # kind first
        k = 0
        while k < len(toks) and toks[k].kind in ("word", "times"):
            k += 1
        words = toks[:k]
        if k == len(toks):
            kind = _kind(words, words[0].pos)
            raise _Problem("how long? add a duration, e.g. 5m %s (or 90s, 2m30s, 1:30)" % kind)
        ms, i = _take_duration(toks, k)
        if i != len(toks):
            raise _Problem("%s: one duration and one kind per item; a comma may be missing" % (
                _show(toks[i].text),))
        return _kind(words, words[0].pos), ms, words


def _parse(text):
    """(items, segment origins) or _Problem."""
    if not isinstance(text, str):
        raise _Problem("must be text")
    if len(text) > MAX_SHORTHAND_CHARS:
        raise _Problem("%d characters, at most %d" % (len(text), MAX_SHORTHAND_CHARS))
    p = _Parser(text)
    return p.parse(), p.segs


def parse_shorthand(text):
    """Device-form items for a shorthand line (not yet checked against the limits)."""
    try:
        return _parse(text)[0]
    except _Problem as p:
        raise ShorthandError("shorthand: " + p.msg) from None


_SEGMENT_MSG = re.compile(r"^segment (\d+): ")


def _explain(err, segs, where):
    """A ProgramError from program.make with the written place of its segment added."""
    msg = str(err)
    m = _SEGMENT_MSG.match(msg)
    if m and 1 <= int(m.group(1)) <= len(segs):
        msg += " (%s)" % where(segs[int(m.group(1)) - 1])
    return msg


def default_name(items, lang="en"):
    """The name of a program written as shorthand: its shape and length, as the watch can show it
    ("6x 1:30/2:00 31m", "30 min walk"); the rule is the core's, ``program.generated_name``."""
    return program.generated_name(items, lang)


class Authored:
    """A program as the therapist wrote it: the checked ``program``, its ``notes`` (laptop
    only), ``lang_from`` (where its language came from: "--lang", "the file", "the words",
    "the default...") and ``word_langs`` (the languages of its kind words)."""

    __slots__ = ("program", "notes", "lang_from", "word_langs")

    def __init__(self, prog, notes, lang_from, word_langs):
        self.program = prog
        self.notes = notes
        self.lang_from = lang_from
        self.word_langs = word_langs


def compile_shorthand(text, name=None, lang=None):
    """A checked Program for a shorthand line; ``name`` defaults to :func:`default_name`,
    ``lang`` to the language of the kind words (:func:`choose_lang`)."""
    return shorthand_program(text, name, lang).program


def shorthand_program(text, name=None, lang=None, lang_from="--lang"):
    """:class:`Authored` for a shorthand line (see :func:`compile_shorthand`); ``lang_from``
    says where a given ``lang`` came from."""
    try:
        items, segs = _parse(text)
    except _Problem as p:
        raise ShorthandError("shorthand: " + p.msg) from None
    word_langs = {s.lang for s in segs if s.lang}
    if lang is None:
        lang, lang_from = choose_lang(word_langs)
    if name is None:
        name = default_name(items, lang)  # in the program's language: a Dutch line gets a Dutch name
    if isinstance(name, str) and any(0xD800 <= ord(c) <= 0xDFFF for c in name):
        raise ShorthandError("name: not valid text (a lone surrogate)")
    try:
        return Authored(program.make(name, lang, items), "", lang_from, word_langs)
    except ProgramError as e:
        raise ShorthandError("shorthand: " + _explain(e, segs, lambda s: "item %s %s, %s" % (
            s.path, _show(s.text), _at(text, s.pos)))) from None


def format_shorthand(items, lang="en"):
    """Canonical shorthand for device-form items (whole seconds), with the kind words of
    ``lang``: parses back to the same items (and, for Dutch, to a Dutch program)."""
    words = WRITTEN_KINDS[lang]
    parts = []
    for item in items:
        if item[0] == "x":
            parts.append("%dx(%s)" % (item[1], format_shorthand(item[2], lang)))
        else:
            parts.append("%s %s" % (duration_text(item[1]), words[program.KINDS.index(item[0])]))
    return ", ".join(parts)


# -- TOML files --------------------------------------------------------------------------

_FILE_FIELDS = ("name", "notes", "lang", "shorthand", "segments")
_SEGMENT_FIELDS = ("kind", "duration", "seconds", "repeat", "segments")
_TOML_POS = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")
_ANY_HEADER = re.compile(r"\s*\[\[?\s*[A-Za-z0-9_\-\"'. ]+\]\]?\s*(#.*)?$")


def _type_name(value):
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return "a date/time"


class TomlLines:
    """Best-effort line numbers for fields of a TOML document (None when unsure).

    ``table`` is the array of tables at the top: ``[[segments]]`` in a program file,
    ``[[sessions]]`` in a plan file; ``[[<table>.segments.segments]]`` nest below it.
    A ``path`` is the 1-based index of each table, outermost first."""

    def __init__(self, text, table="segments"):
        self.lines = text.splitlines()
        self.table = table
        header = re.compile(r"\s*\[\[\s*(%s(?:\s*\.\s*segments)*)\s*\]\]" % re.escape(table))
        self.headers = []  # (line number, depth); depth 0: some other table
        for n, line in enumerate(self.lines, 1):
            m = header.match(line)
            if m:
                self.headers.append((n, m.group(1).count(".") + 1))
            elif _ANY_HEADER.match(line):
                self.headers.append((n, 0))

    def span(self, path):
        """(first, last) line of the table at 1-based ``path`` (), or of the top level."""
        start, end = 0, len(self.lines) + 1
        if not path:
            first = min([n for n, _ in self.headers] + [end])
            return 0, first
        for depth, idx in enumerate(path, 1):
            found = [n for n, d in self.headers if start < n < end and d == depth]
            if len(found) < idx:
                return None
            start = found[idx - 1]
            later = [n for n, d in self.headers if start < n < end and d <= depth]
            end = min(later) if later else end
        return start, end

    def line(self, path, key=None):
        span = self.span(path)
        while span is None and path:
            path = path[:-1]
            span = self.span(path)
            key = "segments" if path else self.table
        if span is None:
            return None
        start, end = span
        if key is not None:
            pat = re.compile(r"\s*%s\s*=" % re.escape(key))
            for n in range(start + 1, end):
                if pat.match(self.lines[n - 1]):
                    return n
        return start or None


def _where(where, line):
    return "%s: line %d" % (where, line) if line else where


def _path_text(path):
    return ".".join("segments[%d]" % i for i in path)


def loads_toml(data, where="program.toml", fallback_name=None, lang=None):
    """(Program, notes) from the bytes or text of a TOML program file.

    ``where`` names the file in messages; ``fallback_name`` is the program name when the
    file has none (``load_toml`` passes the file name without ``.toml``); ``lang``, when
    given, is the program's language whatever the file says."""
    a = toml_program(data, where, fallback_name, lang)
    return a.program, a.notes


def toml_program(data, where="program.toml", fallback_name=None, lang=None):
    """:class:`Authored` for a TOML program file (see :func:`loads_toml`)."""
    doc, text = toml_document(data, where)
    return _from_doc(doc, TomlLines(text), where, fallback_name, lang)


def toml_document(data, where, what="program"):
    """(document, text) of a TOML file's bytes or text: size, BOM, UTF-8 and syntax
    checked; ProgramFileError names ``where`` (and ``what`` the file should be)."""
    if isinstance(data, (bytes, bytearray)):
        if len(data) > MAX_FILE_BYTES:
            raise ProgramFileError("%s: %d bytes, at most %d: is this really a %s file?" % (
                where, len(data), MAX_FILE_BYTES, what))
        data = bytes(data)
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ProgramFileError("%s: UTF-16 text (it starts with a UTF-16 byte order mark): "
                                   "save the file as UTF-8" % where)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            line = data.count(b"\n", 0, e.start) + 1
            raise ProgramFileError("%s: line %d: not UTF-8 text (byte 0x%02x): save the file as UTF-8" % (
                where, line, data[e.start])) from None
    elif isinstance(data, str):
        text = data
        if len(text) > MAX_FILE_BYTES:
            raise ProgramFileError("%s: %d characters, at most %d: is this really a %s file?" % (
                where, len(text), MAX_FILE_BYTES, what))
        if text.startswith("\ufeff"):
            text = text[1:]
    else:
        raise ProgramFileError("%s: not text" % where)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        msg = str(e).split("\n")[0]
        m = _TOML_POS.search(msg)
        place = ""
        if m:
            msg = msg[:m.start()]
            place = ": line %s, column %s" % (m.group(1), m.group(2)) if m.group(1) else ": at the end"
        msg = msg[:1].lower() + msg[1:]
        raise ProgramFileError("%s%s: not valid TOML: %s" % (where, place, msg)) from None
    except (RecursionError, MemoryError):
        raise ProgramFileError("%s: not valid TOML: nested too deeply" % where) from None
    return doc, text


def _from_doc(doc, lines, where, fallback_name, lang_given):
    def fail(key, msg, path=(), line_key=None):
        line = lines.line(path, key or line_key)
        field = ".".join(p for p in (_path_text(path), key) if p)
        raise ProgramFileError("%s: %s: %s" % (_where(where, line), field, msg) if field else
                               "%s: %s" % (_where(where, line), msg))

    for key in doc:
        if key not in _FILE_FIELDS:
            close = difflib.get_close_matches(key, _FILE_FIELDS, n=1, cutoff=0.6)
            fail(None, "unknown field %s%s (a program file has %s)" % (
                _show(key), ": did you mean %s?" % close[0] if close else "", ", ".join(_FILE_FIELDS)),
                line_key=key)
    for key in ("name", "notes", "lang", "shorthand"):
        if key in doc and not isinstance(doc[key], str):
            fail(key, "must be text in quotes, not %s" % _type_name(doc[key]))
    name = doc.get("name", fallback_name if fallback_name is not None else "")
    notes = doc.get("notes", "")
    lang, lang_from = lang_given, "--lang"
    if "lang" in doc:
        in_file = doc["lang"].strip().lower()
        if in_file not in program.LANGS:
            fail("lang", "%s is not one of %s" % (_show(doc["lang"]), ", ".join(program.LANGS)))
        if lang is None:
            lang, lang_from = in_file, "the file"
    if len(name) > program.MAX_NAME:
        fail("name", "%d characters, at most %d" % (len(name), program.MAX_NAME))
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        fail("name", "control characters (such as a line break) are not allowed")
    if "shorthand" in doc and "segments" in doc:
        fail(None, "use either shorthand or [[segments]], not both")
    if "shorthand" in doc:
        text = doc["shorthand"]
        try:
            a = shorthand_program(text, name, lang, lang_from)
        except ShorthandError as e:
            raise ProgramFileError("%s: %s" % (_where(where, lines.line((), "shorthand")), e)) from None
        a.notes = notes
        return a
    if "segments" not in doc:
        fail(None, "no program: add shorthand = %s or [[segments]] tables" % _EXAMPLE)
    word_langs = set()
    items, segs = parse_segments(doc["segments"], fail, word_langs)
    if lang is None:
        lang, lang_from = choose_lang(word_langs)
    try:
        return Authored(program.make(name, lang, items), notes, lang_from, word_langs)
    except ProgramError as e:
        msg, path = explain_limit(e, segs)
        line = lines.line(path) if path else None
        raise ProgramFileError("%s: %s" % (_where(where, line), msg)) from None


def parse_segments(value, fail, word_langs=None):
    """(device-form items, path of each segment table) for a TOML ``segments`` value.

    ``fail(key, msg, path=(), line_key=None)`` must raise: it reports ``msg`` about field
    ``key`` of the segments table at ``path`` (1-based indices, outermost first; () and
    key "segments" for the value itself).  Limits are left to ``program.make``: pass its
    ProgramError to :func:`explain_limit`.  The languages of the kind words are added to
    the set ``word_langs`` when one is given."""
    segs = []
    langs = word_langs if word_langs is not None else set()
    return _segment_list(value, (), 1, fail, segs, langs), segs


def explain_limit(err, segs, prefix=""):
    """(message, segment table path or None) for a ProgramError from ``program.make`` about
    items from :func:`parse_segments`: the written place (``prefix`` + ``segments[2]``) added."""
    m = _SEGMENT_MSG.match(str(err))
    path = segs[int(m.group(1)) - 1] if m and 1 <= int(m.group(1)) <= len(segs) else None
    return _explain(err, segs, lambda p: prefix + _path_text(p)), path


def _segment_list(value, path, depth, fail, segs, langs):
    if not isinstance(value, list) or any(not isinstance(t, dict) for t in value):
        fail("segments", "must be [[segments]] tables, not %s" % _type_name(value), path)
    if not value:
        fail("segments", "no segments", path)
    return [_segment(t, path + (i,), depth, fail, segs, langs) for i, t in enumerate(value, 1)]


def _segment(table, path, depth, fail, segs, langs):
    for key in table:
        if key not in _SEGMENT_FIELDS:
            fail(None, "unknown field %s (a segment has kind and duration or seconds; "
                 "a repeat has repeat and segments)" % _show(key), path, line_key=key)
    if "repeat" in table or "segments" in table:
        for key in ("kind", "duration", "seconds"):
            if key in table:
                fail(key, "a repeat table has only repeat and segments", path)
        if "repeat" not in table:
            fail("repeat", "missing: how many times should these segments repeat?", path)
        if "segments" not in table:
            fail("segments", "missing: which segments should repeat?", path)
        count = table["repeat"]
        if isinstance(count, bool) or not isinstance(count, int):
            fail("repeat", "must be a whole number, not %s" % _type_name(count), path)
        if count < 1 or count > program.MAX_REPEAT:
            fail("repeat", "%d is not between 1 and %d" % (count, program.MAX_REPEAT), path)
        if depth > program.MAX_DEPTH:
            fail("repeat", "repeats are nested more than %d levels deep" % program.MAX_DEPTH, path)
        return ["x", count, _segment_list(table["segments"], path, depth + 1, fail, segs, langs)]
    if "kind" not in table:
        fail("kind", "missing: one of %s" % _KINDS_TEXT, path)
    if not isinstance(table["kind"], str):
        fail("kind", "must be text in quotes, not %s" % _type_name(table["kind"]), path)
    try:
        kind, lang = _kind_of(table["kind"])
    except _Problem as p:
        fail("kind", p.msg, path)
    if lang:
        langs.add(lang)
    if ("duration" in table) == ("seconds" in table):
        fail("duration", "give either duration (e.g. \"90s\") or seconds (e.g. 90)" if "seconds" in table
             else "missing: add duration = \"90s\" (or seconds = 90)", path)
    if "seconds" in table:
        s = table["seconds"]
        if isinstance(s, bool) or not isinstance(s, int):
            fail("seconds", "must be a whole number, not %s" % _type_name(s), path)
        if s < 0 or s > 10 ** _MAX_DIGITS:
            fail("seconds", "%d is out of range" % s, path)
        ms = s * 1000
    else:
        d = table["duration"]
        if not isinstance(d, str):
            example = d if isinstance(d, int) and not isinstance(d, bool) else 90
            fail("duration", "must be text in quotes such as \"90s\" or \"1:30\", not %s "
                 "(or use seconds = %s)" % (_type_name(d), example), path)
        try:
            ms = _duration_ms(d)
        except _Problem as p:
            fail("duration", p.msg, path)
    segs.append(path)
    return [kind, ms]


def load_toml(path, lang=None):
    """(Program, notes) from a TOML program file; ProgramFileError names the file."""
    data, stem = read_toml_file(path)
    return loads_toml(data, str(path), stem, lang)


def read_toml_file(path, what="program"):
    """(bytes, name from the file name) of a TOML ``what`` file, at most MAX_FILE_BYTES;
    ProgramFileError names the file when it cannot be read."""
    where = str(path)
    p = Path(path)
    try:
        if not p.exists():
            raise ProgramFileError("%s: no such file" % where)
        if p.is_dir():
            raise ProgramFileError("%s: is a directory, not a %s file" % (where, what))
        if not p.is_file():
            raise ProgramFileError("%s: not a regular file" % where)
        with open(p, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except PermissionError:
        raise ProgramFileError("%s: cannot read it: permission denied" % where) from None
    except OSError as e:
        raise ProgramFileError("%s: cannot read it: %s" % (where, e.strerror or e)) from None
    if len(data) > MAX_FILE_BYTES:
        raise ProgramFileError("%s: larger than %d KiB: is this really a %s file?" % (
            where, MAX_FILE_BYTES // 1024, what))
    stem = p.name[:-len(".toml")] if p.name.lower().endswith(".toml") else p.name
    stem = "".join(c for c in stem if ord(c) >= 32 and not 0xD800 <= ord(c) <= 0xDFFF)
    return data, stem[:program.MAX_NAME]


def _looks_like_path(spec):
    s = spec.strip()
    return (("/" in s or "\\" in s) and "," not in s and "(" not in s) or os.path.isfile(s)


def load_spec(spec, lang=None):
    """(Program, notes) for a SPEC: see :func:`load_authored`."""
    a = load_authored(spec, lang)
    return a.program, a.notes


def load_authored(spec, lang=None):
    """:class:`Authored` for a SPEC: a path ending in ``.toml``, or else a shorthand line.

    A SPEC that names an existing directory or another file, or looks like a path (a slash,
    no comma or bracket), is refused with a message rather than read as shorthand.  A
    shorthand program is named by :func:`default_name` and has no notes.  ``lang`` (from
    ``--lang``) is the program's language; without it, the file's ``lang``, else the
    language of the kind words (:func:`choose_lang`)."""
    if lang is not None:
        lang = check_lang(lang)
    if not isinstance(spec, str):
        raise ShorthandError("shorthand: must be text")
    stripped = spec.strip()
    if stripped.lower().endswith(".toml"):
        data, stem = read_toml_file(stripped)
        return toml_program(data, stripped, stem, lang)
    if stripped and os.path.isdir(stripped):
        raise ProgramFileError("%s: is a directory, not a program file" % _show(stripped)[1:-1])
    if _looks_like_path(spec):
        raise ProgramFileError("%s: a program file must end in .toml (or write a shorthand line "
                               "such as %s)" % (_show(stripped)[1:-1], _EXAMPLE))
    return shorthand_program(spec, lang=lang)


quote = _show  # text quoted for a one-line message (control characters escaped, long text cut)
type_name = _type_name  # "text", "a number", "a table"...: for "must be X, not Y" messages


def _secs(ms):
    return ms // 1000 if ms % 1000 == 0 else ms / 1000


def summary(prog):
    """What ``runcue program check --json`` prints: walk_s counts every non-run segment; lang
    is the language of the watch's texts for it."""
    return {
        "id": prog.id(),
        "name": prog.name,
        "lang": prog.lang,
        "segments": prog.segments,
        "total_s": _secs(prog.total_ms),
        "run_s": _secs(prog.run_ms),
        "walk_s": _secs(prog.total_ms - prog.run_ms),
    }
