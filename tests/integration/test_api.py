"""The API the way curl uses it: auth, audit, metrics, marks, clear with
downstream, errors with the right status, and a barrage of malformed
requests that the daemon answers while it keeps serving."""
import json
import os
import socket
import time
import urllib.request

TOKEN = "s3cret-token-0123456789"


def auth():
    return {"Authorization": "Bearer " + TOKEN}


def test_token_guards_mutating_calls(daemon, tmp_path):
    tf = tmp_path / "token"
    tf.write_text(TOKEN + "\n")
    d = daemon("api_token_file: %s\n" % tf)
    d.write_dag("t", "tasks:\n  a: {shell: 'true'}\n")
    d.start()
    assert d.get("/api/v1/dags")[0] == 200                     # reads are open
    st, err, h = d.post("/api/v1/dags/t/runs", {})
    assert st == 401 and err["error"] == "unauthorized" and h["WWW-Authenticate"] == "Bearer"
    assert d.post("/api/v1/dags/t/runs", {}, {"Authorization": "Bearer nope"})[0] == 401
    assert d.request("PATCH", "/api/v1/dags/t", {"paused": True}, {"Authorization": "Bearer " + TOKEN[:-1]})[0] == 401
    st, run, _ = d.post("/api/v1/dags/t/runs", {}, auth())
    assert st == 201
    st, a, _ = d.get("/api/v1/audit")
    assert st == 200 and a["items"][0]["action"] == "trigger" and a["items"][0]["who"] == "token"
    assert TOKEN not in d.daemon_log(tail=10 ** 6)


def test_refuses_public_listen_without_token(daemon):
    d = daemon()
    with open(d.config) as f:
        text = f.read().replace("listen: 127.0.0.1:", "listen: 0.0.0.0:")
    with open(d.config, "w") as f:
        f.write(text)
    d.start(wait=False)
    assert d.proc.wait(timeout=10) == 1
    assert "without api_token_file" in d.daemon_log()


def test_rerun_failed_task_with_downstream(daemon, tmp_path):
    d = daemon()
    fix = tmp_path / "fixed"
    d.write_dag("rr", """
tasks:
  a: {shell: 'echo a'}
  b: {depends: [a], shell: 'test -e %s'}
  c: {depends: [b], shell: 'echo c'}
  d: {depends: [a], shell: 'echo d'}
""" % fix)
    d.start()
    run = d.wait_run("rr", d.trigger("rr")["run_id"])
    t = d.tasks(run)
    assert (run["state"], t["b"]["state"], t["c"]["state"]) == ("failed", "failed", "upstream_failed")
    fix.write_text("")
    st, out, _ = d.post("/api/v1/dags/rr/runs/%s/clear" % run["run_id"], {"tasks": ["b"], "downstream": True})
    assert st == 200, out
    run = d.wait_run("rr", run["run_id"])
    t = d.tasks(run)
    assert run["state"] == "success"
    assert (t["b"]["try_number"], t["c"]["try_number"]) == (2, 1)
    assert t["a"]["try_number"] == 1 and t["d"]["try_number"] == 1   # not cleared
    assert "c" in d.log_of("rr", run["run_id"], "c")
    # failed_only on a successful run clears nothing; unknown names are 404
    st, out, _ = d.post("/api/v1/dags/rr/runs/%s/clear" % run["run_id"], {"failed_only": True})
    assert st == 200 and out["state"] == "success"
    assert d.post("/api/v1/dags/rr/runs/%s/clear" % run["run_id"], {"tasks": ["zz"]})[0] == 404
    assert d.post("/api/v1/dags/rr/runs/nope/clear", {})[0] == 404


def test_mark_success_unblocks_downstream(daemon):
    d = daemon()
    d.write_dag("mk", "tasks:\n  a: {shell: 'exit 1'}\n  b: {depends: [a], shell: 'echo b'}\n")
    d.start()
    run = d.wait_run("mk", d.trigger("mk")["run_id"])
    assert d.tasks(run)["b"]["state"] == "upstream_failed"
    base = "/api/v1/dags/mk/runs/%s" % run["run_id"]
    st, out, _ = d.post(base + "/tasks/a/state", {"state": "success"})
    assert st == 200, out
    run = d.wait_run("mk", run["run_id"])
    assert run["state"] == "success" and d.tasks(run)["b"]["state"] == "success"
    assert d.post(base + "/tasks/a/state", {"state": "running"})[0] == 400
    assert d.post(base + "/tasks/zz/state", {"state": "failed"})[0] == 404


def test_metrics_text(daemon):
    d = daemon("pools: {p1: 3}\n")
    d.write_dag("m", "tasks:\n  a: {pool: p1, shell: 'true'}\n  b: {depends: [a], shell: 'true'}\n")
    d.start()
    d.wait_run("m", d.trigger("m")["run_id"])
    st, text, h = d.get("/metrics")
    assert st == 200 and h["Content-Type"].startswith("text/plain")
    lines = text.splitlines()
    assert 'dagd_runs{state="success"} 1' in lines
    assert 'dagd_tries_total{state="success"} 2' in lines
    assert 'dagd_pool_size{pool="p1"} 3' in lines
    assert any(l.startswith("dagd_hop_latency_seconds_count 1") for l in lines)
    assert any(l.startswith("dagd_task_start_latency_seconds_count 2") for l in lines)
    assert any(l.startswith("dagd_store_commit_seconds_count ") for l in lines)
    assert any(l.startswith('dagd_http_requests_total{route="POST /api/v1/dags/{dag}/runs",status="201"} 1') for l in lines)


def test_error_statuses(daemon):
    d = daemon()
    d.write_dag("e", "tasks:\n  a: {shell: 'true'}\n")
    d.start()
    st, err, _ = d.post("/api/v1/dags/e/runs", b'{"conf": ')
    assert st == 400 and err["error"] == "bad_json" and "line 1" in err["detail"]
    assert d.post("/api/v1/dags/e/runs", b'[1]')[0] == 400
    assert d.get("/api/v1/dags/nope")[0] == 404
    assert d.get("/api/v1/dags/e/runs/nope")[0] == 404
    st, err, h = d.request("DELETE", "/api/v1/dags/e")
    assert st == 405 and "GET" in h["Allow"] and "PATCH" in h["Allow"]
    assert d.get("/api/v1/dags/e/runs?limit=x")[0] == 400
    assert d.get("/api/v1/dags/e/runs?state=nope")[0] == 400
    assert d.get("/api/v1/dags/%2e%2e/runs")[0] == 400
    assert d.get("/no/such/route")[0] == 404
    reply = raw(d.port, b"POST /api/v1/dags/e/runs HTTP/1.1\r\nHost: x\r\n"
                b"Content-Length: 2097152\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 413") and b'"error"' in reply


def test_unknown_body_keys_are_refused(daemon):
    """A typo in a body key is a 400 naming it: "dryrun" must not create real
    runs, "task" must not clear the whole run, "conff" must not drop the conf."""
    d = daemon()
    d.write_dag("k", "start_date: 2026-01-01\nschedule: '@daily'\ncatchup: false\ntasks:\n  a: {shell: 'true'}\n  b: {shell: 'true'}\n")
    d.start()
    st, err, _ = d.post("/api/v1/dags/k/backfill", {"from": "2026-01-01", "to": "2026-01-02", "dryrun": True})
    assert st == 400 and err["error"] == "bad_request", err
    assert "unknown key 'dryrun' in the body (did you mean 'dry_run'?)" in err["detail"], err
    assert [r for r in d.get("/api/v1/dags/k/runs")[1]["items"] if r["run_type"] == "backfill"] == []
    st, err, _ = d.post("/api/v1/dags/k/runs", {"conff": {"x": 1}})
    assert st == 400 and "'conff'" in err["detail"] and "'conf'" in err["detail"], err
    st, err, _ = d.request("PATCH", "/api/v1/dags/k", {"pause": True})
    assert st == 400 and "'pause'" in err["detail"], err
    run = d.wait_run("k", d.trigger("k")["run_id"])
    base = "/api/v1/dags/k/runs/" + run["run_id"]
    st, err, _ = d.post(base + "/clear", {"task": ["a"]})
    assert st == 400 and "did you mean 'tasks'?" in err["detail"], err
    st, err, _ = d.post(base + "/tasks/a/state", {"state": "failed", "note": "x"})
    assert st == 400 and "'note'" in err["detail"], err
    # nothing was cleared or marked: both tasks keep their one successful try
    tis = {t["task"]: t for t in d.get(base)[1]["tasks"]}
    assert [tis[x]["state"] for x in "ab"] == ["success", "success"], tis
    assert [tis[x]["try_number"] for x in "ab"] == [1, 1], tis
    # the right keys still work
    assert d.post(base + "/clear", {"tasks": ["a"]})[0] == 200


def raw(port, data, timeout=5):
    """Send data, return the first reply (status, headers and its body);
    b"" when the server closes or stays silent (a truncated request)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not chunk:
                break
            out += chunk
            head, sep, body = out.partition(b"\r\n\r\n")
            if sep:
                length = [l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
                if length and len(body) >= int(length[0].split(b":")[1]):
                    break
        return out
    finally:
        s.close()


def test_two_hundred_malformed_requests(daemon):
    d = daemon()
    d.write_dag("e", "tasks:\n  a: {shell: 'true'}\n")
    d.start()
    bad = [
        b"GET /api/v1/dags HTTP/1.1\r\nHost: x\r\n\r\n",                    # control: fine
        b"POST /api/v1/dags/e/runs HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{\"conf\"",
        b"POST /api/v1/dags/e/runs HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n\xff\xfe\x00\x01\x02",
        b"GET /api/v1/dags/..%2F..%2Fetc HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /api/v1/dags/e/runs/%2F/tasks/a/tries/1/log HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /api/v1/dags/\xc3\x28 HTTP/1.1\r\nHost: x\r\n\r\n",
        b"BREW /api/v1/dags HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /api/v1/dags HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n",
        b"garbage\r\n\r\n",
        b"POST /api/v1/dags/e/runs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"GET /api/v1/dags?limit=%ZZ HTTP/1.1\r\nHost: x\r\n\r\n",
        b"PATCH /api/v1/dags/e HTTP/1.1\r\nHost: x\r\nContent-Length: 13\r\n\r\n{\"paused\": 7}",
        b"POST /api/v1/dags/e/backfill HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}",
        b"GET /api/v1/dags/e/runs/x/tasks/a/tries/99999999999999999999/log HTTP/1.1\r\nHost: x\r\n\r\n",
    ]
    truncated = (1, 8, 9)   # a body that never comes, garbage, a broken chunk
    for i in range(200):
        k = i % len(bad)
        reply = raw(d.port, bad[k], timeout=0.5 if k in truncated else 5)
        if k == 0:
            assert reply.startswith(b"HTTP/1.1 200")
        elif k not in truncated:
            assert reply.startswith(b"HTTP/1.1 4"), (k, reply[:80])
            if k not in (7,):   # MHD answers huge headers itself (HTML 431)
                assert b'"error"' in reply, (k, reply[:300])
    # slow clients: half a request line, left open, do not block others
    slow = [socket.create_connection(("127.0.0.1", d.port)) for _ in range(20)]
    for s in slow:
        s.sendall(b"GET /api/v1/da")
    t0 = time.time()
    assert d.get("/api/v1/dags")[0] == 200
    assert time.time() - t0 < 1.0
    for s in slow:
        s.close()
    run = d.wait_run("e", d.trigger("e")["run_id"])                     # still scheduling
    assert run["state"] == "success"
    assert d.proc.poll() is None


def test_small_endpoints(daemon):
    d = daemon()
    d.write_dag("s", "description: small\nschedule: '0 3 * * *'\ntimezone: Europe/Berlin\n"
                "start_date: 2026-01-01\ntags: [x]\ntasks:\n  a: {shell: 'true'}\n  b: {depends: [a], exec: ['true']}\n")
    d.write_dag("broken", "tasks:\n  a: {shell: [1]}\n")
    d.start()
    assert d.get("/healthz")[1] == {"status": "ok"}
    st, r, _ = d.get("/readyz")
    assert st == 200 and r["status"] == "ready" and r["dags"] == 1
    st, dags, _ = d.get("/api/v1/dags")
    s = dags["items"][0]
    assert (s["dag"], s["description"], s["schedule"], s["timezone"], s["tags"]) == \
        ("s", "small", "0 3 * * *", "Europe/Berlin", ["x"])
    assert s["next_run"].endswith("Z") and isinstance(s["last_runs"], list)
    assert dags["import_errors"][0]["file"].endswith("broken.yaml")
    st, dag, _ = d.get("/api/v1/dags/s")
    assert [t["task"] for t in dag["tasks"]] == ["a", "b"]
    assert dag["tasks"][1] == {**dag["tasks"][1], "kind": "exec", "depends": ["a"]}
    assert dag["edges"] == [["a", "b"]]
    st, errs, _ = d.get("/api/v1/import-errors")
    e = errs["items"][0]
    assert errs["total"] == 1 and e["line"] == 2 and e["column"] >= 1 and "must be a string" in e["message"]
    st, nxt, _ = d.get("/api/v1/dags/s/next?n=3")
    assert st == 200 and len(nxt["items"]) == 3
    a, b = nxt["items"][0], nxt["items"][1]
    assert a["data_interval_end"] == b["data_interval_start"]
    assert a["data_interval_start"][11:] in ("02:00:00Z", "01:00:00Z")     # 03:00 Berlin
    assert d.get("/api/v1/dags/s/next?n=0")[0] == 400
    st, src, _ = d.get("/api/v1/dags/s/source")
    assert src["dag"] == "s" and src["source"].startswith("description: small") and src["file"].endswith("s.yaml")
    st, doc, _ = d.get("/api/v1/openapi.json")
    assert st == 200 and doc["openapi"] == "3.0.3" and "/api/v1/dags/{dag}/backfill" in doc["paths"]
    st, tries, _ = d.get("/api/v1/dags/s/runs/nope/tasks/a/tries")
    assert st == 404
