/*
 * sql_spec.h - the spec file the daemon writes for one try of a data task
 * (sql, load, sql sensor, file sensor) and runs `dagd-sql SPEC_FILE` on,
 * and its parsed form (sql_spec.c). The comment below is the contract
 * between daemon/ and dagd-sql: the file format, the exit codes, outputs.
 */

/*
 * How the daemon runs it: the keeper starts `dagd-sql SPEC_FILE` like any
 * task command (stdout/stderr on the try's log, cwd and env set, DAGD_OUTPUT
 * naming the outputs file). The spec is written mode 0600 (it holds URLs
 * with passwords); dagd-sql reads it and deletes it before doing anything
 * else. Every string is already rendered (templates done), every path is
 * absolute.
 *
 * Exit codes (the keeper's skip code must be 99, or spec "skip_exit_code"):
 *   0    success; outputs in $DAGD_OUTPUT
 *   1    failure (SQL error, bad row, timeout, sensor timeout without soft_fail)
 *   2    bad spec or usage (nothing was run)
 *   99   skipped: skip_if was true (after the commit), or a soft_fail
 *        sensor timed out
 *   100  reschedule-mode sensor: condition not met yet, poke again later
 *
 * The spec, one JSON object (keys not listed are warned about and ignored;
 * null means absent; defaults in brackets):
 * {
 *   "kind": "sql" | "load" | "sensor_sql" | "sensor_file",        required
 *   "conn": "postgresql://user:pw@host:port/db",  required for sql, load,
 *           sensor_sql (any libpq URL or key=value conninfo)
 *   "timeout_ms": 3600000,     the task timeout [0 = none]: statement_timeout
 *           is set to it minus a margin (a tenth, 100 ms..5 s), and a timer
 *           PQcancel()s the running query at that point, before the daemon
 *           kills the process group; SIGTERM also cancels the query
 *   "skip_exit_code": 99,      the exit code for skipped [99]
 *
 *   kind sql:
 *   "sql": "rendered SQL text",  required; split into statements on the
 *           client as psql does (quotes, dollar quotes, comments, BEGIN
 *           ATOMIC bodies), each sent alone: its command tag, NOTICEs and,
 *           for the last one, up to 100 rows go to the log; a psql
 *           meta-command (\copy) fails the try
 *   "sql_file": "/abs/path.sql",  where the text came from: errors point at
 *           FILE:LINE:COL of this file (lines of the rendered text) [inline]
 *   "autocommit": false,  false: all statements in one transaction; true:
 *           each statement commits on its own
 *   "outputs": "select ...",   one row: its columns become the outputs
 *   "skip_if": "select ...",   one value (no row: false): truthy -> exit 99
 *           after the commit
 *   "to_file": {"path": "/abs/out.csv", "format": "csv" | "jsonl" [csv],
 *               "header": true [true], "delimiter": "," [","],
 *               "null": "" [""]}   the last statement is a query streamed
 *           to PATH.tmp, renamed to PATH after the commit (directories made)
 *
 *   kind load (exactly one of files, from_conn):
 *   "load": {
 *     "files": "/abs/glob*.csv",  a glob; matches in name order, one COPY
 *           each, all in one transaction; .gz names are gunzipped
 *     "from_conn": "postgresql://...", "from_query": "select ...",
 *           COPY (query) TO STDOUT there piped into COPY FROM STDIN here;
 *           the query's column names pick the table's columns
 *     "format": "csv" | "jsonl" | "json" | "text" [csv],
 *     "delimiter": "," [","], "quote": "\"" ["\""], "escape": "\"" [quote],
 *     "null": "NULL"  [csv default: unquoted empty field],
 *     "header": false,  true: each file's first record names the columns
 *           its fields fill; false: fields fill the table's columns in order
 *     "encoding": "LATIN1" [none] (csv, text; ignored for json),
 *     "table": "schema.table",                                   required
 *     "mode": "append" | "truncate" | "replace" [append],
 *     "delete_where": "ds = '2026-01-01'",  before the copy (append only:
 *           ignored, with a warning, for truncate and replace)
 *     "set": {"col": "text"},  constant columns on every row; the literal
 *           text {{ file }} in a value stands for the file being read
 *     "create": false,  create a missing table from the csv header (text)
 *     "ignore_unknown": false,  json keys without a column are dropped
 *     "columns": {"col": "key"}  json key (or csv header name) for column
 *   }
 *
 *   kinds sensor_sql, sensor_file:
 *   "sensor": {
 *     "path": "/abs/glob",  sensor_file: a match exists, has at least
 *           min_size bytes and was not modified for stable_for_ms
 *     "min_size": 0, "stable_for_ms": 0,
 *     "query": "select ...",  sensor_sql: first column of first row truthy
 *     "poke_interval_ms": 60000, "mode": "poke" | "reschedule" [poke],
 *     "soft_fail": false,
 *     "deadline_us": 1767236400000000  epoch microseconds when the sensor
 *           times out [0 = never]; poke: loop until true or the deadline;
 *           reschedule: one check, exit 0 / 100, or 1 / 99 past it
 *   }
 * }
 *
 * Outputs ($DAGD_OUTPUT, one JSON object): sql: the outputs row (numbers
 * and booleans as JSON, json/jsonb columns as JSON, NULL as null, the rest
 * as strings); load: {"rows": N}; sensor_file: {"path": "first match"}.
 */
#ifndef DAGD_SQL_SPEC_H
#define DAGD_SQL_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum spec_kind { SPEC_SQL, SPEC_LOAD, SPEC_SENSOR_SQL, SPEC_SENSOR_FILE };
enum spec_format { SPEC_FMT_CSV, SPEC_FMT_JSONL, SPEC_FMT_JSON, SPEC_FMT_TEXT };
enum spec_load_mode { SPEC_APPEND, SPEC_TRUNCATE, SPEC_REPLACE };
enum spec_sensor_mode { SPEC_POKE, SPEC_RESCHEDULE };

/* A string pair of an object member, in the spec's order. */
struct spec_kv {
	char *key;
	char *val;
};

struct spec_to_file {
	char *path;
	enum spec_format format; /* csv or jsonl */
	bool header;
	char delimiter;
	char *null;
};

struct spec_load {
	char *files;      /* glob, or NULL */
	char *from_conn;  /* with from_query, or NULL */
	char *from_query;
	enum spec_format format;
	char delimiter, quote, escape;
	char *null;       /* NULL: the format's default */
	bool header;
	char *encoding;   /* NULL: none */
	char *table;
	enum spec_load_mode mode;
	char *delete_where;
	struct spec_kv *set;
	size_t n_set;
	bool create;
	bool ignore_unknown;
	struct spec_kv *columns; /* key: column, val: json key / header name */
	size_t n_columns;
};

struct spec_sensor {
	char *path;
	int64_t min_size;
	int64_t stable_for_ms;
	char *query;
	int64_t poke_interval_ms;
	enum spec_sensor_mode mode;
	bool soft_fail;
	int64_t deadline_us; /* 0: none */
};

struct spec {
	enum spec_kind kind;
	char *conn;
	int64_t timeout_ms;
	int skip_exit_code;
	/* sql */
	char *sql;
	char *sql_file;
	bool autocommit;
	char *skip_if;
	char *outputs;
	struct spec_to_file *to_file;
	/* load, sensors */
	struct spec_load *load;
	struct spec_sensor *sensor;
};

/*
 * Parse the spec text buf[0..len) into *s (which need not be initialised).
 * 0, or -1 with a message (for the log, no secrets) in err[0..errlen).
 * On failure *s is left empty (spec_release() is still safe).
 */
int spec_parse(const char *buf, size_t len, struct spec *s, char *err, size_t errlen);
/* Free everything s holds; s may be NULL. */
void spec_release(struct spec *s);

#endif
