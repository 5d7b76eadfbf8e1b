"""Serving the desk: the address it listens on, uvicorn, the browser, Ctrl-C.

The desk listens on 127.0.0.1 only: the health data and the watch stay on this
laptop, never reachable from the practice's network; any other address is the
user's mistake.  Port 0 (the default) takes a free port.  The socket is bound here,
before the URL is printed, so the URL is right and a port in use is one clear line.
"""

import re
import socket
import sys
import webbrowser

from runcue_host import UserError

LOOPBACK = "127.0.0.1"
GRACE_S = 3  # s: on Ctrl-C, open pages (a sync's progress stream) get this long to end
_LISTEN = re.compile(r"^(?P<host>[^:]*):(?P<port>\d{1,5})$")


def parse_listen(text):
    """(host, port) of ``--listen 127.0.0.1:PORT``; UserError for anything else."""
    m = _LISTEN.match(text.strip())
    if not m or int(m.group("port")) > 65535:
        raise UserError("--listen %r: write 127.0.0.1:PORT (PORT 1-65535, or 0 for a free one)" % text)
    if m.group("host") != LOOPBACK:
        raise UserError("--listen %s: the desk listens on 127.0.0.1 only (the clients' data stays on this "
                        "laptop): use --listen 127.0.0.1:%s" % (text, m.group("port")))
    return LOOPBACK, int(m.group("port"))


def bind(host, port):
    """A listening socket on host:port; UserError when the port is taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise UserError("--listen %s:%d: cannot listen there (%s): choose another port, or 0 for a free one"
                        % (host, port, e.strerror or e)) from None
    sock.listen(16)
    return sock


def run(archive, listen="127.0.0.1:0", open_browser=True, say=print):
    """Serve the desk until Ctrl-C (or SIGTERM); ``say`` prints its address."""
    import uvicorn

    from runcue_host.desk import Desk, archive_access, create_app, syncjob

    host, port = parse_listen(listen)
    archive_access.prepare(archive)  # a missing archive is made, an old one migrated: before the URL
    sock = bind(host, port)
    desk = Desk(archive, sock.getsockname()[1])
    config = uvicorn.Config(create_app(desk), lifespan="off", log_level="warning", access_log=False,
                            timeout_graceful_shutdown=GRACE_S)
    server = uvicorn.Server(config)
    say("the desk is at %s" % desk.url())
    say("(that address signs you in once; Ctrl-C stops the desk)")
    sys.stdout.flush()
    if open_browser:
        webbrowser.open(desk.url())
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn stops cleanly first, then passes the Ctrl-C on
        pass
    finally:
        sock.close()
        syncjob.wait_all(desk)
    say("the desk has stopped")
