/*
 * backfill.c - runs for a past range of a DAG's schedule: every interval
 * whose logical date lies in [from, to] and has no run yet becomes a
 * backfill run (queued, started as max_active_runs allows, its tries
 * below live runs' in the ready queue). Existing runs are left alone, so
 * a backfill repeated is a no-op; a dry run lists what would be created.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dag.h"
#include "dagd_limits.h"
#include "engine_internal.h"
#include "interval.h"
#include "log.h"
#include "store.h"
#include "tz.h"

static json_t *interval_json(const struct dag *dag, const struct interval *iv, const char *run_id)
{
	char a[40], b[40];

	tz_format_rfc3339(NULL, iv->start, a, sizeof(a));
	tz_format_rfc3339(NULL, iv->end, b, sizeof(b));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:n}", "dag", dag->id, "run_id", run_id,
			 "run_type", "backfill", "logical_date", a, "data_interval_start", a,
			 "data_interval_end", b, "state");
}

int engine_backfill(struct engine *e, const char *dag_id, const char *from, const char *to,
		    json_t *conf, bool dry_run, json_t **out, char *err, size_t errlen)
{
	struct dag *dag = engine_dag(e, dag_id);
	struct interval iv;
	int64_t lo, hi;
	json_t *items;
	char *why, *conf_text;
	int n = 0;

	*out = NULL;
	if (!dag) {
		snprintf(err, errlen, "no DAG '%s'", dag_id);
		return DAGD_ENOENT;
	}
	if (dag->schedule.kind == SCHED_NONE) {
		snprintf(err, errlen, "DAG '%s' has no schedule to backfill", dag_id);
		return DAGD_EINVAL;
	}
	if (!from || !to || tz_parse_time(dag->tz, from, &lo) != 0 ||
	    tz_parse_time(dag->tz, to, &hi) != 0) {
		snprintf(err, errlen, "from and to must be dates (YYYY-MM-DD) or RFC 3339 times");
		return DAGD_EINVAL;
	}
	if (hi < lo) {
		snprintf(err, errlen, "to is before from");
		return DAGD_EINVAL;
	}
	if ((why = engine_check_conf(dag, conf)) != NULL) {
		snprintf(err, errlen, "%s", why);
		free(why);
		return DAGD_EINVAL;
	}
	conf_text = conf ? json_dumps(conf, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	items = json_array();
	/* from the first interval ending after lo: skip one starting before it */
	for (int rc = interval_first_after(dag, lo, &iv) == 0 ? 0 : -1; rc == 0;
	     rc = interval_next(dag, &iv, &iv)) {
		char state[32], when[40], *run_id;
		bool found = false;

		if (iv.start < lo)
			continue;
		if (iv.start > hi || iv.end > engine_now_us() / 1000000)
			break;
		if (dag->has_start && iv.start < dag->start_date)
			continue;
		if (n >= BACKFILL_MAX) {
			json_decref(items);
			free(conf_text);
			snprintf(err, errlen, "more than %d runs in that range: backfill a smaller one",
				 BACKFILL_MAX);
			return DAGD_ETOOBIG;
		}
		if (store_state_at(e->st, dag->id, NULL, iv.start, state, &found) != 0) {
			json_decref(items);
			free(conf_text);
			snprintf(err, errlen, "the store could not be read");
			return DAGD_ESTORE;
		}
		if (found)
			continue;
		tz_format_rfc3339(NULL, iv.start, when, sizeof(when));
		run_id = xasprintf("backfill__%s", when);
		if (!dry_run) {
			struct run *r = sched_run_new(e, dag, RT_BACKFILL, iv.start, iv.end, conf_text);
			if (r)
				sched_run_add(e, r);
		}
		json_array_append_new(items, interval_json(dag, &iv, run_id));
		free(run_id);
		n++;
	}
	free(conf_text);
	if (!dry_run && n) {
		log_info("engine", "dag=%s backfill of %d run%s", dag->id, n, n == 1 ? "" : "s");
		engine_wakeup(e);
	}
	*out = json_pack("{s:o, s:i, s:b}", "items", items, "total", n, "dry_run", dry_run);
	return 0;
}
