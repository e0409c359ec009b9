/*
 * test_dag_parse.c - the DAG loader: a good DAG's structure (defaults
 * merged, edges, params, paths) and each validation error with its exact
 * file:line:col message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dag.h"
#include "diag.h"

static struct dag *load(const char *text, struct diags *d)
{
	struct dag *dag = NULL;
	diags_init(d);
	(void)dag_load("t.yaml", text, strlen(text), NULL, &dag, d);
	return dag;
}

/* true if some diagnostic formats exactly as want */
static bool has_diag(const struct diags *d, const char *want)
{
	for (size_t i = 0; i < d->n; i++) {
		char *s = diag_format(&d->v[i]);
		bool eq = strcmp(s, want) == 0;
		free(s);
		if (eq)
			return true;
	}
	return false;
}

static void dump(const struct diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		char *s = diag_format(&d->v[i]);
		print_message("  got: %s\n", s);
		free(s);
	}
}

static const char good[] =
	"dag: good\n"
	"schedule: '0 3 * * *'\n"
	"timezone: Europe/Berlin\n"
	"start_date: 2026-01-01\n"
	"catchup: true\n"
	"max_active_runs: 2\n"
	"params:\n"
	"  top_n: {default: 5, type: int}\n"
	"  region: eu\n"
	"defaults:\n"
	"  retries: 2\n"
	"  retry_delay: 30s\n"
	"  conn: warehouse\n"
	"  skip_if: select true\n"
	"tasks:\n"
	"  extract:\n"
	"    shell: echo {{ ds }}\n"
	"  load:\n"
	"    depends: [extract]\n"
	"    sql: select {{ params.top_n }}\n"
	"    retries: 0\n"
	"  report:\n"
	"    depends: [load, extract]\n"
	"    trigger_rule: all_done\n"
	"    cwd: 'out/{{ nope'\n"
	"    exec: [echo, '{{ ds_nodash }}']\n";

static void test_good_dag(void **state)
{
	struct diags d;
	struct dag *dag = load(good, &d);
	(void)state;

	if (!dag)
		dump(&d);
	assert_non_null(dag);
	assert_int_equal(d.errors, 0);
	assert_string_equal(dag->id, "good");
	assert_int_equal(dag->n_tasks, 3);
	assert_true(dag->catchup);
	assert_int_equal(dag->max_active_runs, 2);
	/* 2026-01-01 00:00 Europe/Berlin is 2025-12-31T23:00:00Z */
	assert_int_equal(dag->start_date, 1767222000);
	assert_int_equal(dag->schedule.kind, SCHED_CRON);
	/* defaults merged; a task's own value wins */
	assert_int_equal(dag->tasks[0].retries, 2);
	assert_int_equal(dag->tasks[0].retry_delay_ms, 30000);
	assert_int_equal(dag->tasks[1].retries, 0);
	/* conn from defaults applies only to kinds with a connection */
	assert_null(dag->tasks[0].conn);
	assert_string_equal(dag->tasks[1].conn, "warehouse");
	/* skip_if from defaults applies only to sql tasks */
	assert_null(dag->tasks[0].skip_if);
	assert_string_equal(dag->tasks[1].skip_if, "select true");
	assert_int_equal(dag->tasks[0].skip_exit_code, 99);
	/* edges */
	assert_int_equal(dag->tasks[2].n_up, 2);
	assert_int_equal(dag->tasks[0].n_down, 2);
	assert_int_equal(dag->tasks[2].rule, TR_ALL_DONE);
	assert_true(dag_is_ancestor(dag, 0, 2));
	assert_false(dag_is_ancestor(dag, 2, 0));
	/* topological order: extract, load, report */
	assert_int_equal(dag->topo[0], 0);
	assert_int_equal(dag->topo[2], 2);
	/* params */
	assert_int_equal(dag->n_params, 2);
	assert_int_equal(dag->params[0].type, PT_INT);
	assert_string_equal(dag->params[0].value, "5");
	assert_int_equal(dag->params[1].type, PT_UNTYPED);
	assert_string_equal(dag->tasks[2].exec.v[1], "{{ ds_nodash }}");
	/* cwd defaults to the root, an absolute path */
	assert_true(dag->tasks[0].cwd[0] == '/');
	assert_string_equal(dag->tasks[0].cwd, dag->root);
	/* a cwd is a path under the root, never a template (fuzz_dag: its
	 * text was checked as one after it was freed) */
	{
		size_t n = strlen(dag->root);
		assert_memory_equal(dag->tasks[2].cwd, dag->root, n);
		assert_string_equal(dag->tasks[2].cwd + n, "/out/{{ nope");
	}
	dag_free(dag);
	diags_release(&d);
}

static void test_param_check(void **state)
{
	struct diags d;
	struct dag *dag = load("params:\n"
			       "  n: {default: 1, type: int}\n"
			       "  p: {default: a/b, type: path}\n"
			       "  e: {default: x, enum: [x, y]}\n"
			       "  s: {default: ab, type: string, pattern: '[a-z]+'}\n"
			       "  fixed: 3\n"
			       "tasks:\n  a: {shell: 'true'}\n",
			       &d);
	(void)state;
	assert_non_null(dag);
	assert_null(dag_param_check(dag_param(dag, "n"), "42"));
	assert_string_equal(dag_param_check(dag_param(dag, "n"), "4x"), "must be an integer");
	assert_null(dag_param_check(dag_param(dag, "p"), "reports/x.csv"));
	assert_string_equal(dag_param_check(dag_param(dag, "p"), "../etc"),
			    "may not contain a '..' segment");
	assert_string_equal(dag_param_check(dag_param(dag, "p"), "a; rm"),
			    "may hold only letters, digits and ._/-");
	assert_string_equal(dag_param_check(dag_param(dag, "p"), "/etc/passwd"),
			    "must be a relative path");
	assert_null(dag_param_check(dag_param(dag, "e"), "y"));
	assert_string_equal(dag_param_check(dag_param(dag, "e"), "z"),
			    "is not one of the allowed values");
	assert_null(dag_param_check(dag_param(dag, "s"), "abc"));
	assert_string_equal(dag_param_check(dag_param(dag, "s"), "abc1"),
			    "does not match the param's pattern");
	assert_string_equal(dag_param_check(dag_param(dag, "fixed"), "4"),
			    "is not declared with a type, so it cannot be overridden");
	dag_free(dag);
	diags_release(&d);
}

struct bad_case {
	const char *text;
	const char *want;
};

static const struct bad_case bad[] = {
	{"tasks:\n  a:\n    shell: echo\n    retires: 2\n",
	 "t.yaml:4:5: error: unknown key 'retires' in task 'a' (did you mean 'retries'?)"},
	{"tasks:\n  a:\n    retries: 1\n",
	 "t.yaml:2:3: error: task 'a' has no kind: give one of shell, exec, sql, load, sensor"},
	{"tasks:\n  a:\n    shell: x\n    exec: [x]\n",
	 "t.yaml:3:5: error: task 'a' has two kinds, 'shell' and 'exec': keep one"},
	{"tasks:\n  extract: {shell: x}\n  load:\n    depends: [extrct]\n    shell: x\n",
	 "t.yaml:4:15: error: task 'load' depends on unknown task 'extrct' (did you mean 'extract'?)"},
	{"tasks:\n  a: {depends: [c], shell: x}\n  b: {depends: [a], shell: x}\n"
	 "  c: {depends: [b], shell: x}\n",
	 "t.yaml:2:3: error: dependency cycle: a -> b -> c -> a"},
	{"tasks:\n  a: {shell: x}\n  a: {shell: y}\n",
	 "t.yaml:3:3: error: duplicate key 'a' (first at line 2)"},
	{"tasks:\n  'bad id': {shell: x}\n",
	 "t.yaml:2:3: error: bad task id 'bad id' (use letters, digits, '_', '.', '-')"},
	{"tasks:\n  a: {shell: x, timeout: 5 minutes}\n",
	 "t.yaml:2:26: error: bad duration for 'timeout': '5 minutes' (use e.g. 500ms, 30s, 15m, 2h, 1d)"},
	{"tasks:\n  a: {shell: 'echo {{ dss }}'}\n",
	 "t.yaml:2:20: error: unknown template name 'dss' (did you mean 'ds'?) in shell of task 'a'"},
	{"tasks:\n  a: {shell: x}\n  b: {depends: [a], trigger_rule: all_sucess, shell: x}\n",
	 "t.yaml:3:35: error: unknown trigger rule 'all_sucess' (did you mean 'all_success'?)"},
	{"tasks:\n  w:\n    sensor: external_task\n",
	 "t.yaml:3:5: error: external_task sensor 'w' needs a 'dag'"},
	{"tasks:\n  w:\n    sensor: file\n",
	 "t.yaml:3:5: error: file sensor 'w' needs a 'path'"},
	{"tasks:\n  w:\n    sensor: sql\n    conn: c\n",
	 "t.yaml:3:5: error: sql sensor 'w' needs a 'query'"},
	{"tasks:\n  a:\n    shell: x\n    retries: many\n",
	 "t.yaml:4:14: error: 'retries' must be an integer from 0 to 1000, not 'many'"},
	{"catchup: maybe\ntasks:\n  a: {shell: x}\n",
	 "t.yaml:1:10: error: 'catchup' must be true or false, not 'maybe'"},
	{"tasks:\n  a: {shell: [x]}\n",
	 "t.yaml:2:14: error: 'shell' must be a string, not a list"},
	{"timezone: Mars/Base\ntasks:\n  a: {shell: x}\n", NULL},
	{"tasks:\n  a: {shell: x}\n  b: {shell: 'echo {{ outputs.a.n }}'}\n",
	 "t.yaml:3:20: error: 'outputs.a.n': task 'a' is not upstream of this task in shell of task 'b'"},
	{"tasks:\n  a: {sql: select 1}\n",
	 "t.yaml:2:3: error: sql task 'a' needs a 'conn' (here or in defaults)"},
	{"tasks:\n  a: {shell: x, skip_if: select 1}\n",
	 "t.yaml:2:17: error: key 'skip_if' does not apply to shell task 'a'"},
	{"tasks:\n  a: {shell: 'echo {{ ds '}\n",
	 NULL},
	{"dag: 'bad dag'\ntasks:\n  a: {shell: x}\n",
	 "t.yaml:1:6: error: bad DAG id 'bad dag' (use letters, digits, '_', '.', '-')"},
	{"tasks: []\n", "t.yaml:1:8: error: 'tasks' must be a mapping, not a list"},
	{"foo: 1\ntasks:\n  a: {shell: x}\n", "t.yaml:1:1: error: unknown key 'foo' in the DAG"},
	{"tasks:\n  a:\n    shell: x\n  b:\n    shell: |\n      echo one\n      echo {{ nope }}\n",
	 "t.yaml:7:12: error: unknown template name 'nope' in shell of task 'b'"},
	{"params:\n  n: {default: x, type: int}\ntasks:\n  a: {shell: x}\n",
	 "t.yaml:2:16: error: default of param 'n' must be an integer"},
	{"tasks:\n  a: {shell: 'echo {{ params.nope }}'}\n",
	 "t.yaml:2:20: error: unknown param 'nope' in shell of task 'a'"},
	{"schedule: daily\ntasks:\n  a: {shell: x}\n",
	 "t.yaml:1:16: error: bad cron expression 'daily': expected 5 fields (minute hour "
	 "day-of-month month day-of-week), found 1 (did you mean '@daily'?)"},
	/* an item that is not a string does not shift the others' positions */
	{"tasks:\n  a: {shell: x}\n  b: {exec: [[1], '{{ x'], depends: [[1], a, zz]}\n",
	 "t.yaml:3:46: error: task 'b' depends on unknown task 'zz'"},
	{"tasks:\n  a: {shell: x}\n  b: {exec: [[1], '{{ x'], depends: [[1], a, zz]}\n",
	 "t.yaml:3:20: error: bad template in exec of task 'b': unclosed '{{'"},
	{"env: {A: [1], B: '{{ nope }}'}\ntasks:\n  a: {shell: x}\n",
	 "t.yaml:1:19: error: unknown template name 'nope' in env"},
	/* found by fuzz_dag: a root that is not a string left no root for cwd */
	{"root: [a]\ntasks:\n  a: {shell: x}\n",
	 "t.yaml:1:7: error: 'root' must be a string, not a list"},
};

static void test_bad_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct diags d;
		struct dag *dag = load(bad[i].text, &d);
		if (dag || d.errors == 0 || (bad[i].want && !has_diag(&d, bad[i].want))) {
			print_message("case %zu: want %s\n", i, bad[i].want ? bad[i].want : "(an error)");
			dump(&d);
			fail();
		}
		diags_release(&d);
	}
}

static void test_all_errors_at_once(void **state)
{
	struct diags d;
	struct dag *dag = load("schedule: '0 25 * * *'\n"
			       "tasks:\n"
			       "  a:\n"
			       "    shell: x\n"
			       "    timout: 1h\n"
			       "  b:\n"
			       "    depends: [a, nope]\n"
			       "    shell: x\n",
			       &d);
	(void)state;
	assert_null(dag);
	if (d.errors != 3)
		dump(&d);
	assert_int_equal(d.errors, 3);
	assert_true(has_diag(&d, "t.yaml:5:5: error: unknown key 'timout' in task 'a' (did you mean 'timeout'?)"));
	assert_true(has_diag(&d, "t.yaml:7:18: error: task 'b' depends on unknown task 'nope'"));
	diags_release(&d);
	/* a duplicate key does not hide the file's other errors */
	dag = load("start_date: someday\n"
		   "tasks:\n"
		   "  a: {shell: x}\n"
		   "  a: {shell: y}\n"
		   "  b: {shell: x, timeout: soon}\n",
		   &d);
	assert_null(dag);
	if (d.errors != 3)
		dump(&d);
	assert_int_equal(d.errors, 3);
	assert_true(has_diag(&d, "t.yaml:4:3: error: duplicate key 'a' (first at line 3)"));
	assert_true(has_diag(&d, "t.yaml:1:13: error: bad date for 'start_date': 'someday' (use YYYY-MM-DD or RFC 3339)"));
	assert_true(has_diag(&d, "t.yaml:5:26: error: bad duration for 'timeout': 'soon' (use e.g. 500ms, 30s, 15m, 2h, 1d)"));
	diags_release(&d);
}

static void test_unquoted_warning(void **state)
{
	struct diags d;
	struct dag *dag = load("params:\n  who: {default: x, type: string}\n"
			       "  n: {default: 1, type: int}\n"
			       "tasks:\n"
			       "  a: {shell: 'echo {{ params.who }} {{ params.n }} {{ params.who | sh }}'}\n",
			       &d);
	(void)state;
	assert_non_null(dag);
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.warnings, 1);
	assert_true(has_diag(&d, "t.yaml:5:20: warning: string param 'params.who' is put into "
				 "shell text unquoted; write {{ params.who | sh }} (or read it from "
				 "the environment)"));
	dag_free(dag);
	diags_release(&d);
}

static void test_connections(void **state)
{
	struct config cfg = {0};
	struct conn_def conns[2] = {
		{.name = "warehouse", .url = "postgresql://u:secret@h:5433/db", .type = "postgres"},
		{.name = "dm", .url = "clickhouse://h/dm", .type = "clickhouse"},
	};
	struct diags d;
	struct dag *dag = NULL;
	const char *text = "tasks:\n"
			   "  a: {sql: select 1, conn: dm}\n"
			   "  b: {shell: 'echo {{ conn.warehouse.host }}'}\n"
			   "  c: {shell: x, conns: [warehose]}\n";
	(void)state;
	cfg.conns = conns;
	cfg.n_conns = 2;
	diags_init(&d);
	assert_int_not_equal(dag_load("t.yaml", text, strlen(text), &cfg, &dag, &d), 0);
	if (d.errors != 2)
		dump(&d);
	assert_int_equal(d.errors, 2);
	assert_true(has_diag(&d, "t.yaml:2:3: error: task 'a': connection 'dm' is of type "
				 "'clickhouse', but sql tasks need postgres"));
	assert_true(has_diag(&d, "t.yaml:4:3: error: task 'c' uses unknown connection 'warehose' "
				 "(did you mean 'warehouse'?)"));
	diags_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_dag),
		cmocka_unit_test(test_param_check),
		cmocka_unit_test(test_bad_cases),
		cmocka_unit_test(test_all_errors_at_once),
		cmocka_unit_test(test_unquoted_warning),
		cmocka_unit_test(test_connections),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
