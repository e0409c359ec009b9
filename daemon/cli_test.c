/*
 * cli_test.c - `dagd test DAG TASK [DATE]`: run one task now through the
 * engine (its other tasks removed from the run), with a throwaway store,
 * and print its log to the terminal. Exit 0 when the task succeeds (or is
 * skipped), 1 otherwise. Upstream outputs are empty, as in `airflow tasks
 * test`.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "daemon.h"
#include "engine.h"
#include "log.h"
#include "store.h"

static const char test_usage[] = "usage: dagd test [--config FILE] DAG TASK [DATE]\n";

struct test_ui {
	uv_loop_t *loop;
	struct engine *eng;
	const char *task;
	int result;
};

static void cat_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[8192];
	size_t n;

	if (!f)
		return;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
	fflush(stdout);
}

static void ti_cb(void *ctx, const struct run *r, const struct ti *ti)
{
	struct test_ui *u = ctx;
	const char *id = r->dag->tasks[ti->task].id;
	char *log;

	if (strcmp(id, u->task) != 0 || ti->try_number == 0)
		return;
	log = engine_log_path(u->eng, r->dag_id, r->run_id, id, ti->try_number);
	cat_file(log);
	fprintf(stderr, "dagd: task %s try %d: %s\n", id, ti->try_number, ti_state_name(ti->state));
	free(log);
	if (ti_state_finished(ti->state))
		u->result = ti->state == TI_SUCCESS || ti->state == TI_SKIPPED ? 0 : 1;
}

static void done_cb(void *ctx, const struct run *r)
{
	struct test_ui *u = ctx;
	(void)r;
	uv_stop(u->loop);
}

int cli_test(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config_path = NULL;
	struct test_ui ui = {.result = 1};
	struct engine_opts eo = {.schedule = false};
	struct engine_hooks hooks = {.ctx = &ui, .ti_changed = ti_cb, .run_done = done_cb};
	char tmp[] = "/tmp/dagd-test-XXXXXX", err[512], *job_bin = NULL;
	struct config *cfg;
	struct dag *dag;
	struct store *st = NULL;
	struct run *r;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		if (c == 'c')
			config_path = optarg;
		else if (c == 'h') {
			printf("%s", test_usage);
			return 0;
		} else
			return cli_usage(test_usage);
	}
	if (argc - optind < 2 || argc - optind > 3)
		return cli_usage(test_usage);
	cfg = cli_config(config_path);
	if (!cfg)
		return 1;
	if (!mkdtemp(tmp)) {
		perror("dagd: mkdtemp");
		config_free(cfg);
		return 1;
	}
	free(cfg->state);
	cfg->state = xasprintf("sqlite://%s/state.db", tmp);
	free(cfg->logs_folder);
	cfg->logs_folder = xasprintf("%s/logs", tmp);
	dag = cli_find_dag(cfg, argv[optind]);
	if (!dag)
		goto out;
	ui.task = argv[optind + 1];
	if (dag_task_index(dag, ui.task) < 0) {
		fprintf(stderr, "dagd: DAG '%s' has no task '%s'\n", dag->id, ui.task);
		dag_unref(dag);
		goto out;
	}
	log_set_level(LOG_WARN);
	if (store_open(cfg->state, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "dagd: %s\n", err);
		dag_unref(dag);
		goto out;
	}
	ui.loop = uv_default_loop();
	job_bin = daemon_job_bin();
	eo.job_bin = job_bin;
	engine_new(ui.loop, cfg, st, &eo, &hooks, &ui.eng);
	engine_dag_changed(ui.eng, dag->id, dag);
	if (engine_trigger(ui.eng, dag->id, argc - optind == 3 ? argv[optind + 2] : NULL, NULL, &r,
			   err, sizeof(err)) != 0) {
		fprintf(stderr, "dagd: %s\n", err);
	} else {
		(void)engine_isolate(ui.eng, r, ui.task);
		uv_run(ui.loop, UV_RUN_DEFAULT);
	}
	dag_unref(dag);
	cli_engine_close(ui.loop, ui.eng, st);
out:
	(void)cli_remove_tree(tmp); /* the log went to the terminal */
	free(job_bin);
	config_free(cfg);
	return ui.result;
}
