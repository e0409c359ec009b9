-- 001_init.sql - the first state-store schema for SQLite: DAGs, runs, task
-- instances and the try history (DESIGN.md section 4). Embedded into dagd
-- at build time and applied by store_sqlite.c in one transaction when
-- schema_version says it is missing. Times ending in _us are microseconds
-- since the epoch (UTC), 0 = not yet; logical dates are seconds.
-- Keep sql/schema/postgres/001_init.sql in step with this file.

CREATE TABLE IF NOT EXISTS schema_version (
	version INTEGER PRIMARY KEY
);

CREATE TABLE dags (
	dag           TEXT PRIMARY KEY,
	paused        INTEGER NOT NULL CHECK (paused IN (0, 1)),
	first_seen_us INTEGER NOT NULL
);

CREATE TABLE runs (
	id                  INTEGER PRIMARY KEY,
	dag                 TEXT NOT NULL,
	run_id              TEXT NOT NULL,
	run_type            TEXT NOT NULL CHECK (run_type IN ('scheduled', 'manual', 'backfill')),
	logical_date        INTEGER NOT NULL,
	data_interval_start INTEGER NOT NULL,
	data_interval_end   INTEGER NOT NULL,
	state               TEXT NOT NULL,
	conf                TEXT NOT NULL DEFAULT '{}',
	created_us          INTEGER NOT NULL DEFAULT 0,
	start_us            INTEGER NOT NULL DEFAULT 0,
	end_us              INTEGER NOT NULL DEFAULT 0,
	UNIQUE (dag, run_id)
);
-- One scheduled and one backfill run per logical date: what makes run
-- creation idempotent (store_run_insert upserts against this index).
CREATE UNIQUE INDEX runs_logical_key ON runs (dag, logical_date, run_type)
	WHERE run_type IN ('scheduled', 'backfill');
-- Run lists, newest first, with and without a state filter.
CREATE INDEX runs_by_date ON runs (dag, logical_date DESC, id DESC);
CREATE INDEX runs_by_dag_state ON runs (dag, state, logical_date DESC, id DESC);
-- Unfinished runs at start (store_load_active).
CREATE INDEX runs_by_state ON runs (state);

CREATE TABLE task_instances (
	id             INTEGER PRIMARY KEY,
	run            INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	task           TEXT NOT NULL,
	state          TEXT NOT NULL,
	try_number     INTEGER NOT NULL DEFAULT 0,
	start_us       INTEGER NOT NULL DEFAULT 0,
	end_us         INTEGER NOT NULL DEFAULT 0,
	ready_us       INTEGER NOT NULL DEFAULT 0,
	next_us        INTEGER NOT NULL DEFAULT 0,
	first_start_us INTEGER NOT NULL DEFAULT 0,
	exit_code      INTEGER NOT NULL DEFAULT -1,
	signal         INTEGER NOT NULL DEFAULT 0,
	pid            INTEGER NOT NULL DEFAULT 0,
	pid_start      INTEGER NOT NULL DEFAULT 0,
	outputs        TEXT,
	pool           TEXT,
	UNIQUE (run, task)
);

CREATE TABLE tries (
	id         INTEGER PRIMARY KEY,
	ti         INTEGER NOT NULL REFERENCES task_instances (id) ON DELETE CASCADE,
	try_number INTEGER NOT NULL,
	state      TEXT NOT NULL,
	start_us   INTEGER NOT NULL DEFAULT 0,
	end_us     INTEGER NOT NULL DEFAULT 0,
	exit_code  INTEGER NOT NULL DEFAULT -1,
	signal     INTEGER NOT NULL DEFAULT 0,
	pid        INTEGER NOT NULL DEFAULT 0,
	outputs    TEXT,
	UNIQUE (ti, try_number)
);
