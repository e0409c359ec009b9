/*
 * engine.h - the scheduler and dispatcher as one object on a libuv loop:
 * creates runs when their data intervals end, queues ready task
 * instances, starts a worker (dagd-job) per try, settles exits, retries,
 * timeouts, and adopts workers that outlived a previous daemon. Used by
 * `dagd serve` and `dagd run` alike. All state goes through the store; a
 * transition is committed (once per loop turn) before it is acted on.
 */
#ifndef DAGD_ENGINE_H
#define DAGD_ENGINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "model.h"
#include "state.h"

struct config;
struct dag;
struct store;
struct engine;

struct engine_hooks {
	void *ctx;
	/* a task instance reached a finished or retry state */
	void (*ti_changed)(void *ctx, const struct run *r, const struct ti *ti);
	/* a run finished (success or failed) */
	void (*run_done)(void *ctx, const struct run *r);
};

struct engine_opts {
	const char *job_bin;   /* path of dagd-job */
	int parallelism;       /* 0: from config */
	bool schedule;         /* create scheduled runs (false for `dagd run`) */
	bool fsync_results;    /* workers fsync their result records */
};

int engine_new(uv_loop_t *loop, const struct config *cfg, struct store *st,
	       const struct engine_opts *opts, const struct engine_hooks *hooks,
	       struct engine **out);
/* Close every handle; runs and DAG references are freed. */
void engine_free(struct engine *e);

/* Load unfinished runs from the store and adopt or settle their running tries. */
int engine_recover(struct engine *e);

/* A DAG version appeared or changed (dag) or went away (NULL). */
void engine_dag_changed(struct engine *e, const char *id, struct dag *dag);
/* Current version of a DAG (borrowed), or NULL. */
struct dag *engine_dag(struct engine *e, const char *id);

/*
 * Create a manual run of dag. logical: NULL for the last complete interval,
 * else a date or RFC 3339 time (DESIGN.md section 3, manual runs). conf: a
 * JSON object of typed param overrides or NULL. On success *out is the new
 * run (owned by the engine). On failure returns DAGD_EINVAL / DAGD_ENOENT /
 * DAGD_ECONFLICT with a message in err.
 */
int engine_trigger(struct engine *e, const char *dag, const char *logical, json_t *conf,
		   struct run **out, char *err, size_t errlen);
/*
 * Clear task instances of a run so they run again (Airflow's clear):
 * tasks NULL = all; downstream adds everything downstream; failed_only
 * keeps the others. A finished run is loaded back and set running.
 * Returns the number cleared, or a negative DAGD_E* with err.
 */
int engine_clear(struct engine *e, const char *dag, const char *run_id, const char *const *tasks,
		 size_t n_tasks, bool downstream, bool failed_only, char *err, size_t errlen);
/*
 * Mark a task instance success or failed by hand (it must not be running);
 * downstream readiness follows. 0 or DAGD_ENOENT / DAGD_ECONFLICT with err.
 */
int engine_mark(struct engine *e, const char *dag, const char *run_id, const char *task,
		enum ti_state state, char *err, size_t errlen);
/* Keep only task of a new run r: the others become removed (dagd test). */
int engine_isolate(struct engine *e, struct run *r, const char *task);
/*
 * Backfill dag over [from, to] (dates or RFC 3339 times in the DAG's
 * zone), each run with conf (a JSON object checked against the typed
 * params, or NULL): *out = {"items": [runs created, or that would be],
 * "total", "dry_run"}. 0, or DAGD_ENOENT / DAGD_EINVAL / DAGD_ETOOBIG with err.
 */
int engine_backfill(struct engine *e, const char *dag, const char *from, const char *to,
		    json_t *conf, bool dry_run, json_t **out, char *err, size_t errlen);
/* Pause or unpause a DAG (persisted). */
int engine_set_paused(struct engine *e, const char *dag, bool paused);
bool engine_paused(struct engine *e, const char *dag);
/* The active run of dag with run_id, or NULL. */
struct run *engine_find_run(struct engine *e, const char *dag, const char *run_id);
/* Next due data interval end of dag (seconds), 0 when none. */
int64_t engine_next_due(struct engine *e, const char *dag);

/* Stop launching new tries; grace_ms later call done(ctx) (running tries keep running). */
void engine_drain(struct engine *e, int64_t grace_ms, void (*done)(void *), void *ctx);
/* For each pool seen so far: its size (-1 unlimited), tries running, queued. */
void engine_pool_stats(struct engine *e,
		       void (*cb)(void *arg, const char *pool, int size, int running, int queued),
		       void *arg);
/* A counter that moves whenever a run, a task instance or a DAG changes. */
uint64_t engine_version(const struct engine *e);
/* Wall clock, microseconds. */
int64_t engine_clock_us(void);
/* Number of tries running now. */
int engine_running(const struct engine *e);
/* Ask for a scheduling pass this loop turn (the only way to request work). */
void engine_wakeup(struct engine *e);

/* Paths of a try's files; new strings. */
char *engine_log_path(const struct engine *e, const char *dag, const char *run_id,
		      const char *task, int try_number);

#endif
