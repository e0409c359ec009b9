/*
 * api.c - the REST API of DESIGN.md section 6: routes every request
 * (router.h), checks the bearer token on mutating calls, and answers from
 * the registry (DAGs, import errors), the store (runs, task instances,
 * tries) and the engine (triggers, clear, pause). Errors are always JSON
 * {"error", "detail"} with a fitting status. Log files are found from the
 * store's records, never from a path in the request.
 */
#include "api.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api_internal.h"
#include "config.h"
#include "daemon.h"
#include "dag.h"
#include "engine.h"
#include "log.h"
#include "registry.h"
#include "store.h"
#include "tz.h"

enum route_id {
	R_HEALTHZ, R_READYZ, R_DAGS, R_DAG, R_DAG_PATCH, R_IMPORT_ERRORS, R_RUNS, R_TRIGGER,
	R_RUN, R_CLEAR, R_MARK, R_TRIES, R_LOG, R_NEXT, R_SOURCE, R_BACKFILL, R_INDEX, R_METRICS, R_AUDIT, R_OPENAPI,
	R_GRID, R_STATIC,
};

static const struct route routes[] = {
	{"GET", "/healthz", R_HEALTHZ},
	{"GET", "/readyz", R_READYZ},
	{"GET", "/api/v1/dags", R_DAGS},
	{"GET", "/api/v1/dags/{dag}", R_DAG},
	{"PATCH", "/api/v1/dags/{dag}", R_DAG_PATCH},
	{"GET", "/api/v1/import-errors", R_IMPORT_ERRORS},
	{"GET", "/api/v1/dags/{dag}/runs", R_RUNS},
	{"POST", "/api/v1/dags/{dag}/runs", R_TRIGGER},
	{"GET", "/api/v1/dags/{dag}/runs/{run}", R_RUN},
	{"POST", "/api/v1/dags/{dag}/runs/{run}/clear", R_CLEAR},
	{"POST", "/api/v1/dags/{dag}/runs/{run}/tasks/{task}/state", R_MARK},
	{"GET", "/api/v1/dags/{dag}/runs/{run}/tasks/{task}/tries", R_TRIES},
	{"GET", "/api/v1/dags/{dag}/runs/{run}/tasks/{task}/tries/{n}/log", R_LOG},
	{"GET", "/api/v1/dags/{dag}/next", R_NEXT},
	{"GET", "/api/v1/dags/{dag}/source", R_SOURCE},
	{"POST", "/api/v1/dags/{dag}/backfill", R_BACKFILL},
	{"GET", "/", R_INDEX},
	{"GET", "/metrics", R_METRICS},
	{"GET", "/api/v1/audit", R_AUDIT},
	{"GET", "/api/v1/openapi.json", R_OPENAPI},
	{"GET", "/api/v1/dags/{dag}/grid", R_GRID},
	{"GET", "/static/{file}", R_STATIC},
};

struct api {
	struct dagd *d;
	struct http_server *srv;
	struct shared *dags_body; /* the cached answer of GET /api/v1/dags */
	size_t dags_len;
	uint64_t dags_version;
	uint64_t dags_gen;
	int64_t dags_built_us;
	char dags_etag[HTTP_ETAG_LEN];
};

/* --- helpers ------------------------------------------------------------- */

static json_t *time_json(int64_t secs)
{
	char buf[40];
	tz_format_rfc3339(NULL, secs, buf, sizeof(buf));
	return json_string(buf);
}

static bool token_ok(const struct dagd *d, struct http_req *req)
{
	const char *h = http_header(req, "Authorization");
	size_t n, m;
	unsigned diff = 0;

	if (!d->token)
		return true;
	if (!h || strncmp(h, "Bearer ", 7) != 0)
		return false;
	h += 7;
	n = strlen(h);
	m = strlen(d->token);
	diff = (unsigned)(n ^ m);
	for (size_t i = 0; i < m; i++) /* constant time in the token's length */
		diff |= (unsigned)(unsigned char)(i < n ? h[i] : 0) ^ (unsigned char)d->token[i];
	return diff == 0;
}

/* A request body that is a JSON object with only the given keys (a typo such
 * as "dryrun" must not turn a preview into real runs); NULL after a 400. */
json_t *api_body(struct http_req *req, bool required, const char *const *keys, size_t n_keys)
{
	size_t len;
	const char *b = http_body(req, &len);
	const char *key;
	json_error_t je;
	json_t *j, *v;

	if (len == 0 && !required)
		return json_object();
	j = json_loadb(b, len, 0, &je);
	if (!j) {
		char detail[256];
		snprintf(detail, sizeof(detail), "%s at line %d, column %d", je.text, je.line,
			 je.column);
		http_reply_error(req, 400, "bad_json", detail);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		http_reply_error(req, 400, "bad_json", "the body must be a JSON object");
		return NULL;
	}
	json_object_foreach(j, key, v) {
		size_t i;
		for (i = 0; i < n_keys && strcmp(key, keys[i]) != 0; i++)
			;
		if (i == n_keys) {
			char detail[512], known[200] = "";
			const char *near = closest_word(key, keys, n_keys);
			for (i = 0; i < n_keys; i++)
				snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
					 i ? ", " : "", keys[i]);
			snprintf(detail, sizeof(detail), "unknown key '%.100s' in the body%s%s%s (the keys are %s)",
				 key, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "",
				 known);
			json_decref(j);
			http_reply_error(req, 400, "bad_request", detail);
			return NULL;
		}
	}
	return j;
}

static struct dag *find_dag(struct api *a, struct http_req *req, const char *id)
{
	struct dag *dag = registry_get(a->d->reg, id);
	if (!dag) {
		char detail[300];
		snprintf(detail, sizeof(detail), "no DAG '%s'", id);
		http_reply_error(req, 404, "not_found", detail);
	}
	return dag;
}

static int int_query(struct http_req *req, const char *name, int dflt, int min, int max,
		     int *out)
{
	const char *v = http_query(req, name);
	int64_t n;

	*out = dflt;
	if (!v)
		return 0;
	if (parse_i64(v, min, max, &n) != 0) {
		char detail[128];
		snprintf(detail, sizeof(detail), "'%s' must be an integer from %d to %d", name, min,
			 max);
		http_reply_error(req, 400, "bad_request", detail);
		return -1;
	}
	*out = (int)n;
	return 0;
}

static json_t *dag_json(struct api *a, const struct dag *dag, bool full, json_t *last_all)
{
	json_t *o = json_object(), *tags = json_array(), *last = NULL;
	int64_t next = engine_next_due(a->d->eng, dag->id);

	json_object_set_new(o, "dag", json_string(dag->id));
	json_object_set_new(o, "description", dag->description ? json_string(dag->description)
							       : json_null());
	json_object_set_new(o, "schedule", json_string(dag->schedule_text));
	json_object_set_new(o, "timezone", json_string(dag->timezone));
	json_object_set_new(o, "paused", json_boolean(engine_paused(a->d->eng, dag->id)));
	json_object_set_new(o, "next_run", next ? time_json(next) : json_null());
	for (size_t i = 0; i < dag->tags.n; i++)
		json_array_append_new(tags, json_string(dag->tags.v[i]));
	json_object_set_new(o, "tags", tags);
	json_object_set_new(o, "file", json_string(dag->file));
	if (last_all) {
		last = json_object_get(last_all, dag->id);
		last = last ? json_incref(last) : json_array();
	} else if (store_last_states(a->d->st, dag->id, 10, &last) != 0) {
		last = json_array();
	}
	json_object_set_new(o, "last_runs", last);
	if (full) {
		json_t *tasks = json_array(), *edges = json_array();
		for (size_t i = 0; i < dag->n_tasks; i++) {
			const struct task *t = &dag->tasks[i];
			json_t *to = json_object(), *deps = json_array();
			for (size_t j = 0; j < t->n_up; j++) {
				json_array_append_new(deps, json_string(dag->tasks[t->up[j]].id));
				json_array_append_new(edges,
						      json_pack("[ss]", dag->tasks[t->up[j]].id, t->id));
			}
			json_object_set_new(to, "task", json_string(t->id));
			json_object_set_new(to, "kind", json_string(task_kind_name(t->kind)));
			json_object_set_new(to, "depends", deps);
			json_object_set_new(to, "trigger_rule",
					    json_string(trigger_rule_name(t->rule)));
			json_object_set_new(to, "retries", json_integer(t->retries));
			json_object_set_new(to, "pool", t->pool ? json_string(t->pool) : json_null());
			json_array_append_new(tasks, to);
		}
		json_object_set_new(o, "tasks", tasks);
		json_object_set_new(o, "edges", edges);
	} else {
		json_object_set_new(o, "tasks", json_integer((json_int_t)dag->n_tasks));
	}
	return o;
}

json_t *api_dag_json(struct api *a, const struct dag *dag, bool full)
{
	return dag_json(a, dag, full, NULL);
}

static json_t *import_errors_json(const struct registry *reg)
{
	const struct diags *d = registry_errors(reg);
	json_t *arr = json_array();

	for (size_t i = 0; i < d->n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:i, s:i, s:s}", "file", d->v[i].file,
						     "line", d->v[i].line, "column", d->v[i].col,
						     "message", d->v[i].msg));
	return arr;
}

/* --- handlers ------------------------------------------------------------ */

/*
 * GET /api/v1/dags: built from one store query for every DAG's last runs,
 * and kept for DAGS_CACHE_US while the engine's version is unchanged (or
 * at most that long while it changes), so a dashboard or a scraper polling
 * it costs a copy, not a rebuild.
 */
#define DAGS_CACHE_US 100000

/* A body shared by every reply that sends it; freed with the last one. */
struct shared {
	int refs;
	char *text;
};

static void shared_unref(void *arg)
{
	struct shared *sh = arg;

	if (sh && --sh->refs == 0) {
		free(sh->text);
		free(sh);
	}
}

/* The cached answer, with its entity tag (computed once per build). */
static void reply_dags(struct api *a, struct http_req *req)
{
	api_header(req, "ETag", a->dags_etag);
	if (http_etag_match(req, a->dags_etag)) {
		http_reply_data(req, 304, "application/json", "", 0, false);
		return;
	}
	a->dags_body->refs++;
	http_reply_shared(req, 200, "application/json", a->dags_body->text, a->dags_len,
			  shared_unref, a->dags_body);
}

static void h_dags(struct api *a, struct http_req *req)
{
	/* the engine's version moves with runs and DAGs; the registry's
	 * generation with import errors (a broken edit keeps the DAG) */
	uint64_t version = engine_version(a->d->eng), gen = registry_generation(a->d->reg);
	int64_t now = engine_clock_us();
	json_t *items, *last = NULL, *body;
	size_t n = registry_count(a->d->reg);

	/* unchanged: good for 10 s (next_run moves with time); changing: 100 ms;
	 * after a mutating call: rebuilt */
	if (a->dags_body && a->dags_built_us &&
	    ((a->dags_version == version && a->dags_gen == gen && now - a->dags_built_us < 10000000) ||
	     now - a->dags_built_us < DAGS_CACHE_US)) {
		reply_dags(a, req);
		return;
	}
	if (store_last_states_all(a->d->st, 10, &last) != 0)
		last = json_object();
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, dag_json(a, registry_at(a->d->reg, i), false, last));
	json_decref(last);
	body = json_pack("{s:o, s:I, s:o}", "items", items, "total", (json_int_t)n,
			 "import_errors", import_errors_json(a->d->reg));
	{
		char *text = json_dumps(body, JSON_COMPACT);
		json_decref(body);
		if (!text) {
			http_reply_error(req, 500, "error", "the DAG list could not be built");
			return;
		}
		shared_unref(a->dags_body);
		a->dags_body = xcalloc(1, sizeof(*a->dags_body));
		a->dags_body->refs = 1; /* the cache's own */
		a->dags_body->text = text;
	}
	a->dags_len = strlen(a->dags_body->text);
	a->dags_version = version;
	a->dags_gen = gen;
	a->dags_built_us = now;
	http_etag_of(a->dags_body->text, a->dags_len, a->dags_etag);
	reply_dags(a, req);
}

static void h_dag_patch(struct api *a, struct http_req *req, struct dag *dag)
{
	static const char *const keys[] = {"paused"};
	json_t *b = api_body(req, true, keys, ARRAY_LEN(keys)), *p;

	if (!b)
		return;
	p = json_object_get(b, "paused");
	if (!json_is_boolean(p)) {
		http_reply_error(req, 400, "bad_request", "the body must be {\"paused\": true|false}");
	} else if (engine_set_paused(a->d->eng, dag->id, json_is_true(p)) != 0) {
		http_reply_error(req, 500, "store_error", "the change could not be stored");
	} else {
		api_audit(a, req, "pause", dag->id, json_is_true(p) ? "paused" : "unpaused");
		http_reply_json(req, 200, api_dag_json(a, dag, true));
	}
	json_decref(b);
}

static void h_runs(struct api *a, struct http_req *req, struct dag *dag)
{
	int limit, offset;
	const char *state = http_query(req, "state");
	enum run_state rs;
	json_t *out = NULL;

	if (int_query(req, "limit", 25, 1, 1000, &limit) || int_query(req, "offset", 0, 0, 1 << 30, &offset))
		return;
	if (state && run_state_parse(state, &rs) != 0) {
		http_reply_error(req, 400, "bad_request",
				 "state must be queued, running, success or failed");
		return;
	}
	if (store_runs_list(a->d->st, dag->id, state, limit, offset, &out) != 0) {
		http_reply_error(req, 500, "store_error", "runs could not be read");
		return;
	}
	http_reply_json(req, 200, out);
}

/* The run as the store has it; with "cleared": n when cleared >= 0. */
static void reply_run(struct api *a, struct http_req *req, const char *dag, const char *run_id,
		      int status, int cleared)
{
	json_t *out = NULL;
	int rc = store_run_get(a->d->st, dag, run_id, &out);

	if (rc == 0 && cleared >= 0)
		json_object_set_new(out, "cleared", json_integer(cleared));

	if (rc == DAGD_ENOENT) {
		char detail[300];
		snprintf(detail, sizeof(detail), "no run '%s' of DAG '%s'", run_id, dag);
		http_reply_error(req, 404, "not_found", detail);
	} else if (rc != 0) {
		http_reply_error(req, 500, "store_error", "the run could not be read");
	} else {
		http_reply_json(req, status, out);
	}
}

static void h_trigger(struct api *a, struct http_req *req, struct dag *dag)
{
	static const char *const keys[] = {"conf", "logical_date"};
	json_t *b = api_body(req, false, keys, ARRAY_LEN(keys)), *conf, *ld;
	struct run *r;
	char err[512];
	int rc;

	if (!b)
		return;
	conf = json_object_get(b, "conf");
	ld = json_object_get(b, "logical_date");
	if (conf && !json_is_object(conf) && !json_is_null(conf)) {
		http_reply_error(req, 400, "bad_request", "conf must be a JSON object");
	} else if (ld && !json_is_string(ld) && !json_is_null(ld)) {
		http_reply_error(req, 400, "bad_request", "logical_date must be a string");
	} else if ((rc = engine_trigger(a->d->eng, dag->id, json_is_string(ld) ? json_string_value(ld) : NULL,
					 json_is_object(conf) ? conf : NULL, &r, err, sizeof(err))) != 0) {
		http_reply_error(req, rc == DAGD_ENOENT ? 404 : rc == DAGD_EINVAL ? 400 : 500,
				 rc == DAGD_EINVAL ? "bad_request" : "error", err);
	} else {
		(void)store_commit(a->d->st); /* the 201 promises the run exists */
		api_audit(a, req, "trigger", dag->id, r->run_id);
		reply_run(a, req, dag->id, r->run_id, 201, -1);
	}
	json_decref(b);
}

static void h_clear(struct api *a, struct http_req *req, struct dag *dag, const char *run_id)
{
	static const char *const keys[] = {"tasks", "downstream", "failed_only"};
	json_t *b = api_body(req, false, keys, ARRAY_LEN(keys)), *tasks, *ds, *fo, *v;
	const char **names = NULL;
	size_t n = 0, i;
	char err[512];
	int rc;

	if (!b)
		return;
	tasks = json_object_get(b, "tasks");
	ds = json_object_get(b, "downstream");
	fo = json_object_get(b, "failed_only");
	if ((tasks && !json_is_array(tasks) && !json_is_null(tasks)) || (ds && !json_is_boolean(ds)) ||
	    (fo && !json_is_boolean(fo))) {
		http_reply_error(req, 400, "bad_request",
				 "the body is {\"tasks\": [...], \"downstream\": bool, \"failed_only\": bool}");
		json_decref(b);
		return;
	}
	if (json_is_array(tasks)) {
		names = xcalloc(json_array_size(tasks) + 1, sizeof(*names));
		json_array_foreach(tasks, i, v) {
			if (!json_is_string(v)) {
				http_reply_error(req, 400, "bad_request", "tasks must be strings");
				free(names);
				json_decref(b);
				return;
			}
			names[n++] = json_string_value(v);
		}
	}
	rc = engine_clear(a->d->eng, dag->id, run_id, names, n, json_is_true(ds), json_is_true(fo),
			  err, sizeof(err));
	if (rc < 0) {
		http_reply_error(req, rc == DAGD_ENOENT ? 404 : rc == DAGD_ECONFLICT ? 409 : 500,
				 rc == DAGD_ENOENT ? "not_found" : rc == DAGD_ECONFLICT ? "conflict" : "error",
				 err);
	} else {
		(void)store_commit(a->d->st);
		api_audit(a, req, "clear", dag->id, run_id);
		reply_run(a, req, dag->id, run_id, 200, rc); /* rc: task instances cleared */
	}
	free(names);
	json_decref(b);
}

static void h_next(struct http_req *req, struct dag *dag)
{
	int n;
	json_t *items;

	if (int_query(req, "n", 10, 1, 1000, &n))
		return;
	items = api_next_json(dag, n);
	http_reply_json(req, 200, json_pack("{s:o, s:I}", "items", items, "total",
					    (json_int_t)json_array_size(items)));
}

static void h_backfill(struct api *a, struct http_req *req, struct dag *dag)
{
	static const char *const keys[] = {"from", "to", "dry_run", "conf"};
	json_t *b = api_body(req, true, keys, ARRAY_LEN(keys)), *from, *to, *dry, *conf, *out = NULL;
	char err[512];
	int rc;

	if (!b)
		return;
	from = json_object_get(b, "from");
	to = json_object_get(b, "to");
	dry = json_object_get(b, "dry_run");
	conf = json_object_get(b, "conf");
	if (!json_is_string(from) || !json_is_string(to) || (dry && !json_is_boolean(dry)) ||
	    (conf && !json_is_object(conf) && !json_is_null(conf))) {
		http_reply_error(req, 400, "bad_request",
				 "the body is {\"from\": DATE, \"to\": DATE, \"dry_run\": bool, "
				 "\"conf\": {PARAM: VALUE}}");
	} else if ((rc = engine_backfill(a->d->eng, dag->id, json_string_value(from),
					  json_string_value(to), json_is_object(conf) ? conf : NULL,
					  json_is_true(dry), &out, err, sizeof(err))) != 0) {
		http_reply_error(req, rc == DAGD_ENOENT ? 404 : rc == DAGD_ESTORE ? 500 : 400,
				 rc == DAGD_ESTORE ? "store_error" : "bad_request", err);
	} else {
		if (!json_is_true(dry)) {
			(void)store_commit(a->d->st);
			api_audit(a, req, "backfill", dag->id, json_string_value(from));
		}
		http_reply_json(req, json_is_true(dry) ? 200 : 201, out);
	}
	json_decref(b);
}

static void h_source(struct http_req *req, struct dag *dag)
{
	http_reply_json(req, 200, json_pack("{s:s, s:s, s:s}", "dag", dag->id, "file", dag->file,
					    "source", dag->source));
}

static void handle(void *ctx, struct http_req *req)
{
	struct api *a = ctx;
	struct route_match m;
	enum router_result res;
	struct dag *dag = NULL;
	const char *method = http_method(req);
	char label[160];

	memset(&m, 0, sizeof(m));
	res = router_match(routes, sizeof(routes) / sizeof(routes[0]), method, http_path(req), &m);
	if (res != ROUTER_MATCH) {
		int st = router_http_status(res);
		http_set_route_label(req, "unrouted");
		if (res == ROUTER_METHOD_NOT_ALLOWED) {
			api_header(req, "Allow", m.allow);
			http_reply_error(req, 405, "method_not_allowed", m.allow);
		} else {
			http_reply_error(req, st, st == 404 ? "not_found" : "bad_request",
					 m.detail ? m.detail : "no such route");
		}
		route_match_release(&m);
		return;
	}
	snprintf(label, sizeof(label), "%s %s", m.route->method, m.route->pattern);
	http_set_route_label(req, label);
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 && !token_ok(a->d, req)) {
		api_header(req, "WWW-Authenticate", "Bearer");
		http_reply_error(req, 401, "unauthorized", "this call needs Authorization: Bearer <token>");
		route_match_release(&m);
		return;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		a->dags_built_us = 0; /* a caller's own change shows at once */
	if (route_param(&m, "dag") && !(dag = find_dag(a, req, route_param(&m, "dag")))) {
		route_match_release(&m);
		return;
	}
	switch ((enum route_id)m.route->id) {
	case R_HEALTHZ:
		http_reply_json(req, 200, json_pack("{s:s}", "status", "ok"));
		break;
	case R_READYZ:
		if (registry_loaded(a->d->reg))
			http_reply_json(req, 200, json_pack("{s:s, s:I}", "status", "ready", "dags",
							    (json_int_t)registry_count(a->d->reg)));
		else
			http_reply_error(req, 503, "not_ready", "DAGs are still loading");
		break;
	case R_DAGS:
		h_dags(a, req);
		break;
	case R_DAG:
		http_reply_json(req, 200, api_dag_json(a, dag, true));
		break;
	case R_DAG_PATCH:
		h_dag_patch(a, req, dag);
		break;
	case R_IMPORT_ERRORS: {
		json_t *items = import_errors_json(a->d->reg);
		http_reply_json(req, 200, json_pack("{s:o, s:I}", "items", items, "total",
						    (json_int_t)json_array_size(items)));
		break;
	}
	case R_RUNS:
		h_runs(a, req, dag);
		break;
	case R_TRIGGER:
		h_trigger(a, req, dag);
		break;
	case R_RUN:
		reply_run(a, req, dag->id, route_param(&m, "run"), 200, -1);
		break;
	case R_CLEAR:
		h_clear(a, req, dag, route_param(&m, "run"));
		break;
	case R_MARK:
		api_mark(a, req, dag, route_param(&m, "run"), route_param(&m, "task"));
		break;
	case R_TRIES: {
		json_t *out = NULL;
		if (dag_task_index(dag, route_param(&m, "task")) < 0)
			http_reply_error(req, 404, "not_found", "no such task in this DAG");
		else if (store_tries_list(a->d->st, dag->id, route_param(&m, "run"),
					  route_param(&m, "task"), &out) != 0)
			http_reply_error(req, 404, "not_found", "no such run");
		else
			http_reply_json(req, 200, json_pack("{s:o, s:I}", "items", out, "total",
							    (json_int_t)json_array_size(out)));
		break;
	}
	case R_LOG:
		api_log(a, req, dag, route_param(&m, "run"), route_param(&m, "task"),
			route_param(&m, "n"));
		break;
	case R_NEXT:
		h_next(req, dag);
		break;
	case R_SOURCE:
		h_source(req, dag);
		break;
	case R_BACKFILL:
		h_backfill(a, req, dag);
		break;
	case R_INDEX:
		api_index(a, req);
		break;
	case R_METRICS:
		api_metrics(a, req);
		break;
	case R_AUDIT:
		api_audit_list(a, req);
		break;
	case R_OPENAPI:
		api_openapi(a, req);
		break;
	case R_GRID:
		api_grid(a, req, dag);
		break;
	case R_STATIC:
		api_static(a, req, route_param(&m, "file"));
		break;
	}
	route_match_release(&m);
}

int api_start(struct dagd *d, struct api **out, char *err, size_t errlen)
{
	struct api *a = xcalloc(1, sizeof(*a));
	int rc;

	a->d = d;
	rc = http_start(d->loop, d->cfg->listen, NULL, handle, a, &a->srv, err, errlen);
	if (rc != 0) {
		free(a);
		return rc;
	}
	*out = a;
	return 0;
}

void api_stop(struct api *a)
{
	if (!a)
		return;
	http_stop(a->srv);
	shared_unref(a->dags_body);
	free(a);
}

int api_port(const struct api *a)
{
	return http_port(a->srv);
}

void api_http_counters(struct api *a, void (*cb)(void *arg, const char *label, int status,
						  uint64_t count),
		       void *arg)
{
	http_counters_each(a->srv, cb, arg);
}

const struct route *api_routes(size_t *n)
{
	*n = sizeof(routes) / sizeof(routes[0]);
	return routes;
}

struct dagd *api_daemon(struct api *a)
{
	return a->d;
}
