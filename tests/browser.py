"""Debian's Chromium for the tests that open pages in a real browser (installed when missing)."""

import os
import shutil
import subprocess

import pytest

CHROMIUM = "/usr/bin/chromium"


def chromium():
    """The browser, installed with apt-get when missing; a skip (saying why) only if it cannot be."""
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    why = None
    if os.geteuid() != 0:
        why = "not root: cannot apt-get install chromium"
    elif not shutil.which("apt-get"):
        why = "no apt-get on this machine"
    else:
        for cmd in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium", "fonts-dejavu-core"]):
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900,
                                  env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
            if proc.returncode != 0:
                why = "%s failed: %s" % (" ".join(cmd[:2]), (proc.stdout + proc.stderr).strip()[-300:])
                break
    if why is None and os.path.exists(CHROMIUM):
        return CHROMIUM
    why = why or "installed, but %s is missing" % CHROMIUM
    print("\nchromium unavailable: " + why)
    pytest.skip("chromium unavailable: " + why)
