/*
 * test_template.c - table tests of daemon/template.c: text passthrough,
 * names and literals, each filter and their chains (dates in UTC and in
 * Europe/Berlin), SQL and shell quoting, every syntax and render error with
 * its exact offset and message, the output cap, and what template_scan()
 * reports to its visitor. Values come from a fixed lookup table below.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "template.h"
#include "tz.h"

static const struct {
	const char *name;
	enum tv_type type;
	const char *s;
} values[] = {
	{"ds", TV_STR, "2026-01-10"},
	{"ds_nodash", TV_STR, "20260110"},
	{"ts", TV_STR, "2026-01-10T00:00:00Z"},
	{"logical_date", TV_STR, "2026-01-10T03:00:00+01:00"},
	{"params.top_n", TV_NUM, "5"},
	{"params.neg", TV_NUM, "-3"},
	{"params.pi", TV_NUM, "3.25e-1"},
	{"params.badnum", TV_NUM, "1; drop table x"},
	{"params.flag", TV_BOOL, "true"},
	{"params.off", TV_BOOL, "false"},
	{"params.none", TV_NULL, "null"},
	{"params.obj", TV_JSON, "{\"a\": [1, 2], \"b\": \"it's\"}"},
	{"params.q", TV_STR, "it's"},
	{"params.bs", TV_STR, "a\\b'c"},
	{"params.evil", TV_STR, "; touch /tmp/pwned"},
	{"params.spaced", TV_STR, "a b"},
	{"outputs.find_new.n_new", TV_NUM, "42"},
	{"outputs.load-events.rows", TV_NUM, "7"},
	{"conn.warehouse.host", TV_STR, "db.internal"},
	{"conn.warehouse", TV_STR, "postgres://u@db.internal/w"},
};

static int lookup_calls;

static int lookup_cb(void *ctx, const char *name, struct tv *out)
{
	(void)ctx;
	lookup_calls++;
	if (strcmp(name, "broken") == 0)
		return DAGD_EIO;
	for (size_t i = 0; i < ARRAY_LEN(values); i++) {
		if (strcmp(values[i].name, name) == 0) {
			out->type = values[i].type;
			out->s = values[i].s;
			return 0;
		}
	}
	return DAGD_ENOENT;
}

static struct tz *berlin;

static int setup(void **state)
{
	char msg[256];

	(void)state;
	return tz_load("Europe/Berlin", &berlin, msg, sizeof(msg)) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	tz_free(berlin);
	return 0;
}

/* Render src (a C string) with no cap; rc in *rc, the text (new) returned. */
static char *render(const char *src, const struct tz *z, int *rc, struct tpl_error *err)
{
	struct sbuf out;

	sbuf_init(&out, 0);
	*rc = template_render(src, strlen(src), lookup_cb, NULL, z, &out, err);
	return sbuf_take(&out);
}

struct ok_case {
	const char *src;
	const char *want;
};

static void check_ok(const struct ok_case *cases, size_t n, const struct tz *z)
{
	for (size_t i = 0; i < n; i++) {
		struct tpl_error err = {0, ""};
		int rc;
		char *got = render(cases[i].src, z, &rc, &err);

		if (rc != 0 || strcmp(got, cases[i].want) != 0)
			print_error("case %zu: %s\n  rc %d (%s at %zu)\n  got  [%s]\n  want [%s]\n",
				    i, cases[i].src, rc, err.msg, err.off, got, cases[i].want);
		assert_int_equal(rc, 0);
		assert_string_equal(got, cases[i].want);
		assert_int_equal(template_scan(cases[i].src, strlen(cases[i].src), NULL, NULL,
					       &err),
				 0);
		free(got);
	}
}

static void test_text(void **state)
{
	static const struct ok_case cases[] = {
		{"", ""},
		{"plain text", "plain text"},
		{"a { b } c", "a { b } c"},
		{"closing }} alone }}", "closing }} alone }}"},
		{"{ {ds} }", "{ {ds} }"},
		{"line1\nline2\n", "line1\nline2\n"},
		{"caf\xc3\xa9 $HOME 'q' \"dq\"", "caf\xc3\xa9 $HOME 'q' \"dq\""},
	};

	(void)state;
	check_ok(cases, ARRAY_LEN(cases), NULL);
}

static void test_names(void **state)
{
	static const struct ok_case cases[] = {
		{"{{ds}}", "2026-01-10"},
		{"{{ ds }}", "2026-01-10"},
		{"{{   ds}}", "2026-01-10"},
		{"{{\tds\n}}", "2026-01-10"},
		{"{{\r\n ds \r\n}}", "2026-01-10"},
		{"x{{ds}}y{{ ds_nodash }}z", "x2026-01-10y20260110z"},
		{"data/events_{{ ds_nodash }}.csv", "data/events_20260110.csv"},
		{"{{ params.top_n }}", "5"},
		{"{{ params.flag }}/{{ params.off }}", "true/false"},
		{"[{{ params.none }}]", "[]"},
		{"{{ params.obj }}", "{\"a\": [1, 2], \"b\": \"it's\"}"},
		{"{{ outputs.find_new.n_new }} new rows", "42 new rows"},
		{"{{ outputs.load-events.rows }}", "7"},
		{"{{ conn.warehouse.host }}", "db.internal"},
		{"{{ conn.warehouse }}", "postgres://u@db.internal/w"},
		{"{{ ds }}}", "2026-01-10}"},
	};

	(void)state;
	check_ok(cases, ARRAY_LEN(cases), NULL);
}

static void test_literals(void **state)
{
	static const struct ok_case cases[] = {
		{"{{ '{{' }}", "{{"},
		{"{{'{{'}} ds }}", "{{ ds }}"},
		{"{{ \"x\" }}", "x"},
		{"{{ '}}' }}", "}}"},
		{"{{ \"it's\" }}", "it's"},
		{"{{ 'say \"hi\"' }}", "say \"hi\""},
		{"[{{ '' }}]", "[]"},
		{"{{ ' | sql ' }}", " | sql "},
	};

	(void)state;
	check_ok(cases, ARRAY_LEN(cases), NULL);
}

static void test_add_days(void **state)
{
	static const struct ok_case cases[] = {
		{"{{ ds | add_days(1) }}", "2026-01-11"},
		{"{{ ds|add_days(-4) }}", "2026-01-06"},
		{"{{ ds | add_days( +3 ) }}", "2026-01-13"},
		{"{{ ds | add_days ( 0 ) }}", "2026-01-10"},
		{"{{ ds | add_days(-0) }}", "2026-01-10"},
		/* month and year ends */
		{"{{ '2026-01-31' | add_days(1) }}", "2026-02-01"},
		{"{{ '2026-03-01' | add_days(-1) }}", "2026-02-28"},
		{"{{ '2026-04-30' | add_days(1) }}", "2026-05-01"},
		{"{{ '2025-12-31' | add_days(1) }}", "2026-01-01"},
		{"{{ '2026-01-01' | add_days(-1) }}", "2025-12-31"},
		{"{{ '2026-01-10' | add_days(365) }}", "2027-01-10"},
		/* leap days */
		{"{{ '2024-02-28' | add_days(1) }}", "2024-02-29"},
		{"{{ '2024-02-29' | add_days(1) }}", "2024-03-01"},
		{"{{ '2024-03-01' | add_days(-1) }}", "2024-02-29"},
		{"{{ '2023-02-28' | add_days(1) }}", "2023-03-01"},
		{"{{ '2024-02-29' | add_days(365) }}", "2025-02-28"},
		{"{{ '2000-02-28' | add_days(1) }}", "2000-02-29"},
		{"{{ '1900-02-28' | add_days(1) }}", "1900-03-01"},
		/* the edges of years 0000-9999 */
		{"{{ '9999-12-30' | add_days(1) }}", "9999-12-31"},
		{"{{ '0000-01-02' | add_days(-1) }}", "0000-01-01"},
		/* timestamps: + N * 86400 s; Z stays Z */
		{"{{ ts | add_days(1) }}", "2026-01-11T00:00:00Z"},
		{"{{ '2025-12-31T23:59:59Z' | add_days(1) }}", "2026-01-01T23:59:59Z"},
		{"{{ '2026-02-28T12:30:00.250Z' | add_days(1) }}", "2026-03-01T12:30:00.250Z"},
		/* an offset is re-rendered in the zone, here UTC */
		{"{{ logical_date | add_days(1) }}", "2026-01-11T02:00:00+00:00"},
		{"{{ '2026-01-10T03:00:00-05:30' | add_days(-1) }}", "2026-01-09T08:30:00+00:00"},
	};

	(void)state;
	check_ok(cases, ARRAY_LEN(cases), NULL);
}

static void test_add_days_berlin(void **state)
{
	static const struct ok_case cases[] = {
		/* dates are civil, zones do not matter */
		{"{{ '2026-03-28' | add_days(1) }}", "2026-03-29"},
		{"{{ ts | add_days(1) }}", "2026-01-11T00:00:00Z"},
		{"{{ logical_date | add_days(1) }}", "2026-01-11T03:00:00+01:00"},
		{"{{ '2026-01-10T00:00:00Z' | add_days(180) }}", "2026-07-09T00:00:00Z"},
		/* the same instant + 86400 s, across the DST changes */
		{"{{ '2026-03-28T00:00:00+01:00' | add_days(1) }}", "2026-03-29T00:00:00+01:00"},
		{"{{ '2026-03-29T00:00:00+01:00' | add_days(1) }}", "2026-03-30T01:00:00+02:00"},
		{"{{ '2026-10-24T12:00:00+02:00' | add_days(1) }}", "2026-10-25T11:00:00+01:00"},
		{"{{ '2026-06-01T12:00:00+00:00' | add_days(0) }}", "2026-06-01T14:00:00+02:00"},
	};

	(void)state;
	check_ok(cases, ARRAY_LEN(cases), berlin);
}

static void test_strftime(void **state)
{
	static const struct ok_case cases[] = {
		{"{{ ds | strftime('%Y%m%d') }}", "20260110"},
		{"{{ ds | strftime(\"%Y-%m-%d\") }}", "2026-01-10"},
		{"{{ ts | strftime('%Y%m%d%H') }}", "2026011000"},
		{"{{ ds | strftime('%a %A %b %B %h') }}", "Sat Saturday Jan January Jan"},
		{"{{ ds | strftime('%C %y %d %e %j %m') }}", "20 26 10 10 010 01"},
		{"{{ ds | strftime('%D|%F|%R|%T') }}", "01/10/26|2026-01-10|00:00|00:00:00"},
		{"{{ ds | strftime('%u %w %U %W %V %G %g') }}", "6 6 01 01 02 2026 26"},
		{"{{ ds | strftime('%s %z %Z %%') }}", "1768003200 +0000 UTC %"},
		{"{{ ds | strftime('a%nb%tc') }}", "a\nb\tc"},
		{"{{ ds | strftime('') }}", ""},
		{"{{ ds | strftime('no conversions') }}", "no conversions"},
		{"{{ '2026-01-10T15:04:05Z' | strftime('%H %I %k %l %M %S %p %P') }}",
		 "15 03 15  3 04 05 PM pm"},
		{"{{ '2026-01-10T00:30:00Z' | strftime('%I %l %p') }}", "12 12 AM"},
		{"{{ '2026-01-10T12:00:00.999Z' | strftime('%T') }}", "12:00:00"},
		/* the zone of the value is not kept: UTC here */
		{"{{ logical_date | strftime('%H:%M %z') }}", "02:00 +0000"},
		/* ISO 8601 and other week numbers at year ends */
		{"{{ '2021-01-03' | strftime('%G-W%V-%u %U %W') }}", "2020-W53-7 01 00"},
		{"{{ '2024-12-30' | strftime('%G-W%V-%u %g %j') }}", "2025-W01-1 25 365"},
		{"{{ '2027-01-01' | strftime('%G-W%V %U %W') }}", "2026-W53 00 00"},
		{"{{ '2026-12-31' | strftime('%G-W%V %U %W %j') }}", "2026-W53 52 52 365"},
		{"{{ '2024-12-31' | strftime('%j') }}", "366"},
		{"{{ '0000-01-01' | strftime('%Y %C %y %a') }}", "0000 00 00 Sat"},
	};

	(void)state;
	check_ok(cases, ARRAY_LEN(cases), NULL);
}

static void test_strftime_berlin(void **state)
{
	static const struct ok_case cases[] = {
		/* a plain date is 00:00 in the zone */
		{"{{ ds | strftime('%Y-%m-%d %H:%M %z %Z') }}", "2026-01-10 00:00 +0100 +01"},
		{"{{ ds | strftime('%s') }}", "1767999600"},
		{"{{ '2026-07-01' | strftime('%H:%M%z %s') }}", "00:00+0200 1782856800"},
		{"{{ '2026-03-29' | strftime('%H:%M %z') }}", "00:00 +0100"},
		/* an instant is shown on the zone's wall clock */
		{"{{ ts | strftime('%Y-%m-%d %H:%M %z') }}", "2026-01-10 01:00 +0100"},
		{"{{ '2026-07-01T12:00:00Z' | strftime('%H:%M%z %Z') }}", "14:00+0200 +02"},
		{"{{ '2026-03-29T00:59:59Z' | strftime('%T%z') }}", "01:59:59+0100"},
		{"{{ '2026-03-29T01:00:00Z' | strftime('%T%z') }}", "03:00:00+0200"},
		{"{{ '2026-10-25T00:30:00Z' | strftime('%T%z') }}", "02:30:00+0200"},
		{"{{ '2026-10-25T01:30:00Z' | strftime('%T%z') }}", "02:30:00+0100"},
		{"{{ '2026-12-31T23:30:00Z' | strftime('%F %G-W%V') }}", "2027-01-01 2026-W53"},
		{"{{ logical_date | add_days(1) | strftime('%d.%m.%Y %H') }}", "11.01.2026 03"},
	};

	(void)state;
	check_ok(cases, ARRAY_LEN(cases), berlin);
}

static void test_sql(void **state)
{
	static const struct ok_case cases[] = {
		{"{{ params.q | sql }}", "'it''s'"},
		{"where ds = {{ ds | sql }}", "where ds = '2026-01-10'"},
		{"{{ params.top_n | sql }}", "5"},
		{"{{ params.pi | sql }}", "3.25e-1"},
		{"1-{{ params.neg | sql }}", "1-(-3)"},
		{"{{ params.badnum | sql }}", "'1; drop table x'"},
		{"{{ params.flag | sql }} {{ params.off | sql }}", "true false"},
		{"{{ params.none | sql }}", "NULL"},
		{"{{ params.obj | sql }}", "'{\"a\": [1, 2], \"b\": \"it''s\"}'"},
		{"{{ params.bs | sql }}", "E'a\\\\b''c'"},
		{"{{ '' | sql }}", "''"},
		{"{{ outputs.find_new.n_new | sql }}", "42"},
		/* a literal is a string, even when it looks like a number */
		{"{{ '5' | sql }}", "'5'"},
	};

	(void)state;
	check_ok(cases, ARRAY_LEN(cases), NULL);
}

static void test_sh(void **state)
{
	static const struct ok_case cases[] = {
		{"echo {{ params.evil | sh }}", "echo '; touch /tmp/pwned'"},
		{"{{ params.q | sh }}", "'it'\\''s'"},
		{"{{ params.spaced | sh }}", "'a b'"},
		{"{{ '' | sh }}", "''"},
		{"{{ params.none | sh }}", "''"},
		{"{{ \"'\" | sh }}", "''\\'''"},
		{"{{ ds | sh }}", "2026-01-10"},
		{"{{ params.top_n | sh }}", "5"},
		{"{{ conn.warehouse | sh }}", "postgres://u@db.internal/w"},
		{"{{ 'a-b_c.d/e:f,g+h@i%j' | sh }}", "a-b_c.d/e:f,g+h@i%j"},
		{"{{ 'A=b' | sh }}", "'A=b'"},
		{"{{ 'if' | sh }} {{ 'iff' | sh }}", "'if' iff"},
		{"{{ '$(id)' | sh }} {{ '`id`' | sh }}", "'$(id)' '`id`'"},
		{"{{ '*' | sh }} {{ '~' | sh }} {{ 'a\\b' | sh }}", "'*' '~' 'a\\b'"},
		{"{{ params.obj | sh }}", "'{\"a\": [1, 2], \"b\": \"it'\\''s\"}'"},
	};

	(void)state;
	check_ok(cases, ARRAY_LEN(cases), NULL);
}

static void test_chains(void **state)
{
	static const struct ok_case cases[] = {
		{"{{ ds | add_days(-4) | sql }}", "'2026-01-06'"},
		{"{{ ds | add_days(1) | strftime('%d.%m.%Y') | sh }}", "11.01.2026"},
		{"{{ ds | strftime('%d %b') | sh }}", "'10 Jan'"},
		{"{{ params.q | sql | sh }}", "''\\''it'\\'''\\''s'\\'''"},
		{"{{ params.none | sh | sql }}", "''''''"},
		{"{{ ds | add_days(1) | add_days(1) | add_days(1) | add_days(1) | add_days(1) "
		 "| add_days(1) | add_days(1) | add_days(1) }}",
		 "2026-01-18"},
		{"{{ ts | add_days(-1) | strftime('%Y%m%d') | sql }}", "'20260109'"},
	};

	(void)state;
	check_ok(cases, ARRAY_LEN(cases), NULL);
}

struct err_case {
	const char *src;
	size_t len; /* 0: strlen(src) */
	size_t off;
	const char *msg;
};

/* Syntax errors: scan and render report the same. */
static void test_syntax_errors(void **state)
{
	static const struct err_case cases[] = {
		{"{{ ds", 0, 0, "unclosed '{{'"},
		{"{{", 0, 0, "unclosed '{{'"},
		{"abc {{ ds }} {{ x", 0, 13, "unclosed '{{'"},
		{"{{ ds }", 0, 0, "unclosed '{{'"},
		{"{{ '}}' ", 0, 0, "unclosed '{{'"},
		{"{{ }}", 0, 0, "empty expression"},
		{"x{{}}", 0, 1, "empty expression"},
		{"{{ 'abc }}", 0, 3, "unterminated quoted string"},
		{"{{ \"ab\ncd\" }}", 0, 3, "unterminated quoted string"},
		{"{{ 'a\0b' }}", 11, 5, "NUL byte in quoted string"},
		{"{{ ds | upcase }}", 0, 8,
		 "unknown filter 'upcase' (filters: add_days, strftime, sql, sh)"},
		{"{{ ds | sqll }}", 0, 8, "unknown filter 'sqll' (did you mean 'sql'?)"},
		{"{{ ds | add_day(1) }}", 0, 8, "unknown filter 'add_day' (did you mean 'add_days'?)"},
		{"{{ ds | strftme('%Y') }}", 0, 8,
		 "unknown filter 'strftme' (did you mean 'strftime'?)"},
		{"{{ ds | up-case }}", 0, 8,
		 "unknown filter 'up-case' (filters: add_days, strftime, sql, sh)"},
		{"{{ ds | add_days }}", 0, 8, "add_days needs an integer argument"},
		{"{{ ds | add_days | sql }}", 0, 8, "add_days needs an integer argument"},
		{"{{ ds | add_days(x) }}", 0, 17, "add_days needs an integer argument"},
		{"{{ ds | add_days() }}", 0, 17, "add_days needs an integer argument"},
		{"{{ ds | add_days( ) }}", 0, 18, "add_days needs an integer argument"},
		{"{{ ds | add_days(1.5) }}", 0, 17, "add_days needs an integer argument"},
		{"{{ ds | add_days(- 1) }}", 0, 17, "add_days needs an integer argument"},
		{"{{ ds | add_days(1 }}", 0, 17, "add_days needs an integer argument"},
		{"{{ ds | add_days(1, 2) }}", 0, 17, "add_days needs an integer argument"},
		{"{{ ds | add_days(99999999999999999999999) }}", 0, 17,
		 "add_days: '99999999999999999999999' is out of range (at most 3660000 days)"},
		{"{{ ds | add_days(-3660001) }}", 0, 17,
		 "add_days: '-3660001' is out of range (at most 3660000 days)"},
		{"{{ ds | strftime }}", 0, 8, "strftime needs a quoted format argument"},
		{"{{ ds | strftime(%Y) }}", 0, 17, "strftime needs a quoted format argument"},
		{"{{ ds | strftime('%Y' }}", 0, 17, "strftime needs a quoted format argument"},
		{"{{ ds | strftime('%Y) }}", 0, 17, "unterminated quoted string"},
		{"{{ ds | strftime('%Q') }}", 0, 18, "strftime: unsupported conversion '%Q'"},
		{"{{ ds | strftime('%Y%-m') }}", 0, 20, "strftime: unsupported conversion '%-'"},
		{"{{ ds | strftime('abc%') }}", 0, 21, "strftime: format ends with '%'"},
		{"{{ ds | sql(1) }}", 0, 11, "sql takes no argument"},
		{"{{ ds | sh () }}", 0, 11, "sh takes no argument"},
		{"{{ ds | }}", 0, 8, "missing filter name after '|'"},
		{"{{ ds || sql }}", 0, 7, "missing filter name after '|'"},
		{"{{ | sql }}", 0, 3, "missing name before '|'"},
		{"{{ fo$o }}", 0, 5, "bad character '$' in name 'fo$o'"},
		{"{{ my-param }}", 0, 5, "bad character '-' in name 'my-param'"},
		{"{{ a}b }}", 0, 4, "bad character '}' in name 'a}b'"},
		{"{{ a\x01z }}", 0, 4, "bad character '\\x01' in name 'a\\x01z'"},
		{"{{ outputs.t.n$ }}", 0, 14, "bad character '$' in name 'outputs.t.n$'"},
		{"{{ 9lives }}", 0, 3, "bad name '9lives' (names start with a letter or '_')"},
		{"{{ .x }}", 0, 3, "bad name '.x' (names start with a letter or '_')"},
		{"{{ {ds} }}", 0, 3, "bad name '{ds}' (names start with a letter or '_')"},
		{"{{ a..b }}", 0, 5, "empty segment in name 'a..b'"},
		{"{{ params. }}", 0, 10, "empty segment in name 'params.'"},
		{"{{ ds ds }}", 0, 6, "unexpected 'ds' (expected '|' or '}}')"},
		{"{{ 'x'y }}", 0, 6, "unexpected 'y' (expected '|' or '}}')"},
		{"{{ ds }x }}", 0, 6, "unexpected '}x' (expected '|' or '}}')"},
		{"{{ ds | sql! }}", 0, 8, "unknown filter 'sql!' (did you mean 'sql'?)"},
		{"{{ ds | add_days(1)x }}", 0, 19, "unexpected 'x' (expected '|' or '}}')"},
		{"{{ ds | sql | sql | sql | sql | sql | sql | sql | sql | sql }}", 0, 54,
		 "too many filters (at most 8)"},
		{"{{ abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij$ }}", 0, 53,
		 "bad character '$' in name 'abcdefghijabcdefghijabcdefghijabcdefghijabcdefgh...'"},
		/* syntax errors win over render errors that come first */
		{"{{ nope }} {{", 0, 11, "unclosed '{{'"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const struct err_case *c = &cases[i];
		size_t len = c->len ? c->len : strlen(c->src);
		struct tpl_error err = {99, "x"};
		struct sbuf out;
		int rc;

		rc = template_scan(c->src, len, NULL, NULL, &err);
		if (rc != DAGD_EINVAL || err.off != c->off || strcmp(err.msg, c->msg) != 0)
			print_error("case %zu: %s\n  rc %d at %zu: %s\n  want at %zu: %s\n", i,
				    c->src, rc, err.off, err.msg, c->off, c->msg);
		assert_int_equal(rc, DAGD_EINVAL);
		assert_int_equal(err.off, c->off);
		assert_string_equal(err.msg, c->msg);

		memset(&err, 0, sizeof(err));
		sbuf_init(&out, 0);
		lookup_calls = 0;
		rc = template_render(c->src, len, lookup_cb, NULL, NULL, &out, &err);
		assert_int_equal(rc, DAGD_EINVAL);
		assert_int_equal(err.off, c->off);
		assert_string_equal(err.msg, c->msg);
		assert_int_equal(out.len, 0);
		assert_int_equal(lookup_calls, 0);
		sbuf_release(&out);
	}
}

struct render_err_case {
	const char *src;
	int rc;
	size_t off;
	const char *msg;
};

/* Errors only rendering finds: names and values; scan accepts these. */
static void test_render_errors(void **state)
{
	static const struct render_err_case cases[] = {
		{"{{ foo }}", DAGD_EINVAL, 3, "unknown name 'foo'"},
		{"x {{  params.nope | sql }}", DAGD_EINVAL, 6, "unknown name 'params.nope'"},
		{"{{ ds }} {{ outputs.find_new.n_old }}", DAGD_EINVAL, 12,
		 "unknown name 'outputs.find_new.n_old'"},
		{"{{ broken }}", DAGD_EIO, 3, "cannot resolve 'broken': input/output error"},
		{"{{ params.q | add_days(1) }}", DAGD_EINVAL, 14,
		 "add_days: 'it's' is not a date or timestamp"},
		{"{{ params.none | add_days(1) }}", DAGD_EINVAL, 17,
		 "add_days: '' is not a date or timestamp"},
		{"{{ ds_nodash | add_days(1) }}", DAGD_EINVAL, 15,
		 "add_days: '20260110' is not a date or timestamp"},
		{"{{ '2026-02-29' | add_days(1) }}", DAGD_EINVAL, 18,
		 "add_days: '2026-02-29' is not a date or timestamp"},
		{"{{ '2026-13-01' | add_days(1) }}", DAGD_EINVAL, 18,
		 "add_days: '2026-13-01' is not a date or timestamp"},
		{"{{ '2026-01-10 ' | add_days(1) }}", DAGD_EINVAL, 19,
		 "add_days: '2026-01-10 ' is not a date or timestamp"},
		{"{{ '2026-01-10T00:00:00' | add_days(1) }}", DAGD_EINVAL, 27,
		 "add_days: '2026-01-10T00:00:00' is not a date or timestamp"},
		{"{{ '2026-01-10T24:00:00Z' | add_days(1) }}", DAGD_EINVAL, 28,
		 "add_days: '2026-01-10T24:00:00Z' is not a date or timestamp"},
		{"{{ '2026-01-10T00:00:00.Z' | add_days(1) }}", DAGD_EINVAL, 29,
		 "add_days: '2026-01-10T00:00:00.Z' is not a date or timestamp"},
		{"{{ '2026-01-10T00:00:00+1:00' | add_days(1) }}", DAGD_EINVAL, 32,
		 "add_days: '2026-01-10T00:00:00+1:00' is not a date or timestamp"},
		{"{{ '2026-01-10t00:00:00z' | add_days(1) }}", DAGD_EINVAL, 28,
		 "add_days: '2026-01-10t00:00:00z' is not a date or timestamp"},
		{"{{ '9999-12-31' | add_days(1) }}", DAGD_EINVAL, 18, "add_days: result out of range"},
		{"{{ '0000-01-01' | add_days(-1) }}", DAGD_EINVAL, 18,
		 "add_days: result out of range"},
		{"{{ '0000-01-01T00:30:00+01:00' | add_days(0) }}", DAGD_EINVAL, 33,
		 "add_days: result out of range"},
		{"{{ params.obj | strftime('%Y') }}", DAGD_EINVAL, 16,
		 "strftime: '{\"a\": [1, 2], \"b\": \"it's\"}' is not a date or timestamp"},
		{"{{ '9999-12-31T23:30:00-01:00' | strftime('%Y') }}", DAGD_EINVAL, 33,
		 "strftime: '9999-12-31T23:30:00-01:00' is out of range"},
		/* the first failing filter of a chain reports */
		{"{{ ds | add_days(1) | sql | add_days(1) }}", DAGD_EINVAL, 28,
		 "add_days: ''2026-01-11'' is not a date or timestamp"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const struct render_err_case *c = &cases[i];
		struct tpl_error err = {0, ""};
		int rc;
		char *got;

		assert_int_equal(template_scan(c->src, strlen(c->src), NULL, NULL, &err), 0);
		got = render(c->src, NULL, &rc, &err);
		if (rc != c->rc || err.off != c->off || strcmp(err.msg, c->msg) != 0)
			print_error("case %zu: %s\n  rc %d at %zu: %s\n  want %d at %zu: %s\n", i,
				    c->src, rc, err.off, err.msg, c->rc, c->off, c->msg);
		assert_int_equal(rc, c->rc);
		assert_int_equal(err.off, c->off);
		assert_string_equal(err.msg, c->msg);
		assert_string_equal(got, "");
		free(got);
	}
}

struct cap_case {
	const char *prefix; /* already in the buffer */
	size_t max;
	const char *src;
	int rc;
	const char *want; /* the buffer afterwards */
	size_t off;       /* of the error */
};

static void test_output_cap(void **state)
{
	static const struct cap_case cases[] = {
		{"", 10, "0123456789", 0, "0123456789", 0},
		{"", 10, "0123456789X", DAGD_ETOOBIG, "", 0},
		{"", 10, "{{ ds }}", 0, "2026-01-10", 0},
		{"", 9, "{{ ds }}", DAGD_ETOOBIG, "", 0},
		{"", 10, "abc{{ ds }}", DAGD_ETOOBIG, "", 3},
		{"", 12, "{{ ds }}{{ ds }}", DAGD_ETOOBIG, "", 8},
		{"", 12, "{{ ds }}xyz", DAGD_ETOOBIG, "", 8},
		{"pre", 13, "{{ ds }}", 0, "pre2026-01-10", 0},
		{"pre", 12, "{{ ds }}", DAGD_ETOOBIG, "pre", 0},
		/* a filter's result is capped too, before the expression is added */
		{"", 16, "{{ params.q | sh | sh | sh }}", DAGD_ETOOBIG, "", 19},
		{"", 0, "{{ params.q | sh | sh | sh }}", 0,
		 "''\\'''\\''\\'\\'''\\''it'\\''\\'\\'''\\''\\'\\''\\'\\'''\\'''\\''\\'\\'''\\''s'\\''\\'\\'''\\'''\\'''", 0},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const struct cap_case *c = &cases[i];
		struct tpl_error err = {0, ""};
		struct sbuf out;
		int rc;

		sbuf_init(&out, c->max);
		sbuf_adds(&out, c->prefix);
		rc = template_render(c->src, strlen(c->src), lookup_cb, NULL, NULL, &out, &err);
		if (rc != c->rc || strcmp(sbuf_str(&out), c->want) != 0 ||
		    (rc && err.off != c->off))
			print_error("case %zu: %s\n  rc %d at %zu: %s [%s]\n", i, c->src, rc,
				    err.off, err.msg, sbuf_str(&out));
		assert_int_equal(rc, c->rc);
		assert_string_equal(sbuf_str(&out), c->want);
		assert_false(out.overflow);
		if (rc) {
			char msg[64];
			snprintf(msg, sizeof(msg), "rendered text exceeds %zu bytes", c->max);
			assert_int_equal(err.off, c->off);
			assert_string_equal(err.msg, msg);
		}
		sbuf_release(&out);
	}
}

/* What the visitor sees. */
struct seen {
	int n;
	int stop_at; /* return 7 from this visit (1-based), 0: never */
	struct tpl_expr e[4];
	char names[4][32];
	char lits[4][32];
	char fmts[4][32];
};

static int visit_cb(void *ctx, const struct tpl_expr *e)
{
	struct seen *s = ctx;
	int k = s->n++;

	if (k < 4) {
		s->e[k] = *e;
		snprintf(s->names[k], sizeof(s->names[k]), "%s", e->name ? e->name : "(null)");
		snprintf(s->lits[k], sizeof(s->lits[k]), "%s", e->literal ? e->literal : "(null)");
		snprintf(s->fmts[k], sizeof(s->fmts[k]), "%s",
			 e->nfilters > 1 && e->filters[1].format ? e->filters[1].format : "");
	}
	return s->n == s->stop_at ? 7 : 0;
}

static void test_scan_visits(void **state)
{
	static const char src[] =
		"a {{ ds | add_days(-4) | sql }} b {{ '{{' }}{{x.y-z|sh|strftime(\"%Y\")}}";
	struct seen s = {0};
	struct tpl_error err = {0, ""};

	(void)state;
	assert_int_equal(template_scan(src, strlen(src), visit_cb, &s, &err), 0);
	assert_int_equal(s.n, 3);

	assert_int_equal(s.e[0].off, 2);
	assert_int_equal(s.e[0].len, 29);
	assert_int_equal(s.e[0].name_off, 5);
	assert_string_equal(s.names[0], "ds");
	assert_string_equal(s.lits[0], "(null)");
	assert_int_equal(s.e[0].nfilters, 2);
	assert_int_equal(s.e[0].filters[0].kind, TF_ADD_DAYS);
	assert_int_equal(s.e[0].filters[0].days, -4);
	assert_int_equal(s.e[0].filters[0].off, 10);
	assert_int_equal(s.e[0].filters[1].kind, TF_SQL);
	assert_int_equal(s.e[0].filters[1].off, 25);

	assert_int_equal(s.e[1].off, 34);
	assert_int_equal(s.e[1].len, 10);
	assert_int_equal(s.e[1].name_off, 37);
	assert_string_equal(s.names[1], "(null)");
	assert_string_equal(s.lits[1], "{{");
	assert_int_equal(s.e[1].nfilters, 0);

	assert_int_equal(s.e[2].off, 44);
	assert_int_equal(s.e[2].len, 27);
	assert_int_equal(s.e[2].name_off, 46);
	assert_string_equal(s.names[2], "x.y-z");
	assert_int_equal(s.e[2].nfilters, 2);
	assert_int_equal(s.e[2].filters[0].kind, TF_SH);
	assert_int_equal(s.e[2].filters[1].kind, TF_STRFTIME);
	assert_string_equal(s.fmts[2], "%Y");
	assert_int_equal(44 + 27, strlen(src));

	/* a visitor's non-zero return stops the scan and is returned */
	memset(&s, 0, sizeof(s));
	s.stop_at = 2;
	assert_int_equal(template_scan(src, strlen(src), visit_cb, &s, &err), 7);
	assert_int_equal(s.n, 2);

	/* a syntax error after good expressions: those were visited */
	memset(&s, 0, sizeof(s));
	assert_int_equal(template_scan("{{ a }}{{ b }}{{ c", 18, visit_cb, &s, &err),
			 DAGD_EINVAL);
	assert_int_equal(s.n, 2);
	assert_int_equal(err.off, 14);

	/* len bounds the source: the NUL and what follows are not read */
	memset(&s, 0, sizeof(s));
	assert_int_equal(template_scan("{{ a }}\0{{", 7, visit_cb, &s, &err), 0);
	assert_int_equal(s.n, 1);
	/* NULL err is allowed */
	assert_int_equal(template_scan("{{", 2, NULL, NULL, NULL), DAGD_EINVAL);
}

static void test_render_bounds(void **state)
{
	struct sbuf out;
	struct tpl_error err = {0, ""};

	(void)state;
	/* text outside expressions is copied byte for byte, NULs included */
	sbuf_init(&out, 0);
	assert_int_equal(template_render("a\0b{{ ds }}\0", 12, lookup_cb, NULL, NULL, &out, &err),
			 0);
	assert_int_equal(out.len, 14);
	assert_memory_equal(out.buf, "a\0b2026-01-10\0", 14);
	sbuf_release(&out);
	/* len stops before a "{{" */
	sbuf_init(&out, 0);
	assert_int_equal(template_render("ab{{ ds }}", 3, lookup_cb, NULL, NULL, &out, NULL), 0);
	assert_string_equal(sbuf_str(&out), "ab{");
	sbuf_release(&out);
}

static void test_has_expr(void **state)
{
	(void)state;
	assert_true(template_has_expr("a {{ b"));
	assert_true(template_has_expr("{{"));
	assert_false(template_has_expr("a { { b }}"));
	assert_false(template_has_expr(""));
	assert_false(template_has_expr(NULL));
}

static void test_quote_helpers(void **state)
{
	static const struct {
		enum tv_type type;
		const char *s;
		const char *want;
	} sql[] = {
		{TV_STR, "it's", "'it''s'"},
		{TV_STR, "", "''"},
		{TV_STR, "5", "'5'"},
		{TV_STR, "a\\'b", "E'a\\\\''b'"},
		{TV_STR, NULL, "''"},
		{TV_NUM, "0", "0"},
		{TV_NUM, "-0.5", "(-0.5)"},
		{TV_NUM, "1E+3", "1E+3"},
		{TV_NUM, "01", "'01'"},
		{TV_NUM, "1.", "'1.'"},
		{TV_NUM, "", "''"},
		{TV_NUM, "NaN", "'NaN'"},
		{TV_BOOL, "false", "false"},
		{TV_BOOL, "yes", "'yes'"},
		{TV_NULL, "", "NULL"},
		{TV_JSON, "[1,\"x'\"]", "'[1,\"x''\"]'"},
	};
	static const struct {
		const char *s;
		const char *want;
	} sh[] = {
		{"", "''"},
		{"abc", "abc"},
		{"a b", "'a b'"},
		{"it's", "'it'\\''s'"},
		{"''", "''\\'''\\'''"},
		{"; touch /tmp/pwned", "'; touch /tmp/pwned'"},
		{"-rf", "-rf"},
		{"done", "'done'"},
		{"a\nb", "'a\nb'"},
		{"\xc3\xa9", "'\xc3\xa9'"},
		{"!x", "'!x'"},
		{"#x", "'#x'"},
	};
	struct sbuf out;

	(void)state;
	sbuf_init(&out, 0);
	for (size_t i = 0; i < ARRAY_LEN(sql); i++) {
		struct tv v = {sql[i].type, sql[i].s};
		sbuf_reset(&out);
		tpl_quote_sql(&out, &v);
		assert_string_equal(sbuf_str(&out), sql[i].want);
	}
	for (size_t i = 0; i < ARRAY_LEN(sh); i++) {
		sbuf_reset(&out);
		tpl_quote_sh(&out, sh[i].s);
		assert_string_equal(sbuf_str(&out), sh[i].want);
	}
	/* appends */
	sbuf_reset(&out);
	sbuf_adds(&out, "x=");
	tpl_quote_sh(&out, "a b");
	assert_string_equal(sbuf_str(&out), "x='a b'");
	sbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_add_days),
		cmocka_unit_test(test_add_days_berlin),
		cmocka_unit_test(test_strftime),
		cmocka_unit_test(test_strftime_berlin),
		cmocka_unit_test(test_sql),
		cmocka_unit_test(test_sh),
		cmocka_unit_test(test_chains),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_render_errors),
		cmocka_unit_test(test_output_cap),
		cmocka_unit_test(test_scan_visits),
		cmocka_unit_test(test_render_bounds),
		cmocka_unit_test(test_has_expr),
		cmocka_unit_test(test_quote_helpers),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
