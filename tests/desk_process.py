"""`runcue desk` as a therapist starts it, for the desk's tests: the process, its address, its stop."""

import http.client
import re
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

RUNCUE = str(Path(sys.executable).parent / "runcue")


class Desk:
    """``runcue desk --no-browser`` on a free port; ``url`` is the printed one-time address."""

    def __init__(self, archive, *args):
        self.proc = subprocess.Popen([RUNCUE, "desk", "--archive", str(archive), "--no-browser", *args],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        line = self.proc.stdout.readline()  # the address comes once the socket listens
        m = re.search(r"(http://127\.0\.0\.1:(\d+)/\?token=(\S+))", line)
        assert m, "no address printed: %r %s" % (line, self.proc.stderr.read() if self.proc.poll() else "")
        self.url, self.port, self.token = m.group(1), int(m.group(2)), m.group(3)
        self.base = "http://127.0.0.1:%d" % self.port

    def request(self, method, path, headers=None, body=None, host=None):
        """(status, headers dict, body text) of one request, with exactly the headers given."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            conn.putheader("Host", "127.0.0.1:%d" % self.port if host is None else host)
            for k, v in (headers or {}).items():
                conn.putheader(k, v)
            data = body.encode() if isinstance(body, str) else body
            if data is not None:
                conn.putheader("Content-Length", str(len(data)))
            conn.endheaders(data)
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def sign_in(self):
        """The session cookie the one-time token gives ("name=value")."""
        status, headers, _ = self.request("GET", "/?token=" + urllib.parse.quote(self.token))
        assert status == 303, status
        return headers["set-cookie"].split(";")[0]

    def stop(self, timeout=15):
        """Ctrl-C, as in the terminal; (exit status, seconds it took, stdout, stderr)."""
        start = time.monotonic()
        self.proc.send_signal(signal.SIGINT)
        out, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, time.monotonic() - start, out, err

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
