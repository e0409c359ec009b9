/*
 * test_store.c - the SQLite state store on a temporary directory: schema
 * creation and a no-op re-migration, idempotent scheduled runs, manual
 * run_id conflicts, batching, every task-instance field across a reopen,
 * the exact JSON of DESIGN.md section 6, pagination, tries and lookups.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dag.h"
#include "diag.h"
#include "model.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

/* 2026-01-10T00:00:00Z and one day */
#define D0 1768003200LL
#define DAY 86400LL
/* 2026-01-10T03:00:00.123456Z */
#define T3_US (1768014000LL * 1000000 + 123456)

struct fix {
	char dir[64];
	char url[128];
	struct dag *dag;
	struct store *st;
};

static const char dag_yaml[] = "dag: d\n"
			       "tasks:\n"
			       "  a: {shell: x}\n"
			       "  b: {shell: y, depends: [a]}\n";

static int setup(void **state)
{
	struct fix *f = xcalloc(1, sizeof *f);
	struct diags d;
	char err[256] = "";

	snprintf(f->dir, sizeof f->dir, "/tmp/test_store.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	/* a directory that does not exist yet: the store creates it */
	snprintf(f->url, sizeof f->url, "sqlite://%s/var/state.db", f->dir);
	diags_init(&d);
	assert_int_equal(dag_load("d.yaml", dag_yaml, strlen(dag_yaml), NULL, &f->dag, &d), 0);
	diags_release(&d);
	assert_int_equal(f->dag->n_tasks, 2);
	assert_int_equal(store_open(f->url, &f->st, err, sizeof err), 0);
	assert_string_equal(err, "");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	char cmd[128];

	store_close(f->st);
	dag_unref(f->dag);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void reopen(struct fix *f)
{
	char err[256];
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(store_open(f->url, &f->st, err, sizeof err), 0);
}

static void run_free(struct run *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_tis; i++) {
		free(r->tis[i].outputs);
		free(r->tis[i].pool);
	}
	free(r->tis);
	free(r->dag_id);
	free(r->run_id);
	free(r->conf);
	free(r);
}

/* A new run of f->dag as the scheduler builds it: tis in state none. */
static struct run *new_run(struct fix *f, enum run_type type, int64_t logical, const char *run_id)
{
	struct run *r = xcalloc(1, sizeof *r);
	r->dag_id = xstrdup("d");
	r->dag = f->dag;
	r->type = type;
	r->run_id = xstrdup(run_id);
	r->state = RUN_QUEUED;
	r->data_interval_start = logical;
	r->data_interval_end = logical + DAY;
	r->conf = xstrdup("{}");
	r->created_us = logical * 1000000 + DAY * 1000000;
	r->n_tis = f->dag->n_tasks;
	r->tis = xcalloc(r->n_tis, sizeof *r->tis);
	for (size_t i = 0; i < r->n_tis; i++) {
		r->tis[i].run = r;
		r->tis[i].task = i;
		r->tis[i].exit_code = -1;
	}
	return r;
}

static struct run *insert(struct fix *f, enum run_type type, int64_t logical, const char *run_id)
{
	struct run *r = new_run(f, type, logical, run_id);
	bool existed = true;
	assert_int_equal(store_run_insert(f->st, r, &existed), 0);
	assert_false(existed);
	return r;
}

static int64_t total_runs(struct fix *f, const char *state)
{
	json_t *o = NULL;
	int64_t n;
	assert_int_equal(store_runs_list(f->st, "d", state, 0, 0, &o), 0);
	n = json_integer_value(json_object_get(o, "total"));
	assert_int_equal(json_array_size(json_object_get(o, "items")), n);
	json_decref(o);
	return n;
}

static void assert_json(json_t *j, const char *want)
{
	char *got = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	assert_non_null(got);
	if (strcmp(got, want) != 0)
		print_message("got:  %s\nwant: %s\n", got, want);
	assert_string_equal(got, want);
	free(got);
}

static void test_open_migrates_once(void **state)
{
	struct fix *f = *state;
	struct store *bad = NULL;
	char err[256];
	bool paused = false;

	/* the schema exists: a write and a read work */
	assert_int_equal(store_dag_upsert(f->st, "d", true, &paused), 0);
	assert_true(paused);
	assert_int_equal(store_commit(f->st), 0);
	/* re-opening applies nothing (001 again would fail: tables exist) */
	reopen(f);
	assert_int_equal(store_dag_upsert(f->st, "d", false, &paused), 0);
	assert_true(paused); /* kept from the first insert */
	assert_int_equal(store_dag_set_paused(f->st, "d", false), 0);
	assert_int_equal(store_dag_upsert(f->st, "d", true, &paused), 0);
	assert_false(paused);
	assert_int_equal(total_runs(f, NULL), 0);

	assert_int_equal(store_open("postgresql://x/y", &bad, err, sizeof err), DAGD_EINVAL);
	assert_null(bad);
	assert_string_equal(err, "state store 'postgresql://x/y' is not sqlite://PATH");
	setenv("DAGD_STORE_SYNC", "sometimes", 1);
	assert_int_equal(store_open(f->url, &bad, err, sizeof err), DAGD_EINVAL);
	assert_string_equal(err, "DAGD_STORE_SYNC must be 'normal' or 'full', not 'sometimes'");
	setenv("DAGD_STORE_SYNC", "full", 1);
	assert_int_equal(store_commit(f->st), 0);
	assert_int_equal(store_open(f->url, &bad, err, sizeof err), 0);
	store_close(bad);
	unsetenv("DAGD_STORE_SYNC");
	assert_int_equal(store_open("sqlite://:memory:", &bad, err, sizeof err), 0);
	store_close(bad);
}

static void test_scheduled_insert_is_idempotent(void **state)
{
	struct fix *f = *state;
	struct run *r1 = insert(f, RT_SCHEDULED, D0, "scheduled__2026-01-10T00:00:00Z");
	struct run *r2 = new_run(f, RT_SCHEDULED, D0, "scheduled__2026-01-10T00:00:00Z");
	struct run *r3 = new_run(f, RT_SCHEDULED, D0, "scheduled__other");
	bool existed = false;

	assert_true(r1->id > 0);
	assert_true(r1->tis[0].id > 0);
	assert_true(r1->tis[1].id > r1->tis[0].id);
	assert_int_equal(store_run_insert(f->st, r2, &existed), 0);
	assert_true(existed);
	assert_int_equal(r2->id, r1->id);
	assert_int_equal(r2->tis[0].id, r1->tis[0].id);
	assert_int_equal(r2->tis[1].id, r1->tis[1].id);
	/* the key is (dag, logical_date, run_type), whatever the run_id */
	existed = false;
	assert_int_equal(store_run_insert(f->st, r3, &existed), 0);
	assert_true(existed);
	assert_int_equal(r3->id, r1->id);
	assert_int_equal(total_runs(f, NULL), 1);
	/* committed and re-opened, the second insert is still a no-op */
	assert_int_equal(store_commit(f->st), 0);
	reopen(f);
	run_free(r2);
	r2 = new_run(f, RT_SCHEDULED, D0, "scheduled__2026-01-10T00:00:00Z");
	existed = false;
	assert_int_equal(store_run_insert(f->st, r2, &existed), 0);
	assert_true(existed);
	assert_int_equal(r2->id, r1->id);
	/* a backfill of the same date is another run */
	run_free(r3);
	r3 = insert(f, RT_BACKFILL, D0, "backfill__2026-01-10T00:00:00Z");
	assert_true(r3->id != r1->id);
	assert_int_equal(total_runs(f, NULL), 2);
	run_free(r1);
	run_free(r2);
	run_free(r3);
}

static void test_manual_run_id_conflict(void **state)
{
	struct fix *f = *state;
	struct run *m1 = insert(f, RT_MANUAL, D0, "manual__2026-01-10T05:00:00.000001Z");
	struct run *m2 = new_run(f, RT_MANUAL, D0, "manual__2026-01-10T05:00:00.000001Z");
	struct run *m3 = new_run(f, RT_MANUAL, D0, "manual__2026-01-10T05:00:00.000002Z");
	struct run *s1 = new_run(f, RT_SCHEDULED, D0 + DAY, "manual__2026-01-10T05:00:00.000001Z");
	bool existed = true;
	json_t *o = NULL;

	assert_int_equal(store_run_insert(f->st, m2, &existed), DAGD_ECONFLICT);
	assert_false(existed);
	assert_int_equal(m2->id, 0);
	/* a taken run_id conflicts for a keyed run too */
	assert_int_equal(store_run_insert(f->st, s1, &existed), DAGD_ECONFLICT);
	/* manual runs of one logical date are not unique by date */
	assert_int_equal(store_run_insert(f->st, m3, &existed), 0);
	assert_false(existed);
	assert_true(store_pending(f->st));
	assert_int_equal(store_commit(f->st), 0);
	assert_int_equal(total_runs(f, NULL), 2);
	assert_int_equal(store_run_get(f->st, "d", m1->run_id, &o), 0);
	assert_int_equal(json_array_size(json_object_get(o, "tasks")), 2);
	json_decref(o);
	assert_int_equal(store_run_get(f->st, "d", "nope", &o), DAGD_ENOENT);
	assert_null(o);
	run_free(m1);
	run_free(m2);
	run_free(m3);
	run_free(s1);
}

static void test_batching(void **state)
{
	struct fix *f = *state;
	struct store *other = NULL;
	char err[256];
	bool paused;
	json_t *o = NULL;
	struct run *r;

	assert_false(store_pending(f->st));
	assert_int_equal(store_commit(f->st), 0); /* nothing to do */
	assert_int_equal(store_open(f->url, &other, err, sizeof err), 0);
	r = insert(f, RT_SCHEDULED, D0, "scheduled__2026-01-10T00:00:00Z");
	assert_true(store_pending(f->st));
	assert_int_equal(store_dag_upsert(f->st, "d", false, &paused), 0);
	assert_true(store_pending(f->st));
	/* this connection reads its own turn; another sees nothing yet */
	assert_int_equal(total_runs(f, NULL), 1);
	assert_int_equal(store_runs_list(other, "d", NULL, 0, 0, &o), 0);
	assert_json(o, "{\"items\":[],\"total\":0}");
	json_decref(o);
	assert_int_equal(store_commit(f->st), 0);
	assert_false(store_pending(f->st));
	assert_true(store_last_commit_us(f->st) > 0);
	assert_int_equal(store_runs_list(other, "d", NULL, 0, 0, &o), 0);
	assert_int_equal(json_integer_value(json_object_get(o, "total")), 1);
	json_decref(o);
	/* reads alone open no transaction */
	assert_int_equal(total_runs(f, NULL), 1);
	assert_false(store_pending(f->st));
	/* updates of rows that do not exist */
	r->tis[0].id = 999999;
	assert_int_equal(store_ti_update(f->st, &r->tis[0]), DAGD_ENOENT);
	r->id = 999999;
	assert_int_equal(store_run_update(f->st, r), DAGD_ENOENT);
	assert_int_equal(store_commit(f->st), 0);
	store_close(other);
	run_free(r);
}

struct loaded {
	struct run *runs[8];
	char **names[8];
	size_t n;
};

static void load_cb(void *ctx, struct run *r, char **names)
{
	struct loaded *l = ctx;
	assert_true(l->n < 8);
	l->runs[l->n] = r;
	l->names[l->n] = names;
	l->n++;
}

static void loaded_free(struct loaded *l)
{
	for (size_t i = 0; i < l->n; i++) {
		for (size_t k = 0; k < l->runs[i]->n_tis; k++)
			free(l->names[i][k]);
		free(l->names[i]);
		run_free(l->runs[i]);
	}
	l->n = 0;
}

static void test_roundtrip_load_active(void **state)
{
	struct fix *f = *state;
	struct run *late = insert(f, RT_SCHEDULED, D0 + DAY, "scheduled__2026-01-11T00:00:00Z");
	struct run *r = insert(f, RT_SCHEDULED, D0, "scheduled__2026-01-10T00:00:00Z");
	struct run *done = insert(f, RT_MANUAL, D0, "manual__x");
	struct loaded l = {0};
	struct ti *t;

	r->state = RUN_RUNNING;
	r->start_us = T3_US;
	assert_int_equal(store_run_update(f->st, r), 0);
	t = &r->tis[1];
	t->state = TI_UP_FOR_RETRY;
	t->try_number = 3;
	t->start_us = T3_US + 1;
	t->end_us = T3_US + 2;
	t->ready_us = T3_US + 3;
	t->next_us = T3_US + 4;
	t->first_start_us = T3_US + 5;
	t->exit_code = 7;
	t->signal = 15;
	t->pid = 4242;
	t->pid_start = 987654321;
	t->outputs = xstrdup("{\"rows\":3}");
	t->pool = xstrdup("warehouse");
	assert_int_equal(store_ti_update(f->st, t), 0);
	done->state = RUN_SUCCESS;
	assert_int_equal(store_run_update(f->st, done), 0);
	assert_int_equal(store_commit(f->st), 0);
	reopen(f);

	assert_int_equal(store_load_active(f->st, load_cb, &l), 0);
	assert_int_equal(l.n, 2);
	/* oldest logical date first */
	assert_int_equal(l.runs[0]->id, r->id);
	assert_int_equal(l.runs[1]->id, late->id);
	{
		struct run *g = l.runs[0];
		struct ti *u = &g->tis[1];
		assert_string_equal(g->dag_id, "d");
		assert_null(g->dag);
		assert_string_equal(g->run_id, "scheduled__2026-01-10T00:00:00Z");
		assert_int_equal(g->type, RT_SCHEDULED);
		assert_int_equal(g->state, RUN_RUNNING);
		assert_int_equal(g->data_interval_start, D0);
		assert_int_equal(g->data_interval_end, D0 + DAY);
		assert_string_equal(g->conf, "{}");
		assert_int_equal(g->created_us, r->created_us);
		assert_int_equal(g->start_us, T3_US);
		assert_int_equal(g->end_us, 0);
		assert_int_equal(g->n_tis, 2);
		assert_string_equal(l.names[0][0], "a");
		assert_string_equal(l.names[0][1], "b");
		assert_int_equal(g->tis[0].id, r->tis[0].id);
		assert_int_equal(g->tis[0].state, TI_NONE);
		assert_int_equal(g->tis[0].exit_code, -1);
		assert_null(g->tis[0].outputs);
		assert_null(g->tis[0].pool);
		assert_ptr_equal(u->run, g);
		assert_int_equal(u->task, 1);
		assert_int_equal(u->id, t->id);
		assert_int_equal(u->state, TI_UP_FOR_RETRY);
		assert_int_equal(u->try_number, 3);
		assert_int_equal(u->start_us, T3_US + 1);
		assert_int_equal(u->end_us, T3_US + 2);
		assert_int_equal(u->ready_us, T3_US + 3);
		assert_int_equal(u->next_us, T3_US + 4);
		assert_int_equal(u->first_start_us, T3_US + 5);
		assert_int_equal(u->exit_code, 7);
		assert_int_equal(u->signal, 15);
		assert_int_equal(u->pid, 4242);
		assert_int_equal(u->pid_start, 987654321);
		assert_string_equal(u->outputs, "{\"rows\":3}");
		assert_string_equal(u->pool, "warehouse");
	}
	loaded_free(&l);
	/* a finished run loads by id */
	assert_int_equal(store_run_load(f->st, "d", "manual__x", load_cb, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.runs[0]->state, RUN_SUCCESS);
	assert_int_equal(l.runs[0]->type, RT_MANUAL);
	assert_int_equal(l.runs[0]->n_tis, 2);
	loaded_free(&l);
	assert_int_equal(store_run_load(f->st, "d", "nope", load_cb, &l), DAGD_ENOENT);
	assert_int_equal(l.n, 0);
	assert_false(store_pending(f->st));
	run_free(late);
	run_free(r);
	run_free(done);
}

static void test_json_shapes(void **state)
{
	struct fix *f = *state;
	struct run *r = new_run(f, RT_MANUAL, D0, "manual__2026-01-10T05:00:00.000001Z");
	bool existed;
	json_t *o = NULL;

	free(r->conf);
	r->conf = xstrdup("{\"region\": \"eu\", \"n\": 2}");
	assert_int_equal(store_run_insert(f->st, r, &existed), 0);
	r->state = RUN_FAILED;
	r->start_us = T3_US;
	r->end_us = T3_US + 60 * 1000000LL;
	assert_int_equal(store_run_update(f->st, r), 0);
	r->tis[0].state = TI_SUCCESS;
	r->tis[0].try_number = 1;
	r->tis[0].start_us = T3_US;
	r->tis[0].end_us = T3_US + 999;
	r->tis[0].exit_code = 0;
	r->tis[0].pid = 77;
	r->tis[0].outputs = xstrdup("{\"rows\": 3}");
	r->tis[0].pool = xstrdup("warehouse");
	assert_int_equal(store_ti_update(f->st, &r->tis[0]), 0);
	r->tis[1].state = TI_FAILED;
	r->tis[1].try_number = 1;
	r->tis[1].start_us = T3_US + 1000;
	r->tis[1].end_us = T3_US + 2000;
	r->tis[1].exit_code = -1; /* killed */
	r->tis[1].signal = 9;
	assert_int_equal(store_ti_update(f->st, &r->tis[1]), 0);

	assert_int_equal(store_run_get(f->st, "d", r->run_id, &o), 0);
	assert_json(o, "{\"conf\":{\"n\":2,\"region\":\"eu\"},\"dag\":\"d\","
		       "\"data_interval_end\":\"2026-01-11T00:00:00Z\","
		       "\"data_interval_start\":\"2026-01-10T00:00:00Z\","
		       "\"end\":\"2026-01-10T03:01:00.123Z\","
		       "\"logical_date\":\"2026-01-10T00:00:00Z\","
		       "\"run_id\":\"manual__2026-01-10T05:00:00.000001Z\","
		       "\"run_type\":\"manual\",\"start\":\"2026-01-10T03:00:00.123Z\","
		       "\"state\":\"failed\",\"tasks\":["
		       "{\"end\":\"2026-01-10T03:00:00.124Z\",\"exit_code\":0,"
		       "\"outputs\":{\"rows\":3},\"pool\":\"warehouse\","
		       "\"start\":\"2026-01-10T03:00:00.123Z\",\"state\":\"success\","
		       "\"task\":\"a\",\"try_number\":1},"
		       "{\"end\":\"2026-01-10T03:00:00.125Z\",\"exit_code\":null,"
		       "\"outputs\":null,\"pool\":null,"
		       "\"start\":\"2026-01-10T03:00:00.124Z\",\"state\":\"failed\","
		       "\"task\":\"b\",\"try_number\":1}]}");
	json_decref(o);
	/* a fresh run: no times, no exit codes */
	run_free(r);
	r = insert(f, RT_SCHEDULED, D0 + DAY, "scheduled__2026-01-11T00:00:00Z");
	assert_int_equal(store_runs_list(f->st, "d", NULL, 1, 0, &o), 0);
	assert_json(o, "{\"items\":[{\"conf\":{},\"dag\":\"d\","
		       "\"data_interval_end\":\"2026-01-12T00:00:00Z\","
		       "\"data_interval_start\":\"2026-01-11T00:00:00Z\",\"end\":null,"
		       "\"logical_date\":\"2026-01-11T00:00:00Z\","
		       "\"run_id\":\"scheduled__2026-01-11T00:00:00Z\","
		       "\"run_type\":\"scheduled\",\"start\":null,\"state\":\"queued\"}],"
		       "\"total\":2}");
	json_decref(o);
	assert_int_equal(store_run_get(f->st, "d", r->run_id, &o), 0);
	assert_json(json_array_get(json_object_get(o, "tasks"), 0),
		    "{\"end\":null,\"exit_code\":null,\"outputs\":null,\"pool\":null,"
		    "\"start\":null,\"state\":\"none\",\"task\":\"a\",\"try_number\":0}");
	json_decref(o);
	run_free(r);
}

static void test_pagination_and_state_filter(void **state)
{
	struct fix *f = *state;
	struct run *r[5];
	struct run *m;
	json_t *o = NULL, *items;
	char id[64];

	for (int i = 0; i < 5; i++) {
		snprintf(id, sizeof id, "scheduled__%d", i);
		r[i] = insert(f, RT_SCHEDULED, D0 + i * DAY, id);
		r[i]->state = i % 2 ? RUN_SUCCESS : RUN_FAILED;
		assert_int_equal(store_run_update(f->st, r[i]), 0);
	}
	/* same logical date as scheduled__4, inserted later: comes first */
	m = insert(f, RT_MANUAL, D0 + 4 * DAY, "manual__late");
	assert_int_equal(store_commit(f->st), 0);

	assert_int_equal(store_runs_list(f->st, "d", NULL, 2, 0, &o), 0);
	items = json_object_get(o, "items");
	assert_int_equal(json_integer_value(json_object_get(o, "total")), 6);
	assert_int_equal(json_array_size(items), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "run_id")),
			    "manual__late");
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 1), "run_id")),
			    "scheduled__4");
	json_decref(o);
	assert_int_equal(store_runs_list(f->st, "d", NULL, 2, 4, &o), 0);
	items = json_object_get(o, "items");
	assert_int_equal(json_array_size(items), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "run_id")),
			    "scheduled__1");
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 1), "run_id")),
			    "scheduled__0");
	json_decref(o);
	assert_int_equal(store_runs_list(f->st, "d", NULL, 2, 6, &o), 0);
	assert_json(o, "{\"items\":[],\"total\":6}");
	json_decref(o);
	assert_int_equal(store_runs_list(f->st, "d", NULL, 2, -1, &o), DAGD_EINVAL);

	assert_int_equal(store_runs_list(f->st, "d", "success", 1, 1, &o), 0);
	items = json_object_get(o, "items");
	assert_int_equal(json_integer_value(json_object_get(o, "total")), 2);
	assert_int_equal(json_array_size(items), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "run_id")),
			    "scheduled__1");
	json_decref(o);
	assert_int_equal(total_runs(f, "failed"), 3);
	assert_int_equal(total_runs(f, "queued"), 1);
	assert_int_equal(total_runs(f, "running"), 0);
	assert_int_equal(store_runs_list(f->st, "other", NULL, 10, 0, &o), 0);
	assert_json(o, "{\"items\":[],\"total\":0}");
	json_decref(o);

	assert_int_equal(store_last_states(f->st, "d", 3, &o), 0);
	assert_json(o, "[\"queued\",\"failed\",\"success\"]");
	json_decref(o);
	for (int i = 0; i < 5; i++)
		run_free(r[i]);
	run_free(m);
}

static void test_tries_list(void **state)
{
	struct fix *f = *state;
	struct run *r = insert(f, RT_SCHEDULED, D0, "scheduled__2026-01-10T00:00:00Z");
	struct ti *t = &r->tis[0];
	json_t *o = NULL;

	assert_int_equal(store_tries_list(f->st, "d", r->run_id, "a", &o), 0);
	assert_json(o, "[]");
	json_decref(o);
	/* try 1 failed and is recorded; try 2 is running */
	t->state = TI_FAILED;
	t->try_number = 1;
	t->start_us = T3_US;
	t->end_us = T3_US + 1000;
	t->exit_code = 3;
	t->pid = 100;
	assert_int_equal(store_try_insert(f->st, t), 0);
	t->state = TI_RUNNING;
	t->try_number = 2;
	t->start_us = T3_US + 5000;
	t->end_us = 0;
	t->exit_code = -1;
	t->pid = 101;
	assert_int_equal(store_ti_update(f->st, t), 0);
	assert_int_equal(store_tries_list(f->st, "d", r->run_id, "a", &o), 0);
	assert_json(o, "[{\"end\":\"2026-01-10T03:00:00.124Z\",\"exit_code\":3,\"pid\":100,"
		       "\"start\":\"2026-01-10T03:00:00.123Z\",\"state\":\"failed\","
		       "\"try_number\":1},"
		       "{\"end\":null,\"exit_code\":null,\"pid\":101,"
		       "\"start\":\"2026-01-10T03:00:00.128Z\",\"state\":\"running\","
		       "\"try_number\":2}]");
	json_decref(o);
	/* try 2 ends; recording it twice keeps one row */
	t->state = TI_SUCCESS;
	t->end_us = T3_US + 9000;
	t->exit_code = 0;
	assert_int_equal(store_ti_update(f->st, t), 0);
	assert_int_equal(store_try_insert(f->st, t), 0);
	assert_int_equal(store_try_insert(f->st, t), 0);
	assert_int_equal(store_commit(f->st), 0);
	assert_int_equal(store_tries_list(f->st, "d", r->run_id, "a", &o), 0);
	assert_int_equal(json_array_size(o), 2);
	assert_json(json_array_get(o, 1),
		    "{\"end\":\"2026-01-10T03:00:00.132Z\",\"exit_code\":0,\"pid\":101,"
		    "\"start\":\"2026-01-10T03:00:00.128Z\",\"state\":\"success\","
		    "\"try_number\":2}");
	json_decref(o);
	assert_int_equal(store_tries_list(f->st, "d", r->run_id, "zz", &o), DAGD_ENOENT);
	assert_int_equal(store_tries_list(f->st, "d", "nope", "a", &o), DAGD_ENOENT);
	assert_null(o);
	/* a try of a task instance that does not exist: foreign key */
	t->id = 999999;
	assert_int_equal(store_try_insert(f->st, t), DAGD_ESTORE);
	assert_true(store_pending(f->st)); /* the turn survives a failed write */
	assert_int_equal(store_commit(f->st), 0);
	run_free(r);
}

static void test_lookups(void **state)
{
	struct fix *f = *state;
	struct run *a, *b, *m;
	int64_t logical = -1;
	bool found = true;
	char st[32];

	assert_int_equal(store_last_logical(f->st, "d", &logical, &found), 0);
	assert_false(found);
	assert_int_equal(logical, 0);
	a = insert(f, RT_SCHEDULED, D0, "scheduled__a");
	b = insert(f, RT_BACKFILL, D0 - DAY, "backfill__b");
	m = insert(f, RT_MANUAL, D0 + 5 * DAY, "manual__m"); /* does not count */
	assert_int_equal(store_last_logical(f->st, "d", &logical, &found), 0);
	assert_true(found);
	assert_int_equal(logical, D0);

	a->state = RUN_SUCCESS;
	assert_int_equal(store_run_update(f->st, a), 0);
	a->tis[1].state = TI_SKIPPED;
	assert_int_equal(store_ti_update(f->st, &a->tis[1]), 0);
	assert_int_equal(store_state_at(f->st, "d", NULL, D0, st, &found), 0);
	assert_true(found);
	assert_string_equal(st, "success");
	assert_int_equal(store_state_at(f->st, "d", "b", D0, st, &found), 0);
	assert_true(found);
	assert_string_equal(st, "skipped");
	assert_int_equal(store_state_at(f->st, "d", "zz", D0, st, &found), 0);
	assert_false(found);
	assert_int_equal(store_state_at(f->st, "d", NULL, D0 + DAY, st, &found), 0);
	assert_false(found);
	assert_string_equal(st, "");
	/* the most recent run of that date wins */
	run_free(m);
	m = insert(f, RT_MANUAL, D0, "manual__same_date");
	assert_int_equal(store_state_at(f->st, "d", NULL, D0, st, &found), 0);
	assert_string_equal(st, "queued");
	assert_int_equal(store_state_at(f->st, "d", "b", D0, st, &found), 0);
	assert_string_equal(st, "none");
	run_free(a);
	run_free(b);
	run_free(m);
}

static void test_timefmt(void **state)
{
	char buf[TIMEFMT_US_LEN];
	(void)state;
	timefmt_us(T3_US, buf, sizeof buf);
	assert_string_equal(buf, "2026-01-10T03:00:00.123Z");
	timefmt_us(0, buf, sizeof buf);
	assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
	timefmt_us(-1, buf, sizeof buf);
	assert_string_equal(buf, "1969-12-31T23:59:59.999Z");
	timefmt_us(D0 * 1000000 + 999999, buf, sizeof buf);
	assert_string_equal(buf, "2026-01-10T00:00:00.999Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_migrates_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scheduled_insert_is_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manual_run_id_conflict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batching, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_load_active, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_shapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pagination_and_state_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tries_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookups, setup, teardown),
		cmocka_unit_test(test_timefmt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
