/*
 * load_csv.c - csv files for a load. The server parses the CSV (COPY
 * FORMAT csv with the delimiter, quote, escape, null and encoding options),
 * so the bytes pass through unchanged; this side only reads the first
 * record (the header names columns, or the field count picks the first
 * columns in table order) and, with set: columns, finds each record's end
 * (newlines outside quotes, scanned as COPY does) to append the constant
 * fields. An error's "line N" from the server is a physical line of what
 * was sent: the file's line is N plus the header's lines.
 */
#include "load.h"

#include <stdlib.h>
#include <string.h>

/* Record-end scanning state, the rules of PostgreSQL's CopyReadLineText:
 * the escape counts only inside quotes, and not when it is the quote. */
struct scan {
	bool in_quote, esc;
	char q, e; /* e is 0 when it equals q */
};

static void scan_init(struct scan *st, const struct spec_load *l)
{
	st->in_quote = st->esc = false;
	st->q = l->quote;
	st->e = l->escape == l->quote ? '\0' : l->escape;
}

/* Index of the first newline outside quotes in p[from..to), else to. */
static size_t scan(struct scan *st, const char *p, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++) {
		char c = p[i];
		if (st->e && st->in_quote && c == st->e)
			st->esc = !st->esc;
		if (c == st->q && !st->esc)
			st->in_quote = !st->in_quote;
		if (!st->e || c != st->e)
			st->esc = false;
		if (c == '\n' && !st->in_quote)
			return i;
	}
	return to;
}

/* Make buf[pos..] hold the whole first record; *len its length with the
 * newline (0: empty file). 0, or -1 (logged). */
static int first_record(struct src *s, const struct spec_load *l, size_t *len)
{
	struct scan st;
	size_t done = 0;

	scan_init(&st, l);
	for (;;) {
		size_t avail = s->len - s->pos, i = scan(&st, s->buf + s->pos, done, avail);
		int rc;
		if (i < avail) {
			*len = i + 1;
			return 0;
		}
		done = avail;
		rc = src_more(s, LOAD_RECORD_MAX);
		if (rc == 0) {
			*len = s->len - s->pos;
			return 0;
		}
		if (rc == -2)
			sql_error("%s:1: the first record is longer than %u bytes", s->path,
				  LOAD_RECORD_MAX);
		if (rc < 0)
			return -1;
	}
}

/* The fields of one record p[0..n) (its newline dropped), unquoted. */
static void split_fields(const struct spec_load *l, const char *p, size_t n, char ***out,
			 size_t *count)
{
	struct sbuf f = {0};
	char **v = NULL;
	size_t nv = 0, i;
	bool in_quote = false;

	while (n && (p[n - 1] == '\n' || p[n - 1] == '\r'))
		n--;
	for (i = 0; i <= n; i++) {
		char c = i < n ? p[i] : '\0';
		if (i < n && in_quote) {
			if (c == l->escape && l->escape != l->quote && i + 1 < n &&
			    (p[i + 1] == l->quote || p[i + 1] == l->escape)) {
				sbuf_addc(&f, p[++i]);
			} else if (c == l->quote) {
				if (l->escape == l->quote && i + 1 < n && p[i + 1] == l->quote)
					sbuf_addc(&f, p[++i]);
				else
					in_quote = false;
			} else {
				sbuf_addc(&f, c);
			}
			continue;
		}
		if (i < n && c == l->quote) {
			in_quote = true;
			continue;
		}
		if (i < n && c != l->delimiter) {
			sbuf_addc(&f, c);
			continue;
		}
		v = sql_xrealloc(v, sizeof(char *) * (nv + 1));
		v[nv++] = sql_xstrdup(sbuf_str(&f));
		f.len = 0;
	}
	sbuf_release(&f);
	*out = v;
	*count = nv;
}

static void free_fields(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int load_csv_header(const struct spec_load *l, const char *path, char ***names, size_t *n)
{
	struct src s;
	size_t len;

	*names = NULL;
	*n = 0;
	if (src_open(&s, path) != 0)
		return -1;
	if (first_record(&s, l, &len) != 0) {
		src_close(&s);
		return -1;
	}
	if (len == 0) {
		sql_error("%s: empty, so there is no header to create the table from", path);
		src_close(&s);
		return -1;
	}
	split_fields(l, s.buf + s.pos, len, names, n);
	src_close(&s);
	return 0;
}

/* "COPY t (columns of the first record, set columns) FROM STDIN ...". */
static int copy_command(struct load_ctx *L, struct src *s, size_t len, struct sbuf *sql,
			unsigned *header_lines)
{
	const struct spec_load *l = L->l;
	char **f;
	size_t nf, i, used = 0;
	int rc = 0;

	split_fields(l, s->buf + s->pos, len, &f, &nf);
	sbuf_addf(sql, "COPY %s (", L->t->qname);
	if (l->header) {
		for (i = 0; i < nf && rc == 0; i++) {
			long col = load_key_col(L, f[i], strlen(f[i]));
			if (col < 0 || !load_fillable(L, (size_t)col)) {
				sql_error("%s:1: header field '%s' is not a column of %s%s", s->path,
					  f[i], L->t->qname, col < 0 ? "" : " that the file may fill");
				rc = -1;
			} else {
				sbuf_addf(sql, "%s%s", i ? ", " : "", L->t->cols[col].qname);
			}
		}
		*header_lines = 1;
		for (i = 0; i + 1 < len; i++)
			*header_lines += s->buf[s->pos + i] == '\n';
		s->pos += len;
	} else {
		for (i = 0; i < L->t->ncols && used < nf; i++)
			if (load_fillable(L, i))
				sbuf_addf(sql, "%s%s", used++ ? ", " : "", L->t->cols[i].qname);
		if (used < nf) {
			sql_error("%s:1: %zu fields, but %s has only %zu columns to fill", s->path,
				  nf, L->t->qname, used);
			rc = -1;
		}
		*header_lines = 0;
	}
	free_fields(f, nf);
	return rc;
}

static void copy_options(const struct load_ctx *L, struct sbuf *o)
{
	const struct spec_load *l = L->l;
	char d[2] = {l->delimiter, 0}, q[2] = {l->quote, 0}, e[2] = {l->escape, 0};
	char *ld = PQescapeLiteral(L->c, d, 1), *lq = PQescapeLiteral(L->c, q, 1);
	char *le = PQescapeLiteral(L->c, e, 1);

	sbuf_addf(o, "FORMAT csv, DELIMITER %s, QUOTE %s, ESCAPE %s", ld ? ld : "','",
		  lq ? lq : "'\"'", le ? le : "'\"'");
	if (l->null) {
		char *ln = PQescapeLiteral(L->c, l->null, strlen(l->null));
		sbuf_addf(o, ", NULL %s", ln ? ln : "''");
		PQfreemem(ln);
	}
	if (l->encoding) {
		char *len = PQescapeLiteral(L->c, l->encoding, strlen(l->encoding));
		sbuf_addf(o, ", ENCODING %s", len ? len : "'UTF8'");
		PQfreemem(len);
	}
	PQfreemem(ld);
	PQfreemem(lq);
	PQfreemem(le);
}

/* The rest of the file as it is. */
static int stream_plain(struct copyw *w, struct src *s)
{
	for (;;) {
		int rc;
		if (s->len > s->pos && copyw_put(w, s->buf + s->pos, s->len - s->pos) != 0)
			return 1;
		s->pos = s->len;
		rc = src_more(s, LOAD_RECORD_MAX);
		if (rc <= 0)
			return rc;
	}
}

/* The rest of the file with suffix before each record's line end. A CR
 * at the end of a chunk waits for the next one (it may start a CRLF). */
static int stream_suffixed(struct copyw *w, struct src *s, const struct spec_load *l,
			   const struct sbuf *suffix)
{
	struct scan st;
	size_t sent = s->pos, at = s->pos, keep;
	bool rec = false, crlf = false;
	int rc;

	scan_init(&st, l);
	for (;;) {
		size_t k = scan(&st, s->buf, at, s->len);
		if (k < s->len) {
			size_t term = k > sent && s->buf[k - 1] == '\r' ? k - 1 : k;
			crlf = term < k;
			if (copyw_put(w, s->buf + sent, term - sent) != 0 ||
			    copyw_put(w, suffix->p, suffix->len) != 0 ||
			    copyw_put(w, s->buf + term, k + 1 - term) != 0)
				return 1;
			sent = at = k + 1;
			rec = false;
			continue;
		}
		size_t end = s->len;
		if (end > sent && s->buf[end - 1] == '\r' && !st.in_quote)
			end--;
		if (end > sent) {
			if (copyw_put(w, s->buf + sent, end - sent) != 0)
				return 1;
			rec = true;
			sent = end;
		}
		s->pos = sent;
		keep = s->len - sent;
		rc = src_more(s, LOAD_RECORD_MAX);
		if (rc < 0)
			return rc;
		if (rc == 0)
			break;
		at = keep; /* the unsent bytes moved to the front, all scanned */
		sent = 0;
	}
	/* the last record had no newline */
	if (rec || s->len > s->pos) {
		size_t end = s->len;
		while (end > s->pos && s->buf[end - 1] == '\r')
			end--;
		if (copyw_put(w, s->buf + s->pos, end - s->pos) != 0 ||
		    copyw_put(w, suffix->p, suffix->len) != 0 ||
		    copyw_put(w, crlf ? "\r\n" : "\n", crlf ? 2 : 1) != 0)
			return 1;
	}
	s->pos = s->len;
	return 0;
}

int load_csv_file(struct load_ctx *L, const char *path, uint64_t *rows)
{
	struct sbuf sql = {0}, opts = {0}, suffix = {0};
	struct copyw w;
	struct src s;
	PGresult *err = NULL;
	unsigned header_lines = 0;
	size_t len;
	int rc = -1, st;

	*rows = 0;
	if (src_open(&s, path) != 0)
		return -1;
	if (first_record(&s, L->l, &len) != 0)
		goto out;
	if (len == 0) {
		rc = 0; /* an empty file: no rows */
		goto out;
	}
	if (copy_command(L, &s, len, &sql, &header_lines) != 0)
		goto out;
	copy_options(L, &opts);
	load_copy_sql(L, &sql, opts.p);
	if (copyw_begin(&w, L->c, sql.p, &err) != 0) {
		load_copy_report(L->c, err, path, "line", 0);
		goto out;
	}
	load_set_suffix(L, path, true, &suffix);
	st = L->l->n_set ? stream_suffixed(&w, &s, L->l, &suffix) : stream_plain(&w, &s);
	if (st < 0) {
		(void)!copyw_end(&w, "read error", rows, &err); /* the read error is logged */
		goto out;
	}
	if (copyw_end(&w, NULL, rows, &err) != 0) {
		uint64_t line = load_copy_err_line(err);
		load_copy_report(L->c, err, path, "line", line ? line + header_lines : 0);
		goto out;
	}
	rc = 0;
out:
	PQclear(err);
	sbuf_release(&sql);
	sbuf_release(&opts);
	sbuf_release(&suffix);
	src_close(&s);
	return rc;
}
