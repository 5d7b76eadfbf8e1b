"""Fuzzing the host's handling of what the watch says: only clear errors, never a crash or a hang.

The watch is not trusted (a broken firmware, a garbled link, another board on the port).
Here only the serial transport under ``link.Watch`` is replaced, by a fake whose
``exec`` answers each request with generated output: wrong types, bad base64, bad CRCs,
missing keys, huge numbers, non-JSON, several ``RC:`` lines, bytes that are not UTF-8,
and transports that fail (timeouts, EIO, a vanished device).  Everything above the
wire is the real code: ``Watch.call``, ``Watch.info``, ``sync._read_chunk``, the
whole ``sync.sync`` into a real archive, and the ``device info`` / push commands.
The only errors allowed are ``UserError`` subclasses (LinkError, WatchRefused,
ArchiveError...), each one line; anything else is a bug.

Examples per property: RUNCUE_FUZZ_EXAMPLES (default 300; `make fuzz` sets it high),
derandomized (the same cases every run); each example has a hard time limit.
"""

import base64
import json
import os
import re
import shutil
import struct
import tempfile
from binascii import crc32
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mpremote.transport import TransportError
from test_fuzz_program import EXAMPLES, Hang, time_limit

from runcue import plan, program, records
from runcue.syncsvc import PROTOCOL
from runcue_host import UserError
from runcue_host.archive import Archive
from runcue_host.watch import link, sync

FUZZ = settings(max_examples=EXAMPLES, deadline=timedelta(seconds=5), derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
DEVICE = "0123456789abcdef"
PROG = program.make("fuzz", "en", [["walk", 60000], ["x", 2, [["run", 30000], ["walk", 30000]]]])


# -- a fake wire ------------------------------------------------------------------------------

class FakeSerial:
    def write(self, data):
        return len(data)

    def flush(self):
        pass

    def close(self):
        pass


class FakeTransport:
    """Stands in for mpremote's SerialTransport: ``answer(code)`` gives each exec's output."""

    def __init__(self, answer, enter=None, close_error=None):
        self.serial = FakeSerial()
        self.answer = answer
        self.enter = enter
        self.close_error = close_error
        self.closed = False

    def enter_raw_repl(self, soft_reset=True, timeout_overall=None):
        if self.enter:
            self.enter()

    def exec(self, code):
        return self.answer(code)

    def exit_raw_repl(self):
        pass

    def close(self):
        self.closed = True
        if self.close_error:
            raise self.close_error


class Wire:
    """Puts a FakeTransport under every ``link.Watch`` opened in the block."""

    def __init__(self, monkeypatch, tmpdir, transport_factory):
        self.port = os.path.join(tmpdir, "ttyFAKE")
        with open(self.port, "w"):
            pass  # Watch checks that the port exists
        monkeypatch.setattr(link, "SerialTransport", lambda *a, **kw: transport_factory())


def allowed(err):
    """A UserError with a one-line message; re-raises anything else."""
    if isinstance(err, Hang) or not isinstance(err, UserError):
        raise err
    msg = str(err)
    assert msg and "\n" not in msg, repr(msg)
    return msg


def watch_with(output):
    """A Watch (not entered) whose transport answers every exec with ``output`` (bytes or exception)."""
    def answer(code):
        if isinstance(output, BaseException):
            raise output
        return output

    w = link.Watch("/dev/null-fake")
    w.transport = FakeTransport(answer)
    return w


def rc(obj):
    return ("RC:" + json.dumps(obj) + "\r\n").encode()


# -- strategies --------------------------------------------------------------------------------

HUGE = st.sampled_from([2 ** 31, 2 ** 32, 2 ** 63, 2 ** 64, 10 ** 30, -(2 ** 63), -1, 0, 10 ** 400])
JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), HUGE, st.floats(allow_nan=False), st.text(max_size=10),
              st.sampled_from(["", DEVICE, "plan", "program", "AAAA", "A", "AAAAA", "!!", "//79", "0" * 16])),
    lambda kids: st.one_of(st.lists(kids, max_size=3), st.dictionaries(st.text(max_size=8), kids, max_size=3)),
    max_leaves=8,
)


def valid_info(**over):
    info = {"protocol": PROTOCOL, "firmware": "0.1.0", "record_format": records.FORMAT_VERSION,
            "program_format": program.FORMAT_VERSION, "device_id": DEVICE, "client": None,
            "clock": 1764000000, "uptime_s": 10, "boots": 3, "first_seq": 1, "next_seq": 3, "acked": 0,
            "last_closed": 2, "unsynced": 2, "log_bytes": 200, "free_bytes": 300000, "flash_bytes": 512000,
            "logging_off": False, "program": {"kind": "program", "id": PROG.id(), "name": PROG.name}}
    info.update(over)
    return info


@st.composite
def mutated(draw, obj):
    """``obj`` (a reply dict) with keys dropped, retyped, made huge, or an "error" added."""
    obj = dict(obj)
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["drop", "retype", "huge", "error", "extra"]))
        keys = sorted(obj)
        if op == "drop" and keys:
            obj.pop(draw(st.sampled_from(keys)))
        elif op == "retype" and keys:
            obj[draw(st.sampled_from(keys))] = draw(JSON_VALUE)
        elif op == "huge" and keys:
            obj[draw(st.sampled_from(keys))] = draw(HUGE)
        elif op == "error":
            obj["error"] = draw(JSON_VALUE)
        elif op == "extra":
            obj[draw(st.text(max_size=6))] = draw(JSON_VALUE)
    return obj


@st.composite
def framing(draw, payload):
    """The exec output around a reply line: noise, several RC: lines, bad UTF-8, no newline..."""
    how = draw(st.sampled_from(["plain", "plain", "noise", "twice", "garbage_json", "no_rc", "bytes", "crlf_mix",
                                "nul", "truncated"]))
    line = "RC:" + json.dumps(payload)
    if how == "noise":
        return (draw(st.text(max_size=20)).replace("RC:", "") + "\n" + line + "\n").encode()
    if how == "twice":
        return (line + "\n" + "RC:" + json.dumps(draw(JSON_VALUE)) + "\n").encode()
    if how == "garbage_json":
        return ("RC:" + draw(st.text(max_size=30)) + "\n").encode()
    if how == "no_rc":
        return draw(st.text(max_size=30)).replace("RC:", "").encode()
    if how == "bytes":
        return b"RC:" + draw(st.binary(max_size=40)) + b"\n"
    if how == "crlf_mix":
        return ("\r\n\r" + line + "\r\r\n").encode()
    if how == "nul":
        return (line[:draw(st.integers(0, len(line)))] + "\x00" + line).encode()
    if how == "truncated":
        return line[:draw(st.integers(0, len(line)))].encode()
    return (line + "\r\n").encode()


def frame_strategy():
    """One well-formed frame (right length and CRC) of any type with any field values."""
    sizes = {"B": 255, "H": 65535, "I": 2 ** 32 - 1, "Q": 2 ** 64 - 1}

    def fields_for(rtype):
        fmt = records.FORMATS[rtype][1:]
        return st.tuples(*[st.one_of(st.integers(0, 3), st.integers(0, sizes[c])) for c in fmt])

    return st.integers(records.START, records.SUMMARY).flatmap(
        lambda t: fields_for(t).map(lambda f: records.encode(t, *f)))


def session_bytes(seq, segs=(60, 90), status=records.COMPLETED, checkin=True):
    rtc = (1764000000 + seq * 86400) % 2 ** 32
    out = records.encode(records.START, seq, records.id_bytes(PROG.id()), 255, 255, rtc, 1, 100, 3)
    for s in segs:
        out += records.encode(records.SEG, s)
    out += records.encode(records.END, status, 120, 120)
    if checkin:
        out += records.encode(records.CHECKIN, 4, 1, 0)
    return out


LOG = b"".join(session_bytes(s) for s in (1, 2))


def read_reply(data, nxt):
    return {"data": base64.b64encode(data).decode(), "crc": crc32(data), "bytes": len(data), "next": nxt}


# -- Watch.call --------------------------------------------------------------------------------

@FUZZ
@given(st.binary(max_size=200))
def test_call_any_bytes(output):
    with time_limit():
        try:
            reply = watch_with(output).call("info")
        except BaseException as e:  # noqa: B036 - allowed() re-raises what is not a clear error
            allowed(e)
        else:
            assert isinstance(reply, dict) and "error" not in reply


@FUZZ
@given(JSON_VALUE.flatmap(framing))
def test_call_framed_replies(output):
    with time_limit():
        try:
            reply = watch_with(output).call("read", 1, 4096)
        except BaseException as e:  # noqa: B036
            allowed(e)
        else:
            assert isinstance(reply, dict) and "error" not in reply


TRANSPORT_FAILURES = [
    TransportError("timeout waiting for first EOF reception"),
    TransportError("could not enter raw repl"),
    OSError(5, "Input/output error"),
    OSError(19, "No such device"),
]


def _serial_exceptions():
    import serial

    return [serial.SerialException("device reports readiness to read but returned no data "
                                   "(device disconnected or multiple access on port?)"),
            serial.SerialTimeoutException("Write timeout"), serial.PortNotOpenError()]


@pytest.mark.parametrize("failure", TRANSPORT_FAILURES + _serial_exceptions(), ids=repr)
def test_a_transport_that_fails_mid_call_gives_a_link_error(failure):
    """A watch unplugged or dead in the middle of a request: LinkError, never OSError."""
    with pytest.raises(link.LinkError):
        watch_with(failure).call("info")


@pytest.mark.parametrize("failure", TRANSPORT_FAILURES + _serial_exceptions(), ids=repr)
@pytest.mark.parametrize("where", ["enter", "exec", "close"])
def test_a_watch_that_vanishes_at_any_moment_of_a_session_gives_a_link_error(monkeypatch, tmp_path, failure,
                                                                              where):
    """The whole `with Watch(port)` path: entering the raw REPL, a call, and the goodbye reset."""
    def fail():
        raise failure

    def answer(code):
        if where == "exec" and code.startswith("s.info"):
            raise failure
        return rc(valid_info()) if code.startswith("s.info") else b""

    def factory():
        return FakeTransport(answer, enter=fail if where == "enter" else None,
                             close_error=failure if where == "close" and isinstance(failure, OSError) else None)

    wire = Wire(monkeypatch, str(tmp_path), factory)
    try:
        with link.Watch(wire.port) as w:
            w.info()
    except BaseException as e:  # noqa: B036
        allowed(e)
    else:
        assert where == "close", "no error from a transport that failed at %s" % where


# -- Watch.info --------------------------------------------------------------------------------

def _check_info(info):
    for key, kind in {"protocol": int, "device_id": str, "clock": int, "acked": int, "last_closed": int,
                      "logging_off": bool}.items():
        assert type(info[key]) is kind, key
    assert info["client"] is None or isinstance(info["client"], str)


@FUZZ
@given(mutated(valid_info()).flatmap(framing))
def test_info_with_mutated_fields(output):
    with time_limit():
        try:
            info = watch_with(output).info()
        except BaseException as e:  # noqa: B036
            allowed(e)
        else:
            _check_info(info)


@FUZZ
@given(st.dictionaries(st.sampled_from(sorted(valid_info())), JSON_VALUE, max_size=20))
def test_info_with_random_fields(obj):
    with time_limit():
        try:
            info = watch_with(rc(obj)).info()
        except BaseException as e:  # noqa: B036
            allowed(e)
        else:
            _check_info(info)


# -- sync._read_chunk -----------------------------------------------------------------------------

@st.composite
def read_replies(draw):
    """A read reply from real session bytes, then damaged on the way."""
    data = draw(st.sampled_from([b"", LOG, session_bytes(1), session_bytes(5, checkin=False)]))
    if draw(st.booleans()):
        data = b"".join(draw(st.lists(frame_strategy(), max_size=4)))
    reply = read_reply(data, draw(st.sampled_from([1, 2, 3, 6])))
    op = draw(st.sampled_from(["none", "b64_chars", "b64_cut", "crc", "bytes", "next", "flip", "mutate", "pad"]))
    if op == "b64_chars":
        s = reply["data"]
        i = draw(st.integers(0, len(s)))
        reply["data"] = s[:i] + draw(st.sampled_from(["!", "=", "*", " ", "\u00e9", "==A", "A"])) + s[i:]
    elif op == "b64_cut":
        reply["data"] = reply["data"][:draw(st.integers(0, len(reply["data"])))]
    elif op == "crc":
        reply["crc"] = draw(st.one_of(st.integers(), HUGE))
    elif op == "bytes":
        reply["bytes"] = draw(st.one_of(st.integers(), HUGE))
    elif op == "next":
        reply["next"] = draw(st.one_of(st.integers(), HUGE))
    elif op == "flip" and data:
        b = bytearray(data)
        i = draw(st.integers(0, len(b) * 8 - 1))
        b[i // 8] ^= 1 << (i % 8)
        reply = read_reply(bytes(b), reply["next"])  # a CRC that matches: the frame CRC must catch it
    elif op == "mutate":
        reply = draw(mutated(reply))
    elif op == "pad":
        reply["data"] = reply["data"].rstrip("=")
    return reply


@FUZZ
@given(read_replies().flatmap(framing), st.integers(1, 5))
def test_read_chunk_with_damaged_replies(output, cursor):
    with time_limit():
        try:
            data, seqs, nxt = sync._read_chunk(watch_with(output), cursor, 7)
        except BaseException as e:  # noqa: B036
            allowed(e)
        else:
            records.decode_all(data)  # whole frames only
            assert isinstance(nxt, int) and nxt >= cursor and (not data or nxt > cursor) and nxt <= 7
            assert seqs == sorted(set(seqs)) and all(cursor <= q < nxt for q in seqs)


# -- the whole sync, into a real archive ----------------------------------------------------------

CALL = re.compile(r"s\.(\w+)\((.*)\)$")


def parse_call(code):
    """(name, int args) of the syncsvc call the host sent (only read/ack/set_time take numbers here)."""
    m = CALL.match(code)
    name = m.group(1)
    return name, [int(a) for a in m.group(2).split(",") if a.strip()] if name in ("read", "ack", "set_time") else []


class FakeWatch:
    """A watch that answers syncsvc calls right, unless the fuzzer damages the reply."""

    def __init__(self, data, log, acked=0):
        self.data = data  # hypothesis' draw
        self.log = log
        self.acked = acked
        self.calls = []

    def sessions(self):
        from runcue_host.archive import logdecode as s

        try:
            return [(g[0][1][0], b"".join(it[2] for it in g)) for g in s.split(s.frames(self.log))]
        except s.LogError:
            return [(1, self.log)]

    def honest(self, name, args):
        if name == "info":
            closed = [q for q, _ in self.sessions()]
            return valid_info(acked=self.acked, last_closed=max(closed + [self.acked]),
                              next_seq=max(closed + [self.acked]) + 1, log_bytes=len(self.log))
        if name == "read":
            cursor, _max = args
            picked = [b for q, b in self.sessions() if q >= cursor]
            nxt = max([q for q, _ in self.sessions() if q >= cursor] + [cursor - 1]) + 1
            return read_reply(b"".join(picked), nxt)
        if name == "active":
            data = self.data.draw(st.sampled_from([PROG.to_json().encode(), b'{"v":1}', b"\xff\xfe", b"x" * 10]),
                                  label="active")
            return {"kind": "program", "data": base64.b64encode(data).decode(), "crc": crc32(data)}
        if name == "ack":
            self.acked = max(self.acked, args[0])
            return {"acked": self.acked, "log_bytes": 0, "logging_off": False}
        if name == "set_time":
            return {"clock": args[0]}
        return {"error": "unknown call"}

    def answer(self, code):
        if code.startswith("import "):
            return b""
        name, args = parse_call(code)
        self.calls.append(name)
        reply = self.honest(name, args)
        how = self.data.draw(st.sampled_from(["honest"] * 3 + ["mutate", "frame", "raise"]), label=name)
        if how == "mutate":
            reply = self.data.draw(mutated(reply), label=name + " reply")
        if how == "raise":
            raise self.data.draw(st.sampled_from(TRANSPORT_FAILURES + _serial_exceptions()), label=name + " fails")
        if how == "frame":
            return self.data.draw(framing(reply), label=name + " framing")
        return rc(reply)


@pytest.fixture
def fake_port(monkeypatch):
    tmp = tempfile.mkdtemp(prefix="runcue-fuzz-")
    yield monkeypatch, tmp
    shutil.rmtree(tmp, ignore_errors=True)


_TEMPLATE = []


def fresh_archive(tmp):
    """A new, empty archive: a copy of one made once (making one runs the migrations: slow)."""
    if not _TEMPLATE:
        path = os.path.join(tempfile.mkdtemp(prefix="runcue-fuzz-template-"), "empty.sqlite")
        Archive(path).close()
        _TEMPLATE.append(path)
    path = os.path.join(tmp, "a%d.sqlite" % len(os.listdir(tmp)))
    shutil.copyfile(_TEMPLATE[0], path)
    os.chmod(path, 0o600)
    return path


def _sync_once(fake_port, watch):
    monkeypatch, tmp = fake_port
    wire = Wire(monkeypatch, tmp, lambda: FakeTransport(watch.answer))
    arc_path = fresh_archive(tmp)
    with time_limit(10), Archive(arc_path) as arc:
        try:
            result = sync.sync(wire.port, arc)
        except BaseException as e:  # noqa: B036
            allowed(e)
            result = None
        if result is not None:
            arc.sessions()  # what was stored reads back
    os.unlink(arc_path)
    return result


LOGS = st.one_of(
    st.just(LOG),
    st.just(session_bytes(1) + session_bytes(2, status=records.STOPPED) + session_bytes(3, checkin=False)),
    st.lists(frame_strategy(), max_size=6).map(b"".join),  # any well-formed frames, in any order
    st.lists(st.integers(1, 2 ** 32 - 1), max_size=4).map(lambda seqs: b"".join(session_bytes(s) for s in seqs)),
)


@settings(FUZZ, deadline=timedelta(seconds=10))
@given(st.data(), LOGS)
def test_whole_sync_against_a_fuzzed_watch(fake_port, data, log):
    """A sync against a watch whose replies may be damaged anywhere: it stores, or stops with a
    clear error; never a traceback."""
    watch = FakeWatch(data, log)
    _sync_once(fake_port, watch)


@settings(FUZZ, deadline=timedelta(seconds=10))
@given(st.lists(frame_strategy(), max_size=8).map(b"".join))
def test_whole_sync_of_well_formed_frames_in_any_order(fake_port, log):
    """Frames with good CRCs but any types and values (an odd firmware): stored or refused, and what
    is stored reads back."""

    class Honest(FakeWatch):
        def answer(self, code):
            if code.startswith("import "):
                return b""
            m = CALL.match(code)
            name = m.group(1)
            args = [int(a) for a in m.group(2).split(",") if a.strip()] if name in ("read", "ack", "set_time") \
                else []
            if name == "active":
                return rc({"kind": None})
            return rc(self.honest(name, args))

    _sync_once(fake_port, Honest(None, log))


# -- the commands that show replies ----------------------------------------------------------------

PLAN = plan.make("p", "en", 3, "repeat", [(1, PROG), (1, PROG)])


@st.composite
def program_summaries(draw):
    good = draw(st.sampled_from([
        {"kind": "program", "id": PROG.id(), "name": PROG.name},
        {"kind": "plan", "id": PLAN.id(), "name": "p", "sessions": 2, "pos": 0, "next": "fuzz", "week": 1},
        {"kind": "plan", "error": "plan: bad"}, None]))
    if good is None or draw(st.booleans()):
        return good if good is None or draw(st.booleans()) else draw(JSON_VALUE)
    return draw(mutated(good))


@FUZZ
@given(program_summaries(), st.booleans())
def test_device_info_shows_any_program_summary(fake_port, summary, as_json):
    from runcue_host.cli import device as cli_device

    monkeypatch, tmp = fake_port
    wire = Wire(monkeypatch, tmp, lambda: FakeTransport(
        lambda code: b"" if code.startswith("import") else rc(valid_info(program=summary))))
    with time_limit():
        try:
            cli_device.info(port=wire.port, as_json=as_json)
        except BaseException as e:  # noqa: B036
            allowed(e)


C25K = None


@FUZZ
@given(st.data())
def test_push_reply_handling(fake_port, data):
    from runcue_host.authoring import plan_file as plans
    from runcue_host.cli import push as cli_push

    global C25K
    C25K = C25K or plans.resolve("c25k")
    good = {"kind": "plan", "id": C25K.id(), "name": C25K.name, "sessions": len(C25K.sessions), "pos": 0,
            "next": C25K.sessions[0][1].name, "week": 1}
    output = data.draw(mutated(good).flatmap(framing))
    monkeypatch, tmp = fake_port
    wire = Wire(monkeypatch, tmp, lambda: FakeTransport(lambda code: b"" if code.startswith("import") else output))
    with time_limit():
        try:
            cli_push.push_plan("c25k", port=wire.port, archive=os.path.join(tmp, "push.sqlite"))
        except BaseException as e:  # noqa: B036
            allowed(e)


def test_frame_strategy_makes_frames_the_decoder_takes():
    frame = records.encode(records.SEG, 7)
    assert records.decode_all(frame) == [(records.SEG, (7,))]
    assert struct.calcsize(records.FORMATS[records.SUMMARY]) <= records.MAX_PAYLOAD


def test_device_info_shows_a_plan_the_watch_refused(fake_port, capsys):
    """syncsvc.info() says {"kind": "plan", "error": why} when /plan.json does not load: the
    command shows that (it used to fail with KeyError 'name')."""
    from runcue_host.cli import device as cli_device

    monkeypatch, tmp = fake_port
    summary = {"kind": "plan", "error": "plan: not valid JSON"}
    wire = Wire(monkeypatch, tmp, lambda: FakeTransport(
        lambda code: b"" if code.startswith("import") else rc(valid_info(program=summary))))
    cli_device.info(port=wire.port, as_json=False)
    assert "refused by the watch: plan: not valid JSON" in capsys.readouterr().out


def test_a_sync_with_a_watch_that_lost_its_link_is_a_link_error(fake_port):
    """EIO in the middle of a read (the watch lost power, the cable came out): a LinkError that
    says the link was lost, and nothing stored."""
    import serial

    def answer(code):
        if code.startswith("s.read"):
            raise serial.SerialException("device reports readiness to read but returned no data")
        return b"" if code.startswith("import") else rc(valid_info())

    monkeypatch, tmp = fake_port
    wire = Wire(monkeypatch, tmp, lambda: FakeTransport(answer, close_error=OSError(5, "Input/output error")))
    with Archive(os.path.join(tmp, "a.sqlite")) as arc:
        with pytest.raises(link.LinkError, match="the link to the watch was lost"):
            sync.sync(wire.port, arc)
        assert arc.sessions() == []


class _Scripted:
    """A watch that answers honestly but for the replies given in ``override`` (name -> bytes)."""

    def __init__(self, log, override):
        self.watch = FakeWatch(None, log)
        self.override = override

    def answer(self, code):
        if code.startswith("import "):
            return b""
        m = CALL.match(code)
        name = m.group(1)
        if name in self.override:
            return self.override[name]
        args = [int(a) for a in m.group(2).split(",") if a.strip()] if name in ("read", "ack", "set_time") else []
        if name == "active":
            return rc({"kind": None})
        return rc(self.watch.honest(name, args))


def _sync_scripted(fake_port, override):
    monkeypatch, tmp = fake_port
    watch = _Scripted(LOG, override)
    wire = Wire(monkeypatch, tmp, lambda: FakeTransport(watch.answer))
    arc_path = fresh_archive(tmp)
    with Archive(arc_path) as arc:
        return sync.sync(wire.port, arc), [s["seq"] for s in arc.sessions()]


def test_found_an_info_reply_without_a_client_field_is_a_link_error(fake_port):
    info = valid_info()
    del info["client"]
    with pytest.raises(link.LinkError, match="client"):
        _sync_scripted(fake_port, {"info": rc(info)})


def test_found_an_ack_reply_without_acked_is_a_link_error_after_the_sessions_are_stored(fake_port):
    monkeypatch, tmp = fake_port
    with pytest.raises(link.LinkError, match="acked"):
        _sync_scripted(fake_port, {"ack": rc({"log_bytes": 0})})


@pytest.mark.parametrize("data,crc_of", [("A", b""), (base64.b64encode(b"\xff\xfe{").decode(), b"\xff\xfe{")],
                         ids=["bad-base64", "not-utf8"])
def test_found_a_bad_active_program_reply(fake_port, data, crc_of):
    """Bad base64 is a link error (sync again); a program that is not UTF-8 is noted, the sessions stored."""
    reply = rc({"kind": "program", "data": data, "crc": crc32(crc_of)})
    if data == "A":
        with pytest.raises(link.LinkError, match="bad base64"):
            _sync_scripted(fake_port, {"active": reply})
        return
    result, seqs = _sync_scripted(fake_port, {"active": reply})
    assert seqs == [1, 2] and any("not kept" in n for n in result["stored"]["notes"])


def test_found_a_plan_push_reply_with_a_position_that_is_not_a_number(fake_port, capsys):
    from runcue_host.authoring import plan_file as plans
    from runcue_host.cli import push as cli_push

    c25k = plans.resolve("c25k")
    monkeypatch, tmp = fake_port
    reply = rc({"kind": "plan", "id": c25k.id(), "name": c25k.name, "sessions": 27, "pos": None})
    sessions = iter(c25k.push_steps())

    def answer(code):
        if code.startswith("import"):
            return b""
        if code.startswith("s.put_session"):  # each session stored as sent
            _name, data, (offset,) = next(sessions)
            prog = program.loads(data)
            return rc({"id": prog.id(), "offset": offset, "bytes": len(data)})
        return reply

    wire = Wire(monkeypatch, tmp, lambda: FakeTransport(answer))
    cli_push.push_plan("c25k", port=wire.port, archive=os.path.join(tmp, "push.sqlite"))
    assert "next is session ? of 27" in " ".join(capsys.readouterr().out.split())


def test_found_a_session_push_reply_for_another_program_stops_the_push_before_the_index(fake_port):
    """A watch that says it stored another program than the one sent never gets the plan's index:
    the plan in force stays whole (a mix of two plans cannot come into force)."""
    from runcue_host.authoring import plan_file as plans
    from runcue_host.cli import push as cli_push

    c25k = plans.resolve("c25k")
    monkeypatch, tmp = fake_port
    sent = []
    steps = iter(c25k.push_steps())

    def answer(code):
        if code.startswith("import"):
            return b""
        sent.append(code.split("(")[0])
        _name, data, (offset,) = next(steps)
        wrong = len(sent) == 3
        return rc({"id": "0" * 16 if wrong else program.loads(data).id(), "offset": offset, "bytes": len(data)})

    wire = Wire(monkeypatch, tmp, lambda: FakeTransport(answer))
    with pytest.raises(link.LinkError, match="stored session 3 as program '0000000000000000'.*unchanged"):
        cli_push.push_plan("c25k", port=wire.port, archive=os.path.join(tmp, "push.sqlite"))
    assert sent == ["s.put_session"] * 3
