"""Run code on the real MicroPython unix port (installed by `make setup`)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIB = ROOT / "lib"
PORTABLE = ROOT / "tests" / "portable"
MICROPYTHON = Path(sys.executable).parent / "micropython"


def env(*paths):
    """Environment whose MICROPYPATH keeps `.frozen` (asyncio lives there) plus ``paths``."""
    e = dict(os.environ)
    e["MICROPYPATH"] = ":".join([".frozen", str(LIB), str(PORTABLE)] + [str(p) for p in paths])
    return e


def run(script, *args, heapsize=None, timeout=120, check=True, cwd=None):
    """Run ``script`` (a path) with MicroPython; the CompletedProcess, text mode."""
    cmd = [str(MICROPYTHON)]
    if heapsize:
        cmd += ["-X", "heapsize=%s" % heapsize]
    cmd += [str(script)] + [str(a) for a in args]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env(), timeout=timeout, cwd=cwd)
    if check and proc.returncode != 0:
        raise AssertionError("micropython %s failed (rc %d):\n%s%s" % (
            script, proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:]))
    return proc


def run_code(code, tmp_path, **kw):
    script = Path(tmp_path) / "mp_snippet.py"
    script.write_text(code)
    return run(script, **kw)


def run_json(script, *args, **kw):
    """Run a driver that prints one JSON document as its last line; that document."""
    out = run(script, *args, **kw).stdout.strip().splitlines()
    return json.loads(out[-1])
