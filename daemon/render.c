/*
 * render.c - builds the template values of a run (ds, ts, run_id,
 * params.*, conn.*, outputs.*, env.*) and renders task strings and the
 * DAGD_* environment from them. Dates: ds, ds_nodash, ts, prev_ds and
 * next_ds are in the DAG's time zone; logical_date and the data interval
 * are RFC 3339 UTC.
 */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dagd_limits.h"
#include "tz.h"

struct lookup {
	const struct run_values *rv;
	const struct task *t;
	char buf[8][64];
	char *owned[4];
	size_t n_owned;
};

static const struct tz *dag_tz(const struct run_values *rv)
{
	return rv->dag->tz ? rv->dag->tz : tz_utc();
}

static void fmt_ds(const struct run_values *rv, int64_t utc, char *buf, size_t len, bool nodash)
{
	struct civil cv;

	civil_from_secs(utc + tz_offset(dag_tz(rv), utc), &cv);
	snprintf(buf, len, nodash ? "%04d%02d%02d" : "%04d-%02d-%02d", cv.year, cv.month, cv.day);
}

const char *render_param(const struct run_values *rv, const struct param *p)
{
	if (rv->conf)
		for (size_t i = 0; i < rv->conf->n; i++)
			if (strcmp(rv->conf->v[i].key, p->name) == 0)
				return rv->conf->v[i].val;
	return p->value;
}

static const char *keep(struct lookup *lk, char *s)
{
	if (lk->n_owned == ARRAY_LEN(lk->owned)) {
		free(lk->owned[0]);
		memmove(lk->owned, lk->owned + 1, sizeof(lk->owned) - sizeof(lk->owned[0]));
		lk->n_owned--;
	}
	lk->owned[lk->n_owned++] = s;
	return s;
}

static int lookup_builtin(struct lookup *lk, const char *name, struct tv *out)
{
	const struct run_values *rv = lk->rv;
	int64_t start = rv->data_interval_start, end = rv->data_interval_end, prev;
	char *b = lk->buf[0];
	size_t bl = sizeof(lk->buf[0]);

	out->type = TV_STR;
	out->s = b;
	if (strcmp(name, "ds") == 0 || strcmp(name, "ds_nodash") == 0) {
		fmt_ds(rv, start, b, bl, name[2] == '_');
	} else if (strcmp(name, "ts") == 0) {
		tz_format_rfc3339(dag_tz(rv), start, b, bl);
	} else if (strcmp(name, "ts_nodash") == 0) {
		struct civil cv;
		civil_from_secs(start + tz_offset(dag_tz(rv), start), &cv);
		snprintf(b, bl, "%04d%02d%02dT%02d%02d%02d", cv.year, cv.month, cv.day, cv.hour,
			 cv.min, cv.sec);
	} else if (strcmp(name, "logical_date") == 0 ||
		   strcmp(name, "data_interval_start") == 0) {
		tz_format_rfc3339(NULL, start, b, bl);
	} else if (strcmp(name, "data_interval_end") == 0) {
		tz_format_rfc3339(NULL, end, b, bl);
	} else if (strcmp(name, "prev_ds") == 0) {
		if (cron_prev(&rv->dag->schedule, dag_tz(rv), start - 1, &prev) != 0)
			prev = start;
		fmt_ds(rv, prev, b, bl, false);
	} else if (strcmp(name, "next_ds") == 0) {
		fmt_ds(rv, end, b, bl, false);
	} else if (strcmp(name, "run_id") == 0) {
		out->s = rv->run_id ? rv->run_id : "";
	} else if (strcmp(name, "run_dir") == 0) {
		out->s = rv->run_dir ? rv->run_dir : "";
	} else if (strcmp(name, "dag_id") == 0) {
		out->s = rv->dag->id;
	} else if (strcmp(name, "task_id") == 0) {
		out->s = lk->t ? lk->t->id : "";
	} else if (strcmp(name, "try_number") == 0) {
		out->type = TV_NUM;
		snprintf(b, bl, "%d", rv->try_number > 0 ? rv->try_number : 1);
	} else if (strcmp(name, "file") == 0 && rv->file) {
		out->s = rv->file;
	} else {
		return DAGD_ENOENT;
	}
	return 0;
}

static int lookup_param(struct lookup *lk, const char *name, struct tv *out)
{
	const struct param *p = dag_param(lk->rv->dag, name);
	const char *v;

	if (!p)
		return DAGD_ENOENT;
	v = render_param(lk->rv, p);
	out->s = v;
	out->type = TV_STR;
	if (!p->is_string) {
		if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0)
			out->type = TV_BOOL;
		else
			out->type = TV_NUM;
	}
	if (p->type == PT_INT || p->type == PT_NUMBER)
		out->type = TV_NUM;
	else if (p->type == PT_BOOL)
		out->type = TV_BOOL;
	if (strstr(v, "{{")) {
		/* a param default may itself use the run's values */
		struct sbuf sb;
		struct tpl_error err;
		sbuf_init(&sb, TEMPLATE_OUT_MAX);
		if (render_string(lk->rv, NULL, v, &sb, &err) != 0) {
			sbuf_release(&sb);
			return DAGD_ENOENT;
		}
		out->s = keep(lk, sbuf_take(&sb));
	}
	return 0;
}

static int lookup_conn(struct lookup *lk, const char *rest, struct tv *out)
{
	const char *dot = strchr(rest, '.');
	char *name = dot ? xstrndup(rest, (size_t)(dot - rest)) : xstrdup(rest);
	const struct conn_def *cd = config_conn(lk->rv->cfg, name);
	char *v;

	free(name);
	if (!cd)
		return DAGD_ENOENT;
	out->type = TV_STR;
	if (!cd->url) {
		out->s = "";
		return 0;
	}
	if (!dot) {
		v = lk->rv->redact ? conn_url_redact(cd->url) : xstrdup(cd->url);
	} else if (strcmp(dot + 1, "password") == 0 && lk->rv->redact) {
		v = xstrdup("***");
	} else {
		v = conn_url_part(cd->url, dot + 1);
		if (!v)
			v = xstrdup("");
	}
	out->s = keep(lk, v);
	return 0;
}

static int lookup_cb(void *ctx, const char *name, struct tv *out)
{
	struct lookup *lk = ctx;

	if (lookup_builtin(lk, name, out) == 0)
		return 0;
	if (strncmp(name, "params.", 7) == 0)
		return lookup_param(lk, name + 7, out);
	if (strncmp(name, "conn.", 5) == 0)
		return lookup_conn(lk, name + 5, out);
	if (strncmp(name, "env.", 4) == 0) {
		const char *key = name + 4;
		if (lk->t)
			for (size_t i = 0; i < lk->t->env.n; i++)
				if (strcmp(lk->t->env.v[i].key, key) == 0) {
					out->type = TV_STR;
					out->s = lk->t->env.v[i].val;
					return 0;
				}
		for (size_t i = 0; i < lk->rv->dag->env.n; i++)
			if (strcmp(lk->rv->dag->env.v[i].key, key) == 0) {
				out->type = TV_STR;
				out->s = lk->rv->dag->env.v[i].val;
				return 0;
			}
		out->type = TV_STR;
		out->s = getenv(key) ? getenv(key) : "";
		return 0;
	}
	if (strncmp(name, "outputs.", 8) == 0) {
		const char *rest = name + 8, *dot = strchr(rest, '.');
		char *task;
		const char *v = NULL;
		if (!dot)
			return DAGD_ENOENT;
		task = xstrndup(rest, (size_t)(dot - rest));
		if (lk->rv->output)
			v = lk->rv->output(lk->rv->output_ctx, task, dot + 1);
		free(task);
		out->type = TV_STR;
		out->s = v ? v : "";
		return 0;
	}
	return DAGD_ENOENT;
}

int render_string(const struct run_values *rv, const struct task *t, const char *tpl,
		  struct sbuf *out, struct tpl_error *err)
{
	struct lookup lk = {.rv = rv, .t = t};
	int rc;

	if (!strstr(tpl, "{{")) {
		sbuf_adds(out, tpl);
		return out->overflow ? DAGD_ETOOBIG : 0;
	}
	rc = template_render(tpl, strlen(tpl), lookup_cb, &lk, dag_tz(rv), out, err);
	for (size_t i = 0; i < lk.n_owned; i++)
		free(lk.owned[i]);
	return rc;
}

static void env_add(struct strlist *env, const char *prefix, const char *name, const char *val)
{
	struct sbuf sb;

	sbuf_init(&sb, 0);
	sbuf_adds(&sb, prefix);
	env_name_append(&sb, name);
	sbuf_addc(&sb, '=');
	sbuf_adds(&sb, val);
	env->v = xrealloc(env->v, (env->n + 1) * sizeof(*env->v));
	env->v[env->n++] = sbuf_take(&sb);
}

static const char *const env_builtins[] = {
	"ds", "ds_nodash", "ts", "ts_nodash", "logical_date", "data_interval_start",
	"data_interval_end", "prev_ds", "next_ds", "run_id", "run_dir", "dag_id", "task_id",
	"try_number",
};

static int env_kvs(const struct run_values *rv, const struct task *t, const struct kvlist *kv,
		   struct strlist *env, struct tpl_error *err)
{
	for (size_t i = 0; i < kv->n; i++) {
		struct sbuf sb;
		sbuf_init(&sb, TEMPLATE_OUT_MAX);
		sbuf_adds(&sb, kv->v[i].key);
		sbuf_addc(&sb, '=');
		if (render_string(rv, t, kv->v[i].val, &sb, err) != 0) {
			sbuf_release(&sb);
			return DAGD_EINVAL;
		}
		env->v = xrealloc(env->v, (env->n + 1) * sizeof(*env->v));
		env->v[env->n++] = sbuf_take(&sb);
	}
	return 0;
}

int render_env(const struct run_values *rv, const struct task *t, struct strlist *env,
	       struct tpl_error *err)
{
	struct lookup lk = {.rv = rv, .t = t};
	const struct dag *dag = rv->dag;

	for (size_t i = 0; i < ARRAY_LEN(env_builtins); i++) {
		struct tv v;
		if (lookup_builtin(&lk, env_builtins[i], &v) == 0)
			env_add(env, "DAGD_", env_builtins[i], v.s);
	}
	for (size_t i = 0; i < dag->n_params; i++) {
		struct tv v;
		if (lookup_param(&lk, dag->params[i].name, &v) == 0)
			env_add(env, "DAGD_PARAMS_", dag->params[i].name, v.s);
	}
	for (size_t i = 0; i < lk.n_owned; i++)
		free(lk.owned[i]);
	lk.n_owned = 0;
	if (t && rv->cfg) {
		for (size_t i = 0; i < t->conns.n; i++) {
			const struct conn_def *cd = config_conn(rv->cfg, t->conns.v[i]);
			static const char *const parts[] = {"host", "port", "user", "password",
							    "database"};
			if (!cd || !cd->url)
				continue;
			env_add(env, "DAGD_CONN_", cd->name, cd->url);
			for (size_t p = 0; p < ARRAY_LEN(parts); p++) {
				char *v = conn_url_part(cd->url, parts[p]);
				char *nm = xasprintf("%s_%s", cd->name, parts[p]);
				env_add(env, "DAGD_CONN_", nm, v ? v : "");
				free(nm);
				free(v);
			}
		}
	}
	if (t && rv->output) {
		/* outputs of ancestors are added by the caller that knows them */
	}
	if (env_kvs(rv, t, &dag->env, env, err) != 0)
		return DAGD_EINVAL;
	if (t && env_kvs(rv, t, &t->env, env, err) != 0)
		return DAGD_EINVAL;
	return 0;
}

/* Parse scheme://[user[:password]@]host[:port][/database][?...]. */
char *conn_url_part(const char *url, const char *part)
{
	const char *p = strstr(url, "://"), *at, *hostend, *slash, *q;
	const char *user = NULL, *pass = NULL, *host, *port = NULL, *db = NULL;
	size_t user_len = 0, pass_len = 0, host_len, port_len = 0, db_len = 0;

	if (!p)
		return NULL;
	p += 3;
	slash = strchr(p, '/');
	q = strchr(p, '?');
	hostend = slash ? slash : (q ? q : p + strlen(p));
	at = NULL;
	for (const char *s = p; s < hostend; s++)
		if (*s == '@')
			at = s;
	if (at) {
		const char *colon = memchr(p, ':', (size_t)(at - p));
		user = p;
		user_len = (size_t)((colon ? colon : at) - p);
		if (colon) {
			pass = colon + 1;
			pass_len = (size_t)(at - pass);
		}
		host = at + 1;
	} else {
		host = p;
	}
	host_len = (size_t)(hostend - host);
	if (host_len && host[0] != '[') {
		const char *colon = memchr(host, ':', host_len);
		if (colon) {
			port = colon + 1;
			port_len = (size_t)(hostend - port);
			host_len = (size_t)(colon - host);
		}
	}
	if (slash) {
		db = slash + 1;
		db_len = q && q > slash ? (size_t)(q - db) : strlen(db);
	}
	if (strcmp(part, "user") == 0 && user)
		return xstrndup(user, user_len);
	if (strcmp(part, "password") == 0 && pass)
		return xstrndup(pass, pass_len);
	if (strcmp(part, "host") == 0 && host_len)
		return xstrndup(host, host_len);
	if (strcmp(part, "port") == 0 && port)
		return xstrndup(port, port_len);
	if (strcmp(part, "database") == 0 && db && db_len)
		return xstrndup(db, db_len);
	return NULL;
}

char *conn_url_redact(const char *url)
{
	const char *p = strstr(url, "://"), *at, *end, *colon;

	if (!p)
		return xstrdup(url);
	p += 3;
	end = p + strcspn(p, "/?");
	at = NULL;
	for (const char *s = p; s < end; s++)
		if (*s == '@')
			at = s;
	if (!at)
		return xstrdup(url);
	colon = memchr(p, ':', (size_t)(at - p));
	if (!colon)
		return xstrdup(url);
	return xasprintf("%.*s:***%s", (int)(colon - url), url, at);
}
