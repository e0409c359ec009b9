/*
 * test_openapi.c - the OpenAPI document served at /api/v1/openapi.json
 * lists exactly the routes of the API's router: every (method, path) of
 * the table is in the document and every operation of the document is in
 * the table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <jansson.h>
#include <string.h>

#include "api_internal.h"
#include "router.h"

static void lower(const char *in, char *out, size_t n)
{
	size_t i = 0;
	for (; in[i] && i + 1 < n; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[i] = '\0';
}

static void test_routes_match_document(void **state)
{
	size_t n, len;
	const struct route *routes = api_routes(&n);
	const char *text = api_openapi_text(&len);
	json_error_t je;
	json_t *doc = json_loadb(text, len, 0, &je), *paths, *ops;
	const char *path, *method;
	size_t n_ops = 0;
	(void)state;

	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.0.3");
	paths = json_object_get(doc, "paths");
	assert_true(json_is_object(paths));
	for (size_t i = 0; i < n; i++) {
		char m[16];
		json_t *p = json_object_get(paths, routes[i].pattern);
		lower(routes[i].method, m, sizeof(m));
		if (!p || !json_object_get(p, m)) {
			print_message("route %s %s is not in the document\n", routes[i].method,
				      routes[i].pattern);
			fail();
		}
	}
	json_object_foreach(paths, path, ops) {
		json_t *o;
		json_object_foreach(ops, method, o) {
			bool found = false;
			char m[16];
			for (size_t i = 0; i < n && !found; i++) {
				lower(routes[i].method, m, sizeof(m));
				found = strcmp(routes[i].pattern, path) == 0 && strcmp(m, method) == 0;
			}
			if (!found) {
				print_message("document has %s %s, the router does not\n", method, path);
				fail();
			}
			assert_non_null(json_object_get(o, "responses"));
			n_ops++;
		}
	}
	assert_int_equal(n_ops, n);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routes_match_document),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
