"""Who may talk to the desk, checked before any page runs.

The desk holds health data and drives the watch, and a browser runs pages of every
site, so a request is served only when all of these hold:

* its Host header is the desk's own (``127.0.0.1:PORT`` or ``localhost:PORT``): a site
  that re-points its name at 127.0.0.1 (DNS rebinding) is refused (403);
* it carries the desk's session cookie, or it is the first use of the one-time token
  from the printed URL, which sets that cookie (HttpOnly, SameSite=Strict) and sends the
  browser on without the token in its address; no credentials: 401, wrong ones or the
  token a second time: 403;
* a POST (every change is one) carries the CSRF token in ``X-CSRF-Token`` (htmx sends
  it from the page's ``hx-headers``), is not ``Sec-Fetch-Site: cross-site`` and, when it
  says its Origin, comes from the desk's; other methods than GET/HEAD/POST: 405.

Every answer says: no caching, no referrer, no framing, and a Content-Security-Policy
that lets the page load scripts only from the desk itself.
"""

import hmac
import urllib.parse

from starlette.responses import PlainTextResponse, RedirectResponse, Response

from runcue_host.desk import LANG_COOKIE, LANG_MAX_AGE_S, texts

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "media-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; "
       "object-src 'none'")
HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY"),
           (b"cache-control", b"no-store"), (b"cross-origin-opener-policy", b"same-origin"),
           (b"cross-origin-resource-policy", b"same-origin")]


def _same(a, b):
    return hmac.compare_digest(a.encode(), b.encode())


class Guard:
    """ASGI middleware around the desk's app: the checks of this module, then the app."""

    def __init__(self, app, desk):
        self.app = app
        self.desk = desk

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":  # lifespan: not used
            return await self.app(scope, receive, send)

        async def secured(message):
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + HEADERS
            await send(message)

        refusal = self._refusal(scope)
        if refusal is not None:
            return await refusal(scope, receive, secured)
        return await self.app(scope, receive, secured)

    def _refusal(self, scope):
        """The response that refuses this request, or None when it may go on."""
        desk = self.desk
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        if host not in ("127.0.0.1:%d" % desk.port, "localhost:%d" % desk.port):
            return _refuse(403, "wrong Host %r: the desk answers only as 127.0.0.1:%d" % (host[:60], desk.port))
        method = scope["method"]
        if method not in ("GET", "HEAD", "POST"):
            return _refuse(405, "method not allowed")
        cookies = _cookies(headers.get("cookie", ""))
        query = urllib.parse.parse_qs(scope.get("query_string", b"").decode("latin-1"))
        token = query.get("token", [None])[0]
        if token is not None and method == "GET":
            return self._exchange(token, scope["path"])
        session = cookies.get(desk.cookie)
        if session is None:
            return _refuse(401, "not signed in: open the address `runcue desk` printed")
        if not _same(session, desk.session):
            return _refuse(403, "this session is not the desk's: open the address `runcue desk` printed")
        if method == "POST":
            if headers.get("sec-fetch-site") == "cross-site":
                return _refuse(403, "a request from another site is refused")
            origin = headers.get("origin")
            if origin is not None and origin not in desk.origins:
                return _refuse(403, "a request from another site (%s) is refused" % origin[:60])
            if not _same(headers.get("x-csrf-token", ""), desk.csrf):
                return _refuse(403, "missing or wrong CSRF token: reload the page and try again")
        return None

    def _exchange(self, token, path):
        """The one-time token for the session cookie (then the address without the token)."""
        desk = self.desk
        if desk.token_used or not _same(token, desk.token):
            return _refuse(403, "this sign-in link is used up or wrong: run `runcue desk` again for a new one")
        desk.token_used = True
        response = RedirectResponse(path if path.startswith("/") else "/", status_code=303)
        response.set_cookie(desk.cookie, desk.session, httponly=True, samesite="strict", path="/")
        return response


def _refuse(status, message):
    return PlainTextResponse("runcue desk: %s\n" % message, status_code=status)


def _cookies(header):
    out = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            out[name] = value
    return out


async def set_lang(request):
    """POST /lang: the page language, remembered in a cookie; the page reloads in it."""
    form = await request.form()
    lang = form.get("lang")
    if lang not in texts.LANGS:
        return PlainTextResponse("unknown language", status_code=400)
    response = Response(b"", headers={"HX-Refresh": "true"})
    response.set_cookie(LANG_COOKIE, str(lang), max_age=LANG_MAX_AGE_S, httponly=True, samesite="strict", path="/")
    return response
