"""The API pieces the dashboard stands on: the grid read (GET
/api/v1/dags/{dag}/grid), conditional GETs (ETag / If-None-Match -> 304)
and the embedded web assets (GET /, GET /static/NAME)."""
import urllib.request

DAG = """dag: g
schedule: none
tasks:
  a: {shell: "true"}
  b: {depends: [a], shell: "exit 3", retries: 1, retry_delay: 0s}
  c: {depends: [a], shell: "true"}
"""


def raw(d, path, headers=None):
    req = urllib.request.Request(d.url + path, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def test_grid_cells_follow_the_dag_and_runs_newest_first(daemon):
    d = daemon()
    d.write_dag("g", DAG)
    d.start()
    r1 = d.trigger("g")
    d.wait_run("g", r1["run_id"])
    r2 = d.trigger("g")
    d.wait_run("g", r2["run_id"])
    st, grid, _ = d.get("/api/v1/dags/g/grid?limit=25")
    assert st == 200, grid
    assert grid["dag"] == "g"
    assert grid["tasks"] == ["a", "b", "c"]
    assert grid["total"] == 2
    assert [r["run_id"] for r in grid["runs"]] == [r2["run_id"], r1["run_id"]]
    run = grid["runs"][0]
    assert run["state"] == "failed"
    assert set(run) >= {"run_id", "run_type", "logical_date", "state", "start", "end", "cells"}
    a, b, c = run["cells"]
    assert a[0] == "success" and a[1] == 1
    assert b[0] == "failed" and b[1] == 2          # one retry: try 2 failed
    assert c[0] == "success"
    assert a[2].endswith("Z") and a[3].endswith("Z") and a[2] <= a[3]


def test_grid_limit_and_bad_limit(daemon):
    d = daemon()
    d.write_dag("g", DAG)
    d.start()
    for _ in range(3):
        d.wait_run("g", d.trigger("g")["run_id"])
    st, grid, _ = d.get("/api/v1/dags/g/grid?limit=2")
    assert st == 200 and len(grid["runs"]) == 2 and grid["total"] == 3
    st, err, _ = d.get("/api/v1/dags/g/grid?limit=0")
    assert st == 400 and err["error"] == "bad_request"
    st, err, _ = d.get("/api/v1/dags/nope/grid")
    assert st == 404 and err["error"] == "not_found"


def test_grid_of_a_dag_without_runs(daemon):
    d = daemon()
    d.write_dag("g", DAG)
    d.start()
    st, grid, _ = d.get("/api/v1/dags/g/grid")
    assert st == 200
    assert grid == {"dag": "g", "tasks": ["a", "b", "c"], "runs": [], "total": 0}


def test_json_answers_carry_an_etag_and_answer_304(daemon):
    d = daemon()
    d.write_dag("g", DAG)
    d.start()
    st, h, body = raw(d, "/api/v1/dags")
    tag = h["ETag"]
    assert st == 200 and tag.startswith('"') and len(tag) == 18
    st, h2, body2 = raw(d, "/api/v1/dags", {"If-None-Match": tag})
    assert st == 304 and body2 == b"" and h2["ETag"] == tag
    st, _, _ = raw(d, "/api/v1/dags", {"If-None-Match": 'W/"0000000000000000", ' + tag})
    assert st == 304
    st, _, body3 = raw(d, "/api/v1/dags", {"If-None-Match": '"0000000000000000"'})
    assert st == 200 and body3 == body
    # a change makes a new tag
    d.request("PATCH", "/api/v1/dags/g", {"paused": True})
    st, h4, _ = raw(d, "/api/v1/dags", {"If-None-Match": tag})
    assert st == 200 and h4["ETag"] != tag
    # errors are never 304
    st, h5, _ = raw(d, "/api/v1/dags/nope", {"If-None-Match": "*"})
    assert st == 404 and h5.get("ETag") is None


def test_dashboard_is_served_from_memory(daemon):
    d = daemon()
    d.start()
    st, h, body = raw(d, "/")
    assert st == 200 and h["Content-Type"].startswith("text/html")
    assert b"<!doctype html>" in body.lower()
    assert "default-src 'self'" in h["Content-Security-Policy"]
    assert h["Cache-Control"] == "no-cache"
    st, h2, _ = raw(d, "/", {"If-None-Match": h["ETag"]})
    assert st == 304
    st, h, body = raw(d, "/static/app.js")
    assert st == 200 and h["Content-Type"].startswith("text/javascript")
    st, h, body = raw(d, "/static/app.css")
    assert st == 200 and h["Content-Type"].startswith("text/css")
    st, h, body = raw(d, "/static/nope.js")
    assert st == 404 and b'"not_found"' in body
    for bad in ("/static/..%2fMakefile", "/static/%2e%2e", "/static/../Makefile"):
        st, _, body = raw(d, bad)
        assert st in (400, 404) and b"DAEMON_SRCS" not in body
