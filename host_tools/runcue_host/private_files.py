"""Writing files that hold client data: owner-only, whole or not there, never through a symlink.

Every file runcue writes from a client's sessions or programs (the report, CSV and
FIT exports, WAV previews, the sim's screenshots and timeline) goes through here:

* the bytes go to a new temp file in the target's directory, created with
  ``O_EXCL | O_NOFOLLOW`` and mode 0600 whatever the umask; all of them are
  written (a short write is carried on, never dropped), then fsync, then the
  temp is renamed over the target and the directory is fsync-ed: a reader sees
  the old file or the new one, never half of one;
* a target that is a symlink, a directory or anything but a regular file is
  refused: a symlink may point at someone else's file, and runcue never writes
  through a link it did not make;
* any OSError removes the temp and becomes a :class:`WriteError` that says what
  happened ("disk full", "read-only file system", ...) and that nothing was
  written (the old file, if any, is unchanged);
* :class:`FileSet` does this for a directory of outputs: every file is written
  to its temp first, and only when all are whole are they renamed into place.

A process killed mid-write can leave a ``.<name>.*.tmp`` temp (mode 0600) beside
the target; it never replaces the target.
"""

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path

from runcue_host import UserError

FILE_MODE = 0o600
DIR_MODE = 0o700
_TEMP_TRIES = 8

# what an errno means to the user: one wording, shared with the archive's messages
REASONS = {
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk quota exceeded",
    errno.EFBIG: "file too large for this disk or process limit",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EIO: "I/O error (a failing disk or a removed drive?)",
    errno.ENOENT: "no such directory",
    errno.ENOTDIR: "a part of the path is not a directory",
    errno.EISDIR: "is a directory",
    errno.ENAMETOOLONG: "name too long",
}


class WriteError(UserError):
    """A private file could not be written; nothing was (the old file, if any, is unchanged)."""


def reason(err):
    """What an OSError means, in the words runcue uses everywhere."""
    return REASONS.get(err.errno) or (err.strerror or str(err)).lower()


def _fail(what, path, why):
    """``what``: (the option, the thing), e.g. ("report --out", "the report")."""
    return WriteError("%s %s: cannot write %s: %s; nothing was written" % (what[0], path, what[1], why))


def check_target(path, what):
    """WriteError unless ``path`` is missing or a regular file (never a symlink, directory, device...)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as e:
        raise _fail(what, path, reason(e)) from None
    if stat.S_ISLNK(st.st_mode):
        raise _fail(what, path, "is a symlink (runcue never writes through one: give the real path)")
    if stat.S_ISDIR(st.st_mode):
        raise _fail(what, path, "is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise _fail(what, path, "not a regular file")


def private_dir(path, what):
    """Make the directory ``path`` (mode 0700, parents too) unless it is one; refuses a symlink."""
    path = Path(path)
    if path.is_symlink():
        raise _fail(what, path, "is a symlink (runcue never writes through one: give the real path)")
    if path.exists() and not path.is_dir():
        raise _fail(what, path, "exists and is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    except OSError as e:
        raise _fail(what, path, reason(e)) from None
    return path


def make_private(path):
    """chmod 0600 an existing file of ours, never through a symlink; False if there is none.

    OSError when it cannot be done (a read-only disk, another owner's file)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        if stat.S_IMODE(os.fstat(fd).st_mode) != FILE_MODE:
            os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return True


def read_only_fs(path):
    """Whether ``path`` (which exists) is on a filesystem mounted read-only."""
    return bool(os.statvfs(path).f_flag & os.ST_RDONLY)


def _new_temp(path):
    """(fd, temp path): a new owner-only file beside ``path``, never an existing one or a link."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for _ in range(_TEMP_TRIES):
        temp = path.with_name(".%s.%s.tmp" % (path.name, secrets.token_hex(4)))
        try:
            fd = os.open(temp, flags, FILE_MODE)
        except FileExistsError:
            continue
        os.fchmod(fd, FILE_MODE)  # a umask such as 0o277 would leave it unreadable for its owner
        return fd, temp
    raise FileExistsError(errno.EEXIST, "no free temp name", str(path))


def _fsync_dir(directory):
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FileSet:
    """Private files that land together: ``with FileSet(what) as files: files.write(path, data)``.

    ``what`` names the output in messages: (the option, the thing), e.g.
    ``("report --out", "the report")``.  Each
    :meth:`write` (or :meth:`open`) fills a temp; on leaving the block without an
    error every temp is renamed over its target; on any error all temps are
    removed and no target has changed.
    """

    def __init__(self, what):
        self.what = what
        self._done = []  # (temp, target) of whole files

    def __enter__(self):
        return self

    @contextlib.contextmanager
    def open(self, path):
        """A binary file object to stream into; the file is whole once the ``with`` ends."""
        path = Path(path)
        check_target(path, self.what)
        try:
            fd, temp = _new_temp(path)
        except OSError as e:
            raise _fail(self.what, path, reason(e)) from None
        try:
            with os.fdopen(fd, "wb") as f:  # buffered: a short write is carried on, never lost
                yield f
                f.flush()
                os.fsync(f.fileno())
        except OSError as e:
            _remove(temp)
            raise _fail(self.what, path, reason(e)) from None
        except BaseException:
            _remove(temp)
            raise
        self._done.append((temp, path))

    def write(self, path, data):
        with self.open(path) as f:
            f.write(data)

    def __exit__(self, exc_type, *_):
        if exc_type is not None:
            self._discard()
            return False
        try:  # made a symlink or a directory meanwhile?  (A later one is harmless: rename
            for _, path in self._done:  # replaces a link itself and fails on a directory.)
                check_target(path, self.what)
        except WriteError:
            self._discard()
            raise
        # every file is whole: only now does any target change
        for i, (temp, path) in enumerate(self._done):
            try:
                os.rename(temp, path)
            except OSError as e:
                count = len(self._done)
                self._done = self._done[i:]
                self._discard()
                if not i:
                    raise _fail(self.what, path, reason(e)) from None
                raise WriteError("%s %s: cannot write %s: %s; %d of %d files were replaced, the rest not"
                                 % (self.what[0], path, self.what[1], reason(e), i, count)) from None
        for directory in {path.parent for _, path in self._done}:
            with contextlib.suppress(OSError):  # the files are in place; this only hurries the disk
                _fsync_dir(directory)
        self._done = []
        return False

    def _discard(self):
        for temp, _ in self._done:
            _remove(temp)
        self._done = []


def write(path, data, what):
    """Write ``data`` to ``path`` as one private file, whole or not at all."""
    with FileSet(what) as files:
        files.write(path, data)


@contextlib.contextmanager
def open_private(path, what):
    """Stream one private file: ``with open_private(path, what) as f: f.write(...)``."""
    with FileSet(what) as files, files.open(path) as f:
        yield f


def _remove(temp):
    with contextlib.suppress(OSError):
        os.unlink(temp)
