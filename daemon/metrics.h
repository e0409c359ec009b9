/*
 * metrics.h - the daemon's counters and latency histograms for /metrics
 * (Prometheus text format). One global set: the daemon has one engine.
 * Observations are O(1) (fixed buckets); rendering walks them.
 */
#ifndef DAGD_METRICS_H
#define DAGD_METRICS_H

#include <stdint.h>

#include "state.h"
#include "util.h"

enum metric_hist {
	MH_SCHED_DELAY,   /* interval end -> run created */
	MH_START_LATENCY, /* ready -> running */
	MH_HOP,           /* last upstream end -> start */
	MH_LOOP_LAG,      /* a timer's due time -> its callback */
	MH_COMMIT,        /* one store commit */
	MH__COUNT
};

/* Record a duration in microseconds (negative values count as 0). */
void metrics_observe(enum metric_hist h, int64_t us);
/* A try ended in state s. */
void metrics_try_ended(enum ti_state s);
/* Append every histogram and counter in Prometheus text format. */
void metrics_render(struct sbuf *out);

#endif
