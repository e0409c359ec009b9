"""The engine through the real daemon: dependencies, trigger rules,
retries, timeouts, catchup, crash recovery, pools and reloads
(issue: the engine, acceptance 1-8)."""
import os
import signal
import time
from datetime import timedelta

from conftest import parse_time, utcnow


def test_fan_out_fan_in_runs_in_dependency_order(daemon):
    d = daemon()
    d.write_dag("layers", """
tasks:
  a: {shell: "echo hello from a"}
  b1: {depends: [a], shell: "echo b1 ran"}
  b2: {depends: [a], shell: "echo b2 ran"}
  b3: {depends: [a], exec: [echo, "b3 ran {{ ds }}"]}
  c: {depends: [b1, b2, b3], shell: "echo c ran"}
""")
    d.start()
    run = d.wait_run("layers", d.trigger("layers")["run_id"])
    assert run["state"] == "success"
    t = d.tasks(run)
    assert all(x["state"] == "success" and x["try_number"] == 1 for x in t.values())
    for b in ("b1", "b2", "b3"):
        assert parse_time(t[b]["start"]) >= parse_time(t["a"]["end"])
        assert parse_time(t["c"]["start"]) >= parse_time(t[b]["end"])
    assert "hello from a" in d.log_of("layers", run["run_id"], "a")
    assert "b3 ran 20" in d.log_of("layers", run["run_id"], "b3")
    assert "c ran" in d.log_of("layers", run["run_id"], "c")


RULES_DAG = """
tasks:
  ok: {shell: "true"}
  bad: {shell: "exit 1"}
  skip: {shell: "exit 99"}
  all_success: {depends: [ok, bad], trigger_rule: all_success, shell: "true"}
  all_failed: {depends: [bad], trigger_rule: all_failed, shell: "true"}
  all_failed_mixed: {depends: [ok, bad], trigger_rule: all_failed, shell: "true"}
  all_done: {depends: [ok, bad, skip], trigger_rule: all_done, shell: "true"}
  one_success: {depends: [ok, bad], trigger_rule: one_success, shell: "true"}
  one_success_none: {depends: [bad, skip], trigger_rule: one_success, shell: "true"}
  one_failed: {depends: [ok, bad], trigger_rule: one_failed, shell: "true"}
  one_failed_none: {depends: [ok, skip], trigger_rule: one_failed, shell: "true"}
  none_failed: {depends: [ok, skip], trigger_rule: none_failed, shell: "true"}
  none_failed_bad: {depends: [ok, bad], trigger_rule: none_failed, shell: "true"}
  none_skipped: {depends: [ok, bad], trigger_rule: none_skipped, shell: "true"}
  none_skipped_skip: {depends: [ok, skip], trigger_rule: none_skipped, shell: "true"}
  always: {depends: [bad], trigger_rule: always, shell: "true"}
  after_skip: {depends: [skip], shell: "true"}
  after_after_skip: {depends: [after_skip], shell: "true"}
  after_bad: {depends: [bad], shell: "true"}
  after_after_bad: {depends: [after_bad], shell: "true"}
"""


def test_trigger_rules_and_skip_propagation(daemon):
    d = daemon()
    d.write_dag("rules", RULES_DAG)
    d.start()
    run = d.wait_run("rules", d.trigger("rules")["run_id"])
    got = {k: v["state"] for k, v in d.tasks(run).items()}
    want = {
        "ok": "success", "bad": "failed", "skip": "skipped",
        "all_success": "upstream_failed",
        "all_failed": "success", "all_failed_mixed": "skipped",
        "all_done": "success",
        "one_success": "success", "one_success_none": "skipped",
        "one_failed": "success", "one_failed_none": "skipped",
        "none_failed": "success", "none_failed_bad": "upstream_failed",
        "none_skipped": "success", "none_skipped_skip": "skipped",
        "always": "success",
        "after_skip": "skipped", "after_after_skip": "skipped",
        "after_bad": "upstream_failed", "after_after_bad": "upstream_failed",
    }
    assert got == want
    assert run["state"] == "failed"


def test_all_skipped_run_is_a_success(daemon):
    d = daemon()
    d.write_dag("skips", "tasks:\n  a: {shell: 'exit 99'}\n  b: {depends: [a], shell: 'true'}\n")
    d.start()
    run = d.wait_run("skips", d.trigger("skips")["run_id"])
    assert {t["state"] for t in run["tasks"]} == {"skipped"}
    assert run["state"] == "success"


def test_retries_with_backoff(daemon, tmp_path):
    d = daemon()
    counter = tmp_path / "count"
    d.write_dag("flaky", """
tasks:
  flaky:
    retries: 2
    retry_delay: 1s
    retry_backoff: exponential
    shell: |
      n=$(cat %s 2>/dev/null || echo 0); n=$((n+1)); echo $n > %s
      echo "try $n"
      [ $n -ge 3 ]
""" % (counter, counter))
    d.start()
    run = d.wait_run("flaky", d.trigger("flaky")["run_id"], timeout=30)
    t = d.tasks(run)["flaky"]
    assert run["state"] == "success"
    assert t["state"] == "success" and t["try_number"] == 3
    st, tries, _ = d.get("/api/v1/dags/flaky/runs/%s/tasks/flaky/tries" % run["run_id"])
    assert st == 200, tries
    starts = [parse_time(x["start"]) for x in tries["items"]]
    ends = [parse_time(x["end"]) for x in tries["items"]]
    assert [x["state"] for x in tries["items"]] == ["failed", "failed", "success"]
    assert starts[1] - ends[0] >= 0.95      # retry_delay 1s
    assert starts[2] - ends[1] >= 1.95      # then doubled
    for n in (1, 2, 3):
        assert "try %d" % n in d.log_of("flaky", run["run_id"], "flaky", n)


def test_timeout_kills_the_process_group_and_retries(daemon, tmp_path):
    d = daemon()
    pids = tmp_path / "pids"
    d.write_dag("slow", """
tasks:
  slow:
    timeout: 1s
    retries: 1
    retry_delay: 100ms
    shell: |
      sleep 300 &
      echo $! >> %s
      sleep 300
""" % pids)
    d.start()
    t0 = time.time()
    run = d.wait_run("slow", d.trigger("slow")["run_id"], timeout=30)
    assert run["state"] == "failed"
    t = d.tasks(run)["slow"]
    assert t["state"] == "failed" and t["try_number"] == 2
    assert time.time() - t0 < 15
    grandchildren = [int(x) for x in pids.read_text().split()]
    assert len(grandchildren) == 2
    time.sleep(0.2)
    for pid in grandchildren:
        assert not os.path.exists("/proc/%d" % pid) or \
            open("/proc/%d/stat" % pid).read().split()[2] == "Z", "grandchild %d survived" % pid
    assert "timed out" in d.log_of("slow", run["run_id"], "slow", 1)


def daily_dag(days_back, catchup, max_active=16, extra=""):
    start = (utcnow() - timedelta(days=days_back)).strftime("%Y-%m-%d")
    return """
schedule: "@daily"
start_date: %s
catchup: %s
max_active_runs: %d
tasks:
  show: {shell: "echo ds={{ ds }}; sleep 0.1"%s}
""" % (start, "true" if catchup else "false", max_active, extra)


def test_catchup_creates_every_missed_interval_in_order(daemon):
    d = daemon()
    d.write_dag("daily", daily_dag(10, True, max_active=2))
    d.start()
    deadline = time.time() + 30
    while time.time() < deadline:
        runs = d.runs("daily")["items"]
        if len(runs) == 10 and all(r["state"] == "success" for r in runs):
            break
        time.sleep(0.1)
    runs = d.runs("daily")["items"]
    assert len(runs) == 10, runs
    assert all(r["state"] == "success" and r["run_type"] == "scheduled" for r in runs)
    runs.sort(key=lambda r: r["logical_date"])
    today = utcnow().date()
    want = [(today - timedelta(days=10 - i)).isoformat() for i in range(10)]
    assert [r["logical_date"][:10] for r in runs] == want
    for r, ds in zip(runs, want):
        assert "ds=%s" % ds in d.log_of("daily", r["run_id"], "show")
    # max_active_runs: 2 -> never three runs overlapping
    spans = [(parse_time(r["start"]), parse_time(r["end"])) for r in runs]
    for s, _ in spans:
        assert sum(1 for a, b in spans if a <= s < b) <= 2
    assert len(d.runs("daily")["items"]) == 10  # nothing more was created


def test_no_catchup_creates_only_the_latest(daemon):
    d = daemon()
    d.write_dag("daily", daily_dag(10, False))
    d.start()
    deadline = time.time() + 10
    while time.time() < deadline and not d.runs("daily")["items"]:
        time.sleep(0.05)
    time.sleep(0.5)
    runs = d.runs("daily")["items"]
    assert len(runs) == 1
    assert runs[0]["logical_date"][:10] == (utcnow().date() - timedelta(days=1)).isoformat()


def wait_states(d, dag, run_id, pred, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        run = d.run(dag, run_id)
        if pred(d.tasks(run)):
            return run
        time.sleep(0.05)
    raise AssertionError("condition not met: %s\n%s" % (d.tasks(run), d.daemon_log()))


def test_kill9_while_tasks_run_then_adopt(daemon, tmp_path):
    d = daemon()
    marks = tmp_path / "marks"
    d.write_dag("long", """
tasks:
  one: {shell: "echo one >> %s; sleep 2; echo one-done"}
  two: {shell: "echo two >> %s; sleep 2; echo two-done"}
""" % (marks, marks))
    d.start()
    run_id = d.trigger("long")["run_id"]
    wait_states(d, "long", run_id, lambda t: all(x["state"] == "running" for x in t.values()))
    time.sleep(0.3)
    d.kill9()
    d.start()
    run = d.wait_run("long", run_id)
    assert run["state"] == "success"
    t = d.tasks(run)
    assert t["one"]["try_number"] == 1 and t["two"]["try_number"] == 1
    assert sorted(marks.read_text().split()) == ["one", "two"]  # each ran once
    assert "one-done" in d.log_of("long", run_id, "one")
    assert len(d.runs("long")["items"]) == 1


def test_exit_while_daemon_stopped_is_settled_from_the_record(daemon, tmp_path):
    d = daemon()
    d.write_dag("quick", "tasks:\n  a: {shell: 'sleep 1; echo finished'}\n  b: {depends: [a], shell: 'true'}\n")
    d.start()
    run_id = d.trigger("quick")["run_id"]
    wait_states(d, "quick", run_id, lambda t: t["a"]["state"] == "running")
    d.proc.send_signal(signal.SIGSTOP)   # the task exits while nobody records it
    time.sleep(2)
    d.proc.send_signal(signal.SIGKILL)
    d.proc.wait()
    d.start()
    run = d.wait_run("quick", run_id)
    t = d.tasks(run)
    assert run["state"] == "success"
    assert t["a"]["state"] == "success" and t["a"]["try_number"] == 1
    assert t["b"]["state"] == "success"


def test_pool_limits_concurrency(daemon):
    d = daemon("pools: {small: 2}\n")
    tasks = "".join("  t%d: {pool: small, shell: 'sleep 0.3'}\n" % i for i in range(6))
    d.write_dag("pooled", "tasks:\n" + tasks)
    d.start()
    run = d.wait_run("pooled", d.trigger("pooled")["run_id"])
    spans = [(parse_time(t["start"]), parse_time(t["end"])) for t in run["tasks"]]
    assert run["state"] == "success"
    for s, _ in spans:
        overlapping = sum(1 for a, b in spans if a <= s < b)
        assert overlapping <= 2, spans
    assert max(b for _, b in spans) - min(a for a, _ in spans) >= 0.85  # 3 waves


def test_reload_on_edit_and_broken_edit_keeps_last_good(daemon):
    d = daemon()
    d.write_dag("edit", "tasks:\n  a: {shell: 'echo v1'}\n")
    d.start()
    d.write_dag("edit", "tasks:\n  a: {shell: 'echo v2'}\n  b: {depends: [a], shell: 'echo b'}\n")
    t0 = time.time()
    while time.time() - t0 < 1.0:
        st, dag, _ = d.get("/api/v1/dags/edit")
        if len(dag["tasks"]) == 2:
            break
        time.sleep(0.02)
    assert len(dag["tasks"]) == 2, "not reloaded within 1 s"
    assert d.get("/api/v1/dags")[1]["import_errors"] == []      # the list's answer is cached
    d.write_dag("edit", "tasks:\n  a: {shell: 'echo v3'\n")   # broken
    t0 = time.time()
    errors = []
    while time.time() - t0 < 1.0 and not errors:
        errors = d.get("/api/v1/import-errors")[1]["items"]
        time.sleep(0.02)
    assert errors and errors[0]["file"].endswith("edit.yaml") and errors[0]["line"] >= 1
    # the DAG list (the dashboard's import-error banner) shows it as soon
    # (it kept a cached answer for 10 s while the DAGs were unchanged)
    t0 = time.time()
    while time.time() - t0 < 1.0 and not d.get("/api/v1/dags")[1]["import_errors"]:
        time.sleep(0.02)
    assert d.get("/api/v1/dags")[1]["import_errors"][0]["file"].endswith("edit.yaml")
    run = d.wait_run("edit", d.trigger("edit")["run_id"])
    assert run["state"] == "success"
    assert "v2" in d.log_of("edit", run["run_id"], "a")
