"""The therapist's day at the desk, in a real browser, against the simulated watch's twin and a real archive.

One walk through it (a module fixture: the steps build on each other, as the day does):
sign in with the printed address; write a program and watch an error come and go as it is
typed; save it; assign the watch and push the program to the twin; the client runs two
sessions on the sim (one stopped for pain); sync with the progress shown; find the client
in the list with the flag; read their page; export; see a failed sync say what to do and
that nothing changed; the plans; the pages in Dutch.

Screenshots of each page are kept in tests/golden/desk/ for people to look at; they are
checked by size and by what the page says, never pixel by pixel (dates differ every run).
``RUNCUE_DESK_SHOTS=update`` writes them anew.
"""

import csv
import io
import os
import re
import struct
import zipfile
from pathlib import Path

import pytest
from browser import chromium
from desk_process import Desk
from test_twin import Twin, runcue

from runcue_host import sim
from runcue_host.archive import Archive

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "desk"
PROGRAM = "5m walk, 4x(60s run, 90s walk), 5m walk"
DAY_MS = 86400000
SESSIONS = sim.client_session(1000, 3, 4) + sim.client_session(
    2 * DAY_MS, 3, 2, runs=[(["A+"], 120000)], reason="pain")
WIDTH = 1200
WATCH_OBSERVER = """() => {
  window.seenProgress = [];
  new MutationObserver(() => {
    const el = document.querySelector('#sync-progress');
    if (el) window.seenProgress.push(el.innerHTML);
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def _png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def shoot(page, name):
    """A full-page screenshot, kept for review; checked against the kept one by size, not by pixels."""
    data = page.screenshot(full_page=True)
    width, height = _png_size(data)
    assert width == WIDTH and height >= 300 and len(data) > 8000, (name, width, height, len(data))
    golden = GOLDEN / (name + ".png")
    if os.environ.get("RUNCUE_DESK_SHOTS") == "update" or not golden.exists():
        GOLDEN.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(data)
        return
    kept_w, kept_h = _png_size(golden.read_bytes())
    assert kept_w == width and 0.6 * kept_h <= height <= 1.6 * kept_h, (name, (width, height), (kept_w, kept_h))


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    """The browser, the desk (on a new archive) and the twin of a new watch."""
    from playwright.sync_api import sync_playwright

    browser_path = chromium()
    tmp = tmp_path_factory.mktemp("desk")
    image = tmp / "watch.img"
    sim.create_image(image)
    archive = tmp / "archive.sqlite"
    desk = Desk(archive)
    twin = Twin(image, tmp / "ttyWATCH")
    state = {"desk": desk, "twin": twin, "image": image, "archive": archive, "tmp": tmp}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
            context = browser.new_context(viewport={"width": WIDTH, "height": 800}, accept_downloads=True,
                                          locale="en-GB")
            page = context.new_page()
            page.set_default_timeout(20000)
            problems = []
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            requests = []
            context.on("request", lambda r: requests.append(r.url))
            state.update(page=page, problems=problems, requests=requests)
            yield state
            browser.close()
    finally:
        state["twin"].stop()
        rc, _took, _out, err = desk.stop()
        assert rc == 0, err


def test_1_the_printed_address_opens_the_desk(day):
    page = day["page"]
    page.goto(day["desk"].url)
    assert page.url == day["desk"].base + "/"  # the token is gone from the address
    assert page.locator("h1").inner_text() == "Clients"
    assert "No sessions in the archive yet" in page.inner_text("main")
    shoot(page, "clients-empty")


def test_2_an_error_appears_and_disappears_as_the_program_is_typed(day):
    page = day["page"]
    page.click("text=Author a program")
    spec = page.locator("#spec")
    spec.press_sequentially("5m walk, 4x(60s run, 90s walk),", delay=20)
    page.wait_for_selector(".check-error #check-message:has-text('is empty')")
    message = page.inner_text("#check-message")
    cli = runcue("program", "check", "5m walk, 4x(60s run, 90s walk),")
    assert cli.returncode == 2 and message == "Error: " + cli.stderr.strip()[len("runcue: "):]  # the same words
    assert page.locator("pre.marked mark").count() == 1
    shoot(page, "author-error")
    spec.press_sequentially(" 5m walk", delay=20)
    page.wait_for_selector(".check-ok")
    assert page.locator(".check-error").count() == 0
    assert page.inner_text("#segments") == "10"
    assert "total 20:00" in page.inner_text("#totals")
    assert page.locator("table.timeline tbody tr").count() == 10
    audio = page.get_attribute("audio", "src")
    wav = page.request.get(day["desk"].base + audio)
    assert wav.ok and wav.headers["content-type"] == "audio/wav" and wav.body()[:4] == b"RIFF"
    page.click("#save")
    page.wait_for_selector("#saved")
    assert "4x 1:00/1:30" in page.inner_text("#library")
    shoot(page, "author-ok")


def test_3_the_watch_is_assigned_and_gets_the_program(day):
    page = day["page"]
    page.click("text=The watch")
    page.fill("#port", str(day["twin"].link))
    page.fill("#client", "Jan Jansen")  # a name, not a code
    page.click("#do-assign")
    page.wait_for_selector("#client-error")
    assert "client code" in page.inner_text("#client-error")
    assert page.input_value("#port") == str(day["twin"].link)  # kept
    page.fill("#client", "C07")
    page.click("#do-assign")
    page.wait_for_selector("#done-message")
    assert "C07" in page.inner_text("#done-message")
    page.select_option("#program", label=page.locator("#program option").nth(1).inner_text())
    page.click("#do-push-program")
    page.wait_for_selector("#done-message:has-text('in force')")
    page.click("#do-set-clock")
    page.wait_for_selector("#done-message:has-text('Watch clock set')")
    page.click("#do-info")
    page.wait_for_selector("#device-info")
    info = page.inner_text("#device-info")
    assert "UTC (" in info  # the clock is set: its time and how far off it is
    assert "C07" in info and "4x 1:00/1:30" in info
    shoot(page, "watch-info")


def test_4_sessions_run_on_the_watch_and_the_sync_shows_its_progress(day):
    day["twin"].stop()  # the sim and the twin never share the image
    result = sim.run(day["image"], buttons=SESSIONS)
    assert result.returncode == 0, result.stderr_tail
    day["twin"] = Twin(day["image"], day["tmp"] / "ttyWATCH")
    page = day["page"]
    page.evaluate(WATCH_OBSERVER)
    page.click("#do-sync")
    page.wait_for_selector("#done-message")
    seen = page.evaluate("window.seenProgress")
    bars = [s for s in seen if ' read, ' in s and re.search(r'<progress [^>]*max="[1-9][0-9]*" value="[1-9][0-9]*"', s)]
    assert bars and "2 sessions" in bars[-1], seen  # the bar, with what was read, before the end
    assert "2 new sessions" in page.inner_text("#done-message")
    shoot(page, "watch-synced")


def test_5_the_client_list_shows_the_client_with_the_flag(day):
    page = day["page"]
    page.click("text=Clients")
    row = page.locator("table.clients tr:has-text('C07')")
    text = row.inner_text()
    assert "stopped: pain/unwell" in text
    assert "…" in text  # the watch by its short label
    shoot(page, "clients")


def test_6_the_clients_page_has_its_sessions_flags_and_exports(day):
    page = day["page"]
    page.click("text=C07")
    main = page.inner_text("main")
    assert "Stopped early because of pain" in main
    assert "stopped early: pain" in main and "completed" in main
    assert page.locator("svg").count() >= 4  # the report's charts
    shoot(page, "client")
    with page.expect_download() as got:
        page.click("text=CSV (sessions, segments)")
    data = Path(got.value.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        rows = list(csv.DictReader(io.StringIO(z.read("sessions.csv").decode())))
        assert "segments.csv" in z.namelist()
    assert [(r["client"], r["status"], r["stop_reason"]) for r in rows] == [
        ("C07", "completed", ""), ("C07", "stopped", "pain")]
    with page.expect_download() as got:
        page.click("text=FIT (one activity a session)")
    with zipfile.ZipFile(got.value.path()) as z:
        assert len([n for n in z.namelist() if n.endswith(".fit")]) == 2


def test_7_a_failed_sync_says_what_to_do_and_that_nothing_changed(day):
    page = day["page"]
    with Archive(day["archive"], read_only=True) as arc:
        before = arc.sessions()
    page.click("text=The watch")
    page.fill("#port", str(day["tmp"] / "ttyNONE"))
    page.click("#do-sync")
    page.wait_for_selector("#link-error")
    assert "no such port (is the watch plugged in?)" in page.inner_text("#link-error")
    assert "nothing is stored twice" in page.inner_text("#sync-progress")
    with Archive(day["archive"], read_only=True) as arc:
        assert arc.sessions() == before
    shoot(page, "watch-failed")
    page.select_option("#program", index=1)
    page.click("#do-push-program")
    page.wait_for_selector("#outcome:has-text('The watch and the archive are as they were.')")
    assert "no such port" in page.inner_text("#link-error")
    page.fill("#port", "")
    page.click("#do-info")
    page.wait_for_selector("#port-error")  # the error beside the field it is about
    assert "give its port below" in page.inner_text("#port-error")


def test_8_plans_week_by_week_and_a_place_in_them(day):
    page = day["page"]
    page.click("text=Plans")
    assert page.locator("ul.plans li").count() >= 1
    shoot(page, "plans")
    page.click("ul.plans a >> nth=0")
    assert page.locator("table.weeks").count() == 1
    assert "W2S1" in page.inner_text("table.weeks")
    shoot(page, "plan")
    page.click("text=Place the client at W2 >> nth=0")
    assert page.input_value("#at") == "W2"
    page.fill("#port", str(day["twin"].link))
    page.fill("#at", "W99")
    page.click("#do-push-plan")
    page.wait_for_selector("#at-error")
    assert "the plan has weeks 1 to" in page.inner_text("#at-error")
    page.fill("#at", "W2")
    page.click("#do-push-plan")
    page.wait_for_selector("#done-message:has-text('next is W2S1')")
    page.click("#do-info")
    page.wait_for_selector("button.repeat")
    page.click("button.repeat:has-text('Repeat week 1')")  # back a week, from what the watch says
    page.wait_for_selector("#done-message:has-text('next is W1S1')")


def test_8b_the_practices_own_plan_and_a_program_file(day, tmp_path):
    page = day["page"]
    plan = tmp_path / "our-plan.toml"
    plan.write_text('name = "Our start"\nper_week = 2\n'
                    '[[sessions]]\nweek = 1\nshorthand = "5m walk, 3x(1m run, 2m walk)"\n'
                    '[[sessions]]\nweek = 1\nshorthand = "5m walk, 4x(1m run, 2m walk)"\n', encoding="utf-8")
    page.click("text=Plans")
    page.set_input_files("#plan-file", str(plan))
    page.click("#add-plan")
    page.wait_for_selector("#added")
    assert "Our start" in page.inner_text("#own-plans")
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "Bad"\nper_week = 2\n[[sessions]]\nweek = 1\nshorthand = "5m walk,, 1m run"\n')
    page.set_input_files("#plan-file", str(bad))
    page.click("#add-plan")
    page.wait_for_selector("#plan-file-error")
    assert "item 2 is empty" in page.inner_text("#plan-file-error")
    prog = tmp_path / "easy.toml"
    prog.write_text('name = "Easy one"\nshorthand = "5m walk, 2x(1m run, 1m walk)"\n')
    page.click("text=Author a program")
    page.set_input_files("#file", str(prog))
    page.click("#open-file")
    page.wait_for_selector(".check-ok")
    assert page.input_value("#format") == "toml"
    assert "Easy one" in page.inner_text(".check-ok")


def test_9_the_pages_in_dutch_remembered(day):
    page = day["page"]
    page.select_option("#lang", "nl")
    page.wait_for_selector("nav a:has-text('Cliënten')")
    page.click("text=Cliënten")
    assert page.locator("h1").inner_text() == "Cliënten"
    assert "gestopt: pijn/onwel" in page.inner_text("table.clients")
    shoot(page, "nl-clients")
    page.click("text=C07")
    assert "Eerder gestopt wegens pijn" in page.inner_text("main")
    assert day["problems"] == []


def test_10_a_watch_in_a_run_is_left_alone_and_the_page_says_what_to_do(day):
    day["twin"].stop()
    start_run = [{"on": "home", "presses": ["A"], "delay_ms": 100},
                 {"on": "checkin_before", "presses": ["A"], "delay_ms": 100}]
    day["twin"] = Twin(day["image"], day["tmp"] / "ttyWATCH", buttons=start_run)
    page = day["page"]
    page.click("text=Het horloge")
    page.fill("#port", str(day["twin"].link))
    page.click("#do-sync")
    page.wait_for_selector("#link-error")
    assert page.inner_text("#link-error") == "watch busy: finish or stop the run on the watch"


def test_11_the_language_is_remembered_by_the_next_desk(day):
    again = Desk(day["archive"])
    try:
        page = day["page"]
        page.goto(again.url)
        assert page.locator("h1").inner_text() == "Cliënten"
        assert day["problems"] == []
        bases = (day["desk"].base + "/", again.base + "/")
        elsewhere = [u for u in day["requests"] if not u.startswith(bases)]
        assert elsewhere == [] and len(day["requests"]) > 50  # the pages asked nothing of anyone but the desk
    finally:
        rc, _took, _out, err = again.stop()
        assert rc == 0, err
