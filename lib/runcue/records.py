"""Framed binary log records: the one definition of the flash log format.

A frame is ``type:u8  len:u8  payload[len]  crc32:u32le`` where the CRC
covers type, len and payload.  A session is a START frame (which carries its
sequence number) followed by its own frames; a frame's index within its
session is its position, so the sequence number is written once per session.
All multi-byte fields are little-endian; times inside a session are whole
seconds of active (unpaused) time since its start.

Payloads (``struct`` formats):

  START    <IQBBIHIB  seq, program id (8 bytes of the hex id), plan week,
                      plan session (0xFF/0xFF: no plan), RTC unix seconds
                      (0: clock unset or implausible, see ``rtc_or_unset``),
                      boot count, uptime seconds, mood
                      before (0: not answered)
  SEG      <H         the next segment began at this active second
  SKIP     <H         the client skipped to the next segment at this second
  PAUSE    <H         paused at this active second
  RESUME   <H         resumed after this many paused seconds
  END      <BHI       status, active seconds done, wall seconds (with pauses)
  CHECKIN  <BBB       mood after (1-5), talk test (1 could talk, 2 could
                      not), stop reason (index in REASONS); 0 everywhere
                      means not answered
  SUMMARY  <IQBBIHIBBHIBBB  a whole session in one frame, START fields then
                      END and CHECKIN fields; written when logging was off
  RESTART  <HB        the watch came back at this active second and went on
                      with the session after a crash (cause 1) or a reset
                      (cause 2); the time it was down counts as active, as
                      the program went on meanwhile (format 2)

FORMAT_VERSION grows when a record type is added (2: RESTART); the host
syncs only a watch of its own version, so firmware and runcue go together.

Fields are read by name, never by a bare position: ``<TYPE>_<FIELD>`` is a
field's index (``fields[START_PROGRAM_ID]``); the host names them the same.
``sessions_in`` is the one splitting of a log into sessions and ``reached``
the one close of a session cut without an end, for the watch and the host.

Decoding never trusts the bytes: ``decode_frame`` raises RecordError on a
short buffer, a bad length, an unknown type or a CRC mismatch.
"""

import struct
from binascii import crc32

try:
    from micropython import const
except ImportError:  # CPython
    def const(__x):
        return __x

FORMAT_VERSION = const(2)

START = const(1)
SEG = const(2)
SKIP = const(3)
PAUSE = const(4)
RESUME = const(5)
END = const(6)
CHECKIN = const(7)
SUMMARY = const(8)
RESTART = const(9)
LAST_TYPE = RESTART

CRASHED = const(1)  # RESTART cause: an exception, the app started again in the same boot
RESET = const(2)  # RESTART cause: the watch was reset (watchdog, reset button) and booted again

TYPE_NAMES = ("", "start", "seg", "skip", "pause", "resume", "end", "checkin", "summary", "restart")
FORMATS = ("", "<IQBBIHIB", "<H", "<H", "<H", "<H", "<BHI", "<BBB", "<IQBBIHIBBHIBBB", "<HB")

# The fields of each payload by name: <TYPE>_<FIELD> is the field's index in the tuple
# ``decode_frame`` gives, in FORMATS order.  These are the one definition of the names:
# the watch reads fields by them (a small int each, nothing allocated), the host builds
# its named records from them (runcue_host.archive.logdecode).
START_SEQ = const(0)
START_PROGRAM_ID = const(1)  # the int of the 16 hex digits: see id_hex
START_PLAN_WEEK = const(2)  # NO_PLAN: not a plan's session
START_PLAN_SESSION = const(3)
START_RTC = const(4)  # unix seconds; 0: unset
START_BOOT = const(5)
START_UPTIME_S = const(6)
START_MOOD_BEFORE = const(7)  # 0: not answered
SEG_AT_S = const(0)  # each TIMED record begins with the active second it happened at
SKIP_AT_S = const(0)
PAUSE_AT_S = const(0)
RESUME_PAUSED_S = const(0)
END_STATUS = const(0)  # COMPLETED, STOPPED or INTERRUPTED
END_ACTIVE_S = const(1)
END_WALL_S = const(2)
CHECKIN_MOOD_AFTER = const(0)  # 0: not answered
CHECKIN_TALK = const(1)  # index in TALK_ANSWERS
CHECKIN_REASON = const(2)  # index in REASONS
RESTART_AT_S = const(0)
RESTART_CAUSE = const(1)  # CRASHED or RESET
# A SUMMARY holds a START's fields, then an END's, then a CHECKIN's (the host names them so):
# its status is summary[_SUMMARY_END + END_STATUS].
_SUMMARY_END = const(8)
TIMED = (SEG, SKIP, PAUSE, RESTART)  # each begins with <TYPE>_AT_S: the time the session had reached

COMPLETED = const(1)
STOPPED = const(2)
INTERRUPTED = const(3)
STATUS_NAMES = ("", "completed", "stopped", "interrupted")

REASONS = ("", "tired", "pain", "unwell", "other")
TALK_ANSWERS = ("", "yes", "no")
MOOD_ENDS = {"en": ("bad", "good"), "nl": ("slecht", "goed")}  # what mood 1 and mood 5 mean


def seconds(ms):
    """Whole seconds of a time done, as every record holds it: a second counts once it is complete.

    The one rounding of time done: the watch's own screens and the archive (which
    reads these records) both use it, so they never differ by a second.
    """
    return ms // 1000
NO_PLAN = const(0xFF)

# The plausible clock: a reading before this firmware existed (2025-01-01 UTC: an RTC
# that lost power starts at 1970 or 2000) or past the u32 field of START (which would
# wrap) is not a time.  The watch logs it as 0 (unset) and refuses to be set to it; the
# host also treats a START time after the sync as unset.  Plain ints: above small-int
# range on 32-bit ports, so not const().
EPOCH_MIN = 1735689600
RTC_MAX = 0xFFFFFFFF

HEADER = const(2)
TRAILER = const(4)
OVERHEAD = const(6)
MAX_PAYLOAD = const(40)
MAX_FRAME = const(46)


class RecordError(ValueError):
    """Bytes that are not a whole, intact record."""


def payload_size(rtype):
    return struct.calcsize(FORMATS[rtype])


def encode_into(buf, rtype, *fields):
    """Write one frame into ``buf`` (a bytearray of MAX_FRAME); return its length."""
    fmt = FORMATS[rtype]
    n = struct.calcsize(fmt)
    buf[0] = rtype
    buf[1] = n
    struct.pack_into(fmt, buf, HEADER, *fields)
    struct.pack_into("<I", buf, HEADER + n, crc32(memoryview(buf)[:HEADER + n]))
    return HEADER + n + TRAILER


def encode(rtype, *fields):
    buf = bytearray(MAX_FRAME)
    return bytes(buf[:encode_into(buf, rtype, *fields)])


def frame_length(buf, pos):
    """Length of the frame at ``pos`` if its header is plausible, else 0."""
    if len(buf) - pos < OVERHEAD:
        return 0
    rtype = buf[pos]
    if rtype < START or rtype > LAST_TYPE or buf[pos + 1] != payload_size(rtype):
        return 0
    return buf[pos + 1] + OVERHEAD


def check_frame(buf, pos):
    """Length of an intact frame at ``pos``; 0 when it is torn, corrupt or unknown."""
    n = frame_length(buf, pos)
    if not n or len(buf) - pos < n:
        return 0
    mv = memoryview(buf)
    (crc,) = struct.unpack_from("<I", buf, pos + n - TRAILER)
    if crc32(mv[pos:pos + n - TRAILER]) != crc:
        return 0
    return n


def decode_frame(buf, pos=0):
    """(type, fields tuple, frame length) of the frame at ``pos``; RecordError if not intact."""
    n = check_frame(buf, pos)
    if not n:
        raise RecordError("no intact record at byte %d" % pos)
    rtype = buf[pos]
    return rtype, struct.unpack_from(FORMATS[rtype], buf, pos + HEADER), n


def decode_all(buf):
    """Every frame of ``buf`` in order; RecordError at the first bad one."""
    out = []
    pos = 0
    while pos < len(buf):
        rtype, fields, n = decode_frame(buf, pos)
        out.append((rtype, fields))
        pos += n
    return out


def sessions_in(data):
    """(seq, status, start, end) of each session in ``data``, by byte offsets; status 0: no end (yet).

    The one splitting of a log into sessions, on the watch (its recovery and its
    reads) and on the host (the archive).  A session is START..END,
    START..SUMMARY of its seq (logging went off during it) or a lone SUMMARY,
    each maybe followed by the CHECKIN answered after it.  One that another
    session follows without an end (its close failed at recovery) is
    INTERRUPTED; an END or SUMMARY of status 0 (never written, but its CRC may
    match) closes it as INTERRUPTED all the same.  A frame outside any session
    is left out (the host refuses a log with a gap); stops at the first bad frame.
    """
    pos = 0
    start = -1
    seq = 0
    done = None  # the session that just ended, until the next frame shows whether a CHECKIN follows
    while pos < len(data):
        try:
            rtype, fields, n = decode_frame(data, pos)
        except RecordError:
            break
        if done:
            if rtype == CHECKIN:  # answered after the end: part of that session
                done[3] = pos + n
                rtype = 0  # consumed
            yield done
            done = None
        if rtype == START or rtype == SUMMARY:
            if start >= 0 and not (rtype == SUMMARY and fields[START_SEQ] == seq):
                yield seq, INTERRUPTED, start, pos
                start = -1
            if start < 0:
                start, seq = pos, fields[START_SEQ]
            if rtype == SUMMARY:
                done = [seq, fields[_SUMMARY_END + END_STATUS] or INTERRUPTED, start, pos + n]
                start = -1
        elif rtype == END and start >= 0:
            done = [seq, fields[END_STATUS] or INTERRUPTED, start, pos + n]
            start = -1
        pos += n
    if done:
        yield done
    if start >= 0:
        yield seq, 0, start, pos


def reached(data, start, end):
    """(active_s, paused_s) of the session in ``data[start:end]``: where its last timed record
    put it, and the seconds it was paused.  A session cut without an end is closed there:
    END(INTERRUPTED, active_s, active_s + paused_s), by the watch and the host alike."""
    active = paused = 0
    while start < end:
        rtype, fields, n = decode_frame(data, start)
        if rtype in TIMED:
            active = fields[SEG_AT_S]  # the same index in every TIMED record
        elif rtype == RESUME:
            paused += fields[RESUME_PAUSED_S]
        start += n
    return active, paused


def rtc_or_unset(unix):
    """``unix`` if it is a plausible clock reading (EPOCH_MIN..RTC_MAX), else 0 (unset)."""
    return unix if EPOCH_MIN <= unix <= RTC_MAX else 0


def id_bytes(hex_id):
    """The 8-byte integer form of a 16-hex-digit program id, for START."""
    return int(hex_id, 16)


def id_hex(value):
    return "%016x" % value
