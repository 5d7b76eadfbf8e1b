"""`runcue report`: one self-contained HTML page a therapist reads before the next session.

Per client (a section each): flags first, then adherence per week against the
plan's target, planned vs. done per session, run minutes per week, and mood
and talk-test answers over time.  Charts are inline SVG (matplotlib), the page
has no script and no external reference, so it opens offline.  Clients appear
by code only; dates are UTC weeks starting Monday 00:00 (the plan's weeks).

Flags, defined here so the report can state them:

* ``stop_pain``: a session stopped early with the reason pain or unwell.
* ``gap``: 14 days or more between two sessions, or since the last one.
* ``mood``: the last three mood-after answers never rise and end lower than
  they began (4, 3, 3), or mood after was below mood before in at least two
  of the last three sessions that have both answers.
* ``approx``: sessions recorded with the watch clock unset or wrong (a reading
  before 2025 or after the sync, or a clock found over an hour off at the sync),
  placed between the last known time and the sync: their dates are approximate.

Adherence counts the sessions started against the plan's target (showing up is
what running therapy asks), and says beside it how many were completed.
"""

import time

from runcue import plan as plan_mod
from runcue_host import UserError

DAY = 86400
GAP_DAYS = 14
MAX_WEEKS = 26  # rows of the weekly table, the latest ones
LANGS = ("en", "nl")


def _plan_for(rows, plans):
    """The plan whose programs most of the client's sessions played: (name, per_week) or None."""
    best, hits = None, 0
    for p in plans:
        n = sum(1 for r in rows if r["program_id"] in p["program_ids"])
        if n > hits:
            best, hits = p, n
    return (best["name"], best["per_week"]) if best else None


def _weeks(rows, run_s, target, now):
    """The weekly table: the MAX_WEEKS weeks up to the current one (never past it), from the
    first session's week when that is later.  A session dated after ``now`` (a watch clock
    gone wrong before runcue checked clocks) is left out of it: it is in the session list."""
    last = plan_mod.week_start(now)
    first = max(plan_mod.week_start(min(rows[0]["started_at"], now)), last - (MAX_WEEKS - 1) * 7 * DAY)
    weeks = []
    w = first
    while w <= last:
        inside = [r for r in rows if w <= r["started_at"] < w + 7 * DAY]
        started = len(inside)
        weeks.append({"start": w, "sessions": started,
                      "completed": sum(1 for r in inside if r["status"] == "completed"),
                      "stopped": sum(1 for r in inside if r["status"] == "stopped"),
                      "interrupted": sum(1 for r in inside if r["status"] == "interrupted"),
                      "run_min": sum(run_s.get((r["device_id"], r["seq"]), 0) for r in inside) / 60.0,
                      "target": target, "met": target is not None and started >= target})
        w += 7 * DAY
    return weeks


def adherence(weeks, target, now):
    """How many of the planned sessions were started and how many completed, each week capped
    at the plan's target, over the weeks that are over (and the current one once met).

    Running therapy counts showing up: a session stopped early or cut by a power loss was
    still a run the client went out for, so "started" is the adherence; "completed" (the
    whole program) is told beside it.  None without a plan or before a week has counted.
    """
    counted = [w for w in weeks if w["start"] + 7 * DAY <= now or w["met"]]  # a week still going: once met
    if not target or not counted:
        return None
    return {"weeks": len(counted), "planned": target * len(counted),
            "started": sum(min(w["sessions"], target) for w in counted),
            "completed": sum(min(w["completed"], target) for w in counted)}


def flags(rows, now):
    """[(kind, detail dict)] for one client's sessions (oldest first), most urgent first."""
    out = []
    for r in reversed(rows):
        if r["status"] == "stopped" and r["stop_reason"] in ("pain", "unwell"):
            out.append(("stop_pain", {"at": r["started_at"], "reason": r["stop_reason"], "done_s": r["done_s"],
                                      "planned_s": r["planned_s"]}))
    moods = [r for r in rows if r["mood_after"]]
    both = [r for r in rows if r["mood_after"] and r["mood_before"]][-3:]
    last3 = [r["mood_after"] for r in moods[-3:]]
    falling = len(last3) == 3 and last3[0] >= last3[1] >= last3[2] and last3[2] < last3[0]
    below = sum(1 for r in both if r["mood_after"] < r["mood_before"])
    if falling or below >= 2:
        out.append(("mood", {"after": last3, "below": below, "of": len(both),
                             "at": moods[-1]["started_at"]}))
    starts = [r["started_at"] for r in rows] + ([now] if now > rows[-1]["started_at"] else [])
    for a, b in zip(starts, starts[1:], strict=False):
        if b - a >= GAP_DAYS * DAY:
            out.append(("gap", {"from": a, "to": b, "days": (b - a) // DAY, "open": b == now}))
    approx = [r for r in rows if r["started_approx"]]
    if approx:
        out.append(("approx", {"count": len(approx), "at": approx[-1]["started_at"]}))
    return out


def model(arc, client=None, now=None):
    """What the report shows: [{client, devices, plan, weeks, sessions, flags, adherence}].

    ``adherence``: see :func:`adherence`.  Each session gets its ``program_name``,
    ``run_s`` and ``skipped``: [(segment number from 1, kind)] of the segments the
    client skipped out of.
    """
    now = int(time.time()) if now is None else now
    rows = arc.session_rows(client)
    if not rows:
        raise UserError("report: no sessions in %s%s" % (arc.path, " for client %s" % client if client else ""))
    run_s, skipped = {}, {}
    for g in arc.segment_rows(client):
        key = (g["device_id"], g["seq"])
        if g["kind"] == "run":
            run_s[key] = run_s.get(key, 0) + g["done_ms"] // 1000
        if g["skipped"]:
            skipped.setdefault(key, []).append((g["idx"] + 1, g["kind"]))
    plans = arc.plans()
    out = []
    for code, mine in _by_client(rows):
        plan = _plan_for(mine, plans)
        target = plan[1] if plan else None
        weeks = _weeks(mine, run_s, target, now)
        for r in mine:
            prog = arc.program(r["program_id"])
            r["program_name"] = prog.name if prog else r["program_id"]
            r["run_s"] = run_s.get((r["device_id"], r["seq"]))
            r["skipped"] = skipped.get((r["device_id"], r["seq"]), [])
        out.append({"client": code, "devices": sorted({r["device_id"] for r in mine}), "plan": plan,
                    "weeks": weeks, "sessions": mine, "flags": flags(mine, now),
                    "adherence": adherence(weeks, target, now)})
    return out


def _by_client(rows):
    """[(client code, its rows)] in code order, the sessions without a client (None) last."""
    mine = {}
    for r in rows:
        mine.setdefault(r["client"], []).append(r)
    return [(code, mine[code]) for code in sorted(mine, key=lambda c: (c is None, c or ""))]


def overview(arc, now=None):
    """One line per client for a list of clients, without the segments (it is read often):
    [{client, devices, plan, position, last_session, last_sync, this_week, target, flags}].

    ``position``: (plan week, session index in the plan) of the client's last session, or None;
    ``this_week``: sessions started in the current week (UTC, from Monday), against ``target``
    (the plan's sessions a week, or None); ``flags`` as in the report.
    """
    now = int(time.time()) if now is None else now
    week = plan_mod.week_start(now)
    plans = arc.plans()
    out = []
    for code, mine in _by_client(arc.session_rows()):
        plan = _plan_for(mine, plans)
        last = mine[-1]
        out.append({"client": code, "devices": sorted({r["device_id"] for r in mine}), "plan": plan,
                    "position": (last["plan_week"], last["plan_session"]) if last["plan_week"] is not None
                    else None, "last_session": last["started_at"],
                    "last_sync": max(r["synced_at"] for r in mine),
                    "this_week": sum(1 for r in mine if week <= r["started_at"] < week + 7 * DAY),
                    "target": plan[1] if plan else None, "flags": flags(mine, now)})
    return out


def check_lang(lang):
    """UserError unless the report can be written in ``lang``."""
    if lang not in LANGS:
        raise UserError("report: --lang %s: not one of %s" % (lang, ", ".join(LANGS)))


def render(arc, client=None, lang="en", now=None):
    """The report page as text."""
    from runcue_host.review import html as report_html

    check_lang(lang)
    now = int(time.time()) if now is None else now
    return report_html.page(model(arc, client, now), lang, now)


def write(arc, out, client=None, lang="en", now=None):
    """Write the report to ``out`` (owner-only, whole or not at all); its size in bytes."""
    from runcue_host import private_files

    data = render(arc, client, lang, now).encode("utf-8")
    private_files.write(out, data, ("report --out", "the report"))
    return len(data)
