/*
 * config.c - loads the daemon config (DESIGN.md section 5) from YAML, then
 * applies DAGD_<KEY> environment overrides (DAGD_POOLS and
 * DAGD_CONNECTIONS take YAML flow text such as "{warehouse: 4}").
 * Relative paths resolve against the config file's directory (the current
 * directory when there is no file).
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "duration.h"
#include "dagd_limits.h"
#include "yaml_doc.h"

static const char *const config_keys[] = {
	"dags_folder", "state", "logs_folder", "listen", "api_token_file", "parallelism",
	"pools", "connections", "timezone", "log_retention", "shutdown_grace", "log_level",
};

struct cctx {
	struct config *cfg;
	struct diags *d;
	const char *file;
};

static void cerr(struct cctx *x, const struct ynode *n, const char *fmt, const char *a)
{
	diags_add(x->d, DIAG_ERROR, x->file, n ? n->line : 1, n ? n->col : 1, fmt, a);
}

static char *abs_path(const struct config *cfg, const char *p)
{
	if (p[0] == '/')
		return xstrdup(p);
	return xasprintf("%s/%s", cfg->dir, p);
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

static void parse_pools(struct cctx *x, const struct ynode *n)
{
	struct config *cfg = x->cfg;

	if (n->type != YN_MAP) {
		cerr(x, n, "'%s' must be a mapping of pool name to size", "pools");
		return;
	}
	for (size_t i = 0; i < cfg->n_pools; i++)
		free(cfg->pools[i].name);
	free(cfg->pools);
	cfg->pools = xcalloc(n->n_pairs, sizeof(*cfg->pools));
	cfg->n_pools = 0;
	for (size_t i = 0; i < n->n_pairs; i++) {
		const struct ynode *v = n->pairs[i].val;
		int64_t size;
		if (v->type != YN_SCALAR || parse_i64(v->str, 1, 1000000, &size) != 0) {
			cerr(x, v, "pool '%s' needs a positive integer size", n->pairs[i].key->str);
			continue;
		}
		cfg->pools[cfg->n_pools].name = xstrdup(n->pairs[i].key->str);
		cfg->pools[cfg->n_pools].size = (int)size;
		cfg->n_pools++;
	}
}

static void parse_conns(struct cctx *x, const struct ynode *n)
{
	static const char *const ckeys[] = {"url", "url_env", "type"};
	struct config *cfg = x->cfg;

	if (n->type != YN_MAP) {
		cerr(x, n, "'%s' must be a mapping of connection name to {url or url_env, type}",
		     "connections");
		return;
	}
	cfg->conns = xcalloc(n->n_pairs, sizeof(*cfg->conns));
	for (size_t i = 0; i < n->n_pairs; i++) {
		const struct ynode *v = n->pairs[i].val, *url, *env, *type;
		struct conn_def *cd;
		if (v->type != YN_MAP) {
			cerr(x, v, "connection '%s' must be a mapping with url or url_env",
			     n->pairs[i].key->str);
			continue;
		}
		for (size_t k = 0; k < v->n_pairs; k++) {
			const char *key = v->pairs[k].key->str;
			if (strcmp(key, ckeys[0]) && strcmp(key, ckeys[1]) && strcmp(key, ckeys[2]))
				cerr(x, v->pairs[k].key, "unknown key '%s' in a connection", key);
		}
		url = ymap_get(v, "url");
		env = ymap_get(v, "url_env");
		type = ymap_get(v, "type");
		if (!url == !env) {
			cerr(x, v, "connection '%s' needs exactly one of url or url_env",
			     n->pairs[i].key->str);
			continue;
		}
		if (!valid_id(n->pairs[i].key->str)) {
			cerr(x, n->pairs[i].key, "bad connection name '%s'", n->pairs[i].key->str);
			continue;
		}
		cd = &cfg->conns[cfg->n_conns++];
		cd->name = xstrdup(n->pairs[i].key->str);
		cd->line = n->pairs[i].key->line;
		cd->col = n->pairs[i].key->col;
		cd->type = xstrdup(type && type->type == YN_SCALAR ? type->str : "postgres");
		if (url && url->type == YN_SCALAR) {
			cd->url = xstrdup(url->str);
		} else if (env && env->type == YN_SCALAR) {
			const char *val = getenv(env->str);
			cd->url_env = xstrdup(env->str);
			cd->url = val ? xstrdup(val) : NULL;
		}
	}
}

static void apply_key(struct cctx *x, const char *key, const struct ynode *v)
{
	struct config *cfg = x->cfg;
	int64_t n;

	if (strcmp(key, "pools") == 0) {
		parse_pools(x, v);
		return;
	}
	if (strcmp(key, "connections") == 0) {
		parse_conns(x, v);
		return;
	}
	if (v->type != YN_SCALAR) {
		cerr(x, v, "'%s' must be a scalar", key);
		return;
	}
	if (strcmp(key, "dags_folder") == 0) {
		free(cfg->dags_folder);
		cfg->dags_folder = abs_path(cfg, v->str);
	} else if (strcmp(key, "logs_folder") == 0) {
		free(cfg->logs_folder);
		cfg->logs_folder = abs_path(cfg, v->str);
	} else if (strcmp(key, "state") == 0) {
		free(cfg->state);
		if (strncmp(v->str, "sqlite://", 9) == 0) {
			char *p = abs_path(cfg, v->str + 9);
			cfg->state = xasprintf("sqlite://%s", p);
			free(p);
		} else if (strncmp(v->str, "postgresql://", 13) == 0 ||
			   strncmp(v->str, "postgres://", 11) == 0) {
			cfg->state = xstrdup(v->str);
		} else {
			cfg->state = NULL;
			cerr(x, v, "state must be sqlite://PATH or postgresql://..., not '%s'", v->str);
		}
	} else if (strcmp(key, "listen") == 0) {
		set_str(&cfg->listen, v->str);
		if (!strrchr(v->str, ':'))
			cerr(x, v, "listen must be HOST:PORT, not '%s'", v->str);
	} else if (strcmp(key, "api_token_file") == 0) {
		free(cfg->api_token_file);
		cfg->api_token_file = ynode_is_null(v) ? NULL : abs_path(cfg, v->str);
	} else if (strcmp(key, "parallelism") == 0) {
		if (parse_i64(v->str, 1, 100000, &n) != 0)
			cerr(x, v, "parallelism must be a positive integer, not '%s'", v->str);
		else
			cfg->parallelism = (int)n;
	} else if (strcmp(key, "timezone") == 0) {
		set_str(&cfg->timezone, v->str);
	} else if (strcmp(key, "log_retention") == 0) {
		if (duration_parse(v->str, false, &cfg->log_retention_ms) != 0)
			cerr(x, v, "bad duration for log_retention: '%s'", v->str);
	} else if (strcmp(key, "shutdown_grace") == 0) {
		if (duration_parse(v->str, false, &cfg->shutdown_grace_ms) != 0)
			cerr(x, v, "bad duration for shutdown_grace: '%s'", v->str);
	} else if (strcmp(key, "log_level") == 0) {
		set_str(&cfg->log_level, v->str);
	}
}

static void apply_env(struct cctx *x)
{
	for (size_t i = 0; i < ARRAY_LEN(config_keys); i++) {
		struct sbuf name;
		const char *val;
		struct ynode *n = NULL;

		sbuf_init(&name, 0);
		sbuf_adds(&name, "DAGD_");
		env_name_append(&name, config_keys[i]);
		val = getenv(sbuf_str(&name));
		if (val) {
			x->file = sbuf_str(&name);
			if (strcmp(config_keys[i], "pools") == 0 ||
			    strcmp(config_keys[i], "connections") == 0) {
				if (ydoc_parse(val, strlen(val), x->file, &n, x->d) == 0 && n)
					apply_key(x, config_keys[i], n);
			} else {
				struct ynode s = {.type = YN_SCALAR, .line = 1, .col = 1,
						  .str = (char *)val, .len = strlen(val), .plain = true};
				apply_key(x, config_keys[i], &s);
			}
			ynode_free(n);
		}
		sbuf_release(&name);
	}
}

static void set_defaults(struct config *cfg)
{
	cfg->dags_folder = abs_path(cfg, "config/dags");
	cfg->logs_folder = abs_path(cfg, "var/logs");
	{
		char *p = abs_path(cfg, "var/state.db");
		cfg->state = xasprintf("sqlite://%s", p);
		free(p);
	}
	cfg->listen = xstrdup("127.0.0.1:8080");
	cfg->parallelism = 16;
	cfg->timezone = xstrdup("UTC");
	cfg->log_retention_ms = 30LL * 86400000;
	cfg->shutdown_grace_ms = 30000;
	cfg->log_level = xstrdup("info");
}

int config_load(const char *file, struct config **out, struct diags *d)
{
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	struct cctx x = {.cfg = cfg, .d = d, .file = file};
	size_t errors_before = d->errors;
	char cwd[PATH_MAX];
	int rc = 0;

	*out = NULL;
	if (!getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), ".");
	if (file) {
		char real[PATH_MAX], *slash;
		if (!realpath(file, real)) {
			diags_add(d, DIAG_ERROR, file, 1, 1, "config file not found");
			free(cfg);
			return DAGD_ENOENT;
		}
		cfg->file = xstrdup(real);
		slash = strrchr(real, '/');
		*(slash == real ? slash + 1 : slash) = '\0';
		cfg->dir = xstrdup(real);
	} else {
		cfg->dir = xstrdup(cwd);
	}
	if (file) {
		/* defaults relative to the repository layout: config/ holds the file */
		set_defaults(cfg);
		free(cfg->dags_folder);
		cfg->dags_folder = abs_path(cfg, "dags");
	} else {
		set_defaults(cfg);
	}
	if (file) {
		char *buf;
		size_t len;
		struct ynode *root = NULL;
		rc = read_file(file, DAG_FILE_MAX, &buf, &len);
		if (rc != 0) {
			diags_add(d, DIAG_ERROR, file, 1, 1, "cannot read config: %s",
				  dagd_strerror(rc));
			config_free(cfg);
			return rc;
		}
		if (ydoc_parse(buf, len, file, &root, d) == 0 && root) {
			if (root->type != YN_MAP) {
				cerr(&x, root, "%s", "the config must be a mapping");
			} else {
				for (size_t i = 0; i < root->n_pairs; i++) {
					const char *k = root->pairs[i].key->str;
					const char *hint = closest_word(k, config_keys,
									ARRAY_LEN(config_keys));
					bool known = false;
					for (size_t j = 0; j < ARRAY_LEN(config_keys); j++)
						known = known || strcmp(k, config_keys[j]) == 0;
					if (!known) {
						diags_add(d, DIAG_ERROR, file, root->pairs[i].key->line,
							  root->pairs[i].key->col,
							  "unknown key '%s' in the config%s%s%s", k,
							  hint ? " (did you mean '" : "", hint ? hint : "",
							  hint ? "'?)" : "");
						continue;
					}
					apply_key(&x, k, root->pairs[i].val);
				}
			}
		}
		ynode_free(root);
		free(buf);
	}
	apply_env(&x);
	if (d->errors > errors_before) {
		config_free(cfg);
		return DAGD_EINVAL;
	}
	*out = cfg;
	return 0;
}

void config_free(struct config *c)
{
	if (!c)
		return;
	free(c->file);
	free(c->dir);
	free(c->dags_folder);
	free(c->state);
	free(c->logs_folder);
	free(c->listen);
	free(c->api_token_file);
	for (size_t i = 0; i < c->n_pools; i++)
		free(c->pools[i].name);
	free(c->pools);
	for (size_t i = 0; i < c->n_conns; i++) {
		free(c->conns[i].name);
		free(c->conns[i].url);
		free(c->conns[i].url_env);
		free(c->conns[i].type);
	}
	free(c->conns);
	free(c->timezone);
	free(c->log_level);
	free(c);
}

const struct conn_def *config_conn(const struct config *c, const char *name)
{
	for (size_t i = 0; c && i < c->n_conns; i++)
		if (strcmp(c->conns[i].name, name) == 0)
			return &c->conns[i];
	return NULL;
}

int config_pool_size(const struct config *c, const char *name)
{
	for (size_t i = 0; c && i < c->n_pools; i++)
		if (strcmp(c->pools[i].name, name) == 0)
			return c->pools[i].size;
	return -1;
}

const char *config_default_path(void)
{
	const char *env = getenv("DAGD_CONFIG");
	struct stat st;

	if (env && *env)
		return env;
	if (getenv("INVOCATION_ID") && stat("/etc/dagd/dagd.yaml", &st) == 0)
		return "/etc/dagd/dagd.yaml";
	if (stat("config/dagd.yaml", &st) == 0)
		return "config/dagd.yaml";
	return NULL;
}
