"""The client commands (dagd dags, trigger, runs, rerun, logs, backfill,
pause, unpause, mark) against a real daemon: human tables and --json, exit
codes 0/1/2, following a log while the try runs, finding the daemon from
--url, DAGD_URL or the config's listen, and a token-protected daemon."""
import json
import os
import re
import subprocess
import time

from conftest import DAGD, free_port

TICKS = "for i in 1 2 3 4 5; do echo tick$i; sleep 0.25; done"


def cli(d, *args, env=None, url=True, cwd=None, timeout=30):
    """Run `dagd ARGS` with a clean DAGD_* environment (DAGD_URL = d's)."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("DAGD_")}
    if url:
        e["DAGD_URL"] = d.url
    e.update(env or {})
    return subprocess.run([DAGD, *args], capture_output=True, text=True, env=e,
                          cwd=cwd or d.dir, timeout=timeout)


def ok(p):
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
    return p.stdout


def one_json(p):
    out = ok(p)
    assert out.endswith("\n") and out.count("\n") == 1, out   # one line
    return json.loads(out)


def table(text):
    """Rows of an aligned table as dicts; checks every cell starts under its header."""
    lines = [l for l in text.splitlines() if l.strip()]
    head = lines[0]
    starts = [m.start() for m in re.finditer(r"\S+", head)]
    names = head.split()
    rows = []
    for line in lines[1:]:
        if line.startswith("("):        # the "N of M shown" note
            continue
        for s in starts[1:]:
            assert line[s - 1] == " " and line[s] != " ", (head, line)
        cells = [line[a:b].strip() for a, b in zip(starts, starts[1:] + [len(line)])]
        rows.append(dict(zip(names, cells)))
    return rows


def start_simple(daemon, extra_config=""):
    d = daemon(extra_config)
    d.write_dag("hello", "tasks:\n  a: {shell: 'echo hello from a'}\n"
                         "  b: {shell: 'echo b', depends: [a]}\n")
    d.write_dag("fails", "tasks:\n  bad: {shell: 'echo oops; exit 3'}\n")
    return d


def test_dags_table_and_json(daemon):
    d = start_simple(daemon)
    d.write_dag("daily", "schedule: '@daily'\nstart_date: 2026-01-01\n"
                         "tasks:\n  t: {shell: 'true'}\n")
    d.write_dag("broken", "tasks:\n  x: {shel: 'true'}\n")
    d.start()
    rows = table(ok(cli(d, "dags")).split("\nimport errors:")[0])
    by = {r["DAG"]: r for r in rows}
    assert set(by) == {"hello", "fails", "daily"}
    assert by["hello"] == {"DAG": "hello", "PAUSED": "no", "SCHEDULE": "none", "NEXT_RUN": "-",
                           "LAST_RUN": "-", "TASKS": "2"}
    assert by["daily"]["SCHEDULE"] == "@daily" and by["daily"]["NEXT_RUN"].endswith("Z")
    out = ok(cli(d, "dags"))
    assert re.search(r"\nimport errors:\n.*broken\.yaml:\d+:\d+: error: .*shel", out), out
    j = one_json(cli(d, "dags", "--json"))
    st, api, _ = d.get("/api/v1/dags")
    assert st == 200
    assert sorted(x["dag"] for x in j["items"]) == sorted(x["dag"] for x in api["items"])
    assert j["total"] == 3 and len(j["import_errors"]) == 1
    assert cli(d, "dags", "extra").returncode == 2


def test_trigger_prints_the_run_id_and_waits(daemon):
    d = start_simple(daemon)
    d.write_dag("conf", "params:\n  n: {default: 1, type: int}\n"
                        "tasks:\n  t: {shell: 'echo n={{ params.n }}'}\n")
    d.start()
    run_id = ok(cli(d, "trigger", "hello")).strip()
    assert run_id.startswith("manual__")
    assert d.wait_run("hello", run_id)["state"] == "success"

    j = one_json(cli(d, "trigger", "conf", "--conf", '{"n": 7}', "--date", "2026-03-01", "--json"))
    assert j["dag"] == "conf" and j["conf"] == {"n": 7}
    assert j["logical_date"] == "2026-03-01T00:00:00Z"
    assert "n=7" in d.log_of("conf", d.wait_run("conf", j["run_id"])["run_id"], "t")

    p = cli(d, "trigger", "hello", "--wait")
    assert ok(p).strip().startswith("manual__") and p.stdout.count("\n") == 1
    assert d.run("hello", p.stdout.strip())["state"] == "success"
    assert "succeeded" in p.stderr

    p = cli(d, "trigger", "fails", "--wait")
    assert p.returncode == 1, (p.stdout, p.stderr)
    assert "run %s failed" % p.stdout.strip() in p.stderr and "bad" in p.stderr
    p = cli(d, "trigger", "fails", "--wait", "--json")
    assert p.returncode == 1 and json.loads(p.stdout)["state"] == "failed"

    p = cli(d, "trigger", "nope")
    assert p.returncode == 1 and "not_found: no DAG 'nope'" in p.stderr
    p = cli(d, "trigger", "conf", "--conf", '{"n": "x"}')
    assert p.returncode == 1 and p.stderr.startswith("dagd: bad_request: ") and "'n'" in p.stderr
    for bad, why in (("[1]", "--conf must be a JSON object, not a list"),
                     ('{"greeting": ', "--conf is not JSON: unexpected token near end of file at column 13")):
        p = cli(d, "trigger", "hello", "--conf", bad)
        assert p.returncode == 2 and why in p.stderr, p.stderr
        assert "usage: dagd trigger DAG" in p.stderr


def test_runs_table_filters_and_json(daemon):
    d = start_simple(daemon)
    d.start()
    good = [d.wait_run("hello", d.trigger("hello")["run_id"])["run_id"] for _ in range(2)]
    third = d.wait_run("hello", d.trigger("hello")["run_id"])["run_id"]
    rows = table(ok(cli(d, "runs", "hello")))
    assert [r["RUN_ID"] for r in rows] == [third] + good[::-1]     # newest first
    assert list(rows[0]) == ["RUN_ID", "TYPE", "STATE", "LOGICAL_DATE", "START", "DURATION"]
    assert all(r["TYPE"] == "manual" and r["STATE"] == "success" for r in rows)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", rows[0]["START"])
    assert re.fullmatch(r"\d+\.\ds", rows[0]["DURATION"])

    out = ok(cli(d, "runs", "hello", "--limit", "1"))
    assert len(table(out)) == 1 and "(1 of 3 runs shown; --limit N for more)" in out
    f = d.wait_run("fails", d.trigger("fails")["run_id"])
    rows = table(ok(cli(d, "runs", "fails", "--state", "failed")))
    assert [(r["RUN_ID"], r["STATE"]) for r in rows] == [(f["run_id"], "failed")]
    assert ok(cli(d, "runs", "fails", "--state", "success")) == "no runs\n"

    j = one_json(cli(d, "runs", "hello", "--json", "--limit", "2"))
    assert j["total"] == 3 and [r["run_id"] for r in j["items"]] == [third, good[1]]
    for args in (["--state", "done"], ["--limit", "0"], ["--limit", "x"], []):
        p = cli(d, "runs", *(["hello"] if args else []), *args)
        assert p.returncode == 2 and "usage: dagd runs DAG" in p.stderr, (args, p.stderr)
    p = cli(d, "runs", "nope")
    assert p.returncode == 1 and p.stderr == "dagd: not_found: no DAG 'nope'\n"


def test_logs_follow_ends_with_the_try(daemon):
    d = daemon()
    d.write_dag("fl", "tasks:\n  a: {shell: '%s'}\n" % TICKS)
    d.start()
    run_id = d.trigger("fl")["run_id"]
    e = {k: v for k, v in os.environ.items() if not k.startswith("DAGD_")}
    e["DAGD_URL"] = d.url
    t0 = time.time()
    p = subprocess.Popen([DAGD, "logs", "fl", run_id, "a", "-f"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=e, text=True)
    lines, stamps = [], []
    for line in p.stdout:
        lines.append(line)
        stamps.append(time.time() - t0)
    rc = p.wait(timeout=10)
    ended = time.time() - t0
    assert rc == 0, p.stderr.read()
    assert "".join(lines) == "".join("tick%d\n" % i for i in range(1, 6))
    assert stamps[-1] - stamps[0] >= 0.6              # lines came as they were written
    run = d.run("fl", run_id)
    assert d.tasks(run)["a"]["state"] == "success"
    assert ended < 5.0 and ended - stamps[-1] < 1.5    # and it stopped with the try

    whole = "".join(lines)
    assert ok(cli(d, "logs", "fl", run_id, "a")) == whole
    assert ok(cli(d, "logs", "fl", run_id, "a", "--try", "1", "--json")) == whole
    assert ok(cli(d, "logs", "fl", run_id, "a", "-f")) == whole   # ended: the whole log, at once
    p = cli(d, "logs", "fl", run_id, "a", "--try", "2")
    assert p.returncode == 1 and "not_found" in p.stderr
    p = cli(d, "logs", "fl", run_id, "zz")
    assert p.returncode == 1 and "no task 'zz'" in p.stderr
    p = cli(d, "logs", "fl", "manual__nope", "a")
    assert p.returncode == 1 and "not_found" in p.stderr
    assert cli(d, "logs", "fl", run_id).returncode == 2
    assert cli(d, "logs", "fl", run_id, "a", "--try", "0").returncode == 2


def test_rerun_downstream_after_a_fix(daemon, tmp_path):
    d = daemon()
    fix = tmp_path / "fixed"
    d.write_dag("fx", "tasks:\n"
                      "  a: {shell: 'test -f %s && echo fixed'}\n"
                      "  b: {shell: 'echo b ran', depends: [a]}\n"
                      "  c: {shell: 'echo c ran'}\n" % fix)
    d.start()
    run = d.wait_run("fx", d.trigger("fx")["run_id"])
    t = d.tasks(run)
    assert run["state"] == "failed" and t["a"]["state"] == "failed"
    assert t["b"]["state"] == "upstream_failed" and t["c"]["state"] == "success"

    fix.write_text("")
    out = ok(cli(d, "rerun", "fx", run["run_id"], "a", "--downstream"))
    assert out.startswith("cleared 2 tasks in run %s of fx\n" % run["run_id"]), out
    rows = {r["TASK"]: r for r in table(out.split("\n", 1)[1])}
    assert set(rows) == {"a", "b", "c"} and rows["c"]["STATE"] == "success"
    assert rows["a"]["STATE"] not in ("failed", "success")
    run = d.wait_run("fx", run["run_id"])
    t = d.tasks(run)
    assert run["state"] == "success", run
    assert (t["a"]["try_number"], t["b"]["state"], t["c"]["try_number"]) == (2, "success", 1)
    assert ok(cli(d, "logs", "fx", run["run_id"], "a")) == "fixed\n"   # the latest try

    # --failed-only on a run with nothing failed clears nothing; --json gives the run
    j = one_json(cli(d, "rerun", "fx", run["run_id"], "--failed-only", "--json"))
    assert j["run_id"] == run["run_id"] and {x["task"]: x["try_number"] for x in j["tasks"]} == \
        {"a": 2, "b": 1, "c": 1}
    assert j["cleared"] == 0
    out = ok(cli(d, "rerun", "fx", run["run_id"], "--failed-only"))
    assert out.startswith("nothing to clear in run %s of fx\n" % run["run_id"]), out
    p = cli(d, "rerun", "fx", run["run_id"], "nope")
    assert p.returncode == 1 and "no task 'nope'" in p.stderr
    assert cli(d, "rerun", "fx").returncode == 2


def test_backfill_dry_run_then_real(daemon):
    d = daemon()
    d.write_dag("bf", "schedule: '@daily'\nstart_date: 2026-01-01\n"
                      "tasks:\n  t: {shell: 'echo {{ ds }}'}\n")
    d.start()
    ids = ["backfill__2026-01-0%dT00:00:00Z" % i for i in (1, 2, 3)]
    out = ok(cli(d, "backfill", "bf", "2026-01-01", "2026-01-03", "--dry-run"))
    rows = table(out.rsplit("\n", 2)[0])
    assert [r["RUN_ID"] for r in rows] == ids
    assert rows[0]["DATA_INTERVAL_END"] == "2026-01-02T00:00:00Z"
    assert out.endswith("\n3 runs would be created (dry run)\n")
    assert not [r for r in d.runs("bf")["items"] if r["run_type"] == "backfill"]

    out = ok(cli(d, "backfill", "bf", "2026-01-01", "2026-01-03"))
    assert out.endswith("\n3 runs created\n")
    for i in ids:
        assert d.wait_run("bf", i)["state"] == "success"
    assert ok(cli(d, "logs", "bf", ids[1], "t")) == "2026-01-02\n"
    rows = table(ok(cli(d, "runs", "bf", "--limit", "100")))
    assert {r["RUN_ID"] for r in rows if r["TYPE"] == "backfill"} == set(ids)

    j = one_json(cli(d, "backfill", "bf", "2026-01-01", "2026-01-04", "--dry-run", "--json"))
    assert j["dry_run"] is True and [r["run_id"] for r in j["items"]] == \
        ["backfill__2026-01-04T00:00:00Z"]
    assert ok(cli(d, "backfill", "bf", "2026-01-01", "2026-01-03")) == \
        "nothing to backfill: every interval of the range has a run\n"
    p = cli(d, "backfill", "bf", "2026-01-03", "2026-01-01")
    assert p.returncode == 1 and "bad_request: to is before from" in p.stderr
    assert cli(d, "backfill", "bf", "2026-01-01").returncode == 2


def test_pause_unpause_show_in_dags(daemon):
    d = start_simple(daemon)
    d.start()
    assert ok(cli(d, "pause", "hello")) == "paused hello\n"
    by = {r["DAG"]: r for r in table(ok(cli(d, "dags")))}
    assert by["hello"]["PAUSED"] == "yes" and by["fails"]["PAUSED"] == "no"
    assert [x["paused"] for x in one_json(cli(d, "dags", "--json"))["items"]
            if x["dag"] == "hello"] == [True]
    j = one_json(cli(d, "unpause", "hello", "--json"))
    assert j["dag"] == "hello" and j["paused"] is False
    by = {r["DAG"]: r for r in table(ok(cli(d, "dags")))}
    assert by["hello"]["PAUSED"] == "no"
    assert one_json(cli(d, "pause", "fails", "--json"))["paused"] is True
    p = cli(d, "pause", "nope")
    assert p.returncode == 1 and "no DAG 'nope'" in p.stderr
    assert cli(d, "unpause").returncode == 2


def test_mark_a_task(daemon):
    d = start_simple(daemon)
    d.start()
    run = d.wait_run("fails", d.trigger("fails")["run_id"])
    assert run["state"] == "failed"
    out = ok(cli(d, "mark", "fails", run["run_id"], "bad", "success"))
    assert out == "marked bad of run %s success\n" % run["run_id"]
    assert d.tasks(d.run("fails", run["run_id"]))["bad"]["state"] == "success"
    j = one_json(cli(d, "mark", "fails", run["run_id"], "bad", "failed", "--json"))
    assert {x["task"]: x["state"] for x in j["tasks"]} == {"bad": "failed"}
    p = cli(d, "mark", "fails", run["run_id"], "bad", "done")
    assert p.returncode == 2 and "success or failed" in p.stderr
    p = cli(d, "mark", "fails", run["run_id"], "nope", "success")
    assert p.returncode == 1 and p.stderr.startswith("dagd: not_found: ")


def test_usage_help_and_unreachable(daemon):
    d = start_simple(daemon)      # not started
    port = free_port()
    p = cli(d, "dags", "--url", "http://127.0.0.1:%d" % port, url=False)
    assert p.returncode == 1
    assert p.stderr == "dagd: cannot reach dagd at http://127.0.0.1:%d: connection refused\n" % port
    p = cli(d, "runs", "x", env={"DAGD_URL": "https://127.0.0.1:1"}, url=False)
    assert p.returncode == 1 and "https is not supported" in p.stderr
    for args in (["trigger"], ["trigger", "x", "--bogus"], ["mark", "a", "b", "c"],
                 ["logs", "a", "b", "c", "--try", "x"], ["backfill", "a", "b", "c", "d"]):
        p = cli(d, *args)
        assert p.returncode == 2 and "usage: dagd %s" % args[0] in p.stderr, (args, p.stderr)
    p = cli(d, "trigger", "--help")
    assert p.returncode == 0 and p.stdout.startswith("usage: dagd trigger DAG")
    p = cli(d, "--help")
    assert p.returncode == 0
    for word in ("dags", "trigger DAG", "runs DAG", "rerun DAG RUN", "logs DAG RUN TASK",
                 "backfill DAG FROM TO", "pause DAG", "mark DAG RUN TASK"):
        assert word in p.stdout


def test_daemon_found_from_the_config(daemon, tmp_path):
    d = start_simple(daemon)
    d.start()
    assert "hello" in ok(cli(d, "dags", "--config", d.config, url=False))
    assert "hello" in ok(cli(d, "dags", url=False, env={"DAGD_CONFIG": d.config}))
    # as `dagd serve` would: config/dagd.yaml under the current directory
    home = tmp_path / "proj"
    (home / "config").mkdir(parents=True)
    (home / "config" / "dagd.yaml").write_text("listen: 127.0.0.1:%d\n" % d.port)
    assert "hello" in ok(cli(d, "dags", url=False, cwd=str(home)))
    # --url wins over DAGD_URL, which wins over the config
    dead = "http://127.0.0.1:%d" % free_port()
    assert "hello" in ok(cli(d, "dags", "--url", d.url, url=False, env={"DAGD_URL": dead}))
    p = cli(d, "dags", "--config", d.config, url=False, env={"DAGD_URL": dead})
    assert p.returncode == 1 and "cannot reach dagd at %s" % dead in p.stderr
    p = cli(d, "dags", "--config", str(tmp_path / "missing.yaml"), url=False)
    assert p.returncode == 1


def test_token_protected_daemon(daemon, tmp_path):
    token = "t0ken-for-the-cli-0123456789"
    tf = tmp_path / "token"
    tf.write_text(token + "\n")
    d = start_simple(daemon, "api_token_file: %s\n" % tf)
    d.start()
    p = cli(d, "trigger", "hello")
    assert p.returncode == 1
    assert p.stderr.startswith("dagd: unauthorized: ") and "DAGD_TOKEN" in p.stderr
    assert not d.runs("hello")["items"]
    assert "hello" in ok(cli(d, "dags"))                  # reads need no token
    p = cli(d, "pause", "hello", env={"DAGD_TOKEN": "wrong-token-wrong-token"})
    assert p.returncode == 1 and "unauthorized" in p.stderr

    run_id = ok(cli(d, "trigger", "hello", "--wait", env={"DAGD_TOKEN": token})).strip()
    assert d.run("hello", run_id)["state"] == "success"
    assert ok(cli(d, "pause", "hello", "--token-file", str(tf))) == "paused hello\n"
    p = cli(d, "rerun", "hello", run_id, "--token-file", str(tmp_path / "nope"))
    assert p.returncode == 1 and "cannot read token file" in p.stderr
    for p in (cli(d, "trigger", "hello", "--json", env={"DAGD_TOKEN": token}),
              cli(d, "mark", "hello", run_id, "a", "failed", env={"DAGD_TOKEN": "x" + token})):
        assert token not in p.stdout and token not in p.stderr
