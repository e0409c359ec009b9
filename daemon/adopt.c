/*
 * adopt.c - recovery at start-up: rebuilds the unfinished runs from the
 * store, re-queues queued task instances, and for each try recorded as
 * running decides: its result record exists (it finished while we were
 * down: settle from it), its worker still runs (same pid and process
 * start time, or found by its result path when the pid never reached the
 * store: adopt it through a pidfd), or neither (a lost try: failed, and
 * retried per its policy).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dag.h"
#include "engine_internal.h"
#include "log.h"
#include "proc_info.h"
#include "result.h"
#include "store.h"

static void count_running(struct engine *e, struct ti *ti)
{
	struct pool_state *ps;

	if (!ti->pool)
		ti->pool = xstrdup("default");
	ps = dispatch_pool(e, ti->pool);
	ps->running++;
	sched_dstate(e, ti->run->dag_id, true)->running++;
	e->running++;
}

static void recover_running(struct engine *e, struct ti *ti)
{
	char *path = dispatch_try_path(e, ti, ti->try_number, "result");
	const char *task = ti->run->dag->tasks[ti->task].id;
	struct result rec;
	int pid = (int)ti->pid;

	count_running(e, ti);
	result_init(&rec);
	if (result_read(path, &rec) == 0) {
		log_info("adopt", "dag=%s run=%s task=%s try=%d finished while the daemon was down",
			 ti->run->dag_id, ti->run->run_id, task, ti->try_number);
		dispatch_settle(e, ti, &rec, rec.exit_code, rec.signal, NULL);
		goto out;
	}
	if (pid <= 0 || !proc_same(pid, ti->pid_start)) {
		/* the pid may never have been stored: look for the worker itself */
		pid = proc_find_arg(path);
		if (pid > 0) {
			ti->pid = pid;
			ti->pid_start = proc_start_time(pid);
		}
	}
	if (pid > 0 && dispatch_adopt(e, ti) == 0) {
		log_info("adopt", "dag=%s run=%s task=%s try=%d adopted worker pid %d",
			 ti->run->dag_id, ti->run->run_id, task, ti->try_number, pid);
		goto out;
	}
	/* it may have finished between the two looks */
	if (result_read(path, &rec) == 0) {
		dispatch_settle(e, ti, &rec, rec.exit_code, rec.signal, NULL);
		goto out;
	}
	log_warn("adopt", "dag=%s run=%s task=%s try=%d lost: no worker and no result record",
		 ti->run->dag_id, ti->run->run_id, task, ti->try_number);
	dispatch_settle(e, ti, NULL, -1, 0, "lost: the worker is gone and left no result record");
out:
	result_release(&rec);
	free(path);
}

static void load_cb(void *ctx, struct run *r, char **names)
{
	struct engine *e = ctx;
	struct dag *dag = engine_dag(e, r->dag_id);

	if (!dag) {
		log_warn("adopt", "dag=%s run=%s: the DAG is not loaded; the run resumes once it is",
			 r->dag_id, r->run_id);
		for (size_t i = 0; i < r->n_tis; i++)
			free(names[i]);
		free(names);
		sched_run_free(r);
		return;
	}
	sched_run_attach(r, names, dag);
	sched_run_add(e, r);
	if (r->state == RUN_RUNNING)
		sched_dstate(e, r->dag_id, true)->active_runs++;
	for (size_t i = 0; i < r->n_tis; i++) {
		struct ti *ti = &r->tis[i];
		if (ti->state == TI_QUEUED)
			dispatch_enqueue(e, ti, ti->ready_us ? ti->ready_us : engine_now_us());
		else if (ti->state == TI_RUNNING)
			recover_running(e, ti);
	}
}

int engine_recover(struct engine *e)
{
	int rc = store_load_active(e->st, load_cb, e);

	engine_wakeup(e);
	return rc;
}
