/*
 * api_internal.h - what api.c shares with the other api_*.c files.
 */
#ifndef DAGD_API_INTERNAL_H
#define DAGD_API_INTERNAL_H

#include <jansson.h>

#include "http.h"
#include "router.h"

struct api;
struct dag;
struct dagd;

struct dagd *api_daemon(struct api *a);
json_t *api_body(struct http_req *req, bool required, const char *const *keys, size_t n_keys);
json_t *api_dag_json(struct api *a, const struct dag *dag, bool full);
/* The next n data intervals of dag as [{"data_interval_start", "data_interval_end"}]. */
json_t *api_next_json(const struct dag *dag, int n);
/* Note a mutating call (who, what, on what) in the daemon log. */
void api_audit(struct api *a, struct http_req *req, const char *action, const char *dag,
	       const char *detail);
void api_log(struct api *a, struct http_req *req, struct dag *dag, const char *run_id,
	     const char *task, const char *try_s);
void api_mark(struct api *a, struct http_req *req, struct dag *dag, const char *run_id,
	      const char *task);
/* The dashboard (api_web.c): GET / and GET /static/{file}, from memory. */
void api_index(struct api *a, struct http_req *req);
void api_static(struct api *a, struct http_req *req, const char *name);
void api_metrics(struct api *a, struct http_req *req);
void api_openapi(struct api *a, struct http_req *req);
/* The embedded OpenAPI document (api_openapi.c) and the route table. */
const char *api_openapi_text(size_t *len);
const struct route *api_routes(size_t *n);
void api_audit_list(struct api *a, struct http_req *req);
/* The HTTP layer's reply counters of this API's server. */
void api_http_counters(struct api *a, void (*cb)(void *arg, const char *label, int status,
						  uint64_t count),
		       void *arg);
/* GET /api/v1/dags/{dag}/grid (api_grid.c). */
void api_grid(struct api *a, struct http_req *req, struct dag *dag);
/* Add a reply header; a refusal is a bug here, so it is logged. */
void api_header(struct http_req *req, const char *name, const char *value);

#endif
