/*
 * test_trigger.c - the trigger-rule table of DESIGN.md section 3 over
 * upstream state combinations, and the state names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "state.h"
#include "trigger.h"

/* counts: success, failed, upstream_failed, skipped, pending (not done) */
struct row {
	enum trigger_rule rule;
	int s, f, uf, sk, pending;
	enum trig_decision want;
};

#define W TRIG_WAIT
#define R TRIG_RUN
#define S TRIG_SKIP
#define U TRIG_UPSTREAM_FAILED

static const struct row rows[] = {
	{TR_ALL_SUCCESS, 2, 0, 0, 0, 0, R},
	{TR_ALL_SUCCESS, 1, 0, 0, 0, 1, W},
	{TR_ALL_SUCCESS, 1, 1, 0, 0, 1, U},
	{TR_ALL_SUCCESS, 1, 0, 1, 0, 0, U},
	{TR_ALL_SUCCESS, 1, 0, 0, 1, 0, S},
	{TR_ALL_SUCCESS, 0, 1, 0, 1, 0, U},
	{TR_ALL_FAILED, 0, 2, 0, 0, 0, R},
	{TR_ALL_FAILED, 0, 1, 1, 0, 0, R},
	{TR_ALL_FAILED, 0, 1, 0, 0, 1, W},
	{TR_ALL_FAILED, 1, 1, 0, 0, 0, S},
	{TR_ALL_FAILED, 0, 1, 0, 1, 0, S},
	{TR_ALL_DONE, 1, 1, 1, 1, 0, R},
	{TR_ALL_DONE, 1, 1, 0, 0, 1, W},
	{TR_ONE_SUCCESS, 1, 0, 0, 0, 2, R},
	{TR_ONE_SUCCESS, 0, 1, 0, 0, 1, W},
	{TR_ONE_SUCCESS, 0, 2, 0, 0, 0, U},
	{TR_ONE_SUCCESS, 0, 1, 1, 0, 0, U},
	{TR_ONE_SUCCESS, 0, 1, 0, 1, 0, S},
	{TR_ONE_SUCCESS, 0, 0, 0, 2, 0, S},
	{TR_ONE_FAILED, 0, 1, 0, 0, 2, R},
	{TR_ONE_FAILED, 0, 0, 1, 0, 0, R},
	{TR_ONE_FAILED, 1, 0, 0, 0, 1, W},
	{TR_ONE_FAILED, 1, 0, 0, 1, 0, S},
	{TR_NONE_FAILED, 1, 0, 0, 1, 0, R},
	{TR_NONE_FAILED, 0, 0, 0, 2, 0, R},
	{TR_NONE_FAILED, 1, 0, 0, 0, 1, W},
	{TR_NONE_FAILED, 1, 1, 0, 0, 1, U},
	{TR_NONE_FAILED, 0, 0, 1, 0, 0, U},
	{TR_NONE_SKIPPED, 1, 1, 1, 0, 0, R},
	{TR_NONE_SKIPPED, 1, 0, 0, 0, 1, W},
	{TR_NONE_SKIPPED, 1, 0, 0, 1, 1, S},
	{TR_ALWAYS, 0, 0, 0, 0, 3, R},
	{TR_ALWAYS, 0, 3, 0, 0, 0, R},
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct up_counts c = {
			.total = r->s + r->f + r->uf + r->sk + r->pending,
			.success = r->s,
			.failed = r->f,
			.upstream_failed = r->uf,
			.skipped = r->sk,
			.done = r->s + r->f + r->uf + r->sk,
		};
		enum trig_decision got = trigger_eval(r->rule, &c);
		if (got != r->want) {
			print_message("row %zu (%s): want %s, got %s\n", i,
				      trigger_rule_name(r->rule), trig_decision_name(r->want),
				      trig_decision_name(got));
			fail();
		}
	}
}

static void test_no_upstream_runs(void **state)
{
	struct up_counts c = {0};
	(void)state;
	for (int r = 0; r < TR__COUNT; r++)
		assert_int_equal(trigger_eval((enum trigger_rule)r, &c), TRIG_RUN);
}

static void test_state_names(void **state)
{
	enum ti_state s;
	enum run_state rs;
	(void)state;
	for (int i = 0; i < TI__COUNT; i++) {
		assert_int_equal(ti_state_parse(ti_state_name((enum ti_state)i), &s), 0);
		assert_int_equal(s, i);
	}
	assert_string_equal(ti_state_name(TI_UP_FOR_RESCHEDULE), "up_for_reschedule");
	assert_int_not_equal(ti_state_parse("sucess", &s), 0);
	assert_int_equal(run_state_parse("failed", &rs), 0);
	assert_int_equal(rs, RUN_FAILED);
	assert_true(ti_state_finished(TI_SKIPPED));
	assert_false(ti_state_finished(TI_UP_FOR_RETRY));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_no_upstream_runs),
		cmocka_unit_test(test_state_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
