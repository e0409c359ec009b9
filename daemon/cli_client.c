/*
 * cli_client.c - the client commands of DESIGN.md section 7 (dags, trigger,
 * runs, rerun, logs, backfill, pause, unpause, mark): each parses its
 * arguments, makes one or a few calls to a running daemon's API through
 * http_client.c and prints the answer, as a table (cli_client_fmt.c) or
 * with --json as the server sent it. The daemon is found from --url,
 * $DAGD_URL, else the `listen` of the config `dagd serve` would read; the
 * token from --token-file or $DAGD_TOKEN, and it is never printed. Exit
 * codes: 0 ok, 1 failure (an HTTP error, no daemon), 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_client.h"
#include "http_client.h"

/* When no config says otherwise: the `listen` default of DESIGN.md section 5. */
#define CLIENT_DEFAULT_URL "http://127.0.0.1:8080"
/* A token file is one short line. */
#define CLIENT_TOKEN_FILE_MAX 4096

void client_answer_release(struct answer *a)
{
	http_response_release(&a->http);
	json_decref(a->json);
	a->json = NULL;
}

void client_release(struct client *cl)
{
	free(cl->url_text);
	http_url_release(&cl->url);
	if (cl->token) {
		memset(cl->token, 0, strlen(cl->token));
		free(cl->token);
	}
	memset(cl, 0, sizeof(*cl));
}

int64_t client_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void client_sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* --- arguments ------------------------------------------------------------------ */

/*
 * Parse argv with opts (COMMON_OPTS plus the command's own); the command's
 * options go to cmd_opt (0 taken, CLIENT_CONTINUE unknown, else an exit
 * code). Then min_pos..max_pos positionals (max_pos < 0: no limit) must
 * remain from *first. CLIENT_CONTINUE to go on, else the exit code.
 */
int client_parse_args(struct client *cl, int argc, char **argv, const struct option *opts,
		      const char *shortopts, const char *usage,
		      int (*cmd_opt)(void *ctx, int c, const char *arg), void *ctx, int min_pos,
		      int max_pos, int *first)
{
	int c;

	memset(cl, 0, sizeof(*cl));
	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		int rc;
		switch (c) {
		case OPT_URL:
			cl->url_opt = optarg;
			continue;
		case OPT_TOKEN_FILE:
			cl->token_file = optarg;
			continue;
		case OPT_CONFIG:
			cl->config = optarg;
			continue;
		case OPT_JSON:
			cl->json = true;
			continue;
		case 'h':
			printf("%s", usage);
			return 0;
		default:
			break;
		}
		rc = cmd_opt && c != '?' ? cmd_opt(ctx, c, optarg) : CLIENT_CONTINUE;
		if (rc == 0)
			continue;
		return rc == CLIENT_CONTINUE ? cli_usage(usage) : rc;
	}
	if (argc - optind < min_pos || (max_pos >= 0 && argc - optind > max_pos))
		return cli_usage(usage);
	*first = optind;
	return CLIENT_CONTINUE;
}

/* A bad option value: say which, print usage, exit 2. */
int client_bad_value(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "dagd: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return cli_usage(usage);
}

/* --- the daemon's address and token ------------------------------------------------ */

/* "http://" + the listen of the config `dagd serve` would read; NULL if broken. */
static char *url_from_config(const char *path)
{
	struct config *cfg = cli_config(path);
	const char *listen;
	char *url;

	if (!cfg)
		return NULL;
	listen = cfg->listen;
	if (!listen || !*listen)
		url = xstrdup(CLIENT_DEFAULT_URL);
	else if (strncmp(listen, "0.0.0.0:", 8) == 0) /* every address: ask over loopback */
		url = xasprintf("http://127.0.0.1:%s", listen + 8);
	else if (strncmp(listen, "[::]:", 5) == 0)
		url = xasprintf("http://[::1]:%s", listen + 5);
	else
		url = xasprintf("http://%s", listen);
	config_free(cfg);
	return url;
}

static int load_token(struct client *cl)
{
	const char *env = getenv("DAGD_TOKEN");
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (cl->token_file) {
		rc = read_file(cl->token_file, CLIENT_TOKEN_FILE_MAX, &buf, &len);
		if (rc != 0) {
			fprintf(stderr, "dagd: cannot read token file %s: %s\n", cl->token_file,
				dagd_strerror(rc));
			return 1;
		}
	} else if (env && *env) {
		buf = xstrdup(env);
		len = strlen(buf);
	} else {
		return 0;
	}
	/* trimmed as `dagd serve` trims api_token_file */
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)buf[i] <= ' ' || buf[i] == 0x7f) {
			fprintf(stderr,
				"dagd: the token in %s holds a space or a control character\n",
				cl->token_file ? cl->token_file : "DAGD_TOKEN");
			memset(buf, 0, len);
			free(buf);
			return 1;
		}
	if (len == 0) {
		fprintf(stderr, "dagd: the token in %s is empty\n",
			cl->token_file ? cl->token_file : "DAGD_TOKEN");
		free(buf);
		return 1;
	}
	cl->token = xstrdup(buf);
	memset(buf, 0, len);
	free(buf);
	return 0;
}

/* Find the daemon and the token; 0, or 1 with a message printed. */
int client_open(struct client *cl)
{
	const char *env = getenv("DAGD_URL");
	char err[512];

	if (cl->url_opt)
		cl->url_text = xstrdup(cl->url_opt);
	else if (env && *env)
		cl->url_text = xstrdup(env);
	else if (!(cl->url_text = url_from_config(cl->config)))
		return 1;
	if (http_url_parse(cl->url_text, &cl->url, err, sizeof(err)) != 0) {
		fprintf(stderr, "dagd: bad daemon URL %s\n", err);
		return 1;
	}
	return load_token(cl);
}

/* --- calls ------------------------------------------------------------------------ */

/* "/api/v1/dags/" dag "/runs/" run ...: literals and (encoded) segments
 * alternate, NULL-terminated. */
char *client_path(const char *lit, ...)
{
	struct sbuf sb;
	va_list ap;
	const char *s;
	bool seg = false;

	sbuf_init(&sb, 0);
	sbuf_adds(&sb, lit);
	va_start(ap, lit);
	while ((s = va_arg(ap, const char *)) != NULL) {
		seg = !seg;
		if (seg)
			http_pct_encode(&sb, s);
		else
			sbuf_adds(&sb, s);
	}
	va_end(ap);
	return sbuf_take(&sb);
}

void client_http_error(const struct client *cl, const struct http_response *r)
{
	json_t *j = json_loadb(r->body ? r->body : "", r->body_len, 0, NULL);
	const char *e = json_string_value(json_object_get(j, "error"));
	const char *d = json_string_value(json_object_get(j, "detail"));

	if (e)
		fprintf(stderr, "dagd: %s: %s\n", e, d ? d : "");
	else
		fprintf(stderr, "dagd: %s answered HTTP %d %s\n", cl->url_text, r->status,
			r->reason ? r->reason : "");
	if (r->status == 401 && !cl->token)
		fprintf(stderr, "dagd: give the daemon's API token with --token-file FILE or "
				"DAGD_TOKEN\n");
	json_decref(j);
}

/* Send one request; 0 on a 2xx answer, else 1 with the reason printed. */
int client_call_raw(const struct client *cl, struct http_request *req, struct http_response *r)
{
	char err[512];
	int rc;

	req->token = cl->token;
	rc = http_client_request(&cl->url, req, r, err, sizeof(err));
	if (rc == DAGD_ESYS) {
		fprintf(stderr, "dagd: cannot reach dagd at %s: %s\n", cl->url_text, err);
		return 1;
	}
	if (rc != 0) {
		fprintf(stderr, "dagd: %s %s at %s: %s\n", req->method, req->path, cl->url_text,
			err);
		return 1;
	}
	if (r->status < 200 || r->status > 299) {
		client_http_error(cl, r);
		http_response_release(r);
		return 1;
	}
	return 0;
}

/* A JSON call: body (borrowed, may be NULL) out, a JSON answer in *a. */
int client_call(const struct client *cl, const char *method, const char *path,
		const json_t *body, struct answer *a)
{
	struct http_request req = {.method = method, .path = path};
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_error_t je;
	int rc;

	memset(a, 0, sizeof(*a));
	if (body && !text) {
		fprintf(stderr, "dagd: out of memory\n");
		return 1;
	}
	req.body = text;
	req.body_len = text ? strlen(text) : 0;
	rc = client_call_raw(cl, &req, &a->http);
	free(text);
	if (rc != 0)
		return rc;
	a->json = json_loadb(a->http.body, a->http.body_len, 0, &je);
	if (!a->json) {
		fprintf(stderr, "dagd: the answer of %s %s is not JSON: %s\n", method, path,
			je.text);
		client_answer_release(a);
		return 1;
	}
	return 0;
}

/* --json: the server's JSON as is, on one line (re-encoded only if the
 * server had spread it over several). */
void client_print_raw(const struct answer *a)
{
	const char *b = a->http.body;
	size_t n = a->http.body_len;

	while (n > 0 && b[n - 1] == '\n')
		n--;
	if (memchr(b, '\n', n)) {
		char *s = json_dumps(a->json, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
		printf("%s\n", s ? s : "null");
		free(s);
		return;
	}
	fwrite(b, 1, n, stdout);
	putchar('\n');
}

/* --- dags, runs ----------------------------------------------------------------------- */

static const char dags_usage[] = "usage: dagd dags [options]\n" COMMON_USAGE;

int cli_dags(int argc, char **argv)
{
	static const struct option opts[] = {COMMON_OPTS, {NULL, 0, NULL, 0}};
	struct client cl;
	struct answer a;
	int first, rc;

	rc = client_parse_args(&cl, argc, argv, opts, "h", dags_usage, NULL, NULL, 0, 0, &first);
	if (rc != CLIENT_CONTINUE)
		return rc;
	if ((rc = client_open(&cl)) == 0 &&
	    (rc = client_call(&cl, "GET", "/api/v1/dags", NULL, &a)) == 0) {
		if (cl.json)
			client_print_raw(&a);
		else
			cli_fmt_dags(a.json, stdout);
		client_answer_release(&a);
	}
	client_release(&cl);
	return rc;
}

static const char runs_usage[] =
	"usage: dagd runs DAG [--state queued|running|success|failed] [--limit N] [options]\n"
	COMMON_USAGE;

struct runs_opts {
	const char *state;
	int64_t limit;
};

static int runs_opt(void *ctx, int c, const char *arg)
{
	struct runs_opts *o = ctx;

	if (c == OPT_STATE) {
		if (strcmp(arg, "queued") && strcmp(arg, "running") && strcmp(arg, "success") &&
		    strcmp(arg, "failed"))
			return client_bad_value(
				runs_usage,
				"--state must be queued, running, success or failed, not '%s'", arg);
		o->state = arg;
		return 0;
	}
	if (c == OPT_LIMIT) {
		if (parse_i64(arg, 1, 1000, &o->limit) != 0)
			return client_bad_value(runs_usage,
						"--limit must be a number from 1 to 1000, not '%s'",
						arg);
		return 0;
	}
	return CLIENT_CONTINUE;
}

int cli_runs(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{"state", required_argument, NULL, OPT_STATE},
		{"limit", required_argument, NULL, OPT_LIMIT},
		{NULL, 0, NULL, 0},
	};
	struct runs_opts o = {NULL, 0};
	struct client cl;
	struct answer a;
	struct sbuf path;
	int first, rc;

	rc = client_parse_args(&cl, argc, argv, opts, "h", runs_usage, runs_opt, &o, 1, 1, &first);
	if (rc != CLIENT_CONTINUE)
		return rc;
	sbuf_init(&path, 0);
	sbuf_adds(&path, "/api/v1/dags/");
	http_pct_encode(&path, argv[first]);
	sbuf_adds(&path, "/runs");
	if (o.limit)
		sbuf_addf(&path, "?limit=%lld", (long long)o.limit);
	if (o.state) {
		sbuf_adds(&path, o.limit ? "&state=" : "?state=");
		http_pct_encode(&path, o.state);
	}
	if ((rc = client_open(&cl)) == 0 &&
	    (rc = client_call(&cl, "GET", sbuf_str(&path), NULL, &a)) == 0) {
		if (cl.json)
			client_print_raw(&a);
		else
			cli_fmt_runs(a.json, client_now_ms(), stdout);
		client_answer_release(&a);
	}
	sbuf_release(&path);
	client_release(&cl);
	return rc;
}

/* --- trigger ------------------------------------------------------------------------- */

/* Put --conf TEXT (a JSON object) into body as "conf"; 0, or the usage error. */
static int set_conf(json_t *body, const char *text, const char *usage)
{
	char why[256];
	json_t *conf;

	if (!text)
		return 0;
	if ((conf = cli_parse_conf(text, why, sizeof(why))) == NULL)
		return client_bad_value(usage, "%s", why);
	json_object_set_new(body, "conf", conf);
	return 0;
}

static const char trigger_usage[] =
	"usage: dagd trigger DAG [--conf JSON] [--date DATE] [--wait] [options]\n" COMMON_USAGE;

struct trigger_opts {
	const char *conf, *date;
	bool wait;
};

static int trigger_opt(void *ctx, int c, const char *arg)
{
	struct trigger_opts *o = ctx;

	switch (c) {
	case OPT_CONF:
		o->conf = arg;
		return 0;
	case OPT_DATE:
		o->date = arg;
		return 0;
	case OPT_WAIT:
		o->wait = true;
		return 0;
	default:
		return CLIENT_CONTINUE;
	}
}

bool client_run_ended(const json_t *run)
{
	const char *s = json_string_value(json_object_get(run, "state"));
	return s && (strcmp(s, "success") == 0 || strcmp(s, "failed") == 0);
}

/* Poll the run until it ends; 0 iff it succeeded. */
static int wait_run(const struct client *cl, const char *dag, const char *run_id)
{
	char *path = client_path("/api/v1/dags/", dag, "/runs/", run_id, NULL);
	int64_t t0 = client_now_ms();
	struct answer a;
	int rc;

	for (;;) {
		if ((rc = client_call(cl, "GET", path, NULL, &a)) != 0)
			break;
		if (client_run_ended(a.json)) {
			bool ok = strcmp(json_string_value(json_object_get(a.json, "state")),
					 "success") == 0;
			if (cl->json) {
				client_print_raw(&a);
			} else if (ok) {
				fprintf(stderr, "dagd: run %s succeeded after %.1fs\n", run_id,
					(double)(client_now_ms() - t0) / 1000.0);
			} else {
				fprintf(stderr, "dagd: run %s failed\n", run_id);
				cli_fmt_tasks(a.json, client_now_ms(), stderr);
			}
			client_answer_release(&a);
			rc = ok ? 0 : 1;
			break;
		}
		client_answer_release(&a);
		client_sleep_ms(CLIENT_POLL_MS);
	}
	free(path);
	return rc;
}

int cli_trigger(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{"conf", required_argument, NULL, OPT_CONF},
		{"date", required_argument, NULL, OPT_DATE},
		{"wait", no_argument, NULL, OPT_WAIT},
		{NULL, 0, NULL, 0},
	};
	struct trigger_opts o = {NULL, NULL, false};
	struct client cl;
	struct answer a;
	json_t *body;
	char *path;
	int first, rc;

	rc = client_parse_args(&cl, argc, argv, opts, "h", trigger_usage, trigger_opt, &o, 1, 1,
			       &first);
	if (rc != CLIENT_CONTINUE)
		return rc;
	body = json_object();
	if ((rc = set_conf(body, o.conf, trigger_usage)) != 0) {
		json_decref(body);
		return rc;
	}
	if (o.date)
		json_object_set_new(body, "logical_date", json_string(o.date));
	path = client_path("/api/v1/dags/", argv[first], "/runs", NULL);
	if ((rc = client_open(&cl)) == 0 && (rc = client_call(&cl, "POST", path, body, &a)) == 0) {
		const char *run_id = json_string_value(json_object_get(a.json, "run_id"));
		if (!run_id) {
			fprintf(stderr, "dagd: the answer holds no run_id\n");
			rc = 1;
		} else if (!o.wait || !cl.json) {
			if (cl.json)
				client_print_raw(&a);
			else
				printf("%s\n", run_id);
			fflush(stdout);
		}
		if (rc == 0 && o.wait)
			rc = wait_run(&cl, argv[first], run_id);
		client_answer_release(&a);
	}
	json_decref(body);
	free(path);
	client_release(&cl);
	return rc;
}

/* --- rerun, mark ---------------------------------------------------------------------- */

static const char rerun_usage[] =
	"usage: dagd rerun DAG RUN [TASK...] [--downstream] [--failed-only] [options]\n"
	COMMON_USAGE;

struct rerun_opts {
	bool downstream, failed_only;
};

static int rerun_opt(void *ctx, int c, const char *arg)
{
	struct rerun_opts *o = ctx;

	(void)arg;
	if (c == OPT_DOWNSTREAM)
		o->downstream = true;
	else if (c == OPT_FAILED_ONLY)
		o->failed_only = true;
	else
		return CLIENT_CONTINUE;
	return 0;
}

int cli_rerun(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{"downstream", no_argument, NULL, OPT_DOWNSTREAM},
		{"failed-only", no_argument, NULL, OPT_FAILED_ONLY},
		{NULL, 0, NULL, 0},
	};
	struct rerun_opts o = {false, false};
	struct client cl;
	struct answer a;
	json_t *body;
	char *path;
	int first, rc;

	rc = client_parse_args(&cl, argc, argv, opts, "h", rerun_usage, rerun_opt, &o, 2, -1,
			       &first);
	if (rc != CLIENT_CONTINUE)
		return rc;
	body = json_pack("{s:b, s:b}", "downstream", o.downstream, "failed_only", o.failed_only);
	if (argc - first > 2) {
		json_t *tasks = json_array();
		for (int i = first + 2; i < argc; i++)
			json_array_append_new(tasks, json_string(argv[i]));
		json_object_set_new(body, "tasks", tasks);
	}
	path = client_path("/api/v1/dags/", argv[first], "/runs/", argv[first + 1], "/clear", NULL);
	if ((rc = client_open(&cl)) == 0 && (rc = client_call(&cl, "POST", path, body, &a)) == 0) {
		if (cl.json) {
			client_print_raw(&a);
		} else {
			json_int_t n = json_integer_value(json_object_get(a.json, "cleared"));
			if (n == 0)
				printf("nothing to clear in run %s of %s\n", argv[first + 1], argv[first]);
			else
				printf("cleared %lld task%s in run %s of %s\n", (long long)n,
				       n == 1 ? "" : "s", argv[first + 1], argv[first]);
			cli_fmt_tasks(a.json, client_now_ms(), stdout);
		}
		client_answer_release(&a);
	}
	json_decref(body);
	free(path);
	client_release(&cl);
	return rc;
}

static const char mark_usage[] =
	"usage: dagd mark DAG RUN TASK success|failed [options]\n" COMMON_USAGE;

int cli_mark(int argc, char **argv)
{
	static const struct option opts[] = {COMMON_OPTS, {NULL, 0, NULL, 0}};
	struct client cl;
	struct answer a;
	const char *state;
	json_t *body;
	char *path;
	int first, rc;

	rc = client_parse_args(&cl, argc, argv, opts, "h", mark_usage, NULL, NULL, 4, 4, &first);
	if (rc != CLIENT_CONTINUE)
		return rc;
	state = argv[first + 3];
	if (strcmp(state, "success") != 0 && strcmp(state, "failed") != 0)
		return client_bad_value(mark_usage, "the state must be success or failed, not '%s'",
					state);
	body = json_pack("{s:s}", "state", state);
	path = client_path("/api/v1/dags/", argv[first], "/runs/", argv[first + 1], "/tasks/",
			argv[first + 2], "/state", NULL);
	if ((rc = client_open(&cl)) == 0 && (rc = client_call(&cl, "POST", path, body, &a)) == 0) {
		if (cl.json)
			client_print_raw(&a);
		else
			printf("marked %s of run %s %s\n", argv[first + 2], argv[first + 1], state);
		client_answer_release(&a);
	}
	json_decref(body);
	free(path);
	client_release(&cl);
	return rc;
}

/* --- pause, unpause -------------------------------------------------------------------- */

static int set_paused(int argc, char **argv, bool paused)
{
	static const struct option opts[] = {COMMON_OPTS, {NULL, 0, NULL, 0}};
	static const char pause_usage[] = "usage: dagd pause DAG [options]\n" COMMON_USAGE;
	static const char unpause_usage[] = "usage: dagd unpause DAG [options]\n" COMMON_USAGE;
	struct client cl;
	struct answer a;
	json_t *body;
	char *path;
	int first, rc;

	rc = client_parse_args(&cl, argc, argv, opts, "h", paused ? pause_usage : unpause_usage,
			       NULL, NULL, 1, 1, &first);
	if (rc != CLIENT_CONTINUE)
		return rc;
	body = json_pack("{s:b}", "paused", paused);
	path = client_path("/api/v1/dags/", argv[first], NULL);
	if ((rc = client_open(&cl)) == 0 && (rc = client_call(&cl, "PATCH", path, body, &a)) == 0) {
		if (cl.json)
			client_print_raw(&a);
		else
			printf("%s %s\n", paused ? "paused" : "unpaused", argv[first]);
		client_answer_release(&a);
	}
	json_decref(body);
	free(path);
	client_release(&cl);
	return rc;
}

int cli_pause(int argc, char **argv)
{
	return set_paused(argc, argv, true);
}

int cli_unpause(int argc, char **argv)
{
	return set_paused(argc, argv, false);
}

/* --- backfill ------------------------------------------------------------------------- */

static const char backfill_usage[] =
	"usage: dagd backfill DAG FROM TO [--dry-run] [--conf JSON] [options]\n"
	"       FROM, TO: YYYY-MM-DD or RFC 3339, in the DAG's time zone\n"
	"       --conf: the params of every run created (as for trigger)\n" COMMON_USAGE;

struct backfill_opts {
	const char *conf;
	bool dry;
};

static int backfill_opt(void *ctx, int c, const char *arg)
{
	struct backfill_opts *o = ctx;

	switch (c) {
	case OPT_CONF:
		o->conf = arg;
		return 0;
	case OPT_DRY_RUN:
		o->dry = true;
		return 0;
	default:
		return CLIENT_CONTINUE;
	}
}

int cli_backfill(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{"dry-run", no_argument, NULL, OPT_DRY_RUN},
		{"conf", required_argument, NULL, OPT_CONF},
		{NULL, 0, NULL, 0},
	};
	struct backfill_opts o = {0};
	struct client cl;
	struct answer a;
	json_t *body;
	char *path;
	int first, rc;

	rc = client_parse_args(&cl, argc, argv, opts, "h", backfill_usage, backfill_opt, &o, 3, 3,
			&first);
	if (rc != CLIENT_CONTINUE)
		return rc;
	body = json_pack("{s:s, s:s, s:b}", "from", argv[first + 1], "to", argv[first + 2],
			 "dry_run", o.dry);
	if (!body)
		return client_bad_value(backfill_usage, "FROM and TO must be text (UTF-8): '%s'",
				 argv[first + 1]);
	if ((rc = set_conf(body, o.conf, backfill_usage)) != 0) {
		json_decref(body);
		return rc;
	}
	path = client_path("/api/v1/dags/", argv[first], "/backfill", NULL);
	if ((rc = client_open(&cl)) == 0 && (rc = client_call(&cl, "POST", path, body, &a)) == 0) {
		if (cl.json)
			client_print_raw(&a);
		else
			cli_fmt_backfill(a.json, stdout);
		client_answer_release(&a);
	}
	json_decref(body);
	free(path);
	client_release(&cl);
	return rc;
}
