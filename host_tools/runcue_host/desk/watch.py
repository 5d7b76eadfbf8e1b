"""The watch page: find the watch, read it, assign it, set its clock, push, sync.

Each button posts the one form of the panel; the answer is the panel again, with the
values kept, a field's error beside that field, and the outcome below.  The work is the
command's (``runcue_host.watch``: the link, push, sync); a link error is its message,
which says what to do, and a failed push or sync says that the watch and the archive
are as they were (the push swaps atomically on the watch; the sync stores in one
transaction and frees only what the archive holds).
"""

import time

from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse, StreamingResponse
from starlette.routing import Route

from runcue_host import UserError
from runcue_host.archive import valid_client, watch_label
from runcue_host.desk import lang_of, render, render_text, syncjob, texts
from runcue_host.desk.archive_access import library, open_archive
from runcue_host.wording import clock_offset, count


def _found():
    from runcue_host.watch.link import find_ports

    try:
        return find_ports()
    except OSError:  # no serial ports to list on this system
        return []


def _choices(spec):
    """The programs of the library and the plans (built-in, then the practice's) to push."""
    from runcue_host.desk import plans

    try:
        with open_archive(spec) as arc:
            programs = library(arc)
    except UserError:
        programs = []
    return programs, plans.plan_refs(spec)


async def watch_page(request):
    found = await run_in_threadpool(_found)
    programs, plan_refs = await run_in_threadpool(_choices, request.app.state.desk.archive)
    values = {"port": request.query_params.get("port") or (found[0] if len(found) == 1 else ""),
              "plan": request.query_params.get("plan", ""), "at": request.query_params.get("at", "")}
    return render(request, "watch.html", found=found, v=values, errors={}, outcome=None, programs=programs,
                  plan_refs=plan_refs)


def _offset(clock, now):
    from runcue_host.watch.link import clock_offset_s

    return clock_offset_s(clock, now)


def _info_rows(data, t):
    """(label, text) rows of ``device info``; the watch is not trusted: every value is text."""
    rows = [(t["device"], "%s (%s)" % (watch_label(data["device_id"]), data["device_id"])),
            (t["client"], data["client"] or t["none_assigned"]),
            (t["firmware"], str(data["firmware"]))]
    off = _offset(data["clock"], int(time.time()))
    rows.append((t["clock"], t["clock_unset"] if off is None else "%s UTC (%s)" % (
        time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(data["clock"])), clock_offset(off))))
    flash = t["flash_text"] % {"log": data["log_bytes"] // 1024, "free": data["free_bytes"] // 1024,
                               "all": data["flash_bytes"] // 1024}
    rows.append((t["flash"], flash + ("  " + t["logging_off"] if data["logging_off"] else "")))
    rows.append((t["unsynced"], str(data["unsynced"])))
    prog = data.get("program") if isinstance(data.get("program"), dict) else {}
    if prog.get("error"):
        rows.append((str(prog.get("kind")), t["refused_by_watch"] % prog["error"]))
    elif prog.get("kind") == "plan":
        pos = prog.get("pos")
        rows.append((t["plan"], t["plan_on_watch"] % {
            "name": prog.get("name"), "pos": pos + 1 if type(pos) is int else "?", "n": prog.get("sessions"),
            "next": prog.get("next") or "–", "week": prog.get("week")}))
    elif prog.get("kind") == "program":
        rows.append((t["program"], "%s (%s)" % (prog.get("name"), prog.get("id"))))
    return rows


def _repeat_weeks(data):
    """(plan id, [weeks]) the therapist may send the client back to, from the plan in force."""
    prog = data.get("program") if isinstance(data.get("program"), dict) else {}
    week = prog.get("week")
    if prog.get("kind") != "plan" or type(week) is not int or not isinstance(prog.get("id"), str):
        return None
    return prog["id"], [w for w in (week - 1, week) if w >= 1]


def _info(port, t):
    from runcue_host.watch.link import Watch

    with Watch(port) as w:
        data = w.info()
    return {"rows": _info_rows(data, t), "repeat": _repeat_weeks(data)}


def _set_clock(port, t):
    from runcue_host.watch.link import Watch

    with Watch(port) as w:
        off = _offset(w.info()["clock"], int(time.time()))
        w.call("set_time", int(time.time()))
    return {"message": t["clock_was_set"] % (t["unset"] if off is None else clock_offset(off))}


def _assign(port, client, t):
    from runcue_host.watch.link import Watch

    with Watch(port) as w:
        w.call("assign", client)
    return {"message": t["assigned"] % client}


def _push_program(port, spec, pid, t):
    from runcue_host.watch.push import push

    with open_archive(spec) as arc:
        prog = arc.program(pid)
    if prog is None:
        raise UserError("no program %s in the library" % pid)
    push("program", prog, port, spec)
    return {"message": t["pushed_program"] % {"name": prog.name, "id": prog.id()}}


def _push_plan(port, spec, pf, args, t):
    from runcue_host.authoring import plan_file
    from runcue_host.watch.push import push

    reply = push("plan", pf.plan, port, spec, *args)
    pos = reply.get("pos")
    n = len(pf.plan.sessions)
    nxt = plan_file.place_text(pf.plan, pos) if type(pos) is int and 0 <= pos < n else t["plan_done"]
    return {"message": t["pushed_plan"] % {"name": pf.plan.name, "id": pf.plan.id(), "next": nxt}}


async def action(request):
    """POST /watch/<action>: one thing done on the watch; the panel again with its outcome."""
    from runcue_host.desk import plans

    name = request.path_params["action"]
    if name not in ACTIONS:
        return PlainTextResponse("no such action", status_code=404)
    desk = request.app.state.desk
    t = texts.TEXTS[lang_of(request)]
    form = await request.form()
    v = {k: str(form.get(k) or "").strip() for k in ("port", "client", "program", "plan", "at")}
    errors = {}
    if not v["port"]:
        errors["port"] = t["found_none"] if not await run_in_threadpool(_found) else t["field_required"]
    work = None
    if name == "assign":
        if not valid_client(v["client"]):
            errors["client"] = t["bad_client"] % (v["client"] or '""')
        work = lambda: _assign(v["port"], v["client"], t)  # noqa: E731
    elif name == "push-program":
        if not v["program"]:
            errors["program"] = t["field_required"]
        work = lambda: _push_program(v["port"], desk.archive, v["program"], t)  # noqa: E731
    elif name == "push-plan":
        pf = args = None
        try:
            pf = await run_in_threadpool(plans.find, desk.archive, v["plan"])
        except UserError as e:
            errors["plan"] = str(e)
        if pf is not None and v["at"]:
            from runcue_host.authoring import plan_file

            try:
                args = (plan_file.place(pf, v["at"]),)  # checked before the watch is touched
            except UserError as e:
                errors["at"] = str(e)
        work = lambda: _push_plan(v["port"], desk.archive, pf, args or (), t)  # noqa: E731
    elif name == "info":
        work = lambda: _info(v["port"], t)  # noqa: E731
    elif name == "set-clock":
        work = lambda: _set_clock(v["port"], t)  # noqa: E731
    outcome = None
    if not errors and name == "sync":
        job = syncjob.start(desk, v["port"], desk.archive)
        outcome = {"job": job.id}
    elif not errors and work is not None:
        try:
            outcome = await run_in_threadpool(work)
        except UserError as e:
            outcome = {"error": str(e), "unchanged": t["unchanged"]}
    found = await run_in_threadpool(_found)
    programs, plan_refs = await run_in_threadpool(_choices, desk.archive)
    return render(request, "watch_panel.html", found=found, v=v, errors=errors, outcome=outcome, programs=programs,
                  plan_refs=plan_refs, action=name)


def _progress_html(request, t):
    def html(got, sessions, total):
        size = "%d KB" % (got // 1024) if got >= 1024 else count(got, "byte", "bytes")
        return render_text(request, "sync_progress.html", got=got, total=total, read=t["read_so_far"] % {
            "bytes": size, "sessions": count(sessions, t["session"], t["sessions"])})
    return html


def _done_html(request, t):
    def html(job):
        r = job.result
        text = None
        if r is not None:
            stored = r["stored"]
            text = t["synced"] % {"watch": watch_label(r["device"]), "client": r["client"] or t["none"],
                                  "new": count(stored["new"], t["new_session"], t["new_sessions"]),
                                  "dup": stored["duplicate"]}
        return render_text(request, "sync_done.html", job=job, text=text, notes=r["notes"] if r else [])
    return html


async def sync_events(request):
    """GET /watch/sync/<job>: the job's progress as server-sent events."""
    job = request.app.state.desk.jobs.get(request.path_params["job"])
    if job is None:
        return PlainTextResponse("no such sync", status_code=404)
    t = texts.TEXTS[lang_of(request)]
    return StreamingResponse(syncjob.stream(job, request, _progress_html(request, t), _done_html(request, t)),
                             media_type="text/event-stream", headers={"X-Accel-Buffering": "no"})


ACTIONS = ("info", "set-clock", "assign", "push-program", "push-plan", "sync")
ROUTES = [
    Route("/watch", watch_page),
    Route("/watch/sync/{job}", sync_events),
    Route("/watch/{action}", action, methods=["POST"]),
]
