/*
 * load_from.c - a load's from: {conn, query}: COPY (query) TO STDOUT on a
 * second connection, each row piped as it comes into COPY ... FROM STDIN
 * on the load's connection (both in COPY text format, so no conversion),
 * with the set: values appended. The query's column names (described
 * first) pick the table's columns. Row N of an error is row N of the
 * query.
 */
#include "load.h"

#include <stdlib.h>
#include <string.h>

/* "COPY t (the query's columns, set) FROM STDIN" from a description of the
 * query on src. 0 or -1 (logged). */
static int copy_command(struct load_ctx *L, PGconn *src, struct sbuf *sql)
{
	PGresult *d;
	int i, rc = 0;

	d = PQprepare(src, "", L->l->from_query, 0, NULL);
	if (PQresultStatus(d) != PGRES_COMMAND_OK) {
		sql_report(src, d, "from_query", NULL);
		PQclear(d);
		return -1;
	}
	PQclear(d);
	d = PQdescribePrepared(src, "");
	if (PQresultStatus(d) != PGRES_COMMAND_OK) {
		sql_report(src, d, "from_query", NULL);
		PQclear(d);
		return -1;
	}
	if (PQnfields(d) == 0) {
		sql_error("from_query: is not a query (it returns no columns)");
		rc = -1;
	}
	sbuf_addf(sql, "COPY %s (", L->t->qname);
	for (i = 0; i < PQnfields(d) && rc == 0; i++) {
		const char *name = PQfname(d, i);
		long col = load_key_col(L, name, strlen(name));
		if (col < 0 || !load_fillable(L, (size_t)col)) {
			sql_error("from_query: column '%s' is not a column of %s%s (alias it)", name,
				  L->t->qname, col < 0 ? "" : " that the query may fill");
			rc = -1;
		} else {
			sbuf_addf(sql, "%s%s", i ? ", " : "", L->t->cols[col].qname);
		}
	}
	PQclear(d);
	if (rc == 0)
		load_copy_sql(L, sql, NULL);
	return rc;
}

/* Pipe the rows; 0, -1 when the source failed (logged), 1 when the
 * target did (copyw_end reports it). */
static int pipe_rows(PGconn *src, struct copyw *w, const struct sbuf *suffix)
{
	PGresult *r;
	char *buf;
	int n, rc = 0;

	while ((n = PQgetCopyData(src, &buf, 0)) > 0) {
		if (rc == 0) {
			size_t len = (size_t)n;
			if (suffix->len && len && buf[len - 1] == '\n') {
				if (copyw_put(w, buf, len - 1) != 0 ||
				    copyw_put(w, suffix->p, suffix->len) != 0 ||
				    copyw_put(w, "\n", 1) != 0)
					rc = 1;
			} else if (copyw_put(w, buf, len) != 0) {
				rc = 1;
			}
		}
		PQfreemem(buf); /* after a target failure: drain the source */
	}
	if (rc == 0 && n == -2) {
		sql_error("from_query: %s", PQerrorMessage(src));
		rc = -1;
	}
	while ((r = PQgetResult(src))) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == 0) {
			sql_report(src, r, "from_query", NULL);
			rc = -1;
		}
		PQclear(r);
	}
	return rc;
}

int load_from(struct load_ctx *L, uint64_t *rows)
{
	struct sbuf sql = {0}, copy = {0}, suffix = {0};
	PGresult *err = NULL, *r;
	struct copyw w;
	PGconn *src;
	int rc = -1, st;

	*rows = 0;
	src = sql_connect(L->l->from_conn, "from_conn", 1);
	if (!src)
		return -1;
	if (copy_command(L, src, &sql) != 0)
		goto out;
	if (copyw_begin(&w, L->c, sql.p, &err) != 0) {
		load_copy_report(L->c, err, NULL, "row", 0);
		goto out;
	}
	sbuf_addf(&copy, "COPY (%s\n) TO STDOUT", L->l->from_query);
	r = PQexec(src, copy.p);
	if (PQresultStatus(r) != PGRES_COPY_OUT) {
		sql_report(src, r, "from_query", NULL);
		PQclear(r);
		(void)!copyw_end(&w, "the source query failed", rows, &err); /* logged */
		goto out;
	}
	PQclear(r);
	load_set_suffix(L, NULL, false, &suffix);
	st = pipe_rows(src, &w, &suffix);
	if (st < 0) {
		(void)!copyw_end(&w, "the source query failed", rows, &err); /* logged */
		goto out;
	}
	if (copyw_end(&w, NULL, rows, &err) != 0) {
		load_copy_report(L->c, err, NULL, "row", load_copy_err_line(err));
		goto out;
	}
	sql_info("from_query: %llu rows", (unsigned long long)*rows);
	rc = 0;
out:
	PQclear(err);
	sbuf_release(&sql);
	sbuf_release(&copy);
	sbuf_release(&suffix);
	sql_disconnect(src, 1);
	return rc;
}
