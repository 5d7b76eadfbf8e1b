"""The client list and a client's page: the report's model, rules and sections, in the desk.

The list is ``report.overview`` (the page therapists open most: it reads no segments); a
client's page is the report's own section for that client (its charts and tables: the
sessions with their check-ins, skipped segments and stop reasons) under the report's
flags; the exports are ``runcue export``'s files, zipped for the download.
"""

import io
import tempfile
import time
import zipfile
from pathlib import Path

from starlette.responses import PlainTextResponse, Response

from runcue_host import UserError
from runcue_host.archive import valid_client, watch_label
from runcue_host.desk import lang_of, render, trusted
from runcue_host.desk.archive_access import open_archive


def _href(code):
    return "/clients/%s" % code if code else "/unassigned"


async def client_list(request):
    from starlette.concurrency import run_in_threadpool

    rows, error = await run_in_threadpool(_overview, request.app.state.desk.archive)
    return render(request, "clients.html", rows=rows, error=error)


def _overview(spec):
    """(rows for the template, or [], and an archive error's text or None)."""
    from runcue_host.review import report

    try:
        with open_archive(spec) as arc:
            rows = report.overview(arc)
    except UserError as e:
        return [], str(e)
    for r in rows:
        r["href"] = _href(r["client"])
        r["watches"] = ", ".join(watch_label(d) for d in r["devices"])
        r["flag_kinds"] = sorted({kind for kind, _ in r["flags"]}, key=[k for k, _ in r["flags"]].index)
    return rows, None


def _client_code(request):
    """The client of the URL (None: the sessions without a client); UserError for a bad code."""
    code = request.path_params.get("code")
    if code is not None and not valid_client(code):
        raise UserError("not a client code")
    return code


def _model(arc, code, now):
    """The report's model of one client, or None when the archive holds no session of theirs."""
    from runcue_host.review import report

    if code is not None and code not in arc.clients():
        return None
    try:
        models = report.model(arc, code, now)
    except UserError:  # no sessions
        return None
    mine = [c for c in models if c["client"] == code]
    return mine[0] if mine else None


async def client_page(request):
    from starlette.concurrency import run_in_threadpool

    try:
        code = _client_code(request)
    except UserError:
        return PlainTextResponse("no such client", status_code=404)
    lang = lang_of(request)
    page = await run_in_threadpool(_client_parts, request.app.state.desk.archive, code, lang)
    if page is None:
        return PlainTextResponse("no such client", status_code=404)
    flags, section = page
    return render(request, "client.html", code=code, base=_href(code), flags=flags, section=trusted(section))


def _client_parts(spec, code, lang):
    from runcue_host.review import html as report_html

    now = int(time.time())
    with open_archive(spec) as arc:
        c = _model(arc, code, now)
        if c is None:
            return None
        t = report_html.TEXTS[lang]
        flags = [(kind, report_html.flag_text(kind, d, t)) for kind, d in c["flags"]]
        return flags, report_html.client_section(c, t, 0, now, lang)


async def export(request):
    """The client's sessions as ``runcue export csv|fit`` writes them, in one zip file."""
    from starlette.concurrency import run_in_threadpool

    from runcue_host.review import export as export_mod

    fmt = request.path_params["fmt"]
    try:
        code = _client_code(request)
    except UserError:
        return PlainTextResponse("no such client", status_code=404)
    if fmt not in export_mod.FORMATS:
        return PlainTextResponse("unknown format", status_code=404)
    data = await run_in_threadpool(_export_zip, request.app.state.desk.archive, code, fmt)
    if data is None:
        return PlainTextResponse("no such client", status_code=404)
    name = "runcue-%s-%s.zip" % (code or "unassigned", fmt)
    return Response(data, media_type="application/zip",
                    headers={"Content-Disposition": 'attachment; filename="%s"' % name})


def _export_zip(spec, code, fmt):
    from runcue_host.review import export as export_mod

    with open_archive(spec) as arc, tempfile.TemporaryDirectory(prefix="runcue-desk-") as tmp:
        if code is not None and code not in arc.clients():
            return None
        out = Path(tmp) / "export"
        paths = export_mod.export(arc, fmt, code, out, [])
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for p in paths:
                z.write(p, Path(p).name)
        return buf.getvalue()
