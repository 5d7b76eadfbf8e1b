"""Program files (TOML), and the SPEC a command takes: a ``.toml`` path or a shorthand line.

A program file::

    name = "C25K week 1"          # optional: defaults to the file name
    lang = "en"                   # "en" (default) or "nl"
    notes = "Walk briskly."       # optional, for the therapist; not sent to the watch
    shorthand = "5m walk, 8x(60s run, 90s walk), 5m walk"

or, instead of ``shorthand``, ``[[segments]]`` tables with ``kind`` plus ``duration``
(a text such as ``"90s"`` or ``"1:30"``) or ``seconds`` (a whole number), or
``repeat = N`` plus nested ``[[segments.segments]]`` tables (:func:`parse_segments`, which
plan files use for their sessions too).  Unknown fields are errors (a typo must not go
unnoticed).  Tables are counted from 1 in messages (``segments[2].segments[1]``), with the
file's line where it can be found.

Every error is a :class:`ProgramFileError` (or, for a shorthand SPEC, a ``ShorthandError``);
both are ``runcue.program.ProgramError`` and ``runcue_host.UserError``, and their message is
one line: ``<where>: <what>: <why>``.  Nothing is ever evaluated.
"""

import os

from runcue import program
from runcue.program import ProgramError
from runcue_host import UserError
from runcue_host.authoring.shorthand import Authored, ShorthandError, explain, segment_of, shorthand_program
from runcue_host.authoring.toml_doc import TomlFile, read_toml_file, toml_document, type_name
from runcue_host.authoring.words import (
    EXAMPLE,
    KINDS_TEXT,
    MAX_DIGITS,
    Mistake,
    check_lang,
    choose_lang,
    duration_ms,
    kind_of,
    quote,
)

__all__ = ["FILE_FIELDS", "SEGMENT_FIELDS", "ProgramFileError", "explain_limit", "load_authored", "load_spec",
           "load_toml", "loads_toml", "parse_segments", "summary", "toml_program"]

FILE_FIELDS = ("name", "notes", "lang", "shorthand", "segments")
SEGMENT_FIELDS = ("kind", "duration", "seconds", "repeat", "segments")


class ProgramFileError(ProgramError, UserError):
    """A program file that does not make a program; the message names the file."""


def loads_toml(data, where="program.toml", fallback_name=None, lang=None):
    """(Program, notes) from the bytes or text of a TOML program file.

    ``where`` names the file in messages; ``fallback_name`` is the program name when the
    file has none (``load_toml`` passes the file name without ``.toml``); ``lang``, when
    given, is the program's language whatever the file says."""
    a = toml_program(data, where, fallback_name, lang)
    return a.program, a.notes


def toml_program(data, where="program.toml", fallback_name=None, lang=None):
    """:class:`Authored` for a TOML program file (see :func:`loads_toml`)."""
    doc, text = toml_document(data, where, "program", ProgramFileError)
    return _from_file(TomlFile(doc, text, where, "segments", ProgramFileError), fallback_name, lang)


def _from_file(f: TomlFile, fallback_name, lang_given):
    doc = f.doc
    f.unknown(doc, FILE_FIELDS, (), "a program file")
    for key in ("name", "notes", "lang", "shorthand"):
        f.text(doc, key, ())
    name = doc.get("name", fallback_name if fallback_name is not None else "")
    notes = doc.get("notes", "")
    lang, lang_from = f.lang(lang_given)
    f.name(name, ())
    if "shorthand" in doc and "segments" in doc:
        f.fail((), None, "use either shorthand or [[segments]], not both")
    if "shorthand" in doc:
        try:
            a = shorthand_program(doc["shorthand"], name, lang, lang_from)
        except ShorthandError as e:
            raise ProgramFileError("%s: %s" % (f.place(f.lines.line((), "shorthand")), e)) from None
        a.notes = notes
        return a
    if "segments" not in doc:
        f.fail((), None, "no program: add shorthand = %s or [[segments]] tables" % EXAMPLE)
    word_langs = set()
    items, segs = parse_segments(f, doc["segments"], (), word_langs)
    if lang is None:
        lang, lang_from = choose_lang(word_langs)
    try:
        return Authored(program.make(name, lang, items), notes, lang_from, word_langs)
    except ProgramError as e:
        msg, path = explain_limit(e, segs, f)
        raise ProgramFileError("%s: %s" % (f.place(f.lines.line(path) if path else None), msg)) from None


def parse_segments(f: TomlFile, value, path, word_langs):
    """(device-form items, path of each segment table) for the ``segments`` value of the table
    at ``path`` of :class:`TomlFile` ``f`` (``()``: the file's top level); ``f.fail`` reports
    a mistake.  Limits are left to ``program.make``: pass its ProgramError to
    :func:`explain_limit`.  The languages of the kind words are added to the set ``word_langs``."""
    segs = []
    return _segment_list(f, value, path, 1, segs, word_langs), segs


def explain_limit(err, segs, f: TomlFile):
    """(message, segment table path or None) for a ProgramError from ``program.make`` about
    items from :func:`parse_segments`: the written place (``sessions[2].segments[1]``) added."""
    n = segment_of(err, len(segs))
    return explain(err, segs, f.field), segs[n - 1] if n is not None else None


def _segment_list(f: TomlFile, value, path, depth, segs, langs):
    if not isinstance(value, list) or any(not isinstance(t, dict) for t in value):
        f.fail(path, "segments", "must be [[segments]] tables, not %s" % type_name(value))
    if not value:
        f.fail(path, "segments", "no segments")
    return [_segment(f, t, path + (i,), depth, segs, langs) for i, t in enumerate(value, 1)]


def _segment(f: TomlFile, table, path, depth, segs, langs):
    for key in table:
        if key not in SEGMENT_FIELDS:
            f.fail(path, None, "unknown field %s (a segment has kind and duration or seconds; "
                   "a repeat has repeat and segments)" % quote(key), line_key=key)
    if "repeat" in table or "segments" in table:
        for key in ("kind", "duration", "seconds"):
            if key in table:
                f.fail(path, key, "a repeat table has only repeat and segments")
        if "repeat" not in table:
            f.fail(path, "repeat", "missing: how many times should these segments repeat?")
        if "segments" not in table:
            f.fail(path, "segments", "missing: which segments should repeat?")
        count = f.whole(table, "repeat", path, 1, program.MAX_REPEAT, "")
        if depth > program.MAX_DEPTH:
            f.fail(path, "repeat", "repeats are nested more than %d levels deep" % program.MAX_DEPTH)
        return ["x", count, _segment_list(f, table["segments"], path, depth + 1, segs, langs)]
    if "kind" not in table:
        f.fail(path, "kind", "missing: one of %s" % KINDS_TEXT)
    try:
        kind, lang = kind_of(f.text(table, "kind", path))
    except Mistake as p:
        f.fail(path, "kind", p.msg)
    if lang:
        langs.add(lang)
    if ("duration" in table) == ("seconds" in table):
        f.fail(path, "duration", "give either duration (e.g. \"90s\") or seconds (e.g. 90)" if "seconds" in table
               else "missing: add duration = \"90s\" (or seconds = 90)")
    if "seconds" in table:
        s = table["seconds"]
        if isinstance(s, bool) or not isinstance(s, int):
            f.fail(path, "seconds", "must be a whole number, not %s" % type_name(s))
        if s < 0 or s > 10 ** MAX_DIGITS:
            f.fail(path, "seconds", "%d is out of range" % s)
        ms = s * 1000
    else:
        d = table["duration"]
        if not isinstance(d, str):
            example = d if isinstance(d, int) and not isinstance(d, bool) else 90
            f.fail(path, "duration", "must be text in quotes such as \"90s\" or \"1:30\", not %s "
                   "(or use seconds = %s)" % (type_name(d), example))
        try:
            ms = duration_ms(d)
        except Mistake as p:
            f.fail(path, "duration", p.msg)
    segs.append(path)
    return [kind, ms]


def load_toml(path, lang=None):
    """(Program, notes) from a TOML program file; ProgramFileError names the file."""
    data, stem = read_toml_file(path, "program", ProgramFileError)
    return loads_toml(data, str(path), stem, lang)


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
    shorthand program is named by ``shorthand.default_name`` and has no notes.  ``lang`` (from
    ``--lang``) is the program's language; without it, the file's ``lang``, else the
    language of the kind words (:func:`choose_lang`)."""
    if lang is not None:
        lang = check_lang(lang)
    if not isinstance(spec, str):
        raise ShorthandError("shorthand: must be text")
    stripped = spec.strip()
    if stripped.lower().endswith(".toml"):
        data, stem = read_toml_file(stripped, "program", ProgramFileError)
        return toml_program(data, stripped, stem, lang)
    if stripped and os.path.isdir(stripped):
        raise ProgramFileError("%s: is a directory, not a program file" % quote(stripped)[1:-1])
    if _looks_like_path(spec):
        raise ProgramFileError("%s: a program file must end in .toml (or write a shorthand line "
                               "such as %s)" % (quote(stripped)[1:-1], EXAMPLE))
    return shorthand_program(spec, lang=lang)



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
