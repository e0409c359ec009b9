/*
 * fuzz_api_body.c - libFuzzer harness for what the API does with request
 * bytes before any handler acts: the first line is "METHOD PATH", routed
 * with the daemon's real route table; the rest is the body, parsed as the
 * handlers parse it (jansson), its conf members checked against typed
 * params, its dates parsed, its task names validated. Invariants: routing
 * never yields a parameter with '/' or equal to "." or "..", and nothing
 * crashes or leaks.
 */
#include <assert.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "dag.h"
#include "diag.h"
#include "router.h"
#include "tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dag *params_dag(void)
{
	static struct dag *dag;
	static const char text[] = "params:\n  n: {default: 1, type: int}\n"
				   "  p: {default: a, type: path}\n  e: {default: x, enum: [x, y]}\n"
				   "  s: {default: ab, type: string, pattern: '[a-z]+'}\n"
				   "  b: {default: true, type: bool}\n  d: {default: 2026-01-01, type: date}\n"
				   "tasks:\n  a: {shell: 'true'}\n";
	if (!dag) {
		struct diags d;
		diags_init(&d);
		(void)dag_load("f.yaml", text, sizeof(text) - 1, NULL, &dag, &d);
		diags_release(&d);
	}
	return dag;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	size_t line = nl ? (size_t)(nl - (const char *)data) : size;
	char *first = malloc(line + 1), *sp, *path;
	const struct route *routes;
	struct route_match m;
	size_t n;
	json_t *body, *v;
	const char *k;

	memcpy(first, data, line);
	first[line] = '\0';
	sp = strchr(first, ' ');
	path = sp ? sp + 1 : first;
	if (sp)
		*sp = '\0';
	routes = api_routes(&n);
	memset(&m, 0, sizeof(m));
	if (router_match(routes, n, first, path, &m) == ROUTER_MATCH) {
		for (size_t i = 0; i < m.nparams; i++) {
			const char *p = m.params[i].value;
			assert(!strchr(p, '/') && strcmp(p, ".") != 0 && strcmp(p, "..") != 0);
		}
	}
	route_match_release(&m);
	free(first);
	if (!nl)
		return 0;
	body = json_loadb(nl + 1, size - line - 1, 0, NULL);
	if (json_is_object(body)) {
		json_t *conf = json_object_get(body, "conf"), *tasks = json_object_get(body, "tasks");
		static const char *const dates[] = {"from", "to", "logical_date"};
		json_object_foreach(conf, k, v) {
			const struct param *p = params_dag() ? dag_param(params_dag(), k) : NULL;
			char *text = json_is_string(v) ? strdup(json_string_value(v))
						       : json_dumps(v, JSON_ENCODE_ANY);
			if (p && text)
				(void)dag_param_check(p, text);
			free(text);
		}
		for (size_t i = 0; i < 3; i++) {
			json_t *d = json_object_get(body, dates[i]);
			int64_t t;
			if (json_is_string(d))
				(void)tz_parse_time(tz_utc(), json_string_value(d), &t);
		}
		if (json_is_array(tasks)) {
			size_t i;
			json_array_foreach(tasks, i, v)
				if (json_is_string(v))
					(void)valid_id(json_string_value(v));
		}
	}
	json_decref(body);
	return 0;
}
