/*
 * interval.c - data intervals from a DAG's schedule, start_date and
 * end_date (see interval.h). Used by the scheduler, `dagd next`, `dagd
 * render` and manual runs alike, so they agree on what a run covers.
 */
#include "interval.h"

#include "dag.h"
#include "tz.h"
#include "util.h"

static const struct tz *zone(const struct dag *dag)
{
	return dag->tz ? dag->tz : tz_utc();
}

static int in_range(const struct dag *dag, const struct interval *iv)
{
	if (dag->has_end && iv->start > dag->end_date)
		return DAGD_ENEVER;
	return 0;
}

int interval_first_after(const struct dag *dag, int64_t after, struct interval *out)
{
	const struct schedule *s = &dag->schedule;
	struct interval iv;

	if (s->kind == SCHED_NONE)
		return DAGD_ENEVER;
	if (cron_next(s, zone(dag), after, &iv.end) != 0)
		return DAGD_ENEVER;
	if (cron_prev(s, zone(dag), iv.end - 1, &iv.start) != 0)
		iv.start = iv.end; /* no tick before: move on below */
	if (dag->has_start && iv.start < dag->start_date) {
		if (cron_next(s, zone(dag), dag->start_date - 1, &iv.start) != 0 ||
		    cron_next(s, zone(dag), iv.start, &iv.end) != 0)
			return DAGD_ENEVER;
	}
	while (iv.end <= after || iv.start == iv.end) {
		iv.start = iv.end;
		if (cron_next(s, zone(dag), iv.start, &iv.end) != 0)
			return DAGD_ENEVER;
	}
	if (in_range(dag, &iv) != 0)
		return DAGD_ENEVER;
	*out = iv;
	return 0;
}

int interval_next(const struct dag *dag, const struct interval *iv, struct interval *out)
{
	struct interval n = {.start = iv->end};

	if (dag->schedule.kind == SCHED_NONE ||
	    cron_next(&dag->schedule, zone(dag), n.start, &n.end) != 0)
		return DAGD_ENEVER;
	if (in_range(dag, &n) != 0)
		return DAGD_ENEVER;
	*out = n;
	return 0;
}

int interval_for_date(const struct dag *dag, int64_t d, struct interval *out)
{
	const struct schedule *s = &dag->schedule;

	if (s->kind == SCHED_NONE) {
		out->start = out->end = d;
		return 0;
	}
	if (cron_prev(s, zone(dag), d, &out->start) != 0)
		return DAGD_ENEVER;
	return cron_next(s, zone(dag), out->start, &out->end) == 0 ? 0 : DAGD_ENEVER;
}

int interval_last_complete(const struct dag *dag, int64_t now, struct interval *out)
{
	const struct schedule *s = &dag->schedule;
	struct interval iv;

	if (s->kind == SCHED_NONE) {
		out->start = out->end = now;
		return 0;
	}
	if (cron_prev(s, zone(dag), now, &iv.end) != 0 ||
	    cron_prev(s, zone(dag), iv.end - 1, &iv.start) != 0)
		return DAGD_ENEVER;
	if (dag->has_end && iv.start > dag->end_date) {
		/* the last interval allowed by end_date */
		if (cron_prev(s, zone(dag), dag->end_date, &iv.start) != 0 ||
		    cron_next(s, zone(dag), iv.start, &iv.end) != 0)
			return DAGD_ENEVER;
	}
	*out = iv;
	return 0;
}
