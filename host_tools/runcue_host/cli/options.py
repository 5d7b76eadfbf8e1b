"""The options several commands share, each defined once: ``--port``, ``--archive``, ``--client``,
``--json``, ``--lang``.

A command takes one as its parameter's type (``port: Port = None``); ``--json``'s help says
what the document holds, so a command may give its own: ``Annotated[bool, json_flag("...")]``.
"""

from typing import Annotated

import typer

PORT_HELP = "The watch's serial port (found by itself when only one watch is plugged in)."
ARCHIVE_HELP = ("The archive: a file, or a PostgreSQL URL postgresql://USER@HOST/DB (default: $RUNCUE_ARCHIVE,"
                " else archive.sqlite in runcue's per-user data directory).")
CLIENT_HELP = "Only this client's sessions (a client code such as C01); default: every client."
CLIENT_CODE_HELP = "A pseudonymous client code, never a name."
LANG_HELP = ("The language on the watch (and of this output): nl or en. Default: the file's lang, "
             "else the language of the kind words (wandelen, hardlopen: nl).")
REPORT_LANG_HELP = "Language of the report."
SPEC_HELP = ('A shorthand line such as "5m walk, 8x(60s run, 90s walk), 5m walk" '
             "or a .toml program file.")
PLAN_HELP = "A built-in plan's name (see 'runcue plan list-builtin') or a plan .toml file."

Port = Annotated[str | None, typer.Option("--port", help=PORT_HELP)]
# a str, not a Path: a URL is no path (Path would fold its "//")
Archive = Annotated[str | None, typer.Option("--archive", metavar="PATH|URL", help=ARCHIVE_HELP, show_default=False)]
# --client filters what is read from the archive; --client of `device assign` names the watch's new client
ClientFilter = Annotated[str | None, typer.Option("--client", metavar="CODE", help=CLIENT_HELP, show_default=False)]
ClientCode = Annotated[str, typer.Option("--client", help=CLIENT_CODE_HELP)]
Lang = Annotated[str | None, typer.Option("--lang", metavar="nl|en", help=LANG_HELP, show_default=False)]
ReportLang = Annotated[str, typer.Option("--lang", metavar="en|nl", help=REPORT_LANG_HELP)]


def json_flag(help_text="Print one JSON document."):
    """The ``--json`` flag, its help saying what the one document holds."""
    return typer.Option("--json", help=help_text)


Json = Annotated[bool, json_flag()]

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
