/*
 * dag.h - a loaded DAG: tasks with defaults merged, edges resolved to
 * indexes, typed params, schedule and paths resolved against `root`.
 * A struct dag is immutable once dag_load() returns it; a reload builds a
 * new one. Every value keeps the line:column it came from for messages.
 */
#ifndef DAGD_DAG_H
#define DAGD_DAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cron.h"
#include "diag.h"

struct tz;
struct config;

struct pos {
	int line, col;
};

/* A string value with where it was written. */
struct sval {
	char *s;
	struct pos pos;
};

struct kv {
	char *key;
	char *val;
	struct pos pos;
};

struct kvlist {
	struct kv *v;
	size_t n;
};

struct strlist {
	char **v;
	size_t n;
};

/* List helpers; *_release frees the contents and leaves an empty list. */
void strlist_push(struct strlist *l, const char *s);
bool strlist_has(const struct strlist *l, const char *s);
void strlist_release(struct strlist *l);
void kvlist_release(struct kvlist *l);

#define TASK_KINDS(X) X(KIND_SHELL, "shell") X(KIND_EXEC, "exec") X(KIND_SQL, "sql") \
	X(KIND_LOAD, "load") X(KIND_SENSOR, "sensor")
enum task_kind {
#define X(e, s) e,
	TASK_KINDS(X)
#undef X
};
const char *task_kind_name(enum task_kind k);

#define TRIGGER_RULES(X) X(TR_ALL_SUCCESS, "all_success") X(TR_ALL_FAILED, "all_failed") \
	X(TR_ALL_DONE, "all_done") X(TR_ONE_SUCCESS, "one_success")                       \
	X(TR_ONE_FAILED, "one_failed") X(TR_NONE_FAILED, "none_failed")                  \
	X(TR_NONE_SKIPPED, "none_skipped") X(TR_ALWAYS, "always")
enum trigger_rule {
#define X(e, s) e,
	TRIGGER_RULES(X)
#undef X
	TR__COUNT
};
const char *trigger_rule_name(enum trigger_rule r);
/* 0 and *out, or DAGD_EINVAL. */
int trigger_rule_parse(const char *s, enum trigger_rule *out);

enum backoff { BACKOFF_FIXED, BACKOFF_EXPONENTIAL };

#define SENSOR_KINDS(X) X(SENSOR_FILE, "file") X(SENSOR_SQL, "sql") X(SENSOR_TIME, "time") \
	X(SENSOR_EXTERNAL, "external_task")
enum sensor_kind {
#define X(e, s) e,
	SENSOR_KINDS(X)
#undef X
};
const char *sensor_kind_name(enum sensor_kind k);

enum sensor_mode { SENSOR_POKE, SENSOR_RESCHEDULE };
enum ext_match { MATCH_EXACT, MATCH_WITHIN, MATCH_LATEST };

/* Bit masks over task states for allowed_states / failed_states. */
#define TSTATE_BIT_SUCCESS (1u << 0)
#define TSTATE_BIT_FAILED (1u << 1)
#define TSTATE_BIT_SKIPPED (1u << 2)
#define TSTATE_BIT_UPSTREAM_FAILED (1u << 3)

struct sensor_spec {
	enum sensor_kind kind;
	enum sensor_mode mode;
	int64_t poke_interval_ms;
	bool soft_fail;
	/* file */
	char *path; /* glob, template, relative to root */
	int64_t min_size;
	int64_t stable_for_ms;
	/* sql */
	char *query;
	/* time: at_min >= 0 for "at: HH:MM", else after_ms */
	int at_min;
	int64_t after_ms;
	/* external_task */
	char *ext_dag;
	char *ext_task; /* NULL: the whole run */
	enum ext_match match;
	int64_t offset_ms;
	unsigned allowed_states;
	unsigned failed_states;
};

enum data_format { FMT_CSV, FMT_JSONL, FMT_JSON, FMT_TEXT };
enum load_mode { LOAD_APPEND, LOAD_TRUNCATE, LOAD_REPLACE };

struct load_spec {
	char *file;       /* glob template, or NULL with from_conn */
	char *from_conn;  /* from: {conn, query} */
	char *from_query;
	enum data_format format;
	char delimiter, quote, escape;
	char *null;       /* csv null string, NULL = default (empty unquoted) */
	bool header;
	char *encoding;
	char *table;
	enum load_mode mode;
	char *delete_where;
	struct kvlist set;
	bool create;
	bool ignore_unknown;
	struct kvlist columns;
};

struct to_file_spec {
	char *path;
	enum data_format format; /* csv or jsonl */
	bool header;
	char delimiter;
	char *null;
};

/* A callback (on_failure / on_success): shell text or a webhook url. */
struct callback {
	char *shell;
	char *webhook_url;
};

struct task {
	char *id;
	struct pos pos;
	enum task_kind kind;

	/* shell / exec */
	char *shell;
	struct strlist exec;
	/* sql: text is the SQL (file contents when sql_file is set) */
	char *sql;
	char *sql_file; /* absolute path, or NULL for inline SQL */
	bool autocommit;
	char *skip_if;
	char *outputs_query;
	struct to_file_spec *to_file;
	struct load_spec *load;
	struct sensor_spec *sensor;

	/* dependencies: ids as written, and resolved indexes into dag->tasks */
	struct strlist depends;
	struct pos *depends_pos; /* where each of depends was written */
	size_t *up;
	size_t n_up;
	size_t *down;
	size_t n_down;
	enum trigger_rule rule;

	int retries;
	int64_t retry_delay_ms;
	enum backoff backoff;
	int64_t max_retry_delay_ms; /* 0: no cap */
	int64_t timeout_ms;         /* 0: none */
	char *pool;                 /* NULL: default pool */
	int priority;
	struct kvlist env;
	char *cwd; /* absolute */
	char *conn;
	struct strlist conns; /* every connection the task may see, conn included */
	int skip_exit_code;
	bool depends_on_past;
};

enum param_type { PT_UNTYPED, PT_INT, PT_NUMBER, PT_BOOL, PT_DATE, PT_STRING, PT_ENUM,
		  PT_PATH };

struct param {
	char *name;
	enum param_type type;
	char *value;      /* default, as text */
	bool is_string;   /* the default renders as a string (quoted in YAML or not a number/bool) */
	char *pattern;    /* PT_STRING: POSIX extended regex the value must match */
	struct strlist choices; /* PT_ENUM */
	struct pos pos;
};

struct dag {
	int refs;     /* references: the registry's and each run's (dag_ref/dag_unref) */
	char *id;
	char *file;   /* path as given */
	char *source; /* file text as loaded */
	char *description;
	char *schedule_text;
	struct schedule schedule;
	char *timezone;
	struct tz *tz; /* owned */
	bool has_start;
	int64_t start_date; /* UTC seconds of 00:00 in timezone */
	bool has_end;
	int64_t end_date;   /* last allowed logical date (00:00 of that day for a date) */
	bool catchup;
	char *root;         /* absolute directory */
	int max_active_runs;
	int max_active_tasks;
	int64_t run_timeout_ms;
	bool paused;
	struct strlist tags;
	struct param *params;
	size_t n_params;
	struct kvlist env;
	struct callback on_failure, on_success;
	struct task *tasks;
	size_t n_tasks;
	size_t *topo; /* task indexes in a topological order */
};

/*
 * Load a DAG from file text (buf, len). cfg (may be NULL) supplies the
 * default time zone and the connections that references are checked
 * against. Every problem is added to d; returns 0 and a new DAG in *out,
 * or DAGD_EINVAL when any error was found (warnings alone do not fail).
 */
int dag_load(const char *file, const char *buf, size_t len, const struct config *cfg,
	     struct dag **out, struct diags *d);
/* Read FILE (capped at DAG_FILE_MAX) and dag_load() it. */
int dag_load_file(const char *file, const struct config *cfg, struct dag **out,
		  struct diags *d);
void dag_free(struct dag *dag);
/* Take a reference; returns dag. */
struct dag *dag_ref(struct dag *dag);
/* Drop a reference; frees the DAG with the last one. NULL is a no-op. */
void dag_unref(struct dag *dag);

/* Index of task id, or -1. */
long dag_task_index(const struct dag *dag, const char *id);
const struct param *dag_param(const struct dag *dag, const char *name);
/*
 * Check a trigger-conf value against a typed param: NULL when it is fine,
 * else the reason ("must be an integer"). Untyped params always refuse.
 */
const char *dag_param_check(const struct param *p, const char *value);
/* true if task a is an ancestor (upstream, directly or not) of task b. */
bool dag_is_ancestor(const struct dag *dag, size_t a, size_t b);

#endif
