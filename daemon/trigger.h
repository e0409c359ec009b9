/*
 * trigger.h - trigger rules (DESIGN.md section 3): given the states of a
 * task's direct upstreams, may it run now, must it wait, or does it end
 * skipped / upstream_failed without running. Pure.
 */
#ifndef DAGD_TRIGGER_H
#define DAGD_TRIGGER_H

#include "dag.h"

enum trig_decision { TRIG_WAIT, TRIG_RUN, TRIG_SKIP, TRIG_UPSTREAM_FAILED };

struct up_counts {
	int total;
	int success;
	int failed;          /* failed */
	int upstream_failed; /* upstream_failed */
	int skipped;
	int done;            /* finished in any state (incl. removed) */
};

enum trig_decision trigger_eval(enum trigger_rule r, const struct up_counts *c);
const char *trig_decision_name(enum trig_decision d);

#endif
