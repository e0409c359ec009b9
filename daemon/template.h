/*
 * template.h - the {{ ... }} renderer of DAG files (DESIGN.md section 3,
 * "Params and templates"). Pure: values come from a lookup callback, time
 * zone from the caller. Syntax:
 *   {{ name }}  {{ a.b.c }}  {{ 'literal' }}  {{ name | filter | filter(arg) }}
 * Whitespace inside the braces is free. {{ '{{' }} writes a literal "{{".
 * Filters: add_days(N), strftime("FMT"), sql, sh.
 */
#ifndef DAGD_TEMPLATE_H
#define DAGD_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct tz;

#define TPL_MAX_FILTERS 8

/* A value as the lookup returns it; s is its text (JSON text for TV_JSON). */
enum tv_type { TV_STR, TV_NUM, TV_BOOL, TV_NULL, TV_JSON };
struct tv {
	enum tv_type type;
	const char *s; /* borrowed; valid until the render returns */
};

enum tpl_filter_kind { TF_ADD_DAYS, TF_STRFTIME, TF_SQL, TF_SH };
struct tpl_filter {
	enum tpl_filter_kind kind;
	int64_t days;  /* add_days */
	char *format;  /* strftime, owned by the expression */
};

/* One {{ ... }} expression, as template_scan() reports it. */
struct tpl_expr {
	size_t off;    /* byte offset of "{{" in the source */
	size_t len;    /* bytes up to and including "}}" */
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
 * Check the syntax of src and call visit (may be NULL) for every
 * expression. Returns 0, the visitor's non-zero value, or DAGD_EINVAL with
 * *err filled (unclosed braces, unknown filter, bad filter argument).
 */
int template_scan(const char *src, size_t len, tpl_visit_cb visit, void *ctx,
		  struct tpl_error *err);

/*
 * Render src into out (appended). Names resolve through lookup; filters
 * use zone z (NULL = UTC) for dates. 0, or DAGD_EINVAL with *err (syntax,
 * unknown name, a filter that cannot apply to the value), or DAGD_ETOOBIG
 * when out's cap is exceeded.
 */
int template_render(const char *src, size_t len, tpl_lookup_cb lookup, void *ctx,
		    const struct tz *z, struct sbuf *out, struct tpl_error *err);

/* true if src holds at least one "{{" (a cheap test before rendering). */
bool template_has_expr(const char *src);

/* Quote helpers used by the filters, exported for reuse and tests. */
void tpl_quote_sql(struct sbuf *out, const struct tv *v);
void tpl_quote_sh(struct sbuf *out, const char *s);

#endif
