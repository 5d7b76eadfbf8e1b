"""The wire to the watch: mpremote's serial transport, the raw REPL, syncsvc calls.

Everything that touches bytes on the USB link is here; the commands call
``Watch.call(name, *args)`` and get a checked JSON reply.  The same code talks
to a real watch on /dev/ttyACM0 and to the simulator's twin on a pty.

Every request has a deadline (``CALL_DEADLINE_S``, and the whole session's
one when a command gives it): a watch that goes quiet, or that keeps sending
without ever finishing its reply, ends in one LinkError, never a hang.

The link never interrupts a run: the app ignores Ctrl-C during a session and
answers "session in progress", so the raw REPL does not come and the host
says the watch is busy.  On the way out it always soft-resets the watch in
friendly mode, so main.py runs the app again, as after unplugging.
"""

import contextlib
import io
import json
import math
import os
import time
from binascii import b2a_base64, crc32

from mpremote.transport import TransportError
from mpremote.transport_serial import SerialTransport as _MpremoteSerial

from runcue import program, records
from runcue.syncsvc import MAX_COUNT, PROTOCOL
from runcue_host import UserError

WRONG_CLOCK_MAX = 2**40  # seconds: far past any clock, well inside SQLite's 64-bit integers
ENTER_TIMEOUT_S = 3  # s: a watch not in a run gives the raw REPL well within this
CALL_DEADLINE_S = 10  # s: a request answered later than this is not coming (a read of 8 KB takes ~1 s at 115200 baud)
SERIAL_READ_S = 1  # s: the longest one serial read may block (mpremote's few direct reads)
PREAMBLE = "import boards, runcue.syncsvc as s; s.attach(boards.rtc())"
WATCH_VIDS = {0x303A: "Espressif", 0x1A86: "WCH (M5StickC Plus2)", 0x2E8A: "Raspberry Pi", 0x10C4: "Silicon Labs"}


class LinkError(UserError):
    """The watch could not be reached or did not answer as a runcue watch."""


class WatchBusy(LinkError):
    def __init__(self):
        super().__init__("watch busy: finish or stop the run on the watch")


class WatchRefused(LinkError):
    """The watch checked a request and refused it (its reason is the message)."""


def find_ports():
    """The serial ports of the plugged-in watches (USB devices of the makers in WATCH_VIDS)."""
    from serial.tools import list_ports

    return sorted(p.device for p in list_ports.comports() if p.vid in WATCH_VIDS)


def find_port():
    """The one connected watch's port; LinkError when there is none or several."""
    found = find_ports()
    if not found:
        raise LinkError("no watch found: plug it in, or name its port with --port")
    if len(found) > 1:
        raise LinkError("several watches found (%s): name one with --port" % ", ".join(found))
    return found[0]


class SerialTransport(_MpremoteSerial):
    """mpremote's serial transport, where every wait for the watch keeps to ``deadline``.

    mpremote's ``read_until`` gives up only when the line goes quiet, so a watch that
    keeps sending (a byte a second, or a flood) and never ends its reply would hold it
    forever; here the deadline holds while bytes arrive too.
    """

    deadline = math.inf  # time.monotonic() by which the request in hand must be answered

    def __init__(self, device, **kw):
        super().__init__(device, timeout=SERIAL_READ_S, **kw)

    def read_until(self, min_num_bytes, ending, timeout=10, data_consumer=None, timeout_overall=None):
        """Bytes up to ``ending``, or what came before: the line quiet for ``timeout`` s, or quiet
        after ``timeout_overall`` s (mpremote's limits), or the deadline, which holds regardless."""
        begin = quiet_since = time.monotonic()
        data = b"" if data_consumer else bytearray()
        while not data.endswith(ending):
            waiting = self.is_pty or self.serial.inWaiting() > 0  # pyright: ignore[reportAttributeAccessIssue]
            new = self.serial.read(1) if waiting else b""  # one byte: what follows is the next step's
            now = time.monotonic()
            if now >= self.deadline:
                break
            if new:
                quiet_since = now
                if data_consumer:
                    data_consumer(new)
                    data = new
                else:
                    data += new
                continue
            if timeout is not None and now >= quiet_since + timeout:
                break
            if timeout_overall is not None and now >= begin + timeout_overall:
                break
            time.sleep(0.01)
        return bytes(data)


class Watch:
    """``with Watch(port) as w: w.call("info")`` — one raw-REPL session with the watch.

    ``deadline_s``: the whole session ends within this many seconds (``limit`` changes it).
    """

    def __init__(self, port=None, deadline_s=None):
        self.port = port or find_port()
        self.transport = None
        self.deadline = math.inf if deadline_s is None else time.monotonic() + deadline_s

    def limit(self, seconds):
        """From now on, the session ends within ``seconds`` (or its earlier deadline)."""
        self.deadline = min(self.deadline, time.monotonic() + seconds)

    def _until(self, seconds):
        """Give the transport the deadline of a step that may take ``seconds``; that deadline."""
        assert self.transport is not None
        until = min(self.deadline, time.monotonic() + seconds)
        self.transport.deadline = until
        return until

    def __enter__(self):
        if not os.path.exists(self.port):
            raise LinkError("%s: no such port (is the watch plugged in?)" % self.port)
        try:
            self.transport = SerialTransport(self.port, baudrate=115200, exclusive=True)
        except TransportError:
            raise LinkError("%s: port in use (another runcue, mpremote or terminal has it)" % self.port) from None
        except OSError as e:
            raise LinkError("%s: cannot open the port (%s)" % (self.port, e.strerror or e)) from None
        try:
            self._enter()
            self._exec(PREAMBLE)
        except BaseException:
            self._close(reset=False)
            raise
        return self

    def _enter(self):
        assert self.transport is not None
        self._until(CALL_DEADLINE_S)  # a booting watch may print for a while; a busy one answers at once
        # A watch slow to soft-reset (a loaded laptop, a long boot) gets one more, longer try.
        for timeout_s in (ENTER_TIMEOUT_S, 2 * ENTER_TIMEOUT_S):
            said = io.StringIO()
            try:
                with contextlib.redirect_stdout(said):  # mpremote prints what came instead of the prompt
                    self.transport.enter_raw_repl(soft_reset=True, timeout_overall=timeout_s)
                return
            except TransportError:
                if "session in progress" in said.getvalue():
                    raise WatchBusy() from None
            except OSError as e:  # serial.SerialException too: unplugged, or the watch lost power
                raise LinkError(_gone(self.port, e)) from None
        raise LinkError("%s: the watch does not answer (no raw REPL): is it a runcue watch?" % self.port)

    def _exec(self, code, what="setup"):
        assert self.transport is not None
        until = self._until(CALL_DEADLINE_S)
        try:
            return self.transport.exec(code).decode("utf-8", "replace")
        except TransportError as e:
            if time.monotonic() >= until:
                raise LinkError("%s: %s: the watch stopped answering (no whole reply in time): plug it in "
                                "again and repeat; nothing is lost" % (self.port, what)) from None
            raise LinkError("%s: the watch failed a request: %s" % (self.port, _last_line(e))) from None
        except OSError as e:  # serial.SerialException too: unplugged, or the watch lost power
            raise LinkError(_gone(self.port, e)) from None

    def call(self, name, *args):
        """Run ``runcue.syncsvc.<name>(*args)`` on the watch; its JSON reply (a dict)."""
        for a in args:
            if not isinstance(a, (int, str)) or isinstance(a, bool):
                raise TypeError("syncsvc arguments are ints and strings")
        out = self._exec("s.%s(%s)" % (name, ", ".join(repr(a) for a in args)), name)
        lines = [ln for ln in out.splitlines() if ln.startswith("RC:")]
        if len(lines) != 1:
            raise LinkError("%s: %s: the watch's reply is not a runcue reply" % (self.port, name))
        try:
            reply = json.loads(lines[0][3:])
        except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
            raise LinkError("%s: %s: the watch's reply is not valid JSON" % (self.port, name)) from None
        if not isinstance(reply, dict):
            raise LinkError("%s: %s: the watch's reply is not an object" % (self.port, name))
        if "error" in reply:
            raise WatchRefused("watch refused %s: %s" % (name, reply["error"]))
        return reply

    def info(self):
        """``info()`` with every field checked, and the versions this host can read."""
        info = self.call("info")
        expect(info, {"protocol": int, "firmware": str, "record_format": int, "program_format": int,
                      "device_id": str, "clock": int, "uptime_s": int, "boots": int, "next_seq": int,
                      "acked": int, "last_closed": int, "unsynced": int, "log_bytes": int,
                      "free_bytes": int, "flash_bytes": int, "logging_off": bool}, "info")
        info.setdefault("client_since", 1)  # older firmware: its client holds every session
        # a wrong clock (1970, past 2106) is not a broken watch: the sync places its sessions and sets it;
        # only a number no clock reaches (2^70) is refused
        in_range(info, "clock", 0, WRONG_CLOCK_MAX, "info")
        for key in ("uptime_s", "boots", "acked", "last_closed", "unsynced", "log_bytes", "free_bytes",
                    "flash_bytes"):
            in_range(info, key, 0, MAX_COUNT, "info")
        in_range(info, "next_seq", info["last_closed"] + 1, MAX_COUNT, "info")
        in_range(info, "acked", 0, info["last_closed"], "info")
        in_range(info, "client_since", 1, info["next_seq"], "info")
        if info["protocol"] != PROTOCOL or info["record_format"] != records.FORMAT_VERSION:
            raise LinkError("watch speaks protocol %s / record format %s, this runcue reads %d / %d: "
                            "update the firmware or runcue" % (info["protocol"], info["record_format"],
                                                                PROTOCOL, records.FORMAT_VERSION))
        if info["program_format"] != program.FORMAT_VERSION:
            raise LinkError("watch reads program format %s, this runcue writes %d: update the firmware"
                            % (info["program_format"], program.FORMAT_VERSION))
        if len(info["device_id"]) != 16 or any(c not in "0123456789abcdef" for c in info["device_id"]):
            raise LinkError("info: the device id %r is not 16 hex digits" % info["device_id"])
        if not isinstance(info.get("client", 0), (str, type(None))):  # missing (0) or not text
            raise LinkError("info: the client code is not text")
        return info

    def put(self, name, data, *args):
        """Send ``data`` (bytes) to ``syncsvc.<name>(b64, crc, *args)``; its reply."""
        return self.call(name, b2a_base64(data).decode().strip(), crc32(data), *args)

    def _close(self, reset=True):
        t, self.transport = self.transport, None
        if t is None:
            return
        try:
            if reset:
                t.exit_raw_repl()
                t.serial.write(b"\x04")  # soft reset in friendly mode: main.py runs the app again
        except (OSError, TransportError):
            pass
        finally:
            try:
                t.close()
            except OSError:  # the device is gone: mpremote's RTS/DTR reset fails before it closes the port
                t.serial.close()

    def __exit__(self, *exc):
        self._close(reset=True)
        return False


def restart_app(port):
    """Soft-reset the watch in friendly mode, so main.py runs the app (as after a deploy)."""
    t = SerialTransport(port, baudrate=115200, exclusive=True)
    try:
        t.serial.write(b"\r\x03\r\x02\x04")  # stop whatever runs, friendly REPL, soft reset
    finally:
        t.close()


def expect(obj, fields, where):
    """Check that ``obj`` has ``fields`` of the given types (the watch is not trusted)."""
    for key, kind in fields.items():
        value = obj.get(key)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise LinkError("%s: the watch's reply has a bad %r: %s" % (where, key, _shown(value)))


def in_range(obj, key, low, high, where):
    """Check that the integer ``obj[key]`` lies in low..high (a watch's numbers are not trusted either)."""
    value = obj.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise LinkError("%s: the watch's reply has an impossible %r: %s (not in %d..%d)"
                        % (where, key, _shown(value), low, high))


def _shown(value):
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _gone(port, err):
    why = getattr(err, "strerror", None) or str(err) or type(err).__name__
    return "%s: the link to the watch was lost (%s): plug it in again and repeat; nothing is lost" % (port, why)


def _last_line(err):
    text = " ".join(str(a) for a in err.args)
    lines = [ln for ln in text.replace("\\n", "\n").splitlines() if ln.strip()]
    return lines[-1].strip() if lines else text
