/*
 * test_tz.c - unit tests for daemon/tz.c: civil dates, zone names, offsets
 * and both DST days of 2026 in Europe/Berlin and America/New_York from the
 * system tz database, the POSIX footer past the last transition (2100),
 * TZif images crafted in memory (v1, v2, v3 rules, errors) and RFC 3339.
 * Expected values are written out; instants are given as RFC 3339 text
 * parsed by tz_parse_time, which is itself checked against raw numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tz.h"
#include "util.h"

static int64_t T(const char *s)
{
	int64_t t = 0;

	if (tz_parse_time(NULL, s, &t) != 0)
		fail_msg("bad time in test: %s", s);
	return t;
}

static struct tz *load(const char *name)
{
	struct tz *z = NULL;
	char err[256];

	if (tz_load(name, &z, err, sizeof(err)) != 0)
		fail_msg("tz_load(%s): %s", name, err);
	return z;
}

/* ---- civil ---- */

static void test_civil(void **state)
{
	struct civil c;
	(void)state;

	assert_int_equal(days_from_civil(1970, 1, 1), 0);
	assert_int_equal(days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(days_from_civil(1969, 12, 31), -1);
	assert_int_equal(days_from_civil(1, 1, 1), -719162);
	assert_int_equal(days_from_civil(2026, 13, 1), days_from_civil(2027, 1, 1));
	assert_int_equal(days_in_month(2024, 2), 29);
	assert_int_equal(days_in_month(2026, 2), 28);
	assert_int_equal(days_in_month(2000, 2), 29);
	assert_int_equal(days_in_month(2100, 2), 28);
	assert_int_equal(days_in_month(2026, 4), 30);
	assert_int_equal(days_in_month(2026, 12), 31);

	civil_from_secs(1774746000, &c); /* 2026-03-29T01:00:00Z, a Sunday */
	assert_int_equal(c.year, 2026);
	assert_int_equal(c.month, 3);
	assert_int_equal(c.day, 29);
	assert_int_equal(c.hour, 1);
	assert_int_equal(c.min, 0);
	assert_int_equal(c.sec, 0);
	assert_int_equal(c.wday, 0);
	assert_int_equal(civil_to_secs(&c), 1774746000);

	civil_from_secs(-1, &c);
	assert_int_equal(c.year, 1969);
	assert_int_equal(c.month, 12);
	assert_int_equal(c.day, 31);
	assert_int_equal(c.hour, 23);
	assert_int_equal(c.min, 59);
	assert_int_equal(c.sec, 59);
	assert_int_equal(c.wday, 3);

	civil_from_secs(951782400, &c); /* 2000-02-29 */
	assert_int_equal(c.month, 2);
	assert_int_equal(c.day, 29);
	assert_int_equal(c.wday, 2);
}

/* ---- names ---- */

static void test_bad_names(void **state)
{
	static const char *const bad[] = {
		"", "/etc/passwd", "../etc/passwd", "Europe/../../etc/passwd",
		"Europe/Berlin/", "Europe//Berlin", "Europe/Ber lin", "zone.tab",
		"Europe/Berlin\n", "A;B",
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct tz *z = (struct tz *)1;
		char err[256] = "", want[300];
		assert_int_equal(tz_load(bad[i], &z, err, sizeof(err)), DAGD_EINVAL);
		assert_null(z);
		snprintf(want, sizeof(want), "invalid time zone name '%s'", bad[i]);
		assert_string_equal(err, want);
	}
}

static void test_unknown_names(void **state)
{
	static const char *const unknown[] = { "Mars/Olympus", "Europe", "Etc/Nowhere" };
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(unknown); i++) {
		struct tz *z = NULL;
		char err[256] = "", want[300];
		assert_int_equal(tz_load(unknown[i], &z, err, sizeof(err)), DAGD_ENOENT);
		assert_null(z);
		snprintf(want, sizeof(want), "unknown time zone '%s'", unknown[i]);
		assert_string_equal(err, want);
	}
	/* a typo of a zone or of a link (from the tz database's tzdata.zi) */
	{
		struct tz *z = NULL;
		char err[256] = "";
		assert_int_equal(tz_load("Europe/Berln", &z, err, sizeof(err)), DAGD_ENOENT);
		assert_string_equal(err, "unknown time zone 'Europe/Berln' (did you mean 'Europe/Berlin'?)");
		assert_int_equal(tz_load("US/Pacifc", &z, err, sizeof(err)), DAGD_ENOENT);
		assert_string_equal(err, "unknown time zone 'US/Pacifc' (did you mean 'US/Pacific'?)");
	}
}

static void test_utc(void **state)
{
	struct tz *z = load("UTC");
	char buf[32];
	(void)state;

	assert_string_equal(tz_name(z), "UTC");
	assert_int_equal(tz_offset(z, 1774746000), 0);
	assert_string_equal(tz_name(tz_utc()), "UTC");
	assert_int_equal(tz_offset(tz_utc(), -5000000000), 0);
	tz_format_rfc3339(tz_utc(), 0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:00+00:00");
	tz_format_rfc3339(NULL, 0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	tz_free(z);
	tz_free(NULL);
}

/* ---- offsets in real zones ---- */

struct off_case {
	const char *zone, *at;
	int32_t off;
};

static const struct off_case off_cases[] = {
	{ "Europe/Berlin", "2026-01-15T12:00:00Z", 3600 },
	{ "Europe/Berlin", "2026-03-29T00:59:59Z", 3600 },
	{ "Europe/Berlin", "2026-03-29T01:00:00Z", 7200 },
	{ "Europe/Berlin", "2026-10-25T00:59:59Z", 7200 },
	{ "Europe/Berlin", "2026-10-25T01:00:00Z", 3600 },
	{ "America/New_York", "2026-03-08T06:59:59Z", -18000 },
	{ "America/New_York", "2026-03-08T07:00:00Z", -14400 },
	{ "America/New_York", "2026-11-01T05:59:59Z", -14400 },
	{ "America/New_York", "2026-11-01T06:00:00Z", -18000 },
	/* past 2037, only the footer rule knows */
	{ "Europe/Berlin", "2100-03-28T00:59:59Z", 3600 },
	{ "Europe/Berlin", "2100-03-28T01:00:00Z", 7200 },
	{ "Europe/Berlin", "2100-10-31T00:59:59Z", 7200 },
	{ "Europe/Berlin", "2100-10-31T01:00:00Z", 3600 },
	{ "America/New_York", "2100-07-04T12:00:00Z", -14400 },
	{ "Asia/Kolkata", "2026-06-01T00:00:00Z", 19800 },
	{ "Asia/Tokyo", "2100-06-01T00:00:00Z", 32400 },
	{ "Australia/Sydney", "2026-01-01T00:00:00Z", 39600 },
	{ "Australia/Sydney", "2026-07-01T00:00:00Z", 36000 },
	{ "Europe/Berlin", "1890-01-01T00:00:00Z", 3208 }, /* LMT +00:53:28 */
};

static void test_offsets(void **state)
{
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(off_cases); i++) {
		struct tz *z = load(off_cases[i].zone);
		int32_t got = tz_offset(z, T(off_cases[i].at));
		if (got != off_cases[i].off)
			fail_msg("%s at %s: offset %d, want %d", off_cases[i].zone,
				 off_cases[i].at, got, off_cases[i].off);
		tz_free(z);
	}
}

static void test_changes(void **state)
{
	struct tz *z = load("Europe/Berlin");
	int64_t t = 0;
	(void)state;

	assert_int_equal(tz_next_change(z, T("2026-01-01T00:00:00Z"), &t), 1);
	assert_int_equal(t, T("2026-03-29T01:00:00Z"));
	assert_int_equal(tz_next_change(z, T("2026-03-29T01:00:00Z"), &t), 1);
	assert_int_equal(t, T("2026-10-25T01:00:00Z"));
	assert_int_equal(tz_prev_change(z, T("2026-03-29T01:00:00Z"), &t), 1);
	assert_int_equal(t, T("2026-03-29T01:00:00Z"));
	assert_int_equal(tz_prev_change(z, T("2026-03-29T00:59:59Z"), &t), 1);
	assert_int_equal(t, T("2025-10-26T01:00:00Z"));
	/* footer territory */
	assert_int_equal(tz_next_change(z, T("2100-01-01T00:00:00Z"), &t), 1);
	assert_int_equal(t, T("2100-03-28T01:00:00Z"));
	assert_int_equal(tz_prev_change(z, T("2100-12-01T00:00:00Z"), &t), 1);
	assert_int_equal(t, T("2100-10-31T01:00:00Z"));
	tz_free(z);

	z = load("Asia/Tokyo");
	assert_int_equal(tz_next_change(z, T("2026-01-01T00:00:00Z"), &t), 0);
	assert_int_equal(tz_prev_change(z, T("2026-01-01T00:00:00Z"), &t), 1);
	assert_int_equal(t, T("1951-09-08T15:00:00Z")); /* last JDT ended */
	tz_free(z);
}

/* ---- local to UTC: gaps and overlaps ---- */

struct l2u_case {
	const char *zone, *local; /* local wall time, written as if UTC */
	int n;
	const char *a, *b; /* the instants, or a = gap end when n == 0 */
};

static const struct l2u_case l2u_cases[] = {
	{ "Europe/Berlin", "2026-03-29T01:59:00Z", 1, "2026-03-29T00:59:00Z", NULL },
	{ "Europe/Berlin", "2026-03-29T02:00:00Z", 0, "2026-03-29T01:00:00Z", NULL },
	{ "Europe/Berlin", "2026-03-29T02:30:00Z", 0, "2026-03-29T01:00:00Z", NULL },
	{ "Europe/Berlin", "2026-03-29T03:00:00Z", 1, "2026-03-29T01:00:00Z", NULL },
	{ "Europe/Berlin", "2026-10-25T01:59:59Z", 1, "2026-10-24T23:59:59Z", NULL },
	{ "Europe/Berlin", "2026-10-25T02:00:00Z", 2, "2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z" },
	{ "Europe/Berlin", "2026-10-25T02:30:00Z", 2, "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z" },
	{ "Europe/Berlin", "2026-10-25T03:00:00Z", 1, "2026-10-25T02:00:00Z", NULL },
	{ "America/New_York", "2026-03-08T02:30:00Z", 0, "2026-03-08T07:00:00Z", NULL },
	{ "America/New_York", "2026-03-08T03:00:00Z", 1, "2026-03-08T07:00:00Z", NULL },
	{ "America/New_York", "2026-11-01T01:30:00Z", 2, "2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z" },
	{ "America/New_York", "2026-11-01T02:30:00Z", 1, "2026-11-01T07:30:00Z", NULL },
	{ "Europe/Berlin", "2100-03-28T02:15:00Z", 0, "2100-03-28T01:00:00Z", NULL },
	{ "Europe/Berlin", "2100-10-31T02:15:00Z", 2, "2100-10-31T00:15:00Z", "2100-10-31T01:15:00Z" },
	{ "Asia/Kolkata", "2026-06-01T05:30:00Z", 1, "2026-06-01T00:00:00Z", NULL },
};

static void test_local_to_utc(void **state)
{
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(l2u_cases); i++) {
		const struct l2u_case *c = &l2u_cases[i];
		struct tz *z = load(c->zone);
		int64_t out[2] = { -1, -1 }, gap = -1;
		int n = tz_local_to_utc(z, T(c->local), out, &gap);

		if (n != c->n)
			fail_msg("%s %s: %d instants, want %d", c->zone, c->local, n, c->n);
		if (n == 0)
			assert_int_equal(gap, T(c->a));
		if (n >= 1)
			assert_int_equal(out[0], T(c->a));
		if (n == 2)
			assert_int_equal(out[1], T(c->b));
		tz_free(z);
	}
}

/* ---- TZif images built in memory ---- */

struct img {
	unsigned char buf[4096];
	size_t len;
};

static void put(struct img *m, const void *p, size_t n)
{
	if (n == 0)
		return;
	assert_true(m->len + n <= sizeof(m->buf));
	memcpy(m->buf + m->len, p, n);
	m->len += n;
}

static void put32(struct img *m, uint32_t v)
{
	unsigned char b[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 8), (unsigned char)v };
	put(m, b, 4);
}

static void put64(struct img *m, int64_t v)
{
	put32(m, (uint32_t)((uint64_t)v >> 32));
	put32(m, (uint32_t)v);
}

struct zone_spec {
	char version; /* 0, '2', '3' */
	size_t ntrans;
	const int64_t *trans;
	const unsigned char *idx;
	size_t ntypes;
	const int32_t *utoff;
	const char *footer; /* without the newlines; NULL for v1 */
	uint32_t leapcnt;
};

static void header(struct img *m, char version, uint32_t timecnt, uint32_t typecnt,
		   uint32_t charcnt, uint32_t leapcnt)
{
	unsigned char zero[15] = { 0 };

	put(m, "TZif", 4);
	put(m, &version, 1);
	put(m, zero, 15);
	put32(m, 0); /* isutcnt */
	put32(m, 0); /* isstdcnt */
	put32(m, leapcnt);
	put32(m, timecnt);
	put32(m, typecnt);
	put32(m, charcnt);
}

static void block(struct img *m, const struct zone_spec *s, int timesize)
{
	for (size_t i = 0; i < s->ntrans; i++) {
		if (timesize == 8)
			put64(m, s->trans[i]);
		else
			put32(m, (uint32_t)s->trans[i]);
	}
	put(m, s->idx, s->ntrans);
	for (size_t i = 0; i < s->ntypes; i++) {
		unsigned char tail[2] = { 0, 0 };
		put32(m, (uint32_t)s->utoff[i]);
		put(m, tail, 2);
	}
	put(m, "XX", 2); /* designations: "X" NUL */
	for (uint32_t i = 0; i < s->leapcnt; i++) {
		if (timesize == 8)
			put64(m, 0);
		else
			put32(m, 0);
		put32(m, 1);
	}
}

static void build(struct img *m, const struct zone_spec *s)
{
	m->len = 0;
	if (s->version == 0) {
		header(m, 0, (uint32_t)s->ntrans, (uint32_t)s->ntypes, 2, s->leapcnt);
		block(m, s, 4);
		return;
	}
	/* a minimal v1 block, as zic -b slim writes it */
	header(m, s->version, 0, 1, 1, 0);
	put32(m, 0);
	put(m, "\0\0\0", 3);
	header(m, s->version, (uint32_t)s->ntrans, (uint32_t)s->ntypes, 2, s->leapcnt);
	block(m, s, 8);
	put(m, "\n", 1);
	put(m, s->footer, strlen(s->footer));
	put(m, "\n", 1);
}

static struct tz *parse_spec(const struct zone_spec *s)
{
	struct img m;
	struct tz *z = NULL;
	char err[256] = "";

	build(&m, s);
	if (tz_parse("Test/Zone", m.buf, m.len, &z, err, sizeof(err)) != 0)
		fail_msg("tz_parse: %s", err);
	assert_string_equal(tz_name(z), "Test/Zone");
	return z;
}

static const int32_t off_plus3[] = { 10800 };

/* Jn and zero-based n dates, a negative rule time, quoted names. */
static void test_footer_julian(void **state)
{
	struct zone_spec s = { '2', 0, NULL, NULL, 1, off_plus3,
			       "<+03>-3<+04>-4,J60/2,300/-1", 0 };
	struct tz *z = parse_spec(&s);
	int64_t t = 0;
	(void)state;

	assert_int_equal(tz_offset(z, T("2030-02-28T22:59:59Z")), 10800);
	assert_int_equal(tz_offset(z, T("2030-02-28T23:00:00Z")), 14400);
	assert_int_equal(tz_offset(z, T("2030-10-27T18:59:59Z")), 14400);
	assert_int_equal(tz_offset(z, T("2030-10-27T19:00:00Z")), 10800);
	/* leap year: J60 is still March 1, day 300 moves to October 27 */
	assert_int_equal(tz_next_change(z, T("2032-01-01T00:00:00Z"), &t), 1);
	assert_int_equal(t, T("2032-02-29T23:00:00Z"));
	assert_int_equal(tz_next_change(z, t, &t), 1);
	assert_int_equal(t, T("2032-10-26T19:00:00Z"));
	assert_int_equal(tz_prev_change(z, T("2032-10-26T18:59:59Z"), &t), 1);
	assert_int_equal(t, T("2032-02-29T23:00:00Z"));
	tz_free(z);
}

/* Version 3: rule times past 24h (Asia/Jerusalem) and below 0 (America/Nuuk). */
static void test_footer_v3(void **state)
{
	static const int32_t off2[] = { 7200 }, offm2[] = { -7200 };
	struct zone_spec jer = { '3', 0, NULL, NULL, 1, off2, "IST-2IDT,M3.4.4/26,M10.5.0", 0 };
	struct zone_spec nuuk = { '3', 0, NULL, NULL, 1, offm2,
				  "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", 0 };
	struct tz *z = parse_spec(&jer);
	int64_t out[2], gap = 0;
	(void)state;

	assert_int_equal(tz_offset(z, T("2030-03-28T23:59:59Z")), 7200);
	assert_int_equal(tz_offset(z, T("2030-03-29T00:00:00Z")), 10800);
	assert_int_equal(tz_offset(z, T("2030-10-26T22:59:59Z")), 10800);
	assert_int_equal(tz_offset(z, T("2030-10-26T23:00:00Z")), 7200);
	assert_int_equal(tz_local_to_utc(z, T("2030-03-29T02:30:00Z"), out, &gap), 0);
	assert_int_equal(gap, T("2030-03-29T00:00:00Z"));
	tz_free(z);

	z = parse_spec(&nuuk);
	assert_int_equal(tz_offset(z, T("2030-03-31T00:59:59Z")), -7200);
	assert_int_equal(tz_offset(z, T("2030-03-31T01:00:00Z")), -3600);
	assert_int_equal(tz_offset(z, T("2030-10-27T00:59:59Z")), -3600);
	assert_int_equal(tz_offset(z, T("2030-10-27T01:00:00Z")), -7200);
	/* 23:30 on Oct 26 local happens twice */
	assert_int_equal(tz_local_to_utc(z, T("2030-10-26T23:30:00Z"), out, &gap), 2);
	assert_int_equal(out[0], T("2030-10-27T00:30:00Z"));
	assert_int_equal(out[1], T("2030-10-27T01:30:00Z"));
	tz_free(z);
}

/* DST all year ("EST5EDT,0/0,J365/25") and a southern-hemisphere rule. */
static void test_footer_odd(void **state)
{
	static const int32_t offm5[] = { -18000 }, off10[] = { 36000 };
	struct zone_spec perm = { '3', 0, NULL, NULL, 1, offm5, "EST5EDT,0/0,J365/25", 0 };
	struct zone_spec syd = { '2', 0, NULL, NULL, 1, off10, "AEST-10AEDT,M10.1.0,M4.1.0/3", 0 };
	struct zone_spec dflt = { '2', 0, NULL, NULL, 1, offm5, "EST5EDT", 0 };
	struct tz *z = parse_spec(&perm);
	int64_t t;
	(void)state;

	assert_int_equal(tz_offset(z, T("2030-01-01T00:00:00Z")), -14400);
	assert_int_equal(tz_offset(z, T("2030-07-01T00:00:00Z")), -14400);
	assert_int_equal(tz_offset(z, T("2032-12-31T23:00:00Z")), -14400);
	assert_int_equal(tz_next_change(z, T("2030-01-01T00:00:00Z"), &t), 0);
	tz_free(z);

	z = parse_spec(&syd);
	assert_int_equal(tz_offset(z, T("2030-01-15T00:00:00Z")), 39600);
	assert_int_equal(tz_offset(z, T("2030-07-15T00:00:00Z")), 36000);
	/* first Sunday of April 2030 is the 7th: 03:00 AEDT = 16:00Z on the 6th */
	assert_int_equal(tz_next_change(z, T("2030-01-15T00:00:00Z"), &t), 1);
	assert_int_equal(t, T("2030-04-06T16:00:00Z"));
	tz_free(z);

	/* DST without rules: the US rules (second Sunday of March 02:00) */
	z = parse_spec(&dflt);
	assert_int_equal(tz_next_change(z, T("2030-01-01T00:00:00Z"), &t), 1);
	assert_int_equal(t, T("2030-03-10T07:00:00Z"));
	tz_free(z);
}

/* Explicit transitions, then a fixed footer; a version 1 file. */
static void test_transitions(void **state)
{
	static const int64_t tr[] = { -1000000000, 0, 1000000 };
	static const unsigned char idx[] = { 1, 0, 1 };
	static const int32_t offs[] = { 0, 3600 };
	struct zone_spec v2 = { '2', 3, tr, idx, 2, offs, "BBB-1", 0 };
	struct zone_spec v1 = { 0, 3, tr, idx, 2, offs, NULL, 0 };
	static const int64_t tr2[] = { -100, 0 };
	static const unsigned char idx2[] = { 1, 1 };
	struct zone_spec odd = { '2', 2, tr2, idx2, 2, offs, "CCC-2", 0 };
	struct tz *z = parse_spec(&v2);
	int64_t t, out[2], gap;
	(void)state;

	assert_int_equal(tz_offset(z, -2000000000), 0); /* type 0 before the first */
	assert_int_equal(tz_offset(z, -1000000000), 3600);
	assert_int_equal(tz_offset(z, -1), 3600);
	assert_int_equal(tz_offset(z, 0), 0);
	assert_int_equal(tz_offset(z, 999999), 0);
	assert_int_equal(tz_offset(z, 1000000), 3600);
	assert_int_equal(tz_offset(z, INT64_C(5000000000)), 3600);
	assert_int_equal(tz_next_change(z, -1000000000, &t), 1);
	assert_int_equal(t, 0);
	assert_int_equal(tz_next_change(z, 1000000, &t), 0);
	assert_int_equal(tz_prev_change(z, INT64_C(5000000000), &t), 1);
	assert_int_equal(t, 1000000);
	assert_int_equal(tz_prev_change(z, -1000000001, &t), 0);
	/* local 00:30 on day 0 happens twice: first +1, then +0 */
	assert_int_equal(tz_local_to_utc(z, 1800, out, &gap), 2);
	assert_int_equal(out[0], -1800);
	assert_int_equal(out[1], 1800);
	assert_int_equal(tz_local_to_utc(z, 1000000 + 1800, out, &gap), 0);
	assert_int_equal(gap, 1000000);
	tz_free(z);

	/*
	 * A footer that disagrees with the last transition's type rules from
	 * that transition on, so the change there is still reported.
	 */
	z = parse_spec(&odd);
	assert_int_equal(tz_offset(z, -1), 3600);
	assert_int_equal(tz_offset(z, 0), 7200);
	assert_int_equal(tz_next_change(z, -50, &t), 1);
	assert_int_equal(t, 0);
	assert_int_equal(tz_prev_change(z, 10, &t), 1);
	assert_int_equal(t, 0);
	tz_free(z);

	z = parse_spec(&v1);
	assert_int_equal(tz_offset(z, -1), 3600);
	assert_int_equal(tz_offset(z, 0), 0);
	assert_int_equal(tz_offset(z, INT64_C(5000000000)), 3600);
	tz_free(z);
}

static void expect_parse_error(const unsigned char *buf, size_t len, const char *want)
{
	struct tz *z = (struct tz *)1;
	char err[256] = "";

	assert_int_equal(tz_parse("Bad/Zone", buf, len, &z, err, sizeof(err)), DAGD_EINVAL);
	assert_null(z);
	assert_string_equal(err, want);
}

static void test_parse_errors(void **state)
{
	static const int64_t tr[] = { 100, 50 };
	static const unsigned char idx[] = { 0, 0 }, bad_idx[] = { 0, 5 };
	static const int32_t offs[] = { 0 }, huge[] = { 100000 };
	struct zone_spec ok = { '2', 0, NULL, NULL, 1, offs, "UTC0", 0 };
	struct zone_spec order = { '2', 2, tr, idx, 1, offs, "UTC0", 0 };
	struct zone_spec badi = { '2', 2, (const int64_t[]){ 1, 2 }, bad_idx, 1, offs, "UTC0", 0 };
	struct zone_spec big = { '2', 0, NULL, NULL, 1, huge, "", 0 };
	struct zone_spec leap = { '2', 0, NULL, NULL, 1, offs, "UTC0", 1 };
	struct zone_spec rule = { '2', 0, NULL, NULL, 1, offs, "UTC0DST,M13.1.0,M11.1.0", 0 };
	struct zone_spec name = { '2', 0, NULL, NULL, 1, offs, "U0", 0 };
	struct img m;
	unsigned char *large;
	(void)state;

	build(&m, &ok);
	expect_parse_error(m.buf, 10, "bad time zone file for 'Bad/Zone': not a TZif file");
	expect_parse_error(m.buf, m.len - 8, "bad time zone file for 'Bad/Zone': truncated");
	expect_parse_error(m.buf, m.len - 1, "bad time zone file for 'Bad/Zone': bad footer");
	m.buf[0] = 'X';
	expect_parse_error(m.buf, m.len, "bad time zone file for 'Bad/Zone': not a TZif file");
	build(&m, &order);
	expect_parse_error(m.buf, m.len, "bad time zone file for 'Bad/Zone': transitions out of order");
	build(&m, &badi);
	expect_parse_error(m.buf, m.len, "bad time zone file for 'Bad/Zone': bad transition type");
	build(&m, &big);
	expect_parse_error(m.buf, m.len, "bad time zone file for 'Bad/Zone': bad local time type");
	build(&m, &leap);
	expect_parse_error(m.buf, m.len,
			   "bad time zone file for 'Bad/Zone': leap-second zones are not supported");
	build(&m, &rule);
	expect_parse_error(m.buf, m.len, "bad time zone file for 'Bad/Zone': bad TZ rule in footer");
	build(&m, &name);
	expect_parse_error(m.buf, m.len, "bad time zone file for 'Bad/Zone': bad TZ rule in footer");

	large = xcalloc(1, 1024 * 1024 + 1);
	memcpy(large, m.buf, m.len);
	expect_parse_error(large, 1024 * 1024 + 1,
			   "bad time zone file for 'Bad/Zone': larger than 1 MiB");
	free(large);
}

/* tz_load reads $TZDIR; a file over 1 MiB is refused. */
static void test_tzdir(void **state)
{
	static const int32_t off[] = { 19800 };
	struct zone_spec s = { '2', 0, NULL, NULL, 1, off, "<+0530>-5:30", 0 };
	char dir[] = "/tmp/test_tz.XXXXXX", path[128], err[256] = "";
	struct img m;
	struct tz *z = NULL;
	FILE *f;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/Test", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/Test/Zone", dir);
	build(&m, &s);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(m.buf, 1, m.len, f), m.len);
	assert_int_equal(fclose(f), 0);
	snprintf(path, sizeof(path), "%s/Big", dir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 2 * 1024 * 1024, SEEK_SET), 0);
	assert_int_equal(fputc('x', f), 'x');
	assert_int_equal(fclose(f), 0);

	assert_int_equal(setenv("TZDIR", dir, 1), 0);
	assert_int_equal(tz_load("Test/Zone", &z, err, sizeof(err)), 0);
	assert_string_equal(tz_name(z), "Test/Zone");
	assert_int_equal(tz_offset(z, 0), 19800);
	tz_free(z);
	assert_int_equal(tz_load("Big", &z, err, sizeof(err)), DAGD_EINVAL);
	assert_string_equal(err, "bad time zone file for 'Big': larger than 1 MiB");
	assert_int_equal(tz_load("Europe/Berlin", &z, err, sizeof(err)), DAGD_ENOENT);
	assert_int_equal(unsetenv("TZDIR"), 0);

	unlink(path);
	snprintf(path, sizeof(path), "%s/Test/Zone", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/Test", dir);
	rmdir(path);
	rmdir(dir);
}

/* ---- RFC 3339 ---- */

static void test_format(void **state)
{
	struct tz *ber = load("Europe/Berlin"), *ny = load("America/New_York");
	struct tz *kol = load("Asia/Kolkata");
	char buf[26];
	(void)state;

	tz_format_rfc3339(NULL, 1768014000, buf, sizeof(buf));
	assert_string_equal(buf, "2026-01-10T03:00:00Z");
	tz_format_rfc3339(ber, 1768014000, buf, sizeof(buf));
	assert_string_equal(buf, "2026-01-10T04:00:00+01:00");
	tz_format_rfc3339(ber, T("2026-10-25T00:30:00Z"), buf, sizeof(buf));
	assert_string_equal(buf, "2026-10-25T02:30:00+02:00");
	tz_format_rfc3339(ber, T("2026-10-25T01:30:00Z"), buf, sizeof(buf));
	assert_string_equal(buf, "2026-10-25T02:30:00+01:00");
	tz_format_rfc3339(ny, T("2026-07-04T16:00:00Z"), buf, sizeof(buf));
	assert_string_equal(buf, "2026-07-04T12:00:00-04:00");
	tz_format_rfc3339(kol, -1, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T05:29:59+05:30");
	/* LMT +00:53:28 has seconds RFC 3339 cannot say: falls back to UTC */
	tz_format_rfc3339(ber, T("1890-01-01T00:00:00Z"), buf, sizeof(buf));
	assert_string_equal(buf, "1890-01-01T00:00:00Z");
	tz_free(ber);
	tz_free(ny);
	tz_free(kol);
}

struct parse_case {
	const char *zone; /* NULL: UTC */
	const char *text;
	int64_t want;
};

static const struct parse_case parse_ok[] = {
	{ NULL, "1970-01-01", 0 },
	{ NULL, "2026-01-10T03:00:00Z", 1768014000 },
	{ NULL, "2026-01-10t03:00:00z", 1768014000 },
	{ NULL, "2026-01-10 03:00:00Z", 1768014000 },
	{ NULL, "2026-01-10T03:00Z", 1768014000 },
	{ NULL, "2026-01-10T03:00:00.999Z", 1768014000 },
	{ NULL, "2026-01-10T08:30:00+05:30", 1768014000 },
	{ NULL, "2026-01-09T22:00:00-05:00", 1768014000 },
	{ "Europe/Berlin", "2026-01-10T03:00:00Z", 1768014000 },
	{ "Europe/Berlin", "2026-01-10T04:00", 1768014000 },
	{ "Europe/Berlin", "2026-01-10", 1767999600 },     /* 00:00 CET */
	{ "Europe/Berlin", "2026-03-29T02:30", 1774746000 }, /* gap: 03:00 CEST */
	{ "Europe/Berlin", "2026-10-25T02:30", 1792888200 }, /* first: 00:30Z */
	{ "America/New_York", "2026-11-01T01:30:00", 1793511000 }, /* 05:30Z */
	{ NULL, "2024-02-29T23:59:59Z", 1709251199 },
	{ NULL, "0001-01-01T00:00:00Z", INT64_C(-62135596800) },
	{ NULL, "9999-12-31T23:59:59Z", INT64_C(253402300799) },
};

static const char *const parse_bad[] = {
	"", "2026", "2026-1-10", "26-01-10", "2026-13-01", "2026-00-10", "2026-02-29",
	"2026-04-31", "2026-01-10T", "2026-01-10T3:00", "2026-01-10T24:00",
	"2026-01-10T03:60", "2026-01-10T03:00:60Z", "2026-01-10T03:00:00+5:30",
	"2026-01-10T03:00:00+0530", "2026-01-10T03:00:00+24:00", "2026-01-10T03:00:00Zx",
	"2026-01-10T03:00:00.Z", "2026-01-10x", " 2026-01-10", "2026-01-10T03:00.5Z",
};

static void test_parse_time(void **state)
{
	(void)state;

	for (size_t i = 0; i < ARRAY_LEN(parse_ok); i++) {
		struct tz *z = parse_ok[i].zone ? load(parse_ok[i].zone) : NULL;
		int64_t t = 0;
		if (tz_parse_time(z, parse_ok[i].text, &t) != 0)
			fail_msg("tz_parse_time(%s) failed", parse_ok[i].text);
		if (t != parse_ok[i].want)
			fail_msg("tz_parse_time(%s) = %lld, want %lld", parse_ok[i].text,
				 (long long)t, (long long)parse_ok[i].want);
		tz_free(z);
	}
	for (size_t i = 0; i < ARRAY_LEN(parse_bad); i++) {
		int64_t t = 42;
		if (tz_parse_time(NULL, parse_bad[i], &t) != DAGD_EINVAL)
			fail_msg("tz_parse_time(%s) accepted", parse_bad[i]);
		assert_int_equal(t, 42);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_civil),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_unknown_names),
		cmocka_unit_test(test_utc),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_changes),
		cmocka_unit_test(test_local_to_utc),
		cmocka_unit_test(test_footer_julian),
		cmocka_unit_test(test_footer_v3),
		cmocka_unit_test(test_footer_odd),
		cmocka_unit_test(test_transitions),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_tzdir),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_parse_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
