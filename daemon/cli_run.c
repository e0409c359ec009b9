/*
 * cli_run.c - `dagd run FILE|DAG [DATE] [-j N] [--conf JSON]`: one manual
 * run of a DAG in the foreground through the same engine as the daemon
 * (rules, retries, timeouts, pools), one line per task end, a live
 * progress line on a terminal, exit 0 iff the run succeeds. With --config
 * the run is recorded in that config's store; without, in a throwaway
 * store under a temporary directory.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "daemon.h"
#include "engine.h"
#include "log.h"
#include "store.h"
#include "tz.h"

static const char run_usage[] =
	"usage: dagd run [--config FILE] FILE|DAG [DATE] [-j N] [--conf JSON]\n";

struct run_ui {
	uv_loop_t *loop;
	struct engine *eng;
	bool tty;
	size_t done, total;
	int64_t start_us;
	int result;
	bool finished;
	const char *throwaway_logs; /* kept when the run fails */
};

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The last lines of a failed try's log, so the reason shows without
 * opening it (as make shows a failed command's output). */
#define TAIL_LINES 6
#define TAIL_BYTES 4096

static void print_log_tail(struct engine *eng, const struct run *r, const char *task, int try_number)
{
	char *path = engine_log_path(eng, r->dag_id, r->run_id, task, try_number);
	char buf[TAIL_BYTES + 1];
	size_t n = 0, start;
	int lines = 0;
	FILE *f = fopen(path, "rb");

	if (f) {
		if (fseek(f, 0, SEEK_END) == 0) {
			long size = ftell(f);
			if (size > TAIL_BYTES)
				(void)fseek(f, size - TAIL_BYTES, SEEK_SET);
			else
				rewind(f);
		}
		n = fread(buf, 1, TAIL_BYTES, f);
		fclose(f);
	}
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	for (start = n; start > 0; start--)
		if (buf[start - 1] == '\n' && ++lines == TAIL_LINES)
			break;
	for (char *line = buf + start, *nl; n > 0 && *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		fprintf(stderr, "          | %s\n", line);
		if (!nl)
			break;
	}
	fprintf(stderr, "          log: %s\n", path);
	free(path);
}

static void ti_cb(void *ctx, const struct run *r, const struct ti *ti)
{
	struct run_ui *u = ctx;
	const char *id = r->dag->tasks[ti->task].id;
	double secs = ti->end_us > ti->start_us && ti->start_us
			      ? (double)(ti->end_us - ti->start_us) / 1e6
			      : 0.0;

	if (ti_state_finished(ti->state))
		u->done++;
	if (u->tty)
		fprintf(stderr, "\r\033[K");
	fprintf(stderr, "%8.3fs  %-24s %-16s try %d  %.3fs",
		(double)(now_us() - u->start_us) / 1e6, id, ti_state_name(ti->state),
		ti->try_number, secs);
	if (ti->exit_code > 0)
		fprintf(stderr, "  (exit code %d)", ti->exit_code);
	fputc('\n', stderr);
	if ((ti->state == TI_FAILED || ti->state == TI_UP_FOR_RETRY) && ti->try_number >= 1)
		print_log_tail(u->eng, r, id, ti->try_number);
	if (u->tty)
		fprintf(stderr, "[%zu/%zu done, %d running]", u->done, u->total,
			engine_running(u->eng));
}

static void done_cb(void *ctx, const struct run *r)
{
	struct run_ui *u = ctx;

	if (u->tty)
		fprintf(stderr, "\r\033[K");
	u->result = r->state == RUN_SUCCESS ? 0 : 1;
	fprintf(stderr, "run %s of %s: %s in %.3fs%s%s%s\n", r->run_id, r->dag_id,
		run_state_name(r->state), (double)(now_us() - u->start_us) / 1e6,
		u->result && u->throwaway_logs ? " (logs kept in " : "",
		u->result && u->throwaway_logs ? u->throwaway_logs : "",
		u->result && u->throwaway_logs ? ")" : "");
	u->finished = true;
	uv_stop(u->loop);
}

int cli_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"conf", required_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config_path = NULL, *conf_text = NULL, *date = NULL;
	int64_t jobs = 0;
	struct config *cfg;
	struct dag *dag;
	struct store *st = NULL;
	struct engine *eng = NULL;
	struct run_ui ui = {.result = 1};
	struct engine_opts eo = {.schedule = false, .fsync_results = false};
	struct engine_hooks hooks = {.ctx = &ui, .ti_changed = ti_cb, .run_done = done_cb};
	json_t *conf = NULL;
	struct run *r;
	char tmp[] = "/tmp/dagd-run-XXXXXX", err[512], *job_bin = NULL;
	bool throwaway = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:j:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			break;
		case 'C':
			conf_text = optarg;
			break;
		case 'j':
			if (parse_i64(optarg, 1, 100000, &jobs) != 0)
				return cli_usage(run_usage);
			break;
		case 'h':
			printf("%s", run_usage);
			return 0;
		default:
			return cli_usage(run_usage);
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		return cli_usage(run_usage);
	if (argc - optind == 2)
		date = argv[optind + 1];
	if (conf_text && (conf = cli_parse_conf(conf_text, err, sizeof(err))) == NULL) {
		fprintf(stderr, "dagd: %s\n", err);
		return EXIT_USAGE;
	}
	cfg = cli_config(config_path);
	if (!cfg) {
		json_decref(conf);
		return 1;
	}
	if (!config_path && !getenv("DAGD_STATE")) {
		/* no config named: a throwaway store and logs */
		if (!mkdtemp(tmp)) {
			perror("dagd: mkdtemp");
			goto out;
		}
		throwaway = true;
		free(cfg->state);
		cfg->state = xasprintf("sqlite://%s/state.db", tmp);
		free(cfg->logs_folder);
		cfg->logs_folder = xasprintf("%s/logs", tmp);
		ui.throwaway_logs = cfg->logs_folder;
	}
	dag = cli_find_dag(cfg, argv[optind]);
	if (!dag)
		goto out;
	log_set_level(getenv("DAGD_LOG") ? LOG_INFO : LOG_WARN);
	if (store_open(cfg->state, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "dagd: cannot open the state store: %s\n", err);
		dag_unref(dag);
		goto out;
	}
	ui.loop = uv_default_loop();
	ui.tty = isatty(STDERR_FILENO);
	ui.total = dag->n_tasks;
	ui.start_us = now_us();
	job_bin = daemon_job_bin();
	eo.job_bin = job_bin;
	eo.parallelism = (int)jobs;
	engine_new(ui.loop, cfg, st, &eo, &hooks, &eng);
	ui.eng = eng;
	engine_dag_changed(eng, dag->id, dag);
	/* a `within` external_task sensor needs the other DAG's schedule to
	 * know which of its runs to wait for: load those DAGs too (nothing is
	 * scheduled here, so they only lend their schedules) */
	for (size_t i = 0; i < dag->n_tasks; i++) {
		const struct sensor_spec *s = dag->tasks[i].sensor;
		struct dag *other;
		if (dag->tasks[i].kind != KIND_SENSOR || !s || s->kind != SENSOR_EXTERNAL ||
		    s->match != MATCH_WITHIN || !s->ext_dag || engine_dag(eng, s->ext_dag))
			continue;
		if ((other = cli_find_dag(cfg, s->ext_dag)) != NULL) {
			engine_dag_changed(eng, other->id, other);
			dag_unref(other);
		}
	}
	if (engine_trigger(eng, dag->id, date, conf, &r, err, sizeof(err)) != 0) {
		fprintf(stderr, "dagd: %s\n", err);
	} else {
		fprintf(stderr, "run %s of %s (%zu tasks, logs in %s%s)\n", r->run_id, dag->id,
			dag->n_tasks, cfg->logs_folder,
			throwaway ? ", removed if the run succeeds" : "");
		uv_run(ui.loop, UV_RUN_DEFAULT);
	}
	dag_unref(dag);
	cli_engine_close(ui.loop, eng, st);
out:
	/* a throwaway store goes, but for a failed run: its logs, whose paths
	 * were printed, stay */
	if (throwaway && !(ui.finished && ui.result != 0))
		(void)cli_remove_tree(tmp);
	json_decref(conf);
	free(job_bin);
	config_free(cfg);
	return ui.finished ? ui.result : 1;
}
