"""`dagd check`, `dagd next` and `dagd render` as a user runs them: exact
messages and exit codes for every broken example (issue: foundation,
acceptance 3)."""
import os
import subprocess

from conftest import DAGD, ROOT

BROKEN = os.path.join(ROOT, "tests", "dags", "broken")

EXPECTED = {
    "bad_cron": ["1:12: error: bad cron expression '61 * * * *': minute value 61 out of range 0-59"],
    "bad_duration": ["4:14: error: bad duration for 'timeout': '5 minutes' (use e.g. 500ms, 30s, 15m, 2h, 1d)"],
    "bad_id": ["1:6: error: bad DAG id 'bad dag' (use letters, digits, '_', '.', '-')",
               "3:3: error: bad task id 'bad id!' (use letters, digits, '_', '.', '-')"],
    "bad_timezone": ["2:11: error: unknown time zone 'Europe/Berlim' (did you mean 'Europe/Berlin'?)"],
    "cycle": ["2:3: error: dependency cycle: a -> b -> c -> a"],
    "duplicate_task": ["4:3: error: duplicate key 'a' (first at line 2)"],
    "many_faults": [
        "2:14: error: bad cron expression '0 25 * * *': hour value 25 out of range 0-23",
        "5:17: error: unknown template name 'ds_nodahs' (did you mean 'ds_nodash'?) in shell of task 'extract'",
        "6:5: error: unknown key 'timout' in task 'extract' (did you mean 'timeout'?)",
        "8:24: error: task 'load' depends on unknown task 'transfrom' (did you mean 'transform'?)",
        "11:5: error: file sensor 'transform' needs a 'path'",
    ],
    "missing_sql_file": ["4:10: error: sql file 'sql/does_not_exist.sql' not found (looked for "
                         + BROKEN + "/sql/does_not_exist.sql)"],
    "no_kind": ["2:3: error: task 'a' has no kind: give one of shell, exec, sql, load, sensor"],
    "outputs_not_upstream": [
        "5:17: error: 'outputs.a.n': task 'a' is not upstream of this task in shell of task 'b'",
        "5:17: warning: output 'outputs.a.n' is put into shell text unquoted; write {{ outputs.a.n | sh }} (or read it from the environment)",
    ],
    "sensor_missing": ["3:5: error: external_task sensor 'wait' needs a 'dag'"],
    "two_kinds": ["3:5: error: task 'a' has two kinds, 'shell' and 'exec': keep one"],
    "unknown_dep": ["5:15: error: task 'load' depends on unknown task 'extrct' (did you mean 'extract'?)"],
    "unknown_key": ["8:5: error: unknown key 'retires' in task 'load' (did you mean 'retries'?)"],
    "unknown_rule": ["5:19: error: unknown trigger rule 'all_sucess' (did you mean 'all_success'?)"],
    "unknown_template": ["3:17: error: unknown template name 'dss' (did you mean 'ds'?) in shell of task 'a'"],
    "wrong_type": [
        "1:10: error: 'catchup' must be true or false, not 'maybe'",
        "4:12: error: 'shell' must be a string, not a list",
        "5:14: error: 'retries' must be an integer from 0 to 1000, not 'many'",
        "7:14: error: 'depends' must be a list, not a mapping",
    ],
    "yaml_syntax": ["6:1: error: YAML syntax error: did not find expected ',' or '}' while parsing a flow mapping"
                    " (started at line 5, column 6)"],
    "tab_indent": ["4:1: error: YAML syntax error: found character that cannot start any token while scanning"
                   " for the next token; line indented with a tab: YAML indents with spaces only"],
    "duplicate_key": ["3:3: error: duplicate key 'a' (first at line 2)",
                      "4:26: error: 'retries' must be an integer from 0 to 1000, not 'lots'"],
}


def dagd(*args, cwd=ROOT):
    return subprocess.run([DAGD] + list(args), cwd=cwd, capture_output=True, text=True, timeout=30)


def test_every_broken_example_has_a_case():
    names = sorted(f[:-5] for f in os.listdir(BROKEN) if f.endswith(".yaml"))
    assert names == sorted(EXPECTED)


def test_broken_examples_print_exact_messages():
    for name, lines in EXPECTED.items():
        path = os.path.join(BROKEN, name + ".yaml")
        r = dagd("check", "--quiet", path)
        assert r.returncode == 1, (name, r.stdout, r.stderr)
        assert r.stdout.splitlines() == [path + ":" + l for l in lines], name


def test_summary_counts_all_files():
    r = dagd("check", BROKEN)
    assert r.returncode == 1
    n = len(EXPECTED)
    errors = sum(1 for ls in EXPECTED.values() for l in ls if ": error: " in l)
    assert r.stdout.splitlines()[-1] == (
        "%d files checked: 0 ok, %d with errors (%d errors, 1 warning)" % (n, n, errors))


def test_good_examples_pass():
    r = dagd("check", "config/dags")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.splitlines()[-1].endswith("(0 errors, 0 warnings)")


def test_usage_error_exits_2():
    r = dagd("check", "--bogus")
    assert r.returncode == 2
    assert "usage: dagd check" in r.stderr
    assert dagd("frobnicate").returncode == 2
    assert dagd("next").returncode == 2


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_next_prints_exact_intervals(tmp_path):
    f = write(tmp_path, "d.yaml", "schedule: '0 3 * * 1-5'\nstart_date: 2026-01-01\n"
              "tasks:\n  a: {shell: 'true'}\n")
    r = dagd("next", f, "-n", "4", "--after", "2026-01-09T12:00:00Z")
    assert r.returncode == 0, r.stderr
    # Fri 9th 03:00 -> Mon 12th 03:00 ends after the 9th noon; then Mon->Tue ...
    assert r.stdout.splitlines() == [
        "2026-01-09T03:00:00Z 2026-01-12T03:00:00Z",
        "2026-01-12T03:00:00Z 2026-01-13T03:00:00Z",
        "2026-01-13T03:00:00Z 2026-01-14T03:00:00Z",
        "2026-01-14T03:00:00Z 2026-01-15T03:00:00Z",
    ]


def test_next_respects_start_and_end_date(tmp_path):
    f = write(tmp_path, "d.yaml", "schedule: '@daily'\nstart_date: 2026-02-01\nend_date: 2026-02-03\n"
              "tasks:\n  a: {shell: 'true'}\n")
    r = dagd("next", f, "--after", "2026-01-01")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "2026-02-01T00:00:00Z 2026-02-02T00:00:00Z",
        "2026-02-02T00:00:00Z 2026-02-03T00:00:00Z",
        "2026-02-03T00:00:00Z 2026-02-04T00:00:00Z",
    ]


def test_next_never(tmp_path):
    f = write(tmp_path, "d.yaml", "schedule: '0 0 30 2 *'\ntasks:\n  a: {shell: 'true'}\n")
    r = dagd("next", f)
    assert r.returncode == 1
    assert "never" in r.stderr


def test_render_shows_the_script_for_a_date(tmp_path):
    f = write(tmp_path, "d.yaml", "schedule: '@daily'\ntimezone: Europe/Berlin\n"
              "params:\n  who: {default: \"it's me\", type: string}\n"
              "tasks:\n  a: {shell: 'echo {{ ds }} {{ ds | add_days(-1) }} {{ params.who | sh }}'}\n")
    r = dagd("render", f, "a", "2026-03-29")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "echo 2026-03-29 2026-03-28 'it'\\''s me'\n"
