"""The ``runcue`` command: its one command table, and :func:`main`.

Structure (keep it this way as commands are added):

* :data:`GROUPS` names each command group and its help; :data:`COMMANDS` maps every
  command (``"program check"``, ``"sync"``) to the function that runs it, in a module of
  this package (``"program:check"``), in the order ``--help`` lists them.  A new group
  (clinic, desk) is a module ``cli/<group>.py`` of plain typer command functions, a line in
  GROUPS and a line per command here;
* a command function parses its options (the shared ones are in :mod:`.options`), calls
  one library function (below ``runcue_host``: no typer, no printing there) and prints
  its result through :mod:`.output`;
* a user's mistake is raised as ``runcue_host.UserError`` (authoring errors already
  are), anywhere below a command; :func:`main` alone catches it, writes
  ``runcue: <message>`` as one line on stderr and exits 2, without a traceback.  Typer's
  own usage errors (unknown option, missing argument) take the same path.  Anything else
  is a bug and keeps its traceback.
"""

import importlib
import inspect
import sys
from typing import Annotated

import typer

from runcue_host import UserError
from runcue_host.cli.options import CONTEXT_SETTINGS
from runcue_host.cli.output import fail, one_line

GROUPS = (
    ("program", "Write, check, preview and push interval programs."),
    ("sim", "The simulated watch: the unmodified firmware on the MicroPython unix port."),
    ("plan", "Check and show multi-week plans (built-in or your own TOML)."),
    ("device", "The watch on USB: what it holds, its clock, its client."),
    ("clinic", "A practice's archive on PostgreSQL: therapists, who treats which client, the audit log."),
    ("archive", "Move archives: a therapist's file into the practice's database, or back."),
    ("help", "Reference pages: 'runcue help formats' shows how to write programs and plans."),
)

COMMANDS = (
    ("program check", "program:check"),
    ("program preview", "program:preview_cmd"),
    ("program push", "push:push_program"),
    ("sim run", "sim:run"),
    ("sim twin", "sim:twin"),
    ("sessions", "review:sessions"),
    ("report", "review:report"),
    ("export", "review:export"),
    ("plan check", "plan:check"),
    ("plan list-builtin", "plan:list_builtin"),
    ("plan show", "plan:show"),
    ("plan push", "push:push_plan"),
    ("device info", "device:info"),
    ("device set-clock", "device:set_clock"),
    ("device assign", "device:assign"),
    ("sync", "device:sync"),
    ("clinic init", "clinic:init"),
    ("clinic add-therapist", "clinic:add_therapist"),
    ("clinic assign", "clinic:assign"),
    ("clinic unassign", "clinic:unassign"),
    ("clinic audit", "clinic:audit"),
    ("archive copy", "clinic:copy"),
    ("desk", "desk:desk"),
    ("help formats", "help:formats"),
)

EXIT_USER = 2
ABOUT = "runcue: a run/walk interval timer for running therapy, on the laptop side."


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


def _typer(help_text, **more):
    return typer.Typer(help=help_text, no_args_is_help=True, add_completion=False,
                       pretty_exceptions_enable=False, context_settings=CONTEXT_SETTINGS, **more)


def _function(where):
    module, _, name = where.partition(":")
    return getattr(importlib.import_module("runcue_host.cli." + module), name)


def build_app():
    """The typer app of :data:`GROUPS` and :data:`COMMANDS`."""
    app = _typer(ABOUT + "\n\nWrite and check programs, push them to the watch, sync sessions, report. "
                 "How to write programs and plans: runcue help formats.", name="runcue")
    app.callback()(_root)
    groups = {name: _typer(help_text) for name, help_text in GROUPS}
    added = set()
    for path, where in COMMANDS:
        group, _, name = path.rpartition(" ")
        if group and group not in added:  # a group takes its place in --help at its first command
            app.add_typer(groups[group], name=group)
            added.add(group)
        (groups[group] if group else app).command(name)(_function(where))
    return app


def _usage_message(err):
    """Typer's usage error as 'program check: missing argument 'SPEC' (see ...)'."""
    msg = one_line(err.format_message()).rstrip(".")
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


def click_command():
    """The whole command tree as click sees it (for :func:`main`, and for the test that every
    command has help and is in the README)."""
    command = typer.main.get_command(build_app())
    _reflow_all(command)
    return command


def main(argv=None):
    """Entry point of the console script; returns the exit status."""
    command = click_command()
    try:
        rv = command.main(args=argv, prog_name="runcue", standalone_mode=False)
    except UserError as e:
        return fail(e, e.exit_code)
    except typer.TyperException as e:  # typer's (click's) usage errors
        if type(e).__name__ == "NoArgsIsHelpError":  # `runcue`, `runcue program`: show the help
            text = e.format_message()  # empty when typer's rich help has printed it already
            if text:
                sys.stdout.write(text + "\n")
            return 0
        return fail(_usage_message(e), getattr(e, "exit_code", EXIT_USER))
    except typer.Abort:
        return fail("aborted", 1)
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    except BrokenPipeError:  # e.g. `runcue ... --json | head -c 10`
        try:
            sys.stdout = open("/dev/null", "w")  # noqa: SIM115 - silence the flush at exit
        except OSError:
            pass
        return 1
    return rv if isinstance(rv, int) else 0


if __name__ == "__main__":
    sys.exit(main())
