/*
 * store_sqlite_audit.c - the audit log and the counts behind /metrics, in
 * SQLite. Statements are prepared per call (these calls are rare next to
 * the engine's), always with bound values.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "store.h"
#include "util.h"
#include "store_sqlite_internal.h"
#include "timefmt.h"

static int prepare(struct store *st, const char *sql, sqlite3_stmt **s)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK)
		return store_sq_fail(st, NULL, "prepare");
	return 0;
}

int store_audit_add(struct store *st, int64_t at_us, const char *who, const char *action,
		    const char *dag, const char *detail)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = store_sq_begin(st)) != 0)
		return rc;
	if ((rc = prepare(st, "insert into audit (at_us, who, action, dag, detail) "
			      "values (?, ?, ?, ?, ?)", &s)) != 0)
		return rc;
	store_sq_bind_i64(s, 1, at_us);
	store_sq_bind_text(s, 2, who);
	store_sq_bind_text(s, 3, action);
	store_sq_bind_text(s, 4, dag);
	store_sq_bind_text(s, 5, detail);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : store_sq_fail(st, s, "insert audit");
	sqlite3_finalize(s);
	return rc;
}

int store_audit_list(struct store *st, int limit, int offset, json_t **out)
{
	sqlite3_stmt *s;
	json_t *items = json_array();
	int64_t total = 0;
	int rc;

	if ((rc = prepare(st, "select count(*) from audit", &s)) != 0)
		goto fail;
	if (sqlite3_step(s) == SQLITE_ROW)
		total = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if ((rc = prepare(st, "select at_us, who, action, dag, detail from audit "
			      "order by at_us desc, id desc limit ? offset ?", &s)) != 0)
		goto fail;
	store_sq_bind_i64(s, 1, limit);
	store_sq_bind_i64(s, 2, offset);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char at[40];
		timefmt_us(sqlite3_column_int64(s, 0), at, sizeof(at));
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s?, s:s?}", "at", at, "who",
						       store_sq_col_str(s, 1), "action",
						       store_sq_col_str(s, 2), "dag",
						       (const char *)sqlite3_column_text(s, 3),
						       "detail",
						       (const char *)sqlite3_column_text(s, 4)));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		rc = DAGD_ESTORE;
		goto fail;
	}
	*out = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total);
	return 0;
fail:
	json_decref(items);
	return rc;
}

int store_run_counts(struct store *st, json_t **out)
{
	sqlite3_stmt *s;
	json_t *o = json_object();
	int rc;

	if ((rc = prepare(st, "select state, count(*) from runs group by state", &s)) != 0) {
		json_decref(o);
		return rc;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_object_set_new(o, store_sq_col_str(s, 0), json_integer(sqlite3_column_int64(s, 1)));
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		json_decref(o);
		return DAGD_ESTORE;
	}
	*out = o;
	return 0;
}

int store_state_latest(struct store *st, const char *dag, const char *task, int64_t max_end,
		       char state[32], bool *found)
{
	sqlite3_stmt *s;
	int rc;

	*found = false;
	rc = prepare(st, task ? "select t.state from runs r join task_instances t on t.run = r.id "
				"where r.dag = ? and t.task = ? and r.data_interval_end <= ? "
				"order by r.data_interval_end desc, r.id desc limit 1"
			      : "select r.state from runs r where r.dag = ? and ?2 is null and "
				"r.data_interval_end <= ?3 order by r.data_interval_end desc, r.id desc limit 1",
		     &s);
	if (rc != 0)
		return rc;
	store_sq_bind_text(s, 1, dag);
	store_sq_bind_text(s, 2, task);
	store_sq_bind_i64(s, 3, max_end);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(state, 32, "%s", store_sq_col_str(s, 0));
		*found = true;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : DAGD_ESTORE;
}

int store_last_states_all(struct store *st, int n, json_t **out)
{
	sqlite3_stmt *s;
	json_t *o = json_object();
	int rc;

	rc = prepare(st, "select dag, state from (select dag, state, row_number() over "
			 "(partition by dag order by logical_date desc, id desc) as rn from runs) "
			 "where rn <= ? order by dag, rn",
		     &s);
	if (rc != 0) {
		json_decref(o);
		return rc;
	}
	store_sq_bind_i64(s, 1, n);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *dag = store_sq_col_str(s, 0);
		json_t *a = json_object_get(o, dag);
		if (!a) {
			a = json_array();
			json_object_set_new(o, dag, a);
		}
		json_array_append_new(a, json_string(store_sq_col_str(s, 1)));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		json_decref(o);
		return DAGD_ESTORE;
	}
	*out = o;
	return 0;
}
