/*
 * clear.c - rerun task instances of a run, like Airflow's "clear": the
 * chosen instances (plus their downstream, or only the failed ones) go
 * back to none and run again with the next try number; a finished run is
 * loaded back from the store and set running.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dag.h"
#include "engine_internal.h"
#include "log.h"
#include "store.h"

struct load_ctx {
	struct engine *e;
	struct run *run;
	char **names;
};

static void keep_cb(void *ctx, struct run *r, char **names)
{
	struct load_ctx *c = ctx;
	c->run = r;
	c->names = names;
}

/* Load a finished run back into memory, mapped onto the current DAG version. */
static struct run *load_finished(struct engine *e, const char *dag_id, const char *run_id)
{
	struct load_ctx c = {.e = e};
	struct dag *dag = engine_dag(e, dag_id);
	struct run *r;

	if (!dag || store_run_load(e->st, dag_id, run_id, keep_cb, &c) != 0 || !c.run)
		return NULL;
	r = c.run;
	sched_run_attach(r, c.names, dag);
	return r;
}

static void mark_down(const struct dag *dag, size_t i, unsigned char *sel)
{
	for (size_t k = 0; k < dag->tasks[i].n_down; k++) {
		size_t d = dag->tasks[i].down[k];
		if (!sel[d]) {
			sel[d] = 1;
			mark_down(dag, d, sel);
		}
	}
}

int engine_clear(struct engine *e, const char *dag_id, const char *run_id,
		 const char *const *tasks, size_t n_tasks, bool downstream, bool failed_only,
		 char *err, size_t errlen)
{
	struct run *r = engine_find_run(e, dag_id, run_id);
	bool loaded = false;
	unsigned char *sel;
	int64_t now = engine_now_us();
	int n = 0;

	if (!engine_dag(e, dag_id)) {
		snprintf(err, errlen, "no DAG '%s'", dag_id);
		return DAGD_ENOENT;
	}
	if (!r) {
		r = load_finished(e, dag_id, run_id);
		loaded = true;
	}
	if (!r) {
		snprintf(err, errlen, "no run '%s' of DAG '%s'", run_id, dag_id);
		return DAGD_ENOENT;
	}
	sel = xcalloc(r->n_tis + 1, 1);
	for (size_t k = 0; k < n_tasks; k++) {
		long i = dag_task_index(r->dag, tasks[k]);
		if (i < 0) {
			snprintf(err, errlen, "DAG '%s' has no task '%s'", dag_id, tasks[k]);
			free(sel);
			if (loaded)
				sched_run_free(r);
			return DAGD_ENOENT;
		}
		sel[i] = 1;
	}
	if (!tasks)
		memset(sel, 1, r->n_tis);
	if (downstream)
		for (size_t i = 0; i < r->n_tis; i++)
			if (sel[i])
				mark_down(r->dag, i, sel);
	for (size_t i = 0; i < r->n_tis; i++) {
		enum ti_state s = r->tis[i].state;
		if (!sel[i])
			continue;
		if (failed_only && s != TI_FAILED && s != TI_UPSTREAM_FAILED)
			sel[i] = 0;
		else if (s == TI_RUNNING) {
			snprintf(err, errlen, "task '%s' is running; wait for it or mark it first",
				 r->dag->tasks[i].id);
			free(sel);
			if (loaded)
				sched_run_free(r);
			return DAGD_ECONFLICT;
		}
	}
	for (size_t i = 0; i < r->n_tis; i++) {
		struct ti *ti = &r->tis[i];
		if (!sel[i] || ti->state == TI_REMOVED)
			continue;
		if (ti->state == TI_QUEUED)
			dispatch_dequeue(e, ti);
		ti->end_us = 0;
		ti->next_us = 0;
		ti->exit_code = -1;
		ti->signal = 0;
		sched_ti_set(e, ti, TI_NONE, now);
		n++;
	}
	free(sel);
	if (loaded && n == 0) {
		sched_run_free(r); /* nothing to rerun: the run stays as it was */
		return 0;
	}
	if (loaded) {
		r->state = RUN_RUNNING;
		r->end_us = 0;
		if (!r->start_us)
			r->start_us = now;
		(void)store_run_update(e->st, r);
		sched_dstate(e, dag_id, true)->active_runs++;
		sched_run_add(e, r);
	}
	log_info("engine", "dag=%s run=%s cleared %d task instance%s", dag_id, run_id, n,
		 n == 1 ? "" : "s");
	engine_wakeup(e);
	return n;
}

int engine_mark(struct engine *e, const char *dag_id, const char *run_id, const char *task,
		enum ti_state state, char *err, size_t errlen)
{
	struct run *r = engine_find_run(e, dag_id, run_id);
	bool loaded = false;
	struct ti *ti;
	long i;

	if (!r) {
		r = load_finished(e, dag_id, run_id);
		loaded = true;
	}
	if (!r) {
		snprintf(err, errlen, "no run '%s' of DAG '%s'", run_id, dag_id);
		return DAGD_ENOENT;
	}
	i = dag_task_index(r->dag, task);
	if (i < 0 || r->tis[i].state == TI_REMOVED) {
		snprintf(err, errlen, "run '%s' has no task '%s'", run_id, task);
		if (loaded)
			sched_run_free(r);
		return DAGD_ENOENT;
	}
	ti = &r->tis[i];
	if (ti->state == TI_RUNNING) {
		snprintf(err, errlen, "task '%s' is running", task);
		if (loaded)
			sched_run_free(r);
		return DAGD_ECONFLICT;
	}
	if (ti->state == TI_QUEUED)
		dispatch_dequeue(e, ti);
	ti->end_us = 0;
	sched_ti_set(e, ti, state, engine_now_us());
	/* downstream instances that never ran because of it get a new look */
	{
		unsigned char *down = xcalloc(r->n_tis + 1, 1);
		mark_down(r->dag, (size_t)i, down);
		for (size_t k = 0; k < r->n_tis; k++)
			if (down[k] && r->tis[k].state == TI_UPSTREAM_FAILED) {
				r->tis[k].end_us = 0;
				sched_ti_set(e, &r->tis[k], TI_NONE, engine_now_us());
			}
		free(down);
	}
	if (loaded) {
		/* re-evaluate the run: its state follows the new task states */
		r->state = RUN_RUNNING;
		r->end_us = 0;
		(void)store_run_update(e->st, r);
		sched_dstate(e, dag_id, true)->active_runs++;
		sched_run_add(e, r);
	}
	log_info("engine", "dag=%s run=%s task=%s marked %s", dag_id, run_id, task,
		 ti_state_name(state));
	engine_wakeup(e);
	return 0;
}

int engine_isolate(struct engine *e, struct run *r, const char *task)
{
	long keep = dag_task_index(r->dag, task);
	int64_t now = engine_now_us();

	if (keep < 0)
		return DAGD_ENOENT;
	for (size_t i = 0; i < r->n_tis; i++)
		if ((long)i != keep && r->tis[i].state == TI_NONE)
			sched_ti_set(e, &r->tis[i], TI_REMOVED, now);
	return 0;
}
