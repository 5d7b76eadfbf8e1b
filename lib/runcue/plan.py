"""Multi-week plans: the one definition of their device form and their progress.

A plan is an ordered list of sessions grouped in weeks, each session a
program (``runcue.program``), with a target number of sessions per week and a
rule for a session stopped early: ``"repeat"`` offers it again, ``"next"``
moves on.  The host compiles TOML into the canonical device JSON; the watch
loads and checks it again, and keeps its place in ``Progress``.
"""

import json

from runcue import program

try:
    from micropython import const
except ImportError:  # CPython
    def const(__x):
        return __x

FORMAT_VERSION = const(1)
MAX_SESSIONS = const(100)
MAX_WEEK = const(52)
MAX_JSON_BYTES = const(24576)
RULES = ("repeat", "next")
WEEK_S = const(604800)
MONDAY_OFFSET_S = const(345600)  # 1970-01-01 was a Thursday: Monday 00:00 is 4 days later
DAY_S = const(86400)
GO = const(0)  # today is a good day for the next session (or the clock is unset: nothing to say)
REST_DAY = const(1)  # the plan's spacing asks for a rest day first
WEEK_DONE = const(2)  # this week's target is met: the next session belongs to next week


class Plan:
    """A checked plan: ``sessions`` is a list of (week, Program)."""

    def __init__(self, name, lang, per_week, rule, sessions):
        self.name = name
        self.lang = lang
        self.per_week = per_week
        self.rule = rule
        self.sessions = sessions

    def json_parts(self):
        """The canonical JSON piece by piece (the watch compares it with a file without building it whole)."""
        yield '{"v":%d,"name":%s,"lang":"%s","per_week":%d,"rule":"%s","sessions":[' % (
            FORMAT_VERSION, program._json_str(self.name), self.lang, self.per_week, self.rule)
        for i, (week, prog) in enumerate(self.sessions):
            yield '%s{"week":%d,"program":%s}' % ("," if i else "", week, prog.to_json())
        yield "]}"

    def to_json(self):
        return "".join(self.json_parts())

    def is_text_of(self, text):
        """True when ``text`` is exactly this plan's canonical JSON."""
        pos = 0
        for part in self.json_parts():
            if text[pos:pos + len(part)] != part:
                return False
            pos += len(part)
        return pos == len(text)

    def id(self):
        return program.program_id(self.to_json())

    def rest_days(self):
        """Rest days the plan asks for between two sessions.

        NHS Couch to 5K: three runs a week "with a day of rest in between"; the
        runningtherapie schemas alike.  Up to 4 sessions a week fit a rest day
        between each (Mon, Wed, Fri, Sun); 5 or more do not, so they ask for none.
        """
        return 1 if self.per_week <= 4 else 0


def make(name, lang, per_week, rule, sessions):
    """A checked Plan; ``sessions`` is a list of (week, Program) in order."""
    program.make(name, lang, [["walk", program.MIN_SEGMENT_MS]])  # the same name/lang rules
    if type(per_week) is not int or not 1 <= per_week <= 7:
        raise program.ProgramError("per_week: %r is not a number of sessions from 1 to 7" % (per_week,))
    if rule not in RULES:
        raise program.ProgramError("rule: %r is not one of %s" % (rule, ", ".join(RULES)))
    if not sessions:
        raise program.ProgramError("plan: a plan needs at least one session")
    if len(sessions) > MAX_SESSIONS:
        raise program.ProgramError("plan: %d sessions, at most %d" % (len(sessions), MAX_SESSIONS))
    last = 1
    for i, (week, _prog) in enumerate(sessions):
        if type(week) is not int or not last <= week <= MAX_WEEK:
            raise program.ProgramError("session %d: week %r must be %d to %d and never go back" % (
                i + 1, week, last, MAX_WEEK))
        last = week
    return Plan(name, lang, per_week, rule, sessions)


def loads(text):
    """A checked Plan from device JSON (bytes or str); ProgramError otherwise."""
    if len(text) > MAX_JSON_BYTES:
        raise program.ProgramError("plan: %d bytes, at most %d" % (len(text), MAX_JSON_BYTES))
    if not isinstance(text, str):
        try:
            text = text.decode("utf-8")
        except (UnicodeError, ValueError):
            raise program.ProgramError("plan: not UTF-8 text") from None
    try:
        obj = json.loads(text)
    except (ValueError, TypeError, RuntimeError):
        raise program.ProgramError("plan: not valid JSON") from None
    if type(obj) is not dict or type(obj.get("v")) is not int or obj.get("v") != FORMAT_VERSION:
        raise program.ProgramError("plan: not a plan of format version %d" % FORMAT_VERSION)
    for key in obj:
        if key not in ("v", "name", "lang", "per_week", "rule", "sessions"):
            raise program.ProgramError("plan: unknown field %r" % key)
    raw = obj.get("sessions")
    if type(raw) is not list:
        raise program.ProgramError("plan: sessions must be a list")
    sessions = []
    for i, s in enumerate(raw):
        if type(s) is not dict or type(s.get("program")) is not dict:
            raise program.ProgramError("session %d: must be {\"week\", \"program\"}" % (i + 1))
        p = s["program"]
        try:
            prog = program.make(p.get("name", ""), p.get("lang", obj.get("lang")), p.get("items"))
        except program.ProgramError as e:
            raise program.ProgramError("session %d: %s" % (i + 1, e)) from None
        sessions.append((s.get("week"), prog))
    p = make(obj.get("name", ""), obj.get("lang", "en"), obj.get("per_week"), obj.get("rule", "repeat"), sessions)
    if not p.is_text_of(text):  # the id is the hash of these exact bytes; MicroPython's JSON is lenient
        raise program.ProgramError("plan: not in the canonical form runcue writes (re-push it with runcue)")
    return p


def week_start(unix):
    """Monday 00:00 UTC of the week holding ``unix``."""
    return unix - (unix - MONDAY_OFFSET_S) % WEEK_S


def day_of(unix):
    """The UTC day number of ``unix`` (the watch's clock keeps UTC; days turn at 00:00 UTC)."""
    return unix // DAY_S


def weekday(day):
    """0 (Monday) to 6 (Sunday) of a UTC day number: day 0, 1970-01-01, was a Thursday."""
    return (day + 3) % 7


class Progress:
    """Where the client is in a plan: the next session, and this week's count.

    Saved as ``{"plan": id, "pos": i, "week_start": unix, "done": n, "last_day": d}``
    (``last_day``: the UTC day number of the last completed session, 0 unknown).
    With the clock unset the week falls back to plan order: the week of the next
    session, and the sessions of that week already done.
    """

    def __init__(self, plan, state=None, plan_id=None):
        self.plan = plan
        self.plan_id = plan_id or plan.id()  # the id of the canonical file, when the caller has it
        state = state if state and state.get("plan") == self.plan_id else {}
        self.pos = _count(state, "pos")
        self.week_start = _count(state, "week_start")
        self.done = _count(state, "done")
        self.last_day = _count(state, "last_day")

    def finished(self):
        return self.pos >= len(self.plan.sessions)

    def current(self):
        """(week, index in the plan, Program) of the next session, or None when finished."""
        if self.finished():
            return None
        week, prog = self.plan.sessions[self.pos]
        return week, self.pos, prog

    def week_count(self, now):
        """(sessions done this week, target)."""
        if now:
            return (self.done if week_start(now) == self.week_start else 0), self.plan.per_week
        if self.finished():
            return 0, self.plan.per_week
        week = self.plan.sessions[self.pos][0]
        done = 0
        for w, _p in self.plan.sessions[:self.pos]:
            if w == week:
                done += 1
        return done, self.plan.per_week

    def session_ended(self, completed, now):
        """Advance after a session: always when completed, by the plan's rule when not."""
        if completed or self.plan.rule == "next":
            self.pos += 1
        if completed and now:
            ws = week_start(now)
            self.done = self.done + 1 if ws == self.week_start else 1
            self.week_start = ws
            self.last_day = day_of(now)

    def advice(self, now):
        """(GO | REST_DAY | WEEK_DONE, UTC day number from which the next session fits).

        Advice only: the watch says it and still lets the client start.  With the
        clock unset, or nothing known yet, it is (GO, 0): nothing to say.  A met
        week target waits for Monday; a session yesterday (with one rest day) waits
        for tomorrow; the later of the two wins.
        """
        if not now or self.finished():
            return GO, 0
        today = day_of(now)
        why, day = GO, 0
        if self.last_day:
            day = self.last_day + self.plan.rest_days() + 1
            if day > today:
                why = REST_DAY
        if self.week_count(now)[0] >= self.plan.per_week:
            monday = (week_start(now) + WEEK_S) // DAY_S
            if monday >= day:
                why, day = WEEK_DONE, monday
        return (why, day) if why != GO else (GO, 0)

    def state(self):
        return {"plan": self.plan_id, "pos": self.pos, "week_start": self.week_start, "done": self.done,
                "last_day": self.last_day}


def _count(obj, key):
    v = obj.get(key)
    return v if type(v) is int and v > 0 else 0
