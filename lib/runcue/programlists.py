"""A program as lists, the host's form of it: checked, written, shaped and named.

``runcue.program`` reads the watch's programs from their canonical text without
building lists; this module is the rest: the checker of a program given as
lists (authoring), the writer of its canonical JSON, ``shape`` and
``generated_name``, and ``diagnose``, which says what is wrong with a text the
reader refused.  The watch loads it only for that last one, so its code stays
out of the watch's heap.
"""

import json

from runcue import program


def check_items(prog, items, depth, counter, times=1):
    if type(items) is not list or not items:
        raise program.ProgramError("%s: a program needs at least one segment" % (
            "repeat block " + program._after(counter) if depth > 1 else "program"))
    for item in items:
        if type(item) is not list or not item:
            raise program.ProgramError("%s: an item must be a segment or a repeat block" % program._after(counter))
        if item[0] == "x":
            program._check_depth(depth, counter)
            if len(item) != 3 or type(item[1]) is not int:
                raise program.ProgramError("%s: a repeat block is [\"x\", count, [items]]" % program._after(counter))
            program._check_count(item[1], counter)
            check_items(prog, item[2], depth + 1, counter, times * item[1])
            continue
        if len(item) != 2 or type(item[0]) is not str or type(item[1]) is not int:
            raise program.ProgramError("%s: a segment is [kind, duration_ms]" % program._place((counter[0] + 1,)))
        if item[0] not in program.KINDS:
            raise program.ProgramError("%s: unknown kind %r (one of %s)" % (
                program._place((counter[0] + 1,)), item[0], ", ".join(program.KINDS)))
        program._check_segment(prog, program.KINDS.index(item[0]), item[1], counter, times)


def diagnose(data):
    """Raise the program.ProgramError that says what is wrong with ``data``, which _Reader refused."""
    try:
        text = data.decode("utf-8")
    except (UnicodeError, ValueError):
        raise program.ProgramError("program: not UTF-8 text") from None
    try:
        obj = json.loads(text)
    except (ValueError, TypeError, RuntimeError):  # RuntimeError: CPython's RecursionError on deep nesting
        raise program.ProgramError("program: not valid JSON") from None
    if type(obj) is not dict:
        raise program.ProgramError("program: must be a JSON object")
    if type(obj.get("v")) is not int or obj.get("v") != program.FORMAT_VERSION:
        raise program.ProgramError("program: format version %r, this firmware reads %d" % (
            obj.get("v"), program.FORMAT_VERSION))
    for key in obj:
        if key not in ("v", "name", "lang", "items"):
            raise program.ProgramError("program: unknown field %r" % key)
    program.make(obj.get("name", ""), obj.get("lang", "en"), obj.get("items"))


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
    yield '{"v":%d,"name":%s,"lang":"%s","items":' % (program.FORMAT_VERSION, program._json_str(prog.name), prog.lang)
    for part in _items_parts(prog.items):
        yield part
    yield "}"


def canonical_json(prog):
    return "".join(json_parts(prog))


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
        if program._wins(ms, item[0] == "x", best_ms, best[0] == "x"):
            best, best_ms = item, ms
    return program._shape_of(best)


def generated_name(items, lang="en"):
    """The name of a program nobody named, short enough for the watch (program.SHOWN_NAME).

    One segment: "30 min walk".  Otherwise the part that takes the most time
    (``shape``) and the whole length in minutes: "6x 1:30/2:00 31m"; without the
    length when that does not fit, and "6x, 31 min" when even the shape does not.
    """
    total = 0
    for item in items:
        total += _item_ms(item)
    mins = max(1, program.minutes(total))
    count, parts = shape(items)
    words = program.KIND_WORDS.get(lang) or program.KIND_WORDS["en"]  # an unknown lang is refused later, by make()
    if len(items) == 1 and not count:
        return "%d min %s" % (mins, words[parts[0][0]])
    if parts:
        what = "/".join(program.clock_text(ms) for _k, ms in parts)
        what = "%dx %s" % (count, what) if count else "%s %s" % (words[parts[0][0]], what)
        for name in ("%s %dm" % (what, mins), what):
            if len(name) <= program.SHOWN_NAME:
                return name
    return "%dx, %d min" % (count, mins) if count else "%d min" % mins
