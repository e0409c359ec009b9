/*
 * sql_exec.c - the sql task kind: splits the text into statements
 * (sql_split.c) and runs them one by one on one connection, all inside one
 * transaction unless autocommit; then to_file's query (sql_copy_out.c),
 * the outputs query, skip_if, COMMIT, and only then the rename of the
 * to_file temp file and the outputs. Each statement's command tag and
 * time go to the log, NOTICEs as they come, up to SQL_ROWS_SHOWN rows of
 * the last statement; an error names FILE:LINE:COL (sql_conn.c).
 */
#include "sql.h"
#include "sql_split.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct run {
	const struct spec *s;
	PGconn *c;
	const char *name; /* sql_file, or "sql" */
	struct sql_stmt *st;
	size_t n;
};

/* Let a COPY statement's data go nowhere: TO STDOUT lines to the log (the
 * first SQL_ROWS_SHOWN), FROM STDIN refused. */
static void copy_in_statement(PGconn *c, const PGresult *r, uint64_t *lines)
{
	char *buf;
	int n;

	if (PQresultStatus(r) == PGRES_COPY_IN) {
		(void)PQputCopyEnd(c, "COPY FROM STDIN is not supported in a sql task: use a "
				      "load task"); /* the server's error comes next */
		return;
	}
	while ((n = PQgetCopyData(c, &buf, 0)) > 0) {
		if (*lines < SQL_ROWS_SHOWN) {
			sql_print(" ", 1);
			sql_print(buf, (size_t)n);
		}
		(*lines)++;
		PQfreemem(buf);
	}
}

/* Run statement k; show_rows for the last one. 0 or -1 (logged). */
static int run_statement(struct run *r, size_t k, bool show_rows)
{
	const struct sql_stmt *st = &r->st[k];
	char *q = sql_xmalloc(st->len + 1), label[64];
	struct sql_where w;
	struct rows_view view;
	PGresult *res;
	int64_t t0 = sql_mono_ms();
	unsigned line = sql_line_at(r->s->sql, st->off);
	uint64_t copy_lines = 0;
	bool failed = false;

	memcpy(q, r->s->sql + st->off, st->len);
	q[st->len] = '\0';
	w = (struct sql_where){r->s->sql_file, r->s->sql, st->off, 0, q};
	(void)snprintf(label, sizeof(label), "statement %zu", k + 1);
	rows_init(&view, show_rows ? SQL_ROWS_SHOWN : 0);
	if (!PQsendQuery(r->c, q)) {
		sql_report(r->c, NULL, label, &w);
		free(q);
		return -1;
	}
	(void)PQsetSingleRowMode(r->c); /* without it rows come whole: still correct */
	while ((res = PQgetResult(r->c))) {
		switch (PQresultStatus(res)) {
		case PGRES_SINGLE_TUPLE:
			rows_add(&view, res);
			break;
		case PGRES_TUPLES_OK:
			rows_add(&view, res);
			sql_info("%s:%u: %s (%lld ms)", r->name, line, PQcmdStatus(res),
				 (long long)(sql_mono_ms() - t0));
			if (show_rows && view.ncols)
				rows_print(&view);
			break;
		case PGRES_COMMAND_OK:
			sql_info("%s:%u: %s (%lld ms)", r->name, line, PQcmdStatus(res),
				 (long long)(sql_mono_ms() - t0));
			break;
		case PGRES_COPY_OUT:
		case PGRES_COPY_IN:
			copy_in_statement(r->c, res, &copy_lines);
			break;
		case PGRES_EMPTY_QUERY:
			break;
		default:
			if (!failed)
				sql_report(r->c, res, label, &w);
			failed = true;
		}
		PQclear(res);
	}
	rows_release(&view);
	free(q);
	return failed ? -1 : 0;
}

/* The statements before to_file's query (or all of them). */
static int run_statements(struct run *r, size_t upto)
{
	size_t k;

	for (k = 0; k < upto; k++) {
		if (sql_stopping()) {
			sql_error("%s before statement %zu", sql_stop_reason(), k + 1);
			return -1;
		}
		if (run_statement(r, k, k + 1 == r->n) != 0)
			return -1;
		if (!r->s->autocommit && PQtransactionStatus(r->c) == PQTRANS_IDLE) {
			sql_warn("%s:%u: statement %zu ended the task's transaction; the rest "
				 "runs in a new one", r->name, sql_line_at(r->s->sql, r->st[k].off),
				 k + 1);
			if (sql_command(r->c, "BEGIN", "BEGIN") != 0)
				return -1;
		}
	}
	return 0;
}

/* Everything after the connect; the exit code. */
static int run_all(struct run *r)
{
	const struct spec *s = r->s;
	size_t body = s->to_file ? r->n - 1 : r->n;
	char *outputs = NULL;
	bool skip = false, copied = false;

	if (!s->autocommit && sql_command(r->c, "BEGIN", "BEGIN") != 0)
		return SQL_EXIT_FAIL;
	if (run_statements(r, body) != 0)
		goto fail;
	if (s->to_file) {
		const struct sql_stmt *st = &r->st[r->n - 1];
		struct sql_where w = {s->sql_file, s->sql, st->off, 0, NULL};
		char label[64];
		(void)snprintf(label, sizeof(label), "statement %zu (to_file)", r->n);
		if (sql_copy_out(r->c, s->to_file, &w, st->len, label) != 0)
			goto fail;
		copied = true;
	}
	if (s->outputs && sql_outputs_query(r->c, s->outputs, &outputs) != 0)
		goto fail;
	if (s->skip_if && sql_skip_query(r->c, s->skip_if, &skip) != 0)
		goto fail;
	if (!s->autocommit && sql_command(r->c, "COMMIT", "COMMIT") != 0)
		goto fail;
	if (!s->autocommit)
		sql_info("committed");
	copied = false;
	if (s->to_file && sql_copy_out_finish(s->to_file) != 0)
		goto fail;
	if (outputs && sql_write_outputs(outputs) != 0)
		goto fail;
	free(outputs);
	if (skip) {
		sql_info("skipped: skip_if is true");
		return s->skip_exit_code;
	}
	return SQL_EXIT_OK;
fail:
	if (copied)
		sql_copy_out_discard(s->to_file);
	if (!s->autocommit && PQtransactionStatus(r->c) != PQTRANS_IDLE) {
		sql_rollback(r->c);
		sql_info("rolled back");
	}
	free(outputs);
	return SQL_EXIT_FAIL;
}

int sql_run(const struct spec *s)
{
	struct run r = {s, NULL, s->sql_file ? s->sql_file : "sql", NULL, 0};
	size_t bad;
	int rc;

	if (sql_split(s->sql, strlen(s->sql), &r.st, &r.n, &bad) != 0) {
		size_t len = strcspn(s->sql + bad, " \t\r\n");
		sql_error("%s:%u: psql meta-command '%.*s' is not supported (use SQL, or a load "
			  "task for \\copy)", r.name, sql_line_at(s->sql, bad),
			  (int)(len > 32 ? 32 : len), s->sql + bad);
		return SQL_EXIT_FAIL;
	}
	if (s->to_file && r.n == 0) {
		sql_error("to_file: the SQL has no statement; its last one must be the query to "
			  "write");
		free(r.st);
		return SQL_EXIT_FAIL;
	}
	sql_info("%zu statement%s, %s", r.n, r.n == 1 ? "" : "s",
		 s->autocommit ? "autocommit" : "one transaction");
	r.c = sql_connect(s->conn, "conn", 0);
	if (!r.c) {
		free(r.st);
		return SQL_EXIT_FAIL;
	}
	rc = run_all(&r);
	sql_disconnect(r.c, 0);
	free(r.st);
	return rc;
}
