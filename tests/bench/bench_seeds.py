#!/usr/bin/python3
"""bench_seeds.py - the footprint of the five seed pipelines on dagd.

Starts a throwaway PostgreSQL (tests/integration/pg.py) and runs each seed
pipeline of config/dags with `dagd run --config` (a SQLite store in a temp
dir, the warehouse pool at 4) on generated data, small (the DAGs' defaults)
and large. Each pipeline starts from an empty warehouse and an empty store.
Prints, per pipeline: tries, wall time, dagd's peak RSS (wait4 of `dagd
run`, by GNU time), the largest peak RSS of its workers and their CPU time (the result
record of every try), as medians of --repeat runs (default 3; large data
once). PostgreSQL's own memory is not counted; the reference is what the
original stacks need before any task runs: Airflow's Docker quick start asks
for at least 4 GB for its containers, and a Spark driver defaults to a 1 GB
heap.

  /usr/bin/python3 tests/bench/bench_seeds.py [--repeat N] [--small-only]
"""
import argparse
import glob
import json
import os
import shutil
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import pg  # noqa: E402  (the throwaway server of the integration suite)
sys.path.insert(0, HERE)
import measure  # noqa: E402

BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
DAGD = os.path.join(BUILD, "dagd")


def seed_003(orders, requests):
    data = {"companies": 40, "products": 30}
    steps = [("ip2geo_ingest", "2025-12-01", {}),
             ("b2b_ingest", "2026-01-10", dict(data, orders=orders))]
    steps += [("weblog_ingest", "2026-01-10T%02d:00:00Z" % h, dict(data, requests=requests))
              for h in (0, 6, 12, 18)]
    steps += [(r, "2026-01-10", {"report": True}) for r in
              ("report_monthly_sales", "report_popular_devices", "report_popular_products")]
    return steps


def vault(ds, **size):
    return [("school_vault", ds, size), ("school_datamart", ds, {"report": True})]


# (name, small steps, large steps, what the large data is)
PIPELINES = [
    ("000 feature_analytics", [("feature_analytics", "2026-03-31", {"users": 1000})],
     [("feature_analytics", "2026-03-31", {"users": 20000})], "20,000 users"),
    ("001 event_ingestion", [("event_ingestion", "2026-01-10", {"users": 1000})],
     [("event_ingestion", "2026-01-10", {"users": 50000})], "50,000 users"),
    ("002 school_vault + school_datamart", vault("2026-01-20"),
     vault("2026-03-31", courses=60, streams=10, modules=9, lessons=9),
     "60 courses x 10 streams x 9 modules x 9 lessons, to 03-31"),
    ("003 six DAGs, one day (9 runs)", seed_003(60, 400), seed_003(5000, 50000),
     "5,000 orders, 4 x 50,000 log lines"),
    ("004 session_estimate", [("session_estimate", "2026-01-10", {"users": 300})],
     [("session_estimate", "2026-01-10", {"users": 20000})], "20,000 users"),
]

DROP_SCHEMAS = """do $$ declare s text; begin
  for s in select nspname from pg_namespace
           where nspname not like 'pg\\_%' and nspname not in ('public', 'information_schema')
  loop execute format('drop schema %I cascade', s); end loop; end $$"""


def conf_for(dag, conf, work):
    c = {k: v for k, v in conf.items() if k != "report"}
    if dag not in ("school_vault", "school_datamart") and not dag.startswith("report_"):
        sub = {"b2b_ingest": "b2b", "ip2geo_ingest": "b2b", "weblog_ingest": "b2b"}.get(dag, dag)
        c["data_dir"] = os.path.join(work, "data", sub)
    if dag in ("feature_analytics", "event_ingestion", "session_estimate") or conf.get("report"):
        c["report_dir"] = os.path.join(work, "reports")
    return c


def run_pipeline(db, steps):
    """One run of the steps from an empty warehouse and store: a dict of figures."""
    db.psql(DROP_SCHEMAS)
    work = tempfile.mkdtemp(prefix="dagd-seed-")
    try:
        cfg = os.path.join(work, "dagd.yaml")
        with open(cfg, "w") as f:
            f.write("dags_folder: %s\nstate: sqlite://state.db\nlogs_folder: logs\ntimezone: UTC\n"
                    "pools: {warehouse: 4}\nconnections:\n  warehouse: {url: \"%s\"}\n"
                    "  clickhouse: {url: \"clickhouse://127.0.0.1:1/none\", type: clickhouse}\n"
                    % (os.path.join(ROOT, "config", "dags"), db.url))
        env = dict(os.environ, DAGD_JOB_BIN=os.path.join(BUILD, "dagd-job"),
                   DAGD_SQL_BIN=os.path.join(BUILD, "dagd-sql"))
        wall, dagd_rss = 0.0, 0
        for dag, when, conf in steps:
            r = measure.timed([DAGD, "run", "--config", cfg, dag, when, "--conf",
                               json.dumps(conf_for(dag, conf, work))], env=env)
            if r.rc != 0:
                sys.exit("bench_seeds: dagd run %s %s failed:\n%s" % (dag, when, r.out[-3000:]))
            wall += r.seconds
            dagd_rss = max(dagd_rss, r.rss_kb)
        tries, worker_rss, cpu_us = 0, 0, 0
        for path in glob.glob(os.path.join(work, "logs", "*", "*", "*", "*.result")):
            with open(path) as f:
                rec = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
            tries += 1
            worker_rss = max(worker_rss, int(rec["max_rss_kb"]))
            cpu_us += int(rec["user_us"]) + int(rec["sys_us"])
        return {"tries": tries, "wall": wall, "dagd_rss": dagd_rss, "worker_rss": worker_rss,
                "cpu": cpu_us / 1e6}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def medians(runs):
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def row(name, m, n):
    print("| %s | %d | %.2f s | %.1f MiB | %.1f MiB | %.2f s | %d |"
          % (name, m["tries"], m["wall"], m["dagd_rss"] / 1024, m["worker_rss"] / 1024, m["cpu"], n))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_RUNS", "3")))
    ap.add_argument("--small-only", action="store_true")
    args = ap.parse_args()
    server = pg.Postgres().start()
    try:
        db = server.create_db("seeds")
        print("\nseed pipelines with `dagd run --config` (medians; PostgreSQL's memory not counted)")
        print("| pipeline | tries | wall | dagd peak RSS | largest worker peak RSS | workers' CPU | runs |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name, small, large, what in PIPELINES:
            row(name + " (small)", medians([run_pipeline(db, small) for _ in range(args.repeat)]),
                args.repeat)
            sys.stdout.flush()
            if not args.small_only:
                row("%s (%s)" % (name, what), medians([run_pipeline(db, large)]), 1)
                sys.stdout.flush()
        print("reference, the original stacks before any task runs: Airflow's Docker quick start "
              "asks for at least 4 GB for its containers; a Spark driver defaults to a 1 GB heap")
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
