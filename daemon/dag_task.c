/*
 * dag_task.c - parses the `tasks:` mapping: each task's kind (shell, exec,
 * sql, load, sensor) with its own keys, the common keys, and `defaults`
 * merged under them. A default a kind does not use is ignored for that
 * task; the same key written on the task itself is an error.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dag_internal.h"
#include "dagd_limits.h"

static const char *const kind_keys[] = {"shell", "exec", "sql", "load", "sensor"};
static const char *const common_keys[] = {
	"depends", "trigger_rule", "retries", "retry_delay", "retry_backoff",
	"max_retry_delay", "timeout", "pool", "priority", "env", "cwd", "conn", "conns",
	"depends_on_past", "description",
};
static const char *const process_keys[] = {"skip_exit_code"};
static const char *const sql_keys[] = {"autocommit", "skip_if", "outputs", "to_file"};
static const char *const sensor_keys[] = {
	"path", "min_size", "stable_for", "query", "at", "after", "dag", "task", "match",
	"offset", "allowed_states", "failed_states", "poke_interval", "mode", "soft_fail",
};
static const char *const load_keys[] = {
	"file", "from", "format", "delimiter", "quote", "escape", "null", "header",
	"encoding", "table", "mode", "delete_where", "set", "create", "ignore_unknown",
	"columns",
};
static const char *const to_file_keys[] = {"path", "format", "header", "delimiter", "null"};

struct tctx {
	struct pctx *c;
	const struct ynode *node;     /* the task's mapping */
	const struct ynode *defaults; /* may be NULL */
	struct task *t;
	long idx;
	bool uses_conn; /* conn from defaults applies */
};

static bool in_list(const char *k, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(k, v[i]) == 0)
			return true;
	return false;
}

#define IN(k, arr) in_list(k, arr, ARRAY_LEN(arr))

/* Keys the task's kind reads, besides the common ones. */
static bool kind_uses(enum task_kind kind, const char *k)
{
	switch (kind) {
	case KIND_SHELL:
	case KIND_EXEC:
		return IN(k, process_keys);
	case KIND_SQL:
		return IN(k, sql_keys);
	case KIND_SENSOR:
		return IN(k, sensor_keys);
	case KIND_LOAD:
		return false;
	}
	return false;
}

/* The task's value for key, else the default's when it applies. */
static const struct ynode *tget(struct tctx *x, const char *key)
{
	const struct ynode *n = ymap_get(x->node, key);

	if (n || !x->defaults)
		return n;
	if (strcmp(key, "conn") == 0 && !x->uses_conn)
		return NULL;
	return ymap_get(x->defaults, key);
}

static void check_task_keys(struct tctx *x)
{
	struct pctx *c = x->c;

	for (size_t i = 0; i < x->node->n_pairs; i++) {
		const struct ynode *k = x->node->pairs[i].key;
		const char *hint;
		const char *all[ARRAY_LEN(kind_keys) + ARRAY_LEN(common_keys) +
				ARRAY_LEN(process_keys) + ARRAY_LEN(sql_keys) +
				ARRAY_LEN(sensor_keys)];
		size_t n = 0;

		if (IN(k->str, kind_keys) || IN(k->str, common_keys) ||
		    kind_uses(x->t->kind, k->str))
			continue;
		if (IN(k->str, process_keys) || IN(k->str, sql_keys) || IN(k->str, sensor_keys)) {
			perr(c, k, "key '%s' does not apply to %s task '%s'", k->str,
			     task_kind_name(x->t->kind), x->t->id);
			continue;
		}
#define ADD(arr) for (size_t j = 0; j < ARRAY_LEN(arr); j++) all[n++] = arr[j]
		ADD(kind_keys);
		ADD(common_keys);
		ADD(process_keys);
		ADD(sql_keys);
		ADD(sensor_keys);
#undef ADD
		hint = closest_word(k->str, all, n);
		if (hint)
			perr(c, k, "unknown key '%s' in task '%s' (did you mean '%s'?)", k->str,
			     x->t->id, hint);
		else
			perr(c, k, "unknown key '%s' in task '%s'", k->str, x->t->id);
	}
}

static void check_default_keys(struct pctx *c, const struct ynode *defaults)
{
	const char *all[ARRAY_LEN(common_keys) + ARRAY_LEN(process_keys) + ARRAY_LEN(sql_keys) +
			ARRAY_LEN(sensor_keys)];
	size_t n = 0;

#define ADD(arr) for (size_t j = 0; j < ARRAY_LEN(arr); j++) all[n++] = arr[j]
	ADD(common_keys);
	ADD(process_keys);
	ADD(sql_keys);
	ADD(sensor_keys);
#undef ADD
	check_keys(c, defaults, all, n, "defaults");
	for (size_t i = 0; i < defaults->n_pairs; i++) {
		const char *k = defaults->pairs[i].key->str;
		if (strcmp(k, "depends") == 0 || strcmp(k, "description") == 0)
			perr(c, defaults->pairs[i].key, "'%s' cannot stand in defaults", k);
	}
}

static void tstr(struct tctx *x, const char *key, char **out, enum tsite_lang lang)
{
	const struct ynode *n = tget(x, key);

	if (!n)
		return;
	if (get_str(x->c, n, key, out) == 0)
		add_site(x->c, x->idx, *out, n, lang, key);
}

static bool tbool(struct tctx *x, const char *key, bool dflt)
{
	const struct ynode *n = tget(x, key);
	bool v = dflt;

	if (n)
		(void)get_bool(x->c, n, key, &v);
	return v;
}

static int64_t tdur(struct tctx *x, const char *key, int64_t dflt, bool neg)
{
	const struct ynode *n = tget(x, key);
	int64_t v = dflt;

	if (n)
		(void)get_duration(x->c, n, key, neg, &v);
	return v;
}

static int64_t tint(struct tctx *x, const char *key, int64_t dflt, int64_t min, int64_t max)
{
	const struct ynode *n = tget(x, key);
	int64_t v = dflt;

	if (n)
		(void)get_int(x->c, n, key, min, max, &v);
	return v;
}

/* One of a fixed set of words; returns its index or dflt. */
static int tword(struct tctx *x, const struct ynode *n, const char *key,
		 const char *const *words, size_t nw, int dflt)
{
	const char *hint;

	if (!n)
		return dflt;
	if (n->type == YN_SCALAR)
		for (size_t i = 0; i < nw; i++)
			if (strcmp(n->str, words[i]) == 0)
				return (int)i;
	hint = n->type == YN_SCALAR ? closest_word(n->str, words, nw) : NULL;
	if (hint)
		perr(x->c, n, "unknown %s '%s' (did you mean '%s'?)", key, n->str, hint);
	else {
		struct sbuf sb;
		sbuf_init(&sb, 0);
		for (size_t i = 0; i < nw; i++)
			sbuf_addf(&sb, "%s%s", i ? ", " : "", words[i]);
		perr(x->c, n, "unknown %s '%s' (use one of: %s)", key,
		     n->type == YN_SCALAR ? n->str : ynode_kind(n), sbuf_str(&sb));
		sbuf_release(&sb);
	}
	return dflt;
}

static bool single_char(struct tctx *x, const struct ynode *n, const char *key, char *out)
{
	if (!n)
		return false;
	if (n->type != YN_SCALAR || n->len != 1) {
		perr(x->c, n, "'%s' must be a single character", key);
		return false;
	}
	*out = n->str[0];
	return true;
}

static enum data_format format_from_name(const char *path)
{
	size_t n = strlen(path);
	char buf[32];
	const char *dot;

	if (n > 3 && strcmp(path + n - 3, ".gz") == 0)
		n -= 3;
	if (n >= sizeof(buf))
		path += n - (sizeof(buf) - 1), n = sizeof(buf) - 1;
	memcpy(buf, path, n);
	buf[n] = '\0';
	dot = strrchr(buf, '.');
	if (!dot)
		return FMT_CSV;
	if (strcmp(dot, ".jsonl") == 0 || strcmp(dot, ".ndjson") == 0)
		return FMT_JSONL;
	if (strcmp(dot, ".json") == 0)
		return FMT_JSON;
	if (strcmp(dot, ".txt") == 0 || strcmp(dot, ".log") == 0)
		return FMT_TEXT;
	return FMT_CSV;
}

static const char *const format_names[] = {"csv", "jsonl", "json", "text"};

static void add_conn(struct task *t, const char *name)
{
	if (!strlist_has(&t->conns, name))
		strlist_push(&t->conns, name);
}

static void parse_load(struct tctx *x, const struct ynode *n)
{
	static const char *const modes[] = {"append", "truncate", "replace"};
	struct pctx *c = x->c;
	struct load_spec *l = xcalloc(1, sizeof(*l));
	const struct ynode *v, *from;

	x->t->load = l;
	l->delimiter = ',';
	l->quote = '"';
	if (!want_map(c, n, "load"))
		return;
	check_keys(c, n, load_keys, ARRAY_LEN(load_keys), "load");
	v = ymap_get(n, "file");
	from = ymap_get(n, "from");
	if (!v == !from)
		perr(c, n, "load in task '%s' needs exactly one of 'file' or 'from'", x->t->id);
	if (v && get_str(c, v, "file", &l->file) == 0)
		add_site(c, x->idx, l->file, v, TS_PLAIN, "load file");
	if (from && want_map(c, from, "from")) {
		static const char *const fkeys[] = {"conn", "query"};
		const struct ynode *q = ymap_get(from, "query"), *fc = ymap_get(from, "conn");
		check_keys(c, from, fkeys, ARRAY_LEN(fkeys), "load from");
		if (!q || !fc)
			perr(c, from, "load 'from' needs 'conn' and 'query'");
		if (fc && get_str(c, fc, "conn", &l->from_conn) == 0)
			add_conn(x->t, l->from_conn);
		if (q && get_str(c, q, "query", &l->from_query) == 0)
			add_site(c, x->idx, l->from_query, q, TS_SQL, "load query");
	}
	l->format = l->file ? format_from_name(l->file) : FMT_CSV;
	l->format = (enum data_format)tword(x, ymap_get(n, "format"), "format", format_names,
					     ARRAY_LEN(format_names), (int)l->format);
	(void)single_char(x, ymap_get(n, "delimiter"), "delimiter", &l->delimiter);
	(void)single_char(x, ymap_get(n, "quote"), "quote", &l->quote);
	l->escape = l->quote;
	(void)single_char(x, ymap_get(n, "escape"), "escape", &l->escape);
	if ((v = ymap_get(n, "null")) != NULL)
		(void)get_str(c, v, "null", &l->null);
	if ((v = ymap_get(n, "header")) != NULL)
		(void)get_bool(c, v, "header", &l->header);
	if ((v = ymap_get(n, "encoding")) != NULL)
		(void)get_str(c, v, "encoding", &l->encoding);
	if ((v = ymap_get(n, "table")) != NULL) {
		if (get_str(c, v, "table", &l->table) == 0)
			add_site(c, x->idx, l->table, v, TS_PLAIN, "table");
	} else {
		perr(c, n, "load in task '%s' needs a 'table'", x->t->id);
	}
	l->mode = (enum load_mode)tword(x, ymap_get(n, "mode"), "load mode", modes,
					 ARRAY_LEN(modes), LOAD_APPEND);
	if ((v = ymap_get(n, "delete_where")) != NULL &&
	    get_str(c, v, "delete_where", &l->delete_where) == 0)
		add_site(c, x->idx, l->delete_where, v, TS_SQL, "delete_where");
	if ((v = ymap_get(n, "set")) != NULL && get_kvlist(c, v, "set", &l->set) == 0) {
		for (size_t i = 0; i < l->set.n; i++) {
			add_site(c, x->idx, l->set.v[i].val, kvlist_node(v, i), TS_PLAIN, "set");
			if (c->n_sites && c->sites[c->n_sites - 1].text == l->set.v[i].val)
				c->sites[c->n_sites - 1].in_load_set = true;
		}
	}
	if ((v = ymap_get(n, "create")) != NULL)
		(void)get_bool(c, v, "create", &l->create);
	if ((v = ymap_get(n, "ignore_unknown")) != NULL)
		(void)get_bool(c, v, "ignore_unknown", &l->ignore_unknown);
	if ((v = ymap_get(n, "columns")) != NULL)
		(void)get_kvlist(c, v, "columns", &l->columns);
	if (l->create && !l->header && l->format == FMT_CSV)
		perr(c, ymap_get(n, "create"), "'create: true' needs 'header: true' for csv");
}

static void parse_to_file(struct tctx *x, const struct ynode *n)
{
	struct pctx *c = x->c;
	struct to_file_spec *f = xcalloc(1, sizeof(*f));
	const struct ynode *v;

	x->t->to_file = f;
	f->delimiter = ',';
	f->header = true;
	if (n->type == YN_SCALAR) {
		if (get_str(c, n, "to_file", &f->path) == 0)
			add_site(c, x->idx, f->path, n, TS_PLAIN, "to_file");
		f->format = f->path ? format_from_name(f->path) : FMT_CSV;
		return;
	}
	if (!want_map(c, n, "to_file"))
		return;
	check_keys(c, n, to_file_keys, ARRAY_LEN(to_file_keys), "to_file");
	if ((v = ymap_get(n, "path")) == NULL)
		perr(c, n, "to_file in task '%s' needs a 'path'", x->t->id);
	else if (get_str(c, v, "path", &f->path) == 0)
		add_site(c, x->idx, f->path, v, TS_PLAIN, "to_file");
	f->format = f->path ? format_from_name(f->path) : FMT_CSV;
	if (f->format != FMT_JSONL)
		f->format = FMT_CSV;
	{
		static const char *const fmts[] = {"csv", "jsonl"};
		int i = tword(x, ymap_get(n, "format"), "to_file format", fmts, 2,
			      f->format == FMT_JSONL ? 1 : 0);
		f->format = i == 1 ? FMT_JSONL : FMT_CSV;
	}
	if ((v = ymap_get(n, "header")) != NULL)
		(void)get_bool(c, v, "header", &f->header);
	(void)single_char(x, ymap_get(n, "delimiter"), "delimiter", &f->delimiter);
	if ((v = ymap_get(n, "null")) != NULL)
		(void)get_str(c, v, "null", &f->null);
}

/* Read the sql file `path` (relative to root) into t->sql. */
static void load_sql_file(struct tctx *x, const struct ynode *n, const char *path)
{
	struct pctx *c = x->c;
	char *abs = resolve_path(c->dag, path);
	size_t len;
	int rc = read_file(abs, SQL_FILE_MAX, &x->t->sql, &len);
	struct tsite *s;

	if (rc != 0) {
		perr(c, n, "sql file '%s' %s (looked for %s)", path,
		     rc == DAGD_ENOENT ? "not found" : dagd_strerror(rc), abs);
		free(abs);
		x->t->sql = xstrdup("");
		return;
	}
	x->t->sql_file = abs;
	add_site(c, x->idx, x->t->sql, NULL, TS_SQL, "sql");
	if (c->n_sites && (s = &c->sites[c->n_sites - 1])->text == x->t->sql) {
		s->file = x->t->sql_file;
		s->pos.line = 1;
		s->pos.col = 1;
		s->block = false;
	}
}

static void parse_sql(struct tctx *x, const struct ynode *n)
{
	struct pctx *c = x->c;
	char *text = NULL;
	const struct ynode *v;
	size_t len;

	if (get_str(c, n, "sql", &text) != 0)
		return;
	len = strlen(text);
	if (!strchr(text, '\n') && len > 4 && strcmp(text + len - 4, ".sql") == 0) {
		load_sql_file(x, n, text);
		free(text);
	} else {
		x->t->sql = text;
		add_site(c, x->idx, text, n, TS_SQL, "sql");
	}
	x->t->autocommit = tbool(x, "autocommit", false);
	tstr(x, "skip_if", &x->t->skip_if, TS_SQL);
	tstr(x, "outputs", &x->t->outputs_query, TS_SQL);
	if ((v = tget(x, "to_file")) != NULL)
		parse_to_file(x, v);
}

static unsigned parse_states(struct tctx *x, const char *key, unsigned dflt)
{
	static const char *const names[] = {"success", "failed", "skipped", "upstream_failed"};
	const struct ynode *n = tget(x, key);
	unsigned mask = 0;

	if (!n)
		return dflt;
	if (n->type != YN_SEQ && n->type != YN_SCALAR) {
		perr(x->c, n, "'%s' must be a list of states", key);
		return dflt;
	}
	if (n->type == YN_SCALAR)
		return 1u << tword(x, n, "state", names, ARRAY_LEN(names), 0);
	for (size_t i = 0; i < n->n_items; i++)
		mask |= 1u << tword(x, n->items[i], "state", names, ARRAY_LEN(names), 0);
	return mask;
}

static void parse_sensor(struct tctx *x, const struct ynode *n)
{
	static const char *const kinds[] = {"file", "sql", "time", "external_task"};
	static const char *const modes[] = {"poke", "reschedule"};
	static const char *const matches[] = {"exact", "within", "latest"};
	struct pctx *c = x->c;
	struct sensor_spec *s = xcalloc(1, sizeof(*s));
	struct task *t = x->t;
	const struct ynode *v;

	t->sensor = s;
	s->at_min = -1;
	s->kind = (enum sensor_kind)tword(x, n, "sensor", kinds, ARRAY_LEN(kinds), 0);
	s->mode = (enum sensor_mode)tword(x, tget(x, "mode"), "sensor mode", modes,
					   ARRAY_LEN(modes), SENSOR_POKE);
	s->poke_interval_ms = tdur(x, "poke_interval", DEFAULT_POKE_INTERVAL_MS, false);
	if (s->poke_interval_ms <= 0)
		perr(c, tget(x, "poke_interval"), "poke_interval must be positive");
	s->soft_fail = tbool(x, "soft_fail", false);
	switch (s->kind) {
	case SENSOR_FILE:
		if (!ymap_get(x->node, "path"))
			perr(c, x->node, "file sensor '%s' needs a 'path'", t->id);
		tstr(x, "path", &s->path, TS_PLAIN);
		s->min_size = tint(x, "min_size", 0, 0, INT64_MAX);
		s->stable_for_ms = tdur(x, "stable_for", 0, false);
		break;
	case SENSOR_SQL:
		if (!ymap_get(x->node, "query"))
			perr(c, x->node, "sql sensor '%s' needs a 'query'", t->id);
		tstr(x, "query", &s->query, TS_SQL);
		break;
	case SENSOR_TIME:
		if (!ymap_get(x->node, "at") == !ymap_get(x->node, "after"))
			perr(c, x->node, "time sensor '%s' needs exactly one of 'at' or 'after'",
			     t->id);
		if ((v = ymap_get(x->node, "at")) != NULL) {
			int64_t h = -1, m = -1;
			char hh[3] = {0}, mm[3] = {0};
			if (v->type == YN_SCALAR && v->len == 5 && v->str[2] == ':') {
				memcpy(hh, v->str, 2);
				memcpy(mm, v->str + 3, 2);
				if (parse_i64(hh, 0, 23, &h) != 0 || parse_i64(mm, 0, 59, &m) != 0)
					h = -1;
			}
			if (h < 0)
				perr(c, v, "'at' must be a time HH:MM, not '%s'",
				     v->type == YN_SCALAR ? v->str : ynode_kind(v));
			else
				s->at_min = (int)(h * 60 + m);
		}
		s->after_ms = tdur(x, "after", 0, true);
		break;
	case SENSOR_EXTERNAL:
		if (!ymap_get(x->node, "dag"))
			perr(c, x->node, "external_task sensor '%s' needs a 'dag'", t->id);
		tstr(x, "dag", &s->ext_dag, TS_PLAIN);
		tstr(x, "task", &s->ext_task, TS_PLAIN);
		s->match = (enum ext_match)tword(x, tget(x, "match"), "match", matches,
						  ARRAY_LEN(matches), MATCH_EXACT);
		s->offset_ms = tdur(x, "offset", 0, true);
		s->allowed_states = parse_states(x, "allowed_states",
						 TSTATE_BIT_SUCCESS | TSTATE_BIT_SKIPPED);
		s->failed_states = parse_states(x, "failed_states",
						TSTATE_BIT_FAILED | TSTATE_BIT_UPSTREAM_FAILED);
		if (s->allowed_states & s->failed_states)
			perr(c, tget(x, "failed_states"),
			     "a state cannot be both allowed and failed in sensor '%s'", t->id);
		break;
	}
	/* keys of other sensor kinds written on the task */
	for (size_t i = 0; i < x->node->n_pairs; i++) {
		const struct ynode *k = x->node->pairs[i].key;
		static const char *const by_kind[][6] = {
			{"path", "min_size", "stable_for"},
			{"query"},
			{"at", "after"},
			{"dag", "task", "match", "offset", "allowed_states", "failed_states"},
		};
		bool other = false, mine = false;
		for (size_t kk = 0; kk < 4; kk++)
			for (size_t j = 0; j < 6 && by_kind[kk][j]; j++)
				if (strcmp(k->str, by_kind[kk][j]) == 0)
					*(kk == (size_t)s->kind ? &mine : &other) = true;
		if (other && !mine)
			perr(c, k, "key '%s' does not apply to a %s sensor", k->str,
			     sensor_kind_name(s->kind));
	}
}

static void parse_exec(struct tctx *x, const struct ynode *n)
{
	struct pctx *c = x->c;

	if (get_strlist(c, n, "exec", false, &x->t->exec) != 0)
		return;
	if (x->t->exec.n == 0)
		perr(c, n, "exec in task '%s' needs at least the program", x->t->id);
	for (size_t i = 0; i < x->t->exec.n; i++)
		add_site(c, x->idx, x->t->exec.v[i], strlist_node(n, i), TS_PLAIN, "exec");
}

static void parse_common(struct tctx *x)
{
	static const char *const backoffs[] = {"fixed", "exponential"};
	struct pctx *c = x->c;
	struct task *t = x->t;
	const struct ynode *n;

	if ((n = ymap_get(x->node, "depends")) != NULL &&
	    get_strlist(c, n, "depends", true, &t->depends) == 0) {
		t->depends_pos = xcalloc(t->depends.n, sizeof(*t->depends_pos));
		for (size_t i = 0; i < t->depends.n; i++)
			t->depends_pos[i] = npos(strlist_node(n, i));
	}
	n = tget(x, "trigger_rule");
	t->rule = TR_ALL_SUCCESS;
	if (n && n->type != YN_SCALAR)
		perr(c, n, "'trigger_rule' must be a string, not %s", ynode_kind(n));
	else if (n && trigger_rule_parse(n->str, &t->rule) != 0) {
		const char *names[TR__COUNT];
		const char *hint;
		for (int i = 0; i < TR__COUNT; i++)
			names[i] = trigger_rule_name((enum trigger_rule)i);
		hint = closest_word(n->str, names, TR__COUNT);
		if (hint)
			perr(c, n, "unknown trigger rule '%s' (did you mean '%s'?)", n->str, hint);
		else
			perr(c, n, "unknown trigger rule '%s'", n->str);
	}
	t->retries = (int)tint(x, "retries", 0, 0, 1000);
	t->retry_delay_ms = tdur(x, "retry_delay", DEFAULT_RETRY_DELAY_MS, false);
	t->backoff = (enum backoff)tword(x, tget(x, "retry_backoff"), "retry_backoff", backoffs,
					  ARRAY_LEN(backoffs), BACKOFF_FIXED);
	t->max_retry_delay_ms = tdur(x, "max_retry_delay", 0, false);
	t->timeout_ms = tdur(x, "timeout", t->kind == KIND_SENSOR ? DEFAULT_SENSOR_TIMEOUT_MS : 0,
			     false);
	tstr(x, "pool", &t->pool, TS_PLAIN);
	t->priority = (int)tint(x, "priority", 0, -1000000, 1000000);
	if ((n = tget(x, "env")) != NULL && get_kvlist(c, n, "env", &t->env) == 0)
		for (size_t i = 0; i < t->env.n; i++)
			add_site(c, x->idx, t->env.v[i].val, kvlist_node(n, i), TS_PLAIN, "env");
	{
		/* cwd is a path, not a template: no site (its text is freed here) */
		const struct ynode *cn = tget(x, "cwd");
		char *cwd = NULL;
		if (cn)
			(void)get_str(x->c, cn, "cwd", &cwd);
		t->cwd = resolve_path(c->dag, cwd ? cwd : ".");
		free(cwd);
	}
	tstr(x, "conn", &t->conn, TS_PLAIN);
	if ((n = tget(x, "conns")) != NULL) {
		struct strlist l = {0};
		(void)get_strlist(c, n, "conns", true, &l);
		for (size_t i = 0; i < l.n; i++)
			add_conn(t, l.v[i]);
		strlist_release(&l);
	}
	if (t->conn)
		add_conn(t, t->conn);
	if (t->kind == KIND_SHELL || t->kind == KIND_EXEC)
		t->skip_exit_code = (int)tint(x, "skip_exit_code", DEFAULT_SKIP_EXIT_CODE, 1, 255);
	t->depends_on_past = tbool(x, "depends_on_past", false);
	if ((t->kind == KIND_SQL || t->kind == KIND_LOAD ||
	     (t->kind == KIND_SENSOR && t->sensor && t->sensor->kind == SENSOR_SQL)) &&
	    !t->conn)
		perr_pos(c, t->pos, "%s task '%s' needs a 'conn' (here or in defaults)",
		     task_kind_name(t->kind), t->id);
}

static void parse_task(struct pctx *c, const struct ynode *key, const struct ynode *node,
		       const struct ynode *defaults, long idx)
{
	struct task *t = &c->dag->tasks[idx];
	struct tctx x = {.c = c, .node = node, .defaults = defaults, .t = t, .idx = idx};
	const struct ynode *kinds[ARRAY_LEN(kind_keys)];
	size_t nk = 0, which = 0;

	t->id = xstrdup(key->str);
	t->pos = npos(key);
	if (!valid_id(t->id))
		perr(c, key, "bad task id '%s' (use letters, digits, '_', '.', '-')", t->id);
	if (!want_map(c, node, "task"))
		return;
	for (size_t i = 0; i < ARRAY_LEN(kind_keys); i++) {
		kinds[i] = ymap_get(node, kind_keys[i]);
		if (kinds[i]) {
			if (nk == 0)
				which = i;
			nk++;
		}
	}
	if (nk == 0) {
		perr(c, key, "task '%s' has no kind: give one of shell, exec, sql, load, sensor",
		     t->id);
		return;
	}
	if (nk > 1) {
		size_t second = which + 1;
		while (!kinds[second])
			second++;
		perr(c, node, "task '%s' has two kinds, '%s' and '%s': keep one", t->id,
		     kind_keys[which], kind_keys[second]);
	}
	t->kind = (enum task_kind)which;
	x.uses_conn = t->kind == KIND_SQL || t->kind == KIND_LOAD ||
		      (t->kind == KIND_SENSOR && kinds[which]->type == YN_SCALAR &&
		       strcmp(kinds[which]->str, "sql") == 0);
	check_task_keys(&x);
	switch (t->kind) {
	case KIND_SHELL:
		tstr(&x, "shell", &t->shell, TS_SHELL);
		break;
	case KIND_EXEC:
		parse_exec(&x, kinds[which]);
		break;
	case KIND_SQL:
		parse_sql(&x, kinds[which]);
		break;
	case KIND_LOAD:
		parse_load(&x, kinds[which]);
		break;
	case KIND_SENSOR:
		parse_sensor(&x, kinds[which]);
		break;
	}
	parse_common(&x);
}

void parse_tasks(struct pctx *c, const struct ynode *tasks, const struct ynode *defaults)
{
	struct dag *dag = c->dag;

	if (defaults)
		check_default_keys(c, defaults);
	if (tasks->n_pairs == 0) {
		perr(c, tasks, "the DAG has no tasks");
		return;
	}
	if (tasks->n_pairs > DAG_MAX_TASKS) {
		perr(c, tasks, "too many tasks (%zu, at most %d)", tasks->n_pairs, DAG_MAX_TASKS);
		return;
	}
	dag->tasks = xcalloc(tasks->n_pairs, sizeof(*dag->tasks));
	for (size_t i = 0; i < tasks->n_pairs; i++) {
		dag->n_tasks++;
		parse_task(c, tasks->pairs[i].key, tasks->pairs[i].val, defaults, (long)i);
	}
}
