"""The plans page: the built-in plans and the practice's own, week by week, and where to put a client.

A plan is named in a form as ``builtin:<name>`` or ``id:<plan id>`` (one the archive keeps:
added here from a plan file, or pushed).  The week view and the places (``W3S1``) are
``runcue_host.authoring.plan_file``'s; putting the client at a week, or back to repeat one,
is ``plan push --at`` from the watch page.
"""

from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from runcue_host import UserError
from runcue_host.desk import lang_of, render
from runcue_host.desk.archive_access import open_archive, stored_plans


def _builtins():
    from runcue_host.authoring import plan_file

    return [(name, plan_file.load_builtin(name)) for name in plan_file.builtin_names()]


def _own(spec):
    """The archive's plans that are not built-in ones, as PlanFiles."""
    from runcue_host.authoring import plan_file

    builtin_ids = {pf.plan.id() for _name, pf in _builtins()}
    try:
        with open_archive(spec) as arc:
            kept = stored_plans(arc)
    except UserError:
        return []
    return [plan_file.PlanFile(p, "", None, [""] * len(p.sessions), "the practice's plan %s" % p.name, "the archive")
            for p in kept if p.id() not in builtin_ids]


def plan_refs(spec):
    """[(ref, label)] of every plan the desk can push."""
    refs = [("builtin:" + name, "%s (built-in)" % pf.plan.name) for name, pf in _builtins()]
    return refs + [("id:" + pf.plan.id(), "%s (%s)" % (pf.plan.name, pf.plan.id())) for pf in _own(spec)]


def find(spec, ref):
    """The PlanFile a ref names; UserError when there is none."""
    from runcue_host.authoring import plan_file

    kind, _, key = (ref or "").partition(":")
    if kind == "builtin":
        return plan_file.load_builtin(key)
    if kind == "id":
        for name, pf in _builtins():
            if pf.plan.id() == key:
                return plan_file.load_builtin(name)
        for pf in _own(spec):
            if pf.plan.id() == key:
                return pf
    raise UserError("choose a plan (built-in, or one of the practice's)")


def week_view(pf, lang):
    """[{"week", "sessions": [{"place", "name", "shorthand", "minutes"}]}] of a plan, week by week."""
    from runcue_host.authoring import plan_file, shorthand

    weeks = []
    for pos, (week, prog) in enumerate(pf.plan.sessions):
        if not weeks or weeks[-1]["week"] != week:
            weeks.append({"week": week, "sessions": []})
        try:
            written = shorthand.format_shorthand(prog.items, prog.lang)
        except ValueError:  # not whole seconds
            written = ""
        weeks[-1]["sessions"].append({"place": plan_file.place_text(pf.plan, pos), "name": prog.name,
                                      "shorthand": written, "minutes": round(prog.total_ms / 60000)})
    return weeks


async def plans_page(request, added=None, error=None):
    spec = request.app.state.desk.archive
    builtins = await run_in_threadpool(_builtins)
    own = await run_in_threadpool(_own, spec)
    return render(request, "plans.html", builtins=builtins, own=own, added=added, add_error=error)


async def plan_page(request):
    from runcue_host.authoring import plan_file

    ref = request.path_params["ref"]
    try:
        pf = await run_in_threadpool(find, request.app.state.desk.archive, ref)
    except UserError:
        return PlainTextResponse("no such plan", status_code=404)
    return render(request, "plan.html", pf=pf, ref=ref, weeks=week_view(pf, lang_of(request)),
                  summary=plan_file.summary(pf))


async def add_plan(request):
    """POST /plans/add: a plan file into the practice's plans (the archive), checked as ``plan check``."""
    from runcue_host.authoring import plan_file
    from runcue_host.authoring.toml_doc import MAX_FILE_BYTES

    form = await request.form()
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return await plans_page(request, error="choose a .toml plan file")
    data = await upload.read(MAX_FILE_BYTES + 1)
    name = upload.filename.rsplit("/", 1)[-1]
    if len(data) > MAX_FILE_BYTES:
        return await plans_page(request, error="%s: larger than %d KiB: is this really a plan file?"
                                % (name, MAX_FILE_BYTES // 1024))
    stem = name[:-len(".toml")] if name.lower().endswith(".toml") else name
    try:
        pf = plan_file.loads_plan(data, name, stem[:40] or None)
        await run_in_threadpool(_keep, request.app.state.desk.archive, pf)
    except UserError as e:
        return await plans_page(request, error=str(e))
    return await plans_page(request, added=pf.plan.name)


def _keep(spec, pf):
    with open_archive(spec, write=True) as arc:
        arc.add_plan(pf.plan.to_json())


ROUTES = [
    Route("/plans", plans_page),
    Route("/plans/add", add_plan, methods=["POST"]),
    Route("/plans/{ref}", plan_page),
]
