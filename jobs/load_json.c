/*
 * load_json.c - jsonl and json files for a load, as COPY text rows. Records
 * (jsonl lines, or the elements of a json file's one top-level array) are
 * cut out of the stream one at a time by a small incremental scanner and
 * checked by load_jparse.c (a whole object only for its braces: the server
 * parses it anyway). A table whose only column without a default is
 * json/jsonb gets the whole object; else top-level keys fill the columns
 * they name (columns: renames), nested values as JSON text, null or a
 * missing key as NULL, an unknown key an error unless ignore_unknown, a
 * column with a default only if columns: names it or the first record has it.
 */
#include "load.h"

#include <stdlib.h>
#include <string.h>

/* --- reading records ------------------------------------------------- */

enum { A_START, A_FIRST, A_NEXT, A_END };

struct reader {
	struct src *s;
	bool array;
	int state;
	uint64_t line; /* of s->buf[s->pos] */
};

static int too_long(struct reader *r)
{
	sql_error("%s:%llu: record longer than %u bytes", r->s->path,
		  (unsigned long long)r->line, LOAD_RECORD_MAX);
	return -1;
}

/* The next jsonl line with something on it. */
static int next_line(struct reader *r, const char **rec, size_t *len, uint64_t *line)
{
	for (;;) {
		struct src *s = r->s;
		const char *p = s->buf + s->pos, *nl = memchr(p, '\n', s->len - s->pos);
		size_t n, i;
		if (!nl && !s->eof) {
			int rc = src_more(s, LOAD_RECORD_MAX);
			if (rc == -2)
				return too_long(r);
			if (rc < 0)
				return -1;
			continue;
		}
		n = nl ? (size_t)(nl - p) : s->len - s->pos;
		if (!nl && n == 0)
			return 0;
		s->pos += nl ? n + 1 : n;
		*line = r->line++;
		for (i = 0; i < n && strchr(" \t\r", p[i]); i++)
			;
		if (i == n)
			continue; /* a blank line */
		*rec = p;
		*len = n;
		return 1;
	}
}

/* Skip whitespace; the next character, -1 at the end, -2 on error. */
static int array_ws(struct reader *r)
{
	struct src *s = r->s;

	for (;;) {
		while (s->pos < s->len) {
			char c = s->buf[s->pos];
			if (c == '\n')
				r->line++;
			else if (c != ' ' && c != '\t' && c != '\r')
				return (unsigned char)c;
			s->pos++;
		}
		int rc = src_more(s, LOAD_RECORD_MAX);
		if (rc == 0)
			return -1;
		if (rc < 0)
			return -2;
	}
}

/* The extent of the value at s->pos: strings, escapes and nesting. */
static int element(struct reader *r, const char **rec, size_t *len, uint64_t *line)
{
	struct src *s = r->s;
	size_t e = 0, k;
	int depth = 0;
	bool in_str = false, esc = false;

	for (;;) {
		const char *p = s->buf + s->pos;
		size_t avail = s->len - s->pos;
		for (; e < avail; e++) {
			char c = p[e];
			if (in_str) {
				if (esc)
					esc = false;
				else if (c == '\\')
					esc = true;
				else if (c == '"')
					in_str = false;
				continue;
			}
			if (c == '"')
				in_str = true;
			else if (c == '{' || c == '[')
				depth++;
			else if ((c == '}' || c == ']') && --depth == 0) {
				e++;
				goto done;
			}
		}
		int rc = src_more(s, LOAD_RECORD_MAX);
		if (rc == -2)
			return too_long(r);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			sql_error("%s:%llu: the array's last element is cut short", s->path,
				  (unsigned long long)r->line);
			return -1;
		}
	}
done:
	*rec = s->buf + s->pos;
	*len = e;
	*line = r->line;
	for (k = 0; k < e; k++)
		r->line += (*rec)[k] == '\n';
	s->pos += e;
	return 1;
}

/* The next element of the top-level array. */
static int next_element(struct reader *r, const char **rec, size_t *len, uint64_t *line)
{
	int c = array_ws(r);

	if (c == -2)
		return -1;
	switch (r->state) {
	case A_START:
		if (c != '[') {
			sql_error("%s:%llu: a json load reads one top-level array: expected '['",
				  r->s->path, (unsigned long long)r->line);
			return -1;
		}
		r->s->pos++;
		r->state = A_FIRST;
		return next_element(r, rec, len, line);
	case A_FIRST:
	case A_NEXT:
		if (c == ']') {
			r->s->pos++;
			r->state = A_END;
			return next_element(r, rec, len, line);
		}
		if (r->state == A_NEXT) {
			if (c != ',') {
				sql_error("%s:%llu: expected ',' or ']' after an element", r->s->path,
					  (unsigned long long)r->line);
				return -1;
			}
			r->s->pos++;
			c = array_ws(r);
			if (c == -2)
				return -1;
		}
		if (c != '{') {
			sql_error("%s:%llu: expected a JSON object", r->s->path,
				  (unsigned long long)r->line);
			return -1;
		}
		r->state = A_NEXT;
		return element(r, rec, len, line);
	default:
		if (c == -1)
			return 0;
		sql_error("%s:%llu: data after the top-level array", r->s->path,
			  (unsigned long long)r->line);
		return -1;
	}
}

static int next_record(struct reader *r, const char **rec, size_t *len, uint64_t *line)
{
	return r->array ? next_element(r, rec, len, line) : next_line(r, rec, len, line);
}

/* --- records to rows -------------------------------------------------- */

struct conv {
	struct load_ctx *L;
	const char *path;
	long whole;      /* the column a whole object goes into, or -1 */
	long *pos;       /* table column -> place in the COPY list, -1: not copied */
	size_t *col;     /* place in the COPY list -> table column */
	size_t ncopy;
	long *slot;      /* place in the COPY list -> member, per row */
	struct jmember *mv;
	size_t nm, am;
	struct sbuf key, suffix;
	bool started;
	struct copyw w;
	const char **ckey; /* table column -> the key that fills it */
	size_t *cklen;
	bool *fill;        /* table column -> load_fillable() */
};

/* The column a whole object goes into: the only fillable one without a
 * default, when it is json/jsonb and no columns: mapping is given. */
static long whole_column(const struct load_ctx *L)
{
	long found = -1;
	size_t i, n = 0;

	if (L->l->n_columns)
		return -1;
	for (i = 0; i < L->t->ncols; i++)
		if (load_fillable(L, i) && !L->t->cols[i].has_default)
			found = (long)i, n++;
	return n == 1 && L->t->cols[found].is_json ? found : -1;
}

/* The column key k[0..n) fills, or -1 (load_key_col() from a table). */
static long key_col(const struct conv *cv, const char *k, size_t n)
{
	size_t i;

	for (i = 0; i < cv->L->t->ncols; i++)
		if (cv->cklen[i] == n && memcmp(cv->ckey[i], k, n) == 0)
			return (long)i;
	return -1;
}

/* The column of member m (key decoded when it has escapes), or -1. */
static long member_col(struct conv *cv, const struct jmember *m)
{
	if (!m->kesc)
		return key_col(cv, m->k, m->klen);
	cv->key.len = 0;
	sbuf_add(&cv->key, "", 0);
	(void)jstr_decode(&cv->key, m->k, m->klen, false); /* a \u0000 key matches no column */
	return key_col(cv, cv->key.p, cv->key.len);
}

static bool named_in_columns(const struct load_ctx *L, size_t col)
{
	size_t i;

	for (i = 0; i < L->l->n_columns; i++)
		if (strcmp(L->l->columns[i].key, L->t->cols[col].name) == 0)
			return true;
	return false;
}

/* The COPY list from the first record; start the COPY. 0 or -1. */
static int start_copy(struct conv *cv)
{
	struct load_ctx *L = cv->L;
	struct sbuf sql = {0};
	PGresult *err = NULL;
	size_t i, k;

	for (i = 0; i < L->t->ncols; i++)
		cv->pos[i] = -1;
	cv->ncopy = 0;
	sbuf_addf(&sql, "COPY %s (", L->t->qname);
	for (i = 0; i < L->t->ncols; i++) {
		bool take = load_fillable(L, i);
		if (take && cv->whole >= 0)
			take = (long)i == cv->whole;
		else if (take && L->t->cols[i].has_default && !named_in_columns(L, i)) {
			take = false;
			for (k = 0; k < cv->nm && !take; k++)
				take = member_col(cv, &cv->mv[k]) == (long)i;
		}
		if (!take)
			continue;
		cv->pos[i] = (long)cv->ncopy;
		cv->col[cv->ncopy++] = i;
		sbuf_addf(&sql, "%s%s", cv->ncopy > 1 ? ", " : "", L->t->cols[i].qname);
	}
	load_copy_sql(L, &sql, NULL);
	if (copyw_begin(&cv->w, L->c, sql.p, &err) != 0) {
		load_copy_report(L->c, err, cv->path, "line", 0);
		PQclear(err);
		sbuf_release(&sql);
		return -1;
	}
	sbuf_release(&sql);
	cv->started = true;
	return 0;
}

/* One row from the members of a record at line. 0, or -1 (logged). */
static int emit_row(struct conv *cv, const char *rec, size_t len, uint64_t line)
{
	struct sbuf *b = &cv->w.b;
	size_t k;

	if (cv->whole >= 0) {
		sbuf_copy_text(b, rec, len);
	} else {
		for (k = 0; k < cv->ncopy; k++)
			cv->slot[k] = -1;
		for (k = 0; k < cv->nm; k++) {
			const struct jmember *m = &cv->mv[k];
			long col = member_col(cv, m);
			if (col >= 0 && !cv->L->t->cols[col].generated && !cv->fill[col])
				continue; /* a set: column: set wins */
			if (col < 0 || cv->L->t->cols[col].generated) {
				if (cv->L->l->ignore_unknown)
					continue;
				sql_error("%s:%llu: key \"%.*s\" is not a column of %s (ignore_unknown: "
					  "true drops such keys)", cv->path, (unsigned long long)line,
					  (int)(m->klen > 64 ? 64 : m->klen), m->k, cv->L->t->qname);
				return -1;
			}
			if (cv->pos[col] < 0) {
				sql_error("%s:%llu: key \"%.*s\" fills column %s, which has a default and "
					  "was not in the file's first record: name it in columns: to load "
					  "it", cv->path, (unsigned long long)line,
					  (int)(m->klen > 64 ? 64 : m->klen), m->k,
					  cv->L->t->cols[col].qname);
				return -1;
			}
			cv->slot[cv->pos[col]] = (long)k;
		}
		for (k = 0; k < cv->ncopy; k++) {
			const struct jmember *m;
			const char *bad;
			if (k)
				sbuf_addc(b, '\t');
			if (cv->slot[k] < 0 || cv->mv[cv->slot[k]].type == J_NULL) {
				sbuf_add(b, "\\N", 2);
				continue;
			}
			m = &cv->mv[cv->slot[k]];
			if (m->type != J_STR) {
				sbuf_copy_text(b, m->v, m->vlen);
			} else if (cv->L->t->cols[cv->col[k]].is_json) {
				sbuf_copy_text(b, m->v - 1, m->vlen + 2); /* with its quotes */
			} else if (!m->vesc) {
				sbuf_add(b, m->v, m->vlen); /* nothing to escape in it */
			} else if ((bad = jstr_decode(b, m->v, m->vlen, true))) {
				sql_error("%s:%llu: key \"%.*s\": %s", cv->path, (unsigned long long)line,
					  (int)(m->klen > 64 ? 64 : m->klen), m->k, bad);
				return -1;
			}
		}
	}
	sbuf_add(b, cv->suffix.p, cv->suffix.len);
	sbuf_addc(b, '\n');
	return copyw_maybe_flush(&cv->w) == 0 ? 0 : 1;
}

/* Whether rec is {...} once the blanks around it are dropped. */
static bool braced(const char *rec, size_t len)
{
	size_t a = 0, b = len;

	while (a < b && strchr(" \t\r\n", rec[a]))
		a++;
	while (b > a && strchr(" \t\r\n", rec[b - 1]))
		b--;
	return b - a >= 2 && rec[a] == '{' && rec[b - 1] == '}';
}

/* Check a record, start the COPY at the first one, emit the row. A whole
 * object is only checked to be braced: the server parses it anyway (its
 * error still names the line), and parsing it twice costs a client core. */
static int convert(struct conv *cv, const char *rec, size_t len, uint64_t line)
{
	const char *err;
	uint64_t at;
	size_t k, off;

	if (cv->whole >= 0 && !braced(rec, len)) {
		sql_error("%s:%llu: bad JSON: expected a JSON object", cv->path,
			  (unsigned long long)line);
		return -1;
	}
	if (cv->whole < 0 && !jrec_parse(rec, len, &cv->mv, &cv->nm, &cv->am, &err, &off)) {
		at = line;
		for (k = 0; k < off && k < len; k++)
			at += rec[k] == '\n';
		sql_error("%s:%llu: bad JSON: %s", cv->path, (unsigned long long)at, err);
		return -1;
	}
	if (!cv->started && start_copy(cv) != 0)
		return -1;
	return emit_row(cv, rec, len, line);
}

/* The line where record number k (1-based) of path starts; 0 if none. */
static uint64_t record_line(const char *path, bool array, uint64_t k)
{
	struct src s;
	struct reader r;
	const char *rec;
	size_t len;
	uint64_t line = 0, n = 0;

	if (!k || src_open(&s, path) != 0)
		return 0;
	r = (struct reader){&s, array, A_START, 1};
	while (n < k && next_record(&r, &rec, &len, &line) == 1)
		n++;
	src_close(&s);
	return n == k ? line : 0;
}

static int convert_file(struct conv *cv, struct src *s, uint64_t *rows)
{
	struct reader r = {s, cv->L->l->format == SPEC_FMT_JSON, A_START, 1};
	PGresult *err = NULL;
	const char *rec;
	size_t len;
	uint64_t line;
	int rc;

	while ((rc = next_record(&r, &rec, &len, &line)) == 1)
		if ((rc = convert(cv, rec, len, line)) != 0)
			break;
	if (!cv->started)
		return rc < 0 ? -1 : 0; /* no record: no rows */
	if (rc < 0) {
		(void)!copyw_end(&cv->w, "bad record", rows, &err); /* it is logged */
		return -1;
	}
	if (copyw_end(&cv->w, NULL, rows, &err) != 0) {
		uint64_t at = record_line(cv->path, r.array, load_copy_err_line(err));
		load_copy_report(cv->L->c, err, cv->path, "line", at);
		PQclear(err);
		return -1;
	}
	return 0;
}

int load_json_file(struct load_ctx *L, const char *path, uint64_t *rows)
{
	struct conv cv;
	struct src s;
	int rc;

	*rows = 0;
	memset(&cv, 0, sizeof(cv));
	cv.L = L;
	cv.path = path;
	cv.whole = whole_column(L);
	if (src_open(&s, path) != 0)
		return -1;
	cv.pos = sql_xmalloc(sizeof(long) * (L->t->ncols + 1));
	cv.col = sql_xmalloc(sizeof(size_t) * (L->t->ncols + 1));
	cv.slot = sql_xmalloc(sizeof(long) * (L->t->ncols + 1));
	cv.ckey = sql_xmalloc(sizeof(char *) * (L->t->ncols + 1));
	cv.cklen = sql_xmalloc(sizeof(size_t) * (L->t->ncols + 1));
	cv.fill = sql_xmalloc(sizeof(bool) * (L->t->ncols + 1));
	for (size_t i = 0; i < L->t->ncols; i++) {
		cv.ckey[i] = load_col_key(L, i);
		cv.cklen[i] = strlen(cv.ckey[i]);
		cv.fill[i] = load_fillable(L, i);
	}
	load_set_suffix(L, path, false, &cv.suffix);
	rc = convert_file(&cv, &s, rows);
	src_close(&s);
	free(cv.pos);
	free(cv.col);
	free(cv.slot);
	free(cv.ckey);
	free(cv.cklen);
	free(cv.fill);
	free(cv.mv);
	sbuf_release(&cv.key);
	sbuf_release(&cv.suffix);
	sbuf_release(&cv.w.b);
	return rc;
}
