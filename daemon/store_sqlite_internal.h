/*
 * store_sqlite_internal.h - what store_sqlite.c (open, migrations,
 * batching, writes) shares with store_sqlite_read.c (loads and JSON reads):
 * the connection, its statements (all prepared once at open, always bound,
 * never built from input) and small helpers. Private to those two files,
 * the only ones that include sqlite3.h.
 */
#ifndef DAGD_STORE_SQLITE_INTERNAL_H
#define DAGD_STORE_SQLITE_INTERNAL_H

#include <sqlite3.h>

#include "store.h"

/* Columns of a run, in the order of enum run_col. */
#define SQ_RUN_COLS                                                              \
	"id, dag, run_id, run_type, logical_date, data_interval_start, "         \
	"data_interval_end, state, conf, created_us, start_us, end_us"
enum run_col {
	RC_ID, RC_DAG, RC_RUN_ID, RC_TYPE, RC_LOGICAL, RC_DI_START, RC_DI_END, RC_STATE,
	RC_CONF, RC_CREATED, RC_START, RC_END
};

/* Columns of a task instance, in the order of enum ti_col. */
#define SQ_TI_COLS                                                               \
	"id, task, state, try_number, start_us, end_us, ready_us, next_us, "     \
	"first_start_us, exit_code, signal, pid, pid_start, outputs, pool"
enum ti_col {
	TC_ID, TC_TASK, TC_STATE, TC_TRY, TC_START, TC_END, TC_READY, TC_NEXT, TC_FIRST,
	TC_EXIT, TC_SIGNAL, TC_PID, TC_PID_START, TC_OUTPUTS, TC_POOL
};

/* The key that makes scheduled and backfill runs unique (runs_logical_key). */
#define SQ_KEYED_TYPES "run_type IN ('scheduled', 'backfill')"

/* Task-instance fields after the key: ?k .. ?k+12 (see store_sq_bind_ti). */
#define SQ_TI_SET                                                                \
	"state = ?2, try_number = ?3, start_us = ?4, end_us = ?5, ready_us = ?6, " \
	"next_us = ?7, first_start_us = ?8, exit_code = ?9, signal = ?10, "      \
	"pid = ?11, pid_start = ?12, outputs = ?13, pool = ?14"

#define SQ_STMTS(X)                                                                     \
	X(SQ_BEGIN, "BEGIN IMMEDIATE")                                                  \
	X(SQ_COMMIT, "COMMIT")                                                          \
	X(SQ_ROLLBACK, "ROLLBACK")                                                      \
	X(SQ_SAVEPOINT, "SAVEPOINT run_insert")                                         \
	X(SQ_RELEASE, "RELEASE run_insert")                                             \
	X(SQ_ROLLBACK_TO, "ROLLBACK TO run_insert")                                     \
	X(SQ_RUN_INSERT_KEYED,                                                          \
	  "INSERT INTO runs (dag, run_id, run_type, logical_date, data_interval_start, " \
	  "data_interval_end, state, conf, created_us, start_us, end_us) "              \
	  "VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "                       \
	  "ON CONFLICT (dag, logical_date, run_type) WHERE " SQ_KEYED_TYPES             \
	  " DO NOTHING")                                                                \
	X(SQ_RUN_INSERT,                                                                \
	  "INSERT INTO runs (dag, run_id, run_type, logical_date, data_interval_start, " \
	  "data_interval_end, state, conf, created_us, start_us, end_us) "              \
	  "VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")                       \
	X(SQ_RUN_FIND_KEY,                                                              \
	  "SELECT id FROM runs WHERE dag = ?1 AND logical_date = ?2 AND run_type = ?3")  \
	X(SQ_RUN_UPDATE, "UPDATE runs SET state = ?2, start_us = ?3, end_us = ?4 WHERE id = ?1") \
	X(SQ_TI_INSERT,                                                                 \
	  "INSERT INTO task_instances (run, task, state, try_number, start_us, end_us, " \
	  "ready_us, next_us, first_start_us, exit_code, signal, pid, pid_start, "      \
	  "outputs, pool) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "  \
	  "?13, ?14, ?15)")                                                             \
	X(SQ_TI_FIND, "SELECT id FROM task_instances WHERE run = ?1 AND task = ?2")     \
	X(SQ_TI_UPDATE, "UPDATE task_instances SET " SQ_TI_SET " WHERE id = ?1")        \
	X(SQ_TRY_INSERT,                                                                \
	  "INSERT INTO tries (ti, try_number, state, start_us, end_us, exit_code, "     \
	  "signal, pid, outputs) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "          \
	  "ON CONFLICT (ti, try_number) DO UPDATE SET state = excluded.state, "         \
	  "start_us = excluded.start_us, end_us = excluded.end_us, "                    \
	  "exit_code = excluded.exit_code, signal = excluded.signal, "                  \
	  "pid = excluded.pid, outputs = excluded.outputs")                             \
	X(SQ_DAG_INSERT,                                                                \
	  "INSERT INTO dags (dag, paused, first_seen_us) VALUES (?1, ?2, ?3) "          \
	  "ON CONFLICT (dag) DO NOTHING")                                               \
	X(SQ_DAG_PAUSED, "SELECT paused FROM dags WHERE dag = ?1")                      \
	X(SQ_DAG_SET_PAUSED,                                                            \
	  "INSERT INTO dags (dag, paused, first_seen_us) VALUES (?1, ?2, ?3) "          \
	  "ON CONFLICT (dag) DO UPDATE SET paused = excluded.paused")                   \
	X(SQ_ACTIVE_RUNS,                                                               \
	  "SELECT " SQ_RUN_COLS " FROM runs WHERE state IN ('queued', 'running') "      \
	  "ORDER BY logical_date, id")                                                  \
	X(SQ_RUN_TIS, "SELECT " SQ_TI_COLS " FROM task_instances WHERE run = ?1 ORDER BY id") \
	X(SQ_LAST_LOGICAL,                                                              \
	  "SELECT max(logical_date) FROM runs WHERE dag = ?1 AND " SQ_KEYED_TYPES)      \
	X(SQ_RUN_STATE_AT,                                                              \
	  "SELECT state FROM runs WHERE dag = ?1 AND logical_date = ?2 "                \
	  "ORDER BY id DESC LIMIT 1")                                                   \
	X(SQ_TI_STATE_AT,                                                               \
	  "SELECT state FROM task_instances WHERE task = ?3 AND run = "                 \
	  "(SELECT id FROM runs WHERE dag = ?1 AND logical_date = ?2 "                  \
	  "ORDER BY id DESC LIMIT 1)")                                                  \
	X(SQ_RUNS_LIST,                                                                 \
	  "SELECT " SQ_RUN_COLS " FROM runs WHERE dag = ?1 "                            \
	  "ORDER BY logical_date DESC, id DESC LIMIT ?2 OFFSET ?3")                     \
	X(SQ_RUNS_LIST_STATE,                                                           \
	  "SELECT " SQ_RUN_COLS " FROM runs WHERE dag = ?1 AND state = ?4 "             \
	  "ORDER BY logical_date DESC, id DESC LIMIT ?2 OFFSET ?3")                     \
	X(SQ_RUNS_COUNT, "SELECT count(*) FROM runs WHERE dag = ?1")                    \
	X(SQ_RUNS_COUNT_STATE, "SELECT count(*) FROM runs WHERE dag = ?1 AND state = ?2") \
	X(SQ_RUN_GET, "SELECT " SQ_RUN_COLS " FROM runs WHERE dag = ?1 AND run_id = ?2") \
	X(SQ_TI_GET,                                                                    \
	  "SELECT t.id, t.try_number, t.state, t.start_us, t.end_us, t.exit_code, "     \
	  "t.pid FROM task_instances t JOIN runs r ON r.id = t.run "                    \
	  "WHERE r.dag = ?1 AND r.run_id = ?2 AND t.task = ?3")                         \
	X(SQ_TRIES,                                                                     \
	  "SELECT try_number, state, start_us, end_us, exit_code, pid FROM tries "      \
	  "WHERE ti = ?1 ORDER BY try_number")                                          \
	X(SQ_LAST_STATES,                                                               \
	  "SELECT state FROM runs WHERE dag = ?1 "                                      \
	  "ORDER BY logical_date DESC, id DESC LIMIT ?2")

enum sq_stmt {
#define X(e, sql) e,
	SQ_STMTS(X)
#undef X
	SQ__COUNT
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[SQ__COUNT];
	bool in_txn;            /* BEGIN IMMEDIATE done, COMMIT not yet */
	int64_t last_commit_us;
};

/* Statement id, reset and with its bindings cleared: ready to bind. */
sqlite3_stmt *store_sq_stmt(struct store *st, enum sq_stmt id);
/*
 * Log what failed with SQLite's message, reset the statement s (may be
 * NULL) and notice a transaction SQLite rolled back on its own (then this
 * turn's writes are gone, which is logged too). Returns DAGD_ESTORE.
 */
int store_sq_fail(struct store *st, sqlite3_stmt *s, const char *what);

/* Open the turn's transaction before its first write (no-op when open). */
int store_sq_begin(struct store *st);

/* Bind helpers; NULL text binds SQL NULL. Return an SQLite code. */
int store_sq_bind_text(sqlite3_stmt *s, int i, const char *v);
int store_sq_bind_i64(sqlite3_stmt *s, int i, int64_t v);
/* Column i as a new string (xstrdup), or NULL when it is NULL. */
char *store_sq_col_dup(sqlite3_stmt *s, int i);
/* Column i as text, "" when NULL; valid until the next step or reset. */
const char *store_sq_col_str(sqlite3_stmt *s, int i);

#endif
