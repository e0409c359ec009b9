"""Data tasks and sensors through the daemon: sql with outputs and
skip_if, load, to_file, connections in the environment, external_task and
time sensors, reschedule mode holding no slot, soft_fail
(issue: data jobs)."""
import os
import time
from datetime import timedelta

from conftest import parse_time, utcnow


def conn_config(db):
    return "connections:\n  wh: {url: \"%s\"}\n" % db.url


def test_sql_load_outputs_skip_and_to_file(daemon, pg_db, tmp_path):
    d = daemon(conn_config(pg_db))
    data = tmp_path / "in.csv"
    data.write_text("id;name\n1;a\n2;\"b;c\"\n3;\n")
    d.write_dag("etl", """
root: %s
defaults: {conn: wh}
tasks:
  setup:
    sql: |
      create table if not exists t (id int, name text, ds date);
  load:
    depends: [setup]
    load: {file: "in.csv", format: csv, delimiter: ";", header: true, table: t,
           delete_where: "ds = {{ ds | sql }}", set: {ds: "{{ ds }}"}}
  count:
    depends: [load]
    sql: "select 1"
    outputs: "select count(*) as n, max(name) as top from t where ds = {{ ds | sql }}"
  report:
    depends: [count]
    sql: "select id, name from t where ds = {{ ds | sql }} order by id"
    to_file: {path: "out/date={{ ds }}/report.csv", header: true}
  echo:
    depends: [count]
    shell: 'echo n={{ outputs.count.n | sh }} top={{ outputs.count.top | sh }} host=$DAGD_CONN_WH_HOST'
    conns: [wh]
  maybe:
    depends: [count]
    sql: "select 1"
    skip_if: "select {{ outputs.count.n | sql }} > 2"
  after_maybe:
    depends: [maybe]
    shell: "true"
""" % tmp_path)
    d.start()
    run = d.wait_run("etl", d.trigger("etl", logical_date="2026-01-10")["run_id"], timeout=30)
    t = d.tasks(run)
    assert run["state"] == "success", (t, d.daemon_log())
    assert t["load"]["outputs"] == {"rows": 3}
    assert t["count"]["outputs"] == {"n": 3, "top": "b;c"}
    assert t["maybe"]["state"] == "skipped" and t["after_maybe"]["state"] == "skipped"
    log = d.log_of("etl", run["run_id"], "echo")
    assert "n=3 top=b;c host=" in log
    assert (tmp_path / "out" / "date=2026-01-10" / "report.csv").read_text() == \
        "id,name\n1,a\n2,b;c\n3,\n"
    # a rerun of the same day is idempotent: delete_where + set
    d.post("/api/v1/dags/etl/runs/%s/clear" % run["run_id"], {"tasks": ["load"], "downstream": True})
    run = d.wait_run("etl", run["run_id"], timeout=30)
    assert pg_db.value("select count(*) from t") == "3"
    # no password of a connection in the logs or the API
    assert not any(f.endswith(".spec.json") for _, _, fs in os.walk(os.path.join(d.dir, "logs")) for f in fs)


def test_sql_error_fails_with_its_line(daemon, pg_db, tmp_path):
    d = daemon(conn_config(pg_db))
    (tmp_path / "q.sql").write_text("select 1;\nselect 2;\nselec 3;\n")
    d.write_dag("bad", "root: %s\ntasks:\n  q: {conn: wh, sql: q.sql}\n" % tmp_path)
    d.start()
    run = d.wait_run("bad", d.trigger("bad")["run_id"], timeout=30)
    assert run["state"] == "failed"
    log = d.log_of("bad", run["run_id"], "q")
    assert "42601" in log and "q.sql:3" in log


def two_dags(d, tmp_path, match, extra=""):
    start = (utcnow() - timedelta(days=3)).strftime("%Y-%m-%d")
    d.write_dag("up", """
schedule: '@daily'
start_date: %s
catchup: true
tasks:
  produce: {shell: 'sleep 0.3; echo up {{ ds }}'}
""" % start)
    d.write_dag("down", """
schedule: '@daily'
start_date: %s
catchup: true
tasks:
  wait: {sensor: external_task, dag: up, task: produce, match: %s, poke_interval: 30s, timeout: 1m%s}
  use: {depends: [wait], shell: 'echo down {{ ds }}'}
""" % (start, match, extra))


def wait_all(d, dag, n, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        runs = d.runs(dag)["items"]
        if len(runs) >= n and all(r["state"] in ("success", "failed") for r in runs):
            return sorted(runs, key=lambda r: r["logical_date"])
        time.sleep(0.05)
    raise AssertionError("%s: %s\n%s" % (dag, d.runs(dag), d.daemon_log()))


def test_external_task_sensor_exact_with_catchup(daemon, tmp_path):
    d = daemon()
    two_dags(d, tmp_path, "exact")
    d.start()
    ups = wait_all(d, "up", 3)
    downs = wait_all(d, "down", 3)
    assert [r["state"] for r in downs] == ["success"] * 3
    for u, w in zip(ups, downs):
        tu = d.tasks(d.run("up", u["run_id"]))["produce"]
        tw = d.tasks(d.run("down", w["run_id"]))
        # the sensor saw its own day's upstream, and woke at once (not at its 30 s poke)
        assert parse_time(tw["use"]["start"]) >= parse_time(tu["end"])
        assert parse_time(tw["wait"]["end"]) - parse_time(tu["end"]) < 0.5


def test_external_task_sensor_wakes_within_100ms(daemon, tmp_path):
    d = daemon()
    d.write_dag("up", "tasks:\n  produce: {shell: 'sleep 0.5'}\n")
    d.write_dag("down", "tasks:\n  wait: {sensor: external_task, dag: up, match: latest, "
                "poke_interval: 1h, timeout: 1m}\n")
    d.start()
    up = d.trigger("up")                 # its interval ends before the sensor's
    w = d.trigger("down")
    time.sleep(0.2)
    assert d.tasks(d.run("down", w["run_id"]))["wait"]["state"] == "up_for_reschedule"
    u = d.wait_run("up", up["run_id"])
    wr = d.wait_run("down", w["run_id"])
    assert wr["state"] == "success"
    delay = parse_time(d.tasks(wr)["wait"]["end"]) - parse_time(u["end"])
    assert delay < 0.1, delay


def test_external_task_within_and_failed_states(daemon):
    d = daemon()
    d.write_dag("hourly", "schedule: '@hourly'\ntasks:\n  h: {shell: 'exit {{ 0 if false else 0 }}'}\n".replace("{{ 0 if false else 0 }}", "0"))
    d.write_dag("daily", "schedule: '@daily'\ntasks:\n  wait: {sensor: external_task, dag: hourly, task: h, "
                "match: within, poke_interval: 1h, timeout: 1m}\n")
    d.write_dag("bad", "tasks:\n  x: {shell: 'exit 1'}\n")
    d.write_dag("waitbad", "tasks:\n  wait: {sensor: external_task, dag: bad, task: x, match: latest, "
                "poke_interval: 1h}\n")
    d.start()
    # every hour of 2026-01-10 must have succeeded: run all 24 but the last first
    st, out, _ = d.post("/api/v1/dags/hourly/backfill", {"from": "2026-01-10T00:00:00Z", "to": "2026-01-10T22:00:00Z"})
    assert st == 201 and out["total"] == 23
    daily = d.trigger("daily", logical_date="2026-01-10")
    wait_all(d, "hourly", 23)
    time.sleep(0.3)
    assert d.tasks(d.run("daily", daily["run_id"]))["wait"]["state"] == "up_for_reschedule"
    d.post("/api/v1/dags/hourly/backfill", {"from": "2026-01-10T23:00:00Z", "to": "2026-01-10T23:00:00Z"})
    assert d.wait_run("daily", daily["run_id"])["state"] == "success"
    b = d.wait_run("bad", d.trigger("bad")["run_id"])
    wb = d.wait_run("waitbad", d.trigger("waitbad")["run_id"])
    assert d.tasks(wb)["wait"]["state"] == "failed"                  # failed_states: at once


def test_time_sensor_and_soft_fail(daemon):
    d = daemon()
    d.write_dag("tm", "tasks:\n  at: {sensor: time, after: 1s}\n  next: {depends: [at], shell: 'true'}\n")
    d.write_dag("soft", "tasks:\n  w: {sensor: external_task, dag: nope, poke_interval: 200ms, timeout: 1s, soft_fail: true}\n"
                "  after: {depends: [w], shell: 'true'}\n")
    d.start()
    # schedule none: the interval is [now, now]; "after: 1s" waits a second past it
    t0 = time.time()
    run = d.wait_run("tm", d.trigger("tm")["run_id"])
    assert run["state"] == "success"
    t = d.tasks(run)
    assert parse_time(t["at"]["end"]) - parse_time(run["data_interval_end"]) >= 0.99
    assert time.time() - t0 < 5
    run = d.wait_run("soft", d.trigger("soft")["run_id"])
    t = d.tasks(run)
    assert t["w"]["state"] == "skipped" and t["after"]["state"] == "skipped"
    assert run["state"] == "success"


def test_reschedule_file_sensor_holds_no_slot(daemon, tmp_path):
    d = daemon("pools: {one: 1}\n")
    flag = tmp_path / "flag"
    d.write_dag("fs", """
tasks:
  wait: {sensor: file, path: %s, mode: reschedule, poke_interval: 300ms, timeout: 1m, pool: one}
  other: {pool: one, shell: 'sleep 0.5; echo other'}
  after: {depends: [wait], shell: 'echo done'}
""" % flag)
    d.start()
    run_id = d.trigger("fs")["run_id"]
    deadline = time.time() + 15
    while time.time() < deadline:
        t = d.tasks(d.run("fs", run_id))
        if t["other"]["state"] == "success":
            break
        time.sleep(0.05)
    assert t["other"]["state"] == "success"             # ran while the sensor waited
    assert t["wait"]["state"] in ("up_for_reschedule", "running")
    flag.write_text("x")
    run = d.wait_run("fs", run_id, timeout=15)
    t = d.tasks(run)
    assert run["state"] == "success" and t["wait"]["try_number"] == 1


def test_poke_file_sensor_satisfied_later(daemon, tmp_path):
    d = daemon()
    flag = tmp_path / "later.csv"
    d.write_dag("pk", "tasks:\n  wait: {sensor: file, path: %s, poke_interval: 200ms, timeout: 1m}\n" % flag)
    d.start()
    run_id = d.trigger("pk")["run_id"]
    time.sleep(0.8)
    assert d.tasks(d.run("pk", run_id))["wait"]["state"] == "running"
    flag.write_text("a,b\n")
    assert d.wait_run("pk", run_id)["state"] == "success"
