/*
 * render.h - the values a task try sees (DESIGN.md section 3, "Params and
 * templates"): template rendering of a task's strings for one run, and the
 * same values as DAGD_* environment variables. Pure apart from reading the
 * daemon's own environment for env.NAME and url_env connections.
 */
#ifndef DAGD_RENDER_H
#define DAGD_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "dag.h"
#include "template.h"

struct config;

/* Returns the value of output `name` of task `task` in this run, or NULL. */
typedef const char *(*render_output_cb)(void *ctx, const char *task, const char *name);

struct run_values {
	const struct dag *dag;
	const struct config *cfg; /* connections; may be NULL */
	int64_t data_interval_start;
	int64_t data_interval_end;
	const char *run_id;
	const char *run_dir;
	int try_number;
	const struct kvlist *conf; /* typed param overrides from trigger conf, may be NULL */
	render_output_cb output;   /* may be NULL */
	void *output_ctx;
	bool redact;               /* show passwords as *** (dagd render) */
	const char *file;          /* the `file` name of a load `set:` */
};

/* Render one template string of task t (t may be NULL for DAG-level). */
int render_string(const struct run_values *rv, const struct task *t, const char *tpl,
		  struct sbuf *out, struct tpl_error *err);

/*
 * The environment of a try: "NAME=VALUE" strings appended to env (DAGD_DS,
 * DAGD_RUN_ID, ..., DAGD_PARAMS_*, DAGD_OUTPUTS_<TASK>_<NAME> of the task's
 * ancestors, DAGD_CONN_* of the connections the task names, then the DAG's
 * and the task's env, rendered). 0, or DAGD_EINVAL with err.
 */
int render_env(const struct run_values *rv, const struct task *t, struct strlist *env,
	       struct tpl_error *err);

/* Split a connection URL into parts ("host", "port", "user", "password",
 * "database"); a new string or NULL when absent. */
char *conn_url_part(const char *url, const char *part);
/* The URL with its password replaced by ***; a new string. */
char *conn_url_redact(const char *url);

/* The value of a param for this run (conf override or default); borrowed. */
const char *render_param(const struct run_values *rv, const struct param *p);

#endif
