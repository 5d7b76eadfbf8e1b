"""The archive stores every synced session exactly once, privately, and in its right place in time.

Session bytes come from the simulated watch (tests/sim_clients.py) or, for a
full flash, from the watch's own log store code run on CPython.
"""

import ast
import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scratch_fs import tmpfs
from sim_clients import C01_SESSIONS, DAY, SHORT, WEEK1, review_archive

from runcue import records
from runcue.logsync import SyncLog
from runcue_host.archive import Archive, ArchiveError
from runcue_host.archive import copy as archive_copy
from runcue_host.archive import logdecode as sessions

from conftest import damage

HERE = Path(__file__).resolve().parents[2] / "host_tools" / "runcue_host" / "archive"


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    return review_archive(tmp_path_factory)


@pytest.fixture(params=["sqlite", "postgresql"])
def new_archive(request, tmp_path):
    """A maker of new, empty archive targets on the engine under test: a file path, or a
    new database of the test session's PostgreSQL cluster."""
    def make(name="a"):
        if request.param == "sqlite":
            return tmp_path / (name + ".sqlite")
        cluster = request.getfixturevalue("pg_cluster")
        return cluster.url(cluster.new_db())
    return make


@pytest.fixture
def review_in(review, new_archive):
    """A copy of the review archive on the engine under test, to change in one test."""
    def make():
        target = new_archive()
        if isinstance(target, Path):
            return review.copy(target)
        archive_copy.copy(review.path, target)
        return target
    return make


def _counts(target):
    """Rows per table, read straight from the engine (no Archive: it might migrate or switch something)."""
    tables = ("devices", "sessions", "segments", "raw_records")
    if isinstance(target, str):
        import psycopg

        with psycopg.connect(target) as db:
            return {t: db.execute("SELECT COUNT(*) FROM %s" % t).fetchone()[0] for t in tables}  # type: ignore
    db = sqlite3.connect(str(target))
    try:
        return {t: db.execute("SELECT COUNT(*) FROM %s" % t).fetchone()[0] for t in tables}
    finally:
        db.close()


def _split(log):
    """Each session's bytes, in order."""
    return [b"".join(it[2] for it in group) for group in sessions.split(sessions.frames(log))]


def test_a_repeated_sync_stores_nothing_twice(review, review_in):
    path = review_in()
    before = _counts(path)
    with Archive(path) as arc:
        listed = arc.sessions()
        f = review.flash["C01"]
        res = arc.store(f["device_id"], "C01", f["log"], [WEEK1.to_json()], review.ctx("C01"))
        assert (res["new"], res["duplicate"], res["bytes"]) == (0, len(C01_SESSIONS), 0)
        assert arc.sessions() == listed
    assert _counts(path) == before


def test_a_sync_broken_before_the_ack_is_simply_repeated(review, new_archive):
    f = review.flash["C01"]
    parts = _split(f["log"])
    with Archive(new_archive()) as arc:
        first = arc.store(f["device_id"], "C01", b"".join(parts[:4]), [], review.ctx("C01"))
        assert first["new"] == 4 and arc.cursor(f["device_id"]) == 5
        again = arc.store(f["device_id"], "C01", f["log"], [], review.ctx("C01"))
        assert (again["new"], again["duplicate"]) == (len(parts) - 4, 4)
        assert [s["seq"] for s in arc.sessions()] == list(range(1, len(parts) + 1))


def test_a_record_arriving_again_with_other_bytes_stops_the_sync_and_stores_nothing(review, new_archive):
    f = review.flash["C01"]
    parts = _split(f["log"])
    path = new_archive()
    with Archive(path) as arc:
        arc.store(f["device_id"], "C01", b"".join(parts[:3]), [], review.ctx("C01"))
    before = _counts(path)
    items = sessions.split(sessions.frames(parts[1]))[0]
    assert items[-1][0] == records.CHECKIN
    changed = b"".join(it[2] for it in items[:-1]) + records.encode(records.CHECKIN, 1, 2, 0)
    with Archive(path) as arc, pytest.raises(ArchiveError) as err:
        arc.store(f["device_id"], "C01", changed + b"".join(parts[3:]), [], review.ctx("C01"))
    msg = str(err.value)
    assert "device %s session 2 record %d arrived again with different bytes" % (
        f["device_id"], len(items) - 1) in msg
    assert "\n" not in msg
    assert _counts(path) == before  # the new sessions 4.. were rolled back too
    with Archive(path) as arc:
        assert arc.cursor(f["device_id"]) == 4


def test_corrupt_bytes_are_refused_before_anything_is_stored(review, new_archive):
    f = review.flash["C01"]
    log = bytearray(f["log"])
    log[len(log) // 2] ^= 0x40
    path = new_archive()
    with Archive(path) as arc, pytest.raises(ArchiveError, match="not whole sessions.*nothing stored"):
        arc.store(f["device_id"], "C01", bytes(log), [], review.ctx("C01"))
    assert _counts(path) == {"devices": 0, "sessions": 0, "segments": 0, "raw_records": 0}


def test_the_archive_and_its_wal_files_are_readable_by_the_owner_only(review, tmp_path):
    path = tmp_path / "new" / "dir" / "a.sqlite"
    old = os.umask(0o022)
    try:
        with Archive(path) as arc:
            f = review.flash["C02"]
            arc.store(f["device_id"], "C02", f["log"], [], review.ctx("C02"))
            files = [path, Path(str(path) + "-wal"), Path(str(path) + "-shm")]
            assert all(p.exists() for p in files)
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in files}
    finally:
        os.umask(old)
    assert set(modes.values()) == {0o600}, modes
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_the_cursor_is_one_past_the_highest_stored_session(review, new_archive, review_in):
    with Archive(new_archive()) as arc:
        assert arc.cursor(review.devices["C01"]) == 1
    with Archive(review_in()) as arc:
        assert arc.cursor(review.devices["C01"]) == len(C01_SESSIONS) + 1
        assert arc.cursor(review.devices["C02"]) == 4


def test_a_watch_of_another_client_is_not_merged_silently(review, review_in):
    path = review_in()
    f = review.flash["C01"]
    dev = f["device_id"]
    with Archive(path) as arc:
        with pytest.raises(ArchiveError, match="synced for client C01 before and now says C03"):
            arc.check_device(dev, "C03")
        with pytest.raises(ArchiveError, match="--accept-reassign"):
            arc.store(dev, "C03", f["log"], [], review.ctx("C01"))
        assert "C03" not in arc.clients()
        assert arc.check_device(dev, "C03", accept_reassign=True) == ["watch %s moves from client C01 to C03" % dev]
        notes = arc.check_device("00000000000000ab", "C01")
        assert notes == ["client C01 now also syncs from watch 00000000000000ab (before: %s)" % dev]
        assert arc.check_device("00000000000000ac", None) == []  # an unassigned watch syncs as client null
        arc.store("00000000000000ac", None, b"", [], {"host_time": 1_800_000_000})
        assert arc.check_device("00000000000000ac", "C04") == [  # then gets its client: no re-assignment
            "watch 00000000000000ac is now assigned to client C04 (its earlier sessions stay without a client)"]
        with pytest.raises(ArchiveError, match="client code"):
            arc.check_device(dev, "C 01; DROP")


def test_sessions_with_the_clock_set_are_placed_exactly_and_without_it_approximately(review, review_in):
    with Archive(review_in()) as arc:
        c01 = arc.session_rows("C01")
        c02 = arc.session_rows("C02")
    starts = [f[4] for t, f, _ in sessions.frames(review.flash["C01"]["log"]) if t == records.START]
    assert [r["started_at"] for r in c01] == starts and not any(r["started_approx"] for r in c01)
    assert all(r["started_approx"] for r in c02)
    sync = review.hosts["C02"]
    assert c02[-1]["started_at"] + c02[-1]["wall_s"] <= sync  # before the sync, never after
    starts = [it for it in sessions.frames(review.flash["C02"]["log"]) if it[0] == records.START]
    assert starts[0][1][5] == starts[1][1][5]  # one boot: the gap between them is kept
    assert c02[1]["started_at"] - c02[0]["started_at"] == starts[1][1][6] - starts[0][1][6] > DAY // 1000


def test_a_session_in_the_sync_boot_is_placed_by_uptime():
    s = {"rtc": 0, "boot": 7, "uptime_s": 1000, "wall_s": 600}
    ctx = {"host_time": 1_800_000_000, "device_clock": 0, "uptime_s": 5000, "boots": 7}
    sessions.place([s], ctx, None)
    assert (s["started_at"], s["started_approx"]) == (1_800_000_000 - 4000, True)
    s2 = {"rtc": 0, "boot": 3, "uptime_s": 10, "wall_s": 600}
    sessions.place([s2], ctx, 1_700_000_000)  # an earlier boot: just after the last known end
    assert (s2["started_at"], s2["started_approx"]) == (1_700_000_000, True)


def test_a_clock_reading_before_2025_or_after_the_sync_is_no_time_the_session_is_placed_approximately():
    host = 1_800_000_000
    ctx = {"host_time": host, "device_clock": host, "uptime_s": 5000, "boots": 9}
    rows = [{"seq": 1, "rtc": 86400, "boot": 3, "uptime_s": 100, "wall_s": 600},  # an RTC that lost power: 1970
            {"seq": 2, "rtc": 4_102_444_800, "boot": 4, "uptime_s": 100, "wall_s": 600},  # 2100
            {"seq": 3, "rtc": host - 7200, "boot": 5, "uptime_s": 100, "wall_s": 600}]  # a good clock
    notes = []
    sessions.place(rows, ctx, host - 10 * 86400, notes)
    assert [r["started_approx"] for r in rows] == [True, True, False]
    assert host - 10 * 86400 <= rows[0]["started_at"] < rows[1]["started_at"] < rows[2]["started_at"] == host - 7200
    assert len(notes) == 2 and "session 1: the watch clock read 1970-01-02 00:00 UTC, which is no time" in notes[0]
    assert "2100-01-01" in notes[1]


def test_a_watch_clock_found_days_off_at_the_sync_makes_the_times_it_gave_approximate():
    host = 1_800_000_000
    off = -424132  # the watch is about five days slow
    ctx = {"host_time": host, "device_clock": host + off, "uptime_s": 5000, "boots": 9}
    earlier = {"seq": 1, "rtc": host + off - 86400, "boot": 8, "uptime_s": 100, "wall_s": 600}
    this_boot = {"seq": 2, "rtc": host + off - 1000, "boot": 9, "uptime_s": 4000, "wall_s": 600}
    sessions.place([earlier, this_boot], ctx, None)
    assert earlier["started_approx"] and this_boot["started_approx"]
    assert earlier["started_at"] == host + off - 86400  # what the watch said, marked ≈
    assert this_boot["started_at"] == host - 1000  # this boot's start is known from the laptop's clock


def test_the_sessions_list_has_the_designed_shape(review, review_in):
    with Archive(review_in()) as arc:
        rows = arc.sessions()
    assert len(rows) == len(C01_SESSIONS) + 3
    for r in rows:
        assert {"device", "client", "seq", "program_id", "started_at", "status", "planned_s", "done_s"} <= set(r)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r["started_at"])
        assert r["status"] in ("completed", "stopped", "interrupted")
    assert [r["status"] for r in rows if r["client"] == "C02"] == ["completed", "stopped", "interrupted"]


def test_segments_add_up_to_the_active_time_with_skips_and_pauses(review, review_in):
    with Archive(review_in()) as arc:
        rows = {(r["device_id"], r["seq"]): r for r in arc.session_rows()}
        segs = arc.segment_rows()
    for key, r in rows.items():
        mine = [g for g in segs if (g["device_id"], g["seq"]) == key]
        assert sum(g["done_ms"] for g in mine) == r["done_s"] * 1000, key
        assert all(g["planned_ms"] is not None and g["kind"] for g in mine)
    c01 = [r for r in rows.values() if r["client"] == "C01"]
    assert c01[1]["wall_s"] - c01[1]["done_s"] == 120  # the paused session
    skipped = [g for g in segs if g["skipped"]]
    assert [(g["seq"], g["idx"]) for g in skipped] == [(3, 2), (7, 0)]
    cut = [r for r in rows.values() if r["status"] == "interrupted"]
    assert len(cut) == 1 and cut[0]["done_s"] > 0 and cut[0]["mood_after"] is None


def test_a_program_learnt_after_its_sessions_fills_in_their_plan(review, new_archive):
    f = review.flash["C02"]
    with Archive(new_archive()) as arc:
        arc.store(f["device_id"], "C02", f["log"], [], review.ctx("C02"))
        assert {r["planned_s"] for r in arc.sessions()} == {None}
        assert {g["kind"] for g in arc.segment_rows()} == {None}
        arc.add_program(SHORT.to_json())
        assert {r["planned_s"] for r in arc.sessions()} == {SHORT.total_ms // 1000}
        assert {g["kind"] for g in arc.segment_rows()} == {"walk", "run"}


def test_a_session_logged_only_as_a_summary_is_stored_without_segments(tmp_path, new_archive):
    store = SyncLog(str(tmp_path / "log"), check_every=0)  # free space looked up before every record
    store.open()
    free = [10 ** 9]
    store.free_bytes = lambda: free[0]
    store.begin(WEEK1.id(), 255, 255, 1_800_000_000, 10, 3)  # logging turns off midway
    store.append(records.SEG, 300)
    free[0] = 0
    store.append(records.SEG, 360)
    store.end(records.STOPPED, 400, 400)
    store.checkin(2, 1, 2)
    store.begin(WEEK1.id(), 255, 255, 1_800_100_000, 10, 4)  # logging off from the start
    store.end(records.COMPLETED, 1800, 1800)
    store.checkin(4, 1, 0)
    data, _ = store.read_from(1, 1 << 16)
    with Archive(new_archive()) as arc:
        bad = '{"v":1,"name":"x","lang":"en","items":[]}'  # a program the watch could not play
        res = arc.store(store.device_id, None, data, [WEEK1.to_json(), bad], {"host_time": 1_800_200_000})
        assert res["new"] == 2 and res["notes"] == [
            "a program from the watch was not kept: program: a program needs at least one segment"]
        rows = arc.session_rows()
        segs = arc.segment_rows()
    assert [(r["status"], r["logged_whole"], r["stop_reason"], r["mood_after"]) for r in rows] == [
        ("stopped", False, "pain", 2), ("completed", False, None, 4)]
    assert [(g["seq"], g["idx"], g["done_ms"]) for g in segs] == [(1, 0, 300000)]
    assert rows[0]["client"] is None


def test_the_schema_is_versioned_and_a_newer_archive_is_refused(tmp_path):
    path = tmp_path / "a.sqlite"
    Archive(path).close()
    with Archive(path) as arc:
        assert arc.schema_version() == 2  # 2: the clinic's tables
        assert arc.db.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == 2
        arc.db.execute("INSERT INTO schema_version (version, applied_at) VALUES (99, 0)")
    with pytest.raises(ArchiveError, match="schema version 99 is newer"):
        Archive(path)
    (tmp_path / "junk").write_bytes(b"not a database" * 100)
    with pytest.raises(ArchiveError, match="not a runcue archive"):
        Archive(tmp_path / "junk")
    other = sqlite3.connect(str(tmp_path / "other.db"))  # another program's database is left alone
    other.execute("CREATE TABLE notes (body TEXT)")
    other.commit()
    other.close()
    with pytest.raises(ArchiveError, match="not a runcue archive .*no such table"):
        Archive(tmp_path / "other.db")
    other = sqlite3.connect(str(tmp_path / "other.db"))
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # not switched to WAL
    assert [r[0] for r in other.execute("SELECT name FROM sqlite_master")] == ["notes"]
    other.close()
    with pytest.raises(ArchiveError, match="no archive there"):
        Archive(tmp_path / "missing.sqlite", create=False)


def test_an_archive_of_an_older_version_is_upgraded_by_a_write_and_keeps_its_sessions(review, new_archive,
                                                                                      monkeypatch):
    from runcue_host.archive import schema

    target = new_archive()
    f = review.flash["C02"]
    with monkeypatch.context() as older:  # as the runcue before the clinic's tables made it
        older.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])
        older.setattr(schema, "SCHEMA_VERSION", 1)
        with Archive(target) as arc:
            arc.store(f["device_id"], "C02", f["log"], [], review.ctx("C02"))
    with pytest.raises(ArchiveError, match="needs an upgrade to schema version 2 .it has 1.*only reads"):
        Archive(target, read_only=True)
    with Archive(target) as arc:
        assert arc.schema_version() == 2
    with Archive(target, read_only=True) as arc:
        assert [s["status"] for s in arc.sessions()] == ["completed", "stopped", "interrupted"]


def _sql_literals():
    """Every string constant in the archive modules that is an SQL statement (or a piece of one)."""
    out = []
    for path in sorted(HERE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.match(
                    r"\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|BEGIN|COMMIT|ROLLBACK|PRAGMA)\b", node.value):
                out.append(node.value)
    return out


def test_queries_stay_portable_to_postgresql():
    sql = _sql_literals()
    assert len(sql) > 20
    pragmas = [q for q in sql if q.startswith("PRAGMA")]
    assert sorted(pragmas) == ["PRAGMA foreign_keys = ON", "PRAGMA journal_mode = WAL",  # the connection,
                               "PRAGMA quick_check"]  # not queries
    text = "\n".join(q for q in sql if q not in pragmas).upper()
    for bad in ("INSERT OR", "REPLACE INTO", "ROWID", "AUTOINCREMENT", "STRFTIME(", "JULIANDAY", " BLOB",
                "WITHOUT ROWID", "GLOB "):
        assert bad not in text, bad


# -- what goes wrong with the file, said as it is --------------------------------------------

def test_a_damaged_archive_is_named_damaged_with_what_to_do_before_a_sync_writes(review, tmp_path):
    path = review.copy(tmp_path / "a.sqlite")
    damage(path, "raw_records")  # the sessions list still reads; only a full check sees this
    with pytest.raises(ArchiveError, match=r"archive is damaged.*restore it from a backup.*\.recover"):
        Archive(path)


def test_a_second_writer_waits_then_is_told_the_archive_is_in_use(review, tmp_path, monkeypatch):
    from runcue_host.archive import sqlite_file

    monkeypatch.setattr(sqlite_file, "BUSY_TIMEOUT_S", 0.2)  # not the usual seconds
    path = tmp_path / "a.sqlite"
    Archive(path).close()
    f = review.flash["C02"]
    other = sqlite3.connect(str(path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another runcue, in the middle of its sync
    try:
        with Archive(path) as arc:
            with pytest.raises(ArchiveError, match="in use by another runcue.*try again"):
                arc.store(f["device_id"], "C02", f["log"], [], review.ctx("C02"))
            other.execute("ROLLBACK")
            assert arc.store(f["device_id"], "C02", f["log"], [], review.ctx("C02"))["new"] == 3
    finally:
        other.close()


FIRST_SYNC = """
import json, sys, time
from runcue_host.archive import Archive
path, start, job = sys.argv[1], float(sys.argv[2]), json.load(open(sys.argv[3]))
time.sleep(max(0.0, start - time.time()))
with Archive(path) as arc:
    arc.store(job["device_id"], job["client"], bytes.fromhex(job["log"]), [], job["ctx"])
"""


def test_first_syncs_creating_one_archive_at_once_all_succeed(review, tmp_path, new_archive):
    jobs = []
    for client in ("C01", "C02"):
        f = review.flash[client]
        job = tmp_path / (client + ".json")
        job.write_text(json.dumps({"device_id": f["device_id"], "client": client, "log": f["log"].hex(),
                                   "ctx": review.ctx(client)}))
        jobs.append(job)
    for attempt in range(3):
        path = new_archive("a%d" % attempt)
        start = time.time() + 2.0  # every process imported and waiting by then
        procs = [subprocess.Popen([sys.executable, "-c", FIRST_SYNC, str(path), str(start), str(jobs[i % 2])],
                                  stderr=subprocess.PIPE) for i in range(4)]
        errors = [p.communicate(timeout=120)[1].decode() for p in procs]
        assert [p.returncode for p in procs] == [0] * 4, errors
        assert _counts(path)["sessions"] == len(C01_SESSIONS) + 3


def test_a_full_disk_at_commit_stores_nothing_and_says_so(review, tmp_path):
    f1, f2 = review.flash["C01"], review.flash["C02"]
    with tmpfs(tmp_path / "small", 1024) as disk:
        path = disk.path / "a.sqlite"
        with Archive(path) as arc:
            arc.store(f1["device_id"], "C01", f1["log"], [], review.ctx("C01"))
        before = _counts(path)
        with Archive(path) as arc:
            disk.fill()
            with pytest.raises(ArchiveError, match="disk full: nothing of this change was stored"):
                arc.store(f2["device_id"], "C02", f2["log"], [], review.ctx("C02"))
            assert _counts(path) == before
            disk.free()
            assert arc.store(f2["device_id"], "C02", f2["log"], [], review.ctx("C02"))["new"] == 3
        assert _counts(path)["sessions"] == before["sessions"] + 3


def test_an_archive_on_read_only_media_is_said_to_be_read_only_when_written(review, tmp_path):
    with tmpfs(tmp_path / "stick", 1024) as disk:
        path = review.copy(disk.path / "a.sqlite")
        disk.read_only()
        with pytest.raises(ArchiveError, match="read-only file system") as err:
            Archive(path)
        assert "not a runcue archive" not in str(err.value)
        with Archive(path, create=False, read_only=True) as arc:
            assert len(arc.sessions()) == len(C01_SESSIONS) + 3


def test_an_existing_archive_and_its_wal_files_are_made_owner_only(review, tmp_path):
    src = review.copy(tmp_path / "src.sqlite")
    left = sqlite3.connect(str(src), isolation_level=None)  # left open: a runcue killed mid-sync
    left.execute("PRAGMA journal_mode = WAL")
    left.execute("PRAGMA wal_autocheckpoint = 0")
    left.execute("UPDATE devices SET last_sync = last_sync + 1")
    path = tmp_path / "a.sqlite"
    files = [path, Path(str(path) + "-wal"), Path(str(path) + "-shm")]
    for name, dest in zip(("", "-wal", "-shm"), files, strict=True):
        shutil.copyfile(str(src) + name, dest)
        dest.chmod(0o644)  # as an older runcue, or a copy, left them
    left.close()
    old = os.umask(0o022)
    try:
        for read_only in (True, False):
            with Archive(path, read_only=read_only) as arc:
                assert len(arc.sessions()) == len(C01_SESSIONS) + 3
                modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in files if p.exists()}
            assert set(modes.values()) == {0o600} and len(modes) == 3, (read_only, modes)
            for p in files:
                if p.exists():
                    p.chmod(0o644)
    finally:
        os.umask(old)


def test_an_archive_that_is_a_symlink_is_refused(review, tmp_path):
    path = review.copy(tmp_path / "a.sqlite")
    link = tmp_path / "link.sqlite"
    link.symlink_to(path)
    for kw in ({}, {"create": False, "read_only": True}):
        with pytest.raises(ArchiveError, match="is a symlink.*real path"):
            Archive(link, **kw)
