"""Check the flash filesystem the port's boot script mounted at '/'.

MicroPython's ESP32 and RP2040 ports mount their flash as LittleFS v2 at '/'
before ``main.py`` runs (ports/esp32/modules/_boot.py, formatting a blank
"vfs" partition on first boot; ports/rp2/modules/_boot.py), so a board only
checks.  The log relies on LittleFS keeping a file's old contents until a
flush: on another filesystem (e.g. FAT from a TinyUF2 "ffat" partition) the
watch still runs, but a power cut may cost more than the segment in progress.
"""

import errno

import vfs


def check_littlefs_root():
    """The filesystem at '/'; OSError if none, a warning on the console if not LittleFS."""
    for fs, path in vfs.mount():
        if path == "/":
            if not isinstance(fs, vfs.VfsLfs2):
                print("runcue: '/' is not LittleFS: the log is less safe at a power cut")
            return fs
    raise OSError(errno.ENODEV)
