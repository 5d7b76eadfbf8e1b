"""The simulated watch's flash image: made, checked, locked, and its battery-backed clock.

An image is the watch's whole flash, as on a board: BLOCKS blocks of BLOCK_SIZE
bytes (LittleFS, or erased) followed by RTC_BYTES for the sim's clock
(simulator/simhw.py reads the same layout).  Two sims never share one image:
each holds a flock on it while it runs.
"""

import fcntl
import os
import struct
import time
from pathlib import Path

BLOCK_SIZE = 4096
BLOCKS = 128  # 512 KB of flash for the firmware, the program and the log
RTC_BYTES = 512  # simhw.RTC_BYTES: the sim's battery-backed clock after the blocks
RTC_MAGIC = b"RCRTC1"
FS_MAGIC = b"littlefs"
FS_MAGIC_AT = 8  # in a superblock: after its revision count and first tag


class SimError(Exception):
    """A sim run that could not be done (bad image, image in use...)."""


def create_image(path, rtc_unix=None, blocks=BLOCKS):
    """A blank (erased) flash image whose RTC is set to ``rtc_unix`` (None: unset).

    ``blocks``: a smaller flash fills up in a few sessions (tests of a full flash);
    the sim reads the block count from the image's size.
    """
    with open(path, "wb") as f:
        f.write(b"\xff" * (BLOCK_SIZE * blocks))
        trailer = b"\xff" * RTC_BYTES
        if rtc_unix:
            trailer = RTC_MAGIC + struct.pack("<qq", rtc_unix, int(time.time()))
            trailer += b"\xff" * (RTC_BYTES - len(trailer))
        f.write(trailer)
    os.chmod(path, 0o600)


def set_image_clock(path, rtc_unix):
    """Set the battery-backed clock of a stopped sim's image (a later day for the next run)."""
    fd = lock_image(path)
    try:
        trailer = RTC_MAGIC + struct.pack("<qq", rtc_unix, int(time.time()))
        os.pwrite(fd, trailer, os.fstat(fd).st_size - RTC_BYTES)
    finally:
        os.close(fd)


def lock_image(path):
    """An open, flock-ed handle on the image: two sims never share one flash."""
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError as e:
        raise SimError("%s: cannot open the flash image (%s)" % (path, e.strerror)) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise SimError("%s: the image is in use by another sim run or twin" % path) from None
    return fd


def image_bytes(blocks=BLOCKS):
    return BLOCK_SIZE * blocks + RTC_BYTES


def check_new_file(path, what):
    """``path`` can be a file of ours: not a directory, and its directory exists."""
    if path.is_dir():
        raise SimError("%s: is a directory: give the path of %s" % (path, what))
    if not path.parent.is_dir():
        raise SimError("%s: no such directory: %s (make it first)" % (path, path.parent))


def image_problem(fd):
    """Why the open file ``fd`` is not a flash image this board can use, or None.

    An image is whole 4 KB blocks (at most BLOCKS: tests make smaller flashes) and the
    RTC block, and its blocks are either all erased (0xFF; or 0x00) or LittleFS: the
    superblock's magic at FS_MAGIC_AT in block 0 or 1 (littlefs keeps it in a pair).
    """
    size = os.fstat(fd).st_size
    blocks, rest = divmod(size - RTC_BYTES, BLOCK_SIZE)
    if rest or not 2 <= blocks <= BLOCKS:
        return "%d bytes, expected %d: %d blocks of %d bytes and a %d-byte clock" % (
            size, image_bytes(), BLOCKS, BLOCK_SIZE, RTC_BYTES)
    fs = os.pread(fd, blocks * BLOCK_SIZE, 0)
    if not fs.strip(b"\xff") or not fs.strip(b"\x00"):
        return None
    for block in (0, 1):
        at = block * BLOCK_SIZE + FS_MAGIC_AT
        if fs[at:at + len(FS_MAGIC)] == FS_MAGIC:
            return None
    return "%d bytes, neither erased nor LittleFS" % size


def is_blank(fd):
    """True for an image whose blocks were never written (no firmware, no program)."""
    fs = os.pread(fd, os.fstat(fd).st_size - RTC_BYTES, 0)
    return not fs.strip(b"\xff") or not fs.strip(b"\x00")


def open_image(path, rtc_unix=None):
    """A flock-ed handle on the watch's flash image ``path``, made (blank) when missing.

    Anything else is refused and left as it is: a directory, a path in a missing
    directory, a file that is not a flash image (an archive passed by mistake).
    """
    path = Path(path)
    check_new_file(path, "the watch's flash image")
    if not path.exists():
        create_image(path, rtc_unix)
    fd = lock_image(path)
    try:
        problem = image_problem(fd)
    except BaseException:
        os.close(fd)
        raise
    if problem:
        os.close(fd)
        raise SimError("%s: not a watch flash image (%s); give a new file name to make one" % (path, problem))
    return fd
