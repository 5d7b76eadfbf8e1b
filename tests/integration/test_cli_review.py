"""`runcue sessions`, `runcue report`, `runcue export` through the real installed console script."""

import json
import os
import sqlite3
import stat
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from scratch_fs import tmpfs
from sim_clients import C01_SESSIONS, play, review_archive, sync

from runcue import program
from runcue_host import cli, sim

RUNCUE = Path(sys.executable).parent / "runcue"
KEYS = {"device", "client", "seq", "program_id", "started_at", "status", "planned_s", "done_s"}  # the design's
CHECKIN_KEYS = {"started_approx", "stop_reason", "mood_before", "mood_after", "talk"}
MARKUP = program.make("[/bold] x", "en", [["walk", 60000], ["run", 30000]])
BRACKETS = program.make("Week 2 [easy] and a long walk to start", "en", [["walk", 60000], ["run", 30000]])


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    return review_archive(tmp_path_factory)


@pytest.fixture(scope="module")
def odd_names(tmp_path_factory):
    """An archive whose program names look like markup: one session of each, on one watch."""
    tmp = tmp_path_factory.mktemp("odd")
    image = tmp / "w.img"
    play(image, MARKUP, [sim.client_session(1000)])
    play(image, BRACKETS, [sim.client_session(1000)])
    from runcue_host.archive import Archive

    with Archive(tmp / "a.sqlite") as arc:
        sync(arc, image, "C07", BRACKETS, int(time.time()) + 3600, [MARKUP.to_json()])
    return tmp / "a.sqlite"


def runcue(*args, columns=160):
    env = dict(os.environ, COLUMNS=str(columns), NO_COLOR="1")
    proc = subprocess.run([str(RUNCUE), *map(str, args)], capture_output=True, env=env, timeout=60)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode("utf-8", "replace")


def test_sessions_json_is_one_document_of_the_designed_shape(review):
    rc, out, err = runcue("sessions", "--archive", review.path, "--json")
    assert rc == 0, err
    rows = json.loads(out)
    assert out.count("\n") == 1 and err == ""
    assert len(rows) == len(C01_SESSIONS) + 3 and all(set(r) == KEYS | CHECKIN_KEYS for r in rows)
    rc, out, _ = runcue("sessions", "--archive", review.path, "--json", "--client", "C02")
    assert [(r["client"], r["seq"], r["status"]) for r in json.loads(out)] == [
        ("C02", 1, "completed"), ("C02", 2, "stopped"), ("C02", 3, "interrupted")]
    stopped = json.loads(out)[1]  # the check-in comes along: why it stopped, mood, the talk test
    assert {k: stopped[k] for k in CHECKIN_KEYS} == {"started_approx": True, "stop_reason": "unwell",
                                                     "mood_before": 3, "mood_after": 2, "talk": "yes"}


def test_sessions_table_lists_every_session(review):
    rc, out, err = runcue("sessions", "--archive", review.path)
    assert rc == 0, err
    assert "12 sessions" in out and "C01" in out and "interrupted" in out and "30:00" in out


def test_report_and_export_write_files_readable_by_their_owner_only(review, tmp_path):
    page = tmp_path / "r.html"
    calls = [("report", "--archive", review.path, "--out", page, "--lang", "nl"),
             ("export", "csv", "--archive", review.path, "--out", tmp_path / "csv"),
             ("export", "fit", "--archive", review.path, "--client", "C01", "--out", tmp_path / "fit")]
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda a: runcue(*a), calls))
    for (rc, _, err), call in zip(results, calls, strict=True):
        assert rc == 0 and err == "", (call, err)
    assert "Signalen" in page.read_text()
    files = [page, *(tmp_path / "csv").iterdir(), *(tmp_path / "fit").iterdir()]
    assert len(files) == 1 + 2 + len(C01_SESSIONS)
    assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o600}
    assert "wrote %d files" % len(C01_SESSIONS) in results[2][1]


def test_user_mistakes_exit_2_with_one_line_and_no_traceback(review, tmp_path, capsys):
    arc = review.path
    (tmp_path / "junk.sqlite").write_text("hello" * 50)
    (tmp_path / "file").write_text("")
    cases = [
        (("sessions", "--archive", tmp_path / "junk.sqlite"), "not a runcue archive"),
        (("sessions", "--archive", arc, "--client", "C 01"), "--client 'C 01': a client code is"),
        (("sessions", "--archive", arc, "--client", "C99"), "--client C99: no such client"),
        (("report", "--archive", arc, "--out", tmp_path / "r.html", "--lang", "de"), "--lang de: not one of"),
        (("report", "--archive", arc, "--out", tmp_path / "no" / "dir" / "r.html"), "cannot write"),
        (("report", "--archive", arc), "missing option '--out'"),
        (("export", "xls", "--archive", arc, "--out", tmp_path / "x"), "export xls: unknown format"),
        (("export", "csv", "--archive", arc, "--out", tmp_path / "file"), "exists and is not a directory"),
    ]
    for args, expected in cases:  # in this process: an uncaught exception would fail the test
        assert cli.main([str(a) for a in args]) == 2, args
        out, err = capsys.readouterr()
        assert err.startswith("runcue: ") and err.count("\n") == 1 and expected in err, (args, err)
    # and once through the installed script: exit status, one line, no traceback
    rc, out, err = runcue("sessions", "--archive", tmp_path / "missing.sqlite")
    assert rc == 2 and err.count("\n") == 1 and "Traceback" not in err + out
    assert err.startswith("runcue: %s: no archive there" % (tmp_path / "missing.sqlite"))
    assert not (tmp_path / "missing.sqlite").exists()  # reading never creates an archive


# -- what lands on disk: whole or nothing, owner-only, never through a symlink ------------------

def _main(capsys, *args):
    """`runcue ARGS` in this process: (exit status, stderr); an uncaught exception fails the test."""
    rc = cli.main([str(a) for a in args])
    return rc, capsys.readouterr().err


def _one_line(err, *pieces):
    return err.startswith("runcue: ") and err.count("\n") == 1 and all(p in err for p in pieces)


def test_a_report_or_export_that_does_not_fit_exits_2_and_leaves_the_old_files_whole(review, tmp_path, capsys):
    with tmpfs(tmp_path / "small", 512) as disk:
        page, csvs, fits = disk.path / "r.html", disk.path / "csv", disk.path / "fit"
        calls = [("report", "--archive", review.path, "--out", page),
                 ("export", "csv", "--archive", review.path, "--out", csvs),
                 ("export", "fit", "--archive", review.path, "--out", fits)]
        for call in calls:
            assert _main(capsys, *call)[0] == 0
        before = {p: p.read_bytes() for p in (page, *csvs.iterdir(), *fits.iterdir())}
        for leave in (8192, 0):  # room for part of a file (a short write), and for nothing
            disk.fill(leave_bytes=leave)
            for call in calls:
                rc, err = _main(capsys, *call)
                assert rc == 2 and _one_line(err, "disk full", "nothing was written"), (call, err)
            disk.free()
            assert {p: p.read_bytes() for p in before} == before
            assert disk.files() == ["csv", "fit", "r.html"]
            assert sorted(p.name for p in csvs.iterdir()) == ["segments.csv", "sessions.csv"]
            assert len(list(fits.iterdir())) == len(C01_SESSIONS) + 3


def test_a_report_or_export_onto_a_read_only_disk_exits_2_saying_so(review, tmp_path, capsys):
    with tmpfs(tmp_path / "ro", 256) as disk:
        disk.read_only()
        for call in [("report", "--archive", review.path, "--out", disk.path / "r.html"),
                     ("export", "csv", "--archive", review.path, "--out", disk.path / "csv"),
                     ("export", "fit", "--archive", review.path, "--out", disk.path)]:
            rc, err = _main(capsys, *call)
            assert rc == 2 and _one_line(err, "read-only file system"), (call, err)
        assert disk.files() == []


def test_outputs_never_go_through_a_symlink_or_onto_a_directory(review, tmp_path, capsys):
    victim = tmp_path / "victim.txt"
    victim.write_text("someone else's file")
    victim.chmod(0o644)
    (tmp_path / "r.html").symlink_to(victim)
    (tmp_path / "csv").mkdir()
    (tmp_path / "csv" / "sessions.csv").symlink_to(victim)
    (tmp_path / "csv2" / "segments.csv").mkdir(parents=True)
    (tmp_path / "fit").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "elsewhere").mkdir()
    cases = [(("report", "--archive", review.path, "--out", tmp_path / "r.html"), "symlink"),
             (("report", "--archive", review.path, "--out", tmp_path / "csv"), "is a directory"),
             (("report", "--archive", review.path, "--out", "/dev/null"), "not a regular file"),
             (("export", "csv", "--archive", review.path, "--out", tmp_path / "csv"), "symlink"),
             (("export", "csv", "--archive", review.path, "--out", tmp_path / "csv2"), "is a directory"),
             (("export", "fit", "--archive", review.path, "--out", tmp_path / "fit"), "symlink")]
    for call, expected in cases:
        rc, err = _main(capsys, *call)
        assert rc == 2 and _one_line(err, expected, "nothing was written"), (call, err)
    assert victim.read_text() == "someone else's file" and stat.S_IMODE(victim.stat().st_mode) == 0o644
    assert (tmp_path / "r.html").is_symlink() and (tmp_path / "csv" / "sessions.csv").is_symlink()
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == ["sessions.csv"]
    assert sorted(p.name for p in (tmp_path / "csv2").iterdir()) == ["segments.csv"]
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_an_archive_on_read_only_media_can_still_be_read(review, tmp_path, capsys):
    with tmpfs(tmp_path / "stick", 1024) as disk:
        arc = review.copy(disk.path / "archive.sqlite")
        disk.read_only()
        rc, out, err = runcue("sessions", "--archive", arc, "--json")
        assert rc == 0 and len(json.loads(out)) == len(C01_SESSIONS) + 3, err
        assert _main(capsys, "report", "--archive", arc, "--out", tmp_path / "r.html") == (0, "")
        assert _main(capsys, "export", "csv", "--archive", arc, "--out", tmp_path / "csv") == (0, "")
        assert disk.files() == ["archive.sqlite"]  # no -wal or -shm left there: nothing was written


def test_reading_a_damaged_or_unfinished_archive_says_what_is_wrong_and_changes_nothing(review, tmp_path, capsys):
    from conftest import damage

    damaged = review.copy(tmp_path / "damaged.sqlite")
    damage(damaged, "sessions")
    old = tmp_path / "old.sqlite"  # an archive from before a migration (here: before the first one)
    db = sqlite3.connect(str(old))
    db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)")
    db.close()
    from runcue_host.archive.schema import SCHEMA_VERSION

    cases = [(damaged, "archive is damaged"), (old, "needs an upgrade to schema version %d" % SCHEMA_VERSION)]
    for path, expected in cases:
        for call in [("sessions", "--archive", path), ("report", "--archive", path, "--out", tmp_path / "r.html"),
                     ("export", "csv", "--archive", path, "--out", tmp_path / "csv")]:
            rc, err = _main(capsys, *call)
            assert rc == 2 and _one_line(err, expected), (call, err)
    db = sqlite3.connect(str(old))
    assert [r[0] for r in db.execute("SELECT name FROM sqlite_master")] == ["schema_version"]
    db.close()
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "csv").exists()


def test_names_that_look_like_markup_are_printed_as_they_are(odd_names):
    rc, out, err = runcue("sessions", "--archive", odd_names)
    assert rc == 0 and err == "", err
    assert "2 sessions in" in out
    assert "[/bold] x" in out and "Week 2 [easy]" in out


def test_the_sessions_table_stays_whole_in_60_and_80_columns(review, odd_names):
    for columns in (60, 80):
        for path, n in ((review.path, len(C01_SESSIONS) + 3), (odd_names, 2)):
            rc, out, err = runcue("sessions", "--archive", path, columns=columns)
            assert rc == 0, err
            lines = out.splitlines()
            assert max(len(line) for line in lines) <= columns, (columns, out)
            rule = next(i for i, line in enumerate(lines) if line.startswith("─"))
            header = " ".join(lines[rule - 2:rule]).split()  # a header may take two lines
            for name in ("client", "seq", "started", "status", "plan", "done", "program", "watch"):
                assert name in header, (columns, out)
            rows = [line for line in lines if line[:3] in ("C01", "C02", "C07")]
            assert len(rows) == n
            assert all(line.rstrip()[-5:].startswith("…") for line in rows), out  # the watch, short
        if columns == 60:
            assert "Week 2 [e…" in out or "Week 2…" in out, out  # cut, and it says so
    rc, out, _ = runcue("sessions", "--archive", odd_names, "--client", "C07", columns=60)
    assert "[/bold] x" in out  # short names whole


def test_runcue_version_prints_the_version():
    from importlib.metadata import version

    rc, out, err = runcue("--version")
    assert (rc, out, err) == (0, "runcue %s\n" % version("runcue"), "")


def test_an_error_naming_outside_data_shows_its_control_characters_as_escapes(tmp_path):
    missing = tmp_path / "\x1b[31mred.sqlite"
    rc, out, err = runcue("sessions", "--archive", missing)
    assert rc == 2 and err.count("\n") == 1 and "\x1b" not in err
    assert "\\x1b[31mred.sqlite: no archive there" in err
