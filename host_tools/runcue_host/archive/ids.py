"""The identifiers the archive is keyed on, checked and shown one way.

A watch is its 16-hex-digit device id (people see its last four digits); a
client is a code of at most ``MAX_CLIENT`` letters, digits, '-' or '_' (never a
name); times are unix seconds, shown as ISO 8601 UTC.
"""

import time

from runcue_host.archive.errors import ArchiveError

MAX_CLIENT = 16
_HEX = "0123456789abcdef"


def valid_client(code):
    """A client code as the watch takes it: 1-16 ASCII letters, digits, '-' or '_'."""
    return (isinstance(code, str) and 0 < len(code) <= MAX_CLIENT
            and all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in code))


def check_ids(device_id, client):
    """ArchiveError unless ``device_id`` is 16 hex digits and ``client`` a client code (or None)."""
    if not (isinstance(device_id, str) and len(device_id) == 16 and all(c in _HEX for c in device_id)):
        raise ArchiveError("device id %r: not 16 hex digits" % (device_id,))
    if client is not None and not valid_client(client):
        raise ArchiveError("client %r: a client code is 1-%d letters, digits, '-' or '_'" % (client, MAX_CLIENT))


def watch_label(device_id):
    """A watch as people name it: the last 4 of its 16 hex digits ("…3f2a"); the full id is in --json."""
    return "…" + device_id[-4:]


def iso_utc(unix):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(unix))
