/*
 * sql.h - interfaces between the modules of dagd-sql, the worker program
 * for the data task kinds (sql, load, file and sql sensors). sql_main.c
 * reads the spec (sql_spec.c) and calls sql_run(), load_run() or
 * sensor_run(); sql_util.c, sql_log.c, sql_conn.c and sql_cancel.c sit
 * under all of them. Internal to dagd-sql: libpq, jansson and zlib stay
 * out of dagd-job, which shares none of this.
 */
#ifndef DAGD_SQL_H
#define DAGD_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "sql_spec.h"

#define SQL_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define SQL_WUR __attribute__((warn_unused_result))

/* Exit codes of dagd-sql (documented in sql_spec.h). */
#define SQL_EXIT_OK 0
#define SQL_EXIT_FAIL 1
#define SQL_EXIT_SPEC 2
#define SQL_EXIT_SKIP 99
#define SQL_EXIT_NOT_YET 100

/* --- sql_util.c --- */

/* malloc/realloc/strdup that cannot fail: on out of memory they say so on
 * stderr and exit SQL_EXIT_FAIL. */
void *sql_xmalloc(size_t n);
void *sql_xrealloc(void *p, size_t n);
char *sql_xstrdup(const char *s);

/* Growable byte buffer, kept NUL-terminated once anything was added;
 * {0} is empty. Cannot fail. */
struct sbuf {
	char *p;
	size_t len, cap;
};
void sbuf_add(struct sbuf *b, const void *s, size_t n);
void sbuf_addc(struct sbuf *b, char c);
void sbuf_adds(struct sbuf *b, const char *s);
void sbuf_addf(struct sbuf *b, const char *fmt, ...) SQL_PRINTF(2, 3);
/* Make room for n more bytes; returns where they go (len unchanged). */
char *sbuf_room(struct sbuf *b, size_t n);
/* The text, "" when empty; stays owned by b. */
const char *sbuf_str(const struct sbuf *b);
/* Hand the text to the caller (malloc'd, never NULL) and empty b. */
char *sbuf_take(struct sbuf *b);
void sbuf_release(struct sbuf *b);

/* Append s[0..n) as a JSON string with its quotes. */
void sbuf_json_str(struct sbuf *b, const char *s, size_t n);
/* Append s[0..n) escaped for COPY text format (backslash, tab, newline,
 * carriage return). */
void sbuf_copy_text(struct sbuf *b, const char *s, size_t n);
/* Append s as a quoted CSV field with quote character q and escape e. */
void sbuf_csv_field(struct sbuf *b, const char *s, char q, char e);

/* The DESIGN.md truthiness of a value: NULL is false; boolean t; a
 * non-zero number; any other non-empty string except f, false, 0, no, off
 * (any case). oid is the value's type (0 when unknown). */
bool sql_truthy(const char *v, unsigned oid);
/* Whether s is a JSON number (RFC 8259 grammar). */
bool sql_is_json_number(const char *s, size_t n);

/* Wall clock in microseconds since the epoch; monotonic milliseconds. */
int64_t sql_now_us(void);
int64_t sql_mono_ms(void);

/* Write the outputs object text to $DAGD_OUTPUT (when set) and log it.
 * 0, or -1 (logged). */
int sql_write_outputs(const char *json) SQL_WUR;

/* mkdir -p for the directory part of path. 0 or -1 (errno set). */
int sql_mkdirs_for(const char *path) SQL_WUR;

/* --- sql_log.c: the try's log (fd 1 and 2, one write(2) per message) --- */

/* Passwords registered here are replaced by *** in everything logged. */
void sql_secret_add(const char *s);
/* A copy of a connection URL or conninfo with its password as ***. */
char *sql_redact(const char *conninfo);
void sql_info(const char *fmt, ...) SQL_PRINTF(1, 2);  /* stdout */
void sql_warn(const char *fmt, ...) SQL_PRINTF(1, 2);  /* stderr, "warning: " */
void sql_error(const char *fmt, ...) SQL_PRINTF(1, 2); /* stderr, "error: " */
/* Raw lines to stdout (already formatted; scrubbed of secrets). */
void sql_print(const char *s, size_t n);

/* --- sql_cancel.c: the task timeout and termination --- */

/*
 * Install SIGTERM/SIGINT/SIGALRM handlers and, when timeout_ms > 0, arm a
 * timer that cancels the running queries a little before the daemon's
 * timeout kills the process (sql_cancel_margin_ms earlier). A second
 * SIGTERM ends the process at once.
 */
void sql_cancel_init(int64_t timeout_ms);
/* What statement_timeout to set (ms), 0 for none. */
int64_t sql_cancel_budget_ms(void);
/* Milliseconds left before the cancel fires; INT64_MAX without timeout. */
int64_t sql_cancel_left_ms(void);
/* Cancel the query running on c when the timer fires or a signal comes
 * (slot 0 or 1: the load from: case has two connections); c NULL stops
 * watching that slot. */
void sql_cancel_watch(int slot, PGconn *c);
/* Whether the timeout or a signal stopped the task; its description. */
bool sql_stopping(void);
/* Whether it was the timeout (not a signal). */
bool sql_timed_out(void);
const char *sql_stop_reason(void);
/* Sleep ms milliseconds, waking early when stopping. */
void sql_sleep_ms(int64_t ms);

/* --- sql_conn.c --- */

/*
 * Connect to url (what names it in messages: "conn", "from.conn"), with
 * client_encoding UTF8 unless the URL says otherwise, NOTICEs printed to
 * the log, statement_timeout set from the task timeout, and slot watched
 * by sql_cancel. NULL on failure (logged, password redacted).
 */
PGconn *sql_connect(const char *url, const char *what, int slot);
/* sql_cancel_watch(slot, NULL) and PQfinish; c NULL is a no-op. */
void sql_disconnect(PGconn *c, int slot);

/* Where a statement came from, to point an error at its line. */
struct sql_where {
	const char *file;   /* sql_file, or NULL for inline text */
	const char *text;   /* the whole SQL text */
	size_t stmt_off;    /* the statement's offset in text */
	size_t prefix_len;  /* bytes sent before the statement (a COPY wrapper) */
	const char *sent;   /* exactly what was sent */
};
/*
 * Log an error result: SQLSTATE, message, DETAIL, HINT, CONTEXT and, with
 * where, FILE:LINE:COL of the statement position (or the statement's first
 * line) and the source line with a caret. what prefixes the message
 * ("statement 3", "outputs query"). A stop (timeout, signal) is reported
 * as such.
 */
void sql_report(PGconn *c, const PGresult *res, const char *what, const struct sql_where *where);
/*
 * Run a command that returns no rows of interest (BEGIN, COMMIT, SET, DDL)
 * with PQexec; what names it in an error. 0, or -1 (logged).
 */
int sql_command(PGconn *c, const char *sql, const char *what) SQL_WUR;
/* PQexecParams with text parameters, expecting rows (PGRES_TUPLES_OK):
 * the result, or NULL (logged). */
PGresult *sql_query(PGconn *c, const char *sql, int nparams, const char *const *params,
		    const char *what) SQL_WUR;
/* ROLLBACK, ignoring its result: the error that caused it was logged. */
void sql_rollback(PGconn *c);

/* The first row of query, every other row counted and dropped (single-row
 * mode, bounded memory). On success *res holds a result with 0 or 1 rows
 * and *nrows the number of rows the query returned. 0 or -1 (logged). */
int sql_first_row(PGconn *c, const char *query, const char *what, PGresult **res,
		  uint64_t *nrows) SQL_WUR;

/* --- sql_result.c --- */

/* Rows of a final SELECT shown in the log. */
#define SQL_ROWS_SHOWN 100

/* The first keep rows of a result set, as strings, and the count of all. */
struct rows_view {
	int ncols;
	char **names;
	bool *numeric;   /* right-aligned */
	char **cells;    /* kept x ncols, NULL for SQL NULL */
	size_t keep, kept;
	uint64_t total;
};
void rows_init(struct rows_view *v, size_t keep);
/* Count the rows of r and keep copies while fewer than keep are held. */
void rows_add(struct rows_view *v, const PGresult *r);
/* Print the kept rows as a table and the total; nothing without columns. */
void rows_print(const struct rows_view *v);
void rows_release(struct rows_view *v);

/* Row 0 of r as a JSON object text (malloc'd). */
char *sql_row_json(const PGresult *r);
/* Run the outputs query: exactly one row, *json its object (malloc'd).
 * 0 or -1 (logged). */
int sql_outputs_query(PGconn *c, const char *query, char **json) SQL_WUR;
/* Run the skip_if query: one column, at most one row; *skip its truth (no
 * row: false). 0 or -1 (logged). */
int sql_skip_query(PGconn *c, const char *query, bool *skip) SQL_WUR;

/* --- sql_copy_out.c: to_file --- */

/*
 * Stream query (the last statement, text[off..off+len) of where->text) as
 * COPY (...) TO STDOUT in t's format into t->path + ".tmp", creating the
 * missing directories; fsynced. 0, or -1 (logged, the temp file removed).
 * label names the statement in messages.
 */
int sql_copy_out(PGconn *c, const struct spec_to_file *t, const struct sql_where *where,
		 size_t len, const char *label) SQL_WUR;
/* After the commit: rename t->path.tmp to t->path, fsync the directory.
 * 0 or -1 (logged). */
int sql_copy_out_finish(const struct spec_to_file *t) SQL_WUR;
/* Remove the temp file of a try that failed after sql_copy_out(). */
void sql_copy_out_discard(const struct spec_to_file *t);

/* --- the kinds --- */

/* Each returns the process exit code. */
int sql_run(const struct spec *s);
int load_run(const struct spec *s);
int sensor_run(const struct spec *s);

#endif
