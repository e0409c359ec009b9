/*
 * api_misc.c - small API pieces: the next intervals of a DAG, the audit
 * line of a mutating call, marking a task instance. (The dashboard's
 * pages are api_web.c's.)
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api_internal.h"
#include "daemon.h"
#include "engine.h"
#include "state.h"
#include "store.h"
#include "dag.h"
#include "interval.h"
#include "log.h"
#include "tz.h"

json_t *api_next_json(const struct dag *dag, int n)
{
	json_t *items = json_array();
	struct interval iv;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (interval_first_after(dag, (int64_t)ts.tv_sec, &iv) != 0)
		return items;
	for (int i = 0; i < n; i++) {
		char a[40], b[40];
		tz_format_rfc3339(NULL, iv.start, a, sizeof(a));
		tz_format_rfc3339(NULL, iv.end, b, sizeof(b));
		json_array_append_new(items, json_pack("{s:s, s:s}", "data_interval_start", a,
						       "data_interval_end", b));
		if (interval_next(dag, &iv, &iv) != 0)
			break;
	}
	return items;
}

void api_audit(struct api *a, struct http_req *req, const char *action, const char *dag,
	       const char *detail)
{
	struct dagd *d = api_daemon(a);
	/* with a token configured a mutating call got here authenticated */
	const char *who = d->token ? "token" : "local";
	struct timespec ts;

	(void)req;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (store_audit_add(d->st, (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000, who, action,
			    dag, detail) != 0)
		log_error("audit", "not stored: action=%s dag=%s", action, dag);
	log_info("audit", "who=%s action=%s dag=%s %s", who, action, dag, detail ? detail : "");
}

void api_header(struct http_req *req, const char *name, const char *value)
{
	if (http_add_header(req, name, value) != 0)
		log_warn("api", "header %s refused", name);
}

void api_mark(struct api *a, struct http_req *req, struct dag *dag, const char *run_id,
	      const char *task)
{
	static const char *const keys[] = {"state"};
	struct dagd *d = api_daemon(a);
	json_t *j = api_body(req, true, keys, ARRAY_LEN(keys)), *st;
	enum ti_state s;
	char err[512];
	int rc;

	if (!j)
		return;
	st = json_object_get(j, "state");
	if (!json_is_string(st) || ti_state_parse(json_string_value(st), &s) != 0 ||
	    (s != TI_SUCCESS && s != TI_FAILED)) {
		http_reply_error(req, 400, "bad_request", "the body must be {\"state\": \"success\" | \"failed\"}");
		json_decref(j);
		return;
	}
	rc = engine_mark(d->eng, dag->id, run_id, task, s, err, sizeof(err));
	json_decref(j);
	if (rc != 0) {
		http_reply_error(req, rc == DAGD_ENOENT ? 404 : rc == DAGD_ECONFLICT ? 409 : 500,
				 rc == DAGD_ENOENT ? "not_found" : rc == DAGD_ECONFLICT ? "conflict" : "error",
				 err);
		return;
	}
	(void)store_commit(d->st);
	api_audit(a, req, "mark", dag->id, task);
	{
		json_t *out = NULL;
		if (store_run_get(d->st, dag->id, run_id, &out) != 0)
			out = json_object();
		http_reply_json(req, 200, out);
	}
}
