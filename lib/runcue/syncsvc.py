"""The device side of the sync protocol: a few fixed functions the host calls.

The host enters the raw REPL (the app is not running then) and runs:

    import boards, runcue.syncsvc as s; s.attach(boards.rtc())
    s.info()            s.read(cursor, max_bytes)      s.ack(seq)
    s.set_time(unix)    s.assign(client)               s.put_program(b64, crc)
    s.put_plan(b64, crc[, pos])  s.active()

Each call prints exactly one line, ``RC:`` and a JSON object, which the host
parses (never evaluates); ``{"error": why}`` when the call was refused.  Binary
data travels as base64 with a CRC32.  Nothing here trusts the host either: a
pushed program is checked again, written to a temporary file, read back and
only then renamed over the active one, so the old one stays on any error.
"""

import json
import os
from binascii import a2b_base64, b2a_base64, crc32

from runcue import CRASH_FILE, VERSION, plan, program, records
from runcue.logstore import read_small, write_small
from runcue.logsync import SyncLog

PROTOCOL = 1
PROGRAM_FILE = "/program.json"
PLAN_FILE = "/plan.json"  # in force when present (firmware/app.py)
PLAN_STATE = "/plan_state"
CLIENT_FILE = "/client"  # the code, then the seq from which its sessions are the client's ("C03\n7")
NOTE_FILE = "/note"  # read once by the home screen: "synced N" or "program"
LOG_DIR = "/log"
MAX_READ = 8192
MAX_CLIENT = 16
MAX_CLOCK = records.RTC_MAX  # records keep unix seconds in 32 bits
MAX_COUNT = 0x7FFFFFFF  # seqs, boots, uptime, byte counts: a watch stays far below; the host checks each

_clock = None
_store = None


def attach(clock):
    """The board's RTC: ``now()`` (unix seconds, 0 unset), ``set(unix)``, ``uptime_s()``."""
    global _clock
    _clock = clock


def _log():
    global _store
    if _store is None:
        _store = SyncLog(LOG_DIR)
        _store.open(boot=False)
    return _store


def _reply(obj):
    print("RC:" + json.dumps(obj))


def _fail(why):
    _reply({"error": why})


def _write_atomic(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    with open(tmp, "rb") as f:
        if f.read() != data:
            os.remove(tmp)
            raise OSError(5)  # EIO: what was written does not read back
    os.rename(tmp, path)


def _read_text(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def _client():
    """(code or None, client_since): the client, and the first seq recorded for it.

    A file with just a code (older firmware) counts from session 1.
    """
    text = _read_text(CLIENT_FILE)
    if not text:
        return None, 1
    lines = text.split("\n")
    since = lines[1] if len(lines) > 1 else ""
    return lines[0], int(since) if since.isdigit() and int(since) > 0 else 1


def _note(text):
    try:
        _write_atomic(NOTE_FILE, text.encode())
    except OSError:
        pass  # a missing note only costs the home screen its message


def _active():
    """(kind, text, checked object or error) of what is in force."""
    text = _read_text(PLAN_FILE)
    kind, loads = "plan", plan.loads
    if text is None:
        text = _read_text(PROGRAM_FILE)
        kind, loads = "program", program.loads
    if text is None:
        return None, None, None
    try:
        return kind, text, loads(text)
    except program.ProgramError as e:
        return kind, text, str(e)


def _summary(kind, obj):
    if obj is None or isinstance(obj, str):
        return {"kind": kind, "error": obj} if kind else None
    out = {"kind": kind, "id": obj.id(), "name": obj.name}
    if kind == "plan":
        progress = plan.Progress(obj, read_small(PLAN_STATE))
        cur = progress.current()
        out.update({"sessions": len(obj.sessions), "pos": progress.pos,
                    "next": cur[2].name if cur else None, "week": cur[0] if cur else None})
    return out


def info():
    log = _log()
    kind, _text, obj = _active()
    prog = _summary(kind, obj)
    st = os.statvfs("/")
    code, since = _client()
    _reply({
        "protocol": PROTOCOL, "firmware": VERSION, "record_format": records.FORMAT_VERSION,
        "program_format": program.FORMAT_VERSION, "device_id": log.device_id,
        "client": code, "client_since": since, "clock": _clock.now() if _clock else 0,
        "uptime_s": _clock.uptime_s() if _clock else 0, "boots": log.boots,
        "first_seq": log.first_seq(), "next_seq": log.next_seq, "acked": log.acked,
        "last_closed": log.last_closed_seq(), "unsynced": log.unsynced_count(),
        "log_bytes": log.bytes_used(), "free_bytes": st[4] * st[1], "flash_bytes": st[2] * st[1],
        "logging_off": log.logging_off, "program": prog, "crash": read_small(CRASH_FILE) or None,
    })


def read(cursor, max_bytes):
    """Whole sessions >= cursor: {"data": base64, "crc", "bytes", "next"}."""
    if not isinstance(cursor, int) or cursor < 1 or not isinstance(max_bytes, int) or max_bytes < 1:
        return _fail("read: cursor and max_bytes must be positive integers")
    data, nxt = _log().read_from(cursor, min(max_bytes, MAX_READ))
    _reply({"data": b2a_base64(data).decode().strip(), "crc": crc32(data), "bytes": len(data),
            "next": nxt})


def ack(seq):
    """The host stored every session <= seq; trim what that frees."""
    log = _log()
    before = log.acked
    try:
        acked = log.ack(seq)
    except (ValueError, OSError) as e:
        return _fail("ack %s: %s" % (seq, e))
    if acked > before:
        _note("synced %d" % (acked - before))
    _reply({"acked": acked, "log_bytes": log.bytes_used(), "logging_off": log.logging_off})


def set_time(unix):
    if not isinstance(unix, int) or not records.rtc_or_unset(unix):
        return _fail("set_time: %r is not a plausible UTC time" % (unix,))
    if _clock is None:
        return _fail("set_time: no clock attached")
    _clock.set(unix)
    _reply({"clock": _clock.now()})


def assign(code):
    """Give the watch a pseudonymous client code (letters, digits, '-', '_').

    Refused while sessions are unsynced: each session belongs to the client it
    was recorded for.  The file keeps the seq the new client starts at, so an
    archive that later reads older sessions still on flash (acked, not yet
    trimmed) does not file them under the new client.
    """
    ok = isinstance(code, str) and 0 < len(code) <= MAX_CLIENT
    if ok:
        for ch in code:
            if not (ch.isalpha() or ch.isdigit() or ch in "-_") or ord(ch) > 127:
                ok = False
    if not ok:
        return _fail("assign: a client code is 1-%d letters, digits, '-' or '_'" % MAX_CLIENT)
    old, since = _client()
    if code != old:
        log = _log()
        n = log.unsynced_count()
        if n:
            return _fail("sync first: %d session%s on this watch %s not synced yet"
                         % (n, "" if n == 1 else "s", "is" if n == 1 else "are"))
        since = log.next_seq
        try:
            _write_atomic(CLIENT_FILE, ("%s\n%d" % (code, since)).encode())
        except OSError as e:
            return _fail("assign: not stored (%s)" % e)
    _reply({"client": code, "client_since": since})


def active():
    """The program or plan in force, as device JSON: {"kind", "data" (base64), "crc"}."""
    kind, text, _obj = _active()
    if text is None:
        return _reply({"kind": None})
    data = text.encode()
    _reply({"kind": kind, "data": b2a_base64(data).decode().strip(), "crc": crc32(data)})


def _install(what, b64, crc, loads, path, check=None):
    """Decode, check, write to a temp file, read back, rename: the old one stays on any error.
    ``check(obj)``, when given, is a further check: the reason it refuses ``obj``, or None."""
    try:
        data = a2b_base64(b64)
    except ValueError:
        return None, _fail("%s: bad base64" % what)
    if crc32(data) != crc:
        return None, _fail("%s: CRC mismatch (%d bytes)" % (what, len(data)))
    try:
        obj = loads(data)
    except program.ProgramError as e:
        return None, _fail(str(e))
    why = check(obj) if check is not None else None
    if why is not None:
        return None, _fail(why)
    try:
        _write_atomic(path, obj.to_json().encode())
    except OSError as e:
        return None, _fail("%s: not stored (%s)" % (what, e))
    _note("program")
    return obj, None


def put_program(b64, crc):
    """Install a program; it replaces any plan (the newest push is in force)."""
    prog, _ = _install("program", b64, crc, program.loads, PROGRAM_FILE)
    if prog is None:
        return
    try:
        os.remove(PLAN_FILE)
    except OSError:
        pass  # no plan was in force
    _reply({"kind": "program", "id": prog.id(), "segments": prog.segments, "total_ms": prog.total_ms})


def put_plan(b64, crc, pos=None):
    """Install a plan; the same plan again keeps the client's place in it, unless ``pos`` (an
    index in the plan) places the client there ("repeat week 2": the first session of week 2).

    The plan is written before its place: a power cut between the two leaves the new plan
    with the place it had (the start, for another plan), and the host, which saw no reply,
    pushes again.  The other order could leave the old plan with a place it never had."""
    def place_check(p):
        if pos is not None and (type(pos) is not int or not 0 <= pos < len(p.sessions)):
            return "put_plan: place %r is not a session of this plan (0 to %d)" % (pos, len(p.sessions) - 1)
        return None

    p, _ = _install("plan", b64, crc, plan.loads, PLAN_FILE, place_check)
    if p is None:
        return
    if pos is not None:
        progress = plan.Progress(p, read_small(PLAN_STATE))  # this week's count stays, for the same plan
        progress.pos = pos
        try:
            write_small(PLAN_STATE, progress.state())
        except OSError as e:
            return _fail("put_plan: the plan is in force, its place not stored (%s): push again" % e)
    _reply(_summary("plan", p))
