/*
 * cli_client_logs.c - `dagd logs DAG RUN TASK [--try N] [-f]`: the log of a
 * try (the task instance's latest unless --try), read page by page from
 * the API (X-Log-Next-Offset), or with -f followed as a chunked stream that
 * the daemon ends when the try ends. -f on a task that has not started yet
 * waits for its first try while the run may still start it. Log bytes go
 * to stdout as they come, unchanged (also with --json: a log is not JSON).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_client.h"
#include "http_client.h"

static const char logs_usage[] =
	"usage: dagd logs DAG RUN TASK [--try N] [-f] [options]\n"
	"       the task's latest try unless --try; -f follows it while it runs\n" COMMON_USAGE;

struct logs_opts {
	int64_t try_number;
	bool follow;
};

static int logs_opt(void *ctx, int c, const char *arg)
{
	struct logs_opts *o = ctx;

	if (c == 'f') {
		o->follow = true;
		return 0;
	}
	if (c == OPT_TRY) {
		if (parse_i64(arg, 1, 100000, &o->try_number) != 0)
			return client_bad_value(logs_usage,
						"--try must be a positive number, not '%s'", arg);
		return 0;
	}
	return CLIENT_CONTINUE;
}

static int stdout_cb(void *arg, const char *data, size_t len)
{
	(void)arg;
	if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
		return -1;
	return 0;
}

/* The task instance named task in a run's JSON, or NULL. */
static const json_t *find_ti(const json_t *run, const char *task)
{
	size_t i;
	json_t *ti;

	json_array_foreach(json_object_get(run, "tasks"), i, ti) {
		const char *name = json_string_value(json_object_get(ti, "task"));
		if (name && strcmp(name, task) == 0)
			return ti;
	}
	return NULL;
}

/* May the task still start a try (so -f should wait for its log)? */
static bool ti_may_run(const json_t *run, const json_t *ti)
{
	static const char *const ended[] = {"success", "failed", "skipped", "upstream_failed",
					    "removed"};
	const char *s = json_string_value(json_object_get(ti, "state"));

	if (client_run_ended(run) || !s)
		return false;
	for (size_t i = 0; i < ARRAY_LEN(ended); i++)
		if (strcmp(s, ended[i]) == 0)
			return false;
	return true;
}

/* The whole log of one try, page by page (X-Log-Next-Offset). */
static int log_pages(const struct client *cl, const char *path)
{
	int64_t offset = 0;

	for (;;) {
		char *p = xasprintf("%s?offset=%lld", path, (long long)offset);
		struct http_request req = {.method = "GET", .path = p};
		struct http_response r;
		const char *next;
		int rc = client_call_raw(cl, &req, &r);
		free(p);
		if (rc != 0)
			return rc;
		if (r.body_len && stdout_cb(NULL, r.body, r.body_len) != 0) {
			http_response_release(&r);
			fprintf(stderr, "dagd: cannot write the log to stdout\n");
			return 1;
		}
		next = http_response_header(&r, "X-Log-Next-Offset");
		if (r.body_len == 0 || !next ||
		    parse_i64(next, offset + 1, INT64_MAX, &offset) != 0) {
			http_response_release(&r);
			return 0;
		}
		http_response_release(&r);
	}
}

/*
 * Follow one try's log: a chunked stream that ends when the try does. A
 * try that has not started yet (no log: 404) is waited for while the task
 * may still run. 0 done, 1 failed, CLIENT_CONTINUE: no log yet, ask again.
 */
static int log_follow(const struct client *cl, const char *path, bool may_run)
{
	char *p = xasprintf("%s?follow=1", path);
	struct http_request req = {.method = "GET", .path = p, .read_timeout_ms = -1,
				   .body_cb = stdout_cb};
	struct http_response r;
	char err[512];
	int rc = http_client_request(&cl->url, &req, &r, err, sizeof(err));

	free(p);
	if (rc == DAGD_ESYS) {
		fprintf(stderr, "dagd: cannot reach dagd at %s: %s\n", cl->url_text, err);
		return 1;
	}
	if (rc != 0) {
		fprintf(stderr, "dagd: following the log at %s: %s\n", cl->url_text, err);
		return 1;
	}
	if (r.status == 404 && may_run) {
		http_response_release(&r);
		return CLIENT_CONTINUE;
	}
	rc = 0;
	if (r.status < 200 || r.status > 299) {
		client_http_error(cl, &r);
		rc = 1;
	}
	http_response_release(&r);
	return rc;
}

int cli_logs(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{"try", required_argument, NULL, OPT_TRY},
		{"follow", no_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	struct logs_opts o = {0, false};
	const char *dag, *run, *task;
	struct client cl;
	char *run_path;
	int first, rc;

	rc = client_parse_args(&cl, argc, argv, opts, "hf", logs_usage, logs_opt, &o, 3, 3, &first);
	if (rc != CLIENT_CONTINUE)
		return rc;
	dag = argv[first];
	run = argv[first + 1];
	task = argv[first + 2];
	if ((rc = client_open(&cl)) != 0) {
		client_release(&cl);
		return rc;
	}
	run_path = client_path("/api/v1/dags/", dag, "/runs/", run, NULL);
	for (;;) {
		struct answer a;
		const json_t *ti;
		int64_t n;
		bool may_run;
		char *log_path, try_s[24];

		if ((rc = client_call(&cl, "GET", run_path, NULL, &a)) != 0)
			break;
		ti = find_ti(a.json, task);
		if (!ti) {
			fprintf(stderr, "dagd: no task '%s' in run %s of %s\n", task, run, dag);
			client_answer_release(&a);
			rc = 1;
			break;
		}
		n = o.try_number ? o.try_number
				 : json_integer_value(json_object_get(ti, "try_number"));
		may_run = o.follow && ti_may_run(a.json, ti);
		if (n < 1 && !may_run) {
			fprintf(stderr, "dagd: task '%s' of run %s has no try yet (state %s)\n",
				task, run, json_string_value(json_object_get(ti, "state")));
			client_answer_release(&a);
			rc = 1;
			break;
		}
		client_answer_release(&a);
		if (n < 1) {
			client_sleep_ms(CLIENT_POLL_MS);
			continue;
		}
		snprintf(try_s, sizeof(try_s), "%lld", (long long)n);
		log_path = client_path("/api/v1/dags/", dag, "/runs/", run, "/tasks/", task,
				       "/tries/", try_s, "/log", NULL);
		rc = o.follow ? log_follow(&cl, log_path, may_run) : log_pages(&cl, log_path);
		free(log_path);
		if (rc != CLIENT_CONTINUE)
			break;
		client_sleep_ms(CLIENT_POLL_MS);
	}
	free(run_path);
	client_release(&cl);
	return rc;
}
