/*
 * model.h - the in-memory records of the engine: a DAG run and its task
 * instances, as the scheduler and dispatcher hold them and the store
 * persists them. The scheduler owns every struct run (sched.c); other
 * modules read them and change them only through sched_* calls. Times
 * are microseconds since the epoch (UTC); 0 means "not yet".
 */
#ifndef DAGD_MODEL_H
#define DAGD_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "state.h"

struct dag;
struct run;

struct ti {
	int64_t id;          /* store row id */
	struct run *run;
	size_t task;         /* index into run->dag->tasks */
	enum ti_state state;
	int try_number;      /* tries started so far; the running try's number */
	int64_t start_us;    /* of the current / last try */
	int64_t end_us;
	int64_t ready_us;    /* when it last became ready to run (queue age) */
	int64_t next_us;     /* up_for_retry / up_for_reschedule: when to look again */
	int64_t first_start_us; /* first try's start (sensor timeouts) */
	int exit_code;       /* -1 unknown or killed by a signal */
	int signal;
	int64_t pid;         /* worker pid while running, else 0 */
	int64_t pid_start;   /* its process start time (/proc/PID/stat field 22) */
	char *outputs;       /* JSON object text of the last finished try, or NULL */
	char *pool;          /* rendered pool name, or NULL for the default pool */
	void *proc;          /* dispatcher's handle of the running worker */
	uint64_t sensor_epoch; /* in-daemon sensors: engine ext_epoch at the last check */
	bool dirty;          /* changed in this loop turn, not yet persisted */
};

struct run {
	int64_t id;          /* store row id */
	char *dag_id;
	struct dag *dag;     /* the version this run started with (a reference) */
	char *run_id;        /* scheduled__2026-01-10T00:00:00Z, manual__..., backfill__... */
	enum run_type type;
	enum run_state state;
	int64_t data_interval_start; /* seconds; = logical_date */
	int64_t data_interval_end;
	char *conf;          /* JSON object text, "{}" when none */
	int64_t created_us, start_us, end_us;
	struct ti *tis;      /* one per task of dag, same order */
	size_t n_tis;
	bool dirty;
	struct run *next;    /* scheduler's list of active runs */
};

#endif
