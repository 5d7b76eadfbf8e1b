"""The desk lets in only the browser it signed in, from the desk's own pages, on this laptop."""

import re
import subprocess
import urllib.parse

import pytest
from desk_process import RUNCUE, Desk

from runcue_host.archive import Archive

SAVE_BODY = urllib.parse.urlencode({"spec": "5m walk, 3x(60s run, 90s walk)", "format": "shorthand"})
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def desk(tmp_path):
    d = Desk(tmp_path / "archive.sqlite")
    yield d
    d.kill()


def _csrf(desk, cookie):
    status, _, page = desk.request("GET", "/author", {"Cookie": cookie})
    assert status == 200
    return re.search(r'"X-CSRF-Token": "([^"]+)"', page.replace("&#34;", '"')).group(1)


def _library(tmp_path):
    with Archive(tmp_path / "archive.sqlite", read_only=True) as arc:
        return arc.db.execute("SELECT COUNT(*) FROM programs").fetchone()[0]


def test_without_the_token_or_its_cookie_every_page_is_refused(desk):
    for path in ("/", "/clients/C01", "/author", "/watch", "/static/htmx.min.js"):
        status, _, body = desk.request("GET", path)
        assert status == 401, (path, status)
        assert "runcue desk" in body
    assert desk.request("GET", "/", {"Cookie": "%s=guessed" % "runcue_desk_%d" % desk.port})[0] == 403
    assert desk.request("GET", "/?token=wrong")[0] == 403


def test_the_token_signs_in_once_with_an_httponly_strict_cookie(desk):
    status, headers, _ = desk.request("GET", "/?token=" + desk.token)
    assert status == 303 and headers["location"] == "/"  # the token leaves the address bar
    cookie = headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert desk.request("GET", "/?token=" + desk.token)[0] == 403  # used up
    status, headers, page = desk.request("GET", "/", {"Cookie": cookie.split(";")[0]})
    assert status == 200 and "<h1>Clients</h1>" in page
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"


def test_a_request_for_another_host_name_is_refused(desk):
    cookie = desk.sign_in()
    assert desk.request("GET", "/", {"Cookie": cookie})[0] == 200
    for host in ("evil.example:%d" % desk.port, "127.0.0.1:1", "evil.example", ""):
        status, _, body = desk.request("GET", "/", {"Cookie": cookie}, host=host)
        assert status == 403, host
        assert "Host" in body


def test_a_cross_site_post_without_the_csrf_token_changes_nothing(desk, tmp_path):
    cookie = desk.sign_in()
    before = _library(tmp_path)
    attempts = [
        {"Cookie": cookie, **FORM},  # no token
        {"Cookie": cookie, "Origin": "http://evil.example", **FORM},
        {"Cookie": cookie, "X-CSRF-Token": "guessed", **FORM},
        {"Cookie": cookie, "Sec-Fetch-Site": "cross-site", "X-CSRF-Token": _csrf(desk, cookie), **FORM},
        {"Cookie": cookie, "Origin": "http://evil.example", "X-CSRF-Token": _csrf(desk, cookie), **FORM},
    ]
    for headers in attempts:
        status, _, body = desk.request("POST", "/author/save", headers, SAVE_BODY)
        assert status == 403, headers
    assert _library(tmp_path) == before
    # the desk's own page, with its token, may
    status, _, body = desk.request("POST", "/author/save", {"Cookie": cookie, "X-CSRF-Token": _csrf(desk, cookie),
                                                            "Origin": desk.base, **FORM}, SAVE_BODY)
    assert status == 200 and 'id="saved"' in body
    assert _library(tmp_path) == before + 1


def test_only_get_and_post_are_answered(desk):
    cookie = desk.sign_in()
    assert desk.request("DELETE", "/author", {"Cookie": cookie})[0] == 405


@pytest.mark.parametrize("listen", ["0.0.0.0:8765", "192.168.1.5:8765", "localhost:8765", "[::]:8765",
                                    "127.0.0.1", "127.0.0.1:99999"])
def test_listening_anywhere_but_127_0_0_1_is_refused(listen, tmp_path):
    proc = subprocess.run([RUNCUE, "desk", "--listen", listen, "--no-browser", "--archive",
                           str(tmp_path / "a.sqlite")], capture_output=True, text=True, timeout=30,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("runcue: --listen")
    assert "Traceback" not in proc.stderr


def test_ctrl_c_stops_the_desk_cleanly(desk):
    cookie = desk.sign_in()
    assert desk.request("GET", "/", {"Cookie": cookie})[0] == 200
    rc, took, out, err = desk.stop()
    assert rc == 0, err
    assert "stopped" in out and "Traceback" not in err
    assert took < 10


def test_text_from_a_form_or_the_archive_is_shown_as_text_never_as_markup(desk):
    cookie = desk.sign_in()
    name = '<img src=x onerror="alert(1)">'
    body = urllib.parse.urlencode({"spec": "5m walk, 3x(60s run, 90s walk)", "format": "shorthand", "name": name})
    headers = {"Cookie": cookie, "X-CSRF-Token": _csrf(desk, cookie), **FORM}
    status, _, page = desk.request("POST", "/author/save", headers, body)
    assert status == 200 and 'id="saved"' in page
    status, _, page = desk.request("GET", "/author", {"Cookie": cookie})  # the library, read back from the archive
    assert status == 200
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page and "<img" not in page


@pytest.mark.parametrize("archive", ["DIR", "postgresql://nobody@/none"])
def test_an_archive_the_desk_cannot_open_is_one_line_and_exit_2(archive, tmp_path):
    path = str(tmp_path) if archive == "DIR" else archive
    proc = subprocess.run([RUNCUE, "desk", "--no-browser", "--archive", path], capture_output=True, text=True,
                          timeout=30, stdin=subprocess.DEVNULL, cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and proc.stderr.startswith("runcue: ")
    assert "http://" not in proc.stdout  # no address: nothing listens
    assert not list(tmp_path.glob("postgresql*"))
