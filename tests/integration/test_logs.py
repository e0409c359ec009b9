"""The try log endpoint: offset paging and follow=1 streaming until the
try ends; logs are found from the store, not from the request's path."""
import time
import urllib.request

from conftest import parse_time


def test_log_offset_paging(daemon):
    d = daemon()
    d.write_dag("lg", "tasks:\n  a: {shell: 'for i in 1 2 3; do echo line$i; done'}\n")
    d.start()
    run = d.wait_run("lg", d.trigger("lg")["run_id"])
    base = "/api/v1/dags/lg/runs/%s/tasks/a/tries/1/log" % urllib.request.quote(run["run_id"], safe="")
    st, body, h = d.get(base)
    assert st == 200 and body == "line1\nline2\nline3\n"
    assert h["X-Log-Next-Offset"] == str(len(body))
    st, body, h = d.get(base + "?offset=6")
    assert st == 200 and body == "line2\nline3\n"
    assert d.get(base.replace("tries/1", "tries/2"))[0] == 404
    assert d.get(base.replace("/a/", "/nope/"))[0] == 404
    assert d.get(base + "?offset=-1")[0] == 400
    assert d.get(base.replace("tries/1", "tries/x"))[0] == 400


def test_log_follow_streams_until_the_try_ends(daemon):
    d = daemon()
    d.write_dag("fl", "tasks:\n  a: {shell: 'for i in 1 2 3 4; do echo tick$i; sleep 0.3; done'}\n")
    d.start()
    run_id = d.trigger("fl")["run_id"]
    deadline = time.time() + 5
    while d.tasks(d.run("fl", run_id))["a"]["state"] != "running" and time.time() < deadline:
        time.sleep(0.02)
    url = d.url + "/api/v1/dags/fl/runs/%s/tasks/a/tries/1/log?follow=1" % urllib.request.quote(run_id, safe="")
    t0 = time.time()
    got, stamps = b"", []
    with urllib.request.urlopen(url, timeout=10) as r:
        assert r.headers["Transfer-Encoding"] == "chunked"
        while True:
            chunk = r.read1(4096)
            if not chunk:
                break
            got += chunk
            stamps.append(time.time() - t0)
    assert got.decode() == "tick1\ntick2\ntick3\ntick4\n"
    assert len(stamps) >= 2 and stamps[-1] - stamps[0] >= 0.5   # it arrived as it was written
    ended = time.time() - t0
    t = d.tasks(d.run("fl", run_id))["a"]
    assert t["state"] == "success"
    assert ended < 3.0                                            # ended with the try
