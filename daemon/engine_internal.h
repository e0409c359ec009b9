/*
 * engine_internal.h - state shared by the engine's files: engine.c
 * (lifecycle, the per-turn commit, triggers), sched.c (run creation and
 * readiness), dispatch.c (queue, limits, workers) and adopt.c (recovery).
 * Not for other modules: they use engine.h.
 */
#ifndef DAGD_ENGINE_INTERNAL_H
#define DAGD_ENGINE_INTERNAL_H

#include "engine.h"

/* Tries started per scheduling pass before yielding to the loop. */
#define TICK_BATCH 256
/* Grace between SIGTERM and SIGKILL of a timed-out try. */
#define KILL_GRACE_MS 5000

/* Per-DAG scheduling state. */
struct dstate {
	char *id;
	struct dag *dag; /* current version (a reference), NULL once removed */
	bool paused;
	bool have_last;
	int64_t last_logical; /* latest scheduled/backfill logical date created */
	int64_t next_due;     /* when the next interval ends (seconds), 0 none */
	int active_runs;      /* runs queued or running */
	int running;          /* tries running */
	struct dstate *next;
};

struct pool_state {
	char *name;
	int size;
	int running;
};

struct proc; /* dispatch.c */
struct task;

struct engine {
	uv_loop_t *loop;
	const struct config *cfg;
	struct store *st;
	struct engine_opts opts;
	struct engine_hooks hooks;
	struct dstate *dags;
	struct run *runs; /* active runs, oldest first */
	struct run *runs_tail;

	/* dispatcher */
	struct ti **ready;
	size_t n_ready, alloc_ready;
	struct ti **to_spawn; /* started in this turn, spawned after the commit */
	size_t n_spawn, alloc_spawn;
	struct pool_state *pools;
	size_t n_pools;
	int running;
	int parallelism;
	int64_t seq;

	/* loop plumbing */
	uv_prepare_t prepare;
	uv_timer_t timer;
	uv_idle_t idle;
	bool wake;
	bool draining;
	int64_t timer_due_ms; /* loop time the timer is armed for, 0 none */
	int64_t next_wake_us; /* earliest due work found by the last pass, 0 none */
	uv_timer_t drain_timer;
	void (*drain_done)(void *);
	void *drain_ctx;
	int closing;
	struct proc *procs; /* every live worker handle */

	/* the keeper (keeper_link.c) */
	int kfd;       /* our end of its socket, -1 when none */
	int kpid;
	int kpidfd;
	uv_poll_t kpoll, kexit;
	uint64_t next_kid;
	bool no_keeper; /* DAGD_NO_KEEPER: one dagd-job worker per try */
	char *sql_bin;  /* dagd-sql: $DAGD_SQL_BIN, else next to dagd-job */
	uint64_t ext_epoch; /* bumped when a task instance or run finishes */
	uint64_t version;   /* bumped on every change the API shows (engine_version) */
};

/* Monotonic-free wall clock in microseconds (logical dates, records). */
int64_t engine_now_us(void);

/* sched.c */
struct dstate *sched_dstate(struct engine *e, const char *id, bool create);
void sched_pass(struct engine *e, int64_t now_us);
void sched_run_add(struct engine *e, struct run *r);
/* Validate a run's conf against the DAG's typed params: NULL, or a
 * message to free (engine.c). */
char *engine_check_conf(const struct dag *dag, json_t *conf);
struct run *sched_run_new(struct engine *e, struct dag *dag, enum run_type type,
			  int64_t start, int64_t end, const char *conf);
void sched_run_free(struct run *r);
/* Map a run loaded from the store (task names in names, which it frees)
 * onto dag's tasks; tasks the run does not have become removed. */
void sched_run_attach(struct run *r, char **names, struct dag *dag);
/* Earliest time (us) something is due: a cron interval end, a retry. 0 none. */
int64_t sched_next_wake(struct engine *e);
void sched_ti_set(struct engine *e, struct ti *ti, enum ti_state s, int64_t now_us);
int64_t sched_retry_delay_ms(const struct task *t, int try_number);

/* dispatch.c */
void dispatch_enqueue(struct engine *e, struct ti *ti, int64_t now_us);
void dispatch_dequeue(struct engine *e, struct ti *ti);
void dispatch_pump(struct engine *e, int64_t now_us);
void dispatch_spawn_pending(struct engine *e);
void dispatch_kill(struct engine *e, struct ti *ti, const char *why);
struct pool_state *dispatch_pool(struct engine *e, const char *name);
/* Settle a finished try from its record (or the lack of one). */
struct result;
void dispatch_settle(struct engine *e, struct ti *ti, const struct result *rec, int exit_status,
		     int term_signal, const char *why);
char *dispatch_try_path(const struct engine *e, const struct ti *ti, int try_number,
			const char *ext);
void dispatch_close_all(struct engine *e);
/* Watch a worker that is not our child (adopted after a restart). */
int dispatch_adopt(struct engine *e, struct ti *ti);
/* Keeper events. */
void dispatch_keeper_started(struct engine *e, uint64_t id, int pid);
void dispatch_keeper_finished(struct engine *e, uint64_t id);
void dispatch_keeper_lost(struct engine *e);

/* dispatch_spec.c: write the spec of a data task's try; 0 or -1 with *why. */
struct run_values;
int dispatch_write_spec(struct engine *e, const struct ti *ti, const struct run_values *rv,
			const char *path, char **why);

/* sensor.c: the daemon's own sensors (external_task, time) */
bool sensor_in_daemon(const struct task *t);
/* Check the sensor of ti now: sets its state (success, failed, skipped or
 * up_for_reschedule with next_us). */
void sensor_check(struct engine *e, struct ti *ti, int64_t now_us);

/* keeper_link.c */
struct keeper_req;
int klink_start(struct engine *e);
/* 0 when sent; -1: start a worker the other way */
int klink_send(struct engine *e, const struct keeper_req *q, int log_fd);
void klink_stop(struct engine *e);

#endif
