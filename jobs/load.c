/*
 * load.c - the load task kind: one connection, one transaction. Expands
 * the file glob (no match fails the try), finds or creates the table,
 * prepares the mode (truncate: TRUNCATE; replace: a new table, swapped in
 * at the end; append: delete_where), copies every file in name order with
 * its format module (or the from: query, load_from.c), commits, and
 * outputs {"rows": N}. Also the helpers the format modules share: which
 * columns a row fills, the COPY command, the set: values.
 */
#include "load.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool load_fillable(const struct load_ctx *L, size_t col)
{
	size_t i;

	if (L->t->cols[col].generated)
		return false;
	for (i = 0; i < L->l->n_set; i++)
		if (L->set_cols[i] == (long)col)
			return false;
	return true;
}

const char *load_col_key(const struct load_ctx *L, size_t col)
{
	size_t i;

	for (i = 0; i < L->l->n_columns; i++)
		if (strcmp(L->l->columns[i].key, L->t->cols[col].name) == 0)
			return L->l->columns[i].val;
	return L->t->cols[col].name;
}

long load_key_col(const struct load_ctx *L, const char *key, size_t klen)
{
	size_t i;

	for (i = 0; i < L->t->ncols; i++) {
		const char *k = load_col_key(L, i);
		if (strlen(k) == klen && memcmp(k, key, klen) == 0)
			return (long)i;
	}
	return -1;
}

void load_copy_sql(const struct load_ctx *L, struct sbuf *sql, const char *options)
{
	size_t i;

	for (i = 0; i < L->l->n_set; i++)
		sbuf_addf(sql, "%s%s", sql->p[sql->len - 1] == '(' ? "" : ", ",
			  L->t->cols[L->set_cols[i]].qname);
	sbuf_adds(sql, ") FROM STDIN");
	if (options && *options)
		sbuf_addf(sql, " WITH (%s)", options);
}

/* v with every "{{ file }}" (spaces optional) replaced by file. */
static void render_set(struct sbuf *out, const char *v, const char *file)
{
	while (*v) {
		const char *o = strstr(v, "{{"), *p;
		if (!o) {
			sbuf_adds(out, v);
			return;
		}
		p = o + 2;
		while (*p == ' ')
			p++;
		if (strncmp(p, "file", 4) == 0) {
			p += 4;
			while (*p == ' ')
				p++;
			if (strncmp(p, "}}", 2) == 0) {
				sbuf_add(out, v, (size_t)(o - v));
				sbuf_adds(out, file ? file : "");
				v = p + 2;
				continue;
			}
		}
		sbuf_add(out, v, (size_t)(o + 2 - v));
		v = o + 2;
	}
}

void load_set_suffix(const struct load_ctx *L, const char *file, bool csv, struct sbuf *out)
{
	struct sbuf v = {0};
	size_t i;

	out->len = 0;
	sbuf_add(out, "", 0);
	for (i = 0; i < L->l->n_set; i++) {
		v.len = 0;
		sbuf_add(&v, "", 0);
		render_set(&v, L->l->set[i].val, file);
		if (csv) {
			sbuf_addc(out, L->l->delimiter);
			sbuf_csv_field(out, v.p, L->l->quote, L->l->escape);
		} else {
			sbuf_addc(out, '\t');
			sbuf_copy_text(out, v.p, v.len);
		}
	}
	sbuf_release(&v);
}

struct job {
	const struct spec *s;
	const struct spec_load *l;
	PGconn *c;
	glob_t g;
	struct load_table table, fresh; /* the table; the new one for replace */
	bool existed, replacing;
};

/* The table: found, or created from the first file's csv header. */
static int prepare_table(struct job *j)
{
	const struct spec_load *l = j->l;
	char **names = NULL;
	size_t n = 0, i, k;
	int rc;

	if (load_table_lookup(j->c, l->table, &j->table, &j->existed) != 0)
		return -1;
	if (j->existed)
		return 0;
	if (!l->create) {
		sql_error("table '%s' does not exist (create: true makes it from a csv header)",
			  l->table);
		return -1;
	}
	if (l->format != SPEC_FMT_CSV || !l->header || !l->files) {
		sql_error("table '%s' does not exist; create: true needs csv files with a header",
			  l->table);
		return -1;
	}
	if (load_csv_header(l, j->g.gl_pathv[0], &names, &n) != 0)
		return -1;
	/* the set: columns that the header lacks come last */
	for (i = 0; i < l->n_set; i++) {
		for (k = 0; k < n && strcmp(names[k], l->set[i].key) != 0; k++)
			;
		if (k == n) {
			names = sql_xrealloc(names, sizeof(char *) * (n + 1));
			names[n++] = sql_xstrdup(l->set[i].key);
		}
	}
	rc = load_table_create(j->c, l->table, names, n, &j->table);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* set: and columns: name columns of the target. */
static int check_columns(const struct job *j, const struct load_table *t, long *set_cols)
{
	size_t i;

	for (i = 0; i < j->l->n_set; i++) {
		set_cols[i] = load_table_col(t, j->l->set[i].key);
		if (set_cols[i] < 0 || t->cols[set_cols[i]].generated) {
			sql_error("set: '%s' is not a column of %s that can be filled",
				  j->l->set[i].key, j->table.qname);
			return -1;
		}
	}
	for (i = 0; i < j->l->n_columns; i++)
		if (load_table_col(t, j->l->columns[i].key) < 0) {
			sql_error("columns: '%s' is not a column of %s", j->l->columns[i].key,
				  j->table.qname);
			return -1;
		}
	return 0;
}

/* TRUNCATE, the replace table, or delete_where. */
static int prepare_mode(struct job *j)
{
	struct sbuf sql = {0};
	PGresult *r;
	int rc = 0;

	if (j->l->mode == SPEC_TRUNCATE && j->existed) {
		sbuf_addf(&sql, "TRUNCATE %s", j->table.qname);
		rc = sql_command(j->c, sql.p, "truncate");
		if (rc == 0)
			sql_info("truncated %s", j->table.qname);
	} else if (j->l->mode == SPEC_REPLACE && j->existed) {
		rc = load_replace_begin(j->c, &j->table, &j->fresh);
		j->replacing = rc == 0;
	} else if (j->l->delete_where) {
		sbuf_addf(&sql, "DELETE FROM %s WHERE (%s)", j->table.qname, j->l->delete_where);
		r = PQexec(j->c, sql.p);
		if (PQresultStatus(r) == PGRES_COMMAND_OK) {
			sql_info("delete_where: deleted %s rows from %s", PQcmdTuples(r),
				 j->table.qname);
		} else {
			sql_report(j->c, r, "delete_where", NULL);
			rc = -1;
		}
		PQclear(r);
	}
	sbuf_release(&sql);
	return rc;
}

/* Copy every file, or the from: query. */
static int copy_all(struct job *j, uint64_t *total)
{
	struct load_ctx L = {j->s, j->l, j->c, j->replacing ? &j->fresh : &j->table, NULL};
	size_t i;
	int rc = 0;

	*total = 0;
	L.set_cols = sql_xmalloc(sizeof(long) * (j->l->n_set + 1));
	if (check_columns(j, L.t, L.set_cols) != 0) {
		free(L.set_cols);
		return -1;
	}
	if (j->l->from_conn) {
		rc = load_from(&L, total);
		free(L.set_cols);
		return rc;
	}
	for (i = 0; i < j->g.gl_pathc && rc == 0; i++) {
		const char *path = j->g.gl_pathv[i];
		int64_t t0 = sql_mono_ms();
		uint64_t rows = 0;
		if (sql_stopping()) {
			sql_error("%s before %s", sql_stop_reason(), path);
			rc = -1;
			break;
		}
		switch (j->l->format) {
		case SPEC_FMT_CSV: rc = load_csv_file(&L, path, &rows); break;
		case SPEC_FMT_TEXT: rc = load_text_file(&L, path, &rows); break;
		default: rc = load_json_file(&L, path, &rows); break;
		}
		if (rc == 0)
			sql_info("%s: %llu rows (%lld ms)", path, (unsigned long long)rows,
				 (long long)(sql_mono_ms() - t0));
		*total += rows;
	}
	free(L.set_cols);
	return rc;
}

static int run(struct job *j)
{
	int64_t t0 = sql_mono_ms(), ms;
	uint64_t rows;
	char out[64];

	if (sql_command(j->c, "BEGIN", "BEGIN") != 0)
		return SQL_EXIT_FAIL;
	if (prepare_table(j) != 0 || prepare_mode(j) != 0 || copy_all(j, &rows) != 0 ||
	    (j->replacing && load_replace_finish(j->c, &j->table, &j->fresh) != 0)) {
		sql_rollback(j->c);
		sql_info("rolled back: nothing was loaded");
		return SQL_EXIT_FAIL;
	}
	if (sql_command(j->c, "COMMIT", "COMMIT") != 0)
		return SQL_EXIT_FAIL;
	ms = sql_mono_ms() - t0;
	sql_info("loaded %llu rows into %s (%lld ms, %.0f rows/s); committed",
		 (unsigned long long)rows, j->table.qname, (long long)ms,
		 ms > 0 ? (double)rows * 1000.0 / (double)ms : (double)rows);
	(void)snprintf(out, sizeof(out), "{\"rows\":%llu}", (unsigned long long)rows);
	return sql_write_outputs(out) == 0 ? SQL_EXIT_OK : SQL_EXIT_FAIL;
}

/* Expand the glob into j->g: 0, or -1 (logged). */
static int expand(struct job *j)
{
	int rc = glob(j->l->files, 0, NULL, &j->g);

	if (rc == GLOB_NOMATCH) {
		sql_error("no file matches '%s'", j->l->files);
		return -1;
	}
	if (rc != 0) {
		sql_error("cannot expand '%s': %s", j->l->files,
			  rc == GLOB_NOSPACE ? "out of memory" : "read error");
		return -1;
	}
	sql_info("%zu file%s %s", j->g.gl_pathc, j->g.gl_pathc == 1 ? " matches" : "s match",
		 j->l->files);
	return 0;
}

int load_run(const struct spec *s)
{
	struct job j;
	int rc = SQL_EXIT_FAIL;

	memset(&j, 0, sizeof(j));
	j.s = s;
	j.l = s->load;
	if (j.l->files && expand(&j) != 0)
		return SQL_EXIT_FAIL;
	j.c = sql_connect(s->conn, "conn", 0);
	if (j.c) {
		rc = run(&j);
		sql_disconnect(j.c, 0);
	}
	load_table_release(&j.table);
	load_table_release(&j.fresh);
	if (j.l->files)
		globfree(&j.g);
	return rc;
}
