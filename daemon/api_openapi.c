/*
 * api_openapi.c - GET /api/v1/openapi.json: the hand-written OpenAPI 3
 * document daemon/openapi.json, embedded at build time. A unit test
 * (tests/unit/test_openapi.c) checks it against the router's table both
 * ways, so the document cannot drift from what the server does.
 */
#include "api_internal.h"

extern const char openapi_json[];
extern const size_t openapi_json_len;

void api_openapi(struct api *a, struct http_req *req)
{
	(void)a;
	http_reply_data(req, 200, "application/json", openapi_json, openapi_json_len, false);
}

const char *api_openapi_text(size_t *len)
{
	*len = openapi_json_len;
	return openapi_json;
}
