"""Multi-week plans: the one definition of their device form and their progress.

A plan is an ordered list of sessions grouped in weeks, each session a
program (``runcue.program``), with a target number of sessions per week and a
rule for a session stopped early: ``"repeat"`` offers it again, ``"next"``
moves on.  The host compiles TOML into the canonical plan JSON (its hash is
the plan's id); the watch never holds that whole: it keeps an ``Index`` (the
plan without its programs, and where each session's program lies in one
file of them, ``runcue.planstore``) and loads only the next session.  The
host pushes a plan as ``push_steps`` says: the sessions one by one, then the
index, which puts the plan in force.  ``Progress`` keeps the client's place.
"""

import json

from runcue import program

try:
    from micropython import const
except ImportError:  # CPython
    def const(__x):
        return __x

FORMAT_VERSION = const(1)
INDEX_VERSION = const(1)
MAX_SESSIONS = const(100)
MAX_WEEK = const(52)
MAX_JSON_BYTES = const(24576)  # the whole plan: its programs take this much flash on the watch, at most
MAX_INDEX_BYTES = const(2048)  # 100 sessions' weeks and ends, a 40-character name escaped: under 1.5 KB
RULES = ("repeat", "next")
WEEK_S = const(604800)
MONDAY_OFFSET_S = const(345600)  # 1970-01-01 was a Thursday: Monday 00:00 is 4 days later
DAY_S = const(86400)
GO = const(0)  # today is a good day for the next session (or the clock is unset: nothing to say)
REST_DAY = const(1)  # the plan's spacing asks for a rest day first
WEEK_DONE = const(2)  # this week's target is met: the next session belongs to next week


def json_parts(name, lang, per_week, rule, weeks, program_texts):
    """The canonical plan JSON piece by piece, from its sessions' program JSON texts in order
    (the watch hashes it so, reading one session at a time)."""
    yield '{"v":%d,"name":%s,"lang":"%s","per_week":%d,"rule":"%s","sessions":[' % (
        FORMAT_VERSION, program._json_str(name), lang, per_week, rule)
    i = 0
    for text in program_texts:
        yield '%s{"week":%d,"program":' % ("," if i else "", weeks[i])
        yield text
        yield "}"
        i += 1
    yield "]}"


def rest_days(per_week):
    """Rest days a plan asks for between two sessions.

    NHS Couch to 5K: three runs a week "with a day of rest in between"; the
    runningtherapie schemas alike.  Up to 4 sessions a week fit a rest day
    between each (Mon, Wed, Fri, Sun); 5 or more do not, so they ask for none.
    """
    return 1 if per_week <= 4 else 0


class Plan:
    """A checked plan: ``sessions`` is a list of (week, Program); ``weeks`` their weeks."""

    def __init__(self, name, lang, per_week, rule, sessions):
        self.name = name
        self.lang = lang
        self.per_week = per_week
        self.rule = rule
        self.sessions = sessions
        self.weeks = [w for w, _p in sessions]

    def json_parts(self):
        """The canonical JSON piece by piece (the watch compares it with a file without building it whole)."""
        return json_parts(self.name, self.lang, self.per_week, self.rule, self.weeks,
                          (prog.to_json() for _w, prog in self.sessions))

    def to_json(self):
        return "".join(self.json_parts())

    def is_text_of(self, text):
        """True when ``text`` is exactly this plan's canonical JSON."""
        return program.is_text_of(self.json_parts(), text)

    def id(self):
        return program.parts_id(self.json_parts())

    def rest_days(self):
        return rest_days(self.per_week)

    def index(self):
        """The Index the watch keeps of this plan."""
        ends = []
        end = 0
        for _w, prog in self.sessions:
            end += len(prog.to_json().encode("utf-8"))
            ends.append(end)
        return Index(self.id(), self.name, self.lang, self.per_week, self.rule, self.weeks, ends)

    def push_steps(self):
        """The calls that push this plan, in order: (sync service function, data bytes, more args).

        Every session's program goes first, appended at its offset to a file beside the plan
        in force; the index goes last and is the commit point: a push cut anywhere before it
        leaves the old plan in force, whole."""
        offset = 0
        for _w, prog in self.sessions:
            data = prog.to_json().encode("utf-8")
            yield "put_session", data, (offset,)
            offset += len(data)
        yield "put_plan", self.index().to_json().encode("utf-8"), ()


class Index:
    """A plan as the watch keeps it: all but its programs, and where each program lies.

    Session ``i`` is the program JSON at bytes ``ends[i-1]:ends[i]`` (0 for the first) of
    the plan's sessions file; ``plan_id`` is the id of the whole plan (the watch checked it
    against those programs when the plan was pushed).
    """

    def __init__(self, plan_id, name, lang, per_week, rule, weeks, ends):
        self.plan_id = plan_id
        self.name = name
        self.lang = lang
        self.per_week = per_week
        self.rule = rule
        self.weeks = weeks
        self.ends = ends

    def id(self):
        return self.plan_id

    def rest_days(self):
        return rest_days(self.per_week)

    def span(self, pos):
        """(start, end) bytes of session ``pos`` in the sessions file."""
        return (self.ends[pos - 1] if pos else 0), self.ends[pos]

    def to_json(self):
        return '{"v":%d,"id":"%s","name":%s,"lang":"%s","per_week":%d,"rule":"%s","weeks":%s,"ends":%s}' % (
            INDEX_VERSION, self.plan_id, program._json_str(self.name), self.lang, self.per_week, self.rule,
            _int_list(self.weeks), _int_list(self.ends))


def _int_list(values):
    return "[" + ",".join("%d" % v for v in values) + "]"


def _check(name, lang, per_week, rule, weeks):
    """The rules of a plan's own fields (its programs are checked as programs)."""
    program.make(name, lang, [["walk", program.MIN_SEGMENT_MS]])  # the same name/lang rules
    if type(per_week) is not int or not 1 <= per_week <= 7:
        raise program.ProgramError("per_week: %r is not a number of sessions from 1 to 7" % (per_week,))
    if rule not in RULES:
        raise program.ProgramError("rule: %r is not one of %s" % (rule, ", ".join(RULES)))
    if not weeks:
        raise program.ProgramError("plan: a plan needs at least one session")
    if len(weeks) > MAX_SESSIONS:
        raise program.ProgramError("plan: %d sessions, at most %d" % (len(weeks), MAX_SESSIONS))
    last = 1
    for i, week in enumerate(weeks):
        if type(week) is not int or not last <= week <= MAX_WEEK:
            raise program.ProgramError("session %d: week %r must be %d to %d and never go back" % (
                i + 1, week, last, MAX_WEEK))
        last = week


def make(name, lang, per_week, rule, sessions):
    """A checked Plan; ``sessions`` is a list of (week, Program) in order."""
    _check(name, lang, per_week, rule, [w for w, _p in sessions])
    return Plan(name, lang, per_week, rule, sessions)


def _text(what, text, limit):
    """``text`` (bytes or str) as str, within ``limit`` bytes; ProgramError otherwise."""
    if len(text) > limit:
        raise program.ProgramError("%s: %d bytes, at most %d" % (what, len(text), limit))
    if not isinstance(text, str):
        try:
            text = text.decode("utf-8")
        except (UnicodeError, ValueError):
            raise program.ProgramError("%s: not UTF-8 text" % what) from None
    return text


def _object(what, text, version, keys):
    try:
        obj = json.loads(text)
    except (ValueError, TypeError, RuntimeError):
        raise program.ProgramError("%s: not valid JSON" % what) from None
    if type(obj) is not dict or type(obj.get("v")) is not int or obj.get("v") != version:
        raise program.ProgramError("%s: not a %s of format version %d" % (what, what, version))
    for key in obj:
        if key not in keys:
            raise program.ProgramError("%s: unknown field %r" % (what, key))
    return obj


def loads(text):
    """A checked Plan from its canonical JSON (bytes or str); ProgramError otherwise."""
    text = _text("plan", text, MAX_JSON_BYTES)
    obj = _object("plan", text, FORMAT_VERSION, ("v", "name", "lang", "per_week", "rule", "sessions"))
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


def loads_index(text):
    """A checked Index from its JSON (bytes or str); ProgramError otherwise (a plan pushed by an
    older firmware, whole, is refused so: it must be pushed again)."""
    text = _text("plan index", text, MAX_INDEX_BYTES)
    obj = _object("plan index", text, INDEX_VERSION,
                  ("v", "id", "name", "lang", "per_week", "rule", "weeks", "ends"))
    pid, weeks, ends = obj.get("id"), obj.get("weeks"), obj.get("ends")
    if type(pid) is not str or len(pid) != program.ID_HEX or pid.strip("0123456789abcdef"):
        raise program.ProgramError("plan index: the plan id %r is not %d hex digits" % (pid, program.ID_HEX))
    if type(weeks) is not list or type(ends) is not list or len(ends) != len(weeks):
        raise program.ProgramError("plan index: weeks and ends must be lists of one number per session")
    _check(obj.get("name"), obj.get("lang"), obj.get("per_week"), obj.get("rule"), weeks)
    last = 0
    for i, end in enumerate(ends):
        if type(end) is not int or not last < end <= last + program.MAX_JSON_BYTES or end > MAX_JSON_BYTES:
            raise program.ProgramError("plan index: session %d ends at byte %r, after %d" % (i + 1, end, last))
        last = end
    idx = Index(pid, obj["name"], obj["lang"], obj["per_week"], obj["rule"], weeks, ends)
    if idx.to_json() != text:
        raise program.ProgramError("plan index: not in the canonical form runcue writes (push the plan again)")
    return idx


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
    """Where the client is in a plan (a Plan or an Index): the next session, this week's count.

    Saved as ``{"plan": id, "pos": i, "week_start": unix, "done": n, "last_day": d}``
    (``last_day``: the UTC day number of the last completed session, 0 unknown).
    With the clock unset the week falls back to plan order: the week of the next
    session, and the sessions of that week already done.
    """

    def __init__(self, plan, state=None):
        self.plan = plan  # a Plan or an Index: its weeks, per_week, rule and id are what count
        self.plan_id = plan.id()
        state = state if state and state.get("plan") == self.plan_id else {}
        self.pos = _count(state, "pos")
        self.week_start = _count(state, "week_start")
        self.done = _count(state, "done")
        self.last_day = _count(state, "last_day")

    def finished(self):
        return self.pos >= len(self.plan.weeks)

    def current(self):
        """(week, index in the plan) of the next session, or None when finished."""
        if self.finished():
            return None
        return self.plan.weeks[self.pos], self.pos

    def week_count(self, now):
        """(sessions done this week, target)."""
        if now:
            return (self.done if week_start(now) == self.week_start else 0), self.plan.per_week
        if self.finished():
            return 0, self.plan.per_week
        weeks = self.plan.weeks
        done = 0
        for i in range(self.pos):
            if weeks[i] == weeks[self.pos]:
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
