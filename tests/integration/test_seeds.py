"""The five seed pipelines (config/dags, sql/etl) end to end through a real
daemon whose dags_folder is config/dags and whose `warehouse` connection is a
throwaway PostgreSQL database: each runs on freshly generated small data
(written into the test's temp dir through the DAGs' typed params), and its
outputs are checked against values computed here independently, in Python
from the generated files or with differently written SQL. The incremental
pipelines (002, 004) are run again on unchanged data (downstream skipped)
and after adding rows (exactly those loaded); seed 002's datamart also runs
in a throwaway ClickHouse server (ch.py). Seed 003 catches up 30 days of all
six DAGs at once, the reports waiting on the ingestion DAGs through their
external_task sensors, with the warehouse pool capped at 4."""
import bisect
import collections
import csv
import glob
import json
import os
import re
import subprocess
import time
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from conftest import DAGD, JOB, ROOT, parse_time

DAGS = os.path.join(ROOT, "config", "dags")
POOL = 4
NO_CLICKHOUSE = "clickhouse://127.0.0.1:1/none"   # school_datamart_clickhouse needs one to load


def start_daemon(daemon, pg_db, ch_url=NO_CLICKHOUSE, dags=DAGS):
    d = daemon()
    with open(d.config, "w") as f:
        f.write("dags_folder: %s\nstate: sqlite://state.db\nlogs_folder: logs\n"
                "listen: 127.0.0.1:%d\nparallelism: 16\nshutdown_grace: 1s\ntimezone: UTC\n"
                "pools: {warehouse: %d}\nconnections:\n  warehouse: {url: \"%s\"}\n"
                "  clickhouse: {url: \"%s\", type: clickhouse}\n"
                % (dags, d.port, POOL, pg_db.url, ch_url))
    d.start()
    if dags != DAGS:
        return d    # a folder of the test's own: its DAGs are the test's
    # a DAG that is on in config/dags (paused: false in its file) starts a
    # run of its own now: pause it, let that run end, and begin the test
    # with an empty warehouse
    st, dags, _ = d.get("/api/v1/dags")
    assert st == 200, dags
    for x in dags["items"]:
        if not x["paused"] and x["dag"] != "hello":
            assert d.request("PATCH", "/api/v1/dags/" + x["dag"], {"paused": True})[0] == 200
            wait_all(d, x["dag"], 0, timeout=30)
    pg_db.psql("""do $$ declare s text; begin
                    for s in select nspname from pg_namespace
                             where nspname not like 'pg\\_%' and nspname not in ('public', 'information_schema')
                    loop execute format('drop schema %I cascade', s); end loop; end $$""")
    assert pg_db.value("select count(*) from pg_namespace where nspname like 'school%'") == "0"
    return d


def trigger(d, dag, when, conf):
    return d.trigger(dag, logical_date=when, conf=conf)["run_id"]


def run_ok(d, dag, when, conf, timeout=60):
    run = d.wait_run(dag, trigger(d, dag, when, conf), timeout=timeout)
    t = d.tasks(run)
    assert run["state"] == "success", (dag, {k: v["state"] for k, v in t.items()}, d.daemon_log())
    return run, t


def wait_all(d, dag, n, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        runs = d.runs(dag, limit=500)["items"]
        if len(runs) >= n and all(r["state"] in ("success", "failed") for r in runs):
            return sorted(runs, key=lambda r: r["logical_date"])
        time.sleep(0.2)
    raise AssertionError("%s: %d runs, %s\n%s" % (dag, len(runs), collections.Counter(
        r["state"] for r in runs), d.daemon_log()))


def dec(x, places):
    return Decimal(x).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def ratio(a, b, places=4):
    return dec(Decimal(a) / Decimal(b), places)


def ts(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def month(d):
    return d.replace(day=1).isoformat()


def rows(db, sql):
    return [tuple(r) for r in db.psql(sql)]


# --- seed 000: feature analytics -------------------------------------------

def feature_metrics(snap, end):
    """The three datamart tables as of `end`, from the snapshot's files."""
    users = jsonl(os.path.join(snap, "users.jsonl"))
    features = jsonl(os.path.join(snap, "features.jsonl"))
    releases = jsonl(os.path.join(snap, "releases.jsonl"))
    usage = jsonl(os.path.join(snap, "feature_usage.jsonl"))
    upgrades = jsonl(os.path.join(snap, "upgrades.jsonl"))
    end_day = end.date()
    fno = {(f["product"], f["feature"]): f["feature_no"] for f in features}

    days = collections.defaultdict(set)
    for x in usage:
        t = ts(x["used_at"])
        if t < end:
            days[(x["product"], x["feature"], x["user_id"])].add(t.date())
    cohorts = collections.defaultdict(lambda: [0, 0])
    for (p, f, u), ds in days.items():
        first = min(ds)
        if first + timedelta(days=14) > end_day:
            continue
        c = cohorts[(month(first), p, f)]
        c[0] += 1
        c[1] += any(first + timedelta(days=7) <= x <= first + timedelta(days=13) for x in ds)
    retention = {}
    for (m, p, f), (n, r) in cohorts.items():
        retention[(m, p, f)] = (fno[(p, f)], n, r, ratio(r, n))
    for (m, p, f), v in retention.items():
        prev = [w for (m2, p2, f2), w in retention.items() if m2 == m and p2 == p and w[0] < v[0]]
        diff = v[3] - max(prev)[3] if prev else None
        retention[(m, p, f)] = v + (diff,)

    uses = collections.defaultdict(list)
    for x in usage:
        uses[(x["user_id"], x["product"], x["feature"])].append(ts(x["used_at"]))
    adoption = collections.defaultdict(lambda: [0, 0])
    for u in users:
        s = ts(u["signed_up_at"])
        if s + timedelta(days=14) > end:
            continue
        for f in features:
            if f["product"] != u["product"] or ts(f["released_at"]) > s:
                continue
            a = adoption[(month(s.date()), u["product"], f["feature"])]
            a[0] += 1
            a[1] += any(s <= t < s + timedelta(days=14)
                        for t in uses[(u["user_id"], u["product"], f["feature"])])
    upgraded = {}
    for r in releases:
        rt = ts(r["released_at"])
        if rt + timedelta(days=30) > end:
            continue
        eligible = {u["user_id"] for u in users if u["product"] == r["product"]
                    and ts(u["signed_up_at"]) < rt}
        done = {g["user_id"] for g in upgrades if g["product"] == r["product"]
                and g["to_release"] == r["release"] and g["user_id"] in eligible
                and rt <= ts(g["upgraded_at"]) < rt + timedelta(days=30)}
        upgraded[(month(rt.date()), r["product"], r["release"])] = (
            len(eligible), len(done), ratio(len(done), len(eligible)) if eligible else dec(0, 4))
    return retention, adoption, upgraded


def test_feature_analytics(daemon, pg_db, tmp_path):
    d = start_daemon(daemon, pg_db)
    conf = {"data_dir": str(tmp_path / "data"), "report_dir": str(tmp_path / "reports"),
            "users": 150, "seed": 7}
    run, t = run_ok(d, "feature_analytics", "2026-02-28", conf)
    snap = str(tmp_path / "data" / "snapshot=2026-02-28")
    for name in ("users", "features", "releases", "feature_usage", "upgrades"):
        assert t["load_" + name]["outputs"]["rows"] == len(jsonl(os.path.join(snap, name + ".jsonl")))
        assert pg_db.value("select count(*) from feature_raw.%s" % name) == \
            str(len(jsonl(os.path.join(snap, name + ".jsonl"))))

    retention, adoption, upgraded = feature_metrics(snap, ts(run["data_interval_end"]))
    assert len(retention) > 10 and len(adoption) > 10 and len(upgraded) >= 3
    got = {(r[0], r[1], r[2]): (int(r[3]), int(r[4]), int(r[5]), Decimal(r[6]),
                                Decimal(r[7]) if r[7] else None)
           for r in rows(pg_db, "select month, product, feature, feature_no, users, retained, "
                         "retention_rate, diff_to_previous_feature from feature_dm.feature_retention_rate "
                         "where as_of = '2026-02-28'")}
    assert got == retention
    got = {(r[0], r[1], r[2]): [int(r[3]), int(r[4])] for r in rows(
        pg_db, "select month, product, feature, new_users, users_used_14d "
               "from feature_dm.fraction_of_new_users_use_feature where as_of = '2026-02-28'")}
    assert got == dict(adoption)
    got = {(r[0], r[1], r[2]): (int(r[3]), int(r[4]), Decimal(r[5])) for r in rows(
        pg_db, "select month, product, release, users, upgraded, fraction "
               "from feature_dm.fraction_of_users_upgraded_in_one_month where as_of = '2026-02-28'")}
    assert got == upgraded
    # the report files hold the same slice
    with open(tmp_path / "reports" / "feature_retention_rate" / "date=2026-02-28" / "report.csv") as f:
        assert len(list(csv.DictReader(f))) == len(retention)

    # a run for an earlier day (a catchup run) sees only what existed then,
    # and leaves the later slice alone
    run, t = run_ok(d, "feature_analytics", "2026-01-31", conf)
    retention_jan, _, _ = feature_metrics(str(tmp_path / "data" / "snapshot=2026-01-31"),
                                          ts(run["data_interval_end"]))
    assert pg_db.value("select count(*) from feature_dm.feature_retention_rate "
                       "where as_of = '2026-01-31'") == str(len(retention_jan))
    assert pg_db.value("select count(*) from feature_dm.feature_retention_rate "
                       "where as_of = '2026-02-28'") == str(len(retention))
    assert pg_db.value("select max(month) from feature_dm.feature_retention_rate "
                       "where as_of = '2026-01-31'") == "2026-01-01"


# --- seed 001: event ingestion ---------------------------------------------

def test_event_ingestion(daemon, pg_db, tmp_path):
    d = start_daemon(daemon, pg_db)
    conf = {"data_dir": str(tmp_path / "data"), "report_dir": str(tmp_path / "reports"),
            "users": 150, "seed": 5}
    run, t = run_ok(d, "event_ingestion", "2026-01-10", conf)
    day = tmp_path / "data" / "date=2026-01-10"
    events = jsonl(day / "track_events.json")
    weather = jsonl(day / "weather.json")
    assert t["load_events"]["outputs"] == {"rows": len(events)}
    assert t["load_weather"]["outputs"] == {"rows": len(weather)}
    assert len(weather) == 5 * 24 and len(events) > 100
    assert t["flatten"]["outputs"] == {"n_events": len(events), "n_weather": len(weather)}

    wx = {(w["name"], w["dt"]): w for w in weather}
    finished = {e["properties"]["ride_id"]: e["properties"] for e in events if e["event"] == "ride_finished"}
    start, end = ts(run["data_interval_start"]), ts(run["data_interval_end"])
    groups = collections.defaultdict(list)
    for e in events:
        t0 = ts(e["timestamp"])
        hour = int(t0.replace(minute=0, second=0, microsecond=0).timestamp())
        w = wx.get((e["properties"]["city"], hour))
        if start <= t0 < end and w:
            groups[(e["properties"]["city"], w["weather"][0]["main"])].append((e, w))
    want = {}
    for (city, cond), evs in groups.items():
        opens = sum(e["event"] == "app_opened" for e, _ in evs)
        starts = [e for e, _ in evs if e["event"] == "ride_started"]
        done = [finished[e["properties"]["ride_id"]] for e in starts if e["properties"]["ride_id"] in finished]
        temps = [Decimal(str(w["main"]["temp"])) for _, w in evs]
        want[(city, cond)] = (
            opens, len(starts), len({e["anonymous_id"] for e in starts}),
            ratio(len(starts), opens) if opens else None,
            dec(Decimal(sum(f["duration_s"] for f in done)) / len(done) / 60, 1) if done else None,
            sum((Decimal(str(f["price_eur"])) for f in done), Decimal("0.00")),
            dec(sum(temps) / len(temps), 1))
    with open(tmp_path / "reports" / "rides_by_weather" / "date=2026-01-10" / "report.csv") as f:
        got = {(r["city"], r["condition"]): (
            int(r["app_opens"]), int(r["rides"]), int(r["riders"]),
            Decimal(r["conversion"]) if r["conversion"] else None,
            Decimal(r["avg_duration_min"]) if r["avg_duration_min"] else None,
            Decimal(r["revenue_eur"]), Decimal(r["avg_temp_c"])) for r in csv.DictReader(f)}
    assert got == want
    assert t["rides_by_weather"]["outputs"] == {"rides": sum(v[1] for v in want.values())}
    # rain keeps riders away in the generated data, as the result should show
    conv = {c: sum(v[1] for k, v in want.items() if k[1] == c) / sum(v[0] for k, v in want.items() if k[1] == c)
            for c in ("Clear", "Rain")}
    assert conv["Clear"] > conv["Rain"]
    # a rerun of the day replaces its slice
    run_ok(d, "event_ingestion", "2026-01-10", conf)
    assert pg_db.value("select count(*) from tracking.events") == str(len(events))
    assert pg_db.value("select count(*) from tracking.rides_by_weather") == str(len(want))


# --- seed 002: data vault --------------------------------------------------

VAULT_COUNTS = ("select (select count(*) from school_dv.h_course), (select count(*) from school_dv.h_stream), "
                "(select count(*) from school_dv.h_module), (select count(*) from school_dv.h_lesson), "
                "(select count(*) from school_dv.l_module_lesson), (select count(*) from school_dv.s_lesson), "
                "(select count(*) from school_dm.dm_courses_modules_lessons_streams)")


# the seed's result (distinct lessons per course) straight from the source
LESSONS_FROM_SOURCE = """
    select c.title, count(distinct l.title)
    from school_src.course c, school_src.stream s, school_src.stream_module m,
         school_src.stream_module_lesson l
    where s.course_id = c.id and m.stream_id = s.id and l.stream_module_id = m.id
    group by c.title"""


def lessons_report(tmp_path, ds):
    with open(tmp_path / "reports" / "lessons_per_course" / ("date=" + ds) / "report.csv") as f:
        return {r["course_title"]: int(r["lessons_qty"]) for r in csv.DictReader(f)}


def test_school_vault_incremental(daemon, pg_db, tmp_path):
    d = start_daemon(daemon, pg_db)
    rep = {"report_dir": str(tmp_path / "reports")}
    # as of 2026-01-06 only the first stream of each course exists
    run_ok(d, "school_vault", "2026-01-05", {})
    run_ok(d, "school_datamart", "2026-01-05", rep)
    assert lessons_report(tmp_path, "2026-01-05") == {
        "Data Analysis": 6, "Data Science": 6, "Data Engineering": 6}
    assert rows(pg_db, VAULT_COUNTS) == [("3", "3", "9", "18", "18", "18", "18")]

    _, t = run_ok(d, "school_vault", "2026-01-20", {})
    assert t["t_find_new_rows"]["outputs"] == {"n_new": 18, "n_lessons": 18, "n_source": 36}
    _, t = run_ok(d, "school_datamart", "2026-01-20", rep)
    assert t["t_find_new_rows"]["outputs"] == {"n_new": 18}
    assert rows(pg_db, VAULT_COUNTS) == [("3", "6", "18", "36", "36", "36", "36")]
    # the seed's result, and the same computed straight from the source
    want = {r[0]: int(r[1]) for r in rows(pg_db, LESSONS_FROM_SOURCE)}
    assert lessons_report(tmp_path, "2026-01-20") == want == {
        "Data Analysis": 6, "Data Science": 6, "Data Engineering": 6}
    # the vault reproduces the source row for row
    assert pg_db.value("""
        select count(*) from (
            (select lesson_id, lesson_title, module_title, stream_name, course_title from school_dv.v_current
             except select l.id, l.title, m.title, s.name, c.title
             from school_src.stream_module_lesson l join school_src.stream_module m on m.id = l.stream_module_id
             join school_src.stream s on s.id = m.stream_id join school_src.course c on c.id = s.course_id)
            union all
            (select l.id, l.title, m.title, s.name, c.title
             from school_src.stream_module_lesson l join school_src.stream_module m on m.id = l.stream_module_id
             join school_src.stream s on s.id = m.stream_id join school_src.course c on c.id = s.course_id
             except select lesson_id, lesson_title, module_title, stream_name, course_title
             from school_dv.v_current)) x""") == "0"

    # unchanged source: the second run skips everything after find_new
    run, t = run_ok(d, "school_vault", "2026-01-20", {})
    assert t["t_find_new_rows"]["state"] == "skipped"
    assert t["t_find_new_rows"]["outputs"] == {"n_new": 0, "n_lessons": 0, "n_source": 36}
    assert all(t[k]["state"] == "skipped" for k in ("l_update_hubs", "l_update_links", "l_update_satellites"))
    _, t = run_ok(d, "school_datamart", "2026-01-20", rep)
    assert t["t_find_new_rows"]["state"] == "skipped"
    assert t["l_update_datamart"]["state"] == t["lessons_per_course"]["state"] == "skipped"
    assert rows(pg_db, VAULT_COUNTS) == [("3", "6", "18", "36", "36", "36", "36")]

    # two new lessons in the source: exactly those are loaded
    pg_db.psql("""
        insert into school_src.stream_module_lesson (id, stream_module_id, title, start_at, end_at,
                                                     teacher_id, created_at, updated_at)
        values (90001, 3023, 'Data Engineering: guest lecture', '2026-02-01 18:00', '2026-02-01 19:00',
                3, '2026-01-19 10:00', '2026-01-19 10:00'),
               (90002, 3023, 'Data Engineering: exam', '2026-02-03 18:00', '2026-02-03 19:00',
                3, '2026-01-19 10:05', '2026-01-19 10:05'),
               (90003, 3023, 'Data Engineering: not yet', null, null, 3, '2026-02-10', '2026-02-10')""")
    _, t = run_ok(d, "school_vault", "2026-01-20", {})
    assert t["t_find_new_rows"]["outputs"] == {"n_new": 2, "n_lessons": 2, "n_source": 38}
    assert t["l_update_satellites"]["outputs"] == {"n_lesson_versions": 38}
    _, t = run_ok(d, "school_datamart", "2026-01-20", rep)
    assert t["t_find_new_rows"]["outputs"] == {"n_new": 2}
    assert rows(pg_db, VAULT_COUNTS) == [("3", "6", "18", "38", "38", "38", "38")]
    assert lessons_report(tmp_path, "2026-01-20")["Data Engineering"] == 8
    assert pg_db.value("select count(*) from school_dv.h_lesson where lesson_id = 90003") == "0"


def clickhouse_report(tmp_path, ds):
    path = tmp_path / "reports" / "lessons_per_course_clickhouse" / ("date=" + ds) / "report.csv"
    with open(path) as f:
        return {r["course_title"]: int(r["lessons_qty"]) for r in csv.DictReader(f)}


def test_school_datamart_in_clickhouse(daemon, pg_db, ch_db, tmp_path):
    """Seed 002's datamart in a real ClickHouse server, as in the original:
    the same vault as above, the rows ClickHouse lacks inserted by
    clickhouse-client, nothing inserted when nothing is new, exactly the new
    rows after the source grows, and the lessons-per-course report equal
    to the PostgreSQL variant's."""
    d = start_daemon(daemon, pg_db, ch_db.url)
    rep = {"report_dir": str(tmp_path / "reports")}
    run_ok(d, "school_vault", "2026-01-05", {})
    _, t = run_ok(d, "school_datamart_clickhouse", "2026-01-05", rep)
    assert t["t_find_new_rows"]["outputs"] == {"n_new": "18"}
    assert t["l_update_datamart"]["outputs"] == {"n_rows": "18"}
    assert clickhouse_report(tmp_path, "2026-01-05") == {
        "Data Analysis": 6, "Data Science": 6, "Data Engineering": 6}

    run_ok(d, "school_vault", "2026-01-20", {})
    _, t = run_ok(d, "school_datamart_clickhouse", "2026-01-20", rep)
    assert t["t_find_new_rows"]["outputs"] == {"n_new": "18"}
    run_ok(d, "school_datamart", "2026-01-20", rep)
    assert clickhouse_report(tmp_path, "2026-01-20") == lessons_report(tmp_path, "2026-01-20")
    assert ch_db.value("SELECT count() FROM dm_courses_modules_lessons_streams") == "36"
    # what ClickHouse holds is the vault's current rows, column for column
    want = sorted(tuple(r) for r in pg_db.psql(
        "select lesson_id, lesson_title, module_title, stream_name, course_title from school_dv.v_current"))
    got = sorted(tuple(r) for r in ch_db.query(
        "SELECT h_lesson_id, h_lesson_title, h_module_title, h_stream_name, h_course_title "
        "FROM dm_courses_modules_lessons_streams FINAL"))
    assert got == want and len(got) == 36

    # nothing new: no insert, no report
    _, t = run_ok(d, "school_datamart_clickhouse", "2026-01-20", rep)
    assert t["t_find_new_rows"]["state"] == "skipped" and t["t_find_new_rows"]["outputs"] == {"n_new": "0"}
    assert t["l_update_datamart"]["state"] == t["lessons_per_course"]["state"] == "skipped"
    assert ch_db.value("SELECT count() FROM dm_courses_modules_lessons_streams") == "36"

    # one new lesson and one renamed: exactly those two rows are inserted
    pg_db.psql("""
        insert into school_src.stream_module_lesson (id, stream_module_id, title, start_at, end_at,
                                                     teacher_id, created_at, updated_at)
        values (90001, 3023, 'Data Engineering: guest lecture', '2026-02-01 18:00', '2026-02-01 19:00',
                3, '2026-01-19 10:00', '2026-01-19 10:00');
        update school_src.stream_module_lesson set title = title || ' (revised)', updated_at = '2026-01-19 11:00'
        where id = (select min(id) from school_src.stream_module_lesson)""")
    run_ok(d, "school_vault", "2026-01-20", {})
    _, t = run_ok(d, "school_datamart_clickhouse", "2026-01-20", rep)
    assert t["t_find_new_rows"]["outputs"] == {"n_new": "2"}
    assert t["l_update_datamart"]["outputs"] == {"n_rows": "37"}
    # 38 rows until ClickHouse merges the renamed lesson's two versions, 37 after
    assert ch_db.value("SELECT count() FROM dm_courses_modules_lessons_streams") in ("37", "38")
    assert ch_db.value("SELECT count() FROM dm_courses_modules_lessons_streams FINAL") == "37"
    want = {r[0]: int(r[1]) for r in rows(pg_db, LESSONS_FROM_SOURCE)}
    assert clickhouse_report(tmp_path, "2026-01-20") == want


# --- seed 003: b2b reports, a 30-day catchup -------------------------------

LOG_RE = re.compile(r'^([0-9A-Fa-f:.]+) [^ "]+ ([^ "]+) \[([^]"]+)\] "([^ "]+) ([^ "]+) ([^"]*)" ([0-9]{3}) ([0-9]+|-) '
                    r'"([^"]*)" "([^"]*)"$')


def device_of(ua):
    for pat, name in ((r"(?i)bot|crawler|spider", "Bot"), ("iPad", "iPad"), ("iPhone", "iPhone")):
        if re.search(pat, ua):
            return name
    if "Android" in ua:
        return "Android phone" if "Mobile" in ua else "Android tablet"
    for pat, name in (("Windows", "Windows PC"), ("Macintosh", "Mac"), ("Linux|X11", "Linux PC")):
        if re.search(pat, ua):
            return name
    return "Other"


def b2b_expected(data, last_ds, window=30, top_n=5):
    """The three reports of last_ds, from the generated files."""
    end = datetime.combine(date.fromisoformat(last_ds), datetime.min.time()) + timedelta(days=1)
    begin = end - timedelta(days=window)
    day = os.path.join(data, "b2b", "date=" + last_ds)

    def table(name):
        with open(os.path.join(day, name + ".csv")) as f:
            return list(csv.DictReader(f))
    companies = {int(r["company_id"]): r for r in table("company")}
    customers = {int(r["customer_id"]): int(r["company_id"]) for r in table("customer")}
    products = {int(r["product_id"]): r["name"] for r in table("product")}
    orders, lines = {}, []
    for path in glob.glob(os.path.join(data, "b2b", "date=*", "orders.csv")):
        with open(path) as f:
            for r in csv.DictReader(f):
                orders[r["order_id"]] = r
        with open(path.replace("orders.csv", "sales.csv")) as f:
            lines += list(csv.DictReader(f))

    monthly = collections.defaultdict(lambda: [set(), set(), 0, Decimal(0)])
    y, mo = date.fromisoformat(last_ds).year, date.fromisoformat(last_ds).month - 11
    first_month = date(y - 1, mo + 12, 1) if mo <= 0 else date(y, mo, 1)
    for s in lines:
        o = orders[s["order_id"]]
        t = datetime.fromisoformat(o["order_ts"])
        if o["status"] == "cancelled" or t >= end or t.date() < first_month:
            continue
        m = monthly[month(t.date())]
        m[0].add(o["order_id"]), m[1].add(o["customer_id"])
        m[2] += int(s["quantity"])
        m[3] += int(s["quantity"]) * Decimal(s["unit_price"])
    monthly = {k: (len(v[0]), len(v[1]), v[2], v[3]) for k, v in monthly.items()}

    with open(glob.glob(os.path.join(data, "ip2geo", "date=*", "*.CSV"))[0]) as f:
        geo = [(int(a), int(b), c, n) for a, b, c, n in csv.reader(f)]
    starts = [g[0] for g in geo]
    devices = collections.defaultdict(lambda: [set(), 0])
    logins = collections.defaultdict(set)
    for path in glob.glob(os.path.join(data, "weblog", "access_log_*.log")):
        with open(path) as f:
            for line in f:
                m = LOG_RE.match(line.rstrip("\n"))
                if not m or m.group(2) == "-":
                    continue
                t = datetime.strptime(m.group(3), "%d/%b/%Y:%H:%M:%S %z").replace(tzinfo=None)
                if not begin <= t < end:
                    continue
                dv = devices[device_of(m.group(10))]
                dv[0].add(m.group(2))
                dv[1] += 1
                if m.group(4) == "POST" and m.group(5) == "/login" and m.group(7) == "302":
                    a, b, c, d4 = (int(x) for x in m.group(1).split("."))
                    n = a << 24 | b << 16 | c << 8 | d4
                    g = geo[bisect.bisect_right(starts, n) - 1]
                    if g[2] != "-" and n <= g[1]:
                        logins[(g[2], g[3])].add(m.group(2))
    ranked = sorted(devices.items(), key=lambda kv: (-len(kv[1][0]), -kv[1][1], kv[0]))[:5]
    popular_devices = [(i + 1, k, len(v[0]), v[1]) for i, (k, v) in enumerate(ranked)]

    (code, name), users = min(logins.items(), key=lambda kv: (-len(kv[1]), kv[0][0]))
    sold = collections.defaultdict(lambda: [0, Decimal(0)])
    for s in lines:
        o = orders[s["order_id"]]
        t = datetime.fromisoformat(o["order_ts"])
        if o["status"] == "cancelled" or not begin <= t < end:
            continue
        if companies[customers[int(o["customer_id"])]]["country_code"] != code:
            continue
        p = sold[int(s["product_id"])]
        p[0] += int(s["quantity"])
        p[1] += int(s["quantity"]) * Decimal(s["unit_price"])
    ranked = sorted(sold.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))[:top_n]
    popular_products = [(code, name, len(users), i + 1, pid, products[pid], u, r)
                        for i, (pid, (u, r)) in enumerate(ranked)]
    return monthly, popular_devices, popular_products


def read_report(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def max_overlap(intervals):
    events = sorted([(s, 1) for s, e in intervals] + [(e, -1) for s, e in intervals],
                    key=lambda x: (x[0], x[1]))
    cur = top = 0
    for _, step in events:
        cur += step
        top = max(top, cur)
    return top


SEED_003 = ("b2b_ingest", "ip2geo_ingest", "weblog_ingest",
            "report_monthly_sales", "report_popular_devices", "report_popular_products")


def catchup_copy(dst, dag, end, defaults):
    """Copy config/dags/<dag>.yaml into dst as a user would adapt it for a
    catchup: switched on, an end_date, its root absolute and some params'
    defaults changed (a scheduled run takes the defaults). Nothing else."""
    with open(os.path.join(DAGS, dag + ".yaml")) as f:
        text = f.read()
    text = text.replace("\npaused: true\n", "\npaused: false\n", 1)
    text = text.replace("\nroot: ../..\n", "\nroot: %s\nend_date: \"%s\"\n" % (ROOT, end), 1)
    for name, value in defaults.items():
        text, n = re.subn(r"(?m)^(  %s: \{default: )[^,}]+" % name, r"\g<1>%s" % value, text)
        assert n == 1, (dag, name)
    assert "paused: false" in text and "end_date" in text, dag
    with open(os.path.join(dst, dag + ".yaml"), "w") as f:
        f.write(text)


def test_b2b_reports_catchup_30_days(daemon, pg_db, tmp_path):
    """A real catchup: the six DAGs of seed 003, on from their start_date
    (2026-01-01; ip2geo 2025-12-01) with an end_date after 30 days, so
    the scheduler creates every run itself; the reports wait through their
    sensors and the warehouse pool caps the data tasks."""
    data, reports = str(tmp_path / "data"), str(tmp_path / "reports")
    dags = tmp_path / "dags"
    dags.mkdir()
    size = {"companies": 12, "products": 10}
    for dag in SEED_003:
        defaults = {"report_dir": reports} if dag.startswith("report_") else {"data_dir": data}
        if dag == "b2b_ingest":
            defaults.update(size, orders=8)
        if dag == "weblog_ingest":
            defaults.update(size, requests=30)
        catchup_copy(str(dags), dag, "2026-01-30T23:59:59Z", defaults)
    d = start_daemon(daemon, pg_db, dags=str(dags))
    days = [(date(2026, 1, 1) + timedelta(days=i)).isoformat() for i in range(30)]
    runs = {}
    for dag, n in (("ip2geo_ingest", 2), ("b2b_ingest", 30), ("weblog_ingest", 120),
                   ("report_monthly_sales", 30), ("report_popular_devices", 30),
                   ("report_popular_products", 30)):
        runs[dag] = [d.run(dag, r["run_id"]) for r in wait_all(d, dag, n, timeout=150)]
        assert len(runs[dag]) == n and all(r["run_type"] == "scheduled" for r in runs[dag]), dag
        bad = [(r["run_id"], r["state"]) for r in runs[dag] if r["state"] != "success"]
        assert not bad, (dag, bad, d.daemon_log())
    first = min(parse_time(r["start"]) for rs in runs.values() for r in rs)
    last = max(parse_time(r["end"]) for rs in runs.values() for r in rs)
    with open("/proc/%d/status" % d.proc.pid) as f:
        hwm = [line.split()[1] for line in f if line.startswith("VmHWM")][0]
    rss, cpu = [], 0   # each try's result record (logs/<dag>/<run>/<task>/<try>.result)
    for p in glob.glob(os.path.join(os.path.dirname(d.config), "logs", "*", "*", "*", "*.result")):
        with open(p) as f:
            rec = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
        rss.append(int(rec["max_rss_kb"]))
        cpu += int(rec["user_us"]) + int(rec["sys_us"])
    print("\nseed 003 catchup: %d runs, %d tries in %.1f s; dagd peak RSS %.1f MiB, workers' peak "
          "RSS %.1f MiB, workers' CPU %.1f s" % (sum(map(len, runs.values())), len(rss), last - first,
                                                 int(hwm) / 1024, max(rss) / 1024, cpu / 1e6))

    # every report started only after what its sensors wait for had ended
    b2b = {r["logical_date"][:10]: parse_time(r["end"]) for r in runs["b2b_ingest"]}
    weblog = collections.defaultdict(list)
    for r in runs["weblog_ingest"]:
        weblog[r["logical_date"][:10]].append(parse_time(d.tasks(r)["parse"]["end"]))
    geo_end = parse_time(runs["ip2geo_ingest"][0]["end"])
    for dag, task, waits in (("report_monthly_sales", "monthly_sales", ["b2b"]),
                             ("report_popular_devices", "popular_devices", ["weblog"]),
                             ("report_popular_products", "popular_products", ["b2b", "weblog", "ip2geo"])):
        prev_end = 0
        for r in runs[dag]:
            ds, t = r["logical_date"][:10], d.tasks(r)
            upstream = []
            if "b2b" in waits:
                upstream.append(b2b[ds])
            if "weblog" in waits:
                assert len(weblog[ds]) == 4
                upstream += weblog[ds]
            if "ip2geo" in waits:
                upstream.append(geo_end)
            began = parse_time(t[task]["start"])
            assert began >= max(upstream), (dag, ds)
            for s in ("wait_b2b", "wait_weblog", "wait_ip2geo"):
                if s in t:
                    assert t[s]["state"] == "success" and t[s]["pool"] is None
            assert began >= prev_end, (dag, ds)      # one day after the other (max_active_runs 1)
            prev_end = parse_time(t[task]["end"])
            assert os.path.exists(os.path.join(reports, task, "date=" + ds, "report.csv"))
    # at most the pool's size of warehouse tasks at once (and the pool was used)
    tries = [(parse_time(t["start"]), parse_time(t["end"]))
             for rs in runs.values() for r in rs for t in r["tasks"]
             if t["pool"] == "warehouse" and t["start"] and t["end"]]
    assert len(tries) > 700
    assert max_overlap(tries) == POOL

    # the last day's reports, against the generated files
    monthly, devices, products = b2b_expected(data, days[-1])
    got = {r["month"]: (int(r["orders"]), int(r["customers"]), int(r["units"]), Decimal(r["revenue"]))
           for r in read_report(os.path.join(reports, "monthly_sales", "date=2026-01-30", "report.csv"))}
    assert got == monthly and list(got) == ["2026-01-01"]
    got = [(int(r["rank"]), r["device"], int(r["clients"]), int(r["requests"]))
           for r in read_report(os.path.join(reports, "popular_devices", "date=2026-01-30", "report.csv"))]
    assert got == devices
    got = [(r["country_code"], r["country_name"], int(r["login_users"]), int(r["rank"]), int(r["product_id"]),
            r["product_name"], int(r["units"]), Decimal(r["revenue"]))
           for r in read_report(os.path.join(reports, "popular_products", "date=2026-01-30", "report.csv"))]
    assert got == products and len(got) == 5
    # the datamart keeps a slice per day; rejected log lines are kept aside
    assert pg_db.value("select count(distinct report_ds) from b2b_mart.popular_devices") == "30"
    assert pg_db.value("select count(distinct report_ds) from b2b_mart.monthly_sales") == "30"
    assert pg_db.value("select count(*) from b2b_mart.monthly_sales where report_ds = '2026-01-15'") == "1"
    lines = sum(1 for p in glob.glob(os.path.join(data, "weblog", "*.log")) for _ in open(p))
    assert pg_db.value("select (select count(*) from b2b_lake.weblog) + "
                       "(select count(*) from b2b_lake.weblog_rejects)") == str(lines)


# --- seed 004: session estimate --------------------------------------------

def read_events(paths):
    out = set()
    for p in paths:
        with open(p) as f:
            r = csv.reader(f, delimiter=";")
            next(r)
            out.update(tuple(row) for row in r)
    return out


def sessions_of(events):
    by_key = collections.defaultdict(list)
    for e in events:
        by_key[(e[0].lower(), e[3].lower())].append(e)
    out = {}
    for key, evs in by_key.items():
        evs.sort(key=lambda e: e[7])
        n, cur = 0, None
        for e in evs:
            t = datetime.fromisoformat(e[7])
            if cur is None or t - cur[-1][0] >= timedelta(minutes=15):
                n += 1
                out[key + (n,)] = cur = []
            cur.append((t, e[5]))
    return {k: (v[0][0].isoformat(" "), v[-1][0].isoformat(" "), len(v),
                "Y" if any(re.search("Ride Started|Ride Done|Rating Screen", x[1]) for x in v) else "N")
            for k, v in out.items()}


SESSIONS_SQL = ("select anonymous_id, device_id, session_no, started_at, ended_at, n_events, "
                "successful_booking from mobile.sessions")


def db_sessions(db):
    return {(r[0], r[1], int(r[2])): (r[3], r[4], int(r[5]), r[6]) for r in rows(db, SESSIONS_SQL)}


def test_session_estimate_incremental(daemon, pg_db, tmp_path):
    d = start_daemon(daemon, pg_db)
    data = tmp_path / "data"
    conf = {"data_dir": str(data), "report_dir": str(tmp_path / "reports"), "users": 40, "seed": 9}
    _, t10 = run_ok(d, "session_estimate", "2026-01-10", conf)
    _, t11 = run_ok(d, "session_estimate", "2026-01-11", conf)
    f10, f11 = str(data / "mobile_events_20260110.csv"), str(data / "mobile_events_20260111.csv")
    e10, e11 = read_events([f10]), read_events([f11])
    overlap = e10 & e11
    assert overlap, "the generator repeats the previous day's last two hours"
    assert t11["find_new"]["outputs"] == {"n_new": len(e11 - e10), "n_read": sum(1 for _ in open(f11)) - 1}
    events = e10 | e11
    assert pg_db.value("select count(*) from mobile.events") == str(len(events))
    want = sessions_of(events)
    assert db_sessions(pg_db) == want
    assert t11["sessions"]["outputs"] == {
        "n_sessions": len(want), "n_booked": sum(v[3] == "Y" for v in want.values())}
    assert 0 < sum(v[3] == "Y" for v in want.values()) < len(want)
    day = [v for v in want.values() if v[0].startswith("2026-01-11")]
    rep = read_report(str(tmp_path / "reports" / "session_estimate" / "date=2026-01-11" / "report.csv"))
    assert sum(int(r["sessions"]) for r in rep) == len(day)
    assert sum(int(r["booked"]) for r in rep) == sum(v[3] == "Y" for v in day)

    # unchanged export: nothing new, everything downstream skipped
    _, t = run_ok(d, "session_estimate", "2026-01-11", conf)
    assert t["find_new"]["state"] == "skipped" and t["find_new"]["outputs"]["n_new"] == 0
    assert all(t[k]["state"] == "skipped" for k in ("load_new", "sessions", "report"))
    assert pg_db.value("select count(*) from mobile.events") == str(len(events))

    # the export grows: three new rows (a late session, after midnight) and a
    # repeated one
    user = sorted(events)[0]
    late = [[user[0], user[1], user[2], user[3], user[4], name, "2026-01-12 03:0%d:05" % i,
             "2026-01-12 03:0%d:00" % i]
            for i, name in enumerate(["Application Opened", "Map Viewed", "Ride Started - Successful"])]
    with open(f11, "a") as f:
        for row in late + [list(sorted(e11)[0])]:
            f.write(";".join(row) + "\n")
    _, t = run_ok(d, "session_estimate", "2026-01-11", dict(conf, generate=False))
    assert t["generate"]["state"] == "skipped"
    assert t["find_new"]["outputs"]["n_new"] == 3
    events |= {tuple(r) for r in late}
    assert pg_db.value("select count(*) from mobile.events") == str(len(events))
    want = sessions_of(events)
    assert db_sessions(pg_db) == want
    key = (user[0].lower(), user[3].lower())
    last = max(k for k in want if k[:2] == key)
    assert want[last][2:] == (3, "Y") and want[last][0] == "2026-01-12 03:00:00"


def test_dagd_run_one_day_of_seed_003_in_the_foreground(pg_db, tmp_path):
    """The README's way without a daemon: `dagd run --config` of the
    ingestion DAGs, then of a report, whose sensors find those runs in the
    config's store (a `within` sensor needs the other DAG's schedule, which
    `dagd run` loads for it)."""
    cfg = tmp_path / "dagd.yaml"
    cfg.write_text("dags_folder: %s\nstate: sqlite://state.db\nlogs_folder: logs\ntimezone: UTC\n"
                   "pools: {warehouse: 4}\nconnections:\n  warehouse: {url: \"%s\"}\n"
                   "  clickhouse: {url: \"%s\", type: clickhouse}\n" % (DAGS, pg_db.url, NO_CLICKHOUSE))
    data = {"data_dir": str(tmp_path / "data"), "companies": 5, "products": 6}
    env = {"PATH": "/usr/bin:/bin", "DAGD_JOB_BIN": JOB,
           "DAGD_SQL_BIN": os.environ.get("DAGD_SQL_BIN", os.path.join(ROOT, "build", "dagd-sql"))}

    def dagd_run(dag, when, conf):
        r = subprocess.run([DAGD, "run", "--config", str(cfg), dag, when,
                            "--conf", json.dumps(conf)], capture_output=True, text=True, timeout=60, env=env)
        assert r.returncode == 0, r.stderr
        return r.stderr
    for h in (0, 6, 12, 18):
        dagd_run("weblog_ingest", "2026-01-10T%02d:00:00Z" % h, dict(data, requests=20))
    out = dagd_run("report_popular_devices", "2026-01-10", {"report_dir": str(tmp_path / "reports")})
    assert "wait_weblog" in out and "success in" in out.splitlines()[-1]
    got = read_report(str(tmp_path / "reports" / "popular_devices" / "date=2026-01-10" / "report.csv"))
    assert 1 <= len(got) <= 5
