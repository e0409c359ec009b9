/*
 * template.h - the {{ ... }} renderer of DAG files (DESIGN.md section 3,
 * "Params and templates"). Pure: values come from a lookup callback, time
 * zone from the caller. Syntax:
 *   {{ name }}  {{ a.b.c }}  {{ 'literal' }}  {{ name | filter | filter(arg) }}
 * Whitespace inside the braces is free. {{ '{{' }} writes a literal "{{";
 * a "}}" outside an expression is plain text. A quoted literal ('...' or
 * "...") has no escapes and ends at its quote, on the same line.
 * Names: a segment [A-Za-z_][A-Za-z0-9_]*, then '.'-separated segments of
 * [A-Za-z0-9_-] (task ids), none empty: params.top_n, outputs.load-x.rows.
 * A value is written as its text (JSON text for TV_JSON, nothing for
 * TV_NULL) and never rendered again, even if it holds "{{".
 * Filters, applied left to right, each yielding a string:
 *   add_days(N)  "YYYY-MM-DD" -> the date N days later; an RFC 3339 timestamp
 *                (YYYY-MM-DDTHH:MM:SS[.frac] then Z or +HH:MM) -> the instant
 *                + N * 86400 s, with Z kept as Z and an offset re-rendered in
 *                the zone (UTC: +00:00); fractions are kept as written
 *   strftime(F)  the date (00:00 in the zone) or timestamp on the zone's wall
 *                clock; conversions aAbBCdDeFgGhHIjklmMnpPRsStTuUVwWyYzZ%
 *                with C-locale names, no flags or widths; %Z is "UTC" in
 *                UTC, else the numeric form ("+01", "+0530")
 *   sql, sh      tpl_quote_sql(), tpl_quote_sh()
 * Dates and results must lie in years 0000-9999; offsets are whole minutes.
 */
#ifndef DAGD_TEMPLATE_H
#define DAGD_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct tz;

/* Filters in one expression. */
#define TPL_MAX_FILTERS 8
/* Bound of add_days(N): about the span of years 0000-9999, the range of
 * dates the filters read and write. */
#define TPL_MAX_DAYS 3660000

/* A value as the lookup returns it; s is its text (JSON text for TV_JSON). */
enum tv_type { TV_STR, TV_NUM, TV_BOOL, TV_NULL, TV_JSON };
struct tv {
	enum tv_type type;
	const char *s; /* borrowed; valid until the render returns */
};

enum tpl_filter_kind { TF_ADD_DAYS, TF_STRFTIME, TF_SQL, TF_SH };
struct tpl_filter {
	enum tpl_filter_kind kind;
	size_t off;    /* byte offset of the filter's name in the source */
	int64_t days;  /* add_days */
	char *format;  /* strftime, owned by the expression */
};

/* One {{ ... }} expression, as template_scan() reports it. */
struct tpl_expr {
	size_t off;    /* byte offset of "{{" in the source */
	size_t len;    /* bytes up to and including "}}" */
	size_t name_off; /* byte offset of the name or of the literal's quote */
	char *name;    /* dotted name, or NULL for a quoted literal */
	char *literal; /* the literal's text when name is NULL */
	struct tpl_filter filters[TPL_MAX_FILTERS];
	size_t nfilters;
};

struct tpl_error {
	size_t off; /* byte offset in the source where the problem is */
	char msg[256];
};

/* Returns 0 and fills *out, or DAGD_ENOENT for an unknown name. */
typedef int (*tpl_lookup_cb)(void *ctx, const char *name, struct tv *out);
/* Called for each expression in order; a non-zero return stops the scan
 * and is returned by template_scan(). */
typedef int (*tpl_visit_cb)(void *ctx, const struct tpl_expr *e);

/*
 * Check the syntax of src[0..len) and call visit (may be NULL) for every
 * expression, in order; *e and its strings are valid during the call only.
 * Returns 0, the visitor's non-zero value, or DAGD_EINVAL with *err filled
 * (unclosed braces, empty expression, bad name, unterminated string,
 * unknown filter, bad filter argument). Names are not resolved. err may be
 * NULL.
 */
int template_scan(const char *src, size_t len, tpl_visit_cb visit, void *ctx,
		  struct tpl_error *err);

/*
 * Render src[0..len) into out (appended). The syntax is checked first, so a
 * syntax error is reported as template_scan() reports it. Names resolve
 * through lookup; filters use zone z (NULL = UTC) for dates. 0, or
 * DAGD_EINVAL with *err (syntax, "unknown name 'x'" at the name, a filter
 * that cannot apply to the value), a lookup's other error code, or
 * DAGD_ETOOBIG when out->max is exceeded (each filter's result counts
 * against out->max too). On failure out is left as it was. err may be NULL.
 */
int template_render(const char *src, size_t len, tpl_lookup_cb lookup, void *ctx,
		    const struct tz *z, struct sbuf *out, struct tpl_error *err);

/* true if src holds at least one "{{" (a cheap test before rendering). */
bool template_has_expr(const char *src);

/*
 * Quote helpers used by the filters, exported for reuse and tests. Both
 * append to out and cannot fail (out's overflow flag says if it fit).
 * Values are C strings, so they cannot carry NUL bytes (a quoted literal
 * with a NUL is a syntax error).
 *
 * tpl_quote_sql: a SQL literal. TV_NULL is NULL; a TV_NUM in JSON number
 * syntax is written as is, in parentheses when negative ("1-(-3)", never a
 * "--" comment); a TV_BOOL of true/false as is; anything else (strings,
 * JSON text, a malformed number or bool) as a string with ' doubled:
 * 'it''s', or E'...' with \ doubled too when it holds a backslash, which
 * reads the same whatever standard_conforming_strings says. v->s NULL is "".
 */
void tpl_quote_sql(struct sbuf *out, const struct tv *v);
/*
 * tpl_quote_sh: one POSIX shell word. Words made only of [A-Za-z0-9_./:,+@%-]
 * that are not reserved words (if, done, time, ...) stay as they are;
 * anything else is single-quoted with ' as '\'' ('a b', 'it'\''s'); the
 * empty string is ''. '=' is always quoted: A=b first on a line would be an
 * assignment.
 */
void tpl_quote_sh(struct sbuf *out, const char *s);

#endif
