/*
 * cli_client_fmt.c - the human output of the client commands: aligned
 * tables of DAGs, runs, task instances and backfill plans, built from the
 * API's JSON (DESIGN.md section 6 field names), with times shown to the
 * second in UTC and durations in short units. Pure formatting: no HTTP,
 * no clock (now is a parameter). `--json` bypasses all of this.
 */
#include "cli_client.h"

#include <stdlib.h>
#include <string.h>

#include "tz.h"
#include "util.h"

/* --- tables ------------------------------------------------------------------- */

void cli_table_init(struct cli_table *t, size_t ncols, const char *const *headers)
{
	t->ncols = ncols;
	t->nrows = 0;
	t->cells = NULL;
	cli_table_add(t, headers);
}

void cli_table_add(struct cli_table *t, const char *const *cells)
{
	t->cells = xrealloc(t->cells, (t->nrows + 1) * t->ncols * sizeof(*t->cells));
	for (size_t i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] = xstrdup(cells[i] ? cells[i] : "-");
	t->nrows++;
}

void cli_table_print(const struct cli_table *t, FILE *f)
{
	size_t *w = xcalloc(t->ncols ? t->ncols : 1, sizeof(*w));

	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t n = strlen(t->cells[r * t->ncols + c]);
			if (n > w[c])
				w[c] = n;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * t->ncols + c];
			if (c + 1 == t->ncols)
				fprintf(f, "%s\n", cell);
			else
				fprintf(f, "%-*s  ", (int)w[c], cell);
		}
	}
	free(w);
}

void cli_table_release(struct cli_table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = 0;
}

/* --- times and durations -------------------------------------------------------- */

void cli_fmt_time(const json_t *t, char *buf, size_t len)
{
	const char *s = json_string_value(t), *dot;

	if (!s || !*s) {
		snprintf(buf, len, "-");
		return;
	}
	dot = strchr(s, '.');
	if (dot && dot[strspn(dot + 1, "0123456789") + 1] == 'Z')
		snprintf(buf, len, "%.*sZ", (int)(dot - s), s);
	else
		snprintf(buf, len, "%s", s);
}

int64_t cli_fmt_time_ms(const json_t *t)
{
	const char *s = json_string_value(t), *dot;
	int64_t secs, ms = 0;

	if (!s || tz_parse_time(tz_utc(), s, &secs) != 0)
		return -1;
	dot = strchr(s, '.');
	if (dot) {
		int scale = 100;
		for (const char *p = dot + 1; *p >= '0' && *p <= '9' && scale > 0; p++, scale /= 10)
			ms += (*p - '0') * scale;
	}
	return secs * 1000 + ms;
}

void cli_fmt_duration(const json_t *start, const json_t *end, int64_t now_ms, char *buf,
		      size_t len)
{
	int64_t a = cli_fmt_time_ms(start), b = json_is_null(end) || !end ? now_ms
									   : cli_fmt_time_ms(end);
	int64_t d, s;

	if (a < 0 || b < 0) {
		snprintf(buf, len, "-");
		return;
	}
	d = b > a ? b - a : 0;
	s = d / 1000;
	if (s < 60)
		snprintf(buf, len, "%lld.%llds", (long long)s, (long long)(d % 1000 / 100));
	else if (s < 3600)
		snprintf(buf, len, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
	else if (s < 86400)
		snprintf(buf, len, "%lldh%02lldm", (long long)(s / 3600),
			 (long long)(s % 3600 / 60));
	else
		snprintf(buf, len, "%lldd%02lldh", (long long)(s / 86400),
			 (long long)(s % 86400 / 3600));
}

/* --- the answers ------------------------------------------------------------------ */

static const char *str_or(const json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : dflt;
}

/* The duration of a run or task instance: "-" while it waits (its start,
 * if any, is a past try's), to now while it runs. */
static void row_duration(const json_t *o, int64_t now_ms, char *buf, size_t len)
{
	const json_t *end = json_object_get(o, "end");

	if (json_is_null(end) && strcmp(str_or(o, "state", ""), "running") != 0)
		snprintf(buf, len, "-");
	else
		cli_fmt_duration(json_object_get(o, "start"), end, now_ms, buf, len);
}

/* "N more; use --limit" when a page is shorter than the total. */
static void more_note(const json_t *list, size_t shown, const char *what, FILE *f)
{
	json_int_t total = json_integer_value(json_object_get(list, "total"));

	if (total > (json_int_t)shown)
		fprintf(f, "(%zu of %lld %s shown; --limit N for more)\n", shown, (long long)total,
			what);
}

void cli_fmt_dags(const json_t *list, FILE *f)
{
	static const char *const head[] = {"DAG", "PAUSED", "SCHEDULE", "NEXT_RUN", "LAST_RUN",
					   "TASKS"};
	const json_t *items = json_object_get(list, "items"), *errs;
	struct cli_table t;
	size_t i;
	json_t *d;

	if (json_array_size(items) == 0) {
		fprintf(f, "no DAGs\n");
	} else {
		cli_table_init(&t, ARRAY_LEN(head), head);
		json_array_foreach(items, i, d) {
			char next[32], tasks[24];
			json_t *last = json_array_get(json_object_get(d, "last_runs"), 0);
			json_t *nt = json_object_get(d, "tasks");
			const char *row[ARRAY_LEN(head)];
			cli_fmt_time(json_object_get(d, "next_run"), next, sizeof(next));
			snprintf(tasks, sizeof(tasks), "%lld",
				 (long long)(json_is_array(nt) ? (json_int_t)json_array_size(nt)
							       : json_integer_value(nt)));
			row[0] = str_or(d, "dag", "?");
			row[1] = json_is_true(json_object_get(d, "paused")) ? "yes" : "no";
			row[2] = str_or(d, "schedule", "-");
			row[3] = next;
			row[4] = json_string_value(last) ? json_string_value(last) : "-";
			row[5] = tasks;
			cli_table_add(&t, row);
		}
		cli_table_print(&t, f);
		cli_table_release(&t);
	}
	errs = json_object_get(list, "import_errors");
	if (json_array_size(errs) > 0) {
		fprintf(f, "\nimport errors:\n");
		json_array_foreach(errs, i, d)
			fprintf(f, "%s:%lld:%lld: error: %s\n", str_or(d, "file", "?"),
				(long long)json_integer_value(json_object_get(d, "line")),
				(long long)json_integer_value(json_object_get(d, "column")),
				str_or(d, "message", ""));
	}
}

void cli_fmt_runs(const json_t *list, int64_t now_ms, FILE *f)
{
	static const char *const head[] = {"RUN_ID", "TYPE", "STATE", "LOGICAL_DATE", "START",
					   "DURATION"};
	const json_t *items = json_object_get(list, "items");
	struct cli_table t;
	size_t i;
	json_t *r;

	if (json_array_size(items) == 0) {
		fprintf(f, "no runs\n");
		return;
	}
	cli_table_init(&t, ARRAY_LEN(head), head);
	json_array_foreach(items, i, r) {
		char ld[32], start[32], dur[32];
		const char *row[ARRAY_LEN(head)];
		cli_fmt_time(json_object_get(r, "logical_date"), ld, sizeof(ld));
		cli_fmt_time(json_object_get(r, "start"), start, sizeof(start));
		row_duration(r, now_ms, dur, sizeof(dur));
		row[0] = str_or(r, "run_id", "?");
		row[1] = str_or(r, "run_type", "-");
		row[2] = str_or(r, "state", "-");
		row[3] = ld;
		row[4] = start;
		row[5] = dur;
		cli_table_add(&t, row);
	}
	cli_table_print(&t, f);
	cli_table_release(&t);
	more_note(list, json_array_size(items), "runs", f);
}

void cli_fmt_tasks(const json_t *run, int64_t now_ms, FILE *f)
{
	static const char *const head[] = {"TASK", "STATE", "TRY", "START", "DURATION", "EXIT"};
	const json_t *items = json_object_get(run, "tasks");
	struct cli_table t;
	size_t i;
	json_t *ti;

	cli_table_init(&t, ARRAY_LEN(head), head);
	json_array_foreach(items, i, ti) {
		char try_s[24], start[32], dur[32], exit_s[24] = "-";
		const json_t *ec = json_object_get(ti, "exit_code");
		const char *row[ARRAY_LEN(head)];
		snprintf(try_s, sizeof(try_s), "%lld",
			 (long long)json_integer_value(json_object_get(ti, "try_number")));
		cli_fmt_time(json_object_get(ti, "start"), start, sizeof(start));
		row_duration(ti, now_ms, dur, sizeof(dur));
		if (json_is_integer(ec))
			snprintf(exit_s, sizeof(exit_s), "%lld", (long long)json_integer_value(ec));
		row[0] = str_or(ti, "task", "?");
		row[1] = str_or(ti, "state", "-");
		row[2] = try_s;
		row[3] = start;
		row[4] = dur;
		row[5] = exit_s;
		cli_table_add(&t, row);
	}
	cli_table_print(&t, f);
	cli_table_release(&t);
}

void cli_fmt_backfill(const json_t *answer, FILE *f)
{
	static const char *const head[] = {"RUN_ID", "DATA_INTERVAL_START", "DATA_INTERVAL_END"};
	const json_t *items = json_object_get(answer, "items");
	bool dry = json_is_true(json_object_get(answer, "dry_run"));
	size_t i, n = json_array_size(items);
	struct cli_table t;
	json_t *r;

	if (n == 0) {
		fprintf(f, "nothing to backfill: every interval of the range has a run\n");
		return;
	}
	cli_table_init(&t, ARRAY_LEN(head), head);
	json_array_foreach(items, i, r) {
		char a[32], b[32];
		const char *row[ARRAY_LEN(head)];
		cli_fmt_time(json_object_get(r, "data_interval_start"), a, sizeof(a));
		cli_fmt_time(json_object_get(r, "data_interval_end"), b, sizeof(b));
		row[0] = str_or(r, "run_id", "?");
		row[1] = a;
		row[2] = b;
		cli_table_add(&t, row);
	}
	cli_table_print(&t, f);
	cli_table_release(&t);
	fprintf(f, "%zu run%s %s\n", n, n == 1 ? "" : "s",
		dry ? "would be created (dry run)" : "created");
}
