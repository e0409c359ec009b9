/*
 * state.h - task-instance and run states, defined once with their names
 * (DESIGN.md section 4). The API, the store and the logs all use these
 * strings.
 */
#ifndef DAGD_STATE_H
#define DAGD_STATE_H

#include <stdbool.h>

#define TI_STATES(X)                                  \
	X(TI_NONE, "none")                            \
	X(TI_SCHEDULED, "scheduled")                  \
	X(TI_QUEUED, "queued")                        \
	X(TI_RUNNING, "running")                      \
	X(TI_SUCCESS, "success")                      \
	X(TI_FAILED, "failed")                        \
	X(TI_SKIPPED, "skipped")                      \
	X(TI_UPSTREAM_FAILED, "upstream_failed")      \
	X(TI_UP_FOR_RETRY, "up_for_retry")            \
	X(TI_UP_FOR_RESCHEDULE, "up_for_reschedule")  \
	X(TI_REMOVED, "removed")

enum ti_state {
#define X(e, s) e,
	TI_STATES(X)
#undef X
	TI__COUNT
};

#define RUN_STATES(X) X(RUN_QUEUED, "queued") X(RUN_RUNNING, "running") \
	X(RUN_SUCCESS, "success") X(RUN_FAILED, "failed")

enum run_state {
#define X(e, s) e,
	RUN_STATES(X)
#undef X
	RUN__COUNT
};

#define RUN_TYPES(X) X(RT_SCHEDULED, "scheduled") X(RT_MANUAL, "manual") X(RT_BACKFILL, "backfill")
enum run_type {
#define X(e, s) e,
	RUN_TYPES(X)
#undef X
	RT__COUNT
};

const char *ti_state_name(enum ti_state s);
int ti_state_parse(const char *s, enum ti_state *out);
const char *run_state_name(enum run_state s);
int run_state_parse(const char *s, enum run_state *out);
const char *run_type_name(enum run_type t);
int run_type_parse(const char *s, enum run_type *out);

/* success, failed, skipped, upstream_failed, removed */
bool ti_state_finished(enum ti_state s);

#endif
