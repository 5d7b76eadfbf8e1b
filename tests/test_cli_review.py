"""`runcue sessions`, `runcue report`, `runcue export` through the real installed console script."""

import json
import os
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sim_clients import C01_SESSIONS, review_archive

from runcue_host import cli

RUNCUE = Path(sys.executable).parent / "runcue"
KEYS = {"device", "client", "seq", "program_id", "started_at", "status", "planned_s", "done_s"}


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    return review_archive(tmp_path_factory)


def runcue(*args):
    env = dict(os.environ, COLUMNS="160", NO_COLOR="1")
    proc = subprocess.run([str(RUNCUE), *map(str, args)], capture_output=True, env=env, timeout=60)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode("utf-8", "replace")


def test_sessions_json_is_one_document_of_the_designed_shape(review):
    rc, out, err = runcue("sessions", "--archive", review.path, "--json")
    assert rc == 0, err
    rows = json.loads(out)
    assert out.count("\n") == 1 and err == ""
    assert len(rows) == len(C01_SESSIONS) + 3 and all(set(r) == KEYS for r in rows)
    rc, out, _ = runcue("sessions", "--archive", review.path, "--json", "--client", "C02")
    assert [(r["client"], r["seq"], r["status"]) for r in json.loads(out)] == [
        ("C02", 1, "completed"), ("C02", 2, "stopped"), ("C02", 3, "interrupted")]


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
