/*
 * sensor.c - the sensors the daemon evaluates itself, with no process and
 * no slot: external_task (another DAG's task or whole run, matched exact,
 * within or latest, with allowed and failed states) and time (at HH:MM on
 * the day of data_interval_end in the DAG's zone, or a duration after it).
 * A waiting sensor is up_for_reschedule: looked at again when another run
 * or task instance finishes (the engine's ext_epoch moves), at its next
 * poke, or for time sensors exactly at their time.
 */
#include <string.h>

#include "cron.h"
#include "dag.h"
#include "engine_internal.h"
#include "interval.h"
#include "log.h"
#include "store.h"
#include "tz.h"

bool sensor_in_daemon(const struct task *t)
{
	return t->kind == KIND_SENSOR && t->sensor &&
	       (t->sensor->kind == SENSOR_EXTERNAL || t->sensor->kind == SENSOR_TIME);
}

static unsigned state_bit(const char *s)
{
	if (strcmp(s, "success") == 0)
		return TSTATE_BIT_SUCCESS;
	if (strcmp(s, "failed") == 0)
		return TSTATE_BIT_FAILED;
	if (strcmp(s, "skipped") == 0)
		return TSTATE_BIT_SKIPPED;
	if (strcmp(s, "upstream_failed") == 0)
		return TSTATE_BIT_UPSTREAM_FAILED;
	return 0;
}

enum verdict { V_WAIT, V_MET, V_FAILED };

/* One upstream at logical date `at`: met, failed, or not yet. */
static enum verdict one(struct engine *e, const struct sensor_spec *s, int64_t at, bool latest,
			int64_t max_end)
{
	char state[32];
	bool found = false;
	unsigned bit;
	int rc = latest ? store_state_latest(e->st, s->ext_dag, s->ext_task, max_end, state, &found)
			: store_state_at(e->st, s->ext_dag, s->ext_task, at, state, &found);

	if (rc != 0 || !found)
		return V_WAIT;
	bit = state_bit(state);
	if (bit & s->allowed_states)
		return V_MET;
	if (bit & s->failed_states)
		return V_FAILED;
	return V_WAIT;
}

static enum verdict external(struct engine *e, const struct ti *ti)
{
	const struct sensor_spec *s = ti->run->dag->tasks[ti->task].sensor;
	int64_t off = s->offset_ms / 1000;
	const struct run *r = ti->run;

	switch (s->match) {
	case MATCH_EXACT:
		return one(e, s, r->data_interval_start - off, false, 0);
	case MATCH_LATEST:
		return one(e, s, 0, true, r->data_interval_end - off);
	case MATCH_WITHIN: {
		/* every interval of the other DAG whose logical date is in mine */
		struct dag *other = engine_dag(e, s->ext_dag);
		struct interval iv;
		int64_t lo = r->data_interval_start - off, hi = r->data_interval_end - off;
		enum verdict all = V_MET;
		int n = 0;
		if (!other || other->schedule.kind == SCHED_NONE)
			return V_WAIT;
		if (cron_prev(&other->schedule, other->tz, lo - 1, &iv.start) != 0)
			iv.start = lo;
		if (cron_next(&other->schedule, other->tz, iv.start, &iv.end) != 0)
			return V_WAIT;
		for (int guard = 0; guard < 100000; guard++) {
			if (iv.start >= lo && iv.start < hi) {
				enum verdict v = one(e, s, iv.start, false, 0);
				if (v == V_FAILED)
					return V_FAILED;
				if (v == V_WAIT)
					all = V_WAIT;
				n++;
			}
			if (iv.start >= hi)
				break;
			iv.start = iv.end;
			if (cron_next(&other->schedule, other->tz, iv.start, &iv.end) != 0)
				break;
		}
		return n ? all : V_MET; /* no interval of theirs in mine: nothing to wait for */
	}
	}
	return V_WAIT;
}

/* The instant a time sensor waits for (seconds). */
static int64_t time_target(const struct ti *ti)
{
	const struct dag *dag = ti->run->dag;
	const struct sensor_spec *s = dag->tasks[ti->task].sensor;
	int64_t end = ti->run->data_interval_end;

	if (s->at_min >= 0) {
		const struct tz *z = dag->tz ? dag->tz : tz_utc();
		struct civil c;
		int64_t local, out[2], gap = 0;
		civil_from_secs(end + tz_offset(z, end), &c);
		c.hour = s->at_min / 60;
		c.min = s->at_min % 60;
		c.sec = 0;
		local = civil_to_secs(&c);
		return tz_local_to_utc(z, local, out, &gap) > 0 ? out[0] : gap;
	}
	return end + s->after_ms / 1000;
}

void sensor_check(struct engine *e, struct ti *ti, int64_t now_us)
{
	const struct task *t = &ti->run->dag->tasks[ti->task];
	const struct sensor_spec *s = t->sensor;
	int64_t deadline = t->timeout_ms && ti->first_start_us
				   ? ti->first_start_us + t->timeout_ms * 1000
				   : 0;
	enum verdict v;

	if (!ti->first_start_us) {
		ti->first_start_us = now_us;
		ti->start_us = now_us;
		ti->try_number = ti->try_number ? ti->try_number : 1;
		deadline = t->timeout_ms ? now_us + t->timeout_ms * 1000 : 0;
	}
	ti->sensor_epoch = e->ext_epoch;
	if (s->kind == SENSOR_TIME) {
		int64_t target = time_target(ti) * 1000000;
		v = now_us >= target ? V_MET : V_WAIT;
		ti->next_us = target;
	} else {
		v = external(e, ti);
		ti->next_us = now_us + s->poke_interval_ms * 1000;
	}
	if (v == V_WAIT && deadline && now_us >= deadline) {
		log_info("sensor", "dag=%s run=%s task=%s timed out", ti->run->dag_id, ti->run->run_id,
			 t->id);
		sched_ti_set(e, ti, s->soft_fail ? TI_SKIPPED : TI_FAILED, now_us);
		return;
	}
	if (v == V_WAIT) {
		if (deadline && ti->next_us > deadline)
			ti->next_us = deadline;
		if (ti->state != TI_UP_FOR_RESCHEDULE)
			sched_ti_set(e, ti, TI_UP_FOR_RESCHEDULE, now_us);
		return;
	}
	ti->end_us = now_us;
	sched_ti_set(e, ti, v == V_MET ? TI_SUCCESS : TI_FAILED, now_us);
}
