"""The watch's session log on flash: append-only, safe through power cuts, synced once.

Why it looks like this: power may fail at any byte, the flash is small and is
shared with the program, and the therapist's laptop must get every session
exactly once.  So:

- A session is a run of ``records`` frames, each written with one write() and
  a flush() (littlefs keeps a file's old contents until it is synced).  On open
  a torn or corrupt tail is cut at the last intact frame, and a session left
  without an END is closed as INTERRUPTED at the time of its last record;
  unless the app asks to see it first (``open(resume=True)``), to go on with
  it after a crash or a reset (``resume_session``) or close it after all
  (``close_unfinished``).
- Segment files (about one erase block) are named by the seq of their first
  session.  A session never spans files, so a file is removed whole, and only
  once the host has acked every session in it.
- The sync cursor is a session seq.  ``next_seq`` is saved (temp file + rename)
  before the START that uses it, and recovered as max(state, log, ack mark):
  a crash or a trim may skip a number, never reuse one.
- Below the reserve, logging turns off softly: the run goes on with its cues,
  and one SUMMARY frame per session still goes into the reserve.

This module owns the log as the app writes it: recovery at open, begin,
append, end and the late check-in, and the small files (state, ack mark, id).
The sync's reads and its ack with the trim are ``runcue.logsync`` (the app on a
run never loads them); the frames and how they make sessions, ``runcue.records``.

Plain open()/os only: CPython (a directory) and MicroPython (VfsLfs2) alike.
"""

import json
import os
from binascii import crc32, hexlify

from runcue import records

try:
    from micropython import const
except ImportError:  # CPython
    def const(__x):
        return __x

SEGMENT_BYTES = const(3584)  # a session that starts past this size opens a new file: files stay within
# one 4 KB block (a typical session is ~200 bytes, a 250-segment one ~2.4 KB)
CHECK_EVERY_BYTES = const(1024)  # free space is looked up (statvfs walks the filesystem) this often
RESERVE_BYTES = const(12288)  # kept free for state, ack mark and a program push
ENOSPC = const(28)
IN_SESSION = (records.SEG, records.SKIP, records.PAUSE, records.RESUME, records.CHECKIN, records.RESTART)


def write_small(path, obj):
    """``obj`` as a JSON line plus its CRC, to path.tmp, renamed over path (atomic on littlefs)."""
    text = json.dumps(obj)
    with open(path + ".tmp", "w") as f:
        f.write("%s\n%08x\n" % (text, crc32(text.encode())))
    os.rename(path + ".tmp", path)


def write_atomic(path, data):
    """``data`` (bytes) to path.tmp, read back, renamed over path: the old file stays on any error."""
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    with open(tmp, "rb") as f:
        if f.read() != data:
            os.remove(tmp)
            raise OSError(5)  # EIO: what was written does not read back
    os.rename(tmp, path)


def read_small(path):
    """What write_small stored; {} when missing or corrupt."""
    try:
        with open(path) as f:
            text, crc = f.read().split("\n")[:2]
        if int(crc, 16) == crc32(text.encode()):
            obj = json.loads(text)
            if isinstance(obj, dict):
                return obj
    except (OSError, ValueError):
        pass
    return {}


def _count(obj, key):
    v = obj.get(key)
    return v if isinstance(v, int) and v > 0 else 0


def file_size(path):
    """Bytes in ``path``; 0 when it is missing."""
    try:
        return os.stat(path)[6]
    except OSError:
        return 0


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


class LogStore:
    """The log under directory ``root``; call open() first.  ``logsync.SyncLog`` adds the sync's verbs."""

    def __init__(self, root, reserve_bytes=RESERVE_BYTES, segment_bytes=SEGMENT_BYTES, check_every=CHECK_EVERY_BYTES):
        self.root = root
        self._prefix = root.rstrip("/") + "/"
        self.reserve_bytes = reserve_bytes
        self.segment_bytes = segment_bytes
        self.device_id = ""
        self.boots = 0
        self.next_seq = 1
        self.acked = 0  # every session <= acked is on the host; 0: none
        self.logging_off = False
        self.recovered = {}
        self._open = None  # (seq, data, start, end) of the session open(resume=True) left open
        self._files = []  # first seq of each segment file, ascending
        self._last_seq = 0  # highest seq stored
        self._last_closed = 0  # highest closed seq, stored or acked
        self._seq = 0  # the session in progress; 0: none
        self._f = None  # its file, open while logging is on
        self._path = None  # its file, once its START is written
        self._start = ()
        self._checkin = (0, 0, 0)
        self._saved = False  # the state file covers its seq
        self._ended = None  # file of the session that just ended, for a late check-in
        self.check_every = check_every
        self._unchecked = 0  # bytes written since the last free-space check
        self._buf = bytearray(records.MAX_FRAME)
        self._mv = memoryview(self._buf)

    def free_bytes(self):
        """Free bytes on the log's filesystem (tests may put a callable in its place)."""
        st = os.statvfs(self.root)
        return st[4] * st[1]  # f_bavail * f_frsize

    def _p(self, name):
        return self._prefix + name

    def _file(self, first):
        return self._p("%08d.log" % first)

    def open(self, boot=True, resume=False):
        """Recover after any stop: {"cut_bytes": n, "closed": [seq, ...]} (also ``recovered``).

        ``boot``: count a boot (False for the sync service's own open, and for the
        app started again after a crash: the same boot).  ``resume``: leave a
        session without an END open (see ``unfinished``).
        """
        try:
            os.mkdir(self.root)
        except OSError:
            pass  # it exists
        names = os.listdir(self.root)
        for name in names:
            if name.endswith(".tmp"):
                os.remove(self._p(name))  # a write that never reached its rename
        self._files = sorted(int(n[:-4]) for n in names if n.endswith(".log") and n[:-4].isdigit())
        state = read_small(self._p("state"))
        self.acked = _count(read_small(self._p("ack")), "acked")
        self.recovered = self._recover(resume)
        self._last_closed = max(self._last_closed, self.acked)
        self.next_seq = max(_count(state, "next_seq"), self._last_seq + 1, self.acked + 1)
        self.boots = _count(state, "boots") + (1 if boot else 0)
        self.device_id = self._device_id(state)
        self._save_state()
        self.logging_off = self._low()
        return self.recovered

    def _device_id(self, state):
        """The watch's random id, made once and kept in its own file, never rewritten (so a
        lost state file cannot give the watch a new identity); older logs kept it in state."""
        ident = read_small(self._p("id")).get("device_id")
        if not (isinstance(ident, str) and len(ident) == 16):
            ident = state.get("device_id")
            if not (isinstance(ident, str) and len(ident) == 16):
                ident = hexlify(os.urandom(8)).decode()
            try:
                write_small(self._p("id"), {"device_id": ident})
            except OSError:
                pass  # full flash: kept in state until there is room
        return ident

    def _recover(self, resume=False):
        cut = self._last_seq = self._last_closed = 0
        self._open = None
        found = ()
        while self._files:  # only the last file is ever written to
            path = self._file(self._files[-1])
            data = read_file(path)
            found = list(records.sessions_in(data))
            good = found[-1][3] if found else 0  # the end of the last intact frame
            cut += len(data) - good
            if good:
                if good < len(data):  # littlefs cannot truncate: rewrite the intact prefix
                    with open(self._p("cut.tmp"), "wb") as f:
                        f.write(memoryview(data)[:good])
                    os.rename(self._p("cut.tmp"), path)
                break
            os.remove(path)  # nothing intact: it held only a torn START
            self._files.pop()
        closed = []
        for seq, status, a, b in found:
            self._last_seq = max(self._last_seq, seq)  # max: a stray lower seq never brings next_seq back
            if not status and resume:
                self._open = (seq, data, a, b)  # the app decides: go on with it, or close it
                continue
            if not status and self._close_interrupted(data, a, b):
                closed.append(seq)
                status = records.INTERRUPTED
            if status:
                self._last_closed = max(self._last_closed, seq)
        return {"cut_bytes": cut, "closed": closed}

    def _close_interrupted(self, data, a, b):
        """Append END(INTERRUPTED) at the session's last timed record, with its pauses."""
        active, paused = records.reached(data, a, b)
        n = records.encode_into(self._buf, records.END, records.INTERRUPTED, active, active + paused)
        return self._write_once(self._file(self._files[-1]), n)

    def unfinished(self):
        """(START fields, [(type, fields)] after it) of the session open() left open, or None."""
        if self._open is None:
            return None
        _seq, data, a, b = self._open
        frames = records.decode_all(memoryview(data)[a:b])
        return frames[0][1], frames[1:]  # a session begins with its START

    def close_unfinished(self):
        """Close the session open() left open as INTERRUPTED, as recovery always did; True if stored."""
        if self._open is None:
            return False
        seq, data, a, b = self._open
        self._open = None
        if not self._close_interrupted(data, a, b):
            return False
        self._last_closed = max(self._last_closed, seq)
        self.recovered["closed"].append(seq)
        return True

    def resume_session(self):
        """Go on with the session open() left open: its frames follow in its file; its seq (0: none)."""
        if self._open is None:
            return 0
        seq, data, a, _b = self._open
        self._open = None
        self._seq = seq
        self._start = records.decode_frame(data, a)[1]
        self._checkin = (0, 0, 0)
        self._path = self._file(self._files[-1])
        self._ended = None
        self._saved = True  # next_seq is past it: recovered as max(state, log)
        self._unchecked = 0
        self.logging_off = self._low()
        if not self.logging_off:
            try:
                self._f = open(self._path, "ab")
            except OSError:
                self.logging_off = True
        return seq

    def begin(self, program_id_hex, plan_week, plan_session, rtc, uptime_s, mood_before):
        """Start a session; its seq.  ``logging_off`` then says whether it is being logged."""
        if self._seq:
            raise ValueError("session %d is still open" % self._seq)
        seq = self._seq = self.next_seq
        self.next_seq = seq + 1
        self._saved = self._save_state()  # before START: a crash skips a seq, never reuses one
        self._start = (seq, records.id_bytes(program_id_hex), plan_week, plan_session, rtc,
                       min(self.boots, 0xFFFF), uptime_s, mood_before)
        self._checkin = (0, 0, 0)
        self._path = self._ended = None
        self.logging_off = not self._saved or self._low()
        self._unchecked = 0
        if not self.logging_off:
            path = self._session_file(seq)
            try:
                self._f = open(path, "ab")
            except OSError:
                self.logging_off = True
            if self._write(records.START, *self._start):
                self._path = path
                self._last_seq = seq
        return seq

    def append(self, rtype, *fields):
        """One SEG/SKIP/PAUSE/RESUME/CHECKIN/RESTART frame; False when it did not reach flash."""
        if rtype not in IN_SESSION:
            raise ValueError("record type %d is not appended" % rtype)
        if not self._seq:
            return False
        if rtype == records.CHECKIN:
            self._checkin = fields  # kept for a SUMMARY
        return self._write(rtype, *fields)

    def end(self, status, active_s, wall_s):
        """Close the session with END, else with a SUMMARY into the reserve; True if stored."""
        if not self._seq:
            return False
        ok = self._write(records.END, status, active_s, wall_s)
        self._close_file()
        path = self._path
        if not ok and (self._saved or self._save_state()):  # only a durable seq is stored
            path = path or self._session_file(self._seq)
            fields = self._start + (status, active_s, wall_s) + tuple(self._checkin)
            ok = self._write_once(path, records.encode_into(self._buf, records.SUMMARY, *fields))
        if ok:
            self._last_seq = self._last_closed = self._seq
            self._ended = path
        self._seq = 0
        return ok

    def checkin(self, mood_after, talked, reason):
        """The check-in answers, during the session or just after its end(); True if stored."""
        if self._seq:
            return self.append(records.CHECKIN, mood_after, talked, reason)
        path, self._ended = self._ended, None
        if not path or not file_size(path):  # no session just ended, or a sync trimmed it
            return False
        n = records.encode_into(self._buf, records.CHECKIN, mood_after, talked, reason)
        return self._write_once(path, n)  # a few bytes: the reserve takes them

    def last_closed_seq(self):
        """Highest seq of a closed session, stored or already acked; 0: none yet."""
        return self._last_closed

    def close(self):
        """Let go of the file, writing nothing more (as a power cut would)."""
        self._close_file()
        self._seq = 0

    def _write(self, rtype, *fields):
        """One frame: one write() and a flush(); on low space or OSError logging goes off."""
        if self._f is None:
            return False
        n = records.encode_into(self._buf, rtype, *fields)
        try:
            if self._unchecked >= self.check_every:
                self._unchecked = 0
                if self._low():
                    raise OSError(ENOSPC)
            self._f.write(self._mv[:n])
            self._f.flush()
            self._unchecked += n
            return True
        except OSError:
            self.logging_off = True
            self._close_file()
            return False

    def _write_once(self, path, n):
        """Append the frame in the buffer to ``path``, space check or not (the reserve)."""
        try:
            with open(path, "ab") as f:
                f.write(self._mv[:n])
            return True
        except OSError:
            return False

    def _close_file(self):
        if self._f is not None:
            try:
                self._f.close()
            except OSError:
                pass  # littlefs keeps the last synced contents
            self._f = None

    def _low(self):
        try:
            return self.free_bytes() <= self.reserve_bytes  # "reaches the reserve": at it, logging is off
        except OSError:
            return False

    def _session_file(self, seq):
        """The file a new session goes to: the last one, or a new one once that is full."""
        if self._files and file_size(self._file(self._files[-1])) < self.segment_bytes:
            return self._file(self._files[-1])
        self._files.append(seq)
        return self._file(seq)

    def _save(self, name, obj):
        try:
            write_small(self._p(name), obj)
            return True
        except OSError:
            return False

    def _save_state(self):
        return self._save("state", {"next_seq": self.next_seq, "boots": self.boots,
                                    "device_id": self.device_id})
