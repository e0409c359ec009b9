/*
 * store_sqlite_read.c - the reads of the SQLite store (store.h): active
 * runs for the scheduler's restart, the small lookups of sensors and
 * catch-up, and the API's JSON views with the field names of DESIGN.md
 * section 6. Times in the JSON are RFC 3339 UTC text: whole seconds for
 * logical dates and intervals, milliseconds for start/end, null when 0.
 * Writes and the connection are store_sqlite.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_sqlite_internal.h"
#include "timefmt.h"
#include "tz.h"
#include "util.h"

#define MOD "store"

/* --- JSON helpers (jansson fails only on out of memory: abort, as xmalloc) */

static void json_oom(void)
{
	log_error(MOD, "out of memory building JSON");
	abort();
}

/* A JSON string; text that is not UTF-8 (never written by dagd) becomes null. */
static json_t *jstr(const char *s)
{
	json_t *j = s ? json_string(s) : NULL;
	return j ? j : json_null();
}

static void jset(json_t *o, const char *key, json_t *v)
{
	if (!v || json_object_set_new(o, key, v) != 0)
		json_oom();
}

static void jpush(json_t *a, json_t *v)
{
	if (!v || json_array_append_new(a, v) != 0)
		json_oom();
}

static json_t *jobj(void)
{
	json_t *o = json_object();
	if (!o)
		json_oom();
	return o;
}

static json_t *jarr(void)
{
	json_t *a = json_array();
	if (!a)
		json_oom();
	return a;
}

static json_t *jtime_s(int64_t secs)
{
	char buf[32];
	tz_format_rfc3339(NULL, secs, buf, sizeof buf);
	return json_string(buf);
}

static json_t *jtime_us(int64_t us)
{
	char buf[TIMEFMT_US_LEN];
	if (us == 0)
		return json_null();
	timefmt_us(us, buf, sizeof buf);
	return json_string(buf);
}

/* An integer, or null when it is 0 (pids). */
static json_t *jint_or_null(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

/* exit_code: null until a try has ended, and for a try killed by a signal. */
static json_t *jexit(int exit_code, int64_t end_us)
{
	return end_us != 0 && exit_code >= 0 ? json_integer(exit_code) : json_null();
}

/* Column i holding a JSON object as text: the object, else fallback (a
 * stored value that does not parse is logged). */
static json_t *jobject_col(sqlite3_stmt *s, int i, bool null_fallback, const char *what)
{
	const char *text = (const char *)sqlite3_column_text(s, i);
	json_t *o;

	if (!text)
		return null_fallback ? json_null() : jobj();
	o = json_loads(text, JSON_DECODE_ANY, NULL);
	if (json_is_object(o))
		return o;
	json_decref(o);
	log_warn(MOD, "stored %s is not a JSON object; shown as %s", what,
		 null_fallback ? "null" : "{}");
	return null_fallback ? json_null() : jobj();
}

/* A run from a row of SQ_RUN_COLS (DESIGN.md section 6). */
static json_t *run_json(sqlite3_stmt *s)
{
	json_t *o = jobj();
	jset(o, "dag", jstr(store_sq_col_str(s, RC_DAG)));
	jset(o, "run_id", jstr(store_sq_col_str(s, RC_RUN_ID)));
	jset(o, "run_type", jstr(store_sq_col_str(s, RC_TYPE)));
	jset(o, "logical_date", jtime_s(sqlite3_column_int64(s, RC_LOGICAL)));
	jset(o, "data_interval_start", jtime_s(sqlite3_column_int64(s, RC_DI_START)));
	jset(o, "data_interval_end", jtime_s(sqlite3_column_int64(s, RC_DI_END)));
	jset(o, "state", jstr(store_sq_col_str(s, RC_STATE)));
	jset(o, "conf", jobject_col(s, RC_CONF, false, "run conf"));
	jset(o, "start", jtime_us(sqlite3_column_int64(s, RC_START)));
	jset(o, "end", jtime_us(sqlite3_column_int64(s, RC_END)));
	return o;
}

/* A task instance from a row of SQ_TI_COLS. */
static json_t *ti_json(sqlite3_stmt *s)
{
	int64_t end = sqlite3_column_int64(s, TC_END);
	json_t *o = jobj();
	jset(o, "task", jstr(store_sq_col_str(s, TC_TASK)));
	jset(o, "state", jstr(store_sq_col_str(s, TC_STATE)));
	jset(o, "try_number", json_integer(sqlite3_column_int(s, TC_TRY)));
	jset(o, "start", jtime_us(sqlite3_column_int64(s, TC_START)));
	jset(o, "end", jtime_us(end));
	jset(o, "exit_code", jexit(sqlite3_column_int(s, TC_EXIT), end));
	jset(o, "pool", jstr((const char *)sqlite3_column_text(s, TC_POOL)));
	jset(o, "outputs", jobject_col(s, TC_OUTPUTS, true, "task outputs"));
	return o;
}

/* --- active runs ----------------------------------------------------------- */

struct loaded {
	struct run *r;
	char **names; /* parallel to r->tis */
	size_t n_names;
};

static void loaded_release(struct loaded *l)
{
	for (size_t i = 0; i < l->n_names; i++)
		free(l->names[i]);
	free(l->names);
	if (l->r) {
		for (size_t i = 0; i < l->r->n_tis; i++) {
			free(l->r->tis[i].outputs);
			free(l->r->tis[i].pool);
		}
		free(l->r->tis);
		free(l->r->dag_id);
		free(l->r->run_id);
		free(l->r->conf);
		free(l->r);
	}
	memset(l, 0, sizeof *l);
}

static int bad_value(const char *what, const char *v, int64_t id)
{
	log_error(MOD, "stored %s '%s' (row %lld) is not known", what, v, (long long)id);
	return DAGD_ESTORE;
}

static int ti_from_row(sqlite3_stmt *s, struct ti *ti)
{
	ti->id = sqlite3_column_int64(s, TC_ID);
	if (ti_state_parse(store_sq_col_str(s, TC_STATE), &ti->state) != 0)
		return bad_value("task state", store_sq_col_str(s, TC_STATE), ti->id);
	ti->try_number = sqlite3_column_int(s, TC_TRY);
	ti->start_us = sqlite3_column_int64(s, TC_START);
	ti->end_us = sqlite3_column_int64(s, TC_END);
	ti->ready_us = sqlite3_column_int64(s, TC_READY);
	ti->next_us = sqlite3_column_int64(s, TC_NEXT);
	ti->first_start_us = sqlite3_column_int64(s, TC_FIRST);
	ti->exit_code = sqlite3_column_int(s, TC_EXIT);
	ti->signal = sqlite3_column_int(s, TC_SIGNAL);
	ti->pid = sqlite3_column_int64(s, TC_PID);
	ti->pid_start = sqlite3_column_int64(s, TC_PID_START);
	ti->outputs = store_sq_col_dup(s, TC_OUTPUTS);
	ti->pool = store_sq_col_dup(s, TC_POOL);
	return 0;
}

/* The task instances of l->r (its id set), in insertion order. */
static int load_tis(struct store *st, struct loaded *l)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_RUN_TIS);
	struct run *r = l->r;
	size_t alloc = 0;
	int rc;

	if (store_sq_bind_i64(s, 1, r->id) != SQLITE_OK)
		return store_sq_fail(st, s, "load task instances");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct ti *ti;
		if (r->n_tis == alloc) {
			alloc = alloc ? 2 * alloc : 8;
			r->tis = xrealloc(r->tis, alloc * sizeof *r->tis);
			l->names = xrealloc(l->names, alloc * sizeof *l->names);
		}
		ti = &r->tis[r->n_tis];
		memset(ti, 0, sizeof *ti);
		ti->run = r;
		ti->task = r->n_tis;
		l->names[r->n_tis] = store_sq_col_dup(s, TC_TASK);
		l->n_names = ++r->n_tis;
		if (ti_from_row(s, ti) != 0) {
			sqlite3_reset(s);
			return DAGD_ESTORE;
		}
	}
	if (rc != SQLITE_DONE)
		return store_sq_fail(st, s, "load task instances");
	sqlite3_reset(s);
	return 0;
}

static int run_from_row(sqlite3_stmt *s, struct run *r)
{
	r->id = sqlite3_column_int64(s, RC_ID);
	r->dag_id = store_sq_col_dup(s, RC_DAG);
	r->run_id = store_sq_col_dup(s, RC_RUN_ID);
	r->conf = xstrdup(store_sq_col_str(s, RC_CONF));
	if (run_type_parse(store_sq_col_str(s, RC_TYPE), &r->type) != 0)
		return bad_value("run type", store_sq_col_str(s, RC_TYPE), r->id);
	if (run_state_parse(store_sq_col_str(s, RC_STATE), &r->state) != 0)
		return bad_value("run state", store_sq_col_str(s, RC_STATE), r->id);
	r->data_interval_start = sqlite3_column_int64(s, RC_DI_START);
	r->data_interval_end = sqlite3_column_int64(s, RC_DI_END);
	r->created_us = sqlite3_column_int64(s, RC_CREATED);
	r->start_us = sqlite3_column_int64(s, RC_START);
	r->end_us = sqlite3_column_int64(s, RC_END);
	return 0;
}

/* Read every active run with its task instances into *out (n in *n). */
static int load_all(struct store *st, struct loaded **out, size_t *n)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_ACTIVE_RUNS);
	size_t alloc = 0;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct loaded *l;
		if (*n == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			*out = xrealloc(*out, alloc * sizeof **out);
		}
		l = &(*out)[(*n)++];
		memset(l, 0, sizeof *l);
		l->r = xcalloc(1, sizeof *l->r);
		if (run_from_row(s, l->r) != 0) {
			sqlite3_reset(s);
			return DAGD_ESTORE;
		}
	}
	if (rc != SQLITE_DONE)
		return store_sq_fail(st, s, "load active runs");
	sqlite3_reset(s);
	for (size_t i = 0; i < *n; i++) {
		rc = load_tis(st, &(*out)[i]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Give l's run and names to fn, which owns them from now on. */
static void hand_over(struct loaded *l, store_run_cb fn, void *ctx)
{
	fn(ctx, l->r, l->names);
	memset(l, 0, sizeof *l);
}

int store_load_active(struct store *st, store_run_cb fn, void *ctx)
{
	struct loaded *v = NULL;
	size_t n = 0;
	int rc = load_all(st, &v, &n);

	/* every statement is reset before fn runs, so fn may use the store */
	for (size_t i = 0; rc == 0 && i < n; i++)
		hand_over(&v[i], fn, ctx);
	for (size_t i = 0; i < n; i++)
		loaded_release(&v[i]);
	free(v);
	return rc;
}

/*
 * Step SQ_RUN_GET for (dag, run_id): 0 with *out on the row (reset it when
 * done), DAGD_ENOENT when there is no such run, or a logged failure.
 */
static int run_row(struct store *st, const char *dag, const char *run_id, const char *what,
		   sqlite3_stmt **out)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_RUN_GET);
	int b = 0, rc;

	b |= store_sq_bind_text(s, 1, dag);
	b |= store_sq_bind_text(s, 2, run_id);
	rc = b == SQLITE_OK ? sqlite3_step(s) : b;
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return DAGD_ENOENT;
	}
	if (rc != SQLITE_ROW)
		return store_sq_fail(st, s, what);
	*out = s;
	return 0;
}

int store_run_load(struct store *st, const char *dag, const char *run_id, store_run_cb fn,
		   void *ctx)
{
	sqlite3_stmt *s;
	struct loaded l = {0};
	int rc = run_row(st, dag, run_id, "load run", &s);

	if (rc != 0)
		return rc;
	l.r = xcalloc(1, sizeof *l.r);
	rc = run_from_row(s, l.r);
	sqlite3_reset(s);
	if (rc == 0)
		rc = load_tis(st, &l);
	if (rc == 0)
		hand_over(&l, fn, ctx);
	loaded_release(&l);
	return rc;
}

/* --- small lookups --------------------------------------------------------- */

int store_last_logical(struct store *st, const char *dag, int64_t *logical, bool *found)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_LAST_LOGICAL);

	*logical = 0;
	*found = false;
	if (store_sq_bind_text(s, 1, dag) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW)
		return store_sq_fail(st, s, "last logical date");
	if (sqlite3_column_type(s, 0) != SQLITE_NULL) {
		*logical = sqlite3_column_int64(s, 0);
		*found = true;
	}
	sqlite3_reset(s);
	return 0;
}

int store_state_at(struct store *st, const char *dag, const char *task, int64_t logical,
		   char state[32], bool *found)
{
	sqlite3_stmt *s = store_sq_stmt(st, task ? SQ_TI_STATE_AT : SQ_RUN_STATE_AT);
	int b = 0, rc;

	state[0] = '\0';
	*found = false;
	b |= store_sq_bind_text(s, 1, dag);
	b |= store_sq_bind_i64(s, 2, logical);
	if (task)
		b |= store_sq_bind_text(s, 3, task);
	rc = b == SQLITE_OK ? sqlite3_step(s) : b;
	if (rc == SQLITE_ROW) {
		snprintf(state, 32, "%s", store_sq_col_str(s, 0));
		*found = true;
	} else if (rc != SQLITE_DONE) {
		return store_sq_fail(st, s, "state at");
	}
	sqlite3_reset(s);
	return 0;
}

/* --- API reads ------------------------------------------------------------- */

static int count_runs(struct store *st, const char *dag, const char *state, int64_t *total)
{
	sqlite3_stmt *s = store_sq_stmt(st, state ? SQ_RUNS_COUNT_STATE : SQ_RUNS_COUNT);
	int b = store_sq_bind_text(s, 1, dag);

	if (state)
		b |= store_sq_bind_text(s, 2, state);
	if (b != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW)
		return store_sq_fail(st, s, "count runs");
	*total = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

int store_runs_list(struct store *st, const char *dag, const char *state, int limit,
		    int offset, json_t **out)
{
	sqlite3_stmt *s;
	json_t *items;
	int64_t total = 0;
	int b = 0, rc;

	*out = NULL;
	if (offset < 0)
		return DAGD_EINVAL;
	rc = count_runs(st, dag, state, &total);
	if (rc != 0)
		return rc;
	s = store_sq_stmt(st, state ? SQ_RUNS_LIST_STATE : SQ_RUNS_LIST);
	b |= store_sq_bind_text(s, 1, dag);
	b |= sqlite3_bind_int(s, 2, limit > 0 ? limit : -1); /* -1: no limit */
	b |= sqlite3_bind_int(s, 3, offset);
	if (state)
		b |= store_sq_bind_text(s, 4, state);
	if (b != SQLITE_OK)
		return store_sq_fail(st, s, "list runs");
	items = jarr();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		jpush(items, run_json(s));
	if (rc != SQLITE_DONE) {
		json_decref(items);
		return store_sq_fail(st, s, "list runs");
	}
	sqlite3_reset(s);
	*out = jobj();
	jset(*out, "items", items);
	jset(*out, "total", json_integer(total));
	return 0;
}

/* "tasks" of run id: its task instances in insertion (DAG) order. */
static int run_tasks(struct store *st, int64_t id, json_t **out)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_RUN_TIS);
	json_t *a;
	int rc;

	if (store_sq_bind_i64(s, 1, id) != SQLITE_OK)
		return store_sq_fail(st, s, "read task instances");
	a = jarr();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		jpush(a, ti_json(s));
	if (rc != SQLITE_DONE) {
		json_decref(a);
		return store_sq_fail(st, s, "read task instances");
	}
	sqlite3_reset(s);
	*out = a;
	return 0;
}

int store_run_get(struct store *st, const char *dag, const char *run_id, json_t **out)
{
	sqlite3_stmt *s;
	json_t *run, *tasks = NULL;
	int64_t id;
	int rc;

	*out = NULL;
	rc = run_row(st, dag, run_id, "read run", &s);
	if (rc != 0)
		return rc;
	run = run_json(s);
	id = sqlite3_column_int64(s, RC_ID);
	sqlite3_reset(s);
	rc = run_tasks(st, id, &tasks);
	if (rc != 0) {
		json_decref(run);
		return rc;
	}
	jset(run, "tasks", tasks);
	*out = run;
	return 0;
}

/* One entry of a tries list. */
static json_t *try_json(int try_number, const char *state, int64_t start_us, int64_t end_us,
			int exit_code, int64_t pid)
{
	json_t *o = jobj();
	jset(o, "try_number", json_integer(try_number));
	jset(o, "state", jstr(state));
	jset(o, "start", jtime_us(start_us));
	jset(o, "end", jtime_us(end_us));
	jset(o, "exit_code", jexit(exit_code, end_us));
	jset(o, "pid", jint_or_null(pid));
	return o;
}

/* The task instance's current try (columns of SQ_TI_GET) unless recorded. */
static void push_current_try(json_t *a, sqlite3_stmt *s, int last_recorded)
{
	int try_number = sqlite3_column_int(s, 1);
	if (try_number <= 0 || try_number <= last_recorded)
		return;
	jpush(a, try_json(try_number, store_sq_col_str(s, 2), sqlite3_column_int64(s, 3),
			  sqlite3_column_int64(s, 4), sqlite3_column_int(s, 5),
			  sqlite3_column_int64(s, 6)));
}

static int read_tries(struct store *st, int64_t ti_id, json_t *a, int *last)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_TRIES);
	int rc;

	if (store_sq_bind_i64(s, 1, ti_id) != SQLITE_OK)
		return store_sq_fail(st, s, "read tries");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*last = sqlite3_column_int(s, 0);
		jpush(a, try_json(*last, store_sq_col_str(s, 1), sqlite3_column_int64(s, 2),
				  sqlite3_column_int64(s, 3), sqlite3_column_int(s, 4),
				  sqlite3_column_int64(s, 5)));
	}
	if (rc != SQLITE_DONE)
		return store_sq_fail(st, s, "read tries");
	sqlite3_reset(s);
	return 0;
}

int store_tries_list(struct store *st, const char *dag, const char *run_id, const char *task,
		     json_t **out)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_TI_GET);
	json_t *a;
	int b = 0, rc, last = 0;

	*out = NULL;
	b |= store_sq_bind_text(s, 1, dag);
	b |= store_sq_bind_text(s, 2, run_id);
	b |= store_sq_bind_text(s, 3, task);
	rc = b == SQLITE_OK ? sqlite3_step(s) : b;
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return DAGD_ENOENT;
	}
	if (rc != SQLITE_ROW)
		return store_sq_fail(st, s, "read task instance");
	/* SQ_TI_GET's row stays readable while SQ_TRIES steps */
	a = jarr();
	rc = read_tries(st, sqlite3_column_int64(s, 0), a, &last);
	if (rc == 0)
		push_current_try(a, s, last);
	sqlite3_reset(s);
	if (rc != 0) {
		json_decref(a);
		return rc;
	}
	*out = a;
	return 0;
}

int store_last_states(struct store *st, const char *dag, int n, json_t **out)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_LAST_STATES);
	json_t *a;
	int b = 0, rc;

	*out = NULL;
	b |= store_sq_bind_text(s, 1, dag);
	b |= sqlite3_bind_int(s, 2, n > 0 ? n : 0);
	if (b != SQLITE_OK)
		return store_sq_fail(st, s, "last run states");
	a = jarr();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		jpush(a, jstr(store_sq_col_str(s, 0)));
	if (rc != SQLITE_DONE) {
		json_decref(a);
		return store_sq_fail(st, s, "last run states");
	}
	sqlite3_reset(s);
	*out = a;
	return 0;
}
