/*
 * store_sqlite.c - the SQLite state store (store.h): opening the file in
 * WAL mode, the embedded migrations, the per-turn write transaction and
 * every write. Reads live in store_sqlite_read.c. One connection serves
 * both, so reads see the writes of the turn before they are committed.
 * synchronous=NORMAL (the default) makes a commit durable against a crash
 * of the process, not of the host; DAGD_STORE_SYNC=full makes it FULL.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dag.h"
#include "log.h"
#include "schema.h"
#include "store_sqlite_internal.h"
#include "util.h"

#define MOD "store"
/* How long a write waits for another connection's lock (a second daemon,
 * `dagd run`, a sqlite3 shell) before it fails. */
#define STORE_BUSY_TIMEOUT_MS 5000
#define URL_PREFIX "sqlite://"

static const char *const stmt_sql[SQ__COUNT] = {
#define X(e, sql) sql,
	SQ_STMTS(X)
#undef X
};

/* --- helpers shared with store_sqlite_read.c ---------------------------- */

sqlite3_stmt *store_sq_stmt(struct store *st, enum sq_stmt id)
{
	sqlite3_stmt *s = st->stmt[id];
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

int store_sq_fail(struct store *st, sqlite3_stmt *s, const char *what)
{
	log_error(MOD, "%s: %s", what, sqlite3_errmsg(st->db));
	if (s)
		sqlite3_reset(s);
	if (st->in_txn && sqlite3_get_autocommit(st->db)) {
		st->in_txn = false;
		log_error(MOD, "sqlite rolled the transaction back: this turn's writes are lost");
	}
	return DAGD_ESTORE;
}

int store_sq_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	return v ? sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(s, i);
}

int store_sq_bind_i64(sqlite3_stmt *s, int i, int64_t v)
{
	return sqlite3_bind_int64(s, i, v);
}

char *store_sq_col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? xstrdup((const char *)t) : NULL;
}

const char *store_sq_col_str(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? (const char *)t : "";
}

static int64_t clock_us(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* --- open, migrations, close -------------------------------------------- */

/* mkdir -p the directory part of path (nothing for a bare file name). */
static int make_parents(const char *path)
{
	char *p = xstrdup(path);
	int rc = 0;

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
		if (rc)
			break;
	}
	free(p);
	return rc;
}

/* The number NNN of a migration named NNN_name.sql, or -1. */
static long migration_version(const char *name)
{
	char *end;
	long v;

	if (name[0] < '0' || name[0] > '9')
		return -1;
	errno = 0;
	v = strtol(name, &end, 10);
	if (errno || *end != '_' || v <= 0 || !strstr(end, ".sql"))
		return -1;
	return v;
}

static int exec_sql(sqlite3 *db, const char *sql, const char *what, char *err, size_t errlen)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	snprintf(err, errlen, "%s: %s", what, msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return DAGD_ESTORE;
}

/* One-row, one-integer query (no parameters). */
static int query_i64(sqlite3 *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(s, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_OK ? 0 : DAGD_ESTORE;
}

static int apply_one(sqlite3 *db, const struct schema_file *f, long version, char *err,
		     size_t errlen)
{
	sqlite3_stmt *s = NULL;
	char what[128];
	int rc;

	snprintf(what, sizeof what, "migration sqlite/%s", f->name);
	if (exec_sql(db, f->text, what, err, errlen) != 0)
		return DAGD_ESTORE;
	rc = sqlite3_prepare_v2(db, "INSERT INTO schema_version (version) VALUES (?1)", -1, &s,
				NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 1, version);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	if (rc != SQLITE_OK)
		snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(db));
	sqlite3_finalize(s);
	if (rc != SQLITE_OK)
		return DAGD_ESTORE;
	log_info(MOD, "applied migration sqlite/%s", f->name);
	return 0;
}

/* Apply the embedded sqlite migrations newer than schema_version, in one
 * transaction. */
static int migrate(sqlite3 *db, char *err, size_t errlen)
{
	int64_t have = 0;
	long newest = 0;
	int rc;

	if (exec_sql(db, "BEGIN IMMEDIATE", "migrations", err, errlen) != 0)
		return DAGD_ESTORE;
	rc = exec_sql(db, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY)",
		      "schema_version", err, errlen);
	if (rc == 0 && query_i64(db, "SELECT coalesce(max(version), 0) FROM schema_version",
				 &have) != 0) {
		snprintf(err, errlen, "schema_version: %s", sqlite3_errmsg(db));
		rc = DAGD_ESTORE;
	}
	for (size_t i = 0; rc == 0 && i < schema_n_files; i++) {
		const struct schema_file *f = &schema_files[i];
		long v;
		if (strcmp(f->backend, "sqlite") != 0)
			continue;
		v = migration_version(f->name);
		if (v < 0) {
			snprintf(err, errlen, "embedded migration '%s' is not named NNN_name.sql",
				 f->name);
			rc = DAGD_EINVAL;
			break;
		}
		if (v > newest)
			newest = v;
		if (v > have)
			rc = apply_one(db, f, v, err, errlen);
	}
	if (rc == 0 && have > newest) {
		snprintf(err, errlen, "schema version %lld is newer than this dagd knows (%ld)",
			 (long long)have, newest);
		rc = DAGD_ECONFLICT;
	}
	if (rc == 0)
		return exec_sql(db, "COMMIT", "migrations", err, errlen);
	(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL); /* err holds the cause */
	return rc;
}

/* PRAGMA synchronous from DAGD_STORE_SYNC: "normal" (default) or "full". */
static int sync_pragma(const char **sql, char *err, size_t errlen)
{
	const char *v = getenv("DAGD_STORE_SYNC");

	if (!v || !*v || strcmp(v, "normal") == 0) {
		*sql = "PRAGMA synchronous = NORMAL";
	} else if (strcmp(v, "full") == 0) {
		*sql = "PRAGMA synchronous = FULL";
	} else {
		snprintf(err, errlen, "DAGD_STORE_SYNC must be 'normal' or 'full', not '%s'", v);
		return DAGD_EINVAL;
	}
	return 0;
}

static int set_pragmas(sqlite3 *db, bool memory, char *err, size_t errlen)
{
	const char *sync = NULL;
	int64_t fk = 0;
	int rc = sync_pragma(&sync, err, errlen);

	if (rc != 0)
		return rc;
	if (sqlite3_busy_timeout(db, STORE_BUSY_TIMEOUT_MS) != SQLITE_OK) {
		snprintf(err, errlen, "busy_timeout: %s", sqlite3_errmsg(db));
		return DAGD_ESTORE;
	}
	if (!memory) {
		sqlite3_stmt *s = NULL;
		bool wal = false;
		if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &s, NULL) == SQLITE_OK &&
		    sqlite3_step(s) == SQLITE_ROW)
			wal = strcmp(store_sq_col_str(s, 0), "wal") == 0;
		sqlite3_finalize(s);
		if (!wal) {
			snprintf(err, errlen, "cannot switch to WAL mode: %s", sqlite3_errmsg(db));
			return DAGD_ESTORE;
		}
	}
	if (exec_sql(db, sync, "synchronous", err, errlen) != 0 ||
	    exec_sql(db, "PRAGMA foreign_keys = ON", "foreign_keys", err, errlen) != 0)
		return DAGD_ESTORE;
	if (query_i64(db, "PRAGMA foreign_keys", &fk) != 0 || fk != 1) {
		snprintf(err, errlen, "cannot enable foreign keys");
		return DAGD_ESTORE;
	}
	return 0;
}

static int prepare_all(struct store *st, char *err, size_t errlen)
{
	for (size_t i = 0; i < SQ__COUNT; i++) {
		if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &st->stmt[i], NULL) != SQLITE_OK) {
			snprintf(err, errlen, "prepare '%.40s...': %s", stmt_sql[i],
				 sqlite3_errmsg(st->db));
			return DAGD_ESTORE;
		}
	}
	return 0;
}

int store_open(const char *url, struct store **out, char *err, size_t errlen)
{
	const char *path;
	struct store *st;
	bool memory;
	int rc;

	*out = NULL;
	if (strncmp(url, URL_PREFIX, strlen(URL_PREFIX)) != 0 || !url[strlen(URL_PREFIX)]) {
		snprintf(err, errlen, "state store '%s' is not sqlite://PATH", url);
		return DAGD_EINVAL;
	}
	path = url + strlen(URL_PREFIX);
	memory = strcmp(path, ":memory:") == 0;
	if (!memory && make_parents(path) != 0) {
		snprintf(err, errlen, "cannot create the directory of '%s': %s", path,
			 strerror(errno));
		return DAGD_EIO;
	}
	st = xcalloc(1, sizeof *st);
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "cannot open '%s': %s", path,
			 st->db ? sqlite3_errmsg(st->db) : "out of memory");
		rc = DAGD_EIO;
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	rc = set_pragmas(st->db, memory, err, errlen);
	if (rc == 0)
		rc = migrate(st->db, err, errlen);
	if (rc == 0)
		rc = prepare_all(st, err, errlen);
	if (rc != 0)
		goto fail;
	*out = st;
	return 0;
fail:
	store_close(st);
	return rc;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	if (st->in_txn && store_commit(st) != 0)
		log_error(MOD, "closing the store lost this turn's writes");
	for (size_t i = 0; i < SQ__COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	if (sqlite3_close(st->db) != SQLITE_OK)
		log_error(MOD, "close: %s", sqlite3_errmsg(st->db));
	free(st);
}

/* --- batching ------------------------------------------------------------ */

/* Open the turn's transaction before its first write. */
int store_sq_begin(struct store *st)
{
	sqlite3_stmt *s;

	if (st->in_txn)
		return 0;
	s = store_sq_stmt(st, SQ_BEGIN);
	if (sqlite3_step(s) != SQLITE_DONE)
		return store_sq_fail(st, s, "begin");
	sqlite3_reset(s);
	st->in_txn = true;
	return 0;
}

int store_commit(struct store *st)
{
	sqlite3_stmt *s;
	int64_t t0;

	if (!st->in_txn)
		return 0;
	t0 = clock_us(CLOCK_MONOTONIC);
	s = store_sq_stmt(st, SQ_COMMIT);
	if (sqlite3_step(s) == SQLITE_DONE) {
		sqlite3_reset(s);
		st->in_txn = false;
		st->last_commit_us = clock_us(CLOCK_MONOTONIC) - t0;
		return 0;
	}
	(void)store_sq_fail(st, s, "commit");
	if (!sqlite3_get_autocommit(st->db)) {
		/* leave no half-state behind: the turn's effects are not released */
		s = store_sq_stmt(st, SQ_ROLLBACK);
		if (sqlite3_step(s) != SQLITE_DONE)
			log_error(MOD, "rollback: %s", sqlite3_errmsg(st->db));
		sqlite3_reset(s);
	}
	st->in_txn = false;
	return DAGD_ESTORE;
}

bool store_pending(const struct store *st)
{
	return st->in_txn;
}

int64_t store_last_commit_us(const struct store *st)
{
	return st->last_commit_us;
}

/* Step a write statement that returns no row; 0 or DAGD_ESTORE (logged). */
static int step_done(struct store *st, sqlite3_stmt *s, int bind_rc, const char *what)
{
	if (bind_rc != SQLITE_OK || sqlite3_step(s) != SQLITE_DONE)
		return store_sq_fail(st, s, what);
	sqlite3_reset(s);
	return 0;
}

/* --- runs and task instances --------------------------------------------- */

/* ti fields state .. pool as ?k .. ?k+12 (the order of SQ_TI_SET). */
static int bind_ti(sqlite3_stmt *s, int k, const struct ti *ti)
{
	int b = 0;
	b |= store_sq_bind_text(s, k, ti_state_name(ti->state));
	b |= sqlite3_bind_int(s, k + 1, ti->try_number);
	b |= store_sq_bind_i64(s, k + 2, ti->start_us);
	b |= store_sq_bind_i64(s, k + 3, ti->end_us);
	b |= store_sq_bind_i64(s, k + 4, ti->ready_us);
	b |= store_sq_bind_i64(s, k + 5, ti->next_us);
	b |= store_sq_bind_i64(s, k + 6, ti->first_start_us);
	b |= sqlite3_bind_int(s, k + 7, ti->exit_code);
	b |= sqlite3_bind_int(s, k + 8, ti->signal);
	b |= store_sq_bind_i64(s, k + 9, ti->pid);
	b |= store_sq_bind_i64(s, k + 10, ti->pid_start);
	b |= store_sq_bind_text(s, k + 11, ti->outputs);
	b |= store_sq_bind_text(s, k + 12, ti->pool);
	return b;
}

static const char *ti_task_name(const struct run *r, size_t i)
{
	return r->dag->tasks[r->tis[i].task].id;
}

/* The row id of the keyed run like r, or 0. */
static int find_keyed(struct store *st, const struct run *r, int64_t *id)
{
	sqlite3_stmt *s = store_sq_stmt(st, SQ_RUN_FIND_KEY);
	int b = 0, rc;

	b |= store_sq_bind_text(s, 1, r->dag_id);
	b |= store_sq_bind_i64(s, 2, r->data_interval_start);
	b |= store_sq_bind_text(s, 3, run_type_name(r->type));
	rc = b == SQLITE_OK ? sqlite3_step(s) : b;
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sq_fail(st, s, "find run");
	sqlite3_reset(s);
	return 0;
}

/* The ids of the stored task instances of an existing run r. */
static int find_tis(struct store *st, struct run *r)
{
	for (size_t i = 0; i < r->n_tis; i++) {
		sqlite3_stmt *s = store_sq_stmt(st, SQ_TI_FIND);
		int b = store_sq_bind_i64(s, 1, r->id), rc;
		b |= store_sq_bind_text(s, 2, ti_task_name(r, i));
		rc = b == SQLITE_OK ? sqlite3_step(s) : b;
		r->tis[i].id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return store_sq_fail(st, s, "find task instance");
		sqlite3_reset(s);
	}
	return 0;
}

/* Insert the run row; *inserted false when the keyed run exists already. */
static int insert_run_row(struct store *st, struct run *r, bool keyed, bool *inserted)
{
	sqlite3_stmt *s = store_sq_stmt(st, keyed ? SQ_RUN_INSERT_KEYED : SQ_RUN_INSERT);
	int b = 0, rc;

	b |= store_sq_bind_text(s, 1, r->dag_id);
	b |= store_sq_bind_text(s, 2, r->run_id);
	b |= store_sq_bind_text(s, 3, run_type_name(r->type));
	b |= store_sq_bind_i64(s, 4, r->data_interval_start);
	b |= store_sq_bind_i64(s, 5, r->data_interval_end);
	b |= store_sq_bind_text(s, 6, run_state_name(r->state));
	b |= store_sq_bind_text(s, 7, r->conf ? r->conf : "{}");
	b |= store_sq_bind_i64(s, 8, r->created_us);
	b |= store_sq_bind_i64(s, 9, r->start_us);
	b |= store_sq_bind_i64(s, 10, r->end_us);
	if (b != SQLITE_OK)
		return store_sq_fail(st, s, "insert run");
	rc = sqlite3_step(s);
	if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
		sqlite3_reset(s); /* (dag, run_id) is taken */
		return DAGD_ECONFLICT;
	}
	if (rc != SQLITE_DONE)
		return store_sq_fail(st, s, "insert run");
	*inserted = sqlite3_changes(st->db) == 1;
	r->id = *inserted ? sqlite3_last_insert_rowid(st->db) : 0;
	sqlite3_reset(s);
	return 0;
}

static int insert_tis(struct store *st, struct run *r)
{
	for (size_t i = 0; i < r->n_tis; i++) {
		sqlite3_stmt *s = store_sq_stmt(st, SQ_TI_INSERT);
		int b = store_sq_bind_i64(s, 1, r->id);
		b |= store_sq_bind_text(s, 2, ti_task_name(r, i));
		b |= bind_ti(s, 3, &r->tis[i]);
		if (step_done(st, s, b, "insert task instance") != 0)
			return DAGD_ESTORE;
		r->tis[i].id = sqlite3_last_insert_rowid(st->db);
	}
	return 0;
}

/* The body of store_run_insert, inside its savepoint. */
static int run_insert(struct store *st, struct run *r, bool *existed)
{
	bool keyed = r->type == RT_SCHEDULED || r->type == RT_BACKFILL;
	bool inserted = false;
	int rc = insert_run_row(st, r, keyed, &inserted);

	if (rc != 0)
		return rc;
	if (inserted)
		return insert_tis(st, r);
	*existed = true;
	rc = find_keyed(st, r, &r->id);
	return rc == 0 ? find_tis(st, r) : rc;
}

int store_run_insert(struct store *st, struct run *r, bool *existed)
{
	sqlite3_stmt *s;
	int rc;

	*existed = false;
	if (r->n_tis > 0 && !r->dag)
		return DAGD_EINVAL; /* task names come from r->dag */
	rc = store_sq_begin(st);
	if (rc != 0)
		return rc;
	s = store_sq_stmt(st, SQ_SAVEPOINT);
	if (step_done(st, s, SQLITE_OK, "savepoint") != 0)
		return DAGD_ESTORE;
	rc = run_insert(st, r, existed);
	if (rc != 0 && st->in_txn) {
		/* keep no half-inserted run in the turn's transaction */
		s = store_sq_stmt(st, SQ_ROLLBACK_TO);
		if (step_done(st, s, SQLITE_OK, "rollback to savepoint") != 0)
			return DAGD_ESTORE;
		r->id = 0;
		for (size_t i = 0; i < r->n_tis; i++)
			r->tis[i].id = 0;
	}
	if (st->in_txn) {
		s = store_sq_stmt(st, SQ_RELEASE);
		if (step_done(st, s, SQLITE_OK, "release savepoint") != 0)
			return DAGD_ESTORE;
	}
	return rc;
}

/* Step an UPDATE/upsert of one row; DAGD_ENOENT when no row matched. */
static int step_one_row(struct store *st, sqlite3_stmt *s, int b, const char *what)
{
	int rc = step_done(st, s, b, what);
	if (rc == 0 && sqlite3_changes(st->db) != 1)
		return DAGD_ENOENT;
	return rc;
}

int store_run_update(struct store *st, const struct run *r)
{
	sqlite3_stmt *s;
	int b = 0, rc = store_sq_begin(st);

	if (rc != 0)
		return rc;
	s = store_sq_stmt(st, SQ_RUN_UPDATE);
	b |= store_sq_bind_i64(s, 1, r->id);
	b |= store_sq_bind_text(s, 2, run_state_name(r->state));
	b |= store_sq_bind_i64(s, 3, r->start_us);
	b |= store_sq_bind_i64(s, 4, r->end_us);
	return step_one_row(st, s, b, "update run");
}

int store_ti_update(struct store *st, const struct ti *ti)
{
	sqlite3_stmt *s;
	int b, rc = store_sq_begin(st);

	if (rc != 0)
		return rc;
	s = store_sq_stmt(st, SQ_TI_UPDATE);
	b = store_sq_bind_i64(s, 1, ti->id);
	b |= bind_ti(s, 2, ti);
	return step_one_row(st, s, b, "update task instance");
}

int store_try_insert(struct store *st, const struct ti *ti)
{
	sqlite3_stmt *s;
	int b = 0, rc = store_sq_begin(st);

	if (rc != 0)
		return rc;
	s = store_sq_stmt(st, SQ_TRY_INSERT);
	b |= store_sq_bind_i64(s, 1, ti->id);
	b |= sqlite3_bind_int(s, 2, ti->try_number);
	b |= store_sq_bind_text(s, 3, ti_state_name(ti->state));
	b |= store_sq_bind_i64(s, 4, ti->start_us);
	b |= store_sq_bind_i64(s, 5, ti->end_us);
	b |= sqlite3_bind_int(s, 6, ti->exit_code);
	b |= sqlite3_bind_int(s, 7, ti->signal);
	b |= store_sq_bind_i64(s, 8, ti->pid);
	b |= store_sq_bind_text(s, 9, ti->outputs);
	return step_done(st, s, b, "insert try");
}

/* --- DAGs ----------------------------------------------------------------- */

int store_dag_upsert(struct store *st, const char *dag, bool paused_initial, bool *paused)
{
	sqlite3_stmt *s;
	int b = 0, rc = store_sq_begin(st);

	if (rc != 0)
		return rc;
	s = store_sq_stmt(st, SQ_DAG_INSERT);
	b |= store_sq_bind_text(s, 1, dag);
	b |= sqlite3_bind_int(s, 2, paused_initial);
	b |= store_sq_bind_i64(s, 3, clock_us(CLOCK_REALTIME));
	if (step_done(st, s, b, "insert dag") != 0)
		return DAGD_ESTORE;
	s = store_sq_stmt(st, SQ_DAG_PAUSED);
	b = store_sq_bind_text(s, 1, dag);
	if (b != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW)
		return store_sq_fail(st, s, "read dag");
	*paused = sqlite3_column_int(s, 0) != 0;
	sqlite3_reset(s);
	return 0;
}

int store_dag_set_paused(struct store *st, const char *dag, bool paused)
{
	sqlite3_stmt *s;
	int b = 0, rc = store_sq_begin(st);

	if (rc != 0)
		return rc;
	s = store_sq_stmt(st, SQ_DAG_SET_PAUSED);
	b |= store_sq_bind_text(s, 1, dag);
	b |= sqlite3_bind_int(s, 2, paused);
	b |= store_sq_bind_i64(s, 3, clock_us(CLOCK_REALTIME));
	return step_done(st, s, b, "set dag paused");
}
