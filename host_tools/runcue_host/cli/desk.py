"""``runcue desk``: the therapist's desk in the browser (``runcue_host.desk``)."""

from typing import Annotated

import typer

from runcue_host.cli.options import Archive
from runcue_host.cli.output import say


def desk(
    archive: Archive = None,
    listen: Annotated[str, typer.Option(
        "--listen", metavar="127.0.0.1:PORT", help="Where the desk listens: 127.0.0.1 only (port 0: a free one).")
    ] = "127.0.0.1:0",
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Only print the address; open no browser.")]
    = False,
):
    """Open the therapist's desk: clients, programs, plans and the watch in a browser on this laptop.

    It prints an address with a one-time sign-in token and opens it in the browser; Ctrl-C stops it.
    """
    from runcue_host.desk import serve

    serve.run(archive, listen, open_browser=not no_browser, say=say)
