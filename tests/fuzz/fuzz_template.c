/*
 * fuzz_template.c - libFuzzer driver for daemon/template.c. Scans and
 * renders the input (in UTC, and in Europe/Berlin when that zone loads)
 * with a lookup that knows a few names, and checks that: render fails iff
 * scan fails (then with the same error), a name is unknown, or a date
 * filter cannot read its value; a failed render leaves the buffer as it
 * was; input without "{{" renders to itself; a capped render either fits
 * and matches the uncapped one or fails with DAGD_ETOOBIG.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
	const char *name;
	enum tv_type type;
	const char *s;
} values[] = {
	{"ds", TV_STR, "2026-01-10"},
	{"ts", TV_STR, "2026-01-10T00:00:00Z"},
	{"logical_date", TV_STR, "2026-03-28T03:00:00.5+01:00"},
	{"edge", TV_STR, "9999-12-31T23:59:59-23:59"},
	{"params.n", TV_NUM, "5"},
	{"params.neg", TV_NUM, "-3.5e2"},
	{"params.b", TV_BOOL, "true"},
	{"params.null", TV_NULL, "null"},
	{"params.obj", TV_JSON, "{\"a\": [1, \"it's\"]}"},
	{"params.q", TV_STR, "it's a \\ 'test'"},
	{"outputs.t-1.n", TV_NUM, "42"},
};

static bool known(const char *name)
{
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		if (strcmp(values[i].name, name) == 0)
			return true;
	return false;
}

static int lookup_cb(void *ctx, const char *name, struct tv *out)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		if (strcmp(values[i].name, name) == 0) {
			out->type = values[i].type;
			out->s = values[i].s;
			return 0;
		}
	}
	return DAGD_ENOENT;
}

struct scan_state {
	size_t len;
	size_t prev_end;
	size_t n;
	bool unknown;
};

static int visit_cb(void *ctx, const struct tpl_expr *e)
{
	struct scan_state *s = ctx;

	if (e->off < s->prev_end || e->len < 4 || e->off + e->len > s->len)
		abort();
	if (e->name_off <= e->off + 1 || e->name_off >= e->off + e->len - 2)
		abort();
	if ((e->name == NULL) == (e->literal == NULL) || e->nfilters > TPL_MAX_FILTERS)
		abort();
	for (size_t k = 0; k < e->nfilters; k++) {
		const struct tpl_filter *f = &e->filters[k];
		if (f->off <= e->name_off || f->off >= e->off + e->len)
			abort();
		if ((f->kind == TF_STRFTIME) != (f->format != NULL))
			abort();
		if (f->kind == TF_ADD_DAYS && (f->days > TPL_MAX_DAYS || f->days < -TPL_MAX_DAYS))
			abort();
	}
	if (e->name && !known(e->name))
		s->unknown = true;
	s->prev_end = e->off + e->len;
	s->n++;
	return 0;
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Render in zone z and check the invariants; returns rc, text in *out. */
static int check_render(const char *src, size_t len, const struct tz *z, int scan_rc,
			const struct tpl_error *scan_err, bool unknown, struct sbuf *out)
{
	struct tpl_error err;
	int rc;

	sbuf_init(out, 1u << 20);
	memset(&err, 0, sizeof(err));
	rc = template_render(src, len, lookup_cb, NULL, z, out, &err);
	if (rc && (out->len != 0 || out->overflow || err.off > len || !err.msg[0]))
		abort();
	if (scan_rc) {
		if (rc != scan_rc || err.off != scan_err->off || strcmp(err.msg, scan_err->msg))
			abort();
		return rc;
	}
	if (unknown && rc == 0)
		abort();
	if (rc == DAGD_EINVAL && starts(err.msg, "unknown name") && !unknown)
		abort();
	if (rc == DAGD_EINVAL && !unknown && !starts(err.msg, "add_days: ") &&
	    !starts(err.msg, "strftime: "))
		abort();
	if (rc && rc != DAGD_EINVAL && rc != DAGD_ETOOBIG)
		abort();
	return rc;
}

static void check_capped(const char *src, size_t len, size_t max, int full_rc,
			 const struct sbuf *full)
{
	struct sbuf out;
	struct tpl_error err;
	int rc;

	sbuf_init(&out, max);
	sbuf_adds(&out, "pre");
	rc = template_render(src, len, lookup_cb, NULL, NULL, &out, &err);
	if (rc == 0) {
		if (full_rc || out.len != 3 + full->len || out.len > max ||
		    memcmp(out.buf + 3, full->buf ? full->buf : "", full->len))
			abort();
	} else {
		if (out.len != 3 || memcmp(out.buf, "pre", 3) || out.overflow)
			abort();
		if (rc != DAGD_ETOOBIG && rc != full_rc)
			abort();
		/* filter results count against the cap too, so only without
		 * filters does a fitting output guarantee success */
		if (full_rc == 0 && rc == DAGD_ETOOBIG && 3 + full->len <= max &&
		    !memchr(src, '|', len))
			abort();
	}
	sbuf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tz *berlin;
	static bool loaded;
	const char *src = (const char *)data;
	struct scan_state st = {size, 0, 0, false};
	struct tpl_error serr;
	struct sbuf out, out_b;
	int rc, scan_rc;

	if (!loaded) {
		char msg[256];
		loaded = true;
		if (tz_load("Europe/Berlin", &berlin, msg, sizeof(msg)) != 0)
			berlin = NULL;
	}
	memset(&serr, 0, sizeof(serr));
	scan_rc = template_scan(src, size, visit_cb, &st, &serr);
	if (scan_rc && scan_rc != DAGD_EINVAL)
		abort();

	rc = check_render(src, size, NULL, scan_rc, &serr, st.unknown, &out);
	if (!memmem(data, size, "{{", 2) &&
	    (scan_rc || rc || out.len != size || memcmp(out.buf ? out.buf : "", data, size)))
		abort();
	check_capped(src, size, 3 + (size ? data[0] % 64 : 0), rc, &out);

	if (berlin) {
		(void)check_render(src, size, berlin, scan_rc, &serr, st.unknown, &out_b);
		sbuf_release(&out_b);
	}
	sbuf_release(&out);
	return 0;
}
