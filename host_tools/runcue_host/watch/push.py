"""Pushing a program or a plan: the watch checks it again, stores it atomically and says what it holds.

The archive keeps what was pushed, so synced sessions can show what was planned.
"""

from runcue_host.watch.link import LinkError, Watch


def push(kind, obj, port, archive, *args):
    """Send ``obj`` (a Program, or a ``runcue.plan.Plan`` for ``kind`` "plan": session by session, then its
    index, see ``planpush``) to the watch on ``port`` (None: the one plugged in), then keep it in ``archive``
    (a path; None: the default); the watch's reply.  ``args``: a plan's place (its session index) when the
    client is to be put there."""
    from runcue_host.archive import Archive
    from runcue_host.watch.planpush import push_plan

    text = obj.to_json()
    with Watch(port) as w:
        reply = push_plan(w, obj, *args) if kind == "plan" else w.put("put_program", text.encode())
    if reply.get("id") != obj.id():
        raise LinkError("%s push: the watch stored %s %r, not %s" % (kind, kind, reply.get("id"), obj.id()))
    with Archive(archive) as arc:
        (arc.add_plan if kind == "plan" else arc.add_program)(text)
    return reply
