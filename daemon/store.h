/*
 * store.h - the state store behind one small interface, so SQLite (the
 * embedded default, store_sqlite.c) and PostgreSQL can both back it. Only
 * store_*.c include sqlite3.h or libpq-fe.h.
 *
 * Writes are batched: the first write of a loop turn opens a transaction,
 * store_commit() (called once per turn from a uv_prepare handle, before any
 * effect of the turn is released) ends it. A transition is therefore on
 * disk before a worker is spawned or a downstream task is queued.
 * Every call returns 0 or a negative DAGD_E* code; a failed write leaves
 * the store usable. The store logs the backend's message of a DAGD_ESTORE
 * failure (module "store"); the caller logs what it could not do, once.
 */
#ifndef DAGD_STORE_H
#define DAGD_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "model.h"

struct store;

/*
 * Open the store named by url ("sqlite:///abs/path.db", "sqlite://rel/path.db"
 * relative to the working directory, "sqlite://:memory:" for a throwaway
 * one; postgresql:// once that backend exists), creating it (and its
 * directory) and applying, in one transaction, the embedded migrations
 * (sql/schema/<backend>/NNN_*.sql) newer than schema_version records.
 * SQLite runs in WAL mode with synchronous=NORMAL: a commit survives a
 * crash of the process, not necessarily of the host; DAGD_STORE_SYNC=full
 * makes every commit survive a power loss too (slower).
 */
int store_open(const char *url, struct store **out, char *err, size_t errlen);
/* Commits a pending transaction, then closes. NULL is a no-op. */
void store_close(struct store *st);

/* Commit the transaction of this turn, if one is open. */
int store_commit(struct store *st);
/* true when writes are waiting for store_commit(). */
bool store_pending(const struct store *st);
/* Microseconds the last commit took (for /metrics). */
int64_t store_last_commit_us(const struct store *st);

/* --- runs and task instances ------------------------------------------- */

/*
 * Insert run r and a row per task instance of r (r->tis filled by the
 * caller with state none). For scheduled and backfill runs the unique key
 * (dag, logical_date, run_type) makes this idempotent: when the run exists
 * already, *existed is set, nothing is written and r->id and the ti ids
 * are those of the stored run. Otherwise sets r->id and ti ids. A run_id
 * of dag that is taken already (a manual run) is DAGD_ECONFLICT. Needs
 * r->dag for the task names (r->dag->tasks[ti->task].id).
 */
int store_run_insert(struct store *st, struct run *r, bool *existed);
/* Persist r's state, start and end. */
int store_run_update(struct store *st, const struct run *r);
/* Persist every field of ti that changes (state, try, times, pid, exit, outputs, pool). */
int store_ti_update(struct store *st, const struct ti *ti);
/* Record a finished try in the try history (one row per try: recording
 * the same try_number again overwrites it). */
int store_try_insert(struct store *st, const struct ti *ti);

/*
 * Call fn for every run that is not finished (queued or running), with its
 * task instances, to rebuild the scheduler after a start. fn receives a
 * run whose dag is NULL and whose tis carry only stored fields; task names
 * come in task_names (parallel to r->tis) and ti->task is the position in
 * r->tis until the caller maps the names. Runs come oldest first (logical
 * date, then creation). fn takes ownership of r and task_names: r, its
 * strings, r->tis (with outputs and pool), the names array and each name
 * are separate xmalloc blocks. fn may call the store.
 */
typedef void (*store_run_cb)(void *ctx, struct run *r, char **task_names);
int store_load_active(struct store *st, store_run_cb fn, void *ctx);

/* Load one run (any state) with its task instances, as store_load_active
 * does; DAGD_ENOENT when there is none. */
int store_run_load(struct store *st, const char *dag, const char *run_id, store_run_cb fn,
		   void *ctx);

/* The latest logical date of a scheduled or backfill run of dag; 0 and
 * *found=false when there is none. */
int store_last_logical(struct store *st, const char *dag, int64_t *logical, bool *found);
/* State of task (NULL: the whole run) in the most recent run of dag whose
 * logical date is `logical`; *found=false when no such run (or that run
 * has no such task). */
int store_state_at(struct store *st, const char *dag, const char *task, int64_t logical,
		   char state[32], bool *found);

/* State of task (NULL: the run) in dag's most recent run whose
 * data_interval_end <= max_end; *found=false when none. */
int store_state_latest(struct store *st, const char *dag, const char *task, int64_t max_end,
		       char state[32], bool *found);

/* --- DAGs --------------------------------------------------------------- */

/* Insert the DAG if new (paused as given), else leave it. Returns its paused flag. */
int store_dag_upsert(struct store *st, const char *dag, bool paused_initial, bool *paused);
int store_dag_set_paused(struct store *st, const char *dag, bool paused);

/* --- audit log and counts ----------------------------------------------- */

/* Record a mutating call (written with this turn's transaction). */
int store_audit_add(struct store *st, int64_t at_us, const char *who, const char *action,
		    const char *dag, const char *detail);
/* {"items": [{"at", "who", "action", "dag", "detail"}], "total"}, newest first. */
int store_audit_list(struct store *st, int limit, int offset, json_t **out);
/* {"dag": ["success", ...newest first, at most n], ...} for every DAG, in one query. */
int store_last_states_all(struct store *st, int n, json_t **out);
/* {"success": N, "failed": N, ...}: runs by state. */
int store_run_counts(struct store *st, json_t **out);

/* --- reads for the API (jansson objects, shapes of DESIGN.md section 6) ---
 * The caller owns *out (json_decref). Logical dates and data intervals are
 * RFC 3339 UTC seconds ("2026-01-10T00:00:00Z"); start and end have
 * milliseconds ("2026-01-10T03:00:00.123Z") and are null when not yet.
 * exit_code is null until a try has ended and when a signal killed it;
 * outputs is an object or null, conf an object. */

/* {"items": [...runs newest first], "total": N}; state may be NULL.
 * limit <= 0 means no limit; total counts every match. */
int store_runs_list(struct store *st, const char *dag, const char *state, int limit,
		    int offset, json_t **out);
/* A run with "tasks": [...]; DAGD_ENOENT when there is none. */
int store_run_get(struct store *st, const char *dag, const char *run_id, json_t **out);
/* Tries of one task instance, oldest first: [{"try_number", "state", "start",
 * "end", "exit_code", "pid"}], the current try (not yet recorded by
 * store_try_insert) last with the task instance's state; DAGD_ENOENT when
 * there is no such task instance. */
int store_tries_list(struct store *st, const char *dag, const char *run_id, const char *task,
		     json_t **out);
/* The last n run states of dag, newest first: ["success", ...]. */
int store_last_states(struct store *st, const char *dag, int n, json_t **out);
/*
 * The grid view of dag's last `limit` runs (limit > 0, else DAGD_EINVAL):
 * {"tasks": [row names], "runs": [...newest first], "total": N (all runs)}.
 * Rows are tasks[0..n_tasks) in that order (the DAG's tasks), then any other
 * task name found in those runs (a task since removed from the file). Each
 * run has the fields of a run (no conf) and "cells": one entry per row,
 * [state, try_number, start, end] or null when the run has no such task
 * instance. Two queries (store_sqlite_grid.c).
 */
int store_grid(struct store *st, const char *dag, const char *const *tasks, size_t n_tasks,
	       int limit, json_t **out);

#endif
