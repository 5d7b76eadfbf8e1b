"""A private PostgreSQL cluster for the tests: started once per test session, stopped at its end.

Debian's ``postgresql`` is installed with apt-get when missing (as Chromium is
for the report).  ``initdb`` runs into a new temp dir as the ``postgres``
system user (PostgreSQL refuses to run as root, and the tests run as root in
CI), with its unix socket in that dir (not run as root: as the user running them), a random port number (the socket's
name) and no TCP listener.  The cluster's superuser connects over the socket
without a password (``trust`` for that one role); every other role needs its
password (``scram-sha-256``), so a wrong one is refused as on a practice's server.
"""

import os
import random
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from debian import ensure_installed

PG_USER = "postgres"
_BIN_GLOB = "/usr/lib/postgresql/*/bin"
_HBA = "local all postgres trust\nlocal all all scram-sha-256\n"


def _bindir():
    found = sorted(Path("/").glob(_BIN_GLOB.lstrip("/")), key=lambda p: int(p.parent.name))
    return found[-1] if found else None


class Cluster:
    """A running cluster: ``url(user, db)`` names a database on it by its socket."""

    def __init__(self):
        if _bindir() is None:
            ensure_installed("/usr/lib/postgresql", ["postgresql"])
        self.bin = _bindir()
        self.dir = Path(tempfile.mkdtemp(prefix="runcue-pg-"))
        self.data = self.dir / "data"
        self.port = random.randrange(20000, 60000)
        if os.geteuid() == 0:
            shutil.chown(self.dir, PG_USER, PG_USER)
        self._as_pg([str(self.bin / "initdb"), "-D", str(self.data), "-U", PG_USER, "--auth=trust",
                     "-E", "UTF8", "--no-instructions"])
        (self.data / "pg_hba.conf").write_text(_HBA)
        opts = "-c listen_addresses='' -c unix_socket_directories='%s' -p %d -c fsync=off" % (self.dir, self.port)
        self._as_pg([str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l", str(self.dir / "log"),
                     "-w", "-t", "60", "start"])
        self.host = str(self.dir)

    def _as_pg(self, cmd):
        # as root: as the postgres system user (the server refuses root); else as whoever runs the tests
        prefix = ["runuser", "-u", PG_USER, "--"] if os.geteuid() == 0 else []
        proc = subprocess.run(prefix + cmd, capture_output=True, text=True,
                              timeout=120, cwd=self.dir, stdin=subprocess.DEVNULL)
        if proc.returncode != 0:
            raise RuntimeError("%s failed: %s" % (cmd[0], (proc.stdout + proc.stderr)[-2000:]))

    def url(self, db="postgres", user=PG_USER):
        return "postgresql://%s@/%s?host=%s&port=%d" % (user, db, self.host, self.port)

    def sql(self, statements, db="postgres"):
        """Run statements as the superuser (autocommit)."""
        import psycopg

        with psycopg.connect(self.url(db), autocommit=True) as conn:
            for s in [statements] if isinstance(statements, str) else statements:
                conn.execute(s)

    def new_db(self, prefix="t"):
        name = "%s_%d_%d" % (prefix, os.getpid(), int(time.monotonic_ns() % 10 ** 9))
        self.sql("CREATE DATABASE %s" % name)
        return name

    def stop(self):
        try:
            self._as_pg([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"])
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
