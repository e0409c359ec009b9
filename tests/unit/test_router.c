/*
 * test_router.c - the path router (daemon/router.c) over a table shaped
 * like the API's: params, literal vs encoded segments, "%2F" inside a
 * segment, dot-segments, bad escapes, bad UTF-8, the trailing-slash policy
 * (404, no redirect), HEAD on GET routes, 405 with its Allow list, and the
 * table checker and the decoder on their own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"

enum { R_ROOT, R_DAGS, R_DAG, R_DAG_PATCH, R_RUNS, R_TRIGGER, R_RUN, R_LOG, R_IE, R_HEAD_ONLY };

static const struct route table[] = {
	{"GET", "/", R_ROOT},
	{"GET", "/api/v1/dags", R_DAGS},
	{"GET", "/api/v1/dags/{dag}", R_DAG},
	{"PATCH", "/api/v1/dags/{dag}", R_DAG_PATCH},
	{"GET", "/api/v1/dags/{dag}/runs", R_RUNS},
	{"POST", "/api/v1/dags/{dag}/runs", R_TRIGGER},
	{"GET", "/api/v1/dags/{dag}/runs/{run}", R_RUN},
	{"GET", "/api/v1/dags/{dag}/runs/{run}/tasks/{task}/tries/{n}/log", R_LOG},
	{"GET", "/api/v1/import-errors", R_IE},
	{"HEAD", "/ping", R_HEAD_ONLY},
};

struct row {
	const char *method;
	const char *path;
	enum router_result want;
	int id;              /* for ROUTER_MATCH */
	const char *params;  /* "dag=a,run=b" for ROUTER_MATCH, Allow for 405, detail substring for 400 */
};

static const struct row rows[] = {
	/* plain matches and params */
	{"GET", "/", ROUTER_MATCH, R_ROOT, ""},
	{"GET", "/api/v1/dags", ROUTER_MATCH, R_DAGS, ""},
	{"GET", "/api/v1/dags?limit=5&x=/..", ROUTER_MATCH, R_DAGS, ""},
	{"GET", "/api/v1/dags/etl", ROUTER_MATCH, R_DAG, "dag=etl"},
	{"PATCH", "/api/v1/dags/etl", ROUTER_MATCH, R_DAG_PATCH, "dag=etl"},
	{"POST", "/api/v1/dags/etl/runs", ROUTER_MATCH, R_TRIGGER, "dag=etl"},
	{"GET", "/api/v1/dags/etl/runs/manual__2026-01-10T00:00:00+00:00", ROUTER_MATCH, R_RUN,
	 "dag=etl,run=manual__2026-01-10T00:00:00+00:00"},
	{"GET", "/api/v1/dags/d/runs/r/tasks/t/tries/3/log?follow=1", ROUTER_MATCH, R_LOG,
	 "dag=d,run=r,task=t,n=3"},
	/* decoding happens per segment, after the split */
	{"GET", "/api/v1/dags/a%2Fb", ROUTER_BAD_PATH, 0, "encoded '/'"},
	{"GET", "/api/v1/dags/a%2fb/runs", ROUTER_BAD_PATH, 0, "encoded '/'"},
	{"GET", "/api/v1/dags/my%20dag", ROUTER_MATCH, R_DAG, "dag=my dag"},
	{"GET", "/api/v1/dags/caf%C3%A9", ROUTER_MATCH, R_DAG, "dag=caf\xc3\xa9"},
	{"GET", "/api/v1/dags/a%3Fb", ROUTER_MATCH, R_DAG, "dag=a?b"},
	{"GET", "/api/v1/dags/a%25b", ROUTER_MATCH, R_DAG, "dag=a%b"},
	{"GET", "/api/v1/dags/a+b", ROUTER_MATCH, R_DAG, "dag=a+b"},
	{"GET", "/api/v1/%64ags/x", ROUTER_MATCH, R_DAG, "dag=x"},
	{"GET", "/api/v1/dags/...", ROUTER_MATCH, R_DAG, "dag=..."},
	{"GET", "/api/v1/dags/.hidden", ROUTER_MATCH, R_DAG, "dag=.hidden"},
	/* dot-segments, raw or encoded, anywhere */
	{"GET", "/api/v1/dags/..", ROUTER_BAD_PATH, 0, "'..'"},
	{"GET", "/api/v1/dags/.", ROUTER_BAD_PATH, 0, "'..'"},
	{"GET", "/api/v1/dags/%2E%2E", ROUTER_BAD_PATH, 0, "'..'"},
	{"GET", "/api/v1/dags/.%2e", ROUTER_BAD_PATH, 0, "'..'"},
	{"GET", "/api/v1/dags/x/../../etc", ROUTER_BAD_PATH, 0, "'..'"},
	{"GET", "/nothing/../api/v1/dags", ROUTER_BAD_PATH, 0, "'..'"},
	/* bad escapes, NUL, controls, UTF-8 */
	{"GET", "/api/v1/dags/a%", ROUTER_BAD_PATH, 0, "percent"},
	{"GET", "/api/v1/dags/a%4", ROUTER_BAD_PATH, 0, "percent"},
	{"GET", "/api/v1/dags/a%zz", ROUTER_BAD_PATH, 0, "percent"},
	{"GET", "/api/v1/dags/a%00b", ROUTER_BAD_PATH, 0, "NUL"},
	{"GET", "/api/v1/dags/a%0Ab", ROUTER_BAD_PATH, 0, "control"},
	{"GET", "/api/v1/dags/a%7F", ROUTER_BAD_PATH, 0, "control"},
	{"GET", "/api/v1/dags/a\tb", ROUTER_BAD_PATH, 0, "control"},
	{"GET", "/api/v1/dags/%C3", ROUTER_BAD_PATH, 0, "UTF-8"},
	{"GET", "/api/v1/dags/%C0%AF", ROUTER_BAD_PATH, 0, "UTF-8"},
	{"GET", "/api/v1/dags/%ED%A0%80", ROUTER_BAD_PATH, 0, "UTF-8"},
	{"GET", "/api/v1/dags/%F4%90%80%80", ROUTER_BAD_PATH, 0, "UTF-8"},
	{"GET", "/api/v1/dags/\xff", ROUTER_BAD_PATH, 0, "UTF-8"},
	{"GET", "/nowhere/%zz", ROUTER_BAD_PATH, 0, "percent"},
	{"GET", "api/v1/dags", ROUTER_BAD_PATH, 0, "start with '/'"},
	{"GET", "", ROUTER_BAD_PATH, 0, "start with '/'"},
	{"GET", "?x=1", ROUTER_BAD_PATH, 0, "start with '/'"},
	{"OPTIONS", "*", ROUTER_BAD_PATH, 0, "start with '/'"},
	/* trailing slash and empty segments: 404, never stripped */
	{"GET", "/api/v1/dags/", ROUTER_NOT_FOUND, 0, NULL},
	{"GET", "/api/v1/dags/etl/", ROUTER_NOT_FOUND, 0, NULL},
	{"GET", "/api/v1//dags", ROUTER_NOT_FOUND, 0, NULL},
	{"GET", "//", ROUTER_NOT_FOUND, 0, NULL},
	{"GET", "/api/v1/dags/etl/runs/", ROUTER_NOT_FOUND, 0, NULL},
	/* not found */
	{"GET", "/api/v1/nope", ROUTER_NOT_FOUND, 0, NULL},
	{"GET", "/api/v1/dags/etl/runs/r/tasks", ROUTER_NOT_FOUND, 0, NULL},
	{"GET", "/API/v1/dags", ROUTER_NOT_FOUND, 0, NULL},
	{"GET", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z/1/2/3/4/5/6/7/8",
	 ROUTER_NOT_FOUND, 0, NULL},
	/* methods: 405 with Allow in table order, HEAD right after GET */
	{"DELETE", "/api/v1/dags/etl", ROUTER_METHOD_NOT_ALLOWED, 0, "GET, HEAD, PATCH"},
	{"POST", "/api/v1/dags", ROUTER_METHOD_NOT_ALLOWED, 0, "GET, HEAD"},
	{"PUT", "/api/v1/dags/etl/runs", ROUTER_METHOD_NOT_ALLOWED, 0, "GET, HEAD, POST"},
	{"get", "/api/v1/dags", ROUTER_METHOD_NOT_ALLOWED, 0, "GET, HEAD"},
	{"GET", "/ping", ROUTER_METHOD_NOT_ALLOWED, 0, "HEAD"},
	{"", "/", ROUTER_METHOD_NOT_ALLOWED, 0, "GET, HEAD"},
	{"HEAD", "/api/v1/dags/etl", ROUTER_MATCH, R_DAG, "dag=etl"},
	{"HEAD", "/ping", ROUTER_MATCH, R_HEAD_ONLY, ""},
	{"DELETE", "/api/v1/dags/etl/", ROUTER_NOT_FOUND, 0, NULL},
};

/* Compare m's params with "a=1,b=2" (values may not hold ',' here). */
static void check_params(const struct route_match *m, const char *want, const char *path)
{
	char *copy = strdup(want), *save = NULL;
	size_t n = 0;

	for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		assert_non_null(eq);
		*eq = '\0';
		const char *got = route_param(m, kv);
		if (!got || strcmp(got, eq + 1) != 0)
			fail_msg("%s: param %s: got '%s', want '%s'", path, kv,
				 got ? got : "(null)", eq + 1);
		n++;
	}
	assert_int_equal(m->nparams, n);
	free(copy);
}

static void test_table_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct route_match m;
		enum router_result got =
			router_match(table, sizeof(table) / sizeof(table[0]), r->method, r->path, &m);
		if (got != r->want)
			fail_msg("row %zu '%s %s': got %d, want %d (%s)", i, r->method, r->path,
				 (int)got, (int)r->want, m.detail ? m.detail : "");
		switch (got) {
		case ROUTER_MATCH:
			assert_non_null(m.route);
			if (m.route->id != r->id)
				fail_msg("row %zu '%s': route %d, want %d", i, r->path, m.route->id,
					 r->id);
			check_params(&m, r->params, r->path);
			assert_null(m.detail);
			break;
		case ROUTER_METHOD_NOT_ALLOWED:
			assert_null(m.route);
			if (strcmp(m.allow, r->params) != 0)
				fail_msg("row %zu '%s': Allow '%s', want '%s'", i, r->path, m.allow,
					 r->params);
			break;
		case ROUTER_BAD_PATH:
			assert_null(m.route);
			assert_non_null(m.detail);
			if (!strstr(m.detail, r->params))
				fail_msg("row %zu '%s': detail '%s' lacks '%s'", i, r->path, m.detail,
					 r->params);
			break;
		case ROUTER_NOT_FOUND:
			assert_null(m.route);
			assert_string_equal(m.allow, "");
			break;
		}
		route_match_release(&m);
		assert_null(m.buf);
	}
}

static void test_status(void **state)
{
	(void)state;
	assert_int_equal(router_http_status(ROUTER_MATCH), 200);
	assert_int_equal(router_http_status(ROUTER_NOT_FOUND), 404);
	assert_int_equal(router_http_status(ROUTER_METHOD_NOT_ALLOWED), 405);
	assert_int_equal(router_http_status(ROUTER_BAD_PATH), 400);
}

/* The first matching route in table order wins over a later literal. */
static void test_order(void **state)
{
	static const struct route t[] = {
		{"GET", "/x/{a}", 1},
		{"GET", "/x/lit", 2},
		{"POST", "/x/lit", 3},
	};
	struct route_match m;

	(void)state;
	assert_int_equal(router_match(t, 3, "GET", "/x/lit", &m), ROUTER_MATCH);
	assert_int_equal(m.route->id, 1);
	assert_string_equal(route_param(&m, "a"), "lit");
	assert_null(route_param(&m, "b"));
	route_match_release(&m);
	assert_int_equal(router_match(t, 3, "POST", "/x/lit", &m), ROUTER_MATCH);
	assert_int_equal(m.route->id, 3);
	route_match_release(&m);
	assert_int_equal(router_match(t, 3, "POST", "/x/other", &m), ROUTER_METHOD_NOT_ALLOWED);
	assert_string_equal(m.allow, "GET, HEAD");
	route_match_release(&m);
	/* an empty table finds nothing, but a bad path is still 400 */
	assert_int_equal(router_match(t, 0, "GET", "/x/lit", &m), ROUTER_NOT_FOUND);
	route_match_release(&m);
	assert_int_equal(router_match(t, 0, "GET", "/x/%2F", &m), ROUTER_BAD_PATH);
	route_match_release(&m);
}

static void test_check_table(void **state)
{
	static const struct {
		struct route r;
		const char *why; /* NULL: fine */
	} cases[] = {
		{{"GET", "/", 0}, NULL},
		{{"GET", "/a/{b}/c", 0}, NULL},
		{{"M-SEARCH", "/a", 0}, NULL},
		{{"GET", "a", 0}, "start with '/'"},
		{{"GET", "", 0}, "start with '/'"},
		{{"GET", "/a//b", 0}, "empty segment"},
		{{"GET", "/a/", 0}, "empty segment"},
		{{"GET", "/a/..", 0}, "dot segment"},
		{{"GET", "/a/{}", 0}, "empty parameter"},
		{{"GET", "/a/{b}/{b}", 0}, "duplicate"},
		{{"GET", "/a/x{b}", 0}, "bad character"},
		{{"GET", "/a/{b{c}", 0}, "brace"},
		{{"GET", "/a%20b", 0}, "bad character"},
		{{"", "/a", 0}, "empty method"},
		{{"GE T", "/a", 0}, "not a token"},
		{{"GET", "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", 0}, "too many parameters"},
	};
	char err[160];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		int rc = router_check_table(&cases[i].r, 1, err, sizeof(err));
		if (!cases[i].why) {
			if (rc != 0)
				fail_msg("case %zu: unexpected error '%s'", i, err);
			continue;
		}
		assert_int_equal(rc, DAGD_EINVAL);
		if (!strstr(err, cases[i].why) || !strstr(err, "route 0 "))
			fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i].why);
	}
	assert_int_equal(router_check_table(table, sizeof(table) / sizeof(table[0]), err,
					    sizeof(err)), 0);
}

static void test_decode(void **state)
{
	static const struct {
		const char *in;
		const char *out; /* NULL: fails */
	} cases[] = {
		{"", ""},
		{"abc", "abc"},
		{"a+b", "a+b"},
		{"a%20b%2F", "a b/"},
		{"%e2%82%ac", "\xe2\x82\xac"},
		{"%F0%9F%98%80", "\xf0\x9f\x98\x80"},
		{"%", NULL},
		{"%a", NULL},
		{"%ag", NULL},
		{"%00", NULL},
		{"%E2%82", NULL},
		{"%80", NULL},
		{"%C1%81", NULL},
		{"%E0%80%AF", NULL},
		{"%F0%80%80%AF", NULL},
		{"\xc3\xa9", "\xc3\xa9"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = (char *)1;
		size_t len = 999;
		const char *why = NULL;
		int rc = router_decode(cases[i].in, strlen(cases[i].in), &out, &len, &why);
		if (!cases[i].out) {
			assert_int_equal(rc, DAGD_EINVAL);
			assert_null(out);
			assert_non_null(why);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_string_equal(out, cases[i].out);
		assert_int_equal(len, strlen(cases[i].out));
		free(out);
	}
}

static void test_utf8_seq(void **state)
{
	static const struct {
		const char *s;
		size_t want;
	} cases[] = {
		{"a", 1}, {"\x7f", 1}, {"\xc2\x80", 2}, {"\xdf\xbf", 2}, {"\xe0\xa0\x80", 3},
		{"\xef\xbf\xbf", 3}, {"\xf0\x90\x80\x80", 4}, {"\xf4\x8f\xbf\xbf", 4},
		{"\x80", 0}, {"\xc0\x80", 0}, {"\xc2", 0}, {"\xe0\x9f\xbf", 0},
		{"\xed\xa0\x80", 0}, {"\xf4\x90\x80\x80", 0}, {"\xf5\x80\x80\x80", 0},
		{"\xe2\x28\xa1", 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t got = router_utf8_seq((const unsigned char *)cases[i].s, strlen(cases[i].s));
		if (got != cases[i].want)
			fail_msg("case %zu: got %zu, want %zu", i, got, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_rows),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_check_table),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_utf8_seq),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
