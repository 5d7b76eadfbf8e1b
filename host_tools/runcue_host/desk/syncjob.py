"""A sync started from the desk: ``runcue sync``'s own function in a thread, its progress streamed.

The page asks for ``/watch/sync/<job>`` as server-sent events: a ``progress`` event each
time more of the log has arrived (the bytes and sessions read so far), then one ``done``
event with the outcome, and the stream ends.  The sync keeps its guarantees whatever the
page does (read, store in one transaction, then acknowledge), and its own deadline; the
stream ends at that deadline too, or when the page goes away.
"""

import asyncio
import secrets
import sys
import threading
import time
import traceback

from runcue_host import UserError
from runcue_host.desk.archive_access import open_archive

KEEP_JOBS = 8  # finished jobs kept for a page that reconnects
POLL_S = 0.1
STREAM_LIMIT_S = 3600  # s: no sync runs this long (its own deadline is far shorter)


class SyncJob:
    """One sync of the watch on ``port`` into ``archive``; its state is read by the stream."""

    def __init__(self, port, archive):
        self.id = secrets.token_urlsafe(12)
        self.port = port
        self.archive = archive
        # (bytes read, sessions read, bytes in the watch's log: the most it reads), each as the sync told it;
        # the stream tells every one, in order, even those that came between two of its looks
        self.steps = [(0, 0, None)]
        self.result = None  # runcue sync's summary, when it has finished
        self.error = None  # its one-line message, when it has failed
        self.thread = threading.Thread(target=self._run, name="runcue-desk-sync", daemon=True)

    @property
    def finished(self):
        return self.result is not None or self.error is not None

    def start(self):
        self.thread.start()
        return self

    def _progress(self, got, sessions, total):
        self.steps.append((got, sessions, total))

    def _run(self):
        from runcue_host.watch import sync as sync_mod

        try:
            with open_archive(self.archive, write=True) as arc:
                self.result = sync_mod.sync(self.port, arc, progress=self._progress)
        except UserError as e:
            self.error = str(e)
        except Exception as e:  # a bug: the page says so, the terminal keeps the traceback
            traceback.print_exc(file=sys.stderr)
            self.error = "unexpected error (%s): the terminal running runcue desk shows it" % type(e).__name__


def start(desk, port, archive):
    """A new sync job (started), kept in ``desk.jobs``."""
    done = [j for j in desk.jobs.values() if j.finished]
    for old in done[:max(0, len(done) - KEEP_JOBS)]:
        desk.jobs.pop(old.id, None)
    job = SyncJob(port, archive).start()
    desk.jobs[job.id] = job
    return job


def wait_all(desk, timeout_s=60):
    """Let running syncs finish (each has its own deadline) before the desk exits."""
    end = time.monotonic() + timeout_s
    for job in list(desk.jobs.values()):
        job.thread.join(max(0.0, end - time.monotonic()))


def event(name, html):
    """One server-sent event whose data is ``html`` (each line its own ``data:`` line)."""
    lines = html.strip().splitlines() or [""]
    return "event: %s\n%s\n\n" % (name, "\n".join("data: " + line for line in lines))


async def stream(job, request, progress_html, done_html):
    """The events of ``job`` as they come: progress, then done."""
    told = 0
    end = time.monotonic() + STREAM_LIMIT_S
    while time.monotonic() < end:
        finished = job.finished  # read first: every step before the end is told before it
        steps = job.steps[told:]
        for step in steps:
            yield event("progress", progress_html(*step))
        told += len(steps)
        if finished:
            yield event("done", done_html(job))
            return
        if await request.is_disconnected():
            return
        await asyncio.sleep(POLL_S)
