"""The device side of the sync protocol: a few fixed functions the host calls.

The host enters the raw REPL (the app is not running then) and runs:

    import boards, runcue.syncsvc as s; s.attach(boards.rtc())
    s.info()            s.read(cursor, max_bytes)      s.ack(seq)
    s.set_time(unix)    s.assign(client)               s.put_program(b64, crc)
    s.put_session(b64, crc, offset) ... s.put_plan(b64, crc[, pos])   s.active()

Each call prints exactly one line, ``RC:`` and a JSON object, which the host
parses (never evaluates); ``{"error": why}`` when the call was refused.  Binary
data travels as base64 with a CRC32.  Nothing here trusts the host either: a
pushed program is checked again, written to a temporary file, read back and
only then renamed over the active one, so the old one stays on any error.  A
plan arrives session by session, then its index, which puts it in force
(``runcue.plan.Plan.push_steps``, ``runcue.planstore``): the watch never holds
a whole plan, neither when it is pushed nor when ``active()`` sends it back.
"""

import json
import os
from binascii import a2b_base64, b2a_base64, crc32

from runcue import VERSION, plan, planstore, program, records
from runcue.logstore import read_small, write_atomic, write_small
from runcue.logsync import SyncLog
from runcue.paths import CLIENT_FILE, CRASH_FILE, LOG_DIR, NOTE_FILE, PLAN_INDEX, PLAN_STATE, PROGRAM_FILE

PROTOCOL = 1
MAX_READ = 8192
MAX_CLIENT = 16
CLIENT_RULE = "a client code is 1-%d letters, digits, '-' or '_'" % MAX_CLIENT
MAX_CLOCK = records.RTC_MAX  # records keep unix seconds in 32 bits
MAX_COUNT = 0x7FFFFFFF  # seqs, boots, uptime, byte counts: a watch stays far below; the host checks each

_clock = None
_store = None
_keeper = None  # the soft timer that feeds the watchdog while the host holds the REPL


def attach(clock):
    """The board's RTC: ``now()`` (unix seconds, 0 unset), ``set(unix)``, ``uptime_s()``, and its
    ``WATCHDOG_MS`` (absent: no watchdog), which this session keeps fed with the
    machine.Timer ``WATCHDOG_TIMER``.

    mpremote enters the raw REPL with a soft reset, after which main.py does not run again, yet no
    soft reset stops the watchdog the app started: a sync longer than it would reset the watch.  A
    soft timer feeds it (its callback runs in the interpreter, so a hang still resets the board)."""
    global _clock, _keeper
    _clock = clock
    period = getattr(clock, "WATCHDOG_MS", 0)
    if period and _keeper is None:
        from machine import WDT, Timer

        wdt = WDT(timeout=period)  # the watchdog that runs: this starts no second one
        _keeper = Timer(clock.WATCHDOG_TIMER, period=period // 4, callback=lambda _t: wdt.feed())


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
        write_atomic(NOTE_FILE, text.encode())
    except OSError:
        pass  # a missing note only costs the home screen its message


def _active():
    """(kind, checked Index or Program or None, why refused) of what is in force."""
    idx, why = planstore.load_index()
    if idx is not None or why is not None:
        return "plan", idx, why
    text = _read_text(PROGRAM_FILE)
    if text is None:
        return None, None, None
    try:
        return "program", program.loads(text), None
    except program.ProgramError as e:
        return "program", None, str(e)


def _summary(kind, obj, why=None):
    if obj is None:
        return {"kind": kind, "error": why} if kind else None
    out = {"kind": kind, "id": obj.id(), "name": obj.name}
    if kind == "plan":
        progress = plan.Progress(obj, read_small(PLAN_STATE))
        cur = progress.current()
        nxt = None
        if cur:
            try:
                nxt = planstore.session(obj, cur[1]).name
            except program.ProgramError as e:
                out["error"] = str(e)
        out.update({"sessions": len(obj.weeks), "pos": progress.pos, "next": nxt, "week": cur[0] if cur else None})
    return out


def info():
    log = _log()
    prog = _summary(*_active())
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


def valid_client(code):
    """True for a client code the watch takes (CLIENT_RULE: ASCII letters and digits, '-', '_'):
    the one check, made by the laptop before it asks and by the watch when asked."""
    if not isinstance(code, str) or not 0 < len(code) <= MAX_CLIENT:
        return False
    for ch in code:
        if not ("a" <= ch <= "z" or "A" <= ch <= "Z" or "0" <= ch <= "9" or ch == "-" or ch == "_"):
            return False
    return True


def assign(code):
    """Give the watch a pseudonymous client code (letters, digits, '-', '_').

    Refused while sessions are unsynced: each session belongs to the client it
    was recorded for.  The file keeps the seq the new client starts at, so an
    archive that later reads older sessions still on flash (acked, not yet
    trimmed) does not file them under the new client.
    """
    if not valid_client(code):
        return _fail("assign: " + CLIENT_RULE)
    old, since = _client()
    if code != old:
        log = _log()
        n = log.unsynced_count()
        if n:
            return _fail("sync first: %d session%s on this watch %s not synced yet"
                         % (n, "" if n == 1 else "s", "is" if n == 1 else "are"))
        since = log.next_seq
        try:
            write_atomic(CLIENT_FILE, ("%s\n%d" % (code, since)).encode())
        except OSError as e:
            return _fail("assign: not stored (%s)" % e)
    _reply({"client": code, "client_since": since})


def active():
    """The program or plan in force, as its canonical JSON: {"kind", "data" (base64), "crc"}.

    A plan is sent as it is read, one session at a time (the reply is still one line); a file
    the watch refuses is sent as it is, for the host to note."""
    kind, obj, _why = _active()
    if isinstance(obj, plan.Index) and _size(planstore.sessions_file(obj)) == obj.ends[-1]:
        return _send_plan(obj)
    text = _read_text(PLAN_INDEX if kind == "plan" else PROGRAM_FILE) if kind else None
    if text is None:
        return _reply({"kind": None})
    data = text.encode()
    _reply({"kind": kind, "data": b2a_base64(data).decode().strip(), "crc": crc32(data)})


def _send_plan(index):
    print('RC:{"kind":"plan","data":"', end="")
    crc = 0
    carry = b""
    with open(planstore.sessions_file(index), "rb") as f:
        for part in planstore.parts(index, f):
            part = part if isinstance(part, bytes) else part.encode()
            crc = crc32(part, crc)
            data = carry + part
            whole = len(data) - len(data) % 3  # base64 of whole 3-byte groups joins without padding
            print(b2a_base64(data[:whole]).decode().strip(), end="")
            carry = data[whole:]
    print(b2a_base64(carry).decode().strip() + '","crc":%d}' % crc)


def _size(path):
    try:
        return os.stat(path)[6]
    except OSError:
        return -1


def _decoded(what, b64, crc):
    """(data, None) of a pushed base64 text with its CRC; (None, why) when it did not arrive whole."""
    try:
        data = a2b_base64(b64)
    except ValueError:
        return None, "%s: bad base64" % what
    if crc32(data) != crc:
        return None, "%s: CRC mismatch (%d bytes)" % (what, len(data))
    return data, None


def put_program(b64, crc):
    """Install a program; it replaces any plan (the newest push is in force)."""
    data, why = _decoded("program", b64, crc)
    if data is None:
        return _fail(why)
    try:
        prog = program.loads(data)
    except program.ProgramError as e:
        return _fail(str(e))
    try:
        write_atomic(PROGRAM_FILE, prog.to_json().encode())
    except OSError as e:
        return _fail("program: not stored (%s)" % e)
    planstore.remove()  # after the program is stored: a cut before leaves the plan in force
    _note("program")
    _reply({"kind": "program", "id": prog.id(), "segments": prog.segments, "total_ms": prog.total_ms})


def put_session(b64, crc, offset):
    """One session of a plan push: its program, checked, added at byte ``offset`` of the push
    (0 starts one).  Nothing changes in force until ``put_plan``."""
    if type(offset) is not int or offset < 0:
        return _fail("put_session: offset %r is not a byte count" % (offset,))
    data, why = _decoded("put_session", b64, crc)
    if data is None:
        return _fail(why)
    try:
        prog = program.loads(data)  # canonical: data is exactly prog.to_json()
    except program.ProgramError as e:
        return _fail("put_session: %s" % e)
    try:
        planstore.append(data, offset)
    except ValueError as e:
        return _fail("put_session: %s" % e)
    except OSError as e:
        return _fail("put_session: not stored (%s)" % e)
    _reply({"id": prog.id(), "offset": offset, "bytes": len(data)})


def put_plan(b64, crc, pos=None):
    """Put in force the plan whose sessions were just pushed, from its index: the commit point.
    The same plan again keeps the client's place in it, unless ``pos`` (an index in the plan)
    places the client there ("repeat week 2": the first session of week 2).

    The plan is put in force before its place is written: a power cut between the two leaves the
    new plan with the place it had (the start, for another plan), and the host, which saw no reply,
    pushes again.  The other order could leave the old plan with a place it never had."""
    data, why = _decoded("plan", b64, crc)
    if data is None:
        return _fail(why)
    try:
        index = plan.loads_index(data)
    except program.ProgramError as e:
        return _fail(str(e))
    if pos is not None and (type(pos) is not int or not 0 <= pos < len(index.weeks)):
        return _fail("put_plan: place %r is not a session of this plan (0 to %d)" % (pos, len(index.weeks) - 1))
    try:
        planstore.commit(index)
    except ValueError as e:
        return _fail("put_plan: %s" % e)
    except OSError as e:
        return _fail("plan: not stored (%s)" % e)
    _note("program")
    if pos is not None:
        progress = plan.Progress(index, read_small(PLAN_STATE))  # this week's count stays, for the same plan
        progress.pos = pos
        try:
            write_small(PLAN_STATE, progress.state())
        except OSError as e:
            return _fail("put_plan: the plan is in force, its place not stored (%s): push again" % e)
    _reply(_summary("plan", index))
