"""The ``runcue`` command.

Structure (keep it this way as commands are added):

* one module per command group, ``runcue_host/cli_<group>.py``, with a function
  ``register(app)`` that adds its typer group (``app.add_typer(group, name=...)``) or its
  top-level commands (``app.command("sync")(sync)``);
* that module's name goes into :data:`COMMAND_MODULES`; :func:`build_app` imports them
  in that order;
* a user's mistake is raised as ``runcue_host.UserError`` (authoring errors already
  are), anywhere below a command; :func:`main` alone catches it, writes
  ``runcue: <message>`` as one line on stderr and exits 2, without a traceback.  Typer's
  own usage errors (unknown option, missing argument) take the same path.  Anything else
  is a bug and keeps its traceback;
* ``--json`` output goes through :func:`print_json` (exactly one document on stdout),
  readable output through :func:`console`;
* anything not written here (a program or plan name, a client code, a path, a string
  the watch sent) is printed as text, never as markup, and without its control
  characters: a line through :func:`say`, a table cell or grid value through
  :func:`shown`.  A bare ``str`` given to rich is read as markup (``[/bold]`` crashes
  it, ``[easy]`` vanishes) and an escape sequence would reach the terminal.
"""

import importlib
import inspect
import json
import re
import sys
from typing import Annotated

import typer

from runcue_host import UserError

COMMAND_MODULES = [
    "runcue_host.cli.program",
    "runcue_host.cli.sim",
    "runcue_host.cli.review",
    "runcue_host.cli.plan",
    "runcue_host.cli.device",
    "runcue_host.cli.push",
    "runcue_host.cli.desk",
    "runcue_host.cli.help",
]

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
EXIT_USER = 2

_console = None
# C0 and C1 controls (ESC starts a terminal's escape sequences), DEL, and the invisible
# marks that reorder or hide text (bidi overrides, zero-width); newlines stay lines.
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def new_group(help_text):
    """A typer group configured like the rest of the command (for cli_<group> modules)."""
    return typer.Typer(help=help_text, no_args_is_help=True, add_completion=False,
                       pretty_exceptions_enable=False, context_settings=CONTEXT_SETTINGS)


def _version(value):
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            v = version("runcue")
        except PackageNotFoundError:  # run from a source tree without installing
            v = "unknown"
        sys.stdout.write("runcue %s\n" % v)
        raise typer.Exit()


def _root(
    show_version: Annotated[bool, typer.Option("--version", help="Print runcue's version and exit.",
                                               callback=_version, is_eager=True)] = False,
):
    """runcue: a run/walk interval timer for running therapy, on the laptop side."""


def build_app():
    app = typer.Typer(
        name="runcue",
        help="runcue: a run/walk interval timer for running therapy, on the laptop side.\n\n"
             "Write and check programs, push them to the watch, sync sessions, report. "
             "How to write programs and plans: runcue help formats.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        context_settings=CONTEXT_SETTINGS,
    )
    app.callback()(_root)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)
    return app


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


def warn(msg):
    """A warning: ``runcue: warning: <msg>`` on stderr (the command goes on and exits 0)."""
    try:
        sys.stderr.write("runcue: warning: %s\n" % _one_line(msg))
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


LANG_HELP = ("The language on the watch (and of this output): nl or en. Default: the file's lang, "
             "else the language of the kind words (wandelen, hardlopen: nl).")


def print_json(obj):
    """Exactly one JSON document on stdout (ASCII, so any locale can print it)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=True) + "\n")
    sys.stdout.flush()


def _one_line(msg):
    return printable(" ".join(str(msg).split("\n")).strip())


def _fail(msg, code=EXIT_USER):
    try:
        sys.stderr.write("runcue: %s\n" % _one_line(msg))
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    return code


def _usage_message(err):
    """Typer's usage error as 'program check: missing argument 'SPEC' (see ...)'."""
    msg = _one_line(err.format_message()).rstrip(".")
    msg = msg[:1].lower() + msg[1:]
    ctx = getattr(err, "ctx", None)
    if ctx is None:
        return msg
    path = ctx.command_path
    where = path.partition(" ")[2]
    return "%s%s (see '%s --help')" % (where + ": " if where else "", msg, path)


def _reflow(help_text):
    """A docstring's paragraphs each on one line: the help's renderer keeps single line breaks,
    so a paragraph wrapped in the source would be broken mid-sentence at the terminal's width.
    A paragraph that starts with click's ``\\b`` keeps its lines."""
    paragraphs = inspect.cleandoc(help_text).split("\n\n")
    return "\n\n".join(p if p.startswith("\b") else " ".join(p.split()) for p in paragraphs)


def _reflow_all(command):
    if command.help:
        command.help = _reflow(command.help)
    for sub in getattr(command, "commands", {}).values():
        _reflow_all(sub)


def main(argv=None):
    """Entry point of the console script; returns the exit status."""
    command = typer.main.get_command(build_app())
    _reflow_all(command)
    try:
        rv = command.main(args=argv, prog_name="runcue", standalone_mode=False)
    except UserError as e:
        return _fail(e, e.exit_code)
    except typer.TyperException as e:  # typer's (click's) usage errors
        if type(e).__name__ == "NoArgsIsHelpError":  # `runcue`, `runcue program`: show the help
            text = e.format_message()  # empty when typer's rich help has printed it already
            if text:
                sys.stdout.write(text + "\n")
            return 0
        return _fail(_usage_message(e), getattr(e, "exit_code", EXIT_USER))
    except typer.Abort:
        return _fail("aborted", 1)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except BrokenPipeError:  # e.g. `runcue ... --json | head -c 10`
        try:
            sys.stdout = open("/dev/null", "w")  # noqa: SIM115 - silence the flush at exit
        except OSError:
            pass
        return 1
    return rv if isinstance(rv, int) else 0


if __name__ == "__main__":
    sys.exit(main())
