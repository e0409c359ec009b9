/*
 * sql_spec.c - parses the JSON spec of a data task try (format in
 * sql_spec.h) into struct spec with jansson, the only file of dagd-sql that
 * includes jansson.h. Checks types, required keys and the combinations a
 * kind allows; an unknown key is warned about and ignored so the daemon can
 * add fields before this side knows them. Messages never quote values (a
 * value may be a URL with a password).
 */
#include "sql.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

struct ctx {
	char *err;
	size_t errlen;
	bool failed;
};

static void fail(struct ctx *c, const char *fmt, ...) SQL_PRINTF(2, 3);
static void fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return; /* keep the first problem */
	c->failed = true;
	va_start(ap, fmt);
	(void)vsnprintf(c->err, c->errlen, fmt, ap); /* truncation is fine */
	va_end(ap);
}

/* The member, or NULL when absent or JSON null. */
static json_t *member(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_null(v) ? NULL : v;
}

static char *get_str(struct ctx *c, json_t *o, const char *where, const char *key,
		     bool required)
{
	json_t *v = member(o, key);

	if (!v) {
		if (required)
			fail(c, "%s%s is required", where, key);
		return NULL;
	}
	if (!json_is_string(v)) {
		fail(c, "%s%s must be a string", where, key);
		return NULL;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		fail(c, "%s%s contains a NUL character", where, key);
		return NULL;
	}
	return sql_xstrdup(json_string_value(v));
}

static bool get_bool(struct ctx *c, json_t *o, const char *where, const char *key, bool dflt)
{
	json_t *v = member(o, key);

	if (!v)
		return dflt;
	if (!json_is_boolean(v)) {
		fail(c, "%s%s must be true or false", where, key);
		return dflt;
	}
	return json_is_true(v);
}

static int64_t get_int(struct ctx *c, json_t *o, const char *where, const char *key,
		       int64_t dflt)
{
	json_t *v = member(o, key);

	if (!v)
		return dflt;
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		fail(c, "%s%s must be a non-negative integer", where, key);
		return dflt;
	}
	return (int64_t)json_integer_value(v);
}

/* A one-byte string (delimiter, quote, escape). */
static char get_char(struct ctx *c, json_t *o, const char *where, const char *key, char dflt)
{
	json_t *v = member(o, key);
	const char *s;

	if (!v)
		return dflt;
	s = json_is_string(v) ? json_string_value(v) : NULL;
	if (!s || json_string_length(v) != 1 || (unsigned char)s[0] >= 0x80 || s[0] == '\n' ||
	    s[0] == '\r') {
		fail(c, "%s%s must be one ASCII character other than a newline", where, key);
		return dflt;
	}
	return s[0];
}

/* One of names[] (NULL-terminated); its index, dflt when absent. */
static int get_enum(struct ctx *c, json_t *o, const char *where, const char *key,
		    const char *const *names, int dflt)
{
	json_t *v = member(o, key);
	char list[128] = "";
	size_t off = 0;
	int i;

	if (!v)
		return dflt;
	if (json_is_string(v))
		for (i = 0; names[i]; i++)
			if (strcmp(json_string_value(v), names[i]) == 0)
				return i;
	for (i = 0; names[i]; i++) {
		int w = snprintf(list + off, sizeof(list) - off, "%s%s", i ? ", " : "", names[i]);
		if (w < 0 || (size_t)w >= sizeof(list) - off)
			break;
		off += (size_t)w;
	}
	fail(c, "%s%s must be one of %s", where, key, list);
	return dflt;
}

/* An object of strings, in order. */
static struct spec_kv *get_kv(struct ctx *c, json_t *o, const char *where, const char *key,
			      size_t *n)
{
	json_t *v = member(o, key), *val;
	struct spec_kv *kv;
	const char *k;
	size_t i = 0;

	*n = 0;
	if (!v)
		return NULL;
	if (!json_is_object(v)) {
		fail(c, "%s%s must be an object of strings", where, key);
		return NULL;
	}
	kv = sql_xmalloc(sizeof(*kv) * (json_object_size(v) + 1));
	json_object_foreach(v, k, val) {
		if (!json_is_string(val) ||
		    strlen(json_string_value(val)) != json_string_length(val)) {
			fail(c, "%s%s.%s must be a string", where, key, k);
			break;
		}
		kv[i].key = sql_xstrdup(k);
		kv[i].val = sql_xstrdup(json_string_value(val));
		i++;
	}
	*n = i;
	return kv;
}

/* Warn about keys of o that are not in known[]. */
static void check_keys(json_t *o, const char *where, const char *const *known)
{
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach(o, k, v) {
		for (i = 0; known[i]; i++)
			if (strcmp(k, known[i]) == 0)
				break;
		if (!known[i])
			sql_warn("spec: ignoring unknown key '%s%s'", where, k);
	}
}

static const char *const formats[] = {"csv", "jsonl", "json", "text", NULL};

static struct spec_to_file *parse_to_file(struct ctx *c, json_t *o)
{
	static const char *const keys[] = {"path", "format", "header", "delimiter", "null", NULL};
	static const char *const out_formats[] = {"csv", "jsonl", NULL};
	struct spec_to_file *t;

	if (!json_is_object(o)) {
		fail(c, "to_file must be an object");
		return NULL;
	}
	check_keys(o, "to_file.", keys);
	t = sql_xmalloc(sizeof(*t));
	t->path = get_str(c, o, "to_file.", "path", true);
	t->format = (enum spec_format)get_enum(c, o, "to_file.", "format", out_formats, 0);
	t->header = get_bool(c, o, "to_file.", "header", true);
	t->delimiter = get_char(c, o, "to_file.", "delimiter", ',');
	t->null = get_str(c, o, "to_file.", "null", false);
	if (!t->null)
		t->null = sql_xstrdup("");
	if (t->path && t->path[0] != '/')
		fail(c, "to_file.path must be absolute");
	return t;
}

static struct spec_load *parse_load(struct ctx *c, json_t *o)
{
	static const char *const keys[] = {
		"files", "from_conn", "from_query", "format", "delimiter", "quote", "escape",
		"null", "header", "encoding", "table", "mode", "delete_where", "set", "create",
		"ignore_unknown", "columns", NULL};
	static const char *const modes[] = {"append", "truncate", "replace", NULL};
	struct spec_load *l;

	if (!json_is_object(o)) {
		fail(c, "load must be an object");
		return NULL;
	}
	check_keys(o, "load.", keys);
	l = sql_xmalloc(sizeof(*l));
	memset(l, 0, sizeof(*l));
	l->files = get_str(c, o, "load.", "files", false);
	l->from_conn = get_str(c, o, "load.", "from_conn", false);
	l->from_query = get_str(c, o, "load.", "from_query", false);
	l->format = (enum spec_format)get_enum(c, o, "load.", "format", formats, 0);
	l->delimiter = get_char(c, o, "load.", "delimiter", ',');
	l->quote = get_char(c, o, "load.", "quote", '"');
	l->escape = get_char(c, o, "load.", "escape", l->quote);
	l->null = get_str(c, o, "load.", "null", false);
	l->header = get_bool(c, o, "load.", "header", false);
	l->encoding = get_str(c, o, "load.", "encoding", false);
	l->table = get_str(c, o, "load.", "table", true);
	l->mode = (enum spec_load_mode)get_enum(c, o, "load.", "mode", modes, 0);
	l->delete_where = get_str(c, o, "load.", "delete_where", false);
	l->set = get_kv(c, o, "load.", "set", &l->n_set);
	l->create = get_bool(c, o, "load.", "create", false);
	l->ignore_unknown = get_bool(c, o, "load.", "ignore_unknown", false);
	l->columns = get_kv(c, o, "load.", "columns", &l->n_columns);
	if (!l->files == !l->from_conn)
		fail(c, "load needs exactly one of files and from_conn");
	else if (l->from_conn && !l->from_query)
		fail(c, "load.from_query is required with load.from_conn");
	else if (l->from_query && !l->from_conn)
		fail(c, "load.from_conn is required with load.from_query");
	else if (l->files && l->files[0] != '/')
		fail(c, "load.files must be an absolute path");
	if (l->delete_where && l->mode != SPEC_APPEND) {
		sql_warn("spec: load.delete_where is ignored with mode %s", modes[l->mode]);
		free(l->delete_where);
		l->delete_where = NULL;
	}
	if (l->encoding && (l->format == SPEC_FMT_JSON || l->format == SPEC_FMT_JSONL)) {
		sql_warn("spec: load.encoding is ignored for JSON, which is UTF-8");
		free(l->encoding);
		l->encoding = NULL;
	}
	if (l->format == SPEC_FMT_CSV && (l->delimiter == l->quote))
		fail(c, "load.delimiter and load.quote must differ");
	return l;
}

static struct spec_sensor *parse_sensor(struct ctx *c, json_t *o, enum spec_kind kind)
{
	static const char *const keys[] = {"path", "min_size", "stable_for_ms", "query",
					   "poke_interval_ms", "mode", "soft_fail",
					   "deadline_us", NULL};
	static const char *const modes[] = {"poke", "reschedule", NULL};
	struct spec_sensor *s;

	if (!json_is_object(o)) {
		fail(c, "sensor must be an object");
		return NULL;
	}
	check_keys(o, "sensor.", keys);
	s = sql_xmalloc(sizeof(*s));
	memset(s, 0, sizeof(*s));
	s->path = get_str(c, o, "sensor.", "path", kind == SPEC_SENSOR_FILE);
	s->min_size = get_int(c, o, "sensor.", "min_size", 0);
	s->stable_for_ms = get_int(c, o, "sensor.", "stable_for_ms", 0);
	s->query = get_str(c, o, "sensor.", "query", kind == SPEC_SENSOR_SQL);
	s->poke_interval_ms = get_int(c, o, "sensor.", "poke_interval_ms", 60000);
	s->mode = (enum spec_sensor_mode)get_enum(c, o, "sensor.", "mode", modes, 0);
	s->soft_fail = get_bool(c, o, "sensor.", "soft_fail", false);
	s->deadline_us = get_int(c, o, "sensor.", "deadline_us", 0);
	if (s->path && s->path[0] != '/')
		fail(c, "sensor.path must be absolute");
	return s;
}

static void parse_top(struct ctx *c, json_t *root, struct spec *s)
{
	static const char *const keys[] = {"kind", "conn", "timeout_ms", "skip_exit_code",
					   "sql", "sql_file", "autocommit", "skip_if",
					   "outputs", "to_file", "load", "sensor", NULL};
	static const char *const kinds[] = {"sql", "load", "sensor_sql", "sensor_file", NULL};
	json_t *v;

	if (!json_is_object(root)) {
		fail(c, "the spec must be a JSON object");
		return;
	}
	check_keys(root, "", keys);
	if (!member(root, "kind")) {
		fail(c, "kind is required");
		return;
	}
	s->kind = (enum spec_kind)get_enum(c, root, "", "kind", kinds, 0);
	if (c->failed)
		return;
	s->conn = get_str(c, root, "", "conn", s->kind != SPEC_SENSOR_FILE);
	s->timeout_ms = get_int(c, root, "", "timeout_ms", 0);
	s->skip_exit_code = (int)get_int(c, root, "", "skip_exit_code", SQL_EXIT_SKIP);
	if (s->skip_exit_code > 255)
		fail(c, "skip_exit_code must be 0..255");
	switch (s->kind) {
	case SPEC_SQL:
		s->sql = get_str(c, root, "", "sql", true);
		s->sql_file = get_str(c, root, "", "sql_file", false);
		s->autocommit = get_bool(c, root, "", "autocommit", false);
		s->skip_if = get_str(c, root, "", "skip_if", false);
		s->outputs = get_str(c, root, "", "outputs", false);
		if ((v = member(root, "to_file")))
			s->to_file = parse_to_file(c, v);
		break;
	case SPEC_LOAD:
		if (!(v = member(root, "load")))
			fail(c, "load is required for kind load");
		else
			s->load = parse_load(c, v);
		break;
	case SPEC_SENSOR_SQL:
	case SPEC_SENSOR_FILE:
		if (!(v = member(root, "sensor")))
			fail(c, "sensor is required for kind %s", kinds[s->kind]);
		else
			s->sensor = parse_sensor(c, v, s->kind);
		break;
	}
}

int spec_parse(const char *buf, size_t len, struct spec *s, char *err, size_t errlen)
{
	struct ctx c = {err, errlen, false};
	json_error_t jerr;
	json_t *root;

	memset(s, 0, sizeof(*s));
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		fail(&c, "not JSON: line %d column %d: %s", jerr.line, jerr.column, jerr.text);
		return -1;
	}
	parse_top(&c, root, s);
	json_decref(root);
	if (c.failed) {
		spec_release(s);
		return -1;
	}
	return 0;
}

static void kv_free(struct spec_kv *kv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].val);
	}
	free(kv);
}

void spec_release(struct spec *s)
{
	if (!s)
		return;
	free(s->conn);
	free(s->sql);
	free(s->sql_file);
	free(s->skip_if);
	free(s->outputs);
	if (s->to_file) {
		free(s->to_file->path);
		free(s->to_file->null);
		free(s->to_file);
	}
	if (s->load) {
		struct spec_load *l = s->load;
		free(l->files);
		free(l->from_conn);
		free(l->from_query);
		free(l->null);
		free(l->encoding);
		free(l->table);
		free(l->delete_where);
		kv_free(l->set, l->n_set);
		kv_free(l->columns, l->n_columns);
		free(l);
	}
	if (s->sensor) {
		free(s->sensor->path);
		free(s->sensor->query);
		free(s->sensor);
	}
	memset(s, 0, sizeof(*s));
}
