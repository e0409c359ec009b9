/*
 * config.h - the daemon config (DESIGN.md section 5): config/dagd.yaml with
 * every key also settable from the environment as DAGD_<KEY>. Relative
 * paths resolve against the config file's directory. Loaded once; a
 * struct config is immutable after config_load().
 */
#ifndef DAGD_CONFIG_H
#define DAGD_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"

struct conn_def {
	char *name;
	char *url;     /* resolved URL (from url or url_env); NULL if url_env is unset */
	char *url_env; /* the variable named, or NULL */
	char *type;    /* "postgres" by default */
	int line, col;
};

struct pool_def {
	char *name;
	int size;
};

struct config {
	char *file;   /* absolute path of the config file, or NULL for defaults */
	char *dir;    /* directory relative paths resolve against */
	char *dags_folder;
	char *state;  /* "sqlite:///abs/path.db" or "postgresql://..." */
	char *logs_folder;
	char *listen; /* host:port */
	char *api_token_file;
	int parallelism;
	struct pool_def *pools;
	size_t n_pools;
	struct conn_def *conns;
	size_t n_conns;
	char *timezone;
	int64_t log_retention_ms;
	int64_t shutdown_grace_ms;
	char *log_level;
};

/*
 * Load FILE (NULL: defaults only, relative to the current directory), then
 * apply DAGD_* environment overrides. Returns 0 and *out, or DAGD_EINVAL /
 * DAGD_ENOENT with problems in d.
 */
int config_load(const char *file, struct config **out, struct diags *d);
void config_free(struct config *c);
/* The connection named name, or NULL. */
const struct conn_def *config_conn(const struct config *c, const char *name);
/* Size of pool name, or -1 when it is not configured. */
int config_pool_size(const struct config *c, const char *name);
/*
 * Which config file to use when --config is not given: $DAGD_CONFIG, else
 * /etc/dagd/dagd.yaml when run as a service ($INVOCATION_ID set), else
 * config/dagd.yaml if it exists, else NULL (defaults). Borrowed or static.
 */
const char *config_default_path(void);

#endif
