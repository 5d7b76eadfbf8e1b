"""A plan's push over the link, session by session, then its index (the commit point).

The steps are the core's (``runcue.plan.Plan.push_steps``); every reply is
checked against what was sent, so a watch that stored something else stops
the push before the index goes: the plan in force on the watch stays whole.
"""

from runcue_host.watch.link import LinkError, expect, in_range


def push_plan(watch, plan, *args):
    """Send ``plan`` (a checked Plan) to the open ``watch``; the watch's reply to its index.
    ``args``: the place to put the client (see ``syncsvc.put_plan``)."""
    steps = list(plan.push_steps())
    for n, (name, data, extra) in enumerate(steps[:-1]):
        reply = watch.put(name, data, *extra)
        expect(reply, {"id": str, "offset": int, "bytes": int}, name)
        in_range(reply, "offset", extra[0], extra[0], name)
        in_range(reply, "bytes", len(data), len(data), name)
        want = plan.sessions[n][1].id()
        if reply["id"] != want:
            raise LinkError("%s: the watch stored session %d as program %r, not %s: the plan in force is "
                            "unchanged; push again" % (name, n + 1, reply["id"][:20], want))
    name, data, _ = steps[-1]
    return watch.put(name, data, *args)
