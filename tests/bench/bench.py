#!/usr/bin/python3
"""make bench: speed and memory figures of dagd, each next to a reference
measured in the same run (a raw posix_spawn loop), medians of several runs.
Prints figures; asserts nothing (machines here are shared and noisy)."""
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import measure  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", "build")
DAGD = os.path.join(ROOT, BUILD, "dagd")
JOB = os.path.join(ROOT, BUILD, "dagd-job")
REF = os.path.join(ROOT, BUILD, "bench", "spawn_ref")
RUNS = int(os.environ.get("BENCH_RUNS", "3"))


def run_rusage(cmd, env=None):
    """Run cmd; (seconds, peak RSS KiB, output, exit code)."""
    r = measure.timed(cmd, env=env)
    return r.seconds, r.rss_kb, r.out, r.rc


def median(xs):
    return statistics.median(xs)


def bench_load(tmp):
    d = os.path.join(tmp, "gen")
    subprocess.run(["sh", os.path.join(ROOT, "tests/bench/gen_dags.sh"), d, "1000", "20"], check=True)
    times, rss = [], []
    for _ in range(max(RUNS, 5)):
        t, r, out, rc = run_rusage([DAGD, "check", "--quiet", d])
        assert rc == 0, out
        times.append(t)
        rss.append(r)
    print("load 1,000 DAG files x 20 tasks (dagd check): %.3f s, peak RSS %.1f MiB "
          "(goal < 0.5 s, < 32 MiB)" % (median(times), median(rss) / 1024))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_dags(d):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "fanout.yaml"), "w") as f:
        f.write("tasks:\n  start: {exec: ['true']}\n")
        for i in range(1000):
            f.write("  t%d: {depends: [start], exec: ['true']}\n" % i)
    with open(os.path.join(d, "chain.yaml"), "w") as f:
        f.write("tasks:\n  c0: {exec: ['true']}\n")
        for i in range(1, 200):
            f.write("  c%d: {depends: [c%d], exec: ['true']}\n" % (i, i - 1))


def ref_rate():
    rates = []
    for _ in range(RUNS):
        out = subprocess.run([REF, "1000", "2"], capture_output=True, text=True, check=True).stdout
        rates.append(float(out))
    return median(rates)


def db_times(db, dag):
    con = sqlite3.connect(db)
    rows = con.execute(
        "select t.task, t.start_us, t.end_us from task_instances t join runs r on r.id = t.run "
        "where r.dag = ? and r.id = (select max(id) from runs where dag = ?)", (dag, dag)).fetchall()
    con.close()
    return {t: (s, e) for t, s, e in rows}


def hops(times, n):
    return [times["c%d" % i][0] - times["c%d" % (i - 1)][1] for i in range(1, n)]


def vm(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


class Daemon:
    def __init__(self, tmp, dags, parallelism):
        self.dir = tmp
        os.makedirs(tmp, exist_ok=True)
        self.port = free_port()
        self.cfg = os.path.join(tmp, "dagd.yaml")
        with open(self.cfg, "w") as f:
            f.write("dags_folder: %s\nstate: sqlite://state.db\nlogs_folder: logs\n"
                    "listen: 127.0.0.1:%d\nparallelism: %d\n" % (dags, self.port, parallelism))
        env = dict(os.environ, DAGD_JOB_BIN=JOB, DAGD_NO_FSYNC=os.environ.get("DAGD_NO_FSYNC", ""))
        if not env["DAGD_NO_FSYNC"]:
            del env["DAGD_NO_FSYNC"]
        self.p = subprocess.Popen([DAGD, "serve", "--config", self.cfg], env=env,
                                  stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "log"), "w"))
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/readyz" % self.port, timeout=1)
                return
            except Exception:
                time.sleep(0.02)
        raise RuntimeError("daemon did not start")

    def call(self, method, path, body=None):
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path), method=method,
                                     data=None if body is None else json.dumps(body).encode())
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def run_and_wait(self, dag):
        run = self.call("POST", "/api/v1/dags/%s/runs" % dag, {})
        peak = 0
        while True:
            r = self.call("GET", "/api/v1/dags/%s/runs/%s" % (dag, urllib.request.quote(run["run_id"], safe="")))
            peak = max(peak, vm(self.p.pid, "VmRSS"))
            if r["state"] in ("success", "failed"):
                return r, peak
            time.sleep(0.05)

    def stop(self):
        self.p.terminate()
        self.p.wait()


def bench_engine(tmp):
    dags = os.path.join(tmp, "dags")
    write_dags(dags)
    raw = ref_rate()
    print("reference: raw posix_spawn loop of `true`, 2 in flight: %.0f tasks/s" % raw)

    rates = []
    for i in range(RUNS):
        t, rss, _, rc = run_rusage([DAGD, "run", os.path.join(dags, "fanout.yaml"), "-j", "2"],
                                   env=dict(os.environ, DAGD_JOB_BIN=JOB))
        assert rc == 0
        rates.append(1001 / t)
    r = median(rates)
    print("dagd run fanout 1,000 (-j 2): %.0f tasks/s = %.0f%% of raw (goal >= 70%%)" % (r, 100 * r / raw))

    d = Daemon(os.path.join(tmp, "d1"), dags, 2)
    time.sleep(0.5)
    rates, peaks, hop_meds = [], [], []
    try:
        for i in range(RUNS):
            run, peak = d.run_and_wait("fanout")
            times = db_times(os.path.join(d.dir, "state.db"), "fanout")
            span = (max(e for _, e in times.values()) - min(s for s, _ in times.values())) / 1e6
            rates.append(1001 / span)
            peaks.append(peak)
            run, _ = d.run_and_wait("chain")
            times = db_times(os.path.join(d.dir, "state.db"), "chain")
            hop_meds.append(median(hops(times, 200)) / 1000.0)
        hwm = vm(d.p.pid, "VmHWM")
    finally:
        d.stop()
    r = median(rates)
    print("daemon fanout 1,000 (parallelism 2, trigger over HTTP): %.0f tasks/s = %.0f%% of raw "
          "(goal >= 70%%)" % (r, 100 * r / raw))
    print("daemon chain of 200: median hop %.2f ms (end of a task to start of the next; "
          "raw spawn+wait of `true` %.2f ms; goal <= 1.5 ms)" % (median(hop_meds), 1000.0 / (raw / 2)))
    print("daemon RSS during the 1,000-task run: %.1f MiB peak (VmHWM %.1f MiB; goal <= 16 MiB)"
          % (max(peaks) / 1024, hwm / 1024))

    ex = Daemon(os.path.join(tmp, "d2"), os.path.join(ROOT, "config", "dags"), 16)
    try:
        time.sleep(1.0)
        idle = vm(ex.p.pid, "VmRSS")
    finally:
        ex.stop()
    print("idle daemon RSS with the example DAGs: %.1f MiB (goal <= 8 MiB)" % (idle / 1024))


def fanout_rate(d):
    d.run_and_wait("fanout")
    times = db_times(os.path.join(d.dir, "state.db"), "fanout")
    return 1001 / ((max(e for _, e in times.values()) - min(s for s, _ in times.values())) / 1e6)


def bench_api(tmp):
    if not shutil.which("wrk"):
        print("api: wrk is not installed (apt-get install wrk): skipped")
        return
    dags = os.path.join(tmp, "api-dags")
    subprocess.run(["sh", os.path.join(ROOT, "tests/bench/gen_dags.sh"), dags, "1000", "20"], check=True)
    write_dags(dags)
    d = Daemon(os.path.join(tmp, "d3"), dags, 2)
    try:
        quiet = median([fanout_rate(d) for _ in range(RUNS)])
        rates, rps, p99 = [], [], []
        for _ in range(RUNS):
            w = subprocess.Popen(["wrk", "-t2", "-c16", "-d10s", "--latency",
                                  "http://127.0.0.1:%d/api/v1/dags" % d.port],
                                 stdout=subprocess.PIPE, text=True)
            time.sleep(2)
            rates.append(fanout_rate(d))
            out = w.communicate()[0]
            for line in out.splitlines():
                f = line.split()
                if line.startswith("Requests/sec:"):
                    rps.append(float(f[1]))
                if f and f[0] == "99%":
                    v = f[1]
                    p99.append(float(v[:-2]) if v.endswith("ms") else float(v[:-2]) / 1000 if v.endswith("us") else float(v[:-1]) * 1000)
    finally:
        d.stop()
    print("api GET /api/v1/dags with 1,000 DAGs (wrk -t2 -c16 -d10s, a fanout running): "
          "%.0f req/s, p99 %.2f ms (goals >= 10,000 req/s, p99 <= 10 ms)" % (median(rps), median(p99)))
    loaded = median(rates)
    print("fanout under that load: %.0f tasks/s vs %.0f quiet = %.0f%% drop (goal <= 20%%)"
          % (loaded, quiet, max(0.0, 100 * (1 - loaded / quiet))))


def main():
    tmp = tempfile.mkdtemp(prefix="dagd-bench-")
    try:
        bench_load(tmp)
        bench_engine(tmp)
        bench_api(tmp)
        failed = []
        for script, var in (("bench_load.py", "BENCH_SQL"), ("bench_seeds.py", "BENCH_SEEDS")):
            if os.environ.get(var, "1") != "0" and subprocess.run(
                    ["/usr/bin/python3", os.path.join(ROOT, "tests/bench", script)]).returncode != 0:
                failed.append(script)
        if failed:
            return "bench: %s failed" % ", ".join(failed)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
