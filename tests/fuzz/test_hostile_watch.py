"""A hostile or broken watch cannot make the host free sessions it never stored, crash or hang.

The fake watches of ``test_fuzz_watch_replies`` (only the serial transport is replaced;
``Watch``, ``sync`` and a real archive above it), each replying with one chosen lie: a
session outside the range asked for, numbers no watch reaches, a reply nested deeper than
any parser goes, a read that always has more.  For the deadlines the real mpremote
transport talks to a watch on a real pty that answers the raw REPL as MicroPython does,
then sends its reply a byte a second, or floods, and never ends it.
"""

import os
import select
import threading
import time

import pytest
from test_fuzz_program import time_limit
from test_fuzz_watch_replies import (
    LOG,
    FakeTransport,
    FakeWatch,
    Wire,
    fresh_archive,
    parse_call,
    rc,
    read_reply,
    session_bytes,
    valid_info,
)

from runcue_host.archive import Archive
from runcue_host.watch import link, sync

THREE = LOG + session_bytes(3)
BIG = 2 ** 70


class Lying(FakeWatch):
    """An honest watch, except for the replies ``lie(name, args, honest)`` changes; it frees what is
    acked (``trims``), or keeps it on flash for now."""

    def __init__(self, log, lie=None, acked=0, trims=True, **info):
        super().__init__(None, log, acked)
        self.lie = lie or (lambda name, args, reply: reply)
        self.trims = trims
        self.info = info

    def sessions(self):
        return [(q, b) for q, b in super().sessions() if not self.trims or q > self.acked]

    def honest(self, name, args):
        if name == "active":
            return {"kind": None}
        reply = super().honest(name, args)
        if name == "info":
            reply.update(self.info)
        return reply

    def answer(self, code):
        if code.startswith("import "):
            return b""
        name, args = parse_call(code)
        self.calls.append(name)
        reply = self.lie(name, args, self.honest(name, args))
        return reply if isinstance(reply, bytes) else rc(reply)


def _sync(fake_port, watch, arc_path=None, **kw):
    monkeypatch, tmp = fake_port
    wire = Wire(monkeypatch, tmp, lambda: FakeTransport(watch.answer))
    arc_path = arc_path or fresh_archive(tmp)
    with time_limit(10), Archive(arc_path) as arc:
        return sync.sync(wire.port, arc, **kw), arc_path


def _stored(arc_path):
    with Archive(arc_path) as arc:
        return sorted((s["seq"], s["client"]) for s in arc.sessions())


@pytest.fixture
def fake_port(monkeypatch, tmp_path):
    return monkeypatch, str(tmp_path)


def _first_read(reply):
    """A lie told in the first read reply only."""
    told = []

    def lie(name, args, honest):
        if name == "read" and not told:
            told.append(1)
            return reply
        return honest
    return lie


OUT_OF_RANGE = {
    "jumped seq": read_reply(session_bytes(1) + session_bytes(1000), 1001),  # the watch numbers below 4
    "next beyond the watch's numbering": read_reply(session_bytes(1), 1000),
    "session past next": read_reply(LOG + session_bytes(3), 3),
    "out of order": read_reply(session_bytes(2) + session_bytes(1), 3),
    "twice": read_reply(session_bytes(1) + session_bytes(1), 2),
}


@pytest.mark.parametrize("reply", OUT_OF_RANGE.values(), ids=OUT_OF_RANGE.keys())
def test_a_read_reply_outside_the_range_asked_stores_and_frees_nothing(fake_port, reply):
    """One bad reply used to be stored as it came and acked from the archive's cursor: sessions the
    host never read were freed, at once or at every honest sync after it."""
    watch = Lying(THREE, _first_read(reply))
    with pytest.raises(link.LinkError, match="read"):
        _sync(fake_port, watch)
    assert "ack" not in watch.calls and watch.acked == 0
    result, arc_path = _sync(fake_port, watch)  # the next, honest, sync gets them all
    assert _stored(arc_path) == [(1, None), (2, None), (3, None)] and watch.acked == 3


def test_the_watch_frees_only_what_this_sync_read_and_stored(fake_port):
    """The archive holds 1..3 but their ack was lost: the sync reads them again from the watch's
    ack mark, finds them identical, and only then lets the watch free them."""
    watch = Lying(THREE)
    _, arc_path = _sync(fake_port, watch)
    watch.acked = 0  # the ack never reached the watch
    result, _ = _sync(fake_port, watch, arc_path)
    assert (result["stored"]["new"], result["stored"]["duplicate"], result["acked"]) == (0, 3, 3)


def test_sessions_recorded_before_the_watch_changed_hands_are_not_filed_under_its_new_client(fake_port):
    """Sessions 1 and 2 were synced for the watch's earlier client (acked, not trimmed yet); it was
    then given to C03 from session 3 on.  An archive that reads them now does not give them to C03."""
    watch = Lying(THREE, acked=2, trims=False, client="C03", client_since=3)
    result, arc_path = _sync(fake_port, watch)
    assert _stored(arc_path) == [(3, "C03")]
    assert result["stored"]["skipped"] == [1, 2] and result["acked"] == 3
    assert any("2 sessions (1..2)" in n and "client C03" in n for n in result["notes"]), result["notes"]


IMPOSSIBLE = [("info", "clock", BIG), ("info", "boots", BIG), ("info", "uptime_s", BIG),
              ("info", "next_seq", BIG), ("info", "acked", BIG), ("info", "last_closed", -1),
              ("info", "log_bytes", BIG), ("info", "client_since", 0), ("info", "next_seq", 2),
              ("read", "next", BIG), ("read", "crc", -1), ("read", "bytes", BIG), ("ack", "acked", BIG)]


@pytest.mark.parametrize("call,key,value", IMPOSSIBLE, ids=["%s-%s-%s" % c for c in IMPOSSIBLE])
def test_numbers_no_watch_reaches_are_a_link_error(fake_port, call, key, value):
    """2**70 as a clock or a boot count used to reach SQLite (OverflowError, a traceback)."""
    def lie(name, args, honest):
        return dict(honest, **{key: value}) if name == call else honest

    with pytest.raises(link.LinkError, match="impossible %r" % key):
        _sync(fake_port, Lying(LOG, lie))


@pytest.mark.parametrize("call", ["info", "read"])
def test_a_reply_nested_deeper_than_any_parser_goes_is_a_link_error(fake_port, call):
    deep = b"RC:" + b'{"a":' * 100000 + b"[" * 100000 + b"]" * 100000 + b"}" * 100000 + b"\r\n"
    with pytest.raises(link.LinkError, match="not valid JSON"):
        _sync(fake_port, Lying(LOG, lambda name, args, honest: deep if name == call else honest))


def test_a_read_that_always_has_more_is_stopped(fake_port):
    """A watch whose every read brings one more session (within its claimed numbering) used to
    keep the sync reading for ever."""
    def lie(name, args, honest):
        if name == "info":
            return dict(honest, next_seq=10 ** 9)
        if name == "read":
            return read_reply(session_bytes(args[0]), args[0] + 1)
        return honest

    with pytest.raises(link.LinkError, match="more"):
        _sync(fake_port, Lying(LOG, lie))


# -- deadlines, through the real mpremote transport ------------------------------------------------

class PtyWatch:
    """A watch on a pty: answers the raw REPL as MicroPython does; ``answer(code)`` gives each
    request's output, bytes or an iterator of byte strings sent one by one as they come."""

    def __init__(self, tmp, answer):
        self.master, self.slave = os.openpty()
        self.port = os.path.join(tmp, "ttyPTY")
        os.symlink(os.ttyname(self.slave), self.port)
        self.answer = answer
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _send(self, data):
        while data and not self.stop.is_set():
            if select.select([], [self.master], [], 0.05)[1]:
                data = data[os.write(self.master, data):]

    def _serve(self):
        raw, cmd = False, b""
        while not self.stop.is_set():
            if not select.select([self.master], [], [], 0.05)[0]:
                continue
            for b in os.read(self.master, 4096):
                ch = bytes([b])
                if not raw:
                    if ch == b"\x01":
                        raw, cmd = True, b""
                        self._send(b"raw REPL; CTRL-B to exit\r\n>")
                elif ch == b"\x02":
                    raw = False
                elif ch == b"\x04" and not cmd:
                    self._send(b"soft reboot\r\nraw REPL; CTRL-B to exit\r\n>")
                elif ch == b"\x04":
                    self._send(b"OK")
                    out = self.answer(cmd.decode())
                    for part in [out] if isinstance(out, bytes) else out:
                        if self.stop.is_set():
                            return
                        self._send(part)
                    self._send(b"\x04\x04>")
                    cmd = b""
                elif cmd + ch == b"\x05A\x01":
                    self._send(b"R\x00")  # no raw-paste mode: the command comes as plain raw REPL
                    cmd = b""
                elif ch != b"\x03" and (cmd or ch != b"\r"):
                    cmd += ch

    def close(self):
        self.stop.set()
        self.thread.join(5)
        os.unlink(self.port)
        os.close(self.master)
        os.close(self.slave)


def trickle():
    yield b"RC:{"
    while True:
        time.sleep(1)
        yield b" "


def flood():
    while True:
        yield b" " * 1024


def _answers(slow):
    def answer(code):
        if code.startswith("s.info"):
            return rc(valid_info())
        if code.startswith("s.read"):
            return slow()
        return b""
    return answer


@pytest.fixture
def pty_watch(tmp_path):
    made = []

    def make(slow):
        made.append(PtyWatch(str(tmp_path), _answers(slow)))
        return made[-1]
    yield make
    for w in made:
        w.close()


@pytest.mark.parametrize("slow", [trickle, flood])
def test_a_watch_that_never_ends_its_reply_is_given_up_at_the_call_deadline(pty_watch, monkeypatch, slow):
    """mpremote only gives up on a quiet line: a watch sending a byte a second (or a flood) held
    every command for ever."""
    monkeypatch.setattr(link, "CALL_DEADLINE_S", 1.5)
    watch = pty_watch(slow)
    with time_limit(15), link.Watch(watch.port) as w:
        assert w.info()["device_id"] == valid_info()["device_id"]
        with pytest.raises(link.LinkError, match="read: the watch stopped answering"):
            w.call("read", 1, 4096)


def test_a_sync_ends_within_its_deadline(pty_watch, tmp_path):
    watch = pty_watch(trickle)
    with time_limit(15), Archive(tmp_path / "a.sqlite") as arc:
        with pytest.raises(link.LinkError, match="stopped answering"):
            sync.sync(watch.port, arc, deadline_s=2)
        assert arc.sessions() == []
