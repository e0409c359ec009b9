/*
 * state.c - names of task-instance states, run states and run types.
 */
#include "state.h"

#include <string.h>

#include "util.h"

static const char *const ti_names[] = {
#define X(e, s) s,
	TI_STATES(X)
#undef X
};
static const char *const run_names[] = {
#define X(e, s) s,
	RUN_STATES(X)
#undef X
};
static const char *const type_names[] = {
#define X(e, s) s,
	RUN_TYPES(X)
#undef X
};

static int find(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

const char *ti_state_name(enum ti_state s)
{
	return (size_t)s < ARRAY_LEN(ti_names) ? ti_names[s] : "?";
}

int ti_state_parse(const char *s, enum ti_state *out)
{
	int i = find(ti_names, ARRAY_LEN(ti_names), s);
	if (i < 0)
		return DAGD_EINVAL;
	*out = (enum ti_state)i;
	return 0;
}

const char *run_state_name(enum run_state s)
{
	return (size_t)s < ARRAY_LEN(run_names) ? run_names[s] : "?";
}

int run_state_parse(const char *s, enum run_state *out)
{
	int i = find(run_names, ARRAY_LEN(run_names), s);
	if (i < 0)
		return DAGD_EINVAL;
	*out = (enum run_state)i;
	return 0;
}

const char *run_type_name(enum run_type t)
{
	return (size_t)t < ARRAY_LEN(type_names) ? type_names[t] : "?";
}

int run_type_parse(const char *s, enum run_type *out)
{
	int i = find(type_names, ARRAY_LEN(type_names), s);
	if (i < 0)
		return DAGD_EINVAL;
	*out = (enum run_type)i;
	return 0;
}

bool ti_state_finished(enum ti_state s)
{
	return s == TI_SUCCESS || s == TI_FAILED || s == TI_SKIPPED || s == TI_UPSTREAM_FAILED ||
	       s == TI_REMOVED;
}
