"""``runcue help ...``: reference pages that belong to no single command.

``runcue help formats`` prints ``formats.md`` (package data beside this module): how to
write shorthand, program files and plan files, with examples that the tests check.
"""

import sys


def formats_text():
    """The text of the formats page."""
    from importlib import resources

    return resources.files("runcue_host.cli").joinpath("formats.md").read_text(encoding="utf-8")


def formats():
    """How to write programs (shorthand, TOML) and multi-week plans (TOML), with examples."""
    sys.stdout.write(formats_text())  # as it is: plain text, never markup
    sys.stdout.flush()
