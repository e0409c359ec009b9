/*
 * trigger.c - the trigger-rule table. A decision that the table allows to
 * be made early (one_success, one_failed, an all_success whose upstream
 * already failed) is made as soon as the counts show it, like Airflow.
 */
#include "trigger.h"

enum trig_decision trigger_eval(enum trigger_rule r, const struct up_counts *c)
{
	int bad = c->failed + c->upstream_failed;
	int all_done = c->done >= c->total;

	if (c->total == 0 || r == TR_ALWAYS)
		return TRIG_RUN;
	switch (r) {
	case TR_ALL_SUCCESS:
		if (bad)
			return TRIG_UPSTREAM_FAILED;
		if (c->skipped)
			return TRIG_SKIP;
		return all_done ? TRIG_RUN : TRIG_WAIT;
	case TR_ALL_FAILED:
		if (c->success || c->skipped)
			return TRIG_SKIP;
		return all_done ? TRIG_RUN : TRIG_WAIT;
	case TR_ALL_DONE:
		return all_done ? TRIG_RUN : TRIG_WAIT;
	case TR_ONE_SUCCESS:
		if (c->success)
			return TRIG_RUN;
		if (!all_done)
			return TRIG_WAIT;
		return bad == c->total ? TRIG_UPSTREAM_FAILED : TRIG_SKIP;
	case TR_ONE_FAILED:
		if (bad)
			return TRIG_RUN;
		return all_done ? TRIG_SKIP : TRIG_WAIT;
	case TR_NONE_FAILED:
		if (bad)
			return TRIG_UPSTREAM_FAILED;
		return all_done ? TRIG_RUN : TRIG_WAIT;
	case TR_NONE_SKIPPED:
		if (c->skipped)
			return TRIG_SKIP;
		return all_done ? TRIG_RUN : TRIG_WAIT;
	case TR_ALWAYS:
	case TR__COUNT:
		break;
	}
	return TRIG_RUN;
}

const char *trig_decision_name(enum trig_decision d)
{
	static const char *const names[] = {"wait", "run", "skip", "upstream_failed"};
	return (unsigned)d < 4 ? names[d] : "?";
}
