"""The wire to the watch: mpremote's serial transport, the raw REPL, syncsvc calls.

Everything that touches bytes on the USB link is here; the commands call
``Watch.call(name, *args)`` and get a checked JSON reply.  The same code talks
to a real watch on /dev/ttyACM0 and to the simulator's twin on a pty.

The link never interrupts a run: the app ignores Ctrl-C during a session and
answers "session in progress", so the raw REPL does not come and the host
says the watch is busy.  On the way out it always soft-resets the watch in
friendly mode, so main.py runs the app again, as after unplugging.
"""

import contextlib
import io
import json
import os
from binascii import b2a_base64, crc32

from mpremote.transport import TransportError
from mpremote.transport_serial import SerialTransport

from runcue import program, records
from runcue.syncsvc import PROTOCOL
from runcue_host import UserError

ENTER_TIMEOUT_S = 3  # s: a watch not in a run gives the raw REPL well within this
PREAMBLE = "import boards, runcue.syncsvc as s; s.attach(boards.rtc())"
WATCH_VIDS = {0x303A: "Espressif", 0x1A86: "WCH (M5StickC Plus2)", 0x2E8A: "Raspberry Pi", 0x10C4: "Silicon Labs"}


class LinkError(UserError):
    """The watch could not be reached or did not answer as a runcue watch."""


class WatchBusy(LinkError):
    def __init__(self):
        super().__init__("watch busy: finish or stop the run on the watch")


class WatchRefused(LinkError):
    """The watch checked a request and refused it (its reason is the message)."""


def find_port():
    """The one connected watch's port; LinkError when there is none or several."""
    from serial.tools import list_ports

    found = [p.device for p in list_ports.comports() if p.vid in WATCH_VIDS]
    if not found:
        raise LinkError("no watch found: plug it in, or name its port with --port")
    if len(found) > 1:
        raise LinkError("several watches found (%s): name one with --port" % ", ".join(found))
    return found[0]


class Watch:
    """``with Watch(port) as w: w.call("info")`` — one raw-REPL session with the watch."""

    def __init__(self, port=None):
        self.port = port or find_port()
        self.transport = None

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
        said = io.StringIO()
        try:
            with contextlib.redirect_stdout(said):  # mpremote prints what came instead of the prompt
                self.transport.enter_raw_repl(soft_reset=True, timeout_overall=ENTER_TIMEOUT_S)
        except TransportError:
            if "session in progress" in said.getvalue():
                raise WatchBusy() from None
            raise LinkError("%s: the watch does not answer (no raw REPL): is it a runcue watch?" % self.port) from None
        except OSError as e:  # serial.SerialException too: unplugged, or the watch lost power
            raise LinkError(_gone(self.port, e)) from None

    def _exec(self, code):
        assert self.transport is not None
        try:
            return self.transport.exec(code).decode("utf-8", "replace")
        except TransportError as e:
            raise LinkError("%s: the watch failed a request: %s" % (self.port, _last_line(e))) from None
        except OSError as e:  # serial.SerialException too: unplugged, or the watch lost power
            raise LinkError(_gone(self.port, e)) from None

    def call(self, name, *args):
        """Run ``runcue.syncsvc.<name>(*args)`` on the watch; its JSON reply (a dict)."""
        for a in args:
            if not isinstance(a, (int, str)) or isinstance(a, bool):
                raise TypeError("syncsvc arguments are ints and strings")
        out = self._exec("s.%s(%s)" % (name, ", ".join(repr(a) for a in args)))
        lines = [ln for ln in out.splitlines() if ln.startswith("RC:")]
        if len(lines) != 1:
            raise LinkError("%s: %s: the watch's reply is not a runcue reply" % (self.port, name))
        try:
            reply = json.loads(lines[0][3:])
        except ValueError:
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

    def put(self, name, data):
        """Send ``data`` (bytes) to ``syncsvc.<name>(b64, crc)``; its reply."""
        return self.call(name, b2a_base64(data).decode().strip(), crc32(data))

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
            raise LinkError("%s: the watch's reply has a bad %r: %r" % (where, key, value))


def _gone(port, err):
    why = getattr(err, "strerror", None) or str(err) or type(err).__name__
    return "%s: the link to the watch was lost (%s): plug it in again and repeat; nothing is lost" % (port, why)


def _last_line(err):
    text = " ".join(str(a) for a in err.args)
    lines = [ln for ln in text.replace("\\n", "\n").splitlines() if ln.strip()]
    return lines[-1].strip() if lines else text
