/*
 * store_sqlite_grid.c - the grid read of the SQLite store (store_grid() in
 * store.h): a DAG's last runs with one compact cell per task, what the
 * dashboard's grid view draws (GET /api/v1/dags/{dag}/grid). Two queries
 * whatever the size: the runs (runs_by_date index), then every task
 * instance of those runs (task_instances' UNIQUE (run, task) index); the
 * cells are placed in C. Prepared per call: a grid is asked for a few
 * times a second at most, and the statements stay out of the shared
 * table of store_sqlite_internal.h. Reads only; the connection is
 * store_sqlite.c's.
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

#define GRID_RUNS_SQL                                                                  \
	"SELECT " SQ_RUN_COLS " FROM runs WHERE dag = ?1 "                             \
	"ORDER BY logical_date DESC, id DESC LIMIT ?2"
#define GRID_TIS_SQL                                                                   \
	"SELECT run, task, state, try_number, start_us, end_us FROM task_instances "   \
	"WHERE run IN (SELECT id FROM runs WHERE dag = ?1 "                            \
	"ORDER BY logical_date DESC, id DESC LIMIT ?2) ORDER BY run, id"
#define GRID_COUNT_SQL "SELECT count(*) FROM runs WHERE dag = ?1"

/* Columns of GRID_TIS_SQL. */
enum { GC_RUN, GC_TASK, GC_STATE, GC_TRY, GC_START, GC_END };

/* jansson fails only on out of memory: abort, as xmalloc does. */
static json_t *chk(json_t *j)
{
	if (!j) {
		log_error(MOD, "out of memory building JSON");
		abort();
	}
	return j;
}

static void jset(json_t *o, const char *key, json_t *v)
{
	if (json_object_set_new(o, key, chk(v)) != 0)
		chk(NULL);
}

static void jpush(json_t *a, json_t *v)
{
	if (json_array_append_new(a, chk(v)) != 0)
		chk(NULL);
}

static json_t *jtext(sqlite3_stmt *s, int i)
{
	json_t *j = json_string(store_sq_col_str(s, i));
	return j ? j : json_null(); /* not UTF-8: never written by dagd */
}

static json_t *jtime_s(int64_t secs)
{
	char buf[40];
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

/* Run id of the store -> position in the answer, sorted by id. */
struct run_pos {
	int64_t id;
	size_t pos;
};

static int run_pos_cmp(const void *a, const void *b)
{
	const struct run_pos *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

struct grid {
	json_t *names;         /* row names: the given tasks, then unknown ones */
	json_t *runs;          /* the answer's runs, newest first */
	json_t **cells;        /* each run's "cells" array (borrowed) */
	struct run_pos *index; /* sorted by id */
	size_t n_runs;
};

static void grid_release(struct grid *g)
{
	json_decref(g->names);
	json_decref(g->runs);
	free(g->cells);
	free(g->index);
	memset(g, 0, sizeof *g);
}

static int prepare(struct store *st, const char *sql, const char *dag, int limit,
		   sqlite3_stmt **out)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, out, NULL);

	if (rc == SQLITE_OK)
		rc = store_sq_bind_text(*out, 1, dag);
	if (rc == SQLITE_OK && limit != 0)
		rc = sqlite3_bind_int(*out, 2, limit);
	if (rc != SQLITE_OK) {
		log_error(MOD, "grid: %s", sqlite3_errmsg(st->db));
		sqlite3_finalize(*out);
		*out = NULL;
		return DAGD_ESTORE;
	}
	return 0;
}

/* The run of a row of SQ_RUN_COLS, with an empty "cells" array. */
static json_t *run_json(sqlite3_stmt *s, json_t **cells)
{
	json_t *o = chk(json_object());

	jset(o, "run_id", jtext(s, RC_RUN_ID));
	jset(o, "run_type", jtext(s, RC_TYPE));
	jset(o, "logical_date", jtime_s(sqlite3_column_int64(s, RC_LOGICAL)));
	jset(o, "data_interval_start", jtime_s(sqlite3_column_int64(s, RC_DI_START)));
	jset(o, "data_interval_end", jtime_s(sqlite3_column_int64(s, RC_DI_END)));
	jset(o, "state", jtext(s, RC_STATE));
	jset(o, "start", jtime_us(sqlite3_column_int64(s, RC_START)));
	jset(o, "end", jtime_us(sqlite3_column_int64(s, RC_END)));
	*cells = chk(json_array());
	jset(o, "cells", *cells);
	return o;
}

static int read_runs(struct store *st, const char *dag, int limit, struct grid *g)
{
	sqlite3_stmt *s = NULL;
	size_t alloc = 0;
	int rc = prepare(st, GRID_RUNS_SQL, dag, limit, &s);

	if (rc != 0)
		return rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (g->n_runs == alloc) {
			alloc = alloc ? 2 * alloc : 32;
			g->cells = xrealloc(g->cells, alloc * sizeof *g->cells);
			g->index = xrealloc(g->index, alloc * sizeof *g->index);
		}
		jpush(g->runs, run_json(s, &g->cells[g->n_runs]));
		g->index[g->n_runs].id = sqlite3_column_int64(s, RC_ID);
		g->index[g->n_runs].pos = g->n_runs;
		g->n_runs++;
	}
	if (rc != SQLITE_DONE) {
		log_error(MOD, "grid runs: %s", sqlite3_errmsg(st->db));
		sqlite3_finalize(s);
		return DAGD_ESTORE;
	}
	sqlite3_finalize(s);
	if (g->n_runs)
		qsort(g->index, g->n_runs, sizeof *g->index, run_pos_cmp);
	return 0;
}

/* The row of task name: hint first (rows come in DAG order), then a scan;
 * a name not seen yet becomes a new row. */
static size_t row_of(struct grid *g, const char *name, size_t hint)
{
	size_t n = json_array_size(g->names);

	if (hint < n && strcmp(json_string_value(json_array_get(g->names, hint)), name) == 0)
		return hint;
	for (size_t i = 0; i < n; i++)
		if (strcmp(json_string_value(json_array_get(g->names, i)), name) == 0)
			return i;
	jpush(g->names, json_string(name));
	return n;
}

static json_t *cell_json(sqlite3_stmt *s)
{
	json_t *c = chk(json_array());

	jpush(c, jtext(s, GC_STATE));
	jpush(c, json_integer(sqlite3_column_int(s, GC_TRY)));
	jpush(c, jtime_us(sqlite3_column_int64(s, GC_START)));
	jpush(c, jtime_us(sqlite3_column_int64(s, GC_END)));
	return c;
}

static void put_cell(json_t *cells, size_t row, json_t *cell)
{
	while (json_array_size(cells) < row)
		jpush(cells, json_null());
	if (json_array_size(cells) == row)
		jpush(cells, cell);
	else if (json_array_set_new(cells, row, cell) != 0)
		chk(NULL);
}

static int read_cells(struct store *st, const char *dag, int limit, struct grid *g)
{
	sqlite3_stmt *s = NULL;
	struct run_pos key, *hit = NULL;
	size_t row = 0;
	int rc = prepare(st, GRID_TIS_SQL, dag, limit, &s);

	if (rc != 0)
		return rc;
	key.id = 0;
	key.pos = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = store_sq_col_str(s, GC_TASK);
		int64_t run = sqlite3_column_int64(s, GC_RUN);
		if (!hit || hit->id != run) { /* rows come grouped by run */
			key.id = run;
			hit = bsearch(&key, g->index, g->n_runs, sizeof *g->index, run_pos_cmp);
			row = 0;
			if (!hit)
				continue; /* a run made between the two reads */
		}
		row = row_of(g, name, row);
		put_cell(g->cells[hit->pos], row, cell_json(s));
		row++;
	}
	if (rc != SQLITE_DONE) {
		log_error(MOD, "grid cells: %s", sqlite3_errmsg(st->db));
		sqlite3_finalize(s);
		return DAGD_ESTORE;
	}
	sqlite3_finalize(s);
	/* every run gets a cell (maybe null) for every row */
	for (size_t i = 0; i < g->n_runs; i++)
		while (json_array_size(g->cells[i]) < json_array_size(g->names))
			jpush(g->cells[i], json_null());
	return 0;
}

static int count_runs(struct store *st, const char *dag, int64_t *total)
{
	sqlite3_stmt *s = NULL;
	int rc = prepare(st, GRID_COUNT_SQL, dag, 0, &s);

	if (rc != 0)
		return rc;
	if (sqlite3_step(s) != SQLITE_ROW) {
		log_error(MOD, "grid count: %s", sqlite3_errmsg(st->db));
		sqlite3_finalize(s);
		return DAGD_ESTORE;
	}
	*total = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return 0;
}

int store_grid(struct store *st, const char *dag, const char *const *tasks, size_t n_tasks,
	       int limit, json_t **out)
{
	struct grid g = {0};
	int64_t total = 0;
	int rc;

	*out = NULL;
	if (limit <= 0)
		return DAGD_EINVAL;
	g.names = chk(json_array());
	g.runs = chk(json_array());
	for (size_t i = 0; i < n_tasks; i++)
		jpush(g.names, json_string(tasks[i]));
	rc = read_runs(st, dag, limit, &g);
	if (rc == 0)
		rc = read_cells(st, dag, limit, &g);
	if (rc == 0)
		rc = count_runs(st, dag, &total);
	if (rc != 0) {
		grid_release(&g);
		return rc;
	}
	*out = chk(json_object());
	jset(*out, "tasks", json_incref(g.names));
	jset(*out, "runs", json_incref(g.runs));
	jset(*out, "total", json_integer(total));
	grid_release(&g);
	return 0;
}
