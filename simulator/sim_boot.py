"""Boot the simulated watch: ``micropython sim_boot.py CONFIG.json``.

Plays the part of the board's ROM: it mounts the flash image at '/' (formatting
a blank one), installs the firmware bundle into it when the sources changed
(the same files ``make deploy`` copies to a real watch), then runs ``/main.py``
from the image, or only gives the REPL (``"main": false``: a soft reset in raw
mode, which skips main.py on a real board).  After the image is at '/', the
firmware sees only what a real watch would hold.
"""

import gc
import json
import os
import sys

import vfs

import simhw


def _copy_tree(src, dst):
    for name, kind, *_ in os.ilistdir(src):
        s = src + "/" + name
        d = dst + "/" + name
        if kind == 0x4000:
            try:
                os.mkdir(d)
            except OSError:
                pass
            _copy_tree(s, d)
        else:
            with open(s, "rb") as fi, open(d, "wb") as fo:
                while True:
                    chunk = fi.read(1024)
                    if not chunk:
                        break
                    fo.write(chunk)


def _installed_id(root):
    try:
        with open(root + "/fw.id") as f:
            return f.read().strip()
    except OSError:
        return ""


def boot(config):
    calls = config.pop("push", None)  # [[syncsvc function, args...]]: out of the config, which stays
    bd = simhw.setup(config)
    try:
        fs = vfs.VfsLfs2(bd)
    except OSError:
        vfs.VfsLfs2.mkfs(bd)
        fs = vfs.VfsLfs2(bd)
        simhw.emit("formatted", {"blocks": bd.blocks})
    bundle = config.get("bundle")
    if bundle:
        vfs.mount(fs, "/flash")
        if _installed_id("/flash") != config["bundle_id"]:
            _copy_tree(bundle, "/flash")
            with open("/flash/fw.id", "w") as f:
                f.write(config["bundle_id"])
            simhw.emit("installed", {"bundle_id": config["bundle_id"]})
        vfs.umount("/flash")
    vfs.umount("/")
    vfs.mount(fs, "/")
    os.chdir("/")
    sys.path[:] = ["", "/lib", ".frozen"]
    if calls:  # `sim run --program`: pushed as the host pushes, call by call
        from runcue import syncsvc

        for name, *args in calls:
            getattr(syncsvc, name)(*args)
        import runcue

        for name in ("syncsvc", "logsync", "plan", "planstore"):  # a watch loads these only while syncing
            sys.modules.pop("runcue." + name, None)
            if hasattr(runcue, name):
                delattr(runcue, name)
        del syncsvc, runcue, args
    del calls
    gc.collect()
    if config.get("main", True):
        with open("/main.py") as f:
            code = f.read()
        exec(code, {"__name__": "__main__"})


with open(sys.argv[1]) as _f:
    boot(json.load(_f))
