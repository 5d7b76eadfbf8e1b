"""The log as the sync sees it: whole closed sessions read from a cursor, the ack and the trim.

``SyncLog`` is the watch's ``LogStore`` with the sync service's verbs: the app
on a run only writes the log (and recovers it at open), so these stay out of
its heap; the sync service (``runcue.syncsvc``) opens the log as a SyncLog.

- ``read_from(cursor)`` gives whole closed sessions only: the host stores a
  session exactly once, so it never sees one that may still grow.
- ``ack(seq)`` saves the ack mark first, then removes the files every session
  of which is acked: a power cut in between leaves files the next ack removes,
  never a session removed that the host does not hold.  On a full flash the
  mark is saved again once the removed files made room.
"""

import os

from runcue import records
from runcue.logstore import ENOSPC, LogStore, file_size, read_file


class SyncLog(LogStore):
    """The log under directory ``root`` with the sync's reads and ack; call open() first."""

    def _scan(self, from_seq=0):
        """(seq, status, data, start, end) of stored sessions >= from_seq; status 0: open."""
        files = list(self._files)
        for i in range(len(files)):
            last = i == len(files) - 1
            if not last and files[i + 1] <= from_seq:
                continue
            try:
                data = read_file(self._file(files[i]))
            except OSError:
                continue  # trimmed meanwhile
            for seq, status, a, b in records.sessions_in(data):
                if seq >= from_seq:
                    yield seq, status or (0 if last else records.INTERRUPTED), data, a, b

    def read_from(self, cursor, max_bytes):
        """(frames of whole closed sessions >= cursor up to max_bytes but at least one, next cursor)."""
        out = bytearray()
        nxt = cursor
        for seq, status, data, a, b in self._scan(cursor):
            if not status or (out and len(out) + b - a > max_bytes):
                break
            out += data[a:b]
            nxt = seq + 1
        return bytes(out), nxt

    def ack(self, seq):
        """The host holds every session <= seq: mark it, remove the files it covers; the mark."""
        if seq > self._last_closed:
            raise ValueError("ack %d: the last closed session is %d" % (seq, self._last_closed))
        marked = seq <= self.acked or self._save("ack", {"acked": seq})
        self.acked = max(self.acked, seq)
        files = self._files
        while files:
            upper = files[1] - 1 if len(files) > 1 else self._last_seq
            if upper > self.acked:
                break
            try:
                os.remove(self._file(files[0]))
            except OSError as e:
                if e.args[0] != 2:  # ENOENT: gone already
                    break
            files.pop(0)
        if not marked and not self._save("ack", {"acked": seq}):  # again, now that there is room
            raise OSError(ENOSPC)
        if not self._seq:
            self.logging_off = self._low()
        return self.acked

    def first_seq(self):
        """Seq of the first stored session; 0 when none is."""
        for seq, _status, _data, _a, _b in self._scan():
            return seq
        return 0

    def unsynced_count(self):
        """Closed sessions not acked yet."""
        return sum(1 for _seq, status, _data, _a, _b in self._scan(self.acked + 1) if status)

    def bytes_used(self):
        """Bytes in the log files."""
        return sum(file_size(self._file(first)) for first in self._files)

    def sessions(self):
        """(seq, status) of every stored session, oldest first; status 0: in progress."""
        for seq, status, _data, _a, _b in self._scan():
            yield seq, status
