"""What every command prints, and how: readable lines and tables, one JSON document, warnings.

* ``--json`` output goes through :func:`print_json` (exactly one document on stdout),
  readable output through :func:`console`;
* anything not written here (a program or plan name, a client code, a path, a string
  the watch sent) is printed as text, never as markup, and without its control
  characters: a line through :func:`say`, a table cell or grid value through
  :func:`shown`.  A bare ``str`` given to rich is read as markup (``[/bold]`` crashes
  it, ``[easy]`` vanishes) and an escape sequence would reach the terminal;
* a warning (the command goes on) through :func:`warn`, a failure (the command stops)
  through :func:`fail`: one line on stderr each.
"""

import json
import re
import sys

_console = None
# C0 and C1 controls (ESC starts a terminal's escape sequences), DEL, and the invisible
# marks that reorder or hide text (bidi overrides, zero-width); newlines stay lines.
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def console():
    """The rich console for readable output on stdout."""
    global _console
    if _console is None:
        from rich.console import Console

        _console = Console(highlight=False)
    return _console


def printable(text):
    """``text`` with every control character written as an escape (``\\x1b``), never sent raw."""
    return _CONTROL.sub(lambda m: "\\x%02x" % ord(m.group()) if ord(m.group()) < 0x100
                        else "\\u%04x" % ord(m.group()), str(text))


def one_line(msg):
    """``msg`` printable, its lines joined: what goes on stderr is always one line."""
    return printable(" ".join(str(msg).split("\n")).strip())


def shown(value, style=""):
    """Outside data as a rich Text: printed as it is, never read as markup."""
    from rich.text import Text

    return Text(printable(value), style=style)


def say(line, style=""):
    """Print one readable line that holds outside data (see :func:`shown`); a long one is not
    broken by the console (the terminal wraps it), so it can be copied and searched whole."""
    console().print(shown(line, style), soft_wrap=True)


def key_value_grid():
    """A two-column rich grid (bold keys) for readable summaries."""
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    return grid


def print_json(obj):
    """Exactly one JSON document on stdout (ASCII, so any locale can print it)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=True) + "\n")
    sys.stdout.flush()


def _stderr_line(line):
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # stderr closed: nothing left to tell
        pass


def warn(msg):
    """A warning: ``runcue: warning: <msg>`` on stderr (the command goes on and exits 0)."""
    _stderr_line("runcue: warning: %s" % one_line(msg))


def fail(msg, code):
    """``runcue: <msg>`` on stderr; returns ``code``, the exit status."""
    _stderr_line("runcue: %s" % one_line(msg))
    return code
