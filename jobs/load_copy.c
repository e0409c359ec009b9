/*
 * load_copy.c - the COPY ... FROM STDIN side of a load: rows pile up in a
 * buffer and go to the server LOAD_CHUNK bytes at a time (blocking
 * PQputCopyData), a stop (timeout, SIGTERM) aborts the copy, and a failed
 * COPY is reported with the row's file and line: the server says "line N"
 * in the error's CONTEXT and the format module turns N into a place in the
 * file.
 */
#include "load.h"

#include <stdlib.h>
#include <string.h>

int copyw_begin(struct copyw *w, PGconn *c, const char *sql, PGresult **err)
{
	PGresult *r = PQexec(c, sql);

	memset(w, 0, sizeof(*w));
	w->c = c;
	*err = NULL;
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		*err = r;
		return -1;
	}
	PQclear(r);
	w->active = true;
	return 0;
}

static int send_now(struct copyw *w, const char *p, size_t n)
{
	if (sql_stopping())
		return -1;
	while (n) {
		int part = n > (size_t)1 << 30 ? 1 << 30 : (int)n;
		if (PQputCopyData(w->c, p, part) != 1)
			return -1;
		p += part;
		n -= (size_t)part;
	}
	return 0;
}

int copyw_maybe_flush(struct copyw *w)
{
	int rc;

	if (w->b.len < LOAD_CHUNK)
		return 0;
	rc = send_now(w, w->b.p, w->b.len);
	w->b.len = 0;
	return rc;
}

int copyw_put(struct copyw *w, const char *p, size_t n)
{
	if (w->b.len == 0 && n >= LOAD_CHUNK)
		return send_now(w, p, n); /* big enough on its own: no copy */
	sbuf_add(&w->b, p, n);
	return copyw_maybe_flush(w);
}

int copyw_end(struct copyw *w, const char *abort_msg, uint64_t *rows, PGresult **err)
{
	bool ours = abort_msg != NULL; /* the caller logged why */
	PGresult *r;
	int rc = ours ? -1 : 0;

	*rows = 0;
	*err = NULL;
	if (!w->active)
		return -1;
	w->active = false;
	if (!abort_msg && w->b.len && send_now(w, w->b.p, w->b.len) != 0) {
		abort_msg = sql_stopping() ? sql_stop_reason() : "the connection failed";
		rc = -1;
	}
	sbuf_release(&w->b);
	if (PQputCopyEnd(w->c, abort_msg) != 1)
		rc = -1;
	while ((r = PQgetResult(w->c))) {
		if (PQresultStatus(r) == PGRES_COMMAND_OK) {
			*rows = strtoull(PQcmdTuples(r), NULL, 10);
			PQclear(r);
			continue;
		}
		rc = -1;
		if (!ours && !*err) {
			*err = r; /* the first error is the one to report */
			continue;
		}
		PQclear(r);
	}
	return rc;
}

uint64_t load_copy_err_line(const PGresult *r)
{
	const char *ctx = PQresultErrorField(r, PG_DIAG_CONTEXT), *p;

	if (!ctx || !(p = strstr(ctx, "COPY ")) || !(p = strstr(p, ", line ")))
		return 0;
	return strtoull(p + 7, NULL, 10);
}

/* The column name of a COPY error's CONTEXT ("..., column NAME: ..."),
 * malloc'd, or NULL. */
static char *err_column(const PGresult *r)
{
	const char *ctx = PQresultErrorField(r, PG_DIAG_CONTEXT), *p, *e;
	char *col;

	if (!ctx || !(p = strstr(ctx, "COPY ")) || !(p = strstr(p, ", column ")))
		return NULL;
	p += 9;
	e = strstr(p, ": ");
	if (!e)
		e = p + strcspn(p, "\n");
	col = sql_xmalloc((size_t)(e - p) + 1);
	memcpy(col, p, (size_t)(e - p));
	col[e - p] = '\0';
	return col;
}

void load_copy_report(PGconn *c, const PGresult *r, const char *file, const char *unit,
		      uint64_t line)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *hint = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_HINT) : NULL;
	char *col = r ? err_column(r) : NULL;
	struct sbuf m = {0};

	if (!msg)
		msg = r && *PQresultErrorMessage(r) ? PQresultErrorMessage(r) : PQerrorMessage(c);
	if (sql_stopping())
		sbuf_addf(&m, "%s: ", sql_stop_reason());
	if (file && line)
		sbuf_addf(&m, "%s:%llu: ", file, (unsigned long long)line);
	else if (file)
		sbuf_addf(&m, "%s: ", file);
	else if (line)
		sbuf_addf(&m, "%s %llu: ", unit, (unsigned long long)line);
	if (col)
		sbuf_addf(&m, "column %s: ", col);
	sbuf_addf(&m, "ERROR%s%s: %s", state ? " " : "", state ? state : "", msg);
	if (detail)
		sbuf_addf(&m, "\nDETAIL: %s", detail);
	if (hint)
		sbuf_addf(&m, "\nHINT: %s", hint);
	sql_error("%s", sbuf_str(&m));
	sbuf_release(&m);
	free(col);
}
