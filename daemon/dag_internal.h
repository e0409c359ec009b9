/*
 * dag_internal.h - what the DAG loader's files (dag_parse.c, dag_task.c,
 * dag_validate.c) share: the parse context and typed getters that report
 * wrong types with line:column. Not for other modules.
 */
#ifndef DAGD_DAG_INTERNAL_H
#define DAGD_DAG_INTERNAL_H

#include "dag.h"
#include "yaml_doc.h"

/* Where a template string lives, for checking it after edges resolve. */
enum tsite_lang { TS_PLAIN, TS_SQL, TS_SHELL };
struct tsite {
	long task; /* -1 for DAG-level (params) */
	const char *text;
	const char *file; /* the DAG file, or the sql file the text came from */
	struct pos pos;   /* of the text's first byte */
	bool block;       /* text starts on the line after pos */
	bool quoted;      /* text starts one column after pos */
	enum tsite_lang lang;
	bool in_load_set; /* `file` is a known name here */
	const char *what; /* "shell", "sql", ... for messages */
};

struct pctx {
	const char *file;
	struct diags *d;
	const struct config *cfg;
	struct dag *dag;
	struct tsite *sites;
	size_t n_sites, alloc_sites;
	char *dir; /* directory of the DAG file (absolute) */
};

void perr(struct pctx *c, const struct ynode *at, const char *fmt, ...) DAGD_PRINTF(3, 4);
void perr_pos(struct pctx *c, struct pos p, const char *fmt, ...) DAGD_PRINTF(3, 4);
void pwarn_pos(struct pctx *c, const char *file, struct pos p, const char *fmt, ...)
	DAGD_PRINTF(4, 5);
struct pos npos(const struct ynode *n);

/* Each getter reports a wrong type at the node and returns -1; 0 on success. */
int get_str(struct pctx *c, const struct ynode *n, const char *what, char **out);
int get_bool(struct pctx *c, const struct ynode *n, const char *what, bool *out);
int get_int(struct pctx *c, const struct ynode *n, const char *what, int64_t min, int64_t max,
	    int64_t *out);
int get_duration(struct pctx *c, const struct ynode *n, const char *what, bool neg,
		 int64_t *ms);
/* A list of strings; a single scalar counts as a list of one when one_ok. */
int get_strlist(struct pctx *c, const struct ynode *n, const char *what, bool one_ok,
		struct strlist *out);
/* A mapping of scalar values. */
int get_kvlist(struct pctx *c, const struct ynode *n, const char *what, struct kvlist *out);
/* The node of the i-th entry that get_strlist / get_kvlist kept from n (they
 * skip, after reporting, what is not a scalar), for positions. */
const struct ynode *strlist_node(const struct ynode *n, size_t i);
const struct ynode *kvlist_node(const struct ynode *n, size_t i);
/* A mapping expected; reports otherwise. */
bool want_map(struct pctx *c, const struct ynode *n, const char *what);

/*
 * Report every key of map not in allowed[] ("unknown key 'retires' in task
 * 'x' (did you mean 'retries'?)"). where describes the mapping.
 */
void check_keys(struct pctx *c, const struct ynode *map, const char *const *allowed,
		size_t n, const char *where);

/* Record a template site for dag_validate(). */
void add_site(struct pctx *c, long task, const char *text, const struct ynode *n,
	      enum tsite_lang lang, const char *what);
/* Resolve path against the DAG's root; a new absolute path. */
char *resolve_path(const struct dag *dag, const char *path);

/* dag_task.c: parse every task of the `tasks:` mapping. */
void parse_tasks(struct pctx *c, const struct ynode *tasks, const struct ynode *defaults);
/* dag_validate.c: resolve edges, find cycles, check templates and references. */
void dag_validate(struct pctx *c);


#endif
