"""The shorthand line, ``5m walk, 8x(60s run, 90s walk), 5m walk``: parsed, compiled, written back.

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
* Kinds: warmup, walk, run, rest, cooldown, and the aliases in ``words.KIND_ALIASES``
  (``warm-up``, ``warm up``, ``cool-down``, ``jog`` = run, ``pause`` = rest, and Dutch:
  ``wandelen``, ``hardlopen``, ``rennen``, ``joggen``, ``rust``, ``pauze``,
  ``opwarmen``, ``inlopen``, ``cooling-down``, ``uitlopen``, ``uitwandelen``).  ``jog``
  is run: a running-therapy run is a calm, conversational-pace jog.  Dutch ``lopen`` is
  refused as ambiguous (walk in the Netherlands, run in Flanders).
* Language: the kind words say it (``words.choose_lang``): only Dutch words (``wandelen``,
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
Every error is a :class:`ShorthandError` (a ``runcue.program.ProgramError`` and a
``runcue_host.UserError``), one line: ``shorthand: item 2 ...: <why>``.  Durations, kind
words and their language are read by :mod:`.words`; TOML files by :mod:`.program_file`.
"""

import re

from runcue import program
from runcue.program import ProgramError
from runcue_host import UserError
from runcue_host.authoring.words import (
    EXAMPLE,
    KIND_LANG,
    KINDS_TEXT,
    WRITTEN_KINDS,
    Mistake,
    choose_lang,
    decimal_comma,
    duration_ms,
    duration_text,
    kind_key,
    kind_of_words,
    number,
    position_text,
    quote,
    take_duration,
    tokenize,
)

__all__ = ["MAX_SHORTHAND_CHARS", "Authored", "ShorthandError", "compile_shorthand", "default_name", "explain",
           "format_shorthand", "parse_duration", "parse_shorthand", "segment_of", "shorthand_program"]

MAX_SHORTHAND_CHARS = 10000


class ShorthandError(ProgramError, UserError):
    """A shorthand line that does not make a program; the message says where and why."""


def parse_duration(text):
    """Milliseconds for a duration written as in shorthand (``"90s"``, ``"1:30"``,
    ``"2m30s"``, ``"5 min"``); ShorthandError otherwise.  Only a non-negative whole number
    of seconds can be written; limits are checked later by ``program.make``."""
    if not isinstance(text, str):
        raise ShorthandError("duration: must be text such as \"90s\"")
    try:
        return duration_ms(text)
    except Mistake as p:
        raise ShorthandError("duration: " + p.msg) from None

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
        self.toks = tokenize(text)
        self.i = 0
        self.segs = []

    def peek(self, k=0):
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def end_pos(self):
        return len(self.text.rstrip())

    def frag(self, start, end):
        return quote(self.text[start:end])

    def parse(self):
        if not self.toks:
            raise Mistake("is empty: write segments such as %s" % EXAMPLE)
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
                raise Mistake("item %s is empty (%s): %s" % (path, position_text(self.text, pos), why), pos)
            items.append(self.parse_item(depth, path))
            tok = self.peek()
            if tok is None:
                if open_tok is not None:
                    raise Mistake('"(" at %s is never closed' % position_text(self.text, open_tok.pos), open_tok.pos)
                return items
            if tok.kind == "sep":
                self.i += 1
                continue
            if tok.kind == "rp":
                if open_tok is None:
                    raise Mistake('")" at %s has no matching "("' % position_text(self.text, tok.pos), tok.pos)
                self.i += 1
                return items
            # anything else right after an item: a missing comma, most likely
            raise Mistake("%s at %s: a comma may be missing before it" % (
                quote(tok.text), position_text(self.text, tok.pos)), tok.pos)

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
            count = number(count_tok)
        except Mistake as p:
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
        return Mistake("item %s %s (%s): %s" % (
            path, self.frag(start, end), position_text(self.text, start), why), start)

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
                why = "a comma may be missing before %s" % quote(toks[-2].text + toks[-1].text)
            raise self.item_problem(path, start, end, why)
        comma = decimal_comma(self.text, self.toks, self.i) if len(toks) == 1 else None
        if comma is not None:  # "1,5 min walk": the whole of it in the message, not just "1"
            k = self.i + 2
            while k < len(self.toks) and self.toks[k].kind not in ("sep", "rp", "lp"):
                k += 1
            last = self.toks[k - 1]
            raise self.item_problem(path, start, last.pos + len(last.text), comma.msg)
        self.i = j
        try:
            kind, ms, words = self.segment(toks)
        except Mistake as p:
            raise self.item_problem(path, start, end, p.msg) from None
        self.segs.append(_Seg(path, self.text[start:end], start, KIND_LANG.get(kind_key(words))))
        return [kind, ms]

    def segment(self, toks):
        """(kind, ms, kind words) from the tokens of one segment item: duration and kind, either order."""
        if toks[0].kind in ("num", "clock", "dec"):
            ms, i = take_duration(toks, 0)
            words = toks[i:]
            if not words:
                raise Mistake("what kind? add %s, e.g. %s walk" % (
                    KINDS_TEXT, duration_text(ms) if ms > 0 else "90s"))
            bad = [t for t in words if t.kind not in ("word", "times")]
            if bad:
                raise Mistake("%s: one duration and one kind per item; a comma may be missing" % (
                    quote(bad[0].text),))
            return kind_of_words(words, words[0].pos), ms, words
        # kind first
        k = 0
        while k < len(toks) and toks[k].kind in ("word", "times"):
            k += 1
        words = toks[:k]
        if k == len(toks):
            kind = kind_of_words(words, words[0].pos)
            raise Mistake("how long? add a duration, e.g. 5m %s (or 90s, 2m30s, 1:30)" % kind)
        ms, i = take_duration(toks, k)
        if i != len(toks):
            raise Mistake("%s: one duration and one kind per item; a comma may be missing" % (
                quote(toks[i].text),))
        return kind_of_words(words, words[0].pos), ms, words


def _parse(text):
    """(items, segment origins) or Mistake."""
    if not isinstance(text, str):
        raise Mistake("must be text")
    if len(text) > MAX_SHORTHAND_CHARS:
        raise Mistake("%d characters, at most %d" % (len(text), MAX_SHORTHAND_CHARS))
    p = _Parser(text)
    return p.parse(), p.segs


def parse_shorthand(text):
    """Device-form items for a shorthand line (not yet checked against the limits)."""
    try:
        return _parse(text)[0]
    except Mistake as p:
        raise ShorthandError("shorthand: " + p.msg) from None


_SEGMENT_MSG = re.compile(r"^segment (\d+): ")


def segment_of(err, count):
    """The number (from 1) of the segment a ProgramError from ``program.make`` is about, when it
    is one of ``count`` written segments; else None."""
    m = _SEGMENT_MSG.match(str(err))
    return int(m.group(1)) if m and 1 <= int(m.group(1)) <= count else None


def explain(err, segs, where):
    """A ProgramError from program.make with the written place of its segment added:
    ``where(segs[n - 1])`` for segment n."""
    msg = str(err)
    n = segment_of(err, len(segs))
    if n is not None:
        msg += " (%s)" % where(segs[n - 1])
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
    except Mistake as p:
        raise ShorthandError("shorthand: " + p.msg) from None
    word_langs = {s.lang for s in segs if s.lang}
    if lang is None:
        lang, lang_from = choose_lang(word_langs)
    if name is None:
        name = default_name(items, lang)  # in the program's language: a Dutch line gets a Dutch name
    why = program.name_problem(name)  # the watch's rule, in the watch's words
    if why is not None:
        raise ShorthandError("name: " + why)
    try:
        return Authored(program.make(name, lang, items), "", lang_from, word_langs)
    except ProgramError as e:
        raise ShorthandError("shorthand: " + explain(e, segs, lambda s: "item %s %s, %s" % (
            s.path, quote(s.text), position_text(text, s.pos)))) from None


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
