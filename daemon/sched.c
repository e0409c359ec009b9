/*
 * sched.c - the scheduling pass: creates runs whose data intervals have
 * ended (catchup, max_active_runs, paused, end_date), promotes queued
 * runs, decides for every task instance of a running run whether it runs,
 * waits, or ends skipped / upstream_failed (trigger rules, depends_on_past,
 * retries, run_timeout), and settles finished runs. Pure decisions come
 * from trigger.c and interval.c; every change is written to the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cron.h"
#include "dag.h"
#include "engine_internal.h"
#include "interval.h"
#include "log.h"
#include "metrics.h"
#include "store.h"
#include "trigger.h"
#include "tz.h"

struct dstate *sched_dstate(struct engine *e, const char *id, bool create)
{
	struct dstate *d;

	for (d = e->dags; d; d = d->next)
		if (strcmp(d->id, id) == 0)
			return d;
	if (!create)
		return NULL;
	d = xcalloc(1, sizeof(*d));
	d->id = xstrdup(id);
	d->next = e->dags;
	e->dags = d;
	return d;
}

void sched_run_free(struct run *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_tis; i++) {
		free(r->tis[i].outputs);
		free(r->tis[i].pool);
	}
	free(r->tis);
	free(r->dag_id);
	free(r->run_id);
	free(r->conf);
	dag_unref(r->dag);
	free(r);
}

struct run *sched_run_new(struct engine *e, struct dag *dag, enum run_type type, int64_t start,
			  int64_t end, const char *conf)
{
	struct run *r = xcalloc(1, sizeof(*r));
	char when[40];
	bool existed = false;
	int rc;

	r->dag_id = xstrdup(dag->id);
	r->dag = dag_ref(dag);
	r->type = type;
	r->data_interval_start = start;
	r->data_interval_end = end;
	r->conf = xstrdup(conf ? conf : "{}");
	r->created_us = engine_now_us();
	r->state = RUN_QUEUED;
	if (type == RT_MANUAL) {
		struct civil cv;
		int64_t us = r->created_us + (e->seq++ % 1000); /* unique within a burst */
		civil_from_secs(us / 1000000, &cv);
		snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", cv.year,
			 cv.month, cv.day, cv.hour, cv.min, cv.sec, (long long)(us % 1000000));
	} else {
		tz_format_rfc3339(NULL, start, when, sizeof(when));
	}
	r->run_id = xasprintf("%s__%s", run_type_name(type), when);
	r->n_tis = dag->n_tasks;
	r->tis = xcalloc(dag->n_tasks, sizeof(*r->tis));
	for (size_t i = 0; i < dag->n_tasks; i++) {
		r->tis[i].run = r;
		r->tis[i].task = i;
		r->tis[i].state = TI_NONE;
		r->tis[i].exit_code = -1;
	}
	rc = store_run_insert(e->st, r, &existed);
	if (rc != 0 || existed) {
		if (rc != 0)
			log_error("sched", "dag=%s run=%s cannot be stored: %s", r->dag_id, r->run_id,
				  dagd_strerror(rc));
		sched_run_free(r);
		return NULL;
	}
	log_info("sched", "dag=%s run=%s created", r->dag_id, r->run_id);
	return r;
}

void sched_run_attach(struct run *r, char **names, struct dag *dag)
{
	struct ti *tis = xcalloc(dag->n_tasks, sizeof(*tis));

	for (size_t i = 0; i < dag->n_tasks; i++) {
		tis[i].run = r;
		tis[i].task = i;
		tis[i].state = TI_REMOVED; /* a task added since: not part of this run */
		tis[i].exit_code = -1;
	}
	for (size_t j = 0; j < r->n_tis; j++) {
		long i = dag_task_index(dag, names[j]);
		if (i >= 0) {
			tis[i] = r->tis[j];
			tis[i].run = r;
			tis[i].task = (size_t)i;
			tis[i].proc = NULL;
		} else {
			free(r->tis[j].outputs);
			free(r->tis[j].pool);
		}
		free(names[j]);
	}
	free(names);
	free(r->tis);
	r->tis = tis;
	r->n_tis = dag->n_tasks;
	r->dag = dag_ref(dag);
}

void sched_run_add(struct engine *e, struct run *r)
{
	e->version++;
	r->next = NULL;
	if (e->runs_tail)
		e->runs_tail->next = r;
	else
		e->runs = r;
	e->runs_tail = r;
}

static void run_remove(struct engine *e, struct run *r)
{
	struct run **pp = &e->runs, *prev = NULL;

	while (*pp && *pp != r) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (!*pp)
		return;
	*pp = r->next;
	if (e->runs_tail == r)
		e->runs_tail = prev;
}

void sched_ti_set(struct engine *e, struct ti *ti, enum ti_state s, int64_t now_us)
{
	int rc;

	ti->state = s;
	e->version++;
	if (ti_state_finished(s) && !ti->end_us)
		ti->end_us = now_us;
	if (ti_state_finished(s)) {
		e->ext_epoch++; /* external_task sensors look again */
		e->wake = true;
	}
	rc = store_ti_update(e->st, ti);
	if (rc != 0)
		log_error("sched", "dag=%s run=%s task=%s state %s not stored: %s", ti->run->dag_id,
			  ti->run->run_id, ti->run->dag->tasks[ti->task].id, ti_state_name(s),
			  dagd_strerror(rc));
	ti->run->dirty = true;
	if (e->hooks.ti_changed && (ti_state_finished(s) || s == TI_UP_FOR_RETRY))
		e->hooks.ti_changed(e->hooks.ctx, ti->run, ti);
}

int64_t sched_retry_delay_ms(const struct task *t, int try_number)
{
	int64_t d = t->retry_delay_ms, cap = t->max_retry_delay_ms ? t->max_retry_delay_ms
								 : 86400000LL;

	if (t->backoff == BACKOFF_EXPONENTIAL)
		for (int i = 1; i < try_number && d < cap; i++)
			d *= 2;
	return d > cap ? cap : d;
}

static void create_run(struct engine *e, struct dstate *ds, const struct interval *iv)
{
	struct run *r = sched_run_new(e, ds->dag, RT_SCHEDULED, iv->start, iv->end, NULL);

	ds->have_last = true;
	ds->last_logical = iv->start;
	if (r) {
		metrics_observe(MH_SCHED_DELAY, r->created_us - iv->end * 1000000);
		sched_run_add(e, r);
	}
}

/* Create the runs of ds whose intervals ended by now. */
static void create_due(struct engine *e, struct dstate *ds, int64_t now)
{
	struct dag *dag = ds->dag;
	struct interval iv;
	int rc;

	ds->next_due = 0;
	if (!dag || ds->paused || dag->schedule.kind == SCHED_NONE)
		return;
	if (!dag->catchup) {
		if (interval_last_complete(dag, now, &iv) == 0 &&
		    (!dag->has_start || iv.start >= dag->start_date) &&
		    (!ds->have_last || iv.start > ds->last_logical) && iv.end <= now) {
			if (ds->active_runs >= dag->max_active_runs) {
				ds->next_due = 0; /* re-checked when a run ends */
				return;
			}
			create_run(e, ds, &iv);
		}
		if (interval_first_after(dag, now, &iv) == 0)
			ds->next_due = iv.end;
		return;
	}
	if (ds->have_last) {
		struct interval cur = {.start = ds->last_logical};
		if (cron_next(&dag->schedule, dag->tz, cur.start, &cur.end) != 0)
			return;
		rc = interval_next(dag, &cur, &iv);
	} else if (dag->has_start) {
		rc = interval_first_after(dag, dag->start_date, &iv);
	} else {
		rc = interval_last_complete(dag, now, &iv);
	}
	while (rc == 0 && iv.end <= now) {
		if (ds->active_runs >= dag->max_active_runs)
			return; /* woken again when a run ends */
		create_run(e, ds, &iv);
		ds->active_runs++; /* counted now so the loop honours the limit */
		rc = interval_next(dag, &iv, &iv);
	}
	if (rc == 0)
		ds->next_due = iv.end;
}

static bool past_ok(struct engine *e, const struct run *r, const struct task *t)
{
	const struct dag *dag = r->dag;
	int64_t prev;
	char state[32];
	bool found = false;

	if (dag->schedule.kind == SCHED_NONE ||
	    cron_prev(&dag->schedule, dag->tz, r->data_interval_start - 1, &prev) != 0)
		return true;
	if (dag->has_start && prev < dag->start_date)
		return true;
	if (store_state_at(e->st, dag->id, t->id, prev, state, &found) != 0 || !found)
		return !found;
	return strcmp(state, "success") == 0 || strcmp(state, "skipped") == 0;
}

static void count_up(const struct run *r, const struct task *t, struct up_counts *c)
{
	memset(c, 0, sizeof(*c));
	c->total = (int)t->n_up;
	for (size_t i = 0; i < t->n_up; i++) {
		enum ti_state s = r->tis[t->up[i]].state;
		c->success += s == TI_SUCCESS;
		c->failed += s == TI_FAILED;
		c->upstream_failed += s == TI_UPSTREAM_FAILED;
		c->skipped += s == TI_SKIPPED;
		c->done += ti_state_finished(s);
	}
}

static void run_timeout_check(struct engine *e, struct run *r, int64_t now_us, int64_t *wake)
{
	int64_t ms = r->dag->run_timeout_ms, deadline;

	if (!ms || !r->start_us || r->state != RUN_RUNNING)
		return;
	deadline = r->start_us + ms * 1000;
	if (now_us < deadline) {
		if (!*wake || deadline < *wake)
			*wake = deadline;
		return;
	}
	for (size_t i = 0; i < r->n_tis; i++) {
		struct ti *ti = &r->tis[i];
		if (ti->state == TI_RUNNING && ti->proc)
			dispatch_kill(e, ti, "run_timeout reached");
		else if (ti->state == TI_QUEUED || ti->state == TI_UP_FOR_RETRY ||
			 ti->state == TI_UP_FOR_RESCHEDULE || ti->state == TI_NONE ||
			 ti->state == TI_SCHEDULED) {
			dispatch_dequeue(e, ti);
			sched_ti_set(e, ti, TI_UPSTREAM_FAILED, now_us);
		}
	}
}

static void settle_run(struct engine *e, struct run *r, bool bad, int64_t now_us)
{
	struct dstate *ds = sched_dstate(e, r->dag_id, true);
	int rc;

	r->state = bad ? RUN_FAILED : RUN_SUCCESS;
	e->version++;
	r->end_us = now_us;
	rc = store_run_update(e->st, r);
	if (rc != 0)
		log_error("sched", "dag=%s run=%s end not stored: %s", r->dag_id, r->run_id,
			  dagd_strerror(rc));
	log_info("sched", "dag=%s run=%s %s in %.3fs", r->dag_id, r->run_id,
		 run_state_name(r->state), (double)(now_us - r->start_us) / 1e6);
	if (ds->active_runs > 0)
		ds->active_runs--;
	e->ext_epoch++;
	if (e->hooks.run_done)
		e->hooks.run_done(e->hooks.ctx, r);
}

/* Decide every task instance of a running run; returns true when it finished. */
static bool eval_run(struct engine *e, struct run *r, int64_t now_us, int64_t *wake)
{
	const struct dag *dag = r->dag;
	bool all_done = true, bad = false;

	run_timeout_check(e, r, now_us, wake);
	for (size_t k = 0; k < dag->n_tasks; k++) {
		size_t i = dag->topo[k];
		struct ti *ti = &r->tis[i];
		const struct task *t = &dag->tasks[i];
		struct up_counts c;

		switch (ti->state) {
		case TI_NONE:
		case TI_SCHEDULED:
			count_up(r, t, &c);
			switch (trigger_eval(t->rule, &c)) {
			case TRIG_RUN:
				if (t->depends_on_past && !past_ok(e, r, t))
					break;
				if (sensor_in_daemon(t)) {
					sensor_check(e, ti, now_us);
					if (ti->state == TI_UP_FOR_RESCHEDULE &&
					    (!*wake || ti->next_us < *wake))
						*wake = ti->next_us;
					break;
				}
				sched_ti_set(e, ti, TI_QUEUED, now_us);
				dispatch_enqueue(e, ti, now_us);
				break;
			case TRIG_SKIP:
				sched_ti_set(e, ti, TI_SKIPPED, now_us);
				break;
			case TRIG_UPSTREAM_FAILED:
				sched_ti_set(e, ti, TI_UPSTREAM_FAILED, now_us);
				break;
			case TRIG_WAIT:
				break;
			}
			break;
		case TI_UP_FOR_RESCHEDULE:
			if (sensor_in_daemon(t)) {
				if (ti->next_us <= now_us || (t->sensor->kind == SENSOR_EXTERNAL &&
							      ti->sensor_epoch != e->ext_epoch))
					sensor_check(e, ti, now_us);
				if (ti->state == TI_UP_FOR_RESCHEDULE && (!*wake || ti->next_us < *wake))
					*wake = ti->next_us;
				break;
			}
			/* a worker sensor pokes again when due */
			__attribute__((fallthrough));
		case TI_UP_FOR_RETRY:
			if (ti->next_us <= now_us) {
				sched_ti_set(e, ti, TI_QUEUED, now_us);
				dispatch_enqueue(e, ti, now_us);
			} else if (!*wake || ti->next_us < *wake) {
				*wake = ti->next_us;
			}
			break;
		default:
			break;
		}
		if (!ti_state_finished(ti->state))
			all_done = false;
		if (ti->state == TI_FAILED || ti->state == TI_UPSTREAM_FAILED)
			bad = true;
	}
	if (!all_done)
		return false;
	settle_run(e, r, bad, now_us);
	return true;
}

static void start_run(struct engine *e, struct run *r, int64_t now_us)
{
	r->state = RUN_RUNNING;
	r->start_us = now_us;
	if (store_run_update(e->st, r) != 0)
		log_error("sched", "dag=%s run=%s start not stored", r->dag_id, r->run_id);
	sched_dstate(e, r->dag_id, true)->active_runs++;
}

void sched_pass(struct engine *e, int64_t now_us)
{
	int64_t now = now_us / 1000000, wake = 0;
	struct run *r, *next;

	if (e->opts.schedule && !e->draining) {
		for (struct dstate *ds = e->dags; ds; ds = ds->next) {
			create_due(e, ds, now);
			if (ds->next_due && (!wake || ds->next_due * 1000000 < wake))
				wake = ds->next_due * 1000000;
		}
	}
	/* newly created scheduled runs start at once; queued manual and
	 * backfill runs when their DAG is below max_active_runs */
	for (r = e->runs; r; r = r->next) {
		if (r->state != RUN_QUEUED)
			continue;
		if (r->type == RT_SCHEDULED) {
			struct dstate *ds = sched_dstate(e, r->dag_id, true);
			ds->active_runs--; /* create_due counted it already */
			start_run(e, r, now_us);
			continue;
		}
		if (sched_dstate(e, r->dag_id, true)->active_runs < r->dag->max_active_runs)
			start_run(e, r, now_us);
	}
	for (r = e->runs; r; r = next) {
		next = r->next;
		if (r->state != RUN_RUNNING)
			continue;
		if (eval_run(e, r, now_us, &wake)) {
			run_remove(e, r);
			sched_run_free(r);
			e->wake = true; /* a slot freed: maybe more runs can start */
		}
	}
	if (!e->draining)
		dispatch_pump(e, now_us);
	e->next_wake_us = wake;
}
