"""The plan in force on the watch's flash, and a plan push under way.

The files (``runcue.paths``): the index ``PLAN_INDEX``, and the programs of
its sessions back to back in one file named after the plan (``plan_sessions``);
the index says where each lies.  A push appends each session's program to
``PLAN_PENDING`` (``append``), then ``commit`` checks them against the index
(their plan JSON hashes to the plan's id), names the file after the plan and
only then writes the index (temp file, read back, rename).  The index is the
commit point: a push cut anywhere leaves the old plan or the new one in force,
whole, never a mix.  The app reads the index and the next session's program
only (``session``), so a plan costs the heap its index and one session.

One file for the sessions, not one each: LittleFS gives a file bigger than
its inline limit (128 bytes as the sim mounts it) a whole 4 KB block.
"""

import os

from runcue import paths, plan, program
from runcue.logstore import write_atomic


def load_index():
    """(Index, None) of the plan in force; (None, None) without one; (None, why) when refused."""
    try:
        with open(paths.PLAN_INDEX, "rb") as f:
            text = f.read()
    except OSError:
        return None, None
    try:
        return plan.loads_index(text), None
    except program.ProgramError as e:
        return None, str(e)


def session(index, pos):
    """The checked Program of session ``pos`` of the plan in force; ProgramError when refused."""
    try:
        with open(paths.plan_sessions(index.plan_id), "rb") as f:
            data = _read_span(f, index, pos)
    except OSError:
        raise program.ProgramError("plan: its sessions are missing on the watch: push the plan again") from None
    try:
        return program.loads(data)
    except program.ProgramError as e:
        raise program.ProgramError("session %d: %s" % (pos + 1, e)) from None


def parts(index, f):
    """The plan's canonical JSON piece by piece, its programs read one at a time from the file ``f``."""
    return plan.json_parts(index.name, index.lang, index.per_week, index.rule, index.weeks, _programs(f, index))


def sessions_file(index):
    return paths.plan_sessions(index.plan_id)


def _programs(f, index):
    for pos in range(len(index.weeks)):
        yield _read_span(f, index, pos)


def _read_span(f, index, pos):
    start, end = index.span(pos)
    f.seek(start)
    data = f.read(end - start)
    if len(data) != end - start:
        raise program.ProgramError("plan: session %d is cut short on the watch: push the plan again" % (pos + 1))
    return data


def append(data, offset):
    """Add a pushed session's program (its checked canonical bytes) at ``offset`` of the push under
    way; offset 0 starts a push.  ValueError when the push so far does not end at ``offset``."""
    size = _size(paths.PLAN_PENDING)
    if offset and size != offset:
        raise ValueError("the push was broken off (the watch holds %d bytes of it, not %d): push the plan again"
                         % (max(size, 0), offset))
    try:
        os.mkdir(paths.PLAN_DIR)
    except OSError:
        pass  # there already
    with open(paths.PLAN_PENDING, "ab" if offset else "wb") as f:
        f.write(data)
    if _size(paths.PLAN_PENDING) != offset + len(data):
        raise OSError(5)  # EIO: not all of it reached the file


def commit(index):
    """Put the pushed plan of ``index`` in force; ValueError when its sessions did not all arrive."""
    held = _size(paths.PLAN_PENDING)
    if held != index.ends[-1]:
        raise ValueError("the watch holds %d bytes of this plan's sessions, not %d: push the plan again"
                         % (max(held, 0), index.ends[-1]))
    with open(paths.PLAN_PENDING, "rb") as f:
        try:
            got = program.parts_id(parts(index, f))
        except program.ProgramError as e:
            raise ValueError(str(e)) from None
    if got != index.plan_id:
        raise ValueError("the sessions pushed are not this plan's (they make plan %s, not %s): push the plan again"
                         % (got, index.plan_id))
    os.rename(paths.PLAN_PENDING, sessions_file(index))  # another plan's file: the plan in force is untouched
    write_atomic(paths.PLAN_INDEX, index.to_json().encode())  # the commit point
    sweep(index.plan_id)


def remove():
    """Take the plan out of force (its index first: the commit point), then its files."""
    try:
        os.remove(paths.PLAN_INDEX)
    except OSError:
        pass  # no plan was in force
    sweep()


def sweep(keep=None):
    """Remove every plan file but ``keep``: an older plan's sessions, a broken push, a temp file.
    Cut off halfway it only leaves files the next push sweeps."""
    try:
        names = os.listdir(paths.PLAN_DIR)
    except OSError:
        return
    for name in names:
        if name != keep:
            try:
                os.remove(paths.PLAN_DIR + "/" + name)
            except OSError:
                pass


def _size(path):
    try:
        return os.stat(path)[6]
    except OSError:
        return -1
