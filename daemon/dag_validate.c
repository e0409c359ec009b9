/*
 * dag_validate.c - checks that need the whole DAG: dependencies resolve to
 * tasks (with a "did you mean"), no cycles (named a -> b -> a), a
 * topological order, template names known at check time (outputs only of
 * ancestors), connections known and of the right type, and the warning for
 * unquoted string params and outputs in sql or shell text.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dag_internal.h"
#include "template.h"

static void resolve_edges(struct pctx *c)
{
	struct dag *dag = c->dag;
	const char **ids = xcalloc(dag->n_tasks, sizeof(*ids));

	for (size_t i = 0; i < dag->n_tasks; i++)
		ids[i] = dag->tasks[i].id ? dag->tasks[i].id : "";
	for (size_t i = 0; i < dag->n_tasks; i++) {
		struct task *t = &dag->tasks[i];
		t->up = xcalloc(t->depends.n, sizeof(*t->up));
		for (size_t j = 0; j < t->depends.n; j++) {
			const char *dep = t->depends.v[j];
			struct pos p = t->depends_pos ? t->depends_pos[j] : t->pos;
			long u = dag_task_index(dag, dep);
			bool dup = false;

			if (u < 0) {
				const char *hint = closest_word(dep, ids, dag->n_tasks);
				if (hint)
					perr_pos(c, p, "task '%s' depends on unknown task '%s' (did you mean '%s'?)",
						 t->id, dep, hint);
				else
					perr_pos(c, p, "task '%s' depends on unknown task '%s'", t->id,
						 dep);
				continue;
			}
			if ((size_t)u == i) {
				perr_pos(c, p, "task '%s' depends on itself", t->id);
				continue;
			}
			for (size_t k = 0; k < t->n_up; k++)
				dup = dup || t->up[k] == (size_t)u;
			if (!dup)
				t->up[t->n_up++] = (size_t)u;
		}
	}
	for (size_t i = 0; i < dag->n_tasks; i++) {
		struct task *t = &dag->tasks[i];
		for (size_t j = 0; j < t->n_up; j++) {
			struct task *u = &dag->tasks[t->up[j]];
			u->down = xrealloc(u->down, (u->n_down + 1) * sizeof(*u->down));
			u->down[u->n_down++] = i;
		}
	}
	free(ids);
}

/* Depth-first search for cycles; colour 0 new, 1 on stack, 2 done. */
struct cyc {
	struct pctx *c;
	unsigned char *colour;
	size_t *stack;
	size_t depth;
	size_t *order;
	size_t n_order;
	bool found;
};

static void visit(struct cyc *y, size_t i)
{
	struct dag *dag = y->c->dag;
	struct task *t = &dag->tasks[i];

	y->colour[i] = 1;
	y->stack[y->depth++] = i;
	for (size_t j = 0; j < t->n_up; j++) {
		size_t u = t->up[j];
		if (y->colour[u] == 1 && !y->found) {
			/* stack[m + 1] is upstream of stack[m]; u is upstream of i and sits
			 * at stack[k - 1]: in run order u -> i -> ... -> stack[k] -> u */
			struct sbuf sb;
			size_t k = y->depth;
			while (k > 0 && y->stack[k - 1] != u)
				k--;
			sbuf_init(&sb, 0);
			sbuf_addf(&sb, "%s -> ", dag->tasks[u].id);
			for (size_t m = y->depth; m-- > k;)
				sbuf_addf(&sb, "%s -> ", dag->tasks[y->stack[m]].id);
			sbuf_adds(&sb, dag->tasks[u].id);
			perr_pos(y->c, dag->tasks[u].pos, "dependency cycle: %s", sbuf_str(&sb));
			sbuf_release(&sb);
			y->found = true;
		} else if (y->colour[u] == 0) {
			visit(y, u);
		}
	}
	y->depth--;
	y->colour[i] = 2;
	y->order[y->n_order++] = i;
}

static void find_cycles(struct pctx *c)
{
	struct dag *dag = c->dag;
	struct cyc y = {.c = c};

	y.colour = xcalloc(dag->n_tasks, 1);
	y.stack = xcalloc(dag->n_tasks, sizeof(size_t));
	y.order = xcalloc(dag->n_tasks, sizeof(size_t));
	for (size_t i = 0; i < dag->n_tasks; i++)
		if (y.colour[i] == 0)
			visit(&y, i);
	free(y.colour);
	free(y.stack);
	dag->topo = y.order; /* upstream before downstream */
}

static const char *const builtin_names[] = {
	"ds", "ds_nodash", "ts", "ts_nodash", "logical_date", "data_interval_start",
	"data_interval_end", "prev_ds", "next_ds", "run_id", "run_dir", "dag_id", "task_id",
	"try_number",
};

static const char *const conn_parts[] = {"host", "port", "user", "password", "database"};

struct site_check {
	struct pctx *c;
	const struct tsite *s;
};

/* Line and column of byte off of a site's text. */
static struct pos site_pos(const struct pctx *c, const struct tsite *s, size_t off)
{
	struct pos p = s->pos;
	size_t nl = 0, last = 0;
	bool seen_nl = false;

	for (size_t i = 0; i < off && s->text[i]; i++) {
		if (s->text[i] == '\n') {
			nl++;
			last = i + 1;
			seen_nl = true;
		}
	}
	if (s->file != c->file) { /* a sql file: exact */
		p.line = 1 + (int)nl;
		p.col = 1 + (int)(off - last);
		return p;
	}
	if (s->block) {
		/* block scalar: content starts on the next line, at its indentation */
		const char *src = c->dag->source, *line = src;
		int want = p.line + 1 + (int)nl, cur = 1, indent = 0;
		while (cur < want && line && *line) {
			line = strchr(line, '\n');
			if (line)
				line++;
			cur++;
		}
		while (line && line[indent] == ' ')
			indent++;
		p.line = want;
		p.col = indent + 1 + (int)(off - last);
		return p;
	}
	if (!seen_nl) {
		p.col += (int)off + (s->quoted ? 1 : 0);
		return p;
	}
	p.line += (int)nl;
	p.col = 1 + (int)(off - last);
	return p;
}

static void site_err(struct site_check *k, size_t off, const char *fmt, const char *a,
		     const char *b)
{
	struct pos p = site_pos(k->c, k->s, off);
	struct task *t = k->s->task >= 0 ? &k->c->dag->tasks[k->s->task] : NULL;
	struct sbuf sb;

	sbuf_init(&sb, 0);
	sbuf_addf(&sb, fmt, a, b ? b : "");
	if (t)
		sbuf_addf(&sb, " in %s of task '%s'", k->s->what, t->id);
	else
		sbuf_addf(&sb, " in %s", k->s->what);
	diags_add(k->c->d, DIAG_ERROR, k->s->file, p.line, p.col, "%s", sbuf_str(&sb));
	sbuf_release(&sb);
}

static void check_outputs_ref(struct site_check *k, const struct tpl_expr *e, const char *rest)
{
	struct dag *dag = k->c->dag;
	const char *dot = strchr(rest, '.');
	char *tid;
	long ti;

	if (!dot || dot == rest || !dot[1]) {
		site_err(k, e->off, "'%s' must be outputs.TASK.NAME%s", e->name, NULL);
		return;
	}
	tid = xstrndup(rest, (size_t)(dot - rest));
	ti = dag_task_index(dag, tid);
	if (k->s->task < 0)
		site_err(k, e->off, "'%s': outputs are only known inside tasks%s", e->name, NULL);
	else if (ti < 0)
		site_err(k, e->off, "'%s' refers to unknown task '%s'", e->name, tid);
	else if (!dag_is_ancestor(dag, (size_t)ti, (size_t)k->s->task))
		site_err(k, e->off, "'%s': task '%s' is not upstream of this task", e->name, tid);
	free(tid);
}

static void check_conn_ref(struct site_check *k, const struct tpl_expr *e, const char *rest)
{
	const struct config *cfg = k->c->cfg;
	const char *dot = strchr(rest, '.');
	char *name = dot ? xstrndup(rest, (size_t)(dot - rest)) : xstrdup(rest);

	if (dot) {
		bool ok = false;
		for (size_t i = 0; i < ARRAY_LEN(conn_parts); i++)
			ok = ok || strcmp(dot + 1, conn_parts[i]) == 0;
		if (!ok)
			site_err(k, e->off, "'%s': a connection has host, port, user, password, database%s",
				 e->name, NULL);
	}
	if (cfg && !config_conn(cfg, name))
		site_err(k, e->off, "'%s' refers to unknown connection '%s'", e->name, name);
	if (k->s->task >= 0) {
		struct task *t = &k->c->dag->tasks[k->s->task];
		if (!strlist_has(&t->conns, name))
			strlist_push(&t->conns, name);
	}
	free(name);
}

static bool quoted_by(const struct tpl_expr *e, enum tpl_filter_kind f)
{
	return e->nfilters > 0 && e->filters[e->nfilters - 1].kind == f;
}

static void maybe_warn_unquoted(struct site_check *k, const struct tpl_expr *e, bool is_output,
				const struct param *p)
{
	enum tpl_filter_kind need;
	struct pos pos;

	if (k->s->lang == TS_PLAIN)
		return;
	if (p && !(p->is_string && (p->type == PT_STRING || p->type == PT_UNTYPED)))
		return;
	if (!is_output && !p)
		return;
	need = k->s->lang == TS_SQL ? TF_SQL : TF_SH;
	if (quoted_by(e, need))
		return;
	pos = site_pos(k->c, k->s, e->off);
	diags_add(k->c->d, DIAG_WARNING, k->s->file, pos.line, pos.col,
		  "%s '%s' is put into %s text unquoted; write {{ %s | %s }} (or read it from "
		  "the environment)",
		  is_output ? "output" : "string param", e->name,
		  k->s->lang == TS_SQL ? "sql" : "shell", e->name,
		  need == TF_SQL ? "sql" : "sh");
}

static int check_expr_cb(void *ctx, const struct tpl_expr *e)
{
	struct site_check *k = ctx;
	const char *n = e->name;

	if (!n)
		return 0;
	for (size_t i = 0; i < ARRAY_LEN(builtin_names); i++)
		if (strcmp(n, builtin_names[i]) == 0)
			return 0;
	if (strcmp(n, "file") == 0 && k->s->in_load_set)
		return 0;
	if (strncmp(n, "params.", 7) == 0) {
		const struct param *p = dag_param(k->c->dag, n + 7);
		if (!p)
			site_err(k, e->off, "unknown param '%s'%s", n + 7, NULL);
		else
			maybe_warn_unquoted(k, e, false, p);
		return 0;
	}
	if (strncmp(n, "outputs.", 8) == 0) {
		check_outputs_ref(k, e, n + 8);
		maybe_warn_unquoted(k, e, true, NULL);
		return 0;
	}
	if (strncmp(n, "conn.", 5) == 0) {
		check_conn_ref(k, e, n + 5);
		return 0;
	}
	if (strncmp(n, "env.", 4) == 0 && n[4])
		return 0;
	{
		const char *hint = closest_word(n, builtin_names, ARRAY_LEN(builtin_names));
		struct sbuf sb;
		sbuf_init(&sb, 0);
		if (hint)
			sbuf_addf(&sb, " (did you mean '%s'?)", hint);
		site_err(k, e->off, "unknown template name '%s'%s", n, sbuf_str(&sb));
		sbuf_release(&sb);
	}
	return 0;
}

static void check_sites(struct pctx *c)
{
	for (size_t i = 0; i < c->n_sites; i++) {
		struct site_check k = {.c = c, .s = &c->sites[i]};
		struct tpl_error err;

		if (template_scan(k.s->text, strlen(k.s->text), check_expr_cb, &k, &err) ==
		    DAGD_EINVAL) {
			struct pos p = site_pos(c, k.s, err.off);
			struct task *t = k.s->task >= 0 ? &c->dag->tasks[k.s->task] : NULL;
			diags_add(c->d, DIAG_ERROR, k.s->file, p.line, p.col,
				  "bad template in %s%s%s%s: %s", k.s->what, t ? " of task '" : "",
				  t ? t->id : "", t ? "'" : "", err.msg);
		}
	}
}

static bool needs_postgres(const struct task *t, const char *name)
{
	if (t->kind == KIND_SQL || t->kind == KIND_LOAD)
		return (t->conn && strcmp(t->conn, name) == 0) ||
		       (t->load && t->load->from_conn && strcmp(t->load->from_conn, name) == 0);
	return t->kind == KIND_SENSOR && t->sensor && t->sensor->kind == SENSOR_SQL && t->conn &&
	       strcmp(t->conn, name) == 0;
}

static void check_conns(struct pctx *c)
{
	const struct config *cfg = c->cfg;

	if (!cfg)
		return;
	for (size_t i = 0; i < c->dag->n_tasks; i++) {
		struct task *t = &c->dag->tasks[i];
		for (size_t j = 0; j < t->conns.n; j++) {
			const struct conn_def *cd = config_conn(cfg, t->conns.v[j]);
			if (!cd) {
				const char **names = xcalloc(cfg->n_conns + 1, sizeof(*names));
				const char *hint;
				for (size_t k = 0; k < cfg->n_conns; k++)
					names[k] = cfg->conns[k].name;
				hint = closest_word(t->conns.v[j], names, cfg->n_conns);
				perr_pos(c, t->pos, "task '%s' uses unknown connection '%s'%s%s%s", t->id,
					 t->conns.v[j], hint ? " (did you mean '" : "", hint ? hint : "",
					 hint ? "'?)" : "");
				free(names);
				continue;
			}
			if (needs_postgres(t, cd->name) && strcmp(cd->type, "postgres") != 0)
				perr_pos(c, t->pos, "task '%s': connection '%s' is of type '%s', but %s "
						    "tasks need postgres",
					 t->id, cd->name, cd->type, task_kind_name(t->kind));
		}
		if (t->pool && !strstr(t->pool, "{{") && config_pool_size(cfg, t->pool) < 0 &&
		    strcmp(t->pool, "default") != 0)
			perr_pos(c, t->pos, "task '%s' uses pool '%s', which is not in the daemon "
					    "config",
				 t->id, t->pool);
	}
}

void dag_validate(struct pctx *c)
{
	resolve_edges(c);
	find_cycles(c);
	check_sites(c);
	check_conns(c);
}
