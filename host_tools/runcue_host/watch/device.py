"""What a watch on USB holds, its clock and its client: one call each, plain values back.

The ``runcue device`` commands and the desk call these; they print nothing.  A watch
clock is compared with this laptop's by :func:`clock_offset`, the one rule for it (sync
uses it too): a clock that reads no time (unset, 1970, past 2106) has no offset.
"""

import time

from runcue import records
from runcue_host import UserError
from runcue_host.archive import CLIENT_RULE, valid_client


def _watch(port):
    from runcue_host.watch.link import Watch  # mpremote loads only when a watch is talked to

    return Watch(port)


def clock_offset(clock, now):
    """The watch clock minus ``now`` (s), or None when it is unset or reads no time (1970, past 2106)."""
    return clock - now if isinstance(clock, int) and records.rtc_or_unset(clock) else None


def info(port=None):
    """The watch's info reply (``link.Watch.info``: id, client, versions, clock, flash, unsynced,
    crash, program or plan) and ``clock_offset_s``, its clock against this laptop's."""
    with _watch(port) as w:
        data = w.info()
    data["clock_offset_s"] = clock_offset(data["clock"], int(time.time()))
    return data


def set_clock(port=None):
    """Set the watch's clock to this laptop's (UTC); returns how far off it was (s, None: unset)."""
    with _watch(port) as w:
        off = clock_offset(w.info()["clock"], int(time.time()))
        w.call("set_time", int(time.time()))
    return off


def assign(client, port=None):
    """Give the watch to ``client`` (a client code, checked before the watch is touched); returns
    the first session that will be the client's (None when the watch does not say).  The watch
    refuses while it holds sessions not synced yet."""
    if not valid_client(client):
        raise UserError("device assign: --client %r: %s" % (client, CLIENT_RULE))
    with _watch(port) as w:
        reply = w.call("assign", client)
    since = reply.get("client_since")
    return since if type(since) is int else None
