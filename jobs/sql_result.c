/*
 * sql_result.c - what a sql task does with rows: keeps the first
 * SQL_ROWS_SHOWN rows of a statement (single-row mode, so memory stays
 * bounded however many come) and prints them to the log as an aligned
 * table, turns the outputs row into a JSON object (numbers and booleans as
 * JSON, json/jsonb as JSON, NULL as null, the rest as strings), and reads
 * the one value of skip_if.
 */
#include "sql.h"

#include <stdlib.h>
#include <string.h>

/* A cell wider than this (in characters) is cut in the log. */
#define CELL_MAX 60
/* Bytes of a cell kept for the log. */
#define CELL_KEEP (4 * CELL_MAX + 16)

#define OID_BOOL 16u
#define OID_INT8 20u
#define OID_INT2 21u
#define OID_INT4 23u
#define OID_OID 26u
#define OID_JSON 114u
#define OID_FLOAT4 700u
#define OID_FLOAT8 701u
#define OID_NUMERIC 1700u
#define OID_JSONB 3802u

static bool numeric_oid(Oid t)
{
	return t == OID_INT2 || t == OID_INT4 || t == OID_INT8 || t == OID_OID ||
	       t == OID_FLOAT4 || t == OID_FLOAT8 || t == OID_NUMERIC;
}

/* A copy of a cell, cut at CELL_KEEP bytes: at 4 bytes a character at
 * most, that is past the CELL_MAX characters shown. */
static char *keep_cell(const char *v)
{
	size_t n = strnlen(v, CELL_KEEP);
	char *c = sql_xmalloc(n + 1);

	memcpy(c, v, n);
	c[n] = '\0';
	return c;
}

void rows_init(struct rows_view *v, size_t keep)
{
	memset(v, 0, sizeof(*v));
	v->keep = keep;
}

void rows_add(struct rows_view *v, const PGresult *r)
{
	int i, j, nt = PQntuples(r);

	if (!v->ncols && PQnfields(r) > 0) {
		v->ncols = PQnfields(r);
		v->names = sql_xmalloc(sizeof(char *) * (size_t)v->ncols);
		v->numeric = sql_xmalloc(sizeof(bool) * (size_t)v->ncols);
		for (j = 0; j < v->ncols; j++) {
			v->names[j] = sql_xstrdup(PQfname(r, j));
			v->numeric[j] = numeric_oid(PQftype(r, j));
		}
		v->cells = sql_xmalloc(sizeof(char *) * (size_t)v->ncols * (v->keep ? v->keep : 1));
	}
	for (i = 0; i < nt; i++, v->total++) {
		if (v->kept >= v->keep || PQnfields(r) != v->ncols)
			continue;
		for (j = 0; j < v->ncols; j++)
			v->cells[v->kept * (size_t)v->ncols + (size_t)j] =
				PQgetisnull(r, i, j) ? NULL : keep_cell(PQgetvalue(r, i, j));
		v->kept++;
	}
}

void rows_release(struct rows_view *v)
{
	size_t i;
	int j;

	for (i = 0; i < v->kept; i++)
		for (j = 0; j < v->ncols; j++)
			free(v->cells[i * (size_t)v->ncols + (size_t)j]);
	for (j = 0; j < v->ncols; j++)
		free(v->names[j]);
	free(v->names);
	free(v->numeric);
	free(v->cells);
	memset(v, 0, sizeof(*v));
}

/* The cell as shown: newlines as \n, tabs as a space, cut at CELL_MAX
 * characters; *width its width in characters. */
static void cell_text(const char *s, struct sbuf *out, size_t *width)
{
	size_t w = 0;

	out->len = 0;
	sbuf_add(out, "", 0);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c & 0xC0) == 0x80) {
			sbuf_addc(out, *s); /* continuation of a counted character */
			continue;
		}
		if (w == CELL_MAX) {
			sbuf_adds(out, "...");
			w += 3;
			break;
		}
		if (c == '\n') {
			sbuf_add(out, "\\n", 2);
			w += 2;
		} else if (c == '\r') {
			sbuf_add(out, "\\r", 2);
			w += 2;
		} else if (c == '\t' || c < 0x20) {
			sbuf_addc(out, ' ');
			w++;
		} else {
			sbuf_addc(out, *s);
			w++;
		}
	}
	*width = w;
}

static void pad(struct sbuf *b, size_t n)
{
	while (n--)
		sbuf_addc(b, ' ');
}

void rows_print(const struct rows_view *v)
{
	struct sbuf out = {0}, cell = {0};
	size_t *w, i, cw;
	int j;

	if (!v->ncols)
		return;
	w = sql_xmalloc(sizeof(size_t) * (size_t)v->ncols);
	for (j = 0; j < v->ncols; j++) {
		cell_text(v->names[j], &cell, &w[j]);
		for (i = 0; i < v->kept; i++) {
			cell_text(v->cells[i * (size_t)v->ncols + (size_t)j], &cell, &cw);
			if (cw > w[j])
				w[j] = cw;
		}
	}
	for (j = 0; j < v->ncols; j++) {
		cell_text(v->names[j], &cell, &cw);
		sbuf_adds(&out, j ? " | " : " ");
		pad(&out, (w[j] - cw) / 2);
		sbuf_add(&out, cell.p, cell.len);
		pad(&out, w[j] - cw - (w[j] - cw) / 2);
	}
	sbuf_adds(&out, "\n");
	for (j = 0; j < v->ncols; j++) {
		sbuf_adds(&out, j ? "-+-" : "-");
		for (cw = 0; cw < w[j]; cw++)
			sbuf_addc(&out, '-');
	}
	sbuf_adds(&out, "-\n");
	for (i = 0; i < v->kept; i++) {
		for (j = 0; j < v->ncols; j++) {
			cell_text(v->cells[i * (size_t)v->ncols + (size_t)j], &cell, &cw);
			sbuf_adds(&out, j ? " | " : " ");
			if (v->numeric[j])
				pad(&out, w[j] - cw);
			sbuf_add(&out, cell.p, cell.len);
			if (!v->numeric[j] && j + 1 < v->ncols)
				pad(&out, w[j] - cw);
		}
		sbuf_adds(&out, "\n");
	}
	if (v->kept < v->total)
		sbuf_addf(&out, " (%llu rows, the first %zu shown)\n", (unsigned long long)v->total,
			  v->kept);
	else
		sbuf_addf(&out, " (%llu row%s)\n", (unsigned long long)v->total,
			  v->total == 1 ? "" : "s");
	sql_print(out.p, out.len);
	free(w);
	sbuf_release(&out);
	sbuf_release(&cell);
}

char *sql_row_json(const PGresult *r)
{
	struct sbuf b = {0};
	int j;

	sbuf_addc(&b, '{');
	for (j = 0; j < PQnfields(r); j++) {
		const char *v = PQgetvalue(r, 0, j), *name = PQfname(r, j);
		Oid t = PQftype(r, j);
		if (j)
			sbuf_addc(&b, ',');
		sbuf_json_str(&b, name, strlen(name));
		sbuf_addc(&b, ':');
		if (PQgetisnull(r, 0, j))
			sbuf_adds(&b, "null");
		else if (t == OID_BOOL)
			sbuf_adds(&b, v[0] == 't' ? "true" : "false");
		else if ((numeric_oid(t) && sql_is_json_number(v, strlen(v))) || t == OID_JSON ||
			 t == OID_JSONB)
			sbuf_adds(&b, v);
		else
			sbuf_json_str(&b, v, strlen(v));
	}
	sbuf_addc(&b, '}');
	return sbuf_take(&b);
}

int sql_outputs_query(PGconn *c, const char *query, char **json)
{
	PGresult *r;
	uint64_t n;

	*json = NULL;
	if (sql_first_row(c, query, "outputs query", &r, &n) != 0)
		return -1;
	if (n != 1) {
		sql_error("outputs query: returned %llu rows, not one", (unsigned long long)n);
		PQclear(r);
		return -1;
	}
	*json = sql_row_json(r);
	PQclear(r);
	return 0;
}

int sql_skip_query(PGconn *c, const char *query, bool *skip)
{
	PGresult *r;
	uint64_t n;

	*skip = false;
	if (sql_first_row(c, query, "skip_if query", &r, &n) != 0)
		return -1;
	if (PQnfields(r) != 1 || n > 1) {
		sql_error("skip_if query: returned %llu rows of %d columns, not one value",
			  (unsigned long long)n, PQnfields(r));
		PQclear(r);
		return -1;
	}
	if (n == 1 && !PQgetisnull(r, 0, 0))
		*skip = sql_truthy(PQgetvalue(r, 0, 0), PQftype(r, 0));
	sql_info("skip_if: %s -> %s", n ? (PQgetisnull(r, 0, 0) ? "NULL" : PQgetvalue(r, 0, 0)) :
					  "no row",
		 *skip ? "skip" : "run");
	PQclear(r);
	return 0;
}
