/*
 * dispatch_spec.c - the spec file of a data task's try (sql, load, sql and
 * file sensors): every template rendered, every path absolute, the
 * connection URL resolved; written 0600 next to the try's log for
 * `dagd-sql SPEC_FILE` (jobs/sql_spec.h is the contract), which deletes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "dag.h"
#include "dagd_limits.h"
#include "engine_internal.h"
#include "render.h"

struct sctx {
	const struct run_values *rv;
	const struct task *t;
	char *why;
};

/* Render tpl into a new JSON string (NULL stays JSON null). */
static json_t *rs(struct sctx *c, const char *tpl)
{
	struct sbuf sb;
	struct tpl_error err;

	if (!tpl)
		return json_null();
	sbuf_init(&sb, TEMPLATE_OUT_MAX);
	if (render_string(c->rv, c->t, tpl, &sb, &err) != 0) {
		if (!c->why)
			c->why = xasprintf("cannot render '%.40s': %s", tpl, err.msg);
		sbuf_release(&sb);
		return json_null();
	}
	{
		json_t *j = json_stringn(sbuf_str(&sb), sb.len);
		sbuf_release(&sb);
		return j ? j : json_string("");
	}
}

/* A rendered path made absolute against the DAG's root. */
static json_t *rpath(struct sctx *c, const char *tpl)
{
	json_t *j = rs(c, tpl);
	char *abs;

	if (!json_is_string(j))
		return j;
	abs = json_string_value(j)[0] == '/'
		      ? xstrdup(json_string_value(j))
		      : xasprintf("%s/%s", c->rv->dag->root, json_string_value(j));
	json_decref(j);
	j = json_string(abs);
	free(abs);
	return j;
}

static json_t *conn_url(struct sctx *c, const struct config *cfg, const char *name)
{
	const struct conn_def *cd = config_conn(cfg, name);

	if (!cd || !cd->url) {
		if (!c->why)
			c->why = cd ? xasprintf("connection '%s' has no URL: set %s", name,
						cd->url_env ? cd->url_env : "its url")
				    : xasprintf("unknown connection '%s'", name);
		return json_null();
	}
	return json_string(cd->url);
}

static json_t *kvs(struct sctx *c, const struct kvlist *l)
{
	json_t *o = json_object();
	for (size_t i = 0; i < l->n; i++)
		json_object_set_new(o, l->v[i].key, rs(c, l->v[i].val));
	return o;
}

static const char *const fmts[] = {"csv", "jsonl", "json", "text"};

static json_t *load_json(struct sctx *c, const struct config *cfg, const struct load_spec *l)
{
	static const char *const modes[] = {"append", "truncate", "replace"};
	char ch[2] = {0};
	json_t *o = json_object();

	json_object_set_new(o, "files", l->file ? rpath(c, l->file) : json_null());
	json_object_set_new(o, "from_conn", l->from_conn ? conn_url(c, cfg, l->from_conn) : json_null());
	json_object_set_new(o, "from_query", rs(c, l->from_query));
	json_object_set_new(o, "format", json_string(fmts[l->format]));
	ch[0] = l->delimiter;
	json_object_set_new(o, "delimiter", json_string(ch));
	ch[0] = l->quote;
	json_object_set_new(o, "quote", json_string(ch));
	ch[0] = l->escape;
	json_object_set_new(o, "escape", json_string(ch));
	json_object_set_new(o, "null", l->null ? json_string(l->null) : json_null());
	json_object_set_new(o, "header", json_boolean(l->header));
	json_object_set_new(o, "encoding", l->encoding ? json_string(l->encoding) : json_null());
	json_object_set_new(o, "table", rs(c, l->table));
	json_object_set_new(o, "mode", json_string(modes[l->mode]));
	json_object_set_new(o, "delete_where", rs(c, l->delete_where));
	{
		/* `{{ file }}` names the file being read, known only to the
		 * worker: render it back as itself, for dagd-sql to replace */
		struct run_values rv = *c->rv;
		struct sctx cs = *c;
		rv.file = "{{ file }}";
		cs.rv = &rv;
		json_object_set_new(o, "set", kvs(&cs, &l->set));
		c->why = cs.why;
	}
	json_object_set_new(o, "create", json_boolean(l->create));
	json_object_set_new(o, "ignore_unknown", json_boolean(l->ignore_unknown));
	{
		json_t *cols = json_object();
		for (size_t i = 0; i < l->columns.n; i++)
			json_object_set_new(cols, l->columns.v[i].key, json_string(l->columns.v[i].val));
		json_object_set_new(o, "columns", cols);
	}
	return o;
}

int dispatch_write_spec(struct engine *e, const struct ti *ti, const struct run_values *rv,
			const char *path, char **why)
{
	const struct task *t = &ti->run->dag->tasks[ti->task];
	struct sctx c = {.rv = rv, .t = t};
	json_t *spec = json_object();
	char *text;
	int fd, rc = 0;

	json_object_set_new(spec, "timeout_ms", json_integer(t->timeout_ms));
	json_object_set_new(spec, "skip_exit_code", json_integer(t->skip_exit_code ? t->skip_exit_code : 99));
	if (t->kind == KIND_SQL) {
		json_object_set_new(spec, "kind", json_string("sql"));
		json_object_set_new(spec, "conn", conn_url(&c, e->cfg, t->conn));
		json_object_set_new(spec, "sql", rs(&c, t->sql));
		json_object_set_new(spec, "sql_file", t->sql_file ? json_string(t->sql_file) : json_null());
		json_object_set_new(spec, "autocommit", json_boolean(t->autocommit));
		json_object_set_new(spec, "outputs", rs(&c, t->outputs_query));
		json_object_set_new(spec, "skip_if", rs(&c, t->skip_if));
		if (t->to_file) {
			char ch[2] = {t->to_file->delimiter, 0};
			json_object_set_new(spec, "to_file",
					    json_pack("{s:o, s:s, s:b, s:s, s:s}", "path",
						      rpath(&c, t->to_file->path), "format",
						      t->to_file->format == FMT_JSONL ? "jsonl" : "csv",
						      "header", t->to_file->header, "delimiter", ch,
						      "null", t->to_file->null ? t->to_file->null : ""));
		}
	} else if (t->kind == KIND_LOAD) {
		json_object_set_new(spec, "kind", json_string("load"));
		json_object_set_new(spec, "conn", conn_url(&c, e->cfg, t->conn));
		json_object_set_new(spec, "load", load_json(&c, e->cfg, t->load));
	} else {
		const struct sensor_spec *s = t->sensor;
		json_t *so = json_object();
		int64_t deadline = t->timeout_ms ? ti->first_start_us + t->timeout_ms * 1000 : 0;
		json_object_set_new(spec, "kind", json_string(s->kind == SENSOR_SQL ? "sensor_sql"
										   : "sensor_file"));
		if (s->kind == SENSOR_SQL)
			json_object_set_new(spec, "conn", conn_url(&c, e->cfg, t->conn));
		json_object_set_new(so, "path", s->path ? rpath(&c, s->path) : json_null());
		json_object_set_new(so, "min_size", json_integer(s->min_size));
		json_object_set_new(so, "stable_for_ms", json_integer(s->stable_for_ms));
		json_object_set_new(so, "query", rs(&c, s->query));
		json_object_set_new(so, "poke_interval_ms", json_integer(s->poke_interval_ms));
		json_object_set_new(so, "mode", json_string(s->mode == SENSOR_RESCHEDULE ? "reschedule"
										   : "poke"));
		json_object_set_new(so, "soft_fail", json_boolean(s->soft_fail));
		json_object_set_new(so, "deadline_us", json_integer(deadline));
		json_object_set_new(spec, "sensor", so);
		json_object_set_new(spec, "timeout_ms", json_integer(0)); /* the deadline rules */
	}
	if (c.why) {
		*why = c.why;
		json_decref(spec);
		return -1;
	}
	text = json_dumps(spec, JSON_COMPACT);
	json_decref(spec);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		*why = xasprintf("cannot write the spec %s: %s", path, strerror(errno));
		rc = -1;
	}
	if (fd >= 0)
		close(fd);
	free(text);
	return rc;
}
