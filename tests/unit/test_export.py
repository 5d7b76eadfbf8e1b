"""Exports carry the archive's sessions faithfully: FIT files any SDK reads, CSV a spreadsheet opens."""

import csv
import stat

import pytest
from garmin_fit_sdk import Decoder, Stream
from sim_clients import review_archive

from runcue_host.archive import Archive
from runcue_host.review import export

INTENSITY = {"run": "active", "walk": "recovery", "warmup": "warmup", "cooldown": "cooldown", "rest": "rest"}


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    return review_archive(tmp_path_factory)


@pytest.fixture(scope="module")
def fit_export(review, tmp_path_factory):
    out = tmp_path_factory.mktemp("fit")
    with Archive(review.path) as arc:
        paths = export.export(arc, "fit", None, out)
        rows = arc.session_rows()
        segs = arc.segment_rows()
    return paths, rows, segs


def _decode(path):
    data = bytearray(path.read_bytes())
    assert Decoder(Stream.from_byte_array(data)).is_fit()
    assert Decoder(Stream.from_byte_array(data)).check_integrity()
    messages, errors = Decoder(Stream.from_byte_array(data)).read()
    assert errors == [], (path, errors)
    return messages


def test_every_fit_file_decodes_cleanly_with_a_lap_per_segment(fit_export):
    paths, rows, segs = fit_export
    assert len(paths) == len(rows)
    for path, row in zip(paths, rows, strict=True):
        assert path.name == export.fit_name(row)
        m = _decode(path)
        mine = [g for g in segs if (g["device_id"], g["seq"]) == (row["device_id"], row["seq"])]
        laps = m["lap_mesgs"]
        assert len(laps) == len(mine)
        assert [lap["total_timer_time"] for lap in laps] == [g["done_ms"] / 1000 for g in mine]
        assert [lap.get("intensity") for lap in laps] == [INTENSITY[g["kind"]] for g in mine]
        (session,) = m["session_mesgs"]
        assert session["total_timer_time"] == row["done_s"] and session["total_elapsed_time"] == row["wall_s"]
        assert session["num_laps"] == len(mine) and session["sport"] == "running"
        assert sum(lap["total_elapsed_time"] for lap in laps) == row["wall_s"]  # pauses fall inside laps
        assert int(session["start_time"].timestamp()) == row["started_at"]
        assert m["file_id_mesgs"][0]["type"] == "activity" and m["activity_mesgs"][0]["num_sessions"] == 1
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_pause_shows_as_timer_stop_and_start_events(fit_export):
    paths, rows, _ = fit_export
    i = next(i for i, r in enumerate(rows) if r["wall_s"] > r["done_s"] and r["status"] == "completed")
    events = [(e["event"], e["event_type"]) for e in _decode(paths[i])["event_mesgs"]]
    assert events == [("timer", "start"), ("timer", "stop_all"), ("timer", "start"), ("timer", "stop_all")]


def test_a_bad_enum_is_refused_before_a_byte_is_encoded():
    msgs = [{"mesg_num": "LAP", "message_index": 0, "intensity": "jogging"}]
    with pytest.raises(export.ExportError, match="'jogging' is not a value of the profile's type intensity"):
        export.encode_fit(msgs)
    with pytest.raises(export.ExportError, match="no field 'pace'"):
        export.encode_fit([{"mesg_num": "LAP", "pace": 5}])


def test_csv_has_a_row_per_session_and_per_segment_for_the_chosen_client(review, tmp_path):
    with Archive(review.path) as arc:
        every = export.export(arc, "csv", None, tmp_path / "all")
        only = export.export(arc, "csv", "C02", tmp_path / "c02")
        rows = arc.session_rows()
        segs = arc.segment_rows()
    with open(every[0], newline="") as f:
        sessions = list(csv.DictReader(f))
    with open(every[1], newline="") as f:
        segments = list(csv.DictReader(f))
    assert len(sessions) == len(rows) and len(segments) == len(segs)
    assert tuple(sessions[0]) == export.SESSION_FIELDS and tuple(segments[0]) == export.SEGMENT_FIELDS
    assert sessions[0]["started_at_utc"].endswith("Z") and sessions[0]["program_name"] == "Week 1"
    assert {s["status"] for s in sessions} == {"completed", "stopped", "interrupted"}
    assert {s["stop_reason"] for s in sessions} == {"", "tired", "pain", "unwell"}
    assert sum(int(g["done_ms"]) for g in segments) == sum(r["done_s"] for r in rows) * 1000
    with open(only[0], newline="") as f:
        assert {s["client"] for s in csv.DictReader(f)} == {"C02"}
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in every + only)
    assert stat.S_IMODE((tmp_path / "all").stat().st_mode) == 0o700


def test_a_formula_in_a_program_name_stays_text_in_the_csv():
    assert export._cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert export._cell("Week 1") == "Week 1" and export._cell(-3) == -3


def test_a_session_dated_where_fit_has_no_time_is_left_out_of_the_fit_export_and_said_so(review, tmp_path):
    """An archive filled before clocks were checked may hold a session dated 1970 (FIT would write 2106)."""
    import sqlite3

    path = review.copy(tmp_path / "odd.sqlite")
    db = sqlite3.connect(str(path))
    db.execute("UPDATE sessions SET started_at = 86400, started_approx = 1 WHERE client = 'C02' AND seq = 1")
    db.commit()
    db.close()
    notes = []
    with Archive(path) as arc:
        paths = export.export(arc, "fit", "C02", tmp_path / "fit", notes)
    assert [p.name for p in paths] == [export.fit_name(r) for r in (
        {"client": "C02", "device_id": review.devices["C02"], "seq": s} for s in (2, 3))]
    for p in paths:
        start = _decode(p)["session_mesgs"][0]["start_time"]
        assert 2025 <= start.year < 2100
    assert len(notes) == 1 and "session 1" in notes[0] and "1970-01-02" in notes[0] and "CSV" in notes[0]


def test_the_export_command_says_which_sessions_fit_cannot_hold(review, tmp_path, capsys):
    import sqlite3

    from runcue_host import cli

    path = review.copy(tmp_path / "odd.sqlite")
    db = sqlite3.connect(str(path))
    db.execute("UPDATE sessions SET started_at = 86400 WHERE client = 'C02' AND seq = 1")
    db.commit()
    db.close()
    assert cli.main(["export", "fit", "--archive", str(path), "--client", "C02", "--out", str(tmp_path / "f")]) == 0
    out = capsys.readouterr().out
    assert "note: watch …%s session 1" % review.devices["C02"][-4:] in " ".join(out.split())
    assert "wrote 2 files" in out
