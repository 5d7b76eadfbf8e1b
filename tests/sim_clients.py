"""Real watch sessions for the archive, report and export tests.

Clients are played on the simulated watch (the real firmware on the real
MicroPython port) with button scripts, and their log bytes come from the
image exactly as the watch would send them.  ``review_archive`` is a
function each test module wraps in a fixture: one archive, built once per
test run, with two clients:

* C01 (clock set): 9 sessions over ~6 weeks of plan "Start to run" (3 a week):
  completed ones, one paused, one skipped segment, one stopped (tired), then no
  session for over two weeks, one stopped for pain, and moods after falling.
* C02 (watch clock unset: approximate times, no plan): a completed session, one
  stopped as unwell, and one cut by a power loss (interrupted).
"""

from runcue import plan, program, records
from runcue_host import sim
from runcue_host.archive import Archive
from runcue_host.archive import logdecode as sessions

DAY = 86400000
WEEK1 = program.make("Week 1", "en", [["walk", 300000], ["x", 8, [["run", 60000], ["walk", 90000]]],
                                      ["walk", 300000]])
SHORT = program.make("Kort", "nl", [["walk", 120000], ["x", 3, [["run", 60000], ["walk", 60000]]]])
PLAN = plan.make("Start to run", "en", 3, "repeat", [(1, WEEK1)] * 3 + [(2, WEEK1)] * 3)
session = sim.client_session


C01_SESSIONS = [
    session(1000, 3, 4),
    session(2 * DAY, 3, 4, runs=[(["A"], 600000), ((), 0)]),  # paused 2 minutes
    session(2 * DAY, 2, 4, runs=[(["B"], 400000)]),  # skipped out of segment 3
    session(3 * DAY, 3, 3, talk="no", runs=[(["A+"], 900000)], reason="tired"),
    session(2 * DAY, 3, 4),
    session(16 * DAY, 3, 4),  # over two weeks without a session before it
    session(2 * DAY, 3, 3, runs=[(["B", "A+"], 210000)], reason="pain"),
    session(2 * DAY, 3, 2),
    session(2 * DAY, 4, 2, talk=None),  # the last moods after: 3, 2, 2; two below the mood before
]
C02_SESSIONS = [session(1000, 4, 4), session(DAY, 3, 2, runs=[(["A+"], 200000)], reason="unwell")]


def play(image, prog, scripts, **kw):
    result = sim.run(image, buttons=[p for s in scripts for p in s], program_json=prog.to_json(), **kw)
    assert result.returncode == 0, result.stderr_tail
    return result


def sync(arc, image, client, prog, host_time, extra=()):
    """What `runcue sync` stores: the image's log, with a sync after the watch rebooted."""
    flash = sim.read_flash(image)
    ctx = {"host_time": host_time, "device_clock": 0, "uptime_s": 5, "boots": flash["boots"] + 1}  # as Review.ctx
    return arc.store(flash["device_id"], client, flash["log"], [prog.to_json(), *extra], ctx), flash


def build(tmp):
    """The Review of the two clients above, synced into a new archive under ``tmp``."""
    c01, c02 = tmp / "c01.img", tmp / "c02.img"
    play(c01, WEEK1, C01_SESSIONS)
    play(c02, SHORT, C02_SESSIONS, rtc_unset=True)
    cut = sim.run(c02, buttons=session(DAY, 3), cut_at_write=14)  # a power loss mid-run
    assert cut.power_cut
    assert sim.run(c02, buttons=[]).returncode == 0  # the next boot closes it as interrupted
    path = tmp / "archive.sqlite"
    hosts = {"C01": _end_of_log(c01) + 3600, "C02": _end_of_log(c01) + 7200}
    with Archive(path) as arc:
        res1, f1 = sync(arc, c01, "C01", WEEK1, hosts["C01"], [PLAN.to_json()])
        res2, f2 = sync(arc, c02, "C02", SHORT, hosts["C02"])
    assert res1["new"] == len(C01_SESSIONS) and res2["new"] == 3, (res1, res2)
    with Archive(path) as arc:
        statuses = [r["status"] for r in arc.session_rows("C02")]
    assert statuses == ["completed", "stopped", "interrupted"], "the power cut (write 14) missed the run: %s" % statuses
    return Review(path, {"C01": f1, "C02": f2}, hosts)


class Review:
    """The built archive (copy it before changing it), each client's flash and sync time."""

    def __init__(self, path, flash, hosts):
        self.path = path
        self.flash = flash
        self.hosts = hosts
        self.devices = {c: f["device_id"] for c, f in flash.items()}

    def ctx(self, client):
        """The sync context ``sync`` gave this client's store."""
        return {"host_time": self.hosts[client], "device_clock": 0, "uptime_s": 5,
                "boots": self.flash[client]["boots"] + 1}

    def copy(self, dest):
        """A copy of the archive file to change in one test."""
        import shutil

        shutil.copyfile(self.path, dest)
        return dest


def _end_of_log(image):
    """When the image's last session ended, by its watch clock (the sim's virtual clock runs ahead)."""
    frames = sessions.frames(sim.read_flash(image)["log"])
    start = [f for t, f, _ in frames if t == records.START][-1]
    end = [f for t, f, _ in frames if t == records.END][-1]
    return start[4] + end[2]


_built = []


def review_archive(tmp_path_factory):
    """The Review, built once per test run (test modules wrap this in their ``review`` fixture)."""
    if not _built:
        _built.append(build(tmp_path_factory.mktemp("review")))
    return _built[0]
