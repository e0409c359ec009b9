/*
 * api_metrics.c - GET /metrics (Prometheus text: runs by state, tries by
 * state, the engine's latency histograms, queue depth and running tries
 * per pool, HTTP requests by route and status) and GET /api/v1/audit.
 */
#include <stdio.h>
#include <string.h>

#include "api_internal.h"
#include "daemon.h"
#include "engine.h"
#include "metrics.h"
#include "registry.h"
#include "store.h"

static void pool_cb(void *arg, const char *pool, int size, int running, int queued)
{
	struct sbuf *sb = arg;

	sbuf_addf(sb, "dagd_pool_running{pool=\"%s\"} %d\n", pool, running);
	sbuf_addf(sb, "dagd_pool_queued{pool=\"%s\"} %d\n", pool, queued);
	if (size >= 0)
		sbuf_addf(sb, "dagd_pool_size{pool=\"%s\"} %d\n", pool, size);
}

static void http_cb(void *arg, const char *label, int status, uint64_t count)
{
	struct sbuf *sb = arg;

	sbuf_adds(sb, "dagd_http_requests_total{route=\"");
	for (const char *p = label; *p; p++) { /* label values: escape \ and " */
		if (*p == '\\' || *p == '"')
			sbuf_addc(sb, '\\');
		sbuf_addc(sb, *p);
	}
	sbuf_addf(sb, "\",status=\"%d\"} %llu\n", status, (unsigned long long)count);
}

void api_metrics(struct api *a, struct http_req *req)
{
	struct dagd *d = api_daemon(a);
	struct sbuf sb;
	json_t *counts = NULL, *v;

	sbuf_init(&sb, 0);
	sbuf_adds(&sb, "# HELP dagd_runs Runs in the store, by state.\n# TYPE dagd_runs gauge\n");
	if (store_run_counts(d->st, &counts) == 0) {
		static const char *const states[] = {"queued", "running", "success", "failed"};
		for (size_t i = 0; i < 4; i++) {
			v = json_object_get(counts, states[i]);
			sbuf_addf(&sb, "dagd_runs{state=\"%s\"} %lld\n", states[i],
				  (long long)(v ? json_integer_value(v) : 0));
		}
		json_decref(counts);
	}
	sbuf_addf(&sb, "# HELP dagd_dags DAGs loaded.\n# TYPE dagd_dags gauge\ndagd_dags %zu\n",
		  registry_count(d->reg));
	sbuf_addf(&sb, "# HELP dagd_import_errors Import errors.\n# TYPE dagd_import_errors gauge\n"
		       "dagd_import_errors %zu\n",
		  registry_errors(d->reg)->n);
	sbuf_addf(&sb, "# HELP dagd_tries_running Tries running now.\n# TYPE dagd_tries_running gauge\n"
		       "dagd_tries_running %d\n",
		  engine_running(d->eng));
	sbuf_adds(&sb, "# HELP dagd_pool_running Tries running per pool.\n# TYPE dagd_pool_running gauge\n"
		       "# HELP dagd_pool_queued Ready tries waiting per pool.\n# TYPE dagd_pool_queued gauge\n"
		       "# HELP dagd_pool_size Configured pool size.\n# TYPE dagd_pool_size gauge\n");
	engine_pool_stats(d->eng, pool_cb, &sb);
	metrics_render(&sb);
	sbuf_adds(&sb, "# HELP dagd_http_requests_total HTTP replies by route and status.\n"
		       "# TYPE dagd_http_requests_total counter\n");
	api_http_counters(a, http_cb, &sb);
	http_reply_data(req, 200, "text/plain; version=0.0.4; charset=utf-8", sb.buf ? sb.buf : "",
			sb.len, true);
	sbuf_release(&sb);
}

void api_audit_list(struct api *a, struct http_req *req)
{
	struct dagd *d = api_daemon(a);
	json_t *out = NULL;
	int64_t limit = 100, offset = 0;
	const char *l = http_query(req, "limit"), *o = http_query(req, "offset");

	if ((l && parse_i64(l, 1, 1000, &limit) != 0) || (o && parse_i64(o, 0, 1 << 30, &offset) != 0)) {
		http_reply_error(req, 400, "bad_request", "limit is 1..1000, offset >= 0");
		return;
	}
	if (store_audit_list(d->st, (int)limit, (int)offset, &out) != 0) {
		http_reply_error(req, 500, "store_error", "the audit log could not be read");
		return;
	}
	http_reply_json(req, 200, out);
}
