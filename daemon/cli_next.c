/*
 * cli_next.c - `dagd next FILE|DAG [-n N] [--after TIME]`: the next N data
 * intervals whose end is strictly after TIME, one per line as
 * "<data_interval_start> <data_interval_end>" in RFC 3339 UTC. A schedule
 * that can never fire exits 1 with a message saying "never".
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "interval.h"
#include "dagd_limits.h"
#include "tz.h"

static const char next_usage[] =
	"usage: dagd next [--config FILE] FILE|DAG [-n N] [--after TIME]\n";

int cli_next(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"after", required_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config_path = NULL, *after_s = NULL;
	int64_t count = NEXT_DEFAULT_COUNT, after;
	struct config *cfg;
	struct dag *dag;
	struct interval iv;
	int c, rc = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:n:a:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			break;
		case 'n':
			if (parse_i64(optarg, 0, 100000, &count) != 0) {
				fprintf(stderr, "dagd: -n needs a number from 0 to 100000\n");
				return cli_usage(next_usage);
			}
			break;
		case 'a':
			after_s = optarg;
			break;
		case 'h':
			printf("%s", next_usage);
			return 0;
		default:
			return cli_usage(next_usage);
		}
	}
	if (argc - optind != 1)
		return cli_usage(next_usage);
	cfg = cli_config(config_path);
	if (!cfg)
		return 1;
	dag = cli_find_dag(cfg, argv[optind]);
	if (!dag) {
		config_free(cfg);
		return 1;
	}
	after = cli_now();
	if (after_s && cli_parse_time(dag, after_s, &after) != 0) {
		fprintf(stderr, "dagd: bad --after time '%s' (use RFC 3339 or YYYY-MM-DD)\n",
			after_s);
		rc = EXIT_USAGE;
	} else if (dag->schedule.kind == SCHED_NONE) {
		fprintf(stderr, "dagd: DAG '%s' has schedule: none, so it never runs on its own; "
				"trigger it instead\n",
			dag->id);
		rc = 1;
	} else if (!cron_can_fire(&dag->schedule, dag->tz)) {
		fprintf(stderr, "dagd: schedule '%s' of DAG '%s' never fires\n",
			dag->schedule_text, dag->id);
		rc = 1;
	} else if (count > 0 && interval_first_after(dag, after, &iv) != 0) {
		fprintf(stderr, "dagd: DAG '%s' will never run again after %s (end_date)\n",
			dag->id, after_s ? after_s : "now");
	} else {
		for (int64_t i = 0; i < count; i++) {
			char a[32], b[32];
			tz_format_rfc3339(NULL, iv.start, a, sizeof(a));
			tz_format_rfc3339(NULL, iv.end, b, sizeof(b));
			printf("%s %s\n", a, b);
			if (i + 1 < count && interval_next(dag, &iv, &iv) != 0)
				break;
		}
	}
	dag_free(dag);
	config_free(cfg);
	return rc;
}
