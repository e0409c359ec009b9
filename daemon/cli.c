/*
 * cli.c - command dispatch and the helpers every command shares: finding
 * the config, finding a DAG by id or file, parsing dates.
 */
#include "cli.h"

#include <dirent.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "daemon.h"
#include "diag.h"
#include "engine.h"
#include "store.h"
#include "tz.h"

static const char usage_text[] =
	"usage: dagd <command> [options]\n"
	"\n"
	"local commands (no daemon needed; each takes --config FILE):\n"
	"  check [FILE|DIR...]            load and validate DAG files\n"
	"  next FILE|DAG [-n N] [--after TIME]\n"
	"                                 the next N data intervals\n"
	"  render DAG TASK [DATE]         print the rendered command, SQL or load spec\n"
	"  test DAG TASK [DATE]           run one task now, no state, log to the terminal\n"
	"  run FILE|DAG [DATE] [-j N] [--conf JSON]\n"
	"                                 run a whole DAG once in the foreground\n"
	"\n"
	"the daemon:\n"
	"  serve [--config FILE]          scheduler, workers, API and dashboard\n"
	"\n"
	"client commands (ask a running daemon; each takes --url URL, --token-file FILE,\n"
	"--json; the daemon: --url, else $DAGD_URL, else the listen of the config):\n"
	"  dags                           the DAGs: paused, schedule, next and last run\n"
	"  trigger DAG [--conf JSON] [--date DATE] [--wait]\n"
	"                                 start a manual run and print its id\n"
	"  runs DAG [--state S] [--limit N]\n"
	"                                 the latest runs, newest first\n"
	"  rerun DAG RUN [TASK...] [--downstream] [--failed-only]\n"
	"                                 clear task instances so they run again\n"
	"  logs DAG RUN TASK [--try N] [-f]\n"
	"                                 a try's log; -f follows it while it runs\n"
	"  backfill DAG FROM TO [--dry-run]\n"
	"                                 create the runs of the intervals in a range\n"
	"  pause DAG, unpause DAG         stop or resume scheduling a DAG\n"
	"  mark DAG RUN TASK success|failed\n"
	"                                 set a task instance's state\n";

int cli_usage(const char *text)
{
	fprintf(stderr, "%s", text);
	return EXIT_USAGE;
}

static void walk_close_cb(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

void cli_engine_close(uv_loop_t *loop, struct engine *eng, struct store *st)
{
	engine_free(eng);
	uv_walk(loop, walk_close_cb, NULL);
	uv_run(loop, UV_RUN_DEFAULT);
	(void)uv_loop_close(loop);
	store_close(st);
}

static int remove_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 ? 0 : -1;
}

int cli_remove_tree(const char *dir)
{
	return nftw(dir, remove_cb, 16, FTW_DEPTH | FTW_PHYS);
}

json_t *cli_parse_conf(const char *text, char *why, size_t len)
{
	json_error_t je;
	json_t *conf = json_loads(text, 0, &je);

	if (json_is_object(conf))
		return conf;
	if (conf)
		snprintf(why, len, "--conf must be a JSON object, not %s",
			 json_is_array(conf) ? "a list" : "a single value");
	else
		snprintf(why, len, "--conf is not JSON: %s at column %d", je.text, je.column);
	json_decref(conf);
	return NULL;
}

int64_t cli_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

struct config *cli_config(const char *path)
{
	struct diags d;
	struct config *cfg = NULL;

	diags_init(&d);
	if (!path)
		path = config_default_path();
	if (config_load(path, &cfg, &d) != 0) {
		diags_print(&d, stderr);
		fprintf(stderr, "dagd: cannot load config %s\n", path ? path : "(defaults)");
	}
	diags_release(&d);
	return cfg;
}

static bool is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static bool has_yaml_ext(const char *name)
{
	size_t n = strlen(name);
	return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
	       (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

struct dag *cli_find_dag(const struct config *cfg, const char *arg)
{
	struct diags d;
	struct dag *dag = NULL;
	char *path = NULL;

	diags_init(&d);
	if (is_file(arg)) {
		path = xstrdup(arg);
	} else if (strchr(arg, '/') || has_yaml_ext(arg)) {
		fprintf(stderr, "dagd: no such file: %s\n", arg);
		return NULL;
	} else {
		/* an id: try <folder>/<id>.yaml first, then every file */
		char *guess = xasprintf("%s/%s.yaml", cfg->dags_folder, arg);
		if (is_file(guess)) {
			path = guess;
		} else {
			DIR *dir = opendir(cfg->dags_folder);
			struct dirent *e;
			free(guess);
			while (dir && !path && (e = readdir(dir)) != NULL) {
				struct dag *cand = NULL;
				struct diags tmp;
				char *p;
				if (!has_yaml_ext(e->d_name))
					continue;
				p = xasprintf("%s/%s", cfg->dags_folder, e->d_name);
				diags_init(&tmp);
				if (dag_load_file(p, cfg, &cand, &tmp) == 0 &&
				    strcmp(cand->id, arg) == 0)
					path = xstrdup(p);
				dag_free(cand);
				diags_release(&tmp);
				free(p);
			}
			if (dir)
				closedir(dir);
		}
	}
	if (!path) {
		fprintf(stderr, "dagd: no DAG '%s' in %s\n", arg, cfg->dags_folder);
		return NULL;
	}
	if (dag_load_file(path, cfg, &dag, &d) != 0) {
		diags_sort(&d);
		diags_print(&d, stderr);
		fprintf(stderr, "dagd: %s has errors\n", path);
		dag = NULL;
	} else if (d.warnings) {
		diags_print(&d, stderr);
	}
	diags_release(&d);
	free(path);
	return dag;
}

int cli_parse_time(const struct dag *dag, const char *s, int64_t *out)
{
	if (strcmp(s, "now") == 0) {
		*out = cli_now();
		return 0;
	}
	return tz_parse_time(dag && dag->tz ? dag->tz : tz_utc(), s, out) == 0 ? 0 : -1;
}

int cli_serve(int argc, char **argv)
{
	static const char serve_usage[] = "usage: dagd serve [--config FILE]\n";
	const char *path = NULL;

	if (argc == 3 && strcmp(argv[1], "--config") == 0)
		path = argv[2];
	else if (argc == 2 && strncmp(argv[1], "--config=", 9) == 0)
		path = argv[1] + 9;
	else if (argc != 1)
		return cli_usage(serve_usage);
	return daemon_serve(path);
}

int cli_main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{"check", cli_check},
		{"next", cli_next},
		{"render", cli_render},
		{"run", cli_run},
		{"test", cli_test},
		{"serve", cli_serve},
		{"dags", cli_dags},
		{"trigger", cli_trigger},
		{"runs", cli_runs},
		{"rerun", cli_rerun},
		{"logs", cli_logs},
		{"backfill", cli_backfill},
		{"pause", cli_pause},
		{"unpause", cli_unpause},
		{"mark", cli_mark},
	};

	if (argc < 2)
		return cli_usage(usage_text);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		printf("%s", usage_text);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_LEN(cmds); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "dagd: unknown command '%s'\n", argv[1]);
	return cli_usage(usage_text);
}
