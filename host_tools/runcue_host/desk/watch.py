"""The watch page: find the watch, read it, assign it, set its clock, push, sync.

Each button posts the one form of the panel; the answer is the panel again, with the
values kept, a field's error beside that field, and the outcome below.  The work is the
command's (``runcue_host.watch``: the link, push, sync); a link error is its message,
which says what to do, and a failed push or sync says that the watch and the archive
are as they were (the push swaps atomically on the watch; the sync stores in one
transaction and frees only what the archive holds).
"""


from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse, StreamingResponse
from starlette.routing import Route

from runcue_host import UserError
from runcue_host.archive import valid_client, watch_label
from runcue_host.desk import lang_of, render, render_text, syncjob, texts
from runcue_host.desk.archive_access import library, open_archive
from runcue_host.timetext import SECOND, clock_offset, utc
from runcue_host.wording import count


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


def _info_rows(data, t):
    """(label, text) rows of ``device info``; the watch is not trusted: every value is text."""
    rows = [(t["device"], "%s (%s)" % (watch_label(data["device_id"]), data["device_id"])),
            (t["client"], data["client"] or t["none_assigned"]),
            (t["firmware"], str(data["firmware"]))]
    off = data["clock_offset_s"]
    rows.append((t["clock"], t["clock_unset"] if off is None else "%s UTC (%s)" % (
        utc(data["clock"], SECOND), clock_offset(off))))
    flash = t["flash_text"] % {"log": data["log_bytes"] // 1024, "free": data["free_bytes"] // 1024,
                               "all": data["flash_bytes"] // 1024}
    rows.append((t["flash"], flash + ("  " + t["logging_off"] if data["logging_off"] else "")))
    rows.append((t["unsynced"], str(data["unsynced"])))
    crash = data.get("crash")
    if isinstance(crash, dict) and isinstance(crash.get("n"), int):  # the watch is not trusted: text only
        rows.append((t["crashes"], t["crash_text"] % {"n": crash["n"], "what": str(crash.get("what"))[:40],
                                                        "where": str(crash.get("where") or "?")[:40]}))
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
    from runcue_host.watch import device

    data = device.info(port)
    return {"rows": _info_rows(data, t), "repeat": _repeat_weeks(data)}


def _set_clock(port, t):
    from runcue_host.watch import device

    off = device.set_clock(port)
    return {"message": t["clock_was_set"] % (t["unset"] if off is None else clock_offset(off))}


def _assign(port, client, t):
    from runcue_host.watch import device

    device.assign(client, port)
    return {"message": t["assigned"] % client}


def _push_program(port, spec, pid, t):
    from runcue_host.watch import push

    with open_archive(spec) as arc:
        prog = arc.program(pid)
    if prog is None:
        raise UserError("no program %s in the library" % pid)
    done = push.push_program(prog, port, spec)
    return {"message": t["pushed_program"] % done}


def _push_plan(port, spec, pf, at, t):
    from runcue_host.watch import push

    done = push.push_plan(pf, port, spec, at=at)
    return {"message": t["pushed_plan"] % {"name": done["name"], "id": done["id"],
                                           "next": done["place"] or t["plan_done"]}}


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
        pf = None
        try:
            pf = await run_in_threadpool(plans.find, desk.archive, v["plan"])
        except UserError as e:
            errors["plan"] = str(e)
        if pf is not None and v["at"]:
            from runcue_host.authoring import plan_file

            try:
                plan_file.place(pf, v["at"])  # the push checks it too: here its error goes beside its field
            except UserError as e:
                errors["at"] = str(e)
        work = lambda: _push_plan(v["port"], desk.archive, pf, v["at"] or None, t)  # noqa: E731
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
