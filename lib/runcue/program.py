"""Interval programs: the one definition of their limits and device form.

A program is a name, a language and a list of items; an item is a segment
``[kind, duration_ms]`` or a repeat block ``["x", count, [items]]``.  The host
compiles shorthand or TOML into this form; the watch loads it from JSON and
checks it again with the same code, because the watch trusts nothing.

The canonical device JSON is written by ``canonical_json`` (fixed key order,
no spaces, UTF-8), so both interpreters produce the same bytes, and its
SHA-256 prefix is the program's identity.
"""

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


def _wins(ms, is_block, best_ms, best_is_block):
    return ms > best_ms or (ms == best_ms and is_block and not best_is_block)


def _shape_of(item):
    if item[0] != "x":
        return 0, [(KINDS.index(item[0]), item[1])]
    for i in item[2]:
        if i[0] == "x":
            return item[1], []
    return item[1], [(KINDS.index(i[0]), i[1]) for i in item[2]]


class Program:
    """A checked program: name, lang and items in device form.

    The watch's programs are lean (``loads(data, lean=True)``): ``items`` is None and
    ``text`` holds the canonical bytes they were read from, which ``expand`` unrolls."""

    def __init__(self, name, lang, items, text=None):
        self.name = name
        self.lang = lang
        self.items = items
        self.text = text
        self.segments = 0  # expanded count
        self.total_ms = 0
        self.run_ms = 0
        self._shape = None
        if items is not None:
            from runcue import programlists

            programlists.check_items(self, items, 1, [0])

    def to_json(self):
        if self.items is None:
            return self.text.decode("utf-8")
        from runcue import programlists

        return programlists.canonical_json(self)

    def id(self):
        if self.items is None:
            return parts_id((self.text,))
        from runcue import programlists

        return parts_id(programlists.json_parts(self))  # hashed piece by piece: never the whole JSON

    def shape(self):
        """``programlists.shape`` of the items (a lean program reads the one item it needs from its text)."""
        if self.items is not None:
            from runcue import programlists

            return programlists.shape(self.items)
        if self._shape is None:
            self._shape = _Reader(self.text).shape()
        return self._shape

    def expand(self, start_ms=None):
        return Expanded(self, start_ms)


def _place(counter):
    return "segment %d" % counter[0]


def _after(counter):
    return "after segment %d" % counter[0] if counter[0] else "at the start"


# The rules of a program's items, one function each, used by both readers: the checker of a
# program given as lists (programlists.check_items: the host's authoring) and the reader of its text.
def _check_depth(depth, counter):
    if depth > MAX_DEPTH:
        raise ProgramError("%s: repeats are nested more than %d levels deep" % (_after(counter), MAX_DEPTH))


def _check_count(count, counter):
    if count < 1 or count > MAX_REPEAT:
        raise ProgramError("%s: repeat count %d is not between 1 and %d" % (_after(counter), count, MAX_REPEAT))


def _check_segment(prog, kind, ms, counter, times):
    """Count segment ``kind`` (an index of KINDS) of ``ms``, played ``times`` times, into ``prog``."""
    counter[0] += 1
    where = _place(counter)
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
    if kind == RUN:
        prog.run_ms += ms * times


def make(name, lang, items):
    """A checked Program from its parts (host authoring and the device loader)."""
    why = name_problem(name)
    if why is not None:
        raise ProgramError("name: " + why)
    if lang not in LANGS:
        raise ProgramError("lang: %r is not one of %s" % (lang, ", ".join(LANGS)))
    return Program(name, lang, items)


def loads(text, lean=False):
    """A checked Program from device JSON (bytes or str); ProgramError otherwise.

    Only the canonical form runcue writes is a program (its id is the hash of those
    bytes), so it is read in place by ``_Reader``; a text it cannot read is looked at
    again with ``json`` only to say what is wrong.  ``lean`` (the watch): no items
    lists, the bytes kept instead (a 250-segment program written out is 8 KB of lists
    on a 32-bit watch, its text 3.6 KB)."""
    if len(text) > MAX_JSON_BYTES:
        raise ProgramError("program: %d bytes, at most %d" % (len(text), MAX_JSON_BYTES))
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    try:
        return _Reader(data).program(lean)
    except _NotCanonical:
        pass
    from runcue import programlists  # only to say what is wrong: its code stays out of the heap till then

    programlists.diagnose(data)
    raise ProgramError("program: not in the canonical form runcue writes (re-push it with runcue)")


class _NotCanonical(Exception):
    pass


_HEAD = ('{"v":%d,"name":"' % FORMAT_VERSION).encode()
_LANG = b',"lang":"'
_ITEMS = b'","items":'
_REPEAT = b'["x",'
_KIND_TEXTS = tuple(b'["' + k.encode() + b'",' for k in KINDS)


class _Reader:
    """The canonical program JSON (bytes) read in place: exactly what ``json_parts`` writes.

    ``items`` reads a list of items at the cursor, applying the rules as it goes
    (``_check_segment``...), and builds the lists only when ``build``; ``unroll``
    walks it again into an Expanded, each repeat block's text once per round, so
    the watch never holds a program as lists.  Anything else: _NotCanonical."""

    def __init__(self, data):
        self.t = data
        self.p = 0

    def lit(self, s):
        if not self.t.startswith(s, self.p):
            raise _NotCanonical
        self.p += len(s)

    def int(self):
        """A positive int written as ``%d`` writes it (a valid program has no other)."""
        t, p = self.t, self.p
        n = 0
        while p < len(t) and 48 <= t[p] <= 57 and p - self.p < 9:
            if n == 0 and p > self.p:
                raise _NotCanonical  # a leading zero
            n = n * 10 + t[p] - 48
            p += 1
        if n == 0:
            raise _NotCanonical
        self.p = p
        return n

    def string(self):
        """A name's JSON string up to its closing quote (canonical: only \\ and \" escaped)."""
        t, start = self.t, self.p
        p = start
        escaped = False
        while p < len(t) and (escaped or t[p] != 34):
            if escaped and t[p] not in (34, 92):
                raise _NotCanonical
            escaped = not escaped and t[p] == 92
            p += 1
        if p >= len(t):
            raise _NotCanonical
        self.p = p + 1
        try:
            raw = t[start:p].decode("utf-8")
        except (UnicodeError, ValueError):
            raise _NotCanonical from None
        if 92 not in t[start:p]:
            return raw
        out = []
        escaped = False
        for ch in raw:
            if escaped or ch != "\\":
                out.append(ch)
            escaped = not escaped and ch == "\\"
        return "".join(out)

    def program(self, lean):
        self.lit(_HEAD)
        name = self.string()
        self.lit(_LANG)
        lang = None
        for code in LANGS:
            if self.t.startswith(code.encode(), self.p):
                lang = code
        if lang is None:
            raise _NotCanonical
        self.p += len(lang)
        self.lit(_ITEMS)
        prog = make(name, lang, None)
        prog.text = self.t if lean else None
        prog.items = self.items(prog, 1, [0], 1, not lean)
        self.lit(b"}")
        if self.p != len(self.t):
            raise _NotCanonical
        return prog

    def segment(self):
        """(kind index, ms) of the segment at the cursor."""
        for kind in range(len(_KIND_TEXTS)):
            if self.t.startswith(_KIND_TEXTS[kind], self.p):
                self.p += len(_KIND_TEXTS[kind])
                ms = self.int()
                self.lit(b"]")
                return kind, ms
        raise _NotCanonical

    def items(self, prog, depth, counter, times, build):
        out = [] if build else None
        self.lit(b"[")
        while True:
            item = self.item(prog, depth, counter, times, build)
            if build:
                out.append(item)
            if not self.t.startswith(b",", self.p):
                break
            self.p += 1
        self.lit(b"]")
        return out

    def item(self, prog, depth, counter, times, build):
        """The item at the cursor, checked into ``prog``; as a list when ``build``."""
        if not self.t.startswith(_REPEAT, self.p):
            kind, ms = self.segment()
            _check_segment(prog, kind, ms, counter, times)
            return [KINDS[kind], ms] if build else None
        self.p += len(_REPEAT)
        _check_depth(depth, counter)
        count = self.int()
        _check_count(count, counter)
        self.lit(b",")
        inner = self.items(prog, depth + 1, counter, times * count, build)
        self.lit(b"]")
        return ["x", count, inner] if build else None

    def skip_to_items(self):
        self.p = self.t.index(_ITEMS) + len(_ITEMS)  # the name cannot hold it: its quotes are escaped

    def unroll(self, exp, round_no, rounds):
        """Fill ``exp`` from the (checked) list of items at the cursor."""
        self.p += 1  # [
        while True:
            if self.t.startswith(_REPEAT, self.p):
                self.p += len(_REPEAT)
                count = self.int()
                start = self.p + 1  # after the comma
                for r in range(count):
                    self.p = start
                    self.unroll(exp, r + 1, count)
                self.p += 1  # the block's ]
            else:
                kind, ms = self.segment()
                exp.add(kind, ms, round_no, rounds)
            if self.t[self.p] != 44:  # ,
                break
            self.p += 1
        self.p += 1  # ]

    def shape(self):
        """``shape`` of the (checked) program: each top-level item tallied, only the winner built."""
        self.skip_to_items()
        best_at = best_ms = -1
        best_is_block = False
        while self.t[self.p] != 93:  # the items' ]
            self.p += 1  # the [ before the first item, or a comma
            at = self.p
            tally = _Tally()
            self.item(tally, 1, [0], 1, False)
            is_block = self.t.startswith(_REPEAT, at)
            if best_at < 0 or _wins(tally.total_ms, is_block, best_ms, best_is_block):
                best_at, best_ms, best_is_block = at, tally.total_ms, is_block
        self.p = best_at
        return _shape_of(self.item(_Tally(), 1, [0], 1, True))


class _Tally:
    """What ``shape`` counts an item into (the text was checked when it was loaded)."""

    def __init__(self):
        self.segments = self.total_ms = self.run_ms = 0


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
        if prog.items is None:
            reader = _Reader(prog.text)
            reader.skip_to_items()
            reader.unroll(self, 0, 0)
        else:
            self._fill(prog.items, 0, 0)
        self.start_ms[n] = self._t

    def _fill(self, items, round_no, rounds):
        for item in items:
            if item[0] == "x":
                for r in range(item[1]):
                    self._fill(item[2], r + 1, item[1])
            else:
                self.add(KINDS.index(item[0]), item[1], round_no, rounds)

    def add(self, kind, ms, round_no, rounds):
        """The next segment: ``kind`` for ``ms``, round ``round_no`` of ``rounds`` of its block."""
        i = self._i
        self.kind[i] = kind
        self.start_ms[i] = self._t
        self.round_no[i] = round_no
        self.rounds[i] = rounds
        self._t += ms
        self._i = i + 1

    def duration_ms(self, i):
        return self.start_ms[i + 1] - self.start_ms[i]
