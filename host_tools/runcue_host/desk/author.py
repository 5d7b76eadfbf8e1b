"""Authoring a program in the desk: checked as it is typed, heard, saved to the library.

The check is ``program check``'s (``runcue_host.authoring``): the same program, totals
and error message; the desk adds only where the message points (the column or line it
names is marked in the text).  The cues are ``program preview --wav --compress-silence``.
Saved programs go into the archive's programs (the practice's library), where the watch
page finds them to push.
"""

import os
import re
import tempfile

from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from runcue import program
from runcue_host import UserError
from runcue_host.desk import lang_of, render
from runcue_host.desk.archive_access import library, open_archive

FORMATS = ("shorthand", "toml")
_PLACE = re.compile(r"\b(?:line (\d+), )?column (\d+)\b")
_LINE = re.compile(r"\bline (\d+)\b")


def _form_values(form):
    text = str(form.get("spec") or "")
    fmt = form.get("format") if form.get("format") in FORMATS else "shorthand"
    name = str(form.get("name") or "").strip() or None
    lang = form.get("lang") if form.get("lang") in ("en", "nl") else None
    return text, fmt, name, lang


def compile_program(text, fmt, name, lang):
    """The :class:`~runcue_host.authoring.shorthand.Authored` program, as ``program check`` makes it."""
    from runcue_host.authoring import program_file, shorthand

    if fmt == "toml":
        return program_file.toml_program(text.encode("utf-8", "surrogatepass"), "program.toml", name, lang)
    return shorthand.shorthand_program(text, name, lang)


def error_place(text, message):
    """(before, marked, after) of ``text`` around the place an error message names (a column, a
    line and column, or a line), or None when it names none."""
    m = _PLACE.search(message)
    lines = text.split("\n")
    if m:
        line = int(m.group(1) or 1)
        col = int(m.group(2))
        if line > len(lines):
            return None
        start = sum(len(x) + 1 for x in lines[:line - 1]) + col - 1
        end = min(start + 1, len(text))
        if start >= len(text):  # at the end: something is missing there
            return text, " ", ""
        return text[:start], text[start:end], text[end:]
    m = _LINE.search(message)
    if m and 1 <= int(m.group(1)) <= len(lines):
        n = int(m.group(1))
        start = sum(len(x) + 1 for x in lines[:n - 1])
        return text[:start], lines[n - 1] or " ", text[start + len(lines[n - 1]):]
    return None


def check_result(text, fmt, name, lang, page_lang):
    """What the check shows: {"ok", ...totals and timeline} or {"error", "place"}."""
    from runcue_host import timetext
    from runcue_host.authoring import preview, program_file

    if not text.strip():
        return {"empty": True}
    try:
        written = compile_program(text, fmt, name, lang)
    except UserError as e:
        return {"error": str(e), "place": error_place(text, str(e))}
    prog = written.program
    info = program_file.summary(prog)
    _grid, totals = preview.table(prog, page_lang)
    rows = [{"n": i, "kind": preview.kind_text(kind, page_lang), "run": kind == program.RUN, "round": "%d/%d" % (r, n)
             if n else "", "start": timetext.clock(start, page_lang), "dur": timetext.clock(dur, page_lang)}
            for i, kind, r, n, start, dur in preview.timeline(prog)]
    return {"ok": True, "info": info, "totals": totals, "timeline": rows, "lang_from": written.lang_from,
            "program": prog}


async def author_page(request):
    from starlette.concurrency import run_in_threadpool

    programs = await run_in_threadpool(_library, request.app.state.desk.archive)
    return render(request, "author.html", text="", fmt="shorthand", name="", chosen_lang="", programs=programs,
                  open_error=None)


def _library(spec):
    try:
        with open_archive(spec) as arc:
            return library(arc)
    except UserError:
        return []


async def check(request):
    """POST /author/check (as the therapist types): the check's fragment."""
    text, fmt, name, lang = _form_values(await request.form())
    result = check_result(text, fmt, name, lang, lang_of(request))
    return render(request, "author_check.html", r=result, query=_query(text, fmt, name, lang))


def _query(text, fmt, name, lang):
    from urllib.parse import urlencode

    return urlencode({"spec": text, "format": fmt, "name": name or "", "lang": lang or ""})


async def open_file(request):
    """POST /author/open: a TOML program file from the therapist's disk into the editor."""
    from starlette.concurrency import run_in_threadpool

    from runcue_host.authoring.toml_doc import MAX_FILE_BYTES

    form = await request.form()
    upload = form.get("file")
    programs = await run_in_threadpool(_library, request.app.state.desk.archive)
    text, error = "", None
    if upload is None or isinstance(upload, str) or not upload.filename:
        error = "choose a .toml program file"
    else:
        data = await upload.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            error = "%s: larger than %d KiB: is this really a program file?" % (upload.filename,
                                                                               MAX_FILE_BYTES // 1024)
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                error = "%s: not UTF-8 text: is this really a program file?" % upload.filename
    return render(request, "author.html", text=text, fmt="toml" if text else "shorthand", name="",
                  chosen_lang="", programs=programs, open_error=error)


async def preview_wav(request):
    """GET /author/preview.wav?spec=...: the cues as ``program preview --wav --compress-silence``."""
    from starlette.concurrency import run_in_threadpool

    text, fmt, name, lang = _form_values(request.query_params)
    try:
        data = await run_in_threadpool(_wav, text, fmt, name, lang)
    except UserError as e:
        return PlainTextResponse(str(e), status_code=400)
    return Response(data, media_type="audio/wav")


def _wav(text, fmt, name, lang):
    from runcue_host.authoring import preview

    prog = compile_program(text, fmt, name, lang).program
    with tempfile.TemporaryDirectory(prefix="runcue-desk-") as tmp:
        path = os.path.join(tmp, "preview.wav")
        preview.write_wav(path, preview.play(prog), compress_silence=True)
        with open(path, "rb") as f:
            return f.read()


async def save(request):
    """POST /author/save: the checked program into the practice's library (the archive)."""
    from starlette.concurrency import run_in_threadpool

    text, fmt, name, lang = _form_values(await request.form())
    result = check_result(text, fmt, name, lang, lang_of(request))
    saved = None
    if result.get("ok"):
        try:
            saved = await run_in_threadpool(_save, request.app.state.desk.archive, result["program"])
        except UserError as e:
            result = {"error": str(e), "place": None}
    programs = await run_in_threadpool(_library, request.app.state.desk.archive)
    return render(request, "author_check.html", r=result, query=_query(text, fmt, name, lang), saved=saved,
                  programs=programs, oob=True)


def _save(spec, prog):
    with open_archive(spec, write=True) as arc:
        arc.add_program(prog.to_json())
    return prog


ROUTES = [
    Route("/author", author_page),
    Route("/author/check", check, methods=["POST"]),
    Route("/author/open", open_file, methods=["POST"]),
    Route("/author/save", save, methods=["POST"]),
    Route("/author/preview.wav", preview_wav),
]
