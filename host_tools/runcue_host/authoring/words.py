"""The words of shorthand: tokens, durations, kinds and the language they are written in.

The shorthand parser (:mod:`.shorthand`) and the program and plan files (:mod:`.program_file`,
:mod:`.plan_file`) read durations and kinds with the same code, so ``"90s"`` or ``"wandelen"``
means one thing wherever it is written.

How each is written (units, clocks, the aliases of each kind, the words that make a program
Dutch) is set out in :mod:`.shorthand`.  The kinds in words are the core's
(``runcue.program.KINDS``, ``KIND_WORDS``): :data:`KIND_TEXTS` writes them in full, and
:data:`KIND_ALIASES` adds the words people also write.

A :class:`Mistake` is a message and the character position it is about; the callers put it
into their own one-line error (``item 2 ...``, ``segments[1].duration: ...``).
"""

import difflib
import re
from typing import TypeGuard

from runcue import program
from runcue_host import UserError

__all__ = ["EXAMPLE", "KINDS_TEXT", "KIND_ALIASES", "KIND_LANG", "KIND_TEXTS", "MAX_DIGITS", "WRITTEN_KINDS", "Mistake",
           "check_lang", "choose_lang", "decimal_comma", "duration_ms", "duration_text", "is_unit", "kind_key",
           "kind_of", "kind_of_words", "number", "position_text", "quote", "take_duration", "tokenize"]

MAX_DIGITS = 9

# The kinds in full words, per language, in program.KINDS order, as the laptop writes them (the
# preview, the report, Dutch shorthand written back): the watch's words (program.KIND_WORDS, the
# one table of them) but where paper needs more.  Dutch "lopen" alone is ambiguous (walk in the
# Netherlands, run in Flanders: the parser refuses it), so "hardlopen"; beside "wandelen" on the
# watch's screen it is not.  Kept out of the core: the watch has no use for it.
_IN_FULL = {("nl", program.RUN): "hardlopen", ("en", program.COOLDOWN): "cool-down"}
KIND_TEXTS = {lang: tuple(_IN_FULL.get((lang, kind), word) for kind, word in enumerate(words))
              for lang, words in program.KIND_WORDS.items()}

# The kind words, by the language they belong to (keys are lower case with spaces, hyphens and
# underscores removed).  A program written with Dutch words only is Dutch (its watch speaks
# Dutch); with English words only, English; warm-up and cool-down are written alike in both.
# The Dutch words runcue writes (KIND_TEXTS) are there; the rest are aliases.
_KIND_WORDS = {
    "en": {
        "walk": "walk", "walking": "walk",
        "run": "run", "running": "run", "jog": "run", "jogging": "run",
        "rest": "rest", "pause": "rest",
    },
    "nl": dict(zip(KIND_TEXTS["nl"], program.KINDS, strict=True), **{
        "opwarming": "warmup", "inlopen": "warmup",
        "wandel": "walk",
        "rennen": "run", "joggen": "run",
        "pauze": "rest",
        "uitwandelen": "cooldown", "afkoelen": "cooldown",
    }),
    None: {"warmup": "warmup", "warmingup": "warmup", "cooldown": "cooldown", "coolingdown": "cooldown"},
}
KIND_ALIASES = {key: kind for words in _KIND_WORDS.values() for key, kind in words.items()}
KIND_LANG = {key: lang for lang, words in _KIND_WORDS.items() if lang for key in words}
# how each kind is written back as shorthand, per language (these parse back to the same kind)
WRITTEN_KINDS = {"en": program.KINDS, "nl": KIND_TEXTS["nl"]}
_AMBIGUOUS = {
    "lopen": '"lopen" is ambiguous: write wandelen (walk) or hardlopen (run)',
    "loop": '"loop" is ambiguous: write wandelen (walk) or hardlopen (run)',
}
KINDS_TEXT = "warmup, walk, run, rest or cooldown"

_UNITS = {}
for _names, _ms in (
    (("h", "hr", "hrs", "hour", "hours", "u", "uur", "uren"), 3600000),
    (("m", "min", "mins", "minute", "minutes", "minuut", "minuten"), 60000),
    (("s", "sec", "secs", "second", "seconds", "seconde", "seconden"), 1000),
):
    for _n in _names:
        _UNITS[_n] = _ms
_REPEAT_WORDS = ("x",)

EXAMPLE = '"5m walk, 8x(60s run, 90s walk), 5m walk"'

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


class _Token:
    __slots__ = ("kind", "text", "pos")

    def __init__(self, kind, text, pos):
        self.kind = kind
        self.text = text
        self.pos = pos

    def __repr__(self):
        return "%s(%r)@%d" % (self.kind, self.text, self.pos)


class Mistake(Exception):
    """A mistake in written text: its message and the character position it is about (or None)."""

    def __init__(self, msg, pos=None):
        Exception.__init__(self, msg)
        self.msg = msg
        self.pos = pos


def quote(text, limit=32):
    """``text`` quoted for a one-line message: every character a name may not hold
    (``program.name_problem``: control characters, lone surrogates) escaped, long text cut."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit - 3] + "..."
    out = []
    for ch in text:
        o = ord(ch)
        if program.name_problem(ch) is not None:
            out.append("\\x%02x" % o if o < 256 else "\\u%04x" % o)
        else:
            out.append(ch)
    return '"%s"' % "".join(out)


def position_text(text, pos):
    """'column N' (1-based) or, for text over several lines, 'line L, column C'."""
    if "\n" not in text:
        return "column %d" % (pos + 1)
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return "line %d, column %d" % (line, col)


def tokenize(text):
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
            raise Mistake("unexpected character %s at %s%s" % (quote(tok), position_text(text, m.start()), hint),
                           m.start())
        if kind == "word" and tok.lower() in _REPEAT_WORDS:
            kind = "times"
        toks.append(_Token(kind, tok, m.start()))
    return toks


# -- durations ---------------------------------------------------------------------------

def number(tok):
    digits = tok.text.lstrip("0") or "0"
    if len(digits) > MAX_DIGITS:
        raise Mistake("%s is too large a number" % quote(tok.text), tok.pos)
    return int(digits)


def _decimal_problem(tok, unit_tok, shown=None):
    """"1.5m": no decimals, write 1m30s or 90s.  ``shown`` is the text as written when it is
    not the token's (a decimal comma: "1,5 min")."""
    unit = _UNITS.get(unit_tok.text.lower()) if unit_tok is not None else None
    whole, _, frac = tok.text.partition(".")
    hint = "write whole numbers, e.g. 1m30s or 1:30"
    if unit and len(whole) <= MAX_DIGITS and len(frac) <= 6:
        ms = int(whole or "0") * unit + (int(frac or "0") * unit) // (10 ** len(frac))
        exact = (int(frac or "0") * unit) % (10 ** len(frac)) == 0
        if exact and ms % 1000 == 0 and ms > 0:
            hint = "write %s" % duration_text(ms)
            smaller = 60000 if unit == 3600000 else 1000
            if unit > 1000 and ms % unit:
                hint += " or %d%s" % (ms // smaller, "m" if smaller == 60000 else "s")
    if shown is None:
        shown = tok.text + ("" if unit_tok is None else unit_tok.text)
    return Mistake("%s: no decimals, %s" % (quote(shown), hint), tok.pos)


def decimal_comma(text, toks, i):
    """The Mistake for a decimal comma at toks[i] ("1,5 min": the comma would split the item),
    or None.  Only digits written right against both sides of a comma are read that way."""
    if i + 2 >= len(toks):
        return None
    num, sep, frac = toks[i], toks[i + 1], toks[i + 2]
    if not (num.kind == "num" and sep.text == "," and frac.kind == "num"
            and sep.pos == num.pos + len(num.text) and frac.pos == sep.pos + 1):
        return None
    unit = toks[i + 3] if i + 3 < len(toks) and is_unit(toks[i + 3]) else None
    end = unit.pos + len(unit.text) if unit is not None else frac.pos + len(frac.text)
    return _decimal_problem(_Token("dec", "%s.%s" % (num.text, frac.text), num.pos), unit,
                            text[num.pos:end])


def _clock_ms(tok):
    parts = tok.text.split(":")
    if len(parts) > 3 or any(p == "" for p in parts):
        raise Mistake("%s is not a time: write m:ss (1:30) or h:mm:ss (1:05:00)" % quote(tok.text), tok.pos)
    for p in parts[1:]:
        if len(p) != 2:
            raise Mistake("%s: write two digits after each colon, e.g. 1:05" % quote(tok.text), tok.pos)
        if int(p) >= 60:
            raise Mistake("%s: %s is not below 60" % (quote(tok.text), p), tok.pos)
    first = number(_Token("num", parts[0], tok.pos))
    if len(parts) == 2:
        return (first * 60 + int(parts[1])) * 1000
    return (first * 3600 + int(parts[1]) * 60 + int(parts[2])) * 1000


def is_unit(tok) -> TypeGuard["_Token"]:
    return tok is not None and tok.kind == "word" and tok.text.lower() in _UNITS


def take_duration(toks, i):
    """Read a duration starting at toks[i]; (ms, next index).  toks[i] is num/clock/dec."""
    tok = toks[i]
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if tok.kind == "clock":
        if is_unit(nxt):
            raise Mistake("%s %s: write either 1:30 or 1m30s, not both" % (tok.text, nxt.text), tok.pos)
        return _clock_ms(tok), i + 1
    if tok.kind == "dec":
        raise _decimal_problem(tok, nxt if is_unit(nxt) else None)
    ms = 0
    last_unit = None
    last = None
    while i < len(toks) and toks[i].kind in ("num", "dec"):
        tok = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if tok.kind == "dec":
            raise _decimal_problem(tok, nxt if is_unit(nxt) else None)
        if not is_unit(nxt):
            n = number(tok)
            raise Mistake("%s needs a unit: %ss or %sm (or m:ss, e.g. 1:30)" % (
                quote(tok.text), n, n), tok.pos)
        unit = _UNITS[nxt.text.lower()]
        if last_unit is not None and unit >= last_unit:
            raise Mistake("%s after %s: write hours, then minutes, then seconds, each once (e.g. 1h30m)" % (
                quote(tok.text + nxt.text), quote(last)), tok.pos)
        ms += number(tok) * unit
        last_unit = unit
        last = tok.text + nxt.text
        i += 2
    return ms, i


def duration_ms(text):
    """Milliseconds for a duration written on its own, or Mistake (naming the text)."""
    if len(text) > 100:
        raise Mistake("%s is too long for a duration" % quote(text))
    try:
        toks = tokenize(text)
    except Mistake:
        toks = None
    if not toks or toks[0].kind not in ("num", "clock", "dec"):
        raise Mistake("%s is not a duration: write e.g. 90s, 5m, 2m30s or 1:30" % quote(text))
    comma = decimal_comma(text, toks, 0)
    if comma is not None:
        raise comma
    ms, i = take_duration(toks, 0)
    if i != len(toks):
        raise Mistake("%s is not a duration: unexpected %s" % (quote(text), quote(toks[i].text)))
    return ms


def duration_text(ms):
    """A whole number of seconds as shorthand writes it: ``1h30m``, ``1m30s``, ``45s``."""
    if ms % 1000:
        raise ValueError("%d ms is not a whole number of seconds" % ms)
    return program.seconds_text(ms)


# -- kinds -------------------------------------------------------------------------------

def kind_key(words):
    """The kind words of a segment as a key of KIND_ALIASES ("Warm-Up" -> "warmup")."""
    return re.sub(r"[\s\-_'’]+", "", " ".join(w.text for w in words).lower())


def kind_of_words(words, pos):
    """The canonical kind for the kind words of a segment."""
    written = " ".join(w.text for w in words)
    key = kind_key(words)
    if key in KIND_ALIASES:
        return KIND_ALIASES[key]
    if key in _AMBIGUOUS:
        raise Mistake(_AMBIGUOUS[key], pos)
    for w in words:
        if w.kind == "times":
            raise Mistake("%s here: a repeat is written 8x(60s run, 90s walk)" % quote(w.text), w.pos)
    hint = ""
    single = [w.text for w in words if w.text.lower() in KIND_ALIASES]
    close = difflib.get_close_matches(key, list(KIND_ALIASES), n=1, cutoff=0.75)
    if single:
        hint = ": did you mean %s?" % quote(single[0])
    elif close:
        hint = ": did you mean %s?" % quote(close[0])
    elif any(is_unit(w) for w in words):
        hint = ": a unit follows its number, e.g. 5m"
    raise Mistake("unknown kind %s%s (use %s)" % (quote(written), hint, KINDS_TEXT), pos)


def kind_of(text):
    """(canonical kind, its language or None) for a kind written on its own (TOML ``kind = ...``)."""
    toks = tokenize(text)
    if not toks or any(t.kind not in ("word", "times") for t in toks):
        raise Mistake("%s is not a kind (use %s)" % (quote(text), KINDS_TEXT))
    return kind_of_words(toks, None), KIND_LANG.get(kind_key(toks))


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
        raise UserError("%s: %s is not one of %s" % (where, quote(str(value)), ", ".join(program.LANGS)))
    return lang
