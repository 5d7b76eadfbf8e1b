"""Pushing a program or a plan: the watch checks it again, stores it atomically and says what it holds.

The archive keeps what was pushed, so synced sessions can show what was planned.
"""

from runcue_host.watch.link import LinkError, Watch


def push(kind, obj, port, archive, *args):
    """Send ``obj`` (a Program, or a Plan for ``kind`` "plan") to the watch on ``port`` (None: the one
    plugged in), then keep it in ``archive`` (a path; None: the default); the watch's reply.  ``args``: a
    plan's place (its session index) when the client is to be put there."""
    from runcue_host.archive import Archive

    text = obj.to_json()
    with Watch(port) as w:
        reply = w.put("put_" + kind, text.encode(), *args)
    if reply.get("id") != obj.id():
        raise LinkError("%s push: the watch stored %s %r, not %s" % (kind, kind, reply.get("id"), obj.id()))
    with Archive(archive) as arc:
        (arc.add_plan if kind == "plan" else arc.add_program)(text)
    return reply
