"""One manifest says what a watch holds: every firmware and core module, every board.

``make deploy``, the simulator's flash image and the board tests all read
runcue_host/watch/manifest.py; a module added to the firmware or the core but
not to the manifest would be missing on every watch, so these tests name it.
"""

import pytest

from runcue_host.watch import deploy, manifest

from conftest import ROOT

FIRMWARE = ROOT / "firmware"
CORE = ROOT / "lib" / "runcue"


def _sources(board=None):
    return {src.resolve() for _, src in manifest.files(board)}


def test_every_module_of_the_firmware_and_the_core_goes_on_the_watch():
    on_disk = {p.resolve() for p in list(FIRMWARE.rglob("*.py")) + list(CORE.glob("*.py"))}
    left_out = {FIRMWARE / name for name in manifest.NOT_ON_THE_WATCH}
    assert sorted(on_disk - _sources() - left_out) == []
    assert sorted(p for p in _sources() if not p.is_file()) == []


def test_every_board_module_is_a_board_of_the_manifest():
    modules = {p.stem for p in (FIRMWARE / "boards").glob("*.py")} - {"__init__"}
    assert modules == set(manifest.BOARDS)
    assert manifest.SIM in manifest.BOARDS


@pytest.mark.parametrize("board", list(manifest.BOARDS))
def test_a_boards_bundle_holds_its_own_board_module_and_no_other(board):
    boards = sorted(dest for dest, _ in manifest.files(board) if dest.startswith("lib/boards/"))
    assert boards == ["lib/boards/__init__.py", "lib/boards/%s.py" % board]
    assert [dest for dest, _ in manifest.files(board)][0] == "main.py"


def test_make_deploy_lists_the_manifests_boards_and_refuses_another(capsys):
    assert deploy.main([]) == 2
    assert ", ".join(manifest.BOARDS) in capsys.readouterr().out
    assert deploy.main(["/dev/null", "apple_watch"]) == 2
    err = capsys.readouterr().err
    assert "no board 'apple_watch'" in err and ", ".join(manifest.BOARDS) in err
