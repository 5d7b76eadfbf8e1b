"""The device side of the sync protocol: a few fixed functions the host calls.

The host enters the raw REPL and runs ``import runcue.syncsvc as s; s.info()``
and the like; each function prints exactly one line, ``RC:`` followed by a JSON
object, which the host parses (never evaluates).  Binary data travels as
base64 with a CRC32 per chunk.  Nothing here trusts the host either: a pushed
program is checked again, written to a temporary file, read back, verified
and only then renamed over the active one.
"""

import json
import os
from binascii import a2b_base64, b2a_base64, crc32

from runcue import VERSION, program, records

PROGRAM_FILE = "/program.json"
NOTE_FILE = "/note"
LOG_DIR = "/log"
PROTOCOL = 1


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


def _note(text):
    try:
        _write_atomic(NOTE_FILE, text.encode())
    except OSError:
        pass  # a missing note only costs the home screen its message


def put_program(b64, crc):
    """Check and install a program (device JSON, base64); the old one stays on any error."""
    try:
        data = a2b_base64(b64)
    except ValueError:
        return _fail("program: bad base64")
    if crc32(data) != crc:
        return _fail("program: CRC mismatch (%d bytes)" % len(data))
    try:
        prog = program.loads(data)
    except program.ProgramError as e:
        return _fail(str(e))
    canon = prog.to_json().encode()
    try:
        _write_atomic(PROGRAM_FILE, canon)
    except OSError as e:
        return _fail("program: not stored (%s)" % e)
    _note("program")
    _reply({"id": prog.id(), "segments": prog.segments, "total_ms": prog.total_ms})


def _b64(data):
    return b2a_base64(data).decode().strip()

