/*
 * cli_render.c - `dagd render DAG TASK [DATE]`: print what a try of TASK
 * would run for the run covering DATE (default: the last complete
 * interval): the shell script, argv, SQL (with skip_if, outputs, to_file),
 * load spec or sensor check, every template rendered. Passwords show as ***.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "interval.h"
#include "dagd_limits.h"
#include "render.h"
#include "tz.h"

static const char render_usage[] =
	"usage: dagd render [--config FILE] DAG TASK [DATE]\n";

struct rctx {
	const struct run_values *rv;
	const struct task *t;
	int failed;
};

static void show(struct rctx *x, const char *label, const char *tpl)
{
	struct sbuf sb;
	struct tpl_error err;

	if (!tpl)
		return;
	sbuf_init(&sb, TEMPLATE_OUT_MAX);
	if (render_string(x->rv, x->t, tpl, &sb, &err) != 0) {
		fprintf(stderr, "dagd: cannot render %s: %s (at byte %zu)\n", label, err.msg,
			err.off);
		x->failed = 1;
	} else if (label[0]) {
		printf("%s: %s\n", label, sbuf_str(&sb));
	} else {
		fputs(sbuf_str(&sb), stdout);
		if (sb.len && sb.buf[sb.len - 1] != '\n')
			putchar('\n');
	}
	sbuf_release(&sb);
}

static void show_load(struct rctx *x, const struct load_spec *l)
{
	static const char *const fmts[] = {"csv", "jsonl", "json", "text"};
	static const char *const modes[] = {"append", "truncate", "replace"};

	show(x, "file", l->file);
	if (l->from_conn)
		printf("from conn: %s\n", l->from_conn);
	show(x, "from query", l->from_query);
	printf("format: %s\n", fmts[l->format]);
	if (l->format == FMT_CSV)
		printf("delimiter: '%c'\nquote: '%c'\nheader: %s\n", l->delimiter, l->quote,
		       l->header ? "true" : "false");
	show(x, "table", l->table);
	printf("mode: %s\n", modes[l->mode]);
	show(x, "delete_where", l->delete_where);
	for (size_t i = 0; i < l->set.n; i++) {
		/* `{{ file }}` is the file being read: shown as itself */
		struct run_values rv = *x->rv;
		struct rctx xs = *x;
		char *label = xasprintf("set %s", l->set.v[i].key);
		rv.file = "{{ file }}";
		xs.rv = &rv;
		show(&xs, label, l->set.v[i].val);
		x->failed |= xs.failed;
		free(label);
	}
}

static void show_sensor(struct rctx *x, const struct sensor_spec *s)
{
	printf("sensor: %s\n", sensor_kind_name(s->kind));
	show(x, "path", s->path);
	show(x, "query", s->query);
	if (s->kind == SENSOR_TIME && s->at_min >= 0)
		printf("at: %02d:%02d\n", s->at_min / 60, s->at_min % 60);
	show(x, "dag", s->ext_dag);
	show(x, "task", s->ext_task);
}

static void show_task(struct rctx *x)
{
	const struct task *t = x->t;

	switch (t->kind) {
	case KIND_SHELL:
		show(x, "", t->shell);
		break;
	case KIND_EXEC:
		for (size_t i = 0; i < t->exec.n; i++) {
			char *label = xasprintf("argv[%zu]", i);
			show(x, label, t->exec.v[i]);
			free(label);
		}
		break;
	case KIND_SQL:
		if (t->conn)
			printf("-- conn: %s\n", t->conn);
		show(x, "", t->sql);
		show(x, "-- skip_if", t->skip_if);
		show(x, "-- outputs", t->outputs_query);
		if (t->to_file)
			show(x, "-- to_file", t->to_file->path);
		break;
	case KIND_LOAD:
		if (t->conn)
			printf("conn: %s\n", t->conn);
		show_load(x, t->load);
		break;
	case KIND_SENSOR:
		show_sensor(x, t->sensor);
		break;
	}
}

int cli_render(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config_path = NULL;
	struct config *cfg;
	struct dag *dag;
	struct interval iv;
	int64_t when;
	long ti;
	int c, rc = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		if (c == 'c')
			config_path = optarg;
		else if (c == 'h') {
			printf("%s", render_usage);
			return 0;
		} else
			return cli_usage(render_usage);
	}
	if (argc - optind < 2 || argc - optind > 3)
		return cli_usage(render_usage);
	cfg = cli_config(config_path);
	if (!cfg)
		return 1;
	dag = cli_find_dag(cfg, argv[optind]);
	if (!dag) {
		config_free(cfg);
		return 1;
	}
	ti = dag_task_index(dag, argv[optind + 1]);
	if (ti < 0) {
		fprintf(stderr, "dagd: DAG '%s' has no task '%s'\n", dag->id, argv[optind + 1]);
		rc = 1;
	} else if (argc - optind == 3 && cli_parse_time(dag, argv[optind + 2], &when) != 0) {
		fprintf(stderr, "dagd: bad date '%s' (use YYYY-MM-DD or RFC 3339)\n",
			argv[optind + 2]);
		rc = EXIT_USAGE;
	} else if ((argc - optind == 3 ? interval_for_date(dag, when, &iv)
				       : interval_last_complete(dag, cli_now(), &iv)) != 0) {
		fprintf(stderr, "dagd: DAG '%s' has no interval there\n", dag->id);
		rc = 1;
	} else {
		char start[32], run_id[64];
		struct run_values rv = {
			.dag = dag,
			.cfg = cfg,
			.data_interval_start = iv.start,
			.data_interval_end = iv.end,
			.run_id = run_id,
			.run_dir = "/tmp/dagd-render/run",
			.try_number = 1,
			.redact = true,
		};
		struct rctx x = {.rv = &rv, .t = &dag->tasks[ti]};
		tz_format_rfc3339(NULL, iv.start, start, sizeof(start));
		snprintf(run_id, sizeof(run_id), "manual__%s", start);
		show_task(&x);
		rc = x.failed;
	}
	dag_free(dag);
	config_free(cfg);
	return rc;
}
