/*
 * dag_parse.c - turns a DAG file into a struct dag: the DAG-level keys
 * (schedule, timezone, dates, root, params, callbacks) and the typed
 * getters the task parser (dag_task.c) shares. Every problem is reported
 * with file:line:col and parsing goes on, so one `dagd check` shows all of
 * them. Graph and template checks follow in dag_validate.c.
 */
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "dag_internal.h"
#include "duration.h"
#include "dagd_limits.h"
#include "tz.h"

struct pos npos(const struct ynode *n)
{
	struct pos p = {1, 1};
	if (n) {
		p.line = n->line;
		p.col = n->col;
	}
	return p;
}

void perr_pos(struct pctx *c, struct pos p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diags_vadd(c->d, DIAG_ERROR, c->file, p.line, p.col, fmt, ap);
	va_end(ap);
}

void pwarn_pos(struct pctx *c, const char *file, struct pos p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diags_vadd(c->d, DIAG_WARNING, file, p.line, p.col, fmt, ap);
	va_end(ap);
}

void perr(struct pctx *c, const struct ynode *at, const char *fmt, ...)
{
	struct pos p = npos(at);
	va_list ap;

	va_start(ap, fmt);
	diags_vadd(c->d, DIAG_ERROR, c->file, p.line, p.col, fmt, ap);
	va_end(ap);
}

int get_str(struct pctx *c, const struct ynode *n, const char *what, char **out)
{
	if (!n || n->type != YN_SCALAR) {
		perr(c, n, "'%s' must be a string, not %s", what, ynode_kind(n));
		return -1;
	}
	if (memchr(n->str, '\0', n->len)) {
		perr(c, n, "'%s' contains a NUL byte", what);
		return -1;
	}
	free(*out);
	*out = xstrdup(n->str);
	return 0;
}

int get_bool(struct pctx *c, const struct ynode *n, const char *what, bool *out)
{
	static const char *const yes[] = {"true", "True", "TRUE", "yes", "on"};
	static const char *const no[] = {"false", "False", "FALSE", "no", "off"};

	if (n && n->type == YN_SCALAR && n->plain) {
		for (size_t i = 0; i < ARRAY_LEN(yes); i++) {
			if (strcmp(n->str, yes[i]) == 0) {
				*out = true;
				return 0;
			}
			if (strcmp(n->str, no[i]) == 0) {
				*out = false;
				return 0;
			}
		}
	}
	perr(c, n, "'%s' must be true or false, not %s%s%s%s", what,
	     n && n->type == YN_SCALAR ? "'" : "",
	     n && n->type == YN_SCALAR ? n->str : ynode_kind(n),
	     n && n->type == YN_SCALAR ? "'" : "", "");
	return -1;
}

int get_int(struct pctx *c, const struct ynode *n, const char *what, int64_t min, int64_t max,
	    int64_t *out)
{
	if (!n || n->type != YN_SCALAR || parse_i64(n->str, min, max, out) != 0) {
		if (n && n->type == YN_SCALAR)
			perr(c, n, "'%s' must be an integer from %lld to %lld, not '%s'", what,
			     (long long)min, (long long)max, n->str);
		else
			perr(c, n, "'%s' must be an integer, not %s", what, ynode_kind(n));
		return -1;
	}
	return 0;
}

int get_duration(struct pctx *c, const struct ynode *n, const char *what, bool neg,
		 int64_t *ms)
{
	if (!n || n->type != YN_SCALAR || duration_parse(n->str, neg, ms) != 0) {
		perr(c, n, "bad duration for '%s': '%s' (use e.g. 500ms, 30s, 15m, 2h, 1d%s)",
		     what, n && n->type == YN_SCALAR ? n->str : ynode_kind(n),
		     neg ? ", -23h" : "");
		return -1;
	}
	return 0;
}

void strlist_push(struct strlist *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = xstrdup(s);
}

bool strlist_has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

void strlist_release(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void kvlist_release(struct kvlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].val);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int get_strlist(struct pctx *c, const struct ynode *n, const char *what, bool one_ok,
		struct strlist *out)
{
	strlist_release(out);
	if (n && n->type == YN_SCALAR && one_ok) {
		strlist_push(out, n->str);
		return 0;
	}
	if (!n || n->type != YN_SEQ) {
		perr(c, n, "'%s' must be a list, not %s", what, ynode_kind(n));
		return -1;
	}
	for (size_t i = 0; i < n->n_items; i++) {
		const struct ynode *it = n->items[i];
		if (it->type != YN_SCALAR) {
			perr(c, it, "items of '%s' must be strings, not %s", what, ynode_kind(it));
			continue;
		}
		strlist_push(out, it->str);
	}
	return 0;
}

const struct ynode *strlist_node(const struct ynode *n, size_t i)
{
	if (n->type != YN_SEQ)
		return n;
	for (size_t k = 0; k < n->n_items; k++)
		if (n->items[k]->type == YN_SCALAR && i-- == 0)
			return n->items[k];
	return n;
}

const struct ynode *kvlist_node(const struct ynode *n, size_t i)
{
	for (size_t k = 0; k < n->n_pairs; k++)
		if (n->pairs[k].val->type == YN_SCALAR && i-- == 0)
			return n->pairs[k].val;
	return n;
}

int get_kvlist(struct pctx *c, const struct ynode *n, const char *what, struct kvlist *out)
{
	kvlist_release(out);
	if (!want_map(c, n, what))
		return -1;
	out->v = xcalloc(n->n_pairs, sizeof(*out->v));
	for (size_t i = 0; i < n->n_pairs; i++) {
		const struct ynode *v = n->pairs[i].val;
		struct kv *kv;
		if (v->type != YN_SCALAR) {
			perr(c, v, "values of '%s' must be strings, not %s", what, ynode_kind(v));
			continue;
		}
		kv = &out->v[out->n++];
		kv->key = xstrdup(n->pairs[i].key->str);
		kv->val = xstrdup(ynode_is_null(v) ? "" : v->str);
		kv->pos = npos(v);
	}
	return 0;
}

bool want_map(struct pctx *c, const struct ynode *n, const char *what)
{
	if (n && n->type == YN_MAP)
		return true;
	perr(c, n, "'%s' must be a mapping, not %s", what, ynode_kind(n));
	return false;
}

void check_keys(struct pctx *c, const struct ynode *map, const char *const *allowed,
		size_t n, const char *where)
{
	for (size_t i = 0; i < map->n_pairs; i++) {
		const struct ynode *k = map->pairs[i].key;
		const char *hint;
		bool ok = false;

		for (size_t j = 0; j < n && !ok; j++)
			ok = strcmp(k->str, allowed[j]) == 0;
		if (ok)
			continue;
		hint = closest_word(k->str, allowed, n);
		if (hint)
			perr(c, k, "unknown key '%s' in %s (did you mean '%s'?)", k->str, where, hint);
		else
			perr(c, k, "unknown key '%s' in %s", k->str, where);
	}
}

void add_site(struct pctx *c, long task, const char *text, const struct ynode *n,
	      enum tsite_lang lang, const char *what)
{
	struct tsite *s;

	if (!text || !strstr(text, "{{"))
		return;
	if (c->n_sites == c->alloc_sites) {
		c->alloc_sites = c->alloc_sites ? c->alloc_sites * 2 : 32;
		c->sites = xrealloc(c->sites, c->alloc_sites * sizeof(*c->sites));
	}
	s = &c->sites[c->n_sites++];
	memset(s, 0, sizeof(*s));
	s->task = task;
	s->text = text;
	s->file = c->file;
	s->pos = npos(n);
	s->block = n && n->type == YN_SCALAR && n->block;
	s->quoted = n && n->type == YN_SCALAR && !n->plain && !n->block;
	s->lang = lang;
	s->what = what;
}

char *resolve_path(const struct dag *dag, const char *path)
{
	if (path[0] == '/')
		return xstrdup(path);
	if (strcmp(path, ".") == 0)
		return xstrdup(dag->root);
	return xasprintf("%s/%s", dag->root, path);
}

/* Absolute directory of file (the file need not exist). */
static char *dir_of(const char *file)
{
	char *abs, *slash, cwd[PATH_MAX];

	if (file[0] == '/') {
		abs = xstrdup(file);
	} else {
		if (!getcwd(cwd, sizeof(cwd)))
			cwd[0] = '\0';
		abs = xasprintf("%s/%s", cwd, file);
	}
	slash = strrchr(abs, '/');
	if (slash == abs)
		slash[1] = '\0';
	else
		*slash = '\0';
	return abs;
}

static char *default_id(const char *file)
{
	const char *base = strrchr(file, '/');
	size_t n;

	base = base ? base + 1 : file;
	n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".yaml") == 0)
		n -= 5;
	else if (n > 4 && strcmp(base + n - 4, ".yml") == 0)
		n -= 4;
	return xstrndup(base, n);
}

static void parse_schedule(struct pctx *c, const struct ynode *n)
{
	struct dag *dag = c->dag;
	char err[256];
	size_t off = 0;

	if (!n) {
		dag->schedule_text = xstrdup("none");
		dag->schedule.kind = SCHED_NONE;
		return;
	}
	if (ynode_is_null(n)) {
		dag->schedule_text = xstrdup("none");
		dag->schedule.kind = SCHED_NONE;
		return;
	}
	if (get_str(c, n, "schedule", &dag->schedule_text) != 0)
		return;
	if (cron_parse(dag->schedule_text, &dag->schedule, err, sizeof(err), &off) != 0) {
		struct pos p = npos(n);
		struct schedule alt;
		char *at = xasprintf("@%s", dag->schedule_text), alt_err[8];
		size_t alt_off;
		/* 'daily' for '@daily', as Airflow users write it */
		bool preset = dag->schedule_text[0] != '@' && !strchr(dag->schedule_text, ' ') &&
			      cron_parse(at, &alt, alt_err, sizeof(alt_err), &alt_off) == 0;

		p.col += (int)off + (n->plain ? 0 : 1);
		perr_pos(c, p, "%s%s%s%s", err, preset ? " (did you mean '" : "", preset ? at : "",
			 preset ? "'?)" : "");
		free(at);
	}
}

static void parse_date(struct pctx *c, const struct ynode *n, const char *what, bool *has,
		       int64_t *out)
{
	const struct tz *z = c->dag->tz ? c->dag->tz : tz_utc();

	if (!n)
		return;
	if (n->type != YN_SCALAR || tz_parse_time(z, n->str, out) != 0) {
		perr(c, n, "bad date for '%s': '%s' (use YYYY-MM-DD or RFC 3339)", what,
		     n->type == YN_SCALAR ? n->str : ynode_kind(n));
		return;
	}
	*has = true;
}

static void parse_root(struct pctx *c, const struct ynode *n)
{
	struct dag *dag = c->dag;
	char *rel = NULL, *joined, real[PATH_MAX];

	/* A bad 'root' is reported by get_str; the DAG folder stands in so
	 * the rest of the file is still checked against a real root. */
	if (n && get_str(c, n, "root", &rel) != 0)
		n = NULL;
	if (!rel)
		rel = xstrdup(".");
	joined = rel[0] == '/' ? xstrdup(rel) : xasprintf("%s/%s", c->dir, rel);
	if (realpath(joined, real)) {
		dag->root = xstrdup(real);
	} else {
		dag->root = xstrdup(joined);
		if (n)
			perr(c, n, "root directory '%s' does not exist", rel);
	}
	free(joined);
	free(rel);
}

static const char *const param_types[] = {"", "int", "number", "bool", "date",
					  "string", "enum", "path"};

static bool is_number(const char *s, bool integer)
{
	char *end;
	if (!*s)
		return false;
	errno = 0;
	if (integer)
		(void)strtoll(s, &end, 10);
	else
		(void)strtod(s, &end);
	return !errno && *end == '\0';
}

/*
 * Check value against a typed param's rule; returns NULL when it is fine,
 * else a reason ("must be an integer"). Also used for trigger conf.
 */
const char *dag_param_check(const struct param *p, const char *value)
{
	int64_t tmp;
	switch (p->type) {
	case PT_UNTYPED:
		return "is not declared with a type, so it cannot be overridden";
	case PT_INT:
		return is_number(value, true) ? NULL : "must be an integer";
	case PT_NUMBER:
		return is_number(value, false) ? NULL : "must be a number";
	case PT_BOOL:
		return strcmp(value, "true") == 0 || strcmp(value, "false") == 0
			       ? NULL
			       : "must be true or false";
	case PT_DATE:
		return tz_parse_time(tz_utc(), value, &tmp) == 0 && strlen(value) == 10
			       ? NULL
			       : "must be a date YYYY-MM-DD";
	case PT_STRING: {
		regex_t re;
		char *anchored;
		int rc;
		if (!p->pattern)
			return NULL;
		/* the whole value must match */
		anchored = xasprintf("^(%s)$", p->pattern);
		rc = regcomp(&re, anchored, REG_EXTENDED | REG_NOSUB);
		free(anchored);
		if (rc != 0)
			return "has a pattern that does not compile";
		rc = regexec(&re, value, 0, NULL, 0);
		regfree(&re);
		return rc == 0 ? NULL : "does not match the param's pattern";
	}
	case PT_ENUM:
		return strlist_has(&p->choices, value) ? NULL : "is not one of the allowed values";
	case PT_PATH: {
		const char *s = value;
		if (!*s || *s == '/')
			return "must be a relative path";
		for (; *s; s++)
			if (!(((*s | 32) >= 'a' && (*s | 32) <= 'z') || (*s >= '0' && *s <= '9') ||
			      *s == '.' || *s == '_' || *s == '/' || *s == '-'))
				return "may hold only letters, digits and ._/-";
		for (s = value; s; s = strchr(s, '/')) {
			if (*s == '/')
				s++;
			if (strncmp(s, "..", 2) == 0 && (s[2] == '/' || s[2] == '\0'))
				return "may not contain a '..' segment";
		}
		return NULL;
	}
	}
	return "has an unknown type";
}

static void parse_param(struct pctx *c, const struct ynode *key, const struct ynode *val,
			struct param *p)
{
	static const char *const keys[] = {"default", "type", "pattern", "enum", "description"};
	const struct ynode *def, *type, *pat, *en;
	const char *why;

	p->name = xstrdup(key->str);
	p->pos = npos(key);
	if (!valid_id(p->name))
		perr(c, key, "bad param name '%s' (use letters, digits, '_', '.', '-')", p->name);
	if (val->type == YN_SCALAR) {
		p->type = PT_UNTYPED;
		p->value = xstrdup(ynode_is_null(val) ? "" : val->str);
		p->is_string = !val->plain || !(is_number(val->str, false) ||
						strcmp(val->str, "true") == 0 ||
						strcmp(val->str, "false") == 0);
		add_site(c, -1, p->value, val, TS_PLAIN, "param");
		return;
	}
	if (val->type != YN_MAP) {
		perr(c, val, "param '%s' must be a value or a mapping with 'default' and 'type'",
		     p->name);
		return;
	}
	check_keys(c, val, keys, ARRAY_LEN(keys), "a param");
	def = ymap_get(val, "default");
	type = ymap_get(val, "type");
	pat = ymap_get(val, "pattern");
	en = ymap_get(val, "enum");
	p->type = en ? PT_ENUM : PT_STRING;
	if (type) {
		bool found = false;
		for (size_t i = 1; i < ARRAY_LEN(param_types) && type->type == YN_SCALAR; i++) {
			if (strcmp(type->str, param_types[i]) == 0) {
				p->type = (enum param_type)i;
				found = true;
			}
		}
		if (!found) {
			const char *hint = type->type == YN_SCALAR
						   ? closest_word(type->str, param_types + 1,
								  ARRAY_LEN(param_types) - 1)
						   : NULL;
			perr(c, type, "unknown param type '%s'%s%s%s (use int, number, bool, date, "
				      "string, enum or path)",
			     type->type == YN_SCALAR ? type->str : "?", hint ? " (did you mean '" : "",
			     hint ? hint : "", hint ? "'?)" : "");
		}
	}
	if (pat && get_str(c, pat, "pattern", &p->pattern) == 0) {
		regex_t re;
		if (regcomp(&re, p->pattern, REG_EXTENDED | REG_NOSUB) != 0)
			perr(c, pat, "param '%s': pattern does not compile", p->name);
		else
			regfree(&re);
	}
	if (en)
		(void)get_strlist(c, en, "enum", false, &p->choices);
	if (p->type == PT_ENUM && !en)
		perr(c, type, "param '%s' of type enum needs 'enum: [...]'", p->name);
	if (!def || ynode_is_null(def)) {
		perr(c, val, "param '%s' needs a 'default'", p->name);
		p->value = xstrdup("");
		return;
	}
	if (get_str(c, def, "default", &p->value) != 0)
		return;
	p->is_string = p->type == PT_STRING || p->type == PT_PATH || p->type == PT_ENUM ||
		       p->type == PT_DATE;
	if (!strstr(p->value, "{{") && (why = dag_param_check(p, p->value)) != NULL)
		perr(c, def, "default of param '%s' %s", p->name, why);
	add_site(c, -1, p->value, def, TS_PLAIN, "param");
}

static void parse_params(struct pctx *c, const struct ynode *n)
{
	struct dag *dag = c->dag;

	if (!n || !want_map(c, n, "params"))
		return;
	dag->params = xcalloc(n->n_pairs, sizeof(*dag->params));
	for (size_t i = 0; i < n->n_pairs; i++)
		parse_param(c, n->pairs[i].key, n->pairs[i].val, &dag->params[dag->n_params++]);
}

static void parse_callback(struct pctx *c, const struct ynode *n, const char *what,
			   struct callback *cb)
{
	static const char *const keys[] = {"shell", "webhook"};
	const struct ynode *sh, *wh;

	if (!n || !want_map(c, n, what))
		return;
	check_keys(c, n, keys, ARRAY_LEN(keys), what);
	sh = ymap_get(n, "shell");
	wh = ymap_get(n, "webhook");
	if (!sh == !wh)
		perr(c, n, "'%s' needs exactly one of 'shell' or 'webhook'", what);
	if (sh)
		(void)get_str(c, sh, "shell", &cb->shell);
	if (wh) {
		const struct ynode *url = wh->type == YN_MAP ? ymap_get(wh, "url") : wh;
		static const char *const wkeys[] = {"url"};
		if (wh->type == YN_MAP)
			check_keys(c, wh, wkeys, 1, "webhook");
		if (get_str(c, url, "webhook url", &cb->webhook_url) == 0 &&
		    strncmp(cb->webhook_url, "http://", 7) != 0 &&
		    strncmp(cb->webhook_url, "https://", 8) != 0)
			perr(c, url, "webhook url must start with http:// or https://");
	}
}

static const char *const dag_keys[] = {
	"dag", "description", "schedule", "timezone", "start_date", "end_date", "catchup",
	"root", "max_active_runs", "max_active_tasks", "run_timeout", "paused", "tags",
	"params", "env", "on_failure", "on_success", "defaults", "tasks",
};

static void parse_dag_keys(struct pctx *c, const struct ynode *root)
{
	struct dag *dag = c->dag;
	const struct ynode *n;
	int64_t v;
	char err[256];

	check_keys(c, root, dag_keys, ARRAY_LEN(dag_keys), "the DAG");
	if ((n = ymap_get(root, "dag")) != NULL)
		(void)get_str(c, n, "dag", &dag->id);
	if (!dag->id)
		dag->id = default_id(c->file);
	if (!valid_id(dag->id))
		perr(c, n, "bad DAG id '%s' (use letters, digits, '_', '.', '-')", dag->id);
	if ((n = ymap_get(root, "description")) != NULL)
		(void)get_str(c, n, "description", &dag->description);

	n = ymap_get(root, "timezone");
	if (n)
		(void)get_str(c, n, "timezone", &dag->timezone);
	if (!dag->timezone)
		dag->timezone = xstrdup(c->cfg && c->cfg->timezone ? c->cfg->timezone : "UTC");
	if (tz_load(dag->timezone, &dag->tz, err, sizeof(err)) != 0)
		perr(c, n, "%s", err);

	parse_schedule(c, ymap_get(root, "schedule"));
	parse_date(c, ymap_get(root, "start_date"), "start_date", &dag->has_start,
		   &dag->start_date);
	parse_date(c, ymap_get(root, "end_date"), "end_date", &dag->has_end, &dag->end_date);
	if (dag->has_start && dag->has_end && dag->end_date < dag->start_date)
		perr(c, ymap_get(root, "end_date"), "end_date is before start_date");
	dag->schedule.anchor = dag->has_start ? dag->start_date : 0;
	if (dag->schedule.kind == SCHED_CRON && !cron_can_fire(&dag->schedule, tz_utc()))
		perr(c, ymap_get(root, "schedule"), "schedule '%s' never fires",
		     dag->schedule_text);

	if ((n = ymap_get(root, "catchup")) != NULL)
		(void)get_bool(c, n, "catchup", &dag->catchup);
	if ((n = ymap_get(root, "paused")) != NULL)
		(void)get_bool(c, n, "paused", &dag->paused);
	parse_root(c, ymap_get(root, "root"));
	dag->max_active_runs = DEFAULT_MAX_ACTIVE_RUNS;
	if ((n = ymap_get(root, "max_active_runs")) != NULL &&
	    get_int(c, n, "max_active_runs", 1, 100000, &v) == 0)
		dag->max_active_runs = (int)v;
	dag->max_active_tasks = DEFAULT_MAX_ACTIVE_TASKS;
	if ((n = ymap_get(root, "max_active_tasks")) != NULL &&
	    get_int(c, n, "max_active_tasks", 1, 100000, &v) == 0)
		dag->max_active_tasks = (int)v;
	if ((n = ymap_get(root, "run_timeout")) != NULL)
		(void)get_duration(c, n, "run_timeout", false, &dag->run_timeout_ms);
	if ((n = ymap_get(root, "tags")) != NULL)
		(void)get_strlist(c, n, "tags", true, &dag->tags);
	if ((n = ymap_get(root, "env")) != NULL && get_kvlist(c, n, "env", &dag->env) == 0)
		for (size_t i = 0; i < dag->env.n; i++)
			add_site(c, -1, dag->env.v[i].val, kvlist_node(n, i), TS_PLAIN, "env");
	parse_params(c, ymap_get(root, "params"));
	parse_callback(c, ymap_get(root, "on_failure"), "on_failure", &dag->on_failure);
	parse_callback(c, ymap_get(root, "on_success"), "on_success", &dag->on_success);
}

int dag_load(const char *file, const char *buf, size_t len, const struct config *cfg,
	     struct dag **out, struct diags *d)
{
	struct pctx c = {.file = file, .d = d, .cfg = cfg};
	struct ynode *root = NULL;
	size_t errors_before = d->errors;
	const struct ynode *tasks, *defaults;

	*out = NULL;
	if (ydoc_parse(buf, len, file, &root, d) != 0)
		return DAGD_EINVAL;
	if (!root || root->type != YN_MAP) {
		diags_add(d, DIAG_ERROR, file, root ? root->line : 1, root ? root->col : 1,
			  "a DAG file must be a mapping with 'tasks'");
		ynode_free(root);
		return DAGD_EINVAL;
	}
	c.dag = xcalloc(1, sizeof(*c.dag));
	c.dag->file = xstrdup(file);
	c.dag->source = xstrndup(buf, len);
	c.dir = dir_of(file);
	parse_dag_keys(&c, root);
	tasks = ymap_get(root, "tasks");
	defaults = ymap_get(root, "defaults");
	if (defaults && !want_map(&c, defaults, "defaults"))
		defaults = NULL;
	if (!tasks || ynode_is_null(tasks))
		perr(&c, root, "the DAG has no 'tasks'");
	else if (want_map(&c, tasks, "tasks"))
		parse_tasks(&c, tasks, defaults);
	dag_validate(&c); /* even after errors: report them all at once */
	ynode_free(root);
	free(c.sites);
	free(c.dir);
	if (d->errors > errors_before) {
		dag_free(c.dag);
		return DAGD_EINVAL;
	}
	c.dag->refs = 1;
	*out = c.dag;
	return 0;
}

int dag_load_file(const char *file, const struct config *cfg, struct dag **out,
		  struct diags *d)
{
	char *buf;
	size_t len;
	int rc = read_file(file, DAG_FILE_MAX, &buf, &len);

	*out = NULL;
	if (rc != 0) {
		diags_add(d, DIAG_ERROR, file, 1, 1, "cannot read the file: %s",
			  rc == DAGD_ETOOBIG ? "larger than 4 MiB" : dagd_strerror(rc));
		return rc;
	}
	rc = dag_load(file, buf, len, cfg, out, d);
	free(buf);
	return rc;
}
