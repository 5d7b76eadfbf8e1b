"""What only a practice's PostgreSQL archive has to keep: copies between engines, dropped connections,
many syncs at once.

The engine-neutral promises (exactly once, changed bytes refused, placement,
migrations) are tests/unit/test_archive.py, run on both engines.
"""

import sqlite3
import sys
from pathlib import Path

import psycopg
import pytest
from sim_clients import C01_SESSIONS, review_archive

from runcue_host.archive import Archive, ArchiveError
from runcue_host.archive import copy as archive_copy

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import bench_clinic  # noqa: E402

TABLES = ("clients", "devices", "sessions", "segments", "raw_records", "programs", "plans", "plan_programs")


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    return review_archive(tmp_path_factory)


def _contents(target):
    """Every copied table's rows, sorted, as plain values (the same on both engines)."""
    out = {}
    with Archive(target, read_only=True) as arc:
        for table in TABLES:
            rows = arc.execute("SELECT * FROM %s" % table).fetchall()
            out[table] = sorted(tuple(bytes(v) if isinstance(v, memoryview | bytes) else
                                      (int(v) if isinstance(v, bool) else v) for v in r) for r in rows)
    out["clients"] = [r[:2] for r in out["clients"]]  # who treats a client stays with its archive
    return out


def _nothing_added(result):
    return {k: v for k, v in result.items() if k != "where"} == dict.fromkeys(TABLES + ("syncs",), 0)


def test_an_archive_copied_into_postgresql_and_back_is_the_same_and_a_second_copy_adds_nothing(
        review, pg_cluster, tmp_path):
    url = pg_cluster.url(pg_cluster.new_db())
    added = archive_copy.copy(review.path, url)
    assert added["sessions"] == len(C01_SESSIONS) + 3 and added["raw_records"] > 0
    assert _nothing_added(archive_copy.copy(review.path, url))
    back = tmp_path / "back.sqlite"
    archive_copy.copy(url, back)
    assert _nothing_added(archive_copy.copy(url, back))
    assert _contents(review.path) == _contents(url) == _contents(back)


def _edited(review, path, *statements):
    """A copy of the review archive changed behind runcue's back (foreign keys off, as a careless tool)."""
    db = sqlite3.connect(str(review.copy(path)))
    for sql in statements:
        db.execute(sql)
    db.commit()
    db.close()
    return path


def test_a_copy_that_meets_other_bytes_or_another_clients_watch_copies_nothing(review, pg_cluster, tmp_path):
    url = pg_cluster.url(pg_cluster.new_db())
    archive_copy.copy(review.path, url)
    changed = _edited(review, tmp_path / "changed.sqlite", "UPDATE raw_records SET bytes = X'00' WHERE seq = 2 AND"
                      " idx = 1", "INSERT INTO clients (code, first_seen) VALUES ('C09', 0)")
    with pytest.raises(ArchiveError, match="session 2 record 1: other bytes in .* nothing copied"):
        archive_copy.copy(changed, url)
    with Archive(url, read_only=True) as arc:
        assert "C09" not in arc.clients()
    moved = _edited(review, tmp_path / "moved.sqlite", "INSERT INTO clients (code, first_seen) VALUES ('C03', 0)",
                    "UPDATE devices SET client = 'C03' WHERE client = 'C01'")
    with pytest.raises(ArchiveError, match="belongs to client C01 in .* and to C03 in .*nothing copied"):
        archive_copy.copy(moved, url)
    bad = _edited(review, tmp_path / "bad.sqlite",  # a name, not a code
                  "UPDATE clients SET code = 'Jan Jansen' WHERE code = 'C02'")
    with pytest.raises(ArchiveError, match="'Jan Jansen', which is no client code: nothing copied"):
        archive_copy.copy(bad, tmp_path / "new.sqlite")


def test_a_sync_whose_database_connection_drops_midway_stores_nothing(review, pg_cluster):
    url = pg_cluster.url(pg_cluster.new_db())
    f = review.flash["C01"]
    with Archive(url) as arc:
        pid = arc.one("SELECT pg_backend_pid()")[0]
        real, inserts = arc.execute, []

        def execute(sql, args=()):
            if sql.startswith("INSERT INTO raw_records"):
                inserts.append(sql)
                if len(inserts) == 30:  # several sessions in: the server goes away
                    pg_cluster.sql("SELECT pg_terminate_backend(%d)" % pid)
            return real(sql, args)

        arc.execute = execute
        with pytest.raises(ArchiveError, match="connection to the database was lost.*nothing of this change was"
                                               " stored"):
            arc.store(f["device_id"], "C01", f["log"], [], review.ctx("C01"))
    with psycopg.connect(url) as db:
        assert db.execute("SELECT (SELECT COUNT(*) FROM sessions) + (SELECT COUNT(*) FROM raw_records)"
                          " + (SELECT COUNT(*) FROM devices)").fetchone()[0] == 0
    with Archive(url) as arc:  # the sync, repeated, stores everything
        assert arc.store(f["device_id"], "C01", f["log"], [], review.ctx("C01"))["new"] == len(C01_SESSIONS)


def test_concurrent_syncs_with_one_killed_store_every_session_once(pg_cluster):
    r = bench_clinic.run(watches=4, sessions=8, procs=3, rounds=2, cluster=pg_cluster, reports=False)
    assert (r["stored"], r["lost"], r["doubled"], r["acked_not_stored"]) == (32, 0, 0, 0), r
    assert r["raw_ok"] and r["syncs"][-1] == 0  # the last round found everything stored
