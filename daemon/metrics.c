/*
 * metrics.c - fixed-bucket histograms (seconds, Prometheus "le" buckets)
 * and try counters, rendered in the text exposition format.
 */
#include "metrics.h"

#include <string.h>

static const double bucket_s[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
				  0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
#define NB (sizeof(bucket_s) / sizeof(bucket_s[0]))

struct hist {
	uint64_t counts[NB + 1]; /* the last one: +Inf */
	uint64_t n;
	double sum_s;
};

static struct hist hists[MH__COUNT];
static uint64_t tries_ended[TI__COUNT];

static const struct {
	const char *name, *help;
} hist_info[MH__COUNT] = {
	{"dagd_scheduling_delay_seconds", "Time from a data interval's end to its run's creation."},
	{"dagd_task_start_latency_seconds", "Time from a task instance becoming ready to its try starting."},
	{"dagd_hop_latency_seconds", "Time from the last upstream try's end to a try's start."},
	{"dagd_loop_lag_seconds", "Lateness of the engine's timer callbacks."},
	{"dagd_store_commit_seconds", "Duration of one state store commit."},
};

void metrics_observe(enum metric_hist h, int64_t us)
{
	double s = us > 0 ? (double)us / 1e6 : 0.0;
	size_t i = 0;

	if ((unsigned)h >= MH__COUNT)
		return;
	while (i < NB && s > bucket_s[i])
		i++;
	hists[h].counts[i]++;
	hists[h].n++;
	hists[h].sum_s += s;
}

void metrics_try_ended(enum ti_state s)
{
	if ((unsigned)s < TI__COUNT)
		tries_ended[s]++;
}

void metrics_render(struct sbuf *out)
{
	for (int h = 0; h < MH__COUNT; h++) {
		uint64_t cum = 0;
		sbuf_addf(out, "# HELP %s %s\n# TYPE %s histogram\n", hist_info[h].name,
			  hist_info[h].help, hist_info[h].name);
		for (size_t i = 0; i < NB; i++) {
			cum += hists[h].counts[i];
			sbuf_addf(out, "%s_bucket{le=\"%g\"} %llu\n", hist_info[h].name, bucket_s[i],
				  (unsigned long long)cum);
		}
		cum += hists[h].counts[NB];
		sbuf_addf(out, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.6f\n%s_count %llu\n",
			  hist_info[h].name, (unsigned long long)cum, hist_info[h].name,
			  hists[h].sum_s, hist_info[h].name, (unsigned long long)hists[h].n);
	}
	sbuf_adds(out, "# HELP dagd_tries_total Tries ended since start, by state.\n"
		       "# TYPE dagd_tries_total counter\n");
	for (int s = 0; s < TI__COUNT; s++)
		if (tries_ended[s] || s == TI_SUCCESS || s == TI_FAILED)
			sbuf_addf(out, "dagd_tries_total{state=\"%s\"} %llu\n",
				  ti_state_name((enum ti_state)s), (unsigned long long)tries_ended[s]);
}
