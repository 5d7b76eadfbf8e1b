"""The therapist's desk: a local web app over the same code as the ``runcue`` command.

``runcue desk`` serves it on 127.0.0.1 only (``serve``); the pages are server-rendered
Jinja2 templates (autoescape on: nothing from the archive, a watch or a form is ever
markup) with htmx for the live parts, all from the package's own static files, so the
page asks nothing of anyone but the desk itself.  The desk adds no rule of its own: the
client list and a client's page are the report's (``runcue_host.review``), the author
page is ``program check`` and ``program preview`` (``runcue_host.authoring``), the watch
page is the link, push and sync (``runcue_host.watch``), and every archive is opened by
the one function the command uses.

Who may talk to it (``guard``): the browser that opened the one-time URL, by an HttpOnly
SameSite=Strict cookie; every change is a POST carrying the CSRF token; the Host header
must be the desk's own.  The modules: ``guard`` (those checks), ``serve`` (the address,
uvicorn, Ctrl-C), ``texts`` (English and Dutch), ``clients``, ``author``, ``plans`` and
``watch`` (the pages), ``syncjob`` (a sync in the background, streamed as it goes), ``archive_access``
(the archive, opened as the command opens it).
"""

import secrets

from jinja2 import Environment, PackageLoader
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from runcue_host.desk import texts

LANG_COOKIE = "runcue_desk_lang"
LANG_MAX_AGE_S = 365 * 86400  # the therapist's choice of language outlives one desk


class Desk:
    """What one running desk holds: the archive it opens, its port and its secrets."""

    def __init__(self, archive, port):
        self.archive = archive  # a path or URL, opened by archive_access.open_archive
        self.port = port
        self.token = secrets.token_urlsafe(32)  # in the printed URL, good once
        self.session = secrets.token_urlsafe(32)  # the cookie the token becomes
        self.csrf = secrets.token_urlsafe(32)  # every POST carries it
        self.token_used = False
        self.jobs = {}  # sync jobs by id (``syncjob``)

    @property
    def cookie(self):
        return "runcue_desk_%d" % self.port  # one per port: two desks do not log each other out

    @property
    def origins(self):
        return ("http://127.0.0.1:%d" % self.port, "http://localhost:%d" % self.port)

    def url(self):
        return "http://127.0.0.1:%d/?token=%s" % (self.port, self.token)


_env = Environment(loader=PackageLoader("runcue_host.desk", "templates"), autoescape=True,
                   trim_blocks=True, lstrip_blocks=True)


def lang_of(request):
    """The page language: the therapist's remembered choice, else the browser's, else English."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in texts.LANGS:
        return chosen
    accept = request.headers.get("accept-language", "").lower()
    return "nl" if accept.startswith("nl") else "en"


def render_text(request, template, **context):
    """A template as text, with the texts of the page language and the desk's CSRF token."""
    desk = request.app.state.desk
    lang = lang_of(request)
    context.update(t=texts.TEXTS[lang], lang=lang, csrf=desk.csrf, path=request.url.path)
    return _env.get_template(template).render(**context)


def render(request, template, status_code=200, **context):
    """A template as a response (see :func:`render_text`)."""
    return HTMLResponse(render_text(request, template, **context), status_code=status_code)


def trusted(html):
    """Markup that runcue itself built and escaped (the report's sections): inserted as it is."""
    return Markup(html)


def _date(unix):
    from runcue_host.timetext import utc

    return utc(unix) if unix else "–"


_env.filters["utc"] = _date


def create_app(desk):
    """The ASGI app of ``desk``: the pages behind the guard."""
    from runcue_host.desk import author, clients, guard, plans, watch

    routes = [
        Route("/", clients.client_list),
        Route("/clients/{code}", clients.client_page),
        Route("/unassigned", clients.client_page),
        Route("/clients/{code}/export.{fmt}", clients.export),
        Route("/lang", guard.set_lang, methods=["POST"]),
        Route("/favicon.ico", lambda request: Response(status_code=204)),  # none: the browser asks anyway
        *author.ROUTES, *plans.ROUTES, *watch.ROUTES,
        Mount("/static", StaticFiles(packages=[("runcue_host.desk", "static")]), name="static"),
    ]
    from runcue_host.review import report  # noqa: F401 - loaded now, not by the first page

    for name in _env.list_templates():  # compiled now: the first page answers as fast as the next
        _env.get_template(name)
    app = Starlette(routes=routes)
    app.state.desk = desk
    return guard.Guard(app, desk)
