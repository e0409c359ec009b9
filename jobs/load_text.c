/*
 * load_text.c - text files for a load: each line (LF or CRLF) becomes one
 * row holding the line in the table's single column to fill (the only
 * fillable one, or the only one without a default), escaped for COPY text
 * format, plus the set: columns. Row N of the COPY is line N of the file.
 */
#include "load.h"

#include <string.h>

/* The column the lines go into: -1 when there is not exactly one. */
static long text_column(const struct load_ctx *L)
{
	long any = -1, nodef = -1;
	size_t i, n_any = 0, n_nodef = 0;

	for (i = 0; i < L->t->ncols; i++) {
		if (!load_fillable(L, i))
			continue;
		any = (long)i, n_any++;
		if (!L->t->cols[i].has_default)
			nodef = (long)i, n_nodef++;
	}
	if (n_any == 1)
		return any;
	return n_nodef == 1 ? nodef : -1;
}

static int copy_lines(struct load_ctx *L, struct src *s, struct copyw *w,
		      const struct sbuf *suffix)
{
	uint64_t line = 1;

	(void)L;
	for (;; line++) {
		const char *p = s->buf + s->pos, *nl;
		size_t avail = s->len - s->pos, n;
		nl = memchr(p, '\n', avail);
		if (!nl && !s->eof) {
			int rc = src_more(s, LOAD_RECORD_MAX);
			if (rc == -2)
				sql_error("%s:%llu: line longer than %u bytes", s->path,
					  (unsigned long long)line, LOAD_RECORD_MAX);
			if (rc < 0)
				return -1;
			line--; /* the same line again, with more data */
			continue;
		}
		if (!nl && avail == 0)
			return 0;
		n = nl ? (size_t)(nl - p) : avail;
		s->pos += nl ? n + 1 : n;
		if (n && p[n - 1] == '\r')
			n--;
		sbuf_copy_text(&w->b, p, n);
		sbuf_add(&w->b, suffix->p, suffix->len);
		sbuf_addc(&w->b, '\n');
		if (copyw_maybe_flush(w) != 0)
			return 1;
	}
}

int load_text_file(struct load_ctx *L, const char *path, uint64_t *rows)
{
	struct sbuf sql = {0}, suffix = {0};
	struct copyw w;
	struct src s;
	PGresult *err = NULL;
	long col = text_column(L);
	int rc = -1, st;

	*rows = 0;
	if (col < 0) {
		sql_error("format text needs a table with one column to fill; %s has %s",
			  L->t->qname, "several (or none)");
		return -1;
	}
	if (src_open(&s, path) != 0)
		return -1;
	sbuf_addf(&sql, "COPY %s (%s", L->t->qname, L->t->cols[col].qname);
	if (L->l->encoding) {
		char *e = PQescapeLiteral(L->c, L->l->encoding, strlen(L->l->encoding));
		struct sbuf o = {0};
		sbuf_addf(&o, "ENCODING %s", e ? e : "'UTF8'");
		PQfreemem(e);
		load_copy_sql(L, &sql, o.p);
		sbuf_release(&o);
	} else {
		load_copy_sql(L, &sql, NULL);
	}
	if (copyw_begin(&w, L->c, sql.p, &err) != 0) {
		load_copy_report(L->c, err, path, "line", 0);
		goto out;
	}
	load_set_suffix(L, path, false, &suffix);
	st = copy_lines(L, &s, &w, &suffix);
	if (st < 0) {
		(void)!copyw_end(&w, "read error", rows, &err); /* the error is logged */
		goto out;
	}
	if (copyw_end(&w, NULL, rows, &err) != 0) {
		load_copy_report(L->c, err, path, "line", load_copy_err_line(err));
		goto out;
	}
	rc = 0;
out:
	PQclear(err);
	sbuf_release(&sql);
	sbuf_release(&suffix);
	src_close(&s);
	return rc;
}
