"""Backfill over HTTP: a dry run lists the runs, a real one creates them
(idempotent, within max_active_runs), existing runs are left alone, and a
conf reaches every run created."""
import subprocess
import time

from conftest import DAGD, parse_time


def test_backfill_dry_run_then_real(daemon):
    d = daemon()
    d.write_dag("bf", "schedule: '@daily'\nstart_date: 2026-01-01\nmax_active_runs: 2\npaused: true\n"
                "tasks:\n  a: {shell: 'echo {{ ds }}; sleep 0.2'}\n")
    d.start()
    manual = d.trigger("bf", logical_date="2026-01-03")
    d.wait_run("bf", manual["run_id"])
    body = {"from": "2026-01-02", "to": "2026-01-06", "dry_run": True}
    st, out, _ = d.post("/api/v1/dags/bf/backfill", body)
    assert st == 200, out
    want = ["2026-01-02", "2026-01-04", "2026-01-05", "2026-01-06"]   # 03 has a run
    assert [r["logical_date"][:10] for r in out["items"]] == want
    assert out["total"] == 4 and out["dry_run"] is True
    assert d.runs("bf")["total"] == 1                                # nothing created
    body["dry_run"] = False
    st, out, _ = d.post("/api/v1/dags/bf/backfill", body)
    assert st == 201 and out["total"] == 4
    deadline = time.time() + 20
    while time.time() < deadline:
        runs = [r for r in d.runs("bf")["items"] if r["run_type"] == "backfill"]
        if len(runs) == 4 and all(r["state"] == "success" for r in runs):
            break
        time.sleep(0.05)
    assert sorted(r["logical_date"][:10] for r in runs) == want
    assert all(r["run_id"].startswith("backfill__") for r in runs)
    spans = [(parse_time(r["start"]), parse_time(r["end"])) for r in runs]
    for s, _ in spans:
        assert sum(1 for a, b in spans if a <= s < b) <= 2           # max_active_runs
    for r in runs:
        assert "%s" % r["logical_date"][:10] in d.log_of("bf", r["run_id"], "a")
    st, out, _ = d.post("/api/v1/dags/bf/backfill", body)              # again: nothing new
    assert st == 201 and out["total"] == 0


def test_backfill_errors(daemon):
    d = daemon()
    d.write_dag("bf", "schedule: '@hourly'\ntasks:\n  a: {shell: 'true'}\n")
    d.write_dag("none", "tasks:\n  a: {shell: 'true'}\n")
    d.start()
    assert d.post("/api/v1/dags/bf/backfill", {"from": "x", "to": "2026-01-02"})[0] == 400
    assert d.post("/api/v1/dags/bf/backfill", {"from": "2026-01-05", "to": "2026-01-02"})[0] == 400
    assert d.post("/api/v1/dags/bf/backfill", {"to": "2026-01-02"})[0] == 400
    assert d.post("/api/v1/dags/none/backfill", {"from": "2026-01-01", "to": "2026-01-02"})[0] == 400
    assert d.post("/api/v1/dags/nope/backfill", {"from": "2026-01-01", "to": "2026-01-02"})[0] == 404
    st, out, _ = d.post("/api/v1/dags/bf/backfill", {"from": "2000-01-01", "to": "2099-01-01"})
    assert st == 400 and "smaller" in out["detail"]


def test_backfill_with_conf(daemon):
    """Like Airflow's `backfill --conf`: every run created takes the conf,
    checked against the typed params first (nothing created when it is
    wrong); the CLI passes --conf through."""
    d = daemon()
    d.write_dag("bf", "schedule: '@daily'\nstart_date: 2026-01-01\npaused: true\n"
                "params:\n  size: {default: 1, type: int}\n  who: {default: nobody, type: string}\n"
                "tasks:\n  a: {shell: 'echo size={{ params.size }} who={{ params.who }}'}\n")
    d.start()
    for bad in ({"size": "many"}, {"nosuch": 1}, {"size": [1]}):
        st, out, _ = d.post("/api/v1/dags/bf/backfill", {"from": "2026-01-01", "to": "2026-01-02", "conf": bad})
        assert st == 400 and out["error"] == "bad_request", (bad, out)
    assert d.post("/api/v1/dags/bf/backfill", {"from": "2026-01-01", "to": "2026-01-02", "conf": 5})[0] == 400
    assert d.runs("bf")["total"] == 0
    st, out, _ = d.post("/api/v1/dags/bf/backfill",
                        {"from": "2026-01-01", "to": "2026-01-02", "conf": {"size": 7}})
    assert st == 201 and out["total"] == 2
    r = subprocess.run([DAGD, "backfill", "bf", "2026-01-03", "2026-01-03", "--conf", '{"who": "cli"}',
                        "--url", d.url], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([DAGD, "backfill", "bf", "2026-01-04", "2026-01-04", "--conf", "[1]", "--url", d.url],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "--conf must be a JSON object" in r.stderr
    deadline = time.time() + 20
    while time.time() < deadline:
        runs = d.runs("bf")["items"]
        if len(runs) == 3 and all(x["state"] == "success" for x in runs):
            break
        time.sleep(0.05)
    by_day = {x["logical_date"][:10]: x for x in runs}
    assert sorted(by_day) == ["2026-01-01", "2026-01-02", "2026-01-03"]
    assert by_day["2026-01-01"]["conf"] == {"size": 7}
    assert "size=7 who=nobody" in d.log_of("bf", by_day["2026-01-02"]["run_id"], "a")
    assert "size=1 who=cli" in d.log_of("bf", by_day["2026-01-03"]["run_id"], "a")
