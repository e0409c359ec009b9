/*
 * dag.c - names of the DAG enums, lookups over a loaded DAG, and dag_free.
 */
#include <stdlib.h>
#include <string.h>

#include "dag_internal.h"
#include "tz.h"

static const char *const kind_names[] = {
#define X(e, s) s,
	TASK_KINDS(X)
#undef X
};

static const char *const rule_names[] = {
#define X(e, s) s,
	TRIGGER_RULES(X)
#undef X
};

static const char *const sensor_names[] = {
#define X(e, s) s,
	SENSOR_KINDS(X)
#undef X
};

const char *task_kind_name(enum task_kind k)
{
	return (size_t)k < ARRAY_LEN(kind_names) ? kind_names[k] : "?";
}

const char *trigger_rule_name(enum trigger_rule r)
{
	return (size_t)r < ARRAY_LEN(rule_names) ? rule_names[r] : "?";
}

int trigger_rule_parse(const char *s, enum trigger_rule *out)
{
	for (size_t i = 0; i < ARRAY_LEN(rule_names); i++) {
		if (strcmp(s, rule_names[i]) == 0) {
			*out = (enum trigger_rule)i;
			return 0;
		}
	}
	return DAGD_EINVAL;
}

const char *sensor_kind_name(enum sensor_kind k)
{
	return (size_t)k < ARRAY_LEN(sensor_names) ? sensor_names[k] : "?";
}

long dag_task_index(const struct dag *dag, const char *id)
{
	for (size_t i = 0; i < dag->n_tasks; i++)
		if (dag->tasks[i].id && strcmp(dag->tasks[i].id, id) == 0)
			return (long)i;
	return -1;
}

const struct param *dag_param(const struct dag *dag, const char *name)
{
	for (size_t i = 0; i < dag->n_params; i++)
		if (strcmp(dag->params[i].name, name) == 0)
			return &dag->params[i];
	return NULL;
}

static bool reach(const struct dag *dag, size_t from, size_t to, unsigned char *seen)
{
	const struct task *t = &dag->tasks[to];

	/* walk upstream from `to` looking for `from` */
	for (size_t i = 0; i < t->n_up; i++) {
		size_t u = t->up[i];
		if (u == from)
			return true;
		if (seen[u])
			continue;
		seen[u] = 1;
		if (reach(dag, from, u, seen))
			return true;
	}
	return false;
}

bool dag_is_ancestor(const struct dag *dag, size_t a, size_t b)
{
	unsigned char *seen;
	bool r;

	if (a >= dag->n_tasks || b >= dag->n_tasks || a == b)
		return false;
	seen = xcalloc(dag->n_tasks, 1);
	r = reach(dag, a, b, seen);
	free(seen);
	return r;
}

static void free_sensor(struct sensor_spec *s)
{
	if (!s)
		return;
	free(s->path);
	free(s->query);
	free(s->ext_dag);
	free(s->ext_task);
	free(s);
}

static void free_load(struct load_spec *l)
{
	if (!l)
		return;
	free(l->file);
	free(l->from_conn);
	free(l->from_query);
	free(l->null);
	free(l->encoding);
	free(l->table);
	free(l->delete_where);
	kvlist_release(&l->set);
	kvlist_release(&l->columns);
	free(l);
}

static void free_task(struct task *t)
{
	free(t->id);
	free(t->shell);
	strlist_release(&t->exec);
	free(t->sql);
	free(t->sql_file);
	free(t->skip_if);
	free(t->outputs_query);
	if (t->to_file) {
		free(t->to_file->path);
		free(t->to_file->null);
		free(t->to_file);
	}
	free_load(t->load);
	free_sensor(t->sensor);
	strlist_release(&t->depends);
	free(t->depends_pos);
	free(t->up);
	free(t->down);
	free(t->pool);
	kvlist_release(&t->env);
	free(t->cwd);
	free(t->conn);
	strlist_release(&t->conns);
}

void dag_free(struct dag *dag)
{
	if (!dag)
		return;
	free(dag->id);
	free(dag->file);
	free(dag->source);
	free(dag->description);
	free(dag->schedule_text);
	free(dag->timezone);
	tz_free(dag->tz);
	free(dag->root);
	strlist_release(&dag->tags);
	for (size_t i = 0; i < dag->n_params; i++) {
		free(dag->params[i].name);
		free(dag->params[i].value);
		free(dag->params[i].pattern);
		strlist_release(&dag->params[i].choices);
	}
	free(dag->params);
	kvlist_release(&dag->env);
	free(dag->on_failure.shell);
	free(dag->on_failure.webhook_url);
	free(dag->on_success.shell);
	free(dag->on_success.webhook_url);
	for (size_t i = 0; i < dag->n_tasks; i++)
		free_task(&dag->tasks[i]);
	free(dag->tasks);
	free(dag->topo);
	free(dag);
}

struct dag *dag_ref(struct dag *dag)
{
	dag->refs++;
	return dag;
}

void dag_unref(struct dag *dag)
{
	if (dag && --dag->refs <= 0)
		dag_free(dag);
}
