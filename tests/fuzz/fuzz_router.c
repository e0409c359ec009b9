/*
 * fuzz_router.c - libFuzzer driver for daemon/router.c. The input is
 * "METHOD PATH" (the first space splits; no space: GET), matched against a
 * table shaped like the API's. Checks that params are never empty, ".",
 * "..", never hold '/', NUL or control bytes and are valid UTF-8; that a
 * match's route takes the method (or GET for HEAD); that re-encoding the
 * params into the pattern matches again with the same route and values;
 * that a bad path is bad whatever the table and whatever the query; that
 * 405 never lists the method asked; and that router_decode round-trips.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct route table[] = {
	{"GET", "/healthz", 0},
	{"GET", "/readyz", 1},
	{"GET", "/api/v1/dags", 2},
	{"GET", "/api/v1/dags/{dag}", 3},
	{"PATCH", "/api/v1/dags/{dag}", 4},
	{"GET", "/api/v1/import-errors", 5},
	{"GET", "/api/v1/dags/{dag}/runs", 6},
	{"POST", "/api/v1/dags/{dag}/runs", 7},
	{"GET", "/api/v1/dags/{dag}/runs/{run}", 8},
	{"POST", "/api/v1/dags/{dag}/runs/{run}/clear", 9},
	{"POST", "/api/v1/dags/{dag}/runs/{run}/tasks/{task}/state", 10},
	{"GET", "/api/v1/dags/{dag}/runs/{run}/tasks/{task}/tries", 11},
	{"GET", "/api/v1/dags/{dag}/runs/{run}/tasks/{task}/tries/{n}/log", 12},
	{"GET", "/api/v1/dags/{dag}/next", 13},
	{"GET", "/api/v1/dags/{dag}/source", 14},
	{"GET", "/api/v1/dags/{dag}/grid", 15},
	{"POST", "/api/v1/dags/{dag}/backfill", 16},
	{"GET", "/metrics", 17},
	{"HEAD", "/ping", 18},
	{"GET", "/{page}", 19},
	{"GET", "/", 20},
};
#define NROUTES (sizeof(table) / sizeof(table[0]))

static void check_value(const char *v, size_t path_len)
{
	size_t n = strlen(v);

	if (n == 0 || n > path_len || strchr(v, '/'))
		abort();
	if (strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
		abort();
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)v[i];
		if (c < 0x20 || c == 0x7f)
			abort();
		size_t k = router_utf8_seq((const unsigned char *)v + i, n - i);
		if (k == 0)
			abort();
		i += k;
	}
}

static size_t count_params(const char *pattern)
{
	size_t n = 0;

	for (const char *p = pattern; *p; p++)
		n += *p == '{';
	return n;
}

/* Append s percent-encoded (everything but [A-Za-z0-9]). */
static void encode(struct sbuf *sb, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			sbuf_addc(sb, (char)c);
		else
			sbuf_addf(sb, "%%%02X", c);
	}
}

/* The pattern of m's route with its params encoded back in. */
static char *rebuild(const struct route_match *m)
{
	struct sbuf sb;
	const char *p = m->route->pattern;
	size_t k = 0;

	sbuf_init(&sb, 0);
	while (*p) {
		if (*p == '{') {
			const char *e = strchr(p, '}');
			if (k >= m->nparams || m->params[k].name != p + 1)
				abort();
			encode(&sb, m->params[k++].value);
			p = e + 1;
		} else {
			sbuf_addc(&sb, *p++);
		}
	}
	if (k != m->nparams)
		abort();
	return sbuf_take(&sb);
}

static void check_match(const char *method, const char *path, const struct route_match *m)
{
	const struct route *r = m->route;
	struct route_match again;
	char *re;

	if (!r || m->detail || m->allow[0])
		abort();
	if (strcmp(r->method, method) != 0 &&
	    !(strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0))
		abort();
	if (m->nparams != count_params(r->pattern))
		abort();
	for (size_t i = 0; i < m->nparams; i++) {
		char name[64];
		check_value(m->params[i].value, strlen(path));
		snprintf(name, sizeof(name), "%.*s", (int)m->params[i].name_len, m->params[i].name);
		if (route_param(m, name) != m->params[i].value)
			abort();
	}
	re = rebuild(m);
	if (router_match(table, NROUTES, method, re, &again) != ROUTER_MATCH ||
	    again.route != r || again.nparams != m->nparams)
		abort();
	for (size_t i = 0; i < m->nparams; i++)
		if (strcmp(again.params[i].value, m->params[i].value) != 0)
			abort();
	route_match_release(&again);
	free(re);
}

static void check_allow(const char *method, const char *allow)
{
	size_t n = strlen(method);
	const char *p = allow;

	if (!allow[0])
		abort();
	if (n == 0)
		return; /* an empty method is never listed, and strstr finds "" anywhere */
	while ((p = strstr(p, method)) != NULL) {
		bool start = p == allow || p[-1] == ' ';
		bool end = p[n] == '\0' || p[n] == ',';
		if (start && end)
			abort();
		p++;
	}
}

static void check_decode(const char *s, size_t n)
{
	char *out = NULL, *back = NULL;
	size_t len = 0, len2 = 0;
	const char *why = NULL;
	struct sbuf sb;

	if (router_decode(s, n, &out, &len, &why) != 0) {
		if (out || !why)
			abort();
		return;
	}
	if (len > n || strlen(out) != len)
		abort();
	sbuf_init(&sb, 0);
	encode(&sb, out);
	if (router_decode(sb.buf ? sb.buf : "", sb.len, &back, &len2, &why) != 0 || len2 != len ||
	    memcmp(back, out, len) != 0)
		abort();
	sbuf_release(&sb);
	free(back);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool checked;
	char *buf, *method, *path, *with_query;
	const char *sp;
	struct route_match m, other;
	enum router_result res, res2;
	char err[128];

	if (!checked) {
		if (router_check_table(table, NROUTES, err, sizeof(err)) != 0)
			abort();
		checked = true;
	}
	if (size > 4096)
		return 0;
	buf = xstrndup((const char *)data, size); /* stops at a NUL, like a C string */
	sp = memchr(buf, ' ', strlen(buf));
	if (sp && sp - buf <= 16) {
		method = xstrndup(buf, (size_t)(sp - buf));
		path = xstrdup(sp + 1);
	} else {
		method = xstrdup("GET");
		path = xstrdup(buf);
	}

	res = router_match(table, NROUTES, method, path, &m);
	switch (res) {
	case ROUTER_MATCH:
		check_match(method, path, &m);
		break;
	case ROUTER_METHOD_NOT_ALLOWED:
		if (m.route || m.detail || m.nparams)
			abort();
		check_allow(method, m.allow);
		break;
	case ROUTER_NOT_FOUND:
		if (m.route || m.detail || m.allow[0] || m.nparams)
			abort();
		break;
	case ROUTER_BAD_PATH:
		if (m.route || !m.detail || m.allow[0] || m.nparams)
			abort();
		break;
	default:
		abort();
	}

	/* A bad path is bad whatever the table; a good one is 404 without routes. */
	res2 = router_match(table, 0, method, path, &other);
	if ((res == ROUTER_BAD_PATH) != (res2 == ROUTER_BAD_PATH))
		abort();
	if (res2 != ROUTER_BAD_PATH && res2 != ROUTER_NOT_FOUND)
		abort();
	route_match_release(&other);

	/* The query never changes the answer. */
	if (!strchr(path, '?')) {
		with_query = xasprintf("%s?a=/../%%zz&b=%%2F", path);
		res2 = router_match(table, NROUTES, method, with_query, &other);
		if (res2 != res || other.route != m.route || other.nparams != m.nparams)
			abort();
		route_match_release(&other);
		free(with_query);
	}
	route_match_release(&m);

	check_decode(buf, strlen(buf));
	free(method);
	free(path);
	free(buf);
	return 0;
}
