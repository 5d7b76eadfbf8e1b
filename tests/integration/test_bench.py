"""Every benchmark still runs: `bench/run_all.py --quick` (small sizes) prints all its figures.

Nothing about time is asserted (bench/ holds the figures); this only keeps a
bench from breaking unseen, as bench_flash once did on a full flash image.
"""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_every_bench_runs_in_quick_mode_and_prints_its_figures():
    proc = subprocess.run([sys.executable, str(BENCH / "run_all.py"), "--quick"], capture_output=True, text=True,
                          timeout=600, stdin=subprocess.DEVNULL, cwd=BENCH)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    out = proc.stdout
    for section, figure in (("realtime", "cue"), ("memory", "smallest heap"), ("flash", "sessions fit"),
                            ("sync", "runcue sync"), ("plan", "c25k plan"), ("sim", "boot to home screen"),
                            ("desk", "client list")):
        body = out.split("## %s (bench/bench_%s.py)" % (section, section), 1)
        assert len(body) == 2, "no %s section:\n%s" % (section, out[-2000:])
        assert figure in body[1].split("\n## ", 1)[0], "%s printed no figures" % section
    assert "| 9-week plan < 5 s |" in out  # the goals table, whatever it says
