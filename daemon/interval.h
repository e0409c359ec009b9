/*
 * interval.h - data intervals of a DAG (Airflow semantics): consecutive
 * fire times t0 < t1 make one run with logical_date = data_interval_start =
 * t0 and data_interval_end = t1, due when t1 passes; start_date <= t0 <=
 * end_date. Pure: `now` is a parameter.
 */
#ifndef DAGD_INTERVAL_H
#define DAGD_INTERVAL_H

#include <stdint.h>

struct dag;

struct interval {
	int64_t start, end;
};

/*
 * The first interval of dag whose end is strictly after `after`, within
 * start_date/end_date. 0, or DAGD_ENEVER (no schedule, never fires, or past
 * end_date).
 */
int interval_first_after(const struct dag *dag, int64_t after, struct interval *out);
/* The interval right after iv; 0 or DAGD_ENEVER. */
int interval_next(const struct dag *dag, const struct interval *iv, struct interval *out);
/*
 * The interval a manual run for date d covers: the one starting at the
 * latest tick <= d; with no schedule [d, d]. 0 or DAGD_ENEVER.
 */
int interval_for_date(const struct dag *dag, int64_t d, struct interval *out);
/*
 * The last complete interval at `now` (the most recent one the scheduler
 * has run or would run); with no schedule [now, now]. 0 or DAGD_ENEVER.
 */
int interval_last_complete(const struct dag *dag, int64_t now, struct interval *out);

#endif
