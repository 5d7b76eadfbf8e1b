"""Reading TOML files, for program files and plan files alike.

What both kinds of file share: the file read from disk (:func:`read_toml_file`: a regular file,
at most MAX_FILE_BYTES), its text checked (:func:`toml_document`: size, byte order mark, UTF-8,
TOML syntax), the line a field is written on (:class:`TomlLines`, best effort), and the checks
of its fields (:class:`TomlFile`: unknown fields with a "did you mean", text, whole numbers,
the name and the language), each failure one line: ``<file>: line <n>: <field>: <why>``.

Each function raises the ``error`` class its caller gives (``ProgramFileError``,
``PlanFileError``), so a message names the kind of file it is about.  Nothing is evaluated.
"""

import difflib
import re
import tomllib
from pathlib import Path
from typing import NoReturn

from runcue import program
from runcue_host.authoring.words import quote

__all__ = ["MAX_FILE_BYTES", "TomlFile", "TomlLines", "read_toml_file", "toml_document", "type_name"]

MAX_FILE_BYTES = 256 * 1024
_TOML_POS = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")
_ANY_HEADER = re.compile(r"\s*\[\[?\s*[A-Za-z0-9_\-\"'. ]+\]\]?\s*(#.*)?$")


def type_name(value):
    """"text", "a number", "a table"...: for "must be X, not Y" messages."""
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




def toml_document(data, where, what, error):
    """(document, text) of a TOML file's bytes or text: size, BOM, UTF-8 and syntax
    checked; ``error`` names ``where`` (and ``what`` the file should be)."""
    if isinstance(data, (bytes, bytearray)):
        if len(data) > MAX_FILE_BYTES:
            raise error("%s: %d bytes, at most %d: is this really a %s file?" % (
                where, len(data), MAX_FILE_BYTES, what))
        data = bytes(data)
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise error("%s: UTF-16 text (it starts with a UTF-16 byte order mark): "
                        "save the file as UTF-8" % where)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            line = data.count(b"\n", 0, e.start) + 1
            raise error("%s: line %d: not UTF-8 text (byte 0x%02x): save the file as UTF-8" % (
                where, line, data[e.start])) from None
    elif isinstance(data, str):
        text = data
        if len(text) > MAX_FILE_BYTES:
            raise error("%s: %d characters, at most %d: is this really a %s file?" % (
                where, len(text), MAX_FILE_BYTES, what))
        if text.startswith("\ufeff"):
            text = text[1:]
    else:
        raise error("%s: not text" % where)
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
        raise error("%s%s: not valid TOML: %s" % (where, place, msg)) from None
    except (RecursionError, MemoryError):
        raise error("%s: not valid TOML: nested too deeply" % where) from None
    return doc, text



def read_toml_file(path, what, error):
    """(bytes, name from the file name) of a TOML ``what`` file, at most MAX_FILE_BYTES;
    ``error`` names the file when it cannot be read.  The name leaves out the characters no name
    may hold (``program.name_problem``)."""
    where = str(path)
    p = Path(path)
    try:
        if not p.exists():
            raise error("%s: no such file" % where)
        if p.is_dir():
            raise error("%s: is a directory, not a %s file" % (where, what))
        if not p.is_file():
            raise error("%s: not a regular file" % where)
        with open(p, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except PermissionError:
        raise error("%s: cannot read it: permission denied" % where) from None
    except OSError as e:
        raise error("%s: cannot read it: %s" % (where, e.strerror or e)) from None
    if len(data) > MAX_FILE_BYTES:
        raise error("%s: larger than %d KiB: is this really a %s file?" % (
            where, MAX_FILE_BYTES // 1024, what))
    stem = p.name[:-len(".toml")] if p.name.lower().endswith(".toml") else p.name
    stem = "".join(c for c in stem if program.name_problem(c) is None)
    return data, stem[:program.MAX_NAME]



class TomlFile:
    """A TOML document being checked, field by field.

    ``table`` is its array of tables (``segments`` in a program file, ``sessions`` in a plan
    file); a ``path`` is the 1-based index of each table, outermost first, the deeper ones
    ``segments``: ``(2, 1)`` is ``sessions[2].segments[1]``.  ``fail`` raises ``error`` with
    the file, the line (when found) and the field."""

    def __init__(self, doc, text, where, table, error):
        self.doc = doc
        self.where = where
        self.table = table
        self.error = error
        self.lines = TomlLines(text, table)

    def field(self, path, key=None):
        """The field as a message names it: ``sessions[2].segments[1].kind``."""
        parts = ["%s[%d]" % (self.table if depth == 0 else "segments", i) for depth, i in enumerate(path)]
        if key:
            parts.append(key)
        return ".".join(parts)

    def place(self, line):
        """``<file>: line <n>``, or the file alone when the line is not known."""
        return "%s: line %d" % (self.where, line) if line else self.where

    def fail(self, path, key, msg, line_key=None) -> NoReturn:
        """Raise ``msg`` about field ``key`` of the table at ``path`` (``line_key``: the key whose
        line to name when ``key`` is None)."""
        where = self.place(self.lines.line(path, key or line_key))
        field = self.field(path, key)
        raise self.error("%s: %s: %s" % (where, field, msg) if field else "%s: %s" % (where, msg))

    def unknown(self, table, fields, path, what):
        """Fail on the first key of ``table`` not in ``fields`` (a typo must not go unnoticed)."""
        for key in table:
            if key not in fields:
                close = difflib.get_close_matches(key, fields, n=1, cutoff=0.6)
                self.fail(path, None, "unknown field %s%s (%s has %s)" % (
                    quote(key), ": did you mean %s?" % close[0] if close else "", what, ", ".join(fields)),
                    line_key=key)

    def text(self, table, key, path, default=""):
        value = table.get(key, default)
        if not isinstance(value, str):
            self.fail(path, key, "must be text in quotes, not %s" % type_name(value))
        return value

    def whole(self, table, key, path, low, high, missing):
        """A whole number from ``low`` to ``high``; ``missing`` asks for it when it is not there."""
        if key not in table:
            self.fail(path, key, "missing: %s" % missing)
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, key, "must be a whole number, not %s" % type_name(value))
        if not low <= value <= high:
            self.fail(path, key, "%d is not between %d and %d" % (value, low, high))
        return value

    def name(self, value, path):
        """``value`` as a name, by the watch's rule and in its words (``program.name_problem``)."""
        why = program.name_problem(value)
        if why is not None:
            self.fail(path, "name", why)
        return value

    def lang(self, given):
        """(lang, where it came from): ``given`` (from --lang) when not None, else the file's
        ``lang`` (checked) when it has one, else (None, "--lang") for the words to decide."""
        lang, lang_from = given, "--lang"
        if "lang" in self.doc:
            in_file = self.text(self.doc, "lang", ()).strip().lower()
            if in_file not in program.LANGS:
                self.fail((), "lang", "%s is not one of %s" % (quote(self.doc["lang"]), ", ".join(program.LANGS)))
            if lang is None:
                lang, lang_from = in_file, "the file"
        return lang, lang_from
