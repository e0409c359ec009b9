"""Fixtures for the integration suite: a real `dagd serve` per test, on a
free port, with its own state, logs and DAG folders, driven over HTTP."""
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone

import pytest

from pg import pg, pg_db  # noqa: F401  (the throwaway PostgreSQL, pg.py)
from ch import ch, ch_db  # noqa: F401  (the throwaway ClickHouse, ch.py)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DAGD = os.environ.get("DAGD_BIN", os.path.join(ROOT, "build", "dagd"))
JOB = os.environ.get("DAGD_JOB_BIN", os.path.join(ROOT, "build", "dagd-job"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_time(s):
    if s is None:
        return None
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


class Daemon:
    def __init__(self, tmp, extra_config=""):
        self.dir = str(tmp)
        self.dags = os.path.join(self.dir, "dags")
        os.makedirs(self.dags, exist_ok=True)
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.config = os.path.join(self.dir, "dagd.yaml")
        with open(self.config, "w") as f:
            f.write("dags_folder: dags\nstate: sqlite://state.db\nlogs_folder: logs\n"
                    "listen: 127.0.0.1:%d\nparallelism: 16\nshutdown_grace: 1s\n%s"
                    % (self.port, extra_config))
        self.proc = None
        self.log = open(os.path.join(self.dir, "daemon.log"), "ab")

    def write_dag(self, name, text):
        path = os.path.join(self.dags, name + ".yaml")
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, path)
        return path

    def start(self, wait=True):
        env = dict(os.environ, DAGD_JOB_BIN=JOB)
        self.proc = subprocess.Popen([DAGD, "serve", "--config", self.config],
                                     stdout=self.log, stderr=self.log, env=env)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("dagd exited with %s:\n%s" % (self.proc.returncode, self.daemon_log()))
            try:
                if self.get("/readyz")[0] == 200:
                    return
            except (urllib.error.URLError, ConnectionError):
                pass
            time.sleep(0.02)
        raise RuntimeError("dagd not ready in %ss:\n%s" % (timeout, self.daemon_log()))

    def daemon_log(self, tail=6000):
        self.log.flush()
        with open(os.path.join(self.dir, "daemon.log"), "rb") as f:
            return f.read().decode(errors="replace")[-tail:]

    def request(self, method, path, body=None, headers=None):
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                raw = r.read()
                return r.status, self._decode(raw, r.headers), r.headers
        except urllib.error.HTTPError as e:
            raw = e.read()
            return e.code, self._decode(raw, e.headers), e.headers

    @staticmethod
    def _decode(raw, headers):
        if "json" in (headers.get("Content-Type") or ""):
            return json.loads(raw)
        return raw.decode(errors="replace")

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, body=None, headers=None):
        return self.request("POST", path, body if body is not None else {}, headers)

    def trigger(self, dag, **body):
        st, run, _ = self.post("/api/v1/dags/%s/runs" % dag, body)
        assert st == 201, (st, run, self.daemon_log())
        return run

    def run(self, dag, run_id):
        st, run, _ = self.get("/api/v1/dags/%s/runs/%s" % (dag, urllib.request.quote(run_id, safe="")))
        assert st == 200, (st, run)
        return run

    def runs(self, dag, limit=100):
        st, out, _ = self.get("/api/v1/dags/%s/runs?limit=%d" % (dag, limit))
        assert st == 200, (st, out)
        return out

    def wait_run(self, dag, run_id, timeout=20, states=("success", "failed")):
        deadline = time.time() + timeout
        while time.time() < deadline:
            r = self.run(dag, run_id)
            if r["state"] in states:
                return r
            time.sleep(0.05)
        raise AssertionError("run %s of %s still %s after %ss:\n%s\n%s" % (
            run_id, dag, r["state"], timeout, json.dumps(r, indent=1), self.daemon_log()))

    def tasks(self, run):
        return {t["task"]: t for t in run["tasks"]}

    def log_of(self, dag, run_id, task, try_number=1):
        st, body, _ = self.get("/api/v1/dags/%s/runs/%s/tasks/%s/tries/%d/log" % (
            dag, urllib.request.quote(run_id, safe=""), task, try_number))
        assert st == 200, (st, body)
        return body

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def daemon(tmp_path):
    made = []

    def make(extra_config=""):
        d = Daemon(tmp_path, extra_config)
        made.append(d)
        return d

    yield make
    reports = []
    for d in made:
        d.stop()
        log = d.daemon_log()
        d.log.close()
        for word in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            if word in log:
                reports.append(log)
    assert not reports, "sanitizer report from dagd:\n" + reports[0]


def utcnow():
    return datetime.now(timezone.utc)
