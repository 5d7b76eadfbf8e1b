"""Debian's Chromium for the tests that open pages in a real browser (installed when missing)."""

from debian import ensure_installed

CHROMIUM = "/usr/bin/chromium"


def chromium():
    """The browser, installed with apt-get when missing; a skip (saying why) only if it cannot be."""
    return ensure_installed(CHROMIUM, ["chromium", "fonts-dejavu-core"])
