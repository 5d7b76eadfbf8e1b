"""`make demo`: two weeks of a client's runs on the simulated watch, synced and reported.

Everything goes through the real parts: the firmware on the MicroPython unix
port, the USB twin with mpremote's transport, the SQLite archive, the HTML
report.  ``python -m runcue_host.sim.demo [DIR]`` (default ./demo).
"""

import contextlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from runcue_host import sim
from runcue_host.sim.twin import TwinProcess

BIN = Path(sys.executable).parent
DAY = 86400000


def runcue(*args):
    print("$ runcue " + " ".join(args))
    proc = subprocess.run([str(BIN / "runcue"), *args], text=True, capture_output=True)
    print(proc.stdout.rstrip())
    if proc.returncode != 0:
        raise SystemExit("demo: `runcue %s` failed: %s" % (" ".join(args), proc.stderr.strip()))
    return proc.stdout


@contextlib.contextmanager
def twin(image, link):
    """`runcue sim twin` for the length of a with-block: the port to give runcue."""
    try:
        with TwinProcess(image, link, runcue=BIN / "runcue") as watch:
            yield str(watch.link)
    except sim.SimError as e:
        raise SystemExit("demo: the simulated watch did not come up: %s" % e) from None


def play(image, script, what):
    result = sim.run(image, buttons=script)
    if result.returncode != 0:
        raise SystemExit("demo: the simulated watch failed: " + result.stderr_tail)
    print("watch: %s (%d cues)" % (what, len(result.of("cue"))))


def main(out="demo"):
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    out.chmod(0o700)
    image, archive, link = out / "watch.img", out / "archive.sqlite", out / "ttyWATCH"
    sim.create_image(image, int(time.time()) - 15 * 86400)  # the watch's clock: two weeks ago
    with twin(image, link) as port:
        runcue("device", "assign", "--port", port, "--client", "C01")
        runcue("plan", "push", "c25k", "--port", port, "--archive", str(archive))
    play(image, sim.default_client(3, 2 * DAY, first_gap_ms=DAY), "week 1: three sessions, all completed")
    play(image, sim.client_session(3 * DAY, before=2, after=2, talk="no", runs=[(["A+"], 600000)], reason="pain"),
         "week 2: stopped early after 10 minutes (pain)")
    play(image, sim.client_session(2 * DAY), "week 2: the session again, completed")
    with twin(image, link) as port:
        runcue("device", "info", "--port", port)
        runcue("sync", "--port", port, "--archive", str(archive))
        runcue("sync", "--port", port, "--archive", str(archive))  # again: nothing new, nothing doubled
    runcue("sessions", "--archive", str(archive))
    runcue("report", "--archive", str(archive), "--out", str(out / "report.html"))
    runcue("export", "csv", "--archive", str(archive), "--out", str(out / "export"))
    print("\ndemo: the report is %s (open it in a browser); the archive is %s" % (
        (out / "report.html").resolve(), archive.resolve()))
    return json.dumps({"report": str(out / "report.html")})


if __name__ == "__main__":
    main(*sys.argv[1:2])
