"""Syncs broken at every protocol step, by either side, then synced again.

The sync runs in-process (``runcue_host.watch.sync.sync``, the code behind `runcue sync`)
against the twin (the simulated watch on a pty, real MicroPython), with a fault put
at the N-th call to the watch (info, read..., active, ack, set_time) or around the
archive's store, at one of three moments: before the request is sent, after it was
sent but before the reply came ("mid"), or after the reply.  The faults:

- host killed: the host process dies there (HostKilled, a BaseException nothing
  catches; the port is closed without the goodbye soft reset, as a kill leaves it);
- twin killed: the twin and the MicroPython under it are SIGKILLed (the watch loses
  power, the USB device disappears);
- link closed: the host's port now reads EIO, as when the cable is pulled.

Also the real thing: `runcue sync` as a process, SIGKILLed at spread-out times.

After each: nothing was trimmed on the watch that the archive lacks (the flash is
read raw), the host's error was a clean LinkError (never another exception, never a
hang); then a plain sync must succeed, after which the archive holds every session
exactly once, byte-identical to what the watch logged, and the watch has acked and
trimmed them all.
"""

import os
import signal
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from faults.common import RUNCUE, Flash, Stats, copy_image, pick, sessions_of
from faults.power import ack_base
from runcue_host import archive as archive_mod
from runcue_host.archive import Archive
from runcue_host.sim.twin import TwinProcess
from runcue_host.watch import link, sync

SYNC_LIMIT_S = 60


class HostKilled(BaseException):
    """The host process died here."""


class Hang(BaseException):
    pass


@contextmanager
def time_limit(seconds):
    def on_alarm(signum, frame):
        raise Hang("no answer within %d s" % seconds)

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def unplug(serial):
    """The host's port now behaves as a USB device that is gone: reads give EIO."""
    master, slave = os.openpty()
    os.close(slave)
    os.dup2(master, serial.fd)
    os.close(master)


class Fault:
    """At ``step`` (a 1-based call number, or "store"), at ``when`` (before/mid/after), do ``kind``."""

    def __init__(self, kind, step, when, twin):
        self.kind, self.step, self.when, self.twin = kind, step, when, twin
        self.calls = []
        self.watch = None
        self.fired = False

    def act(self):
        self.fired = True
        if self.kind == "host":
            t, self.watch.transport = self.watch.transport, None
            if t is not None:
                t.close()  # what the kernel does for a killed process: no soft reset
            raise HostKilled("host killed at %s %s" % (self.when, self.step))
        if self.kind == "twin":
            self.twin.kill()
        elif self.kind == "link" and self.watch.transport is not None:
            unplug(self.watch.transport.serial)

    @contextmanager
    def installed(self):
        orig_call = link.Watch.call
        orig_store = archive_mod.Archive.store
        fault = self

        def call(watch, name, *args):
            fault.watch = watch
            fault.calls.append(name)
            if len(fault.calls) != fault.step:
                return orig_call(watch, name, *args)
            if fault.when == "before":
                fault.act()
            elif fault.when == "mid":
                t = watch.transport
                sent = t.exec_raw_no_follow

                def then_act(command):
                    sent(command)  # the watch has the request and runs it
                    t.exec_raw_no_follow = sent
                    fault.act()

                t.exec_raw_no_follow = then_act
            reply = orig_call(watch, name, *args)
            if fault.when == "after":
                fault.act()
            return reply

        def store(arc, *args, **kw):
            if fault.step != "store":
                return orig_store(arc, *args, **kw)
            if fault.when == "before":
                fault.act()
            out = orig_store(arc, *args, **kw)
            fault.act()
            return out

        link.Watch.call = call
        archive_mod.Archive.store = store
        try:
            yield self
        finally:
            link.Watch.call = orig_call
            archive_mod.Archive.store = orig_store


def archived(arc_path):
    """{seq: [raw frames]} in the archive (empty when there is none)."""
    if not Path(arc_path).exists():
        return {}
    with Archive(arc_path) as arc:
        rows = arc.db.execute("SELECT seq, idx, bytes FROM raw_records ORDER BY seq, idx").fetchall()
    out = {}
    for seq, _idx, raw in rows:
        out.setdefault(seq, []).append(bytes(raw))
    return out


def _sync(link_path, arc_path):
    with time_limit(SYNC_LIMIT_S), Archive(arc_path) as arc:
        return sync.sync(str(link_path), arc)


class Case:
    """One broken sync on a fresh copy of the base image, the checks, the sync again."""

    def __init__(self, workdir, base, before, stats):
        self.workdir, self.base, self.before, self.stats = Path(workdir), base, before, stats

    def run(self, where, breaker, n):
        img = copy_image(self.base, self.workdir / ("sync-%d.img" % n))
        arc_path = self.workdir / ("sync-%d.sqlite" % n)
        tty = self.workdir / ("tty%d" % n)
        twin = TwinProcess(img, tty).start()
        try:
            twin = breaker(twin, arc_path, where) or twin
            if twin.proc.poll() is not None:  # the watch lost power: its flash is as it was left
                twin = None
            else:
                time.sleep(0.3)  # a request the watch got may still be running
            self._nothing_lost(img, arc_path, where, live=twin is not None)
            if twin is None:
                twin = TwinProcess(img, tty).start()
            try:
                result = _sync(twin.link, arc_path)
            except (Exception, Hang) as e:
                return self.stats.fail("%s: the sync after it failed: %s: %s" % (where, type(e).__name__, e))
            twin.stop()
            twin = None
            self._all_once(img, arc_path, where, result)
        finally:
            if twin is not None:
                twin.kill()
            for p in (img, arc_path, Path(str(arc_path) + "-wal"), Path(str(arc_path) + "-shm")):
                if p.exists():
                    p.unlink()

    def _nothing_lost(self, img, arc_path, where, live):
        flash = dict(sessions_of(Flash(img, lock=not live).log))
        arc = archived(arc_path)
        self.stats.count(tried=1, sessions=len(self.before))
        for seq, frames in self.before:
            if seq in arc and arc[seq] != frames:
                self.stats.fail("%s: the archive holds session %d with other bytes" % (where, seq))
            if seq in flash:
                if flash[seq] != frames:
                    self.stats.fail("%s: session %d changed on the watch" % (where, seq))
            elif seq not in arc:
                self.stats.fail("%s: session %d was trimmed on the watch but is not in the archive" % (where, seq))

    def _all_once(self, img, arc_path, where, result):
        arc = archived(arc_path)
        want = dict(self.before)
        if arc != want:
            missing = sorted(set(want) - set(arc))
            extra = sorted(set(arc) - set(want))
            changed = sorted(s for s in set(arc) & set(want) if arc[s] != want[s])
            self.stats.fail("%s: after the sync again the archive differs: missing %s, extra %s, changed %s"
                            % (where, missing, extra, changed))
        with Archive(arc_path) as a:
            n = a.db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
        if n != len(want):
            self.stats.fail("%s: %d session rows for %d sessions" % (where, n, len(want)))
        flash = Flash(img)
        last = self.before[-1][0]
        if flash.small("/log/ack").get("acked") != last or flash.log:
            self.stats.fail("%s: the watch has not acked and trimmed everything: mark %r, %d log bytes"
                            % (where, flash.small("/log/ack"), len(flash.log)))
        if result["acked"] != last:
            self.stats.fail("%s: the sync again reported acked %r" % (where, result["acked"]))


def _in_process(kind, step, when):
    def breaker(twin, arc_path, where, stats_box):
        fault = Fault(kind, step, when, twin)
        err = None
        try:
            with fault.installed():
                _sync(twin.link, arc_path)
        except HostKilled:
            err = "killed"
        except link.LinkError as e:
            err = "LinkError: %s" % e
        except (Exception, Hang) as e:
            stats_box.fail("%s: not a clean error: %s: %s" % (where, type(e).__name__, e))
            err = "other"
        if not fault.fired:
            stats_box.fail("%s: the fault never fired (calls: %s)" % (where, fault.calls))
        elif err is None and not (kind != "host" and when == "after"):
            stats_box.fail("%s: the sync went through a %s fault" % (where, kind))
        elif kind == "host" and err != "killed":
            stats_box.fail("%s: %s" % (where, err))
        return twin

    return breaker


def _kill_runcue_after(delay):
    def breaker(twin, arc_path, where, stats_box):
        proc = subprocess.Popen([RUNCUE, "sync", "--port", str(twin.link), "--archive", str(arc_path)],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        proc.stderr.close()
        return twin

    return breaker


def calls_of_a_sync(workdir, base):
    """The calls an unbroken sync of ``base`` makes, and the seconds `runcue sync` takes for it."""
    counted = copy_image(base, Path(workdir) / "sync-count.img")
    timed = copy_image(base, Path(workdir) / "sync-time.img")
    arc_path = Path(workdir) / "sync-count.sqlite"
    twin = TwinProcess(counted, Path(workdir) / "tty-count").start()
    try:
        fault = Fault("none", 0, "never", twin)
        with fault.installed():
            _sync(twin.link, arc_path)
    finally:
        twin.stop()
    arc_path.unlink()
    twin = TwinProcess(timed, Path(workdir) / "tty-count").start()
    try:
        t = time.monotonic()
        proc = subprocess.run([RUNCUE, "sync", "--port", str(twin.link), "--archive", str(arc_path)],
                              capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        assert proc.returncode == 0, proc.stderr
        return fault.calls, time.monotonic() - t
    finally:
        twin.stop()
        arc_path.unlink()


def broken_syncs(workdir, sample=None, kinds=("host", "twin", "link"), kills=12):
    """Every call x before/mid/after x {host killed, twin killed, link closed}, the archive's
    store for the host, and `runcue sync` SIGKILLed at ``kills`` moments."""
    stats = Stats("sync broken at every step, then synced again")
    workdir = Path(workdir)
    base = ack_base(workdir)
    before = sessions_of(Flash(base).log)
    calls, seconds = calls_of_a_sync(workdir, base)
    steps = [(i + 1, name) for i, name in enumerate(calls)]
    stats.notes.append("an unbroken sync of %d sessions: calls %s; `runcue sync` %.1f s"
                       % (len(before), ", ".join(calls), seconds))
    plan = []
    for kind in kinds:
        for i, name in steps:
            for when in ("before", "mid", "after"):
                plan.append(("%s killed %s call %d (%s)" % (kind, when, i, name) if kind != "link" else
                             "link closed %s call %d (%s)" % (when, i, name), _in_process(kind, i, when)))
        if kind == "host":
            for when in ("before", "after"):
                plan.append(("host killed %s the archive's store" % when, _in_process("host", "store", when)))
    if sample:
        plan = [plan[i - 1] for i in pick(len(plan), sample)]
        kills = min(kills, 2)
    for i in range(kills):
        delay = seconds * (i + 1) / (kills + 1)
        plan.append(("`runcue sync` SIGKILLed after %.2f s" % delay, _kill_runcue_after(delay)))
    case = Case(workdir, base, before, stats)
    for n, (where, breaker) in enumerate(plan):
        case.run(where, lambda twin, arc, w, b=breaker: b(twin, arc, w, stats), n)
    return stats.done()
