"""Interval programs: the one definition of their limits and device form.

A program is a name, a language and a list of items; an item is a segment
``[kind, duration_ms]`` or a repeat block ``["x", count, [items]]``.  The host
compiles shorthand or TOML into this form; the watch loads it from JSON and
checks it again with the same code, because the watch trusts nothing.

The canonical device JSON is written by ``canonical_json`` (fixed key order,
no spaces, UTF-8), so both interpreters produce the same bytes, and its
SHA-256 prefix is the program's identity.
"""

import json

try:
    from micropython import const
except ImportError:  # CPython
    def const(__x):
        return __x

FORMAT_VERSION = const(1)

WARMUP = const(0)
WALK = const(1)
RUN = const(2)
REST = const(3)
COOLDOWN = const(4)
KINDS = ("warmup", "walk", "run", "rest", "cooldown")
KIND_WORDS = {  # the kinds as the client reads them, per language (the watch shows them in capitals)
    "en": ("warm-up", "walk", "run", "rest", "cooldown"),
    "nl": ("opwarmen", "wandelen", "lopen", "rust", "uitlopen"),
}
LANGS = ("en", "nl")

MIN_SEGMENT_MS = const(5000)
MAX_SEGMENT_MS = const(7200000)  # 2 h
MAX_TOTAL_MS = const(14400000)  # 4 h
MAX_SEGMENTS = const(250)  # expanded
MAX_DEPTH = const(2)  # repeat blocks inside repeat blocks, no deeper
MAX_REPEAT = const(250)
MAX_NAME = const(40)
SHOWN_NAME = const(16)  # characters across the smallest watch screen (128 px of the 8 px font)
MAX_JSON_BYTES = const(16384)
ID_HEX = const(16)  # program id: this many hex digits of the SHA-256


class ProgramError(ValueError):
    """A program that must not be played; the message says where and why."""


def name_problem(name):
    """Why ``name`` cannot name a program or a plan, or None: the one rule, checked by the laptop
    when it reads what the therapist wrote and by the watch when it loads what was pushed.  No
    control character (C0, DEL, C1) and no lone surrogate; ``name_problem(ch)`` is None for a
    character a name may hold."""
    if type(name) is not str:
        return "must be text"
    if len(name) > MAX_NAME:
        return "%d characters, at most %d" % (len(name), MAX_NAME)
    for ch in name:
        c = ord(ch)
        if c < 32 or 0x7F <= c < 0xA0 or 0xD800 <= c < 0xE000:
            return "control characters are not allowed"
    return None


def seconds_text(ms):
    """A duration as people write it: 90 s -> '1m30s', 2 h -> '2h', 1500 ms -> '1500 ms'."""
    if ms % 1000:
        return "%d ms" % ms
    s = ms // 1000
    h, m, s = s // 3600, s // 60 % 60, s % 60
    out = ""
    if h:
        out += "%dh" % h
    if m:
        out += "%dm" % m
    if s or not out:
        out += "%ds" % s
    return out


def clock_text(ms):
    """A planned duration as the watch shows it: '1:30', '30:00', '1:00:00' (whole seconds)."""
    s = ms // 1000
    if s >= 3600:
        return "%d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60)
    return "%d:%02d" % (s // 60, s % 60)


def minutes(ms):
    """Whole minutes of a duration: the one rounding of minutes shown (a minute counts once complete)."""
    return ms // 60000


def _item_ms(item):
    if item[0] == "x":
        return item[1] * sum(_item_ms(i) for i in item[2])
    return item[1]


def shape(items):
    """(count, [(kind index, ms)]): the part of a program that takes the most time.

    A repeat block gives its count and its segments ("6x run 1:30, walk 2:00");
    a block with blocks inside gives its count and no segments (too deep for a
    line).  A single segment gives count 0 and itself.  A repeat block wins a
    tie (it is what makes the program), else the first does.
    """
    best = items[0]
    best_ms = _item_ms(best)
    for item in items:
        ms = _item_ms(item)
        if ms > best_ms or (ms == best_ms and item[0] == "x" and best[0] != "x"):
            best, best_ms = item, ms
    if best[0] != "x":
        return 0, [(KINDS.index(best[0]), best[1])]
    for i in best[2]:
        if i[0] == "x":
            return best[1], []
    return best[1], [(KINDS.index(i[0]), i[1]) for i in best[2]]


def generated_name(items, lang="en"):
    """The name of a program nobody named, short enough for the watch (SHOWN_NAME).

    One segment: "30 min walk".  Otherwise the part that takes the most time
    (``shape``) and the whole length in minutes: "6x 1:30/2:00 31m"; without the
    length when that does not fit, and "6x, 31 min" when even the shape does not.
    """
    total = 0
    for item in items:
        total += _item_ms(item)
    mins = max(1, minutes(total))
    count, parts = shape(items)
    words = KIND_WORDS.get(lang) or KIND_WORDS["en"]  # an unknown lang is refused later, by make()
    if len(items) == 1 and not count:
        return "%d min %s" % (mins, words[parts[0][0]])
    if parts:
        what = "/".join(clock_text(ms) for _k, ms in parts)
        what = "%dx %s" % (count, what) if count else "%s %s" % (words[parts[0][0]], what)
        for name in ("%s %dm" % (what, mins), what):
            if len(name) <= SHOWN_NAME:
                return name
    return "%dx, %d min" % (count, mins) if count else "%d min" % mins


class Program:
    """A checked program: name, lang and items in device form."""

    def __init__(self, name, lang, items):
        self.name = name
        self.lang = lang
        self.items = items
        self.segments = 0  # expanded count
        self.total_ms = 0
        self.run_ms = 0
        _check_items(self, items, 1, [0])

    def to_json(self):
        return canonical_json(self)

    def id(self):
        return parts_id(json_parts(self))  # hashed piece by piece: never the whole JSON in the heap

    def expand(self, start_ms=None):
        return Expanded(self, start_ms)


def _place(counter):
    return "segment %d" % counter[0]


def _after(counter):
    return "after segment %d" % counter[0] if counter[0] else "at the start"


def _check_items(prog, items, depth, counter, times=1):
    if type(items) is not list or not items:
        raise ProgramError("%s: a program needs at least one segment" % (
            "repeat block " + _after(counter) if depth > 1 else "program"))
    for item in items:
        if type(item) is not list or not item:
            raise ProgramError("%s: an item must be a segment or a repeat block" % _after(counter))
        if item[0] == "x":
            if depth > MAX_DEPTH:
                raise ProgramError("%s: repeats are nested more than %d levels deep" % (
                    _after(counter), MAX_DEPTH))
            if len(item) != 3 or type(item[1]) is not int:
                raise ProgramError("%s: a repeat block is [\"x\", count, [items]]" % _after(counter))
            count = item[1]
            if count < 1 or count > MAX_REPEAT:
                raise ProgramError("%s: repeat count %d is not between 1 and %d" % (
                    _after(counter), count, MAX_REPEAT))
            _check_items(prog, item[2], depth + 1, counter, times * count)
            continue
        counter[0] += 1
        where = _place(counter)
        if len(item) != 2 or type(item[0]) is not str or type(item[1]) is not int:
            raise ProgramError("%s: a segment is [kind, duration_ms]" % where)
        if item[0] not in KINDS:
            raise ProgramError("%s: unknown kind %r (one of %s)" % (where, item[0], ", ".join(KINDS)))
        ms = item[1]
        if ms < MIN_SEGMENT_MS:
            raise ProgramError("%s: %s is shorter than the %d s minimum" % (
                where, seconds_text(ms), MIN_SEGMENT_MS // 1000))
        if ms > MAX_SEGMENT_MS:
            raise ProgramError("%s: %s is longer than the %d h maximum" % (
                where, seconds_text(ms), MAX_SEGMENT_MS // 3600000))
        prog.segments += times
        if prog.segments > MAX_SEGMENTS:
            raise ProgramError("%s: the program expands to more than %d segments" % (where, MAX_SEGMENTS))
        prog.total_ms += ms * times
        if prog.total_ms > MAX_TOTAL_MS:
            raise ProgramError("%s: the program lasts more than %d h" % (where, MAX_TOTAL_MS // 3600000))
        if item[0] == "run":
            prog.run_ms += ms * times


def make(name, lang, items):
    """A checked Program from its parts (host authoring and the device loader)."""
    why = name_problem(name)
    if why is not None:
        raise ProgramError("name: " + why)
    if lang not in LANGS:
        raise ProgramError("lang: %r is not one of %s" % (lang, ", ".join(LANGS)))
    return Program(name, lang, items)


def loads(text):
    """A checked Program from device JSON (bytes or str); ProgramError otherwise."""
    if len(text) > MAX_JSON_BYTES:
        raise ProgramError("program: %d bytes, at most %d" % (len(text), MAX_JSON_BYTES))
    if not isinstance(text, str):
        try:
            text = text.decode("utf-8")
        except (UnicodeError, ValueError):
            raise ProgramError("program: not UTF-8 text") from None
    try:
        obj = json.loads(text)
    except (ValueError, TypeError, RuntimeError):  # RuntimeError: CPython's RecursionError on deep nesting
        raise ProgramError("program: not valid JSON") from None
    if type(obj) is not dict:
        raise ProgramError("program: must be a JSON object")
    if type(obj.get("v")) is not int or obj.get("v") != FORMAT_VERSION:
        raise ProgramError("program: format version %r, this firmware reads %d" % (
            obj.get("v"), FORMAT_VERSION))
    for key in obj:
        if key not in ("v", "name", "lang", "items"):
            raise ProgramError("program: unknown field %r" % key)
    prog = make(obj.get("name", ""), obj.get("lang", "en"), obj.get("items"))
    if not is_text_of(json_parts(prog), text):  # the id is the hash of these exact bytes; MicroPython's JSON is lenient
        raise ProgramError("program: not in the canonical form runcue writes (re-push it with runcue)")
    return prog


def _json_str(s):
    out = ['"']
    for ch in s:
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif ord(ch) < 32:
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _items_parts(items):
    yield "["
    first = True
    for item in items:
        if not first:
            yield ","
        first = False
        if item[0] == "x":
            yield '["x",%d,' % item[1]
            for part in _items_parts(item[2]):
                yield part
            yield "]"
        else:
            yield '["%s",%d]' % (item[0], item[1])
    yield "]"


def json_parts(prog):
    """The canonical JSON piece by piece: the watch checks a file against it without building it whole."""
    yield '{"v":%d,"name":%s,"lang":"%s","items":' % (FORMAT_VERSION, _json_str(prog.name), prog.lang)
    for part in _items_parts(prog.items):
        yield part
    yield "}"


def canonical_json(prog):
    return "".join(json_parts(prog))


def is_text_of(parts, text):
    """True when the pieces ``parts`` make exactly ``text``."""
    pos = 0
    for part in parts:
        if text[pos:pos + len(part)] != part:
            return False
        pos += len(part)
    return pos == len(text)


def program_id(canon):
    return parts_id((canon,))


def parts_id(parts):
    """The id of a JSON text given piece by piece, str or UTF-8 bytes (the watch hashes a plan
    one session at a time, never holding it whole)."""
    import binascii
    import hashlib

    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else part.encode("utf-8"))
    return binascii.hexlify(h.digest()).decode()[:ID_HEX]


def start_array(n):
    """An int array for the offsets of ``n`` segments and the total (sized from the range: no
    temporary buffer, which ``bytes(4 * (n + 1))`` needed)."""
    import array

    return array.array("i", range(n + 1))


# The watch's array for a session's offsets, made when this module loads, early in the boot: by the
# time a session starts, the heap that loaded the rest of the firmware may have no kilobyte left
# in one piece.  The app unrolls every program into it (one session at a time); the host never does.
WATCH_START_MS = start_array(MAX_SEGMENTS)


class Expanded:
    """The program unrolled into flat arrays the engine reads without allocating.

    ``start_ms[i]`` is the planned offset of segment i from the session start
    (``start_ms[n]`` is the total); ``round_no[i]``/``rounds[i]`` place it in its
    innermost repeat block (0/0 outside any block).  ``start_ms``: an int array of at least
    segments + 1 items to fill instead of a new one (the watch keeps one for the largest
    program, made at boot: later its heap may have no kilobyte left in one piece).
    """

    def __init__(self, prog, start_ms=None):
        n = prog.segments
        self.n = n
        self.kind = bytearray(n)
        self.start_ms = start_ms if start_ms is not None and len(start_ms) > n else start_array(n)
        self.round_no = bytearray(n)
        self.rounds = bytearray(n)
        self.run_ms = prog.run_ms
        self._i = 0
        self._t = 0
        self._fill(prog.items, 0, 0)
        self.start_ms[n] = self._t

    def _fill(self, items, round_no, rounds):
        for item in items:
            if item[0] == "x":
                for r in range(item[1]):
                    self._fill(item[2], r + 1, item[1])
                continue
            i = self._i
            self.kind[i] = KINDS.index(item[0])
            self.start_ms[i] = self._t
            self.round_no[i] = round_no
            self.rounds[i] = rounds
            self._t += item[1]
            self._i = i + 1

    def duration_ms(self, i):
        return self.start_ms[i + 1] - self.start_ms[i]
