"""Debian packages the tests need (Chromium, PostgreSQL), installed with apt-get when missing.

The tests run as root in CI; elsewhere a package that cannot be installed is a
skip that says why, never a failure of the code under test.
"""

import os
import shutil
import subprocess

import pytest


def ensure_installed(path, packages):
    """``path`` once ``packages`` are installed (apt-get when ``path`` is missing); else a skip saying why."""
    if os.path.exists(path):
        return path
    why = None
    if os.geteuid() != 0:
        why = "not root: cannot apt-get install %s" % " ".join(packages)
    elif not shutil.which("apt-get"):
        why = "no apt-get on this machine"
    else:
        for cmd in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "--no-install-recommends"] + packages):
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900,
                                  env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
            if proc.returncode != 0:
                why = "%s failed: %s" % (" ".join(cmd[:2]), (proc.stdout + proc.stderr).strip()[-300:])
                break
    if why is None and os.path.exists(path):
        return path
    why = why or "installed, but %s is missing" % path
    print("\n%s unavailable: %s" % (packages[0], why))
    pytest.skip("%s unavailable: %s" % (packages[0], why))
