"""dagd-sql, the worker of the sql, load and sensor task kinds, run directly
with spec files (jobs/sql_spec.h) against a throwaway PostgreSQL (pg.py):
exit codes, the log, $DAGD_OUTPUT and what ends up in the database."""
import gzip
import json
import os
import subprocess
import threading
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SQL_BIN = os.environ.get("DAGD_SQL_BIN", os.path.join(ROOT, "build", "dagd-sql"))
SANITIZER_WORDS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


class Run:
    def __init__(self, rc, log, outputs):
        self.rc = rc
        self.log = log
        self.outputs = outputs

    def __repr__(self):
        return "rc=%s outputs=%s\n%s" % (self.rc, self.outputs, self.log)


_specs = iter(range(1, 1 << 30))


def write_spec(tmp_path, spec):
    path = tmp_path / ("spec-%d.json" % next(_specs))
    fd = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(spec, f)
    return path


def check_log(log):
    for word in SANITIZER_WORDS:
        assert word not in log, "sanitizer report from dagd-sql:\n" + log


def start(tmp_path, spec):
    """Start dagd-sql on spec; returns (proc, spec_path, out_path, log_path)."""
    path = write_spec(tmp_path, spec)
    out = tmp_path / ("out-%s.json" % path.stem)
    logp = tmp_path / ("log-%s.txt" % path.stem)
    log = open(logp, "wb")
    proc = subprocess.Popen([SQL_BIN, str(path)], stdout=log, stderr=log,
                            env=dict(os.environ, DAGD_OUTPUT=str(out)))
    log.close()
    return proc, path, out, logp


def finish(proc, path, out, logp, timeout=60):
    rc = proc.wait(timeout=timeout)
    log = logp.read_text(errors="replace")
    check_log(log)
    assert rc >= 0, "dagd-sql died of signal %d:\n%s" % (-rc, log)
    assert not path.exists(), "the spec file was not deleted"
    outputs = json.loads(out.read_text()) if out.exists() else None
    return Run(rc, log, outputs)


def run(tmp_path, spec, timeout=60):
    return finish(*start(tmp_path, spec), timeout=timeout)


def sql_spec(db, sql, **kw):
    spec = {"kind": "sql", "conn": db.url, "sql": sql}
    spec.update(kw)
    return spec


def load_spec(db, **load):
    return {"kind": "load", "conn": db.url, "load": load}


# --- sql -----------------------------------------------------------------

def test_sql_statements_notices_rows_and_outputs(tmp_path, pg_db):
    r = run(tmp_path, sql_spec(pg_db, """
create table t (id int, name text);
insert into t select g, 'n' || g from generate_series(1, 150) g;
do $$ begin raise notice 'hello %', 42; end $$;
select id, name from t order by id;
""", outputs="select count(*) as n, max(name) as top, true as ok, null::int as nothing, "
             "'{\"a\": [1]}'::jsonb as j, 1.50::numeric as price from t"))
    assert r.rc == 0, r
    assert "sql:3: INSERT 0 150" in r.log
    assert "NOTICE: hello 42" in r.log
    assert "sql:5: SELECT 150" in r.log
    assert " 100 | n100\n" in r.log and " 101 | n101" not in r.log
    assert "(150 rows, the first 100 shown)" in r.log
    assert "committed" in r.log
    assert r.outputs == {"n": 150, "top": "n99", "ok": True, "nothing": None,
                         "j": {"a": [1]}, "price": 1.50}
    assert pg_db.value("select count(*) from t") == "150"


def test_sql_syntax_error_names_file_line_and_column(tmp_path, pg_db):
    text = "create table t (x int);\n\n-- the next one is wrong\ninsert into t\n  values (1), selec 2;\nselect 1;\n"
    f = tmp_path / "job.sql"
    f.write_text(text)
    r = run(tmp_path, sql_spec(pg_db, text, sql_file=str(f)))
    assert r.rc == 1, r
    assert "%s:5:15: statement 2: ERROR 42601: syntax error at or near \"selec\"" % f in r.log, r
    assert "    5 |   values (1), selec 2;\n          |               ^" in r.log, r
    assert "rolled back" in r.log
    assert pg_db.value("select to_regclass('t') is null") == "t"


def test_sql_error_inside_a_statement_without_position_names_its_line(tmp_path, pg_db):
    text = "select 1;\nselect 2;\nselect 1/0;\n"
    r = run(tmp_path, sql_spec(pg_db, text, sql_file="/etc/x.sql"))
    assert r.rc == 1
    assert "/etc/x.sql:3: statement 3: ERROR 22012: division by zero" in r.log, r


def test_sql_timeout_cancels_the_query(tmp_path, pg_db):
    t0 = time.time()
    r = run(tmp_path, sql_spec(pg_db, "select 1;\nselect pg_sleep(30);", timeout_ms=1500))
    took = time.time() - t0
    assert r.rc == 1, r
    assert took < 5, took
    assert "task timeout (1500 ms): cancelled after 1350 ms" in r.log, r
    assert "ERROR 57014" in r.log
    # the server is not still sleeping on it
    deadline = time.time() + 5
    while pg_db.value("select count(*) from pg_stat_activity where query like 'select pg_sleep(30)%'") != "0":
        assert time.time() < deadline
        time.sleep(0.1)


def test_sql_timeout_between_statements_stops_the_rest(tmp_path, pg_db):
    pg_db.psql("create table t (x int)")
    r = run(tmp_path, sql_spec(pg_db, "select pg_sleep(0.4);\n" * 5 + "insert into t values (1);",
                               timeout_ms=1000))
    assert r.rc == 1, r
    assert "task timeout" in r.log
    assert pg_db.value("select count(*) from t") == "0"


def test_sql_sigterm_cancels_and_rolls_back(tmp_path, pg_db):
    pg_db.psql("create table t (x int)")
    proc, path, out, logp = start(tmp_path, sql_spec(pg_db, "insert into t values (1);\nselect pg_sleep(30);"))
    deadline = time.time() + 10
    while "INSERT 0 1" not in logp.read_text():
        assert time.time() < deadline
        time.sleep(0.05)
    proc.terminate()
    r = finish(proc, path, out, logp, timeout=10)
    assert r.rc == 1, r
    assert "terminated by signal 15" in r.log
    assert pg_db.value("select count(*) from t") == "0"


def test_sql_error_in_statement_3_rolls_back_1_and_2(tmp_path, pg_db):
    pg_db.psql("create table t (x int primary key)")
    r = run(tmp_path, sql_spec(pg_db, "insert into t values (1);\ninsert into t values (2);\n"
                                      "insert into t values (2);\n"))
    assert r.rc == 1, r
    assert "sql:3: statement 3: ERROR 23505" in r.log
    assert "rolled back" in r.log
    assert pg_db.value("select count(*) from t") == "0"


def test_sql_autocommit_keeps_what_ran_and_allows_concurrent_index(tmp_path, pg_db):
    pg_db.psql("create table t (x int primary key)")
    sql = ("insert into t values (1);\ncreate index concurrently t_x on t (x);\n"
           "insert into t values (1);\n")
    r = run(tmp_path, sql_spec(pg_db, sql))
    assert r.rc == 1
    assert "ERROR 25001: CREATE INDEX CONCURRENTLY cannot run inside a transaction block" in r.log
    assert "HINT: set autocommit: true" in r.log
    assert pg_db.value("select count(*) from t") == "0"
    r = run(tmp_path, sql_spec(pg_db, sql, autocommit=True))
    assert r.rc == 1, r
    assert "sql:3: statement 3: ERROR 23505" in r.log
    assert pg_db.value("select count(*) from t") == "1"
    assert pg_db.value("select count(*) from pg_indexes where indexname = 't_x'") == "1"


def test_sql_skip_if_true_exits_99_after_commit(tmp_path, pg_db):
    r = run(tmp_path, sql_spec(pg_db, "create table t as select 1 as x;",
                               outputs="select count(*) as n from t",
                               skip_if="select exists (select 1 from t)"))
    assert r.rc == 99, r
    assert "skip_if: t -> skip" in r.log
    assert r.outputs == {"n": 1}
    assert pg_db.value("select count(*) from t") == "1"


def test_sql_skip_if_false_and_bad_skip_if(tmp_path, pg_db):
    r = run(tmp_path, sql_spec(pg_db, "select 1", skip_if="select 'no'"))
    assert r.rc == 0, r
    assert "skip_if: no -> run" in r.log
    r = run(tmp_path, sql_spec(pg_db, "select 1", skip_if="select 1, 2"))
    assert r.rc == 1
    assert "skip_if query: returned 1 rows of 2 columns, not one value" in r.log


def test_sql_outputs_need_one_row(tmp_path, pg_db):
    r = run(tmp_path, sql_spec(pg_db, "create table t (x int)", outputs="select * from t"))
    assert r.rc == 1
    assert "outputs query: returned 0 rows, not one" in r.log
    assert r.outputs is None
    assert pg_db.value("select to_regclass('t') is null") == "t"


def test_sql_splitting_quotes_dollars_comments_and_atomic_bodies(tmp_path, pg_db):
    sql = r"""
/* a comment; with a semicolon */ create table t (s text);
insert into t values ('a;b'), (E'c\';d'), ($q$e;f$q$), ("left"('g;h', 3));
create function f(x int) returns int language plpgsql as $$
begin
  return x + 1; -- ;
end $$;
create function g(x int) returns int language sql
begin atomic
  select x + 2;
end;
select f(1) + g(1) as v; -- trailing ; comment
"""
    r = run(tmp_path, sql_spec(pg_db, sql, outputs="select string_agg(s, ',' order by s) as s from t"))
    assert r.rc == 0, r
    assert r.outputs == {"s": "a;b,c';d,e;f,g;h"}
    assert "sql:12: SELECT 1 (" in r.log and " v\n---\n 5\n (1 row)\n" in r.log, r


def test_sql_psql_meta_command_is_refused(tmp_path, pg_db):
    r = run(tmp_path, sql_spec(pg_db, "select 1;\n\\copy t from 'x.csv'\n", sql_file="/x/f.sql"))
    assert r.rc == 1
    assert "/x/f.sql:2: psql meta-command '\\copy' is not supported" in r.log


def test_sql_to_file_csv_is_atomic(tmp_path, pg_db):
    final = tmp_path / "reports" / "date=2026-01-01" / "report.csv"
    seen = []
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            if final.exists():
                seen.append(final.read_text())
            time.sleep(0.002)

    th = threading.Thread(target=reader)
    th.start()
    try:
        r = run(tmp_path, sql_spec(pg_db, "create temp table d as select g from generate_series(1, 3000) g;\n"
                                          "select g as n, 'x,' || g as s, null as z, pg_sleep(0.0005) "
                                          "from d order by g",
                                   to_file={"path": str(final), "header": True}))
    finally:
        stop.set()
        th.join()
    assert r.rc == 0, r
    assert "to_file: 3000 rows into %s.tmp" % final in r.log
    text = final.read_text()
    lines = text.splitlines()
    assert lines[0] == "n,s,z,pg_sleep"
    assert lines[1] == '1,"x,1",,""'  # void is an empty string, not NULL
    assert len(lines) == 3001
    assert all(s == text for s in seen), "a reader saw a partial file"
    assert not os.path.exists(str(final) + ".tmp")


def test_sql_to_file_is_not_written_when_the_try_fails(tmp_path, pg_db):
    final = tmp_path / "out.csv"
    r = run(tmp_path, sql_spec(pg_db, "select 1 as a", to_file={"path": str(final)},
                               outputs="select 1/0 as x"))
    assert r.rc == 1
    assert not final.exists()
    assert not os.path.exists(str(final) + ".tmp")


def test_sql_to_file_jsonl_delimiter_and_null(tmp_path, pg_db):
    out = tmp_path / "r.jsonl"
    r = run(tmp_path, sql_spec(pg_db, "select 1 as a, E'x\\ny' as b, null::text as c, "
                                      "'{\"k\":\n [1]}'::json as j",
                               to_file={"path": str(out), "format": "jsonl"}))
    assert r.rc == 0, r
    lines = out.read_text().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0]) == {"a": 1, "b": "x\ny", "c": None, "j": {"k": [1]}}
    out = tmp_path / "r.csv"
    r = run(tmp_path, sql_spec(pg_db, "select 1 as a, null as b",
                               to_file={"path": str(out), "delimiter": ";", "null": "NULL",
                                        "header": False}))
    assert r.rc == 0, r
    assert out.read_text() == "1;NULL\n"


def test_sql_passwords_never_reach_the_log(tmp_path, pg_db):
    url = pg_db.url_with_password("s3cr3t-pw")
    r = run(tmp_path, {"kind": "sql", "conn": url, "sql": "select 's3cr3t-pw' as x"})
    assert r.rc == 0, r
    assert "postgres:***@127.0.0.1" in r.log
    assert "s3cr3t-pw" not in r.log
    r = run(tmp_path, {"kind": "sql", "conn": url.replace(pg_db.name, "nosuchdb"), "sql": "select 1"})
    assert r.rc == 1
    assert "cannot connect to postgresql://postgres:***@127.0.0.1" in r.log
    assert 'database "nosuchdb" does not exist' in r.log
    assert "s3cr3t-pw" not in r.log


def test_bad_specs_exit_2(tmp_path):
    for spec, msg in [({"kind": "sql"}, "bad spec: conn is required"),
                      ({"kind": "nope"}, "bad spec: kind must be one of sql, load, sensor_sql, sensor_file"),
                      ({"kind": "load", "conn": "x", "load": {"table": "t"}},
                       "bad spec: load needs exactly one of files and from_conn"),
                      ({"kind": "sql", "conn": "x", "sql": 5}, "bad spec: sql must be a string")]:
        r = run(tmp_path, spec)
        assert r.rc == 2, r
        assert msg in r.log, r
    p = subprocess.run([SQL_BIN], capture_output=True, text=True)
    assert p.returncode == 2
    assert "usage: dagd-sql SPEC_FILE" in p.stderr


# --- load ----------------------------------------------------------------

def test_load_csv_semicolon_header_quotes_and_nulls(tmp_path, pg_db):
    pg_db.psql("create table ev (id int, name text, note text, loaded_at timestamptz default now())")
    f = tmp_path / "events.csv"
    f.write_bytes(b'note;id;name\n"a;b";1;"x ""q"""\nNULL;2;"multi\nline"\n;3;\n')
    r = run(tmp_path, load_spec(pg_db, files=str(f), format="csv", delimiter=";", header=True,
                                null="NULL", table="ev"))
    assert r.rc == 0, r
    assert r.outputs == {"rows": 3}
    assert "loaded 3 rows into public.ev" in r.log
    rows = pg_db.psql("select id, name, coalesce(note, '<null>'), loaded_at is not null from ev order by id")
    assert rows == [["1", 'x "q"', "a;b", "t"], ["2", "multi"], ["line", "<null>", "t"],
                    ["3", "", "", "t"]]


def test_load_csv_without_header_fills_columns_in_order(tmp_path, pg_db):
    pg_db.psql("create table t (a int, b text, c text default 'dflt')")
    f = tmp_path / "x.csv"
    f.write_text("1,one\n2,\n")
    r = run(tmp_path, load_spec(pg_db, files=str(f), table="t"))
    assert r.rc == 0, r
    assert pg_db.psql("select a, coalesce(b, '<null>'), c from t order by a") == [
        ["1", "one", "dflt"], ["2", "<null>", "dflt"]]


def test_load_jsonl_into_a_jsonb_column(tmp_path, pg_db):
    pg_db.psql("create table raw (id bigserial, doc jsonb)")
    f = tmp_path / "d.jsonl"
    f.write_text('{"a": 1, "s": "tab\\there \\u00e9"}\n\n{"b": [1, {"c": null}]}\r\n  {"z": "\\\\"}\n')
    r = run(tmp_path, load_spec(pg_db, files=str(f), format="jsonl", table="raw"))
    assert r.rc == 0, r
    assert r.outputs == {"rows": 3}
    assert pg_db.psql("select doc::text from raw order by id") == [
        ['{"a": 1, "s": "tab\\there é"}'], ['{"b": [1, {"c": null}]}'], ['{"z": "\\\\"}']]


def test_load_jsonl_bad_object_for_a_jsonb_column_names_its_line(tmp_path, pg_db):
    pg_db.psql("create table raw (doc jsonb)")
    f = tmp_path / "d.jsonl"
    f.write_text('{"a": 1}\n\n{"b": tru}\n')
    r = run(tmp_path, load_spec(pg_db, files=str(f), format="jsonl", table="raw"))
    assert r.rc == 1, r
    assert "%s:3: column doc: ERROR 22P02: invalid input syntax for type json" % f in r.log, r
    f.write_text('{"a": 1}\n[1]\n')
    r = run(tmp_path, load_spec(pg_db, files=str(f), format="jsonl", table="raw"))
    assert r.rc == 1, r
    assert "%s:2: bad JSON: expected a JSON object" % f in r.log, r
    assert pg_db.value("select count(*) from raw") == "0"


def test_load_jsonl_into_mapped_columns(tmp_path, pg_db):
    pg_db.psql("create table m (id int, name text, tags jsonb, attrs text, score numeric, ok boolean, "
               "device text, extra text default 'd')")
    f = tmp_path / "m.jsonl"
    f.write_text('{"id": 1, "name": "a\\\\b\\nc", "tags": ["x"], "attrs": {"k": 1}, "score": 1.5e3, '
                 '"ok": true, "dev": "phone"}\n'
                 '{"id": 2, "name": null, "tags": "s", "ok": false}\n')
    r = run(tmp_path, load_spec(pg_db, files=str(f), format="jsonl", table="m", columns={"device": "dev"}))
    assert r.rc == 0, r
    assert pg_db.psql("select id, coalesce(name, '<null>'), tags::text, coalesce(attrs, '<null>'), "
                      "coalesce(score::text, '<null>'), ok, coalesce(device, '<null>'), extra from m order by id") == [
        ["1", "a\\b"], ["c", '["x"]', '{"k": 1}', "1500", "t", "phone", "d"],
        ["2", "<null>", '"s"', "<null>", "<null>", "f", "<null>", "d"]]


def test_load_jsonl_unknown_key_fails_unless_ignored(tmp_path, pg_db):
    pg_db.psql("create table m (id int, name text)")
    f = tmp_path / "m.jsonl"
    f.write_text('{"id": 1, "name": "a"}\n{"id": 2, "color": "red"}\n')
    r = run(tmp_path, load_spec(pg_db, files=str(f), format="jsonl", table="m"))
    assert r.rc == 1
    assert '%s:2: key "color" is not a column of public.m' % f in r.log, r
    assert pg_db.value("select count(*) from m") == "0"
    r = run(tmp_path, load_spec(pg_db, files=str(f), format="jsonl", table="m", ignore_unknown=True))
    assert r.rc == 0, r
    assert pg_db.psql("select id, coalesce(name, '-') from m order by id") == [["1", "a"], ["2", "-"]]


def test_load_json_array_streamed(tmp_path, pg_db):
    pg_db.psql("create table m (id int, name text, tags jsonb)")
    f = tmp_path / "m.json"
    elems = ['{"id": %d, "name": "n]%d", "tags": {"k": [1, "}"]}}' % (i, i) for i in range(5000)]
    f.write_text("[\n  " + ",\n  ".join(elems) + "\n]\n")
    r = run(tmp_path, load_spec(pg_db, files=str(f), format="json", table="m"))
    assert r.rc == 0, r
    assert r.outputs == {"rows": 5000}
    assert pg_db.psql("select count(*), max(id), min(name), max(tags::text) from m") == [
        ["5000", "4999", "n]0", '{"k": [1, "}"]}']]


def test_load_json_errors_name_their_line(tmp_path, pg_db):
    pg_db.psql("create table m (id int, name text)")
    f = tmp_path / "bad.json"
    f.write_text('[\n{"id": 1},\n{"id": 2,\n "name": "x" "y"}\n]\n')
    r = run(tmp_path, load_spec(pg_db, files=str(f), format="json", table="m"))
    assert r.rc == 1
    assert "%s:4: bad JSON: expected ',' or '}'" % f in r.log, r
    f.write_text('{"id": 1}\n')
    r = run(tmp_path, load_spec(pg_db, files=str(f), format="json", table="m"))
    assert r.rc == 1
    assert "a json load reads one top-level array: expected '['" in r.log
    f = tmp_path / "bad.jsonl"
    f.write_text('{"id": 1}\n{"id": 2}\n\n{"id": "x"}\n')
    r = run(tmp_path, load_spec(pg_db, files=str(f), format="jsonl", table="m"))
    assert r.rc == 1
    assert '%s:4: column id: ERROR 22P02: invalid input syntax for type integer: "x"' % f in r.log, r
    assert pg_db.value("select count(*) from m") == "0"


def test_load_gzip_csv(tmp_path, pg_db):
    pg_db.psql("create table t (a int, b text)")
    f = tmp_path / "x.csv.gz"
    with gzip.open(f, "wt") as z:
        z.write("a,b\n")
        for i in range(20000):
            z.write("%d,v%d\n" % (i, i))
    r = run(tmp_path, load_spec(pg_db, files=str(f), table="t", header=True))
    assert r.rc == 0, r
    assert pg_db.psql("select count(*), sum(a) from t") == [["20000", str(sum(range(20000)))]]
    # a truncated archive fails the load
    data = f.read_bytes()
    f.write_bytes(data[:len(data) // 2])
    r = run(tmp_path, load_spec(pg_db, files=str(f), table="t", header=True))
    assert r.rc == 1, r
    assert "cannot read" in r.log
    assert pg_db.value("select count(*) from t") == "20000"


def test_load_glob_of_three_files_in_name_order_with_set(tmp_path, pg_db):
    pg_db.psql("create table t (seq serial, a int, b text, src text)")
    for name, first in (("part-2.csv", 20), ("part-1.csv", 10), ("part-3.csv", 30)):
        (tmp_path / name).write_text("b,a\nx%d,%d\ny%d,%d\n" % (first, first, first, first + 1))
    r = run(tmp_path, load_spec(pg_db, files=str(tmp_path / "part-*.csv"), header=True, table="t",
                                set={"src": "file={{ file }}"}))
    assert r.rc == 0, r
    assert r.outputs == {"rows": 6}
    assert "3 files match" in r.log
    rows = pg_db.psql("select a, b, src from t order by seq")
    assert [x[0] for x in rows] == ["10", "11", "20", "21", "30", "31"]
    assert rows[0][2] == "file=%s" % (tmp_path / "part-1.csv")
    assert rows[5][2] == "file=%s" % (tmp_path / "part-3.csv")


def test_load_glob_matching_nothing_fails(tmp_path, pg_db):
    pg_db.psql("create table t (a int)")
    r = run(tmp_path, load_spec(pg_db, files=str(tmp_path / "none-*.csv"), table="t"))
    assert r.rc == 1
    assert "no file matches '%s'" % (tmp_path / "none-*.csv") in r.log


def test_load_text_lines(tmp_path, pg_db):
    pg_db.psql("create table lines (id serial, line text, src text)")
    f = tmp_path / "app.log"
    f.write_bytes(b"first\tline \\ with backslash\r\n\nthird\n\\.\nlast no newline")
    r = run(tmp_path, load_spec(pg_db, files=str(f), format="text", table="lines", set={"src": "log"}))
    assert r.rc == 0, r
    assert pg_db.psql("select line, src from lines order by id") == [
        ["first\tline \\ with backslash", "log"], ["", "log"], ["third", "log"], ["\\.", "log"],
        ["last no newline", "log"]]


def test_load_from_another_database(tmp_path, pg, pg_db):
    src = pg.create_db()
    try:
        src.psql("create table s (id int, label text, payload jsonb); "
                 "insert into s select g, E'l\\t' || g, jsonb_build_object('g', g) "
                 "from generate_series(1, 1000) g")
        pg_db.psql("create table t (label text, id int, payload jsonb, batch text)")
        spec = load_spec(pg_db, from_conn=src.url_with_password("other-pw"),
                         from_query="select id, label, payload from s where id <= 600",
                         table="t", set={"batch": "b1"})
        r = run(tmp_path, spec)
        assert r.rc == 0, r
        assert r.outputs == {"rows": 600}
        assert "other-pw" not in r.log
        assert pg_db.psql("select count(*), max(id), min(label), max(payload->>'g'), min(batch) from t") == [
            ["600", "600", "l\t1", "99", "b1"]]
        spec["load"]["from_query"] = "select id, label as nope from s"
        r = run(tmp_path, spec)
        assert r.rc == 1
        assert "from_query: column 'nope' is not a column of public.t" in r.log
    finally:
        src.drop()


def test_load_malformed_row_names_its_line_and_changes_nothing(tmp_path, pg_db):
    pg_db.psql("create table t (a int, b text); insert into t values (0, 'before')")
    f = tmp_path / "bad.csv"
    f.write_text('a,b\n1,x\n2,"two\nlines"\nthree,z\n4,w\n')
    r = run(tmp_path, load_spec(pg_db, files=str(f), header=True, table="t"))
    assert r.rc == 1, r
    assert '%s:5: column a: ERROR 22P02: invalid input syntax for type integer: "three"' % f in r.log, r
    assert "rolled back: nothing was loaded" in r.log
    assert pg_db.psql("select a, b from t") == [["0", "before"]]
    # the same with set: columns, which this side appends to each record
    pg_db.psql("alter table t add column ds text")
    r = run(tmp_path, load_spec(pg_db, files=str(f), header=True, table="t", set={"ds": "d"}))
    assert r.rc == 1, r
    assert '%s:5: column a:' % f in r.log, r
    assert pg_db.value("select count(*) from t") == "1"


def test_load_truncate_mode(tmp_path, pg_db):
    pg_db.psql("create table t (a int); insert into t values (1), (2)")
    f = tmp_path / "x.csv"
    f.write_text("7\n8\n9\n")
    r = run(tmp_path, load_spec(pg_db, files=str(f), table="t", mode="truncate"))
    assert r.rc == 0, r
    assert "truncated public.t" in r.log
    assert pg_db.psql("select a from t order by a") == [["7"], ["8"], ["9"]]


def test_load_replace_swaps_atomically(tmp_path, pg, pg_db):
    pg_db.psql("""
        create role dagd_reader;
        create table t (id serial primary key, v text not null, w int);
        create index t_v_idx on t (v);
        grant select on t to dagd_reader;
        insert into t (v, w) select 'old' || g, g from generate_series(1, 1000) g;""")
    f = tmp_path / "new.csv"
    with open(f, "w") as out:
        out.write("v,w\n")
        for i in range(300000):
            out.write("new%d,%d\n" % (i, i))
    counts, errors = [], []
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            p = subprocess.run(["psql", "-X", "-At", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres",
                                "-d", pg_db.name, "-c", "select count(*) from t"],
                               capture_output=True, text=True)
            (counts if p.returncode == 0 else errors).append(p.stdout.strip() or p.stderr)

    readers = [threading.Thread(target=reader) for _ in range(2)]
    for th in readers:
        th.start()
    try:
        time.sleep(0.2)
        r = run(tmp_path, load_spec(pg_db, files=str(f), header=True, table="t", mode="replace"))
        time.sleep(0.2)
    finally:
        stop.set()
        for th in readers:
            th.join()
    assert r.rc == 0, r
    assert "replace: public.t swapped in" in r.log
    assert not errors, errors[:3]
    assert set(counts) <= {"1000", "300000"}, set(counts)
    assert "1000" in counts and "300000" in counts
    assert pg_db.value("select count(*) from t") == "300000"
    assert pg_db.value("select has_table_privilege('dagd_reader', 't', 'select')") == "t"
    assert pg_db.psql("select indexname from pg_indexes where tablename = 't' order by 1") == [
        ["t_pkey"], ["t_v_idx"]]
    assert pg_db.value("select count(*) from pg_class where relname like 't__dagd_new%'") == "0"
    # serial keeps counting on the old sequence (1000 old rows, 300000 new)
    pg_db.psql("insert into t (v) values ('after')")
    assert pg_db.value("select id from t where v = 'after'") == "301001"
    # twice in a row: the names of the first swap do not get in the way
    r = run(tmp_path, load_spec(pg_db, files=str(f), header=True, table="t", mode="replace"))
    assert r.rc == 0, r
    assert pg_db.psql("select indexname from pg_indexes where tablename = 't' order by 1") == [
        ["t_pkey"], ["t_v_idx"]]
    pg_db.psql("drop table t; drop role dagd_reader")


def test_load_replace_refuses_a_table_views_depend_on(tmp_path, pg_db):
    pg_db.psql("create table t (a int); insert into t values (1); create view v as select * from t")
    f = tmp_path / "x.csv"
    f.write_text("5\n")
    r = run(tmp_path, load_spec(pg_db, files=str(f), table="t", mode="replace"))
    assert r.rc == 1
    assert "mode replace cannot drop public.t" in r.log and "use mode truncate" in r.log
    assert pg_db.psql("select a from v") == [["1"]]


def test_load_delete_where_and_set_make_a_rerun_idempotent(tmp_path, pg_db):
    pg_db.psql("create table ev (id int, file_ds date)")
    f = tmp_path / "ev.csv"
    f.write_text("id\n1\n2\n3\n")
    spec = load_spec(pg_db, files=str(f), header=True, table="ev", delete_where="file_ds = '2026-01-02'",
                     set={"file_ds": "2026-01-02"})
    pg_db.psql("insert into ev values (100, '2026-01-01')")
    for _ in range(2):
        r = run(tmp_path, spec)
        assert r.rc == 0, r
        assert r.outputs == {"rows": 3}
    assert "delete_where: deleted 3 rows" in r.log
    assert pg_db.psql("select file_ds, count(*) from ev group by 1 order by 1") == [
        ["2026-01-01", "1"], ["2026-01-02", "3"]]


def test_load_create_table_from_header(tmp_path, pg_db):
    f = tmp_path / "new.csv"
    f.write_text("City,pop\nBerlin,3.7\n")
    r = run(tmp_path, load_spec(pg_db, files=str(f), header=True, table="public.cities", create=True,
                                set={"ds": "x"}))
    assert r.rc == 0, r
    assert "created table public.cities with 3 text columns" in r.log
    assert pg_db.psql('select "City", pop, ds from cities') == [["Berlin", "3.7", "x"]]
    r = run(tmp_path, load_spec(pg_db, files=str(f), header=True, table="nope"))
    assert r.rc == 1
    assert "table 'nope' does not exist" in r.log


def test_load_csv_latin1_encoding_and_custom_quote(tmp_path, pg_db):
    pg_db.psql("create table t (a text, b text)")
    f = tmp_path / "l1.csv"
    f.write_bytes("'caf\xe9;x'|'y'\n".encode("latin-1"))
    r = run(tmp_path, load_spec(pg_db, files=str(f), table="t", delimiter="|", quote="'", encoding="LATIN1"))
    assert r.rc == 0, r
    assert pg_db.psql("select a, b from t") == [["café;x", "y"]]


# --- sensors ---------------------------------------------------------------

def sensor_spec(kind, db=None, **sensor):
    spec = {"kind": kind, "sensor": sensor}
    if db:
        spec["conn"] = db.url
    return spec


def test_file_sensor_poke_is_satisfied_by_a_file_created_later(tmp_path):
    target = tmp_path / "in" / "data_2026.csv"
    proc, path, out, logp = start(tmp_path, sensor_spec("sensor_file", path=str(tmp_path / "in" / "data_*.csv"),
                                                        poke_interval_ms=100,
                                                        deadline_us=int((time.time() + 30) * 1e6)))
    time.sleep(0.5)
    assert proc.poll() is None
    target.parent.mkdir()
    target.write_text("x")
    t0 = time.time()
    r = finish(proc, path, out, logp, timeout=10)
    assert r.rc == 0, r
    assert time.time() - t0 < 2
    assert r.outputs == {"path": str(target)}
    assert "no file matches" in r.log


def test_file_sensor_min_size_and_stable_for(tmp_path):
    f = tmp_path / "x.dat"
    f.write_text("abc")
    r = run(tmp_path, sensor_spec("sensor_file", path=str(f), min_size=10, mode="reschedule"))
    assert r.rc == 100, r
    assert "has 3 bytes, fewer than 10" in r.log
    f.write_text("0123456789")
    r = run(tmp_path, sensor_spec("sensor_file", path=str(f), min_size=10, stable_for_ms=60000,
                                  mode="reschedule"))
    assert r.rc == 100, r
    assert "not yet stable for 60000 ms" in r.log
    old = time.time() - 120
    os.utime(f, (old, old))
    r = run(tmp_path, sensor_spec("sensor_file", path=str(f), min_size=10, stable_for_ms=60000,
                                  mode="reschedule"))
    assert r.rc == 0, r


def test_sensor_reschedule_exits_100_then_0(tmp_path):
    f = tmp_path / "flag"
    spec = sensor_spec("sensor_file", path=str(f), mode="reschedule", poke_interval_ms=60000,
                       deadline_us=int((time.time() + 60) * 1e6))
    t0 = time.time()
    r = run(tmp_path, spec)
    assert r.rc == 100, r
    assert time.time() - t0 < 2, "reschedule mode must not sleep"
    assert "not yet: poke again later" in r.log
    f.write_text("")
    r = run(tmp_path, spec)
    assert r.rc == 0, r


def test_sql_sensor_pokes_until_the_query_is_true(tmp_path, pg_db):
    pg_db.psql("create table ready (n int)")
    proc, path, out, logp = start(tmp_path, sensor_spec("sensor_sql", pg_db,
                                                        query="select count(*) from ready",
                                                        poke_interval_ms=100))
    time.sleep(0.5)
    assert proc.poll() is None
    pg_db.psql("insert into ready values (1)")
    r = finish(proc, path, out, logp, timeout=10)
    assert r.rc == 0, r
    assert "poke 1: 0 -> not yet" in r.log
    assert "-> true" in r.log


@pytest.mark.parametrize("value,truthy", [("'yes'", True), ("'off'", False), ("'F'", False), ("''", False),
                                          ("0.0", False), ("2", True), ("null", False), ("true", True),
                                          ("'0'", False)])
def test_sql_sensor_truthiness(tmp_path, pg_db, value, truthy):
    r = run(tmp_path, sensor_spec("sensor_sql", pg_db, query="select %s" % value, mode="reschedule"))
    assert r.rc == (0 if truthy else 100), r


def test_sql_sensor_query_error_fails(tmp_path, pg_db):
    r = run(tmp_path, sensor_spec("sensor_sql", pg_db, query="select * from missing"))
    assert r.rc == 1
    assert "sensor query: ERROR 42P01" in r.log


def test_sensor_timeout_fails_or_soft_fails(tmp_path):
    base = dict(path=str(tmp_path / "never"), poke_interval_ms=100)
    t0 = time.time()
    r = run(tmp_path, sensor_spec("sensor_file", deadline_us=int((t0 + 0.7) * 1e6), **base))
    assert r.rc == 1, r
    assert 0.6 < time.time() - t0 < 3
    assert "sensor timed out" in r.log
    r = run(tmp_path, sensor_spec("sensor_file", deadline_us=int((time.time() + 0.5) * 1e6), soft_fail=True,
                                  **base))
    assert r.rc == 99, r
    assert "skipped (soft_fail)" in r.log
    # reschedule mode past its deadline
    past = int((time.time() - 1) * 1e6)
    r = run(tmp_path, sensor_spec("sensor_file", mode="reschedule", deadline_us=past, **base))
    assert r.rc == 1
    r = run(tmp_path, sensor_spec("sensor_file", mode="reschedule", deadline_us=past, soft_fail=True, **base))
    assert r.rc == 99


def test_sensor_cut_by_the_task_timeout_is_a_sensor_timeout(tmp_path):
    base = dict(path=str(tmp_path / "never"), poke_interval_ms=5000)
    t0 = time.time()
    r = run(tmp_path, dict(sensor_spec("sensor_file", soft_fail=True, **base), timeout_ms=1000))
    assert r.rc == 99, r
    assert time.time() - t0 < 3
    assert "task timeout (1000 ms)" in r.log and "skipped (soft_fail)" in r.log
    r = run(tmp_path, dict(sensor_spec("sensor_file", **base), timeout_ms=1000))
    assert r.rc == 1, r
    assert "sensor timed out" in r.log


def test_load_timeout_cancels_and_loads_nothing(tmp_path, pg_db):
    # A row trigger that sleeps makes the COPY take minutes on any machine
    # (a plain big file was loaded before the timeout on a fast one).
    pg_db.psql("create table t (a int, b text); insert into t values (0, 'keep');"
               "create function slow_row() returns trigger language plpgsql as"
               " $$ begin perform pg_sleep(0.005); return new; end $$;"
               "create trigger slow before insert on t for each row execute function slow_row()")
    f = tmp_path / "big.csv"
    with open(f, "w") as out:
        for i in range(50000):
            out.write("%d,some text for row %d\n" % (i, i))
    t0 = time.time()
    r = run(tmp_path, dict(load_spec(pg_db, files=str(f), table="t"), timeout_ms=700))
    assert r.rc == 1, r
    assert time.time() - t0 < 5
    assert "task timeout (700 ms)" in r.log
    # cancelled on the server, not only abandoned by the worker: no COPY left
    copying = ("select count(*) from pg_stat_activity where datname = current_database()"
               " and state <> 'idle' and query ilike 'copy%' and pid <> pg_backend_pid()")
    t1 = time.time()
    while pg_db.value(copying) != "0" and time.time() - t1 < 3:
        time.sleep(0.05)
    assert pg_db.value(copying) == "0"
    assert pg_db.psql("select a, b from t") == [["0", "keep"]]


def test_sql_to_file_errors_point_into_the_file(tmp_path, pg_db):
    text = "create temp table d (x int);\n\nselect x,\n  nosuch\nfrom d;\n"
    f = tmp_path / "rep.sql"
    r = run(tmp_path, sql_spec(pg_db, text, sql_file=str(f), to_file={"path": str(tmp_path / "o.csv")}))
    assert r.rc == 1, r
    assert '%s:4:3: statement 2 (to_file): ERROR 42703: column "nosuch" does not exist' % f in r.log, r
    r = run(tmp_path, sql_spec(pg_db, "create temp table d (x int);\ninsert into d values (1);",
                               sql_file=str(f), to_file={"path": str(tmp_path / "o.csv")}))
    assert r.rc == 1, r
    # COPY (INSERT ... RETURNING ...) would be a query: without RETURNING it is not
    assert "%s:2: statement 2 (to_file): ERROR 0A000: COPY query must have a RETURNING clause" % f in r.log, r
    assert not (tmp_path / "o.csv").exists()


def test_sql_shown_rows_cut_wide_cells(tmp_path, pg_db):
    r = run(tmp_path, sql_spec(pg_db, "select repeat('x', 100000) as wide, E'a\\nb' as nl, null as n"))
    assert r.rc == 0, r
    assert "\n " + "x" * 60 + "... | a\\nb | \n" in r.log, r
    assert "x" * 61 not in r.log
