"""`dagd run` and `dagd test` in the foreground (the engine without HTTP)."""
import os
import shutil
import subprocess

from conftest import DAGD, JOB, ROOT


def dagd(*args, cwd=ROOT):
    env = {"PATH": "/usr/bin:/bin", "DAGD_JOB_BIN": JOB}
    return subprocess.run([DAGD] + list(args), cwd=cwd, capture_output=True, text=True,
                          timeout=60, env=env)


def test_run_succeeds_and_reports_each_task(tmp_path):
    f = tmp_path / "d.yaml"
    f.write_text("tasks:\n  a: {shell: 'echo ::set-output n=4'}\n"
                 "  b: {depends: [a], shell: 'test {{ outputs.a.n | sh }} = 4 && test $DAGD_OUTPUTS_A_N = 4'}\n"
                 "  c: {depends: [b], exec: ['true']}\n")
    r = dagd("run", str(f), "2026-01-10")
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    assert any(" a " in l and "success" in l for l in lines)
    assert any(" c " in l and "success" in l for l in lines)
    assert "success in" in lines[-1]


def test_run_fails_when_a_task_fails(tmp_path):
    f = tmp_path / "d.yaml"
    f.write_text("tasks:\n  a: {shell: 'exit 3'}\n  b: {depends: [a], shell: 'true'}\n")
    r = dagd("run", str(f))
    assert r.returncode == 1
    assert "upstream_failed" in r.stderr and "failed in" in r.stderr.splitlines()[-1]


def test_run_shows_why_a_try_failed_and_keeps_only_failed_runs_logs(tmp_path):
    f = tmp_path / "d.yaml"
    f.write_text("tasks:\n  a: {shell: 'for i in 1 2 3 4 5 6 7 8; do echo line $i; done; "
                 "echo no such table >&2; exit 3'}\n")
    r = dagd("run", str(f))
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    i = next(k for k, l in enumerate(lines) if " a " in l and "(exit code 3)" in l)
    # the last six lines of the try's log, then its path
    assert [l.strip() for l in lines[i + 1:i + 7]] == ["| line %d" % n for n in range(4, 9)] + ["| no such table"]
    assert lines[i + 7].strip().startswith("log: /") and lines[i + 7].endswith("/a/1.log")
    logs = lines[-1].split("(logs kept in ")[1].rstrip(")")
    assert os.path.isdir(logs) and os.path.exists(lines[i + 7].split("log: ")[1])
    shutil.rmtree(os.path.dirname(logs))
    # a run that succeeds leaves nothing behind
    f.write_text("tasks:\n  a: {shell: 'true'}\n")
    r = dagd("run", str(f))
    assert r.returncode == 0, r.stderr
    logs = r.stderr.splitlines()[0].split("logs in ")[1].split(",")[0]
    assert logs.startswith("/tmp/dagd-run-") and not os.path.exists(os.path.dirname(logs))


def test_run_with_config_records_in_its_store(tmp_path, daemon):
    d = daemon()
    d.write_dag("rec", "tasks:\n  a: {shell: 'echo recorded'}\n")
    r = dagd("run", "--config", d.config, "rec")
    assert r.returncode == 0, r.stderr
    d.start()
    runs = d.runs("rec")["items"]
    assert len(runs) == 1 and runs[0]["run_type"] == "manual" and runs[0]["state"] == "success"
    assert "recorded" in d.log_of("rec", runs[0]["run_id"], "a")


def test_test_runs_one_task_and_prints_its_log(tmp_path):
    f = tmp_path / "d.yaml"
    f.write_text("tasks:\n  a: {shell: 'echo not me; exit 1'}\n"
                 "  b: {depends: [a], shell: 'echo hello {{ ds }}'}\n")
    r = dagd("test", str(f), "b", "2026-01-10")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "hello 2026-01-10\n"
    r = dagd("test", str(f), "a")
    assert r.returncode == 1 and "not me" in r.stdout
    assert dagd("test", str(f), "nope").returncode == 1
    assert dagd("test", str(f)).returncode == 2
