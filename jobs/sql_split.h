/*
 * sql_split.h - splitting a SQL text into statements (sql_split.c). Pure,
 * no libpq, so unit tests and fuzzers can use it alone.
 */
#ifndef DAGD_SQL_SPLIT_H
#define DAGD_SQL_SPLIT_H

#include <stddef.h>

/* One statement: text[off .. off+len), from its first token to the end of
 * its last one (no ';', no trailing comment). */
struct sql_stmt {
	size_t off, len;
};

/*
 * Split text[0..n) into statements; empty ones (";;", comments only) are
 * dropped. 0 with *out (malloc'd, the caller frees; NULL when *count is 0)
 * and *count; -1 when a statement starts with a backslash (a psql
 * meta-command such as \copy, which only psql understands), with *bad_off
 * its offset. Out of memory aborts. An unterminated quote or comment runs
 * to the end of the text (the server reports it).
 */
int sql_split(const char *text, size_t n, struct sql_stmt **out, size_t *count,
	      size_t *bad_off);

/* 1-based line number of text[off]. */
unsigned sql_line_at(const char *text, size_t off);

#endif
