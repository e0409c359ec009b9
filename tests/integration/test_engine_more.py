"""More of the engine: SIGTERM drain and adoption, pause, depends_on_past,
run_timeout, removed DAGs, manual runs with conf, and how soon a due run
is created."""
import os
import signal
import statistics
import time
from datetime import timedelta

from conftest import parse_time, utcnow


def test_sigterm_waits_for_running_tries(daemon):
    d = daemon()
    d.write_dag("drain", "tasks:\n  a: {shell: 'sleep 1; echo done'}\n  b: {depends: [a], shell: 'echo b'}\n")
    d.start()
    run_id = d.trigger("drain")["run_id"]
    deadline = time.time() + 5
    while d.tasks(d.run("drain", run_id))["a"]["state"] != "running" and time.time() < deadline:
        time.sleep(0.02)
    d.proc.send_signal(signal.SIGTERM)
    assert d.proc.wait(timeout=10) == 0
    d.start()
    run = d.wait_run("drain", run_id)
    t = d.tasks(run)
    assert run["state"] == "success"
    assert t["a"]["try_number"] == 1 and t["b"]["state"] == "success"


def test_sigterm_after_grace_leaves_tries_to_be_adopted(daemon, tmp_path):
    d = daemon()
    with open(d.config) as f:
        text = f.read().replace("shutdown_grace: 1s", "shutdown_grace: 200ms")
    with open(d.config, "w") as f:
        f.write(text)
    marks = tmp_path / "marks"
    d.write_dag("slow", "tasks:\n  a: {shell: 'echo start >> %s; sleep 2; echo end'}\n" % marks)
    d.start()
    run_id = d.trigger("slow")["run_id"]
    deadline = time.time() + 5
    while d.tasks(d.run("slow", run_id))["a"]["state"] != "running" and time.time() < deadline:
        time.sleep(0.02)
    t0 = time.time()
    d.proc.send_signal(signal.SIGTERM)
    assert d.proc.wait(timeout=10) == 0
    assert time.time() - t0 < 1.5          # did not wait for the 2 s task
    d.start()
    run = d.wait_run("slow", run_id)
    assert run["state"] == "success"
    assert d.tasks(run)["a"]["try_number"] == 1
    assert marks.read_text().split() == ["start"]
    assert "end" in d.log_of("slow", run_id, "a")


def test_paused_dag_creates_no_runs_until_unpaused(daemon):
    d = daemon()
    start = (utcnow() - timedelta(days=3)).strftime("%Y-%m-%d")
    d.write_dag("p", "schedule: '@daily'\nstart_date: %s\ncatchup: true\npaused: true\n"
                "tasks:\n  a: {shell: 'true'}\n" % start)
    d.start()
    time.sleep(0.5)
    assert d.runs("p")["total"] == 0
    st, dag, _ = d.get("/api/v1/dags/p")
    assert dag["paused"] is True
    st, dag, _ = d.request("PATCH", "/api/v1/dags/p", {"paused": False})
    assert st == 200 and dag["paused"] is False
    deadline = time.time() + 10
    while time.time() < deadline and d.runs("p")["total"] < 3:
        time.sleep(0.05)
    assert d.runs("p")["total"] == 3
    # the API owns the flag now: a restart keeps it unpaused
    d.stop()
    d.start()
    assert d.get("/api/v1/dags/p")[1]["paused"] is False


def test_depends_on_past_waits_for_the_previous_run(daemon):
    d = daemon()
    start = (utcnow() - timedelta(days=3)).strftime("%Y-%m-%d")
    second = (utcnow() - timedelta(days=2)).strftime("%Y-%m-%d")
    d.write_dag("past", """
schedule: '@daily'
start_date: %s
catchup: true
max_active_runs: 3
tasks:
  a:
    depends_on_past: true
    shell: '[ "{{ ds }}" != "%s" ]'
""" % (start, second))
    d.start()
    deadline = time.time() + 10
    while time.time() < deadline:
        runs = sorted(d.runs("past")["items"], key=lambda r: r["logical_date"])
        if len(runs) == 3 and runs[1]["state"] == "failed":
            break
        time.sleep(0.05)
    time.sleep(0.5)
    runs = sorted(d.runs("past")["items"], key=lambda r: r["logical_date"])
    assert [r["state"] for r in runs] == ["success", "failed", "running"]
    third = d.tasks(d.run("past", runs[2]["run_id"]))["a"]
    assert third["state"] == "none" and third["try_number"] == 0


def test_run_timeout_fails_the_run(daemon):
    d = daemon()
    d.write_dag("rt", "run_timeout: 1s\ntasks:\n  a: {shell: 'sleep 30'}\n  b: {depends: [a], shell: 'true'}\n"
                "  c: {shell: 'true'}\n")
    d.start()
    t0 = time.time()
    run = d.wait_run("rt", d.trigger("rt")["run_id"], timeout=15)
    t = d.tasks(run)
    assert run["state"] == "failed"
    assert time.time() - t0 < 8
    assert t["a"]["state"] == "failed"
    assert t["b"]["state"] == "upstream_failed"
    assert t["c"]["state"] == "success"


def test_removed_dag_stops_and_its_history_stays(daemon):
    d = daemon()
    path = d.write_dag("gone", "tasks:\n  a: {shell: 'true'}\n")
    d.start()
    run = d.wait_run("gone", d.trigger("gone")["run_id"])
    os.unlink(path)
    deadline = time.time() + 2
    while time.time() < deadline and d.get("/api/v1/dags/gone")[0] != 404:
        time.sleep(0.02)
    assert d.get("/api/v1/dags/gone")[0] == 404
    assert all(x["dag"] != "gone" for x in d.get("/api/v1/dags")[1]["items"])
    d.write_dag("gone", "tasks:\n  a: {shell: 'true'}\n")
    deadline = time.time() + 2
    while time.time() < deadline and d.get("/api/v1/dags/gone")[0] != 200:
        time.sleep(0.02)
    assert [r["run_id"] for r in d.runs("gone")["items"]] == [run["run_id"]]


def test_manual_run_with_conf_and_bad_params(daemon, tmp_path):
    d = daemon()
    d.write_dag("conf", """
params:
  n: {default: 1, type: int}
  who: {default: x, type: string, pattern: "[a-z0-9 ;/_.-]+"}
  fixed: keep
tasks:
  a: {shell: 'echo n={{ params.n }} who={{ params.who | sh }} fixed={{ params.fixed }} env=$DAGD_PARAMS_WHO'}
""")
    d.start()
    run = d.wait_run("conf", d.trigger("conf", conf={"n": 7, "who": "; touch %s/pwned" % tmp_path})["run_id"])
    assert run["state"] == "success"
    assert run["conf"] == {"n": 7, "who": "; touch %s/pwned" % tmp_path}
    log = d.log_of("conf", run["run_id"], "a")
    assert "n=7 who=; touch %s/pwned fixed=keep" % tmp_path in log
    assert not (tmp_path / "pwned").exists()
    for conf, word in (({"n": "x"}, "n"), ({"fixed": "y"}, "fixed"), ({"nope": 1}, "nope"),
                       ({"who": "UPPER"}, "who")):
        st, err, _ = d.post("/api/v1/dags/conf/runs", {"conf": conf})
        assert st == 400, (conf, st, err)
        assert "'%s'" % word in err["detail"] and err["error"]


def test_due_runs_are_created_promptly(daemon):
    d = daemon()
    d.write_dag("tick", "schedule: every 1s\nstart_date: 2026-01-01\ncatchup: false\n"
                "tasks:\n  a: {exec: ['true']}\n")
    d.start()
    time.sleep(4.5)
    runs = [r for r in d.runs("tick")["items"] if r["run_type"] == "scheduled"]
    assert len(runs) >= 3
    delays = [parse_time(r["start"]) - parse_time(r["data_interval_end"]) for r in runs[:-1]]
    assert all(x >= 0 for x in delays), delays
    assert statistics.median(delays) < 0.05, delays


def test_run_dir_is_shared_by_the_tasks_of_a_run(daemon):
    d = daemon()
    d.write_dag("rd", "env: {GREETING: hi}\ntasks:\n"
                "  w: {shell: 'echo $GREETING > \"$DAGD_RUN_DIR/x\"; test \"{{ run_dir }}\" = \"$DAGD_RUN_DIR\"'}\n"
                "  r: {depends: [w], shell: 'cat \"$DAGD_RUN_DIR/x\"; echo $DAGD_DS $DAGD_TASK_ID $DAGD_TRY_NUMBER'}\n")
    d.start()
    run = d.wait_run("rd", d.trigger("rd", logical_date="2026-01-10")["run_id"])
    assert run["state"] == "success"
    assert d.log_of("rd", run["run_id"], "r") == "hi\n2026-01-10 r 1\n"
