"""The report opens offline in a real browser, shows its charts, and puts what must not be missed on top.

The archive holds real simulated-watch sessions (tests/sim_clients.py).  The
page is rendered once in headless Chromium (installed from Debian when
missing): the DOM after rendering, the console, and a screenshot to look at.
"""

import re
import stat
import subprocess

import pytest
from browser import chromium
from sim_clients import review_archive

from runcue_host.archive import Archive
from runcue_host.review import report

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--enable-logging=stderr", "--v=0"]


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    return review_archive(tmp_path_factory)


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
            "shot": shot, "dutch": dutch, "only": only, "review": review, "now": now}


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
    # every session started counts, each week up to the target of 3; the weeks that are over, and the
    # current one once met (which of the sessions fall in which week depends on the weekday of the run)
    with Archive(rendered["review"].path) as arc:
        (weeks,) = [c["weeks"] for c in report.model(arc, now=rendered["now"]) if c["client"] == "C01"]
    counted = [w for w in weeks if w["start"] + 7 * 86400 <= rendered["now"] or w["sessions"] >= 3]
    started = sum(min(w["sessions"], 3) for w in counted)
    completed = sum(min(w["completed"], 3) for w in counted)
    assert started >= 8 and completed < started  # the ones stopped early count as started, not as completed
    n = 3 * len(counted)
    assert ("Adherence over %d weeks: %d of %d planned sessions started (%d%%); %d of them completed in full (%d%% "
            "of the plan). A session counts as started when the client began it, also when it was stopped early "
            "or interrupted." % (len(counted), started, n, round(100.0 * started / n), completed,
                                 round(100.0 * completed / n))) in html
    assert "<td>%s</td>" % ("yes" if weeks[-1]["sessions"] >= 3 else "not yet") in html  # the week still going
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


def test_each_session_shows_the_segments_its_client_skipped(review):
    with Archive(review.path) as arc:
        html = report.render(arc, client="C01", now=review.hosts["C02"] + 3600)
        dutch = report.render(arc, client="C01", lang="nl", now=review.hosts["C02"] + 3600)
    assert "<th>skipped segments</th>" in html
    assert html.count("<td>3 (walk)</td>") == 1 and html.count("<td>1 (walk)</td>") == 1  # sessions 3 and 7
    assert "<th>overgeslagen segmenten</th>" in dutch and "<td>3 (wandelen)</td>" in dutch


def test_the_header_names_the_client_and_the_watch_by_a_short_label(review):
    with Archive(review.path) as arc:
        html = report.render(arc, now=review.hosts["C02"] + 3600)
    for client, dev in review.devices.items():
        assert "<h2>Client %s · watch …%s</h2>" % (client, dev[-4:]) in html


def test_two_sessions_on_one_day_get_labels_of_their_own():
    from runcue_host.review.charts import session_labels

    day = 1_800_000_000 - 1_800_000_000 % 86400
    rows = [{"started_at": day + 3600}, {"started_at": day + 86400}, {"started_at": day + 90000},
            {"started_at": day + 99000}]
    assert session_labels(rows) == ["15-01", "16-01 (1)", "16-01 (2)", "16-01 (3)"]


def test_the_week_table_shows_the_current_weeks_whatever_odd_dates_the_archive_holds(review, tmp_path):
    """An archive filled before clocks were checked holds sessions dated 1970 and 2100."""
    import sqlite3

    from runcue import plan

    path = review.copy(tmp_path / "odd.sqlite")
    db = sqlite3.connect(str(path))
    db.execute("UPDATE sessions SET started_at = 86400, started_approx = 1 WHERE client = 'C01' AND seq = 1")
    db.execute("UPDATE sessions SET started_at = 4102444800 WHERE client = 'C01' AND seq = 2")
    db.commit()
    db.close()
    now = review.hosts["C02"] + 3600
    with Archive(path) as arc:
        (c01, _c02) = report.model(arc, now=now)
    starts = [w["start"] for w in c01["weeks"]]
    assert starts[-1] == plan.week_start(now) and len(starts) <= report.MAX_WEEKS
    assert starts == sorted(starts) and all(b - a == 7 * report.DAY for a, b in zip(starts, starts[1:], strict=False))


@pytest.mark.parametrize("lang, weeks, text", [
    ("nl", 1, "Therapietrouw over 1 week: "), ("nl", 3, "Therapietrouw over 3 weken: "),
    ("en", 1, "Adherence over 1 week: "), ("en", 3, "Adherence over 3 weeks: "),
])
def test_adherence_counts_its_weeks_in_words(lang, weeks, text):
    from runcue_host.review import html as report_html

    counts = {"weeks": weeks, "planned": 3 * weeks, "started": weeks, "completed": weeks}
    assert report_html._adherence(counts, report_html.TEXTS[lang]).startswith(text)


def test_the_mood_axis_says_what_its_ends_mean_with_the_watchs_words():
    from runcue_host.review import charts as report_charts
    from runcue_host.review import html as report_html

    rows = [{"started_at": i * 86400, "mood_before": 2, "mood_after": 4, "talk": "yes"} for i in range(3)]
    for lang, bad, good in (("en", "bad", "good"), ("nl", "slecht", "goed")):
        svg = report_charts.mood_chart("m", rows, report_html.TEXTS[lang])
        assert "1 %s" % bad in svg and "5 %s" % good in svg
        assert "(1-5)" not in svg


def test_the_client_overview_has_the_reports_plan_flags_and_this_weeks_sessions(review):
    """The desk's client list reads no segments, yet says what the report says of each client."""
    from runcue import plan as plan_mod

    now = review.hosts["C02"] + 3600
    with Archive(review.path, read_only=True) as arc:
        full = {c["client"]: c for c in report.model(arc, now=now)}
        lines = report.overview(arc, now=now)
        rows = arc.session_rows()
    assert [line["client"] for line in lines] == ["C01", "C02"]
    for line in lines:
        c = full[line["client"]]
        assert (line["plan"], line["flags"], line["devices"]) == (c["plan"], c["flags"], c["devices"])
        mine = [r for r in rows if r["client"] == line["client"]]
        week = plan_mod.week_start(now)
        assert line["this_week"] == sum(1 for r in mine if week <= r["started_at"] < week + 7 * 86400)
        assert line["target"] == (c["plan"][1] if c["plan"] else None)
        assert line["last_sync"] == max(r["synced_at"] for r in mine)
        last = mine[-1]
        assert line["position"] == (None if last["plan_week"] is None else (last["plan_week"], last["plan_session"]))
