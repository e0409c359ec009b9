"""A throwaway ClickHouse server for the integration suite (Debian's
clickhouse-server): `ch` (session scope) writes a minimal config into a
temp dir (data, logs and tmp there, the native protocol on a free loopback
port; config/clickhouse_config.sh), starts the server and waits until
clickhouse-client answers; it is stopped and removed at the end of the
session. `ch_db` (function scope) is a fresh database name per test (the
DAG creates it), dropped afterwards. Queries run through clickhouse-client.
The server comes from tests/tools/deps.sh; without it the tests that use
it fail (they are not skipped)."""
import itertools
import os
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from pg import _free_port

SERVER = shutil.which("clickhouse-server") or "/usr/sbin/clickhouse-server"
CLIENT = shutil.which("clickhouse-client") or "/usr/bin/clickhouse-client"
_dbs = itertools.count(1)

# the server's config.xml, written by the script config/demo.sh uses too
CONFIG_SH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "config",
                         "clickhouse_config.sh")


class ClickHouse:
    def __init__(self):
        self.dir = None
        self.proc = None

    def start(self):
        self.dir = tempfile.mkdtemp(prefix="dagd-ch-")
        self.port = _free_port()
        subprocess.run(["sh", CONFIG_SH, self.dir, str(self.port)], check=True)
        cfg = os.path.join(self.dir, "config.xml")
        with open(os.path.join(self.dir, "stderr.log"), "w") as err:   # the child keeps its copy
            self.proc = subprocess.Popen([SERVER, "--config-file=" + cfg], stdout=subprocess.DEVNULL,
                                         stderr=err, cwd=self.dir)
        deadline = time.time() + 60
        while True:
            p = subprocess.run([CLIENT, "--port", str(self.port), "--query", "SELECT 1"],
                               capture_output=True, text=True, stdin=subprocess.DEVNULL)
            if p.returncode == 0:
                return self
            if self.proc.poll() is not None or time.time() > deadline:
                raise AssertionError("clickhouse-server did not start: %s" % self.log())
            time.sleep(0.1)

    def log(self):
        out = []
        for name in ("stderr.log", "error.log"):
            try:
                with open(os.path.join(self.dir, name)) as f:
                    out.append(f.read()[-4000:])
            except OSError:
                pass
        return "\n".join(out)

    def stop(self):
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def query(self, sql, db="default"):
        """Run one query; the rows as lists of strings (TSV)."""
        p = subprocess.run([CLIENT, "--port", str(self.port), "--database", db, "--query", sql],
                           capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if p.returncode != 0:
            raise AssertionError("clickhouse-client failed (%d): %s\n%s" % (p.returncode, p.stderr, sql))
        return [line.split("\t") for line in p.stdout.splitlines()]


class Database:
    def __init__(self, server, name):
        self.server = server
        self.name = name
        self.url = "clickhouse://127.0.0.1:%d/%s" % (server.port, name)

    def query(self, sql):
        return self.server.query(sql, self.name)

    def value(self, sql):
        rows = self.query(sql)
        assert len(rows) == 1 and len(rows[0]) == 1, rows
        return rows[0][0]


@pytest.fixture(scope="session")
def ch():
    assert os.access(SERVER, os.X_OK), "clickhouse-server is not installed (make deps installs it)"
    server = ClickHouse().start()
    yield server
    server.stop()


@pytest.fixture
def ch_db(ch):
    db = Database(ch, "t%d_%d" % (os.getpid(), next(_dbs)))
    yield db
    ch.query("DROP DATABASE IF EXISTS %s" % db.name)
