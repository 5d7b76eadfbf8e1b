"""Pushing a program or plan to the watch: the watch checks it again, then swaps atomically.

The archive keeps a copy of what was pushed, so synced sessions can show what was planned.
``push_plan(..., at="W3S1")`` places the client in the plan (week 3, session 1); on the plan
in force it moves them, also back: "repeat week 2" is ``at="W2"``.  Without ``at`` a new
plan starts at its first session and the same plan again keeps the client's place.
The ``program push`` and ``plan push`` commands and the desk call these; they print nothing.

A plan goes session by session, then its index (the commit point): the steps are the core's
(``runcue.plan.Plan.push_steps``) and every reply is checked against what was sent, so a watch
that stored something else stops the push before the index goes: the plan in force stays whole.
"""

from runcue_host.archive import Archive
from runcue_host.authoring import plan_file as plans


def _push(kind, obj, port, archive, *args):
    """Send a program or plan; the watch checks it, stores it atomically and says what it holds."""
    from runcue_host.watch.link import LinkError, Watch  # mpremote loads only when a watch is talked to

    text = obj.to_json()
    with Watch(port) as w:  # a plan goes session by session, its index last (send_plan)
        reply = send_plan(w, obj, *args) if kind == "plan" else w.put("put_program", text.encode())
    if reply.get("id") != obj.id():
        raise LinkError("%s push: the watch stored %s %r, not %s" % (kind, kind, reply.get("id"), obj.id()))
    with Archive(archive) as arc:
        (arc.add_plan if kind == "plan" else arc.add_program)(text)
    return reply


def push_program(prog, port=None, archive=None):
    """Send ``prog`` (a ``runcue.program.Program``); it replaces the program or plan in force.
    Returns {"kind": "program", "id", "name", "lang"}."""
    _push("program", prog, port, archive)
    return {"kind": "program", "id": prog.id(), "name": prog.name, "lang": prog.lang}


def push_plan(pf, port=None, archive=None, at=None, on_warning=None):
    """Send the plan file ``pf`` (``plan_file.resolve``); ``at`` (``W3S1``) is checked before the
    watch is touched, and ``on_warning(line)`` hears of each week with fewer or more sessions
    than per_week first.  Returns {"kind": "plan", "id", "name", "lang", "sessions", "pos",
    "place", "done"}: ``pos`` the index of the client's next session (None: the watch did not
    say), ``place`` it as ``W3S1`` (None past the end), ``done`` whether the plan is finished."""
    args = () if at is None else (plans.place(pf, at),)
    for line in plans.week_warnings(pf):
        if on_warning:
            on_warning(line)
    plan = pf.plan
    reply = _push("plan", plan, port, archive, *args)
    n = len(plan.sessions)
    pos = reply.get("pos") if type(reply.get("pos")) is int else None
    return {"kind": "plan", "id": plan.id(), "name": plan.name, "lang": plan.lang, "sessions": n, "pos": pos,
            "place": plans.place_text(plan, pos) if pos is not None and 0 <= pos < n else None,
            "done": pos is not None and pos >= n}


def send_plan(watch, plan, *args):
    """Send ``plan`` (a checked Plan) to the open ``watch``; the watch's reply to its index.
    ``args``: the place to put the client (see ``syncsvc.put_plan``)."""
    from runcue_host.watch.link import LinkError, expect, in_range

    steps = list(plan.push_steps())
    for n, (name, data, extra) in enumerate(steps[:-1]):
        reply = watch.put(name, data, *extra)
        expect(reply, {"id": str, "offset": int, "bytes": int}, name)
        in_range(reply, "offset", extra[0], extra[0], name)
        in_range(reply, "bytes", len(data), len(data), name)
        want = plan.sessions[n][1].id()
        if reply["id"] != want:
            raise LinkError("%s: the watch stored session %d as program %r, not %s: the plan in force is "
                            "unchanged; push again" % (name, n + 1, reply["id"][:20], want))
    name, data, _ = steps[-1]
    return watch.put(name, data, *args)
