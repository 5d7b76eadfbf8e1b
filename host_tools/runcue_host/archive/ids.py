"""The identifiers the archive is keyed on, checked and shown one way.

A watch is its 16-hex-digit device id (people see its last four digits); a
client is a code (never a name), checked by the watch's own rule
(``runcue.syncsvc.valid_client``, re-exported here with its wording).
"""

from runcue.syncsvc import CLIENT_RULE, valid_client
from runcue_host.archive.errors import ArchiveError

__all__ = ["CLIENT_RULE", "check_ids", "valid_client", "watch_label"]
_HEX = "0123456789abcdef"


def check_ids(device_id, client):
    """ArchiveError unless ``device_id`` is 16 hex digits and ``client`` a client code (or None)."""
    if not (isinstance(device_id, str) and len(device_id) == 16 and all(c in _HEX for c in device_id)):
        raise ArchiveError("device id %r: not 16 hex digits" % (device_id,))
    if client is not None and not valid_client(client):
        raise ArchiveError("client %r: %s" % (client, CLIENT_RULE))


def watch_label(device_id):
    """A watch as people name it: the last 4 of its 16 hex digits ("…3f2a"); the full id is in --json."""
    return "…" + device_id[-4:]
