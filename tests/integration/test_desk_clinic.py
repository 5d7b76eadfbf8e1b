"""The desk on a practice's PostgreSQL archive: a therapist sees only their clients, and every page read is logged.

The practice of tests/integration/test_clinic.py (a real PostgreSQL cluster; therapists anna
with C01 and bram with C02, admin petra); the desk is started by anna with her password as libpq
takes it (PGPASSWORD), on the archive's URL, as a therapist at the practice does.
"""

from desk_process import Desk
from test_clinic import PASSWORDS, practice, review  # noqa: F401 - the practice and its fixtures


def test_the_desk_shows_a_therapist_only_their_clients_and_logs_each_read(practice, monkeypatch):  # noqa: F811
    monkeypatch.setenv("PGPASSWORD", PASSWORDS["anna"])
    desk = Desk(practice.url("anna"))
    try:
        cookie = {"Cookie": desk.sign_in()}
        status, _, page = desk.request("GET", "/", cookie)
        assert status == 200 and ">C01</a>" in page and "C02" not in page
        status, _, page = desk.request("GET", "/clients/C01", cookie)
        assert status == 200 and "Stopped early because of pain" in page
        assert desk.request("GET", "/clients/C02", cookie)[0] == 404  # bram's client: the database shows none
        assert desk.request("GET", "/clients/C02/export.csv", cookie)[0] == 404
        status, headers, data = desk.request("GET", "/clients/C01/export.csv", cookie)
        assert status == 200 and headers["content-type"] == "application/zip"
    finally:
        rc, _took, _out, err = desk.stop()
        assert rc == 0, err
    with practice.connect("petra") as db:
        rows = db.execute("SELECT event, client, db_user FROM audit_log WHERE command = 'runcue desk'").fetchall()
    assert rows and {(client, user) for _event, client, user in rows} == {("C01", "anna")}, rows


def test_a_wrong_password_is_one_line_before_the_desk_listens(practice, monkeypatch):  # noqa: F811
    import subprocess

    from desk_process import RUNCUE

    monkeypatch.setenv("PGPASSWORD", "not-annas-pw-4711")
    proc = subprocess.run([RUNCUE, "desk", "--no-browser", "--archive", practice.url("anna")], capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "http://" not in proc.stdout
    assert "wrong password" in proc.stderr and "4711" not in proc.stderr
