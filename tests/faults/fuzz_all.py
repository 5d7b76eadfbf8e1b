"""`make fuzz`: every fuzz property with many examples, and the counts.

Runs the fuzz test files with RUNCUE_FUZZ_EXAMPLES examples per property (default 4000;
the normal suite runs 300) and RUNCUE_FUZZ_MPY_CASES cases on MicroPython (default
20000; the normal suite runs 2000 and 300), with hypothesis' statistics, then prints the
examples run per property and in all (also to build/fuzz.json).  Every property is
derandomized: the same cases every run.  Exit status: pytest's.
"""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FILES = ["tests/fuzz/test_fuzz_program.py", "tests/fuzz/test_fuzz_plans.py", "tests/fuzz/test_fuzz_records_logstore.py",
         "tests/fuzz/test_fuzz_watch_replies.py", "tests/fuzz/test_fuzz_watch_validator.py"]
MPY_TESTS = {"test_micropython_recovers_damaged_logs_to_the_same_bytes_as_cpython",
             "test_the_watch_validator_refuses_only_with_program_error_on_micropython"}


def parse(out):
    """{test id: [passing, failing, invalid]} from --hypothesis-show-statistics output."""
    stats = {}
    current = None
    for line in out.splitlines():
        m = re.match(r"^(tests/\S+::\S+):$", line.strip())
        if m:
            current = m.group(1)
            stats.setdefault(current, [0, 0, 0])
            continue
        m = re.search(r"(\d+) passing(?: examples?)?, (\d+) failing(?: examples?)?,(?: and)? (\d+) invalid", line)
        if m and current:
            for i in range(3):
                stats[current][i] += int(m.group(i + 1))
    return stats


def main():
    env = dict(os.environ)
    env.setdefault("RUNCUE_FUZZ_EXAMPLES", "4000")
    env.setdefault("RUNCUE_FUZZ_MPY_CASES", "20000")
    cmd = [sys.executable, "-m", "pytest", *FILES, "--hypothesis-show-statistics", "-rfE", "-p", "no:randomly",
           "--durations=0"]
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - t0
    sys.stdout.write(proc.stdout[-6000:] if proc.returncode else "")
    sys.stderr.write(proc.stderr[-3000:])
    stats = parse(proc.stdout)
    durations = {}
    for line in proc.stdout.splitlines():
        m = re.match(r"^\s*([\d.]+)s call\s+(\S+)$", line)
        if m:
            durations[m.group(2)] = float(m.group(1))
    mpy_cases = int(env["RUNCUE_FUZZ_MPY_CASES"])
    rows = []
    for test, (passing, failing, invalid) in sorted(stats.items()):
        rows.append({"test": test, "examples": passing + failing, "failing": failing, "invalid": invalid,
                     "seconds": durations.get(test, 0.0)})
    for test in sorted(durations):
        if test.split("::")[-1] in MPY_TESTS:
            rows.append({"test": test + " (MicroPython)", "examples": mpy_cases, "failing": 0 if not proc.returncode
                         else None, "invalid": 0, "seconds": durations[test]})
    total = sum(r["examples"] for r in rows)
    print("\n| property | examples | failing | seconds |")
    print("| --- | ---: | ---: | ---: |")
    for r in rows:
        print("| %s | %d | %s | %.1f |" % (r["test"].replace("tests/", ""), r["examples"], r["failing"], r["seconds"]))
    print("| total (%d properties) | %d | | %.0f |" % (len(rows), total, seconds))
    print("\nRUNCUE_FUZZ_EXAMPLES=%s RUNCUE_FUZZ_MPY_CASES=%s: %d generated cases in %.0f s; pytest exit %d"
          % (env["RUNCUE_FUZZ_EXAMPLES"], env["RUNCUE_FUZZ_MPY_CASES"], total, seconds, proc.returncode))
    out = ROOT / "build" / "fuzz.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"examples_per_property": env["RUNCUE_FUZZ_EXAMPLES"], "total": total,
                               "seconds": round(seconds), "exit": proc.returncode, "rows": rows}, indent=1))
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
