"""`runcue sim run --screenshots DIR --timeline FILE`: what the sim writes is the client's run,
so it is owner-only whatever the umask, and never written through a symlink."""

import os
import stat

from runcue_host import cli


def test_screenshots_and_the_timeline_are_owner_only_and_never_go_through_a_symlink(tmp_path, capsys):
    shots, timeline = tmp_path / "shots", tmp_path / "timeline.json"
    old = os.umask(0o022)
    try:
        assert cli.main(["sim", "run", "--flash", str(tmp_path / "w.img"), "--program", "1m walk",
                         "--screenshots", str(shots), "--timeline", str(timeline)]) == 0, capsys.readouterr().err
    finally:
        os.umask(old)
    pngs = sorted(shots.iterdir())
    assert pngs and all(p.suffix == ".png" for p in pngs)
    assert {stat.S_IMODE(p.stat().st_mode) for p in [timeline, *pngs]} == {0o600}
    assert stat.S_IMODE(shots.stat().st_mode) == 0o700
    victim = tmp_path / "victim"
    victim.write_text("someone else's")
    (tmp_path / "link.json").symlink_to(victim)
    capsys.readouterr()
    assert cli.main(["sim", "run", "--flash", str(tmp_path / "w.img"), "--program", "1m walk",
                     "--timeline", str(tmp_path / "link.json")]) == 2
    err = capsys.readouterr().err
    assert "symlink" in err and err.count("\n") == 1, err
    assert victim.read_text() == "someone else's"

