/*
 * load.h - interfaces between the modules of the load task kind in
 * dagd-sql: load.c drives (connection, transaction, modes, files); under it
 * load_table.c (the target table: columns, create, replace), load_src.c
 * (reading a file, gunzipping .gz), load_copy.c (COPY FROM STDIN and its
 * errors), and one file per source format: load_csv.c, load_text.c,
 * load_json.c (with load_jparse.c), load_from.c. Memory stays bounded: files are streamed in
 * chunks, never read whole.
 */
#ifndef DAGD_LOAD_H
#define DAGD_LOAD_H

#include "sql.h"

/* Bytes read from a file at once, and sent per PQputCopyData(). */
#define LOAD_CHUNK (256u * 1024u)
/* Longest record (csv record, text or jsonl line, json array element). */
#define LOAD_RECORD_MAX (16u * 1024u * 1024u)

/* --- load_table.c --- */

struct load_col {
	char *name;       /* as in the catalog */
	char *qname;      /* quoted identifier */
	bool has_default; /* a default, identity or serial */
	bool generated;   /* GENERATED ALWAYS AS (...): never copied into */
	bool is_json;     /* json or jsonb */
};

struct load_table {
	char *oid;   /* decimal text, for queries */
	char *name;  /* relname */
	char *qname; /* "schema"."name", quoted */
	char *qschema;
	char relkind;
	struct load_col *cols;
	size_t ncols;
};

/* Look spec_table ("schema.table", "table", quoted parts allowed) up on
 * the connection's search_path. 0 with *exists false when there is no
 * such table; -1 on error (logged). */
int load_table_lookup(PGconn *c, const char *spec_table, struct load_table *t,
		      bool *exists) SQL_WUR;
void load_table_release(struct load_table *t);
/* Index of column name, or -1. */
long load_table_col(const struct load_table *t, const char *name);
/* CREATE TABLE spec_table with text columns names[0..n), then look it up
 * into *t. 0 or -1 (logged). */
int load_table_create(PGconn *c, const char *spec_table, char *const *names, size_t n,
		      struct load_table *t) SQL_WUR;
/* mode replace: create the new table LIKE t INCLUDING ALL, looked up into
 * *nt. 0 or -1 (logged). */
int load_replace_begin(PGconn *c, const struct load_table *t, struct load_table *nt) SQL_WUR;
/* mode replace, after the copy, in the same transaction: lock t, give nt
 * t's owner, grants and owned sequences, drop t, rename nt (and its
 * indexes) to t's names, analyze. 0 or -1 (logged). */
int load_replace_finish(PGconn *c, const struct load_table *t, const struct load_table *nt)
	SQL_WUR;

/* --- load_src.c: a file being read; data is buf[pos..len) --- */

struct src {
	const char *path;
	int fd;
	void *gz;  /* gzFile for .gz names */
	char *buf;
	size_t cap, pos, len;
	bool eof;
};
/* 0, or -1 (logged). */
int src_open(struct src *s, const char *path) SQL_WUR;
/*
 * Read more: the unread bytes move to the front, the buffer grows (up to
 * max bytes) when it is full. 1 when bytes were added, 0 at the end of the
 * file (s->eof), -1 on a read error (logged), -2 when max bytes are
 * unread and still more are needed (a record too long).
 */
int src_more(struct src *s, size_t max) SQL_WUR;
void src_close(struct src *s);

/* --- load_copy.c --- */

struct copyw {
	PGconn *c;
	struct sbuf b; /* rows not sent yet */
	bool active;
};
/* Start "COPY ... FROM STDIN". 0, or -1 with *err the failed result
 * (the caller reports it and PQclear()s it). */
int copyw_begin(struct copyw *w, PGconn *c, const char *sql, PGresult **err) SQL_WUR;
/* Queue n bytes. 0, or -1 when the connection failed or the task is
 * stopping (the caller ends the copy). */
int copyw_put(struct copyw *w, const char *p, size_t n) SQL_WUR;
/* After rows were added to w->b directly: send when enough piled up. */
int copyw_maybe_flush(struct copyw *w) SQL_WUR;
/*
 * End the copy: with abort_msg NULL, send the rest and finish; else abort
 * it with that message. 0 with *rows the rows copied; -1 with *err the
 * error result (NULL when it was our abort).
 */
int copyw_end(struct copyw *w, const char *abort_msg, uint64_t *rows, PGresult **err) SQL_WUR;
/* The "line N" of a COPY error's CONTEXT, 0 when there is none. */
uint64_t load_copy_err_line(const PGresult *r);
/*
 * Log a failed COPY: "FILE:LINE: column C: ERROR SQLSTATE: message" (the
 * column from the error's CONTEXT), DETAIL, HINT. file NULL: no location;
 * line 0: none; unit names the line ("line", "row").
 */
void load_copy_report(PGconn *c, const PGresult *r, const char *file, const char *unit,
		      uint64_t line);

/* --- load.c: the state one load shares with the format modules --- */

struct load_ctx {
	const struct spec *s;
	const struct spec_load *l;
	PGconn *c;
	struct load_table *t;  /* the target: the table, or the new one (replace) */
	long *set_cols;        /* column index of each l->set member */
};
/* The insertable columns that are neither generated nor set. */
bool load_fillable(const struct load_ctx *L, size_t col);
/* The key (json key, csv header name) that fills column col: its
 * columns: mapping, else its name. */
const char *load_col_key(const struct load_ctx *L, size_t col);
/* The column that key (json key, csv header name) fills: the columns:
 * mapping first, then the name itself; -1 when none. */
long load_key_col(const struct load_ctx *L, const char *key, size_t klen);
/* Append ", set columns" to a column list being built and close the COPY
 * command: " FROM STDIN" plus options. */
void load_copy_sql(const struct load_ctx *L, struct sbuf *sql, const char *options);
/* The set values for one file, each with its separator in front: for
 * COPY text format ("\tv1\tv2") or, with csv, quoted csv fields. */
void load_set_suffix(const struct load_ctx *L, const char *file, bool csv, struct sbuf *out);

/* --- load_jparse.c: one JSON record --- */

/* Deepest nesting a record may have. */
#define JSON_DEPTH_MAX 512

enum jtype { J_STR, J_NUM, J_TRUE, J_FALSE, J_NULL, J_OBJ, J_ARR };

/* A top-level member; the pointers are into the record. */
struct jmember {
	const char *k; /* key text inside the quotes */
	size_t klen;
	bool kesc;     /* the key has escapes */
	const char *v; /* the value's text (strings: inside the quotes) */
	size_t vlen;
	bool vesc;     /* a string value with escapes */
	enum jtype type;
};
/*
 * Check rec[0..n) as one JSON object and list its top-level members in
 * (*mv)[0..*nm), growing *mv (*am entries allocated; the caller frees it).
 * true, or false with *err (static text) and *err_off (byte offset).
 */
bool jrec_parse(const char *rec, size_t n, struct jmember **mv, size_t *nm, size_t *am,
		const char **err, size_t *err_off);
/* Append the checked string body s[0..n) decoded; with copy, escaped for
 * COPY text format. NULL, or what is wrong (\u0000 has no place in text). */
const char *jstr_decode(struct sbuf *b, const char *s, size_t n, bool copy);

/* --- the formats; each returns 0 with *rows, or -1 (logged) --- */

int load_csv_file(struct load_ctx *L, const char *path, uint64_t *rows) SQL_WUR;
/* The header names of a csv file (for create): 0 with *names (free each
 * and the array) and *n, or -1 (logged). */
int load_csv_header(const struct spec_load *l, const char *path, char ***names, size_t *n)
	SQL_WUR;
int load_text_file(struct load_ctx *L, const char *path, uint64_t *rows) SQL_WUR;
int load_json_file(struct load_ctx *L, const char *path, uint64_t *rows) SQL_WUR;
int load_from(struct load_ctx *L, uint64_t *rows) SQL_WUR;

#endif
