"""Multi-week plans as people write them (TOML), and the plans that ship with runcue.

A plan file::

    name = "Couch to 5K"     # optional: defaults to the file name
    lang = "nl"              # "en" or "nl": the language of every session (default: that of
                             # the kind words, e.g. wandelen -> nl; English when they mix)
    notes = "..."            # optional, for the therapist; not sent to the watch
    source = "..."           # optional: where the schedule comes from
    per_week = 3             # target sessions a week, 1 to 7
    rule = "repeat"          # a session stopped early: "repeat" it (default) or go on with "next"

    [[sessions]]
    week = 1                 # 1 to 52, never going back
    name = "W1S1"            # optional: defaults to W<week>S<n>, n counting within the week
    notes = "..."            # optional
    shorthand = "5m warmup, 8x(60s run, 90s walk), 5m cooldown"

A session has ``shorthand`` or ``[[sessions.segments]]`` tables, written and checked
exactly as in a program file (:mod:`.program_file`).  The plan compiles to
``runcue.plan.make`` and its limits.  Every error is a :class:`PlanFileError`, one line:
``week2.toml: line 14: sessions[4].shorthand: item 2 is empty (column 9): ...``.

The built-in plans are ``plans/<name>.toml`` beside this module (package data); each
names its public source in ``source``.

A place in a plan is written ``W3S1`` (week 3, session 1; ``W3`` is ``W3S1``): ``runcue plan
push --at`` puts the client there, also back to an earlier week ("repeat week 2": ``--at
W2``).  :func:`week_warnings` names the weeks that hold fewer or more sessions than
``per_week`` (the plan still works: the watch counts per calendar week).
"""

import os
import re
from importlib import resources

from runcue import plan, program
from runcue.program import ProgramError
from runcue_host import UserError
from runcue_host.authoring.program_file import ProgramFileError, explain_limit, parse_segments
from runcue_host.authoring.shorthand import shorthand_program
from runcue_host.authoring.toml_doc import TomlFile, read_toml_file, toml_document, type_name
from runcue_host.authoring.words import check_lang, choose_lang, quote

__all__ = ["PLAN_FIELDS", "SESSION_FIELDS", "PlanFile", "PlanFileError", "builtin_names", "load_builtin",
           "load_plan", "loads_plan", "place", "place_text", "resolve", "summary", "week_warnings", "weeks_text"]

PLAN_FIELDS = ("name", "lang", "notes", "source", "per_week", "rule", "sessions")
SESSION_FIELDS = ("week", "name", "notes", "shorthand", "segments")
_RULES_TEXT = 'repeat (a session stopped early is offered again) or next (move on)'


class PlanFileError(ProgramFileError):
    """A plan file that does not make a plan; the message names the file, line and field."""


class PlanFile(plan.Plan):
    """A checked ``runcue.plan.Plan`` (``name``, ``sessions``, ``to_json()``, ``id()``...) plus
    what stays on the laptop.

    ``plan`` is the checked plan itself; ``session_notes[i]`` belongs to ``sessions[i]``;
    ``where`` names the file; ``lang_from`` says where the plan's language came from."""

    def __init__(self, checked, notes, source, session_notes, where, lang_from):
        plan.Plan.__init__(self, checked.name, checked.lang, checked.per_week, checked.rule, checked.sessions)
        self.plan = checked
        self.notes = notes
        self.source = source
        self.session_notes = session_notes
        self.where = where
        self.lang_from = lang_from  # "--lang", "the file", "the words" or "the default..."


def _read(f: TomlFile, fallback_name, lang=None):
    """The :class:`PlanFile` of :class:`TomlFile` ``f``; ``f.fail`` reports a mistake."""
    doc = f.doc
    f.unknown(doc, PLAN_FIELDS, (), "a plan file")
    plan_name = f.name(f.text(doc, "name", (), fallback_name or ""), ())
    notes = f.text(doc, "notes", ())
    source = f.text(doc, "source", ())
    lang, lang_from = f.lang(lang)
    per_week = f.whole(doc, "per_week", (), 1, 7, "how many sessions a week (1 to 7)?")
    rule = f.text(doc, "rule", (), "repeat").strip().lower()
    if rule not in plan.RULES:
        f.fail((), "rule", "%s is not %s" % (quote(doc["rule"]), _RULES_TEXT))
    raw = doc.get("sessions")
    if raw is None:
        f.fail((), None, 'no sessions: add [[sessions]] tables with week and shorthand')
    if not isinstance(raw, list) or any(not isinstance(t, dict) for t in raw):
        f.fail((), "sessions", "must be [[sessions]] tables, not %s" % type_name(raw))
    if not raw:
        f.fail((), "sessions", "empty: a plan needs at least one session")
    if len(raw) > plan.MAX_SESSIONS:
        f.fail((), "sessions", "%d sessions, at most %d" % (len(raw), plan.MAX_SESSIONS))
    sessions, session_notes, word_langs = [], [], set()
    last, n_in_week = 1, 0
    for i, table in enumerate(raw, 1):
        path = (i,)
        f.unknown(table, SESSION_FIELDS, path, "a session")
        week = f.whole(table, "week", path, 1, plan.MAX_WEEK, "which week of the plan (1, 2, ...)?")
        if week < last:
            f.fail(path, "week", "week %d after week %d: sessions go in week order" % (week, last))
        n_in_week = n_in_week + 1 if week == last else 1
        last = week
        name = f.name(f.text(table, "name", path, "W%dS%d" % (week, n_in_week)), path)
        session_notes.append(f.text(table, "notes", path))
        sessions.append((week, _session(f, table, path, name, lang or "en", word_langs)))
    if lang is None:  # the language of the words of every session, then each session in it
        lang, lang_from = choose_lang(word_langs)
        sessions = [(week, program.make(prog.name, lang, prog.items)) for week, prog in sessions]
    try:
        checked = plan.make(plan_name, lang, per_week, rule, sessions)
    except ProgramError as e:
        raise PlanFileError("%s: %s" % (f.where, e)) from None
    size = len(checked.to_json().encode("utf-8"))
    if size > plan.MAX_JSON_BYTES:
        f.fail((), "sessions", "the plan takes %d bytes on the watch, at most %d: "
               "fewer or simpler sessions" % (size, plan.MAX_JSON_BYTES))
    return PlanFile(checked, notes, source, session_notes, f.where, lang_from)


def _session(f: TomlFile, table, path, name, lang, word_langs):
    """The session's Program in ``lang``; the languages of its kind words go into ``word_langs``."""
    if "shorthand" in table and "segments" in table:
        f.fail(path, None, "use either shorthand or [[sessions.segments]], not both")
    if "shorthand" in table:
        text = f.text(table, "shorthand", path)
        try:
            written = shorthand_program(text, name, lang)
            word_langs.update(written.word_langs)
            return written.program
        except ProgramError as e:
            msg = str(e)
            f.fail(path, "shorthand", msg[len("shorthand: "):] if msg.startswith("shorthand: ") else msg)
    if "segments" not in table:
        f.fail(path, None, 'no program: add shorthand = "5m walk, 8x(60s run, 90s walk), 5m walk" '
               "or [[sessions.segments]] tables")
    items, segs = parse_segments(f, table["segments"], path, word_langs)
    try:
        return program.make(name, lang, items)
    except ProgramError as e:
        msg, seg_path = explain_limit(e, segs, f)
        line = f.lines.line(seg_path if seg_path else path)
        raise PlanFileError("%s: %s: %s" % (f.place(line), f.field(path), msg)) from None


def loads_plan(data, where="plan.toml", fallback_name=None, lang=None):
    """A :class:`PlanFile` from the bytes or text of a plan file; PlanFileError otherwise.
    ``lang`` (from ``--lang``), when given, is the plan's language whatever the file says."""
    doc, text = toml_document(data, where, "plan", PlanFileError)
    return _read(TomlFile(doc, text, where, "sessions", PlanFileError), fallback_name, lang)


def load_plan(path, lang=None):
    """A :class:`PlanFile` from a plan file; its name defaults to the file name."""
    data, stem = read_toml_file(path, "plan", PlanFileError)
    return loads_plan(data, str(path), stem, lang)


def _builtin_dir():
    return resources.files("runcue_host.authoring").joinpath("builtin")


def builtin_names():
    """The names of the built-in plans, sorted."""
    return sorted(p.name[:-len(".toml")] for p in _builtin_dir().iterdir() if p.name.endswith(".toml"))


def load_builtin(name, lang=None):
    if name not in builtin_names():
        raise PlanFileError("%s: no built-in plan of that name (built-in: %s)" % (
            quote(name)[1:-1], ", ".join(builtin_names())))
    data = _builtin_dir().joinpath(name + ".toml").read_bytes()
    return loads_plan(data, "plans/%s.toml" % name, name, lang)


def resolve(spec, lang=None):
    """A built-in plan by name, or a plan file by path (``.toml``, or any existing file);
    ``lang`` (from ``--lang``, checked here) is its language when given."""
    if lang is not None:
        lang = check_lang(lang)
    s = spec.strip()
    if s in builtin_names():
        return load_builtin(s, lang)
    if s.lower().endswith(".toml") or os.path.exists(s):
        return load_plan(s, lang)
    raise PlanFileError("%s: not a built-in plan (%s) nor a .toml plan file" % (
        quote(s)[1:-1] or '""', ", ".join(builtin_names())))


def summary(pf):
    """What ``runcue plan check --json`` prints; weeks is the plan's last week number,
    warnings those of :func:`week_warnings`."""
    p = pf.plan
    total = sum(prog.total_ms for _w, prog in p.sessions)
    run = sum(prog.run_ms for _w, prog in p.sessions)
    return {
        "id": p.id(),
        "name": p.name,
        "sessions": len(p.sessions),
        "weeks": p.sessions[-1][0],
        "per_week": p.per_week,
        "rule": p.rule,
        "total_s": total // 1000 if total % 1000 == 0 else total / 1000,
        "run_s": run // 1000 if run % 1000 == 0 else run / 1000,
        "lang": p.lang,
        "warnings": week_warnings(pf),
    }


def _weeks(p):
    """{week: number of sessions} of a checked plan."""
    count = {}
    for week, _prog in p.sessions:
        count[week] = count.get(week, 0) + 1
    return count


def week_warnings(pf):
    """One line per week from 1 to the last that holds fewer or more sessions than
    ``per_week``, or none (a gap, or a typo in a week number, most likely)."""
    p = pf.plan
    count = _weeks(p)
    out = []
    for week in range(1, p.sessions[-1][0] + 1):
        n = count.get(week, 0)
        if n == 0:
            out.append("%s: week %d has no sessions" % (pf.where, week))
        elif n != p.per_week:
            out.append("%s: week %d has %d session%s, %s than per_week = %d" % (
                pf.where, week, n, "" if n == 1 else "s", "fewer" if n < p.per_week else "more", p.per_week))
    return out


_PLACE = re.compile(r"\s*[wW](\d{1,3})(?:\s*[sS](\d{1,3}))?\s*$")


def place(pf, text):
    """The index in the plan of the session written ``W3S1`` (week 3, session 1 of that week;
    ``W3`` is ``W3S1``); UserError, one line, when it is not a session of this plan."""
    m = _PLACE.match(text)
    if not m:
        raise UserError("--at: %s is not a place in the plan: write W<week>S<session>, e.g. W3S1 "
                        "(week 3, session 1)" % quote(text))
    shown = text.strip().upper()
    week, n = int(m.group(1)), int(m.group(2) or 1)
    p = pf.plan
    last = p.sessions[-1][0]
    if not 1 <= week <= last:
        raise UserError("--at %s: the plan has weeks 1 to %d" % (shown, last))
    count = _weeks(p).get(week, 0)
    if not count:
        raise UserError("--at %s: week %d of the plan has no sessions" % (shown, week))
    if n < 1:
        raise UserError("--at %s: sessions count from 1 (W%dS1)" % (shown, week))
    if n > count:
        raise UserError("--at %s: week %d has %d session%s (W%dS1 to W%dS%d)" % (
            shown, week, count, "" if count == 1 else "s", week, week, count))
    first = [w for w, _prog in p.sessions].index(week)
    return first + n - 1


def place_text(p, pos):
    """``W3S1`` for the session at index ``pos`` of plan ``p`` (the names :func:`place` reads)."""
    week = p.sessions[pos][0]
    return "W%dS%d" % (week, sum(1 for w, _prog in p.sessions[:pos] if w == week) + 1)


def weeks_text(n, lang):
    """"1 week", "2 weeks" / Dutch "1 week", "2 weken"."""
    if n == 1:
        return "1 week"
    return "%d %s" % (n, "weken" if lang == "nl" else "weeks")
