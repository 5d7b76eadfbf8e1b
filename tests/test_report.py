"""The report opens offline in a real browser, shows its charts, and puts what must not be missed on top.

The archive holds real simulated-watch sessions (tests/sim_clients.py).  The
page is rendered once in headless Chromium (installed from Debian when
missing): the DOM after rendering, the console, and a screenshot to look at.
"""

import os
import re
import shutil
import stat
import subprocess

import pytest
from sim_clients import review_archive

from runcue_host import report
from runcue_host.archive import Archive

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--enable-logging=stderr", "--v=0"]


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    return review_archive(tmp_path_factory)


def chromium():
    """The browser, installed with apt-get when missing; a skip (saying why) only if it cannot be."""
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    why = None
    if os.geteuid() != 0:
        why = "not root: cannot apt-get install chromium"
    elif not shutil.which("apt-get"):
        why = "no apt-get on this machine"
    else:
        for cmd in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium", "fonts-dejavu-core"]):
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900,
                                  env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
            if proc.returncode != 0:
                why = "%s failed: %s" % (" ".join(cmd[:2]), (proc.stdout + proc.stderr).strip()[-300:])
                break
    if why is None and os.path.exists(CHROMIUM):
        return CHROMIUM
    why = why or "installed, but %s is missing" % CHROMIUM
    print("\nchromium unavailable: " + why)
    pytest.skip("chromium unavailable: " + why)


@pytest.fixture(scope="module")
def rendered(review, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    page = out / "report.html"
    now = review.hosts["C02"] + 3600
    with Archive(review.path) as arc:
        report.write(arc, page, lang="en", now=now)
        dutch = report.render(arc, lang="nl", now=now)
        only = report.render(arc, client="C02", now=now)
    browser = chromium()
    shot = out / "report.png"
    proc = subprocess.run([browser, *FLAGS, "--user-data-dir=%s" % (out / "profile"), "--window-size=1200,6000",
                           "--screenshot=%s" % shot, "--dump-dom", page.resolve().as_uri()],
                          capture_output=True, text=True, timeout=120)
    print("\nreport: %s (%d KB); screenshot for review: %s" % (page, page.stat().st_size // 1024, shot))
    return {"page": page, "html": page.read_text(), "dom": proc.stdout, "log": proc.stderr, "rc": proc.returncode,
            "shot": shot, "dutch": dutch, "only": only}


def test_the_report_renders_offline_in_chromium_with_its_charts(rendered):
    assert rendered["rc"] == 0, rendered["log"][-2000:]
    console = [line for line in rendered["log"].splitlines() if ":CONSOLE" in line]
    assert console == []
    dom = rendered["dom"]
    charts = re.findall(r"<svg\b[^>]*>.*?</svg>", dom, flags=re.S)
    assert len(charts) == 8  # 4 a client
    assert all("<path" in c and "<text" in c for c in charts)
    assert len(set(re.findall(r'\bid="([^"]+)"', dom))) == len(re.findall(r'\bid="([^"]+)"', dom))  # unique ids
    png = rendered["shot"].read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 50000


def test_pain_and_unwell_stops_gaps_falling_mood_and_approximate_times_are_flagged_on_top(rendered):
    html = rendered["html"]
    top = html[:html.index('<section id="client-0">')]
    assert '<li class="flag-stop_pain">Stopped early because of pain on' in top
    assert '<li class="flag-stop_pain">Stopped early because of feeling unwell on' in top
    assert "Mood after sessions is dropping: last answers 3, 2, 2" in top
    assert re.search(r"No session for 1[4-9] days: \d{4}-\d\d-\d\d to", top)
    assert "3 sessions were recorded with the watch clock unset" in top
    assert top.index("Client C01") < top.index("Client C02")


def test_the_page_is_self_contained_private_and_by_client_code(rendered):
    html = rendered["html"]
    for outside in ("http:", "https:", "<script", " src=", "@import", "url(http", "<link"):
        assert outside not in html, outside
    assert stat.S_IMODE(rendered["page"].stat().st_mode) == 0o600
    assert "Dates and times are UTC" in html
    assert "Plan Start to run: 3 sessions a week." in html and "No plan: sessions per week" in html
    # completed 3, 1, 0, 1 in the weeks that are over (the current week has 2 of 3 so far)
    assert "Adherence: 42% of the target over 4 weeks." in html
    assert "<td>not yet</td>" in html  # the week still going
    for status in ("completed", "stopped early: tired", "stopped early: pain", "interrupted"):
        assert status in html


def test_the_report_speaks_dutch_and_can_cover_one_client(rendered):
    nl = rendered["dutch"]
    assert '<html lang="nl">' in nl and "Signalen" in nl
    assert "Eerder gestopt wegens pijn" in nl and "wegens zich onwel voelen" in nl
    assert "Therapietrouw per week" in nl and "Stopped early" not in nl
    only = rendered["only"]
    assert "Client C02" in only and "Client C01" not in only


def _row(mood_before, mood_after, at, status="completed", reason=None):
    return {"started_at": at, "mood_before": mood_before, "mood_after": mood_after, "status": status,
            "stop_reason": reason, "started_approx": False, "done_s": 600, "planned_s": 1800}


def test_the_mood_flag_follows_its_stated_rule():
    day = 86400
    rows = lambda moods: [_row(b, a, i * day) for i, (b, a) in enumerate(moods)]  # noqa: E731
    kinds = lambda moods: [k for k, _ in report.flags(rows(moods), 10 * day)]  # noqa: E731
    assert kinds([(3, 4), (3, 3), (3, 3)]) == ["mood"]  # never rising, ending lower
    assert kinds([(3, 3), (3, 3), (3, 3)]) == []
    assert kinds([(4, 3), (2, 4), (5, 4)]) == ["mood"]  # below the mood before in 2 of the last 3
    assert kinds([(4, 3), (2, 4), (3, 4)]) == []
    assert kinds([(None, 4), (None, 3)]) == []  # too few answers to say


def test_the_mood_axis_says_what_its_ends_mean_with_the_watchs_words():
    from runcue_host import report_charts, report_html

    rows = [{"started_at": i * 86400, "mood_before": 2, "mood_after": 4, "talk": "yes"} for i in range(3)]
    for lang, bad, good in (("en", "bad", "good"), ("nl", "slecht", "goed")):
        svg = report_charts.mood_chart("m", rows, report_html.TEXTS[lang])
        assert "1 %s" % bad in svg and "5 %s" % good in svg
        assert "(1-5)" not in svg
