"""A practice's archive on PostgreSQL: each therapist sees only their clients, every access is logged.

A real PostgreSQL (the test session's private cluster, tests/pg_cluster.py)
holds the review archive (tests/sim_clients.py: clients C01 and C02), copied in
by the database owner.  Therapists anna (C01) and bram (C02) and the admin
petra then connect as themselves, with their passwords given as libpq takes
them (PGPASSWORD), and the database alone decides what each may see and do.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from sim_clients import C01_SESSIONS, review_archive

from runcue_host.archive import Archive, ArchiveError, clinic
from runcue_host.archive import copy as archive_copy

RUNCUE = Path(sys.executable).parent / "runcue"
PASSWORDS = {"anna": "anna-pw", "bram": "bram-pw", "petra": "petra-pw", "stranger": "stranger-pw"}


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    return review_archive(tmp_path_factory)


class Clinic:
    def __init__(self, cluster, db):
        self.cluster = cluster
        self.db = db
        self.owner = cluster.url(db)

    def url(self, user):
        return self.cluster.url(self.db, user)

    def connect(self, user):
        """A plain connection as ``user`` (their password from PGPASSWORD, as libpq reads it)."""
        return psycopg.connect(self.url(user), autocommit=True, password=PASSWORDS[user])

    def archive(self, user, monkeypatch, **kw):
        monkeypatch.setenv("PGPASSWORD", PASSWORDS[user])
        return Archive(self.url(user), **kw)


@pytest.fixture(scope="module")
def practice(pg_cluster, review):
    db = pg_cluster.new_db("clinic")
    c = Clinic(pg_cluster, db)
    archive_copy.copy(review.path, c.owner)
    with Archive(c.owner) as arc:
        clinic.init(arc)
        for name in ("anna", "bram"):
            clinic.add_therapist(arc, name)
        clinic.assign(arc, "C01", "anna")
        clinic.assign(arc, "C02", "bram")
    pg_cluster.sql(["ALTER ROLE %s PASSWORD '%s'" % (name, pw) for name, pw in PASSWORDS.items()
                    if name in ("anna", "bram")]
                   + ["DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'petra') THEN"
                      " CREATE ROLE petra LOGIN; END IF; END $$",
                      "ALTER ROLE petra PASSWORD 'petra-pw'", "GRANT runcue_admin TO petra",
                      "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stranger') THEN"
                      " CREATE ROLE stranger LOGIN; END IF; END $$",
                      "ALTER ROLE stranger PASSWORD 'stranger-pw'"])
    return c


def _access(url):
    """Everything `clinic init` sets up, as the database lists it."""
    with psycopg.connect(url) as db:
        return [db.execute(q).fetchall() for q in (
            "SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname LIKE 'runcue%' ORDER BY 1",
            "SELECT tablename, policyname, cmd, qual, with_check FROM pg_policies ORDER BY 1, 2",
            "SELECT grantee, table_name, privilege_type FROM information_schema.role_table_grants"
            " WHERE grantee LIKE 'runcue%' ORDER BY 1, 2, 3",
            "SELECT relname, relrowsecurity FROM pg_class WHERE relkind = 'r' AND relnamespace ="
            " 'public'::regnamespace ORDER BY 1",
            "SELECT tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1",
            "SELECT version FROM schema_version ORDER BY 1")]


def test_clinic_init_twice_changes_nothing(practice):
    before = _access(practice.owner)
    assert any(p[0] == "sessions" for p in before[1]) and before[5] == [(1,), (2,)]
    with Archive(practice.owner) as arc:
        clinic.init(arc)
    assert _access(practice.owner) == before


def test_each_therapist_sees_only_their_own_clients_and_the_admin_all(practice, monkeypatch):
    seen = {}
    for user in ("anna", "bram", "petra"):
        with practice.archive(user, monkeypatch, read_only=True) as arc:
            seen[user] = ({s["client"] for s in arc.sessions()}, {g["device_id"] for g in arc.segment_rows()},
                          arc.clients())
    assert seen["anna"][0] == {"C01"} and seen["anna"][2] == ["C01"]
    assert seen["bram"][0] == {"C02"} and seen["bram"][2] == ["C02"]
    assert seen["petra"][0] == {"C01", "C02"} and len(seen["petra"][1]) == 2
    with practice.connect("anna") as db:  # the database decides, not runcue: anna's own SQL sees the same
        assert {r[0] for r in db.execute("SELECT client FROM sessions")} == {"C01"}
        assert db.execute("SELECT COUNT(*) FROM raw_records r JOIN sessions s USING (device_id, seq)"
                          " WHERE s.client = 'C02'").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM raw_records").fetchone()[0] > 0


def test_a_therapist_cannot_store_or_change_another_therapists_client(practice, review, monkeypatch):
    f = review.flash["C02"]
    with practice.archive("anna", monkeypatch) as arc:
        with pytest.raises(ArchiveError, match="client C02 is not one of your clients .you are anna.: nothing stored"):
            arc.store(f["device_id"], "C02", f["log"], [], review.ctx("C02"))
        with pytest.raises(ArchiveError, match="a watch with no client is not one of your clients"):
            arc.store("00000000000000ad", None, b"", [], review.ctx("C02"))
        with pytest.raises(ArchiveError, match="client C02 is not one of your clients"):
            arc.check_device(f["device_id"], "C02")  # as `runcue sync` asks before it reads the watch
    with practice.connect("petra") as db:
        assert db.execute("SELECT db_user FROM audit_log WHERE event = 'sync-refused' AND client = 'C02'"
                          ).fetchall() == [("anna",)]  # the attempt is on the client's record too
    with practice.connect("anna") as db:
        for sql in ("UPDATE clients SET therapist = 'anna' WHERE code = 'C02'",
                    "INSERT INTO devices (device_id, client, first_seen, last_sync) VALUES ('00000000000000ae',"
                    " 'C02', 0, 0)",
                    "UPDATE sessions SET done_s = 0 WHERE client = 'C02'",
                    "SELECT * FROM audit_log", "INSERT INTO therapists (name, added_at) VALUES ('anna2', 0)"):
            try:
                cur = db.execute(sql)
                assert cur.rowcount == 0, sql  # an UPDATE of rows anna cannot see touches none
            except psycopg.errors.InsufficientPrivilege:
                pass
    with Archive(practice.owner, read_only=True) as arc:
        rows = arc.session_rows("C02")
    assert len(rows) == 3 and all(r["done_s"] > 0 for r in rows)


def test_a_therapist_syncs_their_own_clients_watch_and_it_is_logged(practice, review, monkeypatch):
    f = review.flash["C01"]
    with practice.archive("anna", monkeypatch) as arc:
        res = arc.store(f["device_id"], "C01", f["log"], [], review.ctx("C01"))
    assert (res["new"], res["duplicate"]) == (0, len(C01_SESSIONS))
    with practice.archive("petra", monkeypatch, read_only=True) as arc:
        log = clinic.audit_rows(arc, "C01")
    events = [(r["event"], r["db_user"]) for r in log]
    assert ("copy-in", "postgres") in events and ("assign", "postgres") in events
    assert ("sync", "anna") in events
    assert all(r["client"] == "C01" and r["at"].endswith("Z") and r["on_behalf"] and r["command"] for r in log)


def test_every_read_of_a_clients_data_is_in_the_audit_log_with_who_and_from_where(practice, monkeypatch):
    monkeypatch.setenv("RUNCUE_ON_BEHALF", "desk-2")
    with practice.archive("bram", monkeypatch, read_only=True, command="runcue report") as arc:
        arc.session_rows()
    with practice.connect("petra") as db:
        row = db.execute("SELECT event, db_user, on_behalf, command, detail FROM audit_log WHERE client = 'C02'"
                         " AND on_behalf = 'desk-2'").fetchall()
    assert row == [("read", "bram", "desk-2", "runcue report", "3 sessions")]


def test_the_audit_log_is_append_only_for_every_role_and_its_user_and_time_cannot_be_forged(practice):
    with practice.connect("petra") as db:
        n = db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    assert n > 0
    for user in ("anna", "bram", "petra", "owner"):
        db = psycopg.connect(practice.owner, autocommit=True) if user == "owner" else practice.connect(user)
        with db:
            for sql in ("UPDATE audit_log SET db_user = 'nobody'", "DELETE FROM audit_log",
                        "TRUNCATE audit_log"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    db.execute(sql)
    with practice.connect("anna") as db:  # a row anna writes says anna and the server's time, whatever she sends
        db.execute("INSERT INTO audit_log (at, event, client, db_user, on_behalf, command, detail)"
                   " VALUES (0, 'read', 'C01', 'bram', 'x', 'x', 'forged')")
    with practice.connect("petra") as db:
        assert db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == n + 1
        at, who = db.execute("SELECT at, db_user FROM audit_log WHERE detail = 'forged'").fetchone()
    assert who == "anna" and at > 1_700_000_000


def test_assign_reassign_and_unassign_are_logged_and_take_effect(practice, monkeypatch):
    with Archive(practice.owner) as arc:
        assert clinic.assign(arc, "C02", "anna") == ["client C02 moves from bram to anna"]
    with practice.archive("anna", monkeypatch, read_only=True) as arc:
        assert {s["client"] for s in arc.sessions()} == {"C01", "C02"}
    with Archive(practice.owner) as arc:
        assert clinic.unassign(arc, "C02") == ["client C02: no longer treated by anna"]
        assert clinic.assign(arc, "C02", "bram") == ["client C02: treated by bram"]
        with pytest.raises(ArchiveError, match="therapist carla: not in .*add-therapist carla"):
            clinic.assign(arc, "C02", "carla")
        with pytest.raises(ArchiveError, match="a therapist's name is their database login"):
            clinic.add_therapist(arc, "Robert'); DROP TABLE sessions; --")
        events = [r["event"] for r in clinic.audit_rows(arc, "C02") if r["event"] != "read"]
    assert events[-3:] == ["reassign", "unassign", "assign"]


def _runcue(*args, **env):
    proc = subprocess.run([str(RUNCUE), *map(str, args)], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, COLUMNS="160", NO_COLOR="1", **env), stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout, proc.stderr


def test_connection_failures_are_one_clear_line_and_exit_2(practice, pg_cluster):
    down = "postgresql://postgres@/%s?host=%s&port=%d" % (practice.db, pg_cluster.host, pg_cluster.port + 1)
    cases = [
        (down, {}, "cannot reach the database server"),
        (practice.url("anna"), {"PGPASSWORD": "wrong"}, "wrong password for the database user"),
        (practice.url("stranger"), {"PGPASSWORD": "stranger-pw"}, "permission denied"),
        (pg_cluster.url("no_such_db"), {}, "no such database"),
    ]
    for url, env, expected in cases:
        rc, out, err = _runcue("sessions", "--archive", url, **env)
        assert rc == 2 and out == "", (url, err)
        assert err.startswith("runcue: ") and err.count("\n") == 1 and expected in err, err
        assert "Traceback" not in err and "wrong" not in err.replace("wrong password", "")  # no password shown


def test_the_clinic_commands_work_from_the_command_line(practice, tmp_path):
    rc, out, err = _runcue("clinic", "init", "--archive", practice.owner)
    assert rc == 0 and "row-level security" in out, err
    rc, out, err = _runcue("clinic", "audit", "--client", "C01", "--json", "--archive", practice.owner)
    assert rc == 0, err
    rows = json.loads(out)
    assert rows and set(rows[0]) == {"at", "event", "client", "db_user", "on_behalf", "command", "detail"}
    rc, out, err = _runcue("sessions", "--json", RUNCUE_ARCHIVE=practice.url("anna"), PGPASSWORD="anna-pw")
    assert rc == 0, err
    assert {s["client"] for s in json.loads(out)} == {"C01"}
    as_anna = {"RUNCUE_ARCHIVE": practice.url("anna"), "PGPASSWORD": "anna-pw"}
    rc, out, err = _runcue("export", "csv", "--out", tmp_path / "csv", **as_anna)
    assert rc == 0, err
    rows = (tmp_path / "csv" / "sessions.csv").read_text().splitlines()[1:]
    assert len(rows) == len(C01_SESSIONS) and all(",C01," in r for r in rows)
    rc, out, err = _runcue("report", "--out", tmp_path / "r.html", **as_anna)
    assert rc == 0, err
    page = (tmp_path / "r.html").read_text()
    assert "C01" in page and "C02" not in page
    rc, out, err = _runcue("clinic", "assign", "--client", "C01", "--therapist", "anna", "--archive",
                           "/tmp/not-a-database.sqlite")
    assert rc == 2 and "PostgreSQL" in err and err.count("\n") == 1, err
