"""A throwaway PostgreSQL server for the integration suite.

`pg` (session scope) runs initdb and pg_ctl into a temp dir as the
`postgres` user (through `runuser` when the suite runs as root, since
initdb refuses root), on a free port, its unix socket in the same dir,
trust auth for local and 127.0.0.1, fsync off; it is stopped and removed at
the end of the session. `pg_db` (function scope) is a fresh database per
test. SQL runs through `psql` (no Python driver needed).
"""
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

PG_BIN = os.environ.get("DAGD_PG_BIN", "/usr/lib/postgresql/15/bin")
PSQL = shutil.which("psql") or os.path.join(PG_BIN, "psql")
_dbs = itertools.count(1)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    def __init__(self):
        self.dir = None
        self.port = None
        self.as_root = os.geteuid() == 0

    def _run(self, argv, **kw):
        if self.as_root:
            argv = ["runuser", "-u", "postgres", "--"] + argv
        return subprocess.run(argv, check=True, capture_output=True, text=True, **kw)

    def start(self):
        self.dir = tempfile.mkdtemp(prefix="dagd-pg-")
        if self.as_root:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        data = os.path.join(self.dir, "data")
        self._run([os.path.join(PG_BIN, "initdb"), "-D", data, "-A", "trust", "-U", "postgres",
                   "-E", "UTF8", "--locale=C", "--no-sync"])
        self.port = _free_port()
        opts = ("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
                % (self.port, self.dir))
        self._run([os.path.join(PG_BIN, "pg_ctl"), "-D", data, "-l",
                   os.path.join(self.dir, "server.log"), "-w", "-t", "60", "-o", opts, "start"])
        self.url = self.url_for("postgres")
        return self

    def stop(self):
        if not self.dir:
            return
        try:
            self._run([os.path.join(PG_BIN, "pg_ctl"), "-D", os.path.join(self.dir, "data"),
                       "-m", "fast", "-w", "stop"])
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def url_for(self, db, password=None):
        auth = "postgres" + (":" + password if password else "")
        return "postgresql://%s@127.0.0.1:%d/%s" % (auth, self.port, db)

    def psql(self, sql, db="postgres", check=True):
        """Run sql (one or more statements) and return the rows as lists of
        strings (psql -At, '|'-separated; NULL is '')."""
        p = subprocess.run([PSQL, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                            "-p", str(self.port), "-U", "postgres", "-d", db],
                           input=sql, capture_output=True, text=True)
        if check and p.returncode != 0:
            raise AssertionError("psql failed (%d): %s\n%s" % (p.returncode, p.stderr, sql))
        return [line.split("|") for line in p.stdout.splitlines()]

    def value(self, sql, db="postgres"):
        rows = self.psql(sql, db)
        assert len(rows) == 1 and len(rows[0]) == 1, rows
        return rows[0][0]

    def create_db(self, name=None):
        name = name or "t%d_%d" % (os.getpid(), next(_dbs))
        self.psql("CREATE DATABASE %s" % name)
        return DB(self, name)


class DB:
    """One database of the server: its URL and SQL helpers bound to it."""

    def __init__(self, server, name):
        self.server = server
        self.name = name
        self.url = server.url_for(name)

    def url_with_password(self, password):
        return self.server.url_for(self.name, password)

    def psql(self, sql, check=True):
        return self.server.psql(sql, self.name, check)

    def value(self, sql):
        return self.server.value(sql, self.name)

    def drop(self):
        for _ in range(50):
            try:
                self.server.psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.name)
                return
            except AssertionError:
                time.sleep(0.1)


@pytest.fixture(scope="session")
def pg():
    server = Postgres().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_db(pg):
    db = pg.create_db()
    yield db
    db.drop()
