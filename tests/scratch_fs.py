"""Small real filesystems for tests: a tmpfs of a chosen size (a disk that fills up) that can
be remounted read-only.

Only the kernel says "disk full" or "read-only file system" honestly: a chmod does not stop
root, and a mocked ``write`` proves nothing.  Mounting needs root (the CI runs as root);
elsewhere the tests that need a mount skip, saying why.
"""

import contextlib
import errno
import os
import subprocess

import pytest


class Mount:
    def __init__(self, path):
        self.path = path

    def fill(self, leave_bytes=0):
        """Fill the filesystem, leaving about ``leave_bytes`` free (in whole 4 KiB pages)."""
        spare = self.path / ".spare"
        if leave_bytes:
            spare.write_bytes(b"\0" * leave_bytes)
        fd = os.open(self.path / ".filler", os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
        try:
            for chunk in (65536, 4096, 1):
                while True:
                    try:
                        os.write(fd, b"\0" * chunk)
                    except OSError as e:
                        if e.errno != errno.ENOSPC:
                            raise
                        break
        finally:
            os.close(fd)
        if leave_bytes:
            spare.unlink()

    def free(self):
        """Undo :meth:`fill`."""
        (self.path / ".filler").unlink(missing_ok=True)

    def read_only(self):
        _mount("-o", "remount,ro", str(self.path))

    def files(self):
        """The names in the mount, except those :meth:`fill` made."""
        return sorted(p.name for p in self.path.iterdir() if p.name not in (".filler", ".spare"))


def _mount(*args):
    proc = subprocess.run(["mount", *args], capture_output=True, timeout=30)
    if proc.returncode:
        raise OSError("mount %s: %s" % (" ".join(args), proc.stderr.decode(errors="replace").strip()))


@contextlib.contextmanager
def tmpfs(path, size_kib):
    """A tmpfs of ``size_kib`` mounted at ``path`` (made), unmounted afterwards; skips without root."""
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs (a real full or read-only filesystem)")
    path.mkdir(parents=True, exist_ok=True)
    try:
        _mount("-t", "tmpfs", "-o", "size=%dk,mode=0700" % size_kib, "tmpfs", str(path))
    except OSError as e:
        pytest.skip("cannot mount a tmpfs here: %s" % e)
    try:
        yield Mount(path)
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=30)
