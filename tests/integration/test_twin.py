"""The simulated watch on a pty, reached by the real mpremote and by `runcue sync`."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runcue import program, records
from runcue_host import sim
from runcue_host.archive import Archive
from runcue_host.sim.twin import STOP_S, TwinProcess

BIN = Path(sys.executable).parent
RUNCUE = str(BIN / "runcue")
MPREMOTE = str(BIN / "mpremote")
SHORT = program.make("short", "en", [["walk", 60000], ["x", 2, [["run", 30000], ["walk", 30000]]]])


class Twin(TwinProcess):
    """`runcue sim twin` as a user starts it, serving from the start; stopped, it must leave no link."""

    def __init__(self, image, link, buttons=None):
        super().__init__(image, link, buttons=buttons)
        self.start()

    def stop(self, deadline_s=STOP_S):
        super().stop(deadline_s)
        assert not self.link.exists() and not self.link.is_symlink(), "the twin left its link behind"


def mpremote(link, *args, timeout=30):
    proc = subprocess.run([MPREMOTE, "connect", str(link), *args], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout.replace("\r\n", "\n"), proc.stderr


def runcue(*args, timeout=60):
    return subprocess.run([RUNCUE, *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


@pytest.fixture
def watch(tmp_path):
    image = tmp_path / "watch.img"
    result = sim.run(image, program_json=SHORT.to_json(), sessions=2)
    assert result.returncode == 0, result.stderr_tail
    return image


def test_mpremote_sees_the_watch_filesystem_and_runs_code(watch, tmp_path):
    twin = Twin(watch, tmp_path / "ttyWATCH")
    try:
        link = twin.link
        # the app was running: Ctrl-C stopped it and `resume` keeps that interpreter
        rc, out, err = mpremote(link, "resume", "exec", "import sys; print('app' in sys.modules)")
        assert (rc, out.strip()) == (0, "True"), err
        rc, out, err = mpremote(link, "ls")
        assert rc == 0, err
        names = {line.split()[-1] for line in out.splitlines()[1:] if line.strip()}
        assert {"main.py", "lib/", "log/", "program.json"} <= names
        rc, out, err = mpremote(link, "fs", "cp", ":program.json", str(tmp_path / "p.json"))
        assert rc == 0, err
        assert program.loads((tmp_path / "p.json").read_bytes()).id() == SHORT.id()
        rc, out, err = mpremote(link, "exec", "print(6 * 7)")
        assert (rc, out.strip()) == (0, "42"), err
        rc, out, err = mpremote(link, "exec", "a = 5", "soft-reset", "exec", "print(a)")
        assert rc != 0 and "NameError" in out + err  # a soft reset gives a fresh interpreter, as on a board
    finally:
        twin.stop()


def test_sync_stores_each_session_once_and_the_watch_frees_only_what_is_stored(watch, tmp_path):
    arc_path = tmp_path / "archive.sqlite"
    logged = sim.read_flash(watch)["log"]
    twin = Twin(watch, tmp_path / "ttyWATCH")
    try:
        first = runcue("sync", "--port", str(twin.link), "--archive", str(arc_path), "--json")
        assert first.returncode == 0, first.stderr
        assert json.loads(first.stdout)["stored"]["new"] == 2
        again = runcue("sync", "--port", str(twin.link), "--archive", str(arc_path), "--json")
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout)["stored"]["new"] == 0
    finally:
        twin.stop()
    with Archive(arc_path) as arc:
        rows = arc.sessions()
        raw = b"".join(r[0] for r in arc.db.execute(
            "SELECT bytes FROM raw_records ORDER BY seq, idx").fetchall())
    assert [(r["seq"], r["status"]) for r in rows] == [(1, "completed"), (2, "completed")]
    assert raw == logged  # the archive holds exactly what the watch logged
    assert oct(os.stat(arc_path).st_mode & 0o777) == "0o600"
    # more sessions, then sync: only the new one arrives
    assert sim.run(watch).returncode == 0
    assert [t for t, _ in records.decode_all(sim.read_flash(watch)["log"])].count(records.START) == 1
    twin = Twin(watch, tmp_path / "ttyWATCH")
    try:
        third = runcue("sync", "--port", str(twin.link), "--archive", str(arc_path), "--json")
        assert third.returncode == 0, third.stderr
        assert json.loads(third.stdout)["stored"]["new"] == 1
    finally:
        twin.stop()
    with Archive(arc_path) as arc:
        assert sorted(r["seq"] for r in arc.sessions()) == [1, 2, 3]


def test_a_run_in_progress_is_never_interrupted_by_a_sync(watch, tmp_path):
    start_run = [{"on": "home", "presses": ["A"], "delay_ms": 100},
                 {"on": "checkin_before", "presses": ["A"], "delay_ms": 100}]
    twin = Twin(watch, tmp_path / "ttyWATCH", buttons=start_run)
    try:
        time.sleep(0.5)  # the run has started
        busy = runcue("sync", "--port", str(twin.link), "--archive", str(tmp_path / "a.sqlite"))
        assert busy.returncode == 2
        assert busy.stderr.strip() == "runcue: watch busy: finish or stop the run on the watch"
        assert "Traceback" not in busy.stderr
        rc, out, err = mpremote(twin.link, "resume", "exec", "print(1)", timeout=30)
        assert rc != 0  # still no raw REPL: the run goes on
    finally:
        twin.stop()


def test_a_second_tool_on_the_same_port_is_told_the_port_is_in_use(watch, tmp_path):
    twin = Twin(watch, tmp_path / "ttyWATCH")
    try:
        import serial

        holder = serial.Serial(str(twin.link), exclusive=True)
        try:
            busy = runcue("device", "info", "--port", str(twin.link))
        finally:
            holder.close()
        assert busy.returncode == 2
        assert "port in use" in busy.stderr and "Traceback" not in busy.stderr
    finally:
        twin.stop()


def test_make_deploy_copies_the_firmware_with_mpremote(watch, tmp_path):
    from runcue_host.watch import deploy

    twin = Twin(watch, tmp_path / "ttyWATCH")
    try:
        rc, out, err = mpremote(twin.link, "fs", "rm", ":lib/screens.mpy")
        assert rc == 0, err
        deploy.copy_to_port(str(twin.link), "sim")
        time.sleep(0.5)  # the soft reset at the end of the deploy runs main.py
        rc, out, err = mpremote(twin.link, "resume", "exec", "import sys; print('screens' in sys.modules)")
        assert (rc, out.strip()) == (0, "True"), out + err  # the app runs on what was deployed
    finally:
        twin.stop()


def test_a_watch_with_another_record_format_is_refused_before_anything_is_read(watch, tmp_path, monkeypatch):
    from runcue_host.watch.link import LinkError, Watch

    monkeypatch.setattr(records, "FORMAT_VERSION", records.FORMAT_VERSION + 1)  # this laptop is newer
    twin = Twin(watch, tmp_path / "ttyWATCH")
    try:
        with pytest.raises(LinkError, match="record format %d, this runcue reads 1 / %d: update the firmware"
                           % (records.FORMAT_VERSION - 1, records.FORMAT_VERSION)):
            with Watch(str(twin.link)) as w:
                w.info()
    finally:
        twin.stop()


def test_no_watch_plugged_in_gives_one_clear_line():
    out = runcue("device", "info")
    assert out.returncode == 2
    assert out.stderr.strip() == "runcue: no watch found: plug it in, or name its port with --port"
    missing = runcue("sync", "--port", "/dev/ttyNOWATCH")
    assert missing.returncode == 2 and "no such port" in missing.stderr and "Traceback" not in missing.stderr


def _one_session_image(path, rtc):
    """A watch whose clock read ``rtc`` (unix seconds) at power-on, with one session played."""
    sim.create_image(path, rtc)
    result = sim.run(path, program_json=SHORT.to_json(), buttons=sim.client_session(1000))
    assert result.returncode == 0, result.stderr_tail
    return [f for t, f in records.decode_all(sim.read_flash(path)["log"]) if t == records.START]


def _sync(link, arc_path):
    return runcue("sync", "--port", str(link), "--archive", str(arc_path))


def test_a_watch_clock_reading_1970_or_past_2106_is_logged_as_unset_and_the_session_placed_approximately(tmp_path):
    for name, rtc in (("1970", 86400), ("past u32", 2**32 + 1000)):
        image = tmp_path / ("%s.img" % name.replace(" ", "-"))
        starts = _one_session_image(image, rtc)
        assert len(starts) == 1 and starts[0][4] == 0, (name, starts)  # field 4: RTC, 0 = unset
        twin = Twin(image, tmp_path / "ttyWATCH")
        try:
            before = int(time.time())
            out = _sync(twin.link, tmp_path / ("%s.sqlite" % name.replace(" ", "-")))
        finally:
            twin.stop()
        assert out.returncode == 0, out.stderr
        assert "1 new session," in out.stdout  # one, not "1 new sessions"
        with Archive(tmp_path / ("%s.sqlite" % name.replace(" ", "-"))) as arc:
            (row,) = arc.session_rows()
        assert row["started_approx"] and before - 86400 < row["started_at"] <= before, (name, row)


def test_a_sync_finding_the_watch_clock_days_off_warns_and_marks_the_times_it_gave_approximate(tmp_path):
    image = tmp_path / "slow.img"
    slow = int(time.time()) - 6 * 86400
    starts = _one_session_image(image, slow)
    assert abs(starts[0][4] - slow) < 600  # a plausible time: the watch logs it
    twin = Twin(image, tmp_path / "ttyWATCH")
    try:
        out = _sync(twin.link, tmp_path / "a.sqlite")
    finally:
        twin.stop()
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())
    assert "warning: the watch clock was 6 days slow" in text, text
    assert "marked approximate" in text and " s off" not in text
    with Archive(tmp_path / "a.sqlite") as arc:
        (row,) = arc.session_rows()
    assert row["started_approx"] and row["started_at"] == starts[0][4]


def test_names_and_strings_from_the_watch_are_printed_as_text_never_as_markup_or_escape_codes(watch, tmp_path):
    spec = tmp_path / "easy.toml"
    spec.write_text('name = "Week 2 [easy]"\nshorthand = "2m walk, 1m run"\n')
    twin = Twin(watch, tmp_path / "ttyWATCH")
    try:
        pushed = runcue("program", "push", str(spec), "--port", str(twin.link), "--archive",
                        str(tmp_path / "a.sqlite"))
        assert pushed.returncode == 0, pushed.stderr
        assert "program Week 2 [easy] (" in pushed.stdout
        (tmp_path / "client").write_bytes(b"[/bold] x\x1b[31m")  # what a broken or hostile watch could hold
        rc, out, err = mpremote(twin.link, "fs", "cp", str(tmp_path / "client"), ":client")
        assert rc == 0, err
        info = runcue("device", "info", "--port", str(twin.link))
    finally:
        twin.stop()
    assert info.returncode == 0, info.stderr
    assert "[/bold] x\\x1b[31m" in info.stdout and "\x1b" not in info.stdout
    assert "Week 2 [easy] (" in info.stdout


def _sync_json(twin, arc_path):
    return runcue("sync", "--port", str(twin.link), "--archive", str(arc_path), "--json")


def test_a_watch_restored_from_an_older_copy_of_its_flash_is_stopped_and_keeps_its_new_session(watch, tmp_path):
    """A watch whose flash was restored from an older copy numbers its sessions again from that
    point: the sync stops with a clear error before it stores or frees anything, and the new
    session stays on the watch (it used to be freed unstored: "nothing unsynced")."""
    arc_path = tmp_path / "archive.sqlite"
    old = tmp_path / "old.img"
    twin = Twin(watch, tmp_path / "ttyWATCH")
    try:
        assert _sync_json(twin, arc_path).returncode == 0  # sessions 1, 2
    finally:
        twin.stop()
    old.write_bytes(watch.read_bytes())  # the copy: next session 3
    assert sim.run(watch, sessions=2).returncode == 0  # sessions 3, 4
    twin = Twin(watch, tmp_path / "ttyWATCH")
    try:
        synced = _sync_json(twin, arc_path)
        assert synced.returncode == 0 and json.loads(synced.stdout)["stored"]["new"] == 2, synced.stderr
    finally:
        twin.stop()
    watch.write_bytes(old.read_bytes())  # restored: numbering from 3 again
    assert sim.run(watch).returncode == 0  # a new session 3, that no archive holds
    twin = Twin(watch, tmp_path / "ttyWATCH")
    try:
        refused = _sync_json(twin, arc_path)
    finally:
        twin.stop()
    assert refused.returncode == 2, refused.stdout
    msg = refused.stderr.strip()
    assert len(msg.splitlines()) == 1 and "Traceback" not in msg, msg
    assert msg.startswith("runcue: watch ") and "up to 3" in msg and "up to 4" in msg, msg
    flash = sim.read_flash(watch)
    assert flash["acked"] == 2 and [f[0] for t, f in records.decode_all(flash["log"])
                                    if t == records.START] == [3]  # still there, not acked
    with Archive(arc_path) as arc:
        assert sorted(r["seq"] for r in arc.sessions()) == [1, 2, 3, 4]


def test_a_watch_is_not_given_to_another_client_while_it_holds_unsynced_sessions(watch, tmp_path):
    """`device assign` to another client is refused by the watch until its sessions are synced,
    so a session is always filed under the client it was recorded for."""
    arc_path = tmp_path / "archive.sqlite"
    twin = Twin(watch, tmp_path / "ttyWATCH")
    try:
        port = str(twin.link)
        refused = runcue("device", "assign", "--port", port, "--client", "C02")
        assert refused.returncode == 2, refused.stdout
        assert refused.stderr.strip() == ("runcue: watch refused assign: sync first: 2 sessions on this watch "
                                          "are not synced yet"), refused.stderr
        assert _sync_json(twin, arc_path).returncode == 0
        given = runcue("device", "assign", "--port", port, "--client", "C02")
        assert given.returncode == 0, given.stderr
        shown = runcue("device", "info", "--port", port, "--json")
        assert shown.returncode == 0, shown.stderr
        info = json.loads(shown.stdout)
        assert (info["client"], info["client_since"]) == ("C02", 3)
    finally:
        twin.stop()
    assert sim.run(watch).returncode == 0  # session 3, for C02
    twin = Twin(watch, tmp_path / "ttyWATCH")
    try:
        port = str(twin.link)
        again = runcue("device", "assign", "--port", port, "--client", "C02")
        assert again.returncode == 0, again.stderr  # the same client: nothing changes
        refused = runcue("device", "assign", "--port", port, "--client", "C03")
        assert refused.returncode == 2
        assert refused.stderr.strip() == ("runcue: watch refused assign: sync first: 1 session on this watch "
                                          "is not synced yet"), refused.stderr
        synced = _sync_json(twin, arc_path)
        assert synced.returncode == 0, synced.stderr
        assert runcue("device", "assign", "--port", port, "--client", "C03").returncode == 0
        shown = runcue("device", "info", "--port", port, "--json")
        assert shown.returncode == 0, shown.stderr
        info = json.loads(shown.stdout)
        assert (info["client"], info["client_since"], info["unsynced"]) == ("C03", 4, 0)
    finally:
        twin.stop()
    with Archive(arc_path) as arc:
        assert sorted((r["seq"], r["client"] or "") for r in arc.sessions()) == [(1, ""), (2, ""), (3, "C02")]


def test_a_sync_into_postgresql_whose_connection_drops_stores_nothing_and_the_watch_frees_nothing(
        watch, tmp_path, pg_cluster):
    from runcue_host.archive import ArchiveError
    from runcue_host.watch import sync as sync_mod

    url = pg_cluster.url(pg_cluster.new_db())
    logged = sim.read_flash(watch)["log"]
    twin = Twin(watch, tmp_path / "ttyWATCH")
    try:
        with Archive(url) as arc:
            pid = arc.one("SELECT pg_backend_pid()")[0]
            real = arc.execute

            def execute(sql, args=()):
                if sql.startswith("INSERT INTO segments"):  # the first session half stored: the server goes
                    pg_cluster.sql("SELECT pg_terminate_backend(%d)" % pid)
                return real(sql, args)

            arc.execute = execute
            with pytest.raises(ArchiveError, match="connection to the database was lost.*nothing .* stored"):
                sync_mod.sync(str(twin.link), arc)
        with Archive(url, read_only=True) as arc:
            assert arc.sessions() == []
        again = runcue("sync", "--port", str(twin.link), "--archive", url, "--json")
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout)["stored"]["new"] == 2  # the watch had freed nothing
    finally:
        twin.stop()
    with Archive(url, read_only=True) as arc:
        assert arc.raw_session(arc.sessions()[0]["device"], 1) + arc.raw_session(arc.sessions()[0]["device"], 2) \
            == logged
